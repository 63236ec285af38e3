//! WebSocket frames (RFC 6455 §5) over one direction, after an HTTP/1.1 `101 Switching Protocols`.
//!
//! Each frame becomes one message named with Wireshark's words: `WS Text "resp: hello"`, `WS Binary 1024 bytes`,
//! `WS Continuation`, `WS Close 1000 Normal Closure "bye"`, `WS Ping`, `WS Pong`. Frames of a fragmented message
//! say `(fragment N)` / `(last fragment)`. Client payloads are unmasked. Only a short prefix of a payload is kept
//! (for the preview); the rest is skipped.

use super::contract::{Cx, Step, StreamDecoder};
use super::data::short_text;
use super::reader::{Reader, Truncated};
use super::{MessageKind, Protocol};
use crate::tcp::Direction;

/// Payload bytes kept for a data frame's preview.
const KEEP_DATA: u64 = 256;
/// Control frames carry at most 125 bytes (§5.5), all kept.
const MAX_CONTROL: u64 = 125;
/// Characters of text shown in a summary.
const TEXT_CHARS: usize = 40;

/// The plain representation of a frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub fin: bool,
    /// RSV1..3 as the top bits (RSV1 = 0x4 marks a permessage-deflate compressed message).
    pub rsv: u8,
    pub opcode: Opcode,
    pub mask: Option<[u8; 4]>,
    pub payload_len: u64,
    /// Bytes of the header itself (2 to 14).
    pub header_len: usize,
}

/// Why a frame header is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("reserved opcode {0:#x}")]
    ReservedOpcode(u8),
    #[error("64-bit payload length with the top bit set")]
    LengthTooLarge,
}

impl FrameHeader {
    /// Reads a header from the start of `bytes`; `Ok(None)` when more bytes are needed.
    pub fn parse(bytes: &[u8]) -> Result<Option<FrameHeader>, FrameError> {
        match Self::read(&mut Reader::new(bytes)) {
            Ok(header) => header.map(Some),
            Err(Truncated { .. }) => Ok(None),
        }
    }

    fn read(r: &mut Reader) -> Result<Result<FrameHeader, FrameError>, Truncated> {
        let start = r.left();
        let first = r.u8()?;
        let second = r.u8()?;
        let Some(opcode) = Opcode::from_code(first & 0x0f) else {
            return Ok(Err(FrameError::ReservedOpcode(first & 0x0f)));
        };
        let payload_len = match second & 0x7f {
            126 => u64::from(r.u16()?),
            127 => r.u64()?,
            n => u64::from(n),
        };
        if payload_len >> 63 != 0 {
            return Ok(Err(FrameError::LengthTooLarge));
        }
        let mask = if second & 0x80 != 0 { Some(r.array::<4>()?) } else { None };
        Ok(Ok(FrameHeader {
            fin: first & 0x80 != 0,
            rsv: (first >> 4) & 0x7,
            opcode,
            mask,
            payload_len,
            header_len: start - r.left(),
        }))
    }

    pub fn is_control(&self) -> bool {
        matches!(self.opcode, Opcode::Close | Opcode::Ping | Opcode::Pong)
    }
}

/// A frame's opcode (RFC 6455 §5.2); the reserved ones make a frame malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Opcode {
    Continuation,
    Text,
    Binary,
    Close,
    Ping,
    Pong,
}

impl Opcode {
    pub fn from_code(code: u8) -> Option<Opcode> {
        Some(match code {
            0 => Opcode::Continuation,
            1 => Opcode::Text,
            2 => Opcode::Binary,
            8 => Opcode::Close,
            9 => Opcode::Ping,
            10 => Opcode::Pong,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            Opcode::Continuation => 0,
            Opcode::Text => 1,
            Opcode::Binary => 2,
            Opcode::Close => 8,
            Opcode::Ping => 9,
            Opcode::Pong => 10,
        }
    }

    /// Wireshark's name.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "Continuation",
            Opcode::Text => "Text",
            Opcode::Binary => "Binary",
            Opcode::Close => "Close",
            Opcode::Ping => "Ping",
            Opcode::Pong => "Pong",
        }
    }
}

