#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iochainctl explain in the reference lab: what VM1S1.eth0's chain would do
# with a packet, from the running config and the SVM's state, without
# traffic; the failure path in force once the SVM stalls; bad input refused.
. "$(dirname "$0")/_init.sh"

# The lab with a 1 s heartbeat timeout: on a loaded 2-CPU machine the worker
# may miss 10 ms, and a flapping SVM is not what this test is about.
sed 's/^heartbeat_timeout_ms = .*/heartbeat_timeout_ms = 1000/' "$TOP/config/blog-lab.ini" >"$T/lab.ini"
start_iochain "$T/lab.ini" || { not_ok "iochain starts"; finish; }
ok "iochain starts with the lab (config/blog-lab.ini)"

ctl explain VM1S1.eth0 out tcp 10.0.0.11:40000 10.0.0.100:443 >"$T/out.txt"
check_eq "explain out: exit 0" 0 $?
sed 's/^/# /' "$T/out.txt"
check "the packet" grep -qx "VM1S1.eth0 out: IPv4 10.0.0.11:40000 > 10.0.0.100:443 proto 6" "$T/out.txt"
check "spoofguard: the binding" \
	grep -qx "  slot 1 swsec: pass, binding matched: the vNIC's MAC, 10.0.0.11" "$T/out.txt"
check "the firewall: default and the redirect rule with its profile" \
	grep -qx "  slot 2 sfw: pass, no rule matched: default_action allow; redirect rule vm1s1-all: profile fortigate-secure" "$T/out.txt"
check "slot 4: the worker" \
	grep -qx "  slot 4 svc: held svc_redirect, profile fortigate-secure (failClosed) -> worker fortigate-host-10.0" "$T/out.txt"
check "the SVM's rule" grep -qx "  svm: allow, rule fgt-allow-from-vm1s1" "$T/out.txt"
check "out the uplink" grep -qx "  -> port uplink0" "$T/out.txt"

check "explain in: to the VM" sh -c "'$CTL' --file-prefix $PREFIX explain VM1S1.eth0 in icmp 10.0.0.100:5 10.0.0.11 | grep -qx '  -> port VM1S1.eth0'"
check "explain a spoofed source: swsec_drop_ip" sh -c "'$CTL' --file-prefix $PREFIX explain VM1S1.eth0 out udp 10.0.0.99:1 10.0.0.100:53 | grep -qx '  slot 1 swsec: drop swsec_drop_ip, sender 10.0.0.99 not bound to the vNIC'"

# The failure path in force now: the SVM stalls, failClosed with scope vnic.
ctl svm stall fortigate-host-10.0 >/dev/null
for i in $(seq 1 100); do
	ctl explain VM1S1.eth0 out tcp 10.0.0.11:40000 10.0.0.100:443 >"$T/down.txt"
	grep -q svm_down_drop "$T/down.txt" && break
	sleep 0.1
done
sed 's/^/# /' "$T/down.txt"
check "stalled SVM: the failure path in force" grep -qx \
	"  slot 4 svc: drop svc_svm_down_drop, the SVM is down, failClosed with scope vnic: everything blocked" "$T/down.txt"
ctl svm resume fortigate-host-10.0 >/dev/null

# Bad input: a precise error and exit status 1, nothing changed.
bad() {
	local want=$1
	shift
	ctl explain "$@" >"$T/err.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && grep -qxF "iochainctl: $want" "$T/err.out"; then
		ok "explain $*: $want"
	else
		not_ok "explain $*: expected exit 1 and '$want', got $rc: $(cat "$T/err.out")"
	fi
}
bad "no vNIC VM9.eth0" VM9.eth0 out tcp 10.0.0.11:1 10.0.0.100:2
bad "direction must be in or out, not up" VM1S1.eth0 up tcp 10.0.0.11:1 10.0.0.100:2
bad "protocol must be tcp, udp, icmp or 0..255, not sctp" VM1S1.eth0 out sctp 10.0.0.11 10.0.0.100
bad "addresses must be A.B.C.D[:PORT], not 10.0.0.300 10.0.0.100" VM1S1.eth0 out tcp 10.0.0.300 10.0.0.100
ctl explain VM1S1.eth0 out tcp 10.0.0.11 >/dev/null 2>&1
check_eq "missing argument: exit 2" 2 $?

stop_iochain
check_eq "iochain exits 0 on SIGINT" 0 "$IOC_RC"
finish
