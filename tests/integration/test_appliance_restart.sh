#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/testpmd-appliance.sh, the `restart` command of the benchmarks' and
# the soak's appliances, replaces one that still runs (hung, as far as
# iochain can tell) and stops it: the testpmd it starts must not hold the
# lock that serialises these commands, or the next restart waits
# for it forever. No iochain: the appliance's memif clients wait for servers.
. "$(dirname "$0")/_init.sh"

command -v dpdk-testpmd >/dev/null || { echo "1..0 # SKIP dpdk-testpmd not installed"; exit 0; }
APPL=$TOP/scripts/testpmd-appliance.sh
A=$T/ar$$
mkdir -p "$A"
trap 'timeout 30 bash "$APPL" stop "$A"; _cleanup' EXIT
# gone PID: exited (a zombie counts: nobody here reaps what testpmd-appliance.sh left).
gone() {
	case $({ sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1; } 2>/dev/null) in '' | Z | X) return 0 ;; esac
	return 1
}
ARGS=(memif "$T/in.sock" "$T/out.sock" "$A" 0@0,1@0)

check "the appliance starts" timeout 30 bash "$APPL" "${ARGS[@]}"
p1=$(cat "$A/pid")
sleep 2
check_fails "it runs" gone "$p1"
check "a restart while it runs returns" env IOC_APPLIANCE_FORCE=1 timeout 30 bash "$APPL" "${ARGS[@]}"
p2=$(cat "$A/pid")
check "it started a new one" test "$p2" != "$p1"
check "the old one is gone" gone "$p1"
check "a stop returns" timeout 30 bash "$APPL" stop "$A"
check "the new one is gone too" gone "$p2"
finish
