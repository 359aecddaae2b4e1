/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iocgen: a one-lcore DPDK traffic generator and latency meter.
 *
 *   iocgen [EAL options] -- TX_PORT RX_PORT [--rate PPS] [--seconds S] [--warmup S]
 *          [--drain S] [--size BYTES] [--src-mac M] [--dst-mac M] [--src-ip A]
 *          [--dst-ip A] [--udp-sport P] [--udp-dport P] [--flows N] [--burst N]
 *          [--json FILE] [--cdf FILE] [--quiet]
 *
 * TX_PORT and RX_PORT are port ids or device names (e.g. net_memif0 of an EAL
 * --vdev); they may be the same port. The main lcore alone sends and receives
 * in one loop. Each UDP/IPv4 frame carries a magic, a sequence number and the
 * TSC at which it was handed to the driver; a frame received with the magic
 * gives latency = rdtsc() - its TSC, which assumes one host and an invariant
 * TSC (constant_tsc nonstop_tsc). TX is paced by the TSC: every loop sends what
 * the schedule owes, in bursts that span at most BURST_SPAN_NS of the schedule
 * (32 frames at most), so that at low rates frames leave one or two at a time.
 *
 * Only frames sent after the warm-up are measured: tx counts them, rx counts
 * those received (during the run or the drain that follows it), lost = tx - rx.
 * Exit status: 0 done, 1 runtime error, 2 bad options.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define EXIT_USAGE 2
#define MAX_BURST 32
#define BURST_SPAN_NS 4000 /* a paced burst covers at most this much of the schedule */
#define NB_DESC 1024
#define POOL_MBUFS 8191
#define POOL_CACHE 256
#define GEN_MAGIC 0x10c6e2a7u
#define HDR_LEN                                                                                    \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define MIN_SIZE 64
#define MAX_SIZE 1500

/* Histogram: 100 ns bins up to 1 ms, 10 us bins up to 100 ms, then overflow. */
#define FINE_NS 100
#define FINE_END_NS 1000000
#define COARSE_NS 10000
#define COARSE_END_NS 100000000
#define N_FINE (FINE_END_NS / FINE_NS)
#define N_COARSE ((COARSE_END_NS - FINE_END_NS) / COARSE_NS)
#define N_BINS (N_FINE + N_COARSE + 1)

struct gen_payload {
	uint32_t magic;
	uint64_t seq;
	uint64_t tsc;
} __attribute__((packed));

struct gen_opts {
	uint16_t tx_port;
	uint16_t rx_port;
	double rate;
	double seconds;
	double warmup;
	double drain;
	unsigned size;
	bool have_src_mac;
	struct rte_ether_addr src_mac;
	struct rte_ether_addr dst_mac;
	uint32_t src_ip; /* network order */
	uint32_t dst_ip;
	unsigned udp_sport;
	unsigned udp_dport;
	unsigned flows;
	unsigned burst; /* 0: from the rate */
	const char *json;
	const char *cdf;
	bool quiet;
};

struct gen_stats {
	uint64_t tx;	    /* measured frames the driver took */
	uint64_t tx_all;    /* every frame the driver took, warm-up included */
	uint64_t tx_full;   /* frames the driver refused (freed, not counted as sent) */
	uint64_t rx;	    /* measured frames received */
	uint64_t rx_all;    /* every frame received, with or without the magic */
	uint64_t rx_other;  /* frames without the magic */
	uint64_t rx_window; /* frames with the magic received inside the measured window */
	uint64_t reordered; /* a sequence number below the highest seen (duplicates too) */
	uint64_t max_seq;
	bool any_seq;
	uint64_t hist[N_BINS];
	uint64_t lat_max_ns;
	uint64_t lat_min_ns;
	double lat_sum_ns;
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- TX_PORT RX_PORT [--rate PPS] [--seconds S]\n"
		"       [--warmup S] [--drain S] [--size %d..%d] [--src-mac M] [--dst-mac M]\n"
		"       [--src-ip A] [--dst-ip A] [--udp-sport P] [--udp-dport P] [--flows N]\n"
		"       [--burst 1..%d] [--json FILE] [--cdf FILE] [--quiet]\n"
		"  TX_PORT, RX_PORT: port id or device name; --rate 0 = as fast as possible\n",
		prog, MIN_SIZE, MAX_SIZE, MAX_BURST);
}

