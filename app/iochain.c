/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iochain: EAL options first, then iochain's own after `--`:
 *
 *   iochain [EAL options] -- [-c FILE] [--stats-interval SEC]
 *   iochain --check -c FILE
 *
 * Without -c the embedded pcap-demo topology runs. The topology is loaded and
 * validated before EAL starts, so a bad file touches no port (exit 2).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "capture.h"
#include "config.h"
#include "fwd.h"
#include "log.h"
#include "pcap_demo_ini.h"
#include "svc.h"
#include "svm_ext.h"
#include "telemetry.h"
#include "watchdog.h"

IOC_LOG_TYPE(main);

#define EXIT_CONFIG 2

struct app_opts {
	const char *config; /* NULL: the embedded pcap demo */
	bool check;
	unsigned stats_interval; /* seconds, 0: none */
	bool stats_interval_set;
};

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t reload_signal;

static void
on_signal(int sig)
{
	quit_signal = sig;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- [-c FILE] [--stats-interval SEC]\n"
		"       %s --check -c FILE\n"
		"  -c, --config FILE       topology INI (default: the embedded pcap demo)\n"
		"  --check                 validate FILE and exit: 0 valid, 2 invalid (no EAL)\n"
		"  --stats-interval SEC    print counters every SEC seconds (0: never; default 1\n"
		"                          for the pcap demo, 0 otherwise)\n"
		"  -h, --help              this text\n",
		prog, prog);
}

/* Returns 0, 1 to exit 0 (help), or -1 on a usage error. */
static int
parse_app_args(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "stats-interval", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->check = true;
			break;
		case 'S': {
			uint32_t v;
			if (ioc_parse_u32(optarg, 0, 86400, &v, NULL) != 0) {
				fprintf(stderr,
					"iochain: --stats-interval: \"%s\" is not 0..86400\n",
					optarg);
				return -1;
			}
			o->stats_interval = v;
			o->stats_interval_set = true;
			break;
		}
		case 'h':
			return 1;
		default:
			fprintf(stderr, "iochain: unknown or incomplete option \"%s\"\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iochain: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int
load_topology(const struct app_opts *o, struct ioc_topology *t)
{
	struct ioc_error err;
	char msg[1024];
	int rc;

	if (o->config != NULL)
		rc = ioc_config_load_file(o->config, t, &err);
	else
		rc = ioc_config_load_string(ioc_pcap_demo_ini, "<embedded pcap-demo.ini>", t, &err);
	if (rc != 0) {
		ioc_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "iochain: %s\n", msg);
	}
	return rc;
}

/* Every lcore the topology names must be enabled, and the main lcore stays control. */
/*
 * One lcore the topology names, at FILE:LINE [SECTION] KEY: enabled in EAL,
 * and not the main lcore unless main_ok. false, with the message, if not.
 */
static bool
lcore_usable(const struct ioc_topology *t, int line, const char *section, const char *key,
	     unsigned id, bool main_ok)
{
	if (!rte_lcore_is_enabled(id)) {
		fprintf(stderr,
			"iochain: %s:%d: [%s] %s: lcore %u is not enabled in EAL (add it to "
			"-l/--lcores)\n",
			t->file, line, section, key, id);
		return false;
	}
	if (!main_ok && id == rte_get_main_lcore()) {
		fprintf(stderr,
			"iochain: %s:%d: [%s] %s: lcore %u is the main lcore, which runs the "
			"control loop; give it another\n",
			t->file, line, section, key, id);
		return false;
	}
	return true;
}

/* How many lcores of list l (KEY of [KIND NAME] at LINE) are not usable. */
static unsigned
lcore_list_unusable(const struct ioc_topology *t, int line, const char *kind, const char *name,
		    const char *key, const struct ioc_lcore_list *l)
{
	char section[IOC_NAME_MAX + 32];
	unsigned bad = 0;

	snprintf(section, sizeof(section), "%s %s", kind, name);
	for (unsigned k = 0; k < l->n; k++)
		bad += !lcore_usable(t, line, section, key, l->id[k], false);
	return bad;
}

/* Every lcore the topology names, against what EAL enabled (--check cannot know). */
static int
check_lcores(const struct ioc_topology *t)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < t->n_uplinks; i++)
		bad += lcore_list_unusable(t, t->uplinks[i].line, "uplink", t->uplinks[i].name,
					   "lcore", &t->uplinks[i].lcores);
	for (unsigned i = 0; i < t->n_vnics; i++)
		bad += lcore_list_unusable(t, t->vnics[i].line, "vnic", t->vnics[i].name, "lcore",
					   &t->vnics[i].lcores);
	for (unsigned i = 0; i < t->n_instances; i++) {
		const struct ioc_service_instance *si = &t->instances[i];

		bad += lcore_list_unusable(t, si->line, "service_instance", si->name, "lcores",
					   &si->lcores);
		bad += lcore_list_unusable(t, si->line, "service_instance", si->name,
					   "standby_lcores", &si->standby_lcores);
	}
	if (t->host.watchdog_lcore >= 0)
		bad += !lcore_usable(t, t->host.line, "host", "watchdog_lcore",
				     (unsigned)t->host.watchdog_lcore, true);
	return bad > 0 ? -EINVAL : 0;
}

