/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * External SVMs (DESIGN.md §9): an [svm] section puts a real appliance behind
 * one worker lcore of an instance. The worker stays the slot's agent: it takes
 * packets from its `to` rings and sends them into the appliance's arm by
 * direction (outbound into device_in, inbound into device_out), takes what
 * comes out of the other arm, matches it to a vNIC of the instance by MAC
 * (source for outbound, destination for inbound) and returns it on the `back`
 * ring of that vNIC's forwarding lcore, which resumes the chain after slot 4.
 * Forwarding lcores, failure paths, fencing, reclaim and standby takeover see
 * a worker like any other.
 *
 * Ledgers. A held packet the worker hands into an arm is settled there
 * (`svm_sent` of the port it came in on); a frame that comes out and matches
 * a vNIC enters that vNIC's port ledger (`svm_rx`) and is resumed like a
 * held packet. So per port, in flight = held + svm_rx - resumed - drop_fenced
 * - svm_sent, and rx + flood_copy = forwarded + drops + held - resumed still
 * holds. What the appliance keeps (a deny) or loses is the appliance's: its
 * `sent` = `returned` + `unknown` + what it dropped or lost; `svm_lost`
 * estimates, when it goes down, the frames it swallowed (handed in after the
 * newest probe it returned, less the frames it returned since).
 *
 * Liveness (read by the watchdog, ioc_svm_ext_liveness()): the arms' link
 * (net_memif, net_vhost, ...: a net_tap interface lives in another namespace
 * where its flags cannot be read, so taps rely on the other two), probes
 * sent into each arm every probe_interval_ms and seen coming out of the other,
 * and ring progress: an arm that took no frame for heartbeat_timeout_ms while
 * frames wait. Probes never reach a vNIC or an uplink.
 *
 * `restart` runs from the control thread (ioc_svm_ext_service()), never from
 * a datapath lcore.
 */
#ifndef IOC_SVM_EXT_H
#define IOC_SVM_EXT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "chain.h"
#include "topology.h"

struct ioc_svm_worker;
struct ioc_svc;

enum ioc_arm {
	IOC_ARM_IN,  /* device_in: outbound enters here, inbound comes out */
	IOC_ARM_OUT, /* device_out: inbound enters here, outbound comes out */
};

#define IOC_PROBE_ETHERTYPE 0x88b5
#define IOC_PROBE_MAGIC 0x494f4350u /* "IOCP" */
#define IOC_EXT_RTT_SAMPLES 1024
#define IOC_EXT_MARKS 64
#define IOC_EXT_GROUP_SLOTS 64

enum ioc_ext_counter {
	IOC_EXT_SENT,	      /* data frames handed into an arm */
	IOC_EXT_RETURNED,     /* frames out that matched a vNIC: returned to the chain */
	IOC_EXT_UNKNOWN,      /* frames out that matched no vNIC of the instance: dropped */
	IOC_EXT_LATE,	      /* frames out while the appliance was not in service: dropped */
	IOC_EXT_PROBE_TX,     /* probes sent */
	IOC_EXT_PROBE_RX,     /* probes back out of the other arm */
	IOC_EXT_PROBE_BAD,    /* probes back out of the arm they entered */
	IOC_EXT_PROBE_NOSEND, /* probes not sent: no mbuf, or the arm refused it */
	IOC_EXT_ARM_FULL,     /* times an arm refused data frames (kept and retried) */
	IOC_EXT_MAX,
};

extern const char *const ioc_ext_counter_names[IOC_EXT_MAX];

/* The restart schedule (control thread): pure, driven by the tests with their own clock. */
struct ioc_svm_restart {
	uint32_t after_ms; /* restart_after_ms */
	unsigned attempts; /* since the appliance was last up */
	uint64_t next_ms;  /* when the next attempt is due; 0: not scheduled */
	uint64_t last_ms;  /* of the last attempt */
};

/* Delay before attempt k (0-based): restart_after_ms, then doubling from max(it, 100 ms), up to 30
 * s. */
uint64_t ioc_svm_restart_delay_ms(uint32_t after_ms, unsigned attempt);
/*
 * One look at time now_ms: `down` whether the appliance is down. Returns true
 * when a restart is due now (the caller runs it); resets when up.
 */
bool ioc_svm_restart_due(struct ioc_svm_restart *r, bool down, uint64_t now_ms);

/*
 * Runs `sh -c cmd` (a `restart` command) in its own process group, with no
 * signal blocked and no descriptor of iochain's but 0-2. Returns its pid, or
 * -errno. Control thread only.
 */
pid_t ioc_svm_spawn(const char *cmd);

/* A vNIC the instance serves, for the return match. */
struct ioc_ext_vnic {
	uint8_t mac[6];
	uint16_t vnic;	   /* datapath port index == vNIC index */
	uint16_t profile;  /* the vNIC's slot-4 profile + 1: the policy its frames settle by */
	uint8_t next_slot; /* where the chain resumes: after slot 4 */
	uint8_t n_lcores;
	uint16_t lcores[IOC_MAX_PORT_LCORES]; /* its forwarding lcores: the flow hash picks one */
};

