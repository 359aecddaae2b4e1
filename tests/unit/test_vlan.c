/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [vnic] vlan: none (the default) drops a VM's tagged frames and delivers it
 * untagged frames only; an access VLAN tags the VM's frames on their way out
 * and delivers it exactly that VLAN, untagged; a trunk passes tags both ways.
 * Tagged frames a VM forges (a double tag to hop VLANs) never leave.
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "fixture.h"
#include "tests.h"

/* VM1: vlan none (default), VM2: access VLAN 10, VM3: trunk; all on uplink0. */
#define VLAN_INI                                                                                   \
	"[host]\nname = host-vlan\n"                                                               \
	"[uplink uplink0]\ndevice = net_ring_up0\nlcore = 1\n"                                     \
	"[vm VM1]\nworld = 101\nvc_uuid = u1\n"                                                    \
	"[vm VM2]\nworld = 102\nvc_uuid = u2\n"                                                    \
	"[vm VM3]\nworld = 103\nvc_uuid = u3\n"                                                    \
	"[vnic VM1.eth0]\ndevice = net_ring_vm1\nswitch_port = 1\nmac = " MAC_VM1 "\n"             \
	"ip = 10.0.0.11\nuplink = uplink0\nlcore = 1\n"                                            \
	"[vnic VM2.eth0]\ndevice = net_ring_vm2\nswitch_port = 2\nmac = " MAC_VM2 "\n"             \
	"ip = 10.0.0.12\nuplink = uplink0\nlcore = 1\nvlan = 10\n"                                 \
	"[vnic VM3.eth0]\ndevice = net_ring_vm3\nswitch_port = 3\nmac = " MAC_VM3 "\n"             \
	"ip = 10.0.0.13\nuplink = uplink0\nlcore = 1\nvlan = trunk\n"

static struct dp_fixture f;
static struct ring_port *vm1, *vm2, *vm3, *up;

static int
setup(void)
{
	vm1 = fixture_ring_port("vm1");
	vm2 = fixture_ring_port("vm2");
	vm3 = fixture_ring_port("vm3");
	up = fixture_ring_port("up0");
	if (vm1 == NULL || vm2 == NULL || vm3 == NULL || up == NULL)
		return -1;
	return fixture_dp_start(&f, VLAN_INI);
}

static int
teardown(void)
{
	return fixture_dp_stop(&f);
}

/* m with an 802.1Q tag (VLAN vid) pushed in front of its current tags, if any. */
static struct rte_mbuf *
tag(struct rte_mbuf *m, uint16_t vid)
{
	CU_ASSERT_FATAL(m != NULL);
	m->vlan_tci = vid;
	CU_ASSERT_FATAL(rte_vlan_insert(&m) == 0);
	return m;
}

static struct rte_mbuf *
udp_from(const char *smac, uint32_t sip)
{
	return pkt_udp(smac, MAC_LAPTOP, sip, IP4(10, 0, 0, 100), 5000, 53);
}

static struct rte_mbuf *
udp_to(const char *dmac, uint32_t dip)
{
	return pkt_udp(MAC_LAPTOP, dmac, IP4(10, 0, 0, 100), dip, 53, 5000);
}

/* Sends m into port p; returns what port out transmitted (at most one frame), or NULL. */
static struct rte_mbuf *
through(struct ring_port *p, struct rte_mbuf *m, struct ring_port *out)
{
	struct rte_mbuf *got[4];

	fixture_inject(&f, p, &m, 1);
	unsigned n = fixture_drain(out, got, 4);
	CU_ASSERT(n <= 1);
	for (unsigned i = 1; i < n; i++)
		rte_pktmbuf_free(got[i]);
	return n > 0 ? got[0] : NULL;
}

/* The frame's Ethernet type and, when tagged, its VLAN ID (else 0); frees it. */
static uint16_t
vid_of(struct rte_mbuf *m, uint16_t *type)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);
	uint16_t vid = 0;

	*type = rte_be_to_cpu_16(eth->ether_type);
	if (*type == RTE_ETHER_TYPE_VLAN)
		vid = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
	rte_pktmbuf_free(m);
	return vid;
}

static uint64_t
drop_vlan(const char *vnic)
{
	return fixture_slot_counter(&f, vnic, "swsec_drop_vlan");
}

