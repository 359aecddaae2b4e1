/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loader's typed setters: one per key type of the descriptor tables
 * (config_priv.h). Each checks a value as read, stores it in the field the
 * descriptor names and, on error, records the message at the current position.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

/* Value checkers: each returns 0, or -1 with the error recorded at the current position. */

static int
val_name(struct ctx *c, const char *v, char out[IOC_NAME_MAX])
{
	const char *why = ioc_cfg_name_why(v);

	if (why != NULL)
		return ioc_cfg_fail(c, "invalid name \"%s\": %s", v, why);
	ioc_cfg_copy_str(out, IOC_NAME_MAX, v);
	return 0;
}

static int
val_str(struct ctx *c, const char *v, char *out, size_t size)
{
	size_t n = strlen(v);

	if (n >= size)
		return ioc_cfg_fail(c, "value too long (%zu characters, at most %zu)", n, size - 1);
	memcpy(out, v, n + 1);
	return 0;
}

static int
val_u32(struct ctx *c, const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	const char *why;

	if (ioc_parse_u32(v, min, max, out, &why) == 0)
		return 0;
	if (strcmp(why, "out of range") == 0)
		return ioc_cfg_fail(
			c, "invalid number \"%s\": out of range (%" PRIu32 "..%" PRIu32 ")", v, min,
			max);
	return ioc_cfg_fail(c, "invalid number \"%s\": %s", v, why);
}

/* A value parser's verdict, as the loader words it: "invalid WHAT \"VALUE\": WHY". */
static int
verdict(struct ctx *c, int rc, const char *what, const char *v, const char *why)
{
	return rc < 0 ? ioc_cfg_fail(c, "invalid %s \"%s\": %s", what, v, why) : 0;
}

/* One of the names (case-insensitive), stored as its value in a bool or an int field. */
static int
val_enum(struct ctx *c, const char *v, const struct enum_def *en, void *field, size_t size)
{
	unsigned i;

	for (i = 0; i < en->n; i++)
		if (strcasecmp(v, en->names[i]) == 0)
			break;
	if (i == en->n)
		return ioc_cfg_fail(c, "invalid %s \"%s\": expected %s", en->what, v, en->expected);
	if (size == sizeof(bool))
		*(bool *)field = en->values[i] != 0;
	else
		memcpy(field, &en->values[i], sizeof(int));
	return 0;
}

/* The field of the first seen key of type `type` in section o, or NULL. */
static const void *
seen_field(const struct ctx *c, const struct sec *o, enum key_type type, int *line)
{
	const struct sec_desc *d = &ioc_sections[o->type];
	unsigned k;

	for (k = 0; k < d->n_keys; k++)
		if (d->keys[k].type == type && ioc_cfg_seen(o, k)) {
			*line = o->key_line[k];
			return (const char *)ioc_cfg_object(c, o) + d->keys[k].off;
		}
	return NULL;
}

static int
val_mac(struct ctx *c, const struct sec *s, const char *v, uint8_t mac[6])
{
	static const uint8_t zero[6];
	const char *why;
	unsigned i;

	if (ioc_parse_mac(v, mac, &why) < 0)
		return ioc_cfg_fail(c, "invalid MAC address \"%s\": %s", v, why);
	if (mac[0] & 1)
		return ioc_cfg_fail(
			c, "invalid MAC address \"%s\": not unicast (multicast bit set)", v);
	if (memcmp(mac, zero, 6) == 0)
		return ioc_cfg_fail(c, "invalid MAC address \"%s\": all zeros", v);
	for (i = 0; i < c->n_secs; i++) {
		const struct sec *o = &c->secs[i];
		const uint8_t *other;
		int line;

		if (o == s || (other = seen_field(c, o, KT_MAC, &line)) == NULL)
			continue;
		if (memcmp(other, mac, 6) == 0)
			return ioc_cfg_fail(
				c,
				"duplicate MAC %02x:%02x:%02x:%02x:%02x:%02x (also vnic %s at "
				"line %d)",
				mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], o->name, line);
	}
	return 0;
}

