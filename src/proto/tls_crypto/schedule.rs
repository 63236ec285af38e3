//! The parts of the TLS key schedules a passive decryptor needs, given the secrets of a key log.
//!
//! TLS 1.3 (RFC 8446): `HKDF-Expand-Label` (§7.1), a traffic secret's write key and IV (§7.3), and the next
//! application traffic secret after a KeyUpdate (§7.2). TLS 1.2 (RFC 5246): the PRF (§5, P_SHA256 and
//! P_SHA384) and the key block from the master secret (§6.3). HKDF and HMAC are RustCrypto's; only the label
//! encodings and the key block's layout are ours.

use super::secret::Secret;
use super::suite::{CipherSuite, HashAlgorithm, Version};
use hkdf::Hkdf;
use hmac::digest::Digest;
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384};
use zeroize::Zeroizing;

/// Why keys could not be made from a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the secret is {actual} bytes, {suite} needs {expected}")]
    SecretLength { suite: CipherSuite, expected: usize, actual: usize },
    #[error("{0} is not a TLS 1.3 suite")]
    NotTls13(CipherSuite),
    #[error("{0} is not a TLS 1.2 suite")]
    NotTls12(CipherSuite),
    #[error("the keys are the wrong length for {suite}")]
    KeyLength { suite: CipherSuite },
    #[error("HKDF cannot expand to {len} bytes")]
    ExpandLength { len: usize },
}

/// A TLS 1.3 write key and IV (RFC 8446 §7.3).
#[derive(Debug, Clone)]
pub struct TrafficKeys {
    pub key: Secret,
    pub iv: [u8; 12],
}

/// `HKDF-Expand-Label(secret, label, context, len)` of RFC 8446 §7.1; `label` without its `"tls13 "` prefix.
pub fn hkdf_expand_label(
    hash: HashAlgorithm,
    secret: &[u8],
    label: &str,
    context: &[u8],
    len: usize,
) -> Result<Secret, KeyError> {
    let info = hkdf_label(label, context, len).ok_or(KeyError::ExpandLength { len })?;
    let mut out = Secret::new(vec![0; len]);
    let expanded = match hash {
        HashAlgorithm::Sha256 => expand::<Sha256>(secret, &info, &mut out),
        HashAlgorithm::Sha384 => expand::<Sha384>(secret, &info, &mut out),
    };
    expanded.then_some(out).ok_or(KeyError::ExpandLength { len })
}

/// The `HkdfLabel` structure: `uint16 length`, `opaque label<7..255>` (with `"tls13 "`), `opaque context<0..255>`.
fn hkdf_label(label: &str, context: &[u8], len: usize) -> Option<Vec<u8>> {
    let full_label = [b"tls13 ", label.as_bytes()].concat();
    let mut info = Vec::with_capacity(4 + full_label.len() + context.len());
    info.extend_from_slice(&u16::try_from(len).ok()?.to_be_bytes());
    info.push(u8::try_from(full_label.len()).ok()?);
    info.extend_from_slice(&full_label);
    info.push(u8::try_from(context.len()).ok()?);
    info.extend_from_slice(context);
    Some(info)
}

/// HKDF-Expand with `secret` as the PRK; false if the PRK is too short or the output too long.
fn expand<H: EagerHash>(secret: &[u8], info: &[u8], out: &mut Secret) -> bool {
    Hkdf::<H>::from_prk(secret).is_ok_and(|hkdf| hkdf.expand(info, out.expose_mut()).is_ok())
}

/// Checks that `secret` fits a TLS 1.3 `suite`: a secret of another length belongs to another session.
fn check_tls13_secret(suite: CipherSuite, secret: &[u8]) -> Result<(), KeyError> {
    if suite.version() != Version::Tls13 {
        return Err(KeyError::NotTls13(suite));
    }
    let expected = suite.hash().output_len();
    if secret.len() != expected {
        return Err(KeyError::SecretLength { suite, expected, actual: secret.len() });
    }
    Ok(())
}

/// The write key and IV of a TLS 1.3 traffic secret: `"key"` and `"iv"` with an empty context (§7.3).
pub fn tls13_traffic_keys(suite: CipherSuite, traffic_secret: &[u8]) -> Result<TrafficKeys, KeyError> {
    check_tls13_secret(suite, traffic_secret)?;
    let key = hkdf_expand_label(suite.hash(), traffic_secret, "key", &[], suite.key_len())?;
    let iv_bytes = hkdf_expand_label(suite.hash(), traffic_secret, "iv", &[], 12)?;
    let iv = <[u8; 12]>::try_from(iv_bytes.expose()).map_err(|_| KeyError::KeyLength { suite })?;
    Ok(TrafficKeys { key, iv })
}

