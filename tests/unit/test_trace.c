/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (lib/trace): what each slot did to a traced packet and why,
 * the SVM's verdict, where the packet went; that COUNT is honoured, a second
 * arming is refused, clear forgets; that an armed trace changes nothing of
 * what the datapath does (order, counters, ledgers, leaks).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "fixture.h"
#include "meta.h"
#include "svc.h"
#include "tests.h"
#include "trace.h"

/*
 * VM1: ICMP allowed, tcp/23 dropped, tcp/25 rejected, udp allowed and
 * redirected to an SVM that denies udp/53; everything else dropped.
 */
#define TRACE_INI                                                                                  \
	FIXTURE_TWO_VNICS("name = host-trace\n")                                                   \
	"[group g1]\nmembers = vnic:VM1.eth0\n"                                                    \
	"[dfw]\ndefault_action = drop\nstateful = true\n"                                          \
	"[dfw_rule allow-icmp]\npriority = 10\nservice = icmp\ndirection = inout\n"                \
	"applied_to = vnic:VM1.eth0\naction = allow\n"                                             \
	"[dfw_rule no-telnet]\npriority = 20\nservice = tcp/23\ndirection = inout\n"               \
	"applied_to = vnic:VM1.eth0\naction = drop\n"                                              \
	"[dfw_rule no-smtp]\npriority = 30\nservice = tcp/25\ndirection = inout\n"                 \
	"applied_to = vnic:VM1.eth0\naction = reject\n"                                            \
	"[dfw_rule allow-udp]\npriority = 40\nservice = udp\ndirection = inout\n"                  \
	"applied_to = vnic:VM1.eth0\naction = allow\n"                                             \
	"[dfw_rule allow-vm2]\npriority = 50\ndirection = inout\n"                                 \
	"applied_to = vnic:VM2.eth0\naction = allow\n"                                             \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 18020\n"              \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[redirect_rule udp-to-fgt]\ngroup = g1\nservice = udp\naction = redirect\n"               \
	"profile = closed\n"                                                                       \
	"[svm_rule deny-dns]\ninstance = fgt-1\npriority = 5\nservice = udp/53\naction = drop\n"   \
	"[svm_rule udp]\ninstance = fgt-1\npriority = 30\nservice = udp\naction = allow\n"         \
	"[svm_rule web]\ninstance = fgt-1\npriority = 40\nsource = ipset:lab\nservice = tcp\n"     \
	"action = allow\n"                                                                         \
	"[ipset lab]\naddresses = 192.168.50.0/24\n"                                               \
	"[dfw_rule lab-web]\npriority = 15\nsource = ipset:lab\nservice = tcp/8080-8090\n"         \
	"direction = in\napplied_to = vnic:VM1.eth0\naction = allow\n"                             \
	"[dfw_rule no-spoofed-dst]\npriority = 5\ndestination = 10.0.0.66/32\ndirection = out\n"   \
	"applied_to = group:g1\naction = drop\n"                                                   \
	"[dfw_rule ssh-in]\npriority = 8\nservice = tcp/22\ndirection = in\n"                      \
	"applied_to = vnic:VM1.eth0\naction = allow\n"                                             \
	"[redirect_rule mdns-direct]\ngroup = g1\nservice = udp/5353\naction = no_redirect\n"      \
	"[redirect_rule web-to-fgt]\ngroup = g1\nservice = tcp/8080-8090\naction = redirect\n"     \
	"profile = closed\n"

#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_LAPTOP IP4(10, 0, 0, 100)

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *up;
static struct ioc_trace_rec recs[IOC_TRACE_MAX];

static int
setup(void)
{
	return fixture_two_vnics_start(&f, TRACE_INI, &vm1, &vm2, &up);
}

static int
teardown(void)
{
	ioc_trace_clear(f.dp);
	return fixture_dp_stop(&f);
}

/* One packet in, the SVM worker's turn, the lcore takes back what it returned. */
static void
send_one(struct ring_port *p, struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&f, p, &m, 1);
	ioc_svm_worker_poll(f.dp->svc->workers[0]);
	ioc_fwd_poll(f.lc);
}

