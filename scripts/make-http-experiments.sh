#!/usr/bin/env bash
# Records HTTP/1.x captures for tcpdialog's interim-response, chunked, Expect
# and Range handling, plus tshark expectations.
#
# Usage: scripts/make-http-experiments.sh [NAME...]
#   NAME: cors-preflight | upload-100-continue | upload-refused |
#         download-chunked | download-range        (default: all)
#
#   captures/cors-preflight.pcap           headless Chromium: page on 127.0.0.1:18470,
#                                          fetch() PUT to localhost:18471 -> OPTIONS
#                                          preflight (204) + PUT (200), CORS headers
#   captures/upload-100-continue.pcap      curl -F (60 KiB file) with Expect: 100-continue
#                                          -> 100 Continue, body, 200 OK
#   captures/upload-refused.pcap           the same to a server that answers 413 at
#                                          once, without reading the body, and closes
#   captures/download-chunked.pcap         one keep-alive connection: GET /chunked
#                                          (Transfer-Encoding: chunked, 5 chunks + last)
#                                          then GET /fixed (Content-Length)
#   captures/download-range.pcap           nginx, 80 KiB file: a rate-limited download cut
#                                          by curl --max-time, resumed with curl -C -
#                                          (Range: bytes=N- -> 206 Partial Content)
#
# Must run as root (tcpdump).  Only loopback (127.0.0.1, ::1, localhost).
# Servers: scripts/http_experiments/server.py (python http.server) on
# 18470-18474 and nginx on 18475, each with its own config in a temp dir,
# recorded by PID and killed by PID on exit.
#
# Needs: tcpdump, tshark 4.0, nginx, curl, chromium, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/scripts
EXP=$SCRIPTS/http_experiments
CAP=$ROOT/captures
OUT=$ROOT/tests/fixtures/http
mkdir -p "$CAP" "$OUT"

P_ORIGIN=18470   # python: the page (origin http://127.0.0.1:18470)
P_API=18471      # python: the cross-origin API, 127.0.0.1 and ::1 (localhost)
P_UPLOAD=18472   # python: 100 Continue, then reads the body
P_REFUSE=18473   # python: 413 before the body
P_CHUNKED=18474  # python: chunked and Content-Length responses
P_RANGE=18475    # nginx: static file, rate-limited unless the request has Range

UPLOAD_SIZE=61440  # 60 KiB (over the refusing server's 32 KiB limit)
RANGE_SIZE=81920   # 80 KiB

TMP=$(mktemp -d /tmp/tcpdialog-http-exp.XXXXXX)
chmod 755 "$TMP" # nginx workers (nobody) read the static file
PIDS=()

log() { printf '== %s\n' "$*" >&2; }

# tshark without the "Running as user root" warning on stderr.
tshark() {
    local rc=0
    command tshark "$@" 2>"$TMP/tshark.err" || rc=$?
    grep -v 'Running as user' "$TMP/tshark.err" >&2 || true
    return $rc
}

