#!/usr/bin/env bash
# Big captures, for real, on loopback: makes them, then times tcpdialog against tcpdump, tshark and a bare
# read+parse+per-flow loop side by side, with peak memory (docs/performance.md keeps the results).
#
#   http.pcap  nginx on 127.0.0.1, `ab -n REQUESTS -c 8` (short HTTP/1.0 connections), `tcpdump -i lo -w` with a
#              128 MiB buffer: about 10 packets a connection, 1 000 000 packets for 100 000 requests.
#   scan.pcap  a SYN to each of the 65 535 ports of 127.0.0.1 and its RST, written directly by a small generator.
#   long.pcap  one long stream: curl downloads LONG_MB (5500) MB from a small server (benches/make-large-capture.sh,
#              snaplen 128), about a million packets.
#   hostile/   the crafted captures of benches/make-hostile.py (HPACK bomb, 300 000 SYNs from as many hosts, 10 MB
#              of tiny WebSocket frames, pipelined requests), each command also as a ratio to `inspect` there.
#
# Usage: benches/compare-big.sh [--keep]      (root for tcpdump; nginx, ab, tcpdump, tshark, python3, /usr/bin/time)
#   --keep   keep the captures (their folder is printed) instead of removing them at exit
# Environment: WORK=/tmp/tcpdialog-big  REQUESTS=100000  RUNS=3 (each command's best run is kept)
#              CAPTURES="http long scan" (which of them to measure)  HOSTILE=1 (0: not the hostile ones)
#              BIN=target/release/tcpdialog  BARE=target/release/examples/bare_loop
#              (build both with `cargo build --release --bin tcpdialog --example bare_loop`)
# Everything is bounded: servers and tcpdump are stopped by PID, ab and every measured command have time limits,
# tcpdump stops after 3 000 000 packets, and the captures live in WORK, removed at exit.
set -euo pipefail

WORK=${WORK:-/tmp/tcpdialog-big}
REQUESTS=${REQUESTS:-100000}
RUNS=${RUNS:-3}
BIN=${BIN:-target/release/tcpdialog}
BARE=${BARE:-target/release/examples/bare_loop}
PORT=18780
KEEP=false
[ "${1:-}" = "--keep" ] && KEEP=true
for tool in nginx ab curl tcpdump tshark capinfos python3 /usr/bin/time "$BIN" "$BARE"; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

mkdir -p "$WORK"
nginx_pid=""
dump_pid=""
cleanup() {
    [ -n "$dump_pid" ] && kill "$dump_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    if $KEEP; then echo "captures kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

make_http() {
    mkdir -p "$WORK/www" "$WORK/nginx"
    head -c 600 /dev/zero | tr '\0' x >"$WORK/www/index.html"
    cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server { listen 127.0.0.1:$PORT; root $WORK/www; }
}
EOF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
    nginx_pid=$!
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/index.html" && break
        sleep 0.1
    done
    tcpdump -i lo -n -B 131072 -c 3000000 -w "$WORK/http.pcap" "tcp port $PORT" 2>"$WORK/tcpdump.log" &
    dump_pid=$!
    sleep 1
    timeout 600 ab -q -n "$REQUESTS" -c 8 "http://127.0.0.1:$PORT/index.html" >"$WORK/ab.log"
    sleep 1
    kill "$dump_pid"
    wait "$dump_pid" 2>/dev/null || true
    dump_pid=""
    kill "$nginx_pid"
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
    grep -E "captured|dropped" "$WORK/tcpdump.log" >&2
}

