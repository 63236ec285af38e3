//! The capture reader: detects the file format, reads frames one at a time, decodes them and keeps the summary.
//!
//! Policy lives here: which problems end the reading (a corrupt record, an unreadable link type) and which only
//! leave a warning (a file cut mid-frame, an IP fragment, a frame whose headers cannot be read). Warnings are
//! capped so that memory does not grow with the file.

use super::decode::{Decoded, decode_frame};
use super::error::FormatProblem;
use super::input::{Filled, Input};
use super::link::{LinkLayer, link_type_name};
use super::pcap::{self, PcapFile};
use super::pcapng::{self, PcapngFile};
use super::record::{Event, ReadError};
use super::{CaptureError, CaptureFormat, CaptureSummary, CaptureWarning, Packet, PacketContent};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Warnings listed in [`CaptureSummary::warnings`] before further ones are only counted.
pub const MAX_LISTED_WARNINGS: usize = 100;

/// The secrets type of a TLS key log in a pcapng Decryption Secrets Block ("TLSK").
const TLS_KEY_LOG: u32 = 0x544c_534b;
/// Most bytes of embedded key logs kept before they are handed on.
const MAX_PENDING_SECRETS: usize = 64 * 1024 * 1024;

enum Format {
    Pcap(PcapFile),
    Pcapng(PcapngFile),
}

impl Format {
    fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        match self {
            Format::Pcap(file) => file.next_event(),
            Format::Pcapng(file) => file.next_event(),
        }
    }
}

/// An interface of the file, in order over the whole file.
struct InterfaceState {
    link_type: u32,
    /// `None` when tcpdialog cannot read this link type.
    layer: Option<LinkLayer>,
    /// Its frames have been reported as unreadable once already.
    warned: bool,
}

/// Reads one capture file packet by packet; memory does not grow with the file.
///
/// Iterating yields every frame of the file (TCP or not) in order; an `Err` ends the iteration. Once the iterator
/// is exhausted, [`CaptureReader::summary`] is complete.
pub struct CaptureReader {
    path: PathBuf,
    format: Format,
    summary: CaptureSummary,
    interfaces: Vec<InterfaceState>,
    next_frame: u64,
    finished: bool,
    /// TLS key logs from Decryption Secrets Blocks not yet taken.
    tls_key_logs: Vec<Vec<u8>>,
}

