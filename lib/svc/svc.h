/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service insertion (DESIGN.md §4 slot 4, §3 service objects): partner
 * service instances (SVMs) whose workers run on their own lcores, fed by the
 * forwarding lcores over rte_rings.
 *
 * Rings: one pair per (forwarding lcore, worker): `to` (SP: the forwarding
 * lcore; MC: the worker, and the forwarding lcore taking back what a worker
 * that stopped serving left, ioc_svc_reclaim(), while a hung worker may wake
 * up and dequeue too) and `back` (SP: the worker, SC: the forwarding lcore).
 * `to` carries struct ioc_svm_pkt (the mbuf and a copy of its metadata), so a
 * worker never reads the mbuf itself: on another CPU those reads pulled each
 * mbuf's metadata line over, and the forwarding lcore paid to take it back
 * when it reused the mbuf. A worker returns every packet it dequeued on the
 * `back` ring of the lcore that sent it, its verdict in the pointer's low bit
 * (mbufs are cache-line aligned); that lcore resumes the chain after slot 4
 * (or frees a denied packet and counts it). So every counter has one writer:
 * forwarding lcores count what they hand over and get back, workers count
 * what they inspect, and held - resumed is in flight.
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
#include <time.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "chain.h"
#include "log.h"
#include "meta.h"
#include "topology.h"

#define IOC_SVC_RING_SIZE 1024
#define IOC_SVC_MAX_WORKERS IOC_MAX_PORT_LCORES

/* Slot 4's counters on a vNIC: reasons (its ledger) then infos. */
enum ioc_svc_reason {
	IOC_SVC_REDIRECT,	/* held: handed to a worker */
	IOC_SVC_DROP_RING_FULL, /* failClosed, the worker's ring was full */
	IOC_SVC_SVM_DOWN_DROP,	/* failClosed, the instance is down: blocked */
	IOC_SVC_NB_REASONS,
};

enum ioc_svc_info {
	IOC_SVC_BYPASS_RING_FULL, /* failOpen, the worker's ring was full: passed uninspected */
	IOC_SVC_SVM_ALLOW,	  /* came back allowed, resumed after slot 4 */
	IOC_SVC_SVM_DENY,	  /* came back denied, freed */
	IOC_SVC_SVM_DOWN_BYPASS,  /* failOpen, the instance is down: passed uninspected */
	IOC_SVC_RECLAIMED,	  /* taken back from a dead worker\'s ring: through slot 4 again */
	IOC_SVC_APPLIANCE_OUT,	  /* came out of an external appliance, resumed after slot 4 */
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
	IOC_SVM_FENCED_DROP,  /* held when fenced, failClosed: freed (failOpen: returned) */
	IOC_SVM_BUSY_CYCLES,  /* TSC cycles of the polls that found work */
	IOC_SVM_MAX,
};

extern const char *const ioc_svm_counter_names[IOC_SVM_MAX];

struct ioc_svm_worker;
struct ioc_svc_profile;
struct ioc_svm_ext;

/* A packet handed to a worker: an element of a `to` ring. */
struct ioc_svm_pkt {
	struct rte_mbuf *m;
	struct ioc_meta md; /* a copy: the worker's verdict goes in md.flags */
};

/*
 * What an SVM does with packets: the pluggable behaviour of a worker. The
 * built-in one ("rules") enforces the instance's svm_rules, statefully.
 */
struct ioc_svm_ops {
	const char *name;
	/* Control plane: per-worker state for instance `inst` of t. */
	int (*init)(const struct ioc_topology *t, unsigned inst, unsigned worker, void **state);
	void (*fini)(void *state);
	/*
	 * Worker lcore: sets IOC_F_SVM_DENY in md.flags of each denied packet;
	 * reads pkts[i].md only, never the mbuf.
	 */
	void (*process)(void *state, uint64_t now, struct ioc_svm_pkt *pkts, uint16_t n,
			uint64_t *cnt);
};

extern const struct ioc_svm_ops ioc_svm_rules_ops;
/* Connection-table entries of each "rules" worker created from now on (tests shrink it). */
extern uint32_t ioc_svm_conn_entries;

/* Worker health as the watchdog sees it (DESIGN.md §5). */
enum ioc_svm_state {
	IOC_SVM_IDLE, /* a standby not in service */
	IOC_SVM_UP,
	IOC_SVM_DOWN,	    /* heartbeat stalled for heartbeat_timeout_ms */
	IOC_SVM_RECOVERING, /* heartbeat moving again, not yet for a full timeout */
};

