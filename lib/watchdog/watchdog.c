/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "events.h"
#include "log.h"
#include "svm_ext.h"
#include "watchdog.h"

IOC_LOG_TYPE(watchdog);

static double
ms(uint64_t tsc)
{
	return (double)tsc * 1e3 / (double)rte_get_tsc_hz();
}

uint64_t
ioc_watchdog_period(const struct ioc_svc *svc)
{
	uint64_t min = UINT64_MAX;

	for (unsigned i = 0; i < svc->n_instances; i++)
		min = RTE_MIN(min, svc->instances[i].timeout_tsc);
	return min == UINT64_MAX ? rte_get_tsc_hz() / 1000 : RTE_MAX(min / 40, 1u);
}

/*
 * The events of one instance's tick, stamped as they happen and kept (lock,
 * log) only once its shares and state are published: meanwhile forwarding
 * lcores would reclaim a dead worker's packets and hand them to it again.
 * Each worker makes at most three events per tick, the instance one.
 */
#define WD_EVENTS_MAX (3 * 2 * IOC_SVC_MAX_WORKERS + 1)
static struct ioc_event_msg wd_events[WD_EVENTS_MAX];
static unsigned wd_n_events;

static void wd_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
wd_event(const char *fmt, ...)
{
	va_list ap;

	if (wd_n_events == WD_EVENTS_MAX)
		return; /* cannot happen: see WD_EVENTS_MAX */
	va_start(ap, fmt);
	ioc_event_vformat(&wd_events[wd_n_events++], fmt, ap);
	va_end(ap);
}

static void
wd_events_post(void)
{
	for (unsigned i = 0; i < wd_n_events; i++)
		ioc_event_post(&wd_events[i]);
	wd_n_events = 0;
}

