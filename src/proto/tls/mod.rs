//! TLS (RFC 5246, RFC 8446) over one direction: the record layer, the handshake, and — given the secrets of a
//! key log — the protected records decrypted, with what they carry handed to the protocol inside.
//!
//! One message per handshake message (several per record, or one spanning records), per ChangeCipherSpec, Alert
//! and Application Data record, named as in Wireshark's Info column: `Client Hello (SNI=example.com,
//! ALPN=h2,http/1.1)`, `Server Hello (TLS 1.3, TLS_AES_128_GCM_SHA256)`, `Certificate (2 certificates)`,
//! `Change Cipher Spec`, `Encrypted Handshake Message`, `Application Data (517 bytes)`, `Alert (Level: Fatal,
//! Description: Handshake Failure)`. Without keys, TLS 1.3's encrypted handshake is Application Data, as in
//! Wireshark, and application data payloads are skipped, never kept. With keys, the handshake messages that
//! TLS 1.3 encrypts (Encrypted Extensions, Certificate, Certificate Verify, Finished, New Session Ticket, Key
//! Update) are shown by name and the application data becomes the messages of the protocol inside (HTTP/1.x,
//! HTTP/2 by ALPN, else the protocol that asked for TLS, else anything recognised by content), each marked
//! `decrypted`.
//!
//! Files: `mod.rs` is the record layer; `handshake.rs` reassembles and describes handshake messages;
//! `session.rs` is what both directions share (the hellos, the record ciphers, the protocol inside);
//! `names.rs` gives wire codes their types and Wireshark's names; `keylog_file.rs` reads a key log file. The cryptography is `proto::tls_crypto`.

mod handshake;
mod keylog_file;
mod names;
mod session;

pub use keylog_file::{KeyLogFileError, LoadedKeyLog, MAX_KEY_LOG_BYTES, read_key_log};
pub use names::{ContentType, HandshakeType, alert_description_name, cipher_suite_name, version_name};
pub use session::{NO_KEY_LOG, SharedKeyLog};

use super::contract::{AfterGap, Cut, Cx, Missing, Step, StreamDecoder};
use super::reader::{Reader, Truncated};
use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;
use handshake::{Hello, Reassembler};
use names::alert_level_name;
use session::TlsSession;
use std::cell::RefCell;
use std::rc::Rc;

/// Largest record body allowed (2^14 plus the 2048 bytes of expansion RFC 5246 §6.2.3 permits).
const MAX_RECORD: usize = (1 << 14) + 2048;
const RECORD_HEADER_LEN: usize = 5;

/// The plain representation of a record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    pub content_type: ContentType,
    pub version: u16,
    pub length: u16,
}

impl RecordHeader {
    /// Reads a header; `Ok(Err(bytes))` when the five bytes cannot start a record.
    fn read(r: &mut Reader) -> Result<Result<RecordHeader, [u8; 5]>, Truncated> {
        let bytes: [u8; 5] = r.array()?;
        let [code, hi, lo, len_hi, len_lo] = bytes;
        let version = u16::from_be_bytes([hi, lo]);
        let length = u16::from_be_bytes([len_hi, len_lo]);
        Ok(match ContentType::from_code(code) {
            Some(content_type) if hi == 3 && usize::from(length) <= MAX_RECORD => {
                Ok(RecordHeader { content_type, version, length })
            }
            _ => Err(bytes),
        })
    }

    fn bytes(&self) -> [u8; 5] {
        let [hi, lo] = self.version.to_be_bytes();
        let [len_hi, len_lo] = self.length.to_be_bytes();
        [self.content_type.code(), hi, lo, len_hi, len_lo]
    }

    /// Whether these five bytes could start a record (used to find one again after a gap).
    pub fn plausible(bytes: &[u8]) -> bool {
        matches!(bytes, [20..=24, 3, 0..=4, hi, lo, ..] if usize::from(u16::from_be_bytes([*hi, *lo])) <= MAX_RECORD)
    }
}

/// The decoders of both directions of one connection, sharing its session and the capture's key log; `outer` is
/// the protocol that asked for TLS, spoken inside unless ALPN names another.
pub fn decoders(keys: &SharedKeyLog, conn: usize, outer: Option<Protocol>) -> [Box<dyn StreamDecoder>; 2] {
    let session = Rc::new(RefCell::new(TlsSession::new(Rc::clone(keys), conn, outer)));
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(TlsDecoder::new(dir, Rc::clone(&session))) as Box<dyn StreamDecoder>)
}

/// Decoder for one direction of a TLS connection.
#[derive(Debug)]
pub struct TlsDecoder {
    dir: Direction,
    /// Handshake messages not complete yet.
    handshake: Reassembler,
    session: Rc<RefCell<TlsSession>>,
}

