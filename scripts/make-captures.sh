#!/usr/bin/env bash
# Produce the real test captures for tcpdialog, plus tshark expectations.
#
# Usage: scripts/make-captures.sh [NAME...]
#   With no arguments every capture is (re)made.  NAME is the base name of a
#   capture without extension (e.g. http-close, lossy, any-sll2).
#
# Must run as root (tcpdump, network namespace).  Only loopback addresses are
# used (127.0.0.1 and ::1).  Every server gets its own config in a temp dir,
# listens on a high port, is recorded by PID and killed by PID on exit.
#
# Needs: tcpdump, tshark/capinfos/editcap (4.0), nginx, h2o, nghttpd, curl,
# postgresql 15, openssl, iproute2 (ip netns, tc), python3 + requests +
# websockets.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/scripts
CAP=$ROOT/captures
FIX=$ROOT/tests/fixtures
mkdir -p "$CAP" "$FIX"

# Ports (all loopback).
P_HTTP=18080     # nginx plain http, 127.0.0.1 and [::1]
P_H2O=18081      # h2o plain http (h2c upgrade)
P_NGHTTPD=18082  # nghttpd --no-tls (h2 prior knowledge)
P_WS=18090       # python websockets echo server
P_LINGER=18091   # python server for the SO_LINGER abort
P_ZW=18095       # zero-window server (inside netns)
P_LOSSY=18096    # bulk HTTP server (inside netns)
P_REFUSED=18099  # nothing listens here
P_PG=18432       # throwaway postgres
P_TLS=18443      # nginx https
NETNS=tdns

TMP=$(mktemp -d /tmp/tcpdialog-captures.XXXXXX)
chmod 755 "$TMP"
PIDS=()
PG_STARTED=0

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
    if [ "$PG_STARTED" = 1 ] && [ -f "$TMP/pg/data/postmaster.pid" ]; then
        kill -INT "$(head -1 "$TMP/pg/data/postmaster.pid")" 2>/dev/null
        sleep 1
    fi
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    sleep 0.5
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null
    done
    ip netns del "$NETNS" 2>/dev/null
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- helpers

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

# cap_start OUTFILE [tcpdump args...] -- filter ; runs tcpdump -U -w OUTFILE.
# Set CAP_NS=1 to run inside the network namespace.
CAP_PID=
cap_start() {
    local out=$1; shift
    local pre=()
    if [ "${CAP_NS:-0}" = 1 ]; then pre=(ip netns exec "$NETNS"); fi
    rm -f "$out" "$TMP/tcpdump.log"
    "${pre[@]}" tcpdump -U -Z root -w "$out" "$@" >"$TMP/tcpdump.log" 2>&1 &
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

fields_args() { local f; for f in "$@"; do printf -- '-e\n%s\n' "$f"; done; }

# expect FILE KIND [tshark decode-as args...]
# KIND: http | ws | h2 | tls | pgsql | data
# Writes FILE.tshark.tsv, FILE.tshark-messages.tsv, FILE.conv.txt.
# tshark runs from the file's directory so nothing absolute leaks in.
expect() {
    local f=$1 kind=$2; shift 2
    local dir base
    dir=$(dirname "$f"); base=$(basename "$f")
    local common=(-n -o tcp.relative_sequence_numbers:TRUE
        -o tcp.analyze_sequence_numbers:TRUE "$@")
    local tsv=() msg=() filter
    mapfile -t tsv < <(fields_args "${TSV_FIELDS[@]}")
    local mcommon=(frame.number tcp.stream tcp.srcport tcp.dstport)
    case $kind in
    http)
        filter=http
        mapfile -t msg < <(fields_args "${mcommon[@]}" http.request.method \
            http.request.uri http.request.version http.response.code \
            http.response.phrase);;
    ws)
        filter="http || websocket"
        mapfile -t msg < <(fields_args "${mcommon[@]}" http.request.method \
            http.request.uri http.response.code http.response.phrase \
            websocket.opcode websocket.payload.text \
            websocket.payload.close.status_code);;
    h2)
        filter="http || http2"
        mapfile -t msg < <(fields_args "${mcommon[@]}" http.request.method \
            http.request.uri http.response.code http.response.phrase \
            http2.type http2.streamid http2.headers.method http2.headers.path \
            http2.headers.status);;
    tls)
        filter=tls
        mapfile -t msg < <(fields_args "${mcommon[@]}" tls.record.content_type \
            tls.handshake.type tls.handshake.extensions_server_name \
            tls.record.version tls.handshake.version);;
    pgsql)
        filter=pgsql
        mapfile -t msg < <(fields_args "${mcommon[@]}" pgsql.type pgsql.query);;
    data)
        filter="tcp.len > 0"
        mapfile -t msg < <(fields_args "${mcommon[@]}" tcp.len);;
    esac
    (
        cd "$dir"
        # tshark exits non-zero for truncated files; keep what it printed.
        tshark -r "$base" "${common[@]}" -T fields -E header=y \
            -E separator=/t "${tsv[@]}" >"$base.tshark.tsv" || true
        tshark -r "$base" "${common[@]}" -Y "$filter" -T fields -E header=y \
            -E separator=/t "${msg[@]}" >"$base.tshark-messages.tsv" || true
        tshark -r "$base" "${common[@]}" -q -z conv,tcp >"$base.conv.txt" || true
    )
}

