/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath's telemetry commands (telemetry.h), registered beside it:
 *   /iochain/summarize_dvfilter            {"host", "vnics": [names]}
 *   /iochain/summarize_dvfilter,VNIC       {"world", "vm", "vc_uuid", "switch_port", "vnic",
 *                                           "eth", "slots": [numbers]}
 *   /iochain/summarize_dvfilter,VNIC,SLOT  {"slot", "name", "agentName", "state", "vmState",
 *                                           "failurePolicy", "slowPathID", "filter_source"}
 *   /iochain/stats                         {"ports": [names], totals...}
 *   /iochain/stats,PORT                    {"kind", "port_id", port counters, slot counters}
 *   /iochain/mempool                       {"name", "size", "in_use", "in_use_at_start"}
 *   /iochain/lcores                        {"tsc_hz", "lcore_N": {"polls", "busy_cycles"}}
 *   /iochain/reload                        {"ok": 0|1, "message", ["message_parts"]}
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "fwd.h"
#include "log.h"
#include "telemetry.h"

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

/* "", "VNIC" or "VNIC,SLOT" */
static int
dvfilter_reply(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = v->dp;
	const char *params = arg;
	char buf[256];
	char *vnic_name, *slot_str;

	if (ioc_telemetry_no_params(params))
		return dvfilter_list(dp, d);
	if (strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	split_params(buf, &vnic_name, &slot_str);
	int vnic = ioc_topo_find_vnic(dp->topo, vnic_name);
	if (vnic < 0)
		return -EINVAL;
	if (slot_str == NULL)
		return dvfilter_vnic(dp, (unsigned)vnic, d);

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
	return dvfilter_slot(dp, (unsigned)vnic, (unsigned)slot, (unsigned)k, d);
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
stats_reply(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = v->dp;
	const char *params = arg;
	if (ioc_telemetry_no_params(params))
		return stats_totals(dp, d);

	int p = ioc_dp_find_port(dp, params);

	return p < 0 ? -EINVAL : stats_port(dp, (unsigned)p, d);
}

static int
mempool_dict(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = v->dp;
	const char *params = arg;
	struct ioc_pool_usage u;

	if (!ioc_telemetry_no_params(params))
		return -EINVAL;
	ioc_dp_pool_usage(dp, &u);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", dp->pool->name);
	rte_tel_data_add_dict_u64(d, "size", u.size);
	rte_tel_data_add_dict_u64(d, "in_use", u.in_use);
	rte_tel_data_add_dict_u64(d, "in_use_at_start", u.in_use_start);
	return 0;
}

/* {"tsc_hz", "lcore_N": {"polls", "busy_cycles"}...}: what each forwarding lcore spends working. */
static int
lcores_dict(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d)
{
	const struct ioc_dp *dp = v->dp;
	const char *params = arg;
	if (!ioc_telemetry_no_params(params))
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
	if (!ioc_telemetry_no_params(params))
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

RTE_INIT(fwd_telemetry_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/summarize_dvfilter", dvfilter_reply,
		  "The I/O chain of every vNIC. Params: [VNIC[,SLOT]]" },
		{ "/iochain/stats", stats_reply, "Port, slot and drop counters. Params: [PORT]" },
		{ "/iochain/mempool", mempool_dict,
		  "The mbuf pool: size, in_use, in_use_at_start" },
		{ "/iochain/lcores", lcores_dict,
		  "Forwarding lcores: polls, busy_cycles (polls that found work), tsc_hz" },
		{ "/iochain/reload", NULL,
		  "Re-read the topology file, apply its rule changes. {ok, message}", cmd_reload,
		  true },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
