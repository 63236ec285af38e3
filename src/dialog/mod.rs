//! Dialog stage: the renderer-independent model of "what happened on the wire".
//!
//! Owns: choosing which connections and frames a diagram shows ([`Selection`]), naming the participants,
//! turning segments into arrows ([`Event`]) labelled with their application messages, folding long transfers,
//! finding the phases (handshake, exchanges, upgrade, loss episodes, zero-window stalls, idle, teardown), and the
//! plain-language description.
//!
//! Input: a [`crate::analyze::CaptureAnalysis`]. Output: a [`Dialog`], which every diagram renderer reads.

mod annotations;
mod build;
mod fold;
pub mod graph;
pub mod overview;
mod phases;
mod trouble;

pub use annotations::{AnnotationError, Annotations, FrameRange, Note};
pub use build::{DialogError, build, thousands};
pub use overview::{ForDiagram, LADDER_CONNECTIONS, OVERVIEW_CONNECTIONS, Overview, analyze_for_diagram};
pub use phases::format_duration;
pub use trouble::{STALL_SECONDS, Trouble, TroubleKind, find_trouble};

use crate::analyze::Columns;
use crate::capture::{TcpFlags, TcpOptions};
use crate::tcp::{AnalysisFlag, Retention, TcpSummary};
use std::net::SocketAddr;

/// Which part of a capture a dialog shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `tcp.stream` indices; empty means all.
    pub streams: Vec<usize>,
    /// Only connections with this port on either side.
    pub port: Option<u16>,
    /// Only connections with this IP address on either side.
    pub host: Option<String>,
    /// Only frames in this inclusive range.
    pub frames: Option<(u64, u64)>,
}

impl Selection {
    /// Whether a connection passes the stream, port and host filters (frames are checked per segment).
    pub fn matches(&self, stream: usize, client: SocketAddr, server: SocketAddr) -> bool {
        (self.streams.is_empty() || self.streams.contains(&stream))
            && self.port.is_none_or(|p| client.port() == p || server.port() == p)
            && self.host.as_deref().is_none_or(|h| client.ip().to_string() == h || server.ip().to_string() == h)
    }

    /// What the analysis must keep for this selection: the dialog of one stream of a huge capture then costs
    /// the memory of that stream only, and a dialog of some frames stops reading once nothing later can
    /// change it.
    pub fn retention(&self) -> Retention {
        let selection = Selection { frames: None, ..self.clone() };
        let retention = Retention::all().connections(move |c| selection.matches(c.index, c.client, c.server));
        match self.frames {
            Some((first, last)) => {
                let streams = self.streams.iter().max().map_or(0, |s| s + 1);
                retention.frames(first..=last).stopping(streams)
            }
            None => retention,
        }
    }
}

/// The selection in the words of the command line: `--stream 2 --host 10.0.0.1 --frames 1-10`.
impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.streams.iter().map(|s| format!("--stream {s}")).collect();
        parts.extend(self.port.map(|p| format!("--port {p}")));
        parts.extend(self.host.as_ref().map(|h| format!("--host {h}")));
        parts.extend(self.frames.map(|(a, b)| format!("--frames {a}-{b}")));
        if parts.is_empty() { f.write_str("everything") } else { f.write_str(&parts.join(" ")) }
    }
}

/// Options of the dialog model itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogOptions {
    pub client_name: Option<String>,
    pub server_name: Option<String>,
    pub title: Option<String>,
    /// A run of more than this many data segments in one direction (with only ACKs between) is folded;
    /// `usize::MAX` folds nothing, bursts of duplicate ACKs included.
    pub fold_threshold: usize,
    /// Notes, a highlighted range and headers the author chose.
    pub annotations: Annotations,
    /// Each connection gets a client lifeline of its own (else one per client host).
    pub lanes: bool,
}

impl Default for DialogOptions {
    fn default() -> Self {
        DialogOptions {
            client_name: None,
            server_name: None,
            title: None,
            fold_threshold: 8,
            annotations: Annotations::default(),
            lanes: false,
        }
    }
}

