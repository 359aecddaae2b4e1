/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 4 of a vNIC bound to several profiles or instances by its redirect
 * rules: failClosed with scope vnic stops the whole vNIC, both ways, when any
 * failClosed instance serving it is down, whichever rule came first; and
 * summarize-dvfilter shows one slot-4 filter per bound instance; and its
 * firewall's reject replies stay silent meanwhile. And the later fragments
 * of a redirected datagram go where its first went. What a reload changes for
 * slot 4: open connections' marks, the file's fail_open, the old topology.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "config.h"
#include "events.h"
#include "fixture.h"
#include "fwd.h"
#include "meta.h"
#include "svc.h"
#include "tests.h"

#define BOUND_PORTS                                                                                \
	"[host]\nname = host-bound\n"                                                              \
	"[uplink uplink0]\ndevice = net_ring_up0\nlcore = 1\n"                                     \
	"[vm VM1]\nworld = 101\nvc_uuid = u1\n"                                                    \
	"[vnic VM1.eth0]\ndevice = net_ring_vm1\nswitch_port = 1\nmac = " MAC_VM1 "\n"             \
	"ip = 10.0.0.11\nuplink = uplink0\nlcore = 1\n"                                            \
	"[group g]\nmembers = vnic:VM1.eth0\n"                                                     \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[svm_rule all1]\ninstance = fgt-1\npriority = 1\naction = allow\n"

/* The audit's trigger: inbound through I1 (first rule), outbound through I2 (failClosed, vnic). */
#define TWO_INSTANCES                                                                              \
	BOUND_PORTS                                                                                \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_instance fgt-2]\nservice = fgt\nlcores = 3\nslow_path_id = 2\n"                  \
	"[svm_rule all2]\ninstance = fgt-2\npriority = 1\naction = allow\n"                        \
	"[service_profile p1]\ninstance = fgt-1\nfail_open = false\n"                              \
	"[service_profile p2]\ninstance = fgt-2\nfail_open = false\n"                              \
	"[redirect_rule a]\ngroup = g\ndirection = in\naction = redirect\nprofile = p1\n"          \
	"[redirect_rule b]\ngroup = g\ndirection = out\naction = redirect\nprofile = p2\n"

/* The same-instance variant: the first profile is failOpen, the second failClosed/vnic. */
#define ONE_INSTANCE                                                                               \
	BOUND_PORTS                                                                                \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_profile open]\ninstance = fgt-1\nfail_open = true\n"                             \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[redirect_rule a]\ngroup = g\nservice = udp\naction = redirect\nprofile = open\n"         \
	"[redirect_rule b]\ngroup = g\naction = redirect\nprofile = closed\n"

/* Audit L7: the firewall refuses tcp/9000 in and tcp/9002 out; slot 4 is failClosed, scope vnic. */
#define REJECTING                                                                                  \
	BOUND_PORTS                                                                                \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"fail_closed_scope = vnic\n"                                                               \
	"[redirect_rule a]\ngroup = g\nservice = udp\naction = redirect\nprofile = closed\n"       \
	"[dfw]\ndefault_action = allow\n"                                                          \
	"[dfw_rule rej-in]\npriority = 1\nservice = tcp/9000\ndirection = in\naction = reject\n"   \
	"[dfw_rule rej-out]\npriority = 1\nservice = tcp/9002\ndirection = out\naction = reject\n"

/* Audit L6: only tcp/80 is redirected; failClosed with scope redirected. */
#define WEB_ONLY                                                                                   \
	BOUND_PORTS                                                                                \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"fail_closed_scope = redirected\n"                                                         \
	"[redirect_rule web]\ngroup = g\nservice = tcp/80\naction = redirect\nprofile = closed\n"  \
	"[dfw]\ndefault_action = allow\n"

/* Audit L5: a stateful firewall; REDIRECTED names the redirect rule's services. */
#define RELOADABLE(services)                                                                       \
	BOUND_PORTS                                                                                \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"                  \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[redirect_rule web]\ngroup = g\nservice = " services "\naction = redirect\n"              \
	"profile = closed\n"                                                                       \
	"[dfw]\ndefault_action = allow\nstateful = true\n"

static struct dp_fixture f;
static struct ring_port *vm1, *up;

