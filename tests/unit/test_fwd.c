/* SPDX-License-Identifier: BSD-3-Clause */
/* Switching between vNICs and the uplink, flooding, and the counter ledgers. */
/* rte_eth_dev_conf_get(): what a port was configured with. */
#define ALLOW_EXPERIMENTAL_API
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "fixture.h"
#include "meta.h"
#include "tests.h"

static uint64_t
pc(const char *port, enum ioc_port_counter c)
{
	return fixture_port_counter(&fixture_lab.f, port, c);
}

static void
inject1(struct ring_port *p, struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, p, &m, 1);
}

static void
expect_out(unsigned vm1, unsigned vm2, unsigned vm3, unsigned up)
{
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), vm1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), vm2);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm3), vm3);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), up);
}

static void
test_vnic_to_uplink(void)
{
	uint64_t before = pc("VM1.eth0", IOC_PC_FWD_UPLINK);
	struct rte_mbuf *out;

	inject1(fixture_lab.vm1,
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 9, 9));
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &out, 1), 1);
	/* The frame leaves unmodified. */
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(out, struct rte_ether_hdr *);
	CU_ASSERT_EQUAL(eth->dst_addr.addr_bytes[5], 0x64);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(out), 60);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_FWD_UPLINK), before + 1);
	expect_out(0, 0, 0, 0);
}

static void
test_uplink_to_vnic_by_mac(void)
{
	uint64_t before = pc("uplink0", IOC_PC_FWD_VNIC);

	inject1(fixture_lab.up,
		pkt_udp(MAC_LAPTOP, MAC_VM2, IP4(10, 0, 0, 100), IP4(10, 0, 0, 12), 9, 9));
	expect_out(0, 1, 0, 0);
	inject1(fixture_lab.up,
		pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 9, 9));
	expect_out(1, 0, 0, 0);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_FWD_VNIC), before + 2);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_TX), pc("VM1.eth0", IOC_PC_TX_QUEUED));
}

static void
test_uplink_unknown_mac(void)
{
	uint64_t before = pc("uplink0", IOC_PC_DROP_NO_DEST);

	inject1(fixture_lab.up, pkt_udp(MAC_LAPTOP, "02:00:00:00:77:77", 1, 2, 3, 4));
	/* VM3 owns its MAC but is not on uplink0's segment. */
	inject1(fixture_lab.up, pkt_udp(MAC_LAPTOP, MAC_VM3, 1, 2, 3, 4));
	expect_out(0, 0, 0, 0);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_DROP_NO_DEST), before + 2);
}

static void
test_vnic_to_vnic(void)
{
	uint64_t up = pc("VM1.eth0", IOC_PC_FWD_UPLINK);
	uint64_t local = pc("VM1.eth0", IOC_PC_FWD_VNIC);

	inject1(fixture_lab.vm1,
		pkt_tcp(MAC_VM1, MAC_VM2, IP4(10, 0, 0, 11), IP4(10, 0, 0, 12), 5555, 22));
	expect_out(0, 1, 0, 0);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_FWD_VNIC), local + 1);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_FWD_UPLINK), up);
	/* The destination's chain ran inbound. */
	CU_ASSERT(fixture_slot_counter(&fixture_lab.f, "VM2.eth0", "swsec_in") >= 1);
}

static void
test_own_mac_loop(void)
{
	uint64_t before = pc("VM1.eth0", IOC_PC_DROP_LOOP);

	inject1(fixture_lab.vm1,
		pkt_udp(MAC_VM1, MAC_VM1, IP4(10, 0, 0, 11), IP4(10, 0, 0, 11), 1, 1));
	expect_out(0, 0, 0, 0);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_DROP_LOOP), before + 1);
}

static void
test_broadcast_flood(void)
{
	uint64_t flood = pc("uplink0", IOC_PC_FLOOD);

	/* From the uplink: each vNIC of the segment once, not VM3, not back out. */
	inject1(fixture_lab.up,
		pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11)));
	expect_out(1, 1, 0, 0);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_FLOOD), flood + 1);

	/* From a vNIC: the uplink and the other vNIC, not the sender. */
	inject1(fixture_lab.vm2, pkt_arp(MAC_VM2, MAC_VM2, IP4(10, 0, 0, 12), IP4(10, 0, 0, 100)));
	expect_out(1, 0, 0, 1);

	/* Local-only VM3 has nobody to flood to. */
	uint64_t nd = pc("VM3.eth0", IOC_PC_DROP_NO_DEST);
	inject1(fixture_lab.vm3, pkt_arp(MAC_VM3, MAC_VM3, IP4(10, 0, 1, 1), IP4(10, 0, 1, 2)));
	expect_out(0, 0, 0, 0);
	CU_ASSERT_EQUAL(pc("VM3.eth0", IOC_PC_DROP_NO_DEST), nd + 1);
}

