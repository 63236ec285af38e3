//! TLS handshake messages: reassembled from the records of one direction (several per record, or one spanning
//! records), named and summarised as Wireshark does, and the facts the hellos carry that decryption needs
//! (the randoms, the chosen version and cipher suite, ALPN, encrypt-then-MAC).

use super::names::{HandshakeType, cipher_suite_name, group_name, version_name};
use crate::proto::data::short_text;
use crate::proto::reader::{Reader, Truncated};

/// Largest handshake message reassembled from records (certificate chains can be long).
pub const MAX_HANDSHAKE: usize = 128 * 1024;

/// The random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3).
pub const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

const EXT_SERVER_NAME: u16 = 0;
const EXT_ALPN: u16 = 16;
const EXT_ENCRYPT_THEN_MAC: u16 = 22;
const EXT_SUPPORTED_VERSIONS: u16 = 43;
const TLS13: u16 = 0x0304;

/// What a ClientHello or ServerHello says that the session needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hello {
    Client { random: [u8; 32] },
    Server(ServerHello),
}

/// The server's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    pub random: [u8; 32],
    /// `supported_versions` if present, else the legacy version field.
    pub version: u16,
    pub suite: u16,
    pub alpn: Option<String>,
    pub encrypt_then_mac: bool,
    pub hello_retry: bool,
}

impl ServerHello {
    pub fn tls13(&self) -> bool {
        self.version == TLS13
    }
}

/// One handshake message, described.
#[derive(Debug, Clone)]
pub struct Described {
    pub handshake_type: HandshakeType,
    pub summary: String,
    pub detail: Vec<String>,
    pub hello: Option<Hello>,
}

/// Handshake bytes of one direction not yet complete, with where each record's part came from.
#[derive(Debug, Default)]
pub struct Reassembler {
    bytes: Vec<u8>,
    /// (index into `bytes`, stream offset, frame) of each record's contribution.
    origins: Vec<(usize, u64, u64)>,
}

/// Where a completed handshake message started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub offset: u64,
    pub frame: u64,
}

impl Reassembler {
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.origins.clear();
    }

    /// Adds one record's handshake payload (which started at stream `offset`, in `frame`) and returns the
    /// messages it completes; `Err` when a message would exceed [`MAX_HANDSHAKE`] (the bytes are dropped).
    pub fn add(&mut self, payload: &[u8], offset: u64, frame: u64, tls13: bool) -> Result<Vec<Located>, usize> {
        if self.bytes.len() + payload.len() > MAX_HANDSHAKE {
            self.clear();
            return Err(MAX_HANDSHAKE);
        }
        self.origins.push((self.bytes.len(), offset, frame));
        self.bytes.extend_from_slice(payload);
        let mut used = 0;
        let mut out = Vec::new();
        loop {
            let mut r = Reader::new(self.bytes.get(used..).unwrap_or_default());
            let (Ok(msg_type), Ok(body)) = (r.u8(), r.sub_u24()) else {
                break;
            };
            let origin = self.origin_of(used);
            out.push((describe(HandshakeType::from_code(msg_type), body, tls13), origin));
            used += 4 + body.left();
        }
        self.consume(used);
        Ok(out.into_iter().map(|(described, origin)| described.at(origin)).collect())
    }

    fn origin_of(&self, index: usize) -> Origin {
        let (start, offset, frame) =
            self.origins.iter().rev().find(|(i, _, _)| *i <= index).copied().unwrap_or_default();
        Origin { offset: offset + (index - start) as u64, frame }
    }

    fn consume(&mut self, used: usize) {
        self.bytes.drain(..used);
        let last = self.origins.iter().rposition(|(i, _, _)| *i <= used).unwrap_or(0);
        self.origins.drain(..last);
        for (i, _, _) in &mut self.origins {
            *i = i.saturating_sub(used);
        }
        if self.bytes.is_empty() {
            self.origins.clear();
        }
    }
}

/// A described message with where it started.
#[derive(Debug, Clone)]
pub struct Located {
    pub described: Described,
    pub origin: Origin,
}

impl Described {
    fn at(self, origin: Origin) -> Located {
        Located { described: self, origin }
    }
}

/// Whether a ServerHello body is a HelloRetryRequest (its random after the legacy version).
fn is_hello_retry_request(mut body: Reader) -> bool {
    body.skip(2).is_ok() && body.take(32).is_ok_and(|random| random == HELLO_RETRY_RANDOM)
}

