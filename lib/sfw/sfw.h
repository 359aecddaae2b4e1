/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot 2, sfw (the distributed firewall, DESIGN.md §4): the dfw rules that
 * apply to a vNIC and direction, first match by priority then file order,
 * compiled with rte_acl; the redirect rules evaluated in the same classify
 * call (category 1) to mark packets for slot 4; and, with `[dfw] stateful`,
 * a per-lcore connection table that lets an allowed connection's return
 * traffic through without a rule.
 *
 * What the slot does with frames that are not plain IPv4:
 *  - ARP and other ethertypes (LLDP, ...) pass: this is an L3 firewall, as on
 *    the platform it models; spoofguard (slot 1) polices ARP.
 *  - IPv6 gets the default_action: no rule can name an IPv6 address, and a
 *    default-drop policy must not be bypassed by speaking IPv6.
 *  - Malformed IPv4 or IPv6 (truncated or inconsistent header, an IPv6
 *    extension-header chain past its bound: meta.h) is dropped (drop_malformed).
 *  - Non-first IPv4 fragments carry no ports: they are classified with ports
 *    0 (so only rules whose port range covers 0: any, icmp, a bare protocol,
 *    tcp/0-N match them), never create or match connections, and are dropped,
 *    not rejected, when a reject rule matches. Their redirect mark, though,
 *    ignores ports: the first `redirect` rule whose protocol and addresses
 *    match marks them (sfw_redirect_result), so a rule such as tcp/80 sends
 *    every fragment of the datagrams whose first fragment it sends.
 *    First fragments are ordinary.
 *  - Stateful, an ICMP error (unreachable, source quench, time exceeded,
 *    parameter problem) that quotes a packet of a live connection, addressed
 *    to that packet's sender, passes with the connection's mark and refreshes
 *    nothing; otherwise the rules decide. An ICMP error never opens one.
 */
#ifndef IOC_SFW_H
#define IOC_SFW_H

#include <stdint.h>

enum ioc_sfw_reason {
	IOC_SFW_DROP_RULE,	 /* a drop rule matched (or a reject that cannot be answered) */
	IOC_SFW_DROP_DEFAULT,	 /* no rule matched and default_action = drop */
	IOC_SFW_REJECT,		 /* a reject rule matched: the packet became a RST / ICMP reply */
	IOC_SFW_DROP_CONN_FULL,	 /* allowed, but the connection table is full */
	IOC_SFW_DROP_MALFORMED,	 /* IPv4/IPv6 header or extension chain truncated or inconsistent */
	IOC_SFW_DROP_NO_SYN,	 /* allowed TCP without SYN and no connection (no tcp_pickup) */
	IOC_SFW_DROP_CONN_LIMIT, /* allowed, but the vNIC has [vnic] max_connections */
	IOC_SFW_NB_REASONS,
};

/* Counters outside the ledger. */
enum ioc_sfw_info {
	IOC_SFW_CONN_EVICTED, /* an unanswered entry evicted for this vNIC's new connection */
	IOC_SFW_NB_INFOS,
};

/* Connection states (stateful mode). Timeouts, in seconds, after the last packet. */
enum ioc_sfw_conn_state {
	IOC_SFW_CT_TCP_SYN_SENT,    /* 10: a SYN seen, no answer yet */
	IOC_SFW_CT_TCP_SYN_RECV,    /* 10: answered (SYN-ACK), the opener's ACK not seen yet */
	IOC_SFW_CT_TCP_ESTABLISHED, /* 43200: answered; picked up mid-stream: 10 until answered */
	IOC_SFW_CT_TCP_FIN,	    /* 45: a FIN seen; once both ways, no packet refreshes it */
	IOC_SFW_CT_TCP_CLOSED,	    /* 20 from the RST (either way); no packet refreshes it */
	IOC_SFW_CT_UDP,		    /* 30 until answered, then 60 */
	IOC_SFW_CT_ICMP,	    /* 20 (echo: keyed by identifier) */
	IOC_SFW_CT_OTHER,	    /* 60: other IP protocols, keyed by addresses */
	IOC_SFW_CT_NB_STATES,
};

struct ioc_sfw_conn_summary {
	uint64_t entries;  /* present in the tables, expired-but-not-yet-aged included */
	uint64_t capacity; /* sum of the tables' capacities */
	uint64_t evicted;  /* unanswered entries evicted to admit new connections */
	unsigned n_tables; /* one per forwarding lcore */
	uint64_t state[IOC_SFW_CT_NB_STATES];
};

/* "tcp_established", ... */
const char *ioc_sfw_conn_state_name(unsigned state);

/*
 * Hits of dfw rule `rule_index` (index in the topology's dfw_rules), summed
 * over the vNICs the slot is attached to and over lcores. 0, or -ENOENT when
 * no attached vNIC knows that rule.
 */
int ioc_sfw_rule_hits(unsigned rule_index, uint64_t *hits);

/* What the control plane shows of dfw rule `rule_index` of the newest attached topology. */
struct ioc_sfw_rule_info {
	char name[64];
	uint32_t priority;
	const char *action; /* "allow", "drop", "reject" */
};

/* Rules of the newest attached topology (0 before any attach). */
unsigned ioc_sfw_rule_count(void);
/* 0, or -ENOENT when there is no such rule. */
int ioc_sfw_rule_info(unsigned rule_index, struct ioc_sfw_rule_info *info);

/* The connection tables summed over lcores (all zero when none exist). */
void ioc_sfw_conn_summary(struct ioc_sfw_conn_summary *s);

#endif /* IOC_SFW_H */
