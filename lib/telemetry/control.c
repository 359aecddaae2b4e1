/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket (README "Security model"). DPDK's telemetry socket
 * cannot tell its callers apart: whoever may read the counters could also
 * flip a failClosed profile to failOpen. So the commands registered as
 * control (ioc_tel_cmd.control: profile_set, svm_fault, reload, trace_arm,
 * trace_clear, capture_start, capture_stop) are refused there, and served
 * on <runtime dir>/iochain_control, whose file mode says who may: 0600
 * (iochain's user), or 0660 with [host] control_group.
 *
 * The socket speaks the telemetry protocol (SOCK_SEQPACKET; the greeting,
 * then one JSON reply per request) by relaying each connection to the
 * telemetry socket, a control command with a secret drawn at start as its
 * first parameter: the command's gate (telemetry.c) checks and strips it.
 * The secret never leaves the process: replies name the command, not its
 * parameters, and nothing logs them. Control threads only: no datapath.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "log.h"
#include "telemetry.h"

#define SECRET_LEN 32 /* hex digits: 128 bits */
/* DPDK reads a request into 1024 bytes; its replies are at most 16 KiB. */
#define REQUEST_MAX 1024
#define REPLY_MAX (16384 + 1024)
#define CLIENTS_MAX 8

static char secret[SECRET_LEN + 1];
static bool secret_set;
static int listen_fd = -1;
static pthread_t accept_thread;
static char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char tel_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static unsigned n_clients; /* under clients_lock */
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;

bool
ioc_control_authorized(const char **params)
{
	const char *p = *params;
	unsigned char diff = 0;

	if (!__atomic_load_n(&secret_set, __ATOMIC_ACQUIRE) || p == NULL ||
	    strnlen(p, SECRET_LEN) < SECRET_LEN || (p[SECRET_LEN] != '\0' && p[SECRET_LEN] != ','))
		return false;
	/* Every character compared: the time says nothing of where they differ. */
	for (unsigned i = 0; i < SECRET_LEN; i++)
		diff |= (unsigned char)(p[i] ^ secret[i]);
	if (diff != 0)
		return false;
	*params = p[SECRET_LEN] == ',' ? p + SECRET_LEN + 1 : p + SECRET_LEN;
	return true;
}

static int
unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t
recv_one(int fd, char *buf, size_t len)
{
	ssize_t n;

	do {
		n = recv(fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	return n;
}

/*
 * "/cmd[,params]" as the telemetry socket must see it: a control command
 * with the secret first. -1 when it does not fit DPDK's request buffer.
 */
static int
forward_request(const char *req, size_t n, char *out, size_t len)
{
	size_t cmd_len = strcspn(req, ",");
	char cmd[REQUEST_MAX];
	int k;

	memcpy(cmd, req, cmd_len);
	cmd[cmd_len] = '\0';
	if (!ioc_telemetry_is_control(cmd))
		k = snprintf(out, len, "%.*s", (int)n, req);
	else if (req[cmd_len] == ',')
		k = snprintf(out, len, "%s,%s,%s", cmd, secret, req + cmd_len + 1);
	else
		k = snprintf(out, len, "%s,%s", cmd, secret);
	return k < 0 || (size_t)k >= len ? -1 : k;
}

/* One client: the telemetry socket's greeting, then request and reply relayed in turn. */
static void *
serve_client(void *arg)
{
	int fd = (int)(intptr_t)arg, tel = unix_connect(tel_path);
	static char overflow_reply[] = "{\"error\": \"request too long\"}";
	char req[REQUEST_MAX], fwd[REQUEST_MAX];
	char *reply = malloc(REPLY_MAX);
	ssize_t n;

	if (tel < 0 || reply == NULL)
		goto out;
	n = recv_one(tel, reply, REPLY_MAX);
	if (n <= 0 || send(fd, reply, (size_t)n, MSG_NOSIGNAL) < 0)
		goto out;
	while ((n = recv_one(fd, req, sizeof(req) - 1)) > 0) {
		int k;

		req[n] = '\0';
		k = forward_request(req, (size_t)n, fwd, sizeof(fwd));
		if (k < 0) {
			if (send(fd, overflow_reply, sizeof(overflow_reply) - 1, MSG_NOSIGNAL) < 0)
				break;
			continue;
		}
		if (send(tel, fwd, (size_t)k, MSG_NOSIGNAL) < 0)
			break;
		n = recv_one(tel, reply, REPLY_MAX);
		if (n <= 0 || send(fd, reply, (size_t)n, MSG_NOSIGNAL) < 0)
			break;
	}
out:
	explicit_bzero(fwd, sizeof(fwd));
	free(reply);
	if (tel >= 0)
		close(tel);
	close(fd);
	pthread_mutex_lock(&clients_lock);
	n_clients--;
	pthread_mutex_unlock(&clients_lock);
	return NULL;
}

static void *
accept_loop(void *arg)
{
	RTE_SET_USED(arg);
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		pthread_t t;
		bool full;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL; /* closed by ioc_control_stop() */
		}
		pthread_mutex_lock(&clients_lock);
		full = n_clients == CLIENTS_MAX;
		n_clients += !full;
		pthread_mutex_unlock(&clients_lock);
		if (full || pthread_create(&t, NULL, serve_client, (void *)(intptr_t)fd) != 0) {
			if (!full) {
				pthread_mutex_lock(&clients_lock);
				n_clients--;
				pthread_mutex_unlock(&clients_lock);
			}
			close(fd); /* the client sees the connection closed before the greeting */
			continue;
		}
		pthread_detach(t);
	}
}

static int
make_secret(void)
{
	unsigned char raw[SECRET_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -errno;
	for (unsigned i = 0; i < sizeof(raw); i++)
		snprintf(secret + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	__atomic_store_n(&secret_set, true, __ATOMIC_RELEASE);
	return 0;
}

int
ioc_control_start(const char *group, char *err, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode = 0600, old_umask;
	gid_t gid = (gid_t)-1;
	int rc;

	if (group != NULL && group[0] != '\0') {
		struct group *g = getgrnam(group);

		if (g == NULL) {
			snprintf(err, len, "[host] control_group: no group \"%s\" on this host",
				 group);
			return -ENOENT;
		}
		gid = g->gr_gid;
		mode = 0660;
	}
	if (snprintf(ctl_path, sizeof(ctl_path), "%s/" IOC_CONTROL_SOCKET,
		     rte_eal_get_runtime_dir()) >= (int)sizeof(ctl_path) ||
	    snprintf(tel_path, sizeof(tel_path), "%s/dpdk_telemetry.v2",
		     rte_eal_get_runtime_dir()) >= (int)sizeof(tel_path)) {
		snprintf(err, len, "control socket: the runtime directory's path is too long");
		return -ENAMETOOLONG;
	}
	rc = make_secret();
	if (rc != 0) {
		snprintf(err, len, "control socket: no random secret: %s", strerror(-rc));
		return rc;
	}
	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		goto fail;
	memcpy(sun.sun_path, ctl_path, sizeof(ctl_path));
	unlink(ctl_path);
	/* Never more open than `mode`, not even between bind and chmod. */
	old_umask = umask(0177);
	rc = bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (rc < 0 || (gid != (gid_t)-1 && chown(ctl_path, (uid_t)-1, gid) < 0) ||
	    chmod(ctl_path, mode) < 0 || listen(listen_fd, CLIENTS_MAX) < 0)
		goto fail;
	if (pthread_create(&accept_thread, NULL, accept_loop, NULL) != 0) {
		errno = EAGAIN;
		goto fail;
	}
	IOC_LOG(INFO, telemetry, "control socket %s (mode %04o%s%s)", ctl_path, (unsigned)mode,
		gid != (gid_t)-1 ? ", group " : "", gid != (gid_t)-1 ? group : "");
	return 0;
fail:
	rc = -errno;
	snprintf(err, len, "control socket %s: %s", ctl_path, strerror(errno));
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	unlink(ctl_path);
	return rc;
}

void
ioc_control_stop(void)
{
	if (listen_fd < 0)
		return;
	shutdown(listen_fd, SHUT_RDWR);
	pthread_join(accept_thread, NULL);
	close(listen_fd);
	listen_fd = -1;
	unlink(ctl_path);
}
