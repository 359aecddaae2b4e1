/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (DESIGN.md §11): `iochainctl trace VNIC [COUNT]` records the
 * next COUNT packets of a vNIC, both ways, with each slot's verdict and why,
 * the SVM's verdict and round trip, and where the packet went.
 *
 * Cost when no trace is armed: one predictable branch per chain run
 * (ioc_trace_active()) and, in the switch, a test of the metadata bit `traced` the loop
 * already reads. Armed, the bursts of the traced vNIC run packet by packet
 * (order kept), so that each slot's counters tell what it did to a traced
 * packet; the other vNICs' bursts are untouched.
 *
 * Concurrency: the control thread arms and clears (ioc_trace_arm/clear) and
 * publishes a generation number; each forwarding lcore owns one preallocated
 * buffer of records, which it resets itself when it sees a new generation, and
 * writes each record under a sequence counter (odd while writing) that the
 * control thread's readers check. Nothing is allocated on the datapath.
 */
#ifndef IOC_TRACE_H
#define IOC_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "chain.h"
#include "meta.h"
#include "topology.h"

#define IOC_TRACE_MAX 256    /* records per trace (COUNT), and per lcore */
#define IOC_TRACE_DEFAULT 10 /* COUNT when not given */
#define IOC_TRACE_HDR 96     /* bytes kept: two tags, IPv6, 8 of extension, TCP */
#define IOC_TRACE_STEPS 12   /* slot runs per record (slot 4 twice when reclaimed) */

enum ioc_trace_state {
	IOC_TR_FREE,
	IOC_TR_CHAIN, /* through its chain: waiting for the switch (out) */
	IOC_TR_HELD,  /* at an SVM worker */
	IOC_TR_DONE,  /* ended: see dest */
};

/* Where a traced packet went. */
enum ioc_trace_dest {
	IOC_TD_NONE,
	IOC_TD_PORT,	 /* dest_port */
	IOC_TD_FLOOD,	 /* every port of its segment */
	IOC_TD_DROP,	 /* dropped in the chain (the step says why) */
	IOC_TD_REPLY,	 /* answered back out the port it came in on */
	IOC_TD_SVM_DENY, /* the SVM denied it */
	IOC_TD_NO_DEST,	 /* no port owns the destination MAC (drop_no_dest) */
	IOC_TD_LOOP,	 /* sent to its own MAC (drop_loop) */
};

struct ioc_trace_step {
	uint8_t pos;	 /* index in the chain */
	uint8_t verdict; /* enum ioc_slot_verdict */
	int16_t counter; /* the slot counter it moved, after in/pass (reasons then infos); -1 */
	uint32_t note[IOC_SLOT_NOTE];
};

struct ioc_trace_rec {
	uint32_t seq; /* odd while the lcore writes the record */
	uint8_t state;
	uint8_t dir;
	uint8_t n_steps;
	uint8_t dest; /* enum ioc_trace_dest */
	uint8_t svm;  /* 0: never at an SVM, 1: allowed, 2: denied */
	uint8_t reclaimed;
	uint8_t explained; /* computed by ioc_explain(), not seen */
	uint8_t hdr_len;
	int16_t svm_rule; /* explain only: the deciding svm_rule's index, -1 the default */
	uint16_t vnic, lcore, rx_port, dest_port;
	uint32_t pkt_len;
	uint64_t tsc;	    /* first seen */
	uint64_t held_tsc;  /* handed to the SVM */
	uint64_t rtt_tsc;   /* back from it */
	struct rte_mbuf *m; /* while open: how a returning packet finds its record */
	struct ioc_meta md;
	uint8_t hdr[IOC_TRACE_HDR];
	struct ioc_trace_step step[IOC_TRACE_STEPS];
};

/* Nonzero from arm to clear (and while records are open): the per-burst branch. */
extern int ioc_trace_on;

static inline bool
ioc_trace_active(void)
{
	return unlikely(__atomic_load_n(&ioc_trace_on, __ATOMIC_RELAXED) != 0);
}

/*
 * Datapath (forwarding lcore), when ioc_trace_active(): the chain run of a
 * burst of vNIC `vnic` from position `from`, as ioc_chain_run_from(), tracing
 * the packets it should. in_port: for the inbound chain, the port survivors
 * go to; -1 for the outbound chain (the switch tells, ioc_trace_switched()).
 */
uint16_t ioc_trace_chain_run(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
			     unsigned vnic, unsigned from, int in_port, struct rte_mbuf **pkts,
			     uint16_t n);

/* A traced packet came back from an SVM (or was reclaimed): before its verdict is applied. */
void ioc_trace_returned(unsigned lcore_id, uint64_t now, struct rte_mbuf **pkts, uint16_t n,
			bool reclaimed);

/* The switch decided for a traced (meta traced) packet; port for IOC_TD_PORT. */
void ioc_trace_switched(unsigned lcore_id, struct rte_mbuf *m, enum ioc_trace_dest dest,
			unsigned port);

/*
 * Control thread (one caller at a time: the telemetry lock). Arms a trace of
 * the next `count` packets of vNIC `vnic`, forgetting the previous records;
 * the first arming allocates the forwarding lcores' buffers. 0, -EBUSY while
 * a trace is armed, -EINVAL (count out of 1..IOC_TRACE_MAX, no such vNIC),
 * -ENOMEM.
 */
struct ioc_dp;
int ioc_trace_arm(struct ioc_dp *dp, unsigned vnic, unsigned count);
/* Disarms and forgets the records; returns once no lcore is in a traced burst. */
void ioc_trace_clear(struct ioc_dp *dp);

struct ioc_trace_status {
	bool armed;	/* packets still to be claimed */
	int vnic;	/* the vNIC traced (also once complete), -1 never armed */
	unsigned count; /* COUNT */
	unsigned left;
	uint64_t arm_tsc; /* TSC and wall clock (ns since the epoch) when armed */
	uint64_t arm_ns;
};
void ioc_trace_status(struct ioc_trace_status *s);

/* Copies of the records of the current trace, by time seen; returns how many (<= max). */
unsigned ioc_trace_records(struct ioc_trace_rec *out, unsigned max);

/*
 * One record as text: a header line, a summary of the frame, a line per slot
 * step and the SVM, where it went; each line to emit(). Names come from dp.
 */
void ioc_trace_format(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
		      const struct ioc_trace_status *st, void (*emit)(void *arg, const char *line),
		      void *arg);

/*
 * Explain (explain.c, control thread): what vNIC `vnic`'s chain would do with
 * q, as a record (no time, no lcore; svm_rule set). 0, -EINVAL (no such vNIC),
 * -ENOTSUP (an SVM whose verdict cannot be computed).
 */
int ioc_explain(const struct ioc_dp *dp, unsigned vnic, struct ioc_slot_query *q,
		struct ioc_trace_rec *r);
/* "in|out", "tcp|udp|icmp|N", "A.B.C.D[:PORT]" x2 into q; -EINVAL and msg when bad. */
int ioc_explain_parse(const char *dir, const char *proto, const char *src, const char *dst,
		      struct ioc_slot_query *q, char *msg, size_t len);
/* An explained record as text, like ioc_trace_format() without time and lcore. */
void ioc_explain_format(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
			void (*emit)(void *arg, const char *line), void *arg);

/* A one-line summary of a frame's headers ("IPv4 ICMP 10.0.0.11 > 10.0.0.100 echo ..."). */
void ioc_trace_summary(const uint8_t *frame, unsigned len, unsigned pkt_len, char *buf,
		       size_t size);

#endif /* IOC_TRACE_H */
