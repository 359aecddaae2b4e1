/* SPDX-License-Identifier: BSD-3-Clause */
/* What the trace's control side (trace.c) and datapath side (trace_dp.c) share. */
#ifndef IOC_TRACE_PRIV_H
#define IOC_TRACE_PRIV_H

#include <stdint.h>

#include <rte_lcore.h>

#include "trace.h"

/*
 * Written by the control thread (arm, clear); read by forwarding lcores:
 * `gen` with acquire loads, the others relaxed. `left` is also decremented by
 * the lcores that claim packets; the one that takes the last sets vnic to -1.
 */
struct trace_global {
	int vnic; /* whose packets are claimed; -1: none */
	int left;
	uint32_t gen;
	unsigned count;
	int traced_vnic; /* the last vNIC armed, for show */
	uint64_t arm_tsc, arm_ns;
};

/* One forwarding lcore's records: written by that lcore only. */
struct trace_lcore {
	uint32_t gen; /* of the records held; reset by the lcore on a new generation */
	unsigned n;   /* records written (published with a release store) */
	struct ioc_trace_rec rec[IOC_TRACE_MAX];
};

extern struct trace_global ioc_trace_g;
/* By lcore id, allocated by the first arming (control thread), never freed. */
extern struct trace_lcore *ioc_trace_lc[RTE_MAX_LCORE];

#endif /* IOC_TRACE_PRIV_H */
