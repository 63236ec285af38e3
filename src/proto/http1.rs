//! HTTP/1.x over one direction: request and status lines, headers, and message framing (RFC 9112).
//!
//! Heads are parsed with `httparse`; bodies are framed by `Content-Length`, `Transfer-Encoding: chunked` or the
//! end of the connection, and skipped, never kept: only their length, type and encoding are summarised.
//! Requests and responses are paired per connection (through [`PendingRequests`], which both directions' decoders hold) so that a response to
//! HEAD has no body and a `101 Switching Protocols` hands both directions to WebSocket or HTTP/2.

use super::contract::{AfterGap, Cut, Cx, Missing, Step, StreamDecoder};
use super::{Body, HeadInfo, Message, MessageKind, Protocol};
use crate::tcp::Direction;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

const MAX_HEADERS: usize = 128;
/// Longest header block accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Longest chunk-size line accepted (extensions included).
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// Longest header value shown in a detail line.
const MAX_VALUE_CHARS: usize = 200;

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a request or status line.
    Head,
    /// Expecting a chunk-size line.
    ChunkSize,
    /// Expecting the trailer section after the last chunk.
    Trailers,
    /// The body runs until the connection closes.
    UntilClose,
}

/// Facts about one HTTP request that its response needs (HEAD has no body, Upgrade, CONNECT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub method: String,
    pub upgrade: Option<String>,
}

/// Most unanswered HTTP requests remembered per connection.
pub const MAX_PENDING_REQUESTS: usize = 1024;

/// A connection's HTTP requests not yet answered by a final response, oldest first (bounded by
/// [`MAX_PENDING_REQUESTS`]): the client's decoder adds them, the server's takes them.
#[derive(Debug, Default)]
pub struct PendingRequests(VecDeque<RequestFacts>);

impl PendingRequests {
    fn remember(&mut self, facts: RequestFacts) {
        if self.0.len() >= MAX_PENDING_REQUESTS {
            self.0.pop_front();
        }
        self.0.push_back(facts);
    }

    fn answer(&mut self) -> Option<RequestFacts> {
        self.0.pop_front()
    }
}

/// Incremental HTTP/1.x decoder for one direction of one connection.
#[derive(Debug)]
pub struct Http1Decoder {
    dir: Direction,
    state: State,
    /// The message whose chunked or close-delimited body is still arriving.
    current: Option<Message>,
    requests: Rc<RefCell<PendingRequests>>,
    /// (stream offset of a head, bytes of it already searched for its end): a long head that comes in many
    /// segments is searched once, not from its start on each segment.
    searched: (u64, usize),
}

/// The decoders of both directions of one connection, sharing its pending requests.
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    let requests = Rc::new(RefCell::new(PendingRequests::default()));
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(Http1Decoder::new(dir, Rc::clone(&requests))) as Box<dyn StreamDecoder>)
}

impl Http1Decoder {
    pub fn new(dir: Direction, requests: Rc<RefCell<PendingRequests>>) -> Self {
        Http1Decoder { dir, state: State::Head, current: None, requests, searched: (u64::MAX, 0) }
    }

    /// Completes the current message with its body summary; an `incomplete` one never got its last byte.
    fn finish_current(&mut self, cx: &mut Cx, incomplete: bool) {
        if let Some(mut message) = self.current.take() {
            // A chunked body's chunk count is known only now.
            message.summary = summary(&message.kind);
            if incomplete {
                message.mark_incomplete();
            }
            if let Some(body) = body_of(&message.kind).filter(|_| cx.details) {
                message.detail.push(describe_body(body));
            }
            cx.push_message(message);
        }
        self.state = State::Head;
    }

    fn body_mut(&mut self) -> Option<&mut Body> {
        match self.current.as_mut().map(|m| &mut m.kind) {
            Some(
                MessageKind::HttpRequest { body: Some(body), .. } | MessageKind::HttpResponse { body: Some(body), .. },
            ) => Some(body),
            _ => None,
        }
    }