static int
bad(const char *what, const char *val)
{
	fprintf(stderr, "iocgen: bad %s: '%s'\n", what, val);
	return -1;
}

static int
parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);

	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int
parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (*s == '-' || *s == '\0')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);

	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (parse_uint(s, 0, RTE_MAX_ETHPORTS - 1, &v) == 0) {
		if (!rte_eth_dev_is_valid_port((uint16_t)v)) {
			fprintf(stderr, "iocgen: no port %lu (%u ports)\n", v,
				rte_eth_dev_count_avail());
			return -1;
		}
		*port = (uint16_t)v;
		return 0;
	}
	if (rte_eth_dev_get_port_by_name(s, port) != 0) {
		fprintf(stderr, "iocgen: no port named '%s' (give its --vdev to EAL)\n", s);
		return -1;
	}
	return 0;
}

static int
parse_ip(const char *s, uint32_t *ip)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return -1;
	*ip = rte_cpu_to_be_32(a << 24 | b << 16 | c << 8 | d);
	return 0;
}

static int
parse_opts(int argc, char **argv, struct gen_opts *o)
{
	enum {
		O_RATE = 256,
		O_SECONDS,
		O_WARMUP,
		O_DRAIN,
		O_SIZE,
		O_SPORT,
		O_DPORT,
		O_FLOWS,
		O_BURST,
		O_SRC_MAC,
		O_DST_MAC,
		O_SRC_IP,
		O_DST_IP,
		O_JSON,
		O_CDF,
		O_QUIET,
		O_HELP,
	};
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, O_RATE },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "drain", required_argument, NULL, O_DRAIN },
		{ "size", required_argument, NULL, O_SIZE },
		{ "src-mac", required_argument, NULL, O_SRC_MAC },
		{ "dst-mac", required_argument, NULL, O_DST_MAC },
		{ "src-ip", required_argument, NULL, O_SRC_IP },
		{ "dst-ip", required_argument, NULL, O_DST_IP },
		{ "udp-sport", required_argument, NULL, O_SPORT },
		{ "udp-dport", required_argument, NULL, O_DPORT },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "burst", required_argument, NULL, O_BURST },
		{ "json", required_argument, NULL, O_JSON },
		{ "cdf", required_argument, NULL, O_CDF },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	/* The numeric options: O_RATE.. are doubles, O_SIZE.. whole numbers. */
	const struct {
		const char *what;
		double lo, hi;
		double *d;
		unsigned *u;
	} num[] = {
		[O_RATE - O_RATE] = { "--rate (0..1e9 packets per second)", 0, 1e9, &o->rate,
				      NULL },
		[O_SECONDS -
			O_RATE] = { "--seconds (0.01..86400)", 0.01, 86400, &o->seconds, NULL },
		[O_WARMUP - O_RATE] = { "--warmup (0..3600)", 0, 3600, &o->warmup, NULL },
		[O_DRAIN - O_RATE] = { "--drain (0..60)", 0, 60, &o->drain, NULL },
		[O_SIZE - O_RATE] = { "--size (64..1500)", MIN_SIZE, MAX_SIZE, NULL, &o->size },
		[O_SPORT - O_RATE] = { "--udp-sport (1..65535)", 1, 65535, NULL, &o->udp_sport },
		[O_DPORT - O_RATE] = { "--udp-dport (1..65535)", 1, 65535, NULL, &o->udp_dport },
		[O_FLOWS - O_RATE] = { "--flows (1..65535)", 1, 65535, NULL, &o->flows },
		[O_BURST - O_RATE] = { "--burst (1..32)", 1, MAX_BURST, NULL, &o->burst },
	};
	unsigned long v = 0;
	int c;

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c >= O_RATE && c <= O_BURST) {
			unsigned i = (unsigned)(c - O_RATE);
			int rc = num[i].d != NULL
					 ? parse_double(optarg, num[i].lo, num[i].hi, num[i].d)
					 : parse_uint(optarg, (unsigned long)num[i].lo,
						      (unsigned long)num[i].hi, &v);

			if (rc != 0)
				return bad(num[i].what, optarg);
			if (num[i].u != NULL)
				*num[i].u = (unsigned)v;
			continue;
		}
		switch (c) {
		case O_SRC_MAC:
			if (rte_ether_unformat_addr(optarg, &o->src_mac) != 0)
				return bad("--src-mac", optarg);
			o->have_src_mac = true;
			break;
		case O_DST_MAC:
			if (rte_ether_unformat_addr(optarg, &o->dst_mac) != 0)
				return bad("--dst-mac", optarg);
			break;
		case O_SRC_IP:
			if (parse_ip(optarg, &o->src_ip) != 0)
				return bad("--src-ip", optarg);
			break;
		case O_DST_IP:
			if (parse_ip(optarg, &o->dst_ip) != 0)
				return bad("--dst-ip", optarg);
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_CDF:
			o->cdf = optarg;
			break;
		case O_QUIET:
			o->quiet = true;
			break;
		case O_HELP:
		default:
			return -1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "iocgen: give TX_PORT and RX_PORT after --\n");
		return -1;
	}
	if (parse_port(argv[optind], &o->tx_port) != 0 ||
	    parse_port(argv[optind + 1], &o->rx_port) != 0)
		return -1;
	if (o->udp_sport + o->flows - 1 > 65535) {
		fprintf(stderr, "iocgen: --udp-sport %u + --flows %u passes 65535\n", o->udp_sport,
			o->flows);
		return -1;
	}
	return 0;
}