impl TlsDecoder {
    fn new(dir: Direction, session: Rc<RefCell<TlsSession>>) -> Self {
        TlsDecoder { dir, handshake: Reassembler::default(), session }
    }

    fn record_message(&self, header: &RecordHeader, summary: String, cx: &Cx) -> Message {
        let kind = MessageKind::Tls {
            content_type: header.content_type,
            handshake_type: None,
            version: None,
            hello_retry: false,
        };
        let mut message = cx.message(0, Protocol::Tls, summary, kind);
        message.detail.push(format!("record: {}, {} bytes", version_name(header.version), header.length));
        message
    }

    /// Adds a cleartext (or decrypted) handshake payload and emits every handshake message it completes; the
    /// hellos and Finished move the session on.
    fn handshake_payload(&mut self, payload: &[u8], decrypted: bool, cx: &mut Cx) {
        let tls13 = self.session.borrow().tls13();
        let offset = cx.offset + RECORD_HEADER_LEN as u64;
        let completed = match self.handshake.add(payload, offset, cx.frame_at(0), tls13) {
            Ok(completed) => completed,
            Err(max) => return cx.malformed(0, Protocol::Tls, format!("handshake message longer than {max} bytes")),
        };
        for located in completed {
            let described = located.described;
            let hello_retry = matches!(&described.hello, Some(Hello::Server(s)) if s.hello_retry);
            let version = match &described.hello {
                Some(Hello::Server(s)) => Some(s.version),
                _ => None,
            };
            let kind = MessageKind::Tls {
                content_type: ContentType::Handshake,
                handshake_type: Some(described.handshake_type),
                version,
                hello_retry,
            };
            let mut message = cx.message(0, Protocol::Tls, described.summary, kind);
            message.offset = located.origin.offset;
            message.frame = located.origin.frame;
            message.detail = described.detail;
            message.decrypted = decrypted;
            cx.push_message(message);
            self.after_handshake_message(described.handshake_type, described.hello, cx);
        }
    }

    fn after_handshake_message(&mut self, handshake_type: HandshakeType, hello: Option<Hello>, cx: &mut Cx) {
        let mut session = self.session.borrow_mut();
        match (hello, handshake_type) {
            (Some(Hello::Client { random }), _) => session.client_hello(random),
            (Some(Hello::Server(server)), _) => session.server_hello(server, cx),
            (None, HandshakeType::Finished) => session.finished(self.dir, cx),
            (None, HandshakeType::KeyUpdate) => session.key_update(self.dir, cx),
            _ => {}
        }
    }

    /// A protected record decrypted: its real content goes where it belongs.
    fn plaintext(&mut self, header: &RecordHeader, content_type: u8, data: &[u8], cx: &mut Cx) {
        match ContentType::from_code(content_type) {
            Some(ContentType::Handshake) => self.handshake_payload(data, true, cx),
            Some(ContentType::ApplicationData) => self.session.borrow_mut().application_data(self.dir, data, cx),
            Some(ContentType::Alert) => {
                let inner = RecordHeader { content_type: ContentType::Alert, ..*header };
                let mut message = self.record_message(&inner, alert_summary(data), cx);
                message.decrypted = true;
                cx.push_message(message);
            }
            _ => {
                let summary = format!("[Malformed TLS: decrypted record of content type {content_type}]");
                let reason = format!("decrypted record of content type {content_type}");
                let mut message = cx.message(0, Protocol::Tls, summary, MessageKind::Malformed { reason });
                message.decrypted = true;
                cx.push_message(message);
            }
        }
    }

    /// A protected record shown as the wire has it.
    fn opaque(&mut self, header: &RecordHeader, cx: &mut Cx) {
        let length = header.length;
        let summary = match header.content_type {
            ContentType::Handshake => "Encrypted Handshake Message".to_string(),
            ContentType::Alert => "Encrypted Alert".to_string(),
            _ => format!("Application Data ({length} bytes)"),
        };
        let mut message = self.record_message(header, summary, cx);
        if self.session.borrow().tls13() {
            message.detail.push("encrypted (TLS 1.3: handshake or application data)".to_string());
        }
        cx.push_message(message);
    }
}

fn alert_summary(payload: &[u8]) -> String {
    match payload {
        [level, description] => format!(
            "Alert (Level: {}, Description: {})",
            alert_level_name(*level),
            alert_description_name(*description)
        ),
        _ => "Encrypted Alert".to_string(),
    }
}