/* Fault drills: real misbehaviour of the worker thread. */
enum ioc_svm_fault {
	IOC_FAULT_NONE,
	IOC_FAULT_STALL,  /* spin: no heartbeat, no dequeue */
	IOC_FAULT_CRASH,  /* leave the worker loop */
	IOC_FAULT_SLOW,	  /* sleep fault_us every loop, heartbeat still moving */
	IOC_FAULT_STARVE, /* sleep: no heartbeat, no dequeue, and no CPU (as if preempted) */
};

/*
 * Concurrency of a worker's fields: `fault`, `fault_us` and `fence_gen` are
 * written by the control plane (telemetry, watchdog) and read by the worker
 * with acquire loads; `run_gen`, `heartbeat`, `cnt`, `pending` by the worker
 * only; `state` and the watchdog's bookkeeping by the watchdog only.
 */
struct ioc_svm_worker {
	char name[IOC_NAME_MAX + 8]; /* "INSTANCE.N", standbys "INSTANCE.sN" */
	unsigned instance;
	unsigned index;
	unsigned lcore_id;
	bool standby;
	unsigned idle_sleep_us; /* [host] idle_sleep_us */
	bool yield;		/* shares its CPU with another polling lcore */
	const struct ioc_svm_ops *ops;
	void *behaviour;		    /* the ops' per-worker state */
	struct ioc_svm_ext *ext;	    /* an [svm] appliance it drives (svm_ext.h), or NULL */
	struct rte_ring *to[RTE_MAX_LCORE]; /* by forwarding lcore id; NULL elsewhere */
	struct rte_ring *back[RTE_MAX_LCORE];
	uint16_t fwd_lcores[RTE_MAX_LCORE]; /* the forwarding lcores it serves */
	unsigned n_fwd;
	volatile bool quit;
	int fault; /* enum ioc_svm_fault */
	uint32_t fault_us;
	uint32_t fence_gen; /* bumped when the watchdog fences this worker */
	bool launch_req;    /* watchdog asks the main lcore to (re)launch it */
	/* Bumped by the main lcore each time it launches the thread (ioc_watchdog_launched). */
	uint32_t launch_gen;
	/*
	 * Set by the main lcore just before it launches the thread, cleared by
	 * the thread once it runs: EAL shows the lcore WAIT until the thread
	 * wakes up, and nobody may take that for a stopped thread (crashed, or
	 * its rings adopted while it starts to use them).
	 */
	bool starting;
	/*
	 * Written by the watchdog only; `state` read by forwarding lcores
	 * (reclaim) and by the worker (it serves only while up).
	 */
	enum ioc_svm_state state;
	int standby_for; /* a standby: the share it serves, -1 none */
	uint64_t last_hb, last_move, steady_since, down_since;
	uint64_t still_from;   /* the still heartbeat is timed from here (last move or launch) */
	uint64_t launch_since; /* when the watchdog first saw launch_req set, 0: not set */
	struct ioc_log_rl launch_rl; /* "cannot launch": once a second while it fails */
	uint32_t seen_launch_gen;
	/* The thread's CPU time (ns) when the watchdog first saw the heartbeat still. */
	uint64_t cpu_base;
	bool cpu_base_ok;
	bool excused;	       /* this still heartbeat was excused: the thread did not run */
	uint64_t excused_from; /* TSC: the timeout expired there */
	/* Read by telemetry: what the watchdog excused, and its last verdict. */
	uint64_t near_misses;	/* still heartbeats excused because the thread did not run */
	uint64_t preempted_tsc; /* how long past the timeout they were excused, in total */
	int why;		/* enum ioc_wd_why */
	uint64_t why_ran_tsc, why_still_tsc;
	/* Set by the worker's thread when it starts: its CPU-time clock. */
	clockid_t cpu_clock;
	bool cpu_clock_ok;
	/* Written by the worker only. */
	uint32_t run_gen;			/* the fence generation it last acknowledged */
	uint64_t *fenced_by_port;		/* fenced drops by the port they came in on */
	const struct ioc_svc_profile *profiles; /* the policies it settles fenced packets by */
	struct rte_mbuf
		*pending[RTE_MAX_LCORE][IOC_BURST]; /* verdicted (tagged), `back` was full */
	uint16_t n_pending[RTE_MAX_LCORE];
	uint64_t heartbeat __rte_cache_aligned; /* bumped every loop */
	uint64_t cnt[IOC_SVM_MAX];
} __rte_cache_aligned;

/*
 * share[i] is the worker serving hash share i (of n_workers): worker i while
 * it is up, else a standby or a surviving worker, NULL when none is up. The
 * watchdog publishes each entry with a release store and `down` (no share
 * has a worker) after them; slot 4 reads them with acquire loads per packet
 * and per burst.
 */
