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
#include <rte_hash.h>
#include <rte_tcp.h>

#include "conntrack.h"
#include "meta.h"
#include "sfw.h"
#include "sfw_priv.h"

enum sfw_note_kind {
	N_NOT_IP = 1, /* ARP, other ethertypes: pass */
	N_IPV6,	      /* default_action */
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
	struct ct_table *ct;
	bool out = ctx->dir == IOC_DIR_OUT;
	struct ct_key k = {
		.local_ip = out ? md->src_ip : md->dst_ip,
		.remote_ip = out ? md->dst_ip : md->src_ip,
		.local_port = out ? md->src_port : md->dst_port,
		.remote_port = out ? md->dst_port : md->src_port,
		.vnic = s->vnic,
		.proto = md->l4_proto,
	};

	if (!s->stateful || ctx->lcore_id >= RTE_MAX_LCORE ||
	    (ct = ioc_sfw_ct[ctx->lcore_id]) == NULL)
		return NULL;
	if ((md->flags & IOC_F_FRAG) && !(md->flags & IOC_F_L4))
		return NULL;
	int32_t pos = rte_hash_lookup(ct->h, &k);
	if (pos < 0 || !ct->e[pos].in_use || ct->e[pos].expire <= ctx->now)
		return NULL;
	const struct ct_entry *e = &ct->e[pos];
	if (e->state >= IOC_SFW_CT_TCP_FIN && md->l4_proto == IPPROTO_TCP &&
	    (md->flags & IOC_F_L4) &&
	    rte_pktmbuf_data_len(m) >= md->l4_off + sizeof(struct rte_tcp_hdr)) {
		uint8_t f = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, md->l4_off)
				    ->tcp_flags;
		/* A new SYN on a closing tuple: the rules decide. */
		if ((f & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG)
			return NULL;
	}
	return e;
}

void
sfw_note(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
	 uint32_t note[IOC_SLOT_NOTE])
{
	const struct sfw_vnic *s = priv;
	const struct ioc_meta *md = ioc_meta(m);
	const struct rte_acl_ctx *acl = s->acl[sfw_dir_index(ctx->dir)];
	const struct ct_entry *e;
	uint32_t res[SFW_NB_CAT] = { 0 };

	note[3] = s->default_allow;
	if (md->l3 == IOC_L3_IPV6) {
		note[0] = N_IPV6;
		return;
	}
	if (md->l3 != IOC_L3_IPV4) {
		note[0] = N_NOT_IP;
		return;
	}
	if (md->flags & IOC_F_MALFORMED) {
		note[0] = N_MALFORMED;
		return;
	}
	if ((e = live_conn(s, ctx, m)) != NULL) {
		note[0] = N_CONN;
		note[1] = e->state;
		note[2] = e->profile;
		return;
	}
	bool ports = md->flags & IOC_F_L4;
	struct sfw_acl_key k = {
		.proto = md->l4_proto,
		.src_ip = md->src_ip,
		.dst_ip = md->dst_ip,
		.src_port = ports ? md->src_port : 0,
		.dst_port = ports ? md->dst_port : 0,
	};
	const uint8_t *kp = (const uint8_t *)&k;

	if (acl != NULL)
		rte_acl_classify(acl, &kp, res, 1, SFW_NB_CAT);
	note[0] = res[SFW_CAT_DFW] != 0 ? N_RULE : N_DEFAULT;
	note[1] = res[SFW_CAT_DFW];
	note[2] = res[SFW_CAT_REDIRECT];
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
	case N_IPV6:
		snprintf(buf, len, "IPv6: default_action %s", def);
		break;
	case N_MALFORMED:
		snprintf(buf, len, "malformed IPv4 header");
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
