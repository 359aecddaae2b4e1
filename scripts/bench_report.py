#!/usr/bin/env python3
"""Tables of scripts/bench.sh: bench_report.py META.json RESULTS.jsonl OUTDIR.

META describes the scenarios in order; RESULTS has one JSON line per run of a tool
(type iochain: a scenario's run; type testpmd: a pcap group's run of one mode).
Writes OUTDIR/results.md and OUTDIR/results.json and prints the markdown.
"""
import json
import statistics
import sys


def med(v):
    return statistics.median(v) if v else None


def fmt(x, f="%.2f"):
    return "—" if x is None else f % x


def label(sc, slots=None):
    n, k = sc["name"], sc["kind"]
    flows = sc["flows"]
    if k == "slot1":
        if slots and slots != [1]:
            # no [dfw] section, yet the chain has more than spoofguard (slot 2's defaults)
            return "%s: 1 vNIC (swsec; no [dfw], chain slots %s) → uplink, 64 B, %d flows, 1 lcore" % (
                n, "+".join(str(x) for x in slots), flows)
        return "%s: 1 vNIC (swsec) → uplink, 64 B, %d flows, 1 lcore" % (n, flows)
    dfw = "dfw %d rules, %s" % (sc["rules"], "stateful" if sc["stateful"] else "stateless")
    extra = " (%s)" % sc["note"] if sc["note"] else ""
    if k == "slot12":
        return "%s: 1 vNIC (swsec, %s) → uplink, 64 B, %d flows%s, 1 lcore" % (n, dfw, flows, extra)
    return ("%s: 1 vNIC (swsec, %s, redirect to 1 SVM worker) → uplink, 64 B, %d flows, "
            "1 fwd lcore + 1 worker on CPU 0" % (n, dfw, flows))


