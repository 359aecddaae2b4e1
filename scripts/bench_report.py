#!/usr/bin/env python3
"""Parsing and tables of scripts/bench.sh.

  bench_report.py parse-iochain SCEN RUN RC WARMUP LOG SNAP_A SNAP_B THREADS [GEN_LOG]
        -> one JSON line: an iochain run (samples from its --stats-interval 1 lines)
  bench_report.py parse-testpmd GROUP MODE RUN WARMUP LOG [GEN_LOG]
        -> one JSON line: a testpmd run (Tx-pps of its sink ports: the odd ones)
  bench_report.py parse-ovs SCEN RUN STATEFUL FLOWS SAMPLES PMD_STATS CT_STATS
        -> one JSON line: an OVS-DPDK run (forwarded rate from the uplink's tx counter
           sampled every second, its pmd-stats cycles per packet, its conntrack entries)
  bench_report.py show < RESULTS.jsonl      -> the last run, in one line
  bench_report.py report META.json RESULTS.jsonl OUTDIR
        -> OUTDIR/results.md and OUTDIR/results.json, and the markdown on stdout
  bench_report.py appliance-show iochain|ref TRANSPORT RUN WARMUP LOG
        -> one line: a run of scripts/bench-appliance.sh
  bench_report.py appliance-report DIR RUNS WARMUP OUTDIR TRANSPORTS LCORES
        -> OUTDIR/appliance.md and OUTDIR/appliance.json (scripts/bench-appliance.sh)

META describes the scenarios in order; RESULTS has one JSON line per run of a tool
(type iochain: a scenario's run; type testpmd: a group's run of one mode; type ovs:
a scenario's run of OVS-DPDK with the same policy).
"""
import json
import re
import statistics
import sys


def med(v):
    return statistics.median(v) if v else None


def fmt(x, f="%.2f"):
    return "—" if x is None else f % x


def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None


def lines_after(path, mark=None):
    """The lines of a log, from the one after `mark` (a line of its own) when given."""
    seen = mark is None
    for line in open(path, errors="replace"):
        if seen:
            yield line
        elif line.rstrip("\n") == mark:
            seen = True


