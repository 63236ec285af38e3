//! Reading a key log file for the command line and the site: bounded, a regular file only, each line that is
//! not used a warning that names the file and the line (never the line itself: it may hold a secret).

use crate::proto::tls_crypto::KeyLog;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Largest key log read: a browser's log of a long session is a few MB.
pub const MAX_KEY_LOG_BYTES: u64 = 64 * 1024 * 1024;

/// Why a key log cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum KeyLogFileError {
    #[error("cannot read key log {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key log {} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("key log {} is larger than {MAX_KEY_LOG_BYTES} bytes", path.display())]
    TooLarge { path: PathBuf },
}

/// A key log and the lines of it that were not used.
#[derive(Debug)]
pub struct LoadedKeyLog {
    pub keys: KeyLog,
    /// `FILE: line N: what is wrong`.
    pub warnings: Vec<String>,
}

/// Reads the NSS key log at `path`.
pub fn read_key_log(path: &Path) -> Result<LoadedKeyLog, KeyLogFileError> {
    let read_error = |source| KeyLogFileError::Read { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(read_error)?;
    if !file.metadata().map_err(read_error)?.is_file() {
        return Err(KeyLogFileError::NotAFile { path: path.to_path_buf() });
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_LOG_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > MAX_KEY_LOG_BYTES {
        return Err(KeyLogFileError::TooLarge { path: path.to_path_buf() });
    }
    let (keys, warnings) = KeyLog::parse(&String::from_utf8_lossy(&bytes));
    let warnings = warnings.iter().map(|w| format!("{}: {w}", path.display())).collect();
    Ok(LoadedKeyLog { keys, warnings })
}
