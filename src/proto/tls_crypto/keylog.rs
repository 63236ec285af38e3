//! The NSS key log format: what curl, Firefox, Chrome, OpenSSL and Python write to `SSLKEYLOGFILE`, and what a
//! pcapng Decryption Secrets Block holds.
//!
//! One secret a line, `LABEL <client random: 64 hex digits> <secret: hex>`, `#` comments and blank lines
//! ignored. The labels we use are [`SecretLabel`]'s; other labels (`RSA`, QUIC's, future ones) are skipped
//! without a word, as Wireshark does. A line we cannot use is a [`KeyLogWarning`] naming its line number, never
//! an error: the rest of the file still counts. When one client random has the same label twice, the last
//! line wins. Secrets never print: the `Debug` of everything here shows labels and lengths only.

use super::secret::Secret;
use std::collections::BTreeMap;
use std::fmt;

/// Longest line read; a valid one is under 200 bytes, so anything this long is not a key log line.
pub const MAX_LINE: usize = 4096;

/// The labels of the secrets we can use, each naming one secret of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretLabel {
    /// `CLIENT_RANDOM`: the TLS 1.2 (and earlier) master secret, 48 bytes.
    MasterSecret,
    ClientHandshakeTrafficSecret,
    ServerHandshakeTrafficSecret,
    /// `CLIENT_TRAFFIC_SECRET_0`: the first client application traffic secret (later ones follow KeyUpdates).
    ClientTrafficSecret0,
    ServerTrafficSecret0,
    ClientEarlyTrafficSecret,
    ExporterSecret,
    EarlyExporterSecret,
}

impl SecretLabel {
    pub const ALL: [SecretLabel; 8] = [
        SecretLabel::MasterSecret,
        SecretLabel::ClientHandshakeTrafficSecret,
        SecretLabel::ServerHandshakeTrafficSecret,
        SecretLabel::ClientTrafficSecret0,
        SecretLabel::ServerTrafficSecret0,
        SecretLabel::ClientEarlyTrafficSecret,
        SecretLabel::ExporterSecret,
        SecretLabel::EarlyExporterSecret,
    ];

    /// The label as written in the file.
    pub fn name(self) -> &'static str {
        match self {
            SecretLabel::MasterSecret => "CLIENT_RANDOM",
            SecretLabel::ClientHandshakeTrafficSecret => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            SecretLabel::ServerHandshakeTrafficSecret => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            SecretLabel::ClientTrafficSecret0 => "CLIENT_TRAFFIC_SECRET_0",
            SecretLabel::ServerTrafficSecret0 => "SERVER_TRAFFIC_SECRET_0",
            SecretLabel::ClientEarlyTrafficSecret => "CLIENT_EARLY_TRAFFIC_SECRET",
            SecretLabel::ExporterSecret => "EXPORTER_SECRET",
            SecretLabel::EarlyExporterSecret => "EARLY_EXPORTER_SECRET",
        }
    }

    pub fn from_name(name: &str) -> Option<SecretLabel> {
        SecretLabel::ALL.into_iter().find(|label| label.name() == name)
    }

    /// Whether a secret of `len` bytes can be this label's: the master secret is 48 bytes, TLS 1.3 secrets
    /// are as long as the suite's hash (SHA-256 or SHA-384).
    fn fits(self, len: usize) -> bool {
        match self {
            SecretLabel::MasterSecret => len == 48,
            _ => len == 32 || len == 48,
        }
    }

    fn expected_len(self) -> &'static str {
        match self {
            SecretLabel::MasterSecret => "48",
            _ => "32 or 48",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for SecretLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The secrets logged for one client random (one TLS session).
#[derive(Clone, Default)]
pub struct SessionSecrets {
    secrets: [Option<Secret>; 8],
}

impl SessionSecrets {
    pub fn get(&self, label: SecretLabel) -> Option<&Secret> {
        self.secrets.get(label.index()).and_then(Option::as_ref)
    }

    /// The labels logged for this session, in [`SecretLabel::ALL`]'s order.
    pub fn labels(&self) -> impl Iterator<Item = SecretLabel> + '_ {
        SecretLabel::ALL.into_iter().filter(|label| self.get(*label).is_some())
    }

    fn set(&mut self, label: SecretLabel, secret: Secret) {
        if let Some(slot) = self.secrets.get_mut(label.index()) {
            *slot = Some(secret);
        }
    }

    /// Takes every secret `later` has, replacing ours.
    fn merge(&mut self, later: SessionSecrets) {
        for (slot, secret) in self.secrets.iter_mut().zip(later.secrets) {
            if secret.is_some() {
                *slot = secret;
            }
        }
    }
}