static void
arm(const char *vnic, unsigned count)
{
	ioc_trace_clear(f.dp);
	CU_ASSERT_EQUAL_FATAL(ioc_trace_arm(f.dp, (unsigned)ioc_dp_find_port(f.dp, vnic), count),
			      0);
}

/* The record as iochainctl prints it, in one string. */
static char text[4096];

static void
add_line(void *arg, const char *line)
{
	RTE_SET_USED(arg);
	strncat(text, line, sizeof(text) - strlen(text) - 2);
	strcat(text, "\n");
}

static const char *
format(const struct ioc_trace_rec *r)
{
	struct ioc_trace_status st;

	ioc_trace_status(&st);
	text[0] = '\0';
	ioc_trace_format(f.dp, r, &st, add_line, NULL);
	return text;
}

static unsigned
records(void)
{
	return ioc_trace_records(recs, IOC_TRACE_MAX);
}

#define CU_ASSERT_CONTAINS(hay, needle)                                                            \
	do {                                                                                       \
		if (strstr((hay), (needle)) == NULL)                                               \
			printf("\n--- expected \"%s\" in:\n%s", (needle), (hay));                  \
		CU_ASSERT_PTR_NOT_NULL(strstr((hay), (needle)));                                   \
	} while (0)

static void
test_off_records_nothing(void)
{
	ioc_trace_clear(f.dp);
	send_one(vm1, pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 1, false));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(records(), 0);
	CU_ASSERT_EQUAL(ioc_trace_on, 0);
}

/* A ping out and its answer: spoofguard, the rule by name, then the connection. */
static void
test_ping_both_ways(void)
{
	arm("VM1.eth0", 2);
	send_one(vm1, pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 7, false));
	send_one(up, pkt_icmp_echo(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, true));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 1);
	CU_ASSERT_EQUAL_FATAL(records(), 2);

	const char *t = format(&recs[0]);
	CU_ASSERT_EQUAL(recs[0].dir, IOC_DIR_OUT);
	CU_ASSERT_EQUAL(recs[0].n_steps, 3);
	CU_ASSERT_CONTAINS(t, "VM1.eth0 out");
	CU_ASSERT_CONTAINS(t, "IPv4 10.0.0.11 > 10.0.0.100 ICMP echo-request id 7");
	CU_ASSERT_CONTAINS(t, "slot 1 swsec: pass, binding matched: the vNIC's MAC, 10.0.0.11");
	CU_ASSERT_CONTAINS(t, "slot 2 sfw: pass, rule allow-icmp (allow)");
	CU_ASSERT_CONTAINS(t, "slot 4 svc: pass, not marked for a service");
	CU_ASSERT_CONTAINS(t, "-> port uplink0");

	t = format(&recs[1]);
	CU_ASSERT_EQUAL(recs[1].dir, IOC_DIR_IN);
	CU_ASSERT_CONTAINS(t, "VM1.eth0 in");
	CU_ASSERT_CONTAINS(t, "slot 1 swsec: pass, inbound");
	CU_ASSERT_CONTAINS(t, "slot 2 sfw: pass, connection icmp");
	CU_ASSERT_CONTAINS(t, "-> port VM1.eth0");

	/* COUNT reached: disarmed, nothing more recorded, and a new trace may be armed. */
	struct ioc_trace_status st;
	ioc_trace_status(&st);
	CU_ASSERT_FALSE(st.armed);
	CU_ASSERT_EQUAL(st.count, 2);
	send_one(vm1, pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 8, false));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(records(), 2);
}

