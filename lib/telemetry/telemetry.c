/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_telemetry.h>

#include "log.h"
#include "events.h"
#include "svc.h"
#include "svm_ext.h"
#include "telemetry.h"
#include "watchdog.h"

/*
 * Telemetry callbacks run on DPDK's telemetry thread. The lock orders them
 * against ioc_telemetry_set_dp() at start and stop and against a reload (which
 * changes dp->topo: the callbacks read it under the lock); the datapath never
 * takes it.
 */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ioc_dp *tel_dp;
static char *tel_config; /* the file a reload re-reads; NULL: the embedded demo */

void
ioc_telemetry_set_config(const char *path)
{
	pthread_mutex_lock(&tel_lock);
	free(tel_config);
	tel_config = path != NULL ? strdup(path) : NULL;
	pthread_mutex_unlock(&tel_lock);
}

int
ioc_telemetry_reload(char *msg, size_t len)
{
	int rc;

	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL) {
		snprintf(msg, len, "reload: the datapath is not running");
		rc = -ENODEV;
	} else if (tel_config == NULL) {
		snprintf(msg, len,
			 "reload: iochain runs the embedded pcap demo, there is no file to re-read "
			 "(start it with -c FILE)");
		rc = -ENOENT;
	} else {
		rc = ioc_dp_reload_file(tel_dp, tel_config, msg, len);
	}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

void
ioc_telemetry_set_dp(struct ioc_dp *dp)
{
	pthread_mutex_lock(&tel_lock);
	tel_dp = dp;
	pthread_mutex_unlock(&tel_lock);
}

/* vNIC indices ordered by VM (file order) then ethN. */
static const struct ioc_topology *sort_topo;

static int
vnic_cmp(const void *a, const void *b)
{
	const struct ioc_vnic *va = &sort_topo->vnics[*(const unsigned *)a];
	const struct ioc_vnic *vb = &sort_topo->vnics[*(const unsigned *)b];

	if (va->vm != vb->vm)
		return va->vm < vb->vm ? -1 : 1;
	return va->eth < vb->eth ? -1 : va->eth > vb->eth;
}

static int
dvfilter_list(const struct ioc_dp *dp, struct rte_tel_data *d)
{
	const struct ioc_topology *t = dp->topo;
	struct rte_tel_data *names = rte_tel_data_alloc();
	unsigned *order = calloc(t->n_vnics + 1, sizeof(*order));

	if (names == NULL || order == NULL) {
		rte_tel_data_free(names);
		free(order);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < t->n_vnics; i++)
		order[i] = i;
	sort_topo = t;
	qsort(order, t->n_vnics, sizeof(*order), vnic_cmp);
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < t->n_vnics; i++)
		rte_tel_data_add_array_string(names, t->vnics[order[i]].name);
	free(order);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "host", t->host.name);
	rte_tel_data_add_dict_container(d, "vnics", names, 0);
	return 0;
}

static unsigned
slot_filters(const struct ioc_slot_inst *si)
{
	return si->ops->n_filters != NULL ? si->ops->n_filters(si->priv) : 1;
}

static int
dvfilter_vnic(const struct ioc_dp *dp, unsigned v, struct rte_tel_data *d)
{
	const struct ioc_topology *t = dp->topo;
	const struct ioc_vnic *tv = &t->vnics[v];
	const struct ioc_chain *c = &dp->vnics[v].chain;
	struct rte_tel_data *slots = rte_tel_data_alloc();

	if (slots == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(slots, RTE_TEL_U64_VAL);
	/* A slot showing several filters (slot 4, one per instance) is listed once per filter. */
	for (unsigned s = 0; s < c->n_slots; s++)
		for (unsigned k = 0; k < slot_filters(&c->slot[s]); k++)
			rte_tel_data_add_array_u64(slots, c->slot[s].ops->slot);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "world", t->vms[tv->vm].world);
	rte_tel_data_add_dict_string(d, "vm", t->vms[tv->vm].name);
	rte_tel_data_add_dict_string(d, "vc_uuid", t->vms[tv->vm].vc_uuid);
	rte_tel_data_add_dict_u64(d, "switch_port", tv->switch_port);
	rte_tel_data_add_dict_string(d, "vnic", tv->name);
	rte_tel_data_add_dict_u64(d, "eth", tv->eth);
	rte_tel_data_add_dict_container(d, "slots", slots, 0);
	return 0;
}

