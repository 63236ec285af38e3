//! Connection tracking: which `tcp.stream` a packet belongs to, and which end is the client.
//!
//! Streams are numbered in order of first appearance, like Wireshark's `tcp.stream`. A packet belongs to the
//! latest stream of its address/port pair, except a SYN (without ACK) whose sequence number differs from the
//! one its sender used in that stream: that is a new connection reusing the ports (Wireshark's "TCP port numbers
//! reused"), and starts a new stream. A SYN with the same sequence number is a retransmission and stays.
//!
//! The client is the SYN sender. Without a SYN, the end whose port looks like a service port is the server:
//! a well-known port (< 1024) before a registered one (< 49152) before an ephemeral one, the lower port on a tie.

use crate::capture::TcpPacket;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};

/// The two endpoints of a connection in a fixed order, so both directions find the same entry; packed in
/// 12 bytes for IPv4 (the table holds one entry per address/port pair of the capture).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EndpointPair {
    V4([u8; 12]),
    Other(Box<(SocketAddr, SocketAddr)>),
}

impl EndpointPair {
    fn of(a: SocketAddr, b: SocketAddr) -> Self {
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        match (first, second) {
            (SocketAddr::V4(x), SocketAddr::V4(y)) => {
                let mut packed = [0u8; 12];
                packed[..4].copy_from_slice(&x.ip().octets());
                packed[4..6].copy_from_slice(&x.port().to_be_bytes());
                packed[6..10].copy_from_slice(&y.ip().octets());
                packed[10..].copy_from_slice(&y.port().to_be_bytes());
                EndpointPair::V4(packed)
            }
            _ => EndpointPair::Other(Box::new((first, second))),
        }
    }

    /// The endpoints, the lower first.
    fn endpoints(&self) -> (SocketAddr, SocketAddr) {
        match self {
            EndpointPair::V4(p) => {
                let at = |i: usize| {
                    let ip = Ipv4Addr::new(p[i], p[i + 1], p[i + 2], p[i + 3]);
                    SocketAddr::from((ip, u16::from_be_bytes([p[i + 4], p[i + 5]])))
                };
                (at(0), at(6))
            }
            EndpointPair::Other(pair) => **pair,
        }
    }
}

/// Maps each address/port pair to its latest stream, for as long as the capture lasts: a segment that comes
/// after its connection was retired still belongs to that `tcp.stream`, as in Wireshark.
#[derive(Debug, Default)]
pub struct StreamTable {
    latest: HashMap<EndpointPair, Entry>,
}

/// A stream's number, shifted left by one, with the low bit set when the pair's first endpoint is its client.
#[derive(Debug, Clone, Copy)]
struct Entry(u64);

impl StreamTable {
    /// The latest stream of this packet's endpoints, if any, with its (client, server).
    pub fn lookup(&self, tcp: &TcpPacket) -> Option<(usize, SocketAddr, SocketAddr)> {
        let pair = EndpointPair::of(tcp.src, tcp.dst);
        let Entry(entry) = *self.latest.get(&pair)?;
        let (first, second) = pair.endpoints();
        let (client, server) = if entry & 1 == 1 { (first, second) } else { (second, first) };
        Some((usize::try_from(entry >> 1).unwrap_or(usize::MAX), client, server))
    }

    /// Records `index` (with `client` as its client) as the stream later packets between these endpoints
    /// belong to.
    pub fn insert(&mut self, tcp: &TcpPacket, index: usize, client: SocketAddr) {
        let pair = EndpointPair::of(tcp.src, tcp.dst);
        let client_is_first = pair.endpoints().0 == client;
        self.latest.insert(pair, Entry((index as u64) << 1 | u64::from(client_is_first)));
    }
}

/// Decides client and server for the first packet of a new stream: `(client, server)`.
pub fn roles(tcp: &TcpPacket) -> (SocketAddr, SocketAddr) {
    match (tcp.flags.syn(), tcp.flags.ack()) {
        (true, false) => (tcp.src, tcp.dst),
        (true, true) => (tcp.dst, tcp.src),
        _ if port_rank(tcp.src.port()) < port_rank(tcp.dst.port()) => (tcp.dst, tcp.src),
        _ => (tcp.src, tcp.dst),
    }
}

/// Lower means more likely a server port: well-known, then registered, then ephemeral; the port itself breaks ties.
fn port_rank(port: u16) -> (u8, u16) {
    let class = match port {
        0..1024 => 0,
        1024..49152 => 1,
        _ => 2,
    };
    (class, port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{TcpFlags, TcpOptions};

    fn packet(src: &str, dst: &str, flags: u16) -> TcpPacket {
        TcpPacket {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            seq: 1,
            ack: 0,
            flags: TcpFlags(flags),
            window: 100,
            options: TcpOptions::default(),
            payload_len: 0,
            payload: Vec::new(),
        }
    }

    fn client_of(src: &str, dst: &str, flags: u16) -> String {
        roles(&packet(src, dst, flags)).0.to_string()
    }

    #[test]
    fn syn_sender_is_client_and_syn_ack_receiver_too() {
        assert_eq!(client_of("10.0.0.1:80", "10.0.0.2:50000", TcpFlags::SYN), "10.0.0.1:80");
        assert_eq!(client_of("10.0.0.1:80", "10.0.0.2:50000", TcpFlags::SYN | TcpFlags::ACK), "10.0.0.2:50000");
    }

    #[test]
    fn without_syn_the_service_port_is_the_server() {
        let ack = TcpFlags::ACK;
        assert_eq!(client_of("10.0.0.1:22", "10.0.0.2:33333", ack), "10.0.0.2:33333");
        assert_eq!(client_of("10.0.0.1:50001", "10.0.0.2:5432", ack), "10.0.0.1:50001");
        assert_eq!(client_of("10.0.0.1:5432", "10.0.0.2:50001", ack), "10.0.0.2:50001");
        // Both registered: the lower port serves.
        assert_eq!(client_of("10.0.0.1:8080", "10.0.0.2:3000", ack), "10.0.0.1:8080");
        // Both ephemeral and equal: the sender of the first packet is taken as the client.
        assert_eq!(client_of("10.0.0.1:60000", "10.0.0.2:60000", ack), "10.0.0.1:60000");
    }

    #[test]
    fn pairs_give_back_their_endpoints_in_order() {
        for (a, b) in [("10.0.0.2:80", "10.0.0.1:1234"), ("[::1]:443", "[::1]:50000"), ("[::1]:1", "10.0.0.1:2")] {
            let (a, b): (SocketAddr, SocketAddr) = (a.parse().unwrap(), b.parse().unwrap());
            let pair = EndpointPair::of(a, b);
            assert_eq!(pair, EndpointPair::of(b, a));
            assert_eq!(pair.endpoints(), (a.min(b), a.max(b)));
        }
    }

    #[test]
    fn both_directions_find_the_same_stream() {
        let mut table = StreamTable::default();
        let forward = packet("10.0.0.1:1234", "10.0.0.2:80", TcpFlags::SYN);
        let backward = packet("10.0.0.2:80", "10.0.0.1:1234", TcpFlags::ACK);
        let (client, server) = (forward.src, forward.dst);
        assert_eq!(table.lookup(&forward), None);
        table.insert(&forward, 7, client);
        assert_eq!(table.lookup(&backward), Some((7, client, server)));
        table.insert(&backward, 8, server);
        assert_eq!(table.lookup(&forward), Some((8, server, client)));
    }
}
