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
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
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
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $*"
}
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
cleanup() {
	[ -n "$IOC_PID" ] && kill -KILL "$IOC_PID" 2>/dev/null
	rm -rf "$T" "/var/run/dpdk/$PREFIX"
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

ctl() { "$CTL" --file-prefix "$PREFIX" "$@"; }
# stats PORT: the port's telemetry counters as "name value" lines.
stats() {
	ctl raw "/iochain/stats,$1" |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["/iochain/stats"]
for k, v in d.items():
    print(k, v)'
}
counter() { stats "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

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
	mv "$T/soak.ini.tmp" "$T/soak.ini"
}
write_ini 7001

"$IOCHAIN" --lcores 0@0,1@1,2@0 --file-prefix "$PREFIX" -- -c "$T/soak.ini" \
	>"$T/iochain.log" 2>&1 &
IOC_PID=$!
up=0
for _ in $(seq 1 200); do
	kill -0 "$IOC_PID" 2>/dev/null || break
	ctl stats >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
if [ $up -ne 1 ]; then
	not_ok "iochain starts"
	sed 's/^/#   /' "$T/iochain.log" | tail -20
	echo "1..$n"
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
closed_since=$(bypass)
closed_bad=0 closed_n=0 open_bad=0 open_n=0 drill_err=0 good_reload=0 bad_reload=0
declare -A done_drills
start=$(date +%s)
i=0
while [ $(($(date +%s) - start)) -lt "$DURATION" ]; do
	t0=$(date +%s.%N)
	alive || break
	d=$((i % 6))
	case $d in
	0 | 1 | 2 | 4 | 5)
		b0=$(bypass)
		case $d in
		0) ctl svm stall $W >/dev/null && sleep 0.3 && ctl svm resume $W >/dev/null ||
			drill_err=$((drill_err + 1)) ;;
		1) ctl svm crash $W >/dev/null || drill_err=$((drill_err + 1))
		   sleep 0.3 ;;
		2) ctl svm slow 200 $W >/dev/null && sleep 0.3 && ctl svm resume $W >/dev/null ||
			drill_err=$((drill_err + 1)) ;;
		4) write_ini $((7002 - (i / 6) % 2))
		   if ctl reload >"$T/reload.out" 2>&1; then
			   good_reload=$((good_reload + 1))
		   else
			   drill_err=$((drill_err + 1))
			   sed 's/^/#   good reload: /' "$T/reload.out"
		   fi ;;
		5) cp "$T/soak.ini" "$T/soak.good"
		   printf '\n[dfw_rule broken]\npriority = x\n' >>"$T/soak.ini"
		   if ctl reload >"$T/reload.out" 2>&1; then
			   drill_err=$((drill_err + 1))
			   echo "# bad reload accepted"
		   else
			   bad_reload=$((bad_reload + 1))
		   fi
		   mv "$T/soak.good" "$T/soak.ini" ;;
		esac
		sleep 0.1
		b1=$(bypass)
		closed_n=$((closed_n + 1))
		if [ "$b0" != "$b1" ]; then
			closed_bad=$((closed_bad + 1))
			echo "# failClosed drill $d: svc_svm_down_bypass moved $b0 -> $b1"
		fi
		;;
	3)
		# The whole failClosed stretch since the last flip back, not only the drills.
		b=$(bypass)
		if [ -n "$closed_since" ] && [ "$b" != "$closed_since" ]; then
			closed_bad=$((closed_bad + 1))
			echo "# failClosed stretch: svc_svm_down_bypass moved $closed_since -> $b"
		fi
		ctl profile set $P fail_open=true >/dev/null || drill_err=$((drill_err + 1))
		l0=$(open_losses)
		f0=$(fenced)
		ctl svm stall $W >/dev/null && sleep 0.3 && ctl svm resume $W >/dev/null ||
			drill_err=$((drill_err + 1))
		ctl svm crash $W >/dev/null && sleep 0.2 || drill_err=$((drill_err + 1))
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
		;;
	esac
	done_drills[$d]=1
	i=$((i + 1))
	# One drill a second.
	rest=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN { r = 1 - (t1 - t0); print (r > 0 ? r : 0) }')
	sleep "$rest"
done

if alive; then ok "iochain alive after $i drills in ${DURATION} s"; else not_ok "iochain died during drill $i"; fi
check "every kind of drill ran" 6 "${#done_drills[@]}"
check "drill commands succeeded (good reloads $good_reload, bad reloads refused $bad_reload)" 0 "$drill_err"
b=$(bypass)
if [ "$b" != "$closed_since" ]; then
	closed_bad=$((closed_bad + 1))
	echo "# failClosed stretch: svc_svm_down_bypass moved $closed_since -> $b"
fi
check "failClosed: svc_svm_down_bypass still across $closed_n drills and between them" 0 "$closed_bad"
check "failOpen: svc_svm_down_drop + svc_drop_ring_full still across $open_n drills" 0 "$open_bad"
check "the service worker serves again" up "$(ctl raw /iochain/svm,$W |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["/iochain/svm"]["state"])' 2>&1)"

fenced_total=$(fenced)
# Once the port counters have drop_fenced, the final "drops" column includes it.
port_has_fenced=0
[ -n "$(counter $V drop_fenced)" ] && port_has_fenced=1
echo "# worker $W: fenced_drop $fenced_total in all, $open_fenced of them while fail_open=true"
kill -INT "$IOC_PID"
for _ in $(seq 1 100); do
	alive || break
	sleep 0.1
done
alive && kill -KILL "$IOC_PID"
wait "$IOC_PID"
rc=$?
IOC_PID=
check "SIGINT: exit status 0" 0 "$rc"

# The final counters: after the lcores stopped.
python3 - "$T/iochain.log" "$fenced_total" "$port_has_fenced" >"$T/final.out" <<'EOF'
import re, sys
log = open(sys.argv[1]).read()
fenced = int(sys.argv[2])
port_has_fenced = sys.argv[3] == "1"
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
    back = g("svc_svm_allow") + g("svc_svm_deny") + g("svc_reclaimed") + freed + fenced
    tap(g("svc_redirect") == back,
        "svc_redirect %d = svm_allow + svm_deny + reclaimed + freed at stop + fenced_drop %d"
        % (g("svc_redirect"), back))
    v, u = ports.get("VM1S1.eth0"), ports.get("uplink0")
    if v is None or u is None:
        tap(False, "final port lines for VM1S1.eth0 and uplink0")
    else:
        acc = u["tx"] + u["drops"] + v["drops"] + freed + (0 if port_has_fenced else fenced)
        tap(v["rx"] == acc,
            "VM1S1.eth0 rx %d = uplink tx + tx drops + vNIC drops + freed + fenced_drop %d%s"
            % (v["rx"], acc, " (in drops)" if port_has_fenced else ""))
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
echo "1..$n"
[ "$fails" -eq 0 ]
