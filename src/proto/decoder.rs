//! The protocol stage's entry point: a [`StreamSink`] that recognises each connection's protocol and routes
//! each direction's bytes to its decoder.
//!
//! Every decoder follows one contract ([`StreamDecoder::step`]): given the undecoded bytes at the start of a unit
//! (a header block, a frame, a record) it answers *need more*, *used n bytes (and skip m more)*, *switch
//! protocol* or *fail*. The [`Direction`]'s driver here owns the only buffer, which is bounded by
//! [`MAX_BUFFER`]: bodies and payloads a decoder does not need are skipped, never kept, so a 1 GB download costs
//! no memory. A message is completed (its `end_frame` set) by the segment that brings its last byte.

use super::data::DataDecoder;
use super::http1::Http1Decoder;
use super::http2::Http2Decoder;
use super::postgres::PostgresDecoder;
use super::redact::Redactor;
use super::tls::TlsDecoder;
use super::websocket::WebSocketDecoder;
use super::{Message, MessageKind, Protocol};
use crate::tcp::{ConnectionInfo, Direction, StreamSink};
use std::collections::{BTreeMap, VecDeque};

/// Decodes one connection given as byte chunks, in order, without a capture: chunk `i` is frame `i + 1`.
///
/// Both directions end after the last chunk. Handy for tests, fuzzing and examples.
pub fn decode_turns(options: &DecoderOptions, turns: &[(Direction, &[u8])]) -> Vec<Message> {
    let mut decoder = ProtocolDecoder::new(options.clone());
    let client = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], 8000));
    decoder.connection(ConnectionInfo { index: 0, client, server });
    let mut offsets = [0u64; 2];
    for (i, (dir, bytes)) in turns.iter().enumerate() {
        let offset = &mut offsets[dir.index()];
        decoder.data(0, *dir, i as u64 + 1, *offset, bytes);
        *offset += bytes.len() as u64;
    }
    let last = turns.len() as u64 + 1;
    decoder.end(0, Direction::ClientToServer, last);
    decoder.end(0, Direction::ServerToClient, last);
    decoder.finish()
}

/// Most undecoded bytes kept per direction; a unit that needs more is reported malformed.
pub const MAX_BUFFER: usize = 256 * 1024;

/// Choices that change decoding.
#[derive(Debug, Clone)]
pub struct DecoderOptions {
    /// Decode every connection as this protocol instead of recognising it.
    pub force: Option<Protocol>,
    /// Hide secrets (Authorization, Cookie, Set-Cookie headers, database passwords). On by default.
    pub redact: bool,
    /// More header names whose values are hidden when `redact` is on (any case).
    pub redact_headers: Vec<String>,
}

impl Default for DecoderOptions {
    fn default() -> Self {
        DecoderOptions { force: None, redact: true, redact_headers: Vec::new() }
    }
}

/// What a decoder did with the bytes it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The bytes are the start of a unit that is not complete yet.
    Need,
    /// `used` bytes are decoded; the next `skip` stream bytes belong to the same unit and are not needed. The
    /// messages pushed during this step are completed by the segment that brings the last skipped byte.
    Used { used: usize, skip: u64 },
    /// After `used` bytes both directions speak another protocol (`None`: recognise it again, as after CONNECT).
    Switch { used: usize, to: Option<Protocol> },
    /// This direction cannot be decoded further as this protocol (a `Malformed` message says why); the bytes
    /// from `used` on are shown as data.
    Fail { used: usize },
}

/// What a decoder can do after bytes went missing from the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterGap {
    /// It looks for the start of the next unit in the bytes that follow.
    Resync,
    /// It cannot find its way back: the rest of the direction is shown as data.
    GiveUp,
}

/// One direction's decoder.
pub trait StreamDecoder {
    fn protocol(&self) -> Protocol;
    /// Decodes from the start of `buf`, which holds every undecoded byte (at most [`MAX_BUFFER`]).
    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step;
    /// `len` bytes are missing right after what was decoded (any partial unit was dropped).
    fn gap(&mut self, _len: u64, _cx: &mut Cx) -> AfterGap {
        AfterGap::GiveUp
    }
    /// The direction ended; `buf` holds the bytes of an unfinished unit (maybe none).
    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        if !buf.is_empty() {
            let reason = format!("stream ended inside a {} unit ({} bytes)", self.protocol().column_name(), buf.len());
            cx.push(0, self.protocol(), format!("[Malformed: {reason}]"), MessageKind::Malformed { reason });
        }
    }
}

