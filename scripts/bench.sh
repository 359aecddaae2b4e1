#!/usr/bin/env bash
# Benchmarks iochain the way the field does: same ports, same run, testpmd as
# the reference. Each scenario runs RUNS times, alternating iochain and the
# references; each run samples the forwarded rate every second and keeps the
# median of the samples after warm-up; the table reports the median of runs.
#
#   sudo bash scripts/bench.sh [--quick] [--runs N] [--seconds S] [--scenario NAME[,NAME]]...
#   sudo bash scripts/bench.sh --list
#
# Every scenario: one vNIC VM1S1.eth0 on net_pcap (infinite_rx) replaying 64-byte
# UDP frames from VM1S1 (its MAC and IP) to the laptop's MAC, udp/5001, into a
# net_null uplink; one forwarding lcore (lcore 1, CPU 1) polls both.
#
# pcap-slot1               slot 1 (swsec) only; 4096 frames over 1024 flows.
#                          References: testpmd io and 5tswap.
# pcap-slot12-rR-fF[-stateless]
#                          slots 1+2: [dfw] default_action = drop, R rules (R-1
#                          tcp/port rules that never match, then one allowing
#                          udp/5001), F flows (a pcap of max(F, 4096) frames), stateful
#                          unless -stateless. R in {10,1000,10000} at F=64k; F in
#                          {1k,64k,256k,max} at R=1000. fmax: 1M flows are asked for; it runs
#                          the most that fit (a multiple of 64k): iochain's pool holds at most
#                          1,028,416 frames even padded, and 1024 free 2 MiB hugepages ~786k.
#                          Reference: testpmd 5tswap on the same vdevs.
# pcap-slot124             slots 1+2+4: pcap-slot12-r10-f1k plus a redirect of every
#                          packet (inout) to one SVM worker (lcore 2, on CPU 0 with the
#                          control lcore, which mostly sleeps) whose svm_rule allows all;
#                          failClosed, so what the worker cannot take is dropped
#                          (svc_drop_ring_full), not bypassed. Always run with
#                          pcap-slot12-r10-f1k, the baseline for its added cycles.
#
# Large pcaps: net_pcap infinite_rx copies the pcap into mbufs of iochain's one
# pool, sized from the topology (lib/fwd/fwd.c pool_size(): 8896 mbufs here).
# Above ~4k frames the bench adds idle padding uplinks (net_null) on padding
# lcores pinned to CPU 0 so that the pool holds the pcap; see
# scripts/bench_topo.py. Each row says what padding it ran with.
#
# Lcores: iochain -l 0-1 (+ --lcores 2@0 for the SVM worker, 3..@0 for padding):
# lcore 0 on CPU 0 is the control loop (and watchdog); lcore 1 on CPU 1 the one
# forwarding lcore. testpmd -l 0-1: main on CPU 0, forwarding on CPU 1.
# Cycles per packet: TSC cycles per packet the forwarding lcore received
# (= per forwarded packet when nothing is dropped); the lcore always polls.
#
# Output: build/bench/results.{md,json}. --quick: one short run of every
# selected scenario with fmax capped at 320k flows (a CI smoke test: it fails only
# if a scenario cannot run or yields no samples; it asserts nothing on speed).
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUNS=5
SECS=8
QUICK=0
SEL=()
ALL_SCENARIOS=(
	pcap-slot1
	pcap-slot12-r10-f64k pcap-slot12-r1000-f64k pcap-slot12-r10000-f64k
	pcap-slot12-r1000-f1k pcap-slot12-r1000-f256k pcap-slot12-r1000-fmax
	pcap-slot12-r10-f64k-stateless pcap-slot12-r1000-f64k-stateless
	pcap-slot12-r10000-f64k-stateless pcap-slot12-r1000-f256k-stateless
	pcap-slot12-r10-f1k pcap-slot124
)
usage() {
	echo "usage: $0 [--quick] [--runs N] [--seconds S] [--scenario NAME[,NAME]]... | --list" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--runs) [ $# -ge 2 ] || usage; RUNS=$2; shift ;;
	--seconds) [ $# -ge 2 ] || usage; SECS=$2; shift ;;
	--scenario) [ $# -ge 2 ] || usage; IFS=, read -r -a _s <<<"$2"; SEL+=("${_s[@]}"); shift ;;
	--list) printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0 ;;
	*) usage ;;
	esac
	shift
