/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reload (fwd.h): what a new topology may change, and the swap of the
 * slots that rebuild their state from it (those with a reload op: sfw).
 *
 * Publication: that slot's state of every vNIC is built from the new topology
 * while the lcores forward with the old one; each chain's slot priv is then
 * replaced by a release store (the chain reads it with an acquire load once
 * per burst), and ioc_dp_synchronize() returns once every forwarding lcore
 * has finished any burst that could have read an old priv: only then is the
 * old state detached. The connection tables are shared and reference-counted
 * by the slot, so the new state takes them before the old one lets them go:
 * established connections keep flowing (with the redirect mark they were
 * opened with, until a packet meets them under the new rules: then the new
 * redirect rules mark them again, ct_policy gen). The first topology is kept
 * until ioc_dp_destroy(): slots 1 and 4 and the SVM workers were attached with
 * it and keep pointers into it; a reloaded one is freed by the next reload.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "config.h"
#include "events.h"
#include "fwd.h"
#include "log.h"
#include "svc.h"

#define RELOAD_SCOPE                                                                               \
	"reload changes only rules: dfw, dfw_rule, ipset, group, redirect_rule, profile "          \
	"fail_open"

static int refuse(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "WHAT: restart iochain for that (reload changes only ...)": the cause first, it matters. */
static int
refuse(char *msg, size_t len, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(msg, len, "%s: restart iochain for that (" RELOAD_SCOPE ")", what);
	return -EINVAL;
}

static bool
same_lcores(const struct ioc_lcore_list *a, const struct ioc_lcore_list *b)
{
	return a->n == b->n && memcmp(a->id, b->id, a->n * sizeof(a->id[0])) == 0;
}

static bool
same_ref(const struct ioc_topology *a, const struct ioc_ref *x, const struct ioc_topology *b,
	 const struct ioc_ref *y)
{
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case IOC_REF_ANY:
		return true;
	case IOC_REF_CIDR:
		return x->cidr.addr == y->cidr.addr && x->cidr.len == y->cidr.len &&
		       x->cidr.v6 == y->cidr.v6 &&
		       memcmp(x->cidr.addr6, y->cidr.addr6, sizeof(x->cidr.addr6)) == 0;
	case IOC_REF_IPSET:
		return strcmp(a->ipsets[x->index].name, b->ipsets[y->index].name) == 0;
	case IOC_REF_GROUP:
		return strcmp(a->groups[x->index].name, b->groups[y->index].name) == 0;
	case IOC_REF_VM:
	case IOC_REF_VNIC:
		return x->index == y->index; /* vms and vnics are checked identical */
	}
	return false;
}

static bool
same_refs(const struct ioc_topology *a, const struct ioc_ref_list *x, const struct ioc_topology *b,
	  const struct ioc_ref_list *y)
{
	if (x->n != y->n)
		return false;
	for (unsigned i = 0; i < x->n; i++) {
		if (!same_ref(a, &x->v[i], b, &y->v[i]))
			return false;
	}
	return true;
}

static bool
same_l4(const struct ioc_l4_list *x, const struct ioc_l4_list *y)
{
	if (x->n != y->n)
		return false;
	for (unsigned i = 0; i < x->n; i++) {
		const struct ioc_l4_match *p = &x->v[i], *q = &y->v[i];

		if (p->any != q->any || p->proto != q->proto || p->port_lo != q->port_lo ||
		    p->port_hi != q->port_hi)
			return false;
	}
	return true;
}

/* The ipsets and groups a list names, and what those groups name, recursively. */
static void
mark_refs(const struct ioc_topology *t, const struct ioc_ref_list *l, bool *ipsets, bool *groups)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct ioc_ref *r = &l->v[i];

		if (r->kind == IOC_REF_IPSET) {
			ipsets[r->index] = true;
		} else if (r->kind == IOC_REF_GROUP && !groups[r->index]) {
			groups[r->index] = true;
			mark_refs(t, &t->groups[r->index].members, ipsets, groups);
		}
	}
}

/*
 * The SVM workers evaluate svm rules against the topology they were started
 * with: the ipsets and groups those rules use must not change.
 */
