//! What the two directions of one TLS connection share: the hellos' facts, each direction's record
//! protection (a [`RecordCipher`] when the key log has this session's secrets), and the connection of the
//! protocol inside, which the decrypted application data is fed to.
//!
//! Keys are looked up by the ClientHello's random when protection starts: TLS 1.3 at the ServerHello (the
//! handshake traffic secrets, then each side's application secret after its Finished, the next one after
//! each KeyUpdate, derived as RFC 8446 §7.2 says since OpenSSL logs only the first), TLS 1.2 at each side's
//! ChangeCipherSpec (the key block from the master secret). When nothing can be decrypted the connection gets
//! one note that says why; a record that does not decrypt stops decryption of its direction, so what is shown
//! is never garbage.

use super::handshake::ServerHello;
use super::names::cipher_suite_name;
use crate::proto::contract::Cx;
use crate::proto::driver::ConnDecoder;
use crate::proto::tls_crypto::record::{DecryptError, Plaintext, RecordCipher};
use crate::proto::tls_crypto::schedule::tls12_key_block;
use crate::proto::tls_crypto::suite::{CipherSuite, Version};
use crate::proto::tls_crypto::{KeyLog, SecretLabel, SessionSecrets};
use crate::proto::{MessageKind, Protocol};
use crate::tcp::Direction;
use std::cell::RefCell;
use std::rc::Rc;

/// The key log every connection of a capture looks its secrets up in (it grows when a pcapng Decryption
/// Secrets Block is read).
pub type SharedKeyLog = Rc<RefCell<KeyLog>>;

/// How one direction's records are protected.
enum Protection {
    /// Not yet: records are cleartext.
    Clear,
    /// Protected, and decrypted with this cipher.
    Decrypting(Box<RecordCipher>),
    /// Protected, and nothing here can read them.
    Opaque,
}

/// One TLS connection's state, shared by the decoders of both directions.
pub struct TlsSession {
    keys: SharedKeyLog,
    conn: usize,
    client_random: Option<[u8; 32]>,
    /// The ServerHello that was not a HelloRetryRequest.
    server: Option<ServerHello>,
    /// The server sent a HelloRetryRequest, which only TLS 1.3 has.
    hello_retry: bool,
    protection: [Protection; 2],
    /// The connection of the protocol inside, made when the first application data is decrypted.
    inner: Option<ConnDecoder>,
    /// The protocol that asked for TLS (PostgreSQL, MySQL): spoken inside unless ALPN says otherwise.
    outer: Option<Protocol>,
    /// Bytes of application data decrypted so far, per direction: the inner streams' offsets.
    plain_offsets: [u64; 2],
    /// A note was given: one per connection is enough.
    noted: bool,
}

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession").field("conn", &self.conn).field("server", &self.server).finish_non_exhaustive()
    }
}

impl TlsSession {
    pub fn new(keys: SharedKeyLog, conn: usize, outer: Option<Protocol>) -> Self {
        TlsSession {
            keys,
            conn,
            client_random: None,
            server: None,
            hello_retry: false,
            protection: [Protection::Clear, Protection::Clear],
            inner: None,
            outer,
            plain_offsets: [0, 0],
            noted: false,
        }
    }

    /// The server chose TLS 1.3 (or asked for another ClientHello, which only TLS 1.3 does).
    pub fn tls13(&self) -> bool {
        self.hello_retry || self.server.as_ref().is_some_and(ServerHello::tls13)
    }

    pub fn client_hello(&mut self, random: [u8; 32]) {
        self.client_random = Some(random);
    }

    /// TLS 1.3 protects both directions from the ServerHello on.
    pub fn server_hello(&mut self, hello: ServerHello, cx: &mut Cx) {
        if hello.hello_retry {
            self.hello_retry = true;
            return;
        }
        let tls13 = hello.tls13();
        self.server = Some(hello);
        if tls13 {
            for (dir, label) in [
                (Direction::ClientToServer, SecretLabel::ClientHandshakeTrafficSecret),
                (Direction::ServerToClient, SecretLabel::ServerHandshakeTrafficSecret),
            ] {
                self.protection[dir.index()] = self.tls13_protection(label, cx);
            }
        }
    }

