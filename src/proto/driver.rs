//! The buffer driver: the protocol stage's [`StreamSink`], which routes each direction's bytes to its decoder.
//!
//! Every decoder follows one contract (`contract.rs`). Each [`Direction`]'s driver here owns the only buffer,
//! which is bounded by [`MAX_BUFFER`]: bodies and payloads a decoder does not need are skipped, never kept, so a
//! 1 GB download costs no memory. A message is completed (its `end_frame` set) by the segment that brings its
//! last byte. [`ConnDecoder`] drives both directions of one connection; a layer that carries another protocol
//! (TLS with keys) runs one of its own over the bytes it uncovers.
//!
//! Missing bytes (a snaplen cut, a segment never captured): a unit they cut is shown as far as it is known, with a
//! `[cut ...]` marker ([`StreamDecoder::cut`]). A decoder that then cannot tell where the next unit starts makes its
//! direction *lost*: bytes and gaps are counted into one note instead of one message per segment, until it finds
//! a clean unit start ([`StreamDecoder::find_start`]) or the stream ends.

use super::buffer::Queue;
use super::contract::{AfterGap, Cut, Cx, Missing, Step, StreamDecoder};
use super::data::DataDecoder;
use super::redact::Redactor;
use super::registry::decoders;
use super::summary::ConnectionSummary;
use super::tls::SharedKeyLog;
use super::tls_crypto::KeyLog;
use super::{MAX_SEGMENT_MESSAGES, Message, MessageKind, Protocol, more_summary, thousands};
use crate::tcp::{ConnectionInfo, Direction, StreamSink};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

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
    /// TLS secrets (an NSS key log) to decrypt with; a capture's own Decryption Secrets Blocks add to them.
    pub keylog: Option<Arc<KeyLog>>,
    /// Give messages their detail lines (headers, fields), which only diagrams show; `inspect` and
    /// `conversations` do without them, and making them costs more than the rest of an HTTP message.
    pub details: bool,
}

impl Default for DecoderOptions {
    fn default() -> Self {
        DecoderOptions { force: None, redact: true, redact_headers: Vec::new(), keylog: None, details: true }
    }
}

/// The context for a decoder of direction `$dir` of connection `$conn`, borrowing the stream's fields apart.
macro_rules! cx {
    ($conn:expr, $dir:expr, $now:expr, $stream:expr, $server_port:expr, $details:expr, $redact:expr, $out:expr) => {
        Cx {
            conn: $conn,
            details: $details,
            dir: $dir,
            offset: $stream.offset,
            now: $now,
            frames: $stream.frames.as_slice(),
            server_port: $server_port,
            redact: $redact,
            out: $out,
        }
    };
}

/// One direction: its decoder and the bounded buffer of bytes it has not decoded yet.
struct DirStream {
    decoder: Box<dyn StreamDecoder>,
    buf: Queue<u8>,
    /// Stream offset of `buf[0]` (or of the next byte when `buf` is empty).
    offset: u64,
    /// (stream offset, frame) where each segment's bytes in `buf` start.
    frames: Queue<(u64, u64)>,
    /// Bytes still to skip for the unit decoded last.
    skip: u64,
    /// Messages waiting for the skipped bytes.
    waiting: Vec<Message>,
    ended: bool,
    /// (frame, stream offset just past it) of the last data delivered: a gap right there is a snaplen cut.
    last_data: Option<(u64, u64)>,
    /// The decoder lost track after a gap: what went by since, shown as one note.
    lost: Option<LostRun>,
    /// `buf` starts right after missing bytes.
    after_gap: bool,
}

/// Bytes that could not be decoded after a gap, counted instead of shown segment by segment.
#[derive(Debug)]
struct LostRun {
    protocol: Protocol,
    /// Frame and stream offset of the first byte counted.
    frame: Option<u64>,
    offset: u64,
    last_frame: u64,
    segments: u64,
    captured: u64,
    missing: u64,
    /// Every missing byte counted is the tail of a segment a snaplen cut (`tcpdump -s N`), none a capture gap.
    snaplen_only: bool,
    /// The run follows a message head the snaplen cut: it is that message's body (and whatever follows).
    after_cut_head: bool,
}

