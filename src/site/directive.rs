//! The `tcpdialog` directive: a fenced ```` ```tcpdialog ```` block of TOML (or the shorthand image link
//! `![alt]({capture}/http-close.pcap#stream=0)`) that names a capture and how to draw it. This module reads
//! the keys, runs capture → dialog → diagram on the file, and goes through the cache.

use super::cache::DiagramCache;
use super::config::{Config, DiagramDefaults, line_of};
use super::error::DirectiveProblem;
use super::links::join_inside;
use crate::analyze::analyze_file_retaining;
use crate::diagram::{self, DiagramOptions, Format, Labels, Spacing, Theme, View, Width};
use crate::dialog::graph::Graph;
use crate::dialog::{self, Annotations, Dialog, DialogOptions, FrameRange, Note, Selection};
use crate::proto::tls::read_key_log;
use crate::proto::tls_crypto::KeyLog;
use crate::proto::{DecoderOptions, Protocol};
use crate::tcp::Direction;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CAPTURES_DIR: &str = "captures";

const KNOWN_KEYS: &str = "capture, stream, streams, port, host, frames, view, direction, labels, theme, client, \
                          server, title, caption, format, protocol, redact, spacing, keylog, notes, highlight, headers, \
                          lanes";

/// The keys of a block, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    capture: Option<String>,
    stream: Option<usize>,
    streams: Option<Vec<usize>>,
    port: Option<u16>,
    host: Option<String>,
    frames: Option<String>,
    view: Option<String>,
    direction: Option<String>,
    labels: Option<String>,
    theme: Option<String>,
    client: Option<String>,
    server: Option<String>,
    title: Option<String>,
    caption: Option<String>,
    format: Option<String>,
    protocol: Option<String>,
    redact: Option<bool>,
    spacing: Option<String>,
    keylog: Option<String>,
    /// `{ 9 = "the client gives up" }`: TOML keys are strings, read as frame numbers.
    notes: Option<std::collections::BTreeMap<String, String>>,
    highlight: Option<String>,
    headers: Option<Vec<String>>,
    lanes: Option<bool>,
}

/// A checked directive: everything needed to draw one diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// Path inside `captures/`, `/`-separated, never leaving it.
    pub capture: String,
    pub selection: Selection,
    pub dialog: DialogOptions,
    pub diagram: DiagramOptions,
    /// For a stream graph: the direction drawn (`None`: the one that carried more data).
    pub direction: Option<Direction>,
    /// Also publish a PNG (`format = "png"`).
    pub png: bool,
    pub caption: Option<String>,
    pub protocol: Option<Protocol>,
    pub redact: bool,
    /// An NSS key log inside `captures/` that decrypts the capture's TLS (never published).
    pub keylog: Option<String>,
}

/// A problem and the line of the block it is on (0: the block's first line of TOML).
pub type Located<T> = Result<T, (usize, DirectiveProblem)>;

/// Reads a fenced block's TOML. Line numbers in errors count from the block's first line (0).
pub fn parse_block(text: &str, defaults: &DiagramDefaults) -> Located<Directive> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start) - 1);
        (line, DirectiveProblem::Toml(e.message().trim().to_string()))
    })?;
    if let Some(key) = table.keys().find(|k| !KNOWN_KEYS.split(", ").any(|known| known.trim() == k.as_str())) {
        let line = text.lines().position(|l| l.trim_start().starts_with(key.as_str())).unwrap_or(0);
        return Err((line, DirectiveProblem::UnknownKey { key: key.clone(), known: KNOWN_KEYS }));
    }
    let keys: Keys = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| (0, DirectiveProblem::Toml(e.message().to_string())))?;
    Directive::from_keys(keys, defaults).map_err(|problem| (0, problem))
}

