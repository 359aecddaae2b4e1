# SPDX-License-Identifier: BSD-3-Clause
# Sourced by scripts/bench-failover.sh --appliance memif|vhost: failover drills
# of an external SVM (DESIGN.md §9) under traffic. Ends the script.
#
# Topology: bench-failover's lab (VM1S1.eth0 on net_pcap infinite_rx, 64-byte
# UDP frames from VM1S1 to the laptop, into a net_null uplink0; the
# fortigate-host-10 instance, heartbeat_timeout_ms = 10) whose worker
# fortigate-host-10.0 (lcore 2) drives an appliance, [svm fgt-a]: testpmd
# --forward-mode=io between two ports, the client of iochain's arms (net_memif
# servers, or net_vhost server sockets with net_virtio_user ports),
# probe = l2, probe_interval_ms = 1, restart = scripts/testpmd-appliance.sh
# (kills the old one, starts a new one), restart_after_ms = 1000 (a shorter
# one, on a loaded machine, kills an appliance still starting up).
#
# CPUs (2): iochain's forwarding lcore 1 and the worker share CPU 1 (lcores
# sharing a CPU yield to each other after every poll), control + watchdog
# (lcore 0) on CPU 0; the appliance (testpmd, main and forwarding lcore) has
# CPU 0, which it shares with the control thread only.
# Phase 1, failure path (no standby; iochain --lcores 0@0,1@1,2@1):
#   stop: kill -STOP the appliance; wait until the worker is down; read the
#         uplink's tx twice 100 ms apart (failClosed: nothing may cross);
#         kill -CONT; wait until it is up (the appliance's `hold` file keeps
#         `restart` from replacing the stopped one meanwhile).
#         detection = "instance I: down" (I: the instance of W) - the signal; recovery = up - SIGCONT.
#   kill: kill -KILL; down (by link); `restart` relaunches it; up again.
#         detection = down - the signal; recovery = up - the signal
#         (killed -> relaunched -> inspecting again).
# Phase 2, standby (standby_lcores = 3 with [svm fgt-b], a second appliance,
# also on CPU 0 but at nice 19: a busy poller that takes CPU 0 only when the
# active appliance leaves it, as when it is stopped; iochain --lcores
# 0@0,1@1,2@1,3@1, the standby worker with the others on CPU 1):
#   standby: kill -STOP fgt-a; wait until the standby is up; read its
#         svm_returned twice 100 ms apart (it inspects); kill -CONT; wait until
#         the standby is idle again and fgt-a's worker up.
#         takeover = the takeover event - the signal.
# N drills of each kind (default 100; --quick: 3), policies alternating
# failOpen and failClosed; each starts once the worker has been up for 0.2 s
# (a drill that finds it down at the signal, after a false DOWN, is counted
# apart, not measured); the signal's instant is the script's
# ($EPOCHREALTIME, CLOCK_REALTIME in µs, taken just before the `kill`
# builtin), the events are iochain's (CLOCK_REALTIME, µs).
# --watch S: after the drills of phase 1, S seconds of traffic with no drill:
# every `-> down` then is a false DOWN. --nice N: iochain and the active
# appliance run at nice N (default 0; e.g. -10 when others build on the same
# CPUs: their compilers otherwise hold the appliance off its CPU for longer
# than the 10 ms timeout); the standby appliance stays at 19.
# At the end of each phase the appliances are stopped (failClosed, the
# instance down: nothing enters or leaves them any more), the counters read,
# and iochain stopped with SIGINT: its final counters give the ledger.
# Output: build/bench/failover-appliance.{md,json}.

RESTART_AFTER_MS=1000
[ "$QUICK" = 1 ] && DRILLS=$((DRILLS < 3 ? DRILLS : 3))
SB=
MARK="profile $P: fail_open"
TP_APPL=$TOP/scripts/testpmd-appliance.sh
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd is not installed"

