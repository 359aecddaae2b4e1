#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Throughput through an external SVM (DESIGN.md §9), per transport: iochain
# with the appliance in slot 4, end to end, and the same appliance forwarding
# alone in the same run as the reference.
#
#   sudo bash scripts/bench-appliance.sh [--quick] [--runs N] [--seconds S]
#        [--transport memif|vhost[,...]] [--worker-cpu C] [--appliance-cpu C] [--nice N]
#
# The appliance: dpdk-testpmd --forward-mode=io between two ports
# (scripts/testpmd-appliance.sh), memif clients of two net_memif servers, or
# net_virtio_user ports on two net_vhost server sockets (the vhost-user
# protocol of a VM; --single-file-segments). Its main lcore on CPU 0, its
# forwarding lcore on --appliance-cpu (default 0).
#
# iochain: config/blog-lab.ini's services on net_pcap + net_null (VM1S1.eth0
# replays 4096 64-byte UDP frames over 1024 flows, infinite_rx, into uplink0,
# net_null), a redirect of all of VM1S1's traffic to the instance whose worker
# (lcore 2) drives the appliance ([svm fgt-a], probe l2 every 1 ms); the
# instance's heartbeat_timeout_ms is 100 here (a throughput run, not a drill),
# failClosed: what the worker's ring cannot take is dropped
# (svc_drop_ring_full). Lcores: 0 (control) on CPU 0, 1 (forwarding) on CPU 1,
# 2 (the worker) on --worker-cpu (default 1). Delivered: uplink0's tx.
#
# Reference, in the same run: iochain replaced by a testpmd io harness on the
# same kinds of ports (port 0 net_pcap with the same pcap -> port 1, the arm
# the appliance reads; port 2, the arm it writes -> port 3 net_null;
# --port-topology paired), its forwarding lcore on CPU 1 like iochain's;
# delivered: port 3's Tx-pps. The ratio is iochain's over the reference's.
#
# Each run: iochain, then the reference, per transport; every second a sample,
# the first WARMUP dropped; a run's figure is the median of its samples; the
# table gives the median of the runs. Output: build/bench/appliance.{md,json}.
# --quick: one run of 3 s per tool and transport (CI: it fails only if
# something cannot run or forwards nothing). --nice N: every process of the
# bench (iochain, the appliance, the harness) at nice N (default 0; e.g. -10
# when others build on the same 2 CPUs).
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
RUNS=5
SECS=8
WARMUP=2
QUICK=0
TRANSPORTS=memif,vhost
WORKER_CPU=1
APPL_CPU=0
NICE=0
usage() {
	echo "usage: $0 [--quick] [--runs N] [--seconds S] [--transport memif|vhost[,...]] [--worker-cpu C] [--appliance-cpu C] [--nice N]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--runs) [ $# -ge 2 ] || usage; RUNS=$2; shift ;;
	--seconds) [ $# -ge 2 ] || usage; SECS=$2; shift ;;
	--transport) [ $# -ge 2 ] || usage; TRANSPORTS=$2; shift ;;
	--worker-cpu) [ $# -ge 2 ] || usage; WORKER_CPU=$2; shift ;;
	--appliance-cpu) [ $# -ge 2 ] || usage; APPL_CPU=$2; shift ;;
	--nice) [ $# -ge 2 ] || usage; NICE=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case $RUNS$SECS$WORKER_CPU$APPL_CPU in '' | *[!0-9]*) usage ;; esac
case $NICE in -[0-9] | -1[0-9] | -20 | [0-9] | 1[0-9]) ;; *) usage ;; esac
IFS=, read -r -a TLIST <<<"$TRANSPORTS"
for t in "${TLIST[@]}"; do case $t in memif | vhost) ;; *) usage ;; esac; done
if [ "$QUICK" = 1 ]; then
	RUNS=1 SECS=3 WARMUP=1
fi
[ "$QUICK" = 1 ] || [ "$SECS" -ge 5 ] || SECS=5

