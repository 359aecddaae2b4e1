/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed traffic through the whole datapath (README "Malformed traffic"):
 * each frame is sent once from VM1 (outbound: spoofguard and the firewall see
 * it, addressed to the laptop behind the uplink) and once from the uplink
 * (inbound to VM2), and each case asserts where it went or which named counter
 * dropped it. The suite ends with the port ledgers and the mbuf pools.
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "config.h"
#include "fixture.h"
#include "meta.h"
#include "tests.h"

/* Trunk vNICs: the parser's handling of tags, not the VLAN policy (test_vlan.c). */
#define MALFORMED_INI                                                                              \
	FIXTURE_INI_WITH("vlan = trunk\n") "[dfw]\ndefault_action = allow\nstateful = true\n"

/* Where a frame ended: the number of frames each port transmitted. */
struct dest {
	unsigned vm1, vm2, up;
};

static const struct dest TO_UP = { 0, 0, 1 };
static const struct dest TO_VM2 = { 0, 1, 0 };
static const struct dest FLOOD_FROM_UP = { 1, 1, 0 };
static const struct dest NOWHERE = { 0, 0, 0 };

/* The counter that must move by one: a port counter of the RX port, or a slot counter. */
struct outcome {
	struct dest d;
	const char *vnic;    /* slot counter of this vNIC, or NULL: port counter */
	const char *counter; /* slot counter name */
	enum ioc_port_counter pc;
};

#define FWD_UP                                                                                     \
	{                                                                                          \
		TO_UP, NULL, NULL, IOC_PC_FWD_UPLINK                                               \
	}
#define FWD_VM2                                                                                    \
	{                                                                                          \
		TO_VM2, NULL, NULL, IOC_PC_FWD_VNIC                                                \
	}
#define FLOOD_UP                                                                                   \
	{                                                                                          \
		FLOOD_FROM_UP, NULL, NULL, IOC_PC_FLOOD                                            \
	}
#define RUNT                                                                                       \
	{                                                                                          \
		NOWHERE, NULL, NULL, IOC_PC_DROP_RUNT                                              \
	}
#define SWSEC(reason)                                                                              \
	{                                                                                          \
		NOWHERE, "VM1.eth0", "swsec_" reason, IOC_PC_DROP_OUT_CHAIN                        \
	}
#define SFW_IN(reason)                                                                             \
	{                                                                                          \
		NOWHERE, "VM2.eth0", "sfw_" reason, IOC_PC_DROP_IN_CHAIN                           \
	}

static uint64_t
counter_of(const struct outcome *o, const char *rx_port)
{
	if (o->vnic != NULL)
		return fixture_slot_counter(&fixture_lab.f, o->vnic, o->counter);
	return fixture_port_counter(&fixture_lab.f, rx_port, o->pc);
}

/* Inject m from VM1 (out) or the uplink (in) and assert the outcome. */
static void
expect(struct rte_mbuf *m, bool out, const struct outcome *o)
{
	const char *rx = out ? "VM1.eth0" : "uplink0";
	struct ring_port *from = out ? fixture_lab.vm1 : fixture_lab.up;

	CU_ASSERT_FATAL(m != NULL);
	uint64_t before = counter_of(o, rx);
	uint64_t port_drop = fixture_port_counter(
		&fixture_lab.f, rx, out ? IOC_PC_DROP_OUT_CHAIN : IOC_PC_DROP_IN_CHAIN);
	CU_ASSERT_NOT_EQUAL_FATAL(before, UINT64_MAX);
	fixture_inject(&fixture_lab.f, from, &m, 1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm1), o->d.vm1);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm2), o->d.vm2);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.vm3), 0);
	CU_ASSERT_EQUAL(fixture_drain_free(fixture_lab.up), o->d.up);
	CU_ASSERT_EQUAL(counter_of(o, rx), before + 1);
	/* A slot's drop is also the RX port's chain drop. */
	if (o->vnic != NULL)
		CU_ASSERT_EQUAL(
			fixture_port_counter(&fixture_lab.f, rx,
					     out ? IOC_PC_DROP_OUT_CHAIN : IOC_PC_DROP_IN_CHAIN),
			port_drop + 1);
}

