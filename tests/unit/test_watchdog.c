/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The watchdog with an injectable clock: detection after the timeout and not
 * before, no flap under a shorter pause, recovery after a steady heartbeat,
 * standby takeover and give-back, the instance's failure path for each
 * policy, reclaim of packets queued to a dead worker, and fencing of a worker
 * that wakes up holding packets.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "fixture.h"
#include "meta.h"
#include "svc.h"
#include "tests.h"
#include "events.h"
#include "watchdog.h"

/* VM1: failClosed profile (scope redirected), VM2: failOpen; two workers and a standby. */
#define WD_INI                                                                                     \
	FIXTURE_TWO_VNICS("name = host-wd\nheartbeat_timeout_ms = 10\n")                           \
	"[group g1]\nmembers = vnic:VM1.eth0\n"                                                    \
	"[group g2]\nmembers = vnic:VM2.eth0\n"                                                    \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2,3\nstandby_lcores = 4\n"              \
	"slow_path_id = 1\n"                                                                       \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"fail_closed_scope = redirected\n"                                                         \
	"[service_profile open]\ninstance = fgt-1\nfail_open = true\n"                             \
	"[redirect_rule r1]\ngroup = g1\nservice = udp\naction = redirect\nprofile = closed\n"     \
	"[redirect_rule r2]\ngroup = g2\nservice = udp\naction = redirect\nprofile = open\n"       \
	"[svm_rule all]\ninstance = fgt-1\npriority = 1\naction = allow\n"

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *up;
static struct ioc_svc *svc;
static struct ioc_svc_instance *inst;
static struct ioc_svm_worker *w0, *w1, *sb;
static uint64_t base, ms_tsc;

/* Scripted threads: whether each worker's thread runs (EAL: its lcore is not WAIT). */
static bool thread_runs[IOC_SVC_MAX_WORKERS * 2];

static unsigned
worker_idx(const struct ioc_svm_worker *w)
{
	for (unsigned i = 0; i < svc->n_workers; i++) {
		if (svc->workers[i] == w)
			return i;
	}
	CU_FAIL_FATAL("no such worker");
	return 0;
}

static bool
script_running(const struct ioc_svm_worker *w)
{
	return thread_runs[worker_idx(w)];
}

static const struct ioc_watchdog_probes script = { .running = script_running };

/*
 * Scripted CPU time (suite "watchdog cpu time"): each thread gets cpu_share
 * of the wall clock between ticks (1: it spins, 0: it is preempted).
 */
static double clock_ms, cpu_ms[IOC_SVC_MAX_WORKERS * 2], cpu_share[IOC_SVC_MAX_WORKERS * 2];

static bool
script_cpu_ns(const struct ioc_svm_worker *w, uint64_t *ns)
{
	*ns = (uint64_t)(cpu_ms[worker_idx(w)] * 1e6);
	return true;
}

static const struct ioc_watchdog_probes script_cpu = { .running = script_running,
						       .cpu_ns = script_cpu_ns };

static int
setup(void)
{
	if (fixture_two_vnics_start(&f, WD_INI, &vm1, &vm2, &up) != 0)
		return -1;
	svc = f.dp->svc;
	inst = &svc->instances[0];
	w0 = inst->workers[0];
	w1 = inst->workers[1];
	sb = inst->standby[0];
	ms_tsc = rte_get_tsc_hz() / 1000;
	base = rte_get_tsc_cycles() + 1000 * ms_tsc;
	/* The app launched the active workers; standbys wait for the watchdog. */
	for (unsigned i = 0; i < svc->n_workers; i++) {
		thread_runs[i] = !svc->workers[i]->standby;
		cpu_ms[i] = 0;
		cpu_share[i] = 1;
	}
	clock_ms = 0;
	ioc_watchdog_set_probes(&script);
	return 0;
}

/* The same, with the threads' CPU time known. */
static int
setup_cpu(void)
{
	int rc = setup();

	ioc_watchdog_set_probes(&script_cpu);
	return rc;
}

static int
teardown(void)
{
	ioc_watchdog_set_probes(NULL);
	return fixture_dp_stop(&f);
}

/* The clock, in ms since the suite's base. */
static unsigned
tick(double ms)
{
	for (unsigned i = 0; i < svc->n_workers; i++)
		cpu_ms[i] += (ms - clock_ms) * cpu_share[i];
	clock_ms = ms;
	return ioc_watchdog_tick(svc, base + (uint64_t)(ms * (double)ms_tsc));
}

/* Heartbeats of the workers given (the others stay silent), then a tick at `ms`. */
static unsigned
beat_and_tick(double ms, bool b0, bool b1, bool bs)
{
	if (b0)
		ioc_svm_worker_poll(w0);
	if (b1)
		ioc_svm_worker_poll(w1);
	if (bs)
		ioc_svm_worker_poll(sb);
	return tick(ms);
}

/* A fake launcher: records who the main lcore would start; like EAL, not on a running lcore. */
static unsigned launched;
static int
fake_launch(struct ioc_svm_worker *w)
{
	if (thread_runs[worker_idx(w)])
		return -EBUSY;
	/* Its thread wakes at once: EAL shows it running, it clears `starting`. */
	thread_runs[worker_idx(w)] = true;
	w->starting = false;
	launched++;
	return 0;
}

