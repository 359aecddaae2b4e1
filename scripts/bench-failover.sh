#!/usr/bin/env bash
# Failover drills under traffic: how fast iochain's watchdog detects a stalled or
# crashed SVM worker, how fast the vNIC is inspected again, and what a failOpen
# drill costs in packets.
#
#   sudo bash scripts/bench-failover.sh [--quick] [--drills N] [--no-plots] [--competitor]
#   sudo bash scripts/bench-failover.sh --appliance memif|vhost [--quick] [--drills N] [--watch S] [--nice N]
#       the drills of an external appliance (SIGSTOP, SIGKILL + restart, standby
#       takeover): scripts/bench_failover_appliance.sh, sourced, says how.
#
# Topology: the lab of config/blog-lab.ini (VM1S1.eth0 -> slot 4 -> the
# fortigate-host-10 instance, worker fortigate-host-10.0 on lcore 2, profile
# fortigate-secure, a redirect of all of VM1S1's traffic, svm rules allowing
# VM1S1, heartbeat_timeout_ms = 10, auto_recover) on net_pcap + net_null
# instead of net_tap: VM1S1.eth0 replays 64-byte UDP frames from VM1S1's MAC
# and IP to the laptop's MAC (4096 frames, 1024 flows, infinite_rx) into a
# net_null uplink0, as fast as the forwarding lcore goes.
# Lcores: --lcores 0@0,1@1,2@0: control + watchdog (lcore 0) and the SVM worker
# (lcore 2) share CPU 0; the forwarding lcore 1 has CPU 1. The control loop
# ticks as a SCHED_FIFO thread ([host] watchdog_rt_priority, default 1;
# --watchdog-rt-priority 0 measures without).
#
# --competitor: a CPU hog (a shell loop, normal priority) pinned to CPU 0, the
# worker's CPU, for the whole run: the worker is preempted for a scheduler
# slice at a time; the watchdog must not take that for a hang (issue 17).
#
# Drills (N each, default 100; --quick: 5), policies alternating failOpen,
# failClosed (iochainctl profile set before each):
#   stall: svm stall; wait for /iochain/svm,W state "down"; svm resume; wait "up".
#          detection = event "instance I: down" (I: the instance of W) - event "svm W: drill stall";
#          recovery  = event "instance I: up"   - event "svm W: drill resume".
#   crash: svm crash; auto_recover relaunches the worker; wait for "instance I: up".
#          detection = "instance I: down" - "svm W: drill crash";
#          recovery (crash to inspecting) = "instance I: up" - "svm W: drill crash".
# Per drill, the deltas of VM1S1.eth0's svc_svm_down_drop and svc_drop_ring_full
# and the worker's fenced_drop (on failOpen drills all should stay 0), and the
# still heartbeats the watchdog excused (near_misses, preempted_ms).
# The headline: false DOWN, the `instance I: down` events no drill caused
# (every event between drills is kept in the JSON).
# After the drills iochain stops with SIGINT; its final counters give the ledger
# (rx = tx + drops + freed in flight) and the mbuf pool usage (in use at stop =
# at start, or the run fails).
#
# Timelines (unless --no-plots): for each policy, one stall of ~1 s then resume,
# while scripts/telemetry_sampler.py reads /iochain/stats,uplink0 and the
# worker's counters every 5 ms over one telemetry connection (pinned to CPU 0);
# gnuplot draws packets/s through the VM and the SVM's allow rate, with the
# stall, detected-down, resume and up-again instants:
# docs/timeline-failopen.png, docs/timeline-failclosed.png.
#
# Output: build/bench/failover.{md,json} (+ timeline-*.tsv). Exit status: 0, or 1
# if iochain cannot run or a drill never reaches the state it waits for.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
# die, ctl, stop_pid, drop_prefix, wait_answer, wait_state
. scripts/lib.sh
DRILLS=100
PLOTS=1
RTPRIO=1 # [host] watchdog_rt_priority: iochain's default; 0 to compare without
COMPETITOR=0
APPLIANCE=
WATCH=0
NICE=0
QUICK=0
usage() {
	echo "usage: $0 [--quick] [--drills N] [--no-plots] [--watchdog-rt-priority P] [--competitor]" >&2
	echo "       $0 --appliance memif|vhost [--quick] [--drills N] [--watch SECONDS] [--nice N]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) DRILLS=5 QUICK=1 ;;
	--appliance) [ $# -ge 2 ] || usage; case $2 in memif | vhost) APPLIANCE=$2 ;; *) usage ;; esac; shift ;;
	--watch) [ $# -ge 2 ] || usage; WATCH=$2; shift ;;
	--nice) [ $# -ge 2 ] || usage; NICE=$2; shift ;;
	--drills) [ $# -ge 2 ] || usage; DRILLS=$2; shift ;;
	--no-plots) PLOTS=0 ;;
	--competitor) COMPETITOR=1 ;;
	--watchdog-rt-priority) [ $# -ge 2 ] || usage; RTPRIO=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case $DRILLS$RTPRIO$WATCH in '' | *[!0-9]*) usage ;; esac
[ "$DRILLS" -ge 1 ] || usage
[ -z "$APPLIANCE" ] || PLOTS=0
case $NICE in -[0-9] | -1[0-9] | -20 | [0-9] | 1[0-9]) ;; *) usage ;; esac

