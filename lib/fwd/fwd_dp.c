/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding lcores' burst loop. Runs on datapath lcores only: no
 * allocation but mbufs, no locks, no logs; every drop has a counter.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "fwd.h"
#include "meta.h"
#include "svc.h"
#include "capture.h"
#include "trace.h"

static inline void
tx_flush_port(struct ioc_lcore *lc, unsigned port)
{
	struct ioc_txbuf *b = &lc->tx[port];
	uint16_t sent;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(lc->dp->ports[port].port_id, lc->txq, b->pkts, b->n);
	lc->port_cnt[port][IOC_PC_TX] += sent;
	if (unlikely(sent < b->n)) {
		lc->port_cnt[port][IOC_PC_TX_DROP_FULL] += b->n - sent;
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
	}
	b->n = 0;
}

/*
 * A chain for a port without MULTI_SEGS: copied into its first segment when
 * it fits and that segment is ours to write, else dropped. False if dropped.
 */
static bool
tx_single_segment(struct ioc_lcore *lc, unsigned port, struct rte_mbuf *m)
{
	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 && rte_pktmbuf_linearize(m) == 0) {
		lc->port_cnt[port][IOC_PC_TX_LINEARIZED]++;
		return true;
	}
	lc->port_cnt[port][IOC_PC_TX_DROP_SEGS]++;
	rte_pktmbuf_free(m);
	return false;
}

static inline void
tx_enqueue(struct ioc_lcore *lc, unsigned port, struct rte_mbuf *m)
{
	struct ioc_txbuf *b = &lc->tx[port];

	lc->port_cnt[port][IOC_PC_TX_QUEUED]++;
	if (unlikely(m->nb_segs > 1) && !lc->dp->ports[port].tx_multi_seg &&
	    !tx_single_segment(lc, port, m))
		return;
	b->pkts[b->n++] = m;
	if (b->n == IOC_BURST)
		tx_flush_port(lc, port);
}

/*
 * Towards a VM: on an access VLAN its slot 1 let in only frames with exactly
 * that 802.1Q tag (or its own frames, tagged on the way out), which the VM
 * receives untagged.
 */
static inline void
tx_vnic(struct ioc_lcore *lc, unsigned vnic, struct rte_mbuf *m)
{
	const struct ioc_vnic_dp *v = &lc->dp->vnics[vnic];

	if (v->vlan_access && rte_vlan_strip(m) == 0)
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	tx_enqueue(lc, v->port, m);
}

/* Hand a packet to vNIC `vnic`'s in-chain, run when the burst is switched. */
static inline void
stage(struct ioc_lcore *lc, unsigned vnic, struct rte_mbuf *m)
{
	struct ioc_txbuf *s = &lc->stage[vnic];
	struct ioc_meta *md = ioc_meta(m);

	md->vnic = vnic;
	md->dir = IOC_DIR_IN;
	md->next_slot = 0;
	if (s->n == 0)
		lc->active[lc->n_active++] = vnic;
	s->pkts[s->n++] = m;
}

/* A chain run's context for this lcore, `dir` and now. */
static inline void
ctx_init(struct ioc_slot_ctx *ctx, struct ioc_lcore *lc, unsigned dir)
{
	ctx->lcore_id = lc->lcore_id;
	ctx->now = lc->now;
	ctx->dir = (uint8_t)dir;
	ctx->n_held = 0;
	ctx->n_reply = 0;
}

/*
 * vNIC `vnic`'s chain from position `from`; in_port: where the inbound
 * chain's survivors go (-1 outbound). An armed trace or a capture costs a branch here.
 */
static inline uint16_t
chain_run(struct ioc_lcore *lc, struct ioc_slot_ctx *ctx, unsigned vnic, unsigned from, int in_port,
	  struct rte_mbuf **pkts, uint16_t n)
{
	const struct ioc_chain *c = &lc->dp->vnics[vnic].chain;

	if (ioc_trace_active())
		return ioc_trace_chain_run(c, ctx, lc->slot_cnt[vnic], vnic, from, in_port, pkts,
					   n);
	if (ioc_capture_active())
		return ioc_capture_chain_run(c, ctx, lc->slot_cnt[vnic], vnic, from, pkts, n);
	return ioc_chain_run_from(c, ctx, lc->slot_cnt[vnic], from, pkts, n);
}

