/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loader's insides, shared by its four parts:
 * - config_values.c: value parsers (text to numbers, addresses, lists);
 * - config_read.c: the line reader that feeds inih, sections and keys as read;
 * - config_schema.c: one descriptor table per section (key, type, default,
 *   range, required) and the typed setters it drives;
 * - config_refs.c: what needs the whole file: names resolved, group cycles,
 *   lcore roles.
 */
#ifndef IOC_CONFIG_PRIV_H
#define IOC_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_KEYS 16
#define HEADER_MAX 128

/* ---------------------------------------------------------------------------------------------- */
/* Descriptors */

enum key_type {
	KT_NAME,       /* a name (char[IOC_NAME_MAX]) */
	KT_STR,	       /* free text (char[size]) */
	KT_U32,	       /* min..max */
	KT_LCORE_OPT,  /* int: an lcore id, or -1 */
	KT_BOOL,       /* bool */
	KT_DIR,	       /* unsigned: enum ioc_dir bits */
	KT_ENUM,       /* one of en->names, stored as en->values (bool or int field) */
	KT_LCORES,     /* struct ioc_lcore_list */
	KT_MAC,	       /* uint8_t[6], unique among vnics */
	KT_DEVICE,     /* char[IOC_DEVARGS_MAX], unique among ports */
	KT_IPS,	       /* a vnic's ip[]/n_ip */
	KT_ETHERTYPES, /* a vnic's allow_ethertype[]/n_allow_ethertype */
	KT_VLAN,       /* a vnic's vlan_mode/vlan_id: none, trunk or 1-4094 */
	KT_CIDRS,      /* struct ioc_ipset's v/n */
	KT_L4,	       /* struct ioc_l4_list */
	KT_REFS,       /* struct ioc_ref_list of the kinds in `refs`, resolved after the file */
	KT_SECTION_REF /* int: index of the section named, resolved after the file by `find` */
};

/* KT_REFS: the kinds a list may hold */
#define REF(k) (1u << (k))
#define REFS_ADDR (REF(IOC_REF_ANY) | REF(IOC_REF_CIDR) | REF(IOC_REF_IPSET) | REF(IOC_REF_GROUP))
#define REFS_APPLIED (REF(IOC_REF_ANY) | REF(IOC_REF_VNIC) | REF(IOC_REF_GROUP))
#define REFS_MEMBERS                                                                               \
	(REF(IOC_REF_CIDR) | REF(IOC_REF_VM) | REF(IOC_REF_VNIC) | REF(IOC_REF_IPSET) |            \
	 REF(IOC_REF_GROUP))

struct enum_def {
	const char *what;     /* in messages: "invalid action ..." */
	const char *expected; /* "allow or drop" */
	const char *const *names;
	const int *values;
	unsigned n;
};

struct key_desc {
	const char *name;
	enum key_type type;
	size_t off, size; /* of the field in the section's struct */
	bool required;
	const char *def;   /* default, as it would be written in the file; NULL: none (zero) */
	const char *doc;   /* the default in words, when `def` cannot say it (README) */
	uint32_t min, max; /* KT_U32 */
	unsigned refs;	   /* KT_REFS: allowed kinds, bits of enum ioc_ref_kind */
	const struct enum_def *en; /* KT_ENUM */
	const char *what;	   /* KT_SECTION_REF: "service_instance" in messages */
	int (*find)(const struct ioc_topology *t, const char *name); /* KT_SECTION_REF */
};

struct ctx;
struct sec;

struct sec_desc {
	const char *name;
	bool singleton;
	const struct key_desc *keys;
	unsigned n_keys;
	/* Where the objects go: a singleton at `base`; others appended to the array at `arr` */
	size_t base, arr, count, elem_size;
	size_t line_off;  /* int line of the object, or NO_FIELD */
	size_t order_off; /* unsigned position among its kind; 0 (the name's offset): none */
	/* Optional: what the table cannot say. */
	int (*open)(struct ctx *c, struct sec *s, void *obj);	       /* after defaults */
	int (*close)(struct ctx *c, const struct sec *s, void *obj);   /* after required keys */
	int (*resolve)(struct ctx *c, const struct sec *s, void *obj); /* replaces the default */
};