/* Counters at the previous print, for rates. */
struct rate_prev {
	uint64_t rx, tx;
};

static void
print_stats(const struct ioc_dp *dp, struct rate_prev *prev, double secs, bool final)
{
	uint64_t c[IOC_PC_MAX];

	printf("%s%-20s %-6s %14s %14s %12s %9s %9s\n", final ? "final counters\n" : "", "port",
	       "kind", "rx", "tx", "drops", "rx Mpps", "tx Mpps");
	for (unsigned p = 0; p < dp->n_ports; p++) {
		uint64_t drops = 0;

		ioc_dp_port_counters(dp, p, c);
		for (unsigned k = 0; k < IOC_PC_MAX; k++) {
			if (strncmp(ioc_port_counter_names[k], "drop", 4) == 0 ||
			    strstr(ioc_port_counter_names[k], "_drop") != NULL)
				drops += c[k];
		}
		double rx = secs > 0 ? (double)(c[IOC_PC_RX] - prev[p].rx) / secs / 1e6 : 0;
		double tx = secs > 0 ? (double)(c[IOC_PC_TX] - prev[p].tx) / secs / 1e6 : 0;
		prev[p] = (struct rate_prev){ .rx = c[IOC_PC_RX], .tx = c[IOC_PC_TX] };
		printf("%-20s %-6s %14" PRIu64 " %14" PRIu64 " %12" PRIu64 " %9.3f %9.3f\n",
		       dp->ports[p].name, dp->ports[p].kind == IOC_PORT_VNIC ? "vnic" : "uplink",
		       c[IOC_PC_RX], c[IOC_PC_TX], drops, rx, tx);
	}
	if (final) {
		struct ioc_pool_usage u;

		ioc_dp_pool_usage(dp, &u);
		printf("mbufs in use: %u at start, %u at stop (pool of %u)\n", u.in_use_start,
		       u.in_use, u.size);
		for (unsigned v = 0; v < dp->n_vnics; v++) {
			const struct ioc_chain *ch = &dp->vnics[v].chain;
			uint64_t sc[64] = { 0 };

			if (ch->n_counters > RTE_DIM(sc))
				continue;
			ioc_dp_slot_counters(dp, v, sc);
			for (unsigned k = 0; k < ch->n_counters; k++) {
				char name[64];

				if (sc[k] == 0)
					continue;
				ioc_chain_counter_name(ch, k, name, sizeof(name));
				printf("  %s: %s = %" PRIu64 "\n", dp->ports[v].name, name, sc[k]);
			}
		}
	}
	fflush(stdout);
}

