//! Network and transport decoding: from the link layer's payload through VLAN tags, IPv4 or IPv6 (with its
//! extension headers) down to a [`TcpPacket`].
//!
//! Header parsing is etherparse's, in its lax mode so that a snaplen-cut packet still yields its headers. What
//! this file adds is the policy: the TCP payload length comes from the IP header (what was sent), the payload
//! bytes are what was captured, fragments are recognised, and a frame that claims to be TCP but cannot be
//! read says why.

use super::link::{LinkLayer, Network};
use super::{TcpFlags, TcpOptionKind, TcpOptions, TcpPacket};
use etherparse::err::{Layer, LenError, ip::LaxHeaderSliceError, packet::SliceError, tcp::HeaderSliceError};
use etherparse::{EtherType, IpNumber, LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TcpSlice};
use std::net::{IpAddr, SocketAddr};

/// What a frame turned out to be.
#[derive(Debug)]
pub(super) enum Decoded {
    Tcp(TcpPacket),
    /// A fragment of a fragmented IP packet (first or later): not reassembled.
    Fragment {
        ip_version: u8,
    },
    /// A readable frame that is not TCP (ARP, UDP, ICMP, another link protocol...).
    NotTcp,
    /// A frame whose headers cannot be read down to what it carries.
    Unreadable(Unreadable),
}

/// Why a frame's headers could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum Unreadable {
    #[error("{link} header cut short ({have} of {need} bytes captured)")]
    LinkHeaderCut { link: &'static str, need: usize, have: usize },
    #[error("Ethernet header unreadable: {0}")]
    Ethernet(LenError),
    #[error("IP header unreadable: {0}")]
    Ip(LaxHeaderSliceError),
    #[error("{layer} unreadable: {error}")]
    Headers { layer: Layer, error: SliceError },
    #[error("TCP header cut short by the capture's snapshot length ({have} of {need} bytes captured)")]
    TcpHeaderCut { need: usize, have: usize },
    #[error("TCP header unreadable: {0}")]
    Tcp(HeaderSliceError),
}

/// Decodes one frame of the given link layer.
pub(super) fn decode_frame(link: LinkLayer, frame: &[u8]) -> Decoded {
    let sliced = match link.network(frame) {
        Network::Ethernet(frame) => match LaxSlicedPacket::from_ethernet(frame) {
            Ok(sliced) => sliced,
            Err(e) => return Decoded::Unreadable(Unreadable::Ethernet(e)),
        },
        Network::EtherType(ether_type, rest) => LaxSlicedPacket::from_ether_type(EtherType(ether_type), rest),
        Network::Ip(packet) => match LaxSlicedPacket::from_ip(packet) {
            Ok(sliced) => sliced,
            Err(e) => return Decoded::Unreadable(Unreadable::Ip(e)),
        },
        Network::NotIp => return Decoded::NotTcp,
        Network::Cut { need, have } => {
            return Decoded::Unreadable(Unreadable::LinkHeaderCut { link: link.name(), need, have });
        }
    };
    let ip = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let header = ip.header();
            // On the wire: total length minus the header (unless the capture holds all of it anyway, which also
            // covers a total length of 0 written by TCP segmentation offload).
            let wire = usize::from(header.total_len()).saturating_sub(usize::from(header.ihl()) * 4);
            IpLayer {
                version: 4,
                src: IpAddr::V4(header.source_addr()),
                dst: IpAddr::V4(header.destination_addr()),
                payload: ip.payload(),
                wire_payload_len: wire,
            }
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let header = ip.header();
            let extensions_len = ip.extensions().slice().len();
            let wire = usize::from(header.payload_length()).saturating_sub(extensions_len);
            IpLayer {
                version: 6,
                src: IpAddr::V6(header.source_addr()),
                dst: IpAddr::V6(header.destination_addr()),
                payload: ip.payload(),
                wire_payload_len: wire,
            }
        }
        Some(LaxNetSlice::Arp(_)) => return Decoded::NotTcp,
        None => {
            return match sliced.stop_err {
                Some((error, layer)) => Decoded::Unreadable(Unreadable::Headers { layer, error }),
                None => Decoded::NotTcp,
            };
        }
    };
    ip.into_tcp()
}

