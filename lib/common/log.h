/* SPDX-License-Identifier: BSD-3-Clause */
/* Logtypes iochain.<concept>; enable with --log-level=iochain.*:debug. */
#ifndef IOC_LOG_H
#define IOC_LOG_H

#include <rte_log.h>

extern int ioc_logtype_main;
extern int ioc_logtype_port;
extern int ioc_logtype_fwd;
extern int ioc_logtype_telemetry;
extern int ioc_logtype_sfw;
extern int ioc_logtype_svc;
extern int ioc_logtype_watchdog;

#define IOC_LOG(level, type, fmt, ...)                                                             \
	rte_log(RTE_LOG_##level, ioc_logtype_##type, "iochain.%s: " fmt "\n", #type, ##__VA_ARGS__)

#endif /* IOC_LOG_H */
