#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An external SVM (DESIGN.md §9) over net_memif: the lab's Fortigate instance
# drives a real appliance, dpdk-testpmd --forward-mode=io (a transparent wire,
# memif client of iochain's two arms), started and restarted by the `restart`
# command. Pings from the lab's namespaces pass through it and its counters
# rise; SIGSTOP takes it down by probe (failClosed blocks both ways, failOpen
# passes uninspected), SIGCONT brings inspection back, SIGKILL takes it down
# by link at once and `restart` relaunches it.
#
# CPUs: iochain control/watchdog on CPU 0 (lcore 0), forwarding and the
# appliance's worker on CPU 1 (lcores 1 and 2); testpmd's main and forwarding
# lcores on CPU 0.
. "$(dirname "$0")/_init.sh"

TESTPMD=$(command -v dpdk-testpmd)
if [ -z "$TESTPMD" ]; then
	echo "1..0 # SKIP dpdk-testpmd not installed"
	exit 0
fi
VM=ioc-am-vm
LAPTOP=ioc-am-laptop
W=fortigate-host-10.0
P=fortigate-secure
TP_PID_FILE=$T/appliance.pid
TP_PREFIX=ioc-am-tp-$$

# The appliance's start/restart command: ends the old one (a hung process
# too), starts testpmd in the background, records its pid, and returns.
# While $T/hold exists it does nothing: the SIGSTOP drill outlasts
# restart_after_ms, and the test, not `restart`, ends it with SIGCONT.
cat >"$T/appliance.sh" <<EOF
#!/bin/bash
[ -e "$T/hold" ] && exit 0
[ -s "$TP_PID_FILE" ] && kill -KILL "\$(cat "$TP_PID_FILE")" 2>/dev/null
"$TESTPMD" --lcores 0@0,1@0 --no-pci -m 64 --file-prefix $TP_PREFIX \\
	--vdev "net_memif0,role=client,socket=$T/in.sock" \\
	--vdev "net_memif1,role=client,socket=$T/out.sock" \\
	-- --forward-mode=io --auto-start --nb-cores=1 --stats-period 1 \\
	--total-num-mbufs=4096 >>"$T/testpmd.log" 2>&1 </dev/null &
echo \$! >"$TP_PID_FILE"
EOF
chmod +x "$T/appliance.sh"
tp_cleanup() {
	[ -s "$TP_PID_FILE" ] && kill -KILL "$(cat "$TP_PID_FILE")" 2>/dev/null
	rm -f "$TP_PID_FILE"
	rm -rf "/var/run/dpdk/$TP_PREFIX" /dev/hugepages/"$TP_PREFIX"map_*
}
trap 'tp_cleanup; _cleanup' EXIT
trap 'exit 143' TERM INT

. "$HERE/_appliance.sh"
appliance_lab_start <<EOF || { not_ok "iochain starts"; finish; }
[svm fgt-a]
instance = fortigate-host-10
lcore = 2
device_in = net_memif10,role=server,socket=$T/in.sock
device_out = net_memif11,role=server,socket=$T/out.sock
probe = l2
probe_interval_ms = 1
restart = $T/appliance.sh
restart_after_ms = 200
EOF
ok "lab up, iochain the memif server of both arms"

# testpmd's RX-packets on its port 0 (device_in's peer), from its last periodic print.
tp_rx() {
	awk '/NIC statistics for port 0 /{p=1} p && /RX-packets/{v=$2; p=0} END{print v+0}' \
		"$T/testpmd.log"
}

# No appliance yet: the arms are down, the instance takes its failure path.
check "no appliance: the worker is down" wait_state down
# `restart` starts it (restart_after_ms = 200), the probes bring it up.
check "restart launched the appliance, it is up" wait_state up 10
ctl events >"$T/events"
check "events: the restart" has_event "svm $W: appliance fgt-a down, restart 1"

# Healthy: through the appliance both ways.
o=$(out)
check "healthy: the VM pings the laptop" vm_ping
check "healthy: the laptop pings the VM" laptop_ping
check "healthy: 12 frames came back out of the appliance" test "$(out)" -ge $((o + 12))
sleep 1.2
check "healthy: testpmd forwarded them (its RX counter rose)" test "$(tp_rx)" -ge 12
check "healthy: probes come back, no probe reached a port" \
	test "$(svm_counter $W probe_rx)" -gt 100 -a "$(counter uplink0 fwd_uplink)" -eq 0
check "svm list shows the appliance, link up, an RTT" \
	sh -c "'$CTL' --file-prefix $PREFIX svm list | grep -E '^$W .* fgt-a +up +[0-9.]+ +[0-9.]+ '"

# SIGSTOP: hung but connected. Down by probe (or ring), failClosed blocks both ways.
TP=$(cat "$TP_PID_FILE")
touch "$T/hold"
kill -STOP "$TP"
check "SIGSTOP: down" wait_state down
ctl events >"$T/events"
check "events: down by probe or ring, within the timeout" \
	has_event "svm $W: up -> down \((probes lost|ring stalled) for 10[0-9]\.[0-9] ms"
check "summarize-dvfilter: Detached" \
	sh -c "'$CTL' --file-prefix $PREFIX show dfw host host-10 summarize-dvfilter | grep -q 'vmState: Detached'"
lrx=$(laptop_rx)
vrx=$(vm_rx)
check_fails "failClosed: the VM's pings stop" vm_ping
check_fails "failClosed: the laptop's pings stop" laptop_ping
check_eq "failClosed: nothing reached the laptop's interface" "$lrx" "$(laptop_rx)"
check_eq "failClosed: nothing reached the VM's interface" "$vrx" "$(vm_rx)"
ctl profile set $P fail_open=true >/dev/null
o=$(out)
check "failOpen: the VM's pings pass" vm_ping
check "failOpen: the laptop's pings pass" laptop_ping
check_eq "failOpen: uninspected (nothing came out of the appliance)" "$o" "$(out)"
check "failOpen: counted as svm_down_bypass" test "$(counter VM1S1.eth0 svc_svm_down_bypass)" -ge 12
ctl profile set $P fail_open=false >/dev/null

# SIGCONT: the probes come back, inspection resumes.
kill -CONT "$TP"
check "SIGCONT: up again" wait_state up
o=$(out)
check "after SIGCONT: pings pass" vm_ping
check "after SIGCONT: through the appliance" test "$(out)" -ge $((o + 6))

# SIGKILL: the memif link goes at once; restart relaunches it.
rm -f "$T/hold"
kill -KILL "$TP"
check "SIGKILL: down" wait_state down 2
ctl events >"$T/events"
check "events: down by link" has_event "svm $W: up -> down \(link down"
check "restart relaunched it: up again" wait_state up 10
check "a new appliance process" test "$(cat "$TP_PID_FILE")" != "$TP"
o=$(out)
check "after the restart: pings pass" vm_ping
check "after the restart: through the appliance" test "$(out)" -ge $((o + 6))

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
check "the mbuf pool is whole at stop" \
	sh -c "grep -E 'mbufs in use: ([0-9]+) at start, \\1 at stop' '$T/iochain.log'"
tp_cleanup
finish