static void
test_none(void)
{
	uint64_t d = drop_vlan("VM1.eth0");
	struct rte_mbuf *m;
	uint16_t type;

	/* Untagged both ways, as before. */
	m = through(vm1, udp_from(MAC_VM1, IP4(10, 0, 0, 11)), up);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vid_of(m, &type), 0);
	CU_ASSERT_EQUAL(type, RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_PTR_NOT_NULL(m = through(up, udp_to(MAC_VM1, IP4(10, 0, 0, 11)), vm1));
	rte_pktmbuf_free(m);
	/* The VM tags (its own address inside): dropped, once or twice tagged. */
	CU_ASSERT_PTR_NULL(through(vm1, tag(udp_from(MAC_VM1, IP4(10, 0, 0, 11)), 20), up));
	CU_ASSERT_PTR_NULL(through(vm1, tag(tag(udp_from(MAC_VM1, IP4(10, 0, 0, 11)), 1), 20), up));
	/* Tagged from the uplink: not for an untagged VM. */
	CU_ASSERT_PTR_NULL(through(up, tag(udp_to(MAC_VM1, IP4(10, 0, 0, 11)), 20), vm1));
	CU_ASSERT_EQUAL(drop_vlan("VM1.eth0"), d + 3);
}

static void
test_access(void)
{
	uint64_t d = drop_vlan("VM2.eth0");
	struct rte_mbuf *m;
	uint16_t type;

	/* The VM sends untagged: the uplink gets VLAN 10. */
	m = through(vm2, udp_from(MAC_VM2, IP4(10, 0, 0, 12)), up);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60 + 4);
	CU_ASSERT_EQUAL(vid_of(m, &type), 10);
	/* VLAN 10 from the uplink reaches the VM untagged. */
	m = through(up, tag(udp_to(MAC_VM2, IP4(10, 0, 0, 12)), 10), vm2);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	CU_ASSERT_EQUAL(vid_of(m, &type), 0);
	CU_ASSERT_EQUAL(type, RTE_ETHER_TYPE_IPV4);
	/* Another VLAN, no tag, or VLAN 10 hiding a second tag: not delivered. */
	CU_ASSERT_PTR_NULL(through(up, tag(udp_to(MAC_VM2, IP4(10, 0, 0, 12)), 20), vm2));
	CU_ASSERT_PTR_NULL(through(up, udp_to(MAC_VM2, IP4(10, 0, 0, 12)), vm2));
	CU_ASSERT_PTR_NULL(through(up, tag(tag(udp_to(MAC_VM2, IP4(10, 0, 0, 12)), 20), 10), vm2));
	/* The VM's own tags (a hop attempt) are dropped, not tagged over. */
	CU_ASSERT_PTR_NULL(through(vm2, tag(udp_from(MAC_VM2, IP4(10, 0, 0, 12)), 20), up));
	CU_ASSERT_EQUAL(drop_vlan("VM2.eth0"), d + 4);
	/* VM2 (VLAN 10) to VM1 (untagged): different VLANs, nothing crosses. */
	d = drop_vlan("VM1.eth0");
	CU_ASSERT_PTR_NULL(through(
		vm2, pkt_udp(MAC_VM2, MAC_VM1, IP4(10, 0, 0, 12), IP4(10, 0, 0, 11), 1, 2), vm1));
	CU_ASSERT_EQUAL(drop_vlan("VM1.eth0"), d + 1);
}

static void
test_trunk(void)
{
	struct rte_mbuf *m;
	uint16_t type;

	/* Guest tagging passes both ways, tags intact; its inner IPv4 still checked. */
	m = through(vm3, tag(udp_from(MAC_VM3, IP4(10, 0, 0, 13)), 30), up);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vid_of(m, &type), 30);
	m = through(up, tag(udp_to(MAC_VM3, IP4(10, 0, 0, 13)), 30), vm3);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vid_of(m, &type), 30);
	CU_ASSERT_PTR_NULL(through(vm3, tag(udp_from(MAC_VM3, IP4(10, 0, 0, 11)), 30), up));
	CU_ASSERT_EQUAL(drop_vlan("VM3.eth0"), 0);
}

static void
test_ledgers_no_leak(void)
{
	fixture_assert_ledgers(&f);
	CU_ASSERT(fixture_no_mbuf_in_use(&f));
}

static void
test_vlan_register(void)
{
	CU_pSuite s = CU_add_suite("vlan", setup, teardown);

	CU_add_test(s, "vlan = none: untagged only, both ways", test_none);
	CU_add_test(s, "vlan = 10: tagged on the uplink, untagged to the VM", test_access);
	CU_add_test(s, "vlan = trunk: tags pass", test_trunk);
	CU_add_test(s, "ledgers add up, nothing leaked", test_ledgers_no_leak);
}

UNIT_SUITES(test_vlan_register)
