//! pcapng files: a sequence of blocks, each `type, length, body, length`, grouped in sections.
//!
//! Each section (Section Header Block) sets the byte order and starts a fresh list of interfaces (Interface
//! Description Blocks); packets (Enhanced, Simple and the obsolete Packet Block) name their interface. Timestamps
//! are counted in the interface's `if_tsresol` units (default microseconds; dumpcap and tshark write nanoseconds)
//! plus its `if_tsoffset` seconds. A Decryption Secrets Block is handed on as it is (the TLS key log that
//! `editcap --inject-secrets` embeds). Every other block (name resolution, statistics, custom, unknown) is skipped
//! whole: its length is all we need.
//!
//! The block framing is read here rather than through `pcap-file`'s `PcapNgReader`, which reads EPB timestamps as
//! if they were nanoseconds, fails on a non-UTF-8 comment or an odd option in a block we do not even need, and
//! cannot tell a file cut short from a corrupt length.

use super::error::FormatProblem;
use super::input::{Endian, Fields, Filled, Input};
use super::record::{Event, RawFrame, ReadError, ticks_to_duration};
use std::time::Duration;

/// The first four bytes of every pcapng file: the Section Header Block type, the same in both byte orders.
pub(super) const MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

const SECTION_HEADER: u32 = 0x0a0d_0d0a;
const INTERFACE_DESCRIPTION: u32 = 1;
const OBSOLETE_PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;
const DECRYPTION_SECRETS: u32 = 10;

/// Largest block accepted (Wireshark's limit): any frame plus its options fits, a corrupt length is refused before
/// anything is allocated for it.
const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024;
/// Block type, leading length and trailing length.
const BLOCK_OVERHEAD: u32 = 12;

const OPT_END: u16 = 0;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;

/// An interface of the current section.
#[derive(Debug)]
struct Interface {
    /// Its index among all interfaces of the file.
    index_in_file: usize,
    /// 0 means unlimited.
    snaplen: u32,
    ticks_per_second: u64,
    offset_seconds: i64,
}

/// Where the frame of the block just read lies in the block body, and what it belongs to.
struct FrameInBlock {
    interface: usize,
    timestamp: Duration,
    orig_len: u32,
    data_at: usize,
    data_len: usize,
}

/// A pcapng file being read block by block; only the current block is held in memory.
pub(super) struct PcapngFile {
    input: Input,
    endian: Endian,
    interfaces: Vec<Interface>,
    interfaces_in_file: usize,
    /// Body of the block just read (without type and lengths).
    block: Vec<u8>,
}

impl PcapngFile {
    /// Reads the first Section Header Block; its type bytes ([`MAGIC`]) are already read.
    pub(super) fn open(input: Input) -> Result<Self, ReadError> {
        let mut file = PcapngFile {
            input,
            endian: Endian::Little,
            interfaces: Vec::new(),
            interfaces_in_file: 0,
            block: Vec::new(),
        };
        file.read_block_after_type(MAGIC)?;
        file.start_section()?;
        Ok(file)
    }

