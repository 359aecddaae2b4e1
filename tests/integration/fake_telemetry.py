#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A fake of iochain's DPDK telemetry v2 socket, serving canned /iochain/ data.

It behaves like DPDK 22.11 lib/telemetry: a SOCK_SEQPACKET socket at
<runtime_dir>/dpdk_telemetry.v2 (runtime_dir as EAL computes it from the
file prefix), a greeting message on connect, then one reply per request of
the form {"<cmd>": data} where <cmd> is the request up to its first comma;
unknown commands and bad parameters get {"<cmd>": null}.

VM1S1.eth0's summarize_dvfilter replies are iochain's own, recorded from the
lab of test_lab_ping.sh (data/dvfilter-VM1S1.eth0.json, which that test
checks against the running iochain); the other vNICs are made up to exercise
the client (unsorted slots, a slot 4 per service instance, no slot).

Used by test_iochainctl_fake.sh. Extra commands under /test/ send broken
replies; --mode changes how connections are treated:
  normal  serve requests (default)
  refuse  close every connection at once, as DPDK does past MAX_CONNECTIONS
  hangup  send the greeting, then close on the first request
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading

MAX_OUTPUT_LEN = 16384
MAX_CMD_LEN = 56

UUID1 = "50 2d ab 38 d6 2e 97 47-70 5b 29 23 9b 01 ec cb"
UUID2 = "50 2d 11 22 33 44 55 66-77 88 99 aa bb cc dd ee"

HERE = os.path.dirname(os.path.abspath(__file__))
CMD_DVFILTER = "/iochain/summarize_dvfilter"
with open(os.path.join(HERE, "data", "dvfilter-VM1S1.eth0.json")) as f:
    RECORDED = json.load(f)

VNICS = {
    "VM1S1.eth0": RECORDED[CMD_DVFILTER + ",VM1S1.eth0"],
    "VM1S1.eth1": {"world": 168252, "vm": "VM1S1", "vc_uuid": UUID1,
                   "switch_port": 33554462, "vnic": "VM1S1.eth1", "eth": 1,
                   # two service instances: slot 4 listed once per filter;
                   # unsorted: the client prints slots ascending
                   "slots": [4, 1, 4]},
    "VM2S1.eth0": {"world": 168300, "vm": "VM2S1", "vc_uuid": UUID2,
                   "switch_port": 33554470, "vnic": "VM2S1.eth0", "eth": 0,
                   "slots": []},
}


def slot(world, eth, n, agent, vm_state, policy, slow_path, source):
    return {"slot": n, "name": "nic-%d-eth%d-%s.%d" % (world, eth, agent, n),
            "agentName": agent, "state": "IOChain Attached", "vmState": vm_state,
            "failurePolicy": policy, "slowPathID": slow_path, "filter_source": source}


SLOTS = {
    ("VM1S1.eth0", n): RECORDED["%s,VM1S1.eth0,%d" % (CMD_DVFILTER, n)] for n in (1, 2, 4)
}
SLOTS.update({
    ("VM1S1.eth1", 1): slot(168252, 1, 1, "vmware-swsec", "Detached", "failClosed", "none",
                            "Always Enabled"),
    ("VM1S1.eth1", 4): slot(168252, 1, 4, "serviceinstance-4", "Attached", "failOpen",
                            "18020", "Dynamic Filter Creation"),
    ("VM1S1.eth1", 4, 1): slot(168252, 1, 4, "serviceinstance-5", "Detached", "failClosed",
                               "18021", "Dynamic Filter Creation"),
})

PORT_STATS = {
    "VM1S1.eth0": {"kind": "vnic", "port_id": 0, "rx": 10, "tx": 9, "fwd_uplink": 5,
                   "fwd_vnic": 3, "flood": 1, "drop_runt": 0, "drop_no_dest": 0,
                   "drop_out_chain": 1, "drop_in_chain": 0, "tx_queued": 9,
                   "tx_drop_full": 0, "swsec_in": 10, "swsec_pass": 9,
                   "swsec_drop_mac": 1, "swsec_drop_ip": 0},
    "VM1S1.eth1": {"kind": "vnic", "port_id": 1, "rx": 0, "tx": 0, "drop_runt": 0,
                   "tx_drop_full": 0},
    "VM2S1.eth0": {"kind": "vnic", "port_id": 2, "rx": 18446744073709551615,
                   "tx": 1234567, "drop_runt": 2, "tx_drop_full": 3},
    "uplink0": {"kind": "uplink", "port_id": 3, "rx": 123456789, "tx": 42,
                "fwd_vnic": 40, "drop_no_dest": 7},
}


