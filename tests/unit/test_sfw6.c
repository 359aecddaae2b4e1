/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2 for IPv6. Suite "sfw ipv6": the lab over ring ports, VM1 bound to
 * 10.0.0.11 and 2001:db8::11, a default-drop stateful rule set that mixes
 * IPv4 and IPv6 prefixes: first match across families, ipsets and groups of
 * IPv6 prefixes (a vm: member covers the vNIC's IPv6 bindings and its
 * link-local), IPv6 connections both ways, related ICMPv6 errors, neighbour
 * discovery, and the reject replies byte for byte (RST and ICMPv6
 * administratively prohibited, checksums summed here independently).
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "fixture.h"
#include "tests.h"

#define RULE6(name, prio, src, dst, svc, dir, action)                                              \
	"[dfw_rule " name "]\npriority = " #prio "\nsource = " src "\ndestination = " dst          \
	"\nservice = " svc "\ndirection = " dir "\napplied_to = any\naction = " action "\n"

/* One rule a line. */
// clang-format off
#define SFW6_INI                                                                                   \
	FIXTURE_INI_IPS("10.0.0.11, 2001:db8::11", "")                                             \
	"[ipset v6-bad]\naddresses = 2001:db8:bad::/48, 2001:db8:beef::7\n"                        \
	"[group g-vm1]\nmembers = vm:VM1\n"                                                        \
	"[dfw]\ndefault_action = drop\nstateful = true\n"                                          \
	RULE6("v4-ssh", 5, "10.0.0.100/32", "any", "tcp/22", "in", "allow")                        \
	RULE6("bad-drop", 10, "ipset:v6-bad", "any", "tcp/80", "in", "drop")                       \
	RULE6("web", 20, "any", "any", "tcp/80", "in", "allow")                                    \
	RULE6("mdns-vm1", 30, "any", "group:g-vm1", "udp/5353", "in", "allow")                     \
	RULE6("v6-ssh", 30, "2001:db8::100", "2001:db8::/64", "tcp/2222", "in", "allow")           \
	RULE6("reject-tcp", 40, "any", "any", "tcp/9000", "in", "reject")                          \
	RULE6("reject-udp", 40, "any", "any", "udp/9001", "in", "reject")                          \
	RULE6("out-443", 40, "any", "any", "tcp/443", "out", "allow")
// clang-format on

#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_LAPTOP IP4(10, 0, 0, 100)
#define L2_L3_6 (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr))

/* 2001:db8::LO (LO < 0x10000), or with a third group: 2001:db8:G3::LO. */
static const uint8_t *
v6(uint16_t g3, uint16_t lo)
{
	static uint8_t a[8][16];
	static unsigned next;
	uint8_t *p = a[next++ % 8];

	memset(p, 0, 16);
	p[0] = 0x20;
	p[1] = 0x01;
	p[2] = 0x0d;
	p[3] = 0xb8;
	p[4] = (uint8_t)(g3 >> 8);
	p[5] = (uint8_t)g3;
	p[14] = (uint8_t)(lo >> 8);
	p[15] = (uint8_t)lo;
	return p;
}

#define VM1_6 v6(0, 0x11)
#define LAPTOP_6 v6(0, 0x100)
/* VM1's EUI-64 link-local (02:00:00:00:01:01): fe80::ff:fe00:101. */
static const uint8_t VM1_LL[16] = {
	0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [14] = 0x01, [15] = 0x01
};

static uint16_t
fresh_port(void)
{
	static uint16_t p = 30000;

	return p++;
}

static uint64_t
sfw(const char *name)
{
	return fixture_slot_counter(&fixture_lab.f, "VM1.eth0", name);
}

static unsigned
via(struct ring_port *p, struct rte_mbuf *m, struct ring_port *to)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, p, &m, 1);
	return fixture_drain_free(to);
}

static unsigned
in_vm1(struct rte_mbuf *m)
{
	return via(fixture_lab.up, m, fixture_lab.vm1);
}

static unsigned
out_vm1(struct rte_mbuf *m)
{
	return via(fixture_lab.vm1, m, fixture_lab.up);
}

static struct rte_mbuf *
tcp6(const char *smac, const char *dmac, const uint8_t *sip, const uint8_t *dip, uint16_t sport,
     uint16_t dport, uint8_t flags)
{
	struct rte_mbuf *m = pkt_ip6(smac, dmac, sip, dip, IPPROTO_TCP, sizeof(struct rte_tcp_hdr));

	if (m == NULL)
		return NULL;
	struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, L2_L3_6);
	t->src_port = rte_cpu_to_be_16(sport);
	t->dst_port = rte_cpu_to_be_16(dport);
	t->sent_seq = rte_cpu_to_be_32(5000);
	t->data_off = 5 << 4;
	t->tcp_flags = flags;
	return m;
}