    fn head(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        // Re-parsing a long head on every segment would be quadratic: wait for its end (a blank line), but
        // parse short buffers at once so that non-HTTP bytes are caught early.
        let from = if self.searched.0 == cx.offset { self.searched.1.saturating_sub(2) } else { 0 };
        let ended = has_blank_line(buf.get(from..).unwrap_or_default());
        if !ended && (1024..=MAX_HEAD_BYTES).contains(&buf.len()) {
            self.searched = (cx.offset, buf.len());
            return Step::Need;
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let parsed = match self.dir {
            Direction::ClientToServer => parse_request(buf, &mut headers),
            Direction::ServerToClient => parse_response(buf, &mut headers),
        };
        let head = match parsed {
            Ok(Some(head)) => head,
            Ok(None) if buf.len() > MAX_HEAD_BYTES => {
                cx.malformed(0, Protocol::Http, format!("header block longer than {MAX_HEAD_BYTES} bytes"));
                return Step::Fail { used: 0 };
            }
            Ok(None) => return Step::Need,
            Err(error) => {
                cx.malformed(0, Protocol::Http, format!("not an HTTP/1.x {}: {error}", self.dir_word()));
                return Step::Fail { used: 0 };
            }
        };
        let detail: Vec<String> = match cx.details {
            true => head
                .headers
                .iter()
                .map(|(name, value)| cx.redact.header_line(name, &shorten(cx.redact.header_value(name, value))))
                .collect(),
            false => Vec::new(),
        };
        let framing = match &head.line {
            StartLine::Request { method, .. } => {
                self.requests
                    .borrow_mut()
                    .remember(RequestFacts { method: method.clone(), upgrade: head.get("upgrade") });
                request_framing(&head)
            }
            StartLine::Response { status, .. } => response_framing(&head, *status, &mut self.requests.borrow_mut()),
        };
        let body = match framing {
            Framing::None | Framing::Switch(_) => None,
            Framing::Length(n) => Some(Body { length: n, ..head.body() }),
            Framing::Chunked => Some(Body { chunks: Some(0), ..head.body() }),
            Framing::UntilClose => Some(Body { close_delimited: true, ..head.body() }),
        };
        let kind = head.kind(body, cx.now);
        let mut message = cx.message(0, Protocol::Http, summary(&kind), kind);
        message.detail = detail;
        match framing {
            Framing::None | Framing::Length(0) => {
                push_with_body(message, cx);
                Step::Used { used: head.len, skip: 0 }
            }
            Framing::Length(n) => {
                push_with_body(message, cx);
                Step::Used { used: head.len, skip: n }
            }
            Framing::Chunked => {
                self.current = Some(message);
                self.state = State::ChunkSize;
                Step::Used { used: head.len, skip: 0 }
            }
            Framing::UntilClose => {
                self.current = Some(message);
                self.state = State::UntilClose;
                Step::Used { used: head.len, skip: 0 }
            }
            Framing::Switch(to) => {
                cx.push_message(message);
                Step::Switch { used: head.len, to }
            }
        }
    }

    fn chunk_size(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        match httparse::parse_chunk_size(buf) {
            Ok(httparse::Status::Complete((used, size))) => {
                if let Some(body) = self.body_mut() {
                    body.length = body.length.saturating_add(size);
                    body.chunks = Some(body.chunks.unwrap_or(0) + u64::from(size > 0));
                }
                if size == 0 {
                    self.state = State::Trailers;
                    Step::Used { used, skip: 0 }
                } else {
                    // The chunk's data and the CRLF that ends it.
                    Step::Used { used, skip: size.saturating_add(2) }
                }
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_CHUNK_LINE => {
                self.broken_chunk(cx, "chunk-size line too long")
            }
            Ok(httparse::Status::Partial) => Step::Need,
            Err(_) => self.broken_chunk(cx, "invalid chunk-size line"),
        }
    }

    fn broken_chunk(&mut self, cx: &mut Cx, reason: &str) -> Step {
        self.finish_current(cx, true);
        cx.malformed(0, Protocol::Http, reason.to_string());
        Step::Fail { used: 0 }
    }

    fn trailers(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        match httparse::parse_headers(buf, &mut headers) {
            Ok(httparse::Status::Complete((used, trailers))) => {
                let lines: Vec<String> = trailers
                    .iter()
                    .map(|h| {
                        let value = String::from_utf8_lossy(h.value);
                        format!("trailer {}", cx.redact.header_line(h.name, &shorten(&value)))
                    })
                    .collect();
                if let Some(message) = self.current.as_mut() {
                    message.detail.extend(lines);
                }
                self.finish_current(cx, false);
                Step::Used { used, skip: 0 }
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => {
                self.broken_chunk(cx, "trailer section too long")
            }
            Ok(httparse::Status::Partial) => Step::Need,
            Err(_) => self.broken_chunk(cx, "invalid trailer section"),
        }
    }

    /// Whether a start line (request or status, by direction) begins at `rest`.
    fn start_line_at(&self, rest: &[u8]) -> bool {
        match self.dir {
            Direction::ClientToServer => {
                METHODS.iter().any(|m| rest.starts_with(m.as_bytes()) && rest.get(m.len()) == Some(&b' '))
            }
            Direction::ServerToClient => rest.starts_with(b"HTTP/1."),
        }
    }

    fn dir_word(&self) -> &'static str {
        match self.dir {
            Direction::ClientToServer => "request",
            Direction::ServerToClient => "response",
        }
    }
}

impl StreamDecoder for Http1Decoder {
    fn protocol(&self) -> Protocol {
        Protocol::Http
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        match self.state {
            State::Head => self.head(buf, cx),
            State::ChunkSize => self.chunk_size(buf, cx),
            State::Trailers => self.trailers(buf, cx),
            State::UntilClose => {
                if let Some(body) = self.body_mut() {
                    body.length = body.length.saturating_add(buf.len() as u64);
                }
                Step::Used { used: buf.len(), skip: 0 }
            }
        }
    }

    fn cut(&mut self, buf: &[u8], missing: Missing, cx: &mut Cx) -> Cut {
        if self.state != State::Head {
            return Cut::Unknown;
        }
        let Some(head) = partial_head(buf, self.dir) else {
            return Cut::Unknown;
        };
        match &head.line {
            StartLine::Request { method, .. } => {
                self.requests
                    .borrow_mut()
                    .remember(RequestFacts { method: method.clone(), upgrade: head.get("upgrade") });
            }
            StartLine::Response { status, .. } => {
                // Pairs it with its request; where its body ends is unknown anyway.
                let _ = response_framing(&head, *status, &mut self.requests.borrow_mut());
            }
        }
        let body = head.content_length().map(|length| Body { length, ..head.body() });
        let kind = head.kind(body, cx.now);
        let summary = format!("{} {}", summary(&kind), missing.marker());
        let mut message = cx.message(0, Protocol::Http, summary, kind);
        message.detail = head
            .headers
            .iter()
            .map(|(name, value)| cx.redact.header_line(name, &shorten(cx.redact.header_value(name, value))))
            .collect();
        message.detail.push(format!("{} bytes of the head captured, then {}", buf.len(), missing.detail()));
        cx.push_message(message);
        Cut::Lost
    }

    fn gap(&mut self, len: u64, cx: &mut Cx) -> AfterGap {
        match self.state {
            State::UntilClose => {
                if let Some(body) = self.body_mut() {
                    body.length = body.length.saturating_add(len);
                }
                if let Some(message) = self.current.as_mut() {
                    message.detail.push(format!("{len} bytes missing from the capture"));
                }
            }
            _ => {
                self.finish_current(cx, true);
                return AfterGap::Lost;
            }
        }
        AfterGap::Continue
    }

    fn find_start(&mut self, buf: &[u8], _after_gap: bool) -> Option<usize> {
        // A start line at a line start, with enough bytes to tell (a shorter tail is kept and looked at again).
        let found = (0..buf.len()).find(|&i| {
            let line_start = i == 0 || i.checked_sub(2).and_then(|s| buf.get(s..i)) == Some(b"\r\n");
            line_start && buf.len() - i >= 8 && self.start_line_at(buf.get(i..).unwrap_or_default())
        })?;
        self.state = State::Head;
        Some(found)
    }

    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        match self.state {
            State::UntilClose => self.finish_current(cx, false),
            _ => self.finish_current(cx, true),
        }
        if !buf.is_empty() {
            let reason = format!("stream ended inside an HTTP {} ({} bytes)", self.dir_word(), buf.len());
            cx.malformed(0, Protocol::Http, reason);
        }
    }
}

/// Request methods that start an HTTP/1.x request line (also how the protocol is recognised).
pub const METHODS: [&str; 9] = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

/// A line break followed by an empty line (`\n\n` or `\n\r\n`): the end of a head, in one pass.
fn has_blank_line(bytes: &[u8]) -> bool {
    let found = bytes
        .iter()
        .enumerate()
        .position(|(i, &b)| b == b'\n' && matches!(bytes.get(i + 1..), Some([b'\n', ..] | [b'\r', b'\n', ..])));
    #[cfg(test)]
    tests::SCANNED.with(|n| n.set(n.get() + found.map_or(bytes.len(), |i| i + 1)));
    found.is_some()
}

fn push_with_body(mut message: Message, cx: &mut Cx) {
    if let Some(body) = body_of(&message.kind).filter(|_| cx.details) {
        message.detail.push(describe_body(body));
    }
    cx.push_message(message);
}

fn body_of(kind: &MessageKind) -> Option<&Body> {
    match kind {
        MessageKind::HttpRequest { body, .. } | MessageKind::HttpResponse { body, .. } => body.as_ref(),
        _ => None,
    }
}

/// `body: 1234 bytes, text/html, gzip, 3 chunks`.
fn describe_body(body: &Body) -> String {
    let mut parts = vec![format!("{} bytes", body.length)];
    parts.extend(body.content_type.clone());
    parts.extend(body.content_encoding.clone());
    if let Some(chunks) = body.chunks {
        parts.push(format!("chunked ({chunks} chunks)"));
    }
    if body.close_delimited {
        parts.push("until close".to_string());
    }
    format!("body: {}", parts.join(", "))
}

/// The one-line summary of a message, from its facts: the start line, then in parentheses what a reader of the
/// dialog wants to see: `POST /upload HTTP/1.1 (Expect: 100-continue, multipart/form-data; …)`, `HTTP/1.1 200 OK
/// (text/plain, 5 chunks)`, `HTTP/1.1 206 Partial Content (bytes 32768-81919/81920)` (a part's range says more
/// than its type, which is the whole file's).
fn summary(kind: &MessageKind) -> String {
    let mut facts = Vec::new();
    let (start_line, body) = match kind {
        MessageKind::HttpRequest { head, expect, range, body, .. } => {
            facts.extend(expect.as_ref().map(|e| format!("Expect: {e}")));
            facts.extend(range.as_ref().map(|r| format!("Range: {r}")));
            facts.extend(body.as_ref().and_then(|b| b.content_type.clone()));
            (head.start_line.as_str(), body)
        }
        MessageKind::HttpResponse { head, content_range, body, .. } => {
            match content_range {
                Some(range) => facts.push(range.clone()),
                None => facts.extend(body.as_ref().and_then(|b| b.content_type.clone())),
            }
            (head.start_line.as_str(), body)
        }
        _ => return String::new(),
    };
    if let Some(chunks) = body.as_ref().and_then(|b| b.chunks) {
        facts.push(if chunks == 1 { "1 chunk".to_string() } else { format!("{chunks} chunks") });
    }
    match facts.is_empty() {
        true => start_line.to_string(),
        false => format!("{start_line} ({})", facts.join(", ")),
    }
}

fn shorten(value: &str) -> String {
    super::data::short_text(value.as_bytes(), MAX_VALUE_CHARS)
}

/// How the body after a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
    /// No body; both directions switch protocol (101, or a tunnel after CONNECT).
    Switch(Option<Protocol>),
}