make_scan() {
    python3 - "$WORK/scan.pcap" <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
def segment(t, sport, dport, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    frame = bytes(12) + b"\x08\x00" + ip + tcp
    out.write(struct.pack("<IIII", int(t), int(t * 1e6) % 1000000, len(frame), len(frame)) + frame)
t = 1700000000.0
for port in range(1, 65536):
    segment(t, 45678, port, 1000 + port, 0, 0x02)             # SYN
    segment(t + 0.00001, port, 45678, 0, 1001 + port, 0x14)   # RST, ACK: the port is closed
    t += 0.00002
PY
}

if [ ! -s "$WORK/http.pcap" ]; then make_http; fi
if [ ! -s "$WORK/scan.pcap" ]; then make_scan; fi
if [ ! -s "$WORK/long.pcap" ]; then "$(dirname "$0")/make-large-capture.sh" "$WORK/long.pcap" "${LONG_MB:-5500}" >&2; fi
if [ ! -s "$WORK/hostile/ws-tiny.pcap" ]; then python3 "$(dirname "$0")/make-hostile.py" "$WORK/hostile"; fi

# measure NAME COMMAND...: one row (wall seconds, CPU seconds, peak MiB of the fastest of RUNS runs) appended to
# $WORK/rows. The machine may be shared: the best run is the one least disturbed.
measure() {
    local name="$1"
    shift
    local log="$WORK/time.log" best=""
    for _ in $(seq 1 "$RUNS"); do
        if ! /usr/bin/time -f "%e %U %S %M" -o "$log" timeout 900 "$@" >/dev/null 2>"$WORK/stderr.log"; then
            echo "$name failed: $(tail -2 "$WORK/stderr.log")" >&2
            return
        fi
        read -r wall user sys peak <"$log"
        local row
        row="$name $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $((peak / 1024))"
        if [ -z "$best" ] || awk -v a="$wall" -v b="${best#* }" 'BEGIN { split(b, f, " "); exit !(a < f[1]) }'; then
            best="$row"
        fi
    done
    echo "$best" >>"$WORK/rows"
}

run_all() {
    local capture="$1"
    local name
    name="$(basename "$capture" .pcap)"
    : >"$WORK/rows"
    cat "$capture" >/dev/null # into the page cache: every command reads it warm
    measure "bare-loop" "$BARE" "$capture"
    measure "bare-loop-our-reader" "$BARE" --reader "$capture"
    measure "tcpdump-n-r" tcpdump -n -r "$capture"
    measure "tshark-conv-tcp" tshark -q -z conv,tcp -r "$capture"
    measure "inspect-json" "$BIN" inspect "$capture" --format json
    measure "conversations" "$BIN" conversations "$capture"
    measure "conversations-json" "$BIN" conversations "$capture" --format json
    for selection in "" "--stream 0" "--frames 1-100"; do
        for view in ladder timeline table; do
            for format in svg png txt; do
                [ "$view" = table ] && [ "$format" != txt ] && continue
                # shellcheck disable=SC2086 # the selection is two words
                measure "diagram-$view-$format${selection:+_${selection// /=}}" \
                    "$BIN" diagram "$capture" $selection --view "$view" --format "$format" -o "$WORK/out.$format"
            done
        done
    done
    local packets bytes
    packets="$(capinfos -c -M "$capture" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')"
    bytes="$(stat -c %s "$capture")"
    echo
    echo "$name: $packets packets, $((bytes / 1000000)) MB"
    awk -v OFS='\t' '
        { name[NR] = $1; wall[NR] = $2; cpu[NR] = $3; peak[NR] = $4; at[$1] = NR }
        END {
            # pcap-file refuses records cut by a snaplen: the bare loop over our own reader stands in then.
            bare = ("bare-loop" in at) ? wall[at["bare-loop"]] : wall[at["bare-loop-our-reader"]]
            dump = wall[at["tcpdump-n-r"]]; shark = wall[at["tshark-conv-tcp"]]
            printf "%-40s %8s %8s %9s %9s %9s %9s\n", "command", "wall s", "cpu s", "peak MiB", "x bare", "x tcpdump", "x tshark"
            for (i = 1; i <= NR; i++)
                printf "%-40s %8.2f %8.2f %9d %9.1f %9.2f %9.3f\n", name[i], wall[i], cpu[i], peak[i],
                    wall[i] / bare, wall[i] / dump, wall[i] / shark
        }' "$WORK/rows"
}

# run_hostile CAPTURE: what each command costs on a crafted capture, and as a ratio to `inspect` on it.
run_hostile() {
    local capture="$1"
    : >"$WORK/rows"
    cat "$capture" >/dev/null
    measure "inspect" "$BIN" inspect "$capture"
    measure "inspect-json" "$BIN" inspect "$capture" --format json
    measure "conversations" "$BIN" conversations "$capture"
    measure "diagram-ladder-svg" "$BIN" diagram "$capture" --format svg -o "$WORK/out.svg"
    measure "diagram-timeline-png" "$BIN" diagram "$capture" --view timeline --format png -o "$WORK/out.png"
    measure "diagram-table-txt" "$BIN" diagram "$capture" --view table --format txt -o "$WORK/out.txt"
    echo
    echo "$(basename "$capture"): $(stat -c %s "$capture") bytes; largest diagram output $(stat -c %s "$WORK"/out.* | sort -n | tail -1) bytes"
    awk '
        { name[NR] = $1; wall[NR] = $2; peak[NR] = $4; at[$1] = NR }
        END {
            base = wall[at["inspect"]]
            if (base < 0.01) base = 0.01 # /usr/bin/time counts hundredths
            printf "%-40s %8s %9s %10s\n", "command", "wall s", "peak MiB", "x inspect"
            for (i = 1; i <= NR; i++) printf "%-40s %8.2f %9d %10.2f\n", name[i], wall[i], peak[i], wall[i] / base
        }' "$WORK/rows"
}

echo "$(date -u +%Y-%m-%d) $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg), $($BIN --version)"
for capture in ${CAPTURES-http long scan}; do run_all "$WORK/$capture.pcap"; done
if [ "${HOSTILE:-1}" = 1 ]; then
    for capture in "$WORK"/hostile/*.pcap; do run_hostile "$capture"; done
fi