static void
test_initial_state(void)
{
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_IDLE);
	CU_ASSERT_PTR_EQUAL(inst->share[0], w0);
	CU_ASSERT_PTR_EQUAL(inst->share[1], w1);
	CU_ASSERT_FALSE(inst->down);
	/* A fortieth of the 10 ms timeout. */
	CU_ASSERT_EQUAL(ioc_watchdog_period(svc), inst->timeout_tsc / 40);
	/* Everyone beats at t=0, 1, ... 9: nothing changes. */
	for (int t = 0; t < 10; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, true, true, false), 0);
}

static void
test_no_flap_under_short_pause(void)
{
	/* w0 silent from t=9 to t=18 (9 ms < 10 ms), then beats again. */
	for (int t = 10; t <= 18; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, false, true, false), 0);
	CU_ASSERT_EQUAL(beat_and_tick(18.5, true, true, false), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
}

static void
test_detect_and_standby_takeover(void)
{
	uint32_t gen = w0->fence_gen;

	/* w0 last beat at 18.5: still up at 28.4, down at 28.6. */
	CU_ASSERT_EQUAL(beat_and_tick(28.4, false, true, false), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(beat_and_tick(28.6, false, true, false), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->fence_gen, gen + 1);
	/* The standby serves w0's share at once; the instance stays up. */
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(sb->standby_for, 0);
	CU_ASSERT_PTR_EQUAL(inst->share[0], sb);
	CU_ASSERT_PTR_EQUAL(inst->share[1], w1);
	CU_ASSERT_FALSE(inst->down);
	/* The main lcore is asked to start it, once. */
	launched = 0;
	ioc_watchdog_service(svc, fake_launch);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 1);
}

static void
test_recover_and_give_back(void)
{
	/* w0 beats again at 40: recovering, and up only after 10 ms of steady beats. */
	CU_ASSERT_EQUAL(beat_and_tick(40, true, true, true), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_RECOVERING);
	CU_ASSERT_PTR_EQUAL(inst->share[0], sb);
	for (int t = 41; t < 50; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, true, true, true), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_RECOVERING);
	CU_ASSERT_EQUAL(beat_and_tick(50.5, true, true, true), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_PTR_EQUAL(inst->share[0], w0);
	/* The standby goes back to the bench: idle and told to stop. */
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_IDLE);
	CU_ASSERT(sb->quit);
	CU_ASSERT_EQUAL(sb->standby_for, -1);
}

static void
test_recovering_relapse(void)
{
	/* w1 stalls (down), beats briefly, stalls again: back to down, not up. */
	for (int t = 51; t <= 61; t++)
		beat_and_tick(t, true, false, false);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(beat_and_tick(62, true, true, true), 1);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_RECOVERING);
	for (int t = 63; t <= 73; t++)
		beat_and_tick(t, true, false, true);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	/* Then it recovers for good. */
	for (int t = 74; t <= 85; t++)
		beat_and_tick(t, true, true, true);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_UP);
	CU_ASSERT_PTR_EQUAL(inst->share[1], w1);
}

static unsigned
send_udp(struct ring_port *p, const char *mac, uint32_t ip, unsigned n)
{
	struct rte_mbuf *pkts[32];

	for (unsigned i = 0; i < n; i++) {
		pkts[i] =
			pkt_udp(mac, MAC_LAPTOP, ip, IP4(10, 0, 0, 100), (uint16_t)(1000 + i), 53);
		CU_ASSERT_FATAL(pkts[i] != NULL);
	}
	fixture_inject(&f, p, pkts, n);
	return n;
}

/* Every worker, standby included, dead: the instance is down. */
static void
kill_all(double t)
{
	for (double x = t; x <= t + 11; x += 1)
		tick(x);
}

static void
test_reclaim_per_policy(void)
{
	uint64_t closed_drop = fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop");
	uint64_t open_bypass = fixture_slot_counter(&f, "VM2.eth0", "svc_svm_down_bypass");

	/* Queued while the workers are alive but not yet serving them. */
	send_udp(vm1, MAC_VM1, IP4(10, 0, 0, 11), 20);
	send_udp(vm2, MAC_VM2, IP4(10, 0, 0, 12), 20);
	CU_ASSERT_EQUAL(ioc_svm_worker_ring_count(w0) + ioc_svm_worker_ring_count(w1), 40);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);

	/* Then all die (the standby never started its heartbeat: it dies too). */
	kill_all(90);
	CU_ASSERT(inst->down);
	CU_ASSERT_PTR_NULL(inst->share[0]);
	CU_ASSERT_PTR_NULL(inst->share[1]);

	/* The forwarding lcore takes them back: failOpen loses none, failClosed lets none by. */
	ioc_fwd_poll(f.lc);
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 20);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop"),
			closed_drop + 20);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM2.eth0", "svc_svm_down_bypass"),
			open_bypass + 20);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_reclaimed"), 20);
	CU_ASSERT_EQUAL(ioc_svm_worker_ring_count(w0) + ioc_svm_worker_ring_count(w1), 0);
}

