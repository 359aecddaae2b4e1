/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lookups and membership over a loaded topology (topology.h). Plain C, no
 * DPDK: used by `iochain --check` and the config tests without EAL.
 */
#include <stdlib.h>
#include <string.h>

#include "topology.h"

/*
 * ioc_topo_find_WHAT(t, name): the index of the object called `name` among
 * t->ARR[0 .. t->N), or -1 (no such object, or no name).
 */
#define TOPO_FINDER(what, arr, n)                                                                  \
	int ioc_topo_find_##what(const struct ioc_topology *t, const char *name)                   \
	{                                                                                          \
		for (unsigned i = 0; name != NULL && i < t->n; i++) {                              \
			if (strcmp(t->arr[i].name, name) == 0)                                     \
				return (int)i;                                                     \
		}                                                                                  \
		return -1;                                                                         \
	}

TOPO_FINDER(vm, vms, n_vms)
TOPO_FINDER(vnic, vnics, n_vnics)
TOPO_FINDER(uplink, uplinks, n_uplinks)
TOPO_FINDER(ipset, ipsets, n_ipsets)
TOPO_FINDER(group, groups, n_groups)
TOPO_FINDER(instance, instances, n_instances)
TOPO_FINDER(profile, profiles, n_profiles)

int
ioc_topo_find_svm_by_lcore(const struct ioc_topology *t, unsigned lcore)
{
	for (unsigned i = 0; i < t->n_svms; i++) {
		if (t->svms[i].lcore == lcore)
			return (int)i;
	}
	return -1;
}

static uint32_t
cidr_mask(uint8_t len)
{
	return len == 0 ? 0 : (len >= 32 ? UINT32_MAX : UINT32_MAX << (32 - len));
}

void
ioc_vnic_link_local(const struct ioc_vnic *v, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = v->mac[0] ^ 0x02;
	a[9] = v->mac[1];
	a[10] = v->mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = v->mac[3];
	a[14] = v->mac[4];
	a[15] = v->mac[5];
}

unsigned
ioc_vnic_ipv6(const struct ioc_vnic *v, uint8_t out[][16])
{
	unsigned n = v->n_ip6;

	memcpy(out, v->ip6, n * sizeof(v->ip6[0]));
	if (v->ipv6_link_local)
		ioc_vnic_link_local(v, out[n++]);
	return n;
}

bool
ioc_cidr_has_ip6(const struct ioc_cidr *c, const uint8_t a[16])
{
	unsigned full = c->len / 8, rest = c->len % 8;

	if (!c->v6 || memcmp(a, c->addr6, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ c->addr6[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Whether one of the vNIC's bound IPs (IPv6: the link-local too) falls inside c. */
static bool
vnic_in_cidr(const struct ioc_vnic *v, const struct ioc_cidr *c)
{
	uint32_t mask = cidr_mask(c->len);
	unsigned i;

	if (c->v6) {
		uint8_t a[IOC_MAX_VNIC_IPS + 1][16];
		unsigned n = ioc_vnic_ipv6(v, a);

		for (i = 0; i < n; i++)
			if (ioc_cidr_has_ip6(c, a[i]))
				return true;
		return false;
	}
	for (i = 0; i < v->n_ip; i++)
		if ((v->ip[i] & mask) == (c->addr & mask))
			return true;
	return false;
}

static bool
group_has_vnic(const struct ioc_topology *t, int group, int vnic, unsigned depth)
{
	const struct ioc_vnic *v = &t->vnics[vnic];
	const struct ioc_group *g;
	const struct ioc_ipset *s;
	unsigned i, j;

	/* The loader rejects cycles; the depth bound guards hand-built topologies. */
	if (group < 0 || (unsigned)group >= t->n_groups || depth > t->n_groups)
		return false;
	g = &t->groups[group];
	for (i = 0; i < g->members.n; i++) {
		const struct ioc_ref *r = &g->members.v[i];

		switch (r->kind) {
		case IOC_REF_ANY:
			return true;
		case IOC_REF_CIDR:
			if (vnic_in_cidr(v, &r->cidr))
				return true;
			break;
		case IOC_REF_IPSET:
			if (r->index < 0 || (unsigned)r->index >= t->n_ipsets)
				break;
			s = &t->ipsets[r->index];
			for (j = 0; j < s->n; j++)
				if (vnic_in_cidr(v, &s->v[j]))
					return true;
			break;
		case IOC_REF_GROUP:
			if (group_has_vnic(t, r->index, vnic, depth + 1))
				return true;
			break;
		case IOC_REF_VM:
			if (r->index >= 0 && r->index == v->vm)
				return true;
			break;
		case IOC_REF_VNIC:
			if (r->index == vnic)
				return true;
			break;
		}
	}
	return false;
}

bool
ioc_topo_group_has_vnic(const struct ioc_topology *t, int group, int vnic)
{
	if (vnic < 0 || (unsigned)vnic >= t->n_vnics)
		return false;
	return group_has_vnic(t, group, vnic, 0);
}

bool
ioc_ref_list_is_any(const struct ioc_ref_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].kind == IOC_REF_ANY)
			return true;
	return false;
}

bool
ioc_l4_list_is_any(const struct ioc_l4_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].any)
			return true;
	return false;
}

