/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slot framework: a vNIC's I/O chain is the ordered list of filter slots
 * attached to it (DESIGN.md §4). A slot registers itself with IOC_SLOT_REGISTER
 * at load time, like a graph node; the chain never switches on slot kinds.
 *
 * Counters: each slot on a chain owns a block in the per-lcore counter array of
 * that vNIC: [in, pass, reason 0, reason 1, ...]. The framework counts in and
 * pass; process() counts every packet it does not pass under one reason, so
 * for every slot in = pass + sum(reasons). A packet a slot does not pass is
 * either freed (a drop), held (handed elsewhere, e.g. to an SVM, and resumed
 * later: ctx->n_held) or turned into a reply (ctx->reply, e.g. a firewall's
 * TCP RST, its meta next_slot the slot after the one that made it). A reply
 * speaks for the other end: it takes the rest of the vNIC's chain the other
 * way from next_slot on, then goes where a packet of that direction goes
 * (lib/fwd/fwd_dp.c), so a later slot that hides the vNIC hides its replies.
 */
#ifndef IOC_CHAIN_H
#define IOC_CHAIN_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "meta.h"
#include "topology.h"

#define IOC_BURST 32
#define IOC_MAX_SLOTS 8

/*
 * Idle back-off of polling lcores (forwarding, SVM workers): after this many
 * empty polls in a row, sleep a little between polls. Lcores that share a CPU
 * (two cores, DESIGN.md) then leave it to whoever has work, and an idle SVM
 * worker is never starved past its heartbeat timeout by an idle forwarding
 * lcore. Under load a poll is never empty and nothing sleeps; the first packet
 * after a pause waits at most one sleep (tens of microseconds). On CPUs of
 * their own, idle_sleep_us = 0 keeps them polling.
 */
#define IOC_IDLE_POLLS 256

/*
 * After every poll: `work` is what it did; sleep_us 0 never sleeps ([host]
 * idle_sleep_us). `yield`: the lcore shares its CPU with another polling
 * lcore (a forwarding lcore and an SVM worker on one CPU): after each poll it
 * lets the other run at once instead of at the end of a scheduler time slice
 * (milliseconds), so a packet handed to the worker is served within
 * microseconds.
 */
static inline void
ioc_idle_backoff(unsigned *idle, unsigned work, unsigned sleep_us, bool yield)
{
	if (work > 0) {
		*idle = 0;
	} else if (++*idle > IOC_IDLE_POLLS && sleep_us > 0) {
		rte_delay_us_sleep(sleep_us);
		return;
	}
	if (yield)
		sched_yield();
}

/*
 * A polling lcore's thread, once at start: 1 us of timer slack instead of
 * Linux's 50 us, so that a back-off sleep lasts what it asks (with 50 us of
 * slack a 20 us sleep takes ~70 us, and a packet that arrives meanwhile waits).
 */
void ioc_idle_thread_init(void);

enum ioc_slot_counter {
	IOC_SLOT_IN,
	IOC_SLOT_PASS,
	IOC_SLOT_REASONS, /* first drop reason */
};

/* What summarize-dvfilter prints for one slot of one vNIC. */
struct ioc_slot_desc {
	unsigned slot;
	char name[128];
	char agent[64];
	char state[32];
	char vm_state[16];
	char failure_policy[16];
	char slow_path_id[24];
	char filter_source[48];
};

/*
 * What a slot's process() gets besides the burst. Built by the caller (a
 * forwarding lcore) per chain run; slots read the first fields and append to
 * the last ones.
 */
struct ioc_slot_ctx {
	unsigned lcore_id;  /* rte_lcore_id() of the caller: the index of per-lcore state */
	uint64_t now;	    /* TSC at the start of the burst */
	uint8_t dir;	    /* enum ioc_dir: every packet of the burst goes this way */
	uint8_t slot_index; /* position of the running slot in the chain (for resume) */
	uint64_t *reasons;  /* the running slot's reason counters on this vNIC and lcore */
	uint16_t n_held;    /* packets slots kept in this run (in flight) */
	uint16_t n_reply;
	struct rte_mbuf *reply[IOC_BURST];
};

