/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "log.h"
#include "port.h"

IOC_LOG_TYPE(port);

void
ioc_rss_key(uint8_t *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		key[i] = i % 2 == 0 ? 0x6d : 0x5a;
}

int
ioc_rss_plan(const struct ioc_rss_caps *c, unsigned n, uint16_t n_rxq, uint64_t *hf, char *why,
	     size_t len)
{
	*hf = IOC_RSS_HF;
	for (unsigned i = 0; i < n; i++) {
		if (c[i].key_size == 0) {
			snprintf(why, len, "%s does not take an RSS key (hash key size %u)",
				 c[i].name, c[i].key_size);
			return -ENOTSUP;
		}
		if (c[i].reta_size < n_rxq || c[i].reta_size > IOC_RSS_RETA_MAX) {
			snprintf(why, len, "%s has an RSS redirection table of %u entries",
				 c[i].name, c[i].reta_size);
			return -ENOTSUP;
		}
		/* (h mod R) mod q is the same for every R only when q divides them all. */
		if (c[i].reta_size != c[0].reta_size &&
		    (c[i].reta_size % n_rxq != 0 || c[0].reta_size % n_rxq != 0)) {
			snprintf(why, len,
				 "%s (redirection table of %u) and %s (%u) would send one hash to "
				 "different queues of %u",
				 c[0].name, c[0].reta_size, c[i].name, c[i].reta_size, n_rxq);
			return -ENOTSUP;
		}
		*hf &= c[i].hf;
	}
	if (*hf == 0) {
		snprintf(why, len, "its ports have no RSS hash fields (IP, TCP, UDP) in common");
		return -ENOTSUP;
	}
	return 0;
}

/* Entry i of the redirection table to queue i mod n_rxq, whatever the driver's default. */
static int
reta_spread(uint16_t port_id, uint16_t reta_size, uint16_t n_rxq)
{
	struct rte_eth_rss_reta_entry64 reta[IOC_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];

	memset(reta, 0, sizeof(reta));
	for (unsigned i = 0; i < reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % n_rxq;
	}
	return rte_eth_dev_rss_reta_update(port_id, reta, reta_size);
}

void
ioc_port_rss_caps(uint16_t port_id, const char *name, struct ioc_rss_caps *c)
{
	struct rte_eth_dev_info info;

	memset(c, 0, sizeof(*c));
	c->name = name;
	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return;
	c->hf = info.flow_type_rss_offloads;
	c->reta_size = info.reta_size;
	c->key_size = info.hash_key_size;
}

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

/*
 * The device's configuration: RSS over n_rxq > 1 queues (key into `key`,
 * which conf points at), and the TX offloads it has that iochain uses.
 */
