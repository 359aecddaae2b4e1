#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Monitoring and control apart (README "Security model"), against a real
# iochain (the lab on net_null): the telemetry socket, opened to everyone,
# serves counters and refuses what changes iochain (profile_set, drills,
# reload, trace, capture), even with a guessed secret; the control socket
# (0600) serves root; `nobody` reads the counters but is refused every
# change, the failClosed profile untouched; with [host] control_group the
# socket is 0660 and that group may; an unknown group is refused at start.
. "$(dirname "$0")/_init.sh"

W=fortigate-host-10.0
P=fortigate-secure
RUN=/var/run/dpdk/$PREFIX
TEL=$RUN/dpdk_telemetry.v2
CTLSOCK=$RUN/iochain_control
# nobody must be able to walk to the sockets: /var/run/dpdk gets o+x for the
# test's duration (listing stays root's), and its mode back at the end.
DPDK_MODE=$(stat -c %a /var/run/dpdk)
trap 'chmod "$DPDK_MODE" /var/run/dpdk; _cleanup' EXIT

lab() {
	sed -e 's|^device = net_tap1,iface=uplink0|device = net_null0,no-rx=1|' \
		-e 's|^device = net_tap0,iface=vm1s1|device = net_null1,no-rx=1|' \
		-e "s|^name = host-10\$|&${1:+\\n$1}|" "$TOP/config/blog-lab.ini"
}
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
policy() { # the published failure policy of VM1S1.eth0's slot 4, its last slot
	ctl show dfw host host-10 summarize-dvfilter | awk '/failurePolicy/ { p = $2 } END { print p }'
}
# tel_direct SOCKET REQUEST: the reply, as whoever runs it (python3, no iochainctl).
tel_direct() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(1024))
s.send(sys.argv[2].encode())
print(s.recv(65536).decode())
PY
}

lab >"$T/lab.ini"
start_iochain "$T/lab.ini" --lcores 0@0,1@1,2@0 || { not_ok "iochain starts"; finish; }
ok "iochain starts (lab on net_null)"
check_eq "the control socket is root's, mode 600" "600 root" "$(stat -c '%a %U' "$CTLSOCK")"
check_eq "the profile is failClosed" failClosed "$(policy)"

# 1. Root, through iochainctl (the control socket): every change works.
check "root: profile set through the control socket" ctl profile set $P fail_open=true
check_eq "root: the profile is failOpen" failOpen "$(policy)"
check "root: raw /iochain/profile_set goes through the control socket too" \
	ctl raw /iochain/profile_set,$P,fail_open=false
check_eq "root: failClosed again" failClosed "$(policy)"
check "root: a drill" ctl svm slow 5 $W
check "root: the drill's event carries its value" sh -c "$CTL --file-prefix $PREFIX events | grep -q 'svm $W: drill slow 5\$'"
check "root: resume" ctl svm resume $W

# 2. The telemetry socket refuses every change, whoever asks, whatever secret is guessed.
for req in "/iochain/profile_set,$P,fail_open=true" "/iochain/svm_fault,$W,stall" \
	"/iochain/reload" "/iochain/trace_arm,VM1S1.eth0,5" "/iochain/trace_clear" \
	"/iochain/capture_stop" "/iochain/capture_start,VM1S1.eth0,before-slot-1,5,$T/x.pcapng" \
	"/iochain/profile_set,00000000000000000000000000000000,$P,fail_open=true"; do
	r=$(tel_direct "$TEL" "$req" 2>&1)
	if echo "$r" | grep -q '"refused: /iochain/[a-z_]* is served on the control socket'; then
		ok "telemetry socket: ${req:0:48} refused"
	else
		not_ok "telemetry socket: ${req:0:48}: $r"
	fi
done
check_eq "nothing changed: still failClosed" failClosed "$(policy)"
check_eq "nothing changed: the worker is up" up "$(svm_counter $W state)"
check_fails "no capture was started" test -e "$T/x.pcapng"

# 3. nobody, with the telemetry socket opened to everyone: monitoring yes, changes no.
chmod o+x /var/run/dpdk "$RUN"
chmod 0666 "$TEL"
NCTL=("$CTL" --runtime-dir "$RUN")
check "nobody: stats" as_nobody "${NCTL[@]}" stats
check "nobody: svm list" as_nobody "${NCTL[@]}" svm list
check "nobody: events" as_nobody "${NCTL[@]}" events
check "nobody: summarize-dvfilter" as_nobody "${NCTL[@]}" show dfw host host-10 summarize-dvfilter
for c in "profile set $P fail_open=true" "svm stall $W" "svm crash $W" "reload" \
	"trace VM1S1.eth0 5" "trace clear" "capture stop" "raw /iochain/profile_set,$P,fail_open=true"; do
	# shellcheck disable=SC2086
	as_nobody "${NCTL[@]}" $c >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "refused: $CTLSOCK: Permission denied" "$T/err"; then
		ok "nobody: '$c' refused (exit 1, permission denied on the control socket)"
	else
		not_ok "nobody: '$c': exit $rc: $(head -c 200 "$T/err")"
	fi
done
as_nobody /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])' "$CTLSOCK" >"$T/out" 2>&1
check "nobody: connecting to the control socket itself is denied" grep -q PermissionError "$T/out"
as_nobody bash -c "$(declare -f tel_direct); tel_direct $TEL /iochain/profile_set,$P,fail_open=true" \
	>"$T/out" 2>&1
check "nobody: profile_set straight on the telemetry socket is refused" \
	grep -q '"refused: /iochain/profile_set' "$T/out"
check_eq "after all of it: still failClosed" failClosed "$(policy)"
check_eq "after all of it: the worker is up" up "$(svm_counter $W state)"
stop_iochain
check_eq "iochain stops cleanly" 0 "$IOC_RC"
check_fails "the control socket is gone" test -e "$CTLSOCK"

# 4. [host] control_group: the socket is 0660 and the group's members may.
lab "control_group = nogroup" >"$T/lab-group.ini"
start_iochain "$T/lab-group.ini" --lcores 0@0,1@1,2@0 || { not_ok "iochain starts"; finish; }
check_eq "control_group = nogroup: mode 660, group nogroup" "660 nogroup" \
	"$(stat -c '%a %G' "$CTLSOCK")"
chmod o+x "$RUN"
check "nobody in nogroup: profile set through the control socket" \
	as_nobody "${NCTL[@]}" profile set $P fail_open=true
check_eq "the profile is failOpen" failOpen "$(policy)"
check "nobody in nogroup: back to failClosed" as_nobody "${NCTL[@]}" profile set $P fail_open=false
check_eq "failClosed again" failClosed "$(policy)"
check "another group is still refused" setpriv --reuid=nobody --regid=daemon --clear-groups \
	sh -c "! ${NCTL[*]} svm stall $W"
stop_iochain

# 5. A group the host lacks: refused at start, exit 2, named.
lab "control_group = no-such-group-here" >"$T/lab-bad.ini"
"$IOCHAIN" --lcores 0@0,1@1,2@0 --file-prefix "$PREFIX" -- -c "$T/lab-bad.ini" >"$T/bad.log" 2>&1
check_eq "an unknown control_group: exit 2" 2 "$?"
check "the message names the key and the group" \
	grep -q "\[host\] control_group: no group \"no-such-group-here\" on this host" "$T/bad.log"
finish
