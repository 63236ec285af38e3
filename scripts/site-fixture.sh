#!/usr/bin/env bash
# Makes tests/fixtures/site/http-close.pcap: one HTTP/1.1 GET with `Connection: close` on loopback, for the
# site tests (a post with a tcpdialog block needs a real capture). Needs root (tcpdump) and python3.
set -euo pipefail
out="${1:-tests/fixtures/site/http-close.pcap}"
port=18765
work=$(mktemp -d)
echo '<h1>hello</h1>' > "$work/index.html"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
server=$!
tcpdump -i lo -U -s 0 -w "$out" "tcp port $port" >/dev/null 2>&1 &
dump=$!
sleep 1
python3 - "$port" <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/", headers={"Connection": "close", "Accept-Encoding": "identity"})
print(urllib.request.urlopen(req).read().decode().strip())
PY
sleep 1
kill "$dump"; wait "$dump" || true
kill "$server"; wait "$server" 2>/dev/null || true
rm -rf "$work"
tshark -r "$out" | cat
