/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trace's datapath side: runs on forwarding lcores, only while a trace is
 * armed or a traced packet is still on its way (ioc_trace_active()). No
 * allocation, no lock, no log: records go into the lcore's preallocated
 * buffer (trace.c allocates it when arming).
 */
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "trace.h"
#include "trace_priv.h"

int ioc_trace_on;
struct trace_global ioc_trace_g = { .vnic = -1, .traced_vnic = -1 };
struct trace_lcore *ioc_trace_lc[RTE_MAX_LCORE];

/*
 * The lcore's buffer for the current trace: reset by its owner when the
 * control thread has moved to a new generation. NULL on lcores without one.
 */
static struct trace_lcore *
lcore_buf(unsigned lcore_id)
{
	struct trace_lcore *t;
	uint32_t gen;

	if (lcore_id >= RTE_MAX_LCORE)
		return NULL;
	t = __atomic_load_n(&ioc_trace_lc[lcore_id], __ATOMIC_ACQUIRE);
	if (t == NULL)
		return NULL;
	gen = __atomic_load_n(&ioc_trace_g.gen, __ATOMIC_ACQUIRE);
	if (t->gen != gen) {
		/* Readers check gen around their copy: n first, then the new gen. */
		__atomic_store_n(&t->n, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&t->gen, gen, __ATOMIC_RELEASE);
	}
	return t;
}

