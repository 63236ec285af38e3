//! TLS (RFC 5246, RFC 8446) over one direction: the record layer and the cleartext handshake messages.
//!
//! One message per handshake message (several per record, or one spanning records), per ChangeCipherSpec, Alert
//! and Application Data record, named as in Wireshark's Info column: `Client Hello (SNI=example.com,
//! ALPN=h2,http/1.1)`, `Server Hello (TLS 1.3, TLS_AES_128_GCM_SHA256)`, `Certificate (2 certificates)`,
//! `Change Cipher Spec`, `Encrypted Handshake Message`, `Application Data (517 bytes)`, `Alert (Level: Fatal,
//! Description: Handshake Failure)`. Without keys, TLS 1.3's encrypted handshake is Application Data, as in
//! Wireshark. Application data payloads are skipped, never kept.

use super::contract::{AfterGap, Cut, Cx, Missing, Step, StreamDecoder};
use super::reader::{Reader, Truncated};
use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;
use std::cell::RefCell;
use std::rc::Rc;

/// Largest record body allowed (2^14 plus the 2048 bytes of expansion RFC 5246 §6.2.3 permits).
const MAX_RECORD: usize = (1 << 14) + 2048;
const RECORD_HEADER_LEN: usize = 5;
/// Largest handshake message reassembled from records (certificate chains can be long).
const MAX_HANDSHAKE: usize = 128 * 1024;

pub mod content_type {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
    pub const HEARTBEAT: u8 = 24;
}

/// The plain representation of a record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    pub content_type: u8,
    pub version: u16,
    pub length: u16,
}

impl RecordHeader {
    pub fn read(r: &mut Reader) -> Result<RecordHeader, Truncated> {
        Ok(RecordHeader { content_type: r.u8()?, version: r.u16()?, length: r.u16()? })
    }

    /// Whether these five bytes could start a record (used to find one again after a gap).
    pub fn plausible(bytes: &[u8]) -> bool {
        matches!(bytes, [20..=24, 3, 0..=4, hi, lo, ..] if usize::from(u16::from_be_bytes([*hi, *lo])) <= MAX_RECORD)
    }
}

/// What the two directions of one TLS connection learn from each other.
#[derive(Debug, Default)]
pub struct TlsSession {
    /// The server chose TLS 1.3: later handshake records are encrypted.
    pub tls13: bool,
}

/// The decoders of both directions of one connection, sharing its session.
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    let session = Rc::new(RefCell::new(TlsSession::default()));
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(TlsDecoder::new(dir, Rc::clone(&session))) as Box<dyn StreamDecoder>)
}

/// Decoder for one direction of a TLS connection.
#[derive(Debug)]
pub struct TlsDecoder {
    dir: Direction,
    /// This side sent ChangeCipherSpec: its later handshake and alert records are encrypted (TLS 1.2).
    encrypting: bool,
    /// Bytes of handshake messages not complete yet, with where each record's part came from.
    handshake: Vec<u8>,
    /// (index into `handshake`, stream offset, frame) of each record's contribution.
    origins: Vec<(usize, u64, u64)>,
    session: Rc<RefCell<TlsSession>>,
}

