#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Slot 2, the distributed firewall, on net_tap (config/dfw-lab.ini: default
# drop, stateful): a TCP connection a rule allows and its answers, which only
# the connection table lets out; a rejected port refused at once (RST), a UDP
# port refused by ICMP, a dropped port timing out; pings allowed and denied
# per rule; the rule hit counters and the connection table over telemetry.
. "$(dirname "$0")/_init.sh"

lab_start "$TOP/config/dfw-lab.ini" --lcores 0@0,1@1
ip -n $LAPTOP addr add 10.0.0.101/24 dev uplink0

check "the laptop pings the VM (rule ping-from-laptop)" \
	ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 2 10.0.0.11
check "the VM pings the laptop (vm-pings-out, answers by the connection table)" \
	ip netns exec $VM ping -c 3 -i 0.2 -W 2 10.0.0.100
check_fails "a ping from 10.0.0.101 is dropped (no rule, default drop)" \
	ip netns exec $LAPTOP ping -c 2 -i 0.2 -W 1 -I 10.0.0.101 10.0.0.11

# Servers on every port: a refusal can only come from the firewall.
SERVERS=()
for port in 8080 8081 8082; do
	ip netns exec $VM python3 -m http.server $port --bind 10.0.0.11 >/dev/null 2>&1 &
	SERVERS+=($!)
done
for i in $(seq 1 50); do
	[ "$(ip netns exec $VM ss -Htln | wc -l)" -ge 3 ] && break
	sleep 0.1
done

get() {
	ip netns exec $LAPTOP python3 -c "
import urllib.request
urllib.request.urlopen('http://10.0.0.11:$1/', timeout=$2).read()"
}
check "HTTP to tcp/8080 works: allowed in, answers out by the connection table" get 8080 5

reject=$(counter VM1S1.eth0 sfw_reject)
start=$(date +%s%N)
ip netns exec $LAPTOP timeout 5 bash -c 'exec 3<>/dev/tcp/10.0.0.11/8081' >"$T/refused" 2>&1
rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
check "tcp/8081 is refused" grep -qi "refused" "$T/refused"
check "refused at once (${elapsed} ms), not timed out" test "$rc" -ne 124 -a "$elapsed" -lt 2000
check "counted as sfw_reject" test "$(counter VM1S1.eth0 sfw_reject)" -gt "$reject"

check "udp/9001 gets an ICMP port unreachable (ECONNREFUSED)" \
	ip netns exec $LAPTOP python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(('10.0.0.11', 9001))
s.send(b'hello')
try:
    s.recv(100)
except ConnectionRefusedError:
    raise SystemExit(0)
raise SystemExit(1)"

drop=$(counter VM1S1.eth0 sfw_drop_rule)
ip netns exec $LAPTOP timeout 2 bash -c 'exec 3<>/dev/tcp/10.0.0.11/8082' >/dev/null 2>&1
check_eq "tcp/8082 is silently dropped: the connect times out" 124 "$?"
check "counted as sfw_drop_rule" test "$(counter VM1S1.eth0 sfw_drop_rule)" -gt "$drop"

ctl dfw rules >"$T/rules" 2>&1
check "dfw rules: web-in has hits" awk '$1 == "web-in" && $4 > 0 { f = 1 } END { exit !f }' "$T/rules"
check "dfw rules: silent-in is a drop rule with hits" \
	awk '$1 == "silent-in" && $3 == "drop" && $4 > 0 { f = 1 } END { exit !f }' "$T/rules"
ctl dfw connections >"$T/conns" 2>&1
check "dfw connections: the table holds connections" \
	awk '$1 == "entries" && $2 > 0 { f = 1 } END { exit !f }' "$T/conns"

sfw_ledger() {
	ctl raw /iochain/stats,VM1S1.eth0 | python3 -c '
import json, sys
c = json.load(sys.stdin)["/iochain/stats"]
assert c["sfw_in"] == c["sfw_pass"] + sum(v for k, v in c.items()
                                          if k.startswith("sfw_") and k not in ("sfw_in", "sfw_pass")), c'
}
check "sfw counters add up" sfw_ledger
kill "${SERVERS[@]}" 2>/dev/null
wait "${SERVERS[@]}" 2>/dev/null

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
