#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# IPv6 through slots 1 and 2 on net_tap (README "IPv6 spoofguard", "Slot 2
# and IPv6"): the VM bound to 2001:db8::11 and ::12 (and its EUI-64
# link-local), the firewall default-drop and stateful with IPv6 rules. The VM
# and the laptop ping each other with ping -6, global and link-local, after
# DAD (neighbour discovery passes slot 2 as ARP does); a TCP connection from
# the laptop passes an inbound rule and its answers by the connection; a
# reject rule answers a connection with a RST and ping -6 with ICMPv6
# administratively prohibited; a spoofed source, a Router Advertisement and a
# forged Neighbor Advertisement from the VM are dropped and counted, and the
# laptop's tables show none of them arrived; the same RA sent by the laptop
# reaches the VM (inbound is not checked).
. "$(dirname "$0")/_init.sh"

VM=ioc-vm1s1
LAPTOP=ioc-laptop
netns_add $VM
netns_add $LAPTOP
LAB_IPS="10.0.0.11, 2001:db8::11, 2001:db8::12" lab_ini "net_tap0,iface=vm1s1" \
	"net_tap1,iface=uplink0" | sed 's/^default_action = allow$/default_action = drop/' >"$T/lab6.ini"
rule() {
	printf '[dfw_rule %s]\npriority = %s\nsource = %s\ndestination = %s\nservice = %s\n' "$1" "$2" "$3" "$4" "$5"
	printf 'direction = %s\napplied_to = any\naction = %s\n' "$6" "$7"
}
{
	rule reject-ping 5 any 2001:db8::12 icmpv6 in reject
	rule ping 10 any any icmpv6 inout allow
	rule web6 20 2001:db8::100 2001:db8::/64 tcp/8080 in allow
	rule reject-tcp 30 any any tcp/9000 in reject
} >>"$T/lab6.ini"
start_iochain "$T/lab6.ini" --lcores 0@0,1@1 || { not_ok "iochain starts"; finish; }
ok "iochain starts with the VM bound to 10.0.0.11, 2001:db8::11 and ::12, IPv6 rules"

# IPv6 on, on the two interfaces only: their link-locals come from the MACs set here.
ipv6_on() {
	netns_attach "$1" "$2" "$3" "$4" &&
		ip netns exec "$2" sysctl -qw "net.ipv6.conf.$1.disable_ipv6=0" &&
		ip -n "$2" addr add "$5" dev "$1"
}
check "VM tap in its namespace, IPv6 on" ipv6_on vm1s1 $VM 02:00:00:00:01:01 10.0.0.11/24 \
	2001:db8::11/64
ip -n $VM addr add 2001:db8::12/64 dev vm1s1
check "laptop tap in its namespace, IPv6 on" ipv6_on uplink0 $LAPTOP 02:00:00:00:00:64 \
	10.0.0.100/24 2001:db8::100/64
# DAD (a solicitation from ::, through spoofguard) must finish on both sides.
dad_done() {
	for _ in $(seq 1 50); do
		[ -z "$(ip -n $VM -6 addr show tentative)$(ip -n $LAPTOP -6 addr show tentative)" ] &&
			return 0
		sleep 0.1
	done
	ip -n $VM -6 addr show tentative
	return 1
}
check "DAD completes on both sides" dad_done

check "VM pings the laptop (ping -6)" ip netns exec $VM ping -6 -c 3 -i 0.2 -W 2 2001:db8::100
check "laptop pings the VM (ping -6)" ip netns exec $LAPTOP ping -6 -c 3 -i 0.2 -W 2 2001:db8::11
check "VM pings the laptop's link-local from its own" \
	ip netns exec $VM ping -6 -c 2 -i 0.2 -W 2 fe80::ff:fe00:64%vm1s1
check "the VM learnt the laptop's MAC by neighbour discovery" \
	sh -c "ip -n $VM -6 neigh show 2001:db8::100 | grep -q 02:00:00:00:00:64"
check "the laptop learnt the VM's MAC by neighbour discovery" \
	sh -c "ip -n $LAPTOP -6 neigh show 2001:db8::11 | grep -q 02:00:00:00:01:01"

