# SPDX-License-Identifier: BSD-3-Clause
# Sourced by every integration test: paths, TAP helpers, network namespaces and
# an iochain started in the background, all torn down on exit.
#
# A test is a dozen lines of real commands:
#   . "$(dirname "$0")/_init.sh"
#   start_iochain "$TOP/config/blog-lab.ini"
#   check "pings pass" ip netns exec ... ping ...
#   finish

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# stop_pid, ctl, tel, counter, die, new_prefix, drop_prefix, wait_answer,
# svm_state, wait_state; TAP: ok, not_ok, check_eq
. "$TOP/scripts/lib.sh"
BUILD=${IOC_BUILD:-$TOP/build}
IOCHAIN=$BUILD/app/iochain
CTL=$BUILD/app/iochainctl
PREFIX=ioc-it-$$
T=$(mktemp -d /tmp/iochain-it.XXXXXX)
IOC_PID=
IOC_RC=
NETNS=()
_n=0
_fails=0
SANITIZED=0

# check DESC CMD...: one TAP line for whether CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$T/check.out" | head -20
	fi
	_keep_check_out
}

# check_fails DESC CMD...: CMD must fail.
check_fails() {
	local desc=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		not_ok "$desc (it succeeded)"
	else
		ok "$desc"
	fi
	_keep_check_out
}

# Under sanitizers, what every check's command printed is kept for finish().
_keep_check_out() {
	[ "$SANITIZED" -eq 0 ] || cat "$T/check.out" >>"$T/checks.out"
}

# A namespace with IPv6 off, so that only the traffic a test sends crosses iochain.
netns_add() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1"
	NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$1" ip link set lo up
}

# netns_attach IFACE NS MAC CIDR: move a tap iochain created into NS and address it.
netns_attach() {
	local i
	for i in $(seq 1 100); do
		ip link show "$1" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip link set "$1" netns "$2" &&
		ip -n "$2" link set "$1" address "$3" &&
		ip -n "$2" addr add "$4" dev "$1" &&
		ip -n "$2" link set "$1" up
}

# start_iochain CONFIG [EAL lcore options]: runs until stop_iochain or the end of the
# test. The lcores default to the lab's: 0 control, 1 forwarding, 2 an SVM worker
# sharing CPU 1 with the forwarding lcore (the machine has two).
start_iochain() {
	local cfg=$1
	shift
	[ $# -gt 0 ] || set -- --lcores 0@0,1@1,2@1
	"$IOCHAIN" "$@" --file-prefix "$PREFIX" -- -c "$cfg" >"$T/iochain.log" 2>&1 &
	IOC_PID=$!
	wait_answer "$IOC_PID" 20
	case $? in
	0) return 0 ;;
	1)
		echo "# iochain exited early:"
		sed 's/^/#   /' "$T/iochain.log"
		;;
	2) echo "# iochain did not answer telemetry within 20 s" ;;
	esac
	return 1
}

# stop_iochain [SIGNAL]: sets IOC_RC to its exit status.
stop_iochain() {
	[ -n "$IOC_PID" ] || return 0
	stop_pid "$IOC_PID" "${1:-INT}"
	IOC_RC=$?
	IOC_PID=
}

# lab_up CONFIG [EAL lcore options]: the lab of config/blog-lab.ini and its
# kin: namespaces $VM and $LAPTOP (ioc-vm1s1 and ioc-laptop unless the test
# names its own), iochain on CONFIG, the VM's tap vm1s1 (10.0.0.11) and the
# laptop's tap uplink0 (10.0.0.100) moved into them. Fails if any step does.
lab_up() {
	VM=${VM:-ioc-vm1s1}
	LAPTOP=${LAPTOP:-ioc-laptop}
	netns_add "$VM"
	netns_add "$LAPTOP"
	start_iochain "$@" || return 1
	netns_attach vm1s1 "$VM" 02:00:00:00:01:01 10.0.0.11/24 &&
		netns_attach uplink0 "$LAPTOP" 02:00:00:00:00:64 10.0.0.100/24 && return 0
	echo "# the taps vm1s1 and uplink0 could not be moved into $VM and $LAPTOP"
	return 1
}

