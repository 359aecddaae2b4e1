/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry under /iochain/ (DESIGN.md §6). Each concept registers its own
 * commands beside its code (RTE_INIT, as DPDK's libraries do):
 *   lib/fwd/fwd_telemetry.c  summarize_dvfilter, stats, mempool, lcores, reload
 *   lib/svc/svc_telemetry.c  svm, svm_fault, profile_set
 *   lib/sfw/sfw_telemetry.c  dfw_rules, dfw_connections
 *   lib/trace/trace_telemetry.c  trace_arm, trace_clear, trace, explain
 *   lib/trace/capture.c      capture_start, capture_stop, capture
 *   telemetry.c              events
 * This file is what they share: the running datapath, behind one lock.
 *
 * DPDK 22.11 telemetry nests two levels deep and takes command names and keys
 * of [A-Za-z0-9_/] only: the contract's /iochain/summarize-dvfilter is
 * registered as /iochain/summarize_dvfilter, and lists come first, details
 * per name.
 */
#ifndef IOC_TELEMETRY_H
#define IOC_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>

struct ioc_dp;
struct ioc_svc;
struct ioc_topology;
struct rte_tel_data;

/* Points the commands at dp (NULL: not running). */
void ioc_telemetry_set_dp(struct ioc_dp *dp);

/* The file a reload re-reads (NULL: the embedded demo, which cannot be reloaded). */
void ioc_telemetry_set_config(const char *path);
/* Reloads that file into the running datapath (ioc_dp_reload_file), under the telemetry lock. */
int ioc_telemetry_reload(char *msg, size_t len);

/* What a command sees of the running datapath, under the telemetry lock. */
struct ioc_tel_view {
	struct ioc_dp *dp;
	const struct ioc_topology *topo; /* dp's: a reload replaces it under the lock */
	struct ioc_svc *svc;		 /* NULL: no slot 4 */
};

typedef int (*ioc_tel_fn)(const struct ioc_tel_view *v, const void *arg, struct rte_tel_data *d);

/*
 * Runs fn under the lock that keeps the datapath alive: the callbacks run on
 * DPDK's telemetry thread, the lock orders them against start, stop and
 * reload; the datapath never takes it. -ENODEV when iochain runs none.
 */
int ioc_telemetry_with_dp(ioc_tel_fn fn, const void *arg, struct rte_tel_data *d);

/* fn(view, params, d) under the lock: for the commands whose only argument is params. */
int ioc_telemetry_read(const char *params, struct rte_tel_data *d, ioc_tel_fn fn);

bool ioc_telemetry_no_params(const char *params);

/*
 * One command of a concept, for ioc_telemetry_register(): either read, a
 * reader whose only argument is the params (called by ioc_telemetry_read(),
 * under the lock), or fn, EAL's own callback.
 */
struct ioc_tel_cmd {
	const char *path; /* "/iochain/..." */
	ioc_tel_fn read;
	const char *help;
	int (*fn)(const char *cmd, const char *params, struct rte_tel_data *d);
	/*
	 * It changes what iochain does (policy, rules, drills, traces, captures):
	 * served only through the control socket (control.c), refused on the
	 * telemetry socket.
	 */
	bool control;
};

/*
 * Registers a concept's commands (from its RTE_INIT; cmds static: they are
 * kept); logs the first that fails.
 */
void ioc_telemetry_register(const struct ioc_tel_cmd *cmds, unsigned n);

/* Whether cmd ("/iochain/...", no params) was registered as a control command. */
bool ioc_telemetry_is_control(const char *cmd);

/*
 * The control socket, <runtime dir>/IOC_CONTROL_SOCKET (control.c): mode 0600,
 * or 0660 and group `group` when not "". It relays each request to the
 * telemetry socket, a control command with the secret that lets it through.
 * 0, or -errno with err set.
 */
#define IOC_CONTROL_SOCKET "iochain_control"
int ioc_control_start(const char *group, char *err, size_t len);
void ioc_control_stop(void);

/*
 * A control command's params start with the control socket's secret: true,
 * and *params past it, when they do; false otherwise (the telemetry socket's
 * callers, whoever they are).
 */
bool ioc_control_authorized(const char **params);

/* Waits until every forwarding lcore has seen what was published (ioc_dp_synchronize). */
void ioc_telemetry_synchronize(const struct ioc_tel_view *v);

#endif /* IOC_TELEMETRY_H */
