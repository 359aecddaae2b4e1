/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema (DESIGN.md §3): one descriptor table per section. A row names a
 * key, its type, the field it fills, whether it is required, its default and
 * its range; the same rows drive parsing, defaults, the required-key check and
 * the README's key table (tests/unit/test_config.c compares them). Adding a
 * key is one row; a hook per section says what a row cannot.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* offsetof and size of a field, for a row */
#define F(type, member) offsetof(type, member), sizeof(((type *)0)->member)

#define ENUM(w, exp, n, v)                                                                         \
	{                                                                                          \
		w, exp, n, v, DIM(n)                                                               \
	}

static const char *const allow_drop[] = { "allow", "drop" };
static const int allow_drop_v[] = { IOC_ACT_ALLOW, IOC_ACT_DROP };
static const int default_allow_v[] = { 1, 0 };
static const char *const dfw_acts[] = { "allow", "drop", "reject" };
static const int dfw_acts_v[] = { IOC_ACT_ALLOW, IOC_ACT_DROP, IOC_ACT_REJECT };
static const char *const rdr_acts[] = { "redirect", "no_redirect" };
static const int rdr_acts_v[] = { IOC_ACT_REDIRECT, IOC_ACT_NO_REDIRECT };
static const char *const scopes[] = { "vnic", "redirected" };
static const int scopes_v[] = { IOC_SCOPE_VNIC, IOC_SCOPE_REDIRECTED };

static const struct enum_def en_default_action =
	ENUM("action", "allow or drop", allow_drop, default_allow_v);
static const struct enum_def en_allow_drop =
	ENUM("action", "allow or drop", allow_drop, allow_drop_v);
static const struct enum_def en_dfw_action =
	ENUM("action", "allow, drop or reject", dfw_acts, dfw_acts_v);
static const struct enum_def en_redirect_action =
	ENUM("action", "redirect or no_redirect", rdr_acts, rdr_acts_v);
static const struct enum_def en_scope = ENUM("scope", "vnic or redirected", scopes, scopes_v);
static const char *const link_locals[] = { "auto", "none" };
static const int link_locals_v[] = { 1, 0 };
static const struct enum_def en_link_local =
	ENUM("ipv6_link_local", "auto or none", link_locals, link_locals_v);
static const char *const probes[] = { "l2", "icmp", "none" };
static const int probes_v[] = { IOC_PROBE_L2, IOC_PROBE_ICMP, IOC_PROBE_NONE };
static const struct enum_def en_probe = ENUM("probe", "l2, icmp or none", probes, probes_v);

#define REQUIRED .required = true
#define RANGE(lo, hi) .min = (lo), .max = (hi)
#define SECTION_REF(w, f) .what = (w), .find = (f)

/* ---------------------------------------------------------------------------------------------- */
/* The tables: rows in the order of the README; a section's first missing required key is the
 * one reported. */

static const struct key_desc host_keys[] = {
	{ "name", KT_NAME, F(struct ioc_host, name), REQUIRED },
	{ "watchdog_lcore", KT_LCORE_OPT, F(struct ioc_host, watchdog_lcore), .def = "-1",
	  .doc = "main lcore" },
	{ "heartbeat_timeout_ms", KT_U32, F(struct ioc_host, heartbeat_timeout_ms), .def = "10",
	  RANGE(1, 60000) },
	{ "mbufs", KT_U32, F(struct ioc_host, mbufs), RANGE(IOC_MBUFS_MIN, IOC_MBUFS_MAX),
	  .doc = "sized from the ports" },
	{ "watchdog_rt_priority", KT_U32, F(struct ioc_host, watchdog_rt_priority), .def = "1",
	  RANGE(0, 99) },
	{ "idle_sleep_us", KT_U32, F(struct ioc_host, idle_sleep_us), .def = "20", RANGE(0, 1000) },
	{ "control_group", KT_NAME, F(struct ioc_host, control_group),
	  .doc = "none: iochain's user only" },
};

static const struct key_desc uplink_keys[] = {
	{ "device", KT_DEVICE, F(struct ioc_uplink, device), REQUIRED },
	{ "lcore", KT_LCORES, F(struct ioc_uplink, lcores), REQUIRED },
};

