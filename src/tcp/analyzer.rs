//! Connection tracking: turns packets into [`Connection`]s and feeds payload to a [`StreamSink`].

use super::{Close, CloseKind, Connection, ConnectionInfo, Direction, Segment, StreamSink};
use crate::capture::{Packet, PacketContent, TcpPacket};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Per-direction state: the initial sequence number and what has been delivered to the sink.
#[derive(Debug, Default, Clone)]
struct Flow {
    isn: Option<u32>,
    window_scale: Option<u8>,
    /// Next stream offset the sink expects.
    next_offset: u64,
    ended: bool,
}

#[derive(Debug)]
struct Tracked {
    conn: Connection,
    flows: [Flow; 2],
    syn_time: Option<Duration>,
    /// Both sides have ended (FIN/RST): a new SYN on the same 4-tuple starts a new connection.
    closed: bool,
}

/// Feeds on packets in capture order; [`TcpAnalyzer::finish`] returns the connections.
#[derive(Debug, Default)]
pub struct TcpAnalyzer {
    first_timestamp: Option<Duration>,
    last_frame: u64,
    tracked: Vec<Tracked>,
    /// (client, server) -> index into `tracked` of the live connection for that 4-tuple.
    by_tuple: HashMap<(SocketAddr, SocketAddr), usize>,
}

impl TcpAnalyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes every packet of the capture (non-TCP ones too: they set the time origin).
    pub fn push(&mut self, packet: &Packet, sink: &mut dyn StreamSink) {
        let origin = *self.first_timestamp.get_or_insert(packet.timestamp);
        self.last_frame = packet.frame;
        let PacketContent::Tcp(tcp) = &packet.content else {
            return;
        };
        let time = packet.timestamp.saturating_sub(origin);
        let (idx, dir) = self.connection_for(tcp, sink);
        let tracked = &mut self.tracked[idx];
        let flow_idx = dir.index();
        if tcp.flags.syn() {
            tracked.flows[flow_idx].isn = Some(tcp.seq);
            tracked.flows[flow_idx].window_scale = tcp.options.window_scale;
            if dir == Direction::ClientToServer && tracked.syn_time.is_none() {
                tracked.syn_time = Some(time);
            }
        }
        let isn = *tracked.flows[flow_idx].isn.get_or_insert(tcp.seq.wrapping_sub(1));
        let peer_isn = tracked.flows[dir.reverse().index()].isn;
        let seq = tcp.seq.wrapping_sub(isn);
        let ack = match (tcp.flags.ack(), peer_isn) {
            (true, Some(peer)) => tcp.ack.wrapping_sub(peer),
            _ => 0,
        };
        // Scaling applies only when both SYNs carried the option (RFC 7323), and never to a SYN itself.
        let both_scaled = tracked.flows.iter().all(|f| f.window_scale.is_some());
        let window = match tracked.flows[flow_idx].window_scale {
            Some(shift) if both_scaled && !tcp.flags.syn() => u32::from(tcp.window) << shift.min(14),
            _ => u32::from(tcp.window),
        };
        let conn = &mut tracked.conn;
        if conn.handshake_rtt.is_none() && dir == Direction::ClientToServer && !tcp.flags.syn() && tcp.flags.ack() {
            if let Some(syn_time) = tracked.syn_time {
                conn.handshake_rtt = Some(time.saturating_sub(syn_time));
            }
        }
        if conn.first_close.is_none() && (tcp.flags.fin() || tcp.flags.rst()) {
            let kind = if tcp.flags.rst() { CloseKind::Rst } else { CloseKind::Fin };
            conn.first_close = Some(Close { by: dir.sender(), kind, frame: packet.frame });
        }
        conn.bytes[flow_idx] += u64::from(tcp.payload_len);
        conn.segments.push(Segment {
            frame: packet.frame,
            frame_len: packet.orig_len,
            time,
            dir,
            flags: tcp.flags,
            seq,
            ack,
            abs_seq: tcp.seq,
            abs_ack: tcp.ack,
            len: tcp.payload_len,
            captured_len: tcp.payload.len() as u32,
            window,
            options: tcp.options.clone(),
            analysis: Vec::new(),
        });
        deliver(conn.index, tracked, dir, packet.frame, tcp, seq, sink);
    }

    /// Ends every direction still open and returns the connections in `tcp.stream` order.
    pub fn finish(self, sink: &mut dyn StreamSink) -> Vec<Connection> {
        let last_frame = self.last_frame;
        self.tracked
            .into_iter()
            .map(|mut t| {
                for dir in [Direction::ClientToServer, Direction::ServerToClient] {
                    if !t.flows[dir.index()].ended {
                        t.flows[dir.index()].ended = true;
                        sink.end(t.conn.index, dir, last_frame);
                    }
                }
                t.conn
            })
            .collect()
    }

    fn connection_for(&mut self, tcp: &TcpPacket, sink: &mut dyn StreamSink) -> (usize, Direction) {
        let forward = (tcp.src, tcp.dst);
        let backward = (tcp.dst, tcp.src);
        let is_new_syn = tcp.flags.syn() && !tcp.flags.ack();
        for (key, dir) in [(forward, Direction::ClientToServer), (backward, Direction::ServerToClient)] {
            if let Some(&idx) = self.by_tuple.get(&key) {
                let reused = is_new_syn && dir == Direction::ClientToServer && self.tracked[idx].closed;
                if !reused {
                    return (idx, dir);
                }
            }
        }
        let (client, server, dir) = if is_new_syn || tcp.flags.syn() && tcp.flags.ack() {
            // SYN: the sender is the client. SYN-ACK without SYN: the receiver is.
            if tcp.flags.ack() {
                (tcp.dst, tcp.src, Direction::ServerToClient)
            } else {
                (tcp.src, tcp.dst, Direction::ClientToServer)
            }
        } else if is_server_port(tcp.src.port(), tcp.dst.port()) {
            (tcp.dst, tcp.src, Direction::ServerToClient)
        } else {
            (tcp.src, tcp.dst, Direction::ClientToServer)
        };
        let index = self.tracked.len();
        self.tracked.push(Tracked {
            conn: Connection {
                index,
                client,
                server,
                syn_seen: tcp.flags.syn(),
                segments: Vec::new(),
                handshake_rtt: None,
                first_close: None,
                half_closed: false,
                bytes: [0, 0],
            },
            flows: Default::default(),
            syn_time: None,
            closed: false,
        });
        self.by_tuple.insert((client, server), index);
        sink.connection(ConnectionInfo { index, client, server });
        (index, dir)
    }
}

