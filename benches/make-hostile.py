#!/usr/bin/env python3
"""Writes the hostile captures of issue 10 into a folder, for benches/compare-big.sh.

They are crafted, not recorded: each is made to cost a decoder or a diagram as much as its size allows.

  hpack-bomb.pcap     h2c: one 60 KB header put in HPACK's dynamic table (the server allows a 64 KiB table),
                      then a 120 KB header block of one-byte references to it (7 GB if decoded in full); 184 KB
  syn-hosts.pcap      300 000 SYNs, each from its own host of 10.0.0.0/8 to 10.255.255.254:80; 21 MB
  ws-tiny.pcap        one WebSocket connection, 10 MB of empty text frames in 1 400-byte segments
  pipelined.pcap      one HTTP/1.1 connection, 2 MB of pipelined GETs in 64 000-byte segments (IPv4's limit)

Usage: benches/make-hostile.py FOLDER
"""

import struct
import sys
from pathlib import Path

SYN, RST, PSH, ACK = 0x02, 0x04, 0x08, 0x10
T0 = 1_700_000_000.0


class Pcap:
    """A little-endian microsecond pcap of Ethernet frames carrying IPv4 + TCP."""

    def __init__(self, path: Path):
        self.out = open(path, "wb")
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = T0

    def tcp(self, src, dst, seq, ack, flags, payload=b"", dt=0.00001):
        (sip, sport), (dip, dport) = src, dst
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, bytes(sip), bytes(dip))
        frame = bytes(12) + b"\x08\x00" + ip + tcp + payload
        self.t += dt
        usec = int(round(self.t * 1e6))
        self.out.write(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(frame), len(frame)) + frame)

    def close(self):
        self.out.close()


CLIENT = ((10, 0, 0, 1), 40000)
SERVER = ((10, 0, 0, 2), 80)


def handshake(w: Pcap, c: int, s: int):
    w.tcp(CLIENT, SERVER, c, 0, SYN)
    w.tcp(SERVER, CLIENT, s, c + 1, SYN | ACK)
    w.tcp(CLIENT, SERVER, c + 1, s + 1, ACK)


def stream(w: Pcap, src, dst, seq: int, ack: int, data: bytes, mss: int) -> int:
    """Sends `data` from src in segments of at most `mss` bytes; returns the next sequence number."""
    for at in range(0, len(data), mss):
        piece = data[at : at + mss]
        w.tcp(src, dst, seq, ack, PSH | ACK, piece)
        seq += len(piece)
    return seq


def h2_frame(kind: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    return struct.pack("!I", len(payload))[1:] + bytes([kind, flags]) + struct.pack("!I", stream_id) + payload


def hpack_int(value: int, prefix_bits: int, first: int) -> bytes:
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def hpack_bomb(path: Path):
    w = Pcap(path)
    c, s = 1000, 5000
    handshake(w, c, s)
    table = 65536
    # The server's SETTINGS first: a 64 KiB HPACK table (SETTINGS_HEADER_TABLE_SIZE).
    server = h2_frame(0x4, 0, 0, struct.pack("!HI", 0x1, table))
    s_next = stream(w, SERVER, CLIENT, s + 1, c + 1, server, 16384)
    name, value = b"x-big", b"v" * 60_000
    first = hpack_int(table, 5, 0x20)  # dynamic table size update
    first += b"\x40" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value
    first += b"\x82\x86\x84\x41\x01x"  # :method GET, :scheme http, :path /, :authority x
    block = b"\x82\x86\x84\xbe" + b"\xbe" * 120_000  # index 62: the 60 KB header, again and again
    client = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(0x4, 0, 0, b"")
    client += h2_frame(0x1, 0x5, 1, first)
    # HEADERS then CONTINUATIONs, 16 KiB each: the default SETTINGS_MAX_FRAME_SIZE.
    pieces = [block[i : i + 16384] for i in range(0, len(block), 16384)]
    for i, piece in enumerate(pieces):
        end = 0x4 if i == len(pieces) - 1 else 0
        client += h2_frame(0x1 if i == 0 else 0x9, end | (0x1 if i == 0 else 0), 3, piece)
    stream(w, CLIENT, SERVER, c + 1, s_next, client, 65000)
    w.close()


def syn_hosts(path: Path):
    w = Pcap(path)
    for i in range(300_000):
        host = (10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, (i & 0xFF) or 1)
        w.tcp((host, 1024 + i % 60000), ((10, 255, 255, 254), 80), i * 7919, 0, SYN, dt=0.000002)
    w.close()


def ws_tiny(path: Path):
    w = Pcap(path)
    c, s = 1000, 5000
    handshake(w, c, s)
    request = (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    response = (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    )
    c_next = stream(w, CLIENT, SERVER, c + 1, s + 1, request, 1400)
    stream(w, SERVER, CLIENT, s + 1, c_next, response + b"\x81\x00" * 5_000_000, 1400)
    w.close()


def pipelined(path: Path):
    w = Pcap(path)
    c, s = 1000, 5000
    handshake(w, c, s)
    requests = b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n" * (2_000_000 // 29)
    stream(w, CLIENT, SERVER, c + 1, s + 1, requests, 64_000)
    w.close()


def main():
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for make in (hpack_bomb, syn_hosts, ws_tiny, pipelined):
        make(folder / (make.__name__.replace("_", "-") + ".pcap"))


if __name__ == "__main__":
    main()
