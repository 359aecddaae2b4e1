#!/usr/bin/env python3
"""Sample DPDK telemetry commands at a fixed interval over ONE connection.

  telemetry_sampler.py --prefix P [--interval 0.005] [--duration 3] --out FILE CMD [CMD...]

Connects to /var/run/dpdk/P/dpdk_telemetry.v2 (SOCK_SEQPACKET; DPDK 22.11 lib/telemetry:
a greeting on connect, then one JSON reply {"<cmd>": data} per request), reads the
greeting, then every INTERVAL seconds sends each CMD in turn and writes one JSON
line per tick: {"t": wall-clock seconds (CLOCK_REALTIME, as iochain's event
timestamps) when the replies were in, "dt": seconds the tick's requests took,
"ts": {CMD: [sent, replied]}, "r": {CMD: data, ...}}. Ticks are scheduled on an absolute clock, so a slow reply
delays one sample, not the rest. Standard library only.
"""
import argparse
import json
import os
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--runtime-dir", default="/var/run/dpdk")
    ap.add_argument("--interval", type=float, default=0.005)
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("cmds", nargs="+")
    a = ap.parse_args()

    path = os.path.join(a.runtime_dir, a.prefix, "dpdk_telemetry.v2")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    greeting = json.loads(s.recv(4096).decode())
    maxlen = int(greeting.get("max_output_len", 16384))
    n = 0
    with open(a.out, "w") as out:
        start = time.monotonic()
        nxt = start
        while True:
            now = time.monotonic()
            if now - start >= a.duration:
                break
            if now < nxt:
                time.sleep(nxt - now)
            t0 = time.time()
            r, ts = {}, {}
            for c in a.cmds:
                ta = time.time()
                s.send(c.encode())
                reply = s.recv(maxlen)
                tb = time.time()
                if not reply:
                    sys.exit("telemetry_sampler: iochain closed the connection")
                r[c] = json.loads(reply.decode()).get(c.split(",")[0])
                ts[c] = [ta, tb]
            t1 = time.time()
            out.write(json.dumps({"t": t1, "dt": t1 - t0, "ts": ts, "r": r}) + "\n")
            n += 1
            nxt += a.interval
            if nxt < time.monotonic() - a.interval:
                nxt = time.monotonic()  # fell behind: do not burst to catch up
    s.close()
    print("telemetry_sampler: %d samples in %.2f s" % (n, a.duration))


if __name__ == "__main__":
    main()
