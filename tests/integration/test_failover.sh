#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The reference scenario's table (DESIGN.md §7) on the lab: a healthy SVM,
# a stall under failClosed (pings stop both ways, nothing passes slot 4
# uninspected), a live flip of the profile, resume, the same drill under
# failOpen (pings keep passing, uninspected), and a crash that auto-recovery
# repairs.
. "$(dirname "$0")/_init.sh"

VM=ioc-fo-vm
LAPTOP=ioc-fo-laptop
W=fortigate-host-10.0
P=fortigate-secure
lab_start "$TOP/config/blog-lab.ini"

vm_ping() { ip netns exec $VM ping -c 3 -i 0.2 -W 1 10.0.0.100; }
laptop_ping() { ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 1 10.0.0.11; }
laptop_rx() { ip netns exec $LAPTOP cat /sys/class/net/uplink0/statistics/rx_packets; }
vm_rx() { ip netns exec $VM cat /sys/class/net/vm1s1/statistics/rx_packets; }
allow() { svm_counter $W allow; }
policy() { ctl show dfw host host-10 summarize-dvfilter | grep -A6 "vNic slot 4" | grep -E "$1"; }

# Healthy.
a=$(allow)
check "healthy: the VM pings the laptop" vm_ping
check "healthy: the laptop pings the VM" laptop_ping
check "healthy: the SVM inspected them" test "$(allow)" -ge $((a + 12))

# failClosed (the profile's configured policy): a stall stops everything, both ways.
ctl svm stall $W >/dev/null
check "stall detected: the worker is down" wait_state down 2
check "summarize-dvfilter: vmState Detached, failClosed" \
	sh -c "ctl() { '$CTL' --file-prefix $PREFIX \"\$@\"; }; $(declare -f policy); policy 'vmState: Detached' && policy 'failurePolicy: failClosed'"
lrx=$(laptop_rx)
vrx=$(vm_rx)
bypass=$(counter VM1S1.eth0 svc_svm_down_bypass)
check_fails "failClosed: the VM's pings stop" vm_ping
check_fails "failClosed: the laptop's pings stop" laptop_ping
check_eq "failClosed: nothing reached the laptop's interface" "$lrx" "$(laptop_rx)"
check_eq "failClosed: nothing reached the VM's interface" "$vrx" "$(vm_rx)"
check_eq "failClosed: no packet passed slot 4 uninspected" "$bypass" \
	"$(counter VM1S1.eth0 svc_svm_down_bypass)"
check "failClosed: the blocked packets are counted as svm_down_drop" \
	test "$(counter VM1S1.eth0 svc_svm_down_drop)" -ge 6

# A live flip to failOpen takes effect at once.
check "profile set fail_open=true returns applied" \
	sh -c "'$CTL' --file-prefix $PREFIX profile set $P fail_open=true | grep -q applied"
check "summarize-dvfilter shows failOpen" \
	sh -c "'$CTL' --file-prefix $PREFIX show dfw host host-10 summarize-dvfilter | grep -q 'failurePolicy: failOpen'"
a=$(allow)
check "failOpen while down: the VM's pings pass" vm_ping
check "failOpen while down: the laptop's pings pass" laptop_ping
check_eq "failOpen while down: uninspected (the SVM saw none)" "$a" "$(allow)"
check "failOpen while down: counted as svm_down_bypass" \
	test "$(counter VM1S1.eth0 svc_svm_down_bypass)" -ge $((bypass + 12))
ctl profile set $P fail_open=false >/dev/null
check_fails "and back to failClosed: pings stop again" vm_ping

# Resume: inspection comes back by itself.
ctl svm resume $W >/dev/null
check "resume: the worker is up again" wait_state up 2
a=$(allow)
check "after resume: the VM pings the laptop" vm_ping
check "after resume: the laptop pings the VM" laptop_ping
check "after resume: inspected again" test "$(allow)" -ge $((a + 12))

# The same drill under failOpen.
ctl profile set $P fail_open=true >/dev/null
ctl svm stall $W >/dev/null
check "failOpen drill: the worker is down" wait_state down 2
a=$(allow)
check "failOpen drill: pings keep passing one way" vm_ping
check "failOpen drill: and the other" laptop_ping
check_eq "failOpen drill: uninspected" "$a" "$(allow)"
ctl svm resume $W >/dev/null
check "failOpen drill: up again after resume" wait_state up 2
a=$(allow)
check "failOpen drill: inspection resumes" sh -c "$(declare -f vm_ping); VM=$VM vm_ping"
check "failOpen drill: the SVM inspects again" test "$(allow)" -gt "$a"
ctl profile set $P fail_open=false >/dev/null

# A crash: auto_recover relaunches the worker on its lcore.
# Detection (at the next tick: the thread stopped) and relaunch take a few ms:
# the events tell the story afterwards.
ctl svm crash $W >/dev/null
sleep 0.3
check "crash: relaunched and up again" wait_state up 2
ctl events >"$T/events"
check "events: the crash was detected" \
	sh -c "grep -A5 'drill crash' '$T/events' | grep -q '$W: up -> down (crashed: its thread stopped)'"
check "events: the worker was relaunched" grep -q "$W: crashed, relaunched on lcore 2" "$T/events"
check "events: and came back up" \
	sh -c "grep -A5 'drill crash' '$T/events' | grep -q '$W: recovering -> up'"
# The same events as the demo's picture (scripts/timeline.py): a lane per
# worker, instance and profile, and each drill with its detection time.
ctl raw /iochain/events >"$T/events.json"
check "timeline: an SVG from the events" python3 "$TOP/scripts/timeline.py" "$T/events.json" "$T/timeline.svg"
check "timeline: the worker's lane" grep -q "text-anchor=\"end\">SVM $W<" "$T/timeline.svg"
check "timeline: the crash with its detection time" grep -Eq ">drill crash: down in [0-9.]+ ms<" "$T/timeline.svg"
a=$(allow)
check "after the crash: pings pass, inspected" vm_ping
check "after the crash: the SVM inspects" test "$(allow)" -ge $((a + 6))

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
