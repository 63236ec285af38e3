//! Whole-capture diagrams choose for the user: when a selection matches more connections than a picture can
//! show, the diagram becomes an overview of the most interesting of them (the most troubled first, then the
//! biggest, then the longest) and says how many were left out and which command lists them.
//!
//! Choosing needs every connection's final facts, which the end of the capture brings; keeping every
//! connection's segments until then is what made diagrams of big captures cost gigabytes. So the capture is
//! read once, connection by connection ([`analyze_stream`]), and only the best candidates so far keep their
//! segments and messages: memory holds the open connections and the candidates, not the capture.

use super::Selection;
use crate::analyze::{AnalysedConnection, CaptureAnalysis, analyze_file_retaining, analyze_stream};
use crate::capture::CaptureError;
use crate::proto::{DecoderOptions, MessageKind};
use crate::tcp::Connection;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

/// Connections an overview timeline draws at most.
pub const OVERVIEW_CONNECTIONS: usize = 200;
/// Connections a ladder (or a packet table) shows before a diagram becomes an overview.
pub const LADDER_CONNECTIONS: usize = 50;

/// What a diagram of a selection draws from.
#[derive(Debug)]
pub struct ForDiagram {
    /// The connections kept in detail (those the diagram can draw), in `tcp.stream` order.
    pub analysis: CaptureAnalysis,
    /// The selection to draw: the one asked for, or for an overview the streams chosen.
    pub selection: Selection,
    pub overview: Option<Overview>,
}

/// An overview: `shown` of the `total` connections the selection matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overview {
    pub shown: usize,
    pub total: usize,
}

impl Overview {
    /// What the picture says about the connections it leaves out, and how to see them.
    pub fn note(&self, capture: &str) -> String {
        let conversations = format!("tcpdialog conversations {capture} --sort problems");
        if self.shown == self.total {
            return format!(
                "{} connections, more than a ladder shows: each is one row here; `{conversations}` lists them",
                super::thousands(self.total as u64)
            );
        }
        format!(
            "Overview: the {} most troubled, biggest and longest of {} connections; {} more are not drawn: \
             `{conversations}` lists them all, `tcpdialog diagram {capture} --stream N` draws one",
            super::thousands(self.shown as u64),
            super::thousands(self.total as u64),
            super::thousands((self.total - self.shown) as u64)
        )
    }
}

/// Reads `capture` for a diagram of `selection`. A selection of streams or frames is kept as asked; any other
/// that matches more than `can_show` connections becomes an overview of the best `rows` of them.
pub fn analyze_for_diagram(
    capture: &Path,
    options: &DecoderOptions,
    selection: &Selection,
    can_show: usize,
    rows: usize,
) -> Result<ForDiagram, CaptureError> {
    if !selection.streams.is_empty() || selection.frames.is_some() {
        let analysis = analyze_file_retaining(capture, options, selection.retention())?;
        return Ok(ForDiagram { analysis, selection: selection.clone(), overview: None });
    }
    let file = File::open(capture).map_err(|cause| CaptureError::Open { path: capture.to_path_buf(), cause })?;
    let mut best = Best::new(rows.max(can_show));
    let streamed = analyze_stream(capture, file, options, selection.retention(), &mut |c| {
        if selection.matches(c.connection.index, c.connection.client, c.connection.server) {
            best.offer(c);
        }
        ControlFlow::Continue(())
    })?;
    let total = best.matched;
    let mut kept: Vec<AnalysedConnection> = best.by_rank.into_values().collect();
    let overview = (total > can_show).then(|| {
        kept.truncate(rows);
        Overview { shown: kept.len(), total }
    });
    kept.sort_by_key(|c| c.connection.index);
    let selection = match overview {
        Some(_) => Selection { streams: kept.iter().map(|c| c.connection.index).collect(), ..selection.clone() },
        None => selection.clone(),
    };
    let mut messages = Vec::new();
    let mut connections = Vec::new();
    for c in kept {
        messages.extend(c.decoded.messages);
        connections.push(c.connection);
    }
    messages.sort_by_key(|m| (m.end_frame, m.conn, m.dir, m.offset));
    let (notes, messages) = messages.into_iter().partition(|m| matches!(m.kind, MessageKind::Note { .. }));
    let analysis = CaptureAnalysis { summary: streamed.summary, connections, messages, notes };
    Ok(ForDiagram { analysis, selection, overview })
}

/// How interesting a connection is: the lowest key is the best.
type Rank = (Reverse<u64>, Reverse<u64>, Reverse<Duration>, usize);

fn rank(c: &Connection) -> Rank {
    (Reverse(c.trouble()), Reverse(c.total_frame_bytes()), Reverse(c.duration()), c.index)
}

/// The best connections seen so far, kept whole; the others are dropped as they come.
struct Best {
    limit: usize,
    by_rank: BTreeMap<Rank, AnalysedConnection>,
    rank_of: BTreeMap<usize, Rank>,
    matched: usize,
}

impl Best {
    fn new(limit: usize) -> Self {
        Best { limit, by_rank: BTreeMap::new(), rank_of: BTreeMap::new(), matched: 0 }
    }

    fn offer(&mut self, mut c: AnalysedConnection) {
        let index = c.connection.index;
        match self.rank_of.remove(&index).and_then(|r| self.by_rank.remove(&r)) {
            // A later part of a kept connection (a segment after it was over).
            Some(mut first) => {
                first.connection.absorb(c.connection);
                first.decoded.messages.extend(c.decoded.messages);
                c = first;
            }
            None => self.matched += 1,
        }
        let rank = rank(&c.connection);
        self.rank_of.insert(index, rank);
        self.by_rank.insert(rank, c);
        if self.by_rank.len() > self.limit
            && let Some((_, worst)) = self.by_rank.pop_last()
        {
            self.rank_of.remove(&worst.connection.index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures").join(name)
    }

    #[test]
    fn a_few_connections_are_drawn_as_asked() {
        let path = capture("page-load.pcap");
        let drawn = analyze_for_diagram(&path, &DecoderOptions::default(), &Selection::default(), 50, 200).unwrap();
        assert_eq!(drawn.overview, None);
        assert_eq!(drawn.selection, Selection::default());
        let full = crate::analyze::analyze_file(&path, &DecoderOptions::default()).unwrap();
        assert_eq!(drawn.analysis.connections, full.connections);
        assert_eq!(drawn.analysis.messages, full.messages);
    }

    #[test]
    fn more_than_a_picture_shows_becomes_the_best_of_them() {
        // page-load.pcap: stream 5 carries the most bytes, then 3; none is troubled.
        let path = capture("page-load.pcap");
        let drawn = analyze_for_diagram(&path, &DecoderOptions::default(), &Selection::default(), 3, 2).unwrap();
        assert_eq!(drawn.overview, Some(Overview { shown: 2, total: 6 }));
        assert_eq!(drawn.selection.streams, [3, 5]);
        let kept: Vec<usize> = drawn.analysis.connections.iter().map(|c| c.index).collect();
        assert_eq!(kept, [3, 5]);
        assert!(drawn.analysis.messages.iter().all(|m| m.conn == 3 || m.conn == 5));
        let note = Overview { shown: 200, total: 100_000 }.note("big.pcap");
        assert!(note.contains("200 most troubled, biggest and longest of 100 000 connections; 99 800 more"), "{note}");
        assert!(note.contains("`tcpdialog conversations big.pcap --sort problems`"), "{note}");
    }
}
