//! The conversations view: one row per TCP stream, like Wireshark's Statistics › Conversations › TCP and
//! `tshark -q -z conv,tcp`, plus what tcpdialog knows of each (protocol, first request and its answer, how it
//! closed, handshake RTT, counts of trouble) and the command that draws it.
//!
//! A reader of the analysis beside `inspect`. It runs the analysis keeping no segment and no message
//! ([`Retention::summaries`]), connection by connection ([`analyze_stream`]), so what it holds is one row per
//! connection. Packets and bytes are counted as tshark's `conv,tcp` counts them: every segment, and the bytes
//! of its whole frame. Rows are written by [`text`], [`json`] (`docs/conversations-json.md`) and [`csv`].

pub mod csv;
pub mod json;
pub mod text;

use crate::analyze::{AnalysedConnection, analyze_stream};
use crate::capture::{CaptureError, CaptureSummary};
use crate::proto::{ConnectionSummary, DecoderOptions, Protocol};
use crate::tcp::{CloseKind, Connection, Retention};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One TCP stream: its facts and what its messages say.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub connection: Connection,
    pub summary: ConnectionSummary,
}

impl Conversation {
    /// `GET /index.html → 200`, `Client Hello → Server Hello`; `None` when no message was decoded.
    pub fn exchange(&self) -> Option<String> {
        let request = self.summary.request.as_deref()?;
        Some(match &self.summary.response {
            Some(response) => format!("{request} → {response}"),
            None => format!("{request} → (no answer)"),
        })
    }

    /// The protocols spoken, as Wireshark's Protocol column names them (`HTTP`, `TLS+HTTP2`), `TCP` for none.
    pub fn protocol(&self) -> String {
        let names: Vec<&str> = self.summary.protocols.iter().map(|p| p.column_name()).collect();
        if names.is_empty() { Protocol::Data.column_name().to_string() } else { names.join("+") }
    }

    /// `client FIN`, `server RST`, or `open` when neither side closed before the capture ended.
    pub fn close(&self) -> String {
        match self.connection.first_close {
            Some(close) => {
                let kind = match close.kind {
                    CloseKind::Fin => "FIN",
                    CloseKind::Rst => "RST",
                };
                format!("{} {kind}", close.by.name())
            }
            None => "open".to_string(),
        }
    }

    /// A later part of the same stream (a segment after the connection was handed over).
    fn absorb(&mut self, later: Conversation) {
        self.connection.absorb(later.connection);
        for protocol in later.summary.protocols {
            if !self.summary.protocols.contains(&protocol) {
                self.summary.protocols.push(protocol);
            }
        }
        if self.summary.request.is_none() {
            self.summary.request = later.summary.request;
            self.summary.response = later.summary.response;
        }
    }
}

/// The order of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By start time (`tcp.stream` order).
    #[default]
    Start,
    /// Most packets first.
    Packets,
    /// Most bytes first.
    Bytes,
    /// Longest first.
    Duration,
    /// Most troubled first ([`Connection::trouble`]): retransmissions, lost segments, duplicate ACKs, zero
    /// windows, and a reset.
    Problems,
}

impl FromStr for Sort {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, String> {
        Ok(match name {
            "start" => Sort::Start,
            "packets" => Sort::Packets,
            "bytes" => Sort::Bytes,
            "duration" => Sort::Duration,
            "problems" => Sort::Problems,
            other => return Err(format!("unknown sort \"{other}\" (start, packets, bytes, duration, problems)")),
        })
    }
}

/// The conversations of one capture, sorted, perhaps only the first of them.
#[derive(Debug, Clone)]
pub struct Conversations {
    /// The capture as the user named it (the diagram commands name it the same way).
    pub capture: PathBuf,
    pub summary: CaptureSummary,
    /// Streams in the capture.
    pub total: usize,
    pub rows: Vec<Conversation>,
}