static int
launch_worker(struct ioc_svm_worker *w)
{
	return rte_eal_remote_launch(ioc_svm_worker_main, w, w->lcore_id);
}

/*
 * The SVM workers (not the standbys: idle until the watchdog needs one), then
 * the forwarding lcores.
 */
static int
launch_lcores(struct ioc_dp *dp)
{
	int rc = 0;

	for (unsigned i = 0; dp->svc != NULL && i < dp->svc->n_workers && rc == 0; i++) {
		struct ioc_svm_worker *w = dp->svc->workers[i];

		if (w->standby)
			continue;
		ioc_watchdog_launching(w);
		rc = launch_worker(w);
		if (rc == 0) {
			ioc_watchdog_launched(w);
		} else {
			ioc_watchdog_not_launched(w);
			fprintf(stderr, "iochain: cannot launch SVM worker %s on lcore %u: %s\n",
				w->name, w->lcore_id, strerror(-rc));
		}
	}
	for (unsigned i = 0; i < dp->n_lcores && rc == 0; i++) {
		rc = rte_eal_remote_launch(ioc_fwd_main, dp->lcores[i], dp->lcores[i]->lcore_id);
		if (rc != 0) {
			fprintf(stderr, "iochain: cannot launch lcore %u: %s\n",
				dp->lcores[i]->lcore_id, strerror(-rc));
			__atomic_store_n(&dp->quit, true, __ATOMIC_RELAXED);
			break;
		}
	}
	return rc;
}

/*
 * The control loop, on the main lcore: the watchdog ticks here every
 * heartbeat_timeout/40 (unless watchdog_lcore gives it an lcore of its own),
 * and only this lcore may launch a worker again.
 */
struct control {
	struct ioc_dp *dp;
	bool own_lcore;	    /* the watchdog runs on watchdog_lcore */
	unsigned rt;	    /* the loop's SCHED_FIFO priority while it ticks; 0: none */
	uint64_t period_us; /* between ticks */
	struct ioc_watchdog_thread wd;
};

/* Where and how often the watchdog ticks; launches it on its own lcore if it has one. */
static int
control_start(struct control *ctl, const struct ioc_topology *t, struct ioc_dp *dp, int rc)
{
	unsigned main_lcore = rte_get_main_lcore();
	uint64_t period = dp->svc != NULL ? ioc_watchdog_period(dp->svc) : rte_get_tsc_hz() / 20;

	memset(ctl, 0, sizeof(*ctl));
	ctl->dp = dp;
	ctl->own_lcore = t->host.watchdog_lcore >= 0 &&
			 (unsigned)t->host.watchdog_lcore != main_lcore && dp->svc != NULL;
	ctl->period_us = RTE_MAX(period * 1000000 / rte_get_tsc_hz(), 1ul);
	if (!ctl->own_lcore && dp->svc != NULL && t->host.watchdog_rt_priority > 0)
		ctl->rt = ioc_watchdog_sched(t->host.watchdog_rt_priority);
	if (ctl->own_lcore && rc == 0) {
		ctl->wd.svc = dp->svc;
		ctl->wd.rt_priority = t->host.watchdog_rt_priority;
		rc = rte_eal_remote_launch(ioc_watchdog_main, &ctl->wd, t->host.watchdog_lcore);
		if (rc != 0)
			fprintf(stderr, "iochain: cannot launch the watchdog on lcore %d\n",
				t->host.watchdog_lcore);
	}
	return rc;
}

struct reload_call {
	char *msg;
	size_t len;
};

static int
reload_file(void *arg)
{
	struct reload_call *r = arg;

	return ioc_telemetry_reload(r->msg, r->len);
}

