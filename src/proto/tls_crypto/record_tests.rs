//! Tests of [`RecordCipher`]: RFC 8448's protected records, records sealed independently for every suite (see
//! `testing.rs`), and the ways a record must fail: wrong keys, flipped bits, bad padding, bad MACs.

use super::super::rfc8448 as rfc;
use super::super::suite::AeadAlgorithm;
use super::super::testing::split_record;
use super::super::testing::{
    CbcSealer, cbc_padding, hex, seal_tls12_cbc, seal_tls12_chacha, seal_tls12_gcm, seal_tls13,
};
use super::*;

const AES_128: CipherSuite = CipherSuite::Tls13Aes128GcmSha256;

fn tls13(secret: &str) -> RecordCipher {
    RecordCipher::tls13(AES_128, &hex(secret)).unwrap()
}

fn open(cipher: &mut RecordCipher, record: &[u8]) -> Result<Plaintext, DecryptError> {
    let (header, fragment) = split_record(record);
    cipher.decrypt(header, fragment)
}

#[test]
fn rfc8448_server_handshake_flight_decrypts_to_its_four_messages() {
    let mut server = tls13(rfc::SERVER_HANDSHAKE_TRAFFIC_SECRET);
    let plaintext = open(&mut server, &hex(rfc::SERVER_HANDSHAKE_RECORD)).unwrap();
    let messages = [rfc::ENCRYPTED_EXTENSIONS, rfc::CERTIFICATE, rfc::CERTIFICATE_VERIFY, rfc::SERVER_FINISHED];
    assert_eq!(plaintext, Plaintext { content_type: 22, data: hex(&messages.concat()) });
    assert_eq!(server.sequence(), 1);
}

#[test]
fn rfc8448_client_finished() {
    let mut client = tls13(rfc::CLIENT_HANDSHAKE_TRAFFIC_SECRET);
    let plaintext = open(&mut client, &hex(rfc::CLIENT_FINISHED_RECORD)).unwrap();
    assert_eq!(plaintext, Plaintext { content_type: 22, data: hex(rfc::CLIENT_FINISHED) });
}

#[test]
fn rfc8448_application_records_in_order() {
    let payload: Vec<u8> = (0..0x32).collect();
    let mut server = tls13(rfc::SERVER_TRAFFIC_SECRET_0);
    let ticket = open(&mut server, &hex(rfc::NEW_SESSION_TICKET_RECORD)).unwrap();
    assert_eq!((ticket.content_type, &ticket.data[..4]), (22, &[4, 0, 0, 0xc9][..]));
    assert_eq!(ticket.data.len(), 205);
    let data = open(&mut server, &hex(rfc::SERVER_APPLICATION_RECORD)).unwrap();
    assert_eq!(data, Plaintext { content_type: 23, data: payload.clone() });
    let alert = open(&mut server, &hex(rfc::SERVER_ALERT_RECORD)).unwrap();
    assert_eq!(alert, Plaintext { content_type: 21, data: vec![1, 0] });
    assert_eq!(server.sequence(), 3);

    let mut client = tls13(rfc::CLIENT_TRAFFIC_SECRET_0);
    let data = open(&mut client, &hex(rfc::CLIENT_APPLICATION_RECORD)).unwrap();
    assert_eq!(data, Plaintext { content_type: 23, data: payload });
    let alert = open(&mut client, &hex(rfc::CLIENT_ALERT_RECORD)).unwrap();
    assert_eq!(alert, Plaintext { content_type: 21, data: vec![1, 0] });
}

#[test]
fn a_wrong_key_is_an_error_and_keeps_the_sequence_number() {
    let record = hex(rfc::SERVER_HANDSHAKE_RECORD);
    let mut wrong = tls13(rfc::CLIENT_HANDSHAKE_TRAFFIC_SECRET);
    assert_eq!(open(&mut wrong, &record), Err(DecryptError::BadTag));
    assert_eq!(wrong.sequence(), 0);
    let mut right = tls13(rfc::SERVER_HANDSHAKE_TRAFFIC_SECRET);
    assert!(open(&mut right, &record).is_ok());
}

