#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Soak: the lab topology (config/blog-lab.ini's service sections) on net_pcap
# (VM1S1.eth0 replays a pcap forever: infinite_rx) and net_null (the uplink),
# no kernel interfaces, lcores 0 control, 1 forwarding, 2 the SVM worker on
# CPU 0. Every second one drill, in turn:
#   stall -> resume, crash (auto-recovery), slow 200 -> resume,
#   fail_open=true + stall -> resume -> fail_open=false,
#   reload of a good file (an unrelated dfw rule changed), reload of a bad file.
# Invariants, printed as TAP:
#   - iochain survives every drill and exits 0 on SIGINT;
#   - while fail_open=false, svc_svm_down_bypass never moves (nothing passes
#     slot 4 uninspected): sampled around every drill of that phase;
#   - while fail_open=true, svc_svm_down_drop and svc_drop_ring_full never move
#     (no failOpen packet lost to a failure): sampled around that drill;
#   - the final counters (printed after the lcores stopped, so exact):
#     every slot's in = pass + its reasons; svc_redirect = svm_allow + svm_deny
#     + reclaimed + the in-flight packets freed at stop; and the vNIC's rx is
#     accounted for by the uplink's tx and tx drops, the vNIC's drops and the
#     packets freed at stop. Telemetry counters read while traffic flows are
#     not used for the ledger: with infinite_rx traffic never stops, so only
#     the final snapshot reconciles exactly;
#   - the mbuf pool's in-use count at stop (lcores stopped, in-flight packets
#     freed) equals its count at start (what the started ports hold).
#   scripts/soak.sh [DURATION_SECONDS]   (default 60; root)
#
# --appliance memif|vhost: the worker drives an external SVM (DESIGN.md §9),
# [svm fgt-a]: testpmd --forward-mode=io over net_memif (or net_virtio_user on
# net_vhost), started and restarted by scripts/testpmd-appliance.sh as its
# `restart` command (restart_after_ms 1000); the instance's timeout is 100 ms
# (the appliance shares the 2 CPUs: main lcore CPU 0, forwarding CPU 1).
# Its drills, one a second in turn:
#   stop -> 0.3 s -> continue; kill (`restart` relaunches it);
#   fail_open=true + stop -> continue -> fail_open=false; restart by hand
#   (the restart command run on a healthy appliance: a new process replaces it).
# The same invariants, and: the ledger counts what the worker handed into the
# appliance (svm_sent) and what came out into the chain (svm_rx), read at the
# end while the appliance is stopped and the instance down (they hold still);
# what the appliance kept (svm_sent - svm_returned - svm_unknown - svm_late)
# is not negative; `restart` ran for every kill; no appliance process is left.
#   scripts/soak.sh --appliance memif|vhost [DURATION_SECONDS]
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
# stop_pid, drop_prefix, ctl, counter, wait_answer, svm_state, wait_state; TAP: ok, not_ok, check_eq
. scripts/lib.sh
APPLIANCE=
if [ "${1:-}" = --appliance ]; then
	case ${2:-} in
	memif | vhost) APPLIANCE=$2 ;;
	*) echo "usage: $0 [--appliance memif|vhost] [DURATION_SECONDS]" >&2; exit 2 ;;
	esac
	shift 2
fi
DURATION=${1:-60}
BUILD=${IOC_BUILD:-$TOP/build}
IOCHAIN=$BUILD/app/iochain
CTL=$BUILD/app/iochainctl
PREFIX=ioc-soak-$$
T=$(mktemp -d /tmp/iochain-soak.XXXXXX)
W=fortigate-host-10.0
P=fortigate-secure
V=VM1S1.eth0
IOC_PID=
APPL=$T/sk$$ # the appliance's state directory (scripts/testpmd-appliance.sh)
cleanup() {
	stop_pid "$IOC_PID" KILL
	[ -z "$APPLIANCE" ] || bash "$TOP/scripts/testpmd-appliance.sh" stop "$APPL"
	rm -rf "$T"
	drop_prefix "$PREFIX"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP soak needs root (hugepages)"
	exit 0
fi
if [ ! -x "$IOCHAIN" ] || [ ! -x "$CTL" ]; then
	echo "Bail out! no build at $BUILD"
	exit 1
fi

# stats PORT: the port's telemetry counters as "name value" lines.
stats() {
	ctl raw "/iochain/stats,$1" |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["/iochain/stats"]
for k, v in d.items():
    print(k, v)'
}

# 4096 frames from VM1S1 (10.0.0.11): UDP to the laptop over 256 flows, every
# 64th with a spoofed source (spoofguard drops it).
python3 - "$T/vm1s1.pcap" <<'EOF'
import struct, sys
def mac(s): return bytes(int(x, 16) for x in s.split(":"))
def ip(s): return bytes(int(x) for x in s.split("."))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
frames = []
for i in range(4096):
    src = "10.0.0.99" if i % 64 == 63 else "10.0.0.11"
    udp = struct.pack("!HHHH", 10000 + i % 256, 53, 26, 0) + b"\0" * 18
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                    ip(src), ip("10.0.0.100"))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    frames.append(mac("02:00:00:00:00:64") + mac("02:00:00:00:01:01") + b"\x08\x00" + h + udp)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)) + fr)
EOF

