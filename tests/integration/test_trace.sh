#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iochainctl trace in the reference lab: one ping traced through VM1S1.eth0's
# chain both ways (spoofguard, firewall, the Fortigate SVM and its round trip,
# where each packet went), a spoofed ping traced to the counter that dropped
# it, the telemetry JSON, and bad input refused without touching the datapath.
. "$(dirname "$0")/_init.sh"

# The lab with a 1 s heartbeat timeout: on a loaded 2-CPU machine the worker
# may miss 10 ms, and a flapping SVM is not what this test is about.
sed 's/^heartbeat_timeout_ms = .*/heartbeat_timeout_ms = 1000/' "$TOP/config/blog-lab.ini" >"$T/lab.ini"
lab_start "$T/lab.ini"
# ARP resolved both ways first: the traced packets are the echoes.
check "warm-up ping" ip netns exec $VM ping -c 2 -i 0.2 -W 2 10.0.0.100

check_eq "no trace before arming" "no trace (iochainctl trace VNIC [COUNT] arms one)" \
	"$(ctl trace show)"
check "trace VM1S1.eth0 2 arms" sh -c "'$CTL' --file-prefix $PREFIX trace VM1S1.eth0 2 |
	grep -qx 'tracing the next 2 packets of VM1S1.eth0'"
ctl trace VM1S1.eth0 3 >"$T/busy.out" 2>&1
check_eq "a second trace while one is armed: exit 1" 1 $?
check "... and says which is armed" grep -q "a trace of VM1S1.eth0 is armed (2 of 2 packets to go): trace clear first" "$T/busy.out"
check "one ping through the chain" ip netns exec $VM ping -c 1 -W 5 10.0.0.100
for i in $(seq 1 20); do
	ctl trace show >"$T/show.out"
	grep -q "^  -> port VM1S1.eth0" "$T/show.out" && break
	sleep 0.1
done
sed 's/^/# /' "$T/show.out"
ctl events | tail -5 | sed 's/^/# events: /'
check "show: both echoes recorded, the trace complete" \
	grep -qx "trace of VM1S1.eth0: 2 of 2 packets recorded" "$T/show.out"
check "show: the request leaves the VM on lcore 1" \
	grep -Eq "^#1 [0-9:.]+ lcore 1 VM1S1.eth0 out$" "$T/show.out"
check "show: its headers" \
	grep -Eq "^  IPv4 10.0.0.11 > 10.0.0.100 ICMP echo-request id [0-9]+ seq 1, 02:00:00:00:01:01 > 02:00:00:00:00:64, 98 bytes$" "$T/show.out"
check "show: spoofguard matched the binding" \
	grep -qx "  slot 1 swsec: pass, binding matched: the vNIC's MAC, 10.0.0.11" "$T/show.out"
check "show: the firewall's verdict and the redirect rule with its profile" \
	grep -qx "  slot 2 sfw: pass, no rule matched: default_action allow; redirect rule vm1s1-all: profile fortigate-secure" "$T/show.out"
check "show: slot 4 hands it to the worker" \
	grep -qx "  slot 4 svc: held svc_redirect, profile fortigate-secure (failClosed) -> worker fortigate-host-10.0" "$T/show.out"
check "show: the SVM's verdict and the round trip" \
	grep -Eq "^  svm: allow, round trip [0-9.]+ us$" "$T/show.out"
check "show: the request went out the uplink" grep -qx "  -> port uplink0" "$T/show.out"
check "show: the reply comes in" grep -Eq "^#2 [0-9:.]+ lcore 1 VM1S1.eth0 in$" "$T/show.out"
check "show: inbound, spoofguard does not check" \
	grep -qx "  slot 1 swsec: pass, inbound: spoofguard checks what the vNIC sends" "$T/show.out"
check "show: the reply reached the VM" grep -qx "  -> port VM1S1.eth0" "$T/show.out"

# The same as JSON.
check "telemetry: record 0 as JSON" sh -c "'$CTL' --file-prefix $PREFIX raw /iochain/trace,0 |
	python3 -c 'import json,sys; r=json.load(sys.stdin)[\"/iochain/trace\"]
assert r[\"dir\"]==\"out\" and r[\"slot\"]==[1,2,4], r
assert r[\"verdict\"]==[\"pass\",\"pass\",\"held\"] and r[\"counter\"][2]==\"svc_redirect\", r
assert r[\"svm\"]==\"allow\" and r[\"dest\"]==\"port\" and r[\"dest_port\"]==\"uplink0\", r'"

# A spoofed source, traced to the counter that dropped it.
ip -n $VM addr add 10.0.0.99/24 dev vm1s1
check "trace clear" sh -c "'$CTL' --file-prefix $PREFIX trace clear | grep -qx 'trace cleared'"
check "trace VM1S1.eth0 1" ctl trace VM1S1.eth0 1
check_fails "the spoofed ping fails" ip netns exec $VM ping -c 1 -W 1 -I 10.0.0.99 10.0.0.100
ctl trace show >"$T/spoof.out"
sed 's/^/# /' "$T/spoof.out"
check "show: spoofguard dropped it, swsec_drop_ip" grep -qx \
	"  slot 1 swsec: drop swsec_drop_ip, sender 10.0.0.99 not bound to the vNIC" "$T/spoof.out"
check "show: it went nowhere" grep -qx "  -> dropped in the chain" "$T/spoof.out"

# Bad input: a precise error, the exit status, nothing armed.
ctl trace clear >/dev/null
ctl trace VM9.eth0 >"$T/err.out" 2>&1
check_eq "unknown vNIC: exit 1" 1 $?
check "... named" grep -qx "iochainctl: no vNIC VM9.eth0" "$T/err.out"
ctl trace VM1S1.eth0 0 >"$T/err.out" 2>&1
check_eq "COUNT 0: exit 2" 2 $?
check "... explained" grep -q 'COUNT must be 1..256 packets, not "0"' "$T/err.out"
ctl trace VM1S1.eth0 257 >/dev/null 2>&1
check_eq "COUNT 257: exit 2" 2 $?
check_eq "nothing armed after bad input" \
	"no trace (iochainctl trace VNIC [COUNT] arms one)" "$(ctl trace show)"
check "pings still pass" ip netns exec $VM ping -c 2 -i 0.2 -W 2 10.0.0.100

grep -v "^EAL\|^TELEMETRY" "$T/iochain.log" | tail -15 | sed 's/^/# log: /'
stop_iochain
check_eq "iochain exits 0 on SIGINT" 0 "$IOC_RC"
finish
