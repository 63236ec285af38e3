//! Link layers: which link types tcpdialog reads, their names, and where the network layer starts in a frame.
//!
//! Supported: Ethernet (VLAN tags are read by the network decoder), Linux cooked capture v1 and v2 (`tcpdump -i
//! any`), raw IP (LINKTYPE_RAW 101, the BSD DLT_RAW values 12 and 14, LINKTYPE_IPV4/IPV6) and BSD loopback
//! (NULL with a host-byte-order address family, LOOP with a network-byte-order one).

use pcap_file::DataLink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkLayer {
    Ethernet,
    /// DLT_NULL: 4-byte address family in the capturing host's byte order.
    Null,
    /// DLT_LOOP (OpenBSD): 4-byte address family in network byte order.
    Loop,
    RawIp,
    Ipv4,
    Ipv6,
    LinuxSll,
    LinuxSll2,
}

/// Where the network layer of a frame starts, and how to read it.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Network<'a> {
    /// A whole Ethernet frame: header, optional VLAN tags, payload.
    Ethernet(&'a [u8]),
    /// A payload of the given EtherType (possibly a VLAN tag that wraps the real one).
    EtherType(u16, &'a [u8]),
    /// An IPv4 or IPv6 packet; its version nibble tells which.
    Ip(&'a [u8]),
    /// A protocol tcpdialog does not read (a loopback family other than IP).
    NotIp,
    /// The link-layer header itself is cut short.
    Cut { need: usize, have: usize },
}

const SLL_HEADER_LEN: usize = 16;
const SLL_PROTOCOL_AT: usize = 14;
const SLL2_HEADER_LEN: usize = 20;
const SLL2_PROTOCOL_AT: usize = 0;
const LOOPBACK_HEADER_LEN: usize = 4;

/// Address families in loopback headers: AF_INET everywhere; AF_INET6 differs by OS (NetBSD/OpenBSD 24,
/// FreeBSD 28, macOS 30).
const AF_INET: u32 = 2;
const AF_INET6_VALUES: [u32; 3] = [24, 28, 30];

impl LinkLayer {
    /// The layer for a pcap/pcapng link-type number, if tcpdialog reads it.
    pub(super) fn from_number(number: u32) -> Option<Self> {
        Some(match number {
            0 => LinkLayer::Null,
            1 => LinkLayer::Ethernet,
            // DLT_RAW is 12 on most BSDs and 14 on OpenBSD; some files keep those instead of LINKTYPE_RAW.
            12 | 14 | 101 => LinkLayer::RawIp,
            108 => LinkLayer::Loop,
            113 => LinkLayer::LinuxSll,
            228 => LinkLayer::Ipv4,
            229 => LinkLayer::Ipv6,
            276 => LinkLayer::LinuxSll2,
            _ => return None,
        })
    }

    /// The libpcap/Wireshark-style name, as listed in [`super::CaptureSummary::link_types`].
    pub(super) fn name(self) -> &'static str {
        match self {
            LinkLayer::Ethernet => "ETHERNET",
            LinkLayer::Null => "NULL",
            LinkLayer::Loop => "LOOP",
            LinkLayer::RawIp => "RAW",
            LinkLayer::Ipv4 => "IPV4",
            LinkLayer::Ipv6 => "IPV6",
            LinkLayer::LinuxSll => "LINUX_SLL",
            LinkLayer::LinuxSll2 => "LINUX_SLL2",
        }
    }

    /// Strips the link-layer header.
    pub(super) fn network(self, frame: &[u8]) -> Network<'_> {
        match self {
            LinkLayer::Ethernet => Network::Ethernet(frame),
            LinkLayer::RawIp | LinkLayer::Ipv4 | LinkLayer::Ipv6 => Network::Ip(frame),
            LinkLayer::LinuxSll => cooked(frame, SLL_HEADER_LEN, SLL_PROTOCOL_AT),
            LinkLayer::LinuxSll2 => cooked(frame, SLL2_HEADER_LEN, SLL2_PROTOCOL_AT),
            LinkLayer::Null | LinkLayer::Loop => {
                let (Some(header), Some(rest)) = (frame.first_chunk::<4>(), frame.get(LOOPBACK_HEADER_LEN..)) else {
                    return Network::Cut { need: LOOPBACK_HEADER_LEN, have: frame.len() };
                };
                let family = if self == LinkLayer::Loop {
                    u32::from_be_bytes(*header)
                } else {
                    // Host byte order of an unknown host: a family is small, so a value in the upper half means
                    // the writer was big-endian (Wireshark reads it the same way).
                    let little = u32::from_le_bytes(*header);
                    if little > 0xffff { little.swap_bytes() } else { little }
                };
                if family == AF_INET || AF_INET6_VALUES.contains(&family) { Network::Ip(rest) } else { Network::NotIp }
            }
        }
    }
}

