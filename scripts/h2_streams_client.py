"""A minimal HTTP/2 prior-knowledge client whose streams overlap: it asks for a file larger than the stream's
initial flow-control window (stream 1), which stalls; then asks for two small files (streams 3 and 5), which
complete meanwhile; then opens stream 1's window so it completes last, and says GOAWAY.
HPACK without Huffman or indexing. Usage: python3 h2_streams_client.py PORT BIG_PATH SMALL_PATH SMALL_PATH"""
import socket
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 7, 8
END_STREAM, END_HEADERS = 0x1, 0x4


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    # Literal header field without indexing, new name (RFC 7541 6.2.2); short strings, no Huffman.
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def get(stream, path):
    fields = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", path.encode()), (b":authority", b"127.0.0.1")]
    return frame(HEADERS, END_STREAM | END_HEADERS, stream, b"".join(literal(n, v) for n, v in fields))


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.ended = set()
        self.received = {}

    def pump(self, done):
        """Reads frames (acknowledging SETTINGS) until done() holds."""
        while not done():
            data = self.sock.recv(65536)
            if not data:
                raise SystemExit("server closed early")
            self.buf += data
            while len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + length:
                    break
                ftype, flags, stream = self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
                self.buf = self.buf[9 + length:]
                if ftype == SETTINGS and not flags & 1:
                    self.sock.sendall(frame(SETTINGS, 1, 0))
                if ftype == DATA:
                    self.received[stream] = self.received.get(stream, 0) + length
                if ftype in (DATA, HEADERS) and flags & END_STREAM or ftype == RST_STREAM:
                    self.ended.add(stream)


def main():
    port, big, small_a, small_b = int(sys.argv[1]), *sys.argv[2:5]
    c = Connection(port)
    # A large connection window, default (65535-byte) stream windows: only stream 1 stalls.
    c.sock.sendall(PREFACE + frame(SETTINGS, 0, 0) + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 24)))
    c.sock.sendall(get(1, big))
    c.pump(lambda: c.received.get(1, 0) >= 65535)
    c.sock.sendall(get(3, small_a))
    c.pump(lambda: 3 in c.ended)
    c.sock.sendall(get(5, small_b))
    c.pump(lambda: 5 in c.ended)
    c.sock.sendall(frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 1 << 20)))
    c.pump(lambda: 1 in c.ended)
    c.sock.sendall(frame(GOAWAY, 0, 0, struct.pack(">II", 5, 0)))
    c.sock.close()


if __name__ == "__main__":
    main()
