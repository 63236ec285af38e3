//! The TCP stage's driver: turns packets into [`Connection`]s and feeds payload to a [`StreamSink`].
//!
//! For each TCP packet: find its stream ([`super::tracking`]), run Wireshark's sequence analysis on it
//! ([`super::sequence_analysis`]), record the [`Segment`] and the connection facts (who closed first and how,
//! half-close, bytes), and hand the payload to that direction's [`Reassembler`].
//!
//! Memory: every segment's metadata is kept (the caller gets them all back), so that part is O(segments), about
//! 150 bytes each; payload is kept only while it waits for a hole to fill (bounded per direction, see
//! [`super::reassembly::MAX_PENDING_BYTES`]), and analysis state is a few dozen bytes per connection.

use super::reassembly::{Placement, Reassembler};
use super::sequence_analysis::{SequenceAnalysis, WindowScaling};
use super::tracking::{StreamTable, roles};
use super::{AnalysisFlag, Close, CloseKind, Connection, ConnectionInfo, Direction, Segment, StreamSink};
use crate::capture::{Packet, PacketContent, TcpPacket};
use std::time::Duration;

/// A connection being built, with the state that only lives while packets come.
#[derive(Debug)]
struct Tracked {
    conn: Connection,
    analysis: SequenceAnalysis,
    /// Indexed by [`Direction::index`]; created with the direction's first segment.
    streams: [Option<Reassembler>; 2],
    /// Sides that have sent a FIN, indexed by [`Direction::index`] of their sending direction.
    fin_sent: [bool; 2],
}

/// Feeds on packets in capture order; [`TcpAnalyzer::finish`] returns the connections.
#[derive(Debug, Default)]
pub struct TcpAnalyzer {
    first_timestamp: Option<Duration>,
    last_frame: u64,
    tracked: Vec<Tracked>,
    table: StreamTable,
}

impl TcpAnalyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes every packet of the capture (non-TCP ones too: they set the time origin).
    pub fn push(&mut self, packet: &Packet, sink: &mut dyn StreamSink) {
        let origin = *self.first_timestamp.get_or_insert(packet.timestamp);
        self.last_frame = packet.frame;
        let PacketContent::Tcp(tcp) = &packet.content else { return };
        let index = self.stream_for(tcp, sink);
        let Some(tracked) = self.tracked.get_mut(index) else { return };
        let dir = if tcp.src == tracked.conn.client && tcp.dst == tracked.conn.server {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let result = tracked.analysis.segment(dir.index(), tcp, packet.timestamp);
        let segment = Segment {
            frame: packet.frame,
            frame_len: packet.orig_len,
            time: packet.timestamp.saturating_sub(origin),
            dir,
            flags: tcp.flags,
            seq: result.seq,
            ack: result.ack,
            abs_seq: tcp.seq,
            abs_ack: tcp.ack,
            len: tcp.payload_len,
            captured_len: u32::try_from(tcp.payload.len()).unwrap_or(u32::MAX),
            window: result.window,
            options: tcp.options.clone(),
            analysis: result.flags,
        };
        tracked.record(segment);
        tracked.reassemble(dir, packet.frame, tcp, sink);
    }

    /// Ends every direction still open and returns the connections in `tcp.stream` order.
    pub fn finish(self, sink: &mut dyn StreamSink) -> Vec<Connection> {
        let last_frame = self.last_frame;
        self.tracked
            .into_iter()
            .map(|mut t| {
                for dir in [Direction::ClientToServer, Direction::ServerToClient] {
                    match &mut t.streams[dir.index()] {
                        Some(stream) => stream.close(last_frame, sink),
                        // A direction that never sent anything still ends, so decoders see both ends.
                        None => sink.end(t.conn.index, dir, last_frame),
                    }
                }
                t.conn.handshake_rtt = t.analysis.initial_rtt;
                t.conn.window_shift = t.analysis.flows.each_ref().map(|f| match f.scaling {
                    WindowScaling::Shift(shift) => Some(shift),
                    WindowScaling::Unknown | WindowScaling::Disabled => None,
                });
                t.conn
            })
            .collect()
    }

    /// The stream this packet belongs to, starting a new one when it is the first of a connection.
    fn stream_for(&mut self, tcp: &TcpPacket, sink: &mut dyn StreamSink) -> usize {
        if let Some(index) = self.table.lookup(tcp) {
            let reused = self.tracked.get(index).is_some_and(|t| t.is_new_syn_on_reused_ports(tcp));
            if !reused {
                return index;
            }
        }
        let (client, server) = roles(tcp);
        let index = self.tracked.len();
        self.tracked.push(Tracked {
            conn: Connection {
                index,
                client,
                server,
                syn_seen: false,
                segments: Vec::new(),
                handshake_rtt: None,
                first_close: None,
                half_closed: false,
                bytes: [0, 0],
                window_shift: [None, None],
            },
            analysis: SequenceAnalysis::default(),
            streams: [None, None],
            fin_sent: [false, false],
        });
        self.table.insert(tcp, index);
        sink.connection(ConnectionInfo { index, client, server });
        index
    }
}

