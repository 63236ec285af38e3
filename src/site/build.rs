//! The one code path behind `build`, `check` and `serve`: load the config and content, render every document
//! in parallel (rayon), sort the problems found, and assemble the output files. Only `build` writes them.

use super::cache::DiagramCache;
use super::config::CONFIG_FILE;
use super::config::Config;
use super::content::CONTENT_DIR;
use super::content::{self, Content, Kind};
use super::error::SiteError;
use super::links::SiteIndex;
use super::markdown::{self, RenderContext, Rendered, Severity};
use super::output::{self, OutputFiles};
use super::pages;
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Choices of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Also render drafts (under `drafts/`, never listed).
    pub drafts: bool,
    /// Use this instead of the config's `base_url` (`serve` sets its own address).
    pub base_url: Option<String>,
    /// Link to folders (`posts/x/`) rather than their `index.html` (`serve` does).
    pub clean_urls: Option<bool>,
    /// Do not read or write `.tcpdialog-cache/`.
    pub no_cache: bool,
    /// Never show a progress bar (it is only ever shown when stderr is a terminal).
    pub quiet: bool,
    /// Write the site here instead of `<root>/output/` (`serve` keeps its drafts and its own address away
    /// from what `build` publishes).
    pub output: Option<PathBuf>,
}

/// What a build did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    pub posts: usize,
    pub pages: usize,
    pub diagrams: usize,
    /// Diagrams taken from the cache rather than drawn.
    pub cached_diagrams: usize,
    /// Files written to `output/`.
    pub files: usize,
    /// Problems that did not stop the build (e.g. a link to a missing file), as `file:line: message`.
    pub warnings: Vec<String>,
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub posts: usize,
    pub pages: usize,
    pub diagrams: usize,
    /// Every problem that would fail a build, or that `check` treats as one (missing link targets).
    pub errors: Vec<SiteError>,
    pub warnings: Vec<SiteError>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Build,
    Check,
}

/// The site as generated in memory.
pub(crate) struct Generated {
    pub files: OutputFiles,
    pub content: Content,
    pub diagrams: usize,
    pub cached_diagrams: usize,
    pub errors: Vec<SiteError>,
    pub warnings: Vec<SiteError>,
}

pub(crate) fn generate(root: &Path, options: &BuildOptions, mode: Mode) -> Result<Generated, SiteError> {
    // A CI job run from the wrong folder must fail, not publish an empty site.
    if !root.join(CONFIG_FILE).is_file() && !root.join(CONTENT_DIR).is_dir() {
        return Err(SiteError::NotASite { root: root.to_path_buf() });
    }
    let mut config = Config::load(root)?;
    if let Some(base_url) = &options.base_url {
        config.base_url = Config::parse(&format!("base_url = {:?}", base_url))?.base_url;
    }
    if let Some(clean) = options.clean_urls {
        config.clean_urls = clean;
    }
    let (content, mut errors) = content::load(root, options.drafts)?;
    let mut index = SiteIndex::default();
    for doc in &content.documents {
        index.documents.insert(doc.content_path.clone(), doc.output_dir.clone());
    }
    index.assets.extend(content.assets.iter().cloned());
    let cache = DiagramCache::new(root, !options.no_cache, mode == Mode::Build);
    let ctx = RenderContext { root, config: &config, index: &index, cache: &cache };

    let progress = progress_bar(content.documents.len(), options.quiet);
    let rendered: Vec<Rendered> = content
        .documents
        .par_iter()
        .map(|doc| {
            let out = markdown::render(doc, &ctx);
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            out
        })
        .collect();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    let mut warnings = Vec::new();
    let mut diagrams = 0;
    let mut rendered = rendered;
    for out in &mut rendered {
        diagrams += out.diagrams;
        for problem in std::mem::take(&mut out.problems) {
            match (problem.severity, mode) {
                (Severity::Error, _) | (Severity::MissingLink, Mode::Check) => errors.push(problem.error),
                (Severity::MissingLink, Mode::Build) | (Severity::Warning, _) => warnings.push(problem.error),
            }
        }
    }
    let files = pages::assemble(root, &config, &content, &rendered)?;
    Ok(Generated { files, content, diagrams, cached_diagrams: cache.hits(), errors, warnings })
}

/// Builds the site into `<root>/output/`; on any error the previous output is left untouched.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildReport, SiteError> {
    let generated = generate(root, options, Mode::Build)?;
    if !generated.errors.is_empty() {
        return Err(SiteError::Failed { errors: generated.errors });
    }
    match &options.output {
        Some(dir) => output::write_site_into(dir, &generated.files)?,
        None => output::write_site(root, &generated.files)?,
    }
    let count = |kind| generated.content.documents.iter().filter(|d| d.kind == kind).count();
    Ok(BuildReport {
        posts: count(Kind::Post),
        pages: count(Kind::Page),
        diagrams: generated.diagrams,
        cached_diagrams: generated.cached_diagrams,
        files: generated.files.len(),
        warnings: generated.warnings.iter().map(ToString::to_string).collect(),
    })
}

/// Loads and verifies the site as `build` does (drawing every diagram), writing nothing.
pub fn check(root: &Path) -> Result<CheckReport, SiteError> {
    let generated = generate(root, &BuildOptions { quiet: true, ..BuildOptions::default() }, Mode::Check)?;
    let count = |kind| generated.content.documents.iter().filter(|d| d.kind == kind).count();
    Ok(CheckReport {
        posts: count(Kind::Post),
        pages: count(Kind::Page),
        diagrams: generated.diagrams,
        errors: generated.errors,
        warnings: generated.warnings,
    })
}

/// A bar on stderr, only when a person is watching (a terminal) and the build is not quiet.
fn progress_bar(len: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() || len < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} rendering {pos}/{len} {wide_bar}") {
        bar.set_style(style);
    }
    Some(bar)
}