def main():
    meta = json.load(open(sys.argv[1]))
    rows = [json.loads(x) for x in open(sys.argv[2]) if x.strip()]
    out = sys.argv[3]
    ghz = next((r["tsc_ghz"] for r in rows if r["type"] == "iochain" and r.get("tsc_ghz")), None)
    if ghz is None:
        sys.exit("bench_report: no TSC frequency in iochain's output")
    cyc = lambda mpps: ghz * 1e3 / mpps if mpps else None
    tp = {}
    for r in rows:
        if r["type"] == "testpmd":
            tp.setdefault(r["group"], {}).setdefault(r["mode"], []).append(r["mpps"])
    res_sc = []
    for sc in meta["scenarios"]:
        runs = [r for r in rows if r["type"] == "iochain" and r["scenario"] == sc["name"]]
        runs.sort(key=lambda r: r["run"])
        tx = [r["tx_mpps"] for r in runs]
        rx = [r["rx_mpps"] for r in runs]
        io = tp.get(sc["group"], {}).get("io", []) if sc["kind"] == "slot1" else []
        sw = tp.get(sc["group"], {}).get("5tswap", [])
        m = {"iochain": med(tx), "rx": med(rx), "io": med(io), "5tswap": med(sw)}
        o = {
            "scenario": sc["name"], "kind": sc["kind"], "frame_bytes": 64, "flows": sc["flows"],
            "pcap_frames": sc["frames"], "runs": meta["runs"], "seconds": meta["seconds"],
            "warmup_samples_dropped": meta["warmup"],
            "lcores": sc["lcores"], "lcore_map": sc["lcore_map"], "tsc_ghz": ghz,
            "iochain_mpps": m["iochain"], "iochain_rx_mpps": m["rx"],
            "testpmd_io_mpps": m["io"], "testpmd_5tswap_mpps": m["5tswap"],
            "ratio_io": m["iochain"] / m["io"] if m["io"] else None,
            "ratio_5tswap": m["iochain"] / m["5tswap"] if m["5tswap"] else None,
            "cycles_per_packet": {"iochain_per_received": cyc(m["rx"]),
                                  "iochain_per_forwarded": cyc(m["iochain"]),
                                  "io": cyc(m["io"]), "5tswap": cyc(m["5tswap"])},
            "samples": {"iochain": tx, "iochain_rx": rx, "testpmd_io": io, "testpmd_5tswap": sw,
                        "iochain_per_second": [r["tx_samples"] for r in runs]},
            "threads_cpu": runs[-1].get("threads_cpu") if runs else None,
            "chain_slots": runs[-1].get("slots") if runs else None,
            "pool": {"mbufs": sc["pool"], "padding_lcores": sc["pad_lcores"],
                     "padding_uplinks": sc["pad_uplinks"], "padding_rxq_per_uplink": sc["pad_rxq"]},
        }
        if sc["kind"] != "slot1":
            o["dfw"] = {"rules": sc["rules"], "stateful": sc["stateful"], "default_action": "drop"}
            o["sfw_drop_conn_full"] = [r.get("conn_full") for r in runs]
            o["sfw_drop_conn_full_mpps"] = med([r["conn_full_mpps"] for r in runs if "conn_full_mpps" in r])
        if sc["note"]:
            o["note"] = sc["note"]
            o["flows_requested"] = 1048576
        if sc["kind"] == "slot124":
            o["svm_allow_mpps"] = med([r["svm_allow_mpps"] for r in runs if "svm_allow_mpps" in r])
            o["svc_drop_ring_full_mpps"] = med([r["ring_full_mpps"] for r in runs if "ring_full_mpps" in r])
            o["svm_counters_last_run"] = runs[-1].get("svm_counters") if runs else None
        o["vnic_counters_last_run"] = runs[-1].get("vnic_counters") if runs else None
        res_sc.append(o)

    base = next((o for o in res_sc if o["scenario"] == "pcap-slot12-r10-f1k"), None)
    for o in res_sc:
        if o["kind"] == "slot124" and base:
            a, b = o["cycles_per_packet"]["iochain_per_received"], base["cycles_per_packet"]["iochain_per_received"]
            o["added_cycles_per_received_packet_vs_pcap-slot12-r10-f1k"] = a - b if a and b else None

    md = ["| scenario | iochain Mpps | testpmd io Mpps | ratio | testpmd 5tswap Mpps | ratio | iochain cycles/pkt |",
          "| --- | --- | --- | --- | --- | --- | --- |"]
    for sc, o in zip(meta["scenarios"], res_sc):
        md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label(sc, o["chain_slots"]), fmt(o["iochain_mpps"]), fmt(o["testpmd_io_mpps"]), fmt(o["ratio_io"]),
            fmt(o["testpmd_5tswap_mpps"]), fmt(o["ratio_5tswap"]),
            fmt(o["cycles_per_packet"]["iochain_per_received"], "%.0f")))
    det = [o for o in res_sc if o["kind"] != "slot1"]
    if det:
        md += ["", "iochain Mpps = forwarded (uplink tx); cycles/pkt = TSC cycles per packet the "
               "forwarding lcore received (the vNIC's rx).", "",
               "| scenario | dfw rules | stateful | flows | pcap frames | pool mbufs (padding lcores/uplinks) "
               "| received Mpps | forwarded Mpps | sfw_drop_conn_full Mpps | SVM allow Mpps "
               "| svc_drop_ring_full Mpps | cycles/received pkt |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for o in det:
            p = o["pool"]
            md.append("| %s | %d | %s | %d | %d | %d (%d/%d) | %s | %s | %s | %s | %s | %s |" % (
                o["scenario"], o["dfw"]["rules"], "yes" if o["dfw"]["stateful"] else "no", o["flows"],
                o["pcap_frames"], p["mbufs"], p["padding_lcores"], p["padding_uplinks"],
                fmt(o["iochain_rx_mpps"]), fmt(o["iochain_mpps"]), fmt(o.get("sfw_drop_conn_full_mpps")),
                fmt(o.get("svm_allow_mpps")), fmt(o.get("svc_drop_ring_full_mpps")),
                fmt(o["cycles_per_packet"]["iochain_per_received"], "%.0f")))
        for o in det:
            k = "added_cycles_per_received_packet_vs_pcap-slot12-r10-f1k"
            if o.get(k) is not None:
                md += ["", "pcap-slot124 vs pcap-slot12-r10-f1k (same run): %+.0f cycles per received "
                       "packet on the forwarding lcore (%.0f vs %.0f); end to end %.2f Mpps, the SVM "
                       "allowed %.2f Mpps." % (o[k], o["cycles_per_packet"]["iochain_per_received"],
                                              base["cycles_per_packet"]["iochain_per_received"],
                                              o["iochain_mpps"], o["svm_allow_mpps"] or 0)]
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
        print("%s per run (Mpps): iochain %s; testpmd io %s; testpmd 5tswap %s" % (
            o["scenario"], ", ".join("%.2f" % x for x in o["samples"]["iochain"]),
            ", ".join("%.2f" % x for x in o["samples"]["testpmd_io"]) or "—",
            ", ".join("%.2f" % x for x in o["samples"]["testpmd_5tswap"]) or "—"))
    print("(medians of %d runs; %s/results.json has every sample)" % (meta["runs"], out))


if __name__ == "__main__":
    main()