/* How to build (and break) an IPv4 frame. */
struct v4 {
	unsigned tags;	  /* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	unsigned ihl;	  /* 0: 5 */
	uint8_t proto;	  /* 0: UDP */
	unsigned l4len;	  /* bytes after the IP header (and options); 0: 8 + 18 */
	int tot_delta;	  /* added to the true total length */
	uint16_t frag;	  /* fragment_offset field, host order */
	unsigned cut;	  /* frame length cut to this (0: none) */
	unsigned pad_to;  /* Ethernet padding up to this length (0: none) */
	uint16_t outer;	  /* outer tag's ethertype when tags > 0 (0: by tags) */
	uint16_t version; /* 0: 4 */
};

static unsigned
l2(uint8_t *b, bool out, unsigned tags, uint16_t outer, uint16_t type)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)b;
	uint8_t s[6], d[6];

	ioc_parse_mac(out ? MAC_VM1 : MAC_LAPTOP, s, NULL);
	ioc_parse_mac(out ? MAC_LAPTOP : MAC_VM2, d, NULL);
	memcpy(eth->src_addr.addr_bytes, s, 6);
	memcpy(eth->dst_addr.addr_bytes, d, 6);
	unsigned off = sizeof(*eth);
	uint16_t t = tags == 0	 ? type
		     : outer	 ? outer
		     : tags == 2 ? RTE_ETHER_TYPE_QINQ
				 : RTE_ETHER_TYPE_VLAN;
	eth->ether_type = rte_cpu_to_be_16(t);
	for (unsigned i = 0; i < tags; i++) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(b + off);

		vh->vlan_tci = rte_cpu_to_be_16((uint16_t)(10 + i));
		vh->eth_proto = rte_cpu_to_be_16(i + 1 == tags ? type : RTE_ETHER_TYPE_VLAN);
		off += sizeof(*vh);
	}
	return off;
}

/* Builds the frame into b (at least 2048 bytes), returns its length. */
static unsigned
build_v4(uint8_t *b, bool out, const struct v4 *o)
{
	memset(b, 0, 2048);
	unsigned off = l2(b, out, o->tags, o->outer, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + off);
	unsigned ihl = o->ihl ? o->ihl : 5;
	unsigned hlen = ihl >= 5 ? ihl * 4 : 20;
	unsigned l4len = o->l4len ? o->l4len : 26;
	uint8_t proto = o->proto ? o->proto : IPPROTO_UDP;

	ip->version_ihl = (uint8_t)((o->version ? o->version : 4) << 4 | ihl);
	ip->total_length = rte_cpu_to_be_16((uint16_t)((int)(hlen + l4len) + o->tot_delta));
	ip->fragment_offset = rte_cpu_to_be_16(o->frag);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(out ? IP4(10, 0, 0, 11) : IP4(10, 0, 0, 100));
	ip->dst_addr = rte_cpu_to_be_32(out ? IP4(10, 0, 0, 100) : IP4(10, 0, 0, 12));
	/* Options: NOPs, then End of list. */
	memset(b + off + 20, 1, hlen - 20);
	if (hlen > 20)
		b[off + hlen - 1] = 0;
	uint8_t *l4 = b + off + hlen;
	l4[0] = 0x30; /* source port 12345 */
	l4[1] = 0x39;
	l4[2] = 0; /* destination port 53 */
	l4[3] = 53;
	if (proto == IPPROTO_TCP && l4len >= 14)
		l4[13] = 0x02; /* SYN */
	unsigned len = off + hlen + l4len;
	if (o->cut)
		len = o->cut;
	if (o->pad_to > len)
		len = o->pad_to;
	return len;
}

static struct rte_mbuf *
v4(bool out, const struct v4 *o)
{
	uint8_t b[2048];

	return pkt_raw(b, build_v4(b, out, o));
}

/* Both directions of one IPv4 case. */
static void
both(const struct v4 *o, const struct outcome *out, const struct outcome *in)
{
	expect(v4(true, o), true, out);
	expect(v4(false, o), false, in);
}

static const struct outcome fwd_up = FWD_UP, fwd_vm2 = FWD_VM2;
static const struct outcome sw_malformed = SWSEC("drop_malformed"),
			    sfw_malformed = SFW_IN("drop_malformed");
