/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The INI loader (DESIGN.md §3): reads one topology file with inih into a
 * struct ioc_topology, validates every key and every cross-reference, and on
 * the first error fills a struct ioc_error naming file, line, section and key.
 * No EAL needed: `iochain --check` and the unit tests call it directly.
 */
#ifndef IOC_CONFIG_H
#define IOC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "topology.h"

/*
 * Longest line accepted, in characters, end of line excluded. A longer line is
 * an error naming its line, never silently split. Applies when the linked inih
 * exposes `ini_max_line` (Debian's does); otherwise inih's own limit (200 - 3).
 */
#define IOC_CONFIG_MAX_LINE 1024

/*
 * A vnic without `switch_port` gets this plus its position among the vnics,
 * in file order: the platform numbers its ports from 0x2000000.
 */
#define IOC_SWITCH_PORT_BASE 33554432u

struct ioc_error {
	char file[256];
	int line;	   /* 0 when the error is not tied to a line */
	char section[128]; /* "vnic VM1S1.eth0", or "" */
	char key[64];	   /* "mac", or "" */
	char msg[256];
};

/* "FILE:LINE: [SECTION] KEY: MSG" (parts omitted when empty) into buf. */
int ioc_error_format(const struct ioc_error *e, char *buf, unsigned len);

/*
 * Load and validate a topology. Returns 0, or a negative errno with *err filled:
 * -ENOENT (file cannot be opened), -EINVAL (any syntax, value or reference
 * error). On error *t is left freed (ioc_topo_free) and may be reused.
 */
int ioc_config_load_file(const char *path, struct ioc_topology *t, struct ioc_error *err);

/* Same, from a string; `name` stands for the file in messages. */
int ioc_config_load_string(const char *text, const char *name, struct ioc_topology *t,
			   struct ioc_error *err);

/*
 * The schema, for its documentation and tests: the name of section type i and
 * of its key k (whether required: *required), NULL past the last.
 */
const char *ioc_config_section_name(unsigned i);
const char *ioc_config_key_name(unsigned i, unsigned k, bool *required);

/*
 * Value parsers, exported for unit tests and the CLI. Each returns 0 or
 * -EINVAL, and leaves a short reason in `why` (may be NULL) on failure.
 */
int ioc_parse_ipv4(const char *s, uint32_t *addr, const char **why);
int ioc_parse_ipv6(const char *s, uint8_t addr[16], const char **why); /* "2001:db8::11" */
/* "a.b.c.d[/len]" or "2001:db8::[/len]" */
int ioc_parse_cidr(const char *s, struct ioc_cidr *c, const char **why);
int ioc_parse_mac(const char *s, uint8_t mac[6], const char **why); /* "02:00:00:00:01:01" */
int ioc_parse_bool(const char *s, bool *b, const char **why); /* true/false, yes/no, on/off, 1/0 */
int ioc_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v, const char **why);
int ioc_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi,
			 const char **why); /* "80", "1000-2000" */
int ioc_parse_l4(const char *s, struct ioc_l4_match *m, const char **why);
int ioc_parse_lcore_list(const char *s, struct ioc_lcore_list *l,
			 const char **why);				 /* "1", "1,2", "2-4" */
int ioc_parse_direction(const char *s, unsigned *dir, const char **why); /* in | out | inout */

#endif /* IOC_CONFIG_H */
