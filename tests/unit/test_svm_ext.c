/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * External SVMs (svm_ext.h) over ring ports, the test playing the appliance
 * between the arms, with an injectable clock: the arm chosen by direction,
 * the return to a vNIC by MAC (an inbound broadcast by what went in), probe
 * framing and accounting (never towards a port), each cause of DOWN (probe,
 * link, ring) and the hysteresis back to UP, the failure path and svm_lost
 * when it dies, and the restart back-off.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "fixture.h"
#include "meta.h"
#include "svc.h"
#include "svm_ext.h"
#include "tests.h"
#include "watchdog.h"

/* VM1 failClosed, VM2 failOpen; one worker on lcore 2 driving appliance `app`. */
#define EXT_INI_BASE                                                                               \
	FIXTURE_TWO_VNICS("name = host-ext\nheartbeat_timeout_ms = 10\n")                          \
	"[group g1]\nmembers = vnic:VM1.eth0\n"                                                    \
	"[group g2]\nmembers = vnic:VM2.eth0\n"                                                    \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[service_profile open]\ninstance = fgt-1\nfail_open = true\n"                             \
	"[redirect_rule r1]\ngroup = g1\nservice = udp\naction = redirect\nprofile = closed\n"     \
	"[redirect_rule r2]\ngroup = g2\nservice = udp\naction = redirect\nprofile = open\n"       \
	"[svm app]\ninstance = fgt-1\nlcore = 2\n"                                                 \
	"device_in = net_ring_arm_in\ndevice_out = net_ring_arm_out\n"

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *up, *arm_in, *arm_out;
static struct ioc_svc *svc;
static struct ioc_svm_worker *w;
static struct ioc_svm_ext *x;
static uint64_t base, ms_tsc;

static uint64_t
at(double ms)
{
	return base + (uint64_t)(ms * (double)ms_tsc);
}

static int
start(const char *ini)
{
	arm_in = fixture_ring_port("arm_in");
	arm_out = fixture_ring_port("arm_out");
	if (arm_in == NULL || arm_out == NULL ||
	    fixture_two_vnics_start(&f, ini, &vm1, &vm2, &up) != 0)
		return -1;
	svc = f.dp->svc;
	w = svc->instances[0].workers[0];
	x = w->ext;
	if (x == NULL)
		return -1;
	ms_tsc = rte_get_tsc_hz() / 1000;
	base = rte_get_tsc_cycles() + 1000 * ms_tsc;
	ioc_svm_ext_start(w, at(0));
	return 0;
}

static int
setup_l2(void)
{
	return start(EXT_INI_BASE "probe = l2\nprobe_interval_ms = 1\n");
}

static int
setup_none(void)
{
	return start(EXT_INI_BASE "probe = none\n");
}

static int
teardown(void)
{
	return fixture_dp_stop(&f);
}

static bool
is_probe(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return e->ether_type == rte_cpu_to_be_16(IOC_PROBE_ETHERTYPE);
}

enum carry { CARRY_ALL, CARRY_PROBES, CARRY_DATA };

/*
 * The appliance: what iochain sent into arm `from` comes out of arm `to`
 * (probes, data or both); the rest stays inside and is freed. Returns the
 * data frames carried.
 */
static unsigned
wire(struct ring_port *from, struct ring_port *to, enum carry what)
{
	struct rte_mbuf *m;
	unsigned data = 0;

	while (rte_ring_dequeue(from->from, (void **)&m) == 0) {
		bool probe = is_probe(m);

		if ((probe && what == CARRY_DATA) || (!probe && what == CARRY_PROBES)) {
			rte_pktmbuf_free(m);
			continue;
		}
		data += !probe;
		CU_ASSERT_FATAL(rte_ring_enqueue(to->to, m) == 0);
	}
	return data;
}

/* A healthy appliance at time ms: the worker polls, the wire carries both ways, the worker polls.
 */
