/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2, the distributed firewall. Suite "sfw": the lab over ring ports with
 * a default-drop, stateful rule set (matching, priority, direction,
 * applied_to, reject replies, return traffic, counters). Suite "sfw slot": the
 * slot's process driven directly, with the clock in the test's hands
 * (ctx->now): redirect marks, timeouts, aging, a full table, stateless mode,
 * the lcore check and describe.
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "chain.h"
#include "config.h"
#include "conntrack.h"
#include "fixture.h"
#include "meta.h"
#include "sfw.h"
#include "tests.h"

#define RULE(name, prio, src, dst, svc, dir, applied, action)                                      \
	"[dfw_rule " name "]\npriority = " #prio "\nsource = " src "\ndestination = " dst          \
	"\nservice = " svc "\ndirection = " dir "\napplied_to = " applied "\naction = " action     \
	"\n"

/* Rule indices below are positions in this file order. */
#define SFW_INI                                                                                    \
	FIXTURE_INI                                                                                \
	"[ipset ips-lab]\naddresses = 192.168.50.0/24, 192.168.51.7\n"                             \
	"[group g-inner]\nmembers = 172.16.7.0/24\n"                                               \
	"[group g-outer]\nmembers = group:g-inner\n"                                               \
	"[group g-members]\nmembers = vm:VM2, vnic:VM3.eth0\n"                                     \
	"[group g-web]\nmembers = vnic:VM1.eth0\n"                                                 \
	"[dfw]\ndefault_action = drop\nstateful = true\n" RULE(                                    \
		"early-allow", 20, "10.9.1.0/24", "any", "tcp/22", "in", "any",                    \
		"allow") RULE("late-drop", 10, "10.9.0.0/16", "any", "tcp/22", "in", "any",        \
			      "drop") RULE("tie-allow", 30, "10.8.0.0/16", "any", "tcp/23", "in",  \
					   "any", "allow") RULE("tie-drop", 30, "10.8.0.0/16",     \
								"any", "tcp/23", "in", "any",      \
								"drop")                            \
		RULE("tie-drop2", 30, "10.8.0.0/16", "any", "tcp/24", "in", "any", "drop") RULE(   \
			"tie-allow2", 30, "10.8.0.0/16", "any", "tcp/24", "in", "any",             \
			"allow") RULE("range", 40, "any", "any", "udp/1000-2000", "in", "any",     \
				      "allow") RULE("gre", 40, "any", "any", "47", "in", "any",    \
						    "allow") RULE("dst-cidr", 40, "any",           \
								  "10.0.0.13/32", "tcp/8080",      \
								  "in", "any", "allow")            \
			RULE("ipset-src", 40, "ipset:ips-lab", "any", "udp/53", "in", "any",       \
			     "allow") RULE("nested", 40, "group:g-outer", "any", "tcp/443", "in",  \
					   "any", "allow") RULE("members", 40, "group:g-members",  \
								"any", "tcp/3306", "in",           \
								"vnic:VM1.eth0", "allow")          \
				RULE("members-out", 40, "any", "any", "tcp/3306", "out", "any",    \
				     "allow") RULE("ping-in", 40, "10.0.0.100/32", "any", "icmp",  \
						   "in", "group:g-web", "allow")                   \
					RULE("out-only", 40, "any", "any", "tcp/5000", "out",      \
					     "any", "allow") RULE("vm2-only", 40, "any", "any",    \
								  "udp/7000", "in",                \
								  "vnic:VM2.eth0", "allow")        \
						RULE("reject-tcp", 40, "any", "any", "tcp/9000",   \
						     "in", "any", "reject") RULE("reject-udp", 40, \
										 "any", "any",     \
										 "udp/9001", "in", \
										 "any", "reject")  \
							RULE("reject-out", 40, "any", "any",       \
							     "tcp/9002", "out", "any", "reject")   \
								RULE("web-out", 40, "any", "any",  \
								     "tcp/80, udp/53", "out",      \
								     "any", "allow")               \
									RULE("vm2-out-9000", 40,   \
									     "any", "any",         \
									     "tcp/9000", "out",    \
									     "vnic:VM2.eth0",      \
									     "allow")

enum { R_EARLY_ALLOW, R_LATE_DROP, R_TIE_ALLOW, R_TIE_DROP, R_TIE_DROP2, R_TIE_ALLOW2 };

#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_VM2 IP4(10, 0, 0, 12)
#define IP_VM2B IP4(10, 0, 0, 13)
#define IP_LAPTOP IP4(10, 0, 0, 100)
#define L2_L3 (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

/* Every test uses fresh source ports: connections of earlier tests stay out of the way. */
static uint16_t
fresh_port(void)
{
	static uint16_t p = 20000;

	return p++;
}

static uint64_t
sfw(const char *vnic, const char *name)
{
	return fixture_slot_counter(&fixture_lab.f, vnic, name);
}

/* Injects one packet on port p; returns how many frames left on port `to`. */
static unsigned
via(struct ring_port *p, struct rte_mbuf *m, struct ring_port *to)
{
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, p, &m, 1);
	return fixture_drain_free(to);
}

/* From the laptop (uplink) to VM1 or VM2: 1 if delivered. */
static unsigned
to_vm1(struct rte_mbuf *m)
{
	return via(fixture_lab.up, m, fixture_lab.vm1);
}

static unsigned
to_vm2(struct rte_mbuf *m)
{
	return via(fixture_lab.up, m, fixture_lab.vm2);
}

static struct rte_tcp_hdr *
tcp_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, L2_L3);
}

static struct rte_mbuf *
tcp_in(uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport)
{
	const char *dmac = dip == IP_VM1 ? MAC_VM1 : MAC_VM2;

	return pkt_tcp(MAC_LAPTOP, dmac, sip, dip, sport, dport);
}

static struct rte_mbuf *
udp_in(uint32_t sip, uint32_t dip, uint16_t dport)
{
	const char *dmac = dip == IP_VM1 ? MAC_VM1 : MAC_VM2;

	return pkt_udp(MAC_LAPTOP, dmac, sip, dip, fresh_port(), dport);
}

static void
test_priority_then_file_order(void)
{
	uint64_t drop = sfw("VM1.eth0", "sfw_drop_rule"), early, late;

	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_EARLY_ALLOW, &early), 0);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_LATE_DROP, &late), 0);
	/* Both match; the later rule has the lower priority number: it wins. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(10, 9, 1, 5), IP_VM1, fresh_port(), 22)), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_rule"), drop + 1);
	uint64_t v;
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_LATE_DROP, &v), 0);
	CU_ASSERT_EQUAL(v, late + 1);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_EARLY_ALLOW, &v), 0);
	CU_ASSERT_EQUAL(v, early);
	/* Equal priorities: the file decides, whichever action comes first. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(10, 8, 0, 1), IP_VM1, fresh_port(), 23)), 1);
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(10, 8, 0, 1), IP_VM1, fresh_port(), 24)), 0);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_TIE_ALLOW, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_TIE_DROP, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(R_TIE_DROP2, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(ioc_sfw_rule_hits(1000, &v), -ENOENT);
	/* What telemetry shows of a rule. */
	struct ioc_sfw_rule_info info;
	CU_ASSERT_EQUAL(ioc_sfw_rule_count(), 21);
	CU_ASSERT_EQUAL_FATAL(ioc_sfw_rule_info(R_LATE_DROP, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.name, "late-drop");
	CU_ASSERT_EQUAL(info.priority, 10);
	CU_ASSERT_STRING_EQUAL(info.action, "drop");
	CU_ASSERT_EQUAL(ioc_sfw_rule_info(21, &info), -ENOENT);
}