/* TCP whose flags cannot be read has no SYN: it opens no connection, either way. */
static const struct outcome no_syn_out = { NOWHERE, "VM1.eth0", "sfw_drop_no_syn",
					   IOC_PC_DROP_OUT_CHAIN },
			    no_syn_in = SFW_IN("drop_no_syn");

static void
test_sanity_valid_udp(void)
{
	both(&(struct v4){ 0 }, &fwd_up, &fwd_vm2);
}

static void
test_truncated_ethernet(void)
{
	static const struct outcome runt = RUNT;
	uint8_t b[2048];
	unsigned len = build_v4(b, true, &(struct v4){ 0 });

	RTE_SET_USED(len);
	for (unsigned cut = 0; cut < sizeof(struct rte_ether_hdr); cut += 13) {
		expect(pkt_raw(b, cut), true, &runt);
		build_v4(b, false, &(struct v4){ 0 });
		expect(pkt_raw(b, cut), false, &runt);
		build_v4(b, true, &(struct v4){ 0 });
	}
}

static void
test_truncated_ip(void)
{
	/* Ethernet header alone, and half an IP header. */
	both(&(struct v4){ .cut = 14 }, &sw_malformed, &sfw_malformed);
	both(&(struct v4){ .cut = 14 + 10 }, &sw_malformed, &sfw_malformed);
	/* The same IP header padded to 60 bytes but claiming more than the frame. */
	both(&(struct v4){ .tot_delta = 100, .pad_to = 60 }, &sw_malformed, &sfw_malformed);
}

static void
test_truncated_l4(void)
{
	/* UDP: fewer than the 4 bytes of ports, even inside a padded frame. */
	both(&(struct v4){ .l4len = 2, .pad_to = 60 }, &sw_malformed, &sfw_malformed);
	/* TCP: likewise. */
	both(&(struct v4){ .proto = IPPROTO_TCP, .l4len = 3 }, &sw_malformed, &sfw_malformed);
	/* ICMP: shorter than its 8-byte header. */
	both(&(struct v4){ .proto = IPPROTO_ICMP, .l4len = 4 }, &sw_malformed, &sfw_malformed);
	/* TCP with its ports but not its 20-byte header: not malformed, but no SYN to open. */
	both(&(struct v4){ .proto = IPPROTO_TCP, .l4len = 4 }, &no_syn_out, &no_syn_in);
	/* UDP header cut after the ports (8-byte header incomplete): forwarded. */
	both(&(struct v4){ .l4len = 6 }, &fwd_up, &fwd_vm2);
}

static void
test_bad_ihl(void)
{
	for (unsigned ihl = 1; ihl < 5; ihl++)
		both(&(struct v4){ .ihl = ihl }, &sw_malformed, &sfw_malformed);
	/* IHL 0. */
	uint8_t b[2048];
	unsigned len = build_v4(b, true, &(struct v4){ 0 });
	b[14] = 0x40;
	expect(pkt_raw(b, len), true, &sw_malformed);
	len = build_v4(b, false, &(struct v4){ 0 });
	b[14] = 0x40;
	expect(pkt_raw(b, len), false, &sfw_malformed);
	/* IHL 15 (60 bytes) in a frame that holds 20 bytes of IP header and 8 more. */
	both(&(struct v4){ .ihl = 15, .cut = 14 + 28 }, &sw_malformed, &sfw_malformed);
	/* Not version 4. */
	both(&(struct v4){ .version = 6 }, &sw_malformed, &sfw_malformed);
}

static void
test_total_length_lies(void)
{
	/* Bigger than the frame. */
	both(&(struct v4){ .tot_delta = 1 }, &sw_malformed, &sfw_malformed);
	/* Smaller than the frame (Ethernet padding): valid, the L4 length follows it. */
	both(&(struct v4){ .pad_to = 200 }, &fwd_up, &fwd_vm2);
	both(&(struct v4){ .tot_delta = -10 }, &fwd_up, &fwd_vm2);
	/* Smaller than the IP header itself. */
	both(&(struct v4){ .tot_delta = -(26 + 1) }, &sw_malformed, &sfw_malformed);
	/* Zero. */
	both(&(struct v4){ .tot_delta = -(20 + 26) }, &sw_malformed, &sfw_malformed);
}