/// `application_traffic_secret_N+1` after a KeyUpdate: `"traffic upd"`, empty context, hash length (§7.2).
pub fn tls13_next_traffic_secret(suite: CipherSuite, traffic_secret: &[u8]) -> Result<Secret, KeyError> {
    check_tls13_secret(suite, traffic_secret)?;
    let len = suite.hash().output_len();
    hkdf_expand_label(suite.hash(), traffic_secret, "traffic upd", &[], len)
}

/// The TLS 1.2 PRF: `P_hash(secret, label ‖ seed)` filling `out` (RFC 5246 §5).
pub fn tls12_prf(hash: HashAlgorithm, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    match hash {
        HashAlgorithm::Sha256 => p_hash::<Sha256>(secret, &[label, seed], out),
        HashAlgorithm::Sha384 => p_hash::<Sha384>(secret, &[label, seed], out),
    }
}

/// `P_hash`: `A(0) = seed`, `A(i) = HMAC(secret, A(i-1))`, output `HMAC(secret, A(i) ‖ seed)` for i = 1, 2, …
fn p_hash<H: EagerHash>(secret: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    // HMAC takes keys of any length, so this never returns early.
    let Ok(keyed) = <Hmac<H> as KeyInit>::new_from_slice(secret) else {
        return;
    };
    let hmac = |parts: &[&[u8]]| {
        let mut mac = keyed.clone();
        parts.iter().for_each(|part| mac.update(part));
        Zeroizing::new(mac.finalize().into_bytes().to_vec())
    };
    let mut a = hmac(seed);
    for chunk in out.chunks_mut(<H as Digest>::output_size()) {
        let block = hmac(&[&[&a[..]], seed].concat());
        chunk.copy_from_slice(&block[..chunk.len()]);
        a = hmac(&[&a]);
    }
}

/// One direction's TLS 1.2 keys from the key block.
#[derive(Debug, Clone)]
pub struct DirectionKeys {
    /// HMAC key (CBC suites; empty for AEADs).
    pub mac_key: Secret,
    pub key: Secret,
    /// The implicit part of the nonce (4 bytes for GCM, 12 for ChaCha20-Poly1305; empty for CBC).
    pub iv: Secret,
}

/// Both directions' TLS 1.2 keys.
#[derive(Debug, Clone)]
pub struct KeyBlock {
    pub client: DirectionKeys,
    pub server: DirectionKeys,
}