static void
test_port_range_edges(void)
{
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 999)), 0);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 1000)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 1500)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 2000)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 2001)), 0);
	/* The range is the destination port's: a source port in it does not count. */
	CU_ASSERT_EQUAL(to_vm1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 1500, 3000)), 0);
	/* Same port, other protocol. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 1500)), 0);
}

static void
test_protocol_number(void)
{
	struct rte_mbuf *gre = udp_in(IP_LAPTOP, IP_VM1, 4700);
	uint64_t def = sfw("VM1.eth0", "sfw_drop_default");

	CU_ASSERT_FATAL(gre != NULL);
	rte_pktmbuf_mtod_offset(gre, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr))
		->next_proto_id = 47;
	CU_ASSERT_EQUAL(to_vm1(gre), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 4700)), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_default"), def + 1);
}

static void
test_addresses(void)
{
	/* Destination CIDR: VM2's second address only. */
	CU_ASSERT_EQUAL(to_vm2(tcp_in(IP_LAPTOP, IP_VM2B, fresh_port(), 8080)), 1);
	CU_ASSERT_EQUAL(to_vm2(tcp_in(IP_LAPTOP, IP_VM2, fresh_port(), 8080)), 0);
	/* ipset: a CIDR member and a single-address member. */
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP4(192, 168, 50, 3), IP_VM1, 53)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP4(192, 168, 51, 7), IP_VM1, 53)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP4(192, 168, 51, 8), IP_VM1, 53)), 0);
	/* A group of a group of a CIDR. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(172, 16, 7, 9), IP_VM1, fresh_port(), 443)), 1);
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(172, 16, 8, 9), IP_VM1, fresh_port(), 443)), 0);
}

static void
test_vm_and_vnic_members(void)
{
	/* vm:VM2 covers both of VM2's addresses, VM2 -> VM1 locally. */
	CU_ASSERT_EQUAL(via(fixture_lab.vm2,
			    pkt_tcp(MAC_VM2, MAC_VM1, IP_VM2B, IP_VM1, fresh_port(), 3306),
			    fixture_lab.vm1),
			1);
	CU_ASSERT_EQUAL(via(fixture_lab.vm2,
			    pkt_tcp(MAC_VM2, MAC_VM1, IP_VM2, IP_VM1, fresh_port(), 3306),
			    fixture_lab.vm1),
			1);
	/* vnic:VM3.eth0 is 10.0.1.1 (here seen from the uplink side). */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(10, 0, 1, 1), IP_VM1, fresh_port(), 3306)), 1);
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP4(10, 0, 1, 2), IP_VM1, fresh_port(), 3306)), 0);
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 3306)), 0);
}

static void
test_applied_to(void)
{
	uint64_t vm1 = sfw("VM1.eth0", "sfw_drop_default");

	/* The members rule is applied to VM1 only: VM1 -> VM2 leaves VM1, stops at VM2. */
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_tcp(MAC_VM1, MAC_VM2, IP_VM1, IP_VM2, fresh_port(), 3306),
			    fixture_lab.vm2),
			0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_default"), vm1);
	/* A rule applied to VM2 does not open VM1. */
	CU_ASSERT_EQUAL(to_vm2(udp_in(IP_LAPTOP, IP_VM2, 7000)), 1);
	CU_ASSERT_EQUAL(to_vm1(udp_in(IP_LAPTOP, IP_VM1, 7000)), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_default"), vm1 + 1);
	/* applied_to = group:g-web (VM1): the laptop pings VM1, not VM2. */
	CU_ASSERT_EQUAL(to_vm1(pkt_icmp_echo(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 77, false)),
			1);
	CU_ASSERT_EQUAL(to_vm2(pkt_icmp_echo(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM2, 78, false)),
			0);
	/* Source 10.0.0.100/32 only. */
	CU_ASSERT_EQUAL(
		to_vm1(pkt_icmp_echo(MAC_LAPTOP, MAC_VM1, IP4(10, 0, 0, 101), IP_VM1, 79, false)),
		0);
	/* VM1's echo reply goes out on the connection the request opened. */
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 77, true),
			    fixture_lab.up),
			1);
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_icmp_echo(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 80, true),
			    fixture_lab.up),
			0);
}

static void
test_direction(void)
{
	uint16_t sp = fresh_port();

	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 5000),
			    fixture_lab.up),
			1);
	/* The same service inbound is a new connection that no rule allows. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 5000)), 0);
}

static void
test_return_traffic(void)
{
	uint16_t sp = fresh_port();
	struct ioc_sfw_conn_summary before, after;
	struct rte_mbuf *m;

	ioc_sfw_conn_summary(&before);
	CU_ASSERT(before.n_tables >= 1);
	CU_ASSERT_EQUAL(before.capacity, (uint64_t)before.n_tables * IOC_CONNECTIONS_DEFAULT);
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80),
			    fixture_lab.up),
			1);
	ioc_sfw_conn_summary(&after);
	CU_ASSERT_EQUAL(after.state[IOC_SFW_CT_TCP_SYN_SENT],
			before.state[IOC_SFW_CT_TCP_SYN_SENT] + 1);
	/* The SYN-ACK comes back although inbound is default drop. */
	m = tcp_in(IP_LAPTOP, IP_VM1, 80, sp);
	CU_ASSERT_FATAL(m != NULL);
	tcp_hdr(m)->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	CU_ASSERT_EQUAL(to_vm1(m), 1);
	ioc_sfw_conn_summary(&after);
	CU_ASSERT_EQUAL(after.state[IOC_SFW_CT_TCP_SYN_SENT],
			before.state[IOC_SFW_CT_TCP_SYN_SENT]);
	CU_ASSERT_EQUAL(after.state[IOC_SFW_CT_TCP_SYN_RECV],
			before.state[IOC_SFW_CT_TCP_SYN_RECV] + 1);
	/* VM1's ACK completes the handshake. */
	m = pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80);
	CU_ASSERT_FATAL(m != NULL);
	tcp_hdr(m)->tcp_flags = RTE_TCP_ACK_FLAG;
	CU_ASSERT_EQUAL(via(fixture_lab.vm1, m, fixture_lab.up), 1);
	ioc_sfw_conn_summary(&after);
	CU_ASSERT_EQUAL(after.state[IOC_SFW_CT_TCP_SYN_RECV],
			before.state[IOC_SFW_CT_TCP_SYN_RECV]);
	CU_ASSERT_EQUAL(after.state[IOC_SFW_CT_TCP_ESTABLISHED],
			before.state[IOC_SFW_CT_TCP_ESTABLISHED] + 1);
	uint64_t sum = 0;
	for (unsigned s = 0; s < IOC_SFW_CT_NB_STATES; s++)
		sum += after.state[s];
	CU_ASSERT_EQUAL(sum, after.entries);
	/* Another remote port is another connection: dropped. */
	CU_ASSERT_EQUAL(to_vm1(tcp_in(IP_LAPTOP, IP_VM1, 81, sp)), 0);
	/* And so is a connection's tuple seen by another vNIC (the key has the vNIC). */
	CU_ASSERT_EQUAL(to_vm2(pkt_tcp(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM1, 80, sp)), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), 0);
	/* UDP: a DNS answer. */
	sp = fresh_port();
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP4(8, 8, 8, 8), sp, 53),
			    fixture_lab.up),
			1);
	CU_ASSERT_EQUAL(to_vm1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(8, 8, 8, 8), IP_VM1, 53, sp)), 1);
	CU_ASSERT_EQUAL(to_vm1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP4(8, 8, 4, 4), IP_VM1, 53, sp)), 0);
}

static void
test_non_ipv4(void)
{
	uint64_t def = sfw("VM1.eth0", "sfw_drop_default");
	uint64_t bad = sfw("VM1.eth0", "sfw_drop_malformed");
	struct rte_mbuf *m;

	/* ARP passes a default-drop firewall: it is not L3 traffic. */
	CU_ASSERT_EQUAL(via(fixture_lab.up, pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP_LAPTOP, IP_VM1),
			    fixture_lab.vm1),
			1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), 1);
	/* IPv6 takes the default action. */
	CU_ASSERT_EQUAL(to_vm1(pkt_ipv6(MAC_LAPTOP, MAC_VM1)), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_default"), def + 1);
	/* Malformed IPv4 (IHL 3) inbound: spoofguard does not look, the firewall drops. */
	m = udp_in(IP_LAPTOP, IP_VM1, 1000);
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_mtod_offset(m, uint8_t *, sizeof(struct rte_ether_hdr))[0] = 0x43;
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_malformed"), bad + 1);
}

static void
make_fragment(struct rte_mbuf *m, uint16_t frag)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

	ip->fragment_offset = rte_cpu_to_be_16(frag);
}

static void
test_fragments(void)
{
	struct rte_mbuf *m;

	/* A first fragment has its ports: the range rule applies. */
	m = udp_in(IP_LAPTOP, IP_VM1, 1000);
	CU_ASSERT_FATAL(m != NULL);
	make_fragment(m, RTE_IPV4_HDR_MF_FLAG);
	CU_ASSERT_EQUAL(to_vm1(m), 1);
	/* A later one has none: only port-less rules (icmp from the laptop here) can match. */
	m = udp_in(IP_LAPTOP, IP_VM1, 1000);
	CU_ASSERT_FATAL(m != NULL);
	make_fragment(m, 100);
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	m = pkt_icmp_echo(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 5, false);
	CU_ASSERT_FATAL(m != NULL);
	make_fragment(m, 100);
	CU_ASSERT_EQUAL(to_vm1(m), 1);
	/* A reject rule on a later fragment drops it: nothing to answer. */
	uint64_t rej = sfw("VM1.eth0", "sfw_reject"), drop = sfw("VM1.eth0", "sfw_drop_rule");
	m = udp_in(IP_LAPTOP, IP_VM1, 9001);
	CU_ASSERT_FATAL(m != NULL);
	make_fragment(m, RTE_IPV4_HDR_MF_FLAG | 100);
	/* Classified with port 0: no rule, default drop. */
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_reject"), rej);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_rule"), drop);
}