bash scripts/setup.sh >/dev/null || exit 1
bash scripts/build.sh >/dev/null || exit 1
command -v dpdk-testpmd >/dev/null || { echo "bench-appliance: dpdk-testpmd is not installed" >&2; exit 1; }
. "$TOP/scripts/lib.sh" # die, stop_pid, drop_prefix, ctl, wait_state
bench_paths bappl
ln -s /dev/null "$D/n"
IOC_PID=
HARN_PID=
APPL=$D/ba$$ # the appliance's state directory (scripts/testpmd-appliance.sh)
mkdir -p "$APPL"
IOC_PREFIX=ioc-ba-$$
PREFIX=$IOC_PREFIX # ctl's
W=fortigate-host-10.0
HARN_PREFIX=ioc-bah-$$

appl_stop() {
	bash scripts/testpmd-appliance.sh stop "$APPL"
}
cleanup() {
	stop_pid "$IOC_PID"
	stop_pid "$HARN_PID"
	appl_stop
	rm -rf "$D"
	drop_prefix "$IOC_PREFIX" "$HARN_PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

python3 scripts/gen-pcap.py --dir "$D" --spoof-every 0 --local-every 0 --flows 1024 \
	--packets 4096 --size 64 >/dev/null || die "cannot write the pcap"
mv "$D/pcap-demo-vm1s1.pcap" "$D/lab.pcap" && rm -f "$D"/pcap-demo-*.pcap
python3 scripts/bench_topo.py ini lab lab.pcap 0 true 0 0 0 false |
	sed 's/^heartbeat_timeout_ms = 10$/heartbeat_timeout_ms = 100/' >"$D/lab.ini" || die "no topology"

# arms TRANSPORT: iochain's [svm] arms; harness TRANSPORT: the reference's two arm vdevs.
arms() {
	case $1 in
	memif) printf 'device_in = net_memif10,role=server,socket=%s\ndevice_out = net_memif11,role=server,socket=%s\n' \
		"$D/in.sock" "$D/out.sock" ;;
	vhost) printf 'device_in = net_vhost10,iface=%s,queues=1\ndevice_out = net_vhost11,iface=%s,queues=1\n' \
		"$D/in.sock" "$D/out.sock" ;;
	esac
}
harness_arm() {
	case $1 in
	memif) echo "net_memif$2,role=server,socket=$3" ;;
	vhost) echo "net_vhost$2,iface=$3,queues=1" ;;
	esac
}
for t in "${TLIST[@]}"; do
	{
		cat "$D/lab.ini"
		printf '\n[svm fgt-a]\ninstance = fortigate-host-10\nlcore = 2\n'
		arms "$t"
		printf 'probe = l2\nprobe_interval_ms = 1\n'
	} >"$D/lab-$t.ini"
	"$IOCHAIN" --check -c "$D/lab-$t.ini" >/dev/null || die "invalid topology $D/lab-$t.ini"
done