#[test]
fn a_record_out_of_order_fails() {
    // The server's application data is its second record under this key: at sequence 0 the nonce is wrong.
    let mut server = tls13(rfc::SERVER_TRAFFIC_SECRET_0);
    assert_eq!(open(&mut server, &hex(rfc::SERVER_APPLICATION_RECORD)), Err(DecryptError::BadTag));
}

#[test]
fn every_flipped_bit_of_a_tls13_record_is_detected() {
    let record = hex(rfc::CLIENT_FINISHED_RECORD);
    for index in 0..record.len() {
        for bit in [0x01, 0x80] {
            let mut damaged = record.clone();
            damaged[index] ^= bit;
            let mut client = tls13(rfc::CLIENT_HANDSHAKE_TRAFFIC_SECRET);
            assert!(open(&mut client, &damaged).is_err(), "byte {index} bit {bit:#x}");
        }
    }
}

#[test]
fn tls13_padding_is_stripped_to_the_real_content_type() {
    let (key, iv) = (hex(rfc::CLIENT_APPLICATION_KEY), hex(rfc::CLIENT_APPLICATION_IV).try_into().unwrap());
    let mut client = tls13(rfc::CLIENT_TRAFFIC_SECRET_0);
    let records =
        [(23, &b"GET / HTTP/1.1\r\n"[..], 0), (21, &[1, 0][..], 1), (23, &[0, 0, 7, 0][..], 300), (23, &[][..], 5)];
    for (seq, (content_type, content, padding)) in (0..).zip(records) {
        let record = seal_tls13(AeadAlgorithm::Aes128Gcm, &key, iv, seq, (content_type, content), padding);
        assert_eq!(open(&mut client, &record).unwrap(), Plaintext { content_type, data: content.to_vec() });
    }
    let all_padding = seal_tls13(AeadAlgorithm::Aes128Gcm, &key, iv, 4, (0, &[]), 16);
    assert_eq!(open(&mut client, &all_padding), Err(DecryptError::NoContentType));
}

#[test]
fn tls13_aes256_and_chacha20() {
    // Keys of these secrets from Python's `cryptography` (see schedule.rs's tests).
    let cases = [
        (
            CipherSuite::Tls13Aes256GcmSha384,
            48,
            "6877d022f1c61d24ebb7487c16752d9a4798e40431c75b39320e537c90e23225",
            "42822531a0fe88648fc09e9f",
        ),
        (
            CipherSuite::Tls13Chacha20Poly1305Sha256,
            32,
            "2ffbc449e87844051c7768f61ffd8ad070830f01ec2c520ef65f08e8296dffa0",
            "2f41c846a431a163814bcd71",
        ),
    ];
    for (suite, secret_len, key, iv) in cases {
        let Protection::Aead(algorithm) = suite.protection() else { unreachable!() };
        let secret: Vec<u8> = (0..secret_len).collect();
        let mut cipher = RecordCipher::tls13(suite, &secret).unwrap();
        for seq in 0..3 {
            let record = seal_tls13(algorithm, &hex(key), hex(iv).try_into().unwrap(), seq, (23, b"data"), 2);
            assert_eq!(open(&mut cipher, &record).unwrap().data, b"data", "{suite} record {seq}");
        }
    }
}

#[test]
fn key_update_moves_to_the_next_secret_and_restarts_the_sequence() {
    let mut server = tls13(rfc::SERVER_TRAFFIC_SECRET_0);
    open(&mut server, &hex(rfc::NEW_SESSION_TICKET_RECORD)).unwrap();
    server.update_keys().unwrap();
    assert_eq!(server.sequence(), 0);
    // The next secret's key and IV, computed with Python's `cryptography` (see schedule.rs's tests).
    let (key, iv) = (hex("2e63be99d67b39097feb9786cf7a15a0"), hex("628a0a8298ac953baef4255a").try_into().unwrap());
    let record = seal_tls13(AeadAlgorithm::Aes128Gcm, &key, iv, 0, (23, b"after the update"), 0);
    assert_eq!(open(&mut server, &record).unwrap().data, b"after the update");
    // The old keys are gone: the RFC's next record no longer decrypts.
    assert_eq!(open(&mut server, &hex(rfc::SERVER_APPLICATION_RECORD)), Err(DecryptError::BadTag));
}

