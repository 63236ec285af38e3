//! Network and transport decoding: from the link layer's payload through VLAN tags, IPv4 or IPv6 (with its
//! extension headers) down to a [`TcpPacket`].
//!
//! Header parsing is etherparse's, in its lax mode so that a snaplen-cut packet still yields its headers. What
//! this file adds is the policy: the TCP payload length comes from the IP header (what was sent), the payload
//! bytes are what was captured, fragments are recognised, and a frame that claims to be TCP but cannot be
//! read says why.

use super::link::{LinkLayer, Network};
use super::{TcpFlags, TcpOptions, TcpPacket};
use etherparse::err::{
    Layer, LenError, ip::LaxHeaderSliceError, packet::SliceError, tcp::HeaderSliceError,
};
use etherparse::{
    EtherType, IpNumber, LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket, TcpOptionElement,
    TcpSlice,
};
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
    LinkHeaderCut {
        link: &'static str,
        need: usize,
        have: usize,
    },
    #[error("Ethernet header unreadable: {0}")]
    Ethernet(LenError),
    #[error("IP header unreadable: {0}")]
    Ip(LaxHeaderSliceError),
    #[error("{layer} unreadable: {error}")]
    Headers { layer: Layer, error: SliceError },
    #[error(
        "TCP header cut short by the capture's snapshot length ({have} of {need} bytes captured)"
    )]
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
        Network::EtherType(ether_type, rest) => {
            LaxSlicedPacket::from_ether_type(EtherType(ether_type), rest)
        }
        Network::Ip(packet) => match LaxSlicedPacket::from_ip(packet) {
            Ok(sliced) => sliced,
            Err(e) => return Decoded::Unreadable(Unreadable::Ip(e)),
        },
        Network::NotIp => return Decoded::NotTcp,
        Network::Cut { need, have } => {
            return Decoded::Unreadable(Unreadable::LinkHeaderCut {
                link: link.name(),
                need,
                have,
            });
        }
    };
    let ip = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let header = ip.header();
            // On the wire: total length minus the header (unless the capture holds all of it anyway, which also
            // covers a total length of 0 written by TCP segmentation offload).
            let wire =
                usize::from(header.total_len()).saturating_sub(usize::from(header.ihl()) * 4);
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
            return Decoded::Fragment {
                ip_version: self.version,
            };
        }
        if self.payload.ip_number != IpNumber::TCP {
            return Decoded::NotTcp;
        }
        let tcp = match TcpSlice::from_slice(self.payload.payload) {
            Ok(tcp) => tcp,
            Err(HeaderSliceError::Len(e)) => {
                return Decoded::Unreadable(Unreadable::TcpHeaderCut {
                    need: e.required_len,
                    have: e.len,
                });
            }
            Err(e) => return Decoded::Unreadable(Unreadable::Tcp(e)),
        };
        let segment_len = if self.payload.incomplete {
            self.wire_payload_len
        } else {
            self.payload.payload.len()
        };
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
    TcpFlags(
        bits.iter()
            .filter(|(set, _)| *set)
            .fold(0, |acc, (_, bit)| acc | bit),
    )
}

fn tcp_options(tcp: &TcpSlice) -> TcpOptions {
    let mut options = TcpOptions::default();
    // A malformed option ends the list; the options before it still count (as in Wireshark).
    for element in tcp.options_iterator().map_while(Result::ok) {
        match element {
            TcpOptionElement::MaximumSegmentSize(mss) => options.mss = Some(mss),
            TcpOptionElement::WindowScale(shift) => options.window_scale = Some(shift),
            TcpOptionElement::SelectiveAcknowledgementPermitted => options.sack_permitted = true,
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                options.sack_blocks.push(first);
                options.sack_blocks.extend(rest.iter().flatten().copied());
            }
            TcpOptionElement::Timestamp(value, echo) => options.timestamps = Some((value, echo)),
            _ => {}
        }
    }
    options
}
