/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the firewall's control side builds for one vNIC and the datapath reads:
 * immutable once attach returns, except the per-lcore hit counters.
 */
#ifndef IOC_SFW_PRIV_H
#define IOC_SFW_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "chain.h"
#include "conntrack.h"
#include "meta.h"
#include "sfw.h"
#include "topology.h"

/* ACL categories: one classify answers both questions. */
enum {
	SFW_CAT_DFW,	  /* userdata: dfw rule index + 1 */
	SFW_CAT_REDIRECT, /* userdata: redirect rule index + 1 */
	/*
	 * The `redirect` rules again, whatever their ports: what marks a
	 * non-first fragment, which has none (audit L6). userdata as above.
	 */
	SFW_CAT_REDIRECT_FRAG,
	SFW_NB_CAT = RTE_ACL_RESULTS_MULTIPLIER,
};

/* The classify input: rte_acl reads it in network order, 4-byte groups after the first byte. */
struct sfw_acl_key {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
};

enum { SFW_F_PROTO, SFW_F_SRC, SFW_F_DST, SFW_F_SPORT, SFW_F_DPORT, SFW_NB_FIELDS };

/* IPv6: each address is four 4-byte fields (rte_acl's widest), the ports one group. */
struct sfw_acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src_ip[16], dst_ip[16];
	uint16_t src_port, dst_port;
};

enum {
	SFW6_F_PROTO,
	SFW6_F_SRC,		     /* 4 fields */
	SFW6_F_DST = SFW6_F_SRC + 4, /* 4 fields */
	SFW6_F_SPORT = SFW6_F_DST + 4,
	SFW6_F_DPORT,
	SFW6_NB_FIELDS,
};

RTE_ACL_RULE_DEF(sfw_acl_rule, SFW_NB_FIELDS);
RTE_ACL_RULE_DEF(sfw_acl_rule6, SFW6_NB_FIELDS);

/* Per-lcore hit counters of the dfw rules, one cache-aligned row per lcore. */
struct sfw_hits {
	unsigned n_rules;
	unsigned row_len;	    /* uint64_t per row, a multiple of a cache line */
	int16_t row[RTE_MAX_LCORE]; /* lcore id -> row, -1: not a forwarding lcore */
	uint64_t *v;		    /* [n_rows][row_len]: written by the row's lcore */
};

/*
 * One vNIC's firewall. Written by attach before the chain is published, read
 * by forwarding lcores; only hits.v changes afterwards (each lcore its row).
 */
struct sfw_vnic {
	uint16_t vnic;
	bool stateful;
	bool default_allow;
	struct ct_policy ct_policy; /* [dfw] tcp_pickup, [vnic] max_connections */
	/*
	 * [0] in, [1] out; NULL: no rule applies. One context per family, their
	 * rules ranked alike: the first rule that matches a packet decides,
	 * whatever the family of the other rules.
	 */
	struct rte_acl_ctx *acl[2];
	struct rte_acl_ctx *acl6[2];
	uint8_t *action;	  /* [n_dfw_rules]: enum ioc_action of each dfw rule */
	uint16_t *redirect;	  /* [n_redirect_rules]: profile + 1, or 0 (no_redirect) */
	uint16_t unclassified[2]; /* [0] in, [1] out: the mark of what is not IP, and of
				     IPv6 ND and MLD (see ioc_topo_unclassified_profile) */
	struct sfw_hits hits;
	/* Control plane: the registry of attached vNICs (hit counters, rule names). */
	struct sfw_vnic *next;
	struct sfw_catalogue *catalogue; /* the rules of the topology it was attached with */
};

/*
 * The redirect rule (index + 1, 0: none) of a packet from its classify
 * results (SFW_NB_CAT of them). A non-first fragment has no ports to match a
 * service with: any `redirect` rule its protocol and addresses match marks it,
 * so the SVM that inspects the first fragment sees the others (audit L6).
 */
static inline uint32_t
sfw_redirect_result(const struct ioc_meta *md, const uint32_t *res)
{
	bool later_fragment = (md->flags & IOC_F_FRAG) && !(md->flags & IOC_F_L4);

	if (later_fragment && res[SFW_CAT_REDIRECT_FRAG] != 0)
		return res[SFW_CAT_REDIRECT_FRAG];
	return res[SFW_CAT_REDIRECT];
}

static inline unsigned
sfw_dir_index(uint8_t dir)
{
	return dir == IOC_DIR_IN ? 0 : 1;
}

/*
 * What the datapath (sfw_dp.c) and the trace (sfw_trace.c) read of a packet
 * alike, so that a trace's verdict is the datapath's.
 */

/* The packet's TCP flags; 0 when it is not TCP or its header is not all there. */
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

/* The IPv6 header of a well-formed IPv6 packet (the parser saw it whole in the first segment). */
static inline const struct rte_ipv6_hdr *
ipv6_hdr_of(struct rte_mbuf *m, const struct ioc_meta *md)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3_off);
}

