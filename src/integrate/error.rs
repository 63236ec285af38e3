//! Errors of the integrations. Problems with blocks are the site's own [`SiteError::Directive`], so they read
//! the same everywhere: `src/chapter.md:12: tcpdialog block: capture "nope.pcap" not found (captures/nope.pcap)`.

use crate::site::SiteError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IntegrateError {
    #[error("{path}: {cause}", path = .path.display())]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{}", list(.0))]
    Blocks(Vec<SiteError>),
    #[error("mdbook: {0}")]
    Mdbook(String),
    #[error("{path}: --hugo needs a folder inside the Hugo site (a relative path without `..`)", path = .path.display())]
    HugoOutside { path: PathBuf },
}

impl IntegrateError {
    pub(crate) fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        IntegrateError::Io { path: path.into(), cause }
    }
}

fn list(errors: &[SiteError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}