static void
healthy(double ms)
{
	ioc_svm_worker_poll_at(w, at(ms));
	wire(arm_in, arm_out, CARRY_ALL);
	wire(arm_out, arm_in, CARRY_ALL);
	ioc_svm_worker_poll_at(w, at(ms + 0.2));
	ioc_fwd_poll(f.lc);
	ioc_watchdog_tick(svc, at(ms + 0.2));
}

static void
send_udp(struct ring_port *p, const char *smac, const char *dmac, uint32_t sip, uint32_t dip,
	 unsigned n)
{
	struct rte_mbuf *pkts[32];

	for (unsigned i = 0; i < n; i++) {
		pkts[i] = pkt_udp(smac, dmac, sip, dip, (uint16_t)(2000 + i), 53);
		CU_ASSERT_FATAL(pkts[i] != NULL);
	}
	fixture_inject(&f, p, pkts, n);
}

/* Frames in a port's TX ring that are not probes, freed; probes there fail the test. */
static unsigned
drain_data(struct ring_port *p)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while (rte_ring_dequeue(p->from, (void **)&m) == 0) {
		CU_ASSERT(!is_probe(m));
		n++;
		rte_pktmbuf_free(m);
	}
	return n;
}

static uint64_t
pc(const char *port, enum ioc_port_counter c)
{
	return fixture_port_counter(&f, port, c);
}

/* ---- probe = l2 ---------------------------------------------------------------------------- */

static void
test_comes_up(void)
{
	/* Healthy for 15 ms: up all along, probes back every ms. */
	for (int t = 0; t < 15; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	CU_ASSERT(x->cnt[IOC_EXT_PROBE_RX] >= 28);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_PROBE_BAD], 0);
	/* The RTT is what the wire took on the test's clock: 0.2 ms. */
	CU_ASSERT(ioc_svm_ext_rtt_pct(x, 50) >= 190000 && ioc_svm_ext_rtt_pct(x, 50) <= 210000);
	/* Probes reached no port. */
	CU_ASSERT_EQUAL(drain_data(vm1) + drain_data(vm2) + drain_data(up), 0);
}

/* Outbound goes into device_in, inbound into device_out; each comes back to its vNIC by MAC. */
static void
test_arms_and_return(void)
{
	uint64_t sent_vm1 = pc("VM1.eth0", IOC_PC_SVM_SENT);
	uint64_t sent_up = pc("uplink0", IOC_PC_SVM_SENT);

	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 3);
	send_udp(up, MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 2);
	ioc_svm_worker_poll_at(w, at(15));
	/* Arm selection by direction. */
	CU_ASSERT_EQUAL(wire(arm_in, arm_out, CARRY_DATA), 3);
	CU_ASSERT_EQUAL(wire(arm_out, arm_in, CARRY_DATA), 2);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_SVM_SENT), sent_vm1 + 3);
	CU_ASSERT_EQUAL(pc("uplink0", IOC_PC_SVM_SENT), sent_up + 2);
	/* Out of device_out by source MAC VM1: to the uplink; out of device_in by destination MAC.
	 */
	ioc_svm_worker_poll_at(w, at(15.2));
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(drain_data(up), 3);
	CU_ASSERT_EQUAL(drain_data(vm1), 2);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_SVM_RX), 5);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_appliance_out"), 5);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_RETURNED], 5);
	/* Frames that match no vNIC of the instance: svm_unknown, delivered nowhere. */
	struct rte_mbuf *m =
		pkt_udp(MAC_VM3, MAC_LAPTOP, IP4(10, 0, 1, 1), IP4(10, 0, 0, 100), 1, 2);
	CU_ASSERT_FATAL(rte_ring_enqueue(arm_out->to, m) == 0);
	ioc_svm_worker_poll_at(w, at(15.4));
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_UNKNOWN], 1);
	CU_ASSERT_EQUAL(drain_data(up) + drain_data(vm1) + drain_data(vm2), 0);
	fixture_assert_ledgers(&f);
	/* Everything handed in came out: nothing in flight on the ports. */
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_HELD) + pc("VM1.eth0", IOC_PC_SVM_RX),
			pc("VM1.eth0", IOC_PC_RESUMED) + pc("VM1.eth0", IOC_PC_SVM_SENT));
}