/// Without a SYN, the side with the lower port is taken as the server when it is a well-known port.
fn is_server_port(src: u16, dst: u16) -> bool {
    src < dst && src < 49152
}

/// Delivers in-order payload to the sink and marks direction ends.
fn deliver(
    conn: usize,
    tracked: &mut Tracked,
    dir: Direction,
    frame: u64,
    tcp: &TcpPacket,
    seq: u32,
    sink: &mut dyn StreamSink,
) {
    let flow = &mut tracked.flows[dir.index()];
    if flow.ended {
        return;
    }
    // Stream offset of this payload: seq counts the SYN as one, so the first data byte has seq 1.
    let offset = u64::from(seq.wrapping_sub(1));
    if tcp.payload_len > 0 && offset == flow.next_offset {
        if !tcp.payload.is_empty() {
            sink.data(conn, dir, frame, offset, &tcp.payload);
        }
        let missing = u64::from(tcp.payload_len) - tcp.payload.len() as u64;
        if missing > 0 {
            sink.gap(conn, dir, frame, offset + tcp.payload.len() as u64, missing);
        }
        flow.next_offset = offset + u64::from(tcp.payload_len);
    }
    if tcp.flags.fin() || tcp.flags.rst() {
        flow.ended = true;
        sink.end(conn, dir, frame);
        if tcp.flags.rst() {
            let other = &mut tracked.flows[dir.reverse().index()];
            if !other.ended {
                other.ended = true;
                sink.end(conn, dir.reverse(), frame);
            }
        }
    }
    tracked.closed = tracked.flows.iter().all(|f| f.ended);
}