impl StreamDecoder for TlsDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::Tls
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        let mut r = Reader::new(buf);
        let header = match RecordHeader::read(&mut r) {
            Err(_) => return Step::Need,
            Ok(Ok(header)) => header,
            Ok(Err([code, hi, lo, len_hi, len_lo])) => {
                let (version, length) = (u16::from_be_bytes([hi, lo]), u16::from_be_bytes([len_hi, len_lo]));
                let reason = format!("not a TLS record header (type {code}, version {version:#06x}, length {length})");
                cx.malformed(0, Protocol::Tls, reason);
                return Step::Fail { used: 0 };
            }
        };
        let length = usize::from(header.length);
        let protected = self.session.borrow().protected(self.dir, header.content_type);
        let decrypting = protected && self.session.borrow().decrypting(self.dir);
        if header.content_type == ContentType::ApplicationData && !decrypting {
            if !protected {
                self.session.borrow_mut().unseen_handshake(cx);
            }
            self.opaque(&header, cx);
            return Step::Used { used: RECORD_HEADER_LEN, skip: length as u64 };
        }
        let Ok(payload) = r.take(length) else {
            return Step::Need;
        };
        let used = RECORD_HEADER_LEN + length;
        if protected {
            let plaintext = self.session.borrow_mut().decrypt(self.dir, header.bytes(), payload, cx);
            match plaintext {
                Some(plain) => self.plaintext(&header, plain.content_type, &plain.data, cx),
                None => self.opaque(&header, cx),
            }
            return Step::Used { used, skip: 0 };
        }
        match header.content_type {
            ContentType::Handshake => self.handshake_payload(payload, false, cx),
            ContentType::ChangeCipherSpec => {
                let message = self.record_message(&header, "Change Cipher Spec".to_string(), cx);
                cx.push_message(message);
                self.session.borrow_mut().change_cipher_spec(self.dir, cx);
            }
            ContentType::Alert => {
                let message = self.record_message(&header, alert_summary(payload), cx);
                cx.push_message(message);
            }
            ContentType::Heartbeat | ContentType::ApplicationData => {
                let name = header.content_type.name();
                let message = self.record_message(&header, format!("{name} ({length} bytes)"), cx);
                cx.push_message(message);
            }
        }
        Step::Used { used, skip: 0 }
    }

    fn cut(&mut self, buf: &[u8], missing: Missing, cx: &mut Cx) -> Cut {
        self.handshake.clear();
        self.session.borrow_mut().lost(self.dir, cx);
        let mut r = Reader::new(buf);
        let Ok(Ok(header)) = RecordHeader::read(&mut r) else {
            return Cut::Unknown;
        };
        let protected = self.session.borrow().protected(self.dir, header.content_type);
        let name = match (header.content_type, r.u8()) {
            (ContentType::Handshake, _) if protected => "Encrypted Handshake Message".to_string(),
            (ContentType::Handshake, Ok(msg_type)) => HandshakeType::from_code(msg_type).name(),
            (ContentType::ApplicationData, _) => format!("Application Data ({} bytes)", header.length),
            (content_type, _) => content_type.name().to_string(),
        };
        let mut message = self.record_message(&header, format!("{name} {}", missing.marker()), cx);
        message.detail.push(missing.detail());
        cx.push_message(message);
        let record_end = RECORD_HEADER_LEN as u64 + u64::from(header.length);
        Cut::Rest(record_end.saturating_sub(buf.len() as u64))
    }

    fn gap(&mut self, _len: u64, cx: &mut Cx) -> AfterGap {
        self.handshake.clear();
        self.session.borrow_mut().lost(self.dir, cx);
        AfterGap::Lost
    }

    fn find_start(&mut self, buf: &[u8], after_gap: bool) -> Option<usize> {
        // Encrypted bytes hold record-header look-alikes: only a segment that starts with one is believed.
        (after_gap && buf.len() >= RECORD_HEADER_LEN && RecordHeader::plausible(buf)).then_some(0)
    }

    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        if !buf.is_empty() || !self.handshake.is_empty() {
            let reason = format!(
                "stream ended inside a TLS record ({} bytes) or handshake message ({} bytes)",
                buf.len(),
                self.handshake.len()
            );
            cx.malformed(0, Protocol::Tls, reason);
        }
        self.session.borrow_mut().end_inner(self.dir, cx);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{decode, decode_split_everywhere};
    use super::handshake::HELLO_RETRY_RANDOM;
    use super::*;

    fn record(content_type: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![content_type, 3, 3];
        bytes.extend((payload.len() as u16).to_be_bytes());
        bytes.extend(payload);
        bytes
    }

    fn handshake(msg_type: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![msg_type];
        bytes.extend(&(body.len() as u32).to_be_bytes()[1..]);
        bytes.extend(body);
        bytes
    }

    fn client_hello_body() -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([0u8; 32]);
        body.push(0);
        body.extend([0, 4, 0x13, 0x01, 0xc0, 0x2f]);
        body.extend([1, 0]);
        let mut exts = Vec::new();
        // server_name "localhost"
        exts.extend([0, 0, 0, 14, 0, 12, 0, 0, 9]);
        exts.extend(b"localhost");
        // ALPN h2, http/1.1
        exts.extend([0, 16, 0, 14, 0, 12, 2, b'h', b'2', 8]);
        exts.extend(b"http/1.1");
        // supported_versions TLS 1.3, TLS 1.2
        exts.extend([0, 43, 0, 5, 4, 3, 4, 3, 3]);
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        body
    }

    #[test]
    fn client_hello_names_sni_and_alpn_even_across_records() {
        let hello = handshake(1, &client_hello_body());
        let (a, b) = hello.split_at(20);
        let bytes = [record(22, a), record(22, b)].concat();
        let messages = decode_split_everywhere(Protocol::Tls, Direction::ClientToServer, &bytes);
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].summary, "Client Hello (SNI=localhost, ALPN=h2,http/1.1)");
        assert_eq!(messages[0].offset, 5);
        assert!(messages[0].detail.contains(&"supported versions: TLS 1.3, TLS 1.2".to_string()));
    }

    #[test]
    fn tls12_server_flight_in_one_record_then_encrypted() {
        let mut hello = vec![3, 3];
        hello.extend([0u8; 32]);
        hello.extend([0, 0xc0, 0x2f, 0]);
        let cert = [0, 0, 6, 0, 0, 3, 1, 2, 3];
        let ske = [3, 0, 0x1d, 0];
        let flight = [handshake(2, &hello), handshake(11, &cert), handshake(12, &ske), handshake(14, &[])].concat();
        let mut bytes = record(22, &flight);
        bytes.extend(record(20, &[1]));
        bytes.extend(record(22, &[0u8; 40]));
        bytes.extend(record(23, &[0u8; 100]));
        bytes.extend(record(21, &[0u8; 26]));
        let messages = decode_split_everywhere(Protocol::Tls, Direction::ServerToClient, &bytes);
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Server Hello (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
                "Certificate (1 certificate)",
                "Server Key Exchange",
                "Server Hello Done",
                "Change Cipher Spec",
                "Encrypted Handshake Message",
                "Application Data (100 bytes)",
                "Encrypted Alert"
            ]
        );
        assert_eq!(messages[2].detail, ["named curve x25519"]);
        let versions: Vec<Option<u16>> = messages
            .iter()
            .map(|m| match m.kind {
                MessageKind::Tls { version, .. } => version,
                _ => None,
            })
            .collect();
        assert_eq!(versions, [Some(0x0303), None, None, None, None, None, None, None], "only the ServerHello");
        assert_eq!(messages.iter().map(|m| m.offset).take(4).collect::<Vec<_>>(), [5, 47, 60, 68]);
    }

    #[test]
    fn tls13_server_hello_and_cleartext_alert() {
        let mut hello = vec![3, 3];
        hello.extend([0u8; 32]);
        hello.extend([0, 0x13, 0x02, 0, 0, 6, 0, 43, 0, 2, 3, 4]);
        let bytes = [record(22, &handshake(2, &hello)), record(21, &[2, 40])].concat();
        let messages = decode(Protocol::Tls, Direction::ServerToClient, &[&bytes]);
        assert_eq!(messages[0].summary, "Server Hello (TLS 1.3, TLS_AES_256_GCM_SHA384)");
        assert!(matches!(messages[0].kind, MessageKind::Tls { version: Some(0x0304), .. }), "{:?}", messages[0].kind);
        assert_eq!(messages[1].summary, "Alert (Level: Fatal, Description: Handshake Failure)");
    }

    #[test]
    fn hello_retry_request_is_recognised_by_its_random() {
        let server_hello = |random: &[u8]| {
            let mut body = vec![3, 3];
            body.extend(random);
            body.extend([0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4]);
            record(22, &handshake(2, &body))
        };
        let bytes = [server_hello(&HELLO_RETRY_RANDOM), server_hello(&[7u8; 32])].concat();
        let messages = decode_split_everywhere(Protocol::Tls, Direction::ServerToClient, &bytes);
        let seen: Vec<(&str, bool)> = messages
            .iter()
            .map(|m| (m.summary.as_str(), matches!(m.kind, MessageKind::Tls { hello_retry: true, .. })))
            .collect();
        assert_eq!(
            seen,
            [
                ("Hello Retry Request (TLS 1.3, TLS_AES_128_GCM_SHA256)", true),
                ("Server Hello (TLS 1.3, TLS_AES_128_GCM_SHA256)", false)
            ]
        );
    }

    #[test]
    fn garbage_fails_over_to_data() {
        let messages = decode(Protocol::Tls, Direction::ServerToClient, &[b"HTTP/1.1 400 Bad Request\r\n"]);
        assert!(matches!(messages[0].kind, MessageKind::Malformed { .. }));
        assert!(messages[1].summary.starts_with("26 bytes \"HTTP/1.1 400"));
    }
}
