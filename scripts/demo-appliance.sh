#!/usr/bin/env bash
# The reference lab of scripts/demo.sh with a real appliance in slot 4
# (DESIGN.md §9) instead of the built-in Fortigate worker:
#   nft    a kernel firewall: iochain's two net_tap arms in a namespace (fw),
#          joined by a Linux bridge under an nftables `bridge` policy;
#   memif  dpdk-testpmd --forward-mode=io over two net_memif arms;
#   vhost  the same testpmd over vhost-user (net_vhost arms, net_virtio_user
#          in testpmd: what a VM's virtio NIC speaks).
# Pings both ways through the appliance, then the failure: the bridge set
# down (nft) or the appliance hung with SIGSTOP (testpmd); iochain detects it
# from its probes, the failClosed profile stops traffic both ways, and the
# recovery: the bridge set up again (nft), or `restart` ends the hung testpmd
# and launches a new one (memif, vhost). The events timeline at the end.
# Everything it starts (iochain, testpmd, namespaces, sockets) is removed on
# exit.
#
#   sudo bash scripts/demo-appliance.sh [nft|memif|vhost]     (default nft)
set -u
cd "$(dirname "$0")/.."
KIND=${1:-nft}
case $KIND in
nft | memif | vhost) ;;
*)
	echo "usage: $0 [nft|memif|vhost]" >&2
	exit 2
	;;
esac
if [ "$KIND" != nft ] && ! command -v dpdk-testpmd >/dev/null; then
	echo "demo-appliance: dpdk-testpmd not found (Debian package dpdk)" >&2
	exit 1
fi

bash scripts/setup.sh || exit 1
bash scripts/build.sh || exit 1

PREFIX=iochain-demo-appliance
TP_PREFIX=iochain-demo-testpmd
VM=ioc-demo-vm
LAPTOP=ioc-demo-laptop
FW=ioc-demo-fw
W=fortigate-host-10.0
RUN=$(mktemp -d /tmp/iochain-demo-appliance.XXXXXX)
LOG=$RUN/iochain.log
CTL=(build/app/iochainctl --file-prefix $PREFIX)
PID=

# ctl, wait_answer and wait_state run "$CTL", the first word of CTL (the binary), with --file-prefix $PREFIX.
. scripts/lib.sh # stop_pid, drop_prefix, wait_answer, wait_state
cleanup() {
	stop_pid "$PID"
	[ -s "$RUN/testpmd.pid" ] && kill -KILL "$(cat "$RUN/testpmd.pid")" 2>/dev/null
	local ns
	for ns in $VM $LAPTOP $FW; do
		ip netns del $ns 2>/dev/null
	done
	rm -rf "$RUN"
	drop_prefix "$PREFIX" "$TP_PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	echo "\$ $*"
	"$@"
}
pings() {
	run ip netns exec $VM ping -c 3 -i 0.2 -W 1 10.0.0.100
	run ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 1 10.0.0.11
}

# The appliance's arms, and for testpmd its start and `restart` command:
# it ends the previous one (a hung one too) and starts a new one (with
# --stats-period: without it, testpmd reads stdin and exits at its end).
case $KIND in
nft)
	ARMS="device_in = net_tap2,iface=fwin
device_out = net_tap3,iface=fwout"
	;;
memif | vhost)
	if [ "$KIND" = memif ]; then
		ARMS="device_in = net_memif10,role=server,socket=$RUN/in.sock
device_out = net_memif11,role=server,socket=$RUN/out.sock"
		TP_VDEVS="--vdev net_memif0,role=client,socket=$RUN/in.sock --vdev net_memif1,role=client,socket=$RUN/out.sock"
	else
		ARMS="device_in = net_vhost10,iface=$RUN/in.sock,queues=1
device_out = net_vhost11,iface=$RUN/out.sock,queues=1"
		TP_VDEVS="--single-file-segments --vdev net_virtio_user0,path=$RUN/in.sock,queues=1 --vdev net_virtio_user1,path=$RUN/out.sock,queues=1"
	fi
	cat >"$RUN/appliance.sh" <<EOF
#!/bin/bash
[ -s "$RUN/testpmd.pid" ] && kill -KILL "\$(cat "$RUN/testpmd.pid")" 2>/dev/null
dpdk-testpmd --lcores 0@0,1@0 --no-pci -m 64 --file-prefix $TP_PREFIX $TP_VDEVS \\
	-- --forward-mode=io --auto-start --nb-cores=1 --total-num-mbufs=4096 --stats-period 1 \\
	>>"$RUN/testpmd.log" 2>&1 </dev/null &
