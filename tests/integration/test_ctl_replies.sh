#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What the control surface replies never cuts silently (audit L10), against a
# real iochain (the lab on net_null, 600 dfw rules with long names): the
# instance events name the instance; an event longer than a telemetry string
# comes whole through `iochainctl events` (its rest in "continued"); `dfw
# rules` over 512 entries and 16 KiB comes in pages that add up.
. "$(dirname "$0")/_init.sh"

W=fortigate-host-10.0
I=fortigate-host-10
# A long directory: a failed reload's event names the file twice.
DIR=$T/a-directory-whose-name-is-long-enough-to-push-the-reload-event-past-one-telemetry-string
mkdir -p "$DIR"
CFG=$DIR/lab.ini
{
	sed -e 's|^device = net_tap1,iface=uplink0|device = net_null0,no-rx=1|' \
		-e 's|^device = net_tap0,iface=vm1s1|device = net_null1,no-rx=1|' \
		"$TOP/config/blog-lab.ini"
	for i in $(seq 1 600); do
		printf '\n[dfw_rule rule-%04d-with-a-name-long-enough-to-fill-a-reply-quickly-xx]\n' "$i"
		printf 'priority = %d\nsource = any\ndestination = any\nservice = tcp/%d\n' \
			"$i" $((10000 + i))
		printf 'direction = in\naction = allow\n'
	done
} >"$CFG"
start_iochain "$CFG" --lcores 0@0,1@1,2@0 || { not_ok "iochain starts"; finish; }
ok "iochain starts (lab on net_null, 600 dfw rules)"

# 1. The instance's events name the instance, not its first worker.
ctl svm stall $W >/dev/null
check "stalled: the worker goes down" wait_state down 2
ctl svm resume $W >/dev/null
check "resumed: the worker comes back" wait_state up 2
ctl events >"$T/events" 2>&1
check "the event reads 'instance $I: down'" grep -q "Z instance $I: down: its vNICs" "$T/events"
check "and 'instance $I: up'" grep -q "Z instance $I: up: " "$T/events"
check_fails "no event names the instance by its worker" grep -q "instance $W:" "$T/events"

# 2. A failed reload's event, longer than a telemetry string, comes whole.
echo "no_such_line" >>"$CFG"
LINE=$(wc -l <"$CFG")
check_fails "a broken file is refused" ctl reload
ctl events >"$T/events" 2>&1
check "iochainctl events prints the reload's event whole" \
	grep -qF "reload of $CFG failed, running rules kept: $CFG:$LINE" "$T/events"
long=$(grep -F "reload of $CFG failed" "$T/events" | awk '{ print length($0) }')
check "that line is longer than a telemetry string (${long:-0} > 127)" test "${long:-0}" -gt 127
ctl raw /iochain/events >"$T/events.json"
check "the reply carries its rest in 'continued'" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["/iochain/events"]
assert all(len(x) <= 127 for x in d["events"] + d["continued"])
assert len(d["continued"]) == len(d["continued_of"]) > 0
i = d["continued_of"][0]
assert "reload of" in d["events"][i], d["events"][i]
' "$T/events.json"

# 3. 600 rules, 80-character names: more than 512 entries and 16 KiB, in pages.
ctl raw /iochain/dfw_rules >"$T/page0.json"
check "the first page says where the next starts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["/iochain/dfw_rules"]
n = len(d["rules"])
assert d["total"] == 600 and d["start"] == 0 and 0 < d["next"] < 600 and n == d["next"], d
assert len(d["priority"]) == len(d["action"]) == len(d["hits"]) == n
' "$T/page0.json"
ctl dfw rules >"$T/rules" 2>&1
check_eq "iochainctl dfw rules prints all 600 rules (every page)" 600 \
	"$(grep -c '^rule-[0-9]*-with' "$T/rules")"
check "in file order, none twice" sh -c "grep -o '^rule-[0-9]*' '$T/rules' | sort -c -u"
check_fails "a page beyond the total is refused" ctl raw /iochain/dfw_rules,601
check_fails "a page that is not a number is refused" ctl raw /iochain/dfw_rules,x

stop_iochain
check_eq "iochain stops cleanly" 0 "$IOC_RC"
finish