    /// TLS 1.2: the direction's records are protected after its ChangeCipherSpec.
    pub fn change_cipher_spec(&mut self, dir: Direction, cx: &mut Cx) {
        if self.tls13() {
            return; // Only for middleboxes (RFC 8446 §5).
        }
        self.protection[dir.index()] = match self.tls12_cipher(dir) {
            Ok(cipher) => Protection::Decrypting(Box::new(cipher)),
            Err(why) => {
                self.note(cx, why);
                Protection::Opaque
            }
        };
    }

    /// Whether a record of `content_type` (the outer one) from `dir` is protected.
    pub fn protected(&self, dir: Direction, content_type: super::ContentType) -> bool {
        use super::ContentType::*;
        match self.protection[dir.index()] {
            Protection::Clear => false,
            _ if self.tls13() => content_type == ApplicationData,
            _ => content_type != ChangeCipherSpec,
        }
    }

    /// Whether protected records of `dir` can be decrypted.
    pub fn decrypting(&self, dir: Direction) -> bool {
        matches!(self.protection[dir.index()], Protection::Decrypting(_))
    }

    /// Decrypts the direction's next protected record; a failure stops decryption of the direction, with a
    /// note naming the frame.
    pub fn decrypt(&mut self, dir: Direction, header: [u8; 5], fragment: &[u8], cx: &mut Cx) -> Option<Plaintext> {
        let Protection::Decrypting(cipher) = &mut self.protection[dir.index()] else {
            return None;
        };
        match cipher.decrypt(header, fragment) {
            Ok(plaintext) => Some(plaintext),
            Err(error) => {
                self.protection[dir.index()] = Protection::Opaque;
                self.note(cx, undecryptable(cx.now, &error));
                None
            }
        }
    }

    /// A TLS 1.3 side sent its Finished: its later records use its application traffic secret.
    pub fn finished(&mut self, dir: Direction, cx: &mut Cx) {
        if !self.tls13() || !self.decrypting(dir) {
            return;
        }
        let label = match dir {
            Direction::ClientToServer => SecretLabel::ClientTrafficSecret0,
            Direction::ServerToClient => SecretLabel::ServerTrafficSecret0,
        };
        self.protection[dir.index()] = self.tls13_protection(label, cx);
    }

    /// A TLS 1.3 side sent KeyUpdate: its later records use the next traffic secret.
    pub fn key_update(&mut self, dir: Direction, cx: &mut Cx) {
        if let Protection::Decrypting(cipher) = &mut self.protection[dir.index()]
            && cipher.update_keys().is_err()
        {
            self.protection[dir.index()] = Protection::Opaque;
            self.note(cx, format!("decryption stopped at frame {}: the KeyUpdate could not be followed", cx.now));
        }
    }

    /// Bytes went missing from a protected direction: record numbers are lost, so is decryption.
    pub fn lost(&mut self, dir: Direction, cx: &mut Cx) {
        if self.decrypting(dir) {
            self.protection[dir.index()] = Protection::Opaque;
            self.note(cx, format!("decryption stopped at frame {}: bytes are missing from the capture", cx.now));
            self.end_inner(dir, cx);
        }
    }

    /// An application data record with no handshake seen before it.
    pub fn unseen_handshake(&mut self, cx: &mut Cx) {
        if self.client_random.is_none() && self.server.is_none() {
            let text = if self.keys.borrow().is_empty() {
                NO_KEY_LOG.to_string()
            } else {
                "encrypted: the capture starts after the TLS handshake, so nothing can be decrypted".to_string()
            };
            self.note(cx, text);
        }
    }

    /// Decrypted application data, handed to the protocol inside (chosen by ALPN, else the protocol that asked for
    /// TLS, else by content).
    pub fn application_data(&mut self, dir: Direction, data: &[u8], cx: &mut Cx) {
        let alpn = self.server.as_ref().and_then(|s| s.alpn.as_deref());
        let (conn, keys) = (self.conn, &self.keys);
        let protocol = inner_protocol(alpn).or(self.outer);
        let details = cx.details;
        let inner = self.inner.get_or_insert_with(|| ConnDecoder::new(conn, cx.server_port, protocol, details, keys));
        let offset = &mut self.plain_offsets[dir.index()];
        let before = cx.out.len();
        inner.data(dir, cx.now, *offset, data, cx.redact, cx.out);
        *offset += data.len() as u64;
        mark_decrypted(cx, before);
    }

