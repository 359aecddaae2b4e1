#!/usr/bin/env python3
"""Analysis for scripts/bench-failover.sh.

  failover_report.py report DRILLS.jsonl STOP.log WORKER OUTDIR [META.json]
      -> OUTDIR/failover.md, OUTDIR/failover.json (and prints the markdown)
  failover_report.py timeline SAMPLES.jsonl EVENTS.json WORKER POLICY TSV PNG
      -> a gnuplot PNG of one stall + resume drill

Times come from iochain's events (/iochain/events: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ text",
CLOCK_REALTIME, microseconds): a drill's own event ("svm W: drill stall|crash|resume",
written when the telemetry command is handled) and the watchdog's verdicts
("instance W: down: ...", "instance W: up: ...").
"""
import datetime
import json
import math
import re
import subprocess
import sys

EV = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})Z (.*)$")


def ev_time(line):
    m = EV.match(line)
    if not m:
        return None, line
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp(), m.group(2)


def first(events, pattern, after=None):
    """Time of the first event matching pattern (at or after `after`)."""
    for line in events:
        t, text = ev_time(line)
        if t is not None and re.search(pattern, text) and (after is None or t >= after):
            return t
    return None


def pct(v, q):
    if not v:
        return None
    s = sorted(v)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def ms(x):
    return None if x is None else round(x * 1e3, 3)


def fmt(x, f="%.1f"):
    return "—" if x is None else f % x


def counters(snap):
    v = (snap or {}).get("vnic") or {}
    v = v.get("/iochain/stats") or {}
    w = (snap or {}).get("svm") or {}
    w = w.get("/iochain/svm") or {}
    return v, w


def lost_table(groups, policy):
    """Markdown rows: what the drills of one policy cost, per drill kind."""
    rows = ["| drill | drills | svc_svm_down_drop sum (max) | svc_drop_ring_full sum (max) | fenced_drop sum (max) |",
            "| --- | --- | --- | --- | --- |"]
    for g in groups:
        if g["policy"] != policy:
            continue
        l = g["lost"]
        rows.append("| %s | %d | %d (%d) | %d (%d) | %d (%d) |" % (
            g["kind"], g["drills"], l["svc_svm_down_drop"]["sum"], l["svc_svm_down_drop"]["max"],
            l["svc_drop_ring_full"]["sum"], l["svc_drop_ring_full"]["max"],
            l["fenced_drop"]["sum"], l["fenced_drop"]["max"]))
    return rows


