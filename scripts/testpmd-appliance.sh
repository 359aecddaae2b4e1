#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A transparent appliance for an [svm] section (DESIGN.md §9): dpdk-testpmd
# --forward-mode=io between two ports (port 0 <-> port 1), the client of
# iochain's two arms. Fit to be the section's `restart` command: it ends the
# previous one (a hung one too, SIGKILL), starts a new one in the background,
# records its pid and returns at once.
#
#   scripts/testpmd-appliance.sh memif|vhost IN_SOCKET OUT_SOCKET DIR [LCORES]
#   scripts/testpmd-appliance.sh stop DIR     (ends every one started from DIR)
#
# memif: two net_memif clients of iochain's net_memif servers; vhost: two
# net_virtio_user ports on iochain's net_vhost server sockets (the vhost-user
# protocol QEMU speaks for a VM; --single-file-segments, which virtio_user
# needs to share its memory). LCORES: testpmd's --lcores (default 0@0,1@0:
# main and forwarding lcore on CPU 0).
# DIR keeps its state: pid, pids (every one it started), lock, testpmd.log
# (appended), and `hold`: while it
# exists the command does nothing (a drill that stops the appliance for longer
# than restart_after_ms ends the drill itself). The DPDK file prefix is
# ioc-appl-<DIR's name>; remove /var/run/dpdk/ioc-appl-<name> when done.
set -u
. "$(dirname "$0")/lib.sh" # drop_prefix
usage() {
	echo "usage: $0 memif|vhost IN_SOCKET OUT_SOCKET DIR [LCORES] | stop DIR" >&2
	exit 2
}
# ours PID: PID is a testpmd of this DIR (a pid recorded long ago may be another process now).
ours() {
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q -- "--file-prefix $prefix "
}
# pstate PID: its state letter (R, S, T: stopped, Z: exited...), nothing once it is reaped.
pstate() {
	{ sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1; } 2>/dev/null
}
# end PID: SIGKILL (a stopped one too), and wait until it has exited (its file lock, and so
# its file prefix, is free only then).
end() {
	ours "$1" || return 0
	kill -KILL "$1" 2>/dev/null
	for _ in $(seq 1 500); do
		case $(pstate "$1") in '' | Z | X) break ;; esac
		sleep 0.01
	done
}
if [ "${1:-}" = stop ]; then
	[ $# -eq 2 ] || usage
	prefix=ioc-appl-$(basename "$2")
	# Under the start's lock: a start under way (a `restart` iochain ran) ends first.
	if [ -d "$2" ]; then
		exec 9>"$2/lock"
		flock 9
	fi
	for p in $(cat "$2/pids" 2>/dev/null); do
		end "$p"
	done
	rm -f "$2/pid" "$2/pids"
	drop_prefix "$prefix"
	exit 0
fi
[ $# -ge 4 ] && [ $# -le 5 ] || usage
kind=$1 in=$2 out=$3 dir=$4 lcores=${5:-0@0,1@0}
[ -e "$dir/hold" ] && exit 0
prefix=ioc-appl-$(basename "$dir")
# One at a time (iochain's `restart` and a script's own start may cross).
exec 9>"$dir/lock"
flock 9
# One started less than 3 s ago and not stopped is still starting up (its EAL takes
# seconds on a loaded machine): left alone, unless IOC_APPLIANCE_FORCE=1.
if [ -s "$dir/pid" ] && [ "${IOC_APPLIANCE_FORCE:-0}" != 1 ] &&
	[ $(($(date +%s) - $(stat -c %Y "$dir/pid"))) -lt 3 ]; then
	case $(pstate "$(cat "$dir/pid")") in '' | Z | X | T | t) ;; *) exit 0 ;; esac
fi
case $kind in
memif) dev=(--vdev "net_memif0,role=client,socket=$in" --vdev "net_memif1,role=client,socket=$out") ;;
vhost) dev=(--single-file-segments --vdev "net_virtio_user0,path=$in,queues=1"
	--vdev "net_virtio_user1,path=$out,queues=1") ;;
*) echo "$0: transport $kind: memif or vhost" >&2; exit 2 ;;
esac
[ -s "$dir/pid" ] && end "$(cat "$dir/pid")"
# Not holding the lock (9>&-): it outlives this command, and the next one
# (a restart of one that still runs, or a stop) would wait for it forever.
dpdk-testpmd --lcores "$lcores" --no-pci -m 64 --file-prefix "$prefix" "${dev[@]}" \
	-- --forward-mode=io --auto-start --nb-cores=1 --stats-period 1 \
	--total-num-mbufs=4096 >>"$dir/testpmd.log" 2>&1 </dev/null 9>&- &
echo $! >"$dir/pid"
echo $! >>"$dir/pids"
