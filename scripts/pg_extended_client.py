"""A minimal PostgreSQL wire-protocol client (trust authentication) for tests/fixtures/phases/pg-extended.pcap.

It sends, each followed by reading up to ReadyForQuery: an extended-protocol batch with a Parse (Parse, Bind,
Describe, Execute, Sync); a batch that only binds the prepared statement again (Bind, Execute, Sync); a
FunctionCall (pg_backend_pid, oid 2026); a simple Query whose SQL holds an ANSI escape and a BEL; then Terminate.
Usage: python3 pg_extended_client.py PORT"""
import socket
import struct
import sys


def message(tag, body=b""):
    return tag + struct.pack(">I", len(body) + 4) + body


def cstr(text):
    return text.encode() + b"\0"


def read_until_ready(sock):
    buf = b""
    while True:
        while len(buf) >= 5:
            tag, length = buf[:1], struct.unpack(">I", buf[1:5])[0]
            if len(buf) < 1 + length:
                break
            buf = buf[1 + length:]
            if tag == b"Z":
                return
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("server closed the connection")
        buf += chunk


def main():
    port = int(sys.argv[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    params = cstr("user") + cstr("postgres") + cstr("database") + cstr("postgres") + b"\0"
    body = struct.pack(">I", 196608) + params
    sock.sendall(struct.pack(">I", len(body) + 4) + body)
    read_until_ready(sock)

    # Batch 1: Parse a named statement with one parameter, bind 41, describe, execute, sync.
    sql = "SELECT $1::int + 1 AS answer"
    parse = message(b"P", cstr("s1") + cstr(sql) + struct.pack(">hI", 1, 23))
    bind = message(b"B", cstr("") + cstr("s1") + struct.pack(">h", 0) + struct.pack(">h", 1)
                   + struct.pack(">i", 2) + b"41" + struct.pack(">h", 0))
    describe = message(b"D", b"P" + cstr(""))
    execute = message(b"E", cstr("") + struct.pack(">i", 0))
    sync = message(b"S")
    sock.sendall(parse + bind + describe + execute + sync)
    read_until_ready(sock)

    # Batch 2: the prepared statement again, no Parse.
    bind2 = message(b"B", cstr("") + cstr("s1") + struct.pack(">h", 0) + struct.pack(">h", 1)
                    + struct.pack(">i", 1) + b"1" + struct.pack(">h", 0))
    sock.sendall(bind2 + execute + sync)
    read_until_ready(sock)

    # FunctionCall: pg_backend_pid() (oid 2026), no arguments, text result.
    sock.sendall(message(b"F", struct.pack(">Ihhh", 2026, 0, 0, 0)))
    read_until_ready(sock)

    # A simple Query with control characters in its SQL.
    sock.sendall(message(b"Q", cstr("SELECT '\x1b[31mred\x07' AS x")))
    read_until_ready(sock)

    sock.sendall(message(b"X"))
    sock.close()


main()
