//! TLS 1.2 CBC record protection with HMAC: MAC-then-encrypt (RFC 5246 §6.2.3.2) and encrypt-then-MAC
//! (RFC 7366). Each record carries its IV (TLS 1.1 and later). AES-CBC and HMAC are RustCrypto's; the padding
//! check and the MAC input are ours.
//!
//! We only read captures, so the padding and MAC checks need not be constant-time: there is no peer to learn
//! from our timing (the padding-oracle attacks concern a server answering an attacker).

use super::aead::tls12_aad;
use super::record::{DecryptError, Plaintext};
use super::secret::Secret;
use super::suite::{BlockCipher, MacAlgorithm};
use aes::cipher::{BlockCipherDecrypt, BlockModeDecrypt, InnerIvInit, KeyInit, block_padding::NoPadding};
use aes::{Aes128, Aes256};
use hmac::{EagerHash, Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};

const BLOCK_LEN: usize = 16;

enum BlockKey {
    Aes128(Box<Aes128>),
    Aes256(Box<Aes256>),
}

/// One direction's CBC keys.
pub(super) struct CbcKeys {
    cipher: BlockKey,
    mac: MacAlgorithm,
    mac_key: Secret,
    encrypt_then_mac: bool,
}

impl CbcKeys {
    /// `None` if a key is not its algorithm's length.
    pub(super) fn new(
        cipher: BlockCipher,
        key: &[u8],
        mac: MacAlgorithm,
        mac_key: &Secret,
        encrypt_then_mac: bool,
    ) -> Option<CbcKeys> {
        let cipher = match cipher {
            BlockCipher::Aes128 => BlockKey::Aes128(Box::new(Aes128::new_from_slice(key).ok()?)),
            BlockCipher::Aes256 => BlockKey::Aes256(Box::new(Aes256::new_from_slice(key).ok()?)),
        };
        (mac_key.len() == mac.output_len()).then(|| CbcKeys { cipher, mac, mac_key: mac_key.clone(), encrypt_then_mac })
    }

    pub(super) fn open(&self, seq: u64, header: [u8; 5], fragment: &[u8]) -> Result<Plaintext, DecryptError> {
        let data = match self.encrypt_then_mac {
            true => self.open_encrypt_then_mac(seq, header, fragment)?,
            false => self.open_mac_then_encrypt(seq, header, fragment)?,
        };
        Ok(Plaintext { content_type: header[0], data })
    }

    /// IV ‖ E(content ‖ MAC ‖ padding): decrypt, strip the padding, then check the MAC of the content.
    fn open_mac_then_encrypt(&self, seq: u64, header: [u8; 5], fragment: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let mac_len = self.mac.output_len();
        // The IV, then at least the MAC and one padding-length byte, in whole blocks.
        check_length(fragment.len(), BLOCK_LEN + (mac_len + 1).div_ceil(BLOCK_LEN) * BLOCK_LEN, fragment.len())?;
        let (iv, ciphertext) = fragment.split_at(BLOCK_LEN);
        let mut plaintext = self.decrypt(iv, ciphertext)?;
        let unpadded = strip_padding(&plaintext)?;
        let content_len = unpadded.checked_sub(mac_len).ok_or(DecryptError::BadPadding)?;
        let (content, rest) = plaintext.split_at(content_len);
        let aad = tls12_aad(seq, header, content_len);
        self.verify(&[&aad, content], &rest[..mac_len])?;
        plaintext.truncate(content_len);
        Ok(plaintext)
    }

