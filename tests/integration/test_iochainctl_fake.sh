#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# iochainctl against fake_telemetry.py: exact output of every command, and the
# error handling (unknown command, bad arguments, bad replies, no server).
# Prints TAP; exits non-zero if any test fails.
#
# usage: test_iochainctl_fake.sh [PATH_TO_IOCHAINCTL]
#   (or IOCHAINCTL=path; without either, app/iochainctl.c is built with gcc)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
FAKE="$HERE/fake_telemetry.py"
T=$(mktemp -d /tmp/iochainctl-test.XXXXXX)
PREFIX="iochainctl-test-$$"
FAKE_PIDS=()

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
	local p
	for p in "${FAKE_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${RUNDIRS[@]}"; do
		rm -rf "$p"
	done
	# Leave no empty dpdk/ directory behind if this script created it.
	[ "$RUNBASE_EXISTED" = 1 ] || rmdir "$RUNBASE" 2>/dev/null
	rm -rf "$T"
}

# The runtime directory EAL (and iochainctl) derive from the file prefix.
if [ "$(id -u)" = 0 ]; then
	RUNBASE=/var/run/dpdk
else
	export XDG_RUNTIME_DIR="$T/xdg"
	mkdir -p "$XDG_RUNTIME_DIR"
	RUNBASE="$XDG_RUNTIME_DIR/dpdk"
fi
RUNDIR="$RUNBASE/$PREFIX"
RUNDIRS=("$RUNDIR" "$RUNDIR-refuse" "$RUNDIR-hangup")
RUNBASE_EXISTED=0
[ -d "$RUNBASE" ] && RUNBASE_EXISTED=1
trap cleanup EXIT

CTL=${1:-${IOCHAINCTL:-}}
if [ -z "$CTL" ]; then
	CTL="$T/iochainctl"
	# shellcheck disable=SC2046
	if ! gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$CTL" "$TOP/app/iochainctl.c" \
		$(pkg-config --cflags --libs json-c); then
		echo "Bail out! cannot build iochainctl"
		exit 1
	fi
fi

# start_fake PREFIX [fake options...]: run a fake server until the script ends.
start_fake() {
	local prefix=$1
	shift
	rm -f "$T/ready"
	python3 "$FAKE" --file-prefix "$prefix" --ready "$T/ready" "$@" &
	FAKE_PIDS+=("$!")
	for _ in $(seq 100); do
		[ -e "$T/ready" ] && return 0
		sleep 0.05
	done
	echo "Bail out! fake telemetry server did not start"
	exit 1
}

n=0
failed=0
: >"$T/exp_out"
: >"$T/exp_err"

# Expected stdout / stderr of the next check (default: empty).
exp_out() { cat >"$T/exp_out"; }
exp_err() { cat >"$T/exp_err"; }

