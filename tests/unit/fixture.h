/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared unit-test fixtures: EAL (--no-huge --no-shconf), ring-backed ports
 * (rte_eth_from_rings) and packet builders.
 */
#ifndef IOC_TEST_FIXTURE_H
#define IOC_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "fwd.h"
#include "topology.h"

int fixture_eal_init(const char *prog);
struct rte_mempool *fixture_pool(void);

/* A ring-backed port: the test enqueues on `to` (port RX), dequeues from `from` (port TX). */
struct ring_port {
	char name[32];
	struct rte_ring *to, *from;
	uint16_t port_id;
};

/* Creates (or reuses) a ring port named net_ring_<suffix>. */
struct ring_port *fixture_ring_port(const char *suffix);

/*
 * A running datapath over ring ports: loads `ini` and builds the datapath. The
 * ports named in the INI must be ring ports created beforehand.
 */
struct dp_fixture {
	struct ioc_topology topo;
	struct ioc_dp *dp;
	struct ioc_lcore *lc;
};

int fixture_dp_start(struct dp_fixture *f, const char *ini);
/* Tears down; -1 if an mbuf was still in use (a leak), which fails the suite. */
int fixture_dp_stop(struct dp_fixture *f);
/*
 * Asserts every ledger of the datapath: per port what came in = where it went
 * (ioc_port_ledger), tx_queued = tx + tx_drop_full + tx_drop_segs, and per slot of every
 * vNIC in = pass + its reasons.
 */
void fixture_assert_ledgers(struct dp_fixture *f);
/* Drains the rings; true when every mbuf of both pools is back (nothing leaked). */
bool fixture_no_mbuf_in_use(struct dp_fixture *f);

/* Send pkts into a port, run one poll of the lcore. */
void fixture_inject(struct dp_fixture *f, struct ring_port *p, struct rte_mbuf **pkts, unsigned n);
/* Dequeue everything the port transmitted into out (max n), return count. */
unsigned fixture_drain(struct ring_port *p, struct rte_mbuf **out, unsigned n);
/* Dequeue and free everything the port transmitted; return count. */
unsigned fixture_drain_free(struct ring_port *p);

/* Whether one of the kept events contains s. */
bool fixture_has_event(const char *s);

uint64_t fixture_port_counter(struct dp_fixture *f, const char *port, enum ioc_port_counter c);
/* A chain counter by name ("swsec_drop_mac") of a vNIC; UINT64_MAX if no such counter. */
uint64_t fixture_slot_counter(struct dp_fixture *f, const char *vnic, const char *name);

/* Packet builders: addresses are host order; MACs as "02:00:00:00:01:01". */
/* IPv4 with l4len zero bytes after the header, which the caller fills. */
struct rte_mbuf *pkt_ipv4(const char *smac, const char *dmac, uint32_t sip, uint32_t dip,
			  uint8_t proto, unsigned l4len);
struct rte_mbuf *pkt_udp(const char *smac, const char *dmac, uint32_t sip, uint32_t dip,
			 uint16_t sport, uint16_t dport);
struct rte_mbuf *pkt_tcp(const char *smac, const char *dmac, uint32_t sip, uint32_t dip,
			 uint16_t sport, uint16_t dport);
struct rte_mbuf *pkt_icmp_echo(const char *smac, const char *dmac, uint32_t sip, uint32_t dip,
			       uint16_t id, bool reply);
/* ARP request from sender (sha, spa) asking for tpa, Ethernet source esrc, broadcast. */
struct rte_mbuf *pkt_arp(const char *esrc, const char *sha, uint32_t spa, uint32_t tpa);
struct rte_mbuf *pkt_ipv6(const char *smac, const char *dmac);
/* IPv6 from sip to dip (16 bytes each) with l4len zero bytes of protocol proto, which the caller
 * fills. */
struct rte_mbuf *pkt_ip6(const char *smac, const char *dmac, const uint8_t *sip, const uint8_t *dip,
			 uint8_t proto, unsigned l4len);
/* Raw bytes as a packet. */
struct rte_mbuf *pkt_raw(const void *data, unsigned len);

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#endif /* IOC_TEST_FIXTURE_H */