int
ioc_topo_unclassified_profile(const struct ioc_topology *t, int vnic, unsigned dir)
{
	int first = -1;

	for (unsigned r = 0; r < t->n_redirect_rules; r++) {
		const struct ioc_redirect_rule *rr = &t->redirect_rules[r];

		if (!(rr->direction & dir) || !ioc_topo_group_has_vnic(t, rr->group, vnic))
			continue;
		if (first < 0 && rr->action == IOC_ACT_REDIRECT)
			first = rr->profile;
		/* Only a rule that selects everything can speak for what has no address. */
		if (ioc_ref_list_is_any(&rr->src) && ioc_ref_list_is_any(&rr->dst) &&
		    ioc_l4_list_is_any(&rr->service))
			return rr->action == IOC_ACT_REDIRECT ? rr->profile : -1;
	}
	return first;
}

unsigned
ioc_topo_vnic_profiles(const struct ioc_topology *t, int vnic, int *out)
{
	unsigned n = 0;

	for (unsigned r = 0; r < t->n_redirect_rules; r++) {
		const struct ioc_redirect_rule *rr = &t->redirect_rules[r];
		unsigned i = 0;

		if (rr->action != IOC_ACT_REDIRECT || !ioc_topo_group_has_vnic(t, rr->group, vnic))
			continue;
		while (i < n && out[i] != rr->profile)
			i++;
		if (i == n)
			out[n++] = rr->profile;
	}
	return n;
}

static bool
cidr_has_ip(const struct ioc_cidr *c, uint32_t ip)
{
	uint32_t mask = cidr_mask(c->len);

	return !c->v6 && (ip & mask) == (c->addr & mask);
}

static bool
vnic_has_ip(const struct ioc_vnic *v, uint32_t ip)
{
	for (unsigned i = 0; i < v->n_ip; i++)
		if (v->ip[i] == ip)
			return true;
	return false;
}

static bool
ref_has_ip(const struct ioc_topology *t, const struct ioc_ref *r, uint32_t ip, unsigned depth)
{
	switch (r->kind) {
	case IOC_REF_ANY:
		return true;
	case IOC_REF_CIDR:
		return cidr_has_ip(&r->cidr, ip);
	case IOC_REF_IPSET:
		if (r->index < 0 || (unsigned)r->index >= t->n_ipsets)
			return false;
		for (unsigned j = 0; j < t->ipsets[r->index].n; j++)
			if (cidr_has_ip(&t->ipsets[r->index].v[j], ip))
				return true;
		return false;
	case IOC_REF_GROUP: {
		if (r->index < 0 || (unsigned)r->index >= t->n_groups || depth > t->n_groups)
			return false;
		const struct ioc_ref_list *m = &t->groups[r->index].members;
		for (unsigned j = 0; j < m->n; j++)
			if (ref_has_ip(t, &m->v[j], ip, depth + 1))
				return true;
		return false;
	}
	case IOC_REF_VM:
		for (unsigned v = 0; v < t->n_vnics; v++)
			if (t->vnics[v].vm == r->index && vnic_has_ip(&t->vnics[v], ip))
				return true;
		return false;
	case IOC_REF_VNIC:
		return r->index >= 0 && (unsigned)r->index < t->n_vnics &&
		       vnic_has_ip(&t->vnics[r->index], ip);
	}
	return false;
}

