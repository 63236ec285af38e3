//! Runs the capture, tcp and proto stages over one file: the shared front half of every command.
//!
//! The stages run connection by connection ([`analyze_stream`]) on two cores (`pipeline.rs`);
//! [`analyze_file`] collects the whole analysis from that. What each segment shows of it (its labels, its
//! Protocol and Info columns) is [`SegmentView`], computed in one place (`segment_view.rs`).

mod pipeline;
mod segment_view;

pub use crate::proto::thousands;
pub use segment_view::{Columns, MAX_LISTED_MESSAGES, SegmentView, SegmentViews};

use crate::capture::{CaptureError, CaptureReader, CaptureSummary};
use crate::proto::{DecodedConnection, DecoderOptions, Message, MessageKind};
use crate::tcp::{Connection, Retention, merge_parts};
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Everything tcpdialog knows about one capture.
#[derive(Debug, Clone)]
pub struct CaptureAnalysis {
    pub summary: CaptureSummary,
    pub connections: Vec<Connection>,
    /// Messages of all connections, ordered by the frame that completes them.
    pub messages: Vec<Message>,
    /// What a reader of a connection should know that no message says (`MessageKind::Note`), in frame order:
    /// why a TLS connection is not decrypted.
    pub notes: Vec<Message>,
}

impl CaptureAnalysis {
    /// Messages whose last byte came in the segment of `frame` (a binary search: `messages` is ordered by
    /// `end_frame`); incomplete ones among them are completed by nothing: [`SegmentView`] says what a segment
    /// shows.
    pub fn messages_ending_at(&self, frame: u64) -> &[Message] {
        let start = self.messages.partition_point(|m| m.end_frame < frame);
        let end = self.messages.partition_point(|m| m.end_frame <= frame);
        &self.messages[start..end]
    }

    /// The notes of one connection, in order.
    pub fn notes_of(&self, conn: usize) -> impl Iterator<Item = &Message> {
        self.notes.iter().filter(move |m| m.conn == conn)
    }

    /// Messages of one connection, in order.
    pub fn messages_of(&self, conn: usize) -> impl Iterator<Item = &Message> {
        self.messages.iter().filter(move |m| m.conn == conn)
    }

    /// What each segment of the analysis shows ([`SegmentView`]), indexed once for all of them.
    pub fn segment_views(&self) -> SegmentViews<'_> {
        SegmentViews::new(&self.messages)
    }
}

/// Reads and analyses a capture file, streaming: payload bytes are decoded as they arrive, never kept whole.
pub fn analyze_file(path: &Path, options: &DecoderOptions) -> Result<CaptureAnalysis, CaptureError> {
    analyze_file_retaining(path, options, Retention::all())
}

/// [`analyze_file`] keeping segments and messages only of what `retention` asks for; every connection is still
/// listed with its facts. This is what bounds memory when one stream of a huge capture is drawn.
pub fn analyze_file_retaining(
    path: &Path,
    options: &DecoderOptions,
    retention: Retention,
) -> Result<CaptureAnalysis, CaptureError> {
    let file = File::open(path).map_err(|cause| CaptureError::Open { path: path.to_path_buf(), cause })?;
    analyze_reader(path, file, options, retention)
}

/// [`analyze_file_retaining`] over any byte source (a capture in memory, a pipe); `name` is what errors and
/// warnings call it.
pub fn analyze_reader(
    name: impl Into<PathBuf>,
    source: impl Read + Send + 'static,
    options: &DecoderOptions,
    retention: Retention,
) -> Result<CaptureAnalysis, CaptureError> {
    let mut parts = Vec::new();
    let mut messages = Vec::new();
    let streamed = analyze_stream(name, source, options, retention, &mut |c: AnalysedConnection| {
        parts.push(c.connection);
        messages.extend(c.decoded.messages);
        ControlFlow::Continue(())
    })?;
    messages.sort_by_key(|m| (m.end_frame, m.conn, m.dir, m.offset));
    let (notes, messages) = messages.into_iter().partition(|m| matches!(m.kind, MessageKind::Note { .. }));
    Ok(CaptureAnalysis { summary: streamed.summary, connections: merge_parts(parts), messages, notes })
}

/// One connection as both stages made it, handed over when it is over.
#[derive(Debug, Clone)]
pub struct AnalysedConnection {
    pub connection: Connection,
    pub decoded: DecodedConnection,
}

/// What a streaming analysis says once the capture is read.
#[derive(Debug, Clone)]
pub struct Streamed {
    pub summary: CaptureSummary,
    /// Connections whose TCP state was alive at once, at most: what memory grows with.
    pub peak_open_connections: usize,
    /// Connections whose decoders were alive at once, at most.
    pub peak_decoders: usize,
}

