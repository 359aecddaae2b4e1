#!/usr/bin/env python3
"""Analysis for scripts/bench-failover.sh.

  failover_report.py report DRILLS.jsonl STOP.log WORKER OUTDIR [META.json]
      -> OUTDIR/failover.md, OUTDIR/failover.json (and prints the markdown)
  failover_report.py timeline SAMPLES.jsonl EVENTS.json WORKER POLICY TSV PNG
      -> a gnuplot PNG of one stall + resume drill
  failover_report.py appliance DIR WORKER STANDBY OUTDIR META.json
      -> OUTDIR/failover-appliance.{md,json}: the drills of an external SVM
         (bench-failover.sh --appliance; DIR/failure/ and DIR/standby/)

Times come from iochain's events (/iochain/events: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ text",
CLOCK_REALTIME, microseconds): a drill's own event ("svm W: drill stall|crash|resume",
written when the telemetry command is handled) and the watchdog's verdicts
("instance I: down: ...", "instance I: up: ...", I the instance of worker W).
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


def instance(worker):
    """The instance a worker ("INSTANCE.N", standbys "INSTANCE.sN") belongs to: its events
    read "instance INSTANCE: down|up"."""
    return worker.rsplit(".", 1)[0]


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


def final_counters(log):
    """What iochain printed at its stop (and the script appended): per port rx, tx and drops,
    the packets freed in flight, the exit status, the mbuf pool's use at start and stop."""
    ports, freed, final, rc, pool = {}, 0, False, None, None
    for line in open(log, errors="replace"):
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
    return ports, freed, rc, pool