#[test]
fn key_update_and_tls13_keys_are_refused_for_tls12() {
    let suite = CipherSuite::EcdheRsaAes128GcmSha256;
    assert_eq!(RecordCipher::tls13(suite, &[0; 32]).unwrap_err(), KeyError::NotTls13(suite));
    let mut cipher = RecordCipher::tls12(suite, &direction_keys(suite), false).unwrap();
    assert_eq!(cipher.update_keys(), Err(KeyError::NotTls13(suite)));
    assert_eq!(RecordCipher::tls12(AES_128, &direction_keys(suite), false).unwrap_err(), KeyError::NotTls12(AES_128));
}

#[test]
fn bad_lengths_are_errors() {
    let mut client = tls13(rfc::CLIENT_HANDSHAKE_TRAFFIC_SECRET);
    assert_eq!(client.decrypt([23, 3, 3, 0, 5], &[0; 4]), Err(DecryptError::LengthMismatch { header: 5, fragment: 4 }));
    assert_eq!(client.decrypt([23, 3, 3, 0, 16], &[0; 16]), Err(DecryptError::TooShort { len: 16, min: 17 }));
    let huge = vec![0; MAX_FRAGMENT + 1];
    let [hi, lo] = u16::try_from(huge.len()).unwrap().to_be_bytes();
    assert_eq!(client.decrypt([23, 3, 3, hi, lo], &huge), Err(DecryptError::TooLong { len: huge.len() }));
}

fn tls12_suites() -> impl Iterator<Item = CipherSuite> {
    CipherSuite::ALL.into_iter().filter(|suite| suite.version() == Version::Tls12)
}

fn direction_keys(suite: CipherSuite) -> DirectionKeys {
    DirectionKeys {
        mac_key: Secret::new(vec![0x11; suite.mac_key_len()]),
        key: Secret::new(vec![0x22; suite.key_len()]),
        iv: Secret::new(vec![0x33; suite.fixed_iv_len()]),
    }
}

/// A TLS 1.2 record of `suite` under [`direction_keys`], sealed by `testing.rs`.
fn seal_tls12(suite: CipherSuite, encrypt_then_mac: bool, seq: u64, content: (u8, &[u8])) -> Vec<u8> {
    let keys = direction_keys(suite);
    let (key, iv) = (keys.key.expose(), keys.iv.expose());
    match suite.protection() {
        Protection::Aead(AeadAlgorithm::Chacha20Poly1305) => {
            seal_tls12_chacha(key, iv.try_into().unwrap(), seq, content)
        }
        Protection::Aead(algorithm) => {
            // The explicit nonce is the sender's choice; make it differ from the sequence number.
            let explicit = (seq + 0x0102_0304).to_be_bytes();
            seal_tls12_gcm(algorithm, key, iv.try_into().unwrap(), explicit, seq, content)
        }
        Protection::Cbc { cipher, mac } => {
            let sealer = CbcSealer { cipher, key, mac, mac_key: keys.mac_key.expose(), encrypt_then_mac };
            seal_tls12_cbc(&sealer, [seq as u8 ^ 0x5a; 16], seq, content, None)
        }
    }
}

fn tls12(suite: CipherSuite, encrypt_then_mac: bool) -> RecordCipher {
    RecordCipher::tls12(suite, &direction_keys(suite), encrypt_then_mac).unwrap()
}

