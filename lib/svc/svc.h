/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service insertion (DESIGN.md §4 slot 4, §3 service objects): partner
 * service instances (SVMs) whose workers run on their own lcores, fed by the
 * forwarding lcores over rte_rings.
 *
 * Rings: one pair per (forwarding lcore, worker): `to` (SP: the forwarding
 * lcore, SC: the worker) and `back` (SP: the worker, SC: the forwarding
 * lcore). A worker returns every packet it dequeued, with its verdict in the
 * metadata, on the `back` ring of the lcore that sent it; that lcore resumes
 * the chain after slot 4 (or frees a denied packet and counts it). So every
 * counter has one writer: forwarding lcores count what they hand over and get
 * back, workers count what they inspect, and held - resumed is in flight.
 *
 * Lifetime: the runtime (instances, workers, rings) is built by the first
 * slot-4 attach of a topology and freed by the last detach; the datapath and
 * the app reach it with ioc_svc_get(). It is immutable while lcores run,
 * except the workers' own counters and heartbeats.
 */
#ifndef IOC_SVC_H
#define IOC_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "chain.h"
#include "topology.h"

#define IOC_SVC_RING_SIZE 1024
#define IOC_SVC_MAX_WORKERS IOC_MAX_PORT_LCORES

/* Slot 4's counters on a vNIC: reasons (its ledger) then infos. */
enum ioc_svc_reason {
	IOC_SVC_REDIRECT,	/* held: handed to a worker */
	IOC_SVC_DROP_RING_FULL, /* failClosed, the worker's ring was full */
	IOC_SVC_NB_REASONS,
};

enum ioc_svc_info {
	IOC_SVC_BYPASS_RING_FULL, /* failOpen, the worker's ring was full: passed uninspected */
	IOC_SVC_SVM_ALLOW,	  /* came back allowed, resumed after slot 4 */
	IOC_SVC_SVM_DENY,	  /* came back denied, freed */
	IOC_SVC_NB_INFOS,
};

enum ioc_svm_counter {
	IOC_SVM_IN,	      /* packets dequeued */
	IOC_SVM_ALLOW,	      /* allowed by a rule or an established connection */
	IOC_SVM_ALLOW_CONN,   /* of which by the connection table */
	IOC_SVM_DROP_RULE,    /* denied by a drop rule */
	IOC_SVM_DROP_DEFAULT, /* matched no rule: the SVM's default is drop */
	IOC_SVM_CONN_FULL,    /* allowed, but the connection table was full */
	IOC_SVM_BACK_FULL,    /* return ring full: kept and retried (not lost) */
	IOC_SVM_MAX,
};

extern const char *const ioc_svm_counter_names[IOC_SVM_MAX];

struct ioc_svm_worker;

/*
 * What an SVM does with packets: the pluggable behaviour of a worker. The
 * built-in one ("rules") enforces the instance's svm_rules, statefully.
 */
struct ioc_svm_ops {
	const char *name;
	/* Control plane: per-worker state for instance `inst` of t. */
	int (*init)(const struct ioc_topology *t, unsigned inst, unsigned worker, void **state);
	void (*fini)(void *state);
	/* Worker lcore: sets IOC_F_SVM_DENY in the metadata flags of each denied packet. */
	void (*process)(void *state, uint64_t now, struct rte_mbuf **pkts, uint16_t n,
			uint64_t *cnt);
};

extern const struct ioc_svm_ops ioc_svm_rules_ops;

struct ioc_svm_worker {
	char name[IOC_NAME_MAX + 8]; /* "INSTANCE.N" */
	unsigned instance;
	unsigned index;
	unsigned lcore_id;
	const struct ioc_svm_ops *ops;
	void *state;
	struct rte_ring *to[RTE_MAX_LCORE]; /* by forwarding lcore id; NULL elsewhere */
	struct rte_ring *back[RTE_MAX_LCORE];
	uint16_t fwd_lcores[RTE_MAX_LCORE]; /* the forwarding lcores it serves */
	unsigned n_fwd;
	volatile bool quit;
	/* Written by the worker only. */
	struct rte_mbuf *pending[RTE_MAX_LCORE][IOC_BURST]; /* verdicted, `back` was full */
	uint16_t n_pending[RTE_MAX_LCORE];
	uint64_t heartbeat __rte_cache_aligned; /* bumped every loop */
	uint64_t cnt[IOC_SVM_MAX];
} __rte_cache_aligned;

struct ioc_svc_instance {
	unsigned n_workers;
	struct ioc_svm_worker *workers[IOC_SVC_MAX_WORKERS];
};

struct ioc_svc {
	const struct ioc_topology *topo;
	unsigned refs;
	unsigned n_instances;
	struct ioc_svc_instance *instances;
	unsigned n_workers; /* all instances */
	struct ioc_svm_worker **workers;
};

/*
 * Builds the runtime of topology t on first use (workers and rings for every
 * forwarding lcore t names); later calls take a reference. NULL on failure,
 * or when another topology's runtime is alive.
 */
struct ioc_svc *ioc_svc_acquire(const struct ioc_topology *t);
/* Drops a reference; the last one frees the runtime and any packet in its rings. */
void ioc_svc_release(void);

/* The runtime of the topology being run, or NULL when no slot 4 is attached. */
struct ioc_svc *ioc_svc_get(void);

/* Worker lcore entry point (arg: struct ioc_svm_worker *); returns on ->quit. */
int ioc_svm_worker_main(void *arg);
/* One iteration of the worker loop; returns packets handled (tests drive it directly). */
unsigned ioc_svm_worker_poll(struct ioc_svm_worker *w);

/*
 * Forwarding lcore: dequeue what the workers sent back to lcore `lcore_id`
 * into pkts (at most n). Returns the count.
 */
uint16_t ioc_svc_collect(struct ioc_svc *svc, unsigned lcore_id, struct rte_mbuf **pkts,
			 uint16_t n);

/* Packets in the rings of a worker (both ways), for telemetry. */
unsigned ioc_svm_worker_ring_count(const struct ioc_svm_worker *w);

/* Frees every packet still in any ring (after all lcores stopped); returns the count. */
unsigned ioc_svc_drain(struct ioc_svc *svc);

#endif /* IOC_SVC_H */