/* What a slot notes about one traced packet (lib/trace), in its own encoding. */
#define IOC_SLOT_NOTE 4

/* What a slot did (trace) or would do (explain) to one packet. */
enum ioc_slot_verdict {
	IOC_SV_PASS,
	IOC_SV_DROP,
	IOC_SV_HELD,  /* handed to an SVM worker */
	IOC_SV_REPLY, /* turned into a reply (reject) */
};

/*
 * An explained packet (lib/trace explain): no mbuf, the metadata a parsed
 * IPv4 packet would have, its flow hash and direction. Slots may change md as
 * process() would (slot 2 sets the redirect mark slot 4 reads).
 */
struct ioc_slot_query {
	uint8_t dir;
	uint32_t hash;
	struct ioc_meta md;
};

/*
 * Fills a description the way the platform names a filter:
 * "nic-WORLD-ethN-AGENT.SLOT", state "IOChain Attached", and the rest as given.
 */
void ioc_slot_describe(struct ioc_slot_desc *d, const struct ioc_topology *t, unsigned vnic,
		       unsigned slot, const char *agent, const char *vm_state,
		       const char *failure_policy, const char *slow_path_id,
		       const char *filter_source);

struct ioc_slot_ops {
	const char *name;	    /* short name, prefix of its counters: "swsec" */
	const char *agent;	    /* agentName: "vmware-swsec" */
	unsigned slot;		    /* position in the chain: 1, 2, 4 */
	const char *const *reasons; /* counters of packets not passed, without the prefix */
	unsigned n_reasons;
	const char *const *infos; /* counters outside the slot's ledger (after the reasons) */
	unsigned n_infos;
	/*
	 * Control plane. Returns 1 and sets *priv when the slot is on vNIC
	 * `vnic`'s chain, 0 when it is not, -errno on failure.
	 */
	int (*attach)(const struct ioc_topology *t, unsigned vnic, void **priv);
	void (*detach)(void *priv);
	/*
	 * Datapath: all packets belong to one vNIC and go one way (ctx->dir).
	 * Returns the survivors compacted at the front of pkts; every other
	 * packet is counted in ctx->reasons[reason] and freed, held (n_held) or
	 * replied (reply[]); never left dangling.
	 */
	uint16_t (*process)(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts,
			    uint16_t n);
	void (*describe)(const void *priv, const struct ioc_topology *t, unsigned vnic,
			 struct ioc_slot_desc *d);
	/*
	 * Optional, for a slot that shows several filters on one vNIC (slot 4:
	 * one per bound service instance): how many, and filter k's
	 * description (k = 0 is what describe() gives). Without them: one.
	 */
	unsigned (*n_filters)(const void *priv);
	void (*describe_filter)(const void *priv, const struct ioc_topology *t, unsigned vnic,
				unsigned k, struct ioc_slot_desc *d);
	/*
	 * Trace, both optional. note(): on the forwarding lcore, just before
	 * process() runs on one traced packet, what the slot looks at to decide
	 * (the rule it matches, the worker it picks); process() itself then gives
	 * the verdict. why(): on the control thread, that note as text.
	 */
	void (*note)(const void *priv, const struct ioc_slot_ctx *ctx, struct rte_mbuf *m,
		     uint32_t note[IOC_SLOT_NOTE]);
	void (*why)(const struct ioc_topology *t, const uint32_t note[IOC_SLOT_NOTE], char *buf,
		    size_t len);
	/*
	 * Explain, optional (control thread): what process() would do to q, from
	 * the running config and state, for a new flow: fills note as note()
	 * would, *counter with the counter it would move (its index after in and
	 * pass, -1 none) and returns an enum ioc_slot_verdict.
	 */
	int (*explain)(const void *priv, const struct ioc_topology *t, unsigned vnic,
		       struct ioc_slot_query *q, uint32_t note[IOC_SLOT_NOTE], int *counter);
	/*
	 * Optional, datapath, for a slot that holds packets (ctx->n_held): they
	 * come back to it, from where it sent them or, `reclaimed`, taken back
	 * undelivered to go through the slot again. The slot counts them in its
	 * own counters (ctx->reasons, for telemetry and the ledgers), frees those
	 * that stop here and returns the others, compacted, to go on down the chain.
	 */
	uint16_t (*collect)(const void *priv, struct ioc_slot_ctx *ctx, struct rte_mbuf **pkts,
			    uint16_t n, bool reclaimed);
	/*
	 * Optional, control plane: the slot's state for vNIC `vnic` built from a
	 * reloaded topology, as attach does; the caller publishes it. A slot
	 * without it keeps its state across a reload.
	 */
	int (*reload)(const struct ioc_topology *t, unsigned vnic, void **priv);
	TAILQ_ENTRY(ioc_slot_ops) next;
};

