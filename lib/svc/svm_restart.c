/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An external SVM's `restart` command (svm_ext.h): when it is due (the
 * schedule, backing off while the appliance stays down), and running it from
 * the control thread, outside iochain's process group and scheduling class.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "events.h"
#include "log.h"
#include "svc.h"
#include "svm_ext.h"

extern char **environ;

/* ---- restart schedule -------------------------------------------------------------------- */

uint64_t
ioc_svm_restart_delay_ms(uint32_t after_ms, unsigned attempt)
{
	uint64_t base = RTE_MAX(after_ms, 100u);

	if (attempt == 0)
		return after_ms;
	return RTE_MIN(base << RTE_MIN(attempt, 16u), 30000u);
}

bool
ioc_svm_restart_due(struct ioc_svm_restart *r, bool down, uint64_t now_ms)
{
	if (!down) {
		r->attempts = 0;
		r->next_ms = UINT64_MAX;
		return false;
	}
	if (r->next_ms == UINT64_MAX || r->next_ms == 0)
		r->next_ms = now_ms + ioc_svm_restart_delay_ms(r->after_ms, r->attempts);
	if (now_ms < r->next_ms)
		return false;
	r->last_ms = now_ms;
	r->attempts++;
	r->next_ms = now_ms + ioc_svm_restart_delay_ms(r->after_ms, r->attempts);
	return true;
}

/* ---- restart (control thread) ------------------------------------------------------------- */

pid_t
ioc_svm_spawn(const char *cmd)
{
	struct sched_param sp, normal = { .sched_priority = 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid = 0;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	int policy = SCHED_OTHER, rc;

	/*
	 * The control thread may run SCHED_FIFO (watchdog_rt_priority): the
	 * child, which starts as a copy of it sharing its memory until exec,
	 * must not, or it waits behind busy pollers on the CPU while this
	 * thread waits for it.
	 */
	pthread_getschedparam(pthread_self(), &policy, &sp);
	if (policy != SCHED_OTHER)
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	/* Its own process group: a signal to iochain's group does not reach it, nor ours to it. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	/*
	 * Nothing of iochain's but stdin/stdout/stderr: EAL's memory and
	 * telemetry files and the arms' sockets are not close-on-exec, and an
	 * appliance that kept them would hold iochain's hugepages and sockets
	 * after iochain is gone.
	 */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (policy != SCHED_OTHER)
		pthread_setschedparam(pthread_self(), policy, &sp);
	return rc == 0 ? pid : -rc;
}

void
ioc_svm_ext_service(struct ioc_svc *svc, uint64_t now)
{
	uint64_t now_ms = now * 1000 / rte_get_tsc_hz();

	for (unsigned i = 0; svc != NULL && i < svc->n_workers; i++) {
		struct ioc_svm_worker *w = svc->workers[i];
		struct ioc_svm_ext *x = w->ext;
		int status;

		if (x == NULL || x->restart_cmd[0] == '\0')
			continue;
		if (x->pid > 0 && waitpid(x->pid, &status, WNOHANG) == x->pid) {
			ioc_event_add("svm %s: restart command exited (%s %d)", w->name,
				      WIFEXITED(status) ? "status" : "signal",
				      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			x->pid = 0;
		}
		enum ioc_svm_state st = __atomic_load_n(&w->state, __ATOMIC_ACQUIRE);
		if (!ioc_svm_restart_due(&x->restart, st == IOC_SVM_DOWN, now_ms))
			continue;
		if (x->pid > 0) {
			IOC_LOG(WARNING, svc,
				"svm %s: restart due, the last one still runs (pid %d)", w->name,
				(int)x->pid);
			continue;
		}
		pid_t pid = ioc_svm_spawn(x->restart_cmd);
		if (pid <= 0) {
			ioc_event_add("svm %s: restart failed: %s", w->name, strerror((int)-pid));
			continue;
		}
		x->pid = pid;
		x->restarts++;
		ioc_event_add("svm %s: appliance %s down, restart %u (pid %d)", w->name, x->name,
			      x->restart.attempts, (int)pid);
	}
}
