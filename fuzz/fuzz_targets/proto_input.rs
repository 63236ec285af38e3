//! How a fuzz input becomes a conversation, shared by the `proto_*` fuzz targets and the corpus replay test.
//!
//! The input is a sequence of turns. Each turn starts with one byte: bit 0 is the direction (0 client to
//! server, 1 server to client), bits 1..8 plus one are the turn's length (1 to 128 bytes, fewer at the end of
//! the input). So the fuzzer controls the bytes, where they are split into segments and how the two directions
//! interleave.

use tcpdialog::proto::{DecoderOptions, Message, Protocol, decode_turns};
use tcpdialog::tcp::Direction;

/// Splits a fuzz input into (direction, bytes) turns.
pub fn turns(mut data: &[u8]) -> Vec<(Direction, &[u8])> {
    let mut turns = Vec::new();
    while let Some((&head, rest)) = data.split_first() {
        let dir = if head & 1 == 0 { Direction::ClientToServer } else { Direction::ServerToClient };
        let len = (usize::from(head >> 1) + 1).min(rest.len());
        let (bytes, tail) = rest.split_at(len);
        if !bytes.is_empty() {
            turns.push((dir, bytes));
        }
        data = tail;
    }
    turns
}

/// Decodes a fuzz input as `protocol` (`None`: recognise it) and checks what must always hold.
pub fn run(protocol: Option<Protocol>, data: &[u8]) -> Vec<Message> {
    let options = DecoderOptions { force: protocol, ..Default::default() };
    let messages = decode_turns(&options, &turns(data));
    for m in &messages {
        assert!(m.frame <= m.end_frame, "a message ends before it starts: {m:?}");
    }
    messages
}

/// The protocol a corpus folder (`proto_http1`, ...) is for (the replay test's question; targets know theirs).
#[allow(dead_code)]
pub fn protocol_of_target(target: &str) -> Option<Protocol> {
    match target {
        "proto_http1" => Some(Protocol::Http),
        "proto_websocket" => Some(Protocol::WebSocket),
        "proto_http2" => Some(Protocol::Http2),
        "proto_tls" => Some(Protocol::Tls),
        "proto_postgres" => Some(Protocol::Postgres),
        "proto_mysql" => Some(Protocol::MySql),
        _ => None,
    }
}
