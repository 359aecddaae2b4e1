#!/usr/bin/env bash
# Benchmarks iochain the way the field does: same ports, same run, testpmd as
# the reference. Each scenario runs RUNS times, alternating iochain and the
# references; each run samples the forwarded rate every second and keeps the
# median of the samples after warm-up; the table reports the median of runs.
#
#   sudo bash scripts/bench.sh [--quick] [--plots] [--runs N] [--seconds S] [--peer ovs|none] [--scenario NAME[,NAME]]...
#   sudo bash scripts/bench.sh --list
#
# pcap scenarios: one vNIC VM1S1.eth0 on net_pcap (infinite_rx) replaying UDP
# frames (64 bytes without FCS unless -sN) from VM1S1 (its MAC and IP) to the
# laptop's MAC, udp/5001, into a net_null uplink; one forwarding lcore (lcore 1,
# CPU 1) polls both. iochain's pool holds the pcap: [host] mbufs = the pcap's
# frames + the topology's default pool (scripts/bench_topo.py mbufs).
#
# pcap-slot1               slot 1 (swsec) only; 4096 frames over 1024 flows.
#                          References: testpmd io and 5tswap.
# pcap-slot12-rR-fF[-stateless]
#                          slots 1+2: [dfw] default_action = drop, R rules (R-1
#                          tcp/port rules that never match, then one allowing
#                          udp/5001), F flows (a pcap of max(F, 4096) frames), stateful
#                          unless -stateless, [dfw] connections = the next power of two
#                          >= 1.25 F (at least 64k), so that no flow meets a full table.
#                          R in {10,1000,10000} at F=64k; F in {1k,64k,256k,1m} at R=1000.
#                          f1m is 1,048,576 flows (--quick: 131,072): ~2.5 GB of pool, so the
#                          bench raises hugepages to IOC_NR_HUGEPAGES (default 4096 = 8 GiB)
#                          and gives back what it added when it ends.
#                          Reference: testpmd 5tswap on the same vdevs.
# pcap-slot12-r1000-f64k-sN
#                          scenario 5, frame sizes: pcap-slot12-r1000-f64k with N-byte
#                          frames (N in 512, 1500; 64 is pcap-slot12-r1000-f64k itself),
#                          Mpps and Gbit/s; reference testpmd 5tswap at the same size.
# pcap-slot124             slots 1+2+4: pcap-slot12-r10-f1k plus a redirect of every
#                          packet (inout) to one SVM worker (lcore 2, on CPU 0 with the
#                          control lcore, which mostly sleeps) whose svm_rule allows all;
#                          failClosed, so what the worker cannot take is dropped
#                          (svc_drop_ring_full), not bypassed. Always run with
#                          pcap-slot12-r10-f1k, the baseline for its added cycles.
# pcap-slot12-r10-f1k-2lc  scenario 4, 2 forwarding lcores: two vNICs (VM1S1.eth0, VM2S1.eth0)
#                          each on net_pcap with its own 1024 flows and its own net_null
#                          uplink, VM1S1 + uplink0 on lcore 1 (CPU 1), VM2S1 + uplink1 on
#                          lcore 2 (CPU 0, with the control lcore). Not RSS: net_pcap has
#                          none, and iochain refuses a vNIC with 2 RX queues without RSS
#                          ("2 RX queues need RSS, which it lacks"), so one vNIC cannot be
#                          split over 2 lcores from pcaps; a port per lcore is the split
#                          that runs here. Always run with pcap-slot12-r10-f1k (1 lcore).
#                          Reference: testpmd 5tswap, 2 cores, on the same 4 vdevs.
# memif-slot12             slots 1+2, 10 rules (9 tcp that never match, one allowing udp),
#                          stateful; the vNIC is net_memif (iochain the server), fed by
#                          dpdk-testpmd --forward-mode=txonly (another process, memif client
#                          with the vNIC's MAC, --tx-ip 10.0.0.11,10.0.0.100, --eth-peer the
#                          laptop's MAC: one UDP flow, 64 B); its forwarding lcore on CPU 0,
#                          iochain's on CPU 1. Uplink: net_null on fewer than 3 CPUs (a third
#                          busy poller, testpmd rxonly on a memif uplink, would share a CPU
#                          with the generator or iochain and be the bottleneck); with 3 CPUs
#                          or more, or IOC_BENCH_MEMIF_SINK=1, a net_memif uplink drained by
#                          testpmd rxonly (CPU 2, or CPU 0 if there are only 2). Reference:
#                          testpmd io between the same sockets in place of iochain, same
#                          generator. Delivered = the uplink's tx (iochain's or testpmd io's).
#
# Peer (--peer ovs, the default when Debian's openvswitch-switch-dpdk is installed;
# --peer none skips it): OVS-DPDK with the same policy on the same vdevs, one PMD on
# CPU 1 (scripts/bench_ovs.sh), for the 64-byte slots 1+2 scenarios of at most 64k
# flows (--quick: pcap-slot12-r1000-f64k and its -stateless); it runs after iochain
# and before testpmd in each run.
#
# Lcores: iochain --lcores 0@0,1@1 (+ 2@0 for the SVM worker or the second forwarding
# lcore): lcore 0 on CPU 0 is the control loop (and watchdog); lcore 1 on CPU 1 the
# forwarding lcore. testpmd: main on CPU 0, forwarding on CPU 1 (and CPU 0 for its
# second core in -2lc). Each scenario prints its mapping; results.md lists them.
# Busy cycles per packet: the TSC cycles lcore 1 spent in polls that found work
# (/iochain/lcores), per packet the vNIC received: the forwarding cost whether or
# not another stage (the SVM worker) limits the rate.
# Cycles per packet: TSC cycles per packet the forwarding lcore received
# (= per forwarded packet when nothing is dropped); the lcore always polls.
#
# Output: build/bench/results.{md,json}; --plots also writes docs/bench-rules.png and
# docs/bench-flows.png (scripts/bench_plot.py). --quick: one short run (3 s) of every
# selected scenario, f1m capped at 131,072 flows (a CI smoke test: it fails only if a
# scenario cannot run or yields no samples; it asserts nothing on speed).
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
. "$TOP/scripts/lib.sh" # die, stop_pid, new_prefix, drop_prefix
RUNS=5
SECS=8
QUICK=0
PLOTS=0
SEL=()
PEER=auto
ALL_SCENARIOS=(
	pcap-slot1
	pcap-slot12-r10-f64k pcap-slot12-r1000-f64k pcap-slot12-r10000-f64k
	pcap-slot12-r1000-f1k pcap-slot12-r1000-f256k pcap-slot12-r1000-f1m
	pcap-slot12-r10-f64k-stateless pcap-slot12-r1000-f64k-stateless
	pcap-slot12-r10000-f64k-stateless pcap-slot12-r1000-f256k-stateless
	pcap-slot12-r1000-f64k-s512 pcap-slot12-r1000-f64k-s1500
	pcap-slot12-r10-f1k pcap-slot124 pcap-slot12-r10-f1k-2lc
	memif-slot12
)
usage() {
	echo "usage: $0 [--quick] [--plots] [--runs N] [--seconds S] [--peer ovs|none] [--scenario NAME[,NAME]]... | --list" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--plots) PLOTS=1 ;;
	--runs) [ $# -ge 2 ] || usage; RUNS=$2; shift ;;
	--seconds) [ $# -ge 2 ] || usage; SECS=$2; shift ;;
	--scenario) [ $# -ge 2 ] || usage; IFS=, read -r -a _s <<<"$2"; SEL+=("${_s[@]}"); shift ;;
	--peer) [ $# -ge 2 ] || usage; case $2 in ovs | none) PEER=$2 ;; *) usage ;; esac; shift ;;
	--list) printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0 ;;
	*) usage ;;
	esac
	shift