/// Bytes of a lost direction's buffer kept while looking for a unit start (a start line cut by a segment
/// boundary).
const LOST_TAIL: usize = 16;

impl LostRun {
    fn new(protocol: Protocol, offset: u64) -> Self {
        LostRun {
            protocol,
            frame: None,
            offset,
            last_frame: 0,
            segments: 0,
            captured: 0,
            missing: 0,
            snaplen_only: true,
            after_cut_head: false,
        }
    }

    fn add(&mut self, frame: u64, captured: u64, missing: u64) {
        self.add_missing(frame, captured, Missing { len: missing, snaplen: true });
    }

    fn add_missing(&mut self, frame: u64, captured: u64, missing: Missing) {
        if captured == 0 && missing.len == 0 {
            return;
        }
        if missing.len > 0 {
            self.snaplen_only &= missing.snaplen;
        }
        let missing = missing.len;
        if self.frame.is_none() || self.last_frame != frame {
            self.segments += 1;
        }
        self.frame.get_or_insert(frame);
        self.last_frame = frame;
        self.captured += captured;
        self.missing += missing;
    }

    /// The note, completed by the last frame counted; none when nothing was counted.
    fn into_message(self, conn: usize, dir: Direction, to_the_end: bool) -> Option<Message> {
        let frame = self.frame?;
        let total = self.captured + self.missing;
        let segments = if self.segments == 1 { "1 segment".to_string() } else { format!("{} segments", self.segments) };
        // Bytes a snaplen left out are not undecodable: they were never captured.
        let not_captured = format!("{} of {} bytes not captured", thousands(self.missing), thousands(total));
        let mut reason = if self.snaplen_only && self.missing > 0 && self.after_cut_head {
            format!("body: {not_captured}")
        } else if self.snaplen_only && self.missing > 0 {
            format!("{not_captured} ({segments})")
        } else if to_the_end {
            format!("rest of the stream not decodable: {total} bytes in {segments}")
        } else {
            format!("{total} bytes in {segments} not decodable")
        };
        if self.missing > 0 && !self.snaplen_only {
            reason.push_str(&format!(", {} of them not captured", self.missing));
        }
        let body = self.snaplen_only && self.missing > 0 && self.after_cut_head;
        let kind = if body {
            MessageKind::NotCaptured { missing: self.missing, total }
        } else {
            MessageKind::Malformed { reason: reason.clone() }
        };
        Some(Message {
            conn,
            dir,
            protocol: self.protocol,
            frame,
            end_frame: self.last_frame,
            offset: self.offset,
            summary: format!("[{reason}]"),
            kind,
            detail: Vec::new(),
            decrypted: false,
            incomplete: false,
        })
    }
}

impl DirStream {
    fn new(decoder: Box<dyn StreamDecoder>) -> Self {
        DirStream {
            decoder,
            buf: Queue::default(),
            offset: 0,
            frames: Queue::default(),
            skip: 0,
            waiting: Vec::new(),
            ended: false,
            last_data: None,
            lost: None,
            after_gap: false,
        }
    }
}

/// Both directions of one connection, each with its decoder and buffer.
pub(super) struct ConnDecoder {
    index: usize,
    server_port: u16,
    /// Whether messages get their detail lines ([`Cx::details`]).
    details: bool,
    dirs: [DirStream; 2],
    keys: SharedKeyLog,
}

/// What a decoding run asks the connection to do next.
enum Outcome {
    Idle,
    Switch(Option<Protocol>),
}

/// Decodes every connection of a capture; each connection's result is taken with [`ProtocolDecoder::take`]
/// once it is over, the rest with [`ProtocolDecoder::finish`].
#[derive(Default)]
pub struct ProtocolDecoder {
    options: DecoderOptions,
    redactor: Redactor,
    keys: SharedKeyLog,
    conns: BTreeMap<usize, Slot>,
    /// Keep every message (`false`: only each connection's [`ConnectionSummary`]).
    keep_messages: bool,
    /// Messages of the step being run, before they go to their connection.
    scratch: Vec<Message>,
    live_decoders: usize,
    peak_decoders: usize,
}

