/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule compilation (control plane): the dfw rules and redirect rules that
 * apply to one vNIC and direction, expanded into rte_acl rules.
 *
 * A rule's source and destination lists expand to CIDRs (any, CIDR, ipset
 * members, a group's CIDRs, ipsets and the IPs of its vms and vnics, nested
 * groups), its service list to (protocol, destination port range); one ACL
 * rule per element of the product, all with the rule's priority and userdata.
 * The product is taken per family: the IPv4 context gets the pairs of IPv4
 * prefixes, the IPv6 context those of IPv6 prefixes (`any` is both; a vm or
 * vnic is its bindings of both families and its EUI-64 link-local). A rule
 * has the same priority in both, so first match holds across families.
 * rte_acl returns the highest `priority` per category: dfw rules ranked by
 * (priority, file order) get descending priorities, so the first wins, and
 * redirect rules likewise by file order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include "log.h"
#include "sfw_priv.h"

/* Groups nest: the loader rejects cycles, this only bounds a corrupt model. */
#define MAX_GROUP_DEPTH 32

struct cidr_vec {
	struct ioc_cidr *v;
	unsigned n, cap;
};

static int
cidr_push(struct cidr_vec *c, const struct ioc_cidr *x)
{
	if (c->n == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 16;
		struct ioc_cidr *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *x;
	return 0;
}

/* The vNIC's bindings of both families, its IPv6 link-local included. */
static int
push_vnic_ips(const struct ioc_topology *t, unsigned vnic, struct cidr_vec *out)
{
	const struct ioc_vnic *v = &t->vnics[vnic];
	uint8_t a6[IOC_MAX_VNIC_IPS + 1][16];
	unsigned n6 = ioc_vnic_ipv6(v, a6);
	int rc = 0;

	for (unsigned i = 0; i < v->n_ip && rc == 0; i++)
		rc = cidr_push(out, &(struct ioc_cidr){ .addr = v->ip[i], .len = 32 });
	for (unsigned i = 0; i < n6 && rc == 0; i++) {
		struct ioc_cidr c = { .v6 = true, .len = 128 };

		memcpy(c.addr6, a6[i], 16);
		rc = cidr_push(out, &c);
	}
	return rc;
}

static int
expand_ref(const struct ioc_topology *t, const struct ioc_ref *r, struct cidr_vec *out,
	   unsigned depth)
{
	int rc = 0;

	if (depth > MAX_GROUP_DEPTH)
		return -ELOOP;
	switch (r->kind) {
	case IOC_REF_ANY: /* both families */
		rc = cidr_push(out, &(struct ioc_cidr){ .len = 0 });
		return rc == 0 ? cidr_push(out, &(struct ioc_cidr){ .v6 = true }) : rc;
	case IOC_REF_CIDR:
		return cidr_push(out, &r->cidr);
	case IOC_REF_IPSET: {
		const struct ioc_ipset *s = &t->ipsets[r->index];

		for (unsigned i = 0; i < s->n && rc == 0; i++)
			rc = cidr_push(out, &s->v[i]);
		return rc;
	}
	case IOC_REF_GROUP: {
		const struct ioc_ref_list *m = &t->groups[r->index].members;

		for (unsigned i = 0; i < m->n && rc == 0; i++)
			rc = expand_ref(t, &m->v[i], out, depth + 1);
		return rc;
	}
	case IOC_REF_VM:
		for (unsigned v = 0; v < t->n_vnics && rc == 0; v++) {
			if (t->vnics[v].vm == r->index)
				rc = push_vnic_ips(t, v, out);
		}
		return rc;
	case IOC_REF_VNIC:
		return push_vnic_ips(t, (unsigned)r->index, out);
	}
	return -EINVAL;
}

static int
expand_list(const struct ioc_topology *t, const struct ioc_ref_list *l, struct cidr_vec *out)
{
	int rc = 0;

	for (unsigned i = 0; i < l->n && rc == 0; i++)
		rc = expand_ref(t, &l->v[i], out, 0);
	return rc;
}

/*
 * The ACL rules of one family, before they go into the context: elements of
 * `size` bytes, struct sfw_acl_rule (IPv4) or struct sfw_acl_rule6.
 */
struct rule_vec {
	uint8_t *v;
	unsigned n, cap;
	size_t size;
	bool v6;
};

/* A zeroed rule at the end of rv, or NULL. */
static struct rte_acl_field *
rule_new(struct rule_vec *rv, struct rte_acl_rule_data **data)
{
	if (rv->n == rv->cap) {
		unsigned cap = rv->cap ? 2 * rv->cap : 64;
		uint8_t *v = realloc(rv->v, cap * rv->size);

		if (v == NULL)
			return NULL;
		rv->v = v;
		rv->cap = cap;
	}
	uint8_t *r = rv->v + rv->n++ * rv->size;

	memset(r, 0, rv->size);
	*data = (struct rte_acl_rule_data *)r;
	/* Both rule types are the data, then their fields (RTE_ACL_RULE_DEF). */
	return (struct rte_acl_field *)(r + offsetof(struct sfw_acl_rule, field));
}

/* An address field: IPv4 one field, IPv6 four, each 32 bits of the prefix at most. */
static void
set_addr(struct rte_acl_field *f, const struct ioc_cidr *c)
{
	if (!c->v6) {
		f[0].value.u32 = c->addr;
		f[0].mask_range.u32 = c->len;
		return;
	}
	for (unsigned w = 0; w < 4; w++) {
		uint32_t word;
		unsigned bits = c->len >= 32 * (w + 1) ? 32 : c->len > 32 * w ? c->len - 32 * w : 0;

		memcpy(&word, c->addr6 + 4 * w, 4);
		f[w].value.u32 = rte_be_to_cpu_32(word);
		f[w].mask_range.u32 = bits;
	}
}

/* any_port: the service's protocols only, every port (SFW_CAT_REDIRECT_FRAG). */
static int
add_rule(struct rule_vec *rv, const struct ioc_ref_list *src, const struct ioc_ref_list *dst,
	 const struct ioc_l4_list *svc, const struct ioc_topology *t, uint32_t category,
	 int32_t priority, uint32_t userdata, bool any_port)
{
	unsigned f_src = rv->v6 ? SFW6_F_SRC : SFW_F_SRC, f_dst = rv->v6 ? SFW6_F_DST : SFW_F_DST;
	unsigned f_sport = rv->v6 ? SFW6_F_SPORT : SFW_F_SPORT;
	unsigned f_dport = rv->v6 ? SFW6_F_DPORT : SFW_F_DPORT;
	struct cidr_vec s = { 0 }, d = { 0 };
	int rc = expand_list(t, src, &s);

	if (rc == 0)
		rc = expand_list(t, dst, &d);
	/*
	 * An empty list (an empty ipset, a VM without IPs) matches nothing, and so
	 * does a list without prefixes of this family.
	 */
	for (unsigned i = 0; i < s.n && rc == 0; i++) {
		for (unsigned j = 0; j < d.n && rc == 0; j++) {
			if (s.v[i].v6 != rv->v6 || d.v[j].v6 != rv->v6)
				continue;
			for (unsigned k = 0; k < svc->n && rc == 0; k++) {
				const struct ioc_l4_match *l4 = &svc->v[k];
				struct rte_acl_rule_data *data;
				struct rte_acl_field *f = rule_new(rv, &data);

				if (f == NULL) {
					rc = -ENOMEM;
					break;
				}
				data->category_mask = 1u << category;
				data->priority = priority;
				data->userdata = userdata;
				f[SFW_F_PROTO].value.u8 = l4->any ? 0 : l4->proto;
				f[SFW_F_PROTO].mask_range.u8 = l4->any ? 0 : 0xff;
				set_addr(&f[f_src], &s.v[i]);
				set_addr(&f[f_dst], &d.v[j]);
				f[f_sport].value.u16 = 0;
				f[f_sport].mask_range.u16 = UINT16_MAX;
				f[f_dport].value.u16 = l4->any || any_port ? 0 : l4->port_lo;
				f[f_dport].mask_range.u16 =
					l4->any || any_port ? UINT16_MAX : l4->port_hi;
			}
		}
	}
	free(s.v);
	free(d.v);
	return rc;
}

bool
sfw_applies_to(const struct ioc_topology *t, const struct ioc_ref_list *l, unsigned vnic)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct ioc_ref *r = &l->v[i];

		if (r->kind == IOC_REF_ANY)
			return true;
		if (r->kind == IOC_REF_VNIC && (unsigned)r->index == vnic)
			return true;
		if (r->kind == IOC_REF_VM && t->vnics[vnic].vm == r->index)
			return true;
		if (r->kind == IOC_REF_GROUP && ioc_topo_group_has_vnic(t, r->index, (int)vnic))
			return true;
	}
	return false;
}

