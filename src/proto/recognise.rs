//! Recognising a connection's protocol from the first bytes either side sends (for MySQL, the server's
//! greeting); the server's port only breaks ties (a stream too short to tell) and never overrides what the
//! bytes say.

use super::contract::{Cx, Step, StreamDecoder};
use super::data::bytes_summary;
use super::http2::H2_PREFACE;
use super::{MessageKind, Protocol, http1, mysql, postgres};

/// Recognises the protocol from the first bytes of either direction; the ports only break ties.
pub(super) struct Recogniser;

/// What the first bytes of a stream say about its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recognition {
    Known(Protocol),
    /// Could still be something; more bytes are needed.
    Undecided,
}

/// Recognises a protocol by content alone.
pub fn recognise(bytes: &[u8]) -> Recognition {
    use Recognition::*;
    let prefix_of = |pattern: &[u8]| {
        let n = bytes.len().min(pattern.len());
        bytes.get(..n) == pattern.get(..n)
    };
    if bytes.is_empty() {
        return Undecided;
    }
    if prefix_of(H2_PREFACE) {
        return if bytes.len() >= H2_PREFACE.len() { Known(Protocol::Http2) } else { Undecided };
    }
    let mut could_be_more = false;
    for method in http1::METHODS {
        let line = [method.as_bytes(), b" "].concat();
        if prefix_of(&line) {
            if bytes.len() >= line.len() {
                return Known(Protocol::Http);
            }
            could_be_more = true;
        }
    }
    if prefix_of(b"HTTP/1.") {
        if bytes.len() >= 7 {
            return Known(Protocol::Http);
        }
        could_be_more = true;
    }
    // A server that speaks HTTP/2 first (prior knowledge) opens with SETTINGS on stream 0 (RFC 9113 §3.4).
    match bytes {
        [l0, l1, l2, 4, 0, 0, 0, 0, 0, ..] if u32::from_be_bytes([0, *l0, *l1, *l2]).is_multiple_of(6) => {
            return Known(Protocol::Http2);
        }
        [0, _, _, 4, 0, 0, 0, 0] | [0, _, _, 4, 0, 0, 0] | [0, _, _, 4, 0, 0] | [0, _, _, 4, 0] | [0, _, _, 4] => {
            could_be_more = true;
        }
        _ => {}
    }
    match bytes {
        [20..=23, 3, 0..=4, ..] => return Known(Protocol::Tls),
        [20..=23] | [20..=23, 3] => could_be_more = true,
        _ => {}
    }
    if let [a, b, c, d, e, f, g, h, ..] = *bytes {
        let len = u32::from_be_bytes([a, b, c, d]);
        let code = u32::from_be_bytes([e, f, g, h]);
        if (8..=10_000).contains(&len) && postgres::STARTUP_CODES.contains(&code) {
            return Known(Protocol::Postgres);
        }
    } else if bytes.first() == Some(&0) {
        could_be_more = true;
    }
    // A MySQL server speaks first: its greeting (four bytes are needed before it can say anything).
    if bytes.len() >= 4 {
        match mysql::starts_with_greeting(bytes) {
            Some(true) => return Known(Protocol::MySql),
            None => could_be_more = true,
            Some(false) => {}
        }
    }
    if could_be_more { Undecided } else { Known(Protocol::Data) }
}

/// The protocol a well-known server port suggests.
pub fn port_hint(port: u16) -> Option<Protocol> {
    match port {
        80 | 8000 | 8080 => Some(Protocol::Http),
        443 | 8443 => Some(Protocol::Tls),
        5432 => Some(Protocol::Postgres),
        3306 => Some(Protocol::MySql),
        _ => None,
    }
}

impl StreamDecoder for Recogniser {
    fn protocol(&self) -> Protocol {
        Protocol::Data
    }

    fn step(&mut self, buf: &[u8], _cx: &mut Cx) -> Step {
        match recognise(buf) {
            Recognition::Known(protocol) => Step::Switch { used: 0, to: Some(protocol) },
            Recognition::Undecided => Step::Need,
        }
    }

    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        // Too few bytes to tell: the port decides how they are labelled, but they are shown as data.
        if !buf.is_empty() {
            let mut summary = bytes_summary(buf.len() as u64, buf);
            if let Some(hint) = port_hint(cx.server_port) {
                summary.push_str(&format!(" (too short to decode as {})", hint.column_name()));
            }
            cx.push(0, Protocol::Data, summary, MessageKind::Other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_protocols_by_their_first_bytes() {
        use Recognition::*;
        assert_eq!(recognise(b"GET / HTTP/1.1\r\n"), Known(Protocol::Http));
        assert_eq!(recognise(b"GE"), Undecided);
        assert_eq!(recognise(b"HTTP/1.1 200 OK"), Known(Protocol::Http));
        assert_eq!(recognise(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Known(Protocol::Http2));
        assert_eq!(recognise(b"PRI * HTTP/2"), Undecided);
        assert_eq!(recognise(&[0x16, 0x03, 0x01, 0x02, 0x00]), Known(Protocol::Tls));
        assert_eq!(recognise(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]), Known(Protocol::Postgres));
        assert_eq!(recognise(&[0, 0, 0, 0x4f, 0, 3, 0, 0]), Known(Protocol::Postgres));
        assert_eq!(recognise(&[0, 0, 0]), Undecided);
        assert_eq!(recognise(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3]), Known(Protocol::Http2));
        assert_eq!(recognise(&[0, 0, 6, 4, 0, 0]), Undecided);
        assert_eq!(recognise(b"SSH-2.0-OpenSSH_9.6\r\n"), Known(Protocol::Data));
        assert_eq!(recognise(b"hello"), Known(Protocol::Data));
        // A MariaDB greeting (captures/mysql.pcap frame 4): length 100, sequence 0, protocol 10, the version.
        let greeting = b"\x64\x00\x00\x00\x0a5.5.5-10.11.19-MariaDB-0+deb12u1\x00\x07\x00\x00\x00";
        assert_eq!(recognise(greeting), Known(Protocol::MySql));
        assert_eq!(recognise(&greeting[..12]), Undecided, "the version string has not ended yet");
        assert_eq!(recognise(b"\x64\x00\x00\x01\x0a5.5"), Known(Protocol::Data), "sequence 1");
        assert_eq!(recognise(b"\x64\x00\x00\x00\x0a\x00"), Known(Protocol::Data), "no version");
        assert_eq!(port_hint(3306), Some(Protocol::MySql));
    }
}