static int
dvfilter_slot(const struct ioc_dp *dp, unsigned v, unsigned slot, unsigned k,
	      struct rte_tel_data *d)
{
	const struct ioc_chain *c = &dp->vnics[v].chain;

	for (unsigned s = 0; s < c->n_slots; s++) {
		const struct ioc_slot_inst *si = &c->slot[s];
		struct ioc_slot_desc desc = { 0 };

		if (si->ops->slot != slot)
			continue;
		if (k >= slot_filters(si))
			return -ENOENT;
		if (k == 0)
			si->ops->describe(si->priv, dp->topo, v, &desc);
		else
			si->ops->describe_filter(si->priv, dp->topo, v, k, &desc);
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "slot", slot);
		rte_tel_data_add_dict_string(d, "name", desc.name);
		rte_tel_data_add_dict_string(d, "agentName", desc.agent);
		rte_tel_data_add_dict_string(d, "state", desc.state);
		rte_tel_data_add_dict_string(d, "vmState", desc.vm_state);
		rte_tel_data_add_dict_string(d, "failurePolicy", desc.failure_policy);
		rte_tel_data_add_dict_string(d, "slowPathID", desc.slow_path_id);
		rte_tel_data_add_dict_string(d, "filter_source", desc.filter_source);
		return 0;
	}
	return -ENOENT;
}

/* Splits "A,B" in place; *b is NULL when there is no comma. */
static void
split_params(char *s, char **a, char **b)
{
	char *comma = strchr(s, ',');

	*a = s;
	*b = NULL;
	if (comma != NULL) {
		*comma = '\0';
		*b = comma + 1;
	}
}

static bool
no_params(const char *params)
{
	return params == NULL || *params == '\0';
}

/*
 * A command that reads the datapath: fn runs under the lock that keeps the
 * datapath alive (-ENODEV when iochain has none).
 */
