/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands under /iochain/ (DESIGN.md §6). DPDK 22.11 telemetry nests
 * two levels deep and takes command names and keys of [A-Za-z0-9_/] only: the
 * contract's /iochain/summarize-dvfilter is registered as
 * /iochain/summarize_dvfilter, and lists come first, details per name:
 *   /iochain/summarize_dvfilter            {"host", "vnics": [names]}
 *   /iochain/summarize_dvfilter,VNIC       {"world", "vm", "vc_uuid", "switch_port", "vnic",
 *                                           "eth", "slots": [numbers]}
 *   /iochain/summarize_dvfilter,VNIC,SLOT  {"slot", "name", "agentName", "state", "vmState",
 *                                           "failurePolicy", "slowPathID", "filter_source"}
 *   /iochain/stats                         {"ports": [names], totals...}
 *   /iochain/stats,PORT                    {"kind", "port_id", port counters, slot counters}
 */
#ifndef IOC_TELEMETRY_H
#define IOC_TELEMETRY_H

#include "fwd.h"

/* Registers the commands (once) and points them at dp (NULL: not running). */
int ioc_telemetry_init(void);
void ioc_telemetry_set_dp(struct ioc_dp *dp);

/*
 * /iochain/reload                        {"ok": 0|1, "message", ["message_parts"]}
 * The file a reload re-reads (NULL: the embedded demo, which cannot be reloaded).
 */
void ioc_telemetry_set_config(const char *path);
/* Reloads that file into the running datapath (ioc_dp_reload_file), under the telemetry lock. */
int ioc_telemetry_reload(char *msg, size_t len);

/*
 * For commands registered elsewhere (lib/trace): fn runs under the telemetry
 * lock with the running datapath; -ENODEV when there is none.
 */
struct rte_tel_data;
int ioc_telemetry_with_dp(const char *params, struct rte_tel_data *d,
			  int (*fn)(const struct ioc_dp *dp, const char *params,
				    struct rte_tel_data *d));

#endif /* IOC_TELEMETRY_H */
