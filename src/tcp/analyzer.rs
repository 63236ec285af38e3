//! The TCP stage's driver: turns packets into [`Connection`]s and feeds payload to a [`StreamSink`].
//!
//! For each TCP packet: find its stream ([`super::tracking`]), run Wireshark's sequence analysis on it
//! ([`super::sequence_analysis`]), record the [`Segment`] and the connection facts (who closed first and how,
//! half-close, bytes), and hand the payload to that direction's [`Reassembler`].
//!
//! Memory is bounded by the connections open at one time: a connection that is over (both FINs acknowledged,
//! or reset) lingers a little for late segments ([`super::lifecycle`]), then is retired: its reassembly ends,
//! its [`Connection`] waits in [`TcpAnalyzer::take_retired`] and its state is freed. What stays per connection
//! is its entry in the stream table (about 100 bytes, so that a late segment or a reused port is numbered as
//! Wireshark numbers it). The metadata of every segment the [`Retention`] asks for is kept in its connection,
//! about 120 bytes each; payload is kept only while it waits for a hole to fill (bounded per direction, see
//! [`super::reassembly::MAX_PENDING_BYTES`]).

use super::lifecycle::{Ending, LINGER};
use super::reassembly::{Placement, Reassembler};
use super::retention::Retention;
use super::sequence_analysis::{SequenceAnalysis, WindowScaling};
use super::tracking::{StreamTable, roles};
use super::{AnalysisFlag, Close, CloseKind, Connection, ConnectionInfo, Direction, Segment, StreamSink, merge_parts};
use crate::capture::{Packet, PacketContent, TcpPacket};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Duration;

/// A connection being built, with the state that only lives while packets come.
#[derive(Debug)]
struct Tracked {
    conn: Connection,
    analysis: SequenceAnalysis,
    /// Indexed by [`Direction::index`]; created with the direction's first payload, FIN or RST (a
    /// connection attempt that was never answered costs none).
    streams: [Option<Box<Reassembler>>; 2],
    /// Sides that have sent a FIN, indexed by [`Direction::index`] of their sending direction.
    fin_sent: [bool; 2],
    /// Whether the [`Retention`] keeps this connection's segments and feeds its bytes to the decoders.
    detailed: bool,
    /// The sink was told of the connection: with its first bytes (or FIN, or RST), so that a connection
    /// attempt that carried nothing costs the decoders nothing.
    told: bool,
    ending: Ending,
    /// Over, and queued to be retired once it has lingered.
    lingering: bool,
}

/// Feeds on packets in capture order; connections come out of [`TcpAnalyzer::take_retired`] as they end and
/// of [`TcpAnalyzer::finish`] at the end.
#[derive(Debug, Default)]
pub struct TcpAnalyzer {
    first_timestamp: Option<Duration>,
    last_frame: u64,
    /// The latest capture time seen: the clock lingers run on (a capture's clock may step back).
    clock: Duration,
    /// Boxed: a connection's state is a few hundred bytes, moved only as a pointer when the map grows.
    live: HashMap<usize, Box<Tracked>, BuildHasherDefault<IndexHasher>>,
    /// Streams numbered so far: the next one's `tcp.stream`.
    numbered: usize,
    table: StreamTable,
    /// Connections that are over, oldest first.
    lingering: VecDeque<usize>,
    retired: Vec<Connection>,
    retention: Retention,
    peak_live: usize,
    /// Live connections that have kept segments.
    holding: usize,
}

impl TcpAnalyzer {
    /// An analyzer that keeps every segment of every connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyzer that keeps only what `retention` asks for.
    pub fn retaining(retention: Retention) -> Self {
        TcpAnalyzer { retention, ..Self::default() }
    }

