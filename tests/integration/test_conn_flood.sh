#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Connection-table abuse (audit H3): an ACK flood, then a SYN flood, from the
# uplink at full rate (net_pcap infinite_rx, 70000 spoofed sources, more than
# the 64k table holds) at VM3's allowed tcp/8080. During each, on the same
# lcore and so the same table, VM2 opens a TCP connection to VM1 through an
# allow rule and exchanges 200 messages over an established one, and the
# counters show that VM1 and VM2 lost nothing to the firewall: ACKs open
# nothing (sfw_drop_no_syn), SYNs fill the table and each new connection
# evicts an unanswered entry instead of being refused (sfw_conn_evicted,
# never sfw_drop_conn_full).
. "$(dirname "$0")/_init.sh"

VM1=ioc-cf-vm1
VM2=ioc-cf-vm2
FRAMES=70000

# VM1 and VM2 on taps, VM3 (the flood's target) on net_null: all on lcore 1, one table.
flood_ini() {
	printf '[host]\nname = host-10\nmbufs = 98304\n'
	printf '[uplink uplink0]\ndevice = net_pcap_flood,rx_pcap=%s,infinite_rx=1\nlcore = 1\n' "$1"
	local n dev
	for n in 1 2 3; do
		dev="net_tap$n,iface=cf-vm$n"
		[ $n = 3 ] && dev=net_null_vm3,no-rx=1
		printf '[vm VM%s]\nworld = 10%s\nvc_uuid = 50 0%s\n' $n $n $n
		printf '[vnic VM%s.eth0]\ndevice = %s\nswitch_port = %s\nmac = 02:00:00:00:0%s:01\n' \
			$n "$dev" $n $n
		printf 'ip = 10.0.0.1%s\nuplink = uplink0\nlcore = 1\n' $n
	done
	cat <<EOF
[dfw]
default_action = drop
stateful = true
connections = 65536
[dfw_rule services-in]
priority = 10
service = tcp/8080, tcp/8081
direction = in
action = allow
[dfw_rule vms-out]
priority = 10
direction = out
action = allow
EOF
}

# flood_pcap FILE FLAGS: FRAMES TCP segments to VM3:8080, each from another spoofed source.
flood_pcap() {
	python3 - "$TOP/scripts/gen-pcap.py" "$1" "$2" "$FRAMES" <<'PY'
import importlib.util, struct, sys
spec = importlib.util.spec_from_file_location("gen_pcap", sys.argv[1])
g = importlib.util.module_from_spec(spec)
spec.loader.exec_module(g)
path, flags, n = sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
l2 = g.mac("02:00:00:00:03:01") + g.mac("02:00:00:00:00:64") + b"\x08\x00"
base = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, b"\0" * 4, g.ip("10.0.0.13"))
base_sum = sum(struct.unpack("!10H", base))
frames = []
for i in range(n):
    hi, lo = (198 << 8) | (18 + (i >> 16)), i & 0xFFFF
    c = base_sum + hi + lo
    c = (c & 0xFFFF) + (c >> 16)
    c = ~((c & 0xFFFF) + (c >> 16)) & 0xFFFF
    ip = base[:10] + struct.pack("!HHH", c, hi, lo) + base[16:]
    tcp = struct.pack("!HHIIBBHHH", 1024 + i % 60000, 8080, i, 0, 5 << 4, flags, 8192, 0, 0)
    frames.append(l2 + ip + tcp + b"\0" * 6)
g.write_pcap(path, frames)
PY
}

# An echo server on VM1:8081 and a web server on VM1:8080.
servers() {
	ip netns exec $VM1 python3 -m http.server 8080 --bind 10.0.0.11 >/dev/null 2>&1 &
	SERVERS=($!)
	ip netns exec $VM1 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.11", 8081))
s.listen(4)
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
    c.close()' >/dev/null 2>&1 &
	SERVERS+=($!)
	local i
	for i in $(seq 1 50); do
		[ "$(ip netns exec $VM1 ss -Htln | wc -l)" -ge 2 ] && return 0
		sleep 0.1
	done
	return 1
}

# VM2 -> VM1:8081: 200 messages, one every 10 ms, each echoed whole.
echo_client() {
	ip netns exec $VM2 python3 -c '
import socket, sys, time
s = socket.create_connection(("10.0.0.11", 8081), timeout=5)
for i in range(200):
    m = b"message %05d " % i * 8
    s.sendall(m)
    got = b""
    while len(got) < len(m):
        got += s.recv(len(m) - len(got))
    if got != m:
        sys.exit("message %d came back as %r" % (i, got[:40]))
    time.sleep(0.01)
print("200 of 200 echoed")'
}