static bool
ip_cksum_ok(const struct rte_ipv4_hdr *ip)
{
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

static bool
tcp_cksum_ok(struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *t)
{
	uint16_t got = t->cksum;

	t->cksum = 0;
	uint16_t want = rte_ipv4_udptcp_cksum(ip, t);
	t->cksum = got;
	return got == want;
}

static void
check_swapped(struct rte_mbuf *r, const char *smac, const char *dmac, uint32_t sip, uint32_t dip)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(buf, sizeof(buf), &eth->src_addr);
	CU_ASSERT_STRING_EQUAL(buf, smac);
	rte_ether_format_addr(buf, sizeof(buf), &eth->dst_addr);
	CU_ASSERT_STRING_EQUAL(buf, dmac);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(ip->src_addr), sip);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(ip->dst_addr), dip);
	CU_ASSERT(ip_cksum_ok(ip));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length),
			rte_pktmbuf_pkt_len(r) - sizeof(struct rte_ether_hdr));
}

static void
test_reject_tcp(void)
{
	uint64_t rej = sfw("VM1.eth0", "sfw_reject");
	uint64_t reply = fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_REPLY);
	uint16_t sp = fresh_port();
	struct rte_mbuf *m = tcp_in(IP_LAPTOP, IP_VM1, sp, 9000), *r;

	CU_ASSERT_FATAL(m != NULL);
	tcp_hdr(m)->sent_seq = rte_cpu_to_be_32(1000);
	/* A SYN: the RST acknowledges it (seq + 1) and carries no sequence of its own. */
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(r), L2_L3 + sizeof(struct rte_tcp_hdr));
	check_swapped(r, MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP);
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *t = tcp_hdr(r);
	CU_ASSERT_EQUAL(ip->next_proto_id, IPPROTO_TCP);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->src_port), 9000);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(t->dst_port), sp);
	CU_ASSERT_EQUAL(t->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(t->sent_seq), 0);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(t->recv_ack), 1001);
	CU_ASSERT(tcp_cksum_ok(ip, t));
	rte_pktmbuf_free(r);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_reject"), rej + 1);
	/* VM1's chain made it: counted on VM1's port, where it is forwarded to the uplink. */
	CU_ASSERT_EQUAL(fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_REPLY), reply + 1);

	/* A segment with ACK: the RST takes its acknowledgment number as sequence. */
	m = tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 9000);
	CU_ASSERT_FATAL(m != NULL);
	tcp_hdr(m)->tcp_flags = RTE_TCP_ACK_FLAG;
	tcp_hdr(m)->recv_ack = rte_cpu_to_be_32(0xdeadbeef);
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	t = tcp_hdr(r);
	CU_ASSERT_EQUAL(t->tcp_flags, RTE_TCP_RST_FLAG);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(t->sent_seq), 0xdeadbeef);
	CU_ASSERT(tcp_cksum_ok(
		rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr)),
		t));
	rte_pktmbuf_free(r);

	/* A RST is never answered. */
	m = tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 9000);
	CU_ASSERT_FATAL(m != NULL);
	tcp_hdr(m)->tcp_flags = RTE_TCP_RST_FLAG;
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
}

static void
test_reject_udp_icmp(void)
{
	struct rte_mbuf *m = udp_in(IP_LAPTOP, IP_VM1, 9001), *r;
	uint8_t orig[sizeof(struct rte_ipv4_hdr) + 8];

	CU_ASSERT_FATAL(m != NULL);
	memcpy(orig, rte_pktmbuf_mtod_offset(m, void *, sizeof(struct rte_ether_hdr)),
	       sizeof(orig));
	CU_ASSERT_EQUAL(to_vm1(m), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(r), L2_L3 + sizeof(struct rte_icmp_hdr) + sizeof(orig));
	check_swapped(r, MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(r, struct rte_icmp_hdr *, L2_L3);
	CU_ASSERT_EQUAL(ic->icmp_type, 3);
	CU_ASSERT_EQUAL(ic->icmp_code, 3); /* port unreachable */
	CU_ASSERT_EQUAL(rte_raw_cksum(ic, sizeof(*ic) + sizeof(orig)), 0xffff);
	CU_ASSERT_EQUAL(memcmp(ic + 1, orig, sizeof(orig)), 0);
	rte_pktmbuf_free(r);
}

static void
test_reject_outbound(void)
{
	uint64_t rej = sfw("VM1.eth0", "sfw_reject");
	uint64_t reply = fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_REPLY);
	uint16_t sp = fresh_port();
	struct rte_mbuf *r;

	/* VM1's own connection attempt is refused back to VM1, nothing reaches the uplink. */
	CU_ASSERT_EQUAL(via(fixture_lab.vm1,
			    pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 9002),
			    fixture_lab.up),
			0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.vm1, &r, 1), 1);
	check_swapped(r, MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(tcp_hdr(r)->src_port), 9002);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(tcp_hdr(r)->dst_port), sp);
	CU_ASSERT(tcp_hdr(r)->tcp_flags & RTE_TCP_RST_FLAG);
	rte_pktmbuf_free(r);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_reject"), rej + 1);
	CU_ASSERT_EQUAL(fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_REPLY), reply + 1);
}

/*
 * Audit L7: a source that is not one host gets no answer (it would go to a
 * whole segment): 0/8, 127/8, multicast, 240/4 and the broadcast address, or
 * a group source MAC. Dropped under the reject rule's drop reason.
 */
static void
test_reject_only_unicast_sources(void)
{
	const uint32_t srcs[] = { IP4(0, 0, 0, 0),	  IP4(0, 1, 2, 3),   IP4(127, 0, 0, 1),
				  IP4(224, 0, 0, 5),	  IP4(239, 1, 1, 1), IP4(240, 0, 0, 1),
				  IP4(255, 255, 255, 255) };
	const char *macs[] = { MAC_BCAST, "01:00:5e:00:00:05", "33:33:00:00:00:01" };
	uint64_t rej = sfw("VM1.eth0", "sfw_reject"), drop = sfw("VM1.eth0", "sfw_drop_rule");

	for (unsigned i = 0; i < RTE_DIM(srcs); i++) {
		CU_ASSERT_EQUAL(to_vm1(tcp_in(srcs[i], IP_VM1, fresh_port(), 9000)), 0);
		CU_ASSERT_EQUAL(to_vm1(udp_in(srcs[i], IP_VM1, 9001)), 0);
	}
	for (unsigned i = 0; i < RTE_DIM(macs); i++)
		CU_ASSERT_EQUAL(
			to_vm1(pkt_tcp(macs[i], MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 9000)),
			0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_reject"), rej);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_drop_rule"), drop + 2 * RTE_DIM(srcs) + RTE_DIM(macs));
}

/*
 * Audit L7: a rejected mbuf whose data others share (a clone here; a
 * driver's shared receive buffer alike) is answered from a copy: the shared
 * data stays as it was.
 */
static void
test_reject_shared_buffer(void)
{
	struct rte_mbuf *m = tcp_in(IP_LAPTOP, IP_VM1, fresh_port(), 9000), *c, *r;
	uint8_t before[128];
	uint32_t len;

	CU_ASSERT_FATAL(m != NULL);
	len = rte_pktmbuf_pkt_len(m);
	CU_ASSERT_FATAL(len <= sizeof(before));
	memcpy(before, rte_pktmbuf_mtod(m, void *), len);
	c = rte_pktmbuf_clone(m, fixture_pool());
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(to_vm1(c), 0);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.up, &r, 1), 1);
	check_swapped(r, MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP);
	CU_ASSERT(RTE_MBUF_DIRECT(r));
	CU_ASSERT_PTR_NOT_EQUAL(r, m);
	rte_pktmbuf_free(r);
	/* The clone was freed: the original is ours alone again, and untouched. */
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), len);
	CU_ASSERT_EQUAL(memcmp(before, rte_pktmbuf_mtod(m, void *), len), 0);
	rte_pktmbuf_free(m);
}

/*
 * Audit L7: VM1's in-chain refuses VM2's connection; the RST reaches VM2
 * through VM2's own in-chain (its firewall sees it), as any frame to VM2.
 */