/// Reads the shorthand `{capture}` link: the path, and `key=value` pairs after `#` joined by `&` or `;`.
pub fn parse_shorthand(
    path: &str,
    fragment: &str,
    alt: &str,
    defaults: &DiagramDefaults,
) -> Result<Directive, DirectiveProblem> {
    let mut table = toml::Table::new();
    table.insert("capture".into(), toml::Value::String(path.trim_start_matches('/').to_string()));
    for pair in fragment.trim_start_matches('#').split(['&', ';']).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, "true"));
        if !KNOWN_KEYS.split(", ").any(|known| known.trim() == key) {
            return Err(DirectiveProblem::UnknownKey { key: key.to_string(), known: KNOWN_KEYS });
        }
        let value = match key {
            "stream" => value.parse::<i64>().map(toml::Value::Integer).map_err(|_| bad("stream", value, "a number"))?,
            "port" => value.parse::<i64>().map(toml::Value::Integer).map_err(|_| bad("port", value, "a number"))?,
            "streams" => toml::Value::Array(
                value
                    .split(',')
                    .map(|s| {
                        s.trim().parse::<i64>().map(toml::Value::Integer).map_err(|_| bad("streams", value, "numbers"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            "redact" => toml::Value::Boolean(value != "false"),
            _ => toml::Value::String(value.to_string()),
        };
        table.insert(key.to_string(), value);
    }
    if !alt.trim().is_empty() && !table.contains_key("caption") {
        table.insert("caption".into(), toml::Value::String(alt.trim().to_string()));
    }
    let keys: Keys = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| DirectiveProblem::Toml(e.message().to_string()))?;
    Directive::from_keys(keys, defaults)
}

fn bad(key: &'static str, value: &str, expected: &'static str) -> DirectiveProblem {
    DirectiveProblem::BadValue { key, value: value.to_string(), expected }
}

impl Directive {
    fn from_keys(keys: Keys, defaults: &DiagramDefaults) -> Result<Directive, DirectiveProblem> {
        let capture = keys.capture.ok_or(DirectiveProblem::NoCapture)?;
        let capture =
            join_inside("", &capture).ok_or(DirectiveProblem::CaptureOutsideSite { name: capture.clone() })?;
        let mut streams = keys.streams.unwrap_or_default();
        streams.extend(keys.stream);
        streams.sort_unstable();
        streams.dedup();
        let frames = keys.frames.map(|f| parse_frames(&f)).transpose()?;
        let pick = |own: Option<String>, default: &Option<String>| own.or_else(|| default.clone());
        let keylog = pick(keys.keylog, &defaults.keylog)
            .map(|name| join_inside("", &name).ok_or(DirectiveProblem::KeyLogOutsideSite { name }))
            .transpose()?;
        let view = match pick(keys.view, &defaults.view).as_deref() {
            None | Some("ladder") => View::Ladder,
            Some("timeline") => View::Timeline,
            Some("table") => View::Table,
            Some(other) => match other.parse::<View>() {
                Ok(graph) if graph.is_graph() => graph,
                _ => {
                    return Err(bad(
                        "view",
                        other,
                        "ladder, timeline, table, tcptrace, stevens, throughput, rtt or window",
                    ));
                }
            },
        };
        let direction = match keys.direction.as_deref() {
            None => None,
            Some(word) => Some(word.parse::<Direction>().map_err(|_| bad("direction", word, "c2s or s2c"))?),
        };
        let labels = match pick(keys.labels, &defaults.labels).as_deref() {
            None | Some("seq") => Labels::Seq,
            Some("flags") => Labels::Flags,
            Some("full") => Labels::Full,
            Some(other) => return Err(bad("labels", other, "flags, seq or full")),
        };
        let theme = match pick(keys.theme, &defaults.theme).as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => return Err(bad("theme", other, "auto, light or dark")),
        };
        let spacing = match pick(keys.spacing, &defaults.spacing).as_deref() {
            None | Some("even") => Spacing::Even,
            Some("time") => Spacing::Time,
            Some(other) => return Err(bad("spacing", other, "even or time")),
        };
        let png = match pick(keys.format, &defaults.format).as_deref() {
            None | Some("svg") => false,
            Some("png") => true,
            Some(other) => return Err(bad("format", other, "svg or png")),
        };
        let protocol = match keys.protocol {
            None => None,
            Some(name) => Some(
                Protocol::from_name(&name)
                    .ok_or_else(|| bad("protocol", &name, "http, websocket, http2, tls, pgsql or data"))?,
            ),
        };
        let annotations = annotations(keys.notes, keys.highlight, keys.headers)?;
        Ok(Directive {
            capture,
            selection: Selection { streams, port: keys.port, host: keys.host, frames },
            dialog: DialogOptions {
                client_name: pick(keys.client, &defaults.client),
                server_name: pick(keys.server, &defaults.server),
                title: keys.title,
                annotations,
                lanes: keys.lanes.unwrap_or(false),
                ..DialogOptions::default()
            },
            diagram: DiagramOptions { view, labels, theme, spacing, scale: 2.0, ..DiagramOptions::default() },
            direction,
            png,
            caption: keys.caption,
            protocol,
            // Secrets stay hidden unless a block says otherwise, as in the protocol stage.
            redact: keys.redact.or(defaults.redact).unwrap_or(true),
            keylog,
        })
    }

    /// The caption when the block gives none: which capture and which streams.
    pub fn default_caption(&self) -> String {
        let streams = match self.selection.streams.as_slice() {
            [] => "all TCP streams".to_string(),
            [one] => format!("TCP stream {one}"),
            many => format!("TCP streams {}", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        };
        format!("{}, {streams}", self.capture)
    }

    /// A file name for the diagram, without extension: `http-close`, `http-close-s1`, or for a graph
    /// `http-close-s1-rtt`.
    pub fn file_stem(&self) -> String {
        let name = Path::new(&self.capture).file_stem().map_or("diagram".into(), |s| s.to_string_lossy().into_owned());
        let streams: Vec<String> = self.selection.streams.iter().map(ToString::to_string).collect();
        let name = if streams.is_empty() { name } else { format!("{name}-s{}", streams.join("-")) };
        // A graph and the ladder of the same stream are different files: `lossy-download-tcptrace`.
        if self.diagram.view.is_graph() { format!("{name}-{}", self.diagram.view.name()) } else { name }
    }
}

/// The block's `notes`, `highlight` and `headers`, read by the command line's parsers.
fn annotations(
    notes: Option<std::collections::BTreeMap<String, String>>,
    highlight: Option<String>,
    headers: Option<Vec<String>>,
) -> Result<Annotations, DirectiveProblem> {
    let mut read = Annotations { headers: headers.unwrap_or_default(), ..Annotations::default() };
    for (frame, text) in notes.unwrap_or_default() {
        let note: Note =
            format!("{frame}={text}").parse().map_err(|_| bad("notes", &frame, "a frame number and a text"))?;
        read.notes.insert(note.frame, note.text);
    }
    if let Some(range) = highlight {
        let parsed: FrameRange = range.parse().map_err(|_| bad("highlight", &range, "a frame range like \"45-52\""))?;
        read.highlight.push(parsed);
    }
    Ok(read)
}

/// `"4-12"` → (4, 12); a single number is a one-frame range. Read as `--frames` reads it.
fn parse_frames(text: &str) -> Result<(u64, u64), DirectiveProblem> {
    let range: FrameRange = text.parse().map_err(|_| bad("frames", text, "a frame range like \"4-12\""))?;
    Ok((range.first, range.last))
}

/// What a block becomes: an SVG picture, or for the packet table an HTML `<table>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    Svg,
    Html,
}

impl Artifact {
    pub fn extension(self) -> &'static str {
        match self {
            Artifact::Svg => "svg",
            Artifact::Html => "html",
        }
    }
}