static struct rte_mbuf *
udp6(const char *smac, const char *dmac, const uint8_t *sip, const uint8_t *dip, uint16_t sport,
     uint16_t dport)
{
	struct rte_mbuf *m = pkt_ip6(smac, dmac, sip, dip, IPPROTO_UDP, 12);

	if (m == NULL)
		return NULL;
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, L2_L3_6);
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16(12);
	memcpy(u + 1, "ping", 4);
	return m;
}

/* From the laptop to VM1 (inbound) or back (outbound). */
#define IN_TCP(sip, dip, sp, dp, fl) tcp6(MAC_LAPTOP, MAC_VM1, sip, dip, sp, dp, fl)
#define OUT_TCP(sip, dip, sp, dp, fl) tcp6(MAC_VM1, MAC_LAPTOP, sip, dip, sp, dp, fl)

static int
sfw6_suite_init(void)
{
	return fixture_lab_start(SFW6_INI);
}

/* One rule order for both families: the first rule that matches decides. */
static void
test_first_match_mixed(void)
{
	uint64_t rule = sfw("sfw_drop_rule"), def = sfw("sfw_drop_default");

	/* bad-drop (10) before web (20), for IPv6 sources in its ipset, /48 and /128 alike. */
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(0xbad, 5), VM1_6, fresh_port(), 80, RTE_TCP_SYN_FLAG)), 0);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(0xbeef, 7), VM1_6, fresh_port(), 80, RTE_TCP_SYN_FLAG)),
			0);
	CU_ASSERT_EQUAL(sfw("sfw_drop_rule"), rule + 2);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(0xbeef, 8), VM1_6, fresh_port(), 80, RTE_TCP_SYN_FLAG)),
			1);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, fresh_port(), 80, RTE_TCP_SYN_FLAG)), 1);
	/* web (any to any) takes IPv4 too. */
	CU_ASSERT_EQUAL(in_vm1(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 80)),
			1);
	/* v4-ssh names an IPv4 source: IPv6 to port 22 meets the default. */
	CU_ASSERT_EQUAL(in_vm1(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 22)),
			1);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, fresh_port(), 22, RTE_TCP_SYN_FLAG)), 0);
	CU_ASSERT_EQUAL(sfw("sfw_drop_default"), def + 1);
	/* v6-ssh: a /128 source, a /64 destination. */
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, fresh_port(), 2222, RTE_TCP_SYN_FLAG)), 1);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(0, 0x101), VM1_6, fresh_port(), 2222, RTE_TCP_SYN_FLAG)),
			0);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, v6(1, 0x11), fresh_port(), 2222, RTE_TCP_SYN_FLAG)),
			0);
	/* A vm: member covers VM1's IPv6 binding and its EUI-64 link-local, nothing else. */
	CU_ASSERT_EQUAL(in_vm1(udp6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, VM1_6, fresh_port(), 5353)), 1);
	CU_ASSERT_EQUAL(in_vm1(udp6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, VM1_LL, fresh_port(), 5353)), 1);
	CU_ASSERT_EQUAL(
		in_vm1(udp6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, v6(0, 0x99), fresh_port(), 5353)), 0);
	CU_ASSERT_EQUAL(sfw("sfw_drop_default"), def + 4);
}

/* Neighbour discovery passes a default-drop rule set, as ARP does. */
static void
test_nd_passes(void)
{
	uint64_t def = sfw("sfw_drop_default");
	struct rte_mbuf *m = pkt_ip6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, VM1_6, IPPROTO_ICMPV6, 24);

	CU_ASSERT_FATAL(m != NULL);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, L2_L3_6);
	icmp[0] = 135; /* a Neighbor Solicitation for VM1's address */
	memcpy(icmp + 8, VM1_6, 16);
	CU_ASSERT_EQUAL(in_vm1(m), 1);
	/* An echo request is no plumbing: the rules (none) decide. */
	m = pkt_ip6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, VM1_6, IPPROTO_ICMPV6, 8);
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, uint8_t *, L2_L3_6)[0] = 128;
	CU_ASSERT_EQUAL(in_vm1(m), 0);
	CU_ASSERT_EQUAL(sfw("sfw_drop_default"), def + 1);
}