done
case $RUNS$SECS in *[!0-9]*) usage ;; esac
F1M=1048576
WARMUP=2
if [ "$QUICK" = 1 ]; then
	RUNS=1
	SECS=3
	WARMUP=1
	F1M=131072
	PLOTS=0
fi
[ "$RUNS" -ge 1 ] || RUNS=1
[ "$QUICK" = 1 ] || [ "$SECS" -ge 5 ] || SECS=5 # at least 3 samples after warm-up

# The selection, in the canonical order; pcap-slot124 and -2lc bring their baseline.
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
case $want in *" pcap-slot124 "* | *" pcap-slot12-r10-f1k-2lc "*) want="$want pcap-slot12-r10-f1k " ;; esac
SCENS=()
for s in "${ALL_SCENARIOS[@]}"; do
	case $want in *" $s "*) SCENS+=("$s") ;; esac
done

HUGE=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_BEFORE=$(cat "$HUGE" 2>/dev/null || echo 0)
NR_HUGE=${IOC_NR_HUGEPAGES:-1024}
case " ${SCENS[*]} " in *" pcap-slot12-r1000-f1m "*) [ "$QUICK" = 1 ] || NR_HUGE=${IOC_NR_HUGEPAGES:-4096} ;; esac
IOC_NR_HUGEPAGES=$NR_HUGE bash scripts/setup.sh >/dev/null || exit 1
bash scripts/build.sh >/dev/null || exit 1
. "$TOP/scripts/bench_ovs.sh"
if [ "$PEER" = auto ]; then
	ovs_available && PEER=ovs || PEER=none