static void set_state(struct ioc_svm_worker *w, enum ioc_svm_state s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The event says why: "svm W: up -> down (REASON)". */
static void
set_state(struct ioc_svm_worker *w, enum ioc_svm_state s, const char *fmt, ...)
{
	char why[IOC_EVENT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	wd_event("svm %s: %s -> %s (%s)", w->name, ioc_svm_state_name(w->state),
		 ioc_svm_state_name(s), why);
	__atomic_store_n(&w->state, s, __ATOMIC_RELEASE);
}

/*
 * Who serves each share: its own worker while up, else the standby that took
 * it over, else a surviving worker (round robin), else nobody: the instance
 * is down. Entries are published one by one; a forwarding lcore reading a mix
 * of old and new entries sends a flow to a worker that is up either way, or
 * to a fenced one whose ring it then reclaims.
 */
static void
publish_shares(struct ioc_svc_instance *inst)
{
	struct ioc_svm_worker *share[IOC_SVC_MAX_WORKERS] = { NULL };
	struct ioc_svm_worker *up[IOC_SVC_MAX_WORKERS];
	unsigned n_up = 0, rr = 0;

	for (unsigned i = 0; i < inst->n_workers; i++) {
		if (inst->workers[i]->state == IOC_SVM_UP)
			share[i] = inst->workers[i];
		for (unsigned s = 0; share[i] == NULL && s < inst->n_standby; s++) {
			struct ioc_svm_worker *sb = inst->standby[s];

			if (sb->standby_for == (int)i && sb->state == IOC_SVM_UP)
				share[i] = sb;
		}
		if (share[i] != NULL)
			up[n_up++] = share[i];
	}
	for (unsigned i = 0; i < inst->n_workers; i++) {
		if (share[i] == NULL && n_up > 0)
			share[i] = up[rr++ % n_up];
		__atomic_store_n(&inst->share[i], share[i], __ATOMIC_RELEASE);
	}
	bool down = n_up == 0;
	if (down != inst->down) {
		wd_event("instance %s: %s", inst->name,
			 down ? "down: its vNICs take their failure path"
			      : "up: its vNICs are inspected again");
		__atomic_store_n(&inst->down, down, __ATOMIC_RELEASE);
	}
}

/*
 * Every transition to down: when it wakes up the worker settles what it held
 * by policy (fence_keeps in svc.c), including what it took while recovering.
 */
static void
fence(struct ioc_svm_worker *w, uint64_t now)
{
	__atomic_fetch_add(&w->fence_gen, 1, __ATOMIC_RELEASE);
	w->down_since = now;
}

static void restart_still(struct ioc_svm_worker *w, uint64_t now);

/* A worker just went down: fence it, and find its share a standby. */
static void
on_down(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now)
{
	fence(w, now);
	if (w->standby) {
		int share = w->standby_for;

		w->standby_for = -1;
		if (share < 0)
			return;
		/* Its share goes to another idle standby, if any. */
		for (unsigned s = 0; s < inst->n_standby; s++) {
			struct ioc_svm_worker *sb = inst->standby[s];

			if (sb->state == IOC_SVM_IDLE && !sb->launch_req) {
				sb->standby_for = share;
				sb->last_move = now;
				restart_still(sb, now);
				set_state(sb, IOC_SVM_UP, "takes over the share of a standby");
				__atomic_store_n(&sb->launch_req, true, __ATOMIC_RELEASE);
				return;
			}
		}
		return;
	}
	for (unsigned s = 0; s < inst->n_standby; s++) {
		struct ioc_svm_worker *sb = inst->standby[s];

		if (sb->state != IOC_SVM_IDLE || sb->launch_req)
			continue;
		/* A standby starts serving at once: it has not failed, and every ms counts. */
		sb->standby_for = (int)w->index;
		sb->last_move = now;
		restart_still(sb, now);
		sb->last_hb = __atomic_load_n(&sb->heartbeat, __ATOMIC_ACQUIRE);
		wd_event("svm %s: takes over the share of %s", sb->name, w->name);
		__atomic_store_n(&sb->state, IOC_SVM_UP, __ATOMIC_RELEASE);
		__atomic_store_n(&sb->launch_req, true, __ATOMIC_RELEASE);
		return;
	}
}

/* A worker is up again: the standby serving its share goes back to idle. */
static void
on_up(struct ioc_svc_instance *inst, struct ioc_svm_worker *w)
{
	for (unsigned s = 0; !w->standby && s < inst->n_standby; s++) {
		struct ioc_svm_worker *sb = inst->standby[s];

		if (sb->standby_for != (int)w->index)
			continue;
		sb->standby_for = -1;
		wd_event("svm %s: back to standby, %s serves its share again", sb->name, w->name);
		__atomic_store_n(&sb->state, IOC_SVM_IDLE, __ATOMIC_RELEASE);
		/* It stops; what is left in its rings is reclaimed by the forwarding lcores. */
		__atomic_store_n(&sb->quit, true, __ATOMIC_RELEASE);
	}
}

/* A worker's thread as EAL sees it; an lcore EAL did not enable (unit tests) counts as running. */
static bool
os_running(const struct ioc_svm_worker *w)
{
	return !rte_lcore_is_enabled(w->lcore_id) ||
	       rte_eal_get_lcore_state(w->lcore_id) == RUNNING;
}

/* The CPU time the worker's thread consumed (the kernel's run time of that thread). */
static bool
os_cpu_ns(const struct ioc_svm_worker *w, uint64_t *ns)
{
	struct timespec ts;

	if (!__atomic_load_n(&w->cpu_clock_ok, __ATOMIC_ACQUIRE) ||
	    clock_gettime(w->cpu_clock, &ts) != 0)
		return false;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return true;
}

static const struct ioc_watchdog_probes os_probes = { .running = os_running, .cpu_ns = os_cpu_ns };
static const struct ioc_watchdog_probes *probes = &os_probes;

void
ioc_watchdog_set_probes(const struct ioc_watchdog_probes *p)
{
	probes = p != NULL ? p : &os_probes;
}

/* Its thread runs, or was launched and has not started yet. */
static bool
thread_running(const struct ioc_svm_worker *w)
{
	return __atomic_load_n(&w->starting, __ATOMIC_ACQUIRE) || probes->running(w);
}

static bool
crashed(const struct ioc_svm_worker *w)
{
	return !thread_running(w);
}

void
ioc_watchdog_launching(struct ioc_svm_worker *w)
{
	__atomic_store_n(&w->starting, true, __ATOMIC_RELEASE);
}

void
ioc_watchdog_not_launched(struct ioc_svm_worker *w)
{
	__atomic_store_n(&w->starting, false, __ATOMIC_RELEASE);
}

void
ioc_watchdog_launched(struct ioc_svm_worker *w)
{
	__atomic_fetch_add(&w->launch_gen, 1, __ATOMIC_RELEASE);
}

/*
 * A launch asked for and not yet done excuses a still heartbeat (the thread
 * is not there to beat), but only for a timeout: a request that cannot be
 * served must not hide a dead worker for good.
 */
static bool
launch_pending(struct ioc_svm_worker *w, uint64_t now, uint64_t timeout)
{
	if (!__atomic_load_n(&w->launch_req, __ATOMIC_ACQUIRE)) {
		w->launch_since = 0;
		return false;
	}
	if (w->launch_since == 0)
		w->launch_since = now;
	return now - w->launch_since < timeout;
}

int
ioc_watchdog_reason(int why, uint64_t ran_tsc, uint64_t still_tsc, char *buf, size_t len)
{
	switch (why) {
	case IOC_WD_STALLED:
		return snprintf(buf, len, "stalled: ran %.1f ms of %.1f ms without a heartbeat",
				ms(ran_tsc), ms(still_tsc));
	case IOC_WD_STILL:
		return snprintf(buf, len, "heartbeat stalled for %.1f ms", ms(still_tsc));
	case IOC_WD_STARVED:
		return snprintf(buf, len, "starved: ran %.1f ms in %.1f ms", ms(ran_tsc),
				ms(still_tsc));
	case IOC_WD_CRASHED:
		return snprintf(buf, len, "crashed: its thread stopped");
	case IOC_WD_APPLIANCE:
		return snprintf(buf, len, "appliance: its probes or rings still for %.1f ms",
				ms(still_tsc));
	case IOC_WD_PREEMPTED:
		return snprintf(buf, len, "preempted: ran %.1f ms in %.1f ms, not hung",
				ms(ran_tsc), ms(still_tsc));
	}
	return snprintf(buf, len, "-");
}

/*
 * CPU time (TSC cycles) the worker's thread got since the first tick that saw
 * its heartbeat still; false when the OS cannot tell (the thread never ran).
 */
static bool
cpu_ran(struct ioc_svm_worker *w, uint64_t *ran)
{
	uint64_t ns;

	if (probes->cpu_ns == NULL || !probes->cpu_ns(w, &ns))
		return false;
	if (!w->cpu_base_ok) {
		w->cpu_base = ns;
		w->cpu_base_ok = true;
	}
	*ran = (uint64_t)((double)(ns - w->cpu_base) * (double)rte_get_tsc_hz() / 1e9);
	return true;
}

/* The heartbeat is timed again from now: it moved, or a thread was launched. */
static void
end_excuse(struct ioc_svm_worker *w, uint64_t now)
{
	if (w->excused) {
		w->excused = false;
		w->preempted_tsc += now - w->excused_from;
	}
}

static void
restart_still(struct ioc_svm_worker *w, uint64_t now)
{
	end_excuse(w, now);
	w->still_from = now;
	w->cpu_base_ok = false;
}

/*
 * An up worker whose heartbeat stood still for the timeout. It is hung if its
 * thread ran for a tenth of the timeout meanwhile (a worker beats every loop,
 * which takes microseconds), or if the OS cannot tell. If it barely ran it was
 * preempted (its CPU given to another thread or taken by the host): excused,
 * until max_preempt_ms of wall clock, after which it is down whatever the
 * reason. Returns the verdict: IOC_WD_PREEMPTED, or why it is down.
 */
static int
judge(const struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now, uint64_t ran,
      bool known)
{
	uint64_t still = now - w->still_from;

	w->why_ran_tsc = ran;
	w->why_still_tsc = still;
	if (!known)
		return IOC_WD_STILL;
	if (ran >= inst->timeout_tsc / IOC_WD_HUNG_SHARE)
		return IOC_WD_STALLED;
	if (still >= inst->max_preempt_tsc)
		return IOC_WD_STARVED;
	if (!w->excused) {
		w->excused = true;
		w->excused_from = w->still_from + inst->timeout_tsc;
		w->near_misses++;
	}
	return IOC_WD_PREEMPTED;
}

static void
declare_down(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now, int why)
{
	char reason[IOC_EVENT_LEN];

	end_excuse(w, now);
	w->why = why;
	ioc_watchdog_reason(why, w->why_ran_tsc, w->why_still_tsc, reason, sizeof(reason));
	set_state(w, IOC_SVM_DOWN, "%s", reason);
	on_down(inst, w, now);
}

/* An external appliance's own signals (probes, its rings, its link) are stale. */
static void
appliance_down(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now,
	       const char *what)
{
	end_excuse(w, now);
	w->why = IOC_WD_APPLIANCE;
	set_state(w, IOC_SVM_DOWN, "%s %.1f ms", what, ms(w->why_still_tsc));
	on_down(inst, w, now);
}

/* What moved since the last tick: a launch or a heartbeat restarts the still time. */
static void
observe(struct ioc_svm_worker *w, uint64_t now)
{
	uint64_t hb = __atomic_load_n(&w->heartbeat, __ATOMIC_ACQUIRE);
	uint32_t lg = __atomic_load_n(&w->launch_gen, __ATOMIC_ACQUIRE);

	/* A thread just launched has a whole timeout to beat, from now. */
	if (lg != w->seen_launch_gen) {
		w->seen_launch_gen = lg;
		restart_still(w, now);
	}
	if (hb != w->last_hb) {
		w->last_hb = hb;
		w->last_move = now;
		restart_still(w, now);
	}
}

/*
 * An appliance is alive only while its own signals are too (svm_ext.h): when
 * they last moved (*last, else the heartbeat's) and, stale, what (*why).
 * Those are probes, not a thread of ours: no CPU time excuses them.
 */
struct liveness {
	uint64_t last;
	const char *why;
};

/* An up worker: crashed, its appliance silent, or still for the timeout (judged). */
static bool
tick_up(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now,
	const struct liveness *lv)
{
	uint64_t timeout = inst->timeout_tsc, ran = 0;
	bool known;

	if (launch_pending(w, now, timeout))
		return false;
	if (crashed(w)) {
		w->why_ran_tsc = 0;
		w->why_still_tsc = now - w->still_from;
		declare_down(inst, w, now, IOC_WD_CRASHED);
		return true;
	}
	if (lv->why != NULL && now - lv->last >= timeout) {
		w->why_ran_tsc = 0;
		w->why_still_tsc = now - lv->last;
		appliance_down(inst, w, now, lv->why);
		return true;
	}
	if (w->still_from == now)
		return false;
	/* From the first still tick: the CPU time starts there. */
	known = cpu_ran(w, &ran);
	if (now - w->still_from < timeout)
		return false;
	int why = judge(inst, w, now, ran, known);
	if (why == IOC_WD_PREEMPTED) {
		w->why = why;
		return false;
	}
	declare_down(inst, w, now, why);
	return true;
}

/* A down worker: beating again, or crashed and relaunched if the instance says so. */
static bool
tick_down(const struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now,
	  const struct liveness *lv)
{
	/* Beating again since it was declared down (a crash is at once). */
	if (w->last_move > w->down_since && now - lv->last < inst->timeout_tsc) {
		w->steady_since = lv->last;
		set_state(w, IOC_SVM_RECOVERING, "heartbeat moves again after %.1f ms",
			  ms(now - w->down_since));
		return true;
	}
	if (inst->auto_recover && !w->standby && !w->launch_req && crashed(w)) {
		wd_event("svm %s: crashed, relaunched on lcore %u", w->name, w->lcore_id);
		__atomic_store_n(&w->launch_req, true, __ATOMIC_RELEASE);
	}
	return false;
}

/* A recovering worker: stalled again, or steady for the timeout (up, or back to the bench). */
static bool
tick_recovering(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now,
		const struct liveness *lv)
{
	uint64_t timeout = inst->timeout_tsc;

	if (now - RTE_MIN(w->still_from, lv->last) >= timeout) {
		uint64_t since = now - RTE_MIN(w->still_from, lv->last);

		set_state(w, IOC_SVM_DOWN, "%s again for %.1f ms",
			  lv->why != NULL ? lv->why : "heartbeat stalled", ms(since));
		fence(w, now);
		return true;
	}
	if (now - w->steady_since < timeout)
		return false;
	if (w->standby && w->standby_for < 0) {
		/* A standby whose share went elsewhere: back to the bench. */
		set_state(w, IOC_SVM_IDLE, "heartbeat steady for %.1f ms",
			  ms(now - w->steady_since));
		__atomic_store_n(&w->quit, true, __ATOMIC_RELEASE);
		return true;
	}
	set_state(w, IOC_SVM_UP, "heartbeat steady for %.1f ms", ms(now - w->steady_since));
	on_up(inst, w);
	return true;
}

/* One worker's tick: true when its state changed. */
static bool
tick_worker(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now)
{
	struct liveness lv = { 0 };

	observe(w, now);
	lv.last = w->last_move;
	if (w->ext != NULL)
		ioc_svm_ext_liveness(w, now, inst->timeout_tsc, &lv.last, &lv.why);
	switch (w->state) {
	case IOC_SVM_IDLE:
		break;
	case IOC_SVM_UP:
		return tick_up(inst, w, now, &lv);
	case IOC_SVM_DOWN:
		return tick_down(inst, w, now, &lv);
	case IOC_SVM_RECOVERING:
		return tick_recovering(inst, w, now, &lv);
	}
	return false;
}

unsigned
ioc_watchdog_tick(struct ioc_svc *svc, uint64_t now)
{
	unsigned changes = 0;

	for (unsigned i = 0; i < svc->n_instances; i++) {
		struct ioc_svc_instance *inst = &svc->instances[i];
		unsigned before = changes;

		for (unsigned k = 0; k < inst->n_workers + inst->n_standby; k++)
			changes += tick_worker(inst,
					       k < inst->n_workers
						       ? inst->workers[k]
						       : inst->standby[k - inst->n_workers],
					       now);
		if (changes != before)
			publish_shares(inst);
		wd_events_post();
	}
	return changes;
}

/* Asked again at every service until it works: said once a second, with the count. */
static void
launch_failed(struct ioc_svm_worker *w)
{
	uint64_t held;

	if (!ioc_log_rl_allow(&w->launch_rl, rte_get_tsc_cycles(), rte_get_tsc_hz(), &held))
		return;
	if (held == 0)
		IOC_LOG(ERR, watchdog, "cannot launch %s on lcore %u", w->name, w->lcore_id);
	else
		IOC_LOG(ERR, watchdog,
			"cannot launch %s on lcore %u (and %" PRIu64
			" times since the last message)",
			w->name, w->lcore_id, held);
}

void
ioc_watchdog_service(struct ioc_svc *svc, int (*launch)(struct ioc_svm_worker *w))
{
	for (unsigned i = 0; i < svc->n_workers; i++) {
		struct ioc_svm_worker *w = svc->workers[i];
		bool running = thread_running(w);

		/*
		 * What a stopped thread still held would wait for its next
		 * launch (hours, or never): it goes back to the forwarding
		 * lcores now, settled by policy if the worker was fenced.
		 */
		if (!running) {
			/* EAL reads the lcore state plainly: order the thread's last writes. */
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			ioc_svm_worker_adopt(w);
		}
		if (!__atomic_load_n(&w->launch_req, __ATOMIC_ACQUIRE))
			continue;
		/*
		 * EAL launches only on a stopped lcore. A thread still running
		 * is alive: the request is stale (it crossed a relaunch, or a
		 * resume) unless the thread was told to stop and has not yet:
		 * then it is launched again once it has stopped. Its drill and
		 * stop request are left alone until then.
		 */
		if (running) {
			if (!__atomic_load_n(&w->quit, __ATOMIC_ACQUIRE))
				__atomic_store_n(&w->launch_req, false, __ATOMIC_RELEASE);
			continue;
		}
		__atomic_store_n(&w->fault, IOC_FAULT_NONE, __ATOMIC_RELEASE);
		__atomic_store_n(&w->quit, false, __ATOMIC_RELEASE);
		ioc_watchdog_launching(w);
		if (launch(w) != 0) {
			ioc_watchdog_not_launched(w);
			launch_failed(w);
			continue; /* asked again at the next service */
		}
		ioc_watchdog_launched(w);
		__atomic_store_n(&w->launch_req, false, __ATOMIC_RELEASE);
	}
}

unsigned
ioc_watchdog_sched(unsigned prio)
{
	static bool warned;
	struct sched_param sp = { .sched_priority = (int)prio };
	int rc = pthread_setschedparam(pthread_self(), prio > 0 ? SCHED_FIFO : SCHED_OTHER, &sp);

	if (rc == 0)
		return prio;
	if (!warned) {
		warned = true;
		IOC_LOG(WARNING, watchdog, "cannot use SCHED_FIFO priority %u (%s)", prio,
			strerror(rc));
	}
	return 0;
}

/* Ticks every period, on time: it sleeps until the next tick is due. */
static void
tick_until_stopped(struct ioc_watchdog_thread *t)
{
	uint64_t period = ioc_watchdog_period(t->svc);
	uint64_t next = rte_get_tsc_cycles() + period;

	if (t->rt_priority > 0)
		ioc_watchdog_sched(t->rt_priority);
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = rte_get_tsc_cycles();

		if (now < next) {
			rte_delay_us_sleep(RTE_MAX((next - now) * 1000000 / rte_get_tsc_hz(), 1ul));
			continue;
		}
		ioc_watchdog_tick(t->svc, now);
		next = now + period;
	}
}

int
ioc_watchdog_main(void *arg)
{
	tick_until_stopped(arg);
	return 0;
}

static void *
ticker_main(void *arg)
{
	tick_until_stopped(arg);
	return NULL;
}

int
ioc_watchdog_during(struct ioc_svc *svc, unsigned rt_priority, int (*fn)(void *arg), void *arg)
{
	struct ioc_watchdog_thread t = { .svc = svc, .rt_priority = rt_priority };
	pthread_t tid;
	int rc;

	if (svc == NULL || pthread_create(&tid, NULL, ticker_main, &t) != 0) {
		if (svc != NULL)
			IOC_LOG(WARNING, watchdog, "no thread to tick meanwhile: detection waits");
		return fn(arg);
	}
	rc = fn(arg);
	__atomic_store_n(&t.stop, true, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	return rc;
}
