//! The diagram cache, `.tcpdialog-cache/` at the site root: an unchanged diagram is not analysed again.
//!
//! A key is the SHA-256 of everything that decides the picture: the capture's bytes, the block's options
//! (their `Debug` form, which names every field), the output format, and the identity of the running
//! tcpdialog (version plus the size and modification time of its executable, so a rebuilt tcpdialog never
//! reuses pictures drawn by an older renderer). A corrupt or missing entry is simply drawn again.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const CACHE_DIR: &str = ".tcpdialog-cache";

#[derive(Debug)]
pub struct DiagramCache {
    /// `None`: do not read or write (the cache is off).
    dir: Option<PathBuf>,
    /// Write new entries (`check` reads but never writes).
    write: bool,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl DiagramCache {
    pub fn new(root: &Path, enabled: bool, write: bool) -> Self {
        DiagramCache {
            dir: enabled.then(|| root.join(CACHE_DIR)),
            write,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// The key of a diagram of the capture whose SHA-256 is `capture_digest`.
    pub fn key(capture_digest: &[u8], options: &str, format: &str) -> String {
        let mut hash = Sha256::new();
        for part in [program_identity().as_bytes(), options.as_bytes(), format.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hash.update(capture_digest);
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn get(&self, key: &str, extension: &str) -> Option<Vec<u8>> {
        let found = self.dir.as_ref().and_then(|dir| std::fs::read(dir.join(format!("{key}.{extension}"))).ok());
        // A diagram is counted once, by its SVG; its PNG comes along.
        if extension == "svg" {
            let counter = if found.is_some() { &self.hits } else { &self.misses };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Stores an entry; failing to write the cache never fails a build.
    pub fn put(&self, key: &str, extension: &str, bytes: &[u8]) {
        let Some(dir) = self.dir.as_ref().filter(|_| self.write) else {
            return;
        };
        let path = dir.join(format!("{key}.{extension}"));
        // Written under a temporary name and renamed, so a parallel reader never sees half a file.
        let temporary = dir.join(format!("{key}.{extension}.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temporary, bytes))
            .and_then(|()| std::fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }
}

fn program_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let executable = std::env::current_exe().and_then(std::fs::metadata).ok();
        let stamp = executable.map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}:{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
        });
        format!("tcpdialog {} {}", env!("CARGO_PKG_VERSION"), stamp.unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_every_input() {
        let base = DiagramCache::key(b"capture", "view=ladder", "svg");
        assert_eq!(base.len(), 64);
        assert_eq!(base, DiagramCache::key(b"capture", "view=ladder", "svg"));
        assert_ne!(base, DiagramCache::key(b"capturE", "view=ladder", "svg"));
        assert_ne!(base, DiagramCache::key(b"capture", "view=timeline", "svg"));
        assert_ne!(base, DiagramCache::key(b"capture", "view=ladder", "png"));
    }

    #[test]
    fn stores_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiagramCache::new(dir.path(), true, true);
        assert_eq!(cache.get("k", "svg"), None);
        cache.put("k", "svg", b"<svg/>");
        assert_eq!(cache.get("k", "svg").as_deref(), Some(&b"<svg/>"[..]));
        assert_eq!((cache.hits(), cache.misses()), (1, 1));
        let read_only = DiagramCache::new(dir.path(), true, false);
        read_only.put("other", "svg", b"x");
        assert!(!dir.path().join(CACHE_DIR).join("other.svg").exists());
    }
}
