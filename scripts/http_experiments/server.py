#!/usr/bin/env python3
"""Small HTTP/1.1 servers for scripts/make-http-experiments.sh.  Loopback only.

Usage: server.py MODE PORT [DIR]
  origin   PORT DIR  serves DIR (the CORS page) on 127.0.0.1
  cors     PORT      the cross-origin API, on 127.0.0.1 and ::1 (for "localhost"):
                     OPTIONS preflight -> 204 with Access-Control-Allow-Origin/
                     -Methods/-Headers/-Max-Age; PUT /api/... -> 200 JSON with
                     Access-Control-Allow-Origin
  upload   PORT      POST /upload: "Expect: 100-continue" -> "HTTP/1.1 100 Continue"
                     (http.server's handle_expect_100), reads the multipart body,
                     200 OK with a short text report
  refuse   PORT      POST with "Expect: 100-continue" and Content-Length over
                     32 KiB -> "413 Payload Too Large" at once (Connection: close),
                     body not read, connection closed
  chunked  PORT      GET /chunked -> Transfer-Encoding: chunked, chunks of
                     5, 1000, 17+64 (one write), 3000 (written in two halves)
                     bytes with 50 ms pauses, then the last chunk;
                     GET /fixed -> 2000 bytes with Content-Length

Every server is HTTP/1.1 (keep-alive), logs to stderr, and exits on SIGTERM.
"""
import http.server
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time

ALLOWED = {"127.0.0.1", "::1"}
ORIGIN = "http://127.0.0.1:18470"


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        if self.server_address[0] not in ALLOWED:
            raise SystemExit(f"refusing non-loopback address {self.server_address[0]!r}")
        super().server_bind()


class Server6(Server):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tcpdialog-test"

    def version_string(self):
        return self.server_version

    def reply(self, code, body, ctype="text/plain; charset=utf-8", extra=(), phrase=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code, phrase)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = b""
        while len(data) < n:
            d = self.rfile.read(min(65536, n - len(data)))
            if not d:
                break
            data += d
        return data


def origin_handler(root):
    class Origin(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tcpdialog-test"

        def version_string(self):
            return self.server_version

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

    return Origin


class Cors(Base):
    def cors_headers(self):
        return [("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin")]

    def do_OPTIONS(self):
        self.send_response(204)
        for k, v in self.cors_headers():
            self.send_header(k, v)
        self.send_header("Access-Control-Allow-Methods", "GET, PUT, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Request-Id")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        body = self.read_body()
        try:
            doc = json.loads(body)
        except ValueError:
            self.reply(400, "bad json\n", extra=self.cors_headers())
            return
        out = {"id": self.path.rsplit("/", 1)[-1], "stored": doc,
               "request_id": self.headers.get("X-Request-Id", "")}
        self.reply(200, json.dumps(out, sort_keys=True), "application/json",
                   extra=self.cors_headers())

    def do_GET(self):
        self.reply(404, "not found\n", extra=self.cors_headers())


class Upload(Base):
    def do_POST(self):
        if self.path != "/upload":
            self.reply(404, "not found\n")
            return
        body = self.read_body()
        ctype = self.headers.get("Content-Type", "")
        boundary = ctype.partition("boundary=")[2].strip('"').encode()
        parts = body.count(b"--" + boundary) - 1 if boundary else 0
        self.reply(200, f"received {len(body)} bytes in {parts} part(s)\n")


class Refuse(Base):
    LIMIT = 32768

    def handle_expect_100(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n <= self.LIMIT:
            return super().handle_expect_100()
        # Final answer before the body: the client must not send it.
        self.close_connection = True
        self.reply(413, f"payload of {n} bytes is over the {self.LIMIT}-byte limit\n",
                   extra=[("Connection", "close")], phrase="Payload Too Large")
        return False

    def do_POST(self):
        body = self.read_body()
        self.reply(200, f"received {len(body)} bytes\n")


class Chunked(Base):
    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sock = self.connection
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def chunk(data):
                return b"%x\r\n" % len(data) + data + b"\r\n"

            def text(n, c):
                return (c * n).encode()

            self.wfile.write(chunk(b"Hello"))
            time.sleep(0.05)
            self.wfile.write(chunk(text(1000, "a")))
            time.sleep(0.05)
            self.wfile.write(chunk(text(17, "b")) + chunk(text(64, "c")))
            time.sleep(0.05)
            big = chunk(text(3000, "d"))
            self.wfile.write(big[:1500])
            time.sleep(0.05)
            self.wfile.write(big[1500:])
            time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/fixed":
            self.reply(200, "f" * 1999 + "\n")
        else:
            self.reply(404, "not found\n")


def serve(servers):
    threads = []
    for s in servers:
        t = threading.Thread(target=s.serve_forever, daemon=True)
        t.start()
        threads.append(t)

    def stop(*_):
        for s in servers:
            threading.Thread(target=s.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening", [s.server_address for s in servers], file=sys.stderr, flush=True)
    for t in threads:
        while t.is_alive():
            t.join(0.5)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "origin":
        root = os.path.abspath(sys.argv[3])
        serve([Server(("127.0.0.1", port), origin_handler(root))])
    elif mode == "cors":
        serve([Server(("127.0.0.1", port), Cors), Server6(("::1", port), Cors)])
    elif mode in ("upload", "refuse", "chunked"):
        handler = {"upload": Upload, "refuse": Refuse, "chunked": Chunked}[mode]
        serve([Server(("127.0.0.1", port), handler)])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