static int
port_init(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = NB_DESC, nb_txd = NB_DESC;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		goto fail;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc != 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc != 0)
		goto fail;
	rc = rte_eth_rx_queue_setup(port, 0, nb_rxd, rte_eth_dev_socket_id(port), NULL, mp);
	if (rc != 0)
		goto fail;
	rc = rte_eth_tx_queue_setup(port, 0, nb_txd, rte_eth_dev_socket_id(port), NULL);
	if (rc != 0)
		goto fail;
	/* A memif client cannot start while its server is away or still closing the
	 * previous connection: try again for up to 10 s. */
	for (int i = 0; (rc = rte_eth_dev_start(port)) != 0 && i < 100 && !quit; i++)
		rte_delay_ms(100);
	if (rc != 0)
		goto fail;
	rte_eth_promiscuous_enable(port); /* not every PMD has it: ignored */
	return 0;
fail:
	fprintf(stderr, "iocgen: port %u: setup failed: %s\n", port, rte_strerror(-rc));
	return -1;
}

/* Waits up to 10 s for the link (a memif client waits for its server). */
static int
wait_link(uint16_t port)
{
	for (int i = 0; i < 1000 && !quit; i++) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	}
	fprintf(stderr, "iocgen: port %u: link down after 10 s\n", port);
	return -1;
}

/* One frame's headers; the UDP source port varies per flow. */
static void
build_template(const struct gen_opts *o, uint8_t *frame)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ip_len = (uint16_t)(o->size - sizeof(*eth));

	memset(frame, 0, o->size);
	rte_ether_addr_copy(&o->dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&o->src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = o->src_ip;
	ip->dst_addr = o->dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)o->udp_sport);
	udp->dst_port = rte_cpu_to_be_16((uint16_t)o->udp_dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0; /* optional in IPv4 */
}

static inline void
record(struct gen_stats *st, uint64_t ns)
{
	unsigned bin;

	if (ns < FINE_END_NS)
		bin = (unsigned)(ns / FINE_NS);
	else if (ns < COARSE_END_NS)
		bin = N_FINE + (unsigned)((ns - FINE_END_NS) / COARSE_NS);
	else
		bin = N_BINS - 1;
	st->hist[bin]++;
	if (ns > st->lat_max_ns)
		st->lat_max_ns = ns;
	if (ns < st->lat_min_ns)
		st->lat_min_ns = ns;
	st->lat_sum_ns += (double)ns;
}

/* The upper edge of a bin, in ns (the overflow bin: the maximum seen). */
static uint64_t
bin_edge(const struct gen_stats *st, unsigned bin)
{
	if (bin < N_FINE)
		return (uint64_t)(bin + 1) * FINE_NS;
	if (bin < N_BINS - 1)
		return FINE_END_NS + (uint64_t)(bin - N_FINE + 1) * COARSE_NS;
	return st->lat_max_ns;
}