/// A lifeline: one endpoint of the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// `Client`, `Server`, or a name the post gave.
    pub name: String,
    /// `127.0.0.1:43640`; for several client connections, the client's IP and the list of ports.
    pub address: String,
}

/// One arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `tcp.stream` of the segment.
    pub conn: usize,
    pub frame: u64,
    /// Length of the frame on the wire.
    pub frame_len: u32,
    /// Exact endpoints of the segment (the packet table shows them).
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Seconds since the first packet of the capture.
    pub time: f64,
    /// Participant indices.
    pub from: usize,
    pub to: usize,
    pub flags: TcpFlags,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub window: u32,
    /// TCP options, and the peer's initial sequence number that makes SACK edges relative: the packet table
    /// prints them as Wireshark's Info column does.
    pub options: TcpOptions,
    pub sack_base: u32,
    /// What the arrow is labelled with: the messages this segment shows ([`crate::analyze::SegmentView`]),
    /// summaries in stream order.
    pub messages: Vec<String>,
    /// Wireshark's Protocol and Info columns for the segment (the packet table prints them).
    pub columns: Columns,
    pub analysis: Vec<AnalysisFlag>,
    /// Set when this arrow stands for a run of segments.
    pub fold: Option<Fold>,
    /// For each of `messages`: it was read from TLS records decrypted with the key log, not what the wire shows.
    pub decrypted: Vec<bool>,
    /// What the author shows under the arrow: the chosen headers of its messages (`Upgrade: h2c`), then their
    /// note on one of its frames (`✎ the client gives up`).
    pub annotations: Vec<String>,
    /// `Some(true)` for an arrow in the highlighted range, `Some(false)` for one dimmed beside it, `None` when
    /// nothing is highlighted.
    pub highlighted: Option<bool>,
}

impl Event {
    /// The last frame this arrow shows (its own, or the last of its folded run).
    pub fn last_frame(&self) -> u64 {
        self.fold.as_ref().map_or(self.frame, |f| f.last_frame)
    }

    /// Some message of this arrow was decrypted with the key log.
    pub fn any_decrypted(&self) -> bool {
        self.decrypted.contains(&true)
    }

    /// The TCP summary of this arrow's (first) segment, with `ports` when the caller wants them shown.
    pub fn summary(&self, ports: Option<(u16, u16)>) -> TcpSummary<'_> {
        TcpSummary {
            ports,
            flags: self.flags,
            seq: self.seq,
            ack: self.ack,
            window: self.window,
            len: self.len,
            options: &self.options,
            sack_base: self.sack_base,
        }
    }

    /// The frame whose ACK a duplicate-ACK arrow repeats (Wireshark's `tcp.analysis.duplicate_ack_frame`).
    pub fn duplicate_of(&self) -> Option<u64> {
        crate::tcp::duplicate_ack(&self.analysis).map(|(_, of_frame)| of_frame)
    }
}

/// A folded run of segments drawn as one arrow: a transfer (one thick arrow in the ladder) or a burst of
/// duplicate ACKs (one flagged arrow that says how many).
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub kind: FoldKind,
    /// Segments from the arrow's sender: data segments, or duplicate ACKs.
    pub segments: u64,
    /// Pure ACKs in the other direction folded in with them.
    pub acks: u64,
    pub bytes: u64,
    pub duration: f64,
    pub last_frame: u64,
    /// Wireshark's flags on the segments folded in, counted (a transfer folds across them).
    pub flagged: Flagged,
}

/// Segments of a folded transfer that Wireshark flags, counted by what they are: said beside the fold, so
/// nothing is folded away unsaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flagged {
    pub retransmissions: u64,
    pub lost: u64,
    pub duplicate_acks: u64,
    pub window_full: u64,
    pub window_updates: u64,
    pub zero_windows: u64,
    pub probes: u64,
}

