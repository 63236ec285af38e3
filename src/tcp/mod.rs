//! TCP stage: groups packets into connections and analyses them the way Wireshark does.
//!
//! Owns: connection tracking (numbered like Wireshark's `tcp.stream`), client/server roles, relative
//! sequence numbers, window scaling, the per-segment analysis flags, per-connection facts (handshake RTT, who
//! closed and how), and the reassembly of each direction's byte stream.
//!
//! Input: [`crate::capture::Packet`]s in file order. Output: [`Connection`]s with their [`Segment`]s, and the
//! reassembled bytes, pushed in stream order into a [`StreamSink`] (the protocol decoders) as they become
//! contiguous, so payload is never kept for the whole capture.

mod analyzer;
mod info;
mod lifecycle;
mod reassembly;
mod retention;
mod sequence_analysis;
mod tracking;

pub use analyzer::TcpAnalyzer;
pub use info::{Continuation, TcpSummary, analysis_tags, info_column, sack_edges};
pub use lifecycle::LINGER;
pub use reassembly::MAX_PENDING_BYTES;
pub use retention::Retention;

use crate::capture::{TcpFlags, TcpOptions};
use std::net::SocketAddr;
use std::time::Duration;

/// Which way a segment travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    ClientToServer,
    ServerToClient,
}

impl Direction {
    /// `c2s` / `s2c`, as in `inspect --format json`.
    pub fn short(self) -> &'static str {
        match self {
            Direction::ClientToServer => "c2s",
            Direction::ServerToClient => "s2c",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ClientToServer => Direction::ServerToClient,
            Direction::ServerToClient => Direction::ClientToServer,
        }
    }
    /// The side that sends in this direction.
    pub fn sender(self) -> Side {
        match self {
            Direction::ClientToServer => Side::Client,
            Direction::ServerToClient => Side::Server,
        }
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

/// Wireshark's `tcp.analysis.*` flags, per segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnalysisFlag {
    /// A SYN that starts a new stream on the 4-tuple of an earlier one (`tcp.analysis.reused_ports`).
    PortNumbersReused,
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    /// "Previous segment not captured" (`tcp.analysis.lost_segment`).
    LostSegment,
    /// "ACKed segment that wasn't captured" (`tcp.analysis.ack_lost_segment`).
    AckedUnseenSegment,
    /// Duplicate ACK `number` (`tcp.analysis.duplicate_ack_num`) of the ACK in frame `of_frame`
    /// (`tcp.analysis.duplicate_ack_frame`): Wireshark's `[TCP Dup ACK 31#2]`.
    DuplicateAck {
        number: u32,
        of_frame: u64,
    },
    ZeroWindow,
    ZeroWindowProbe,
    ZeroWindowProbeAck,
    WindowFull,
    WindowUpdate,
    KeepAlive,
    KeepAliveAck,
}

/// The duplicate-ACK flag among a segment's flags: (its number, the frame whose ACK it repeats).
pub fn duplicate_ack(flags: &[AnalysisFlag]) -> Option<(u32, u64)> {
    flags.iter().find_map(|f| match *f {
        AnalysisFlag::DuplicateAck { number, of_frame } => Some((number, of_frame)),
        _ => None,
    })
}

