//! Writing the site: every file goes into a staging folder beside `output/` (`.output-staging`), and only
//! when all of them are written is the old `output/` swapped out by renames. A build that fails at any point
//! leaves the previous `output/` as it was.

use super::error::SiteError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const OUTPUT_DIR: &str = "output";
const STAGING_DIR: &str = ".output-staging";
const OLD_DIR: &str = ".output-staging-old";

/// The content of one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Bytes(Vec<u8>),
    /// Copied from this source file (images, captures, attachments).
    Copy(PathBuf),
}

/// Every file of the site, by output path (`/`-separated, relative to `output/`), in sorted order.
pub type OutputFiles = BTreeMap<String, Payload>;

/// Writes the files into the staging folder and swaps it in for `output/`.
pub fn write_site(root: &Path, files: &OutputFiles) -> Result<(), SiteError> {
    let output = root.join(OUTPUT_DIR);
    if output.exists() && !output.is_dir() {
        return Err(SiteError::OutputNotADirectory { path: PathBuf::from(OUTPUT_DIR) });
    }
    let staging = root.join(STAGING_DIR);
    remove_if_present(&staging)?;
    if let Err(error) = write_all(&staging, files) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    swap_in(root, &staging, &output)
}

fn write_all(staging: &Path, files: &OutputFiles) -> Result<(), SiteError> {
    std::fs::create_dir_all(staging).map_err(|e| SiteError::io(STAGING_DIR, e))?;
    for (path, payload) in files {
        let target = staging.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| SiteError::io(Path::new(OUTPUT_DIR).join(path), e))?;
        }
        let written = match payload {
            Payload::Bytes(bytes) => std::fs::write(&target, bytes),
            Payload::Copy(source) => std::fs::copy(source, &target).map(|_| ()),
        };
        written.map_err(|e| match payload {
            Payload::Copy(source) => SiteError::io(source, e),
            Payload::Bytes(_) => SiteError::io(Path::new(OUTPUT_DIR).join(path), e),
        })?;
    }
    Ok(())
}

/// `output/` → `.output-staging-old/`, staging → `output/`, then the old one is deleted. If the second rename
/// fails, the first is undone.
fn swap_in(root: &Path, staging: &Path, output: &Path) -> Result<(), SiteError> {
    let old = root.join(OLD_DIR);
    remove_if_present(&old)?;
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, &old).map_err(|e| SiteError::io(OUTPUT_DIR, e))?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        if had_output {
            let _ = std::fs::rename(&old, output);
        }
        return Err(SiteError::io(OUTPUT_DIR, e));
    }
    remove_if_present(&old)
}

fn remove_if_present(path: &Path) -> Result<(), SiteError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SiteError::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_new_site_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("output/stale")).unwrap();
        std::fs::write(dir.path().join("output/stale/old.html"), "old").unwrap();
        let mut files = OutputFiles::new();
        files.insert("index.html".into(), Payload::Bytes(b"new".to_vec()));
        files.insert("posts/a/index.html".into(), Payload::Bytes(b"post".to_vec()));
        write_site(dir.path(), &files).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("output/index.html")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(dir.path().join("output/posts/a/index.html")).unwrap(), "post");
        assert!(!dir.path().join("output/stale").exists());
        assert!(!dir.path().join(STAGING_DIR).exists() && !dir.path().join(OLD_DIR).exists());
    }

    #[test]
    fn a_failed_write_keeps_the_old_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("output")).unwrap();
        std::fs::write(dir.path().join("output/index.html"), "old").unwrap();
        let mut files = OutputFiles::new();
        files.insert("index.html".into(), Payload::Bytes(b"new".to_vec()));
        files.insert("img.png".into(), Payload::Copy(dir.path().join("missing.png")));
        let error = write_site(dir.path(), &files).unwrap_err();
        assert!(error.to_string().contains("missing.png"), "{error}");
        assert_eq!(std::fs::read_to_string(dir.path().join("output/index.html")).unwrap(), "old");
        assert!(!dir.path().join(STAGING_DIR).exists());
    }
}