/// The parts of an IPv4 or IPv6 layer that TCP decoding needs.
struct IpLayer<'a> {
    version: u8,
    src: IpAddr,
    dst: IpAddr,
    payload: &'a LaxIpPayloadSlice<'a>,
    /// Payload length the IP header announces (after extension headers).
    wire_payload_len: usize,
}

impl IpLayer<'_> {
    fn into_tcp(self) -> Decoded {
        if self.payload.fragmented {
            return Decoded::Fragment { ip_version: self.version };
        }
        if self.payload.ip_number != IpNumber::TCP {
            return Decoded::NotTcp;
        }
        let tcp = match TcpSlice::from_slice(self.payload.payload) {
            Ok(tcp) => tcp,
            Err(HeaderSliceError::Len(e)) => {
                return Decoded::Unreadable(Unreadable::TcpHeaderCut { need: e.required_len, have: e.len });
            }
            Err(e) => return Decoded::Unreadable(Unreadable::Tcp(e)),
        };
        let segment_len = if self.payload.incomplete { self.wire_payload_len } else { self.payload.payload.len() };
        let header_len = usize::from(tcp.data_offset()) * 4;
        let payload_len = segment_len.saturating_sub(header_len);
        // Never hold more bytes than were sent: later stages compute what is missing as the difference.
        let captured = tcp.payload().get(..payload_len).unwrap_or(tcp.payload());
        Decoded::Tcp(TcpPacket {
            src: SocketAddr::new(self.src, tcp.source_port()),
            dst: SocketAddr::new(self.dst, tcp.destination_port()),
            seq: tcp.sequence_number(),
            ack: tcp.acknowledgment_number(),
            flags: tcp_flags(&tcp),
            window: tcp.window_size(),
            options: tcp_options(&tcp),
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
            payload: captured.to_vec(),
        })
    }
}

fn tcp_flags(tcp: &TcpSlice) -> TcpFlags {
    let bits = [
        (tcp.fin(), TcpFlags::FIN),
        (tcp.syn(), TcpFlags::SYN),
        (tcp.rst(), TcpFlags::RST),
        (tcp.psh(), TcpFlags::PSH),
        (tcp.ack(), TcpFlags::ACK),
        (tcp.urg(), TcpFlags::URG),
        (tcp.ece(), TcpFlags::ECE),
        (tcp.cwr(), TcpFlags::CWR),
    ];
    TcpFlags(bits.iter().filter(|(set, _)| *set).fold(0, |acc, (_, bit)| acc | bit))
}