# appl_dir NAME: the state directory of appliance NAME (its file prefix: ioc-appl-<dir's name>).
appl_dir() { echo "$D/fo$$$1"; }
appl_pid() { cat "$(appl_dir "$1")/pid"; }
# appl_arms NAME K: the arms' devargs (vdev names K and K+1) for the [svm] section.
appl_arms() {
	local n=$1 k=$2
	case $APPLIANCE in
	memif)
		echo "device_in = net_memif$k,role=server,socket=$D/$n-in.sock"
		echo "device_out = net_memif$((k + 1)),role=server,socket=$D/$n-out.sock"
		;;
	vhost)
		echo "device_in = net_vhost$k,iface=$D/$n-in.sock,queues=1"
		echo "device_out = net_vhost$((k + 1)),iface=$D/$n-out.sock,queues=1"
		;;
	esac
}
# appl_section NAME LCORE K NICE: an [svm] section and the appliance's state directory.
appl_section() {
	local n=$1 dir
	dir=$(appl_dir "$n")
	mkdir -p "$dir"
	rm -f "$dir/hold"
	APPLS+=("$dir")
	printf '\n[svm %s]\ninstance = fortigate-host-10\nlcore = %s\n' "$n" "$2"
	appl_arms "$n" "$3"
	printf 'probe = l2\nprobe_interval_ms = 1\nrestart = nice -n %s %s %s %s %s %s 0@0,1@0\nrestart_after_ms = %s\n' \
		"$4" "$TP_APPL" "$APPLIANCE" "$D/$n-in.sock" "$D/$n-out.sock" "$dir" "$RESTART_AFTER_MS"
}
# appl_launch NAME: what `restart` runs, once, to start it.
appl_launch() {
	sed -n "/^\[svm $1\]/,/^restart = /s/^restart = //p" "$D/lab-$PHASE.ini" | sh
}
# The uplink's tx, or a worker's field.
uplink_tx() { ctl raw /iochain/stats,uplink0 | grep -o '"tx":[0-9]*' | cut -d: -f2; }
svm_field() { ctl raw "/iochain/svm,$1" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }

# ---- the drills (bench-failover's drills() frames each) ---------------------------
# Up for 0.2 s at least (after a false DOWN it comes back by itself).
drill_ready() {
	wait_state up 30 || die "$PHASE: drill $n: the worker is not up"
	sleep 0.2
	pa=$(appl_pid fgt-a)
	t_cont=- w0=- w1=- tw0=- tw1=- r0=- r1=-
}
# Its columns in drills.tsv: the signal's instant, SIGCONT's, and two reads
# 100 ms apart (instant, value) of the uplink's tx or the standby's svm_returned.
drill_done() {
	wait_state up 5 || ok=0
	FIELDS="$t_sig $t_cont $tw0 $w0 $tw1 $w1 $r0 $r1"
}
drill_stop() {
	touch "$(appl_dir fgt-a)/hold"
	t_sig=$EPOCHREALTIME
	kill -STOP "$pa"
	wait_state down 2 || ok=0
	sleep 0.02
	tw0=$EPOCHREALTIME w0=$(uplink_tx)
	sleep 0.1
	tw1=$EPOCHREALTIME w1=$(uplink_tx)
	t_cont=$EPOCHREALTIME
	kill -CONT "$pa"
	wait_state up 5 || ok=0
	rm -f "$(appl_dir fgt-a)/hold"
	drill_done
}
drill_kill() {
	t_sig=$EPOCHREALTIME
	kill -KILL "$pa"
	wait_state down 2 || ok=0
	wait_state up 30 || ok=0
	drill_done
}
drill_standby() {
	touch "$(appl_dir fgt-a)/hold"
	t_sig=$EPOCHREALTIME
	kill -STOP "$pa"
	wait_state up 2 "$SB" || ok=0
	sleep 0.02
	tw0=$EPOCHREALTIME r0=$(svm_field "$SB" svm_returned)
	sleep 0.1
	tw1=$EPOCHREALTIME r1=$(svm_field "$SB" svm_returned)
	t_cont=$EPOCHREALTIME
	kill -CONT "$pa"
	wait_state idle 5 "$SB" || ok=0
	rm -f "$(appl_dir fgt-a)/hold"
	drill_done
}

