/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2, sfw: the datapath. Runs on forwarding lcores: no allocation, no
 * lock, no log; every packet it does not pass is counted under a reason.
 *
 * Per burst (one vNIC, one direction), sfw_process runs these steps:
 *   age       a few positions of the connection table (room before opening);
 *   triage    sort out what is not IPv4 or IPv6 (pass), IPv6 neighbour
 *             discovery and MLD (pass), malformed packets (drop);
 *   track     stateful: one rte_hash_lookup_bulk; live connections pass with
 *             the redirect mark they were opened with (one opened under rules
 *             a reload replaced is classified again: remark), expired ones are
 *             absent;
 *             an ICMP error is looked up by the packet it quotes (related);
 *   classify  one rte_acl_classify per family over the rest: category 0
 *             gives the dfw rule, category 1 the redirect rule;
 *   decide    verdicts in packet order: allowed packets open connections (an
 *             ICMP error never does) and get their mark (conntrack.h: TCP with a SYN only, unless
 *             tcp_pickup; a full table or a vNIC at max_connections evicts an
 *             unanswered entry first);
 *   compact   survivors in order, rejected packets become replies, the rest
 *             are freed.
 */
#include <rte_acl.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "conntrack.h"
#include "meta.h"
#include "sfw.h"
#include "sfw_priv.h"

/* ICMP types that quote the packet they answer (RFC 792). */
enum {
	ICMP_UNREACH = 3,
	ICMP_QUENCH = 4,
	ICMP_TIME_EXCEEDED = 11,
	ICMP_PARAMETER = 12,
};

/*
 * ICMPv6 (RFC 4443): the errors, types 1 (unreachable), 2 (packet too big),
 * 3 (time exceeded) and 4 (parameter problem), quote the packet they answer.
 */
#define ICMP6_ERROR_MAX 4

/* What triage decides for a packet. */
enum {
	V_PASS = -1,	 /* pass (with profile[i] as its redirect mark) */
	V_CLASSIFY = -2, /* IPv4 or IPv6: look it up, then classify */
			 /* >= 0: an ioc_sfw_reason */
};

/* One burst's working state, on the caller's stack. */
struct sfw_burst {
	const struct sfw_vnic *s;
	struct ioc_slot_ctx *ctx;
	struct ct_table *ct; /* NULL: stateless */
	struct rte_mbuf **pkts;
	uint16_t n;
	int verdict[IOC_BURST];
	uint16_t profile[IOC_BURST];
	bool icmp_error[IOC_BURST]; /* never opens a connection; may belong to one */
	/* A live connection opened under rules a reload replaced: its key index + 1, else 0. */
	uint16_t remark[IOC_BURST];
	/* track: the keys of trackable packets (an ICMP error's: of the packet it quotes) */
	struct ct_key keys[IOC_BURST];
	bool related[IOC_BURST];
	uint16_t look_idx[IOC_BURST], n_look;
	/* classify: the packets still undecided and their results */
	uint16_t cls_idx[IOC_BURST], n_cls;
	uint32_t results[IOC_BURST * SFW_NB_CAT];
};

/* The ICMP errors that quote the packet they answer: unreachable, quench, time exceeded, parameter.
 */
static inline bool
is_icmp_error(struct rte_mbuf *m, const struct ioc_meta *md)
{
	if (!(md->flags & IOC_F_L4) || (md->flags & IOC_F_FRAG))
		return false;
	if (md->l4_proto == IPPROTO_ICMPV6)
		return *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off) <= ICMP6_ERROR_MAX;
	if (md->l4_proto != IPPROTO_ICMP)
		return false;
	uint8_t type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off);

	return type == ICMP_UNREACH || type == ICMP_QUENCH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETER;
}

/*
 * The ports a quoted packet's key has (ct_key_of): TCP and UDP ports, an
 * echo's identifier twice; none for the rest. false: a quoted ICMP message
 * other than an echo, which no connection holds.
 */
static bool
quoted_ports(uint8_t proto, const uint8_t *l4, uint16_t *sport, uint16_t *dport)
{
	*sport = 0;
	*dport = 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		memcpy(sport, l4, 2);
		memcpy(dport, l4 + 2, 2);
		return true;
	case IPPROTO_ICMP:
		if (l4[0] != RTE_IP_ICMP_ECHO_REQUEST && l4[0] != RTE_IP_ICMP_ECHO_REPLY)
			return false;
		break;
	case IPPROTO_ICMPV6:
		if (l4[0] != IOC_ICMP6_ECHO_REQUEST && l4[0] != IOC_ICMP6_ECHO_REPLY)
			return false;
		break;
	default:
		return true;
	}
	memcpy(sport, l4 + 4, 2);
	*dport = *sport;
	return true;
}

