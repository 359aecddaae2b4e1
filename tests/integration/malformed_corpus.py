#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The malformed-traffic corpus (README "Malformed traffic"), as two pcaps for net_pcap.

  malformed_corpus.py DIR  -> DIR/vnic.pcap (frames VM1S1.eth0 sends: to the
                              uplink), DIR/uplink.pcap (frames the uplink
                              receives: to VM1S1.eth0), DIR/expect.json

expect.json: for each side, every case with its expected outcome (a counter
name, or "forwarded"), the expected total of each drop counter, and the
frames expected out of the other port, hex-encoded, in order.

Every frame of a side differs (the IPv4 identification or the payload holds
the case number), so the frames out of the other port name their cases.
"""
import importlib.util
import json
import os
import struct
import sys

_spec = importlib.util.spec_from_file_location(
    "gen_pcap", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/gen-pcap.py"))
gen_pcap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_pcap)

VM_MAC = bytes.fromhex("020000000101")
LAPTOP_MAC = bytes.fromhex("020000000064")
BCAST = b"\xff" * 6
VM_IP = bytes([10, 0, 0, 11])
LAPTOP_IP = bytes([10, 0, 0, 100])
ETH_IPV4, ETH_ARP, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x0806, 0x86DD, 0x8100, 0x88A8
UDP, TCP, ICMP = 17, 6, 1


def eth(dst, src, etype, tags=()):
    h = dst + src
    for t in tags:
        h += struct.pack("!HH", t, 100)
    return h + struct.pack("!H", etype)


def ipv4(src, dst, proto, payload, ident, ihl=5, tot=None, frag=0, version=4):
    opts = b"\x01" * ((ihl - 5) * 4) if ihl > 5 else b""
    tot = 20 + len(opts) + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, tot, ident, frag, 64, proto, 0,
                    src, dst) + opts
    h = h[:10] + struct.pack("!H", gen_pcap.checksum(h)) + h[12:]
    return h + payload


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp_hdr(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x10, 8192, 0, 0)


def arp(hlen, plen, smac, sip, tip):
    return struct.pack("!HHBBH", 1, ETH_IPV4, hlen, plen, 1) + smac + sip + b"\0" * 6 + tip


def ipv6_ext(src_last, dst_last, n_ext=1, data=b"x" * 8, plen=None):
    # IPv6 with a hop-by-hop header, then n_ext - 1 destination options headers, then UDP.
    src = bytes(15) + bytes([src_last])
    dst = bytes(15) + bytes([dst_last])
    nexts = [60] * (n_ext - 1) + [UDP]
    body = b"".join(bytes([n, 0]) + b"\x01\x04\0\0\0\0" for n in nexts)
    body += udp(5000, 5001, data)
    plen = len(body) if plen is None else plen
    return struct.pack("!IHBB", 6 << 28, plen, 0, 64) + src + dst + body


def cases(side):
    """(name, frame, outcome): outcome is a counter, "forwarded" or "flooded"."""
    out = side == "vnic"
    dmac, smac = (LAPTOP_MAC, VM_MAC) if out else (VM_MAC, LAPTOP_MAC)
    sip, dip = (VM_IP, LAPTOP_IP) if out else (LAPTOP_IP, VM_IP)
    mal = "swsec_drop_malformed" if out else "sfw_drop_malformed"
    c = []

    def add(name, frame, outcome):
        c.append((name, frame, outcome))

    def ip(proto, payload, **kw):
        return eth(dmac, smac, ETH_IPV4) + ipv4(sip, dip, proto, payload, len(c) + 1, **kw)

    good = udp(4000, 5001, b"case%02d" % (len(c) + 1) + b"\0" * 10)
    add("a well-formed UDP frame", ip(UDP, good), "forwarded")
    add("runt: 10 bytes", (dmac + smac)[:10], "drop_runt")
    add("Ethernet header only", eth(dmac, smac, ETH_IPV4), mal)
    add("IPv4 header cut at 10 bytes", eth(dmac, smac, ETH_IPV4) + ipv4(sip, dip, UDP, b"", 4)[:10],
        mal)
    add("IHL 4", ip(UDP, udp(4000, 5001, b"y" * 16), ihl=4), mal)
    add("IHL 15 past the frame", ip(UDP, udp(4000, 5001, b"y" * 4), ihl=15)[:14 + 40], mal)
    add("version 6 in an IPv4 frame", ip(UDP, udp(4000, 5001, b"y" * 16), version=6), mal)
    add("total length past the frame", ip(UDP, udp(4000, 5001, b"y" * 16), tot=200), mal)
    add("total length below IHL", ip(UDP, udp(4000, 5001, b"y" * 16), tot=12), mal)
    add("Ethernet padding after the datagram",
        ip(UDP, udp(4000, 5001, b"p" * 2)) + b"\0" * 20, "forwarded")
    add("UDP with 2 bytes of L4", ip(UDP, b"\x0f\xa0"), mal)
    # Not malformed (the ports are there), but without its flags it has no SYN to open with.
    add("TCP with its ports, header cut", ip(TCP, tcp_hdr(4000, 5001)[:8]), "sfw_drop_no_syn")
    add("ICMP with 4 bytes", ip(ICMP, b"\x08\0\0\0"), mal)
    add("first fragment", ip(UDP, udp(4000, 5001, b"f" * 16), frag=0x2000), "forwarded")
    add("non-first fragment", ip(UDP, b"g" * 24, frag=0x0003), "forwarded")
    add("IPv4 options (IHL 6)", ip(UDP, udp(4000, 5001, b"o" * 16), ihl=6), "forwarded")
    add("802.1Q tag", eth(dmac, smac, ETH_IPV4, (ETH_VLAN,)) +
        ipv4(sip, dip, UDP, udp(4000, 5001, b"v" * 16), len(c) + 1), "forwarded")
    add("802.1ad + 802.1Q", eth(dmac, smac, ETH_IPV4, (ETH_QINQ, ETH_VLAN)) +
        ipv4(sip, dip, UDP, udp(4000, 5001, b"q" * 16), len(c) + 1), "forwarded")
    add("VLAN tag cut short", dmac + smac + struct.pack("!HH", ETH_VLAN, 100),
        mal if out else "forwarded")
    add("three tags", eth(dmac, smac, ETH_IPV4, (ETH_QINQ, ETH_VLAN, ETH_VLAN)) +
        ipv4(sip, dip, UDP, udp(4000, 5001, b"t" * 16), len(c) + 1),
        mal if out else "forwarded")
    add("IPv6 with an extension header", eth(dmac, smac, ETH_IPV6) + ipv6_ext(11, 100),
        "swsec_drop_ipv6" if out else "forwarded")
    add("IPv6 header cut at 30 bytes", (eth(dmac, smac, ETH_IPV6) + ipv6_ext(11, 100))[:14 + 30], mal)
    add("IPv6 payload length past the frame",
        eth(dmac, smac, ETH_IPV6) + ipv6_ext(11, 100, data=b"%02d" % (len(c) + 1), plen=300), mal)
    add("IPv6 extension chain past the bound (6 headers)",
        eth(dmac, smac, ETH_IPV6) + ipv6_ext(11, 100, n_ext=6, data=b"%02d" % (len(c) + 1)), mal)
    add("IPv6 chain of 5 headers (the bound)",
        eth(dmac, smac, ETH_IPV6) + ipv6_ext(11, 100, n_ext=5, data=b"%02d" % (len(c) + 1)),
        "swsec_drop_ipv6" if out else "forwarded")
    add("ARP with hlen 4", eth(BCAST, smac, ETH_ARP) + arp(4, 4, smac, sip, dip),
        mal if out else "flooded")
    add("jumbo: 9000-byte UDP (a multi-segment mbuf)", ip(UDP, udp(4000, 5001, b"j" * 8964)), mal)
    add("a well-formed UDP frame, last", ip(UDP, udp(4000, 5001, b"last" + b"\0" * 14)),
        "forwarded")
    return c


def main():
    d = sys.argv[1]
    expect = {}
    for side in ("vnic", "uplink"):
        c = cases(side)
        gen_pcap.write_pcap("%s/%s.pcap" % (d, side), [f for _, f, _ in c])
        totals = {}
        for _, _, o in c:
            if o not in ("forwarded", "flooded"):
                totals[o] = totals.get(o, 0) + 1
        expect[side] = {
            "frames": len(c),
            "cases": [{"case": n, "bytes": len(f), "outcome": o} for n, f, o in c],
            "drops": totals,
            "out": [f.hex() for _, f, o in c if o in ("forwarded", "flooded")],
        }
    json.dump(expect, open("%s/expect.json" % d, "w"), indent=1)


if __name__ == "__main__":
    main()