static void
test_flood_copies_independent(void)
{
	struct rte_mbuf *a, *b;

	inject1(fixture_lab.up,
		pkt_udp(MAC_LAPTOP, MAC_BCAST, IP4(10, 0, 0, 100), IP4(10, 0, 0, 255), 67, 68));
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.vm1, &a, 1), 1);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.vm2, &b, 1), 1);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(a), 1);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(b), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(a), rte_pktmbuf_pkt_len(b));
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(a, void *), rte_pktmbuf_mtod(b, void *),
			       rte_pktmbuf_pkt_len(a)),
			0);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

static void
test_runt(void)
{
	uint8_t runt[10] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0 };
	uint64_t before = pc("VM1.eth0", IOC_PC_DROP_RUNT);

	inject1(fixture_lab.vm1, pkt_raw(runt, sizeof(runt)));
	expect_out(0, 0, 0, 0);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_DROP_RUNT), before + 1);
}

static void
test_tx_full_counted(void)
{
	enum { N = 1100 };
	struct rte_mbuf *pkts[64];
	uint64_t full = pc("VM1.eth0", IOC_PC_TX_DROP_FULL);

	/* Nobody drains VM1's TX ring (1023 slots): the rest is counted and freed. */
	for (unsigned sent = 0; sent < N; sent += 64) {
		unsigned n = RTE_MIN(64u, N - sent);

		for (unsigned i = 0; i < n; i++)
			pkts[i] = pkt_udp(MAC_LAPTOP, MAC_VM1, 1, IP4(10, 0, 0, 11), 1, 1);
		fixture_inject(&fixture_lab.f, fixture_lab.up, pkts, n);
	}
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_TX_DROP_FULL), full + N - 1023);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), 1023);
}

/* rx + flood_copy = fwd_uplink + fwd_vnic + drops + in flight, per port; tx_queued = tx + full. */
static void
test_counters_add_up(void)
{
	struct ring_port *ports[] = { fixture_lab.vm1, fixture_lab.vm2, fixture_lab.vm3,
				      fixture_lab.up };
	const char *macs[] = {
		MAC_VM1, MAC_VM2, MAC_VM3, MAC_LAPTOP, MAC_BCAST, "02:00:00:00:44:44"
	};
	const uint32_t ips[] = { IP4(10, 0, 0, 11), IP4(10, 0, 0, 12), IP4(10, 0, 1, 1),
				 IP4(10, 0, 0, 100), IP4(10, 0, 0, 13) };
	struct rte_mbuf *burst[32];

	srand(7);
	for (unsigned round = 0; round < 200; round++) {
		struct ring_port *p = ports[rand() % 4];
		unsigned n = 1 + rand() % 32;

		for (unsigned i = 0; i < n; i++) {
			const char *s = macs[rand() % 6], *d = macs[rand() % 6];
			uint32_t sip = ips[rand() % 5], dip = ips[rand() % 5];

			switch (rand() % 4) {
			case 0:
				burst[i] = pkt_arp(s, rand() % 2 ? s : macs[rand() % 6], sip, dip);
				break;
			case 1:
				burst[i] = pkt_ipv6(s, d);
				break;
			default:
				burst[i] = pkt_udp(s, d, sip, dip, rand() % 65536, 53);
			}
			CU_ASSERT_FATAL(burst[i] != NULL);
		}
		fixture_inject(&fixture_lab.f, p, burst, n);
		for (unsigned k = 0; k < 4; k++)
			fixture_drain_free(ports[k]);
	}

	fixture_assert_ledgers(&fixture_lab.f);
	uint64_t total_rx = 0;
	for (unsigned p = 0; p < fixture_lab.f.dp->n_ports; p++) {
		total_rx += fixture_port_counter(&fixture_lab.f, fixture_lab.f.dp->ports[p].name,
						 IOC_PC_RX);
		/* Every vNIC sent frames spoofguard had to drop. */
		if (fixture_lab.f.dp->ports[p].kind == IOC_PORT_VNIC)
			CU_ASSERT(fixture_port_counter(&fixture_lab.f,
						       fixture_lab.f.dp->ports[p].name,
						       IOC_PC_DROP_OUT_CHAIN) > 0);
	}
	CU_ASSERT(total_rx > 1000);
}

/* Busy cycles: polls that find work count their time, empty polls do not. */
static void
test_busy_cycles(void)
{
	struct ioc_lcore *lc = fixture_lab.f.lc;
	uint64_t polls = lc->polls, busy = lc->busy_tsc;

	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(ioc_fwd_poll(lc), 0);
	CU_ASSERT_EQUAL(lc->polls, polls + 100);
	CU_ASSERT_EQUAL(lc->busy_tsc, busy);

	inject1(fixture_lab.vm1,
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 9, 9));
	CU_ASSERT(lc->busy_tsc > busy);
	CU_ASSERT(lc->polls > polls + 100);
	expect_out(0, 0, 0, 1);
}

/* A 60-byte UDP frame from VM1 to the laptop, then n_tails segments of len bytes of `fill`. */
static struct rte_mbuf *
pkt_chained(unsigned n_tails, uint16_t len, uint8_t fill)
{
	struct rte_mbuf *m =
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 9, 9);

	CU_ASSERT_FATAL(m != NULL);
	for (unsigned i = 0; i < n_tails; i++) {
		struct rte_mbuf *t = rte_pktmbuf_alloc(fixture_pool());

		CU_ASSERT_FATAL(t != NULL);
		char *d = rte_pktmbuf_append(t, len);
		CU_ASSERT_FATAL(d != NULL);
		memset(d, fill, len);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, t), 0);
	}
	return m;
}