/* A port's device: at most IOC_DEVARGS_MAX - 1 characters, not already another port's. */
static int
val_device(struct ctx *c, const struct sec *s, const char *v, char out[IOC_DEVARGS_MAX])
{
	unsigned i;

	if (val_str(c, v, out, IOC_DEVARGS_MAX) < 0)
		return -1;
	for (i = 0; i < c->n_secs; i++) {
		const struct sec *o = &c->secs[i];
		const char *dev;
		int line;

		if (o == s || (dev = seen_field(c, o, KT_DEVICE, &line)) == NULL)
			continue;
		if (strcmp(dev, v) == 0)
			return ioc_cfg_fail(c, "device \"%s\" already used by %s at line %d", v,
					    o->header, line);
	}
	return 0;
}

/* One element of a comma-separated list, the i-th: 0, or -1 with the error recorded. */
typedef int (*elem_fn)(struct ctx *c, const char *elem, unsigned i, void *arg);

/* Every element of v in turn, an empty one refused. */
static int
each_elem(struct ctx *c, const char *v, elem_fn one, void *arg)
{
	char elem[IOC_CONFIG_MAX_LINE + 1];
	const char *p = v;
	unsigned i = 0;

	while (ioc_cfg_split_next(&p, elem, sizeof(elem)) > 0) {
		if (elem[0] == '\0')
			return ioc_cfg_fail(c, "empty element in \"%s\"", v);
		if (one(c, elem, i++, arg) < 0)
			return -1;
	}
	return 0;
}

/* "0x88cc, 0x8809": ethertypes (0x0600-0xffff, hexadecimal) spoofguard lets out. */
static int
val_ethertype_list(struct ctx *c, const char *v, struct ioc_vnic *vn)
{
	char elem[IOC_CONFIG_MAX_LINE + 1];
	const char *p = v;

	vn->n_allow_ethertype = 0;
	while (ioc_cfg_split_next(&p, elem, sizeof(elem)) > 0) {
		char *end = NULL;
		unsigned long x = 0;

		if (elem[0] == '0' && (elem[1] == 'x' || elem[1] == 'X') &&
		    isxdigit((unsigned char)elem[2]))
			x = strtoul(elem + 2, &end, 16);
		if (end == NULL || *end != '\0' || end - elem > 6 || x < 0x0600)
			return ioc_cfg_fail(
				c,
				"invalid ethertype \"%s\": expected 0x0600-0xffff in hexadecimal",
				elem);
		for (unsigned i = 0; i < vn->n_allow_ethertype; i++)
			if (vn->allow_ethertype[i] == x)
				return ioc_cfg_fail(c, "duplicate ethertype %s", elem);
		if (vn->n_allow_ethertype == IOC_MAX_ETHERTYPES)
			return ioc_cfg_fail(c, "too many ethertypes (at most %d)",
					    IOC_MAX_ETHERTYPES);
		vn->allow_ethertype[vn->n_allow_ethertype++] = (uint16_t)x;
	}
	return 0;
}

/* "none", "trunk" or an access VLAN 1-4094. */
static int
val_vlan(struct ctx *c, const char *v, struct ioc_vnic *vn)
{
	uint32_t id;

	if (strcasecmp(v, "none") == 0) {
		vn->vlan_mode = IOC_VLAN_NONE;
		return 0;
	}
	if (strcasecmp(v, "trunk") == 0) {
		vn->vlan_mode = IOC_VLAN_TRUNK;
		return 0;
	}
	if (ioc_parse_u32(v, 1, 4094, &id, NULL) < 0)
		return ioc_cfg_fail(
			c, "invalid vlan \"%s\": expected none, trunk or a VLAN ID 1-4094", v);
	vn->vlan_mode = IOC_VLAN_ACCESS;
	vn->vlan_id = (uint16_t)id;
	return 0;
}

/* Room for as many elements as v has, or NULL with the error recorded. */
static void *
alloc_elems(struct ctx *c, const char *v, size_t size)
{
	void *p = calloc(ioc_cfg_count_elems(v), size);

	if (p == NULL)
		ioc_cfg_oom(c);
	return p;
}

