#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The reference lab (DESIGN.md §7) on net_tap: a VM and a laptop in network
# namespaces, pings both ways through VM1S1.eth0's chain and its Fortigate SVM,
# a spoofed source dropped by spoofguard, summarize-dvfilter as an operator
# reads it, and a clean stop on SIGINT.
. "$(dirname "$0")/_init.sh"

lab_start "$TOP/config/blog-lab.ini"

check "VM pings the laptop" ip netns exec $VM ping -c 3 -i 0.2 -W 2 10.0.0.100
check "laptop pings the VM" ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 2 10.0.0.11

rx=$(counter VM1S1.eth0 rx)
up=$(counter VM1S1.eth0 fwd_uplink)
check "the VM's frames crossed its chain to the uplink" test "$up" -ge 6 -a "$rx" -ge "$up"
check "the laptop's frames reached the VM" test "$(counter uplink0 fwd_vnic)" -ge 6
W=fortigate-host-10.0
check "the SVM inspected and allowed both ways (12 echoes)" test "$(svm_counter $W allow)" -ge 12
# Allowed or denied: the SVM also judges what is not IPv4 (the taps' own IPv6
# before their namespaces turned it off), and its rules deny that.
# Three reads, not one snapshot: wait for what is still in flight (2 s at most).
came_back() {
	local i
	for i in $(seq 1 20); do
		[ "$(counter VM1S1.eth0 svc_redirect)" -eq \
			"$(($(counter VM1S1.eth0 svc_svm_allow) + $(counter VM1S1.eth0 svc_svm_deny)))" ] && return 0
		sleep 0.1
	done
	return 1
}
check "every packet redirected came back" came_back
check "iochainctl svm list shows the worker up on lcore 2" \
	sh -c "'$CTL' --file-prefix $PREFIX svm list | grep -E '^$W +fortigate-host-10 +active +2 +up +none'"

# A second address the VM does not own: its pings must not leave the host.
drop_ip=$(counter VM1S1.eth0 swsec_drop_ip)
uplink_rx=$(counter uplink0 tx)
ip -n $VM addr add 10.0.0.99/24 dev vm1s1
check_fails "ping from a spoofed source fails" \
	ip netns exec $VM ping -c 3 -i 0.2 -W 1 -I 10.0.0.99 10.0.0.100
check "spoofed packets counted as swsec_drop_ip" \
	test "$(counter VM1S1.eth0 swsec_drop_ip)" -ge $((drop_ip + 3))
# Had one echo request reached the laptop, it would have looked up 10.0.0.99 to reply.
check_eq "no spoofed frame reached the laptop" "" "$(ip -n $LAPTOP neigh show 10.0.0.99)"
check "genuine traffic still passes" ip netns exec $VM ping -c 1 -W 2 10.0.0.100
check "the uplink kept transmitting" test "$(counter uplink0 tx)" -gt "$uplink_rx"

ctl show dfw host host-10 summarize-dvfilter >"$T/actual" 2>&1
check "summarize-dvfilter, line by line" \
	diff -u "$HERE/data/summarize-dvfilter-VM1S1.eth0.txt" "$T/actual"
# The replies fake_telemetry.py serves for VM1S1.eth0 are these, recorded.
check "summarize_dvfilter replies are the recorded ones (data/dvfilter-VM1S1.eth0.json)" \
	python3 - "$CTL" "$PREFIX" "$HERE/data/dvfilter-VM1S1.eth0.json" <<'PY'
import json, subprocess, sys
ctl, prefix, path = sys.argv[1:]
bad = 0
for req, want in json.load(open(path)).items():
    out = subprocess.run([ctl, "--file-prefix", prefix, "raw", req], capture_output=True,
                         text=True).stdout
    got = json.loads(out or "null")
    got = got.get(req.partition(",")[0]) if isinstance(got, dict) else got
    if got != want:
        print("# %s: got %s" % (req, json.dumps(got)))
        bad += 1
sys.exit(bad != 0)
PY
check_fails "summarize-dvfilter for another host is an error" \
	ctl show dfw host host-99 summarize-dvfilter

# Every port's ledger adds up while traffic is idle.
check "VM1S1.eth0 counters add up" ledger VM1S1.eth0
check "uplink0 counters add up" ledger uplink0

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
check "final counters printed" grep -q "final counters" "$T/iochain.log"
finish