/// RFC 6455 §7.4.1 and the IANA registry.
pub fn close_code_name(code: u16) -> &'static str {
    match code {
        1000 => "Normal Closure",
        1001 => "Going Away",
        1002 => "Protocol error",
        1003 => "Unsupported Data",
        1005 => "No Status Rcvd",
        1006 => "Abnormal Closure",
        1007 => "Invalid frame payload data",
        1008 => "Policy Violation",
        1009 => "Message Too Big",
        1010 => "Mandatory Ext.",
        1011 => "Internal Server Error",
        1012 => "Service Restart",
        1013 => "Try Again Later",
        1015 => "TLS handshake",
        _ => "",
    }
}

/// Decoder for one direction of a WebSocket connection.
#[derive(Debug)]
pub struct WebSocketDecoder {
    dir: Direction,
    /// The fragmented message in progress.
    fragmented: Option<Fragmented>,
}

/// A message sent in several frames, as far as it has come.
#[derive(Debug, Clone, Copy)]
struct Fragmented {
    opcode: Opcode,
    frames: u32,
    /// Its first frame had RSV1 (permessage-deflate).
    compressed: bool,
}

/// The decoders of both directions of one connection (they share nothing).
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(WebSocketDecoder::new(dir)) as Box<dyn StreamDecoder>)
}

impl WebSocketDecoder {
    pub fn new(dir: Direction) -> Self {
        WebSocketDecoder { dir, fragmented: None }
    }
}

impl StreamDecoder for WebSocketDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::WebSocket
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        let header = match FrameHeader::parse(buf) {
            Ok(Some(header)) => header,
            Ok(None) => return Step::Need,
            Err(error) => {
                cx.malformed(0, Protocol::WebSocket, error.to_string());
                return Step::Fail { used: 0 };
            }
        };
        let keep = header.payload_len.min(if header.is_control() { MAX_CONTROL } else { KEEP_DATA });
        let Some(kept) = buf.get(header.header_len..header.header_len + keep as usize) else {
            return Step::Need;
        };
        let payload: Vec<u8> = match header.mask {
            Some(mask) => kept.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m).collect(),
            None => kept.to_vec(),
        };
        let (summary, close_code, mut detail) = self.describe(&header, &payload);
        if header.is_control() && (!header.fin || header.payload_len > MAX_CONTROL) {
            detail.push("control frame fragmented or longer than 125 bytes (RFC 6455 §5.5)".to_string());
        }
        let masked_side = Direction::ClientToServer;
        if header.mask.is_some() != (self.dir == masked_side) {
            let should = if self.dir == masked_side { "unmasked client frame" } else { "masked server frame" };
            detail.push(format!("{should} (RFC 6455 §5.1)"));
        }
        let kind = MessageKind::WebSocket {
            opcode: header.opcode,
            fin: header.fin,
            payload_len: header.payload_len,
            close_code,
        };
        let mut message = cx.message(0, Protocol::WebSocket, summary, kind);
        message.detail = detail;
        cx.push_message(message);
        Step::Used { used: header.header_len + keep as usize, skip: header.payload_len - keep }
    }
}

