//! Wireshark's Protocol and Info columns for one TCP segment.

use crate::analyze::{CaptureAnalysis, Reassembly};
use crate::tcp::{self, Connection, Segment};

/// The Protocol column: the application protocol of a message this segment completes, else `TCP`.
pub fn protocol_column(analysis: &CaptureAnalysis, conn: &Connection, seg: &Segment) -> &'static str {
    analysis.messages_completed_at(conn.index, seg.frame).next().map_or("TCP", |m| m.protocol.column_name())
}

/// The Info column: Wireshark's analysis tags, then the messages this segment completes, else the TCP summary
/// (`43640 → 80 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 ...`), marked when the segment is part of a message
/// completed later. `reassembly` is [`CaptureAnalysis::reassembly`], made once for all rows.
pub fn info_column(analysis: &CaptureAnalysis, reassembly: &Reassembly, conn: &Connection, seg: &Segment) -> String {
    let messages: Vec<&str> =
        analysis.messages_completed_at(conn.index, seg.frame).map(|m| m.summary.as_str()).collect();
    let application = (!messages.is_empty()).then(|| messages.join(", "));
    let (src, dst) = conn.ends(seg.dir);
    let summary = seg.summary(Some((src.port(), dst.port())));
    let continuation = if application.is_none() { reassembly.continuation(conn.index, seg) } else { None };
    tcp::info_column(&seg.analysis, application.as_deref(), continuation.as_ref(), &summary)
}
