/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trace's control side: arming, clearing, reading the lcores' records
 * and turning them into text. Runs on the control (telemetry) thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "fwd.h"
#include "trace.h"
#include "trace_priv.h"

int
ioc_trace_arm(struct ioc_dp *dp, unsigned vnic, unsigned count)
{
	struct timespec ts;

	if (count == 0 || count > IOC_TRACE_MAX || vnic >= dp->n_vnics)
		return -EINVAL;
	if (__atomic_load_n(&ioc_trace_g.vnic, __ATOMIC_RELAXED) >= 0)
		return -EBUSY;
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		unsigned l = dp->lcore_ids[i];

		if (ioc_trace_lc[l] != NULL)
			continue;
		struct trace_lcore *t = calloc(1, sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		t->gen = ioc_trace_g.gen;
		__atomic_store_n(&ioc_trace_lc[l], t, __ATOMIC_RELEASE);
	}
	/* Records of the previous trace are forgotten: lcores reset on the new gen. */
	ioc_trace_clear(dp);
	clock_gettime(CLOCK_REALTIME, &ts);
	ioc_trace_g.arm_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	ioc_trace_g.arm_tsc = rte_get_tsc_cycles();
	ioc_trace_g.count = count;
	ioc_trace_g.traced_vnic = (int)vnic;
	__atomic_store_n(&ioc_trace_g.left, (int)count, __ATOMIC_RELAXED);
	__atomic_store_n(&ioc_trace_on, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&ioc_trace_g.vnic, (int)vnic, __ATOMIC_RELEASE);
	return 0;
}

void
ioc_trace_clear(struct ioc_dp *dp)
{
	__atomic_store_n(&ioc_trace_g.vnic, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&ioc_trace_g.left, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ioc_trace_g.gen, 1, __ATOMIC_RELEASE);
	/*
	 * Once every lcore has finished the burst it was in, none opens a record
	 * of the old generation: the open count can restart from zero. Packets
	 * still flagged are then recognised as strangers (trace_dp.c find_open).
	 */
	ioc_dp_synchronize(dp);
	__atomic_store_n(&ioc_trace_on, 0, __ATOMIC_RELEASE);
	ioc_trace_g.traced_vnic = -1;
	ioc_trace_g.count = 0;
}

void
ioc_trace_status(struct ioc_trace_status *s)
{
	int left = __atomic_load_n(&ioc_trace_g.left, __ATOMIC_RELAXED);

	s->armed = __atomic_load_n(&ioc_trace_g.vnic, __ATOMIC_RELAXED) >= 0;
	s->vnic = ioc_trace_g.traced_vnic;
	s->count = ioc_trace_g.count;
	s->left = s->armed && left > 0 ? (unsigned)left : 0;
	s->arm_tsc = ioc_trace_g.arm_tsc;
	s->arm_ns = ioc_trace_g.arm_ns;
}

/* A consistent copy of a record the lcore may be writing; false if it kept changing. */
static bool
read_rec(const struct ioc_trace_rec *r, struct ioc_trace_rec *out)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t s1 = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);

		if (s1 & 1)
			continue;
		memcpy(out, r, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&r->seq, __ATOMIC_RELAXED) == s1)
			return true;
	}
	return false;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct ioc_trace_rec *x = a, *y = b;

	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	return x->lcore < y->lcore ? -1 : x->lcore > y->lcore;
}

unsigned
ioc_trace_records(struct ioc_trace_rec *out, unsigned max)
{
	uint32_t gen = __atomic_load_n(&ioc_trace_g.gen, __ATOMIC_ACQUIRE);
	unsigned k = 0;

	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		const struct trace_lcore *t = __atomic_load_n(&ioc_trace_lc[l], __ATOMIC_ACQUIRE);
		unsigned start = k;

		if (t == NULL || __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) != gen)
			continue;
		unsigned n = __atomic_load_n(&t->n, __ATOMIC_ACQUIRE);

		for (unsigned i = 0; i < n && k < max; i++)
			if (read_rec(&t->rec[i], &out[k]))
				k++;
		/* The lcore moved to a newer trace meanwhile: these are not this one's. */
		if (__atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) != gen)
			k = start;
	}
	qsort(out, k, sizeof(out[0]), rec_cmp);
	return k;
}