enum StartLine {
    Request { method: String, target: String },
    Response { status: u16, reason: String },
}

/// A parsed header block, owning what the decoder needs from it.
struct Head {
    line: StartLine,
    /// Minor version: `HTTP/1.{version}`.
    version: u8,
    headers: Vec<(String, String)>,
    len: usize,
}

impl Head {
    fn get(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string())
    }

    /// Whether a comma-separated header (`Connection`, `Transfer-Encoding`) holds `token`.
    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn content_length(&self) -> Option<u64> {
        self.get("content-length").and_then(|v| v.parse().ok())
    }

    fn chunked(&self) -> bool {
        self.has_token("transfer-encoding", "chunked")
    }

    /// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes unless told `keep-alive`.
    fn connection_close(&self) -> bool {
        self.has_token("connection", "close") || (self.version == 0 && !self.has_token("connection", "keep-alive"))
    }

    fn body(&self) -> Body {
        Body {
            content_type: self.get("content-type").map(|t| shorten(&t)),
            content_encoding: self.get("content-encoding").map(|e| shorten(&e)),
            ..Body::default()
        }
    }

    /// `GET / HTTP/1.1`, `HTTP/1.1 200 OK`: the start line, shortened.
    fn start_line(&self) -> String {
        match &self.line {
            StartLine::Request { method, target } => {
                format!("{method} {} HTTP/1.{}", shorten(target), self.version)
            }
            StartLine::Response { status, reason } => {
                format!("HTTP/1.{} {status} {}", self.version, shorten(reason)).trim_end().to_string()
            }
        }
    }

    fn kind(&self, body: Option<Body>, head_frame: u64) -> MessageKind {
        let connection_close = self.connection_close();
        let head = HeadInfo { start_line: self.start_line(), frame: head_frame };
        let shown = |name: &str| self.get(name).map(|v| shorten(&v));
        match &self.line {
            StartLine::Request { method, target } => MessageKind::HttpRequest {
                method: method.clone(),
                target: target.clone(),
                connection_close,
                upgrade: self.get("upgrade"),
                expect: shown("expect"),
                range: shown("range"),
                preflight_for: method
                    .eq_ignore_ascii_case("OPTIONS")
                    .then(|| shown("access-control-request-method"))
                    .flatten(),
                body,
                head,
            },
            StartLine::Response { status, .. } => MessageKind::HttpResponse {
                status: *status,
                connection_close,
                keep_alive_timeout: self.get("keep-alive").as_deref().and_then(keep_alive_timeout),
                upgrade: (*status == 101).then(|| self.get("upgrade")).flatten(),
                content_range: shown("content-range"),
                body,
                head,
            },
        }
    }
}