/*
 * A poll gives back a whole burst from an arm, as much as one poll hands in:
 * with less, the appliance's transmit into the arm fills and it drops what it
 * inspected.
 */
static void
test_burst_back(void)
{
	uint64_t returned = x->cnt[IOC_EXT_RETURNED];

	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), IOC_BURST);
	ioc_svm_worker_poll_at(w, at(15.6));
	CU_ASSERT_EQUAL(wire(arm_in, arm_out, CARRY_DATA), IOC_BURST);
	ioc_svm_worker_poll_at(w, at(15.8));
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_RETURNED], returned + IOC_BURST);
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(drain_data(up), IOC_BURST);
	fixture_assert_ledgers(&f);
}

/*
 * An inbound broadcast the switch flooded to both vNICs (an ARP request, say):
 * each copy comes out of device_in naming no vNIC, and goes to the vNIC it was
 * handed in for; a broadcast that never went in goes nowhere.
 */
static void
test_inbound_broadcast(void)
{
	uint64_t rx1 = pc("VM1.eth0", IOC_PC_SVM_RX), rx2 = pc("VM2.eth0", IOC_PC_SVM_RX);
	uint64_t unknown = x->cnt[IOC_EXT_UNKNOWN];

	send_udp(up, MAC_LAPTOP, MAC_BCAST, IP4(10, 0, 0, 100), IP4(10, 0, 0, 255), 1);
	ioc_svm_worker_poll_at(w, at(15.5));
	CU_ASSERT_EQUAL(wire(arm_out, arm_in, CARRY_DATA), 2);
	ioc_svm_worker_poll_at(w, at(15.6));
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(drain_data(vm1), 1);
	CU_ASSERT_EQUAL(drain_data(vm2), 1);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_SVM_RX), rx1 + 1);
	CU_ASSERT_EQUAL(pc("VM2.eth0", IOC_PC_SVM_RX), rx2 + 1);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_UNKNOWN], unknown);

	struct rte_mbuf *m =
		pkt_udp(MAC_LAPTOP, MAC_BCAST, IP4(10, 0, 0, 100), IP4(10, 0, 0, 255), 7, 7);
	CU_ASSERT_FATAL(rte_ring_enqueue(arm_in->to, m) == 0);
	ioc_svm_worker_poll_at(w, at(15.7));
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_UNKNOWN], unknown + 1);
	CU_ASSERT_EQUAL(drain_data(vm1) + drain_data(vm2) + drain_data(up), 0);
	/* The probes sent meanwhile are swallowed. */
	CU_ASSERT_EQUAL(wire(arm_in, arm_out, CARRY_DATA) + wire(arm_out, arm_in, CARRY_DATA), 0);
	fixture_assert_ledgers(&f);
}