def report(drills_path, stop_log, worker, out, meta_path=None):
    drills = [json.loads(x) for x in open(drills_path) if x.strip()]
    W, I = re.escape(worker), re.escape(instance(worker))
    per = []
    for d in drills:
        ev = d["events"]
        kind = d["kind"]
        r = {"kind": kind, "policy": d["policy"], "i": d["i"], "waited_ok": d.get("ok", False),
             "events_truncated": d.get("truncated", False), "events": ev}
        t_drill = first(ev, r"^svm %s: drill %s$" % (W, kind))
        t_down = first(ev, r"^instance %s: down" % I, t_drill)
        t_up = first(ev, r"^instance %s: up" % I, t_down)
        if kind == "stall":
            t_res = first(ev, r"^svm %s: drill resume$" % W, t_drill)
            t_up = first(ev, r"^instance %s: up" % I, t_res)
            r["detection_ms"] = ms(t_down - t_drill) if t_drill and t_down else None
            r["recovery_ms"] = ms(t_up - t_res) if t_res and t_up else None
            r["stalled_for_ms"] = ms(t_res - t_drill) if t_res and t_drill else None
        else:
            r["detection_ms"] = ms(t_down - t_drill) if t_drill and t_down else None
            r["recovery_ms"] = ms(t_up - t_drill) if t_drill and t_up else None  # crash to inspecting
            r["relaunched"] = any(re.search(r"%s: crashed, relaunched" % W, x) for x in ev)
        n_down = sum(1 for x in ev if re.search(r"instance %s: down" % I, ev_time(x)[1]))
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
    ports, freed, rc, pool = final_counters(stop_log)
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
    md += ["**False DOWN: %d** (`instance I: down` events no drill caused: %d between drills, %d extra "
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
    md += ["", "Detection: `instance I: down` minus `svm W: drill stall|crash`. Recovery: stall: "
           "`instance I: up` minus `svm W: drill resume`; crash: `instance I: up` minus `svm W: drill "
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
    W, I = re.escape(worker), re.escape(instance(worker))
    t_stall = first(ev, r"^svm %s: drill stall$" % W)
    # the last drill in the window: the events may hold older ones
    for line in ev:
        t, text = ev_time(line)
        if t is not None and re.search(r"^svm %s: drill stall$" % W, text) and t >= S[0]["t"]:
            t_stall = t
            break
    t_down = first(ev, r"^instance %s: down" % I, t_stall)
    t_res = first(ev, r"^svm %s: drill resume$" % W, t_stall)
    t_up = first(ev, r"^instance %s: up" % I, t_res)
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


# ---- appliance drills (bench-failover.sh --appliance) -----------------------------------------

def load_json(path):
    try:
        return json.load(open(path))
    except Exception:
        return None


def events_of(path):
    e = load_json(path)
    return e["/iochain/events"] if e else {"total": 0, "events": []}


def new_events(pre, post):
    """The events added from pre to post (and how many fell out of the ring)."""
    n = post["total"] - pre["total"]
    ev = post["events"][-n:] if n > 0 else []
    return ev, n - len(ev)


def field(snap, key, name):
    d = (snap or {}).get(key) or {}
    d = next(iter(d.values()), {}) if d else {}
    v = d.get(name, 0)
    return v if isinstance(v, (int, float)) else 0


def downs(events, workers):
    """Worker transitions to down and instance downs among events."""
    w = "|".join(re.escape(x) for x in workers)
    i = "|".join(re.escape(instance(x)) for x in workers)
    out = []
    for x in events:
        t, text = ev_time(x)
        if re.search(r"^svm (%s): \w+ -> down" % w, text) or re.search(r"^instance (%s): down" % i, text):
            out.append(x)
    return out


def stats(v):
    return {"n": len(v), "p50": pct(v, .5), "p99": pct(v, .99), "max": max(v) if v else None,
            "min": min(v) if v else None}


def stop_ledger(d, phase):
    """The ledger at the end of a phase: iochain's final counters, the appliances' counters read
    while they were stopped and the instance down (nothing entered or left them any more)."""
    snap = load_json("%s/%s/stop.snap" % (d, phase))
    ports, freed, rc, pool = final_counters("%s/%s/iochain.log" % (d, phase))
    res = {"exit_status": rc, "ports": ports, "freed_at_stop": freed,
           "mbufs": ("%d leaked (in use: %d at start, %d at stop)" % (pool[1] - pool[0], pool[0], pool[1])
                     if pool else "not printed"),
           "mbufs_ok": bool(pool and pool[0] == pool[1])}
    if not ports or snap is None:
        res["ok"] = False
        return res
    # svm_sent: held packets a worker handed into an arm (settled there); svm_rx: frames out of
    # an appliance that entered the port's ledger (lib/svc/svm_ext.h).
    sent = sum(field(snap, k, "svm_sent") for k in ("vnic", "uplink"))
    back = sum(field(snap, k, "svm_rx") for k in ("vnic", "uplink"))
    srx = sum(p["rx"] for p in ports.values())
    stx = sum(p["tx"] for p in ports.values())
    sdr = sum(p["drops"] for p in ports.values())
    res.update({"rx": srx, "svm_rx": back, "tx": stx, "drops": sdr, "svm_sent": sent,
                "unaccounted": srx + back - stx - sdr - sent - freed,
                "formula": "sum(rx) + sum(svm_rx) - sum(tx) - sum(drops) - sum(svm_sent) - freed in flight at stop"})
    # What each appliance kept: handed in, never out (its drops, or what it held when it stopped or died).
    app = {}
    for k in ("svm", "sb"):
        if (snap or {}).get(k) is None:
            continue
        g = lambda n: field(snap, k, n)
        app[k] = {x: g(x) for x in ("svm_sent", "svm_returned", "svm_unknown", "svm_late", "svm_lost",
                                    "fenced_drop", "probe_tx", "probe_rx", "restarts")}
        app[k]["kept_by_appliance"] = g("svm_sent") - g("svm_returned") - g("svm_unknown") - g("svm_late")
    res["appliances"] = app
    res["ok"] = res["unaccounted"] == 0 and rc == 0 and res["mbufs_ok"]
    return res


def appliance(d, worker, standby, out, meta_path):
    meta = load_json(meta_path) or {}
    W, SB, I = re.escape(worker), re.escape(standby), re.escape(instance(worker))
    per, false_down = [], {"between_drills": [], "within_drills": [], "watch": [], "before_signal": []}
    phases = [p for p in ("failure", "standby") if __import__("os").path.exists("%s/%s/drills.tsv" % (d, p))]
    for phase in phases:
        pd = "%s/%s" % (d, phase)
        prev_post = None
        for line in open(pd + "/drills.tsv"):
            f = line.split()
            n, kind, pol, ok = int(f[0]), f[1], f[2], f[3] == "1"
            num = lambda x: None if x == "-" else float(x)
            t_sig, t_cont, tw0, w0, tw1, w1, r0, r1 = (num(x) for x in f[4:12])
            pre, post = events_of("%s/d.%d.pre" % (pd, n)), events_of("%s/d.%d.post" % (pd, n))
            ev, lost = new_events(pre, post)
            if prev_post is not None:
                between, _ = new_events(prev_post, pre)
                false_down["between_drills"] += downs(between, [worker, standby])
            prev_post = post
            a, b = load_json("%s/d.%d.a" % (pd, n)), load_json("%s/d.%d.b" % (pd, n))
            r = {"phase": phase, "i": n, "kind": kind, "policy": pol, "waited_ok": ok,
                 "events_lost": lost, "events": ev, "signal": t_sig}
            # A worker down before the signal (a false DOWN in the drill's first instants): the
            # drill measures nothing.
            early = [x for x in downs(ev, [worker, standby]) if ev_time(x)[0] < t_sig]
            r["down_before_signal"] = bool(early)
            if early:
                false_down["before_signal"] += early
            if kind in ("stop", "kill"):
                t_det = first(ev, r"^instance %s: down" % I, t_sig)
            else:
                t_det = first(ev, r"^svm %s: takes over the share of %s" % (SB, W), t_sig)
            r["detection_ms"] = ms(t_det - t_sig) if t_det and not early else None
            cause = [ev_time(x)[1] for x in ev if re.search(r"^svm %s: up -> down" % W, ev_time(x)[1])]
            r["cause"] = re.sub(r"^svm \S+: up -> down \(", "", cause[0]).rstrip(")") if cause else None
            if kind == "stop":
                t_up = first(ev, r"^instance %s: up" % I, t_cont)
                r["recovery_ms"] = ms(t_up - t_cont) if t_up else None
            elif kind == "kill":
                t_up = first(ev, r"^instance %s: up" % I, t_sig)
                r["recovery_ms"] = ms(t_up - t_sig) if t_up else None
                r["restarts"] = sum(1 for x in ev if re.search(r"restart \d+ \(pid", x))
            else:
                t_back = first(ev, r"^svm %s: back to standby" % SB, t_cont)
                r["recovery_ms"] = ms(t_back - t_cont) if t_back else None
            n_inst_down = sum(1 for x in ev if re.search(r"^instance %s: down" % I, ev_time(x)[1])
                              and ev_time(x)[0] >= t_sig)
            extra = n_inst_down - (1 if kind in ("stop", "kill") else 0)
            if extra > 0:
                false_down["within_drills"].append({"i": n, "phase": phase, "instance_downs": n_inst_down})
            if w0 is not None:
                r["window"] = {"uplink_tx": int(w1 - w0), "seconds": round(tw1 - tw0, 4),
                               "mpps": round((w1 - w0) / (tw1 - tw0) / 1e6, 3)}
            if r0 is not None:
                r["standby_returned"] = {"frames": int(r1 - r0), "seconds": round(tw1 - tw0, 4),
                                         "mpps": round((r1 - r0) / (tw1 - tw0) / 1e6, 3)}
            dl = {}
            for k in ("svc_svm_down_drop", "svc_drop_ring_full", "svc_svm_down_bypass",
                      "svc_bypass_ring_full", "drop_fenced", "rx"):
                dl[k] = field(b, "vnic", k) - field(a, "vnic", k)
            dl["uplink_tx"] = field(b, "uplink", "tx") - field(a, "uplink", "tx")
            for k in ("fenced_drop", "svm_lost", "svm_late", "svm_unknown"):
                dl[k] = field(b, "svm", k) - field(a, "svm", k) + field(b, "sb", k) - field(a, "sb", k)
            r["delta"] = dl
            per.append(r)
        wpre, wpost = events_of(pd + "/watch.pre"), events_of(pd + "/watch.post")
        if wpost["total"]:
            ev, _ = new_events(wpre, wpost)
            false_down["watch"] += downs(ev, [worker, standby])
            if prev_post is not None:
                between, _ = new_events(prev_post, wpre)
                false_down["between_drills"] += downs(between, [worker, standby])

    groups = []
    for kind in ("stop", "kill", "standby"):
        rs = [r for r in per if r["kind"] == kind]
        if not rs:
            continue
        g = {"kind": kind, "drills": len(rs),
             "detection_ms": stats([r["detection_ms"] for r in rs if r["detection_ms"] is not None]),
             "recovery_ms": stats([r["recovery_ms"] for r in rs if r["recovery_ms"] is not None]),
             "failed_waits": sum(1 for r in rs if not r["waited_ok"]),
             "down_before_signal": sum(1 for r in rs if r["down_before_signal"]),
             "causes": {}}
        for r in rs:
            c = re.sub(r" [0-9.]+ ms.*$| for$|, last alive.*$", "", r["cause"] or "none")
            g["causes"][c] = g["causes"].get(c, 0) + 1
        for pol in ("failOpen", "failClosed"):
            p = [r for r in rs if r["policy"] == pol]
            g[pol] = {k: sum(r["delta"][k] for r in p) for k in p[0]["delta"]} if p else {}
        if kind == "standby":
            g["standby_inspected"] = sum(1 for r in rs if r.get("standby_returned", {}).get("frames", 0) > 0)
        if kind == "kill":
            g["restarts"] = sum(r["restarts"] for r in rs)
        groups.append(g)

    closed = [r for r in per if r["policy"] == "failClosed"]
    crossed = {"svc_svm_down_bypass": sum(r["delta"]["svc_svm_down_bypass"] for r in closed),
               "uplink_tx_while_down": sum(r["window"]["uplink_tx"] for r in closed if "window" in r),
               "windows": sum(1 for r in closed if "window" in r)}
    opened = [r for r in per if r["policy"] == "failOpen"]
    open_lost = {k: sum(r["delta"][k] for r in opened)
                 for k in ("svc_svm_down_drop", "svc_drop_ring_full", "drop_fenced", "fenced_drop",
                           "svm_unknown", "svm_lost", "svm_late")}
    open_lost["other_than_svm_lost"] = sum(open_lost[k] for k in (
        "svc_svm_down_drop", "svc_drop_ring_full", "drop_fenced", "fenced_drop", "svm_unknown"))
    ledgers = {p: stop_ledger(d, p) for p in phases}
    n_false = sum(len(v) for v in false_down.values())
    res = {"meta": meta, "worker": worker, "standby": standby, "summary": groups,
           "false_down": dict(false_down, total=n_false), "failclosed_crossed": crossed,
           "failopen_lost": open_lost, "ledgers": ledgers, "drills": per}
    json.dump(res, open(out + "/failover-appliance.json", "w"), indent=1)

    md = []
    if meta:
        md += ["%s. Lcores: %s; standby phase: %s. %d drills of each kind, alternately failOpen and "
               "failClosed; iochain and the active appliance at nice %s. Load average (1, 5, 15 min) "
               "before: %s, after: %s." % (
                   meta.get("topology", ""), meta.get("lcores", {}).get("failure", ""),
                   meta.get("lcores", {}).get("standby", ""), meta.get("drills", 0), meta.get("nice", 0),
                   meta.get("load_before", "?"), meta.get("load_after", "?")), ""]
    md += ["| drill | drills | detection p50 / p99 / max (ms) | recovery p50 / p99 / max (ms) | down by |",
           "| --- | --- | --- | --- | --- |"]
    what = {"stop": ("SIGSTOP → every vNIC on its failure path", "SIGCONT → inspected again"),
            "kill": ("SIGKILL → failure path", "SIGKILL → relaunched by `restart` → inspected again"),
            "standby": ("SIGSTOP of the active → standby takes over", "SIGCONT → standby back to the bench")}
    for g in groups:
        dd, rr = g["detection_ms"], g["recovery_ms"]
        md.append("| %s: %s; recovery: %s | %d | %s / %s / %s | %s / %s / %s | %s |" % (
            g["kind"], what[g["kind"]][0], what[g["kind"]][1], g["drills"], fmt(dd["p50"]),
            fmt(dd["p99"]), fmt(dd["max"]), fmt(rr["p50"]), fmt(rr["p99"]), fmt(rr["max"]),
            ", ".join("%s %d" % kv for kv in sorted(g["causes"].items()))))
    md += ["", "Detection: the watchdog's event (`instance I: down`; standby: `svm SB: takes over the "
           "share of W`) minus the instant the script sent the signal ($EPOCHREALTIME just before "
           "`kill`; both CLOCK_REALTIME, µs).", ""]
    sb = [g for g in groups if g["kind"] == "standby"]
    if sb:
        md += ["Standby: it returned frames from its own appliance within 20-120 ms of the takeover in "
               "%d of %d drills." % (sb[0]["standby_inspected"], sb[0]["drills"]), ""]
    kl = [g for g in groups if g["kind"] == "kill"]
    if kl:
        md += ["Kill drills: `restart` ran %d times for %d kills." % (kl[0]["restarts"], kl[0]["drills"]), ""]
    md += ["**False DOWN: %d** (a worker or instance going down with no drill: %d between drills, %d "
           "after a drill began but before its signal, %d in %s s of traffic without drills; instance "
           "downs beyond the drill's own: %d). Drills not measured because the worker was down at "
           "the signal: %d; drills whose wait timed out: %d." % (
               n_false, len(false_down["between_drills"]), len(false_down["before_signal"]),
               len(false_down["watch"]), meta.get("watch_seconds", 0), len(false_down["within_drills"]),
               sum(g["down_before_signal"] for g in groups), sum(g["failed_waits"] for g in groups)), "",
           "**failClosed: packets that crossed while down: %d** (svc_svm_down_bypass over %d failClosed "
           "drills: %d; the uplink's tx in a 100 ms window while down, %d windows: %d)." % (
               crossed["svc_svm_down_bypass"] + crossed["uplink_tx_while_down"], len(closed),
               crossed["svc_svm_down_bypass"], crossed["windows"], crossed["uplink_tx_while_down"]), "",
           "**failOpen: packets lost other than svm_lost: %d** over %d failOpen drills (svc_svm_down_drop "
           "%d, svc_drop_ring_full %d, drop_fenced %d, the worker's fenced_drop %d, svm_unknown %d); "
           "svm_lost %d (frames inside the appliance when it went down), svm_late %d (of those, what a "
           "stopped appliance let out after SIGCONT, before it was in service again: dropped)." % (
               open_lost["other_than_svm_lost"], len(opened), open_lost["svc_svm_down_drop"],
               open_lost["svc_drop_ring_full"], open_lost["drop_fenced"], open_lost["fenced_drop"],
               open_lost["svm_unknown"], open_lost["svm_lost"], open_lost["svm_late"]), ""]
    wins = [r["window"]["mpps"] for r in opened if "window" in r]
    if wins:
        md += ["While down under failOpen the uplink still received %.2f Mpps (median of %d windows), "
               "uninspected." % (pct(wins, .5), len(wins)), ""]
    for p, l in ledgers.items():
        if "unaccounted" not in l:
            md.append("Ledger at stop (%s): not available (exit status %s)." % (p, l.get("exit_status")))
            continue
        md.append("Ledger at stop (%s phase; SIGINT with the appliances stopped): rx %d + svm_rx %d = tx %d "
                  "+ drops %d + svm_sent %d + freed in flight %d + unaccounted **%d**; exit status %s; "
                  "mbufs: %s. %s" % (
                      p, l["rx"], l["svm_rx"], l["tx"], l["drops"], l["svm_sent"], l["freed_at_stop"],
                      l["unaccounted"], l["exit_status"], l["mbufs"],
                      " ".join("Appliance of %s: sent %d, returned %d, unknown %d, late %d, kept %d "
                               "(svm_lost %d), restarts %d." % (
                                   worker if k == "svm" else standby, a["svm_sent"], a["svm_returned"],
                                   a["svm_unknown"], a["svm_late"], a["kept_by_appliance"], a["svm_lost"],
                                   a["restarts"]) for k, a in l.get("appliances", {}).items())))
        md.append("")
    open(out + "/failover-appliance.md", "w").write("\n".join(md) + "\n")
    print("\n".join(md))
    bad = sum(g["failed_waits"] for g in groups)
    bad += crossed["svc_svm_down_bypass"] + crossed["uplink_tx_while_down"]
    bad += sum(1 for l in ledgers.values() if not l.get("ok"))
    return 0 if per and not bad else 3


def main(argv):
    if len(argv) in (6, 7) and argv[1] == "report":
        return report(*argv[2:])
    if len(argv) == 8 and argv[1] == "timeline":
        return timeline(*argv[2:])
    if len(argv) == 7 and argv[1] == "appliance":
        return appliance(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
