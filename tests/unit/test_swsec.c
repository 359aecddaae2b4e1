/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 1, spoofguard: outbound MAC/IP/ARP bindings, inbound unchecked; IPv6
 * bindings, neighbour discovery and RA guard (suite "swsec ipv6").
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "config.h"
#include "fixture.h"
#include "tests.h"

/* Sends one packet from VM1 and returns how many left on the uplink. */
static unsigned
send_vm1(struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.vm1, &m, 1);
	return fixture_drain_free(fixture_lab.up);
}

static uint64_t
swsec(const char *name)
{
	return fixture_slot_counter(&fixture_lab.f, "VM1.eth0", name);
}

static void
test_allowed(void)
{
	uint64_t pass = swsec("swsec_pass");

	CU_ASSERT_EQUAL(send_vm1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100),
					 1000, 53)),
			1);
	CU_ASSERT_EQUAL(send_vm1(pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11),
					       IP4(10, 0, 0, 100), 7, false)),
			1);
	CU_ASSERT_EQUAL(swsec("swsec_pass"), pass + 2);
}

static void
test_wrong_mac(void)
{
	uint64_t before = swsec("swsec_drop_mac");
	uint64_t chain = fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_DROP_OUT_CHAIN);

	CU_ASSERT_EQUAL(send_vm1(pkt_udp("02:00:00:00:01:02", MAC_LAPTOP, IP4(10, 0, 0, 11),
					 IP4(10, 0, 0, 100), 1000, 53)),
			0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_mac"), before + 1);
	CU_ASSERT_EQUAL(fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_DROP_OUT_CHAIN),
			chain + 1);
}

static void
test_wrong_ip(void)
{
	uint64_t before = swsec("swsec_drop_ip");

	/* VM2's address, sent by VM1: a spoof even though it exists on this host. */
	CU_ASSERT_EQUAL(send_vm1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 12), IP4(10, 0, 0, 100),
					 1000, 53)),
			0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_ip"), before + 1);
}

static void
test_second_binding(void)
{
	struct rte_mbuf *m =
		pkt_udp(MAC_VM2, MAC_LAPTOP, IP4(10, 0, 0, 13), IP4(10, 0, 0, 100), 1, 2);

	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.vm2, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 1);
}

static void
test_arp(void)
{
	uint64_t before = swsec("swsec_drop_arp");

	/* A genuine request floods to the uplink and VM2. */
	CU_ASSERT_EQUAL(send_vm1(pkt_arp(MAC_VM1, MAC_VM1, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100))),
			1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), 1);
	/* An address probe (sender 0.0.0.0) claims nothing and passes. */
	CU_ASSERT_EQUAL(send_vm1(pkt_arp(MAC_VM1, MAC_VM1, 0, IP4(10, 0, 0, 11))), 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), 1);
	/* Poisoning: sender IP of the gateway, or another MAC inside the ARP body. */
	CU_ASSERT_EQUAL(send_vm1(pkt_arp(MAC_VM1, MAC_VM1, IP4(10, 0, 0, 1), IP4(10, 0, 0, 100))),
			0);
	CU_ASSERT_EQUAL(send_vm1(pkt_arp(MAC_VM1, "02:00:00:00:09:09", IP4(10, 0, 0, 11),
					 IP4(10, 0, 0, 100))),
			0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), 0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_arp"), before + 2);
}

static void
test_ipv6_and_malformed(void)
{
	uint64_t v6 = swsec("swsec_drop_ipv6"), bad = swsec("swsec_drop_malformed");
	struct rte_mbuf *m =
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 1, 2);

	CU_ASSERT_EQUAL(send_vm1(pkt_ipv6(MAC_VM1, MAC_LAPTOP)), 0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_ipv6"), v6 + 1);
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14)[0] = 0x43; /* IHL 3 */
	CU_ASSERT_EQUAL(send_vm1(m), 0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_malformed"), bad + 1);
}

/*
 * A frame from `smac` to the laptop: Ethernet type (or 802.3 length) `type`,
 * then `body`.
 */
