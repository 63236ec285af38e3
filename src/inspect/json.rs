//! `inspect --format json`: the stable, documented schema of `docs/inspect-json.md`.
//!
//! The document borrows from the analysis and packets are serialized as they are written, so the JSON of a
//! large capture is never built whole in memory.

use super::columns;
use crate::analyze::{CaptureAnalysis, SegmentViews};
use crate::capture::CaptureSummary;
use crate::proto::{Message, MessageKind};
use crate::tcp::{AnalysisFlag, Close, Connection, Segment, duplicate_ack};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct InspectJson<'a> {
    pub capture: CaptureJson,
    pub streams: Vec<StreamJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct CaptureJson {
    pub format: &'static str,
    pub link_types: Vec<String>,
    pub packets: u64,
    pub tcp_packets: u64,
    pub skipped: u64,
    pub ip_fragments: u64,
    pub warnings: Vec<WarningJson>,
}

#[derive(Debug, Serialize)]
pub struct WarningJson {
    pub frame: u64,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct StreamJson<'a> {
    pub index: usize,
    pub client: String,
    pub server: String,
    pub syn_seen: bool,
    pub first_close: Option<CloseJson>,
    pub half_closed: bool,
    /// Seconds from the SYN to the ACK that completes the handshake.
    pub handshake_rtt: Option<f64>,
    pub duration: f64,
    pub bytes: BytesJson,
    pub packets: PacketsJson<'a>,
    pub messages: Vec<MessageJson<'a>>,
    /// What no message says: why the connection's TLS is not decrypted.
    pub notes: Vec<NoteJson<'a>>,
}

/// A stream's segments, each written as a [`PacketJson`] when serialized.
/// A connection's segments, each with what it shows ([`SegmentViews`] of the connection's messages).
#[derive(Debug)]
pub struct PacketsJson<'a> {
    pub connection: &'a Connection,
    pub views: SegmentViews<'a>,
}

impl Serialize for PacketsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.connection.segments.iter().map(|seg| {
            let (protocol, info) = columns(&self.views, self.connection, seg);
            PacketJson::new(seg, protocol, info)
        }))
    }
}

/// Who closed first and how: the same object in `inspect`'s and `conversations`' JSON.
#[derive(Debug, Serialize)]
pub struct CloseJson {
    pub by: &'static str,
    pub kind: &'static str,
    pub frame: u64,
}

impl From<Close> for CloseJson {
    fn from(close: Close) -> Self {
        CloseJson { by: close.by.name(), kind: close.kind.name(), frame: close.frame }
    }
}

#[derive(Debug, Serialize)]
pub struct BytesJson {
    pub c2s: u64,
    pub s2c: u64,
}

#[derive(Debug, Serialize)]
pub struct PacketJson {
    pub frame: u64,
    pub time: f64,
    pub dir: &'static str,
    pub flags: Vec<&'static str>,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub win: u32,
    pub analysis: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_ack_num: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_ack_frame: Option<u64>,
    /// Wireshark's Protocol and Info columns.
    pub protocol: &'static str,
    pub info: String,
}