/// Analyses a capture connection by connection: `each` gets every connection once it is over (or at the end
/// of the capture), and its state is freed, so memory is bounded by the connections open at one time plus
/// what `retention` keeps. Connections come in the order they end; a connection that gets a segment after it
/// was handed over comes again with the same `index` (merge with [`Connection::absorb`]). When `each` says
/// [`ControlFlow::Break`], reading stops and the summary tells what was read so far.
pub fn analyze_stream(
    name: impl Into<PathBuf>,
    source: impl Read + Send + 'static,
    options: &DecoderOptions,
    retention: Retention,
    each: &mut dyn FnMut(AnalysedConnection) -> ControlFlow<()>,
) -> Result<Streamed, CaptureError> {
    let reader = CaptureReader::from_reader(name, source)?;
    pipeline::run(reader, options, retention, each)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::Connection;

    fn capture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures").join(name)
    }

    /// A connection without its segments: the facts every retention keeps.
    fn facts(c: &Connection) -> Connection {
        Connection { segments: Vec::new(), ..c.clone() }
    }

    #[test]
    fn retaining_one_stream_keeps_it_whole_and_the_others_facts() {
        let path = capture("page-load.pcap");
        let full = analyze_file(&path, &DecoderOptions::default()).unwrap();
        assert_eq!(full.connections.len(), 6);
        let kept =
            analyze_file_retaining(&path, &DecoderOptions::default(), Retention::all().connections(|c| c.index == 3))
                .unwrap();
        assert_eq!(kept.summary.packets, full.summary.packets);
        assert_eq!(kept.connections.len(), full.connections.len());
        for (k, f) in kept.connections.iter().zip(&full.connections) {
            assert_eq!(facts(k), facts(f));
            assert_eq!(k.total_packets(), f.total_packets());
            if k.index == 3 {
                assert_eq!(k.segments, f.segments);
            } else {
                assert!(k.segments.is_empty(), "stream {}", k.index);
            }
        }
        let messages_of_3: Vec<&Message> = full.messages.iter().filter(|m| m.conn == 3).collect();
        assert!(!messages_of_3.is_empty());
        assert_eq!(kept.messages.iter().collect::<Vec<_>>(), messages_of_3);
    }

    #[test]
    fn retaining_frames_keeps_those_segments_and_every_message() {
        let path = capture("http-keepalive.pcap");
        let full = analyze_file(&path, &DecoderOptions::default()).unwrap();
        let kept = analyze_file_retaining(&path, &DecoderOptions::default(), Retention::all().frames(4..=8)).unwrap();
        let frames: Vec<u64> = kept.connections.iter().flat_map(|c| &c.segments).map(|s| s.frame).collect();
        assert_eq!(frames, [4, 5, 6, 7, 8]);
        assert_eq!(facts(&kept.connections[0]), facts(&full.connections[0]));
        // Bytes outside the range are still decoded, so the messages are those of the full analysis.
        assert_eq!(kept.messages, full.messages);
    }

    #[test]
    fn messages_ending_at_finds_every_message_a_segment_completes() {
        // Three pipelined GETs travel in frame 4 (tshark shows three HTTP requests there).
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipelined.pcap");
        let analysis = analyze_file(&path, &DecoderOptions::default()).unwrap();
        let at_4: Vec<&str> = analysis.messages_ending_at(4).iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(at_4.len(), 3, "{at_4:?}");
        assert!(at_4.iter().all(|s| s.starts_with("GET /")), "{at_4:?}");
        assert!(analysis.messages_ending_at(1).is_empty());
        for m in &analysis.messages {
            assert!(analysis.messages_ending_at(m.end_frame).contains(m));
        }
    }
    #[test]
    fn a_capture_in_memory_analyses_like_its_file() {
        let path = capture("http-keepalive.pcap");
        let bytes = std::fs::read(&path).unwrap();
        let from_file = analyze_file(&path, &DecoderOptions::default()).unwrap();
        let from_memory =
            analyze_reader("in-memory", std::io::Cursor::new(bytes), &DecoderOptions::default(), Retention::all())
                .unwrap();
        assert_eq!(from_memory.summary.packets, from_file.summary.packets);
        assert_eq!(from_memory.summary.tcp_packets, from_file.summary.tcp_packets);
        assert_eq!(from_memory.connections, from_file.connections);
        assert_eq!(from_memory.messages, from_file.messages);
        // Errors name the source as the caller called it.
        let error = analyze_reader(
            "in-memory",
            std::io::Cursor::new(b"not a capture".to_vec()),
            &DecoderOptions::default(),
            Retention::all(),
        )
        .unwrap_err();
        assert!(error.to_string().starts_with("in-memory: not a pcap"), "{error}");
    }
}
