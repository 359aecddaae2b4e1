#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An external SVM (DESIGN.md §9) over net_memif: the lab's Fortigate instance
# drives a real appliance, dpdk-testpmd --forward-mode=io (a transparent wire,
# memif client of iochain's two arms), started and restarted by the `restart`
# command. Pings from the lab's namespaces pass through it and its counters
# rise; SIGSTOP takes it down by probe (failClosed blocks both ways, failOpen
# passes uninspected), SIGCONT brings inspection back, SIGKILL takes it down
# by link at once and `restart` relaunches it (testpmd_drills).
#
# CPUs: iochain control/watchdog on CPU 0 (lcore 0), forwarding and the
# appliance's worker on CPU 1 (lcores 1 and 2); testpmd's main and forwarding
# lcores on CPU 0.
. "$(dirname "$0")/_init.sh"

VM=ioc-am-vm
LAPTOP=ioc-am-laptop
W=fortigate-host-10.0
P=fortigate-secure
. "$HERE/_appliance.sh"
testpmd_needed
trap 'tp_cleanup; _cleanup' EXIT
trap 'exit 143' TERM INT

testpmd_appliance fgt-a --vdev "net_memif0,role=client,socket=$T/in.sock" \
	--vdev "net_memif1,role=client,socket=$T/out.sock"
appliance_lab_start <<EOF || { not_ok "iochain starts"; finish; }
[svm fgt-a]
instance = fortigate-host-10
lcore = 2
device_in = net_memif10,role=server,socket=$T/in.sock
device_out = net_memif11,role=server,socket=$T/out.sock
probe = l2
probe_interval_ms = 1
restart = $T/fgt-a.sh
restart_after_ms = 200
EOF
ok "lab up, iochain the memif server of both arms"

testpmd_drills fgt-a

appliance_lab_stop
tp_cleanup
finish
