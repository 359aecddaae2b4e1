/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_arp.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "config.h"
#include "events.h"
#include "fixture.h"

static struct rte_mempool *test_pool;

int
fixture_eal_init(const char *prog)
{
	/*
	 * DPDK 22.11 refuses --in-memory with --no-huge (which implies legacy
	 * memory); --no-shconf is the part of --in-memory that applies: no
	 * runtime files, so test runs never collide with each other or an iochain.
	 */
	char *argv[] = {
		(char *)prog, "--no-huge", "--no-shconf",    "-l",	    "0",	 "-m",
		"256",	      "--no-pci",  "--no-telemetry", "--log-level", "*:warning",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("test_pool", 4096, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	return test_pool == NULL ? -1 : 0;
}

struct rte_mempool *
fixture_pool(void)
{
	return test_pool;
}

#define MAX_RING_PORTS 16
static struct ring_port ring_ports[MAX_RING_PORTS];
static unsigned n_ring_ports;

/*
 * The ethdev over a ring port's rings, created again if a datapath closed it
 * (ioc_dp_destroy closes every port it configured): the rings and the
 * struct ring_port stay, so tests keep their pointers.
 */
static int
ring_port_attach(struct ring_port *p)
{
	const char *suffix = p->name + strlen("net_ring_");
	uint16_t id;

	if (rte_eth_dev_get_port_by_name(p->name, &id) == 0 && id == p->port_id)
		return 0;
	/* Closing the ethdev left its vdev, which would refuse the same name. */
	if (p->port_id != RTE_MAX_ETHPORTS)
		rte_eal_hotplug_remove("vdev", p->name);
	/* The ring driver names the ethdev "net_ring_" + the name given here. */
	int rc = rte_eth_from_rings(suffix, &p->to, 1, &p->from, 1, SOCKET_ID_ANY);
	if (rc < 0)
		return rc;
	p->port_id = (uint16_t)rc;
	return 0;
}

struct ring_port *
fixture_ring_port(const char *suffix)
{
	char name[32], rname[RTE_RING_NAMESIZE];
	struct ring_port *p;

	snprintf(name, sizeof(name), "net_ring_%s", suffix);
	for (unsigned i = 0; i < n_ring_ports; i++) {
		if (strcmp(ring_ports[i].name, name) == 0)
			return ring_port_attach(&ring_ports[i]) == 0 ? &ring_ports[i] : NULL;
	}
	if (n_ring_ports == MAX_RING_PORTS)
		return NULL;
	p = &ring_ports[n_ring_ports];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(rname, sizeof(rname), "to_%s", suffix);
	p->to = rte_ring_create(rname, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "from_%s", suffix);
	p->from = rte_ring_create(rname, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p->to == NULL || p->from == NULL)
		return NULL;
	p->port_id = RTE_MAX_ETHPORTS;
	if (ring_port_attach(p) != 0)
		return NULL;
	n_ring_ports++;
	return p;
}

int
fixture_dp_start(struct dp_fixture *f, const char *ini)
{
	struct ioc_error err;
	char msg[512];

	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < n_ring_ports; i++) {
		if (ring_port_attach(&ring_ports[i]) != 0)
			return -1;
	}
	ioc_topo_init(&f->topo);
	if (ioc_config_load_string(ini, "test.ini", &f->topo, &err) != 0) {
		ioc_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "fixture: %s\n", msg);
		return -1;
	}
	if (ioc_dp_create(&f->topo, &f->dp, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "fixture: %s\n", msg);
		ioc_topo_free(&f->topo);
		return -1;
	}
	f->lc = f->dp->lcores[0];
	return 0;
}