static void
test_fragments(void)
{
	/* First fragment (MF, offset 0): has ports; default allow forwards it. */
	both(&(struct v4){ .frag = RTE_IPV4_HDR_MF_FLAG }, &fwd_up, &fwd_vm2);
	/* Non-first fragments (offset != 0, with and without MF): no ports; forwarded. */
	both(&(struct v4){ .frag = RTE_IPV4_HDR_MF_FLAG | 100 }, &fwd_up, &fwd_vm2);
	both(&(struct v4){ .frag = 185 }, &fwd_up, &fwd_vm2);
	/* A non-first fragment too short for any L4 header is not malformed. */
	both(&(struct v4){ .frag = 185, .l4len = 1 }, &fwd_up, &fwd_vm2);
	/* DF alone is no fragment. */
	both(&(struct v4){ .frag = RTE_IPV4_HDR_DF_FLAG }, &fwd_up, &fwd_vm2);
}

static void
test_ip_options(void)
{
	for (unsigned ihl = 6; ihl <= 15; ihl++) {
		both(&(struct v4){ .ihl = ihl }, &fwd_up, &fwd_vm2);
		both(&(struct v4){ .ihl = ihl, .tags = 2 }, &fwd_up, &fwd_vm2);
	}
}

static void
test_vlan_qinq(void)
{
	/* One 802.1Q tag, 802.1ad + 802.1Q, and 802.1Q twice: the inner IPv4 is checked. */
	both(&(struct v4){ .tags = 1 }, &fwd_up, &fwd_vm2);
	both(&(struct v4){ .tags = 2 }, &fwd_up, &fwd_vm2);
	both(&(struct v4){ .tags = 2, .outer = RTE_ETHER_TYPE_VLAN }, &fwd_up, &fwd_vm2);
	/* A tagged frame with a malformed inner IPv4 header is malformed. */
	both(&(struct v4){ .tags = 1, .ihl = 3 }, &sw_malformed, &sfw_malformed);
	/* A spoofed inner source is still spoofguard's (outbound). */
	uint8_t b[2048];
	unsigned len = build_v4(b, true, &(struct v4){ .tags = 2 });
	b[14 + 8 + 15] = 99; /* source 10.0.0.99 */
	static const struct outcome sw_ip = SWSEC("drop_ip");
	expect(pkt_raw(b, len), true, &sw_ip);
	/* A tag cut short: no L3 found; outbound malformed, inbound passed (not IP). */
	len = build_v4(b, true, &(struct v4){ .tags = 1 });
	expect(pkt_raw(b, 16), true, &sw_malformed);
	build_v4(b, false, &(struct v4){ .tags = 1 });
	expect(pkt_raw(b, 16), false, &fwd_vm2);
	/*
	 * Three tags: the parser skips two and flags the frame malformed, its L3
	 * uninspected: spoofguard drops it outbound (it used to pass as "other"
	 * L3, a spoofed inner IPv4 source included); inbound, not IP, it passes.
	 */
	for (int out = 1; out >= 0; out--) {
		len = build_v4(b, out, &(struct v4){ .tags = 2 });
		if (out)
			b[14 + 8 + 15] = 99; /* and a spoofed source, 10.0.0.99 */
		memmove(b + 22, b + 18, len - 18);
		b[18] = 0; /* a third 802.1Q tag, VLAN 30 */
		b[19] = 30;
		b[20] = 0x81;
		b[21] = 0x00;
		b[14 + 2] = 0x81; /* the second tag's type: 802.1Q again */
		b[14 + 3] = 0x00;
		expect(pkt_raw(b, len + 4), out, out ? &sw_malformed : &fwd_vm2);
	}
}

/*
 * IPv6 + a Hop-by-Hop and a Destination Options header, then UDP; `extra`
 * more Destination Options headers before the UDP header.
 */