cleanup() {
    local rc=$?
    set +e
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    sleep 0.5
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT INT TERM

# wait_for CMD... : retry CMD up to 50 times (5 s).
wait_for() {
    local i
    for i in $(seq 1 50); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "timeout waiting for: $*" >&2
    return 1
}

port_open() { # host port
    python3 - "$1" "$2" <<'EOF'
import socket, sys
h, p = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in h else socket.AF_INET
s = socket.socket(fam); s.settimeout(0.5); s.connect((h, p)); s.close()
EOF
}

port_free() { # port: fail if something already listens there
    if port_open 127.0.0.1 "$1" 2>/dev/null || port_open ::1 "$1" 2>/dev/null; then
        echo "port $1 already in use" >&2
        return 1
    fi
}

CAP_PID=
cap_start() { # OUTFILE tcpdump-args...
    local out=$1; shift
    rm -f "$out" "$TMP/tcpdump.log"
    tcpdump -U -Z root -w "$out" "$@" >"$TMP/tcpdump.log" 2>&1 &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    wait_for grep -q "listening on" "$TMP/tcpdump.log"
    sleep 0.3
}

cap_stop() {
    sleep 1
    kill -TERM "$CAP_PID"
    wait "$CAP_PID" || true
    cat "$TMP/tcpdump.log" >&2
}

# Same per-frame fields as scripts/make-captures.sh (tests/fixtures/README.md).
TSV_FIELDS=(frame.number frame.time_relative tcp.stream ip.src ipv6.src
    tcp.srcport ip.dst ipv6.dst tcp.dstport tcp.flags.str tcp.flags tcp.seq
    tcp.ack tcp.len tcp.window_size tcp.analysis.flags
    tcp.analysis.retransmission tcp.analysis.fast_retransmission
    tcp.analysis.spurious_retransmission tcp.analysis.out_of_order
    tcp.analysis.lost_segment tcp.analysis.ack_lost_segment
    tcp.analysis.duplicate_ack_num tcp.analysis.zero_window
    tcp.analysis.zero_window_probe tcp.analysis.window_full
    tcp.analysis.window_update tcp.analysis.keep_alive
    tcp.analysis.keep_alive_ack _ws.col.Protocol _ws.col.Info)

# The HTTP message fields of tests/fixtures/README.md, then three more.
# (http.response.code is not repeated at the end: tshark 4.0 fills only one
# of two columns naming the same field, leaving the other empty.)
MSG_FIELDS=(frame.number tcp.stream tcp.srcport tcp.dstport
    http.request.method http.request.uri http.request.version
    http.response.code http.response.phrase
    http.content_length_header http.transfer_encoding http.chunk_size)

fields_args() { local f; for f in "$@"; do printf -- '-e\n%s\n' "$f"; done; }

# expect FILE PORT... : FILE.tshark.tsv, FILE.tshark-messages.tsv, FILE.conv.txt
# with -d tcp.port==PORT,http for each PORT, from the file's directory.
expect() {
    local f=$1; shift
    local dir base p
    dir=$(dirname "$f"); base=$(basename "$f")
    local dec=()
    for p in "$@"; do dec+=(-d "tcp.port==$p,http"); done
    local common=(-n -o tcp.relative_sequence_numbers:TRUE
        -o tcp.analyze_sequence_numbers:TRUE "${dec[@]}")
    local tsv=() msg=()
    mapfile -t tsv < <(fields_args "${TSV_FIELDS[@]}")
    mapfile -t msg < <(fields_args "${MSG_FIELDS[@]}")
    (
        cd "$dir"
        tshark -r "$base" "${common[@]}" -T fields -E header=y \
            -E separator=/t "${tsv[@]}" >"$base.tshark.tsv" || true
        tshark -r "$base" "${common[@]}" -Y http -T fields -E header=y \
            -E separator=/t "${msg[@]}" >"$base.tshark-messages.tsv" || true
        tshark -r "$base" "${common[@]}" -q -z conv,tcp >"$base.conv.txt" || true
    )
}

require() { # FILE FILTER MIN PORT...
    local f=$1 flt=$2 min=$3; shift 3
    local dec=() p n
    for p in "$@"; do dec+=(-d "tcp.port==$p,http"); done
    n=$(command tshark -r "$f" -n "${dec[@]}" -Y "$flt" 2>/dev/null | wc -l)
    if [ "$n" -lt "$min" ]; then
        echo "CHECK FAILED: $(basename "$f"): '$flt' matched $n frames (< $min)" >&2
        return 1
    fi
    echo "check ok: $(basename "$f"): '$flt' -> $n frames" >&2
}

# ---------------------------------------------------------------- servers

declare -A PY_STARTED=()
start_py() { # MODE PORT [args]
    local mode=$1 port=$2
    [ -n "${PY_STARTED[$mode]:-}" ] && return 0
    port_free "$port"
    python3 "$EXP/server.py" "$mode" "$port" "${@:3}" >"$TMP/server-$mode.log" 2>&1 &
    PIDS+=($!)
    PY_STARTED[$mode]=$!
    wait_for port_open 127.0.0.1 "$port"
    if [ "$mode" = cors ]; then wait_for port_open ::1 "$port"; fi
}

NGINX_STARTED=0
start_nginx() {
    [ "$NGINX_STARTED" = 1 ] && return 0
    port_free $P_RANGE
    mkdir -p "$TMP/nginx/tmp" "$TMP/www"
    python3 - "$TMP/www/file80k.bin" $RANGE_SIZE <<'EOF'
import random, sys
r = random.Random(80)
open(sys.argv[1], "wb").write(bytes(r.getrandbits(8) for _ in range(int(sys.argv[2]))))
EOF
    chmod -R a+rX "$TMP/www"
    cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server_tokens off;
    sendfile on;
    gzip off;
    keepalive_timeout 5s;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$P_RANGE;
        server_name localhost;
        root $TMP/www;
        location / {
            # A slow first download (16 KiB a second: nginx sends a 16 KiB
            # burst, then waits), full speed for range requests (the resume).
            if (\$http_range = "") { set \$limit_rate 16k; }
        }
    }
}
EOF
    nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
    PIDS+=($!)
    wait_for port_open 127.0.0.1 $P_RANGE
    NGINX_STARTED=1
}

