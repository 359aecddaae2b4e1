/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: a topology `device` is DPDK devargs (a PCI address or a vdev string).
 * A device EAL already has (-a, --vdev) is used as is; any other is probed, so
 * a topology file is self-contained (DESIGN.md §2).
 */
#ifndef IOC_PORT_H
#define IOC_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#define IOC_NB_RXD 1024
#define IOC_NB_TXD 1024

/*
 * Find the ethdev for `devargs`, probing it if EAL does not have it yet.
 * *probed tells whether this call created it (and ioc_port_close removes it).
 */
int ioc_port_open(const char *devargs, uint16_t *port_id, bool *probed, char *err, size_t len);

/* The hash fields iochain asks RSS for (the driver's subset of them). */
#define IOC_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)
#define IOC_RSS_KEY_MAX UINT8_MAX /* hash_key_size is a uint8_t */
#define IOC_RSS_RETA_MAX 4096

/*
 * The symmetric Toeplitz key at any length: 0x6d, 0x5a repeated. A key made of
 * one repeated 16-bit pattern hashes (a, b) and (b, a) to the same value, so
 * both directions of a flow land on the same queue index and per-lcore state
 * (connection tables) sees both; since the pattern only repeats, keys of any
 * two lengths hash alike.
 */
void ioc_rss_key(uint8_t *key, size_t len);

/* What a device offers for RSS (rte_eth_dev_info). */
struct ioc_rss_caps {
	const char *name; /* for messages */
	uint64_t hf;	  /* flow_type_rss_offloads */
	uint16_t reta_size;
	uint8_t key_size; /* 0: takes no key */
};

/*
 * One RSS set-up for the n ports of an L2 segment, each polled by n_rxq
 * queues, under which a hash h goes to queue index (h mod RETA size) mod n_rxq
 * on every port: each takes the symmetric key, and has a redirection table of
 * the same size or one n_rxq divides (each is then spread i -> i mod n_rxq).
 * *hf: the hash fields all of them offer. -ENOTSUP, and why, if there is none.
 */
int ioc_rss_plan(const struct ioc_rss_caps *c, unsigned n, uint16_t n_rxq, uint64_t *hf, char *why,
		 size_t len);
void ioc_port_rss_caps(uint16_t port_id, const char *name, struct ioc_rss_caps *c);

struct ioc_port_conf {
	uint16_t n_rxq, n_txq;
	struct rte_mempool *mp; /* the RX queues' mbufs */
	/*
	 * n_rxq > 1: the hash fields of the segment's plan (ioc_rss_plan), and
	 * failing to program the redirection table is then an error; 0: the
	 * device's own subset of IOC_RSS_HF, and best effort.
	 */
	uint64_t rss_hf;
	bool tx_multi_seg; /* out: the device offers (and got) TX_OFFLOAD_MULTI_SEGS */
};

/*
 * Configure n_rxq RX queues (symmetric RSS over them when more than one) and
 * n_txq TX queues, start the port and turn promiscuous mode on: a switch port
 * receives frames for MACs other than its own. A port with tx_multi_seg may
 * be sent chained mbufs.
 */
int ioc_port_start(uint16_t port_id, struct ioc_port_conf *pc, char *err, size_t len);

/* Stops and closes the port; removes its device only if ioc_port_open probed it. */
void ioc_port_close(uint16_t port_id, bool probed);

#endif /* IOC_PORT_H */