static struct rte_mbuf *
ipv6_ext(bool out, unsigned cut, unsigned extra)
{
	uint8_t b[256];

	memset(b, 0, sizeof(b));
	unsigned off = l2(b, out, 0, 0, RTE_ETHER_TYPE_IPV6);
	uint8_t *ip6 = b + off;
	unsigned n_ext = 2 + extra;
	ip6[0] = 0x60;
	ip6[5] = (uint8_t)(8 * n_ext + 16); /* payload length */
	ip6[6] = 0;			    /* next: Hop-by-Hop */
	ip6[7] = 64;
	ip6[8] = 0xfe; /* fe80::1 -> fe80::2 */
	ip6[9] = 0x80;
	ip6[23] = out ? 1 : 2;
	ip6[24] = 0xfe;
	ip6[25] = 0x80;
	ip6[39] = out ? 2 : 1;
	uint8_t *ext = ip6 + 40;
	for (unsigned i = 0; i + 1 < n_ext; i++)
		ext[8 * i] = 60; /* -> Destination Options */
	ext[8 * (n_ext - 1)] = IPPROTO_UDP;
	uint8_t *udp = ext + 8 * n_ext;
	udp[0] = 0x30;
	udp[3] = 53;
	udp[5] = 16;
	unsigned len = off + 40 + 8 * n_ext + 16;
	return pkt_raw(b, cut ? cut : len);
}

static void
test_ipv6_ext_headers(void)
{
	static const struct outcome sw_ipv6 = SWSEC("drop_ipv6");

	/* Outbound: no IPv6 binding exists, spoofguard drops. Inbound: dfw's default. */
	expect(ipv6_ext(true, 0, 0), true, &sw_ipv6);
	expect(ipv6_ext(false, 0, 0), false, &fwd_vm2);
	/* The bound: five extension headers pass the parser, six are malformed. */
	expect(ipv6_ext(true, 0, 3), true, &sw_ipv6);
	expect(ipv6_ext(false, 0, 3), false, &fwd_vm2);
	expect(ipv6_ext(true, 0, 4), true, &sw_malformed);
	expect(ipv6_ext(false, 0, 4), false, &sfw_malformed);
	/* Truncated in the fixed header, an extension header, the ports: malformed. */
	const unsigned cuts[] = { 14 + 20, 14 + 40 + 4, 14 + 40 + 16 + 2 };
	for (unsigned i = 0; i < RTE_DIM(cuts); i++) {
		expect(ipv6_ext(true, cuts[i], 0), true, &sw_malformed);
		expect(ipv6_ext(false, cuts[i], 0), false, &sfw_malformed);
	}
}

/* An ARP request from VM1's MAC/IP (or the laptop's), broadcast, then broken by fix(). */
static struct rte_mbuf *
arp(bool out, unsigned hlen, unsigned plen, unsigned cut)
{
	uint8_t b[64];

	memset(b, 0, sizeof(b));
	unsigned off = l2(b, out, 0, 0, RTE_ETHER_TYPE_ARP);
	memset(b, 0xff, 6);
	uint8_t *a = b + off;
	a[1] = 1;    /* Ethernet */
	a[2] = 0x08; /* IPv4 */
	a[4] = (uint8_t)hlen;
	a[5] = (uint8_t)plen;
	a[7] = 1; /* request */
	memcpy(a + 8, b + 6, 6);
	uint32_t spa = rte_cpu_to_be_32(out ? IP4(10, 0, 0, 11) : IP4(10, 0, 0, 100));
	memcpy(a + 14, &spa, 4);
	uint32_t tpa = rte_cpu_to_be_32(IP4(10, 0, 0, 12));
	memcpy(a + 24, &tpa, 4);
	return pkt_raw(b, cut ? cut : 60);
}

static void
test_arp_odd(void)
{
	static const struct outcome flood_out = { { 0, 1, 1 }, NULL, NULL, IOC_PC_FLOOD },
				    flood_in = FLOOD_UP;

	/* Sanity: a good request floods the segment. */
	expect(arp(true, 6, 4, 0), true, &flood_out);
	expect(arp(false, 6, 4, 0), false, &flood_in);
	/* hlen or plen wrong, or the ARP body cut: outbound dropped as malformed... */
	const unsigned bad[][3] = { { 8, 4, 0 }, { 6, 16, 0 }, { 0, 0, 0 }, { 6, 4, 14 + 20 } };
	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		expect(arp(true, bad[i][0], bad[i][1], bad[i][2]), true, &sw_malformed);
		/* ...inbound it is not IPv4: the firewall passes it and it floods. */
		expect(arp(false, bad[i][0], bad[i][1], bad[i][2]), false, &flood_in);
	}
}