static int
port_conf(uint16_t port_id, struct ioc_port_conf *pc, const struct rte_eth_dev_info *info,
	  struct rte_eth_conf *conf, uint8_t key[IOC_RSS_KEY_MAX], char *err, size_t len)
{
	if (pc->n_rxq > info->max_rx_queues || pc->n_txq > info->max_tx_queues) {
		snprintf(err, len,
			 "port %u (%s): needs %u RX and %u TX queues, the device has %u and %u",
			 port_id, info->driver_name, pc->n_rxq, pc->n_txq, info->max_rx_queues,
			 info->max_tx_queues);
		return -EINVAL;
	}
	if (pc->n_rxq > 1) {
		uint64_t hf =
			pc->rss_hf != 0 ? pc->rss_hf : IOC_RSS_HF & info->flow_type_rss_offloads;

		if (hf == 0) {
			snprintf(err, len, "port %u (%s): %u RX queues need RSS, which it lacks",
				 port_id, info->driver_name, pc->n_rxq);
			return -ENOTSUP;
		}
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = hf;
		/* The pattern only repeats: any length gives the same hash as another. */
		if (info->hash_key_size > 0) {
			ioc_rss_key(key, info->hash_key_size);
			conf->rx_adv_conf.rss_conf.rss_key = key;
			conf->rx_adv_conf.rss_conf.rss_key_len = info->hash_key_size;
		}
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/*
	 * Chained mbufs arrive on their own (net_tap, memif, net_pcap above the
	 * mbuf size). Without MULTI_SEGS a driver may pick a TX path that sends
	 * the first segment only and frees nothing else: the datapath
	 * linearises or drops chains for such a port instead.
	 */
	pc->tx_multi_seg = (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	if (pc->tx_multi_seg)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return 0;
}

/* Configured with conf, its RX and TX queues set up; the descriptor counts into nb_rxd, nb_txd. */
static int
port_queues(uint16_t port_id, const struct ioc_port_conf *pc, const struct rte_eth_dev_info *info,
	    const struct rte_eth_conf *conf, uint16_t *nb_rxd, uint16_t *nb_txd, char *err,
	    size_t len)
{
	int socket = rte_eth_dev_socket_id(port_id);
	int rc;

	rc = rte_eth_dev_configure(port_id, pc->n_rxq, pc->n_txq, conf);
	if (rc != 0) {
		snprintf(err, len, "port %u: configure: %s", port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, nb_rxd, nb_txd);
	if (rc != 0) {
		snprintf(err, len, "port %u: descriptor counts: %s", port_id, strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < pc->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, *nb_rxd, socket, NULL, pc->mp);
		if (rc != 0) {
			snprintf(err, len, "port %u: RX queue %u: %s", port_id, q, strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < pc->n_txq; q++) {
		struct rte_eth_txconf txc = info->default_txconf;

		txc.offloads = conf->txmode.offloads;
		rc = rte_eth_tx_queue_setup(port_id, q, *nb_txd, socket, &txc);
		if (rc != 0) {
			snprintf(err, len, "port %u: TX queue %u: %s", port_id, q, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * A started port's RSS redirection table over its RX queues: a failure is
 * fatal when the plan needs it (pc->rss_hf set), a warning otherwise.
 */
static int
port_reta(uint16_t port_id, const struct ioc_port_conf *pc, const struct rte_eth_dev_info *info,
	  char *err, size_t len)
{
	int rc;

	if (pc->n_rxq <= 1 || info->reta_size == 0)
		return 0;
	rc = info->reta_size <= IOC_RSS_RETA_MAX ? reta_spread(port_id, info->reta_size, pc->n_rxq)
						 : -E2BIG;
	if (rc != 0 && pc->rss_hf != 0) {
		snprintf(err, len, "port %u (%s): RSS redirection table of %u: %s", port_id,
			 info->driver_name, info->reta_size, strerror(-rc));
		return rc;
	}
	if (rc != 0)
		IOC_LOG(WARNING, port, "port %u (%s): RSS redirection table: %s", port_id,
			info->driver_name, strerror(-rc));
	return 0;
}

int
ioc_port_start(uint16_t port_id, struct ioc_port_conf *pc, char *err, size_t len)
{
	uint8_t key[IOC_RSS_KEY_MAX];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = IOC_NB_RXD, nb_txd = IOC_NB_TXD;
	int rc;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		snprintf(err, len, "port %u: cannot get device info: %s", port_id, strerror(-rc));
		return rc;
	}
	rc = port_conf(port_id, pc, &info, &conf, key, err, len);
	if (rc == 0)
		rc = port_queues(port_id, pc, &info, &conf, &nb_rxd, &nb_txd, err, len);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, len, "port %u: start: %s", port_id, strerror(-rc));
		return rc;
	}
	rc = port_reta(port_id, pc, &info, err, len);
	if (rc != 0)
		return rc;
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc != 0 && rc != -ENOTSUP)
		IOC_LOG(WARNING, port, "port %u: promiscuous mode: %s", port_id, strerror(-rc));
	IOC_LOG(INFO, port, "port %u (%s) up: %u RX, %u TX queues, %u/%u descriptors%s", port_id,
		info.driver_name, pc->n_rxq, pc->n_txq, nb_rxd, nb_txd,
		pc->tx_multi_seg ? "" : ", single-segment TX");
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
