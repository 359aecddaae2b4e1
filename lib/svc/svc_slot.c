/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 4, serviceinstance-N: on every vNIC a redirect rule's group covers.
 * A packet slot 2 marked for a profile (meta->profile) is held: enqueued to a worker
 * of the profile's instance chosen by the symmetric flow hash, so both
 * directions of a flow meet the same worker. The forwarding layer resumes it
 * after this slot when the worker returns it (ioc_svc_resume_account()).
 *
 * When the SVM cannot take a packet, the profile's failure policy decides
 * (DESIGN.md §5): failOpen lets it bypass the service, failClosed drops it —
 * for a full ring (bypass_ring_full / drop_ring_full) as for an instance
 * whose workers are all down (svm_down_bypass / svm_down_drop). A share of
 * the flow hash whose worker died is served by a standby or a survivor: the
 * watchdog publishes that in the instance's share table.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_ring.h>

#include "meta.h"
#include "svc.h"

static const char *const svc_reasons[IOC_SVC_NB_REASONS] = {
	[IOC_SVC_REDIRECT] = "redirect",
	[IOC_SVC_DROP_RING_FULL] = "drop_ring_full",
	[IOC_SVC_SVM_DOWN_DROP] = "svm_down_drop",
};

static const char *const svc_infos[IOC_SVC_NB_INFOS] = {
	[IOC_SVC_BYPASS_RING_FULL] = "bypass_ring_full",
	[IOC_SVC_SVM_ALLOW] = "svm_allow",
	[IOC_SVC_SVM_DENY] = "svm_deny",
	[IOC_SVC_SVM_DOWN_BYPASS] = "svm_down_bypass",
	[IOC_SVC_RECLAIMED] = "reclaimed",
	[IOC_SVC_APPLIANCE_OUT] = "appliance_out",
};

/* A profile the vNIC's redirect rules can mark its packets for, and its instance. */
struct svc_bound {
	unsigned instance;
	unsigned profile;
};

struct svc_vnic {
	struct ioc_svc *svc;
	/*
	 * Every (instance, profile) the vNIC is bound to, in redirect-rule order:
	 * with fail_closed_scope = vnic, any of them down and failClosed stops the
	 * whole vNIC (DESIGN.md §5: every vNIC bound to the failed service).
	 */
	unsigned n_bound;
	struct svc_bound bound[];
};

static void
svc_detach(void *priv)
{
	struct svc_vnic *sv = priv;

	if (sv == NULL)
		return;
	free(sv);
	ioc_svc_release();
}

static int
svc_attach(const struct ioc_topology *t, unsigned vnic, void **priv)
{
	struct svc_vnic *sv;
	int *profiles = calloc(t->n_profiles ? t->n_profiles : 1, sizeof(*profiles));
	unsigned n;

	if (profiles == NULL)
		return -ENOMEM;
	n = ioc_topo_vnic_profiles(t, (int)vnic, profiles);
	if (n == 0) {
		free(profiles);
		return 0;
	}
	sv = calloc(1, sizeof(*sv) + n * sizeof(sv->bound[0]));
	if (sv == NULL || (sv->svc = ioc_svc_acquire(t)) == NULL) {
		free(sv);
		free(profiles);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		sv->bound[i].profile = (unsigned)profiles[i];
		sv->bound[i].instance = (unsigned)t->profiles[profiles[i]].instance;
	}
	sv->n_bound = n;
	free(profiles);
	*priv = sv;
	return 1;
}

