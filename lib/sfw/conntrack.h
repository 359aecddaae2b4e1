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
#include <string.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "sfw.h"

/*
 * One key for both families: IPv4 addresses as IPv4-mapped IPv6
 * (::ffff:a.b.c.d), and the family in the key, so that an IPv6 packet with
 * mapped addresses never meets an IPv4 connection. 40 bytes, all read by the
 * hash (no padding).
 */
struct ct_key {
	uint8_t local_ip[16], remote_ip[16]; /* network order */
	uint16_t local_port, remote_port;    /* network order; ICMP echo: the identifier twice */
	uint16_t vnic;
	uint8_t proto;
	uint8_t family; /* 4 or 6 */
};

/* An IPv4 address (network order) as the key holds it: IPv4-mapped. */
static inline void
ct_addr4(uint8_t a[16], uint32_t ip)
{
	memset(a, 0, 10);
	a[10] = 0xff;
	a[11] = 0xff;
	memcpy(a + 12, &ip, 4);
}

struct ct_entry {
	struct ct_key key;
	uint64_t expire;  /* TSC: the entry is absent from then on, aged or not */
	uint16_t profile; /* redirect mark decided when the connection opened */
	uint8_t state;	  /* enum ioc_sfw_conn_state */
	uint8_t open_dir; /* enum ioc_dir of the packet that opened it */
	uint8_t in_use;
	uint8_t replied; /* a packet went the other way */
	uint8_t fin;	 /* TCP: the FINs seen, CT_FIN_FWD | CT_FIN_REV */
	uint32_t gen;	 /* the rules (ct_policy gen) its mark was decided by */
};

#define CT_FIN_FWD 1 /* from the end that opened */
#define CT_FIN_REV 2

/* Timeout slots: the states, then UDP once answered, then TCP picked up and not answered. */
#define CT_TIMEOUT_UDP_REPLIED IOC_SFW_CT_NB_STATES
#define CT_TIMEOUT_TCP_PICKUP (IOC_SFW_CT_NB_STATES + 1)
#define CT_NB_TIMEOUTS (IOC_SFW_CT_NB_STATES + 2)

struct ct_table {
	struct rte_hash *h;
	struct ct_entry *e; /* [capacity], indexed by the hash's key position */
	uint32_t capacity;
	uint32_t age_pos;		  /* the clock hand: aging and eviction look here next */
	uint64_t timeout[CT_NB_TIMEOUTS]; /* TSC cycles */
	uint32_t *n_vnic;		  /* [n_vnics]: entries per vNIC index */
	uint32_t n_vnics;		  /* vNICs counted (those of the first attach) */
	/* Written by the owner lcore, read (relaxed) by the control plane. */
	uint64_t n_entries;
	uint64_t n_state[IOC_SFW_CT_NB_STATES];
	uint64_t n_evicted; /* unanswered entries evicted to admit a new connection */
} __rte_cache_aligned;

/* What a vNIC's firewall asks of the table when it opens connections. */
struct ct_policy {
	bool tcp_pickup;	  /* a TCP segment without SYN may open (mid-stream pickup) */
	uint32_t max_connections; /* entries of this vNIC per table; 0: no limit */
	/*
	 * The vNIC's rules, one number per slot-2 state (a reload builds a new
	 * one): an entry opened under other rules has its redirect mark decided
	 * again by the first packet that meets it (audit L5).
	 */
	uint32_t gen;
};

/* Positions the aging sweep visits per burst: a full sweep of 64k every 2048 bursts. */
#define CT_AGE_PER_BURST 32
/* Positions a new connection may look at for an entry to evict. */
#define CT_EVICT_SCAN 128

/* Indexed by lcore id; NULL where no forwarding lcore runs. Set before lcores start. */
extern struct ct_table *ioc_sfw_ct[RTE_MAX_LCORE];

/*
 * Control plane: take a reference, creating tables of `entries` connections
 * for `lcores` that have none, counting entries per vNIC for `n_vnics` (tables
 * that exist keep their sizes: a reload cannot change [dfw] connections nor
 * the vNICs).
 */
int ct_tables_get(const bool lcores[], unsigned n_lcores, uint32_t entries, unsigned n_vnics);
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

static inline uint32_t *
ct_vnic_count(struct ct_table *t, uint16_t vnic)
{
	return vnic < t->n_vnics ? &t->n_vnic[vnic] : NULL;
}

