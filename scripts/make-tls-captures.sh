#!/usr/bin/env bash
# Produce the TLS test captures for tcpdialog, each with the NSS key log its
# client wrote, plus tshark expectations with and without the key log.
#
# Usage: scripts/make-tls-captures.sh [NAME...]
#   With no arguments every capture is (re)made.  NAME is the base name of a
#   capture without extension (e.g. https-get, tls12-cbc-sha-mte).
#   tls13-midstream, tls13-dsb, tls13-wrongkeys and tls13-wrongsecrets are
#   made from captures/https-get.pcap (made first if missing); tls13-wrongkeys
#   and tls13-wrongsecrets also need tests/fixtures/tls/tls13-aes256gcm.keys.
#
# Site captures (captures/):       https-get, https-h2, wss-echo
# Fixtures (tests/fixtures/tls/):  tls13-aes128gcm tls13-aes256gcm
#   tls13-chacha20 tls12-aes128gcm tls12-aes256gcm tls12-chacha20
#   tls12-cbc-sha-etm tls12-cbc-sha-mte tls12-cbc-sha256 tls13-keyupdate
#   tls13-hrr tls13-resumed tls13-midstream tls13-dsb tls13-wrongkeys
#   tls13-wrongsecrets
#
# Must run as root (tcpdump).  Only loopback (127.0.0.1) is used.  Every
# server gets its own config in a temp dir, listens on a high port, is
# recorded by PID and killed by PID on exit.  The certificates are throwaway
# self-signed ones made here at run time and deleted on exit; only the key
# logs (which unlock only these captures) are written beside the captures.
#
# Needs: tcpdump, tshark/editcap (4.0), nginx (with http_ssl and http_v2),
# curl (OpenSSL backend, SSLKEYLOGFILE support), openssl 3, python3 with
# websockets.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/scripts
CAP=$ROOT/captures
TFIX=$ROOT/tests/fixtures/tls
mkdir -p "$CAP" "$TFIX"

# Ports (all 127.0.0.1).  18443-18449 and 18460-18469 belong to this script.
P_HTTPS=18443   # nginx https, HTTP/1.1, P-256 cert (site)
P_H2=18444      # nginx https, listen ... ssl http2, P-256 cert (site)
P_WSS=18445     # python websockets echo server over TLS (site)
P_FIX=18446     # nginx https, RSA cert, TLS 1.2 + 1.3, every suite below
P_MTE=18447     # as P_FIX with "ssl_conf_command Options -EncryptThenMac"
P_HRR=18448     # nginx https, TLS 1.3, ssl_ecdh_curve prime256v1 only
P_KU=18449      # openssl s_server for the KeyUpdate dialog

TMP=$(mktemp -d /tmp/tcpdialog-tls-captures.XXXXXX)
chmod 755 "$TMP"
PIDS=()
FDS_OPEN=0

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
    if [ "$FDS_OPEN" = 1 ]; then exec 7>&- 8>&-; fi
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

# listening PORT : something listens on 127.0.0.1:PORT.  Uses ss, so no
# throwaway connection is made (openssl s_server -naccept 1 would take it).
listening() {
    ss -Hltn "sport = :$1" | grep -q '127\.0\.0\.1'
}