static void
test_failure_path_per_policy(void)
{
	/* New traffic while down: VM1 (failClosed, scope redirected) keeps its TCP. */
	send_udp(vm1, MAC_VM1, IP4(10, 0, 0, 11), 5);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	struct rte_mbuf *m =
		pkt_tcp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 1, 2);
	fixture_inject(&f, vm1, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	/* VM2 (failOpen): passes uninspected. */
	send_udp(vm2, MAC_VM2, IP4(10, 0, 0, 12), 5);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 5);
	/* summarize-dvfilter: Detached while down. */
	struct ioc_slot_desc d = { 0 };
	const struct ioc_chain *c = &f.dp->vnics[0].chain;
	c->slot[c->n_slots - 1].ops->describe(c->slot[c->n_slots - 1].priv, &f.topo, 0, &d);
	CU_ASSERT_STRING_EQUAL(d.vm_state, "Detached");
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failClosed");
	/* Publishing fail_open on the closed profile flips it at the next burst. */
	CU_ASSERT_EQUAL(ioc_svc_profile_set(svc, "closed", true), 0);
	send_udp(vm1, MAC_VM1, IP4(10, 0, 0, 11), 5);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 5);
	c->slot[c->n_slots - 1].ops->describe(c->slot[c->n_slots - 1].priv, &f.topo, 0, &d);
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failOpen");
	CU_ASSERT_EQUAL(ioc_svc_profile_set(svc, "closed", false), 0);
	CU_ASSERT_EQUAL(ioc_svc_profile_set(svc, "nosuch", false), -ENOENT);
}

/*
 * Packets from `from` queued to w (and the other worker), which inspects
 * them but cannot return them: its return ring is full of fillers (a slow
 * forwarding lcore). Returns how many w holds.
 */
static unsigned
holds(struct ioc_svm_worker *w, struct ring_port *from, const char *mac, uint32_t ip,
      struct rte_mbuf **filler)
{
	send_udp(from, mac, ip, 32);
	unsigned queued = rte_ring_count(w->to[1]);
	CU_ASSERT_FATAL(queued > 0);
	for (unsigned i = 0; i < 1023; i++)
		filler[i] = pkt_raw("x", 1);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue_bulk(w->back[1], (void **)filler, 1023, NULL), 1023);
	ioc_svm_worker_poll(w);
	CU_ASSERT_EQUAL(w->n_pending[1], queued);
	return queued;
}

