//! HTTP/2 frames (RFC 9113) over one direction, with HPACK (RFC 7541) header decoding.
//!
//! Summaries follow Wireshark's Info column, `TYPE[stream]`, then what the frame says, then its flags the way
//! Wireshark prints TCP flags:
//!
//! ```text
//! Magic
//! SETTINGS[0]: MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=16777216
//! SETTINGS[0] [ACK]
//! HEADERS[1]: GET / [END_STREAM, END_HEADERS]
//! HEADERS[1]: 200 OK [END_HEADERS]
//! DATA[1]: 1234 bytes [END_STREAM]
//! WINDOW_UPDATE[0]: +1048576
//! RST_STREAM[3]: CANCEL
//! GOAWAY[0]: NO_ERROR, last stream 1
//! ```
//!
//! Each direction has its own HPACK dynamic table (decoded by `loona-hpack`); every header is listed in the
//! message's detail lines, secrets redacted. DATA payloads are skipped, never kept.

use super::contract::{Cut, Cx, Missing, Step, StreamDecoder};
use super::reader::{Reader, Truncated};
use super::{MessageKind, Protocol};
use crate::tcp::Direction;

/// HTTP/2's connection preface (RFC 9113 §3.4).
pub const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Payload bytes kept for frames other than DATA and header blocks.
const KEEP_SMALL: usize = 1024;
/// Largest header block decoded (HEADERS + CONTINUATION fragments).
const MAX_HEADER_BLOCK: usize = 128 * 1024;
/// Largest HPACK dynamic table a peer may ask for (the default is 4096).
const MAX_HPACK_TABLE: usize = 64 * 1024;
/// Largest decoded header list, counted as RFC 9113 §6.5.2 counts SETTINGS_MAX_HEADER_LIST_SIZE (each field's
/// name and value plus 32 bytes), and most fields in it. A block of one-byte references to a big table entry
/// decodes to gigabytes (an "HPACK bomb"): past these, its headers are not listed and the connection's header
/// blocks are no longer decoded.
const MAX_HEADER_LIST_SIZE: usize = 64 * 1024;
const MAX_HEADER_FIELDS: usize = 1024;
const FRAME_HEADER_LEN: usize = 9;

/// Frame types (RFC 9113 §6, RFC 9218 §7.1), with the names Wireshark prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FrameType {
    Data,
    Headers,
    Priority,
    RstStream,
    Settings,
    PushPromise,
    Ping,
    Goaway,
    WindowUpdate,
    Continuation,
    PriorityUpdate,
    Unknown(u8),
    /// Not a frame: the client's connection preface, as tcpdialog reports it.
    Preface,
}

/// (code, type, name) of every known frame type.
const FRAME_TYPES: [(u8, FrameType, &str); 11] = [
    (0x0, FrameType::Data, "DATA"),
    (0x1, FrameType::Headers, "HEADERS"),
    (0x2, FrameType::Priority, "PRIORITY"),
    (0x3, FrameType::RstStream, "RST_STREAM"),
    (0x4, FrameType::Settings, "SETTINGS"),
    (0x5, FrameType::PushPromise, "PUSH_PROMISE"),
    (0x6, FrameType::Ping, "PING"),
    (0x7, FrameType::Goaway, "GOAWAY"),
    (0x8, FrameType::WindowUpdate, "WINDOW_UPDATE"),
    (0x9, FrameType::Continuation, "CONTINUATION"),
    (0x10, FrameType::PriorityUpdate, "PRIORITY_UPDATE"),
];

impl FrameType {
    pub fn from_code(code: u8) -> FrameType {
        FRAME_TYPES.iter().find(|(c, ..)| *c == code).map_or(FrameType::Unknown(code), |(_, t, _)| *t)
    }

    /// The type byte on the wire (`None` for the preface, which has none).
    pub fn code(self) -> Option<u8> {
        match self {
            FrameType::Unknown(code) => Some(code),
            FrameType::Preface => None,
            known => FRAME_TYPES.iter().find(|(_, t, _)| *t == known).map(|(c, ..)| *c),
        }
    }

