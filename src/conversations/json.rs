//! `conversations --format json`: the stable schema of `docs/conversations-json.md`.

use super::{Conversation, Conversations, diagram_command};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ConversationsJson<'a> {
    pub capture: String,
    /// Streams in the capture; `conversations` may list fewer (`--top`).
    pub streams: usize,
    pub conversations: Vec<ConversationJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ConversationJson<'a> {
    pub stream: usize,
    pub client: String,
    pub server: String,
    pub packets: EachWay,
    /// Frame bytes, as `tshark -z conv,tcp` counts them.
    pub bytes: EachWay,
    /// TCP payload bytes (`tcp.len` summed, resends included).
    pub payload: EachWay,
    pub start: f64,
    pub duration: f64,
    pub protocols: Vec<&'static str>,
    pub request: Option<&'a str>,
    pub response: Option<&'a str>,
    pub first_close: Option<CloseJson>,
    pub handshake_rtt: Option<f64>,
    pub problems: ProblemsJson,
    pub diagram: String,
}

#[derive(Debug, Serialize)]
pub struct EachWay {
    pub c2s: u64,
    pub s2c: u64,
}

impl From<[u64; 2]> for EachWay {
    fn from([c2s, s2c]: [u64; 2]) -> Self {
        EachWay { c2s, s2c }
    }
}

#[derive(Debug, Serialize)]
pub struct CloseJson {
    pub by: &'static str,
    pub kind: &'static str,
    pub frame: u64,
}

#[derive(Debug, Serialize)]
pub struct ProblemsJson {
    pub retransmissions: u64,
    pub lost_segments: u64,
    pub duplicate_acks: u64,
    pub zero_windows: u64,
}

/// The JSON document of a list of conversations.
pub fn to_json(conversations: &Conversations) -> ConversationsJson<'_> {
    ConversationsJson {
        capture: conversations.capture.display().to_string(),
        streams: conversations.total,
        conversations: conversations.rows.iter().map(|c| row(c, conversations)).collect(),
    }
}

fn row<'a>(c: &'a Conversation, all: &Conversations) -> ConversationJson<'a> {
    let conn = &c.connection;
    let problems = conn.problems;
    ConversationJson {
        stream: conn.index,
        client: conn.client.to_string(),
        server: conn.server.to_string(),
        packets: conn.packets.into(),
        bytes: conn.frame_bytes.into(),
        payload: conn.bytes.into(),
        start: conn.start().as_secs_f64(),
        duration: conn.duration().as_secs_f64(),
        protocols: c.summary.protocols.iter().map(|p| p.name()).collect(),
        request: c.summary.request.as_deref(),
        response: c.summary.response.as_deref(),
        first_close: conn.first_close.map(|close| CloseJson {
            by: close.by.name(),
            kind: close.kind.name(),
            frame: close.frame,
        }),
        handshake_rtt: conn.handshake_rtt.map(|rtt| rtt.as_secs_f64()),
        problems: ProblemsJson {
            retransmissions: problems.retransmissions,
            lost_segments: problems.lost_segments,
            duplicate_acks: problems.duplicate_acks,
            zero_windows: problems.zero_windows,
        },
        diagram: diagram_command(&all.capture, conn.index),
    }
}