elif [ "$PEER" = ovs ] && ! ovs_available; then
	echo "bench: --peer ovs: OVS-DPDK is not installed ($OVS_VSWITCHD; apt-get install openvswitch-switch-dpdk)" >&2
	exit 1
fi
bench_paths bench
PIDS=()
PREFIXES=()
SEQ=0

# Stop the tools that run, if any, remove everything this run created, and give
# back the hugepages the bench added (the kernel frees only free pages).
cleanup() {
	local p
	declare -F ovs_stop >/dev/null && ovs_stop
	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	drop_prefix "${PREFIXES[@]}"
	rm -rf "$D"
	rm -f /run/iochain/bench-vm1.sock /run/iochain/bench-uplink.sock
	[ "$(cat "$HUGE" 2>/dev/null || echo 0)" -le "$HUGE_BEFORE" ] || echo "$HUGE_BEFORE" >"$HUGE" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- scenarios --------------------------------------------------------------
# scen_field NAME -> "KIND RULES STATEFUL GROUP SIZE"
scen_field() {
	case $1 in
	pcap-slot1) echo "slot1 0 true g1k 64" ;;
	pcap-slot124) echo "slot124 10 true g1k 64" ;;
	pcap-slot12-r10-f1k-2lc) echo "slot12x2 10 true g1k2 64" ;;
	memif-slot12) echo "memif 10 true memif 64" ;;
	pcap-slot12-r*-f*)
		local r f st=true g size=64
		r=${1#pcap-slot12-r}
		f=${r#*-f}
		r=${r%%-f*}
		case $f in *-stateless) st=false; f=${f%-stateless} ;; esac
		case $f in *-s*) size=${f#*-s}; f=${f%-s*} ;; esac
		g=g$f
		[ "$size" = 64 ] || g=$g-s$size
		echo "slot12 $r $st $g $size"
		;;
	esac
}
# The lcores of a scenario: EAL options, and the mapping in words.
scen_lcores() {
	case $1 in
	slot124 | slot12x2) echo "--lcores 0@0,1@1,2@0" ;;
	*) echo "--lcores 0@0,1@1" ;;
	esac
}
scen_map() {
	local m="lcore 0 -> CPU 0 (control, watchdog), lcore 1 -> CPU 1 (forwarding)"
	case $1 in
	slot124) m="$m, lcore 2 -> CPU 0 (SVM worker)" ;;
	slot12x2) m="lcore 0 -> CPU 0 (control, watchdog), lcore 1 -> CPU 1 (forwarding: VM1S1.eth0, uplink0), lcore 2 -> CPU 0 (forwarding: VM2S1.eth0, uplink1); testpmd 5tswap: main CPU 0, cores on CPU 1 and CPU 0" ;;
	memif) m="generator testpmd txonly: main and forwarding lcore -> CPU 0; iochain lcore 0 -> CPU 0 (control), lcore 1 -> CPU 1 (forwarding); reference testpmd io: main CPU 0, forwarding CPU 1$([ "$MEMIF_SINK" = 1 ] && echo "; sink testpmd rxonly on the memif uplink: forwarding -> CPU $SINK_CPU")" ;;
	esac
	echo "$m"
}
MEMIF_SINK=${IOC_BENCH_MEMIF_SINK:-}
[ -n "$MEMIF_SINK" ] || { [ "$(nproc)" -ge 3 ] && MEMIF_SINK=1 || MEMIF_SINK=0; }
SINK_CPU=2
[ "$(nproc)" -ge 3 ] || SINK_CPU=0