done
case $RUNS$SECS in *[!0-9]*) usage ;; esac
FMAX_CAP=1048576
if [ "$QUICK" = 1 ]; then
	RUNS=1
	SECS=5
	FMAX_CAP=327680
fi
[ "$RUNS" -ge 1 ] || RUNS=1
[ "$SECS" -ge 5 ] || SECS=5
WARMUP=2

# The selection, in the canonical order; pcap-slot124 brings its baseline.
[ ${#SEL[@]} -gt 0 ] || SEL=(all)
want=" "
for s in "${SEL[@]}"; do
	if [ "$s" = all ]; then
		want=" ${ALL_SCENARIOS[*]} "
		continue
	fi
	case " ${ALL_SCENARIOS[*]} " in
	*" $s "*) want="$want$s " ;;
	*) echo "bench: unknown scenario $s (--list shows them)" >&2; exit 2 ;;
	esac
done
case $want in *" pcap-slot124 "*) want="$want pcap-slot12-r10-f1k " ;; esac
SCENS=()
for s in "${ALL_SCENARIOS[@]}"; do
	case $want in *" $s "*) SCENS+=("$s") ;; esac
done

bash scripts/setup.sh >/dev/null || exit 1
bash scripts/build.sh >/dev/null || exit 1
IOCHAIN=$TOP/build/app/iochain
CTL=$TOP/build/app/iochainctl
OUT=$TOP/build/bench
mkdir -p "$OUT"
D=$(mktemp -d /tmp/iochain-bench.XXXXXX)
CUR_PID=
PREFIXES=()
SEQ=0

# Stop the tool that runs, if any, and remove everything this run created.
cleanup() {
	if [ -n "$CUR_PID" ]; then
		kill -INT "$CUR_PID" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$CUR_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$CUR_PID" 2>/dev/null
		wait "$CUR_PID" 2>/dev/null
		CUR_PID=
	fi
	local p
	for p in "${PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
		rm -f /dev/hugepages/"$p"map_*
	done
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() {
	echo "bench: $*" >&2
	exit 1
}

# ---- scenarios --------------------------------------------------------------
# scen_field NAME -> "KIND RULES STATEFUL GROUP"
scen_field() {
	case $1 in
	pcap-slot1) echo "slot1 0 true g1k" ;;
	pcap-slot124) echo "slot124 10 true g1k" ;;
	pcap-slot12-r*-f*)
		local r f st=true g
		r=${1#pcap-slot12-r}
		f=${r#*-f}
		r=${r%%-f*}
		case $f in *-stateless) st=false; f=${f%-stateless} ;; esac
		g=g$f
		echo "slot12 $r $st $g"
		;;
	esac
}
# The lcores of a scenario: EAL options.
scen_lcores() {
	local kind=$1 lp=$2 l="0@0,1@1"
	[ "$kind" = slot124 ] && l="$l,2@0"
	[ "$lp" -gt 0 ] && l="$l,(3-$((2 + lp)))@0"
	echo "--lcores $l"
}
scen_map() {
	local kind=$1 lp=$2 m="lcore 0 -> CPU 0 (control, watchdog), lcore 1 -> CPU 1 (forwarding)"
	[ "$kind" = slot124 ] && m="$m, lcore 2 -> CPU 0 (SVM worker)"
	[ "$lp" -gt 0 ] && m="$m, lcores 3-$((2 + lp)) -> CPU 0 (padding, idle)"
	echo "$m"
}

# ---- pcaps: one per group of scenarios --------------------------------------
GROUPS_USED=()
for s in "${SCENS[@]}"; do
	read -r _k _r _st g <<<"$(scen_field "$s")"
	case " ${GROUPS_USED[*]} " in *" $g "*) ;; *) GROUPS_USED+=("$g") ;; esac