impl TlsDecoder {
    pub fn new(dir: Direction, session: Rc<RefCell<TlsSession>>) -> Self {
        TlsDecoder { dir, encrypting: false, handshake: Vec::new(), origins: Vec::new(), session }
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

    /// Adds a handshake record's payload and emits every handshake message it completes.
    fn handshake_record(&mut self, header: &RecordHeader, payload: &[u8], cx: &mut Cx) {
        if self.encrypting {
            let message = self.record_message(header, "Encrypted Handshake Message".to_string(), cx);
            cx.push_message(message);
            return;
        }
        if self.handshake.len() + payload.len() > MAX_HANDSHAKE {
            self.handshake.clear();
            self.origins.clear();
            cx.malformed(0, Protocol::Tls, format!("handshake message longer than {MAX_HANDSHAKE} bytes"));
            return;
        }
        let origin = (self.handshake.len(), cx.offset + RECORD_HEADER_LEN as u64, cx.frame_at(0));
        self.origins.push(origin);
        self.handshake.extend_from_slice(payload);
        let mut used = 0;
        loop {
            let mut r = Reader::new(self.handshake.get(used..).unwrap_or_default());
            let (Ok(msg_type), Ok(body)) = (r.u8(), r.sub_u24()) else {
                break;
            };
            let hello_retry = msg_type == SERVER_HELLO && is_hello_retry_request(body);
            let (summary, detail, version) = describe_handshake(msg_type, body, &mut self.session.borrow_mut());
            let kind = MessageKind::Tls {
                content_type: content_type::HANDSHAKE,
                handshake_type: Some(msg_type),
                version,
                hello_retry,
            };
            let mut message = cx.message(0, Protocol::Tls, summary, kind);
            let (start, offset, frame) =
                self.origins.iter().rev().find(|(i, _, _)| *i <= used).copied().unwrap_or(origin);
            message.offset = offset + (used - start) as u64;
            message.frame = frame;
            message.detail = detail;
            cx.push_message(message);
            used += 4 + body.left();
        }
        self.handshake.drain(..used);
        let last = self.origins.iter().rposition(|(i, _, _)| *i <= used).unwrap_or(0);
        self.origins.drain(..last);
        for (i, _, _) in &mut self.origins {
            *i = i.saturating_sub(used);
        }
        if self.handshake.is_empty() {
            self.origins.clear();
        }
    }
}

impl StreamDecoder for TlsDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::Tls
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        let mut r = Reader::new(buf);
        let Ok(header) = RecordHeader::read(&mut r) else {
            return Step::Need;
        };
        let length = usize::from(header.length);
        if !(20..=24).contains(&header.content_type) || header.version >> 8 != 3 || length > MAX_RECORD {
            let reason = format!(
                "not a TLS record header (type {}, version {:#06x}, length {length})",
                header.content_type, header.version
            );
            cx.malformed(0, Protocol::Tls, reason);
            return Step::Fail { used: 0 };
        }
        if header.content_type == content_type::APPLICATION_DATA {
            let mut message = self.record_message(&header, format!("Application Data ({length} bytes)"), cx);
            if self.session.borrow().tls13 {
                message.detail.push("encrypted (TLS 1.3: handshake or application data)".to_string());
            }
            cx.push_message(message);
            return Step::Used { used: RECORD_HEADER_LEN, skip: length as u64 };
        }
        let Ok(payload) = r.take(length) else {
            return Step::Need;
        };
        match header.content_type {
            content_type::HANDSHAKE => self.handshake_record(&header, payload, cx),
            content_type::CHANGE_CIPHER_SPEC => {
                // In TLS 1.3 it is only for middleboxes; in TLS 1.2 what follows is encrypted.
                self.encrypting = !self.session.borrow().tls13;
                let message = self.record_message(&header, "Change Cipher Spec".to_string(), cx);
                cx.push_message(message);
            }
            content_type::ALERT => {
                let summary = match payload {
                    [level, description] if !self.encrypting => format!(
                        "Alert (Level: {}, Description: {})",
                        alert_level_name(*level),
                        alert_description_name(*description)
                    ),
                    _ => "Encrypted Alert".to_string(),
                };
                let message = self.record_message(&header, summary, cx);
                cx.push_message(message);
            }
            other => {
                let name = if other == content_type::HEARTBEAT { "Heartbeat" } else { "Unknown record" };
                let message = self.record_message(&header, format!("{name} ({length} bytes)"), cx);
                cx.push_message(message);
            }
        }
        Step::Used { used: RECORD_HEADER_LEN + length, skip: 0 }
    }

    fn cut(&mut self, buf: &[u8], missing: Missing, cx: &mut Cx) -> Cut {
        self.handshake.clear();
        self.origins.clear();
        let mut r = Reader::new(buf);
        let Ok(header) = RecordHeader::read(&mut r) else {
            return Cut::Unknown;
        };
        if !RecordHeader::plausible(buf) {
            return Cut::Unknown;
        }
        let name = match (header.content_type, r.u8()) {
            (content_type::HANDSHAKE, _) if self.encrypting => "Encrypted Handshake Message".to_string(),
            (content_type::HANDSHAKE, Ok(msg_type)) => handshake_name(msg_type),
            (content_type::HANDSHAKE, Err(_)) => "Handshake".to_string(),
            (content_type::CHANGE_CIPHER_SPEC, _) => "Change Cipher Spec".to_string(),
            (content_type::ALERT, _) => "Alert".to_string(),
            (content_type::APPLICATION_DATA, _) => format!("Application Data ({} bytes)", header.length),
            _ => "Unknown record".to_string(),
        };
        let mut message = self.record_message(&header, format!("{name} {}", missing.marker()), cx);
        message.detail.push(missing.detail());
        cx.push_message(message);
        let record_end = RECORD_HEADER_LEN as u64 + u64::from(header.length);
        Cut::Rest(record_end.saturating_sub(buf.len() as u64))
    }

    fn gap(&mut self, _len: u64, _cx: &mut Cx) -> AfterGap {
        self.handshake.clear();
        self.origins.clear();
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
        let _ = self.dir;
    }
}