# ---------------------------------------------------------------- captures

mk_cors_preflight() {
    local f=$CAP/cors-preflight.pcap
    start_py origin $P_ORIGIN "$EXP"
    start_py cors $P_API
    sleep 0.5 # the port_open probes are over before the capture starts
    local ud
    ud=$(mktemp -d "$TMP/chromium.XXXXXX")
    cap_start "$f" -i lo "tcp port $P_ORIGIN or tcp port $P_API"
    local rc=0
    timeout 20 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$ud" \
        --virtual-time-budget=5000 --dump-dom \
        "http://127.0.0.1:$P_ORIGIN/cors.html" >"$TMP/dom.html" 2>"$TMP/chromium.log" || rc=$?
    # Anything of this chromium still alive (found by its own profile dir).
    local p
    for p in $(pgrep -f -- "--user-data-dir=$ud" || true); do kill "$p" 2>/dev/null || true; done
    cap_stop
    [ "$rc" = 0 ] || { echo "chromium exit status $rc" >&2; tail -20 "$TMP/chromium.log" >&2; return 1; }
    grep -o '<pre id="result">[^<]*</pre>' "$TMP/dom.html" >&2
    grep -q '<pre id="result">DONE 200 ' "$TMP/dom.html" ||
        { echo "the page's fetch did not finish with 200" >&2; return 1; }
    local ports=($P_ORIGIN $P_API)
    require "$f" 'http.request.method == "GET" && http.request.uri == "/cors.html"' 1 "${ports[@]}"
    require "$f" 'http.request.method == "OPTIONS"' 1 "${ports[@]}"
    require "$f" 'http.request.method == "PUT" && http.request.line contains "X-Request-Id"' 1 "${ports[@]}"
    require "$f" 'http.response.code == 204 && http.response.line contains "Access-Control-Allow-Methods"' 1 "${ports[@]}"
    require "$f" 'http.response.code == 200 && tcp.srcport == '$P_API' && http.response.line contains "Access-Control-Allow-Origin"' 1 "${ports[@]}"
    expect "$f" "${ports[@]}"
}

make_upload_file() {
    [ -f "$TMP/upload.bin" ] && return 0
    python3 - "$TMP/upload.bin" $UPLOAD_SIZE <<'EOF'
import random, sys
r = random.Random(60)
open(sys.argv[1], "wb").write(bytes(r.getrandbits(8) for _ in range(int(sys.argv[2]))))
EOF
}

# curl 7.88 adds "Expect: 100-continue" by itself only for bodies over 1 MiB,
# so it is asked for explicitly.
curl_upload() { # URL OUTFILE
    (cd "$TMP" && timeout 15 curl -sS --max-time 10 -H 'Expect: 100-continue' \
        -F file=@upload.bin -o "$2" "$1")
}

mk_upload_100_continue() {
    local f=$CAP/upload-100-continue.pcap
    make_upload_file
    start_py upload $P_UPLOAD
    sleep 0.5
    cap_start "$f" -i lo tcp port $P_UPLOAD
    curl_upload "http://127.0.0.1:$P_UPLOAD/upload" "$TMP/upload.out"
    cap_stop
    cat "$TMP/upload.out" >&2
    grep -q "received" "$TMP/upload.out"
    require "$f" 'http.response.code == 100' 1 $P_UPLOAD
    require "$f" 'http.request.method == "POST" && http.request.line contains "Expect: 100-continue"' 1 $P_UPLOAD
    require "$f" 'http.response.code == 200' 1 $P_UPLOAD
    expect "$f" $P_UPLOAD
}