static void
test_reject_local_through_receiver_chain(void)
{
	uint64_t in2 = sfw("VM2.eth0", "sfw_in"), rej = sfw("VM1.eth0", "sfw_reject");
	uint64_t fwd = fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_FWD_VNIC);
	uint16_t sp = fresh_port();
	struct rte_mbuf *r;

	CU_ASSERT_EQUAL(via(fixture_lab.vm2, pkt_tcp(MAC_VM2, MAC_VM1, IP_VM2, IP_VM1, sp, 9000),
			    fixture_lab.vm1),
			0);
	CU_ASSERT_EQUAL(sfw("VM1.eth0", "sfw_reject"), rej + 1);
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.vm2, &r, 1), 1);
	check_swapped(r, MAC_VM1, MAC_VM2, IP_VM1, IP_VM2);
	CU_ASSERT(tcp_hdr(r)->tcp_flags & RTE_TCP_RST_FLAG);
	rte_pktmbuf_free(r);
	/* VM2's out-chain saw the SYN, its in-chain the RST. */
	CU_ASSERT_EQUAL(sfw("VM2.eth0", "sfw_in"), in2 + 2);
	CU_ASSERT_EQUAL(fixture_port_counter(&fixture_lab.f, "VM1.eth0", IOC_PC_FWD_VNIC), fwd + 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), 0);
}

static void
test_every_vnic_has_the_slot(void)
{
	const char *vnics[] = { "VM1.eth0", "VM2.eth0", "VM3.eth0" };

	for (unsigned i = 0; i < RTE_DIM(vnics); i++)
		CU_ASSERT_NOT_EQUAL(sfw(vnics[i], "sfw_in"), UINT64_MAX);
	/* VM3 has no rule at all: default drop. */
	uint64_t def = sfw("VM3.eth0", "sfw_drop_default");
	CU_ASSERT_EQUAL(via(fixture_lab.vm3,
			    pkt_udp(MAC_VM3, MAC_VM1, IP4(10, 0, 1, 1), IP_VM1, 1, 1000),
			    fixture_lab.vm1),
			0);
	CU_ASSERT_EQUAL(sfw("VM3.eth0", "sfw_drop_default"), def + 1);
}

static void
test_counters_add_up(void)
{
	const char *vnics[] = { "VM1.eth0", "VM2.eth0", "VM3.eth0" };
	const char *reasons[] = { "sfw_drop_rule",	"sfw_drop_default",   "sfw_reject",
				  "sfw_drop_conn_full", "sfw_drop_malformed", "sfw_drop_no_syn",
				  "sfw_drop_conn_limit" };

	for (unsigned i = 0; i < RTE_DIM(vnics); i++) {
		uint64_t sum = sfw(vnics[i], "sfw_pass");

		for (unsigned k = 0; k < RTE_DIM(reasons); k++)
			sum += sfw(vnics[i], reasons[k]);
		CU_ASSERT(sfw(vnics[i], "sfw_in") > 0);
		CU_ASSERT_EQUAL(sfw(vnics[i], "sfw_in"), sum);
	}
}

static int
sfw_suite_init(void)
{
	return fixture_lab_start(SFW_INI);
}

/* ---- suite "sfw slot": process() driven directly ---- */

#define SLOT_INI_HEAD                                                                              \
	"[host]\nname = h\n"                                                                       \
	"[uplink uplink0]\ndevice = net_null_u\nlcore = %u\n"                                      \
	"[vm VM1]\nworld = 101\nvc_uuid = 50 01\n"                                                 \
	"[vm VM2]\nworld = 102\nvc_uuid = 50 02\n"                                                 \
	"[vnic VM1.eth0]\ndevice = net_null_1\nswitch_port = 1\nmac = 02:00:00:00:01:01\n"         \
	"ip = 10.0.0.11\nuplink = uplink0\nlcore = 1\n"                                            \
	"[vnic VM2.eth0]\ndevice = net_null_2\nswitch_port = 2\nmac = 02:00:00:00:02:01\n"         \
	"ip = 10.0.0.12\nuplink = uplink0\nlcore = 1\n"                                            \
	"[ipset ips-vm1]\naddresses = 10.0.0.11\n"                                                 \
	"[group sg-vm1]\nmembers = ipset:ips-vm1\n"                                                \
	"[group sg-vm2]\nmembers = vm:VM2\n"                                                       \
	"[dfw]\ndefault_action = %s\nstateful = %s\n"

#define REDIRECT(name, group, dir, svc, action, profile)                                           \
	"[redirect_rule " name "]\ngroup = " group "\ndirection = " dir                            \
	"\nsource = any\ndestination = any\nservice = " svc "\naction = " action profile "\n"

#define SLOT_INI_TAIL                                                                              \
	RULE("out-any", 10, "any", "any", "any", "out", "any", "allow")                            \
	RULE("in-8080", 10, "any", "any", "tcp/8080", "in", "any", "allow")                        \
	RULE("in-23", 10, "any", "any", "tcp/23", "in", "any", "drop")                             \
	"[service fortigate]\nvendor = Fortinet\n"                                                 \
	"[service_instance fgt]\nservice = fortigate\nlcores = 2\nslow_path_id = 1\n"              \
	"[service_profile p-a]\ninstance = fgt\n"                                                  \
	"[service_profile p-b]\ninstance = fgt\nfail_open = true\n" REDIRECT(                      \
		"skip-dns", "sg-vm1", "inout", "udp/53", "no_redirect",                            \
		"") REDIRECT("vm1-web", "sg-vm1", "out", "tcp/80", "redirect", "\nprofile = p-b")  \
		REDIRECT("vm1-all", "sg-vm1", "inout", "any", "redirect", "\nprofile = p-a")       \
			REDIRECT("vm2-in", "sg-vm2", "in", "any", "redirect", "\nprofile = p-b")

#define MARK_A 1 /* p-a: profile index 0 + 1 */
#define MARK_B 2 /* p-b: profile index 1 + 1 */
#define SLOT_LCORE 1
#define SMALL_TABLE 16

static struct {
	const struct ioc_slot_ops *ops;
	struct ioc_topology topo;
	void *priv[2]; /* VM1, VM2 */
	uint64_t reasons[IOC_SFW_NB_REASONS + IOC_SFW_NB_INFOS];
	uint64_t now;
} slot;

static const struct ioc_slot_ops *
find_sfw(void)
{
	for (const struct ioc_slot_ops *o = ioc_slot_first(); o != NULL; o = ioc_slot_next(o)) {
		if (strcmp(o->name, "sfw") == 0)
			return o;
	}
	return NULL;
}

static int
load(struct ioc_topology *t, unsigned uplink_lcore, const char *def, const char *stateful)
{
	char ini[8192];
	struct ioc_error err;

	snprintf(ini, sizeof(ini), SLOT_INI_HEAD SLOT_INI_TAIL, uplink_lcore, def, stateful);
	ioc_topo_init(t);
	if (ioc_config_load_string(ini, "slot.ini", t, &err) != 0) {
		char msg[512];

		ioc_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "sfw slot: %s\n", msg);
		return -1;
	}
	return 0;
}

static int
slot_suite_init(void)
{
	slot.ops = find_sfw();
	if (slot.ops == NULL || ioc_meta_register() != 0 ||
	    load(&slot.topo, SLOT_LCORE, "drop", "true") != 0)
		return -1;
	/* Tables are created at the first attach, sized by [dfw] connections. */
	slot.topo.dfw.connections = SMALL_TABLE;
	for (unsigned v = 0; v < 2; v++) {
		if (slot.ops->attach(&slot.topo, v, &slot.priv[v]) != 1)
			return -1;
	}
	slot.now = rte_get_tsc_cycles();
	return 0;
}

static int
slot_suite_cleanup(void)
{
	for (unsigned v = 0; v < 2; v++)
		slot.ops->detach(slot.priv[v]);
	ioc_topo_free(&slot.topo);
	return 0;
}

static void
advance(unsigned seconds)
{
	slot.now += (uint64_t)seconds * rte_get_tsc_hz();
}

/*
 * One packet through the slot of `priv` going `dir`: its mark if it passed,
 * -1 if dropped, -2 if turned into a reply. Frees what comes out.
 */
static int
run_one(const void *priv, uint8_t dir, struct rte_mbuf *m)
{
	struct ioc_slot_ctx ctx = {
		.lcore_id = SLOT_LCORE,
		.now = slot.now,
		.dir = dir,
		.reasons = slot.reasons,
	};
	int rc;

	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_FATAL(ioc_meta_parse(m, ioc_meta(m)) == 0);
	ioc_meta(m)->dir = dir;
	if (slot.ops->process(priv, &ctx, &m, 1) == 1) {
		rc = ioc_meta(m)->profile;
		rte_pktmbuf_free(m);
	} else {
		rc = ctx.n_reply > 0 ? -2 : -1;
		for (uint16_t i = 0; i < ctx.n_reply; i++)
			rte_pktmbuf_free(ctx.reply[i]);
	}
	return rc;
}

/* VM1 (priv 0) sends to / receives from the laptop. */
static int
out1(struct rte_mbuf *m)
{
	return run_one(slot.priv[0], IOC_DIR_OUT, m);
}

