#!/usr/bin/env python3
"""Plots of scripts/bench.sh --plots (gnuplot, pngcairo).

  bench_plot.py RESULTS.json OUTDIR

OUTDIR/bench-rules.png: forwarded Mpps vs dfw rules (10, 1k, 10k) at 64k flows,
stateful and stateless, with testpmd 5tswap on the same pcap.
OUTDIR/bench-flows.png: forwarded Mpps vs flows (1k, 64k, 256k, 1M) at 1k rules,
stateful (and stateless where measured), with testpmd 5tswap on each pcap.
Both: OVS-DPDK with the same policy (with conntrack, and stateless) where it ran.
A plot whose scenarios were not run is skipped, with a note.
"""
import json
import os
import subprocess
import sys
import tempfile


def series(by, names, key="iochain_mpps"):
    """[(x, Mpps)] for the scenarios of `names` ({name: x}) that ran; `key`: whose Mpps."""
    return sorted((x, by[n][key]) for n, x in names.items() if n in by and by[n].get(key) is not None)


def plot(path, title, xlabel, xtics, lines, res):
    if not any(len(v) for _, v in lines):
        print("bench_plot: %s: no scenario of it ran; skipped" % os.path.basename(path))
        return
    tmp = tempfile.mkdtemp(prefix="bench-plot.")
    plots = []
    for i, (name, pts) in enumerate(lines):
        if not pts:
            continue
        f = os.path.join(tmp, "%d.dat" % i)
        with open(f, "w") as fh:
            for x, y in pts:
                fh.write("%g %g\n" % (x, y))
        plots.append("'%s' using 1:2 with linespoints lw 2 pt 7 title '%s'" % (f, name))
    sub = "%s; %d runs x %d s, median; TSC %.1f GHz%s" % (
        res["machine"], res["runs"], res["seconds"], res["tsc_ghz"], "; --quick" if res["quick"] else "")
    script = "\n".join([
        "set terminal pngcairo size 900,540 font 'sans,10'",
        "set output '%s'" % path,
        "set title \"%s\\n{/*0.8 %s}\"" % (title, sub.replace('"', "'")),
        "set logscale x",
        "set xtics (%s)" % ", ".join("'%s' %d" % (l, x) for l, x in xtics),
        "set xlabel '%s'" % xlabel,
        "set ylabel 'forwarded Mpps (64-byte frames, 1 forwarding lcore)'",
        "set yrange [0:*]",
        "set grid",
        "set xrange [%g:%g]" % (xtics[0][1] / 1.5, xtics[-1][1] * 1.5),
        "set key bottom left box opaque",
        "plot " + ", ".join(plots),
    ])
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    print("bench_plot: wrote %s" % path)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    res = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    by = {o["scenario"]: o for o in res["scenarios"]}
    rules = {10: "10", 1000: "1k", 10000: "10k"}
    st = {"pcap-slot12-r%d-f64k" % r: r for r in rules}
    sl = {"pcap-slot12-r%d-f64k-stateless" % r: r for r in rules}
    plot(os.path.join(out, "bench-rules.png"), "iochain slots 1+2: Mpps vs dfw rules (64k flows)",
         "dfw rules (R-1 that never match, then the one allowing the traffic)",
         [(v, k) for k, v in rules.items()],
         [("iochain, stateful", series(by, st)), ("iochain, stateless", series(by, sl)),
          ("testpmd 5tswap (same pcap)", series(by, st, "testpmd_5tswap_mpps")),
          ("OVS-DPDK, ct()", series(by, st, "ovs_mpps")),
          ("OVS-DPDK, stateless", series(by, sl, "ovs_mpps"))], res)
    flows = {1024: "1k", 65536: "64k", 262144: "256k", 1048576: "1M"}
    fst = {"pcap-slot12-r1000-f1k": 1024, "pcap-slot12-r1000-f64k": 65536,
           "pcap-slot12-r1000-f256k": 262144, "pcap-slot12-r1000-f1m": 1048576}
    if "pcap-slot12-r1000-f1m" in by:  # --quick runs fewer flows under that name
        fst["pcap-slot12-r1000-f1m"] = by["pcap-slot12-r1000-f1m"]["flows"]
    fsl = {"pcap-slot12-r1000-f64k-stateless": 65536, "pcap-slot12-r1000-f256k-stateless": 262144}
    plot(os.path.join(out, "bench-flows.png"), "iochain slots 1+2: Mpps vs flows (1000 dfw rules)",
         "flows (connections per lcore: next power of two >= 1.25 x flows)",
         [(v, k) for k, v in flows.items()],
         [("iochain, stateful", series(by, fst)), ("iochain, stateless", series(by, fsl)),
          ("testpmd 5tswap (same pcap)", series(by, fst, "testpmd_5tswap_mpps")),
          ("OVS-DPDK, ct()", series(by, fst, "ovs_mpps")),
          ("OVS-DPDK, stateless", series(by, fsl, "ovs_mpps"))], res)


if __name__ == "__main__":
    main()
