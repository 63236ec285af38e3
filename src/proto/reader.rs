//! A small bounded reader over bytes: every binary decoder reads through it, so no index can panic. Numbers are
//! big-endian (network order) unless the method says `_le` (MySQL).
//!
//! Each read either returns the bytes asked for or [`Truncated`], which says how many bytes were needed and how
//! many were left. [`Reader::sub`] carves out a length-prefixed part that cannot read past its end, and
//! [`Reader::expect_empty`] checks that a part was used up exactly.

/// A read ran past the end of the bytes it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("truncated: needed {need} bytes, {have} left")]
pub struct Truncated {
    pub need: usize,
    pub have: usize,
}

/// Bytes were left over where a part should have been used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{left} unexpected bytes at the end")]
pub struct TrailingBytes {
    pub left: usize,
}

/// A cursor over a byte slice that only moves forward.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub fn left(&self) -> usize {
        self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Takes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.rest)
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        if n > self.rest.len() {
            return Err(Truncated { need: n, have: self.rest.len() });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// A reader over the next `n` bytes, which this reader skips.
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, Truncated> {
        self.take(n).map(Reader::new)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), Truncated> {
        self.take(n).map(|_| ())
    }

    pub fn u8(&mut self) -> Result<u8, Truncated> {
        self.array::<1>().map(|[b]| b)
    }

    pub fn u16(&mut self) -> Result<u16, Truncated> {
        self.array().map(u16::from_be_bytes)
    }

    pub fn u24(&mut self) -> Result<u32, Truncated> {
        self.array::<3>().map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    pub fn u32(&mut self) -> Result<u32, Truncated> {
        self.array().map(u32::from_be_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, Truncated> {
        self.array().map(u64::from_be_bytes)
    }

    /// Little-endian numbers, as MySQL writes them.
    pub fn u16_le(&mut self) -> Result<u16, Truncated> {
        self.array().map(u16::from_le_bytes)
    }

    pub fn u24_le(&mut self) -> Result<u32, Truncated> {
        self.array::<3>().map(|[a, b, c]| u32::from_le_bytes([a, b, c, 0]))
    }

    pub fn u32_le(&mut self) -> Result<u32, Truncated> {
        self.array().map(u32::from_le_bytes)
    }

    pub fn u64_le(&mut self) -> Result<u64, Truncated> {
        self.array().map(u64::from_le_bytes)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A part prefixed by its length in one byte.
    pub fn sub_u8(&mut self) -> Result<Reader<'a>, Truncated> {
        let n = self.u8()?;
        self.sub(usize::from(n))
    }

    /// A part prefixed by its length in two bytes.
    pub fn sub_u16(&mut self) -> Result<Reader<'a>, Truncated> {
        let n = self.u16()?;
        self.sub(usize::from(n))
    }

    /// A part prefixed by its length in three bytes.
    pub fn sub_u24(&mut self) -> Result<Reader<'a>, Truncated> {
        let n = self.u24()?;
        self.sub(n as usize)
    }

    /// Bytes up to a NUL, which is consumed but not returned.
    pub fn cstr(&mut self) -> Result<&'a [u8], Truncated> {
        match self.rest.iter().position(|&b| b == 0) {
            Some(end) => {
                let text = self.take(end)?;
                self.skip(1)?;
                Ok(text)
            }
            None => Err(Truncated { need: self.rest.len() + 1, have: self.rest.len() }),
        }
    }

    pub fn expect_empty(&self) -> Result<(), TrailingBytes> {
        if self.rest.is_empty() { Ok(()) } else { Err(TrailingBytes { left: self.rest.len() }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_numbers_and_stops_at_the_end() {
        let mut r = Reader::new(&[0x16, 0x03, 0x01, 0x00, 0x05, 0xaa]);
        assert_eq!(r.u8(), Ok(0x16));
        assert_eq!(r.u16(), Ok(0x0301));
        assert_eq!(r.u16(), Ok(5));
        assert_eq!(r.u16(), Err(Truncated { need: 2, have: 1 }));
        assert_eq!(r.u8(), Ok(0xaa));
        assert!(r.expect_empty().is_ok());
    }

    #[test]
    fn reads_little_endian_numbers() {
        let mut r = Reader::new(&[0x0c, 0x00, 0x00, 0x01, 0x34, 0x12, 0x01, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(r.u24_le(), Ok(12));
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16_le(), Ok(0x1234));
        assert_eq!(r.u32_le(), Ok(1));
        assert_eq!(r.u64_le(), Ok(2));
        assert_eq!(r.u64_le(), Err(Truncated { need: 8, have: 0 }));
    }

    #[test]
    fn sub_readers_cannot_read_past_their_length() {
        let mut r = Reader::new(&[2, b'h', b'2', 8, b'x']);
        let mut alpn = r.sub_u8().expect("two bytes are there");
        assert_eq!(alpn.rest(), b"h2");
        assert_eq!(r.sub_u8().map(|s| s.left()), Err(Truncated { need: 8, have: 1 }));
        assert_eq!(r.expect_empty(), Err(TrailingBytes { left: 1 }));
    }

    #[test]
    fn cstr_needs_its_terminator() {
        let mut r = Reader::new(b"user\0postgres\0x");
        assert_eq!(r.cstr(), Ok(&b"user"[..]));
        assert_eq!(r.cstr(), Ok(&b"postgres"[..]));
        assert!(r.cstr().is_err());
        assert_eq!(r.u24(), Err(Truncated { need: 3, have: 1 }));
    }
}
