/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 4's telemetry commands (telemetry.h), registered beside it:
 *   /iochain/svm                  {"workers": [names]}
 *   /iochain/svm,WORKER           {"instance", "index", "lcore", "behaviour", "state", "thread",
 *                                  "fault", "role", "heartbeat", counters..., "ring",
 *                                  "watchdog", "near_misses", "preempted_ms", appliance...}
 *   /iochain/svm_fault            WORKER,stall|crash|starve|resume or WORKER,slow,US: a drill
 *   /iochain/profile_set          PROFILE,fail_open=true|false: a failure policy published
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_telemetry.h>

#include "events.h"
#include "log.h"
#include "svc.h"
#include "svm_ext.h"
#include "telemetry.h"
#include "watchdog.h"

static int
svm_list(const struct ioc_svc *svc, struct rte_tel_data *d)
{
	struct rte_tel_data *names = rte_tel_data_alloc();

	if (names == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; svc != NULL && i < svc->n_workers; i++)
		rte_tel_data_add_array_string(names, svc->workers[i]->name);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_container(d, "workers", names, 0);
	return 0;
}

static int
svm_worker(const struct ioc_tel_view *v, const struct ioc_svm_worker *w, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "instance", v->topo->instances[w->instance].name);
	rte_tel_data_add_dict_u64(d, "index", w->index);
	rte_tel_data_add_dict_u64(d, "lcore", w->lcore_id);
	rte_tel_data_add_dict_string(d, "behaviour", w->ops->name);
	rte_tel_data_add_dict_string(
		d, "state", ioc_svm_state_name(__atomic_load_n(&w->state, __ATOMIC_ACQUIRE)));
	rte_tel_data_add_dict_string(d, "thread",
				     rte_eal_get_lcore_state(w->lcore_id) == RUNNING ? "running"
										     : "stopped");
	static const char *const faults[] = { "none", "stall", "crash", "slow", "starve" };
	int fault = __atomic_load_n(&w->fault, __ATOMIC_RELAXED);
	rte_tel_data_add_dict_string(
		d, "fault", fault >= 0 && fault < (int)RTE_DIM(faults) ? faults[fault] : "?");
	rte_tel_data_add_dict_string(d, "role", w->standby ? "standby" : "active");
	rte_tel_data_add_dict_u64(d, "heartbeat", __atomic_load_n(&w->heartbeat, __ATOMIC_RELAXED));
	for (unsigned k = 0; k < IOC_SVM_MAX; k++)
		rte_tel_data_add_dict_u64(d, ioc_svm_counter_names[k],
					  __atomic_load_n(&w->cnt[k], __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "ring", ioc_svm_worker_ring_count(w));
	/* The watchdog's view: what it excused, and its last verdict. */
	char why[RTE_TEL_MAX_STRING_LEN];
	ioc_watchdog_reason(__atomic_load_n(&w->why, __ATOMIC_RELAXED),
			    __atomic_load_n(&w->why_ran_tsc, __ATOMIC_RELAXED),
			    __atomic_load_n(&w->why_still_tsc, __ATOMIC_RELAXED), why, sizeof(why));
	rte_tel_data_add_dict_string(d, "watchdog", why);
	rte_tel_data_add_dict_u64(d, "near_misses",
				  __atomic_load_n(&w->near_misses, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "preempted_ms",
				  __atomic_load_n(&w->preempted_tsc, __ATOMIC_RELAXED) * 1000 /
					  rte_get_tsc_hz());
	ioc_svm_ext_telemetry(w, d);
	return 0;
}

/* "" (the workers) or "WORKER" */
static int
svm_reply(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const char *params = arg;

	if (ioc_telemetry_no_params(params))
		return svm_list(v->svc, d);

	const struct ioc_svm_worker *w = ioc_svc_find_worker(v->svc, params);

	return w == NULL ? -EINVAL : svm_worker(v, w, d);
}

struct fault_req {
	char buf[160];
	const char *name, *action, *us_str;
	enum ioc_svm_fault fault;
	unsigned long us;
};

/* "WORKER,stall|crash|starve|resume|slow[,US]" into r: 0 or -EINVAL. */
static int
fault_parse(const char *params, struct fault_req *r)
{
	char *save = NULL;

	if (params == NULL || strlen(params) >= sizeof(r->buf))
		return -EINVAL;
	snprintf(r->buf, sizeof(r->buf), "%s", params);
	r->name = strtok_r(r->buf, ",", &save);
	r->action = strtok_r(NULL, ",", &save);
	r->us_str = strtok_r(NULL, ",", &save);
	if (r->name == NULL || r->action == NULL || strtok_r(NULL, ",", &save) != NULL)
		return -EINVAL;

	r->us = 0;
	if (strcmp(r->action, "stall") == 0 && r->us_str == NULL) {
		r->fault = IOC_FAULT_STALL;
	} else if (strcmp(r->action, "crash") == 0 && r->us_str == NULL) {
		r->fault = IOC_FAULT_CRASH;
	} else if (strcmp(r->action, "starve") == 0 && r->us_str == NULL) {
		r->fault = IOC_FAULT_STARVE;
	} else if (strcmp(r->action, "resume") == 0 && r->us_str == NULL) {
		r->fault = IOC_FAULT_NONE;
	} else if (strcmp(r->action, "slow") == 0 && r->us_str != NULL) {
		char *end;

		r->us = strtoul(r->us_str, &end, 10);
		if (*r->us_str == '\0' || *end != '\0' || r->us == 0 || r->us > 1000000)
			return -EINVAL;
		r->fault = IOC_FAULT_SLOW;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int
fault_apply(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct fault_req *r = arg;
	struct ioc_svm_worker *w;
	int rc;

	if (v->svc == NULL)
		return -ENODEV;
	w = ioc_svc_find_worker(v->svc, r->name);
	if (w == NULL)
		return -EINVAL;
	/*
	 * The drill's event comes first: a crash is seen by the watchdog within
	 * a tick, and its "up -> down" must follow the drill in the events.
	 */
	ioc_event_add("svm %s: drill %s%s%s", r->name, r->action, r->us_str ? " " : "",
		      r->us_str ? r->us_str : "");
	rc = ioc_svc_fault(v->svc, r->name, r->fault, (uint32_t)r->us);
	if (rc != 0)
		return rc;
	/* A crashed worker resumes by being launched again (by the main lcore). */
	if (r->fault == IOC_FAULT_NONE && !w->standby &&
	    rte_eal_get_lcore_state(w->lcore_id) != RUNNING)
		__atomic_store_n(&w->launch_req, true, __ATOMIC_RELEASE);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "worker", r->name);
	rte_tel_data_add_dict_string(d, "fault", r->action);
	rte_tel_data_add_dict_u64(d, "us", r->us);
	return 0;
}

static int
cmd_svm_fault(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct fault_req r;
	int rc;

	RTE_SET_USED(cmd);
	rc = fault_parse(params, &r);
	return rc != 0 ? rc : ioc_telemetry_with_dp(fault_apply, &r, d);
}

struct profile_req {
	char name[160];
	bool fail_open;
};

static int
profile_apply(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct profile_req *r = arg;
	uint64_t t0;
	double us;
	int rc;

	if (v->svc == NULL)
		return -ENODEV;
	rc = ioc_svc_profile_set(v->svc, r->name, r->fail_open);
	if (rc != 0)
		return rc;
	t0 = rte_get_tsc_cycles();
	ioc_telemetry_synchronize(v);
	us = (double)(rte_get_tsc_cycles() - t0) * 1e6 / (double)rte_get_tsc_hz();
	ioc_event_add("profile %s: fail_open = %s, seen by every forwarding lcore in %.0f us",
		      r->name, r->fail_open ? "true" : "false", us);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "profile", r->name);
	rte_tel_data_add_dict_string(d, "failurePolicy", r->fail_open ? "failOpen" : "failClosed");
	rte_tel_data_add_dict_u64(d, "applied_us", (uint64_t)us);
	return 0;
}

/* "PROFILE,fail_open=true|false": returns once every forwarding lcore has seen it. */
static int
cmd_profile_set(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct profile_req r;
	char *comma;

	RTE_SET_USED(cmd);
	if (params == NULL || strlen(params) >= sizeof(r.name))
		return -EINVAL;
	snprintf(r.name, sizeof(r.name), "%s", params);
	comma = strchr(r.name, ',');
	if (comma == NULL)
		return -EINVAL;
	*comma = '\0';
	if (strcmp(comma + 1, "fail_open=true") == 0)
		r.fail_open = true;
	else if (strcmp(comma + 1, "fail_open=false") == 0)
		r.fail_open = false;
	else
		return -EINVAL;
	return ioc_telemetry_with_dp(profile_apply, &r, d);
}

RTE_INIT(svc_telemetry_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/svm", svm_reply, "SVM workers and their counters. Params: [WORKER]" },
		{ "/iochain/svm_fault", NULL,
		  "Fault drill. Params: WORKER,stall|crash|starve|resume or WORKER,slow,US",
		  cmd_svm_fault, true },
		{ "/iochain/profile_set", NULL,
		  "Publish a failure policy. Params: PROFILE,fail_open=true|false", cmd_profile_set,
		  true },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