void ioc_slot_register(struct ioc_slot_ops *ops);
/* Registered slots, in ascending slot order. */
const struct ioc_slot_ops *ioc_slot_first(void);
const struct ioc_slot_ops *ioc_slot_next(const struct ioc_slot_ops *ops);

#define IOC_SLOT_REGISTER(ops)                                                                     \
	RTE_INIT(ioc_slot_register_##ops)                                                          \
	{                                                                                          \
		ioc_slot_register(&(ops));                                                         \
	}

struct ioc_slot_inst {
	const struct ioc_slot_ops *ops;
	void *priv;
	unsigned cnt_off; /* of this slot's block in the vNIC's counter array */
};

struct ioc_chain {
	unsigned n_slots;
	struct ioc_slot_inst slot[IOC_MAX_SLOTS];
	unsigned n_counters; /* size of one lcore's counter array for this vNIC */
};

int ioc_chain_build(struct ioc_chain *c, const struct ioc_topology *t, unsigned vnic);
void ioc_chain_free(struct ioc_chain *c);
/* Name of counter i of the chain ("swsec_drop_mac") into buf. */
void ioc_chain_counter_name(const struct ioc_chain *c, unsigned i, char *buf, size_t len);

/*
 * Runs the burst through the chain's slots at positions from..to-1 and returns
 * the survivors. cnt is this lcore's counter array for the vNIC.
 */
static inline uint16_t
ioc_chain_run_between(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
		      unsigned from, unsigned to, struct rte_mbuf **pkts, uint16_t n)
{
	for (unsigned i = from; i < to && n > 0; i++) {
		const struct ioc_slot_inst *s = &c->slot[i];
		uint64_t *blk = cnt + s->cnt_off;

		blk[IOC_SLOT_IN] += n;
		ctx->slot_index = (uint8_t)i;
		ctx->reasons = blk + IOC_SLOT_REASONS;
		/* A reload swaps priv (release store): read once per burst, acquire. */
		n = s->ops->process(__atomic_load_n(&s->priv, __ATOMIC_ACQUIRE), ctx, pkts, n);
		blk[IOC_SLOT_PASS] += n;
	}
	return n;
}

/* From position `from` to the end (0: the whole chain; a held packet resumes at its meta
 * next_slot). */
static inline uint16_t
ioc_chain_run_from(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
		   unsigned from, struct rte_mbuf **pkts, uint16_t n)
{
	return ioc_chain_run_between(c, ctx, cnt, from, c->n_slots, pkts, n);
}

static inline uint16_t
ioc_chain_run(const struct ioc_chain *c, struct ioc_slot_ctx *ctx, uint64_t *cnt,
	      struct rte_mbuf **pkts, uint16_t n)
{
	return ioc_chain_run_from(c, ctx, cnt, 0, pkts, n);
}

#endif /* IOC_CHAIN_H */
