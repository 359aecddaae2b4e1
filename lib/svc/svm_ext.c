/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * External SVMs: the arms, the worker's loop around an appliance, probes,
 * liveness. Their `restart` command: svm_restart.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "events.h"
#include "log.h"
#include "meta.h"
#include "port.h"
#include "svc.h"
#include "svm_ext.h"

const char *const ioc_ext_counter_names[IOC_EXT_MAX] = {
	[IOC_EXT_SENT] = "svm_sent",	   [IOC_EXT_RETURNED] = "svm_returned",
	[IOC_EXT_UNKNOWN] = "svm_unknown", [IOC_EXT_LATE] = "svm_late",
	[IOC_EXT_PROBE_TX] = "probe_tx",   [IOC_EXT_PROBE_RX] = "probe_rx",
	[IOC_EXT_PROBE_BAD] = "probe_bad", [IOC_EXT_PROBE_NOSEND] = "probe_nosend",
	[IOC_EXT_ARM_FULL] = "arm_full",
};

/* What a probe carries after its headers. */
struct probe_payload {
	rte_be32_t magic;
	uint8_t arm; /* the arm it entered */
	uint8_t pad;
	uint16_t lcore; /* the worker that sent it */
	uint32_t seq;
	uint64_t tsc;
} __rte_packed;

#define PROBE_L2_OFF sizeof(struct rte_ether_hdr)
#define PROBE_ICMP_OFF                                                                             \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_icmp_hdr))
#define PROBE_ICMP_ID 0x494f

/* ---- control plane ----------------------------------------------------------------------- */

void
ioc_svm_ext_free(struct ioc_svm_ext *x)
{
	if (x == NULL)
		return;
	rte_free(x->vnics);
	rte_free(x->sent_by_port);
	rte_free(x->rx_by_port);
	rte_free(x);
}

/* The vNICs whose redirect rules use instance `inst`, each with its own slot-4 profile. */
static unsigned
served_vnics(const struct ioc_topology *t, unsigned inst, struct ioc_ext_vnic *out)
{
	unsigned n = 0;

	for (unsigned v = 0; v < t->n_vnics; v++) {
		int own = -1;
		bool served = false;

		for (unsigned r = 0; r < t->n_redirect_rules; r++) {
			const struct ioc_redirect_rule *rr = &t->redirect_rules[r];

			if (rr->action != IOC_ACT_REDIRECT ||
			    !ioc_topo_group_has_vnic(t, rr->group, (int)v))
				continue;
			if (own < 0)
				own = rr->profile;
			served |= (unsigned)t->profiles[rr->profile].instance == inst;
		}
		if (!served)
			continue;
		struct ioc_ext_vnic *e = &out[n++];

		memcpy(e->mac, t->vnics[v].mac, 6);
		e->vnic = (uint16_t)v;
		e->profile = (uint16_t)(own + 1);
		e->n_lcores = (uint8_t)t->vnics[v].lcores.n;
		for (unsigned i = 0; i < e->n_lcores; i++)
			e->lcores[i] = t->vnics[v].lcores.id[i];
	}
	return n;
}

struct ioc_svm_ext *
ioc_svm_ext_create(const struct ioc_topology *t, unsigned idx, unsigned inst, unsigned n_ports)
{
	const struct ioc_svm *s = &t->svms[idx];
	struct ioc_svm_ext *x = rte_zmalloc("ioc_svm_ext", sizeof(*x), RTE_CACHE_LINE_SIZE);

	if (x == NULL)
		return NULL;
	snprintf(x->name, sizeof(x->name), "%s", s->name);
	snprintf(x->devargs[IOC_ARM_IN], IOC_DEVARGS_MAX, "%s", s->device_in);
	snprintf(x->devargs[IOC_ARM_OUT], IOC_DEVARGS_MAX, "%s", s->device_out);
	snprintf(x->restart_cmd, sizeof(x->restart_cmd), "%s", s->restart);
	x->probe = s->probe;
	x->probe_period = rte_get_tsc_hz() * s->probe_interval_ms / 1000;
	x->restart.after_ms = s->restart_after_ms;
	x->restart.next_ms = UINT64_MAX;
	/* Locally administered, one pair per worker lcore: 02:69:6f:63:LCORE:ARM. */
	for (unsigned a = 0; a < 2; a++) {
		const uint8_t mac[6] = { 0x02, 0x69, 0x6f, 0x63, (uint8_t)s->lcore, (uint8_t)a };

		memcpy(x->probe_mac[a], mac, 6);
	}
	x->vnics = rte_zmalloc("ioc_ext_vnics", sizeof(*x->vnics) * (t->n_vnics + 1), 0);
	x->sent_by_port = rte_zmalloc("ioc_ext_sent", sizeof(uint64_t) * (n_ports + 1), 0);
	x->rx_by_port = rte_zmalloc("ioc_ext_rx", sizeof(uint64_t) * (n_ports + 1), 0);
	if (x->vnics == NULL || x->sent_by_port == NULL || x->rx_by_port == NULL) {
		ioc_svm_ext_free(x);
		return NULL;
	}
	x->n_vnics = served_vnics(t, inst, x->vnics);
	return x;
}

