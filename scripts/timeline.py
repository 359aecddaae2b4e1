#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The drills of a run as a picture: iochain's events (`iochainctl raw
/iochain/events`, JSON) drawn as an SVG timeline, one lane per SVM worker
(up / down / recovering), one per instance (vNICs inspected or on their
failure path) and one per profile (failClosed / failOpen), with each drill
and its detection time marked.

    python3 scripts/timeline.py EVENTS.json OUT.svg

Only the standard library; the events' own timestamps (CLOCK_REALTIME, us)
place everything. A gap longer than GAP_S between two events is drawn
shortened (a zigzag on the axis), so that drills seconds apart and
detections milliseconds long are both readable.
"""
import datetime
import html
import json
import re
import sys

GAP_S = 0.4  # longer quiet stretches are drawn this long
LANE_H, LANE_GAP, LEFT, RIGHT, TOP = 26, 14, 230, 30, 56
WIDTH = 1100
COLOURS = {
    "up": "#3a9d5d", "down": "#d64541", "recovering": "#f0a830", "idle": "#9aa5b1",
    "inspected": "#3a9d5d", "failure path": "#d64541",
    "failClosed": "#5b6f95", "failOpen": "#e07b39",
}

STATE = re.compile(r"^svm (\S+): (\S+) -> (\S+) \((.*)\)$")
INSTANCE = re.compile(r"^instance (\S+): (up|down)")
PROFILE = re.compile(r"^profile (\S+): fail_open = (true|false)")
DRILL = re.compile(r"^svm (\S+): drill (\S+)")


def stamp(line):
    return datetime.datetime.strptime(line[:26], "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def parse(events):
    """(t, text) in order; lanes as {name: [(t, state)]}; drills [(t, worker, action)]."""
    # "2026-11-28T12:02:35.843744Z svm W: drill stall": the stamp, a space, the text.
    evs = [(stamp(e), e.split(" ", 1)[1]) for e in events if " " in e]
    lanes, drills, downs = {}, [], []
    for t, x in evs:
        if m := STATE.match(x):
            lane = lanes.setdefault("SVM " + m.group(1), [(evs[0][0], m.group(2))])
            lane.append((t, m.group(3)))
            if m.group(3) == "down":
                downs.append((t, m.group(1), m.group(4)))
        elif m := INSTANCE.match(x):
            name = "vNICs of " + m.group(1)
            lane = lanes.setdefault(name, [(evs[0][0], "inspected" if m.group(2) == "down"
                                            else "failure path")])
            lane.append((t, "failure path" if m.group(2) == "down" else "inspected"))
        elif m := PROFILE.match(x):
            name = "profile " + m.group(1)
            lane = lanes.setdefault(name, [(evs[0][0], "failOpen" if m.group(2) == "false"
                                            else "failClosed")])
            lane.append((t, "failOpen" if m.group(2) == "true" else "failClosed"))
        elif m := DRILL.match(x):
            drills.append((t, m.group(1), m.group(2)))
    return evs, lanes, drills, downs


def axis(evs):
    """A map from time to x, with quiet stretches longer than GAP_S shortened."""
    times = sorted({t for t, _ in evs})
    t0, t_end = times[0] - 0.05, times[-1] + 0.3
    pieces, drawn, prev = [], 0.0, t0
    for t in times + [t_end]:
        gap = t - prev
        pieces.append((prev, drawn, gap > GAP_S))
        drawn += min(gap, GAP_S)
        prev = t
    scale = (WIDTH - LEFT - RIGHT) / drawn

    def x(t):
        k = max(i for i, p in enumerate(pieces) if p[0] <= t) if t >= t0 else 0
        start, at, cut = pieces[k]
        nxt = pieces[k + 1][0] if k + 1 < len(pieces) else t_end
        span = nxt - start
        frac = (t - start) / span if span > 0 else 0
        return LEFT + (at + frac * min(span, GAP_S)) * scale

    breaks = [LEFT + p[1] * scale for p in pieces if p[2]]
    return x, t0, t_end, breaks


def svg(events, title):
    evs, lanes, drills, downs = parse(events)
    if not evs:
        raise SystemExit("timeline: no events")
    x, t0, t_end, breaks = axis(evs)
    order = sorted(lanes, key=lambda n: (not n.startswith("SVM"), not n.startswith("vNICs"), n))
    height = TOP + len(order) * (LANE_H + LANE_GAP) + 120
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{html.escape(title)}</text>']
    for i, name in enumerate(order):
        y = TOP + i * (LANE_H + LANE_GAP)
        out.append(f'<text x="{LEFT - 8}" y="{y + LANE_H / 2 + 4}" text-anchor="end">'
                   f'{html.escape(name)}</text>')
        seg = lanes[name] + [(t_end, None)]
        for (a, state), (b, _) in zip(seg, seg[1:]):
            xa, xb = x(max(a, t0)), x(b)
            out.append(f'<rect x="{xa:.1f}" y="{y}" width="{max(xb - xa, 1):.1f}" '
                       f'height="{LANE_H}" fill="{COLOURS.get(state, "#777")}">'
                       f'<title>{html.escape(state)}</title></rect>')
            if xb - xa > 60:
                out.append(f'<text x="{xa + 4:.1f}" y="{y + LANE_H / 2 + 4}" fill="white">'
                           f'{html.escape(state)}</text>')
    base = TOP + len(order) * (LANE_H + LANE_GAP)
    out.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="black"/>')
    for b in breaks:
        out.append(f'<path d="M{b - 4:.1f},{base + 5} l4,-10 l4,10" fill="none" stroke="black"/>')
    for k, (t, w, action) in enumerate(drills):
        xd = x(t)
        out.append(f'<line x1="{xd:.1f}" y1="{TOP - 6}" x2="{xd:.1f}" y2="{base}" '
                   f'stroke="black" stroke-dasharray="3,3"/>')
        label = f"drill {action}"
        det = next((d for d in downs if d[1] == w and d[0] >= t), None)
        if det is not None and action in ("stall", "crash", "starve") and det[0] - t < 5:
            label += f": down in {(det[0] - t) * 1e3:.1f} ms"
        out.append(f'<text x="{xd + 3:.1f}" y="{base + 18 + 15 * (k % 4)}">'
                   f'{html.escape(label)}</text>')
    out.append(f'<text x="{LEFT}" y="{height - 12}" fill="#555">time from '
               f'{datetime.datetime.fromtimestamp(t0).strftime("%H:%M:%S.%f")[:-3]}; quiet '
               f'stretches over {GAP_S * 1e3:.0f} ms are shortened (zigzag)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: timeline.py EVENTS.json OUT.svg")
    with open(sys.argv[1]) as f:
        reply = json.load(f)
    events = reply.get("/iochain/events", reply).get("events", [])
    with open(sys.argv[2], "w") as f:
        f.write(svg(events, "iochain: the drills of the demo, from its events"))


if __name__ == "__main__":
    main()