    /// The direction ended: so does the protocol inside.
    pub fn end_inner(&mut self, dir: Direction, cx: &mut Cx) {
        if let Some(inner) = self.inner.as_mut() {
            let before = cx.out.len();
            inner.end(dir, cx.now, cx.redact, cx.out);
            mark_decrypted(cx, before);
        }
    }

    fn tls13_protection(&mut self, label: SecretLabel, cx: &mut Cx) -> Protection {
        let cipher = self.session_secrets().and_then(|(suite, secrets)| {
            let secret = secrets
                .get(label)
                .ok_or_else(|| format!("encrypted: the key log lacks {} for this connection", label.name()))?;
            RecordCipher::tls13(suite, secret.expose()).map_err(|e| e.to_string())
        });
        match cipher {
            Ok(cipher) => Protection::Decrypting(Box::new(cipher)),
            Err(why) => {
                self.note(cx, why);
                Protection::Opaque
            }
        }
    }

    fn session_secrets(&self) -> Result<(CipherSuite, SessionSecrets), String> {
        let keys = self.keys.borrow();
        if keys.is_empty() {
            return Err(NO_KEY_LOG.to_string());
        }
        let (Some(random), Some(server)) = (&self.client_random, &self.server) else {
            return Err("encrypted: the capture does not hold this connection's hellos, so nothing can be decrypted"
                .to_string());
        };
        let suite = CipherSuite::from_id(server.suite).ok_or_else(|| {
            format!("encrypted with {}, which tcpdialog cannot decrypt", cipher_suite_name(server.suite))
        })?;
        let secrets = keys.session(random).ok_or_else(|| {
            format!("encrypted: the key log has no secrets for this connection (client random {}…)", hex_prefix(random))
        })?;
        Ok((suite, secrets.clone()))
    }

    fn tls12_cipher(&self, dir: Direction) -> Result<RecordCipher, String> {
        let (suite, secrets) = self.session_secrets()?;
        let (Some(random), Some(server)) = (&self.client_random, &self.server) else {
            return Err(NO_KEY_LOG.to_string());
        };
        if suite.version() != Version::Tls12 {
            return Err(format!("encrypted with {}, which tcpdialog cannot decrypt over TLS 1.2", suite.name()));
        }
        let master = secrets
            .get(SecretLabel::MasterSecret)
            .ok_or_else(|| "encrypted: the key log lacks CLIENT_RANDOM for this connection".to_string())?;
        let block = tls12_key_block(suite, master.expose(), random, &server.random).map_err(|e| e.to_string())?;
        let keys = match dir {
            Direction::ClientToServer => &block.client,
            Direction::ServerToClient => &block.server,
        };
        RecordCipher::tls12(suite, keys, server.encrypt_then_mac).map_err(|e| e.to_string())
    }

    /// One note per connection, at the frame being decoded.
    fn note(&mut self, cx: &mut Cx, text: String) {
        if !std::mem::replace(&mut self.noted, true) {
            cx.push(0, Protocol::Tls, text.clone(), MessageKind::Note { text });
        }
    }
}

/// The note of a connection that is encrypted when no key log was given.
pub const NO_KEY_LOG: &str = "encrypted: give a key log with --keylog to see inside";

fn undecryptable(frame: u64, error: &DecryptError) -> String {
    format!("encrypted: the key log's secrets do not decrypt this connection (frame {frame}: {error})")
}

/// The protocol ALPN names, or `None` to recognise it by content.
fn inner_protocol(alpn: Option<&str>) -> Option<Protocol> {
    match alpn? {
        "h2" => Some(Protocol::Http2),
        "http/1.1" | "http/1.0" => Some(Protocol::Http),
        _ => None,
    }
}

fn mark_decrypted(cx: &mut Cx, from: usize) {
    for message in cx.out.iter_mut().skip(from) {
        message.decrypted = true;
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(4).map(|b| format!("{b:02x}")).collect()
}