/*
 * Replies a chain run of vNIC `vnic` made (chain.h): queued until the burst
 * they came from is switched, then continue_run() takes each through the rest
 * of the chain the other way: an answer in the vNIC's name (its in-chain
 * refused a packet) goes on out like its own frames, is switched, and reaches
 * another vNIC through that vNIC's in-chain; an answer to the vNIC (its
 * out-chain refused) goes on in, to the vNIC. Counted on the vNIC's port
 * (reply), where each then ends like a received packet.
 */
static inline void
queue_replies(struct ioc_lcore *lc, const struct ioc_slot_ctx *ctx, unsigned vnic)
{
	uint64_t *pc = lc->port_cnt[vnic];

	for (uint16_t i = 0; i < ctx->n_reply; i++) {
		struct rte_mbuf *m = ctx->reply[i];
		struct ioc_meta *md = ioc_meta(m);
		uint8_t from = md->next_slot;

		/* Never full: a burst makes at most one reply per packet, and no reply is answered.
		 */
		if (unlikely(lc->n_replies == RTE_DIM(lc->replies)) ||
		    unlikely(ioc_meta_parse(m, md) < 0)) {
			pc[IOC_PC_REPLY_DROP]++;
			rte_pktmbuf_free(m);
			continue;
		}
		md->rx_port = (uint16_t)vnic;
		md->vnic = (uint16_t)vnic;
		md->dir = ctx->dir == IOC_DIR_IN ? IOC_DIR_OUT : IOC_DIR_IN;
		md->next_slot = from;
		pc[IOC_PC_REPLY]++;
		lc->replies[lc->n_replies++] = m;
	}
}

/* Run the staged in-chains and queue what survives to each vNIC's port. */
static void
run_staged(struct ioc_lcore *lc, unsigned rx_port)
{
	struct ioc_dp *dp = lc->dp;
	uint64_t *pc = lc->port_cnt[rx_port];
	struct ioc_slot_ctx ctx;

	for (unsigned a = 0; a < lc->n_active; a++) {
		unsigned v = lc->active[a];
		struct ioc_txbuf *s = &lc->stage[v];

		ctx_init(&ctx, lc, IOC_DIR_IN);
		uint16_t n = chain_run(lc, &ctx, v, 0, (int)dp->vnics[v].port, s->pkts, s->n);
		pc[IOC_PC_FWD_VNIC] += n;
		pc[IOC_PC_HELD] += ctx.n_held;
		lc->held_since += ctx.n_held;
		pc[IOC_PC_DROP_IN_CHAIN] += s->n - n - ctx.n_held;
		for (uint16_t i = 0; i < n; i++)
			tx_vnic(lc, v, s->pkts[i]);
		s->n = 0;
		queue_replies(lc, &ctx, v);
	}
	lc->n_active = 0;
}

static inline void
deliver(struct ioc_lcore *lc, uint64_t *pc, unsigned port, struct rte_mbuf *m)
{
	if (lc->dp->ports[port].kind == IOC_PORT_VNIC) {
		stage(lc, port, m);
	} else {
		pc[IOC_PC_FWD_UPLINK]++;
		tx_enqueue(lc, port, m);
	}
}

/* The original goes to the last destination, a copy to each of the others. */
static inline void
flood_one(struct ioc_lcore *lc, uint64_t *pc, struct rte_mbuf *m, unsigned port, bool last)
{
	struct rte_mbuf *c = m;

	if (!last) {
		c = rte_pktmbuf_copy(m, lc->dp->pool, 0, UINT32_MAX);
		if (unlikely(c == NULL)) {
			pc[IOC_PC_FLOOD_NOMEM]++;
			return;
		}
		pc[IOC_PC_FLOOD_COPY]++;
	}
	deliver(lc, pc, port, c);
}

