#!/usr/bin/env bash
# Latency through iochain's SVM redirect (issue 6, scenario 6): p50/p99/p99.9/max and
# loss at 10%, 50% and 90% of the measured maximum load, with build/app/iocgen as the
# generator and meter.
#
#   sudo bash scripts/bench-latency.sh [--quick] [--plots] [--runs N] [--seconds S]
#
# Topology: iochain is the net_memif server of a vNIC (VM1S1.eth0, vm1.sock) and of
# the uplink (uplink.sock), sockets in a temp dir; iocgen is the memif client of both:
# it sends from the vNIC's MAC and IP (spoofguard passes them) to udp/5001 and
# receives on the uplink. The INIs are scripts/bench_topo.py's (bench.sh's) on memif:
#   slot124   slots 1+2+4: [dfw] default drop, 10 rules, stateful, a redirect of every
#             packet (inout) to one SVM worker (lcore 2) whose svm_rule allows all;
#             failClosed
#   slot12    slots 1+2 only, the same dfw: the baseline without the redirect
#   testpmd   dpdk-testpmd `io` as the memif server in iochain's place (port 0 ->
#             port 1): what memif and the generator cost alone
#
# Lcores (2 CPUs): iocgen lcore 0 on CPU 0. iochain: lcore 0 (control, watchdog) on
# CPU 0, lcore 1 (forwarding) on CPU 1; the SVM worker, lcore 2, tried on CPU 1
# (slot124-w1, as the lab runs) and on CPU 0 (slot124-w0, sharing the generator's
# CPU, as bench.sh runs). testpmd: main lcore 0 on CPU 0, forwarding lcore 1 on CPU 1.
#
# Steps per scenario: (a) the maximum: iocgen at rate 0, the delivered (rx) rate,
# median of the runs; (b) runs at 10%, 50%, 90% of that maximum (and, unless --quick,
# at a fixed 1 kpps, where iochain's polling lcores back off and sleep between polls);
# medians over runs. Output: build/bench/latency.{md,json}; --plots also writes the
# latency CDF (gnuplot, log x, one curve a level, one panel a scenario) to
# docs/latency-cdf.png. --quick: one short run per level, no plots (a CI smoke test:
# fails only if something cannot run; asserts nothing on speed).
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
. "$TOP/scripts/lib.sh" # die, stop_pid, new_prefix, drop_prefix
RUNS=3
SECS=3
WARM=1
QUICK=0
PLOTS=0
usage() {
	echo "usage: $0 [--quick] [--plots] [--runs N] [--seconds S]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--plots) PLOTS=1 ;;
	--runs) [ $# -ge 2 ] || usage; RUNS=$2; shift ;;
	--seconds) [ $# -ge 2 ] || usage; SECS=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case $RUNS$SECS in *[!0-9]*) usage ;; esac
[ "$RUNS" -ge 1 ] || RUNS=1
[ "$SECS" -ge 1 ] || SECS=1
LEVELS=(1kpps 10 50 90)
if [ "$QUICK" = 1 ]; then
	RUNS=1
	SECS=1
	WARM=0.5
	PLOTS=0
	LEVELS=(10 50 90)
fi
DRAIN=0.2
FLOWS=64
SIZE=64

{ bash scripts/setup.sh && bash scripts/build.sh; } >/dev/null || exit 1
[ "$PLOTS" = 0 ] || command -v gnuplot >/dev/null || die "gnuplot missing (scripts/setup.sh installs gnuplot-nox)"
bench_paths lat
mkdir -p "$D/r"
SRV_PID=
GEN_PID=
PREFIXES=()
SEQ=0

cleanup() {
	stop_pid "$GEN_PID"
	stop_pid "$SRV_PID"
	GEN_PID= SRV_PID=
	drop_prefix "${PREFIXES[@]}"
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# start_server LOG READY_REGEX CMD...: the memif server in the background, ready when
# LOG matches READY_REGEX (60 s at most).
start_server() {
	local log=$1 ready=$2 i
	shift 2
	(cd "$D" && exec "$@") >"$log" 2>&1 </dev/null &
	SRV_PID=$!
	for i in $(seq 1 600); do
		grep -qE "$ready" "$log" 2>/dev/null && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$SRV_PID"
	SRV_PID=
	echo "bench-latency: the server did not start; its log:" >&2
	tail -n 20 "$log" >&2
	return 1
}
stop_server() {
	stop_pid "$SRV_PID"
	SRV_PID=
	drop_prefix "$SRV_PREFIX"
}

# gen SCEN LEVEL RUN RATE: one iocgen run; its JSON and CDF in $D/r.
gen() {
	local scen=$1 level=$2 run=$3 rate=$4 base=$D/r/$1__$2__$3
	new_prefix iocgen-lat
	"$GEN" --lcores 0@0 --no-pci --file-prefix "$PREFIX" \
		--vdev "net_memif0,role=client,socket=$D/vm1.sock" \
		--vdev "net_memif1,role=client,socket=$D/uplink.sock" -- net_memif0 net_memif1 \
		--rate "$rate" --seconds "$SECS" --warmup "$WARM" --drain "$DRAIN" --size "$SIZE" \
		--flows "$FLOWS" --src-mac 02:00:00:00:01:01 --src-ip 10.0.0.11 \
		--dst-mac 02:00:00:00:00:64 --dst-ip 10.0.0.100 --udp-dport 5001 \
		--json "$base.json" --cdf "$base.cdf" --quiet >"$base.log" 2>&1 </dev/null &
	GEN_PID=$!
	wait "$GEN_PID"
	local rc=$?
	GEN_PID=
	drop_prefix "$PREFIX"
	if [ "$rc" != 0 ] || [ ! -s "$base.json" ]; then
		echo "bench-latency: $scen $level run $run: iocgen failed ($rc); its log:" >&2
		tail -n 15 "$base.log" >&2
		rm -f "$base.json" "$base.cdf"
		return 1
	fi
	python3 - "$base.json" "$scen" "$level" "$run" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latency_us"]
f = lambda v: "-" if v is None else "%.1f" % v
print("  %-11s %-6s run %s: asked %9.0f pps  tx %9.0f  rx %9.0f pps  lost %-7d p50 %7s  p99 %8s  p99.9 %8s  max %8s us"
      % (sys.argv[2], sys.argv[3], sys.argv[4], r["rate_asked_pps"], r["tx_pps"], r["rx_pps"],
         r["lost"], f(l["p50"]), f(l["p99"]), f(l["p99.9"]), f(l["max"])))
PY
}

# server_up SCEN: starts the scenario's memif server (testpmd or iochain).
server_up() {
	local s=$1 lcores kind
	case $s in
	testpmd) lcores=0@0,1@1 ;;
	slot12) lcores=0@0,1@1 kind=slot12 ;;
	slot124-w1) lcores=0@0,1@1,2@1 kind=slot124 ;;
	slot124-w0) lcores=0@0,1@1,2@0 kind=slot124 ;;
	esac
	new_prefix "srv-lat"
	SRV_PREFIX=$PREFIX
	SRV_LOG=$D/$s.server.$SEQ.log
	if [ "$s" = testpmd ]; then
		start_server "$SRV_LOG" "packet forwarding - ports" dpdk-testpmd --lcores "$lcores" \
			--no-pci --file-prefix "$PREFIX" --vdev "net_memif0,role=server,socket=$D/vm1.sock" \
			--vdev "net_memif1,role=server,socket=$D/uplink.sock" -- --forward-mode=io \
			--auto-start --nb-cores=1 --stats-period 1 || return 1
	else
		python3 scripts/bench_latency.py ini "$kind" "$D" >"$D/$s.ini" || return 1
		"$IOCHAIN" --check -c "$D/$s.ini" >/dev/null || die "$s: invalid topology ($D/$s.ini)"
		start_server "$SRV_LOG" "forwarding \(" "$IOCHAIN" --lcores "$lcores" \
			--file-prefix "$PREFIX" -- -c "$D/$s.ini" || return 1
	fi
	echo "$s: server lcores $lcores (lcore@CPU), iocgen lcore 0@0; threads (name CPU):" \
		"$(ps -L -p "$SRV_PID" -o comm=,psr= 2>/dev/null | awk '{printf "%s@%s ", $1, $2}')"
}

