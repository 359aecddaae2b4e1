/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2's trace note (lib/trace): for one traced packet, on its forwarding
 * lcore and just before sfw_process() runs, what the firewall looks at: the
 * live connection it finds in this lcore's table, or the rule and redirect
 * rule the same rte_acl context classifies it to. sfw_process() then gives
 * the verdict; the note names why.
 */
#include <stdio.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_tcp.h>

#include "conntrack.h"
#include "meta.h"
#include "sfw.h"
#include "sfw_priv.h"

enum sfw_note_kind {
	N_NOT_IP = 1, /* ARP, other ethertypes: pass */
	N_ND,	      /* IPv6 neighbour discovery or MLD: pass */
	N_MALFORMED,
	N_CONN,	   /* [1] state, [2] profile + 1 */
	N_RULE,	   /* [1] dfw rule index + 1, [2] redirect rule index + 1, [3] default_allow */
	N_DEFAULT, /* no rule: [2] redirect rule index + 1, [3] default_allow */
};

/* The live connection sfw_process() would let this packet through by, or NULL. */
static const struct ct_entry *
live_conn(const struct sfw_vnic *s, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m)
{
	const struct ioc_meta *md = ioc_meta(m);
	const struct ct_entry *e;
	struct ct_table *ct;
	struct ct_key k;
	int32_t pos;

	if (!s->stateful || ctx->lcore_id >= RTE_MAX_LCORE ||
	    (ct = ioc_sfw_ct[ctx->lcore_id]) == NULL || !trackable(md))
		return NULL;
	ct_key_of(m, md, s->vnic, ctx->dir, &k);
	pos = rte_hash_lookup(ct->h, &k);
	if (pos < 0 || !ct->e[pos].in_use || ct->e[pos].expire <= ctx->now)
		return NULL;
	e = &ct->e[pos];
	return ct_reopened(e, tcp_flags(m, md)) ? NULL : e;
}

void
sfw_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	 uint32_t note[IOC_SLOT_NOTE])
{
	const struct sfw_vnic *s = priv;
	const struct ioc_meta *md = ioc_meta(m);
	bool v6 = md->l3 == IOC_L3_IPV6;
	const struct rte_acl_ctx *acl = (v6 ? s->acl6 : s->acl)[sfw_dir_index(ctx->dir)];
	const struct ct_entry *e;
	uint32_t res[SFW_NB_CAT] = { 0 };

	note[3] = s->default_allow;
	if (md->l3 != IOC_L3_IPV4 && md->l3 != IOC_L3_IPV6) {
		note[0] = N_NOT_IP;
		return;
	}
	if (md->flags & IOC_F_MALFORMED) {
		note[0] = N_MALFORMED;
		return;
	}
	if (v6 && is_link_plumbing(m, md)) {
		note[0] = N_ND;
		return;
	}
	if ((e = live_conn(s, ctx, m)) != NULL) {
		note[0] = N_CONN;
		note[1] = e->state;
		note[2] = e->profile;
		return;
	}
	struct sfw_acl_key k;
	struct sfw_acl_key6 k6;
	const uint8_t *kp = v6 ? (const uint8_t *)&k6 : (const uint8_t *)&k;

	if (v6)
		acl_key6_of(m, md, &k6);
	else
		acl_key_of(md, &k);
	if (acl != NULL)
		rte_acl_classify(acl, &kp, res, 1, SFW_NB_CAT);
	note[0] = res[SFW_CAT_DFW] != 0 ? N_RULE : N_DEFAULT;
	note[1] = res[SFW_CAT_DFW];
	note[2] = sfw_redirect_result(md, res);
}

/*
 * Explain: the rules read from the running topology, not from the compiled
 * ACL the datapath classifies with, so that the two can be checked against
 * each other. A new connection is assumed (no table lookup).
 */
static bool
rule_matches(const struct ioc_topology *t, const struct ioc_ref_list *src,
	     const struct ioc_ref_list *dst, const struct ioc_l4_list *svc,
	     const struct ioc_meta *md)
{
	return ioc_topo_refs_have_ip(t, src, rte_be_to_cpu_32(md->src_ip)) &&
	       ioc_topo_refs_have_ip(t, dst, rte_be_to_cpu_32(md->dst_ip)) &&
	       ioc_l4_list_match(svc, md->l4_proto, rte_be_to_cpu_16(md->dst_port), true);
}

