//! The decoder contract: what every protocol decoder is given and what it answers.
//!
//! A decoder sees one direction of one connection. Given the undecoded bytes at the start of a unit (a header
//! block, a frame, a record) it answers *need more*, *used n bytes (and skip m more)*, *switch protocol* or
//! *fail* ([`StreamDecoder::step`]); [`Cx`] says where those bytes sit in the stream and takes its messages.
//! State the two directions share (which request a response answers, the TLS version the server chose)
//! belongs to the protocol: its module makes both directions' decoders together and they hold it between
//! them. The buffer itself is the driver's (`driver.rs`).

use super::redact::Redactor;
use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;

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
    /// It still knows where it is (a body that runs until the close only gets shorter).
    Continue,
    /// It lost track: the direction goes quiet, its bytes and gaps are counted into one note, until
    /// [`StreamDecoder::find_start`] finds a clean unit start (never, by default).
    Lost,
}

/// How bytes went missing: cut from a segment by the capture's snaplen, or whole segments never captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    pub len: u64,
    /// The bytes are the tail of a segment whose start was captured (`tcpdump -s N`).
    pub snaplen: bool,
}

impl Missing {
    /// Marker appended to the summary of a unit the gap cuts, as Wireshark's "[Packet size limited during capture]".
    pub fn marker(&self) -> String {
        if self.snaplen {
            "[cut by snaplen]".to_string()
        } else {
            format!("[cut: {} bytes missing from the capture]", self.len)
        }
    }

    /// Detail line for a message the gap falls in.
    pub fn detail(&self) -> String {
        if self.snaplen {
            format!("{} bytes not captured (snaplen)", self.len)
        } else {
            format!("{} bytes missing from the capture", self.len)
        }
    }
}

/// What a decoder made of a unit cut by missing bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Nothing could be decoded: the bytes are counted into the note of the quiet direction.
    Unknown,
    /// A message was pushed, but where the unit ends is unknown.
    Lost,
    /// A message was pushed; the unit ends this many stream bytes after the buffer (they are skipped).
    Rest(u64),
}

/// One direction's decoder.
pub trait StreamDecoder {
    fn protocol(&self) -> Protocol;
    /// Decodes from the start of `buf`, which holds every undecoded byte (at most [`super::MAX_BUFFER`]).
    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step;
    /// The unit at the start of `buf` is cut by `missing` bytes: pushes what is known of it, marked with
    /// [`Missing::marker`], and says whether its end is known.
    fn cut(&mut self, _buf: &[u8], _missing: Missing, _cx: &mut Cx) -> Cut {
        Cut::Unknown
    }
    /// `len` bytes are missing right after what was decoded (any partial unit was dropped).
    fn gap(&mut self, _len: u64, _cx: &mut Cx) -> AfterGap {
        AfterGap::Lost
    }
    /// After [`AfterGap::Lost`]: where in `buf` a unit clearly starts, if anywhere; on `Some` the decoder expects
    /// a unit there. `after_gap`: `buf` starts right after missing bytes (a segment start).
    fn find_start(&mut self, _buf: &[u8], _after_gap: bool) -> Option<usize> {
        None
    }
    /// The direction ended; `buf` holds the bytes of an unfinished unit (maybe none).
    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        if !buf.is_empty() {
            let reason = format!("stream ended inside a {} unit ({} bytes)", self.protocol().column_name(), buf.len());
            cx.push(0, self.protocol(), format!("[Malformed: {reason}]"), MessageKind::Malformed { reason });
        }
    }
}

/// Where the bytes handed to a decoder sit, and where its messages go.
pub struct Cx<'a> {
    pub conn: usize,
    pub dir: Direction,
    /// Stream offset of the first byte of the buffer.
    pub offset: u64,
    /// Frame of the segment being delivered (completes the messages of this step unless bytes are skipped).
    pub now: u64,
    /// Frames that brought the buffer's bytes: (offset in stream, frame), ascending.
    pub(super) frames: &'a [(u64, u64)],
    /// The server's port, a hint for recognition.
    pub server_port: u16,
    /// Whether messages need their detail lines (headers, fields): a view that keeps no message, only each
    /// connection's summary, does without what costs most to make.
    pub details: bool,
    pub redact: &'a Redactor,
    pub(super) out: &'a mut Vec<Message>,
}

impl Cx<'_> {
    /// Frame that brought the buffer's byte at `rel`.
    pub fn frame_at(&self, rel: usize) -> u64 {
        let offset = self.offset + rel as u64;
        let later = self.frames.partition_point(|&(start, _)| start <= offset);
        later.checked_sub(1).and_then(|i| self.frames.get(i)).map_or(self.now, |&(_, frame)| frame)
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
            decrypted: false,
            incomplete: false,
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
