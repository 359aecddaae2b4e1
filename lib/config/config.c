/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The INI loader (DESIGN.md §3).
 *
 * inih splits key lines into key and value (trimming, inline `;` comments).
 * It is fed by a reader of our own that hands it one line at a time, so that:
 * - every handler call knows its line number (Debian's inih is built without
 *   INI_HANDLER_LINENO);
 * - every [section] header is seen, even one without keys (inih only calls
 *   the handler for keys, and truncates section names to 50 characters: the
 *   section inih passes to the handler is never used);
 * - a line longer than the limit is an error at its line instead of being
 *   split by inih into two lines;
 * - leading whitespace is stripped, so inih's multi-line continuation never
 *   applies and an indented key is just a key.
 *
 * Values are checked as they are read; names that refer to other sections
 * are resolved once the whole file is read (a section may refer to one further
 * down), followed by the checks that span sections: group cycles and lcore
 * roles. The first error stops the load.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"

/*
 * Debian's inih turns its compile-time options into variables; upstream's does
 * not have them. Weak, so that the loader links against either.
 */
extern int ini_max_line __attribute__((weak));

_Static_assert(IOC_MAX_LCORES == 128, "update the lcore messages: 0..127");
_Static_assert(IOC_MAX_PORT_LCORES == 16, "update the lcore messages: at most 16");

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_KEYS 8
#define HEADER_MAX 128

/* ---------------------------------------------------------------------------------------------- */
/* Value parsers */

static int
set_why(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -EINVAL;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal digits s[0..n): 0, -EINVAL (empty, or not only digits) or -ERANGE (above max). */
static int
parse_dec(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return -EINVAL;
	for (i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * Splits off the next comma-separated element of *p into buf, trimmed.
 * Returns 1 (an element, maybe empty), 0 (no more) or -1 (element too long).
 */
static int
split_next(const char **p, char *buf, size_t len)
{
	const char *s = *p, *e;
	size_t n;

	if (s == NULL)
		return 0;
	e = strchr(s, ',');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	*p = e != NULL ? e + 1 : NULL;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n >= len)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 1;
}

static unsigned
count_elems(const char *s)
{
	unsigned n = 1;

	for (; *s != '\0'; s++)
		if (*s == ',')
			n++;
	return n;
}

int
ioc_parse_ipv4(const char *s, uint32_t *addr, const char **why)
{
	const char *p = s;
	uint32_t a = 0;
	unsigned i;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	for (i = 0; i < 4; i++) {
		const char *start;
		uint32_t v;

		if (i > 0) {
			if (*p != '.')
				return set_why(why,
					       *p == '\0' ? "expected 4 octets" : "bad character");
			p++;
		}
		start = p;
		while (is_digit(*p))
			p++;
		if (p == start)
			return set_why(why,
				       *p == '\0' || *p == '.' ? "empty octet" : "bad character");
		if (parse_dec(start, (size_t)(p - start), 255, &v) < 0)
			return set_why(why, "octet out of range (0..255)");
		if (p - start > 1 && *start == '0')
			return set_why(why, "leading zero in octet");
		a = a << 8 | v;
	}
	if (*p == '.')
		return set_why(why, "expected 4 octets");
	if (*p != '\0')
		return set_why(why, "trailing characters");
	*addr = a;
	return 0;
}

int
ioc_parse_cidr(const char *s, struct ioc_cidr *c, const char **why)
{
	const char *slash;
	char buf[16];
	uint32_t addr, len = 32, mask;
	size_t n;
	int rc;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf)) {
		/* Not an address: let the address parser say why. */
		memcpy(buf, s, sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		if (ioc_parse_ipv4(buf, &addr, why) < 0)
			return -EINVAL;
		return set_why(why, "trailing characters");
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ioc_parse_ipv4(buf, &addr, why) < 0)
		return -EINVAL;
	if (slash != NULL) {
		const char *l = slash + 1;
		size_t ln = strlen(l);

		if (ln == 0)
			return set_why(why, "missing prefix length");
		rc = parse_dec(l, ln, 32, &len);
		if (rc == -EINVAL)
			return set_why(why, "prefix length is not a decimal number");
		if (rc < 0)
			return set_why(why, "prefix length out of range (0..32)");
		if (ln > 1 && *l == '0')
			return set_why(why, "leading zero in prefix length");
	}
	mask = len == 0 ? 0 : UINT32_MAX << (32 - len);
	if ((addr & ~mask) != 0)
		return set_why(why, "host bits set");
	c->addr = addr;
	c->len = (uint8_t)len;
	return 0;
}

int
ioc_parse_mac(const char *s, uint8_t mac[6], const char **why)
{
	static const char shape[] = "expected 6 groups of 2 hex digits separated by ':'";
	uint8_t m[6];
	unsigned i, j;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	for (i = 0; i < 6; i++) {
		const char *g = s + 3 * i;
		char sep;

		for (j = 0; j < 2; j++) {
			if (g[j] == '\0' || g[j] == ':')
				return set_why(why, shape);
			if (hex_val(g[j]) < 0)
				return set_why(why, "bad hex digit");
		}
		m[i] = (uint8_t)(hex_val(g[0]) << 4 | hex_val(g[1]));
		sep = g[2];
		if (i < 5 && sep != ':')
			return set_why(why, sep == '\0' || hex_val(sep) >= 0
						    ? shape
						    : "bad separator (expected ':')");
		if (i == 5 && sep != '\0')
			return set_why(why, sep == ':' || hex_val(sep) >= 0
						    ? shape
						    : "trailing characters");
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

int
ioc_parse_bool(const char *s, bool *b, const char **why)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	unsigned i;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	for (i = 0; i < DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*b = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*b = false;
			return 0;
		}
	}
	return set_why(why, "expected true/false, yes/no, on/off or 1/0");
}

int
ioc_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v, const char **why)
{
	uint32_t x;
	int rc;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	rc = parse_dec(s, strlen(s), UINT32_MAX, &x);
	if (rc == -EINVAL)
		return set_why(why, "not a decimal number");
	if (rc < 0 || x < min || x > max)
		return set_why(why, "out of range");
	*v = x;
	return 0;
}

static int
parse_port(const char *s, size_t n, uint32_t *port, const char **why)
{
	int rc = parse_dec(s, n, 65535, port);

	if (n == 0)
		return set_why(why, "missing port");
	if (rc == -EINVAL)
		return set_why(why, "port is not a decimal number");
	if (rc < 0)
		return set_why(why, "port out of range (0..65535)");
	return 0;
}

