#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An external SVM (DESIGN.md §9) over vhost-user, the transport a VM meets a
# DPDK host by: iochain's two arms are net_vhost devices (vhost-user server
# sockets), the appliance is dpdk-testpmd --forward-mode=io with two
# net_virtio_user ports on those sockets (the virtio driver side QEMU
# gives a guest), started and restarted by the `restart` command. The drills
# of testpmd_drills: healthy both ways, SIGSTOP (failClosed, failOpen),
# SIGCONT, SIGKILL (down by link: the vhost device is destroyed when its
# socket closes; the relaunched client connects again to iochain's sockets).
#
# CPUs: iochain control/watchdog on CPU 0 (lcore 0), forwarding and the
# appliance's worker on CPU 1 (lcores 1 and 2); testpmd's main and forwarding
# lcores on CPU 0. virtio_user shares its memory with the vhost side by file
# descriptor: testpmd runs with --single-file-segments.
. "$(dirname "$0")/_init.sh"

VM=ioc-av-vm
LAPTOP=ioc-av-laptop
W=fortigate-host-10.0
P=fortigate-secure
. "$HERE/_appliance.sh"
testpmd_needed
trap 'tp_cleanup; _cleanup' EXIT
trap 'exit 143' TERM INT

testpmd_appliance vhost-a --single-file-segments \
	--vdev "net_virtio_user0,path=$T/in.sock,queues=1" \
	--vdev "net_virtio_user1,path=$T/out.sock,queues=1"
appliance_lab_start <<EOF || { not_ok "iochain starts"; finish; }
[svm vhost-a]
instance = fortigate-host-10
lcore = 2
device_in = net_vhost10,iface=$T/in.sock,queues=1
device_out = net_vhost11,iface=$T/out.sock,queues=1
probe = l2
probe_interval_ms = 1
restart = $T/vhost-a.sh
restart_after_ms = 200
EOF
ok "lab up, iochain the vhost-user server of both arms"
check_eq "the appliance's transport" net_vhost/net_vhost "$(svm_counter $W transport)"

testpmd_drills vhost-a

appliance_lab_stop
check "iochain removed its sockets" test ! -e "$T/in.sock" -a ! -e "$T/out.sock"
tp_cleanup
finish