fn tcp_options(tcp: &TcpSlice) -> TcpOptions {
    let mut options = TcpOptions::default();
    // A malformed option ends the list; the options before it still count (as in Wireshark).
    for element in tcp.options_iterator().map_while(Result::ok) {
        let kind = match element {
            TcpOptionElement::MaximumSegmentSize(mss) => {
                options.mss = Some(mss);
                TcpOptionKind::Mss
            }
            TcpOptionElement::WindowScale(shift) => {
                options.window_scale = Some(shift);
                TcpOptionKind::WindowScale
            }
            TcpOptionElement::SelectiveAcknowledgementPermitted => {
                options.sack_permitted = true;
                TcpOptionKind::SackPermitted
            }
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                let mut blocks = options.sack_blocks.into_vec();
                blocks.push(first);
                blocks.extend(rest.iter().flatten().copied());
                options.sack_blocks = blocks.into_boxed_slice();
                TcpOptionKind::Sack
            }
            TcpOptionElement::Timestamp(value, echo) => {
                options.timestamps = Some((value, echo));
                TcpOptionKind::Timestamps
            }
            _ => continue,
        };
        options.note_order(kind);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame 1 of tests/fixtures/refused.pcap: Ethernet, 127.0.0.1:52170 -> 127.0.0.1:18099 SYN with options.
    const SYN_V4: &str = "00000000000000000000000008004500003c08ca4000400633f07f0000017f000001cbca46b36e84fe6e\
                          00000000a002ffd7fe3000000204ffd70402080a9e08ff4f000000000103030a";
    /// Frame 1 of tests/fixtures/ipv6.pcap: Ethernet, [::1]:38936 -> [::1]:18080 SYN with options.
    const SYN_V6: &str = "00000000000000000000000086dd600aea5b002806400000000000000000000000000000000100000000\
                          000000000000000000000001981846a0e605350500000000a002ffc4003000000204ffc40402080a3192\
                          d5fb000000000103030a";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn tcp(frame: &[u8]) -> TcpPacket {
        match decode_frame(LinkLayer::Ethernet, frame) {
            Decoded::Tcp(tcp) => tcp,
            other => panic!("expected TCP, got {other:?}"),
        }
    }

    #[test]
    fn ipv4_syn_matches_tshark() {
        // Expected values: tests/fixtures/capture/refused.pcap.fields.tsv, frame 1.
        let syn = tcp(&hex(SYN_V4));
        assert_eq!(syn.src, "127.0.0.1:52170".parse().unwrap());
        assert_eq!(syn.dst, "127.0.0.1:18099".parse().unwrap());
        assert_eq!((syn.seq, syn.ack, syn.flags, syn.window), (1_854_209_646, 0, TcpFlags(TcpFlags::SYN), 65495));
        assert_eq!(
            syn.options,
            TcpOptions {
                mss: Some(65495),
                window_scale: Some(10),
                sack_permitted: true,
                sack_blocks: Box::new([]),
                timestamps: Some((2_651_389_775, 0)),
                order: [
                    Some(TcpOptionKind::Mss),
                    Some(TcpOptionKind::SackPermitted),
                    Some(TcpOptionKind::Timestamps),
                    Some(TcpOptionKind::WindowScale),
                    None
                ],
            }
        );
        assert_eq!((syn.payload_len, syn.payload.len()), (0, 0));
    }

    #[test]
    fn ipv6_syn_matches_tshark() {
        // Expected values: tests/fixtures/capture/ipv6.pcap.fields.tsv, frame 1.
        let syn = tcp(&hex(SYN_V6));
        assert_eq!(syn.src, "[::1]:38936".parse().unwrap());
        assert_eq!(syn.dst, "[::1]:18080".parse().unwrap());
        assert_eq!(
            (syn.seq, syn.options.mss, syn.options.timestamps),
            (3_859_100_933, Some(65476), Some((831_706_619, 0)))
        );
    }

    #[test]
    fn vlan_tags_are_looked_through() {
        let plain = hex(SYN_V4);
        let mut tagged = plain[..12].to_vec();
        tagged.extend_from_slice(&[0x81, 0x00, 0x00, 0x64]); // 802.1Q, VLAN 100
        tagged.extend_from_slice(&plain[12..]);
        let mut double = plain[..12].to_vec();
        double.extend_from_slice(&[0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64]); // 802.1ad outer tag
        double.extend_from_slice(&plain[12..]);
        let expected = format!("{:?}", tcp(&plain));
        assert_eq!(format!("{:?}", tcp(&tagged)), expected);
        assert_eq!(format!("{:?}", tcp(&double)), expected);
    }

    #[test]
    fn ipv6_extension_headers_are_skipped_to_tcp() {
        let plain = hex(SYN_V6);
        let (ethernet_and_ip, tcp_bytes) = plain.split_at(14 + 40);
        let mut packet = ethernet_and_ip.to_vec();
        packet[14 + 6] = 0; // next header: hop-by-hop options
        packet[14 + 5] += 16; // payload length grows by the two extension headers
        packet.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop -> destination options, PadN
        packet.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]); // destination options -> TCP, PadN
        packet.extend_from_slice(tcp_bytes);
        let expected = format!("{:?}", tcp(&plain));
        assert_eq!(format!("{:?}", tcp(&packet)), expected);
    }

    /// SYN_V6 with a fragment header (next header 44) of the given offset/flags field inserted before TCP.
    fn v6_with_fragment_header(offset_and_more: u16) -> Vec<u8> {
        let plain = hex(SYN_V6);
        let (ethernet_and_ip, tcp_bytes) = plain.split_at(14 + 40);
        let mut packet = ethernet_and_ip.to_vec();
        packet[14 + 6] = 44;
        packet[14 + 5] += 8;
        packet.extend_from_slice(&[6, 0]);
        packet.extend_from_slice(&offset_and_more.to_be_bytes());
        packet.extend_from_slice(&[0, 0, 0x12, 0x34]); // identification
        packet.extend_from_slice(tcp_bytes);
        packet
    }

    #[test]
    fn ipv6_fragment_headers() {
        assert!(matches!(
            decode_frame(LinkLayer::Ethernet, &v6_with_fragment_header(1)),
            Decoded::Fragment { ip_version: 6 }
        ));
        // An atomic fragment (offset 0, no more fragments) is a whole packet.
        let atomic = tcp(&v6_with_fragment_header(0));
        assert_eq!(format!("{atomic:?}"), format!("{:?}", tcp(&hex(SYN_V6))));
    }

    #[test]
    fn fragments_are_recognised_not_decoded() {
        let mut first = hex(SYN_V4);
        first[14 + 6] |= 0x20; // more fragments
        assert!(matches!(decode_frame(LinkLayer::Ethernet, &first), Decoded::Fragment { ip_version: 4 }));
        let mut later = hex(SYN_V4);
        later[14 + 6] = 0x00;
        later[14 + 7] = 0xb9; // fragment offset 185 (1480 bytes), last fragment
        assert!(matches!(decode_frame(LinkLayer::Ethernet, &later), Decoded::Fragment { ip_version: 4 }));
    }

    #[test]
    fn payload_length_comes_from_ip_while_payload_is_what_was_captured() {
        // The IP header says 100 more bytes were sent than the capture holds: a snaplen cut.
        let mut frame = hex(SYN_V4);
        frame[14 + 3] += 100;
        let cut = tcp(&frame);
        assert_eq!((cut.payload_len, cut.payload.len()), (100, 0));
        assert!(cut.is_payload_truncated());
        // Ethernet padding after a short IP packet is not payload.
        let mut padded = hex(SYN_V4);
        padded.extend_from_slice(&[0; 6]);
        assert_eq!(tcp(&padded).payload_len, 0);
    }

    #[test]
    fn a_cut_tcp_header_is_unreadable_with_the_reason() {
        let frame = hex(SYN_V4);
        match decode_frame(LinkLayer::Ethernet, &frame[..14 + 20 + 30]) {
            Decoded::Unreadable(why @ Unreadable::TcpHeaderCut { need: 40, have: 30 }) => {
                assert!(why.to_string().contains("30 of 40 bytes"), "{why}");
            }
            other => panic!("expected a cut TCP header, got {other:?}"),
        }
        assert!(matches!(
            decode_frame(LinkLayer::Ethernet, &frame[..10]),
            Decoded::Unreadable(Unreadable::Ethernet(_))
        ));
        assert!(matches!(
            decode_frame(LinkLayer::Ethernet, &frame[..20]),
            Decoded::Unreadable(Unreadable::Headers { .. })
        ));
        assert!(matches!(decode_frame(LinkLayer::RawIp, b"hello"), Decoded::Unreadable(Unreadable::Ip(_))));
    }

    #[test]
    fn other_protocols_are_not_tcp() {
        let mut udp = hex(SYN_V4);
        udp[14 + 9] = 17;
        assert!(matches!(decode_frame(LinkLayer::Ethernet, &udp), Decoded::NotTcp));
        let mut lldp = hex(SYN_V4);
        lldp[12..14].copy_from_slice(&[0x88, 0xcc]);
        assert!(matches!(decode_frame(LinkLayer::Ethernet, &lldp), Decoded::NotTcp));
    }
}