done
declare -A G_FLOWS G_PKTS G_LP G_PP G_Q G_POOL G_DEV G_NOTE
ln -s /dev/null "$D/n"
free_bytes() {
	echo $(($(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) * 2097152))
}
make_group() {
	local g=$1 flows pkts
	case $g in
	g1k) flows=1024 ;;
	g64k) flows=65536 ;;
	g256k) flows=262144 ;;
	gmax)
		flows=$(python3 scripts/bench_topo.py fit "$(free_bytes)" "$FMAX_CAP") || return 1
		[ "$flows" -gt 0 ] || { echo "bench: fmax: not even 64k flows fit the free hugepages" >&2; return 1; }
		;;
	*) echo "bench: unknown group $g" >&2; return 1 ;;
	esac
	pkts=$flows
	[ "$pkts" -ge 4096 ] || pkts=4096
	if [ "$g" = g1k ]; then
		# The pcap of pcap-slot1, as before: gen-pcap.py's 4096 frames over 1024 flows.
		python3 scripts/gen-pcap.py --dir "$D" --spoof-every 0 --local-every 0 --flows 1024 \
			--packets 4096 --size 64 >/dev/null || return 1
		mv "$D/pcap-demo-vm1s1.pcap" "$D/$g.pcap" && rm -f "$D"/pcap-demo-*.pcap
	else
		python3 scripts/bench_pcap.py --out "$D/$g.pcap" --flows "$flows" --packets "$pkts" \
			>/dev/null || return 1
	fi
	local pad
	pad=$(python3 scripts/bench_topo.py pad "$pkts") || return 1
	read -r G_LP[$g] G_PP[$g] G_Q[$g] G_POOL[$g] <<<"$pad"
	G_FLOWS[$g]=$flows
	G_PKTS[$g]=$pkts
	G_DEV[$g]="net_pcap0,rx_pcap=$g.pcap,infinite_rx=1"
	[ "${G_PP[$g]}" -gt 0 ] && G_DEV[$g]="${G_DEV[$g]}$(printf ',tx_pcap=n%.0s' $(seq 0 "${G_LP[$g]}"))"
	G_NOTE[$g]=""
	[ "$g" = gmax ] && [ "$flows" -lt 1048576 ] && G_NOTE[$g]="1M requested, $flows fit"
	return 0
}
write_ini() {
	local s=$1 kind rules st g
	read -r kind rules st g <<<"$(scen_field "$s")"
	python3 scripts/bench_topo.py ini "$kind" "$g.pcap" "$rules" "$st" "${G_LP[$g]}" \
		"${G_PP[$g]}" "${G_Q[$g]}" >"$D/$s.ini" || return 1
	"$IOCHAIN" --check -c "$D/$s.ini" >/dev/null || return 1
}

# ---- runs -------------------------------------------------------------------
# start_tool LOG READY_REGEX CMD...: runs CMD in $D in the background, waits (2 min at
# most) until LOG matches READY_REGEX. Sets CUR_PID; returns 1 if it exited first.
start_tool() {
	local log=$1 ready=$2
	shift 2
	(cd "$D" && exec "$@") >"$log" 2>&1 </dev/null &
	CUR_PID=$!
	local i
	for i in $(seq 1 1200); do
		grep -qE "$ready" "$log" 2>/dev/null && return 0
		kill -0 "$CUR_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_tool
	return 1
}
# stop_tool: SIGINT, then SIGKILL after 10 s; prints the exit status.
stop_tool() {
	[ -n "$CUR_PID" ] || return 0
	kill -INT "$CUR_PID" 2>/dev/null
	local i
	for i in $(seq 1 100); do
		kill -0 "$CUR_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CUR_PID" 2>/dev/null
	wait "$CUR_PID" 2>/dev/null
	local rc=$?
	CUR_PID=
	return $rc
}
new_prefix() {
	SEQ=$((SEQ + 1))
	PREFIX=$1-$$-$SEQ
	PREFIXES+=("$PREFIX")
}
# snap FILE WORKER: the vNIC's, the uplink's and the worker's counters, timestamped.
snap() {
	local f=$1 w=$2
	{
		echo "{\"t\": $(date +%s.%N),"
		echo "\"vnic\": $("$CTL" --file-prefix "$PREFIX" raw /iochain/stats,VM1S1.eth0 || echo null),"
		echo "\"uplink\": $("$CTL" --file-prefix "$PREFIX" raw /iochain/stats,uplink0 || echo null),"
		echo "\"chain\": $("$CTL" --file-prefix "$PREFIX" raw /iochain/summarize_dvfilter,VM1S1.eth0 || echo null),"
		if [ -n "$w" ]; then
			echo "\"svm\": $("$CTL" --file-prefix "$PREFIX" raw "/iochain/svm,$w" || echo null)}"
		else
			echo "\"svm\": null}"
		fi
	} >"$f" 2>/dev/null
}