/// Linux cooked capture: a fixed-size header with the EtherType-like protocol at `protocol_at`.
fn cooked(frame: &[u8], header_len: usize, protocol_at: usize) -> Network<'_> {
    let protocol = frame.get(protocol_at..).and_then(|p| p.first_chunk::<2>()).map(|p| u16::from_be_bytes(*p));
    match (protocol, frame.get(header_len..)) {
        (Some(protocol), Some(rest)) => Network::EtherType(protocol, rest),
        _ => Network::Cut { need: header_len, have: frame.len() },
    }
}

/// A name for any link-type number, for summaries and error messages.
pub(super) fn link_type_name(number: u32) -> String {
    match LinkLayer::from_number(number) {
        Some(layer) => layer.name().to_string(),
        None => match DataLink::from(number) {
            DataLink::Unknown(_) => "not a registered link type".to_string(),
            known => format!("{known:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First bytes of an IPv4 header, enough to tell where the network layer was found.
    const IP: [u8; 4] = [0x45, 0x00, 0x00, 0x3c];

    #[test]
    fn loopback_family_in_either_byte_order() {
        let little = [&[2, 0, 0, 0][..], &IP].concat();
        let big = [&[0, 0, 0, 2][..], &IP].concat();
        let macos_v6 = [&[30, 0, 0, 0][..], &IP].concat();
        let linux_v6 = [&[10, 0, 0, 0][..], &IP].concat();
        assert_eq!(LinkLayer::Null.network(&little), Network::Ip(&IP));
        assert_eq!(LinkLayer::Null.network(&big), Network::Ip(&IP));
        assert_eq!(LinkLayer::Null.network(&macos_v6), Network::Ip(&IP));
        assert_eq!(LinkLayer::Null.network(&linux_v6), Network::NotIp);
        assert_eq!(LinkLayer::Loop.network(&big), Network::Ip(&IP));
        assert_eq!(LinkLayer::Loop.network(&little), Network::NotIp);
        assert_eq!(LinkLayer::Loop.network(&[0, 0]), Network::Cut { need: 4, have: 2 });
    }

    #[test]
    fn cooked_headers_carry_the_protocol_in_different_places() {
        // SLL v1 as `tcpdump -i any` wrote it before libpcap 1.10: outgoing, ARPHRD_LOOPBACK, 6-byte address.
        let sll = [&[0, 4, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00][..], &IP].concat();
        // SLL2: protocol first, then reserved, interface index 1, ARPHRD_LOOPBACK, outgoing, 6-byte address.
        let sll2 = [&[0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0][..], &IP].concat();
        assert_eq!(LinkLayer::LinuxSll.network(&sll), Network::EtherType(0x0800, &IP));
        assert_eq!(LinkLayer::LinuxSll2.network(&sll2), Network::EtherType(0x86dd, &IP));
        assert_eq!(LinkLayer::LinuxSll2.network(&sll2[..12]), Network::Cut { need: 20, have: 12 });
    }

    #[test]
    fn names_for_supported_known_and_unknown_numbers() {
        assert_eq!(link_type_name(276), "LINUX_SLL2");
        assert_eq!(link_type_name(12), "RAW");
        assert_eq!(link_type_name(105), "IEEE802_11");
        assert_eq!(link_type_name(60_000), "not a registered link type");
        assert_eq!(LinkLayer::from_number(105), None);
    }
}