# The topology: blog-lab's service sections, a dfw whose one rule the good
# reload toggles (port 7001 <-> 7002: no soak traffic uses either).
write_ini() {
	sed -e '/^\[uplink uplink0\]/,/^$/s|^device = .*|device = net_null0,no-rx=1|' \
		-e "/^\[vnic VM1S1.eth0\]/,/^\$/s|^device = .*|device = net_pcap0,rx_pcap=$T/vm1s1.pcap,infinite_rx=1|" \
		"$TOP/config/blog-lab.ini" >"$T/soak.ini.tmp"
	printf '\n[dfw]\ndefault_action = allow\nstateful = true\n\n[dfw_rule soak-unrelated]\npriority = 100\nservice = tcp/%s\naction = drop\n' \
		"$1" >>"$T/soak.ini.tmp"
	if [ -n "$APPLIANCE" ]; then
		# Before the append below: sed -i replaces the file, an open append would write
		# into the old one.
		sed -i 's/^heartbeat_timeout_ms = 10$/heartbeat_timeout_ms = 100/' "$T/soak.ini.tmp"
		appliance_section >>"$T/soak.ini.tmp"
	fi
	mv "$T/soak.ini.tmp" "$T/soak.ini"
}
# The [svm] section of --appliance, and its `restart` command.
APPL_CMD="$TOP/scripts/testpmd-appliance.sh $APPLIANCE $T/in.sock $T/out.sock $APPL 0@0,1@1"
appliance_section() {
	printf '\n[svm fgt-a]\ninstance = fortigate-host-10\nlcore = 2\n'
	case $APPLIANCE in
	memif) printf 'device_in = net_memif10,role=server,socket=%s\ndevice_out = net_memif11,role=server,socket=%s\n' \
		"$T/in.sock" "$T/out.sock" ;;
	vhost) printf 'device_in = net_vhost10,iface=%s,queues=1\ndevice_out = net_vhost11,iface=%s,queues=1\n' \
		"$T/in.sock" "$T/out.sock" ;;
	esac
	printf 'probe = l2\nprobe_interval_ms = 1\nrestart = %s\nrestart_after_ms = 1000\n' "$APPL_CMD"
}
if [ -n "$APPLIANCE" ]; then
	command -v dpdk-testpmd >/dev/null || { echo "1..0 # SKIP dpdk-testpmd not installed"; exit 0; }
	mkdir -p "$APPL"
fi
write_ini 7001

"$IOCHAIN" --lcores 0@0,1@1,2@0 --file-prefix "$PREFIX" -- -c "$T/soak.ini" \
	>"$T/iochain.log" 2>&1 &
IOC_PID=$!
if ! wait_answer "$IOC_PID" 20; then
	not_ok "iochain starts"
	sed 's/^/#   /' "$T/iochain.log" | tail -20
	echo "1..$_n"
	exit 1
fi
ok "iochain starts on net_pcap + net_null"

alive() { kill -0 "$IOC_PID" 2>/dev/null; }
bypass() { counter $V svc_svm_down_bypass; }
open_losses() {
	local s
	s=$(stats $V)
	echo $(($(echo "$s" | awk '$1 == "svc_svm_down_drop" { print $2 }') +
		$(echo "$s" | awk '$1 == "svc_drop_ring_full" { print $2 }')))
}

# fenced: what the worker held when the watchdog fenced it (freed, not returned).
fenced() { ctl raw "/iochain/svm,$W" | python3 -c 'import json,sys; print(json.load(sys.stdin)["/iochain/svm"]["fenced_drop"])'; }
open_fenced=0
closed_bad=0 closed_n=0 open_bad=0 open_n=0 drill_err=0 good_reload=0 bad_reload=0 kills=0
declare -A done_drills

