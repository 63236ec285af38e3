#!/usr/bin/env bash
# Records the MySQL/MariaDB captures for tcpdialog, plus tshark expectations.
#
# Usage: scripts/make-mysql-captures.sh [NAME...]
#   NAME: mysql | mysql-multi | mysql-compressed | mysql-tls (default: all)
#
#   captures/mysql.pcap                         login with an auth switch, SELECT, INSERT,
#                                               ERR 1146, prepared statement, ping, init db, quit
#   tests/fixtures/mysql/mysql-multi.pcap       many packets per segment, a ~21 KB result set
#                                               over two segments, a 20 KB query in two segments
#   tests/fixtures/mysql/mysql-compressed.pcap  the compressed protocol (zlib)
#   tests/fixtures/mysql/mysql-tls.pcap         SSL request + TLS 1.3; key log in mysql-tls.keys
#
# Must run as root (tcpdump; mariadbd drops to the mysql user).  A throwaway
# MariaDB (Debian's mariadbd, not the system service) runs on 127.0.0.1:18306
# with a scratch data directory, its own socket and --no-defaults, and is
# stopped by PID on exit, like tcpdump.  Only loopback is used.
#
# Needs: mariadb-server (mariadbd, mariadb-install-db, mariadb client),
# openssl, tcpdump, tshark 4.0, python3 + mysql-connector-python (pure mode;
# `pip install mysql-connector-python`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/scripts
CAP=$ROOT/captures
OUT=$ROOT/tests/fixtures/mysql
mkdir -p "$CAP" "$OUT"

P_MYSQL=18306
DB_USER=app
DB_PASS=s3cret-pw

TMP=$(mktemp -d /tmp/tcpdialog-mysql.XXXXXX)
chmod 755 "$TMP" # mariadbd runs as mysql and must reach its folders
PIDS=()
MARIADB_PID=

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
    if [ -n "$MARIADB_PID" ] && kill -0 "$MARIADB_PID" 2>/dev/null; then
        kill -TERM "$MARIADB_PID"
        local i
        for i in $(seq 1 100); do
            kill -0 "$MARIADB_PID" 2>/dev/null || break
            sleep 0.1
        done
    fi
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

