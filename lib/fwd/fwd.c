/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath's control side: builds and tears down what the lcores run on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fwd.h"
#include "log.h"
#include "meta.h"
#include "port.h"
#include "svc.h"
#include "svm_ext.h"

IOC_LOG_TYPE(fwd);

const char *const ioc_port_counter_names[IOC_PC_MAX] = {
	[IOC_PC_RX] = "rx",
	[IOC_PC_FWD_UPLINK] = "fwd_uplink",
	[IOC_PC_FWD_VNIC] = "fwd_vnic",
	[IOC_PC_FLOOD] = "flood",
	[IOC_PC_DROP_RUNT] = "drop_runt",
	[IOC_PC_DROP_OUT_CHAIN] = "drop_out_chain",
	[IOC_PC_DROP_IN_CHAIN] = "drop_in_chain",
	[IOC_PC_DROP_NO_DEST] = "drop_no_dest",
	[IOC_PC_DROP_LOOP] = "drop_loop",
	[IOC_PC_DROP_FENCED] = "drop_fenced",
	[IOC_PC_FLOOD_COPY] = "flood_copy",
	[IOC_PC_FLOOD_NOMEM] = "flood_nomem",
	[IOC_PC_HELD] = "held",
	[IOC_PC_RESUMED] = "resumed",
	[IOC_PC_REPLY] = "reply",
	[IOC_PC_TX_QUEUED] = "tx_queued",
	[IOC_PC_TX] = "tx",
	[IOC_PC_TX_DROP_FULL] = "tx_drop_full",
	[IOC_PC_SVM_SENT] = "svm_sent",
	[IOC_PC_SVM_RX] = "svm_rx",
	[IOC_PC_TX_LINEARIZED] = "tx_linearized",
	[IOC_PC_TX_DROP_SEGS] = "tx_drop_segs",
	[IOC_PC_REPLY_DROP] = "reply_drop",
};

static unsigned pool_seq;

static void
lcore_free(struct ioc_lcore *lc, unsigned n_vnics)
{
	if (lc == NULL)
		return;
	if (lc->slot_cnt != NULL) {
		for (unsigned v = 0; v < n_vnics; v++)
			rte_free(lc->slot_cnt[v]);
	}
	rte_free(lc->slot_cnt);
	rte_free(lc->tx);
	rte_free(lc->port_cnt);
	rte_free(lc->stage);
	rte_free(lc->active);
	rte_free(lc);
}