def testpmd_blocks(path, mark=None):
    """Per stats period of a testpmd log (after the line `mark`): {port: (rx_pps, tx_pps)}."""
    blocks, cur, port = [], None, None
    for line in lines_after(path, mark):
        if "Port statistics" in line:
            cur = {}
            blocks.append(cur)
        m = re.search(r"statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
        m = re.search(r"Rx-pps:\s+(\d+)", line)
        if m and cur is not None and port is not None:
            cur[port] = [float(m.group(1)) / 1e6, 0.0]
        m = re.search(r"Tx-pps:\s+(\d+)", line)
        if m and cur is not None and port in cur:
            cur[port][1] = float(m.group(1)) / 1e6
    return blocks


def gen_mpps(path, warm):
    """The memif generator's offered rate: the median of its Tx-pps after warm-up."""
    if not path:
        return None
    v = [b[0][1] for b in testpmd_blocks(path) if 0 in b][warm:]
    return med(v)


def parse_iochain(a):
    s, r, rc, warm, log, fa, fb, fth = a[0], int(a[1]), int(a[2]), int(a[3]), *a[4:8]
    gen = a[8] if len(a) > 8 else ""
    samples, ghz, cur = [], None, None
    for line in open(log, errors="replace"):
        if line.startswith("final counters"):
            break
        m = re.search(r"TSC ([0-9.]+) GHz", line)
        if m:
            ghz = float(m.group(1))
        f = line.split()
        if f[:2] == ["port", "kind"]:
            cur = {}
            samples.append(cur)
        elif len(f) == 7 and cur is not None and f[1] in ("vnic", "uplink"):
            cur[f[0]] = (f[1], float(f[5]), float(f[6]))
    samples = samples[warm:]
    tx = [sum(v[2] for v in x.values() if v[0] == "uplink") for x in samples]
    rx = [sum(v[1] for v in x.values() if v[0] == "vnic") for x in samples]
    if not tx or not rx:
        sys.exit("bench: %s: no samples after warm-up" % s)
    if max(rx) == 0:
        sys.exit("bench: %s: the vNIC received nothing after warm-up" % s)
    per_port = {}
    for x in samples:
        for k, v in x.items():
            per_port.setdefault(k, []).append(v[1] if v[0] == "vnic" else v[2])
    a, b = load(fa), load(fb)
    res = {"type": "iochain", "scenario": s, "run": r, "exit": rc, "tsc_ghz": ghz,
           "tx_samples": tx, "rx_samples": rx,
           "tx_mpps": statistics.median(tx), "rx_mpps": statistics.median(rx),
           "port_mpps": {k: statistics.median(v) for k, v in per_port.items()}}
    if gen:
        res["offered_mpps"] = gen_mpps(gen, warm)
    if a and b and a.get("vnic") and b.get("vnic"):
        dt = b["t"] - a["t"]
        va, vb = a["vnic"]["/iochain/stats"], b["vnic"]["/iochain/stats"]

        def rate(x, y, k):
            return (y.get(k, 0) - x.get(k, 0)) / dt / 1e6
        res["window_s"] = dt
        try:
            res["slots"] = sorted(b["chain"]["/iochain/summarize_dvfilter"]["slots"])
        except Exception:
            res["slots"] = None
        res["vnic_counters"] = vb
        res["conn_full"] = vb.get("sfw_drop_conn_full", 0)
        res["conn_full_mpps"] = rate(va, vb, "sfw_drop_conn_full")
        res["ring_full_mpps"] = rate(va, vb, "svc_drop_ring_full")
        res["rx_mpps_window"] = rate(va, vb, "rx")
        if a.get("uplink") and b.get("uplink"):
            ua, ub = a["uplink"]["/iochain/stats"], b["uplink"]["/iochain/stats"]
            res["tx_mpps_window"] = rate(ua, ub, "tx")
            res["uplink_drops_mpps"] = rate(ua, ub, "tx_drop_full")
        if a.get("svm") and b.get("svm"):
            sa, sb = a["svm"]["/iochain/svm"], b["svm"]["/iochain/svm"]
            res["svm_allow_mpps"] = rate(sa, sb, "allow")
            res["svm_counters"] = sb
            n_in = sb.get("in", 0) - sa.get("in", 0)
            if n_in > 0 and "busy_cycles" in sb:
                res["svm_busy_cycles_per_pkt"] = (sb["busy_cycles"] - sa.get("busy_cycles", 0)) / n_in
        la, lb = ((x.get("lcores") or {}).get("/iochain/lcores") for x in (a, b))
        n_rx = vb.get("rx", 0) - va.get("rx", 0)
        if la and lb and "lcore_1" in la and "lcore_1" in lb and n_rx > 0:
            busy = lb["lcore_1"]["busy_cycles"] - la["lcore_1"]["busy_cycles"]
            res["busy_cycles_per_rx"] = busy / n_rx
            res["busy_fraction"] = busy / (dt * lb["tsc_hz"])
    threads = {}
    for line in open(fth) if fth else []:
        f = line.split()
        if len(f) == 2:
            threads.setdefault(f[0], []).append(int(f[1]))
    res["threads_cpu"] = threads
    print(json.dumps(res))


def parse_testpmd(a):
    g, mode, r, warm, log = a[0], a[1], int(a[2]), int(a[3]), a[4]
    gen = a[5] if len(a) > 5 else ""
    blocks = testpmd_blocks(log)[warm:]
    # the sink ports: 1 (and 3): net_null or the memif uplink
    v = [sum(tx for p, (rx, tx) in b.items() if p % 2 == 1) for b in blocks if b]
    per = {p: med([b[p][1] for b in blocks if p in b]) for p in (1, 3) if any(p in b for b in blocks)}
    if not v or max(v) == 0:
        sys.exit("bench: testpmd %s on %s: no samples, or nothing forwarded" % (mode, g))
    res = {"type": "testpmd", "group": g, "mode": mode, "run": r, "samples": v,
           "mpps": statistics.median(v), "port_mpps": per}
    if gen:
        res["offered_mpps"] = gen_mpps(gen, warm)
    print(json.dumps(res))


def parse_ovs(a):
    s, r, stateful, flows, samples, pmd, ct = a[0], int(a[1]), a[2] == "true", int(a[3]), a[4], a[5], a[6]
    pts = [tuple(float(x) for x in line.split()) for line in open(samples) if len(line.split()) == 2]
    v = [(b[1] - a_[1]) / (b[0] - a_[0]) / 1e6 for a_, b in zip(pts, pts[1:]) if b[0] > a_[0]]
    if not v or max(v) == 0:
        sys.exit("bench: OVS-DPDK on %s: no samples, or nothing forwarded" % s)
    res = {"type": "ovs", "scenario": s, "run": r, "samples": v, "mpps": statistics.median(v)}
    # pmd-stats-show: the PMD thread's "avg processing cycles per packet: X (cycles/packets)"
    for line in open(pmd):
        m = re.search(r"avg processing cycles per packet: ([0-9.]+)", line)
        if m:
            res["cycles_per_packet"] = float(m.group(1))
            break
    m = re.search(r"Total: ([0-9]+)", open(ct).read())
    res["ct_entries"] = int(m.group(1)) if m else None
    # A stateful run is valid only if OVS tracked every flow of the pcap, no more, no less.
    res["valid"] = (res["ct_entries"] == flows) if stateful else (res["ct_entries"] in (0, None))
    print(json.dumps(res))


def show():
    d = json.loads(sys.stdin.read().strip().splitlines()[-1])
    if d["type"] == "testpmd":
        x = "run %d: testpmd %s on %s: %.3f Mpps" % (d["run"], d["mode"], d["group"], d["mpps"])
    elif d["type"] == "ovs":
        x = "run %d: %s: OVS-DPDK %.3f Mpps forwarded, %s cycles/pkt (pmd-stats), %s conntrack entries%s" % (
            d["run"], d["scenario"], d["mpps"], fmt(d.get("cycles_per_packet"), "%.0f"),
            d.get("ct_entries"), "" if d["valid"] else " (INVALID: not one entry per flow)")
    else:
        x = "run %d: %s: iochain %.3f Mpps forwarded, %.3f Mpps received" % (
            d["run"], d["scenario"], d["tx_mpps"], d["rx_mpps"])
        if len(d.get("port_mpps", {})) > 2:
            x += " (%s)" % ", ".join("%s %.3f" % kv for kv in sorted(d["port_mpps"].items()))
        if d.get("conn_full_mpps"):
            x += ", sfw_drop_conn_full %.3f Mpps" % d["conn_full_mpps"]
        if "svm_allow_mpps" in d:
            x += ", SVM allow %.3f Mpps, svc_drop_ring_full %.3f Mpps" % (d["svm_allow_mpps"], d["ring_full_mpps"])
    if d.get("offered_mpps") is not None:
        x += ", generator offered %.3f Mpps" % d["offered_mpps"]
    print(x)


def label(sc, slots=None):
    n, k, flows, size = sc["name"], sc["kind"], sc["flows"], sc["frame_bytes"]
    if k == "slot1":
        if slots and slots != [1]:
            # no [dfw] section, yet the chain has more than spoofguard (slot 2's defaults)
            return "%s: 1 vNIC (swsec; no [dfw], chain slots %s) → uplink, %d B, %d flows, 1 lcore" % (
                n, "+".join(str(x) for x in slots), size, flows)
        return "%s: 1 vNIC (swsec) → uplink, %d B, %d flows, 1 lcore" % (n, size, flows)
    dfw = "dfw %d rules, %s" % (sc["rules"], "stateful" if sc["stateful"] else "stateless")
    extra = " (%s)" % sc["note"] if sc["note"] else ""
    if k == "slot12":
        return "%s: 1 vNIC (swsec, %s) → uplink, %d B, %d flows%s, 1 lcore" % (n, dfw, size, flows, extra)
    if k == "slot12x2":
        return ("%s: 2 vNICs (swsec, %s) → 2 uplinks, %d B, %d flows each, 2 lcores "
                "(a vNIC and its uplink per lcore)" % (n, dfw, size, flows))
    if k == "memif":
        return ("%s: testpmd txonly → memif vNIC (swsec, %s) → uplink, %d B, 1 flow, 1 lcore"
                % (n, dfw, size))
    return ("%s: 1 vNIC (swsec, %s, redirect to 1 SVM worker) → uplink, %d B, %d flows, "
            "1 fwd lcore + 1 worker on CPU 0" % (n, dfw, size, flows))


def gbps(mpps, size):
    return mpps * size * 8 / 1e3 if mpps else None


def report(argv):
    meta = json.load(open(argv[0]))
    rows = [json.loads(x) for x in open(argv[1]) if x.strip()]
    out = argv[2]
    ghz = next((r["tsc_ghz"] for r in rows if r["type"] == "iochain" and r.get("tsc_ghz")), None)
    if ghz is None:
        sys.exit("bench_report: no TSC frequency in iochain's output")

    def cyc(mpps, lcores=1):
        return ghz * 1e3 * lcores / mpps if mpps else None
    tp, tp_off, tp_port = {}, {}, {}
    for r in rows:
        if r["type"] == "testpmd":
            tp.setdefault(r["group"], {}).setdefault(r["mode"], []).append(r["mpps"])
            if r.get("offered_mpps") is not None:
                tp_off.setdefault(r["group"], []).append(r["offered_mpps"])
            for p, v in r.get("port_mpps", {}).items():
                tp_port.setdefault(r["group"], {}).setdefault(p, []).append(v)
    res_sc = []
    for sc in meta["scenarios"]:
        runs = [r for r in rows if r["type"] == "iochain" and r["scenario"] == sc["name"]]
        runs.sort(key=lambda r: r["run"])
        tx = [r["tx_mpps"] for r in runs]
        rx = [r["rx_mpps"] for r in runs]
        io = tp.get(sc["group"], {}).get("io", []) if sc["kind"] in ("slot1", "memif") else []
        sw = tp.get(sc["group"], {}).get("5tswap", [])
        lc = 2 if sc["kind"] == "slot12x2" else 1
        m = {"iochain": med(tx), "rx": med(rx), "io": med(io), "5tswap": med(sw)}
        o = {
            "scenario": sc["name"], "kind": sc["kind"], "frame_bytes": sc["frame_bytes"],
            "flows": sc["flows"], "pcap_frames": sc["frames"], "runs": meta["runs"],
            "seconds": meta["seconds"], "warmup_samples_dropped": meta["warmup"],
            "forwarding_lcores": lc,
            "lcores": sc["lcores"], "lcore_map": sc["lcore_map"], "tsc_ghz": ghz,
            "iochain_mpps": m["iochain"], "iochain_rx_mpps": m["rx"],
            "iochain_gbps": gbps(m["iochain"], sc["frame_bytes"]),
            "testpmd_io_mpps": m["io"], "testpmd_5tswap_mpps": m["5tswap"],
            "testpmd_5tswap_gbps": gbps(m["5tswap"], sc["frame_bytes"]),
            "ratio_io": m["iochain"] / m["io"] if m["io"] and m["iochain"] else None,
            "ratio_5tswap": m["iochain"] / m["5tswap"] if m["5tswap"] and m["iochain"] else None,
            "cycles_per_packet": {"iochain_per_received": cyc(m["rx"], lc),
                                  "iochain_per_forwarded": cyc(m["iochain"], lc),
                                  "io": cyc(m["io"]), "5tswap": cyc(m["5tswap"], lc)},
            "samples": {"iochain": tx, "iochain_rx": rx, "testpmd_io": io, "testpmd_5tswap": sw,
                        "iochain_per_second": [r["tx_samples"] for r in runs]},
            "busy_cycles_per_rx": med([r["busy_cycles_per_rx"] for r in runs if "busy_cycles_per_rx" in r]),
            "busy_fraction": med([r["busy_fraction"] for r in runs if "busy_fraction" in r]),
            "threads_cpu": runs[-1].get("threads_cpu") if runs else None,
            "chain_slots": runs[-1].get("slots") if runs else None,
            "pool": {"mbufs": sc["mbufs"] or "default"},
        }
        if sc["kind"] != "slot1":
            o["dfw"] = {"rules": sc["rules"], "stateful": sc["stateful"], "default_action": "drop",
                        "connections_per_lcore": sc["connections"] or 65536}
            o["sfw_drop_conn_full"] = [r.get("conn_full") for r in runs]
            o["sfw_drop_conn_full_mpps"] = med([r["conn_full_mpps"] for r in runs if "conn_full_mpps" in r])
        if sc["note"]:
            o["note"] = sc["note"]
        if sc["kind"] == "slot12x2":
            ports = {}
            for r in runs:
                for k, v in r.get("port_mpps", {}).items():
                    ports.setdefault(k, []).append(v)
            o["per_lcore_mpps"] = {"lcore 1 (uplink0)": med(ports.get("uplink0", [])),
                                   "lcore 2 (uplink1)": med(ports.get("uplink1", []))}
            pp = tp_port.get(sc["group"], {})
            o["testpmd_5tswap_per_core_mpps"] = {"core 1 (port 1)": med(pp.get("1", pp.get(1, []))),
                                                 "core 2 (port 3)": med(pp.get("3", pp.get(3, [])))}
        if sc["kind"] == "memif":
            o["uplink"] = "net_memif drained by testpmd rxonly" if meta.get("memif_sink") else "net_null"
            o["generator_offered_mpps"] = med([r["offered_mpps"] for r in runs if r.get("offered_mpps") is not None])
            o["generator_offered_mpps_testpmd_io"] = med(tp_off.get(sc["group"], []))
            o["uplink_drops_mpps"] = med([r["uplink_drops_mpps"] for r in runs if "uplink_drops_mpps" in r])
        if sc["kind"] == "slot124":
            o["svm_allow_mpps"] = med([r["svm_allow_mpps"] for r in runs if "svm_allow_mpps" in r])
            o["svc_drop_ring_full_mpps"] = med([r["ring_full_mpps"] for r in runs if "ring_full_mpps" in r])
            o["svm_counters_last_run"] = runs[-1].get("svm_counters") if runs else None
            o["svm_busy_cycles_per_pkt"] = med([r["svm_busy_cycles_per_pkt"] for r in runs
                                                if "svm_busy_cycles_per_pkt" in r])
            o["per_run_mpps"] = tx
        ovs = [r for r in rows if r["type"] == "ovs" and r["scenario"] == sc["name"]]
        if ovs:
            ok = [r for r in ovs if r["valid"]]
            o["ovs"] = {
                "mpps": med([r["mpps"] for r in ok]),
                "cycles_per_packet_pmd": med([r["cycles_per_packet"] for r in ok if r.get("cycles_per_packet")]),
                "conntrack_entries": [r.get("ct_entries") for r in ovs],
                "invalid_runs": len(ovs) - len(ok),
                "samples": [r["mpps"] for r in ovs],
            }
            o["ovs_mpps"] = o["ovs"]["mpps"]
            o["ratio_ovs"] = m["iochain"] / o["ovs"]["mpps"] if o["ovs"]["mpps"] and m["iochain"] else None
        o["vnic_counters_last_run"] = runs[-1].get("vnic_counters") if runs else None
        res_sc.append(o)

    by = {o["scenario"]: o for o in res_sc}
    base = by.get("pcap-slot12-r10-f1k")
    for o in res_sc:
        if o["kind"] == "slot124" and base:
            a, b = o["cycles_per_packet"]["iochain_per_received"], base["cycles_per_packet"]["iochain_per_received"]
            o["added_cycles_per_received_packet_vs_pcap-slot12-r10-f1k"] = a - b if a and b else None
            a, b = o["busy_cycles_per_rx"], base["busy_cycles_per_rx"]
            o["added_busy_cycles_per_packet_vs_pcap-slot12-r10-f1k"] = a - b if a and b else None
        if o["kind"] == "slot12x2" and base and base["iochain_mpps"] and o["iochain_mpps"]:
            o["speedup_vs_1_lcore_pcap-slot12-r10-f1k"] = o["iochain_mpps"] / base["iochain_mpps"]

    md = ["| scenario | iochain Mpps | testpmd io Mpps | ratio | testpmd 5tswap Mpps | ratio | iochain cycles/pkt |",
          "| --- | --- | --- | --- | --- | --- | --- |"]
    for sc, o in zip(meta["scenarios"], res_sc):
        md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label(sc, o["chain_slots"]), fmt(o["iochain_mpps"]), fmt(o["testpmd_io_mpps"]), fmt(o["ratio_io"]),
            fmt(o["testpmd_5tswap_mpps"]), fmt(o["ratio_5tswap"]),
            fmt(o["cycles_per_packet"]["iochain_per_received"], "%.0f")))
    md += ["", "iochain Mpps = forwarded (uplink tx); cycles/pkt = TSC cycles (%.1f GHz) per packet "
           "the forwarding lcore(s) received (the vNIC's rx; with 2 lcores, 2 x cycles / total)." % ghz]
    det = [o for o in res_sc if o["kind"] in ("slot12", "slot124") and o["frame_bytes"] == 64]
    if det:
        md += ["", "| scenario | dfw rules | stateful | flows | pcap frames | pool mbufs | connections/lcore "
               "| received Mpps | forwarded Mpps | sfw_drop_conn_full Mpps | SVM allow Mpps "
               "| svc_drop_ring_full Mpps | cycles/received pkt | busy cycles/pkt | lcore 1 busy |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for o in det:
            md.append("| %s | %d | %s | %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                o["scenario"], o["dfw"]["rules"], "yes" if o["dfw"]["stateful"] else "no", o["flows"],
                o["pcap_frames"], o["pool"]["mbufs"], o["dfw"]["connections_per_lcore"],
                fmt(o["iochain_rx_mpps"]), fmt(o["iochain_mpps"]), fmt(o.get("sfw_drop_conn_full_mpps")),
                fmt(o.get("svm_allow_mpps")), fmt(o.get("svc_drop_ring_full_mpps")),
                fmt(o["cycles_per_packet"]["iochain_per_received"], "%.0f"),
                fmt(o["busy_cycles_per_rx"], "%.0f"),
                fmt(100 * o["busy_fraction"] if o["busy_fraction"] is not None else None, "%.0f%%")))
        md += ["", "busy cycles/pkt: the TSC cycles lcore 1 spent in polls that found work "
               "(/iochain/lcores) per packet the vNIC received; lcore 1 busy: that time's share of the "
               "window. Unlike cycles/received pkt, it does not count polls that found nothing, so it "
               "is the forwarding cost even when another stage (the SVM worker) sets the rate."]
        k = "added_cycles_per_received_packet_vs_pcap-slot12-r10-f1k"
        for o in det:
            if o.get(k) is not None:
                md += ["", "pcap-slot124 vs pcap-slot12-r10-f1k (same run): %+.0f cycles per received "
                       "packet on the forwarding lcore (%.0f vs %.0f); end to end %.2f Mpps, the SVM "
                       "allowed %.2f Mpps." % (o[k], o["cycles_per_packet"]["iochain_per_received"],
                                              base["cycles_per_packet"]["iochain_per_received"],
                                              o["iochain_mpps"], o["svm_allow_mpps"] or 0)]
                kb = "added_busy_cycles_per_packet_vs_pcap-slot12-r10-f1k"
                if o.get(kb) is not None:
                    md += ["", "Busy cycles per packet on the forwarding lcore: %+.0f with the redirect "
                           "(%.0f vs %.0f); the SVM worker spent %s busy cycles per packet it inspected; "
                           "end to end per run: %s Mpps."
                           % (o[kb], o["busy_cycles_per_rx"], base["busy_cycles_per_rx"],
                              fmt(o.get("svm_busy_cycles_per_pkt"), "%.0f"),
                              ", ".join("%.2f" % x for x in o.get("per_run_mpps", [])))]
    sizes = [by[n] for n in ("pcap-slot12-r1000-f64k", "pcap-slot12-r1000-f64k-s512",
                             "pcap-slot12-r1000-f64k-s1500") if n in by]
    if any(o["frame_bytes"] != 64 for o in sizes):
        md += ["", "Frame sizes (slots 1+2, 1000 rules, stateful, 64k flows; bytes without FCS, "
               "Gbit/s = Mpps x bytes x 8):", "",
               "| frame bytes | iochain Mpps | iochain Gbit/s | testpmd 5tswap Mpps | testpmd 5tswap Gbit/s | ratio |",
               "| --- | --- | --- | --- | --- | --- |"]
        for o in sizes:
            md.append("| %d | %s | %s | %s | %s | %s |" % (
                o["frame_bytes"], fmt(o["iochain_mpps"]), fmt(o["iochain_gbps"]),
                fmt(o["testpmd_5tswap_mpps"]), fmt(o["testpmd_5tswap_gbps"]), fmt(o["ratio_5tswap"])))
    for o in res_sc:
        if o["kind"] == "slot12x2":
            pl, pc = o["per_lcore_mpps"], o["testpmd_5tswap_per_core_mpps"]
            md += ["", "2 forwarding lcores (%s): iochain %s Mpps in all (lcore 1 on CPU 1: %s, lcore 2 on "
                   "CPU 0: %s), %sx pcap-slot12-r10-f1k on 1 lcore in the same run (%s Mpps); testpmd "
                   "5tswap with 2 cores %s Mpps (%s / %s). One vNIC per lcore, not RSS: net_pcap and "
                   "net_null have no RSS for iochain to split one vNIC with, and iochain refuses 2 RX "
                   "queues on a port without it; lcore 2 shares CPU 0 with the control lcore." % (
                       o["scenario"], fmt(o["iochain_mpps"]), fmt(pl["lcore 1 (uplink0)"]),
                       fmt(pl["lcore 2 (uplink1)"]), fmt(o.get("speedup_vs_1_lcore_pcap-slot12-r10-f1k")),
                       fmt(base["iochain_mpps"] if base else None), fmt(o["testpmd_5tswap_mpps"]),
                       fmt(pc["core 1 (port 1)"]), fmt(pc["core 2 (port 3)"]))]
        if o["kind"] == "memif":
            md += ["", "%s: uplink %s; generator (testpmd txonly, CPU 0) offered %s Mpps with iochain, "
                   "%s Mpps with testpmd io; delivered at the uplink: iochain %s Mpps (uplink drops %s "
                   "Mpps), testpmd io %s Mpps." % (
                       o["scenario"], o["uplink"], fmt(o["generator_offered_mpps"]),
                       fmt(o["generator_offered_mpps_testpmd_io"]), fmt(o["iochain_mpps"]),
                       fmt(o["uplink_drops_mpps"]), fmt(o["testpmd_io_mpps"]))]
    vs = [o for o in res_sc if "ovs" in o]
    if vs:
        md += ["", "Against OVS-DPDK with the same policy (scripts/bench_ovs.sh: one PMD on CPU 1, "
               "iochain's forwarding CPU; port security, the rules as priority flows, ct() with "
               "ct(commit) when stateful):", "",
               "| scenario | flows | stateful | iochain Mpps | OVS-DPDK Mpps | iochain / OVS | "
               "iochain cycles/pkt | OVS cycles/pkt (pmd-stats) | OVS conntrack entries | invalid OVS runs |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for o in vs:
            md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d |" % (
                o["scenario"], o["flows"], "yes" if o["dfw"]["stateful"] else "no", fmt(o["iochain_mpps"]),
                fmt(o["ovs"]["mpps"]), fmt(o.get("ratio_ovs")),
                fmt(o["cycles_per_packet"]["iochain_per_received"], "%.0f"),
                fmt(o["ovs"]["cycles_per_packet_pmd"], "%.0f"),
                "/".join(str(x) for x in o["ovs"]["conntrack_entries"]), o["ovs"]["invalid_runs"]))
        md += ["", "A stateful OVS run counts only if its conntrack holds exactly one entry per flow "
               "of the pcap; OVS cycles/pkt are its PMD's processing cycles per packet received."]
    md += ["", "Lcores:"] + ["- %s: %s" % (o["scenario"], o["lcore_map"]) for o in res_sc]
    res = {"machine": meta["machine"], "tsc_ghz": ghz, "runs": meta["runs"], "seconds": meta["seconds"],
           "warmup_samples_dropped": meta["warmup"], "quick": bool(meta["quick"]),
           "method": "per run, the median of the per-second samples after warm-up; per scenario, "
                     "the median of the runs; testpmd runs once per pcap and mode in each run, "
                     "shared by the scenarios on that pcap",
           "scenarios": res_sc}
    json.dump(res, open(out + "/results.json", "w"), indent=1)
    open(out + "/results.md", "w").write("\n".join(md) + "\n")
    print("\n".join(md))
    for o in res_sc:
        print("%s per run (Mpps): iochain %s; testpmd io %s; testpmd 5tswap %s%s" % (
            o["scenario"], ", ".join("%.2f" % x for x in o["samples"]["iochain"]),
            ", ".join("%.2f" % x for x in o["samples"]["testpmd_io"]) or "—",
            ", ".join("%.2f" % x for x in o["samples"]["testpmd_5tswap"]) or "—",
            "; OVS-DPDK " + ", ".join("%.2f" % x for x in o["ovs"]["samples"]) if "ovs" in o else ""))
    print("(medians of %d runs; %s/results.json has every sample)" % (meta["runs"], out))