static int
setup(void)
{
	vm1 = fixture_ring_port("vm1");
	up = fixture_ring_port("up0");
	return vm1 == NULL || up == NULL ? -1 : 0;
}

static void
round_trip(void)
{
	for (unsigned i = 0; i < f.dp->svc->n_workers; i++)
		ioc_svm_worker_poll(f.dp->svc->workers[i]);
	ioc_fwd_poll(f.lc);
}

/* One UDP packet each way and an ARP request in; returns how many got through. */
static unsigned
traffic(void)
{
	struct rte_mbuf *out =
		pkt_udp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 4000, 53);
	struct rte_mbuf *in[2] = {
		pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 53, 4000),
		pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11)),
	};

	CU_ASSERT_FATAL(out != NULL && in[0] != NULL && in[1] != NULL);
	fixture_inject(&f, vm1, &out, 1);
	fixture_inject(&f, up, in, 2);
	round_trip();
	return fixture_drain_free(up) + fixture_drain_free(vm1);
}

static void
describe(unsigned k, struct ioc_slot_desc *d)
{
	const struct ioc_chain *c = &f.dp->vnics[0].chain;
	const struct ioc_slot_inst *si = &c->slot[c->n_slots - 1];

	memset(d, 0, sizeof(*d));
	CU_ASSERT_EQUAL_FATAL(si->ops->slot, 4);
	if (k == 0)
		si->ops->describe(si->priv, &f.topo, 0, d);
	else
		si->ops->describe_filter(si->priv, &f.topo, 0, k, d);
}

static unsigned
n_filters(void)
{
	const struct ioc_chain *c = &f.dp->vnics[0].chain;
	const struct ioc_slot_inst *si = &c->slot[c->n_slots - 1];

	return si->ops->n_filters(si->priv);
}

/* Instance i goes down: nothing of the vNIC crosses, either way, all of it counted. */
static void
down_blocks_vnic(unsigned i)
{
	__atomic_store_n(&f.dp->svc->instances[i].down, true, __ATOMIC_RELEASE);
	uint64_t drop = fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop");
	CU_ASSERT_EQUAL(traffic(), 0);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop"), drop + 3);
}

static void
test_second_instance_down_blocks_vnic(void)
{
	struct ioc_slot_desc d;

	CU_ASSERT_EQUAL_FATAL(fixture_dp_start(&f, TWO_INSTANCES), 0);
	CU_ASSERT_EQUAL(traffic(), 3);
	CU_ASSERT_EQUAL(n_filters(), 2);
	describe(0, &d);
	CU_ASSERT_STRING_EQUAL(d.name, "nic-101-eth0-serviceinstance-4.4");
	CU_ASSERT_STRING_EQUAL(d.vm_state, "Attached");
	describe(1, &d);
	CU_ASSERT_STRING_EQUAL(d.name, "nic-101-eth0-serviceinstance-5.4");
	CU_ASSERT_STRING_EQUAL(d.slow_path_id, "2");

	/* fgt-2 (the second rule's, outbound only) goes down: the vNIC stops both ways. */
	down_blocks_vnic(1);
	describe(0, &d);
	CU_ASSERT_STRING_EQUAL(d.vm_state, "Attached");
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failClosed");
	describe(1, &d);
	CU_ASSERT_STRING_EQUAL(d.vm_state, "Detached");
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failClosed");

	/* Its profile flipped to failOpen: the vNIC flows again (outbound bypasses fgt-2). */
	CU_ASSERT_EQUAL(ioc_svc_profile_set(f.dp->svc, "p2", true), 0);
	CU_ASSERT_EQUAL(traffic(), 3);
	describe(1, &d);
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failOpen");
	__atomic_store_n(&f.dp->svc->instances[1].down, false, __ATOMIC_RELEASE);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(fixture_dp_stop(&f), 0);
}

static void
test_same_instance_closed_profile_blocks_vnic(void)
{
	struct ioc_slot_desc d;

	CU_ASSERT_EQUAL_FATAL(fixture_dp_start(&f, ONE_INSTANCE), 0);
	CU_ASSERT_EQUAL(n_filters(), 1);
	/* One instance, one filter: failClosed, since one of its profiles is. */
	describe(0, &d);
	CU_ASSERT_STRING_EQUAL(d.name, "nic-101-eth0-serviceinstance-4.4");
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failClosed");
	down_blocks_vnic(0);
	__atomic_store_n(&f.dp->svc->instances[0].down, false, __ATOMIC_RELEASE);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(fixture_dp_stop(&f), 0);
}

