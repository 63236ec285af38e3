//! Capture stage: reads pcap and pcapng files and decodes each frame down to TCP.
//!
//! Owns: file formats, link layers, IPv4/IPv6 and the TCP header. It knows nothing about connections.
//! Output: a stream of [`Packet`]s in file order, each with its 1-based frame number (as Wireshark numbers
//! them), plus a [`CaptureSummary`] of what was read and skipped.
//!
//! Files, outside in: `reader` (format detection, policy: errors vs warnings, summary), `pcap` and `pcapng` (file
//! formats, over `input`'s exact-length reads, yielding `record` events), `link` (link-layer headers), `decode`
//! (VLAN, IPv4/IPv6, TCP), `error`. Reading streams: one record is in memory at a time, record and block lengths
//! are bounded before anything is allocated, and at most [`MAX_LISTED_WARNINGS`] warnings are kept.

mod decode;
mod error;
mod input;
mod link;
mod pcap;
mod pcapng;
mod reader;
mod record;

pub use error::{CaptureError, FormatProblem};
pub use reader::{CaptureReader, MAX_LISTED_WARNINGS};

use std::net::SocketAddr;
use std::time::Duration;

/// The file format of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    Pcap,
    Pcapng,
}

impl CaptureFormat {
    pub fn name(self) -> &'static str {
        match self {
            CaptureFormat::Pcap => "pcap",
            CaptureFormat::Pcapng => "pcapng",
        }
    }
}

/// One frame of the capture.
#[derive(Debug, Clone)]
pub struct Packet {
    /// 1-based frame number, counted over every frame of the file (TCP or not), as in Wireshark.
    pub frame: u64,
    /// Absolute timestamp (since the Unix epoch).
    pub timestamp: Duration,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// Number of bytes of it that the capture holds.
    pub cap_len: u32,
    /// What the frame turned out to be.
    pub content: PacketContent,
}

/// What a frame decoded to.
#[derive(Debug, Clone)]
pub enum PacketContent {
    Tcp(TcpPacket),
    /// An IPv4 fragment (first or later): counted and reported, not reassembled.
    IpFragment,
    /// Anything else (ARP, UDP, ICMP, ...): counted and skipped.
    Other,
}

/// A decoded TCP segment with its addresses.
#[derive(Debug, Clone)]
pub struct TcpPacket {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// Raw window field (not scaled).
    pub window: u16,
    pub options: TcpOptions,
    /// TCP payload length on the wire, from the IP header (may exceed `payload.len()` under a snaplen).
    pub payload_len: u32,
    /// The payload bytes the capture holds.
    pub payload: Vec<u8>,
}

impl TcpPacket {
    /// True when the capture holds fewer payload bytes than were sent (snaplen).
    pub fn is_payload_truncated(&self) -> bool {
        (self.payload.len() as u64) < u64::from(self.payload_len)
    }
}

/// TCP control bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;

    /// Names in the order Wireshark prints them in its Info column: `[FIN, SYN, RST, PSH, ACK, URG, ECE, CWR]`.
    const ORDER: [(u16, &'static str); 8] = [
        (Self::FIN, "FIN"),
        (Self::SYN, "SYN"),
        (Self::RST, "RST"),
        (Self::PSH, "PSH"),
        (Self::ACK, "ACK"),
        (Self::URG, "URG"),
        (Self::ECE, "ECE"),
        (Self::CWR, "CWR"),
    ];

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
    pub fn syn(self) -> bool {
        self.has(Self::SYN)
    }
    pub fn ack(self) -> bool {
        self.has(Self::ACK)
    }
    pub fn fin(self) -> bool {
        self.has(Self::FIN)
    }
    pub fn rst(self) -> bool {
        self.has(Self::RST)
    }
    pub fn psh(self) -> bool {
        self.has(Self::PSH)
    }

    /// The set flag names, in Wireshark's order.
    pub fn names(self) -> Vec<&'static str> {
        Self::ORDER.iter().filter(|(bit, _)| self.has(*bit)).map(|(_, name)| *name).collect()
    }

    /// Wireshark's Info-column form: `[SYN, ACK]`; `[<None>]` when no flag is set.
    pub fn bracketed(self) -> String {
        let names = self.names();
        if names.is_empty() { "[<None>]".to_string() } else { format!("[{}]", names.join(", ")) }
    }
}

/// The TCP options tcpdialog uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// SACK blocks (left, right), absolute sequence numbers; a boxed slice, as every segment kept holds one.
    pub sack_blocks: Box<[(u32, u32)]>,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    /// The options above in the order the header carries them (Wireshark's Info column follows it: Linux
    /// sends `MSS SACK_PERM TSval WS`, Windows `MSS WS SACK_PERM`).
    pub order: [Option<TcpOptionKind>; 5],
}

/// One of the options of [`TcpOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOptionKind {
    Mss,
    WindowScale,
    SackPermitted,
    Sack,
    Timestamps,
}

impl TcpOptions {
    /// Notes that `kind` came next in the header (a repeated kind keeps its first place).
    pub fn note_order(&mut self, kind: TcpOptionKind) {
        if self.order.contains(&Some(kind)) {
            return;
        }
        if let Some(slot) = self.order.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(kind);
        }
    }

    /// The options present, in header order.
    pub fn in_order(&self) -> impl Iterator<Item = TcpOptionKind> + '_ {
        self.order.iter().map_while(|kind| *kind)
    }
}

/// What a whole capture contained; filled in while reading.
#[derive(Debug, Clone, Default)]
pub struct CaptureSummary {
    pub format: Option<CaptureFormat>,
    /// Link-type names (Wireshark/libpcap style, e.g. `ETHERNET`, `LINUX_SLL2`), one per interface in order.
    pub link_types: Vec<String>,
    pub packets: u64,
    pub tcp_packets: u64,
    /// Frames that were not TCP (or could not be decoded as such).
    pub skipped: u64,
    pub ip_fragments: u64,
    /// Non-fatal problems: a file that ends mid-packet, an undecodable frame, ... At most
    /// [`MAX_LISTED_WARNINGS`] are listed; the rest are only counted in `unlisted_warnings`.
    pub warnings: Vec<CaptureWarning>,
    pub unlisted_warnings: u64,
}

/// A non-fatal problem found while reading a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureWarning {
    /// The frame the warning is about (for a cut file: the frame that is incomplete).
    pub frame: u64,
    /// The whole message, naming the file and the frame: `captures/x.pcap: frame 7: ...`.
    pub message: String,
}
