/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_jhash.h>

#include "meta.h"

int ioc_meta_offset = -1;

static_assert(sizeof(struct ioc_meta) == 24, "ioc_meta must leave room for the Rx timestamp");

static const struct rte_mbuf_dynfield meta_desc = {
	.name = "iochain_meta",
	.size = sizeof(struct ioc_meta),
	.align = __alignof__(struct ioc_meta),
};

int
ioc_meta_register(void)
{
	int ts_off;
	uint64_t ts_flag;

	if (ioc_meta_offset >= 0)
		return 0;
	/* First fit: the 8-byte aligned timestamp first, or it finds no room after us. */
	if (rte_mbuf_dyn_rx_timestamp_register(&ts_off, &ts_flag) != 0)
		return -rte_errno;
	int off = rte_mbuf_dynfield_register(&meta_desc);
	if (off < 0)
		return -rte_errno;
	ioc_meta_offset = off;
	return 0;
}

/* Same value whichever way the flow goes: order the endpoints first. */
static inline uint32_t
symmetric_hash(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb, uint8_t proto)
{
	uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
	uint32_t plo = pa < pb ? pa : pb, phi = pa < pb ? pb : pa;

	return rte_jhash_3words(lo, hi, (plo << 16 | phi) ^ proto, 0x10c4a1);
}

static void
parse_l4(const uint8_t *p, uint32_t avail, struct ioc_meta *md)
{
	switch (md->l4_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		/* Ports are the first 4 bytes of both headers. */
		if (avail < 4) {
			md->flags |= IOC_F_MALFORMED;
			return;
		}
		memcpy(&md->src_port, p, 2);
		memcpy(&md->dst_port, p + 2, 2);
		md->flags |= IOC_F_L4;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* Both share the 8-byte header layout; echo carries its identifier at 4. */
		if (avail < sizeof(struct rte_icmp_hdr)) {
			md->flags |= IOC_F_MALFORMED;
			return;
		}
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)p;
		bool echo = md->l4_proto == IPPROTO_ICMP
				    ? icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
					      icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY
				    : icmp->icmp_type == IOC_ICMP6_ECHO_REQUEST ||
					      icmp->icmp_type == IOC_ICMP6_ECHO_REPLY;
		if (echo) {
			md->src_port = icmp->icmp_ident;
			md->dst_port = icmp->icmp_ident;
		}
		md->flags |= IOC_F_L4;
		break;
	}
	default:
		break;
	}
}

static void
parse_ipv4(const uint8_t *p, uint32_t avail, struct ioc_meta *md)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;

	if (avail < sizeof(*ip) || (ip->version_ihl >> 4) != 4) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || hlen > avail || tot < hlen || tot > avail) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	md->src_ip = ip->src_addr;
	md->dst_ip = ip->dst_addr;
	md->l4_proto = ip->next_proto_id;
	md->l4_off = (uint8_t)(md->l3_off + hlen);

	uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		md->flags |= IOC_F_FRAG;
		/* Only the first fragment carries the L4 header. */
		if (frag & RTE_IPV4_HDR_OFFSET_MASK)
			return;
	}
	parse_l4(p + hlen, tot - hlen, md);
}

uint32_t
ioc_meta_ipv6_digest(const uint8_t addr[16])
{
	uint32_t w[4];

	/* The address sits 2-byte aligned behind Ethernet: copy it to hash whole words. */
	memcpy(w, addr, sizeof(w));
	return rte_jhash_32b(w, 4, 0x10c4a6);
}

static inline bool
ipv6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT ||
	       nh == IPPROTO_DSTOPTS;
}

/*
 * The fixed header, then the extension headers to the L4 header, all inside
 * the payload length. Past IOC_IPV6_MAX_EXT headers, a hop-by-hop header
 * anywhere but first (RFC 8200 4.1), or an L4 header the 8-bit offset cannot
 * hold: malformed. A non-first fragment stops the walk: what follows its
 * fragment header is payload, so it has no ports.
 */
