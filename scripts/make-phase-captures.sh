#!/usr/bin/env bash
# Records the dialog-phase fixtures under tests/fixtures/phases/ (see tests/fixtures/phases/README.md):
#   tls13-hrr.pcap        TLS 1.3 with a HelloRetryRequest (client key share P-256, server only X25519)
#   pg-extended.pcap      PostgreSQL extended protocol, FunctionCall, a Query with control characters
#   h2-no-end.pcap        frames 1-20 of h2-streams.pcap: stream 1 never ends (byte-level cut)
#   tls13-backwards.pcap  captures/tls13.pcap with frame 8 stamped before frame 4 (byte-level edit)
# Needs: openssl, postgresql 15, python3, tcpdump, editcap, tshark. Run as root. Only 127.0.0.1; every process
# started is killed by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/fixtures/phases
P_TLS=18453
P_PG=18433
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/tcpdialog-phases.XXXXXX)
chmod 755 "$TMP" # the postgres user must reach its data folder
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$TMP"; }
trap cleanup EXIT

record() { # FILE FILTER: starts tcpdump, sets TCPDUMP
    tcpdump -i lo -U -w "$1" "$2" >/dev/null 2>&1 &
    TCPDUMP=$!
    PIDS+=($TCPDUMP)
    sleep 0.5
}
stop_recording() { sleep 0.5; kill -INT "$TCPDUMP"; wait "$TCPDUMP" || true; }

mk_tls13_hrr() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
    openssl s_server -accept "127.0.0.1:$P_TLS" -tls1_3 -groups X25519 -cert "$TMP/cert.pem" \
        -key "$TMP/key.pem" -naccept 1 -quiet </dev/null >/dev/null 2>&1 &
    PIDS+=($!)
    sleep 0.5
    record "$TMP/tls13-hrr.pcap" "tcp port $P_TLS"
    echo hello | timeout 5 openssl s_client -connect "127.0.0.1:$P_TLS" -tls1_3 -groups P-256:X25519 \
        -servername localhost -quiet >/dev/null 2>&1 || true
    stop_recording
    cp "$TMP/tls13-hrr.pcap" "$OUT/tls13-hrr.pcap"
}

mk_pg_extended() {
    local pgbin=/usr/lib/postgresql/15/bin
    mkdir -p "$TMP/pg"
    chown postgres:postgres "$TMP/pg"
    local asp=(setpriv --reuid=postgres --regid=postgres --init-groups)
    "${asp[@]}" "$pgbin/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 --locale=C --auth=trust \
        >"$TMP/pg/initdb.log" 2>&1
    "${asp[@]}" "$pgbin/postgres" -D "$TMP/pg/data" -p $P_PG -k "$TMP/pg" -c listen_addresses=127.0.0.1 \
        -c ssl=off >"$TMP/pg/server.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do "$pgbin/pg_isready" -q -h 127.0.0.1 -p $P_PG && break; sleep 0.2; done
    record "$TMP/pg-extended.pcap" "tcp port $P_PG"
    python3 "$ROOT/scripts/pg_extended_client.py" $P_PG
    stop_recording
    cp "$TMP/pg-extended.pcap" "$OUT/pg-extended.pcap"
}

mk_h2_no_end() {
    editcap -F pcap -r "$OUT/h2-streams.pcap" "$OUT/h2-no-end.pcap" 1-20
}

mk_tls13_backwards() {
    python3 - "$ROOT/captures/tls13.pcap" "$OUT/tls13-backwards.pcap" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
offsets, off = [], 24
while off + 16 <= len(data):
    offsets.append(off)
    off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
# Frame 8 gets frame 4's timestamp minus 1 ms: the TLS handshake would "end" before it starts.
sec, usec = struct.unpack("<II", data[offsets[3]:offsets[3] + 8])
total = sec * 1_000_000 + usec - 1000
data[offsets[7]:offsets[7] + 8] = struct.pack("<II", total // 1_000_000, total % 1_000_000)
open(sys.argv[2], "wb").write(data)
PY
}

for name in "${@:-tls13_hrr pg_extended h2_no_end tls13_backwards}"; do
    for one in $name; do "mk_$one"; done
done
for f in tls13-hrr pg-extended h2-no-end tls13-backwards; do
    if [ -f "$OUT/$f.pcap" ]; then echo "$f: $(tshark -r "$OUT/$f.pcap" 2>/dev/null | wc -l) frames"; fi
done
