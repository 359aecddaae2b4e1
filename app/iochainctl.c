/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iochainctl - the operator CLI of iochain.
 *
 * It does not link DPDK: it talks to the running iochain through the DPDK
 * telemetry v2 socket (SOCK_SEQPACKET, one JSON message per reply) and turns
 * the /iochain/... replies into the text formats of DESIGN.md section 6.
 *
 * Adding a subcommand is one line in the commands[] table plus a handler. A
 * table pattern is a list of words: a word of [a-z0-9_-] is a literal the user
 * must type, anything else is a placeholder captured into args[] in order;
 * "[X]" is an optional placeholder (only at the end).
 *
 * Exit codes: 0 ok, 1 runtime error (no server, bad or null reply), 2 usage.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define PROG "iochainctl"

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#define DEFAULT_PREFIX "rte"
#define SOCKET_NAME "dpdk_telemetry.v2"
/* iochain's control socket beside it (lib/telemetry/control.c): what changes iochain. */
#define CONTROL_SOCKET_NAME "iochain_control"
/* Longest argument accepted on the command line. */
#define MAX_ARG_LEN 200
/* DPDK reads a request into a 1024-byte buffer. */
#define MAX_REQUEST_LEN 1023
/* DPDK's MAX_OUTPUT_LEN; the server announces its own value on connect. */
#define MIN_REPLY_BUF 16384
/* Seconds to wait for one reply before giving up. */
#define REPLY_TIMEOUT_S 10
#define MAX_PATTERN_WORDS 16

#define CMD_SUMMARIZE "/iochain/summarize_dvfilter"
#define CMD_STATS "/iochain/stats"
#define CMD_SVM "/iochain/svm"
#define CMD_EVENTS "/iochain/events"
#define CMD_FAULT "/iochain/svm_fault"
#define CMD_PROFILE_SET "/iochain/profile_set"
#define CMD_DFW_RULES "/iochain/dfw_rules"
#define CMD_DFW_CONNECTIONS "/iochain/dfw_connections"
#define CMD_RELOAD "/iochain/reload"
#define CMD_MEMPOOL "/iochain/mempool"
#define CMD_TRACE "/iochain/trace"
#define CMD_TRACE_ARM "/iochain/trace_arm"
#define CMD_TRACE_CLEAR "/iochain/trace_clear"
#define CMD_EXPLAIN "/iochain/explain"
#define CMD_CAPTURE "/iochain/capture"
#define CMD_CAPTURE_START "/iochain/capture_start"
#define CMD_CAPTURE_STOP "/iochain/capture_stop"
/* Largest COUNT of a capture (IOC_CAPTURE_MAX) and the default. */
#define CAPTURE_MAX 100000
#define CAPTURE_DEFAULT "100"
/* Largest COUNT of a trace (IOC_TRACE_MAX) and the default. */
#define TRACE_MAX 256
#define TRACE_DEFAULT "10"

struct ctl {
	const char *prefix;
	const char *runtime_dir; /* NULL: as EAL computes it from the prefix */
	bool control;		 /* the command changes iochain: the control socket */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	char *buf;
	size_t buf_len;
};

typedef int (*cmd_fn)(struct ctl *c, char **args, int nargs);

struct command {
	const char *pattern;
	const char *help;
	cmd_fn fn;
	bool control; /* it changes iochain: sent through the control socket */
};

/* The telemetry commands that change iochain, refused on the telemetry socket. */
static const char *const control_cmds[] = { CMD_FAULT,	     CMD_PROFILE_SET, CMD_RELOAD,
					    CMD_TRACE_ARM,   CMD_TRACE_CLEAR, CMD_CAPTURE_START,
					    CMD_CAPTURE_STOP };

static int cmd_summarize(struct ctl *c, char **args, int nargs);
static int cmd_stats(struct ctl *c, char **args, int nargs);
static int cmd_raw(struct ctl *c, char **args, int nargs);
static int cmd_svm_list(struct ctl *c, char **args, int nargs);
static int cmd_svm_stall(struct ctl *c, char **args, int nargs);
static int cmd_svm_crash(struct ctl *c, char **args, int nargs);
static int cmd_svm_starve(struct ctl *c, char **args, int nargs);
static int cmd_svm_resume(struct ctl *c, char **args, int nargs);
static int cmd_svm_slow(struct ctl *c, char **args, int nargs);
static int cmd_events(struct ctl *c, char **args, int nargs);
static int cmd_profile_set(struct ctl *c, char **args, int nargs);
static int cmd_dfw_rules(struct ctl *c, char **args, int nargs);
static int cmd_dfw_connections(struct ctl *c, char **args, int nargs);
static int cmd_reload(struct ctl *c, char **args, int nargs);
static int cmd_mempool(struct ctl *c, char **args, int nargs);
static int cmd_trace(struct ctl *c, char **args, int nargs);
static int cmd_trace_show(struct ctl *c, char **args, int nargs);
static int cmd_trace_clear(struct ctl *c, char **args, int nargs);
static int cmd_explain(struct ctl *c, char **args, int nargs);
static int cmd_capture(struct ctl *c, char **args, int nargs);
static int cmd_capture_count(struct ctl *c, char **args, int nargs);
static int cmd_capture_stop(struct ctl *c, char **args, int nargs);
static int cmd_capture_show(struct ctl *c, char **args, int nargs);

static const struct command commands[] = {
	{ "show dfw host HOST summarize-dvfilter", "print every vNIC's I/O chain", cmd_summarize,
	  false },
	{ "stats [PORT]", "per-port counters and drops (one port: every counter)", cmd_stats,
	  false },
	{ "svm list",
	  "SVM workers: lcore, state, heartbeat, packets, ring occupancy, watchdog verdicts",
	  cmd_svm_list, false },
	{ "svm stall WORKER", "drill: the worker spins without heartbeat or dequeue", cmd_svm_stall,
	  true },
	{ "svm crash WORKER", "drill: the worker leaves its loop", cmd_svm_crash, true },
	{ "svm starve WORKER", "drill: the worker sleeps without heartbeat, as if preempted",
	  cmd_svm_starve, true },
	{ "svm slow US WORKER", "drill: the worker sleeps US microseconds every loop", cmd_svm_slow,
	  true },
	{ "svm resume WORKER", "end a drill (a crashed worker is launched again)", cmd_svm_resume,
	  true },
	{ "events", "SVM state changes and policy flips, timestamped", cmd_events, false },
	{ "profile set PROFILE fail_open=BOOL",
	  "publish a failure policy; returns once every forwarding lcore applies it",
	  cmd_profile_set, true },
	{ "dfw rules", "dfw rules in file order: priority, action, hits (every page)",
	  cmd_dfw_rules, false },
	{ "dfw connections", "firewall connection tables: entries, capacity, per state",
	  cmd_dfw_connections, false },
	{ "mempool", "the mbuf pool: size, in use now and at start (a leak shows as the gap)",
	  cmd_mempool, false },
	{ "reload", "re-read the topology file, apply its rule changes; returns once applied",
	  cmd_reload, true },
	{ "trace show", "the traced packets: each slot's verdict and why, where each went",
	  cmd_trace_show, false },
	{ "trace clear", "disarm the trace and forget its records", cmd_trace_clear, true },
	{ "trace VNIC [COUNT]",
	  "trace the next COUNT (10, at most 256) packets of a vNIC, both ways", cmd_trace, true },
	{ "explain VNIC DIR PROTO SRC[:PORT] DST[:PORT]",
	  "what the chain would do with such a packet (DIR in|out, PROTO tcp|udp|icmp|N)",
	  cmd_explain, false },
	{ "capture stop", "stop the running capture and close its file", cmd_capture_stop, true },
	{ "capture show", "the capture: its vNIC, point, file and counts", cmd_capture_show,
	  false },
	{ "capture VNIC --point POINT -w FILE",
	  "copy the next 100 packets of a vNIC, both ways, at POINT (before-slot-N, "
	  "after-slot-N) to FILE (pcapng); waits for them, Ctrl-C stops",
	  cmd_capture, true },
	{ "capture VNIC --point POINT --count N -w FILE", "the same for the next N packets",
	  cmd_capture_count, true },
	{ "raw /CMD[,PARAMS]", "send a telemetry command, print the JSON reply as is", cmd_raw,
	  false },
};