const SERVER_HELLO: u8 = 2;

/// The random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Whether a ServerHello body is a HelloRetryRequest (its random after the legacy version).
fn is_hello_retry_request(mut body: Reader) -> bool {
    body.skip(2).is_ok() && body.take(32).is_ok_and(|random| random == HELLO_RETRY_RANDOM)
}

/// Summary and detail lines of one handshake message, and the version a ServerHello chose.
fn describe_handshake(msg_type: u8, body: Reader, session: &mut TlsSession) -> (String, Vec<String>, Option<u16>) {
    // Wireshark names a HelloRetryRequest by what it is, not by its type.
    let name = if msg_type == SERVER_HELLO && is_hello_retry_request(body) {
        "Hello Retry Request".to_string()
    } else {
        handshake_name(msg_type)
    };
    let mut r = body;
    let mut version = None;
    let parsed = match msg_type {
        1 => client_hello(&mut r),
        2 => server_hello(&mut r, session).map(|(text, detail, chosen)| {
            version = Some(chosen);
            (text, detail)
        }),
        11 => certificate(&mut r),
        12 => server_key_exchange(&mut r),
        4 => r.u32().map(|hint| (String::new(), vec![format!("ticket lifetime {hint} s")])),
        _ => Ok((String::new(), Vec::new())),
    };
    let parsed = parsed.map(|(extra, mut detail)| {
        if let (Err(trailing), 1 | 2 | 11) = (r.expect_empty(), msg_type) {
            detail.push(trailing.to_string());
        }
        (extra, detail)
    });
    match parsed {
        Ok((extra, detail)) if extra.is_empty() => (name, detail, version),
        Ok((extra, detail)) => (format!("{name} ({extra})"), detail, version),
        Err(error) => (format!("{name} (malformed: {error})"), Vec::new(), version),
    }
}

fn client_hello(r: &mut Reader) -> Result<(String, Vec<String>), Truncated> {
    let version = r.u16()?;
    r.skip(32)?;
    r.sub_u8()?;
    let suites = r.sub_u16()?.left() / 2;
    r.sub_u8()?;
    let extensions = if r.is_empty() { Vec::new() } else { extensions(r.sub_u16()?)? };
    let mut sni = None;
    let mut alpn = Vec::new();
    let mut versions = Vec::new();
    for (ext_type, mut data) in extensions {
        match ext_type {
            0 => {
                let mut list = data.sub_u16()?;
                while !list.is_empty() {
                    let name_type = list.u8()?;
                    let name = list.sub_u16()?.rest();
                    if name_type == 0 {
                        sni = Some(super::data::short_text(name, 100));
                    }
                }
            }
            16 => alpn = protocol_list(&mut data)?,
            43 => {
                let mut list = data.sub_u8()?;
                while let Ok(v) = list.u16() {
                    versions.push(version_name(v));
                }
            }
            _ => {}
        }
    }
    let mut parts = Vec::new();
    parts.extend(sni.map(|s| format!("SNI={s}")));
    if !alpn.is_empty() {
        parts.push(format!("ALPN={}", alpn.join(",")));
    }
    let mut detail = vec![format!("version {}", version_name(version)), format!("{suites} cipher suites")];
    if !versions.is_empty() {
        detail.push(format!("supported versions: {}", versions.join(", ")));
    }
    Ok((parts.join(", "), detail))
}

