#!/usr/bin/env python3
"""MySQL/MariaDB traffic for scripts/make-mysql-captures.sh.  Loopback only, bounded.

Uses mysql-connector-python in pure-Python mode (use_pure=True), which does
server-side prepared statements (cursor(prepared=True)) and the compressed
protocol (compress=True).

Usage: mysql_client.py MODE PORT [KEYLOG]
  main        auth switch (client asks caching_sha2_password, MariaDB switches
              to mysql_native_password), SELECT, INSERT, failing query (1146),
              prepared statement (prepare/reset/execute/close), COM_PING,
              COM_INIT_DB, COM_QUIT.  No TLS.
  multi       small result sets (many packets in one segment), a ~200-row
              result set (~21 KB, two segments, MySQL packets straddling
              segment boundaries) and a 20 KB query sent through a 4 KiB
              two send() calls (one MySQL packet in two client segments).
  compressed  the same kind of traffic with compress=True.
  tls         TLS after the SSL request packet; TLS secrets written to KEYLOG
              (NSS key log format) through ssl.SSLContext.keylog_filename.

User app / password s3cret-pw, databases shop and archive, table shop.items
(made by the shell script through the server's unix socket, not recorded).
"""
import socket
import ssl
import sys
import time

import mysql.connector
from mysql.connector import errors
from mysql.connector import network

HOST = "127.0.0.1"
ALLOWED = {"127.0.0.1", "::1", "localhost"}
USER = "app"
PASSWORD = "s3cret-pw"


def check_host(h):
    if h not in ALLOWED:
        raise SystemExit(f"refusing non-loopback host {h!r}")


def connect(port, **kw):
    check_host(HOST)
    args = dict(host=HOST, port=port, user=USER, password=PASSWORD,
                database="shop", use_pure=True, autocommit=True,
                connection_timeout=5, read_timeout=5, write_timeout=5,
                ssl_disabled=True)
    args.update(kw)
    return mysql.connector.connect(**args)


def pause():
    # A short gap between commands, so each one is its own exchange on the wire.
    time.sleep(0.05)


def failing_query(cur):
    try:
        cur.execute("SELECT * FROM no_such_table")
        cur.fetchall()
    except errors.ProgrammingError as e:
        print(f"expected error: {e.errno} {e.sqlstate} {e.msg}")
    else:
        raise SystemExit("query on a missing table did not fail")


def mode_main(port):
    # The client's first handshake response names caching_sha2_password;
    # the user is mysql_native_password, so MariaDB sends an Auth Switch Request.
    conn = connect(port, auth_plugin="caching_sha2_password")
    # conn.cursor() checks the connection with a COM_PING: make both cursors
    # first, so those implicit pings come before the commands of interest.
    cur = conn.cursor()
    pcur = conn.cursor(prepared=True)
    pause()
    cur.execute("SELECT id, name, price FROM items WHERE id <= 3 ORDER BY id")
    print("select:", cur.fetchall())
    pause()
    cur.execute("INSERT INTO items (name, price) VALUES ('gadget', 12.50)")
    print("insert: rowcount", cur.rowcount, "id", cur.lastrowid)
    pause()
    failing_query(cur)
    pause()
    # COM_STMT_PREPARE, COM_STMT_RESET (the connector resets before every
    # execute), COM_STMT_EXECUTE with one integer parameter, COM_STMT_CLOSE.
    pcur.execute("SELECT name, price FROM items WHERE id = ?", (2,))
    print("prepared:", pcur.fetchall())
    pcur.close()
    pause()
    conn.cmd_ping()
    pause()
    conn.cmd_init_db("archive")
    pause()
    cur.close()
    conn.close()  # COM_QUIT


def mode_multi(port):
    conn = connect(port)
    pause()
    # Many small packets in one server segment: column definitions, rows, EOF.
    cur = conn.cursor()
    cur.execute("SELECT id, name, price FROM items ORDER BY id")
    print("small select:", len(cur.fetchall()), "rows")
    cur.close()
    pause()
    # ~200 rows of ~100 bytes: about 21 KB of result set. MariaDB flushes its
    # 16 KiB net buffer, so at least one packet straddles two segments.
    cur = conn.cursor()
    cur.execute("SELECT n, pad FROM big ORDER BY n")
    rows = cur.fetchall()
    print("big select:", len(rows), "rows")
    cur.close()
    pause()
    # One 20 KB COM_QUERY packet written in two send() calls 50 ms apart
    # (TCP_NODELAY), so it is carried by two client segments: MariaDB reads
    # the header and the first 8 KiB and waits for the rest. (A small
    # SO_SNDBUF does not split it on lo: the kernel puts the whole write in
    # one GSO skb, so tcpdump sees one 20 KB segment.)
    sock = conn._socket.sock
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    orig = network.NetworkBrokerPlain._send_pkt

    def split_send(self, sock, address, pkt):
        if len(pkt) <= 16384:
            return orig(self, sock, address, pkt)
        orig(self, sock, address, pkt[:8192])
        time.sleep(0.05)
        return orig(self, sock, address, pkt[8192:])

    network.NetworkBrokerPlain._send_pkt = split_send
    filler = "x" * 20000
    cur = conn.cursor()
    cur.execute(f"SELECT LENGTH('{filler}') AS len")
    print("long query:", cur.fetchall())
    cur.close()
    network.NetworkBrokerPlain._send_pkt = orig
    pause()
    conn.close()


def mode_compressed(port):
    conn = connect(port, compress=True)
    pause()
    cur = conn.cursor()
    cur.execute("SELECT id, name, price FROM items ORDER BY id")
    print("select:", cur.fetchall())
    cur.close()
    pause()
    cur = conn.cursor()
    # Client packets over 50 bytes are compressed (zlib) by the connector.
    cur.execute("SELECT name FROM items WHERE name IN ('apple', 'bread', "
                "'cheese', 'dates', 'eggs', 'gadget') ORDER BY name")
    print("select in:", cur.fetchall())
    cur.close()
    pause()
    cur = conn.cursor()
    cur.execute("SELECT n, pad FROM big WHERE n <= 20 ORDER BY n")
    print("select big:", len(cur.fetchall()), "rows")
    cur.close()
    pause()
    cur = conn.cursor()
    failing_query(cur)
    cur.close()
    pause()
    conn.cmd_ping()
    pause()
    conn.close()


def mode_tls(port, keylog):
    # The connector builds its context with ssl.create_default_context();
    # wrap its builder to set keylog_filename on the context it returns.
    orig = network.MySQLSocket.build_ssl_context

    def build(self, *a, **kw):
        ctx = orig(self, *a, **kw)
        ctx.keylog_filename = keylog
        return ctx

    network.MySQLSocket.build_ssl_context = build
    conn = connect(port, ssl_disabled=False, ssl_verify_cert=False,
                   ssl_verify_identity=False)
    pause()
    cur = conn.cursor()
    cur.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
    print("tls:", cur.fetchall())
    cur.close()
    pause()
    cur = conn.cursor()
    cur.execute("SELECT id, name, price FROM items WHERE id <= 2 ORDER BY id")
    print("select:", cur.fetchall())
    cur.close()
    pause()
    conn.close()


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "main":
        mode_main(port)
    elif mode == "multi":
        mode_multi(port)
    elif mode == "compressed":
        mode_compressed(port)
    elif mode == "tls":
        if len(sys.argv) < 4:
            raise SystemExit("tls needs KEYLOG")
        mode_tls(port, sys.argv[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