/// Facts about one HTTP request that its response needs (HEAD has no body, Upgrade, CONNECT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub method: String,
    pub upgrade: Option<String>,
}

/// State the two directions of a connection share.
#[derive(Debug, Default)]
pub struct Shared {
    /// HTTP requests not yet answered by a final response, oldest first (bounded by [`MAX_PENDING_REQUESTS`]).
    pub http_requests: VecDeque<RequestFacts>,
    /// The client asked PostgreSQL for TLS (SSLRequest) and the server has not answered yet.
    pub pg_ssl_requested: bool,
    /// Authentication method the PostgreSQL server asked for last (`AuthenticationRequest` code).
    pub pg_auth: Option<u32>,
    /// The server chose TLS 1.3: later handshake records are encrypted.
    pub tls13: bool,
    /// The server's port, as a hint.
    pub server_port: u16,
}

/// Most unanswered HTTP requests remembered per connection.
pub const MAX_PENDING_REQUESTS: usize = 1024;

/// Where the bytes handed to a decoder sit, and where its messages go.
pub struct Cx<'a> {
    pub conn: usize,
    pub dir: Direction,
    /// Stream offset of the first byte of the buffer.
    pub offset: u64,
    /// Frame of the segment being delivered (completes the messages of this step unless bytes are skipped).
    pub now: u64,
    /// Frames that brought the buffer's bytes: (offset in stream, frame), ascending.
    frames: &'a [(u64, u64)],
    pub shared: &'a mut Shared,
    pub redact: &'a Redactor,
    out: &'a mut Vec<Message>,
}

impl Cx<'_> {
    /// Frame that brought the buffer's byte at `rel`.
    pub fn frame_at(&self, rel: usize) -> u64 {
        let offset = self.offset + rel as u64;
        self.frames.iter().take_while(|(start, _)| *start <= offset).last().map_or(self.now, |(_, frame)| *frame)
    }

    /// A message starting at the buffer's byte `rel`.
    pub fn message(&self, rel: usize, protocol: Protocol, summary: String, kind: MessageKind) -> Message {
        Message {
            conn: self.conn,
            dir: self.dir,
            protocol,
            frame: self.frame_at(rel),
            end_frame: self.now,
            offset: self.offset + rel as u64,
            summary,
            kind,
            detail: Vec::new(),
        }
    }

    pub fn push(&mut self, rel: usize, protocol: Protocol, summary: String, kind: MessageKind) {
        let message = self.message(rel, protocol, summary, kind);
        self.out.push(message);
    }

    pub fn push_message(&mut self, message: Message) {
        self.out.push(message);
    }

    /// A `Malformed` message at `rel`, summarised as `[Malformed PROTO: reason]`.
    pub fn malformed(&mut self, rel: usize, protocol: Protocol, reason: String) {
        let summary = format!("[Malformed {}: {reason}]", protocol.column_name());
        self.push(rel, protocol, summary, MessageKind::Malformed { reason });
    }
}

/// The context for a decoder of direction `$dir` of connection `$conn`, borrowing the stream's fields apart.
macro_rules! cx {
    ($conn:expr, $dir:expr, $now:expr, $stream:expr, $shared:expr, $redact:expr, $out:expr) => {
        Cx {
            conn: $conn,
            dir: $dir,
            offset: $stream.offset,
            now: $now,
            frames: &$stream.frames,
            shared: $shared,
            redact: $redact,
            out: $out,
        }
    };
}

/// Creates the decoder of `protocol` for one direction.
fn decoder_for(protocol: Option<Protocol>, dir: Direction) -> Box<dyn StreamDecoder> {
    match protocol {
        None => Box::new(Recogniser),
        Some(Protocol::Http) => Box::new(Http1Decoder::new(dir)),
        Some(Protocol::WebSocket) => Box::new(WebSocketDecoder::new(dir)),
        Some(Protocol::Http2) => Box::new(Http2Decoder::new(dir)),
        Some(Protocol::Tls) => Box::new(TlsDecoder::new(dir)),
        Some(Protocol::Postgres) => Box::new(PostgresDecoder::new(dir)),
        Some(Protocol::Data) => Box::new(DataDecoder),
    }
}