/* One refused SYN each way; returns how many replies came out (uplink, VM1). */
static unsigned
refused(void)
{
	struct rte_mbuf *in =
		pkt_tcp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 40000, 9000);
	struct rte_mbuf *out =
		pkt_tcp(MAC_VM1, MAC_LAPTOP, IP4(10, 0, 0, 11), IP4(10, 0, 0, 100), 40001, 9002);

	CU_ASSERT_FATAL(in != NULL && out != NULL);
	fixture_inject(&f, up, &in, 1);
	fixture_inject(&f, vm1, &out, 1);
	round_trip();
	return fixture_drain_free(up) + fixture_drain_free(vm1);
}

/*
 * Audit L7: while failClosed (scope vnic) hides the vNIC, its firewall's
 * rejects answer nothing: a RST "from the VM" would tell that it exists.
 */
static void
test_reject_silent_while_hidden(void)
{
	CU_ASSERT_EQUAL_FATAL(fixture_dp_start(&f, REJECTING), 0);
	CU_ASSERT_EQUAL(refused(), 2);

	__atomic_store_n(&f.dp->svc->instances[0].down, true, __ATOMIC_RELEASE);
	uint64_t drop = fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop");
	uint64_t rej = fixture_slot_counter(&f, "VM1.eth0", "sfw_reject");
	CU_ASSERT_EQUAL(refused(), 0);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "sfw_reject"), rej + 2);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop"), drop + 2);

	__atomic_store_n(&f.dp->svc->instances[0].down, false, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(refused(), 2);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(fixture_dp_stop(&f), 0);
}

/* An IPv4 fragment from the laptop to VM1: frag is the fragment_offset field (host order). */
static struct rte_mbuf *
fragment(uint16_t dport, bool udp, uint16_t frag)
{
	struct rte_mbuf *m = udp ? pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100),
					   IP4(10, 0, 0, 11), 40000, dport)
				 : pkt_tcp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100),
					   IP4(10, 0, 0, 11), 40000, dport);

	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr))
		->fragment_offset = rte_cpu_to_be_16(frag);
	return m;
}

/* The fragments of one tcp/80 datagram and a later fragment of a UDP one; returns how many reached
 * VM1. */
static unsigned
fragments(void)
{
	struct rte_mbuf *in[3] = {
		fragment(80, false, RTE_IPV4_HDR_MF_FLAG), /* first: ports known */
		fragment(80, false, 100),		   /* last: no ports */
		fragment(53, true, 100),
	};

	fixture_inject(&f, up, in, 3);
	round_trip();
	return fixture_drain_free(vm1);
}

/*
 * Audit L6: the later fragments of a datagram a port-specific redirect rule
 * sends to the SVM go there too (any redirect rule their protocol and
 * addresses match), so the SVM sees the payload, and failClosed with scope
 * redirected stops them with the first one.
 */
static void
test_later_fragments_follow_redirect(void)
{
	CU_ASSERT_EQUAL_FATAL(fixture_dp_start(&f, WEB_ONLY), 0);
	uint64_t redir = fixture_slot_counter(&f, "VM1.eth0", "svc_redirect");
	CU_ASSERT_EQUAL(fragments(), 3);
	/* Both TCP fragments went to the SVM; the UDP one matches no redirect rule. */
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_redirect"), redir + 2);

	/* Its worker down, as the watchdog publishes it: no share has a worker. */
	struct ioc_svc_instance *inst = &f.dp->svc->instances[0];
	struct ioc_svm_worker *w = inst->share[0];
	__atomic_store_n(&inst->share[0], NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&inst->down, true, __ATOMIC_RELEASE);
	uint64_t drop = fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop");
	CU_ASSERT_EQUAL(fragments(), 1);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_svm_down_drop"), drop + 2);

	__atomic_store_n(&inst->share[0], w, __ATOMIC_RELEASE);
	__atomic_store_n(&inst->down, false, __ATOMIC_RELEASE);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(fixture_dp_stop(&f), 0);
}

