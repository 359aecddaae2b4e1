/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 1, swsec (spoofguard). Outbound frames must carry the vNIC's MAC and,
 * for IPv4 and IPv6, one of its bound addresses; ARP must carry them as
 * sender too; IPv6 neighbour discovery must claim only the vNIC's MAC and
 * addresses, and a VM is no router nor DHCPv6 server (DESIGN.md §10); any
 * other ethertype must be allowed by [vnic] allow_ethertypes.
 * Inbound traffic is not checked (DESIGN.md §4). Every vNIC has this slot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "chain.h"
#include "meta.h"
#include "swsec.h"

struct swsec_vnic {
	struct rte_ether_addr mac;
	unsigned n_ip;
	rte_be32_t ip[IOC_MAX_VNIC_IPS]; /* network order, as in ioc_meta */
	unsigned n_ip6;
	uint8_t ip6[IOC_MAX_VNIC_IPS + 1][16]; /* the EUI-64 link-local last, when auto */
	unsigned n_ethertype;
	rte_be16_t ethertype[IOC_MAX_ETHERTYPES]; /* allowed besides IPv4, ARP, IPv6 */
	enum ioc_vlan_mode vlan_mode;
	uint16_t vlan_id; /* IOC_VLAN_ACCESS */
};

static const char *const swsec_reasons[IOC_SWSEC_NB_REASONS] = {
	[IOC_SWSEC_DROP_MAC] = "drop_mac",
	[IOC_SWSEC_DROP_IP] = "drop_ip",
	[IOC_SWSEC_DROP_ARP] = "drop_arp",
	[IOC_SWSEC_DROP_IPV6] = "drop_ipv6",
	[IOC_SWSEC_DROP_MALFORMED] = "drop_malformed",
	[IOC_SWSEC_DROP_ETHERTYPE] = "drop_ethertype",
	[IOC_SWSEC_DROP_VLAN] = "drop_vlan",
	[IOC_SWSEC_DROP_ND] = "drop_nd",
	[IOC_SWSEC_DROP_RA] = "drop_ra",
	[IOC_SWSEC_DROP_REDIRECT] = "drop_redirect",
	[IOC_SWSEC_DROP_DHCPV6] = "drop_dhcpv6",
};

static int
swsec_attach(const struct ioc_topology *t, unsigned vnic, void **priv)
{
	const struct ioc_vnic *v = &t->vnics[vnic];
	struct swsec_vnic *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	memcpy(s->mac.addr_bytes, v->mac, RTE_ETHER_ADDR_LEN);
	s->n_ip = v->n_ip;
	for (unsigned i = 0; i < v->n_ip; i++)
		s->ip[i] = rte_cpu_to_be_32(v->ip[i]);
	s->n_ip6 = ioc_vnic_ipv6(v, s->ip6);
	s->vlan_mode = v->vlan_mode;
	s->vlan_id = v->vlan_id;
	s->n_ethertype = v->n_allow_ethertype;
	for (unsigned i = 0; i < v->n_allow_ethertype; i++)
		s->ethertype[i] = rte_cpu_to_be_16(v->allow_ethertype[i]);
	*priv = s;
	return 1;
}

static void
swsec_detach(void *priv)
{
	free(priv);
}

/*
 * Any other ethertype needs the operator's leave: it may carry IPv4 or ARP
 * spoofguard cannot see (LLC/SNAP, MPLS, PPPoE, another TPID) to receivers
 * that accept it. The type is the one after the tags the parser skipped; an
 * 802.3 length (below 0x0600, LLC) is never in the list.
 */
static inline bool
ethertype_allowed(const struct swsec_vnic *s, struct rte_mbuf *m, const struct ioc_meta *md)
{
	rte_be16_t type = *rte_pktmbuf_mtod_offset(m, const rte_be16_t *, md->l3_off - 2);

	for (unsigned i = 0; i < s->n_ethertype; i++)
		if (s->ethertype[i] == type)
			return true;
	return false;
}

