/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture's control side: starting and stopping, the writer thread, and
 * the telemetry commands:
 *   /iochain/capture_start,VNIC,POINT,COUNT,PATH  {"ok": 0|1, "message"}
 *   /iochain/capture_stop                         {"ok": 1, "message", the status}
 *   /iochain/capture                              the status: "running", "complete",
 *        "vnic", "point", "count", "copied", "written", "dropped", "error", "path"
 */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "capture.h"
#include "capture_priv.h"
#include "fwd.h"
#include "log.h"
#include "telemetry.h"

#define CAPTURE_RING 1024
#define CAPTURE_POOL (2 * CAPTURE_RING - 1)

/* The control side's own state: touched under the telemetry lock and by the writer. */
static struct {
	bool running;
	int last_vnic;
	struct ioc_capture_point point;
	unsigned count;
	uint64_t written;
	int error;
	uint64_t start_ns;
	char path[256];
	rte_pcapng_t *pcapng;
	pthread_t writer;
	bool stop; /* the writer drains the ring once more and ends */
} cap = { .last_vnic = -1 };

int
ioc_capture_parse_point(const char *s, struct ioc_capture_point *p)
{
	const char *n;
	char *end;
	unsigned long slot;

	if (strncmp(s, "before-slot-", 12) == 0) {
		p->after = false;
		n = s + 12;
	} else if (strncmp(s, "after-slot-", 11) == 0) {
		p->after = true;
		n = s + 11;
	} else {
		return -EINVAL;
	}
	slot = strtoul(n, &end, 10);
	if (*n < '0' || *n > '9' || *end != '\0' || slot == 0 || slot > 15)
		return -EINVAL;
	p->slot = (unsigned)slot;
	return 0;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Writes what the lcores copied; drains the ring once more when told to stop. */
static void *
writer_main(void *arg)
{
	struct rte_mbuf *m[64];
	bool last = false;

	RTE_SET_USED(arg);
	while (!last) {
		last = __atomic_load_n(&cap.stop, __ATOMIC_ACQUIRE);
		unsigned n;

		while ((n = rte_ring_sc_dequeue_burst(ioc_capture_g.ring, (void **)m, RTE_DIM(m),
						      NULL)) > 0) {
			if (rte_pcapng_write_packets(cap.pcapng, m, (uint16_t)n) < 0)
				__atomic_store_n(&cap.error, errno != 0 ? errno : EIO,
						 __ATOMIC_RELAXED);
			else
				__atomic_fetch_add(&cap.written, n, __ATOMIC_RELAXED);
		}
		/* Every packet copied: the lcores go back to the plain chain run. */
		if (__atomic_load_n(&ioc_capture_g.left, __ATOMIC_RELAXED) <= 0)
			__atomic_store_n(&ioc_capture_on, 0, __ATOMIC_RELEASE);
		if (!last)
			usleep(1000);
	}
	return NULL;
}

/* The chain position of slot `slot` in vNIC `vnic`'s chain; -1 if it has none. */
static int
slot_position(const struct ioc_dp *dp, unsigned vnic, unsigned slot)
{
	const struct ioc_chain *c = &dp->vnics[vnic].chain;

	for (unsigned i = 0; i < c->n_slots; i++)
		if (c->slot[i].ops->slot == slot)
			return (int)i;
	return -1;
}

static void
set_comments(const char *vnic, struct ioc_capture_point p)
{
	struct capture_global *g = &ioc_capture_g;

	for (unsigned d = 0; d < 2; d++) {
		int len = snprintf(g->comment[d], sizeof(g->comment[d]), "%s %s %s-slot-%u", vnic,
				   d ? "out" : "in", p.after ? "after" : "before", p.slot);

		g->comment_len[d] = (uint16_t)RTE_MIN(len, (int)sizeof(g->comment[d]) - 1);
	}
}

/* Frees what a start made; the lcores no longer see any of it. */
static void
release(void)
{
	struct capture_global *g = &ioc_capture_g;

	if (cap.pcapng != NULL)
		rte_pcapng_close(cap.pcapng);
	cap.pcapng = NULL;
	rte_ring_free(g->ring);
	g->ring = NULL;
	rte_mempool_free(g->pool);
	g->pool = NULL;
}

int
ioc_capture_start(struct ioc_dp *dp, unsigned vnic, struct ioc_capture_point point, unsigned count,
		  const char *path, char *err, size_t errlen)
{
	struct capture_global *g = &ioc_capture_g;
	const char *name;
	struct utsname u;
	char os[160];
	int pos, fd;

	if (cap.running) {
		snprintf(err, errlen, "a capture of %s runs (%s): capture stop first",
			 dp->ports[cap.last_vnic].name, cap.path);
		return -EBUSY;
	}
	if (vnic >= dp->n_vnics || count == 0 || count > IOC_CAPTURE_MAX) {
		snprintf(err, errlen, "COUNT must be 1 to %u", IOC_CAPTURE_MAX);
		return -EINVAL;
	}
	name = dp->ports[vnic].name;
	pos = slot_position(dp, vnic, point.slot);
	if (pos < 0) {
		snprintf(err, errlen, "%s has no slot %u in its chain", name, point.slot);
		return -EINVAL;
	}
	if (path[0] != '/' || strlen(path) >= sizeof(cap.path)) {
		snprintf(err, errlen, "the file must be an absolute path of under %zu characters",
			 sizeof(cap.path));
		return -EINVAL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	else
		snprintf(os, sizeof(os), "Linux");
	g->pool = rte_pktmbuf_pool_create("ioc_capture", CAPTURE_POOL, 0, 0,
					  rte_pcapng_mbuf_size(IOC_CAPTURE_SNAPLEN) +
						  CAPTURE_COMMENT_MAX + 8,
					  (int)rte_socket_id());
	g->ring = rte_ring_create("ioc_capture", CAPTURE_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	cap.pcapng = g->pool != NULL && g->ring != NULL
			     ? rte_pcapng_fdopen(fd, os, NULL, "iochain", NULL)
			     : NULL;
	if (cap.pcapng == NULL) {
		snprintf(err, errlen, "starting the capture: %s", rte_strerror(rte_errno));
		close(fd);
		release();
		return -ENOMEM;
	}
	g->slot_pos = (unsigned)pos;
	g->after = point.after;
	g->port_id = dp->ports[vnic].port_id;
	g->copied = 0;
	g->dropped = 0;
	set_comments(name, point);
	__atomic_store_n(&g->left, (int)count, __ATOMIC_RELAXED);
	cap.point = point;
	cap.count = count;
	cap.written = 0;
	cap.error = 0;
	cap.stop = false;
	cap.start_ns = now_ns();
	snprintf(cap.path, sizeof(cap.path), "%s", path);
	if (pthread_create(&cap.writer, NULL, writer_main, NULL) != 0) {
		snprintf(err, errlen, "starting the capture's writer: %s", strerror(errno));
		release();
		return -EAGAIN;
	}
	cap.running = true;
	cap.last_vnic = (int)vnic;
	__atomic_store_n(&g->vnic, (int)vnic, __ATOMIC_RELEASE);
	__atomic_store_n(&ioc_capture_on, 1, __ATOMIC_RELEASE);
	return 0;
}

void
ioc_capture_stop(struct ioc_dp *dp)
{
	struct capture_global *g = &ioc_capture_g;

	if (!cap.running)
		return;
	__atomic_store_n(&g->vnic, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&ioc_capture_on, 0, __ATOMIC_RELEASE);
	/* No lcore copies any more: the writer's last pass finds everything. */
	ioc_dp_synchronize(dp);
	__atomic_store_n(&cap.stop, true, __ATOMIC_RELEASE);
	pthread_join(cap.writer, NULL);
	rte_pcapng_write_stats(cap.pcapng, g->port_id, "iochain capture", cap.start_ns, now_ns(),
			       g->copied + g->dropped, g->dropped);
	release();
	cap.running = false;
}

void
ioc_capture_status(struct ioc_capture_status *s)
{
	const struct capture_global *g = &ioc_capture_g;

	memset(s, 0, sizeof(*s));
	s->running = cap.running;
	s->vnic = cap.last_vnic;
	s->point = cap.point;
	s->count = cap.count;
	s->copied = __atomic_load_n(&g->copied, __ATOMIC_RELAXED);
	s->dropped = __atomic_load_n(&g->dropped, __ATOMIC_RELAXED);
	s->written = __atomic_load_n(&cap.written, __ATOMIC_RELAXED);
	s->complete = cap.count > 0 && s->copied + s->dropped >= cap.count;
	s->error = __atomic_load_n(&cap.error, __ATOMIC_RELAXED);
	snprintf(s->path, sizeof(s->path), "%s", cap.path);
}

/* ---- telemetry ---------------------------------------------------------- */

static void
status_dict(const struct ioc_tel_view *tv, struct rte_tel_data *d)
{
	struct ioc_capture_status s;
	char point[32];

	ioc_capture_status(&s);
	snprintf(point, sizeof(point), "%s-slot-%u", s.point.after ? "after" : "before",
		 s.point.slot);
	rte_tel_data_add_dict_int(d, "running", s.running);
	rte_tel_data_add_dict_int(d, "complete", s.complete);
	rte_tel_data_add_dict_string(d, "vnic", s.vnic >= 0 ? tv->dp->ports[s.vnic].name : "");
	rte_tel_data_add_dict_string(d, "point", s.vnic >= 0 ? point : "");
	rte_tel_data_add_dict_u64(d, "count", s.count);
	rte_tel_data_add_dict_u64(d, "copied", s.copied);
	rte_tel_data_add_dict_u64(d, "written", s.written);
	rte_tel_data_add_dict_u64(d, "dropped", s.dropped);
	rte_tel_data_add_dict_string(d, "error", s.error != 0 ? strerror(s.error) : "");
	rte_tel_data_add_dict_string(d, "path", s.path);
}

/* "VNIC,POINT,COUNT,PATH": the path is the rest, commas and all. */
static int
capture_start(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	const char *params = arg;
	struct ioc_dp *dp = tv->dp;
	char buf[512], msg[400] = "", *f[4], *end;
	struct ioc_capture_point point;
	unsigned long count;
	int v, rc = -EINVAL;

	if (params == NULL || strlen(params) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	f[0] = buf;
	for (unsigned i = 1; i < 4; i++) {
		f[i] = strchr(f[i - 1], ',');
		if (f[i] == NULL)
			return -EINVAL;
		*f[i]++ = '\0';
	}
	count = strtoul(f[2], &end, 10);
	v = ioc_topo_find_vnic(tv->topo, f[0]);
	if (v < 0)
		snprintf(msg, sizeof(msg), "no vNIC %.64s", f[0]);
	else if (ioc_capture_parse_point(f[1], &point) != 0)
		snprintf(msg, sizeof(msg),
			 "no capture point %.40s: before-slot-N or after-slot-N (N a slot of the "
			 "vNIC's chain: 1, 2, 4)",
			 f[1]);
	else if (f[2][0] < '0' || f[2][0] > '9' || *end != '\0' || count == 0 ||
		 count > IOC_CAPTURE_MAX)
		snprintf(msg, sizeof(msg), "COUNT must be 1 to %u, not %.20s", IOC_CAPTURE_MAX,
			 f[2]);
	else
		rc = ioc_capture_start(dp, (unsigned)v, point, (unsigned)count, f[3], msg,
				       sizeof(msg));
	if (rc == 0)
		snprintf(msg, sizeof(msg),
			 "capturing the next %lu packets of %.64s at %.40s into %s", count, f[0],
			 f[1], f[3]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	rte_tel_data_add_dict_string(d, "message", msg);
	return 0;
}

static int
capture_stop(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	if (!ioc_telemetry_no_params(arg))
		return -EINVAL;
	ioc_capture_stop(tv->dp);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", 1);
	status_dict(tv, d);
	return 0;
}

static int
capture_show(const struct ioc_tel_view *tv, const void *arg, struct rte_tel_data *d)
{
	if (!ioc_telemetry_no_params(arg))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	status_dict(tv, d);
	return 0;
}

RTE_INIT(capture_telemetry_init)
{
	static const struct ioc_tel_cmd cmds[] = {
		{ "/iochain/capture_start", capture_start,
		  "Copy a vNIC's packets at a point to pcapng. Params: "
		  "VNIC,before-slot-N|after-slot-N,COUNT,/PATH",
		  NULL, true },
		{ "/iochain/capture_stop", capture_stop, "Stop the capture and close its file",
		  NULL, true },
		{ "/iochain/capture", capture_show, "The capture's state and counts" },
	};

	ioc_telemetry_register(cmds, RTE_DIM(cmds));
}
