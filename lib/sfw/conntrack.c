/* SPDX-License-Identifier: BSD-3-Clause */
/* The connection tables' control side: creation, reference counting, summary. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "conntrack.h"
#include "log.h"

struct ct_table *ioc_sfw_ct[RTE_MAX_LCORE];

/* Control plane: attach/detach (main thread) against telemetry's summary reads. */
static pthread_mutex_t ct_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned ct_refs;

static const char *const state_names[IOC_SFW_CT_NB_STATES] = {
	[IOC_SFW_CT_TCP_SYN_SENT] = "tcp_syn_sent",
	[IOC_SFW_CT_TCP_ESTABLISHED] = "tcp_established",
	[IOC_SFW_CT_TCP_FIN] = "tcp_fin",
	[IOC_SFW_CT_TCP_CLOSED] = "tcp_closed",
	[IOC_SFW_CT_UDP] = "udp",
	[IOC_SFW_CT_ICMP] = "icmp",
	[IOC_SFW_CT_OTHER] = "other",
};

/* Seconds after the last packet; NSX's default session timers where it has one. */
static const unsigned timeout_s[IOC_SFW_CT_NB_STATES + 1] = {
	[IOC_SFW_CT_TCP_SYN_SENT] = 120, [IOC_SFW_CT_TCP_ESTABLISHED] = 43200,
	[IOC_SFW_CT_TCP_FIN] = 45,	 [IOC_SFW_CT_TCP_CLOSED] = 20,
	[IOC_SFW_CT_UDP] = 30,		 [IOC_SFW_CT_ICMP] = 20,
	[IOC_SFW_CT_OTHER] = 60,	 [CT_TIMEOUT_UDP_REPLIED] = 60,
};

const char *
ioc_sfw_conn_state_name(unsigned state)
{
	return state < IOC_SFW_CT_NB_STATES ? state_names[state] : "unknown";
}

static void
table_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->e);
	rte_free(t);
}

static struct ct_table *
table_create(unsigned lcore, uint32_t entries)
{
	int socket =
		rte_lcore_is_enabled(lcore) ? (int)rte_lcore_to_socket_id(lcore) : SOCKET_ID_ANY;
	char name[RTE_HASH_NAMESIZE];
	struct ct_table *t = rte_zmalloc_socket("sfw_ct", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);

	if (t == NULL)
		return NULL;
	snprintf(name, sizeof(name), "sfw_ct_%u", lcore);
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries,
		.key_len = sizeof(struct ct_key),
		.hash_func = rte_hash_crc,
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
	if (t->e == NULL)
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
ct_tables_get(const bool lcores[], unsigned n_lcores, uint32_t entries)
{
	int rc = 0;

	pthread_mutex_lock(&ct_lock);
	for (unsigned l = 0; l < n_lcores && l < RTE_MAX_LCORE; l++) {
		if (!lcores[l] || ioc_sfw_ct[l] != NULL)
			continue;
		ioc_sfw_ct[l] = table_create(l, entries);
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
		for (unsigned k = 0; k < IOC_SFW_CT_NB_STATES; k++)
			s->state[k] += __atomic_load_n(&t->n_state[k], __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&ct_lock);
}
