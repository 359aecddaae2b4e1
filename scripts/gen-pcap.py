#!/usr/bin/env python3
"""Write the pcaps that the pcap demo (config/pcap-demo.ini) replays forever.

Each VM sends 64-byte UDP frames over many flows: most to the laptop behind the
uplink, some to the other VM on the host, and every Nth with a spoofed source
IP that spoofguard (slot 1) drops. Standard library only.

  gen-pcap.py [--dir /run/iochain] [--packets 4096] [--flows 1024] [--spoof-every 64]
"""
import argparse
import os
import struct

VMS = {
    "vm1s1": ("02:00:00:00:01:01", "10.0.0.11"),
    "vm2s1": ("02:00:00:00:02:01", "10.0.0.12"),
}
LAPTOP = ("02:00:00:00:00:64", "10.0.0.100")


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip(s):
    return bytes(int(x) for x in s.split("."))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(smac, dmac, sip, dip, sport, dport, size):
    payload = b"\0" * (size - 14 - 20 - 8)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                      ip(sip), ip(dip))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return mac(dmac) + mac(smac) + b"\x08\x00" + hdr + udp


def write_pcap(path, frames):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="/run/iochain")
    ap.add_argument("--packets", type=int, default=4096)
    ap.add_argument("--flows", type=int, default=1024)
    ap.add_argument("--spoof-every", type=int, default=64,
                    help="every Nth frame has a spoofed source IP (0: none)")
    ap.add_argument("--local-every", type=int, default=8,
                    help="every Nth frame goes to the other VM on the host (0: none)")
    ap.add_argument("--size", type=int, default=64, help="frame size in bytes, FCS excluded (as testpmd --txpkts): 60..1514")
    a = ap.parse_args()
    if not 60 <= a.size <= 1514:
        ap.error("--size must be 60..1514")
    os.makedirs(a.dir, exist_ok=True)
    names = list(VMS)
    for k, name in enumerate(names):
        smac, sip = VMS[name]
        other = VMS[names[(k + 1) % len(names)]]
        frames = []
        for i in range(a.packets):
            dmac, dip = LAPTOP
            if a.local_every and i % a.local_every == a.local_every - 1:
                dmac, dip = other
            src = sip
            if a.spoof_every and i % a.spoof_every == a.spoof_every - 1:
                src = "10.0.0.99"
            flow = i % a.flows
            frames.append(udp_frame(smac, dmac, src, dip, 1024 + flow, 5001, a.size))
        path = os.path.join(a.dir, "pcap-demo-%s.pcap" % name)
        write_pcap(path, frames)
        print("wrote %s: %d frames of %d bytes, %d flows" % (path, len(frames), a.size, a.flows))


if __name__ == "__main__":
    main()