/* The q-quantile in us: the upper edge of the bin that holds it, at most the max. */
static double
quantile_us(const struct gen_stats *st, uint64_t n, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)n), cum = 0;

	if (n == 0)
		return NAN;
	if (want < 1)
		want = 1;
	for (unsigned b = 0; b < N_BINS; b++) {
		cum += st->hist[b];
		if (cum >= want) {
			uint64_t e = bin_edge(st, b);

			return (double)RTE_MIN(e, st->lat_max_ns) / 1000.0;
		}
	}
	return (double)st->lat_max_ns / 1000.0;
}

struct gen_run {
	const struct gen_opts *o;
	struct rte_mempool *mp;
	struct gen_stats *st;
	uint8_t frame[MAX_SIZE];
	uint64_t hz;
	double ns_per_cycle;
	uint64_t seq;	    /* next sequence number */
	uint64_t first_seq; /* the first measured one */
	bool measuring;	    /* TX is in the measured window */
	bool window;	    /* RX is in the measured window */
	unsigned flow;
};

static void
rx_once(struct gen_run *g)
{
	struct rte_mbuf *pkts[MAX_BURST];
	uint16_t n = rte_eth_rx_burst(g->o->rx_port, 0, pkts, MAX_BURST);

	if (n == 0)
		return;
	uint64_t now = rte_rdtsc();
	struct gen_stats *st = g->st;

	st->rx_all += n;
	for (uint16_t i = 0; i < n; i++) {
		struct gen_payload pl;
		const struct gen_payload *p = rte_pktmbuf_read(pkts[i], HDR_LEN, sizeof(pl), &pl);

		if (p == NULL || p->magic != GEN_MAGIC) {
			st->rx_other++;
			continue;
		}
		uint64_t seq = p->seq, tsc = p->tsc;

		if (st->any_seq && seq < st->max_seq)
			st->reordered++;
		if (!st->any_seq || seq > st->max_seq)
			st->max_seq = seq;
		st->any_seq = true;
		if (g->window)
			st->rx_window++;
		if (seq < g->first_seq || !g->measuring)
			continue; /* warm-up traffic */
		st->rx++;
		record(st, now > tsc ? (uint64_t)((double)(now - tsc) * g->ns_per_cycle) : 0);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Sends n frames (n <= MAX_BURST); returns how many the driver took. */
static unsigned
tx_burst(struct gen_run *g, unsigned n)
{
	const struct gen_opts *o = g->o;
	struct rte_mbuf *pkts[MAX_BURST];

	if (rte_pktmbuf_alloc_bulk(g->mp, pkts, n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(pkts[i], (uint16_t)o->size);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + sizeof(struct rte_ether_hdr) +
								 sizeof(struct rte_ipv4_hdr));

		rte_memcpy(d, g->frame, o->size);
		udp->src_port = rte_cpu_to_be_16((uint16_t)(o->udp_sport + g->flow));
		if (++g->flow == o->flows)
			g->flow = 0;
	}
	uint64_t tsc = rte_rdtsc();

	for (unsigned i = 0; i < n; i++) {
		struct gen_payload pl = { .magic = GEN_MAGIC, .seq = g->seq + i, .tsc = tsc };

		memcpy(rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, HDR_LEN), &pl, sizeof(pl));
	}
	uint16_t sent = rte_eth_tx_burst(o->tx_port, 0, pkts, (uint16_t)n);

	if (sent < n) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		g->st->tx_full += n - sent;
	}
	g->seq += sent;
	g->st->tx_all += sent;
	if (g->measuring)
		g->st->tx += sent;
	return sent;
}

static void
print_report(const struct gen_opts *o, const struct gen_stats *st, double secs, FILE *f)
{
	fprintf(f,
		"iocgen: tx %" PRIu64 " rx %" PRIu64 " lost %" PRId64 " reordered %" PRIu64
		" tx_refused %" PRIu64 " rx_other %" PRIu64 "\n",
		st->tx, st->rx, (int64_t)(st->tx - st->rx), st->reordered, st->tx_full,
		st->rx_other);
	fprintf(f, "iocgen: rate asked %.0f pps, tx %.0f pps, rx %.0f pps over %.3f s\n", o->rate,
		(double)st->tx / secs, (double)st->rx_window / secs, secs);
	fprintf(f,
		"iocgen: latency us: min %.2f p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f "
		"mean %.2f\n",
		st->rx ? (double)st->lat_min_ns / 1000.0 : NAN, quantile_us(st, st->rx, 0.5),
		quantile_us(st, st->rx, 0.9), quantile_us(st, st->rx, 0.99),
		quantile_us(st, st->rx, 0.999), st->rx ? (double)st->lat_max_ns / 1000.0 : NAN,
		st->rx ? st->lat_sum_ns / (double)st->rx / 1000.0 : NAN);
}