#[test]
fn every_tls12_suite_decrypts_independently_sealed_records_in_order() {
    let contents: [(u8, Vec<u8>); 4] =
        [(22, vec![0x14, 0, 0, 12]), (23, vec![]), (23, vec![0xaa; 1000]), (21, vec![1, 0])];
    for suite in tls12_suites() {
        for encrypt_then_mac in [false, true] {
            let mut cipher = tls12(suite, encrypt_then_mac);
            for (seq, (content_type, data)) in (0..).zip(&contents) {
                let record = seal_tls12(suite, encrypt_then_mac, seq, (*content_type, data));
                let plaintext = open(&mut cipher, &record);
                assert_eq!(
                    plaintext,
                    Ok(Plaintext { content_type: *content_type, data: data.clone() }),
                    "{suite} {seq}"
                );
            }
            assert_eq!(cipher.sequence(), 4);
        }
    }
}

#[test]
fn tls12_largest_record() {
    for suite in [
        CipherSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaChacha20Poly1305Sha256,
        CipherSuite::EcdheRsaAes256CbcSha384,
    ] {
        let data = vec![0x42; 1 << 14];
        let record = seal_tls12(suite, false, 0, (23, &data));
        assert_eq!(open(&mut tls12(suite, false), &record).map(|p| p.data.len()), Ok(1 << 14), "{suite}");
    }
}

#[test]
fn tls12_wrong_keys_or_sequence_fail_for_every_suite() {
    for suite in tls12_suites() {
        for encrypt_then_mac in [false, true] {
            let record = seal_tls12(suite, encrypt_then_mac, 0, (23, b"some application data"));
            let mut keys = direction_keys(suite);
            keys.key = Secret::new(vec![0x23; suite.key_len()]);
            let mut wrong_key = RecordCipher::tls12(suite, &keys, encrypt_then_mac).unwrap();
            assert!(open(&mut wrong_key, &record).is_err(), "{suite}: wrong key");
            assert_eq!(wrong_key.sequence(), 0);
            let mut later = tls12(suite, encrypt_then_mac);
            open(&mut later, &seal_tls12(suite, encrypt_then_mac, 0, (23, b"first"))).unwrap();
            assert!(open(&mut later, &record).is_err(), "{suite}: record 0 at sequence 1");
        }
    }
}

#[test]
fn tls12_every_flipped_byte_is_detected() {
    let suites = [
        (CipherSuite::EcdheEcdsaAes128GcmSha256, false),
        (CipherSuite::EcdheEcdsaChacha20Poly1305Sha256, false),
        (CipherSuite::EcdheRsaAes128CbcSha, false),
        (CipherSuite::EcdheRsaAes128CbcSha, true),
    ];
    for (suite, encrypt_then_mac) in suites {
        let record = seal_tls12(suite, encrypt_then_mac, 0, (23, b"seventeen bytes!!"));
        for index in 0..record.len() {
            let mut damaged = record.clone();
            damaged[index] ^= 0x04;
            let result = open(&mut tls12(suite, encrypt_then_mac), &damaged);
            assert!(result.is_err(), "{suite} etm={encrypt_then_mac}: byte {index} gave {result:?}");
        }
    }
}

fn cbc_sealer(suite: CipherSuite, keys: &DirectionKeys, encrypt_then_mac: bool) -> CbcSealer<'_> {
    let Protection::Cbc { cipher, mac } = suite.protection() else { unreachable!() };
    CbcSealer { cipher, key: keys.key.expose(), mac, mac_key: keys.mac_key.expose(), encrypt_then_mac }
}

#[test]
fn cbc_bad_padding_is_an_error() {
    let suite = CipherSuite::EcdheRsaAes256CbcSha;
    let keys = direction_keys(suite);
    for encrypt_then_mac in [false, true] {
        let sealer = cbc_sealer(suite, &keys, encrypt_then_mac);
        let mac_len = if encrypt_then_mac { 0 } else { 20 };
        let mut padding = cbc_padding(5 + mac_len, 0);
        padding[0] ^= 1;
        let record = seal_tls12_cbc(&sealer, [7; 16], 0, (23, b"hello"), Some(padding));
        assert_eq!(open(&mut tls12(suite, encrypt_then_mac), &record), Err(DecryptError::BadPadding));
        // Longer padding than needed is allowed (RFC 5246 §6.2.3.2: up to 255 bytes).
        let padding = cbc_padding(5 + mac_len, 3);
        let record = seal_tls12_cbc(&sealer, [7; 16], 0, (23, b"hello"), Some(padding));
        assert_eq!(open(&mut tls12(suite, encrypt_then_mac), &record).unwrap().data, b"hello");
    }
}