static inline bool
is_tag(rte_be16_t type)
{
	return type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

static inline bool
tagged(const struct rte_ether_hdr *eth)
{
	return is_tag(eth->ether_type);
}

/*
 * Inbound, whether [vnic] vlan lets the frame reach the VM: none takes
 * untagged frames only; an access VLAN exactly one 802.1Q tag with its ID
 * (removed at delivery: ioc_vlan_pop), so no inner tag can hop.
 */
static inline bool
vlan_in_ok(const struct swsec_vnic *s, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

	if (s->vlan_mode == IOC_VLAN_NONE)
		return !tagged(eth);
	return eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
	       rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(*vh) &&
	       (rte_be_to_cpu_16(vh->vlan_tci) & 0xfff) == s->vlan_id && !is_tag(vh->eth_proto);
}

/*
 * Outbound on an access VLAN: the frame leaves the chain tagged with it, so
 * the uplink and the other vNICs' chains see the VLAN. The metadata's
 * offsets follow the headers. 0, or -1 (no headroom, shared mbuf).
 */
static inline int
vlan_push(const struct swsec_vnic *s, struct rte_mbuf *m)
{
	struct ioc_meta *md = ioc_meta(m);

	m->vlan_tci = s->vlan_id;
	if (rte_vlan_insert(&m) != 0)
		return -1;
	md->l3_off = (uint8_t)(md->l3_off + sizeof(struct rte_vlan_hdr));
	if (md->l4_off != 0)
		md->l4_off = (uint8_t)(md->l4_off + sizeof(struct rte_vlan_hdr));
	md->flags |= IOC_F_VLAN;
	return 0;
}

static inline bool
ip_bound(const struct swsec_vnic *s, rte_be32_t ip)
{
	for (unsigned i = 0; i < s->n_ip; i++)
		if (s->ip[i] == ip)
			return true;
	return false;
}

static inline bool
ip6_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

static inline bool
ip6_bound(const struct swsec_vnic *s, const uint8_t *a)
{
	for (unsigned i = 0; i < s->n_ip6; i++)
		if (ip6_eq(s->ip6[i], a))
			return true;
	return false;
}

static inline bool
ip6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return ip6_eq(a, zero);
}

enum {
	ICMP6_MLD_QUERY = 130,
	ICMP6_MLD_REPORT = 131,
	ICMP6_MLD_DONE = 132,
	ICMP6_RS = 133,
	ICMP6_RA = 134,
	ICMP6_NS = 135,
	ICMP6_NA = 136,
	ICMP6_REDIRECT = 137,
	ICMP6_MLD2_REPORT = 143,
	ND_OPT_SLLA = 1, /* source link-layer address (in an NS) */
	ND_OPT_TLLA = 2, /* target link-layer address (in an NA) */
	ND_HDR_LEN = 24, /* type, code, checksum, flags/reserved, target */
	ND_MAX_OPTS = 8, /* an NS or NA has one or two (link-layer, DAD nonce) */
	DHCP6_SERVER_PORT = 547,
};

/*
 * An NS or NA (RFC 4861 §4.3, §4.4): an NA's target is the address it
 * claims, so it must be bound; an NS asks about someone else's address,
 * except in DAD (source ::), where the target is the one the VM tries to
 * take. A link-layer address option is what a neighbour caches: it must be
 * the vNIC's MAC. One without it claims no MAC and passes. The options are
 * walked within the payload, at most ND_MAX_OPTS; a zero length (RFC 4861
 * §4.6: invalid) or one past the end is a drop.
 */
static inline bool
nd_ok(const struct swsec_vnic *s, const uint8_t *nd, uint32_t len, bool dad)
{
	uint8_t type = nd[0];

	if (len < ND_HDR_LEN)
		return false;
	if ((type == ICMP6_NA || dad) && !ip6_bound(s, nd + 8))
		return false;
	uint32_t off = ND_HDR_LEN;
	for (unsigned n = 0; off < len; n++) {
		if (n == ND_MAX_OPTS || len - off < 8 || nd[off + 1] == 0 ||
		    (uint32_t)nd[off + 1] * 8 > len - off)
			return false;
		uint8_t opt = nd[off];
		if ((opt == ND_OPT_SLLA || opt == ND_OPT_TLLA) &&
		    (nd[off + 1] != 1 || memcmp(nd + off + 2, s->mac.addr_bytes, 6) != 0))
			return false;
		off += (uint32_t)nd[off + 1] * 8;
	}
	return true;
}

/*
 * Outbound IPv6 (well-formed): RA guard first, whatever the source, then the
 * source: a bound address or the EUI-64 link-local; :: only for what a node
 * sends before it has an address (a DAD NS, and the MLD reports that join
 * the solicited-node group for it, RFC 3590).
 */
