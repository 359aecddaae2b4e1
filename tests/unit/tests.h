/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Each test_<concept>.c registers its CUnit suite(s) itself, as DPDK's
 * REGISTER_TEST_COMMAND does: UNIT_SUITES(fn) after its function fn, which
 * adds the suites once CUnit is up. A new suite file edits no list but
 * tests/unit/meson.build; the runners call the functions in link order.
 */
#ifndef IOC_TESTS_H
#define IOC_TESTS_H

void unit_suite_add(void (*fn)(void));
/* Calls every function added, in the order they were. */
void unit_suites_register(void);

#define UNIT_SUITES(fn)                                                                            \
	__attribute__((constructor)) static void fn##_add(void)                                    \
	{                                                                                          \
		unit_suite_add(fn);                                                                \
	}

#endif /* IOC_TESTS_H */
