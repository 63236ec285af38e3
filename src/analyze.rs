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
