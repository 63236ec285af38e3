//! What the file-format readers ([`super::pcap`], [`super::pcapng`]) hand to the capture reader: interface
//! descriptions and raw frames, before any link-layer decoding.

use super::error::FormatProblem;
use std::time::Duration;

/// Largest frame a record may hold: libpcap's and Wireshark's maximum snapshot length. A larger length field is
/// corruption, and refusing it keeps memory bounded whatever the file says.
pub(super) const MAX_FRAME_LEN: u32 = 262_144;

/// One item of a capture file, in file order.
#[derive(Debug)]
pub(super) enum Event<'a> {
    /// A new capture interface (pcap: the single one of the file; pcapng: an Interface Description Block).
    /// Interfaces are numbered in order over the whole file, across pcapng sections.
    Interface {
        link_type: u32,
    },
    Frame(RawFrame<'a>),
    /// A pcapng Decryption Secrets Block: secrets of `secrets_type` (a key log for TLS) for the frames after it.
    Secrets {
        secrets_type: u32,
        data: &'a [u8],
    },
}

/// A frame as stored in the file.
#[derive(Debug)]
pub(super) struct RawFrame<'a> {
    /// Index of its interface among all [`Event::Interface`]s so far.
    pub interface: usize,
    pub timestamp: Duration,
    pub orig_len: u32,
    pub data: &'a [u8],
}

/// Why the next item could not be read.
#[derive(Debug)]
pub(super) enum ReadError {
    Io(std::io::Error),
    /// The bytes are wrong; [`FormatProblem::Truncated`] when the file simply ends.
    Format(FormatProblem),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

impl From<FormatProblem> for ReadError {
    fn from(p: FormatProblem) -> Self {
        ReadError::Format(p)
    }
}

/// Converts `ticks` at `per_second` ticks per second to a duration, exactly (no float).
pub(super) fn ticks_to_duration(ticks: u64, per_second: u64) -> Duration {
    let per_second = per_second.max(1);
    let nanos = u128::from(ticks % per_second) * 1_000_000_000 / u128::from(per_second);
    // nanos < 10^9 by construction, so the conversion cannot fail.
    Duration::new(ticks / per_second, u32::try_from(nanos).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_convert_exactly_at_any_resolution() {
        assert_eq!(ticks_to_duration(1_700_000_000_123_456, 1_000_000), Duration::new(1_700_000_000, 123_456_000));
        assert_eq!(
            ticks_to_duration(1_700_000_000_123_456_789, 1_000_000_000),
            Duration::new(1_700_000_000, 123_456_789)
        );
        // 2^-10 s resolution (if_tsresol 0x8a): 1.5 s is 1536 ticks.
        assert_eq!(ticks_to_duration(1536, 1024), Duration::new(1, 500_000_000));
        assert_eq!(ticks_to_duration(u64::MAX, 0), Duration::new(u64::MAX, 0));
    }
}