static inline void
ct_delete(struct ct_table *t, struct ct_entry *e)
{
	uint32_t *nv = ct_vnic_count(t, e->key.vnic);

	rte_hash_del_key(t->h, &e->key);
	e->in_use = 0;
	t->n_state[e->state]--;
	t->n_entries--;
	if (nv != NULL)
		(*nv)--;
}

static inline void
ct_touch(struct ct_table *t, struct ct_entry *e, uint64_t now)
{
	unsigned slot = e->state;

	if (e->state == IOC_SFW_CT_UDP && e->replied)
		slot = CT_TIMEOUT_UDP_REPLIED;
	else if (e->state == IOC_SFW_CT_TCP_ESTABLISHED && !e->replied)
		slot = CT_TIMEOUT_TCP_PICKUP;
	e->expire = now + t->timeout[slot];
}

/*
 * Not established: never answered, a TCP handshake not completed (a spoofed
 * SYN that the VM answers stays here) or reset. What a full table gives up
 * first, as Linux's early drop gives up what is not "assured".
 */
static inline bool
ct_evictable(const struct ct_entry *e)
{
	return !e->replied || e->state == IOC_SFW_CT_TCP_SYN_SENT ||
	       e->state == IOC_SFW_CT_TCP_SYN_RECV || e->state == IOC_SFW_CT_TCP_CLOSED;
}