static inline int
ipv6_reason(const struct swsec_vnic *s, struct rte_mbuf *m, const struct ioc_meta *md)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3_off);
	bool unspec = ip6_unspecified(ip->src_addr);
	bool may_be_unspec = false;

	if (md->flags & IOC_F_L4) {
		const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off);
		uint32_t len =
			md->l3_off + sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len) - md->l4_off;

		if (md->l4_proto == IPPROTO_UDP && md->src_port == RTE_BE16(DHCP6_SERVER_PORT))
			return IOC_SWSEC_DROP_DHCPV6;
		if (md->l4_proto == IPPROTO_ICMPV6) {
			switch (l4[0]) {
			case ICMP6_RA:
				return IOC_SWSEC_DROP_RA;
			case ICMP6_REDIRECT:
				return IOC_SWSEC_DROP_REDIRECT;
			case ICMP6_NS:
			case ICMP6_NA:
				if (!nd_ok(s, l4, len, unspec && l4[0] == ICMP6_NS))
					return IOC_SWSEC_DROP_ND;
				may_be_unspec = l4[0] == ICMP6_NS;
				break;
			case ICMP6_MLD_REPORT:
			case ICMP6_MLD_DONE:
			case ICMP6_MLD2_REPORT:
				may_be_unspec = true;
				break;
			default:
				break;
			}
		}
	}
	if (unspec)
		return may_be_unspec ? -1 : IOC_SWSEC_DROP_IPV6;
	return ip6_bound(s, ip->src_addr) ? -1 : IOC_SWSEC_DROP_IPV6;
}

/* The reason to drop an outbound frame, or -1 to let it pass. */
static inline int
spoof_reason(const struct swsec_vnic *s, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct ioc_meta *md = ioc_meta(m);

	if (!rte_is_same_ether_addr(&eth->src_addr, &s->mac))
		return IOC_SWSEC_DROP_MAC;
	/* A VM tags only on a trunk: anything else could hop to another VLAN. */
	if (tagged(eth) && s->vlan_mode != IOC_VLAN_TRUNK)
		return IOC_SWSEC_DROP_VLAN;
	switch (md->l3) {
	case IOC_L3_IPV4:
		if (md->flags & IOC_F_MALFORMED)
			return IOC_SWSEC_DROP_MALFORMED;
		return ip_bound(s, md->src_ip) ? -1 : IOC_SWSEC_DROP_IP;
	case IOC_L3_ARP: {
		if (md->flags & IOC_F_MALFORMED)
			return IOC_SWSEC_DROP_MALFORMED;
		const struct rte_arp_hdr *arp =
			rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, md->l3_off);
		if (!rte_is_same_ether_addr(&arp->arp_data.arp_sha, &s->mac))
			return IOC_SWSEC_DROP_ARP;
		/* Sender 0.0.0.0 is an address probe (RFC 5227): it claims nothing. */
		if (md->src_ip != 0 && !ip_bound(s, md->src_ip))
			return IOC_SWSEC_DROP_ARP;
		return -1;
	}
	case IOC_L3_IPV6:
		if (md->flags & IOC_F_MALFORMED)
			return IOC_SWSEC_DROP_MALFORMED;
		return ipv6_reason(s, m, md);
	default:
		if (md->flags & IOC_F_MALFORMED)
			return IOC_SWSEC_DROP_MALFORMED;
		return ethertype_allowed(s, m, md) ? -1 : IOC_SWSEC_DROP_ETHERTYPE;
	}
}

/* Why spoofguard drops m (an IOC_SWSEC_DROP_* reason), or -1: it passes. */
static inline int
swsec_check(const struct swsec_vnic *s, unsigned dir, struct rte_mbuf *m)
{
	int why;

	/* Inbound only the VLAN is checked. */
	if (!(dir & IOC_DIR_OUT))
		return likely(vlan_in_ok(s, m)) ? -1 : IOC_SWSEC_DROP_VLAN;
	why = spoof_reason(s, m);
	if (why < 0 && s->vlan_mode == IOC_VLAN_ACCESS && vlan_push(s, m) < 0)
		why = IOC_SWSEC_DROP_VLAN;
	return why;
}

static uint16_t
swsec_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	const struct swsec_vnic *s = priv;
	struct rte_mbuf *dropped[IOC_BURST];
	uint64_t *drops = ctx->reasons;
	uint16_t kept = 0, nd = 0;
	bool out = (ctx->dir & IOC_DIR_OUT) != 0;

	/* A trunk's inbound frames are not checked at all. */
	if (!out && s->vlan_mode == IOC_VLAN_TRUNK)
		return n;
	for (uint16_t i = 0; i < n; i++) {
		if (out && i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		int why = swsec_check(s, ctx->dir, pkts[i]);
		if (likely(why < 0)) {
			pkts[kept++] = pkts[i];
		} else {
			drops[why]++;
			dropped[nd++] = pkts[i];
		}
	}
	if (nd > 0)
		rte_pktmbuf_free_bulk(dropped, nd);
	return kept;
}