    pub fn name(self) -> String {
        match self {
            FrameType::Unknown(code) => format!("UNKNOWN(0x{code:02x})"),
            FrameType::Preface => "Magic".to_string(),
            known => {
                FRAME_TYPES.iter().find(|(_, t, _)| *t == known).map_or_else(String::new, |(_, _, n)| n.to_string())
            }
        }
    }
}

/// Frame flags (RFC 9113 §6): which bit means what depends on the frame type.
pub mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

/// The plain representation of a frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub length: u32,
    pub frame_type: FrameType,
    pub flags: u8,
    pub stream: u32,
}

impl FrameHeader {
    pub fn read(r: &mut Reader) -> Result<FrameHeader, Truncated> {
        Ok(FrameHeader {
            length: r.u24()?,
            frame_type: FrameType::from_code(r.u8()?),
            flags: r.u8()?,
            stream: r.u32()? & 0x7fff_ffff,
        })
    }

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Names of the flags a frame type defines, in bit order.
fn flag_names(header: &FrameHeader) -> Vec<&'static str> {
    let defined: &[(u8, &str)] = match header.frame_type {
        FrameType::Data => &[(flag::END_STREAM, "END_STREAM"), (flag::PADDED, "PADDED")],
        FrameType::Headers => &[
            (flag::END_STREAM, "END_STREAM"),
            (flag::END_HEADERS, "END_HEADERS"),
            (flag::PADDED, "PADDED"),
            (flag::PRIORITY, "PRIORITY"),
        ],
        FrameType::Settings | FrameType::Ping => &[(flag::ACK, "ACK")],
        FrameType::PushPromise => &[(flag::END_HEADERS, "END_HEADERS"), (flag::PADDED, "PADDED")],
        FrameType::Continuation => &[(flag::END_HEADERS, "END_HEADERS")],
        _ => &[],
    };
    defined.iter().filter(|(bit, _)| header.has(*bit)).map(|(_, name)| *name).collect()
}

/// Error codes (RFC 9113 §7).
pub fn error_code_name(code: u32) -> String {
    let name = match code {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        other => return format!("UNKNOWN_ERROR(0x{other:x})"),
    };
    name.to_string()
}

/// Settings identifiers (RFC 9113 §6.5.2, RFC 8441, RFC 9218).
pub fn setting_name(id: u16) -> String {
    let name = match id {
        0x1 => "HEADER_TABLE_SIZE",
        0x2 => "ENABLE_PUSH",
        0x3 => "MAX_CONCURRENT_STREAMS",
        0x4 => "INITIAL_WINDOW_SIZE",
        0x5 => "MAX_FRAME_SIZE",
        0x6 => "MAX_HEADER_LIST_SIZE",
        0x8 => "ENABLE_CONNECT_PROTOCOL",
        0x9 => "NO_RFC7540_PRIORITIES",
        other => return format!("UNKNOWN_SETTING(0x{other:x})"),
    };
    name.to_string()
}

/// Decoder for one direction of an HTTP/2 connection.
pub struct Http2Decoder {
    dir: Direction,
    /// The client's preface is still expected (only client to server, only at the start).
    preface_expected: bool,
    hpack: loona_hpack::Decoder<'static>,
    /// Set once a header block could not be decoded: the dynamic table is then unknown.
    hpack_lost: bool,
    /// A header block whose CONTINUATION frames are still arriving: (stream, fragments so far).
    block: Option<(u32, Vec<u8>)>,
    /// `GET /path` of the request header block the current frame completed, for its [`MessageKind::Http2`].
    completed_request: Option<String>,
}

impl std::fmt::Debug for Http2Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http2Decoder").field("dir", &self.dir).field("hpack_lost", &self.hpack_lost).finish()
    }
}

/// The decoders of both directions of one connection (they share nothing).
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(Http2Decoder::new(dir)) as Box<dyn StreamDecoder>)
}

impl Http2Decoder {
    pub fn new(dir: Direction) -> Self {
        let mut hpack = loona_hpack::Decoder::new();
        hpack.set_max_allowed_table_size(MAX_HPACK_TABLE);
        Http2Decoder {
            dir,
            preface_expected: dir == Direction::ClientToServer,
            hpack,
            hpack_lost: false,
            block: None,
            completed_request: None,
        }
    }
}

impl StreamDecoder for Http2Decoder {
    fn protocol(&self) -> Protocol {
        Protocol::Http2
    }