int
ioc_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi, const char **why)
{
	const char *dash;
	uint32_t a, b;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	dash = strchr(s, '-');
	if (dash == NULL) {
		if (parse_port(s, strlen(s), &a, why) < 0)
			return -EINVAL;
		b = a;
	} else {
		if (parse_port(s, (size_t)(dash - s), &a, why) < 0 ||
		    parse_port(dash + 1, strlen(dash + 1), &b, why) < 0)
			return -EINVAL;
		if (a > b)
			return set_why(why, "low port above high port");
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int
ioc_parse_l4(const char *s, struct ioc_l4_match *m, const char **why)
{
	struct ioc_l4_match x = { .any = false, .proto = 0, .port_lo = 0, .port_hi = 65535 };
	const char *slash;
	uint32_t proto;
	size_t n;
	int rc;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n == 3 && strncasecmp(s, "tcp", 3) == 0) {
		x.proto = 6;
	} else if (n == 3 && strncasecmp(s, "udp", 3) == 0) {
		x.proto = 17;
	} else {
		if (n == 3 && strncasecmp(s, "any", 3) == 0) {
			x.any = true;
		} else if (n == 4 && strncasecmp(s, "icmp", 4) == 0) {
			x.proto = 1;
		} else {
			rc = parse_dec(s, n, 255, &proto);
			if (rc == -EINVAL)
				return set_why(why,
					       "unknown protocol (any, icmp, tcp, udp or 0..255)");
			if (rc < 0)
				return set_why(why, "protocol number out of range (0..255)");
			x.proto = (uint8_t)proto;
		}
		if (slash != NULL)
			return set_why(why, "ports only allowed for tcp and udp");
	}
	if (slash != NULL) {
		if (slash[1] == '\0')
			return set_why(why, "missing port");
		if (ioc_parse_port_range(slash + 1, &x.port_lo, &x.port_hi, why) < 0)
			return -EINVAL;
	}
	*m = x;
	return 0;
}

int
ioc_parse_lcore_list(const char *s, struct ioc_lcore_list *l, const char **why)
{
	bool used[IOC_MAX_LCORES] = { false };
	struct ioc_lcore_list out;
	const char *p = s;
	char elem[32];
	int r;

	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	memset(&out, 0, sizeof(out));
	while ((r = split_next(&p, elem, sizeof(elem))) != 0) {
		char *dash;
		uint32_t lo = 0, hi = 0, id;
		int rc1, rc2;

		if (r < 0)
			return set_why(why, "not a decimal lcore id");
		if (elem[0] == '\0')
			return set_why(why, "empty element");
		dash = strchr(elem, '-');
		if (dash != NULL) {
			rc1 = parse_dec(elem, (size_t)(dash - elem), IOC_MAX_LCORES - 1, &lo);
			rc2 = parse_dec(dash + 1, strlen(dash + 1), IOC_MAX_LCORES - 1, &hi);
		} else {
			rc1 = parse_dec(elem, strlen(elem), IOC_MAX_LCORES - 1, &lo);
			rc2 = 0;
			hi = lo;
		}
		if (rc1 == -EINVAL || rc2 == -EINVAL)
			return set_why(why, "not a decimal lcore id");
		if (rc1 < 0 || rc2 < 0)
			return set_why(why, "lcore id out of range (0..127)");
		if (lo > hi)
			return set_why(why, "reversed range");
		for (id = lo; id <= hi; id++) {
			if (used[id])
				return set_why(why, "duplicate lcore");
			if (out.n == IOC_MAX_PORT_LCORES)
				return set_why(why, "too many lcores (at most 16)");
			used[id] = true;
			out.id[out.n++] = (uint16_t)id;
		}
	}
	*l = out;
	return 0;
}

int
ioc_parse_direction(const char *s, unsigned *dir, const char **why)
{
	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	if (strcasecmp(s, "in") == 0)
		*dir = IOC_DIR_IN;
	else if (strcasecmp(s, "out") == 0)
		*dir = IOC_DIR_OUT;
	else if (strcasecmp(s, "inout") == 0)
		*dir = IOC_DIR_INOUT;
	else
		return set_why(why, "expected in, out or inout");
	return 0;
}

int
ioc_error_format(const struct ioc_error *e, char *buf, unsigned len)
{
	char line[16] = "";
	char sec[HEADER_MAX + 4] = "";
	char key[72] = "";

	if (e->line > 0)
		snprintf(line, sizeof(line), ":%d", e->line);
	if (e->section[0] != '\0')
		snprintf(sec, sizeof(sec), "[%.*s] ", (int)(sizeof(e->section) - 1), e->section);
	if (e->key[0] != '\0')
		snprintf(key, sizeof(key), "%.*s: ", (int)(sizeof(e->key) - 1), e->key);
	return snprintf(buf, len, "%s%s: %s%s%s", e->file[0] != '\0' ? e->file : "<config>", line,
			sec, key, e->msg);
}

/* ---------------------------------------------------------------------------------------------- */
/* The loader */

enum sec_type {
	SEC_HOST,
	SEC_UPLINK,
	SEC_VM,
	SEC_VNIC,
	SEC_IPSET,
	SEC_GROUP,
	SEC_DFW,
	SEC_DFW_RULE,
	SEC_SERVICE,
	SEC_INSTANCE,
	SEC_PROFILE,
	SEC_REDIRECT,
	SEC_SVM_RULE,
	SEC_MAX
};

enum {
	HOST_NAME,
	HOST_WATCHDOG_LCORE,
	HOST_HEARTBEAT,
	HOST_MBUFS,
	HOST_WATCHDOG_PRIO,
	HOST_IDLE_SLEEP
};
enum { UPLINK_DEVICE, UPLINK_LCORE };
enum { VM_WORLD, VM_VC_UUID };
enum { VNIC_DEVICE, VNIC_SWITCH_PORT, VNIC_MAC, VNIC_IP, VNIC_UPLINK, VNIC_LCORE };
enum { IPSET_ADDRESSES };
enum { GROUP_MEMBERS };
enum { DFW_DEFAULT_ACTION, DFW_STATEFUL, DFW_CONNECTIONS };
enum {
	RULE_PRIORITY,
	RULE_SOURCE,
	RULE_DESTINATION,
	RULE_SERVICE,
	RULE_DIRECTION,
	RULE_APPLIED_TO,
	RULE_ACTION
};
enum { SVC_VENDOR };
enum {
	INST_SERVICE,
	INST_LCORES,
	INST_STANDBY,
	INST_HEARTBEAT,
	INST_AUTO_RECOVER,
	INST_SLOW_PATH_ID
};
enum { PROF_INSTANCE, PROF_FAIL_OPEN, PROF_SCOPE };
enum {
	RDR_GROUP,
	RDR_DIRECTION,
	RDR_SOURCE,
	RDR_DESTINATION,
	RDR_SERVICE,
	RDR_ACTION,
	RDR_PROFILE
};
enum {
	SVM_INSTANCE,
	SVM_PRIORITY,
	SVM_SOURCE,
	SVM_DESTINATION,
	SVM_SERVICE,
	SVM_DIRECTION,
	SVM_ACTION
};

struct key_def {
	const char *name;
	bool required;
};

static const struct key_def host_keys[] = {
	[HOST_NAME] = { "name", true },
	[HOST_WATCHDOG_LCORE] = { "watchdog_lcore", false },
	[HOST_HEARTBEAT] = { "heartbeat_timeout_ms", false },
	[HOST_MBUFS] = { "mbufs", false },
	[HOST_WATCHDOG_PRIO] = { "watchdog_rt_priority", false },
	[HOST_IDLE_SLEEP] = { "idle_sleep_us", false },
};

static const struct key_def uplink_keys[] = {
	[UPLINK_DEVICE] = { "device", true },
	[UPLINK_LCORE] = { "lcore", true },
};

static const struct key_def vm_keys[] = {
	[VM_WORLD] = { "world", true },
	[VM_VC_UUID] = { "vc_uuid", true },
};

static const struct key_def vnic_keys[] = {
	[VNIC_DEVICE] = { "device", true },  [VNIC_SWITCH_PORT] = { "switch_port", true },
	[VNIC_MAC] = { "mac", true },	     [VNIC_IP] = { "ip", true },
	[VNIC_UPLINK] = { "uplink", false }, [VNIC_LCORE] = { "lcore", true },
};

static const struct key_def ipset_keys[] = {
	[IPSET_ADDRESSES] = { "addresses", true },
};

static const struct key_def group_keys[] = {
	[GROUP_MEMBERS] = { "members", true },
};

static const struct key_def dfw_keys[] = {
	[DFW_DEFAULT_ACTION] = { "default_action", false },
	[DFW_STATEFUL] = { "stateful", false },
	[DFW_CONNECTIONS] = { "connections", false },
};

static const struct key_def dfw_rule_keys[] = {
	[RULE_PRIORITY] = { "priority", true },
	[RULE_SOURCE] = { "source", false },
	[RULE_DESTINATION] = { "destination", false },
	[RULE_SERVICE] = { "service", false },
	[RULE_DIRECTION] = { "direction", false },
	[RULE_APPLIED_TO] = { "applied_to", false },
	[RULE_ACTION] = { "action", true },
};

static const struct key_def service_keys[] = {
	[SVC_VENDOR] = { "vendor", true },
};

static const struct key_def instance_keys[] = {
	[INST_SERVICE] = { "service", true },
	[INST_LCORES] = { "lcores", true },
	[INST_STANDBY] = { "standby_lcores", false },
	[INST_HEARTBEAT] = { "heartbeat_timeout_ms", false },
	[INST_AUTO_RECOVER] = { "auto_recover", false },
	[INST_SLOW_PATH_ID] = { "slow_path_id", true },
};

static const struct key_def profile_keys[] = {
	[PROF_INSTANCE] = { "instance", true },
	[PROF_FAIL_OPEN] = { "fail_open", false },
	[PROF_SCOPE] = { "fail_closed_scope", false },
};

static const struct key_def redirect_keys[] = {
	[RDR_GROUP] = { "group", true },      [RDR_DIRECTION] = { "direction", false },
	[RDR_SOURCE] = { "source", false },   [RDR_DESTINATION] = { "destination", false },
	[RDR_SERVICE] = { "service", false }, [RDR_ACTION] = { "action", true },
	[RDR_PROFILE] = { "profile", false }, /* required when action = redirect */
};

static const struct key_def svm_rule_keys[] = {
	[SVM_INSTANCE] = { "instance", true }, [SVM_PRIORITY] = { "priority", true },
	[SVM_SOURCE] = { "source", false },    [SVM_DESTINATION] = { "destination", false },
	[SVM_SERVICE] = { "service", false },  [SVM_DIRECTION] = { "direction", false },
	[SVM_ACTION] = { "action", true },
};

struct sec_def {
	const char *name;
	bool singleton;
	const struct key_def *keys;
	unsigned n_keys;
};

#define SEC_DEF(n, single, k)                                                                      \
	{                                                                                          \
		n, single, k, DIM(k)                                                               \
	}

static const struct sec_def sec_defs[SEC_MAX] = {
	[SEC_HOST] = SEC_DEF("host", true, host_keys),
	[SEC_UPLINK] = SEC_DEF("uplink", false, uplink_keys),
	[SEC_VM] = SEC_DEF("vm", false, vm_keys),
	[SEC_VNIC] = SEC_DEF("vnic", false, vnic_keys),
	[SEC_IPSET] = SEC_DEF("ipset", false, ipset_keys),
	[SEC_GROUP] = SEC_DEF("group", false, group_keys),
	[SEC_DFW] = SEC_DEF("dfw", true, dfw_keys),
	[SEC_DFW_RULE] = SEC_DEF("dfw_rule", false, dfw_rule_keys),
	[SEC_SERVICE] = SEC_DEF("service", false, service_keys),
	[SEC_INSTANCE] = SEC_DEF("service_instance", false, instance_keys),
	[SEC_PROFILE] = SEC_DEF("service_profile", false, profile_keys),
	[SEC_REDIRECT] = SEC_DEF("redirect_rule", false, redirect_keys),
	[SEC_SVM_RULE] = SEC_DEF("svm_rule", false, svm_rule_keys),
};

/* One section of the file, as read. */
struct sec {
	enum sec_type type;
	unsigned idx;		 /* in the topology array of its type */
	int line;		 /* of the [header] */
	char header[HEADER_MAX]; /* between the brackets: "vnic VM1S1.eth0" */
	char name[IOC_NAME_MAX]; /* "" for singletons */
	char vm[IOC_NAME_MAX];	 /* vnic: VM of VM.ethN */
	uint32_t seen;		 /* bit per key */
	int key_line[MAX_KEYS];
	char *raw[MAX_KEYS]; /* values as read, resolved after the whole file */
};

struct ctx {
	struct ioc_topology *t;
	struct ioc_error *err;
	bool failed;
	int rc;
	/* input */
	FILE *f;
	const char *str;
	size_t str_pos;
	char *buf;
	size_t buf_size;
	int line;
	/* sections, in file order */
	struct sec *secs;
	unsigned n_secs;
	int cur;		  /* section being read, or -1 */
	int single_line[SEC_MAX]; /* line of a singleton section seen, or 0 */
	/* where the next error is */
	int at_line;
	char at_sec[HEADER_MAX];
	char at_key[64];
};

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
at(struct ctx *c, int line, const char *sec, const char *key)
{
	c->at_line = line;
	copy_str(c->at_sec, sizeof(c->at_sec), sec);
	copy_str(c->at_key, sizeof(c->at_key), key);
}

static void
at_key(struct ctx *c, const struct sec *s, unsigned k)
{
	at(c, s->key_line[k], s->header, sec_defs[s->type].keys[k].name);
}

/* Records the first error at the current position; returns -1. */
static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct ctx *c, const char *fmt, ...)
{
	struct ioc_error *e = c->err;
	va_list ap;

	if (c->failed)
		return -1;
	c->failed = true;
	e->line = c->at_line;
	copy_str(e->section, sizeof(e->section), c->at_sec);
	copy_str(e->key, sizeof(e->key), c->at_key);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
oom(struct ctx *c)
{
	if (!c->failed)
		c->rc = -ENOMEM;
	return fail(c, "out of memory");
}

static bool
seen(const struct sec *s, unsigned k)
{
	return (s->seen & (1u << k)) != 0;
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

static const char *
name_why(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return "empty name";
	if (n >= IOC_NAME_MAX)
		return "longer than 63 characters";
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) ||
		      ch == '_' || ch == '.' || ch == '-'))
			return "only letters, digits, '_', '.' and '-' are allowed";
	}
	return NULL;
}