static int
in1(struct rte_mbuf *m)
{
	return run_one(slot.priv[0], IOC_DIR_IN, m);
}

static struct rte_mbuf *
tcp_flags_set(struct rte_mbuf *m, uint8_t flags)
{
	if (m != NULL)
		tcp_hdr(m)->tcp_flags = flags;
	return m;
}

static void
test_redirect_marks(void)
{
	/* First redirect rule in file order; no_redirect wins for DNS. */
	CU_ASSERT_EQUAL(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 80)),
			MARK_B);
	CU_ASSERT_EQUAL(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 53)), 0);
	CU_ASSERT_EQUAL(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 443)),
			MARK_A);
	/* vm1-web is outbound only: inbound to port 80 would take vm1-all, but dfw drops it. */
	CU_ASSERT_EQUAL(in1(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 8080)),
			MARK_A);
	/* VM2's rule is inbound only, and VM2 is not in sg-vm1. */
	CU_ASSERT_EQUAL(run_one(slot.priv[1], IOC_DIR_OUT,
				pkt_tcp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, fresh_port(), 443)),
			0);
	CU_ASSERT_EQUAL(
		run_one(slot.priv[1], IOC_DIR_IN,
			pkt_tcp(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM2, fresh_port(), 8080)),
		MARK_B);
	/*
	 * Not IPv4: the first any/any/any redirect rule decides (VM1: vm1-all,
	 * even though skip-dns comes first: it names a service).
	 */
	CU_ASSERT_EQUAL(in1(pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP_LAPTOP, IP_VM1)), MARK_A);
	CU_ASSERT_EQUAL(run_one(slot.priv[1], IOC_DIR_IN,
				pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP_LAPTOP, IP_VM2)),
			MARK_B);
	/* VM2 redirects nothing outbound: its outbound ARP is not redirected either. */
	CU_ASSERT_EQUAL(
		run_one(slot.priv[1], IOC_DIR_OUT, pkt_arp(MAC_VM2, MAC_VM2, IP_VM2, IP_LAPTOP)),
		0);
}

static void
test_connection_keeps_mark(void)
{
	uint16_t sp = fresh_port();

	CU_ASSERT_EQUAL(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80)), MARK_B);
	/* Classified, the answer would be dropped (default drop) and marked A (vm1-all). */
	CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 80, sp),
					  RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)),
			MARK_B);
	CU_ASSERT_EQUAL(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80),
					   RTE_TCP_ACK_FLAG)),
			MARK_B);
}

static void
test_tcp_states(void)
{
	struct ioc_sfw_conn_summary a, b;
	uint16_t sp = fresh_port();
	uint8_t dir_ack = RTE_TCP_ACK_FLAG;

	ioc_sfw_conn_summary(&a);
	CU_ASSERT_EQUAL(a.capacity, SMALL_TABLE);
	CU_ASSERT(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80)) >= 0);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.state[IOC_SFW_CT_TCP_SYN_SENT], a.state[IOC_SFW_CT_TCP_SYN_SENT] + 1);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 80, sp),
				    RTE_TCP_SYN_FLAG | dir_ack)) >= 0);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.state[IOC_SFW_CT_TCP_SYN_RECV], a.state[IOC_SFW_CT_TCP_SYN_RECV] + 1);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80),
				     dir_ack)) >= 0);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.state[IOC_SFW_CT_TCP_ESTABLISHED],
			a.state[IOC_SFW_CT_TCP_ESTABLISHED] + 1);
	/* Established flows outlive the SYN timeout. */
	advance(200);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 80, sp),
				    dir_ack)) >= 0);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 80),
				     RTE_TCP_FIN_FLAG | dir_ack)) >= 0);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.state[IOC_SFW_CT_TCP_FIN], a.state[IOC_SFW_CT_TCP_FIN] + 1);
	/* FIN times out after 45 s. */
	advance(46);
	CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 80, sp),
					  dir_ack)),
			-1);
	/* A SYN that gets no answer lasts 10 s (H3: unanswered entries are short-lived). */
	sp = fresh_port();
	CU_ASSERT(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443)) >= 0);
	advance(9);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, sp),
				    RTE_TCP_RST_FLAG | dir_ack)) >= 0);
	/* The RST closed it: 20 s later it is gone. */
	advance(21);
	CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, sp),
					  dir_ack)),
			-1);
	/* 11 s after an unanswered SYN, its answer finds nothing. */
	sp = fresh_port();
	CU_ASSERT(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443)) >= 0);
	advance(11);
	CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, sp),
					  RTE_TCP_SYN_FLAG | dir_ack)),
			-1);
}

static void
test_udp_expiry(void)
{
	uint16_t sp = fresh_port();
	uint64_t def = slot.reasons[IOC_SFW_DROP_DEFAULT];

	CU_ASSERT_EQUAL(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 5353)), MARK_A);
	/* Unanswered: 30 s. */
	advance(29);
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 5353, sp)), MARK_A);
	/* Answered: 60 s from the last packet. */
	advance(59);
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 5353, sp)), MARK_A);
	advance(61);
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 5353, sp)), -1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_DEFAULT], def + 1);
	/* Unanswered and 31 s old: gone too. */
	sp = fresh_port();
	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 5353)) >= 0);
	advance(31);
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 5353, sp)), -1);
}

/* Every entry expires; one burst (any packet) sweeps the small table. */
static void
empty_table(void)
{
	struct ioc_sfw_conn_summary s;

	advance(50000);
	CU_ASSERT_EQUAL(in1(pkt_arp(MAC_LAPTOP, MAC_LAPTOP, IP_LAPTOP, IP_VM1)), MARK_A);
	ioc_sfw_conn_summary(&s);
	CU_ASSERT_EQUAL_FATAL(s.entries, 0);
	for (unsigned k = 0; k < IOC_SFW_CT_NB_STATES; k++)
		CU_ASSERT_EQUAL(s.state[k], 0);
}

/* VM1 opens a UDP connection to the laptop's port 7 and, if `answer`, gets an answer. */
static uint16_t
udp_conn(bool answer)
{
	uint16_t sp = fresh_port();

	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 7)) >= 0);
	if (answer)
		CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, sp)) >= 0);
	return sp;
}

static uint64_t
evicted(void)
{
	return slot.reasons[IOC_SFW_NB_REASONS + IOC_SFW_CONN_EVICTED];
}

static void
test_aging_and_full_table(void)
{
	struct ioc_sfw_conn_summary s;
	uint16_t first = 0;

	empty_table();
	uint64_t full = slot.reasons[IOC_SFW_DROP_CONN_FULL], ev = evicted();
	for (unsigned i = 0; i < SMALL_TABLE; i++) {
		uint16_t sp = udp_conn(true);

		if (i == 0)
			first = sp;
	}
	ioc_sfw_conn_summary(&s);
	CU_ASSERT_EQUAL(s.entries, SMALL_TABLE);
	CU_ASSERT_EQUAL(s.state[IOC_SFW_CT_UDP], SMALL_TABLE);
	/* Every entry answered: nothing to evict, one more is dropped although a rule allows it. */
	CU_ASSERT_EQUAL(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 7)), -1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_CONN_FULL], full + 1);
	CU_ASSERT_EQUAL(evicted(), ev);
	/* Existing connections still work, both ways. */
	CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, first)) >= 0);
	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, first, 7)) >= 0);
	/* 61 s on, every entry (answered: 60 s) has aged out: room again, nothing evicted. */
	advance(61);
	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 7)) >= 0);
	CU_ASSERT_EQUAL(evicted(), ev);
	CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, first)) == -1);
}

/*
 * H3, early drop: a full table evicts an entry nobody answered before it
 * refuses a new connection; answered ones are never evicted.
 */
static void
test_full_table_evicts_unanswered(void)
{
	struct ioc_sfw_conn_summary a, b;
	uint16_t answered[SMALL_TABLE - 1], lone;

	empty_table();
	for (unsigned i = 0; i + 1 < SMALL_TABLE; i++)
		answered[i] = udp_conn(true);
	lone = udp_conn(false);
	ioc_sfw_conn_summary(&a);
	CU_ASSERT_EQUAL_FATAL(a.entries, SMALL_TABLE);
	uint64_t full = slot.reasons[IOC_SFW_DROP_CONN_FULL], ev = evicted();

	/* A new connection takes the unanswered one's place. */
	uint16_t fresh = fresh_port();
	CU_ASSERT_EQUAL(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh, 7)), MARK_A);
	CU_ASSERT_EQUAL(evicted(), ev + 1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_CONN_FULL], full);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.entries, SMALL_TABLE);
	CU_ASSERT_EQUAL(b.evicted, a.evicted + 1);
	/* The evicted one is gone (inbound is default drop), every answered one still flows. */
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, lone)), -1);
	for (unsigned i = 0; i + 1 < SMALL_TABLE; i++)
		CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, answered[i])) >=
			  0);
	/* The newcomer answered, nothing is evictable: the next one is refused. */
	CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, fresh)) >= 0);
	CU_ASSERT_EQUAL(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 7)), -1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_CONN_FULL], full + 1);
	CU_ASSERT_EQUAL(evicted(), ev + 1);
}