/* IPv6 connections let their return traffic through, whichever side opened them. */
static void
test_conntrack_both_ways(void)
{
	uint16_t sp = fresh_port();

	/* Opened by VM1 (out-443): the answer comes in without an inbound rule... */
	CU_ASSERT_EQUAL(out_vm1(OUT_TCP(VM1_6, LAPTOP_6, sp, 443, RTE_TCP_SYN_FLAG)), 1);
	CU_ASSERT_EQUAL(
		in_vm1(IN_TCP(LAPTOP_6, VM1_6, 443, sp, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)), 1);
	CU_ASSERT_EQUAL(out_vm1(OUT_TCP(VM1_6, LAPTOP_6, sp, 443, RTE_TCP_ACK_FLAG)), 1);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, 443, sp, RTE_TCP_ACK_FLAG)), 1);
	/* ...from that peer only: the whole address is the key, not a digest of it. */
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(0, 0x101), VM1_6, 443, sp, RTE_TCP_ACK_FLAG)), 0);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(v6(7, 0x100), VM1_6, 443, sp, RTE_TCP_ACK_FLAG)), 0);

	/* Opened from outside (web): VM1's answers go out without an outbound rule. */
	sp = fresh_port();
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, sp, 80, RTE_TCP_SYN_FLAG)), 1);
	CU_ASSERT_EQUAL(
		out_vm1(OUT_TCP(VM1_6, LAPTOP_6, 80, sp, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)), 1);
	CU_ASSERT_EQUAL(out_vm1(OUT_TCP(VM1_6, LAPTOP_6, 80, sp + 1000, RTE_TCP_ACK_FLAG)), 0);

	/* An IPv4 connection is not met by IPv6 with its IPv4-mapped addresses. */
	static const uint8_t m_laptop[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 100 };
	static const uint8_t m_vm1[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 11 };
	sp = fresh_port();
	CU_ASSERT_EQUAL(out_vm1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443)), 1);
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(m_laptop, m_vm1, 443, sp, RTE_TCP_ACK_FLAG)), 0);
}

/* An ICMPv6 error about a packet of a live connection reaches its sender (PMTU discovery). */
static void
test_related_icmp6(void)
{
	uint16_t sp = fresh_port();
	struct rte_mbuf *q = OUT_TCP(VM1_6, LAPTOP_6, sp, 443, RTE_TCP_SYN_FLAG);

	CU_ASSERT_FATAL(q != NULL);
	uint8_t quoted[sizeof(struct rte_ipv6_hdr) + 8];
	memcpy(quoted, rte_pktmbuf_mtod_offset(q, void *, sizeof(struct rte_ether_hdr)),
	       sizeof(quoted));
	CU_ASSERT_EQUAL(out_vm1(q), 1);
	for (unsigned known = 0; known < 2; known++) {
		/* A router on the way: Packet Too Big (type 2), quoting VM1's packet. */
		struct rte_mbuf *m = pkt_ip6(MAC_LAPTOP, MAC_VM1, v6(9, 1), VM1_6, IPPROTO_ICMPV6,
					     8 + sizeof(quoted));

		CU_ASSERT_FATAL(m != NULL);
		uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, L2_L3_6);
		icmp[0] = 2;
		memcpy(icmp + 8, quoted, sizeof(quoted));
		if (!known) /* a port of no connection */
			icmp[8 + sizeof(struct rte_ipv6_hdr)] ^= 0x40;
		CU_ASSERT_EQUAL(in_vm1(m), known);
	}
}

/* The Internet checksum of an IPv6 upper-layer message, summed here (RFC 8200 8.1). */
static uint16_t
sum6(const struct rte_ipv6_hdr *ip, const void *l4, unsigned len)
{
	uint32_t s = 0;
	const uint8_t *p = l4;

	for (unsigned i = 0; i < 16; i += 2)
		s += (unsigned)(ip->src_addr[i] << 8 | ip->src_addr[i + 1]) +
		     (unsigned)(ip->dst_addr[i] << 8 | ip->dst_addr[i + 1]);
	s += len + ip->proto;
	for (unsigned i = 0; i < len; i += 2)
		s += (unsigned)(p[i] << 8 | (i + 1 < len ? p[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static struct rte_ipv6_hdr *
reply_ip(struct rte_mbuf *r)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(buf, sizeof(buf), &eth->src_addr);
	CU_ASSERT_STRING_EQUAL(buf, MAC_VM1);
	rte_ether_format_addr(buf, sizeof(buf), &eth->dst_addr);
	CU_ASSERT_STRING_EQUAL(buf, MAC_LAPTOP);
	CU_ASSERT_EQUAL(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV6));
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(ip->vtc_flow) >> 28, 6);
	CU_ASSERT_EQUAL(memcmp(ip->src_addr, VM1_6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip->dst_addr, LAPTOP_6, 16), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->payload_len), rte_pktmbuf_pkt_len(r) - L2_L3_6);
	return ip;
}