# ---- one phase ------------------------------------------------------------------
# phase NAME KINDS...: iochain on lab-NAME.ini, its appliances launched, the drills,
# the stop; its files in $D/NAME/.
phase() {
	PHASE=$1
	shift
	local pd=$D/$PHASE pa t_sig t_cont w0 w1 tw0 tw1 r0 r1
	mkdir -p "$pd"
	start_lab "lab-$PHASE.ini"
	appl_launch fgt-a
	[ -n "$SB" ] && appl_launch fgt-b
	wait_state up 30 || die "$PHASE: the appliance's worker is not up"
	sleep 1
	echo "$PHASE: lab up with the $APPLIANCE appliance$([ -n "$SB" ] && echo "s fgt-a and fgt-b (standby)" || echo " fgt-a") (iochain --lcores $LCORES)"
	drills "$pd" "$@"
	ctl profile set "$P" fail_open=false >/dev/null
	if [ "$PHASE" = failure ] && [ "$WATCH" -gt 0 ]; then
		events >"$pd/watch.pre"
		echo "watch: $WATCH s of traffic without a drill"
		sleep "$WATCH"
		events >"$pd/watch.post"
	fi
	# The stop: every appliance stopped and the instance down under failClosed, so
	# nothing enters or leaves them; their counters then hold still until iochain stops.
	events >"$pd/stop.pre"
	for a in fgt-b fgt-a; do
		[ -e "$(appl_dir $a)/pid" ] || continue
		touch "$(appl_dir $a)/hold"
		kill -STOP "$(appl_pid $a)"
	done
	wait_event "instance ${W%.*}: down" 3 "$MARK" || [ "$(svm_state)" = down ] ||
		die "$PHASE: the instance is not down at the stop"
	sleep 0.3
	snap "$pd/stop.snap"
	stop_lab
	# The next phase's iochain uses the same file prefix: a fresh one.
	drop_prefix "$PREFIX"
	mv "$D/iochain.log" "$pd/iochain.log"
	echo "$PHASE: iochain stopped, $(tail -1 "$pd/iochain.log")"
	for a in fgt-b fgt-a; do
		bash "$TP_APPL" stop "$(appl_dir $a)"
	done
}

lab_ini
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$D/load.before"

# Phase 1: the failure path (no standby).
PHASE=failure
{
	cat "$D/lab.ini"
	appl_section fgt-a 2 10 "$NICE"
} >"$D/lab-failure.ini"
LCORES=0@0,1@1,2@1
phase failure stop kill

# Phase 2: a standby appliance.
PHASE=standby
SB=fortigate-host-10.s0
{
	sed '/^\[service_instance fortigate-host-10\]/a standby_lcores = 3' "$D/lab.ini"
	appl_section fgt-a 2 10 "$NICE"
	appl_section fgt-b 3 12 19
} >"$D/lab-standby.ini"
LCORES=0@0,1@1,2@1,3@1
phase standby standby
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$D/load.after"

python3 - "$D" >"$D/meta.json" <<PY || die "no meta"
import json, sys
print(json.dumps({
    "transport": "$APPLIANCE",
    "topology": "config/blog-lab.ini's lab on net_pcap (VM1S1.eth0, infinite_rx, 4096 x 64 B UDP frames, 1024 flows) + net_null (uplink0); the instance's worker drives testpmd --forward-mode=io over $APPLIANCE; heartbeat_timeout_ms 10, probe l2, probe_interval_ms 1, restart_after_ms $RESTART_AFTER_MS",
    "lcores": {"failure": "iochain --lcores 0@0,1@1,2@1: control + watchdog (lcore 0) on CPU 0, forwarding (lcore 1) and the worker (lcore 2) on CPU 1, yielding to each other; appliance fgt-a (testpmd --lcores 0@0,1@0): main and forwarding lcore on CPU 0",
               "standby": "iochain --lcores 0@0,1@1,2@1,3@1: control on CPU 0, forwarding, the worker and the standby worker (lcore 3) on CPU 1; fgt-a and fgt-b (nice 19) both on CPU 0"},
    "drills": $DRILLS, "watch_seconds": $WATCH, "watchdog_rt_priority": $RTPRIO, "nice": $NICE,
    "load_before": open("$D/load.before").read().split(": ")[1].strip(),
    "load_after": open("$D/load.after").read().split(": ")[1].strip(),
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$(git rev-parse --short HEAD 2>/dev/null)"}))
PY
python3 scripts/failover_report.py appliance "$D" "$W" "fortigate-host-10.s0" "$OUT" "$D/meta.json"
rc=$?
[ "$rc" = 0 ] || die "some drills failed or an invariant broke (see $OUT/failover-appliance.json)"
echo "results: $OUT/failover-appliance.md $OUT/failover-appliance.json"
exit 0