/// Reads `capture` and lists its conversations sorted by `sort`, the first `top` of them if given.
pub fn conversations(
    capture: &Path,
    options: &DecoderOptions,
    sort: Sort,
    top: Option<usize>,
) -> Result<Conversations, CaptureError> {
    let file = File::open(capture).map_err(|source| CaptureError::Open { path: capture.to_path_buf(), source })?;
    let mut by_stream: BTreeMap<usize, Conversation> = BTreeMap::new();
    let streamed = analyze_stream(capture, file, options, Retention::summaries(), &mut |c: AnalysedConnection| {
        let row = Conversation { connection: c.connection, summary: c.decoded.summary };
        match by_stream.get_mut(&row.connection.index) {
            Some(first) => first.absorb(row),
            None => {
                by_stream.insert(row.connection.index, row);
            }
        }
    })?;
    let total = by_stream.len();
    let mut rows: Vec<Conversation> = by_stream.into_values().collect();
    sort_rows(&mut rows, sort);
    rows.truncate(top.unwrap_or(usize::MAX));
    Ok(Conversations { capture: capture.to_path_buf(), summary: streamed.summary, total, rows })
}

/// Sorts rows; ties keep `tcp.stream` order, so the output is the same on every run.
pub fn sort_rows(rows: &mut [Conversation], sort: Sort) {
    let key = |c: &Conversation| -> u128 {
        let conn = &c.connection;
        match sort {
            Sort::Start => conn.start().as_nanos(),
            Sort::Packets => u128::from(conn.total_packets()),
            Sort::Bytes => u128::from(conn.total_frame_bytes()),
            Sort::Duration => conn.duration().as_nanos(),
            Sort::Problems => u128::from(conn.trouble()),
        }
    };
    match sort {
        Sort::Start => rows.sort_by_key(|c| (key(c), c.connection.index)),
        _ => rows.sort_by_key(|c| (std::cmp::Reverse(key(c)), c.connection.index)),
    }
}

/// The command that draws one stream: `tcpdialog diagram CAPTURE --stream N`, the path quoted for a shell
/// when it needs to be.
pub fn diagram_command(capture: &Path, stream: usize) -> String {
    format!("tcpdialog diagram {} --stream {stream}", shell_word(&capture.to_string_lossy()))
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_./-+:,@%=".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures").join(name)
    }

    #[test]
    fn a_page_load_is_six_http_conversations_each_with_its_request() {
        let found = conversations(&capture("page-load.pcap"), &DecoderOptions::default(), Sort::Start, None).unwrap();
        assert_eq!((found.total, found.rows.len()), (6, 6));
        let first = &found.rows[0];
        assert_eq!(first.protocol(), "HTTP");
        assert_eq!(first.exchange().as_deref(), Some("GET / → 200"));
        assert_eq!(first.connection.total_packets(), 21);
        assert_eq!(first.connection.total_frame_bytes(), 5768);
    }

    #[test]
    fn sorting_puts_the_biggest_first_and_top_keeps_the_first() {
        let path = capture("page-load.pcap");
        let found = conversations(&path, &DecoderOptions::default(), Sort::Bytes, Some(2)).unwrap();
        let bytes: Vec<u64> = found.rows.iter().map(|c| c.connection.total_frame_bytes()).collect();
        assert_eq!(bytes, [13_239, 7240], "{bytes:?}");
        assert_eq!(found.total, 6);
    }

    #[test]
    fn commands_quote_what_a_shell_would_split() {
        assert_eq!(diagram_command(Path::new("captures/a.pcap"), 3), "tcpdialog diagram captures/a.pcap --stream 3");
        assert_eq!(diagram_command(Path::new("my cap's.pcap"), 0), r"tcpdialog diagram 'my cap'\''s.pcap' --stream 0");
        assert_eq!("problems".parse::<Sort>(), Ok(Sort::Problems));
        assert!("size".parse::<Sort>().is_err());
    }
}