unsigned
ioc_svm_ext_pool_need(const struct ioc_topology *t)
{
	return t->n_svms * 2 * (IOC_NB_RXD + IOC_NB_TXD);
}

int
ioc_svm_ext_open_arms(struct ioc_svc *svc, struct rte_mempool *pool, const uint8_t *resume_slot,
		      char *err, size_t len)
{
	for (unsigned i = 0; svc != NULL && i < svc->n_workers; i++) {
		struct ioc_svm_ext *x = svc->workers[i]->ext;

		if (x == NULL)
			continue;
		x->pool = pool;
		for (unsigned v = 0; v < x->n_vnics; v++)
			x->vnics[v].next_slot = resume_slot[x->vnics[v].vnic];
		x->link_signal = true;
		for (unsigned a = 0; a < 2; a++) {
			struct rte_eth_dev_info info;
			char perr[256];
			int rc = ioc_port_open(x->devargs[a], &x->port[a], &x->probed[a], perr,
					       sizeof(perr));

			if (rc == 0) {
				struct ioc_port_conf pc = { .n_rxq = 1, .n_txq = 1, .mp = pool };

				x->opened[a] = true;
				rc = ioc_port_start(x->port[a], &pc, perr, sizeof(perr));
			}
			if (rc != 0) {
				snprintf(err, len, "svm %s: %s: %s", x->name,
					 a == IOC_ARM_IN ? "device_in" : "device_out", perr);
				return rc;
			}
			/* A tap lives in the appliance's namespace: its flags read as down here. */
			if (rte_eth_dev_info_get(x->port[a], &info) == 0 &&
			    strcmp(info.driver_name, "net_tap") == 0)
				x->link_signal = false;
		}
	}
	return 0;
}

void
ioc_svm_ext_close_arms(struct ioc_svc *svc)
{
	for (unsigned i = 0; svc != NULL && i < svc->n_workers; i++) {
		struct ioc_svm_ext *x = svc->workers[i]->ext;

		for (unsigned a = 0; x != NULL && a < 2; a++) {
			for (uint16_t k = 0; k < x->n_txq[a]; k++)
				rte_pktmbuf_free(x->txq[a][k]);
			x->n_txq[a] = 0;
			if (x->opened[a])
				ioc_port_close(x->port[a], x->probed[a]);
			x->opened[a] = false;
		}
	}
}

/* ---- probes ------------------------------------------------------------------------------- */

struct rte_mbuf *
ioc_svm_ext_probe(struct ioc_svm_ext *x, unsigned lcore, enum ioc_arm a, uint32_t seq, uint64_t tsc)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(x->pool);
	size_t off = x->probe == IOC_PROBE_ICMP ? PROBE_ICMP_OFF : PROBE_L2_OFF;
	size_t len = RTE_MAX(off + sizeof(struct probe_payload), (size_t)RTE_ETHER_MIN_LEN - 4);

	if (m == NULL)
		return NULL;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	memcpy(eth->dst_addr.addr_bytes, x->probe_mac[!a], 6);
	memcpy(eth->src_addr.addr_bytes, x->probe_mac[a], 6);
	struct probe_payload *pl = (struct probe_payload *)(p + off);
	pl->magic = rte_cpu_to_be_32(IOC_PROBE_MAGIC);
	pl->arm = (uint8_t)a;
	pl->lcore = (uint16_t)lcore;
	pl->seq = seq;
	pl->tsc = tsc;
	if (x->probe != IOC_PROBE_ICMP) {
		eth->ether_type = rte_cpu_to_be_16(IOC_PROBE_ETHERTYPE);
		return m;
	}
	/* An echo request between link-local addresses 169.254.LCORE.1 and .2. */
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	uint16_t l4len = (uint16_t)(sizeof(*ic) + sizeof(*pl));

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	uint32_t net = UINT32_C(169) << 24 | UINT32_C(254) << 16 | (lcore & 0xffu) << 8;

	ip->src_addr = rte_cpu_to_be_32(net | (1u + a));
	ip->dst_addr = rte_cpu_to_be_32(net | (2u - a));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(PROBE_ICMP_ID);
	ic->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)seq);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4len);
	return m;
}