# run_iochain SCENARIO RUN: one run; appends a JSON line to $D/results.jsonl.
run_iochain() {
	local s=$1 r=$2 kind rules st g w=""
	read -r kind rules st g <<<"$(scen_field "$s")"
	[ "$kind" = slot124 ] && w=bench-host-10.0
	new_prefix ioc-bench
	local log=$D/$s.$r.log
	# shellcheck disable=SC2046
	start_tool "$log" "forwarding \(" "$IOCHAIN" $(scen_lcores "$kind" "${G_LP[$g]}") \
		--file-prefix "$PREFIX" -- -c "$D/$s.ini" --stats-interval 1 || {
		echo "bench: $s: iochain did not start; its log:" >&2
		tail -n 20 "$log" >&2
		return 1
	}
	sleep "$WARMUP"
	snap "$D/$s.$r.a" "$w"
	sleep $((SECS - WARMUP))
	snap "$D/$s.$r.b" "$w"
	ps -L -p "$CUR_PID" -o comm=,psr= >"$D/$s.$r.threads" 2>/dev/null
	sleep 0.5 # the sample of second SECS
	stop_tool
	local rc=$?
	rm -rf "/var/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"map_*
	python3 - "$s" "$r" "$rc" "$WARMUP" "$log" "$D/$s.$r.a" "$D/$s.$r.b" "$D/$s.$r.threads" \
		>>"$D/results.jsonl" <<'PY' || return 1
import json, re, statistics, sys
s, r, rc, warm, log, fa, fb, fth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:]
tx, rx, ghz = [], [], None
for line in open(log, errors="replace"):
    if line.startswith("final counters"):
        break
    m = re.search(r"TSC ([0-9.]+) GHz", line)
    if m:
        ghz = float(m.group(1))
    f = line.split()
    if len(f) == 7 and f[0] == "uplink0":
        tx.append(float(f[6]))
    elif len(f) == 7 and f[0] == "VM1S1.eth0":
        rx.append(float(f[5]))
tx, rx = tx[warm:], rx[warm:]
if not tx or not rx:
    sys.exit("bench: %s: no samples after warm-up" % s)
if max(rx) == 0:
    sys.exit("bench: %s: the vNIC received nothing after warm-up" % s)
def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None
a, b = load(fa), load(fb)
res = {"type": "iochain", "scenario": s, "run": r, "exit": rc, "tsc_ghz": ghz,
       "tx_samples": tx, "rx_samples": rx,
       "tx_mpps": statistics.median(tx), "rx_mpps": statistics.median(rx)}