impl PacketJson {
    /// One segment with its Protocol and Info columns ([`columns`]).
    fn new(seg: &Segment, protocol: &'static str, info: String) -> Self {
        PacketJson {
            frame: seg.frame,
            time: seconds(seg.time),
            dir: seg.dir.short(),
            flags: seg.flags.names(),
            seq: seg.seq,
            ack: seg.ack,
            len: seg.len,
            win: seg.window,
            analysis: analysis_names(&seg.analysis),
            duplicate_ack_num: duplicate_ack(&seg.analysis).map(|(number, _)| number),
            duplicate_ack_frame: duplicate_ack(&seg.analysis).map(|(_, of_frame)| of_frame),
            protocol,
            info,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MessageJson<'a> {
    pub protocol: &'static str,
    pub dir: &'static str,
    pub frame: u64,
    pub end_frame: u64,
    pub summary: &'a str,
    /// Read from TLS records decrypted with the key log.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decrypted: bool,
    /// The stream ended before its last byte: no segment completes it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// Not one message: how many more the segment completed, counted instead of kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct NoteJson<'a> {
    pub frame: u64,
    pub text: &'a str,
}

/// The analysis flags' names, as Wireshark's fields match them: a fast or spurious retransmission is also a
/// `retransmission` (`tcp.analysis.retransmission` matches it), named first.
fn analysis_names(analysis: &[AnalysisFlag]) -> Vec<&'static str> {
    let resent =
        analysis.iter().any(|f| matches!(f, AnalysisFlag::FastRetransmission | AnalysisFlag::SpuriousRetransmission));
    let plain = analysis.contains(&AnalysisFlag::Retransmission);
    let implied = (resent && !plain).then_some(AnalysisFlag::Retransmission.name());
    implied.into_iter().chain(analysis.iter().map(|a| a.name())).collect()
}

fn seconds(d: std::time::Duration) -> f64 {
    d.as_secs_f64()
}

/// What the document says of the capture.
pub fn capture_json(s: &CaptureSummary) -> CaptureJson {
    CaptureJson {
        format: s.format.map_or("unknown", |f| f.name()),
        link_types: s.link_types.clone(),
        packets: s.packets,
        tcp_packets: s.tcp_packets,
        skipped: s.skipped,
        ip_fragments: s.ip_fragments,
        warnings: s.warnings.iter().map(|w| WarningJson { frame: w.frame, message: w.message.clone() }).collect(),
    }
}

/// One stream: its facts, its segments, and its messages and notes (in order).
pub fn stream_json<'a>(
    c: &'a Connection,
    messages: impl IntoIterator<Item = &'a Message>,
    notes: impl IntoIterator<Item = &'a Message>,
) -> StreamJson<'a> {
    let messages: Vec<&Message> = messages.into_iter().collect();
    StreamJson {
        index: c.index,
        client: c.client.to_string(),
        server: c.server.to_string(),
        syn_seen: c.syn_seen,
        first_close: c.first_close.map(CloseJson::from),
        half_closed: c.half_closed,
        handshake_rtt: c.handshake_rtt.map(seconds),
        duration: seconds(c.duration()),
        bytes: BytesJson { c2s: c.bytes[0], s2c: c.bytes[1] },
        packets: PacketsJson { connection: c, views: SegmentViews::new(messages.iter().copied()) },
        messages: messages
            .iter()
            .map(|m| MessageJson {
                protocol: m.protocol.name(),
                dir: m.dir.short(),
                frame: m.frame,
                end_frame: m.end_frame,
                summary: &m.summary,
                decrypted: m.decrypted,
                incomplete: m.incomplete,
                more: match m.kind {
                    MessageKind::More { count } => Some(count),
                    _ => None,
                },
            })
            .collect(),
        notes: notes.into_iter().map(|n| NoteJson { frame: n.frame, text: &n.summary }).collect(),
    }
}

/// Builds the JSON document for all streams, or only `stream`.
pub fn to_json(analysis: &CaptureAnalysis, stream: Option<usize>) -> InspectJson<'_> {
    // One pass over the messages, not one per stream.
    let mut messages: BTreeMap<usize, Vec<&Message>> = BTreeMap::new();
    for m in analysis.messages.iter().filter(|m| stream.is_none_or(|i| m.conn == i)) {
        messages.entry(m.conn).or_default().push(m);
    }
    let streams = analysis
        .connections
        .iter()
        .filter(|c| stream.is_none_or(|i| c.index == i))
        .map(|c| stream_json(c, messages.get(&c.index).into_iter().flatten().copied(), analysis.notes_of(c.index)))
        .collect();
    InspectJson { capture: capture_json(&analysis.summary), streams }
}
