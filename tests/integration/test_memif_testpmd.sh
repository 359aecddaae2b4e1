#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# iochain as the net_memif server of a vNIC and the uplink, testpmd (another DPDK
# process, memif client of both sockets) as the VM and the network: testpmd
# txonly sends from the vNIC's MAC and IP towards the laptop's MAC on its port 0,
# and towards the vNIC's MAC on its port 1. Both ways must cross the chain:
# spoofguard and the firewall pass them, nothing is dropped by a slot, and the
# port ledgers add up once testpmd has stopped.
. "$(dirname "$0")/_init.sh"

TESTPMD=$(command -v dpdk-testpmd)
if [ -z "$TESTPMD" ]; then
	echo "1..0 # SKIP dpdk-testpmd not installed"
	exit 0
fi
lab_ini "net_memif0,role=server,socket=$T/vm1.sock" \
	"net_memif1,role=server,socket=$T/uplink.sock" >"$T/memif.ini"
check "iochain starts as the memif server" start_iochain "$T/memif.ini" --lcores 0@0,1@1

TP_PREFIX=ioc-it-tpmd-$$
"$TESTPMD" --lcores 0@0,1@1 --no-pci --file-prefix "$TP_PREFIX" \
	--vdev "net_memif0,role=client,socket=$T/vm1.sock,mac=02:00:00:00:01:01" \
	--vdev "net_memif1,role=client,socket=$T/uplink.sock,mac=02:00:00:00:00:64" \
	-- --forward-mode=txonly --auto-start --stats-period 1 --nb-cores=1 \
	--tx-ip=10.0.0.11,10.0.0.100 --eth-peer=0,02:00:00:00:00:64 \
	--eth-peer=1,02:00:00:00:01:01 >"$T/testpmd.log" 2>&1 </dev/null &
TP_PID=$!
for _ in $(seq 1 100); do
	[ "$(counter VM1S1.eth0 rx 2>/dev/null)" -gt 100000 ] 2>/dev/null &&
		[ "$(counter uplink0 rx 2>/dev/null)" -gt 100000 ] 2>/dev/null && break
	sleep 0.1
done
stop_pid "$TP_PID" INT
rm -rf "/var/run/dpdk/$TP_PREFIX"
sleep 0.5

check "the vNIC received testpmd's frames" test "$(counter VM1S1.eth0 rx)" -gt 100000
check "and forwarded them to the uplink" test "$(counter VM1S1.eth0 fwd_uplink)" -gt 100000
check "the uplink received testpmd's frames" test "$(counter uplink0 rx)" -gt 100000
check "and forwarded them to the vNIC" test "$(counter uplink0 fwd_vnic)" -gt 100000
check_eq "spoofguard passed them all" 0 "$(counter VM1S1.eth0 swsec_drop_ip)"
check_eq "no slot dropped one (out)" 0 "$(counter VM1S1.eth0 drop_out_chain)"
check_eq "no slot dropped one (in)" 0 "$(counter uplink0 drop_in_chain)"
for p in VM1S1.eth0 uplink0; do
	ctl raw "/iochain/stats,$p" >"$T/$p.json"
	check "$p: rx = forwarded + dropped (testpmd stopped)" python3 - "$T/$p.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["/iochain/stats"]
out = sum(c.get(k, 0) for k in ("fwd_uplink", "fwd_vnic", "drop_runt", "drop_out_chain",
                                 "drop_in_chain", "drop_no_dest", "drop_loop", "drop_fenced"))
came = c["rx"] + c.get("flood_copy", 0) + c.get("reply", 0)
print("rx %d + flood_copy %d + reply %d, accounted %d"
      % (c["rx"], c.get("flood_copy", 0), c.get("reply", 0), out))
sys.exit(0 if came == out else 1)
PY
done
stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
