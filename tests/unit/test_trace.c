/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (lib/trace): what each slot did to a traced packet and why,
 * the SVM's verdict, where the packet went; that COUNT is honoured, a second
 * arming is refused, clear forgets; that an armed trace changes nothing of
 * what the datapath does (order, counters, ledgers, leaks).
 */
#include <stdio.h>
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
	"[host]\nname = host-trace\n"                                                              \
	"[uplink uplink0]\ndevice = net_ring_up0\nlcore = 1\n"                                     \
	"[vm VM1]\nworld = 101\nvc_uuid = u1\n"                                                    \
	"[vm VM2]\nworld = 102\nvc_uuid = u2\n"                                                    \
	"[vnic VM1.eth0]\ndevice = net_ring_vm1\nswitch_port = 1\nmac = " MAC_VM1 "\n"             \
	"ip = 10.0.0.11\nuplink = uplink0\nlcore = 1\n"                                            \
	"[vnic VM2.eth0]\ndevice = net_ring_vm2\nswitch_port = 2\nmac = " MAC_VM2 "\n"             \
	"ip = 10.0.0.12\nuplink = uplink0\nlcore = 1\n"                                            \
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
	"[svm_rule udp]\ninstance = fgt-1\npriority = 30\nservice = udp\naction = allow\n"

#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_LAPTOP IP4(10, 0, 0, 100)

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *up;
static struct ioc_trace_rec recs[IOC_TRACE_MAX];

static int
setup(void)
{
	vm1 = fixture_ring_port("vm1");
	vm2 = fixture_ring_port("vm2");
	up = fixture_ring_port("up0");
	if (vm1 == NULL || vm2 == NULL || up == NULL)
		return -1;
	return fixture_dp_start(&f, TRACE_INI);
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

void
test_trace_register(void)
{
	CU_pSuite s = CU_add_suite("trace", setup, teardown);

	CU_add_test(s, "not armed: nothing recorded", test_off_records_nothing);
	CU_add_test(s, "a ping both ways", test_ping_both_ways);
	CU_add_test(s, "drops and replies", test_drops_and_replies);
	CU_add_test(s, "SVM round trip and verdict", test_svm_round_trip);
	CU_add_test(s, "failure path", test_failure_path);
	CU_add_test(s, "only the traced vNIC", test_only_the_vnic);
	CU_add_test(s, "arming errors, clear", test_arm_errors);
	CU_add_test(s, "a traced burst: order, counters, ledgers", test_burst_unchanged);
}