# ---- scripts/bench-appliance.sh ----------------------------------------------------------------

UP = "=== up"  # written into a log when the appliance is up: samples start there


def iochain_uplink_tx(log):
    """iochain's per-second lines after UP: the uplinks' tx Mpps, one value per second."""
    out, cur = [], None
    for line in lines_after(log, UP):
        if line.startswith("final counters"):
            break
        f = line.split()
        if f[:2] == ["port", "kind"]:
            cur = []
            out.append(cur)
        elif len(f) == 7 and cur is not None and f[1] == "uplink":
            cur.append(float(f[6]))
    return [sum(x) for x in out if x]


def appliance_run(kind, t, r, warm, d=None, log=None):
    """One run: delivered Mpps per second (after warm-up), and what the appliance forwarded."""
    log = log or "%s/%s.%s.%d.log" % (d, "iochain" if kind == "iochain" else "harness", t, r)
    if kind == "iochain":
        v = iochain_uplink_tx(log)[warm:]
    else:  # the harness: port 3 (net_null) is the sink
        v = [b[3][1] for b in testpmd_blocks(log, UP) if 3 in b][warm:]
    res = {"tool": kind, "transport": t, "run": r, "samples": v, "mpps": med(v)}
    if d:
        a = "%s/appl.%s.%s.%d.log" % (d, "iochain" if kind == "iochain" else "ref", t, r)
        try:
            # the appliance's port 1 transmits what entered port 0: outbound, the traffic here
            res["appliance_mpps"] = med([b[1][1] for b in testpmd_blocks(a) if 1 in b][warm:])
        except OSError:
            res["appliance_mpps"] = None
        th = "%s/threads.%s.%s.%d" % (d, "iochain" if kind == "iochain" else "ref", t, r)
        try:
            res["threads"] = [" ".join(x.split()) for x in open(th) if x.strip()]
        except OSError:
            res["threads"] = []
    return res


