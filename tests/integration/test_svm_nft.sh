#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A kernel appliance as the lab's SVM (DESIGN.md §9): iochain's two arms are
# net_tap interfaces moved into a namespace where a Linux bridge joins them
# and an nftables `bridge` table is the vendor's policy
# (config/appliance-lab.nft: iochain's probes and ARP pass, ICMP between the
# VM and the laptop passes, the rest is dropped). Pings pass
# through it and its counters rise, ARP from either side too; a denied flow
# is not delivered and not counted delivered; the bridge set down takes it
# down by probe, set up brings it back and traffic passes it again.
. "$(dirname "$0")/_init.sh"

if ! command -v nft >/dev/null; then
	echo "1..0 # SKIP nft not installed"
	exit 0
fi
VM=ioc-kn-vm
LAPTOP=ioc-kn-laptop
FW=ioc-kn-fw
W=fortigate-host-10.0
trap 'exit 143' TERM INT
netns_add $FW
. "$HERE/_appliance.sh"
appliance_lab_start <<EOF || { not_ok "iochain starts"; finish; }
[svm nft-a]
instance = fortigate-host-10
lcore = 2
device_in = net_tap2,iface=fwin
device_out = net_tap3,iface=fwout
probe = l2
probe_interval_ms = 1
EOF
ok "lab up"

fw_up() {
	local i
	for i in fwin fwout; do
		ip link set $i netns $FW || return 1
	done
	ip -n $FW link add br0 type bridge &&
		ip -n $FW link set fwin master br0 &&
		ip -n $FW link set fwout master br0 &&
		ip -n $FW link set fwin up &&
		ip -n $FW link set fwout up &&
		ip -n $FW link set br0 up &&
		ip netns exec $FW nft -f "$TOP/config/appliance-lab.nft"
}
check "the appliance: both arms in a namespace, a bridge, an nftables policy" fw_up

# nft_packets COMMENT: the packets its rules with that comment counted.
nft_packets() {
	ip netns exec $FW nft list chain bridge vendor forward |
		awk -v c="\"$1\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

check "the appliance comes up (probes through the bridge)" wait_state up
o=$(out)
check "healthy: the VM pings the laptop" vm_ping
check "healthy: the laptop pings the VM" laptop_ping
check "healthy: through the appliance" test "$(out)" -ge $((o + 12))
check "healthy: nft counted them" test "$(nft_packets vm)" -ge 12
check "healthy: nft counted the probes" test "$(nft_packets "iochain's probes")" -gt 100
check "svm list: the appliance, link n/a (a tap)" \
	sh -c "'$CTL' --file-prefix $PREFIX svm list | grep -E '^$W .* nft-a +n/a '"

# Neither side knows the other: the laptop's ARP request, a broadcast flooded
# to the vNIC and redirected, must come out of the appliance to the VM.
check "neighbour tables flushed" ip -n $VM neigh flush all
ip -n $LAPTOP neigh flush all
check "empty neighbour tables: the laptop pings the VM first" laptop_ping

# A denied flow: UDP to the VM's port 5000.
# The VM's UDP stack: datagrams delivered or answered "port unreachable".
# (Its interface's rx_packets also counts the laptop's ARP, which the policy passes.)
vm_udp_in() {
	ip netns exec "$VM" awk '/^Udp: [0-9]/ { print $2 + $3 }' /proc/net/snmp
}
vrx=$(vm_udp_in)
fwd=$(counter uplink0 fwd_vnic)
for _ in 1 2 3; do
	ip netns exec $LAPTOP bash -c 'echo denied >/dev/udp/10.0.0.11/5000'
	sleep 0.1
done
sleep 0.2
check_eq "denied: no datagram reached the VM" "$vrx" "$(vm_udp_in)"
check_eq "denied: not counted delivered (uplink0 fwd_vnic)" "$fwd" "$(counter uplink0 fwd_vnic)"
check "denied: nft dropped them" test "$(nft_packets denied)" -ge 3

# The bridge down: the probes stop, down by probe; up again: back in service.
ip -n $FW link set br0 down
check "bridge down: the appliance is down" wait_state down
ctl events >"$T/events"
check "events: down by probe" has_event "svm $W: up -> down \(probes lost for"
check_fails "failClosed: pings stop" vm_ping
ip -n $FW link set br0 up
check "bridge up: the appliance is up again" wait_state up
o=$(out)
check "after: the VM pings the laptop" vm_ping
check "after: the laptop pings the VM" laptop_ping
check "after: through the appliance" test "$(out)" -ge $((o + 12))

appliance_lab_stop
finish