#define NB_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
verr(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

static void
usage(FILE *f)
{
	size_t i, w = 0;

	for (i = 0; i < NB_COMMANDS; i++)
		if (strlen(commands[i].pattern) > w)
			w = strlen(commands[i].pattern);
	fprintf(f, "usage: " PROG " [--file-prefix P] [--runtime-dir DIR] COMMAND [ARGS...]\n"
		   "\n"
		   "Queries a running iochain through its DPDK telemetry socket\n"
		   "(<runtime dir>/dpdk/P/" SOCKET_NAME "); what changes iochain (drills,\n"
		   "profile set, reload, trace, capture) goes through its control socket\n"
		   "beside it (" CONTROL_SOCKET_NAME ").\n"
		   "\n"
		   "commands:\n");
	for (i = 0; i < NB_COMMANDS; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, commands[i].pattern, commands[i].help);
	fprintf(f, "\n"
		   "options:\n"
		   "  --file-prefix P    the EAL --file-prefix iochain runs with"
		   " (default \"" DEFAULT_PREFIX "\")\n"
		   "  --runtime-dir DIR  the directory of both sockets (default: EAL's for P,\n"
		   "                     e.g. /var/run/dpdk/P for root)\n"
		   "  -h, --help         print this help\n"
		   "\n"
		   "exit status: 0 ok, 1 runtime error, 2 usage error\n");
}

/* ---- telemetry client ------------------------------------------------- */

/* Where EAL puts the runtime directory (eal_create_runtime_dir), or --runtime-dir. */
static int
socket_path(struct ctl *c)
{
	const char *dir = "/var/run", *name = c->control ? CONTROL_SOCKET_NAME : SOCKET_NAME;
	int n;

	if (getuid() != 0) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");

		dir = (xdg != NULL && xdg[0] != '\0') ? xdg : "/tmp";
	}
	if (c->runtime_dir != NULL)
		n = snprintf(c->path, sizeof(c->path), "%s/%s", c->runtime_dir, name);
	else
		n = snprintf(c->path, sizeof(c->path), "%s/dpdk/%s/%s", dir, c->prefix, name);
	if (n < 0 || (size_t)n >= sizeof(c->path)) {
		err("socket path too long for %s", name);
		return -1;
	}
	return 0;
}

/* Receive one message into c->buf; returns its length or -1 (error printed). */
static ssize_t
recv_msg(struct ctl *c, const char *what)
{
	struct iovec iov = { .iov_base = c->buf, .iov_len = c->buf_len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do {
		n = recvmsg(c->fd, &mh, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			err("iochain did not send %s within %d s", what, REPLY_TIMEOUT_S);
		else
			err("reading %s from %s: %s", what, c->path, strerror(errno));
		return -1;
	}
	if (n == 0) {
		err("iochain closed the connection before sending %s%s", what,
		    strcmp(what, "the greeting") == 0 ? " (too many telemetry clients?)" : "");
		return -1;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		err("%s is longer than %zu bytes, truncated", what, c->buf_len - 1);
		return -1;
	}
	c->buf[n] = '\0';
	return n;
}

/* Parse a reply to "req" (NULL: the greeting); NULL with the error printed. */
static struct json_object *
parse_json(const char *text, const char *req)
{
	enum json_tokener_error jerr;
	struct json_object *o = json_tokener_parse_verbose(text, &jerr);
	const char *why = jerr != json_tokener_success ? "not JSON" : "null";

	if (o != NULL)
		return o;
	if (req != NULL)
		err("bad reply to %s: %s", req, why);
	else
		err("bad greeting from iochain: %s", why);
	return NULL;
}

static int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	struct json_object *hello, *mol;
	int64_t max_len = 0;

	if (socket_path(c) < 0)
		return -1;
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		err("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (c->control && (errno == EACCES || errno == EPERM))
			err("refused: %s: %s (policy, reload, drills, traces and captures need "
			    "access to iochain's control socket; monitoring uses the telemetry "
			    "socket)",
			    c->path, strerror(errno));
		else
			err("cannot connect to iochain (file-prefix %s): %s: %s", c->prefix,
			    c->path, strerror(errno));
		return -1;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	c->buf_len = MIN_REPLY_BUF + 1;
	c->buf = malloc(c->buf_len);
	if (c->buf == NULL) {
		err("out of memory");
		return -1;
	}
	if (recv_msg(c, "the greeting") < 0)
		return -1;
	hello = parse_json(c->buf, NULL);
	if (hello == NULL)
		return -1;
	if (json_object_object_get_ex(hello, "max_output_len", &mol))
		max_len = json_object_get_int64(mol);
	json_object_put(hello);
	/* Some headroom over the announced size for the {"cmd": ...} wrapper. */
	if (max_len > MIN_REPLY_BUF && max_len < (1 << 26)) {
		char *nb = realloc(c->buf, (size_t)max_len + 1024);

		if (nb == NULL) {
			err("out of memory");
			return -1;
		}
		c->buf = nb;
		c->buf_len = (size_t)max_len + 1024;
	}
	return 0;
}

static void
ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/*
 * Send one request and return its reply text in c->buf (NUL-terminated), or
 * NULL with the error printed.
 */
static const char *
request_text(struct ctl *c, const char *req)
{
	size_t len = strlen(req);
	char what[64];
	ssize_t n;

	if (len > MAX_REQUEST_LEN) {
		err("request too long (%zu > %d bytes): %.40s...", len, MAX_REQUEST_LEN, req);
		return NULL;
	}
	do {
		n = send(c->fd, req, len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err("sending %s to %s: %s", req, c->path, strerror(errno));
		return NULL;
	}
	snprintf(what, sizeof(what), "the reply to %.48s", req);
	if (recv_msg(c, what) < 0)
		return NULL;
	return c->buf;
}

/*
 * Send "req" and return the data of its reply {"<cmd>": data}. Returns -1 on
 * error (printed), 0 when data is null (*out = NULL), 1 with *out set to a
 * reference the caller must put.
 */
static int
request(struct ctl *c, const char *req, struct json_object **out)
{
	const char *text = request_text(c, req);
	size_t cmd_len = strcspn(req, ",");
	struct json_object *reply, *data = NULL;
	int found = 0;

	*out = NULL;
	if (text == NULL)
		return -1;
	reply = parse_json(text, req);
	if (reply == NULL)
		return -1;
	if (json_object_get_type(reply) == json_type_object &&
	    json_object_object_length(reply) == 1) {
		json_object_object_foreach(reply, key, val)
		{
			if (strlen(key) == cmd_len && strncmp(key, req, cmd_len) == 0) {
				data = val;
				found = 1;
			}
		}
	}
	if (!found) {
		err("bad reply to %s: expected {\"%.*s\": ...}, got %.60s", req, (int)cmd_len, req,
		    text);
		json_object_put(reply);
		return -1;
	}
	if (data == NULL) {
		json_object_put(reply);
		return 0;
	}
	*out = json_object_get(data);
	json_object_put(reply);
	return 1;
}

/* ---- JSON helpers ----------------------------------------------------- */

/* Text of a scalar (strings as is, numbers as written); NULL for null. */
static const char *
scalar_text(struct json_object *o)
{
	if (o == NULL)
		return NULL;
	if (json_object_get_type(o) == json_type_object ||
	    json_object_get_type(o) == json_type_array)
		return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	return json_object_get_string(o);
}

/* A required scalar field of a reply, as text; NULL (error printed) if absent. */
static const char *
field(struct json_object *obj, const char *key, const char *req)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
		err("bad reply to %s: no \"%s\"", req, key);
		return NULL;
	}
	if (json_object_get_type(v) == json_type_object ||
	    json_object_get_type(v) == json_type_array) {
		err("bad reply to %s: \"%s\" is not a scalar", req, key);
		return NULL;
	}
	s = scalar_text(v);
	return s;
}

/* A required array field; NULL (error printed) if absent or not an array. */
static struct json_object *
array_field(struct json_object *obj, const char *key, const char *req)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    json_object_get_type(v) != json_type_array) {
		err("bad reply to %s: no array \"%s\"", req, key);
		return NULL;
	}
	return v;
}