impl Flagged {
    /// Counts one folded segment's flags.
    pub fn add(&mut self, analysis: &[AnalysisFlag]) {
        use AnalysisFlag as F;
        for flag in analysis {
            let count = match flag {
                F::Retransmission | F::FastRetransmission | F::SpuriousRetransmission => &mut self.retransmissions,
                F::LostSegment => &mut self.lost,
                F::DuplicateAck { .. } => &mut self.duplicate_acks,
                F::WindowFull => &mut self.window_full,
                F::WindowUpdate => &mut self.window_updates,
                F::ZeroWindow => &mut self.zero_windows,
                F::ZeroWindowProbe | F::KeepAlive => &mut self.probes,
                _ => continue,
            };
            *count += 1;
        }
    }

    /// `5 retransmissions, 2 lost, 8 dup ACKs`: what was folded, in the order a reader cares about.
    pub fn describe(&self) -> Vec<String> {
        let counts = [
            (self.retransmissions, "retransmission", "retransmissions"),
            (self.lost, "segment lost", "segments lost"),
            (self.duplicate_acks, "dup ACK", "dup ACKs"),
            (self.zero_windows, "zero window", "zero windows"),
            (self.probes, "probe", "probes"),
            (self.window_full, "window full", "window full"),
            (self.window_updates, "window update", "window updates"),
        ];
        counts
            .into_iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, one, many)| if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) })
            .collect()
    }
}

/// What a [`Fold`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FoldKind {
    /// Data segments in one direction, with the peer's pure ACKs folded in.
    #[default]
    Transfer,
    /// Consecutive duplicate ACKs `#first` to `#last` of one ACK number from one side (`acks` and `bytes` are 0).
    DuplicateAcks { first: u32, last: u32 },
    /// What went by inside a zero-window stall: the sender's probes and the receiver's zero-window answers
    /// (`segments` counts them all, `flagged` by kind).
    Probes,
}

/// The named stretches of a dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseKind {
    Handshake,
    Exchange,
    Upgrade,
    Idle,
    Teardown,
    /// From the first sign of a loss to the ACK that covers everything resent.
    Loss,
    /// A zero window that lasts, until the window opens again.
    Stall,
}

impl PhaseKind {
    pub fn name(self) -> &'static str {
        match self {
            PhaseKind::Handshake => "handshake",
            PhaseKind::Exchange => "exchange",
            PhaseKind::Upgrade => "upgrade",
            PhaseKind::Idle => "idle",
            PhaseKind::Teardown => "teardown",
            PhaseKind::Loss => "loss",
            PhaseKind::Stall => "stall",
        }
    }
}

/// A phase spans events `first..=last` (indices into [`Dialog::events`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub kind: PhaseKind,
    pub conn: usize,
    pub first: usize,
    pub last: usize,
    /// Shown beside the shading: `handshake`, `GET /style.css`, `idle 2.0 s, then server closes`.
    pub label: String,
    /// Phases it stands for besides itself: exchanges of requests the protocol stage counted instead of keeping
    /// (`and 1 980 more requests`), so that a picture counting the phases it leaves out counts them too.
    pub more: u64,
}

/// The whole model of one diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub title: String,
    pub participants: Vec<Participant>,
    pub events: Vec<Event>,
    pub phases: Vec<Phase>,
    /// The connections shown, by `tcp.stream`.
    pub connections: Vec<usize>,
    /// A plain-language account of the dialog, used as alt text and `<desc>`.
    pub description: String,
    /// What a reader should know that no arrow says (why a TLS connection is not decrypted), once each.
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{analyze_file, analyze_file_retaining};
    use std::path::Path;

    #[test]
    fn a_selections_retention_gives_the_same_dialog_as_the_full_analysis() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/page-load.pcap");
        let full = analyze_file(&path, &Default::default()).unwrap();
        let selections = [
            Selection { streams: vec![2, 0], ..Default::default() },
            Selection { port: Some(full.connections[4].client.port()), ..Default::default() },
            Selection { host: Some("127.0.0.1".into()), ..Default::default() },
            Selection { frames: Some((10, 40)), ..Default::default() },
            Selection { streams: vec![0], frames: Some((1, 12)), ..Default::default() },
        ];
        for selection in selections {
            let kept = analyze_file_retaining(&path, &Default::default(), selection.retention()).unwrap();
            let options = DialogOptions::default();
            assert_eq!(build(&kept, &selection, &options), build(&full, &selection, &options), "{selection:?}");
        }
    }
}
