# SPDX-License-Identifier: BSD-3-Clause
# What the benchmarks, the soak and the integration tests (tests/integration/
# _init.sh) share, sourced by each: stopping what they started, iochainctl
# against their iochain, EAL file prefixes, dying with a message.
#
#   . "$TOP/scripts/lib.sh"
#
# Variables the helpers read: CTL (iochainctl) and PREFIX (the file prefix of
# the iochain to talk to) for ctl, tel and counter; PIDS (if the script keeps
# a list of what it started) for stop_pid; SEQ, PREFIX, PREFIXES for
# new_prefix; DIE_LOG (a log worth showing) for die.

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

# tel CMD PARAM KEY: one value of a telemetry reply.
tel() {
	ctl raw "$1,$2" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1']['$3'])"
}

# counter PORT NAME: one counter of /iochain/stats,PORT.
counter() {
	tel /iochain/stats "$1" "$2"
}
