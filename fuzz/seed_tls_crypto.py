#!/usr/bin/env python3
"""Seeds fuzz/corpus/tls_keylog/ and fuzz/corpus/tls_record/ for the tls_crypto fuzz targets.

The formats are the ones fuzz/fuzz_targets/tls_crypto_input.rs reads. The records are sealed here with Python's
`cryptography` package (OpenSSL) and the standard library's hmac, from the RFCs, with the fixed keys of the
fuzz target, so that tests/tls_crypto_fuzz_corpus.rs, which checks that every seed record decrypts, is also an
independent check of our key schedule and record layer for every suite. Run from the repository root (needs
`pip install cryptography`):
    python3 fuzz/seed_tls_crypto.py
"""
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

# IANA number -> (TLS version, hash, protection, key length, MAC hash or None).
SUITES = {
    0x1301: (13, "sha256", "gcm", 16, None),
    0x1302: (13, "sha384", "gcm", 32, None),
    0x1303: (13, "sha256", "chacha", 32, None),
    0xC02F: (12, "sha256", "gcm", 16, None),
    0xC030: (12, "sha384", "gcm", 32, None),
    0xC02B: (12, "sha256", "gcm", 16, None),
    0xC02C: (12, "sha384", "gcm", 32, None),
    0x009C: (12, "sha256", "gcm", 16, None),
    0x009D: (12, "sha384", "gcm", 32, None),
    0xCCA8: (12, "sha256", "chacha", 32, None),
    0xCCA9: (12, "sha256", "chacha", 32, None),
    0xC013: (12, "sha256", "cbc", 16, "sha1"),
    0xC014: (12, "sha256", "cbc", 32, "sha1"),
    0xC009: (12, "sha256", "cbc", 16, "sha1"),
    0xC00A: (12, "sha256", "cbc", 32, "sha1"),
    0xC027: (12, "sha256", "cbc", 16, "sha256"),
    0xC028: (12, "sha384", "cbc", 32, "sha384"),
    0xC023: (12, "sha256", "cbc", 16, "sha256"),
    0xC024: (12, "sha384", "cbc", 32, "sha384"),
    0x002F: (12, "sha256", "cbc", 16, "sha1"),
    0x0035: (12, "sha256", "cbc", 32, "sha1"),
    0x003C: (12, "sha256", "cbc", 16, "sha256"),
    0x003D: (12, "sha256", "cbc", 32, "sha256"),
}
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384}
CRYPTO_HASHES = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}


def hkdf_expand_label(hash_name, secret, label, length):
    """RFC 8446 section 7.1, with an empty context."""
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    return HKDFExpand(algorithm=CRYPTO_HASHES[hash_name], length=length, info=info).derive(secret)


def prf(hash_name, secret, label, seed, length):
    """RFC 5246 section 5: P_hash(secret, label + seed)."""
    h, seed, out, a = HASHES[hash_name], label + seed, b"", label + seed
    while len(out) < length:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + seed, h).digest()
    return out[:length]


def tls12_keys(suite, server):
    """The fuzz target's key block (master 0x4d.., client random 0xc1.., server random 0x5e..), one side."""
    _, hash_name, kind, key_len, mac = SUITES[suite]
    mac_len = HASHES[mac]().digest_size if mac else 0
    iv_len = {"gcm": 4, "chacha": 12, "cbc": 0}[kind]
    block = prf(hash_name, b"\x4d" * 48, b"key expansion", b"\x5e" * 32 + b"\xc1" * 32, 2 * (mac_len + key_len + iv_len))
    side = 1 if server else 0
    mac_key = block[side * mac_len:(side + 1) * mac_len]
    keys = block[2 * mac_len:]
    key = keys[side * key_len:(side + 1) * key_len]
    ivs = keys[2 * key_len:]
    return mac_key, key, ivs[side * iv_len:(side + 1) * iv_len]


def xor_seq(iv, seq):
    return bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))


def aead(kind, key):
    return AESGCM(key) if kind == "gcm" else ChaCha20Poly1305(key)


def header(content_type, length):
    return bytes([content_type, 3, 3]) + length.to_bytes(2, "big")


def seal_tls13(suite, secret, seq, content_type, content, padding=0):
    """RFC 8446 section 5.2: inner plaintext content + type + zeros; additional data is the header."""
    _, hash_name, kind, key_len, _ = SUITES[suite]
    key = hkdf_expand_label(hash_name, secret, b"key", key_len)
    iv = hkdf_expand_label(hash_name, secret, b"iv", 12)
    inner = content + bytes([content_type]) + b"\x00" * padding
    head = header(23, len(inner) + 16)
    return head + aead(kind, key).encrypt(xor_seq(iv, seq), inner, head)