/* Value checkers: each returns 0, or -1 with the error recorded at the current position. */

static int
val_name(struct ctx *c, const char *v, char out[IOC_NAME_MAX])
{
	const char *why = name_why(v);

	if (why != NULL)
		return fail(c, "invalid name \"%s\": %s", v, why);
	copy_str(out, IOC_NAME_MAX, v);
	return 0;
}

static int
val_str(struct ctx *c, const char *v, char *out, size_t size)
{
	size_t n = strlen(v);

	if (n >= size)
		return fail(c, "value too long (%zu characters, at most %zu)", n, size - 1);
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
		return fail(c, "invalid number \"%s\": out of range (%" PRIu32 "..%" PRIu32 ")", v,
			    min, max);
	return fail(c, "invalid number \"%s\": %s", v, why);
}

static int
val_bool(struct ctx *c, const char *v, bool *out)
{
	const char *why;

	if (ioc_parse_bool(v, out, &why) < 0)
		return fail(c, "invalid boolean \"%s\": %s", v, why);
	return 0;
}

static int
val_dir(struct ctx *c, const char *v, unsigned *out)
{
	const char *why;

	if (ioc_parse_direction(v, out, &why) < 0)
		return fail(c, "invalid direction \"%s\": %s", v, why);
	return 0;
}

static int
val_lcores(struct ctx *c, const char *v, struct ioc_lcore_list *out)
{
	const char *why;

	if (ioc_parse_lcore_list(v, out, &why) < 0)
		return fail(c, "invalid lcore list \"%s\": %s", v, why);
	return 0;
}

/* One of `names` (case-insensitive): its index, or -1. */
static int
val_enum(struct ctx *c, const char *v, const char *what, const char *const *names, unsigned n,
	 const char *expected)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v, names[i]) == 0)
			return (int)i;
	return fail(c, "invalid %s \"%s\": expected %s", what, v, expected);
}

static int
val_mac(struct ctx *c, const struct sec *s, const char *v, uint8_t mac[6])
{
	static const uint8_t zero[6];
	const char *why;
	unsigned i;

	if (ioc_parse_mac(v, mac, &why) < 0)
		return fail(c, "invalid MAC address \"%s\": %s", v, why);
	if (mac[0] & 1)
		return fail(c, "invalid MAC address \"%s\": not unicast (multicast bit set)", v);
	if (memcmp(mac, zero, 6) == 0)
		return fail(c, "invalid MAC address \"%s\": all zeros", v);
	for (i = 0; i < c->n_secs; i++) {
		const struct sec *o = &c->secs[i];

		if (o == s || o->type != SEC_VNIC || !seen(o, VNIC_MAC))
			continue;
		if (memcmp(c->t->vnics[o->idx].mac, mac, 6) == 0)
			return fail(c,
				    "duplicate MAC %02x:%02x:%02x:%02x:%02x:%02x (also vnic %s at "
				    "line %d)",
				    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], o->name,
				    o->key_line[VNIC_MAC]);
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

		if (o == s)
			continue;
		if (o->type == SEC_UPLINK && seen(o, UPLINK_DEVICE))
			dev = c->t->uplinks[o->idx].device;
		else if (o->type == SEC_VNIC && seen(o, VNIC_DEVICE))
			dev = c->t->vnics[o->idx].device;
		else
			continue;
		if (strcmp(dev, v) == 0)
			return fail(
				c, "device \"%s\" already used by %s at line %d", v, o->header,
				o->key_line[o->type == SEC_UPLINK ? UPLINK_DEVICE : VNIC_DEVICE]);
	}
	return 0;
}