# ---- groups: the pcaps (and testpmd's vdevs) shared by scenarios -------------
GROUPS_USED=()
for s in "${SCENS[@]}"; do
	read -r _k _r _st g _sz <<<"$(scen_field "$s")"
	case " ${GROUPS_USED[*]} " in *" $g "*) ;; *) GROUPS_USED+=("$g") ;; esac
done
declare -A G_FLOWS G_PKTS G_SIZE G_PCAPS G_TPDEV G_TPCORES G_NOTE
ln -s /dev/null "$D/n"
make_group() {
	local g=$1 flows size=64 pkts
	case $g in
	memif)
		G_FLOWS[$g]=1 G_PKTS[$g]=0 G_SIZE[$g]=64 G_PCAPS[$g]=x G_NOTE[$g]="" G_TPCORES[$g]=1
		return 0
		;;
	g1k | g1k2) flows=1024 ;;
	g64k*) flows=65536 ;;
	g256k) flows=262144 ;;
	g1m) flows=$F1M ;;
	*) echo "bench: unknown group $g" >&2; return 1 ;;
	esac
	case $g in *-s*) size=${g#*-s} ;; esac
	pkts=$flows
	[ "$pkts" -ge 4096 ] || pkts=4096
	if [ "$g" = g1k ]; then
		# The pcap of pcap-slot1, as before: gen-pcap.py's 4096 frames over 1024 flows.
		python3 scripts/gen-pcap.py --dir "$D" --spoof-every 0 --local-every 0 --flows 1024 \
			--packets 4096 --size 64 >/dev/null || return 1
		mv "$D/pcap-demo-vm1s1.pcap" "$D/$g.pcap" && rm -f "$D"/pcap-demo-*.pcap
		G_PCAPS[$g]=$g.pcap
	elif [ "$g" = g1k2 ]; then
		python3 scripts/bench_pcap.py --out "$D/$g-a.pcap" --flows "$flows" --packets "$pkts" \
			--vm 1 >/dev/null || return 1
		python3 scripts/bench_pcap.py --out "$D/$g-b.pcap" --flows "$flows" --packets "$pkts" \
			--vm 2 >/dev/null || return 1
		G_PCAPS[$g]="$g-a.pcap $g-b.pcap"
	else
		python3 scripts/bench_pcap.py --out "$D/$g.pcap" --flows "$flows" --packets "$pkts" \
			--size "$size" >/dev/null || return 1
		G_PCAPS[$g]=$g.pcap
	fi
	G_FLOWS[$g]=$flows
	G_PKTS[$g]=$pkts
	G_SIZE[$g]=$size
	G_NOTE[$g]=""
	[ "$g" = g1m ] && [ "$flows" -lt 1048576 ] && G_NOTE[$g]="--quick: $flows flows, not 1M"
	if [ "$g" = g1k2 ]; then
		G_TPDEV[$g]="--vdev net_pcap0,rx_pcap=$g-a.pcap,infinite_rx=1 --vdev net_null0,no-rx=1 --vdev net_pcap1,rx_pcap=$g-b.pcap,infinite_rx=1 --vdev net_null1,no-rx=1"
		G_TPCORES[$g]=2
	else
		G_TPDEV[$g]="--vdev net_pcap0,rx_pcap=$g.pcap,infinite_rx=1 --vdev net_null0,no-rx=1"
		G_TPCORES[$g]=1
	fi
	return 0
}
# scen_pool NAME -> "MBUFS CONNECTIONS" (0: iochain's default)
scen_pool() {
	local kind rules st g sz m c=0
	read -r kind rules st g sz <<<"$(scen_field "$1")"
	case $kind in
	memif) echo "0 0"; return ;;
	slot12x2) m=$(python3 scripts/bench_topo.py mbufs $((2 * G_PKTS[$g])) 4 4 2) ;;
	slot124) m=$(python3 scripts/bench_topo.py mbufs "${G_PKTS[$g]}") ;;
	*) m=$(python3 scripts/bench_topo.py mbufs "${G_PKTS[$g]}") ;;
	esac
	[ "$kind" = slot1 ] || c=$(python3 scripts/bench_topo.py connections "${G_FLOWS[$g]}")
	echo "$m $c"
}
declare -A S_MBUFS S_CONNS
write_ini() {
	local s=$1 kind rules st g sz
	read -r kind rules st g sz <<<"$(scen_field "$s")"
	read -r S_MBUFS[$s] S_CONNS[$s] <<<"$(scen_pool "$s")"
	# shellcheck disable=SC2086
	python3 scripts/bench_topo.py conf "$kind" "$rules" "$st" "${S_MBUFS[$s]}" "${S_CONNS[$s]}" \
		${G_PCAPS[$g]} >"$D/$s.ini" || return 1
	if [ "$kind" = memif ] && [ "$MEMIF_SINK" = 0 ]; then
		sed -i 's|^device = net_memif1,.*|device = net_null0,no-rx=1|' "$D/$s.ini"
	fi
	"$IOCHAIN" --check -c "$D/$s.ini" >/dev/null || return 1
}