/* Under failClosed a fenced worker returns nothing of what it held. */
static void
test_fenced_worker_returns_nothing(void)
{
	/* Bring w0 back: beats, then steady. */
	for (int t = 110; t <= 122; t++)
		beat_and_tick(t, true, false, false);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_FALSE(inst->down);

	/* Packets queued to w0 (and w1: the hash spreads them), held by w0. */
	struct rte_mbuf *filler[1023];
	uint16_t pending = (uint16_t)holds(w0, vm1, MAC_VM1, IP4(10, 0, 0, 11), filler);
	uint64_t fenced = w0->cnt[IOC_SVM_FENCED_DROP];
	uint64_t port_fenced = fixture_port_counter(&f, "VM1.eth0", IOC_PC_DROP_FENCED);
	/* It hangs, is declared down and fenced; then it wakes up. */
	kill_all(130);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	ioc_svm_worker_poll(w0);
	CU_ASSERT_EQUAL(w0->cnt[IOC_SVM_FENCED_DROP], fenced + pending);
	/* The port it came in on counts them: its ledger still adds up. */
	CU_ASSERT_EQUAL(fixture_port_counter(&f, "VM1.eth0", IOC_PC_DROP_FENCED),
			port_fenced + pending);
	CU_ASSERT_EQUAL(w0->n_pending[1], 0);
	CU_ASSERT_EQUAL(w0->run_gen, w0->fence_gen);
	/* Nothing of its old generation reached the return ring. */
	CU_ASSERT_EQUAL(rte_ring_count(w0->back[1]), 1023);
	CU_ASSERT_EQUAL(rte_ring_dequeue_bulk(w0->back[1], (void **)filler, 1023, NULL), 1023);
	rte_pktmbuf_free_bulk(filler, 1023);
	for (int i = 0; i < 64; i++) {
		ioc_svm_worker_poll(w1);
		ioc_fwd_poll(f.lc);
	}
	fixture_drain_free(up);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* Under failOpen the packets a fenced worker held were inspected: it returns them. */
static void
test_fenced_worker_returns_fail_open(void)
{
	for (int t = 150; t <= 162; t++)
		beat_and_tick(t, true, true, false);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_UP);

	struct rte_mbuf *filler[1023];
	unsigned queued = holds(w0, vm2, MAC_VM2, IP4(10, 0, 0, 12), filler);

	uint64_t fenced = w0->cnt[IOC_SVM_FENCED_DROP];
	kill_all(170);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	ioc_svm_worker_poll(w0); /* wakes up fenced: keeps them, the ring is still full */
	CU_ASSERT_EQUAL(w0->cnt[IOC_SVM_FENCED_DROP], fenced);
	CU_ASSERT_EQUAL(w0->n_pending[1], queued);
	CU_ASSERT_EQUAL(rte_ring_dequeue_bulk(w0->back[1], (void **)filler, 1023, NULL), 1023);
	rte_pktmbuf_free_bulk(filler, 1023);
	fixture_drain_free(up);
	uint64_t allow = fixture_slot_counter(&f, "VM2.eth0", "svc_svm_allow");
	ioc_svm_worker_poll(w0); /* now they go back */
	ioc_fwd_poll(f.lc);
	/* w0's come back inspected, w1's queued share is reclaimed and bypasses: all 32 out. */
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM2.eth0", "svc_svm_allow"), allow + queued);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 32);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

static void
find_event(const char *line, void *arg)
{
	const char **want = arg;

	if (*want != NULL && strstr(line, *want) != NULL)
		*want = NULL;
}

/* Each transition is an event, timestamped. */
static void
test_events_recorded(void)
{
	const char *wants[] = {
		"svm fgt-1.0: up -> down (heartbeat stalled for",
		"svm fgt-1.s0: takes over the share of fgt-1.0",
		"svm fgt-1.0: recovering -> up (heartbeat steady for",
		"instance fgt-1: down: its vNICs take their failure path",
	};

	for (unsigned i = 0; i < RTE_DIM(wants); i++) {
		const char *want = wants[i];

		ioc_events_foreach(find_event, &want);
		CU_ASSERT_PTR_NULL(want);
	}
}

/* ---- launches: a fresh datapath (suite set-up), the clock at 0 ---------- */

/*
 * The workers were built long before they ran (ports start in between): the
 * watchdog times their heartbeat from the launch, not from their creation.
 */
static void
test_clock_starts_at_launch(void)
{
	CU_ASSERT_EQUAL_FATAL(base - w0->last_move > 100 * ms_tsc, true);
	ioc_watchdog_launched(w0);
	ioc_watchdog_launched(w1);
	/* Neither has beaten yet: the first ticks find them still, and up. */
	CU_ASSERT_EQUAL(tick(0), 0);
	CU_ASSERT_EQUAL(tick(9.9), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_UP);
	CU_ASSERT_FALSE(inst->down);
	/* w1 never beats: down a timeout after the launch, not before. */
	CU_ASSERT_EQUAL(beat_and_tick(10.1, true, false, false), 1);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
}

/*
 * A launch request for a thread that still runs (a resume that crossed a
 * relaunch) is dropped: it neither cancels the running drill nor keeps the
 * worker from being declared down.
 */
static void
test_stale_launch_request(void)
{
	/* The standby serves w1's share; w1 is launched again; everyone beats. */
	thread_runs[worker_idx(w1)] = false;
	__atomic_store_n(&w1->launch_req, true, __ATOMIC_RELEASE);
	launched = 0;
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 2);
	for (int t = 11; t <= 23; t++)
		beat_and_tick(t, true, true, true);
	CU_ASSERT_EQUAL_FATAL(w1->state, IOC_SVM_UP);
	/* The standby went back to the bench; its thread saw `quit` and left. */
	CU_ASSERT_EQUAL_FATAL(sb->state, IOC_SVM_IDLE);
	thread_runs[worker_idx(sb)] = false;
	launched = 0;

	/* A drill runs on w0, and a stale request arrives. */
	__atomic_store_n(&w0->fault, IOC_FAULT_STALL, __ATOMIC_RELEASE);
	__atomic_store_n(&w0->launch_req, true, __ATOMIC_RELEASE);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 0);
	CU_ASSERT_FALSE(w0->launch_req);
	CU_ASSERT_EQUAL(w0->fault, IOC_FAULT_STALL);
	/* The drill does what it says: w0 stops beating and is declared down. */
	for (int t = 24; t <= 32; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, false, true, false), 0);
	CU_ASSERT_EQUAL(beat_and_tick(33.5, false, true, false), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	__atomic_store_n(&w0->fault, IOC_FAULT_NONE, __ATOMIC_RELEASE);
}

/*
 * The bench's race: in one tick w0 is up again (its standby goes back to the
 * bench, told to quit) and w1 goes down (the same standby is picked again).
 * The standby's thread has not seen `quit` yet: it is launched again once it
 * has stopped, and stays under watch.
 */
static void
test_standby_picked_while_quitting(void)
{
	/* w0 down since 33.5: the standby took its share; it is launched. */
	launched = 0;
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL_FATAL(launched, 1);
	CU_ASSERT_EQUAL_FATAL(sb->standby_for, 0);
	/* w0 beats from 40 (recovering), w1 last at 40, the standby serves. */
	for (int t = 35; t < 40; t++)
		beat_and_tick(t, false, true, true);
	for (int t = 40; t < 50; t++)
		beat_and_tick(t, true, t == 40, true);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_RECOVERING);
	/* At 50: w0 up (the standby to the bench), w1 down (the standby again). */
	beat_and_tick(50, true, false, false);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL_FATAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(sb->standby_for, 1);
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_UP);
	CU_ASSERT(sb->launch_req);
	CU_ASSERT(sb->quit);

	/* Its thread still runs: not launched, and still told to stop. */
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 1);
	CU_ASSERT(sb->launch_req);
	/* The thread sees `quit` and leaves; the next service launches it again. */
	if (__atomic_load_n(&sb->quit, __ATOMIC_ACQUIRE))
		thread_runs[worker_idx(sb)] = false;
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 2);
	CU_ASSERT_FALSE(sb->launch_req);
	CU_ASSERT_FALSE(sb->quit);
	/* It serves w1's share, and if it hangs it is declared down. */
	CU_ASSERT_EQUAL(beat_and_tick(51, true, false, true), 0);
	CU_ASSERT_PTR_EQUAL(inst->share[1], sb);
	for (int t = 52; t <= 61; t++)
		beat_and_tick(t, true, false, false);
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_DOWN);
}

