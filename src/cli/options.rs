//! Argument groups shared by subcommands, and their conversion to the library's option types.

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tcpdialog::diagram::{DiagramOptions, Format, Labels, Spacing, Theme, View, Width};
use tcpdialog::dialog::{Annotations, DialogOptions, FrameRange, Note, Selection};
use tcpdialog::proto::tls::read_key_log;
use tcpdialog::proto::tls_crypto::KeyLog;
use tcpdialog::proto::{DecoderOptions, Protocol};
use tcpdialog::tcp::Direction;

/// How application bytes are decoded.
#[derive(Debug, clap::Args)]
pub struct DecodingArgs {
    /// Decode every connection as this protocol (http, websocket, http2, tls, pgsql, data).
    #[arg(long)]
    pub protocol: Option<String>,
    /// Show secrets (Authorization, Cookie, Set-Cookie values, database passwords) instead of `…redacted…`.
    #[arg(long)]
    pub no_redact: bool,
    /// Also redact this header's values (repeatable).
    #[arg(long = "redact-header", value_name = "NAME")]
    pub redact_headers: Vec<String>,
    /// Decrypt TLS with this NSS key log (SSLKEYLOGFILE); repeatable, later files win.
    #[arg(long = "keylog", value_name = "FILE")]
    pub keylogs: Vec<PathBuf>,
}

impl DecodingArgs {
    pub fn decoder_options(&self) -> anyhow::Result<DecoderOptions> {
        let force = match &self.protocol {
            None => None,
            Some(name) => Some(Protocol::from_name(name).with_context(|| {
                format!("unknown protocol \"{name}\" (expected one of: http websocket http2 tls pgsql mysql data)")
            })?),
        };
        Ok(DecoderOptions {
            force,
            redact: !self.no_redact,
            redact_headers: self.redact_headers.clone(),
            keylog: self.key_log()?,
            details: true,
        })
    }

    /// The key logs given, merged; their unused lines are printed as warnings.
    fn key_log(&self) -> anyhow::Result<Option<Arc<KeyLog>>> {
        let mut merged: Option<KeyLog> = None;
        for path in &self.keylogs {
            let loaded = read_key_log(path)?;
            for warning in &loaded.warnings {
                eprintln!("warning: {}", super::terminal_safe(&warning.to_string()));
            }
            merged.get_or_insert_default().extend(loaded.keys);
        }
        Ok(merged.map(Arc::new))
    }
}

/// Which connections and frames to draw.
#[derive(Debug, clap::Args)]
pub struct SelectionArgs {
    /// TCP stream number(s), as Wireshark's `tcp.stream` (repeat or separate with commas).
    #[arg(long = "stream", value_delimiter = ',')]
    pub streams: Vec<usize>,
    /// Only connections with this port on either side.
    #[arg(long)]
    pub port: Option<u16>,
    /// Only connections with this IP address on either side.
    #[arg(long)]
    pub host: Option<String>,
    /// Only frames A to B (inclusive), e.g. `1-10`.
    #[arg(long, value_parser = parse_frames)]
    pub frames: Option<(u64, u64)>,
}

impl SelectionArgs {
    pub fn selection(&self) -> Selection {
        Selection { streams: self.streams.clone(), port: self.port, host: self.host.clone(), frames: self.frames }
    }
}

/// `A-B` -> (A, B), with 1 <= A <= B; `A` alone is one frame. Read as a post's `frames` key reads it.
pub fn parse_frames(text: &str) -> Result<(u64, u64), String> {
    let range: FrameRange = text.parse().map_err(|e: tcpdialog::dialog::AnnotationError| e.to_string())?;
    Ok((range.first, range.last))
}

/// How the diagram looks.
#[derive(Debug, clap::Args)]
pub struct StyleArgs {
    /// ladder, timeline or table; or a stream graph of one stream: tcptrace, stevens, throughput, rtt or window.
    #[arg(long, default_value = "ladder")]
    pub view: View,
    /// The direction a stream graph draws: c2s or s2c (default: the one that carried more data).
    #[arg(long)]
    pub direction: Option<Direction>,
    /// How much each arrow says: flags, seq or full.
    #[arg(long, default_value = "seq")]
    pub labels: Labels,
    /// light, dark or auto (follows prefers-color-scheme).
    #[arg(long, default_value = "light")]
    pub theme: Theme,
    /// even rows, or time-proportional so slopes show latency.
    #[arg(long, default_value = "even")]
    pub spacing: Spacing,
    /// wide (a blog column), or compact (360 px, for a phone), for a ladder, a timeline or a graph.
    #[arg(long, default_value = "wide")]
    pub width: Width,
    /// PNG pixel ratio (2 for retina screens).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// Name of the client lifeline.
    #[arg(long)]
    pub client: Option<String>,
    /// Name of the server lifeline.
    #[arg(long)]
    pub server: Option<String>,
    /// Title of the diagram.
    #[arg(long)]
    pub title: Option<String>,
    /// A note beside the arrow of a frame: `--note 9="the client gives up: RST"` (repeatable).
    #[arg(long = "note", value_name = "FRAME=TEXT")]
    pub notes: Vec<Note>,
    /// Emphasise the arrows of these frames and dim the rest: `--highlight 45-52` (repeatable).
    #[arg(long = "highlight", value_name = "A-B")]
    pub highlight: Vec<FrameRange>,
    /// Show this request/response header under the arrows of the messages that carry it (repeatable).
    #[arg(long = "header", value_name = "NAME")]
    pub headers: Vec<String>,
    /// Give each connection a client lifeline of its own (else one per client host).
    #[arg(long)]
    pub lanes: bool,
}

impl StyleArgs {
    pub fn dialog_options(&self) -> DialogOptions {
        DialogOptions {
            client_name: self.client.clone(),
            server_name: self.server.clone(),
            title: self.title.clone(),
            annotations: Annotations {
                notes: self.notes.iter().map(|n| (n.frame, n.text.clone())).collect(),
                highlight: self.highlight.clone(),
                headers: self.headers.clone(),
            },
            lanes: self.lanes,
            ..Default::default()
        }
    }

    pub fn diagram_options(&self) -> DiagramOptions {
        DiagramOptions {
            view: self.view,
            labels: self.labels,
            theme: self.theme,
            spacing: self.spacing,
            scale: self.scale,
            width: self.width,
            ..Default::default()
        }
    }
}

/// The output format: `--format`, else the extension of `-o` (an extension that names no format is an error,
/// never a silent SVG), else SVG.
pub fn output_format(format: Option<Format>, output: Option<&Path>) -> anyhow::Result<Format> {
    match (format, output) {
        (Some(format), _) => Ok(format),
        (None, None) => Ok(Format::Svg),
        (None, Some(path)) => Format::from_path(path).with_context(|| {
            format!(
                "{}: cannot tell the format from the extension (use .svg, .png, .txt, .mmd or .html, or --format)",
                path.display()
            )
        }),
    }
}
