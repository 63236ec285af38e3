//! The MySQL packet header and the protocol's basic types (length-encoded integers and strings), read through
//! the bounded [`Reader`].

use crate::proto::reader::{Reader, Truncated};

/// Bytes of a packet header: a 3-byte little-endian payload length and a sequence id.
pub(super) const HEADER_LEN: usize = 4;
/// A payload of this length is continued by the next packet (payloads of 16 MiB and more are split).
pub(super) const MAX_PAYLOAD: u32 = 0xff_ffff;

/// A packet header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    pub len: u32,
    pub seq: u8,
}

impl Header {
    pub(super) fn read(buf: &[u8]) -> Option<Header> {
        let mut r = Reader::new(buf);
        let len = r.u24_le().ok()?;
        let seq = r.u8().ok()?;
        Some(Header { len, seq })
    }

    /// Header and payload.
    pub(super) fn total(&self) -> usize {
        HEADER_LEN + self.len as usize
    }
}

/// A length-encoded integer (`int<lenenc>`); `0xfb` (NULL in a row) reads as 0, `0xff` is not an integer.
pub(super) fn lenenc(r: &mut Reader) -> Result<u64, Truncated> {
    Ok(match r.u8()? {
        small @ 0..=0xfa => u64::from(small),
        0xfb => 0,
        0xfc => u64::from(r.u16_le()?),
        0xfd => u64::from(r.u24_le()?),
        0xfe => r.u64_le()?,
        0xff => return Err(Truncated { need: 1, have: 0 }),
    })
}

/// A length-encoded string (`string<lenenc>`).
pub(super) fn lenenc_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Truncated> {
    let len = lenenc(r)?;
    r.take(usize::try_from(len).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_length_encoded_values() {
        assert_eq!(Header::read(&[0x64, 0, 0, 0, 10]), Some(Header { len: 100, seq: 0 }));
        assert_eq!(Header::read(&[0x64, 0, 0]), None);
        let mut r = Reader::new(&[0x05, 0xfc, 0x34, 0x12, 0xfd, 1, 0, 1, 0xfb, 0xff]);
        assert_eq!(lenenc(&mut r), Ok(5));
        assert_eq!(lenenc(&mut r), Ok(0x1234));
        assert_eq!(lenenc(&mut r), Ok(0x01_0001));
        assert_eq!(lenenc(&mut r), Ok(0));
        assert!(lenenc(&mut r).is_err());
        let mut r = Reader::new(&[3, b'd', b'e', b'f', 9, b'x']);
        assert_eq!(lenenc_bytes(&mut r), Ok(&b"def"[..]));
        assert!(lenenc_bytes(&mut r).is_err(), "nine bytes announced, one there");
    }
}