    fn cut(&mut self, buf: &[u8], missing: Missing, cx: &mut Cx) -> Cut {
        if self.preface_expected {
            return Cut::Unknown;
        }
        let Ok(header) = FrameHeader::read(&mut Reader::new(buf)) else {
            return Cut::Unknown;
        };
        let summary = format!("{}[{}] {}", header.frame_type.name(), header.stream, missing.marker());
        let kind = MessageKind::Http2 {
            frame_type: header.frame_type,
            stream: header.stream,
            flags: header.flags,
            request: None,
        };
        let mut message = cx.message(0, Protocol::Http2, summary, kind);
        message.detail.push(format!("length {}; {}", header.length, missing.detail()));
        cx.push_message(message);
        let frame_end = FRAME_HEADER_LEN as u64 + u64::from(header.length);
        Cut::Rest(frame_end.saturating_sub(buf.len() as u64))
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        if self.preface_expected {
            let n = buf.len().min(H2_PREFACE.len());
            if buf.get(..n) == H2_PREFACE.get(..n) {
                if n < H2_PREFACE.len() {
                    return Step::Need;
                }
                self.preface_expected = false;
                let kind = MessageKind::Http2 { frame_type: FrameType::Preface, stream: 0, flags: 0, request: None };
                cx.push(0, Protocol::Http2, "Magic".to_string(), kind);
                return Step::Used { used: H2_PREFACE.len(), skip: 0 };
            }
            self.preface_expected = false;
        }
        let mut r = Reader::new(buf);
        let Ok(header) = FrameHeader::read(&mut r) else {
            return Step::Need;
        };
        let length = header.length as usize;
        let is_block =
            matches!(header.frame_type, FrameType::Headers | FrameType::PushPromise | FrameType::Continuation);
        let keep = match header.frame_type {
            FrameType::Data => usize::from(header.has(flag::PADDED)).min(length),
            _ if is_block && length <= MAX_HEADER_BLOCK => length,
            _ => length.min(KEEP_SMALL),
        };
        let Ok(payload) = r.take(keep) else {
            return Step::Need;
        };
        let (text, detail) = self.describe(&header, payload, cx);
        let mut summary = format!("{}[{}]", header.frame_type.name(), header.stream);
        if !text.is_empty() {
            summary.push_str(": ");
            summary.push_str(&text);
        }
        let flags = flag_names(&header);
        if !flags.is_empty() {
            summary.push_str(&format!(" [{}]", flags.join(", ")));
        }
        let kind = MessageKind::Http2 {
            frame_type: header.frame_type,
            stream: header.stream,
            flags: header.flags,
            request: self.completed_request.take(),
        };
        let mut message = cx.message(0, Protocol::Http2, summary, kind);
        message.detail = detail;
        cx.push_message(message);
        Step::Used { used: FRAME_HEADER_LEN + keep, skip: (length - keep) as u64 }
    }
}

impl Http2Decoder {
    /// What the frame says (after `TYPE[stream]: `) and its detail lines.
    fn describe(&mut self, header: &FrameHeader, payload: &[u8], cx: &Cx) -> (String, Vec<String>) {
        let mut r = Reader::new(payload);
        let length = header.length;
        match header.frame_type {
            FrameType::Data => (format!("{length} bytes"), Vec::new()),
            FrameType::Headers | FrameType::PushPromise | FrameType::Continuation => {
                if payload.len() < length as usize {
                    self.hpack_lost = true;
                    self.block = None;
                    return (format!("{length} bytes, header block too large to decode"), Vec::new());
                }
                self.header_block(header, &mut r, cx)
            }
            FrameType::Priority => match (r.u32(), r.u8()) {
                (Ok(dep), Ok(weight)) => {
                    let exclusive = if dep >> 31 != 0 { " (exclusive)" } else { "" };
                    (
                        format!("depends on {}{exclusive}, weight {}", dep & 0x7fff_ffff, u16::from(weight) + 1),
                        Vec::new(),
                    )
                }
                _ => ("truncated".to_string(), Vec::new()),
            },
            FrameType::RstStream => match r.u32() {
                Ok(code) => (error_code_name(code), Vec::new()),
                Err(_) => ("truncated".to_string(), Vec::new()),
            },
            FrameType::Settings => {
                let mut settings = Vec::new();
                while let (Ok(id), Ok(value)) = (r.u16(), r.u32()) {
                    settings.push(format!("{}={value}", setting_name(id)));
                }
                (settings.join(", "), settings)
            }
            FrameType::Ping => {
                (String::new(), r.u64().map(|d| vec![format!("opaque data {d:#018x}")]).unwrap_or_default())
            }
            FrameType::Goaway => match (r.u32(), r.u32()) {
                (Ok(last), Ok(code)) => {
                    let debug = r.rest();
                    let detail = if debug.is_empty() {
                        Vec::new()
                    } else {
                        vec![format!("debug data: {}", super::data::short_text(debug, 100))]
                    };
                    (format!("{}, last stream {}", error_code_name(code), last & 0x7fff_ffff), detail)
                }
                _ => ("truncated".to_string(), Vec::new()),
            },
            FrameType::WindowUpdate => match r.u32() {
                Ok(increment) => (format!("+{}", increment & 0x7fff_ffff), Vec::new()),
                Err(_) => ("truncated".to_string(), Vec::new()),
            },
            _ => (format!("{length} bytes"), Vec::new()),
        }
    }

