//! Errors of the site stage. Each names the file (relative to the site root) and, where it applies, the line,
//! so a message reads like a compiler's: `content/posts/http.md:12: tcpdialog block: capture "nope.pcap" not found`.

use super::config::CONFIG_FILE;
use super::content::CONTENT_DIR;
use crate::capture::CaptureError;
use crate::diagram::DiagramError;
use crate::dialog::DialogError;
use std::fmt;
use std::path::PathBuf;

/// A place in a source file: `content/posts/http.md:12`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path relative to the site root.
    pub file: PathBuf,
    /// 1-based line; `None` when the problem concerns the whole file.
    pub line: Option<usize>,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: usize) -> Self {
        Location { file: file.into(), line: Some(line) }
    }
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), line: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{path}: {cause}", path = .path.display())]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{} is not a tcpdialog site: it has neither {CONFIG_FILE} nor a {CONTENT_DIR}/ folder (tcpdialog init makes one)", root.display())]
    NotASite { root: PathBuf },
    #[error("{at}: {message}")]
    Config { at: Location, message: String },
    #[error("{at}: the post has no title (add a `Title:` line to its metadata)")]
    MissingTitle { at: Location },
    #[error("{at}: the post has no date (add a `Date: 2020-08-31 09:00` line to its metadata)")]
    MissingDate { at: Location },
    #[error("{at}: cannot read date {value:?} ({cause}); write it like 2020-08-31 09:00")]
    BadDate { at: Location, value: String, cause: jiff::Error },
    #[error("{at}: unknown status {value:?} (expected draft, published or hidden)")]
    BadStatus { at: Location, value: String },
    #[error("{at}: front matter: {message}")]
    FrontMatter { at: Location, message: String },
    #[error("{at}: front matter is not closed (no line `{fence}` after the opening one)")]
    UnclosedFrontMatter { at: Location, fence: &'static str },
    #[error("{at}: slug {slug:?} is used by {other} too", other = .other.display())]
    DuplicateSlug { at: Location, slug: String, other: PathBuf },
    #[error("{at}: link target {target:?} does not exist ({resolved})", resolved = .resolved.display())]
    MissingLinkTarget { at: Location, target: String, resolved: PathBuf },
    #[error("{at}: link {target:?} leaves the site folder")]
    LinkOutsideSite { at: Location, target: String },
    #[error("{at}: tcpdialog block: {problem}")]
    Directive { at: Location, problem: DirectiveProblem },
    #[error("{page}: template: {message}")]
    Template { page: String, message: String },
    #[error("cannot write the site: {path} exists and is not a folder", path = .path.display())]
    OutputNotADirectory { path: PathBuf },
    #[error("{target}: the folder is not empty; init only writes into a new or empty folder", target = .target.display())]
    InitNotEmpty { target: PathBuf },
    #[error("cannot listen on {address}: {cause}")]
    Bind { address: String, cause: std::io::Error },
    #[error("{path}: cannot watch for changes: {cause}", path = .path.display())]
    Watch { path: PathBuf, cause: notify::Error },
    #[error("{}", render_problems(.errors))]
    Failed { errors: Vec<SiteError> },
}

fn render_problems(errors: &[SiteError]) -> String {
    let mut text = format!("the site has {} error(s):", errors.len());
    for error in errors {
        text.push_str("\n  ");
        text.push_str(&error.to_string());
    }
    text
}

/// What is wrong with one ```` ```tcpdialog ```` block (or `{capture}` image link).
#[derive(Debug, thiserror::Error)]
pub enum DirectiveProblem {
    #[error("{0}")]
    Toml(String),
    #[error("unknown key `{key}` (known keys: {known})")]
    UnknownKey { key: String, known: &'static str },
    #[error("no `capture` key: say which file of captures/ to draw")]
    NoCapture,
    #[error("capture {name:?} not found ({resolved})", resolved = .resolved.display())]
    CaptureNotFound { name: String, resolved: PathBuf },
    #[error("key log {name:?} not found ({resolved})", resolved = .resolved.display())]
    KeyLogNotFound { name: String, resolved: PathBuf },
    #[error("key log {name:?} leaves the captures/ folder")]
    KeyLogOutsideSite { name: String },
    #[error("{0}")]
    KeyLog(String),
    #[error("{0}")]
    KeyLogLine(String),
    #[error("capture {name:?} leaves the captures/ folder")]
    CaptureOutsideSite { name: String },
    #[error("capture {name:?} is not a regular file inside captures/ ({resolved}): a link out of the site, a device or a pipe", resolved = .resolved.display())]
    CaptureNotRegular { name: String, resolved: PathBuf },
    #[error("captures {first:?} and {second:?} would both be published as {published:?}; rename one")]
    CaptureNameCollision { first: String, second: String, published: String },
    #[error("`{key} = {value:?}`: expected {expected}")]
    BadValue { key: &'static str, value: String, expected: &'static str },
    #[error("{0}")]
    Capture(#[from] CaptureError),
    #[error("{0}")]
    Dialog(#[from] DialogError),
    #[error(transparent)]
    Graph(#[from] crate::dialog::graph::GraphError),
    #[error("{0}")]
    Diagram(#[from] DiagramError),
}

impl SiteError {
    pub(crate) fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        SiteError::Io { path: path.into(), cause }
    }
}