/* Two VMs on uplink0, a third vNIC on no uplink (local only), all on lcore 1. */
#define FIXTURE_INI FIXTURE_INI_WITH("")
/* The same, `vnic_keys` added to VM1's and VM2's vNIC (e.g. "vlan = trunk\n"). */
#define FIXTURE_INI_WITH(vnic_keys) FIXTURE_INI_IPS("10.0.0.11", vnic_keys)
/* The same, VM1's `ip` being vm1_ips (e.g. "10.0.0.11, 2001:db8::11"). */
#define FIXTURE_INI_IPS(vm1_ips, vnic_keys)                                                        \
	"[host]\nname = host-test\n"                                                               \
	"[uplink uplink0]\ndevice = net_ring_up0\nlcore = 1\n"                                     \
	"[vm VM1]\nworld = 101\nvc_uuid = 50 2d 00 01\n"                                           \
	"[vm VM2]\nworld = 102\nvc_uuid = 50 2d 00 02\n"                                           \
	"[vm VM3]\nworld = 103\nvc_uuid = 50 2d 00 03\n"                                           \
	"[vnic VM1.eth0]\ndevice = net_ring_vm1\nswitch_port = 1001\n"                             \
	"mac = 02:00:00:00:01:01\nip = " vm1_ips "\nuplink = uplink0\nlcore = 1\n" vnic_keys       \
	"[vnic VM2.eth0]\ndevice = net_ring_vm2\nswitch_port = 1002\n"                             \
	"mac = 02:00:00:00:02:01\nip = 10.0.0.12, 10.0.0.13\nuplink = uplink0\nlcore = 1\n"        \
	"allow_ethertypes = 0x88cc\n" vnic_keys                                                    \
	"[vnic VM3.eth0]\ndevice = net_ring_vm3\nswitch_port = 1003\n"                             \
	"mac = 02:00:00:00:03:01\nip = 10.0.1.1\nlcore = 1\n"

#define MAC_VM1 "02:00:00:00:01:01"
#define MAC_VM2 "02:00:00:00:02:01"
#define MAC_VM3 "02:00:00:00:03:01"
#define MAC_LAPTOP "02:00:00:00:00:64"
#define MAC_BCAST "ff:ff:ff:ff:ff:ff"

/*
 * A [host] section of host_keys (its name and any other key), then VM1.eth0
 * and VM2.eth0 (MAC_VM1, 10.0.0.11; MAC_VM2, 10.0.0.12) on uplink0, all on
 * lcore 1 over ring ports: the lab of the slot-4 suites, which add their
 * groups, services and rules after it.
 */
#define FIXTURE_TWO_VNICS(host_keys)                                                               \
	"[host]\n" host_keys "[uplink uplink0]\ndevice = net_ring_up0\nlcore = 1\n"                \
	"[vm VM1]\nworld = 101\nvc_uuid = u1\n"                                                    \
	"[vm VM2]\nworld = 102\nvc_uuid = u2\n"                                                    \
	"[vnic VM1.eth0]\ndevice = net_ring_vm1\nswitch_port = 1\nmac = " MAC_VM1 "\n"             \
	"ip = 10.0.0.11\nuplink = uplink0\nlcore = 1\n"                                            \
	"[vnic VM2.eth0]\ndevice = net_ring_vm2\nswitch_port = 2\nmac = " MAC_VM2 "\n"             \
	"ip = 10.0.0.12\nuplink = uplink0\nlcore = 1\n"

/* The ring ports of FIXTURE_TWO_VNICS (vm1, vm2, up0) and a datapath over ini, which uses them. */
int fixture_two_vnics_start(struct dp_fixture *f, const char *ini, struct ring_port **vm1,
			    struct ring_port **vm2, struct ring_port **up);

/* Ring ports vm1, vm2, vm3, up0 and a started datapath over FIXTURE_INI. */
struct fixture_lab {
	struct dp_fixture f;
	struct ring_port *vm1, *vm2, *vm3, *up;
};
/* The lab of the current suite: CUnit suite init/cleanup start and stop it. */
extern struct fixture_lab fixture_lab;
int fixture_lab_suite_init(void);
/* The same ring ports and lab, over another INI using them (e.g. FIXTURE_INI + rules). */
int fixture_lab_start(const char *ini);
int fixture_lab_suite_cleanup(void);
/* A suite's last test: every mbuf its tests made is back in its pool. */
void fixture_lab_test_no_leak(void);