static int
reload(const char *ini, char *msg, size_t len)
{
	struct ioc_topology *t = malloc(sizeof(*t));
	struct ioc_error err;
	int rc;

	CU_ASSERT_FATAL(t != NULL);
	ioc_topo_init(t);
	rc = ioc_config_load_string(ini, "reload.ini", t, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	rc = ioc_dp_reload(f.dp, t, msg, len);
	if (rc != 0) {
		ioc_topo_free(t);
		free(t);
	}
	return rc;
}

/* One TCP segment from the laptop to VM1:22, source port 41000; 1 if delivered. */
static unsigned
ssh_in(uint8_t flags)
{
	struct rte_mbuf *m =
		pkt_tcp(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 100), IP4(10, 0, 0, 11), 41000, 22);

	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
				sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))
		->tcp_flags = flags;
	fixture_inject(&f, up, &m, 1);
	round_trip();
	return fixture_drain_free(vm1);
}

static void
find_event(const char *line, void *arg)
{
	if (strstr(line, (const char *)arg) != NULL)
		*(char *)arg = '\0';
}

/*
 * Audit L5, reload semantics: a connection opened before a redirect rule
 * covered it is redirected from its next packet on; the file's fail_open
 * replaces one set at runtime (and says so); a reload frees the topology
 * the previous one loaded.
 */
static void
test_reload_semantics(void)
{
	char msg[512];

	CU_ASSERT_EQUAL_FATAL(fixture_dp_start(&f, RELOADABLE("tcp/80")), 0);
	uint64_t redir = fixture_slot_counter(&f, "VM1.eth0", "svc_redirect");
	CU_ASSERT_EQUAL(ssh_in(RTE_TCP_SYN_FLAG), 1);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_redirect"), redir);

	/* The rule now covers ssh: the open connection's next segments go to the SVM. */
	CU_ASSERT_EQUAL_FATAL(reload(RELOADABLE("tcp/80, tcp/22"), msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(ssh_in(RTE_TCP_ACK_FLAG), 1);
	CU_ASSERT_EQUAL(ssh_in(RTE_TCP_ACK_FLAG), 1);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_redirect"), redir + 2);

	/* failOpen set at runtime; the file says failClosed: the file wins, an event says so. */
	CU_ASSERT_EQUAL(ioc_svc_profile_set(f.dp->svc, "closed", true), 0);
	CU_ASSERT_EQUAL_FATAL(reload(RELOADABLE("tcp/80, tcp/22"), msg, sizeof(msg)), 0);
	CU_ASSERT_FALSE(__atomic_load_n(&f.dp->svc->profiles[0].fail_open, __ATOMIC_ACQUIRE));
	CU_ASSERT(strstr(msg, "1 fail_open changed") != NULL);
	char want[] = "profile closed: fail_open false (the file) replaces true (set at runtime)";
	ioc_events_foreach(find_event, want);
	CU_ASSERT_EQUAL(want[0], '\0');

	/* Reloads do not pile topologies up: only the first and the last are kept. */
	CU_ASSERT_EQUAL_FATAL(reload(RELOADABLE("tcp/80"), msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(f.dp->n_reloaded, 1);
	CU_ASSERT_PTR_EQUAL(f.dp->reloaded[0], f.dp->topo);
	/* And the connection follows the rules back: no longer redirected. */
	CU_ASSERT_EQUAL(ssh_in(RTE_TCP_ACK_FLAG), 1);
	CU_ASSERT_EQUAL(fixture_slot_counter(&f, "VM1.eth0", "svc_redirect"), redir + 2);
	fixture_assert_ledgers(&f);
	CU_ASSERT_EQUAL(fixture_dp_stop(&f), 0);
}

static void
test_svc_bound_register(void)
{
	CU_pSuite s = CU_add_suite("svc_bound", setup, NULL);

	CU_add_test(s, "a failClosed second instance down stops the vNIC both ways",
		    test_second_instance_down_blocks_vnic);
	CU_add_test(s, "a failClosed second profile of the same instance stops the vNIC",
		    test_same_instance_closed_profile_blocks_vnic);
	CU_add_test(s, "reject replies stay silent while failClosed hides the vNIC",
		    test_reject_silent_while_hidden);
	CU_add_test(s, "later fragments follow a port-specific redirect",
		    test_later_fragments_follow_redirect);
	CU_add_test(s, "reload: marks, fail_open, memory", test_reload_semantics);
}

UNIT_SUITES(test_svc_bound_register)