# ---- runs -------------------------------------------------------------------
# start_tool LOG READY_REGEX CMD...: runs CMD in $D in the background, waits (2 min at
# most) until LOG matches READY_REGEX. Sets LAST_PID; returns 1 if it exited first.
start_tool() {
	local log=$1 ready=$2
	shift 2
	(cd "$D" && exec "$@") >"$log" 2>&1 </dev/null &
	LAST_PID=$!
	PIDS+=("$LAST_PID")
	for _ in $(seq 1 1200); do
		grep -qE "$ready" "$log" 2>/dev/null && return 0
		kill -0 "$LAST_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$LAST_PID"
	return 1
}
# snap FILE WORKER: in the iochain of $IOC_PREFIX, the vNIC's, the uplink's and the worker's counters, timestamped.
snap() {
	local f=$1 w=$2
	{
		echo "{\"t\": $(date +%s.%N),"
		echo "\"vnic\": $("$CTL" --file-prefix "$IOC_PREFIX" raw /iochain/stats,VM1S1.eth0 || echo null),"
		echo "\"uplink\": $("$CTL" --file-prefix "$IOC_PREFIX" raw /iochain/stats,uplink0 || echo null),"
		echo "\"chain\": $("$CTL" --file-prefix "$IOC_PREFIX" raw /iochain/summarize_dvfilter,VM1S1.eth0 || echo null),"
		echo "\"lcores\": $("$CTL" --file-prefix "$IOC_PREFIX" raw /iochain/lcores || echo null),"
		if [ -n "$w" ]; then
			echo "\"svm\": $("$CTL" --file-prefix "$IOC_PREFIX" raw "/iochain/svm,$w" || echo null)}"
		else
			echo "\"svm\": null}"
		fi
	} >"$f" 2>/dev/null
}

# The generator of memif-slot12: testpmd txonly, memif client on the vNIC's socket.
# Sets GEN_PID.
start_gen() {
	local log=$1
	new_prefix tpmd-gen
	GEN_PREFIX=$PREFIX
	start_tool "$log" "Tx-pps" dpdk-testpmd --lcores 0@0,1@0 --no-pci --file-prefix "$PREFIX" \
		--vdev net_memif0,role=client,socket=/run/iochain/bench-vm1.sock,mac=02:00:00:00:01:01 \
		-- --forward-mode=txonly --auto-start --stats-period 1 --nb-cores=1 \
		--tx-ip=10.0.0.11,10.0.0.100 --eth-peer=0,02:00:00:00:00:64 || return 1
	GEN_PID=$LAST_PID
}
# The sink of a memif uplink: testpmd rxonly, memif client on the uplink's socket.
start_sink() {
	local log=$1
	new_prefix tpmd-sink
	SINK_PREFIX=$PREFIX
	start_tool "$log" "Port statistics" dpdk-testpmd --lcores "0@0,1@$SINK_CPU" --no-pci \
		--file-prefix "$PREFIX" --vdev net_memif1,role=client,socket=/run/iochain/bench-uplink.sock \
		-- --forward-mode=rxonly --auto-start --stats-period 1 --nb-cores=1 || return 1
	SINK_PID=$LAST_PID
}
memif_clients_start() {
	local tag=$1
	SINK_PID=
	if [ "$MEMIF_SINK" = 1 ]; then
		start_sink "$D/sink.$tag.log" || { tail -n 20 "$D/sink.$tag.log" >&2; return 1; }
	fi
	start_gen "$D/gen.$tag.log" || { tail -n 20 "$D/gen.$tag.log" >&2; return 1; }
}
memif_clients_stop() {
	stop_pid "$GEN_PID"
	drop_prefix "$GEN_PREFIX"
	if [ -n "$SINK_PID" ]; then
		stop_pid "$SINK_PID"
		drop_prefix "$SINK_PREFIX"
	fi
}