/// One connection: its decoders once bytes have come, and what they have said.
struct Slot {
    server_port: u16,
    decoder: Decoding,
    /// Directions that have ended, indexed by [`Direction::index`].
    ended: [bool; 2],
    messages: Vec<Message>,
    /// The messages of the last segment that completed any, to keep at most [`MAX_SEGMENT_MESSAGES`] of them.
    run: SegmentRun,
    /// Made with the first message: a connection attempt that carried no bytes costs a few words.
    summary: Option<Box<ConnectionSummary>>,
}

/// The messages one segment completes: how many are kept, and where the one that counts the rest is.
#[derive(Debug, Default)]
struct SegmentRun {
    at: Option<(Direction, u64)>,
    kept: usize,
    more: Option<usize>,
}

/// A connection's decoders: made when its first bytes arrive, dropped when both directions have ended.
enum Decoding {
    NotYet,
    Running(Box<ConnDecoder>),
    Done,
}

/// What the protocol stage made of one connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodedConnection {
    /// Its messages (notes among them), ordered by the frame that completes them, then by stream position;
    /// empty unless messages are kept.
    pub messages: Vec<Message>,
    pub summary: ConnectionSummary,
}

impl ProtocolDecoder {
    pub fn new(options: DecoderOptions) -> Self {
        let redactor = Redactor::new(options.redact, &options.redact_headers);
        let keys = options.keylog.as_deref().cloned().unwrap_or_default();
        ProtocolDecoder {
            redactor,
            keys: Rc::new(RefCell::new(keys)),
            options,
            keep_messages: true,
            ..Default::default()
        }
    }

    /// Keep each connection's summary only, not its messages: what a view of every connection of a huge
    /// capture needs.
    pub fn summarising(mut self) -> Self {
        self.keep_messages = false;
        self
    }

    /// More TLS secrets, as a capture's Decryption Secrets Block brings them: connections whose keys are
    /// looked up from now on find them (later entries win).
    pub fn add_key_log(&mut self, keys: KeyLog) {
        self.keys.borrow_mut().extend(keys);
    }

    /// Hands over what connection `conn` said and frees its state; call it once the TCP stage has ended both
    /// its directions. Empty for a connection the decoders were not told about.
    pub fn take(&mut self, conn: usize) -> DecodedConnection {
        let Some(mut slot) = self.conns.remove(&conn) else {
            return DecodedConnection::default();
        };
        if matches!(slot.decoder, Decoding::Running(_)) {
            self.live_decoders -= 1;
        }
        let summary = slot.summary.take().map(|s| *s).unwrap_or_default();
        let mut messages = slot.into_messages();
        messages.sort_by_key(|m| (m.end_frame, m.dir, m.offset));
        DecodedConnection { messages, summary }
    }

    /// Connections whose decoders were alive at once, at most so far (a measure of memory).
    pub fn peak_decoders(&self) -> usize {
        self.peak_decoders
    }

    /// All messages not taken yet, ordered by the frame that completes them, then by stream position.
    pub fn finish(mut self) -> Vec<Message> {
        let mut messages: Vec<Message> =
            std::mem::take(&mut self.conns).into_values().flat_map(Slot::into_messages).collect();
        messages.sort_by_key(|m| (m.end_frame, m.conn, m.dir, m.offset));
        messages
    }

    /// Makes the decoders of `conn` if its first bytes are arriving (telling them of a direction that already
    /// ended without bytes); `false` for a connection the decoders were not told about.
    fn start(&mut self, conn: usize, frame: u64) -> bool {
        let Some(slot) = self.conns.get_mut(&conn) else {
            return false;
        };
        if matches!(slot.decoder, Decoding::NotYet) {
            let details = self.keep_messages && self.options.details;
            let mut decoder = ConnDecoder::new(conn, slot.server_port, self.options.force, details, &self.keys);
            for dir in [Direction::ClientToServer, Direction::ServerToClient] {
                if slot.ended[dir.index()] {
                    decoder.end(dir, frame, &self.redactor, &mut self.scratch);
                }
            }
            slot.decoder = Decoding::Running(Box::new(decoder));
            self.live_decoders += 1;
            self.peak_decoders = self.peak_decoders.max(self.live_decoders);
        }
        true
    }
}

