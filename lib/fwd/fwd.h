/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath: ports, vNIC chains, the MAC table and the forwarding lcores'
 * burst loop (DESIGN.md §4):
 *
 *   rx -> parse -> vNIC chain (out) -> switch -> dest vNIC chain (in) -> tx
 *
 * Concurrency: ioc_dp_create() builds every table before any lcore starts and
 * nothing in them changes while lcores run. Each lcore writes only its own
 * struct ioc_lcore (tx buffers, staging, counters); the control plane reads
 * the counters with relaxed loads and sums them (plain per-lcore u64, no
 * atomics on the hot path; a 64-bit aligned load never tears on the targets).
 *
 * Port ledger, per port, for what came in on it (summed over lcores):
 *   rx + flood_copy + reply = fwd_uplink + fwd_vnic + drop_runt + drop_out_chain
 *                     + drop_in_chain + drop_no_dest + drop_loop + drop_fenced
 *                     + in flight,  where in flight = held - resumed - drop_fenced
 * A flooded frame is sent to N ports as itself and N-1 copies (flood_copy),
 * each of which ends forwarded or dropped like any packet; so does each reply
 * a slot of a vNIC's chain made (reply, on that vNIC's port: chain.h); what slots hold
 * (an SVM) is in flight until it is resumed, or freed by a fenced worker
 * (drop_fenced, counted by the workers). With an external appliance
 * (svm_ext.h) a held packet is settled when handed into it (svm_sent), and a
 * frame that comes out is held again on its vNIC's port (svm_rx) until
 * resumed: in flight = held + svm_rx - resumed - drop_fenced - svm_sent. And for what leaves by the
 * port:
 *   tx_queued = tx + tx_drop_full + tx_drop_segs
 * where tx_drop_segs the chains a single-segment port could not take.
 */
#ifndef IOC_FWD_H
#define IOC_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "chain.h"
#include "topology.h"

enum ioc_port_kind {
	IOC_PORT_VNIC,
	IOC_PORT_UPLINK,
};

enum ioc_port_counter {
	IOC_PC_RX,
	IOC_PC_FWD_UPLINK,     /* unicast sent to the uplink */
	IOC_PC_FWD_VNIC,       /* unicast that passed the destination vNIC's chain */
	IOC_PC_FLOOD,	       /* broadcast/multicast sent to every port of the segment */
	IOC_PC_DROP_RUNT,      /* shorter than an Ethernet header */
	IOC_PC_DROP_OUT_CHAIN, /* dropped by a slot of this vNIC's chain (out) */
	IOC_PC_DROP_IN_CHAIN,  /* dropped by a slot of the destination vNIC's chain (in) */
	IOC_PC_DROP_NO_DEST,   /* no vNIC owns the destination MAC, and no uplink to send to */
	IOC_PC_DROP_LOOP,      /* a vNIC sent a frame to its own MAC */
	IOC_PC_DROP_FENCED,  /* held by an SVM worker that was fenced: freed there, never resumed */
	IOC_PC_FLOOD_COPY,   /* copies made for flooding: each then ends like a received packet */
	IOC_PC_FLOOD_NOMEM,  /* a flood copy could not be allocated: that port missed it */
	IOC_PC_HELD,	     /* held by a slot (in flight to an SVM) */
	IOC_PC_RESUMED,	     /* held packets that came back into the chain */
	IOC_PC_REPLY,	     /* replies this vNIC's chain made (reject): each then ends like a
				received packet, on this port's ledger */
	IOC_PC_TX_QUEUED,    /* packets queued for TX on this port */
	IOC_PC_TX,	     /* accepted by the driver */
	IOC_PC_TX_DROP_FULL, /* refused by the driver (queue full) and freed */
	IOC_PC_SVM_SENT,     /* held packets an SVM worker handed into its appliance: settled */
	IOC_PC_SVM_RX,	     /* frames out of an appliance matched to this vNIC: then resumed */
	IOC_PC_TX_LINEARIZED, /* chained, copied into one segment for a single-segment port */
	IOC_PC_TX_DROP_SEGS,  /* chained, too long for one segment of a single-segment port */
	IOC_PC_REPLY_DROP,    /* a reply that found no room in the lcore's reply queue */
	IOC_PC_MAX,
};

extern const char *const ioc_port_counter_names[IOC_PC_MAX];