/* IPv6 printed with its addresses and L4, ICMPv6 named; the dfw default drops it. */
static void
test_ipv6_summary(void)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };
	static const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 0 };
	struct rte_mbuf *u = pkt_ip6(MAC_LAPTOP, MAC_VM1, b, a, IPPROTO_UDP, 8);
	struct rte_mbuf *e = pkt_ip6(MAC_LAPTOP, MAC_VM1, b, a, IPPROTO_ICMPV6, 8);

	CU_ASSERT_FATAL(u != NULL && e != NULL);
	uint8_t *l4 = rte_pktmbuf_mtod_offset(u, uint8_t *, 14 + 40);
	l4[0] = 0x13; /* 5000 > 53 */
	l4[1] = 0x88;
	l4[3] = 53;
	l4 = rte_pktmbuf_mtod_offset(e, uint8_t *, 14 + 40);
	l4[0] = IOC_ICMP6_ECHO_REQUEST;
	l4[5] = 9; /* id 9 */
	struct rte_mbuf *t = pkt_ip6(MAC_LAPTOP, MAC_VM1, b, a, IPPROTO_TCP, 20);
	CU_ASSERT_FATAL(t != NULL);
	l4 = rte_pktmbuf_mtod_offset(t, uint8_t *, 14 + 40);
	l4[1] = 80; /* 80 > 443, SYN */
	l4[2] = 0x01;
	l4[3] = 0xbb;
	l4[12] = 5 << 4;
	l4[13] = 0x02; /* SYN */
	arm("VM1.eth0", 3);
	send_one(up, u);
	send_one(up, e);
	send_one(up, t);
	fixture_drain_free(vm1);
	CU_ASSERT_EQUAL_FATAL(records(), 3);
	CU_ASSERT_CONTAINS(format(&recs[2]), "IPv6 2001:db8::100 > 2001:db8::11 TCP 80 > 443 [S]");
	CU_ASSERT_CONTAINS(format(&recs[0]), "IPv6 2001:db8::100 > 2001:db8::11 UDP 5000 > 53");
	CU_ASSERT_CONTAINS(format(&recs[1]),
			   "IPv6 2001:db8::100 > 2001:db8::11 ICMPv6 echo-request id 9 seq 0");
}

/* Each way a packet ends: the counter it hit, and where it went. */
static void
test_drops_and_replies(void)
{
	arm("VM1.eth0", 4);
	send_one(vm1, pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 66), IP_LAPTOP, 1, false));
	send_one(vm1, pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 4000, 23));
	send_one(vm1, pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 4000, 25));
	send_one(vm1, pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 4000, 80));
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 1); /* the RST */
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	CU_ASSERT_EQUAL_FATAL(records(), 4);

	const char *t = format(&recs[0]);
	CU_ASSERT_CONTAINS(t, "slot 1 swsec: drop swsec_drop_ip, sender 10.0.0.66 not bound");
	CU_ASSERT_EQUAL(recs[0].n_steps, 1);
	CU_ASSERT_EQUAL(recs[0].dest, IOC_TD_DROP);
	t = format(&recs[1]);
	CU_ASSERT_CONTAINS(t, "slot 2 sfw: drop sfw_drop_rule, rule no-telnet (drop)");
	t = format(&recs[2]);
	CU_ASSERT_CONTAINS(t, "slot 2 sfw: reply sfw_reject, rule no-smtp (reject)");
	CU_ASSERT_CONTAINS(t, "-> answered back out port VM1.eth0");
	t = format(&recs[3]);
	CU_ASSERT_CONTAINS(
		t, "slot 2 sfw: drop sfw_drop_default, no rule matched: default_action drop");
}

/* Redirected: the profile, the worker, its verdict and the round trip. */
static void
test_svm_round_trip(void)
{
	arm("VM1.eth0", 2);
	send_one(vm1, pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 5000, 5001));
	send_one(vm1, pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 5000, 53));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL_FATAL(records(), 2);

	const char *t = format(&recs[0]);
	CU_ASSERT_CONTAINS(t, "slot 2 sfw: pass, rule allow-udp (allow); redirect rule udp-to-fgt: "
			      "profile closed");
	CU_ASSERT_CONTAINS(t,
			   "slot 4 svc: held svc_redirect, profile closed (failClosed) -> worker "
			   "fgt-1.0");
	CU_ASSERT_CONTAINS(t, "svm: allow, round trip");
	CU_ASSERT_CONTAINS(t, "-> port uplink0");
	CU_ASSERT_EQUAL(recs[0].svm, 1);
	t = format(&recs[1]);
	CU_ASSERT_CONTAINS(t, "svm: deny");
	CU_ASSERT_CONTAINS(t, "-> dropped: the SVM denied it");
	CU_ASSERT_EQUAL(ioc_trace_on, 0); /* nothing armed, nothing in flight */
}

