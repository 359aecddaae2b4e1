#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input stops iochain before it touches a port: --check on good and broken
# files, bad options, and lcores the topology names but EAL did not enable.
. "$(dirname "$0")/_init.sh"

for f in blog-lab pcap-demo memif-testpmd; do
	check "--check config/$f.ini: valid" "$IOCHAIN" --check -c "$TOP/config/$f.ini"
done

printf '[host]\nname = h\n\n[uplink u0]\ndevice = net_null0\nlcore = 1\nspeed = 10\n' >"$T/bad.ini"
"$IOCHAIN" --check -c "$T/bad.ini" >"$T/out" 2>&1
check_eq "--check on an unknown key: exit 2" 2 $?
check_eq "the error names file, line, section and key" \
	"iochain: $T/bad.ini:7: [uplink u0] speed: unknown key" "$(cat "$T/out")"

# switch_port and slow_path_id have defaults; every other key without one stays required.
grep -v -e '^switch_port' -e '^slow_path_id' "$TOP/config/blog-lab.ini" >"$T/no-ids.ini"
check "--check without switch_port and slow_path_id: valid" "$IOCHAIN" --check -c "$T/no-ids.ini"
grep -v '^mac' "$T/no-ids.ini" >"$T/no-mac.ini"
"$IOCHAIN" --check -c "$T/no-mac.ini" >"$T/out" 2>&1
check_eq "--check without mac: exit 2" 2 $?
check "and names the key" grep -Eq "no-mac.ini:[0-9]+: \[vnic VM1S1.eth0\] mac: missing required key" "$T/out"

# [svm] sections (DESIGN.md §9): an unknown instance, an lcore not the
# instance's, an arm on a device already in use; each with file:line.
svm_check() {
	{
		cat "$TOP/config/blog-lab.ini"
		printf '[svm fgt-a]\ninstance = %s\nlcore = %s\ndevice_in = %s\ndevice_out = %s\n' "$@"
	} >"$T/svm.ini"
	"$IOCHAIN" --check -c "$T/svm.ini" >"$T/out" 2>&1
}
n=$(($(wc -l <"$TOP/config/blog-lab.ini") + 1)) # the [svm] header's line
svm_check fortigate-host-10 2 net_memif10,role=server,socket=$T/in.sock net_memif11,role=server,socket=$T/out.sock
check_eq "--check with an [svm] section: valid" 0 $?
svm_check fortigate-host-99 2 net_memif10 net_memif11
check_eq "--check, [svm] of an unknown instance: exit 2" 2 $?
check_eq "and names file:line, section and key" \
	"iochain: $T/svm.ini:$((n + 1)): [svm fgt-a] instance: unknown service_instance \"fortigate-host-99\"" \
	"$(cat "$T/out")"
svm_check fortigate-host-10 1 net_memif10 net_memif11
check_eq "--check, [svm] on an lcore not the instance's: exit 2" 2 $?
check_eq "and names file:line, section and key" \
	"iochain: $T/svm.ini:$((n + 2)): [svm fgt-a] lcore: lcore 1 is not one of service_instance fortigate-host-10's lcores or standby_lcores" \
	"$(cat "$T/out")"
svm_check fortigate-host-10 2 net_memif10 net_memif10,id=1
check_eq "--check, [svm] with one device for both arms: exit 2" 2 $?
check_eq "and names file:line, section and key" \
	"iochain: $T/svm.ini:$((n + 4)): [svm fgt-a] device_out: device net_memif10 already used by [svm fgt-a] device_in at line $((n + 3))" \
	"$(cat "$T/out")"
svm_check fortigate-host-10 2 net_tap1,iface=fwin net_memif11
check_eq "--check, [svm] arm on the uplink's device: exit 2" 2 $?
check "and names the uplink" grep -Eq \
	"svm.ini:$((n + 3)): \[svm fgt-a\] device_in: device net_tap1 already used by \[uplink uplink0\] device at line [0-9]+" \
	"$T/out"
svm_check fortigate-host-10 2 net_vhost10,iface=$T/a.sock net_vhost11,iface=$T/a.sock
check_eq "--check, [svm] arms on one vhost-user socket: exit 2" 2 $?
check_eq "--check names the socket both arms use" \
	"iochain: $T/svm.ini:$((n + 4)): [svm fgt-a] device_out: device net_vhost11: vhost-user socket $T/a.sock already used by [svm fgt-a] device_in at line $((n + 3))" \
	"$(cat "$T/out")"
svm_check fortigate-host-10 2 net_tap10,iface=uplink0 net_memif11,socket=$T/b.sock
check_eq "--check, [svm] arm on the uplink's kernel interface: exit 2" 2 $?
check "--check names the interface" grep -Eq \
	"svm.ini:$((n + 3)): \[svm fgt-a\] device_in: device net_tap10: interface uplink0 already used by \[uplink uplink0\] device at line [0-9]+" \
	"$T/out"
svm_check fortigate-host-10 2 net_memif10,socket=$T/c.sock net_memif11,socket=$T/c.sock,id=1
check_eq "--check, [svm] arms on one memif socket with distinct ids: valid" 0 $?

# IPv6 bindings: a mixed list is valid; a bad address names its line.
sed 's/^ip = 10.0.0.11$/ip = 10.0.0.11, 2001:db8::11/' "$TOP/config/blog-lab.ini" >"$T/v6.ini"
check "--check with IPv4 and IPv6 bindings: valid" "$IOCHAIN" --check -c "$T/v6.ini"
sed 's/^ip = 10.0.0.11$/ip = 10.0.0.11, 2001:db8::zz/' "$TOP/config/blog-lab.ini" >"$T/bad6.ini"
"$IOCHAIN" --check -c "$T/bad6.ini" >"$T/out" 2>&1
check_eq "--check on a bad IPv6 binding: exit 2" 2 $?
check "and names file:line, section and key" grep -Eq "bad6.ini:[0-9]+: \[vnic VM1S1.eth0\] ip: invalid IPv6 address \"2001:db8::zz\"" "$T/out"

"$IOCHAIN" --check -c "$T/missing.ini" >"$T/out" 2>&1
check_eq "--check on a missing file: exit 2" 2 $?
check "and says so" grep -q "missing.ini" "$T/out"

"$IOCHAIN" -l 0 --no-huge --no-shconf -- --no-such-option >"$T/out" 2>&1
check_eq "an unknown option: exit 2" 2 $?

# blog-lab.ini forwards on lcore 1, which -l 0 does not enable.
ip link del vm1s1 2>/dev/null
"$IOCHAIN" -l 0 --no-huge --no-shconf --file-prefix "$PREFIX" -- -c "$TOP/config/blog-lab.ini" \
	>"$T/out" 2>&1
check_eq "a forwarding lcore EAL did not enable: exit 2" 2 $?
check "the error names file:line, section, key and lcore" \
	grep -Eq "blog-lab.ini:[0-9]+: \[(vnic VM1S1.eth0|uplink uplink0)\] lcore: lcore 1 is not enabled in EAL" "$T/out"
check_fails "no port was created" ip link show vm1s1

"$IOCHAIN" -l 0-1 --main-lcore 1 --no-huge --no-shconf --file-prefix "$PREFIX" -- \
	-c "$TOP/config/blog-lab.ini" >"$T/out" 2>&1
check_eq "forwarding on the main lcore: exit 2" 2 $?
check "the error says why" grep -q "is the main lcore" "$T/out"
finish