struct ioc_port_dp {
	char name[IOC_NAME_MAX];
	enum ioc_port_kind kind;
	unsigned topo; /* index in the topology's vnics[] or uplinks[] */
	uint16_t port_id;
	bool probed;	   /* created by us: removed at close */
	bool opened;	   /* to be closed at teardown */
	bool tx_multi_seg; /* TX takes chained mbufs (MULTI_SEGS); else one segment each */
	unsigned segment;  /* L2 segment: the uplink's index, or n_uplinks for local-only vNICs */
	uint16_t n_rxq;
};

struct ioc_vnic_dp {
	unsigned port; /* datapath port index (== vNIC index) */
	struct rte_ether_addr mac;
	unsigned segment;
	bool vlan_access; /* [vnic] vlan = N: frames towards the VM lose their tag */
	struct ioc_chain chain;
};

struct ioc_segment {
	int uplink_port; /* datapath port index, or -1 */
	unsigned n_vnics;
	uint16_t *vnics; /* vNIC indices on this segment */
	uint64_t rss_hf; /* its ports' common RSS hash fields, 0: each its own (segment_rss) */
};

struct ioc_rxq {
	uint16_t port; /* datapath index */
	uint16_t port_id;
	uint16_t queue;
};

struct ioc_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[IOC_BURST];
};

struct ioc_dp;

/* One forwarding lcore: written by that lcore only. */
struct ioc_lcore {
	struct ioc_dp *dp;
	unsigned lcore_id;
	bool yield;   /* shares its CPU with another polling lcore: ioc_idle_backoff() */
	uint16_t txq; /* the TX queue this lcore owns on every port, and its QSBR thread id */
	unsigned n_rxq;
	struct ioc_rxq rxq[64];
	struct ioc_txbuf *tx;		  /* [n_ports] */
	uint64_t (*port_cnt)[IOC_PC_MAX]; /* [n_ports] */
	uint64_t **slot_cnt;		  /* [n_vnics][chain.n_counters] */
	struct ioc_txbuf *stage;	  /* [n_vnics]: waiting for the vNIC's in-chain */
	uint16_t *active;		  /* vNICs with staged packets */
	unsigned n_active;
	uint64_t polls;
	uint64_t busy_tsc; /* TSC cycles of the polls that found work (/iochain/lcores) */
	uint64_t now;	   /* TSC at the start of the current poll */
	/* Slot 4's return path: handed to workers since the last collect, round-robin cursors. */
	unsigned held_since;
	unsigned collect_rr, reclaim_rr;
	/* Replies made during the current burst, sent on once it is switched (fwd_dp.c). */
	uint16_t n_replies;
	struct rte_mbuf *replies[2 * IOC_BURST];
} __rte_cache_aligned;

struct ioc_dp {
	const struct ioc_topology *topo;
	struct rte_mempool *pool;
	unsigned pool_in_use_start; /* mbufs the started ports hold before any lcore runs */
	unsigned n_ports;	    /* vNICs first (port i == vNIC i), then uplinks */
	struct ioc_port_dp *ports;
	unsigned n_vnics;
	struct ioc_vnic_dp *vnics;
	unsigned n_segments;
	struct ioc_segment *segments;
	struct rte_hash *mac_table; /* destination MAC -> vNIC index */
	struct ioc_svc *svc;	    /* SVM workers and rings, NULL without slot 4 */
	/*
	 * Forwarding lcores report a quiescent state after every poll; a
	 * control-plane change (a profile's fail_open) is applied once
	 * ioc_dp_synchronize() returns: every lcore has finished the burst that
	 * might have read the old value.
	 */
	struct rte_rcu_qsbr *qsbr;
	unsigned n_lcores; /* forwarding lcores, ascending ids */
	unsigned lcore_ids[IOC_MAX_LCORES];
	struct ioc_lcore *lcores[IOC_MAX_LCORES];
	/*
	 * The topology the last reload loaded (ioc_dp_reload()), dp->topo: at
	 * most one. The first topology (the one the datapath was created with)
	 * lives until ioc_dp_destroy(): the slots a reload does not rebuild
	 * (swsec, svc, the SVM workers' svm_rules) keep pointers into it. A
	 * reloaded one is freed by the next reload, once its slot-2 states are
	 * detached; telemetry reads dp->topo under its lock, which a reload holds.
	 */
	struct ioc_topology **reloaded;
	unsigned n_reloaded;
	volatile bool quit;
};

/*
 * Build the datapath for a topology: mempool, ports (probed and started), vNIC
 * chains, MAC table, per-lcore contexts. EAL must be up. On failure everything
 * built so far is torn down and err says why.
 */
int ioc_dp_create(const struct ioc_topology *t, struct ioc_dp **dpp, char *err, size_t len);
void ioc_dp_destroy(struct ioc_dp *dp);

struct ioc_lcore *ioc_dp_lcore(struct ioc_dp *dp, unsigned lcore_id);

