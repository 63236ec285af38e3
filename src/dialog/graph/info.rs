//! The Info line each mark's tooltip shows, as Wireshark's packet list writes it.
//!
//! One small function, so the one per-segment view the packet list, the table and the ladder share can take
//! its place: until then it is the packet list's own `inspect::info_column`, never a text of our own.

use crate::analyze::CaptureAnalysis;
use crate::tcp::Connection;
use std::collections::BTreeMap;

/// Info lines of `frames` (segments of `conn`), by frame.
pub fn lines(analysis: &CaptureAnalysis, conn: &Connection, frames: &[u64]) -> BTreeMap<u64, String> {
    if frames.is_empty() {
        return BTreeMap::new();
    }
    let reassembly = analysis.reassembly();
    let wanted: std::collections::BTreeSet<u64> = frames.iter().copied().collect();
    conn.segments
        .iter()
        .filter(|s| wanted.contains(&s.frame))
        .map(|s| (s.frame, crate::inspect::info_column(analysis, &reassembly, conn, s)))
        .collect()
}
