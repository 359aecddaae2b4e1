/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The INI loader's reader (DESIGN.md §3).
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
 * Each key is checked as it is read, by its section's descriptor table
 * (config_schema.c); names that refer to other sections are resolved once the
 * whole file is read (config_refs.c). The first error stops the load.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config_priv.h"

/*
 * Debian's inih turns its compile-time options into variables; upstream's does
 * not have them. Weak, so that the loader links against either.
 */
extern int ini_max_line __attribute__((weak));

/* ---------------------------------------------------------------------------------------------- */
/* Where the next error is */

void
ioc_cfg_at(struct ctx *c, int line, const char *sec, const char *key)
{
	c->at_line = line;
	ioc_cfg_copy_str(c->at_sec, sizeof(c->at_sec), sec);
	ioc_cfg_copy_str(c->at_key, sizeof(c->at_key), key);
}

void
ioc_cfg_at_key(struct ctx *c, const struct sec *s, unsigned k)
{
	ioc_cfg_at(c, s->key_line[k], s->header, ioc_sections[s->type].keys[k].name);
}

int
ioc_cfg_fail(struct ctx *c, const char *fmt, ...)
{
	struct ioc_error *e = c->err;
	va_list ap;

	if (c->failed)
		return -1;
	c->failed = true;
	e->line = c->at_line;
	ioc_cfg_copy_str(e->section, sizeof(e->section), c->at_sec);
	ioc_cfg_copy_str(e->key, sizeof(e->key), c->at_key);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
ioc_cfg_oom(struct ctx *c)
{
	if (!c->failed)
		c->rc = -ENOMEM;
	return ioc_cfg_fail(c, "out of memory");
}

/* ---------------------------------------------------------------------------------------------- */
/* Sections and keys, as read */

void *
ioc_cfg_grow(struct ctx *c, void *arr, unsigned n, size_t size)
{
	char *p = realloc(arr, (n + 1) * size);

	if (p == NULL) {
		ioc_cfg_oom(c);
		return NULL;
	}
	memset(p + n * size, 0, size);
	return p;
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
	ioc_cfg_copy_str(vm, IOC_NAME_MAX, name);
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

	if (c->cur >= 0 && ioc_cfg_close_section(c, &c->secs[c->cur]) < 0)
		return -1;
	c->cur = -1;
	ioc_cfg_at(c, c->line, "", "");
	if (close == NULL)
		return ioc_cfg_fail(c, "section header without ']'");
	for (rest = close + 1; ioc_cfg_is_space(*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		return ioc_cfg_fail(c, "unexpected characters after section header");
	for (b = p + 1; ioc_cfg_is_space(*b); b++)
		;
	for (e = close; e > b && ioc_cfg_is_space(e[-1]); e--)
		;
	n = (size_t)(e - b);
	memcpy(inner, b, n);
	inner[n] = '\0';
	ioc_cfg_at(c, c->line, inner, "");
	if (n == 0)
		return ioc_cfg_fail(c, "empty section header");
	if (n >= HEADER_MAX)
		return ioc_cfg_fail(c, "section header too long");

	n = strcspn(inner, " \t");
	memcpy(type, inner, n);
	type[n] = '\0';
	for (name = inner + n; ioc_cfg_is_space(*name); name++)
		;
	for (ty = 0; ty < SEC_MAX; ty++)
		if (strcmp(type, ioc_sections[ty].name) == 0)
			break;
	if (ty == SEC_MAX)
		return ioc_cfg_fail(c, "unknown section type \"%s\"", type);
	if (ioc_sections[ty].singleton) {
		if (*name != '\0')
			return ioc_cfg_fail(c, "[%s] takes no name", type);
		if (c->single_line[ty] != 0)
			return ioc_cfg_fail(c, "duplicate section [%s] (first at line %d)", type,
					    c->single_line[ty]);
		c->single_line[ty] = c->line;
	} else {
		if (*name == '\0')
			return ioc_cfg_fail(c, "missing name: expected [%s NAME]", type);
		if (strpbrk(name, " \t") != NULL)
			return ioc_cfg_fail(c, "expected [%s NAME], NAME without spaces", type);
		why = ioc_cfg_name_why(name);
		if (why != NULL)
			return ioc_cfg_fail(c, "invalid name \"%s\": %s", name, why);
		for (i = 0; i < c->n_secs; i++)
			if (c->secs[i].type == ty && strcmp(c->secs[i].name, name) == 0)
				return ioc_cfg_fail(c, "duplicate section [%s] (first at line %d)",
						    inner, c->secs[i].line);
		if (ty == SEC_VNIC) {
			why = vnic_name_why(name, vm);
			if (why != NULL)
				return ioc_cfg_fail(c, "invalid vnic name \"%s\": %s", name, why);
		}
	}

	GROW(c, c->secs, c->n_secs);
	s = &c->secs[c->n_secs - 1];
	s->type = (enum sec_type)ty;
	s->line = c->line;
	ioc_cfg_copy_str(s->header, sizeof(s->header), inner);
	ioc_cfg_copy_str(s->name, sizeof(s->name), name);
	ioc_cfg_copy_str(s->vm, sizeof(s->vm), vm);
	c->cur = (int)(c->n_secs - 1);
	return ioc_cfg_open_section(c, s);
}

/* A key line (leading whitespace stripped): KEY = VALUE, in a section. */
static int
key_line(struct ctx *c, const char *p)
{
	const char *q;
	bool was_space = false;

	ioc_cfg_at(c, c->line, c->cur >= 0 ? c->secs[c->cur].header : "", "");
	if (c->cur < 0)
		return ioc_cfg_fail(c, "key outside of any section");
	/* Where inih will split: the first '=' or ':', unless an inline comment comes first. */
	for (q = p; *q != '\0' && *q != '=' && *q != ':' && !(was_space && *q == ';'); q++)
		was_space = ioc_cfg_is_space(*q);
	if (*q != '=')
		return ioc_cfg_fail(c, "expected KEY = VALUE");
	if (q == p)
		return ioc_cfg_fail(c, "missing key before '='");
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
				ioc_cfg_oom(c);
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
		ioc_cfg_at(c, 0, "", "");
		if (!c->failed)
			c->rc = -ENOENT;
		ioc_cfg_fail(c, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (r == 0)
		return NULL;
	c->line++;
	ioc_cfg_at(c, c->line, c->cur >= 0 ? c->secs[c->cur].header : "", "");
	if (num > 3 && (size_t)(num - 3) < max)
		max = (size_t)(num - 3);
	if (len > max) {
		ioc_cfg_fail(c, "line too long (%zu characters, at most %zu)", len, max);
		return NULL;
	}
	if (memchr(c->buf, '\0', len) != NULL) {
		ioc_cfg_fail(c, "NUL character in line");
		return NULL;
	}
	p = c->buf;
	if (c->line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* UTF-8 BOM */
	while (ioc_cfg_is_space(*p))
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
	const struct sec_desc *d;
	unsigned k;

	(void)section;
	if (c->failed || c->cur < 0)
		return 0;
	s = &c->secs[c->cur];
	d = &ioc_sections[s->type];
	ioc_cfg_at(c, c->line, s->header, key);
	for (k = 0; k < d->n_keys; k++)
		if (strcmp(key, d->keys[k].name) == 0)
			break;
	if (k == d->n_keys) {
		ioc_cfg_fail(c, "unknown key");
		return 0;
	}
	if (ioc_cfg_seen(s, k)) {
		ioc_cfg_fail(c, "duplicate key (first at line %d)", s->key_line[k]);
		return 0;
	}
	s->seen |= 1u << k;
	s->key_line[k] = c->line;
	s->raw[k] = strdup(value);
	if (s->raw[k] == NULL) {
		ioc_cfg_oom(c);
		return 0;
	}
	if (value[0] == '\0') {
		ioc_cfg_fail(c, "empty value");
		return 0;
	}
	return ioc_cfg_set_key(c, s, k, value) < 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------------- */
/* Loading */

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
	/* [host] and [dfw] may be absent: their defaults come first. */
	ioc_cfg_singleton_defaults(c);
	rc = ini_parse_stream(ini_read, c, ini_key, c);
	if (has_max_line)
		ini_max_line = saved;
	if (!c->failed) {
		if (rc == -2) {
			ioc_cfg_oom(c);
		} else if (rc != 0) {
			ioc_cfg_at(c, rc, "", "");
			ioc_cfg_fail(c, "syntax error");
		} else {
			ioc_cfg_finish(c);
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
	ioc_cfg_copy_str(err->file, sizeof(err->file), name);
	ioc_topo_init(t);
	ioc_cfg_copy_str(t->file, sizeof(t->file), name);
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
		ioc_cfg_at(&c, 0, "", "");
		ioc_cfg_fail(&c, "cannot open: %s", strerror(errno));
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