/// Summary text, detail lines and the chosen version of a ServerHello.
fn server_hello(r: &mut Reader, session: &mut TlsSession) -> Result<(String, Vec<String>, u16), Truncated> {
    let legacy_version = r.u16()?;
    r.skip(32)?;
    r.sub_u8()?;
    let suite = r.u16()?;
    r.u8()?;
    let mut version = legacy_version;
    let mut alpn = Vec::new();
    if !r.is_empty() {
        for (ext_type, mut data) in extensions(r.sub_u16()?)? {
            match ext_type {
                16 => alpn = protocol_list(&mut data)?,
                43 => version = data.u16()?,
                _ => {}
            }
        }
    }
    if version == 0x0304 {
        session.tls13 = true;
    }
    let mut text = format!("{}, {}", version_name(version), cipher_suite_name(suite));
    if !alpn.is_empty() {
        text.push_str(&format!(", ALPN={}", alpn.join(",")));
    }
    Ok((text, vec![format!("cipher suite {} ({suite:#06x})", cipher_suite_name(suite))], version))
}

fn certificate(r: &mut Reader) -> Result<(String, Vec<String>), Truncated> {
    let mut list = r.sub_u24()?;
    let mut sizes = Vec::new();
    while !list.is_empty() {
        sizes.push(list.sub_u24()?.left());
    }
    let detail = sizes.iter().map(|n| format!("certificate of {n} bytes")).collect();
    let plural = if sizes.len() == 1 { "" } else { "s" };
    Ok((format!("{} certificate{plural}", sizes.len()), detail))
}

fn server_key_exchange(r: &mut Reader) -> Result<(String, Vec<String>), Truncated> {
    // ECDHE parameters start with curve type 3 (named_curve) and the group.
    if r.u8()? == 3 {
        return Ok((String::new(), vec![format!("named curve {}", group_name(r.u16()?))]));
    }
    Ok((String::new(), Vec::new()))
}

/// (type, data) of each extension.
fn extensions(mut list: Reader) -> Result<Vec<(u16, Reader)>, Truncated> {
    let mut out = Vec::new();
    while !list.is_empty() {
        let ext_type = list.u16()?;
        out.push((ext_type, list.sub_u16()?));
    }
    Ok(out)
}

/// An ALPN `ProtocolNameList`.
fn protocol_list(data: &mut Reader) -> Result<Vec<String>, Truncated> {
    let mut list = data.sub_u16()?;
    let mut names = Vec::new();
    while !list.is_empty() {
        names.push(super::data::short_text(list.sub_u8()?.rest(), 40));
    }
    Ok(names)
}

pub fn handshake_name(t: u8) -> String {
    let name = match t {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        4 => "New Session Ticket",
        5 => "End Of Early Data",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        24 => "Key Update",
        other => return format!("Handshake Message {other}"),
    };
    name.to_string()
}

pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0304 => "TLS 1.3".to_string(),
        v if v & 0x0f0f == 0x0a0a => "GREASE".to_string(),
        v => format!("{v:#06x}"),
    }
}

/// IANA names of the cipher suites seen in practice; others by number.
pub fn cipher_suite_name(suite: u16) -> String {
    let name = match suite {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        other => return format!("{other:#06x}"),
    };
    name.to_string()
}

fn group_name(group: u16) -> String {
    let name = match group {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001d => "x25519",
        0x001e => "x448",
        other => return format!("{other:#06x}"),
    };
    name.to_string()
}

fn alert_level_name(level: u8) -> String {
    match level {
        1 => "Warning".to_string(),
        2 => "Fatal".to_string(),
        other => format!("Unknown ({other})"),
    }
}

/// RFC 8446 §6 names, capitalised the way Wireshark prints them.
pub fn alert_description_name(description: u8) -> String {
    let name = match description {
        0 => "Close Notify",
        10 => "Unexpected Message",
        20 => "Bad Record MAC",
        22 => "Record Overflow",
        40 => "Handshake Failure",
        42 => "Bad Certificate",
        43 => "Unsupported Certificate",
        44 => "Certificate Revoked",
        45 => "Certificate Expired",
        46 => "Certificate Unknown",
        47 => "Illegal Parameter",
        48 => "Unknown CA",
        49 => "Access Denied",
        50 => "Decode Error",
        51 => "Decrypt Error",
        70 => "Protocol Version",
        71 => "Insufficient Security",
        80 => "Internal Error",
        86 => "Inappropriate Fallback",
        90 => "User Canceled",
        100 => "No Renegotiation",
        109 => "Missing Extension",
        110 => "Unsupported Extension",
        112 => "Unrecognized Name",
        113 => "Bad Certificate Status Response",
        115 => "Unknown PSK Identity",
        116 => "Certificate Required",
        120 => "No Application Protocol",
        other => return format!("Unknown ({other})"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{decode, decode_split_everywhere};
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