impl CaptureReader {
    /// Opens a capture file, detecting pcap or pcapng by its magic number.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let file = File::open(path).map_err(|cause| CaptureError::Open { path: path.to_path_buf(), cause })?;
        Self::from_reader(path, file)
    }

    /// Reads a capture from any byte source; `name` is what errors and warnings call it.
    pub fn from_reader(name: impl Into<PathBuf>, source: impl Read + Send + 'static) -> Result<Self, CaptureError> {
        let path = name.into();
        let mut input = Input::new(Box::new(source));
        let mut magic = [0u8; 4];
        let filled = match input.fill(&mut magic) {
            Ok(filled) => filled,
            Err(cause) => return Err(CaptureError::Open { path, cause }),
        };
        let got = match filled {
            Filled::All => magic.len(),
            Filled::Nothing => return Err(CaptureError::Empty { path }),
            Filled::Part(n) => n,
        };
        let mut summary = CaptureSummary::default();
        let mut interfaces = Vec::new();
        let header_error = |format: CaptureFormat, e: ReadError| match e {
            ReadError::Format(problem) => CaptureError::Header { path: path.clone(), format: format.name(), problem },
            ReadError::Io(cause) => CaptureError::Open { path: path.clone(), cause },
        };
        let format = if got == magic.len() && magic == pcapng::MAGIC {
            summary.format = Some(CaptureFormat::Pcapng);
            Format::Pcapng(PcapngFile::open(input).map_err(|e| header_error(CaptureFormat::Pcapng, e))?)
        } else if got == magic.len() && pcap::magic_format(magic).is_some() {
            summary.format = Some(CaptureFormat::Pcap);
            let file = PcapFile::open(input, magic).map_err(|e| header_error(CaptureFormat::Pcap, e))?;
            let link_type = file.link_type();
            let Some(layer) = LinkLayer::from_number(link_type) else {
                return Err(CaptureError::UnknownLinkType { path, number: link_type, name: link_type_name(link_type) });
            };
            summary.link_types.push(layer.name().to_string());
            interfaces.push(InterfaceState { link_type, layer: Some(layer), warned: false });
            Format::Pcap(file)
        } else {
            let magic = magic.iter().take(got).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
            return Err(CaptureError::NotACapture { path, magic });
        };
        Ok(CaptureReader {
            path,
            format,
            summary,
            interfaces,
            next_frame: 1,
            finished: false,
            tls_key_logs: Vec::new(),
        })
    }

    /// What has been read so far (complete once the iterator is exhausted).
    pub fn summary(&self) -> &CaptureSummary {
        &self.summary
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn warn(&mut self, frame: u64, message: impl std::fmt::Display) {
        let warnings = &mut self.summary.warnings;
        if warnings.len() < MAX_LISTED_WARNINGS {
            warnings
                .push(CaptureWarning { frame, message: format!("{}: frame {frame}: {message}", self.path.display()) });
        } else {
            self.summary.unlisted_warnings += 1;
        }
    }

    /// Ends the iteration on a read failure: a cut file is a warning, anything else an error.
    fn fail(&mut self, error: ReadError) -> Option<CaptureError> {
        self.finished = true;
        let frame = self.next_frame;
        match error {
            ReadError::Format(FormatProblem::Truncated { need, have }) => {
                let used = frame - 1;
                self.warn(
                    frame,
                    format_args!(
                        "the file ends in the middle of a record ({have} of its {need} bytes present); \
                         the {used} complete frame(s) before it are used"
                    ),
                );
                None
            }
            ReadError::Format(reason) => Some(CaptureError::Malformed { path: self.path.clone(), frame, reason }),
            ReadError::Io(cause) => Some(CaptureError::Read { path: self.path.clone(), frame, cause }),
        }
    }

    /// TLS key logs embedded in the file (pcapng Decryption Secrets Blocks) read since the last call: each
    /// applies to the frames after it, so take them before using the next packet.
    pub fn take_tls_key_logs(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.tls_key_logs)
    }

    fn add_secrets(&mut self, frame: u64, secrets_type: u32, data: Vec<u8>) {
        let pending: usize = self.tls_key_logs.iter().map(Vec::len).sum();
        if secrets_type != TLS_KEY_LOG {
            self.warn(frame, format_args!("decryption secrets of type {secrets_type:#010x} are not used"));
        } else if pending + data.len() > MAX_PENDING_SECRETS {
            self.warn(
                frame,
                format_args!("more than {MAX_PENDING_SECRETS} bytes of embedded TLS secrets; the rest are not used"),
            );
        } else {
            self.tls_key_logs.push(data);
        }
    }

    fn add_interface(&mut self, link_type: u32) {
        let layer = LinkLayer::from_number(link_type);
        self.summary.link_types.push(layer.map_or_else(|| link_type_name(link_type), |l| l.name().to_string()));
        self.interfaces.push(InterfaceState { link_type, layer, warned: false });
    }

    /// Counts a decoded frame and reports what deserves a warning.
    fn account(&mut self, frame: u64, decoded: Decoded) -> PacketContent {
        self.summary.packets += 1;
        let content = match decoded {
            Decoded::Tcp(tcp) => {
                self.summary.tcp_packets += 1;
                return PacketContent::Tcp(tcp);
            }
            Decoded::NotTcp => PacketContent::Other,
            Decoded::Fragment { ip_version } => {
                if self.summary.ip_fragments == 0 {
                    self.warn(frame, format_args!("IPv{ip_version} fragment: fragments are counted but not reassembled, so this and any later fragments are skipped"));
                }
                self.summary.ip_fragments += 1;
                PacketContent::IpFragment
            }
            Decoded::Unreadable(why) => {
                self.warn(frame, format_args!("{why}; frame skipped"));
                PacketContent::Other
            }
        };
        self.summary.skipped += 1;
        content
    }

    /// A frame on an interface tcpdialog cannot read: an error if no interface so far is readable, otherwise
    /// one warning per interface and the frame is skipped.
    fn unreadable_interface(&mut self, frame: u64, interface: usize) -> Result<PacketContent, CaptureError> {
        let Some(state) = self.interfaces.get_mut(interface) else {
            return Ok(PacketContent::Other);
        };
        let (link_type, first) = (state.link_type, !state.warned);
        state.warned = true;
        let name = link_type_name(link_type);
        if !self.interfaces.iter().any(|i| i.layer.is_some()) {
            self.finished = true;
            return Err(CaptureError::UnknownLinkType { path: self.path.clone(), number: link_type, name });
        }
        if first {
            self.warn(
                frame,
                format_args!(
                    "interface {interface} has unsupported link type {link_type} ({name}); its frames are skipped"
                ),
            );
        }
        self.summary.packets += 1;
        self.summary.skipped += 1;
        Ok(PacketContent::Other)
    }
}

impl Iterator for CaptureReader {
    type Item = Result<Packet, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            let frame = self.next_frame;
            let (packet, interface, decoded) = match self.format.next_event() {
                Ok(None) => {
                    self.finished = true;
                    return None;
                }
                Err(e) => return self.fail(e).map(Err),
                Ok(Some(Event::Interface { link_type })) => {
                    self.add_interface(link_type);
                    continue;
                }
                Ok(Some(Event::Secrets { secrets_type, data })) => {
                    let data = data.to_vec();
                    self.add_secrets(frame, secrets_type, data);
                    continue;
                }
                Ok(Some(Event::Frame(raw))) => {
                    let layer = self.interfaces.get(raw.interface).and_then(|i| i.layer);
                    let packet = Packet {
                        frame,
                        timestamp: raw.timestamp,
                        orig_len: raw.orig_len,
                        cap_len: u32::try_from(raw.data.len()).unwrap_or(u32::MAX),
                        content: PacketContent::Other,
                    };
                    (packet, raw.interface, layer.map(|layer| decode_frame(layer, raw.data)))
                }
            };
            self.next_frame += 1;
            let content = match decoded {
                Some(decoded) => Ok(self.account(frame, decoded)),
                None => self.unreadable_interface(frame, interface),
            };
            return Some(content.map(|content| Packet { content, ..packet }));
        }
        None
    }
}
