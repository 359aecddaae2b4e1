#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Metrics end to end: the lab, iochain-exporter reading its telemetry socket,
# and a real Prometheus server (Debian's) scraping the exporter every 250 ms.
# A stall drill under failOpen must show in Prometheus's own HTTP API: the
# failure-path gauge goes to 1 and back to 0, the uninspected counter rises by
# what the pings sent, and the detection histogram counts the drill.
. "$(dirname "$0")/_init.sh"

EXPORTER=$TOP/app/iochain-exporter
if ! command -v prometheus >/dev/null || ! /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	echo "Bail out! prometheus or python3-prometheus-client missing (scripts/setup.sh installs them)"
	exit 1
fi

VM=ioc-prom-vm
LAPTOP=ioc-prom-laptop
W=fortigate-host-10.0
P=fortigate-secure
# Ports of our own, away from Prometheus's 9090 and the exporter's default.
EXP_PORT=$((20000 + $$ % 10000))
PROM_PORT=$((EXP_PORT + 1))
lab_start "$TOP/config/blog-lab.ini"

check "exporter --once: iochain_up 1 and the vNIC's slot counters" \
	sh -c "'$EXPORTER' --file-prefix $PREFIX --once | grep -q '^iochain_slot_packets_total{filter=\"swsec\",reason=\"in\",slot=\"1\",vnic=\"VM1S1.eth0\"}'"
check_fails "exporter --once: exit 1 when iochain does not answer" \
	"$EXPORTER" --file-prefix ioc-no-such-prefix --once

"$EXPORTER" --file-prefix "$PREFIX" --listen 127.0.0.1:$EXP_PORT >"$T/exporter.log" 2>&1 &
EXP_PID=$!
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 250ms
  scrape_timeout: 200ms
scrape_configs:
  - job_name: iochain
    static_configs:
      - targets: ['127.0.0.1:$EXP_PORT']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:$PROM_PORT >"$T/prometheus.log" 2>&1 &
PROM_PID=$!
trap 'stop_pid $PROM_PID TERM >/dev/null 2>&1; stop_pid $EXP_PID TERM >/dev/null 2>&1; _cleanup' EXIT

# promql EXPR: the first sample's value of an instant query, or nothing.
promql() {
	/usr/bin/python3 - "$PROM_PORT" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?%s" % (sys.argv[1], urllib.parse.urlencode({"query": sys.argv[2]}))
try:
    r = json.load(urllib.request.urlopen(url, timeout=2))
except Exception:
    sys.exit(1)
res = r.get("data", {}).get("result", [])
if r.get("status") != "success" or not res:
    sys.exit(1)
print(res[0]["value"][1])
EOF
}
# wait_promql EXPR: until the query returns a sample (the expression holds), 20 s at most.
wait_promql() {
	local i
	for i in $(seq 1 80); do
		promql "$1" >/dev/null && return 0
		sleep 0.25
	done
	echo "# no sample for: $1 (last: $(promql "${1%% *}"))"
	return 1
}
vm_ping() { ip netns exec $VM ping -c 5 -i 0.05 -W 1 10.0.0.100; }

check "Prometheus scrapes the exporter: iochain_up == 1" wait_promql 'iochain_up == 1'
check "healthy: no vNIC on its failure path" \
	wait_promql 'iochain_vnic_failure_path{vnic="VM1S1.eth0",slot="4",policy="failClosed"} == 0'
check "healthy: the SVM worker is up" wait_promql "iochain_svm_up{worker=\"$W\"} == 1"
vm_ping >/dev/null
check "healthy: the SVM's inspected packets are in Prometheus" \
	wait_promql "iochain_svm_packets_total{worker=\"$W\",counter=\"allow\"} >= 10"

# The drill: failOpen, a stall, pings pass uninspected.
ctl profile set $P fail_open=true >/dev/null
before=$(counter VM1S1.eth0 svc_svm_down_bypass)
ctl svm stall $W >/dev/null
check "drill: the failure-path gauge shows the vNIC on failOpen" \
	wait_promql 'iochain_vnic_failure_path{vnic="VM1S1.eth0",slot="4",policy="failOpen"} == 1'
check "drill: the worker's state gauge says down" \
	wait_promql "iochain_svm_state{worker=\"$W\",state=\"down\"} == 1"
check "drill: pings pass uninspected" vm_ping
after=$(counter VM1S1.eth0 svc_svm_down_bypass)
check "drill: iochainctl counts them uninspected" test "$after" -ge $((before + 10))
# (At least: frames other than the pings, ARP and the namespaces' own, pass too.)
check "drill: Prometheus has iochain's uninspected count" \
	wait_promql "iochain_uninspected_packets_total{vnic=\"VM1S1.eth0\",reason=\"svm_down_bypass\"} >= $after"
check "drill: the detection histogram counts it" \
	wait_promql 'iochain_detection_seconds_count >= 1'
check "drill: and its time is within 1 s" \
	wait_promql 'iochain_detection_seconds_bucket{le="1.0"} >= 1'

ctl svm resume $W >/dev/null
check "resume: the failure-path gauge goes back to 0" \
	wait_promql 'iochain_vnic_failure_path{vnic="VM1S1.eth0",slot="4",policy="failOpen"} == 0'
check_eq "resume: 'which vNICs are on their failure path now' answers none" 0 \
	"$(promql 'count(iochain_vnic_failure_path == 1) or vector(0)')"
check "uninspected in the last 5 minutes, as PromQL: the drill's" \
	wait_promql "increase(iochain_uninspected_packets_total{vnic=\"VM1S1.eth0\"}[5m]) > 0"

stop_pid $EXP_PID TERM >/dev/null 2>&1
stop_pid $PROM_PID TERM >/dev/null 2>&1
stop_iochain INT
check_eq "SIGINT: exit status 0" 0 "$IOC_RC"
finish