static struct ioc_lcore *
lcore_alloc(struct ioc_dp *dp, unsigned lcore_id, uint16_t txq)
{
	int socket = rte_lcore_to_socket_id(lcore_id);
	struct ioc_lcore *lc =
		rte_zmalloc_socket("ioc_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, socket);

	if (lc == NULL)
		return NULL;
	lc->dp = dp;
	lc->lcore_id = lcore_id;
	lc->txq = txq;
	lc->tx = rte_zmalloc_socket("ioc_tx", sizeof(*lc->tx) * dp->n_ports, 0, socket);
	lc->port_cnt = rte_zmalloc_socket("ioc_pcnt", sizeof(*lc->port_cnt) * dp->n_ports,
					  RTE_CACHE_LINE_SIZE, socket);
	lc->stage =
		rte_zmalloc_socket("ioc_stage", sizeof(*lc->stage) * (dp->n_vnics + 1), 0, socket);
	lc->active = rte_zmalloc_socket("ioc_active", sizeof(*lc->active) * (dp->n_vnics + 1), 0,
					socket);
	lc->slot_cnt = rte_zmalloc_socket("ioc_scnt", sizeof(*lc->slot_cnt) * (dp->n_vnics + 1), 0,
					  socket);
	if (lc->tx == NULL || lc->port_cnt == NULL || lc->stage == NULL || lc->active == NULL ||
	    lc->slot_cnt == NULL)
		goto fail;
	for (unsigned v = 0; v < dp->n_vnics; v++) {
		lc->slot_cnt[v] = rte_zmalloc_socket(
			"ioc_scnt", sizeof(uint64_t) * (dp->vnics[v].chain.n_counters + 1),
			RTE_CACHE_LINE_SIZE, socket);
		if (lc->slot_cnt[v] == NULL)
			goto fail;
	}
	return lc;
fail:
	lcore_free(lc, dp->n_vnics);
	return NULL;
}

/* Mbufs for every descriptor, every lcore's buffers, and headroom for floods. */
static unsigned
pool_size(const struct ioc_dp *dp)
{
	unsigned n = 0;

	for (unsigned p = 0; p < dp->n_ports; p++)
		n += dp->ports[p].n_rxq * IOC_NB_RXD + dp->n_lcores * IOC_NB_TXD;
	n += dp->n_lcores * (IOC_BURST * (2 * dp->n_ports + 2) + 512);
	return n + ioc_svm_ext_pool_need(dp->topo) + 4096;
}

static int
build_ports(struct ioc_dp *dp, const struct ioc_topology *t)
{
	dp->n_vnics = t->n_vnics;
	dp->n_ports = t->n_vnics + t->n_uplinks;
	dp->n_segments = t->n_uplinks + 1;
	dp->ports = rte_zmalloc("ioc_ports", sizeof(*dp->ports) * (dp->n_ports + 1), 0);
	dp->vnics = rte_zmalloc("ioc_vnics", sizeof(*dp->vnics) * (dp->n_vnics + 1), 0);
	dp->segments = rte_zmalloc("ioc_segs", sizeof(*dp->segments) * dp->n_segments, 0);
	if (dp->ports == NULL || dp->vnics == NULL || dp->segments == NULL)
		return -ENOMEM;

	for (unsigned s = 0; s < dp->n_segments; s++) {
		dp->segments[s].uplink_port = s < t->n_uplinks ? (int)(t->n_vnics + s) : -1;
		dp->segments[s].vnics =
			rte_zmalloc("ioc_segv", sizeof(uint16_t) * (t->n_vnics + 1), 0);
		if (dp->segments[s].vnics == NULL)
			return -ENOMEM;
	}
	for (unsigned v = 0; v < t->n_vnics; v++) {
		const struct ioc_vnic *tv = &t->vnics[v];
		struct ioc_port_dp *p = &dp->ports[v];
		unsigned seg = tv->uplink >= 0 ? (unsigned)tv->uplink : t->n_uplinks;

		snprintf(p->name, sizeof(p->name), "%s", tv->name);
		p->kind = IOC_PORT_VNIC;
		p->topo = v;
		p->segment = seg;
		p->n_rxq = tv->lcores.n;
		dp->vnics[v].port = v;
		dp->vnics[v].segment = seg;
		dp->vnics[v].vlan_access = t->vnics[v].vlan_mode == IOC_VLAN_ACCESS;
		memcpy(dp->vnics[v].mac.addr_bytes, tv->mac, RTE_ETHER_ADDR_LEN);
		dp->segments[seg].vnics[dp->segments[seg].n_vnics++] = v;
	}
	for (unsigned u = 0; u < t->n_uplinks; u++) {
		struct ioc_port_dp *p = &dp->ports[t->n_vnics + u];

		snprintf(p->name, sizeof(p->name), "%s", t->uplinks[u].name);
		p->kind = IOC_PORT_UPLINK;
		p->topo = u;
		p->segment = u;
		p->n_rxq = t->uplinks[u].lcores.n;
	}
	return 0;
}

static const struct ioc_lcore_list *
port_lcores(const struct ioc_dp *dp, unsigned p)
{
	const struct ioc_port_dp *pd = &dp->ports[p];

	return pd->kind == IOC_PORT_VNIC ? &dp->topo->vnics[pd->topo].lcores
					 : &dp->topo->uplinks[pd->topo].lcores;
}

static const char *
port_device(const struct ioc_dp *dp, unsigned p)
{
	const struct ioc_port_dp *pd = &dp->ports[p];

	return pd->kind == IOC_PORT_VNIC ? dp->topo->vnics[pd->topo].device
					 : dp->topo->uplinks[pd->topo].device;
}

static void
build_lcores(struct ioc_dp *dp, const struct ioc_topology *t)
{
	bool fwd[IOC_MAX_LCORES];

	ioc_topo_forwarding_lcores(t, fwd);
	for (unsigned id = 0; id < IOC_MAX_LCORES; id++) {
		if (fwd[id])
			dp->lcore_ids[dp->n_lcores++] = id;
	}
}

static int
build_lcore_contexts(struct ioc_dp *dp)
{
	/* Lcore i owns TX queue i on every port. */
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		dp->lcores[i] = lcore_alloc(dp, dp->lcore_ids[i], i);
		if (dp->lcores[i] == NULL)
			return -ENOMEM;
	}
	/* RX queue q of a port is polled by the q-th lcore its section lists. */
	for (unsigned p = 0; p < dp->n_ports; p++) {
		const struct ioc_lcore_list *l = port_lcores(dp, p);

		for (uint16_t q = 0; q < l->n; q++) {
			struct ioc_lcore *lc = ioc_dp_lcore(dp, l->id[q]);

			if (lc == NULL || lc->n_rxq == RTE_DIM(lc->rxq))
				return -E2BIG;
			lc->rxq[lc->n_rxq++] = (struct ioc_rxq){
				.port = p,
				.port_id = dp->ports[p].port_id,
				.queue = q,
			};
		}
	}
	return 0;
}