bool
ioc_l4_list_match(const struct ioc_l4_list *l, uint8_t proto, uint16_t dport, bool has_ports)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct ioc_l4_match *m = &l->v[i];

		if (m->any)
			return true;
		if (m->proto != proto)
			continue;
		if ((proto != 6 && proto != 17) || (m->port_lo == 0 && m->port_hi == 65535))
			return true;
		if (has_ports && dport >= m->port_lo && dport <= m->port_hi)
			return true;
	}
	return false;
}

bool
ioc_topo_refs_have_ip(const struct ioc_topology *t, const struct ioc_ref_list *l, uint32_t ip)
{
	for (unsigned i = 0; i < l->n; i++)
		if (ref_has_ip(t, &l->v[i], ip, 0))
			return true;
	return false;
}

static void
mark_lcores(const struct ioc_lcore_list *l, bool out[IOC_MAX_LCORES])
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (l->id[i] < IOC_MAX_LCORES)
			out[l->id[i]] = true;
}

void
ioc_topo_forwarding_lcores(const struct ioc_topology *t, bool out[IOC_MAX_LCORES])
{
	unsigned i;

	memset(out, 0, IOC_MAX_LCORES * sizeof(out[0]));
	for (i = 0; i < t->n_uplinks; i++)
		mark_lcores(&t->uplinks[i].lcores, out);
	for (i = 0; i < t->n_vnics; i++)
		mark_lcores(&t->vnics[i].lcores, out);
}

void
ioc_topo_init(struct ioc_topology *t)
{
	memset(t, 0, sizeof(*t));
	t->host.watchdog_lcore = -1;
	t->host.heartbeat_timeout_ms = 10;
	t->host.watchdog_rt_priority = 1;
	t->host.idle_sleep_us = 20;
	t->dfw.default_allow = true;
	t->dfw.stateful = true;
	t->dfw.connections = IOC_CONNECTIONS_DEFAULT;
}

void
ioc_topo_free(struct ioc_topology *t)
{
	unsigned i;

	for (i = 0; i < t->n_ipsets; i++)
		free(t->ipsets[i].v);
	for (i = 0; i < t->n_groups; i++)
		free(t->groups[i].members.v);
	for (i = 0; i < t->n_dfw_rules; i++) {
		free(t->dfw_rules[i].src.v);
		free(t->dfw_rules[i].dst.v);
		free(t->dfw_rules[i].service.v);
		free(t->dfw_rules[i].applied_to.v);
	}
	for (i = 0; i < t->n_redirect_rules; i++) {
		free(t->redirect_rules[i].src.v);
		free(t->redirect_rules[i].dst.v);
		free(t->redirect_rules[i].service.v);
	}
	for (i = 0; i < t->n_svm_rules; i++) {
		free(t->svm_rules[i].src.v);
		free(t->svm_rules[i].dst.v);
		free(t->svm_rules[i].service.v);
	}
	free(t->uplinks);
	free(t->vms);
	free(t->vnics);
	free(t->ipsets);
	free(t->groups);
	free(t->dfw_rules);
	free(t->services);
	free(t->instances);
	free(t->profiles);
	free(t->redirect_rules);
	free(t->svm_rules);
	free(t->svms);
	ioc_topo_init(t);
}