echo \$! >"$RUN/testpmd.pid"
EOF
	chmod +x "$RUN/appliance.sh"
	ARMS="$ARMS
restart = $RUN/appliance.sh
restart_after_ms = 2000"
	;;
esac

# The lab, its instance's timeout at 100 ms: the appliance shares the
# machine's two CPUs with iochain, and a process left waiting 10 ms by the
# scheduler would be down by the book.
{
	sed 's/^heartbeat_timeout_ms = 10$/heartbeat_timeout_ms = 100/' config/blog-lab.ini
	cat <<EOF

; The Fortigate instance's worker lcore drives a real appliance ($KIND).
[svm appliance]
instance = fortigate-host-10
lcore = 2
$ARMS
probe = l2
probe_interval_ms = 1
EOF
} >"$RUN/lab.ini"

for ns in $VM $LAPTOP $FW; do
	ip netns del $ns 2>/dev/null
	ip netns add $ns
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

say "The lab's topology with an [svm] section: the Fortigate is a $KIND appliance"
sed -n '/^\[svm appliance\]/,$p' "$RUN/lab.ini"
run build/app/iochain --check -c "$RUN/lab.ini" || exit 1
build/app/iochain --lcores 0@0,1@1,2@1 --file-prefix $PREFIX -- -c "$RUN/lab.ini" >"$LOG" 2>&1 &
PID=$!
wait_answer "$PID" 10 || {
	echo "iochain did not start:"
	cat "$LOG"
	exit 1
}
echo "iochain pid $PID (lcore 0 control on CPU 0; forwarding lcore 1 and the appliance's worker lcore 2 on CPU 1), log $LOG"

say "The VM and the laptop in their namespaces"
for i in "vm1s1 $VM 02:00:00:00:01:01 10.0.0.11/24" "uplink0 $LAPTOP 02:00:00:00:00:64 10.0.0.100/24"; do
	set -- $i
	ip link set "$1" netns "$2"
	ip -n "$2" link set "$1" address "$3"
	ip -n "$2" addr add "$4" dev "$1"
	ip -n "$2" link set "$1" up
done
echo "VM1S1 10.0.0.11 <-> iochain (slot 4: the appliance) <-> laptop 10.0.0.100"

if [ "$KIND" = nft ]; then
	say "The appliance: both arms in namespace $FW, a bridge, an nftables policy"
	run ip link set fwin netns $FW
	run ip link set fwout netns $FW
	run ip -n $FW link add br0 type bridge
	for i in fwin fwout; do
		ip -n $FW link set $i master br0
		ip -n $FW link set $i up
	done
	run ip -n $FW link set br0 up
	run ip netns exec $FW nft -f config/appliance-lab.nft
	run ip netns exec $FW nft list table bridge vendor
else
	say "The appliance: iochain runs the [svm] restart command, which starts testpmd"
	cat "$RUN/appliance.sh"
fi
wait_state up 15 || echo "the appliance did not come up"
run "${CTL[@]}" svm list

say "Pings both ways, through the appliance"
pings
run "${CTL[@]}" svm list
if [ "$KIND" = nft ]; then
	say "The policy denies UDP to port 5000: the datagram is dropped by nft, never delivered"
	ip netns exec $LAPTOP bash -c 'echo denied >/dev/udp/10.0.0.11/5000'
	sleep 0.3
	run ip netns exec $FW nft list table bridge vendor
	say "The appliance fails: its bridge is set down (probes stop coming back)"
	run ip -n $FW link set br0 down
else
	say "The appliance hangs: SIGSTOP (still connected, no longer forwarding)"
	run kill -STOP "$(cat "$RUN/testpmd.pid")"
fi
wait_state down 2 || echo "NOT DETECTED"
run "${CTL[@]}" svm list
run "${CTL[@]}" show dfw host host-10 summarize-dvfilter
say "The profile is failClosed: traffic stops both ways"
pings

if [ "$KIND" = nft ]; then
	say "The bridge comes back up: probes pass again, the watchdog puts it back in service"
	run ip -n $FW link set br0 up
	wait_state up 5 || echo "NOT BACK UP"
else
	say "restart_after_ms (2 s) later, iochain runs restart: the hung testpmd is replaced"
	wait_state up 15 || echo "NOT BACK UP"
fi
run "${CTL[@]}" svm list
pings

say "The timeline: every transition with its cause"
run "${CTL[@]}" events

say "Stop with SIGINT: final counters"
stop_pid "$PID"
rc=$?
PID=
tail -n 12 "$LOG"
echo "iochain exited with status $rc"
[ $rc -eq 0 ]
