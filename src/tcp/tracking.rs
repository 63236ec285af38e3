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
use std::net::SocketAddr;

/// The two endpoints of a connection, in a fixed order so both directions find the same entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct EndpointPair(SocketAddr, SocketAddr);

impl EndpointPair {
    fn of(a: SocketAddr, b: SocketAddr) -> Self {
        if a <= b { EndpointPair(a, b) } else { EndpointPair(b, a) }
    }
}

/// Maps each address/port pair to its latest stream, for as long as the capture lasts: a segment that comes
/// after its connection was retired still belongs to that `tcp.stream`, as in Wireshark.
#[derive(Debug, Default)]
pub struct StreamTable {
    latest: HashMap<EndpointPair, Entry>,
}

/// A stream and which of the pair's endpoints is its client.
#[derive(Debug, Clone, Copy)]
struct Entry {
    index: usize,
    client_is_first: bool,
}

impl StreamTable {
    /// The latest stream of this packet's endpoints, if any, with its (client, server).
    pub fn lookup(&self, tcp: &TcpPacket) -> Option<(usize, SocketAddr, SocketAddr)> {
        let pair = EndpointPair::of(tcp.src, tcp.dst);
        let entry = self.latest.get(&pair)?;
        let (client, server) = if entry.client_is_first { (pair.0, pair.1) } else { (pair.1, pair.0) };
        Some((entry.index, client, server))
    }

    /// Records `index` (with `client` as its client) as the stream later packets between these endpoints
    /// belong to.
    pub fn insert(&mut self, tcp: &TcpPacket, index: usize, client: SocketAddr) {
        let pair = EndpointPair::of(tcp.src, tcp.dst);
        let client_is_first = pair.0 == client;
        self.latest.insert(pair, Entry { index, client_is_first });
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
