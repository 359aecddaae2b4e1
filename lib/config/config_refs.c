/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What needs the whole file (DESIGN.md §3): names that refer to other
 * sections (a section may refer to one further down), then the checks that
 * span sections: group cycles and lcore roles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* The position of key `name` of s, for the next error. */
static void
at_named(struct ctx *c, const struct sec *s, const char *name)
{
	ioc_cfg_at_key(c, s, (unsigned)ioc_cfg_key_index(s->type, name));
}

static const struct sec *
sec_of(const struct ctx *c, enum sec_type type, unsigned idx)
{
	unsigned i;

	for (i = 0; i < c->n_secs; i++)
		if (c->secs[i].type == type && c->secs[i].idx == idx)
			return &c->secs[i];
	return NULL;
}

/* The device name of devargs (up to the first comma) into out. */
static void
dev_name(const char *devargs, char out[IOC_DEVARGS_MAX])
{
	size_t n = strcspn(devargs, ",");

	memcpy(out, devargs, n);
	out[n] = '\0';
}

/* The value of devargs' `key=` argument into out ("" when absent). */
static void
dev_arg(const char *devargs, const char *key, char out[IOC_DEVARGS_MAX])
{
	size_t kl = strlen(key);

	out[0] = '\0';
	for (const char *p = strchr(devargs, ','); p != NULL; p = strchr(p + 1, ',')) {
		if (strncmp(p + 1, key, kl) == 0 && p[1 + kl] == '=') {
			size_t n = strcspn(p + 2 + kl, ",");

			memcpy(out, p + 2 + kl, n);
			out[n] = '\0';
			return;
		}
	}
}

/*
 * What a device attaches to outside iochain, which two devices of distinct
 * names still cannot share: a vhost-user socket, a kernel interface, a memif
 * socket and interface id. "" when the driver names none.
 */
#define ENDPOINT_MAX (IOC_DEVARGS_MAX + 48)
static void
dev_endpoint(const char *devargs, char out[ENDPOINT_MAX])
{
	char v[IOC_DEVARGS_MAX], id[IOC_DEVARGS_MAX];

	out[0] = '\0';
	if (strncmp(devargs, "net_vhost", 9) == 0 || strncmp(devargs, "net_virtio_user", 15) == 0) {
		dev_arg(devargs, devargs[4] == 'v' && devargs[5] == 'h' ? "iface" : "path", v);
		if (v[0] != '\0')
			snprintf(out, ENDPOINT_MAX, "vhost-user socket %s", v);
	} else if (strncmp(devargs, "net_tap", 7) == 0 || strncmp(devargs, "net_tun", 7) == 0) {
		dev_arg(devargs, "iface", v);
		if (v[0] != '\0')
			snprintf(out, ENDPOINT_MAX, "interface %s", v);
	} else if (strncmp(devargs, "net_memif", 9) == 0) {
		dev_arg(devargs, "socket", v);
		dev_arg(devargs, "id", id);
		snprintf(out, ENDPOINT_MAX, "memif socket %s id %.*s",
			 v[0] != '\0' ? v : "/run/memif.sock", 20, id[0] != '\0' ? id : "0");
	}
}

/*
 * Arm k of [svm] s must name a device no port and no other arm uses, nor the
 * socket or interface of one (the later one is the error).
 */
static int
check_arm_device(struct ctx *c, const struct sec *s, unsigned k, const char *dev)
{
	char a[IOC_DEVARGS_MAX], b[IOC_DEVARGS_MAX], ea[ENDPOINT_MAX], eb[ENDPOINT_MAX];

	dev_name(dev, a);
	dev_endpoint(dev, ea);
	for (unsigned i = 0; i < c->n_secs; i++) {
		const struct sec *o = &c->secs[i];
		const struct sec_desc *d = &ioc_sections[o->type];

		for (unsigned j = 0; j < d->n_keys; j++) {
			const struct key_desc *kd = &d->keys[j];
			bool arm = o->type == SEC_SVM && strncmp(kd->name, "device_", 7) == 0;

			if ((kd->type != KT_DEVICE && !arm) || !ioc_cfg_seen(o, j) ||
			    (arm && o->key_line[j] >= s->key_line[k]))
				continue;
			const char *other = (const char *)ioc_cfg_object(c, o) + kd->off;

			dev_name(other, b);
			dev_endpoint(other, eb);
			if (strcmp(a, b) == 0) {
				ioc_cfg_at_key(c, s, k);
				return ioc_cfg_fail(c,
						    "device %s already used by [%s] %s at line %d",
						    a, o->header, kd->name, o->key_line[j]);
			}
			if (ea[0] != '\0' && strcmp(ea, eb) == 0) {
				ioc_cfg_at_key(c, s, k);
				return ioc_cfg_fail(
					c, "device %s: %s already used by [%s] %s at line %d", a,
					ea, o->header, kd->name, o->key_line[j]);
			}
		}
	}
	return 0;
}