/*
 * The key of the connection an ICMP or ICMPv6 error belongs to (audit L9),
 * from the IP header and the 8 bytes it quotes. The quoted packet went the
 * other way, so its source is the vNIC's end when the error comes in; and an
 * error about the vNIC's packet must be addressed to the vNIC's end. false:
 * no such key. A quoted IPv6 packet is keyed by the header after its fixed
 * one, extension headers not walked (a connection with them is not found:
 * its error meets the rules).
 */
static bool
related_key(struct rte_mbuf *m, const struct ioc_meta *md, uint16_t vnic, uint8_t dir,
	    struct ct_key *k)
{
	uint32_t off = md->l4_off + sizeof(struct rte_icmp_hdr), len = rte_pktmbuf_data_len(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *qsrc, *qdst, *l4;
	uint16_t sport, dport;
	uint8_t proto, me[16];
	bool in = dir == IOC_DIR_IN;

	if (md->l3 == IOC_L3_IPV6) {
		if (off + sizeof(struct rte_ipv6_hdr) + 8 > len)
			return false;
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(p + off);

		if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
			return false;
		proto = ip->proto;
		qsrc = ip->src_addr;
		qdst = ip->dst_addr;
		l4 = (const uint8_t *)(ip + 1);
		memcpy(k->local_ip, in ? qsrc : qdst, 16);
		memcpy(k->remote_ip, in ? qdst : qsrc, 16);
		memcpy(me, in ? ipv6_hdr_of(m, md)->dst_addr : ipv6_hdr_of(m, md)->src_addr, 16);
		k->family = 6;
	} else {
		if (off + sizeof(struct rte_ipv4_hdr) > len)
			return false;
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
		uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;

		if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || off + hlen + 8 > len ||
		    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)))
			return false;
		proto = ip->next_proto_id;
		l4 = (const uint8_t *)ip + hlen;
		ct_addr4(k->local_ip, in ? ip->src_addr : ip->dst_addr);
		ct_addr4(k->remote_ip, in ? ip->dst_addr : ip->src_addr);
		ct_addr4(me, in ? md->dst_ip : md->src_ip);
		k->family = 4;
	}
	if (!quoted_ports(proto, l4, &sport, &dport))
		return false;
	k->local_port = in ? sport : dport;
	k->remote_port = in ? dport : sport;
	k->vnic = vnic;
	k->proto = proto;
	return memcmp(k->local_ip, me, 16) == 0;
}

static inline int
default_verdict(const struct sfw_vnic *s)
{
	return s->default_allow ? V_PASS : IOC_SFW_DROP_DEFAULT;
}

/*
 * IPv4 and IPv6 go on to the rules (their keys to the table when tracked);
 * the rest is decided here.
 */
static void
triage(struct sfw_burst *b)
{
	for (uint16_t i = 0; i < b->n; i++) {
		const struct ioc_meta *md = ioc_meta(b->pkts[i]);

		b->profile[i] = 0;
		b->icmp_error[i] = false;
		b->remark[i] = 0;
		switch (md->l3) {
		case IOC_L3_IPV6:
			if (likely(!(md->flags & IOC_F_MALFORMED)) &&
			    unlikely(is_link_plumbing(b->pkts[i], md))) {
				b->verdict[i] = V_PASS;
				b->profile[i] = b->s->unclassified[sfw_dir_index(b->ctx->dir)];
				break;
			}
			/* fall through */
		case IOC_L3_IPV4:
			if (unlikely(md->flags & IOC_F_MALFORMED)) {
				b->verdict[i] = IOC_SFW_DROP_MALFORMED;
				break;
			}
			b->verdict[i] = V_CLASSIFY;
			b->icmp_error[i] = is_icmp_error(b->pkts[i], md);
			if (b->ct == NULL || !trackable(md))
				break;
			if (b->icmp_error[i]) {
				if (!related_key(b->pkts[i], md, b->s->vnic, b->ctx->dir,
						 &b->keys[b->n_look]))
					break;
			} else {
				ct_key_of(b->pkts[i], md, b->s->vnic, b->ctx->dir,
					  &b->keys[b->n_look]);
			}
			b->related[b->n_look] = b->icmp_error[i];
			b->look_idx[b->n_look++] = i;
			break;
		default:
			/* No rule can classify it; the redirect rules still decide (slot 4). */
			b->verdict[i] = V_PASS;
			b->profile[i] = b->s->unclassified[sfw_dir_index(b->ctx->dir)];
			break;
		}
	}
}

