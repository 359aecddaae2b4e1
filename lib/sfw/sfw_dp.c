/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2, sfw: the datapath. Runs on forwarding lcores: no allocation, no
 * lock, no log; every packet it does not pass is counted under a reason.
 *
 * Per burst (one vNIC, one direction):
 *   0. a few positions of the connection table are aged (room before opening);
 *   1. sort out what is not plain IPv4 (pass, default_action, malformed);
 *   2. stateful: one rte_hash_lookup_bulk; live connections pass with the
 *      redirect mark they were opened with, expired ones count as absent;
 *   3. one rte_acl_classify over the rest: category 0 gives the dfw rule,
 *      category 1 the redirect rule;
 *   4. verdicts in packet order: allowed packets open connections and get
 *      their mark, rejected ones become replies, the others are freed.
 */
#include <rte_acl.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "conntrack.h"
#include "meta.h"
#include "sfw.h"
#include "sfw_priv.h"

/* What step 1 decides for a packet. */
enum {
	V_PASS = -1,	 /* pass (with profile[i] as its redirect mark) */
	V_CLASSIFY = -2, /* IPv4: look it up, then classify */
			 /* >= 0: an ioc_sfw_reason */
};

static inline uint8_t
tcp_flags(struct rte_mbuf *m, const struct ioc_meta *md)
{
	if (md->l4_proto != IPPROTO_TCP || !(md->flags & IOC_F_L4) ||
	    rte_pktmbuf_data_len(m) < md->l4_off + sizeof(struct rte_tcp_hdr))
		return 0;
	return rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, md->l4_off)->tcp_flags;
}

/* Non-first fragments have no ports: never tracked (sfw.h). */
static inline bool
trackable(const struct ioc_meta *md)
{
	return !(md->flags & IOC_F_FRAG) || (md->flags & IOC_F_L4);
}

static inline void
ct_key_of(const struct ioc_meta *md, uint16_t vnic, uint8_t dir, struct ct_key *k)
{
	bool out = dir == IOC_DIR_OUT;

	k->local_ip = out ? md->src_ip : md->dst_ip;
	k->remote_ip = out ? md->dst_ip : md->src_ip;
	k->local_port = out ? md->src_port : md->dst_port;
	k->remote_port = out ? md->dst_port : md->src_port;
	k->vnic = vnic;
	k->proto = md->l4_proto;
	k->pad = 0;
}

static inline int
default_verdict(const struct sfw_vnic *s)
{
	return s->default_allow ? V_PASS : IOC_SFW_DROP_DEFAULT;
}