# Slot 2: a TCP connection through a stateful rule. Only the laptop's
# connection is allowed in (web6); the VM's answers pass by the connection.
ip netns exec $VM timeout 20 python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8::11", 8080))
s.listen(1)
c, _ = s.accept()
c.sendall(c.recv(64).upper())
c.close()
' &
listener=$!
tcp_echo() {
	ip netns exec $LAPTOP python3 -c '
import socket, sys, time
for _ in range(50):
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
        break
    except ConnectionRefusedError:
        time.sleep(0.1)
s.sendall(b"through slot 2")
got = s.recv(64)
assert got == b"THROUGH SLOT 2", got
' "$@"
}
check "a TCP connection from the laptop to [2001:db8::11]:8080 and back" tcp_echo 2001:db8::11 8080
wait $listener
check_eq "the listener saw it through" 0 $?
conns() {
	ctl raw /iochain/dfw_connections |
		python3 -c "import json,sys; print(json.load(sys.stdin)['/iochain/dfw_connections']['$1'])"
}
check "the connection was tracked" test "$(conns entries)" -ge 1
# No rule lets the VM open one out: default drop.
drops=$(counter VM1S1.eth0 sfw_drop_default)
check_fails "the VM's own connection to the laptop is dropped" ip netns exec $VM python3 -c '
import socket
socket.create_connection(("2001:db8::100", 8080), timeout=1)
'
check "and counted as sfw_drop_default" test "$(counter VM1S1.eth0 sfw_drop_default)" -gt "$drops"
# A reject rule: the laptop's connection is refused by a RST iochain makes.
rej=$(counter VM1S1.eth0 sfw_reject)
refused() {
	ip netns exec $LAPTOP python3 -c '
import socket
try:
    socket.create_connection(("2001:db8::11", 9000), timeout=3)
except ConnectionRefusedError:
    raise SystemExit(0)
raise SystemExit("not refused")
'
}
check "a connection to port 9000 is refused (RST)" refused
check_eq "and counted as sfw_reject" $((rej + 1)) "$(counter VM1S1.eth0 sfw_reject)"
# ping -6 to the rejected address: ICMPv6 destination unreachable, administratively prohibited.
ip netns exec $LAPTOP ping -6 -c 2 -i 0.3 -W 2 2001:db8::12 >"$T/ping12" 2>&1
check "ping -6 to 2001:db8::12 reports the reject" \
	grep -q "Destination unreachable: Administratively prohibited" "$T/ping12"
check_eq "both echo requests answered by sfw_reject" $((rej + 3)) \
	"$(counter VM1S1.eth0 sfw_reject)"

# A source the VM does not own.
drop6=$(counter VM1S1.eth0 swsec_drop_ipv6)
ip -n $VM addr add 2001:db8::99/64 dev vm1s1 nodad
check_fails "ping -6 from a spoofed source fails" \
	ip netns exec $VM ping -6 -c 3 -i 0.2 -W 1 -I 2001:db8::99 2001:db8::100
check "spoofed packets counted as swsec_drop_ipv6" \
	test "$(counter VM1S1.eth0 swsec_drop_ipv6)" -ge $((drop6 + 3))
check_eq "no spoofed frame reached the laptop" "" "$(ip -n $LAPTOP -6 neigh show 2001:db8::99)"
ip -n $VM addr del 2001:db8::99/64 dev vm1s1

# send_nd NS IFACE ra|na: a Router Advertisement (default router, prefix
# 2001:db8:1::/64) or an unsolicited override NA claiming 2001:db8::100 for
# this interface's MAC, to all-nodes, hop limit 255, from the link-local.
send_nd() {
	ip netns exec "$1" python3 - "$2" "$3" <<'PY'
import socket, struct, sys
ifname, kind = sys.argv[1], sys.argv[2]
idx = socket.if_nametoindex(ifname)
mac = bytes.fromhex(open("/sys/class/net/%s/address" % ifname).read().strip().replace(":", ""))
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
# Not looped back: the sender's own kernel would take the forged NA into its cache.
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
if kind == "ra":
    msg = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    msg += struct.pack("!BBBBIII", 3, 4, 64, 0xc0, 86400, 14400, 0)
    msg += socket.inet_pton(socket.AF_INET6, "2001:db8:1::")
    msg += struct.pack("!BB", 1, 1) + mac
else:
    msg = struct.pack("!BBHI", 136, 0, 0, 0x20000000)
    msg += socket.inet_pton(socket.AF_INET6, "2001:db8::100")
    msg += struct.pack("!BB", 2, 1) + mac
for _ in range(3):
    s.sendto(msg, ("ff02::1", 0, 0, idx))
PY
}
no_default_route() {
	sleep 1
	[ -z "$(ip -n "$1" -6 route show default)" ]
}
ra=$(counter VM1S1.eth0 swsec_drop_ra)
check "an RA sent from the VM's namespace" send_nd $VM vm1s1 ra
check "RAs counted as swsec_drop_ra" test "$(counter VM1S1.eth0 swsec_drop_ra)" -ge $((ra + 3))
check "the laptop took no default route from it" no_default_route $LAPTOP
nd=$(counter VM1S1.eth0 swsec_drop_nd)
check "an NA claiming the laptop's address sent from the VM's namespace" send_nd $VM vm1s1 na
check "forged NAs counted as swsec_drop_nd" test "$(counter VM1S1.eth0 swsec_drop_nd)" -ge $((nd + 3))
check "the laptop still reaches the VM" ip netns exec $LAPTOP ping -6 -c 3 -i 0.2 -W 2 2001:db8::11
# The control: the same RA from the laptop reaches the VM, which installs the route.
has_default_route() {
	for _ in $(seq 1 30); do
		ip -n "$1" -6 route show default | grep -q "via fe80::ff:fe00:64" && return 0
		sleep 0.1
	done
	return 1
}
check "the same RA sent by the laptop reaches the VM" send_nd $LAPTOP uplink0 ra
check "the VM installed the laptop as its default router" has_default_route $VM

check "VM1S1.eth0 counters add up" ledger VM1S1.eth0
check "uplink0 counters add up" ledger uplink0
stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