    /// Takes every packet of the capture (non-TCP ones too: they set the time origin and move the clock).
    pub fn push(&mut self, packet: &Packet, sink: &mut dyn StreamSink) {
        let origin = *self.first_timestamp.get_or_insert(packet.timestamp);
        self.last_frame = packet.frame;
        self.clock = self.clock.max(packet.timestamp);
        self.retire_lingering(sink);
        let PacketContent::Tcp(tcp) = &packet.content else {
            return;
        };
        let (index, reused) = self.stream_for(tcp, sink);
        let Some(tracked) = self.live.get_mut(&index) else {
            return;
        };
        let dir = if tcp.src == tracked.conn.client && tcp.dst == tracked.conn.server {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let rtt = &mut tracked.conn.handshake_rtt;
        let mut result = tracked.analysis.segment(dir.index(), tcp, packet.timestamp, packet.frame, rtt);
        if reused {
            result.flags.insert(0, AnalysisFlag::PortNumbersReused);
        }
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
            analysis: result.flags.into_boxed_slice(),
        };
        let keep = tracked.detailed && self.retention.keeps_frame(packet.frame);
        if keep && tracked.conn.segments.is_empty() {
            self.holding += 1;
        }
        tracked.record(segment, keep);
        tracked.ending.observe(dir, tcp);
        if tracked.detailed {
            tracked.reassemble(dir, packet.frame, tcp, sink);
        }
        if tracked.ending.is_over() && !tracked.lingering {
            tracked.lingering = true;
            // It lingers a second with its segments: without the room they were growing into.
            tracked.conn.segments.shrink_to_fit();
            self.lingering.push_back(index);
        }
    }

    /// Connections retired since the last call, their facts final, in the order they ended. A connection that
    /// gets a segment after it was retired comes out again later with the same `index`: [`Connection::absorb`]
    /// adds that part to the first.
    pub fn take_retired(&mut self) -> std::vec::Drain<'_, Connection> {
        self.retired.drain(..)
    }

    /// Whether the [`Retention`] lets reading stop here: nothing later can change what it keeps.
    pub fn may_stop(&self) -> bool {
        self.retention.may_stop(self.last_frame, self.numbered, self.holding)
    }

    /// Connection states alive at once, at most so far (a measure of memory, for tests and reports).
    pub fn peak_open(&self) -> usize {
        self.peak_live
    }

    /// Ends every direction still open and returns the connections not taken yet, in `tcp.stream` order, the
    /// parts of one stream merged.
    pub fn finish(self, sink: &mut dyn StreamSink) -> Vec<Connection> {
        let mut all = Vec::new();
        self.finish_each(sink, &mut |c| all.push(c));
        merge_parts(all)
    }

    /// [`TcpAnalyzer::finish`] one connection at a time, in `tcp.stream` order (those retired but not taken
    /// first): a capture that ends with 300 000 connections open never holds them all twice.
    pub fn finish_each(mut self, sink: &mut dyn StreamSink, each: &mut dyn FnMut(Connection)) {
        for connection in self.retired.drain(..) {
            each(connection);
        }
        let mut open: Vec<usize> = self.live.keys().copied().collect();
        open.sort_unstable();
        for index in open {
            self.retire(index, sink);
            for connection in self.retired.drain(..) {
                each(connection);
            }
        }
    }

    /// Retires the connections that have lingered long enough since they were over.
    fn retire_lingering(&mut self, sink: &mut dyn StreamSink) {
        while let Some(&index) = self.lingering.front() {
            let waiting = self.live.get(&index).filter(|t| t.lingering);
            // A linger counts from the connection's last segment (its time from the capture's first packet).
            let now = self.clock.saturating_sub(self.first_timestamp.unwrap_or_default());
            if waiting.is_some_and(|t| now.saturating_sub(t.conn.last_time) < LINGER) {
                return;
            }
            self.lingering.pop_front();
            if waiting.is_some() {
                self.retire(index, sink);
            }
        }
    }

    /// Ends a live connection's directions and hands its facts over.
    fn retire(&mut self, index: usize, sink: &mut dyn StreamSink) {
        if let Some(tracked) = self.live.remove(&index) {
            if !tracked.conn.segments.is_empty() {
                self.holding -= 1;
            }
            self.retired.push(tracked.close(self.last_frame, sink));
        }
    }

    /// The stream this packet belongs to, starting a new one when it is the first of a connection; `true` with
    /// it when a new SYN reuses the ports of an earlier stream.
    fn stream_for(&mut self, tcp: &TcpPacket, sink: &mut dyn StreamSink) -> (usize, bool) {
        let mut reused = false;
        if let Some((index, client, server)) = self.table.lookup(tcp) {
            match self.live.get(&index) {
                Some(tracked) if tracked.is_new_syn_on_reused_ports(tcp) => {
                    // Nothing can reach the old connection any more.
                    self.retire(index, sink);
                    reused = true;
                }
                Some(_) => return (index, false),
                // Retired: a SYN starts a new stream, anything else is a late segment of the old one.
                None if tcp.flags.syn() && !tcp.flags.ack() => reused = true,
                None => {
                    self.track(ConnectionInfo { index, client, server });
                    return (index, false);
                }
            }
        }
        let (client, server) = roles(tcp);
        let index = self.numbered;
        self.numbered += 1;
        self.track(ConnectionInfo { index, client, server });
        self.table.insert(tcp, index, client);
        (index, reused)
    }

    /// Starts the state of a connection (new, or a retired one that got a late segment).
    fn track(&mut self, info: ConnectionInfo) {
        let detailed = self.retention.keeps_connection(&info);
        let tracked = Box::new(Tracked::new(Connection::new(info.index, info.client, info.server), detailed));
        self.live.insert(info.index, tracked);
        self.peak_live = self.peak_live.max(self.live.len());
    }
}