/// Summary and detail lines of one handshake message, and what a hello says.
pub fn describe(handshake_type: HandshakeType, body: Reader, tls13: bool) -> Described {
    let hello_retry = handshake_type == HandshakeType::ServerHello && is_hello_retry_request(body);
    // Wireshark names a HelloRetryRequest by what it is, not by its type.
    let name = if hello_retry { "Hello Retry Request".to_string() } else { handshake_type.name() };
    let mut r = body;
    let mut hello = None;
    let parsed = match handshake_type {
        HandshakeType::ClientHello => client_hello(&mut r).map(|(text, detail, random)| {
            hello = Some(Hello::Client { random });
            (text, detail)
        }),
        HandshakeType::ServerHello => server_hello(&mut r, hello_retry).map(|(text, detail, facts)| {
            hello = Some(Hello::Server(facts));
            (text, detail)
        }),
        HandshakeType::Certificate => certificate(&mut r, tls13),
        HandshakeType::ServerKeyExchange => server_key_exchange(&mut r),
        HandshakeType::NewSessionTicket => {
            r.u32().map(|lifetime| (String::new(), vec![format!("ticket lifetime {lifetime} s")]))
        }
        HandshakeType::KeyUpdate => key_update(&mut r),
        _ => Ok((String::new(), Vec::new())),
    };
    let checked =
        matches!(handshake_type, HandshakeType::ClientHello | HandshakeType::ServerHello | HandshakeType::Certificate);
    let parsed = parsed.map(|(extra, mut detail)| {
        if let (Err(trailing), true) = (r.expect_empty(), checked) {
            detail.push(trailing.to_string());
        }
        (extra, detail)
    });
    let (summary, detail) = match parsed {
        Ok((extra, detail)) if extra.is_empty() => (name, detail),
        Ok((extra, detail)) => (format!("{name} ({extra})"), detail),
        Err(error) => (format!("{name} (malformed: {error})"), Vec::new()),
    };
    Described { handshake_type, summary, detail, hello }
}

fn client_hello(r: &mut Reader) -> Result<(String, Vec<String>, [u8; 32]), Truncated> {
    let version = r.u16()?;
    let client_random = r.array()?;
    r.sub_u8()?;
    let suites = r.sub_u16()?.left() / 2;
    r.sub_u8()?;
    let extensions = if r.is_empty() { Vec::new() } else { extensions(r.sub_u16()?)? };
    let mut sni = None;
    let mut alpn = Vec::new();
    let mut versions = Vec::new();
    for (ext_type, mut data) in extensions {
        match ext_type {
            EXT_SERVER_NAME => {
                let mut list = data.sub_u16()?;
                while !list.is_empty() {
                    let name_type = list.u8()?;
                    let name = list.sub_u16()?.rest();
                    if name_type == 0 {
                        sni = Some(short_text(name, 100));
                    }
                }
            }
            EXT_ALPN => alpn = protocol_list(&mut data)?,
            EXT_SUPPORTED_VERSIONS => {
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
    Ok((parts.join(", "), detail, client_random))
}

/// Summary text, detail lines and the server's choices.
fn server_hello(r: &mut Reader, hello_retry: bool) -> Result<(String, Vec<String>, ServerHello), Truncated> {
    let legacy_version = r.u16()?;
    let server_random = r.array()?;
    r.sub_u8()?;
    let suite = r.u16()?;
    r.u8()?;
    let mut facts = ServerHello {
        random: server_random,
        version: legacy_version,
        suite,
        alpn: None,
        encrypt_then_mac: false,
        hello_retry,
    };
    if !r.is_empty() {
        for (ext_type, mut data) in extensions(r.sub_u16()?)? {
            match ext_type {
                EXT_ALPN => facts.alpn = protocol_list(&mut data)?.into_iter().next(),
                EXT_SUPPORTED_VERSIONS => facts.version = data.u16()?,
                EXT_ENCRYPT_THEN_MAC => facts.encrypt_then_mac = true,
                _ => {}
            }
        }
    }
    let mut text = format!("{}, {}", version_name(facts.version), cipher_suite_name(suite));
    if let Some(alpn) = &facts.alpn {
        text.push_str(&format!(", ALPN={alpn}"));
    }
    let detail = vec![format!("cipher suite {} ({suite:#06x})", cipher_suite_name(suite))];
    Ok((text, detail, facts))
}

/// A Certificate message: TLS 1.3 adds a request context and extensions per entry (RFC 8446 §4.4.2).
fn certificate(r: &mut Reader, tls13: bool) -> Result<(String, Vec<String>), Truncated> {
    if tls13 {
        r.sub_u8()?;
    }
    let mut list = r.sub_u24()?;
    let mut sizes = Vec::new();
    while !list.is_empty() {
        sizes.push(list.sub_u24()?.left());
        if tls13 {
            list.sub_u16()?;
        }
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

/// RFC 8446 §4.6.3: whether the sender asks its peer to update too.
fn key_update(r: &mut Reader) -> Result<(String, Vec<String>), Truncated> {
    let detail = match r.u8()? {
        0 => "update_not_requested",
        1 => "update_requested",
        _ => "unknown request",
    };
    Ok((String::new(), vec![detail.to_string()]))
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
        names.push(short_text(list.sub_u8()?.rest(), 40));
    }
    Ok(names)
}