/*
 * Before launching: mark the polling lcores (forwarding lcores, SVM workers
 * and standbys) whose CPU set overlaps another's, so that they yield after
 * every poll. Returns how many share.
 */
unsigned ioc_dp_mark_shared_cpus(struct ioc_dp *dp);

/*
 * The mbuf pool: its size, the mbufs out of it now (per-lcore caches count as
 * free), and at start (what the started ports hold, before any lcore ran).
 * With every lcore stopped and the SVM rings drained, in_use must be back to
 * in_use_start: anything above it leaked.
 */
struct ioc_pool_usage {
	unsigned size, in_use, in_use_start;
};
void ioc_dp_pool_usage(const struct ioc_dp *dp, struct ioc_pool_usage *u);

/* One pass over the lcore's RX queues, then TX flush. Returns packets received. */
unsigned ioc_fwd_poll(struct ioc_lcore *lc);
/* Runs ioc_fwd_poll until dp->quit; the lcore entry point (arg: struct ioc_lcore *). */
int ioc_fwd_main(void *arg);
/* A received burst through the whole datapath, then staged vNIC chains; exposed for tests. */
void ioc_fwd_burst(struct ioc_lcore *lc, unsigned port, struct rte_mbuf **pkts, uint16_t n);
void ioc_fwd_flush(struct ioc_lcore *lc);

/*
 * The port ledger's two sides (above): what came in on the port, and where it
 * went, counting what slots hold as in flight. Equal whenever the counters
 * are read while no lcore runs (and within a burst or two otherwise).
 */
static inline void
ioc_port_ledger(const uint64_t c[IOC_PC_MAX], uint64_t *in, uint64_t *out)
{
	*in = c[IOC_PC_RX] + c[IOC_PC_FLOOD_COPY] + c[IOC_PC_REPLY];
	*out = c[IOC_PC_FWD_UPLINK] + c[IOC_PC_FWD_VNIC] + c[IOC_PC_DROP_RUNT] +
	       c[IOC_PC_DROP_OUT_CHAIN] + c[IOC_PC_DROP_IN_CHAIN] + c[IOC_PC_DROP_NO_DEST] +
	       c[IOC_PC_DROP_LOOP] + c[IOC_PC_HELD] - c[IOC_PC_RESUMED];
}

/* Counters summed over lcores. */
void ioc_dp_port_counters(const struct ioc_dp *dp, unsigned port, uint64_t out[IOC_PC_MAX]);
/* out has dp->vnics[vnic].chain.n_counters entries. */
void ioc_dp_slot_counters(const struct ioc_dp *dp, unsigned vnic, uint64_t *out);

int ioc_dp_find_port(const struct ioc_dp *dp, const char *name);

/* Returns once every running forwarding lcore has been through a full poll. */
void ioc_dp_synchronize(struct ioc_dp *dp);

/*
 * Live reload (DESIGN.md §4 "Runtime changes", §6), fwd_reload.c.
 *
 * A reload changes rules only: [dfw], [dfw_rule], [ipset], [group],
 * [redirect_rule] and a profile's fail_open. ioc_dp_reload_check() refuses
 * anything else (the objects, their order, devices, MACs, IPs, lcores,
 * services, instances, profiles by name and scope, svm rules, the ipsets and
 * groups svm rules use, and redirect changes that would add, remove or move a
 * vNIC's slot 4) with "WHAT: restart iochain (...)" in msg.
 *
 * ioc_dp_reload() builds the state of the slots with a reload op (sfw: slot
 * 2) of every vNIC from `next` off the datapath (the connection tables are
 * shared and survive), publishes each chain's new priv with a release store,
 * publishes changed fail_open values, waits for ioc_dp_synchronize() and only
 * then detaches the old state. On success it takes `next` (allocated with malloc, loaded) as the
 * new dp->topo, keeps it until ioc_dp_destroy(), and writes a summary into
 * msg; on failure the running rules are untouched, `next` stays the caller's
 * and msg says why. Rule hit counters restart at zero. Control plane only,
 * one caller at a time (telemetry serialises them under its lock).
 */
int ioc_dp_reload_check(const struct ioc_topology *cur, const struct ioc_topology *next, char *msg,
			size_t len);
int ioc_dp_reload(struct ioc_dp *dp, struct ioc_topology *next, char *msg, size_t len);
/* Loads `path` (the loader's file:line error into msg on failure), then ioc_dp_reload(). */
int ioc_dp_reload_file(struct ioc_dp *dp, const char *path, char *msg, size_t len);

#endif /* IOC_FWD_H */
