/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in SVM behaviour: a stateful firewall enforcing the instance's
 * svm_rules (DESIGN.md §3), first match by priority then file order, default
 * drop. Allowed flows enter a per-worker connection table, so later packets
 * of the flow, both ways, pass without a rule walk; a flow that moves to
 * another worker (failover) is picked up there if the rules allow it.
 *
 * Runs on the worker's lcore; the table is the worker's own (one writer).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "meta.h"
#include "svc.h"

uint32_t ioc_svm_conn_entries = 65536;
#define SVM_CONN_IDLE_S 60 /* a flow idle this long is evaluated again */

/* Both directions of a flow give the same key: endpoints ordered. */
struct svm_conn_key {
	uint32_t ip_lo, ip_hi;
	uint16_t port_lo, port_hi;
	uint8_t proto;
	uint8_t pad[3];
};

struct svm_rules {
	const struct ioc_topology *t;
	unsigned n_rules;
	const struct ioc_svm_rule **rules; /* this instance's, in evaluation order */
	struct rte_hash *conns;
	uint64_t *last_seen; /* TSC, by the key's position in the table */
	uint64_t idle_tsc;
	uint32_t age_next; /* rte_hash_iterate position of incremental aging */
};

static int
rule_cmp(const void *a, const void *b)
{
	const struct ioc_svm_rule *ra = *(const struct ioc_svm_rule *const *)a;
	const struct ioc_svm_rule *rb = *(const struct ioc_svm_rule *const *)b;

	if (ra->priority != rb->priority)
		return ra->priority < rb->priority ? -1 : 1;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

static void
rules_fini(void *state)
{
	struct svm_rules *s = state;

	if (s == NULL)
		return;
	rte_hash_free(s->conns);
	rte_free(s->last_seen);
	free(s->rules);
	free(s);
}

static int
rules_init(const struct ioc_topology *t, unsigned inst, unsigned worker, void **state)
{
	static unsigned seq;
	struct svm_rules *s = calloc(1, sizeof(*s));
	char name[RTE_HASH_NAMESIZE];

	if (s == NULL)
		return -ENOMEM;
	s->t = t;
	s->rules = calloc(t->n_svm_rules + 1, sizeof(*s->rules));
	if (s->rules == NULL)
		goto fail;
	for (unsigned r = 0; r < t->n_svm_rules; r++) {
		if (t->svm_rules[r].instance == (int)inst)
			s->rules[s->n_rules++] = &t->svm_rules[r];
	}
	qsort(s->rules, s->n_rules, sizeof(*s->rules), rule_cmp);

	snprintf(name, sizeof(name), "ioc_svm_%u_%u", worker, seq++);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = ioc_svm_conn_entries,
		.key_len = sizeof(struct svm_conn_key),
		.socket_id = SOCKET_ID_ANY,
	};
	s->conns = rte_hash_create(&hp);
	s->last_seen = rte_zmalloc("ioc_svm_seen", sizeof(uint64_t) * ioc_svm_conn_entries * 2, 0);
	if (s->conns == NULL || s->last_seen == NULL)
		goto fail;
	s->idle_tsc = rte_get_tsc_hz() * SVM_CONN_IDLE_S;
	*state = s;
	return 0;
fail:
	rules_fini(s);
	return -ENOMEM;
}

static inline void
conn_key(const struct ioc_meta *md, struct svm_conn_key *k)
{
	bool fwd = md->src_ip < md->dst_ip ||
		   (md->src_ip == md->dst_ip && md->src_port <= md->dst_port);

	memset(k, 0, sizeof(*k));
	k->ip_lo = fwd ? md->src_ip : md->dst_ip;
	k->ip_hi = fwd ? md->dst_ip : md->src_ip;
	k->port_lo = fwd ? md->src_port : md->dst_port;
	k->port_hi = fwd ? md->dst_port : md->src_port;
	k->proto = md->l4_proto;
}

/*
 * Whether rule r matches the packet. ARP is matched by its sender and target
 * addresses (service any only); a frame that is neither IPv4 nor ARP has no
 * addresses, so only a rule whose source, destination and service are any
 * matches it.
 */
static inline bool
rule_matches(const struct svm_rules *s, const struct ioc_svm_rule *r, const struct ioc_meta *md)
{
	bool has_ports = (md->flags & IOC_F_L4) && md->l4_proto != IPPROTO_ICMP;

	if (!(r->direction & md->dir))
		return false;
	if (md->l3 != IOC_L3_IPV4 && md->l3 != IOC_L3_ARP)
		return ioc_ref_list_is_any(&r->src) && ioc_ref_list_is_any(&r->dst) &&
		       ioc_l4_list_is_any(&r->service);
	return ioc_topo_refs_have_ip(s->t, &r->src, rte_be_to_cpu_32(md->src_ip)) &&
	       ioc_topo_refs_have_ip(s->t, &r->dst, rte_be_to_cpu_32(md->dst_ip)) &&
	       ioc_l4_list_match(&r->service, md->l4_proto, rte_be_to_cpu_16(md->dst_port),
				 has_ports);
}

