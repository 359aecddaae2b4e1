/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 4, service insertion: worker choice, the round trip through a worker,
 * svm_rule semantics, full rings under each failure policy, and the ledgers.
 * Workers are driven from the test (ioc_svm_worker_poll) on lcore 0.
 */
#include <netinet/in.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "fixture.h"
#include "meta.h"
#include "svc.h"
#include "tests.h"

/* VM1 redirects to a failClosed profile, VM2 to a failOpen one; two workers. */
#define SVC_INI                                                                                    \
	FIXTURE_TWO_VNICS("name = host-svc\n")                                                     \
	"[group g1]\nmembers = vnic:VM1.eth0\n"                                                    \
	"[group g2]\nmembers = vm:VM2\n"                                                           \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2,3\nslow_path_id = 18020\n"            \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[service_profile open]\ninstance = fgt-1\nfail_open = true\n"                             \
	"[redirect_rule r-vm1]\ngroup = g1\naction = redirect\nprofile = closed\n"                 \
	"[redirect_rule r-vm2-not-dns]\ngroup = g2\nservice = udp/5353\naction = no_redirect\n"    \
	"[redirect_rule r-vm2]\ngroup = g2\naction = redirect\nprofile = open\n"                   \
	"[svm_rule deny-dns]\ninstance = fgt-1\npriority = 5\nservice = udp/53\naction = drop\n"   \
	"[svm_rule ssh]\ninstance = fgt-1\npriority = 10\nservice = tcp/22\naction = allow\n"      \
	"[svm_rule ping]\ninstance = fgt-1\npriority = 20\nservice = icmp\naction = allow\n"       \
	"[svm_rule udp]\ninstance = fgt-1\npriority = 30\nservice = udp\ndirection = out\n"        \
	"action = allow\n"

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *up;

static int
setup(void)
{
	return fixture_two_vnics_start(&f, SVC_INI, &vm1, &vm2, &up);
}

static int
teardown(void)
{
	return fixture_dp_stop(&f);
}

static struct ioc_svm_worker *
worker(unsigned i)
{
	return f.dp->svc->workers[i];
}

/* Workers inspect what they were given, then the lcore resumes what came back. */
static void
round_trip(void)
{
	for (unsigned i = 0; i < f.dp->svc->n_workers; i++)
		ioc_svm_worker_poll(worker(i));
	ioc_fwd_poll(f.lc);
}

static void
send_one(struct ring_port *p, struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&f, p, &m, 1);
	round_trip();
}

static uint64_t
slot(const char *vnic, const char *name)
{
	return fixture_slot_counter(&f, vnic, name);
}

static void
test_two_workers_built(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.dp->svc);
	CU_ASSERT_EQUAL(f.dp->svc->n_workers, 2);
	CU_ASSERT_STRING_EQUAL(worker(0)->name, "fgt-1.0");
	CU_ASSERT_EQUAL(worker(1)->lcore_id, 3);
	/* One ring pair for the one forwarding lcore. */
	CU_ASSERT_EQUAL(worker(0)->n_fwd, 1);
	CU_ASSERT_PTR_NOT_NULL(worker(0)->to[1]);
	CU_ASSERT_PTR_NULL(worker(0)->to[0]);
}

/* Both directions of a flow meet the same worker; flows spread over both. */
static void
test_worker_choice_symmetric(void)
{
	unsigned used[2] = { 0, 0 };

	for (uint16_t port = 1000; port < 1032; port++) {
		uint64_t in0 = worker(0)->cnt[IOC_SVM_IN], in1 = worker(1)->cnt[IOC_SVM_IN];

		send_one(vm1, pkt_tcp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100),
				      port, 22));
		unsigned w = worker(0)->cnt[IOC_SVM_IN] > in0 ? 0 : 1;
		send_one(up, pkt_tcp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 22,
				     port));
		CU_ASSERT_EQUAL(worker(w)->cnt[IOC_SVM_IN], (w ? in1 : in0) + 2);
		CU_ASSERT_EQUAL(worker(!w)->cnt[IOC_SVM_IN], w ? in0 : in1);
		used[w]++;
	}
	CU_ASSERT(used[0] > 0 && used[1] > 0);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 32);
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 32);
}