static void
test_probe_framing(void)
{
	struct rte_mbuf *m = ioc_svm_ext_probe(x, 2, IOC_ARM_IN, 7, 12345);

	CU_ASSERT_FATAL(m != NULL);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	static const uint8_t mac_in[6] = { 0x02, 0x69, 0x6f, 0x63, 2, 0 };
	static const uint8_t mac_out[6] = { 0x02, 0x69, 0x6f, 0x63, 2, 1 };
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	CU_ASSERT_EQUAL(memcmp(p, mac_out, 6), 0); /* towards the other arm */
	CU_ASSERT_EQUAL(memcmp(p + 6, mac_in, 6), 0);
	CU_ASSERT_EQUAL(p[12], 0x88);
	CU_ASSERT_EQUAL(p[13], 0xb5);
	CU_ASSERT_EQUAL(memcmp(p + 14, "IOCP", 4), 0);
	CU_ASSERT_EQUAL(p[18], IOC_ARM_IN);
	rte_pktmbuf_free(m);

	/* icmp: an echo request 169.254.2.1 -> .2, checksums right. */
	x->probe = IOC_PROBE_ICMP;
	m = ioc_svm_ext_probe(x, 2, IOC_ARM_IN, 7, 12345);
	x->probe = IOC_PROBE_L2;
	CU_ASSERT_FATAL(m != NULL);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	CU_ASSERT_EQUAL(ip->src_addr, rte_cpu_to_be_32(IP4(169, 254, 2, 1)));
	CU_ASSERT_EQUAL(ip->dst_addr, rte_cpu_to_be_32(IP4(169, 254, 2, 2)));
	CU_ASSERT_EQUAL(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	CU_ASSERT_EQUAL(ic->icmp_type, RTE_IP_ICMP_ECHO_REQUEST);
	CU_ASSERT_EQUAL(rte_raw_cksum(ic, rte_be_to_cpu_16(ip->total_length) - sizeof(*ip)),
			0xffff);
	rte_pktmbuf_free(m);
}

/* A probe that comes back out of the arm it entered is counted bad, and proves nothing. */
static void
test_probe_reflected(void)
{
	uint64_t bad = x->cnt[IOC_EXT_PROBE_BAD], rx = x->cnt[IOC_EXT_PROBE_RX];

	ioc_svm_worker_poll_at(w, at(16));
	wire(arm_in, arm_in, CARRY_PROBES);
	wire(arm_out, arm_out, CARRY_PROBES);
	ioc_svm_worker_poll_at(w, at(16.2));
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_PROBE_BAD], bad + 2);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_PROBE_RX], rx);
	for (int t = 17; t < 20; t++)
		healthy(t);
}

/* Probes lost: down a timeout after the last one came back, not before; the frames inside are lost.
 */
static void
test_down_by_probe(void)
{
	/* The appliance hangs at 20: holds what it gets. Last probes back at 19.2. */
	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 4);
	for (double t = 20; t < 29; t += 0.5) {
		ioc_svm_worker_poll_at(w, at(t));
		ioc_watchdog_tick(svc, at(t));
	}
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	ioc_svm_worker_poll_at(w, at(29.3));
	CU_ASSERT_EQUAL(ioc_watchdog_tick(svc, at(29.3)), 1);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_DOWN);
	CU_ASSERT(svc->instances[0].down);
	CU_ASSERT(fixture_has_event("svm fgt-1.0: up -> down (probes lost for"));
	/* The worker sees it: the 4 frames it handed in after the last probe back are lost. */
	ioc_svm_worker_poll_at(w, at(29.5));
	CU_ASSERT_EQUAL(x->lost, 4);
	wire(arm_in, arm_out, CARRY_PROBES);
	rte_ring_reset(arm_in->from);
	/* failClosed VM1 drops, failOpen VM2 passes uninspected. */
	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 2);
	send_udp(vm2, MAC_VM2, MAC_LAPTOP, IP4(10, 0, 0, 12), IP4(10, 0, 0, 100), 3);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop"), 2);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM2.eth0", "svc_svm_down_bypass"), 3);
	CU_ASSERT_EQUAL(drain_data(up), 3);
	/* A frame the appliance lets out late is not delivered. */
	ioc_svm_worker_poll_at(w, at(29.7));
	struct rte_mbuf *m =
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 9, 9);
	CU_ASSERT_FATAL(rte_ring_enqueue(arm_out->to, m) == 0);
	ioc_svm_worker_poll_at(w, at(29.8));
	ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_LATE], 1);
	CU_ASSERT_EQUAL(drain_data(up), 0);
	CU_ASSERT_STRING_EQUAL(svc->workers[0]->name, "fgt-1.0");
}

/* Back: recovering at the first probes, up only after they came back steadily for a timeout. */
static void
test_hysteresis(void)
{
	for (int t = 30; t < 35; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_RECOVERING);
	/* A gap of a timeout while recovering: down again. */
	for (double t = 35; t < 46; t += 0.5) {
		ioc_svm_worker_poll_at(w, at(t));
		wire(arm_in, arm_out, CARRY_DATA);
		ioc_watchdog_tick(svc, at(t));
	}
	CU_ASSERT_EQUAL(w->state, IOC_SVM_DOWN);
	for (int t = 46; t < 55; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_RECOVERING);
	for (int t = 55; t < 58; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	CU_ASSERT_FALSE(svc->instances[0].down);
	/* A gap shorter than the timeout does not take it down. */
	for (double t = 58; t < 66; t += 0.5) {
		ioc_svm_worker_poll_at(w, at(t));
		ioc_watchdog_tick(svc, at(t));
	}
	healthy(66);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	/* Inspection resumed: frames pass through the appliance again. */
	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 2);
	healthy(67);
	CU_ASSERT_EQUAL(drain_data(up), 2);
}