impl Tracked {
    fn new(conn: Connection, detailed: bool) -> Self {
        Tracked {
            conn,
            analysis: SequenceAnalysis::default(),
            streams: [None, None],
            fin_sent: [false, false],
            detailed,
            told: false,
            ending: Ending::default(),
            lingering: false,
        }
    }

    /// Ends both directions at `frame` (those never seen too, so decoders see both ends) and returns the facts.
    fn close(mut self, frame: u64, sink: &mut dyn StreamSink) -> Connection {
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            match &mut self.streams[dir.index()] {
                Some(stream) => stream.close(frame, sink),
                None if self.told => sink.end(self.conn.index, dir, frame),
                None => {}
            }
        }
        self.conn.window_shift = self.analysis.flows.each_ref().map(|f| match f.scaling {
            WindowScaling::Shift(shift) => Some(shift),
            WindowScaling::Unknown | WindowScaling::Disabled => None,
        });
        self.conn
    }
    /// A SYN (without ACK) whose sequence number is not the one its sender started this stream with.
    fn is_new_syn_on_reused_ports(&self, tcp: &TcpPacket) -> bool {
        if !tcp.flags.syn() || tcp.flags.ack() {
            return false;
        }
        let dir = if tcp.src == self.conn.client { Direction::ClientToServer } else { Direction::ServerToClient };
        self.analysis.flows[dir.index()].base_seq.is_some_and(|base| base != tcp.seq)
    }

    /// Updates the connection facts the segment changes, and keeps the segment when asked to.
    fn record(&mut self, segment: Segment, keep: bool) {
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
        conn.frame_bytes[dir.index()] += u64::from(segment.frame_len);
        conn.problems.add(&segment.analysis);
        if conn.total_packets() == 0 {
            conn.first_time = segment.time;
        }
        conn.last_time = segment.time;
        conn.packets[dir.index()] += 1;
        if keep {
            // Most connections of a big capture are short: grow from one segment, not four.
            if conn.segments.capacity() == 0 {
                conn.segments.reserve_exact(1);
            }
            conn.segments.push(segment);
        }
    }

    /// Hands the payload to the direction's reassembler; a RST ends both directions.
    fn reassemble(&mut self, dir: Direction, frame: u64, tcp: &TcpPacket, sink: &mut dyn StreamSink) {
        let flow = &self.analysis.flows[dir.index()];
        let base = flow.base_seq.unwrap_or(tcp.seq);
        let conn = self.conn.index;
        if tcp.payload_len == 0 && !tcp.flags.fin() && !tcp.flags.rst() && self.streams[dir.index()].is_none() {
            return;
        }
        if !std::mem::replace(&mut self.told, true) {
            sink.connection(ConnectionInfo { index: conn, client: self.conn.client, server: self.conn.server });
        }
        let stream = self.streams[dir.index()]
            .get_or_insert_with(|| Box::new(Reassembler::new(conn, dir, base.wrapping_add(1))));
        // The SYN takes one sequence number before the first payload byte.
        let seq = if tcp.flags.syn() { tcp.seq.wrapping_add(1) } else { tcp.seq };
        let at = Placement { frame, seq, len: tcp.payload_len };
        if tcp.flags.rst() {
            stream.reset(frame, sink);
            let other = dir.reverse();
            let peer_base = self.analysis.flows[other.index()].base_seq.unwrap_or(0);
            self.streams[other.index()]
                .get_or_insert_with(|| Box::new(Reassembler::new(conn, other, peer_base.wrapping_add(1))))
                .reset(frame, sink);
        } else {
            stream.segment(at, &tcp.payload, tcp.flags.fin(), sink);
        }
    }
}