/* The packet that leaves is the packet that came in, with its metadata intact. */
static void
test_round_trip_keeps_packet(void)
{
	struct rte_mbuf *m =
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 4000, 4001);
	uint8_t copy[64];
	struct rte_mbuf *out;

	CU_ASSERT_FATAL(m != NULL);
	memcpy(copy, rte_pktmbuf_mtod(m, void *), 60);
	fixture_inject(&f, vm1, &m, 1);
	/* Held, not yet transmitted: in flight until the worker returns it. */
	CU_ASSERT_EQUAL(fixture_drain(up, &out, 1), 0);
	CU_ASSERT_EQUAL(ioc_svm_worker_ring_count(worker(0)) + ioc_svm_worker_ring_count(worker(1)),
			1);
	round_trip();
	CU_ASSERT_EQUAL_FATAL(fixture_drain(up, &out, 1), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(out), 60);
	CU_ASSERT_EQUAL(memcmp(copy, rte_pktmbuf_mtod(out, void *), 60), 0);
	const struct ioc_meta *md = ioc_meta(out);
	CU_ASSERT_EQUAL(md->vnic, 0);
	CU_ASSERT_EQUAL(md->rx_port, 0);
	CU_ASSERT_EQUAL(md->dir, IOC_DIR_OUT);
	CU_ASSERT_EQUAL(md->profile, 1); /* "closed" is profile 0 */
	CU_ASSERT_EQUAL(md->src_port, rte_cpu_to_be_16(4000));
	CU_ASSERT_EQUAL(md->l4_proto, IPPROTO_UDP);
	rte_pktmbuf_free(out);
}

static void
test_svm_rules(void)
{
	uint64_t deny = slot("VM1.eth0", "svc_svm_deny");
	uint64_t drop_rule = worker(0)->cnt[IOC_SVM_DROP_RULE] + worker(1)->cnt[IOC_SVM_DROP_RULE];
	uint64_t drop_def =
		worker(0)->cnt[IOC_SVM_DROP_DEFAULT] + worker(1)->cnt[IOC_SVM_DROP_DEFAULT];

	/* udp/53 out: the drop rule (priority 5) wins over the udp allow (30). */
	send_one(vm1, pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 999, 53));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	/* tcp/80: no rule, the SVM's default is drop. */
	send_one(vm1, pkt_tcp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 999, 80));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	/* udp in: the udp rule is direction out only. */
	send_one(up, pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 7, 7777));
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 0);
	CU_ASSERT_EQUAL(worker(0)->cnt[IOC_SVM_DROP_RULE] + worker(1)->cnt[IOC_SVM_DROP_RULE],
			drop_rule + 1);
	CU_ASSERT_EQUAL(worker(0)->cnt[IOC_SVM_DROP_DEFAULT] + worker(1)->cnt[IOC_SVM_DROP_DEFAULT],
			drop_def + 2);
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_svm_deny"), deny + 3);

	/* udp out is allowed, and its return traffic in rides the connection. */
	uint64_t conn = worker(0)->cnt[IOC_SVM_ALLOW_CONN] + worker(1)->cnt[IOC_SVM_ALLOW_CONN];
	send_one(vm1,
		 pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 6000, 7777));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	send_one(up,
		 pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 7777, 6000));
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 1);
	CU_ASSERT_EQUAL(worker(0)->cnt[IOC_SVM_ALLOW_CONN] + worker(1)->cnt[IOC_SVM_ALLOW_CONN],
			conn + 1);
}

