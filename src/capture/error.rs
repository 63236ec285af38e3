//! Errors of the capture stage: each names the file and, where it applies, the frame.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{path}: cannot open capture: {source}", path = .path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: empty file, not a capture", path = .path.display())]
    Empty { path: PathBuf },
    #[error("{path}: not a pcap or pcapng file (starts with bytes {magic})", path = .path.display())]
    NotACapture { path: PathBuf, magic: String },
    #[error("{path}: unsupported link type {number} ({name})", path = .path.display())]
    UnknownLinkType {
        path: PathBuf,
        number: u32,
        name: String,
    },
    #[error("{path}: frame {frame}: {reason}", path = .path.display())]
    Malformed {
        path: PathBuf,
        frame: u64,
        reason: String,
    },
}