    pub(super) fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        let frame = loop {
            let Some(block_type) = self.read_block()? else {
                return Ok(None);
            };
            match block_type {
                SECTION_HEADER => self.start_section()?,
                INTERFACE_DESCRIPTION => return Ok(Some(self.add_interface()?)),
                ENHANCED_PACKET => break self.enhanced_packet()?,
                SIMPLE_PACKET => break self.simple_packet()?,
                OBSOLETE_PACKET => break self.obsolete_packet()?,
                DECRYPTION_SECRETS => return self.secrets().map(Some),
                _ => {}
            }
        };
        let data = frame.data_at.checked_add(frame.data_len).and_then(|end| self.block.get(frame.data_at..end));
        Ok(Some(Event::Frame(RawFrame {
            interface: frame.interface,
            timestamp: frame.timestamp,
            orig_len: frame.orig_len,
            data: data.unwrap_or_default(),
        })))
    }

    /// Reads the next whole block into `self.block`; `None` at a clean end of file.
    fn read_block(&mut self) -> Result<Option<u32>, ReadError> {
        let mut type_bytes = [0u8; 4];
        match self.input.fill(&mut type_bytes)? {
            Filled::All => self.read_block_after_type(type_bytes).map(Some),
            Filled::Nothing => Ok(None),
            Filled::Part(n) => Err(FormatProblem::Truncated { need: 12, have: n as u64 }.into()),
        }
    }

    fn read_block_after_type(&mut self, type_bytes: [u8; 4]) -> Result<u32, ReadError> {
        let mut length_bytes = [0u8; 4];
        self.fill_or_truncated(&mut length_bytes, 12, 4)?;
        // A section header announces its byte order in the magic right after its length.
        let mut byte_order_magic = None;
        if type_bytes == MAGIC {
            let mut magic = [0u8; 4];
            self.fill_or_truncated(&mut magic, 12, 8)?;
            self.endian = match magic {
                [0x1a, 0x2b, 0x3c, 0x4d] => Endian::Big,
                [0x4d, 0x3c, 0x2b, 0x1a] => Endian::Little,
                _ => {
                    return Err(FormatProblem::BadByteOrderMagic { magic: u32::from_be_bytes(magic) }.into());
                }
            };
            byte_order_magic = Some(magic);
        }
        let block_type = self.endian.u32(type_bytes);
        let len = self.endian.u32(length_bytes);
        if !len.is_multiple_of(4) || len < BLOCK_OVERHEAD {
            return Err(FormatProblem::BadBlockLength { len }.into());
        }
        if len > MAX_BLOCK_LEN {
            return Err(FormatProblem::BlockTooLarge { len, max: MAX_BLOCK_LEN }.into());
        }
        let already = if byte_order_magic.is_some() { 12 } else { 8 };
        // Everything after what is read, up to and including the trailing length.
        let rest = len.checked_sub(already).filter(|rest| *rest >= 4).ok_or(FormatProblem::BadBlockLength { len })?;
        match self.input.fill_vec(&mut self.block, rest as usize)? {
            Filled::All => {}
            Filled::Nothing => return Err(truncated(len, already)),
            Filled::Part(n) => return Err(truncated(len, already + n as u32)),
        }
        let trailer_at = self.block.len().saturating_sub(4);
        let trailing = Fields::new(&self.block, self.endian).u32_at(trailer_at).unwrap_or(0);
        if trailing != len {
            return Err(FormatProblem::TrailerMismatch { leading: len, trailing }.into());
        }
        self.block.truncate(trailer_at);
        if let Some(magic) = byte_order_magic {
            self.block.splice(0..0, magic);
        }
        Ok(block_type)
    }

    fn fill_or_truncated(&mut self, buf: &mut [u8], need: u64, have_before: u64) -> Result<(), ReadError> {
        match self.input.fill(buf)? {
            Filled::All => Ok(()),
            Filled::Nothing => Err(FormatProblem::Truncated { need, have: have_before }.into()),
            Filled::Part(n) => Err(FormatProblem::Truncated { need, have: have_before + n as u64 }.into()),
        }
    }

    fn fields(&self) -> Fields<'_> {
        Fields::new(&self.block, self.endian)
    }

    /// Body: byte-order magic (4), major (2), minor (2), section length (8), options.
    fn start_section(&mut self) -> Result<(), ReadError> {
        let fields = self.fields();
        let (Some(major), Some(minor)) = (fields.u16_at(4), fields.u16_at(6)) else {
            return Err(short("Section Header", fields.len(), 16));
        };
        if major != 1 {
            return Err(FormatProblem::UnsupportedVersion { major, minor }.into());
        }
        self.interfaces.clear();
        Ok(())
    }

    /// Body: link type (2), reserved (2), snaplen (4), options.
    fn add_interface(&mut self) -> Result<Event<'static>, ReadError> {
        let fields = self.fields();
        let (Some(link_type), Some(snaplen)) = (fields.u16_at(0), fields.u32_at(4)) else {
            return Err(short("Interface Description", fields.len(), 8));
        };
        let mut ticks_per_second = 1_000_000;
        let mut offset_seconds = 0;
        let mut at = 8;
        while let (Some(code), Some(len)) = (fields.u16_at(at), fields.u16_at(at + 2)) {
            let len = usize::from(len);
            if code == OPT_END {
                break;
            }
            match code {
                OPT_IF_TSRESOL if len == 1 => {
                    ticks_per_second =
                        fields.bytes(at + 4, 1).and_then(|b| b.first()).map_or(1_000_000, |r| resolution(*r));
                }
                OPT_IF_TSOFFSET if len == 8 => {
                    offset_seconds = fields.u64_at(at + 4).map_or(0, |v| v as i64);
                }
                _ => {}
            }
            at += 4 + len.next_multiple_of(4);
        }
        self.interfaces.push(Interface {
            index_in_file: self.interfaces_in_file,
            snaplen,
            ticks_per_second,
            offset_seconds,
        });
        self.interfaces_in_file += 1;
        Ok(Event::Interface { link_type: u32::from(link_type) })
    }

    /// Body: secrets type (4), secrets length (4), secrets (padded to 4), options.
    fn secrets(&self) -> Result<Event<'_>, ReadError> {
        let fields = self.fields();
        let (Some(secrets_type), Some(len)) = (fields.u32_at(0), fields.u32_at(4)) else {
            return Err(short("Decryption Secrets", fields.len(), 8));
        };
        let data = usize::try_from(len).ok().and_then(|len| fields.bytes(8, len));
        let data = data.ok_or_else(|| short("Decryption Secrets", fields.len(), (len as usize).saturating_add(8)))?;
        Ok(Event::Secrets { secrets_type, data })
    }

    /// Body: interface (4), timestamp high (4), low (4), captured length (4), original length (4), data, options.
    fn enhanced_packet(&self) -> Result<FrameInBlock, ReadError> {
        let fields = self.fields();
        let (Some(interface), Some(high), Some(low), Some(captured), Some(orig_len)) =
            (fields.u32_at(0), fields.u32_at(4), fields.u32_at(8), fields.u32_at(12), fields.u32_at(16))
        else {
            return Err(short("Enhanced Packet", fields.len(), 20));
        };
        self.timed_frame("Enhanced Packet", interface, high, low, captured, orig_len)
    }

    /// Body: interface (2), drops (2), timestamp high (4), low (4), captured length (4), original length (4), data.
    fn obsolete_packet(&self) -> Result<FrameInBlock, ReadError> {
        let fields = self.fields();
        let (Some(interface), Some(high), Some(low), Some(captured), Some(orig_len)) =
            (fields.u16_at(0), fields.u32_at(4), fields.u32_at(8), fields.u32_at(12), fields.u32_at(16))
        else {
            return Err(short("Packet", fields.len(), 20));
        };
        self.timed_frame("Packet", u32::from(interface), high, low, captured, orig_len)
    }

    fn timed_frame(
        &self,
        block: &'static str,
        interface: u32,
        high: u32,
        low: u32,
        captured: u32,
        orig_len: u32,
    ) -> Result<FrameInBlock, ReadError> {
        let iface = self.interface(interface)?;
        let room = self.block.len().saturating_sub(20);
        if captured as usize > room {
            return Err(FormatProblem::PacketOverrunsBlock { block, captured, room }.into());
        }
        let ticks = (u64::from(high) << 32) | u64::from(low);
        let timestamp = ticks_to_duration(ticks, iface.ticks_per_second);
        let timestamp = if iface.offset_seconds >= 0 {
            timestamp.saturating_add(Duration::from_secs(iface.offset_seconds.unsigned_abs()))
        } else {
            timestamp.saturating_sub(Duration::from_secs(iface.offset_seconds.unsigned_abs()))
        };
        Ok(FrameInBlock {
            interface: iface.index_in_file,
            timestamp,
            orig_len,
            data_at: 20,
            data_len: captured as usize,
        })
    }

    /// Body: original length (4), data padded to 4 bytes. The frame belongs to the section's first interface and
    /// holds `min(original length, snaplen)` bytes; it has no timestamp.
    fn simple_packet(&self) -> Result<FrameInBlock, ReadError> {
        let Some(orig_len) = self.fields().u32_at(0) else {
            return Err(short("Simple Packet", self.block.len(), 4));
        };
        let iface = self.interface(0)?;
        let mut data_len = (orig_len as usize).min(self.block.len().saturating_sub(4));
        if iface.snaplen > 0 {
            data_len = data_len.min(iface.snaplen as usize);
        }
        Ok(FrameInBlock { interface: iface.index_in_file, timestamp: Duration::ZERO, orig_len, data_at: 4, data_len })
    }

    fn interface(&self, id: u32) -> Result<&Interface, ReadError> {
        let known = self.interfaces.len();
        self.interfaces.get(id as usize).ok_or(FormatProblem::UndescribedInterface { id, known }.into())
    }
}