static int
val_ip_list(struct ctx *c, const char *v, struct ioc_vnic *vn)
{
	char elem[IOC_CONFIG_MAX_LINE + 1];
	const char *p = v, *why;
	unsigned i;
	uint32_t ip;

	vn->n_ip = 0;
	while (split_next(&p, elem, sizeof(elem)) > 0) {
		if (elem[0] == '\0')
			return fail(c, "empty element in \"%s\"", v);
		if (ioc_parse_ipv4(elem, &ip, &why) < 0)
			return fail(c, "invalid IPv4 address \"%s\": %s", elem, why);
		for (i = 0; i < vn->n_ip; i++)
			if (vn->ip[i] == ip)
				return fail(c, "duplicate IP address %s", elem);
		if (vn->n_ip == IOC_MAX_VNIC_IPS)
			return fail(c, "too many IP addresses (at most %d)", IOC_MAX_VNIC_IPS);
		vn->ip[vn->n_ip++] = ip;
	}
	return 0;
}

static int
val_cidr_list(struct ctx *c, const char *v, struct ioc_ipset *set)
{
	char elem[IOC_CONFIG_MAX_LINE + 1];
	unsigned n = count_elems(v), i = 0;
	const char *p = v, *why;

	set->v = calloc(n, sizeof(*set->v));
	if (set->v == NULL)
		return oom(c);
	while (split_next(&p, elem, sizeof(elem)) > 0) {
		if (elem[0] == '\0')
			return fail(c, "empty element in \"%s\"", v);
		if (ioc_parse_cidr(elem, &set->v[i], &why) < 0)
			return fail(c, "invalid CIDR \"%s\": %s", elem, why);
		set->n = ++i;
	}
	return 0;
}

static int
val_l4_list(struct ctx *c, const char *v, struct ioc_l4_list *out)
{
	char elem[IOC_CONFIG_MAX_LINE + 1];
	unsigned n = count_elems(v), i = 0;
	const char *p = v, *why;
	bool any = false;

	free(out->v);
	out->n = 0;
	out->v = calloc(n, sizeof(*out->v));
	if (out->v == NULL)
		return oom(c);
	while (split_next(&p, elem, sizeof(elem)) > 0) {
		if (elem[0] == '\0')
			return fail(c, "empty element in \"%s\"", v);
		if (ioc_parse_l4(elem, &out->v[i], &why) < 0)
			return fail(c, "invalid service \"%s\": %s", elem, why);
		any |= out->v[i].any;
		out->n = ++i;
	}
	if (any && n > 1)
		return fail(c, "\"any\" cannot be combined with other entries");
	return 0;
}

#define REF(k) (1u << (k))
#define REFS_ADDR (REF(IOC_REF_ANY) | REF(IOC_REF_CIDR) | REF(IOC_REF_IPSET) | REF(IOC_REF_GROUP))
#define REFS_APPLIED (REF(IOC_REF_ANY) | REF(IOC_REF_VNIC) | REF(IOC_REF_GROUP))
#define REFS_MEMBERS                                                                               \
	(REF(IOC_REF_CIDR) | REF(IOC_REF_VM) | REF(IOC_REF_VNIC) | REF(IOC_REF_IPSET) |            \
	 REF(IOC_REF_GROUP))

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

/*
 * A comma-separated list of `any`, CIDRs and KIND:NAME references, kinds limited
 * to `allowed`. Names are looked up when `resolve` (index -1 otherwise).
 * Replaces *out.
 */
static int
val_refs(struct ctx *c, const char *v, unsigned allowed, bool resolve, struct ioc_ref_list *out)
{
	char elem[IOC_CONFIG_MAX_LINE + 1], expected[96];
	unsigned n = count_elems(v), i = 0;
	const char *p = v, *why;
	bool any = false;

	ref_expected(allowed, expected, sizeof(expected));
	free(out->v);
	out->n = 0;
	out->v = calloc(n, sizeof(*out->v));
	if (out->v == NULL)
		return oom(c);
	while (split_next(&p, elem, sizeof(elem)) > 0) {
		struct ioc_ref *r = &out->v[i];
		const char *colon = strchr(elem, ':');

		out->n = ++i;
		r->index = -1;
		if (elem[0] == '\0')
			return fail(c, "empty element in \"%s\"", v);
		if ((allowed & REF(IOC_REF_ANY)) && strcasecmp(elem, "any") == 0) {
			r->kind = IOC_REF_ANY;
			any = true;
		} else if (colon != NULL) {
			size_t plen = (size_t)(colon - elem);
			const char *name = colon + 1;
			unsigned k;

			for (k = 0; k < DIM(ref_prefix); k++)
				if ((allowed & REF(k)) && ref_prefix[k] != NULL &&
				    strlen(ref_prefix[k]) == plen &&
				    strncmp(elem, ref_prefix[k], plen) == 0)
					break;
			if (k == DIM(ref_prefix))
				return fail(c, "invalid %s \"%s\": expected %s", c->at_key, elem,
					    expected);
			why = name_why(name);
			if (why != NULL)
				return fail(c, "invalid name \"%s\": %s", name, why);
			r->kind = (enum ioc_ref_kind)k;
			if (resolve) {
				r->index = ref_lookup(c->t, r->kind, name);
				if (r->index < 0)
					return fail(c, "unknown %s \"%s\"", ref_prefix[k], name);
			}
		} else if ((allowed & REF(IOC_REF_CIDR)) && is_digit(elem[0])) {
			if (ioc_parse_cidr(elem, &r->cidr, &why) < 0)
				return fail(c, "invalid CIDR \"%s\": %s", elem, why);
			r->kind = IOC_REF_CIDR;
		} else {
			return fail(c, "invalid %s \"%s\": expected %s", c->at_key, elem, expected);
		}
	}
	if (any && n > 1)
		return fail(c, "\"any\" cannot be combined with other entries");
	return 0;
}

static int
set_any_refs(struct ctx *c, struct ioc_ref_list *l)
{
	if (l->v != NULL)
		return 0;
	l->v = calloc(1, sizeof(*l->v));
	if (l->v == NULL)
		return oom(c);
	l->v[0].kind = IOC_REF_ANY;
	l->v[0].index = -1;
	l->n = 1;
	return 0;
}

static int
set_any_l4(struct ctx *c, struct ioc_l4_list *l)
{
	if (l->v != NULL)
		return 0;
	l->v = calloc(1, sizeof(*l->v));
	if (l->v == NULL)
		return oom(c);
	l->v[0] = (struct ioc_l4_match){ .any = true, .proto = 0, .port_lo = 0, .port_hi = 65535 };
	l->n = 1;
	return 0;
}

static const char *const act_allow_drop[] = { "allow", "drop" };
static const char *const act_dfw[] = { "allow", "drop", "reject" };
static const char *const act_redirect[] = { "redirect", "no_redirect" };
static const char *const scopes[] = { "vnic", "redirected" };

/* ---------------------------------------------------------------------------------------------- */
/* Keys, per section type */

