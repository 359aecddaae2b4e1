/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reject replies, built in the rejected packet's own mbuf when it is ours to
 * write (a direct mbuf nobody else references), else in a copy of its headers
 * from the same pool: an indirect or external-buffer mbuf (a clone, a driver's
 * shared receive buffer) shares its data with others. TCP gets a RST as a
 * closed port would answer (RFC 9293 §3.10.7.1); everything else an ICMP
 * destination unreachable quoting the original IP header and 8 bytes
 * (RFC 792): port unreachable for UDP, so that the sender sees "connection
 * refused", administratively prohibited otherwise.
 * IPv6 likewise, with ICMPv6 destination unreachable, administratively
 * prohibited (RFC 4443 §3.1), for everything but TCP.
 * Never answered (the caller drops them): a RST, an ICMP or ICMPv6 message
 * other than an echo request, a non-first fragment, a broadcast or multicast
 * destination, and a source that is not one host (RFC 1122 §3.2.2, RFC 1812
 * §4.3.2.7, RFC 4443 §2.4): a multicast or broadcast source MAC, or a source
 * address in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4
 * (255.255.255.255 included), or ::, ::1, ff00::/8 or ::ffff:0:0/96 — an
 * answer would go to a whole segment, or to nobody.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "meta.h"
#include "sfw_priv.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_ADMIN 13
#define ICMP_QUOTE_L4 8 /* bytes of the offending datagram after its IP header */
#define ICMP6_DEST_UNREACH 1
#define ICMP6_UNREACH_ADMIN 1

/* The first `len` bytes of the first segment become the whole packet. */
static void
cut_to(struct rte_mbuf *m, uint16_t len)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = len;
	m->pkt_len = len;
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
}

static void
swap_macs(struct rte_ether_hdr *eth)
{
	struct rte_ether_addr a = eth->src_addr;

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = a;
}

static void
ipv4_reply_hdr(struct rte_ipv4_hdr *ip, uint16_t total, uint8_t proto, rte_be32_t src,
	       rte_be32_t dst)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
ipv6_reply_hdr(struct rte_ipv6_hdr *ip, uint16_t payload, uint8_t proto, const uint8_t src[16],
	       const uint8_t dst[16])
{
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload);
	ip->proto = proto;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
}

/*
 * The RST answering a segment of `seg` payload bytes with these ports, flags,
 * sequence and acknowledgment numbers (host order), into tcp; the checksum is
 * the caller's (it depends on the family).
 */
static void
rst_fill(struct rte_tcp_hdr *tcp, rte_be16_t sport, rte_be16_t dport, uint8_t flags, uint32_t seq,
	 uint32_t ack, uint32_t seg)
{
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = dport;
	tcp->dst_port = sport;
	if (flags & RTE_TCP_ACK_FLAG) {
		/* It acknowledged something: the RST takes that sequence number. */
		tcp->sent_seq = rte_cpu_to_be_32(ack);
		tcp->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		seg += !!(flags & RTE_TCP_SYN_FLAG) + !!(flags & RTE_TCP_FIN_FLAG);
		tcp->recv_ack = rte_cpu_to_be_32(seq + seg);
		tcp->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
}

static int
reject_tcp(struct rte_mbuf *m, const struct ioc_meta *md)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(p + md->l3_off);
	const struct rte_tcp_hdr *otcp = (const struct rte_tcp_hdr *)(p + md->l4_off);

	if (rte_pktmbuf_data_len(m) < md->l4_off + sizeof(struct rte_tcp_hdr))
		return -1;
	uint8_t flags = otcp->tcp_flags;
	if (flags & RTE_TCP_RST_FLAG)
		return -1;
	uint32_t tot = rte_be_to_cpu_16(oip->total_length);
	uint32_t hdrs = (uint32_t)(md->l4_off - md->l3_off) + (uint32_t)(otcp->data_off >> 4) * 4;
	uint32_t seg = tot > hdrs ? tot - hdrs : 0;
	rte_be32_t sip = oip->src_addr, dip = oip->dst_addr;
	rte_be16_t sport = otcp->src_port, dport = otcp->dst_port;
	uint32_t seq = rte_be_to_cpu_32(otcp->sent_seq), ack = rte_be_to_cpu_32(otcp->recv_ack);

	swap_macs((struct rte_ether_hdr *)p);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + md->l3_off);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1); /* IP options dropped */
	ipv4_reply_hdr(ip, sizeof(*ip) + sizeof(*tcp), IPPROTO_TCP, dip, sip);
	rst_fill(tcp, sport, dport, flags, seq, ack, seg);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	cut_to(m, (uint16_t)(md->l3_off + sizeof(*ip) + sizeof(*tcp)));
	return 0;
}

