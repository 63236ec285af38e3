//! Runs the capture, tcp and proto stages over one file: the shared front half of every command.

use crate::capture::{CaptureError, CaptureReader, CaptureSummary};
use crate::proto::{DecoderOptions, Message, ProtocolDecoder};
use crate::tcp::{Connection, TcpAnalyzer};
use std::path::Path;

/// Everything tcpdialog knows about one capture.
#[derive(Debug, Clone)]
pub struct CaptureAnalysis {
    pub summary: CaptureSummary,
    pub connections: Vec<Connection>,
    /// Messages of all connections, ordered by the frame that completes them.
    pub messages: Vec<Message>,
}

impl CaptureAnalysis {
    /// Messages completed by the segment of `frame` (a binary search: `messages` is ordered by `end_frame`).
    pub fn messages_ending_at(&self, frame: u64) -> &[Message] {
        let start = self.messages.partition_point(|m| m.end_frame < frame);
        let end = self.messages.partition_point(|m| m.end_frame <= frame);
        &self.messages[start..end]
    }

    /// Messages of one connection, in order.
    pub fn messages_of(&self, conn: usize) -> impl Iterator<Item = &Message> {
        self.messages.iter().filter(move |m| m.conn == conn)
    }
}

/// Reads and analyses a capture file, streaming: payload bytes are decoded as they arrive, never kept whole.
pub fn analyze_file(path: &Path, options: &DecoderOptions) -> Result<CaptureAnalysis, CaptureError> {
    let mut reader = CaptureReader::open(path)?;
    let mut tcp = TcpAnalyzer::new();
    let mut decoder = ProtocolDecoder::new(options.clone());
    for packet in reader.by_ref() {
        tcp.push(&packet?, &mut decoder);
    }
    let connections = tcp.finish(&mut decoder);
    Ok(CaptureAnalysis { summary: reader.summary().clone(), connections, messages: decoder.finish() })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