/* The failure path: the SVM down under failClosed drops, and the trace names it. */
static void
test_failure_path(void)
{
	struct ioc_svc_instance *inst = &f.dp->svc->instances[0];
	struct ioc_svm_worker *w = inst->share[0];

	arm("VM1.eth0", 1);
	__atomic_store_n(&inst->share[0], NULL, __ATOMIC_RELEASE);
	send_one(vm1, pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 5000, 5002));
	__atomic_store_n(&inst->share[0], w, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(fixture_drain_free(up), 0);
	CU_ASSERT_EQUAL_FATAL(records(), 1);
	CU_ASSERT_CONTAINS(format(&recs[0]), "slot 4 svc: drop svc_svm_down_drop, profile closed, "
					     "no worker up: failure path failClosed");
}

/* Another vNIC's packets are not recorded; VM2 -> VM1 is VM1's "in". */
static void
test_only_the_vnic(void)
{
	arm("VM1.eth0", 5);
	send_one(vm2, pkt_tcp(MAC_VM2, MAC_LAPTOP, IP4(10, 0, 0, 12), IP_LAPTOP, 1, 2));
	CU_ASSERT_EQUAL(fixture_drain_free(up), 1);
	CU_ASSERT_EQUAL(records(), 0);
	send_one(vm2, pkt_icmp_echo(MAC_VM2, MAC_VM1, IP4(10, 0, 0, 12), IP_VM1, 3, false));
	CU_ASSERT_EQUAL(fixture_drain_free(vm1), 1);
	CU_ASSERT_EQUAL_FATAL(records(), 1);
	CU_ASSERT_EQUAL(recs[0].dir, IOC_DIR_IN);
	CU_ASSERT_EQUAL(recs[0].vnic, 0);
}

/* A second arming is refused while armed; bad arguments change nothing. */
static void
test_arm_errors(void)
{
	arm("VM1.eth0", 3);
	CU_ASSERT_EQUAL(ioc_trace_arm(f.dp, 1, 3), -EBUSY);
	CU_ASSERT_EQUAL(ioc_trace_arm(f.dp, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(ioc_trace_arm(f.dp, 0, IOC_TRACE_MAX + 1), -EINVAL);
	CU_ASSERT_EQUAL(ioc_trace_arm(f.dp, 99, 1), -EINVAL);

	struct ioc_trace_status st;
	ioc_trace_status(&st);
	CU_ASSERT(st.armed);
	CU_ASSERT_EQUAL(st.vnic, 0);
	CU_ASSERT_EQUAL(st.left, 3);
	ioc_trace_clear(f.dp);
	ioc_trace_status(&st);
	CU_ASSERT_FALSE(st.armed);
	CU_ASSERT_EQUAL(ioc_trace_on, 0);
	CU_ASSERT_EQUAL(ioc_trace_arm(f.dp, 1, 3), 0);
	ioc_trace_clear(f.dp);
}

/* Tracing a burst keeps its order and its counters: traced or not, same result. */
static void
test_burst_unchanged(void)
{
	struct rte_mbuf *pkts[8], *out[8];
	uint64_t pass0 = fixture_slot_counter(&f, "VM1.eth0", "sfw_pass");

	arm("VM1.eth0", 3);
	for (unsigned i = 0; i < 8; i++)
		pkts[i] = i == 5 ? pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 4000, 23)
				 : pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP,
						 (uint16_t)(100 + i), false);
	fixture_inject(&f, vm1, pkts, 8);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(up, out, 8), 7);
	for (unsigned i = 0, k = 0; i < 8; i++) {
		if (i == 5)
			continue;
		struct ioc_meta md;
		CU_ASSERT_EQUAL(ioc_meta_parse(out[k], &md), 0);
		CU_ASSERT_EQUAL(md.src_port, rte_cpu_to_be_16((uint16_t)(100 + i)));
		k++;
	}
	rte_pktmbuf_free_bulk(out, 7);
	CU_ASSERT_EQUAL(records(), 3);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "sfw_pass"), pass0 + 7);
	fixture_assert_ledgers(&f);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