# closed_drill NAME FN: drill FN under failClosed: svc_svm_down_bypass must not move.
closed_drill() {
	local b0 b1
	b0=$(bypass)
	"$2"
	sleep 0.1
	b1=$(bypass)
	closed_n=$((closed_n + 1))
	if [ "$b0" != "$b1" ]; then
		closed_bad=$((closed_bad + 1))
		echo "# failClosed drill $1: svc_svm_down_bypass moved $b0 -> $b1"
	fi
}
# open_drill FN: first the whole failClosed stretch since the last flip back (not only
# the drills), then drill FN under failOpen: svc_svm_down_drop and svc_drop_ring_full
# must not move; then back to failClosed.
open_drill() {
	local b l0 l1 f0 f1
	b=$(bypass)
	if [ -n "$closed_since" ] && [ "$b" != "$closed_since" ]; then
		closed_bad=$((closed_bad + 1))
		echo "# failClosed stretch: svc_svm_down_bypass moved $closed_since -> $b"
	fi
	ctl profile set $P fail_open=true >/dev/null || drill_err=$((drill_err + 1))
	l0=$(open_losses)
	f0=$(fenced)
	"$1"
	l1=$(open_losses)
	f1=$(fenced)
	open_fenced=$((open_fenced + f1 - f0))
	ctl profile set $P fail_open=false >/dev/null || drill_err=$((drill_err + 1))
	closed_since=$(bypass)
	open_n=$((open_n + 1))
	if [ "$l0" != "$l1" ]; then
		open_bad=$((open_bad + 1))
		echo "# failOpen drill: svm_down_drop + drop_ring_full moved $l0 -> $l1"
	fi
}

# The built-in worker's drills.
stall_resume() {
	ctl svm stall $W >/dev/null && sleep 0.3 && ctl svm resume $W >/dev/null ||
		drill_err=$((drill_err + 1))
}
drill_1() {
	ctl svm crash $W >/dev/null || drill_err=$((drill_err + 1))
	sleep 0.3
}
drill_2() {
	ctl svm slow 200 $W >/dev/null && sleep 0.3 && ctl svm resume $W >/dev/null ||
		drill_err=$((drill_err + 1))
}
drill_3() {
	stall_resume
	ctl svm crash $W >/dev/null && sleep 0.2 || drill_err=$((drill_err + 1))
}
drill_4() {
	write_ini $((7002 - (i / 6) % 2))
	if ctl reload >"$T/reload.out" 2>&1; then
		good_reload=$((good_reload + 1))
	else
		drill_err=$((drill_err + 1))
		sed 's/^/#   good reload: /' "$T/reload.out"
	fi
}
drill_5() {
	cp "$T/soak.ini" "$T/soak.good"
	printf '\n[dfw_rule broken]\npriority = x\n' >>"$T/soak.ini"
	if ctl reload >"$T/reload.out" 2>&1; then
		drill_err=$((drill_err + 1))
		echo "# bad reload accepted"
	else
		bad_reload=$((bad_reload + 1))
	fi
	mv "$T/soak.good" "$T/soak.ini"
}

# The appliance's drills (--appliance).
stop_continue() {
	local pa
	pa=$(cat "$APPL/pid")
	touch "$APPL/hold" # `restart` leaves a stopped appliance alone meanwhile
	kill -STOP "$pa" && sleep 0.3 && kill -CONT "$pa" || drill_err=$((drill_err + 1))
	rm -f "$APPL/hold"
}
appl_kill() {
	local pa end
	pa=$(cat "$APPL/pid")
	kill -KILL "$pa" || drill_err=$((drill_err + 1))
	kills=$((kills + 1))
	# `restart` relaunches it after restart_after_ms, and its EAL takes seconds on a loaded
	# machine: the next drill stops or kills the new one, so it waits for it to serve.
	end=$(($(date +%s) + 30))
	while [ "$(cat "$APPL/pid")" = "$pa" ] || [ "$(svm_state)" != up ]; do
		if [ "$(date +%s)" -gt "$end" ]; then
			drill_err=$((drill_err + 1))
			echo "# kill: the appliance was not relaunched and serving within 30 s; events:"
			ctl events 2>&1 | tail -8 | sed 's/^/#   /'
			break
		fi
		sleep 0.1
	done
}
appl_restart() {
	IOC_APPLIANCE_FORCE=1 bash $APPL_CMD || drill_err=$((drill_err + 1))
	sleep 0.3
}
open_stop_continue() {
	stop_continue
	sleep 0.2
}

