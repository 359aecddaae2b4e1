/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "events.h"
#include "log.h"
#include "svm_ext.h"
#include "watchdog.h"

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

static void
set_state(struct ioc_svm_worker *w, enum ioc_svm_state s, const char *why, uint64_t since)
{
	ioc_event_add("svm %s: %s -> %s (%s %.1f ms)", w->name, ioc_svm_state_name(w->state),
		      ioc_svm_state_name(s), why, ms(since));
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
		ioc_event_add("instance %s: %s", inst->workers[0]->name,
			      down ? "down: its vNICs take their failure path"
				   : "up: its vNICs are inspected again");
		__atomic_store_n(&inst->down, down, __ATOMIC_RELEASE);
	}
}

/* A worker just went down: fence it, and find its share a standby. */
static void
on_down(struct ioc_svc_instance *inst, struct ioc_svm_worker *w, uint64_t now)
{
	/* When it wakes up it settles what it held by policy (fence_filter in svc.c). */
	__atomic_fetch_add(&w->fence_gen, 1, __ATOMIC_RELEASE);
	w->down_since = now;
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
				set_state(sb, IOC_SVM_UP,
					  "takes over the share of a standby, after", 0);
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
		sb->last_hb = __atomic_load_n(&sb->heartbeat, __ATOMIC_ACQUIRE);
		ioc_event_add("svm %s: takes over the share of %s", sb->name, w->name);
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
		ioc_event_add("svm %s: back to standby, %s serves its share again", sb->name,
			      w->name);
		__atomic_store_n(&sb->state, IOC_SVM_IDLE, __ATOMIC_RELEASE);
		/* It stops; what is left in its rings is reclaimed by the forwarding lcores. */
		__atomic_store_n(&sb->quit, true, __ATOMIC_RELEASE);
	}
}

static bool
crashed(const struct ioc_svm_worker *w)
{
	return rte_lcore_is_enabled(w->lcore_id) && rte_eal_get_lcore_state(w->lcore_id) != RUNNING;
}

unsigned
ioc_watchdog_tick(struct ioc_svc *svc, uint64_t now)
{
	unsigned changes = 0;

	for (unsigned i = 0; i < svc->n_instances; i++) {
		struct ioc_svc_instance *inst = &svc->instances[i];
		uint64_t timeout = inst->timeout_tsc;
		unsigned before = changes;

		for (unsigned k = 0; k < inst->n_workers + inst->n_standby; k++) {
			struct ioc_svm_worker *w = k < inst->n_workers
							   ? inst->workers[k]
							   : inst->standby[k - inst->n_workers];
			uint64_t hb = __atomic_load_n(&w->heartbeat, __ATOMIC_ACQUIRE);

			if (hb != w->last_hb) {
				w->last_hb = hb;
				w->last_move = now;
			}
			/* An appliance is alive only while its own signals are too (svm_ext.h). */
			uint64_t last_move = w->last_move;
			const char *why = "heartbeat stalled for";
			if (w->ext != NULL)
				ioc_svm_ext_liveness(w, now, timeout, &last_move, &why);
			switch (w->state) {
			case IOC_SVM_IDLE:
				break;
			case IOC_SVM_UP:
				if (now - last_move < timeout || w->launch_req)
					break;
				set_state(w, IOC_SVM_DOWN, why, now - last_move);
				on_down(inst, w, now);
				changes++;
				break;
			case IOC_SVM_DOWN:
				if (now - last_move < timeout) {
					w->steady_since = last_move;
					set_state(w, IOC_SVM_RECOVERING,
						  "heartbeat moves again after",
						  now - w->down_since);
					changes++;
				} else if (inst->auto_recover && !w->standby && !w->launch_req &&
					   crashed(w)) {
					ioc_event_add("svm %s: crashed, relaunched on lcore %u",
						      w->name, w->lcore_id);
					w->last_move = now;
					__atomic_store_n(&w->launch_req, true, __ATOMIC_RELEASE);
				}
				break;
			case IOC_SVM_RECOVERING:
				if (now - last_move >= timeout) {
					set_state(w, IOC_SVM_DOWN, why, now - last_move);
					w->down_since = now;
					changes++;
				} else if (now - w->steady_since >= timeout && w->standby &&
					   w->standby_for < 0) {
					/* A standby whose share went elsewhere: back to the bench.
					 */
					set_state(w, IOC_SVM_IDLE, "heartbeat steady for",
						  now - w->steady_since);
					__atomic_store_n(&w->quit, true, __ATOMIC_RELEASE);
					changes++;
				} else if (now - w->steady_since >= timeout) {
					set_state(w, IOC_SVM_UP, "heartbeat steady for",
						  now - w->steady_since);
					on_up(inst, w);
					changes++;
				}
				break;
			}
		}
		if (changes != before)
			publish_shares(inst);
	}
	return changes;
}

void
ioc_watchdog_service(struct ioc_svc *svc, int (*launch)(struct ioc_svm_worker *w))
{
	for (unsigned i = 0; i < svc->n_workers; i++) {
		struct ioc_svm_worker *w = svc->workers[i];

		if (!__atomic_load_n(&w->launch_req, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&w->fault, IOC_FAULT_NONE, __ATOMIC_RELEASE);
		__atomic_store_n(&w->quit, false, __ATOMIC_RELEASE);
		if (launch(w) != 0) {
			IOC_LOG(ERR, watchdog, "cannot launch %s on lcore %u", w->name,
				w->lcore_id);
			continue; /* asked again at the next service */
		}
		__atomic_store_n(&w->launch_req, false, __ATOMIC_RELEASE);
	}
}