# check DESC RC ARGS...: run iochainctl ARGS, compare exit code, stdout and
# stderr exactly with what exp_out / exp_err set.
check() {
	local desc=$1 want=$2 rc ok=1
	shift 2
	n=$((n + 1))
	"$CTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		ok=0
		echo "# exit code $rc, expected $want"
	fi
	if ! diff -u "$T/exp_out" "$T/out" >"$T/diff"; then
		ok=0
		echo "# stdout differs:"
		sed 's/^/#   /' "$T/diff"
	fi
	if ! diff -u "$T/exp_err" "$T/err" >"$T/diff"; then
		ok=0
		echo "# stderr differs:"
		sed 's/^/#   /' "$T/diff"
	fi
	if [ $ok = 1 ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
	: >"$T/exp_out"
	: >"$T/exp_err"
}

USAGE='usage: iochainctl [--file-prefix P] [--runtime-dir DIR] COMMAND [ARGS...]

Queries a running iochain through its DPDK telemetry socket
(<runtime dir>/dpdk/P/dpdk_telemetry.v2); what changes iochain (drills,
profile set, reload, trace, capture) goes through its control socket
beside it (iochain_control).

commands:
  show dfw host HOST summarize-dvfilter         print every vNIC'"'"'s I/O chain
  stats [PORT]                                  per-port counters and drops (one port: every counter)
  svm list                                      SVM workers: lcore, state, heartbeat, packets, ring occupancy, watchdog verdicts
  svm stall WORKER                              drill: the worker spins without heartbeat or dequeue
  svm crash WORKER                              drill: the worker leaves its loop
  svm starve WORKER                             drill: the worker sleeps without heartbeat, as if preempted
  svm slow US WORKER                            drill: the worker sleeps US microseconds every loop
  svm resume WORKER                             end a drill (a crashed worker is launched again)
  events                                        SVM state changes and policy flips, timestamped
  profile set PROFILE fail_open=BOOL            publish a failure policy; returns once every forwarding lcore applies it
  dfw rules                                     dfw rules in file order: priority, action, hits (every page)
  dfw connections                               firewall connection tables: entries, capacity, per state
  mempool                                       the mbuf pool: size, in use now and at start (a leak shows as the gap)
  reload                                        re-read the topology file, apply its rule changes; returns once applied
  trace show                                    the traced packets: each slot'"'"'s verdict and why, where each went
  trace clear                                   disarm the trace and forget its records
  trace VNIC [COUNT]                            trace the next COUNT (10, at most 256) packets of a vNIC, both ways
  explain VNIC DIR PROTO SRC[:PORT] DST[:PORT]  what the chain would do with such a packet (DIR in|out, PROTO tcp|udp|icmp|N)
  capture stop                                  stop the running capture and close its file
  capture show                                  the capture: its vNIC, point, file and counts
  capture VNIC --point POINT -w FILE            copy the next 100 packets of a vNIC, both ways, at POINT (before-slot-N, after-slot-N) to FILE (pcapng); waits for them, Ctrl-C stops
  capture VNIC --point POINT --count N -w FILE  the same for the next N packets
  raw /CMD[,PARAMS]                             send a telemetry command, print the JSON reply as is

options:
  --file-prefix P    the EAL --file-prefix iochain runs with (default "rte")
  --runtime-dir DIR  the directory of both sockets (default: EAL'"'"'s for P,
                     e.g. /var/run/dpdk/P for root)
  -h, --help         print this help

exit status: 0 ok, 1 runtime error, 2 usage error'

P=(--file-prefix "$PREFIX")

# ---- no server -----------------------------------------------------------

exp_err <<EOF
iochainctl: cannot connect to iochain (file-prefix $PREFIX): $RUNDIR/dpdk_telemetry.v2: No such file or directory
EOF
check "no server: clear error, exit 1" 1 "${P[@]}" stats

start_fake "$PREFIX"

# ---- show dfw host HOST summarize-dvfilter -------------------------------

# VM1S1.eth0 as iochain shows it (its replies are recorded from the lab: data/).
{
	cat "$HERE/data/summarize-dvfilter-VM1S1.eth0.txt"
	cat <<'EOF'
 port 33554462 VM1S1.eth1
  vNic slot 1
   name: nic-168252-eth1-vmware-swsec.1
   agentName: vmware-swsec
   state: IOChain Attached
   vmState: Detached
   failurePolicy: failClosed
   slowPathID: none
   filter source: Always Enabled
  vNic slot 4
   name: nic-168252-eth1-serviceinstance-4.4
   agentName: serviceinstance-4
   state: IOChain Attached
   vmState: Attached
   failurePolicy: failOpen
   slowPathID: 18020
   filter source: Dynamic Filter Creation
  vNic slot 4
   name: nic-168252-eth1-serviceinstance-5.4
   agentName: serviceinstance-5
   state: IOChain Attached
   vmState: Detached
   failurePolicy: failClosed
   slowPathID: 18021
   filter source: Dynamic Filter Creation
world 168300 vmm0:VM2S1 vcUuid:'50 2d 11 22 33 44 55 66-77 88 99 aa bb cc dd ee'
 port 33554470 VM2S1.eth0
EOF
} | exp_out
check "summarize-dvfilter: exact output, world once per VM, slots sorted, one slot 4 per instance" 0 \
	"${P[@]}" show dfw host host-10 summarize-dvfilter

exp_err <<'EOF'
iochainctl: no host "host-11" here (this is host "host-10")
EOF
check "summarize-dvfilter: wrong host, exit 1" 1 \
	"${P[@]}" show dfw host host-11 summarize-dvfilter

# ---- stats ---------------------------------------------------------------

exp_out <<'EOF'
port        kind                      rx       tx  drops
VM1S1.eth0  vnic                      10        9      1
VM1S1.eth1  vnic                       0        0      0
VM2S1.eth0  vnic    18446744073709551615  1234567      5
uplink0     uplink             123456789       42      7

drops:
  VM1S1.eth0: drop_out_chain = 1
  VM1S1.eth0: swsec_drop_mac = 1
  VM2S1.eth0: drop_runt = 2
  VM2S1.eth0: tx_drop_full = 3
  uplink0: drop_no_dest = 7
EOF
check "stats: table and non-zero drop counters" 0 "${P[@]}" stats

exp_out <<'EOF'
kind            vnic
port_id         0
rx              10
tx              9
fwd_uplink      5
fwd_vnic        3
flood           1
drop_runt       0
drop_no_dest    0
drop_out_chain  1
drop_in_chain   0
tx_queued       9
tx_drop_full    0
swsec_in        10
swsec_pass      9
swsec_drop_mac  1
swsec_drop_ip   0
EOF
check "stats PORT: every counter, server order, aligned" 0 \
	"--file-prefix=$PREFIX" stats VM1S1.eth0

exp_err <<'EOF'
iochainctl: no port "nope" (/iochain/stats,nope returned null)
EOF
check "stats PORT: unknown port, exit 1" 1 "${P[@]}" stats nope

# ---- raw -----------------------------------------------------------------

exp_out <<'EOF'
{"/iochain/stats":{"kind":"uplink","port_id":3,"rx":123456789,"tx":42,"fwd_vnic":40,"drop_no_dest":7}}
EOF
check "raw: reply printed as is" 0 "${P[@]}" raw /iochain/stats,uplink0

exp_out <<'EOF'
{"/iochain/foo":null}
EOF
exp_err <<'EOF'
iochainctl: iochain returned null for /iochain/foo (unknown command or bad parameters)
EOF
check "raw: unknown server command, exit 1" 1 "${P[@]}" raw /iochain/foo

exp_out <<'EOF'
this is not json
EOF
exp_err <<'EOF'
iochainctl: bad reply to /test/garbage: not JSON
EOF
check "raw: reply that is not JSON, exit 1" 1 "${P[@]}" raw /test/garbage

exp_err <<'EOF'
iochainctl: the reply to /test/huge is longer than 16384 bytes, truncated
EOF
check "raw: over-long reply detected, exit 1" 1 "${P[@]}" raw /test/huge

exp_err <<'EOF'
iochainctl: invalid telemetry command "iochain/stats" (must start with '/')
EOF
check "raw: command without leading slash, exit 2" 2 "${P[@]}" raw iochain/stats

# ---- usage errors --------------------------------------------------------

printf '%s\n' "$USAGE" | exp_out
check "--help: usage on stdout, exit 0" 0 --help

printf '%s\n' "$USAGE" | exp_out
check "-h: usage on stdout, exit 0" 0 -h

{ echo 'iochainctl: unknown command "foo"'; printf '%s\n' "$USAGE"; } | exp_err
check "unknown command: error and usage on stderr, exit 2" 2 "${P[@]}" foo

{ echo 'iochainctl: no command given'; printf '%s\n' "$USAGE"; } | exp_err
check "no command: exit 2" 2 "${P[@]}"

{ echo 'iochainctl: unknown option "--bogus"'; printf '%s\n' "$USAGE"; } | exp_err
check "unknown option: exit 2" 2 --bogus stats

{ echo 'iochainctl: option --file-prefix needs a value'; printf '%s\n' "$USAGE"; } | exp_err
check "--file-prefix without value: exit 2" 2 --file-prefix

exp_err <<'EOF'
iochainctl: wrong arguments for "stats"
usage: iochainctl [--file-prefix P] stats [PORT]
(iochainctl --help lists every command)
EOF
check "stats with two ports: wrong arguments, exit 2" 2 "${P[@]}" stats a b

exp_err <<'EOF'
iochainctl: wrong arguments for "show"
usage: iochainctl [--file-prefix P] show dfw host HOST summarize-dvfilter
(iochainctl --help lists every command)
EOF
check "show with missing words: wrong arguments, exit 2" 2 "${P[@]}" show dfw host host-10

exp_err <<'EOF'
iochainctl: wrong arguments for "show"
usage: iochainctl [--file-prefix P] show dfw host HOST summarize-dvfilter
(iochainctl --help lists every command)
EOF
check "show with a wrong word: wrong arguments, exit 2" 2 \
	"${P[@]}" show dfw host host-10 summarize

exp_err <<'EOF'
iochainctl: invalid argument "a,b" (no commas or control characters)
EOF
check "argument with a comma rejected, exit 2" 2 "${P[@]}" stats a,b

LONG=$(printf 'x%.0s' $(seq 201))
exp_err <<'EOF'
iochainctl: argument 2 is too long (201 characters, at most 200): "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
EOF
check "over-long argument rejected, exit 2" 2 stats "$LONG"

exp_err <<'EOF'
iochainctl: invalid file-prefix "a/b"
EOF
check "file-prefix with a slash rejected, exit 2" 2 --file-prefix a/b stats

exp_err <<'EOF'
iochainctl: svm slow: US must be 1..1000000 microseconds, not "1000001"
EOF
check "svm slow: above the server's bound, exit 2" 2 "${P[@]}" svm slow 1000001 fgt-1.0

# Null entries where strings are due: a bad reply, never a crash.
exp_err <<'EOF'
iochainctl: bad reply to /iochain/svm: workers[1] is not a string
EOF
check "svm list: a null worker name, exit 1" 1 "${P[@]}" svm list

exp_err <<'EOF'
iochainctl: bad reply to /iochain/events: events[1] is not a string
EOF
check "events: a null event, exit 1" 1 "${P[@]}" events

exp_err <<'EOF'
iochainctl: bad reply to /iochain/reload: message_parts[1] is not a string
EOF
check "reload: a null message part, exit 1" 1 "${P[@]}" reload

# ---- misbehaving servers -------------------------------------------------

start_fake "$PREFIX-refuse" --mode refuse
exp_err <<'EOF'
iochainctl: iochain closed the connection before sending the greeting (too many telemetry clients?)
EOF
check "server closes at once: exit 1" 1 --file-prefix "$PREFIX-refuse" stats

start_fake "$PREFIX-hangup" --mode hangup
exp_err <<'EOF'
iochainctl: iochain closed the connection before sending the reply to /iochain/stats
EOF
check "server hangs up on the request: exit 1" 1 --file-prefix "$PREFIX-hangup" stats

echo "1..$n"
if [ "$failed" != 0 ]; then
	echo "# $failed of $n failed"
	exit 1
fi
exit 0
