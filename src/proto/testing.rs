//! Test helpers: run bytes through the real [`ProtocolDecoder`] as if they came from a capture. Notes
//! ([`MessageKind::Note`]) are left out, as the analysis keeps them apart; [`decode_events_with_notes`] keeps them.

use super::{DecoderOptions, Message, MessageKind, Protocol, ProtocolDecoder};
use crate::tcp::{ConnectionInfo, Direction, StreamSink};

/// The connection every test decodes: 127.0.0.1:40000 to 127.0.0.1:8000.
pub fn info() -> ConnectionInfo {
    ConnectionInfo { index: 0, client: "127.0.0.1:40000".parse().unwrap(), server: "127.0.0.1:8000".parse().unwrap() }
}

/// Decodes `chunks` sent in one direction as `protocol`, each chunk in its own frame (1, 2, ...).
pub fn decode(protocol: Protocol, dir: Direction, chunks: &[&[u8]]) -> Vec<Message> {
    decode_framed(protocol, dir, chunks, |i| i as u64 + 1)
}

fn decode_framed(protocol: Protocol, dir: Direction, chunks: &[&[u8]], frame: impl Fn(usize) -> u64) -> Vec<Message> {
    let mut decoder = ProtocolDecoder::new(DecoderOptions { force: Some(protocol), ..Default::default() });
    decoder.connection(info());
    let mut offset = 0;
    for (i, chunk) in chunks.iter().enumerate() {
        decoder.data(0, dir, frame(i), offset, chunk);
        offset += chunk.len() as u64;
    }
    decoder.end(0, dir, frame(chunks.len()));
    without_notes(decoder.finish())
}

fn without_notes(mut messages: Vec<Message>) -> Vec<Message> {
    messages.retain(|m| !matches!(m.kind, MessageKind::Note { .. }));
    messages
}

/// Decodes a whole exchange, recognising the protocol: first everything the client sent (frame 1), then
/// everything the server sent (frame 2).
pub fn decode_pair(c2s: &[u8], s2c: &[u8]) -> Vec<Message> {
    decode_exchange(DecoderOptions::default(), &[(Direction::ClientToServer, c2s), (Direction::ServerToClient, s2c)])
}

/// Decodes `turns` in order, turn `i` in frame `i + 1`.
pub fn decode_exchange(options: DecoderOptions, turns: &[(Direction, &[u8])]) -> Vec<Message> {
    without_notes(super::decode_turns(&options, turns))
}

/// What happens to a connection, in order; event `i` happens in frame `i + 1`.
pub enum Event<'a> {
    Data(Direction, &'a [u8]),
    Gap(Direction, u64),
    End(Direction),
}

/// Runs `events` through a decoder recognising the protocol (or forced to `protocol`).
pub fn decode_events(protocol: Option<Protocol>, events: &[Event]) -> Vec<Message> {
    without_notes(decode_events_with_notes(protocol, events))
}

/// [`decode_events`], notes kept.
pub fn decode_events_with_notes(protocol: Option<Protocol>, events: &[Event]) -> Vec<Message> {
    let mut decoder = ProtocolDecoder::new(DecoderOptions { force: protocol, ..Default::default() });
    decoder.connection(info());
    let mut offsets = [0u64; 2];
    for (i, event) in events.iter().enumerate() {
        let frame = i as u64 + 1;
        match event {
            Event::Data(dir, bytes) => {
                decoder.data(0, *dir, frame, offsets[dir.index()], bytes);
                offsets[dir.index()] += bytes.len() as u64;
            }
            Event::Gap(dir, len) => {
                decoder.gap(0, *dir, frame, offsets[dir.index()], *len);
                offsets[dir.index()] += len;
            }
            Event::End(dir) => decoder.end(0, *dir, frame),
        }
    }
    decoder.finish()
}

/// Splits `bytes` at the given points.
pub fn split_at<'a>(bytes: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for &p in points {
        let p = p.clamp(start, bytes.len());
        chunks.push(&bytes[start..p]);
        start = p;
    }
    chunks.push(&bytes[start..]);
    chunks.retain(|c| !c.is_empty());
    chunks
}

/// Feeds `bytes` whole, byte by byte and split at pseudo-random points (all in frame 1), asserts that the
/// messages are identical, and returns them.
pub fn decode_split_everywhere(protocol: Protocol, dir: Direction, bytes: &[u8]) -> Vec<Message> {
    let whole = decode_framed(protocol, dir, &[bytes], |_| 1);
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(decode_framed(protocol, dir, &singles, |_| 1), whole, "byte by byte");
    let mut seed = 0x2545_f491_u64;
    for round in 0..20 {
        let mut points: Vec<usize> = (0..1 + round % 5)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (seed >> 33) as usize % (bytes.len() + 1)
            })
            .collect();
        points.sort_unstable();
        let chunks = split_at(bytes, &points);
        assert_eq!(decode_framed(protocol, dir, &chunks, |_| 1), whole, "split at {points:?}");
    }
    whole
}