static void
test_no_redirect_rule(void)
{
	uint64_t redirect = slot("VM2.eth0", "svc_redirect");

	/* VM2's udp/5353 matches no_redirect first: straight through, no SVM. */
	send_one(vm2,
		 pkt_udp(MAC_VM2, MAC_LAPTOP, IP4(10, 0, 0, 12), IP4(10, 0, 0, 100), 5353, 5353));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(slot("VM2.eth0", "svc_redirect"), redirect);
	/* Anything else of VM2 goes to the SVM. */
	send_one(vm2, pkt_icmp_echo(MAC_VM2, MAC_LAPTOP, IP4(10, 0, 0, 12), IP4(10, 0, 0, 100), 1,
				    false));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(slot("VM2.eth0", "svc_redirect"), redirect + 1);
}

/*
 * Frames slot 2 cannot classify follow the any/any redirect rule (VM1: r-vm1)
 * to the SVM, which decides: IPv6 matches no rule of fgt-1 (none is any/any),
 * so the SVM drops it; ARP is judged by its addresses (no rule: dropped too).
 * The inbound ARP request is a broadcast: VM2 (r-vm2) gets a copy, inspected
 * and dropped the same way.
 */
static void
test_unclassified_redirected(void)
{
	uint64_t redirect = slot("VM1.eth0", "svc_redirect"),
		 deny = slot("VM1.eth0", "svc_svm_deny");
	uint64_t drop_def =
		worker(0)->cnt[IOC_SVM_DROP_DEFAULT] + worker(1)->cnt[IOC_SVM_DROP_DEFAULT];

	send_one(up, pkt_ipv6(MAC_LAPTOP, MAC_VM1));
	send_one(up, pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11)));
	send_one(vm1, pkt_arp(MAC_VM1, MAC_VM1, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100)));
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_redirect"), redirect + 3);
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_svm_deny"), deny + 3);
	CU_ASSERT_EQUAL(worker(0)->cnt[IOC_SVM_DROP_DEFAULT] + worker(1)->cnt[IOC_SVM_DROP_DEFAULT],
			drop_def + 4);
}

/* Put pkts on a port's RX ring without polling. */
static void
rx_only(struct ring_port *p, struct rte_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		CU_ASSERT_FATAL(pkts[i] != NULL);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue_burst(p->to, (void **)pkts, n, NULL), n);
}

static uint64_t
workers_cnt(enum ioc_svm_counter c)
{
	return worker(0)->cnt[c] + worker(1)->cnt[c];
}

/*
 * Bidirectional load at the rate the workers keep up with: every poll the
 * forwarding lcore receives a burst from the VM and one from the uplink (64
 * packets to the workers), and both workers serve all of it. The return
 * path must take back as much: no worker's back ring fills, nothing waits in
 * pending[], no to ring overflows, and everything comes out.
 */
static void
test_return_path_keeps_up(void)
{
	uint64_t back_full = workers_cnt(IOC_SVM_BACK_FULL);
	uint64_t full = slot("VM1.eth0", "svc_drop_ring_full");
	uint64_t in = workers_cnt(IOC_SVM_IN), allow = slot("VM1.eth0", "svc_svm_allow");
	uint64_t deny = slot("VM1.eth0", "svc_svm_deny");
	unsigned out = 0;
	struct rte_mbuf *pkts[32];

	for (unsigned poll = 0; poll < 200; poll++) {
		for (unsigned i = 0; i < 32; i++)
			pkts[i] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11),
					  IP4(10, 0, 0, 100), (uint16_t)(2000 + i), 7777);
		rx_only(vm1, pkts, 32);
		for (unsigned i = 0; i < 32; i++)
			pkts[i] = pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100),
					  IP4(10, 0, 0, 11), 7777, (uint16_t)(2000 + i));
		rx_only(up, pkts, 32);
		ioc_fwd_poll(f.lc);
		/* Each worker serves a burst per poll: twice is all it was given. */
		for (int k = 0; k < 2; k++)
			for (unsigned w = 0; w < 2; w++)
				ioc_svm_worker_poll(worker(w));
		out += fixture_drain_free(up) + fixture_drain_free(vm1);
	}
	ioc_fwd_poll(f.lc);
	out += fixture_drain_free(up) + fixture_drain_free(vm1);
	/* Both workers had work, and neither fell behind. */
	CU_ASSERT(worker(0)->cnt[IOC_SVM_IN] > 0 && worker(1)->cnt[IOC_SVM_IN] > 0);
	CU_ASSERT_EQUAL(workers_cnt(IOC_SVM_IN), in + 200 * 64);
	CU_ASSERT_EQUAL(workers_cnt(IOC_SVM_BACK_FULL), back_full);
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_drop_ring_full"), full);
	CU_ASSERT_EQUAL(ioc_svm_worker_ring_count(worker(0)) + ioc_svm_worker_ring_count(worker(1)),
			0);
	/* Everything came back; what the SVM allowed came out. */
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_svm_allow") - allow +
				slot("VM1.eth0", "svc_svm_deny") - deny,
			200 * 64);
	CU_ASSERT_EQUAL(out, slot("VM1.eth0", "svc_svm_allow") - allow);
}