static struct rte_mbuf *
pkt_type(const char *smac, uint16_t type, const uint8_t *body, unsigned len)
{
	uint8_t f[128] = { 0 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;

	CU_ASSERT_FATAL(len + sizeof(*eth) <= sizeof(f));
	rte_ether_unformat_addr(MAC_LAPTOP, &eth->dst_addr);
	rte_ether_unformat_addr(smac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(type);
	memcpy(f + sizeof(*eth), body, len);
	return pkt_raw(f, (unsigned)sizeof(*eth) + len);
}

static void
test_other_ethertypes(void)
{
	/* RFC 1042: LLC/SNAP carrying IPv4 from 10.0.0.12, VM2's address. */
	static const uint8_t snap_ipv4[] = {
		0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, /* LLC/SNAP, type IPv4 */
		0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 10, 0,
		0,    12,   10,	  0,	0,    100,  8,	  0,	0,    0,    0,	  0,	0,  0,
	};
	static const uint8_t lldp[] = { 0x02, 0x07, 0x04, 0x02, 0, 0, 0, 0x01, 0x01, 0, 0 };
	uint64_t drop = swsec("swsec_drop_ethertype");
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL(
		send_vm1(pkt_type(MAC_VM1, sizeof(snap_ipv4), snap_ipv4, sizeof(snap_ipv4))), 0);
	CU_ASSERT_EQUAL(send_vm1(pkt_type(MAC_VM1, 0x8847, snap_ipv4 + 8, 28)), 0); /* MPLS */
	CU_ASSERT_EQUAL(send_vm1(pkt_type(MAC_VM1, 0x88cc, lldp, sizeof(lldp))), 0);
	CU_ASSERT_EQUAL(swsec("swsec_drop_ethertype"), drop + 3);
	/* VM2 allows LLDP (allow_ethertypes = 0x88cc), and nothing else. */
	drop = fixture_slot_counter(&fixture_lab.f, "VM2.eth0", "swsec_drop_ethertype");
	m = pkt_type(MAC_VM2, 0x88cc, lldp, sizeof(lldp));
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.vm2, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 1);
	m = pkt_type(MAC_VM2, 0x8809, lldp, sizeof(lldp));
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.vm2, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
	CU_ASSERT_EQUAL(fixture_slot_counter(&fixture_lab.f, "VM2.eth0", "swsec_drop_ethertype"),
			drop + 1);
}

static void
test_inbound_not_checked(void)
{
	/* From the uplink, any source reaches VM1: spoofguard guards what a VM sends. */
	struct rte_mbuf *m =
		pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(172, 16, 9, 9), IP4(10, 0, 0, 11), 1, 2);
	uint64_t in = swsec("swsec_in");

	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.up, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), 1);
	CU_ASSERT_EQUAL(swsec("swsec_in"), in + 1);
	CU_ASSERT_EQUAL(swsec("swsec_in"),
			swsec("swsec_pass") + swsec("swsec_drop_mac") + swsec("swsec_drop_ip") +
				swsec("swsec_drop_arp") + swsec("swsec_drop_ipv6") +
				swsec("swsec_drop_malformed") + swsec("swsec_drop_ethertype"));
}

/* VM1 is bound to 10.0.0.11 and 2001:db8::11; its MAC gives the link-local LL. */
#define V6_INI FIXTURE_INI_IPS("10.0.0.11, 2001:db8::11", "")
#define V6_INI_NO_LL FIXTURE_INI_IPS("10.0.0.11, 2001:db8::11", "ipv6_link_local = none\n")

