#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SIGHUP from the first instruction: a supervisor may send it while EAL and
# the ports are still starting. iochain must survive it, start, and reload
# once the control loop runs.
. "$(dirname "$0")/_init.sh"

lab_ini "net_tap_iochup0,iface=iochup0" "net_tap_iochup1,iface=iochup1" >"$T/hup.ini"
"$IOCHAIN" --lcores 0@0,1@1 --file-prefix "$PREFIX" -- -c "$T/hup.ini" >"$T/iochain.log" 2>&1 &
IOC_PID=$!
sleep 0.1 # past exec
alive=1
for _ in $(seq 1 300); do
	kill -HUP "$IOC_PID" 2>/dev/null || { alive=0; break; }
	ctl stats >/dev/null 2>&1 && break
	sleep 0.02
done
check_eq "iochain survives SIGHUPs while it starts" 1 "$alive"
check "and answers telemetry" ctl stats
for _ in $(seq 1 50); do
	grep -q "SIGHUP: reloaded" "$T/iochain.log" && break
	sleep 0.1
done
check "a SIGHUP that came before the control loop reloads once it runs" \
	grep -q "iochain: SIGHUP: reloaded $T/hup.ini" "$T/iochain.log"
stop_iochain INT
check_eq "iochain exits 0 on SIGINT" 0 "$IOC_RC"
finish