/* An array of strings only: a null or other entry is a bad reply, never printed. */
static struct json_object *
strings_field(struct json_object *obj, const char *key, const char *req)
{
	struct json_object *v = array_field(obj, key, req);

	for (size_t i = 0; v != NULL && i < json_object_array_length(v); i++) {
		if (json_object_get_type(json_object_array_get_idx(v, i)) != json_type_string) {
			err("bad reply to %s: %s[%zu] is not a string", req, key, i);
			return NULL;
		}
	}
	return v;
}

static bool
need_object(struct json_object *o, const char *req)
{
	if (json_object_get_type(o) != json_type_object) {
		err("bad reply to %s: not an object", req);
		return false;
	}
	return true;
}

/*
 * request() for a reply that must be an object: the object (the caller puts
 * it), or NULL with the error printed; `none` (a printf format) says what a
 * null reply means.
 */
static struct json_object *__attribute__((format(printf, 3, 4)))
request_object(struct ctl *c, const char *req, const char *none, ...)
{
	struct json_object *o;
	int rc = request(c, req, &o);
	va_list ap;

	if (rc == 0) {
		va_start(ap, none);
		verr(none, ap);
		va_end(ap);
	}
	if (rc <= 0)
		return NULL;
	if (!need_object(o, req)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* ---- show dfw host HOST summarize-dvfilter ---------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static const char *const slot_fields[][2] = {
	{ "name", "name" },
	{ "agentName", "agentName" },
	{ "state", "state" },
	{ "vmState", "vmState" },
	{ "failurePolicy", "failurePolicy" },
	{ "slowPathID", "slowPathID" },
	{ "filter_source", "filter source" },
};

static int
print_slot(struct ctl *c, const char *vnic, int64_t slot, unsigned k)
{
	char req[MAX_REQUEST_LEN + 1];
	struct json_object *s;
	size_t i;

	/* A slot listed k times before shows its filter k (slot 4: one per service instance). */
	if (k == 0)
		snprintf(req, sizeof(req), CMD_SUMMARIZE ",%s,%" PRId64, vnic, slot);
	else
		snprintf(req, sizeof(req), CMD_SUMMARIZE ",%s,%" PRId64 ",%u", vnic, slot, k);
	s = request_object(c, req,
			   "iochain has no slot %" PRId64 " on vNIC \"%s\" (%s returned null)",
			   slot, vnic, req);
	if (s == NULL)
		return EXIT_RUNTIME;
	printf("  vNic slot %" PRId64 "\n", slot);
	for (i = 0; i < sizeof(slot_fields) / sizeof(slot_fields[0]); i++) {
		const char *v = field(s, slot_fields[i][0], req);

		if (v == NULL)
			goto fail;
		printf("   %s: %s\n", slot_fields[i][1], v);
	}
	json_object_put(s);
	return EXIT_OK;
fail:
	json_object_put(s);
	return EXIT_RUNTIME;
}

static int
print_vnic(struct ctl *c, const char *vnic, char **last_vm)
{
	char req[MAX_REQUEST_LEN + 1];
	const char *world, *vm, *uuid, *port, *name;
	struct json_object *v, *slots;
	int64_t *ids = NULL;
	size_t i, n;
	unsigned k;
	int ret = EXIT_RUNTIME;

	snprintf(req, sizeof(req), CMD_SUMMARIZE ",%s", vnic);
	v = request_object(c, req, "iochain has no vNIC \"%s\" (%s returned null)", vnic, req);
	if (v == NULL)
		return EXIT_RUNTIME;
	world = field(v, "world", req);
	vm = world ? field(v, "vm", req) : NULL;
	uuid = vm ? field(v, "vc_uuid", req) : NULL;
	port = uuid ? field(v, "switch_port", req) : NULL;
	name = port ? field(v, "vnic", req) : NULL;
	slots = name ? array_field(v, "slots", req) : NULL;
	if (slots == NULL)
		goto out;

	n = json_object_array_length(slots);
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (ids == NULL) {
		err("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(slots, i);

		if (json_object_get_type(e) != json_type_int) {
			err("bad reply to %s: slot %zu is not an integer", req, i);
			goto out;
		}
		ids[i] = json_object_get_int64(e);
	}
	qsort(ids, n, sizeof(*ids), cmp_i64);

	if (*last_vm == NULL || strcmp(*last_vm, vm) != 0) {
		printf("world %s vmm0:%s vcUuid:'%s'\n", world, vm, uuid);
		free(*last_vm);
		*last_vm = strdup(vm);
	}
	printf(" port %s %s\n", port, name);
	for (i = 0, k = 0; i < n; i++) {
		k = i > 0 && ids[i] == ids[i - 1] ? k + 1 : 0;
		if (print_slot(c, vnic, ids[i], k) != EXIT_OK)
			goto out;
	}
	ret = EXIT_OK;
out:
	free(ids);
	json_object_put(v);
	return ret;
}

static int
cmd_summarize(struct ctl *c, char **args, int nargs)
{
	const char *host = args[0];
	struct json_object *top, *vnics;
	const char *have;
	char *last_vm = NULL;
	size_t i;
	int ret = EXIT_RUNTIME;

	(void)nargs;
	top = request_object(c, CMD_SUMMARIZE,
			     "iochain returned no data for " CMD_SUMMARIZE
			     " (is this an iochain?)");
	if (top == NULL)
		return EXIT_RUNTIME;
	have = field(top, "host", CMD_SUMMARIZE);
	if (have == NULL)
		goto out;
	if (strcmp(have, host) != 0) {
		err("no host \"%s\" here (this is host \"%s\")", host, have);
		goto out;
	}
	vnics = array_field(top, "vnics", CMD_SUMMARIZE);
	if (vnics == NULL)
		goto out;
	for (i = 0; i < json_object_array_length(vnics); i++) {
		struct json_object *e = json_object_array_get_idx(vnics, i);

		if (json_object_get_type(e) != json_type_string) {
			err("bad reply to " CMD_SUMMARIZE ": vnic %zu is not a string", i);
			goto out;
		}
		if (print_vnic(c, json_object_get_string(e), &last_vm) != EXIT_OK)
			goto out;
	}
	ret = EXIT_OK;
out:
	free(last_vm);
	json_object_put(top);
	return ret;
}

/* ---- stats [PORT] ----------------------------------------------------- */

/* Every drop counter: the port's own (drop_*, tx_drop_*) and its slots' (swsec_drop_*). */
static bool
is_drop(const char *key)
{
	return strncmp(key, "drop", 4) == 0 || strstr(key, "_drop") != NULL;
}

/*
 * The port's own drops only: a slot's drops are already in the port's
 * drop_out_chain / drop_in_chain, and would be counted twice.
 */
static bool
is_port_drop(const char *key)
{
	return strncmp(key, "drop", 4) == 0 || strncmp(key, "tx_drop", 7) == 0;
}

/* Value of a non-negative integer counter. */
static bool
counter(struct json_object *v, uint64_t *out)
{
	if (json_object_get_type(v) != json_type_int || json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

struct port_row {
	const char *name;
	struct json_object *st;
	char rx[24], tx[24], drops[24];
	const char *kind;
};

static void
set_num(char *dst, size_t len, struct json_object *st, const char *key)
{
	struct json_object *v;
	uint64_t n;

	if (json_object_object_get_ex(st, key, &v) && counter(v, &n))
		snprintf(dst, len, "%" PRIu64, n);
	else
		snprintf(dst, len, "-");
}

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

static int
stats_table(struct ctl *c)
{
	struct json_object *top, *ports;
	struct port_row *rows = NULL;
	size_t i, n = 0;
	int wn = 4, wk = 4, wr = 2, wt = 2, wd = 5;
	bool any_drop = false;
	int ret = EXIT_RUNTIME;

	top = request_object(c, CMD_STATS,
			     "iochain returned no data for " CMD_STATS " (is this an iochain?)");
	if (top == NULL)
		return EXIT_RUNTIME;
	ports = array_field(top, "ports", CMD_STATS);
	if (ports == NULL)
		goto out;
	n = json_object_array_length(ports);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (rows == NULL) {
		err("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct port_row *r = &rows[i];
		struct json_object *e = json_object_array_get_idx(ports, i), *k;
		char req[MAX_REQUEST_LEN + 1];
		uint64_t sum = 0, v;

		if (json_object_get_type(e) != json_type_string) {
			err("bad reply to " CMD_STATS ": port %zu is not a string", i);
			goto out;
		}
		r->name = json_object_get_string(e);
		snprintf(req, sizeof(req), CMD_STATS ",%s", r->name);
		r->st = request_object(c, req, "iochain returned no data for port \"%s\" (%s)",
				       r->name, req);
		if (r->st == NULL)
			goto out;
		r->kind = "-";
		if (json_object_object_get_ex(r->st, "kind", &k) && scalar_text(k) != NULL)
			r->kind = scalar_text(k);
		set_num(r->rx, sizeof(r->rx), r->st, "rx");
		set_num(r->tx, sizeof(r->tx), r->st, "tx");
		json_object_object_foreach(r->st, key, val)
		{
			if (is_drop(key) && counter(val, &v))
				any_drop |= v != 0;
			if (is_port_drop(key) && counter(val, &v))
				sum += v;
		}
		snprintf(r->drops, sizeof(r->drops), "%" PRIu64, sum);
		wn = max_int(wn, (int)strlen(r->name));
		wk = max_int(wk, (int)strlen(r->kind));
		wr = max_int(wr, (int)strlen(r->rx));
		wt = max_int(wt, (int)strlen(r->tx));
		wd = max_int(wd, (int)strlen(r->drops));
	}

	printf("%-*s  %-*s  %*s  %*s  %*s\n", wn, "port", wk, "kind", wr, "rx", wt, "tx", wd,
	       "drops");
	for (i = 0; i < n; i++)
		printf("%-*s  %-*s  %*s  %*s  %*s\n", wn, rows[i].name, wk, rows[i].kind, wr,
		       rows[i].rx, wt, rows[i].tx, wd, rows[i].drops);
	if (any_drop) {
		printf("\ndrops:\n");
		for (i = 0; i < n; i++) {
			json_object_object_foreach(rows[i].st, key, val)
			{
				uint64_t v;

				if (is_drop(key) && counter(val, &v) && v != 0)
					printf("  %s: %s = %" PRIu64 "\n", rows[i].name, key, v);
			}
		}
	}
	ret = EXIT_OK;
out:
	for (i = 0; rows != NULL && i < n; i++)
		json_object_put(rows[i].st);
	free(rows);
	json_object_put(top);
	return ret;
}

static int
stats_port(struct ctl *c, const char *port)
{
	char req[MAX_REQUEST_LEN + 1];
	struct json_object *st;
	int w = 0;

	snprintf(req, sizeof(req), CMD_STATS ",%s", port);
	st = request_object(c, req, "no port \"%s\" (%s returned null)", port, req);
	if (st == NULL)
		return EXIT_RUNTIME;
	json_object_object_foreach(st, k1, v1)
	{
		(void)v1;
		w = max_int(w, (int)strlen(k1));
	}
	json_object_object_foreach(st, key, val)
	{
		const char *t = scalar_text(val);

		printf("%-*s  %s\n", w, key, t ? t : "null");
	}
	json_object_put(st);
	return EXIT_OK;
}

static int
cmd_stats(struct ctl *c, char **args, int nargs)
{
	return nargs == 0 ? stats_table(c) : stats_port(c, args[0]);
}

/* ---- svm list --------------------------------------------------------- */

static const char *const svm_columns[] = {
	"instance",	"role",		"lcore",     "state",	     "fault",	   "heartbeat",
	"in",		"allow",	"drop_rule", "drop_default", "ring",	   "near_misses",
	"preempted_ms", "watchdog",	"appliance", "link",	     "rtt_p50_us", "rtt_p99_us",
	"probe_age_ms", "svm_returned", "svm_lost",
};
#define NB_SVM_COLUMNS (sizeof(svm_columns) / sizeof(svm_columns[0]))

static int
cmd_svm_list(struct ctl *c, char **args, int nargs)
{
	struct json_object *top, *workers, **st = NULL;
	int w[NB_SVM_COLUMNS + 1], ret = EXIT_RUNTIME;
	size_t n = 0, i, k;

	(void)args;
	(void)nargs;
	top = request_object(c, CMD_SVM, "iochain returned no data for " CMD_SVM);
	if (top == NULL)
		return EXIT_RUNTIME;
	if ((workers = strings_field(top, "workers", CMD_SVM)) == NULL)
		goto out;
	n = json_object_array_length(workers);
	st = calloc(n + 1, sizeof(*st));
	if (st == NULL)
		goto out;
	w[0] = (int)strlen("worker");
	for (k = 0; k < NB_SVM_COLUMNS; k++)
		w[k + 1] = (int)strlen(svm_columns[k]);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(workers, i));
		char req[MAX_REQUEST_LEN + 1];

		snprintf(req, sizeof(req), CMD_SVM ",%s", name ? name : "");
		st[i] = request_object(c, req, "iochain returned no data for worker \"%s\"", name);
		if (st[i] == NULL)
			goto out;
		w[0] = max_int(w[0], (int)strlen(name));
		for (k = 0; k < NB_SVM_COLUMNS; k++) {
			struct json_object *v;
			const char *t = json_object_object_get_ex(st[i], svm_columns[k], &v)
						? scalar_text(v)
						: NULL;
			w[k + 1] = max_int(w[k + 1], t ? (int)strlen(t) : 1);
		}
	}
	printf("%-*s", w[0], "worker");
	for (k = 0; k < NB_SVM_COLUMNS; k++)
		printf("  %*s", w[k + 1], svm_columns[k]);
	printf("\n");
	for (i = 0; i < n; i++) {
		printf("%-*s", w[0], json_object_get_string(json_object_array_get_idx(workers, i)));
		for (k = 0; k < NB_SVM_COLUMNS; k++) {
			struct json_object *v;
			const char *t = json_object_object_get_ex(st[i], svm_columns[k], &v)
						? scalar_text(v)
						: NULL;
			printf("  %*s", w[k + 1], t ? t : "-");
		}
		printf("\n");
	}
	ret = EXIT_OK;
out:
	for (i = 0; st != NULL && i < n; i++)
		json_object_put(st[i]);
	free(st);
	json_object_put(top);
	return ret;
}

/* ---- dfw rules, dfw connections ---------------------------------------- */

/* Appends every entry of array `from` to `to`. */
static void
append_all(struct json_object *to, struct json_object *from)
{
	for (size_t i = 0; i < json_object_array_length(from); i++)
		json_object_array_add(to, json_object_get(json_object_array_get_idx(from, i)));
}

/* The rules come in pages of what one reply holds: "next" is where the following one starts. */
static int
cmd_dfw_rules(struct ctl *c, char **args, int nargs)
{
	const char *keys[] = { "rules", "priority", "action", "hits" };
	struct json_object *all[4], *top = NULL;
	int ret = EXIT_RUNTIME, w = (int)strlen("rule");
	int64_t start = 0, next, total = -1;
	char req[64];
	size_t n, i;

	(void)args;
	(void)nargs;
	for (i = 0; i < 4; i++)
		all[i] = json_object_new_array();
	do {
		struct json_object *page[4], *v;

		snprintf(req, sizeof(req), CMD_DFW_RULES ",%" PRId64, start);
		top = request_object(c, start == 0 ? CMD_DFW_RULES : req,
				     "iochain returned no data for %s", req);
		if (top == NULL)
			goto out;
		for (i = 0; i < 4; i++)
			if ((page[i] = array_field(top, keys[i], CMD_DFW_RULES)) == NULL)
				goto out;
		if (!json_object_object_get_ex(top, "next", &v)) {
			next = -1; /* a server without pages: one reply holds them all */
		} else {
			int64_t t = -1;

			next = json_object_get_int64(v);
			if (json_object_object_get_ex(top, "total", &v))
				t = json_object_get_int64(v);
			/* Each page goes on where the last ended, all of them the same total. */
			if (t < 0 || (total >= 0 && t != total) || next < start || next > t ||
			    (next == start && next != t) ||
			    (int64_t)json_object_array_length(page[0]) != next - start) {
				err("bad reply to %s: its pages do not add up (did a reload change "
				    "the rules? run it again)",
				    req);
				goto out;
			}
			total = t;
		}
		for (i = 0; i < 4; i++)
			append_all(all[i], page[i]);
		json_object_put(top);
		top = NULL;
		start = next;
	} while (next >= 0 && next < total);
	n = json_object_array_length(all[0]);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(all[0], i));

		w = max_int(w, name ? (int)strlen(name) : 1);
	}
	printf("%-*s  %8s  %-6s  %12s\n", w, "rule", "priority", "action", "hits");
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(all[0], i));
		const char *p = scalar_text(json_object_array_get_idx(all[1], i));
		const char *a = scalar_text(json_object_array_get_idx(all[2], i));
		const char *h = scalar_text(json_object_array_get_idx(all[3], i));

		printf("%-*s  %8s  %-6s  %12s\n", w, name ? name : "-", p ? p : "-", a ? a : "-",
		       h ? h : "-");
	}
	ret = EXIT_OK;
out:
	json_object_put(top);
	for (i = 0; i < 4; i++)
		json_object_put(all[i]);
	return ret;
}