static int
any_alone(struct ctx *c, bool any, const char *v)
{
	if (any && ioc_cfg_count_elems(v) > 1)
		return ioc_cfg_fail(c, "\"any\" cannot be combined with other entries");
	return 0;
}

/* Why IPv6 address a cannot be a vNIC's binding, or NULL. */
static const char *
ipv6_unbindable(const uint8_t a[16])
{
	static const uint8_t zero[16], loop[16] = { [15] = 1 };

	if (memcmp(a, zero, 16) == 0)
		return "the unspecified address :: (spoofguard lets it out for DAD only)";
	if (memcmp(a, loop, 16) == 0)
		return "the loopback address ::1";
	if (a[0] == 0xff)
		return "a multicast address (ff00::/8)";
	return NULL;
}

static int
ip6_one(struct ctx *c, const char *elem, struct ioc_vnic *vn)
{
	const char *why;
	uint8_t ip6[16];

	if (ioc_parse_ipv6(elem, ip6, &why) < 0)
		return ioc_cfg_fail(c, "invalid IPv6 address \"%s\": %s", elem, why);
	if ((why = ipv6_unbindable(ip6)) != NULL)
		return ioc_cfg_fail(c, "\"%s\" cannot be bound: %s", elem, why);
	for (unsigned i = 0; i < vn->n_ip6; i++)
		if (memcmp(vn->ip6[i], ip6, 16) == 0)
			return ioc_cfg_fail(c, "duplicate IP address %s", elem);
	if (vn->n_ip6 == IOC_MAX_VNIC_IPS)
		return ioc_cfg_fail(c, "too many IPv6 addresses (at most %d)", IOC_MAX_VNIC_IPS);
	memcpy(vn->ip6[vn->n_ip6++], ip6, 16);
	return 0;
}

/* One element of "10.0.0.11, 2001:db8::11": IPv4 and IPv6 bindings, mixed. */
static int
ip_one(struct ctx *c, const char *elem, unsigned n, void *arg)
{
	struct ioc_vnic *vn = arg;
	const char *why;
	uint32_t ip;
	unsigned i;

	(void)n; /* per family, not per element */
	if (strchr(elem, ':') != NULL)
		return ip6_one(c, elem, vn);
	if (ioc_parse_ipv4(elem, &ip, &why) < 0)
		return ioc_cfg_fail(c, "invalid IPv4 address \"%s\": %s", elem, why);
	for (i = 0; i < vn->n_ip; i++)
		if (vn->ip[i] == ip)
			return ioc_cfg_fail(c, "duplicate IP address %s", elem);
	if (vn->n_ip == IOC_MAX_VNIC_IPS)
		return ioc_cfg_fail(c, "too many IP addresses (at most %d)", IOC_MAX_VNIC_IPS);
	vn->ip[vn->n_ip++] = ip;
	return 0;
}

static int
cidr_one(struct ctx *c, const char *elem, unsigned i, void *arg)
{
	struct ioc_ipset *set = arg;
	const char *why;

	if (ioc_parse_cidr(elem, &set->v[i], &why) < 0)
		return ioc_cfg_fail(c, "invalid CIDR \"%s\": %s", elem, why);
	set->n = i + 1;
	return 0;
}

static int
l4_one(struct ctx *c, const char *elem, unsigned i, void *arg)
{
	struct ioc_l4_list *l = arg;
	const char *why;

	if (ioc_parse_l4(elem, &l->v[i], &why) < 0)
		return ioc_cfg_fail(c, "invalid service \"%s\": %s", elem, why);
	l->n = i + 1;
	return 0;
}

static int
val_ip_list(struct ctx *c, const char *v, struct ioc_vnic *vn)
{
	vn->n_ip = 0;
	vn->n_ip6 = 0;
	return each_elem(c, v, ip_one, vn);
}

static int
val_cidr_list(struct ctx *c, const char *v, struct ioc_ipset *set)
{
	set->n = 0;
	set->v = alloc_elems(c, v, sizeof(*set->v));
	if (set->v == NULL)
		return -1;
	return each_elem(c, v, cidr_one, set);
}

