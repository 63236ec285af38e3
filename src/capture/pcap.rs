//! Classic pcap (libpcap) files: a 24-byte file header, then records of a 16-byte header and the frame bytes.
//!
//! Both byte orders; microsecond (`a1b2c3d4`) and nanosecond (`a1b23c4d`) timestamps. A record's original
//! length may exceed its captured length and the file's snaplen: that is what a snaplen-limited capture is, so
//! (unlike `pcap-file`'s `PcapReader`) it is not an error.

use super::error::FormatProblem;
use super::input::{Endian, Fields, Filled, Input};
use super::record::{Event, MAX_FRAME_LEN, RawFrame, ReadError, ticks_to_duration};
use std::time::Duration;

const FILE_HEADER_LEN: u64 = 24;
const RECORD_HEADER_LEN: usize = 16;

/// Byte order and timestamp units per second that a pcap magic number stands for.
pub(super) fn magic_format(magic: [u8; 4]) -> Option<(Endian, u64)> {
    match magic {
        [0xa1, 0xb2, 0xc3, 0xd4] => Some((Endian::Big, 1_000_000)),
        [0xd4, 0xc3, 0xb2, 0xa1] => Some((Endian::Little, 1_000_000)),
        [0xa1, 0xb2, 0x3c, 0x4d] => Some((Endian::Big, 1_000_000_000)),
        [0x4d, 0x3c, 0xb2, 0xa1] => Some((Endian::Little, 1_000_000_000)),
        _ => None,
    }
}

/// A pcap file being read record by record; only the current record is held in memory.
pub(super) struct PcapFile {
    input: Input,
    endian: Endian,
    ticks_per_second: u64,
    link_type: u32,
    record: Vec<u8>,
}

impl PcapFile {
    /// Reads the file header; `magic` are its first four bytes, already read and recognised by [`magic_format`].
    pub(super) fn open(mut input: Input, magic: [u8; 4]) -> Result<Self, ReadError> {
        let Some((endian, ticks_per_second)) = magic_format(magic) else {
            return Err(FormatProblem::BadByteOrderMagic { magic: u32::from_be_bytes(magic) }.into());
        };
        let mut rest = [0u8; 20];
        if let Some(n) = input.fill(&mut rest)?.incomplete() {
            return Err(FormatProblem::Truncated { need: FILE_HEADER_LEN, have: 4 + n as u64 }.into());
        }
        // After the magic: version (2+2), thiszone (4), sigfigs (4), snaplen (4), link type (4).
        // The link type's upper 16 bits carry FCS information, not the type.
        let link_type = Fields::new(&rest, endian).u32_at(16).unwrap_or(0) & 0xffff;
        Ok(PcapFile { input, endian, ticks_per_second, link_type, record: Vec::new() })
    }

    /// The link type of every frame of the file (its one interface).
    pub(super) fn link_type(&self) -> u32 {
        self.link_type
    }

    /// The next frame; pcap files have no other events.
    pub(super) fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        let mut header = [0u8; RECORD_HEADER_LEN];
        match self.input.fill(&mut header)? {
            Filled::All => {}
            Filled::Nothing => return Ok(None),
            Filled::Part(n) => {
                return Err(FormatProblem::Truncated { need: RECORD_HEADER_LEN as u64, have: n as u64 }.into());
            }
        }
        let fields = Fields::new(&header, self.endian);
        let field = |at| fields.u32_at(at).unwrap_or(0);
        let (seconds, fraction, captured, orig_len) = (field(0), field(4), field(8), field(12));
        if captured > MAX_FRAME_LEN {
            return Err(
                FormatProblem::RecordTooLarge { len: u64::from(captured), max: u64::from(MAX_FRAME_LEN) }.into()
            );
        }
        if let Some(n) = self.input.fill_vec(&mut self.record, captured as usize)?.incomplete() {
            let need = RECORD_HEADER_LEN as u64 + u64::from(captured);
            return Err(FormatProblem::Truncated { need, have: (RECORD_HEADER_LEN + n) as u64 }.into());
        }
        // A fraction of a second >= 1 s is invalid; carrying it into the seconds keeps the time monotonic.
        let timestamp =
            Duration::from_secs(u64::from(seconds)) + ticks_to_duration(u64::from(fraction), self.ticks_per_second);
        Ok(Some(Event::Frame(RawFrame { interface: 0, timestamp, orig_len, data: &self.record })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// pcap header (little-endian, µs, snaplen 65535, Ethernet) and one 4-byte record, laid out as libpcap writes them.
    const LE_MICROS: [u8; 44] = [
        0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0x01, 0, 0,
        0, // record: ts 1700000000.123456, caplen 4, origlen 60
        0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 0x04, 0, 0, 0, 0x3c, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef,
    ];

    fn open(bytes: &[u8]) -> Result<PcapFile, ReadError> {
        let mut input = Input::new(Box::new(Cursor::new(bytes.to_vec())));
        let mut magic = [0u8; 4];
        input.fill(&mut magic).unwrap();
        PcapFile::open(input, magic)
    }

    fn frame(file: &mut PcapFile) -> (Duration, u32, Vec<u8>) {
        match file.next_event() {
            Ok(Some(Event::Frame(f))) => (f.timestamp, f.orig_len, f.data.to_vec()),
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[test]
    fn reads_interface_then_frames_then_end() {
        let mut file = open(&LE_MICROS).unwrap();
        assert_eq!(file.link_type(), 1);
        let (ts, orig, data) = frame(&mut file);
        assert_eq!(ts, Duration::new(1_700_000_000, 123_456_000));
        assert_eq!(orig, 60);
        assert_eq!(data, [0xde, 0xad, 0xbe, 0xef]);
        assert!(matches!(file.next_event(), Ok(None)));
    }

    #[test]
    fn reads_big_endian_nanosecond_files() {
        // The same content, written the other way round with a nanosecond fraction.
        let mut bytes = vec![0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1];
        bytes.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        bytes.extend_from_slice(&123_456_789u32.to_be_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 60, 0xaa, 0xbb]);
        let mut file = open(&bytes).unwrap();
        assert_eq!(file.link_type(), 1);
        let (ts, orig, data) = frame(&mut file);
        assert_eq!(ts, Duration::new(1_700_000_000, 123_456_789));
        assert_eq!((orig, data), (60, vec![0xaa, 0xbb]));
    }

    #[test]
    fn a_cut_record_is_reported_as_truncated() {
        let mut file = open(&LE_MICROS[..LE_MICROS.len() - 1]).unwrap();
        let err = file.next_event().unwrap_err();
        assert!(matches!(err, ReadError::Format(FormatProblem::Truncated { need: 20, have: 19 })), "{err:?}");
        let mut file = open(&LE_MICROS[..30]).unwrap();
        assert!(matches!(file.next_event(), Err(ReadError::Format(FormatProblem::Truncated { need: 16, have: 6 }))));
    }

    #[test]
    fn a_cut_file_header_is_an_error() {
        assert!(matches!(
            open(&LE_MICROS[..10]),
            Err(ReadError::Format(FormatProblem::Truncated { need: 24, have: 10 }))
        ));
    }

    #[test]
    fn an_absurd_record_length_is_refused_before_allocating() {
        let mut bytes = LE_MICROS.to_vec();
        bytes[32..36].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        let mut file = open(&bytes).unwrap();
        assert!(matches!(file.next_event(), Err(ReadError::Format(FormatProblem::RecordTooLarge { .. }))));
    }
}