http_get() {
	ip netns exec $VM2 python3 -c "
import urllib.request
urllib.request.urlopen('http://10.0.0.11:8080/', timeout=5).read()"
}

conns() {
	ctl raw /iochain/dfw_connections |
		python3 -c "import json,sys; print(json.load(sys.stdin)['/iochain/dfw_connections']['$1'])"
}

# The legitimate VMs' firewall counters: every reason 0, in = pass.
clean_ledger() {
	local vnic
	for vnic in VM1.eth0 VM2.eth0; do
		ctl raw "/iochain/stats,$vnic" | python3 -c '
import json, sys
c = json.load(sys.stdin)["/iochain/stats"]
drops = {k: v for k, v in c.items() if k.startswith("sfw_drop") or k == "sfw_reject"}
assert all(v == 0 for v in drops.values()), drops
assert c["sfw_in"] == c["sfw_pass"] > 0, c' || return 1
	done
}

# run KIND FLAGS: one iochain under one flood.
run() {
	local kind=$1 flags=$2 started=$SECONDS
	flood_pcap "$T/$kind.pcap" "$flags"
	flood_ini "$T/$kind.pcap" >"$T/$kind.ini"
	netns_add $VM1
	netns_add $VM2
	start_iochain "$T/$kind.ini" --lcores 0@0,1@1 || { not_ok "$kind flood: iochain starts"; return; }
	ok "$kind flood: iochain starts, the uplink replays $FRAMES spoofed segments forever"
	netns_attach cf-vm1 $VM1 02:00:00:00:01:01 10.0.0.11/24 &&
		netns_attach cf-vm2 $VM2 02:00:00:00:02:01 10.0.0.12/24 && servers ||
		not_ok "$kind flood: VM taps and servers"
	local t0 n0 t1 n1 i
	t0=$(date +%s%N)
	n0=$(counter VM3.eth0 sfw_in)
	if [ "$kind" = syn ]; then
		# Full, give or take the entry an eviction is replacing while telemetry reads.
		local cap entries=0
		cap=$(conns capacity)
		for i in $(seq 1 50); do
			entries=$(conns entries)
			[ "$entries" -ge $((cap - 32)) ] && break
			sleep 0.2
		done
		check "syn flood: the table is full ($entries of $cap)" test "$entries" -ge $((cap - 32))
	fi
	echo_client >"$T/echo.out" 2>&1 &
	local echo_pid=$!
	check "$kind flood: VM2 opens a new connection to VM1:8080 (HTTP GET)" http_get
	wait $echo_pid
	check_eq "$kind flood: an established connection loses nothing" "200 of 200 echoed" \
		"$(cat "$T/echo.out")"
	t1=$(date +%s%N)
	n1=$(counter VM3.eth0 sfw_in)
	echo "# $kind flood: $(((n1 - n0) * 1000 / ((t1 - t0) / 1000))) kpps through VM3's firewall"
	check "$kind flood: VM1 and VM2 lost nothing to the firewall (every sfw_drop 0)" clean_ledger
	check_eq "$kind flood: no allowed connection refused (VM3 sfw_drop_conn_full)" 0 \
		"$(counter VM3.eth0 sfw_drop_conn_full)"
	if [ "$kind" = ack ]; then
		# What passes is the VMs' ARP broadcasts (slot 2 passes non-IP frames).
		check "ack flood: no ACK passed VM3's firewall (sfw_pass $(counter VM3.eth0 sfw_pass))" \
			test "$(counter VM3.eth0 sfw_pass)" -lt 100
		check "ack flood: each dropped as sfw_drop_no_syn ($(counter VM3.eth0 sfw_drop_no_syn))" \
			test "$(counter VM3.eth0 sfw_drop_no_syn)" -gt "$FRAMES"
		check "ack flood: the flood opened nothing (entries $(conns entries))" \
			test "$(conns entries)" -lt 100
	else
		check "syn flood: new connections evicted unanswered entries (evicted $(conns evicted))" \
			test "$(counter VM3.eth0 sfw_conn_evicted)" -ge $((FRAMES - 65536))
		check_eq "syn flood: no SYN without its connection" 0 "$(counter VM3.eth0 sfw_drop_no_syn)"
	fi
	kill "${SERVERS[@]}" 2>/dev/null
	wait "${SERVERS[@]}" 2>/dev/null
	stop_iochain INT
	check_eq "$kind flood: SIGINT: exit status 0" 0 "$IOC_RC"
	echo "# $kind flood: $((SECONDS - started)) s"
}

run ack 0x10
run syn 0x02
finish
