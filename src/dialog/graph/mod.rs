//! The model of a TCP stream graph: one direction of one connection as Wireshark's TCP Stream Graphs and
//! tcptrace see it, with no coordinates.
//!
//! Owns: choosing the stream and the direction (by default the one that carried more data), the data
//! segments and what Wireshark says of them, the peer's ACKs, receive windows and SACK blocks, the marks
//! (retransmissions, duplicate ACKs, zero windows, SYN/FIN/RST...), RTT samples and bytes in flight
//! (`flight.rs`, Wireshark's own algorithm), throughput and goodput (`series.rs`), zero-window periods, and
//! the sentence that says what the graph shows (`describe.rs`).
//!
//! Input: a [`CaptureAnalysis`] holding the connection's segments. Output: a [`Graph`], which the diagram
//! stage's graph views lay out.

mod describe;
mod flight;
mod info;
mod series;

pub use flight::FlightFacts;
pub use series::{Throughput, average_window};

use super::{DialogError, Selection};
use crate::analyze::CaptureAnalysis;
use crate::tcp::{AnalysisFlag, Connection, Direction, Segment};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Past this many elements of a kind (data segments, ACKs, RTT samples, marks), views draw bins instead of
/// one element each, and Info lines are kept for the marks only: a graph of a huge transfer stays small.
pub const DETAILED: usize = 3000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    #[error(transparent)]
    Dialog(#[from] DialogError),
    #[error("a graph shows one TCP stream, and {count} match; choose one with --stream (streams {listed})")]
    NotOneStream { count: usize, listed: String },
}

/// One direction of one connection, ready to be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub stream: usize,
    /// The direction whose data is drawn; ACKs and windows come from the other one.
    pub direction: Direction,
    pub sender: SocketAddr,
    pub receiver: SocketAddr,
    /// Seconds since the first packet of the capture, of the connection's first and last segments.
    pub start: f64,
    pub end: f64,
    /// Every segment the sender sent with data, SYN, FIN or RST, in frame order.
    pub data: Vec<DataSegment>,
    /// Every segment of the receiver with the ACK flag, in frame order.
    pub acks: Vec<AckPoint>,
    pub marks: Vec<Mark>,
    pub rtt: Vec<RttSample>,
    /// Bytes in flight after each data segment.
    pub flight: Vec<FlightPoint>,
    pub zero_windows: Vec<ZeroWindowPeriod>,
    pub throughput: Throughput,
    /// Wireshark's Info line of the frames drawn one by one (all of them, or the marks of a huge transfer).
    pub info: BTreeMap<u64, String>,
}

/// A segment of the sender: an I-beam from `seq` to `end` (relative sequence numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataSegment {
    pub frame: u64,
    pub time: f64,
    pub seq: u32,
    pub end: u32,
    pub len: u32,
}

/// An ACK of the receiver: the ACK line's step, the window line (`ack + window`), its SACK blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct AckPoint {
    pub frame: u64,
    pub time: f64,
    pub ack: u32,
    pub window: u32,
    /// Relative to the sender's sequence numbers.
    pub sack: Vec<(u32, u32)>,
}

/// What a mark stands for, in the legend's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    DuplicateAck,
    ZeroWindow,
    WindowFull,
    Syn,
    Fin,
    Rst,
}

impl MarkKind {
    pub const ALL: [MarkKind; 10] = [
        MarkKind::Retransmission,
        MarkKind::FastRetransmission,
        MarkKind::SpuriousRetransmission,
        MarkKind::OutOfOrder,
        MarkKind::DuplicateAck,
        MarkKind::ZeroWindow,
        MarkKind::WindowFull,
        MarkKind::Syn,
        MarkKind::Fin,
        MarkKind::Rst,
    ];

    /// The legend's words.
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Retransmission => "retransmission",
            MarkKind::FastRetransmission => "fast retransmission",
            MarkKind::SpuriousRetransmission => "spurious retransmission",
            MarkKind::OutOfOrder => "out of order",
            MarkKind::DuplicateAck => "duplicate ACK",
            MarkKind::ZeroWindow => "zero window",
            MarkKind::WindowFull => "window full",
            MarkKind::Syn => "SYN",
            MarkKind::Fin => "FIN",
            MarkKind::Rst => "RST",
        }
    }

    /// Whether the receiver's segments carry it (then it sits on the ACK line).
    pub fn from_receiver(self) -> bool {
        matches!(self, MarkKind::DuplicateAck | MarkKind::ZeroWindow)
    }
}

/// A mark at (`time`, `seq`): the segment's first byte, or for the receiver's marks its ACK.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub kind: MarkKind,
    pub frame: u64,
    pub time: f64,
    pub seq: u32,
}

