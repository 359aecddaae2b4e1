#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The pcap demo, the topology iochain runs without -c: two vNICs replay pcaps
# (net_pcap infinite_rx) into a net_null uplink; counters print every second,
# spoofed frames in the pcaps are dropped, SIGINT stops it cleanly.
. "$(dirname "$0")/_init.sh"

check "gen-pcap.py writes the demo pcaps" python3 "$TOP/scripts/gen-pcap.py" --dir /run/iochain
"$IOCHAIN" -l 0-1 --file-prefix "$PREFIX" >"$T/iochain.log" 2>&1 &
IOC_PID=$!
for _ in $(seq 1 100); do
	ctl stats >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 2.5
check "VM1S1.eth0 received traffic" test "$(counter VM1S1.eth0 rx)" -gt 10000
check "VM1S1.eth0 forwarded to the uplink" test "$(counter VM1S1.eth0 fwd_uplink)" -gt 0
check "VM1S1.eth0 forwarded to VM2S1.eth0 on the host" test "$(counter VM1S1.eth0 fwd_vnic)" -gt 0
check "the uplink transmitted" test "$(counter uplink0 tx)" -gt 0
check "spoofed frames dropped by spoofguard" test "$(counter VM2S1.eth0 swsec_drop_ip)" -gt 0
stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
check "counters printed every second" test "$(grep -c '^VM1S1.eth0' "$T/iochain.log")" -ge 3
check "final counters printed" grep -q "final counters" "$T/iochain.log"
finish