KINDS=6
if [ -n "$APPLIANCE" ]; then
	KINDS=4
	bash $APPL_CMD
	if wait_state up 30; then ok "the $APPLIANCE appliance is up"; else not_ok "the $APPLIANCE appliance is up"; fi
	check_eq "the worker drives appliance fgt-a" fgt-a "$(ctl raw "/iochain/svm,$W" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["/iochain/svm"].get("appliance"))' 2>&1)"
fi
closed_since=$(bypass)
start=$(date +%s)
i=0
while [ $(($(date +%s) - start)) -lt "$DURATION" ]; do
	t0=$(date +%s.%N)
	alive || break
	d=$((i % KINDS))
	if [ -n "$APPLIANCE" ]; then
		case $d in
		0) closed_drill "stop/continue" stop_continue ;;
		1) closed_drill kill appl_kill ;;
		2) open_drill open_stop_continue ;;
		3) closed_drill restart appl_restart ;;
		esac
	else
		case $d in
		0) closed_drill "$d" stall_resume ;;
		3) open_drill drill_3 ;;
		*) closed_drill "$d" "drill_$d" ;;
		esac
	fi
	done_drills[$d]=1
	i=$((i + 1))
	# One drill a second.
	rest=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { r = 1 - (t1 - t0); print (r > 0 ? r : 0) }')
	sleep "$rest"
done

if alive; then ok "iochain alive after $i drills in ${DURATION} s"; else not_ok "iochain died during drill $i"; fi
check_eq "every kind of drill ran" "$KINDS" "${#done_drills[@]}"
check_eq "drill commands succeeded (good reloads $good_reload, bad reloads refused $bad_reload)" 0 "$drill_err"
b=$(bypass)
if [ "$b" != "$closed_since" ]; then
	closed_bad=$((closed_bad + 1))
	echo "# failClosed stretch: svc_svm_down_bypass moved $closed_since -> $b"
fi
check_eq "failClosed: svc_svm_down_bypass still across $closed_n drills and between them" 0 "$closed_bad"
check_eq "failOpen: svc_svm_down_drop + svc_drop_ring_full still across $open_n drills" 0 "$open_bad"
[ -z "$APPLIANCE" ] || wait_state up 20
check_eq "the service worker serves again" up "$(ctl raw /iochain/svm,$W |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["/iochain/svm"]["state"])' 2>&1)"

svm_sent=0 svm_rx=0
if [ -n "$APPLIANCE" ]; then
	# The appliance stopped, the instance down under failClosed: nothing enters or leaves it
	# any more, so what the ports handed in and took back holds still until the stop.
	touch "$APPL/hold"
	kill -STOP "$(cat "$APPL/pid")"
	for _ in $(seq 1 50); do
		[ "$(svm_state)" = down ] && break
		sleep 0.1
	done
	check_eq "the stopped appliance is down" down "$(svm_state)"
	sleep 0.3
	svm_sent=$(counter $V svm_sent)
	svm_rx=$(counter $V svm_rx)
	ctl raw "/iochain/svm,$W" | python3 -c 'import json,sys
d = json.load(sys.stdin)["/iochain/svm"]
kept = d["svm_sent"] - d["svm_returned"] - d["svm_unknown"] - d["svm_late"]
print("# appliance: svm_sent %d, svm_returned %d, svm_unknown %d, svm_late %d, kept %d, svm_lost %d, restarts %d"
      % (d["svm_sent"], d["svm_returned"], d["svm_unknown"], d["svm_late"], kept, d["svm_lost"], d["restarts"]))
print("kept %d" % kept)
print("restarts %d" % d["restarts"])' >"$T/appl.out"
	grep '^#' "$T/appl.out"
	kept=$(awk '$1 == "kept" { print $2 }' "$T/appl.out")
	restarts=$(awk '$1 == "restarts" { print $2 }' "$T/appl.out")
	if [ "${kept:--1}" -ge 0 ]; then ok "what the appliance kept is not negative ($kept)"; else not_ok "what the appliance kept is not negative ($kept)"; fi
	if [ "${restarts:-0}" -ge "$kills" ]; then ok "restart ran for every kill ($restarts restarts, $kills kills)"; else not_ok "restart ran for every kill ($restarts restarts, $kills kills)"; fi
fi
fenced_total=$(fenced)
# Once the port counters have drop_fenced, the final "drops" column includes it.
port_has_fenced=0
stats $V | grep -q '^drop_fenced ' && port_has_fenced=1
echo "# worker $W: fenced_drop $fenced_total in all, $open_fenced of them while fail_open=true"
stop_pid "$IOC_PID"
rc=$?
IOC_PID=
check_eq "SIGINT: exit status 0" 0 "$rc"