static void
test_reject_rst6(void)
{
	uint64_t rej = sfw("sfw_reject");
	uint16_t sp = fresh_port();
	struct rte_mbuf *r;

	/* A SYN (seq 5000): RST|ACK acknowledging 5001. */
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, sp, 9000, RTE_TCP_SYN_FLAG)), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(r), L2_L3_6 + sizeof(struct rte_tcp_hdr));
	struct rte_ipv6_hdr *ip = reply_ip(r);
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);
	CU_ASSERT_EQUAL(ip->proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->src_port), 9000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->dst_port), sp);
	CU_ASSERT_EQUAL(t->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(t->sent_seq), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(t->recv_ack), 5001);
	CU_ASSERT_EQUAL(t->data_off, 5 << 4);
	CU_ASSERT_EQUAL(sum6(ip, t, sizeof(*t)), 0xffff);
	rte_pktmbuf_free(r);
	CU_ASSERT_EQUAL(sfw("sfw_reject"), rej + 1);
	/* A RST is never answered. */
	CU_ASSERT_EQUAL(in_vm1(IN_TCP(LAPTOP_6, VM1_6, sp, 9000, RTE_TCP_RST_FLAG)), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
}

static void
test_reject_icmp6(void)
{
	uint64_t rej = sfw("sfw_reject"), drop = sfw("sfw_drop_rule");
	struct rte_mbuf *m = udp6(MAC_LAPTOP, MAC_VM1, LAPTOP_6, VM1_6, fresh_port(), 9001), *r;
	uint8_t orig[sizeof(struct rte_ipv6_hdr) + 8];

	CU_ASSERT_FATAL(m != NULL);
	memcpy(orig, rte_pktmbuf_mtod_offset(m, void *, sizeof(struct rte_ether_hdr)),
	       sizeof(orig));
	CU_ASSERT_EQUAL(in_vm1(m), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	/* IPv6 header, ICMPv6 header, the original IPv6 header and 8 bytes. */
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(r), L2_L3_6 + 8 + sizeof(orig));
	struct rte_ipv6_hdr *ip = reply_ip(r);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	CU_ASSERT_EQUAL(ip->proto, IPPROTO_ICMPV6);
	CU_ASSERT_EQUAL(icmp[0], 1); /* destination unreachable */
	CU_ASSERT_EQUAL(icmp[1], 1); /* administratively prohibited */
	CU_ASSERT_EQUAL(icmp[4] | icmp[5] | icmp[6] | icmp[7], 0);
	CU_ASSERT_EQUAL(memcmp(icmp + 8, orig, sizeof(orig)), 0);
	CU_ASSERT_EQUAL(sum6(ip, icmp, 8 + sizeof(orig)), 0xffff);
	rte_pktmbuf_free(r);
	CU_ASSERT_EQUAL(sfw("sfw_reject"), rej + 1);

	/* Not from one host (::, a multicast source): dropped, unanswered. */
	static const uint8_t unspecified[16], mcast[16] = { 0xff, 0x02, [15] = 1 };
	CU_ASSERT_EQUAL(in_vm1(udp6(MAC_LAPTOP, MAC_VM1, unspecified, VM1_6, 1, 9001)), 0);
	CU_ASSERT_EQUAL(in_vm1(udp6(MAC_LAPTOP, MAC_VM1, mcast, VM1_6, 1, 9001)), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
	CU_ASSERT_EQUAL(sfw("sfw_reject"), rej + 1);
	CU_ASSERT_EQUAL(sfw("sfw_drop_rule"), drop + 2);
}

static void
test_sfw6_register(void)
{
	CU_pSuite s = CU_add_suite("sfw ipv6", sfw6_suite_init, fixture_lab_suite_cleanup);

	CU_add_test(s, "first match across families, ipsets and groups", test_first_match_mixed);
	CU_add_test(s, "neighbour discovery passes", test_nd_passes);
	CU_add_test(s, "connections both ways", test_conntrack_both_ways);
	CU_add_test(s, "a related ICMPv6 error", test_related_icmp6);
	CU_add_test(s, "reject TCP: RST", test_reject_rst6);
	CU_add_test(s, "reject UDP: ICMPv6 administratively prohibited", test_reject_icmp6);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);
}

UNIT_SUITES(test_sfw6_register)
