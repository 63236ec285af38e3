//! Errors of the capture stage: each names the file and, where it applies, the frame.
//!
//! [`CaptureError`] is what a caller sees; [`FormatProblem`] says what exactly is wrong with the bytes of a file
//! header, record or block, so that a message reads like
//! `captures/h2.pcapng: frame 17: block length 7 is not a multiple of 4`.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{path}: cannot open capture: {cause}", path = .path.display())]
    Open { path: PathBuf, cause: std::io::Error },
    #[error("{path}: empty file, not a capture", path = .path.display())]
    Empty { path: PathBuf },
    #[error("{path}: not a pcap or pcapng file (starts with bytes {magic})", path = .path.display())]
    NotACapture { path: PathBuf, magic: String },
    #[error("{path}: unsupported link type {number} ({name})", path = .path.display())]
    UnknownLinkType { path: PathBuf, number: u32, name: String },
    /// The file header (pcap global header, first pcapng section header) is unusable.
    #[error("{path}: broken {format} file header: {problem}", path = .path.display())]
    Header { path: PathBuf, format: &'static str, problem: FormatProblem },
    /// A record or block in the middle of the file is unusable; `frame` is the frame it holds or precedes.
    #[error("{path}: frame {frame}: {reason}", path = .path.display())]
    Malformed { path: PathBuf, frame: u64, reason: FormatProblem },
    /// Reading failed for a reason other than the file's content (I/O error).
    #[error("{path}: frame {frame}: cannot read: {cause}", path = .path.display())]
    Read { path: PathBuf, frame: u64, cause: std::io::Error },
}

/// What is wrong with the bytes of a capture file's header, record or block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatProblem {
    #[error("the file is cut short: {have} of {need} bytes present")]
    Truncated { need: u64, have: u64 },
    #[error("record claims {len} captured bytes, more than the {max} a frame may have")]
    RecordTooLarge { len: u64, max: u64 },
    #[error("block length {len} is not a multiple of 4 or too small for its block")]
    BadBlockLength { len: u32 },
    #[error("block length {len} is larger than the {max} bytes a block may have")]
    BlockTooLarge { len: u32, max: u32 },
    #[error("block length {leading} at the start does not match {trailing} at the end")]
    TrailerMismatch { leading: u32, trailing: u32 },
    #[error("section header has byte-order magic {magic:#010x}, expected 0x1a2b3c4d")]
    BadByteOrderMagic { magic: u32 },
    #[error("pcapng version {major}.{minor} is not supported (only 1.x)")]
    UnsupportedVersion { major: u16, minor: u16 },
    #[error("{block} block is {len} bytes long, too short for its {need} bytes of fixed fields")]
    BlockTooShort { block: &'static str, len: usize, need: usize },
    #[error("{block} block says it holds {captured} packet bytes, but only {room} fit in the block")]
    PacketOverrunsBlock { block: &'static str, captured: u32, room: usize },
    #[error("packet refers to interface {id}, but the section describes only {known} interface(s)")]
    UndescribedInterface { id: u32, known: usize },
}