impl AnalysisFlag {
    /// snake_case name used by `inspect --format json`.
    pub fn name(self) -> &'static str {
        match self {
            AnalysisFlag::PortNumbersReused => "reused_ports",
            AnalysisFlag::Retransmission => "retransmission",
            AnalysisFlag::FastRetransmission => "fast_retransmission",
            AnalysisFlag::SpuriousRetransmission => "spurious_retransmission",
            AnalysisFlag::OutOfOrder => "out_of_order",
            AnalysisFlag::LostSegment => "lost_segment",
            AnalysisFlag::AckedUnseenSegment => "acked_unseen_segment",
            AnalysisFlag::DuplicateAck { .. } => "duplicate_ack",
            AnalysisFlag::ZeroWindow => "zero_window",
            AnalysisFlag::ZeroWindowProbe => "zero_window_probe",
            AnalysisFlag::ZeroWindowProbeAck => "zero_window_probe_ack",
            AnalysisFlag::WindowFull => "window_full",
            AnalysisFlag::WindowUpdate => "window_update",
            AnalysisFlag::KeepAlive => "keep_alive",
            AnalysisFlag::KeepAliveAck => "keep_alive_ack",
        }
    }

    /// Wireshark's expert-info wording, e.g. `TCP Dup ACK 4#1`-style labels are built from this.
    pub fn label(self) -> String {
        match self {
            AnalysisFlag::PortNumbersReused => "TCP Port numbers reused".into(),
            AnalysisFlag::Retransmission => "TCP Retransmission".into(),
            AnalysisFlag::FastRetransmission => "TCP Fast Retransmission".into(),
            AnalysisFlag::SpuriousRetransmission => "TCP Spurious Retransmission".into(),
            AnalysisFlag::OutOfOrder => "TCP Out-Of-Order".into(),
            AnalysisFlag::LostSegment => "TCP Previous segment not captured".into(),
            AnalysisFlag::AckedUnseenSegment => "TCP ACKed unseen segment".into(),
            AnalysisFlag::DuplicateAck { number, of_frame } => format!("TCP Dup ACK {of_frame}#{number}"),
            AnalysisFlag::ZeroWindow => "TCP ZeroWindow".into(),
            AnalysisFlag::ZeroWindowProbe => "TCP ZeroWindowProbe".into(),
            AnalysisFlag::ZeroWindowProbeAck => "TCP ZeroWindowProbeAck".into(),
            AnalysisFlag::WindowFull => "TCP Window Full".into(),
            AnalysisFlag::WindowUpdate => "TCP Window Update".into(),
            AnalysisFlag::KeepAlive => "TCP Keep-Alive".into(),
            AnalysisFlag::KeepAliveAck => "TCP Keep-Alive ACK".into(),
        }
    }
}

/// Counts of the segments of a connection that show trouble, by Wireshark's analysis flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Problems {
    /// Retransmissions of every kind: plain, fast and spurious (Wireshark's `tcp.analysis.retransmission`,
    /// `fast_retransmission`, `spurious_retransmission`).
    pub retransmissions: u64,
    /// "Previous segment not captured" (`tcp.analysis.lost_segment`).
    pub lost_segments: u64,
    /// `tcp.analysis.duplicate_ack`.
    pub duplicate_acks: u64,
    /// `tcp.analysis.zero_window`.
    pub zero_windows: u64,
}

impl Problems {
    /// Counts the flags of one segment.
    pub fn add(&mut self, flags: &[AnalysisFlag]) {
        for flag in flags {
            let counter = match flag {
                AnalysisFlag::Retransmission
                | AnalysisFlag::FastRetransmission
                | AnalysisFlag::SpuriousRetransmission => &mut self.retransmissions,
                AnalysisFlag::LostSegment => &mut self.lost_segments,
                AnalysisFlag::DuplicateAck { .. } => &mut self.duplicate_acks,
                AnalysisFlag::ZeroWindow => &mut self.zero_windows,
                _ => continue,
            };
            *counter += 1;
        }
    }

    fn absorb(&mut self, other: &Problems) {
        self.retransmissions += other.retransmissions;
        self.lost_segments += other.lost_segments;
        self.duplicate_acks += other.duplicate_acks;
        self.zero_windows += other.zero_windows;
    }

    /// Every problem counted, one per flag: how troubled a connection is.
    pub fn total(&self) -> u64 {
        self.retransmissions + self.lost_segments + self.duplicate_acks + self.zero_windows
    }
}