static const uint8_t BOUND[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
static const uint8_t OTHER[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x12 };
static const uint8_t GW[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t LAPTOP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00 };
static const uint8_t LL[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [14] = 0x01, [15] = 0x01 };
static const uint8_t UNSPEC[16];
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t MLD2_ROUTERS[16] = { 0xff, 0x02, [15] = 0x16 };
/* ff02::1:ff00:11, the solicited-node group of 2001:db8::11, and its MAC. */
static const uint8_t SNODE[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff, [15] = 0x11 };
#define MAC_SNODE "33:33:ff:00:00:11"
#define MAC_ALL_NODES "33:33:00:00:00:01"

static uint64_t
swsec_drops(void)
{
	static const char *const names[] = {
		"swsec_drop_mac",      "swsec_drop_ipv6",   "swsec_drop_nd",	    "swsec_drop_ra",
		"swsec_drop_redirect", "swsec_drop_dhcpv6", "swsec_drop_malformed",
	};
	uint64_t n = 0;

	for (unsigned i = 0; i < RTE_DIM(names); i++)
		n += swsec(names[i]);
	return n;
}

/*
 * Sends m from VM1 and asserts that `counter` moved by one (NULL: that it
 * passed, no drop counter moved), and that it reached the uplink (and VM2,
 * when flooded) or nothing.
 */
static void
expect6(struct rte_mbuf *m, const char *counter, bool flooded)
{
	uint64_t before = counter != NULL ? swsec(counter) : 0, drops = swsec_drops();
	uint64_t pass = swsec("swsec_pass");

	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.vm1, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), counter == NULL);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), counter == NULL && flooded);
	if (counter != NULL) {
		CU_ASSERT_EQUAL(swsec(counter), before + 1);
		CU_ASSERT_EQUAL(swsec_drops(), drops + 1);
	} else {
		CU_ASSERT_EQUAL(swsec("swsec_pass"), pass + 1);
		CU_ASSERT_EQUAL(swsec_drops(), drops);
	}
}

static struct rte_mbuf *
udp6(const uint8_t *src, uint16_t sport, uint16_t dport)
{
	struct rte_mbuf *m = pkt_ip6(MAC_VM1, MAC_LAPTOP, src, LAPTOP6, IPPROTO_UDP, 16);

	if (m != NULL) {
		uint8_t *u = rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40);
		u[0] = (uint8_t)(sport >> 8);
		u[1] = (uint8_t)sport;
		u[2] = (uint8_t)(dport >> 8);
		u[3] = (uint8_t)dport;
		u[5] = 16;
	}
	return m;
}

/*
 * An ICMPv6 message of `type` from src to dst (Ethernet dmac), 24 bytes of
 * header with `target` at 8, then a link-layer option (opt: 1 source, 2
 * target, 0 none) carrying opt_mac, of length opt_len (units of 8 bytes).
 */
static struct rte_mbuf *
icmp6(uint8_t type, const uint8_t *src, const uint8_t *dst, const char *dmac, const uint8_t *target,
      uint8_t opt, const char *opt_mac, uint8_t opt_len)
{
	unsigned len = 24 + (opt ? 8 : 0);
	struct rte_mbuf *m = pkt_ip6(MAC_VM1, dmac, src, dst, IPPROTO_ICMPV6, len);

	if (m == NULL)
		return NULL;
	uint8_t *h = rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40);
	h[0] = type;
	if (target != NULL)
		memcpy(h + 8, target, 16);
	if (opt) {
		h[24] = opt;
		h[25] = opt_len;
		ioc_parse_mac(opt_mac, h + 26, NULL);
	}
	return m;
}

static void
test_v6_sources(void)
{
	/* A bound address, the EUI-64 link-local: pass. */
	expect6(udp6(BOUND, 1000, 53), NULL, false);
	expect6(udp6(LL, 1000, 53), NULL, false);
	expect6(icmp6(128, BOUND, LAPTOP6, MAC_LAPTOP, NULL, 0, NULL, 0), NULL, false);
	/* Another host's address, the gateway's, ::: spoofs. */
	expect6(udp6(OTHER, 1000, 53), "swsec_drop_ipv6", false);
	expect6(udp6(GW, 1000, 53), "swsec_drop_ipv6", false);
	expect6(udp6(UNSPEC, 1000, 53), "swsec_drop_ipv6", false);
	/* The wrong MAC first. */
	struct rte_mbuf *m = udp6(BOUND, 1000, 53);
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod(m, uint8_t *)[11] = 9;
	expect6(m, "swsec_drop_mac", false);
}

