#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The control surface against a real iochain (the lab's services on net_null,
# no kernel interfaces): iochainctl and the telemetry commands refuse unknown
# commands, bad arguments and over-long input with a clear error, iochain
# survives all of it, and the telemetry socket is reachable by root only.
. "$(dirname "$0")/_init.sh"

sed -e 's|^device = net_tap1,iface=uplink0|device = net_null0,no-rx=1|' \
	-e 's|^device = net_tap0,iface=vm1s1|device = net_null1,no-rx=1|' \
	"$TOP/config/blog-lab.ini" >"$T/lab-null.ini"
start_iochain "$T/lab-null.ini" --lcores 0@0,1@1,2@0 || { not_ok "iochain starts"; finish; }
ok "iochain starts (lab on net_null)"

# expect_rc DESC RC PATTERN CMD...: exit status RC and stderr matching PATTERN.
expect_rc() {
	local desc=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE "$pat" "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc: exit $rc (expected $want)"
		sed 's/^/#   /' "$T/err" | head -5
	fi
}

expect_rc "unknown subcommand: exit 2, named" 2 'unknown command "frobnicate"' ctl frobnicate
expect_rc "svm with an unknown verb: exit 2" 2 'wrong arguments for "svm"' ctl svm explode W
expect_rc "svm stall NOSUCH: exit 1, the server refuses" 1 'svm_fault|NOSUCH|null|no such' \
	ctl svm stall NOSUCH
expect_rc "profile set X fail_open=maybe: exit 2" 2 'fail_open=true or fail_open=false' \
	ctl profile set X fail_open=maybe
expect_rc "profile set NOSUCH fail_open=true: exit 1" 1 '.' ctl profile set NOSUCH fail_open=true
expect_rc "svm slow 0: exit 2" 2 'US must be' ctl svm slow 0 fortigate-host-10.0
expect_rc "raw /iochain/svm_fault,a,b,c,d: exit 1, the server refuses" 1 'null|bad param' \
	ctl raw /iochain/svm_fault,a,b,c,d
expect_rc "raw /iochain/svm_fault,W,slow,abc: exit 1" 1 '.' \
	ctl raw /iochain/svm_fault,fortigate-host-10.0,slow,abc
expect_rc "raw without a leading slash: exit 2" 2 "must start with '/'" ctl raw iochain/stats
LONG=$(printf 'x%.0s' $(seq 1 300))
expect_rc "a 300-character argument: exit 2, too long" 2 'too long \(300 characters' \
	ctl svm stall "$LONG"
expect_rc "a 300-character raw command: exit 2, too long" 2 'too long' \
	ctl raw "/iochain/svm_fault,$LONG,stall"

# Past the client: the telemetry socket itself, with over-long and odd parameters.
SOCK=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2
tel_direct() {
	python3 - "$SOCK" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(1024))
s.send(sys.argv[2].encode())
print(s.recv(65536).decode())
PY
}
for req in "/iochain/svm_fault,$LONG,stall" "/iochain/profile_set,$LONG,fail_open=true" \
	"/iochain/stats,$LONG" "/iochain/summarize_dvfilter,$LONG,1" "/iochain/svm,$LONG" \
	"/iochain/svm_fault,,," "/iochain/profile_set,fortigate-secure,fail_open=" \
	"/iochain/nosuch"; do
	r=$(tel_direct "$req" 2>&1)
	# What changes iochain is refused here whatever its parameters (test_ctl_access.sh).
	if echo "$r" | grep -q -e '":null}' -e '"refused: /iochain/[a-z_]* is served on the control'; then
		ok "socket: ${req:0:40}... refused"
	else
		not_ok "socket: ${req:0:40}...: $r"
	fi
done
check "iochain still answers after all of it" ctl stats
check "the worker was never touched: still up" \
	test "$(svm_counter fortigate-host-10.0 state)" = up

mode=$(stat -c %a "$SOCK")
dmode=$(stat -c %a "$(dirname "$SOCK")")
echo "# telemetry socket mode $mode, its directory $dmode"
if [ $((8#$mode & 8#077)) -eq 0 ] || [ $((8#$dmode & 8#077)) -eq 0 ]; then
	ok "telemetry socket reachable by root only ($mode in a $dmode directory)"
else
	not_ok "telemetry socket mode $mode in a $dmode directory: others can connect"
fi

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