impl WebSocketDecoder {
    /// Summary, close code and detail lines of a frame whose kept payload is `payload` (unmasked).
    fn describe(&mut self, header: &FrameHeader, payload: &[u8]) -> (String, Option<u16>, Vec<String>) {
        let mut detail = vec![format!(
            "FIN={} opcode={} ({}) payload {} bytes{}",
            u8::from(header.fin),
            header.opcode.code(),
            header.opcode.name(),
            header.payload_len,
            if header.mask.is_some() { ", masked" } else { "" }
        )];
        let mut summary = format!("WS {}", header.opcode.name());
        let mut close_code = None;
        // The opcode the data of this frame belongs to (a continuation inherits its message's).
        let data_opcode = match header.opcode {
            Opcode::Continuation => self.fragmented.map(|fragmented| fragmented.opcode),
            op => Some(op),
        };
        match header.opcode {
            Opcode::Close => {
                let mut r = Reader::new(payload);
                if let Ok(code) = r.u16() {
                    close_code = Some(code);
                    summary = format!("{summary} {code} {}", close_code_name(code)).trim_end().to_string();
                    if !r.is_empty() {
                        summary.push_str(&format!(" \"{}\"", short_text(r.rest(), TEXT_CHARS)));
                    }
                }
            }
            Opcode::Ping | Opcode::Pong if !payload.is_empty() => {
                summary.push_str(&format!(" {} bytes", header.payload_len))
            }
            Opcode::Ping | Opcode::Pong => {}
            _ if header.rsv & 0x4 != 0 || (header.opcode == Opcode::Continuation && self.compressed()) => {
                summary.push_str(&format!(" {} bytes (compressed)", header.payload_len));
            }
            _ if data_opcode == Some(Opcode::Text) => {
                let text = short_text(payload, TEXT_CHARS);
                let cut = if header.payload_len > payload.len() as u64 && !text.ends_with('…') { "…" } else { "" };
                summary.push_str(&format!(" \"{text}{cut}\""));
            }
            _ => summary.push_str(&format!(" {} bytes", header.payload_len)),
        }
        if !header.is_control() {
            match (header.opcode, header.fin, self.fragmented) {
                (Opcode::Continuation, true, Some(_)) => {
                    summary.push_str(" (last fragment)");
                    self.fragmented = None;
                }
                (Opcode::Continuation, false, Some(fragmented)) => {
                    summary.push_str(&format!(" (fragment {})", fragmented.frames + 1));
                    self.fragmented = Some(Fragmented { frames: fragmented.frames + 1, ..fragmented });
                }
                (Opcode::Continuation, _, None) => detail.push("continuation without a fragmented message".to_string()),
                (opcode, false, _) => {
                    summary.push_str(" (fragment 1)");
                    // RSV1 on the first frame marks the whole message compressed.
                    self.fragmented = Some(Fragmented { opcode, frames: 1, compressed: header.rsv & 0x4 != 0 });
                }
                _ => {}
            }
        }
        (summary, close_code, detail)
    }

    fn compressed(&self) -> bool {
        self.fragmented.is_some_and(|fragmented| fragmented.compressed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{decode, decode_split_everywhere};
    use super::*;

    /// A masked client Text frame "Hello" (RFC 6455 §5.7).
    const MASKED_HELLO: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

    fn summaries(messages: &[super::super::Message]) -> Vec<&str> {
        messages.iter().map(|m| m.summary.as_str()).collect()
    }

    #[test]
    fn unmasks_client_text() {
        let messages = decode_split_everywhere(Protocol::WebSocket, Direction::ClientToServer, &MASKED_HELLO);
        assert_eq!(summaries(&messages), ["WS Text \"Hello\""]);
        assert_eq!(messages[0].detail, ["FIN=1 opcode=1 (Text) payload 5 bytes, masked"]);
    }

    #[test]
    fn fragments_control_frames_and_close() {
        // RFC 6455 §5.7: "Hel" + "lo" with a Ping between, then a 256-byte binary (16-bit length), then Close.
        let mut bytes =
            vec![0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x05, b'H', b'e', b'l', b'l', b'o', 0x80, 0x02, 0x6c, 0x6f];
        bytes.extend([0x82, 0x7e, 0x01, 0x00]);
        bytes.extend([0u8; 256]);
        bytes.extend([0x88, 0x05, 0x03, 0xe8, b'b', b'y', b'e']);
        let messages = decode_split_everywhere(Protocol::WebSocket, Direction::ServerToClient, &bytes);
        assert_eq!(
            summaries(&messages),
            [
                "WS Text \"Hel\" (fragment 1)",
                "WS Ping 5 bytes",
                "WS Continuation \"lo\" (last fragment)",
                "WS Binary 256 bytes",
                "WS Close 1000 Normal Closure \"bye\""
            ]
        );
        assert!(matches!(
            messages[4].kind,
            MessageKind::WebSocket { opcode: Opcode::Close, close_code: Some(1000), .. }
        ));
    }

    #[test]
    fn big_payloads_are_skipped_and_reserved_opcodes_fail() {
        let mut bytes = vec![0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0];
        bytes.extend(vec![7u8; 65536]);
        bytes.extend([0x83, 0x00]);
        let messages = decode(Protocol::WebSocket, Direction::ServerToClient, &[&bytes]);
        assert_eq!(
            summaries(&messages),
            ["WS Binary 65536 bytes", "[Malformed WebSocket: reserved opcode 0x3]", "2 bytes"]
        );
        assert_eq!(messages[2].offset, 65546);
    }
}
