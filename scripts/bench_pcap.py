#!/usr/bin/env python3
"""Write a benchmark pcap: 64-byte UDP frames from VM1S1 to udp/5001 over FLOWS flows.

Every frame carries VM1S1's MAC and IP (10.0.0.11, spoofguard passes it) and
the laptop's MAC (02:00:00:00:00:64, switched to the uplink). Flow f has
source port 1024 + f % 64512 and destination IP 10.0.0.100 + f // 64512
(10.0.0.100, 10.0.0.101, ...), so more than 64k flows stay distinct 5-tuples;
destination port is always 5001. Frame i belongs to flow i % FLOWS: the pcap
holds every flow once per FLOWS frames. Standard library only.

  bench_pcap.py --out FILE --flows N [--packets N] [--size 64] [--vm 1|2]

--vm 2: the frames come from VM2S1 (02:00:00:00:02:01, 10.0.0.12) instead.
"""
import argparse
import os
import struct

VMS = {1: (bytes.fromhex("020000000101"), bytes([10, 0, 0, 11])),
       2: (bytes.fromhex("020000000201"), bytes([10, 0, 0, 12]))}
DMAC = bytes.fromhex("020000000064")
PORTS = 65536 - 1024


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--flows", type=int, required=True)
    ap.add_argument("--packets", type=int, default=0, help="default: FLOWS")
    ap.add_argument("--size", type=int, default=64, help="frame bytes without FCS: 60..1514")
    ap.add_argument("--vm", type=int, choices=(1, 2), default=1, help="source VM: VM1S1 or VM2S1")
    a = ap.parse_args()
    smac, sip = VMS[a.vm]
    packets = a.packets or a.flows
    if a.flows < 1 or packets < a.flows:
        ap.error("need 1 <= FLOWS <= PACKETS")
    if a.flows > PORTS * 155:
        ap.error("too many flows")
    if not 60 <= a.size <= 1514:
        ap.error("--size must be 60..1514")
    payload = b"\0" * (a.size - 42)
    ulen = 8 + len(payload)
    with open(a.out + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        frames = []
        for fl in range(a.flows):
            sport = 1024 + fl % PORTS
            dip = bytes([10, 0, 0, 100 + fl // PORTS])
            ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17,
                                       0, sip, dip))
            ip[10:12] = struct.pack("!H", checksum(bytes(ip)))
            frames.append(DMAC + smac + b"\x08\x00" + bytes(ip) +
                          struct.pack("!HHHH", sport, 5001, ulen, 0) + payload)
        for i in range(packets):
            fr = frames[i % a.flows]
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)
    os.replace(a.out + ".tmp", a.out)
    print("wrote %s: %d frames of %d bytes, %d flows" % (a.out, packets, a.size, a.flows))


if __name__ == "__main__":
    main()