# cap_start OUTFILE [tcpdump args...] ; runs tcpdump -U -w OUTFILE.
CAP_PID=
cap_start() {
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

fields_args() { local f; for f in "$@"; do printf -- '-e\n%s\n' "$f"; done; }

TLS_FILTER="tls || http || http2 || websocket"
TLS_FIELDS=(frame.number tcp.stream tcp.srcport tcp.dstport
    tls.record.content_type tls.record.opaque_type tls.handshake.type
    tls.handshake.version tls.handshake.ciphersuite tls.alert_message.desc
    http.request.method http.request.uri http.response.code
    http2.type http2.streamid http2.headers.method http2.headers.path
    http2.headers.status websocket.opcode websocket.payload.text
    _ws.col.Protocol _ws.col.Info)

# tls_view FILE PORT [KEYFILE] : the message view on stdout.  Runs from the
# file's directory; KEYFILE is a plain name in that directory.
tls_view() {
    local f=$1 port=$2 keys=${3:-}
    local opts=(-n) fl=()
    [ -n "$keys" ] && opts+=(-o "tls.keylog_file:$keys")
    mapfile -t fl < <(fields_args "${TLS_FIELDS[@]}")
    (
        cd "$(dirname "$f")"
        # tshark exits non-zero for truncated files; keep what it printed.
        tshark -r "$(basename "$f")" "${opts[@]}" -d "tcp.port==$port,tls" \
            -Y "$TLS_FILTER" -T fields -E header=y -E separator=/t \
            -E occurrence=a -E aggregator=, "${fl[@]}" || true
    )
}

# tls_expect FILE PORT [KEYFILE] : writes FILE.tshark-tls.tsv (with KEYFILE;
# for a pcapng with a Decryption Secrets Block pass none) and
# FILE.tshark-tls-nokeys.tsv (only when a KEYFILE is given).
tls_expect() {
    local f=$1 port=$2 keys=${3:-}
    tls_view "$f" "$port" "$keys" >"$f.tshark-tls.tsv"
    if [ -n "$keys" ]; then
        tls_view "$f" "$port" >"$f.tshark-tls-nokeys.tsv"
    fi
}

# count_match FILE DISPLAYFILTER [tshark args] -> number of frames
count_match() {
    local f=$1 flt=$2; shift 2
    (cd "$(dirname "$f")" && command tshark -r "$(basename "$f")" -n "$@" \
        -Y "$flt" 2>/dev/null | wc -l)
}

# require FILE DISPLAYFILTER MIN [tshark args] : fail unless >= MIN frames match
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

# require_none FILE DISPLAYFILTER [tshark args] : fail if any frame matches
require_none() {
    local f=$1 flt=$2; shift 2
    local n
    n=$(count_match "$f" "$flt" "$@")
    if [ "$n" -ne 0 ]; then
        echo "CHECK FAILED: $(basename "$f"): '$flt' matched $n frames (want 0)" >&2
        return 1
    fi
    echo "check ok: $(basename "$f"): '$flt' -> none" >&2
}

# decrypts FILE PORT KEYFILE FILTER MIN : FILTER matches >= MIN frames with
# the key log and none without it.
decrypts() {
    local f=$1 port=$2 keys=$3 flt=$4 min=$5
    require "$f" "$flt" "$min" -d "tcp.port==$port,tls" -o "tls.keylog_file:$keys"
    require_none "$f" "$flt" -d "tcp.port==$port,tls"
}

# suite FILE PORT [KEYFILE] : the cipher suite in the first ServerHello, as
# tshark names it.
suite() {
    local f=$1 port=$2 keys=${3:-} opts=()
    [ -n "$keys" ] && opts=(-o "tls.keylog_file:$keys")
    (cd "$(dirname "$f")" && command tshark -r "$(basename "$f")" -n "${opts[@]}" \
        -d "tcp.port==$port,tls" -Y "tls.handshake.type==2" -V 2>/dev/null |
        sed -n 's/^ *Cipher Suite: //p' | head -1)
}

# require_suite FILE PORT NAME
require_suite() {
    local s
    s=$(suite "$1" "$2")
    case $s in
    "$3 "*) echo "check ok: $(basename "$1"): suite $s" >&2 ;;
    *) echo "CHECK FAILED: $(basename "$1"): suite '$s', want $3" >&2; return 1 ;;
    esac
}

# ---------------------------------------------------------------- setup

PY=python3
pick_python() {
    local p
    for p in python3 /usr/bin/python3; do
        if "$p" -c 'import websockets' 2>/dev/null; then PY=$p; return 0; fi
    done
    echo "no python3 with websockets found" >&2
    return 1
}

