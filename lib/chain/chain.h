/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slot framework: a vNIC's I/O chain is the ordered list of filter slots
 * attached to it (DESIGN.md §4). A slot registers itself with IOC_SLOT_REGISTER
 * at load time, like a graph node; the chain never switches on slot kinds.
 *
 * Counters: each slot on a chain owns a block in the per-lcore counter array of
 * that vNIC: [in, pass, reason 0, reason 1, ...]. The framework counts in and
 * pass; process() counts and frees what it drops, so for every slot
 * in = pass + sum(reasons) (+ packets held in flight by slots that queue).
 */
#ifndef IOC_CHAIN_H
#define IOC_CHAIN_H

#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "topology.h"

#define IOC_BURST 32
#define IOC_MAX_SLOTS 8

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

struct ioc_slot_ops {
	const char *name;	    /* short name, prefix of its counters: "swsec" */
	const char *agent;	    /* agentName: "vmware-swsec" */
	unsigned slot;		    /* position in the chain: 1, 2, 4 */
	const char *const *reasons; /* drop counter names, without the prefix */
	unsigned n_reasons;
	/*
	 * Control plane. Returns 1 and sets *priv when the slot is on vNIC
	 * `vnic`'s chain, 0 when it is not, -errno on failure.
	 */
	int (*attach)(const struct ioc_topology *t, unsigned vnic, void **priv);
	void (*detach)(void *priv);
	/*
	 * Datapath: all packets belong to one vNIC and one direction (enum
	 * ioc_dir). Returns the survivors compacted at the front of pkts; every
	 * other packet is freed and counted in drops[reason].
	 */
	uint16_t (*process)(const void *priv, unsigned dir, uint64_t *drops, struct rte_mbuf **pkts,
			    uint16_t n);
	void (*describe)(const void *priv, const struct ioc_topology *t, unsigned vnic,
			 struct ioc_slot_desc *d);
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

/* Runs the burst through every slot in order; returns the survivors. */
static inline uint16_t
ioc_chain_run(const struct ioc_chain *c, unsigned dir, uint64_t *cnt, struct rte_mbuf **pkts,
	      uint16_t n)
{
	for (unsigned i = 0; i < c->n_slots && n > 0; i++) {
		const struct ioc_slot_inst *s = &c->slot[i];
		uint64_t *blk = cnt + s->cnt_off;

		blk[IOC_SLOT_IN] += n;
		n = s->ops->process(s->priv, dir, blk + IOC_SLOT_REASONS, pkts, n);
		blk[IOC_SLOT_PASS] += n;
	}
	return n;
}

#endif /* IOC_CHAIN_H */