/* The uplink's view: sends chains (true) or single segments only (false). */
static bool *
uplink_multi_seg(void)
{
	int p = ioc_dp_find_port(fixture_lab.f.dp, "uplink0");

	CU_ASSERT_FATAL(p >= 0);
	return &fixture_lab.f.dp->ports[p].tx_multi_seg;
}

/* MULTI_SEGS is requested exactly when the device offers it. */
static void
test_multi_seg_offload(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;

	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_info_get(fixture_lab.up->port_id, &info), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_conf_get(fixture_lab.up->port_id, &conf), 0);
	bool offered = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	CU_ASSERT_EQUAL(*uplink_multi_seg(), offered);
	CU_ASSERT_EQUAL((conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0, offered);
}

/*
 * A chain reaches a port with MULTI_SEGS as it came; a port without it gets
 * one segment (copied) or, when the frame cannot fit one, a counted drop.
 */
static void
test_multi_seg_tx(void)
{
	bool *multi = uplink_multi_seg(), saved = *multi;
	uint64_t lin = pc("uplink0", IOC_PC_TX_LINEARIZED);
	uint64_t segs = pc("uplink0", IOC_PC_TX_DROP_SEGS);
	struct rte_mbuf *out;

	*multi = true;
	inject1(fixture_lab.vm1, pkt_chained(1, 100, 0xab));
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &out, 1), 1);
	CU_ASSERT_EQUAL(out->nb_segs, 2);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(out), 160);
	rte_pktmbuf_free(out);

	*multi = false;
	inject1(fixture_lab.vm1, pkt_chained(1, 100, 0xab));
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &out, 1), 1);
	CU_ASSERT_EQUAL(out->nb_segs, 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(out), 160);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(out), 160);
	CU_ASSERT_EQUAL(*rte_pktmbuf_mtod_offset(out, uint8_t *, 60), 0xab);
	CU_ASSERT_EQUAL(*rte_pktmbuf_mtod_offset(out, uint8_t *, 159), 0xab);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_TX_LINEARIZED), lin + 1);

	/* 60 + 2 x 1500 bytes: more than one 2 KiB segment holds. */
	inject1(fixture_lab.vm1, pkt_chained(2, 1500, 0xcd));
	CU_ASSERT_EQUAL(fixture_drain(fixture_lab.up, &out, 1), 0);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_TX_DROP_SEGS), segs + 1);
	*multi = saved;
	expect_out(0, 0, 0, 0);
	fixture_assert_ledgers(&fixture_lab.f);
}

/*
 * Teardown closes the ports EAL owns too (ring ports are never probed): left
 * to rte_eal_cleanup(), they would release their queues' mbufs into the pool
 * ioc_dp_destroy() has freed.
 */
static void
test_teardown_closes_eal_ports(void)
{
	struct ioc_dp *dp = fixture_lab.f.dp;
	uint16_t id;

	for (unsigned p = 0; p < dp->n_ports; p++)
		CU_ASSERT_FALSE(dp->ports[p].probed);
	CU_ASSERT_EQUAL_FATAL(fixture_dp_stop(&fixture_lab.f), 0);
	CU_ASSERT_NOT_EQUAL(rte_eth_dev_get_port_by_name("net_ring_vm1", &id), 0);
	CU_ASSERT_NOT_EQUAL(rte_eth_dev_get_port_by_name("net_ring_up0", &id), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_lab_start(FIXTURE_INI), 0);
}

static void
test_fwd_register(void)
{
	CU_pSuite s = CU_add_suite("fwd", fixture_lab_suite_init, fixture_lab_suite_cleanup);

	CU_add_test(s, "vNIC to uplink", test_vnic_to_uplink);
	CU_add_test(s, "uplink to vNIC by MAC", test_uplink_to_vnic_by_mac);
	CU_add_test(s, "uplink, unknown MAC dropped", test_uplink_unknown_mac);
	CU_add_test(s, "vNIC to vNIC on the host", test_vnic_to_vnic);
	CU_add_test(s, "frame to own MAC dropped", test_own_mac_loop);
	CU_add_test(s, "broadcast flood", test_broadcast_flood);
	CU_add_test(s, "flood copies are separate mbufs", test_flood_copies_independent);
	CU_add_test(s, "runt dropped", test_runt);
	CU_add_test(s, "TX queue full counted", test_tx_full_counted);
	CU_add_test(s, "counters add up", test_counters_add_up);
	CU_add_test(s, "busy cycles count polls with work only", test_busy_cycles);
	CU_add_test(s, "MULTI_SEGS requested when offered", test_multi_seg_offload);
	CU_add_test(s, "chains: sent, linearised or dropped by port", test_multi_seg_tx);
	CU_add_test(s, "teardown closes the ports EAL owns", test_teardown_closes_eal_ports);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);
}

UNIT_SUITES(test_fwd_register)
