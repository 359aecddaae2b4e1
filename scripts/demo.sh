#!/usr/bin/env bash
# The main demo: the reference lab (DESIGN.md §7) on real kernel interfaces.
# Sets the machine up, builds, starts iochain with config/blog-lab.ini, puts a
# VM (10.0.0.11) and a laptop (10.0.0.100) in network namespaces behind
# net_tap ports, pings both ways through VM1S1.eth0's I/O chain and its
# Fortigate SVM, sends from a spoofed source that spoofguard blocks, then
# plays the reference table: the SVM hangs (failClosed: pings stop both ways),
# the operator flips the profile to failOpen (pings pass, uninspected), the
# SVM resumes (inspected again), and it crashes (recovered by itself).
#
#   sudo bash scripts/demo.sh          (the pcap demo: scripts/demo-pcap.sh)
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)

bash scripts/setup.sh || exit 1
bash scripts/build.sh || exit 1

PREFIX=iochain-demo
VM=vm1s1
LAPTOP=laptop
LOG=/tmp/iochain-demo.log
CTL=(build/app/iochainctl --file-prefix $PREFIX)

# ctl and wait_answer run "$CTL", the first word of CTL (the binary), with --file-prefix $PREFIX.
. scripts/lib.sh # stop_pid, wait_answer
cleanup() {
	stop_pid "${PID:-}"
	ip netns del $VM 2>/dev/null
	ip netns del $LAPTOP 2>/dev/null
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	echo "\$ $*"
	"$@"
}

for ns in $VM $LAPTOP; do
	ip netns del $ns 2>/dev/null
	ip netns add $ns
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

say "Validate the topology, then start iochain (forwarding lcore 1, control on lcore 0)"
run build/app/iochain --check -c config/blog-lab.ini || exit 1
build/app/iochain --lcores 0@0,1@1,2@1 --file-prefix $PREFIX -- -c config/blog-lab.ini >$LOG 2>&1 &
PID=$!
wait_answer "$PID" 10 || { echo "iochain did not start:"; cat $LOG; exit 1; }
echo "iochain pid $PID, log $LOG"

say "Move the tap interfaces into the namespaces: vm1s1 is the VM, uplink0 leads to the laptop"
ip link set vm1s1 netns $VM
ip -n $VM link set vm1s1 address 02:00:00:00:01:01
ip -n $VM addr add 10.0.0.11/24 dev vm1s1
ip -n $VM link set vm1s1 up
ip link set uplink0 netns $LAPTOP
ip -n $LAPTOP link set uplink0 address 02:00:00:00:00:64
ip -n $LAPTOP addr add 10.0.0.100/24 dev uplink0
ip -n $LAPTOP link set uplink0 up
echo "VM1S1 10.0.0.11 (02:00:00:00:01:01) <-> iochain <-> laptop 10.0.0.100"

say "Pings both ways through the I/O chain"
run ip netns exec $VM ping -c 3 -i 0.2 10.0.0.100
run ip netns exec $LAPTOP ping -c 3 -i 0.2 10.0.0.11

say "The VM spoofs a source address it does not own: spoofguard (slot 1) drops it"
ip -n $VM addr add 10.0.0.99/24 dev vm1s1
run ip netns exec $VM ping -c 3 -i 0.2 -W 1 -I 10.0.0.99 10.0.0.100 &&
	echo "UNEXPECTED: the spoofed ping passed"
ip -n $VM addr del 10.0.0.99/24 dev vm1s1

say "One ping traced through the chain, and what the chain would do with ssh (explain)"
run "${CTL[@]}" trace VM1S1.eth0 2
run ip netns exec $VM ping -c 1 -W 2 10.0.0.100
sleep 0.2
run "${CTL[@]}" trace show
run "${CTL[@]}" trace clear
run "${CTL[@]}" explain VM1S1.eth0 out tcp 10.0.0.11:40000 10.0.0.100:22

say "What the operator sees"
run "${CTL[@]}" show dfw host host-10 summarize-dvfilter
run "${CTL[@]}" stats
run "${CTL[@]}" svm list

W=fortigate-host-10.0
P=fortigate-secure
pings() {
	run ip netns exec $VM ping -c 3 -i 0.2 -W 1 10.0.0.100
	run ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 1 10.0.0.11
}

say "The SVM hangs (a stall drill). The profile is failClosed: traffic stops, both ways"
run "${CTL[@]}" svm stall $W
sleep 0.1
run "${CTL[@]}" svm list
pings
run "${CTL[@]}" show dfw host host-10 summarize-dvfilter

say "The operator flips the profile to failOpen: applied at once, traffic flows uninspected"
run "${CTL[@]}" profile set $P fail_open=true
pings
"${CTL[@]}" show dfw host host-10 summarize-dvfilter | grep -A6 "vNic slot 4"
run "${CTL[@]}" profile set $P fail_open=false

say "The SVM resumes: the watchdog sees a steady heartbeat and inspection comes back"
run "${CTL[@]}" svm resume $W
sleep 0.1
pings
run "${CTL[@]}" svm list

say "The SVM crashes: the watchdog relaunches it on its lcore, no human needed"
run "${CTL[@]}" svm crash $W
sleep 0.3
pings
run "${CTL[@]}" events
run "${CTL[@]}" stats VM1S1.eth0
# The same events as a picture: each lane's state over time, each drill's detection.
"${CTL[@]}" raw /iochain/events >/tmp/iochain-demo-events.json &&
	python3 scripts/timeline.py /tmp/iochain-demo-events.json /tmp/iochain-demo-timeline.svg &&
	echo "timeline of the drills: /tmp/iochain-demo-timeline.svg"

say "Stop with SIGINT: final counters"
stop_pid "$PID"
rc=$?
PID=
tail -n 12 $LOG
echo "iochain exited with status $rc"
[ $rc -eq 0 ]