/* [svm]: its instance, one of that instance's lcores, one appliance per lcore, arms used once. */
int
ioc_cfg_svm_resolve(struct ctx *c, const struct sec *s, void *obj)
{
	struct ioc_svm *x = obj;
	const struct ioc_service_instance *in;
	bool ok = false;

	if (ioc_cfg_resolve_keys(c, s, obj) < 0)
		return -1;
	in = &c->t->instances[x->instance];
	for (unsigned i = 0; i < in->lcores.n; i++)
		ok |= in->lcores.id[i] == x->lcore;
	for (unsigned i = 0; i < in->standby_lcores.n; i++)
		ok |= in->standby_lcores.id[i] == x->lcore;
	ioc_cfg_at_key(c, s, (unsigned)ioc_cfg_key_index(SEC_SVM, "lcore"));
	if (!ok)
		return ioc_cfg_fail(c,
				    "lcore %u is not one of service_instance %s's lcores or "
				    "standby_lcores",
				    x->lcore, in->name);
	for (unsigned i = 0; i < s->idx; i++) {
		if (c->t->svms[i].lcore == x->lcore)
			return ioc_cfg_fail(c, "lcore %u already drives [svm %s] (line %d)",
					    x->lcore, c->t->svms[i].name, c->t->svms[i].line);
	}
	if (check_arm_device(c, s, (unsigned)ioc_cfg_key_index(SEC_SVM, "device_in"),
			     x->device_in) < 0 ||
	    check_arm_device(c, s, (unsigned)ioc_cfg_key_index(SEC_SVM, "device_out"),
			     x->device_out) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Names */

int
ioc_cfg_resolve_name(struct ctx *c, const struct sec *s, unsigned k)
{
	const struct key_desc *kd = &ioc_sections[s->type].keys[k];
	int i;

	ioc_cfg_at_key(c, s, k);
	i = kd->find(c->t, s->raw[k]);
	if (i < 0)
		return ioc_cfg_fail(c, "unknown %s \"%s\"", kd->what, s->raw[k]);
	return i;
}

int
ioc_cfg_resolve_keys(struct ctx *c, const struct sec *s, void *obj)
{
	const struct sec_desc *d = &ioc_sections[s->type];
	unsigned k;

	for (k = 0; k < d->n_keys; k++) {
		void *f = (char *)obj + d->keys[k].off;
		int i;

		if (!ioc_cfg_seen(s, k))
			continue;
		if (d->keys[k].type == KT_REFS && ioc_cfg_resolve_refs(c, s, k, f) < 0)
			return -1;
		if (d->keys[k].type == KT_SECTION_REF) {
			i = ioc_cfg_resolve_name(c, s, k);
			if (i < 0)
				return -1;
			*(int *)f = i;
		}
	}
	return 0;
}

int
ioc_cfg_vnic_resolve(struct ctx *c, const struct sec *s, void *obj)
{
	struct ioc_vnic *v = obj;

	ioc_cfg_at(c, s->line, s->header, "");
	v->vm = ioc_topo_find_vm(c->t, s->vm);
	if (v->vm < 0)
		return ioc_cfg_fail(c, "unknown vm \"%s\"", s->vm);
	return ioc_cfg_resolve_keys(c, s, obj);
}

int
ioc_cfg_instance_resolve(struct ctx *c, const struct sec *s, void *obj)
{
	struct ioc_service_instance *in = obj;

	if (ioc_cfg_resolve_keys(c, s, obj) < 0)
		return -1;
	if (!ioc_cfg_seen_key(s, "heartbeat_timeout_ms"))
		in->heartbeat_timeout_ms = c->t->host.heartbeat_timeout_ms;
	in->has_slow_path_id = ioc_cfg_seen_key(s, "slow_path_id");
	if (!ioc_cfg_seen_key(s, "max_preempt_ms"))
		in->max_preempt_ms = 5 * in->heartbeat_timeout_ms;
	if (in->max_preempt_ms < in->heartbeat_timeout_ms) {
		at_named(c, s, "max_preempt_ms");
		return ioc_cfg_fail(c, "%u is shorter than heartbeat_timeout_ms (%u)",
				    in->max_preempt_ms, in->heartbeat_timeout_ms);
	}
	/*
	 * An idle worker beats once per poll and sleeps idle_sleep_us between
	 * polls (plus its wake-up): a timeout of a few sleeps would declare an
	 * idle, healthy worker down. Five sleeps at least.
	 */
	if ((uint64_t)in->heartbeat_timeout_ms * 1000 < 5ull * c->t->host.idle_sleep_us) {
		at_named(c, s, "heartbeat_timeout_ms");
		return ioc_cfg_fail(
			c,
			"%u ms is shorter than 5 x [host] idle_sleep_us (%u us): an idle "
			"worker sleeping between polls would be declared down",
			in->heartbeat_timeout_ms, c->t->host.idle_sleep_us);
	}
	return 0;
}

/* A no_redirect rule's profile, if given, must exist but is not used. */
int
ioc_cfg_redirect_resolve(struct ctx *c, const struct sec *s, void *obj)
{
	struct ioc_redirect_rule *r = obj;

	if (ioc_cfg_resolve_keys(c, s, obj) < 0)
		return -1;
	if (r->action != IOC_ACT_REDIRECT)
		r->profile = -1;
	return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Group cycles */

/* The cycle path[j..depth] -> target, where path[j] == target, reported at group path[depth]. */
static int
report_cycle(struct ctx *c, const unsigned *path, unsigned depth, unsigned target)
{
	char msg[sizeof(c->err->msg)];
	size_t off = 0;
	unsigned j;

	for (j = 0; path[j] != target; j++)
		;
	for (; j <= depth && off < sizeof(msg); j++)
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s -> ",
					c->t->groups[path[j]].name);
	if (off < sizeof(msg))
		snprintf(msg + off, sizeof(msg) - off, "%s", c->t->groups[target].name);
	at_named(c, sec_of(c, SEC_GROUP, path[depth]), "members");
	return ioc_cfg_fail(c, "group cycle: %s", msg);
}

/* Depth-first walk of group g; state: 0 unvisited, 1 on the path, 2 done. */
static int
group_walk(struct ctx *c, unsigned g, uint8_t *state, unsigned *path, unsigned depth)
{
	const struct ioc_group *grp = &c->t->groups[g];
	unsigned i;

	state[g] = 1;
	path[depth] = g;
	for (i = 0; i < grp->members.n; i++) {
		const struct ioc_ref *r = &grp->members.v[i];

		if (r->kind != IOC_REF_GROUP || r->index < 0 || state[r->index] == 2)
			continue;
		if (state[r->index] == 1)
			return report_cycle(c, path, depth, (unsigned)r->index);
		if (group_walk(c, (unsigned)r->index, state, path, depth + 1) < 0)
			return -1;
	}
	state[g] = 2;
	return 0;
}

static int
check_group_cycles(struct ctx *c)
{
	unsigned n = c->t->n_groups, g;
	uint8_t *state;
	unsigned *path;
	int rc = 0;

	if (n == 0)
		return 0;
	state = calloc(n, sizeof(*state));
	path = calloc(n, sizeof(*path));
	if (state == NULL || path == NULL) {
		rc = ioc_cfg_oom(c);
		goto out;
	}
	for (g = 0; g < n && rc == 0; g++)
		if (state[g] == 0)
			rc = group_walk(c, g, state, path, 0);
out:
	free(state);
	free(path);
	return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* Lcore roles */

enum lcore_role { ROLE_NONE, ROLE_FORWARDING, ROLE_WORKER, ROLE_STANDBY, ROLE_WATCHDOG };

struct lcore_owner {
	enum lcore_role role;
	const char *instance; /* worker, standby */
};

static void
role_desc(const struct lcore_owner *o, char *buf, size_t len)
{
	switch (o->role) {
	case ROLE_FORWARDING:
		snprintf(buf, len, "a forwarding lcore");
		break;
	case ROLE_WORKER:
		snprintf(buf, len, "a worker of service_instance %s", o->instance);
		break;
	case ROLE_STANDBY:
		snprintf(buf, len, "a standby lcore of service_instance %s", o->instance);
		break;
	case ROLE_WATCHDOG:
		snprintf(buf, len, "the watchdog lcore");
		break;
	case ROLE_NONE:
		buf[0] = '\0';
		break;
	}
}

/* Gives lcore `id` the role `o`, at the current position. Ports may share forwarding lcores. */
static int
claim_lcore(struct ctx *c, struct lcore_owner *owners, unsigned id, struct lcore_owner o)
{
	char was[96], now[96];

	if (owners[id].role == ROLE_NONE) {
		owners[id] = o;
		return 0;
	}
	if (owners[id].role == ROLE_FORWARDING && o.role == ROLE_FORWARDING)
		return 0;
	role_desc(&owners[id], was, sizeof(was));
	role_desc(&o, now, sizeof(now));
	if (strcmp(was, now) == 0)
		return ioc_cfg_fail(c, "lcore %u is %s twice", id, now);
	return ioc_cfg_fail(c, "lcore %u is both %s and %s", id, was, now);
}

static int
claim_list(struct ctx *c, struct lcore_owner *owners, const struct ioc_lcore_list *l,
	   struct lcore_owner o)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (claim_lcore(c, owners, l->id[i], o) < 0)
			return -1;
	return 0;
}

/* Every lcore has one role: forwarding, worker of one instance, standby, or watchdog. */
static int
check_lcores(struct ctx *c)
{
	struct lcore_owner owners[IOC_MAX_LCORES];
	const struct ioc_topology *t = c->t;
	unsigned i;

	memset(owners, 0, sizeof(owners));
	for (i = 0; i < c->n_secs; i++) {
		const struct sec *s = &c->secs[i];
		struct lcore_owner o = { ROLE_NONE, NULL };
		int rc = 0;

		switch (s->type) {
		case SEC_HOST:
			if (t->host.watchdog_lcore < 0)
				break;
			at_named(c, s, "watchdog_lcore");
			o.role = ROLE_WATCHDOG;
			rc = claim_lcore(c, owners, (unsigned)t->host.watchdog_lcore, o);
			break;
		case SEC_UPLINK:
			at_named(c, s, "lcore");
			o.role = ROLE_FORWARDING;
			rc = claim_list(c, owners, &t->uplinks[s->idx].lcores, o);
			break;
		case SEC_VNIC:
			at_named(c, s, "lcore");
			o.role = ROLE_FORWARDING;
			rc = claim_list(c, owners, &t->vnics[s->idx].lcores, o);
			break;
		case SEC_INSTANCE:
			o.instance = t->instances[s->idx].name;
			at_named(c, s, "lcores");
			o.role = ROLE_WORKER;
			rc = claim_list(c, owners, &t->instances[s->idx].lcores, o);
			if (rc == 0 && ioc_cfg_seen_key(s, "standby_lcores")) {
				at_named(c, s, "standby_lcores");
				o.role = ROLE_STANDBY;
				rc = claim_list(c, owners, &t->instances[s->idx].standby_lcores, o);
			}
			break;
		default:
			break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
ioc_cfg_finish(struct ctx *c)
{
	unsigned i;

	if (c->cur >= 0 && ioc_cfg_close_section(c, &c->secs[c->cur]) < 0)
		return -1;
	c->cur = -1;
	if (c->single_line[SEC_HOST] == 0) {
		ioc_cfg_at(c, 0, "", "");
		return ioc_cfg_fail(c, "missing required section [host]");
	}
	if (c->t->n_uplinks + c->t->n_vnics == 0) {
		ioc_cfg_at(c, 0, "", "");
		return ioc_cfg_fail(c,
				    "no port: at least one [uplink] or [vnic] section is required");
	}
	for (i = 0; i < c->n_secs; i++) {
		const struct sec *s = &c->secs[i];
		const struct sec_desc *d = &ioc_sections[s->type];
		void *obj = ioc_cfg_object(c, s);

		if ((d->resolve != NULL ? d->resolve(c, s, obj) : ioc_cfg_resolve_keys(c, s, obj)) <
		    0)
			return -1;
	}
	if (check_group_cycles(c) < 0)
		return -1;
	return check_lcores(c);
}