/// One TCP segment of a connection, as tcpdialog understood it.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub frame: u64,
    /// Length of the whole frame on the wire (Wireshark's Length column).
    pub frame_len: u32,
    /// Time since the first packet of the capture (Wireshark's `frame.time_relative`).
    pub time: Duration,
    pub dir: Direction,
    pub flags: TcpFlags,
    /// Relative sequence number (Wireshark's `tcp.seq`).
    pub seq: u32,
    /// Relative acknowledgement number (Wireshark's `tcp.ack`); when the ACK flag is not set, the raw field,
    /// as tshark shows it (0 for nearly every SYN).
    pub ack: u32,
    pub abs_seq: u32,
    pub abs_ack: u32,
    /// Payload length on the wire (Wireshark's `tcp.len`).
    pub len: u32,
    /// Payload bytes the capture holds (less than `len` under a snaplen).
    pub captured_len: u32,
    /// Window with scaling applied where the handshake told the shift (Wireshark's `tcp.window_size`); a SYN's
    /// window is never scaled, and without the SYNs the raw value is shown (Wireshark's "scale unknown").
    pub window: u32,
    pub options: TcpOptions,
    /// A boxed slice, not a `Vec`: a long stream keeps a million segments, most of them flagged with nothing.
    pub analysis: Box<[AnalysisFlag]>,
}

/// How a connection was first closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    Fin,
    Rst,
}

impl CloseKind {
    pub fn name(self) -> &'static str {
        match self {
            CloseKind::Fin => "fin",
            CloseKind::Rst => "rst",
        }
    }
}

/// The first FIN or RST of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    pub by: Side,
    pub kind: CloseKind,
    pub frame: u64,
}

/// A TCP connection (one `tcp.stream`).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Wireshark's `tcp.stream`: 0, 1, ... in order of first appearance.
    pub index: usize,
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// Whether the client's SYN is in the capture (otherwise roles were guessed from ports).
    pub syn_seen: bool,
    /// The segments the analyzer's [`Retention`] kept (all of them unless asked otherwise), in frame order.
    pub segments: Vec<Segment>,
    /// Segments seen in each direction, kept or not, indexed by [`Direction::index`].
    pub packets: [u64; 2],
    /// Bytes of the frames of those segments on the wire (Wireshark's `frame.len`), what `tshark -z conv,tcp`
    /// counts, indexed by [`Direction::index`].
    pub frame_bytes: [u64; 2],
    /// How many segments carry each kind of trouble, kept or not.
    pub problems: Problems,
    /// Times of the connection's first and last segment, kept or not.
    pub first_time: Duration,
    pub last_time: Duration,
    /// The latest SYN to the first ACK that is not a SYN-ACK (Wireshark's `tcp.analysis.initial_rtt`).
    pub handshake_rtt: Option<Duration>,
    pub first_close: Option<Close>,
    /// One side sent FIN while the other kept sending data.
    pub half_closed: bool,
    /// Payload bytes sent in each direction (sum of `tcp.len`, resends included), indexed by [`Direction::index`].
    pub bytes: [u64; 2],
    /// Window-scale shift applied to each direction's windows, indexed by [`Direction::index`]; `None` when
    /// windows are shown unscaled (scaling not negotiated, or the SYNs not captured).
    pub window_shift: [Option<u8>; 2],
}

impl Connection {
    /// A connection nothing has been seen of yet.
    pub fn new(index: usize, client: SocketAddr, server: SocketAddr) -> Self {
        Connection {
            index,
            client,
            server,
            syn_seen: false,
            segments: Vec::new(),
            packets: [0, 0],
            frame_bytes: [0, 0],
            problems: Problems::default(),
            first_time: Duration::ZERO,
            last_time: Duration::ZERO,
            handshake_rtt: None,
            first_close: None,
            half_closed: false,
            bytes: [0, 0],
            window_shift: [None, None],
        }
    }

    /// How troubled the connection looks, to rank connections: every problem counted
    /// ([`Problems::total`]), and one more when it was reset (a refused or aborted connection).
    pub fn trouble(&self) -> u64 {
        let reset = self.first_close.is_some_and(|c| c.kind == CloseKind::Rst);
        self.problems.total() + u64::from(reset)
    }