struct ioc_svc_instance {
	char name[IOC_NAME_MAX]; /* [service_instance NAME]: events name it */
	unsigned n_workers;
	struct ioc_svm_worker *workers[IOC_SVC_MAX_WORKERS];
	unsigned n_standby;
	struct ioc_svm_worker *standby[IOC_SVC_MAX_WORKERS];
	struct ioc_svm_worker *share[IOC_SVC_MAX_WORKERS];
	bool down;
	uint64_t timeout_tsc;	  /* heartbeat_timeout_ms */
	uint64_t max_preempt_tsc; /* max_preempt_ms */
	bool auto_recover;
};

/* A profile's failure policy as published (iochainctl profile set): read per packet. */
struct ioc_svc_profile {
	unsigned instance;
	bool fail_open;
	bool scope_vnic; /* fail_closed_scope = vnic: a failClosed vNIC blocks everything */
};

struct ioc_svc {
	const struct ioc_topology *topo;
	unsigned refs;
	unsigned n_instances;
	struct ioc_svc_instance *instances;
	unsigned n_workers; /* all instances, standbys included */
	struct ioc_svm_worker **workers;
	unsigned n_profiles;
	struct ioc_svc_profile *profiles;
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
/* The same at TSC time `now` (the tests' clock). */
unsigned ioc_svm_worker_poll_at(struct ioc_svm_worker *w, uint64_t now);

/*
 * Worker lcore, fenced: whether a packet it held is returned (its profile is
 * failOpen) or freed (failClosed: counted as fenced by the port it came in on).
 */
bool ioc_svm_fence_keeps(struct ioc_svm_worker *w, const struct ioc_meta *md);

/*
 * Main lcore, for a worker whose thread has stopped (crashed, or a standby
 * sent back to the bench): settles what it still held by policy if it was
 * fenced (as the worker itself would when it wakes), and hands the rest back
 * on its return rings, as far as they have room (call again later for the
 * rest). A stopped thread produces nothing: the caller is their only
 * producer until it launches the thread again. Returns the packets handed back.
 */
unsigned ioc_svm_worker_adopt(struct ioc_svm_worker *w);

/*
 * Forwarding lcore: dequeue what the workers sent back to lcore `lcore_id`
 * into pkts (at most n). Returns the count; fewer than n means every worker's
 * ring was empty. *start is the caller's round-robin cursor (its own): each
 * call starts one worker further, so one worker's backlog never starves the
 * others.
 */
uint16_t ioc_svc_collect(struct ioc_svc *svc, unsigned lcore_id, unsigned *start,
			 struct rte_mbuf **pkts, uint16_t n);

/*
 * Forwarding lcore: take back what lcore `lcore_id` queued to workers that are
 * not serving (down, recovering, idle). The packets resume at slot 4, which
 * sends them to the share's new worker or down the failure path.
 */
uint16_t ioc_svc_reclaim(struct ioc_svc *svc, unsigned lcore_id, unsigned *start,
			 struct rte_mbuf **pkts, uint16_t n);

/* Publishes a profile's fail_open; the caller waits for the datapath to see it. */
int ioc_svc_profile_set(struct ioc_svc *svc, const char *profile, bool fail_open);

/* A fault drill on worker `name`: 0, or -ENOENT. */
int ioc_svc_fault(struct ioc_svc *svc, const char *name, enum ioc_svm_fault fault, uint32_t us);

struct ioc_svm_worker *ioc_svc_find_worker(struct ioc_svc *svc, const char *name);

const char *ioc_svm_state_name(enum ioc_svm_state s);

/*
 * Explain (control thread): the verdict worker w's svm_rules give a new flow
 * md (going md->dir): 1 allow, 0 deny, -ENOTSUP for another behaviour; *rule
 * the deciding rule's index in the topology's svm_rules, -1 the default drop.
 */
int ioc_svm_explain(const struct ioc_svm_worker *w, const struct ioc_meta *md, int *rule);

/*
 * Explain: the worker slot 4 would hand q to (its profile mark and flow
 * hash), NULL when none is up or q is not marked.
 */
struct ioc_svm_worker *ioc_svc_explain_worker(const struct ioc_svc *svc,
					      const struct ioc_slot_query *q);

/* Packets in the rings of a worker (both ways), for telemetry. */
unsigned ioc_svm_worker_ring_count(const struct ioc_svm_worker *w);

/* Frees every packet still in any ring (after all lcores stopped); returns the count. */
unsigned ioc_svc_drain(struct ioc_svc *svc);

#endif /* IOC_SVC_H */
