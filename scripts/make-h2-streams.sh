#!/usr/bin/env bash
# Records tests/fixtures/phases/h2-streams.pcap: one HTTP/2 (prior knowledge) connection on loopback carrying
# three overlapping streams (see scripts/h2_streams_client.py), for the dialog's per-stream phases and the ladder's overlapping brackets.
# Needs: nghttpd, python3 (scripts/h2_streams_client.py), tcpdump. Run as root. Only 127.0.0.1; every process is killed by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/fixtures/phases
PORT=18283
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/tcpdialog-h2streams.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/www"
head -c 100000 /dev/zero | tr '\0' 'a' >"$TMP/www/big.txt"
echo '<!doctype html><title>h2</title>' >"$TMP/www/index.html"
echo 'body { color: black }' >"$TMP/www/style.css"
nghttpd --no-tls -d "$TMP/www" "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5
tcpdump -i lo -U -w "$TMP/h2-streams.pcap" "tcp port $PORT" >/dev/null 2>&1 &
TCPDUMP=$!
PIDS+=($TCPDUMP)
sleep 0.5
python3 "$ROOT/scripts/h2_streams_client.py" "$PORT" /big.txt /index.html /style.css
sleep 0.5
kill -INT "$TCPDUMP"
wait "$TCPDUMP" || true
cp "$TMP/h2-streams.pcap" "$OUT/h2-streams.pcap"
tshark -r "$OUT/h2-streams.pcap" -d "tcp.port==$PORT,http2" 2>/dev/null
