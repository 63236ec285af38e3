#!/usr/bin/env python3
"""Writes synthetic captures that stress phase finding (src/dialog/phases.rs), for before/after timings of
`tcpdialog diagram --format txt`. Packets are built directly (Ethernet, IPv4 127.0.0.1, TCP with consistent
sequence numbers); nothing touches the network.

  make-phase-captures.py h2 N OUT.pcap      one HTTP/2 (prior knowledge) connection with N streams
  make-phase-captures.py pg N OUT.pcap      one PostgreSQL connection with N simple queries
  make-phase-captures.py http N OUT.pcap    N short HTTP/1.1 connections (one GET each)

Timing: `/usr/bin/time -f %e target/release/tcpdialog diagram OUT.pcap --format txt >/dev/null`. Figures (release,
2 shared cores; whole command, seconds) before and after phase finding stopped being quadratic:
  h2 10000: 0.41 -> 0.07   h2 40000: 6.82 -> 0.34   pg 40000: 5.08 -> 0.29   http 8000: 0.80 -> 0.16
"""
import os
import struct
import sys

# The Internet checksum and the flag bits, from the TCP fixtures' generator.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "tcp"))
from make_synthetic import ACK, FIN, PSH, SYN, checksum  # noqa: E402

CLIENT, SERVER = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])


class Writer:
    def __init__(self, path):
        self.out = open(path, "wb")
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.usec = 0

    def packet(self, sport, dport, seq, ack, flags, payload=b""):
        self.usec += 10
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, CLIENT, SERVER)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        frame = b"\0" * 12 + b"\x08\x00" + ip + tcp + payload
        self.out.write(struct.pack("<IIII", self.usec // 1_000_000, self.usec % 1_000_000, len(frame), len(frame)))
        self.out.write(frame)


class Conn:
    """One TCP connection: the handshake on creation, then data each way, then a FIN exchange."""

    def __init__(self, w, cport, sport):
        self.w, self.c, self.s = w, cport, sport
        self.cseq, self.sseq = 1000, 5000
        w.packet(cport, sport, self.cseq, 0, SYN)
        w.packet(sport, cport, self.sseq, self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        w.packet(cport, sport, self.cseq, self.sseq, ACK)

    def client(self, payload):
        self.w.packet(self.c, self.s, self.cseq, self.sseq, PSH | ACK, payload)
        self.cseq += len(payload)

    def server(self, payload):
        self.w.packet(self.s, self.c, self.sseq, self.cseq, PSH | ACK, payload)
        self.sseq += len(payload)

    def close(self):
        self.w.packet(self.c, self.s, self.cseq, self.sseq, FIN | ACK)
        self.cseq += 1
        self.w.packet(self.s, self.c, self.sseq, self.cseq, FIN | ACK)
        self.sseq += 1
        self.w.packet(self.c, self.s, self.cseq, self.sseq, ACK)


def h2_frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def h2(w, n):
    c = Conn(w, 40000, 18082)
    c.client(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0))
    c.server(h2_frame(4, 0, 0) + h2_frame(4, 1, 0))
    c.client(h2_frame(4, 1, 0))
    for i in range(n):
        stream = 2 * i + 1
        fields = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/%d" % i), (b":authority", b"a")]
        c.client(h2_frame(1, 0x5, stream, b"".join(literal(k, v) for k, v in fields)))
        c.server(h2_frame(1, 0x4, stream, b"\x88") + h2_frame(0, 0x1, stream, b"ok"))
    c.close()


def pg_message(tag, body=b""):
    return tag + struct.pack(">I", len(body) + 4) + body


def pg(w, n):
    c = Conn(w, 40001, 5432)
    params = b"user\0app\0database\0shop\0\0"
    c.client(struct.pack(">II", len(params) + 8, 196608) + params)
    c.server(pg_message(b"R", struct.pack(">I", 0)) + pg_message(b"Z", b"I"))
    for i in range(n):
        c.client(pg_message(b"Q", b"SELECT %d AS n;\0" % i))
        row = pg_message(b"T", b"\0\x01n\0" + b"\0" * 18) + pg_message(b"D", b"\0\x01\0\0\0\x011")
        c.server(row + pg_message(b"C", b"SELECT 1\0") + pg_message(b"Z", b"I"))
    c.client(pg_message(b"X"))
    c.close()


def http(w, n):
    for i in range(n):
        c = Conn(w, 10000 + i % 50000, 8080)
        c.client(b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % i)
        c.server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        c.close()


def main():
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    w = Writer(path)
    {"h2": h2, "pg": pg, "http": http}[kind](w, n)
    w.out.close()


main()
