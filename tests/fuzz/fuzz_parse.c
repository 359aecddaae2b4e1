/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the packet parser (ioc_meta_parse) on an mbuf holding the
 * input. The mbuf's data is an external buffer malloc'd to exactly the input's
 * size, so that ASan reports any read past the first segment's data (DPDK's
 * own mempool memory is not instrumented).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;

static void
init_once(void)
{
	char *argv[] = {
		"fuzz_parse", "--no-huge", "--no-shconf",    "-l",	    "0",       "-m",
		"64",	      "--no-pci",  "--no-telemetry", "--log-level", "*:error",
	};

	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		abort();
	pool = rte_pktmbuf_pool_create("fuzz_pool", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL || ioc_meta_register() != 0)
		abort();
}

static void
free_ext(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ioc_meta md;

	if (pool == NULL)
		init_once();
	if (size > 9216)
		size = 9216;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *buf = malloc(size > 0 ? size : 1);
	struct rte_mbuf_ext_shared_info *sh = calloc(1, sizeof(*sh));
	if (m == NULL || buf == NULL || sh == NULL)
		abort();
	memcpy(buf, data, size);
	sh->free_cb = free_ext;
	sh->fcb_opaque = sh;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, buf, 0, (uint16_t)size, sh);
	m->data_off = 0;
	m->data_len = (uint16_t)size;
	m->pkt_len = (uint32_t)size;
	if (ioc_meta_parse(m, &md) == 0) {
		/* The offsets it reports lie inside the frame. */
		if (md.l3_off > size)
			abort();
		if ((md.flags & IOC_F_L4) && md.l4_off > size)
			abort();
	}
	rte_pktmbuf_free(m);
	return 0;
}