# measure SCEN LEVEL RUN RATE: gen; if the server died meanwhile (a memif server can
# crash when its client disconnects), says so, restarts it and tries the run once more.
measure() {
	gen "$@" && return 0
	kill -0 "$SRV_PID" 2>/dev/null && return 1
	wait "$SRV_PID" 2>/dev/null
	local rc=$?
	echo "bench-latency: $1: the server exited ($rc) when a client went away; restarted" >&2
	tail -n 5 "$SRV_LOG" | sed 's/^/    /' >&2
	echo "$1 $rc" >>"$D/server-deaths"
	SRV_PID=
	drop_prefix "$SRV_PREFIX"
	server_up "$1" && gen "$@"
}

# scenario NAME: starts its server, finds the maximum, runs the levels, stops it.
scenario() {
	local s=$1
	server_up "$s" || return 1
	local r files=()
	for r in $(seq 1 "$RUNS"); do
		measure "$s" max "$r" 0 || return 1
		files+=("$D/r/${s}__max__$r.json")
	done
	local max
	max=$(python3 scripts/bench_latency.py median "${files[@]}") || return 1
	[ "$max" -gt 0 ] || { echo "bench-latency: $s: nothing delivered at rate 0" >&2; return 1; }
	echo "  $s: maximum delivered $max pps (median of $RUNS)"
	local lv rate
	for lv in "${LEVELS[@]}"; do
		case $lv in
		1kpps) rate=1000 ;;
		*) rate=$((max * lv / 100)) ;;
		esac
		for r in $(seq 1 "$RUNS"); do
			measure "$s" "$lv" "$r" "$rate" || return 1
		done
	done
	stop_server
	tail -n 30 "$SRV_LOG" | grep -E "_drop|svm_" | head -5 | sed "s/^/  $s server: /"
	return 0
}

