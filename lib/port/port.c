/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "log.h"
#include "port.h"

/*
 * A Toeplitz key made of one repeated 16-bit pattern hashes (a, b) and (b, a)
 * to the same value, so both directions of a flow land on the same queue and
 * per-lcore state (connection tables, SVM worker choice) stays consistent.
 */
static uint8_t symmetric_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int
ioc_port_open(const char *devargs, uint16_t *port_id, bool *probed, char *err, size_t len)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(devargs, ",");
	int rc;

	if (n == 0 || n >= sizeof(name)) {
		snprintf(err, len, "device \"%s\": no device name", devargs);
		return -EINVAL;
	}
	memcpy(name, devargs, n);
	name[n] = '\0';
	*probed = false;
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;

	rc = rte_dev_probe(devargs);
	if (rc < 0) {
		snprintf(err, len, "device \"%s\": probe failed: %s", devargs, strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, len, "device \"%s\": probed, but no ethdev named %s", devargs, name);
		return -ENODEV;
	}
	*probed = true;
	IOC_LOG(INFO, port, "probed %s as port %u", devargs, *port_id);
	return 0;
}

int
ioc_port_start(uint16_t port_id, uint16_t n_rxq, uint16_t n_txq, struct rte_mempool *mp,
	       bool *tx_multi_seg, char *err, size_t len)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = IOC_NB_RXD, nb_txd = IOC_NB_TXD;
	int socket = rte_eth_dev_socket_id(port_id);
	int rc;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, len, "port %u: cannot get device info: %s", port_id, strerror(-rc));
		return rc;
	}
	if (n_rxq > info.max_rx_queues || n_txq > info.max_tx_queues) {
		snprintf(err, len,
			 "port %u (%s): needs %u RX and %u TX queues, the device has %u and %u",
			 port_id, info.driver_name, n_rxq, n_txq, info.max_rx_queues,
			 info.max_tx_queues);
		return -EINVAL;
	}
	if (n_rxq > 1) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			      info.flow_type_rss_offloads;
		if (hf == 0) {
			snprintf(err, len, "port %u (%s): %u RX queues need RSS, which it lacks",
				 port_id, info.driver_name, n_rxq);
			return -ENOTSUP;
		}
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = hf;
		if (info.hash_key_size == sizeof(symmetric_rss_key)) {
			conf.rx_adv_conf.rss_conf.rss_key = symmetric_rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(symmetric_rss_key);
		}
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/*
	 * Chained mbufs arrive on their own (net_tap, memif, net_pcap above the
	 * mbuf size). Without MULTI_SEGS a driver may pick a TX path that sends
	 * the first segment only and frees nothing else: the datapath
	 * linearises or drops chains for such a port instead.
	 */
	*tx_multi_seg = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	if (*tx_multi_seg)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;

	rc = rte_eth_dev_configure(port_id, n_rxq, n_txq, &conf);
	if (rc != 0) {
		snprintf(err, len, "port %u: configure: %s", port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		snprintf(err, len, "port %u: descriptor counts: %s", port_id, strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, NULL, mp);
		if (rc != 0) {
			snprintf(err, len, "port %u: RX queue %u: %s", port_id, q, strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < n_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket, &txc);
		if (rc != 0) {
			snprintf(err, len, "port %u: TX queue %u: %s", port_id, q, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, len, "port %u: start: %s", port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc != 0 && rc != -ENOTSUP)
		IOC_LOG(WARNING, port, "port %u: promiscuous mode: %s", port_id, strerror(-rc));
	IOC_LOG(INFO, port, "port %u (%s) up: %u RX, %u TX queues, %u/%u descriptors%s", port_id,
		info.driver_name, n_rxq, n_txq, nb_rxd, nb_txd,
		*tx_multi_seg ? "" : ", single-segment TX");
	return 0;
}

/*
 * Closed whoever probed it: its queues may hold mbufs of the pool the caller
 * frees next (net_tap's RX chains, virtio's rings), and rte_eal_cleanup()
 * would release them only after that. A device EAL was given stays EAL's to
 * remove: its bus finds no ethdev left and skips it.
 */
void
ioc_port_close(uint16_t port_id, bool probed)
{
	char name[RTE_ETH_NAME_MAX_LEN] = "";
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;
	int rc;

	rte_eth_dev_get_name_by_port(port_id, name);
	rte_eth_dev_stop(port_id);
	if (rte_eth_dev_info_get(port_id, &info) == 0)
		dev = info.device;
	rc = rte_eth_dev_close(port_id);
	if (rc != 0)
		IOC_LOG(WARNING, port, "port %u (%s): close: %s", port_id, name, strerror(-rc));
	else
		IOC_LOG(INFO, port, "port %u (%s) closed", port_id, name);
	if (probed && dev != NULL)
		rte_dev_remove(dev);
}
