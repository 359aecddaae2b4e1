/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology: every object of one INI file (DESIGN.md §2, §3), resolved and
 * cross-referenced. Built once by the config loader, immutable afterwards; the
 * datapath builds its own tables from it and never reads it per packet.
 *
 * Plain C, no DPDK types: `iochain --check` and the config tests use it
 * without EAL. IPv4 addresses are in host byte order, IPv6 in network order. References between
 * objects are indices into the topology's arrays (-1 = none).
 */
#ifndef IOC_TOPOLOGY_H
#define IOC_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

#define IOC_NAME_MAX 64
#define IOC_DEVARGS_MAX 256
#define IOC_UUID_MAX 64
#define IOC_MAX_LCORES 128     /* lcore ids accepted in the INI: 0..127 */
#define IOC_MAX_PORT_LCORES 16 /* RX queues (polling lcores) per port */
#define IOC_MAX_VNIC_IPS 16    /* spoofguard bindings per vNIC and family */
#define IOC_MAX_ETHERTYPES 8   /* [vnic] allow_ethertypes */
#define IOC_MBUFS_MIN 1024u    /* [host] mbufs */
#define IOC_MBUFS_MAX 16777216u
#define IOC_CONNECTIONS_MIN 16u /* [dfw] connections, per forwarding lcore */
#define IOC_CONNECTIONS_MAX 16777216u
#define IOC_CONNECTIONS_DEFAULT 65536u

enum ioc_dir {
	IOC_DIR_IN = 1 << 0,
	IOC_DIR_OUT = 1 << 1,
	IOC_DIR_INOUT = IOC_DIR_IN | IOC_DIR_OUT,
};

/* An IPv4 or IPv6 prefix: `addr` and `len` 0..32, or (v6) `addr6` and `len` 0..128. */
struct ioc_cidr {
	uint32_t addr; /* IPv4: host order, host bits zero */
	uint8_t len;
	bool v6;
	uint8_t addr6[16]; /* IPv6: network order, host bits zero */
};

/* A list of lcore ids, in the order the INI gave them. */
struct ioc_lcore_list {
	uint16_t id[IOC_MAX_PORT_LCORES];
	uint16_t n;
};

/* One element of a source/destination/applied_to list. */
enum ioc_ref_kind {
	IOC_REF_ANY,
	IOC_REF_CIDR,
	IOC_REF_IPSET,
	IOC_REF_GROUP,
	IOC_REF_VM,
	IOC_REF_VNIC,
};

struct ioc_ref {
	enum ioc_ref_kind kind;
	struct ioc_cidr cidr; /* IOC_REF_CIDR */
	int index;	      /* IPSET/GROUP/VM/VNIC: index in the topology */
};

struct ioc_ref_list {
	struct ioc_ref *v;
	unsigned n;
};

/* `service = any | icmp | icmpv6 | tcp/PORT[-PORT] | udp/PORT[-PORT] | PROTO-NUMBER` */
struct ioc_l4_match {
	bool any;		   /* matches every packet; proto/ports ignored */
	uint8_t proto;		   /* IPPROTO_*: 1 icmp, 58 icmpv6, 6 tcp, 17 udp, or any number */
	uint16_t port_lo, port_hi; /* destination ports, tcp/udp only; 0-65535 when absent */
};

struct ioc_l4_list {
	struct ioc_l4_match *v;
	unsigned n;
};

struct ioc_host {
	char name[IOC_NAME_MAX];
	int watchdog_lcore;	       /* -1: the main lcore */
	uint32_t heartbeat_timeout_ms; /* default 10 */
	uint32_t mbufs;		       /* the mbuf pool; 0 (default): sized from the ports */
	uint32_t watchdog_rt_priority; /* SCHED_FIFO priority of the watchdog's thread; 0: none */
	uint32_t idle_sleep_us;	       /* polling lcores' back-off sleep; 0: never sleep */
	char control_group[IOC_NAME_MAX]; /* the control socket's group; "": iochain's user only */
	int line;			  /* section line, for messages */
};