static int
fail_launch(struct ioc_svm_worker *w)
{
	RTE_SET_USED(w);
	return -EIO;
}

/* A launch that keeps failing excuses a still heartbeat for one timeout only. */
static void
test_launch_request_deadline(void)
{
	/* w0 serves, the standby is down; w1 is to be launched again but cannot be. */
	thread_runs[worker_idx(w1)] = false;
	__atomic_store_n(&w1->launch_req, true, __ATOMIC_RELEASE);
	w1->state = IOC_SVM_UP;
	w1->still_from = base + 62 * ms_tsc;
	unsigned t;
	for (t = 62; t <= 100 && w1->state == IOC_SVM_UP; t++) {
		ioc_watchdog_service(svc, fail_launch);
		beat_and_tick(t, true, false, false);
	}
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT(t <= 62 + 2 * 10 + 1);
	CU_ASSERT(w1->launch_req); /* still asked for */
	__atomic_store_n(&w1->launch_req, false, __ATOMIC_RELEASE);
}

/* How many lines of log hold `what`. */
static unsigned
count_lines(const char *log, const char *what)
{
	unsigned n = 0;

	for (const char *p = log; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* A launch that keeps failing is said once a second, with the count, not at every service. */
static void
test_launch_failure_rate_limited(void)
{
	char *log = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&log, &len);

	bool ran = thread_runs[worker_idx(w1)];

	CU_ASSERT_FATAL(f != NULL);
	thread_runs[worker_idx(w1)] = false;
	__atomic_store_n(&w1->launch_req, true, __ATOMIC_RELEASE);
	memset(&w1->launch_rl, 0, sizeof(w1->launch_rl));
	rte_openlog_stream(f);
	for (unsigned i = 0; i < 500; i++)
		ioc_watchdog_service(svc, fail_launch);
	w1->launch_rl.next = 0; /* a second later */
	ioc_watchdog_service(svc, fail_launch);
	rte_openlog_stream(NULL);
	fclose(f);
	CU_ASSERT_EQUAL(count_lines(log, "cannot launch"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "(and 499 times since the last message)"));
	free(log);
	__atomic_store_n(&w1->launch_req, false, __ATOMIC_RELEASE);
	thread_runs[worker_idx(w1)] = ran;
}

/* ---- fencing: a fresh datapath ------------------------------------------ */

/*
 * A hung worker declared down wakes up before the forwarding lcore has taken
 * back what waits in its ring: it beats, but takes nothing, while down and
 * while recovering (its instance's policy applies to those packets, not its
 * verdict). A relapse while recovering fences it again.
 */
static void
test_woken_worker_takes_nothing(void)
{
	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	send_udp(vm1, MAC_VM1, IP4(10, 0, 0, 11), 32);
	unsigned queued = rte_ring_count(w0->to[1]);
	CU_ASSERT_FATAL(queued > 0);
	/* w1 serves its part; w0 hangs. */
	for (int t = 6; t <= 14; t++)
		beat_and_tick(t, false, true, false);
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 32 - queued);
	uint64_t in = w0->cnt[IOC_SVM_IN];
	uint64_t allow = fixture_slot_counter(&f, "VM1.eth0", "svc_svm_allow");
	CU_ASSERT_EQUAL(beat_and_tick(15, false, true, false), 1);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_DOWN);
	uint32_t gen = w0->fence_gen;

	/* It wakes up: a heartbeat, nothing taken, nothing returned. */
	ioc_svm_worker_poll(w0);
	CU_ASSERT_EQUAL(w0->cnt[IOC_SVM_IN], in);
	CU_ASSERT_EQUAL(rte_ring_count(w0->to[1]), queued);
	CU_ASSERT_EQUAL(rte_ring_count(w0->back[1]), 0);
	CU_ASSERT_EQUAL(beat_and_tick(16, true, true, true), 1);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_RECOVERING);
	ioc_svm_worker_poll(w0);
	CU_ASSERT_EQUAL(w0->cnt[IOC_SVM_IN], in);
	/* The forwarding lcore takes them back for the standby, which inspects them. */
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(rte_ring_count(w0->to[1]), 0);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_allow"), allow);
	ioc_svm_worker_poll(sb);
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_allow"), allow + queued);
	CU_ASSERT_EQUAL(fixture_drain_free(up), queued);

	/* Up again; then down (fenced), one beat (recovering), still again: fenced again. */
	for (int t = 17; t <= 30; t++)
		beat_and_tick(t, true, true, true);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_UP);
	for (int t = 31; t <= 40; t++)
		beat_and_tick(t, false, true, false);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->fence_gen, gen + 1);
	beat_and_tick(41, true, true, false);
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_RECOVERING);
	for (int t = 42; t <= 51; t++)
		beat_and_tick(t, false, true, false);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->fence_gen, gen + 2);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* ---- events: a fresh datapath ------------------------------------------ */