/* Fast range reduction of the flow hash onto n workers. */
static inline unsigned
pick(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

static inline bool
fail_open(const struct ioc_svc_profile *p)
{
	return __atomic_load_n(&p->fail_open, __ATOMIC_ACQUIRE);
}

/*
 * The failure path of a packet whose SVM cannot take it (down, or its ring
 * full): failOpen passes it uninspected, failClosed drops it.
 */
static inline void
failure_path(const struct ioc_svc_profile *p, struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	     struct rte_mbuf **pkts, uint16_t *kept, unsigned bypass_info, unsigned drop_reason)
{
	if (fail_open(p)) {
		ctx->reasons[IOC_SVC_NB_REASONS + bypass_info]++;
		pkts[(*kept)++] = m;
	} else {
		ctx->reasons[drop_reason]++;
		rte_pktmbuf_free(m);
	}
}

/* failClosed with scope vnic: one bound instance down stops the whole vNIC. */
static inline bool
vnic_blocked(const struct svc_vnic *sv)
{
	const struct ioc_svc *svc = sv->svc;

	for (unsigned b = 0; b < sv->n_bound; b++) {
		const struct ioc_svc_profile *p = &svc->profiles[sv->bound[b].profile];

		if (unlikely(__atomic_load_n(&svc->instances[sv->bound[b].instance].down,
					     __ATOMIC_ACQUIRE)) &&
		    p->scope_vnic && !fail_open(p))
			return true;
	}
	return false;
}

static uint16_t
svc_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	const struct svc_vnic *sv = priv;
	const struct ioc_svc *svc = sv->svc;
	struct rte_mbuf *held[IOC_BURST];
	struct ioc_svm_pkt batch[IOC_BURST];
	struct ioc_svm_worker *dest[IOC_BURST];
	uint16_t kept = 0, nh = 0;

	/*
	 * failClosed with scope vnic: while an SVM the vNIC is bound to is down
	 * the filter denies all the packets of the vNIC, both ways, redirected or
	 * not, whichever profile marked them.
	 */
	if (vnic_blocked(sv)) {
		ctx->reasons[IOC_SVC_SVM_DOWN_DROP] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct ioc_meta *md = ioc_meta(m);

		/* Slot 2 classified the redirect rules: the mark is in the metadata. */
		if (md->profile == 0) {
			pkts[kept++] = m;
			continue;
		}
		const struct ioc_svc_profile *p = &svc->profiles[md->profile - 1];
		const struct ioc_svc_instance *inst = &svc->instances[p->instance];
		struct ioc_svm_worker *w = __atomic_load_n(
			&inst->share[pick(ioc_flow_hash(m), inst->n_workers)], __ATOMIC_ACQUIRE);

		if (unlikely(w == NULL)) {
			failure_path(p, ctx, m, pkts, &kept, IOC_SVC_SVM_DOWN_BYPASS,
				     IOC_SVC_SVM_DOWN_DROP);
			continue;
		}
		md->next_slot = (uint8_t)(ctx->slot_index + 1);
		held[nh] = m;
		dest[nh++] = w;
	}
	/* One enqueue per worker; a flow always maps to one worker, so its order holds. */
	for (uint16_t i = 0; i < nh; i++) {
		struct ioc_svm_worker *w = dest[i];
		uint16_t nb = 0;

		if (w == NULL)
			continue;
		for (uint16_t j = i; j < nh; j++) {
			if (dest[j] == w) {
				batch[nb].m = held[j];
				batch[nb++].md = *ioc_meta(held[j]);
				dest[j] = NULL;
			}
		}
		unsigned sent = rte_ring_sp_enqueue_burst_elem(w->to[ctx->lcore_id], batch,
							       sizeof(batch[0]), nb, NULL);
		ctx->reasons[IOC_SVC_REDIRECT] += sent;
		ctx->n_held += (uint16_t)sent;
		for (uint16_t k = (uint16_t)sent; k < nb; k++)
			failure_path(&svc->profiles[batch[k].md.profile - 1], ctx, batch[k].m, pkts,
				     &kept, IOC_SVC_BYPASS_RING_FULL, IOC_SVC_DROP_RING_FULL);
	}
	return kept;
}

