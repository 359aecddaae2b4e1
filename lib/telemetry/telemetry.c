/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the telemetry commands share (telemetry.h): the running datapath behind
 * one lock, the reload of its file, and the events log's command.
 *   /iochain/events   {"total", "events": [lines], "continued": [pieces],
 *                      "continued_of": [indices]}: the newest that fit one reply
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
 * The commands registered with a reader, and the control commands. EAL's
 * callback has no argument of its own (DPDK 22.11), so one callback finds the
 * command by its path. Filled by the concepts' RTE_INITs before main,
 * read-only after.
 */
#define IOC_TEL_MAX_CMDS 32
static const struct ioc_tel_cmd *dispatched[IOC_TEL_MAX_CMDS];
static unsigned n_dispatched;

static const struct ioc_tel_cmd *
find_cmd(const char *cmd)
{
	for (unsigned i = 0; i < n_dispatched; i++)
		if (strcmp(dispatched[i]->path, cmd) == 0)
			return dispatched[i];
	return NULL;
}

bool
ioc_telemetry_is_control(const char *cmd)
{
	const struct ioc_tel_cmd *c = find_cmd(cmd);

	return c != NULL && c->control;
}

/*
 * What a control command's caller on the telemetry socket gets: DPDK cannot
 * tell its callers apart, so whoever may read the counters could otherwise
 * flip failClosed to failOpen.
 */
static int
refuse(const char *cmd, struct rte_tel_data *d)
{
	char msg[RTE_TEL_MAX_STRING_LEN];

	snprintf(msg, sizeof(msg),
		 "refused: %s is served on the control socket (" IOC_CONTROL_SOCKET
		 "), not on telemetry",
		 cmd);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", 0);
	rte_tel_data_add_dict_string(d, "message", msg);
	return 0;
}

/* The reader under the lock, or the command's own callback; a control command with the secret. */
static int
dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ioc_tel_cmd *c = find_cmd(cmd);

	if (c == NULL)
		return -ENOENT;
	if (c->control && !ioc_control_authorized(&params))
		return refuse(cmd, d);
	return c->read != NULL ? ioc_telemetry_read(params, d, c->read) : c->fn(cmd, params, d);
}

void
ioc_telemetry_register(const struct ioc_tel_cmd *cmds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		bool table = cmds[i].read != NULL || cmds[i].control;
		int rc = -ENOSPC;

		if (!table || n_dispatched < IOC_TEL_MAX_CMDS)
			rc = rte_telemetry_register_cmd(cmds[i].path, table ? dispatch : cmds[i].fn,
							cmds[i].help);
		if (rc == 0 && table)
			dispatched[n_dispatched++] = &cmds[i];
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

/* The newest events that fit one reply (DPDK's 16 KiB, less the keys around them), oldest first. */
#define EVENTS_PER_REPLY 100
#define EVENTS_REPLY_BYTES (16384 - 512)
/* A telemetry string: 127 characters. */
#define EVENT_PIECE (RTE_TEL_MAX_STRING_LEN - 1)

/* The length of the piece that starts at s: at most EVENT_PIECE bytes, whole UTF-8 characters. */
static size_t
piece_len(const char *s)
{
	size_t n = strnlen(s, EVENT_PIECE);

	if (s[n] != '\0')
		while (n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return n;
}

/* What a line costs in the JSON reply: its characters as escaped, quotes, commas, piece indices. */
static size_t
event_cost(const char *line)
{
	size_t cost = 0;

	for (const char *p = line; *p != '\0'; p++)
		cost += *p == '"' || *p == '\\' ? 2 : (unsigned char)*p < 0x20 ? 6 : 1;
	for (const char *p = line; *p != '\0'; p += piece_len(p))
		cost += 3 + (p == line ? 0 : 5); /* "", and a continued_of index */
	return cost;
}

struct event_reply {
	struct rte_tel_data *events, *continued, *continued_of;
	unsigned n;
	int rc;
};

static void
add_piece(struct rte_tel_data *a, const char *s, size_t n, int *rc)
{
	char piece[RTE_TEL_MAX_STRING_LEN];

	memcpy(piece, s, n);
	piece[n] = '\0';
	if (rte_tel_data_add_array_string(a, piece) != 0)
		*rc = -ENOSPC;
}

/* The first piece in "events"; the rest, if any, in "continued", each with its event's index. */
static void
add_event(const char *line, void *arg)
{
	struct event_reply *r = arg;
	size_t n = piece_len(line);

	add_piece(r->events, line, n, &r->rc);
	for (line += n; *line != '\0'; line += n) {
		n = piece_len(line);
		add_piece(r->continued, line, n, &r->rc);
		if (rte_tel_data_add_array_u64(r->continued_of, r->n) != 0)
			r->rc = -ENOSPC;
	}
	r->n++;
}

/*
 * {"total", "events": [lines], "continued": [pieces], "continued_of": [indices]}: a line
 * longer than a telemetry string goes on in "continued", piece k after events[continued_of[k]],
 * in order. The lines come from one pass under the events' lock, so "total" counts exactly up
 * to the last one.
 */
static int
cmd_events(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct event_reply r = { .events = rte_tel_data_alloc(),
				 .continued = rte_tel_data_alloc(),
				 .continued_of = rte_tel_data_alloc() };
	uint64_t total;

	RTE_SET_USED(cmd);
	if (!ioc_telemetry_no_params(params))
		r.rc = -EINVAL;
	else if (r.events == NULL || r.continued == NULL || r.continued_of == NULL)
		r.rc = -ENOMEM;
	if (r.rc != 0)
		goto fail;
	rte_tel_data_start_array(r.events, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(r.continued, RTE_TEL_STRING_VAL);
	rte_tel_data_start_array(r.continued_of, RTE_TEL_U64_VAL);
	total = ioc_events_newest(EVENTS_PER_REPLY, EVENTS_REPLY_BYTES, event_cost, add_event, &r);
	if (r.rc != 0) /* the budget keeps every array within DPDK's bounds */
		goto fail;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_container(d, "events", r.events, 0);
	rte_tel_data_add_dict_container(d, "continued", r.continued, 0);
	rte_tel_data_add_dict_container(d, "continued_of", r.continued_of, 0);
	return 0;
fail:
	rte_tel_data_free(r.events);
	rte_tel_data_free(r.continued);
	rte_tel_data_free(r.continued_of);
	return r.rc;
}

RTE_INIT(telemetry_events_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/events", NULL, "SVM state changes and policy flips, timestamped",
		  cmd_events },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