/*
 * A handshake the VM answers but the opener never completes (what a spoofed
 * SYN flood against a listening port leaves) is not established: evicted.
 */
static void
test_half_open_evicted(void)
{
	uint16_t sp = fresh_port();

	empty_table();
	for (unsigned i = 0; i + 1 < SMALL_TABLE; i++)
		udp_conn(true);
	CU_ASSERT(in1(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, sp, 8080)) >= 0);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 8080, sp),
				     RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	uint64_t full = slot.reasons[IOC_SFW_DROP_CONN_FULL], ev = evicted();
	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 7)) >= 0);
	CU_ASSERT_EQUAL(evicted(), ev + 1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_CONN_FULL], full);
	/* The spoofer's ACK would have found nothing: no connection, no SYN. */
	CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, sp, 8080),
					  RTE_TCP_ACK_FLAG)),
			-1);
}

/*
 * A table that fills up within a burst: the burst's later packets of a
 * connection its earlier packet opened still pass, and a new connection in the
 * same burst evicts the one unanswered entry (the one just opened).
 */
static void
test_full_within_a_burst(void)
{
	struct ioc_sfw_conn_summary s;
	struct rte_mbuf *b[3];
	uint16_t pa = fresh_port(), pb = fresh_port();

	empty_table();
	for (unsigned i = 0; i + 1 < SMALL_TABLE; i++)
		udp_conn(true);

	uint64_t full = slot.reasons[IOC_SFW_DROP_CONN_FULL], ev = evicted();
	struct ioc_slot_ctx ctx = {
		.lcore_id = SLOT_LCORE,
		.now = slot.now,
		.dir = IOC_DIR_OUT,
		.reasons = slot.reasons,
	};
	b[0] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, pa, 7); /* takes the last entry */
	b[1] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, pa, 7); /* the same connection */
	b[2] = pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, pb, 7); /* evicts pa's */
	for (unsigned i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(b[i] != NULL && ioc_meta_parse(b[i], ioc_meta(b[i])) == 0);
		ioc_meta(b[i])->dir = IOC_DIR_OUT;
	}
	uint16_t kept = slot.ops->process(slot.priv[0], &ctx, b, 3);
	CU_ASSERT_EQUAL(kept, 3);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_CONN_FULL], full);
	CU_ASSERT_EQUAL(evicted(), ev + 1);
	for (uint16_t i = 0; i < kept; i++)
		rte_pktmbuf_free(b[i]);
	ioc_sfw_conn_summary(&s);
	CU_ASSERT_EQUAL(s.entries, SMALL_TABLE);
	CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, pb)) >= 0);
	CU_ASSERT_EQUAL(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, pa)), -1);
}

/* VM1 opens TCP to the laptop's port 443 and completes the handshake: established. */
static uint16_t
tcp_established(void)
{
	uint16_t sp = fresh_port();

	CU_ASSERT(out1(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443)) >= 0);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, sp),
				    RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443),
				     RTE_TCP_ACK_FLAG)) >= 0);
	return sp;
}

static int
ack_in(uint16_t sp)
{
	return in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, sp),
				 RTE_TCP_ACK_FLAG));
}

/* L9: a reset connection passes stragglers for 20 s after the RST, refreshed by nothing. */
static void
test_closed_not_refreshed(void)
{
	uint16_t sp = tcp_established();

	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, sp, 443),
				     RTE_TCP_RST_FLAG)) >= 0);
	advance(15);
	CU_ASSERT(ack_in(sp) >= 0);
	advance(6);
	CU_ASSERT_EQUAL(ack_in(sp), -1);
}

/* L9: closed both ways, 45 s from the second FIN; one FIN alone keeps refreshing. */
static void
test_fin_both_ways_not_refreshed(void)
{
	uint16_t half = tcp_established(), both = tcp_established();

	/* Half-closed: VM1 sent its FIN, the laptop keeps sending for 100 s. */
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, half, 443),
				     RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, both, 443),
				     RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, both),
				    RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	/* 30 s after the second FIN a straggler passes, 60 s after it nothing does. */
	advance(30);
	CU_ASSERT(ack_in(both) >= 0);
	CU_ASSERT(ack_in(half) >= 0);
	advance(30);
	CU_ASSERT_EQUAL(ack_in(both), -1);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT(ack_in(half) >= 0);
		advance(30);
	}
	CU_ASSERT(ack_in(half) >= 0);
}

/* An ICMP error from `from` to VM1 quoting what VM1 sent: proto, VM1:sport -> dst:dport. */
static struct rte_mbuf *
icmp_error_in(uint32_t from, uint8_t type, uint8_t proto, uint16_t sport, uint32_t dst,
	      uint16_t dport)
{
	struct rte_mbuf *m =
		pkt_ipv4(MAC_LAPTOP, MAC_VM1, from, IP_VM1, IPPROTO_ICMP,
			 sizeof(struct rte_icmp_hdr) + sizeof(struct rte_ipv4_hdr) + 8);

	CU_ASSERT_FATAL(m != NULL);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, L2_L3);
	memset(ic, 0, sizeof(*ic) + sizeof(struct rte_ipv4_hdr) + 8);
	ic->icmp_type = type;
	ic->icmp_code = type == 3 ? 4 : 0; /* fragmentation needed */
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)(ic + 1);
	q->version_ihl = RTE_IPV4_VHL_DEF;
	q->total_length = rte_cpu_to_be_16(1500);
	q->next_proto_id = proto;
	q->src_addr = rte_cpu_to_be_32(IP_VM1);
	q->dst_addr = rte_cpu_to_be_32(dst);
	uint16_t *ports = (uint16_t *)(q + 1);
	ports[0] = rte_cpu_to_be_16(sport);
	ports[1] = rte_cpu_to_be_16(dport);
	return m;
}

/*
 * L9: an ICMP error belongs to the connection it quotes (PMTU discovery
 * through a default-drop policy); it opens nothing, and an error quoting no
 * connection takes the rules.
 */
static void
test_icmp_error_related(void)
{
	struct ioc_sfw_conn_summary a, b;
	uint16_t tcp = tcp_established(), udp = udp_conn(false);
	uint32_t router = IP4(192, 0, 2, 1);
	uint64_t def = slot.reasons[IOC_SFW_DROP_DEFAULT];

	ioc_sfw_conn_summary(&a);
	/* The connection's mark comes with it: out-any / vm1-all mark A. */
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 3, IPPROTO_TCP, tcp, IP_LAPTOP, 443)), MARK_A);
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 11, IPPROTO_UDP, udp, IP_LAPTOP, 7)), MARK_A);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.entries, a.entries);
	/* No such connection: another port, another destination, another protocol. */
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 3, IPPROTO_TCP, tcp, IP_LAPTOP, 444)), -1);
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 3, IPPROTO_TCP, tcp, IP4(10, 0, 0, 99), 443)),
			-1);
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 3, IPPROTO_UDP, tcp, IP_LAPTOP, 443)), -1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_DEFAULT], def + 3);
	/* A quote of someone else's packet, sent to VM1, relates to nothing. */
	struct rte_mbuf *m = icmp_error_in(router, 3, IPPROTO_TCP, tcp, IP_LAPTOP, 443);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2_L3 + sizeof(struct rte_icmp_hdr))
		->src_addr = rte_cpu_to_be_32(IP_VM2);
	CU_ASSERT_EQUAL(in1(m), -1);
	/* The error refreshed nothing: the unanswered UDP entry still dies at 30 s. */
	advance(31);
	CU_ASSERT_EQUAL(in1(icmp_error_in(router, 11, IPPROTO_UDP, udp, IP_LAPTOP, 7)), -1);
}

/* A second attachment of VM1 (vNIC 0) or VM2 (1) with its own policy; the same tables. */
static void *
attach_with(struct ioc_topology *t, unsigned vnic, bool pickup, uint32_t max_conn)
{
	void *priv = NULL;

	CU_ASSERT_FATAL(load(t, SLOT_LCORE, "drop", "true") == 0);
	t->dfw.connections = SMALL_TABLE;
	t->dfw.tcp_pickup = pickup;
	t->vnics[vnic].max_connections = max_conn;
	CU_ASSERT_EQUAL_FATAL(slot.ops->attach(t, vnic, &priv), 1);
	return priv;
}