static const struct key_desc vm_keys[] = {
	{ "world", KT_U32, F(struct ioc_vm, world), REQUIRED, RANGE(0, UINT32_MAX) },
	{ "vc_uuid", KT_STR, F(struct ioc_vm, vc_uuid), REQUIRED },
};

static const struct key_desc vnic_keys[] = {
	{ "device", KT_DEVICE, F(struct ioc_vnic, device), REQUIRED },
	{ "switch_port", KT_U32, F(struct ioc_vnic, switch_port), RANGE(0, UINT32_MAX),
	  .doc = "33554432 + position among the vnics" },
	{ "mac", KT_MAC, F(struct ioc_vnic, mac), REQUIRED },
	{ "ip", KT_IPS, F(struct ioc_vnic, ip), REQUIRED },
	{ "uplink", KT_SECTION_REF, F(struct ioc_vnic, uplink),
	  SECTION_REF("uplink", ioc_topo_find_uplink), .doc = "none: local only" },
	{ "lcore", KT_LCORES, F(struct ioc_vnic, lcores), REQUIRED },
	{ "allow_ethertypes", KT_ETHERTYPES, F(struct ioc_vnic, allow_ethertype), .doc = "none" },
	{ "vlan", KT_VLAN, F(struct ioc_vnic, vlan_mode), .def = "none" },
	{ "ipv6_link_local", KT_ENUM, F(struct ioc_vnic, ipv6_link_local), .def = "auto",
	  .en = &en_link_local },
	{ "max_connections", KT_U32, F(struct ioc_vnic, max_connections), .def = "0",
	  RANGE(0, IOC_CONNECTIONS_MAX), .doc = "0: no limit" },
};

static const struct key_desc ipset_keys[] = {
	{ "addresses", KT_CIDRS, F(struct ioc_ipset, v), REQUIRED },
};

static const struct key_desc group_keys[] = {
	{ "members", KT_REFS, F(struct ioc_group, members), REQUIRED, .refs = REFS_MEMBERS },
};

static const struct key_desc dfw_keys[] = {
	{ "default_action", KT_ENUM, F(struct ioc_dfw, default_allow), .def = "allow",
	  .en = &en_default_action },
	{ "stateful", KT_BOOL, F(struct ioc_dfw, stateful), .def = "true" },
	{ "connections", KT_U32, F(struct ioc_dfw, connections), .def = "65536",
	  RANGE(IOC_CONNECTIONS_MIN, IOC_CONNECTIONS_MAX) },
	{ "tcp_pickup", KT_BOOL, F(struct ioc_dfw, tcp_pickup), .def = "false" },
};

static const struct key_desc dfw_rule_keys[] = {
	{ "priority", KT_U32, F(struct ioc_dfw_rule, priority), REQUIRED, RANGE(0, UINT32_MAX) },
	{ "source", KT_REFS, F(struct ioc_dfw_rule, src), .def = "any", .refs = REFS_ADDR },
	{ "destination", KT_REFS, F(struct ioc_dfw_rule, dst), .def = "any", .refs = REFS_ADDR },
	{ "service", KT_L4, F(struct ioc_dfw_rule, service), .def = "any" },
	{ "direction", KT_DIR, F(struct ioc_dfw_rule, direction), .def = "inout" },
	{ "applied_to", KT_REFS, F(struct ioc_dfw_rule, applied_to), .def = "any",
	  .refs = REFS_APPLIED },
	{ "action", KT_ENUM, F(struct ioc_dfw_rule, action), REQUIRED, .en = &en_dfw_action },
};

static const struct key_desc service_keys[] = {
	{ "vendor", KT_STR, F(struct ioc_service, vendor), REQUIRED },
};

