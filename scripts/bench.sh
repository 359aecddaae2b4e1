#!/usr/bin/env bash
# Benchmarks iochain the way the field does: same ports, same run, testpmd as
# the reference. Each scenario runs RUNS times, alternating iochain and the
# references; each run samples the forwarded rate every second and keeps the
# median of the samples after warm-up; the table reports the median of runs.
#
#   sudo bash scripts/bench.sh [--quick] [--runs N] [--seconds S]
#
# Scenario pcap-slot1: one vNIC on net_pcap (infinite_rx, 64-byte UDP, 1024
# flows, all legitimate) through its chain (slot 1, swsec) to a net_null
# uplink, one forwarding lcore. References: dpdk-testpmd io and 5tswap
# forwarding from the same net_pcap vdev to the same net_null vdev.
# Lcores: -l 0-1, lcore 0 on CPU 0 (control / testpmd main), lcore 1 on CPU 1
# (the forwarding lcore of both).
#
# --quick: one short run of each (CI smoke: fails only if a scenario cannot run).
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUNS=5
SECS=8
while [ $# -gt 0 ]; do
	case $1 in
	--quick) RUNS=1; SECS=6 ;;
	--runs) RUNS=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	*) echo "usage: $0 [--quick] [--runs N] [--seconds S]" >&2; exit 2 ;;
	esac
	shift
done
[ "$SECS" -ge 6 ] || SECS=6
WARMUP=2

bash scripts/setup.sh >/dev/null || exit 1
bash scripts/build.sh >/dev/null || exit 1
OUT=$TOP/build/bench
D=$(mktemp -d /tmp/iochain-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT
mkdir -p "$OUT"

python3 scripts/gen-pcap.py --dir "$D" --spoof-every 0 --local-every 0 --flows 1024 \
	--packets 4096 --size 64 >/dev/null || exit 1
PCAP="$D/pcap-demo-vm1s1.pcap"
cat >"$D/pcap-slot1.ini" <<INI
[host]
name = bench
[uplink uplink0]
device = net_null0,no-rx=1
lcore = 1
[vm VM1S1]
world = 1
vc_uuid = bench
[vnic VM1S1.eth0]
device = net_pcap0,rx_pcap=$PCAP,infinite_rx=1
switch_port = 1
mac = 02:00:00:00:01:01
ip = 10.0.0.11
uplink = uplink0
lcore = 1
INI

median() {
	python3 -c 'import statistics,sys; v=[float(x) for x in sys.stdin.read().split()]; print("%.3f" % statistics.median(v) if v else "nan")'
}

# The uplink's forwarded (tx) Mpps, sampled every second by iochain itself
# (the last table is the final counters, without rates).
run_iochain() {
	timeout --preserve-status -s INT "$SECS" build/app/iochain -l 0-1 \
		--file-prefix ioc-bench -- -c "$D/pcap-slot1.ini" --stats-interval 1 \
		>"$D/iochain.out" 2>&1
	awk '$1 == "uplink0" && NF == 7 { print $7 }' "$D/iochain.out" | tail -n +$((WARMUP + 1)) |
		head -n -1 | median
}

# testpmd's Tx-pps on port 1 (the net_null), from its periodic statistics; the
# first sample is taken before forwarding starts.
run_testpmd() {
	timeout --preserve-status -s INT "$SECS" dpdk-testpmd -l 0-1 --no-pci \
		--file-prefix tpmd-bench --vdev "net_pcap0,rx_pcap=$PCAP,infinite_rx=1" \
		--vdev net_null0,no-rx=1 -- --forward-mode="$1" --auto-start --stats-period 1 \
		--nb-cores=1 >"$D/testpmd.out" 2>&1
	awk '/statistics for port/ { port = $6 } /Tx-pps:/ && port == 1 { print $2 / 1e6 }' \
		"$D/testpmd.out" | tail -n +$((WARMUP + 1)) | median
}

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "lcores: 0 on CPU 0 (control), 1 on CPU 1 (forwarding); $RUNS runs of ${SECS}s, first ${WARMUP}s dropped"
ioc=() io=() swap=()
for r in $(seq 1 "$RUNS"); do
	a=$(run_iochain)
	b=$(run_testpmd io)
	c=$(run_testpmd 5tswap)
	echo "run $r: iochain $a Mpps, testpmd io $b Mpps, testpmd 5tswap $c Mpps"
	for v in "$a" "$b" "$c"; do
		if [ "$v" = nan ] || [ -z "$v" ]; then
			echo "bench: a scenario produced no samples; logs:" >&2
			tail -n 20 "$D/iochain.out" "$D/testpmd.out" >&2
			exit 1
		fi
	done
	ioc+=("$a") io+=("$b") swap+=("$c")
done
TSC_GHZ=$(sed -n 's/.*TSC \([0-9.]*\) GHz.*/\1/p' "$D/iochain.out" | head -1)

python3 - "$OUT" "$TSC_GHZ" "$RUNS" "$SECS" "${ioc[*]}" "${io[*]}" "${swap[*]}" <<'PY'
import json, statistics, sys
out, ghz, runs, secs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ioc, io, swap = ([float(x) for x in a.split()] for a in sys.argv[5:8])
m = {k: statistics.median(v) for k, v in (("iochain", ioc), ("io", io), ("5tswap", swap))}
cyc = lambda mpps: ghz * 1e3 / mpps
res = {
    "scenario": "pcap-slot1", "frame_bytes": 64, "flows": 1024, "runs": runs, "seconds": secs,
    "lcores": {"0": "CPU 0, control", "1": "CPU 1, forwarding"}, "tsc_ghz": ghz,
    "iochain_mpps": m["iochain"], "testpmd_io_mpps": m["io"], "testpmd_5tswap_mpps": m["5tswap"],
    "ratio_io": m["iochain"] / m["io"], "ratio_5tswap": m["iochain"] / m["5tswap"],
    "cycles_per_packet": {k: cyc(v) for k, v in m.items()},
    "samples": {"iochain": ioc, "testpmd_io": io, "testpmd_5tswap": swap},
}
json.dump(res, open(out + "/results.json", "w"), indent=1)
md = ["| scenario | iochain Mpps | testpmd io Mpps | ratio | testpmd 5tswap Mpps | ratio | iochain cycles/pkt |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      "| pcap-slot1: 1 vNIC (swsec) → uplink, 64 B, 1024 flows, 1 lcore | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |" % (
          m["iochain"], m["io"], res["ratio_io"], m["5tswap"], res["ratio_5tswap"], cyc(m["iochain"]))]
open(out + "/results.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
print("(medians of %d runs; %s/results.json has every sample)" % (runs, out))
PY
