/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events: every state change of an SVM worker, every policy flip, with a
 * wall-clock timestamp (DESIGN.md §5, /iochain/events). Control plane only:
 * the watchdog and the telemetry thread, serialised by a mutex.
 */
#ifndef IOC_EVENTS_H
#define IOC_EVENTS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define IOC_EVENTS_MAX 256 /* the newest are kept */
/*
 * A kept line: timestamp and text, whole (a reload's error names its file and
 * line). A telemetry string holds 127 characters: /iochain/events sends the
 * rest of a longer line in pieces beside it.
 */
#define IOC_EVENT_LEN 512

void ioc_event_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * An event stamped and formatted now, kept and logged later with
 * ioc_event_post(): the watchdog publishes what it decided before it takes
 * the events' lock or writes a log line.
 */
struct ioc_event_msg {
	struct timespec ts;
	char text[IOC_EVENT_LEN];
};

void ioc_event_vformat(struct ioc_event_msg *e, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void ioc_event_post(const struct ioc_event_msg *e);

/* Calls fn on each kept event, oldest first. Returns how many were ever added. */
uint64_t ioc_events_foreach(void (*fn)(const char *line, void *arg), void *arg);

/*
 * The newest kept events, at most max of them and as many as fit budget by
 * cost(line), given to fn oldest first: all under one hold of the lock, so an
 * event added meanwhile can neither push the reply over its budget nor be
 * counted and not given. Returns how many events were ever added up to the
 * last one given.
 */
uint64_t ioc_events_newest(unsigned max, size_t budget, size_t (*cost)(const char *line),
			   void (*fn)(const char *line, void *arg), void *arg);

void ioc_events_clear(void);

/*
 * Called with each event's text as it is kept (NULL: none). Tests check what
 * the rest of the system could see at that instant.
 */
void ioc_events_set_observer(void (*fn)(const char *text));

#endif /* IOC_EVENTS_H */