static void
json_num(FILE *f, const char *key, double v, const char *sep)
{
	if (isnan(v))
		fprintf(f, "\"%s\": null%s", key, sep);
	else
		fprintf(f, "\"%s\": %.3f%s", key, v, sep);
}

static int
write_json(const char *path, const struct gen_opts *o, const struct gen_stats *st, double secs,
	   uint64_t hz, int64_t leaked)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "iocgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\"rate_asked_pps\": %.0f, \"size\": %u, \"flows\": %u, ", o->rate, o->size,
		o->flows);
	fprintf(f, "\"seconds\": %.6f, \"warmup\": %.3f, \"tsc_hz\": %" PRIu64 ", ", secs,
		o->warmup, hz);
	fprintf(f,
		"\"tx\": %" PRIu64 ", \"rx\": %" PRIu64 ", \"lost\": %" PRId64
		", \"reordered\": %" PRIu64 ", \"tx_refused\": %" PRIu64 ", \"rx_other\": %" PRIu64
		", \"mbufs_leaked\": %" PRId64 ", ",
		st->tx, st->rx, (int64_t)(st->tx - st->rx), st->reordered, st->tx_full,
		st->rx_other, leaked);
	fprintf(f, "\"tx_pps\": %.1f, \"rx_pps\": %.1f, ", (double)st->tx / secs,
		(double)st->rx_window / secs);
	fprintf(f, "\"latency_us\": {");
	json_num(f, "min", st->rx ? (double)st->lat_min_ns / 1000.0 : NAN, ", ");
	json_num(f, "p50", quantile_us(st, st->rx, 0.5), ", ");
	json_num(f, "p90", quantile_us(st, st->rx, 0.9), ", ");
	json_num(f, "p99", quantile_us(st, st->rx, 0.99), ", ");
	json_num(f, "p99.9", quantile_us(st, st->rx, 0.999), ", ");
	json_num(f, "max", st->rx ? (double)st->lat_max_ns / 1000.0 : NAN, ", ");
	json_num(f, "mean", st->rx ? st->lat_sum_ns / (double)st->rx / 1000.0 : NAN, "");
	fprintf(f, "}}\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* "usec fraction" lines: the cumulative fraction at each non-empty bin's upper edge. */
static int
write_cdf(const char *path, const struct gen_stats *st)
{
	FILE *f = fopen(path, "w");
	uint64_t cum = 0;

	if (f == NULL) {
		fprintf(stderr, "iocgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# usec fraction (%" PRIu64 " frames)\n", st->rx);
	for (unsigned b = 0; b < N_BINS && st->rx > 0; b++) {
		if (st->hist[b] == 0)
			continue;
		cum += st->hist[b];
		fprintf(f, "%.3f %.6f\n", (double)RTE_MIN(bin_edge(st, b), st->lat_max_ns) / 1000.0,
			(double)cum / (double)st->rx);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static double
run(struct gen_run *g)
{
	const struct gen_opts *o = g->o;
	uint64_t hz = g->hz;
	unsigned max_burst = o->burst;

	if (max_burst == 0) {
		double span = o->rate * BURST_SPAN_NS / 1e9;

		max_burst = o->rate == 0 ? MAX_BURST : (unsigned)RTE_MAX(1.0, RTE_MIN(span, 32.0));
	}
	uint64_t start = rte_rdtsc();
	uint64_t t_meas = start + (uint64_t)(o->warmup * (double)hz);
	uint64_t t_end = t_meas + (uint64_t)(o->seconds * (double)hz);
	uint64_t t_drain = t_end + (uint64_t)(o->drain * (double)hz);
	uint64_t sched_base = start, sched_sent = 0;
	double pps_per_cycle = o->rate / (double)hz;

	for (;;) {
		uint64_t now = rte_rdtsc();

		if (quit && now < t_end) {
			t_end = now; /* stop early, still drain */
			t_drain = now + (uint64_t)(o->drain * (double)hz);
		}
		if (!g->measuring && now >= t_meas && now < t_end) {
			g->measuring = g->window = true;
			g->first_seq = g->seq;
		}
		if (now >= t_end && g->window)
			g->window = false;
		if (now >= t_drain)
			break;
		if (now < t_end) {
			unsigned n = max_burst;

			if (o->rate > 0) {
				uint64_t owed =
					(uint64_t)((double)(now - sched_base) * pps_per_cycle);

				n = owed > sched_sent ? (unsigned)RTE_MIN(owed - sched_sent,
									  (uint64_t)max_burst)
						      : 0;
				/* A schedule more than 1 ms behind starts again: no catch-up storm.
				 */
				if (owed > sched_sent + (uint64_t)(o->rate / 100) + MAX_BURST) {
					sched_base = now;
					sched_sent = 0;
				}
			}
			if (n > 0)
				sched_sent += n; /* refused frames are not retried */
			if (n > 0)
				tx_burst(g, n);
		}
		rx_once(g);
	}
	if (!g->measuring)
		return 0;
	return (double)(t_end - t_meas) / (double)hz;
}

int
main(int argc, char **argv)
{
	static struct gen_stats st;
	struct gen_opts o = {
		.rate = 0,
		.seconds = 5,
		.warmup = 1,
		.drain = 0.2,
		.size = MIN_SIZE,
		.dst_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x64 } },
		.src_ip = RTE_BE32(0x0a00000b),
		.dst_ip = RTE_BE32(0x0a000064),
		.udp_sport = 1024,
		.udp_dport = 5001,
		.flows = 1,
	};
	static struct gen_run g;
	int ret = EXIT_FAILURE;
	double secs = 0;

	int n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "iocgen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	argv[n] = argv[0];
	if (parse_opts(argc - n, argv + n, &o) != 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct rte_mempool *mp =
		rte_pktmbuf_pool_create("iocgen_pool", POOL_MBUFS, POOL_CACHE, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());

	if (mp == NULL) {
		fprintf(stderr, "iocgen: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	bool two = o.tx_port != o.rx_port;

	if (port_init(o.tx_port, mp) != 0 || (two && port_init(o.rx_port, mp) != 0))
		goto stop;
	if (!o.have_src_mac && rte_eth_macaddr_get(o.tx_port, &o.src_mac) != 0) {
		fprintf(stderr, "iocgen: port %u: no MAC address; give --src-mac\n", o.tx_port);
		goto stop;
	}
	if (wait_link(o.tx_port) != 0 || (two && wait_link(o.rx_port) != 0))
		goto stop;

	g.o = &o;
	g.mp = mp;
	g.st = &st;
	g.hz = rte_get_tsc_hz();
	g.ns_per_cycle = 1e9 / (double)g.hz;
	st.lat_min_ns = UINT64_MAX;
	build_template(&o, g.frame);
	if (!o.quiet)
		printf("iocgen: lcore %u on CPU %d, tx port %u, rx port %u, TSC %.3f GHz, rate "
		       "%.0f "
		       "pps, %u B, %u flows\n",
		       rte_lcore_id(), sched_getcpu(), o.tx_port, o.rx_port, (double)g.hz / 1e9,
		       o.rate, o.size, o.flows);

	secs = run(&g);
	if (secs <= 0) {
		fprintf(stderr, "iocgen: stopped before the measured window\n");
		goto stop;
	}
	print_report(&o, &st, secs, stdout);
	ret = EXIT_SUCCESS;
stop:
	rte_eth_dev_stop(o.tx_port);
	rte_eth_dev_close(o.tx_port);
	if (two) {
		rte_eth_dev_stop(o.rx_port);
		rte_eth_dev_close(o.rx_port);
	}
	if (ret == EXIT_SUCCESS) {
		int64_t leaked = (int64_t)POOL_MBUFS - (int64_t)rte_mempool_avail_count(mp);

		if (leaked != 0)
			fprintf(stderr, "iocgen: %" PRId64 " mbufs not back in the pool\n", leaked);
		if ((o.json != NULL && write_json(o.json, &o, &st, secs, g.hz, leaked) != 0) ||
		    (o.cdf != NULL && write_cdf(o.cdf, &st) != 0))
			ret = EXIT_FAILURE;
	}
	rte_mempool_free(mp);
out:
	rte_eal_cleanup();
	return ret;
}
