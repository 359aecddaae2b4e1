/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the whole datapath over the unit fixture's ring ports.
 * The lab is FIXTURE_INI plus a stateful dfw (allow, drop, reject rules) and a
 * service with two SVM workers (a failClosed profile for VM1, a failOpen one
 * for VM2), polled by hand. The input is a list of frames, each
 *   [ctl][len_hi][len_lo][len bytes]
 * ctl & 3 picks the port it enters (vm1, vm2, vm3, uplink), ctl >> 2 & 7
 * rewrites the destination MAC (a vNIC, the laptop, broadcast, or as is), ctl
 * >> 5 & 1 sets the source MAC to the sender vNIC's own (past spoofguard),
 * ctl >> 6 & 1 stalls worker 0 for this round. Asserts: no crash, each port's
 * ledger adds up, every slot's in = pass + drops (+ held), and every mbuf is
 * back in its pool once the rings are drained. Each frame's data is an
 * external buffer malloc'd to end exactly where the frame ends, so that ASan
 * reports any read past it (DPDK's mempool memory is not instrumented).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "chain.h"
#include "config.h"
#include "fixture.h"
#include "fwd.h"
#include "meta.h"
#include "svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHAIN_INI                                                                                  \
	FIXTURE_INI                                                                                \
	"[group g1]\nmembers = vnic:VM1.eth0\n"                                                    \
	"[group g2]\nmembers = vm:VM2\n"                                                           \
	"[dfw]\ndefault_action = allow\nstateful = true\n"                                         \
	"[dfw_rule drop-23]\npriority = 10\nservice = tcp/23\naction = drop\n"                     \
	"[dfw_rule rej-9000]\npriority = 20\nservice = tcp/9000\naction = reject\n"                \
	"[dfw_rule rej-9001]\npriority = 20\nservice = udp/9001\naction = reject\n"                \
	"[dfw_rule rej-out]\npriority = 20\nservice = tcp/9002\ndirection = out\n"                 \
	"action = reject\n"                                                                        \
	"[service fgt]\nvendor = Fortinet\n"                                                       \
	"[service_instance fgt-1]\nservice = fgt\nlcores = 2,3\nslow_path_id = 18020\n"            \
	"[service_profile closed]\ninstance = fgt-1\nfail_open = false\n"                          \
	"[service_profile open]\ninstance = fgt-1\nfail_open = true\n"                             \
	"[redirect_rule r-vm1]\ngroup = g1\naction = redirect\nprofile = closed\n"                 \
	"[redirect_rule r-vm2]\ngroup = g2\nservice = tcp, udp\naction = redirect\n"               \
	"profile = open\n"                                                                         \
	"[svm_rule deny-dns]\ninstance = fgt-1\npriority = 5\nservice = udp/53\naction = drop\n"   \
	"[svm_rule rest]\ninstance = fgt-1\npriority = 10\nservice = any\naction = allow\n"

static struct fixture_lab *lab;
static struct ring_port *ports[4];

static void
init_once(void)
{
	if (fixture_eal_init("fuzz_chain") != 0)
		abort();
	if (fixture_lab_start(CHAIN_INI) != 0)
		abort();
	lab = &fixture_lab;
	ports[0] = lab->vm1;
	ports[1] = lab->vm2;
	ports[2] = lab->vm3;
	ports[3] = lab->up;
}

static void
set_mac(uint8_t *p, const char *s)
{
	uint8_t b[6];

	if (ioc_parse_mac(s, b, NULL) == 0)
		memcpy(p, b, 6);
}

static void
free_ext(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

/* A frame in a test-pool mbuf whose data is a malloc'd buffer: headroom, then exactly len. */
static struct rte_mbuf *
ext_pkt(const uint8_t *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fixture_pool());
	uint8_t *buf = malloc(RTE_PKTMBUF_HEADROOM + len);
	struct rte_mbuf_ext_shared_info *sh = calloc(1, sizeof(*sh));

	if (m == NULL || buf == NULL || sh == NULL)
		abort();
	memcpy(buf + RTE_PKTMBUF_HEADROOM, data, len);
	sh->free_cb = free_ext;
	sh->fcb_opaque = sh;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, buf, 0, (uint16_t)(RTE_PKTMBUF_HEADROOM + len), sh);
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	return m;
}

static void
drain(void)
{
	for (unsigned k = 0; k < 4; k++)
		fixture_drain_free(ports[k]);
}

static void
round_trip(struct dp_fixture *f, bool stall0)
{
	for (unsigned i = 0; i < f->dp->svc->n_workers; i++) {
		if (!(stall0 && i == 0))
			ioc_svm_worker_poll(f->dp->svc->workers[i]);
	}
	ioc_fwd_poll(f->lc);
	drain();
}

static void
check_ledgers(struct dp_fixture *f)
{
	for (unsigned p = 0; p < f->dp->n_ports; p++) {
		uint64_t c[IOC_PC_MAX];

		ioc_dp_port_counters(f->dp, p, c);
		uint64_t in, out;

		ioc_port_ledger(c, &in, &out);
		if (in != out)
			abort();
		if (c[IOC_PC_TX_QUEUED] !=
		    c[IOC_PC_TX] + c[IOC_PC_TX_DROP_FULL] + c[IOC_PC_TX_DROP_SEGS])
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dst_macs[8] = {
		MAC_VM1, MAC_VM2, MAC_VM3, MAC_LAPTOP, MAC_BCAST, "01:00:5e:00:00:01", NULL, NULL,
	};
	static const char *const own_macs[4] = { MAC_VM1, MAC_VM2, MAC_VM3, MAC_LAPTOP };

	if (lab == NULL)
		init_once();
	struct dp_fixture *f = &lab->f;

	while (size >= 3) {
		uint8_t ctl = data[0];
		size_t len = ((size_t)data[1] << 8 | data[2]) % 1600;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		struct rte_mbuf *m = ext_pkt(data, len);
		data += len;
		size -= len;
		if (m == NULL)
			abort();
		unsigned port = ctl & 3;
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		if (len >= 6 && dst_macs[ctl >> 2 & 7] != NULL)
			set_mac(p, dst_macs[ctl >> 2 & 7]);
		if (len >= 12 && (ctl >> 5 & 1))
			set_mac(p + 6, own_macs[port]);
		if (rte_ring_enqueue(ports[port]->to, m) != 0)
			abort();
		while (rte_ring_count(ports[port]->to) > 0)
			ioc_fwd_poll(f->lc);
		round_trip(f, ctl >> 6 & 1);
	}
	/* Everything held comes back (the workers all serve again). */
	for (unsigned i = 0; i < 4; i++)
		round_trip(f, false);
	check_ledgers(f);
	if (!fixture_no_mbuf_in_use(f))
		abort();
	return 0;
}