/* A reply that is one flat object: "key value" lines. */
static int
print_flat(struct ctl *c, const char *cmd)
{
	struct json_object *top;

	top = request_object(c, cmd, "iochain returned no data for %s", cmd);
	if (top == NULL)
		return EXIT_RUNTIME;
	json_object_object_foreach(top, key, val)
	{
		const char *t = scalar_text(val);

		printf("%-16s %s\n", key, t ? t : "-");
	}
	json_object_put(top);
	return EXIT_OK;
}

static int
cmd_dfw_connections(struct ctl *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	return print_flat(c, CMD_DFW_CONNECTIONS);
}

static int
cmd_mempool(struct ctl *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	return print_flat(c, CMD_MEMPOOL);
}

/* ---- svm stall|crash|slow|resume, events, profile set ------------------ */

/* Sends req; prints nothing on success; a null reply is the error `what`. */
static int
simple_request(struct ctl *c, const char *req, const char *what)
{
	struct json_object *r;
	int rc = request(c, req, &r);

	if (rc <= 0) {
		if (rc == 0)
			err("%s (%s returned null)", what, req);
		return EXIT_RUNTIME;
	}
	json_object_put(r);
	return EXIT_OK;
}

static int
svm_fault(struct ctl *c, const char *worker, const char *action, const char *us)
{
	char req[MAX_REQUEST_LEN + 1], what[160];

	snprintf(req, sizeof(req), CMD_FAULT ",%s,%s%s%s", worker, action, us ? "," : "",
		 us ? us : "");
	snprintf(what, sizeof(what), "no SVM worker \"%s\" (svm list shows them)", worker);
	int rc = simple_request(c, req, what);
	if (rc == EXIT_OK)
		printf("%s: %s%s%s\n", worker, action, us ? " " : "", us ? us : "");
	return rc;
}