/* H3: TCP opens with a SYN; an allowed segment without one is a counted drop, no entry. */
static void
test_tcp_opens_with_syn_only(void)
{
	static const uint8_t no_syn[] = {
		RTE_TCP_ACK_FLAG,
		RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
		RTE_TCP_RST_FLAG,
		RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG,
		0,
	};
	struct ioc_sfw_conn_summary a, b;

	empty_table();
	ioc_sfw_conn_summary(&a);
	uint64_t nosyn = slot.reasons[IOC_SFW_DROP_NO_SYN];
	for (unsigned i = 0; i < RTE_DIM(no_syn); i++) {
		/* Outbound is allowed by a rule, inbound to 8080 too. */
		CU_ASSERT_EQUAL(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP,
							   fresh_port(), 443),
						   no_syn[i])),
				-1);
		CU_ASSERT_EQUAL(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1,
							  fresh_port(), 8080),
						  no_syn[i])),
				-1);
	}
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_NO_SYN], nosyn + 2 * RTE_DIM(no_syn));
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.entries, a.entries);
	/* A SYN opens; the answer and the rest of the flow pass. */
	uint16_t sp = fresh_port();
	CU_ASSERT_EQUAL(in1(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, sp, 8080)), MARK_A);
	CU_ASSERT(out1(tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 8080, sp),
				     RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) >= 0);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, sp, 8080),
				    RTE_TCP_ACK_FLAG)) >= 0);
	ioc_sfw_conn_summary(&b);
	CU_ASSERT_EQUAL(b.state[IOC_SFW_CT_TCP_ESTABLISHED],
			a.state[IOC_SFW_CT_TCP_ESTABLISHED] + 1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_NO_SYN], nosyn + 2 * RTE_DIM(no_syn));
}

/* [dfw] tcp_pickup: a segment without SYN opens, for 10 s until the other side answers. */
static void
test_tcp_pickup(void)
{
	struct ioc_topology t;
	void *vm1 = attach_with(&t, 0, true, 0);
	uint16_t lone = fresh_port(), both = fresh_port();
	uint8_t ack = RTE_TCP_ACK_FLAG;

	empty_table();
	CU_ASSERT(run_one(vm1, IOC_DIR_OUT,
			  tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, lone, 443),
					ack)) >= 0);
	CU_ASSERT(run_one(vm1, IOC_DIR_OUT,
			  tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, both, 443),
					ack)) >= 0);
	CU_ASSERT(run_one(vm1, IOC_DIR_IN,
			  tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, both),
					ack)) >= 0);
	/* A RST is never picked up: it passes, untracked. */
	struct ioc_sfw_conn_summary s;
	CU_ASSERT(run_one(vm1, IOC_DIR_OUT,
			  tcp_flags_set(pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP,
						fresh_port(), 443),
					RTE_TCP_RST_FLAG)) >= 0);
	ioc_sfw_conn_summary(&s);
	CU_ASSERT_EQUAL(s.entries, 2);
	CU_ASSERT_EQUAL(s.state[IOC_SFW_CT_TCP_ESTABLISHED], 2);
	/* 11 s on: the unanswered pickup is gone (inbound has no rule), the answered one lives. */
	advance(11);
	CU_ASSERT_EQUAL(
		in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, lone), ack)),
		-1);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, both),
				    ack)) >= 0);
	advance(1000);
	CU_ASSERT(in1(tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 443, both),
				    ack)) >= 0);
	slot.ops->detach(vm1);
	ioc_topo_free(&t);
}

/*
 * [vnic] max_connections: VM2 keeps to its share of the table; at its limit
 * it evicts its own unanswered entries, never another vNIC's, and is refused
 * (counted) when it has none.
 */
static void
test_vnic_limit(void)
{
	struct ioc_topology t;
	void *vm2 = attach_with(&t, 1, false, 4);
	uint16_t sp[4];

	empty_table();
	uint16_t vm1_lone = udp_conn(false);
	uint64_t *r = slot.reasons;
	uint64_t limit = r[IOC_SFW_DROP_CONN_LIMIT], ev = evicted();
	for (unsigned i = 0; i < 4; i++) {
		sp[i] = fresh_port();
		CU_ASSERT(run_one(vm2, IOC_DIR_OUT,
				  pkt_udp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, sp[i], 7)) >= 0);
		if (i < 3)
			CU_ASSERT(run_one(vm2, IOC_DIR_IN,
					  pkt_udp(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM2, 7,
						  sp[i])) >= 0);
	}
	/* The fifth evicts VM2's unanswered fourth. */
	CU_ASSERT(run_one(vm2, IOC_DIR_OUT,
			  pkt_udp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, fresh_port(), 7)) >= 0);
	CU_ASSERT_EQUAL(evicted(), ev + 1);
	CU_ASSERT_EQUAL(
		run_one(vm2, IOC_DIR_IN, pkt_udp(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM2, 7, sp[3])),
		-1);
	/* Now VM2's four are answered but the newest: it goes, then nothing is left. */
	CU_ASSERT(run_one(vm2, IOC_DIR_OUT,
			  pkt_udp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, fresh_port(), 7)) >= 0);
	CU_ASSERT_EQUAL(evicted(), ev + 2);
	uint16_t last = fresh_port();
	CU_ASSERT(run_one(vm2, IOC_DIR_OUT,
			  pkt_udp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, last, 7)) >= 0);
	CU_ASSERT(run_one(vm2, IOC_DIR_IN,
			  pkt_udp(MAC_LAPTOP, MAC_VM2, IP_LAPTOP, IP_VM2, 7, last)) >= 0);
	CU_ASSERT_EQUAL(run_one(vm2, IOC_DIR_OUT,
				pkt_udp(MAC_VM2, MAC_LAPTOP, IP_VM2, IP_LAPTOP, fresh_port(), 7)),
			-1);
	CU_ASSERT_EQUAL(r[IOC_SFW_DROP_CONN_LIMIT], limit + 1);
	/* VM1's unanswered entry was never a candidate, and VM1 still opens new ones. */
	CU_ASSERT(in1(pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 7, vm1_lone)) >= 0);
	CU_ASSERT(out1(pkt_udp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, fresh_port(), 7)) >= 0);
	CU_ASSERT_EQUAL(r[IOC_SFW_DROP_CONN_LIMIT], limit + 1);
	slot.ops->detach(vm2);
	ioc_topo_free(&t);
}

/* The IPv4 address a key holds (IPv4-mapped), XORed with x. */
static void
xor_ip4(uint8_t a[16], uint32_t x)
{
	uint32_t v;

	memcpy(&v, a + 12, 4);
	v ^= x;
	memcpy(a + 12, &v, 4);
}

/*
 * CRC32C of a key, as an unkeyed rte_hash would compute it. Not
 * rte_hash_crc(key, ...) on the struct: that inline reads it through
 * `const uint64_t *`, and at -O3 gcc, inlining it, may take the key's
 * uint32_t/uint16_t stores as not aliasing those loads and hash stale bytes.
 * The key's bytes are copied into 64-bit words first.
 */
static uint32_t
key_crc(const struct ct_key *k, uint32_t seed)
{
	uint64_t w[sizeof(*k) / 8];

	memcpy(w, k, sizeof(w));
	return rte_hash_crc(w, sizeof(w), seed);
}

/*
 * 64 keys an uplink sender can craft (its address and port only) that all
 * share one CRC32C value, whatever the seed: CRC is linear, so the remote bits
 * are solved for a zero difference (a kernel of the 48 -> 32 bit map).
 */
static unsigned
crc_colliding_keys(struct ct_key *keys, unsigned n)
{
	struct ct_key base = {
		.local_port = RTE_BE16(80),
		.proto = IPPROTO_TCP,
		.family = 4,
	};
	ct_addr4(base.local_ip, RTE_BE32(IP_VM1));
	ct_addr4(base.remote_ip, 0);
	uint32_t h0 = key_crc(&base, 0), piv_v[32] = { 0 };
	uint64_t piv_m[32] = { 0 }, kernel[48];
	unsigned n_kernel = 0;

	for (unsigned bit = 0; bit < 48; bit++) {
		struct ct_key k = base;
		uint64_t m = 1ULL << bit;

		xor_ip4(k.remote_ip, (uint32_t)m);
		k.remote_port ^= (uint16_t)(m >> 32);
		uint32_t v = key_crc(&k, 0) ^ h0;
		while (v != 0) {
			unsigned p = 31 - (unsigned)__builtin_clz(v);

			if (piv_v[p] == 0) {
				piv_v[p] = v;
				piv_m[p] = m;
				break;
			}
			v ^= piv_v[p];
			m ^= piv_m[p];
		}
		if (v == 0)
			kernel[n_kernel++] = m;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = 0;

		for (unsigned b = 0; b < n_kernel; b++) {
			if ((i + 1) & (1u << b))
				x ^= kernel[b];
		}
		keys[i] = base;
		xor_ip4(keys[i].remote_ip, (uint32_t)x);
		keys[i].remote_port ^= (uint16_t)(x >> 32);
	}
	return n_kernel;
}