# run_iochain SCENARIO RUN: one run; appends a JSON line to $D/results.jsonl.
run_iochain() {
	local s=$1 r=$2 kind rules st g sz w="" gen=""
	read -r kind rules st g sz <<<"$(scen_field "$s")"
	[ "$kind" = slot124 ] && w=bench-host-10.0
	new_prefix ioc-bench
	IOC_PREFIX=$PREFIX
	local log=$D/$s.$r.log
	rm -f /run/iochain/bench-vm1.sock /run/iochain/bench-uplink.sock
	# shellcheck disable=SC2046
	start_tool "$log" "forwarding \(" "$IOCHAIN" $(scen_lcores "$kind") \
		--file-prefix "$PREFIX" -- -c "$D/$s.ini" --stats-interval 1 || {
		echo "bench: $s: iochain did not start; its log:" >&2
		tail -n 20 "$log" >&2
		return 1
	}
	local ioc=$LAST_PID
	if [ "$kind" = memif ]; then
		memif_clients_start "$s.$r" || { stop_pid "$ioc"; return 1; }
		gen=$D/gen.$s.$r.log
	fi
	sleep "$WARMUP"
	snap "$D/$s.$r.a" "$w"
	sleep $((SECS - WARMUP))
	snap "$D/$s.$r.b" "$w"
	ps -L -p "$ioc" -o comm=,psr= >"$D/$s.$r.threads" 2>/dev/null
	sleep 0.5 # the sample of second SECS
	[ "$kind" = memif ] && memif_clients_stop
	stop_pid "$ioc"
	local rc=$?
	drop_prefix "$IOC_PREFIX"
	python3 scripts/bench_report.py parse-iochain "$s" "$r" "$rc" "$WARMUP" "$log" "$D/$s.$r.a" \
		"$D/$s.$r.b" "$D/$s.$r.threads" "$gen" >>"$D/results.jsonl"
}

# run_testpmd GROUP MODE RUN: testpmd MODE between the group's vdevs.
run_testpmd() {
	local g=$1 mode=$2 r=$3 extra=() lc="--lcores 0@0,1@1"
	new_prefix tpmd-bench
	local log=$D/testpmd.$g.$mode.$r.log
	[ "${G_PKTS[$g]}" -le 4096 ] || extra=(--total-num-mbufs=$((G_PKTS[$g] + 16384)))
	[ "$g" = g1k2 ] && { lc="--lcores 0@0,1@1,2@0"; extra=(--total-num-mbufs=$((2 * G_PKTS[$g] + 32768))); }
	local dev=${G_TPDEV[$g]:-}
	if [ "$g" = memif ]; then
		rm -f /run/iochain/bench-vm1.sock /run/iochain/bench-uplink.sock
		dev="--vdev net_memif0,role=server,socket=/run/iochain/bench-vm1.sock"
		if [ "$MEMIF_SINK" = 1 ]; then
			dev="$dev --vdev net_memif1,role=server,socket=/run/iochain/bench-uplink.sock"
		else
			dev="$dev --vdev net_null0,no-rx=1"
		fi
	fi
	# shellcheck disable=SC2086
	start_tool "$log" "Tx-pps" dpdk-testpmd $lc --no-pci --file-prefix "$PREFIX" $dev \
		-- --forward-mode="$mode" --auto-start --stats-period 1 --nb-cores="${G_TPCORES[$g]}" \
		"${extra[@]}" || {
		echo "bench: testpmd $mode on $g did not start; its log:" >&2
		tail -n 20 "$log" >&2
		return 1
	}
	local tp=$LAST_PID tpx=$PREFIX gen=""
	if [ "$g" = memif ]; then
		memif_clients_start "testpmd.$r" || { stop_pid "$tp"; return 1; }
		gen=$D/gen.testpmd.$r.log
	fi
	sleep "$SECS"
	[ "$g" = memif ] && memif_clients_stop
	stop_pid "$tp"
	drop_prefix "$tpx"
	python3 scripts/bench_report.py parse-testpmd "$g" "$mode" "$r" "$WARMUP" "$log" "$gen" \
		>>"$D/results.jsonl"
}