/// One direction: its decoder and the bounded buffer of bytes it has not decoded yet.
struct DirStream {
    decoder: Box<dyn StreamDecoder>,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]` (or of the next byte when `buf` is empty).
    offset: u64,
    /// (stream offset, frame) where each segment's bytes in `buf` start.
    frames: Vec<(u64, u64)>,
    /// Bytes still to skip for the unit decoded last.
    skip: u64,
    /// Messages waiting for the skipped bytes.
    waiting: Vec<Message>,
    ended: bool,
}

impl DirStream {
    fn new(decoder: Box<dyn StreamDecoder>) -> Self {
        DirStream {
            decoder,
            buf: Vec::new(),
            offset: 0,
            frames: Vec::new(),
            skip: 0,
            waiting: Vec::new(),
            ended: false,
        }
    }
}

/// Both directions of one connection.
struct Conn {
    index: usize,
    dirs: [DirStream; 2],
    shared: Shared,
}

/// What a decoding run asks the connection to do next.
enum Outcome {
    Idle,
    Switch(Option<Protocol>),
}

/// Decodes every connection of a capture; collect the result with [`ProtocolDecoder::finish`].
#[derive(Default)]
pub struct ProtocolDecoder {
    options: DecoderOptions,
    redactor: Redactor,
    conns: BTreeMap<usize, Conn>,
    messages: Vec<Message>,
}

impl ProtocolDecoder {
    pub fn new(options: DecoderOptions) -> Self {
        let redactor = Redactor::new(options.redact, &options.redact_headers);
        ProtocolDecoder { options, redactor, ..Default::default() }
    }

    /// All messages, ordered by the frame that completes them, then by stream position.
    pub fn finish(mut self) -> Vec<Message> {
        self.messages.sort_by_key(|m| (m.end_frame, m.conn, m.dir, m.offset));
        self.messages
    }
}

impl StreamSink for ProtocolDecoder {
    fn connection(&mut self, info: ConnectionInfo) {
        let force = self.options.force;
        let shared = Shared { server_port: info.server.port(), ..Default::default() };
        let dirs = [
            DirStream::new(decoder_for(force, Direction::ClientToServer)),
            DirStream::new(decoder_for(force, Direction::ServerToClient)),
        ];
        self.conns.insert(info.index, Conn { index: info.index, dirs, shared });
    }

    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.data(dir, frame, offset, data, &self.redactor, &mut self.messages);
        }
    }

    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.gap(dir, frame, offset, len, &self.redactor, &mut self.messages);
        }
    }

    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.end(dir, frame, &self.redactor, &mut self.messages);
        }
    }
}

impl Conn {
    fn data(
        &mut self,
        dir: Direction,
        frame: u64,
        offset: u64,
        mut data: &[u8],
        redact: &Redactor,
        out: &mut Vec<Message>,
    ) {
        let stream = &mut self.dirs[dir.index()];
        if stream.ended {
            return;
        }
        if stream.buf.is_empty() && stream.skip == 0 {
            stream.offset = offset;
        }
        while !data.is_empty() {
            let stream = &mut self.dirs[dir.index()];
            if stream.skip > 0 {
                let take = usize::try_from(stream.skip).unwrap_or(usize::MAX).min(data.len());
                stream.skip -= take as u64;
                stream.offset += take as u64;
                data = data.get(take..).unwrap_or_default();
                if stream.skip == 0 {
                    complete_waiting(stream, frame, out);
                }
                continue;
            }
            let room = MAX_BUFFER.saturating_sub(stream.buf.len());
            let take = room.min(data.len());
            let (head, tail) = data.split_at(take);
            let start = stream.offset + stream.buf.len() as u64;
            if stream.frames.last().is_none_or(|&(_, f)| f != frame) {
                stream.frames.push((start, frame));
            }
            stream.buf.extend_from_slice(head);
            data = tail;
            self.run(dir, frame, redact, out);
            let stream = &mut self.dirs[dir.index()];
            if stream.buf.len() >= MAX_BUFFER {
                // The decoder wants more than we keep: say so and show the rest of the direction as data.
                let reason = format!("no complete unit in {MAX_BUFFER} bytes");
                let protocol = stream.decoder.protocol();
                let mut cx = cx!(self.index, dir, frame, stream, &mut self.shared, redact, out);
                cx.malformed(0, protocol, reason);
                stream.decoder = Box::new(DataDecoder);
                self.run(dir, frame, redact, out);
            }
        }
    }

    /// Lets the direction's decoder work through its buffer until it needs more bytes.
    fn run(&mut self, dir: Direction, frame: u64, redact: &Redactor, out: &mut Vec<Message>) {
        loop {
            let stream = &mut self.dirs[dir.index()];
            if stream.buf.is_empty() {
                return;
            }
            let mut produced = Vec::new();
            let buf = std::mem::take(&mut stream.buf);
            let step = {
                let mut cx = cx!(self.index, dir, frame, stream, &mut self.shared, redact, &mut produced);
                stream.decoder.step(&buf, &mut cx)
            };
            stream.buf = buf;
            let (used, outcome) = match step {
                Step::Need => {
                    out.append(&mut produced);
                    return;
                }
                Step::Used { used, skip } => {
                    stream.skip = skip;
                    (used, Outcome::Idle)
                }
                Step::Switch { used, to } => (used, Outcome::Switch(to)),
                Step::Fail { used } => {
                    stream.decoder = Box::new(DataDecoder);
                    (used, Outcome::Idle)
                }
            };
            // A decoder that uses nothing and stays would loop forever: treat it as needing more.
            let stays = matches!(outcome, Outcome::Idle) && !matches!(step, Step::Fail { .. });
            if used == 0 && stays && stream.skip == 0 {
                out.append(&mut produced);
                return;
            }
            consume(stream, used.min(stream.buf.len()));
            stream.waiting.append(&mut produced);
            // Skipped bytes may already be in the buffer.
            let skipped = usize::try_from(stream.skip).unwrap_or(usize::MAX).min(stream.buf.len());
            consume(stream, skipped);
            stream.skip -= skipped as u64;
            if stream.skip == 0 {
                complete_waiting(stream, frame, out);
            }
            if let Outcome::Switch(to) = outcome {
                self.switch(dir, to, frame, redact, out);
            }
        }
    }

    /// Both directions start speaking `to`; bytes already buffered are decoded again by the new decoders.
    fn switch(&mut self, dir: Direction, to: Option<Protocol>, frame: u64, redact: &Redactor, out: &mut Vec<Message>) {
        for d in [dir, dir.reverse()] {
            let stream = &mut self.dirs[d.index()];
            stream.decoder = decoder_for(to, d);
        }
        self.run(dir, frame, redact, out);
        self.run(dir.reverse(), frame, redact, out);
    }

    fn gap(&mut self, dir: Direction, frame: u64, offset: u64, len: u64, redact: &Redactor, out: &mut Vec<Message>) {
        let stream = &mut self.dirs[dir.index()];
        if stream.ended {
            return;
        }
        // Missing bytes inside a skipped body or payload cost nothing but a note.
        let covered = stream.skip.min(len);
        if covered > 0 {
            stream.skip -= covered;
            for message in &mut stream.waiting {
                message.detail.push(format!("{covered} bytes missing from the capture"));
            }
            if stream.skip == 0 {
                complete_waiting(stream, frame, out);
            }
        }
        let missing = len - covered;
        if missing > 0 {
            let protocol = stream.decoder.protocol();
            if !stream.buf.is_empty() {
                let reason =
                    format!("{} bytes of a unit, then {missing} bytes missing from the capture", stream.buf.len());
                let mut cx = cx!(self.index, dir, frame, stream, &mut self.shared, redact, out);
                cx.malformed(0, protocol, reason);
                stream.buf.clear();
                stream.frames.clear();
            }
            let after = {
                let mut cx = cx!(self.index, dir, frame, stream, &mut self.shared, redact, out);
                stream.decoder.gap(missing, &mut cx)
            };
            if after == AfterGap::GiveUp {
                stream.decoder = Box::new(DataDecoder);
            }
        }
        stream.offset = offset.saturating_add(len);
    }

    fn end(&mut self, dir: Direction, frame: u64, redact: &Redactor, out: &mut Vec<Message>) {
        let stream = &mut self.dirs[dir.index()];
        if stream.ended {
            return;
        }
        stream.ended = true;
        if stream.skip > 0 {
            let missing = stream.skip;
            for message in &mut stream.waiting {
                message.summary.push_str(" (incomplete)");
                message.detail.push(format!("{missing} bytes never arrived"));
            }
            stream.skip = 0;
            complete_waiting(stream, frame, out);
        }
        let buf = std::mem::take(&mut stream.buf);
        let mut produced = Vec::new();
        {
            let mut cx = cx!(self.index, dir, frame, stream, &mut self.shared, redact, &mut produced);
            stream.decoder.end(&buf, &mut cx);
        }
        stream.frames.clear();
        out.append(&mut produced);
    }
}

/// Drops `n` decoded bytes from the front of the buffer.
fn consume(stream: &mut DirStream, n: usize) {
    stream.buf.drain(..n);
    stream.offset += n as u64;
    // Keep the frame of the first byte left.
    let first = stream.offset;
    let keep_from = stream.frames.iter().rposition(|&(start, _)| start <= first).unwrap_or(0);
    stream.frames.drain(..keep_from);
    if stream.buf.is_empty() {
        stream.frames.clear();
    }
}

fn complete_waiting(stream: &mut DirStream, frame: u64, out: &mut Vec<Message>) {
    for mut message in stream.waiting.drain(..) {
        message.end_frame = frame;
        out.push(message);
    }
}

/// Recognises the protocol from the first bytes of either direction; the ports only break ties.
struct Recogniser;

/// HTTP/2's connection preface (RFC 9113 §3.4).
pub const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

const HTTP_METHODS: [&str; 9] = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

/// PostgreSQL's startup codes: protocol 3.0, SSLRequest, GSSENCRequest, CancelRequest.
const PG_STARTUP_CODES: [u32; 4] = [196_608, 80_877_103, 80_877_104, 80_877_102];

/// What the first bytes of a stream say about its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recognition {
    Known(Protocol),
    /// Could still be something; more bytes are needed.
    Undecided,
}

/// Recognises a protocol by content alone.
pub fn recognise(bytes: &[u8]) -> Recognition {
    use Recognition::*;
    let prefix_of = |pattern: &[u8]| {
        let n = bytes.len().min(pattern.len());
        bytes.get(..n) == pattern.get(..n)
    };
    if bytes.is_empty() {
        return Undecided;
    }
    if prefix_of(H2_PREFACE) {
        return if bytes.len() >= H2_PREFACE.len() { Known(Protocol::Http2) } else { Undecided };
    }
    let mut could_be_more = false;
    for method in HTTP_METHODS {
        let line = [method.as_bytes(), b" "].concat();
        if prefix_of(&line) {
            if bytes.len() >= line.len() {
                return Known(Protocol::Http);
            }
            could_be_more = true;
        }
    }
    if prefix_of(b"HTTP/1.") {
        if bytes.len() >= 7 {
            return Known(Protocol::Http);
        }
        could_be_more = true;
    }
    // A server that speaks HTTP/2 first (prior knowledge) opens with SETTINGS on stream 0 (RFC 9113 §3.4).
    match bytes {
        [l0, l1, l2, 4, 0, 0, 0, 0, 0, ..] if u32::from_be_bytes([0, *l0, *l1, *l2]).is_multiple_of(6) => {
            return Known(Protocol::Http2);
        }
        [0, _, _, 4, 0, 0, 0, 0] | [0, _, _, 4, 0, 0, 0] | [0, _, _, 4, 0, 0] | [0, _, _, 4, 0] | [0, _, _, 4] => {
            could_be_more = true;
        }
        _ => {}
    }
    match bytes {
        [20..=23, 3, 0..=4, ..] => return Known(Protocol::Tls),
        [20..=23] | [20..=23, 3] => could_be_more = true,
        _ => {}
    }
    if let [a, b, c, d, e, f, g, h, ..] = *bytes {
        let len = u32::from_be_bytes([a, b, c, d]);
        let code = u32::from_be_bytes([e, f, g, h]);
        if (8..=10_000).contains(&len) && PG_STARTUP_CODES.contains(&code) {
            return Known(Protocol::Postgres);
        }
    } else if bytes.first() == Some(&0) {
        could_be_more = true;
    }
    if could_be_more { Undecided } else { Known(Protocol::Data) }
}

/// The protocol a well-known server port suggests.
pub fn port_hint(port: u16) -> Option<Protocol> {
    match port {
        80 | 8000 | 8080 => Some(Protocol::Http),
        443 | 8443 => Some(Protocol::Tls),
        5432 => Some(Protocol::Postgres),
        _ => None,
    }
}

impl StreamDecoder for Recogniser {
    fn protocol(&self) -> Protocol {
        Protocol::Data
    }

    fn step(&mut self, buf: &[u8], _cx: &mut Cx) -> Step {
        match recognise(buf) {
            Recognition::Known(protocol) => Step::Switch { used: 0, to: Some(protocol) },
            Recognition::Undecided => Step::Need,
        }
    }

    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        // Too few bytes to tell: the port decides how they are labelled, but they are shown as data.
        if !buf.is_empty() {
            let mut summary = super::data::bytes_summary(buf.len() as u64, buf);
            if let Some(hint) = port_hint(cx.shared.server_port) {
                summary.push_str(&format!(" (too short to decode as {})", hint.column_name()));
            }
            cx.push(0, Protocol::Data, summary, MessageKind::Other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Event, decode_events};
    use super::*;
    use Direction::{ClientToServer as C2S, ServerToClient as S2C};

    fn summaries(messages: &[Message]) -> Vec<(u64, u64, &str)> {
        messages.iter().map(|m| (m.frame, m.end_frame, m.summary.as_str())).collect()
    }

    #[test]
    fn a_gigabyte_body_is_skipped_not_kept() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\nContent-Type: application/octet-stream\r\n\r\n";
        let chunk = vec![0u8; 1 << 20];
        let mut events = vec![Event::Data(C2S, b"GET /big HTTP/1.1\r\n\r\n"), Event::Data(S2C, head)];
        events.extend((0..1024).map(|_| Event::Data(S2C, &chunk)));
        events.push(Event::Data(S2C, b"HTTP/1.1 204 No Content\r\n\r\n"));
        let messages = decode_events(None, &events);
        assert_eq!(
            summaries(&messages),
            [
                (1, 1, "GET /big HTTP/1.1"),
                (2, 1026, "HTTP/1.1 200 OK (application/octet-stream)"),
                (1027, 1027, "HTTP/1.1 204 No Content")
            ]
        );
    }

    #[test]
    fn messages_start_where_their_first_byte_came_and_end_where_the_last_did() {
        let events = [
            Event::Data(C2S, b"GET / HT"),
            Event::Data(C2S, b"TP/1.1\r\n\r\nGET /b HTTP/1.1\r"),
            Event::Data(C2S, b"\n\r\n"),
        ];
        let messages = decode_events(None, &events);
        assert_eq!(summaries(&messages), [(1, 2, "GET / HTTP/1.1"), (2, 3, "GET /b HTTP/1.1")]);
        assert_eq!(messages[1].offset, 18);
    }

    #[test]
    fn h2c_upgrade_hands_both_directions_to_http2() {
        let settings = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100];
        let response =
            [&b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"[..], &settings]
                .concat();
        let client = [H2_PREFACE, &[0, 0, 0, 4, 1, 0, 0, 0, 0]].concat();
        let events = [
            Event::Data(
                C2S,
                b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n",
            ),
            Event::Data(S2C, &response),
            Event::Data(C2S, &client),
        ];
        let messages = decode_events(None, &events);
        let texts: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            texts,
            [
                "HEAD / HTTP/1.1",
                "HTTP/1.1 101 Switching Protocols",
                "SETTINGS[0]: MAX_CONCURRENT_STREAMS=100",
                "Magic",
                "SETTINGS[0] [ACK]"
            ]
        );
        assert!(matches!(&messages[0].kind, MessageKind::HttpRequest { upgrade: Some(u), .. } if u == "h2c"));
    }

    #[test]
    fn http_resynchronises_after_a_gap_and_binary_protocols_fall_back_to_data() {
        let events = [
            Event::Data(C2S, b"GET /a HTTP/1.1\r\nHo"),
            Event::Gap(C2S, 100),
            Event::Data(C2S, b"st: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        ];
        let messages = decode_events(Some(Protocol::Http), &events);
        let texts: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            texts,
            [
                "[Malformed HTTP: 19 bytes of a unit, then 100 bytes missing from the capture]",
                "9 bytes \"st: x....\" (after missing bytes)",
                "GET /b HTTP/1.1"
            ]
        );
        let ws = [Event::Data(S2C, &[0x81, 0x05, b'h']), Event::Gap(S2C, 4), Event::Data(S2C, &[0x81, 0x01, b'x'])];
        let messages = decode_events(Some(Protocol::WebSocket), &ws);
        assert!(matches!(messages[0].kind, MessageKind::Malformed { .. }));
        assert_eq!(messages[1].summary, "3 bytes \"..x\"");
        assert_eq!(messages[1].offset, 7);
    }

    #[test]
    fn a_stream_that_ends_mid_message_says_so() {
        let events = [
            Event::Data(S2C, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            Event::End(S2C),
            Event::Data(C2S, b"GET / HT"),
            Event::End(C2S),
        ];
        let messages = decode_events(Some(Protocol::Http), &events);
        assert_eq!(
            summaries(&messages),
            [
                (1, 2, "HTTP/1.1 200 OK (incomplete)"),
                (3, 4, "[Malformed HTTP: stream ended inside an HTTP request (8 bytes)]")
            ]
        );
        assert!(messages[0].detail.contains(&"7 bytes never arrived".to_string()));
    }

    #[test]
    fn a_gap_inside_a_skipped_body_only_adds_a_note() {
        let events = [
            Event::Data(S2C, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            Event::Gap(S2C, 4),
            Event::Data(S2C, b"defHTTP/1.1 304 Not Modified\r\n\r\n"),
        ];
        let messages = decode_events(Some(Protocol::Http), &events);
        assert_eq!(summaries(&messages), [(1, 3, "HTTP/1.1 200 OK"), (3, 3, "HTTP/1.1 304 Not Modified")]);
        assert!(messages[0].detail.contains(&"4 bytes missing from the capture".to_string()));
    }

    #[test]
    fn a_unit_larger_than_the_buffer_is_malformed_then_data() {
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.extend(vec![b'a'; MAX_BUFFER]);
        let messages = decode_events(Some(Protocol::Http), &[Event::Data(C2S, &head)]);
        assert!(matches!(&messages[0].kind, MessageKind::Malformed { reason } if reason.contains("longer than")));
        assert_eq!(
            messages
                .iter()
                .filter(|m| m.protocol == Protocol::Data)
                .map(|m| m.summary.split(' ').next().unwrap_or("").parse::<usize>().unwrap_or(0))
                .sum::<usize>(),
            head.len()
        );
    }

    #[test]
    fn recognises_protocols_by_their_first_bytes() {
        use Recognition::*;
        assert_eq!(recognise(b"GET / HTTP/1.1\r\n"), Known(Protocol::Http));
        assert_eq!(recognise(b"GE"), Undecided);
        assert_eq!(recognise(b"HTTP/1.1 200 OK"), Known(Protocol::Http));
        assert_eq!(recognise(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Known(Protocol::Http2));
        assert_eq!(recognise(b"PRI * HTTP/2"), Undecided);
        assert_eq!(recognise(&[0x16, 0x03, 0x01, 0x02, 0x00]), Known(Protocol::Tls));
        assert_eq!(recognise(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]), Known(Protocol::Postgres));
        assert_eq!(recognise(&[0, 0, 0, 0x4f, 0, 3, 0, 0]), Known(Protocol::Postgres));
        assert_eq!(recognise(&[0, 0, 0]), Undecided);
        assert_eq!(recognise(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3]), Known(Protocol::Http2));
        assert_eq!(recognise(&[0, 0, 6, 4, 0, 0]), Undecided);
        assert_eq!(recognise(b"SSH-2.0-OpenSSH_9.6\r\n"), Known(Protocol::Data));
        assert_eq!(recognise(b"hello"), Known(Protocol::Data));
    }
}
