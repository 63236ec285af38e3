//! Writing the site: every file goes into a staging folder beside `output/` (`.output-staging`), and only
//! when all of them are written is it swapped in. Where the system has it (Linux's `renameat2`) the swap is one
//! `RENAME_EXCHANGE`, so `output/` never stops existing; elsewhere two renames. A build that fails at any point
//! leaves the previous `output/` as it was.

use super::error::SiteError;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
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

/// Writes the files into the staging folder and swaps it in for `<root>/output/`.
pub fn write_site(root: &Path, files: &OutputFiles) -> Result<(), SiteError> {
    write_site_into(&root.join(OUTPUT_DIR), files)
}

/// Writes the files into a staging folder beside `output` and swaps it in for `output` (which `serve` keeps
/// apart from the site's own `output/`).
pub fn write_site_into(output: &Path, files: &OutputFiles) -> Result<(), SiteError> {
    if output.exists() && !output.is_dir() {
        return Err(SiteError::OutputNotADirectory { path: output.to_path_buf() });
    }
    let beside = |suffix: &str| {
        let name = output.file_name().map_or_else(|| OUTPUT_DIR.into(), |n| n.to_string_lossy().into_owned());
        let name = if name == OUTPUT_DIR { suffix.to_string() } else { format!(".{name}{suffix}") };
        output.with_file_name(name)
    };
    let staging = beside(STAGING_DIR);
    if let Some(parent) = staging.parent() {
        std::fs::create_dir_all(parent).map_err(|e| SiteError::io(parent, e))?;
    }
    remove_if_present(&staging)?;
    if let Err(error) = write_all(&staging, files) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    swap_in(&staging, output, &beside(OLD_DIR))
}

/// Folders first, then the files on every core (creating thousands of files is most of a cold build's time in
/// the kernel); the error reported is the first in path order, as on one thread.
fn write_all(staging: &Path, files: &OutputFiles) -> Result<(), SiteError> {
    std::fs::create_dir_all(staging).map_err(|e| SiteError::io(STAGING_DIR, e))?;
    let folders: BTreeSet<&str> = files.keys().filter_map(|path| path.rsplit_once('/')).map(|(dir, _)| dir).collect();
    for folder in folders {
        std::fs::create_dir_all(staging.join(folder))
            .map_err(|e| SiteError::io(Path::new(OUTPUT_DIR).join(folder), e))?;
    }
    let written: Vec<Result<(), SiteError>> =
        files.par_iter().map(|(path, payload)| write_file(&staging.join(path), path, payload)).collect();
    written.into_iter().collect()
}

fn write_file(target: &Path, path: &str, payload: &Payload) -> Result<(), SiteError> {
    let written = match payload {
        Payload::Bytes(bytes) => std::fs::write(target, bytes),
        Payload::Copy(source) => std::fs::copy(source, target).map(|_| ()),
    };
    written.map_err(|e| match payload {
        Payload::Copy(source) => SiteError::io(source, e),
        Payload::Bytes(_) => SiteError::io(Path::new(OUTPUT_DIR).join(path), e),
    })
}

/// Staging and `output/` trade places in one step, then the old site (now in staging) is deleted. Where the
/// system cannot exchange: `output/` → `.output-staging-old/`, staging → `output/`, and if the second rename
/// fails, the first is undone.
fn swap_in(staging: &Path, output: &Path, old: &Path) -> Result<(), SiteError> {
    if output.exists() {
        match rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging,
            rustix::fs::CWD,
            output,
            rustix::fs::RenameFlags::EXCHANGE,
        ) {
            Ok(()) => return remove_if_present(staging),
            // Not on this system or file system: fall back to two renames.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP) => {}
            Err(e) => return Err(SiteError::io(output, std::io::Error::from(e))),
        }
    }
    remove_if_present(old)?;
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, old).map_err(|e| SiteError::io(output, e))?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        if had_output {
            let _ = std::fs::rename(old, output);
        }
        return Err(SiteError::io(output, e));
    }
    remove_if_present(old)
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
    fn output_never_stops_existing_while_a_new_site_is_swapped_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = OutputFiles::new();
        files.insert("index.html".into(), Payload::Bytes(b"site".to_vec()));
        write_site(dir.path(), &files).unwrap();
        let index = dir.path().join("output/index.html");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (index, done) = (index.clone(), std::sync::Arc::clone(&done));
            std::thread::spawn(move || {
                let mut missing = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    missing += usize::from(!index.exists());
                }
                missing
            })
        };
        for _ in 0..300 {
            write_site(dir.path(), &files).unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(watcher.join().unwrap(), 0, "output/index.html was missing during a swap");
    }

    #[test]
    fn a_site_can_be_written_into_a_folder_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join(".tcpdialog-cache/serve");
        let mut files = OutputFiles::new();
        files.insert("index.html".into(), Payload::Bytes(b"served".to_vec()));
        write_site_into(&elsewhere, &files).unwrap();
        write_site_into(&elsewhere, &files).unwrap();
        assert_eq!(std::fs::read_to_string(elsewhere.join("index.html")).unwrap(), "served");
        assert!(!dir.path().join(OUTPUT_DIR).exists());
        let left: Vec<_> =
            std::fs::read_dir(dir.path().join(".tcpdialog-cache")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["serve"], "no staging folder is left behind");
    }

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