/* M9: the table's hash is keyed, so crafted keys spread, and each table has its own seed. */
static void
test_keyed_hash(void)
{
	struct ct_key keys[64];
	uint32_t h[64];
	unsigned distinct = 0;
	const struct ct_table *t = ioc_sfw_ct[SLOT_LCORE];

	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_FATAL(crc_colliding_keys(keys, RTE_DIM(keys)) >= 16);
	for (unsigned i = 0; i < RTE_DIM(keys); i++) {
		bool seen = false;

		/* The attack: one CRC32C value for all, under seed 0 and any other. */
		CU_ASSERT_EQUAL(key_crc(&keys[i], 0x5eed), key_crc(&keys[0], 0x5eed));
		h[i] = rte_hash_hash(t->h, &keys[i]);
		for (unsigned j = 0; j < i; j++)
			seen |= h[j] == h[i];
		distinct += !seen;
	}
	CU_ASSERT(distinct >= 63);

	/* Another lcore's table hashes the same key differently. */
	bool lcores[RTE_MAX_LCORE] = { [3] = true };
	CU_ASSERT_FATAL(ct_tables_get(lcores, RTE_MAX_LCORE, SMALL_TABLE, 2) == 0);
	CU_ASSERT_FATAL(ioc_sfw_ct[3] != NULL);
	CU_ASSERT_NOT_EQUAL(rte_hash_hash(ioc_sfw_ct[3]->h, &keys[0]), h[0]);
	ct_tables_put();
}

static void
test_stateless_default_allow(void)
{
	struct ioc_topology t;
	void *priv = NULL;
	uint64_t rule = slot.reasons[IOC_SFW_DROP_RULE];

	CU_ASSERT_FATAL(load(&t, SLOT_LCORE, "allow", "false") == 0);
	CU_ASSERT_EQUAL_FATAL(slot.ops->attach(&t, 0, &priv), 1);
	/* No rule: allowed, IPv6 included. */
	CU_ASSERT(run_one(priv, IOC_DIR_IN,
			  pkt_udp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 9999)) >=
		  0);
	CU_ASSERT_EQUAL(run_one(priv, IOC_DIR_IN, pkt_ipv6(MAC_LAPTOP, MAC_VM1)), MARK_A);
	/* A drop rule still drops... */
	CU_ASSERT_EQUAL(run_one(priv, IOC_DIR_IN,
				pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, fresh_port(), 23)),
			-1);
	CU_ASSERT_EQUAL(slot.reasons[IOC_SFW_DROP_RULE], rule + 1);
	/* ...even the answer to VM1's own connection: stateless, nothing remembers it. */
	CU_ASSERT(run_one(priv, IOC_DIR_OUT,
			  pkt_tcp(MAC_VM1, MAC_LAPTOP, IP_VM1, IP_LAPTOP, 23, 4000)) >= 0);
	CU_ASSERT_EQUAL(
		run_one(priv, IOC_DIR_IN,
			tcp_flags_set(pkt_tcp(MAC_LAPTOP, MAC_VM1, IP_LAPTOP, IP_VM1, 4000, 23),
				      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)),
		-1);
	slot.ops->detach(priv);
	ioc_topo_free(&t);
}

static void
test_lcore_check(void)
{
	struct ioc_topology t;
	void *priv = NULL;

	/* Uplink polled by lcore 3, vNIC by lcore 1: answers would miss the table. */
	CU_ASSERT_FATAL(load(&t, 3, "drop", "true") == 0);
	CU_ASSERT_EQUAL(slot.ops->attach(&t, 0, &priv), -EINVAL);
	ioc_topo_free(&t);
	/* Stateless, it does not matter. */
	CU_ASSERT_FATAL(load(&t, 3, "drop", "false") == 0);
	CU_ASSERT_EQUAL(slot.ops->attach(&t, 0, &priv), 1);
	slot.ops->detach(priv);
	ioc_topo_free(&t);
}

static void
test_describe(void)
{
	struct ioc_slot_desc d;

	memset(&d, 0, sizeof(d));
	slot.ops->describe(slot.priv[1], &slot.topo, 1, &d);
	CU_ASSERT_EQUAL(d.slot, 2);
	CU_ASSERT_STRING_EQUAL(d.name, "nic-102-eth0-vmware-sfw.2");
	CU_ASSERT_STRING_EQUAL(d.agent, "vmware-sfw");
	CU_ASSERT_STRING_EQUAL(d.state, "IOChain Attached");
	CU_ASSERT_STRING_EQUAL(d.vm_state, "Detached");
	CU_ASSERT_STRING_EQUAL(d.failure_policy, "failClosed");
	CU_ASSERT_STRING_EQUAL(d.slow_path_id, "none");
	CU_ASSERT_STRING_EQUAL(d.filter_source, "Dynamic Filter Creation");
	CU_ASSERT_EQUAL(slot.ops->slot, 2);
	CU_ASSERT_STRING_EQUAL(slot.ops->agent, "vmware-sfw");
}

static void
test_slot_no_leak(void)
{
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fixture_pool()), 0);
}

static void
test_sfw_register(void)
{
	CU_pSuite s = CU_add_suite("sfw", sfw_suite_init, fixture_lab_suite_cleanup);

	CU_add_test(s, "priority first, then file order", test_priority_then_file_order);
	CU_add_test(s, "port range edges and protocol", test_port_range_edges);
	CU_add_test(s, "protocol number", test_protocol_number);
	CU_add_test(s, "CIDR, ipset, nested group", test_addresses);
	CU_add_test(s, "vm: and vnic: group members", test_vm_and_vnic_members);
	CU_add_test(s, "applied_to and icmp", test_applied_to);
	CU_add_test(s, "direction in vs out", test_direction);
	CU_add_test(s, "return traffic of allowed connections", test_return_traffic);
	CU_add_test(s, "ARP passes, IPv6 default, malformed dropped", test_non_ipv4);
	CU_add_test(s, "fragments", test_fragments);
	CU_add_test(s, "reject TCP: RST", test_reject_tcp);
	CU_add_test(s, "reject UDP: ICMP port unreachable", test_reject_udp_icmp);
	CU_add_test(s, "reject outbound: back to the sender", test_reject_outbound);
	CU_add_test(s, "reject: only unicast sources", test_reject_only_unicast_sources);
	CU_add_test(s, "reject: a shared buffer is answered from a copy",
		    test_reject_shared_buffer);
	CU_add_test(s, "reject: the receiver's in-chain sees the reply",
		    test_reject_local_through_receiver_chain);
	CU_add_test(s, "every vNIC has slot 2", test_every_vnic_has_the_slot);
	CU_add_test(s, "in = pass + reasons", test_counters_add_up);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);

	s = CU_add_suite("sfw slot", slot_suite_init, slot_suite_cleanup);
	CU_add_test(s, "redirect marks", test_redirect_marks);
	CU_add_test(s, "a connection keeps its mark", test_connection_keeps_mark);
	CU_add_test(s, "TCP states and timeouts", test_tcp_states);
	CU_add_test(s, "UDP timeouts", test_udp_expiry);
	CU_add_test(s, "aging and a full table", test_aging_and_full_table);
	CU_add_test(s, "a full table evicts what nobody answered",
		    test_full_table_evicts_unanswered);
	CU_add_test(s, "a half-open handshake is evicted", test_half_open_evicted);
	CU_add_test(s, "a table full within a burst", test_full_within_a_burst);
	CU_add_test(s, "TCP opens with a SYN only", test_tcp_opens_with_syn_only);
	CU_add_test(s, "tcp_pickup", test_tcp_pickup);
	CU_add_test(s, "a reset connection is not refreshed", test_closed_not_refreshed);
	CU_add_test(s, "closed both ways: not refreshed", test_fin_both_ways_not_refreshed);
	CU_add_test(s, "ICMP errors belong to the connection they quote", test_icmp_error_related);
	CU_add_test(s, "[vnic] max_connections", test_vnic_limit);
	CU_add_test(s, "a keyed hash, a seed per table", test_keyed_hash);
	CU_add_test(s, "stateless, default allow", test_stateless_default_allow);
	CU_add_test(s, "stateful needs one lcore set per segment", test_lcore_check);
	CU_add_test(s, "describe", test_describe);
	CU_add_test(s, "no mbuf leaked", test_slot_no_leak);
}

UNIT_SUITES(test_sfw_register)
