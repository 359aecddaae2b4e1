/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports: the symmetric RSS key at any length, and one RSS plan per segment or a refusal. */
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_thash.h>

#include "port.h"
#include "tests.h"

/* Toeplitz over an IPv4 4-tuple, as a NIC hashes it (host-order words, rte_softrss). */
static uint32_t
hash4(const uint8_t *key, uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport)
{
	uint32_t tuple[3] = { sip, dip, (uint32_t)sport << 16 | dport };

	return rte_softrss(tuple, RTE_DIM(tuple), key);
}

/* IPv6 addresses and ports: the longest input, 36 bytes of a 40-byte key window. */
static uint32_t
hash6(const uint8_t *key, const uint32_t s[4], const uint32_t d[4], uint16_t sport, uint16_t dport)
{
	uint32_t tuple[9];

	memcpy(tuple, s, 16);
	memcpy(tuple + 4, d, 16);
	tuple[8] = (uint32_t)sport << 16 | dport;
	return rte_softrss(tuple, RTE_DIM(tuple), key);
}

static void
test_rss_key_any_length(void)
{
	static const size_t lens[] = { 40, 52, 41, 255 };
	uint8_t ref[40], key[IOC_RSS_KEY_MAX + 1];
	const uint32_t s6[4] = { 0x20010db8, 0, 0, 1 }, d6[4] = { 0x20010db8, 0, 1, 0x99 };

	ioc_rss_key(ref, sizeof(ref));
	for (unsigned i = 0; i < sizeof(ref); i++)
		CU_ASSERT_EQUAL(ref[i], i % 2 == 0 ? 0x6d : 0x5a);
	for (unsigned l = 0; l < RTE_DIM(lens); l++) {
		memset(key, 0, sizeof(key));
		ioc_rss_key(key, lens[l]);
		CU_ASSERT_EQUAL(key[lens[l] - 1], (lens[l] - 1) % 2 == 0 ? 0x6d : 0x5a);
		CU_ASSERT_EQUAL(key[lens[l]], 0); /* not one byte more */
		for (uint32_t f = 0; f < 64; f++) {
			uint32_t a = 0x0a000000 + f * 7919, b = 0xc0a80000 + f * 104729;
			uint16_t pa = (uint16_t)(1024 + f * 977), pb = (uint16_t)(80 + f);

			/* Both directions of a flow hash alike, whatever the key's length. */
			CU_ASSERT_EQUAL(hash4(key, a, b, pa, pb), hash4(key, b, a, pb, pa));
			CU_ASSERT_EQUAL(hash4(key, a, b, pa, pb), hash4(ref, a, b, pa, pb));
			CU_ASSERT_EQUAL(hash6(key, s6, d6, pa, pb), hash6(key, d6, s6, pb, pa));
		}
	}
}

#define HF_ALL (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static int
plan2(struct ioc_rss_caps a, struct ioc_rss_caps b, uint16_t n_rxq, uint64_t *hf, char *why)
{
	struct ioc_rss_caps c[2] = { a, b };

	why[0] = '\0';
	return ioc_rss_plan(c, 2, n_rxq, hf, why, 256);
}

static void
test_rss_plan(void)
{
	const struct ioc_rss_caps up = { "uplink0", HF_ALL | RTE_ETH_RSS_SCTP, 512, 52 };
	const struct ioc_rss_caps vm = { "VM1.eth0", RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP, 128, 40 };
	struct ioc_rss_caps c;
	uint64_t hf;
	char why[256];

	/* Different key sizes and tables, 2 or 4 queues: the fields both hash. */
	CU_ASSERT_EQUAL(plan2(up, vm, 2, &hf, why), 0);
	CU_ASSERT_EQUAL(hf, RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP);
	CU_ASSERT_EQUAL(plan2(up, vm, 4, &hf, why), 0);
	/* 3 queues: (h mod 512) mod 3 and (h mod 128) mod 3 differ. */
	CU_ASSERT_EQUAL(plan2(up, vm, 3, &hf, why), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(why, "uplink0 (redirection table of 512) and VM1.eth0 (128)"));
	/* ... unless the tables are the same size. */
	c = vm;
	c.reta_size = 512;
	CU_ASSERT_EQUAL(plan2(up, c, 3, &hf, why), 0);

	c = vm;
	c.key_size = 0;
	CU_ASSERT_EQUAL(plan2(up, c, 2, &hf, why), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "VM1.eth0 does not take an RSS key"));
	c = vm;
	c.reta_size = 0;
	CU_ASSERT_EQUAL(plan2(up, c, 2, &hf, why), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "VM1.eth0 has an RSS redirection table of 0"));
	c = vm;
	c.hf = RTE_ETH_RSS_SCTP;
	CU_ASSERT_EQUAL(plan2(up, c, 2, &hf, why), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no RSS hash fields"));
}

static void
test_port_register(void)
{
	CU_pSuite s = CU_add_suite("port", NULL, NULL);

	CU_add_test(s, "symmetric RSS key at any length", test_rss_key_any_length);
	CU_add_test(s, "one RSS plan per segment, or a refusal", test_rss_plan);
}

UNIT_SUITES(test_port_register)