static int
set_host(struct ctx *c, unsigned k, const char *v)
{
	struct ioc_host *h = &c->t->host;
	uint32_t x;

	switch (k) {
	case HOST_NAME:
		return val_name(c, v, h->name);
	case HOST_WATCHDOG_LCORE:
		if (strcmp(v, "-1") == 0) {
			h->watchdog_lcore = -1;
			return 0;
		}
		if (val_u32(c, v, 0, IOC_MAX_LCORES - 1, &x) < 0)
			return -1;
		h->watchdog_lcore = (int)x;
		return 0;
	case HOST_HEARTBEAT:
		return val_u32(c, v, 1, 60000, &h->heartbeat_timeout_ms);
	case HOST_MBUFS:
		return val_u32(c, v, IOC_MBUFS_MIN, IOC_MBUFS_MAX, &h->mbufs);
	case HOST_WATCHDOG_PRIO:
		return val_u32(c, v, 0, 99, &h->watchdog_rt_priority);
	case HOST_IDLE_SLEEP:
		return val_u32(c, v, 0, 1000, &h->idle_sleep_us);
	}
	return 0;
}

static int
set_uplink(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_uplink *u = &c->t->uplinks[s->idx];

	switch (k) {
	case UPLINK_DEVICE:
		return val_device(c, s, v, u->device);
	case UPLINK_LCORE:
		return val_lcores(c, v, &u->lcores);
	}
	return 0;
}

static int
set_vm(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_vm *vm = &c->t->vms[s->idx];

	switch (k) {
	case VM_WORLD:
		return val_u32(c, v, 0, UINT32_MAX, &vm->world);
	case VM_VC_UUID:
		return val_str(c, v, vm->vc_uuid, sizeof(vm->vc_uuid));
	}
	return 0;
}

static int
set_vnic(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_vnic *vn = &c->t->vnics[s->idx];
	char name[IOC_NAME_MAX];

	switch (k) {
	case VNIC_DEVICE:
		return val_device(c, s, v, vn->device);
	case VNIC_SWITCH_PORT:
		return val_u32(c, v, 0, UINT32_MAX, &vn->switch_port);
	case VNIC_MAC:
		return val_mac(c, s, v, vn->mac);
	case VNIC_IP:
		return val_ip_list(c, v, vn);
	case VNIC_UPLINK:
		return val_name(c, v, name);
	case VNIC_LCORE:
		return val_lcores(c, v, &vn->lcores);
	}
	return 0;
}

static int
set_dfw(struct ctx *c, unsigned k, const char *v)
{
	struct ioc_dfw *d = &c->t->dfw;
	int a;

	switch (k) {
	case DFW_DEFAULT_ACTION:
		a = val_enum(c, v, "action", act_allow_drop, DIM(act_allow_drop), "allow or drop");
		if (a < 0)
			return -1;
		d->default_allow = a == 0;
		return 0;
	case DFW_STATEFUL:
		return val_bool(c, v, &d->stateful);
	case DFW_CONNECTIONS:
		return val_u32(c, v, IOC_CONNECTIONS_MIN, IOC_CONNECTIONS_MAX, &d->connections);
	}
	return 0;
}

static int
set_dfw_rule(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_dfw_rule *r = &c->t->dfw_rules[s->idx];
	int a;

	switch (k) {
	case RULE_PRIORITY:
		return val_u32(c, v, 0, UINT32_MAX, &r->priority);
	case RULE_SOURCE:
		return val_refs(c, v, REFS_ADDR, false, &r->src);
	case RULE_DESTINATION:
		return val_refs(c, v, REFS_ADDR, false, &r->dst);
	case RULE_SERVICE:
		return val_l4_list(c, v, &r->service);
	case RULE_DIRECTION:
		return val_dir(c, v, &r->direction);
	case RULE_APPLIED_TO:
		return val_refs(c, v, REFS_APPLIED, false, &r->applied_to);
	case RULE_ACTION:
		a = val_enum(c, v, "action", act_dfw, DIM(act_dfw), "allow, drop or reject");
		if (a < 0)
			return -1;
		r->action = a == 0 ? IOC_ACT_ALLOW : a == 1 ? IOC_ACT_DROP : IOC_ACT_REJECT;
		return 0;
	}
	return 0;
}

static int
set_instance(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_service_instance *in = &c->t->instances[s->idx];
	char name[IOC_NAME_MAX];

	switch (k) {
	case INST_SERVICE:
		return val_name(c, v, name);
	case INST_LCORES:
		return val_lcores(c, v, &in->lcores);
	case INST_STANDBY:
		return val_lcores(c, v, &in->standby_lcores);
	case INST_HEARTBEAT:
		return val_u32(c, v, 1, 60000, &in->heartbeat_timeout_ms);
	case INST_AUTO_RECOVER:
		return val_bool(c, v, &in->auto_recover);
	case INST_SLOW_PATH_ID:
		return val_u32(c, v, 0, UINT32_MAX, &in->slow_path_id);
	}
	return 0;
}

static int
set_profile(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_service_profile *p = &c->t->profiles[s->idx];
	char name[IOC_NAME_MAX];
	int a;

	switch (k) {
	case PROF_INSTANCE:
		return val_name(c, v, name);
	case PROF_FAIL_OPEN:
		return val_bool(c, v, &p->fail_open);
	case PROF_SCOPE:
		a = val_enum(c, v, "scope", scopes, DIM(scopes), "vnic or redirected");
		if (a < 0)
			return -1;
		p->fail_closed_scope = a == 0 ? IOC_SCOPE_VNIC : IOC_SCOPE_REDIRECTED;
		return 0;
	}
	return 0;
}

static int
set_redirect(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_redirect_rule *r = &c->t->redirect_rules[s->idx];
	char name[IOC_NAME_MAX];
	int a;

	switch (k) {
	case RDR_GROUP:
	case RDR_PROFILE:
		return val_name(c, v, name);
	case RDR_DIRECTION:
		return val_dir(c, v, &r->direction);
	case RDR_SOURCE:
		return val_refs(c, v, REFS_ADDR, false, &r->src);
	case RDR_DESTINATION:
		return val_refs(c, v, REFS_ADDR, false, &r->dst);
	case RDR_SERVICE:
		return val_l4_list(c, v, &r->service);
	case RDR_ACTION:
		a = val_enum(c, v, "action", act_redirect, DIM(act_redirect),
			     "redirect or no_redirect");
		if (a < 0)
			return -1;
		r->action = a == 0 ? IOC_ACT_REDIRECT : IOC_ACT_NO_REDIRECT;
		return 0;
	}
	return 0;
}

static int
set_svm_rule(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_svm_rule *r = &c->t->svm_rules[s->idx];
	char name[IOC_NAME_MAX];
	int a;

	switch (k) {
	case SVM_INSTANCE:
		return val_name(c, v, name);
	case SVM_PRIORITY:
		return val_u32(c, v, 0, UINT32_MAX, &r->priority);
	case SVM_SOURCE:
		return val_refs(c, v, REFS_ADDR, false, &r->src);
	case SVM_DESTINATION:
		return val_refs(c, v, REFS_ADDR, false, &r->dst);
	case SVM_SERVICE:
		return val_l4_list(c, v, &r->service);
	case SVM_DIRECTION:
		return val_dir(c, v, &r->direction);
	case SVM_ACTION:
		a = val_enum(c, v, "action", act_allow_drop, DIM(act_allow_drop), "allow or drop");
		if (a < 0)
			return -1;
		r->action = a == 0 ? IOC_ACT_ALLOW : IOC_ACT_DROP;
		return 0;
	}
	return 0;
}