static int
read_dp(const char *params, struct rte_tel_data *d,
	int (*fn)(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d))
{
	int rc = -ENODEV;

	pthread_mutex_lock(&tel_lock);
	if (tel_dp != NULL)
		rc = fn(tel_dp, params, d);
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

int
ioc_telemetry_with_dp(const char *params, struct rte_tel_data *d,
		      int (*fn)(const struct ioc_dp *dp, const char *params,
				struct rte_tel_data *d))
{
	return read_dp(params, d, fn);
}

/* "", "VNIC" or "VNIC,SLOT" */
static int
dvfilter_reply(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d)
{
	char buf[256];
	char *vnic_name, *slot_str;

	if (no_params(params))
		return dvfilter_list(dp, d);
	if (strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	split_params(buf, &vnic_name, &slot_str);
	int v = ioc_topo_find_vnic(dp->topo, vnic_name);
	if (v < 0)
		return -EINVAL;
	if (slot_str == NULL)
		return dvfilter_vnic(dp, (unsigned)v, d);

	char *end, *k_str;
	unsigned long slot, k = 0;

	/* "SLOT" or "SLOT,K": the slot's filter K (0: the first), when it shows several. */
	split_params(slot_str, &slot_str, &k_str);
	slot = strtoul(slot_str, &end, 10);
	if (*slot_str == '\0' || *end != '\0' || slot > 255)
		return -EINVAL;
	if (k_str != NULL) {
		k = strtoul(k_str, &end, 10);
		if (*k_str < '0' || *k_str > '9' || *end != '\0' || k > 255)
			return -EINVAL;
	}
	return dvfilter_slot(dp, (unsigned)v, (unsigned)slot, (unsigned)k, d);
}

static int
cmd_dvfilter(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return read_dp(params, d, dvfilter_reply);
}

static int
stats_totals(const struct ioc_dp *dp, struct rte_tel_data *d)
{
	struct rte_tel_data *names = rte_tel_data_alloc();
	uint64_t total[IOC_PC_MAX] = { 0 }, c[IOC_PC_MAX];

	if (names == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (unsigned p = 0; p < dp->n_ports; p++) {
		rte_tel_data_add_array_string(names, dp->ports[p].name);
		ioc_dp_port_counters(dp, p, c);
		for (unsigned k = 0; k < IOC_PC_MAX; k++)
			total[k] += c[k];
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_container(d, "ports", names, 0);
	for (unsigned k = 0; k < IOC_PC_MAX; k++)
		rte_tel_data_add_dict_u64(d, ioc_port_counter_names[k], total[k]);
	return 0;
}

static int
stats_port(const struct ioc_dp *dp, unsigned p, struct rte_tel_data *d)
{
	const struct ioc_port_dp *pd = &dp->ports[p];
	uint64_t c[IOC_PC_MAX];

	ioc_dp_port_counters(dp, p, c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "kind", pd->kind == IOC_PORT_VNIC ? "vnic" : "uplink");
	rte_tel_data_add_dict_u64(d, "port_id", pd->port_id);
	for (unsigned k = 0; k < IOC_PC_MAX; k++)
		rte_tel_data_add_dict_u64(d, ioc_port_counter_names[k], c[k]);
	if (pd->kind != IOC_PORT_VNIC)
		return 0;

	const struct ioc_chain *ch = &dp->vnics[p].chain;
	uint64_t *sc = calloc(ch->n_counters + 1, sizeof(*sc));
	if (sc == NULL)
		return -ENOMEM;
	ioc_dp_slot_counters(dp, p, sc);
	for (unsigned k = 0; k < ch->n_counters; k++) {
		char name[64];

		ioc_chain_counter_name(ch, k, name, sizeof(name));
		rte_tel_data_add_dict_u64(d, name, sc[k]);
	}
	free(sc);
	return 0;
}

/* "" (totals) or "PORT" */
static int
stats_reply(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d)
{
	if (no_params(params))
		return stats_totals(dp, d);

	int p = ioc_dp_find_port(dp, params);

	return p < 0 ? -EINVAL : stats_port(dp, (unsigned)p, d);
}

static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return read_dp(params, d, stats_reply);
}

static int
mempool_dict(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d)
{
	struct ioc_pool_usage u;

	if (!no_params(params))
		return -EINVAL;
	ioc_dp_pool_usage(dp, &u);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", dp->pool->name);
	rte_tel_data_add_dict_u64(d, "size", u.size);
	rte_tel_data_add_dict_u64(d, "in_use", u.in_use);
	rte_tel_data_add_dict_u64(d, "in_use_at_start", u.in_use_start);
	return 0;
}

static int
cmd_mempool(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return read_dp(params, d, mempool_dict);
}

/* {"tsc_hz", "lcore_N": {"polls", "busy_cycles"}...}: what each forwarding lcore spends working. */
static int
lcores_dict(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d)
{
	if (!no_params(params))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		const struct ioc_lcore *lc = dp->lcores[i];
		struct rte_tel_data *l = rte_tel_data_alloc();
		char name[32];

		if (l == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_u64(l, "polls",
					  __atomic_load_n(&lc->polls, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(l, "busy_cycles",
					  __atomic_load_n(&lc->busy_tsc, __ATOMIC_RELAXED));
		snprintf(name, sizeof(name), "lcore_%u", lc->lcore_id);
		rte_tel_data_add_dict_container(d, name, l, 0);
	}
	return 0;
}

static int
cmd_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return read_dp(params, d, lcores_dict);
}

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
svm_worker(const struct ioc_dp *dp, const struct ioc_svm_worker *w, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "instance", dp->topo->instances[w->instance].name);
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
svm_reply(const struct ioc_dp *dp, const char *params, struct rte_tel_data *d)
{
	if (no_params(params))
		return svm_list(dp->svc, d);

	const struct ioc_svm_worker *w = ioc_svc_find_worker(dp->svc, params);

	return w == NULL ? -EINVAL : svm_worker(dp, w, d);
}

static int
cmd_svm(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return read_dp(params, d, svm_reply);
}

static void
add_event(const char *line, void *arg)
{
	struct rte_tel_data *a = arg;

	rte_tel_data_add_array_string(a, line);
}

/* The newest events that fit one reply (16 KiB), oldest first. */
#define EVENTS_PER_REPLY 100

struct event_window {
	uint64_t skip;
	struct rte_tel_data *a;
};

static void
add_event_window(const char *line, void *arg)
{
	struct event_window *w = arg;

	if (w->skip > 0)
		w->skip--;
	else
		add_event(line, w->a);
}

static void
count_event(const char *line, void *arg)
{
	RTE_SET_USED(line);
	(*(uint64_t *)arg)++;
}

static int
cmd_events(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct event_window w = { .a = rte_tel_data_alloc() };
	uint64_t kept = 0, total;

	RTE_SET_USED(cmd);
	if (!no_params(params))
		return -EINVAL;
	if (w.a == NULL)
		return -ENOMEM;
	ioc_events_foreach(count_event, &kept);
	w.skip = kept > EVENTS_PER_REPLY ? kept - EVENTS_PER_REPLY : 0;
	rte_tel_data_start_array(w.a, RTE_TEL_STRING_VAL);
	total = ioc_events_foreach(add_event_window, &w);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_container(d, "events", w.a, 0);
	return 0;
}

/* "WORKER,stall|crash|starve|resume|slow[,US]" */
static int
cmd_svm_fault(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char buf[160], *save = NULL;
	int rc = -EINVAL;

	RTE_SET_USED(cmd);
	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	char *name = strtok_r(buf, ",", &save);
	char *action = strtok_r(NULL, ",", &save);
	char *us_str = strtok_r(NULL, ",", &save);
	if (name == NULL || action == NULL || strtok_r(NULL, ",", &save) != NULL)
		return -EINVAL;

	enum ioc_svm_fault fault;
	unsigned long us = 0;
	if (strcmp(action, "stall") == 0 && us_str == NULL) {
		fault = IOC_FAULT_STALL;
	} else if (strcmp(action, "crash") == 0 && us_str == NULL) {
		fault = IOC_FAULT_CRASH;
	} else if (strcmp(action, "starve") == 0 && us_str == NULL) {
		fault = IOC_FAULT_STARVE;
	} else if (strcmp(action, "resume") == 0 && us_str == NULL) {
		fault = IOC_FAULT_NONE;
	} else if (strcmp(action, "slow") == 0 && us_str != NULL) {
		char *end;

		us = strtoul(us_str, &end, 10);
		if (*us_str == '\0' || *end != '\0' || us == 0 || us > 1000000)
			return -EINVAL;
		fault = IOC_FAULT_SLOW;
	} else {
		return -EINVAL;
	}

	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || tel_dp->svc == NULL) {
		rc = -ENODEV;
		goto out;
	}
	struct ioc_svm_worker *w = ioc_svc_find_worker(tel_dp->svc, name);
	if (w == NULL)
		goto out;
	/*
	 * The drill's event comes first: a crash is seen by the watchdog within
	 * a tick, and its "up -> down" must follow the drill in the events.
	 */
	ioc_event_add("svm %s: drill %s%s%s", name, action, us_str ? " " : "",
		      us_str ? us_str : "");
	rc = ioc_svc_fault(tel_dp->svc, name, fault, (uint32_t)us);
	/* A crashed worker resumes by being launched again (by the main lcore). */
	if (rc == 0 && fault == IOC_FAULT_NONE && !w->standby &&
	    rte_eal_get_lcore_state(w->lcore_id) != RUNNING)
		__atomic_store_n(&w->launch_req, true, __ATOMIC_RELEASE);
	if (rc == 0) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "worker", name);
		rte_tel_data_add_dict_string(d, "fault", action);
		rte_tel_data_add_dict_u64(d, "us", us);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

/* "PROFILE,fail_open=true|false": returns once every forwarding lcore has seen it. */
static int
cmd_profile_set(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char buf[160];
	bool fail_open;
	int rc = -EINVAL;

	RTE_SET_USED(cmd);
	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	char *comma = strchr(buf, ',');
	if (comma == NULL)
		return -EINVAL;
	*comma = '\0';
	if (strcmp(comma + 1, "fail_open=true") == 0)
		fail_open = true;
	else if (strcmp(comma + 1, "fail_open=false") == 0)
		fail_open = false;
	else
		return -EINVAL;

	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || tel_dp->svc == NULL) {
		rc = -ENODEV;
		goto out;
	}
	rc = ioc_svc_profile_set(tel_dp->svc, buf, fail_open);
	if (rc != 0)
		goto out;
	uint64_t t0 = rte_get_tsc_cycles();
	ioc_dp_synchronize(tel_dp);
	double us = (double)(rte_get_tsc_cycles() - t0) * 1e6 / (double)rte_get_tsc_hz();
	ioc_event_add("profile %s: fail_open = %s, seen by every forwarding lcore in %.0f us", buf,
		      fail_open ? "true" : "false", us);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "profile", buf);
	rte_tel_data_add_dict_string(d, "failurePolicy", fail_open ? "failOpen" : "failClosed");
	rte_tel_data_add_dict_u64(d, "applied_us", (uint64_t)us);
out:
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

/*
 * Always a dict {"ok": 0|1, "message": "..."}: a telemetry string holds 127
 * characters, so a longer message also comes whole in "message_parts" (an
 * array of pieces to concatenate).
 */
static int
cmd_reload(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char msg[1024], part[RTE_TEL_MAX_STRING_LEN];
	struct rte_tel_data *parts;
	size_t n, step = sizeof(part) - 1;
	int rc;

	RTE_SET_USED(cmd);
	if (!no_params(params))
		return -EINVAL;
	rc = ioc_telemetry_reload(msg, sizeof(msg));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	memcpy(part, msg, sizeof(part) - 1);
	part[sizeof(part) - 1] = '\0';
	rte_tel_data_add_dict_string(d, "message", part);
	n = strlen(msg);
	if (n > step && (parts = rte_tel_data_alloc()) != NULL) {
		rte_tel_data_start_array(parts, RTE_TEL_STRING_VAL);
		for (size_t off = 0; off < n; off += step) {
			size_t k = RTE_MIN(step, n - off);

			memcpy(part, msg + off, k);
			part[k] = '\0';
			rte_tel_data_add_array_string(parts, part);
		}
		if (rte_tel_data_add_dict_container(d, "message_parts", parts, 0) != 0)
			rte_tel_data_free(parts);
	}
	return 0;
}

int
ioc_telemetry_init(void)
{
	static bool done;
	int rc;

	if (done)
		return 0;
	rc = rte_telemetry_register_cmd("/iochain/summarize_dvfilter", cmd_dvfilter,
					"The I/O chain of every vNIC. Params: [VNIC[,SLOT]]");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/iochain/stats", cmd_stats,
						"Port, slot and drop counters. Params: [PORT]");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/iochain/mempool", cmd_mempool,
						"The mbuf pool: size, in_use, in_use_at_start");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/iochain/lcores", cmd_lcores,
			"Forwarding lcores: polls, busy_cycles (polls that found work), tsc_hz");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/iochain/svm", cmd_svm,
						"SVM workers and their counters. Params: [WORKER]");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/iochain/events", cmd_events,
						"SVM state changes and policy flips, timestamped");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/iochain/svm_fault", cmd_svm_fault,
			"Fault drill. Params: WORKER,stall|crash|starve|resume or WORKER,slow,US");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/iochain/profile_set", cmd_profile_set,
			"Publish a failure policy. Params: PROFILE,fail_open=true|false");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/iochain/reload", cmd_reload,
			"Re-read the topology file, apply its rule changes. {ok, message}");
	if (rc != 0) {
		IOC_LOG(ERR, telemetry, "registering commands: %s", strerror(-rc));
		return rc;
	}
	done = true;
	return 0;
}