def report(drills_path, stop_log, worker, out, meta_path=None):
    drills = [json.loads(x) for x in open(drills_path) if x.strip()]
    W = re.escape(worker)
    per = []
    for d in drills:
        ev = d["events"]
        kind = d["kind"]
        r = {"kind": kind, "policy": d["policy"], "i": d["i"], "waited_ok": d.get("ok", False),
             "events_truncated": d.get("truncated", False), "events": ev}
        t_drill = first(ev, r"^svm %s: drill %s$" % (W, kind))
        t_down = first(ev, r"^instance %s: down" % W, t_drill)
        t_up = first(ev, r"^instance %s: up" % W, t_down)
        if kind == "stall":
            t_res = first(ev, r"^svm %s: drill resume$" % W, t_drill)
            t_up = first(ev, r"^instance %s: up" % W, t_res)
            r["detection_ms"] = ms(t_down - t_drill) if t_drill and t_down else None
            r["recovery_ms"] = ms(t_up - t_res) if t_res and t_up else None
            r["stalled_for_ms"] = ms(t_res - t_drill) if t_res and t_drill else None
        else:
            r["detection_ms"] = ms(t_down - t_drill) if t_drill and t_down else None
            r["recovery_ms"] = ms(t_up - t_drill) if t_drill and t_up else None  # crash to inspecting
            r["relaunched"] = any(re.search(r"%s: crashed, relaunched" % W, x) for x in ev)
        n_down = sum(1 for x in ev if re.search(r"instance %s: down" % W, ev_time(x)[1]))
        r["extra_down_events"] = max(0, n_down - 1)
        va, wa = counters(d.get("a"))
        vb, wb = counters(d.get("b"))
        r["delta"] = {k: vb.get(k, 0) - va.get(k, 0) for k in
                      ("svc_svm_down_drop", "svc_drop_ring_full", "svc_svm_down_bypass",
                       "svc_bypass_ring_full", "svc_reclaimed", "svc_svm_allow", "rx")}
        r["delta"]["fenced_drop"] = wb.get("fenced_drop", 0) - wa.get("fenced_drop", 0)
        for k in ("near_misses", "preempted_ms"):
            r["delta"][k] = wb.get(k, 0) - wa.get(k, 0)
        r["delta"]["allow"] = wb.get("allow", 0) - wa.get("allow", 0)
        r["between_drills_down_events"] = d.get("between_down", 0)
        r["between_events"] = d.get("between_events", [])
        r["between_events_lost"] = d.get("between_truncated", 0)
        per.append(r)

    groups = []
    for kind in ("stall", "crash"):
        for pol in ("failOpen", "failClosed", "all"):
            rs = [r for r in per if r["kind"] == kind and (pol == "all" or r["policy"] == pol)]
            if not rs:
                continue
            det = [r["detection_ms"] for r in rs if r["detection_ms"] is not None]
            rec = [r["recovery_ms"] for r in rs if r["recovery_ms"] is not None]
            g = {"kind": kind, "policy": pol, "drills": len(rs),
                 "measured": {"detection": len(det), "recovery": len(rec)},
                 "detection_ms": {"p50": pct(det, .5), "p99": pct(det, .99), "max": max(det) if det else None,
                                  "min": min(det) if det else None},
                 "recovery_ms": {"p50": pct(rec, .5), "p99": pct(rec, .99), "max": max(rec) if rec else None,
                                 "min": min(rec) if rec else None},
                 "lost": {k: {"sum": sum(r["delta"][k] for r in rs), "max": max(r["delta"][k] for r in rs),
                              "drills_nonzero": sum(1 for r in rs if r["delta"][k])}
                          for k in ("svc_svm_down_drop", "svc_drop_ring_full", "fenced_drop")},
                 "failed_waits": sum(1 for r in rs if not r["waited_ok"]),
                 "extra_down_events": sum(r["extra_down_events"] for r in rs)}
            groups.append(g)

    # The ledger at stop: iochain's final counters (SIGINT).
    ports, freed, final, rc, pool = {}, 0, False, None, None
    for line in open(stop_log, errors="replace"):
        m = re.match(r"mbufs in use: (\d+) at start, (\d+) at stop", line)
        if m:
            pool = (int(m.group(1)), int(m.group(2)))
        if line.startswith("final counters"):
            final = True
            continue
        m = re.match(r"iochain: freed (\d+) packets in flight to SVMs at stop", line)
        if m:
            freed = int(m.group(1))
        m = re.match(r"exit status (\d+)", line)
        if m:
            rc = int(m.group(1))
        f = line.split()
        if final and len(f) == 7 and f[1] in ("vnic", "uplink"):
            ports[f[0]] = {"rx": int(f[2]), "tx": int(f[3]), "drops": int(f[4])}
    ledger = None
    if ports:
        srx = sum(p["rx"] for p in ports.values())
        stx = sum(p["tx"] for p in ports.values())
        sdr = sum(p["drops"] for p in ports.values())
        ledger = {"rx": srx, "tx": stx, "drops": sdr, "freed_at_stop": freed,
                  "unaccounted": srx - stx - sdr - freed, "ports": ports, "exit_status": rc,
                  "formula": "sum(rx) - sum(tx) - sum(drops) - freed in flight at stop (no flooding, "
                             "no replies in this topology)"}
    meta = json.load(open(meta_path)) if meta_path else {}
    last = counters(drills[-1].get("b"))[1] if drills else {}
    if ledger is not None:
        ledger["worker_fenced_drop_total"] = last.get("fenced_drop")
    # The headline: a `down` nobody drilled, between drills or a second one within a drill.
    false_down = {"between_drills": sum(r["between_drills_down_events"] for r in per),
                  "within_drills": sum(r["extra_down_events"] for r in per),
                  "drills": [r["i"] for r in per if r["between_drills_down_events"] or r["extra_down_events"]]}
    false_down["total"] = false_down["between_drills"] + false_down["within_drills"]
    # What the watchdog excused: still heartbeats of a thread that did not run (issue 17).
    excused = {k: sum(r["delta"][k] for r in per) for k in ("near_misses", "preempted_ms")}
    res = {"meta": meta, "worker": worker, "false_down": false_down, "excused": excused,
           "summary": groups,
           "ledger_at_stop": ledger,
           "mbufs_leaked": ("%d (in use: %d at start, %d at stop)" % (pool[1] - pool[0], pool[0], pool[1])
                            if pool else "not measured: iochain printed no pool usage at stop"),
           "drills": per}
    json.dump(res, open(out + "/failover.json", "w"), indent=1)

    md = []
    if meta:
        md += ["%s; %s; %s; watchdog_rt_priority %s; competitor: %s." % (meta.get("topology", ""), meta.get("lcores", ""), meta.get("drills", ""), meta.get("watchdog_rt_priority", "-"), meta.get("competitor", "none")), ""]
    st = meta.get("steady_state")
    if st:
        md += ["Steady state without a drill (1 s each): the vNIC receives %.2f / %.2f Mpps (failOpen / "
               "failClosed), the SVM inspects %.2f / %.2f Mpps; what its ring cannot take bypasses it "
               "uninspected under failOpen (svc_bypass_ring_full %.2f Mpps) and is dropped under "
               "failClosed (svc_drop_ring_full %.2f Mpps). Those drops are the offered load exceeding the "
               "SVM, not the drills." % (
                   st["failOpen"]["rx_mpps"], st["failClosed"]["rx_mpps"], st["failOpen"]["svm_allow_mpps"],
                   st["failClosed"]["svm_allow_mpps"], st["failOpen"]["bypass_ring_full_mpps"],
                   st["failClosed"]["drop_ring_full_mpps"]), ""]
    md += ["**False DOWN: %d** (`instance W: down` events no drill caused: %d between drills, %d extra "
           "within drills%s)." % (false_down["total"], false_down["between_drills"],
                                   false_down["within_drills"],
                                   "; before drills " + ", ".join(map(str, false_down["drills"]))
                                   if false_down["drills"] else ""),
           "", "Excused by the watchdog over the drills (a still heartbeat of a thread that did not run): "
           "near_misses %d, preempted_ms %d." % (excused["near_misses"], excused["preempted_ms"]), ""]
    md += ["| drill | policy | drills | detection p50 / p99 / max (ms) | recovery p50 / p99 / max (ms) |",
           "| --- | --- | --- | --- | --- |"]
    for g in groups:
        if g["policy"] == "all" and len([x for x in groups if x["kind"] == g["kind"]]) == 2:
            continue
        d, r = g["detection_ms"], g["recovery_ms"]
        md.append("| %s | %s | %d | %s / %s / %s | %s / %s / %s |" % (
            g["kind"], g["policy"], g["drills"], fmt(d["p50"]), fmt(d["p99"]), fmt(d["max"]),
            fmt(r["p50"]), fmt(r["p99"]), fmt(r["max"])))
    md += ["", "Detection: `instance W: down` minus `svm W: drill stall|crash`. Recovery: stall: "
           "`instance W: up` minus `svm W: drill resume`; crash: `instance W: up` minus `svm W: drill "
           "crash` (crash to inspecting again, relaunch included). Event timestamps: iochain's, "
           "CLOCK_REALTIME, microseconds.", "",
           "Packets lost on failOpen drills (deltas over each drill, profile already failOpen; target 0):", ""]
    md += lost_table(groups, "failOpen")
    md += ["", "For comparison, failClosed drills (these drops are the policy working):", ""]
    md += lost_table(groups, "failClosed")
    issues = sum(g["failed_waits"] for g in groups if g["policy"] != "all")
    extra = sum(g["extra_down_events"] for g in groups if g["policy"] != "all")
    between = sum(r["between_drills_down_events"] for r in per)
    md += ["", "Drills whose wait timed out: %d; extra `down` events within drills: %d; `down` events "
           "between drills (false detections): %d." % (issues, extra, between)]
    if ledger:
        md += ["", "Ledger at stop (SIGINT, iochain's final counters): rx %d = tx %d + drops %d + freed "
               "in flight %d + unaccounted **%d**; exit status %s. The worker's fenced_drop counter "
               "(packets a fenced worker freed, over the whole run) is %s%s." % (
                   ledger["rx"], ledger["tx"], ledger["drops"], freed, ledger["unaccounted"], rc,
                   ledger["worker_fenced_drop_total"],
                   ": the unaccounted packets are those, which no port counter records"
                   if ledger["unaccounted"] and ledger["unaccounted"] == ledger["worker_fenced_drop_total"] else "")]
    else:
        md += ["", "Ledger at stop: iochain printed no final counters."]
    md += ["", "mbufs leaked: " + res["mbufs_leaked"] + "."]
    open(out + "/failover.md", "w").write("\n".join(md) + "\n")
    print("\n".join(md))
    return 0 if per and not issues and pool and pool[0] == pool[1] else 3