struct ioc_uplink {
	char name[IOC_NAME_MAX];
	char device[IOC_DEVARGS_MAX];
	struct ioc_lcore_list lcores; /* one RX queue per lcore */
	int line;		      /* section line, for messages */
};

struct ioc_vm {
	char name[IOC_NAME_MAX];
	uint32_t world;
	char vc_uuid[IOC_UUID_MAX];
	int line;
};

/* [vnic] vlan: what a VM may do with 802.1Q/802.1ad tags. */
enum ioc_vlan_mode {
	IOC_VLAN_NONE,	 /* untagged only, both ways (default) */
	IOC_VLAN_ACCESS, /* vlan = N: tagged N on the uplink, untagged towards the VM */
	IOC_VLAN_TRUNK,	 /* guest tagging: tags pass both ways */
};

struct ioc_vnic {
	char name[IOC_NAME_MAX]; /* "VM.ethN" */
	int vm;			 /* index of [vm VM] */
	unsigned eth;		 /* N of ethN */
	char device[IOC_DEVARGS_MAX];
	uint32_t switch_port;
	uint8_t mac[6];
	uint32_t ip[IOC_MAX_VNIC_IPS];
	unsigned n_ip;
	uint8_t ip6[IOC_MAX_VNIC_IPS][16]; /* IPv6 bindings, network order */
	unsigned n_ip6;
	/* The MAC's EUI-64 link-local is bound too (ipv6_link_local = auto). */
	bool ipv6_link_local;
	int uplink; /* index, or -1: local-only vNIC */
	struct ioc_lcore_list lcores;
	/* Outbound ethertypes spoofguard passes besides IPv4, ARP and IPv6 (LLDP, ...) */
	uint16_t allow_ethertype[IOC_MAX_ETHERTYPES];
	unsigned n_allow_ethertype;
	enum ioc_vlan_mode vlan_mode;
	uint16_t vlan_id; /* IOC_VLAN_ACCESS: 1-4094 */
	uint32_t max_connections; /* connection-table entries per forwarding lcore; 0: no limit */
	int line;
};

struct ioc_ipset {
	char name[IOC_NAME_MAX];
	struct ioc_cidr *v;
	unsigned n;
	int line;
};

/* members = vm:NAME, vnic:NAME, ipset:NAME, group:NAME, CIDR (kinds VM, VNIC, IPSET, GROUP, CIDR)
 */
struct ioc_group {
	char name[IOC_NAME_MAX];
	struct ioc_ref_list members;
	int line;
};

struct ioc_dfw {
	bool default_allow;   /* default_action = allow (default) | drop */
	bool stateful;	      /* default true */
	uint32_t connections; /* connection table entries per forwarding lcore */
	bool tcp_pickup;      /* TCP without SYN may open a connection; default false */
};

enum ioc_action {
	IOC_ACT_ALLOW,
	IOC_ACT_DROP,
	IOC_ACT_REJECT,
	IOC_ACT_REDIRECT,
	IOC_ACT_NO_REDIRECT,
};

struct ioc_dfw_rule {
	char name[IOC_NAME_MAX];
	uint32_t priority;
	unsigned order; /* position in the file among dfw rules: ties keep file order */
	struct ioc_ref_list src, dst; /* ANY, CIDR, IPSET, GROUP */
	struct ioc_l4_list service;
	unsigned direction;		/* enum ioc_dir bits */
	struct ioc_ref_list applied_to; /* ANY, VNIC, GROUP */
	enum ioc_action action;		/* ALLOW, DROP, REJECT */
	int line;
};

struct ioc_service {
	char name[IOC_NAME_MAX];
	char vendor[IOC_NAME_MAX];
	int line;
};

