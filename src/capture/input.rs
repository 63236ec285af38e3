//! Byte-level reading shared by the pcap and pcapng readers.
//!
//! [`Input`] does exact-length reads that tell a clean end of file (nothing left) from a file cut short (part of
//! a record left), which is what lets a capture killed mid-write keep every frame before the cut.
//! [`Fields`] reads fixed-width fields of a record or block in the file's byte order, answering `None` instead of
//! panicking when the bytes are too short.

use std::io::{self, BufReader, ErrorKind, Read};

/// Where capture bytes come from: a file, or any reader (tests, fuzzing).
pub(super) type Source = Box<dyn Read + Send>;

/// Read buffer size: large enough for a few hundred frames per system call, small enough not to matter.
const BUFFER_SIZE: usize = 64 * 1024;

/// A buffered byte stream with exact-length reads.
pub(super) struct Input {
    inner: BufReader<Source>,
}

/// How much of a requested read the stream could give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Filled {
    /// Every requested byte.
    All,
    /// Not a byte: the stream ended cleanly before the read.
    Nothing,
    /// Some bytes, then the end: the file is cut inside this read.
    Part(usize),
}

impl Filled {
    /// How many bytes a read got when it did not get all it asked for; `None` when it did.
    pub(super) fn incomplete(self) -> Option<usize> {
        match self {
            Filled::All => None,
            Filled::Nothing => Some(0),
            Filled::Part(n) => Some(n),
        }
    }
}

impl Input {
    pub(super) fn new(source: Source) -> Self {
        Input { inner: BufReader::with_capacity(BUFFER_SIZE, source) }
    }

    /// Fills `buf` completely unless the stream ends first.
    pub(super) fn fill(&mut self, buf: &mut [u8]) -> io::Result<Filled> {
        let mut filled = 0;
        while let Some(rest) = buf.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(if filled == buf.len() {
            Filled::All
        } else if filled == 0 {
            Filled::Nothing
        } else {
            Filled::Part(filled)
        })
    }

    /// Replaces the contents of `buf` with the next `len` bytes, reusing its allocation.
    pub(super) fn fill_vec(&mut self, buf: &mut Vec<u8>, len: usize) -> io::Result<Filled> {
        buf.clear();
        buf.resize(len, 0);
        self.fill(buf)
    }
}

/// The byte order of a pcap file or pcapng section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endian {
    Little,
    Big,
}

impl Endian {
    pub(super) fn u16(self, bytes: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(bytes),
            Endian::Big => u16::from_be_bytes(bytes),
        }
    }

    pub(super) fn u32(self, bytes: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(bytes),
            Endian::Big => u32::from_be_bytes(bytes),
        }
    }

    pub(super) fn u64(self, bytes: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(bytes),
            Endian::Big => u64::from_be_bytes(bytes),
        }
    }
}

/// Fixed-offset fields of a record or block body in a given byte order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    bytes: &'a [u8],
    endian: Endian,
}

impl<'a> Fields<'a> {
    pub(super) fn new(bytes: &'a [u8], endian: Endian) -> Self {
        Fields { bytes, endian }
    }

    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(super) fn bytes(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.bytes.get(at..at.checked_add(len)?)
    }

    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.bytes(at, N)?.try_into().ok()
    }

    pub(super) fn u16_at(&self, at: usize) -> Option<u16> {
        Some(self.endian.u16(self.array(at)?))
    }

    pub(super) fn u32_at(&self, at: usize) -> Option<u32> {
        Some(self.endian.u32(self.array(at)?))
    }

    pub(super) fn u64_at(&self, at: usize) -> Option<u64> {
        Some(self.endian.u64(self.array(at)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn input(bytes: &[u8]) -> Input {
        Input::new(Box::new(Cursor::new(bytes.to_vec())))
    }

    /// A reader that hands out one byte per call, as a pipe or a slow disk may.
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(b), Some(slot)) => {
                    *slot = *b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn fill_tells_clean_end_from_cut() {
        let mut input = input(&[1, 2, 3, 4, 5, 6]);
        let mut four = [0u8; 4];
        assert_eq!(input.fill(&mut four).unwrap(), Filled::All);
        assert_eq!(four, [1, 2, 3, 4]);
        assert_eq!(input.fill(&mut four).unwrap(), Filled::Part(2));
        assert_eq!(input.fill(&mut four).unwrap(), Filled::Nothing);
    }

    #[test]
    fn fill_gathers_short_reads() {
        let mut input = Input::new(Box::new(Trickle(vec![9, 8, 7, 6, 5], 0)));
        let mut buf = Vec::new();
        assert_eq!(input.fill_vec(&mut buf, 5).unwrap(), Filled::All);
        assert_eq!(buf, [9, 8, 7, 6, 5]);
    }

    #[test]
    fn fields_read_both_byte_orders_and_refuse_short_bodies() {
        let bytes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];
        let le = Fields::new(&bytes, Endian::Little);
        let be = Fields::new(&bytes, Endian::Big);
        assert_eq!(le.u32_at(0), Some(0x0403_0201));
        assert_eq!(be.u32_at(0), Some(0x0102_0304));
        assert_eq!(be.u16_at(6), Some(0x0708));
        assert_eq!(be.u64_at(0), Some(0x0102_0304_0506_0708));
        assert_eq!(be.u32_at(6), None);
        assert_eq!(be.bytes(usize::MAX, 2), None);
    }
}
