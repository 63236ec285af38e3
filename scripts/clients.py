#!/usr/bin/env python3
"""Traffic generators for make-captures.sh.  Loopback only, bounded.

Usage: clients.py MODE [args...]
  http-close URL
  http-keepalive BASEURL
  page-load BASEURL
  secrets HOST PORT
  pipelined HOST PORT
  refused HOST PORT
  linger0 HOST PORT          (runs its own server thread on PORT)
  zerowindow-server HOST PORT SIZE
  zerowindow-client HOST PORT
  bulk-server HOST PORT SIZE (one HTTP/1.1 response of SIZE bytes, one conn)
  abort-download HOST PORT KEEP (GET /, read KEEP bytes, close with SO_LINGER 0)
"""
import socket
import struct
import sys
import threading
import time

ALLOWED = {"127.0.0.1", "::1", "localhost"}


def check_host(h):
    if h.strip("[]") not in ALLOWED:
        raise SystemExit(f"refusing non-loopback host {h!r}")


def check_url(url):
    from urllib.parse import urlsplit
    check_host(urlsplit(url).hostname)


def read_http_response(sock, buf=b""):
    """Read one HTTP/1.1 response with Content-Length. Returns (resp, rest)."""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(65536)
        if not d:
            raise RuntimeError("EOF in headers")
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(rest) < length:
        d = sock.recv(65536)
        if not d:
            raise RuntimeError("EOF in body")
        rest += d
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def http_close(url):
    import requests
    check_url(url)
    r = requests.get(url, headers={"Accept-Encoding": "identity",
                                   "Connection": "close"}, timeout=5)
    print(r.status_code, len(r.content))


def http_keepalive(base):
    import requests
    check_url(base)
    s = requests.Session()
    for path in ("/", "/style.css", "/app.js"):
        r = s.get(base + path, headers={"Accept-Encoding": "identity"}, timeout=5)
        print(path, r.status_code, len(r.content), r.headers.get("Keep-Alive"))
    # Keep the idle socket open so that nginx (keepalive_timeout 2s) closes
    # it first; the client only closes when the process exits.
    time.sleep(3.5)


def page_load(base):
    """Browser-like: index.html first, then 7 sub-resources over 6
    connections in parallel.  Resource-to-connection mapping is fixed."""
    import requests
    check_url(base)
    hdr = {"Accept-Encoding": "identity",
           "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) tcpdialog-test"}
    plan = [
        ["/style.css", "/favicon.ico"],   # connection 0 (after /)
        ["/app.js"],
        ["/logo.png"],
        ["/hero.jpg"],
        ["/font.woff2"],
        ["/icon.svg"],
    ]
    sessions = [requests.Session() for _ in plan]
    r = sessions[0].get(base + "/", headers=hdr, timeout=5)
    print("/", r.status_code, len(r.content))
    time.sleep(0.05)  # "parse" the page
    barrier = threading.Barrier(len(plan))

    def run(i):
        barrier.wait(timeout=5)
        for p in plan[i]:
            rr = sessions[i].get(base + p, headers=hdr, timeout=5)
            print(i, p, rr.status_code, len(rr.content))

    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(plan))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=10)
    time.sleep(0.2)
    for s in sessions:
        s.close()


def raw_connect(host, port):
    check_host(host)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, port))
    return s


def secrets(host, port):
    s = raw_connect(host, port)
    req = (f"GET /search?q=<script>alert(1)</script>]]> HTTP/1.1\r\n"
           f"Host: {host}:{port}\r\n"
           "User-Agent: tcpdialog-secrets-test\r\n"
           "Accept: */*\r\n"
           "Authorization: Basic dXNlcjpodW50ZXIy\r\n"
           "Cookie: session=TOPSECRET123\r\n"
           "Connection: close\r\n\r\n").encode()
    s.sendall(req)
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    print(data.split(b"\r\n")[0].decode())
    s.close()


def pipelined(host, port):
    s = raw_connect(host, port)
    reqs = b"".join(
        (f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\n"
         "User-Agent: tcpdialog-pipeline-test\r\nAccept: */*\r\n\r\n").encode()
        for p in ("/", "/style.css", "/icon.svg"))
    s.sendall(reqs)  # one send() -> one segment on loopback
    rest = b""
    for _ in range(3):
        resp, rest = read_http_response(s, rest)
        print(resp.split(b"\r\n")[0].decode(), len(resp))
    time.sleep(0.1)
    s.close()


def refused(host, port):
    check_host(host)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, port))
        raise SystemExit("unexpected: connection succeeded")
    except ConnectionRefusedError:
        print("refused as expected")
    finally:
        s.close()


def linger0(host, port):
    check_host(host)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    srv.settimeout(5)

    def serve():
        c, _ = srv.accept()
        c.settimeout(5)
        req = c.recv(4096)
        c.sendall(b"REPLY to " + req)
        try:
            while c.recv(4096):
                pass
            print("server: EOF")
        except ConnectionResetError:
            print("server: connection reset by peer (expected)")
        c.close()

    t = threading.Thread(target=serve)
    t.start()
    s = raw_connect(host, port)
    s.sendall(b"HELLO\n")
    print("client got", s.recv(4096))
    time.sleep(0.1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # -> RST instead of FIN
    t.join(timeout=5)
    srv.close()


def zerowindow_server(host, port, size):
    check_host(host)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    srv.settimeout(10)
    c, _ = srv.accept()
    c.settimeout(10)
    c.recv(4096)
    body = bytes((i * 7) & 0xFF for i in range(size))
    c.sendall(b"DATA %d\n" % size + body)
    c.shutdown(socket.SHUT_WR)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
    srv.close()


def zerowindow_client(host, port):
    check_host(host)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # before connect
    s.settimeout(5)
    s.connect((host, port))
    s.sendall(b"SEND\n")
    got = 0
    stalled = False
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        d = s.recv(1024)
        if not d:
            break
        got += len(d)
        time.sleep(0.05)
        if stalled is False and got >= 10000:
            # one longer stall so the sender's persist timer fires and
            # sends zero-window probes
            stalled = True
            time.sleep(1.2)
    print("client read", got, "bytes")
    s.close()


def bulk_server(host, port, size):
    check_host(host)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    srv.settimeout(10)
    c, _ = srv.accept()
    c.settimeout(10)
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = c.recv(4096)
        if not d:
            return
        buf += d
    body = bytes((i * 13 + 5) & 0xFF for i in range(size))
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size + body)
    c.shutdown(socket.SHUT_WR)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
    srv.close()


def abort_download(host, port, keep):
    s = raw_connect(host, port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.sendall(b"GET /file.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = 0
    while got < keep:
        d = s.recv(4096)
        if not d:
            break
        got += len(d)
    print("client read", got, "bytes, aborting")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # -> RST instead of FIN


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "http-close":
        http_close(args[0])
    elif mode == "http-keepalive":
        http_keepalive(args[0])
    elif mode == "page-load":
        page_load(args[0])
    elif mode == "secrets":
        secrets(args[0], int(args[1]))
    elif mode == "pipelined":
        pipelined(args[0], int(args[1]))
    elif mode == "refused":
        refused(args[0], int(args[1]))
    elif mode == "linger0":
        linger0(args[0], int(args[1]))
    elif mode == "zerowindow-server":
        zerowindow_server(args[0], int(args[1]), int(args[2]))
    elif mode == "zerowindow-client":
        zerowindow_client(args[0], int(args[1]))
    elif mode == "abort-download":
        abort_download(args[0], int(args[1]), int(args[2]))
    elif mode == "bulk-server":
        bulk_server(args[0], int(args[1]), int(args[2]))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