#define NO_FIELD ((size_t)-1)

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
	SEC_SVM,
	SEC_MAX
};

extern const struct sec_desc ioc_sections[SEC_MAX];

/* ---------------------------------------------------------------------------------------------- */
/* The loader's state */

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

/* ---------------------------------------------------------------------------------------------- */
/* config_values.c */

bool ioc_cfg_is_digit(char c);
bool ioc_cfg_is_space(char c);
int ioc_cfg_split_next(const char **p, char *buf, size_t len);
unsigned ioc_cfg_count_elems(const char *s);
void ioc_cfg_copy_str(char *dst, size_t size, const char *src);
const char *ioc_cfg_name_why(const char *s); /* NULL: a valid name */

/* ---------------------------------------------------------------------------------------------- */
/* config_read.c: positions and errors */

void ioc_cfg_at(struct ctx *c, int line, const char *sec, const char *key);
void ioc_cfg_at_key(struct ctx *c, const struct sec *s, unsigned k);
/* Records the first error at the current position; returns -1. */
int ioc_cfg_fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ioc_cfg_oom(struct ctx *c);
/* arr with room for one more element, zeroed, at n; NULL (error recorded) without memory. */
void *ioc_cfg_grow(struct ctx *c, void *arr, unsigned n, size_t size);

#define GROW(c, arr, n)                                                                            \
	do {                                                                                       \
		void *p_ = ioc_cfg_grow((c), (arr), (n), sizeof(*(arr)));                          \
		if (p_ == NULL)                                                                    \
			return -1;                                                                 \
		(arr) = p_;                                                                        \
		(n)++;                                                                             \
	} while (0)

/* ---------------------------------------------------------------------------------------------- */
/* config_types.c */

/* Value v of key kd into obj, the object of section s: 0, or -1 with the error recorded. */
int ioc_cfg_set_value(struct ctx *c, const struct sec *s, const struct key_desc *kd, void *obj,
		      const char *v);
/* A KT_REFS key again, names now looked up: every section is known. */
int ioc_cfg_resolve_refs(struct ctx *c, const struct sec *s, unsigned k, void *field);

/* ---------------------------------------------------------------------------------------------- */
/* config_schema.c */

bool ioc_cfg_seen(const struct sec *s, unsigned k);
int ioc_cfg_key_index(enum sec_type type, const char *name); /* -1: no such key */
bool ioc_cfg_seen_key(const struct sec *s, const char *name);
void *ioc_cfg_object(const struct ctx *c, const struct sec *s);
/* Appends the object of a new section with its defaults; sets s->idx. */
int ioc_cfg_open_section(struct ctx *c, struct sec *s);
int ioc_cfg_close_section(struct ctx *c, struct sec *s);
int ioc_cfg_set_key(struct ctx *c, const struct sec *s, unsigned k, const char *v);
int ioc_cfg_singleton_defaults(struct ctx *c);

/* ---------------------------------------------------------------------------------------------- */
/* config_refs.c */

/* After the whole file: required sections, references, group cycles, lcore roles. */
int ioc_cfg_finish(struct ctx *c);
/* Key k of s names a section (KT_SECTION_REF): its index, or -1 with the error recorded. */
int ioc_cfg_resolve_name(struct ctx *c, const struct sec *s, unsigned k);
/* Every seen KT_REFS and KT_SECTION_REF key of s, in table order: a section's resolve. */
int ioc_cfg_resolve_keys(struct ctx *c, const struct sec *s, void *obj);
/* Sections' resolve hooks, which call ioc_cfg_resolve_keys themselves. */
int ioc_cfg_vnic_resolve(struct ctx *c, const struct sec *s, void *obj);
int ioc_cfg_instance_resolve(struct ctx *c, const struct sec *s, void *obj);
int ioc_cfg_redirect_resolve(struct ctx *c, const struct sec *s, void *obj);
int ioc_cfg_svm_resolve(struct ctx *c, const struct sec *s, void *obj);

#endif /* IOC_CONFIG_PRIV_H */
