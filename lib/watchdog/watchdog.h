/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The watchdog (DESIGN.md §5): samples every SVM worker's heartbeat, runs
 * each worker's state machine (up -> down -> recovering -> up), fences a
 * worker it declares down, moves its share of the flow hash to a standby or
 * the survivors, marks an instance down when no worker serves it (its
 * vNICs take their profiles' failure path at their next burst), asks for a
 * crashed worker to be relaunched, and puts every share back once a worker's
 * heartbeat has moved steadily for heartbeat_timeout_ms.
 *
 * ioc_watchdog_tick() takes the time as an argument: the unit tests drive the
 * state machine with their own clock. It never launches a thread itself: it
 * sets launch_req / quit on a worker and the main lcore (or a test) acts on
 * them with ioc_watchdog_service().
 */
#ifndef IOC_WATCHDOG_H
#define IOC_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc.h"

/*
 * How often to tick: a fortieth of the smallest heartbeat timeout (DESIGN.md
 * §5 asks a tenth at most). A stall is detected a timeout after the first
 * tick that sees the heartbeat stopped: within timeout + period.
 */
uint64_t ioc_watchdog_period(const struct ioc_svc *svc);

/*
 * An up worker whose heartbeat stood still for heartbeat_timeout_ms is hung
 * (down) if its thread ran for at least timeout / IOC_WD_HUNG_SHARE meanwhile:
 * a worker beats every loop, and a loop takes microseconds.
 */
#define IOC_WD_HUNG_SHARE 10

/* Why the watchdog declared a worker down, or excused its still heartbeat. */
enum ioc_wd_why {
	IOC_WD_NONE,
	IOC_WD_STALLED,	  /* ran a share of the timeout without a heartbeat */
	IOC_WD_STILL,	  /* no heartbeat for the timeout; how much it ran is unknown */
	IOC_WD_STARVED,	  /* barely ran, for max_preempt_ms */
	IOC_WD_CRASHED,	  /* its thread stopped */
	IOC_WD_PREEMPTED, /* excused: still for the timeout, but it barely ran */
	IOC_WD_APPLIANCE, /* an external appliance's probes, rings or link: probes alone decide */
};

/* The reason as events and svm list show it ("stalled: ran 9.8 ms of 10.0 ms ..."). */
int ioc_watchdog_reason(int why, uint64_t ran_tsc, uint64_t still_tsc, char *buf, size_t len);

/* One look at every worker at TSC time `now`. Returns the number of state changes. */
unsigned ioc_watchdog_tick(struct ioc_svc *svc, uint64_t now);

/*
 * Acts on launch requests: for each worker that asks and whose thread has
 * stopped, calls launch(w) (which must start ioc_svm_worker_main on
 * w->lcore_id; 0 on success). A request for a thread still running is
 * dropped, unless that thread was told to quit: it is served once the thread
 * has stopped. Main lcore.
 */
void ioc_watchdog_service(struct ioc_svc *svc, int (*launch)(struct ioc_svm_worker *w));

/*
 * The watchdog's own thread (an lcore of its own, [host] watchdog_lcore, or
 * the one ioc_watchdog_during() starts): ticks svc every period, on time,
 * until `stop`, as SCHED_FIFO at rt_priority if > 0.
 */
struct ioc_watchdog_thread {
	struct ioc_svc *svc;
	unsigned rt_priority;
	bool stop; /* set with a release store */
};

/* Its body for rte_eal_remote_launch(): arg is a struct ioc_watchdog_thread. */
int ioc_watchdog_main(void *arg);

/*
 * The thread that ticks sleeps between ticks; on a CPU shared with a polling
 * lcore (an SVM worker) the scheduler may wake it milliseconds late, and a
 * late tick is a late detection. As a SCHED_FIFO thread it preempts the
 * pollers the moment its sleep ends; it runs for microseconds per tick.
 * Sets the calling thread's: prio 0 is normal scheduling. Returns what it
 * could set (warns once when it cannot).
 */
unsigned ioc_watchdog_sched(unsigned prio);

/*
 * Runs fn(arg) on the calling thread, the one that ticks the watchdog, while
 * another thread ticks it every period (SCHED_FIFO at rt_priority if > 0): a
 * long call there (a SIGHUP reload compiling rules, hundreds of ms) must not
 * pause detection. Launches still wait for the caller (the deadline on launch
 * requests covers them). Returns fn's result.
 */
int ioc_watchdog_during(struct ioc_svc *svc, unsigned rt_priority, int (*fn)(void *arg), void *arg);

/*
 * Whoever launches a worker's thread outside ioc_watchdog_service() (the app,
 * at start) says so: the watchdog times a still heartbeat from its next tick,
 * not from when the worker was built.
 */
void ioc_watchdog_launched(struct ioc_svm_worker *w);
/*
 * Said just before launching a worker's thread (ioc_watchdog_service() does):
 * until the thread clears w->starting, it counts as running.
 */
void ioc_watchdog_launching(struct ioc_svm_worker *w);
/*
 * Said when that launch failed: no thread will clear w->starting, so the
 * launcher does (the watchdog reads it from another thread meanwhile).
 */
void ioc_watchdog_not_launched(struct ioc_svm_worker *w);

/*
 * What the watchdog asks the OS about a worker's thread. Tests script their
 * own; NULL restores the OS's (EAL's lcore state, the thread's CPU-time clock).
 */
struct ioc_watchdog_probes {
	bool (*running)(const struct ioc_svm_worker *w); /* its lcore is not WAIT */
	/* CPU time the thread has consumed, in ns; false if unknown (or NULL). */
	bool (*cpu_ns)(const struct ioc_svm_worker *w, uint64_t *ns);
};

void ioc_watchdog_set_probes(const struct ioc_watchdog_probes *p);

#endif /* IOC_WATCHDOG_H */