/* What the datapath could see when each event was kept. */
static unsigned obs_down, obs_down_published, obs_inst, obs_inst_published;

static void
observe(const char *text)
{
	if (strcmp(text, "svm fgt-1.0: up -> down (heartbeat stalled for 10.0 ms)") == 0) {
		obs_down++;
		obs_down_published += inst->share[0] == sb && w0->state == IOC_SVM_DOWN;
	} else if (strncmp(text, "instance fgt-1: down", 20) == 0) {
		obs_inst++;
		obs_inst_published += __atomic_load_n(&inst->down, __ATOMIC_ACQUIRE) &&
				      inst->share[0] == NULL && inst->share[1] == NULL;
	}
}

/*
 * The watchdog publishes a failover (the worker's state, the shares, the
 * instance's down flag) before it takes the events' lock or logs: the
 * forwarding lcores must not hand a dead worker's packets back to it
 * meanwhile.
 */
static void
test_published_before_events(void)
{
	ioc_events_set_observer(observe);
	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	for (int t = 6; t <= 15; t++)
		beat_and_tick(t, false, true, false);
	CU_ASSERT_EQUAL(obs_down, 1);
	CU_ASSERT_EQUAL(obs_down_published, 1);
	/* Everyone stops: the instance is down. */
	kill_all(16);
	ioc_events_set_observer(NULL);
	CU_ASSERT_EQUAL(obs_inst, 1);
	CU_ASSERT_EQUAL(obs_inst_published, 1);
}

/* ---- CPU time: a fresh datapath, the threads' CPU time scripted ---------- */

/* The watchdog's last verdict on w, as svm list and the events show it. */
static void
assert_reason(const struct ioc_svm_worker *w, const char *want)
{
	char why[IOC_EVENT_LEN];

	ioc_watchdog_reason(w->why, w->why_ran_tsc, w->why_still_tsc, why, sizeof(why));
	CU_ASSERT_STRING_EQUAL(why, want);
}

/* A thread that spins without a heartbeat is hung: down after the timeout, as before. */
static void
test_hung_is_down(void)
{
	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	for (int t = 6; t <= 14; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, false, true, false), 0);
	CU_ASSERT_EQUAL(beat_and_tick(15, false, true, false), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->why, IOC_WD_STALLED);
	assert_reason(w0, "stalled: ran 9.0 ms of 10.0 ms without a heartbeat");
	CU_ASSERT_EQUAL(w0->near_misses, 0);
	/* The standby serves w0's share. */
	launched = 0;
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(launched, 1);
}

/*
 * A thread that did not run (preempted) is not hung: excused past the
 * timeout, counted; once it runs again and beats, nothing happened.
 */
static void
test_preempted_is_excused(void)
{
	/* w1 beats last at 20, then gets 1% of its CPU for 25 ms. */
	beat_and_tick(20, false, true, true);
	cpu_share[worker_idx(w1)] = 0.01;
	for (int t = 21; t <= 44; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, false, false, true), 0);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(w1->near_misses, 1);
	CU_ASSERT_EQUAL(w1->why, IOC_WD_PREEMPTED);
	assert_reason(w1, "preempted: ran 0.2 ms in 24.0 ms, not hung");
	/* It runs again: one near miss, 15 ms past the timeout excused. */
	cpu_share[worker_idx(w1)] = 1;
	CU_ASSERT_EQUAL(beat_and_tick(45, false, true, true), 0);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(w1->near_misses, 1);
	CU_ASSERT_EQUAL(w1->preempted_tsc, 15 * ms_tsc);
	CU_ASSERT_PTR_EQUAL(inst->share[1], w1);
}

/* Preempted, then spinning without a heartbeat: hung once it ran a tenth of the timeout. */
static void
test_preempted_then_hung(void)
{
	cpu_share[worker_idx(w1)] = 0;
	for (int t = 46; t <= 60; t++)
		beat_and_tick(t, false, false, true);
	CU_ASSERT_EQUAL_FATAL(w1->state, IOC_SVM_UP);
	cpu_share[worker_idx(w1)] = 0.5;
	CU_ASSERT_EQUAL(beat_and_tick(61, false, false, true), 0); /* ran 0.5 ms */
	CU_ASSERT_EQUAL(beat_and_tick(62, false, false, true), 1); /* ran 1 ms */
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w1->why, IOC_WD_STALLED);
	CU_ASSERT_EQUAL(w1->near_misses, 2);
	CU_ASSERT_EQUAL(w1->preempted_tsc, (15 + 7) * ms_tsc);
	cpu_share[worker_idx(w1)] = 1;
}

