//! HTTP/1.x: request and status lines, headers, and message framing over one direction's stream.

use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;

/// Most bytes of a header block kept while waiting for its end.
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

/// What the decoder is doing with the bytes it receives.
#[derive(Debug)]
enum State {
    /// Collecting a header block.
    Head,
    /// Skipping `remaining` body bytes of the message that started at `pending`.
    Body { remaining: u64 },
    /// The body runs until the connection closes.
    UntilClose,
    /// Not HTTP (or something broke); ignore the rest.
    Done,
}

/// Incremental decoder for one direction of one connection.
#[derive(Debug)]
pub struct Http1Stream {
    conn: usize,
    dir: Direction,
    state: State,
    buf: Vec<u8>,
    /// Where `buf` starts in the stream, and the frame that brought its first byte.
    buf_offset: u64,
    buf_frame: u64,
    /// A message whose head is decoded but whose body is still arriving.
    pending: Option<Message>,
}

impl Http1Stream {
    pub fn new(conn: usize, dir: Direction) -> Self {
        Http1Stream { conn, dir, state: State::Head, buf: Vec::new(), buf_offset: 0, buf_frame: 0, pending: None }
    }

    pub fn feed(&mut self, frame: u64, offset: u64, mut data: &[u8], out: &mut Vec<Message>) {
        let mut offset = offset;
        while !data.is_empty() {
            match &mut self.state {
                State::Done => return,
                State::UntilClose => return,
                State::Body { remaining } => {
                    let take = (*remaining).min(data.len() as u64);
                    *remaining -= take;
                    data = &data[take as usize..];
                    offset += take;
                    if *remaining == 0 {
                        self.complete(frame, out);
                    }
                }
                State::Head => {
                    if self.buf.is_empty() {
                        self.buf_offset = offset;
                        self.buf_frame = frame;
                    }
                    let room = MAX_HEADER_BYTES.saturating_sub(self.buf.len());
                    let take = room.min(data.len());
                    self.buf.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    offset += take as u64;
                    match self.parse_head(frame) {
                        Ok(Some((used, body))) => {
                            let rest = self.buf.split_off(used);
                            self.buf.clear();
                            self.state = body;
                            if matches!(self.state, State::Body { remaining: 0 }) {
                                self.complete(frame, out);
                            }
                            // Bytes after the head belong to the body or the next message: feed them again.
                            if !rest.is_empty() {
                                let rest_offset = self.buf_offset + used as u64;
                                self.feed(frame, rest_offset, &rest, out);
                            }
                        }
                        Ok(None) if self.buf.len() >= MAX_HEADER_BYTES => self.state = State::Done,
                        Ok(None) => {}
                        Err(()) => self.state = State::Done,
                    }
                }
            }
        }
    }

    pub fn gap(&mut self, _frame: u64, _offset: u64, len: u64, out: &mut Vec<Message>) {
        match &mut self.state {
            State::Body { remaining } if *remaining >= len => {
                *remaining -= len;
                if *remaining == 0 {
                    self.complete(_frame, out);
                }
            }
            State::UntilClose => {}
            _ => self.state = State::Done,
        }
    }

    pub fn end(&mut self, frame: u64, out: &mut Vec<Message>) {
        if matches!(self.state, State::UntilClose) {
            self.complete(frame, out);
        } else if let Some(mut message) = self.pending.take() {
            // The stream ended before the body did: keep the message, say it is incomplete.
            message.end_frame = frame;
            message.summary.push_str(" (incomplete)");
            out.push(message);
        }
        self.state = State::Done;
    }

    fn complete(&mut self, frame: u64, out: &mut Vec<Message>) {
        if let Some(mut message) = self.pending.take() {
            message.end_frame = frame;
            out.push(message);
        }
        self.state = State::Head;
    }

    /// Parses the header block in `buf`: `Ok(Some(head length, body state))` when complete.
    fn parse_head(&mut self, frame: u64) -> Result<Option<(usize, State)>, ()> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let message = |summary: String, kind| Message {
            conn: self.conn,
            dir: self.dir,
            protocol: Protocol::Http,
            frame: self.buf_frame,
            end_frame: frame,
            offset: self.buf_offset,
            summary,
            kind,
        };
        match self.dir {
            Direction::ClientToServer => {
                let mut req = httparse::Request::new(&mut headers);
                let status = req.parse(&self.buf).map_err(|_| ())?;
                let httparse::Status::Complete(used) = status else { return Ok(None) };
                let method = req.method.unwrap_or_default().to_string();
                let target = req.path.unwrap_or_default().to_string();
                let version = req.version.unwrap_or(1);
                let body = content_length(req.headers).map_or(State::Body { remaining: 0 }, |n| State::Body { remaining: n });
                let summary = format!("{method} {target} HTTP/1.{version}");
                self.pending = Some(message(summary, MessageKind::HttpRequest { method, target }));
                Ok(Some((used, body)))
            }
            Direction::ServerToClient => {
                let mut resp = httparse::Response::new(&mut headers);
                let status = resp.parse(&self.buf).map_err(|_| ())?;
                let httparse::Status::Complete(used) = status else { return Ok(None) };
                let code = resp.code.unwrap_or_default();
                let reason = resp.reason.unwrap_or_default();
                let version = resp.version.unwrap_or(1);
                let connection_close = header(resp.headers, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let keep_alive_timeout = header(resp.headers, "keep-alive").and_then(keep_alive_timeout);
                let upgrade = (code == 101).then(|| header(resp.headers, "upgrade").map(str::to_string)).flatten();
                let body = match content_length(resp.headers) {
                    _ if code / 100 == 1 || code == 204 || code == 304 => State::Body { remaining: 0 },
                    Some(n) => State::Body { remaining: n },
                    None => State::UntilClose,
                };
                let summary = format!("HTTP/1.{version} {code} {reason}").trim_end().to_string();
                let kind = MessageKind::HttpResponse { status: code, connection_close, keep_alive_timeout, upgrade };
                self.pending = Some(message(summary, kind));
                Ok(Some((used, body)))
            }
        }
    }
}

fn header<'a>(headers: &'a [httparse::Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .map(str::trim)
}

fn content_length(headers: &[httparse::Header]) -> Option<u64> {
    header(headers, "content-length").and_then(|v| v.parse().ok())
}

/// `timeout=5, max=100` -> 5
fn keep_alive_timeout(value: &str) -> Option<u32> {
    value.split(',').find_map(|part| part.trim().strip_prefix("timeout=")).and_then(|t| t.trim().parse().ok())
}
