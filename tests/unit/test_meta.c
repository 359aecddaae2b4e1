/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The header parser: fields, symmetric hash, VLAN, malformed and fragmented
 * IPv4; IPv6 with its extension headers, fragments and ICMPv6.
 */
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

/* One IPv6 extension header of a crafted frame. */
struct ext6 {
	uint8_t type;  /* IPPROTO_HOPOPTS, _ROUTING, _FRAGMENT, _DSTOPTS */
	uint8_t len8;  /* Hdr Ext Len: (len8 + 1) * 8 bytes (not for a fragment header) */
	uint16_t frag; /* fragment header: offset << 3 | M */
};

static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00 };

/*
 * Builds Ethernet + IPv6 (src a, dst b) + the n extension headers + an L4
 * header of l4len bytes into buf, the payload length covering all of it.
 * TCP/UDP get ports sport/dport; ICMPv6 gets type sport, identifier dport.
 */
static unsigned
build_v6(uint8_t *buf, const uint8_t *a, const uint8_t *b, const struct ext6 *ext, unsigned n,
	 uint8_t proto, unsigned l4len, uint16_t sport, uint16_t dport)
{
	uint8_t *ip = buf + 14;
	unsigned off = 40;

	memset(buf, 0, 512);
	memcpy(buf, "\x02\x00\x00\x00\x02\x01\x02\x00\x00\x00\x01\x01\x86\xdd", 14);
	ip[0] = 0x60;
	ip[7] = 64;
	memcpy(ip + 8, a, 16);
	memcpy(ip + 24, b, 16);
	uint8_t *next = &ip[6];
	for (unsigned i = 0; i < n; i++) {
		uint8_t *h = ip + off;

		*next = ext[i].type;
		next = &h[0];
		if (ext[i].type == IPPROTO_FRAGMENT) {
			h[2] = (uint8_t)(ext[i].frag >> 8);
			h[3] = (uint8_t)ext[i].frag;
			off += 8;
		} else {
			h[1] = ext[i].len8;
			off += (ext[i].len8 + 1u) * 8;
		}
	}
	*next = proto;
	uint8_t *l4 = ip + off;
	if (proto == IPPROTO_ICMPV6) {
		l4[0] = (uint8_t)sport;
		l4[4] = (uint8_t)(dport >> 8);
		l4[5] = (uint8_t)dport;
	} else {
		l4[0] = (uint8_t)(sport >> 8);
		l4[1] = (uint8_t)sport;
		l4[2] = (uint8_t)(dport >> 8);
		l4[3] = (uint8_t)dport;
	}
	off += l4len;
	ip[4] = (uint8_t)((off - 40) >> 8);
	ip[5] = (uint8_t)(off - 40);
	return 14 + off;
}

static struct ioc_meta
parse_raw(const uint8_t *buf, unsigned len)
{
	struct rte_mbuf *m = pkt_raw(buf, len);
	struct ioc_meta md;

	memset(&md, 0, sizeof(md));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(ioc_meta_parse(m, &md), 0);
	rte_pktmbuf_free(m);
	return md;
}

static struct ioc_meta
parse_v6(const struct ext6 *ext, unsigned n, uint8_t proto, unsigned l4len, uint16_t sport,
	 uint16_t dport)
{
	uint8_t buf[512];

	return parse_raw(buf, build_v6(buf, A6, B6, ext, n, proto, l4len, sport, dport));
}

static void
test_parse_ipv6_udp(void)
{
	struct ioc_meta md = parse_v6(NULL, 0, IPPROTO_UDP, 8, 5353, 53);

	CU_ASSERT_EQUAL(md.l3, IOC_L3_IPV6);
	CU_ASSERT_EQUAL(md.l3_off, 14);
	CU_ASSERT_EQUAL(md.l4_off, 54);
	CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(md.src_ip, ioc_meta_ipv6_digest(A6));
	CU_ASSERT_EQUAL(md.dst_ip, ioc_meta_ipv6_digest(B6));
	CU_ASSERT_NOT_EQUAL(md.src_ip, md.dst_ip);
	CU_ASSERT_EQUAL(md.src_port, rte_cpu_to_be_16(5353));
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(53));
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_FALSE(md.flags & (IOC_F_MALFORMED | IOC_F_FRAG));
}

