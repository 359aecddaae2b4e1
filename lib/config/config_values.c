/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Value parsers (DESIGN.md §3): text to numbers, addresses, ports, lcore
 * lists. Pure functions, no loader state: the unit tests and the CLI call the
 * public ones directly, the loader wraps them with its messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

_Static_assert(IOC_MAX_LCORES == 128, "update the lcore messages: 0..127");
_Static_assert(IOC_MAX_PORT_LCORES == 16, "update the lcore messages: at most 16");

static int
set_why(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -EINVAL;
}

bool
ioc_cfg_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
ioc_cfg_is_space(char c)
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
		if (!ioc_cfg_is_digit(s[i]))
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
int
ioc_cfg_split_next(const char **p, char *buf, size_t len)
{
	const char *s = *p, *e;
	size_t n;

	if (s == NULL)
		return 0;
	e = strchr(s, ',');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	*p = e != NULL ? e + 1 : NULL;
	while (n > 0 && ioc_cfg_is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && ioc_cfg_is_space(s[n - 1]))
		n--;
	if (n >= len)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 1;
}

unsigned
ioc_cfg_count_elems(const char *s)
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
		while (ioc_cfg_is_digit(*p))
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

/*
 * "A/B" and "A": the length of A in *n, the '/' (or NULL) in *slash. An empty
 * value is refused here, the parts by the caller.
 */
static int
split_slash(const char *s, const char **slash, size_t *n, const char **why)
{
	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	*slash = strchr(s, '/');
	*n = *slash != NULL ? (size_t)(*slash - s) : strlen(s);
	return 0;
}

int
ioc_parse_ipv6(const char *s, uint8_t addr[16], const char **why)
{
	if (s == NULL || *s == '\0')
		return set_why(why, "empty");
	if (strchr(s, ':') == NULL)
		return set_why(why, "no ':'");
	/* Text form only (RFC 4291 2.2); a zone ("%eth0") or a prefix is not an address. */
	if (strpbrk(s, "%/") != NULL)
		return set_why(why, "bad character");
	if (inet_pton(AF_INET6, s, addr) != 1)
		return set_why(why, "not an IPv6 address (RFC 4291 text form)");
	return 0;
}

/* "/LEN" after an address: 0..max, decimal, no leading zero. */
static int
parse_prefix_len(const char *l, uint32_t max, uint32_t *len, const char **why)
{
	size_t ln = strlen(l);
	int rc;

	if (ln == 0)
		return set_why(why, "missing prefix length");
	rc = parse_dec(l, ln, max, len);
	if (rc == -EINVAL)
		return set_why(why, "prefix length is not a decimal number");
	if (rc < 0)
		return set_why(why, max == 32 ? "prefix length out of range (0..32)"
					      : "prefix length out of range (0..128)");
	if (ln > 1 && *l == '0')
		return set_why(why, "leading zero in prefix length");
	return 0;
}

/* An IPv6 prefix, split by split_slash(): n bytes of address, then slash or NULL. */
static int
parse_cidr6(const char *s, const char *slash, size_t n, struct ioc_cidr *c, const char **why)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t len = 128;
	uint8_t a[16];

	if (n >= sizeof(buf))
		return set_why(why, "not an IPv6 address (RFC 4291 text form)");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ioc_parse_ipv6(buf, a, why) < 0)
		return -EINVAL;
	if (slash != NULL && parse_prefix_len(slash + 1, 128, &len, why) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		if (a[i] & (uint8_t) ~(0xff00u >> bits))
			return set_why(why, "host bits set");
	}
	memset(c, 0, sizeof(*c));
	c->v6 = true;
	c->len = (uint8_t)len;
	memcpy(c->addr6, a, 16);
	return 0;
}

int
ioc_parse_cidr(const char *s, struct ioc_cidr *c, const char **why)
{
	const char *slash;
	char buf[16];
	uint32_t addr, len = 32, mask;
	size_t n;
	int rc = split_slash(s, &slash, &n, why);

	if (rc < 0)
		return rc;
	if (strchr(s, ':') != NULL)
		return parse_cidr6(s, slash, n, c, why);
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
	if (slash != NULL && parse_prefix_len(slash + 1, 32, &len, why) < 0)
		return -EINVAL;
	mask = len == 0 ? 0 : UINT32_MAX << (32 - len);
	if ((addr & ~mask) != 0)
		return set_why(why, "host bits set");
	memset(c, 0, sizeof(*c));
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
	int rc = split_slash(s, &slash, &n, why);

	if (rc < 0)
		return rc;
	if (n == 3 && strncasecmp(s, "tcp", 3) == 0) {
		x.proto = 6;
	} else if (n == 3 && strncasecmp(s, "udp", 3) == 0) {
		x.proto = 17;
	} else {
		if (n == 3 && strncasecmp(s, "any", 3) == 0) {
			x.any = true;
		} else if (n == 4 && strncasecmp(s, "icmp", 4) == 0) {
			x.proto = 1;
		} else if (n == 6 && strncasecmp(s, "icmpv6", 6) == 0) {
			x.proto = 58; /* IPPROTO_ICMPV6: `icmp` is IPv4's only */
		} else {
			rc = parse_dec(s, n, 255, &proto);
			if (rc == -EINVAL)
				return set_why(why,
					       "unknown protocol (any, icmp, icmpv6, tcp, udp or 0..255)");
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
	while ((r = ioc_cfg_split_next(&p, elem, sizeof(elem))) != 0) {
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

void
ioc_cfg_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *
ioc_cfg_name_why(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return "empty name";
	if (n >= IOC_NAME_MAX)
		return "longer than 63 characters";
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      ioc_cfg_is_digit(ch) || ch == '_' || ch == '.' || ch == '-'))
			return "only letters, digits, '_', '.' and '-' are allowed";
	}
	return NULL;
}