# lab_start CONFIG [EAL lcore options]: lab_up as one TAP line; the test ends if it fails.
lab_start() {
	if lab_up "$@"; then
		ok "the lab is up (iochain on $(basename "$1"))"
	else
		not_ok "the lab is up (iochain on $(basename "$1"))"
		finish
	fi
}

# lab_ini VNIC_DEVICE UPLINK_DEVICE [VNIC_KEY]: the lab's host, VM1S1.eth0 and
# uplink0 on the given devices, both polled by lcore 1, and [dfw] default
# allow; VNIC_KEY is one more line of the vNIC's section (e.g. "vlan = trunk").
# The vNIC's bindings are $LAB_IPS (default 10.0.0.11).
lab_ini() {
	cat <<EOF
[host]
name = host-10
[uplink uplink0]
device = $2
lcore = 1
[vm VM1S1]
world = 168252
vc_uuid = 50 2d ab 38 d6 2e 97 47-70 5b 29 23 9b 01 ec cb
[vnic VM1S1.eth0]
device = $1
switch_port = 33554461
mac = 02:00:00:00:01:01
ip = ${LAB_IPS:-10.0.0.11}
uplink = uplink0
lcore = 1
${3:-}
[dfw]
default_action = allow
EOF
}

# ledger PORT: the port's ledger and its spoofguard's add up (traffic idle).
ledger() {
	ctl raw "/iochain/stats,$1" | python3 -c '
import json, sys
c = json.load(sys.stdin)["/iochain/stats"]
out = c["fwd_uplink"] + c["fwd_vnic"] + sum(v for k, v in c.items() if k.startswith("drop_"))
in_flight = c["held"] - c["resumed"] - c["drop_fenced"]
assert c["rx"] + c["flood_copy"] + c["reply"] == out + in_flight, c
assert c["tx_queued"] == c["tx"] + c["tx_drop_full"] + c["tx_drop_segs"]
assert c.get("swsec_in", 0) == c.get("swsec_pass", 0) + sum(v for k, v in c.items() if k.startswith("swsec_drop_"))
'
}

# svm_counter WORKER NAME: one counter of /iochain/svm,WORKER.
svm_counter() {
	tel /iochain/svm "$1" "$2"
}


_cleanup() {
	stop_iochain KILL >/dev/null 2>&1
	local ns
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T" "/var/run/dpdk/$PREFIX"
}
trap _cleanup EXIT

finish() {
	if [ "$SANITIZED" -eq 1 ]; then
		if san_reports "$SAN_DIR" "$T/iochain.log" "$T/checks.out"; then
			ok "no sanitizer report (ASan, LSan, UBSan)"
		else
			not_ok "no sanitizer report (ASan, LSan, UBSan) in $SAN_DIR"
		fi
	fi
	echo "1..$_n"
	[ "$_fails" -eq 0 ]
	exit $?
}

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP integration tests need root (netns, taps, hugepages)"
	exit 0
fi
if [ ! -x "$IOCHAIN" ] || [ ! -x "$CTL" ]; then
	echo "Bail out! no build at $BUILD (meson setup build && ninja -C build)"
	exit 1
fi

# A sanitizer build (IOC_BUILD=build-asan): ASan and LSan reports of iochain and
# iochainctl go to SAN_DIR ($IOC_SAN_DIR, else one inside the test's temporary
# directory), UBSan's to stderr; finish() adds one TAP line that fails if
# SAN_DIR, iochain's log or the checks' output holds any (_sanitizers.sh).
SANITIZED=0
if ldd "$IOCHAIN" 2>/dev/null | grep -q libasan; then
	SANITIZED=1
	SAN_DIR=${IOC_SAN_DIR:-$T/san}
	. "$HERE/_sanitizers.sh"
	san_env "$SAN_DIR"
fi
