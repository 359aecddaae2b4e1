/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

bool
ioc_log_rl_allow(struct ioc_log_rl *rl, uint64_t now, uint64_t interval, uint64_t *suppressed)
{
	if (now < rl->next) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->next = now + interval;
	return true;
}

RTE_LOG_REGISTER_SUFFIX(ioc_logtype_main, main, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_port, port, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_fwd, fwd, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_telemetry, telemetry, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_svc, svc, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_watchdog, watchdog, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_sfw, sfw, INFO);