static inline void
write_begin(struct ioc_trace_rec *r)
{
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void
write_end(struct ioc_trace_rec *r)
{
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
}

/* The open record of a packet marked traced; NULL (and the mark cleared) if none. */
static struct ioc_trace_rec *
find_open(struct trace_lcore *t, struct rte_mbuf *m)
{
	struct ioc_meta *md = ioc_meta(m);

	if (!md->traced)
		return NULL;
	for (unsigned i = t != NULL ? t->n : 0; i-- > 0;) {
		struct ioc_trace_rec *r = &t->rec[i];

		if (r->m == m && (r->state == IOC_TR_CHAIN || r->state == IOC_TR_HELD))
			return r;
	}
	/* From a trace that was cleared: an ordinary packet now. */
	md->traced = 0;
	return NULL;
}

/* A record ends: the packet is no longer followed. */
static void
close_rec(struct ioc_trace_rec *r, enum ioc_trace_dest dest, unsigned port)
{
	r->state = IOC_TR_DONE;
	r->dest = (uint8_t)dest;
	r->dest_port = (uint16_t)port;
	r->m = NULL;
	__atomic_fetch_sub(&ioc_trace_on, 1, __ATOMIC_RELEASE);
}

/* Claims one of the armed trace's packets for a packet starting vNIC `vnic`'s chain. */
static struct ioc_trace_rec *
claim(struct trace_lcore *t, const struct ioc_slot_ctx *ctx, unsigned vnic, struct rte_mbuf *m)
{
	struct ioc_trace_rec *r;
	int left;

	if (t == NULL || t->n >= IOC_TRACE_MAX ||
	    __atomic_load_n(&ioc_trace_g.vnic, __ATOMIC_RELAXED) != (int)vnic)
		return NULL;
	left = __atomic_sub_fetch(&ioc_trace_g.left, 1, __ATOMIC_RELAXED);
	if (left < 0)
		return NULL;
	/* The record is open until the packet ends; the last claim ends the arming. */
	__atomic_fetch_add(&ioc_trace_on, 1, __ATOMIC_RELAXED);
	if (left == 0) {
		__atomic_store_n(&ioc_trace_g.vnic, -1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&ioc_trace_on, 1, __ATOMIC_RELAXED);
	}

	struct ioc_meta *md = ioc_meta(m);
	uint32_t seq = t->rec[t->n].seq;

	r = &t->rec[t->n];
	memset(r, 0, sizeof(*r));
	r->seq = seq + 1; /* odd: being written; published by the caller's write_end */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->state = IOC_TR_CHAIN;
	r->dir = ctx->dir;
	r->vnic = (uint16_t)vnic;
	r->lcore = (uint16_t)ctx->lcore_id;
	r->rx_port = md->rx_port;
	r->tsc = ctx->now;
	r->m = m;
	r->md = *md;
	r->pkt_len = rte_pktmbuf_pkt_len(m);
	r->hdr_len = (uint8_t)RTE_MIN(rte_pktmbuf_data_len(m), (uint32_t)IOC_TRACE_HDR);
	memcpy(r->hdr, rte_pktmbuf_mtod(m, const void *), r->hdr_len);
	md->traced = 1;
	return r;
}

/* The index of the counter of the slot's block that moved, -1 if none. */
static int
moved(const uint64_t *blk, const uint64_t *before, unsigned nc)
{
	for (unsigned j = 0; j < nc; j++)
		if (blk[j] != before[j])
			return (int)j;
	return -1;
}

#define MAX_SLOT_COUNTERS 32u

/* One traced packet through the chain from `from`, a step per slot. */
static uint16_t
run_traced(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt, unsigned from,
	   int in_port, struct rte_mbuf **mp, struct ioc_trace_rec *r)
{
	uint16_t n = 1;
	uint8_t verdict = IOC_SV_PASS;

	for (unsigned i = from; i < c->n_slots && n > 0; i++) {
		const struct ioc_slot_inst *s = &c->slot[i];
		const void *priv = __atomic_load_n(&s->priv, __ATOMIC_ACQUIRE);
		uint64_t *blk = cnt + s->cnt_off;
		unsigned nc = RTE_MIN(s->ops->n_reasons + s->ops->n_infos, MAX_SLOT_COUNTERS);
		uint64_t before[MAX_SLOT_COUNTERS];
		uint16_t held = ctx->n_held, reply = ctx->n_reply;
		struct ioc_trace_step *st = NULL;

		blk[IOC_SLOT_IN]++;
		ctx->slot_index = (uint8_t)i;
		ctx->reasons = blk + IOC_SLOT_REASONS;
		memcpy(before, ctx->reasons, nc * sizeof(before[0]));
		if (r->n_steps < IOC_TRACE_STEPS) {
			st = &r->step[r->n_steps++];
			st->pos = (uint8_t)i;
			if (s->ops->note != NULL)
				s->ops->note(priv, ctx, *mp, st->note);
		}
		n = s->ops->process(priv, ctx, mp, 1);
		blk[IOC_SLOT_PASS] += n;
		verdict = n > 0			 ? IOC_SV_PASS
			  : ctx->n_held > held	 ? IOC_SV_HELD
			  : ctx->n_reply > reply ? IOC_SV_REPLY
						 : IOC_SV_DROP;
		if (st != NULL) {
			st->verdict = verdict;
			st->counter = (int16_t)moved(ctx->reasons, before, nc);
		}
	}
	switch (verdict) {
	case IOC_SV_PASS:
		if (in_port >= 0)
			close_rec(r, IOC_TD_PORT, (unsigned)in_port);
		else
			r->state = IOC_TR_CHAIN;
		break;
	case IOC_SV_HELD:
		r->state = IOC_TR_HELD;
		r->held_tsc = ctx->now;
		break;
	case IOC_SV_REPLY:
		close_rec(r, IOC_TD_REPLY, r->rx_port);
		break;
	default:
		close_rec(r, IOC_TD_DROP, 0);
		break;
	}
	return n;
}

uint16_t
ioc_trace_chain_run(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
		    unsigned vnic, unsigned from, int in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct trace_lcore *t = lcore_buf(ctx->lcore_id);
	struct ioc_trace_rec *rec[IOC_BURST];
	bool any = false;
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		rec[i] = find_open(t, pkts[i]);
		if (rec[i] == NULL && from == 0) {
			rec[i] = claim(t, ctx, vnic, pkts[i]);
			if (rec[i] != NULL) {
				/* Published now: what the lcore writes next is under seq. */
				write_end(rec[i]);
				__atomic_store_n(&t->n, t->n + 1, __ATOMIC_RELEASE);
			}
		}
		any |= rec[i] != NULL;
	}
	if (!any)
		return ioc_capture_chain_run(c, ctx, cnt, vnic, from, pkts, n);
	/* Packet by packet, in order: each slot's counters then tell what it did to each. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t out;

		if (rec[i] == NULL) {
			out = ioc_capture_chain_run(c, ctx, cnt, vnic, from, &m, 1);
		} else {
			write_begin(rec[i]);
			out = run_traced(c, ctx, cnt, from, in_port, &m, rec[i]);
			write_end(rec[i]);
		}
		if (out > 0)
			pkts[k++] = m;
	}
	return k;
}

void
ioc_trace_returned(unsigned lcore_id, uint64_t now, struct rte_mbuf **pkts, uint16_t n,
		   bool reclaimed)
{
	struct trace_lcore *t = lcore_buf(lcore_id);

	for (uint16_t i = 0; i < n; i++) {
		struct ioc_trace_rec *r = find_open(t, pkts[i]);

		if (r == NULL)
			continue;
		write_begin(r);
		if (reclaimed) {
			r->reclaimed = 1;
		} else {
			bool deny = ioc_meta(pkts[i])->flags & IOC_F_SVM_DENY;

			r->svm = deny ? 2 : 1;
			r->rtt_tsc = now - r->held_tsc;
			if (deny)
				close_rec(r, IOC_TD_SVM_DENY, 0);
		}
		write_end(r);
	}
}

void
ioc_trace_switched(unsigned lcore_id, struct rte_mbuf *m, enum ioc_trace_dest dest, unsigned port)
{
	struct ioc_trace_rec *r = find_open(lcore_buf(lcore_id), m);

	/* Past the switch the packet is in another chain (or a copy's): not this record's. */
	ioc_meta(m)->traced = 0;
	if (r == NULL || r->state != IOC_TR_CHAIN)
		return;
	write_begin(r);
	close_rec(r, dest, port);
	write_end(r);
}