/* The probe payload of m if it is one of ours (any worker's), else NULL. */
static const struct probe_payload *
probe_of(const struct ioc_svm_ext *x, struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	size_t off;

	if (len < PROBE_L2_OFF + sizeof(struct probe_payload))
		return NULL;
	if (eth->ether_type == rte_cpu_to_be_16(IOC_PROBE_ETHERTYPE)) {
		off = PROBE_L2_OFF;
	} else if (x->probe == IOC_PROBE_ICMP &&
		   eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
		   len >= PROBE_ICMP_OFF + sizeof(struct probe_payload)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
		const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(ip + 1);

		if (ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_ICMP ||
		    ic->icmp_ident != rte_cpu_to_be_16(PROBE_ICMP_ID))
			return NULL;
		off = PROBE_ICMP_OFF;
	} else {
		return NULL;
	}
	const struct probe_payload *pl = (const struct probe_payload *)(p + off);
	return pl->magic == rte_cpu_to_be_32(IOC_PROBE_MAGIC) ? pl : NULL;
}

/* A probe came out of arm `out`: liveness, RTT, and the mark svm_lost counts from. */
static void
probe_back(struct ioc_svm_worker *w, struct ioc_svm_ext *x, const struct probe_payload *pl,
	   enum ioc_arm out, uint64_t now)
{
	if (pl->arm > IOC_ARM_OUT || pl->arm == out || pl->lcore != w->lcore_id || pl->tsc > now) {
		x->cnt[IOC_EXT_PROBE_BAD]++;
		return;
	}
	x->cnt[IOC_EXT_PROBE_RX]++;
	__atomic_store_n(&x->last_probe[pl->arm], now, __ATOMIC_RELEASE);
	x->rtt_ns[x->n_rtt % IOC_EXT_RTT_SAMPLES] =
		(uint32_t)RTE_MIN((now - pl->tsc) * 1000000000 / rte_get_tsc_hz(), UINT32_MAX);
	__atomic_store_n(&x->n_rtt, x->n_rtt + 1, __ATOMIC_RELEASE);
	/* Frames handed in before this probe have come out, or the appliance dropped them. */
	if (x->seq - pl->seq <= IOC_EXT_MARKS) {
		x->lost_mark_sent = x->mark_sent[pl->seq % IOC_EXT_MARKS];
		x->lost_mark_out =
			x->cnt[IOC_EXT_RETURNED] + x->cnt[IOC_EXT_UNKNOWN] + x->cnt[IOC_EXT_LATE];
	}
}

static void
send_probes(struct ioc_svm_worker *w, struct ioc_svm_ext *x, uint64_t now)
{
	for (unsigned a = 0; a < 2; a++) {
		struct rte_mbuf *m =
			ioc_svm_ext_probe(x, w->lcore_id, (enum ioc_arm)a, x->seq, now);

		x->mark_sent[x->seq % IOC_EXT_MARKS] = x->cnt[IOC_EXT_SENT];
		x->seq++;
		if (m == NULL || rte_eth_tx_burst(x->port[a], 0, &m, 1) == 0) {
			rte_pktmbuf_free(m);
			x->cnt[IOC_EXT_PROBE_NOSEND]++;
			continue;
		}
		x->cnt[IOC_EXT_PROBE_TX]++;
	}
	x->next_probe = now + x->probe_period;
}

/* ---- the worker -------------------------------------------------------------------------- */