static int
cmd_svm_stall(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return svm_fault(c, args[0], "stall", NULL);
}

static int
cmd_svm_crash(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return svm_fault(c, args[0], "crash", NULL);
}

static int
cmd_svm_starve(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return svm_fault(c, args[0], "starve", NULL);
}

static int
cmd_svm_resume(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return svm_fault(c, args[0], "resume", NULL);
}

static int
cmd_svm_slow(struct ctl *c, char **args, int nargs)
{
	const char *p = args[0];

	(void)nargs;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			break;
	}
	/* The bounds the server applies (telemetry.c cmd_svm_fault): refused here, with the reason.
	 */
	if (*args[0] == '\0' || *p != '\0' || strlen(args[0]) > 7 || atol(args[0]) == 0 ||
	    atol(args[0]) > 1000000) {
		err("svm slow: US must be 1..1000000 microseconds, not \"%s\"", args[0]);
		return EXIT_USAGE;
	}
	return svm_fault(c, args[1], "slow", args[0]);
}

/*
 * {"total", "events": [lines], "continued": [pieces], "continued_of": [indices]}: a line
 * longer than a telemetry string goes on in "continued", piece k after events[continued_of[k]].
 */
static int
cmd_events(struct ctl *c, char **args, int nargs)
{
	struct json_object *top, *ev, *more = NULL, *of = NULL;
	int ret = EXIT_RUNTIME;
	size_t n, k = 0;

	(void)args;
	(void)nargs;
	top = request_object(c, CMD_EVENTS, "iochain returned no data for " CMD_EVENTS);
	if (top == NULL)
		return EXIT_RUNTIME;
	if ((ev = strings_field(top, "events", CMD_EVENTS)) == NULL)
		goto out;
	if (json_object_object_get_ex(top, "continued", NULL) &&
	    ((more = strings_field(top, "continued", CMD_EVENTS)) == NULL ||
	     (of = array_field(top, "continued_of", CMD_EVENTS)) == NULL))
		goto out;
	n = json_object_array_length(ev);
	if (more != NULL && json_object_array_length(of) != json_object_array_length(more)) {
		err("bad reply to %s: \"continued\" and \"continued_of\" differ in length",
		    CMD_EVENTS);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		fputs(json_object_get_string(json_object_array_get_idx(ev, i)), stdout);
		/* The pieces come in order, each after the event it continues. */
		for (; more != NULL && k < json_object_array_length(more); k++) {
			struct json_object *idx = json_object_array_get_idx(of, k);

			if (json_object_get_type(idx) != json_type_int ||
			    json_object_get_int64(idx) < (int64_t)i ||
			    json_object_get_int64(idx) >= (int64_t)n) {
				putchar('\n');
				err("bad reply to %s: continued_of[%zu] is not an index in order",
				    CMD_EVENTS, k);
				goto out;
			}
			if (json_object_get_int64(idx) != (int64_t)i)
				break;
			fputs(json_object_get_string(json_object_array_get_idx(more, k)), stdout);
		}
		putchar('\n');
	}
	ret = EXIT_OK;
out:
	json_object_put(top);
	return ret;
}

