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
	case IPPROTO_ICMP: {
		if (avail < sizeof(struct rte_icmp_hdr)) {
			md->flags |= IOC_F_MALFORMED;
			return;
		}
		const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)p;
		if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
		    icmp->icmp_type == RTE_IP_ICMP_ECHO_REPLY) {
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