    /// Collects a header block (HEADERS or PUSH_PROMISE, then CONTINUATIONs) and decodes it once complete.
    fn header_block(&mut self, header: &FrameHeader, r: &mut Reader, cx: &Cx) -> (String, Vec<String>) {
        let mut prefix = String::new();
        if header.frame_type == FrameType::Continuation {
            match self.block.as_mut() {
                Some((stream, fragments)) if *stream == header.stream => fragments.extend_from_slice(r.rest()),
                _ => {
                    return ("CONTINUATION without a header block in progress".to_string(), Vec::new());
                }
            }
        } else {
            let Ok(fragment) = strip_padding_and_priority(header, r) else {
                return ("padding longer than the frame".to_string(), Vec::new());
            };
            let mut fr = Reader::new(fragment);
            if header.frame_type == FrameType::PushPromise {
                match fr.u32() {
                    Ok(promised) => prefix = format!("promised {}, ", promised & 0x7fff_ffff),
                    Err(_) => return ("truncated".to_string(), Vec::new()),
                }
            }
            self.block = Some((header.stream, fr.rest().to_vec()));
        }
        if !header.has(flag::END_HEADERS) {
            if self.block.as_ref().is_some_and(|(_, b)| b.len() > MAX_HEADER_BLOCK) {
                self.block = None;
                self.hpack_lost = true;
            }
            return (format!("{prefix}header block continues").trim_end_matches(", ").to_string(), Vec::new());
        }
        let Some((_, block)) = self.block.take() else {
            return (prefix, Vec::new());
        };
        if self.hpack_lost {
            return (format!("{prefix}headers not decodable (HPACK state lost)"), Vec::new());
        }
        let mut fields = Vec::new();
        let (mut list_size, mut too_big) = (0usize, false);
        let decoded = self.hpack.decode_with_cb(&block, |name, value| {
            // Borrowed from the table: only what is kept costs memory.
            list_size = list_size.saturating_add(name.len() + value.len() + 32);
            too_big |= list_size > MAX_HEADER_LIST_SIZE || fields.len() >= MAX_HEADER_FIELDS;
            if !too_big {
                fields
                    .push((String::from_utf8_lossy(&name).into_owned(), String::from_utf8_lossy(&value).into_owned()));
            }
        });
        if let Err(error) = decoded {
            self.hpack_lost = true;
            return (format!("{prefix}HPACK error: {error}"), Vec::new());
        }
        if too_big {
            self.hpack_lost = true;
            let why = format!("header list over {MAX_HEADER_LIST_SIZE} bytes or {MAX_HEADER_FIELDS} fields");
            return (format!("{prefix}{why}: not decoded, nor are the connection's later headers"), Vec::new());
        }
        let detail: Vec<String> = fields
            .iter()
            .map(|(n, v)| {
                cx.redact.header_line(n, &super::data::short_text(cx.redact.header_value(n, v).as_bytes(), 200))
            })
            .collect();
        let headline = headline(&fields);
        if fields.iter().any(|(name, _)| name == ":method") {
            self.completed_request = Some(headline.clone());
        }
        (format!("{prefix}{headline}"), detail)
    }
}