/* Starved for good: down at max_preempt_ms (5 x the timeout) whatever the reason. */
static void
test_starved_for_good(void)
{
	/* Both back up (hysteresis unchanged: a timeout of steady beats). */
	CU_ASSERT_EQUAL(beat_and_tick(70, true, true, true), 2);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_RECOVERING);
	for (int t = 71; t < 80; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, true, true, true), 0);
	CU_ASSERT_EQUAL(beat_and_tick(80, true, true, true), 2);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(sb->state, IOC_SVM_IDLE);
	thread_runs[worker_idx(sb)] = false;

	/* w0 beats last at 80, then runs 0.5% of the time. */
	cpu_share[worker_idx(w0)] = 0.005;
	for (int t = 81; t < 130; t++)
		CU_ASSERT_EQUAL(beat_and_tick(t, false, true, false), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(beat_and_tick(130, false, true, false), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w0->why, IOC_WD_STARVED);
	assert_reason(w0, "starved: ran 0.2 ms in 50.0 ms");
	CU_ASSERT_EQUAL(w0->near_misses, 1);
	CU_ASSERT_EQUAL(w0->preempted_tsc, 40 * ms_tsc);
	cpu_share[worker_idx(w0)] = 1;
	/* Its standby took the share. */
	CU_ASSERT_PTR_EQUAL(inst->share[0], sb);
	ioc_watchdog_service(svc, fake_launch);
}

/* A thread that stopped is down at the next tick: no timeout to wait, no excuse. */
static void
test_crashed_is_down_at_once(void)
{
	beat_and_tick(131, false, true, true);
	thread_runs[worker_idx(w1)] = false;
	CU_ASSERT_EQUAL(beat_and_tick(131.25, false, false, true), 1);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w1->why, IOC_WD_CRASHED);
	assert_reason(w1, "crashed: its thread stopped");
	/* Its last beat, less than a timeout ago, is no sign of recovery. */
	CU_ASSERT_EQUAL(beat_and_tick(131.5, false, false, true), 0);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
}

/* ---- stopped threads: a fresh datapath ---------------------------------- */

/* Empties w's return ring of the fillers holds() put there. */
static void
free_fillers(struct ioc_svm_worker *w, struct rte_mbuf **filler)
{
	CU_ASSERT_EQUAL(rte_ring_dequeue_bulk(w->back[1], (void **)filler, 1023, NULL), 1023);
	rte_pktmbuf_free_bulk(filler, 1023);
}

/*
 * What a worker held when its thread stopped (a crash without auto_recover,
 * a standby sent back to the bench) goes back to the forwarding lcores at
 * once, settled by policy: failOpen passes it (it was inspected), failClosed
 * frees it (drop_fenced). Before, it waited for the next launch, or the stop.
 */
