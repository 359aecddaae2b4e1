/* SPDX-License-Identifier: BSD-3-Clause */
/* The header parser: fields, symmetric hash, VLAN, malformed and fragmented IPv4. */
#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "fixture.h"
#include "meta.h"
#include "tests.h"

#define M1 "02:00:00:00:01:01"
#define M2 "02:00:00:00:02:01"

static void
test_parse_udp(void)
{
	struct rte_mbuf *m = pkt_udp(M1, M2, IP4(10, 0, 0, 11), IP4(10, 0, 0, 12), 1234, 80);
	struct ioc_meta md;

	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(ioc_meta_parse(m, &md), 0);
	CU_ASSERT_EQUAL(md.l3, IOC_L3_IPV4);
	CU_ASSERT_EQUAL(md.l3_off, 14);
	CU_ASSERT_EQUAL(md.l4_off, 34);
	CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(md.src_ip, rte_cpu_to_be_32(IP4(10, 0, 0, 11)));
	CU_ASSERT_EQUAL(md.dst_ip, rte_cpu_to_be_32(IP4(10, 0, 0, 12)));
	CU_ASSERT_EQUAL(md.src_port, rte_cpu_to_be_16(1234));
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(80));
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_FALSE(md.flags & (IOC_F_MALFORMED | IOC_F_FRAG | IOC_F_BCAST));
	rte_pktmbuf_free(m);
}

static void
test_symmetric_hash(void)
{
	struct rte_mbuf *a = pkt_tcp(M1, M2, IP4(10, 0, 0, 11), IP4(192, 168, 1, 7), 40000, 443);
	struct rte_mbuf *b = pkt_tcp(M2, M1, IP4(192, 168, 1, 7), IP4(10, 0, 0, 11), 443, 40000);
	struct rte_mbuf *c = pkt_tcp(M1, M2, IP4(10, 0, 0, 11), IP4(192, 168, 1, 7), 40001, 443);
	struct ioc_meta ma, mb, mc;

	CU_ASSERT_FATAL(a && b && c);
	ioc_meta_parse(a, &ma);
	ioc_meta_parse(b, &mb);
	ioc_meta_parse(c, &mc);
	CU_ASSERT_EQUAL(ioc_flow_hash(a), ioc_flow_hash(b));
	CU_ASSERT_NOT_EQUAL(ioc_flow_hash(a), ioc_flow_hash(c));
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
	rte_pktmbuf_free(c);
}

static void
test_parse_vlan_qinq(void)
{
	struct rte_mbuf *m = pkt_udp(M1, M2, IP4(10, 0, 0, 11), IP4(10, 0, 0, 12), 1, 2);
	struct ioc_meta md;

	CU_ASSERT_FATAL(m != NULL);
	/* Insert an 802.1ad and an 802.1Q tag after the MACs. */
	uint8_t macs[12];
	memcpy(macs, rte_pktmbuf_mtod(m, void *), sizeof(macs));
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, 8);
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, macs, sizeof(macs));
	const uint8_t tags[8] = { 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14 };
	memcpy(p + 12, tags, 8);
	CU_ASSERT_EQUAL(ioc_meta_parse(m, &md), 0);
	CU_ASSERT(md.flags & IOC_F_VLAN);
	CU_ASSERT_EQUAL(md.l3, IOC_L3_IPV4);
	CU_ASSERT_EQUAL(md.l3_off, 22);
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(2));
	rte_pktmbuf_free(m);
}

static struct ioc_meta
parse_mutated(void (*mutate)(struct rte_ipv4_hdr *ip, struct rte_mbuf *m))
{
	struct rte_mbuf *m = pkt_udp(M1, M2, IP4(10, 0, 0, 11), IP4(10, 0, 0, 12), 5, 6);
	struct ioc_meta md;

	memset(&md, 0, sizeof(md));
	if (m == NULL)
		return md;
	mutate(rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14), m);
	ioc_meta_parse(m, &md);
	rte_pktmbuf_free(m);
	return md;
}

static void
ihl_short(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->version_ihl = 0x44;
}
static void
ihl_long(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->version_ihl = 0x4f; /* 60 bytes of header in a 46-byte IP packet */
}
static void
totlen_lies(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->total_length = rte_cpu_to_be_16(1400);
}
static void
first_frag(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
}
static void
later_frag(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->fragment_offset = rte_cpu_to_be_16(185);
}
static void
truncated(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(ip);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 14 - 12);
}
static void
version6(struct rte_ipv4_hdr *ip, struct rte_mbuf *m)
{
	RTE_SET_USED(m);
	ip->version_ihl = 0x65;
}

static void
test_parse_malformed_ipv4(void)
{
	CU_ASSERT(parse_mutated(ihl_short).flags & IOC_F_MALFORMED);
	CU_ASSERT(parse_mutated(ihl_long).flags & IOC_F_MALFORMED);
	CU_ASSERT(parse_mutated(totlen_lies).flags & IOC_F_MALFORMED);
	CU_ASSERT(parse_mutated(truncated).flags & IOC_F_MALFORMED);
	CU_ASSERT(parse_mutated(version6).flags & IOC_F_MALFORMED);
}

static void
test_parse_fragments(void)
{
	struct ioc_meta first = parse_mutated(first_frag);
	struct ioc_meta later = parse_mutated(later_frag);

	CU_ASSERT(first.flags & IOC_F_FRAG);
	CU_ASSERT(first.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(first.dst_port, rte_cpu_to_be_16(6));
	CU_ASSERT(later.flags & IOC_F_FRAG);
	CU_ASSERT_FALSE(later.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(later.dst_port, 0);
	CU_ASSERT_FALSE((first.flags | later.flags) & IOC_F_MALFORMED);
}

static void
test_parse_runt_arp_bcast(void)
{
	uint8_t runt[13] = { 0 };
	struct rte_mbuf *r = pkt_raw(runt, sizeof(runt));
	struct rte_mbuf *a = pkt_arp(M1, M1, IP4(10, 0, 0, 11), IP4(10, 0, 0, 1));
	struct ioc_meta md;

	CU_ASSERT_FATAL(r && a);
	CU_ASSERT_EQUAL(ioc_meta_parse(r, &md), -1);
	CU_ASSERT_EQUAL(ioc_meta_parse(a, &md), 0);
	CU_ASSERT_EQUAL(md.l3, IOC_L3_ARP);
	CU_ASSERT(md.flags & IOC_F_BCAST);
	CU_ASSERT_EQUAL(md.src_ip, rte_cpu_to_be_32(IP4(10, 0, 0, 11)));
	CU_ASSERT_EQUAL(md.dst_ip, rte_cpu_to_be_32(IP4(10, 0, 0, 1)));
	/* An ARP cut after its opcode is flagged. */
	rte_pktmbuf_trim(a, rte_pktmbuf_data_len(a) - 14 - 10);
	ioc_meta_parse(a, &md);
	CU_ASSERT(md.flags & IOC_F_MALFORMED);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(a);
}

void
test_meta_register(void)
{
	CU_pSuite s = CU_add_suite("meta", NULL, NULL);

	CU_add_test(s, "parse UDP fields", test_parse_udp);
	CU_add_test(s, "symmetric flow hash", test_symmetric_hash);
	CU_add_test(s, "VLAN and QinQ tags skipped", test_parse_vlan_qinq);
	CU_add_test(s, "malformed IPv4 flagged", test_parse_malformed_ipv4);
	CU_add_test(s, "fragments: L4 only in the first", test_parse_fragments);
	CU_add_test(s, "runt, ARP, broadcast", test_parse_runt_arp_bcast);
}
