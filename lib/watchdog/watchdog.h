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
#include <stdint.h>

#include "svc.h"

/*
 * How often to tick: a fortieth of the smallest heartbeat timeout (DESIGN.md
 * §5 asks a tenth at most). A stall is detected a timeout after the first
 * tick that sees the heartbeat stopped: within timeout + period.
 */
uint64_t ioc_watchdog_period(const struct ioc_svc *svc);

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
 * Whoever launches a worker's thread outside ioc_watchdog_service() (the app,
 * at start) says so: the watchdog times a still heartbeat from its next tick,
 * not from when the worker was built.
 */
void ioc_watchdog_launched(struct ioc_svm_worker *w);

/*
 * What the watchdog asks the OS about a worker's thread. Tests script their
 * own; NULL restores the OS's (EAL's lcore state).
 */
struct ioc_watchdog_probes {
	bool (*running)(const struct ioc_svm_worker *w); /* its lcore is not WAIT */
};

void ioc_watchdog_set_probes(const struct ioc_watchdog_probes *p);

#endif /* IOC_WATCHDOG_H */
