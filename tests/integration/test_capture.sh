#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iochainctl capture in the reference lab: packets of VM1S1.eth0 copied at a
# point of its chain into pcapng files that tshark reads. A spoofed ping is at
# before-slot-1 and not at after-slot-1; a good one is at both, both ways, and
# at after-slot-4 once the SVM returned it; each packet carries a comment with
# the vNIC, its direction and the point. Bad input is refused without a
# capture starting.
. "$(dirname "$0")/_init.sh"

command -v tshark >/dev/null || { echo "Bail out! no tshark (scripts/setup.sh installs it)"; exit 1; }
sed 's/^heartbeat_timeout_ms = .*/heartbeat_timeout_ms = 1000/' "$TOP/config/blog-lab.ini" >"$T/lab.ini"
lab_start "$T/lab.ini"
check "warm-up ping" ip netns exec $VM ping -c 2 -i 0.2 -W 2 10.0.0.100
ip -n $VM addr add 10.0.0.99/24 dev vm1s1
# IPv6 and ARP chatter of the taps would take the count: the namespaces stay quiet.
ip netns exec $VM sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec $LAPTOP sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n $VM neigh replace 10.0.0.100 lladdr 02:00:00:00:00:64 dev vm1s1 nud permanent
ip -n $LAPTOP neigh replace 10.0.0.11 lladdr 02:00:00:00:01:01 dev uplink0 nud permanent
check_eq "no capture yet" "no capture (iochainctl capture VNIC --point POINT -w FILE starts one)" \
	"$(ctl capture show)"

# capture POINT FILE COUNT: in the background; then a spoofed ping (1 packet
# out) and a good one (request out, reply in): what reaches the point.
capture() {
	"$CTL" --file-prefix $PREFIX capture VM1S1.eth0 --point "$1" --count "$3" -w "$2" \
		>"$2.out" 2>&1 &
	CAP_PID=$!
	for _ in $(seq 1 50); do
		ctl capture show | grep -q "running" && break
		sleep 0.1
	done
	ip netns exec $VM ping -c 1 -W 1 -I 10.0.0.99 10.0.0.100 >/dev/null
	ip netns exec $VM ping -c 1 -W 2 10.0.0.100 >/dev/null
	for _ in $(seq 1 30); do
		kill -0 $CAP_PID 2>/dev/null || break
		sleep 0.1
	done
	# Fewer packets than COUNT reached the point: stop it from here.
	kill -0 $CAP_PID 2>/dev/null && ctl capture stop >/dev/null
	wait $CAP_PID
}
# One line per packet: source, ICMP type, comment.
fields() {
	tshark -r "$1" -T fields -E separator='|' -e ip.src -e icmp.type -e frame.comment 2>/dev/null
}

capture before-slot-1 "$T/b1.pcapng" 3
cat "$T/b1.pcapng.out" | sed 's/^/# /'
fields "$T/b1.pcapng" >"$T/b1.txt"
sed 's/^/# before-slot-1: /' "$T/b1.txt"
check "before-slot-1: iochainctl says what it wrote" grep -qx "3 packets written to $T/b1.pcapng" "$T/b1.pcapng.out"
check "before-slot-1: the spoofed request is there" grep -qx "10.0.0.99|8|VM1S1.eth0 out before-slot-1" "$T/b1.txt"
check "before-slot-1: the good request" grep -qx "10.0.0.11|8|VM1S1.eth0 out before-slot-1" "$T/b1.txt"
check "before-slot-1: the reply, inbound" grep -qx "10.0.0.100|0|VM1S1.eth0 in before-slot-1" "$T/b1.txt"
check_eq "before-slot-1: 3 packets in the file" 3 "$(wc -l <"$T/b1.txt")"
ifs=$(tshark -r "$T/b1.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort -u)
echo "# interfaces: $ifs"
check "every packet on one interface, the vNIC's DPDK port (dpdk:N)" grep -Eqx 'dpdk:[0-9]+' <<<"$ifs"

capture after-slot-1 "$T/a1.pcapng" 3
fields "$T/a1.pcapng" >"$T/a1.txt"
sed 's/^/# after-slot-1: /' "$T/a1.txt"
check "after-slot-1: no spoofed request (spoofguard dropped it)" sh -c "! grep -q '^10.0.0.99' '$T/a1.txt'"
check "after-slot-1: the good request" grep -qx "10.0.0.11|8|VM1S1.eth0 out after-slot-1" "$T/a1.txt"
check "after-slot-1: the reply" grep -qx "10.0.0.100|0|VM1S1.eth0 in after-slot-1" "$T/a1.txt"
check "after-slot-1: 2 packets, stopped before its count" grep -qx "2 packets written to $T/a1.pcapng" "$T/a1.pcapng.out"

# After slot 4: what the SVM returned (the lab redirects all of VM1S1's traffic).
capture after-slot-4 "$T/a4.pcapng" 2
fields "$T/a4.pcapng" >"$T/a4.txt"
sed 's/^/# after-slot-4: /' "$T/a4.txt"
check "after-slot-4: the request, back from the SVM" grep -qx "10.0.0.11|8|VM1S1.eth0 out after-slot-4" "$T/a4.txt"
check "after-slot-4: the reply" grep -qx "10.0.0.100|0|VM1S1.eth0 in after-slot-4" "$T/a4.txt"
check_eq "the datapath's ledger still adds up: spoofguard dropped the 3 spoofed pings" \
	3 "$(counter VM1S1.eth0 swsec_drop_ip)"

# Bad input: a precise error, exit status, no capture running.
ctl capture VM9.eth0 --point before-slot-1 -w "$T/x.pcapng" >"$T/err.out" 2>&1
check_eq "unknown vNIC: exit 1" 1 $?
check "... named" grep -qx "iochainctl: no vNIC VM9.eth0" "$T/err.out"
ctl capture VM1S1.eth0 --point middle -w "$T/x.pcapng" >"$T/err.out" 2>&1
check_eq "unknown point: exit 1" 1 $?
check "... explained" grep -q "no capture point middle: before-slot-N or after-slot-N" "$T/err.out"
ctl capture VM1S1.eth0 --point after-slot-3 -w "$T/x.pcapng" >"$T/err.out" 2>&1
check "a slot the chain lacks" grep -qx "iochainctl: VM1S1.eth0 has no slot 3 in its chain" "$T/err.out"
ctl capture VM1S1.eth0 --point before-slot-1 -w /nonexistent/dir/x.pcapng >"$T/err.out" 2>&1
check_eq "unwritable file: exit 1" 1 $?
check "... with the system's reason" grep -qx "iochainctl: /nonexistent/dir/x.pcapng: No such file or directory" "$T/err.out"
ctl capture VM1S1.eth0 --point before-slot-1 --count 0 -w "$T/x.pcapng" >"$T/err.out" 2>&1
check_eq "COUNT 0: exit 2" 2 $?
check "nothing runs after bad input" sh -c "'$CTL' --file-prefix $PREFIX capture show | grep -q 'stopped'"
check "pings still pass" ip netns exec $VM ping -c 2 -i 0.2 -W 2 10.0.0.100

stop_iochain
check_eq "iochain exits 0 on SIGINT" 0 "$IOC_RC"
finish
