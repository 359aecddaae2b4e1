/* SPDX-License-Identifier: BSD-3-Clause */
/* What the capture's control side (capture.c) and datapath side (capture_dp.c) share. */
#ifndef IOC_CAPTURE_PRIV_H
#define IOC_CAPTURE_PRIV_H

#include <stdint.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "capture.h"

/* A pcapng comment option (code 1) carries its text padded to 4 bytes. */
#define CAPTURE_COMMENT_MAX 96

/*
 * Set by the control thread before ioc_capture_on is raised and left alone
 * until it is lowered and the lcores are synchronized; `left` is taken by the
 * lcores, the counters are added to by them (relaxed atomics).
 */
struct capture_global {
	int vnic;	   /* whose packets are copied; -1: none */
	unsigned slot_pos; /* index in the vNIC's chain of the point's slot */
	bool after;
	uint16_t port_id; /* the vNIC's ethdev port: its interface in the file */
	int left;	  /* packets still to copy */
	uint64_t copied;  /* enqueued for the writer */
	uint64_t dropped; /* pool or ring full */
	struct rte_mempool *pool;
	struct rte_ring *ring; /* lcores enqueue (MP), the writer dequeues (SC) */
	uint16_t comment_len[2];
	char comment[2][CAPTURE_COMMENT_MAX]; /* by ctx->dir */
};

extern struct capture_global ioc_capture_g;

#endif /* IOC_CAPTURE_PRIV_H */
