/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firewall's connection tables: one rte_hash per forwarding lcore, shared
 * by every vNIC that lcore serves (the vNIC index is in the key).
 *
 * Concurrency: table `lcore` is written (lookups, adds, state changes, aging,
 * its counters) by forwarding lcore `lcore` only, so the datapath takes no lock
 * and needs no RW-concurrent hash. The control plane creates the tables before
 * the lcores run (at attach, reference-counted across attaches), frees them
 * when the last vNIC detaches (lcores stopped), and in between only reads the
 * counters (n_entries, n_state) with relaxed loads, summing them for telemetry.
 *
 * Per-lcore tables are correct only if both directions of a flow run on the
 * same lcore: the slot's attach refuses (-EINVAL) a stateful topology where a
 * vNIC and the other ports of its L2 segment are not polled by the same lcores.
 *
 * The key is direction-aware: the vNIC's own end is "local", so an outbound
 * packet and its inbound answer build the same key with no address ordering;
 * the entry remembers which way the connection was opened.
 */
#ifndef IOC_SFW_CONNTRACK_H
#define IOC_SFW_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "sfw.h"

struct ct_key {
	uint32_t local_ip, remote_ip;	  /* network order, as in ioc_meta */
	uint16_t local_port, remote_port; /* network order; ICMP echo: the identifier twice */
	uint16_t vnic;
	uint8_t proto;
	uint8_t pad; /* zero: the hash reads all 16 bytes */
};

struct ct_entry {
	struct ct_key key;
	uint64_t expire;  /* TSC: the entry is absent from then on, aged or not */
	uint16_t profile; /* redirect mark decided when the connection opened */
	uint8_t state;	  /* enum ioc_sfw_conn_state */
	uint8_t open_dir; /* enum ioc_dir of the packet that opened it */
	uint8_t in_use;
	uint8_t replied; /* a packet went the other way */
};

/* Timeout slots: the states, then UDP once answered. */
#define CT_TIMEOUT_UDP_REPLIED IOC_SFW_CT_NB_STATES

struct ct_table {
	struct rte_hash *h;
	struct ct_entry *e; /* [capacity], indexed by the hash's key position */
	uint32_t capacity;
	uint32_t age_pos;			    /* next position the aging sweep looks at */
	uint64_t timeout[IOC_SFW_CT_NB_STATES + 1]; /* TSC cycles */
	/* Written by the owner lcore, read (relaxed) by the control plane. */
	uint64_t n_entries;
	uint64_t n_state[IOC_SFW_CT_NB_STATES];
} __rte_cache_aligned;

/* Positions the aging sweep visits per burst: a full sweep of 64k every 2048 bursts. */
#define CT_AGE_PER_BURST 32

/* Indexed by lcore id; NULL where no forwarding lcore runs. Set before lcores start. */
extern struct ct_table *ioc_sfw_ct[RTE_MAX_LCORE];

/*
 * Control plane: take a reference, creating tables of `entries` connections
 * for `lcores` that have none (tables that exist keep their size: a reload
 * cannot change [dfw] connections).
 */
int ct_tables_get(const bool lcores[], unsigned n_lcores, uint32_t entries);
/* Control plane: drop a reference; the last one frees every table. */
void ct_tables_put(void);

/* ---- datapath: owner lcore only ---- */

static inline void
ct_set_state(struct ct_table *t, struct ct_entry *e, unsigned state)
{
	t->n_state[e->state]--;
	t->n_state[state]++;
	e->state = (uint8_t)state;
}

static inline void
ct_delete(struct ct_table *t, struct ct_entry *e)
{
	rte_hash_del_key(t->h, &e->key);
	e->in_use = 0;
	t->n_state[e->state]--;
	t->n_entries--;
}

static inline void
ct_touch(struct ct_table *t, struct ct_entry *e, uint64_t now)
{
	unsigned slot = e->state;

	if (e->state == IOC_SFW_CT_UDP && e->replied)
		slot = CT_TIMEOUT_UDP_REPLIED;
	e->expire = now + t->timeout[slot];
}

/* A packet of a live connection; fwd: it goes the way the connection was opened. */
static inline void
ct_update(struct ct_table *t, struct ct_entry *e, bool fwd, uint8_t tcp_flags, uint64_t now)
{
	if (!fwd)
		e->replied = 1;
	if (e->key.proto == IPPROTO_TCP) {
		if (tcp_flags & RTE_TCP_RST_FLAG)
			ct_set_state(t, e, IOC_SFW_CT_TCP_CLOSED);
		else if ((tcp_flags & RTE_TCP_FIN_FLAG) && e->state != IOC_SFW_CT_TCP_CLOSED)
			ct_set_state(t, e, IOC_SFW_CT_TCP_FIN);
		else if (e->state == IOC_SFW_CT_TCP_SYN_SENT && !fwd &&
			 (tcp_flags & RTE_TCP_ACK_FLAG))
			ct_set_state(t, e, IOC_SFW_CT_TCP_ESTABLISHED);
	}
	ct_touch(t, e, now);
}

static inline unsigned
ct_initial_state(uint8_t proto, uint8_t tcp_flags)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (tcp_flags & RTE_TCP_RST_FLAG)
			return IOC_SFW_CT_TCP_CLOSED;
		if (tcp_flags & RTE_TCP_FIN_FLAG)
			return IOC_SFW_CT_TCP_FIN;
		/* Mid-stream pickup (no SYN): the flow predates us, e.g. a restart. */
		if ((tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG)
			return IOC_SFW_CT_TCP_SYN_SENT;
		return IOC_SFW_CT_TCP_ESTABLISHED;
	case IPPROTO_UDP:
		return IOC_SFW_CT_UDP;
	case IPPROTO_ICMP:
		return IOC_SFW_CT_ICMP;
	default:
		return IOC_SFW_CT_OTHER;
	}
}

/*
 * An allowed packet opens a connection (or refreshes it when an earlier packet
 * of the burst already did). 0, or -ENOSPC when the table is full.
 */
static inline int
ct_open(struct ct_table *t, const struct ct_key *k, uint8_t dir, uint8_t tcp_flags,
	uint16_t profile, uint64_t now)
{
	int32_t pos;

	/*
	 * A full table: an insert would search every cuckoo path before failing.
	 * Only a connection an earlier packet of this burst opened can still match.
	 */
	if (unlikely(t->n_entries >= t->capacity))
		pos = rte_hash_lookup(t->h, k);
	else
		pos = rte_hash_add_key(t->h, k);

	if (pos < 0)
		return pos;
	struct ct_entry *e = &t->e[pos];
	if (e->in_use) {
		ct_update(t, e, dir == e->open_dir, tcp_flags, now);
		return 0;
	}
	*e = (struct ct_entry){
		.key = *k,
		.profile = profile,
		.state = (uint8_t)ct_initial_state(k->proto, tcp_flags),
		.open_dir = dir,
		.in_use = 1,
	};
	t->n_entries++;
	t->n_state[e->state]++;
	ct_touch(t, e, now);
	return 0;
}

/* Incremental aging: a bounded number of positions per call, so no burst stalls. */
static inline void
ct_age(struct ct_table *t, uint64_t now)
{
	uint32_t pos = t->age_pos;

	for (unsigned i = 0; i < CT_AGE_PER_BURST; i++) {
		struct ct_entry *e = &t->e[pos];

		if (e->in_use && e->expire <= now)
			ct_delete(t, e);
		if (++pos == t->capacity)
			pos = 0;
	}
	t->age_pos = pos;
}

#endif /* IOC_SFW_CONNTRACK_H */
