/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the telemetry commands share (telemetry.h): the running datapath behind
 * one lock, the reload of its file, and the events log's command.
 *   /iochain/events   {"total", "events": [lines]}: the newest that fit one reply
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "events.h"
#include "fwd.h"
#include "log.h"
#include "telemetry.h"

IOC_LOG_TYPE(telemetry);

/*
 * Telemetry callbacks run on DPDK's telemetry thread. The lock orders them
 * against ioc_telemetry_set_dp() at start and stop and against a reload (which
 * changes dp->topo: the callbacks read it under the lock); the datapath never
 * takes it.
 */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ioc_dp *tel_dp;
static char *tel_config; /* the file a reload re-reads; NULL: the embedded demo */

void
ioc_telemetry_set_config(const char *path)
{
	pthread_mutex_lock(&tel_lock);
	free(tel_config);
	tel_config = path != NULL ? strdup(path) : NULL;
	pthread_mutex_unlock(&tel_lock);
}

int
ioc_telemetry_reload(char *msg, size_t len)
{
	int rc;

	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL) {
		snprintf(msg, len, "reload: the datapath is not running");
		rc = -ENODEV;
	} else if (tel_config == NULL) {
		snprintf(msg, len,
			 "reload: iochain runs the embedded pcap demo, there is no file to re-read "
			 "(start it with -c FILE)");
		rc = -ENOENT;
	} else {
		rc = ioc_dp_reload_file(tel_dp, tel_config, msg, len);
	}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

void
ioc_telemetry_set_dp(struct ioc_dp *dp)
{
	pthread_mutex_lock(&tel_lock);
	tel_dp = dp;
	pthread_mutex_unlock(&tel_lock);
}

int
ioc_telemetry_with_dp(ioc_tel_fn fn, const void *arg, struct rte_tel_data *d)
{
	int rc = -ENODEV;

	pthread_mutex_lock(&tel_lock);
	if (tel_dp != NULL) {
		struct ioc_tel_view v = { .dp = tel_dp, .topo = tel_dp->topo, .svc = tel_dp->svc };

		rc = fn(&v, arg, d);
	}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

int
ioc_telemetry_read(const char *params, struct rte_tel_data *d, ioc_tel_fn fn)
{
	return ioc_telemetry_with_dp(fn, params, d);
}

bool
ioc_telemetry_no_params(const char *params)
{
	return params == NULL || *params == '\0';
}

/*
 * The commands registered with a reader. EAL's callback has no argument of its
 * own (DPDK 22.11), so one callback finds the reader by the command's path.
 * Filled by the concepts' RTE_INITs before main, read-only after.
 */
#define IOC_TEL_MAX_READERS 32
static const struct ioc_tel_cmd *readers[IOC_TEL_MAX_READERS];
static unsigned n_readers;

static int
read_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	for (unsigned i = 0; i < n_readers; i++) {
		if (strcmp(readers[i]->path, cmd) == 0)
			return ioc_telemetry_read(params, d, readers[i]->read);
	}
	return -ENOENT;
}

void
ioc_telemetry_register(const struct ioc_tel_cmd *cmds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		telemetry_cb cb = cmds[i].read != NULL ? read_cmd : cmds[i].fn;
		int rc = -ENOSPC;

		if (cmds[i].read == NULL || n_readers < IOC_TEL_MAX_READERS)
			rc = rte_telemetry_register_cmd(cmds[i].path, cb, cmds[i].help);
		if (rc == 0 && cmds[i].read != NULL)
			readers[n_readers++] = &cmds[i];
		if (rc != 0) {
			IOC_LOG(ERR, telemetry, "registering %s: %s", cmds[i].path, strerror(-rc));
			return;
		}
	}
}

void
ioc_telemetry_synchronize(const struct ioc_tel_view *v)
{
	ioc_dp_synchronize(v->dp);
}

/* ---------------------------------------------------------------------------------------------- */
/* /iochain/events */

static void
add_event(const char *line, void *arg)
{
	struct rte_tel_data *a = arg;

	rte_tel_data_add_array_string(a, line);
}

/* The newest events that fit one reply (16 KiB), oldest first. */
#define EVENTS_PER_REPLY 100

struct event_window {
	uint64_t skip;
	struct rte_tel_data *a;
};

static void
add_event_window(const char *line, void *arg)
{
	struct event_window *w = arg;

	if (w->skip > 0)
		w->skip--;
	else
		add_event(line, w->a);
}

static void
count_event(const char *line, void *arg)
{
	RTE_SET_USED(line);
	(*(uint64_t *)arg)++;
}

static int
cmd_events(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct event_window w = { .a = rte_tel_data_alloc() };
	uint64_t kept = 0, total;

	RTE_SET_USED(cmd);
	if (!ioc_telemetry_no_params(params))
		return -EINVAL;
	if (w.a == NULL)
		return -ENOMEM;
	ioc_events_foreach(count_event, &kept);
	w.skip = kept > EVENTS_PER_REPLY ? kept - EVENTS_PER_REPLY : 0;
	rte_tel_data_start_array(w.a, RTE_TEL_STRING_VAL);
	total = ioc_events_foreach(add_event_window, &w);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_container(d, "events", w.a, 0);
	return 0;
}

RTE_INIT(telemetry_events_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/events", NULL, "SVM state changes and policy flips, timestamped",
		  cmd_events },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
