//! The cipher suites we can decrypt, from their IANA number, with what the key schedule and the record layer
//! need to know about each: hash, key and IV lengths, and how records are protected.
//!
//! Names are IANA's, which Wireshark shows too. Only TLS 1.2 and 1.3 suites are here: TLS 1.0/1.1 use another
//! PRF (MD5 ⊕ SHA-1) and TLS 1.0 chains CBC IVs across records, and neither is implemented.

use std::fmt;

/// A cipher suite we can decrypt. Anything else maps to `None` in [`CipherSuite::from_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CipherSuite {
    // TLS 1.3 (RFC 8446 §B.4).
    Tls13Aes128GcmSha256,
    Tls13Aes256GcmSha384,
    Tls13Chacha20Poly1305Sha256,
    // TLS 1.2 AES-GCM (RFC 5288, RFC 5289).
    EcdheRsaAes128GcmSha256,
    EcdheRsaAes256GcmSha384,
    EcdheEcdsaAes128GcmSha256,
    EcdheEcdsaAes256GcmSha384,
    RsaAes128GcmSha256,
    RsaAes256GcmSha384,
    // TLS 1.2 ChaCha20-Poly1305 (RFC 7905).
    EcdheRsaChacha20Poly1305Sha256,
    EcdheEcdsaChacha20Poly1305Sha256,
    // TLS 1.2 AES-CBC with HMAC (RFC 4492, RFC 5246, RFC 5289).
    EcdheRsaAes128CbcSha,
    EcdheRsaAes256CbcSha,
    EcdheEcdsaAes128CbcSha,
    EcdheEcdsaAes256CbcSha,
    EcdheRsaAes128CbcSha256,
    EcdheRsaAes256CbcSha384,
    EcdheEcdsaAes128CbcSha256,
    EcdheEcdsaAes256CbcSha384,
    RsaAes128CbcSha,
    RsaAes256CbcSha,
    RsaAes128CbcSha256,
    RsaAes256CbcSha256,
}

/// The protocol version a suite belongs to; it decides the key schedule and the record format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Tls12,
    Tls13,
}

/// The hash of the suite's key schedule: HKDF's in TLS 1.3, the PRF's in TLS 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
}

impl HashAlgorithm {
    /// Output length in bytes; also the length of every TLS 1.3 secret of a suite using it.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }
}

/// The AEAD of a suite (TLS 1.3, and TLS 1.2 GCM and ChaCha20-Poly1305 suites).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AeadAlgorithm {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

/// The block cipher of a CBC suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockCipher {
    Aes128,
    Aes256,
}

/// The record MAC of a CBC suite (HMAC with the full hash output, RFC 5246 §6.2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlgorithm {
    HmacSha1,
    HmacSha256,
    HmacSha384,
}

impl MacAlgorithm {
    /// Length of both the MAC and its key.
    pub fn output_len(self) -> usize {
        match self {
            MacAlgorithm::HmacSha1 => 20,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
        }
    }
}

/// How a suite protects records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    Aead(AeadAlgorithm),
    /// TLS 1.2 CBC: MAC-then-encrypt, or encrypt-then-MAC when RFC 7366 was negotiated.
    Cbc {
        cipher: BlockCipher,
        mac: MacAlgorithm,
    },
}

/// Everything about one suite, in one row.
struct Spec {
    id: u16,
    name: &'static str,
    version: Version,
    hash: HashAlgorithm,
    protection: Protection,
}

const AES_128_GCM: Protection = Protection::Aead(AeadAlgorithm::Aes128Gcm);
const AES_256_GCM: Protection = Protection::Aead(AeadAlgorithm::Aes256Gcm);
const CHACHA20_POLY1305: Protection = Protection::Aead(AeadAlgorithm::Chacha20Poly1305);

const fn cbc(cipher: BlockCipher, mac: MacAlgorithm) -> Protection {
    Protection::Cbc { cipher, mac }
}

impl CipherSuite {
    /// Every suite, for looking one up by number.
    pub const ALL: [CipherSuite; 23] = {
        use CipherSuite::*;
        [
            Tls13Aes128GcmSha256,
            Tls13Aes256GcmSha384,
            Tls13Chacha20Poly1305Sha256,
            EcdheRsaAes128GcmSha256,
            EcdheRsaAes256GcmSha384,
            EcdheEcdsaAes128GcmSha256,
            EcdheEcdsaAes256GcmSha384,
            RsaAes128GcmSha256,
            RsaAes256GcmSha384,
            EcdheRsaChacha20Poly1305Sha256,
            EcdheEcdsaChacha20Poly1305Sha256,
            EcdheRsaAes128CbcSha,
            EcdheRsaAes256CbcSha,
            EcdheEcdsaAes128CbcSha,
            EcdheEcdsaAes256CbcSha,
            EcdheRsaAes128CbcSha256,
            EcdheRsaAes256CbcSha384,
            EcdheEcdsaAes128CbcSha256,
            EcdheEcdsaAes256CbcSha384,
            RsaAes128CbcSha,
            RsaAes256CbcSha,
            RsaAes128CbcSha256,
            RsaAes256CbcSha256,
        ]
    };