struct ioc_svm_ext {
	char name[IOC_NAME_MAX];
	char devargs[2][IOC_DEVARGS_MAX];
	char restart_cmd[IOC_RESTART_MAX];
	enum ioc_probe probe;
	uint64_t probe_period; /* TSC */
	uint16_t port[2];      /* the arms' port ids */
	bool opened[2], probed[2];
	bool link_signal;	 /* the arms' link state means something (not net_tap) */
	uint8_t probe_mac[2][6]; /* source MAC of a probe entering arm a */
	unsigned n_vnics;
	struct ioc_ext_vnic *vnics;
	struct rte_mempool *pool; /* probes */
	uint64_t *sent_by_port, *rx_by_port;

	/* Worker only. */
	struct rte_mbuf *txq[2][IOC_BURST]; /* data the arm refused, retried first */
	struct {
		uint16_t lcore; /* the forwarding lcore it came from */
		uint16_t port;	/* the port it came in on */
	} txq_src[2][IOC_BURST];
	uint16_t n_txq[2];
	uint8_t take_first; /* the arm take_out() reads first this poll */
	uint64_t next_probe;
	uint32_t seq;
	uint64_t mark_sent[IOC_EXT_MARKS];	/* IOC_EXT_SENT when probe seq % MARKS was sent */
	uint64_t lost_mark_sent, lost_mark_out; /* at the newest probe back */
	bool serving;
	/*
	 * Inbound group-addressed frames (a broadcast or multicast the switch
	 * flooded to several vNICs, each copy redirected on its own, an ARP
	 * request among them): what comes out of device_in names no vNIC by
	 * its destination MAC, so each copy handed in is remembered by a
	 * signature of its bytes with the vNIC it was for, and a frame that
	 * comes out with that signature goes to that vNIC (once).
	 */
	struct {
		uint32_t sig;
		uint16_t vnic; /* index in vnics + 1; 0: free */
	} group[IOC_EXT_GROUP_SLOTS];
	uint32_t group_next;

	/* Written by the worker, read by the watchdog and telemetry. */
	bool started; /* the worker thread runs (standbys start on takeover) */
	uint64_t started_tsc;
	uint64_t last_probe[2]; /* TSC a probe that entered arm a came out of the other */
	uint64_t last_taken[2]; /* TSC arm a last took a frame, or had none waiting */
	uint64_t lost;		/* svm_lost */
	uint64_t cnt[IOC_EXT_MAX];
	uint32_t rtt_ns[IOC_EXT_RTT_SAMPLES];
	uint64_t n_rtt;

	/* Control thread only. */
	struct ioc_svm_restart restart;
	pid_t pid; /* of a restart command still running, or 0 */
	uint64_t restarts;
};

/* Control plane: the appliance of [svm] `idx` for worker w; NULL on failure. */
struct ioc_svm_ext *ioc_svm_ext_create(const struct ioc_topology *t, unsigned idx, unsigned inst,
				       unsigned n_ports);
void ioc_svm_ext_free(struct ioc_svm_ext *x);

/*
 * Opens and starts every appliance's arms on pool (one RX and one TX queue
 * each, owned by the worker). resume_slot[v] is where vNIC v's chain resumes
 * after slot 4 (its position + 1). 0, or -errno with err set.
 */
int ioc_svm_ext_open_arms(struct ioc_svc *svc, struct rte_mempool *pool, const uint8_t *resume_slot,
			  char *err, size_t len);
void ioc_svm_ext_close_arms(struct ioc_svc *svc);
/* Mbufs the arms' descriptors may hold, for sizing the pool. */
unsigned ioc_svm_ext_pool_need(const struct ioc_topology *t);

/* Worker lcore: one poll of the appliance. Returns frames handled. */
unsigned ioc_svm_ext_poll(struct ioc_svm_worker *w, uint64_t now);
/* Worker lcore: start and end of the worker thread. */
void ioc_svm_ext_start(struct ioc_svm_worker *w, uint64_t now);
void ioc_svm_ext_stop(struct ioc_svm_worker *w);
/* Worker lcore, fenced: settles the data it had not handed in yet, by policy. */
void ioc_svm_ext_fence(struct ioc_svm_worker *w);

/*
 * Watchdog: lowers *last_ok to the time the appliance was last seen alive
 * (now - timeout and older when a link is down) and, when the appliance is
 * what holds it back, sets *why to the cause ("link down", "probes lost for",
 * "ring stalled for").
 */
void ioc_svm_ext_liveness(const struct ioc_svm_worker *w, uint64_t now, uint64_t timeout,
			  uint64_t *last_ok, const char **why);

/*
 * Control thread: reaps finished restart commands and runs `restart` for
 * appliances down long enough (own process group, output to iochain's).
 */
void ioc_svm_ext_service(struct ioc_svc *svc, uint64_t now);

/* Builds a probe into arm a (exposed for the tests). NULL when no mbuf. */
struct rte_mbuf *ioc_svm_ext_probe(struct ioc_svm_ext *x, unsigned lcore, enum ioc_arm a,
				   uint32_t seq, uint64_t tsc);

/* Telemetry: the appliance's fields into a worker's dict. */
void ioc_svm_ext_telemetry(const struct ioc_svm_worker *w, struct rte_tel_data *d);
/* RTT percentile p (0..100) of the kept samples, in ns; 0 without samples. */
uint32_t ioc_svm_ext_rtt_pct(const struct ioc_svm_ext *x, unsigned p);

#endif /* IOC_SVM_EXT_H */
