//! The protocol stage's entry point: a [`StreamSink`] that routes each connection's bytes to a decoder.

use super::http1::Http1Stream;
use super::{Message, Protocol};
use crate::tcp::{ConnectionInfo, Direction, StreamSink};
use std::collections::BTreeMap;

/// Choices that change decoding.
#[derive(Debug, Clone, Default)]
pub struct DecoderOptions {
    /// Decode every connection as this protocol instead of recognising it.
    pub force: Option<Protocol>,
}

/// Decodes every connection of a capture; collect the result with [`ProtocolDecoder::finish`].
#[derive(Default)]
pub struct ProtocolDecoder {
    options: DecoderOptions,
    streams: BTreeMap<(usize, Direction), Http1Stream>,
    messages: Vec<Message>,
}

impl ProtocolDecoder {
    pub fn new(options: DecoderOptions) -> Self {
        ProtocolDecoder { options, ..Default::default() }
    }

    /// All messages, ordered by the frame that completes them, then by stream position.
    pub fn finish(mut self) -> Vec<Message> {
        self.messages.sort_by_key(|m| (m.end_frame, m.conn, m.dir, m.offset));
        self.messages
    }
}

impl StreamSink for ProtocolDecoder {
    fn connection(&mut self, info: ConnectionInfo) {
        let _ = &self.options.force;
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            self.streams.insert((info.index, dir), Http1Stream::new(info.index, dir));
        }
    }

    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        if let Some(stream) = self.streams.get_mut(&(conn, dir)) {
            stream.feed(frame, offset, data, &mut self.messages);
        }
    }

    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        if let Some(stream) = self.streams.get_mut(&(conn, dir)) {
            stream.gap(frame, offset, len, &mut self.messages);
        }
    }

    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        if let Some(stream) = self.streams.get_mut(&(conn, dir)) {
            stream.end(frame, &mut self.messages);
        }
    }
}
