/* SPDX-License-Identifier: BSD-3-Clause */
/* Each test_<concept>.c registers its CUnit suite(s). */
#ifndef IOC_TESTS_H
#define IOC_TESTS_H

void test_config_register(void);
void test_meta_register(void);
void test_swsec_register(void);
void test_sfw_register(void);
void test_fwd_register(void);
void test_port_register(void);
void test_svc_register(void);
void test_svc_bound_register(void);
void test_vlan_register(void);
void test_watchdog_register(void);
void test_reload_register(void);
void test_malformed_register(void);
void test_svm_ext_register(void);
void test_svm_rules_register(void);
void test_trace_register(void);

#endif /* IOC_TESTS_H */
