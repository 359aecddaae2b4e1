# SPDX-License-Identifier: BSD-3-Clause
# Sourced after _init.sh by the tests of an external appliance (test_svm_*.sh):
# the lab with an [svm] section, and the helpers they share. The test sets VM,
# LAPTOP (namespaces) and W (the appliance's worker) first.

# appliance_lab_start [SED_SCRIPT [EAL_OPTION...]]: the lab
# (config/blog-lab.ini, edited by SED_SCRIPT if given) plus the [svm]
# sections on stdin, started (on the EAL lcore options given, else the
# lab's), its taps moved into VM and LAPTOP. The instance's timeout is 100
# ms, not the lab's 10: the appliance shares the two CPUs with iochain and
# whatever else runs, and a process the scheduler leaves waiting 10 ms is
# down by the book.
appliance_lab_start() {
	local script=${1:-}
	[ $# -eq 0 ] || shift
	{
		sed -e 's/^heartbeat_timeout_ms = 10$/heartbeat_timeout_ms = 100/' ${script:+-e "$script"} \
			"$TOP/config/blog-lab.ini"
		cat
	} >"$T/lab.ini"
	"$IOCHAIN" --check -c "$T/lab.ini" || return 1
	lab_up "$T/lab.ini" "$@"
}

# appliance_lab_stop: SIGINT, exit status 0, every mbuf back in the pool.
appliance_lab_stop() {
	stop_iochain INT
	check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
	check "the mbuf pool is whole at stop" \
		sh -c "grep -E 'mbufs in use: ([0-9]+) at start, \\1 at stop' '$T/iochain.log'"
}

vm_ping() { ip netns exec "$VM" ping -c 3 -i 0.2 -W 1 10.0.0.100; }
laptop_ping() { ip netns exec "$LAPTOP" ping -c 3 -i 0.2 -W 1 10.0.0.11; }
vm_rx() { ip netns exec "$VM" cat /sys/class/net/vm1s1/statistics/rx_packets; }
laptop_rx() { ip netns exec "$LAPTOP" cat /sys/class/net/uplink0/statistics/rx_packets; }
# Frames that came out of the appliance and resumed the VM's chain.
out() { counter VM1S1.eth0 svc_appliance_out; }

# has_event REGEX: in the events fetched last into $T/events (the newest shown when absent).
has_event() {
	grep -qE "$1" "$T/events" || { tail -8 "$T/events"; return 1; }
}

# ---- testpmd as the appliance (test_svm_memif.sh, test_svm_vhost.sh, test_svm_standby.sh) ----

# testpmd_appliance TAG EAL_ARG...: writes $T/TAG.sh, an appliance's start
# and `restart` command: it ends the old one (a hung one too), starts
# dpdk-testpmd --forward-mode=io (port 0 <-> port 1) on the EAL arguments
# given (its two --vdev) in the background, its output in $T/TAG.log, its
# pid in $T/TAG.pid, and returns. While $T/TAG.hold exists it does nothing:
# the SIGSTOP drill outlasts restart_after_ms, and the test, not `restart`,
# ends it with SIGCONT. testpmd runs on CPU 0 (lcores 0@0,1@0), with a file
# prefix of its own; tp_cleanup ends every one and removes their runtime
# files (call it on exit: trap 'tp_cleanup; _cleanup' EXIT).
TP_PREFIX=ioc-tp-$$
# testpmd_needed: sets TESTPMD, or skips the whole test without it.
testpmd_needed() {
	TESTPMD=$(command -v dpdk-testpmd)
	if [ -z "$TESTPMD" ]; then
		echo "1..0 # SKIP dpdk-testpmd not installed"
		exit 0
	fi
}
testpmd_appliance() {
	local tag=$1 a args=
	shift
	for a in "$@"; do
		args+=" $(printf '%q' "$a")"
	done
	cat >"$T/$tag.sh" <<EOF
#!/bin/bash
[ -e "$T/$tag.hold" ] && exit 0
[ -s "$T/$tag.pid" ] && kill -KILL "\$(cat "$T/$tag.pid")" 2>/dev/null
"$TESTPMD" --lcores 0@0,1@0 --no-pci -m 64 --file-prefix $TP_PREFIX-$tag$args \\
	-- --forward-mode=io --auto-start --nb-cores=1 --stats-period 1 \\
	--total-num-mbufs=4096 >>"$T/$tag.log" 2>&1 </dev/null &
echo \$! >"$T/$tag.pid"
EOF
	chmod +x "$T/$tag.sh"
}
tp_cleanup() {
	local f
	for f in "$T"/*.pid; do
		[ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	rm -rf "/var/run/dpdk/$TP_PREFIX"-* /dev/hugepages/"$TP_PREFIX"-*
}
tp_pid() { cat "$T/$1.pid"; }

# tp_rx TAG PORT: testpmd's RX-packets on its port PORT, from its last periodic print.
tp_rx() {
	awk -v p="$2" '$0 ~ "NIC statistics for port " p " " {s=1} s && /RX-packets/ {v=$2; s=0}
		END {print v+0}' "$T/$1.log"
}

# testpmd_drills NAME: the drills of testpmd_appliance NAME, the appliance
# of [svm NAME] (restart = $T/NAME.sh), in the lab started by
# appliance_lab_start with profile $P: started by `restart`, healthy both
# ways with testpmd's counters rising, SIGSTOP (down by probe or ring,
# failClosed blocks both ways, failOpen passes uninspected), SIGCONT
# (inspected again), SIGKILL (down by link, relaunched by `restart`,
# inspected again).
testpmd_drills() {
	local name=$1 tag=$1 o lrx vrx tp
	# No appliance yet: the arms are down, the instance takes its failure
	# path; `restart` starts it (restart_after_ms), the probes bring it up.
	# (A quick one is up again before a look at the state could see it down.)
	check "restart launched the appliance, it is up" wait_state up 10
	ctl events >"$T/events"
	check "events: no appliance at first, down by link" has_event "svm $W: up -> down \(link down"
	check "events: the restart" has_event "svm $W: appliance $name down, restart 1"

	o=$(out)
	check "healthy: the VM pings the laptop" vm_ping
	check "healthy: the laptop pings the VM" laptop_ping
	check "healthy: 12 frames came back out of the appliance" test "$(out)" -ge $((o + 12))
	sleep 1.2
	check "healthy: testpmd's own RX counters rose on both its ports" \
		test "$(tp_rx "$tag" 0)" -ge 12 -a "$(tp_rx "$tag" 1)" -ge 6
	check "healthy: probes come back, no probe reached a port" \
		test "$(svm_counter $W probe_rx)" -gt 100 -a "$(counter uplink0 fwd_uplink)" -eq 0
	check "svm list shows the appliance, link up, an RTT" \
		sh -c "'$CTL' --file-prefix $PREFIX svm list | grep -E '^$W .* $name +up +[0-9.]+ +[0-9.]+ '"

	# SIGSTOP: hung but connected. Down by probe (or ring), failClosed blocks both ways.
	tp=$(tp_pid "$tag")
	touch "$T/$tag.hold"
	kill -STOP "$tp"
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
	check "failOpen: counted as svm_down_bypass" \
		test "$(counter VM1S1.eth0 svc_svm_down_bypass)" -ge 12
	ctl profile set $P fail_open=false >/dev/null

	# SIGCONT: the probes come back, inspection resumes.
	kill -CONT "$tp"
	check "SIGCONT: up again" wait_state up
	o=$(out)
	check "after SIGCONT: pings pass" vm_ping
	check "after SIGCONT: through the appliance" test "$(out)" -ge $((o + 6))

	# SIGKILL: the link goes at once; restart relaunches it.
	rm -f "$T/$tag.hold"
	kill -KILL "$tp"
	check "SIGKILL: down" wait_state down 2
	ctl events >"$T/events"
	check "events: down by link" has_event "svm $W: up -> down \(link down"
	check "restart relaunched it: up again" wait_state up 10
	check "a new appliance process" test "$(tp_pid "$tag")" != "$tp"
	o=$(out)
	check "after the restart: pings pass" vm_ping
	check "after the restart: through the appliance" test "$(out)" -ge $((o + 6))
}
