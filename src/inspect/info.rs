//! Wireshark's Protocol and Info columns for one TCP segment.

use crate::analyze::CaptureAnalysis;
use crate::proto::Protocol;
use crate::tcp::{AnalysisFlag, Connection, Segment};
use std::fmt::Write as _;

/// The Protocol column: the application protocol of a message this segment completes, else `TCP`.
pub fn protocol_column(analysis: &CaptureAnalysis, conn: &Connection, seg: &Segment) -> &'static str {
    analysis
        .messages_ending_at(seg.frame)
        .iter()
        .find(|m| m.conn == conn.index && m.protocol != Protocol::Data)
        .map_or("TCP", |m| m.protocol.column_name())
}

/// The Info column: messages this segment completes, else Wireshark's TCP summary
/// (`43640 → 80 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 ...`), prefixed by analysis labels as Wireshark does.
pub fn info_column(analysis: &CaptureAnalysis, conn: &Connection, seg: &Segment) -> String {
    let messages: Vec<&str> = analysis
        .messages_ending_at(seg.frame)
        .iter()
        .filter(|m| m.conn == conn.index && m.protocol != Protocol::Data)
        .map(|m| m.summary.as_str())
        .collect();
    if !messages.is_empty() {
        return messages.join(", ");
    }
    let (src, dst) = conn.ends(seg.dir);
    let mut info = String::new();
    for flag in &seg.analysis {
        let label = match flag {
            AnalysisFlag::DuplicateAck(n) => format!("TCP Dup ACK #{n}"),
            other => other.label(),
        };
        let _ = write!(info, "[{label}] ");
    }
    let _ = write!(info, "{} → {} {} Seq={}", src.port(), dst.port(), seg.flags.bracketed(), seg.seq);
    if seg.flags.ack() {
        let _ = write!(info, " Ack={}", seg.ack);
    }
    let _ = write!(info, " Win={} Len={}", seg.window, seg.len);
    let o = &seg.options;
    if let Some(mss) = o.mss {
        let _ = write!(info, " MSS={mss}");
    }
    if o.sack_permitted {
        info.push_str(" SACK_PERM");
    }
    for (left, right) in &o.sack_blocks {
        let _ = write!(info, " SLE={left} SRE={right}");
    }
    if let Some((val, ecr)) = o.timestamps {
        let _ = write!(info, " TSval={val} TSecr={ecr}");
    }
    if let Some(ws) = o.window_scale {
        let _ = write!(info, " WS={}", 1u32 << ws.min(14));
    }
    info
}
