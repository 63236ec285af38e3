//! Streaming reader: file format (pcap / pcapng) on the outside, link layer and IP/TCP decoding inside.

use super::{
    CaptureError, CaptureFormat, CaptureSummary, CaptureWarning, Packet, PacketContent, TcpFlags,
    TcpOptions, TcpPacket,
};
use etherparse::{LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TcpSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use std::fs::File;
use std::io::{BufReader, Read};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

type Source = BufReader<File>;

enum Format {
    Pcap {
        reader: PcapReader<Source>,
        link: DataLink,
    },
    Pcapng {
        reader: PcapNgReader<Source>,
        interfaces: Vec<Interface>,
    },
}

struct Interface {
    link: DataLink,
    /// Timestamp units per second (pcapng `if_tsresol`, default 10^6).
    ticks_per_second: u64,
}

/// Reads one capture file packet by packet; memory does not grow with the file.
pub struct CaptureReader {
    path: PathBuf,
    format: Format,
    summary: CaptureSummary,
    next_frame: u64,
    finished: bool,
}

impl CaptureReader {
    /// Opens a capture, detecting pcap or pcapng by its magic number.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let open_err = |source| CaptureError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(open_err)?;
        let mut magic = [0u8; 4];
        let got = read_up_to(&mut file, &mut magic).map_err(open_err)?;
        if got == 0 {
            return Err(CaptureError::Empty {
                path: path.to_path_buf(),
            });
        }
        let file = File::open(path).map_err(open_err)?;
        let source = BufReader::with_capacity(256 * 1024, file);
        let not_a_capture = || CaptureError::NotACapture {
            path: path.to_path_buf(),
            magic: magic[..got]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let mut summary = CaptureSummary::default();
        let format = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d] => {
                let reader = PcapReader::new(source)
                    .map_err(|e| malformed(path, 0, format!("bad pcap header: {e}")))?;
                let link = reader.header().datalink;
                check_link_type(path, link)?;
                summary.format = Some(CaptureFormat::Pcap);
                summary.link_types.push(link_type_name(link));
                Format::Pcap { reader, link }
            }
            [0x0a, 0x0d, 0x0d, 0x0a] => {
                let reader = PcapNgReader::new(source)
                    .map_err(|e| malformed(path, 0, format!("bad pcapng section header: {e}")))?;
                summary.format = Some(CaptureFormat::Pcapng);
                Format::Pcapng {
                    reader,
                    interfaces: Vec::new(),
                }
            }
            _ => return Err(not_a_capture()),
        };
        Ok(CaptureReader {
            path: path.to_path_buf(),
            format,
            summary,
            next_frame: 1,
            finished: false,
        })
    }

    /// What has been read so far (complete once the iterator is exhausted).
    pub fn summary(&self) -> &CaptureSummary {
        &self.summary
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_frame(&mut self) -> Option<Result<RawFrame, ReadFailure>> {
        let frame = self.next_frame;
        match &mut self.format {
            Format::Pcap { reader, link } => match reader.next_packet()? {
                Ok(p) => Some(Ok(RawFrame {
                    link: *link,
                    timestamp: p.timestamp,
                    orig_len: p.orig_len,
                    data: p.data.into_owned(),
                })),
                Err(e) => Some(Err(truncation_or_malformed(&self.path, frame, e))),
            },
            Format::Pcapng { reader, interfaces } => loop {
                let block = match reader.next_block()? {
                    Ok(b) => b,
                    Err(e) => return Some(Err(truncation_or_malformed(&self.path, frame, e))),
                };
                match block {
                    Block::InterfaceDescription(idb) => {
                        if let Err(e) = check_link_type(&self.path, idb.linktype) {
                            return Some(Err(e.into()));
                        }
                        let ticks_per_second = idb_ticks_per_second(&idb);
                        self.summary.link_types.push(link_type_name(idb.linktype));
                        interfaces.push(Interface {
                            link: idb.linktype,
                            ticks_per_second,
                        });
                    }
                    Block::EnhancedPacket(epb) => {
                        let Some(iface) = interfaces.get(epb.interface_id as usize) else {
                            return Some(Err(malformed(
                                &self.path,
                                frame,
                                format!(
                                    "packet refers to interface {} which was not described",
                                    epb.interface_id
                                ),
                            )
                            .into()));
                        };
                        // pcap-file assumes microseconds; rescale with the interface's real resolution.
                        let raw_ticks = epb.timestamp.as_micros() as u64;
                        let timestamp = ticks_to_duration(raw_ticks, iface.ticks_per_second);
                        return Some(Ok(RawFrame {
                            link: iface.link,
                            timestamp,
                            orig_len: epb.original_len,
                            data: epb.data.into_owned(),
                        }));
                    }
                    Block::SimplePacket(spb) => {
                        let Some(iface) = interfaces.first() else {
                            return Some(Err(malformed(
                                &self.path,
                                frame,
                                "simple packet before any interface".into(),
                            )
                            .into()));
                        };
                        return Some(Ok(RawFrame {
                            link: iface.link,
                            timestamp: Duration::ZERO,
                            orig_len: spb.original_len,
                            data: spb.data.into_owned(),
                        }));
                    }
                    _ => {}
                }
            },
        }
    }
}