static bool
icmp_answerable(struct rte_mbuf *m, const struct ioc_meta *md)
{
	if (md->l4_proto != IPPROTO_ICMP)
		return true;
	/* No error about an error (RFC 1122 §3.2.2): only echo requests are answered. */
	if (!(md->flags & IOC_F_L4))
		return false;
	return rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, md->l4_off)->icmp_type ==
	       RTE_IP_ICMP_ECHO_REQUEST;
}

static int
reject_icmp(struct rte_mbuf *m, const struct ioc_meta *md)
{
	const uint16_t add = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_icmp_hdr);
	const struct rte_ipv4_hdr *oip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, md->l3_off);
	uint16_t hlen = (uint16_t)((oip->version_ihl & 0xf) * 4);
	uint16_t tot = rte_be_to_cpu_16(oip->total_length);
	uint16_t quote = (uint16_t)(hlen + RTE_MIN(tot - hlen, ICMP_QUOTE_L4));
	rte_be32_t sip = oip->src_addr, dip = oip->dst_addr;
	uint8_t code = md->l4_proto == IPPROTO_UDP ? ICMP_UNREACH_PORT : ICMP_UNREACH_ADMIN;

	/* The L2 header moves to the new front; the original IP header stays put, quoted. */
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, add);
	if (p == NULL)
		return -1;
	memmove(p, p + add, md->l3_off);
	swap_macs((struct rte_ether_hdr *)p);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + md->l3_off);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	ipv4_reply_hdr(ip, (uint16_t)(add + quote), IPPROTO_ICMP, dip, sip);
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = ICMP_DEST_UNREACH;
	icmp->icmp_code = code;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	cut_to(m, (uint16_t)(md->l3_off + add + quote));
	return 0;
}

/*
 * IPv6 (RFC 4443, RFC 9293): a RST as for IPv4, else an ICMPv6 destination
 * unreachable, administratively prohibited (code 1), quoting the IPv6 header,
 * its extension headers and 8 bytes of what follows. The reply has no
 * extension headers.
 */
static int
reject_tcp6(struct rte_mbuf *m, const struct ioc_meta *md)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv6_hdr *oip = (const struct rte_ipv6_hdr *)(p + md->l3_off);
	const struct rte_tcp_hdr *otcp = (const struct rte_tcp_hdr *)(p + md->l4_off);

	if (rte_pktmbuf_data_len(m) < md->l4_off + sizeof(struct rte_tcp_hdr))
		return -1;
	uint8_t flags = otcp->tcp_flags;
	if (flags & RTE_TCP_RST_FLAG)
		return -1;
	uint32_t payload = rte_be_to_cpu_16(oip->payload_len);
	uint32_t hdrs = (uint32_t)(md->l4_off - md->l3_off) - (uint32_t)sizeof(*oip) +
			(uint32_t)(otcp->data_off >> 4) * 4;
	uint32_t seg = payload > hdrs ? payload - hdrs : 0;
	uint8_t sip[16], dip[16];
	rte_be16_t sport = otcp->src_port, dport = otcp->dst_port;
	uint32_t seq = rte_be_to_cpu_32(otcp->sent_seq), ack = rte_be_to_cpu_32(otcp->recv_ack);

	memcpy(sip, oip->src_addr, 16);
	memcpy(dip, oip->dst_addr, 16);
	swap_macs((struct rte_ether_hdr *)p);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + md->l3_off);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1); /* extension headers dropped */
	ipv6_reply_hdr(ip, sizeof(*tcp), IPPROTO_TCP, dip, sip);
	rst_fill(tcp, sport, dport, flags, seq, ack, seg);
	tcp->cksum = rte_ipv6_udptcp_cksum(ip, tcp);
	cut_to(m, (uint16_t)(md->l3_off + sizeof(*ip) + sizeof(*tcp)));
	return 0;
}

static int
reject_icmp6(struct rte_mbuf *m, const struct ioc_meta *md)
{
	const uint16_t add = sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_icmp_hdr);
	const struct rte_ipv6_hdr *oip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3_off);
	uint32_t ext = (uint32_t)(md->l4_off - md->l3_off) - (uint32_t)sizeof(*oip);
	uint32_t payload = rte_be_to_cpu_16(oip->payload_len);
	uint32_t l4 = payload > ext ? payload - ext : 0;
	uint32_t quote = (uint32_t)sizeof(*oip) + ext + RTE_MIN(l4, (uint32_t)ICMP_QUOTE_L4);
	uint8_t sip[16], dip[16];

	/* What the first segment holds of it: the quote is copied from there. */
	quote = RTE_MIN(quote, (uint32_t)(rte_pktmbuf_data_len(m) - md->l3_off));
	memcpy(sip, oip->src_addr, 16);
	memcpy(dip, oip->dst_addr, 16);
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, add);
	if (p == NULL)
		return -1;
	memmove(p, p + add, md->l3_off);
	swap_macs((struct rte_ether_hdr *)p);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + md->l3_off);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	ipv6_reply_hdr(ip, (uint16_t)(sizeof(*icmp) + quote), IPPROTO_ICMPV6, dip, sip);
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = ICMP6_DEST_UNREACH;
	icmp->icmp_code = ICMP6_UNREACH_ADMIN;
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(ip, icmp);
	cut_to(m, (uint16_t)(md->l3_off + add + quote));
	return 0;
}