static int
cmd_profile_set(struct ctl *c, char **args, int nargs)
{
	char req[MAX_REQUEST_LEN + 1], what[160];

	(void)nargs;
	if (strcmp(args[1], "fail_open=true") != 0 && strcmp(args[1], "fail_open=false") != 0) {
		err("profile set: expected fail_open=true or fail_open=false, not \"%s\"", args[1]);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), CMD_PROFILE_SET ",%s,%s", args[0], args[1]);
	snprintf(what, sizeof(what), "no service profile \"%s\"", args[0]);
	int rc = simple_request(c, req, what);
	if (rc == EXIT_OK)
		printf("profile %s: %s applied\n", args[0], args[1]);
	return rc;
}

/* ---- reload ----------------------------------------------------------- */

/* {"ok": 0|1, "message": first 127 characters, "message_parts": [pieces] when longer}. */
static int
cmd_reload(struct ctl *c, char **args, int nargs)
{
	struct json_object *top, *ok, *m, *parts = NULL;

	(void)args;
	(void)nargs;
	top = request_object(c, CMD_RELOAD, "iochain returned no data for " CMD_RELOAD);
	if (top == NULL)
		return EXIT_RUNTIME;
	if (!json_object_object_get_ex(top, "ok", &ok)) {
		err("bad reply to " CMD_RELOAD ": no \"ok\"");
		json_object_put(top);
		return EXIT_RUNTIME;
	}
	bool success = json_object_get_int(ok) != 0;
	FILE *out = success ? stdout : stderr;

	if (json_object_object_get_ex(top, "message_parts", &parts) &&
	    (parts = strings_field(top, "message_parts", CMD_RELOAD)) == NULL) {
		json_object_put(top);
		return EXIT_RUNTIME;
	}
	if (!success)
		fprintf(out, "iochainctl: reload failed, the running config is kept: ");
	if (parts != NULL) {
		for (size_t i = 0; i < json_object_array_length(parts); i++)
			fputs(json_object_get_string(json_object_array_get_idx(parts, i)), out);
		fputc('\n', out);
	} else if (json_object_object_get_ex(top, "message", &m)) {
		fprintf(out, "%s\n", json_object_get_string(m));
	} else {
		fprintf(out, "%s\n", success ? "reloaded" : "no reason given");
	}
	json_object_put(top);
	return success ? EXIT_OK : EXIT_RUNTIME;
}

/* ---- trace ------------------------------------------------------------ */

/* {"ok": 0|1, "message"}: the message to stdout, or to stderr with exit 1. */
static int
ok_message(struct ctl *c, const char *req)
{
	struct json_object *top, *ok, *m;

	top = request_object(c, req, "iochain returned no data for %s", req);
	if (top == NULL)
		return EXIT_RUNTIME;
	if (!json_object_object_get_ex(top, "ok", &ok) ||
	    !json_object_object_get_ex(top, "message", &m)) {
		err("bad reply to %s: no \"ok\" and \"message\"", req);
		json_object_put(top);
		return EXIT_RUNTIME;
	}
	bool success = json_object_get_int(ok) != 0;

	if (success)
		printf("%s\n", json_object_get_string(m));
	else
		err("%s", json_object_get_string(m));
	json_object_put(top);
	return success ? EXIT_OK : EXIT_RUNTIME;
}

static int
cmd_trace(struct ctl *c, char **args, int nargs)
{
	char req[MAX_REQUEST_LEN + 1];
	const char *count = nargs > 1 ? args[1] : TRACE_DEFAULT;
	const char *p = count;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*count == '\0' || *p != '\0' || strlen(count) > 3 || atoi(count) < 1 ||
	    atoi(count) > TRACE_MAX) {
		err("trace: COUNT must be 1..%d packets, not \"%s\"", TRACE_MAX, count);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), CMD_TRACE_ARM ",%s,%s", args[0], count);
	return ok_message(c, req);
}

static int
cmd_trace_clear(struct ctl *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	return ok_message(c, CMD_TRACE_CLEAR);
}

