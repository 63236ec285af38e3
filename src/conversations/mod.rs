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
use std::io;
use std::ops::ControlFlow;
use std::path::Path;
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

/// Where rows go, one at a time ([`text::TextRows`], [`json::JsonRows`], [`csv::CsvRows`]).
pub trait RowWriter {
    fn row(&mut self, conversation: &Conversation) -> io::Result<()>;
    /// After the last row: `streams` is how many the capture has, whether or not all were written.
    fn end(&mut self, streams: usize) -> io::Result<()>;
}

#[derive(Debug, thiserror::Error)]
pub enum ConversationsError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("writing the conversations: {0}")]
    Write(#[from] io::Error),
}

/// Reads `capture` and writes its conversations sorted by `sort`, the first `top` of them if given; returns
/// the capture's summary (its warnings).
///
/// By start (the default), rows are written as their connections end, in `tcp.stream` order: memory holds
/// only the connections open at one time and the rows waiting for an earlier stream to end. Any other order
/// holds every row (`top` of them with `--top`) until the end.
pub fn write_conversations(
    capture: &Path,
    options: &DecoderOptions,
    sort: Sort,
    top: Option<usize>,
    out: &mut dyn RowWriter,
) -> Result<CaptureSummary, ConversationsError> {
    let file = File::open(capture).map_err(|cause| CaptureError::Open { path: capture.to_path_buf(), cause })?;
    let mut rows = Rows::new(sort, top);
    let streamed = analyze_stream(capture, file, options, Retention::summaries(), &mut |c: AnalysedConnection| {
        rows.add(Conversation { connection: c.connection, summary: c.decoded.summary }, out);
        // Nothing more can be written after a write failed (a closed pipe).
        if rows.error.is_some() { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })?;
    rows.finish(out)?;
    Ok(streamed.summary)
}

/// The rows on their way out: in stream order as soon as every earlier stream has ended, or all of them
/// (the best `top`) sorted at the end.
struct Rows {
    sort: Sort,
    limit: usize,
    /// By start: rows waiting for an earlier stream; otherwise every row kept.
    waiting: BTreeMap<usize, Conversation>,
    /// By start: the next stream to write.
    next: usize,
    written: usize,
    streams: usize,
    error: Option<io::Error>,
}

impl Rows {
    fn new(sort: Sort, top: Option<usize>) -> Self {
        let limit = top.unwrap_or(usize::MAX);
        Rows { sort, limit, waiting: BTreeMap::new(), next: 0, written: 0, streams: 0, error: None }
    }

    fn add(&mut self, row: Conversation, out: &mut dyn RowWriter) {
        let index = row.connection.index;
        self.streams = self.streams.max(index + 1);
        if let Some(first) = self.waiting.get_mut(&index) {
            first.absorb(row);
            return;
        }
        if self.sort == Sort::Start && index < self.next {
            // A segment that came after its stream's row was written: its own row, so that no count is lost.
            self.write(&row, out);
            return;
        }
        self.waiting.insert(index, row);
        if self.sort == Sort::Start {
            while let Some(entry) = self.waiting.first_entry().filter(|e| *e.key() == self.next) {
                let row = entry.remove();
                self.write(&row, out);
                self.next += 1;
            }
        } else if self.waiting.len() >= self.limit.saturating_mul(2).max(1024) {
            self.keep_best();
        }
    }

    /// Drops the rows that cannot be among the first `limit`.
    fn keep_best(&mut self) {
        let mut rows: Vec<Conversation> = std::mem::take(&mut self.waiting).into_values().collect();
        sort_rows(&mut rows, self.sort);
        rows.truncate(self.limit);
        self.waiting = rows.into_iter().map(|r| (r.connection.index, r)).collect();
    }

    fn write(&mut self, row: &Conversation, out: &mut dyn RowWriter) {
        if self.written < self.limit && self.error.is_none() {
            self.error = out.row(row).err();
            self.written += 1;
        }
    }

    fn finish(mut self, out: &mut dyn RowWriter) -> io::Result<()> {
        let mut rows: Vec<Conversation> = std::mem::take(&mut self.waiting).into_values().collect();
        sort_rows(&mut rows, self.sort);
        for row in &rows {
            self.write(row, out);
        }
        match self.error {
            Some(error) => Err(error),
            None => out.end(self.streams),
        }
    }
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

    fn capture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures").join(name)
    }

    /// Rows as a test sees them.
    #[derive(Default)]
    struct Collect {
        rows: Vec<Conversation>,
        streams: Option<usize>,
    }

    impl RowWriter for Collect {
        fn row(&mut self, conversation: &Conversation) -> io::Result<()> {
            self.rows.push(conversation.clone());
            Ok(())
        }
        fn end(&mut self, streams: usize) -> io::Result<()> {
            self.streams = Some(streams);
            Ok(())
        }
    }

    fn rows(name: &str, sort: Sort, top: Option<usize>) -> Collect {
        let mut out = Collect::default();
        write_conversations(&capture(name), &DecoderOptions::default(), sort, top, &mut out).unwrap();
        out
    }

    #[test]
    fn a_page_load_is_six_http_conversations_each_with_its_request() {
        let found = rows("page-load.pcap", Sort::Start, None);
        assert_eq!((found.streams, found.rows.len()), (Some(6), 6));
        let indices: Vec<usize> = found.rows.iter().map(|c| c.connection.index).collect();
        assert_eq!(indices, [0, 1, 2, 3, 4, 5]);
        let first = &found.rows[0];
        assert_eq!(first.protocol(), "HTTP");
        assert_eq!(first.exchange().as_deref(), Some("GET / → 200"));
        assert_eq!(first.connection.total_packets(), 21);
        assert_eq!(first.connection.total_frame_bytes(), 5768);
    }

    #[test]
    fn sorting_puts_the_biggest_first_and_top_keeps_the_first() {
        let found = rows("page-load.pcap", Sort::Bytes, Some(2));
        let bytes: Vec<u64> = found.rows.iter().map(|c| c.connection.total_frame_bytes()).collect();
        assert_eq!(bytes, [13_239, 7240], "{bytes:?}");
        assert_eq!(found.streams, Some(6));
        let first_two = rows("page-load.pcap", Sort::Start, Some(2));
        assert_eq!(first_two.rows.iter().map(|c| c.connection.index).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn commands_quote_what_a_shell_would_split() {
        assert_eq!(diagram_command(Path::new("captures/a.pcap"), 3), "tcpdialog diagram captures/a.pcap --stream 3");
        assert_eq!(diagram_command(Path::new("my cap's.pcap"), 0), r"tcpdialog diagram 'my cap'\''s.pcap' --stream 0");
        assert_eq!("problems".parse::<Sort>(), Ok(Sort::Problems));
        assert!("size".parse::<Sort>().is_err());
    }
}