impl Slot {
    /// Files the messages of a step under this connection.
    fn record(&mut self, messages: &mut Vec<Message>, keep: bool) {
        for message in messages.drain(..) {
            self.summary.get_or_insert_default().observe(&message);
            if keep {
                self.keep(message);
            }
        }
    }

    /// Keeps a message, or counts it when its segment has completed [`MAX_SEGMENT_MESSAGES`] already (notes
    /// and errors are always kept: each says something of its own).
    fn keep(&mut self, message: Message) {
        let at = (message.dir, message.end_frame);
        if self.run.at != Some(at) {
            self.run = SegmentRun { at: Some(at), ..SegmentRun::default() };
        }
        let counted = !matches!(message.kind, MessageKind::Note { .. } | MessageKind::Malformed { .. });
        if !counted || self.run.kept < MAX_SEGMENT_MESSAGES {
            self.run.kept += usize::from(counted);
            self.messages.push(message);
            return;
        }
        if let Some(MessageKind::More { count }) = self.run.more.map(|i| &mut self.messages[i].kind) {
            *count += 1;
            return;
        }
        self.run.more = Some(self.messages.len());
        self.messages.push(Message {
            kind: MessageKind::More { count: 1 },
            summary: String::new(),
            detail: Vec::new(),
            ..message
        });
    }

    /// Hands the messages over, each count of the rest saying how many it counts.
    fn into_messages(mut self) -> Vec<Message> {
        for message in &mut self.messages {
            if let MessageKind::More { count } = message.kind {
                message.summary = more_summary(count, message.protocol);
            }
        }
        self.messages
    }
}

impl StreamSink for ProtocolDecoder {
    fn connection(&mut self, info: ConnectionInfo) {
        let slot = Slot {
            server_port: info.server.port(),
            decoder: Decoding::NotYet,
            ended: [false, false],
            messages: Vec::new(),
            run: SegmentRun::default(),
            summary: None,
        };
        self.conns.insert(info.index, slot);
    }

    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        if !self.start(conn, frame) {
            return;
        }
        let Some(slot) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Decoding::Running(c) = &mut slot.decoder {
            c.data(dir, frame, offset, data, &self.redactor, &mut self.scratch);
        }
        slot.record(&mut self.scratch, self.keep_messages);
    }

    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        if !self.start(conn, frame) {
            return;
        }
        let Some(slot) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Decoding::Running(c) = &mut slot.decoder {
            c.gap(dir, frame, offset, len, &self.redactor, &mut self.scratch);
        }
        slot.record(&mut self.scratch, self.keep_messages);
    }

    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        let Some(slot) = self.conns.get_mut(&conn) else {
            return;
        };
        slot.ended[dir.index()] = true;
        if let Decoding::Running(c) = &mut slot.decoder {
            c.end(dir, frame, &self.redactor, &mut self.scratch);
        }
        slot.record(&mut self.scratch, self.keep_messages);
        if slot.ended == [true, true] {
            // Both directions are over: the decoders and their buffers go, the messages stay until taken.
            if matches!(slot.decoder, Decoding::Running(_)) {
                self.live_decoders -= 1;
            }
            slot.decoder = Decoding::Done;
        }
    }
}

impl ConnDecoder {
    /// A connection whose directions speak `protocol` (`None`: recognise it from the first bytes).
    pub(super) fn new(
        index: usize,
        server_port: u16,
        protocol: Option<Protocol>,
        details: bool,
        keys: &SharedKeyLog,
    ) -> Self {
        let [c2s, s2c] = decoders(protocol, None, index, keys);
        ConnDecoder {
            index,
            server_port,
            details,
            dirs: [DirStream::new(c2s), DirStream::new(s2c)],
            keys: Rc::clone(keys),
        }
    }