def timeline(samples_path, events_path, worker, policy, tsv, png):
    S = [json.loads(x) for x in open(samples_path) if x.strip()]
    ev = json.load(open(events_path))["/iochain/events"]["events"]
    W = re.escape(worker)
    t_stall = first(ev, r"^svm %s: drill stall$" % W)
    # the last drill in the window: the events may hold older ones
    for line in ev:
        t, text = ev_time(line)
        if t is not None and re.search(r"^svm %s: drill stall$" % W, text) and t >= S[0]["t"]:
            t_stall = t
            break
    t_down = first(ev, r"^instance %s: down" % W, t_stall)
    t_res = first(ev, r"^svm %s: drill resume$" % W, t_stall)
    t_up = first(ev, r"^instance %s: up" % W, t_res)
    if None in (t_stall, t_down, t_res, t_up):
        sys.exit("timeline: the events lack the drill (stall %s, down %s, resume %s, up %s)" % (
            t_stall, t_down, t_res, t_up))
    up_cmd, svm_cmd = "/iochain/stats,uplink0", "/iochain/svm,%s" % worker

    # A counter was read some time between the request and its reply: take the midpoint,
    # and skip samples whose round trip was slow (the telemetry thread shares CPU 0 with
    # the SVM worker), whose read time is uncertain: a rate spans reliable samples only.
    def series(cmd, key):
        rtt = sorted(x["ts"][cmd][1] - x["ts"][cmd][0] for x in S)
        limit = max(0.0005, 3 * rtt[len(rtt) // 2])
        pts = [(sum(x["ts"][cmd]) / 2, x["r"][cmd][key]) for x in S
               if x["ts"][cmd][1] - x["ts"][cmd][0] <= limit]
        return [((ta + tb) / 2 - t_stall, (vb - va) / (tb - ta) / 1e6)
                for (ta, va), (tb, vb) in zip(pts, pts[1:]) if tb > ta], len(S) - len(pts)
    txs, skip_tx = series(up_cmd, "tx")
    als, skip_al = series(svm_cmd, "allow")
    # one row per tx point, with the allow rate of the nearest allow point
    rows, j = [], 0
    for t, tx in txs:
        while j + 1 < len(als) and abs(als[j + 1][0] - t) <= abs(als[j][0] - t):
            j += 1
        rows.append((t, tx, als[j][1] if als else float("nan")))
    with open(tsv, "w") as f:
        f.write("# seconds since 'drill stall'\tuplink tx Mpps (through the VM)\tSVM allow Mpps\n")
        for r in rows:
            f.write("%.6f\t%.4f\t%.4f\n" % r)
    det, rec = (t_down - t_stall) * 1e3, (t_up - t_res) * 1e3
    name = "failOpen" if policy == "failOpen" else "failClosed"
    marks = [(0.0, "svm stall", "#d62728"), (t_down - t_stall, "detected down (+%.1f ms)" % det, "#ff7f0e"),
             (t_res - t_stall, "svm resume", "#2ca02c"), (t_up - t_stall, "up again (+%.1f ms)" % rec, "#17becf")]
    ymax = max([r[1] for r in rows] + [r[2] for r in rows] + [1]) * 1.5
    g = ["set terminal pngcairo size 1200,620 font 'Sans,11'",
         "set output '%s'" % png,
         "set title \"%s: SVM worker stalled for about 1 s, then resumed, under traffic\"" % name,
         "set label 10 \"iochain lab topology on net_pcap + net_null; counters read every ~%.0f ms over "
         "one telemetry connection (%d samples, %d with a slow reply skipped)\" at screen 0.01, screen 0.025 "
         "font ',9'" % (1e3 * (S[-1]["t"] - S[0]["t"]) / max(1, len(S) - 1), len(S), max(skip_tx, skip_al)),
         "set bmargin 5", "set termoption noenhanced",
         "set xlabel 'seconds since svm stall'", "set ylabel 'Mpps'",
         "set yrange [0:%f]" % ymax, "set grid", "set key top right box opaque",
         "set xrange [%f:%f]" % (rows[0][0], rows[-1][0])]
    for i, (x, text, col) in enumerate(marks):
        g.append("set arrow from %f, graph 0 to %f, graph 1 nohead lc rgb '%s' lw 1.5 dt 2" % (x, x, col))
        g.append("set label %d \"%s\" at %f, graph %f left offset 0.5,0 tc rgb '%s'" % (
            i + 1, text, x, 0.97 - 0.06 * i, col))
    g.append("plot '%s' using 1:3 with lines lw 4 lc rgb '#c5b0d5' title 'SVM allow (inspected)', "
             "'' using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'packets through the VM (uplink tx)'" % tsv)
    subprocess.run(["gnuplot"], input="\n".join(g) + "\n", text=True, check=True)
    # A summary for the log: mean rates before the stall, while stalled (after detection), after up.
    def mean(lo, hi, k):
        v = [r[k] for r in rows if lo <= r[0] < hi]
        return sum(v) / len(v) if v else float("nan")
    print("timeline %s: detection %.1f ms, recovery %.1f ms; through the VM %.2f Mpps before, %.2f while "
          "down, %.2f after; SVM allow %.2f / %.2f / %.2f Mpps" % (
              name, det, rec, mean(-1, 0, 1), mean(t_down - t_stall + .01, t_res - t_stall, 1),
              mean(t_up - t_stall + .05, 99, 1), mean(-1, 0, 2), mean(t_down - t_stall + .01, t_res - t_stall, 2),
              mean(t_up - t_stall + .05, 99, 2)))
    return 0


def main(argv):
    if len(argv) in (6, 7) and argv[1] == "report":
        return report(*argv[2:])
    if len(argv) == 8 and argv[1] == "timeline":
        return timeline(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