    /// The suite with this IANA number, if we can decrypt it.
    pub fn from_id(id: u16) -> Option<CipherSuite> {
        CipherSuite::ALL.into_iter().find(|suite| suite.id() == id)
    }

    fn spec(self) -> Spec {
        use BlockCipher::{Aes128, Aes256};
        use CipherSuite::*;
        use HashAlgorithm::{Sha256, Sha384};
        use MacAlgorithm::{HmacSha1, HmacSha256, HmacSha384};
        use Version::{Tls12, Tls13};
        let (id, name, version, hash, protection) = match self {
            Tls13Aes128GcmSha256 => (0x1301, "TLS_AES_128_GCM_SHA256", Tls13, Sha256, AES_128_GCM),
            Tls13Aes256GcmSha384 => (0x1302, "TLS_AES_256_GCM_SHA384", Tls13, Sha384, AES_256_GCM),
            Tls13Chacha20Poly1305Sha256 => (0x1303, "TLS_CHACHA20_POLY1305_SHA256", Tls13, Sha256, CHACHA20_POLY1305),
            EcdheRsaAes128GcmSha256 => (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Tls12, Sha256, AES_128_GCM),
            EcdheRsaAes256GcmSha384 => (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Tls12, Sha384, AES_256_GCM),
            EcdheEcdsaAes128GcmSha256 => {
                (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Tls12, Sha256, AES_128_GCM)
            }
            EcdheEcdsaAes256GcmSha384 => {
                (0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Tls12, Sha384, AES_256_GCM)
            }
            RsaAes128GcmSha256 => (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", Tls12, Sha256, AES_128_GCM),
            RsaAes256GcmSha384 => (0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", Tls12, Sha384, AES_256_GCM),
            EcdheRsaChacha20Poly1305Sha256 => {
                (0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Tls12, Sha256, CHACHA20_POLY1305)
            }
            EcdheEcdsaChacha20Poly1305Sha256 => {
                (0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Tls12, Sha256, CHACHA20_POLY1305)
            }
            EcdheRsaAes128CbcSha => {
                (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Tls12, Sha256, cbc(Aes128, HmacSha1))
            }
            EcdheRsaAes256CbcSha => {
                (0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Tls12, Sha256, cbc(Aes256, HmacSha1))
            }
            EcdheEcdsaAes128CbcSha => {
                (0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Tls12, Sha256, cbc(Aes128, HmacSha1))
            }
            EcdheEcdsaAes256CbcSha => {
                (0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Tls12, Sha256, cbc(Aes256, HmacSha1))
            }
            EcdheRsaAes128CbcSha256 => {
                (0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Tls12, Sha256, cbc(Aes128, HmacSha256))
            }
            EcdheRsaAes256CbcSha384 => {
                (0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Tls12, Sha384, cbc(Aes256, HmacSha384))
            }
            EcdheEcdsaAes128CbcSha256 => {
                (0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Tls12, Sha256, cbc(Aes128, HmacSha256))
            }
            EcdheEcdsaAes256CbcSha384 => {
                (0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Tls12, Sha384, cbc(Aes256, HmacSha384))
            }
            RsaAes128CbcSha => (0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", Tls12, Sha256, cbc(Aes128, HmacSha1)),
            RsaAes256CbcSha => (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", Tls12, Sha256, cbc(Aes256, HmacSha1)),
            RsaAes128CbcSha256 => (0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", Tls12, Sha256, cbc(Aes128, HmacSha256)),
            RsaAes256CbcSha256 => (0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", Tls12, Sha256, cbc(Aes256, HmacSha256)),
        };
        Spec { id, name, version, hash, protection }
    }

    /// The IANA number.
    pub fn id(self) -> u16 {
        self.spec().id
    }

    /// The IANA name, as Wireshark shows it: `TLS_AES_128_GCM_SHA256`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn version(self) -> Version {
        self.spec().version
    }

    /// HKDF's hash (TLS 1.3) or the PRF's (TLS 1.2; SHA-256 unless the suite names SHA-384, RFC 5246 §5).
    pub fn hash(self) -> HashAlgorithm {
        self.spec().hash
    }

    pub fn protection(self) -> Protection {
        self.spec().protection
    }

    /// Length of the write key.
    pub fn key_len(self) -> usize {
        match self.protection() {
            Protection::Aead(AeadAlgorithm::Aes128Gcm) | Protection::Cbc { cipher: BlockCipher::Aes128, .. } => 16,
            Protection::Aead(AeadAlgorithm::Aes256Gcm | AeadAlgorithm::Chacha20Poly1305)
            | Protection::Cbc { cipher: BlockCipher::Aes256, .. } => 32,
        }
    }

    /// Length of the write IV taken from the key schedule: the whole 12-byte nonce base in TLS 1.3 and for
    /// ChaCha20-Poly1305, GCM's 4-byte implicit salt in TLS 1.2 (RFC 5288 §3), none for CBC, whose IV is in
    /// each record (RFC 5246 §6.3: IVs are generated only for implicit nonces).
    pub fn fixed_iv_len(self) -> usize {
        match (self.version(), self.protection()) {
            (Version::Tls13, _) | (Version::Tls12, Protection::Aead(AeadAlgorithm::Chacha20Poly1305)) => 12,
            (Version::Tls12, Protection::Aead(_)) => 4,
            (Version::Tls12, Protection::Cbc { .. }) => 0,
        }
    }

    /// Length of the MAC key (CBC suites only; AEADs have none).
    pub fn mac_key_len(self) -> usize {
        match self.protection() {
            Protection::Aead(_) => 0,
            Protection::Cbc { mac, .. } => mac.output_len(),
        }
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_is_found_by_its_number_and_numbers_are_unique() {
        for suite in CipherSuite::ALL {
            assert_eq!(CipherSuite::from_id(suite.id()), Some(suite), "{suite}");
        }
        let mut ids: Vec<u16> = CipherSuite::ALL.iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CipherSuite::ALL.len());
    }

    #[test]
    fn unknown_suites_are_none() {
        // TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, TLS_AES_128_CCM_SHA256, GREASE.
        for id in [0x0005, 0xc012, 0x1304, 0x0a0a, 0x0000] {
            assert_eq!(CipherSuite::from_id(id), None, "{id:#06x}");
        }
    }

    #[test]
    fn names_and_properties_of_the_common_suites() {
        let suite = CipherSuite::from_id(0x1301).unwrap();
        assert_eq!(suite.name(), "TLS_AES_128_GCM_SHA256");
        assert_eq!(
            (suite.version(), suite.hash(), suite.key_len(), suite.fixed_iv_len()),
            (Version::Tls13, HashAlgorithm::Sha256, 16, 12)
        );
        let suite = CipherSuite::from_id(0xc030).unwrap();
        assert_eq!(suite.to_string(), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        assert_eq!(
            (suite.hash(), suite.key_len(), suite.fixed_iv_len(), suite.mac_key_len()),
            (HashAlgorithm::Sha384, 32, 4, 0)
        );
        let suite = CipherSuite::from_id(0xcca8).unwrap();
        assert_eq!(suite.protection(), Protection::Aead(AeadAlgorithm::Chacha20Poly1305));
        assert_eq!((suite.key_len(), suite.fixed_iv_len()), (32, 12));
        let suite = CipherSuite::from_id(0xc013).unwrap();
        assert_eq!(suite.name(), "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(
            (suite.hash(), suite.key_len(), suite.fixed_iv_len(), suite.mac_key_len()),
            (HashAlgorithm::Sha256, 16, 0, 20)
        );
        let suite = CipherSuite::from_id(0xc024).unwrap();
        assert_eq!(suite.protection(), Protection::Cbc { cipher: BlockCipher::Aes256, mac: MacAlgorithm::HmacSha384 });
        assert_eq!(suite.hash(), HashAlgorithm::Sha384);
    }

    #[test]
    fn names_match_the_variants() {
        for suite in CipherSuite::ALL {
            let name = suite.name();
            let tls13 = suite.version() == Version::Tls13;
            assert_eq!(tls13, !name.contains("_WITH_"), "{name}");
            let hash_named = if name.ends_with("SHA384") { HashAlgorithm::Sha384 } else { HashAlgorithm::Sha256 };
            assert_eq!(suite.hash(), hash_named, "{name}");
            assert_eq!(suite.key_len() == 32, name.contains("_256_") || name.contains("CHACHA20"), "{name}");
            assert_eq!(matches!(suite.protection(), Protection::Cbc { .. }), name.contains("_CBC_"), "{name}");
        }
    }
}
