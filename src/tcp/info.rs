//! Wireshark's Info column for TCP: the analysis tags and the one-line TCP summary.
//!
//! The `inspect` packet list and the diagrams' packet table both print it, so it lives here once and reads
//! as Wireshark's does, option for option:
//! `[TCP Dup ACK 31#1] 37400 → 18096 [ACK] Seq=92 Ack=18825 Win=81920 Len=0 TSval=3004386679 TSecr=2124059113 SLE=26065 SRE=27513`.

use super::{AnalysisFlag, Segment};
use crate::capture::{TcpFlags, TcpOptionKind, TcpOptions};
use std::fmt::{self, Display, Write as _};

/// What the TCP summary shows of one segment.
#[derive(Debug, Clone, Copy)]
pub struct TcpSummary<'a> {
    /// Source and destination ports; `None` where both sockets are named already (a ladder's lifelines).
    pub ports: Option<(u16, u16)>,
    pub flags: TcpFlags,
    /// Relative sequence and acknowledgement numbers.
    pub seq: u32,
    pub ack: u32,
    /// Window size with scaling applied.
    pub window: u32,
    pub len: u32,
    pub options: &'a TcpOptions,
    /// The peer's initial sequence number: SACK edges minus this are relative, as Wireshark shows them.
    pub sack_base: u32,
}

impl Display for TcpSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((src, dst)) = self.ports {
            write!(f, "{src} → {dst} ")?;
        }
        write!(f, "{} Seq={}", self.flags.bracketed(), self.seq)?;
        if self.flags.ack() {
            write!(f, " Ack={}", self.ack)?;
        }
        write!(f, " Win={} Len={}", self.window, self.len)?;
        let o = self.options;
        // Wireshark appends each option as it dissects it, so the header's order is the text's order.
        for kind in o.in_order() {
            match kind {
                TcpOptionKind::Mss => {
                    if let Some(mss) = o.mss {
                        write!(f, " MSS={mss}")?;
                    }
                }
                TcpOptionKind::SackPermitted => f.write_str(" SACK_PERM")?,
                TcpOptionKind::Timestamps => {
                    if let Some((value, echo)) = o.timestamps {
                        write!(f, " TSval={value} TSecr={echo}")?;
                    }
                }
                TcpOptionKind::WindowScale => {
                    if let Some(shift) = o.window_scale {
                        // RFC 7323 caps the shift at 14; Wireshark prints the multiplier.
                        write!(f, " WS={}", 1u32 << shift.min(14))?;
                    }
                }
                TcpOptionKind::Sack => f.write_str(&sack_edges(&o.sack_blocks, self.sack_base))?,
            }
        }
        Ok(())
    }
}

/// SACK blocks as Wireshark's Info column shows them, relative to the peer's initial sequence number
/// `base`, each with a leading space: ` SLE=26065 SRE=27513`.
pub fn sack_edges(blocks: &[(u32, u32)], base: u32) -> String {
    blocks.iter().fold(String::new(), |mut out, (left, right)| {
        let _ = write!(out, " SLE={} SRE={}", left.wrapping_sub(base), right.wrapping_sub(base));
        out
    })
}

/// A segment that carries part of an application message a later segment completes: Wireshark's
/// "TCP segment of a reassembled PDU".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Continuation {
    /// What the protocol could already show when it asked for more bytes (an HTTP start line, once the head
    /// is complete and the body is not); otherwise Wireshark shows the TCP summary.
    pub shown: Option<String>,
}

const REASSEMBLED: &str = "[TCP segment of a reassembled PDU]";

/// Wireshark's analysis tags, each followed by a space, in the order its Info column shows them:
/// `[TCP ZeroWindowProbeAck] [TCP ZeroWindow] `.
pub fn analysis_tags(flags: &[AnalysisFlag]) -> String {
    let mut ordered = flags.to_vec();
    ordered.sort_by_key(|flag| info_rank(*flag));
    ordered.into_iter().fold(String::new(), |mut tags, flag| {
        let _ = write!(tags, "[{}] ", flag.label());
        tags
    })
}

/// Where a tag stands in the Info column. Wireshark 4.0 (`tcp_print_sequence_number_analysis` in
/// packet-tcp.c) prepends each tag in the order retransmission, fast, spurious, out-of-order, reused ports,
/// lost, ACKed unseen, window update, window full, keep-alive, keep-alive ACK, dup ACK, zero-window probe,
/// zero window, probe ACK; prepending reverses it.
fn info_rank(flag: AnalysisFlag) -> u8 {
    match flag {
        AnalysisFlag::ZeroWindowProbeAck => 0,
        AnalysisFlag::ZeroWindow => 1,
        AnalysisFlag::ZeroWindowProbe => 2,
        AnalysisFlag::DuplicateAck { .. } => 3,
        AnalysisFlag::KeepAliveAck => 4,
        AnalysisFlag::KeepAlive => 5,
        AnalysisFlag::WindowFull => 6,
        AnalysisFlag::WindowUpdate => 7,
        AnalysisFlag::AckedUnseenSegment => 8,
        AnalysisFlag::LostSegment => 9,
        AnalysisFlag::PortNumbersReused => 10,
        AnalysisFlag::OutOfOrder => 11,
        AnalysisFlag::SpuriousRetransmission => 12,
        AnalysisFlag::FastRetransmission => 13,
        AnalysisFlag::Retransmission => 14,
    }
}

