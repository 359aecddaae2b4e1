/* SPDX-License-Identifier: BSD-3-Clause */
/* Slot 1, spoofguard: outbound MAC/IP/ARP bindings, inbound unchecked. */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

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
}

UNIT_SUITES(test_swsec_register)