static int
set_key(struct ctx *c, const struct sec *s, unsigned k, const char *v)
{
	struct ioc_topology *t = c->t;

	switch (s->type) {
	case SEC_HOST:
		return set_host(c, k, v);
	case SEC_UPLINK:
		return set_uplink(c, s, k, v);
	case SEC_VM:
		return set_vm(c, s, k, v);
	case SEC_VNIC:
		return set_vnic(c, s, k, v);
	case SEC_IPSET:
		return val_cidr_list(c, v, &t->ipsets[s->idx]);
	case SEC_GROUP:
		return val_refs(c, v, REFS_MEMBERS, false, &t->groups[s->idx].members);
	case SEC_DFW:
		return set_dfw(c, k, v);
	case SEC_DFW_RULE:
		return set_dfw_rule(c, s, k, v);
	case SEC_SERVICE:
		return val_str(c, v, t->services[s->idx].vendor, IOC_NAME_MAX);
	case SEC_INSTANCE:
		return set_instance(c, s, k, v);
	case SEC_PROFILE:
		return set_profile(c, s, k, v);
	case SEC_REDIRECT:
		return set_redirect(c, s, k, v);
	case SEC_SVM_RULE:
		return set_svm_rule(c, s, k, v);
	case SEC_MAX:
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Sections */

static void *
grow(struct ctx *c, void *arr, unsigned n, size_t size)
{
	char *p = realloc(arr, (n + 1) * size);

	if (p == NULL) {
		oom(c);
		return NULL;
	}
	memset(p + n * size, 0, size);
	return p;
}

#define GROW(c, arr, n)                                                                            \
	do {                                                                                       \
		void *p_ = grow((c), (arr), (n), sizeof(*(arr)));                                  \
		if (p_ == NULL)                                                                    \
			return -1;                                                                 \
		(arr) = p_;                                                                        \
		(n)++;                                                                             \
	} while (0)

/* Appends the object of a new named section, with its defaults; sets s->idx. */
static int
open_object(struct ctx *c, struct sec *s)
{
	struct ioc_topology *t = c->t;
	unsigned i;

	switch (s->type) {
	case SEC_HOST:
		t->host.line = s->line;
		s->idx = 0;
		return 0;
	case SEC_DFW:
	case SEC_MAX:
		s->idx = 0;
		return 0;
	case SEC_UPLINK:
		GROW(c, t->uplinks, t->n_uplinks);
		s->idx = t->n_uplinks - 1;
		copy_str(t->uplinks[s->idx].name, IOC_NAME_MAX, s->name);
		t->uplinks[s->idx].line = s->line;
		return 0;
	case SEC_VM:
		GROW(c, t->vms, t->n_vms);
		s->idx = t->n_vms - 1;
		copy_str(t->vms[s->idx].name, IOC_NAME_MAX, s->name);
		t->vms[s->idx].line = s->line;
		return 0;
	case SEC_VNIC:
		GROW(c, t->vnics, t->n_vnics);
		s->idx = t->n_vnics - 1;
		copy_str(t->vnics[s->idx].name, IOC_NAME_MAX, s->name);
		t->vnics[s->idx].line = s->line;
		t->vnics[s->idx].vm = -1;
		t->vnics[s->idx].uplink = -1;
		/* eth: checked by the caller */
		t->vnics[s->idx].eth = (unsigned)strtoul(strrchr(s->name, '.') + 4, NULL, 10);
		return 0;
	case SEC_IPSET:
		GROW(c, t->ipsets, t->n_ipsets);
		s->idx = t->n_ipsets - 1;
		copy_str(t->ipsets[s->idx].name, IOC_NAME_MAX, s->name);
		t->ipsets[s->idx].line = s->line;
		return 0;
	case SEC_GROUP:
		GROW(c, t->groups, t->n_groups);
		s->idx = t->n_groups - 1;
		copy_str(t->groups[s->idx].name, IOC_NAME_MAX, s->name);
		t->groups[s->idx].line = s->line;
		return 0;
	case SEC_DFW_RULE:
		GROW(c, t->dfw_rules, t->n_dfw_rules);
		s->idx = t->n_dfw_rules - 1;
		copy_str(t->dfw_rules[s->idx].name, IOC_NAME_MAX, s->name);
		t->dfw_rules[s->idx].line = s->line;
		t->dfw_rules[s->idx].order = s->idx;
		t->dfw_rules[s->idx].direction = IOC_DIR_INOUT;
		return 0;
	case SEC_SERVICE:
		GROW(c, t->services, t->n_services);
		s->idx = t->n_services - 1;
		copy_str(t->services[s->idx].name, IOC_NAME_MAX, s->name);
		t->services[s->idx].line = s->line;
		return 0;
	case SEC_INSTANCE:
		GROW(c, t->instances, t->n_instances);
		s->idx = t->n_instances - 1;
		copy_str(t->instances[s->idx].name, IOC_NAME_MAX, s->name);
		t->instances[s->idx].line = s->line;
		t->instances[s->idx].service = -1;
		t->instances[s->idx].auto_recover = true;
		t->instances[s->idx].id = 4 + s->idx;
		return 0;
	case SEC_PROFILE:
		GROW(c, t->profiles, t->n_profiles);
		s->idx = t->n_profiles - 1;
		copy_str(t->profiles[s->idx].name, IOC_NAME_MAX, s->name);
		t->profiles[s->idx].line = s->line;
		t->profiles[s->idx].instance = -1;
		t->profiles[s->idx].fail_open = false;
		t->profiles[s->idx].fail_closed_scope = IOC_SCOPE_VNIC;
		return 0;
	case SEC_REDIRECT:
		GROW(c, t->redirect_rules, t->n_redirect_rules);
		s->idx = t->n_redirect_rules - 1;
		i = s->idx;
		copy_str(t->redirect_rules[i].name, IOC_NAME_MAX, s->name);
		t->redirect_rules[i].line = s->line;
		t->redirect_rules[i].order = i;
		t->redirect_rules[i].group = -1;
		t->redirect_rules[i].profile = -1;
		t->redirect_rules[i].direction = IOC_DIR_INOUT;
		return 0;
	case SEC_SVM_RULE:
		GROW(c, t->svm_rules, t->n_svm_rules);
		s->idx = t->n_svm_rules - 1;
		i = s->idx;
		copy_str(t->svm_rules[i].name, IOC_NAME_MAX, s->name);
		t->svm_rules[i].line = s->line;
		t->svm_rules[i].order = i;
		t->svm_rules[i].instance = -1;
		t->svm_rules[i].direction = IOC_DIR_INOUT;
		return 0;
	}
	return 0;
}

/* End of a section: required keys, then defaults that need memory. */
static int
close_section(struct ctx *c, struct sec *s)
{
	const struct sec_def *d = &sec_defs[s->type];
	struct ioc_topology *t = c->t;
	unsigned k;

	for (k = 0; k < d->n_keys; k++) {
		if (d->keys[k].required && !seen(s, k)) {
			at(c, s->line, s->header, d->keys[k].name);
			return fail(c, "missing required key");
		}
	}
	switch (s->type) {
	case SEC_DFW_RULE: {
		struct ioc_dfw_rule *r = &t->dfw_rules[s->idx];

		if (set_any_refs(c, &r->src) < 0 || set_any_refs(c, &r->dst) < 0 ||
		    set_any_l4(c, &r->service) < 0 || set_any_refs(c, &r->applied_to) < 0)
			return -1;
		break;
	}
	case SEC_REDIRECT: {
		struct ioc_redirect_rule *r = &t->redirect_rules[s->idx];

		if (r->action == IOC_ACT_REDIRECT && !seen(s, RDR_PROFILE)) {
			at(c, s->line, s->header, "profile");
			return fail(c, "missing required key (action = redirect)");
		}
		if (set_any_refs(c, &r->src) < 0 || set_any_refs(c, &r->dst) < 0 ||
		    set_any_l4(c, &r->service) < 0)
			return -1;
		break;
	}
	case SEC_SVM_RULE: {
		struct ioc_svm_rule *r = &t->svm_rules[s->idx];

		if (set_any_refs(c, &r->src) < 0 || set_any_refs(c, &r->dst) < 0 ||
		    set_any_l4(c, &r->service) < 0)
			return -1;
		break;
	}
	default:
		break;
	}
	return 0;
}

/* "VM.ethN": VM into vm; NULL, or why not. */
static const char *
vnic_name_why(const char *name, char vm[IOC_NAME_MAX])
{
	const char *dot = strrchr(name, '.'), *n;
	size_t len;

	if (dot == NULL || dot == name || strncmp(dot + 1, "eth", 3) != 0)
		return "expected VM.ethN";
	n = dot + 4;
	len = strlen(n);
	if (len == 0 || len > 5 || strspn(n, "0123456789") != len)
		return "expected VM.ethN, N a decimal number";
	if (len > 1 && *n == '0')
		return "expected VM.ethN, N without leading zeros";
	copy_str(vm, IOC_NAME_MAX, name);
	vm[dot - name] = '\0';
	return NULL;
}

/* A `[...]` line (leading whitespace stripped). */
static int
section_line(struct ctx *c, const char *p)
{
	const char *close = strchr(p, ']'), *rest, *b, *e, *why;
	char inner[IOC_CONFIG_MAX_LINE + 1], type[IOC_CONFIG_MAX_LINE + 1];
	char vm[IOC_NAME_MAX] = "";
	const char *name;
	struct sec *s;
	size_t n;
	unsigned ty, i;

	if (c->cur >= 0 && close_section(c, &c->secs[c->cur]) < 0)
		return -1;
	c->cur = -1;
	at(c, c->line, "", "");
	if (close == NULL)
		return fail(c, "section header without ']'");
	for (rest = close + 1; is_space(*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		return fail(c, "unexpected characters after section header");
	for (b = p + 1; is_space(*b); b++)
		;
	for (e = close; e > b && is_space(e[-1]); e--)
		;
	n = (size_t)(e - b);
	memcpy(inner, b, n);
	inner[n] = '\0';
	at(c, c->line, inner, "");
	if (n == 0)
		return fail(c, "empty section header");
	if (n >= HEADER_MAX)
		return fail(c, "section header too long");

	n = strcspn(inner, " \t");
	memcpy(type, inner, n);
	type[n] = '\0';
	for (name = inner + n; is_space(*name); name++)
		;
	for (ty = 0; ty < SEC_MAX; ty++)
		if (strcmp(type, sec_defs[ty].name) == 0)
			break;
	if (ty == SEC_MAX)
		return fail(c, "unknown section type \"%s\"", type);
	if (sec_defs[ty].singleton) {
		if (*name != '\0')
			return fail(c, "[%s] takes no name", type);
		if (c->single_line[ty] != 0)
			return fail(c, "duplicate section [%s] (first at line %d)", type,
				    c->single_line[ty]);
		c->single_line[ty] = c->line;
	} else {
		if (*name == '\0')
			return fail(c, "missing name: expected [%s NAME]", type);
		if (strpbrk(name, " \t") != NULL)
			return fail(c, "expected [%s NAME], NAME without spaces", type);
		why = name_why(name);
		if (why != NULL)
			return fail(c, "invalid name \"%s\": %s", name, why);
		for (i = 0; i < c->n_secs; i++)
			if (c->secs[i].type == ty && strcmp(c->secs[i].name, name) == 0)
				return fail(c, "duplicate section [%s] (first at line %d)", inner,
					    c->secs[i].line);
		if (ty == SEC_VNIC) {
			why = vnic_name_why(name, vm);
			if (why != NULL)
				return fail(c, "invalid vnic name \"%s\": %s", name, why);
		}
	}

	GROW(c, c->secs, c->n_secs);
	s = &c->secs[c->n_secs - 1];
	s->type = (enum sec_type)ty;
	s->line = c->line;
	copy_str(s->header, sizeof(s->header), inner);
	copy_str(s->name, sizeof(s->name), name);
	copy_str(s->vm, sizeof(s->vm), vm);
	c->cur = (int)(c->n_secs - 1);
	return open_object(c, s);
}

/* A key line (leading whitespace stripped): KEY = VALUE, in a section. */
static int
key_line(struct ctx *c, const char *p)
{
	const char *q;
	bool was_space = false;

	at(c, c->line, c->cur >= 0 ? c->secs[c->cur].header : "", "");
	if (c->cur < 0)
		return fail(c, "key outside of any section");
	/* Where inih will split: the first '=' or ':', unless an inline comment comes first. */
	for (q = p; *q != '\0' && *q != '=' && *q != ':' && !(was_space && *q == ';'); q++)
		was_space = is_space(*q);
	if (*q != '=')
		return fail(c, "expected KEY = VALUE");
	if (q == p)
		return fail(c, "missing key before '='");
	return 0;
}

/* The next line into c->buf, end of line removed: 1, 0 at the end, -1 on a read error. */
static int
next_line(struct ctx *c, size_t *len)
{
	size_t n;

	if (c->f != NULL) {
		ssize_t r = getline(&c->buf, &c->buf_size, c->f);

		if (r < 0)
			return ferror(c->f) ? -1 : 0;
		n = (size_t)r;
	} else {
		const char *s = c->str + c->str_pos, *e;

		if (*s == '\0')
			return 0;
		e = strchr(s, '\n');
		n = e != NULL ? (size_t)(e - s) + 1 : strlen(s);
		if (n + 1 > c->buf_size) {
			char *b = realloc(c->buf, n + 1);

			if (b == NULL) {
				oom(c);
				return -1;
			}
			c->buf = b;
			c->buf_size = n + 1;
		}
		memcpy(c->buf, s, n);
		c->buf[n] = '\0';
		c->str_pos += n;
	}
	if (n > 0 && c->buf[n - 1] == '\n')
		c->buf[--n] = '\0';
	if (n > 0 && c->buf[n - 1] == '\r')
		c->buf[--n] = '\0';
	*len = n;
	return 1;
}

/* inih's reader: one line per call, checked, without leading whitespace. */
static char *
ini_read(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	size_t len, max = IOC_CONFIG_MAX_LINE;
	char *p;
	int r;

	if (c->failed)
		return NULL;
	r = next_line(c, &len);
	if (r < 0) {
		at(c, 0, "", "");
		if (!c->failed)
			c->rc = -ENOENT;
		fail(c, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (r == 0)
		return NULL;
	c->line++;
	at(c, c->line, c->cur >= 0 ? c->secs[c->cur].header : "", "");
	if (num > 3 && (size_t)(num - 3) < max)
		max = (size_t)(num - 3);
	if (len > max) {
		fail(c, "line too long (%zu characters, at most %zu)", len, max);
		return NULL;
	}
	if (memchr(c->buf, '\0', len) != NULL) {
		fail(c, "NUL character in line");
		return NULL;
	}
	p = c->buf;
	if (c->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* UTF-8 BOM */
	while (is_space(*p))
		p++;
	if (*p == '\0' || *p == ';' || *p == '#') {
		str[0] = '\0';
		return str;
	}
	if (*p == '[' ? section_line(c, p) < 0 : key_line(c, p) < 0)
		return NULL;
	memcpy(str, p, strlen(p) + 1);
	return str;
}

/* inih's handler: one KEY = VALUE of the current section (inih's `section` is not used). */
static int
ini_key(void *user, const char *section, const char *key, const char *value)
{
	struct ctx *c = user;
	struct sec *s;
	const struct sec_def *d;
	unsigned k;

	(void)section;
	if (c->failed || c->cur < 0)
		return 0;
	s = &c->secs[c->cur];
	d = &sec_defs[s->type];
	at(c, c->line, s->header, key);
	for (k = 0; k < d->n_keys; k++)
		if (strcmp(key, d->keys[k].name) == 0)
			break;
	if (k == d->n_keys) {
		fail(c, "unknown key");
		return 0;
	}
	if (seen(s, k)) {
		fail(c, "duplicate key (first at line %d)", s->key_line[k]);
		return 0;
	}
	s->seen |= 1u << k;
	s->key_line[k] = c->line;
	s->raw[k] = strdup(value);
	if (s->raw[k] == NULL) {
		oom(c);
		return 0;
	}
	if (value[0] == '\0') {
		fail(c, "empty value");
		return 0;
	}
	return set_key(c, s, k, value) < 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------------- */
/* After the whole file */

static int
find_service(const struct ioc_topology *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->n_services; i++)
		if (strcmp(t->services[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Key k of s names a `what` section: its index, or -1 with the error recorded. */
static int
resolve_name(struct ctx *c, const struct sec *s, unsigned k, const char *what,
	     int (*find)(const struct ioc_topology *, const char *))
{
	int i;

	at_key(c, s, k);
	i = find(c->t, s->raw[k]);
	if (i < 0)
		return fail(c, "unknown %s \"%s\"", what, s->raw[k]);
	return i;
}

static int
resolve_refs(struct ctx *c, const struct sec *s, unsigned k, unsigned allowed,
	     struct ioc_ref_list *l)
{
	if (!seen(s, k))
		return 0;
	at_key(c, s, k);
	return val_refs(c, s->raw[k], allowed, true, l);
}

static int
resolve(struct ctx *c, const struct sec *s)
{
	struct ioc_topology *t = c->t;

	switch (s->type) {
	case SEC_VNIC: {
		struct ioc_vnic *v = &t->vnics[s->idx];

		at(c, s->line, s->header, "");
		v->vm = ioc_topo_find_vm(t, s->vm);
		if (v->vm < 0)
			return fail(c, "unknown vm \"%s\"", s->vm);
		if (seen(s, VNIC_UPLINK)) {
			v->uplink = resolve_name(c, s, VNIC_UPLINK, "uplink", ioc_topo_find_uplink);
			if (v->uplink < 0)
				return -1;
		}
		return 0;
	}
	case SEC_GROUP:
		return resolve_refs(c, s, GROUP_MEMBERS, REFS_MEMBERS, &t->groups[s->idx].members);
	case SEC_DFW_RULE: {
		struct ioc_dfw_rule *r = &t->dfw_rules[s->idx];

		if (resolve_refs(c, s, RULE_SOURCE, REFS_ADDR, &r->src) < 0 ||
		    resolve_refs(c, s, RULE_DESTINATION, REFS_ADDR, &r->dst) < 0 ||
		    resolve_refs(c, s, RULE_APPLIED_TO, REFS_APPLIED, &r->applied_to) < 0)
			return -1;
		return 0;
	}
	case SEC_INSTANCE: {
		struct ioc_service_instance *in = &t->instances[s->idx];

		in->service = resolve_name(c, s, INST_SERVICE, "service", find_service);
		if (in->service < 0)
			return -1;
		if (!seen(s, INST_HEARTBEAT))
			in->heartbeat_timeout_ms = t->host.heartbeat_timeout_ms;
		return 0;
	}
	case SEC_PROFILE: {
		struct ioc_service_profile *p = &t->profiles[s->idx];

		p->instance = resolve_name(c, s, PROF_INSTANCE, "service_instance",
					   ioc_topo_find_instance);
		return p->instance < 0 ? -1 : 0;
	}
	case SEC_REDIRECT: {
		struct ioc_redirect_rule *r = &t->redirect_rules[s->idx];
		int prof;

		r->group = resolve_name(c, s, RDR_GROUP, "group", ioc_topo_find_group);
		if (r->group < 0)
			return -1;
		if (seen(s, RDR_PROFILE)) {
			prof = resolve_name(c, s, RDR_PROFILE, "service_profile",
					    ioc_topo_find_profile);
			if (prof < 0)
				return -1;
			r->profile = r->action == IOC_ACT_REDIRECT ? prof : -1;
		}
		if (resolve_refs(c, s, RDR_SOURCE, REFS_ADDR, &r->src) < 0 ||
		    resolve_refs(c, s, RDR_DESTINATION, REFS_ADDR, &r->dst) < 0)
			return -1;
		return 0;
	}
	case SEC_SVM_RULE: {
		struct ioc_svm_rule *r = &t->svm_rules[s->idx];

		r->instance = resolve_name(c, s, SVM_INSTANCE, "service_instance",
					   ioc_topo_find_instance);
		if (r->instance < 0)
			return -1;
		if (resolve_refs(c, s, SVM_SOURCE, REFS_ADDR, &r->src) < 0 ||
		    resolve_refs(c, s, SVM_DESTINATION, REFS_ADDR, &r->dst) < 0)
			return -1;
		return 0;
	}
	default:
		return 0;
	}
}

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
	at_key(c, sec_of(c, SEC_GROUP, path[depth]), GROUP_MEMBERS);
	return fail(c, "group cycle: %s", msg);
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
		rc = oom(c);
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
		return fail(c, "lcore %u is %s twice", id, now);
	return fail(c, "lcore %u is both %s and %s", id, was, now);
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
			at_key(c, s, HOST_WATCHDOG_LCORE);
			o.role = ROLE_WATCHDOG;
			rc = claim_lcore(c, owners, (unsigned)t->host.watchdog_lcore, o);
			break;
		case SEC_UPLINK:
			at_key(c, s, UPLINK_LCORE);
			o.role = ROLE_FORWARDING;
			rc = claim_list(c, owners, &t->uplinks[s->idx].lcores, o);
			break;
		case SEC_VNIC:
			at_key(c, s, VNIC_LCORE);
			o.role = ROLE_FORWARDING;
			rc = claim_list(c, owners, &t->vnics[s->idx].lcores, o);
			break;
		case SEC_INSTANCE:
			o.instance = t->instances[s->idx].name;
			at_key(c, s, INST_LCORES);
			o.role = ROLE_WORKER;
			rc = claim_list(c, owners, &t->instances[s->idx].lcores, o);
			if (rc == 0 && seen(s, INST_STANDBY)) {
				at_key(c, s, INST_STANDBY);
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

static int
finish(struct ctx *c)
{
	unsigned i;

	if (c->cur >= 0 && close_section(c, &c->secs[c->cur]) < 0)
		return -1;
	c->cur = -1;
	if (c->single_line[SEC_HOST] == 0) {
		at(c, 0, "", "");
		return fail(c, "missing required section [host]");
	}
	if (c->t->n_uplinks + c->t->n_vnics == 0) {
		at(c, 0, "", "");
		return fail(c, "no port: at least one [uplink] or [vnic] section is required");
	}
	for (i = 0; i < c->n_secs; i++)
		if (resolve(c, &c->secs[i]) < 0)
			return -1;
	if (check_group_cycles(c) < 0)
		return -1;
	return check_lcores(c);
}

static int
load(struct ctx *c)
{
	bool has_max_line = &ini_max_line != NULL;
	int saved = 0, rc;
	unsigned i, k;

	if (has_max_line) {
		saved = ini_max_line;
		ini_max_line = IOC_CONFIG_MAX_LINE + 3; /* + '\r', '\n', '\0' */
	}
	rc = ini_parse_stream(ini_read, c, ini_key, c);
	if (has_max_line)
		ini_max_line = saved;
	if (!c->failed) {
		if (rc == -2) {
			oom(c);
		} else if (rc != 0) {
			at(c, rc, "", "");
			fail(c, "syntax error");
		} else {
			finish(c);
		}
	}
	for (i = 0; i < c->n_secs; i++)
		for (k = 0; k < MAX_KEYS; k++)
			free(c->secs[i].raw[k]);
	free(c->secs);
	free(c->buf);
	if (c->failed) {
		ioc_topo_free(c->t);
		return c->rc;
	}
	return 0;
}

static void
ctx_init(struct ctx *c, const char *name, struct ioc_topology *t, struct ioc_error *err)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->err = err;
	c->rc = -EINVAL;
	c->cur = -1;
	memset(err, 0, sizeof(*err));
	copy_str(err->file, sizeof(err->file), name);
	ioc_topo_init(t);
	copy_str(t->file, sizeof(t->file), name);
}

int
ioc_config_load_file(const char *path, struct ioc_topology *t, struct ioc_error *err)
{
	struct ioc_error dummy;
	struct ctx c;
	int rc;

	ctx_init(&c, path, t, err != NULL ? err : &dummy);
	c.f = fopen(path, "r");
	if (c.f == NULL) {
		at(&c, 0, "", "");
		fail(&c, "cannot open: %s", strerror(errno));
		return -ENOENT;
	}
	rc = load(&c);
	fclose(c.f);
	return rc;
}

int
ioc_config_load_string(const char *text, const char *name, struct ioc_topology *t,
		       struct ioc_error *err)
{
	struct ioc_error dummy;
	struct ctx c;

	ctx_init(&c, name != NULL ? name : "<embedded>", t, err != NULL ? err : &dummy);
	c.str = text != NULL ? text : "";
	return load(&c);
}