/* Link down: down at once, whatever the probes say; up again once it is back and probes flow. */
static void
test_down_by_link(void)
{
	CU_ASSERT_EQUAL(rte_eth_dev_set_link_down(arm_out->port_id), 0);
	ioc_svm_worker_poll_at(w, at(68));
	CU_ASSERT_EQUAL(ioc_watchdog_tick(svc, at(68)), 1);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_DOWN);
	CU_ASSERT(fixture_has_event("svm fgt-1.0: up -> down (link down"));
	CU_ASSERT_EQUAL(rte_eth_dev_set_link_up(arm_out->port_id), 0);
	for (int t = 69; t < 82; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(drain_data(vm1) + drain_data(vm2) + drain_data(up), 0);
	fixture_assert_ledgers(&f);
}

static void
test_no_leak(void)
{
	healthy(90);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* ---- probe = none: ring progress ------------------------------------------------------------ */

static void
test_down_by_ring(void)
{
	struct rte_mbuf *fill[1024];
	unsigned n = 0;

	for (int t = 0; t < 12; t++)
		healthy(t);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	CU_ASSERT_EQUAL(x->cnt[IOC_EXT_PROBE_TX], 0);
	/* device_in's ring is full: the appliance takes nothing. */
	while (n < RTE_DIM(fill) && (fill[n] = pkt_udp(MAC_VM3, MAC_VM3, 1, 2, 3, 4)) != NULL &&
	       rte_ring_enqueue(arm_in->from, fill[n]) == 0)
		n++;
	if (n < RTE_DIM(fill) && fill[n] != NULL)
		rte_pktmbuf_free(fill[n]);
	/* Idle, nothing waits: a silent appliance is not a stalled one. */
	for (double t = 12; t < 30; t += 1) {
		ioc_svm_worker_poll_at(w, at(t));
		ioc_watchdog_tick(svc, at(t));
	}
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	/* Frames wait from 30 on: down at 40, not before. */
	send_udp(vm1, MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 2);
	for (double t = 30; t < 39.8; t += 0.5) {
		ioc_svm_worker_poll_at(w, at(t));
		ioc_watchdog_tick(svc, at(t));
	}
	CU_ASSERT_EQUAL(w->state, IOC_SVM_UP);
	CU_ASSERT(x->cnt[IOC_EXT_ARM_FULL] > 0);
	ioc_svm_worker_poll_at(w, at(40.1));
	CU_ASSERT_EQUAL(ioc_watchdog_tick(svc, at(40.1)), 1);
	CU_ASSERT_EQUAL(w->state, IOC_SVM_DOWN);
	CU_ASSERT(fixture_has_event("svm fgt-1.0: up -> down (ring stalled for"));
	/* Fenced: VM1 is failClosed, the two packets it still held are dropped, counted. */
	ioc_svm_worker_poll_at(w, at(40.2));
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_DROP_FENCED), 2);
	CU_ASSERT_EQUAL(x->n_txq[IOC_ARM_IN], 0);
	rte_ring_reset(arm_in->from);
	rte_pktmbuf_free_bulk(fill, n);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(pc("VM1.eth0", IOC_PC_HELD) + pc("VM1.eth0", IOC_PC_SVM_RX),
			pc("VM1.eth0", IOC_PC_RESUMED) + pc("VM1.eth0", IOC_PC_SVM_SENT) +
				pc("VM1.eth0", IOC_PC_DROP_FENCED));
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* ---- restart back-off ----------------------------------------------------------------------- */

