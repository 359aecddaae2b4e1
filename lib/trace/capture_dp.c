/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture's datapath side: runs on forwarding lcores while a capture
 * runs (ioc_capture_active()). Copies come from the capture's pool, go to its
 * ring; nothing is allocated from the heap, nothing waits, nothing logs.
 */
#define ALLOW_EXPERIMENTAL_API 1

#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include "capture.h"
#include "capture_priv.h"
#include "topology.h"

int ioc_capture_on;
struct capture_global ioc_capture_g = { .vnic = -1 };

/*
 * rte_pcapng_copy() ends its enhanced packet block with the options and the
 * block's length; the point's comment goes after the options, the block
 * grows by it. -1 when the copy has no room (it is then not written).
 */
static int
add_comment(struct rte_mbuf *m, const char *text, uint16_t len)
{
	uint16_t code = 1, padded = (uint16_t)RTE_ALIGN(len, 4);
	uint32_t block;
	uint8_t *p;

	if (m->nb_segs != 1 || rte_pktmbuf_trim(m, sizeof(block)) != 0)
		return -1;
	p = (uint8_t *)rte_pktmbuf_append(m, 4 + padded + sizeof(block));
	if (p == NULL)
		return -1;
	memcpy(p, &code, 2);
	memcpy(p + 2, &len, 2);
	memcpy(p + 4, text, len);
	memset(p + 4 + len, 0, padded - len);
	block = rte_pktmbuf_data_len(m);
	memcpy(p + 4 + padded, &block, sizeof(block));
	/* The block's leading length: after its type (pcapng's block header). */
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 4), &block, sizeof(block));
	return 0;
}

/* Copies what the burst holds at the point, as far as the count goes. */
static void
copy_burst(const struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	struct capture_global *g = &ioc_capture_g;
	unsigned d = ctx->dir == IOC_DIR_OUT;
	enum rte_pcapng_direction pd =
		/* A vNIC's out is what its port received from the VM. */
		d ? RTE_PCAPNG_DIRECTION_IN : RTE_PCAPNG_DIRECTION_OUT;
	struct rte_mbuf *c[IOC_BURST];
	uint16_t k = 0;
	uint64_t dropped = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m;

		if (__atomic_sub_fetch(&g->left, 1, __ATOMIC_RELAXED) < 0)
			break;
		m = rte_pcapng_copy(g->port_id, 0, pkts[i], g->pool, IOC_CAPTURE_SNAPLEN, ctx->now,
				    pd);
		if (m != NULL && add_comment(m, g->comment[d], g->comment_len[d]) != 0) {
			rte_pktmbuf_free(m);
			m = NULL;
		}
		if (m == NULL) {
			dropped++;
			continue;
		}
		c[k++] = m;
	}
	unsigned q = rte_ring_mp_enqueue_burst(g->ring, (void **)c, k, NULL);

	if (q < k) {
		rte_pktmbuf_free_bulk(c + q, k - q);
		dropped += k - q;
	}
	__atomic_fetch_add(&g->copied, q, __ATOMIC_RELAXED);
	if (dropped > 0)
		__atomic_fetch_add(&g->dropped, dropped, __ATOMIC_RELAXED);
}

uint16_t
ioc_capture_chain_run(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
		      unsigned vnic, unsigned from, struct rte_mbuf **pkts, uint16_t n)
{
	const struct capture_global *g = &ioc_capture_g;

	/* The rest of the capture's set-up was published before its vNIC. */
	if (__atomic_load_n(&g->vnic, __ATOMIC_ACQUIRE) != (int)vnic)
		return ioc_chain_run_from(c, ctx, cnt, from, pkts, n);
	/* The point, as the chain position it precedes: a packet an SVM returns resumes there. */
	unsigned at = g->slot_pos + g->after;

	if (at > c->n_slots || from > at)
		return ioc_chain_run_from(c, ctx, cnt, from, pkts, n);
	n = ioc_chain_run_between(c, ctx, cnt, from, at, pkts, n);
	if (n > 0)
		copy_burst(ctx, pkts, n);
	return ioc_chain_run_from(c, ctx, cnt, at, pkts, n);
}
