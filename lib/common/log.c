/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

RTE_LOG_REGISTER_SUFFIX(ioc_logtype_main, main, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_port, port, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_fwd, fwd, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_telemetry, telemetry, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_svc, svc, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_watchdog, watchdog, INFO);
RTE_LOG_REGISTER_SUFFIX(ioc_logtype_sfw, sfw, INFO);