fn owned_headers(headers: &[httparse::Header]) -> Vec<(String, String)> {
    headers.iter().map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned())).collect()
}

/// The head at the start of `buf`, which was cut before its end: its complete lines only. `None` when not even
/// the start line is complete.
fn partial_head(buf: &[u8], dir: Direction) -> Option<Head> {
    let parse = |lines: &[u8]| {
        let closed = [lines, b"\r\n"].concat();
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let parsed = match dir {
            Direction::ClientToServer => parse_request(&closed, &mut headers),
            Direction::ServerToClient => parse_response(&closed, &mut headers),
        };
        parsed.ok().flatten()
    };
    let first_line = buf.iter().position(|&b| b == b'\n')? + 1;
    let complete_lines = buf.iter().rposition(|&b| b == b'\n')? + 1;
    parse(buf.get(..complete_lines)?).or_else(|| parse(buf.get(..first_line)?))
}

fn parse_request<'b>(buf: &'b [u8], headers: &mut [httparse::Header<'b>]) -> Result<Option<Head>, httparse::Error> {
    let mut req = httparse::Request::new(headers);
    let httparse::Status::Complete(len) = req.parse(buf)? else {
        return Ok(None);
    };
    Ok(Some(Head {
        line: StartLine::Request {
            method: req.method.unwrap_or_default().to_string(),
            target: req.path.unwrap_or_default().to_string(),
        },
        version: req.version.unwrap_or(1),
        headers: owned_headers(req.headers),
        len,
    }))
}