# count_match FILE DISPLAYFILTER [decode-as args] -> number of frames
count_match() {
    local f=$1 flt=$2; shift 2
    tshark -r "$f" -n "$@" -Y "$flt" 2>/dev/null | wc -l
}

# require FILE DISPLAYFILTER MIN [decode args] : fail unless >= MIN frames match
require() {
    local f=$1 flt=$2 min=$3; shift 3
    local n
    n=$(count_match "$f" "$flt" "$@")
    if [ "$n" -lt "$min" ]; then
        echo "CHECK FAILED: $(basename "$f"): '$flt' matched $n frames (< $min)" >&2
        return 1
    fi
    echo "check ok: $(basename "$f"): '$flt' -> $n frames" >&2
}

DEC_HTTP=(-d "tcp.port==$P_HTTP,http")

# ---------------------------------------------------------------- servers

setup_content() {
    python3 "$SCRIPTS/mkcontent.py" "$TMP/www"
    chmod -R a+rX "$TMP/www"
}

NGINX_STARTED=0
start_nginx() {
    [ "$NGINX_STARTED" = 1 ] && return 0
    mkdir -p "$TMP/nginx/tmp" "$TMP/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" -days 3650 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
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
    # Second value makes nginx send "Keep-Alive: timeout=2".
    keepalive_timeout 2s 2s;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    types {
        text/html html; text/css css; application/javascript js;
        image/png png; image/jpeg jpg; font/woff2 woff2;
        image/svg+xml svg; image/x-icon ico;
    }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$P_HTTP;
        listen [::1]:$P_HTTP;
        server_name localhost;
        root $TMP/www;
        location = /search {
            default_type text/plain;
            return 200 "no results\n";
        }
    }
    server {
        listen 127.0.0.1:$P_TLS ssl;
        server_name localhost;
        ssl_certificate $TMP/tls/cert.pem;
        ssl_certificate_key $TMP/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $TMP/www;
    }
}
EOF
    nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
    PIDS+=($!)
    wait_for port_open 127.0.0.1 $P_HTTP
    wait_for port_open ::1 $P_HTTP
    wait_for port_open 127.0.0.1 $P_TLS
    NGINX_STARTED=1
}

H2O_STARTED=0
start_h2o() {
    [ "$H2O_STARTED" = 1 ] && return 0
    mkdir -p "$TMP/h2o"
    cat >"$TMP/h2o/h2o.conf" <<EOF
user: nobody
error-log: $TMP/h2o/error.log
listen:
  host: 127.0.0.1
  port: $P_H2O
num-threads: 1
hosts:
  "127.0.0.1:$P_H2O":
    paths:
      /:
        file.dir: $TMP/www
EOF
    h2o -c "$TMP/h2o/h2o.conf" >"$TMP/h2o/stdout.log" 2>&1 &
    PIDS+=($!)
    wait_for port_open 127.0.0.1 $P_H2O
    H2O_STARTED=1
}