if a and b and a.get("vnic") and b.get("vnic"):
    dt = b["t"] - a["t"]
    va, vb = a["vnic"]["/iochain/stats"], b["vnic"]["/iochain/stats"]
    rate = lambda x, y, k: (y.get(k, 0) - x.get(k, 0)) / dt / 1e6
    res["window_s"] = dt
    try:
        res["slots"] = sorted(b["chain"]["/iochain/summarize_dvfilter"]["slots"])
    except Exception:
        res["slots"] = None
    res["vnic_counters"] = vb
    res["conn_full"] = vb.get("sfw_drop_conn_full", 0)
    res["conn_full_mpps"] = rate(va, vb, "sfw_drop_conn_full")
    res["ring_full_mpps"] = rate(va, vb, "svc_drop_ring_full")
    res["rx_mpps_window"] = rate(va, vb, "rx")
    if a.get("uplink") and b.get("uplink"):
        res["tx_mpps_window"] = rate(a["uplink"]["/iochain/stats"], b["uplink"]["/iochain/stats"], "tx")
    if a.get("svm") and b.get("svm"):
        sa, sb = a["svm"]["/iochain/svm"], b["svm"]["/iochain/svm"]
        res["svm_allow_mpps"] = rate(sa, sb, "allow")
        res["svm_counters"] = sb
threads = {}
for line in open(fth) if fth else []:
    f = line.split()
    if len(f) == 2:
        threads.setdefault(f[0], []).append(int(f[1]))
res["threads_cpu"] = threads
print(json.dumps(res))
PY
}

# run_testpmd GROUP MODE RUN: testpmd MODE between the group's vdevs.
run_testpmd() {
	local g=$1 mode=$2 r=$3 extra=()
	new_prefix tpmd-bench
	local log=$D/testpmd.$g.$mode.$r.log
	[ "$g" = g1k ] || extra=(--total-num-mbufs=$((G_PKTS[$g] + 16384)))
	start_tool "$log" "Tx-pps" dpdk-testpmd -l 0-1 --no-pci --file-prefix "$PREFIX" \
		--vdev "${G_DEV[$g]}" --vdev net_null0,no-rx=1 -- --forward-mode="$mode" \
		--auto-start --stats-period 1 --nb-cores=1 "${extra[@]}" || {
		echo "bench: testpmd $mode on $g did not start; its log:" >&2
		tail -n 20 "$log" >&2
		return 1
	}
	sleep "$SECS"
	stop_tool
	rm -rf "/var/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"map_*
	awk '/statistics for port/ { port = $6 } /Tx-pps:/ && port == 1 { print $2 / 1e6 }' "$log" |
		tail -n +$((WARMUP + 1)) | python3 -c '
import json, statistics, sys
v = [float(x) for x in sys.stdin.read().split()]
if not v or max(v) == 0:
    sys.exit("bench: testpmd %s on %s: no samples, or nothing forwarded" % (sys.argv[2], sys.argv[1]))
print(json.dumps({"type": "testpmd", "group": sys.argv[1], "mode": sys.argv[2], "run": int(sys.argv[3]),
                  "samples": v, "mpps": statistics.median(v)}))' "$g" "$mode" "$r" >>"$D/results.jsonl"
}

# ---- main -------------------------------------------------------------------
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(pgrep -d' ' -f -- '--file-prefix|fuzz_' 2>/dev/null)
[ -z "$others" ] || echo "bench: warning: other DPDK or busy processes run (pids $others): they share the 2 CPUs and disturb the figures" >&2
echo "$RUNS runs of ${SECS}s per tool and scenario, the first ${WARMUP} one-second samples dropped"
for g in "${GROUPS_USED[@]}"; do
	make_group "$g" || die "cannot write the pcap of group $g"
	echo "pcap $g: ${G_PKTS[$g]} frames, ${G_FLOWS[$g]} flows; iochain pool ${G_POOL[$g]} mbufs$(
		[ "${G_PP[$g]}" -gt 0 ] && echo " with ${G_PP[$g]} padding uplinks (${G_Q[$g]} RX queue(s) each) on ${G_LP[$g]} padding lcores")"
done
for s in "${SCENS[@]}"; do
	write_ini "$s" || die "$s: invalid topology ($D/$s.ini)"
done