#[test]
fn cbc_bad_mac_is_an_error() {
    let suite = CipherSuite::EcdheRsaAes128CbcSha256;
    let mut keys = direction_keys(suite);
    keys.mac_key = Secret::new(vec![0x12; 32]);
    for encrypt_then_mac in [false, true] {
        let record = seal_tls12_cbc(&cbc_sealer(suite, &keys, encrypt_then_mac), [7; 16], 0, (23, b"hello"), None);
        assert_eq!(open(&mut tls12(suite, encrypt_then_mac), &record), Err(DecryptError::BadMac));
    }
    // A MAC-then-encrypt record read as encrypt-then-MAC, and the other way round.
    let record = seal_tls12(suite, false, 0, (23, b"hello"));
    assert!(open(&mut tls12(suite, true), &record).is_err());
    let record = seal_tls12(suite, true, 0, (23, b"hello"));
    assert!(open(&mut tls12(suite, false), &record).is_err());
}

#[test]
fn cbc_lengths() {
    let suite = CipherSuite::EcdheRsaAes128CbcSha;
    let mut mac_then_encrypt = tls12(suite, false);
    assert_eq!(mac_then_encrypt.decrypt([23, 3, 3, 0, 32], &[0; 32]), Err(DecryptError::TooShort { len: 32, min: 48 }));
    assert_eq!(mac_then_encrypt.decrypt([23, 3, 3, 0, 49], &[0; 49]), Err(DecryptError::NotBlockAligned { len: 49 }));
    let mut encrypt_then_mac = tls12(suite, true);
    assert_eq!(encrypt_then_mac.decrypt([23, 3, 3, 0, 40], &[0; 40]), Err(DecryptError::TooShort { len: 40, min: 52 }));
    assert_eq!(encrypt_then_mac.decrypt([23, 3, 3, 0, 53], &[0; 53]), Err(DecryptError::NotBlockAligned { len: 33 }));
    let mut gcm = tls12(CipherSuite::RsaAes128GcmSha256, false);
    assert_eq!(gcm.decrypt([23, 3, 3, 0, 23], &[0; 23]), Err(DecryptError::TooShort { len: 23, min: 24 }));
}

#[test]
fn wrong_key_lengths_are_refused() {
    let suite = CipherSuite::EcdheRsaAes128GcmSha256;
    let mut keys = direction_keys(suite);
    keys.iv = Secret::new(vec![0; 12]);
    assert_eq!(RecordCipher::tls12(suite, &keys, false).unwrap_err(), KeyError::KeyLength { suite });
    let suite = CipherSuite::EcdheRsaAes128CbcSha;
    let mut keys = direction_keys(suite);
    keys.mac_key = Secret::new(vec![0; 32]);
    assert_eq!(RecordCipher::tls12(suite, &keys, false).unwrap_err(), KeyError::KeyLength { suite });
}

#[test]
fn debug_shows_no_key_material() {
    let cipher = tls13(rfc::SERVER_TRAFFIC_SECRET_0);
    let text = format!("{cipher:?}");
    assert_eq!(text, "RecordCipher { suite: Tls13Aes128GcmSha256, sequence: 0, .. }");
    let block = super::super::schedule::tls12_key_block(CipherSuite::RsaAes128CbcSha, &[0x4d; 48], &[1; 32], &[2; 32]);
    let keys = "DirectionKeys { mac_key: Secret(20 bytes), key: Secret(16 bytes), iv: Secret(0 bytes) }";
    assert_eq!(format!("{:?}", block.unwrap()), format!("KeyBlock {{ client: {keys}, server: {keys} }}"));
}