static void
test_ipv6_symmetric_hash(void)
{
	uint8_t buf[512];
	unsigned len = build_v6(buf, A6, B6, NULL, 0, IPPROTO_TCP, 20, 40000, 443);
	struct rte_mbuf *ab = pkt_raw(buf, len);
	len = build_v6(buf, B6, A6, NULL, 0, IPPROTO_TCP, 20, 443, 40000);
	struct rte_mbuf *ba = pkt_raw(buf, len);
	len = build_v6(buf, A6, B6, NULL, 0, IPPROTO_TCP, 20, 40001, 443);
	struct rte_mbuf *other = pkt_raw(buf, len);
	struct ioc_meta md;

	CU_ASSERT_FATAL(ab && ba && other);
	ioc_meta_parse(ab, &md);
	ioc_meta_parse(ba, &md);
	ioc_meta_parse(other, &md);
	CU_ASSERT_EQUAL(ioc_flow_hash(ab), ioc_flow_hash(ba));
	CU_ASSERT_NOT_EQUAL(ioc_flow_hash(ab), ioc_flow_hash(other));
	rte_pktmbuf_free(ab);
	rte_pktmbuf_free(ba);
	rte_pktmbuf_free(other);
}

static void
test_ipv6_each_ext(void)
{
	static const struct ext6 one[] = {
		{ IPPROTO_HOPOPTS, 0, 0 },
		{ IPPROTO_ROUTING, 2, 0 },
		{ IPPROTO_DSTOPTS, 1, 0 },
		{ IPPROTO_FRAGMENT, 0, 0 }, /* atomic: offset 0, no M */
	};
	static const unsigned size[] = { 8, 24, 16, 8 };

	for (unsigned i = 0; i < RTE_DIM(one); i++) {
		struct ioc_meta md = parse_v6(&one[i], 1, IPPROTO_UDP, 8, 1000, 2000 + i);

		CU_ASSERT_FALSE(md.flags & (IOC_F_MALFORMED | IOC_F_FRAG));
		CU_ASSERT(md.flags & IOC_F_L4);
		CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_UDP);
		CU_ASSERT_EQUAL(md.l4_off, 54 + size[i]);
		CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(2000 + i));
	}
}