/* The first matching rule, or NULL (the SVM's default: drop). */
static const struct ioc_svm_rule *
first_rule(const struct svm_rules *s, const struct ioc_meta *md)
{
	for (unsigned i = 0; i < s->n_rules; i++) {
		const struct ioc_svm_rule *r = s->rules[i];

		if (rule_matches(s, r, md))
			return r;
	}
	return NULL;
}

/* First matching rule's action, or drop (the SVM's default). */
static bool
rules_allow(const struct svm_rules *s, const struct ioc_meta *md, uint64_t *cnt)
{
	const struct ioc_svm_rule *r = first_rule(s, md);

	if (r != NULL && r->action == IOC_ACT_ALLOW)
		return true;
	cnt[r != NULL ? IOC_SVM_DROP_RULE : IOC_SVM_DROP_DEFAULT]++;
	return false;
}

int
ioc_svm_explain(const struct ioc_svm_worker *w, const struct ioc_meta *md, int *rule)
{
	const struct svm_rules *s = w->behaviour;
	const struct ioc_svm_rule *r;

	if (w->ops != &ioc_svm_rules_ops || s == NULL)
		return -ENOTSUP;
	r = first_rule(s, md);
	*rule = r != NULL ? (int)(r - s->t->svm_rules) : -1;
	return r != NULL && r->action == IOC_ACT_ALLOW;
}

/* A few entries per burst: aging never stalls the worker. */
static void
age_some(struct svm_rules *s, uint64_t now)
{
	const void *key;
	void *data;

	for (int k = 0; k < 8; k++) {
		int32_t pos = rte_hash_iterate(s->conns, &key, &data, &s->age_next);

		if (pos < 0) {
			s->age_next = 0;
			return;
		}
		if (now - s->last_seen[pos] > s->idle_tsc)
			rte_hash_del_key(s->conns, key);
	}
}

static void
rules_process(void *state, uint64_t now, struct ioc_svm_pkt *pkts, uint16_t n, uint64_t *cnt)
{
	struct svm_rules *s = state;
	struct svm_conn_key keys[IOC_BURST];
	const void *kp[IOC_BURST];
	int32_t pos[IOC_BURST];
	bool deleted = false;

	for (uint16_t i = 0; i < n; i++) {
		conn_key(&pkts[i].md, &keys[i]);
		kp[i] = &keys[i];
	}
	rte_hash_lookup_bulk(s->conns, kp, n, pos);

	for (uint16_t i = 0; i < n; i++) {
		struct ioc_meta *md = &pkts[i].md;

		/* Only IPv4 flows are tracked: anything else is judged frame by frame. */
		if (md->l3 != IOC_L3_IPV4) {
			if (rules_allow(s, md, cnt))
				cnt[IOC_SVM_ALLOW]++;
			else
				md->flags |= IOC_F_SVM_DENY;
			continue;
		}
		/*
		 * After a delete, a later add may have reused the freed position
		 * (at once when the table is full): the bulk lookup's answer is
		 * stale, look again (audit L8).
		 */
		if (deleted)
			pos[i] = rte_hash_lookup(s->conns, &keys[i]);
		if (pos[i] >= 0 && now - s->last_seen[pos[i]] <= s->idle_tsc) {
			s->last_seen[pos[i]] = now;
			cnt[IOC_SVM_ALLOW]++;
			cnt[IOC_SVM_ALLOW_CONN]++;
			continue;
		}
		if (md->l3 != IOC_L3_IPV4 || !rules_allow(s, md, cnt)) {
			if (pos[i] >= 0) {
				rte_hash_del_key(s->conns, &keys[i]);
				deleted = true;
			}
			md->flags |= IOC_F_SVM_DENY;
			continue;
		}
		cnt[IOC_SVM_ALLOW]++;
		int32_t p = rte_hash_add_key(s->conns, &keys[i]);
		if (p >= 0)
			s->last_seen[p] = now;
		else
			cnt[IOC_SVM_CONN_FULL]++;
	}
	age_some(s, now);
}

const struct ioc_svm_ops ioc_svm_rules_ops = {
	.name = "rules",
	.init = rules_init,
	.fini = rules_fini,
	.process = rules_process,
};