/* What a worker sent back (allowed or denied) or what was reclaimed from a dead one's ring. */
static uint16_t
svc_collect(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n,
	    bool reclaimed)
{
	uint64_t *info = ctx->reasons + IOC_SVC_NB_REASONS;
	uint16_t k = 0;

	RTE_SET_USED(priv);
	if (reclaimed) {
		info[IOC_SVC_RECLAIMED] += n;
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (ioc_meta(pkts[i])->flags & IOC_F_SVM_DENY) {
			info[IOC_SVC_SVM_DENY]++;
			rte_pktmbuf_free(pkts[i]);
		} else {
			info[ioc_meta(pkts[i])->flags & IOC_F_SVM_EXT ? IOC_SVC_APPLIANCE_OUT
								      : IOC_SVC_SVM_ALLOW]++;
			pkts[k++] = pkts[i];
		}
	}
	return k;
}

/* Filter k of the vNIC: its k-th distinct bound instance; the bound pair that shows it. */
static const struct svc_bound *
nth_instance(const struct svc_vnic *sv, unsigned k)
{
	for (unsigned b = 0; b < sv->n_bound; b++) {
		unsigned seen = 0;

		while (seen < b && sv->bound[seen].instance != sv->bound[b].instance)
			seen++;
		if (seen == b && k-- == 0)
			return &sv->bound[b];
	}
	return NULL;
}

/* One slot-4 filter per instance the vNIC is bound to. */
static unsigned
svc_n_filters(const void *priv)
{
	const struct svc_vnic *sv = priv;
	unsigned n = 0;

	while (nth_instance(sv, n) != NULL)
		n++;
	return n;
}

static void
svc_describe_filter(const void *priv, const struct ioc_topology *t, unsigned vnic, unsigned k,
		    struct ioc_slot_desc *d)
{
	const struct svc_vnic *sv = priv;
	const struct svc_bound *first = nth_instance(sv, k);
	const struct ioc_service_instance *si;
	char agent[32], slow_path_id[16];
	bool open = true;

	if (first == NULL)
		first = &sv->bound[0];
	si = &t->instances[first->instance];
	/* failClosed when any profile of this instance the vNIC is bound by is. */
	for (unsigned b = 0; b < sv->n_bound; b++)
		if (sv->bound[b].instance == first->instance &&
		    !fail_open(&sv->svc->profiles[sv->bound[b].profile]))
			open = false;
	snprintf(agent, sizeof(agent), "serviceinstance-%u", si->id);
	if (si->has_slow_path_id)
		snprintf(slow_path_id, sizeof(slow_path_id), "%u", si->slow_path_id);
	else
		snprintf(slow_path_id, sizeof(slow_path_id), "none");
	/* As the platform shows it: Attached while the slot's SVM is up. */
	ioc_slot_describe(
		d, t, vnic, 4, agent,
		__atomic_load_n(&sv->svc->instances[first->instance].down, __ATOMIC_ACQUIRE)
			? "Detached"
			: "Attached",
		open ? "failOpen" : "failClosed", slow_path_id, "Dynamic Filter Creation");
}

static void
svc_describe(const void *priv, const struct ioc_topology *t, unsigned vnic, struct ioc_slot_desc *d)
{
	svc_describe_filter(priv, t, vnic, 0, d);
}

/*
 * Trace: [0] the packet's profile + 1 (0: not redirected), [1] the worker its
 * flow hash picks, as an index in svc->workers + 1 (0: none up), [2] the
 * profile's fail_open, [3] blocked (a bound instance down, failClosed, scope vnic).
 */
static void
svc_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	 uint32_t note[IOC_SLOT_NOTE])
{
	const struct svc_vnic *sv = priv;
	const struct ioc_svc *svc = sv->svc;
	uint16_t profile = ioc_meta(m)->profile;

	RTE_SET_USED(ctx);
	note[0] = profile;
	note[3] = vnic_blocked(sv);
	if (profile == 0)
		return;
	const struct ioc_svc_profile *p = &svc->profiles[profile - 1];
	const struct ioc_svc_instance *inst = &svc->instances[p->instance];
	const struct ioc_svm_worker *w = __atomic_load_n(
		&inst->share[pick(ioc_flow_hash(m), inst->n_workers)], __ATOMIC_ACQUIRE);

	note[2] = fail_open(p);
	for (unsigned i = 0; w != NULL && i < svc->n_workers; i++)
		if (svc->workers[i] == w)
			note[1] = i + 1;
}