/* When it stops serving: what it took since the newest probe back and did not return. */
static void
account_lost(struct ioc_svm_ext *x)
{
	uint64_t out = x->cnt[IOC_EXT_RETURNED] + x->cnt[IOC_EXT_UNKNOWN] + x->cnt[IOC_EXT_LATE];
	uint64_t in = x->cnt[IOC_EXT_SENT] - x->lost_mark_sent;

	if (in > out - x->lost_mark_out)
		__atomic_store_n(&x->lost, x->lost + in - (out - x->lost_mark_out),
				 __ATOMIC_RELAXED);
	x->lost_mark_sent = x->cnt[IOC_EXT_SENT];
	x->lost_mark_out = out;
}

static const struct ioc_ext_vnic *
match(const struct ioc_svm_ext *x, const uint8_t *mac)
{
	for (unsigned i = 0; i < x->n_vnics; i++) {
		if (memcmp(x->vnics[i].mac, mac, 6) == 0)
			return &x->vnics[i];
	}
	return NULL;
}

/* The bytes an appliance passes unchanged, enough to tell apart two group-addressed frames. */
static uint32_t
group_sig(const struct rte_mbuf *m)
{
	return rte_jhash(rte_pktmbuf_mtod(m, const void *), RTE_MIN(rte_pktmbuf_data_len(m), 128u),
			 rte_pktmbuf_pkt_len(m));
}

static inline bool
is_group(const struct rte_mbuf *m)
{
	return rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr) &&
	       rte_is_multicast_ether_addr(
		       &rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->dst_addr);
}

/* An inbound group-addressed frame handed into device_out for vNIC `vnic`: remembered. */
static void
group_in(struct ioc_svm_ext *x, const struct rte_mbuf *m, uint16_t vnic)
{
	for (unsigned i = 0; i < x->n_vnics; i++) {
		if (x->vnics[i].vnic != vnic)
			continue;
		unsigned k = x->group_next++ % IOC_EXT_GROUP_SLOTS;

		x->group[k].sig = group_sig(m);
		x->group[k].vnic = (uint16_t)(i + 1);
		return;
	}
}

/* A group-addressed frame out of device_in: the vNIC a copy of it was handed in for, or NULL. */
static const struct ioc_ext_vnic *
group_out(struct ioc_svm_ext *x, const struct rte_mbuf *m)
{
	uint32_t sig = group_sig(m);

	for (unsigned k = 0; k < IOC_EXT_GROUP_SLOTS; k++) {
		if (x->group[k].vnic != 0 && x->group[k].sig == sig) {
			const struct ioc_ext_vnic *e = &x->vnics[x->group[k].vnic - 1];

			x->group[k].vnic = 0;
			return e;
		}
	}
	return NULL;
}

/* The vNIC a frame out of the appliance is for: by source MAC outbound, destination MAC inbound. */
static const struct ioc_ext_vnic *
returned_to(struct ioc_svm_ext *x, const struct rte_mbuf *m, bool outbound)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return NULL;
	if (outbound)
		return match(x, eth->src_addr.addr_bytes);
	return is_group(m) ? group_out(x, m) : match(x, eth->dst_addr.addr_bytes);
}

static inline bool
any_back_pending(const struct ioc_svm_worker *w)
{
	for (unsigned i = 0; i < w->n_fwd; i++) {
		if (w->n_pending[w->fwd_lcores[i]] > 0)
			return true;
	}
	return false;
}

static unsigned
flush_back(struct ioc_svm_worker *w)
{
	unsigned done = 0;

	for (unsigned i = 0; i < w->n_fwd; i++) {
		unsigned l = w->fwd_lcores[i];
		uint16_t np = w->n_pending[l];

		if (np == 0)
			continue;
		unsigned sent =
			rte_ring_sp_enqueue_burst(w->back[l], (void **)w->pending[l], np, NULL);
		if (sent < np) {
			w->cnt[IOC_SVM_BACK_FULL] += np - sent;
			memmove(w->pending[l], w->pending[l] + sent,
				sizeof(w->pending[l][0]) * (np - sent));
		}
		w->n_pending[l] = (uint16_t)(np - sent);
		done += sent;
	}
	return done;
}

/*
 * What came out of arm a: probes are accounted and freed; a frame is matched
 * to a vNIC (out of device_out: outbound, by source MAC; out of device_in:
 * inbound, by destination MAC) and queued to that vNIC's forwarding lcore.
 * A burst at most, taken only while the return buffers are empty, so it fits
 * them whichever lcores its frames are for.
 */