/// One `tcp.analysis.ack_rtt`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RttSample {
    /// The ACK.
    pub frame: u64,
    pub time: f64,
    pub rtt: f64,
    /// The segment it acknowledges (`tcp.analysis.acks_frame`).
    pub acked_frame: u64,
    /// That range was sent more than once: Karn's rule says the sample cannot be trusted, and views leave it out.
    pub ambiguous: bool,
}

/// Bytes in flight after a data segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlightPoint {
    pub frame: u64,
    pub time: f64,
    /// `tcp.analysis.bytes_in_flight` (none where Wireshark gives none).
    pub wireshark: Option<u32>,
    /// Sent, less cumulatively and selectively acknowledged (every SACK block still standing).
    pub sack_aware: Option<u32>,
}

/// From the receiver's zero window to its next segment that opens it (or the end of the capture).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZeroWindowPeriod {
    pub frame: u64,
    pub start: f64,
    pub end: f64,
    /// The frame that opened the window again.
    pub end_frame: Option<u64>,
}

/// Builds the graph of the one connection `selection` names, in `direction` (default: the one with more data).
pub fn build(
    analysis: &CaptureAnalysis,
    selection: &Selection,
    direction: Option<Direction>,
) -> Result<Graph, GraphError> {
    let conn = select(analysis, selection)?;
    let direction = direction.unwrap_or(if conn.bytes[1] > conn.bytes[0] {
        Direction::ServerToClient
    } else {
        Direction::ClientToServer
    });
    let facts = flight::replay(&conn.segments);
    let shown = |s: &Segment| selection.frames.is_none_or(|(a, b)| (a..=b).contains(&s.frame));
    let segments: Vec<(&Segment, &FlightFacts)> = conn.segments.iter().zip(&facts).filter(|(s, _)| shown(s)).collect();
    let (sender, receiver) = conn.ends(direction);
    let mut graph = Graph {
        stream: conn.index,
        direction,
        sender,
        receiver,
        start: segments.first().map_or(0.0, |(s, _)| s.time.as_secs_f64()),
        end: segments.last().map_or(0.0, |(s, _)| s.time.as_secs_f64()),
        data: Vec::new(),
        acks: Vec::new(),
        marks: Vec::new(),
        rtt: Vec::new(),
        flight: Vec::new(),
        zero_windows: Vec::new(),
        throughput: Throughput::default(),
        info: BTreeMap::new(),
    };
    for &(seg, fact) in &segments {
        if seg.dir == direction {
            add_sent(&mut graph, seg, fact);
        } else {
            add_received(&mut graph, seg, fact);
        }
    }
    graph.zero_windows = series::zero_windows(&segments, direction, graph.end);
    graph.throughput = series::throughput(&graph);
    let detailed = segments.len() <= DETAILED;
    let wanted: Vec<u64> = if detailed {
        segments.iter().map(|(s, _)| s.frame).collect()
    } else {
        graph.marks.iter().take(DETAILED).map(|m| m.frame).collect()
    };
    graph.info = info::lines(analysis, conn, &wanted);
    Ok(graph)
}

fn add_sent(graph: &mut Graph, seg: &Segment, fact: &FlightFacts) {
    let time = seg.time.as_secs_f64();
    let flags = seg.flags;
    if seg.len > 0 || flags.syn() || flags.fin() || flags.rst() {
        let end = seg.seq.wrapping_add(seg.len);
        graph.data.push(DataSegment { frame: seg.frame, time, seq: seg.seq, end, len: seg.len });
    }
    let mark = |kind, seq| Mark { kind, frame: seg.frame, time, seq };
    for flag in &seg.analysis {
        let kind = match flag {
            AnalysisFlag::Retransmission => MarkKind::Retransmission,
            AnalysisFlag::FastRetransmission => MarkKind::FastRetransmission,
            AnalysisFlag::SpuriousRetransmission => MarkKind::SpuriousRetransmission,
            AnalysisFlag::OutOfOrder => MarkKind::OutOfOrder,
            AnalysisFlag::WindowFull => MarkKind::WindowFull,
            _ => continue,
        };
        // A window-full segment reaches the window's edge: the mark sits at its end.
        let at = if kind == MarkKind::WindowFull { seg.seq.wrapping_add(seg.len) } else { seg.seq };
        graph.marks.push(mark(kind, at));
    }
    for (set, kind) in [(flags.syn(), MarkKind::Syn), (flags.fin(), MarkKind::Fin), (flags.rst(), MarkKind::Rst)] {
        if set {
            graph.marks.push(mark(kind, seg.seq.wrapping_add(seg.len)));
        }
    }
    if seg.len > 0 {
        let (wireshark, sack_aware) = (fact.bytes_in_flight, fact.sack_aware);
        graph.flight.push(FlightPoint { frame: seg.frame, time, wireshark, sack_aware });
    }
}

