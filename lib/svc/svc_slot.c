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

struct svc_vnic {
	struct ioc_svc *svc;
	/* The vNIC's own profile (its first redirect rule's): summarize-dvfilter, vnic scope. */
	unsigned instance;
	unsigned profile;
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
	int first = -1;

	for (unsigned r = 0; r < t->n_redirect_rules && first < 0; r++) {
		const struct ioc_redirect_rule *rr = &t->redirect_rules[r];

		if (rr->action == IOC_ACT_REDIRECT && ioc_topo_group_has_vnic(t, rr->group, vnic))
			first = (int)r;
	}
	if (first < 0)
		return 0;

	sv = calloc(1, sizeof(*sv));
	if (sv == NULL)
		return -ENOMEM;
	sv->svc = ioc_svc_acquire(t);
	if (sv->svc == NULL) {
		free(sv);
		return -ENOMEM;
	}
	sv->profile = (unsigned)t->redirect_rules[first].profile;
	sv->instance = (unsigned)t->profiles[sv->profile].instance;
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

static uint16_t
svc_process(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts, uint16_t n)
{
	const struct svc_vnic *sv = priv;
	const struct ioc_svc *svc = sv->svc;
	const struct ioc_svc_profile *own = &svc->profiles[sv->profile];
	struct rte_mbuf *held[IOC_BURST];
	struct ioc_svm_pkt batch[IOC_BURST];
	struct ioc_svm_worker *dest[IOC_BURST];
	uint16_t kept = 0, nh = 0;

	/*
	 * failClosed with scope vnic: while the vNIC's SVM is down the filter
	 * denies all the packets of the vNIC, both ways, redirected or not.
	 */
	if (unlikely(__atomic_load_n(&svc->instances[sv->instance].down, __ATOMIC_ACQUIRE)) &&
	    own->scope_vnic && !fail_open(own)) {
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

static void
svc_describe(const void *priv, const struct ioc_topology *t, unsigned vnic, struct ioc_slot_desc *d)
{
	const struct svc_vnic *sv = priv;
	const struct ioc_service_instance *si = &t->instances[sv->instance];
	char agent[32], slow_path_id[16];

	snprintf(agent, sizeof(agent), "serviceinstance-%u", si->id);
	if (si->has_slow_path_id)
		snprintf(slow_path_id, sizeof(slow_path_id), "%u", si->slow_path_id);
	else
		snprintf(slow_path_id, sizeof(slow_path_id), "none");
	/* As the platform shows it: Attached while the slot's SVM is up. */
	ioc_slot_describe(d, t, vnic, 4, agent,
			  __atomic_load_n(&sv->svc->instances[sv->instance].down, __ATOMIC_ACQUIRE)
				  ? "Detached"
				  : "Attached",
			  fail_open(&sv->svc->profiles[sv->profile]) ? "failOpen" : "failClosed",
			  slow_path_id, "Dynamic Filter Creation");
}

/*
 * Trace: [0] the packet's profile + 1 (0: not redirected), [1] the worker its
 * flow hash picks, as an index in svc->workers + 1 (0: none up), [2] the
 * profile's fail_open, [3] blocked (the instance down, failClosed, scope vnic).
 */
static void
svc_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	 uint32_t note[IOC_SLOT_NOTE])
{
	const struct svc_vnic *sv = priv;
	const struct ioc_svc *svc = sv->svc;
	const struct ioc_svc_profile *own = &svc->profiles[sv->profile];
	uint16_t profile = ioc_meta(m)->profile;

	RTE_SET_USED(ctx);
	note[0] = profile;
	note[3] = __atomic_load_n(&svc->instances[sv->instance].down, __ATOMIC_ACQUIRE) &&
		  own->scope_vnic && !fail_open(own);
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
	const struct ioc_svc_profile *own = &svc->profiles[sv->profile];
	const struct ioc_svm_worker *w = ioc_svc_explain_worker(svc, q);
	uint16_t profile = q->md.profile;

	RTE_SET_USED(t);
	RTE_SET_USED(vnic);
	note[0] = profile;
	note[3] = __atomic_load_n(&svc->instances[sv->instance].down, __ATOMIC_ACQUIRE) &&
		  own->scope_vnic && !fail_open(own);
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
	.note = svc_note,
	.why = svc_why,
	.explain = svc_explain,
};

IOC_SLOT_REGISTER(svc_ops)