    /// Frame bytes in both directions.
    pub fn total_frame_bytes(&self) -> u64 {
        self.frame_bytes[0] + self.frame_bytes[1]
    }

    /// Segments seen in both directions.
    pub fn total_packets(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }

    /// Adds the facts of a later part of the same stream: packets that came after this part was handed over
    /// (see [`TcpAnalyzer::take_retired`]). Facts of the first part win where both have one.
    pub fn absorb(&mut self, later: Connection) {
        let had_packets = self.total_packets() > 0;
        let later_has_packets = later.total_packets() > 0;
        self.syn_seen |= later.syn_seen;
        self.segments.extend(later.segments);
        for dir in 0..2 {
            self.packets[dir] += later.packets[dir];
            self.frame_bytes[dir] += later.frame_bytes[dir];
            self.bytes[dir] += later.bytes[dir];
            self.window_shift[dir] = self.window_shift[dir].or(later.window_shift[dir]);
        }
        self.problems.absorb(&later.problems);
        if !had_packets {
            self.first_time = later.first_time;
        }
        if later_has_packets {
            self.last_time = later.last_time;
        }
        self.handshake_rtt = self.handshake_rtt.or(later.handshake_rtt);
        self.first_close = self.first_close.or(later.first_close);
        self.half_closed |= later.half_closed;
    }

    pub fn start(&self) -> Duration {
        self.first_time
    }
    pub fn end(&self) -> Duration {
        self.last_time
    }
    pub fn duration(&self) -> Duration {
        self.end().saturating_sub(self.start())
    }
    /// (source, destination) of a segment travelling in `dir`.
    pub fn ends(&self, dir: Direction) -> (SocketAddr, SocketAddr) {
        match dir {
            Direction::ClientToServer => (self.client, self.server),
            Direction::ServerToClient => (self.server, self.client),
        }
    }

    pub fn endpoint(&self, side: Side) -> SocketAddr {
        match side {
            Side::Client => self.client,
            Side::Server => self.server,
        }
    }
}

/// Connections in `tcp.stream` order, the parts of one stream (see [`TcpAnalyzer::take_retired`]) merged.
pub fn merge_parts(mut parts: Vec<Connection>) -> Vec<Connection> {
    parts.sort_by_key(|c| c.index);
    // In place: a second list of 300 000 connections (open at the end of a SYN flood) was 74 MB more at the peak.
    parts.dedup_by(|later, first| {
        let same = later.index == first.index;
        if same {
            first.absorb(std::mem::replace(later, Connection::new(later.index, later.client, later.server)));
        }
        same
    });
    parts
}

/// What a [`StreamSink`] is told about a new connection before any of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub index: usize,
    pub client: SocketAddr,
    pub server: SocketAddr,
}

/// Receives each direction's reassembled byte stream, in stream order.
///
/// `offset` is the position of `data` in that direction's stream (0 = first byte after the SYN).
/// `frame` is the segment whose arrival made these bytes contiguous.
pub trait StreamSink {
    fn connection(&mut self, info: ConnectionInfo);
    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]);
    /// `len` bytes at `offset` are missing from the capture (lost or cut by a snaplen).
    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64);
    /// The direction ended (FIN or RST at `frame`, or end of capture with `frame` = last frame seen).
    fn end(&mut self, conn: usize, dir: Direction, frame: u64);
}

/// A sink that ignores everything (for callers that only want segments).
pub struct NullSink;

impl StreamSink for NullSink {
    fn connection(&mut self, _: ConnectionInfo) {}
    fn data(&mut self, _: usize, _: Direction, _: u64, _: u64, _: &[u8]) {}
    fn gap(&mut self, _: usize, _: Direction, _: u64, _: u64, _: u64) {}
    fn end(&mut self, _: usize, _: Direction, _: u64) {}
}
