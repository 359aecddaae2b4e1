/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet metadata, parsed once at RX into an mbuf dynfield and read by
 * every slot of the chain (DESIGN.md §4). Addresses and ports stay in network
 * byte order, as on the wire: slots compare them against tables built in the
 * same order, so nothing is swapped per packet.
 */
#ifndef IOC_META_H
#define IOC_META_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

enum ioc_l3 {
	IOC_L3_NONE, /* no L3 header found (runt after L2) */
	IOC_L3_IPV4,
	IOC_L3_ARP,
	IOC_L3_IPV6,
	IOC_L3_OTHER, /* another ethertype: LLDP, ... */
};

enum ioc_meta_flag {
	IOC_F_MALFORMED = 1 << 0, /* L3/L4 header truncated or inconsistent */
	IOC_F_FRAG = 1 << 1,	  /* IPv4 or IPv6 fragment (not an atomic one) */
	IOC_F_L4 = 1 << 2,	  /* src_port/dst_port are valid */
	IOC_F_BCAST = 1 << 3,	  /* destination MAC is broadcast or multicast */
	IOC_F_VLAN = 1 << 4,	  /* one or two VLAN tags were skipped */
	IOC_F_FLOOD = 1 << 5,	  /* a copy (or the original) sent to several ports */
	IOC_F_SVM_DENY = 1 << 6,  /* the SVM's verdict: drop */
	IOC_F_SVM_EXT = 1 << 7,	  /* came out of an external appliance (svm_ext.h) */
};

/*
 * IPv6 extension headers (hop-by-hop, routing, fragment, destination
 * options) the parser walks to reach the L4 header: RFC 8200's order has at
 * most five of them. A longer chain is flagged malformed, and so is one
 * whose L4 header starts past byte 255 of the frame (l4_off is 8 bits).
 */
#define IOC_IPV6_MAX_EXT 5

#define IOC_ICMP6_ECHO_REQUEST 128
#define IOC_ICMP6_ECHO_REPLY 129

/*
 * 24 bytes: the dynfield area also has to hold the 8-byte Rx timestamp that
 * net_pcap, pdump and latencystats register. The symmetric flow hash lives in
 * the mbuf's own hash.rss (ioc_flow_hash()), overwriting the NIC's RSS value.
 */
struct ioc_meta {
	uint32_t src_ip, dst_ip;     /* IPv4 src/dst; ARP sender/target; IPv6: their digests */
	uint16_t src_port, dst_port; /* TCP/UDP ports; ICMP and ICMPv6 echo id in both */
	uint16_t vnic;		     /* the vNIC whose chain this packet is in */
	uint16_t rx_port;	     /* datapath index of the port it came in on */
	uint8_t l3_off, l4_off;	     /* L2 at most 22 bytes; L4 within the first 255 */
	uint8_t l3;		     /* enum ioc_l3 */
	uint8_t l4_proto;
	uint8_t dir : 2;       /* enum ioc_dir of the chain run */
	uint8_t next_slot : 5; /* index in the chain where processing resumes */
	uint8_t traced : 1;    /* traced (lib/trace): its record is open on this lcore */
	uint8_t flags;	       /* enum ioc_meta_flag */
	uint16_t profile;      /* redirect mark for slot 4: profile index + 1 (0: none) */
};

extern int ioc_meta_offset;

/*
 * Registers the dynfield, after the Rx timestamp field so that both fit;
 * idempotent. 0 or -rte_errno.
 */
int ioc_meta_register(void);

static inline struct ioc_meta *
ioc_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ioc_meta_offset, struct ioc_meta *);
}

/* Same value for both directions of a flow (set by ioc_meta_parse). */
static inline uint32_t
ioc_flow_hash(const struct rte_mbuf *m)
{
	return m->hash.rss;
}

/*
 * Parse the headers of the first segment into the metadata. Returns 0, or -1
 * when the frame is shorter than an Ethernet header (the caller drops it as a
 * runt). A malformed L3/L4 header is not an error here: it is flagged, and the
 * slots decide.
 */
int ioc_meta_parse(struct rte_mbuf *m, struct ioc_meta *md);

/*
 * IPv6 addresses do not fit the metadata: src_ip and dst_ip hold this
 * 32-bit digest of each (for the flow hash, both directions alike), and the
 * slots read the addresses themselves in the header at l3_off.
 */
uint32_t ioc_meta_ipv6_digest(const uint8_t addr[16]);

/* The flow hash ioc_meta_parse() gives a packet of metadata md (explain uses it without one). */
uint32_t ioc_meta_flow_hash(const struct ioc_meta *md);

#endif /* IOC_META_H */