/* A flow's UDP source port that worker w serves (from VM1 to the laptop). */
static uint16_t
port_for_worker(unsigned w)
{
	for (uint16_t port = 3000;; port++) {
		uint64_t before = worker(w)->cnt[IOC_SVM_IN];

		send_one(vm1, pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100),
				      port, 9));
		fixture_drain_free(up);
		if (worker(w)->cnt[IOC_SVM_IN] > before)
			return port;
	}
}

/*
 * Worker 0 returns a backlog larger than a poll's budget, worker 1 a single
 * packet: the next poll takes worker 1's too, since every burst starts one
 * worker further.
 */
static void
test_return_path_round_robin(void)
{
	uint16_t p0 = port_for_worker(0), p1 = port_for_worker(1);
	struct rte_mbuf *pkts[32];
	const unsigned n0 = 8 * 32; /* more than a poll takes back (4 bursts) */

	/* Queued while the workers do not run: the polls have nothing to take back. */
	for (unsigned b = 0; b < n0 / 32; b++) {
		for (unsigned i = 0; i < 32; i++)
			pkts[i] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11),
					  IP4(10, 0, 0, 100), p0, 9);
		fixture_inject(&f, vm1, pkts, 32);
	}
	pkts[0] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), p1, 9);
	fixture_inject(&f, vm1, pkts, 1);
	while (ioc_svm_worker_poll(worker(0)) > 0)
		;
	ioc_svm_worker_poll(worker(1));
	CU_ASSERT_EQUAL_FATAL(ioc_svm_worker_ring_count(worker(0)), n0);
	CU_ASSERT_EQUAL_FATAL(ioc_svm_worker_ring_count(worker(1)), 1);
	uint64_t allow = slot("VM1.eth0", "svc_svm_allow");
	ioc_fwd_poll(f.lc);
	/* Worker 1's packet is among what this one poll took back. */
	CU_ASSERT_EQUAL(ioc_svm_worker_ring_count(worker(1)), 0);
	CU_ASSERT(slot("VM1.eth0", "svc_svm_allow") > allow);
	while (ioc_svm_worker_ring_count(worker(0)) > 0)
		ioc_fwd_poll(f.lc);
	CU_ASSERT_EQUAL(fixture_drain_free(up), n0 + 1);
}

/* Fill the rings without running the workers. */
static void
flood_without_workers(struct ring_port *p, const char *smac, uint32_t sip, unsigned n)
{
	struct rte_mbuf *pkts[32];

	for (unsigned sent = 0; sent < n; sent += 32) {
		for (unsigned i = 0; i < 32; i++)
			pkts[i] = pkt_tcp(smac, MAC_LAPTOP, sip, IP4(10, 0, 0, 100), 22, 22);
		fixture_inject(&f, p, pkts, 32);
	}
}