static void
test_v6_dad_and_ns(void)
{
	/* DAD: from ::, for a bound address, to its solicited-node group: flooded. */
	expect6(icmp6(135, UNSPEC, SNODE, MAC_SNODE, BOUND, 0, NULL, 0), NULL, true);
	expect6(icmp6(135, UNSPEC, SNODE, MAC_SNODE, LL, 0, NULL, 0), NULL, true);
	/* DAD for an address that is not the VM's: it would take it. */
	expect6(icmp6(135, UNSPEC, SNODE, MAC_SNODE, OTHER, 0, NULL, 0), "swsec_drop_nd", false);
	/* Address resolution of the laptop: its own MAC in the option, flooded. */
	expect6(icmp6(135, LL, SNODE, MAC_SNODE, LAPTOP6, 1, MAC_VM1, 1), NULL, true);
	expect6(icmp6(135, BOUND, SNODE, MAC_SNODE, LAPTOP6, 0, NULL, 0), NULL, true);
	/* Another MAC in the source link-layer option, or an option 16 bytes long. */
	expect6(icmp6(135, LL, SNODE, MAC_SNODE, LAPTOP6, 1, MAC_VM2, 1), "swsec_drop_nd", false);
	expect6(icmp6(135, LL, SNODE, MAC_SNODE, LAPTOP6, 1, MAC_VM1, 2), "swsec_drop_nd", false);
	/* An NS from a spoofed source. */
	expect6(icmp6(135, OTHER, SNODE, MAC_SNODE, LAPTOP6, 1, MAC_VM1, 1), "swsec_drop_ipv6",
		false);
}

static void
test_v6_na(void)
{
	/* Its own address, its own MAC: pass (to all-nodes: flooded). */
	expect6(icmp6(136, BOUND, ALL_NODES, MAC_ALL_NODES, BOUND, 2, MAC_VM1, 1), NULL, true);
	expect6(icmp6(136, LL, LAPTOP6, MAC_LAPTOP, LL, 2, MAC_VM1, 1), NULL, false);
	expect6(icmp6(136, BOUND, LAPTOP6, MAC_LAPTOP, BOUND, 0, NULL, 0), NULL, false);
	/* Forged: the gateway's address as target, another MAC, a zero-length option. */
	expect6(icmp6(136, BOUND, ALL_NODES, MAC_ALL_NODES, GW, 2, MAC_VM1, 1), "swsec_drop_nd",
		false);
	expect6(icmp6(136, BOUND, ALL_NODES, MAC_ALL_NODES, BOUND, 2, MAC_VM2, 1), "swsec_drop_nd",
		false);
	expect6(icmp6(136, BOUND, ALL_NODES, MAC_ALL_NODES, BOUND, 2, MAC_VM1, 0), "swsec_drop_nd",
		false);
	/* An NA cut before its target ends (ICMPv6 of 16 bytes). */
	struct rte_mbuf *m = icmp6(136, BOUND, LAPTOP6, MAC_LAPTOP, BOUND, 0, NULL, 0);
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14)->payload_len = RTE_BE16(16);
	rte_pktmbuf_trim(m, 8);
	expect6(m, "swsec_drop_nd", false);
}