    pub(super) fn data(
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
        stream.last_data = Some((frame, offset + data.len() as u64));
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
            if stream.lost.is_some() {
                self.probe(dir, frame, redact, out);
            } else {
                self.run(dir, frame, redact, out);
            }
            let stream = &mut self.dirs[dir.index()];
            if stream.buf.len() >= MAX_BUFFER {
                // The decoder wants more than we keep: say so and show the rest of the direction as data.
                let reason = format!("no complete unit in {MAX_BUFFER} bytes");
                let protocol = stream.decoder.protocol();
                let mut cx = cx!(self.index, dir, frame, stream, self.server_port, self.details, redact, out);
                cx.malformed(0, protocol, reason);
                stream.decoder = Box::new(DataDecoder);
                self.run(dir, frame, redact, out);
            }
        }
        self.dirs[dir.index()].after_gap = false;
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
                let mut cx = cx!(self.index, dir, frame, stream, self.server_port, self.details, redact, &mut produced);
                stream.decoder.step(buf.as_slice(), &mut cx)
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
        let previous = self.dirs[dir.index()].decoder.protocol();
        for (stream, decoder) in self.dirs.iter_mut().zip(decoders(to, Some(previous), self.index, &self.keys)) {
            stream.decoder = decoder;
        }
        self.run(dir, frame, redact, out);
        self.run(dir.reverse(), frame, redact, out);
    }

    /// A lost direction: counts the buffered bytes, unless the decoder finds a clean unit start in them.
    fn probe(&mut self, dir: Direction, frame: u64, redact: &Redactor, out: &mut Vec<Message>) {
        let stream = &mut self.dirs[dir.index()];
        let after_gap = std::mem::take(&mut stream.after_gap);
        let found = stream.decoder.find_start(stream.buf.as_slice(), after_gap);
        let skip = found.unwrap_or_else(|| stream.buf.len().saturating_sub(LOST_TAIL));
        if let Some(lost) = stream.lost.as_mut() {
            lost.add(frame, skip as u64, 0);
        }
        consume(stream, skip);
        if found.is_some() {
            out.extend(stream.lost.take().and_then(|lost| lost.into_message(self.index, dir, false)));
            self.run(dir, frame, redact, out);
        }
    }

    pub(super) fn gap(
        &mut self,
        dir: Direction,
        frame: u64,
        offset: u64,
        len: u64,
        redact: &Redactor,
        out: &mut Vec<Message>,
    ) {
        let index = self.index;
        let stream = &mut self.dirs[dir.index()];
        if stream.ended {
            return;
        }
        let missing = Missing { len, snaplen: stream.last_data == Some((frame, offset)) };
        stream.after_gap = true;
        if let Some(lost) = stream.lost.as_mut() {
            lost.add_missing(frame, stream.buf.len() as u64, missing);
            stream.buf.clear();
            stream.frames.clear();
            stream.offset = offset.saturating_add(len);
            return;
        }
        // A unit cut by the gap: the decoder shows what it can of it.
        let mut cut = None;
        if !stream.buf.is_empty() {
            let buf = std::mem::take(&mut stream.buf);
            let mut produced = Vec::new();
            let outcome = {
                let mut cx = cx!(index, dir, frame, stream, self.server_port, self.details, redact, &mut produced);
                stream.decoder.cut(buf.as_slice(), missing, &mut cx)
            };
            match outcome {
                Cut::Rest(rest) => {
                    stream.skip = rest;
                    stream.waiting.append(&mut produced);
                }
                Cut::Lost => out.append(&mut produced),
                Cut::Unknown => {
                    let mut lost = LostRun::new(stream.decoder.protocol(), stream.offset);
                    lost.add(stream.frames.first().map_or(frame, |&(_, f)| f), buf.len() as u64, 0);
                    stream.lost = Some(lost);
                }
            }
            cut = Some(outcome);
            stream.frames.clear();
        }
        // Missing bytes inside a skipped body or payload cost nothing but a note.
        let covered = stream.skip.min(len);
        if covered > 0 {
            stream.skip -= covered;
            let note = Missing { len: covered, ..missing }.detail();
            for message in &mut stream.waiting {
                message.detail.push(note.clone());
            }
            if stream.skip == 0 {
                complete_waiting(stream, frame, out);
            }
        }
        let rest = len - covered;
        stream.offset = offset.saturating_add(len);
        if rest == 0 {
            return;
        }
        let after = {
            let mut cx = cx!(index, dir, frame, stream, self.server_port, self.details, redact, out);
            stream.decoder.gap(rest, &mut cx)
        };
        if after == AfterGap::Continue && stream.lost.is_none() {
            return;
        }
        let protocol = stream.decoder.protocol();
        let start = if cut == Some(Cut::Lost) { offset.saturating_add(len) } else { offset + covered };
        let lost = stream.lost.get_or_insert_with(|| LostRun {
            after_cut_head: cut == Some(Cut::Lost) && missing.snaplen,
            ..LostRun::new(protocol, start)
        });
        // Bytes a cut message already accounts for are not counted again.
        if cut != Some(Cut::Lost) {
            lost.add_missing(frame, 0, Missing { len: rest, ..missing });
        }
    }

    pub(super) fn end(&mut self, dir: Direction, frame: u64, redact: &Redactor, out: &mut Vec<Message>) {
        let stream = &mut self.dirs[dir.index()];
        if stream.ended {
            return;
        }
        stream.ended = true;
        if stream.skip > 0 {
            let missing = stream.skip;
            for message in &mut stream.waiting {
                message.mark_incomplete();
                message.detail.push(format!("{missing} bytes never arrived"));
            }
            stream.skip = 0;
            complete_waiting(stream, frame, out);
        }
        let mut buf = std::mem::take(&mut stream.buf);
        if let Some(mut lost) = stream.lost.take() {
            lost.add(stream.frames.last().map_or(frame, |&(_, f)| f), buf.len() as u64, 0);
            buf.clear();
            out.extend(lost.into_message(self.index, dir, true));
        }
        let mut produced = Vec::new();
        {
            let mut cx = cx!(self.index, dir, frame, stream, self.server_port, self.details, redact, &mut produced);
            stream.decoder.end(buf.as_slice(), &mut cx);
        }
        stream.frames.clear();
        out.append(&mut produced);
    }
}