/* Explain and the live trace of the same 5-tuple: same steps, notes, SVM verdict, end. */
static bool
agree(const struct ioc_trace_rec *e, const struct ioc_trace_rec *t)
{
	if (e->n_steps != t->n_steps || e->svm != t->svm || e->dest != t->dest ||
	    ((e->dest == IOC_TD_PORT || e->dest == IOC_TD_REPLY) && e->dest_port != t->dest_port))
		return false;
	for (unsigned i = 0; i < e->n_steps; i++)
		if (e->step[i].pos != t->step[i].pos || e->step[i].verdict != t->step[i].verdict ||
		    e->step[i].counter != t->step[i].counter ||
		    memcmp(e->step[i].note, t->step[i].note, sizeof(e->step[i].note)) != 0)
			return false;
	return true;
}

static void
print_rec(const char *what, const struct ioc_trace_rec *r)
{
	text[0] = '\0';
	ioc_explain_format(f.dp, r, add_line, NULL);
	printf("\n--- %s:\n%s", what, text);
}

/*
 * 1,000 random 5-tuples, both ways, through the running chain (its SVM up,
 * then down under failClosed, then failOpen): explain, computed from the
 * config, must say what the datapath did to each.
 */
static void
test_explain_agrees(void)
{
	static const uint16_t ports[] = { 22, 23, 25, 53, 80, 5001, 5353, 8080, 8085, 8091 };
	static const uint32_t remote[] = { IP_LAPTOP, IP4(192, 168, 50, 7), IP4(10, 0, 0, 66) };
	struct ioc_svc_instance *inst = &f.dp->svc->instances[0];
	struct ioc_svm_worker *w = inst->share[0];
	unsigned agreed = 0, seen[4] = { 0 }, svm[3] = { 0 };

	srand(20261128);
	for (unsigned i = 0; i < 1000; i++) {
		bool out = rand() % 2, spoof = out && rand() % 8 == 0;
		uint8_t proto = (uint8_t[]){ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP }[rand() % 3];
		uint32_t far = remote[rand() % 3], near = spoof ? IP4(10, 0, 0, 99) : IP_VM1;
		/* Source ports (and ICMP ids) never repeat: no packet meets an earlier connection.
		 */
		uint16_t sport = (uint16_t)(10000 + i);
		uint16_t dport = rand() % 4 ? ports[rand() % RTE_DIM(ports)] : rand() % 10000;
		uint32_t src = out ? near : far, dst = out ? far : near;
		const char *smac = out ? MAC_VM1 : MAC_LAPTOP, *dmac = out ? MAC_LAPTOP : MAC_VM1;
		struct rte_mbuf *m =
			proto == IPPROTO_TCP   ? pkt_tcp(smac, dmac, src, dst, sport, dport)
			: proto == IPPROTO_UDP ? pkt_udp(smac, dmac, src, dst, sport, dport)
					       : pkt_icmp_echo(smac, dmac, src, dst, sport, false);
		struct ioc_slot_query q = { .dir = out ? IOC_DIR_OUT : IOC_DIR_IN };
		struct ioc_trace_rec e;

		/* The failure path in force: SVM down from 400, failOpen from 450, back at 500. */
		if (i == 400)
			__atomic_store_n(&inst->share[0], NULL, __ATOMIC_RELEASE);
		if (i == 450)
			CU_ASSERT_EQUAL(ioc_svc_profile_set(f.dp->svc, "closed", true), 0);
		if (i == 500) {
			__atomic_store_n(&inst->share[0], w, __ATOMIC_RELEASE);
			CU_ASSERT_EQUAL(ioc_svc_profile_set(f.dp->svc, "closed", false), 0);
		}
		CU_ASSERT_EQUAL_FATAL(ioc_meta_parse(m, &q.md), 0);
		CU_ASSERT_EQUAL_FATAL(ioc_explain(f.dp, 0, &q, &e), 0);
		arm("VM1.eth0", 1);
		send_one(out ? vm1 : up, m);
		fixture_drain_free(up);
		fixture_drain_free(vm1);
		CU_ASSERT_EQUAL_FATAL(records(), 1);
		if (agree(&e, &recs[0])) {
			agreed++;
		} else if (agreed + 3 > i) {
			print_rec("explained", &e);
			printf("--- traced:\n%s", format(&recs[0]));
		}
		seen[e.step[e.n_steps - 1].verdict & 3]++;
		svm[e.svm]++;
	}
	printf("\n  explain agreed with the trace for %u of 1000 packets "
	       "(last step pass %u, drop %u, held %u, reply %u; SVM allow %u, deny %u)\n",
	       agreed, seen[IOC_SV_PASS], seen[IOC_SV_DROP], seen[IOC_SV_HELD], seen[IOC_SV_REPLY],
	       svm[1], svm[2]);
	CU_ASSERT_EQUAL(agreed, 1000);
	/* Every kind of answer was exercised. */
	CU_ASSERT(seen[IOC_SV_PASS] > 0 && seen[IOC_SV_DROP] > 0 && seen[IOC_SV_REPLY] > 0);
	CU_ASSERT(svm[1] > 0 && svm[2] > 0);
	fixture_assert_ledgers(&f);
}

