//! Test helpers: hex, and record sealers written from the RFCs' constructions straight onto the RustCrypto
//! primitives, independently of the decrypting code, so that a round trip checks our nonces, additional data,
//! padding and MAC input against a second reading of the RFCs.

use super::suite::{AeadAlgorithm, BlockCipher, MacAlgorithm};
use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::NoPadding};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};

/// Hex digits (spaces allowed) to bytes; panics on bad input, as test data must be right.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).expect("hex test data"))
        .collect()
}

/// A record's header and fragment.
pub fn split_record(record: &[u8]) -> ([u8; 5], &[u8]) {
    let (header, fragment) = record.split_at(5);
    (header.try_into().unwrap(), fragment)
}

fn header(content_type: u8, fragment_len: usize) -> [u8; 5] {
    let [hi, lo] = u16::try_from(fragment_len).unwrap().to_be_bytes();
    [content_type, 3, 3, hi, lo]
}

fn aead_seal(algorithm: AeadAlgorithm, key: &[u8], nonce: [u8; 12], aad: &[u8], msg: &[u8]) -> Vec<u8> {
    let payload = Payload { msg, aad };
    let nonce = nonce.into();
    match algorithm {
        AeadAlgorithm::Aes128Gcm => aes_gcm::Aes128Gcm::new_from_slice(key).unwrap().encrypt(&nonce, payload),
        AeadAlgorithm::Aes256Gcm => aes_gcm::Aes256Gcm::new_from_slice(key).unwrap().encrypt(&nonce, payload),
        AeadAlgorithm::Chacha20Poly1305 => {
            chacha20poly1305::ChaCha20Poly1305::new_from_slice(key).unwrap().encrypt(&nonce, payload)
        }
    }
    .unwrap()
}

/// RFC 8446 §5.3: the IV with the sequence number xored into its last 8 bytes.
fn per_record_nonce(iv: [u8; 12], seq: u64) -> [u8; 12] {
    let mut padded_seq = [0u8; 12];
    padded_seq[4..].copy_from_slice(&seq.to_be_bytes());
    std::array::from_fn(|i| iv[i] ^ padded_seq[i])
}

/// RFC 8446 §5.2: `TLSInnerPlaintext` = content ‖ type ‖ `padding` zeros, under an outer type 23 header.
pub fn seal_tls13(
    algorithm: AeadAlgorithm,
    key: &[u8],
    iv: [u8; 12],
    seq: u64,
    (content_type, content): (u8, &[u8]),
    padding: usize,
) -> Vec<u8> {
    let inner = [content, &[content_type], &vec![0; padding]].concat();
    let header = header(23, inner.len() + 16);
    [&header[..], &aead_seal(algorithm, key, per_record_nonce(iv, seq), &header, &inner)].concat()
}

/// RFC 5246 §6.2.3.3: `seq_num ‖ type ‖ version ‖ length`.
fn additional_data(seq: u64, content_type: u8, length: usize) -> Vec<u8> {
    [&seq.to_be_bytes()[..], &[content_type, 3, 3], &u16::try_from(length).unwrap().to_be_bytes()].concat()
}

/// RFC 5288 §3: explicit nonce ‖ AES-GCM(salt ‖ explicit nonce) of the content.
pub fn seal_tls12_gcm(
    algorithm: AeadAlgorithm,
    key: &[u8],
    salt: [u8; 4],
    explicit: [u8; 8],
    seq: u64,
    (content_type, content): (u8, &[u8]),
) -> Vec<u8> {
    let mut nonce = [0; 12];
    nonce[..4].copy_from_slice(&salt);
    nonce[4..].copy_from_slice(&explicit);
    let sealed = aead_seal(algorithm, key, nonce, &additional_data(seq, content_type, content.len()), content);
    [&header(content_type, 8 + sealed.len())[..], &explicit, &sealed].concat()
}

/// RFC 7905 §2: ChaCha20-Poly1305 with the IV xor the sequence number, nothing explicit.
pub fn seal_tls12_chacha(key: &[u8], iv: [u8; 12], seq: u64, (content_type, content): (u8, &[u8])) -> Vec<u8> {
    let aad = additional_data(seq, content_type, content.len());
    let sealed = aead_seal(AeadAlgorithm::Chacha20Poly1305, key, per_record_nonce(iv, seq), &aad, content);
    [&header(content_type, sealed.len())[..], &sealed].concat()
}

pub fn hmac(mac: MacAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut m = <M as KeyInit>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }
    match mac {
        MacAlgorithm::HmacSha1 => run::<Hmac<sha1::Sha1>>(key, data),
        MacAlgorithm::HmacSha256 => run::<Hmac<sha2::Sha256>>(key, data),
        MacAlgorithm::HmacSha384 => run::<Hmac<sha2::Sha384>>(key, data),
    }
}

pub fn cbc_encrypt(cipher: BlockCipher, key: &[u8], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    let mut buffer = plaintext.to_vec();
    let len = buffer.len();
    match cipher {
        BlockCipher::Aes128 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv)
            .unwrap()
            .encrypt_padded::<NoPadding>(&mut buffer, len)
            .map(|_| ()),
        BlockCipher::Aes256 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .unwrap()
            .encrypt_padded::<NoPadding>(&mut buffer, len)
            .map(|_| ()),
    }
    .unwrap();
    buffer
}

/// TLS CBC padding for `len` bytes: `extra_blocks` more than needed, every byte the padding length.
pub fn cbc_padding(len: usize, extra_blocks: usize) -> Vec<u8> {
    let padding_len = 15 - len % 16 + 16 * extra_blocks;
    vec![u8::try_from(padding_len).unwrap(); padding_len + 1]
}

/// The keys of one TLS 1.2 CBC direction, for [`seal_tls12_cbc`].
pub struct CbcSealer<'a> {
    pub cipher: BlockCipher,
    pub key: &'a [u8],
    pub mac: MacAlgorithm,
    pub mac_key: &'a [u8],
    pub encrypt_then_mac: bool,
}

/// RFC 5246 §6.2.3.2 (IV ‖ E(content ‖ MAC ‖ padding)) or RFC 7366 (IV ‖ E(content ‖ padding) ‖ MAC over
/// IV and ciphertext). `padding` replaces the correct padding when given.
pub fn seal_tls12_cbc(
    sealer: &CbcSealer,
    iv: [u8; 16],
    seq: u64,
    (content_type, content): (u8, &[u8]),
    padding: Option<Vec<u8>>,
) -> Vec<u8> {
    let fragment = if sealer.encrypt_then_mac {
        let padding = padding.unwrap_or_else(|| cbc_padding(content.len(), 0));
        let encrypted = [&iv[..], &cbc_encrypt(sealer.cipher, sealer.key, &iv, &[content, &padding].concat())].concat();
        let mac_input = [additional_data(seq, content_type, encrypted.len()), encrypted.clone()].concat();
        [encrypted, hmac(sealer.mac, sealer.mac_key, &mac_input)].concat()
    } else {
        let mac_input = [&additional_data(seq, content_type, content.len())[..], content].concat();
        let mac = hmac(sealer.mac, sealer.mac_key, &mac_input);
        let padding = padding.unwrap_or_else(|| cbc_padding(content.len() + mac.len(), 0));
        let plaintext = [content, &mac, &padding].concat();
        [&iv[..], &cbc_encrypt(sealer.cipher, sealer.key, &iv, &plaintext)].concat()
    };
    [&header(content_type, fragment.len())[..], &fragment].concat()
}