bash scripts/setup.sh >/dev/null || exit 1
bash scripts/build.sh >/dev/null || exit 1
if [ "$PLOTS" = 1 ] && ! command -v gnuplot >/dev/null; then
	echo "bench-failover: gnuplot missing (scripts/setup.sh installs gnuplot-nox)" >&2
	exit 1
fi
bench_paths failover
DIE_LOG=$D/iochain.log
PREFIX=ioc-fo-$$
IOC_PID=
SAMPLER_PID=
HOG_PID=
W=fortigate-host-10.0
P=fortigate-secure
LCORES=0@0,1@1,2@0

APPLS=() # the appliances' state directories (scripts/testpmd-appliance.sh)

cleanup() {
	local a
	stop_pid "$SAMPLER_PID" TERM
	stop_pid "$HOG_PID" TERM
	stop_pid "$IOC_PID"
	# After iochain: its `restart` could start an appliance again meanwhile.
	for a in "${APPLS[@]}"; do
		bash scripts/testpmd-appliance.sh stop "$a"
	done
	rm -rf "$D"
	drop_prefix "$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

events() {
	ctl raw /iochain/events
}
SB= # the standby's worker, in the appliance drills that have one
snap() {
	{
		echo "{\"vnic\": $(ctl raw /iochain/stats,VM1S1.eth0 || echo null),"
		echo "\"uplink\": $(ctl raw /iochain/stats,uplink0 || echo null),"
		[ -z "$SB" ] || echo "\"sb\": $(ctl raw "/iochain/svm,$SB" || echo null),"
		echo "\"svm\": $(ctl raw "/iochain/svm,$W" || echo null)}"
	} >"$1" 2>/dev/null
}
# wait_event TEXT SECONDS [MARK]: polls the events until one added after the
# latest event containing MARK (default: a "drill" event) contains TEXT (plain
# bash: no interpreter start-up in the loop).
wait_event() {
	local text=$1 end=$(($(date +%s%N) + ${2%.*}000000000)) mark=${3:-": drill "} ev
	while [ "$(date +%s%N)" -lt "$end" ]; do
		ev=$(events 2>/dev/null)
		ev=${ev##*"$mark"}
		[[ $ev == *"$text"* ]] && return 0
		sleep 0.005
	done
	return 1
}

# start_lab INI: iochain on $D/INI (in $D, lcores $LCORES, log $D/iochain.log), answering.
start_lab() {
	"$IOCHAIN" --check -c "$D/$1" >/dev/null || die "invalid topology $D/$1"
	(cd "$D" && exec nice -n "$NICE" "$IOCHAIN" --lcores "$LCORES" --file-prefix "$PREFIX" -- -c "$1") \
		>"$D/iochain.log" 2>&1 </dev/null &
	IOC_PID=$!
	wait_answer "$IOC_PID" 30
	case $? in
	1) die "iochain exited early" ;;
	2) die "iochain does not answer telemetry" ;;
	esac
}
# stop_lab: SIGINT (SIGKILL after 10 s); its exit status ends the log.
stop_lab() {
	stop_pid "$IOC_PID"
	echo "exit status $?" >>"$D/iochain.log"
	IOC_PID=
}