impl Iterator for CaptureReader {
    type Item = Result<Packet, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let raw = match self.read_frame() {
            None => {
                self.finished = true;
                return None;
            }
            Some(Err(ReadFailure::Truncated { frame, message })) => {
                // A capture killed mid-write: keep everything before the cut, and say where it ends.
                self.finished = true;
                self.summary
                    .warnings
                    .push(CaptureWarning { frame, message });
                return None;
            }
            Some(Err(ReadFailure::Fatal(e))) => {
                self.finished = true;
                return Some(Err(e));
            }
            Some(Ok(raw)) => raw,
        };
        let frame = self.next_frame;
        self.next_frame += 1;
        self.summary.packets += 1;
        let content = decode_frame(raw.link, &raw.data);
        match &content {
            PacketContent::Tcp(_) => self.summary.tcp_packets += 1,
            PacketContent::IpFragment => {
                self.summary.ip_fragments += 1;
                self.summary.skipped += 1;
            }
            PacketContent::Other => self.summary.skipped += 1,
        }
        Some(Ok(Packet {
            frame,
            timestamp: raw.timestamp,
            orig_len: raw.orig_len,
            cap_len: raw.data.len() as u32,
            content,
        }))
    }
}

/// Why a frame could not be read.
enum ReadFailure {
    /// The file ends inside a record: a capture killed mid-write. Not fatal.
    Truncated {
        frame: u64,
        message: String,
    },
    Fatal(CaptureError),
}

impl From<CaptureError> for ReadFailure {
    fn from(e: CaptureError) -> Self {
        ReadFailure::Fatal(e)
    }
}

