/* SPDX-License-Identifier: BSD-3-Clause */
/* The unit test runner: one EAL (--no-huge --no-shconf), every suite. */
#include <stdio.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>

#include "fixture.h"
#include "tests.h"

int
main(int argc, char **argv)
{
	RTE_SET_USED(argc);
	if (fixture_eal_init(argv[0]) != 0) {
		fprintf(stderr, "unit: EAL init failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	test_config_register();
	test_meta_register();
	test_swsec_register();
	test_vlan_register();
	test_sfw_register();
	test_fwd_register();
	test_port_register();
	test_svc_register();
	test_svc_bound_register();
	test_watchdog_register();
	test_reload_register();
	test_malformed_register();
	test_svm_ext_register();
	test_svm_rules_register();
	test_trace_register();

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned run = CU_get_number_of_tests_run();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned suites_failed = CU_get_number_of_suites_failed();
	printf("\nunit: %u passed, %u failed\n", run - failed, failed + suites_failed);
	CU_cleanup_registry();
	rte_eal_cleanup();
	return failed + suites_failed == 0 ? 0 : 1;
}