/// The Info column: the analysis tags, then what the application layer says of the segment (the messages it
/// completes, joined), or else the TCP summary, marked when the segment is part of a message completed later.
/// Wireshark fences the tags, so they stay before any protocol's text.
pub fn info_column(
    analysis: &[AnalysisFlag],
    application: Option<&str>,
    continuation: Option<&Continuation>,
    summary: &TcpSummary<'_>,
) -> String {
    let mut info = analysis_tags(analysis);
    let _ = match (application, continuation) {
        (Some(text), _) => write!(info, "{text}"),
        (None, Some(Continuation { shown: Some(text) })) => write!(info, "{text}  {REASSEMBLED}"),
        (None, Some(Continuation { shown: None })) => write!(info, "{summary} {REASSEMBLED}"),
        (None, None) => write!(info, "{summary}"),
    };
    info
}

impl Segment {
    /// This segment's TCP summary, with `ports` when the caller wants them shown.
    pub fn summary(&self, ports: Option<(u16, u16)>) -> TcpSummary<'_> {
        TcpSummary {
            ports,
            flags: self.flags,
            seq: self.seq,
            ack: self.ack,
            window: self.window,
            len: self.len,
            options: &self.options,
            sack_base: self.sack_base(),
        }
    }

    /// The peer's initial sequence number (absolute minus relative acknowledgement number).
    pub fn sack_base(&self) -> u32 {
        self.abs_ack.wrapping_sub(self.ack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(order: &[TcpOptionKind]) -> TcpOptions {
        let mut options = TcpOptions {
            mss: Some(1460),
            window_scale: Some(8),
            sack_permitted: true,
            sack_blocks: Box::new([(1_000_100, 1_000_200)]),
            timestamps: Some((7, 9)),
            order: [None; 5],
        };
        for &kind in order {
            options.note_order(kind);
        }
        options
    }

    fn summary(options: &TcpOptions, flags: u16) -> TcpSummary<'_> {
        TcpSummary {
            ports: Some((51000, 443)),
            flags: TcpFlags(flags),
            seq: 0,
            ack: 1,
            window: 65535,
            len: 0,
            options,
            sack_base: 1_000_000,
        }
    }

    #[test]
    fn options_follow_the_header_order() {
        use TcpOptionKind::*;
        // A Windows SYN: MSS, NOP, WS, NOP, NOP, SACK_PERM (Wireshark: "MSS=1460 WS=256 SACK_PERM").
        let windows = options(&[Mss, WindowScale, SackPermitted]);
        assert_eq!(
            summary(&windows, TcpFlags::SYN).to_string(),
            "51000 → 443 [SYN] Seq=0 Win=65535 Len=0 MSS=1460 WS=256 SACK_PERM"
        );
        // A Linux ACK with timestamps before the SACK block, whose edges are made relative.
        let linux = options(&[Timestamps, Sack]);
        assert_eq!(
            summary(&linux, TcpFlags::ACK).to_string(),
            "51000 → 443 [ACK] Seq=0 Ack=1 Win=65535 Len=0 TSval=7 TSecr=9 SLE=100 SRE=200"
        );
    }

    #[test]
    fn tags_come_first_and_application_text_replaces_the_summary() {
        let none = options(&[]);
        // Frame 11 of tests/fixtures/tcp/zero-window.pcap: tshark shows the probe's ACK first.
        let flags = [AnalysisFlag::ZeroWindow, AnalysisFlag::ZeroWindowProbeAck];
        let tcp = summary(&none, TcpFlags::ACK);
        assert_eq!(
            info_column(&flags, None, None, &TcpSummary { ports: None, ..tcp }),
            "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] [ACK] Seq=0 Ack=1 Win=65535 Len=0"
        );
        assert_eq!(
            info_column(&[AnalysisFlag::LostSegment], Some("HTTP/1.1 200 OK"), None, &tcp),
            "[TCP Previous segment not captured] HTTP/1.1 200 OK"
        );
    }

    #[test]
    fn parts_of_longer_messages_say_so_as_wireshark_does() {
        let none = options(&[]);
        let tcp = TcpSummary { len: 1448, ..summary(&none, TcpFlags::ACK) };
        let body = Continuation { shown: None };
        assert_eq!(
            info_column(&[], None, Some(&body), &tcp),
            "51000 → 443 [ACK] Seq=0 Ack=1 Win=65535 Len=1448 [TCP segment of a reassembled PDU]"
        );
        let head = Continuation { shown: Some("HTTP/1.1 200 OK".into()) };
        assert_eq!(info_column(&[], None, Some(&head), &tcp), "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]");
        assert_eq!(info_column(&[], Some("GET / HTTP/1.1"), Some(&head), &tcp), "GET / HTTP/1.1");
    }
}
