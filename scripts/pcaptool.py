#!/usr/bin/env python3
"""Small classic-pcap utilities for make-captures.sh.

  pcaptool.py records FILE            list record offsets (frame, offset, incl_len)
  pcaptool.py cut FILE OUT FRAME      truncate FILE in the middle of FRAME's data
  pcaptool.py bigendian FILE OUT      re-encode FILE with big-endian headers
"""
import struct
import sys

MAGICS = {0xA1B2C3D4: "us", 0xA1B23C4D: "ns"}


def parse(data):
    m_le = struct.unpack("<I", data[:4])[0]
    m_be = struct.unpack(">I", data[:4])[0]
    if m_le in MAGICS:
        e = "<"
    elif m_be in MAGICS:
        e = ">"
    else:
        raise SystemExit("not a classic pcap file")
    hdr = struct.unpack(e + "IHHiIII", data[:24])
    recs = []
    off = 24
    while off + 16 <= len(data):
        ts_s, ts_f, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        recs.append((off, ts_s, ts_f, incl, orig))
        off += 16 + incl
    return e, hdr, recs


def main():
    cmd = sys.argv[1]
    data = open(sys.argv[2], "rb").read()
    e, hdr, recs = parse(data)
    if cmd == "records":
        for i, (off, _, _, incl, orig) in enumerate(recs, 1):
            print(i, off, incl, orig)
    elif cmd == "cut":
        frame = int(sys.argv[4])
        off, _, _, incl, _ = recs[frame - 1]
        cut = off + 16 + incl // 2
        open(sys.argv[3], "wb").write(data[:cut])
        print(f"frame {frame}: record header at byte {off}, incl_len {incl}; "
              f"file cut at byte {cut} ({incl // 2} of {incl} data bytes kept)")
    elif cmd == "bigendian":
        out = bytearray(struct.pack(">IHHiIII", *hdr))
        for off, ts_s, ts_f, incl, orig in recs:
            out += struct.pack(">IIII", ts_s, ts_f, incl, orig)
            out += data[off + 16:off + 16 + incl]
        open(sys.argv[3], "wb").write(out)
    else:
        raise SystemExit("unknown command")


if __name__ == "__main__":
    main()