static int
check_svm_sets(const struct ioc_topology *a, const struct ioc_topology *b, char *msg, size_t len)
{
	bool *ipsets = calloc(a->n_ipsets + 1, sizeof(bool));
	bool *groups = calloc(a->n_groups + 1, sizeof(bool));
	int rc = 0;

	if (ipsets == NULL || groups == NULL) {
		snprintf(msg, len, "reload: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < a->n_svm_rules; i++) {
		mark_refs(a, &a->svm_rules[i].src, ipsets, groups);
		mark_refs(a, &a->svm_rules[i].dst, ipsets, groups);
	}
	for (unsigned i = 0; i < a->n_ipsets && rc == 0; i++) {
		const struct ioc_ipset *x = &a->ipsets[i];
		int j = ioc_topo_find_ipset(b, x->name);

		if (!ipsets[i])
			continue;
		if (j < 0 || b->ipsets[j].n != x->n ||
		    memcmp(b->ipsets[j].v, x->v, x->n * sizeof(x->v[0])) != 0)
			rc = refuse(msg, len,
				    "ipset %s, used by svm rules (the SVM keeps its rules)",
				    x->name);
	}
	for (unsigned i = 0; i < a->n_groups && rc == 0; i++) {
		const struct ioc_group *x = &a->groups[i];
		int j = ioc_topo_find_group(b, x->name);

		if (!groups[i])
			continue;
		if (j < 0 || !same_refs(a, &x->members, b, &b->groups[j].members))
			rc = refuse(msg, len,
				    "group %s, used by svm rules (the SVM keeps its rules)",
				    x->name);
	}
out:
	free(ipsets);
	free(groups);
	return rc;
}

/*
 * Slot 4 of vNIC v is built for the profiles its redirect rules can mark
 * (ioc_topo_vnic_profiles): a reload keeps it only if that list is the same.
 * Returns the first position where a and b differ, or -1.
 */
static int
slot4_diff(const struct ioc_topology *a, const struct ioc_topology *b, unsigned v, int *pa, int *pb)
{
	unsigned na = ioc_topo_vnic_profiles(a, (int)v, pa);
	unsigned nb = ioc_topo_vnic_profiles(b, (int)v, pb);

	for (unsigned i = 0; i < na || i < nb; i++) {
		if (i >= na)
			pa[i] = -1;
		if (i >= nb)
			pb[i] = -1;
		/* Profiles are compared by index: check_services refuses renamed ones. */
		if (pa[i] != pb[i])
			return (int)i;
	}
	return -1;
}

static int
check_ports(const struct ioc_topology *a, const struct ioc_topology *b, char *msg, size_t len)
{
	if (a->n_uplinks != b->n_uplinks)
		return refuse(msg, len, "the set of uplinks changed");
	for (unsigned i = 0; i < a->n_uplinks; i++) {
		const struct ioc_uplink *x = &a->uplinks[i], *y = &b->uplinks[i];

		if (strcmp(x->name, y->name) != 0)
			return refuse(msg, len, "the set of uplinks changed (%s)", x->name);
		if (strcmp(x->device, y->device) != 0)
			return refuse(msg, len, "uplink %s: device", x->name);
		if (!same_lcores(&x->lcores, &y->lcores))
			return refuse(msg, len, "uplink %s: lcore", x->name);
	}
	if (a->n_vms != b->n_vms)
		return refuse(msg, len, "the set of vms changed");
	for (unsigned i = 0; i < a->n_vms; i++) {
		const struct ioc_vm *x = &a->vms[i], *y = &b->vms[i];

		if (strcmp(x->name, y->name) != 0)
			return refuse(msg, len, "the set of vms changed (%s)", x->name);
		if (x->world != y->world || strcmp(x->vc_uuid, y->vc_uuid) != 0)
			return refuse(msg, len, "vm %s: world or vc_uuid", x->name);
	}
	if (a->n_vnics != b->n_vnics)
		return refuse(msg, len, "the set of vnics changed");
	for (unsigned i = 0; i < a->n_vnics; i++) {
		const struct ioc_vnic *x = &a->vnics[i], *y = &b->vnics[i];

		if (strcmp(x->name, y->name) != 0 || x->vm != y->vm || x->eth != y->eth)
			return refuse(msg, len, "the set of vnics changed (%s)", x->name);
		if (strcmp(x->device, y->device) != 0)
			return refuse(msg, len, "vnic %s: device", x->name);
		if (memcmp(x->mac, y->mac, sizeof(x->mac)) != 0)
			return refuse(msg, len, "vnic %s: mac", x->name);
		if (x->n_ip != y->n_ip || memcmp(x->ip, y->ip, x->n_ip * sizeof(x->ip[0])) != 0 ||
		    x->n_ip6 != y->n_ip6 ||
		    memcmp(x->ip6, y->ip6, x->n_ip6 * sizeof(x->ip6[0])) != 0 ||
		    x->ipv6_link_local != y->ipv6_link_local)
			return refuse(msg, len, "vnic %s: ip bindings", x->name);
		if (x->switch_port != y->switch_port)
			return refuse(msg, len, "vnic %s: switch_port", x->name);
		if (x->uplink != y->uplink)
			return refuse(msg, len, "vnic %s: uplink", x->name);
		if (!same_lcores(&x->lcores, &y->lcores))
			return refuse(msg, len, "vnic %s: lcore", x->name);
		if (x->n_allow_ethertype != y->n_allow_ethertype ||
		    memcmp(x->allow_ethertype, y->allow_ethertype,
			   x->n_allow_ethertype * sizeof(x->allow_ethertype[0])) != 0)
			return refuse(msg, len, "vnic %s: allow_ethertypes", x->name);
		if (x->vlan_mode != y->vlan_mode || x->vlan_id != y->vlan_id)
			return refuse(msg, len, "vnic %s: vlan", x->name);
	}
	return 0;
}

static int
check_services(const struct ioc_topology *a, const struct ioc_topology *b, char *msg, size_t len)
{
	if (a->n_services != b->n_services)
		return refuse(msg, len, "the set of services changed");
	for (unsigned i = 0; i < a->n_services; i++) {
		if (strcmp(a->services[i].name, b->services[i].name) != 0 ||
		    strcmp(a->services[i].vendor, b->services[i].vendor) != 0)
			return refuse(msg, len, "service %s", a->services[i].name);
	}
	if (a->n_instances != b->n_instances)
		return refuse(msg, len, "the set of service instances changed");
	for (unsigned i = 0; i < a->n_instances; i++) {
		const struct ioc_service_instance *x = &a->instances[i], *y = &b->instances[i];

		if (strcmp(x->name, y->name) != 0 || x->service != y->service || x->id != y->id)
			return refuse(msg, len, "the set of service instances changed (%s)",
				      x->name);
		if (!same_lcores(&x->lcores, &y->lcores) ||
		    !same_lcores(&x->standby_lcores, &y->standby_lcores))
			return refuse(msg, len, "service_instance %s: lcores", x->name);
		if (x->heartbeat_timeout_ms != y->heartbeat_timeout_ms ||
		    x->auto_recover != y->auto_recover || x->slow_path_id != y->slow_path_id ||
		    x->has_slow_path_id != y->has_slow_path_id)
			return refuse(msg, len, "service_instance %s: settings", x->name);
	}
	if (a->n_profiles != b->n_profiles)
		return refuse(msg, len, "the set of service profiles changed");
	for (unsigned i = 0; i < a->n_profiles; i++) {
		const struct ioc_service_profile *x = &a->profiles[i], *y = &b->profiles[i];

		if (strcmp(x->name, y->name) != 0 || x->instance != y->instance)
			return refuse(msg, len, "the set of service profiles changed (%s)",
				      x->name);
		if (x->fail_closed_scope != y->fail_closed_scope)
			return refuse(msg, len, "service_profile %s: fail_closed_scope", x->name);
	}
	if (a->n_svm_rules != b->n_svm_rules)
		return refuse(msg, len, "svm rules (the SVM workers keep theirs)");
	for (unsigned i = 0; i < a->n_svm_rules; i++) {
		const struct ioc_svm_rule *x = &a->svm_rules[i], *y = &b->svm_rules[i];

		if (strcmp(x->name, y->name) != 0 || x->instance != y->instance ||
		    x->priority != y->priority || x->direction != y->direction ||
		    x->action != y->action || !same_refs(a, &x->src, b, &y->src) ||
		    !same_refs(a, &x->dst, b, &y->dst) || !same_l4(&x->service, &y->service))
			return refuse(msg, len, "svm_rule %s (the SVM workers keep theirs)",
				      x->name);
	}
	if (a->n_svms != b->n_svms)
		return refuse(msg, len, "the set of [svm] appliances changed");
	for (unsigned i = 0; i < a->n_svms; i++) {
		struct ioc_svm x = a->svms[i], y = b->svms[i];

		x.line = y.line = 0;
		if (memcmp(&x, &y, sizeof(x)) != 0)
			return refuse(msg, len, "svm %s", x.name);
	}
	return check_svm_sets(a, b, msg, len);
}

int
ioc_dp_reload_check(const struct ioc_topology *cur, const struct ioc_topology *next, char *msg,
		    size_t len)
{
	int rc;

	if (strcmp(cur->host.name, next->host.name) != 0 ||
	    cur->host.watchdog_lcore != next->host.watchdog_lcore ||
	    cur->host.heartbeat_timeout_ms != next->host.heartbeat_timeout_ms ||
	    cur->host.mbufs != next->host.mbufs ||
	    cur->host.watchdog_rt_priority != next->host.watchdog_rt_priority ||
	    cur->host.idle_sleep_us != next->host.idle_sleep_us)
		return refuse(msg, len, "[host]");
	if (cur->dfw.connections != next->dfw.connections)
		return refuse(msg, len,
			      "[dfw] connections (the connection tables keep their size)");
	rc = check_ports(cur, next, msg, len);
	if (rc == 0)
		rc = check_services(cur, next, msg, len);
	int *pa = calloc(cur->n_profiles + 1, sizeof(*pa));
	int *pb = calloc(cur->n_profiles + 1, sizeof(*pb));

	if (rc == 0 && (pa == NULL || pb == NULL))
		rc = refuse(msg, len, "out of memory");
	for (unsigned v = 0; v < cur->n_vnics && rc == 0; v++) {
		int i = slot4_diff(cur, next, v, pa, pb);

		if (i >= 0)
			rc = refuse(msg, len, "redirect rules move vnic %s's slot 4 (%s -> %s)",
				    cur->vnics[v].name,
				    pa[i] < 0 ? "none" : cur->profiles[pa[i]].name,
				    pb[i] < 0 ? "none" : next->profiles[pb[i]].name);
	}
	free(pa);
	free(pb);
	return rc;
}

/* What a reload builds off the datapath, per vNIC: the chain's reloading slot (-1 none). */
struct reload_plan {
	void **fresh; /* its new state, until published */
	void **old;   /* the state it replaced, until detached */
	int *pos;
	unsigned built; /* vNICs whose fresh state was built */
};

/* 1. The reloading slot's new state for every vNIC, off the datapath (one per chain). */
static int
reload_build(struct ioc_dp *dp, const struct ioc_topology *next, struct reload_plan *rp, char *msg,
	     size_t len)
{
	const struct ioc_topology *cur = dp->topo;

	for (rp->built = 0; rp->built < dp->n_vnics; rp->built++) {
		const struct ioc_chain *c = &dp->vnics[rp->built].chain;
		unsigned v = rp->built;
		int rc;

		rp->pos[v] = -1;
		for (unsigned i = 0; i < c->n_slots; i++) {
			if (c->slot[i].ops->reload != NULL)
				rp->pos[v] = (int)i;
		}
		if (rp->pos[v] < 0)
			continue;
		rc = c->slot[rp->pos[v]].ops->reload(next, v, &rp->fresh[v]);
		if (rc <= 0) {
			snprintf(msg, len, "vnic %s: building slot %u from the new rules: %s",
				 cur->vnics[v].name, c->slot[rp->pos[v]].ops->slot,
				 rc == 0 ? "the slot would leave the chain" : strerror(-rc));
			if (rc == 0)
				rp->fresh[v] = NULL;
			return rc == 0 ? -EINVAL : rc;
		}
	}
	return 0;
}

/* 2. Publish: each chain's reloading slot, then the failure policies the file changed. */
static unsigned
reload_publish(struct ioc_dp *dp, const struct ioc_topology *next, struct reload_plan *rp)
{
	const struct ioc_topology *cur = dp->topo;
	unsigned n_fail_open = 0;

	for (unsigned v = 0; v < dp->n_vnics; v++) {
		struct ioc_slot_inst *s;

		if (rp->pos[v] < 0)
			continue;
		s = &dp->vnics[v].chain.slot[rp->pos[v]];
		rp->old[v] = s->priv;
		__atomic_store_n(&s->priv, rp->fresh[v], __ATOMIC_RELEASE);
		rp->fresh[v] = NULL;
	}
	/*
	 * The file's fail_open holds, against the running value: a runtime
	 * `profile set` does not outlive a reload of a file that says otherwise
	 * (audit L5); each one that differed is reported.
	 */
	for (unsigned p = 0; p < next->n_profiles && dp->svc != NULL; p++) {
		bool running = __atomic_load_n(&dp->svc->profiles[p].fail_open, __ATOMIC_ACQUIRE);

		if (running == next->profiles[p].fail_open)
			continue;
		ioc_svc_profile_set(dp->svc, next->profiles[p].name, next->profiles[p].fail_open);
		n_fail_open++;
		if (running != cur->profiles[p].fail_open)
			ioc_event_add(
				"reload: profile %s: fail_open %s (the file) replaces %s (set "
				"at runtime)",
				next->profiles[p].name,
				next->profiles[p].fail_open ? "true" : "false",
				running ? "true" : "false");
	}
	return n_fail_open;
}

/* What a reload applied, into msg, the events and the log. */
static void
reload_summary(const struct ioc_topology *next, uint64_t t0, unsigned n_fail_open, char *msg,
	       size_t len)
{
	double us = (double)(rte_get_tsc_cycles() - t0) * 1e6 / (double)rte_get_tsc_hz();

	snprintf(msg, len, "reloaded %s: %u dfw rules, %u redirect rules, applied in %.0f us",
		 next->file, next->n_dfw_rules, next->n_redirect_rules, us);
	if (n_fail_open > 0) {
		size_t l = strlen(msg);

		snprintf(msg + l, len - l, ", %u fail_open changed", n_fail_open);
	}
	ioc_event_add("reload: %u dfw rules, %u redirect rules, applied in %.0f us",
		      next->n_dfw_rules, next->n_redirect_rules, us);
	IOC_LOG(INFO, fwd, "%s", msg);
}

int
ioc_dp_reload(struct ioc_dp *dp, struct ioc_topology *next, char *msg, size_t len)
{
	uint64_t t0 = rte_get_tsc_cycles();
	struct ioc_topology **list;
	struct reload_plan rp = { 0 };
	unsigned n_fail_open;
	int rc;

	rc = ioc_dp_reload_check(dp->topo, next, msg, len);
	if (rc != 0)
		return rc;
	list = realloc(dp->reloaded, sizeof(*list) * (dp->n_reloaded + 1));
	rp.fresh = calloc(dp->n_vnics + 1, sizeof(*rp.fresh));
	rp.old = calloc(dp->n_vnics + 1, sizeof(*rp.old));
	rp.pos = calloc(dp->n_vnics + 1, sizeof(*rp.pos));
	if (list != NULL)
		dp->reloaded = list;
	if (list == NULL || rp.fresh == NULL || rp.old == NULL || rp.pos == NULL) {
		snprintf(msg, len, "reload: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = reload_build(dp, next, &rp, msg, len);
	if (rc != 0)
		goto out;
	n_fail_open = reload_publish(dp, next, &rp);

	/* 3. Every forwarding lcore is past any burst that read the old state. */
	ioc_dp_synchronize(dp);
	for (unsigned v = 0; v < dp->n_vnics; v++) {
		if (rp.pos[v] >= 0 && rp.old[v] != NULL)
			dp->vnics[v].chain.slot[rp.pos[v]].ops->detach(rp.old[v]);
	}
	/* Telemetry reads it under its lock (held by the caller); other readers see either. */
	__atomic_store_n(&dp->topo, next, __ATOMIC_RELEASE);
	/*
	 * The previous reload's topology has no reader left: its slot-2 states
	 * are detached, and only the first topology has slots 1 and 4 and the
	 * SVM workers pointing into it. So SIGHUPs do not grow memory (audit L5).
	 */
	if (dp->n_reloaded > 0) {
		ioc_topo_free(dp->reloaded[0]);
		free(dp->reloaded[0]);
	}
	dp->reloaded[0] = next;
	dp->n_reloaded = 1;
	reload_summary(next, t0, n_fail_open, msg, len);
	rc = 0;
out:
	for (unsigned v = 0; v < rp.built && rp.fresh != NULL; v++) {
		if (rp.fresh[v] != NULL)
			dp->vnics[v].chain.slot[rp.pos[v]].ops->detach(rp.fresh[v]);
	}
	free(rp.fresh);
	free(rp.old);
	free(rp.pos);
	return rc;
}

int
ioc_dp_reload_file(struct ioc_dp *dp, const char *path, char *msg, size_t len)
{
	struct ioc_topology *next = malloc(sizeof(*next));
	struct ioc_error err;
	int rc;

	if (next == NULL) {
		snprintf(msg, len, "reload: out of memory");
		return -ENOMEM;
	}
	ioc_topo_init(next);
	rc = ioc_config_load_file(path, next, &err);
	if (rc != 0)
		ioc_error_format(&err, msg, (unsigned)len);
	else
		rc = ioc_dp_reload(dp, next, msg, len);
	if (rc != 0) {
		ioc_topo_free(next);
		free(next);
		ioc_event_add("reload of %s failed, running rules kept: %s", path, msg);
		IOC_LOG(ERR, fwd, "reload of %s failed, running rules kept: %s", path, msg);
	}
	return rc;
}
