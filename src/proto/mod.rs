//! Protocol stage: decodes application messages from reassembled TCP byte streams.
//!
//! Owns: recognising the protocol of a connection (by content, the port only as a hint, or forced), and the
//! decoders for HTTP/1.x, WebSocket, HTTP/2, TLS (decrypted with a key log, layered over the protocol inside),
//! PostgreSQL and MySQL / MariaDB. Decoders work on each direction's byte
//! stream, never on single segments, and are fed incrementally through [`crate::tcp::StreamSink`].
//!
//! Output: [`Message`]s, each tied to the frame where it starts and the frame that completes it.

mod buffer;
mod contract;
mod data;
mod driver;
mod http1;
pub mod http2;
pub mod mysql;
pub mod postgres;
mod reader;
mod recognise;
mod redact;
mod registry;
mod summary;
pub mod tls;
pub mod tls_crypto;
pub mod websocket;

pub use data::is_hidden_control;
pub use driver::{DecodedConnection, DecoderOptions, MAX_BUFFER, ProtocolDecoder, decode_turns};
pub use recognise::{Recognition, port_hint, recognise};
pub use redact::REDACTED;
pub use summary::ConnectionSummary;

use crate::tcp::Direction;

/// Application protocols tcpdialog recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Http,
    WebSocket,
    Http2,
    Tls,
    Postgres,
    /// MySQL and MariaDB (the classic protocol).
    MySql,
    /// Bytes of no recognised protocol.
    Data,
}

impl Protocol {
    /// Name as used in `inspect` and in the `protocol = "..."` key of posts.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::WebSocket => "websocket",
            Protocol::Http2 => "http2",
            Protocol::Tls => "tls",
            Protocol::Postgres => "pgsql",
            Protocol::MySql => "mysql",
            Protocol::Data => "data",
        }
    }

    /// Name for the Protocol column of a packet list, as Wireshark shows it.
    pub fn column_name(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::WebSocket => "WebSocket",
            Protocol::Http2 => "HTTP2",
            Protocol::Tls => "TLS",
            Protocol::Postgres => "PGSQL",
            Protocol::MySql => "MySQL",
            Protocol::Data => "TCP",
        }
    }

    /// What this protocol's messages are called when they are counted (`and 30 more WebSocket frames`).
    pub fn units(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP messages",
            Protocol::WebSocket => "WebSocket frames",
            Protocol::Http2 => "HTTP/2 frames",
            Protocol::Tls => "TLS records",
            Protocol::Data => "data segments",
            Protocol::Postgres | Protocol::MySql => "messages",
        }
    }

    pub fn from_name(name: &str) -> Option<Protocol> {
        Some(match name.to_ascii_lowercase().as_str() {
            "http" | "http1" => Protocol::Http,
            "websocket" | "ws" => Protocol::WebSocket,
            "http2" | "h2" | "h2c" => Protocol::Http2,
            "tls" | "ssl" => Protocol::Tls,
            "pgsql" | "postgres" | "postgresql" => Protocol::Postgres,
            "mysql" | "mariadb" => Protocol::MySql,
            "data" | "none" => Protocol::Data,
            _ => return None,
        })
    }
}

/// Where an HTTP/1.x head ended: a packet list shows its start line on that segment while the body is still
/// being reassembled (`HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]`, as Wireshark does).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeadInfo {
    /// The request or status line, shortened like the summary.
    pub start_line: String,
    /// The frame that completed the head.
    pub frame: u64,
}