# ---- main -------------------------------------------------------------------
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg); $(cat "$HUGE") hugepages of 2 MiB ($(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) free)"
others=$(pgrep -d' ' -f -- '--file-prefix|fuzz_' 2>/dev/null)
[ -z "$others" ] || echo "bench: warning: other DPDK or busy processes run (pids $others): they share the CPUs and disturb the figures" >&2
echo "$RUNS runs of ${SECS}s per tool and scenario, the first ${WARMUP} one-second samples dropped"
for g in "${GROUPS_USED[@]}"; do
	make_group "$g" || die "cannot write the pcap of group $g"
	[ "$g" = memif ] || echo "pcap $g: ${G_PKTS[$g]} frames of ${G_SIZE[$g]} bytes, ${G_FLOWS[$g]} flows$([ "$g" = g1k2 ] && echo " per vNIC (2 pcaps)")"
done
for s in "${SCENS[@]}"; do
	write_ini "$s" || die "$s: invalid topology ($D/$s.ini)"
done

: >"$D/results.jsonl"
for r in $(seq 1 "$RUNS"); do
	for g in "${GROUPS_USED[@]}"; do
		modes=(5tswap)
		[ "$g" = memif ] && modes=(io)
		case " ${SCENS[*]} " in *" pcap-slot1 "*) [ "$g" = g1k ] && modes=(io 5tswap) ;; esac
		for s in "${SCENS[@]}"; do
			read -r kind _r _st sg _sz <<<"$(scen_field "$s")"
			[ "$sg" = "$g" ] || continue
			[ "$r" -gt 1 ] || echo "$s: pool ${S_MBUFS[$s]} mbufs, ${S_CONNS[$s]} connections per lcore (0: default); $(scen_map "$kind")"
			run_iochain "$s" "$r" || die "$s: run $r failed"
			python3 scripts/bench_report.py show <"$D/results.jsonl"
			if [ "$PEER" = ovs ] && ovs_wants "$s"; then
				run_ovs "$s" "$r" || die "$s: OVS-DPDK run $r failed"
				python3 scripts/bench_report.py show <"$D/results.jsonl"
			fi
		done
		for m in "${modes[@]}"; do
			run_testpmd "$g" "$m" "$r" || die "testpmd $m on $g: run $r failed"
			python3 scripts/bench_report.py show <"$D/results.jsonl"
		done
	done
done

meta=$D/meta.json
{
	echo "{\"runs\": $RUNS, \"seconds\": $SECS, \"warmup\": $WARMUP, \"quick\": $QUICK, \"memif_sink\": $MEMIF_SINK, \"peer\": \"$PEER\","
	echo "\"machine\": \"$(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)\","
	echo "\"scenarios\": ["
	sep=
	for s in "${SCENS[@]}"; do
		read -r kind rules st g sz <<<"$(scen_field "$s")"
		printf '%s{"name": "%s", "kind": "%s", "rules": %s, "stateful": %s, "group": "%s", "flows": %s, "frames": %s, "frame_bytes": %s, "mbufs": %s, "connections": %s, "note": "%s", "lcores": "%s", "lcore_map": "%s"}\n' \
			"$sep" "$s" "$kind" "$rules" "$st" "$g" "${G_FLOWS[$g]}" "${G_PKTS[$g]}" "$sz" \
			"${S_MBUFS[$s]}" "${S_CONNS[$s]}" "${G_NOTE[$g]}" "$(scen_lcores "$kind")" "$(scen_map "$kind")"
		sep=,
	done
	echo "]}"
} >"$meta"
python3 scripts/bench_report.py report "$meta" "$D/results.jsonl" "$OUT" || die "report failed"
if [ "$PLOTS" = 1 ]; then
	python3 scripts/bench_plot.py "$OUT/results.json" docs || die "plots failed"
fi
