//! AEAD record protection: TLS 1.3 (RFC 8446 §5.2–5.3), TLS 1.2 AES-GCM (RFC 5288 §3) and TLS 1.2
//! ChaCha20-Poly1305 (RFC 7905 §2). The ciphers are RustCrypto's; this file builds their nonces and
//! additional data and takes TLS 1.3's inner plaintext apart.

use super::record::{DecryptError, Plaintext};
use super::suite::AeadAlgorithm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;

/// Length of every AEAD tag here.
pub(super) const TAG_LEN: usize = 16;
/// TLS 1.2 GCM's per-record nonce, sent before the ciphertext (RFC 5288 §3).
const GCM_EXPLICIT_NONCE_LEN: usize = 8;

/// A keyed AEAD. Boxed: the AES key schedules are large and the enum moves around.
pub(super) enum AeadKey {
    Aes128Gcm(Box<Aes128Gcm>),
    Aes256Gcm(Box<Aes256Gcm>),
    Chacha20Poly1305(Box<ChaCha20Poly1305>),
}

impl AeadKey {
    /// `None` if the key is not the algorithm's length.
    pub(super) fn new(algorithm: AeadAlgorithm, key: &[u8]) -> Option<AeadKey> {
        Some(match algorithm {
            AeadAlgorithm::Aes128Gcm => AeadKey::Aes128Gcm(Box::new(Aes128Gcm::new_from_slice(key).ok()?)),
            AeadAlgorithm::Aes256Gcm => AeadKey::Aes256Gcm(Box::new(Aes256Gcm::new_from_slice(key).ok()?)),
            AeadAlgorithm::Chacha20Poly1305 => {
                AeadKey::Chacha20Poly1305(Box::new(ChaCha20Poly1305::new_from_slice(key).ok()?))
            }
        })
    }

    /// Decrypts and authenticates `sealed` (ciphertext ‖ tag).
    fn open(&self, nonce: [u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let payload = Payload { msg: sealed, aad };
        let nonce = nonce.into();
        let opened = match self {
            AeadKey::Aes128Gcm(aead) => aead.decrypt(&nonce, payload),
            AeadKey::Aes256Gcm(aead) => aead.decrypt(&nonce, payload),
            AeadKey::Chacha20Poly1305(aead) => aead.decrypt(&nonce, payload),
        };
        opened.map_err(|_| DecryptError::BadTag)
    }
}

/// The per-record nonce of TLS 1.3 and of ChaCha20-Poly1305 in TLS 1.2: the IV xor the sequence number,
/// left-padded to 12 bytes (RFC 8446 §5.3, RFC 7905 §2).
fn xor_nonce(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *iv;
    for (byte, seq_byte) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *byte ^= seq_byte;
    }
    nonce
}

fn too_short(fragment: &[u8], min: usize) -> Result<(), DecryptError> {
    match fragment.len() < min {
        true => Err(DecryptError::TooShort { len: fragment.len(), min }),
        false => Ok(()),
    }
}

/// A TLS 1.3 record: additional data is the record header; the inner plaintext is content ‖ type ‖ zeros.
pub(super) fn open_tls13(
    key: &AeadKey,
    iv: &[u8; 12],
    seq: u64,
    header: [u8; 5],
    fragment: &[u8],
) -> Result<Plaintext, DecryptError> {
    too_short(fragment, TAG_LEN + 1)?;
    let mut inner = key.open(xor_nonce(iv, seq), &header, fragment)?;
    // The content type is the last byte that is not padding (RFC 8446 §5.4).
    let end = inner.iter().rposition(|&byte| byte != 0).ok_or(DecryptError::NoContentType)?;
    let content_type = inner[end];
    inner.truncate(end);
    Ok(Plaintext { content_type, data: inner })
}

/// TLS 1.2's additional data: `seq_num ‖ type ‖ version ‖ length` of the plaintext (RFC 5246 §6.2.3.3).
pub(super) fn tls12_aad(seq: u64, header: [u8; 5], plaintext_len: usize) -> [u8; 13] {
    let mut aad = [0; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8..11].copy_from_slice(&header[..3]);
    // Records are at most 2^14 + 2048 bytes, checked before we get here.
    aad[11..].copy_from_slice(&u16::try_from(plaintext_len).unwrap_or(u16::MAX).to_be_bytes());
    aad
}

/// A TLS 1.2 AES-GCM record: explicit nonce ‖ ciphertext ‖ tag; nonce = 4-byte salt ‖ explicit nonce.
pub(super) fn open_tls12_gcm(
    key: &AeadKey,
    salt: &[u8; 4],
    seq: u64,
    header: [u8; 5],
    fragment: &[u8],
) -> Result<Plaintext, DecryptError> {
    too_short(fragment, GCM_EXPLICIT_NONCE_LEN + TAG_LEN)?;
    let (explicit, sealed) = fragment.split_at(GCM_EXPLICIT_NONCE_LEN);
    let mut nonce = [0; 12];
    nonce[..4].copy_from_slice(salt);
    nonce[4..].copy_from_slice(explicit);
    let aad = tls12_aad(seq, header, sealed.len() - TAG_LEN);
    let data = key.open(nonce, &aad, sealed)?;
    Ok(Plaintext { content_type: header[0], data })
}

/// A TLS 1.2 ChaCha20-Poly1305 record: ciphertext ‖ tag, no explicit nonce (RFC 7905 §2).
pub(super) fn open_tls12_chacha(
    key: &AeadKey,
    iv: &[u8; 12],
    seq: u64,
    header: [u8; 5],
    fragment: &[u8],
) -> Result<Plaintext, DecryptError> {
    too_short(fragment, TAG_LEN)?;
    let aad = tls12_aad(seq, header, fragment.len() - TAG_LEN);
    let data = key.open(xor_nonce(iv, seq), &aad, fragment)?;
    Ok(Plaintext { content_type: header[0], data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_number_is_xored_into_the_last_eight_bytes() {
        let iv = [0xff; 12];
        let nonce = xor_nonce(&iv, 0x0102_0304_0506_0708);
        assert_eq!(nonce, [0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7]);
        assert_eq!(xor_nonce(&iv, 0), iv);
    }

    #[test]
    fn tls12_additional_data_is_seq_type_version_length() {
        let aad = tls12_aad(1, [23, 3, 3, 0, 40], 0x0123);
        assert_eq!(aad, [0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x01, 0x23]);
    }
}