/* ---- text ------------------------------------------------------------- */

static void
ip4(uint32_t be, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&be;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static const char *
tcp_flag_text(uint8_t f, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		char c;
	} names[] = { { RTE_TCP_SYN_FLAG, 'S' },
		      { RTE_TCP_FIN_FLAG, 'F' },
		      { RTE_TCP_RST_FLAG, 'R' },
		      { RTE_TCP_PSH_FLAG, 'P' },
		      { RTE_TCP_ACK_FLAG, '.' } };
	size_t k = 0;

	for (unsigned i = 0; i < RTE_DIM(names) && k + 1 < len; i++)
		if (f & names[i].bit)
			buf[k++] = names[i].c;
	buf[k] = '\0';
	return buf;
}

/*
 * The L4 part of an IPv4 or IPv6 summary: "TCP 1234 > 80 [S]", "ICMP
 * echo-request id 7 seq 1", "ICMPv6 type 135 code 0".
 */
static void
l4_summary(const uint8_t *l4, unsigned avail, uint8_t proto, bool first_frag, char *buf,
	   size_t size)
{
	char fl[8];

	if (proto == IPPROTO_TCP && first_frag && avail >= sizeof(struct rte_tcp_hdr)) {
		const struct rte_tcp_hdr *t = (const void *)l4;

		snprintf(buf, size, "TCP %u > %u [%s]", rte_be_to_cpu_16(t->src_port),
			 rte_be_to_cpu_16(t->dst_port),
			 tcp_flag_text(t->tcp_flags, fl, sizeof(fl)));
	} else if (proto == IPPROTO_UDP && first_frag && avail >= sizeof(struct rte_udp_hdr)) {
		const struct rte_udp_hdr *u = (const void *)l4;

		snprintf(buf, size, "UDP %u > %u", rte_be_to_cpu_16(u->src_port),
			 rte_be_to_cpu_16(u->dst_port));
	} else if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && first_frag &&
		   avail >= sizeof(struct rte_icmp_hdr)) {
		const struct rte_icmp_hdr *c = (const void *)l4;
		bool v6 = proto == IPPROTO_ICMPV6;
		uint8_t req = v6 ? IOC_ICMP6_ECHO_REQUEST : RTE_IP_ICMP_ECHO_REQUEST;
		uint8_t rep = v6 ? IOC_ICMP6_ECHO_REPLY : RTE_IP_ICMP_ECHO_REPLY;
		const char *type = c->icmp_type == req	 ? "echo-request"
				   : c->icmp_type == rep ? "echo-reply"
							 : NULL;
		if (type != NULL)
			snprintf(buf, size, "%s %s id %u seq %u", v6 ? "ICMPv6" : "ICMP", type,
				 rte_be_to_cpu_16(c->icmp_ident), rte_be_to_cpu_16(c->icmp_seq_nb));
		else
			snprintf(buf, size, "%s type %u code %u", v6 ? "ICMPv6" : "ICMP",
				 c->icmp_type, c->icmp_code);
	} else {
		snprintf(buf, size, "proto %u%s", proto, first_frag ? "" : " (fragment)");
	}
}