/* SIGHUP: re-read the file, as /iochain/reload does. */
static void
sighup_reload(const struct control *ctl)
{
	char msg[1024];
	struct reload_call rl = { .msg = msg, .len = sizeof(msg) };
	int rc;

	/* Compiling rules takes long: not at a priority the workers cannot preempt. */
	if (ctl->rt > 0)
		ioc_watchdog_sched(0);
	reload_signal = 0;
	/* Another thread ticks meanwhile, unless the watchdog has an lcore. */
	rc = ctl->own_lcore || ctl->dp->svc == NULL
		     ? reload_file(&rl)
		     : ioc_watchdog_during(ctl->dp->svc, ctl->rt, reload_file, &rl);
	if (rc == 0) {
		printf("iochain: SIGHUP: %s\n", msg);
	} else {
		printf("iochain: SIGHUP: reload failed, running config kept: %s\n", msg);
		IOC_LOG(ERR, main, "SIGHUP: reload failed: %s", msg);
	}
	fflush(stdout);
	if (ctl->rt > 0)
		ioc_watchdog_sched(ctl->rt);
}

/* Ticks until a signal stops iochain: watchdog, worker launches, SIGHUP, periodic stats. */
static void
control_loop(struct control *ctl, struct rate_prev *prev, unsigned stats_interval)
{
	struct ioc_dp *dp = ctl->dp;
	uint64_t hz = rte_get_tsc_hz(), last = rte_get_tsc_cycles();

	while (!quit_signal) {
		rte_delay_us_sleep(ctl->period_us);
		uint64_t tnow = rte_get_tsc_cycles();
		if (dp->svc != NULL) {
			if (!ctl->own_lcore)
				ioc_watchdog_tick(dp->svc, tnow);
			ioc_watchdog_service(dp->svc, launch_worker);
			ioc_svm_ext_service(dp->svc, tnow);
		}
		if (reload_signal)
			sighup_reload(ctl);
		if (stats_interval > 0 && tnow - last >= stats_interval * hz) {
			print_stats(dp, prev, (double)(tnow - last) / hz, false);
			last = tnow;
		}
	}
}

/* Forwarding lcores first, so that nothing new goes to the workers; then the workers. */
static void
stop_lcores(struct control *ctl)
{
	struct ioc_dp *dp = ctl->dp;

	__atomic_store_n(&ctl->wd.stop, true, __ATOMIC_RELEASE);
	/* rte_eal_wait_lcore() spins: never at a priority the lcores it waits for cannot preempt.
	 */
	if (ctl->rt > 0)
		ioc_watchdog_sched(0);
	if (quit_signal)
		printf("iochain: %s, stopping\n", strsignal(quit_signal));
	__atomic_store_n(&dp->quit, true, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < dp->n_lcores; i++)
		rte_eal_wait_lcore(dp->lcores[i]->lcore_id);
	for (unsigned i = 0; dp->svc != NULL && i < dp->svc->n_workers; i++)
		__atomic_store_n(&dp->svc->workers[i]->quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	if (dp->svc != NULL) {
		unsigned n = ioc_svc_drain(dp->svc);

		if (n > 0)
			printf("iochain: freed %u packets in flight to SVMs at stop\n", n);
	}
}

static int
run(struct ioc_topology *t, unsigned stats_interval)
{
	struct control ctl;
	struct rate_prev *prev;
	struct ioc_dp *dp;
	char err[512];
	int rc;

	rc = ioc_dp_create(t, &dp, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "iochain: %s\n", err);
		return 1;
	}
	/* Also without telemetry: SIGHUP reloads through it. */
	ioc_telemetry_set_dp(dp);

	unsigned shared = ioc_dp_mark_shared_cpus(dp);
	if (shared > 0)
		IOC_LOG(INFO, main,
			"%u polling lcores share a CPU with another: they yield after every poll",
			shared);
	rc = launch_lcores(dp);
	IOC_LOG(INFO, main, "host %s: %u vNICs, %u uplinks, %u forwarding lcores", t->host.name,
		t->n_vnics, t->n_uplinks, dp->n_lcores);
	printf("iochain: host %s forwarding (%u vNICs, %u uplinks; TSC %.3f GHz)\n", t->host.name,
	       t->n_vnics, t->n_uplinks, rte_get_tsc_hz() / 1e9);
	fflush(stdout);

	rc = control_start(&ctl, t, dp, rc);
	prev = calloc(dp->n_ports + 1, sizeof(*prev));
	if (rc == 0 && prev != NULL)
		control_loop(&ctl, prev, stats_interval);
	stop_lcores(&ctl);
	if (prev != NULL)
		print_stats(dp, prev, 0, true);
	free(prev);
	ioc_telemetry_set_dp(NULL);
	/* A capture still running keeps what it copied: written, its file closed. */
	ioc_capture_stop(dp);
	ioc_dp_destroy(dp);
	return rc == 0 ? 0 : 1;
}

