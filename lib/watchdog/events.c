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
static void (*ev_observer)(const char *text);

void
ioc_event_vformat(struct ioc_event_msg *e, const char *fmt, va_list ap)
{
	clock_gettime(CLOCK_REALTIME, &e->ts);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
}

void
ioc_event_post(const struct ioc_event_msg *e)
{
	struct tm tm;

	gmtime_r(&e->ts.tv_sec, &tm);
	pthread_mutex_lock(&ev_lock);
	char *line = ev_ring[ev_count % IOC_EVENTS_MAX];
	size_t n = strftime(line, IOC_EVENT_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(line + n, IOC_EVENT_LEN - n, ".%06ldZ %s", e->ts.tv_nsec / 1000, e->text);
	ev_count++;
	if (ev_observer != NULL)
		ev_observer(e->text);
	pthread_mutex_unlock(&ev_lock);
	IOC_LOG(NOTICE, watchdog, "%s", e->text);
}

void
ioc_event_add(const char *fmt, ...)
{
	struct ioc_event_msg e;
	va_list ap;

	va_start(ap, fmt);
	ioc_event_vformat(&e, fmt, ap);
	va_end(ap);
	ioc_event_post(&e);
}

void
ioc_events_set_observer(void (*fn)(const char *text))
{
	pthread_mutex_lock(&ev_lock);
	ev_observer = fn;
	pthread_mutex_unlock(&ev_lock);
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

uint64_t
ioc_events_newest(unsigned max, size_t budget, size_t (*cost)(const char *line),
		  void (*fn)(const char *line, void *arg), void *arg)
{
	uint64_t first, total;
	size_t spent = 0;

	pthread_mutex_lock(&ev_lock);
	total = ev_count;
	first = total;
	while (first > 0 && total - first < IOC_EVENTS_MAX && total - first < max) {
		size_t c = cost(ev_ring[(first - 1) % IOC_EVENTS_MAX]);

		if (spent + c > budget)
			break;
		spent += c;
		first--;
	}
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