static int
val_l4_list(struct ctx *c, const char *v, struct ioc_l4_list *out)
{
	bool any = false;
	unsigned i;

	free(out->v);
	out->n = 0;
	out->v = alloc_elems(c, v, sizeof(*out->v));
	if (out->v == NULL || each_elem(c, v, l4_one, out) < 0)
		return -1;
	for (i = 0; i < out->n; i++)
		any |= out->v[i].any;
	return any_alone(c, any, v);
}

static const char *const ref_prefix[] = {
	[IOC_REF_VM] = "vm",
	[IOC_REF_VNIC] = "vnic",
	[IOC_REF_IPSET] = "ipset",
	[IOC_REF_GROUP] = "group",
};

static void
ref_expected(unsigned allowed, char *buf, size_t len)
{
	static const enum ioc_ref_kind order[] = { IOC_REF_ANY,	 IOC_REF_CIDR,	IOC_REF_VM,
						   IOC_REF_VNIC, IOC_REF_IPSET, IOC_REF_GROUP };
	const char *items[DIM(order)];
	char one[16];
	unsigned n = 0, i;
	size_t off = 0;

	for (i = 0; i < DIM(order); i++)
		if (allowed & REF(order[i]))
			items[n++] = order[i] == IOC_REF_ANY	? "any"
				     : order[i] == IOC_REF_CIDR ? "CIDR"
								: ref_prefix[order[i]];
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		bool named = strcmp(items[i], "any") != 0 && strcmp(items[i], "CIDR") != 0;

		snprintf(one, sizeof(one), "%s%s", items[i], named ? ":NAME" : "");
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i == 0 ? "" : (i == n - 1 ? " or " : ", "), one);
	}
}

static int
ref_lookup(const struct ioc_topology *t, enum ioc_ref_kind k, const char *name)
{
	switch (k) {
	case IOC_REF_VM:
		return ioc_topo_find_vm(t, name);
	case IOC_REF_VNIC:
		return ioc_topo_find_vnic(t, name);
	case IOC_REF_IPSET:
		return ioc_topo_find_ipset(t, name);
	case IOC_REF_GROUP:
		return ioc_topo_find_group(t, name);
	default:
		return -1;
	}
}

struct refs_arg {
	struct ioc_ref_list *out;
	unsigned allowed;
	bool resolve, any;
	char expected[96];
};

/* KIND:NAME, kind among the allowed ones; the name looked up when resolving. */
static int
named_ref(struct ctx *c, const char *elem, const char *colon, struct refs_arg *a, struct ioc_ref *r)
{
	size_t plen = (size_t)(colon - elem);
	const char *name = colon + 1, *why;
	unsigned k;

	for (k = 0; k < DIM(ref_prefix); k++)
		if ((a->allowed & REF(k)) && ref_prefix[k] != NULL &&
		    strlen(ref_prefix[k]) == plen && strncmp(elem, ref_prefix[k], plen) == 0)
			break;
	if (k == DIM(ref_prefix))
		return ioc_cfg_fail(c, "invalid %s \"%s\": expected %s", c->at_key, elem,
				    a->expected);
	why = ioc_cfg_name_why(name);
	if (why != NULL)
		return ioc_cfg_fail(c, "invalid name \"%s\": %s", name, why);
	r->kind = (enum ioc_ref_kind)k;
	if (a->resolve) {
		r->index = ref_lookup(c->t, r->kind, name);
		if (r->index < 0)
			return ioc_cfg_fail(c, "unknown %s \"%s\"", ref_prefix[k], name);
	}
	return 0;
}