fn add_received(graph: &mut Graph, seg: &Segment, fact: &FlightFacts) {
    let time = seg.time.as_secs_f64();
    if seg.flags.ack() {
        let base = seg.sack_base();
        let sack = seg.options.sack_blocks.iter().map(|&(l, r)| (l.wrapping_sub(base), r.wrapping_sub(base))).collect();
        graph.acks.push(AckPoint { frame: seg.frame, time, ack: seg.ack, window: seg.window, sack });
    }
    if let Some((rtt, acked_frame, ambiguous)) = fact.ack_rtt {
        graph.rtt.push(RttSample { frame: seg.frame, time, rtt, acked_frame, ambiguous });
    }
    let mark = |kind| Mark { kind, frame: seg.frame, time, seq: seg.ack };
    if crate::tcp::duplicate_ack(&seg.analysis).is_some() {
        graph.marks.push(mark(MarkKind::DuplicateAck));
    }
    if seg.analysis.contains(&AnalysisFlag::ZeroWindow) {
        graph.marks.push(mark(MarkKind::ZeroWindow));
    }
    // The receiver's SYN, FIN and RST close or open the dialog too; they sit on its ACK line.
    for (set, kind) in [(seg.flags.fin(), MarkKind::Fin), (seg.flags.rst(), MarkKind::Rst)] {
        if set {
            graph.marks.push(mark(kind));
        }
    }
}

/// The one connection of the selection.
fn select<'a>(analysis: &'a CaptureAnalysis, selection: &Selection) -> Result<&'a Connection, GraphError> {
    let all = &analysis.connections;
    if all.is_empty() {
        return Err(GraphError::Dialog(if analysis.summary.tcp_packets == 0 {
            DialogError::NoConnections
        } else {
            DialogError::EmptySelection(selection.to_string())
        }));
    }
    let count = all.last().map_or(0, |c| c.index + 1);
    if let Some(&stream) = selection.streams.iter().find(|&&s| s >= count) {
        return Err(DialogError::NoSuchStream { stream, count }.into());
    }
    let chosen: Vec<&Connection> = all.iter().filter(|c| selection.matches(c.index, c.client, c.server)).collect();
    match chosen.as_slice() {
        [] => Err(DialogError::EmptySelection(selection.to_string()).into()),
        [one] => Ok(one),
        many => {
            let mut listed: Vec<String> = many.iter().take(8).map(|c| c.index.to_string()).collect();
            if many.len() > 8 {
                listed.push("…".into());
            }
            Err(GraphError::NotOneStream { count: many.len(), listed: listed.join(", ") })
        }
    }
}

impl Graph {
    /// The Info line of `frame`, when it is kept.
    pub fn info_of(&self, frame: u64) -> Option<&str> {
        self.info.get(&frame).map(String::as_str)
    }

    /// Seconds the graph spans (at least a millisecond, so an axis always has room).
    pub fn duration(&self) -> f64 {
        (self.end - self.start).max(0.001)
    }

    /// The marks of one kind.
    pub fn marks_of(&self, kind: MarkKind) -> impl Iterator<Item = &Mark> {
        self.marks.iter().filter(move |m| m.kind == kind)
    }

    /// Payload bytes the sender sent, resends included.
    pub fn bytes_sent(&self) -> u64 {
        self.data.iter().map(|d| u64::from(d.len)).sum()
    }

    /// What the graph shows, in a sentence or two (the `<desc>` of every view).
    pub fn description(&self) -> String {
        describe::sentence(self)
    }

    /// `127.0.0.1:18096 → 127.0.0.1:37400 (tcp.stream 0)`
    pub fn subject(&self) -> String {
        format!("{} → {} (tcp.stream {})", self.sender, self.receiver, self.stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use std::path::Path;

    fn graph_of(capture: &str, direction: Option<Direction>) -> Graph {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        build(&analysis, &Selection::default(), direction).unwrap()
    }

    #[test]
    fn the_default_direction_carries_more_data() {
        let graph = graph_of("tests/fixtures/lossy.pcap", None);
        assert_eq!(graph.direction, Direction::ServerToClient);
        assert_eq!(graph.sender.port(), 18096);
        let upload = graph_of("tests/fixtures/lossy.pcap", Some(Direction::ClientToServer));
        assert_eq!(upload.bytes_sent(), 91);
    }

    #[test]
    fn a_selection_of_several_streams_names_them() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/page-load.pcap");
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let err = build(&analysis, &Selection::default(), None).unwrap_err();
        assert!(err.to_string().starts_with("a graph shows one TCP stream, and 6 match"), "{err}");
    }
}