# wait_for CMD... : retry CMD up to 100 times (10 s).
wait_for() {
    local i
    for i in $(seq 1 100); do
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
s = socket.socket(); s.settimeout(0.5); s.connect((h, p)); s.close()
EOF
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

# MySQL message fields (all exist in tshark 4.0.17); the last two are extra:
# the plugin the client named in its handshake response and the one the
# server's Auth Switch Request asks for.
MYSQL_FIELDS=(frame.number tcp.stream tcp.srcport tcp.dstport
    mysql.packet_number mysql.command mysql.query mysql.response_code
    mysql.error_code mysql.sqlstate mysql.error.message mysql.num_fields
    mysql.version mysql.user mysql.schema mysql.auth_plugin
    _ws.col.Protocol _ws.col.Info
    mysql.client_auth_plugin mysql.auth_switch_request.name)

fields_args() { local f; for f in "$@"; do printf -- '-e\n%s\n' "$f"; done; }

DEC=(-d "tcp.port==$P_MYSQL,mysql")

# expect FILE [extra tshark options for the -tshark-mysql view...]
# Writes FILE.tshark.tsv, FILE.tshark-mysql.tsv, FILE.conv.txt from the
# file's directory (no absolute path in the output).
expect() {
    local f=$1; shift
    local dir base
    dir=$(dirname "$f"); base=$(basename "$f")
    local common=(-n -o tcp.relative_sequence_numbers:TRUE
        -o tcp.analyze_sequence_numbers:TRUE "${DEC[@]}")
    local tsv=() my=()
    mapfile -t tsv < <(fields_args "${TSV_FIELDS[@]}")
    mapfile -t my < <(fields_args "${MYSQL_FIELDS[@]}")
    (
        cd "$dir"
        tshark -r "$base" "${common[@]}" -T fields -E header=y \
            -E separator=/t "${tsv[@]}" >"$base.tshark.tsv" || true
        tshark -r "$base" -n "${DEC[@]}" "$@" -Y mysql -T fields -E header=y \
            -E separator=/t -E occurrence=a -E aggregator=, "${my[@]}" \
            >"$base.tshark-mysql.tsv" || true
        tshark -r "$base" "${common[@]}" -q -z conv,tcp >"$base.conv.txt" || true
    )
}

count_match() { # FILE FILTER [tshark options]
    local f=$1 flt=$2; shift 2
    command tshark -r "$f" -n "${DEC[@]}" "$@" -Y "$flt" 2>/dev/null | wc -l
}

require() { # FILE FILTER MIN [tshark options]
    local f=$1 flt=$2 min=$3; shift 3
    local n
    n=$(count_match "$f" "$flt" "$@")
    if [ "$n" -lt "$min" ]; then
        echo "CHECK FAILED: $(basename "$f"): '$flt' matched $n frames (< $min)" >&2
        return 1
    fi
    echo "check ok: $(basename "$f"): '$flt' -> $n frames" >&2
}

# ---------------------------------------------------------------- server

MARIADB_STARTED=0
start_mariadb() {
    [ "$MARIADB_STARTED" = 1 ] && return 0
    if port_open 127.0.0.1 $P_MYSQL 2>/dev/null; then
        echo "port $P_MYSQL already in use" >&2; return 1
    fi
    mkdir -p "$TMP/db" "$TMP/run" "$TMP/tls"
    chown mysql:mysql "$TMP/db" "$TMP/run"
    # Throwaway self-signed certificate for the TLS capture.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost \
        -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" 2>/dev/null
    chmod 644 "$TMP/tls/key.pem" "$TMP/tls/cert.pem"
    timeout 120 mariadb-install-db --no-defaults --user=mysql --datadir="$TMP/db" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$TMP/install-db.log" 2>&1 || { cat "$TMP/install-db.log" >&2; return 1; }
    mariadbd --no-defaults --user=mysql --datadir="$TMP/db" \
        --socket="$TMP/run/sock" --pid-file="$TMP/run/mariadbd.pid" \
        --port=$P_MYSQL --bind-address=127.0.0.1 --skip-name-resolve \
        --log-error="$TMP/run/error.log" --skip-log-bin \
        --ssl-cert="$TMP/tls/cert.pem" --ssl-key="$TMP/tls/key.pem" \
        >"$TMP/mariadbd.out" 2>&1 &
    MARIADB_PID=$!
    MARIADB_STARTED=1
    wait_for mariadb-admin --no-defaults --socket="$TMP/run/sock" -uroot ping ||
        { cat "$TMP/run/error.log" >&2; return 1; }
    wait_for port_open 127.0.0.1 $P_MYSQL
    # Set up through the unix socket (not recorded): a password user with
    # mysql_native_password, two databases, two tables.
    timeout 30 mariadb --no-defaults --socket="$TMP/run/sock" -uroot <<EOF
CREATE DATABASE shop;
CREATE DATABASE archive;
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('$DB_PASS');
GRANT ALL ON shop.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL ON archive.* TO '$DB_USER'@'127.0.0.1';
USE shop;
CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL,
    price DECIMAL(8,2) NOT NULL);
INSERT INTO items (name, price) VALUES ('apple', 0.50), ('bread', 2.20),
    ('cheese', 7.95), ('dates', 4.10), ('eggs', 3.00);
-- 200 rows, each a 4-byte int and a 96-char string: ~101-byte row packets.
CREATE TABLE big (n INT PRIMARY KEY, pad CHAR(96) NOT NULL);
INSERT INTO big SELECT seq, RPAD(CONCAT('row-', seq, '-'), 96, 'abcdefghij') FROM seq_1_to_200;
EOF
}

# Fresh copy of the items table for each capture, so results do not depend
# on the order of the captures.
reset_items() {
    timeout 30 mariadb --no-defaults --socket="$TMP/run/sock" -uroot shop <<'EOF'
DELETE FROM items WHERE id > 5;
ALTER TABLE items AUTO_INCREMENT = 6;
EOF
}