struct ioc_service_instance {
	char name[IOC_NAME_MAX];
	int service;
	struct ioc_lcore_list lcores;
	struct ioc_lcore_list standby_lcores;
	uint32_t heartbeat_timeout_ms; /* default: host's */
	bool auto_recover;	       /* default true */
	/* A still heartbeat of a worker that did not run: DOWN after this (default 5 x timeout). */
	uint32_t max_preempt_ms;
	uint32_t slow_path_id;
	bool has_slow_path_id; /* false: none given, shown as "none" */
	unsigned id;	       /* N of serviceinstance-N: stable, 4 + position in file order */
	int line;
};

enum ioc_fail_closed_scope {
	IOC_SCOPE_VNIC,
	IOC_SCOPE_REDIRECTED,
};

struct ioc_service_profile {
	char name[IOC_NAME_MAX];
	int instance;
	bool fail_open; /* default false */
	enum ioc_fail_closed_scope fail_closed_scope;
	int line;
};

struct ioc_redirect_rule {
	char name[IOC_NAME_MAX];
	unsigned order;
	int group;
	unsigned direction;
	struct ioc_ref_list src, dst;
	struct ioc_l4_list service;
	enum ioc_action action; /* REDIRECT, NO_REDIRECT */
	int profile;		/* required for REDIRECT, -1 for NO_REDIRECT */
	int line;
};

struct ioc_svm_rule {
	char name[IOC_NAME_MAX];
	int instance;
	uint32_t priority;
	unsigned order;
	struct ioc_ref_list src, dst;
	struct ioc_l4_list service;
	unsigned direction;
	enum ioc_action action; /* ALLOW, DROP */
	int line;
};

/* [svm NAME]: an external appliance behind one worker lcore (DESIGN.md §9). */
enum ioc_probe {
	IOC_PROBE_L2,	/* ethertype 0x88b5 frames (default) */
	IOC_PROBE_ICMP, /* ICMP echo between link-local addresses, for IP-only appliances */
	IOC_PROBE_NONE,
};

#define IOC_RESTART_MAX 512

struct ioc_svm {
	char name[IOC_NAME_MAX];
	int instance;
	unsigned lcore;			  /* one of the instance's lcores or standby_lcores */
	char device_in[IOC_DEVARGS_MAX];  /* outbound traffic enters here */
	char device_out[IOC_DEVARGS_MAX]; /* inbound traffic enters here */
	enum ioc_probe probe;
	uint32_t probe_interval_ms;    /* default 1 */
	char restart[IOC_RESTART_MAX]; /* shell command run while down; "" none */
	uint32_t restart_after_ms;     /* default 1000 */
	int line;
};

struct ioc_topology {
	char file[256]; /* path it was loaded from, or "<embedded>" */
	struct ioc_host host;
	struct ioc_dfw dfw;
	struct ioc_uplink *uplinks;
	unsigned n_uplinks;
	struct ioc_vm *vms;
	unsigned n_vms;
	struct ioc_vnic *vnics;
	unsigned n_vnics;
	struct ioc_ipset *ipsets;
	unsigned n_ipsets;
	struct ioc_group *groups;
	unsigned n_groups;
	struct ioc_dfw_rule *dfw_rules;
	unsigned n_dfw_rules;
	struct ioc_service *services;
	unsigned n_services;
	struct ioc_service_instance *instances;
	unsigned n_instances;
	struct ioc_service_profile *profiles;
	unsigned n_profiles;
	struct ioc_redirect_rule *redirect_rules;
	unsigned n_redirect_rules;
	struct ioc_svm_rule *svm_rules;
	unsigned n_svm_rules;
	struct ioc_svm *svms;
	unsigned n_svms;
};