static const struct ioc_topology *rank_topo;

static int
rank_cmp(const void *a, const void *b)
{
	const struct ioc_dfw_rule *x = &rank_topo->dfw_rules[*(const unsigned *)a];
	const struct ioc_dfw_rule *y = &rank_topo->dfw_rules[*(const unsigned *)b];

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
collect_rules(const struct ioc_topology *t, unsigned vnic, unsigned dir, struct rule_vec *rv)
{
	unsigned *rank = malloc((t->n_dfw_rules + 1) * sizeof(*rank));
	int rc = 0;

	if (rank == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < t->n_dfw_rules; i++)
		rank[i] = i;
	rank_topo = t;
	qsort(rank, t->n_dfw_rules, sizeof(*rank), rank_cmp);
	for (unsigned k = 0; k < t->n_dfw_rules && rc == 0; k++) {
		const struct ioc_dfw_rule *r = &t->dfw_rules[rank[k]];

		if (!(r->direction & dir) || !sfw_applies_to(t, &r->applied_to, vnic))
			continue;
		rc = add_rule(rv, &r->src, &r->dst, &r->service, t, SFW_CAT_DFW,
			      (int32_t)(RTE_ACL_MAX_PRIORITY - k), rank[k] + 1, false);
	}
	free(rank);
	for (unsigned i = 0; i < t->n_redirect_rules && rc == 0; i++) {
		const struct ioc_redirect_rule *r = &t->redirect_rules[i];

		if (!(r->direction & dir) || !ioc_topo_group_has_vnic(t, r->group, (int)vnic))
			continue;
		rc = add_rule(rv, &r->src, &r->dst, &r->service, t, SFW_CAT_REDIRECT,
			      (int32_t)(RTE_ACL_MAX_PRIORITY - i), i + 1, false);
		if (rc == 0 && r->action == IOC_ACT_REDIRECT)
			rc = add_rule(rv, &r->src, &r->dst, &r->service, t, SFW_CAT_REDIRECT_FRAG,
				      (int32_t)(RTE_ACL_MAX_PRIORITY - i), i + 1, true);
	}
	return rc;
}

/* One field of a classify key for rte_acl: its type, input group and member. */
#define SFW_FIELD(key, f, t, in, member)                                                           \
	[f] = {                                                                                    \
		.type = RTE_ACL_FIELD_TYPE_##t,                                                    \
		.size = sizeof(((struct key *)0)->member),                                         \
		.field_index = (f),                                                                \
		.input_index = (in),                                                               \
		.offset = offsetof(struct key, member),                                            \
	}
/* 32 bits w of an IPv6 address (rte_acl's widest field), input group in. */
#define SFW6_WORD(f, in, member, w)                                                                \
	[f + w] = {                                                                                \
		.type = RTE_ACL_FIELD_TYPE_MASK,                                                   \
		.size = sizeof(uint32_t),                                                          \
		.field_index = (f) + (w),                                                          \
		.input_index = (in) + (w),                                                         \
		.offset = offsetof(struct sfw_acl_key6, member) + 4 * (w),                         \
	}

/*
 * rte_acl reads the key in 4-byte input groups after the first byte: the
 * protocol, each address (IPv6: in four), then both ports in one group.
 */
static void
acl_config(struct rte_acl_config *c, bool v6)
{
	static const struct rte_acl_field_def defs[SFW_NB_FIELDS] = {
		SFW_FIELD(sfw_acl_key, SFW_F_PROTO, BITMASK, 0, proto),
		SFW_FIELD(sfw_acl_key, SFW_F_SRC, MASK, 1, src_ip),
		SFW_FIELD(sfw_acl_key, SFW_F_DST, MASK, 2, dst_ip),
		SFW_FIELD(sfw_acl_key, SFW_F_SPORT, RANGE, 3, src_port),
		SFW_FIELD(sfw_acl_key, SFW_F_DPORT, RANGE, 3, dst_port),
	};
	static const struct rte_acl_field_def defs6[SFW6_NB_FIELDS] = {
		SFW_FIELD(sfw_acl_key6, SFW6_F_PROTO, BITMASK, 0, proto),
		SFW6_WORD(SFW6_F_SRC, 1, src_ip, 0),
		SFW6_WORD(SFW6_F_SRC, 1, src_ip, 1),
		SFW6_WORD(SFW6_F_SRC, 1, src_ip, 2),
		SFW6_WORD(SFW6_F_SRC, 1, src_ip, 3),
		SFW6_WORD(SFW6_F_DST, 5, dst_ip, 0),
		SFW6_WORD(SFW6_F_DST, 5, dst_ip, 1),
		SFW6_WORD(SFW6_F_DST, 5, dst_ip, 2),
		SFW6_WORD(SFW6_F_DST, 5, dst_ip, 3),
		SFW_FIELD(sfw_acl_key6, SFW6_F_SPORT, RANGE, 9, src_port),
		SFW_FIELD(sfw_acl_key6, SFW6_F_DPORT, RANGE, 9, dst_port),
	};

	memset(c, 0, sizeof(*c));
	c->num_categories = SFW_NB_CAT;
	c->num_fields = v6 ? SFW6_NB_FIELDS : SFW_NB_FIELDS;
	if (v6)
		memcpy(c->defs, defs6, sizeof(defs6));
	else
		memcpy(c->defs, defs, sizeof(defs));
}

int
sfw_acl_build(const struct ioc_topology *t, unsigned vnic, unsigned dir, bool v6,
	      struct rte_acl_ctx **ctx)
{
	/* rte_acl_create() hands back an existing context of the same name: never reuse one. */
	static unsigned seq;
	struct rule_vec rv = {
		.size = v6 ? sizeof(struct sfw_acl_rule6) : sizeof(struct sfw_acl_rule),
		.v6 = v6,
	};
	struct rte_acl_config cfg;
	char name[RTE_ACL_NAMESIZE];
	int rc;

	*ctx = NULL;
	rc = collect_rules(t, vnic, dir, &rv);
	if (rc != 0 || rv.n == 0)
		goto out;
	snprintf(name, sizeof(name), "sfw%u_%s%s_%u", vnic, dir == IOC_DIR_IN ? "in" : "out",
		 v6 ? "6" : "", __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	struct rte_acl_param p = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.rule_size = (uint32_t)rv.size,
		.max_rule_num = rv.n,
	};
	*ctx = rte_acl_create(&p);
	if (*ctx == NULL) {
		rc = -rte_errno;
		goto out;
	}
	rc = rte_acl_add_rules(*ctx, (const struct rte_acl_rule *)rv.v, rv.n);
	if (rc == 0) {
		acl_config(&cfg, v6);
		rc = rte_acl_build(*ctx, &cfg);
	}
	if (rc != 0) {
		rte_acl_free(*ctx);
		*ctx = NULL;
	}
out:
	if (rc != 0)
		IOC_LOG(ERR, sfw, "%s: compiling the %s %s rules: %s", t->vnics[vnic].name,
			v6 ? "IPv6" : "IPv4", dir == IOC_DIR_IN ? "in" : "out", strerror(-rc));
	free(rv.v);
	return rc;
}