CERTS_MADE=0
make_certs() {
    [ "$CERTS_MADE" = 1 ] && return 0
    mkdir -p "$TMP/tls"
    # Throwaway, self-signed, made fresh on every run, deleted on exit.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$TMP/tls/ec-key.pem" -out "$TMP/tls/ec-cert.pem" -days 30 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes \
        -keyout "$TMP/tls/rsa-key.pem" -out "$TMP/tls/rsa-cert.pem" -days 30 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        2>/dev/null
    chmod 644 "$TMP"/tls/*.pem
    CERTS_MADE=1
}

CONTENT_MADE=0
setup_content() {
    [ "$CONTENT_MADE" = 1 ] && return 0
    python3 "$SCRIPTS/mkcontent.py" "$TMP/www"
    chmod -R a+rX "$TMP/www"
    CONTENT_MADE=1
}

NGINX_STARTED=0
start_nginx() {
    [ "$NGINX_STARTED" = 1 ] && return 0
    make_certs
    setup_content
    mkdir -p "$TMP/nginx/tmp"
    local ec="ssl_certificate $TMP/tls/ec-cert.pem; ssl_certificate_key $TMP/tls/ec-key.pem;"
    local rsa="ssl_certificate $TMP/tls/rsa-cert.pem; ssl_certificate_key $TMP/tls/rsa-key.pem;"
    local c12="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA256"
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
    keepalive_timeout 2s;
    # Wait for the client's close_notify and FIN after our own instead of
    # closing the socket at once (which answers the client's late
    # close_notify with a RST, racily).
    lingering_close always;
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
    root $TMP/www;
    # site: HTTP/1.1 over TLS 1.3 (twin of http-close)
    server {
        listen 127.0.0.1:$P_HTTPS ssl;
        server_name localhost;
        $ec
        ssl_protocols TLSv1.3;
    }
    # site: HTTP/2 over TLS 1.3 (ALPN h2)
    server {
        listen 127.0.0.1:$P_H2 ssl http2;
        server_name localhost;
        $ec
        ssl_protocols TLSv1.3;
    }
    # fixtures: TLS 1.2 and 1.3, RSA cert; the client picks the suite
    server {
        listen 127.0.0.1:$P_FIX ssl;
        server_name localhost;
        $rsa
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers $c12;
        ssl_prefer_server_ciphers off;
    }
    # fixtures: as above without encrypt-then-MAC (RFC 7366)
    server {
        listen 127.0.0.1:$P_MTE ssl;
        server_name localhost;
        $rsa
        ssl_protocols TLSv1.2;
        ssl_ciphers $c12;
        ssl_conf_command Options -EncryptThenMac;
    }
    # fixtures: TLS 1.3 with P-256 as the only group -> HelloRetryRequest
    # for a client whose first key share is X25519
    server {
        listen 127.0.0.1:$P_HRR ssl;
        server_name localhost;
        $rsa
        ssl_protocols TLSv1.3;
        ssl_ecdh_curve prime256v1;
    }
}
EOF
    nginx -t -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" \
        >/dev/null 2>&1 || {
        nginx -t -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf"
        return 1
    }
    nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
    PIDS+=($!)
    local p
    for p in $P_HTTPS $P_H2 $P_FIX $P_MTE $P_HRR; do wait_for listening "$p"; done
    NGINX_STARTED=1
}

# curl_tls KEYLOG PORT CACERT [curl args...] URL... ; the key log is written
# by curl itself (SSLKEYLOGFILE), nothing else touches it.
curl_tls() {
    local keys=$1 port=$2 ca=$3; shift 3
    local args=() a
    for a in "$@"; do
        case $a in https://*) args+=(-o /dev/null) ;; esac
        args+=("$a")
    done
    rm -f "$keys"
    SSLKEYLOGFILE=$keys curl -sS --max-time 5 --cacert "$ca" \
        --resolve "localhost:$port:127.0.0.1" "${args[@]}"
}

# ---------------------------------------------------------------- site

mk_https_get() {
    start_nginx
    local f=$CAP/https-get.pcap keys=$CAP/https-get.keys attempt first_fin
    # Who closes first is a race between nginx (close_notify + FIN after the
    # response) and curl (which has the whole body, Content-Length).  The
    # twin of http-close wants the server first and no RST: up to 5 tries.
    for attempt in 1 2 3 4 5; do
        cap_start "$f" -i lo tcp port $P_HTTPS
        curl_tls "$keys" $P_HTTPS "$TMP/tls/ec-cert.pem" --http1.1 --tlsv1.3 \
            -H 'Connection: close' "https://localhost:$P_HTTPS/"
        cap_stop
        first_fin=$(cd "$CAP" && command tshark -r https-get.pcap -n \
            -Y "tcp.flags.fin==1" -T fields -e tcp.srcport 2>/dev/null | head -1)
        if [ "$first_fin" = $P_HTTPS ] &&
            [ "$(count_match "$f" "tcp.flags.reset==1")" = 0 ]; then
            break
        fi
        echo "https-get attempt $attempt: client closed first or RST, retrying" >&2
        sleep 0.5
    done
    [ "$first_fin" = $P_HTTPS ] || { echo "https-get: server never closed first" >&2; return 1; }
    decrypts "$f" $P_HTTPS https-get.keys "http.request.method==GET" 1
    decrypts "$f" $P_HTTPS https-get.keys "http.response.code==200" 1
    require "$f" "tls.handshake.extensions.supported_version==0x0304" 1 \
        -d "tcp.port==$P_HTTPS,tls"
    require "$f" "tcp.flags.fin==1" 2
    tls_expect "$f" $P_HTTPS https-get.keys
}

mk_https_h2() {
    start_nginx
    local f=$CAP/https-h2.pcap keys=$CAP/https-h2.keys
    local u=https://localhost:$P_H2
    cap_start "$f" -i lo tcp port $P_H2
    curl_tls "$keys" $P_H2 "$TMP/tls/ec-cert.pem" --http2 --tlsv1.3 \
        "$u/" "$u/style.css" "$u/icon.svg"
    cap_stop
    decrypts "$f" $P_H2 https-h2.keys "http2.headers.method==\"GET\"" 3
    decrypts "$f" $P_H2 https-h2.keys "http2.headers.status==200" 3
    # h2 offered in the ClientHello; chosen in EncryptedExtensions (type 8),
    # which only the key log reveals in TLS 1.3
    require "$f" 'tls.handshake.type==1 && tls.handshake.extensions_alpn_str=="h2"' 1 \
        -d "tcp.port==$P_H2,tls"
    decrypts "$f" $P_H2 https-h2.keys \
        'tls.handshake.type==8 && tls.handshake.extensions_alpn_str=="h2"' 1
    require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0" 1
    [ "$(count_match "$f" "tcp.flags.syn==1 && tcp.flags.ack==0")" = 1 ] || {
        echo "https-h2: more than one connection" >&2; return 1; }
    tls_expect "$f" $P_H2 https-h2.keys
}

write_wss_py() {
    cat >"$TMP/wss_echo.py" <<'EOF'
"""WebSocket echo pair over TLS (loopback only), compression=None.

wss_echo.py server PORT CERT KEY     -- replies "resp: <message>"
wss_echo.py client PORT CAFILE KEYLOG -- 3 messages, one ping, close(1000);
    the client's SSLContext writes the NSS key log (keylog_filename).
Both sides offer ALPN http/1.1 (as browsers do for wss) so that tshark hands
the decrypted bytes to its HTTP dissector.
"""
import asyncio
import ssl
import sys

try:
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve
except ImportError:  # websockets < 13
    from websockets.client import connect
    from websockets.server import serve


async def handler(ws, path=None):
    async for msg in ws:
        await ws.send(f"resp: {msg}")


async def server(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    async with serve(handler, "127.0.0.1", port, ssl=ctx, compression=None,
                     ping_interval=None):
        await asyncio.sleep(20)  # bounded lifetime; killed earlier by PID


async def client(port, cafile, keylog):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    ctx.keylog_filename = keylog
    async with connect(f"wss://localhost:{port}/chat", ssl=ctx,
                       host="127.0.0.1", compression=None,
                       ping_interval=None, open_timeout=5) as ws:
        for m in ("hello", "how are you?", "bye"):
            await ws.send(m)
            print(await asyncio.wait_for(ws.recv(), 5))
        pong = await ws.ping(b"tcpdialog")
        await asyncio.wait_for(pong, 5)
        print("pong received")
        await ws.close(1000)


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        asyncio.run(server(port, sys.argv[3], sys.argv[4]))
    else:
        asyncio.run(client(port, sys.argv[3], sys.argv[4]))
EOF
}

mk_wss_echo() {
    make_certs
    pick_python
    write_wss_py
    local f=$CAP/wss-echo.pcap keys=$CAP/wss-echo.keys
    timeout 30 "$PY" "$TMP/wss_echo.py" server $P_WSS "$TMP/tls/ec-cert.pem" \
        "$TMP/tls/ec-key.pem" >"$TMP/wss-server.log" 2>&1 &
    local ws_pid=$!
    PIDS+=("$ws_pid")
    wait_for listening $P_WSS
    cap_start "$f" -i lo tcp port $P_WSS
    rm -f "$keys"
    timeout 15 "$PY" "$TMP/wss_echo.py" client $P_WSS "$TMP/tls/ec-cert.pem" "$keys"
    cap_stop
    kill "$ws_pid" 2>/dev/null || true
    decrypts "$f" $P_WSS wss-echo.keys "http.response.code==101" 1
    decrypts "$f" $P_WSS wss-echo.keys "websocket.opcode==1" 6
    decrypts "$f" $P_WSS wss-echo.keys "websocket.opcode==9" 1
    decrypts "$f" $P_WSS wss-echo.keys "websocket.opcode==10" 1
    decrypts "$f" $P_WSS wss-echo.keys "websocket.opcode==8" 2
    tls_expect "$f" $P_WSS wss-echo.keys
}

# ---------------------------------------------------------------- fixtures

# fix_get NAME PORT [curl args...] : one curl --http1.1 GET / to nginx.
fix_get() {
    local name=$1 port=$2; shift 2
    start_nginx
    local f=$TFIX/$name.pcap
    cap_start "$f" -i lo tcp port "$port"
    curl_tls "$TFIX/$name.keys" "$port" "$TMP/tls/rsa-cert.pem" --http1.1 \
        -H 'Connection: close' "$@" "https://localhost:$port/"
    cap_stop
    decrypts "$f" "$port" "$name.keys" "http.request.method==GET" 1
    decrypts "$f" "$port" "$name.keys" "http.response.code==200" 1
}

mk_tls13_suite() { # NAME SUITE
    fix_get "$1" $P_FIX --tlsv1.3 --tls13-ciphers "$2"
    require_suite "$TFIX/$1.pcap" $P_FIX "$2"
    tls_expect "$TFIX/$1.pcap" $P_FIX "$1.keys"
}
mk_tls13_aes128gcm() { mk_tls13_suite tls13-aes128gcm TLS_AES_128_GCM_SHA256; }
mk_tls13_aes256gcm() { mk_tls13_suite tls13-aes256gcm TLS_AES_256_GCM_SHA384; }
mk_tls13_chacha20() { mk_tls13_suite tls13-chacha20 TLS_CHACHA20_POLY1305_SHA256; }

# extension 22 = encrypt_then_mac
ETM_SH='tls.handshake.type==2 && tls.handshake.extension.type==22'

mk_tls12_suite() { # NAME PORT OPENSSL-NAME IANA-NAME
    fix_get "$1" "$2" --tlsv1.2 --tls-max 1.2 --ciphers "$3"
    require_suite "$TFIX/$1.pcap" "$2" "$4"
    require "$TFIX/$1.pcap" "tls.handshake.type==16" 1 -d "tcp.port==$2,tls"
    tls_expect "$TFIX/$1.pcap" "$2" "$1.keys"
}
mk_tls12_aes128gcm() {
    mk_tls12_suite tls12-aes128gcm $P_FIX ECDHE-RSA-AES128-GCM-SHA256 \
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
}
mk_tls12_aes256gcm() {
    mk_tls12_suite tls12-aes256gcm $P_FIX ECDHE-RSA-AES256-GCM-SHA384 \
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
}
mk_tls12_chacha20() {
    mk_tls12_suite tls12-chacha20 $P_FIX ECDHE-RSA-CHACHA20-POLY1305 \
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
}
mk_tls12_cbc_sha_etm() {
    mk_tls12_suite tls12-cbc-sha-etm $P_FIX ECDHE-RSA-AES128-SHA \
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    require "$TFIX/tls12-cbc-sha-etm.pcap" "$ETM_SH" 1 -d "tcp.port==$P_FIX,tls"
}
mk_tls12_cbc_sha_mte() {
    mk_tls12_suite tls12-cbc-sha-mte $P_MTE ECDHE-RSA-AES128-SHA \
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    # the client offers encrypt_then_mac, the server does not take it
    require "$TFIX/tls12-cbc-sha-mte.pcap" \
        'tls.handshake.type==1 && tls.handshake.extension.type==22' 1 \
        -d "tcp.port==$P_MTE,tls"
    require "$TFIX/tls12-cbc-sha-mte.pcap" "tls.handshake.type==2" 1 \
        -d "tcp.port==$P_MTE,tls"
    require_none "$TFIX/tls12-cbc-sha-mte.pcap" "$ETM_SH" -d "tcp.port==$P_MTE,tls"
}
mk_tls12_cbc_sha256() {
    mk_tls12_suite tls12-cbc-sha256 $P_FIX ECDHE-RSA-AES128-SHA256 \
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    require "$TFIX/tls12-cbc-sha256.pcap" "$ETM_SH" 1 -d "tcp.port==$P_FIX,tls"
}

mk_tls13_hrr() {
    # client: X25519 first (its only key share), P-256 also supported;
    # server: P-256 only -> HelloRetryRequest, second ClientHello with P-256.
    fix_get tls13-hrr $P_HRR --tlsv1.3 --curves X25519:P-256
    local f=$TFIX/tls13-hrr.pcap
    require "$f" "tls.handshake.type==1" 2 -d "tcp.port==$P_HRR,tls"
    # HelloRetryRequest = ServerHello with the special random (RFC 8446 4.1.3)
    require "$f" "tls.handshake.random==cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c" \
        1 -d "tcp.port==$P_HRR,tls"
    tls_expect "$f" $P_HRR tls13-hrr.keys
}

mk_tls13_resumed() {
    start_nginx
    local f=$TFIX/tls13-resumed.pcap u=https://localhost:$P_FIX
    cap_start "$f" -i lo tcp port $P_FIX
    # Connection: close on both: the second URL needs a new connection, and
    # curl offers the ticket it got on the first one (in-process cache).
    curl_tls "$TFIX/tls13-resumed.keys" $P_FIX "$TMP/tls/rsa-cert.pem" \
        --http1.1 --tlsv1.3 -H 'Connection: close' "$u/" "$u/style.css"
    cap_stop
    require "$f" "tcp.flags.syn==1 && tcp.flags.ack==0" 2
    # pre_shared_key (41) in the second ClientHello and in its ServerHello
    require "$f" "tls.handshake.type==1 && tls.handshake.extension.type==41" 1 \
        -d "tcp.port==$P_FIX,tls"
    require "$f" "tls.handshake.type==2 && tls.handshake.extension.type==41" 1 \
        -d "tcp.port==$P_FIX,tls"
    decrypts "$f" $P_FIX tls13-resumed.keys "http.request.method==GET" 2
    decrypts "$f" $P_FIX tls13-resumed.keys "http.response.code==200" 2
    decrypts "$f" $P_FIX tls13-resumed.keys "tcp.stream==1 && http.request" 1
    tls_expect "$f" $P_FIX tls13-resumed.keys
}

mk_tls13_keyupdate() {
    make_certs
    local f=$TFIX/tls13-keyupdate.pcap keys=$TFIX/tls13-keyupdate.keys
    rm -f "$keys" "$TMP/ku-srv.in" "$TMP/ku-cli.in"
    mkfifo "$TMP/ku-srv.in" "$TMP/ku-cli.in"
    # Both sides are driven line by line through their stdin (fds 7 and 8).
    # -crlf turns the LF of every line into CRLF, so the typed text is
    # HTTP/1.1; ALPN http/1.1 lets tshark dissect it as HTTP.  A line "k"
    # makes s_client send KeyUpdate(update_not_requested), "K" sends
    # KeyUpdate(update_requested) and the server answers with its own.
    timeout 30 openssl s_server -accept 127.0.0.1:$P_KU -naccept 1 -tls1_3 \
        -cert "$TMP/tls/rsa-cert.pem" -key "$TMP/tls/rsa-key.pem" \
        -alpn http/1.1 -crlf -num_tickets 0 \
        <"$TMP/ku-srv.in" >"$TMP/ku-srv.log" 2>&1 &
    PIDS+=($!)
    FDS_OPEN=1
    exec 7>"$TMP/ku-srv.in"
    wait_for listening $P_KU
    cap_start "$f" -i lo tcp port $P_KU
    timeout 20 openssl s_client -connect 127.0.0.1:$P_KU -servername localhost \
        -tls1_3 -alpn http/1.1 -crlf -CAfile "$TMP/tls/rsa-cert.pem" \
        -keylogfile "$keys" \
        <"$TMP/ku-cli.in" >"$TMP/ku-cli.log" 2>&1 &
    local cli=$!
    PIDS+=("$cli")
    exec 8>"$TMP/ku-cli.in"
    wait_for grep -q '^New, TLSv1.3' "$TMP/ku-cli.log"
    # Each message is written with one write(2) (the external printf; bash's
    # builtin writes line by line) so that it becomes one TLS record.
    local n body
    for n in one two three; do
        case $n in
        two) env printf 'k\n' >&8; sleep 0.3 ;;   # client key -> generation 1
        three) env printf 'K\n' >&8; sleep 0.3 ;; # client -> 2, server -> 1
        esac
        env printf 'GET /%s HTTP/1.1\nHost: localhost\n\n' "$n" >&8
        wait_for grep -q "GET /$n" "$TMP/ku-srv.log"
        body="reply $n"
        env printf 'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: %d\n\n%s' \
            ${#body} "$body" >&7
        wait_for grep -q "$body" "$TMP/ku-cli.log"
        sleep 0.2
    done
    # EOF on the client's stdin: s_client sends close_notify and exits.
    exec 8>&-
    local i
    for i in $(seq 1 50); do kill -0 "$cli" 2>/dev/null || break; sleep 0.1; done
    exec 7>&-
    FDS_OPEN=0
    cap_stop
    local d=(-d "tcp.port==$P_KU,tls" -o tls.keylog_file:tls13-keyupdate.keys)
    require "$f" "tls.handshake.type==24" 2 "${d[@]}"
    require "$f" "tls.handshake.type==24 && tcp.dstport==$P_KU" 2 "${d[@]}"
    require "$f" "tls.handshake.type==24 && tcp.srcport==$P_KU" 1 "${d[@]}"
    decrypts "$f" $P_KU tls13-keyupdate.keys 'http.request.uri=="/three"' 1
    decrypts "$f" $P_KU tls13-keyupdate.keys "http.response.code==200" 3
    tls_expect "$f" $P_KU tls13-keyupdate.keys
    # OpenSSL 3.0.19 also logs the secrets it derives at each KeyUpdate, as
    # CLIENT_TRAFFIC_SECRET_N / SERVER_TRAFFIC_SECRET_N (not NSS labels).  The
    # .secret0.keys copy drops them, leaving what an NSS-format-only writer
    # gives: the decoder has to derive the next secrets itself.  tshark must
    # show the same with both.
    grep -q '_TRAFFIC_SECRET_N ' "$keys" || {
        echo "note: no *_TRAFFIC_SECRET_N lines in the key log" >&2; }
    grep -v '_TRAFFIC_SECRET_N ' "$keys" >"$TFIX/tls13-keyupdate.secret0.keys"
    # Each *_N line must be HKDF-Expand-Label(previous, "traffic upd", "", 48)
    # (RFC 8446 7.2; SHA-384 for TLS_AES_256_GCM_SHA384).
    python3 - "$keys" <<'PYEOF'
import hashlib, hmac, sys
def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha384).digest()
        out += t
        i += 1
    return out[:length]
sec = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    label, _cr, s = line.split()
    sec.setdefault(label, []).append(bytes.fromhex(s))
for side in ("CLIENT", "SERVER"):
    cur = sec[side + "_TRAFFIC_SECRET_0"][0]
    for n, got in enumerate(sec.get(side + "_TRAFFIC_SECRET_N", []), 1):
        cur = expand_label(cur, b"traffic upd", len(cur))
        if got != cur:
            sys.exit(f"{side}_TRAFFIC_SECRET_N #{n} is not the next generation")
        print(f"check ok: {side}_TRAFFIC_SECRET_N #{n} = generation {n}",
              file=sys.stderr)
PYEOF
    cmp "$f.tshark-tls.tsv" <(tls_view "$f" $P_KU tls13-keyupdate.secret0.keys)
    echo "check ok: tls13-keyupdate: same tshark view with secret0.keys" >&2
}

need_https_get() {
    [ -f "$CAP/https-get.pcap" ] && [ -f "$CAP/https-get.keys" ] || mk_https_get
}

mk_tls13_midstream() {
    need_https_get
    local src=$CAP/https-get.pcap f=$TFIX/tls13-midstream.pcap
    # Keep everything after the client's Finished: the TCP handshake,
    # ClientHello, the server's flight and the client's CCS+Finished are cut
    # away, so every record left is protected with *_TRAFFIC_SECRET_0 and
    # each direction starts at record sequence number 0 (the server's
    # NewSessionTickets come first).
    local fin first total
    fin=$(cd "$CAP" && command tshark -r https-get.pcap -n \
        -o tls.keylog_file:https-get.keys -d "tcp.port==$P_HTTPS,tls" \
        -Y "tls.handshake.type==20 && tcp.dstport==$P_HTTPS" -T fields \
        -e frame.number 2>/dev/null | tail -1)
    [ -n "$fin" ] || { echo "no client Finished in https-get.pcap" >&2; return 1; }
    first=$((fin + 1))
    total=$(count_match "$src" frame)
    editcap -F pcap -r "$src" "$f" "$first-$total"
    cp "$CAP/https-get.keys" "$TFIX/tls13-midstream.keys"
    require_none "$f" "tls.handshake.type==1 || tls.handshake.type==2" \
        -d "tcp.port==$P_HTTPS,tls"
    require "$f" "tls.record.content_type==23" 4 -d "tcp.port==$P_HTTPS,tls"
    # tshark 4.0 finds the secrets by the ClientHello's random, so it cannot
    # decrypt this file; the expectation files record that.
    if [ "$(count_match "$f" http -d "tcp.port==$P_HTTPS,tls" \
        -o tls.keylog_file:tls13-midstream.keys)" != 0 ]; then
        echo "note: tshark decrypts tls13-midstream" >&2
    fi
    echo "tls13-midstream: frames $first-$total of https-get.pcap" >&2
    tls_expect "$f" $P_HTTPS tls13-midstream.keys
}

mk_tls13_dsb() {
    need_https_get
    local f=$TFIX/tls13-dsb.pcapng
    (cd "$CAP" && editcap --inject-secrets tls,https-get.keys https-get.pcap "$f")
    # tshark reads the Decryption Secrets Block: no key log option.
    require "$f" "http.request.method==GET" 1 -d "tcp.port==$P_HTTPS,tls"
    require "$f" "http.response.code==200" 1 -d "tcp.port==$P_HTTPS,tls"
    tls_expect "$f" $P_HTTPS
}

# client random (hex) of the first ClientHello in a capture
client_random() {
    (cd "$(dirname "$1")" && command tshark -r "$(basename "$1")" -n \
        -d "tcp.port==$2,tls" -Y "tls.handshake.type==1" -T fields \
        -e tls.handshake.random 2>/dev/null | head -1 | tr -d ':')
}

need_aes256_keys() {
    [ -f "$TFIX/tls13-aes256gcm.keys" ] && [ -f "$TFIX/tls13-aes256gcm.pcap" ] ||
        mk_tls13_aes256gcm
}

mk_tls13_wrongkeys() {
    need_https_get
    need_aes256_keys
    # https-get.pcap with the (unchanged) key log of another connection:
    # no line matches this connection's client random.
    local f=$TFIX/tls13-wrongkeys.pcap
    cp "$CAP/https-get.pcap" "$f"
    cp "$TFIX/tls13-aes256gcm.keys" "$TFIX/tls13-wrongkeys.keys"
    local cr
    cr=$(client_random "$f" $P_HTTPS)
    if grep -qi "$cr" "$TFIX/tls13-wrongkeys.keys"; then
        echo "wrong keys unexpectedly match" >&2; return 1
    fi
    require_none "$f" "http" -d "tcp.port==$P_HTTPS,tls" \
        -o tls.keylog_file:tls13-wrongkeys.keys
    tls_expect "$f" $P_HTTPS tls13-wrongkeys.keys
}

mk_tls13_wrongsecrets() {
    need_https_get
    need_aes256_keys
    # https-get.pcap with another connection's secrets (same suite, AES-256-GCM
    # / SHA-384) filed under THIS connection's client random: the lookup
    # succeeds, decryption fails (AEAD tag mismatch).
    local f=$TFIX/tls13-wrongsecrets.pcap
    cp "$CAP/https-get.pcap" "$f"
    local cr other
    cr=$(client_random "$f" $P_HTTPS)
    other=$(client_random "$TFIX/tls13-aes256gcm.pcap" $P_FIX)
    [ -n "$cr" ] && [ -n "$other" ] && [ "$cr" != "$other" ]
    sed "s/ $other / $cr /I" "$TFIX/tls13-aes256gcm.keys" >"$TFIX/tls13-wrongsecrets.keys"
    grep -qi " $cr " "$TFIX/tls13-wrongsecrets.keys"
    require_none "$f" "http" -d "tcp.port==$P_HTTPS,tls" \
        -o tls.keylog_file:tls13-wrongsecrets.keys
    tls_expect "$f" $P_HTTPS tls13-wrongsecrets.keys
}

ALL=(https-get https-h2 wss-echo tls13-aes128gcm tls13-aes256gcm
    tls13-chacha20 tls12-aes128gcm tls12-aes256gcm tls12-chacha20
    tls12-cbc-sha-etm tls12-cbc-sha-mte tls12-cbc-sha256 tls13-keyupdate
    tls13-hrr tls13-resumed tls13-midstream tls13-dsb tls13-wrongkeys
    tls13-wrongsecrets)

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