SCENS=(testpmd slot12 slot124-w1 slot124-w0)
MACHINE="machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$MACHINE"
TSC="invariant TSC: $(grep -qw constant_tsc /proc/cpuinfo && grep -qw nonstop_tsc /proc/cpuinfo && echo "constant_tsc nonstop_tsc present" || echo "constant_tsc/nonstop_tsc MISSING: latencies are suspect")"
echo "$TSC"
others=$(pgrep -d' ' -f -- '--file-prefix|fuzz_' 2>/dev/null)
NOTES=()
if [ -n "$others" ]; then
	echo "bench-latency: warning: other DPDK or busy processes run (pids $others): they share the 2 CPUs and disturb the figures" >&2
	NOTES+=("Other DPDK processes ran during this measurement (pids $others): the figures are disturbed, preliminary.")
fi
echo "$RUNS run(s) of ${SECS}s after ${WARM}s warm-up per level; levels: max ${LEVELS[*]}"
for s in "${SCENS[@]}"; do
	scenario "$s" || die "$s failed"
done

# describe SCEN: its title and its lcore placement, "|"-separated.
describe() {
	case $1 in
	testpmd) echo "testpmd io (memif + generator reference)|gen 0@0; testpmd main 0@0, fwd 1@1" ;;
	slot12) echo "iochain slots 1+2 (no redirect)|gen 0@0; iochain ctl 0@0, fwd 1@1" ;;
	slot124-w1) echo "iochain slots 1+2+4, SVM worker on CPU 1 with the forwarding lcore|gen 0@0; iochain ctl 0@0, fwd 1@1, SVM 2@1" ;;
	slot124-w0) echo "iochain slots 1+2+4, SVM worker on CPU 0 with the generator|gen 0@0; iochain ctl 0@0, fwd 1@1, SVM 2@0" ;;
	esac
}
{
	printf '{"date": "%s", "machine": "%s", "tsc": "%s", ' "$(date -u +%Y-%m-%dT%H:%MZ)" \
		"$MACHINE" "$TSC"
	printf '"command": "sudo bash scripts/bench-latency.sh%s%s", ' \
		"$([ "$QUICK" = 1 ] && echo " --quick")$([ "$PLOTS" = 1 ] && echo " --plots")" \
		"$([ "$QUICK" = 1 ] || echo " --runs $RUNS --seconds $SECS")"
	printf '"gen_cpu": "iocgen lcore 0 on CPU 0", "size": %d, "flows": %d, "runs": %d, ' \
		"$SIZE" "$FLOWS" "$RUNS"
	printf '"seconds": "%s", "warmup": "%s", "drain": "%s", "notes": [' "$SECS" "$WARM" "$DRAIN"
	sep=
	for n in "${NOTES[@]}"; do
		printf '%s"%s"' "$sep" "$n"
		sep=", "
	done
	printf '], "scenario_list": ['
	sep=
	for s in "${SCENS[@]}"; do
		IFS='|' read -r t l <<<"$(describe "$s")"
		printf '%s{"name": "%s", "title": "%s", "lcores": "%s"}' "$sep" "$s" "$t" "$l"
		sep=", "
	done
	printf ']}\n'
} >"$D/meta.json"
if [ -s "$D/server-deaths" ]; then
	python3 - "$D/meta.json" "$D/server-deaths" <<'PY' || die "meta.json"
import json, sys
m = json.load(open(sys.argv[1]))
d = [l.split() for l in open(sys.argv[2])]
m["notes"].append("The memif server exited %d time(s) when the generator disconnected "
                  "(scenario and status: %s); it was restarted and the run repeated."
                  % (len(d), ", ".join("%s %s" % (a, b) for a, b in d)))
json.dump(m, open(sys.argv[1], "w"))
PY
fi
PNG=()
[ "$PLOTS" = 1 ] && PNG=("$TOP/docs/latency-cdf.png")
python3 scripts/bench_latency.py report "$D/r" "$OUT" "$D/meta.json" "${PNG[@]}" ||
	die "the report failed"
echo "bench-latency: wrote $OUT/latency.md, $OUT/latency.json${PNG:+, ${PNG[0]}}"
