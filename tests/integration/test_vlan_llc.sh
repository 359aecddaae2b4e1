#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Isolation from inside the VM (audit M6, M7), with raw frames from its
# namespace (AF_PACKET; the kernel has no 8021q, so the tags are crafted):
# a VLAN-hopping double tag and an LLC/SNAP-encapsulated IPv4 with a spoofed
# source are dropped by spoofguard with their named counters (vlan = none:
# swsec_drop_vlan; 802.3 length frames: swsec_drop_ethertype) and never
# reach the laptop, while the same payload untagged, from the VM's own
# address, does.
. "$(dirname "$0")/_init.sh"

PY=/usr/bin/python3
# The lab's two taps, no service insertion: slot 1 alone stands between the
# VM's frames and the uplink (slot 2 passes what is not IP).
lab_ini net_tap0,iface=vm1s1 net_tap1,iface=uplink0 >"$T/lab.ini"
lab_start "$T/lab.ini"
# iochain learns the laptop's MAC (unknown unicast is dropped).
check "the laptop pings the VM" ip netns exec "$LAPTOP" ping -c 2 -i 0.2 -W 2 10.0.0.11

# The laptop listens on its interface until STOPFILE exists (at most 15 s) and
# counts the markers it sees.
ip netns exec "$LAPTOP" $PY - uplink0 "$T/stop" >"$T/seen" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
s.bind((sys.argv[1], 0))
s.settimeout(0.2)
seen = {b"VLANHOP": 0, b"SNAPSPOOF": 0, b"CONTROL": 0}
n = 0
end = time.time() + 15
while time.time() < end and not os.path.exists(sys.argv[2]):
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    n += 1
    for k in seen:
        seen[k] += k in f
print(" ".join("%s=%d" % (k.decode(), v) for k, v in seen.items()), "frames=%d" % n)
PY
SNIFF=$!
sleep 0.5

vlan0=$(counter VM1S1.eth0 swsec_drop_vlan)
eth0=$(counter VM1S1.eth0 swsec_drop_ethertype)
ip netns exec "$VM" $PY - vm1s1 <<'PY'
import socket, struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff

def ipv4_udp(src, dst, payload):
    udp = struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + udp

laptop = bytes.fromhex("020000000064")
vm = bytes.fromhex("020000000101")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
# Outer 802.1Q tag VLAN 0 (priority), inner tag VLAN 20: a switch that strips
# the outer tag would deliver the rest on VLAN 20.
hop = laptop + vm + struct.pack("!HHHH", 0x8100, 0, 0x8100, 20) + b"\x08\x00" + \
    ipv4_udp("10.0.0.11", "10.0.0.100", b"VLANHOP")
# 802.3 length, LLC AA AA 03, SNAP OUI 000000 type 0800: IPv4 from an address
# the VM does not own.
ip = ipv4_udp("10.0.0.99", "10.0.0.100", b"SNAPSPOOF")
llc = b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + ip
snap = laptop + vm + struct.pack("!H", len(llc)) + llc
control = laptop + vm + b"\x08\x00" + ipv4_udp("10.0.0.11", "10.0.0.100", b"CONTROL")
for _ in range(20):
    s.send(hop)
    s.send(snap)
for _ in range(5):
    s.send(control)
PY
check_eq "the VM sent its frames" 0 "$?"
sleep 1
touch "$T/stop"
wait $SNIFF
seen=$(cat "$T/seen")
echo "# laptop saw: $seen"
check "the control frame (untagged, the VM's own address) reaches the laptop" \
	grep -q "CONTROL=[1-9]" "$T/seen"
check "no double-tagged frame reaches the laptop" grep -q "VLANHOP=0" "$T/seen"
check "no LLC/SNAP frame reaches the laptop" grep -q "SNAPSPOOF=0" "$T/seen"
check_eq "swsec_drop_vlan counts the 20 double tags" 20 \
	$(($(counter VM1S1.eth0 swsec_drop_vlan) - vlan0))
check_eq "swsec_drop_ethertype counts the 20 LLC/SNAP frames" 20 \
	$(($(counter VM1S1.eth0 swsec_drop_ethertype) - eth0))
stop_iochain
check_eq "iochain stops cleanly" 0 "$IOC_RC"
finish
