//! TLS wire codes as typed values, with the words Wireshark's Info column uses for them.

/// A record's content type (RFC 8446 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentType {
    ChangeCipherSpec,
    Alert,
    Handshake,
    ApplicationData,
    Heartbeat,
}

impl ContentType {
    pub fn from_code(code: u8) -> Option<ContentType> {
        Some(match code {
            20 => ContentType::ChangeCipherSpec,
            21 => ContentType::Alert,
            22 => ContentType::Handshake,
            23 => ContentType::ApplicationData,
            24 => ContentType::Heartbeat,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            ContentType::ChangeCipherSpec => 20,
            ContentType::Alert => 21,
            ContentType::Handshake => 22,
            ContentType::ApplicationData => 23,
            ContentType::Heartbeat => 24,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ContentType::ChangeCipherSpec => "Change Cipher Spec",
            ContentType::Alert => "Alert",
            ContentType::Handshake => "Handshake",
            ContentType::ApplicationData => "Application Data",
            ContentType::Heartbeat => "Heartbeat",
        }
    }
}

/// A handshake message's type (RFC 8446 §4, RFC 5246 §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HandshakeType {
    HelloRequest,
    ClientHello,
    ServerHello,
    NewSessionTicket,
    EndOfEarlyData,
    EncryptedExtensions,
    Certificate,
    ServerKeyExchange,
    CertificateRequest,
    ServerHelloDone,
    CertificateVerify,
    ClientKeyExchange,
    Finished,
    KeyUpdate,
    Other(u8),
}

impl HandshakeType {
    pub fn from_code(code: u8) -> HandshakeType {
        use HandshakeType::*;
        match code {
            0 => HelloRequest,
            1 => ClientHello,
            2 => ServerHello,
            4 => NewSessionTicket,
            5 => EndOfEarlyData,
            8 => EncryptedExtensions,
            11 => Certificate,
            12 => ServerKeyExchange,
            13 => CertificateRequest,
            14 => ServerHelloDone,
            15 => CertificateVerify,
            16 => ClientKeyExchange,
            20 => Finished,
            24 => KeyUpdate,
            other => Other(other),
        }
    }

    pub fn code(self) -> u8 {
        use HandshakeType::*;
        match self {
            HelloRequest => 0,
            ClientHello => 1,
            ServerHello => 2,
            NewSessionTicket => 4,
            EndOfEarlyData => 5,
            EncryptedExtensions => 8,
            Certificate => 11,
            ServerKeyExchange => 12,
            CertificateRequest => 13,
            ServerHelloDone => 14,
            CertificateVerify => 15,
            ClientKeyExchange => 16,
            Finished => 20,
            KeyUpdate => 24,
            Other(code) => code,
        }
    }

    /// Wireshark's name.
    pub fn name(self) -> String {
        use HandshakeType::*;
        let name = match self {
            HelloRequest => "Hello Request",
            ClientHello => "Client Hello",
            ServerHello => "Server Hello",
            NewSessionTicket => "New Session Ticket",
            EndOfEarlyData => "End Of Early Data",
            EncryptedExtensions => "Encrypted Extensions",
            Certificate => "Certificate",
            ServerKeyExchange => "Server Key Exchange",
            CertificateRequest => "Certificate Request",
            ServerHelloDone => "Server Hello Done",
            CertificateVerify => "Certificate Verify",
            ClientKeyExchange => "Client Key Exchange",
            Finished => "Finished",
            KeyUpdate => "Key Update",
            Other(code) => return format!("Handshake Message {code}"),
        };
        name.to_string()
    }
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

pub(super) fn group_name(group: u16) -> String {
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

pub(super) fn alert_level_name(level: u8) -> String {
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
