/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The events log (lib/watchdog/events.c): lines kept whole, and the window
 * /iochain/events replies with taken in one pass, consistent with its total
 * while events keep coming (audit L10).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "events.h"
#include "tests.h"

static void
find_text(const char *line, void *arg)
{
	const char **want = arg;

	if (*want != NULL && strstr(line, *want) != NULL)
		*want = NULL;
}

/* A reload's error names a long path: the event keeps every character of it. */
static void
test_long_event_whole(void)
{
	char text[400];
	const char *want = text;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text + sizeof(text) - 5, "end!", 4);
	ioc_events_clear();
	ioc_event_add("reload of %s failed", text);
	ioc_events_foreach(find_text, &want);
	CU_ASSERT_PTR_NULL(want);
}

struct window {
	unsigned n;
	long seq[IOC_EVENTS_MAX];
	int contiguous;
};

static void
collect(const char *line, void *arg)
{
	struct window *w = arg;
	const char *s = strstr(line, "seq ");
	long v = s != NULL ? strtol(s + 4, NULL, 10) : -1;

	if (w->n > 0 && v != w->seq[w->n - 1] + 1)
		w->contiguous = 0;
	if (w->n < IOC_EVENTS_MAX)
		w->seq[w->n++] = v;
}

static size_t
cost_one(const char *line)
{
	(void)line;
	return 1;
}

/* The newest, oldest first, as many as max and the budget allow. */
static void
test_newest_window(void)
{
	struct window w = { .contiguous = 1 };
	uint64_t total;

	ioc_events_clear();
	for (int i = 0; i < 10; i++)
		ioc_event_add("seq %d", i);
	total = ioc_events_newest(3, 100, cost_one, collect, &w);
	CU_ASSERT_EQUAL(total, 10);
	CU_ASSERT_EQUAL(w.n, 3);
	CU_ASSERT(w.contiguous);
	CU_ASSERT_EQUAL(w.seq[0], 7);
	CU_ASSERT_EQUAL(w.seq[2], 9);

	memset(&w, 0, sizeof(w));
	w.contiguous = 1;
	total = ioc_events_newest(100, 4, cost_one, collect, &w);
	CU_ASSERT_EQUAL(total, 10);
	CU_ASSERT_EQUAL(w.n, 4);
	CU_ASSERT_EQUAL(w.seq[3], 9);

	memset(&w, 0, sizeof(w));
	w.contiguous = 1;
	total = ioc_events_newest(100, 100, cost_one, collect, &w);
	CU_ASSERT_EQUAL(w.n, 10);
	CU_ASSERT_EQUAL(w.seq[0], 0);
}

static volatile int writer_stop;

static void *
writer(void *arg)
{
	(void)arg;
	for (long i = 0; !writer_stop; i++)
		ioc_event_add("seq %ld", i);
	return NULL;
}

/*
 * While events keep coming, every window holds at most max lines, contiguous,
 * the last of them the one `total` counts up to.
 */
static void
test_newest_consistent_under_writes(void)
{
	unsigned bad_size = 0, bad_total = 0, gaps = 0, full = 0;
	pthread_t t;

	ioc_events_clear();
	writer_stop = 0;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, writer, NULL) == 0);
	for (uint64_t total = 0; total < 100000;) {
		struct window w = { .contiguous = 1 };

		total = ioc_events_newest(5, 1000, cost_one, collect, &w);

		if (w.n > 5)
			bad_size++;
		if (w.n > 0 && (uint64_t)w.seq[w.n - 1] + 1 != total)
			bad_total++;
		gaps += !w.contiguous;
		full += w.n == 5;
	}
	writer_stop = 1;
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(bad_size, 0);
	CU_ASSERT_EQUAL(bad_total, 0);
	CU_ASSERT_EQUAL(gaps, 0);
	CU_ASSERT(full > 0);
	ioc_events_clear();
}

static void
test_events_register(void)
{
	CU_pSuite s = CU_add_suite("events", NULL, NULL);

	CU_add_test(s, "a long event is kept whole", test_long_event_whole);
	CU_add_test(s, "the newest window: max, budget, oldest first", test_newest_window);
	CU_add_test(s, "the window is consistent while events come",
		    test_newest_consistent_under_writes);
}

UNIT_SUITES(test_events_register)