fn truncated(len: u32, have: u32) -> ReadError {
    FormatProblem::Truncated { need: u64::from(len), have: u64::from(have) }.into()
}

fn short(block: &'static str, len: usize, need: usize) -> ReadError {
    FormatProblem::BlockTooShort { block, len, need }.into()
}

/// `if_tsresol`: the high bit picks a power of two, else a power of ten, of units per second.
fn resolution(tsresol: u8) -> u64 {
    let exponent = u32::from(tsresol & 0x7f);
    let base: u64 = if tsresol & 0x80 != 0 { 2 } else { 10 };
    // An exponent too large for u64 is nonsense; the largest resolution keeps timestamps finite.
    base.checked_pow(exponent).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Builds one block in the given byte order, padding the body to 4 bytes as writers do.
    fn block(endian: Endian, block_type: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        body.resize(body.len().next_multiple_of(4), 0);
        let len = body.len() as u32 + 12;
        let u32_bytes = |v: u32| {
            if endian == Endian::Big { v.to_be_bytes() } else { v.to_le_bytes() }
        };
        let mut out = u32_bytes(block_type).to_vec();
        out.extend_from_slice(&u32_bytes(len));
        out.extend_from_slice(&body);
        out.extend_from_slice(&u32_bytes(len));
        out
    }

    fn words(endian: Endian, values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| if endian == Endian::Big { v.to_be_bytes() } else { v.to_le_bytes() }).collect()
    }

    fn section(endian: Endian) -> Vec<u8> {
        let mut body = words(endian, &[0x1a2b_3c4d]);
        let version = if endian == Endian::Big { [0, 1, 0, 0] } else { [1, 0, 0, 0] };
        body.extend_from_slice(&version);
        body.extend_from_slice(&[0xff; 8]); // section length unknown
        block(endian, SECTION_HEADER, &body)
    }

    /// An IDB with the given link type, snaplen and optional `if_tsresol`.
    fn interface(endian: Endian, link_type: u16, snaplen: u32, tsresol: Option<u8>) -> Vec<u8> {
        let mut body = if endian == Endian::Big { link_type.to_be_bytes() } else { link_type.to_le_bytes() }.to_vec();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&words(endian, &[snaplen]));
        if let Some(r) = tsresol {
            let code_len = if endian == Endian::Big { [0, 9, 0, 1] } else { [9, 0, 1, 0] };
            body.extend_from_slice(&code_len);
            body.extend_from_slice(&[r, 0, 0, 0]);
            body.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        }
        block(endian, INTERFACE_DESCRIPTION, &body)
    }

    fn enhanced(endian: Endian, interface: u32, ticks: u64, orig_len: u32, data: &[u8]) -> Vec<u8> {
        let mut body = words(endian, &[interface, (ticks >> 32) as u32, ticks as u32, data.len() as u32, orig_len]);
        body.extend_from_slice(data);
        block(endian, ENHANCED_PACKET, &body)
    }

    fn open(bytes: &[u8]) -> Result<PcapngFile, ReadError> {
        let mut input = Input::new(Box::new(Cursor::new(bytes.to_vec())));
        let mut magic = [0u8; 4];
        input.fill(&mut magic).unwrap();
        assert_eq!(magic, MAGIC);
        PcapngFile::open(input)
    }

    /// Link types, frames as (interface, timestamp, orig_len, data), and the error that ended reading.
    type Events = (Vec<u32>, Vec<(usize, Duration, u32, Vec<u8>)>, Option<ReadError>);

    /// Every event of a file.
    fn events(bytes: &[u8]) -> Events {
        let mut file = match open(bytes) {
            Ok(f) => f,
            Err(e) => return (vec![], vec![], Some(e)),
        };
        let (mut links, mut frames) = (vec![], vec![]);
        loop {
            match file.next_event() {
                Ok(Some(Event::Interface { link_type })) => links.push(link_type),
                Ok(Some(Event::Frame(f))) => frames.push((f.interface, f.timestamp, f.orig_len, f.data.to_vec())),
                Ok(Some(Event::Secrets { .. })) => {}
                Ok(None) => return (links, frames, None),
                Err(e) => return (links, frames, Some(e)),
            }
        }
    }

    #[test]
    fn a_decryption_secrets_block_is_handed_on_between_the_frames_it_sits_between() {
        for endian in [Endian::Little, Endian::Big] {
            let secrets = b"CLIENT_RANDOM 00 11\n";
            let mut body = words(endian, &[0x544c_534b, secrets.len() as u32]);
            body.extend_from_slice(secrets);
            let mut file = section(endian);
            file.extend(interface(endian, 1, 65535, None));
            file.extend(block(endian, DECRYPTION_SECRETS, &body));
            file.extend(enhanced(endian, 0, 1_700_000_000_000_000, 60, &[1, 2, 3]));
            let mut file = open(&file).unwrap();
            assert!(matches!(file.next_event(), Ok(Some(Event::Interface { link_type: 1 }))));
            match file.next_event() {
                Ok(Some(Event::Secrets { secrets_type, data })) => {
                    assert_eq!((secrets_type, data), (0x544c_534b, &secrets[..]));
                }
                other => panic!("{other:?}"),
            }
            assert!(matches!(file.next_event(), Ok(Some(Event::Frame(_)))));
        }
        // A length past the block is refused, not read beyond it.
        let mut body = words(Endian::Little, &[0x544c_534b, 1000]);
        body.extend_from_slice(b"CLIENT");
        let mut bytes = section(Endian::Little);
        bytes.extend(block(Endian::Little, DECRYPTION_SECRETS, &body));
        assert!(matches!(open(&bytes).unwrap().next_event(), Err(ReadError::Format(_))));
    }

    #[test]
    fn interfaces_keep_their_own_link_type_and_resolution() {
        let le = Endian::Little;
        let mut file = section(le);
        file.extend(interface(le, 1, 65535, Some(9))); // Ethernet, nanoseconds (as dumpcap writes)
        file.extend(interface(le, 276, 65535, None)); // SLL2, default microseconds
        file.extend(enhanced(le, 0, 1_700_000_000_123_456_789, 60, &[1, 2, 3]));
        file.extend(enhanced(le, 1, 1_700_000_001_000_001, 80, &[4, 5, 6, 7, 8]));
        let (links, frames, err) = events(&file);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(links, [1, 276]);
        assert_eq!(frames[0], (0, Duration::new(1_700_000_000, 123_456_789), 60, vec![1, 2, 3]));
        assert_eq!(frames[1], (1, Duration::new(1_700_000_001, 1_000), 80, vec![4, 5, 6, 7, 8]));
    }

    #[test]
    fn unknown_blocks_are_skipped_and_simple_packets_read() {
        let le = Endian::Little;
        let mut file = section(le);
        file.extend(block(le, 0x0bad_cafe, b"whatever this is"));
        file.extend(interface(le, 101, 4, None));
        file.extend(block(le, 5, &[0; 20])); // interface statistics
        // A simple packet of 6 original bytes under a 4-byte snaplen: 4 are stored.
        let mut spb = words(le, &[6]);
        spb.extend_from_slice(&[9, 9, 9, 9]);
        file.extend(block(le, SIMPLE_PACKET, &spb));
        let (links, frames, err) = events(&file);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(links, [101]);
        assert_eq!(frames, [(0, Duration::ZERO, 6, vec![9, 9, 9, 9])]);
    }

    #[test]
    fn a_new_section_switches_byte_order_and_restarts_interfaces() {
        let (le, be) = (Endian::Little, Endian::Big);
        let mut file = section(le);
        file.extend(interface(le, 1, 0, None));
        file.extend(enhanced(le, 0, 1_000_000, 10, &[1]));
        file.extend(section(be));
        file.extend(interface(be, 113, 0, Some(3)));
        file.extend(enhanced(be, 0, 2_500, 10, &[2]));
        let (links, frames, err) = events(&file);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(links, [1, 113]);
        assert_eq!(frames[0], (0, Duration::from_secs(1), 10, vec![1]));
        // Interface 0 of the second section is the file's second interface; milliseconds.
        assert_eq!(frames[1], (1, Duration::from_millis(2_500), 10, vec![2]));
        // Interface 1 of the second section does not exist: the first section's interfaces are gone.
        let mut file = section(le);
        file.extend(interface(le, 1, 0, None));
        file.extend(section(le));
        file.extend(enhanced(le, 0, 0, 1, &[1]));
        let (_, _, err) = events(&file);
        assert!(
            matches!(err, Some(ReadError::Format(FormatProblem::UndescribedInterface { id: 0, known: 0 }))),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_cut_inside_a_block_is_truncated_not_corrupt() {
        let le = Endian::Little;
        let mut file = section(le);
        file.extend(interface(le, 1, 0, None));
        file.extend(enhanced(le, 0, 0, 4, &[1, 2, 3, 4]));
        let whole = file.len();
        file.extend(enhanced(le, 0, 0, 4, &[5, 6, 7, 8]));
        for cut in [whole + 3, whole + 7, whole + 20, file.len() - 1] {
            let (_, frames, err) = events(&file[..cut]);
            assert_eq!(frames.len(), 1, "cut at {cut}");
            assert!(matches!(err, Some(ReadError::Format(FormatProblem::Truncated { .. }))), "cut at {cut}: {err:?}");
        }
    }

    #[test]
    fn corrupt_blocks_are_errors() {
        let le = Endian::Little;
        let mut base = section(le);
        base.extend(interface(le, 1, 0, None));
        let packet = enhanced(le, 0, 0, 4, &[1, 2, 3, 4]);

        let mut bad_length = base.clone();
        let mut odd = packet.clone();
        odd[4] = 33;
        bad_length.extend(odd);
        assert!(matches!(events(&bad_length).2, Some(ReadError::Format(FormatProblem::BadBlockLength { len: 33 }))));

        let mut huge = base.clone();
        let mut big = packet.clone();
        big[4..8].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
        huge.extend(big);
        assert!(matches!(events(&huge).2, Some(ReadError::Format(FormatProblem::BlockTooLarge { .. }))));

        let mut mismatch = base.clone();
        let mut wrong_trailer = packet.clone();
        let last = wrong_trailer.len() - 4;
        wrong_trailer[last] = 0x40;
        mismatch.extend(wrong_trailer);
        assert!(matches!(events(&mismatch).2, Some(ReadError::Format(FormatProblem::TrailerMismatch { .. }))));

        let mut overrun = base.clone();
        let mut long_capture = packet.clone();
        long_capture[20..24].copy_from_slice(&100u32.to_le_bytes());
        overrun.extend(long_capture);
        assert!(matches!(events(&overrun).2, Some(ReadError::Format(FormatProblem::PacketOverrunsBlock { .. }))));

        let mut bad_magic = section(le);
        bad_magic[8] = 0x99;
        assert!(matches!(events(&bad_magic).2, Some(ReadError::Format(FormatProblem::BadByteOrderMagic { .. }))));
    }

    #[test]
    fn tsresol_powers_of_ten_and_two() {
        assert_eq!(resolution(6), 1_000_000);
        assert_eq!(resolution(9), 1_000_000_000);
        assert_eq!(resolution(0x8a), 1024);
        assert_eq!(resolution(0x7f), u64::MAX);
    }
}
