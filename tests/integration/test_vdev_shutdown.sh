#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Devices EAL was given (--vdev) rather than probed from the INI: iochain must
# close them before it frees the mbuf pool their queues were set up with.
# net_tap keeps a chain of mbufs per RX queue until the queue is released; had
# rte_eal_cleanup() closed the port after the pool was freed, those mbufs
# would go back to freed memory. Ctrl-C after traffic must end in exit 0 with
# the final counters (and, in build-asan, no sanitizer report).
. "$(dirname "$0")/_init.sh"

VM=ioc-vm-vdev
LAPTOP=ioc-laptop-vdev
netns_add $VM
netns_add $LAPTOP
lab_ini net_tap_iocvm net_tap_iocup >"$T/vdev.ini"
check "iochain starts on two taps given to EAL" start_iochain "$T/vdev.ini" \
	--lcores 0@0,1@1 --vdev net_tap_iocvm,iface=iocvm0 --vdev net_tap_iocup,iface=iocup0
check "the taps are EAL's, not probed from the INI" \
	sh -c "! grep -q 'probed net_tap' '$T/iochain.log'"
check "VM tap moved into its namespace" netns_attach iocvm0 $VM 02:00:00:00:01:01 10.0.0.11/24
check "laptop tap moved into its namespace" \
	netns_attach iocup0 $LAPTOP 02:00:00:00:00:64 10.0.0.100/24
check "the VM pings the laptop" ip netns exec $VM ping -c 3 -i 0.2 -W 2 10.0.0.100

stop_iochain INT
check_eq "iochain exits 0 on SIGINT" 0 "$IOC_RC"
check "it printed its final counters" grep -q "^mbufs in use:" "$T/iochain.log"
check_eq "iochain closed both taps itself" 2 \
	"$(grep -cE 'port [0-9]+ \(net_tap_ioc(vm|up)\) closed' "$T/iochain.log")"
finish