def appliance_show(a):
    kind, t, r, warm, log = a[0], a[1], int(a[2]), int(a[3]), a[4]
    x = appliance_run(kind, t, r, warm, log=log)
    if not x["samples"] or not x["mpps"]:
        sys.exit("bench-appliance: %s over %s, run %d: no samples, or nothing delivered" % (kind, t, r))
    print("run %d: %s: %s %.3f Mpps delivered (per second: %s)" % (
        r, t, "iochain + appliance" if kind == "iochain" else "appliance alone (harness)", x["mpps"],
        ", ".join("%.2f" % s for s in x["samples"])))


def appliance_report(a):
    d, runs, warm, out, transports, lcores = a[0], int(a[1]), int(a[2]), a[3], a[4].split(","), a[5]
    loadavg = lambda p: " ".join(re.findall(r"[0-9]+\.[0-9]+", open("%s/%s" % (d, p)).read())[-3:])
    res = {"lcores": lcores, "runs": runs, "warmup_samples_dropped": warm,
           "load_before": loadavg("load.before"), "load_after": loadavg("load.after"), "transports": {}}
    md = ["%s. %d runs; load average before %s, after %s." % (
        lcores, runs, res["load_before"], res["load_after"]), "",
          "| transport | iochain + appliance Mpps | appliance alone Mpps | ratio | appliance's own rate "
          "in iochain's runs / alone (Mpps) | per run: iochain; alone |",
          "| --- | --- | --- | --- | --- | --- |"]
    for t in transports:
        io = [appliance_run("iochain", t, r, warm, d) for r in range(1, runs + 1)]
        ref = [appliance_run("ref", t, r, warm, d) for r in range(1, runs + 1)]
        m_io, m_ref = med([x["mpps"] for x in io if x["mpps"]]), med([x["mpps"] for x in ref if x["mpps"]])
        svm = load("%s/svm.%s.%d.json" % (d, t, runs))
        o = {"iochain_mpps": m_io, "alone_mpps": m_ref,
             "ratio": m_io / m_ref if m_io and m_ref else None,
             "appliance_mpps_in_iochain_runs": med([x["appliance_mpps"] for x in io if x.get("appliance_mpps")]),
             "appliance_mpps_alone": med([x["appliance_mpps"] for x in ref if x.get("appliance_mpps")]),
             "runs": {"iochain": io, "alone": ref}, "worker_last_run": svm}
        res["transports"][t] = o
        md.append("| %s | %s | %s | %s | %s / %s | %s; %s |" % (
            t, fmt(m_io), fmt(m_ref), fmt(o["ratio"]), fmt(o["appliance_mpps_in_iochain_runs"]),
            fmt(o["appliance_mpps_alone"]), ", ".join(fmt(x["mpps"]) for x in io),
            ", ".join(fmt(x["mpps"]) for x in ref)))
    md += ["", "Threads and the CPU each last ran on (last run):"]
    for t in transports:
        for k in ("iochain", "alone"):
            x = res["transports"][t]["runs"][k][-1]
            md.append("- %s, %s: %s" % (t, "iochain + appliance" if k == "iochain" else "harness + appliance",
                                         "; ".join(x.get("threads", []))))
    json.dump(res, open(out + "/appliance.json", "w"), indent=1)
    open(out + "/appliance.md", "w").write("\n".join(md) + "\n")
    print("\n".join(md))
    bad = [t for t in transports if not res["transports"][t]["iochain_mpps"] or not res["transports"][t]["alone_mpps"]]
    if bad:
        sys.exit("bench-appliance: nothing delivered over %s" % ", ".join(bad))



def main():
    cmd, a = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "parse-iochain" and len(a) in (8, 9):
        parse_iochain(a)
    elif cmd == "parse-ovs" and len(a) == 7:
        parse_ovs(a)
    elif cmd == "parse-testpmd" and len(a) in (5, 6):
        parse_testpmd(a)
    elif cmd == "show" and not a:
        show()
    elif cmd == "report" and len(a) == 3:
        report(a)
    elif cmd == "appliance-show" and len(a) == 5:
        appliance_show(a)
    elif cmd == "appliance-report" and len(a) == 6:
        appliance_report(a)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