void
ioc_trace_summary(const uint8_t *p, unsigned len, unsigned pkt_len, char *buf, size_t size)
{
	char mac_s[RTE_ETHER_ADDR_FMT_SIZE], mac_d[RTE_ETHER_ADDR_FMT_SIZE];
	char a[16], b[16], l4[64], l3[192];
	const struct rte_ether_hdr *eth = (const void *)p;
	unsigned off = sizeof(*eth);
	uint16_t type;

	if (len < sizeof(*eth)) {
		snprintf(buf, size, "runt, %u bytes", pkt_len);
		return;
	}
	rte_ether_format_addr(mac_s, sizeof(mac_s), &eth->src_addr);
	rte_ether_format_addr(mac_d, sizeof(mac_d), &eth->dst_addr);
	type = rte_be_to_cpu_16(eth->ether_type);
	while ((type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) &&
	       off + sizeof(struct rte_vlan_hdr) <= len) {
		type = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(p + off))->eth_proto);
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_ETHER_TYPE_IPV4 && off + sizeof(struct rte_ipv4_hdr) <= len) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + off);
		unsigned hl = (ip->version_ihl & 0xf) * 4u;
		bool first = !(rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK);

		ip4(ip->src_addr, a, sizeof(a));
		ip4(ip->dst_addr, b, sizeof(b));
		l4_summary(p + off + hl, off + hl < len ? len - off - hl : 0, ip->next_proto_id,
			   first, l4, sizeof(l4));
		snprintf(l3, sizeof(l3), "IPv4 %s > %s %s", a, b, l4);
	} else if (type == RTE_ETHER_TYPE_ARP && off + sizeof(struct rte_arp_hdr) <= len) {
		const struct rte_arp_hdr *arp = (const void *)(p + off);

		ip4(arp->arp_data.arp_sip, a, sizeof(a));
		ip4(arp->arp_data.arp_tip, b, sizeof(b));
		snprintf(l3, sizeof(l3), "ARP %s %s > %s",
			 rte_be_to_cpu_16(arp->arp_opcode) == RTE_ARP_OP_REQUEST ? "request"
										 : "reply",
			 a, b);
	} else if (type == RTE_ETHER_TYPE_IPV6 && off + sizeof(struct rte_ipv6_hdr) <= len) {
		const struct rte_ipv6_hdr *ip = (const void *)(p + off);
		char a6[INET6_ADDRSTRLEN], b6[INET6_ADDRSTRLEN];
		unsigned l4_off = off + sizeof(*ip);

		/* The L4 right after the fixed header; an extension header is named by number. */
		inet_ntop(AF_INET6, ip->src_addr, a6, sizeof(a6));
		inet_ntop(AF_INET6, ip->dst_addr, b6, sizeof(b6));
		l4_summary(p + l4_off, len - l4_off, ip->proto, true, l4, sizeof(l4));
		snprintf(l3, sizeof(l3), "IPv6 %s > %s %s", a6, b6, l4);
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		snprintf(l3, sizeof(l3), "IPv6 (header cut)");
	} else {
		snprintf(l3, sizeof(l3), "ethertype 0x%04x", type);
	}
	snprintf(buf, size, "%s, %s > %s, %u bytes", l3, mac_s, mac_d, pkt_len);
}

static const char *const verdict_names[] = {
	[IOC_SV_PASS] = "pass",
	[IOC_SV_DROP] = "drop",
	[IOC_SV_HELD] = "held",
	[IOC_SV_REPLY] = "reply",
};

static const char *
port_name(const struct ioc_dp *dp, unsigned port)
{
	return port < dp->n_ports ? dp->ports[port].name : "?";
}

static void
step_line(const struct ioc_dp *dp, const struct ioc_chain *c, const struct ioc_trace_step *st,
	  char *buf, size_t size)
{
	const struct ioc_slot_inst *s = &c->slot[st->pos];
	char counter[64] = "", why[192] = "";

	if (st->counter >= 0) {
		counter[0] = ' ';
		ioc_chain_counter_name(c, s->cnt_off + IOC_SLOT_REASONS + (unsigned)st->counter,
				       counter + 1, sizeof(counter) - 1);
	}
	if (s->ops->why != NULL)
		s->ops->why(dp->topo, st->note, why, sizeof(why));
	snprintf(buf, size, "slot %u %s: %s%s%s%s", s->ops->slot, s->ops->name,
		 verdict_names[st->verdict & 3], counter, why[0] != '\0' ? ", " : "", why);
}

static void
dest_line(const struct ioc_dp *dp, const struct ioc_trace_rec *r, char *buf, size_t size)
{
	switch (r->dest) {
	case IOC_TD_PORT:
		snprintf(buf, size, "-> port %s", port_name(dp, r->dest_port));
		break;
	case IOC_TD_FLOOD:
		snprintf(buf, size, "-> flood (every port of the segment)");
		break;
	case IOC_TD_DROP:
		snprintf(buf, size, "-> dropped in the chain");
		break;
	case IOC_TD_REPLY:
		snprintf(buf, size, "-> answered back out port %s", port_name(dp, r->dest_port));
		break;
	case IOC_TD_SVM_DENY:
		snprintf(buf, size, "-> dropped: the SVM denied it (svc_svm_deny)");
		break;
	case IOC_TD_NO_DEST:
		snprintf(buf, size, "-> dropped: no port for the destination MAC (drop_no_dest)");
		break;
	case IOC_TD_LOOP:
		snprintf(buf, size, "-> dropped: sent to its own MAC (drop_loop)");
		break;
	default:
		snprintf(buf, size, "-> in flight (%s)",
			 r->state == IOC_TR_HELD ? "at the SVM" : "in the datapath");
		break;
	}
}