/* The command's parser: what it accepts and how it says no. */
static void
test_explain_parse(void)
{
	struct ioc_slot_query q;
	char msg[128];

	CU_ASSERT_EQUAL(ioc_explain_parse("out", "tcp", "10.0.0.11:1234", "10.0.0.100:80", &q, msg,
					  sizeof(msg)),
			0);
	CU_ASSERT_EQUAL(q.dir, IOC_DIR_OUT);
	CU_ASSERT_EQUAL(q.md.src_port, rte_cpu_to_be_16(1234));
	CU_ASSERT_EQUAL(q.md.dst_ip, rte_cpu_to_be_32(IP_LAPTOP));
	CU_ASSERT_EQUAL(
		ioc_explain_parse("in", "icmp", "10.0.0.100:7", "10.0.0.11", &q, msg, sizeof(msg)),
		0);
	CU_ASSERT_EQUAL(q.md.dst_port, rte_cpu_to_be_16(7));
	CU_ASSERT_EQUAL(ioc_explain_parse("up", "tcp", "1.2.3.4", "1.2.3.5", &q, msg, sizeof(msg)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "direction must be in or out, not up");
	CU_ASSERT_EQUAL(ioc_explain_parse("in", "sctp", "1.2.3.4", "1.2.3.5", &q, msg, sizeof(msg)),
			-EINVAL);
	for (const char *const *bad =
		     (const char *const[]){ "1.2.3", "1.2.3.256", "1.2.3.4:", "1.2.3.4:65536",
					    "1.2.3.4x", "a.b.c.d", NULL };
	     *bad != NULL; bad++)
		CU_ASSERT_EQUAL(
			ioc_explain_parse("in", "tcp", *bad, "1.2.3.5", &q, msg, sizeof(msg)),
			-EINVAL);
}

static void
test_trace_register(void)
{
	CU_pSuite s = CU_add_suite("trace", setup, teardown);

	CU_add_test(s, "not armed: nothing recorded", test_off_records_nothing);
	CU_add_test(s, "a ping both ways", test_ping_both_ways);
	CU_add_test(s, "drops and replies", test_drops_and_replies);
	CU_add_test(s, "IPv6 summary", test_ipv6_summary);
	CU_add_test(s, "SVM round trip and verdict", test_svm_round_trip);
	CU_add_test(s, "failure path", test_failure_path);
	CU_add_test(s, "only the traced vNIC", test_only_the_vnic);
	CU_add_test(s, "arming errors, clear", test_arm_errors);
	CU_add_test(s, "a traced burst: order, counters, ledgers", test_burst_unchanged);
	CU_add_test(s, "explain parses VNIC in|out PROTO SRC[:PORT] DST[:PORT]",
		    test_explain_parse);
	CU_add_test(s, "explain agrees with the trace, 1000 random 5-tuples", test_explain_agrees);
}

UNIT_SUITES(test_trace_register)
