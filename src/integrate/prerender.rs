//! `tcpdialog prerender`: draws every ```` ```tcpdialog ```` block of a folder of markdown into files any
//! static-site generator can embed (Hugo, Jekyll, Zola, Eleventy...), plus `manifest.json` saying which block
//! became which files.
//!
//! A block's files are named after its text, so a template can find them from the block alone: the name is the
//! first 16 hex digits of the SHA-256 of the text between the fences without its final line breaks, which is
//! exactly what Hugo hands a code-block render hook as `.Inner` (see [`super::hugo`]).

use super::blocks::{self, Block};
use super::error::IntegrateError;
use super::hugo;
use super::render::{Drawer, DrawnBlock};
use crate::site::directive::{Artifact, CaptureDir};
use crate::site::figure::figure_html;
use crate::site::{Location, SiteError};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";
/// The figures' stylesheet, written beside them.
pub const CSS_FILE: &str = "tcpdialog.css";

/// What to prerender, and where.
#[derive(Debug, Clone)]
pub struct PrerenderOptions {
    /// The folder of markdown files, searched recursively.
    pub content: PathBuf,
    /// Where the files go.
    pub out: PathBuf,
    /// Where blocks' captures are.
    pub captures: PathBuf,
    /// Also a PNG of every drawn diagram.
    pub png: bool,
    /// Also every packet table as an HTML fragment.
    pub table: bool,
    /// Also write Hugo's render hook into this Hugo site (`out` must then be a folder inside it).
    pub hugo: Option<PathBuf>,
    /// Where `.tcpdialog-cache/` lives.
    pub cache_root: PathBuf,
}

/// One block in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestEntry {
    /// The markdown file, as `content` was given plus the path inside it.
    pub source: String,
    /// Line of the opening fence.
    pub line: usize,
    pub name: String,
    pub capture: String,
    /// Files of `out` made for this block.
    pub files: Vec<String>,
}

/// Files of one block: name in `out` → bytes.
type Files = Vec<(String, Vec<u8>)>;

#[derive(Debug, Serialize)]
struct Manifest<'a> {
    diagrams: &'a [ManifestEntry],
}

/// The name of a block's files: 16 hex digits of the SHA-256 of its text, final line breaks left out.
pub fn block_name(inner: &str) -> String {
    let digest = Sha256::digest(inner.trim_end_matches(['\n', '\r']).as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Draws every block under `options.content` and writes the files; on any problem nothing is written and every
/// problem is returned, each naming its file and line.
pub fn prerender(options: &PrerenderOptions) -> Result<Vec<ManifestEntry>, IntegrateError> {
    let found = find_blocks(&options.content)?;
    let drawer = Drawer::new(
        CaptureDir { path: options.captures.clone(), shown: options.captures.clone() },
        &options.cache_root,
    );
    let drawn: Vec<Result<(ManifestEntry, Files), SiteError>> =
        found.par_iter().map(|(source, block)| draw_block(&drawer, source, block, options)).collect();
    let mut entries = Vec::new();
    let mut files = BTreeMap::new();
    let mut errors = Vec::new();
    for result in drawn {
        match result {
            Ok((entry, made)) => {
                entries.push(entry);
                files.extend(made);
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(IntegrateError::Blocks(errors));
    }
    let hook = options.hugo.as_deref().map(|root| hugo::render_hook(root, &options.out)).transpose()?;
    write_files(&options.out, &files, &entries)?;
    if let (Some(root), Some(hook)) = (&options.hugo, hook) {
        let path = root.join(hugo::RENDER_HOOK);
        write(&path, hook.as_bytes())?;
    }
    Ok(entries)
}

/// Every tcpdialog block of the markdown files under `content`, by file (sorted by name), then line.
fn find_blocks(content: &Path) -> Result<Vec<(PathBuf, Block)>, IntegrateError> {
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(content).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(content).to_path_buf();
            IntegrateError::io(path, e.into())
        })?;
        let markdown = entry.path().extension().is_some_and(|x| x == "md" || x == "markdown");
        if !entry.file_type().is_file() || !markdown {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|e| IntegrateError::io(entry.path(), e))?;
        found.extend(blocks::find(&text).into_iter().map(|block| (entry.path().to_path_buf(), block)));
    }
    Ok(found)
}

fn draw_block(
    drawer: &Drawer,
    source: &Path,
    block: &Block,
    options: &PrerenderOptions,
) -> Result<(ManifestEntry, Files), SiteError> {
    let name = block_name(&block.inner);
    let drawn_block = drawer.draw(block, source, &format!("d{name}"), options.png)?;
    let caption = drawn_block.caption();
    let DrawnBlock { directive, mut drawn } = drawn_block;
    let mut files = Vec::new();
    match drawn.artifact {
        Artifact::Svg => files.push((format!("{name}.svg"), drawn.body.clone())),
        Artifact::Html => files.push((format!("{name}.table.html"), drawn.body.clone())),
    }
    if let Some(png) = drawn.png.take() {
        let problem = |problem| SiteError::Directive { at: Location::new(source, block.first_line()), problem };
        files.push((format!("{name}.png"), png.map_err(problem)?));
    }
    if let (true, Some(table)) = (options.table, &drawn.table) {
        files.push((format!("{name}.table.html"), table.clone()));
    }
    files.push((format!("{name}.figure.html"), figure_html(&name, &drawn, &caption, &[]).into_bytes()));
    let entry = ManifestEntry {
        source: source.to_string_lossy().replace('\\', "/"),
        line: block.fence_line,
        name,
        capture: directive.capture.clone(),
        files: files.iter().map(|(file, _)| file.clone()).collect(),
    };
    Ok((entry, files))
}

/// Writes the diagrams' files and the manifest into `out`.
fn write_files(out: &Path, files: &BTreeMap<String, Vec<u8>>, entries: &[ManifestEntry]) -> Result<(), IntegrateError> {
    for (name, bytes) in files {
        write(&out.join(name), bytes)?;
    }
    write(&out.join(CSS_FILE), super::CSS.as_bytes())?;
    let mut manifest = serde_json::to_string_pretty(&Manifest { diagrams: entries }).unwrap_or_default();
    manifest.push('\n');
    write(&out.join(MANIFEST_FILE), manifest.as_bytes())
}

/// Writes a file, making its folder; an unchanged file is left alone, so a watching server does not rebuild.
fn write(path: &Path, bytes: &[u8]) -> Result<(), IntegrateError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| IntegrateError::io(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| IntegrateError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ignore_only_the_final_line_breaks() {
        let name = block_name("capture = \"a.pcap\"\n");
        assert_eq!(name.len(), 16);
        assert_eq!(name, block_name("capture = \"a.pcap\"\n\n\r\n"));
        assert_eq!(name, block_name("capture = \"a.pcap\""));
        assert_ne!(name, block_name("capture = \"a.pcap\"  \n"));
        assert_ne!(name, block_name("\ncapture = \"a.pcap\"\n"));
        // The SHA-256 of `capture = "a.pcap"`, as `printf %s 'capture = "a.pcap"' | sha256sum` prints it.
        assert_eq!(name, "d205e23fcfeb9e1e");
    }
}