static void
test_ring_full_fail_closed(void)
{
	uint64_t full = slot("VM1.eth0", "svc_drop_ring_full");

	/* One flow, one worker: its ring takes 1023, the rest is dropped, none passes. */
	flood_without_workers(vm1, MAC_VM1, IP4(10, 0, 0, 11), 1056);
	CU_ASSERT_EQUAL(slot("VM1.eth0", "svc_drop_ring_full"), full + 1056 - 1023);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	for (int i = 0; i < 64; i++)
		round_trip();
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1023);
}

static void
test_ring_full_fail_open(void)
{
	uint64_t bypass = slot("VM2.eth0", "svc_bypass_ring_full");

	flood_without_workers(vm2, MAC_VM2, IP4(10, 0, 0, 12), 1056);
	CU_ASSERT_EQUAL(slot("VM2.eth0", "svc_bypass_ring_full"), bypass + 1056 - 1023);
	/* failOpen: what the ring could not take went on uninspected. */
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1056 - 1023);
	for (int i = 0; i < 64; i++)
		round_trip();
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1023);
}

static void
test_ledgers(void)
{
	uint64_t c[IOC_PC_MAX];

	for (unsigned p = 0; p < f.dp->n_ports; p++) {
		ioc_dp_port_counters(f.dp, p, c);
		CU_ASSERT_EQUAL(c[IOC_PC_HELD], c[IOC_PC_RESUMED]); /* nothing in flight now */
		uint64_t in, out;

		ioc_port_ledger(c, &in, &out);
		CU_ASSERT_EQUAL(in, out);
	}
	/* Slot 4: every redirected packet came back, allowed or denied. */
	for (const char *const *v = (const char *const[]){ "VM1.eth0", "VM2.eth0", NULL }; *v; v++)
		CU_ASSERT_EQUAL(slot(*v, "svc_redirect"),
				slot(*v, "svc_svm_allow") + slot(*v, "svc_svm_deny"));
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* summarize-dvfilter's slowPathID for slot 4: the instance's, or "none" when the INI has none. */
static void
test_describe_slow_path_id(void)
{
	const struct ioc_chain *c = &f.dp->vnics[0].chain;
	const struct ioc_slot_inst *si = NULL;
	struct ioc_slot_desc d;

	for (unsigned s = 0; s < c->n_slots; s++)
		if (c->slot[s].ops->slot == 4)
			si = &c->slot[s];
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	si->ops->describe(si->priv, &f.topo, 0, &d);
	CU_ASSERT_STRING_EQUAL(d.slow_path_id, "18020");
	f.topo.instances[0].has_slow_path_id = false;
	si->ops->describe(si->priv, &f.topo, 0, &d);
	f.topo.instances[0].has_slow_path_id = true;
	CU_ASSERT_STRING_EQUAL(d.slow_path_id, "none");
}

static void
test_svc_register(void)
{
	CU_pSuite s = CU_add_suite("svc", setup, teardown);

	CU_add_test(s, "an instance's workers and rings", test_two_workers_built);
	CU_add_test(s, "worker choice is symmetric and spreads", test_worker_choice_symmetric);
	CU_add_test(s, "round trip keeps packet and metadata", test_round_trip_keeps_packet);
	CU_add_test(s, "svm_rule semantics", test_svm_rules);
	CU_add_test(s, "no_redirect rule", test_no_redirect_rule);
	CU_add_test(s, "IPv6 and ARP follow the any/any redirect rule",
		    test_unclassified_redirected);
	CU_add_test(s, "return path keeps up with two workers, both ways",
		    test_return_path_keeps_up);
	CU_add_test(s, "return path starts one worker further each burst",
		    test_return_path_round_robin);
	CU_add_test(s, "full ring, failClosed: dropped", test_ring_full_fail_closed);
	CU_add_test(s, "full ring, failOpen: bypassed", test_ring_full_fail_open);
	CU_add_test(s, "ledgers add up, nothing leaked", test_ledgers);
	CU_add_test(s, "slowPathID: the instance's, or none", test_describe_slow_path_id);
}

UNIT_SUITES(test_svc_register)