/// One drawn diagram.
#[derive(Debug)]
pub struct Drawn {
    pub artifact: Artifact,
    /// The SVG, or the HTML table.
    pub body: Vec<u8>,
    /// For a drawing (not the table): the same drawing laid out for a phone ([`Width::Compact`]), shown instead of `body` on
    /// narrow screens.
    pub compact: Option<Vec<u8>>,
    /// Drawn when asked for (never for the table); an error when the renderer could not make a PNG.
    pub png: Option<Result<Vec<u8>, DirectiveProblem>>,
    /// The social card (`diagram::render_card`), when asked for and the view has one.
    pub card: Option<Result<Vec<u8>, DirectiveProblem>>,
    /// For a ladder: its packet list as an HTML table, whose rows and the ladder's arrows link to each other.
    pub table: Option<Vec<u8>>,
    /// Lines of the key log that were not used (`FILE: line N: …`).
    pub keylog_warnings: Vec<String>,
}

/// Where the captures a directive names are: a folder, and how messages name it.
#[derive(Debug, Clone)]
pub struct CaptureDir {
    /// The folder itself (absolute, or relative to the working directory).
    pub path: PathBuf,
    /// The folder as messages show it: `captures` for a site, the configured path for a book.
    pub shown: PathBuf,
}

impl CaptureDir {
    /// `captures/` of a site root.
    pub fn of_site(root: &Path) -> CaptureDir {
        CaptureDir { path: root.join(CAPTURES_DIR), shown: PathBuf::from(CAPTURES_DIR) }
    }
}

