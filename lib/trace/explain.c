/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What-if (DESIGN.md §11): what a vNIC's chain would do with an IPv4 packet,
 * computed on the control thread from the running config and state (each
 * slot's explain op), without traffic. The answer is a trace record, so that
 * it reads, and compares, like one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>

#include "fwd.h"
#include "svc.h"
#include "trace.h"

/* Out: where the switch sends it by destination IP (explain knows no MAC). */
static void
explain_dest(const struct ioc_dp *dp, unsigned vnic, const struct ioc_slot_query *q,
	     struct ioc_trace_rec *r)
{
	const struct ioc_topology *t = dp->topo;
	const struct ioc_segment *seg = &dp->segments[dp->vnics[vnic].segment];
	uint32_t dst = rte_be_to_cpu_32(q->md.dst_ip);

	r->dest = IOC_TD_PORT;
	if (q->dir == IOC_DIR_IN) {
		r->dest_port = (uint16_t)dp->vnics[vnic].port;
		return;
	}
	for (unsigned i = 0; i < seg->n_vnics; i++) {
		const struct ioc_vnic *v = &t->vnics[seg->vnics[i]];

		for (unsigned k = 0; k < v->n_ip; k++)
			if (v->ip[k] == dst) {
				r->dest = seg->vnics[i] == vnic ? IOC_TD_LOOP : IOC_TD_PORT;
				r->dest_port = seg->vnics[i];
				return;
			}
	}
	if (seg->uplink_port >= 0)
		r->dest_port = (uint16_t)seg->uplink_port;
	else
		r->dest = IOC_TD_NO_DEST;
}

int
ioc_explain(const struct ioc_dp *dp, unsigned vnic, struct ioc_slot_query *q,
	    struct ioc_trace_rec *r)
{
	const struct ioc_chain *c;
	int verdict = IOC_SV_PASS;

	if (vnic >= dp->n_vnics)
		return -EINVAL;
	c = &dp->vnics[vnic].chain;
	memset(r, 0, sizeof(*r));
	r->state = IOC_TR_DONE;
	r->explained = 1;
	r->dir = q->dir;
	r->vnic = (uint16_t)vnic;
	r->svm_rule = -1;
	q->md.vnic = (uint16_t)vnic;
	q->md.dir = q->dir & 3;
	q->hash = ioc_meta_flow_hash(&q->md);
	r->md = q->md;
	/* The port it comes in on: the vNIC, or for inbound the segment's uplink. */
	r->rx_port = (uint16_t)vnic;
	if (q->dir == IOC_DIR_IN && dp->segments[dp->vnics[vnic].segment].uplink_port >= 0)
		r->rx_port = (uint16_t)dp->segments[dp->vnics[vnic].segment].uplink_port;

	for (unsigned i = 0; i < c->n_slots && r->n_steps < IOC_TRACE_STEPS; i++) {
		const struct ioc_slot_inst *s = &c->slot[i];
		struct ioc_trace_step *st = &r->step[r->n_steps++];
		int counter = -1;

		st->pos = (uint8_t)i;
		verdict = IOC_SV_PASS;
		if (s->ops->explain != NULL)
			verdict = s->ops->explain(__atomic_load_n(&s->priv, __ATOMIC_ACQUIRE),
						  dp->topo, vnic, q, st->note, &counter);
		st->verdict = (uint8_t)verdict;
		st->counter = (int16_t)counter;
		if (verdict == IOC_SV_HELD) {
			/* The SVM's own rules for the worker it would reach. */
			const struct ioc_svm_worker *w =
				dp->svc != NULL ? ioc_svc_explain_worker(dp->svc, q) : NULL;
			int rule = -1, allow = w != NULL ? ioc_svm_explain(w, &q->md, &rule) : -1;

			if (allow < 0)
				return -ENOTSUP;
			r->svm = allow ? 1 : 2;
			r->svm_rule = (int16_t)rule;
			if (!allow) {
				r->dest = IOC_TD_SVM_DENY;
				return 0;
			}
			verdict = IOC_SV_PASS;
		}
		if (verdict != IOC_SV_PASS)
			break;
	}
	if (verdict == IOC_SV_DROP) {
		r->dest = IOC_TD_DROP;
	} else if (verdict == IOC_SV_REPLY) {
		r->dest = IOC_TD_REPLY;
		r->dest_port = r->rx_port;
	} else {
		explain_dest(dp, vnic, q, r);
	}
	return 0;
}

/* "tcp", "udp", "icmp" or a protocol number. */
static int
parse_proto(const char *s)
{
	char *end;
	unsigned long p;

	if (strcmp(s, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcmp(s, "udp") == 0)
		return IPPROTO_UDP;
	if (strcmp(s, "icmp") == 0)
		return IPPROTO_ICMP;
	p = strtoul(s, &end, 10);
	return *s != '\0' && *end == '\0' && p <= 255 ? (int)p : -1;
}

/* "A.B.C.D[:PORT]" into network-order address and port. */
static int
parse_endpoint(const char *s, uint32_t *ip, uint16_t *port)
{
	unsigned a, b, c, d, p = 0;
	char tail;
	int n = sscanf(s, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail);

	if (n == 5 && (tail != ':' || sscanf(s, "%3u.%3u.%3u.%3u:%5u%c", &a, &b, &c, &d, &p,
					      &tail) != 5))
		return -1;
	if (n < 4 || a > 255 || b > 255 || c > 255 || d > 255 || p > 65535)
		return -1;
	*ip = rte_cpu_to_be_32(a << 24 | b << 16 | c << 8 | d);
	*port = rte_cpu_to_be_16((uint16_t)p);
	return 0;
}

int
ioc_explain_parse(const char *dir, const char *proto, const char *src, const char *dst,
		  struct ioc_slot_query *q, char *msg, size_t len)
{
	int p = parse_proto(proto);

	memset(q, 0, sizeof(*q));
	if (strcmp(dir, "in") == 0) {
		q->dir = IOC_DIR_IN;
	} else if (strcmp(dir, "out") == 0) {
		q->dir = IOC_DIR_OUT;
	} else {
		snprintf(msg, len, "direction must be in or out, not %.20s", dir);
		return -EINVAL;
	}
	if (p < 0) {
		snprintf(msg, len, "protocol must be tcp, udp, icmp or 0..255, not %.20s", proto);
		return -EINVAL;
	}
	if (parse_endpoint(src, &q->md.src_ip, &q->md.src_port) < 0 ||
	    parse_endpoint(dst, &q->md.dst_ip, &q->md.dst_port) < 0) {
		snprintf(msg, len, "addresses must be A.B.C.D[:PORT], not %.24s %.24s", src, dst);
		return -EINVAL;
	}
	q->md.l3 = IOC_L3_IPV4;
	q->md.l4_proto = (uint8_t)p;
	if (p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_ICMP)
		q->md.flags = IOC_F_L4;
	/* ICMP echo: the identifier stands for both ports, as ioc_meta_parse() sets them. */
	if (p == IPPROTO_ICMP)
		q->md.dst_port = q->md.src_port;
	return 0;
}
