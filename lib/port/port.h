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

#include <rte_mempool.h>

#define IOC_NB_RXD 1024
#define IOC_NB_TXD 1024

/*
 * Find the ethdev for `devargs`, probing it if EAL does not have it yet.
 * *probed tells whether this call created it (and ioc_port_close removes it).
 */
int ioc_port_open(const char *devargs, uint16_t *port_id, bool *probed, char *err, size_t len);

/*
 * Configure n_rxq RX queues (symmetric RSS over them when more than one) and
 * n_txq TX queues, start the port and turn promiscuous mode on: a switch port
 * receives frames for MACs other than its own. *tx_multi_seg: the device
 * offers (and got) RTE_ETH_TX_OFFLOAD_MULTI_SEGS, so it may be sent chains.
 */
int ioc_port_start(uint16_t port_id, uint16_t n_rxq, uint16_t n_txq, struct rte_mempool *mp,
		   bool *tx_multi_seg, char *err, size_t len);

/* Stops and closes the port; removes its device only if ioc_port_open probed it. */
void ioc_port_close(uint16_t port_id, bool probed);

#endif /* IOC_PORT_H */
