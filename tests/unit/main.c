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
	unit_suites_register();

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