# drills DIR KINDS...: $DRILLS drills of each kind, the policy alternating failOpen
# and failClosed (pol, fo). Each is the function drill_KIND, which clears ok if a
# wait timed out and may set FIELDS (more columns of its line), framed by the
# events (DIR/d.N.pre, .post) and counters (DIR/d.N.a, .b) before and after;
# drill_ready runs before each, once the policy is set. One line of
# DIR/drills.tsv a drill: "N KIND POLICY OK [FIELDS]".
drill_ready() { :; }
drills() {
	local dir=$1 n=0 kind i total=$(($# - 1))
	shift
	total=$((total * DRILLS))
	: >"$dir/drills.tsv"
	for kind in "$@"; do
		for i in $(seq 1 "$DRILLS"); do
			n=$((n + 1))
			pol=failOpen fo=true
			[ $((i % 2)) = 0 ] && pol=failClosed fo=false
			ctl profile set "$P" fail_open=$fo >/dev/null || die "profile set failed"
			sleep 0.1
			drill_ready
			events >"$dir/d.$n.pre"
			snap "$dir/d.$n.a"
			ok=1 FIELDS=
			"drill_$kind"
			snap "$dir/d.$n.b"
			events >"$dir/d.$n.post"
			echo "$n $kind $pol $ok${FIELDS:+ $FIELDS}" >>"$dir/drills.tsv"
			[ "$ok" = 1 ] || echo "drill $n ($kind, $pol): the worker did not reach the state waited for" >&2
			if [ $((n % 20)) = 0 ] || [ "$DRILLS" -le 10 ]; then
				echo "${PHASE:+$PHASE: }drill $n/$total done ($kind, $pol)"
			fi
		done
	done
}

# The lab's pcap and topology (config/blog-lab.ini's services on net_pcap + net_null).
lab_ini() {
	python3 scripts/gen-pcap.py --dir "$D" --spoof-every 0 --local-every 0 --flows 1024 \
		--packets 4096 --size 64 >/dev/null || die "cannot write the pcap"
	mv "$D/pcap-demo-vm1s1.pcap" "$D/lab.pcap" && rm -f "$D"/pcap-demo-*.pcap
	python3 scripts/bench_topo.py ini lab lab.pcap 0 true 0 0 0 false >"$D/lab.ini" || die "no topology"
	sed -i "/^\[host\]/a watchdog_rt_priority = $RTPRIO" "$D/lab.ini"
}

others=$(pgrep -d' ' -f -- '--file-prefix|fuzz_' 2>/dev/null)
[ -z "$others" ] || echo "bench-failover: warning: other DPDK or busy processes run (pids $others): they share the 2 CPUs; a starved worker or watchdog shows up as a false detection" >&2
[ -z "$APPLIANCE" ] || . scripts/bench_failover_appliance.sh

# ---- the lab on net_pcap + net_null -------------------------------------------
lab_ini
start_lab lab.ini
wait_state up 5 || die "the worker is not up"
sleep 1
echo "lab on net_pcap + net_null up (lcores $LCORES: 0 -> CPU 0 control + watchdog, 1 -> CPU 1 forwarding, 2 -> CPU 0 SVM worker $W)"
if [ "$COMPETITOR" = 1 ]; then
	taskset -c 0 sh -c 'while :; do :; done' &
	HOG_PID=$!
	echo "competitor: a CPU hog pinned to CPU 0 (pid $HOG_PID)"
	sleep 0.5
fi

# ---- timelines ----------------------------------------------------------------
if [ "$PLOTS" = 1 ]; then
	for pol in failOpen failClosed; do
		fo=false
		[ "$pol" = failOpen ] && fo=true
		ctl profile set "$P" fail_open=$fo >/dev/null || die "profile set failed"
		sleep 0.3
		taskset -c 0 python3 scripts/telemetry_sampler.py --prefix "$PREFIX" --interval 0.005 \
			--duration 3 --out "$D/timeline-$pol.jsonl" /iochain/stats,uplink0 "/iochain/svm,$W" \
			>"$D/sampler.log" 2>&1 &
		SAMPLER_PID=$!
		sleep 1
		ctl svm stall "$W" >/dev/null || die "svm stall failed"
		wait_state down 2 || die "timeline $pol: the worker did not go down"
		sleep 1
		ctl svm resume "$W" >/dev/null || die "svm resume failed"
		wait "$SAMPLER_PID" || die "the sampler failed: $(cat "$D/sampler.log")"
		SAMPLER_PID=
		wait_state up 2 || die "timeline $pol: the worker did not come back up"
		events >"$D/timeline-$pol.events.json"
		lc=$(echo "$pol" | tr '[:upper:]' '[:lower:]')
		python3 scripts/failover_report.py timeline "$D/timeline-$pol.jsonl" \
			"$D/timeline-$pol.events.json" "$W" "$pol" "$OUT/timeline-$lc.tsv" \
			"$TOP/docs/timeline-$lc.png" || die "timeline $pol: no plot"
		sleep 0.3
	done
fi

# ---- steady state: what each policy does with what the SVM cannot take ----------
for pol in failOpen failClosed; do
	fo=false
	[ "$pol" = failOpen ] && fo=true
	ctl profile set "$P" fail_open=$fo >/dev/null || die "profile set failed"
	sleep 0.2
	snap "$D/base.$pol.a"
	date +%s.%N >"$D/base.$pol.ta"
	sleep 1
	snap "$D/base.$pol.b"
	date +%s.%N >"$D/base.$pol.tb"
done

# ---- drills -------------------------------------------------------------------
drill_stall() {
	ctl svm stall "$W" >/dev/null || die "svm stall failed"
	wait_state down 2 || ok=0
	ctl svm resume "$W" >/dev/null || die "svm resume failed"
	wait_state up 3 || ok=0
}
drill_crash() {
	ctl svm crash "$W" >/dev/null || die "svm crash failed"
	wait_event "instance ${W%.*}: up" 5 || ok=0
	wait_state up 3 || ok=0
}
drills "$D" stall crash
ctl profile set "$P" fail_open=false >/dev/null
sleep 0.2
if [ -n "$HOG_PID" ]; then
	kill "$HOG_PID" && wait "$HOG_PID" 2>/dev/null
	HOG_PID=
fi

# ---- stop, ledger, report -------------------------------------------------------
stop_lab

# One JSON line per drill: its new events (from the pre- and post-drill event windows),
# the counters before and after, and the false detections since the previous drill.
python3 - "$D" "$W" >"$D/drills.jsonl" <<'PY' || die "cannot assemble the drills"
import json, re, sys
d, w = sys.argv[1], sys.argv[2]
prev_total = None
for line in open(d + "/drills.tsv"):
    n, kind, pol, ok = line.split()
    def load(s):
        try:
            return json.load(open("%s/d.%s.%s" % (d, n, s)))
        except Exception:
            return None
    pre, post = load("pre"), load("post")
    pre = pre["/iochain/events"] if pre else {"total": 0, "events": []}
    post = post["/iochain/events"] if post else {"total": 0, "events": []}
    new = post["total"] - pre["total"]
    ev = post["events"][-new:] if new > 0 else []
    # Every event since the previous drill ended (profile set, and any false detection):
    # kept whole, so a `down` between drills can be read in context.
    between, lost = [], 0
    if prev_total is not None and pre["total"] > prev_total:
        want = pre["total"] - prev_total
        between = pre["events"][-want:]
        lost = want - len(between)
    prev_total = post["total"]
    print(json.dumps({"i": int(n), "kind": kind, "policy": pol, "ok": ok == "1",
                      "truncated": new > len(post["events"]), "events": ev,
                      "between_events": between, "between_truncated": lost,
                      "between_down": sum(1 for x in between if re.search(r"instance %s: down" % re.escape(w.rsplit(".", 1)[0]), x)),
                      "a": load("a"), "b": load("b")}))
PY
python3 - "$D" >"$D/meta.json" <<PY || die "no meta"
import json, sys
d = sys.argv[1]
base = {}
for pol in ("failOpen", "failClosed"):
    a, b = (json.load(open("%s/base.%s.%s" % (d, pol, x))) for x in "ab")
    dt = float(open("%s/base.%s.tb" % (d, pol)).read()) - float(open("%s/base.%s.ta" % (d, pol)).read())
    va, vb = a["vnic"]["/iochain/stats"], b["vnic"]["/iochain/stats"]
    r = lambda k: round((vb.get(k, 0) - va.get(k, 0)) / dt / 1e6, 3)
    base[pol] = {"seconds": round(dt, 3), "rx_mpps": r("rx"), "svm_allow_mpps": r("svc_svm_allow"),
                 "drop_ring_full_mpps": r("svc_drop_ring_full"), "bypass_ring_full_mpps": r("svc_bypass_ring_full")}
print(json.dumps({
    "topology": "config/blog-lab.ini's lab on net_pcap (VM1S1.eth0, infinite_rx, 4096 x 64 B UDP frames, 1024 flows) + net_null (uplink0), heartbeat_timeout_ms 10, auto_recover",
    "lcores": "--lcores $LCORES: lcore 0 (control, watchdog) and lcore 2 (SVM worker $W) on CPU 0, lcore 1 (forwarding) on CPU 1",
    "drills": "$DRILLS stall and $DRILLS crash drills, alternately failOpen and failClosed",
    "watchdog_rt_priority": $RTPRIO,
    "competitor": "$([ "$COMPETITOR" = 1 ] && echo "a CPU hog (sh loop, nice 0) pinned to CPU 0, the worker's CPU" || echo none)",
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$(git rev-parse --short HEAD 2>/dev/null)",
    "steady_state": base}))
PY
python3 scripts/failover_report.py report "$D/drills.jsonl" "$D/iochain.log" "$W" "$OUT" "$D/meta.json"
rc=$?
[ "$rc" = 0 ] || die "some drills failed (see $OUT/failover.json)"
[ "$PLOTS" = 1 ] && echo "plots: docs/timeline-failopen.png docs/timeline-failclosed.png"
echo "results: $OUT/failover.md $OUT/failover.json"
