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