    /// IV ‖ E(content ‖ padding) ‖ MAC, the MAC over the IV and ciphertext: check it, then decrypt.
    fn open_encrypt_then_mac(&self, seq: u64, header: [u8; 5], fragment: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let mac_len = self.mac.output_len();
        let encrypted_len = fragment.len().saturating_sub(mac_len);
        check_length(fragment.len(), 2 * BLOCK_LEN + mac_len, encrypted_len)?;
        let (encrypted, mac) = fragment.split_at(encrypted_len);
        let aad = tls12_aad(seq, header, encrypted_len);
        self.verify(&[&aad, encrypted], mac)?;
        let (iv, ciphertext) = encrypted.split_at(BLOCK_LEN);
        let mut plaintext = self.decrypt(iv, ciphertext)?;
        let content_len = strip_padding(&plaintext)?;
        plaintext.truncate(content_len);
        Ok(plaintext)
    }

    fn decrypt(&self, iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let mut buffer = ciphertext.to_vec();
        let decrypted = match &self.cipher {
            BlockKey::Aes128(aes) => decrypt_cbc::<Aes128>(aes, iv, &mut buffer),
            BlockKey::Aes256(aes) => decrypt_cbc::<Aes256>(aes, iv, &mut buffer),
        };
        decrypted.then_some(buffer).ok_or(DecryptError::NotBlockAligned { len: ciphertext.len() })
    }

    fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> Result<(), DecryptError> {
        let key = self.mac_key.expose();
        let valid = match self.mac {
            MacAlgorithm::HmacSha1 => hmac_matches::<Sha1>(key, parts, tag),
            MacAlgorithm::HmacSha256 => hmac_matches::<Sha256>(key, parts, tag),
            MacAlgorithm::HmacSha384 => hmac_matches::<Sha384>(key, parts, tag),
        };
        valid.then_some(()).ok_or(DecryptError::BadMac)
    }
}

/// At least `min` bytes, and `encrypted_len` (IV and ciphertext) whole blocks.
fn check_length(len: usize, min: usize, encrypted_len: usize) -> Result<(), DecryptError> {
    if len < min {
        return Err(DecryptError::TooShort { len, min });
    }
    if !encrypted_len.is_multiple_of(BLOCK_LEN) {
        return Err(DecryptError::NotBlockAligned { len: encrypted_len });
    }
    Ok(())
}

/// CBC-decrypts `buffer` in place (whole blocks, no padding removed); false if it is not whole blocks.
fn decrypt_cbc<C>(cipher: &C, iv: &[u8], buffer: &mut [u8]) -> bool
where
    C: BlockCipherDecrypt + Clone,
{
    cbc::Decryptor::<C>::inner_iv_slice_init(cipher.clone(), iv)
        .is_ok_and(|decryptor| decryptor.decrypt_padded::<NoPadding>(buffer).is_ok())
}

/// The length of what precedes TLS's padding: `padding_length` bytes of value `padding_length`, then that
/// byte again (RFC 5246 §6.2.3.2). A wrong key shows here first.
fn strip_padding(plaintext: &[u8]) -> Result<usize, DecryptError> {
    let (&padding_len, rest) = plaintext.split_last().ok_or(DecryptError::BadPadding)?;
    let start = rest.len().checked_sub(usize::from(padding_len)).ok_or(DecryptError::BadPadding)?;
    match rest[start..].iter().all(|&byte| byte == padding_len) {
        true => Ok(start),
        false => Err(DecryptError::BadPadding),
    }
}

fn hmac_matches<H: EagerHash>(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    let Ok(mut mac) = <Hmac<H> as KeyInit>::new_from_slice(key) else {
        return false;
    };
    parts.iter().for_each(|part| mac.update(part));
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_its_length_repeated_then_the_length() {
        assert_eq!(strip_padding(&[1, 2, 3, 0]), Ok(3));
        assert_eq!(strip_padding(&[1, 2, 2, 2]), Ok(1));
        assert_eq!(strip_padding(&[3, 3, 3, 3]), Ok(0));
        assert_eq!(strip_padding(&[1, 2, 3, 2]), Err(DecryptError::BadPadding));
        assert_eq!(strip_padding(&[3, 3, 3]), Err(DecryptError::BadPadding));
        assert_eq!(strip_padding(&[]), Err(DecryptError::BadPadding));
    }
}