/* The lines after the header: each slot step, the SVM, where it went. */
static void
format_steps(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
	     void (*emit)(void *arg, const char *line), void *arg)
{
	const struct ioc_chain *c = &dp->vnics[r->vnic].chain;
	unsigned last_held = r->n_steps;
	char line[256];

	for (unsigned i = 0; i < r->n_steps; i++)
		if (r->step[i].verdict == IOC_SV_HELD)
			last_held = i;
	for (unsigned i = 0; i < r->n_steps; i++) {
		step_line(dp, c, &r->step[i], line + 2, sizeof(line) - 2);
		line[0] = line[1] = ' ';
		emit(arg, line);
		if (r->step[i].verdict != IOC_SV_HELD)
			continue;
		if (i < last_held || (r->reclaimed && r->svm == 0 && r->state != IOC_TR_HELD))
			snprintf(line, sizeof(line),
				 "  svm: its worker stopped serving; taken back, through slot 4 "
				 "again");
		else if (r->svm != 0 && r->explained)
			snprintf(line, sizeof(line), "  svm: %s, %s%s",
				 r->svm == 1 ? "allow" : "deny",
				 r->svm_rule >= 0 ? "rule "
						  : "no rule matched: the SVM's default drop",
				 r->svm_rule >= 0 && (unsigned)r->svm_rule < dp->topo->n_svm_rules
					 ? dp->topo->svm_rules[r->svm_rule].name
					 : "");
		else if (r->svm != 0)
			snprintf(line, sizeof(line), "  svm: %s, round trip %.1f us",
				 r->svm == 1 ? "allow" : "deny",
				 (double)r->rtt_tsc * 1e6 / (double)rte_get_tsc_hz());
		else
			continue;
		emit(arg, line);
	}
	dest_line(dp, r, line + 2, sizeof(line) - 2);
	line[0] = line[1] = ' ';
	emit(arg, line);
}

void
ioc_trace_format(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
		 const struct ioc_trace_status *st, void (*emit)(void *arg, const char *line),
		 void *arg)
{
	char line[320], sum[256], when[32];
	uint64_t ns = st->arm_ns +
		      (uint64_t)((double)(r->tsc - st->arm_tsc) * 1e9 / (double)rte_get_tsc_hz());
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(line, sizeof(line), "%s.%06" PRIu64 " lcore %u %s %s", when,
		 ns % 1000000000u / 1000u, r->lcore, port_name(dp, r->vnic),
		 r->dir == IOC_DIR_OUT ? "out" : "in");
	emit(arg, line);
	ioc_trace_summary(r->hdr, r->hdr_len, r->pkt_len, sum, sizeof(sum));
	snprintf(line, sizeof(line), "  %s", sum);
	emit(arg, line);
	format_steps(dp, r, emit, arg);
}

void
ioc_explain_format(const struct ioc_dp *dp, const struct ioc_trace_rec *r,
		   void (*emit)(void *arg, const char *line), void *arg)
{
	const struct ioc_meta *md = &r->md;
	char line[256], a[16], b[16];

	ip4(md->src_ip, a, sizeof(a));
	ip4(md->dst_ip, b, sizeof(b));
	snprintf(line, sizeof(line), "%s %s: IPv4 %s:%u > %s:%u proto %u", port_name(dp, r->vnic),
		 r->dir == IOC_DIR_OUT ? "out" : "in", a, rte_be_to_cpu_16(md->src_port), b,
		 rte_be_to_cpu_16(md->dst_port), md->l4_proto);
	emit(arg, line);
	format_steps(dp, r, emit, arg);
}
