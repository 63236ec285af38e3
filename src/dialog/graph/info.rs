//! The Info line each mark's tooltip shows: the segment view's Info column (`analyze::SegmentView`), the one
//! text the packet list, the packet table and the ladder print, never a text of our own.

use crate::analyze::CaptureAnalysis;
use crate::tcp::Connection;
use std::collections::{BTreeMap, BTreeSet};

/// Info lines of `frames` (segments of `conn`), by frame, with the ports as the packet list shows them.
pub fn lines(analysis: &CaptureAnalysis, conn: &Connection, frames: &[u64]) -> BTreeMap<u64, String> {
    if frames.is_empty() {
        return BTreeMap::new();
    }
    let views = analysis.segment_views();
    let wanted: BTreeSet<u64> = frames.iter().copied().collect();
    conn.segments
        .iter()
        .filter(|s| wanted.contains(&s.frame))
        .map(|s| {
            let (src, dst) = conn.ends(s.dir);
            let info = views.view(conn.index, s).columns.info(&s.analysis, &s.summary(Some((src.port(), dst.port()))));
            (s.frame, info)
        })
        .collect()
}