static unsigned
take_out(struct ioc_svm_worker *w, struct ioc_svm_ext *x, enum ioc_arm a, bool serving,
	 uint64_t now)
{
	struct rte_mbuf *pkts[IOC_BURST];
	uint16_t n = rte_eth_rx_burst(x->port[a], 0, pkts, IOC_BURST);
	bool outbound = a == IOC_ARM_OUT;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct probe_payload *pl = probe_of(x, m);

		if (pl != NULL) {
			probe_back(w, x, pl, a, now);
			rte_pktmbuf_free(m);
			continue;
		}
		if (!serving) {
			x->cnt[IOC_EXT_LATE]++;
			rte_pktmbuf_free(m);
			continue;
		}
		const struct ioc_ext_vnic *e = returned_to(x, m, outbound);
		struct ioc_meta *md = ioc_meta(m);

		if (e == NULL || ioc_meta_parse(m, md) < 0) {
			x->cnt[IOC_EXT_UNKNOWN]++;
			rte_pktmbuf_free(m);
			continue;
		}
		md->vnic = e->vnic;
		md->rx_port = e->vnic;
		md->dir = outbound ? IOC_DIR_OUT : IOC_DIR_IN;
		md->next_slot = e->next_slot;
		md->profile = e->profile;
		md->flags |= IOC_F_SVM_EXT;
		unsigned l = e->lcores[((uint64_t)ioc_flow_hash(m) * e->n_lcores) >> 32];
		x->rx_by_port[e->vnic]++;
		x->cnt[IOC_EXT_RETURNED]++;
		w->pending[l][w->n_pending[l]++] = m;
	}
	return n;
}

/* Hands what waits for arm a to it; counts what it took against the ports the packets came in on.
 */
static unsigned
push_arm(struct ioc_svm_ext *x, enum ioc_arm a, uint64_t now)
{
	uint16_t n = x->n_txq[a];

	if (n == 0) {
		__atomic_store_n(&x->last_taken[a], now, __ATOMIC_RELEASE);
		return 0;
	}
	uint16_t sent = rte_eth_tx_burst(x->port[a], 0, x->txq[a], n);

	for (uint16_t i = 0; i < sent; i++)
		x->sent_by_port[x->txq_src[a][i].port]++;
	x->cnt[IOC_EXT_SENT] += sent;
	if (sent > 0 || n == 0)
		__atomic_store_n(&x->last_taken[a], now, __ATOMIC_RELEASE);
	if (sent < n) {
		x->cnt[IOC_EXT_ARM_FULL]++;
		memmove(x->txq[a], x->txq[a] + sent, sizeof(x->txq[a][0]) * (n - sent));
		memmove(x->txq_src[a], x->txq_src[a] + sent, sizeof(x->txq_src[a][0]) * (n - sent));
	}
	__atomic_store_n(&x->n_txq[a], (uint16_t)(n - sent), __ATOMIC_RELEASE);
	return sent;
}

/* Settles one packet that was not handed in when the worker was fenced: the fence's policy. */
static void
settle_fenced(struct ioc_svm_worker *w, struct rte_mbuf *m, const struct ioc_meta *md, unsigned l)
{
	if (ioc_svm_fence_keeps(w, md) && rte_ring_sp_enqueue(w->back[l], m) == 0)
		return; /* failOpen: back uninspected, allowed */
	if (md->profile != 0 && w->profiles[md->profile - 1].fail_open) {
		/* failOpen but the return ring is full: freed, and counted as fenced. */
		w->fenced_by_port[md->rx_port]++;
		w->cnt[IOC_SVM_FENCED_DROP]++;
	}
	rte_pktmbuf_free(m);
}

