//! Wireshark's Protocol and Info columns for one TCP segment, as `inspect` prints them (with the ports).

use crate::analyze::SegmentViews;
use crate::tcp::{Connection, Segment};

/// The Protocol column (`HTTP`, `TLS`, or `TCP`) and the Info column
/// (`43640 → 80 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 ...`, or the messages the segment completes) of `seg`.
/// `views` is [`crate::analyze::CaptureAnalysis::segment_views`] (or one connection's), made once for all rows.
pub fn columns(views: &SegmentViews, conn: &Connection, seg: &Segment) -> (&'static str, String) {
    let columns = views.view(conn.index, seg).columns;
    let (src, dst) = conn.ends(seg.dir);
    let info = columns.info(&seg.analysis, &seg.summary(Some((src.port(), dst.port()))));
    (columns.protocol_column(), info)
}