/// The key block of RFC 5246 §6.3: `PRF(master_secret, "key expansion", server_random ‖ client_random)`, cut
/// into client and server MAC keys, then write keys, then IVs.
pub fn tls12_key_block(
    suite: CipherSuite,
    master_secret: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<KeyBlock, KeyError> {
    if suite.version() != Version::Tls12 {
        return Err(KeyError::NotTls12(suite));
    }
    if master_secret.len() != 48 {
        return Err(KeyError::SecretLength { suite, expected: 48, actual: master_secret.len() });
    }
    let (mac_len, key_len, iv_len) = (suite.mac_key_len(), suite.key_len(), suite.fixed_iv_len());
    let mut block = Secret::new(vec![0; 2 * (mac_len + key_len + iv_len)]);
    let seed = [&server_random[..], &client_random[..]].concat();
    tls12_prf(suite.hash(), master_secret, b"key expansion", &seed, block.expose_mut());
    // The block is exactly as long as the six parts, so each `split_at` is in bounds.
    let mut rest = block.expose();
    let mut take = |len: usize| {
        let (part, tail) = rest.split_at(len);
        rest = tail;
        Secret::from(part)
    };
    let (client_mac, server_mac) = (take(mac_len), take(mac_len));
    let (client_key, server_key) = (take(key_len), take(key_len));
    let (client_iv, server_iv) = (take(iv_len), take(iv_len));
    Ok(KeyBlock {
        client: DirectionKeys { mac_key: client_mac, key: client_key, iv: client_iv },
        server: DirectionKeys { mac_key: server_mac, key: server_key, iv: server_iv },
    })
}

#[cfg(test)]
mod tests {
    use super::super::rfc8448 as rfc;
    use super::super::testing::hex;
    use super::*;

    const AES_128: CipherSuite = CipherSuite::Tls13Aes128GcmSha256;

    fn traffic_keys(secret: &str) -> (Vec<u8>, Vec<u8>) {
        let keys = tls13_traffic_keys(AES_128, &hex(secret)).unwrap();
        (keys.key.expose().to_vec(), keys.iv.to_vec())
    }

    #[test]
    fn hkdf_label_is_encoded_as_rfc8448_shows_it() {
        // RFC 8448 §3, "derive write traffic keys": key info (13 octets) and iv info (12 octets).
        assert_eq!(hkdf_label("key", &[], 16).unwrap(), hex("00 10 09 74 6c 73 31 33 20 6b 65 79 00"));
        assert_eq!(hkdf_label("iv", &[], 12).unwrap(), hex("00 0c 08 74 6c 73 31 33 20 69 76 00"));
        assert_eq!(hkdf_label(&"x".repeat(250), &[], 16), None, "a label longer than 255 bytes");
    }

    #[test]
    fn rfc8448_traffic_keys_and_ivs() {
        let cases = [
            (rfc::SERVER_HANDSHAKE_TRAFFIC_SECRET, rfc::SERVER_HANDSHAKE_KEY, rfc::SERVER_HANDSHAKE_IV),
            (rfc::CLIENT_HANDSHAKE_TRAFFIC_SECRET, rfc::CLIENT_HANDSHAKE_KEY, rfc::CLIENT_HANDSHAKE_IV),
            (rfc::SERVER_TRAFFIC_SECRET_0, rfc::SERVER_APPLICATION_KEY, rfc::SERVER_APPLICATION_IV),
            (rfc::CLIENT_TRAFFIC_SECRET_0, rfc::CLIENT_APPLICATION_KEY, rfc::CLIENT_APPLICATION_IV),
        ];
        for (secret, key, iv) in cases {
            assert_eq!(traffic_keys(secret), (hex(key), hex(iv)), "from {secret}");
        }
    }

    #[test]
    fn sha384_and_chacha_traffic_keys() {
        // Expected values from Python's `cryptography` (HKDFExpand over the HkdfLabel), computed once.
        let keys = tls13_traffic_keys(CipherSuite::Tls13Aes256GcmSha384, &(0..48).collect::<Vec<u8>>()).unwrap();
        assert_eq!(keys.key.expose(), hex("6877d022f1c61d24ebb7487c16752d9a4798e40431c75b39320e537c90e23225"));
        assert_eq!(keys.iv.to_vec(), hex("42822531a0fe88648fc09e9f"));
        let suite = CipherSuite::Tls13Chacha20Poly1305Sha256;
        let keys = tls13_traffic_keys(suite, &(0..32).collect::<Vec<u8>>()).unwrap();
        assert_eq!(keys.key.expose(), hex("2ffbc449e87844051c7768f61ffd8ad070830f01ec2c520ef65f08e8296dffa0"));
        assert_eq!(keys.iv.to_vec(), hex("2f41c846a431a163814bcd71"));
    }

    #[test]
    fn key_update_derives_the_next_application_secret() {
        // Expected values from Python's `cryptography`: HKDFExpand(SHA-256, 32, HkdfLabel(32, "tls13 traffic
        // upd", "")) of RFC 8448's server_application_traffic_secret_0, then "key" and "iv" of the result.
        let next = tls13_next_traffic_secret(AES_128, &hex(rfc::SERVER_TRAFFIC_SECRET_0)).unwrap();
        assert_eq!(next.expose(), hex("51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916"));
        let keys = tls13_traffic_keys(AES_128, next.expose()).unwrap();
        assert_eq!(keys.key.expose(), hex("2e63be99d67b39097feb9786cf7a15a0"));
        assert_eq!(keys.iv.to_vec(), hex("628a0a8298ac953baef4255a"));
        let next = tls13_next_traffic_secret(CipherSuite::Tls13Aes256GcmSha384, &(0..48).collect::<Vec<u8>>());
        let expected = "401331b63e9d59f202e8f041042d9516f4cd7fa2e2ee14631d3b49fc340d7af3\
                        7fc2c0c9f252d8036f81ec5b85cbe5db";
        assert_eq!(next.unwrap().expose(), hex(expected));
    }

    #[test]
    fn a_secret_of_the_wrong_length_or_version_is_refused() {
        let err = tls13_traffic_keys(AES_128, &[0; 48]).unwrap_err();
        assert_eq!(err, KeyError::SecretLength { suite: AES_128, expected: 32, actual: 48 });
        assert_eq!(err.to_string(), "the secret is 48 bytes, TLS_AES_128_GCM_SHA256 needs 32");
        let tls12 = CipherSuite::EcdheRsaAes128GcmSha256;
        assert_eq!(tls13_traffic_keys(tls12, &[0; 32]).unwrap_err(), KeyError::NotTls13(tls12));
        assert_eq!(tls12_key_block(AES_128, &[0; 48], &[0; 32], &[0; 32]).unwrap_err(), KeyError::NotTls12(AES_128));
        let short = tls12_key_block(tls12, &[0; 32], &[0; 32], &[0; 32]).unwrap_err();
        assert_eq!(short, KeyError::SecretLength { suite: tls12, expected: 48, actual: 32 });
    }

    #[test]
    fn tls12_prf_published_vectors() {
        // The P_SHA256 and P_SHA384 vectors posted to the IETF TLS list (msg03416), as carried by BearSSL's
        // test/test_crypto.c; recomputed once with Python's hmac module, which agreed.
        let mut out = [0; 100];
        tls12_prf(
            HashAlgorithm::Sha256,
            &hex("9bbe436ba940f017b17652849a71db35"),
            b"test label",
            &hex("a0ba9f936cda311827a6f796ffd5198c"),
            &mut out,
        );
        let expected = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9\
                        c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789ba\
                        a48082d122ee42c5a72e5a5110fff70187347b66";
        assert_eq!(out.to_vec(), hex(expected));
        let mut out = [0; 148];
        tls12_prf(
            HashAlgorithm::Sha384,
            &hex("b80b733d6ceefcdc71566ea48e5567df"),
            b"test label",
            &hex("cd665cf6a8447dd6ff8b27555edb7465"),
            &mut out,
        );
        let expected = "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe3\
                        4f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3\
                        d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236\
                        a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f";
        assert_eq!(out.to_vec(), hex(expected));
    }

    fn key_block(suite: CipherSuite) -> KeyBlock {
        let master: Vec<u8> = (0..48).collect();
        let client_random = std::array::from_fn(|i| 0x20 + i as u8);
        let server_random = std::array::from_fn(|i| 0x40 + i as u8);
        tls12_key_block(suite, &master, &client_random, &server_random).unwrap()
    }

    fn parts(keys: &DirectionKeys) -> [Vec<u8>; 3] {
        [keys.mac_key.expose().to_vec(), keys.key.expose().to_vec(), keys.iv.expose().to_vec()]
    }

    #[test]
    fn key_block_is_cut_client_then_server_mac_keys_write_keys_ivs() {
        // Expected blocks from Python (hmac module): P_hash(master, "key expansion" ‖ server ‖ client random).
        let gcm = hex("a4034d09be0eeca5e295f4a1a83cc08a617bfc73135fe88287599ae2278f1202f429e1013ffdfdf2");
        let block = key_block(CipherSuite::EcdheRsaAes128GcmSha256);
        assert_eq!(parts(&block.client), [vec![], gcm[..16].to_vec(), gcm[32..36].to_vec()]);
        assert_eq!(parts(&block.server), [vec![], gcm[16..32].to_vec(), gcm[36..40].to_vec()]);
        let cbc = hex("a4034d09be0eeca5e295f4a1a83cc08a617bfc73135fe88287599ae2278f1202f429e1013ffdfdf2\
             9ad0f3d0106a1360e365ea9a692456669cadd9be0f4db496fe98381bb99b5b27");
        let block = key_block(CipherSuite::EcdheRsaAes128CbcSha);
        assert_eq!(parts(&block.client), [cbc[..20].to_vec(), cbc[40..56].to_vec(), vec![]]);
        assert_eq!(parts(&block.server), [cbc[20..40].to_vec(), cbc[56..72].to_vec(), vec![]]);
        let sha384 =
            hex("6423c1a4d6f2da33474cf077bc99e890bdceb9e5b94c54cd6d6d3f3b10905dc62beee8b9885b18471b6d987d01c2e7fb\
             36b5c2cdb42fd5a1ba07e906aeef53cf1e027ff49e7af7e8");
        let block = key_block(CipherSuite::EcdheRsaAes256GcmSha384);
        assert_eq!(parts(&block.client), [vec![], sha384[..32].to_vec(), sha384[64..68].to_vec()]);
        assert_eq!(parts(&block.server), [vec![], sha384[32..64].to_vec(), sha384[68..72].to_vec()]);
    }

    #[test]
    fn key_block_lengths_fit_every_tls12_suite() {
        for suite in CipherSuite::ALL.into_iter().filter(|s| s.version() == Version::Tls12) {
            let block = key_block(suite);
            for keys in [&block.client, &block.server] {
                let lengths = [keys.mac_key.len(), keys.key.len(), keys.iv.len()];
                assert_eq!(lengths, [suite.mac_key_len(), suite.key_len(), suite.fixed_iv_len()], "{suite}");
            }
        }
    }
}
