/* SPDX-License-Identifier: BSD-3-Clause */
/* Logtypes iochain.<concept>; enable with --log-level=iochain.*:debug. */
#ifndef IOC_LOG_H
#define IOC_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

/*
 * Each concept defines its logtype beside its code, once (grout's LOG_TYPE):
 * IOC_LOG_TYPE(fwd) registers iochain.fwd at INFO. IOC_LOG declares what it
 * uses, so no list of logtypes is kept here.
 */
#define IOC_LOG_TYPE(type) RTE_LOG_REGISTER_SUFFIX(ioc_logtype_##type, type, INFO)

#define IOC_LOG(level, type, fmt, ...)                                                             \
	do {                                                                                       \
		extern int ioc_logtype_##type;                                                     \
		rte_log(RTE_LOG_##level, ioc_logtype_##type, "iochain.%s: " fmt "\n", #type,       \
			##__VA_ARGS__);                                                            \
	} while (0)

/*
 * At most one message per interval, for an error a loop can repeat thousands
 * of times a second (OVS's VLOG_WARN_RL). Zeroed: the first message goes out.
 */
struct ioc_log_rl {
	uint64_t next;	     /* TSC: the next message may go out from here */
	uint64_t suppressed; /* held back since the last message */
};

/*
 * True when a message may go out at `now` (TSC): the next only `interval`
 * later; *suppressed says how many were held back meanwhile. False: this one
 * is held back and counted.
 */
bool ioc_log_rl_allow(struct ioc_log_rl *rl, uint64_t now, uint64_t interval, uint64_t *suppressed);

#endif /* IOC_LOG_H */