impl CaptureDir {
    /// The file `name` names: a regular file whose real path is inside this folder (no link out of the site,
    /// no device, no pipe that would make a build hang).
    pub fn regular_file(&self, name: &str) -> Result<PathBuf, DirectiveProblem> {
        let path = self.path.join(name);
        let resolved = self.shown.join(name);
        let real = path
            .canonicalize()
            .map_err(|_| DirectiveProblem::CaptureNotFound { name: name.to_string(), resolved: resolved.clone() })?;
        let inside = self.path.canonicalize().is_ok_and(|dir| real.starts_with(dir));
        let regular = std::fs::metadata(&real).is_ok_and(|m| m.file_type().is_file());
        if !inside || !regular {
            return Err(DirectiveProblem::CaptureNotRegular { name: name.to_string(), resolved });
        }
        Ok(path)
    }
}

/// SHA-256 of a file, read in pieces: a 300 MB capture costs no memory to hash.
fn file_digest(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        match std::io::Read::read(&mut file, &mut chunk)? {
            0 => return Ok(hash.finalize().to_vec()),
            n => hash.update(&chunk[..n]),
        }
    }
}

/// Draws a directive (through the cache). `want_png` asks for the PNG as well, `want_card` for the social card.
pub fn draw(
    directive: &Directive,
    captures: &CaptureDir,
    config: &Config,
    cache: &DiagramCache,
    want_png: bool,
    want_card: bool,
) -> Result<Drawn, DirectiveProblem> {
    let path = captures.regular_file(&directive.capture)?;
    let digest = file_digest(&path).map_err(|_| DirectiveProblem::CaptureNotFound {
        name: directive.capture.clone(),
        resolved: captures.shown.join(&directive.capture),
    })?;
    let (keylog, keylog_digest, keylog_warnings) = match &directive.keylog {
        Some(name) => read_site_key_log(captures, name)?,
        None => (None, String::new(), Vec::new()),
    };
    let decoder = DecoderOptions {
        force: directive.protocol,
        redact: directive.redact,
        redact_headers: config.redact_headers.clone(),
        keylog,
        details: true,
    };
    let options = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} keys {keylog_digest}",
        directive.selection,
        directive.dialog,
        directive.diagram,
        directive.direction,
        decoder.force,
        decoder.redact,
        decoder.redact_headers
    );
    let key = DiagramCache::key(&digest, &options, "");
    // A ladder or a graph is published with its packet list, so its arrows and marks can link to the rows.
    let view = directive.diagram.view;
    let with_table = view == View::Ladder || view.is_graph();
    let drawing = DiagramOptions { link_to_table: with_table, ..directive.diagram.clone() };
    let table_options = DiagramOptions { view: View::Table, table_links_back: view == View::Ladder, ..drawing.clone() };
    let mut drawn: Option<(Dialog, Option<Graph>)> = None;
    // `None` draws the social card.
    let mut render = |format: Option<Format>, options: &DiagramOptions| -> Result<Vec<u8>, DirectiveProblem> {
        let (dialog, graph) = match drawn.take() {
            Some(built) => built,
            None => build_models(&path, &decoder, directive)?,
        };
        let rendered = match (&graph, format) {
            (Some(graph), Some(format)) if options.view.is_graph() => {
                diagram::render_graph_above_table(graph, &dialog, options, format)
            }
            (Some(graph), None) if options.view.is_graph() => diagram::render_graph_card(graph, options),
            (_, Some(format)) => diagram::render(&dialog, options, format),
            (_, None) => diagram::render_card(&dialog, options),
        };
        drawn = Some((dialog, graph));
        Ok(rendered?)
    };
    let (artifact, format) = match view {
        View::Table => (Artifact::Html, Format::Html),
        _ => (Artifact::Svg, Format::Svg),
    };
    let body = match cache.get(&key, artifact.extension()) {
        Some(body) => body,
        None => {
            let body = render(Some(format), &drawing)?;
            cache.put(&key, artifact.extension(), &body);
            body
        }
    };
    let png = (artifact == Artifact::Svg && (want_png || directive.png)).then(|| match cache.get(&key, "png") {
        Some(png) => Ok(png),
        None => render(Some(Format::Png), &drawing).inspect(|png| cache.put(&key, "png", png)),
    });
    let card = (artifact == Artifact::Svg && want_card).then(|| match cache.get(&key, "card.png") {
        Some(card) => Ok(card),
        None => render(None, &drawing).inspect(|card| cache.put(&key, "card.png", card)),
    });
    let compact = match (artifact == Artifact::Svg, cache.get(&key, "compact.svg")) {
        (false, _) => None,
        (true, Some(compact)) => Some(compact),
        (true, None) => {
            let compact = render(Some(Format::Svg), &DiagramOptions { width: Width::Compact, ..drawing.clone() })?;
            cache.put(&key, "compact.svg", &compact);
            Some(compact)
        }
    };
    let table = match (with_table, cache.get(&key, "table.html")) {
        (false, _) => None,
        (true, Some(table)) => Some(table),
        (true, None) => {
            let table = render(Some(Format::Html), &table_options)?;
            cache.put(&key, "table.html", &table);
            Some(table)
        }
    };
    Ok(Drawn { artifact, body, compact, png, card, table, keylog_warnings })
}