static void
parse_ipv6(const uint8_t *p, uint32_t avail, struct ioc_meta *md)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)p;

	if (avail < sizeof(*ip) || (p[0] >> 4) != 6) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	/* A jumbogram (payload length 0, RFC 2675) cannot fit a frame: its HBH is cut. */
	uint32_t tot = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	if (tot > avail) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	md->src_ip = ioc_meta_ipv6_digest(ip->src_addr);
	md->dst_ip = ioc_meta_ipv6_digest(ip->dst_addr);

	uint8_t nh = ip->proto;
	uint32_t off = sizeof(*ip);
	bool later_frag = false;
	for (unsigned n = 0; ipv6_is_ext(nh) && !later_frag; n++) {
		if (n == IOC_IPV6_MAX_EXT || (nh == IPPROTO_HOPOPTS && n > 0) || off + 8 > tot) {
			md->flags |= IOC_F_MALFORMED;
			return;
		}
		const uint8_t *h = p + off;
		uint32_t hlen = 8;
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t fo = (uint16_t)(h[2] << 8 | h[3]);
			/* Offset and M both 0: an atomic fragment (RFC 6946), a whole packet. */
			if (fo & RTE_IPV6_FRAG_USED_MASK) {
				md->flags |= IOC_F_FRAG;
				later_frag = (fo & RTE_IPV6_EHDR_FO_MASK) != 0;
			}
		} else {
			hlen = ((uint32_t)h[1] + 1) * 8;
		}
		nh = h[0];
		off += hlen;
	}
	if (off > tot || md->l3_off + off > UINT8_MAX) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	md->l4_proto = nh;
	md->l4_off = (uint8_t)(md->l3_off + off);
	if (!later_frag)
		parse_l4(p + off, tot - off, md);
}

static void
parse_arp(const uint8_t *p, uint32_t avail, struct ioc_meta *md)
{
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)p;

	if (avail < sizeof(*arp) || arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != 6 ||
	    arp->arp_plen != 4) {
		md->flags |= IOC_F_MALFORMED;
		return;
	}
	md->src_ip = arp->arp_data.arp_sip;
	md->dst_ip = arp->arp_data.arp_tip;
}

int
ioc_meta_parse(struct rte_mbuf *m, struct ioc_meta *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	memset(md, 0, sizeof(*md));
	if (len < sizeof(struct rte_ether_hdr))
		return -1;

	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	if (rte_is_multicast_ether_addr(&eth->dst_addr))
		md->flags |= IOC_F_BCAST;

	uint16_t type = eth->ether_type;
	uint32_t off = sizeof(*eth);
	/* Up to two tags (QinQ): the slots see the inner L3. */
	for (int tags = 0; tags < 2 && (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
					type == RTE_BE16(RTE_ETHER_TYPE_QINQ));
	     tags++) {
		if (len < off + sizeof(struct rte_vlan_hdr)) {
			md->flags |= IOC_F_MALFORMED;
			return 0;
		}
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(p + off);
		type = vh->eth_proto;
		off += sizeof(*vh);
		md->flags |= IOC_F_VLAN;
	}
	md->l3_off = (uint8_t)off;
	/* A third tag: its L3 is not inspected, so it must not pass as "other" (spoofguard). */
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ))
		md->flags |= IOC_F_MALFORMED;

	switch (type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		md->l3 = IOC_L3_IPV4;
		parse_ipv4(p + off, len - off, md);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		md->l3 = IOC_L3_ARP;
		parse_arp(p + off, len - off, md);
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		md->l3 = IOC_L3_IPV6;
		parse_ipv6(p + off, len - off, md);
		break;
	default:
		md->l3 = IOC_L3_OTHER;
		break;
	}
	m->hash.rss = ioc_meta_flow_hash(md);
	return 0;
}

uint32_t
ioc_meta_flow_hash(const struct ioc_meta *md)
{
	return symmetric_hash(md->src_ip, md->dst_ip, md->src_port, md->dst_port, md->l4_proto);
}