/*
 * The connection-table key of packet m (metadata md) going dir on vNIC
 * vnic: local and remote sides.
 */
static inline void
ct_key_of(struct rte_mbuf *m, const struct ioc_meta *md, uint16_t vnic, uint8_t dir,
	  struct ct_key *k)
{
	bool out = dir == IOC_DIR_OUT;

	if (md->l3 == IOC_L3_IPV6) {
		const struct rte_ipv6_hdr *ip = ipv6_hdr_of(m, md);

		memcpy(k->local_ip, out ? ip->src_addr : ip->dst_addr, 16);
		memcpy(k->remote_ip, out ? ip->dst_addr : ip->src_addr, 16);
		k->family = 6;
	} else {
		ct_addr4(k->local_ip, out ? md->src_ip : md->dst_ip);
		ct_addr4(k->remote_ip, out ? md->dst_ip : md->src_ip);
		k->family = 4;
	}
	k->local_port = out ? md->src_port : md->dst_port;
	k->remote_port = out ? md->dst_port : md->src_port;
	k->vnic = vnic;
	k->proto = md->l4_proto;
}

/* A new SYN on a closing tuple is a new connection: the rules decide, not the entry. */
static inline bool
ct_reopened(const struct ct_entry *e, uint8_t tcp_flags)
{
	return e->state >= IOC_SFW_CT_TCP_FIN && e->key.proto == IPPROTO_TCP &&
	       (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG;
}

/*
 * Neighbour discovery (RS, RA, NS, NA, Redirect: 133-137) and MLD (130-132,
 * 143) are IPv6's ARP: they pass slot 2 as ARP does, so that a rule set or
 * a default drop cannot cut a VM off its link. Slot 1 polices what a VM
 * sends of them (RA guard, NS/NA checks).
 */
static inline bool
is_link_plumbing(struct rte_mbuf *m, const struct ioc_meta *md)
{
	if (md->l4_proto != IPPROTO_ICMPV6 || !(md->flags & IOC_F_L4))
		return false;
	uint8_t type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off);

	return (type >= 130 && type <= 137) || type == 143;
}

/* The classify input of a packet: its ports only when it has them. */
static inline void
acl_key_of(const struct ioc_meta *md, struct sfw_acl_key *k)
{
	bool ports = md->flags & IOC_F_L4;

	*k = (struct sfw_acl_key){
		.proto = md->l4_proto,
		.src_ip = md->src_ip,
		.dst_ip = md->dst_ip,
		.src_port = ports ? md->src_port : 0,
		.dst_port = ports ? md->dst_port : 0,
	};
}

/* The IPv6 classify input of a packet: its ports only when it has them. */
static inline void
acl_key6_of(struct rte_mbuf *m, const struct ioc_meta *md, struct sfw_acl_key6 *k)
{
	const struct rte_ipv6_hdr *ip = ipv6_hdr_of(m, md);
	bool ports = md->flags & IOC_F_L4;

	k->proto = md->l4_proto;
	memset(k->pad, 0, sizeof(k->pad));
	memcpy(k->src_ip, ip->src_addr, 16);
	memcpy(k->dst_ip, ip->dst_addr, 16);
	k->src_port = ports ? md->src_port : 0;
	k->dst_port = ports ? md->dst_port : 0;
}

/*
 * sfw_acl.c: compile the rules that apply to vNIC `vnic` going `dir`, their
 * IPv4 prefixes (v6 false) or their IPv6 ones; *ctx NULL if none.
 */
int sfw_acl_build(const struct ioc_topology *t, unsigned vnic, unsigned dir, bool v6,
		  struct rte_acl_ctx **ctx);

/* sfw_acl.c: whether a rule's applied_to list covers vNIC `vnic`. */
bool sfw_applies_to(const struct ioc_topology *t, const struct ioc_ref_list *l, unsigned vnic);

/* sfw_dp.c */
uint16_t sfw_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts,
		     uint16_t n);

/* sfw_trace.c: the slot's trace note and its text (struct ioc_slot_ops note, why). */
void sfw_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	      uint32_t note[IOC_SLOT_NOTE]);
int sfw_explain(const void *priv, const struct ioc_topology *t, unsigned vnic,
		struct ioc_slot_query *q, uint32_t note[IOC_SLOT_NOTE], int *counter);
void sfw_why(const struct ioc_topology *t, const uint32_t note[IOC_SLOT_NOTE], char *buf,
	     size_t len);

/*
 * reject.c: turn the packet into its answer (a TCP RST, or an ICMP
 * unreachable quoting its IP header and 8 bytes): 0 and *mp the reply (the
 * packet itself, or a copy when its data is shared: the packet then freed),
 * or -1 when it cannot or must not be answered (*mp unchanged, the caller
 * drops it).
 */
int sfw_reject_build(struct rte_mbuf **mp);

#endif /* IOC_SFW_PRIV_H */