static void
on_hup(int sig)
{
	RTE_SET_USED(sig);
	/* The control loop re-reads the file (ioc_telemetry_reload) at its next tick. */
	reload_signal = 1;
}

int
main(int argc, char **argv)
{
	struct app_opts opts = { 0 };
	struct ioc_topology topo;
	int sep = -1, eal_argc, rc;

	/*
	 * First: a SIGHUP (a reload by a supervisor, a log rotation) that comes
	 * while EAL and the ports start must not kill the process; it is
	 * handled at the control loop's first tick.
	 */
	signal(SIGHUP, on_hup);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	}
	bool check = false;
	for (int i = 1; i < (sep < 0 ? argc : sep); i++)
		check |= strcmp(argv[i], "--check") == 0;

	/* App options: after `--`, or the whole line in --check mode (no EAL). */
	if (check && sep < 0) {
		rc = parse_app_args(argc, argv, &opts);
		eal_argc = 1;
	} else if (sep >= 0) {
		argv[sep] = argv[0];
		rc = parse_app_args(argc - sep, argv + sep, &opts);
		eal_argc = sep;
	} else {
		rc = 0;
		eal_argc = argc;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
				rc = 1;
		}
	}
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr, argv[0]);
		return rc > 0 ? 0 : EXIT_CONFIG;
	}

	ioc_topo_init(&topo);
	if (load_topology(&opts, &topo) != 0)
		return EXIT_CONFIG;
	if (opts.check) {
		printf("%s: valid (host %s: %u vNICs, %u uplinks, %u dfw rules, %u service "
		       "instances, %u redirect rules)\n",
		       topo.file, topo.host.name, topo.n_vnics, topo.n_uplinks, topo.n_dfw_rules,
		       topo.n_instances, topo.n_redirect_rules);
		ioc_topo_free(&topo);
		return 0;
	}
	if (!opts.stats_interval_set && opts.config == NULL)
		opts.stats_interval = 1;

	rc = rte_eal_init(eal_argc, argv);
	if (rc < 0) {
		fprintf(stderr,
			"iochain: EAL initialisation failed (%s); see the EAL messages above\n",
			rte_strerror(rte_errno));
		ioc_topo_free(&topo);
		return 1;
	}
	if (check_lcores(&topo) != 0) {
		ioc_topo_free(&topo);
		rte_eal_cleanup();
		return EXIT_CONFIG;
	}
	if (rte_pdump_init() != 0)
		IOC_LOG(WARNING, main, "pdump unavailable: %s", rte_strerror(rte_errno));
	/* Policy, rules, drills, traces and captures: only through the control socket. */
	char err[256];
	rc = ioc_control_start(topo.host.control_group, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "iochain: %s: %s\n", topo.file, err);
		rte_pdump_uninit();
		ioc_topo_free(&topo);
		rte_eal_cleanup();
		return rc == -ENOENT ? EXIT_CONFIG : 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ioc_telemetry_set_config(opts.config);

	rc = run(&topo, opts.stats_interval);
	ioc_control_stop();
	ioc_telemetry_set_config(NULL);

	rte_pdump_uninit();
	ioc_topo_free(&topo);
	rte_eal_cleanup();
	return rc;
}
