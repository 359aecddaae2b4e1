#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The malformed-traffic corpus (malformed_corpus.py) replayed through net_pcap:
# VM1S1.eth0 sends one pcap to the uplink, the uplink receives the other for
# VM1S1.eth0, [dfw] default allow. Each case has an outcome (README "Malformed
# traffic"): every drop counter must equal the number of cases that name it,
# and the frames out of the other port must be exactly the forwarded cases,
# byte for byte and in order. The jumbo case is a real multi-segment mbuf:
# net_pcap chains a 9000-byte frame over 2 KiB mbufs.
. "$(dirname "$0")/_init.sh"

python3 "$HERE/malformed_corpus.py" "$T" || { echo "Bail out! cannot write the corpus"; exit 1; }
lab_ini "net_pcap0,rx_pcap=$T/vnic.pcap,tx_pcap=$T/vnic_out.pcap" \
	"net_pcap1,rx_pcap=$T/uplink.pcap,tx_pcap=$T/uplink_out.pcap" "vlan = trunk" \
	>"$T/malformed.ini"

exp() { python3 -c "import json,sys; e=json.load(open('$T/expect.json')); print($1)"; }
check "iochain starts on the two pcaps" start_iochain "$T/malformed.ini" --lcores 0@0,1@1
n_vnic=$(exp 'e["vnic"]["frames"]')
n_up=$(exp 'e["uplink"]["frames"]')
for _ in $(seq 1 100); do
	[ "$(counter VM1S1.eth0 rx)" = "$n_vnic" ] && [ "$(counter uplink0 rx)" = "$n_up" ] && break
	sleep 0.1
done
check_eq "VM1S1.eth0 received every case" "$n_vnic" "$(counter VM1S1.eth0 rx)"
check_eq "uplink0 received every case" "$n_up" "$(counter uplink0 rx)"
ctl raw /iochain/stats,VM1S1.eth0 >"$T/vnic.json"
ctl raw /iochain/stats,uplink0 >"$T/uplink.json"

# Each drop counter against the cases that name it (0 for the others).
python3 - "$T" >"$T/drops.out" <<'PY'
import json, sys
d = sys.argv[1]
e = json.load(open(d + "/expect.json"))
v = json.load(open(d + "/vnic.json"))["/iochain/stats"]
u = json.load(open(d + "/uplink.json"))["/iochain/stats"]
want = {
    # port counters: each port counts its own runts
    ("VM1S1.eth0", "drop_runt"): e["vnic"]["drops"].get("drop_runt", 0),
    ("uplink0", "drop_runt"): e["uplink"]["drops"].get("drop_runt", 0),
    # slot counters live on the vNIC's chain: out (from the vNIC) and in (from the uplink)
    ("VM1S1.eth0", "swsec_drop_malformed"): e["vnic"]["drops"].get("swsec_drop_malformed", 0),
    ("VM1S1.eth0", "swsec_drop_ipv6"): e["vnic"]["drops"].get("swsec_drop_ipv6", 0),
    ("VM1S1.eth0", "sfw_drop_malformed"): e["uplink"]["drops"].get("sfw_drop_malformed", 0),
    # both directions run VM1S1.eth0's chain
    ("VM1S1.eth0", "sfw_drop_no_syn"): sum(e[s]["drops"].get("sfw_drop_no_syn", 0)
                                           for s in ("vnic", "uplink")),
}
for k in ("swsec_drop_mac", "swsec_drop_ip", "swsec_drop_arp", "sfw_drop_rule", "sfw_drop_default",
          "sfw_drop_conn_full", "sfw_drop_conn_limit", "sfw_reject"):
    want[("VM1S1.eth0", k)] = 0
for (port, k), n in sorted(want.items()):
    got = (v if port == "VM1S1.eth0" else u).get(k, 0)
    print("%s %s %s:%s" % ("ok" if got == n else "not-ok", port, k, "%d (expected %d)" % (got, n)))
PY
while read -r st what; do
	if [ "$st" = ok ]; then ok "$what"; else not_ok "$what"; fi
done <"$T/drops.out"

stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"

# What left each port: exactly the other side's forwarded cases, in order.
python3 - "$T" >"$T/out.out" <<'PY'
import json, struct, sys
d = sys.argv[1]
e = json.load(open(d + "/expect.json"))

def frames(path):
    b = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(b):
        incl = struct.unpack("<IIII", b[off:off + 16])[2]
        out.append(b[off + 16:off + 16 + incl].hex())
        off += 16 + incl
    return out

for side, other in (("vnic", "uplink"), ("uplink", "vnic")):
    got, want = frames("%s/%s_out.pcap" % (d, other)), e[side]["out"]
    names = [c["case"] for c in e[side]["cases"] if c["outcome"] in ("forwarded", "flooded")]
    good = got == want
    print("%s %d cases from %s forwarded byte for byte out of %s (%s)%s" % (
        "ok" if good else "not-ok", len(want), side, other, "; ".join(names),
        "" if good else ": got %d frames" % len(got)))
PY
while read -r st what; do
	if [ "$st" = ok ]; then ok "$what"; else not_ok "$what"; fi
done <"$T/out.out"
check "final counters: the mbuf pool is back at its start-up usage" \
	grep -Eq "^mbufs in use: ([0-9]+) at start, \1 at stop" "$T/iochain.log"
finish