mk_upload_refused() {
    local f=$CAP/upload-refused.pcap
    make_upload_file
    start_py refuse $P_REFUSE
    sleep 0.5
    cap_start "$f" -i lo tcp port $P_REFUSE
    curl_upload "http://127.0.0.1:$P_REFUSE/upload" "$TMP/refused.out"
    cap_stop
    cat "$TMP/refused.out" >&2
    grep -q "over the" "$TMP/refused.out"
    require "$f" 'http.response.code == 413' 1 $P_REFUSE
    # the body was never sent: the client's bytes are the request head only
    local sent
    sent=$(command tshark -r "$f" -n -Y "tcp.dstport == $P_REFUSE" -T fields -e tcp.len 2>/dev/null |
        awk '{s += $1} END {print s + 0}')
    [ "$sent" -lt 1000 ] || { echo "client sent $sent bytes: body was sent" >&2; return 1; }
    expect "$f" $P_REFUSE
}

mk_download_chunked() {
    local f=$CAP/download-chunked.pcap
    start_py chunked $P_CHUNKED
    sleep 0.5
    cap_start "$f" -i lo tcp port $P_CHUNKED
    # Two URLs in one curl: the second reuses the connection.
    timeout 15 curl -sS --max-time 10 -o "$TMP/chunked.out" -o "$TMP/fixed.out" \
        "http://127.0.0.1:$P_CHUNKED/chunked" "http://127.0.0.1:$P_CHUNKED/fixed"
    cap_stop
    [ "$(stat -c %s "$TMP/chunked.out")" = $((5 + 1000 + 17 + 64 + 3000)) ]
    [ "$(stat -c %s "$TMP/fixed.out")" = 2000 ]
    require "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 1 $P_CHUNKED
    [ "$(command tshark -r "$f" -n -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)" = 1 ] ||
        { echo "download-chunked: more than one connection" >&2; return 1; }
    require "$f" 'http.transfer_encoding == "chunked"' 1 $P_CHUNKED
    require "$f" 'http.content_length_header == "2000"' 1 $P_CHUNKED
    expect "$f" $P_CHUNKED
}

mk_download_range() {
    local f=$CAP/download-range.pcap url
    start_nginx
    sleep 0.5
    url="http://127.0.0.1:$P_RANGE/file80k.bin"
    rm -f "$TMP/dl.bin"
    cap_start "$f" -i lo tcp port $P_RANGE
    # Interrupted: nginx sends 16 KiB a second, curl gives up after 1.5 s.
    local rc=0
    timeout 10 curl -sS --max-time 1.5 -o "$TMP/dl.bin" "$url" || rc=$?
    [ "$rc" = 28 ] || { echo "first curl: exit $rc, expected 28 (timeout)" >&2; return 1; }
    local part
    part=$(stat -c %s "$TMP/dl.bin")
    echo "interrupted after $part of $RANGE_SIZE bytes" >&2
    sleep 0.3
    # Resumed: Range: bytes=$part- -> 206 Partial Content.
    timeout 10 curl -sS --max-time 5 -C - -o "$TMP/dl.bin" "$url"
    cap_stop
    cmp "$TMP/dl.bin" "$TMP/www/file80k.bin"
    [ "$part" -gt 0 ] && [ "$part" -lt $RANGE_SIZE ]
    require "$f" "http.request.line contains \"Range: bytes=$part-\"" 1 $P_RANGE
    require "$f" 'http.response.code == 206 && http.response.line contains "Content-Range"' 1 $P_RANGE
    expect "$f" $P_RANGE
}

ALL=(cors-preflight upload-100-continue upload-refused download-chunked download-range)

main() {
    [ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
    local names=("$@")
    [ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
    local n
    for n in "${names[@]}"; do
        log "$n"
        "mk_${n//-/_}"
    done
    log "done"
}

main "$@"