struct RawFrame {
    link: DataLink,
    timestamp: Duration,
    orig_len: u32,
    data: Vec<u8>,
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

fn malformed(path: &Path, frame: u64, reason: String) -> CaptureError {
    CaptureError::Malformed {
        path: path.to_path_buf(),
        frame,
        reason,
    }
}

fn truncation_or_malformed(path: &Path, frame: u64, err: pcap_file::PcapError) -> ReadFailure {
    match err {
        pcap_file::PcapError::IncompleteBuffer => ReadFailure::Truncated {
            frame,
            message: format!(
                "the file ends in the middle of frame {frame}; frames before it are used"
            ),
        },
        other => ReadFailure::Fatal(malformed(path, frame, other.to_string())),
    }
}

fn ticks_to_duration(ticks: u64, per_second: u64) -> Duration {
    let per_second = per_second.max(1);
    let secs = ticks / per_second;
    let rem = ticks % per_second;
    let nanos = (u128::from(rem) * 1_000_000_000 / u128::from(per_second)) as u32;
    Duration::new(secs, nanos)
}

fn idb_ticks_per_second(
    idb: &pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock,
) -> u64 {
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
    for opt in &idb.options {
        if let InterfaceDescriptionOption::IfTsResol(r) = opt {
            let exp = u32::from(r & 0x7f);
            return if r & 0x80 != 0 {
                2u64.saturating_pow(exp)
            } else {
                10u64.saturating_pow(exp)
            };
        }
    }
    1_000_000
}

fn check_link_type(path: &Path, link: DataLink) -> Result<(), CaptureError> {
    match link {
        DataLink::ETHERNET
        | DataLink::RAW
        | DataLink::IPV4
        | DataLink::IPV6
        | DataLink::LINUX_SLL
        | DataLink::LINUX_SLL2
        | DataLink::NULL
        | DataLink::LOOP => Ok(()),
        other => Err(CaptureError::UnknownLinkType {
            path: path.to_path_buf(),
            number: u32::from(other),
            name: link_type_name(other),
        }),
    }
}

fn link_type_name(link: DataLink) -> String {
    match link {
        DataLink::ETHERNET => "ETHERNET".into(),
        DataLink::RAW => "RAW".into(),
        DataLink::IPV4 => "IPV4".into(),
        DataLink::IPV6 => "IPV6".into(),
        DataLink::LINUX_SLL => "LINUX_SLL".into(),
        DataLink::LINUX_SLL2 => "LINUX_SLL2".into(),
        DataLink::NULL => "NULL".into(),
        DataLink::LOOP => "LOOP".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}

/// Decodes the link layer, then IP and TCP. Anything that is not a TCP segment becomes `Other`.
fn decode_frame(link: DataLink, data: &[u8]) -> PacketContent {
    let sliced = match link {
        DataLink::ETHERNET => LaxSlicedPacket::from_ethernet(data).ok(),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => LaxSlicedPacket::from_ip(data).ok(),
        DataLink::LINUX_SLL => sll_payload(data, 16, 14)
            .and_then(|(t, rest)| Some(LaxSlicedPacket::from_ether_type(t.into(), rest))),
        DataLink::LINUX_SLL2 => sll_payload(data, 20, 0)
            .and_then(|(t, rest)| Some(LaxSlicedPacket::from_ether_type(t.into(), rest))),
        DataLink::NULL | DataLink::LOOP => data
            .get(4..)
            .and_then(|rest| LaxSlicedPacket::from_ip(rest).ok()),
        _ => None,
    };
    let Some(sliced) = sliced else {
        return PacketContent::Other;
    };
    let (src_ip, dst_ip, ip_payload, wire_len, fragmented) = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            let payload = ip.payload();
            let wire = usize::from(h.total_len()).saturating_sub(usize::from(h.ihl()) * 4);
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                payload,
                wire,
                ip.is_payload_fragmented(),
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            let payload = ip.payload();
            let ext_len = ip.extensions().slice().len();
            let wire = usize::from(h.payload_length()).saturating_sub(ext_len);
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                payload,
                wire,
                ip.is_payload_fragmented(),
            )
        }
        _ => return PacketContent::Other,
    };
    if fragmented {
        return PacketContent::IpFragment;
    }
    if ip_payload.ip_number != etherparse::IpNumber::TCP {
        return PacketContent::Other;
    }
    let Ok(tcp) = TcpSlice::from_slice(ip_payload.payload) else {
        return PacketContent::Other;
    };
    let header_len = usize::from(tcp.data_offset()) * 4;
    let wire_len = if ip_payload.incomplete {
        wire_len
    } else {
        ip_payload.payload.len()
    };
    let payload_len = wire_len.saturating_sub(header_len) as u32;
    PacketContent::Tcp(TcpPacket {
        src: SocketAddr::new(src_ip, tcp.source_port()),
        dst: SocketAddr::new(dst_ip, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        flags: tcp_flags(&tcp),
        window: tcp.window_size(),
        options: tcp_options(&tcp),
        payload_len,
        payload: tcp.payload().to_vec(),
    })
}

/// Linux cooked capture: the protocol type is at `type_at`, the network layer at `header_len`.
fn sll_payload(data: &[u8], header_len: usize, type_at: usize) -> Option<(u16, &[u8])> {
    let t = data.get(type_at..type_at + 2)?;
    Some((u16::from_be_bytes([t[0], t[1]]), data.get(header_len..)?))
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
    for element in tcp.options_iterator().flatten() {
        match element {
            TcpOptionElement::MaximumSegmentSize(mss) => options.mss = Some(mss),
            TcpOptionElement::WindowScale(s) => options.window_scale = Some(s),
            TcpOptionElement::SelectiveAcknowledgementPermitted => options.sack_permitted = true,
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                options.sack_blocks.push(first);
                options.sack_blocks.extend(rest.iter().flatten().copied());
            }
            TcpOptionElement::Timestamp(val, ecr) => options.timestamps = Some((val, ecr)),
            _ => {}
        }
    }
    options
}