impl fmt::Debug for SessionSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for label in self.labels() {
            let len = self.get(label).map_or(0, Secret::len);
            map.entry(&label.name(), &format_args!("{len} bytes"));
        }
        map.finish()
    }
}

/// Secrets by client random, from one or more key logs.
#[derive(Clone, Default)]
pub struct KeyLog {
    sessions: BTreeMap<[u8; 32], SessionSecrets>,
}

/// A line of a key log that was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct KeyLogWarning {
    /// 1 for the first line.
    pub line: usize,
    pub problem: KeyLogProblem,
}

/// What is wrong with a key log line. Never quotes the line: it may hold a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLogProblem {
    #[error("the line is {len} bytes long, at most {MAX_LINE} are read")]
    LineTooLong { len: usize },
    #[error("{label} has no client random")]
    MissingClientRandom { label: SecretLabel },
    #[error("{label} has no secret")]
    MissingSecret { label: SecretLabel },
    #[error("{label} has more than three fields")]
    ExtraField { label: SecretLabel },
    #[error("{label}: the client random is not 64 hex digits")]
    BadClientRandom { label: SecretLabel },
    #[error("{label}: the secret is not hex digits")]
    BadSecretHex { label: SecretLabel },
    #[error("{label}: the secret is {len} bytes, expected {expected}")]
    SecretLength { label: SecretLabel, len: usize, expected: &'static str },
}

impl KeyLog {
    /// Reads a key log. Text that was not UTF-8 should be passed through `String::from_utf8_lossy`; a line
    /// spoilt by it is then read like any other: bad hex is a warning, a label we do not know is skipped.
    pub fn parse(text: &str) -> (KeyLog, Vec<KeyLogWarning>) {
        let mut log = KeyLog::default();
        let mut warnings = Vec::new();
        // A byte order mark would otherwise hide the first line's label.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, line) in text.lines().enumerate() {
            match parse_line(line) {
                Ok(Some((label, client_random, secret))) => {
                    log.sessions.entry(client_random).or_default().set(label, secret);
                }
                Ok(None) => {}
                Err(problem) => warnings.push(KeyLogWarning { line: index + 1, problem }),
            }
        }
        (log, warnings)
    }

    /// Adds the secrets of `later` (another file, a later Decryption Secrets Block); its entries win.
    pub fn extend(&mut self, later: KeyLog) {
        for (client_random, secrets) in later.sessions {
            self.sessions.entry(client_random).or_default().merge(secrets);
        }
    }

    /// The secrets logged for the session whose ClientHello carried `client_random`.
    pub fn session(&self, client_random: &[u8; 32]) -> Option<&SessionSecrets> {
        self.sessions.get(client_random)
    }

    /// Number of sessions (client randoms).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

impl fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLog").field("sessions", &self.sessions.len()).finish_non_exhaustive()
    }
}

/// One line: `Ok(None)` for a comment, a blank line or a label we do not use.
fn parse_line(line: &str) -> Result<Option<(SecretLabel, [u8; 32], Secret)>, KeyLogProblem> {
    if line.len() > MAX_LINE {
        return Err(KeyLogProblem::LineTooLong { len: line.len() });
    }
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut fields = line.split_ascii_whitespace();
    let Some(label) = fields.next().and_then(SecretLabel::from_name) else {
        return Ok(None);
    };
    let client_random = fields.next().ok_or(KeyLogProblem::MissingClientRandom { label })?;
    let secret = fields.next().ok_or(KeyLogProblem::MissingSecret { label })?;
    if fields.next().is_some() {
        return Err(KeyLogProblem::ExtraField { label });
    }
    let client_random = decode_hex(client_random)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.expose()).ok())
        .ok_or(KeyLogProblem::BadClientRandom { label })?;
    let secret = decode_hex(secret).ok_or(KeyLogProblem::BadSecretHex { label })?;
    if !label.fits(secret.len()) {
        return Err(KeyLogProblem::SecretLength { label, len: secret.len(), expected: label.expected_len() });
    }
    Ok(Some((label, client_random, secret)))
}