client() { # MODE [args]
    timeout 30 python3 "$SCRIPTS/mysql_client.py" "$1" $P_MYSQL "${@:2}"
}

# ---------------------------------------------------------------- captures

mk_mysql() {
    start_mariadb
    reset_items
    local f=$CAP/mysql.pcap
    cap_start "$f" -i lo tcp port $P_MYSQL
    client main
    cap_stop
    require "$f" 'mysql.auth_plugin == "mysql_native_password"' 1
    require "$f" 'mysql.client_auth_plugin == "caching_sha2_password"' 1
    require "$f" 'mysql.auth_switch_request.name == "mysql_native_password"' 1
    require "$f" 'mysql.query contains "SELECT id, name, price"' 1
    require "$f" 'mysql.query contains "INSERT INTO items"' 1
    require "$f" 'mysql.error_code == 1146 && mysql.sqlstate == "42S02"' 1
    require "$f" 'mysql.command == 22' 1 # COM_STMT_PREPARE
    require "$f" 'mysql.command == 23' 1 # COM_STMT_EXECUTE
    require "$f" 'mysql.command == 25' 1 # COM_STMT_CLOSE
    require "$f" 'mysql.command == 14' 1 # COM_PING
    require "$f" 'mysql.command == 2 && mysql.schema == "archive"' 1 # COM_INIT_DB
    require "$f" 'mysql.command == 1' 1  # COM_QUIT
    expect "$f"
}

mk_mysql_multi() {
    start_mariadb
    reset_items
    local f=$OUT/mysql-multi.pcap
    cap_start "$f" -i lo tcp port $P_MYSQL
    client multi
    cap_stop
    # the 200-row result: two server segments, one of them the 16 KiB flush
    require "$f" 'tcp.srcport == 18306 && tcp.len == 16384' 1
    # the 20000-byte query text: an 8192-byte client segment then the rest
    require "$f" 'tcp.dstport == 18306 && tcp.len == 8192' 1
    require "$f" 'mysql.query contains "SELECT LENGTH("' 1
    expect "$f"
}

mk_mysql_compressed() {
    start_mariadb
    reset_items
    local f=$OUT/mysql-compressed.pcap
    cap_start "$f" -i lo tcp port $P_MYSQL
    client compressed
    cap_stop
    require "$f" 'mysql.caps.cp == 1' 2
    require "$f" 'mysql.compressed_packet_length_uncompressed > 0' 2
    require "$f" 'mysql.error_code == 1146' 1
    expect "$f"
}

mk_mysql_tls() {
    start_mariadb
    reset_items
    local f=$OUT/mysql-tls.pcap keys=$OUT/mysql-tls.keys
    rm -f "$keys"
    cap_start "$f" -i lo tcp port $P_MYSQL
    client tls "$TMP/mysql-tls.keys"
    cap_stop
    cp "$TMP/mysql-tls.keys" "$keys"
    require "$f" 'mysql.caps.sl == 1' 2
    require "$f" 'tls.handshake.type == 1' 1
    require "$f" 'mysql.query' 2 -o "tls.keylog_file:$keys"
    expect "$f"
    # The same view with the key log: the MySQL messages inside TLS.
    (
        cd "$OUT"
        tshark -r mysql-tls.pcap -n "${DEC[@]}" -o tls.keylog_file:mysql-tls.keys \
            -Y mysql -T fields -E header=y -E separator=/t -E occurrence=a \
            -E aggregator=, $(fields_args "${MYSQL_FIELDS[@]}") \
            >mysql-tls.pcap.tshark-mysql-decrypted.tsv || true
    )
}

ALL=(mysql mysql-multi mysql-compressed mysql-tls)

main() {
    [ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
    python3 -c 'import mysql.connector' 2>/dev/null || {
        echo "needs python3 mysql-connector-python (pip install mysql-connector-python)" >&2
        exit 1
    }
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