/* {"ok": 0, "message"} or a record's "lines". */
static int
print_lines(struct ctl *c, const char *req, const char *head)
{
	struct json_object *rec, *lines, *ok, *m;

	rec = request_object(c, req, "iochain returned no data for %s", req);
	if (rec == NULL)
		return EXIT_RUNTIME;
	if (json_object_object_get_ex(rec, "ok", &ok) && json_object_get_int(ok) == 0) {
		json_object_object_get_ex(rec, "message", &m);
		err("%s", m != NULL ? json_object_get_string(m) : "refused");
		json_object_put(rec);
		return EXIT_RUNTIME;
	}
	if ((lines = strings_field(rec, "lines", req)) == NULL) {
		json_object_put(rec);
		return EXIT_RUNTIME;
	}
	for (size_t k = 0; k < json_object_array_length(lines); k++)
		printf("%s%s\n", k == 0 ? head : "",
		       json_object_get_string(json_object_array_get_idx(lines, k)));
	json_object_put(rec);
	return EXIT_OK;
}

static int
cmd_explain(struct ctl *c, char **args, int nargs)
{
	char req[MAX_REQUEST_LEN + 1];

	(void)nargs;
	snprintf(req, sizeof(req), CMD_EXPLAIN ",%s,%s,%s,%s,%s", args[0], args[1], args[2],
		 args[3], args[4]);
	return print_lines(c, req, "");
}

/* Record i's "lines", each printed as is. */
static int
print_trace_record(struct ctl *c, int64_t i)
{
	char req[64], head[32];

	snprintf(req, sizeof(req), CMD_TRACE ",%" PRId64, i);
	snprintf(head, sizeof(head), "#%" PRId64 " ", i + 1);
	return print_lines(c, req, head);
}

static int
cmd_trace_show(struct ctl *c, char **args, int nargs)
{
	struct json_object *top;
	const char *vnic, *armed, *count, *left, *records;

	(void)args;
	(void)nargs;
	top = request_object(c, CMD_TRACE, "iochain returned no data for %s", CMD_TRACE);
	if (top == NULL)
		return EXIT_RUNTIME;
	if ((vnic = field(top, "vnic", CMD_TRACE)) == NULL ||
	    (armed = field(top, "armed", CMD_TRACE)) == NULL ||
	    (count = field(top, "count", CMD_TRACE)) == NULL ||
	    (left = field(top, "left", CMD_TRACE)) == NULL ||
	    (records = field(top, "records", CMD_TRACE)) == NULL) {
		json_object_put(top);
		return EXIT_RUNTIME;
	}
	int64_t n = atoll(records);

	if (*vnic == '\0')
		printf("no trace (iochainctl trace VNIC [COUNT] arms one)\n");
	else
		printf("trace of %s: %" PRId64 " of %s packets recorded%s%s%s\n", vnic, n, count,
		       atoi(armed) ? ", armed, " : "", atoi(armed) ? left : "",
		       atoi(armed) ? " to go" : "");
	json_object_put(top);
	for (int64_t i = 0; i < n; i++)
		if (print_trace_record(c, i) != EXIT_OK)
			return EXIT_RUNTIME;
	return EXIT_OK;
}

/* ---- capture ---------------------------------------------------------- */

static volatile sig_atomic_t capture_interrupted;

static void
on_capture_signal(int sig)
{
	(void)sig;
	capture_interrupted = 1;
}

/* The capture's status fields this command reads; false (said why) if the reply lacks one. */
struct capture_state {
	bool running, complete;
	uint64_t copied, written, dropped;
	char error[128], path[256];
};

static bool
capture_state(struct ctl *c, const char *req, struct capture_state *st)
{
	struct json_object *top;
	const char *running, *complete, *copied, *written, *dropped, *error, *path;
	int rc = request(c, req, &top);

	if (rc <= 0) {
		if (rc == 0)
			err("iochain returned no data for %s", req);
		return false;
	}
	if (!need_object(top, req) || (running = field(top, "running", req)) == NULL ||
	    (complete = field(top, "complete", req)) == NULL ||
	    (copied = field(top, "copied", req)) == NULL ||
	    (written = field(top, "written", req)) == NULL ||
	    (dropped = field(top, "dropped", req)) == NULL ||
	    (error = field(top, "error", req)) == NULL ||
	    (path = field(top, "path", req)) == NULL) {
		json_object_put(top);
		return false;
	}
	st->running = atoi(running) != 0;
	st->complete = atoi(complete) != 0;
	st->copied = strtoull(copied, NULL, 10);
	st->written = strtoull(written, NULL, 10);
	st->dropped = strtoull(dropped, NULL, 10);
	snprintf(st->error, sizeof(st->error), "%s", error);
	snprintf(st->path, sizeof(st->path), "%s", path);
	json_object_put(top);
	return true;
}

/* Stops the capture and says what its file holds. */
static int
capture_finish(struct ctl *c)
{
	struct capture_state st;

	if (!capture_state(c, CMD_CAPTURE_STOP, &st))
		return EXIT_RUNTIME;
	if (st.path[0] == '\0') {
		printf("no capture (iochainctl capture VNIC --point POINT -w FILE starts one)\n");
		return EXIT_OK;
	}
	printf("%" PRIu64 " packets written to %s", st.written, st.path);
	if (st.dropped > 0)
		printf(", %" PRIu64 " not copied (the capture's pool or ring was full)",
		       st.dropped);
	printf("\n");
	if (st.error[0] != '\0') {
		err("writing %s: %s", st.path, st.error);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int
capture_run(struct ctl *c, const char *vnic, const char *point, const char *count, const char *file)
{
	char req[MAX_REQUEST_LEN + 1], path[PATH_MAX];
	const char *p = count;
	struct capture_state st;
	int rc;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*count == '\0' || *p != '\0' || strlen(count) > 6 || atoi(count) < 1 ||
	    atoi(count) > CAPTURE_MAX) {
		err("capture: COUNT must be 1..%d packets, not \"%s\"", CAPTURE_MAX, count);
		return EXIT_USAGE;
	}
	/* iochain writes the file: a relative name is taken from here. */
	if (file[0] == '/') {
		snprintf(path, sizeof(path), "%s", file);
	} else {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", cwd, file) >= sizeof(path)) {
			err("capture: cannot make %s an absolute path", file);
			return EXIT_USAGE;
		}
	}
	if (strchr(path, ',') != NULL) {
		err("capture: the file's path must not hold a comma: %s", path);
		return EXIT_USAGE;
	}
	if ((size_t)snprintf(req, sizeof(req), CMD_CAPTURE_START ",%s,%s,%s,%s", vnic, point, count,
			     path) >= sizeof(req)) {
		err("capture: the file's path is too long: %s", path);
		return EXIT_USAGE;
	}
	rc = ok_message(c, req);
	if (rc != EXIT_OK)
		return rc;
	fflush(stdout);
	signal(SIGINT, on_capture_signal);
	signal(SIGTERM, on_capture_signal);
	/* Until COUNT packets are copied, the capture is stopped elsewhere, or Ctrl-C. */
	while (!capture_interrupted) {
		if (!capture_state(c, CMD_CAPTURE, &st))
			return EXIT_RUNTIME;
		if (st.complete || !st.running)
			break;
		usleep(100 * 1000);
	}
	return capture_finish(c);
}

static int
cmd_capture(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return capture_run(c, args[0], args[1], CAPTURE_DEFAULT, args[2]);
}

static int
cmd_capture_count(struct ctl *c, char **args, int nargs)
{
	(void)nargs;
	return capture_run(c, args[0], args[1], args[2], args[3]);
}