/* Frees whatever a test left in the rings, so that it leaks into no other test. */
static void
drain_all_rings(void)
{
	for (unsigned i = 0; i < n_ring_ports; i++) {
		struct rte_mbuf *m;

		fixture_drain_free(&ring_ports[i]);
		while (rte_ring_dequeue(ring_ports[i].to, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	}
}

bool
fixture_no_mbuf_in_use(struct dp_fixture *f)
{
	drain_all_rings();
	/* Test packets come from the test pool, flood copies from the datapath's. */
	return rte_mempool_in_use_count(test_pool) == 0 &&
	       (f->dp == NULL || rte_mempool_in_use_count(f->dp->pool) == 0);
}

int
fixture_two_vnics_start(struct dp_fixture *f, const char *ini, struct ring_port **vm1,
			struct ring_port **vm2, struct ring_port **up)
{
	*vm1 = fixture_ring_port("vm1");
	*vm2 = fixture_ring_port("vm2");
	*up = fixture_ring_port("up0");
	if (*vm1 == NULL || *vm2 == NULL || *up == NULL)
		return -1;
	return fixture_dp_start(f, ini);
}

int
fixture_dp_stop(struct dp_fixture *f)
{
	bool clean = fixture_no_mbuf_in_use(f);

	ioc_dp_destroy(f->dp);
	ioc_topo_free(&f->topo);
	f->dp = NULL;
	if (!clean)
		fprintf(stderr, "fixture: mbufs still in use at teardown\n");
	return clean ? 0 : -1;
}

void
fixture_inject(struct dp_fixture *f, struct ring_port *p, struct rte_mbuf **pkts, unsigned n)
{
	unsigned done = rte_ring_enqueue_burst(p->to, (void **)pkts, n, NULL);

	CU_ASSERT_EQUAL_FATAL(done, n);
	while (rte_ring_count(p->to) > 0)
		ioc_fwd_poll(f->lc);
}

unsigned
fixture_drain(struct ring_port *p, struct rte_mbuf **out, unsigned n)
{
	return rte_ring_dequeue_burst(p->from, (void **)out, n, NULL);
}

unsigned
fixture_drain_free(struct ring_port *p)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while (rte_ring_dequeue(p->from, (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static void
find_event(const char *line, void *arg)
{
	const char **want = arg;

	if (*want != NULL && strstr(line, *want) != NULL)
		*want = NULL;
}

bool
fixture_has_event(const char *s)
{
	const char *want = s;

	ioc_events_foreach(find_event, &want);
	return want == NULL;
}

uint64_t
fixture_port_counter(struct dp_fixture *f, const char *port, enum ioc_port_counter c)
{
	uint64_t v[IOC_PC_MAX];
	int p = ioc_dp_find_port(f->dp, port);

	if (p < 0)
		return UINT64_MAX;
	ioc_dp_port_counters(f->dp, (unsigned)p, v);
	return v[c];
}

uint64_t
fixture_slot_counter(struct dp_fixture *f, const char *vnic, const char *name)
{
	int v = ioc_dp_find_port(f->dp, vnic);
	uint64_t c[64];
	char n[64];

	if (v < 0 || f->dp->ports[v].kind != IOC_PORT_VNIC)
		return UINT64_MAX;
	const struct ioc_chain *ch = &f->dp->vnics[v].chain;
	ioc_dp_slot_counters(f->dp, (unsigned)v, c);
	for (unsigned k = 0; k < ch->n_counters; k++) {
		ioc_chain_counter_name(ch, k, n, sizeof(n));
		if (strcmp(n, name) == 0)
			return c[k];
	}
	return UINT64_MAX;
}

static void
mac(const char *s, struct rte_ether_addr *a)
{
	uint8_t b[6];

	if (ioc_parse_mac(s, b, NULL) != 0)
		memset(b, 0xee, sizeof(b));
	memcpy(a->addr_bytes, b, 6);
}

static struct rte_mbuf *
pkt_alloc(unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);

	if (m == NULL)
		return NULL;
	char *p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	return m;
}

/* Fills m's Ethernet header; returns what follows it. */
static void *
eth_fill(struct rte_mbuf *m, const char *smac, const char *dmac, uint16_t type)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	mac(smac, &eth->src_addr);
	mac(dmac, &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(type);
	return eth + 1;
}

struct rte_mbuf *
pkt_ipv4(const char *smac, const char *dmac, uint32_t sip, uint32_t dip, uint8_t proto,
	 unsigned l4len)
{
	unsigned len = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + l4len;
	struct rte_mbuf *m = pkt_alloc(len < 60 ? 60 : len);

	if (m == NULL)
		return NULL;
	struct rte_ipv4_hdr *ip = eth_fill(m, smac, dmac, RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4len);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

struct rte_mbuf *
pkt_udp(const char *smac, const char *dmac, uint32_t sip, uint32_t dip, uint16_t sport,
	uint16_t dport)
{
	struct rte_mbuf *m =
		pkt_ipv4(smac, dmac, sip, dip, IPPROTO_UDP, sizeof(struct rte_udp_hdr) + 18);
	if (m == NULL)
		return NULL;
	struct rte_udp_hdr *u =
		rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
					sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16(sizeof(*u) + 18);
	return m;
}

struct rte_mbuf *
pkt_tcp(const char *smac, const char *dmac, uint32_t sip, uint32_t dip, uint16_t sport,
	uint16_t dport)
{
	struct rte_mbuf *m =
		pkt_ipv4(smac, dmac, sip, dip, IPPROTO_TCP, sizeof(struct rte_tcp_hdr));
	if (m == NULL)
		return NULL;
	struct rte_tcp_hdr *t =
		rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
					sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	t->src_port = rte_cpu_to_be_16(sport);
	t->dst_port = rte_cpu_to_be_16(dport);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_SYN_FLAG;
	return m;
}

struct rte_mbuf *
pkt_icmp_echo(const char *smac, const char *dmac, uint32_t sip, uint32_t dip, uint16_t id,
	      bool reply)
{
	struct rte_mbuf *m =
		pkt_ipv4(smac, dmac, sip, dip, IPPROTO_ICMP, sizeof(struct rte_icmp_hdr) + 8);
	if (m == NULL)
		return NULL;
	struct rte_icmp_hdr *ic =
		rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *,
					sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	ic->icmp_type = reply ? RTE_IP_ICMP_ECHO_REPLY : RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(id);
	ic->icmp_seq_nb = rte_cpu_to_be_16(1);
	return m;
}

struct rte_mbuf *
pkt_arp(const char *esrc, const char *sha, uint32_t spa, uint32_t tpa)
{
	struct rte_mbuf *m = pkt_alloc(60);

	if (m == NULL)
		return NULL;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	mac(esrc, &eth->src_addr);
	memset(eth->dst_addr.addr_bytes, 0xff, 6);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	mac(sha, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = rte_cpu_to_be_32(spa);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tpa);
	return m;
}

struct rte_mbuf *
pkt_ipv6(const char *smac, const char *dmac)
{
	struct rte_mbuf *m = pkt_alloc(sizeof(struct rte_ether_hdr) + 40 + 8);

	if (m == NULL)
		return NULL;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	mac(smac, &eth->src_addr);
	mac(dmac, &eth->dst_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	uint8_t *ip6 = (uint8_t *)(eth + 1);
	ip6[0] = 0x60;
	ip6[5] = 8;
	ip6[6] = IPPROTO_UDP;
	return m;
}

struct rte_mbuf *
pkt_ip6(const char *smac, const char *dmac, const uint8_t *sip, const uint8_t *dip, uint8_t proto,
	unsigned l4len)
{
	struct rte_mbuf *m =
		pkt_alloc(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) + l4len);

	if (m == NULL)
		return NULL;
	struct rte_ipv6_hdr *ip = eth_fill(m, smac, dmac, RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
	ip->proto = proto;
	ip->hop_limits = 255;
	memcpy(ip->src_addr, sip, 16);
	memcpy(ip->dst_addr, dip, 16);
	return m;
}

struct rte_mbuf *
pkt_raw(const void *data, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);

	if (m == NULL)
		return NULL;
	char *p = rte_pktmbuf_append(m, len);
	if (p == NULL && len > 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len > 0)
		memcpy(p, data, len);
	return m;
}

struct fixture_lab fixture_lab;

int
fixture_lab_start(const char *ini)
{
	struct fixture_lab *l = &fixture_lab;

	l->vm1 = fixture_ring_port("vm1");
	l->vm2 = fixture_ring_port("vm2");
	l->vm3 = fixture_ring_port("vm3");
	l->up = fixture_ring_port("up0");
	if (l->vm1 == NULL || l->vm2 == NULL || l->vm3 == NULL || l->up == NULL)
		return -1;
	return fixture_dp_start(&l->f, ini);
}

int
fixture_lab_suite_init(void)
{
	return fixture_lab_start(FIXTURE_INI);
}

int
fixture_lab_suite_cleanup(void)
{
	return fixture_dp_stop(&fixture_lab.f);
}

void
fixture_lab_test_no_leak(void)
{
	CU_ASSERT(fixture_no_mbuf_in_use(&fixture_lab.f));
}

void
fixture_assert_ledgers(struct dp_fixture *f)
{
	for (unsigned p = 0; p < f->dp->n_ports; p++) {
		uint64_t c[IOC_PC_MAX], in, out;

		ioc_dp_port_counters(f->dp, p, c);
		ioc_port_ledger(c, &in, &out);
		CU_ASSERT_EQUAL(in, out);
		CU_ASSERT_EQUAL(c[IOC_PC_TX_QUEUED],
				c[IOC_PC_TX] + c[IOC_PC_TX_DROP_FULL] + c[IOC_PC_TX_DROP_SEGS]);
		if (f->dp->ports[p].kind != IOC_PORT_VNIC)
			continue;

		const struct ioc_chain *ch = &f->dp->vnics[p].chain;
		uint64_t sc[64];

		CU_ASSERT_FATAL(ch->n_counters <= RTE_DIM(sc));
		ioc_dp_slot_counters(f->dp, p, sc);
		for (unsigned s = 0; s < ch->n_slots; s++) {
			const uint64_t *blk = sc + ch->slot[s].cnt_off;
			uint64_t reasons = 0;

			for (unsigned r = 0; r < ch->slot[s].ops->n_reasons; r++)
				reasons += blk[IOC_SLOT_REASONS + r];
			CU_ASSERT_EQUAL(blk[IOC_SLOT_IN], blk[IOC_SLOT_PASS] + reasons);
		}
	}
}