static void
swsec_describe(const void *priv, const struct ioc_topology *t, unsigned vnic,
	       struct ioc_slot_desc *d)
{
	RTE_SET_USED(priv);
	/*
	 * The platform shows Detached for slots with no service VM behind them,
	 * and spells the source "Always Enabled": scripts grepping for it match.
	 */
	ioc_slot_describe(d, t, vnic, 1, "vmware-swsec", "Detached", "failClosed", "none",
			  "Always Enabled");
}

/*
 * Trace: [0] direction, [1] the drop reason + 1 (0: passes), [2] the IPv4 / ARP
 * sender, [3] the L3 kind.
 */
static void
swsec_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	   uint32_t note[IOC_SLOT_NOTE])
{
	note[0] = ctx->dir;
	note[1] = ctx->dir & IOC_DIR_OUT ? (uint32_t)(spoof_reason(priv, m) + 1) : 0;
	note[2] = ioc_meta(m)->src_ip;
	note[3] = ioc_meta(m)->l3;
}

/* Explain: an outbound packet carries the vNIC's MAC; its IPv4 source decides. */
static int
swsec_explain(const void *priv, const struct ioc_topology *t, unsigned vnic,
	      struct ioc_slot_query *q, uint32_t note[IOC_SLOT_NOTE], int *counter)
{
	RTE_SET_USED(t);
	RTE_SET_USED(vnic);
	*counter = (q->dir & IOC_DIR_OUT) && !ip_bound(priv, q->md.src_ip) ? IOC_SWSEC_DROP_IP : -1;
	note[0] = q->dir;
	note[1] = (uint32_t)(*counter + 1);
	note[2] = q->md.src_ip;
	note[3] = q->md.l3;
	return *counter < 0 ? IOC_SV_PASS : IOC_SV_DROP;
}

static void
swsec_why(const struct ioc_topology *t, const uint32_t note[IOC_SLOT_NOTE], char *buf, size_t len)
{
	const uint8_t *ip = (const uint8_t *)&note[2];
	bool v6 = note[3] == IOC_L3_IPV6;

	RTE_SET_USED(t);
	if (!(note[0] & IOC_DIR_OUT))
		snprintf(buf, len, "inbound: spoofguard checks what the vNIC sends");
	else if (note[1] == IOC_SWSEC_DROP_MAC + 1)
		snprintf(buf, len, "source MAC is not the vNIC's");
	else if (note[1] == IOC_SWSEC_DROP_RA + 1)
		snprintf(buf, len, "a Router Advertisement from a VM (RA guard)");
	else if (note[1] == IOC_SWSEC_DROP_REDIRECT + 1)
		snprintf(buf, len, "an ICMPv6 Redirect from a VM");
	else if (note[1] == IOC_SWSEC_DROP_DHCPV6 + 1)
		snprintf(buf, len, "a DHCPv6 server message (UDP source port 547) from a VM");
	else if (note[1] == IOC_SWSEC_DROP_ND + 1)
		snprintf(buf, len, "neighbour discovery claims a MAC or target not the vNIC's");
	else if (note[1] != 0 && v6)
		snprintf(buf, len, "IPv6 source not bound to the vNIC");
	else if (note[1] != 0)
		snprintf(buf, len, "sender %u.%u.%u.%u not bound to the vNIC", ip[0], ip[1], ip[2],
			 ip[3]);
	else if (note[3] == IOC_L3_IPV4 || note[3] == IOC_L3_ARP)
		snprintf(buf, len, "binding matched: the vNIC's MAC, %u.%u.%u.%u", ip[0], ip[1],
			 ip[2], ip[3]);
	else if (v6)
		snprintf(buf, len, "binding matched: the vNIC's MAC and an IPv6 binding");
	else
		snprintf(buf, len, "binding matched: the vNIC's MAC");
}

static struct ioc_slot_ops swsec_ops = {
	.name = "swsec",
	.agent = "vmware-swsec",
	.slot = 1,
	.reasons = swsec_reasons,
	.n_reasons = IOC_SWSEC_NB_REASONS,
	.attach = swsec_attach,
	.detach = swsec_detach,
	.process = swsec_process,
	.describe = swsec_describe,
	.note = swsec_note,
	.why = swsec_why,
	.explain = swsec_explain,
};

IOC_SLOT_REGISTER(swsec_ops)