struct ioc_svm_worker *
ioc_svc_explain_worker(const struct ioc_svc *svc, const struct ioc_slot_query *q)
{
	if (q->md.profile == 0 || q->md.profile > svc->n_profiles)
		return NULL;
	const struct ioc_svc_instance *inst =
		&svc->instances[svc->profiles[q->md.profile - 1].instance];

	return __atomic_load_n(&inst->share[pick(q->hash, inst->n_workers)], __ATOMIC_ACQUIRE);
}

/* Explain: svc_process() for q, the note as svc_note() writes it. */
static int
svc_explain(const void *priv, const struct ioc_topology *t, unsigned vnic, struct ioc_slot_query *q,
	    uint32_t note[IOC_SLOT_NOTE], int *counter)
{
	const struct svc_vnic *sv = priv;
	const struct ioc_svc *svc = sv->svc;
	const struct ioc_svm_worker *w = ioc_svc_explain_worker(svc, q);
	uint16_t profile = q->md.profile;

	RTE_SET_USED(t);
	RTE_SET_USED(vnic);
	note[0] = profile;
	note[3] = vnic_blocked(sv);
	if (note[3]) {
		*counter = IOC_SVC_SVM_DOWN_DROP;
		return IOC_SV_DROP;
	}
	*counter = -1;
	if (profile == 0)
		return IOC_SV_PASS;
	note[2] = fail_open(&svc->profiles[profile - 1]);
	for (unsigned i = 0; w != NULL && i < svc->n_workers; i++)
		if (svc->workers[i] == w)
			note[1] = i + 1;
	if (w != NULL) {
		*counter = IOC_SVC_REDIRECT;
		return IOC_SV_HELD;
	}
	*counter = note[2] ? IOC_SVC_NB_REASONS + IOC_SVC_SVM_DOWN_BYPASS : IOC_SVC_SVM_DOWN_DROP;
	return note[2] ? IOC_SV_PASS : IOC_SV_DROP;
}

static void
svc_why(const struct ioc_topology *t, const uint32_t note[IOC_SLOT_NOTE], char *buf, size_t len)
{
	const struct ioc_svc *svc = ioc_svc_get();
	const char *profile =
		note[0] != 0 && note[0] <= t->n_profiles ? t->profiles[note[0] - 1].name : "?";
	const char *policy = note[2] ? "failOpen" : "failClosed";

	if (note[3])
		snprintf(buf, len,
			 "the SVM is down, failClosed with scope vnic: everything blocked");
	else if (note[0] == 0)
		snprintf(buf, len, "not marked for a service");
	else if (note[1] == 0 || svc == NULL || note[1] > svc->n_workers)
		snprintf(buf, len, "profile %s, no worker up: failure path %s", profile, policy);
	else
		snprintf(buf, len, "profile %s (%s) -> worker %s", profile, policy,
			 svc->workers[note[1] - 1]->name);
}

static struct ioc_slot_ops svc_ops = {
	.name = "svc",
	.agent = "serviceinstance",
	.slot = 4,
	.reasons = svc_reasons,
	.n_reasons = IOC_SVC_NB_REASONS,
	.infos = svc_infos,
	.n_infos = IOC_SVC_NB_INFOS,
	.attach = svc_attach,
	.detach = svc_detach,
	.process = svc_process,
	.describe = svc_describe,
	.n_filters = svc_n_filters,
	.describe_filter = svc_describe_filter,
	.note = svc_note,
	.why = svc_why,
	.explain = svc_explain,
	.collect = svc_collect,
};

IOC_SLOT_REGISTER(svc_ops)
