#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A standby appliance (DESIGN.md §9): the lab's Fortigate instance has a
# standby lcore, and each of its two worker lcores drives an appliance of its
# own (dpdk-testpmd --forward-mode=io over two memif arms each). SIGSTOP the
# active one: it is down, the standby takes its share at once and the VM's
# traffic passes inspected by the standby appliance (nothing uninspected,
# nothing through the stopped one); SIGCONT: the active one serves again and
# the standby goes back to the bench.
#
# CPUs: iochain control/watchdog on CPU 0 (lcore 0), forwarding and both
# workers on CPU 1 (lcores 1, 2 and the standby 3); both testpmds on CPU 0.
. "$(dirname "$0")/_init.sh"

VM=ioc-as-vm
LAPTOP=ioc-as-laptop
W=fortigate-host-10.0
S=fortigate-host-10.s0
. "$HERE/_appliance.sh"
testpmd_needed
trap 'tp_cleanup; _cleanup' EXIT
trap 'exit 143' TERM INT

for a in fgt-a fgt-b; do
	testpmd_appliance $a --vdev "net_memif0,role=client,socket=$T/$a-in.sock" \
		--vdev "net_memif1,role=client,socket=$T/$a-out.sock"
done
appliance_lab_start '/^lcores = 2$/a standby_lcores = 3' --lcores 0@0,1@1,2@1,3@1 <<EOF ||
[svm fgt-a]
instance = fortigate-host-10
lcore = 2
device_in = net_memif10,role=server,socket=$T/fgt-a-in.sock
device_out = net_memif11,role=server,socket=$T/fgt-a-out.sock
restart = $T/fgt-a.sh
restart_after_ms = 0
[svm fgt-b]
instance = fortigate-host-10
lcore = 3
device_in = net_memif12,role=server,socket=$T/fgt-b-in.sock
device_out = net_memif13,role=server,socket=$T/fgt-b-out.sock
EOF
	{
		not_ok "iochain starts"
		finish
	}
ok "lab up: an active and a standby worker, an appliance each"
# The standby's appliance is not restarted by iochain while it is on the bench: the test starts it.
"$T/fgt-b.sh"
check "the active appliance is up (launched by restart)" wait_state up 10
check "the standby is idle" wait_state idle 1 $S

# returned WORKER: frames its appliance returned to the chain.
returned() { svm_counter "$1" svm_returned; }
a=$(returned $W)
check "healthy: the VM pings the laptop" vm_ping
check "healthy: through the active appliance" test "$(returned $W)" -ge $((a + 6))
check_eq "healthy: nothing through the standby" 0 "$(returned $S)"

A=$(tp_pid fgt-a)
touch "$T/fgt-a.hold"
kill -STOP "$A"
check "SIGSTOP the active appliance: down" wait_state down
check "the standby is up" wait_state up 1 $S
ctl events >"$T/events"
check "events: the standby took the share" has_event "svm $S: takes over the share of $W"
a=$(returned $W)
bypass=$(counter VM1S1.eth0 svc_svm_down_bypass)
check "taken over: the VM pings the laptop" vm_ping
check "taken over: the laptop pings the VM" laptop_ping
check "taken over: through the standby appliance" test "$(returned $S)" -ge 12
check_eq "taken over: nothing through the stopped one" "$a" "$(returned $W)"
check_eq "taken over: nothing uninspected" "$bypass" "$(counter VM1S1.eth0 svc_svm_down_bypass)"
sleep 1.2
check "taken over: the standby testpmd's RX counters rose" \
	test "$(tp_rx fgt-b 0)" -ge 12 -a "$(tp_rx fgt-b 1)" -ge 6

rm -f "$T/fgt-a.hold"
kill -CONT "$A"
check "SIGCONT: the active appliance is up again" wait_state up
check "the standby is back on the bench" wait_state idle 2 $S
ctl events >"$T/events"
check "events: back to standby" has_event "svm $S: back to standby, $W serves its share again"
a=$(returned $W)
s=$(returned $S)
check "flipped back: the VM pings the laptop" vm_ping
check "flipped back: through the active appliance" test "$(returned $W)" -ge $((a + 6))
check_eq "flipped back: nothing through the standby" "$s" "$(returned $S)"

appliance_lab_stop
tp_cleanup
finish
