//! Small captures written by the tests themselves: a pcap writer (Ethernet, IPv4, TCP) and scripted
//! connections, for inputs too large or too hostile to commit.

use std::net::SocketAddrV4;

pub const SYN: u8 = 0x02;
pub const FIN: u8 = 0x01;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// A pcap file being written in memory (microsecond timestamps, Ethernet).
pub struct PcapWriter {
    bytes: Vec<u8>,
}

impl Default for PcapWriter {
    fn default() -> Self {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&[0; 8]); // time zone, accuracy
        bytes.extend_from_slice(&262_144u32.to_le_bytes());
        bytes.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        PcapWriter { bytes }
    }
}

impl PcapWriter {
    /// One TCP segment at `micros` after the epoch.
    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        &mut self,
        micros: u64,
        src: SocketAddrV4,
        dst: SocketAddrV4,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let mut frame = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00];
        let total = u16::try_from(40 + payload.len()).expect("a segment under 64 KiB");
        frame.extend_from_slice(&[0x45, 0]);
        frame.extend_from_slice(&total.to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
        frame.extend_from_slice(&src.ip().octets());
        frame.extend_from_slice(&dst.ip().octets());
        frame.extend_from_slice(&src.port().to_be_bytes());
        frame.extend_from_slice(&dst.port().to_be_bytes());
        frame.extend_from_slice(&seq.to_be_bytes());
        frame.extend_from_slice(&ack.to_be_bytes());
        frame.extend_from_slice(&[0x50, flags]);
        frame.extend_from_slice(&65_535u16.to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0]);
        frame.extend_from_slice(payload);
        let len = u32::try_from(frame.len()).expect("a small frame");
        self.bytes.extend_from_slice(&u32::try_from(micros / 1_000_000).expect("a time before 2106").to_le_bytes());
        self.bytes.extend_from_slice(&u32::try_from(micros % 1_000_000).expect("micros").to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&frame);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// One short HTTP/1.1 exchange that closes cleanly (8 segments, 100 µs apart) starting at `micros`.
pub fn http_exchange(w: &mut PcapWriter, micros: u64, client: SocketAddrV4, server: SocketAddrV4) {
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    let (c, s) = (1000u32, 5000u32);
    let (req, resp) = (request.len() as u32, response.len() as u32);
    let script: [(bool, u32, u32, u8, &[u8]); 8] = [
        (true, c, 0, SYN, b""),
        (false, s, c + 1, SYN | ACK, b""),
        (true, c + 1, s + 1, ACK, b""),
        (true, c + 1, s + 1, PSH | ACK, request),
        (false, s + 1, c + 1 + req, PSH | ACK, response),
        (true, c + 1 + req, s + 1 + resp, FIN | ACK, b""),
        (false, s + 1 + resp, c + 2 + req, FIN | ACK, b""),
        (true, c + 2 + req, s + 2 + resp, ACK, b""),
    ];
    for (i, (from_client, seq, ack, flags, payload)) in script.into_iter().enumerate() {
        let (src, dst) = if from_client { (client, server) } else { (server, client) };
        w.tcp(micros + i as u64 * 100, src, dst, seq, ack, flags, payload);
    }
}

/// `count` short HTTP connections from one client, one every `spacing_micros`, each from its own port.
pub fn http_connections(count: usize, spacing_micros: u64) -> Vec<u8> {
    let mut w = PcapWriter::default();
    let server: SocketAddrV4 = "10.0.0.2:80".parse().expect("an address");
    for i in 0..count {
        let port = 10_000 + u16::try_from(i % 50_000).expect("a port");
        let client = SocketAddrV4::new("10.0.0.1".parse().expect("an address"), port);
        http_exchange(&mut w, 1_700_000_000_000_000 + i as u64 * spacing_micros, client, server);
    }
    w.into_bytes()
}
