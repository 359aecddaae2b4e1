/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events: every state change of an SVM worker, every policy flip, with a
 * wall-clock timestamp (DESIGN.md §5, /iochain/events). Control plane only:
 * the watchdog and the telemetry thread, serialised by a mutex.
 */
#ifndef IOC_EVENTS_H
#define IOC_EVENTS_H

#include <stdint.h>

#define IOC_EVENTS_MAX 256 /* the newest are kept */
#define IOC_EVENT_LEN 120

void ioc_event_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Calls fn on each kept event, oldest first. Returns how many were ever added. */
uint64_t ioc_events_foreach(void (*fn)(const char *line, void *arg), void *arg);

void ioc_events_clear(void);

#endif /* IOC_EVENTS_H */