/* Packets from the `to` rings into the arm of their direction: outbound into device_in. */
static unsigned
feed(struct ioc_svm_worker *w, struct ioc_svm_ext *x)
{
	struct ioc_svm_pkt in[IOC_BURST];
	unsigned budget = IOC_BURST, total = 0;

	for (unsigned i = 0; i < w->n_fwd && budget > 0; i++) {
		unsigned l = w->fwd_lcores[i];
		unsigned n =
			rte_ring_mc_dequeue_burst_elem(w->to[l], in, sizeof(in[0]), budget, NULL);
		if (n == 0)
			continue;
		budget -= n;
		total += n;
		w->cnt[IOC_SVM_IN] += n;
		w->cnt[IOC_SVM_ALLOW] += n; /* the appliance's verdict is what comes out */
		/* Fenced meanwhile: its share went elsewhere, it may hand nothing in. */
		bool fenced = __atomic_load_n(&w->fence_gen, __ATOMIC_ACQUIRE) != w->run_gen;
		for (unsigned k = 0; k < n; k++) {
			enum ioc_arm a = in[k].md.dir == IOC_DIR_OUT ? IOC_ARM_IN : IOC_ARM_OUT;
			uint16_t q = x->n_txq[a];

			if (unlikely(fenced)) {
				settle_fenced(w, in[k].m, &in[k].md, l);
				continue;
			}
			/* Rare: the only frames this worker reads before the arm's driver does. */
			if (a == IOC_ARM_OUT && unlikely(in[k].md.flags & IOC_F_BCAST))
				group_in(x, in[k].m, in[k].md.vnic);
			x->txq[a][q] = in[k].m;
			x->txq_src[a][q].lcore = (uint16_t)l;
			x->txq_src[a][q].port = in[k].md.rx_port;
			x->n_txq[a] = (uint16_t)(q + 1);
		}
	}
	return total;
}

void
ioc_svm_ext_fence(struct ioc_svm_worker *w)
{
	struct ioc_svm_ext *x = w->ext;

	for (unsigned a = 0; a < 2; a++) {
		for (uint16_t k = 0; k < x->n_txq[a]; k++) {
			struct rte_mbuf *m = x->txq[a][k];

			/* Rare: the one place this worker reads a packet's metadata. */
			settle_fenced(w, m, ioc_meta(m), x->txq_src[a][k].lcore);
		}
		__atomic_store_n(&x->n_txq[a], 0, __ATOMIC_RELEASE);
	}
}

unsigned
ioc_svm_ext_poll(struct ioc_svm_worker *w, uint64_t now)
{
	struct ioc_svm_ext *x = w->ext;
	bool serving = __atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == IOC_SVM_UP;
	unsigned done = flush_back(w);

	if (x->serving && !serving)
		account_lost(x);
	x->serving = serving;
	/*
	 * Each arm gives back as much per poll as feed() hands in (a burst), or
	 * the appliance's own transmit fills and it drops what it inspected.
	 * The arm read first alternates, so neither direction waits on the other.
	 */
	for (unsigned k = 0; k < 2 && !any_back_pending(w); k++) {
		done += take_out(w, x, (enum ioc_arm)((x->take_first + k) & 1), serving, now);
		done += flush_back(w);
	}
	x->take_first ^= 1;
	done += push_arm(x, IOC_ARM_IN, now) + push_arm(x, IOC_ARM_OUT, now);
	if (serving && x->n_txq[IOC_ARM_IN] == 0 && x->n_txq[IOC_ARM_OUT] == 0) {
		unsigned n = feed(w, x);

		if (n > 0)
			done += n + push_arm(x, IOC_ARM_IN, now) + push_arm(x, IOC_ARM_OUT, now);
	}
	if (x->probe != IOC_PROBE_NONE && now >= x->next_probe)
		send_probes(w, x, now);
	return done;
}

