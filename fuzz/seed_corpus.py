#!/usr/bin/env python3
"""Seeds fuzz/corpus/proto_*/ with the TCP payloads of the real captures, in the fuzz input format.

The format is the one fuzz/fuzz_targets/proto_input.rs reads: turns of one header byte (bit 0: direction,
0 = client to server; bits 1..8: length - 1) followed by up to 128 bytes. Payloads come from tshark
(`tcp.payload`, retransmissions left out), so the seeds are real traffic. Run from the repository root:
    python3 fuzz/seed_corpus.py
"""
import os
import subprocess

# target -> [(capture, first frame to take)]; WebSocket and HTTP/2 start after the HTTP upgrade.
SEEDS = {
    "proto_http1": [("captures/http-close.pcap", 1), ("captures/http-keepalive.pcap", 1),
                    ("tests/fixtures/pipelined.pcap", 1), ("captures/h2c-close.pcap", 1)],
    "proto_websocket": [("captures/websocket.pcap", 7)],
    "proto_http2": [("captures/h2-prior-knowledge.pcap", 1), ("captures/h2c-upgrade.pcap", 7)],
    "proto_tls": [("captures/tls12.pcap", 1), ("captures/tls13.pcap", 1)],
    "proto_postgres": [("captures/postgres.pcap", 1)],
    "proto_mysql": [("captures/mysql.pcap", 1), ("tests/fixtures/mysql/mysql-compressed.pcap", 1),
                    ("tests/fixtures/mysql/mysql-tls.pcap", 1)],
    "proto_recognise": [("captures/http-close.pcap", 1), ("captures/websocket.pcap", 1),
                        ("captures/h2c-upgrade.pcap", 1), ("captures/h2-prior-knowledge.pcap", 1),
                        ("captures/tls13.pcap", 1), ("captures/postgres.pcap", 1), ("captures/mysql.pcap", 1)],
}


def payloads(capture):
    """(frame, is_server, bytes) of every new data segment of stream 0."""
    out = subprocess.run(
        ["tshark", "-r", capture, "-n", "-Y", "tcp.stream == 0 && tcp.len > 0 && !tcp.analysis.retransmission",
         "-T", "fields", "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.payload"],
        check=True, capture_output=True, text=True).stdout
    rows = [line.split("\t") for line in out.splitlines() if line]
    client_port = rows[0][1]
    return [(int(f), src != client_port, bytes.fromhex(p.replace(":", ""))) for f, src, _, p in rows]


def encode(segments):
    data = bytearray()
    for _, is_server, payload in segments:
        for i in range(0, len(payload), 128):
            chunk = payload[i:i + 128]
            data.append(((len(chunk) - 1) << 1) | int(is_server))
            data.extend(chunk)
    return bytes(data)


for target, captures in SEEDS.items():
    folder = os.path.join("fuzz", "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for capture, first in captures:
        segments = [s for s in payloads(capture) if s[0] >= first]
        name = os.path.basename(capture).replace(".pcap", "") + ("" if first == 1 else f"-from{first}")
        with open(os.path.join(folder, name), "wb") as f:
            f.write(encode(segments))
        print(f"{folder}/{name}: {len(segments)} segments")