/// Drops `n` decoded bytes from the front of the buffer.
fn consume(stream: &mut DirStream, n: usize) {
    stream.buf.consume(n);
    stream.offset += n as u64;
    if stream.buf.is_empty() {
        stream.frames.clear();
        return;
    }
    // Keep the frame of the first byte left: the last mark at or before it.
    let first = stream.offset;
    let after = stream.frames.as_slice().partition_point(|&(start, _)| start <= first);
    stream.frames.consume(after.saturating_sub(1));
}

fn complete_waiting(stream: &mut DirStream, frame: u64, out: &mut Vec<Message>) {
    for mut message in stream.waiting.drain(..) {
        message.end_frame = frame;
        out.push(message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::http2::H2_PREFACE;
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
    fn views_without_details_get_the_same_messages_without_their_lines() {
        let decode = |details: bool| {
            let mut decoder = ProtocolDecoder::new(DecoderOptions { details, ..Default::default() });
            decoder.connection(super::super::testing::info());
            decoder.data(0, C2S, 1, 0, b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
            decoder.take(0).messages
        };
        let (with, without) = (decode(true), decode(false));
        assert_eq!(with[0].detail, ["Host: x", "Content-Length: 2", "body: 2 bytes"]);
        assert!(without[0].detail.is_empty());
        assert_eq!((&with[0].summary, &with[0].kind), (&without[0].summary, &without[0].kind));
    }

    #[test]
    fn a_segment_keeps_twenty_messages_and_counts_the_rest() {
        let burst = b"GET /x HTTP/1.1\r\n\r\n".repeat(2 * MAX_SEGMENT_MESSAGES + 5);
        let events = [Event::Data(C2S, &burst), Event::Data(C2S, b"GET /y HTTP/1.1\r\n\r\n")];
        let messages = decode_events(None, &events);
        let (first, rest) = messages.split_at(MAX_SEGMENT_MESSAGES);
        assert!(first.iter().all(|m| m.summary == "GET /x HTTP/1.1" && m.end_frame == 1));
        assert_eq!(rest[0].kind, MessageKind::More { count: MAX_SEGMENT_MESSAGES as u64 + 5 });
        assert_eq!(rest[0].summary, "and 25 more HTTP messages");
        // The next segment starts a count of its own.
        assert_eq!(summaries(&rest[1..]), [(2, 2, "GET /y HTTP/1.1")]);
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
    fn http_shows_a_cut_head_and_resynchronises_on_the_next_start_line() {
        let events = [
            Event::Data(C2S, b"GET /a HTTP/1.1\r\nHo"),
            Event::Gap(C2S, 100),
            Event::Data(C2S, b"st: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        ];
        let messages = decode_events(Some(Protocol::Http), &events);
        assert_eq!(
            summaries(&messages),
            [
                (1, 2, "GET /a HTTP/1.1 [cut: 100 bytes missing from the capture]"),
                (3, 3, "[9 bytes in 1 segment not decodable]"),
                (3, 3, "GET /b HTTP/1.1")
            ]
        );
        assert!(matches!(&messages[0].kind, MessageKind::HttpRequest { target, .. } if target == "/a"));
    }

    #[test]
    fn counts_are_grouped_in_threes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1 000");
        assert_eq!(thousands(4_961_277), "4 961 277");
    }

    #[test]
    fn binary_protocols_go_quiet_after_a_gap_with_one_note() {
        let ws = [
            Event::Data(S2C, &[0x81, 0x05, b'h']),
            Event::Gap(S2C, 4),
            Event::Data(S2C, &[0x81, 0x01, b'x']),
            Event::End(S2C),
        ];
        let messages = decode_events(Some(Protocol::WebSocket), &ws);
        assert_eq!(
            summaries(&messages),
            [(1, 3, "[rest of the stream not decodable: 10 bytes in 3 segments, 4 of them not captured]")]
        );
        assert_eq!(messages[0].offset, 0);
    }

    /// A response head cut by a snaplen, then the body: every segment 62 captured bytes and a gap, in the
    /// segment's own frame as the tcp stage reports snaplen cuts.
    #[test]
    fn a_head_cut_by_snaplen_then_a_thousand_cut_segments_make_two_messages() {
        let mut decoder = ProtocolDecoder::new(DecoderOptions { force: Some(Protocol::Http), ..Default::default() });
        let client = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
        let server = std::net::SocketAddr::from(([127, 0, 0, 1], 8000));
        decoder.connection(ConnectionInfo { index: 0, client, server });
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Le";
        decoder.data(0, S2C, 1, 0, head);
        decoder.gap(0, S2C, 1, head.len() as u64, 200);
        let mut offset = head.len() as u64 + 200;
        let body = [0x5a_u8; 62];
        for frame in 2..1002 {
            decoder.data(0, S2C, frame, offset, &body);
            decoder.gap(0, S2C, frame, offset + 62, 1386);
            offset += 62 + 1386;
        }
        decoder.end(0, S2C, 1003);
        let messages = decoder.finish();
        assert_eq!(
            summaries(&messages),
            [
                (1, 1, "HTTP/1.1 200 OK [cut by snaplen]"),
                (2, 1001, "[body: 1 386 000 of 1 448 000 bytes not captured]")
            ]
        );
        assert!(messages[0].detail.contains(&"Content-Type: application/octet-stream".to_string()));
        assert!(matches!(messages[0].kind, MessageKind::HttpResponse { status: 200, body: None, .. }));
    }

    #[test]
    fn a_cut_tls_record_is_shown_and_its_end_skipped() {
        let hello = [22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3];
        let app = [23, 3, 3, 0, 2, 0xaa, 0xbb];
        let events = [Event::Data(C2S, &hello), Event::Gap(C2S, 194), Event::Data(C2S, &app)];
        let messages = decode_events(Some(Protocol::Tls), &events);
        assert_eq!(
            summaries(&messages),
            [(1, 2, "Client Hello [cut: 194 bytes missing from the capture]"), (3, 3, "Application Data (2 bytes)")]
        );
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
}