fn parse_response<'b>(buf: &'b [u8], headers: &mut [httparse::Header<'b>]) -> Result<Option<Head>, httparse::Error> {
    let mut resp = httparse::Response::new(headers);
    let httparse::Status::Complete(len) = resp.parse(buf)? else {
        return Ok(None);
    };
    Ok(Some(Head {
        line: StartLine::Response {
            status: resp.code.unwrap_or_default(),
            reason: resp.reason.unwrap_or_default().to_string(),
        },
        version: resp.version.unwrap_or(1),
        headers: owned_headers(resp.headers),
        len,
    }))
}

/// RFC 9112 §6.3 for requests: chunked, else Content-Length, else no body.
fn request_framing(head: &Head) -> Framing {
    if head.chunked() { Framing::Chunked } else { head.content_length().map_or(Framing::None, Framing::Length) }
}

/// RFC 9112 §6.3 for responses, which needs the request it answers.
fn response_framing(head: &Head, status: u16, requests: &mut PendingRequests) -> Framing {
    if (100..200).contains(&status) && status != 101 {
        // Interim responses (100 Continue, 103 Early Hints) answer nothing yet.
        return Framing::None;
    }
    let request = requests.answer();
    let method = request.as_ref().map(|r| r.method.as_str());
    if status == 101 {
        let upgrade = head.get("upgrade").or_else(|| request.and_then(|r| r.upgrade)).unwrap_or_default();
        return Framing::Switch(upgrade_protocol(&upgrade));
    }
    if method == Some("CONNECT") && (200..300).contains(&status) {
        return Framing::Switch(None);
    }
    if method == Some("HEAD") || status == 204 || status == 304 {
        return Framing::None;
    }
    if head.chunked() { Framing::Chunked } else { head.content_length().map_or(Framing::UntilClose, Framing::Length) }
}

