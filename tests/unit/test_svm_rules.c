/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in SVM behaviour ("rules", lib/svc/svm_rules.c) driven directly:
 * a burst of packet metadata in, verdicts out, the clock in the test's hands.
 */
#include <netinet/in.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "config.h"
#include "fixture.h"
#include "meta.h"
#include "svc.h"
#include "tests.h"

/* Outbound web is allowed; anything else, inbound included, is the SVM's default drop. */
#define SVM_RULES_INI                                                                              \
	FIXTURE_INI "[service fgt]\nvendor = Fortinet\n"                                           \
		    "[service_instance fgt-1]\nservice = fgt\nlcores = 2\nslow_path_id = 1\n"      \
		    "[svm_rule web-out]\ninstance = fgt-1\npriority = 10\ndirection = out\n"       \
		    "service = tcp/80\naction = allow\n"

/* The smallest table rte_hash makes: one bucket of 8, so a freed position is reused at once. */
#define TINY_TABLE 8

static struct ioc_svm_pkt
pkt(uint8_t dir, uint16_t sport)
{
	struct ioc_svm_pkt p = { 0 };

	p.md.l3 = IOC_L3_IPV4;
	p.md.l4_proto = IPPROTO_TCP;
	p.md.flags = IOC_F_L4;
	p.md.dir = dir;
	/* VM 10.0.0.11:sport <-> 192.0.2.1:80, the addresses as the wire has them. */
	uint32_t vm = rte_cpu_to_be_32(IP4(10, 0, 0, 11)),
		 web = rte_cpu_to_be_32(IP4(192, 0, 2, 1));
	uint16_t vp = rte_cpu_to_be_16(sport), wp = rte_cpu_to_be_16(80);
	bool out = dir == IOC_DIR_OUT;
	p.md.src_ip = out ? vm : web;
	p.md.dst_ip = out ? web : vm;
	p.md.src_port = out ? vp : wp;
	p.md.dst_port = out ? wp : vp;
	return p;
}

/*
 * Audit L8: in one burst a packet deletes a stale connection K (idle, and the
 * rules deny its direction), a new connection takes K's freed position (the
 * table is full), and a later packet of K must not pass on that position.
 */
static void
test_stale_position(void)
{
	struct ioc_topology t;
	struct ioc_error err;
	void *state = NULL;
	uint64_t cnt[IOC_SVM_MAX] = { 0 };
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	ioc_topo_init(&t);
	CU_ASSERT_FATAL(ioc_config_load_string(SVM_RULES_INI, "svm.ini", &t, &err) == 0);
	uint32_t saved = ioc_svm_conn_entries;
	ioc_svm_conn_entries = TINY_TABLE;
	CU_ASSERT_FATAL(ioc_svm_rules_ops.init(&t, 0, 0, &state) == 0);
	ioc_svm_conn_entries = saved;

	/* Fill the table: K (port 1000) and 7 others, all opened outbound. */
	struct ioc_svm_pkt fill[TINY_TABLE];
	for (unsigned i = 0; i < TINY_TABLE; i++)
		fill[i] = pkt(IOC_DIR_OUT, (uint16_t)(1000 + i));
	ioc_svm_rules_ops.process(state, now, fill, TINY_TABLE, cnt);
	for (unsigned i = 0; i < TINY_TABLE; i++)
		CU_ASSERT_FALSE(fill[i].md.flags & IOC_F_SVM_DENY);
	CU_ASSERT_EQUAL(cnt[IOC_SVM_CONN_FULL], 0);

	/* 61 s on, every connection idle: K inbound, a new one out, K inbound again. */
	struct ioc_svm_pkt b[3] = { pkt(IOC_DIR_IN, 1000), pkt(IOC_DIR_OUT, 2000),
				    pkt(IOC_DIR_IN, 1000) };
	ioc_svm_rules_ops.process(state, now + 61 * hz, b, 3, cnt);
	CU_ASSERT_TRUE(b[0].md.flags & IOC_F_SVM_DENY);
	CU_ASSERT_FALSE(b[1].md.flags & IOC_F_SVM_DENY);
	CU_ASSERT_TRUE(b[2].md.flags & IOC_F_SVM_DENY);
	CU_ASSERT_EQUAL(cnt[IOC_SVM_CONN_FULL], 0);

	ioc_svm_rules_ops.fini(state);
	ioc_topo_free(&t);
}

static void
test_svm_rules_register(void)
{
	CU_pSuite s = CU_add_suite("svm rules", NULL, NULL);

	CU_add_test(s, "a stale position after a delete in the burst", test_stale_position);
}

UNIT_SUITES(test_svm_rules_register)