NGHTTPD_STARTED=0
start_nghttpd() {
    [ "$NGHTTPD_STARTED" = 1 ] && return 0
    nghttpd --no-tls -a 127.0.0.1 -d "$TMP/www" $P_NGHTTPD \
        >"$TMP/nghttpd.log" 2>&1 &
    PIDS+=($!)
    wait_for port_open 127.0.0.1 $P_NGHTTPD
    NGHTTPD_STARTED=1
}

start_postgres() {
    local pgbin=/usr/lib/postgresql/15/bin
    mkdir -p "$TMP/pg"
    chown postgres:postgres "$TMP/pg"
    printf 's3cret-pw\n' >"$TMP/pg/pw"
    chown postgres "$TMP/pg/pw"
    local asp=(setpriv --reuid=postgres --regid=postgres --init-groups)
    "${asp[@]}" "$pgbin/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 \
        --locale=C --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$TMP/pg/pw" >"$TMP/pg/initdb.log" 2>&1
    "${asp[@]}" "$pgbin/postgres" -D "$TMP/pg/data" -p $P_PG -k "$TMP/pg" \
        -c listen_addresses=127.0.0.1 -c ssl=off -c password_encryption=scram-sha-256 \
        >"$TMP/pg/server.log" 2>&1 &
    PIDS+=($!)
    PG_STARTED=1
    wait_for "$pgbin/pg_isready" -q -h 127.0.0.1 -p $P_PG
}

netns_up() {
    ip netns del "$NETNS" 2>/dev/null || true
    ip netns add "$NETNS"
    ip netns exec "$NETNS" ip link set lo up
    ip netns exec "$NETNS" ip link set lo mtu 1500
}

# ---------------------------------------------------------------- captures

curl_get() { curl -sS --max-time 5 -H 'Accept-Encoding: identity' -o /dev/null "$@"; }