/// The protocol an `Upgrade:` token names; unknown ones are recognised from their bytes.
fn upgrade_protocol(token: &str) -> Option<Protocol> {
    let token = token.split(',').next().unwrap_or_default().trim();
    match token.to_ascii_lowercase().as_str() {
        "websocket" => Some(Protocol::WebSocket),
        "h2c" => Some(Protocol::Http2),
        _ => None,
    }
}

/// `timeout=5, max=100` -> 5
fn keep_alive_timeout(value: &str) -> Option<u32> {
    value.split(',').find_map(|part| part.trim().strip_prefix("timeout=")).and_then(|t| t.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{decode, decode_pair, decode_split_everywhere};
    use super::*;

    const GET: &[u8] =
        b"GET /index.html HTTP/1.1\r\nHost: localhost:8000\r\nAuthorization: Basic dXNlcjpodW50ZXIy\r\n\r\n";

    thread_local! {
        /// Bytes searched for the end of a head, by this test's thread.
        pub(super) static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Bytes searched for heads' ends while decoding `chunks`.
    fn scanned(chunks: &[&[u8]]) -> (usize, Vec<Message>) {
        SCANNED.with(|n| n.set(0));
        let messages = decode(Protocol::Http, Direction::ClientToServer, chunks);
        (SCANNED.with(|n| n.get()), messages)
    }

    #[test]
    fn heads_are_searched_once_however_they_arrive() {
        // Two thousand pipelined requests in one segment: each head's end is found without reading the rest.
        let pipelined = b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000);
        let (searched, messages) = scanned(&[&pipelined]);
        // All decoded: twenty kept, the rest counted.
        assert_eq!(messages.last().map(|m| &m.kind), Some(&MessageKind::More { count: 1980 }));
        assert!(searched <= 2 * pipelined.len(), "{searched} bytes searched for {} bytes", pipelined.len());
        // A 40 kB head in 100-byte segments: each segment's bytes are searched once.
        let long = [&b"GET / HTTP/1.1\r\nX: "[..], &vec![b'a'; 40_000], b"\r\n\r\n"].concat();
        let (searched, messages) = scanned(&long.chunks(100).collect::<Vec<_>>());
        assert_eq!(messages.len(), 1);
        assert!(searched <= 3 * long.len(), "{searched} bytes searched for {} bytes", long.len());
    }

    #[test]
    fn pipelined_requests_in_one_segment_are_three_messages() {
        let three =
            [GET, b"GET /a.css HTTP/1.1\r\nHost: x\r\n\r\n", b"HEAD /b.js HTTP/1.1\r\nHost: x\r\n\r\n"].concat();
        let messages = decode(Protocol::Http, Direction::ClientToServer, &[&three]);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(summaries, ["GET /index.html HTTP/1.1", "GET /a.css HTTP/1.1", "HEAD /b.js HTTP/1.1"]);
        assert_eq!(messages.iter().map(|m| m.offset).collect::<Vec<_>>(), [0, GET.len() as u64, GET.len() as u64 + 32]);
        assert!(messages[0].detail.contains(&"Authorization: …redacted…".to_string()), "{:?}", messages[0].detail);
        assert!(!messages.iter().flat_map(|m| &m.detail).any(|d| d.contains("dXNlcjpodW50ZXIy")));
    }

    #[test]
    fn content_length_and_chunked_bodies_are_summarised_not_kept() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n\
            5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Checksum: abc\r\n\r\n\
            HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnopHTTP/1.1 204 No Content\r\n\r\n";
        let messages = decode_pair(b"", response);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            summaries,
            ["HTTP/1.1 200 OK (text/plain, 2 chunks)", "HTTP/1.1 404 Not Found", "HTTP/1.1 204 No Content"]
        );
        let MessageKind::HttpResponse { body: Some(body), .. } = &messages[0].kind else { panic!("{:?}", messages[0]) };
        assert_eq!((body.length, body.chunks), (12, Some(2)));
        assert!(messages[0].detail.contains(&"trailer X-Checksum: abc".to_string()));
        assert!(messages[0].detail.contains(&"body: 12 bytes, text/plain, chunked (2 chunks)".to_string()));
        decode_split_everywhere(Protocol::Http, Direction::ServerToClient, response);
    }

    #[test]
    fn head_responses_have_no_body_and_interim_responses_answer_nothing() {
        let requests = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n";
        let responses = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n\
            HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
        let messages = decode_pair(requests, responses);
        let responses: Vec<_> = messages.iter().filter(|m| m.dir == Direction::ServerToClient).collect();
        let summaries: Vec<&str> = responses.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(summaries, ["HTTP/1.1 200 OK", "HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"]);
        assert!(matches!(responses[2].kind, MessageKind::HttpResponse { connection_close: true, .. }));
    }

    #[test]
    fn expect_range_and_preflight_are_facts_and_read_in_the_summary() {
        // As captures/upload-100-continue.pcap, download-range.pcap and cors-preflight.pcap send them.
        let requests = b"POST /upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc\
            GET /file80k.bin HTTP/1.1\r\nRange: bytes=32768-\r\n\r\n\
            OPTIONS /api/items/42 HTTP/1.1\r\nAccess-Control-Request-Method: PUT\r\n\r\n";
        let responses = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\
            HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\n\
            Content-Range: bytes 32768-32769/81920\r\nContent-Length: 2\r\n\r\nxy\
            HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Methods: GET, PUT, OPTIONS\r\n\r\n";
        let messages = decode_pair(requests, responses);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "POST /upload HTTP/1.1 (Expect: 100-continue)",
                "GET /file80k.bin HTTP/1.1 (Range: bytes=32768-)",
                "OPTIONS /api/items/42 HTTP/1.1",
                "HTTP/1.1 100 Continue",
                "HTTP/1.1 200 OK",
                "HTTP/1.1 206 Partial Content (bytes 32768-32769/81920)",
                "HTTP/1.1 204 No Content"
            ]
        );
        assert!(matches!(&messages[0].kind, MessageKind::HttpRequest { expect: Some(e), .. } if e == "100-continue"));
        assert!(matches!(&messages[1].kind, MessageKind::HttpRequest { range: Some(r), .. } if r == "bytes=32768-"));
        assert!(matches!(&messages[2].kind, MessageKind::HttpRequest { preflight_for: Some(m), .. } if m == "PUT"));
        assert!(
            matches!(&messages[0].kind, MessageKind::HttpRequest { head, .. } if head.start_line == "POST /upload HTTP/1.1")
        );
        assert!(
            matches!(&messages[5].kind, MessageKind::HttpResponse { content_range: Some(r), .. } if r == "bytes 32768-32769/81920")
        );
        assert!(messages[5].detail.contains(&"body: 2 bytes, application/octet-stream".to_string()));
    }

    #[test]
    fn a_chunked_body_says_how_many_chunks_it_had() {
        // captures/download-chunked.pcap's /chunked: chunks of 5, 1000, 17 and 64 (two in one segment) and 3000
        // bytes (over two segments), then the last chunk.
        let head = &b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"[..];
        let chunk = |n: usize| [format!("{n:x}\r\n").as_bytes(), &vec![b'a'; n], b"\r\n"].concat();
        let second_part = [chunk(17), chunk(64), chunk(3000)].concat();
        let (a, b) = second_part.split_at(17 + 64 + 20 + 1400);
        let (five, thousand) = (chunk(5), chunk(1000));
        let chunks: Vec<&[u8]> = vec![head, &five, &thousand, a, b, b"0\r\n\r\n"];
        let messages = decode(Protocol::Http, Direction::ServerToClient, &chunks);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].summary, "HTTP/1.1 200 OK (text/plain, 5 chunks)");
        assert_eq!((messages[0].frame, messages[0].end_frame), (1, 6));
        assert!(messages[0].detail.contains(&"body: 4086 bytes, text/plain, chunked (5 chunks)".to_string()));
    }

    #[test]
    fn close_delimited_bodies_end_with_the_stream() {
        let response =
            b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nKeep-Alive: timeout=5, max=100\r\n\r\n<html></html>";
        let messages = decode(Protocol::Http, Direction::ServerToClient, &[response]);
        assert_eq!(messages.len(), 1);
        let MessageKind::HttpResponse { connection_close, keep_alive_timeout, body: Some(body), .. } =
            &messages[0].kind
        else {
            panic!("{:?}", messages[0])
        };
        assert_eq!(
            (*connection_close, *keep_alive_timeout, body.length, body.close_delimited),
            (true, Some(5), 13, true)
        );
    }

    #[test]
    fn garbage_is_malformed_and_kept_as_data() {
        let messages = decode(Protocol::Http, Direction::ClientToServer, &[b"GET / HTTP/1.1\r\nbad header\r\n\r\n"]);
        assert!(
            matches!(&messages[0].kind, MessageKind::Malformed { reason } if reason.contains("not an HTTP/1.x request"))
        );
        assert_eq!(messages[1].summary, "30 bytes \"GET / HTTP/1.1..bad header....\"");
    }
}