/*
 * IPv6: a source one host owns (not ::, ::1, ff00::/8 nor IPv4-mapped
 * ::ffff:0:0/96, which is never on the wire) to a unicast destination.
 */
static bool
ipv6_answerable(struct rte_mbuf *m, const struct ioc_meta *md)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, md->l3_off);
	const uint8_t *s = ip->src_addr;
	bool low = true; /* :: or ::1 */

	if (rte_is_multicast_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr))
		return false;
	if (ip->dst_addr[0] == 0xff || s[0] == 0xff || memcmp(s, mapped, sizeof(mapped)) == 0)
		return false;
	for (unsigned i = 0; i < 15 && low; i++)
		low = s[i] == 0;
	if (low && s[15] <= 1)
		return false;
	/* No error about an error (RFC 4443 2.4 e): of ICMPv6, only echo requests. */
	if (md->l4_proto == IPPROTO_ICMPV6)
		return (md->flags & IOC_F_L4) &&
		       rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, md->l4_off)
				       ->icmp_type == IOC_ICMP6_ECHO_REQUEST;
	return true;
}

/* A source one host owns: not 0/8, 127/8, 224/4 (multicast) nor 240/4 (broadcast included). */
static bool
unicast_source(struct rte_mbuf *m, const struct ioc_meta *md)
{
	uint32_t src = rte_be_to_cpu_32(md->src_ip);
	uint8_t top = (uint8_t)(src >> 24);

	if (rte_is_multicast_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr))
		return false;
	return top != 0 && top != 127 && top < 224;
}

/*
 * The mbuf to build the reply in: m itself when nothing else shares its data,
 * else a copy of the headers the reply keeps (at most the TCP header, or the
 * IP header and the 8 bytes ICMP quotes). NULL: no mbuf.
 */
static struct rte_mbuf *
writable(struct rte_mbuf *m, const struct ioc_meta *md)
{
	if (likely(RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1))
		return m;
	uint32_t len =
		RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)md->l4_off + sizeof(struct rte_tcp_hdr));
	struct rte_mbuf *c = rte_pktmbuf_copy(m, m->pool, 0, len);

	/* The copy's one segment must hold what the reply reads, as m's first did. */
	if (c != NULL && (c->nb_segs != 1 || rte_pktmbuf_data_len(c) != len)) {
		rte_pktmbuf_free(c);
		c = NULL;
	}
	return c;
}

int
sfw_reject_build(struct rte_mbuf **mp)
{
	struct rte_mbuf *m = *mp;
	const struct ioc_meta *md = ioc_meta(m);
	bool tcp = md->l4_proto == IPPROTO_TCP && (md->flags & IOC_F_L4);
	bool v6 = md->l3 == IOC_L3_IPV6;

	if ((md->l3 != IOC_L3_IPV4 && !v6) || (md->flags & (IOC_F_MALFORMED | IOC_F_BCAST)))
		return -1;
	/* A non-first fragment has no L4 header to answer (nor to quote usefully). */
	if ((md->flags & IOC_F_FRAG) && !(md->flags & IOC_F_L4))
		return -1;
	if (v6) {
		if (!ipv6_answerable(m, md))
			return -1;
	} else {
		uint32_t dst = rte_be_to_cpu_32(md->dst_ip);

		if (dst == UINT32_MAX || (dst >> 28) == 0xe) /* broadcast, 224.0.0.0/4 */
			return -1;
		if (!unicast_source(m, md) || (!tcp && !icmp_answerable(m, md)))
			return -1;
	}

	struct rte_mbuf *r = writable(m, md);
	int rc;

	if (r == NULL)
		return -1;
	if (v6)
		rc = tcp ? reject_tcp6(r, ioc_meta(r)) : reject_icmp6(r, ioc_meta(r));
	else
		rc = tcp ? reject_tcp(r, ioc_meta(r)) : reject_icmp(r, ioc_meta(r));
	if (rc < 0) {
		if (r != m)
			rte_pktmbuf_free(r);
		return -1;
	}
	if (r != m)
		rte_pktmbuf_free(m);
	*mp = r;
	return 0;
}