impl Tracked {
    /// A SYN (without ACK) whose sequence number is not the one its sender started this stream with.
    fn is_new_syn_on_reused_ports(&self, tcp: &TcpPacket) -> bool {
        if !tcp.flags.syn() || tcp.flags.ack() {
            return false;
        }
        let dir = if tcp.src == self.conn.client { Direction::ClientToServer } else { Direction::ServerToClient };
        self.analysis.flows[dir.index()].base_seq.is_some_and(|base| base != tcp.seq)
    }

    /// Adds the segment and updates the connection facts it changes.
    fn record(&mut self, segment: Segment) {
        let conn = &mut self.conn;
        let dir = segment.dir;
        let flags = segment.flags;
        if flags.syn() && !flags.ack() && dir == Direction::ClientToServer {
            conn.syn_seen = true;
        }
        if conn.first_close.is_none() && (flags.fin() || flags.rst()) {
            let kind = if flags.rst() { CloseKind::Rst } else { CloseKind::Fin };
            conn.first_close = Some(Close { by: dir.sender(), kind, frame: segment.frame });
        }
        // Half-close: new data from a side whose peer has already sent its FIN, while it has not sent its own.
        let peer_finished = self.fin_sent[dir.reverse().index()] && !self.fin_sent[dir.index()];
        if peer_finished && segment.len > 0 && is_new_data(&segment.analysis) {
            conn.half_closed = true;
        }
        if flags.fin() {
            self.fin_sent[dir.index()] = true;
        }
        conn.bytes[dir.index()] += u64::from(segment.len);
        conn.segments.push(segment);
    }

    /// Hands the payload to the direction's reassembler; a RST ends both directions.
    fn reassemble(&mut self, dir: Direction, frame: u64, tcp: &TcpPacket, sink: &mut dyn StreamSink) {
        let flow = &self.analysis.flows[dir.index()];
        let base = flow.base_seq.unwrap_or(tcp.seq);
        let conn = self.conn.index;
        let stream =
            self.streams[dir.index()].get_or_insert_with(|| Reassembler::new(conn, dir, base.wrapping_add(1)));
        // The SYN takes one sequence number before the first payload byte.
        let seq = if tcp.flags.syn() { tcp.seq.wrapping_add(1) } else { tcp.seq };
        let at = Placement { frame, seq, len: tcp.payload_len };
        if tcp.flags.rst() {
            stream.reset(frame, sink);
            let other = dir.reverse();
            let peer_base = self.analysis.flows[other.index()].base_seq.unwrap_or(0);
            self.streams[other.index()]
                .get_or_insert_with(|| Reassembler::new(conn, other, peer_base.wrapping_add(1)))
                .reset(frame, sink);
        } else {
            stream.segment(at, &tcp.payload, tcp.flags.fin(), sink);
        }
    }
}

/// Data that is not a resend or a probe of bytes already sent.
fn is_new_data(flags: &[AnalysisFlag]) -> bool {
    !flags.iter().any(|f| {
        matches!(
            f,
            AnalysisFlag::Retransmission
                | AnalysisFlag::FastRetransmission
                | AnalysisFlag::SpuriousRetransmission
                | AnalysisFlag::KeepAlive
                | AnalysisFlag::ZeroWindowProbe
        )
    })
}