def seal_tls12(suite, server, seq, content_type, content, encrypt_then_mac=False):
    """RFC 5288 (GCM), RFC 7905 (ChaCha20-Poly1305), RFC 5246 6.2.3.2 and RFC 7366 (CBC)."""
    _, _, kind, _, mac = SUITES[suite]
    mac_key, key, iv = tls12_keys(suite, server)
    ad = seq.to_bytes(8, "big") + bytes([content_type, 3, 3])
    if kind == "gcm":
        explicit = (seq + 1000).to_bytes(8, "big")
        sealed = AESGCM(key).encrypt(iv + explicit, content, ad + len(content).to_bytes(2, "big"))
        fragment = explicit + sealed
    elif kind == "chacha":
        fragment = ChaCha20Poly1305(key).encrypt(xor_seq(iv, seq), content, ad + len(content).to_bytes(2, "big"))
    else:
        record_iv = bytes([seq + 0x40]) * 16

        def encrypt(plaintext):
            pad = 15 - len(plaintext) % 16
            encryptor = Cipher(algorithms.AES(key), modes.CBC(record_iv)).encryptor()
            return encryptor.update(plaintext + bytes([pad]) * (pad + 1)) + encryptor.finalize()

        if encrypt_then_mac:
            encrypted = record_iv + encrypt(content)
            tag = hmac.new(mac_key, ad + len(encrypted).to_bytes(2, "big") + encrypted, HASHES[mac]).digest()
            fragment = encrypted + tag
        else:
            tag = hmac.new(mac_key, ad + len(content).to_bytes(2, "big") + content, HASHES[mac]).digest()
            fragment = record_iv + encrypt(content + tag)
    return header(content_type, len(fragment)) + fragment


def record_seed(suite, flags, records):
    return suite.to_bytes(2, "big") + bytes([flags]) + b"".join(records)


def record_seeds():
    seeds = {}
    for suite, (version, hash_name, kind, _, _) in SUITES.items():
        for server in (False, True):
            side = "server" if server else "client"
            name = f"{suite:04x}-{side}"
            texts = [f"seed record {i} of {suite:#06x} from the {side}".encode() for i in range(3)]
            if version == 13:
                secret = bytes([0x31 if server else 0x13]) * (48 if hash_name == "sha384" else 32)
                records = [seal_tls13(suite, secret, 0, 22, texts[0]), seal_tls13(suite, secret, 1, 23, texts[1], 7)]
                seeds[name] = record_seed(suite, 2 * server, records)
                if not server:
                    updated = hkdf_expand_label(hash_name, secret, b"traffic upd", len(secret))
                    records = [seal_tls13(suite, secret, 0, 23, texts[0]), seal_tls13(suite, updated, 0, 23, texts[1])]
                    seeds[name + "-key-update"] = record_seed(suite, 4, records)
                continue
            records = [seal_tls12(suite, server, i, 23 - (i == 0), texts[i]) for i in range(3)]
            seeds[name] = record_seed(suite, 2 * server, records)
            if kind == "cbc" and not server:
                records = [seal_tls12(suite, server, i, 23, texts[i], True) for i in range(2)]
                seeds[name + "-encrypt-then-mac"] = record_seed(suite, 1, records)
    return seeds


def keylog_seeds():
    cr = "c1" * 32
    tls13 = [f"{label} {cr} {'13' * 32}" for label in (
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET")]
    return {
        "tls13-session.txt": "\n".join(["# SSL/TLS secrets log file, generated by NSS"] + tls13) + "\n",
        "tls12-sessions.txt": "".join(f"CLIENT_RANDOM {i:02x}{'ab' * 31} {'4d' * 48}\r\n" for i in range(3)),
        "early-data-and-others.txt": (
            f"CLIENT_EARLY_TRAFFIC_SECRET {cr} {'e0' * 48}\nEARLY_EXPORTER_SECRET {cr} {'e1' * 48}\n"
            f"RSA 0123456789abcdef {'00' * 48}\nQUIC_SERVER_HANDSHAKE_TRAFFIC_SECRET {cr} {'51' * 32}\n"),
        "malformed-lines.txt": (
            f"CLIENT_RANDOM {cr}\nCLIENT_RANDOM {cr[:-1]} {'4d' * 48}\nCLIENT_RANDOM {cr} {'4d' * 32}\n"
            f"CLIENT_RANDOM {cr} {'zz' * 48}\nCLIENT_RANDOM {cr} {'4d' * 48} extra\nCLIENT_RANDOM {cr} {'4d' * 48}\n"),
    }


def write(target, seeds, mode):
    folder = os.path.join("fuzz", "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), mode) as f:
            f.write(data)


if __name__ == "__main__":
    write("tls_record", record_seeds(), "wb")
    write("tls_keylog", keylog_seeds(), "w")
