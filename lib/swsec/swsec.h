/* SPDX-License-Identifier: BSD-3-Clause */
/* Slot 1, swsec (spoofguard): drop reasons, in counter order. */
#ifndef IOC_SWSEC_H
#define IOC_SWSEC_H

enum ioc_swsec_reason {
	IOC_SWSEC_DROP_MAC,	  /* Ethernet source is not the vNIC's MAC */
	IOC_SWSEC_DROP_IP,	  /* IPv4 source is not a bound address */
	IOC_SWSEC_DROP_ARP,	  /* ARP sender MAC or IP is not the vNIC's */
	IOC_SWSEC_DROP_IPV6,	  /* IPv6 source neither bound nor the link-local; :: but DAD */
	IOC_SWSEC_DROP_MALFORMED, /* IPv4/IPv6/ARP header truncated or inconsistent */
	IOC_SWSEC_DROP_ETHERTYPE, /* not IPv4, ARP or IPv6, nor in [vnic] allow_ethertypes */
	IOC_SWSEC_DROP_VLAN,	  /* a tag [vnic] vlan does not allow, either way */
	IOC_SWSEC_DROP_ND, /* NS/NA: a link-layer option not the vNIC's MAC, a target not bound */
	IOC_SWSEC_DROP_RA, /* a Router Advertisement (RA guard) */
	IOC_SWSEC_DROP_REDIRECT, /* an ICMPv6 Redirect */
	IOC_SWSEC_DROP_DHCPV6,	 /* a DHCPv6 server or relay message (UDP source port 547) */
	IOC_SWSEC_NB_REASONS,
};

#endif /* IOC_SWSEC_H */
