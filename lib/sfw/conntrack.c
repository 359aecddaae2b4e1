/* SPDX-License-Identifier: BSD-3-Clause */
/* The connection tables' control side: creation, reference counting, summary. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "conntrack.h"
#include "log.h"

struct ct_table *ioc_sfw_ct[RTE_MAX_LCORE];

/* Control plane: attach/detach (main thread) against telemetry's summary reads. */
static pthread_mutex_t ct_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned ct_refs;

static const char *const state_names[IOC_SFW_CT_NB_STATES] = {
	[IOC_SFW_CT_TCP_SYN_SENT] = "tcp_syn_sent",
	[IOC_SFW_CT_TCP_SYN_RECV] = "tcp_syn_recv",
	[IOC_SFW_CT_TCP_ESTABLISHED] = "tcp_established",
	[IOC_SFW_CT_TCP_FIN] = "tcp_fin",
	[IOC_SFW_CT_TCP_CLOSED] = "tcp_closed",
	[IOC_SFW_CT_UDP] = "udp",
	[IOC_SFW_CT_ICMP] = "icmp",
	[IOC_SFW_CT_OTHER] = "other",
};

/*
 * Seconds after the last packet; NSX's default session timers where it has
 * one, short ones while nobody answered: a SYN (a retransmission refreshes it,
 * a later one opens it again) and a picked-up segment have 10 s to be answered.
 */
static const unsigned timeout_s[CT_NB_TIMEOUTS] = {
	[IOC_SFW_CT_TCP_SYN_SENT] = 10,
	[IOC_SFW_CT_TCP_SYN_RECV] = 10,
	[IOC_SFW_CT_TCP_ESTABLISHED] = 43200,
	[IOC_SFW_CT_TCP_FIN] = 45,
	[IOC_SFW_CT_TCP_CLOSED] = 20,
	[IOC_SFW_CT_UDP] = 30,
	[IOC_SFW_CT_ICMP] = 20,
	[IOC_SFW_CT_OTHER] = 60,
	[CT_TIMEOUT_UDP_REPLIED] = 60,
	[CT_TIMEOUT_TCP_PICKUP] = 10,
};

const char *
ioc_sfw_conn_state_name(unsigned state)
{
	return state < IOC_SFW_CT_NB_STATES ? state_names[state] : "unknown";
}

/*
 * The tables' hash is keyed (M9 of the 2026-11-28 audit): a sender on the
 * uplink chooses remote addresses and ports, and with an unkeyed CRC32C it can
 * compute keys that all share one bucket pair, making every lookup walk a long
 * chain of extendable buckets. A random seed alone would not help: CRC is
 * linear, so keys that collide under one seed collide under all of them.
 * SipHash-1-3 (Linux's hsiphash on 64-bit hosts, which keys its conntrack
 * hash the same way) with a random secret drawn at the first table's creation;
 * each table folds its own random seed (rte_hash's init_val) into the key.
 */
static uint64_t ct_secret[2];
static bool ct_secret_set;

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3)                                                                  \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = SIP_ROTL(v1, 13);                                                             \
		v1 ^= v0;                                                                          \
		v0 = SIP_ROTL(v0, 32);                                                             \
		v2 += v3;                                                                          \
		v3 = SIP_ROTL(v3, 16);                                                             \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = SIP_ROTL(v3, 21);                                                             \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = SIP_ROTL(v1, 17);                                                             \
		v1 ^= v2;                                                                          \
		v2 = SIP_ROTL(v2, 32);                                                             \
	} while (0)

#define CT_KEY_WORDS (sizeof(struct ct_key) / 8)
_Static_assert(sizeof(struct ct_key) % 8 == 0, "ct_hash reads the key as 64-bit words");

/* rte_hash's hash_func: the key is always a struct ct_key (key_len its size). */
static uint32_t
ct_hash(const void *key, uint32_t key_len, uint32_t seed)
{
	uint64_t k0 = ct_secret[0] ^ seed, k1 = ct_secret[1];
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m[CT_KEY_WORDS], b = (uint64_t)sizeof(struct ct_key) << 56;

	RTE_SET_USED(key_len);
	memcpy(m, key, sizeof(m));
	for (unsigned i = 0; i < CT_KEY_WORDS; i++) {
		v3 ^= m[i];
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v3 ^= b;
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	b = v0 ^ v1 ^ v2 ^ v3;
	return (uint32_t)(b ^ (b >> 32));
}

/* Random bytes from the kernel; rte_rand (seeded from the TSC) only if it has none. */
static void
random_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (getrandom(buf, len, 0) == (ssize_t)len)
		return;
	IOC_LOG(WARNING, sfw, "getrandom failed: connection tables keyed with rte_rand");
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rte_rand();
}