/* Every vNIC of the segment but the sender, and the uplink when a vNIC sent it. */
static void
flood(struct ioc_lcore *lc, unsigned rx_port, struct rte_mbuf *m)
{
	struct ioc_dp *dp = lc->dp;
	const struct ioc_port_dp *p = &dp->ports[rx_port];
	const struct ioc_segment *seg = &dp->segments[p->segment];
	bool from_vnic = p->kind == IOC_PORT_VNIC;
	bool to_uplink = from_vnic && seg->uplink_port >= 0;
	unsigned total = seg->n_vnics - from_vnic + to_uplink;
	uint64_t *pc = lc->port_cnt[rx_port];
	unsigned done = 0;

	if (total == 0) {
		pc[IOC_PC_DROP_NO_DEST]++;
		rte_pktmbuf_free(m);
		return;
	}
	pc[IOC_PC_FLOOD]++;
	ioc_meta(m)->flags |= IOC_F_FLOOD;
	for (unsigned i = 0; i < seg->n_vnics; i++) {
		if (seg->vnics[i] != rx_port)
			flood_one(lc, pc, m, seg->vnics[i], ++done == total);
	}
	if (to_uplink)
		flood_one(lc, pc, m, seg->uplink_port, ++done == total);
}

static void
switch_burst(struct ioc_lcore *lc, unsigned rx_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct ioc_dp *dp = lc->dp;
	const struct ioc_port_dp *p = &dp->ports[rx_port];
	const struct ioc_segment *seg = &dp->segments[p->segment];
	uint64_t *pc = lc->port_cnt[rx_port];
	const void *keys[IOC_BURST];
	void *data[IOC_BURST];
	uint64_t hits = 0;

	for (uint16_t i = 0; i < n; i++)
		keys[i] = &rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *)->dst_addr;
	rte_hash_lookup_bulk_data(dp->mac_table, keys, n, &hits, data);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		unsigned dst = (unsigned)(uintptr_t)data[i];
		const struct ioc_meta *md = ioc_meta(m);
		enum ioc_trace_dest to = IOC_TD_PORT;

		if (unlikely(md->flags & IOC_F_BCAST))
			to = IOC_TD_FLOOD;
		else if ((hits >> i & 1) && dp->vnics[dst].segment == p->segment)
			to = unlikely(dst == rx_port) ? IOC_TD_LOOP : IOC_TD_PORT;
		else if (p->kind == IOC_PORT_VNIC && seg->uplink_port >= 0)
			dst = (unsigned)seg->uplink_port;
		else
			to = IOC_TD_NO_DEST;
		if (unlikely(md->traced))
			ioc_trace_switched(lc->lcore_id, m, to, dst);

		switch (to) {
		case IOC_TD_FLOOD:
			flood(lc, rx_port, m);
			break;
		case IOC_TD_PORT:
			deliver(lc, pc, dst, m);
			break;
		case IOC_TD_LOOP:
			pc[IOC_PC_DROP_LOOP]++;
			rte_pktmbuf_free(m);
			break;
		default:
			pc[IOC_PC_DROP_NO_DEST]++;
			rte_pktmbuf_free(m);
			break;
		}
	}
}

/*
 * A run of packets that share vNIC, direction, rx port and slot goes on in
 * the chain from `from`, then where that direction leads: switched (out) or
 * to the vNIC (in).
 */
static void
continue_run(struct ioc_lcore *lc, struct rte_mbuf **pkts, uint16_t n, unsigned from)
{
	struct ioc_dp *dp = lc->dp;
	const struct ioc_meta first = *ioc_meta(pkts[0]);
	uint64_t *pc = lc->port_cnt[first.rx_port];
	enum ioc_port_counter drop =
		first.dir == IOC_DIR_OUT ? IOC_PC_DROP_OUT_CHAIN : IOC_PC_DROP_IN_CHAIN;
	struct ioc_slot_ctx ctx;
	uint16_t k = n;

	ctx_init(&ctx, lc, first.dir);
	n = chain_run(lc, &ctx, first.vnic, from,
		      first.dir == IOC_DIR_OUT ? -1 : (int)dp->vnics[first.vnic].port, pkts, k);
	pc[IOC_PC_HELD] += ctx.n_held;
	lc->held_since += ctx.n_held;
	pc[drop] += k - n - ctx.n_held;
	if (first.dir == IOC_DIR_OUT) {
		if (n > 0)
			switch_burst(lc, first.rx_port, pkts, n);
		run_staged(lc, first.rx_port);
	} else {
		pc[IOC_PC_FWD_VNIC] += n;
		for (uint16_t i = 0; i < n; i++)
			tx_vnic(lc, first.vnic, pkts[i]);
	}
	queue_replies(lc, &ctx, first.vnic);
}