APPL_LCORES=0@0,1@$APPL_CPU
IOC_LCORES=0@0,1@1,2@$WORKER_CPU
# threads PID...: every thread of these processes and the CPU it last ran on.
threads() {
	local p
	for p in "$@"; do
		ps -L -p "$p" -o pid=,comm=,psr= 2>/dev/null
	done
}
# wait_log LOG REGEX PID: until LOG matches (1 min at most) while PID lives.
wait_log() {
	for _ in $(seq 1 600); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
appl_start() {
	: >"$APPL/testpmd.log"
	nice -n "$NICE" bash scripts/testpmd-appliance.sh "$1" "$D/in.sock" "$D/out.sock" "$APPL" "$APPL_LCORES"
}

# run_iochain TRANSPORT RUN
run_iochain() {
	local t=$1 r=$2 log=$D/iochain.$1.$2.log
	rm -f "$D/in.sock" "$D/out.sock"
	# Appended to: the script writes a mark into the log while iochain writes it.
	: >"$log"
	(cd "$D" && exec nice -n "$NICE" "$IOCHAIN" --lcores "$IOC_LCORES" --file-prefix "$IOC_PREFIX" -- \
		-c "lab-$t.ini" --stats-interval 1) >>"$log" 2>&1 </dev/null &
	IOC_PID=$!
	wait_log "$log" "forwarding \(" "$IOC_PID" || { tail -20 "$log" >&2; die "$t: iochain did not start"; }
	appl_start "$t"
	wait_state up 30 || { tail -20 "$APPL/testpmd.log" >&2; die "$t: the appliance did not come up"; }
	# From here on iochain's per-second lines are the samples.
	echo "=== up" >>"$log"
	sleep "$SECS"
	ctl raw "/iochain/svm,$W" >"$D/svm.$t.$r.json" 2>/dev/null
	ctl raw /iochain/events >"$D/events.$t.$r.json" 2>/dev/null
	threads "$IOC_PID" "$(cat "$APPL/pid")" >"$D/threads.iochain.$t.$r"
	stop_pid "$IOC_PID"
	IOC_PID=
	cp "$APPL/testpmd.log" "$D/appl.iochain.$t.$r.log"
	appl_stop
	drop_prefix "$IOC_PREFIX"
}

# run_ref TRANSPORT RUN: the harness (testpmd io) in iochain's place, the same appliance.
run_ref() {
	local t=$1 r=$2 log=$D/harness.$1.$2.log
	rm -f "$D/in.sock" "$D/out.sock"
	: >"$log"
	(cd "$D" && exec nice -n "$NICE" dpdk-testpmd --lcores 0@0,1@1 --no-pci --file-prefix "$HARN_PREFIX" \
		--vdev "net_pcap0,rx_pcap=lab.pcap,infinite_rx=1,tx_pcap=n" \
		--vdev "$(harness_arm "$t" 10 "$D/in.sock")" --vdev "$(harness_arm "$t" 11 "$D/out.sock")" \
		--vdev net_null0,no-rx=1 -- --forward-mode=io --port-topology=paired --auto-start \
		--nb-cores=1 --stats-period 1 --total-num-mbufs=16384) >>"$log" 2>&1 </dev/null &
	HARN_PID=$!
	wait_log "$log" "Port statistics" "$HARN_PID" || { tail -20 "$log" >&2; die "$t: the harness did not start"; }
	appl_start "$t"
	wait_log "$APPL/testpmd.log" "Port statistics" "$(cat "$APPL/pid")" ||
		{ tail -20 "$APPL/testpmd.log" >&2; die "$t: the appliance did not start"; }
	sleep 1 # the appliance's links come up
	echo "=== up" >>"$log"
	sleep "$SECS"
	threads "$HARN_PID" "$(cat "$APPL/pid")" >"$D/threads.ref.$t.$r"
	stop_pid "$HARN_PID"
	HARN_PID=
	cp "$APPL/testpmd.log" "$D/appl.ref.$t.$r.log"
	appl_stop
	drop_prefix "$HARN_PREFIX"
}

echo "machine: $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$D/load.before"
others=$(pgrep -d' ' -f -- '--file-prefix|fuzz_' 2>/dev/null)
[ -z "$others" ] || echo "bench-appliance: warning: other DPDK or busy processes run (pids $others): they share the CPUs" >&2
echo "$RUNS runs of ${SECS}s per tool and transport, every process at nice $NICE; iochain --lcores $IOC_LCORES, appliance --lcores $APPL_LCORES, harness --lcores 0@0,1@1"
for r in $(seq 1 "$RUNS"); do
	for t in "${TLIST[@]}"; do
		run_iochain "$t" "$r"
		python3 scripts/bench_report.py appliance-show iochain "$t" "$r" "$WARMUP" "$D/iochain.$t.$r.log"
		run_ref "$t" "$r"
		python3 scripts/bench_report.py appliance-show ref "$t" "$r" "$WARMUP" "$D/harness.$t.$r.log"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$D/load.after"
python3 scripts/bench_report.py appliance-report "$D" "$RUNS" "$WARMUP" "$OUT" "$TRANSPORTS" \
	"every process at nice $NICE; iochain --lcores $IOC_LCORES (lcore 0 control on CPU 0, lcore 1 forwarding on CPU 1, lcore 2 the worker on CPU $WORKER_CPU); appliance testpmd --lcores $APPL_LCORES (main CPU 0, forwarding CPU $APPL_CPU); reference harness testpmd --lcores 0@0,1@1 (main CPU 0, forwarding CPU 1)" ||
	die "report failed"