void
ioc_svm_ext_start(struct ioc_svm_worker *w, uint64_t now)
{
	struct ioc_svm_ext *x = w->ext;

	x->next_probe = now;
	x->serving = false;
	for (unsigned a = 0; a < 2; a++) {
		__atomic_store_n(&x->last_probe[a], now, __ATOMIC_RELAXED);
		__atomic_store_n(&x->last_taken[a], now, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&x->started_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&x->started, true, __ATOMIC_RELEASE);
}

void
ioc_svm_ext_stop(struct ioc_svm_worker *w)
{
	__atomic_store_n(&w->ext->started, false, __ATOMIC_RELEASE);
}

/* ---- liveness (watchdog) ------------------------------------------------------------------ */

static bool
link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

void
ioc_svm_ext_liveness(const struct ioc_svm_worker *w, uint64_t now, uint64_t timeout,
		     uint64_t *last_ok, const char **why)
{
	const struct ioc_svm_ext *x = w->ext;

	/* Not started yet (a standby being launched): its heartbeat speaks for it. */
	if (!__atomic_load_n(&x->started, __ATOMIC_ACQUIRE))
		return;
	uint64_t start = __atomic_load_n(&x->started_tsc, __ATOMIC_RELAXED);

	for (unsigned a = 0; a < 2 && x->probe != IOC_PROBE_NONE; a++) {
		uint64_t t = RTE_MAX(__atomic_load_n(&x->last_probe[a], __ATOMIC_ACQUIRE), start);

		if (t < *last_ok) {
			*last_ok = t;
			*why = "probes lost for";
		}
	}
	for (unsigned a = 0; a < 2; a++) {
		uint64_t t = RTE_MAX(__atomic_load_n(&x->last_taken[a], __ATOMIC_ACQUIRE), start);

		if (__atomic_load_n(&x->n_txq[a], __ATOMIC_ACQUIRE) > 0 && t < *last_ok) {
			*last_ok = t;
			*why = "ring stalled for";
		}
	}
	if (x->link_signal && (!link_up(x->port[IOC_ARM_IN]) || !link_up(x->port[IOC_ARM_OUT]))) {
		*last_ok = RTE_MIN(*last_ok, now - RTE_MIN(timeout, now));
		*why = "link down, last alive";
	}
}

/* ---- telemetry ---------------------------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t
ioc_svm_ext_rtt_pct(const struct ioc_svm_ext *x, unsigned p)
{
	uint32_t s[IOC_EXT_RTT_SAMPLES];
	uint64_t n = RTE_MIN(__atomic_load_n(&x->n_rtt, __ATOMIC_ACQUIRE),
			     (uint64_t)IOC_EXT_RTT_SAMPLES);

	if (n == 0)
		return 0;
	memcpy(s, x->rtt_ns, sizeof(s[0]) * n);
	qsort(s, n, sizeof(s[0]), cmp_u32);
	return s[RTE_MIN(n * p / 100, n - 1)];
}

void
ioc_svm_ext_telemetry(const struct ioc_svm_worker *w, struct rte_tel_data *d)
{
	const struct ioc_svm_ext *x = w->ext;
	struct rte_eth_dev_info in, out;
	char buf[64];

	if (x == NULL)
		return;
	rte_tel_data_add_dict_string(d, "appliance", x->name);
	if (rte_eth_dev_info_get(x->port[IOC_ARM_IN], &in) == 0 &&
	    rte_eth_dev_info_get(x->port[IOC_ARM_OUT], &out) == 0) {
		snprintf(buf, sizeof(buf), "%s/%s", in.driver_name, out.driver_name);
		rte_tel_data_add_dict_string(d, "transport", buf);
	}
	rte_tel_data_add_dict_string(d, "link",
				     !x->link_signal ? "n/a"
				     : link_up(x->port[IOC_ARM_IN]) && link_up(x->port[IOC_ARM_OUT])
					     ? "up"
					     : "down");
	snprintf(buf, sizeof(buf), "%.1f", ioc_svm_ext_rtt_pct(x, 50) / 1e3);
	rte_tel_data_add_dict_string(d, "rtt_p50_us", buf);
	snprintf(buf, sizeof(buf), "%.1f", ioc_svm_ext_rtt_pct(x, 99) / 1e3);
	rte_tel_data_add_dict_string(d, "rtt_p99_us", buf);
	uint64_t seen = RTE_MIN(__atomic_load_n(&x->last_probe[0], __ATOMIC_RELAXED),
				__atomic_load_n(&x->last_probe[1], __ATOMIC_RELAXED));
	uint64_t now = rte_get_tsc_cycles();
	snprintf(buf, sizeof(buf), "%.1f",
		 x->probe == IOC_PROBE_NONE || seen > now
			 ? 0.0
			 : (double)(now - seen) * 1e3 / (double)rte_get_tsc_hz());
	rte_tel_data_add_dict_string(d, "probe_age_ms", buf);
	for (unsigned k = 0; k < IOC_EXT_MAX; k++)
		rte_tel_data_add_dict_u64(d, ioc_ext_counter_names[k],
					  __atomic_load_n(&x->cnt[k], __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "svm_lost", __atomic_load_n(&x->lost, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "arm_queue",
				  __atomic_load_n(&x->n_txq[0], __ATOMIC_RELAXED) +
					  __atomic_load_n(&x->n_txq[1], __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "restarts", x->restarts);
}
