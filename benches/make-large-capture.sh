#!/usr/bin/env bash
# Makes a large capture on loopback for benchmarks: curl downloads 200 MB (by default) from a tiny python HTTP
# server on 127.0.0.1 while tcpdump records headers (snaplen 128) to a pcap. The server sets its MSS to
# 1448 so the loopback's 64 KiB MTU does not hide the packet count of a real network (about 140 000 data
# segments for 200 MB, plus ACKs).
#
# Usage: benches/make-large-capture.sh [OUT.pcap] [SIZE_MB]     (needs root for tcpdump, python3, curl)
# Default OUT: /tmp/tcpdialog-large.pcap. Everything is bounded: the server and tcpdump are stopped by PID,
# the download has a time limit, and the served file lives in a temporary folder that is removed.
set -euo pipefail

out="${1:-/tmp/tcpdialog-large.pcap}"
size_mb="${2:-200}"
port=18765
work="$(mktemp -d)"
server_pid=""
dump_pid=""
cleanup() {
    [ -n "$dump_pid" ] && kill "$dump_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/server.py" <<'PY'
import socket, sys
port, total = int(sys.argv[1]), int(sys.argv[2])
chunk = b"x" * 1448
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1448)  # Ethernet-sized segments on loopback
srv.bind(("127.0.0.1", port))
srv.listen(4)
while True:
    conn, _ = srv.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = conn.recv(65536)
    size = total if b"/big" in request else 2
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % size)
    sent = 0
    while sent < size:
        piece = chunk[: min(len(chunk), size - sent)]
        conn.sendall(piece)
        sent += len(piece)
    conn.close()
PY
python3 "$work/server.py" "$port" "$((size_mb * 1000 * 1000))" >/dev/null 2>&1 &
server_pid=$!
tcpdump -i lo -s 128 -U -w "$out" "tcp port $port" >/dev/null 2>&1 &
dump_pid=$!
# Wait until the server answers and tcpdump is listening (bounded).
for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
sleep 0.5
curl -s --max-time 300 -o /dev/null "http://127.0.0.1:$port/big"
sleep 1
kill "$dump_pid"
wait "$dump_pid" 2>/dev/null || true
dump_pid=""
ls -l "$out"
