#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Live reload on the firewall lab (a copy of config/dfw-lab.ini): an unrelated
# rule change loses no packet of a running ping; turning tcp/8080 from allow to
# drop refuses new connections while an established one keeps flowing; a
# broken file is refused with its file:line and traffic goes on; a structural
# change is refused; SIGHUP reloads too.
. "$(dirname "$0")/_init.sh"

CFG=$T/lab.ini
cp "$TOP/config/dfw-lab.ini" "$CFG"
lab_start "$CFG" --lcores 0@0,1@1
check "the laptop pings the VM" ip netns exec $LAPTOP ping -c 2 -i 0.2 -W 2 10.0.0.11

# 1. An unrelated rule changes under a running ping.
ip netns exec $LAPTOP ping -c 80 -i 0.05 -W 2 10.0.0.11 >"$T/ping" 2>&1 &
PING=$!
sleep 1
sed -i 's|^service = tcp/8082$|service = tcp/8083|' "$CFG"
ctl reload >"$T/reload1" 2>&1
check_eq "reload of an unrelated rule: ok" 0 "$?"
check "it prints the summary" grep -q "reloaded $CFG: 5 dfw rules, 0 redirect rules, applied in" "$T/reload1"
wait $PING
check "the running ping lost no packet" grep -q " 0% packet loss" "$T/ping"
sed 's/^/# /' "$T/reload1"
grep "packet loss" "$T/ping" | sed 's/^/# /'

# 2. tcp/8080 from allow to drop: an established connection keeps flowing.
ip netns exec $VM python3 -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.11", 8080))
s.listen(8)
def echo(c):
    while True:
        d = c.recv(100)
        if not d:
            break
        c.sendall(d)
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
' >/dev/null 2>&1 &
SERVER=$!
for i in $(seq 1 50); do
	ip netns exec $VM ss -Htln | grep -q ":8080" && break
	sleep 0.1
done
ip netns exec $LAPTOP python3 -c "
import os, socket, sys, time
s = socket.create_connection(('10.0.0.11', 8080), timeout=3)
s.sendall(b'before')
assert s.recv(100) == b'before'
open('$T/ready', 'w').close()
for i in range(200):
    if os.path.exists('$T/go'):
        break
    time.sleep(0.05)
s.sendall(b'after')
sys.exit(0 if s.recv(100) == b'after' else 1)
" >"$T/client" 2>&1 &
CLIENT=$!
for i in $(seq 1 50); do
	[ -e "$T/ready" ] && break
	sleep 0.1
done
check "a TCP connection to 8080 is established" test -e "$T/ready"
awk '/^\[dfw_rule web-in\]/ { w = 1 } w && /^action = allow$/ { $0 = "action = drop"; w = 0 } 1' \
	"$CFG" >"$T/lab.new" && cat "$T/lab.new" >"$CFG"
web_in_action() {
	awk '/^\[dfw_rule web-in\]/ { w = 1 } w && /^action = / { print $3; exit }' "$CFG"
}
check_eq "web-in now drops" drop "$(web_in_action)"
check "reload: tcp/8080 from allow to drop" ctl reload
touch "$T/go"
wait $CLIENT
check_eq "the established connection keeps flowing" 0 "$?"
sed 's/^/# /' "$T/client"
ip netns exec $LAPTOP timeout 2 bash -c 'exec 3<>/dev/tcp/10.0.0.11/8080' >/dev/null 2>&1
check_eq "a new connection to 8080 fails (dropped: times out)" 124 "$?"

# 3. A broken file: refused with file:line, the running rules stay.
cp "$CFG" "$T/lab.good"
printf '\n[dfw_rule broken]\npriority = high\n' >>"$CFG"
line=$(grep -n '^priority = high$' "$CFG" | cut -d: -f1)
ctl reload >"$T/reload3" 2>&1
check_eq "reload of a broken file fails (exit 1)" 1 "$?"
check "it prints file:line, section and key" \
	grep -q "reload failed, the running config is kept: $CFG:$line: \[dfw_rule broken\] priority" \
	"$T/reload3"
sed 's/^/# /' "$T/reload3"
check "traffic still flows" ip netns exec $LAPTOP ping -c 3 -i 0.2 -W 2 10.0.0.11
ip netns exec $LAPTOP timeout 2 bash -c 'exec 3<>/dev/tcp/10.0.0.11/8080' >/dev/null 2>&1
check_eq "and 8080 is still dropped" 124 "$?"

# 4. A structural change: refused, with what to do.
sed 's|^mac = 02:00:00:00:01:01$|mac = 02:00:00:00:01:02|' "$T/lab.good" >"$CFG"
ctl reload >"$T/reload4" 2>&1
check_eq "reload of a changed MAC fails (exit 1)" 1 "$?"
check "it says why and what to do" \
	grep -q "vnic VM1S1.eth0: mac: restart iochain for that (reload changes only rules" \
	"$T/reload4"
sed 's/^/# /' "$T/reload4"

# 5. SIGHUP: 8080 allowed again.
cp "$T/lab.good" "$CFG"
sed -i 's|^action = drop$|action = allow|' "$CFG" # web-in and silent-in (now tcp/8083)
kill -HUP "$IOC_PID"
for i in $(seq 1 50); do
	grep -q "SIGHUP: reloaded" "$T/iochain.log" && break
	sleep 0.1
done
check "SIGHUP reloads" grep -q "iochain: SIGHUP: reloaded $CFG: 5 dfw rules" "$T/iochain.log"
check "a new connection to 8080 works again" ip netns exec $LAPTOP python3 -c "
import socket
s = socket.create_connection(('10.0.0.11', 8080), timeout=3)
s.sendall(b'x')
assert s.recv(10) == b'x'"
check "events: one per reload" test "$(ctl events | grep -c 'reload')" -ge 5
check "still alive" kill -0 "$IOC_PID"

kill $SERVER 2>/dev/null
wait $SERVER 2>/dev/null
stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