# fmax: the pool's size is known, whether the hugepages hold it is tried once; each
# failure to start steps down by 64k flows.
case " ${GROUPS_USED[*]} " in
*" gmax "*)
	fs=pcap-slot12-r1000-fmax
	for try in 1 2 3 4; do
		new_prefix ioc-bench
		# shellcheck disable=SC2046
		if start_tool "$D/fmax-probe.log" "forwarding \(" "$IOCHAIN" $(scen_lcores slot12 "${G_LP[gmax]}") \
			--file-prefix "$PREFIX" -- -c "$D/$fs.ini"; then
			stop_tool
			rm -rf "/var/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"map_*
			break
		fi
		rm -rf "/var/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"map_*
		grep -qiE "mbuf|memory|alloc" "$D/fmax-probe.log" || {
			tail -n 20 "$D/fmax-probe.log" >&2
			die "fmax: iochain does not start"
		}
		[ "$try" -lt 4 ] && [ "${G_FLOWS[gmax]}" -gt 65536 ] || die "fmax: no pool fits the hugepages"
		FMAX_CAP=$((G_FLOWS[gmax] - 65536))
		echo "fmax: ${G_FLOWS[gmax]} flows do not fit ($(grep -iE -m1 "mbuf|memory" "$D/fmax-probe.log")); trying $FMAX_CAP"
		make_group gmax || die "cannot write the pcap of group gmax"
		write_ini "$fs" || die "$fs: invalid topology"
	done
	;;
esac

TSC_GHZ=
: >"$D/results.jsonl"
for r in $(seq 1 "$RUNS"); do
	for g in "${GROUPS_USED[@]}"; do
		modes=(5tswap)
		case " ${SCENS[*]} " in *" pcap-slot1 "*) [ "$g" = g1k ] && modes=(io 5tswap) ;; esac
		for s in "${SCENS[@]}"; do
			read -r kind _r _st sg <<<"$(scen_field "$s")"
			[ "$sg" = "$g" ] || continue
			[ "$r" -gt 1 ] || echo "$s: $(scen_map "$kind" "${G_LP[$g]}")"
			run_iochain "$s" "$r" || die "$s: run $r failed"
			tail -n 1 "$D/results.jsonl" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
x = "run %d: %s: iochain %.3f Mpps forwarded, %.3f Mpps received" % (d["run"], d["scenario"], d["tx_mpps"], d["rx_mpps"])
if d.get("conn_full_mpps"):
    x += ", sfw_drop_conn_full %.3f Mpps" % d["conn_full_mpps"]
if "svm_allow_mpps" in d:
    x += ", SVM allow %.3f Mpps, svc_drop_ring_full %.3f Mpps" % (d["svm_allow_mpps"], d["ring_full_mpps"])
print(x)'
		done
		for m in "${modes[@]}"; do
			run_testpmd "$g" "$m" "$r" || die "testpmd $m on $g: run $r failed"
			tail -n 1 "$D/results.jsonl" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("run %d: testpmd %s on pcap %s: %.3f Mpps" % (d["run"], d["mode"], d["group"], d["mpps"]))'
		done
	done
done

meta=$D/meta.json
{
	echo "{\"runs\": $RUNS, \"seconds\": $SECS, \"warmup\": $WARMUP, \"quick\": $QUICK,"
	echo "\"machine\": \"$(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)\","
	echo "\"scenarios\": ["
	sep=
	for s in "${SCENS[@]}"; do
		read -r kind rules st g <<<"$(scen_field "$s")"
		printf '%s{"name": "%s", "kind": "%s", "rules": %s, "stateful": %s, "group": "%s", "flows": %s, "frames": %s, "pool": %s, "pad_lcores": %s, "pad_uplinks": %s, "pad_rxq": %s, "note": "%s", "lcores": "%s", "lcore_map": "%s"}\n' \
			"$sep" "$s" "$kind" "$rules" "$st" "$g" "${G_FLOWS[$g]}" "${G_PKTS[$g]}" "${G_POOL[$g]}" \
			"${G_LP[$g]}" "${G_PP[$g]}" "${G_Q[$g]}" "${G_NOTE[$g]}" "$(scen_lcores "$kind" "${G_LP[$g]}")" \
			"$(scen_map "$kind" "${G_LP[$g]}")"
		sep=,
	done
	echo "]}"
} >"$meta"
python3 scripts/bench_report.py "$meta" "$D/results.jsonl" "$OUT" || die "report failed"
