# SPDX-License-Identifier: BSD-3-Clause
# What the benchmarks, the soak, the demos and the integration tests (tests/
# integration/_init.sh) share, sourced by each: stopping what they started,
# iochainctl against their iochain (waiting until it answers, the watchdog's
# view of a worker), EAL file prefixes, dying with a message.
#
#   . "$TOP/scripts/lib.sh"
#
# Variables the helpers read: CTL (iochainctl) and PREFIX (the file prefix of
# the iochain to talk to) for ctl, tel, counter, wait_answer, svm_state and
# wait_state (W: the worker by default); PIDS (if the script keeps a list of
# what it started) for stop_pid; SEQ, PREFIX, PREFIXES for new_prefix; DIE_LOG
# (a log worth showing) for die.

# bench_paths NAME: a benchmark's binaries (IOCHAIN, CTL, GEN: build/ of TOP),
# its results folder OUT (build/bench, made) and a fresh work folder D
# (/tmp/iochain-NAME.XXXXXX).
bench_paths() {
	IOCHAIN=$TOP/build/app/iochain
	CTL=$TOP/build/app/iochainctl
	GEN=$TOP/build/app/iocgen
	OUT=$TOP/build/bench
	mkdir -p "$OUT"
	D=$(mktemp -d "/tmp/iochain-$1.XXXXXX")
}

# TAP (the integration tests, the soak): ok DESC, not_ok DESC, and check_eq
# DESC EXPECTED ACTUAL; _n counts the lines, _fails the failures (from 0).
_n=${_n:-0}
_fails=${_fails:-0}
ok() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

not_ok() {
	_n=$((_n + 1))
	_fails=$((_fails + 1))
	echo "not ok $_n - $*"
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

# die MSG: "<script>: MSG" on stderr (and the last lines of DIE_LOG), exit 1.
die() {
	echo "$(basename "$0" .sh): $*" >&2
	[ -n "${DIE_LOG:-}" ] && [ -f "$DIE_LOG" ] && tail -n 20 "$DIE_LOG" >&2
	exit 1
}

# stop_pid PID [SIGNAL]: signal a background process (SIGINT), KILL it after
# 10 s, reap it; returns its exit status. No PID: nothing. It leaves PIDS.
stop_pid() {
	[ -n "${1:-}" ] || return 0
	local pid=$1 i rc
	kill -"${2:-INT}" "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if declare -p PIDS >/dev/null 2>&1; then
		local keep=() p
		for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
		PIDS=("${keep[@]}")
	fi
	return $rc
}

# new_prefix NAME: a fresh EAL file prefix NAME-<pid>-<n> into PREFIX, kept in PREFIXES.
new_prefix() {
	SEQ=$((${SEQ:-0} + 1))
	PREFIX=$1-$$-$SEQ
	PREFIXES+=("$PREFIX")
}

# drop_prefix P...: the EAL runtime dirs and hugepage files of these file prefixes.
drop_prefix() {
	local p
	for p in "$@"; do
		rm -rf "/var/run/dpdk/$p" /dev/hugepages/"$p"map_*
	done
}

# ctl ARGS...: iochainctl against the iochain of PREFIX.
ctl() {
	"$CTL" --file-prefix "$PREFIX" "$@"
}

# tel CMD PARAM KEY: one value of a telemetry reply (nothing, status 1, if it has no KEY).
tel() {
	ctl raw "$1,$2" | python3 -c "import json,sys
d = json.load(sys.stdin)['$1']
sys.exit(1) if '$3' not in d else print(d['$3'])"
}

# counter PORT NAME: one counter of /iochain/stats,PORT.
counter() {
	tel /iochain/stats "$1" "$2"
}

# wait_answer PID [SECONDS]: until the iochain of PREFIX, started as PID, answers
# telemetry (0), exits (1) or lets SECONDS (default 20) pass (2).
wait_answer() {
	local i
	for i in $(seq 1 $((${2:-20} * 10))); do
		kill -0 "$1" 2>/dev/null || return 1
		ctl stats >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 2
}

# svm_state [WORKER]: the watchdog's view of a worker ($W by default), read
# without an interpreter: the failover drills poll it every few ms.
svm_state() {
	ctl raw "/iochain/svm,${1:-$W}" 2>/dev/null | grep -o '"state":"[a-z]*"' | cut -d'"' -f4
}

# wait_state STATE [SECONDS] [WORKER]: until WORKER ($W) is in STATE (0); after
# SECONDS (default 5) it says on stderr what the worker is instead (1).
wait_state() {
	local end=$(($(date +%s%N) + ${2:-5}000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		[ "$(svm_state "${3:-$W}")" = "$1" ] && return 0
		sleep 0.003
	done
	echo "# ${3:-$W} is $(svm_state "${3:-$W}"), not $1" >&2
	return 1
}