# The final counters: after the lcores stopped.
if [ -n "$APPLIANCE" ]; then
	pids=$(cat "$APPL/pids")
	bash "$TOP/scripts/testpmd-appliance.sh" stop "$APPL"
	left=0
	for p in $pids; do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q "ioc-appl-${APPL##*/} " && left=$((left + 1))
	done
	check_eq "no appliance process left ($(echo $pids | wc -w) started)" 0 "$left"
fi

python3 - "$T/iochain.log" "$fenced_total" "$port_has_fenced" "$svm_sent" "$svm_rx" >"$T/final.out" <<'EOF'
import re, sys
log = open(sys.argv[1]).read()
fenced = int(sys.argv[2])
port_has_fenced = sys.argv[3] == "1"
# What the vNIC's held packets handed into an appliance, and what came out into its chain.
svm_sent, svm_rx = int(sys.argv[4]), int(sys.argv[5])
m = re.search(r"freed (\d+) packets in flight", log)
freed = int(m.group(1)) if m else 0
i = log.rfind("final counters")
out = []
def tap(good, what):
    out.append(("ok" if good else "not ok", what))
if i < 0:
    tap(False, "final counters printed")
else:
    tail = log[i:]
    ports = {}
    for line in tail.splitlines()[2:]:
        f = line.split()
        if len(f) == 7 and f[1] in ("vnic", "uplink"):
            ports[f[0]] = dict(rx=int(f[2]), tx=int(f[3]), drops=int(f[4]))
    slots = {}
    for mm in re.finditer(r"^  (\S+): (\w+) = (\d+)$", tail, re.M):
        slots.setdefault(mm.group(1), {})[mm.group(2)] = int(mm.group(3))
    print("# final: freed in flight at stop: %d" % freed)
    for p, c in ports.items():
        print("# final: %s rx %d tx %d drops %d" % (p, c["rx"], c["tx"], c["drops"]))
    s = slots.get("VM1S1.eth0", {})
    print("# final: " + " ".join("%s=%d" % kv for kv in sorted(s.items())))
    g = lambda k: s.get(k, 0)
    reasons = {
        "swsec": ["drop_mac", "drop_ip", "drop_arp", "drop_ipv6", "drop_malformed"],
        "sfw": ["drop_rule", "drop_default", "reject", "drop_conn_full", "drop_malformed",
                "drop_no_syn", "drop_conn_limit"],
        "svc": ["redirect", "drop_ring_full", "svm_down_drop"],
    }
    for sl, rs in reasons.items():
        tot = g(sl + "_pass") + sum(g(sl + "_" + r) for r in rs)
        tap(g(sl + "_in") == tot, "slot %s: in %d = pass + reasons %d" % (sl, g(sl + "_in"), tot))
    back = g("svc_svm_allow") + g("svc_svm_deny") + g("svc_reclaimed") + freed + fenced + svm_sent
    tap(g("svc_redirect") == back,
        "svc_redirect %d = svm_allow + svm_deny + reclaimed + freed at stop + fenced_drop%s %d"
        % (g("svc_redirect"), " + svm_sent (handed into the appliance)" if svm_sent else "", back))
    v, u = ports.get("VM1S1.eth0"), ports.get("uplink0")
    if v is None or u is None:
        tap(False, "final port lines for VM1S1.eth0 and uplink0")
    else:
        acc = u["tx"] + u["drops"] + v["drops"] + freed + (0 if port_has_fenced else fenced) + svm_sent
        tap(v["rx"] + svm_rx == acc,
            "VM1S1.eth0 rx + svm_rx %d = uplink tx + tx drops + vNIC drops + freed + fenced_drop%s + svm_sent %d"
            % (v["rx"] + svm_rx, " (in drops)" if port_has_fenced else "", acc))
        tap(v["rx"] > 0 and u["tx"] > 0, "traffic flowed (rx %d, uplink tx %d)" % (v["rx"], u["tx"]))
    tap(g("swsec_drop_ip") > 0, "spoofed frames dropped by spoofguard (%d)" % g("swsec_drop_ip"))
    mm = re.search(r"^mbufs in use: (\d+) at start, (\d+) at stop", tail, re.M)
    if mm is None:
        tap(False, "final mbuf pool usage printed")
    else:
        tap(mm.group(1) == mm.group(2),
            "mbuf pool: %s in use at stop = %s at start (nothing leaked)" % (mm.group(2), mm.group(1)))
for st, what in out:
    print("%s - %s" % (st, what))
EOF
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/final.out"
grep -E "freed .* in flight" "$T/iochain.log" | sed 's/^/# /'
echo "1..$_n"
[ "$_fails" -eq 0 ]