/* Live connections skip the rules and keep the mark they were opened with. */
static void
track(struct sfw_burst *b)
{
	struct ct_table *ct = b->ct;
	const void *key_ptr[IOC_BURST];
	int32_t pos[IOC_BURST];
	uint64_t now = b->ctx->now;

	if (b->n_look == 0)
		return;
	for (uint16_t j = 0; j < b->n_look; j++)
		key_ptr[j] = &b->keys[j];
	rte_hash_lookup_bulk(ct->h, key_ptr, b->n_look, pos);
	for (uint16_t j = 0; j < b->n_look; j++) {
		uint16_t i = b->look_idx[j];
		struct rte_mbuf *m = b->pkts[i];
		struct ct_entry *e;
		uint8_t flags;

		if (pos[j] < 0)
			continue;
		e = &ct->e[pos[j]];
		/* Deleted by an earlier packet of this burst (expired): absent. */
		if (!e->in_use)
			continue;
		if (e->expire <= now) {
			ct_delete(ct, e);
			continue;
		}
		/* An ICMP error of a live connection passes with its mark and refreshes nothing. */
		if (b->related[j]) {
			b->verdict[i] = V_PASS;
			b->profile[i] = e->profile;
			continue;
		}
		flags = tcp_flags(m, ioc_meta(m));
		if (ct_reopened(e, flags)) {
			ct_delete(ct, e);
			continue;
		}
		ct_update(ct, e, b->ctx->dir == e->open_dir, flags, now);
		if (unlikely(e->gen != b->s->ct_policy.gen)) {
			/* Opened under replaced rules: the redirect rules mark it again (decide).
			 */
			b->remark[i] = (uint16_t)(j + 1);
			continue;
		}
		b->verdict[i] = V_PASS;
		b->profile[i] = e->profile;
	}
}

/*
 * A live connection's packet classified again after a reload: it passes (the
 * connection stays), with the mark the new redirect rules give, which its
 * entry keeps from now on.
 */
static void
remark(struct sfw_burst *b, uint16_t i, uint16_t mark)
{
	const struct ct_key *k = &b->keys[b->remark[i] - 1];
	int32_t pos = rte_hash_lookup(b->ct->h, k);

	/* Looked up again: an entry of this burst may have been evicted meanwhile. */
	if (pos >= 0 && b->ct->e[pos].in_use) {
		b->ct->e[pos].profile = mark;
		b->ct->e[pos].gen = b->s->ct_policy.gen;
	}
	b->verdict[i] = V_PASS;
	b->profile[i] = mark;
}

/*
 * One classify per family for everything still undecided: the IPv4 packets
 * first, then the IPv6 ones (each in burst order: a flow is of one family),
 * their results in that order.
 */
static void
classify(struct sfw_burst *b)
{
	unsigned d = sfw_dir_index(b->ctx->dir);
	struct sfw_acl_key acl_keys[IOC_BURST];
	struct sfw_acl_key6 acl_keys6[IOC_BURST];
	const uint8_t *acl_ptr[IOC_BURST];
	uint16_t n4;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];

		if (b->verdict[i] != V_CLASSIFY || ioc_meta(m)->l3 != IOC_L3_IPV4)
			continue;
		acl_key_of(ioc_meta(m), &acl_keys[b->n_cls]);
		acl_ptr[b->n_cls] = (const uint8_t *)&acl_keys[b->n_cls];
		b->cls_idx[b->n_cls++] = i;
	}
	n4 = b->n_cls;
	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];

		if (b->verdict[i] != V_CLASSIFY || ioc_meta(m)->l3 != IOC_L3_IPV6)
			continue;
		acl_key6_of(m, ioc_meta(m), &acl_keys6[b->n_cls - n4]);
		acl_ptr[b->n_cls] = (const uint8_t *)&acl_keys6[b->n_cls - n4];
		b->cls_idx[b->n_cls++] = i;
	}
	memset(b->results, 0, sizeof(b->results[0]) * b->n_cls * SFW_NB_CAT);
	if (n4 > 0 && b->s->acl[d] != NULL)
		rte_acl_classify(b->s->acl[d], acl_ptr, b->results, n4, SFW_NB_CAT);
	if (b->n_cls > n4 && b->s->acl6[d] != NULL)
		rte_acl_classify(b->s->acl6[d], acl_ptr + n4, b->results + n4 * SFW_NB_CAT,
				 b->n_cls - n4, SFW_NB_CAT);
}

/* This lcore's row of rule hit counters, or NULL. */
static inline uint64_t *
hits_row(const struct sfw_vnic *s, unsigned lcore)
{
	const struct sfw_hits *h = &s->hits;

	if (lcore >= RTE_MAX_LCORE || h->row[lcore] < 0)
		return NULL;
	return h->v + (unsigned)h->row[lcore] * h->row_len;
}