/*
 * Resume a run of packets that share vNIC, direction, rx port and slot, given
 * back to the slot that held them (its collect): returned after it (those it
 * stops freed), or reclaimed undelivered, to go through that slot again.
 */
static void
resume_run(struct ioc_lcore *lc, struct rte_mbuf **pkts, uint16_t n, bool reclaimed)
{
	struct ioc_dp *dp = lc->dp;
	const struct ioc_meta first = *ioc_meta(pkts[0]);
	const struct ioc_chain *c = &dp->vnics[first.vnic].chain;
	uint64_t *pc = lc->port_cnt[first.rx_port];
	uint64_t *cnt = lc->slot_cnt[first.vnic];
	const struct ioc_slot_inst *holder = &c->slot[first.next_slot - 1];
	enum ioc_port_counter drop =
		first.dir == IOC_DIR_OUT ? IOC_PC_DROP_OUT_CHAIN : IOC_PC_DROP_IN_CHAIN;
	uint16_t k = n;

	pc[IOC_PC_RESUMED] += n;
	if (ioc_trace_active())
		ioc_trace_returned(lc->lcore_id, lc->now, pkts, n, reclaimed);
	if (holder->ops->collect != NULL) {
		struct ioc_slot_ctx ctx;

		ctx_init(&ctx, lc, first.dir);
		ctx.slot_index = (uint8_t)(first.next_slot - 1);
		ctx.reasons = cnt + holder->cnt_off + IOC_SLOT_REASONS;
		k = holder->ops->collect(__atomic_load_n(&holder->priv, __ATOMIC_ACQUIRE), &ctx,
					 pkts, n, reclaimed);
		pc[drop] += n - k;
	}
	if (k > 0)
		continue_run(lc, pkts, k, first.next_slot - reclaimed);
}

/* The replies the last burst made, until none is left (a reply's own run may make more). */
static void
flush_replies(struct ioc_lcore *lc)
{
	for (uint16_t i = 0, j; i < lc->n_replies; i = j) {
		const struct ioc_meta *md = ioc_meta(lc->replies[i]);

		for (j = i + 1; j < lc->n_replies; j++) {
			const struct ioc_meta *o = ioc_meta(lc->replies[j]);

			if (o->vnic != md->vnic || o->dir != md->dir ||
			    o->next_slot != md->next_slot)
				break;
		}
		continue_run(lc, lc->replies + i, j - i, md->next_slot);
	}
	lc->n_replies = 0;
}

static inline bool
same_run(const struct ioc_meta *a, const struct ioc_meta *b)
{
	return a->vnic == b->vnic && a->dir == b->dir && a->rx_port == b->rx_port &&
	       a->next_slot == b->next_slot;
}

static void
resume_all(struct ioc_lcore *lc, struct rte_mbuf **pkts, uint16_t n, bool reclaimed)
{
	for (uint16_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && same_run(ioc_meta(pkts[j]), ioc_meta(pkts[i])); j++)
			;
		resume_run(lc, pkts + i, j - i, reclaimed);
	}
	flush_replies(lc);
}

/* The least a poll takes back from the workers, whatever it handed them. */
#define IOC_RESUME_MIN (4u * IOC_BURST)

/*
 * What the SVM workers sent back to this lcore resumes after the slot that
 * sent it; what this lcore queued to workers that stopped serving is taken
 * back. Each is taken burst by burst until the rings are empty or the budget
 * is spent: at least what this lcore handed to workers since the last time,
 * so the return path keeps up with what the RX side sends (packets redirected
 * again meanwhile count towards the next poll's budget). Both start one
 * worker further every burst, so no worker's backlog starves another's.
 */