static int
cmd_capture_stop(struct ctl *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	return capture_finish(c);
}

static int
cmd_capture_show(struct ctl *c, char **args, int nargs)
{
	struct json_object *top;
	const char *f[9] = { "running", "complete", "vnic",    "point", "count",
			     "copied",	"written",  "dropped", "path" };
	const char *v[9];
	int rc;

	(void)args;
	(void)nargs;
	rc = request(c, CMD_CAPTURE, &top);
	if (rc <= 0) {
		if (rc == 0)
			err("iochain returned no data for " CMD_CAPTURE);
		return EXIT_RUNTIME;
	}
	if (!need_object(top, CMD_CAPTURE)) {
		json_object_put(top);
		return EXIT_RUNTIME;
	}
	for (unsigned i = 0; i < 9; i++)
		if ((v[i] = field(top, f[i], CMD_CAPTURE)) == NULL) {
			json_object_put(top);
			return EXIT_RUNTIME;
		}
	if (*v[2] == '\0')
		printf("no capture (iochainctl capture VNIC --point POINT -w FILE starts one)\n");
	else
		printf("capture of %s at %s into %s: %s, %s of %s packets copied, %s written, "
		       "%s not copied\n",
		       v[2], v[3], v[8], atoi(v[0]) ? "running" : "stopped", v[5], v[4], v[6],
		       v[7]);
	json_object_put(top);
	return EXIT_OK;
}

/* ---- raw /CMD[,PARAMS] ------------------------------------------------ */

static int
cmd_raw(struct ctl *c, char **args, int nargs)
{
	struct json_object *reply;
	const char *text;
	int ret = EXIT_OK;

	(void)nargs;
	text = request_text(c, args[0]);
	if (text == NULL)
		return EXIT_RUNTIME;
	printf("%s\n", text);
	reply = parse_json(text, args[0]);
	if (reply == NULL)
		return EXIT_RUNTIME;
	if (json_object_get_type(reply) == json_type_object &&
	    json_object_object_length(reply) == 1) {
		json_object_object_foreach(reply, key, val)
		{
			if (val == NULL) {
				err("iochain returned null for %s (unknown command or bad "
				    "parameters)",
				    key);
				ret = EXIT_RUNTIME;
			}
		}
	}
	json_object_put(reply);
	return ret;
}

/* ---- argument handling ------------------------------------------------ */

static bool
is_literal(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '-' ||
		      w[i] == '_'))
			return false;
	return len > 0;
}

/*
 * Match argv against a pattern; on success fill args[] with the placeholders
 * and return their number, else -1. *first_ok tells whether argv[0] matched
 * the pattern's first literal (to tell "unknown command" from "wrong args").
 */
static int
match(const char *pattern, int argc, char **argv, char **args, bool *first_ok)
{
	const char *p = pattern;
	int ai = 0, nargs = 0, wi = 0;

	*first_ok = false;
	while (*p != '\0') {
		size_t len = strcspn(p, " ");
		bool optional = p[0] == '[';

		if (ai >= argc) {
			if (!optional)
				return -1;
		} else if (is_literal(p, len)) {
			if (strlen(argv[ai]) != len || strncmp(argv[ai], p, len) != 0)
				return -1;
			if (wi == 0)
				*first_ok = true;
			ai++;
		} else {
			if (nargs >= MAX_PATTERN_WORDS)
				return -1;
			args[nargs++] = argv[ai++];
		}
		wi++;
		p += len;
		while (*p == ' ')
			p++;
	}
	return ai == argc ? nargs : -1;
}

/* Placeholders end up inside "cmd,params": no commas or control characters. */
static bool
valid_param(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ',' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A raw "/cmd[,params]" whose command changes iochain. */
static bool
is_control_cmd(const char *req)
{
	size_t n = strcspn(req, ",");

	for (size_t k = 0; k < sizeof(control_cmds) / sizeof(control_cmds[0]); k++)
		if (strlen(control_cmds[k]) == n && strncmp(req, control_cmds[k], n) == 0)
			return true;
	return false;
}

static bool
valid_raw(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
main(int argc, char **argv)
{
	struct ctl c = { .prefix = DEFAULT_PREFIX, .fd = -1 };
	char *args[MAX_PATTERN_WORDS];
	const struct command *cmd = NULL;
	bool known = false;
	int i, nargs = -1, ret;

	for (i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (len > MAX_ARG_LEN) {
			err("argument %d is too long (%zu characters, at most %d): \"%.40s...\"", i,
			    len, MAX_ARG_LEN, argv[i]);
			return EXIT_USAGE;
		}
	}

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--file-prefix") == 0) {
			if (i + 1 >= argc) {
				err("option --file-prefix needs a value");
				usage(stderr);
				return EXIT_USAGE;
			}
			c.prefix = argv[++i];
		} else if (strncmp(a, "--file-prefix=", 14) == 0) {
			c.prefix = a + 14;
		} else if (strcmp(a, "--runtime-dir") == 0) {
			if (i + 1 >= argc) {
				err("option --runtime-dir needs a value");
				usage(stderr);
				return EXIT_USAGE;
			}
			c.runtime_dir = argv[++i];
		} else if (strncmp(a, "--runtime-dir=", 14) == 0) {
			c.runtime_dir = a + 14;
		} else {
			err("unknown option \"%s\"", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (c.prefix[0] == '\0' || strchr(c.prefix, '/') != NULL || !valid_param(c.prefix)) {
		err("invalid file-prefix \"%s\"", c.prefix);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		err("no command given");
		usage(stderr);
		return EXIT_USAGE;
	}
	argc -= i;
	argv += i;

	for (size_t k = 0; k < NB_COMMANDS && cmd == NULL; k++) {
		bool first_ok;

		nargs = match(commands[k].pattern, argc, argv, args, &first_ok);
		known |= first_ok;
		if (nargs >= 0)
			cmd = &commands[k];
	}
	if (cmd == NULL) {
		if (known) {
			err("wrong arguments for \"%s\"", argv[0]);
			for (size_t k = 0; k < NB_COMMANDS; k++)
				if (strncmp(commands[k].pattern, argv[0], strlen(argv[0])) == 0 &&
				    (commands[k].pattern[strlen(argv[0])] == ' ' ||
				     commands[k].pattern[strlen(argv[0])] == '\0'))
					fprintf(stderr, "usage: " PROG " [--file-prefix P] %s\n",
						commands[k].pattern);
			fprintf(stderr, "(" PROG " --help lists every command)\n");
			return EXIT_USAGE;
		}
		err("unknown command \"%s\"", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < nargs; i++) {
		bool raw = cmd->fn == cmd_raw;

		if (raw ? (args[i][0] != '/' || !valid_raw(args[i])) : !valid_param(args[i])) {
			err(raw ? "invalid telemetry command \"%s\" (must start with '/')"
				: "invalid argument \"%s\" (no commas or control characters)",
			    args[i]);
			return EXIT_USAGE;
		}
	}

	c.control = cmd->control || (cmd->fn == cmd_raw && is_control_cmd(args[0]));
	if (ctl_connect(&c) < 0) {
		ctl_close(&c);
		return EXIT_RUNTIME;
	}
	ret = cmd->fn(&c, args, nargs);
	ctl_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		err("writing output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return ret;
}