/* A segment that may open a TCP connection: SYN alone. */
static inline bool
ct_tcp_opens(uint8_t tcp_flags)
{
	return (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
			     RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

/*
 * A packet of a live connection; fwd: it goes the way the connection was
 * opened. A reset connection, or one closed both ways, passes its stragglers
 * until the timer its RST or second FIN started, but nothing refreshes it
 * (audit L9: a reset tuple stayed open as long as packets kept coming). One
 * FIN alone keeps refreshing: the other way may keep sending (half-close).
 */
static inline void
ct_update(struct ct_table *t, struct ct_entry *e, bool fwd, uint8_t tcp_flags, uint64_t now)
{
	if (e->key.proto == IPPROTO_TCP) {
		if (e->state == IOC_SFW_CT_TCP_CLOSED ||
		    (e->state == IOC_SFW_CT_TCP_FIN && e->fin == (CT_FIN_FWD | CT_FIN_REV)))
			return;
		if (!fwd)
			e->replied = 1;
		if (tcp_flags & RTE_TCP_RST_FLAG) {
			ct_set_state(t, e, IOC_SFW_CT_TCP_CLOSED);
		} else if (tcp_flags & RTE_TCP_FIN_FLAG) {
			e->fin |= fwd ? CT_FIN_FWD : CT_FIN_REV;
			if (e->state != IOC_SFW_CT_TCP_FIN)
				ct_set_state(t, e, IOC_SFW_CT_TCP_FIN);
		} else if (e->state == IOC_SFW_CT_TCP_SYN_SENT && !fwd &&
			   (tcp_flags & RTE_TCP_ACK_FLAG)) {
			ct_set_state(t, e, IOC_SFW_CT_TCP_SYN_RECV);
		} else if (e->state == IOC_SFW_CT_TCP_SYN_RECV && fwd &&
			   (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
				   RTE_TCP_ACK_FLAG) {
			ct_set_state(t, e, IOC_SFW_CT_TCP_ESTABLISHED);
		}
	} else if (!fwd) {
		e->replied = 1;
	}
	ct_touch(t, e, now);
}

static inline unsigned
ct_initial_state(uint8_t proto, uint8_t tcp_flags)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (ct_tcp_opens(tcp_flags))
			return IOC_SFW_CT_TCP_SYN_SENT;
		/* Mid-stream pickup (tcp_pickup): the flow predates us, e.g. a restart. */
		if (tcp_flags & RTE_TCP_FIN_FLAG)
			return IOC_SFW_CT_TCP_FIN;
		return IOC_SFW_CT_TCP_ESTABLISHED;
	case IPPROTO_UDP:
		return IOC_SFW_CT_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return IOC_SFW_CT_ICMP;
	default:
		return IOC_SFW_CT_OTHER;
	}
}

/* What ct_make_room found. */
enum { CT_ROOM_NONE, CT_ROOM_EXPIRED, CT_ROOM_EVICTED };

/*
 * Frees one entry of vNIC `vnic` (any vNIC when negative): the first expired
 * or evictable one within CT_EVICT_SCAN positions of the clock hand. Expired
 * entries of other vNICs met on the way are aged too. The hand moves past
 * what it looked at, and the freed position is the next one rte_hash hands
 * out when the table is full: a new entry is behind the hand, so it is the
 * last the hand meets again.
 */
static inline int
ct_make_room(struct ct_table *t, uint64_t now, int vnic)
{
	uint32_t pos = t->age_pos;
	int room = CT_ROOM_NONE;

	for (unsigned i = 0; i < CT_EVICT_SCAN && room == CT_ROOM_NONE; i++) {
		struct ct_entry *e = &t->e[pos];

		if (++pos == t->capacity)
			pos = 0;
		if (!e->in_use)
			continue;
		bool mine = vnic < 0 || e->key.vnic == vnic;

		if (e->expire <= now) {
			ct_delete(t, e);
			room = mine ? CT_ROOM_EXPIRED : CT_ROOM_NONE;
		} else if (mine && ct_evictable(e)) {
			ct_delete(t, e);
			t->n_evicted++;
			room = CT_ROOM_EVICTED;
		}
	}
	t->age_pos = pos;
	return room;
}

/* ct_open's outcome: >= 0 passes. */
enum {
	CT_OPENED = 0,
	CT_OPENED_EVICTING = 1, /* an unanswered entry was evicted to make room */
	CT_NO_SYN = -1,		/* TCP without SYN and no connection: not picked up */
	CT_VNIC_LIMIT = -2,	/* the vNIC has max_connections and none to evict */
	CT_FULL = -3,		/* the table is full and nothing is evictable nearby */
};

static inline struct ct_entry *
ct_find(struct ct_table *t, const struct ct_key *k, hash_sig_t sig)
{
	int32_t pos = rte_hash_lookup_with_hash(t->h, k, sig);

	return pos >= 0 ? &t->e[pos] : NULL;
}

/* Room for one more entry of k's vNIC, evicting if need be. */
static inline int
ct_reserve(struct ct_table *t, const struct ct_key *k, const struct ct_policy *p, uint64_t now)
{
	const uint32_t *nv = ct_vnic_count(t, k->vnic);
	int rc = CT_OPENED;

	if (p->max_connections != 0 && nv != NULL && *nv >= p->max_connections) {
		int room = ct_make_room(t, now, k->vnic);

		if (room == CT_ROOM_NONE)
			return CT_VNIC_LIMIT;
		rc = room == CT_ROOM_EVICTED ? CT_OPENED_EVICTING : CT_OPENED;
	}
	if (t->n_entries >= t->capacity) {
		int room = ct_make_room(t, now, -1);

		if (room == CT_ROOM_NONE)
			return CT_FULL;
		if (room == CT_ROOM_EVICTED)
			rc = CT_OPENED_EVICTING;
	}
	return rc;
}

/*
 * An allowed packet opens a connection, or refreshes it when an earlier packet
 * of the burst already opened it. TCP opens with a SYN only, unless the policy
 * picks up mid-stream segments (a RST is never picked up: it passes untracked).
 */
static inline int
ct_open(struct ct_table *t, const struct ct_key *k, uint8_t dir, uint8_t tcp_flags,
	uint16_t profile, const struct ct_policy *p, uint64_t now)
{
	hash_sig_t sig = rte_hash_hash(t->h, k);
	struct ct_entry *e = ct_find(t, k, sig);
	int rc;

	if (e != NULL) {
		ct_update(t, e, dir == e->open_dir, tcp_flags, now);
		return CT_OPENED;
	}
	if (k->proto == IPPROTO_TCP && !ct_tcp_opens(tcp_flags)) {
		if (!p->tcp_pickup)
			return CT_NO_SYN;
		if (tcp_flags & RTE_TCP_RST_FLAG)
			return CT_OPENED;
	}
	rc = ct_reserve(t, k, p, now);
	if (rc < 0)
		return rc;
	int32_t pos = rte_hash_add_key_with_hash(t->h, k, sig);
	if (pos < 0)
		return CT_FULL;
	e = &t->e[pos];
	*e = (struct ct_entry){
		.key = *k,
		.profile = profile,
		.state = (uint8_t)ct_initial_state(k->proto, tcp_flags),
		.open_dir = dir,
		.in_use = 1,
		.fin = (tcp_flags & RTE_TCP_FIN_FLAG) ? CT_FIN_FWD : 0,
		.gen = p->gen,
	};
	t->n_entries++;
	t->n_state[e->state]++;
	uint32_t *nv = ct_vnic_count(t, k->vnic);
	if (nv != NULL)
		(*nv)++;
	ct_touch(t, e, now);
	return rc;
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
