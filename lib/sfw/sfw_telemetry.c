/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firewall's telemetry commands, registered by a constructor like DPDK's
 * own libraries do (no central table to edit):
 *   /iochain/dfw_rules[,START] {"total", "start", "next", "rules": [names], "priority": [..],
 *                              "action": [..], "hits": [..]}: parallel arrays in dfw rule
 *                              file order, from START (0) as many as one reply holds; the
 *                              next page starts at "next" (== "total": the last page)
 *   /iochain/dfw_connections  {"entries", "capacity", "tables", "evicted", one count per
 *                              state}
 * DPDK 22.11 telemetry keys take [A-Za-z0-9_/] only, so rule names are values.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "log.h"
#include "sfw.h"
#include "telemetry.h"

/*
 * What one reply holds: DPDK's 16 KiB of JSON (less the keys) and 512 array entries, never cut
 * silently: a longer list comes in pages.
 */
#define RULES_REPLY_BYTES (16384 - 512)
#define RULES_PER_REPLY RTE_TEL_MAX_ARRAY_ENTRIES

/* A rule's share of the reply: its name quoted, the priority, the action, the hits. */
static size_t
rule_cost(const struct ioc_sfw_rule_info *info)
{
	return strlen(info->name) + 3 + 11 + strlen(info->action) + 3 + 21;
}

/* "" or "START": the rules from START on, as many as one reply holds. */
static int
cmd_dfw_rules(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *names = rte_tel_data_alloc(), *prio = rte_tel_data_alloc();
	struct rte_tel_data *action = rte_tel_data_alloc(), *hits = rte_tel_data_alloc();
	unsigned n = ioc_sfw_rule_count(), i;
	unsigned long start = 0;
	size_t spent = 0;
	char *end;

	RTE_SET_USED(cmd);
	if (!ioc_telemetry_no_params(params)) {
		start = strtoul(params, &end, 10);
		if (*params < '0' || *params > '9' || *end != '\0' || start > n)
			start = ULONG_MAX;
	}
	if (names == NULL || prio == NULL || action == NULL || hits == NULL || start == ULONG_MAX) {
		rte_tel_data_free(names);
		rte_tel_data_free(prio);
		rte_tel_data_free(action);
		rte_tel_data_free(hits);
		return start == ULONG_MAX ? -EINVAL : -ENOMEM;
	}
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(prio, RTE_TEL_U64_VAL);
	rte_tel_data_start_array(action, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(hits, RTE_TEL_U64_VAL);
	for (i = (unsigned)start; i < n && i - start < RULES_PER_REPLY; i++) {
		struct ioc_sfw_rule_info info;
		uint64_t h = 0;

		if (ioc_sfw_rule_info(i, &info) != 0)
			break;
		spent += rule_cost(&info);
		if (spent > RULES_REPLY_BYTES)
			break;
		ioc_sfw_rule_hits(i, &h);
		rte_tel_data_add_array_string(names, info.name);
		rte_tel_data_add_array_u64(prio, info.priority);
		rte_tel_data_add_array_string(action, info.action);
		rte_tel_data_add_array_u64(hits, h);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", n);
	rte_tel_data_add_dict_u64(d, "start", start);
	rte_tel_data_add_dict_u64(d, "next", i);
	rte_tel_data_add_dict_container(d, "rules", names, 0);
	rte_tel_data_add_dict_container(d, "priority", prio, 0);
	rte_tel_data_add_dict_container(d, "action", action, 0);
	rte_tel_data_add_dict_container(d, "hits", hits, 0);
	return 0;
}

static int
cmd_dfw_connections(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ioc_sfw_conn_summary s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	ioc_sfw_conn_summary(&s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "entries", s.entries);
	rte_tel_data_add_dict_u64(d, "capacity", s.capacity);
	rte_tel_data_add_dict_u64(d, "tables", s.n_tables);
	rte_tel_data_add_dict_u64(d, "evicted", s.evicted);
	for (unsigned k = 0; k < IOC_SFW_CT_NB_STATES; k++)
		rte_tel_data_add_dict_u64(d, ioc_sfw_conn_state_name(k), s.state[k]);
	return 0;
}

RTE_INIT(sfw_telemetry_init)
{
	int rc = rte_telemetry_register_cmd(
		"/iochain/dfw_rules", cmd_dfw_rules,
		"dfw rules in file order: priority, action, hits. Params: [START] (pages: next)");

	if (rc == 0)
		rc = rte_telemetry_register_cmd("/iochain/dfw_connections", cmd_dfw_connections,
						"Connection tables: entries, capacity, per state");
	if (rc != 0)
		IOC_LOG(ERR, sfw, "registering telemetry commands: %d", rc);
}