static void
test_ipv6_chain_bound(void)
{
	/* RFC 8200's full order: five headers, the bound. */
	static const struct ext6 five[] = {
		{ IPPROTO_HOPOPTS, 0, 0 },  { IPPROTO_DSTOPTS, 0, 0 }, { IPPROTO_ROUTING, 0, 0 },
		{ IPPROTO_FRAGMENT, 0, 1 }, { IPPROTO_DSTOPTS, 0, 0 },
	};
	struct ioc_meta md = parse_v6(five, 5, IPPROTO_TCP, 20, 1, 22);

	CU_ASSERT_FALSE(md.flags & IOC_F_MALFORMED);
	CU_ASSERT(md.flags & IOC_F_FRAG); /* first fragment: M set, offset 0 */
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(md.l4_off, 54 + 5 * 8);
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(22));

	/* One more, and a loop of destination options: past the bound. */
	static const struct ext6 six[] = {
		{ IPPROTO_HOPOPTS, 0, 0 }, { IPPROTO_DSTOPTS, 0, 0 }, { IPPROTO_ROUTING, 0, 0 },
		{ IPPROTO_DSTOPTS, 0, 0 }, { IPPROTO_DSTOPTS, 0, 0 }, { IPPROTO_DSTOPTS, 0, 0 },
	};
	CU_ASSERT(parse_v6(six, 6, IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);
	CU_ASSERT_FALSE(parse_v6(six + 1, 5, IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);
	struct ext6 loop[IOC_IPV6_MAX_EXT + 1];
	for (unsigned i = 0; i < RTE_DIM(loop); i++)
		loop[i] = (struct ext6){ IPPROTO_DSTOPTS, 0, 0 };
	CU_ASSERT(parse_v6(loop, RTE_DIM(loop), IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);
	CU_ASSERT_FALSE(parse_v6(loop, IOC_IPV6_MAX_EXT, IPPROTO_UDP, 8, 1, 2).flags &
			IOC_F_MALFORMED);

	/* Hop-by-hop anywhere but first. */
	static const struct ext6 late_hbh[] = { { IPPROTO_DSTOPTS, 0, 0 },
						{ IPPROTO_HOPOPTS, 0, 0 } };
	CU_ASSERT(parse_v6(late_hbh, 2, IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);

	/* An L4 header past byte 255 of the frame (216 bytes of options): the offset's bound. */
	static const struct ext6 big = { IPPROTO_DSTOPTS, 26, 0 };
	CU_ASSERT(parse_v6(&big, 1, IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);
	static const struct ext6 fits = { IPPROTO_DSTOPTS, 24, 0 };
	CU_ASSERT_FALSE(parse_v6(&fits, 1, IPPROTO_UDP, 8, 1, 2).flags & IOC_F_MALFORMED);
}

static void
test_ipv6_truncated(void)
{
	static const struct ext6 chain[] = {
		{ IPPROTO_HOPOPTS, 0, 0 },
		{ IPPROTO_ROUTING, 2, 0 },
		{ IPPROTO_FRAGMENT, 0, 1 },
		{ IPPROTO_DSTOPTS, 1, 0 },
	};
	uint8_t buf[512];
	unsigned len = build_v6(buf, A6, B6, chain, 4, IPPROTO_UDP, 8, 1, 2);

	CU_ASSERT_FALSE(parse_raw(buf, len).flags & IOC_F_MALFORMED);
	/* The frame cut at every offset after Ethernet: the payload length lies. */
	for (unsigned cut = 14; cut < len; cut++) {
		struct ioc_meta md = parse_raw(buf, cut);

		CU_ASSERT_EQUAL(md.l3, IOC_L3_IPV6);
		if (!(md.flags & IOC_F_MALFORMED))
			CU_FAIL("a cut IPv6 frame is not flagged malformed");
	}
	/*
	 * The payload length cut at every offset inside the chain and the UDP
	 * ports, the frame whole (Ethernet padding): malformed too.
	 */
	for (unsigned pl = 0; pl + 40 + 14 < len - 4; pl++) {
		buf[14 + 4] = (uint8_t)(pl >> 8);
		buf[14 + 5] = (uint8_t)pl;
		if (!(parse_raw(buf, len).flags & IOC_F_MALFORMED))
			CU_FAIL("an extension chain past the payload length is not malformed");
	}
	/* A routing header claiming more than the payload. */
	len = build_v6(buf, A6, B6, chain + 1, 1, IPPROTO_UDP, 8, 1, 2);
	buf[14 + 41] = 200;
	CU_ASSERT(parse_raw(buf, len).flags & IOC_F_MALFORMED);
	/* Not version 6 behind the IPv6 ethertype. */
	len = build_v6(buf, A6, B6, NULL, 0, IPPROTO_UDP, 8, 1, 2);
	buf[14] = 0x40;
	CU_ASSERT(parse_raw(buf, len).flags & IOC_F_MALFORMED);
}

static void
test_ipv6_jumbo(void)
{
	/* Payload length 0 and a hop-by-hop Jumbo Payload option (RFC 2675). */
	static const struct ext6 hbh = { IPPROTO_HOPOPTS, 0, 0 };
	uint8_t buf[512];
	unsigned len = build_v6(buf, A6, B6, &hbh, 1, IPPROTO_UDP, 8, 1, 2);

	buf[14 + 4] = 0;
	buf[14 + 5] = 0;
	buf[14 + 42] = 0xc2; /* option type: Jumbo Payload, length 4, 70000 bytes */
	buf[14 + 43] = 4;
	buf[14 + 46] = 0x11;
	buf[14 + 47] = 0x70;
	CU_ASSERT(parse_raw(buf, len).flags & IOC_F_MALFORMED);
}

static void
test_ipv6_fragments(void)
{
	struct ext6 fh = { IPPROTO_FRAGMENT, 0, 1 }; /* first: offset 0, M */
	struct ioc_meta md = parse_v6(&fh, 1, IPPROTO_UDP, 8, 7, 8);

	CU_ASSERT(md.flags & IOC_F_FRAG);
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(8));
	/* Non-first, with and without M: no ports, the protocol known, nothing after read. */
	for (unsigned mf = 0; mf < 2; mf++) {
		fh.frag = (uint16_t)(185 << 3 | mf);
		md = parse_v6(&fh, 1, IPPROTO_UDP, 1, 7, 8);
		CU_ASSERT(md.flags & IOC_F_FRAG);
		CU_ASSERT_FALSE(md.flags & (IOC_F_L4 | IOC_F_MALFORMED));
		CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_UDP);
		CU_ASSERT_EQUAL(md.l4_off, 54 + 8);
		CU_ASSERT_EQUAL(md.src_port, 0);
		CU_ASSERT_EQUAL(md.dst_port, 0);
	}
	/* A non-first fragment's payload that looks like more headers is not walked. */
	static const struct ext6 then_dst[] = { { IPPROTO_FRAGMENT, 0, 8 << 3 },
						{ IPPROTO_DSTOPTS, 0, 0 } };
	uint8_t buf[512];
	unsigned len = build_v6(buf, A6, B6, then_dst, 2, IPPROTO_UDP, 0, 0, 0);
	buf[14 + 48 + 1] = 200; /* would run past the payload, if read */
	md = parse_raw(buf, len);
	CU_ASSERT(md.flags & IOC_F_FRAG);
	CU_ASSERT_FALSE(md.flags & IOC_F_MALFORMED);
	CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_DSTOPTS);
}

static void
test_ipv6_icmp(void)
{
	struct ioc_meta md = parse_v6(NULL, 0, IPPROTO_ICMPV6, 8, IOC_ICMP6_ECHO_REQUEST, 0x1234);

	CU_ASSERT_EQUAL(md.l4_proto, IPPROTO_ICMPV6);
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(md.src_port, rte_cpu_to_be_16(0x1234));
	CU_ASSERT_EQUAL(md.dst_port, rte_cpu_to_be_16(0x1234));
	md = parse_v6(NULL, 0, IPPROTO_ICMPV6, 8, IOC_ICMP6_ECHO_REPLY, 0x1234);
	CU_ASSERT_EQUAL(md.src_port, rte_cpu_to_be_16(0x1234));
	/* A Neighbor Solicitation: L4, no identifier. */
	md = parse_v6(NULL, 0, IPPROTO_ICMPV6, 24, 135, 0x1234);
	CU_ASSERT(md.flags & IOC_F_L4);
	CU_ASSERT_EQUAL(md.src_port, 0);
	CU_ASSERT_EQUAL(md.dst_port, 0);
	/* Shorter than the 8-byte header. */
	CU_ASSERT(parse_v6(NULL, 0, IPPROTO_ICMPV6, 4, 128, 1).flags & IOC_F_MALFORMED);
	/* An IPv4 ICMP type number means nothing in ICMPv6 (8: not echo). */
	md = parse_v6(NULL, 0, IPPROTO_ICMPV6, 8, 8, 0x1234);
	CU_ASSERT_EQUAL(md.src_port, 0);
}

static void
test_meta_register(void)
{
	CU_pSuite s = CU_add_suite("meta", NULL, NULL);

	CU_add_test(s, "parse UDP fields", test_parse_udp);
	CU_add_test(s, "symmetric flow hash", test_symmetric_hash);
	CU_add_test(s, "VLAN and QinQ tags skipped", test_parse_vlan_qinq);
	CU_add_test(s, "malformed IPv4 flagged", test_parse_malformed_ipv4);
	CU_add_test(s, "fragments: L4 only in the first", test_parse_fragments);
	CU_add_test(s, "runt, ARP, broadcast", test_parse_runt_arp_bcast);
	CU_add_test(s, "IPv6 UDP fields", test_parse_ipv6_udp);
	CU_add_test(s, "IPv6 symmetric flow hash", test_ipv6_symmetric_hash);
	CU_add_test(s, "IPv6 each extension header", test_ipv6_each_ext);
	CU_add_test(s, "IPv6 extension chain bound", test_ipv6_chain_bound);
	CU_add_test(s, "IPv6 truncated at every offset", test_ipv6_truncated);
	CU_add_test(s, "IPv6 jumbo payload option", test_ipv6_jumbo);
	CU_add_test(s, "IPv6 fragments: L4 only in the first", test_ipv6_fragments);
	CU_add_test(s, "ICMPv6 echo identifier, ND, cut", test_ipv6_icmp);
}

UNIT_SUITES(test_meta_register)
