/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2, sfw: the control side. Attach compiles the vNIC's rules into
 * immutable contexts (sfw_acl.c), takes a reference on the per-lcore
 * connection tables (conntrack.c) and registers the vNIC for the hit-counter
 * reads; the datapath is sfw_dp.c. Every vNIC has this slot: with no rule the
 * default_action applies.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "chain.h"
#include "conntrack.h"
#include "log.h"
#include "sfw.h"
#include "sfw_priv.h"

IOC_LOG_TYPE(sfw);

static const char *const sfw_reasons[IOC_SFW_NB_REASONS] = {
	[IOC_SFW_DROP_RULE] = "drop_rule",
	[IOC_SFW_DROP_DEFAULT] = "drop_default",
	[IOC_SFW_REJECT] = "reject",
	[IOC_SFW_DROP_CONN_FULL] = "drop_conn_full",
	[IOC_SFW_DROP_MALFORMED] = "drop_malformed",
	[IOC_SFW_DROP_NO_SYN] = "drop_no_syn",
	[IOC_SFW_DROP_CONN_LIMIT] = "drop_conn_limit",
};

static const char *const sfw_infos[IOC_SFW_NB_INFOS] = {
	[IOC_SFW_CONN_EVICTED] = "conn_evicted",
};

/*
 * Attached vNICs (for ioc_sfw_rule_hits()), newest first, each with the rule
 * catalogue of the topology it was attached with: attach/detach write,
 * telemetry reads, under the lock. The catalogue shown is the newest vNIC's,
 * so a reload that fails half-way shows the running rules again once its
 * vNICs are detached. A catalogue is shared by the vNICs of one topology and
 * freed with the last of them; attach compares a topology only with
 * catalogues still referenced, whose topology is alive, so a new topology at
 * a freed one's address is never taken for it.
 */
struct sfw_catalogue {
	const struct ioc_topology *topo;
	unsigned refs;
	unsigned n;
	struct ioc_sfw_rule_info rule[];
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t rules_gen; /* the last struct ct_policy gen given */
static struct sfw_vnic *registry;

static const char *
action_name(enum ioc_action a)
{
	return a == IOC_ACT_ALLOW ? "allow" : a == IOC_ACT_REJECT ? "reject" : "drop";
}

/* Called with the lock held: the catalogue of t, shared with a registered vNIC of t if any. */
static struct sfw_catalogue *
catalogue_get(const struct ioc_topology *t)
{
	struct sfw_catalogue *c;

	for (const struct sfw_vnic *s = registry; s != NULL; s = s->next) {
		if (s->catalogue->topo == t) {
			s->catalogue->refs++;
			return s->catalogue;
		}
	}
	c = calloc(1, sizeof(*c) + t->n_dfw_rules * sizeof(c->rule[0]));
	if (c == NULL)
		return NULL;
	c->topo = t;
	c->refs = 1;
	c->n = t->n_dfw_rules;
	for (unsigned i = 0; i < t->n_dfw_rules; i++) {
		snprintf(c->rule[i].name, sizeof(c->rule[i].name), "%s", t->dfw_rules[i].name);
		c->rule[i].priority = t->dfw_rules[i].priority;
		c->rule[i].action = action_name(t->dfw_rules[i].action);
	}
	return c;
}

unsigned
ioc_sfw_rule_count(void)
{
	unsigned n;

	pthread_mutex_lock(&registry_lock);
	n = registry != NULL ? registry->catalogue->n : 0;
	pthread_mutex_unlock(&registry_lock);
	return n;
}

int
ioc_sfw_rule_info(unsigned rule_index, struct ioc_sfw_rule_info *info)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&registry_lock);
	if (registry != NULL && rule_index < registry->catalogue->n) {
		*info = registry->catalogue->rule[rule_index];
		rc = 0;
	}
	pthread_mutex_unlock(&registry_lock);
	return rc;
}

static bool
same_lcores(const struct ioc_lcore_list *a, const struct ioc_lcore_list *b)
{
	return a->n == b->n && memcmp(a->id, b->id, a->n * sizeof(a->id[0])) == 0;
}

/*
 * Per-lcore connection tables see both directions of a flow only if the lcore
 * that runs the vNIC's out-chain also receives its answers: every port of the
 * vNIC's L2 segment (its uplink, the vNICs it can reach locally) must be
 * polled by the same lcores, queue for queue (symmetric RSS does the rest).
 */
static int
check_lcores(const struct ioc_topology *t, unsigned vnic)
{
	const struct ioc_vnic *v = &t->vnics[vnic];

	if (v->uplink >= 0 && !same_lcores(&v->lcores, &t->uplinks[v->uplink].lcores)) {
		IOC_LOG(ERR, sfw,
			"%s: stateful firewall needs the vNIC and uplink %s on the same lcores "
			"(both directions of a flow must meet one connection table)",
			v->name, t->uplinks[v->uplink].name);
		return -EINVAL;
	}
	for (unsigned o = 0; o < t->n_vnics; o++) {
		const struct ioc_vnic *w = &t->vnics[o];

		if (o == vnic || w->uplink != v->uplink || same_lcores(&v->lcores, &w->lcores))
			continue;
		IOC_LOG(ERR, sfw,
			"%s: stateful firewall needs the vNICs of one segment on the same lcores, "
			"%s differs (both directions of a flow must meet one connection table)",
			v->name, w->name);
		return -EINVAL;
	}
	return 0;
}