/// The fragment of a HEADERS or PUSH_PROMISE payload, without padding and priority fields.
fn strip_padding_and_priority<'a>(header: &FrameHeader, r: &mut Reader<'a>) -> Result<&'a [u8], Truncated> {
    let pad = if header.has(flag::PADDED) { usize::from(r.u8()?) } else { 0 };
    if header.frame_type == FrameType::Headers && header.has(flag::PRIORITY) {
        r.skip(5)?;
    }
    let len = r.left().checked_sub(pad).ok_or(Truncated { need: pad, have: r.left() })?;
    r.take(len)
}

/// `GET /path` for a request, `200 OK` for a response, nothing for trailers.
fn headline(fields: &[(String, String)]) -> String {
    let get =
        |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| super::data::short_text(v.as_bytes(), 100));
    if let Some(status) = get(":status") {
        let reason = status.parse().map(reason_phrase).unwrap_or_default();
        return format!("{status} {reason}").trim_end().to_string();
    }
    match (get(":method"), get(":path")) {
        (Some(method), Some(path)) => format!("{method} {path}"),
        (Some(method), None) => format!("{method} {}", get(":authority").unwrap_or_default()).trim_end().to_string(),
        _ => String::new(),
    }
}

/// Reason phrases of the common status codes (HTTP/2 sends none).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::decode_split_everywhere;
    use super::*;

    fn frame(frame_type: FrameType, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len() as u32;
        let mut bytes = len.to_be_bytes()[1..].to_vec();
        bytes.extend([frame_type.code().unwrap_or(0xff), flags]);
        bytes.extend(stream.to_be_bytes());
        bytes.extend(payload);
        bytes
    }

    #[test]
    fn client_preface_settings_and_hpack_headers() {
        let mut bytes = H2_PREFACE.to_vec();
        bytes.extend(frame(FrameType::Settings, 0, 0, &[0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff]));
        // RFC 7541 C.3.1 (GET http://www.example.com/), then C.3.2 which uses the dynamic table it filled.
        let first = [
            0x82, 0x86, 0x84, 0x41, 0x0f, b'w', b'w', b'w', b'.', b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c',
            b'o', b'm',
        ];
        bytes.extend(frame(FrameType::Headers, flag::END_STREAM | flag::END_HEADERS, 1, &first));
        let second = [0x82, 0x86, 0x84, 0xbe, 0x58, 0x08, b'n', b'o', b'-', b'c', b'a', b'c', b'h', b'e'];
        // Split across a HEADERS and a CONTINUATION.
        bytes.extend(frame(FrameType::Headers, flag::END_STREAM, 3, &second[..4]));
        bytes.extend(frame(FrameType::Continuation, flag::END_HEADERS, 3, &second[4..]));
        bytes.extend(frame(FrameType::WindowUpdate, 0, 0, &[0, 0x0f, 0, 1]));
        bytes.extend(frame(FrameType::RstStream, 0, 3, &[0, 0, 0, 8]));
        bytes.extend(frame(FrameType::Goaway, 0, 0, &[0, 0, 0, 3, 0, 0, 0, 0, b'b', b'y', b'e']));
        let messages = decode_split_everywhere(Protocol::Http2, Direction::ClientToServer, &bytes);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Magic",
                "SETTINGS[0]: MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535",
                "HEADERS[1]: GET / [END_STREAM, END_HEADERS]",
                "HEADERS[3]: header block continues [END_STREAM]",
                "CONTINUATION[3]: GET / [END_HEADERS]",
                "WINDOW_UPDATE[0]: +983041",
                "RST_STREAM[3]: CANCEL",
                "GOAWAY[0]: NO_ERROR, last stream 3",
            ]
        );
        assert_eq!(
            messages[4].detail,
            [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"]
        );
        assert_eq!(messages[7].detail, ["debug data: bye"]);
        let requests: Vec<(FrameType, Option<&str>)> = messages
            .iter()
            .filter_map(|m| match &m.kind {
                MessageKind::Http2 { frame_type, request, .. } => Some((*frame_type, request.as_deref())),
                _ => None,
            })
            .filter(|(_, request)| request.is_some())
            .collect();
        // The request is on the frame that completes the header block: the HEADERS, or its CONTINUATION.
        assert_eq!(requests, [(FrameType::Headers, Some("GET /")), (FrameType::Continuation, Some("GET /"))]);
    }

    #[test]
    fn data_is_skipped_and_responses_read_their_status() {
        let mut bytes = frame(FrameType::Settings, flag::ACK, 0, &[]);
        // :status 200 (static index 8), then a literal never-indexed set-cookie.
        let mut block = vec![0x88, 0x10, 10];
        block.extend(b"set-cookie");
        block.push(9);
        block.extend(b"id=SECRET");
        bytes.extend(frame(FrameType::Headers, flag::END_HEADERS, 1, &block));
        bytes.extend(frame(FrameType::Data, flag::END_STREAM, 1, &[b'x'; 3000]));
        bytes.extend(frame(FrameType::Ping, flag::ACK, 0, &[0; 8]));
        let messages = decode_split_everywhere(Protocol::Http2, Direction::ServerToClient, &bytes);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "SETTINGS[0] [ACK]",
                "HEADERS[1]: 200 OK [END_HEADERS]",
                "DATA[1]: 3000 bytes [END_STREAM]",
                "PING[0] [ACK]"
            ]
        );
        assert_eq!(messages[1].detail, [":status: 200", "set-cookie: …redacted…"]);
        assert!(matches!(messages[1].kind, MessageKind::Http2 { request: None, .. }), "a response is no request");
    }

    /// HPACK integer with an `n`-bit prefix (RFC 7541 §5.1) after the bits in `first`.
    fn hpack_int(first: u8, n: u32, value: usize) -> Vec<u8> {
        let max = (1usize << n) - 1;
        if value < max {
            return vec![first | value as u8];
        }
        let (mut out, mut rest) = (vec![first | max as u8], value - max);
        while rest >= 128 {
            out.push((rest % 128) as u8 | 0x80);
            rest /= 128;
        }
        out.push(rest as u8);
        out
    }

    #[test]
    fn an_hpack_bomb_is_capped_and_the_connection_s_headers_given_up() {
        // One 60 kB value in the dynamic table, then a block of 16 000 one-byte references to it: 960 MB decoded.
        let mut first = hpack_int(0x20, 5, MAX_HPACK_TABLE); // dynamic table size update
        first.push(0x40); // literal with incremental indexing, new name
        first.extend(hpack_int(0, 7, 1));
        first.push(b'x');
        first.extend(hpack_int(0, 7, 60_000));
        first.extend(vec![b'a'; 60_000]);
        let mut bytes = frame(FrameType::Headers, flag::END_HEADERS, 1, &first);
        bytes.extend(frame(FrameType::Headers, flag::END_HEADERS, 3, &vec![0xbe; 16_000]));
        bytes.extend(frame(FrameType::Headers, flag::END_HEADERS, 5, &[0x88]));
        let messages = super::super::testing::decode(Protocol::Http2, Direction::ServerToClient, &[&bytes]);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(summaries.len(), 3, "{summaries:?}");
        assert_eq!(messages[0].detail.len(), 1, "the 60 kB header fits the list");
        assert!(summaries[1].starts_with("HEADERS[3]: header list over 65536 bytes"), "{}", summaries[1]);
        assert!(messages[1].detail.is_empty());
        assert_eq!(summaries[2], "HEADERS[5]: headers not decodable (HPACK state lost) [END_HEADERS]");
        let kept: usize = messages.iter().flat_map(|m| &m.detail).map(String::len).sum();
        assert!(kept < 1000, "{kept} bytes of header lines kept");
    }

    #[test]
    fn hpack_errors_are_reported_and_framing_goes_on() {
        let mut bytes = frame(FrameType::Headers, flag::END_HEADERS, 1, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        bytes.extend(frame(FrameType::Headers, flag::END_HEADERS, 3, &[0x82]));
        let messages = decode_split_everywhere(Protocol::Http2, Direction::ServerToClient, &bytes);
        assert!(messages[0].summary.starts_with("HEADERS[1]: HPACK error"), "{}", messages[0].summary);
        assert_eq!(messages[1].summary, "HEADERS[3]: headers not decodable (HPACK state lost) [END_HEADERS]");
    }
}