/*
 * A 9000-byte UDP datagram in two chained mbufs: the parser reads the first
 * segment only, where the IPv4 total length does not fit: malformed, dropped
 * both ways (by spoofguard out, the firewall in). iochain configures no RX
 * scatter, so only a driver that chains on its own delivers such frames.
 */
static struct rte_mbuf *
jumbo(bool out, bool fits)
{
	uint8_t b[2048];
	const unsigned total = 9000, first = 1000;
	unsigned len = build_v4(b, out, &(struct v4){ .l4len = total - 14 - 20 });

	RTE_SET_USED(len);
	struct rte_mbuf *m = pkt_raw(b, fits ? 14 + 20 + 8 : first);
	if (m == NULL)
		return NULL;
	unsigned rest = fits ? 100 : total - first;
	/* The rest in segments of at most 2000 bytes, each filled before it is chained. */
	while (rest > 0) {
		unsigned chunk = RTE_MIN(rest, 2000u);
		struct rte_mbuf *t = rte_pktmbuf_alloc(fixture_pool());
		char *p = t != NULL ? rte_pktmbuf_append(t, chunk) : NULL;

		if (p == NULL)
			return NULL;
		memset(p, 0x5a, chunk);
		rest -= chunk;
		if (rte_pktmbuf_chain(m, t) != 0)
			return NULL;
	}
	if (fits) {
		/* A header-only first segment whose IP total length covers it alone. */
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
		ip->total_length = rte_cpu_to_be_16(28);
	}
	return m;
}

static void
test_jumbo_multiseg(void)
{
	struct rte_mbuf *m = jumbo(true, false);

	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(m->nb_segs > 2);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 9000);
	expect(m, true, &sw_malformed);
	expect(jumbo(false, false), false, &sfw_malformed);
	/* When the IP datagram lies in the first segment, the frame is forwarded whole. */
	uint64_t before = fixture_port_counter(&fixture_lab.f, "uplink0", IOC_PC_FWD_VNIC);
	m = jumbo(false, true);
	CU_ASSERT_FATAL(m != NULL);
	fixture_inject(&fixture_lab.f, fixture_lab.up, &m, 1);
	struct rte_mbuf *o;
	CU_ASSERT_EQUAL_FATAL(fixture_drain(fixture_lab.vm2, &o, 1), 1);
	CU_ASSERT_EQUAL(o->nb_segs, 2);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(o), 14 + 28 + 100);
	rte_pktmbuf_free(o);
	CU_ASSERT_EQUAL(fixture_port_counter(&fixture_lab.f, "uplink0", IOC_PC_FWD_VNIC),
			before + 1);
}

static void
test_ledgers(void)
{
	fixture_assert_ledgers(&fixture_lab.f);
}

static int
suite_init(void)
{
	return fixture_lab_start(MALFORMED_INI);
}

static void
test_malformed_register(void)
{
	CU_pSuite s = CU_add_suite("malformed", suite_init, fixture_lab_suite_cleanup);

	CU_add_test(s, "valid UDP both ways (sanity)", test_sanity_valid_udp);
	CU_add_test(s, "truncated Ethernet: runt", test_truncated_ethernet);
	CU_add_test(s, "truncated IPv4 header", test_truncated_ip);
	CU_add_test(s, "truncated TCP/UDP/ICMP header", test_truncated_l4);
	CU_add_test(s, "IHL < 5, IHL past the frame, not v4", test_bad_ihl);
	CU_add_test(s, "total length bigger/smaller than the frame", test_total_length_lies);
	CU_add_test(s, "first and non-first fragments", test_fragments);
	CU_add_test(s, "IPv4 options, IHL 6-15", test_ip_options);
	CU_add_test(s, "VLAN, QinQ, three tags, cut tag", test_vlan_qinq);
	CU_add_test(s, "IPv6 with extension headers", test_ipv6_ext_headers);
	CU_add_test(s, "ARP with odd lengths", test_arp_odd);
	CU_add_test(s, "jumbo multi-segment mbuf", test_jumbo_multiseg);
	CU_add_test(s, "ledgers add up", test_ledgers);
	CU_add_test(s, "no mbuf leaked", fixture_lab_test_no_leak);
}

UNIT_SUITES(test_malformed_register)