/* The rule's verdict; counts its hit. */
static inline int
rule_verdict(const struct sfw_vnic *s, uint32_t rule, uint64_t *hits)
{
	if (rule == 0)
		return default_verdict(s);
	if (hits != NULL)
		hits[rule - 1]++;
	switch (s->action[rule - 1]) {
	case IOC_ACT_ALLOW:
		return V_PASS;
	case IOC_ACT_REJECT:
		return IOC_SFW_REJECT;
	default:
		return IOC_SFW_DROP_RULE;
	}
}

/* An allowed packet opens its connection: V_PASS, or the reason it cannot. */
static inline int
open_connection(struct sfw_burst *b, struct rte_mbuf *m, uint16_t profile)
{
	const struct ioc_meta *md = ioc_meta(m);
	struct ct_key k;

	ct_key_of(m, md, b->s->vnic, b->ctx->dir, &k);
	switch (ct_open(b->ct, &k, b->ctx->dir, tcp_flags(m, md), profile, &b->s->ct_policy,
			b->ctx->now)) {
	case CT_OPENED:
		return V_PASS;
	case CT_OPENED_EVICTING:
		b->ctx->reasons[IOC_SFW_NB_REASONS + IOC_SFW_CONN_EVICTED]++;
		return V_PASS;
	case CT_NO_SYN:
		return IOC_SFW_DROP_NO_SYN;
	case CT_VNIC_LIMIT:
		return IOC_SFW_DROP_CONN_LIMIT;
	default:
		return IOC_SFW_DROP_CONN_FULL;
	}
}

/* Verdicts in packet order: connections open as their first packet passes. */
static void
decide(struct sfw_burst *b)
{
	uint64_t *hits = hits_row(b->s, b->ctx->lcore_id);

	for (uint16_t j = 0; j < b->n_cls; j++) {
		uint16_t i = b->cls_idx[j];
		struct rte_mbuf *m = b->pkts[i];
		uint32_t redirect = sfw_redirect_result(ioc_meta(m), &b->results[j * SFW_NB_CAT]);

		if (unlikely(b->remark[i] != 0)) {
			remark(b, i, redirect == 0 ? 0 : b->s->redirect[redirect - 1]);
			continue;
		}
		b->verdict[i] = rule_verdict(b->s, b->results[j * SFW_NB_CAT + SFW_CAT_DFW], hits);
		if (b->verdict[i] != V_PASS)
			continue;
		/* Only what the firewall lets through is marked for a service. */
		b->profile[i] = redirect == 0 ? 0 : b->s->redirect[redirect - 1];
		if (b->ct != NULL && trackable(ioc_meta(m)) && !b->icmp_error[i])
			b->verdict[i] = open_connection(b, m, b->profile[i]);
	}
}

/* Survivors in order, replies to the caller, the rest freed. */
static uint16_t
compact(struct sfw_burst *b)
{
	struct ioc_slot_ctx *ctx = b->ctx;
	struct rte_mbuf *dropped[IOC_BURST];
	uint16_t kept = 0, nd = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		int why = b->verdict[i];

		if (likely(why == V_PASS)) {
			ioc_meta(m)->profile = b->profile[i];
			b->pkts[kept++] = m;
			continue;
		}
		if (why == IOC_SFW_REJECT) {
			if (ctx->n_reply < IOC_BURST && sfw_reject_build(&m) == 0) {
				ctx->reasons[why]++;
				/* The reply goes on after this slot (chain.h). */
				ioc_meta(m)->next_slot = (uint8_t)(ctx->slot_index + 1);
				ctx->reply[ctx->n_reply++] = m;
				continue;
			}
			/* Not answerable (a fragment, an ICMP error, a broadcast source or
			 * destination): dropped. */
			why = IOC_SFW_DROP_RULE;
		}
		ctx->reasons[why]++;
		dropped[nd++] = m;
	}
	if (nd > 0)
		rte_pktmbuf_free_bulk(dropped, nd);
	return kept;
}

uint16_t
sfw_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	struct sfw_burst b;
	const struct sfw_vnic *s = priv;

	b.s = s;
	b.ctx = ctx;
	b.pkts = pkts;
	b.n = n;
	b.n_look = 0;
	b.n_cls = 0;
	b.ct = s->stateful && ctx->lcore_id < RTE_MAX_LCORE ? ioc_sfw_ct[ctx->lcore_id] : NULL;
	if (b.ct != NULL)
		ct_age(b.ct, ctx->now);
	triage(&b);
	if (b.ct != NULL)
		track(&b);
	classify(&b);
	decide(&b);
	return compact(&b);
}