mk_http_close() {
    start_nginx
    local f=$CAP/http-close.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    python3 "$SCRIPTS/clients.py" http-close "http://127.0.0.1:$P_HTTP/"
    cap_stop
    require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0" 1
    require "$f" "tcp.flags.fin==1" 2
    require "$f" "http.request.method==GET" 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_http_keepalive() {
    start_nginx
    local f=$CAP/http-keepalive.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    python3 "$SCRIPTS/clients.py" http-keepalive "http://127.0.0.1:$P_HTTP"
    cap_stop
    require "$f" "http.request" 3 "${DEC_HTTP[@]}"
    require "$f" 'http.response.line contains "Keep-Alive: timeout=2"' 3 "${DEC_HTTP[@]}"
    # the first FIN must come from the server
    local first_fin
    first_fin=$(tshark -r "$f" -n -Y "tcp.flags.fin==1" -T fields -e tcp.srcport | head -1)
    [ "$first_fin" = "$P_HTTP" ] || { echo "first FIN not from server" >&2; return 1; }
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_page_load() {
    start_nginx
    local f=$CAP/page-load.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    python3 "$SCRIPTS/clients.py" page-load "http://127.0.0.1:$P_HTTP"
    cap_stop
    require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0" 6
    require "$f" "http.request" 8 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_websocket() {
    local f=$CAP/websocket.pcap
    python3 "$SCRIPTS/ws_echo.py" server $P_WS >"$TMP/ws.log" 2>&1 &
    local ws_pid=$!
    PIDS+=("$ws_pid")
    wait_for port_open 127.0.0.1 $P_WS
    # port_open made a throwaway connection; capture starts after it.
    sleep 0.3
    cap_start "$f" -i lo tcp port $P_WS
    python3 "$SCRIPTS/ws_echo.py" client $P_WS
    cap_stop
    kill "$ws_pid" 2>/dev/null || true
    local dec=(-d "tcp.port==$P_WS,http")
    require "$f" "websocket.opcode==1" 6 "${dec[@]}"
    require "$f" "websocket.opcode==9" 1 "${dec[@]}"
    require "$f" "websocket.opcode==10" 1 "${dec[@]}"
    require "$f" "websocket.opcode==8" 2 "${dec[@]}"
    expect "$f" ws "${dec[@]}"
}

mk_h2c_upgrade() {
    setup_h2o_caps upgrade
}
mk_h2c_close() {
    setup_h2o_caps close
}
setup_h2o_caps() {
    start_h2o
    local dec=(-d "tcp.port==$P_H2O,http")
    if [ "$1" = upgrade ]; then
        local f=$CAP/h2c-upgrade.pcap
        cap_start "$f" -i lo tcp port $P_H2O
        curl --max-time 5 -sS --head --http2 -H 'Accept-Encoding: identity' -v \
            "http://127.0.0.1:$P_H2O/" >/dev/null 2>"$TMP/curl-h2c.log"
        cap_stop
        require "$f" "http.response.code==101" 1 "${dec[@]}"
        require "$f" "http2.type==1" 1 "${dec[@]}"
        expect "$f" h2 "${dec[@]}"
        # The Upgrade and Connection headers each HTTP/1 message carries (the --header tests).
        tshark -r "$f" "${dec[@]}" -Y "http.upgrade" -T fields -E header=y -E separator=/t \
            -e frame.number -e http.upgrade -e http.connection >"$f.tshark-upgrade.tsv"
    else
        local f=$CAP/h2c-close.pcap
        cap_start "$f" -i lo tcp port $P_H2O
        curl --max-time 5 -sS --head --http2 -H 'Accept-Encoding: identity' \
            -H 'Connection: Close' -v "http://127.0.0.1:$P_H2O/" \
            >/dev/null 2>"$TMP/curl-h2c-close.log"
        cap_stop
        require "$f" "http.response.code==200" 1 "${dec[@]}"
        [ "$(count_match "$f" http2 "${dec[@]}")" = 0 ] || {
            echo "h2c-close unexpectedly upgraded" >&2; return 1; }
        expect "$f" h2 "${dec[@]}"
    fi
}

mk_h2_prior_knowledge() {
    start_nghttpd
    local f=$CAP/h2-prior-knowledge.pcap
    local dec=(-d "tcp.port==$P_NGHTTPD,http2")
    cap_start "$f" -i lo tcp port $P_NGHTTPD
    curl --max-time 5 -sS --http2-prior-knowledge -H 'Accept-Encoding: identity' \
        -o /dev/null "http://127.0.0.1:$P_NGHTTPD/"
    cap_stop
    require "$f" "http2.magic" 1 "${dec[@]}"
    require "$f" "http2.type==1" 2 "${dec[@]}"
    require "$f" "http2.type==0" 1 "${dec[@]}"
    expect "$f" h2 "${dec[@]}"
}

mk_tls() { # 1.2 | 1.3
    start_nginx
    local v=$1 f
    f=$CAP/tls${v/./}.pcap
    local dec=(-d "tcp.port==$P_TLS,tls")
    cap_start "$f" -i lo tcp port $P_TLS
    curl --max-time 5 -sS -k --tlsv$v --tls-max $v \
        --resolve "localhost:$P_TLS:127.0.0.1" -o /dev/null "https://localhost:$P_TLS/"
    cap_stop
    require "$f" 'tls.handshake.extensions_server_name=="localhost"' 1 "${dec[@]}"
    require "$f" "tls.handshake.type==2" 1 "${dec[@]}"
    if [ "$v" = 1.2 ]; then
        require "$f" "tls.handshake.type==11" 1 "${dec[@]}"  # cert in clear
    else
        require "$f" "tls.handshake.extensions.supported_version==0x0304" 2 "${dec[@]}"
    fi
    expect "$f" tls "${dec[@]}"
}
mk_tls13() { mk_tls 1.3; }
mk_tls12() { mk_tls 1.2; }

mk_postgres() {
    start_postgres
    local f=$CAP/postgres.pcap
    local dec=(-d "tcp.port==$P_PG,pgsql")
    cap_start "$f" -i lo tcp port $P_PG
    PGPASSWORD=s3cret-pw PGCONNECT_TIMEOUT=5 psql -X \
        "host=127.0.0.1 port=$P_PG user=postgres dbname=postgres sslmode=disable gssencmode=disable application_name=tcpdialog" \
        -c "SELECT 1 AS one, 'hi' AS two;"
    cap_stop
    require "$f" 'pgsql.query contains "SELECT 1"' 1 "${dec[@]}"
    require "$f" 'pgsql.type == "Termination"' 1 "${dec[@]}"
    expect "$f" pgsql "${dec[@]}"
}

mk_refused() {
    local f=$FIX/refused.pcap
    if port_open 127.0.0.1 $P_REFUSED 2>/dev/null; then
        echo "port $P_REFUSED unexpectedly open" >&2; return 1
    fi
    cap_start "$f" -i lo tcp port $P_REFUSED
    python3 "$SCRIPTS/clients.py" refused 127.0.0.1 $P_REFUSED
    cap_stop
    require "$f" "tcp.flags.reset==1 && tcp.flags.ack==1" 1
    expect "$f" data
}

mk_abort_linger0() {
    local f=$FIX/abort-linger0.pcap
    cap_start "$f" -i lo tcp port $P_LINGER
    python3 "$SCRIPTS/clients.py" linger0 127.0.0.1 $P_LINGER
    cap_stop
    require "$f" "tcp.flags.reset==1 && tcp.dstport==$P_LINGER" 1
    expect "$f" data
}

mk_any() { # sll | sll2
    start_nginx
    local kind=$1 dlt f
    if [ "$kind" = sll ]; then dlt=LINUX_SLL; else dlt=LINUX_SLL2; fi
    f=$FIX/any-$kind.pcap
    cap_start "$f" -i any -y $dlt tcp port $P_HTTP
    curl_get "http://127.0.0.1:$P_HTTP/"
    cap_stop
    require "$f" "http.request" 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}
mk_any_sll() { mk_any sll; }
mk_any_sll2() { mk_any sll2; }

mk_ipv6() {
    start_nginx
    local f=$FIX/ipv6.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    curl_get -g "http://[::1]:$P_HTTP/"
    cap_stop
    require "$f" "ipv6 && http.request" 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_tshark() {
    start_nginx
    local f=$FIX/tshark.pcapng
    rm -f "$f" "$TMP/tshark.log"
    # dumpcap writes as root into a temp file, copied afterwards.
    command tshark -i lo -f "tcp port $P_HTTP" -a duration:4 -w "$TMP/tshark.pcapng" \
        >"$TMP/tshark.log" 2>&1 &
    local tpid=$!
    PIDS+=("$tpid")
    wait_for grep -q "Capturing on" "$TMP/tshark.log"
    sleep 0.5
    curl_get "http://127.0.0.1:$P_HTTP/"
    wait "$tpid" || true
    cat "$TMP/tshark.log" >&2
    cp "$TMP/tshark.pcapng" "$f"
    require "$f" "http.request" 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_snaplen96() {
    start_nginx
    local f=$FIX/snaplen96.pcap
    cap_start "$f" -i lo -s 96 tcp port $P_HTTP
    curl_get "http://127.0.0.1:$P_HTTP/file20k.bin"
    cap_stop
    require "$f" "frame.cap_len < frame.len" 1
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_cut_mid_packet() {
    local src=$CAP/http-close.pcap f=$FIX/cut-mid-packet.pcap
    [ -f "$src" ] || mk_http_close
    local n
    n=$(python3 "$SCRIPTS/pcaptool.py" records "$src" | wc -l)
    python3 "$SCRIPTS/pcaptool.py" cut "$src" "$f" $((n - 1)) | tee "$TMP/cut.txt"
    # For the README: frames in original / which frame is cut / byte offsets.
    {
        echo "source: captures/http-close.pcap ($n frames, $(stat -c %s "$src") bytes)"
        echo "cut frame: $((n - 1)) (last-but-one)"
        cat "$TMP/cut.txt"
        echo "size: $(stat -c %s "$f") bytes"
    } >"$f.cut.txt"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_nanosecond() {
    start_nginx
    local f=$FIX/nanosecond.pcap
    cap_start "$f" -i lo --time-stamp-precision=nano tcp port $P_HTTP
    curl_get "http://127.0.0.1:$P_HTTP/"
    cap_stop
    [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = "4d3cb2a1" ] || {
        echo "nanosecond.pcap has no nanosecond magic" >&2; return 1; }
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_bigendian() {
    local src=$CAP/http-close.pcap f=$FIX/bigendian.pcap
    [ -f "$src" ] || mk_http_close
    python3 "$SCRIPTS/pcaptool.py" bigendian "$src" "$f"
    [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = "a1b2c3d4" ] || return 1
    expect "$f" http "${DEC_HTTP[@]}"
    # Same packets as the source: expectations must be identical.
    cmp "$f.tshark.tsv" <(cd "$CAP" && tshark -r http-close.pcap -n \
        -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE \
        "${DEC_HTTP[@]}" -T fields -E header=y -E separator=/t \
        $(fields_args "${TSV_FIELDS[@]}"))
}

mk_zerowindow() {
    netns_up
    local f=$FIX/zerowindow.pcap
    CAP_NS=1 cap_start "$f" -i lo tcp port $P_ZW
    ip netns exec "$NETNS" python3 "$SCRIPTS/clients.py" zerowindow-server \
        127.0.0.1 $P_ZW 40000 &
    local spid=$!
    PIDS+=("$spid")
    sleep 0.5
    ip netns exec "$NETNS" timeout 10 python3 "$SCRIPTS/clients.py" \
        zerowindow-client 127.0.0.1 $P_ZW
    wait "$spid" || true
    cap_stop
    require "$f" "tcp.analysis.zero_window" 1
    expect "$f" data
    ip netns del "$NETNS"
}

mk_lossy() {
    local f=$FIX/lossy.pcap attempt
    local dec=(-d "tcp.port==$P_LOSSY,http")
    for attempt in 1 2 3; do
        netns_up
        ip netns exec "$NETNS" tc qdisc add dev lo root tbf rate 8mbit burst 6kb limit 12kb
        CAP_NS=1 cap_start "$f" -i lo tcp port $P_LOSSY
        ip netns exec "$NETNS" python3 "$SCRIPTS/clients.py" bulk-server \
            127.0.0.1 $P_LOSSY 300000 &
        local spid=$!
        PIDS+=("$spid")
        sleep 0.5
        ip netns exec "$NETNS" curl -sS --max-time 15 -o /dev/null \
            "http://127.0.0.1:$P_LOSSY/file300k.bin"
        wait "$spid" || true
        cap_stop
        ip netns exec "$NETNS" tc -s qdisc show dev lo >&2
        ip netns del "$NETNS"
        if [ "$(count_match "$f" tcp.analysis.retransmission)" -gt 0 ] &&
            [ "$(count_match "$f" tcp.analysis.duplicate_ack)" -gt 0 ]; then
            break
        fi
        echo "lossy attempt $attempt: no retransmission/dup ack, retrying" >&2
    done
    require "$f" "tcp.analysis.retransmission" 1
    require "$f" "tcp.analysis.duplicate_ack" 1
    expect "$f" http "${dec[@]}"
    # The example site's copy keeps 256 bytes a packet (as `tcpdump -s 256` would): headers, not the body.
    editcap -F pcap -s 256 "$f" "$CAP/lossy-download.pcap"
    python3 "$ROOT/tests/fixtures/tcp/expect.py" "$CAP/lossy-download.pcap"
}

# A download the client gives up: it reads 20 000 of 100 000 bytes and closes with SO_LINGER 0 (RST).
mk_abort_download() {
    local f=$FIX/abort-download.pcap
    netns_up
    CAP_NS=1 cap_start "$f" -i lo tcp port $P_LOSSY
    ip netns exec "$NETNS" python3 "$SCRIPTS/clients.py" bulk-server 127.0.0.1 $P_LOSSY 100000 &
    local spid=$!
    PIDS+=("$spid")
    wait_for ip netns exec "$NETNS" sh -c "ss -ltn | grep -q :$P_LOSSY"
    ip netns exec "$NETNS" timeout 10 python3 "$SCRIPTS/clients.py" abort-download 127.0.0.1 $P_LOSSY 20000
    wait "$spid" || true
    cap_stop
    ip netns del "$NETNS"
    require "$f" "tcp.flags.reset==1" 1
    expect "$f" http -d "tcp.port==$P_LOSSY,http"
}

# A 5 MB download on loopback (64 KiB segments) captured with -s 128: headers only, the body's bytes not captured.
mk_download_s128() {
    local f=$FIX/download-s128.pcap
    cap_start "$f" -i lo -s 128 tcp port $P_LOSSY
    python3 "$SCRIPTS/clients.py" bulk-server 127.0.0.1 $P_LOSSY 5000000 &
    local spid=$!
    PIDS+=("$spid")
    wait_for sh -c "ss -ltn | grep -q :$P_LOSSY"
    curl -sS --max-time 15 -o /dev/null "http://127.0.0.1:$P_LOSSY/file5m.bin"
    wait "$spid" || true
    cap_stop
    require "$f" "frame.cap_len < frame.len" 1
    expect "$f" http -d "tcp.port==$P_LOSSY,http"
}

mk_secrets() {
    start_nginx
    local f=$FIX/secrets.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    python3 "$SCRIPTS/clients.py" secrets 127.0.0.1 $P_HTTP
    cap_stop
    require "$f" 'http.request.uri contains "<script>"' 1 "${DEC_HTTP[@]}"
    require "$f" 'http.cookie contains "TOPSECRET123"' 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_pipelined() {
    start_nginx
    local f=$FIX/pipelined.pcap
    cap_start "$f" -i lo tcp port $P_HTTP
    python3 "$SCRIPTS/clients.py" pipelined 127.0.0.1 $P_HTTP
    cap_stop
    require "$f" "http.request" 1 "${DEC_HTTP[@]}"
    require "$f" "http.response" 1 "${DEC_HTTP[@]}"
    expect "$f" http "${DEC_HTTP[@]}"
}

mk_junk() {
    printf 'This is not a packet capture.\nIt is a plain text file used to test\nthat tcpdialog rejects non-capture input.\n' \
        >"$FIX/not-a-capture.txt"
    python3 -c 'import random,sys; random.seed(1); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(2048)))' \
        >"$FIX/random.bin"
    : >"$FIX/empty.pcap"
    local g
    for g in not-a-capture.txt random.bin empty.pcap; do
        (
            cd "$FIX"
            rc=0
            tshark -r "$g" -n >"$TMP/junk.out" 2>&1 || rc=$?
            { cat "$TMP/junk.out"; echo "tshark exit status: $rc"; } >"$g.tshark.err"
        )
    done
}

ALL=(http-close http-keepalive page-load websocket h2c-upgrade h2c-close
    h2-prior-knowledge tls13 tls12 postgres refused abort-linger0 any-sll
    any-sll2 ipv6 tshark snaplen96 cut-mid-packet nanosecond bigendian
    zerowindow lossy abort-download download-s128 secrets pipelined junk)

main() {
    [ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
    setup_content
    local names=("$@")
    [ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
    local n
    for n in "${names[@]}"; do
        log "$n"
        "mk_${n//-/_}"
    done
    python3 "$SCRIPTS/inventory.py" "$CAP" "$FIX"
    log "done"
}

main "$@"
