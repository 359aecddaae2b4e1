/* SPDX-License-Identifier: BSD-3-Clause */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "log.h"

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static char ev_ring[IOC_EVENTS_MAX][IOC_EVENT_LEN];
static uint64_t ev_count;

void
ioc_event_add(const char *fmt, ...)
{
	char msg[IOC_EVENT_LEN - 32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);

	pthread_mutex_lock(&ev_lock);
	char *line = ev_ring[ev_count % IOC_EVENTS_MAX];
	size_t n = strftime(line, IOC_EVENT_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(line + n, IOC_EVENT_LEN - n, ".%06ldZ %s", ts.tv_nsec / 1000, msg);
	ev_count++;
	pthread_mutex_unlock(&ev_lock);
	IOC_LOG(NOTICE, watchdog, "%s", msg);
}

uint64_t
ioc_events_foreach(void (*fn)(const char *line, void *arg), void *arg)
{
	uint64_t first, total;

	pthread_mutex_lock(&ev_lock);
	total = ev_count;
	first = total > IOC_EVENTS_MAX ? total - IOC_EVENTS_MAX : 0;
	for (uint64_t i = first; i < total; i++)
		fn(ev_ring[i % IOC_EVENTS_MAX], arg);
	pthread_mutex_unlock(&ev_lock);
	return total;
}

void
ioc_events_clear(void)
{
	pthread_mutex_lock(&ev_lock);
	ev_count = 0;
	pthread_mutex_unlock(&ev_lock);
}