static void
table_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->e);
	rte_free(t->n_vnic);
	rte_free(t);
}

static struct ct_table *
table_create(unsigned lcore, uint32_t entries, unsigned n_vnics)
{
	int socket =
		rte_lcore_is_enabled(lcore) ? (int)rte_lcore_to_socket_id(lcore) : SOCKET_ID_ANY;
	char name[RTE_HASH_NAMESIZE];
	struct ct_table *t = rte_zmalloc_socket("sfw_ct", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);

	if (t == NULL)
		return NULL;
	snprintf(name, sizeof(name), "sfw_ct_%u", lcore);
	if (!ct_secret_set) {
		random_fill(ct_secret, sizeof(ct_secret));
		ct_secret_set = true;
	}
	uint32_t seed;

	random_fill(&seed, sizeof(seed));
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(struct ct_key),
		.hash_func = ct_hash,
		.hash_func_init_val = seed,
		.socket_id = socket,
		/* Exactly `entries` keys fit: a full table is a counted drop, not a collision. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	t->h = rte_hash_create(&p);
	if (t->h == NULL)
		goto fail;
	/* Key positions run from 0 to max_key_id - 1. */
	t->capacity = (uint32_t)rte_hash_max_key_id(t->h);
	t->e = rte_zmalloc_socket("sfw_ct_entries", sizeof(*t->e) * t->capacity,
				  RTE_CACHE_LINE_SIZE, socket);
	t->n_vnics = RTE_MAX(n_vnics, 1u);
	t->n_vnic = rte_zmalloc_socket("sfw_ct_vnics", sizeof(*t->n_vnic) * t->n_vnics, 0, socket);
	if (t->e == NULL || t->n_vnic == NULL)
		goto fail;
	for (unsigned s = 0; s < RTE_DIM(timeout_s); s++)
		t->timeout[s] = (uint64_t)timeout_s[s] * rte_get_tsc_hz();
	return t;
fail:
	table_free(t);
	return NULL;
}

static void
tables_free_all(void)
{
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		table_free(ioc_sfw_ct[l]);
		ioc_sfw_ct[l] = NULL;
	}
}

int
ct_tables_get(const bool lcores[], unsigned n_lcores, uint32_t entries, unsigned n_vnics)
{
	int rc = 0;

	pthread_mutex_lock(&ct_lock);
	for (unsigned l = 0; l < n_lcores && l < RTE_MAX_LCORE; l++) {
		if (!lcores[l] || ioc_sfw_ct[l] != NULL)
			continue;
		ioc_sfw_ct[l] = table_create(l, entries, n_vnics);
		if (ioc_sfw_ct[l] == NULL) {
			IOC_LOG(ERR, sfw, "connection table for lcore %u: %s", l,
				rte_strerror(rte_errno));
			/* Tables made for nobody yet would outlive every reference. */
			if (ct_refs == 0)
				tables_free_all();
			rc = -ENOMEM;
			goto out;
		}
	}
	ct_refs++;
out:
	pthread_mutex_unlock(&ct_lock);
	return rc;
}

void
ct_tables_put(void)
{
	pthread_mutex_lock(&ct_lock);
	if (ct_refs > 0 && --ct_refs == 0)
		tables_free_all();
	pthread_mutex_unlock(&ct_lock);
}

void
ioc_sfw_conn_summary(struct ioc_sfw_conn_summary *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&ct_lock);
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		const struct ct_table *t = ioc_sfw_ct[l];

		if (t == NULL)
			continue;
		s->n_tables++;
		s->capacity += t->capacity;
		s->entries += __atomic_load_n(&t->n_entries, __ATOMIC_RELAXED);
		s->evicted += __atomic_load_n(&t->n_evicted, __ATOMIC_RELAXED);
		for (unsigned k = 0; k < IOC_SFW_CT_NB_STATES; k++)
			s->state[k] += __atomic_load_n(&t->n_state[k], __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&ct_lock);
}