/// The dialog a directive draws (or, for a graph, lists under it), and its graph. A graph is drawn from all of
/// its stream's segments, so its RTT and bytes in flight are Wireshark's even when `frames` narrows it; its
/// packet list folds no transfer, so every mark's row is there to link to.
fn build_models(
    path: &Path,
    decoder: &DecoderOptions,
    directive: &Directive,
) -> Result<(Dialog, Option<Graph>), DirectiveProblem> {
    if !directive.diagram.view.is_graph() {
        let analysis = analyze_file_retaining(path, decoder, directive.selection.retention())?;
        return Ok((dialog::build(&analysis, &directive.selection, &directive.dialog)?, None));
    }
    let whole = Selection { frames: None, ..directive.selection.clone() };
    let analysis = analyze_file_retaining(path, decoder, whole.retention())?;
    let graph = dialog::graph::build(&analysis, &directive.selection, directive.direction)?;
    let listed = Selection { streams: vec![graph.stream], ..directive.selection.clone() };
    let options = DialogOptions { fold_threshold: usize::MAX, ..directive.dialog.clone() };
    Ok((dialog::build(&analysis, &listed, &options)?, Some(graph)))
}

/// A directive's key log: the secrets, a digest of the file (so the cache tells key logs apart without
/// holding a secret in its key), and the lines that were not used.
type SiteKeyLog = (Option<Arc<KeyLog>>, String, Vec<String>);

