# SPDX-License-Identifier: BSD-3-Clause
# OVS-DPDK as the peer of scripts/bench.sh (sourced by it): the product a user
# would deploy instead of iochain for a stateful per-port firewall on DPDK,
# started the standard way in private run/db/log directories, on the same
# vdevs and the same CPU as iochain's forwarding lcore, with the same policy
# written as OpenFlow flows (scripts/bench_topo.py ovs-flows).
#
# Uses bench.sh's D, QUICK, SECS, WARMUP, new_prefix, G_PCAPS, scen_field.
OVS_VSWITCHD=${IOC_OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${IOC_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}

ovs_available() {
	[ -x "$OVS_VSWITCHD" ] && [ -f "$OVS_SCHEMA" ] && command -v ovsdb-server >/dev/null &&
		command -v ovs-vsctl >/dev/null && command -v ovs-ofctl >/dev/null
}

# ovs_wants SCENARIO: OVS runs the 64-byte slots 1+2 scenarios whose pcap fits
# OVS's shared mempool next to its queues (at most 64k frames of its 262,144 mbufs).
# --quick keeps two of them: 1000 rules at 64k flows, stateful and stateless.
ovs_wants() {
	local kind rules st g sz
	read -r kind rules st g sz <<<"$(scen_field "$1")"
	if [ "$QUICK" = 1 ]; then
		case $1 in pcap-slot12-r1000-f64k | pcap-slot12-r1000-f64k-stateless) return 0 ;; *) return 1 ;; esac
	fi
	[ "$kind" = slot12 ] && [ "$sz" = 64 ] && case $g in g1k | g64k) true ;; *) false ;; esac
}

# A daemon OVS started with --detach: its pid from its pidfile (it is not our child).
ovs_pid() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.1
	done
	return 1
}
ovs_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

# ovs_start DIR PCAP: ovsdb-server and ovs-vswitchd (dpdk-init, main thread on
# CPU 0, one PMD on CPU 1) in DIR; bridge br0 (netdev) with port 1 = net_pcap0
# replaying PCAP and port 2 = net_null0. Sets OVSDB_PID, OVS_PID, VSCTL, OFCTL, APPCTL.
ovs_start() {
	local dir=$1 pcap=$2
	mkdir -p "$dir"
	export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
	VSCTL=(ovs-vsctl --db="unix:$dir/db.sock" --timeout=120)
	OFCTL=(ovs-ofctl)
	ovsdb-tool create "$dir/conf.db" "$OVS_SCHEMA" || return 1
	ovsdb-server --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb-server.pid" --detach \
		--log-file="$dir/ovsdb-server.log" "$dir/conf.db" || return 1
	OVSDB_PID=$(ovs_pid "$dir/ovsdb-server.pid") || return 1
	new_prefix ovs-bench
	"${VSCTL[@]}" --no-wait init &&
		"${VSCTL[@]}" --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			"other_config:dpdk-extra=--no-pci --file-prefix $PREFIX" \
			other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
			other_config:dpdk-socket-mem=1024 || return 1
	"$OVS_VSWITCHD" "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" --detach \
		--log-file="$dir/ovs-vswitchd.log" || return 1
	OVS_PID=$(ovs_pid "$dir/ovs-vswitchd.pid") || return 1
	APPCTL=(ovs-appctl -t "$dir/ovs-vswitchd-dpdk.$OVS_PID.ctl")
	[ -S "$dir/ovs-vswitchd-dpdk.$OVS_PID.ctl" ] || APPCTL=(ovs-appctl -t "$dir/ovs-vswitchd.$OVS_PID.ctl")
	"${VSCTL[@]}" add-br br0 -- set bridge br0 datapath_type=netdev \
		-- add-port br0 vnic -- set Interface vnic type=dpdk ofport_request=1 \
		"options:dpdk-devargs=net_pcap0,rx_pcap=$D/$pcap,infinite_rx=1" \
		-- add-port br0 uplink -- set Interface uplink type=dpdk ofport_request=2 \
		"options:dpdk-devargs=net_null0,no-rx=1" || return 1
	[ "$("${VSCTL[@]}" get Interface vnic ofport)" = 1 ] &&
		[ "$("${VSCTL[@]}" get Interface uplink ofport)" = 2 ]
}

ovs_stop() {
	ovs_stop_pid "${OVS_PID:-}"
	ovs_stop_pid "${OVSDB_PID:-}"
	OVS_PID= OVSDB_PID=
}

# ovs_tx: the uplink's tx packets, read live from ovs-vswitchd.
ovs_tx() {
	"${OFCTL[@]}" dump-ports br0 2 | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p'
}

# run_ovs SCENARIO RUN: one run of OVS-DPDK with the scenario's policy; appends a
# JSON line to $D/results.jsonl: per-second forwarded Mpps after warm-up, OVS's own
# cycles per packet (dpif-netdev/pmd-stats-show) and its conntrack entry count.
run_ovs() {
	local s=$1 r=$2 kind rules st g sz
	read -r kind rules st g sz <<<"$(scen_field "$s")"
	local dir=$D/ovs.$s.$r log=$D/ovs.$s.$r.samples
	ovs_start "$dir" "${G_PCAPS[$g]}" || {
		echo "bench: $s: OVS-DPDK did not start; its log:" >&2
		tail -n 20 "$dir/ovs-vswitchd.log" >&2
		ovs_stop
		return 1
	}
	python3 scripts/bench_topo.py ovs-flows "$rules" "$st" >"$dir/flows.txt" &&
		"${OFCTL[@]}" del-flows br0 && "${OFCTL[@]}" add-flows br0 "$dir/flows.txt" || {
		ovs_stop
		return 1
	}
	sleep "$WARMUP"
	"${APPCTL[@]}" dpif-netdev/pmd-stats-clear >/dev/null
	local i
	echo "$(date +%s.%N) $(ovs_tx)" >"$log"
	for i in $(seq 1 $((SECS - WARMUP))); do
		sleep 1
		echo "$(date +%s.%N) $(ovs_tx)" >>"$log"
	done
	"${APPCTL[@]}" dpif-netdev/pmd-stats-show >"$dir/pmd-stats" 2>&1
	"${APPCTL[@]}" dpctl/ct-stats-show >"$dir/ct-stats" 2>&1
	ovs_stop
	python3 scripts/bench_report.py parse-ovs "$s" "$r" "$st" "${G_FLOWS[$g]}" "$log" \
		"$dir/pmd-stats" "$dir/ct-stats" >>"$D/results.jsonl"
}