/// Hashes a `tcp.stream` number: they are ours, numbered in order, so a multiplication spreads them (no
/// input can make them collide, unlike the endpoints of [`StreamTable`], which keeps std's keyed hash).
#[derive(Debug, Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
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

#[cfg(test)]
mod tests {
    //! Small conversations built packet by packet; the expected flags are what tshark 4.0 prints for the same
    //! exchanges (see `tests/fixtures/tcp/make_synthetic.py`, which writes them as captures).
    use super::*;
    use crate::capture::{TcpFlags, TcpOptions};
    use crate::tcp::reassembly::tests::Recorder;
    use crate::tcp::{AnalysisFlag as F, Side};

    const SYN: u16 = TcpFlags::SYN;
    const ACK: u16 = TcpFlags::ACK;
    const FIN: u16 = TcpFlags::FIN;
    const RST: u16 = TcpFlags::RST;
    const PSH: u16 = TcpFlags::PSH;

    /// The sizes the memory figures rest on: a long stream keeps a million segments, a SYN flood holds the state
    /// of 300 000 open connections at once (docs/performance.md). A field that makes them bigger is a choice to
    /// make knowingly.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_segment_and_an_open_connection_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<Segment>() <= 120, "Segment: {} bytes", size_of::<Segment>());
        assert!(size_of::<SequenceAnalysis>() <= 144, "SequenceAnalysis: {} bytes", size_of::<SequenceAnalysis>());
        assert!(size_of::<Tracked>() <= 440, "Tracked: {} bytes", size_of::<Tracked>());
    }

    /// Builds packets of one client/server pair with a running clock (in microseconds).
    struct Script {
        analyzer: TcpAnalyzer,
        sink: Recorder,
        frame: u64,
        micros: u64,
        client: &'static str,
        server: &'static str,
    }

    impl Script {
        fn new(client: &'static str, server: &'static str) -> Self {
            Script { analyzer: TcpAnalyzer::new(), sink: Recorder::default(), frame: 0, micros: 0, client, server }
        }

        /// Sends from the client (`c2s`) or the server; `seq`/`ack` absolute.
        #[allow(clippy::too_many_arguments)]
        fn send(&mut self, c2s: bool, after_us: u64, flags: u16, seq: u32, ack: u32, window: u16, data: &[u8]) {
            self.send_with(c2s, after_us, flags, seq, ack, window, data, TcpOptions::default());
        }

        #[allow(clippy::too_many_arguments)]
        fn send_with(
            &mut self,
            c2s: bool,
            after_us: u64,
            flags: u16,
            seq: u32,
            ack: u32,
            window: u16,
            data: &[u8],
            options: TcpOptions,
        ) {
            self.frame += 1;
            self.micros += after_us;
            let (src, dst) = if c2s { (self.client, self.server) } else { (self.server, self.client) };
            let tcp = TcpPacket {
                src: src.parse().expect("test address"),
                dst: dst.parse().expect("test address"),
                seq,
                ack,
                flags: TcpFlags(flags),
                window,
                options,
                payload_len: data.len() as u32,
                payload: data.to_vec(),
            };
            let packet = Packet {
                frame: self.frame,
                timestamp: Duration::from_micros(1_700_000_000_000_000 + self.micros),
                orig_len: 54 + data.len() as u32,
                cap_len: 54 + data.len() as u32,
                content: PacketContent::Tcp(tcp),
            };
            self.analyzer.push(&packet, &mut self.sink);
        }

        fn handshake(&mut self, client_isn: u32, server_isn: u32, shifts: (Option<u8>, Option<u8>)) {
            let opts = |shift| TcpOptions { mss: Some(1460), window_scale: shift, ..TcpOptions::default() };
            self.send_with(true, 1000, SYN, client_isn, 0, 64240, b"", opts(shifts.0));
            self.send_with(false, 5000, SYN | ACK, server_isn, client_isn + 1, 65160, b"", opts(shifts.1));
            self.send(true, 5000, ACK, client_isn + 1, server_isn + 1, 502, b"");
        }

        fn finish(self) -> (Vec<Connection>, Vec<String>) {
            let mut sink = self.sink;
            let conns = self.analyzer.finish(&mut sink);
            (conns, sink.lines)
        }
    }

    fn flags_by_frame(conn: &Connection) -> Vec<(u64, Vec<F>)> {
        conn.segments.iter().filter(|s| !s.analysis.is_empty()).map(|s| (s.frame, s.analysis.to_vec())).collect()
    }

    #[test]
    fn a_clean_exchange_has_relative_numbers_scaled_windows_rtt_and_close() {
        let mut s = Script::new("10.0.0.1:40000", "10.0.0.2:80");
        s.handshake(1000, 5000, (Some(7), Some(7)));
        s.send(true, 100, PSH | ACK, 1001, 5001, 502, b"GET / HTTP/1.1\r\n\r\n");
        s.send(false, 300, PSH | ACK, 5001, 1019, 509, b"HTTP/1.1 200 OK\r\n\r\n");
        s.send(true, 100, FIN | ACK, 1019, 5020, 502, b"");
        s.send(false, 100, FIN | ACK, 5020, 1020, 509, b"");
        s.send(true, 100, ACK, 1020, 5021, 502, b"");
        let (conns, lines) = s.finish();
        let [conn] = conns.as_slice() else { panic!("one connection expected, got {}", conns.len()) };
        let numbers: Vec<(u32, u32, u32, u32)> =
            conn.segments.iter().map(|s| (s.seq, s.ack, s.len, s.window)).collect();
        assert_eq!(
            numbers,
            [
                (0, 0, 0, 64240),
                (0, 1, 0, 65160),
                (1, 1, 0, 64256),
                (1, 1, 18, 64256),
                (1, 19, 19, 65152),
                (19, 20, 0, 64256),
                (20, 20, 0, 65152),
                (20, 21, 0, 64256)
            ]
        );
        assert!(conn.syn_seen);
        assert_eq!(conn.handshake_rtt, Some(Duration::from_millis(10)));
        assert_eq!(conn.first_close, Some(Close { by: Side::Client, kind: CloseKind::Fin, frame: 6 }));
        assert!(!conn.half_closed);
        assert_eq!(conn.bytes, [18, 19]);
        assert_eq!(conn.window_shift, [Some(7), Some(7)]);
        assert!(flags_by_frame(conn).is_empty());
        assert_eq!(
            lines,
            [
                "conn 0 10.0.0.1:40000 10.0.0.2:80",
                "data 0 c2s f4 @0 GET / HTTP/1.1\r\n\r\n",
                "data 0 s2c f5 @0 HTTP/1.1 200 OK\r\n\r\n",
                "end 0 c2s f6",
                "end 0 s2c f7"
            ]
        );
    }

    #[test]
    fn zero_window_probes_and_window_update_follow_tshark() {
        // Same exchange as tests/fixtures/tcp/zero-window.pcap (frames renumbered from 1).
        let mut s = Script::new("10.0.0.1:40001", "10.0.0.2:5432");
        s.handshake(1000, 5000, (Some(0), Some(0)));
        s.send(true, 1000, ACK, 1001, 5001, 4000, b""); // 4: window update
        for i in 0..4 {
            s.send(false, 200, ACK, 5001 + i * 1000, 1001, 65160, &[b'a'; 1000]); // 8: window full
        }
        s.send(true, 2000, ACK, 1001, 9001, 0, b""); // 9: zero window
        s.send(false, 200_000, ACK, 9001, 1001, 65160, b"z"); // 10: probe
        s.send(true, 1000, ACK, 1001, 9001, 0, b""); // 11: zero window + probe ack
        s.send(true, 300_000, ACK, 1001, 9001, 8000, b""); // 12: window update
        s.send(false, 1000, ACK, 9001, 1001, 65160, &[b'z'; 1000]);
        s.send(true, 10_000, ACK, 1001, 10001, 8000, b"");
        s.send(true, 10_000, ACK, 1001, 10001, 8000, b""); // 15: dup ack
        let (conns, _) = s.finish();
        let expected = [
            (4, vec![F::WindowUpdate]),
            (8, vec![F::WindowFull]),
            (9, vec![F::ZeroWindow]),
            (10, vec![F::ZeroWindowProbe]),
            (11, vec![F::ZeroWindow, F::ZeroWindowProbeAck]),
            (12, vec![F::WindowUpdate]),
            (15, vec![F::DuplicateAck { number: 1, of_frame: 14 }]),
        ];
        assert_eq!(flags_by_frame(&conns[0]), expected);
    }

    #[test]
    fn dup_acks_then_fast_retransmission_and_losses_are_flagged() {
        let mut s = Script::new("10.0.0.1:40000", "10.0.0.2:80");
        s.handshake(1000, 5000, (Some(7), Some(7)));
        s.send(false, 100, ACK, 5001, 1001, 509, &[b'a'; 100]);
        s.send(false, 100, ACK, 5201, 1001, 509, &[b'c'; 100]); // 5: 5101..5201 never captured
        s.send(true, 10_000, ACK, 1001, 5101, 502, b"");
        s.send(true, 100, ACK, 1001, 5101, 502, b""); // 7: dup 1
        s.send(true, 100, ACK, 1001, 5101, 502, b""); // 8: dup 2
        s.send(false, 1000, ACK, 5101, 1001, 509, &[b'b'; 100]); // 9: fast retransmission
        s.send(true, 100, ACK, 1001, 5500, 502, b""); // 10: acks bytes never seen
        let (conns, lines) = s.finish();
        let expected = [
            (5, vec![F::LostSegment]),
            (7, vec![F::DuplicateAck { number: 1, of_frame: 6 }]),
            (8, vec![F::DuplicateAck { number: 2, of_frame: 6 }]),
            (9, vec![F::FastRetransmission]),
            (10, vec![F::AckedUnseenSegment]),
        ];
        assert_eq!(flags_by_frame(&conns[0]), expected);
        // The hole filled by frame 9 releases the waiting bytes with it.
        assert!(lines.contains(&format!("data 0 s2c f9 @100 {}", "b".repeat(100))));
        assert!(lines.contains(&format!("data 0 s2c f9 @200 {}", "c".repeat(100))));
    }

    #[test]
    fn acks_of_unseen_data_are_reported_once_until_the_peer_acks_again() {
        // Same exchange as tests/fixtures/tcp/acked-unseen.pcap, shortened.
        let mut s = Script::new("10.4.0.1:43000", "10.4.0.2:8000");
        s.handshake(1000, 5000, (Some(0), Some(0)));
        s.send(true, 100, PSH | ACK, 1001, 5001, 502, &[b'a'; 100]);
        s.send(false, 1000, ACK, 5001, 1601, 509, b""); // 5: acks 500 bytes never seen
        s.send(false, 1000, PSH | ACK, 5001, 1601, 509, &[b'b'; 50]); // 6: same again, not reported
        s.send(true, 1000, ACK, 1101, 5051, 502, b""); // 7: the client's ACK moves
        s.send(false, 1000, ACK, 5051, 1601, 509, b""); // 8: reported again
        s.send(true, 1000, ACK, 1101, 5051, 502, b""); // 9: dup 1
        s.send(false, 1000, ACK, 5051, 1701, 509, b""); // 10: the client repeated its ACK: not reported
        s.send(true, 1000, ACK, 1101, 5051, 502, b""); // 11: counting starts again at 1
        s.send(false, 1000, PSH | ACK, 5051, 1101, 509, &[b'd'; 100]);
        s.send(false, 500, PSH | ACK, 5151, 1101, 509, &[b'e'; 100]);
        s.send(true, 500, ACK, 1101, 5151, 502, b""); // 14: acks the first part only
        s.send(false, 1000, ACK, 5251, 1151, 509, b""); // 15: reported, the client's ACK is muted
        s.send(false, 2000, PSH | ACK, 5151, 1101, 509, &[b'e'; 100]); // 16: muted counts as dup ACKs
        let (conns, _) = s.finish();
        let expected = [
            (5, vec![F::AckedUnseenSegment]),
            (8, vec![F::DuplicateAck { number: 1, of_frame: 5 }, F::AckedUnseenSegment]),
            (9, vec![F::DuplicateAck { number: 1, of_frame: 7 }]),
            (11, vec![F::DuplicateAck { number: 1, of_frame: 7 }]),
            (15, vec![F::AckedUnseenSegment]),
            (16, vec![F::FastRetransmission]),
        ];
        assert_eq!(flags_by_frame(&conns[0]), expected);
    }

    #[test]
    fn a_late_syn_ack_window_is_unscaled_for_the_window_full_check() {
        let mut s = Script::new("10.5.0.1:44000", "10.5.0.2:8443");
        s.handshake(1000, 5000, (Some(7), Some(7)));
        s.send(true, 100, PSH | ACK, 1001, 5001, 502, &[b'a'; 100]);
        s.send(false, 5000, ACK, 5001, 1101, 509, b"");
        let scaled = TcpOptions { window_scale: Some(7), ..TcpOptions::default() };
        s.send_with(false, 50_000, SYN | ACK, 5000, 1101, 200, b"", scaled); // 6: a resent SYN-ACK
        s.send(true, 1000, PSH | ACK, 1101, 5001, 502, &[b'b'; 200]); // 7: exactly 200 bytes, not 200 << 7
        let (conns, _) = s.finish();
        assert_eq!(flags_by_frame(&conns[0]), [(6, vec![F::Retransmission]), (7, vec![F::WindowFull])]);
    }

    #[test]
    fn keep_alives_and_their_acks() {
        let mut s = Script::new("192.168.1.10:51000", "192.168.1.20:443");
        s.handshake(1000, 5000, (Some(7), Some(7)));
        s.send(true, 100, PSH | ACK, 1001, 5001, 502, b"hello");
        s.send(false, 5000, ACK, 5001, 1006, 509, b"");
        s.send(true, 45_000_000, ACK, 1005, 5001, 502, b""); // 6: keep-alive
        s.send(false, 5000, ACK, 5001, 1006, 509, b""); // 7: keep-alive ack
        s.send(false, 60_000_000, ACK, 5000, 1006, 509, b"\0"); // 8: one-byte keep-alive
        s.send(true, 5000, ACK, 1006, 5001, 502, b""); // 9
        let (conns, lines) = s.finish();
        let expected =
            [(6, vec![F::KeepAlive]), (7, vec![F::KeepAliveAck]), (8, vec![F::KeepAlive]), (9, vec![F::KeepAliveAck])];
        assert_eq!(flags_by_frame(&conns[0]), expected);
        // The keep-alive's garbage byte is never delivered as stream data.
        assert_eq!(lines.iter().filter(|l| l.starts_with("data")).count(), 1);
    }

    #[test]
    fn a_new_syn_on_the_same_ports_starts_a_new_stream_but_a_resent_syn_does_not() {
        let mut s = Script::new("10.1.0.1:45000", "10.1.0.2:8080");
        s.handshake(1000, 5000, (None, None));
        s.send(true, 100, RST | ACK, 1001, 5001, 502, b"");
        s.send(true, 500_000, SYN, 900_000, 0, 64240, b""); // 5: new stream
        s.send(true, 1_000_000, SYN, 900_000, 0, 64240, b""); // 6: retransmitted SYN, same stream
        s.send(false, 1000, SYN | ACK, 7000, 900_001, 65160, b"");
        let (conns, _) = s.finish();
        assert_eq!(conns.len(), 2);
        assert_eq!(conns[0].first_close, Some(Close { by: Side::Client, kind: CloseKind::Rst, frame: 4 }));
        assert_eq!(conns[1].segments.iter().map(|s| s.frame).collect::<Vec<_>>(), [5, 6, 7]);
        // tshark: the new SYN is "TCP Port numbers reused" (tests/fixtures/tcp/port-reuse.pcap, frames 9 and 10).
        assert_eq!(flags_by_frame(&conns[1]), [(5, vec![F::PortNumbersReused]), (6, vec![F::Retransmission])]);
        // Without a window-scale option on the SYNs, windows stay as sent.
        assert_eq!(conns[0].segments[2].window, 502);
    }

    #[test]
    fn without_a_handshake_the_service_port_is_the_server_and_windows_are_unscaled() {
        let mut s = Script::new("10.2.0.2:22", "10.2.0.1:33333"); // first packet from the server side
        s.send(true, 0, PSH | ACK, 987_654, 123_456, 1023, &[b's'; 64]);
        s.send(false, 1000, ACK, 123_456, 987_718, 501, b"");
        let (conns, _) = s.finish();
        let conn = &conns[0];
        assert_eq!(conn.server.to_string(), "10.2.0.2:22");
        assert!(!conn.syn_seen);
        let first = &conn.segments[0];
        assert_eq!((first.dir, first.seq, first.ack, first.window), (Direction::ServerToClient, 1, 1, 1023));
        assert_eq!(conn.handshake_rtt, None);
        assert_eq!(conn.window_shift, [None, None]);
    }

    #[test]
    fn a_connection_over_is_retired_a_second_later_and_a_late_segment_is_a_second_part() {
        let mut s = Script::new("10.0.0.1:40000", "10.0.0.2:80");
        s.handshake(1000, 5000, (None, None));
        s.send(true, 100, FIN | ACK, 1001, 5001, 502, b""); // 4
        s.send(false, 100, FIN | ACK, 5001, 1002, 509, b""); // 5
        s.send(true, 100, ACK, 1002, 5002, 502, b""); // 6: both FINs acknowledged
        let mut other = Script::new("10.0.0.3:40001", "10.0.0.2:80");
        std::mem::swap(&mut other.analyzer, &mut s.analyzer);
        other.frame = s.frame;
        other.micros = s.micros;
        other.send(true, 999_000, SYN, 7000, 0, 64240, b""); // 7: 0.999 s later, still lingering
        assert_eq!(other.analyzer.take_retired().count(), 0);
        other.send(true, 2000, ACK, 7001, 0, 64240, b""); // 8: past the linger
        let retired: Vec<Connection> = other.analyzer.take_retired().collect();
        assert_eq!(retired.iter().map(|c| (c.index, c.total_packets())).collect::<Vec<_>>(), [(0, 6)]);
        std::mem::swap(&mut other.analyzer, &mut s.analyzer);
        s.frame = other.frame;
        s.micros = other.micros;
        s.send(false, 3_000_000, FIN | ACK, 5001, 1002, 509, b""); // 9: a FIN resent 3 s later
        let (conns, _) = s.finish();
        // Stream 0 again, as tshark numbers it: the late part comes out on its own, with the same index.
        assert_eq!(conns.iter().map(|c| (c.index, c.total_packets())).collect::<Vec<_>>(), [(0, 1), (1, 2)]);
        let mut first = retired.into_iter().next().unwrap();
        first.absorb(conns[0].clone());
        assert_eq!((first.total_packets(), first.packets), (7, [4, 3]));
        assert_eq!(first.first_close.map(|c| c.frame), Some(4));
    }

    #[test]
    fn half_close_is_seen_and_a_reset_ends_both_directions() {
        let mut s = Script::new("172.16.0.1:42000", "172.16.0.2:7000");
        s.handshake(1000, 5000, (Some(8), Some(2)));
        s.send(true, 100, FIN | ACK, 1001, 5001, 502, b""); // 4: client is done sending
        s.send(false, 1000, PSH | ACK, 5001, 1002, 509, b"still here"); // 5: server keeps sending
        s.send(false, 1000, RST | ACK, 5011, 1002, 509, b""); // 6
        let (conns, lines) = s.finish();
        let conn = &conns[0];
        assert!(conn.half_closed);
        assert_eq!(conn.first_close, Some(Close { by: Side::Client, kind: CloseKind::Fin, frame: 4 }));
        assert_eq!(conn.segments[4].window, 509 << 2);
        assert_eq!(lines[1..], ["end 0 c2s f4", "data 0 s2c f5 @0 still here", "end 0 s2c f6"]);
    }
}