static int
find_service(const struct ioc_topology *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->n_services; i++)
		if (strcmp(t->services[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const struct key_desc instance_keys[] = {
	{ "service", KT_SECTION_REF, F(struct ioc_service_instance, service), REQUIRED,
	  SECTION_REF("service", find_service) },
	{ "lcores", KT_LCORES, F(struct ioc_service_instance, lcores), REQUIRED },
	{ "standby_lcores", KT_LCORES, F(struct ioc_service_instance, standby_lcores) },
	{ "heartbeat_timeout_ms", KT_U32, F(struct ioc_service_instance, heartbeat_timeout_ms),
	  RANGE(1, 60000), .doc = "host's" },
	{ "auto_recover", KT_BOOL, F(struct ioc_service_instance, auto_recover), .def = "true" },
	{ "slow_path_id", KT_U32, F(struct ioc_service_instance, slow_path_id),
	  RANGE(0, UINT32_MAX), .doc = "none" },
	{ "max_preempt_ms", KT_U32, F(struct ioc_service_instance, max_preempt_ms),
	  RANGE(1, 600000), .doc = "5 x heartbeat_timeout_ms" },
};

static const struct key_desc profile_keys[] = {
	{ "instance", KT_SECTION_REF, F(struct ioc_service_profile, instance), REQUIRED,
	  SECTION_REF("service_instance", ioc_topo_find_instance) },
	{ "fail_open", KT_BOOL, F(struct ioc_service_profile, fail_open), .def = "false" },
	{ "fail_closed_scope", KT_ENUM, F(struct ioc_service_profile, fail_closed_scope),
	  .def = "vnic", .en = &en_scope },
};

/* `profile` before `source`: names resolve in table order, and group, profile, source is
 * the order errors are reported in. */
static const struct key_desc redirect_keys[] = {
	{ "group", KT_SECTION_REF, F(struct ioc_redirect_rule, group), REQUIRED,
	  SECTION_REF("group", ioc_topo_find_group) },
	{ "direction", KT_DIR, F(struct ioc_redirect_rule, direction), .def = "inout" },
	{ "profile", KT_SECTION_REF, F(struct ioc_redirect_rule, profile),
	  SECTION_REF("service_profile", ioc_topo_find_profile),
	  .doc = "required with `action = redirect`" },
	{ "source", KT_REFS, F(struct ioc_redirect_rule, src), .def = "any", .refs = REFS_ADDR },
	{ "destination", KT_REFS, F(struct ioc_redirect_rule, dst), .def = "any",
	  .refs = REFS_ADDR },
	{ "service", KT_L4, F(struct ioc_redirect_rule, service), .def = "any" },
	{ "action", KT_ENUM, F(struct ioc_redirect_rule, action), REQUIRED,
	  .en = &en_redirect_action },
};

static const struct key_desc svm_rule_keys[] = {
	{ "instance", KT_SECTION_REF, F(struct ioc_svm_rule, instance), REQUIRED,
	  SECTION_REF("service_instance", ioc_topo_find_instance) },
	{ "priority", KT_U32, F(struct ioc_svm_rule, priority), REQUIRED, RANGE(0, UINT32_MAX) },
	{ "source", KT_REFS, F(struct ioc_svm_rule, src), .def = "any", .refs = REFS_ADDR },
	{ "destination", KT_REFS, F(struct ioc_svm_rule, dst), .def = "any", .refs = REFS_ADDR },
	{ "service", KT_L4, F(struct ioc_svm_rule, service), .def = "any" },
	{ "direction", KT_DIR, F(struct ioc_svm_rule, direction), .def = "inout" },
	{ "action", KT_ENUM, F(struct ioc_svm_rule, action), REQUIRED, .en = &en_allow_drop },
};

/* The arms are checked after the file (ioc_cfg_svm_resolve): by device name, against ports too. */
static const struct key_desc svm_keys[] = {
	{ "instance", KT_SECTION_REF, F(struct ioc_svm, instance), REQUIRED,
	  SECTION_REF("service_instance", ioc_topo_find_instance) },
	{ "lcore", KT_U32, F(struct ioc_svm, lcore), REQUIRED, RANGE(0, IOC_MAX_LCORES - 1) },
	{ "device_in", KT_STR, F(struct ioc_svm, device_in), REQUIRED },
	{ "device_out", KT_STR, F(struct ioc_svm, device_out), REQUIRED },
	{ "probe", KT_ENUM, F(struct ioc_svm, probe), .def = "l2", .en = &en_probe },
	{ "probe_interval_ms", KT_U32, F(struct ioc_svm, probe_interval_ms), .def = "1",
	  RANGE(1, 60000) },
	{ "restart", KT_STR, F(struct ioc_svm, restart), .doc = "none" },
	{ "restart_after_ms", KT_U32, F(struct ioc_svm, restart_after_ms), .def = "1000",
	  RANGE(0, 3600000) },
};

/* ---------------------------------------------------------------------------------------------- */
/* What a row cannot say */

static int
vnic_open(struct ctx *c, struct sec *s, void *obj)
{
	struct ioc_vnic *vn = obj;

	(void)c;
	vn->vm = -1;
	/* "VM.ethN" was checked by the reader */
	vn->eth = (unsigned)strtoul(strrchr(s->name, '.') + 4, NULL, 10);
	vn->switch_port = IOC_SWITCH_PORT_BASE + s->idx;
	return 0;
}

static int
instance_open(struct ctx *c, struct sec *s, void *obj)
{
	struct ioc_service_instance *in = obj;

	(void)c;
	in->id = 4 + s->idx;
	return 0;
}

static int
redirect_close(struct ctx *c, const struct sec *s, void *obj)
{
	const struct ioc_redirect_rule *r = obj;

	if (r->action == IOC_ACT_REDIRECT && !ioc_cfg_seen_key(s, "profile")) {
		ioc_cfg_at(c, s->line, s->header, "profile");
		return ioc_cfg_fail(c, "missing required key (action = redirect)");
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* The sections */

#define SINGLETON(n, k, type, member, line)                                                        \
	.name = n, .singleton = true, .keys = k, .n_keys = DIM(k) + KEYS_FIT(k),                   \
	.base = offsetof(struct ioc_topology, member), .elem_size = sizeof(type), .line_off = line
#define NAMED(n, k, type, arr_, count_)                                                            \
	.name = n, .keys = k, .n_keys = DIM(k) + KEYS_FIT(k),                                      \
	.arr = offsetof(struct ioc_topology, arr_),                                                \
	.count = offsetof(struct ioc_topology, count_), .elem_size = sizeof(type),                 \
	.line_off = offsetof(type, line)
/* 0, or a compile error when a table has more keys than struct sec has bits for. */
#define KEYS_FIT(k) (0 * sizeof(char[DIM(k) <= MAX_KEYS ? 1 : -1]))

const struct sec_desc ioc_sections[SEC_MAX] = {
	[SEC_HOST] = { SINGLETON("host", host_keys, struct ioc_host, host,
				 offsetof(struct ioc_host, line)) },
	[SEC_UPLINK] = { NAMED("uplink", uplink_keys, struct ioc_uplink, uplinks, n_uplinks) },
	[SEC_VM] = { NAMED("vm", vm_keys, struct ioc_vm, vms, n_vms) },
	[SEC_VNIC] = { NAMED("vnic", vnic_keys, struct ioc_vnic, vnics, n_vnics), .open = vnic_open,
		       .resolve = ioc_cfg_vnic_resolve },
	[SEC_IPSET] = { NAMED("ipset", ipset_keys, struct ioc_ipset, ipsets, n_ipsets) },
	[SEC_GROUP] = { NAMED("group", group_keys, struct ioc_group, groups, n_groups) },
	[SEC_DFW] = { SINGLETON("dfw", dfw_keys, struct ioc_dfw, dfw, NO_FIELD) },
	[SEC_DFW_RULE] = { NAMED("dfw_rule", dfw_rule_keys, struct ioc_dfw_rule, dfw_rules,
				 n_dfw_rules),
			   .order_off = offsetof(struct ioc_dfw_rule, order) },
	[SEC_SERVICE] = { NAMED("service", service_keys, struct ioc_service, services,
				n_services) },
	[SEC_INSTANCE] = { NAMED("service_instance", instance_keys, struct ioc_service_instance,
				 instances, n_instances),
			   .open = instance_open, .resolve = ioc_cfg_instance_resolve },
	[SEC_PROFILE] = { NAMED("service_profile", profile_keys, struct ioc_service_profile,
				profiles, n_profiles) },
	[SEC_REDIRECT] = { NAMED("redirect_rule", redirect_keys, struct ioc_redirect_rule,
				 redirect_rules, n_redirect_rules),
			   .order_off = offsetof(struct ioc_redirect_rule, order),
			   .close = redirect_close, .resolve = ioc_cfg_redirect_resolve },
	[SEC_SVM_RULE] = { NAMED("svm_rule", svm_rule_keys, struct ioc_svm_rule, svm_rules,
				 n_svm_rules),
			   .order_off = offsetof(struct ioc_svm_rule, order) },
	[SEC_SVM] = { NAMED("svm", svm_keys, struct ioc_svm, svms, n_svms),
		      .resolve = ioc_cfg_svm_resolve },
};

/* ---------------------------------------------------------------------------------------------- */
/* Driving the tables */

bool
ioc_cfg_seen(const struct sec *s, unsigned k)
{
	return (s->seen & (1u << k)) != 0;
}

int
ioc_cfg_key_index(enum sec_type type, const char *name)
{
	const struct sec_desc *d = &ioc_sections[type];
	unsigned k;

	for (k = 0; k < d->n_keys; k++)
		if (strcmp(d->keys[k].name, name) == 0)
			return (int)k;
	return -1;
}

bool
ioc_cfg_seen_key(const struct sec *s, const char *name)
{
	int k = ioc_cfg_key_index(s->type, name);

	return k >= 0 && ioc_cfg_seen(s, (unsigned)k);
}

void *
ioc_cfg_object(const struct ctx *c, const struct sec *s)
{
	const struct sec_desc *d = &ioc_sections[s->type];
	char *t = (char *)c->t;

	if (d->singleton)
		return t + d->base;
	return *(char **)(t + d->arr) + (size_t)s->idx * d->elem_size;
}

/* Every default of the table into obj; references (KT_SECTION_REF) to none. */
static int
set_defaults(struct ctx *c, const struct sec *s, void *obj)
{
	const struct sec_desc *d = &ioc_sections[s->type];
	unsigned k;

	for (k = 0; k < d->n_keys; k++) {
		const struct key_desc *kd = &d->keys[k];

		if (kd->type == KT_SECTION_REF)
			*(int *)((char *)obj + kd->off) = -1;
		else if (kd->def != NULL && ioc_cfg_set_value(c, s, kd, obj, kd->def) < 0)
			return -1;
	}
	return 0;
}

int
ioc_cfg_singleton_defaults(struct ctx *c)
{
	unsigned ty;

	for (ty = 0; ty < SEC_MAX; ty++) {
		struct sec s = { .type = (enum sec_type)ty };

		if (ioc_sections[ty].singleton && set_defaults(c, &s, ioc_cfg_object(c, &s)) < 0)
			return -1;
	}
	return 0;
}

int
ioc_cfg_open_section(struct ctx *c, struct sec *s)
{
	const struct sec_desc *d = &ioc_sections[s->type];
	char *t = (char *)c->t, *obj;

	if (d->singleton) {
		s->idx = 0;
		obj = ioc_cfg_object(c, s);
	} else {
		void **arr = (void **)(t + d->arr);
		unsigned *n = (unsigned *)(t + d->count);
		void *p = ioc_cfg_grow(c, *arr, *n, d->elem_size);

		if (p == NULL)
			return -1;
		*arr = p;
		s->idx = (*n)++;
		obj = ioc_cfg_object(c, s);
		ioc_cfg_copy_str(obj, IOC_NAME_MAX,
				 s->name); /* every object starts with its name */
		if (set_defaults(c, s, obj) < 0)
			return -1;
	}
	if (d->line_off != NO_FIELD)
		*(int *)(obj + d->line_off) = s->line;
	if (d->order_off != 0)
		*(unsigned *)(obj + d->order_off) = s->idx;
	return d->open != NULL ? d->open(c, s, obj) : 0;
}

int
ioc_cfg_close_section(struct ctx *c, struct sec *s)
{
	const struct sec_desc *d = &ioc_sections[s->type];
	unsigned k;

	for (k = 0; k < d->n_keys; k++) {
		if (d->keys[k].required && !ioc_cfg_seen(s, k)) {
			ioc_cfg_at(c, s->line, s->header, d->keys[k].name);
			return ioc_cfg_fail(c, "missing required key");
		}
	}
	return d->close != NULL ? d->close(c, s, ioc_cfg_object(c, s)) : 0;
}

int
ioc_cfg_set_key(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	return ioc_cfg_set_value(c, s, &ioc_sections[s->type].keys[k], ioc_cfg_object(c, s), v);
}

const char *
ioc_config_section_name(unsigned i)
{
	return i < SEC_MAX ? ioc_sections[i].name : NULL;
}

const char *
ioc_config_key_name(unsigned i, unsigned k, bool *required)
{
	if (i >= SEC_MAX || k >= ioc_sections[i].n_keys)
		return NULL;
	if (required != NULL)
		*required = ioc_sections[i].keys[k].required;
	return ioc_sections[i].keys[k].name;
}
