//! The compressed protocol (CLIENT_COMPRESS): after the login every packet is wrapped in a 7-byte header —
//! compressed length, compressed sequence id, uncompressed length — and a payload that holds ordinary packets,
//! zlib-compressed unless the uncompressed length is 0 (small payloads are sent as they are).
//!
//! Payloads sent as they are form an inner packet stream, decoded by the ordinary packet decoder over a small
//! buffer of its own; its messages are placed at the compressed packet that brought them. zlib payloads are
//! not inflated: each is one `Compressed` message, and the answer it holds counts as given (Wireshark 4.0
//! cannot inflate them either).

use super::{MySqlDecoder, Packet, Pending, push};
use crate::proto::contract::{Cx, Step};
use crate::proto::reader::Reader;
use crate::tcp::Direction;

/// Bytes of the compressed protocol's header.
const HEADER_LEN: usize = 7;
/// Most bytes the inner packet stream keeps undecoded (the packet decoder skips what it does not need).
const MAX_INNER: usize = 64 * 1024;

/// One direction's inner packet stream.
#[derive(Debug, Default)]
pub(super) struct Layer {
    /// Uncompressed packet bytes not decoded yet.
    inner: Vec<u8>,
    /// Inner bytes still to drop (the rest of a packet decoded from its start).
    skip: u64,
    /// Bytes of the current compressed packet's uncompressed payload still to come.
    payload_left: u32,
}

/// A compressed packet's header, or the next bytes of an uncompressed payload.
pub(super) fn step(dec: &mut MySqlDecoder, buf: &[u8], cx: &mut Cx) -> Step {
    if dec.layer.payload_left > 0 {
        let take = (dec.layer.payload_left as usize).min(buf.len());
        dec.layer.payload_left -= take as u32;
        inner(dec, buf.get(..take).unwrap_or_default(), cx);
        return Step::Used { used: take, skip: 0 };
    }
    let mut r = Reader::new(buf);
    let (Ok(compressed), Ok(seq), Ok(uncompressed)) = (r.u24_le(), r.u8(), r.u24_le()) else {
        return Step::Need;
    };
    if dec.dir == Direction::ClientToServer {
        dec.shared.borrow_mut().client_compressed_seq = seq;
    }
    if uncompressed == 0 {
        dec.layer.payload_left = compressed;
        return Step::Used { used: HEADER_LEN, skip: 0 };
    }
    zlib_payload(dec, seq, compressed, uncompressed, cx);
    let here = buf.len().saturating_sub(HEADER_LEN).min(compressed as usize);
    Step::Used { used: HEADER_LEN + here, skip: u64::from(compressed) - here as u64 }
}

/// A zlib payload: named, and taken as a whole command or a whole answer, which the inner stream cannot follow.
fn zlib_payload(dec: &mut MySqlDecoder, seq: u8, compressed: u32, uncompressed: u32, cx: &mut Cx) {
    dec.layer.inner.clear();
    dec.layer.skip = 0;
    dec.multi = None;
    dec.continued = false;
    let mut shared = dec.shared.borrow_mut();
    let word = match dec.dir {
        Direction::ClientToServer => {
            // Sequence id 0 starts a command.
            if seq == 0 {
                shared.remember(Pending { command: None, sql: None });
            }
            "Request"
        }
        Direction::ServerToClient => {
            // The first packet of an answer continues the client's sequence.
            if seq == shared.client_compressed_seq.wrapping_add(1) {
                shared.answered();
            }
            "Response"
        }
    };
    let summary = format!("{word} (compressed: {compressed} → {uncompressed} bytes, zlib, not inflated)");
    let detail = vec![format!("compressed sequence id: {seq}")];
    push(cx, summary, Packet::Compressed { compressed, uncompressed }, detail);
}

/// Uncompressed payload bytes: added to the inner stream, whose complete packets are decoded at once.
fn inner(dec: &mut MySqlDecoder, mut bytes: &[u8], cx: &mut Cx) {
    let dropped = usize::try_from(dec.layer.skip).unwrap_or(usize::MAX).min(bytes.len());
    dec.layer.skip -= dropped as u64;
    bytes = bytes.get(dropped..).unwrap_or_default();
    let mut inner = std::mem::take(&mut dec.layer.inner);
    inner.extend_from_slice(bytes);
    // The inner stream has no frames of its own: everything in it sits at the compressed packet.
    let frames = [(0, cx.frame_at(0))];
    let before = cx.out.len();
    loop {
        if inner.is_empty() {
            break;
        }
        let step = {
            let mut inner_cx = Cx {
                conn: cx.conn,
                dir: cx.dir,
                offset: 0,
                now: cx.now,
                frames: &frames,
                server_port: cx.server_port,
                details: cx.details,
                redact: cx.redact,
                out: &mut *cx.out,
            };
            dec.packet_step(&inner, &mut inner_cx)
        };
        let (used, skip) = match step {
            Step::Need if inner.len() > MAX_INNER => {
                cx.malformed(0, super::Protocol::MySql, format!("no complete packet in {MAX_INNER} bytes"));
                (inner.len(), 0)
            }
            Step::Need => break,
            Step::Used { used, skip } => (used, skip),
            // Never inside the compressed protocol (TLS is asked for before the login): drop what was used.
            Step::Switch { used, .. } | Step::Fail { used } => (used, 0),
        };
        if used == 0 && skip == 0 {
            break;
        }
        let used = used.min(inner.len());
        inner.drain(..used);
        let skipped = usize::try_from(skip).unwrap_or(usize::MAX).min(inner.len());
        inner.drain(..skipped);
        dec.layer.skip += skip - skipped as u64;
    }
    dec.layer.inner = inner;
    for message in cx.out.iter_mut().skip(before) {
        message.offset = cx.offset;
        message.detail.push("in the compressed protocol, sent uncompressed".to_string());
    }
}