fn read_site_key_log(captures: &CaptureDir, name: &str) -> Result<SiteKeyLog, DirectiveProblem> {
    let shown = captures.shown.join(name);
    let not_found = || DirectiveProblem::KeyLogNotFound { name: name.to_string(), resolved: shown.clone() };
    let path = captures.regular_file(name).map_err(|_| not_found())?;
    let bytes = std::fs::read(&path).map_err(|_| not_found())?;
    let loaded = read_key_log(&path).map_err(|e| DirectiveProblem::KeyLog(e.to_string()))?;
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let full = path.display().to_string();
    let warnings = loaded.warnings.iter().map(|w| w.replacen(&full, &shown.display().to_string(), 1)).collect();
    Ok((Some(Arc::new(loaded.keys)), digest, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_root() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(CAPTURES_DIR)).unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/http-close.pcap");
        std::fs::copy(fixture, dir.path().join(CAPTURES_DIR).join("http-close.pcap")).unwrap();
        dir
    }

    #[test]
    fn notes_highlight_and_headers_read_as_the_command_line_reads_them() {
        let text = "capture = \"h2c-upgrade.pcap\"\nnotes = { 9 = \"the client gives up: RST\", 4 = \"asks\" }\nhighlight = \"45-52\"\nheaders = [\"Upgrade\", \"Connection\"]\n";
        let d = parse_block(text, &DiagramDefaults::default()).unwrap();
        let a = &d.dialog.annotations;
        assert_eq!(a.notes.get(&9).map(String::as_str), Some("the client gives up: RST"));
        assert_eq!(a.notes.get(&4).map(String::as_str), Some("asks"));
        assert_eq!(a.highlight, ["45-52".parse::<FrameRange>().unwrap()]);
        assert_eq!(a.headers, ["Upgrade", "Connection"]);
        assert!(!d.dialog.lanes);
        let lanes = parse_block("capture = \"a.pcap\"\nlanes = true", &DiagramDefaults::default()).unwrap();
        assert!(lanes.dialog.lanes);
        for bad in ["notes = { nine = \"x\" }", "highlight = \"52-45\""] {
            let error = parse_block(&format!("capture = \"a.pcap\"\n{bad}"), &DiagramDefaults::default()).unwrap_err();
            assert!(error.1.to_string().contains("expected"), "{}", error.1);
        }
    }

    #[test]
    fn reads_every_key() {
        let text = "capture = \"sub/http.pcap\"\nstreams = [2, 0]\nstream = 1\nport = 80\nhost = \"127.0.0.1\"\nframes = \"3-9\"\nview = \"timeline\"\nlabels = \"full\"\ntheme = \"dark\"\nclient = \"browser\"\nserver = \"nginx\"\ntitle = \"T\"\ncaption = \"C\"\nformat = \"png\"\nprotocol = \"http\"\nredact = true\nspacing = \"time\"\n";
        let d = parse_block(text, &DiagramDefaults::default()).unwrap();
        assert_eq!(d.capture, "sub/http.pcap");
        assert_eq!(
            d.selection,
            Selection { streams: vec![0, 1, 2], port: Some(80), host: Some("127.0.0.1".into()), frames: Some((3, 9)) }
        );
        assert_eq!(
            (d.diagram.view, d.diagram.labels, d.diagram.theme, d.diagram.spacing),
            (View::Timeline, Labels::Full, Theme::Dark, Spacing::Time)
        );
        assert_eq!(d.dialog.client_name.as_deref(), Some("browser"));
        assert!(d.png && d.redact);
        assert_eq!(d.protocol, Some(Protocol::Http));
        assert_eq!(d.file_stem(), "http-s0-1-2");
    }

    #[test]
    fn unknown_key_and_bad_values_name_their_line() {
        let (line, problem) =
            parse_block("capture = \"a.pcap\"\n\nstreem = 1\n", &DiagramDefaults::default()).unwrap_err();
        assert_eq!(line, 2);
        assert!(problem.to_string().starts_with("unknown key `streem`"), "{problem}");
        let (_, problem) =
            parse_block("capture = \"a.pcap\"\nview = \"spiral\"", &DiagramDefaults::default()).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "`view = \"spiral\"`: expected ladder, timeline, table, tcptrace, stevens, throughput, rtt or window"
        );
        let (line, _) =
            parse_block("capture = \"a.pcap\"\nstream = \"one\"\n", &DiagramDefaults::default()).unwrap_err();
        assert_eq!(line, 0);
        let (_, problem) = parse_block("capture = \"../../etc/passwd\"", &DiagramDefaults::default()).unwrap_err();
        assert!(matches!(problem, DirectiveProblem::CaptureOutsideSite { .. }));
        let (_, problem) = parse_block("frames = \"9-3\"\ncapture = \"a\"", &DiagramDefaults::default()).unwrap_err();
        assert!(matches!(problem, DirectiveProblem::BadValue { key: "frames", .. }));
    }

    #[test]
    fn a_graph_block_names_its_view_and_direction() {
        let d = parse_block("capture = \"a.pcap\"\nview = \"rtt\"\ndirection = \"c2s\"", &DiagramDefaults::default())
            .unwrap();
        assert_eq!((d.diagram.view, d.direction), (View::Rtt, Some(Direction::ClientToServer)));
        assert_eq!(d.file_stem(), "a-rtt");
        let (_, problem) =
            parse_block("capture = \"a.pcap\"\nview = \"window\"\ndirection = \"up\"", &DiagramDefaults::default())
                .unwrap_err();
        assert_eq!(problem.to_string(), "`direction = \"up\"`: expected c2s or s2c");
    }

    #[test]
    fn defaults_apply_and_blocks_win() {
        let defaults =
            DiagramDefaults { view: Some("table".into()), client: Some("requests".into()), ..Default::default() };
        let d = parse_block("capture = \"a.pcap\"\nclient = \"curl\"", &defaults).unwrap();
        assert_eq!(d.diagram.view, View::Table);
        assert_eq!(d.dialog.client_name.as_deref(), Some("curl"));
        assert_eq!(d.default_caption(), "a.pcap, all TCP streams");
    }

    #[test]
    fn shorthand_link() {
        let d =
            parse_shorthand("/http-close.pcap", "#stream=0&view=timeline", "The dialog", &DiagramDefaults::default())
                .unwrap();
        assert_eq!(d.capture, "http-close.pcap");
        assert_eq!(d.selection.streams, [0]);
        assert_eq!(d.diagram.view, View::Timeline);
        assert_eq!(d.caption.as_deref(), Some("The dialog"));
        assert!(parse_shorthand("/a.pcap", "#colour=red", "", &DiagramDefaults::default()).is_err());
    }

    #[test]
    fn draws_a_real_capture_and_caches_it() {
        let root = fixture_root();
        let config = Config::default();
        let cache = DiagramCache::new(root.path(), true, true);
        let d = parse_block("capture = \"http-close.pcap\"\nstream = 0", &config.diagram).unwrap();
        let first = draw(&d, &CaptureDir::of_site(root.path()), &config, &cache, false, false).unwrap();
        let svg = String::from_utf8(first.body.clone()).unwrap();
        assert!(svg.contains("<svg") && svg.contains("GET / HTTP/1.1"), "{svg}");
        let again = draw(&d, &CaptureDir::of_site(root.path()), &config, &cache, false, false).unwrap();
        assert_eq!(again.body, first.body);
        assert_eq!((cache.hits(), cache.misses()), (1, 1));
    }

    #[test]
    fn missing_capture_and_stream_are_errors() {
        let root = fixture_root();
        let config = Config::default();
        let cache = DiagramCache::new(root.path(), false, false);
        let d = parse_block("capture = \"nope.pcap\"", &config.diagram).unwrap();
        let problem = draw(&d, &CaptureDir::of_site(root.path()), &config, &cache, false, false).unwrap_err();
        assert_eq!(problem.to_string(), "capture \"nope.pcap\" not found (captures/nope.pcap)");
        let d = parse_block("capture = \"http-close.pcap\"\nstream = 7", &config.diagram).unwrap();
        let problem = draw(&d, &CaptureDir::of_site(root.path()), &config, &cache, false, false).unwrap_err();
        assert!(problem.to_string().starts_with("stream 7 does not exist"), "{problem}");
    }
}