/// Hex digits (either case) to bytes; `None` for an odd count or any other character.
fn decode_hex(text: &str) -> Option<Secret> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |digit: u8| char::from(digit).to_digit(16).and_then(|n| u8::try_from(n).ok());
    // Decoded straight into a `Secret`, so a line that fails half-way leaves no copy behind.
    let mut bytes = Secret::new(vec![0; digits.len() / 2]);
    for (byte, pair) in bytes.expose_mut().iter_mut().zip(digits.chunks_exact(2)) {
        let &[high, low] = pair else {
            return None;
        };
        *byte = nibble(high)? << 4 | nibble(low)?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM_A: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
    const RANDOM_B: &str = "BB00000000000000000000000000000000000000000000000000000000000002";

    fn random(hex: &str) -> [u8; 32] {
        decode_hex(hex).unwrap().expose().try_into().unwrap()
    }

    /// A secret of `len` bytes, all `byte`, as hex.
    fn secret_hex(byte: u8, len: usize) -> String {
        format!("{byte:02x}").repeat(len)
    }

    fn secret(log: &KeyLog, client_random: &str, label: SecretLabel) -> Option<Vec<u8>> {
        log.session(&random(client_random))?.get(label).map(|s| s.expose().to_vec())
    }

    #[test]
    fn every_label_is_read() {
        let mut text = String::from("# SSL/TLS secrets log file, generated by NSS\n");
        for (i, label) in (1..).zip(SecretLabel::ALL) {
            let len = if label == SecretLabel::MasterSecret { 48 } else { 32 };
            text += &format!("{} {RANDOM_A} {}\n", label.name(), secret_hex(i, len));
        }
        text += &format!("SERVER_TRAFFIC_SECRET_0 {RANDOM_B} {}\n", secret_hex(0xee, 48));
        let (log, warnings) = KeyLog::parse(&text);
        assert_eq!(warnings, []);
        assert_eq!(log.len(), 2);
        for (i, label) in (1..).zip(SecretLabel::ALL) {
            let len = if label == SecretLabel::MasterSecret { 48 } else { 32 };
            assert_eq!(secret(&log, RANDOM_A, label), Some(vec![i; len]), "{label}");
        }
        assert_eq!(secret(&log, RANDOM_B, SecretLabel::ServerTrafficSecret0), Some(vec![0xee; 48]));
        assert_eq!(secret(&log, RANDOM_B, SecretLabel::ClientTrafficSecret0), None);
        let labels: Vec<_> = log.session(&random(RANDOM_B)).unwrap().labels().collect();
        assert_eq!(labels, [SecretLabel::ServerTrafficSecret0]);
    }

    #[test]
    fn comments_blank_lines_crlf_spacing_case_and_a_byte_order_mark() {
        let text = format!(
            "\u{feff}CLIENT_RANDOM {RANDOM_A} {}\r\n\r\n   # indented comment\n\t\n  CLIENT_RANDOM\t{RANDOM_B}   {}  \r\n",
            secret_hex(0xab, 48),
            secret_hex(0xcd, 48).to_uppercase()
        );
        let (log, warnings) = KeyLog::parse(&text);
        assert_eq!(warnings, []);
        assert_eq!(secret(&log, RANDOM_A, SecretLabel::MasterSecret), Some(vec![0xab; 48]));
        assert_eq!(secret(&log, RANDOM_B, SecretLabel::MasterSecret), Some(vec![0xcd; 48]));
    }

    #[test]
    fn unknown_labels_are_skipped_without_a_warning() {
        let text = format!(
            "RSA 0123456789abcdef {}\nCLIENT_TRAFFIC_SECRET_1 {RANDOM_A} {}\nclient_random {RANDOM_A} {}\nhello\n",
            secret_hex(1, 48),
            secret_hex(2, 32),
            secret_hex(3, 48)
        );
        let (log, warnings) = KeyLog::parse(&text);
        assert_eq!((log.len(), log.is_empty(), warnings), (0, true, vec![]));
    }

    #[test]
    fn the_last_entry_wins() {
        let text = format!(
            "CLIENT_RANDOM {RANDOM_A} {}\nSERVER_TRAFFIC_SECRET_0 {RANDOM_A} {}\nCLIENT_RANDOM {RANDOM_A} {}\n",
            secret_hex(1, 48),
            secret_hex(2, 32),
            secret_hex(3, 48)
        );
        let (mut log, _) = KeyLog::parse(&text);
        assert_eq!(secret(&log, RANDOM_A, SecretLabel::MasterSecret), Some(vec![3; 48]));
        let later =
            format!("CLIENT_RANDOM {RANDOM_A} {}\nCLIENT_RANDOM {RANDOM_B} {}\n", secret_hex(4, 48), secret_hex(5, 48));
        log.extend(KeyLog::parse(&later).0);
        assert_eq!(log.len(), 2);
        assert_eq!(secret(&log, RANDOM_A, SecretLabel::MasterSecret), Some(vec![4; 48]));
        assert_eq!(secret(&log, RANDOM_A, SecretLabel::ServerTrafficSecret0), Some(vec![2; 32]), "kept");
        assert_eq!(secret(&log, RANDOM_B, SecretLabel::MasterSecret), Some(vec![5; 48]));
    }

    #[test]
    fn malformed_lines_are_warnings_naming_their_line() {
        let good = format!("CLIENT_RANDOM {RANDOM_A} {}", secret_hex(1, 48));
        let lines = [
            good.clone(),
            "CLIENT_RANDOM".to_string(),
            format!("CLIENT_RANDOM {RANDOM_A}"),
            format!("{good} extra"),
            format!("CLIENT_RANDOM {} {}", &RANDOM_A[1..], secret_hex(1, 48)),
            format!("CLIENT_RANDOM {}zz {}", &RANDOM_A[2..], secret_hex(1, 48)),
            format!("CLIENT_RANDOM {RANDOM_A} {}0", secret_hex(1, 48)),
            format!("CLIENT_RANDOM {RANDOM_A} {}x", &secret_hex(1, 48)[1..]),
            format!("CLIENT_RANDOM {RANDOM_A} {}", secret_hex(1, 32)),
            format!("SERVER_HANDSHAKE_TRAFFIC_SECRET {RANDOM_A} {}", secret_hex(1, 40)),
            format!("CLIENT_RANDOM {RANDOM_A} {}", "0".repeat(MAX_LINE)),
            format!("SERVER_HANDSHAKE_TRAFFIC_SECRET {RANDOM_B} {}", secret_hex(9, 48)),
        ];
        let (log, warnings) = KeyLog::parse(&lines.join("\n"));
        use KeyLogProblem::*;
        use SecretLabel::{MasterSecret as M, ServerHandshakeTrafficSecret as S};
        let expected = [
            (2, MissingClientRandom { label: M }),
            (3, MissingSecret { label: M }),
            (4, ExtraField { label: M }),
            (5, BadClientRandom { label: M }),
            (6, BadClientRandom { label: M }),
            (7, BadSecretHex { label: M }),
            (8, BadSecretHex { label: M }),
            (9, SecretLength { label: M, len: 32, expected: "48" }),
            (10, SecretLength { label: S, len: 40, expected: "32 or 48" }),
            (11, LineTooLong { len: lines[10].len() }),
        ];
        let expected: Vec<_> = expected.into_iter().map(|(line, problem)| KeyLogWarning { line, problem }).collect();
        assert_eq!(warnings, expected);
        assert_eq!(warnings[0].to_string(), "line 2: CLIENT_RANDOM has no client random");
        assert_eq!(warnings[7].to_string(), "line 9: CLIENT_RANDOM: the secret is 32 bytes, expected 48");
        // The good lines around them still count.
        assert_eq!(secret(&log, RANDOM_A, SecretLabel::MasterSecret), Some(vec![1; 48]));
        assert_eq!(secret(&log, RANDOM_B, SecretLabel::ServerHandshakeTrafficSecret), Some(vec![9; 48]));
    }

    #[test]
    fn debug_and_warnings_never_show_a_secret() {
        let secret_text = "0123456789abcdeffedcba9876543210".repeat(3);
        let text = format!(
            "CLIENT_RANDOM {RANDOM_A} {secret_text}\nCLIENT_RANDOM {RANDOM_B} {secret_text}00\nEXPORTER_SECRET {RANDOM_B} {}zz\n",
            &secret_text[..62]
        );
        let (log, warnings) = KeyLog::parse(&text);
        let session = log.session(&random(RANDOM_A)).unwrap();
        let secret = session.get(SecretLabel::MasterSecret).unwrap();
        let shown = format!("{log:?} {session:?} {secret:?} {warnings:?} {}", warnings[0]);
        for needle in [&secret_text[..8], "01, 23", "1, 35", "[1, 35"] {
            assert!(!shown.to_lowercase().contains(needle), "{needle:?} in {shown}");
        }
        assert_eq!(format!("{session:?}"), r#"{"CLIENT_RANDOM": 48 bytes}"#);
        assert_eq!(format!("{log:?}"), "KeyLog { sessions: 1, .. }");
    }

    #[test]
    fn hostile_input_never_panics() {
        let long = format!("CLIENT_RANDOM {RANDOM_A} {}", "ab".repeat(1 << 20));
        let nuls = format!(
            "CLIENT_RANDOM\0{RANDOM_A}\0{}\n\0\0\0\nCLIENT_RANDOM {RANDOM_A} \0{}",
            secret_hex(1, 48),
            secret_hex(1, 47)
        );
        let lossy = String::from_utf8_lossy(b"CLIENT_RANDOM \xff\xfe \xc3\x28\n\xe2\x82\n").into_owned();
        let multibyte = format!("CLIENT_RANDOM {} {}", "é".repeat(32), "ü".repeat(48));
        let many = "CLIENT_RANDOM x y\n".repeat(10_000);
        for text in [long, nuls, lossy, multibyte, many, "\n".repeat(1000), String::new(), "\u{feff}".into()] {
            let (log, warnings) = KeyLog::parse(&text);
            assert!(log.is_empty());
            let lines = text.lines().count();
            assert!(warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
        }
    }
}