static int
build_mac_table(struct ioc_dp *dp)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(64u, dp->n_vnics * 2),
		.key_len = RTE_ETHER_ADDR_LEN,
		.socket_id = (int)rte_socket_id(),
	};

	snprintf(name, sizeof(name), "ioc_mac_%u", pool_seq);
	dp->mac_table = rte_hash_create(&hp);
	if (dp->mac_table == NULL)
		return -ENOMEM;
	for (unsigned v = 0; v < dp->n_vnics; v++) {
		int rc = rte_hash_add_key_data(dp->mac_table, &dp->vnics[v].mac,
					       (void *)(uintptr_t)v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The appliances' arms ([svm]): frames out of them resume after each vNIC's
 * slot that holds packets (the one with a collect op: slot 4).
 */
static int
open_arms(struct ioc_dp *dp, char *err, size_t len)
{
	uint8_t *resume_slot = calloc(dp->n_vnics + 1, 1);
	int rc;

	if (resume_slot == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (unsigned v = 0; v < dp->n_vnics; v++) {
		const struct ioc_chain *ch = &dp->vnics[v].chain;

		for (unsigned s = 0; s < ch->n_slots; s++) {
			if (ch->slot[s].ops->collect != NULL)
				resume_slot[v] = (uint8_t)(s + 1);
		}
	}
	rc = ioc_svm_ext_open_arms(dp->svc, dp->pool, resume_slot, err, len);
	free(resume_slot);
	return rc;
}

/*
 * The RSS hash fields for the ports of segment s (ioc_port_conf.rss_hf): with
 * several RX queues, a stateful firewall needs both directions of a flow on
 * one lcore's connection table, so every port of the segment gets one plan
 * (ioc_rss_plan), or iochain refuses to start. 0: one queue, or stateless
 * and no plan fits (each port then hashes as its device can).
 */
static int
segment_rss(const struct ioc_dp *dp, unsigned s, uint64_t *hf, char *err, size_t len)
{
	const struct ioc_segment *seg = &dp->segments[s];
	struct ioc_rss_caps *caps = calloc(seg->n_vnics + 1, sizeof(*caps));
	uint16_t n_rxq = 0;
	unsigned n = 0;
	char why[256];
	int rc = 0;

	*hf = 0;
	if (caps == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i <= seg->n_vnics; i++) {
		int p = i < seg->n_vnics ? seg->vnics[i] : seg->uplink_port;

		if (p < 0)
			continue;
		/* Different queue counts: stateless only (sfw refuses them otherwise). */
		if (n_rxq != 0 && dp->ports[p].n_rxq != n_rxq)
			goto out;
		n_rxq = dp->ports[p].n_rxq;
		ioc_port_rss_caps(dp->ports[p].port_id, dp->ports[p].name, &caps[n++]);
	}
	if (n_rxq <= 1 || ioc_rss_plan(caps, n, n_rxq, hf, why, sizeof(why)) == 0)
		goto out;
	*hf = 0;
	const char *name = seg->uplink_port >= 0 ? dp->ports[seg->uplink_port].name : "(none)";
	if (!dp->topo->dfw.stateful) {
		IOC_LOG(WARNING, fwd, "segment of uplink %s: RSS is not symmetric: %s", name, why);
		goto out;
	}
	snprintf(err, len,
		 "segment of uplink %s: a stateful firewall over %u RX queues needs symmetric "
		 "RSS on all its ports, but %s (poll them with one lcore, or set [dfw] stateful = "
		 "false)",
		 name, n_rxq, why);
	rc = -ENOTSUP;
out:
	free(caps);
	return rc;
}

/* Each vNIC's chain of slots, as the topology binds them. */
static int
build_chains(struct ioc_dp *dp, const struct ioc_topology *t, char *err, size_t len)
{
	for (unsigned v = 0; v < dp->n_vnics; v++) {
		int rc = ioc_chain_build(&dp->vnics[v].chain, t, v);

		if (rc != 0) {
			snprintf(err, len, "vnic %s: building its chain: %s", t->vnics[v].name,
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The mbuf pool: what the ports' rings and bursts need, or [host] mbufs if larger. */
static int
create_pool(struct ioc_dp *dp, const struct ioc_topology *t, char *err, size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned n_mbufs = pool_size(dp);

	if (t->host.mbufs != 0) {
		if (t->host.mbufs < n_mbufs) {
			snprintf(err, len,
				 "[host] mbufs = %u: the ports' rings and bursts need at least %u",
				 t->host.mbufs, n_mbufs);
			return -EINVAL;
		}
		n_mbufs = t->host.mbufs;
	}
	snprintf(name, sizeof(name), "ioc_mbuf_%u", pool_seq);
	dp->pool = rte_pktmbuf_pool_create(name, n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, len, "mbuf pool of %u: %s", n_mbufs, rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

/* "vnic NAME: why" or "uplink NAME: why" */
static void
port_error(const struct ioc_port_dp *pd, const char *why, char *err, size_t len)
{
	snprintf(err, len, "%s %s: %s", pd->kind == IOC_PORT_VNIC ? "vnic" : "uplink", pd->name,
		 why);
}

/* Every port's device, each a different one. */
static int
open_ports(struct ioc_dp *dp, char *err, size_t len)
{
	for (unsigned p = 0; p < dp->n_ports; p++) {
		struct ioc_port_dp *pd = &dp->ports[p];
		char perr[256];
		int rc;

		rc = ioc_port_open(port_device(dp, p), &pd->port_id, &pd->probed, perr,
				   sizeof(perr));
		for (unsigned q = 0; rc == 0 && q < p; q++) {
			if (dp->ports[q].port_id == pd->port_id) {
				snprintf(perr, sizeof(perr), "same device as %s",
					 dp->ports[q].name);
				rc = -EEXIST;
			}
		}
		if (rc != 0) {
			port_error(pd, perr, err, len);
			return rc;
		}
		pd->opened = true;
	}
	return 0;
}

/* Each segment's RSS plan, then every port started with its queues. */
static int
start_ports(struct ioc_dp *dp, char *err, size_t len)
{
	for (unsigned s = 0; s < dp->n_segments; s++) {
		int rc = segment_rss(dp, s, &dp->segments[s].rss_hf, err, len);

		if (rc != 0)
			return rc;
	}
	for (unsigned p = 0; p < dp->n_ports; p++) {
		struct ioc_port_dp *pd = &dp->ports[p];
		struct ioc_port_conf pc = {
			.n_rxq = pd->n_rxq,
			.n_txq = dp->n_lcores,
			.mp = dp->pool,
			.rss_hf = dp->segments[pd->segment].rss_hf,
		};
		char perr[256];
		int rc = ioc_port_start(pd->port_id, &pc, perr, sizeof(perr));

		if (rc != 0) {
			port_error(pd, perr, err, len);
			return rc;
		}
		pd->tx_multi_seg = pc.tx_multi_seg;
	}
	return 0;
}

/* The QSBR variable the forwarding lcores report to, and their contexts. */
static int
create_lcores(struct ioc_dp *dp, char *err, size_t len)
{
	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX(dp->n_lcores, 1u));
	int rc;

	dp->qsbr = rte_zmalloc("ioc_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, RTE_MAX(dp->n_lcores, 1u)) != 0) {
		snprintf(err, len, "QSBR variable: out of memory");
		return -ENOMEM;
	}
	rc = build_lcore_contexts(dp);
	if (rc != 0)
		snprintf(err, len, "lcore contexts: %s", strerror(-rc));
	return rc;
}

int
ioc_dp_create(const struct ioc_topology *t, struct ioc_dp **dpp, char *err, size_t len)
{
	struct ioc_dp *dp;
	int rc;

	*dpp = NULL;
	rc = ioc_meta_register();
	if (rc < 0) {
		snprintf(err, len, "mbuf dynfield: %s", strerror(-rc));
		return rc;
	}
	dp = rte_zmalloc("ioc_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	dp->topo = t;
	pool_seq++;

	rc = build_ports(dp, t);
	if (rc != 0) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	build_lcores(dp, t);
	rc = build_chains(dp, t, err, len);
	if (rc != 0)
		goto fail;
	dp->svc = ioc_svc_get();
	rc = create_pool(dp, t, err, len);
	if (rc != 0)
		goto fail;
	rc = build_mac_table(dp);
	if (rc != 0) {
		snprintf(err, len, "MAC table: %s", strerror(-rc));
		goto fail;
	}
	rc = open_ports(dp, err, len);
	if (rc == 0)
		rc = start_ports(dp, err, len);
	if (rc == 0)
		rc = open_arms(dp, err, len);
	if (rc == 0)
		rc = create_lcores(dp, err, len);
	if (rc != 0)
		goto fail;
	dp->pool_in_use_start = rte_mempool_in_use_count(dp->pool);
	*dpp = dp;
	return 0;
fail:
	ioc_dp_destroy(dp);
	return rc;
}

void
ioc_dp_destroy(struct ioc_dp *dp)
{
	if (dp == NULL)
		return;
	for (unsigned p = 0; p < dp->n_ports; p++) {
		if (dp->ports[p].opened)
			ioc_port_close(dp->ports[p].port_id, dp->ports[p].probed);
	}
	ioc_svm_ext_close_arms(dp->svc);
	for (unsigned i = 0; i < dp->n_lcores; i++)
		lcore_free(dp->lcores[i], dp->n_vnics);
	for (unsigned v = 0; v < dp->n_vnics && dp->vnics != NULL; v++)
		ioc_chain_free(&dp->vnics[v].chain);
	if (dp->segments != NULL) {
		for (unsigned s = 0; s < dp->n_segments; s++)
			rte_free(dp->segments[s].vnics);
	}
	rte_hash_free(dp->mac_table);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->pool);
	rte_free(dp->segments);
	rte_free(dp->vnics);
	rte_free(dp->ports);
	for (unsigned i = 0; i < dp->n_reloaded; i++) {
		ioc_topo_free(dp->reloaded[i]);
		free(dp->reloaded[i]);
	}
	free(dp->reloaded);
	rte_free(dp);
}

static bool
cpus_overlap(unsigned a, unsigned b)
{
	rte_cpuset_t sa = rte_lcore_cpuset(a), sb = rte_lcore_cpuset(b), both;

	CPU_AND(&both, &sa, &sb);
	return CPU_COUNT(&both) > 0;
}

unsigned
ioc_dp_mark_shared_cpus(struct ioc_dp *dp)
{
	unsigned ids[IOC_MAX_LCORES + RTE_MAX_LCORE], n = 0, shared = 0;
	struct ioc_svc *svc = dp->svc;

	for (unsigned i = 0; i < dp->n_lcores; i++)
		ids[n++] = dp->lcores[i]->lcore_id;
	for (unsigned i = 0; svc != NULL && i < svc->n_workers && n < RTE_DIM(ids); i++)
		ids[n++] = svc->workers[i]->lcore_id;
	for (unsigned i = 0; i < n; i++) {
		bool share = false;

		for (unsigned j = 0; j < n && !share; j++)
			share = j != i && ids[j] != ids[i] && cpus_overlap(ids[i], ids[j]);
		if (i < dp->n_lcores)
			dp->lcores[i]->yield = share;
		else
			svc->workers[i - dp->n_lcores]->yield = share;
		shared += share;
	}
	return shared;
}

void
ioc_dp_pool_usage(const struct ioc_dp *dp, struct ioc_pool_usage *u)
{
	u->size = dp->pool->size;
	u->in_use = rte_mempool_in_use_count(dp->pool);
	u->in_use_start = dp->pool_in_use_start;
}

struct ioc_lcore *
ioc_dp_lcore(struct ioc_dp *dp, unsigned lcore_id)
{
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		if (dp->lcores[i] != NULL && dp->lcores[i]->lcore_id == lcore_id)
			return dp->lcores[i];
	}
	return NULL;
}

void
ioc_dp_port_counters(const struct ioc_dp *dp, unsigned port, uint64_t out[IOC_PC_MAX])
{
	memset(out, 0, sizeof(uint64_t) * IOC_PC_MAX);
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		const struct ioc_lcore *lc = dp->lcores[i];

		for (unsigned c = 0; c < IOC_PC_MAX; c++)
			out[c] += __atomic_load_n(&lc->port_cnt[port][c], __ATOMIC_RELAXED);
	}
	for (unsigned i = 0; dp->svc != NULL && i < dp->svc->n_workers; i++) {
		const struct ioc_svm_worker *w = dp->svc->workers[i];

		out[IOC_PC_DROP_FENCED] +=
			__atomic_load_n(&w->fenced_by_port[port], __ATOMIC_RELAXED);
		if (w->ext == NULL)
			continue;
		out[IOC_PC_SVM_SENT] +=
			__atomic_load_n(&w->ext->sent_by_port[port], __ATOMIC_RELAXED);
		out[IOC_PC_SVM_RX] += __atomic_load_n(&w->ext->rx_by_port[port], __ATOMIC_RELAXED);
	}
}

void
ioc_dp_slot_counters(const struct ioc_dp *dp, unsigned vnic, uint64_t *out)
{
	unsigned n = dp->vnics[vnic].chain.n_counters;

	memset(out, 0, sizeof(uint64_t) * n);
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		const uint64_t *c = dp->lcores[i]->slot_cnt[vnic];

		for (unsigned k = 0; k < n; k++)
			out[k] += __atomic_load_n(&c[k], __ATOMIC_RELAXED);
	}
}

void
ioc_dp_synchronize(struct ioc_dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
}

int
ioc_dp_find_port(const struct ioc_dp *dp, const char *name)
{
	for (unsigned p = 0; p < dp->n_ports; p++) {
		if (strcmp(dp->ports[p].name, name) == 0)
			return (int)p;
	}
	return -1;
}