static void
test_stopped_worker_hands_back(void)
{
	struct rte_mbuf *filler[1023];

	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	/* w0 holds failOpen packets (its return ring full), and its thread stops. */
	unsigned open = holds(w0, vm2, MAC_VM2, IP4(10, 0, 0, 12), filler);
	thread_runs[worker_idx(w0)] = false;
	CU_ASSERT_EQUAL(tick(5.25), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	/* The main lcore hands them back as soon as the ring has room. */
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(w0->n_pending[1], open);
	free_fillers(w0, filler);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(w0->n_pending[1], 0);
	CU_ASSERT_EQUAL(rte_ring_count(w0->back[1]), open);
	uint64_t allow = fixture_slot_counter(&f, "VM2.eth0", "svc_svm_allow");
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM2.eth0", "svc_svm_allow"), allow + open);
	ioc_svm_worker_poll(w1);
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 32);

	/* w1 holds failClosed packets, and its thread stops: they are freed, counted. */
	unsigned closed = holds(w1, vm1, MAC_VM1, IP4(10, 0, 0, 11), filler);
	uint64_t fenced = fixture_port_counter(&f, "VM1.eth0", IOC_PC_DROP_FENCED);
	thread_runs[worker_idx(w1)] = false;
	CU_ASSERT_EQUAL(beat_and_tick(5.5, false, false, true), 1);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(w1->n_pending[1], 0);
	CU_ASSERT_EQUAL(fixture_port_counter(&f, "VM1.eth0", IOC_PC_DROP_FENCED), fenced + closed);
	free_fillers(w1, filler);
	for (int i = 0; i < 4; i++) {
		ioc_svm_worker_poll(sb);
		ioc_fwd_poll(f.lc);
	}
	CU_ASSERT_EQUAL(fixture_drain_free(up), 32 - closed);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/*
 * A thread launched but not yet woken: EAL shows its lcore WAIT until it
 * runs. It is not crashed, and what it holds is not adopted by the main
 * lcore while the thread starts using it (the soak once saw the fenced_drop
 * counter lose an increment to that race). Once the thread has run and
 * stopped again, it is both.
 */
static void
test_starting_thread_is_running(void)
{
	struct rte_mbuf *filler[1023];

	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	unsigned held = holds(w0, vm2, MAC_VM2, IP4(10, 0, 0, 12), filler);
	free_fillers(w0, filler);
	/* Launched again (a relaunch after a crash); its thread has not woken yet. */
	thread_runs[worker_idx(w0)] = false;
	ioc_watchdog_launching(w0);
	CU_ASSERT_EQUAL(tick(5.25), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(w0->n_pending[1], held);
	CU_ASSERT_EQUAL(rte_ring_count(w0->back[1]), 0);
	/* It runs (EAL: RUNNING) and clears `starting`; then it stops: crashed, adopted. */
	thread_runs[worker_idx(w0)] = true;
	w0->starting = false;
	thread_runs[worker_idx(w0)] = false;
	CU_ASSERT_EQUAL(tick(5.5), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	ioc_watchdog_service(svc, fake_launch);
	CU_ASSERT_EQUAL(w0->n_pending[1], 0);
	CU_ASSERT_EQUAL(rte_ring_count(w0->back[1]), held);
	ioc_fwd_poll(f.lc);
	for (int i = 0; i < 4; i++) {
		ioc_svm_worker_poll(w1);
		ioc_fwd_poll(f.lc);
	}
	fixture_drain_free(up);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/*
 * A launch that failed: no thread will ever clear `starting`; the launcher's
 * word takes it back, and a worker with no thread is crashed at the next tick.
 */
static void
test_failed_launch_is_not_running(void)
{
	for (int t = 0; t <= 5; t++)
		beat_and_tick(t, true, true, false);
	thread_runs[worker_idx(w0)] = false;
	ioc_watchdog_launching(w0);
	CU_ASSERT_EQUAL(tick(5.25), 0);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_UP);
	ioc_watchdog_not_launched(w0);
	CU_ASSERT_EQUAL(tick(5.5), 1);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
}

/* ---- a long call on the ticking thread: a fresh datapath, the real clock --- */

static int
long_call(void *arg)
{
	RTE_SET_USED(arg);
	rte_delay_us_sleep(100 * 1000); /* a reload compiling rules: no tick from here */
	return 7;
}

/* While the thread that ticks is busy (a SIGHUP reload), another ticks: a stall is caught. */
static void
test_ticks_during_long_call(void)
{
	ioc_svm_worker_poll(w0);
	ioc_svm_worker_poll(w1);
	ioc_watchdog_tick(svc, rte_get_tsc_cycles());
	CU_ASSERT_EQUAL_FATAL(w0->state, IOC_SVM_UP);
	/* Neither worker beats during the 100 ms call: both are declared down meanwhile. */
	CU_ASSERT_EQUAL(ioc_watchdog_during(svc, 0, long_call, NULL), 7);
	CU_ASSERT_EQUAL(w0->state, IOC_SVM_DOWN);
	CU_ASSERT_EQUAL(w1->state, IOC_SVM_DOWN);
}

static void
test_watchdog_register(void)
{
	CU_pSuite s = CU_add_suite("watchdog", setup, teardown);

	CU_add_test(s, "initial state, steady heartbeats", test_initial_state);
	CU_add_test(s, "no flap under a pause shorter than the timeout",
		    test_no_flap_under_short_pause);
	CU_add_test(s, "detection after the timeout, standby takeover",
		    test_detect_and_standby_takeover);
	CU_add_test(s, "recovery after a steady heartbeat, give-back", test_recover_and_give_back);
	CU_add_test(s, "a relapse while recovering", test_recovering_relapse);
	CU_add_test(s, "reclaim of queued packets per policy", test_reclaim_per_policy);
	CU_add_test(s, "failure path per policy, live publish", test_failure_path_per_policy);
	CU_add_test(s, "a fenced worker returns nothing", test_fenced_worker_returns_nothing);
	CU_add_test(s, "failOpen: a fenced worker returns what it held",
		    test_fenced_worker_returns_fail_open);
	CU_add_test(s, "every transition is an event", test_events_recorded);

	s = CU_add_suite("watchdog launches", setup, teardown);
	CU_add_test(s, "the clock starts at the launch", test_clock_starts_at_launch);
	CU_add_test(s, "a stale launch request is dropped", test_stale_launch_request);
	CU_add_test(s, "a standby picked while quitting is launched again",
		    test_standby_picked_while_quitting);
	CU_add_test(s, "a launch request that fails has a deadline", test_launch_request_deadline);
	CU_add_test(s, "a launch that keeps failing is said once a second",
		    test_launch_failure_rate_limited);

	s = CU_add_suite("watchdog fencing", setup, teardown);
	CU_add_test(s, "a woken worker takes nothing until it is up",
		    test_woken_worker_takes_nothing);

	s = CU_add_suite("watchdog events", setup, teardown);
	CU_add_test(s, "a failover is published before its events", test_published_before_events);

	s = CU_add_suite("watchdog cpu time", setup_cpu, teardown);
	CU_add_test(s, "hung (it ran): down after the timeout", test_hung_is_down);
	CU_add_test(s, "preempted (it did not run): excused, counted", test_preempted_is_excused);
	CU_add_test(s, "preempted, then hung", test_preempted_then_hung);
	CU_add_test(s, "starved past max_preempt_ms: down", test_starved_for_good);
	CU_add_test(s, "crashed: down at once", test_crashed_is_down_at_once);

	s = CU_add_suite("watchdog stopped threads", setup, teardown);
	CU_add_test(s, "what a stopped worker held goes back, by policy",
		    test_stopped_worker_hands_back);

	s = CU_add_suite("watchdog starting threads", setup, teardown);
	CU_add_test(s, "a launched thread not yet woken is running",
		    test_starting_thread_is_running);
	s = CU_add_suite("watchdog failed launches", setup, teardown);
	CU_add_test(s, "a failed launch is not running", test_failed_launch_is_not_running);

	s = CU_add_suite("watchdog during a long call", setup, teardown);
	CU_add_test(s, "another thread ticks meanwhile", test_ticks_during_long_call);
}

UNIT_SUITES(test_watchdog_register)
