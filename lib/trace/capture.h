/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture points (DESIGN.md §11): `iochainctl capture VNIC --point P -w FILE`
 * copies the next COUNT packets of a vNIC, both ways, as they are at one point
 * of its chain (before or after a slot) into a pcapng file, each packet on the
 * vNIC's interface with a comment naming the vNIC, the direction and the point.
 *
 * The forwarding lcores copy (rte_pcapng_copy, from a pool made when the
 * capture starts) and enqueue to a ring; a control-plane thread writes the
 * file. A copy that finds the pool or the ring empty is counted (`dropped`),
 * never waited for. Cost when no capture runs: one predictable branch per
 * chain run (ioc_capture_active()). Packets a trace follows are not copied.
 */
#ifndef IOC_CAPTURE_H
#define IOC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "chain.h"

#define IOC_CAPTURE_MAX 100000 /* COUNT at most */
#define IOC_CAPTURE_DEFAULT 100
#define IOC_CAPTURE_SNAPLEN 2048 /* bytes of each frame kept; longer frames are cut */

/* Nonzero while a capture takes packets: part of the chain run's branch. */
extern int ioc_capture_on;

static inline bool
ioc_capture_active(void)
{
	return unlikely(__atomic_load_n(&ioc_capture_on, __ATOMIC_RELAXED) != 0);
}

/*
 * Datapath (forwarding lcore): vNIC `vnic`'s chain from position `from`, as
 * ioc_chain_run_from(), copying the packets at the capture point if the
 * capture is of this vNIC.
 */
uint16_t ioc_capture_chain_run(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
			       unsigned vnic, unsigned from, struct rte_mbuf **pkts, uint16_t n);

/* A point of a chain: before or after the slot numbered `slot` (1, 2, 4). */
struct ioc_capture_point {
	unsigned slot;
	bool after;
};

/* "before-slot-N" | "after-slot-N"; -EINVAL otherwise. */
int ioc_capture_parse_point(const char *s, struct ioc_capture_point *p);

struct ioc_dp;
/*
 * Control thread (one caller at a time: the telemetry lock). Starts a capture
 * of the next `count` packets of vNIC `vnic` at `point` into `path` (created
 * or truncated). 0, or -errno with `err` saying why: -EBUSY (one runs),
 * -EINVAL (count, no such slot in the vNIC's chain), or the file's error.
 */
int ioc_capture_start(struct ioc_dp *dp, unsigned vnic, struct ioc_capture_point point,
		      unsigned count, const char *path, char *err, size_t errlen);
/* Stops the capture (if any), writes what was copied and closes the file. */
void ioc_capture_stop(struct ioc_dp *dp);

struct ioc_capture_status {
	bool running;  /* started and not stopped */
	bool complete; /* COUNT packets copied */
	int vnic;      /* -1: never started */
	struct ioc_capture_point point;
	unsigned count;
	uint64_t copied;  /* handed to the writer */
	uint64_t written; /* in the file */
	uint64_t dropped; /* not copied: the pool or the ring was full */
	int error;	  /* the writer's last errno, 0 */
	char path[256];
};
void ioc_capture_status(struct ioc_capture_status *s);

#endif /* IOC_CAPTURE_H */