int
sfw_explain(const void *priv, const struct ioc_topology *t, unsigned vnic, struct ioc_slot_query *q,
	    uint32_t note[IOC_SLOT_NOTE], int *counter)
{
	const struct sfw_vnic *s = priv;
	const struct ioc_dfw_rule *best = NULL;
	int redirect = -1, action;

	/* The first rule by priority, then file order. */
	for (unsigned i = 0; i < t->n_dfw_rules; i++) {
		const struct ioc_dfw_rule *r = &t->dfw_rules[i];

		if (!(r->direction & q->dir) || !sfw_applies_to(t, &r->applied_to, vnic) ||
		    !rule_matches(t, &r->src, &r->dst, &r->service, &q->md))
			continue;
		if (best == NULL || r->priority < best->priority ||
		    (r->priority == best->priority && r->order < best->order))
			best = r;
	}
	/* The first redirect rule, in file order. */
	for (unsigned i = 0; i < t->n_redirect_rules && redirect < 0; i++) {
		const struct ioc_redirect_rule *r = &t->redirect_rules[i];

		if ((r->direction & q->dir) && ioc_topo_group_has_vnic(t, r->group, (int)vnic) &&
		    rule_matches(t, &r->src, &r->dst, &r->service, &q->md))
			redirect = (int)i;
	}
	note[0] = best != NULL ? N_RULE : N_DEFAULT;
	note[1] = best != NULL ? (uint32_t)(best - t->dfw_rules) + 1 : 0;
	note[2] = (uint32_t)(redirect + 1);
	note[3] = s->default_allow;
	action = best != NULL ? (int)best->action : s->default_allow ? IOC_ACT_ALLOW : -1;
	if (action == IOC_ACT_REJECT) {
		*counter = IOC_SFW_REJECT;
		return IOC_SV_REPLY;
	}
	if (action != IOC_ACT_ALLOW) {
		*counter = best != NULL ? IOC_SFW_DROP_RULE : IOC_SFW_DROP_DEFAULT;
		return IOC_SV_DROP;
	}
	*counter = -1;
	q->md.profile = redirect < 0 ? 0 : s->redirect[redirect];
	return IOC_SV_PASS;
}

static const char *const action_names[] = {
	[IOC_ACT_ALLOW] = "allow",
	[IOC_ACT_DROP] = "drop",
	[IOC_ACT_REJECT] = "reject",
	[IOC_ACT_REDIRECT] = "redirect",
	[IOC_ACT_NO_REDIRECT] = "no_redirect",
};

/* ", redirect rule R: profile P" or ", redirect rule R: no_redirect" or "". */
static void
redirect_text(const struct ioc_topology *t, uint32_t rr, char *buf, size_t len)
{
	if (rr == 0 || rr > t->n_redirect_rules) {
		buf[0] = '\0';
		return;
	}
	const struct ioc_redirect_rule *r = &t->redirect_rules[rr - 1];

	if (r->action == IOC_ACT_REDIRECT && r->profile >= 0)
		snprintf(buf, len, "; redirect rule %s: profile %s", r->name,
			 t->profiles[r->profile].name);
	else
		snprintf(buf, len, "; redirect rule %s: no_redirect", r->name);
}

void
sfw_why(const struct ioc_topology *t, const uint32_t note[IOC_SLOT_NOTE], char *buf, size_t len)
{
	const char *def = note[3] ? "allow" : "drop";
	char red[160];

	switch (note[0]) {
	case N_NOT_IP:
		snprintf(buf, len, "not IP: an L3 firewall lets it through");
		break;
	case N_ND:
		snprintf(buf, len, "IPv6 neighbour discovery or MLD: passes as ARP does");
		break;
	case N_MALFORMED:
		snprintf(buf, len, "malformed IP header");
		break;
	case N_CONN:
		snprintf(buf, len, "connection %s%s%s", ioc_sfw_conn_state_name(note[1]),
			 note[2] != 0 ? ", opened redirected to profile " : "",
			 note[2] != 0 && note[2] <= t->n_profiles ? t->profiles[note[2] - 1].name
								  : "");
		break;
	case N_RULE:
		/* Only what the firewall lets through is marked for a service. */
		redirect_text(t,
			      note[1] <= t->n_dfw_rules &&
					      t->dfw_rules[note[1] - 1].action == IOC_ACT_ALLOW
				      ? note[2]
				      : 0,
			      red, sizeof(red));
		if (note[1] <= t->n_dfw_rules)
			snprintf(buf, len, "rule %s (%s)%s", t->dfw_rules[note[1] - 1].name,
				 action_names[t->dfw_rules[note[1] - 1].action], red);
		else
			snprintf(buf, len, "rule %u%s", note[1], red);
		break;
	case N_DEFAULT:
		redirect_text(t, note[3] ? note[2] : 0, red, sizeof(red));
		snprintf(buf, len, "no rule matched: default_action %s%s", def, red);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}