uint16_t
sfw_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sfw_vnic *s = priv;
	const struct rte_acl_ctx *acl = s->acl[sfw_dir_index(ctx->dir)];
	struct ct_table *ct = NULL;
	int verdict[IOC_BURST];
	uint16_t profile[IOC_BURST];
	struct ct_key keys[IOC_BURST];
	const void *key_ptr[IOC_BURST];
	int32_t pos[IOC_BURST];
	uint16_t look_idx[IOC_BURST], n_look = 0;
	struct sfw_acl_key acl_keys[IOC_BURST];
	const uint8_t *acl_ptr[IOC_BURST];
	uint32_t results[IOC_BURST * SFW_NB_CAT];
	uint16_t cls_idx[IOC_BURST], n_cls = 0;

	if (s->stateful && ctx->lcore_id < RTE_MAX_LCORE)
		ct = ioc_sfw_ct[ctx->lcore_id];
	/* 0. Aging, bounded. */
	if (ct != NULL)
		ct_age(ct, ctx->now);

	/* 1. Triage. */
	for (uint16_t i = 0; i < n; i++) {
		const struct ioc_meta *md = ioc_meta(pkts[i]);

		profile[i] = 0;
		switch (md->l3) {
		case IOC_L3_IPV4:
			if (unlikely(md->flags & IOC_F_MALFORMED)) {
				verdict[i] = IOC_SFW_DROP_MALFORMED;
			} else {
				verdict[i] = V_CLASSIFY;
				if (ct != NULL && trackable(md)) {
					ct_key_of(md, s->vnic, ctx->dir, &keys[i]);
					key_ptr[n_look] = &keys[i];
					look_idx[n_look++] = i;
				}
			}
			break;
		case IOC_L3_IPV6:
			verdict[i] = default_verdict(s);
			profile[i] = s->unclassified[sfw_dir_index(ctx->dir)];
			break;
		default:
			/* No rule can classify it; the redirect rules still decide (slot 4). */
			verdict[i] = V_PASS;
			profile[i] = s->unclassified[sfw_dir_index(ctx->dir)];
			break;
		}
	}

	/* 2. Live connections skip the rules. */
	if (n_look > 0) {
		rte_hash_lookup_bulk(ct->h, key_ptr, n_look, pos);
		for (uint16_t j = 0; j < n_look; j++) {
			uint16_t i = look_idx[j];
			struct rte_mbuf *m = pkts[i];
			struct ct_entry *e;
			uint8_t flags;

			if (pos[j] < 0)
				continue;
			e = &ct->e[pos[j]];
			/* Deleted by an earlier packet of this burst (expired): absent. */
			if (!e->in_use)
				continue;
			if (e->expire <= ctx->now) {
				ct_delete(ct, e);
				continue;
			}
			flags = tcp_flags(m, ioc_meta(m));
			/* A new SYN on a closing tuple is a new connection: the rules decide. */
			if (e->state >= IOC_SFW_CT_TCP_FIN && e->key.proto == IPPROTO_TCP &&
			    (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG) {
				ct_delete(ct, e);
				continue;
			}
			ct_update(ct, e, ctx->dir == e->open_dir, flags, ctx->now);
			verdict[i] = V_PASS;
			profile[i] = e->profile;
		}
	}

	/* 3. One classify for everything still undecided. */
	for (uint16_t i = 0; i < n; i++) {
		if (verdict[i] != V_CLASSIFY)
			continue;
		const struct ioc_meta *md = ioc_meta(pkts[i]);
		struct sfw_acl_key *k = &acl_keys[n_cls];
		bool ports = md->flags & IOC_F_L4;

		*k = (struct sfw_acl_key){
			.proto = md->l4_proto,
			.src_ip = md->src_ip,
			.dst_ip = md->dst_ip,
			.src_port = ports ? md->src_port : 0,
			.dst_port = ports ? md->dst_port : 0,
		};
		acl_ptr[n_cls] = (const uint8_t *)k;
		cls_idx[n_cls++] = i;
	}
	if (n_cls > 0) {
		if (acl != NULL)
			rte_acl_classify(acl, acl_ptr, results, n_cls, SFW_NB_CAT);
		else
			memset(results, 0, sizeof(results[0]) * n_cls * SFW_NB_CAT);
	}

	/* 4. Verdicts, in packet order: connections open as their first packet passes. */
	const struct sfw_hits *h = &s->hits;
	uint64_t *hits = NULL;
	if (ctx->lcore_id < RTE_MAX_LCORE && h->row[ctx->lcore_id] >= 0)
		hits = h->v + (unsigned)h->row[ctx->lcore_id] * h->row_len;
	for (uint16_t j = 0; j < n_cls; j++) {
		uint16_t i = cls_idx[j];
		struct rte_mbuf *m = pkts[i];
		const struct ioc_meta *md = ioc_meta(m);
		uint32_t rule = results[j * SFW_NB_CAT + SFW_CAT_DFW];
		uint32_t redirect = results[j * SFW_NB_CAT + SFW_CAT_REDIRECT];
		int action;

		if (rule == 0) {
			verdict[i] = default_verdict(s);
		} else {
			if (hits != NULL)
				hits[rule - 1]++;
			action = s->action[rule - 1];
			verdict[i] = action == IOC_ACT_ALLOW	? V_PASS
				     : action == IOC_ACT_REJECT ? IOC_SFW_REJECT
								: IOC_SFW_DROP_RULE;
		}
		if (verdict[i] != V_PASS)
			continue;
		/* Only what the firewall lets through is marked for a service. */
		profile[i] = redirect == 0 ? 0 : s->redirect[redirect - 1];
		if (ct != NULL && trackable(md)) {
			struct ct_key k;

			ct_key_of(md, s->vnic, ctx->dir, &k);
			uint8_t f = tcp_flags(m, md);

			if (ct_open(ct, &k, ctx->dir, f, profile[i], ctx->now) < 0) {
				/* Full: a bounded sweep may make room; if it frees nothing, a
				 * second attempt would only repeat the failed lookup. */
				uint64_t before = ct->n_entries;

				ct_age(ct, ctx->now);
				if (ct->n_entries == before ||
				    ct_open(ct, &k, ctx->dir, f, profile[i], ctx->now) < 0)
					verdict[i] = IOC_SFW_DROP_CONN_FULL;
			}
		}
	}

	/* Compaction: survivors in order, replies to the caller, the rest freed. */
	struct rte_mbuf *dropped[IOC_BURST];
	uint16_t kept = 0, nd = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int why = verdict[i];

		if (likely(why == V_PASS)) {
			ioc_meta(m)->profile = profile[i];
			pkts[kept++] = m;
			continue;
		}
		if (why == IOC_SFW_REJECT) {
			if (ctx->n_reply < IOC_BURST && sfw_reject_build(m) == 0) {
				ctx->reasons[why]++;
				ctx->reply[ctx->n_reply++] = m;
				continue;
			}
			/* Not answerable (a fragment, an ICMP error, a broadcast): dropped. */
			why = IOC_SFW_DROP_RULE;
		}
		ctx->reasons[why]++;
		dropped[nd++] = m;
	}
	if (nd > 0)
		rte_pktmbuf_free_bulk(dropped, nd);
	return kept;
}