static unsigned
resume_returns(struct ioc_lcore *lc)
{
	struct rte_mbuf *pkts[IOC_BURST];
	unsigned budget = RTE_MAX(lc->held_since, IOC_RESUME_MIN), got = 0, took = 0;
	uint16_t n;

	lc->held_since = 0;
	do {
		n = ioc_svc_collect(lc->dp->svc, lc->lcore_id, &lc->collect_rr, pkts, IOC_BURST);
		resume_all(lc, pkts, n, false);
		got += n;
	} while (n == IOC_BURST && got < budget);
	do {
		n = ioc_svc_reclaim(lc->dp->svc, lc->lcore_id, &lc->reclaim_rr, pkts, IOC_BURST);
		resume_all(lc, pkts, n, true);
		took += n;
	} while (n == IOC_BURST && took < budget);
	return got + took;
}

void
ioc_fwd_burst(struct ioc_lcore *lc, unsigned port, struct rte_mbuf **pkts, uint16_t n)
{
	struct ioc_dp *dp = lc->dp;
	const struct ioc_port_dp *p = &dp->ports[port];
	uint64_t *pc = lc->port_cnt[port];
	uint16_t k = 0;

	pc[IOC_PC_RX] += n;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct ioc_meta *md = ioc_meta(m);

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(ioc_meta_parse(m, md) < 0)) {
			pc[IOC_PC_DROP_RUNT]++;
			rte_pktmbuf_free(m);
			continue;
		}
		md->rx_port = port;
		md->vnic = port;
		md->dir = IOC_DIR_OUT;
		pkts[k++] = m;
	}
	n = k;

	if (p->kind == IOC_PORT_VNIC) {
		struct ioc_slot_ctx ctx;

		ctx_init(&ctx, lc, IOC_DIR_OUT);
		n = chain_run(lc, &ctx, port, 0, -1, pkts, n);
		pc[IOC_PC_HELD] += ctx.n_held;
		lc->held_since += ctx.n_held;
		pc[IOC_PC_DROP_OUT_CHAIN] += k - n - ctx.n_held;
		queue_replies(lc, &ctx, port);
	}
	if (n > 0)
		switch_burst(lc, port, pkts, n);
	run_staged(lc, port);
	flush_replies(lc);
}

void
ioc_fwd_flush(struct ioc_lcore *lc)
{
	for (unsigned p = 0; p < lc->dp->n_ports; p++)
		tx_flush_port(lc, p);
}

unsigned
ioc_fwd_poll(struct ioc_lcore *lc)
{
	struct rte_mbuf *pkts[IOC_BURST];
	unsigned total = 0;

	lc->now = rte_get_tsc_cycles();
	for (unsigned q = 0; q < lc->n_rxq; q++) {
		const struct ioc_rxq *rq = &lc->rxq[q];
		uint16_t n = rte_eth_rx_burst(rq->port_id, rq->queue, pkts, IOC_BURST);

		if (n == 0)
			continue;
		total += n;
		ioc_fwd_burst(lc, rq->port, pkts, n);
	}
	if (lc->dp->svc != NULL)
		total += resume_returns(lc);
	ioc_fwd_flush(lc);
	lc->polls++;
	if (total > 0)
		lc->busy_tsc += rte_get_tsc_cycles() - lc->now;
	rte_rcu_qsbr_quiescent(lc->dp->qsbr, lc->txq);
	return total;
}

int
ioc_fwd_main(void *arg)
{
	struct ioc_lcore *lc = arg;

	rte_rcu_qsbr_thread_register(lc->dp->qsbr, lc->txq);
	rte_rcu_qsbr_thread_online(lc->dp->qsbr, lc->txq);
	unsigned idle = 0, sleep_us = lc->dp->topo->host.idle_sleep_us;

	ioc_idle_thread_init();
	while (!__atomic_load_n(&lc->dp->quit, __ATOMIC_RELAXED))
		ioc_idle_backoff(&idle, ioc_fwd_poll(lc), sleep_us, lc->yield);
	ioc_fwd_flush(lc);
	rte_rcu_qsbr_thread_offline(lc->dp->qsbr, lc->txq);
	rte_rcu_qsbr_thread_unregister(lc->dp->qsbr, lc->txq);
	return 0;
}