/* Lookups by name: index, or -1. */
int ioc_topo_find_vm(const struct ioc_topology *t, const char *name);
int ioc_topo_find_vnic(const struct ioc_topology *t, const char *name);
int ioc_topo_find_uplink(const struct ioc_topology *t, const char *name);
int ioc_topo_find_ipset(const struct ioc_topology *t, const char *name);
int ioc_topo_find_group(const struct ioc_topology *t, const char *name);
int ioc_topo_find_instance(const struct ioc_topology *t, const char *name);
int ioc_topo_find_profile(const struct ioc_topology *t, const char *name);
/* The [svm] driven by lcore `lcore`, or -1. */
int ioc_topo_find_svm_by_lcore(const struct ioc_topology *t, unsigned lcore);

/*
 * Whether vNIC `vnic` is a member of group `group`, directly (vnic:), through
 * its VM (vm:), through one of its IPs (ipset:/CIDR) or through nested groups.
 * Cycles are rejected by the loader, so recursion terminates.
 */
bool ioc_topo_group_has_vnic(const struct ioc_topology *t, int group, int vnic);
/*
 * The profiles vNIC `vnic`'s redirect rules can mark its packets for, each
 * once, in rule order (out[0]: the first redirect rule's); out holds
 * n_profiles entries. Returns how many.
 */
unsigned ioc_topo_vnic_profiles(const struct ioc_topology *t, int vnic, int *out);
/*
 * The profile that decides a frame slot 2 cannot classify (not IPv4: IPv6,
 * ARP, any other ethertype) on vNIC `vnic` going `dir` (one IOC_DIR_ bit),
 * or -1 (it is not redirected). The first redirect rule of the vNIC for
 * `dir` whose source, destination and service are all `any` decides (redirect:
 * its profile; no_redirect: -1); without one, the profile of the vNIC's first
 * redirect rule for `dir` inspects it, so nothing unknown passes slot 4
 * uninspected where IPv4 is redirected. No redirect rule for `dir`: -1.
 */
int ioc_topo_unclassified_profile(const struct ioc_topology *t, int vnic, unsigned dir);
/* The vNIC's EUI-64 link-local address, fe80::/64 from its MAC (RFC 4291 appendix A). */
void ioc_vnic_link_local(const struct ioc_vnic *v, uint8_t a[16]);
/*
 * The vNIC's IPv6 addresses: its bindings, then the EUI-64 link-local when
 * ipv6_link_local is set. Returns how many (at most IOC_MAX_VNIC_IPS + 1).
 */
unsigned ioc_vnic_ipv6(const struct ioc_vnic *v, uint8_t out[][16]);
/* Whether IPv6 address a (network order) is in prefix c (false for an IPv4 prefix). */
bool ioc_cidr_has_ip6(const struct ioc_cidr *c, const uint8_t a[16]);

/* Whether a list matches everything (has an `any` element). */
bool ioc_ref_list_is_any(const struct ioc_ref_list *l);
bool ioc_l4_list_is_any(const struct ioc_l4_list *l);

/*
 * Whether IPv4 address ip (host order) is in one of the list's elements: any,
 * an IPv4 CIDR, an ipset's IPv4 prefixes, a group (recursively: its CIDRs, ipsets, groups, and the
 * bound IPs of its vms and vnics), a vm's or a vnic's bound IPs.
 */
bool ioc_topo_refs_have_ip(const struct ioc_topology *t, const struct ioc_ref_list *l, uint32_t ip);

/*
 * Whether a packet of IP protocol `proto` to port `dport` (host order; tcp and
 * udp only, has_ports false for a non-first fragment) matches a service list.
 */
bool ioc_l4_list_match(const struct ioc_l4_list *l, uint8_t proto, uint16_t dport, bool has_ports);

/* The lcore ids the topology gives a forwarding role (ports' `lcore`), as a bitmap. */
void ioc_topo_forwarding_lcores(const struct ioc_topology *t, bool out[IOC_MAX_LCORES]);

/* Frees every array; the struct may be reused after ioc_topo_init(). */
void ioc_topo_init(struct ioc_topology *t);
void ioc_topo_free(struct ioc_topology *t);

#endif /* IOC_TOPOLOGY_H */