/* An IPv6 address, not KIND:NAME: at most 4 hex digits before the first ':' (no kind is hex). */
static bool
ipv6_text(const char *elem, const char *colon)
{
	if (colon - elem > 4)
		return false;
	for (const char *p = elem; p < colon; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	return true;
}

static int
ref_one(struct ctx *c, const char *elem, unsigned i, void *arg)
{
	struct refs_arg *a = arg;
	struct ioc_ref *r = &a->out->v[i];
	const char *colon = strchr(elem, ':'), *why;

	a->out->n = i + 1;
	r->index = -1;
	if ((a->allowed & REF(IOC_REF_ANY)) && strcasecmp(elem, "any") == 0) {
		r->kind = IOC_REF_ANY;
		a->any = true;
		return 0;
	}
	if (colon != NULL && !ipv6_text(elem, colon))
		return named_ref(c, elem, colon, a, r);
	if ((a->allowed & REF(IOC_REF_CIDR)) && (ioc_cfg_is_digit(elem[0]) || colon != NULL)) {
		if (ioc_parse_cidr(elem, &r->cidr, &why) < 0)
			return ioc_cfg_fail(c, "invalid CIDR \"%s\": %s", elem, why);
		r->kind = IOC_REF_CIDR;
		return 0;
	}
	return ioc_cfg_fail(c, "invalid %s \"%s\": expected %s", c->at_key, elem, a->expected);
}

/*
 * A comma-separated list of `any`, CIDRs and KIND:NAME references, kinds limited
 * to `allowed`. Names are looked up when `resolve` (index -1 otherwise).
 * Replaces *out.
 */
static int
val_refs(struct ctx *c, const char *v, unsigned allowed, bool resolve, struct ioc_ref_list *out)
{
	struct refs_arg a = { .out = out, .allowed = allowed, .resolve = resolve };

	ref_expected(allowed, a.expected, sizeof(a.expected));
	free(out->v);
	out->n = 0;
	out->v = alloc_elems(c, v, sizeof(*out->v));
	if (out->v == NULL || each_elem(c, v, ref_one, &a) < 0)
		return -1;
	return any_alone(c, a.any, v);
}

int
ioc_cfg_resolve_refs(struct ctx *c, const struct sec *s, unsigned k, void *field)
{
	ioc_cfg_at_key(c, s, k);
	return val_refs(c, s->raw[k], ioc_sections[s->type].keys[k].refs, true, field);
}

int
ioc_cfg_set_value(struct ctx *c, const struct sec *s, const struct key_desc *kd, void *obj,
		  const char *v)
{
	void *f = (char *)obj + kd->off;
	char name[IOC_NAME_MAX];
	const char *why = NULL;
	uint32_t x;
	int rc;

	switch (kd->type) {
	case KT_NAME:
		return val_name(c, v, f);
	case KT_SECTION_REF:
		return val_name(c, v, name); /* looked up once the whole file is read */
	case KT_STR:
		return val_str(c, v, f, kd->size);
	case KT_U32:
		return val_u32(c, v, kd->min, kd->max, f);
	case KT_LCORE_OPT:
		if (strcmp(v, "-1") == 0) {
			*(int *)f = -1;
			return 0;
		}
		if (val_u32(c, v, 0, IOC_MAX_LCORES - 1, &x) < 0)
			return -1;
		*(int *)f = (int)x;
		return 0;
	case KT_BOOL:
		rc = ioc_parse_bool(v, f, &why);
		return verdict(c, rc, "boolean", v, why);
	case KT_DIR:
		rc = ioc_parse_direction(v, f, &why);
		return verdict(c, rc, "direction", v, why);
	case KT_ENUM:
		return val_enum(c, v, kd->en, f, kd->size);
	case KT_LCORES:
		rc = ioc_parse_lcore_list(v, f, &why);
		return verdict(c, rc, "lcore list", v, why);
	case KT_MAC:
		return val_mac(c, s, v, f);
	case KT_DEVICE:
		return val_device(c, s, v, f);
	case KT_IPS:
		return val_ip_list(c, v, obj);
	case KT_ETHERTYPES:
		return val_ethertype_list(c, v, obj);
	case KT_VLAN:
		return val_vlan(c, v, obj);
	case KT_CIDRS:
		return val_cidr_list(c, v, obj);
	case KT_L4:
		return val_l4_list(c, v, f);
	case KT_REFS:
		return val_refs(c, v, kd->refs, false, f);
	}
	return 0;
}