static void
test_v6_ra_guard(void)
{
	/* Router Advertisement and Redirect from the VM, whatever the source. */
	expect6(icmp6(134, LL, ALL_NODES, MAC_ALL_NODES, NULL, 1, MAC_VM1, 1), "swsec_drop_ra",
		false);
	expect6(icmp6(134, GW, ALL_NODES, MAC_ALL_NODES, NULL, 0, NULL, 0), "swsec_drop_ra", false);
	expect6(icmp6(137, LL, LAPTOP6, MAC_LAPTOP, GW, 0, NULL, 0), "swsec_drop_redirect", false);
	/* A DHCPv6 server's reply (547 -> 546); a client's request (546 -> 547) passes. */
	expect6(udp6(LL, 547, 546), "swsec_drop_dhcpv6", false);
	expect6(udp6(LL, 546, 547), NULL, false);
	/* Router Solicitation and MLD reports pass; MLD reports also from :: (RFC 3590). */
	expect6(icmp6(133, LL, ALL_NODES, MAC_ALL_NODES, NULL, 0, NULL, 0), NULL, true);
	expect6(icmp6(143, LL, MLD2_ROUTERS, "33:33:00:00:00:16", NULL, 0, NULL, 0), NULL, true);
	expect6(icmp6(143, UNSPEC, MLD2_ROUTERS, "33:33:00:00:00:16", NULL, 0, NULL, 0), NULL,
		true);
	expect6(icmp6(131, UNSPEC, SNODE, MAC_SNODE, SNODE, 0, NULL, 0), NULL, true);
	/* ...but not an echo. */
	expect6(icmp6(128, UNSPEC, LAPTOP6, MAC_LAPTOP, NULL, 0, NULL, 0), "swsec_drop_ipv6",
		false);
}

static void
test_v6_inbound(void)
{
	/* From the uplink, an RA and any source reach VM1: inbound is not checked. */
	struct rte_mbuf *m = pkt_ip6(MAC_LAPTOP, MAC_ALL_NODES, GW, ALL_NODES, IPPROTO_ICMPV6, 24);

	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40)[0] = 134;
	fixture_inject(&fixture_lab.f, fixture_lab.up, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), 1);
}

static void
test_v6_ledgers(void)
{
	fixture_assert_ledgers(&fixture_lab.f);
}

static void
test_v6_no_link_local(void)
{
	expect6(udp6(BOUND, 1000, 53), NULL, false);
	expect6(udp6(LL, 1000, 53), "swsec_drop_ipv6", false);
	expect6(icmp6(136, BOUND, LAPTOP6, MAC_LAPTOP, LL, 0, NULL, 0), "swsec_drop_nd", false);
}

static int
v6_init(void)
{
	return fixture_lab_start(V6_INI);
}

static int
v6_no_ll_init(void)
{
	return fixture_lab_start(V6_INI_NO_LL);
}

static void
test_swsec_register(void)
{
	CU_pSuite s = CU_add_suite("swsec", fixture_lab_suite_init, fixture_lab_suite_cleanup);

	CU_add_test(s, "bound MAC and IP pass", test_allowed);
	CU_add_test(s, "wrong source MAC dropped", test_wrong_mac);
	CU_add_test(s, "wrong source IP dropped", test_wrong_ip);
	CU_add_test(s, "every bound IP is allowed", test_second_binding);
	CU_add_test(s, "ARP sender checked, probes pass", test_arp);
	CU_add_test(s, "IPv6 and malformed IPv4 dropped", test_ipv6_and_malformed);
	CU_add_test(s, "other ethertypes need allow_ethertypes", test_other_ethertypes);
	CU_add_test(s, "inbound not checked", test_inbound_not_checked);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);

	s = CU_add_suite("swsec ipv6", v6_init, fixture_lab_suite_cleanup);
	CU_add_test(s, "bound, link-local pass; others dropped", test_v6_sources);
	CU_add_test(s, "DAD and NS: bound target, own MAC", test_v6_dad_and_ns);
	CU_add_test(s, "NA: bound target, own MAC", test_v6_na);
	CU_add_test(s, "RA guard, Redirect, DHCPv6 server, MLD", test_v6_ra_guard);
	CU_add_test(s, "inbound not checked", test_v6_inbound);
	CU_add_test(s, "ledgers add up", test_v6_ledgers);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);

	s = CU_add_suite("swsec ipv6_link_local = none", v6_no_ll_init, fixture_lab_suite_cleanup);
	CU_add_test(s, "link-local not bound", test_v6_no_link_local);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);
}

UNIT_SUITES(test_swsec_register)