static int
hits_init(struct sfw_hits *h, const struct ioc_topology *t)
{
	bool fwd[IOC_MAX_LCORES];
	unsigned n_rows = 0;

	ioc_topo_forwarding_lcores(t, fwd);
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		h->row[l] = -1;
		if (l < IOC_MAX_LCORES && fwd[l])
			h->row[l] = (int16_t)n_rows++;
	}
	h->n_rules = t->n_dfw_rules;
	/* Rows on their own cache lines: no false sharing between lcores. */
	h->row_len =
		RTE_ALIGN_CEIL(RTE_MAX(h->n_rules, 1u), RTE_CACHE_LINE_SIZE / sizeof(uint64_t));
	h->v = rte_zmalloc("sfw_hits", sizeof(uint64_t) * h->row_len * RTE_MAX(n_rows, 1u),
			   RTE_CACHE_LINE_SIZE);
	return h->v == NULL ? -ENOMEM : 0;
}

static void
sfw_detach(void *priv)
{
	struct sfw_vnic *s = priv;

	if (s == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	for (struct sfw_vnic **p = &registry; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	if (s->catalogue != NULL && --s->catalogue->refs == 0)
		free(s->catalogue);
	pthread_mutex_unlock(&registry_lock);
	if (s->stateful)
		ct_tables_put();
	for (unsigned d = 0; d < 2; d++) {
		rte_acl_free(s->acl[d]);
		rte_acl_free(s->acl6[d]);
	}
	rte_free(s->hits.v);
	free(s->action);
	free(s->redirect);
	rte_free(s);
}

static int
sfw_attach(const struct ioc_topology *t, unsigned vnic, void **priv)
{
	struct sfw_vnic *s;
	bool fwd[IOC_MAX_LCORES];
	int rc;

	if (t->dfw.stateful) {
		rc = check_lcores(t, vnic);
		if (rc < 0)
			return rc;
	}
	s = rte_zmalloc("sfw_vnic", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return -ENOMEM;
	s->vnic = (uint16_t)vnic;
	s->default_allow = t->dfw.default_allow;
	s->ct_policy.tcp_pickup = t->dfw.tcp_pickup;
	s->ct_policy.max_connections = t->vnics[vnic].max_connections;
	/* Attach runs on the control thread only (start, reload): no two at once. */
	s->ct_policy.gen = ++rules_gen;
	s->action = calloc(t->n_dfw_rules + 1, sizeof(*s->action));
	s->redirect = calloc(t->n_redirect_rules + 1, sizeof(*s->redirect));
	if (s->action == NULL || s->redirect == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < t->n_dfw_rules; i++)
		s->action[i] = (uint8_t)t->dfw_rules[i].action;
	for (unsigned i = 0; i < t->n_redirect_rules; i++) {
		const struct ioc_redirect_rule *r = &t->redirect_rules[i];

		if (r->action == IOC_ACT_REDIRECT && r->profile >= 0)
			s->redirect[i] = (uint16_t)(r->profile + 1);
	}
	for (unsigned d = IOC_DIR_IN; d <= IOC_DIR_OUT; d <<= 1)
		s->unclassified[sfw_dir_index((uint8_t)d)] =
			(uint16_t)(ioc_topo_unclassified_profile(t, (int)vnic, d) + 1);
	rc = hits_init(&s->hits, t);
	for (unsigned d = IOC_DIR_IN; d <= IOC_DIR_OUT && rc == 0; d <<= 1) {
		unsigned i = sfw_dir_index((uint8_t)d);

		rc = sfw_acl_build(t, vnic, d, false, &s->acl[i]);
		if (rc == 0)
			rc = sfw_acl_build(t, vnic, d, true, &s->acl6[i]);
	}
	if (rc == 0 && t->dfw.stateful) {
		ioc_topo_forwarding_lcores(t, fwd);
		rc = ct_tables_get(fwd, IOC_MAX_LCORES, t->dfw.connections, t->n_vnics);
		s->stateful = rc == 0;
	}
	if (rc != 0)
		goto fail;
	pthread_mutex_lock(&registry_lock);
	s->catalogue = catalogue_get(t);
	if (s->catalogue != NULL) {
		s->next = registry;
		registry = s;
	} else {
		rc = -ENOMEM;
	}
	pthread_mutex_unlock(&registry_lock);
	if (rc != 0)
		goto fail;
	*priv = s;
	return 1;
fail:
	sfw_detach(s);
	return rc;
}

int
ioc_sfw_rule_hits(unsigned rule_index, uint64_t *hits)
{
	bool found = false;

	*hits = 0;
	pthread_mutex_lock(&registry_lock);
	for (const struct sfw_vnic *s = registry; s != NULL; s = s->next) {
		const struct sfw_hits *h = &s->hits;

		if (rule_index >= h->n_rules)
			continue;
		found = true;
		for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
			if (h->row[l] >= 0)
				*hits += __atomic_load_n(
					&h->v[(unsigned)h->row[l] * h->row_len + rule_index],
					__ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return found ? 0 : -ENOENT;
}

static void
sfw_describe(const void *priv, const struct ioc_topology *t, unsigned vnic, struct ioc_slot_desc *d)
{
	RTE_SET_USED(priv);
	/* No service VM behind the firewall: the platform shows Detached. */
	ioc_slot_describe(d, t, vnic, 2, "vmware-sfw", "Detached", "failClosed", "none",
			  "Dynamic Filter Creation");
}

static struct ioc_slot_ops sfw_ops = {
	.name = "sfw",
	.agent = "vmware-sfw",
	.slot = 2,
	.reasons = sfw_reasons,
	.n_reasons = IOC_SFW_NB_REASONS,
	.infos = sfw_infos,
	.n_infos = IOC_SFW_NB_INFOS,
	.attach = sfw_attach,
	.reload = sfw_attach, /* a reload rebuilds the rules */
	.detach = sfw_detach,
	.process = sfw_process,
	.describe = sfw_describe,
	.note = sfw_note,
	.why = sfw_why,
	.explain = sfw_explain,
};

IOC_SLOT_REGISTER(sfw_ops)