/// What kind of message it is, with the facts later stages reason about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    HttpRequest {
        method: String,
        target: String,
        /// `Connection: close` was sent.
        connection_close: bool,
        /// `Upgrade:` value the client asks for (`websocket`, `h2c`).
        upgrade: Option<String>,
        /// `Expect:` value (`100-continue`: the client waits for an interim response before its body).
        expect: Option<String>,
        /// `Range:` value (`bytes=32768-`).
        range: Option<String>,
        /// A CORS preflight: an `OPTIONS` request with `Access-Control-Request-Method`, whose value (the method
        /// the page's script wants to use) this is.
        preflight_for: Option<String>,
        body: Option<Body>,
        head: HeadInfo,
    },
    HttpResponse {
        status: u16,
        /// `Connection: close` was sent.
        connection_close: bool,
        /// `Keep-Alive: timeout=N`, in seconds.
        keep_alive_timeout: Option<u32>,
        /// `Upgrade:` value on a 101 response (`websocket`, `h2c`).
        upgrade: Option<String>,
        /// `Content-Range:` value of a partial response (`bytes 32768-81919/81920`).
        content_range: Option<String>,
        body: Option<Body>,
        head: HeadInfo,
    },
    /// A WebSocket frame (RFC 6455).
    WebSocket {
        opcode: websocket::Opcode,
        fin: bool,
        payload_len: u64,
        /// Status code of a Close frame.
        close_code: Option<u16>,
    },
    /// An HTTP/2 frame (RFC 9113), or the client's connection preface.
    Http2 {
        frame_type: http2::FrameType,
        stream: u32,
        flags: u8,
        /// `GET /path` on the frame that completes a request's header block (HEADERS or its last CONTINUATION).
        request: Option<String>,
    },
    /// A TLS record, or one handshake message of a record.
    Tls {
        /// The record's content type (for a decrypted record, the real one inside).
        content_type: tls::ContentType,
        handshake_type: Option<tls::HandshakeType>,
        /// On a ServerHello: the version it chose (`supported_versions`, else the legacy field), `0x0304` for 1.3.
        version: Option<u16>,
        /// A TLS 1.3 HelloRetryRequest: a ServerHello by its type, recognised by its fixed random (RFC 8446
        /// §4.1.3). It asks for a second ClientHello; the handshake goes on.
        hello_retry: bool,
    },
    /// A PostgreSQL message.
    Postgres {
        message: postgres::PgMessage,
        /// The SQL of a simple Query (`Q`) or a Parse (`P`), as far as it was kept, control characters replaced.
        query: Option<String>,
    },
    /// A MySQL / MariaDB message: one packet, or an answer of several (a result set, a prepare OK).
    MySql {
        packet: mysql::Packet,
        /// The SQL of a COM_QUERY or COM_STMT_PREPARE (and of a COM_STMT_EXECUTE whose statement was prepared in
        /// the capture), as far as it was kept, control characters replaced.
        query: Option<String>,
    },
    /// A frame, record or protocol message with nothing more the dialog needs to know.
    Other,
    /// Not a message but something a reader of the connection's dialog should know that no message says
    /// (why a TLS connection cannot be decrypted); `frame` is where it became true.
    Note { text: String },
    /// Bytes that could not be decoded; `reason` says why. The rest of the dialog still renders.
    Malformed { reason: String },
    /// The messages of one segment past the first [`MAX_SEGMENT_MESSAGES`], counted instead of kept (a segment
    /// of ten thousand tiny WebSocket frames costs twenty messages); `summary` says how many, of what.
    More { count: u64 },
    /// What followed a message head the snaplen cut (its body, and whatever came after): `total` bytes on the
    /// wire, `missing` of them not captured.
    NotCaptured { missing: u64, total: u64 },
}

/// `48 210`: digits in groups of three, as every output writes counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// What a [`MessageKind::More`] says: `and 48 210 more WebSocket frames`.
pub fn more_summary(count: u64, protocol: Protocol) -> String {
    format!("and {} more {}", thousands(count), protocol.units())
}

/// Messages of one segment (one direction, one completing frame) kept, at most: the rest are counted in one
/// [`MessageKind::More`]. A diagram's arrow shows the same number.
pub const MAX_SEGMENT_MESSAGES: usize = 20;

/// What an HTTP/1.x body was, without its bytes (bodies are never kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// Bytes of body on the wire (after de-chunking, before any content decoding).
    pub length: u64,
    pub content_type: Option<String>,
    /// `Content-Encoding` (gzip, br...).
    pub content_encoding: Option<String>,
    /// Framed by `Transfer-Encoding: chunked`, with this many chunks.
    pub chunks: Option<u64>,
    /// Ran until the connection closed.
    pub close_delimited: bool,
}

/// One application-level message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Index of the connection (`tcp.stream`).
    pub conn: usize,
    pub dir: Direction,
    pub protocol: Protocol,
    /// Frame where the message starts.
    pub frame: u64,
    /// Frame whose segment completes it (where Wireshark shows it).
    pub end_frame: u64,
    /// Offset of its first byte in the direction's stream (inside TLS, in the decrypted stream).
    pub offset: u64,
    /// One line, in Wireshark's and the RFCs' words: `GET / HTTP/1.1`, `HTTP/1.1 200 OK`, `WS Text "hi"`.
    pub summary: String,
    pub kind: MessageKind,
    /// More lines for tooltips and tables (headers, fields); secrets already redacted.
    pub detail: Vec<String>,
    /// It was read from TLS records decrypted with the key log, not from the wire as captured.
    pub decrypted: bool,
    /// The stream ended (or lost bytes) before its last byte: no segment completes it, so a packet list shows
    /// its segments as parts of a reassembly, as Wireshark does, and a diagram shows it where it starts.
    pub incomplete: bool,
}

impl Message {
    /// Says that no segment completes it.
    pub fn mark_incomplete(&mut self) {
        self.summary.push_str(" (incomplete)");
        self.incomplete = true;
    }

    /// The frame a diagram shows it on: the one that completes it, or for an incomplete message the one where
    /// its head (HTTP) or first byte arrived.
    pub fn shown_frame(&self) -> u64 {
        match (&self.kind, self.incomplete) {
            (_, false) => self.end_frame,
            (MessageKind::HttpRequest { head, .. } | MessageKind::HttpResponse { head, .. }, true)
                if head.frame > 0 =>
            {
                head.frame
            }
            (_, true) => self.frame,
        }
    }
}

#[cfg(test)]
pub(crate) mod testing;