static void
test_restart_backoff(void)
{
	struct ioc_svm_restart r = { .after_ms = 1000, .next_ms = UINT64_MAX };

	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(1000, 0), 1000);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(1000, 1), 2000);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(1000, 2), 4000);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(1000, 5), 30000);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(0, 0), 0);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(0, 1), 200);
	CU_ASSERT_EQUAL(ioc_svm_restart_delay_ms(0, 40), 30000);

	/* Up: never. Down at 100: due at 1100, then 3100, then 7100. */
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, false, 50));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 100));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 1099));
	CU_ASSERT(ioc_svm_restart_due(&r, true, 1100));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 1101));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 3099));
	CU_ASSERT(ioc_svm_restart_due(&r, true, 3100));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 7099));
	CU_ASSERT(ioc_svm_restart_due(&r, true, 7100));
	CU_ASSERT_EQUAL(r.attempts, 3);
	/* Up again resets the schedule: the next failure waits restart_after_ms again. */
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, false, 8000));
	CU_ASSERT_EQUAL(r.attempts, 0);
	CU_ASSERT_FALSE(ioc_svm_restart_due(&r, true, 9000));
	CU_ASSERT(ioc_svm_restart_due(&r, true, 10000));

	/* restart_after_ms = 0: at once. */
	struct ioc_svm_restart z = { .after_ms = 0, .next_ms = UINT64_MAX };
	CU_ASSERT(ioc_svm_restart_due(&z, true, 5));
	CU_ASSERT_FALSE(ioc_svm_restart_due(&z, true, 204));
	CU_ASSERT(ioc_svm_restart_due(&z, true, 205));
}

/*
 * A restart command gets no descriptor of iochain's: one left open without
 * close-on-exec (as EAL's files and the arms' sockets are) is not in the
 * command's /proc/self/fd.
 */
static void
test_restart_fds(void)
{
	char path[] = "/tmp/ioc-spawn-XXXXXX", cmd[128], line[64];
	int fd = mkstemp(path), status = -1, inherited = 0;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(dup2(fd, 57) == 57);
	snprintf(cmd, sizeof(cmd), "ls /proc/self/fd > %s", path);
	pid_t pid = ioc_svm_spawn(cmd);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	FILE *f = fopen(path, "r");
	CU_ASSERT_FATAL(f != NULL);
	unsigned lines = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		inherited += atoi(line) == 57 || atoi(line) == fd;
	}
	fclose(f);
	CU_ASSERT(lines >= 3); /* 0-2 (and ls's own directory) */
	CU_ASSERT_EQUAL(inherited, 0);
	close(57);
	close(fd);
	unlink(path);
}

static void
test_svm_ext_register(void)
{
	CU_pSuite s = CU_add_suite("svm_ext: an appliance, l2 probes", setup_l2, teardown);

	CU_add_test(s, "comes up, probes back, RTT, no probe at a port", test_comes_up);
	CU_add_test(s, "arm by direction, return by MAC, unknown frames", test_arms_and_return);
	CU_add_test(s, "a poll gives back a whole burst from an arm", test_burst_back);
	CU_add_test(s, "an inbound broadcast back to each vNIC it went in for",
		    test_inbound_broadcast);
	CU_add_test(s, "probe framing (l2, icmp)", test_probe_framing);
	CU_add_test(s, "a reflected probe is bad", test_probe_reflected);
	CU_add_test(s, "down by probe, svm_lost, failure path, late frames", test_down_by_probe);
	CU_add_test(s, "hysteresis back to up", test_hysteresis);
	CU_add_test(s, "down by link at once, back up", test_down_by_link);
	CU_add_test(s, "nothing leaked", test_no_leak);

	s = CU_add_suite("svm_ext: an appliance without probes", setup_none, teardown);
	CU_add_test(s, "down by ring progress, fenced packets dropped", test_down_by_ring);

	s = CU_add_suite("svm_ext: restart", NULL, NULL);
	CU_add_test(s, "back-off schedule", test_restart_backoff);
	CU_add_test(s, "a restart command gets no descriptor of iochain's", test_restart_fds);
}

UNIT_SUITES(test_svm_ext_register)
