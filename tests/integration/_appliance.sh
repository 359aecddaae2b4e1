# SPDX-License-Identifier: BSD-3-Clause
# Sourced after _init.sh by the tests of an external appliance (test_svm_*.sh):
# the lab with an [svm] section, and the helpers they share. The test sets VM,
# LAPTOP (namespaces) and W (the appliance's worker) first.

# appliance_lab_start: the lab (config/blog-lab.ini) plus the [svm] section on
# stdin, started, its taps moved into VM and LAPTOP. The instance's timeout is
# 100 ms, not the lab's 10: the appliance shares the two CPUs with iochain and
# whatever else runs, and a process the scheduler leaves waiting 10 ms is
# down by the book.
appliance_lab_start() {
	{
		sed 's/^heartbeat_timeout_ms = 10$/heartbeat_timeout_ms = 100/' \
			"$TOP/config/blog-lab.ini"
		cat
	} >"$T/lab.ini"
	"$IOCHAIN" --check -c "$T/lab.ini" || return 1
	netns_add "$VM"
	netns_add "$LAPTOP"
	start_iochain "$T/lab.ini" || return 1
	netns_attach vm1s1 "$VM" 02:00:00:00:01:01 10.0.0.11/24 &&
		netns_attach uplink0 "$LAPTOP" 02:00:00:00:00:64 10.0.0.100/24
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

# wait_state STATE [SECONDS]: the watchdog's view of the appliance's worker.
wait_state() {
	local end=$(($(date +%s) + ${2:-5}))
	while [ "$(date +%s)" -le $end ]; do
		[ "$(svm_counter "$W" state)" = "$1" ] && return 0
		sleep 0.05
	done
	echo "# state is $(svm_counter "$W" state), not $1"
	return 1
}