def stats_totals():
    tot = {"ports": list(PORT_STATS)}
    for key in ("rx", "tx"):
        tot[key] = sum(p.get(key, 0) for p in PORT_STATS.values()) % (1 << 64)
    tot["drop"] = sum(v for p in PORT_STATS.values() for k, v in p.items()
                      if isinstance(v, int) and (k.startswith("drop") or "_drop" in k))
    return tot


def summarize(param):
    if param is None:
        return {"host": "host-10", "vnics": list(VNICS)}
    parts = param.split(",")
    if len(parts) == 1:
        return VNICS.get(parts[0])
    if len(parts) == 2 and parts[1].isdigit():
        return SLOTS.get((parts[0], int(parts[1])))
    # VNIC,SLOT,K: the slot's filter K (slot 4 of a vNIC bound to several instances)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return SLOTS.get((parts[0], int(parts[1]), int(parts[2])))
    return None


def stats(param):
    if param is None:
        return stats_totals()
    return PORT_STATS.get(param)


COMMANDS = {
    "/": lambda p: sorted(list(COMMANDS) + ["/test/garbage", "/test/huge"]),
    "/iochain/summarize_dvfilter": summarize,
    "/iochain/stats": stats,
    # A bad server: null where the client expects strings (iochainctl must not crash).
    "/iochain/svm": lambda p: {"workers": ["fgt-1.0", None]} if p is None else None,
    "/iochain/events": lambda p: {"total": 2, "events": ["2026-11-28T10:00:00.000000Z x", None]},
    "/iochain/reload": lambda p: {"ok": 0, "message": "bad", "message_parts": ["bad", None]},
}


def reply_for(msg):
    """The bytes DPDK would send back for request msg."""
    if msg == "/test/garbage":
        return b"this is not json"
    if msg == "/test/huge":
        return json.dumps({"/test/huge": "x" * 40000}).encode()
    cmd, sep, param = msg.partition(",")
    if not sep or param == "":
        param = None
    fn = COMMANDS.get(cmd) if len(cmd) < MAX_CMD_LEN else None
    data = fn(param) if fn else None
    return json.dumps({cmd[:MAX_CMD_LEN]: data}, separators=(",", ":")).encode()


def serve_client(conn, mode):
    with conn:
        if mode == "refuse":
            return
        hello = {"version": "DPDK 22.11.0 (fake iochain)", "pid": os.getpid(),
                 "max_output_len": MAX_OUTPUT_LEN}
        conn.send(json.dumps(hello, separators=(",", ":")).encode())
        while True:
            try:
                data = conn.recv(1023)
            except OSError:
                return
            if not data or mode == "hangup":
                return
            try:
                conn.send(reply_for(data.decode("utf-8", "replace")))
            except OSError:
                return


def runtime_socket(prefix):
    if os.getuid() == 0:
        base = "/var/run"
    else:
        base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    return os.path.join(base, "dpdk", prefix, "dpdk_telemetry.v2")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file-prefix", default="rte")
    ap.add_argument("--socket", help="socket path (default: from the file prefix, like EAL)")
    ap.add_argument("--mode", choices=("normal", "refuse", "hangup"), default="normal")
    ap.add_argument("--ready", help="file to create once the socket accepts connections")
    args = ap.parse_args()

    path = args.socket or runtime_socket(args.file_prefix)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    # iochain's control socket beside the telemetry one: iochainctl sends what
    # changes iochain there; the fake serves both alike.
    paths = [path, os.path.join(os.path.dirname(path), "iochain_control")]
    servers = []
    for p in paths:
        if os.path.exists(p):
            os.unlink(p)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        srv.bind(p)
        srv.listen(16)
        servers.append(srv)

    def stop(_sig, _frame):
        for p in paths:
            try:
                os.unlink(p)
            except OSError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(path + "\n")
    def accept(srv):
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=serve_client, args=(conn, args.mode), daemon=True).start()

    for srv in servers[1:]:
        threading.Thread(target=accept, args=(srv,), daemon=True).start()
    accept(servers[0])


if __name__ == "__main__":
    sys.exit(main())
