//! Test vectors of RFC 8448 ("Example Handshake Traces for TLS 1.3"), §3 "Simple 1-RTT Handshake"
//! (TLS_AES_128_GCM_SHA256), as hex.
//!
//! Copied by script, not by hand, from two public transcriptions of the RFC: the secrets, keys and IVs from
//! BouncyCastle's `TlsCryptoTest.testHKDF` (bc-java, which quotes the RFC step by step), the records and
//! handshake messages from Botan's `src/tests/data/tls_13_rfc8448/transcripts.vec` (section
//! `[Simple_1RTT_Handshake]`). Each record's GCM tag vouches for the secret it is decrypted with; the values
//! were also checked once with Python's `cryptography` (HKDF-Expand and AES-GCM) while writing the tests.

/// `{client} derive secret "tls13 c hs traffic"`.
pub const CLIENT_HANDSHAKE_TRAFFIC_SECRET: &str = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
/// `{server} derive secret "tls13 s hs traffic"`.
pub const SERVER_HANDSHAKE_TRAFFIC_SECRET: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
/// `{server} derive secret "tls13 c ap traffic"`.
pub const CLIENT_TRAFFIC_SECRET_0: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
/// `{server} derive secret "tls13 s ap traffic"`.
pub const SERVER_TRAFFIC_SECRET_0: &str = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
/// `{server} derive write traffic keys for handshake data`: key.
pub const SERVER_HANDSHAKE_KEY: &str = "3fce516009c21727d0f2e4e86ee403bc";
/// The iv of the same.
pub const SERVER_HANDSHAKE_IV: &str = "5d313eb2671276ee13000b30";
/// `{server} derive read traffic keys for handshake data`: key.
pub const CLIENT_HANDSHAKE_KEY: &str = "dbfaa693d1762c5b666af5d950258d01";
/// The iv of the same.
pub const CLIENT_HANDSHAKE_IV: &str = "5bd3c71b836e0b76bb73265f";
/// `{server} derive write traffic keys for application data`: key.
pub const SERVER_APPLICATION_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
/// The iv of the same.
pub const SERVER_APPLICATION_IV: &str = "cf782b88dd83549aadf1e984";
/// `{server} derive read traffic keys for application data`: key.
pub const CLIENT_APPLICATION_KEY: &str = "17422dda596ed5d9acd890e3c63f5051";
/// The iv of the same.
pub const CLIENT_APPLICATION_IV: &str = "5b78923dee08579033e523d9";
/// `{server} send handshake record` (679 octets): EncryptedExtensions to Finished, server seq 0.
pub const SERVER_HANDSHAKE_RECORD: &str = concat!(
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca",
    "07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b",
    "d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c",
    "7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092",
    "8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8",
    "9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f",
    "4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a3",
    "6ac1b639c637ce343117b659622245317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e",
    "1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052c",
    "f93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe",
    "5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb",
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038",
    "ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee340bbc4fddd50278",
    "4016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e",
    "750edc53370d2b",
);
/// The EncryptedExtensions in that record.
pub const ENCRYPTED_EXTENSIONS: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
/// The Certificate in that record.
pub const CERTIFICATE: &str = concat!(
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a",
    "06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a",
    "0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d98",
    "0836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312",
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d0",
    "3e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355",
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f",
    "8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102",
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8",
    "f8961229ac9187b42b4de10000",
);
/// The CertificateVerify in that record.
pub const CERTIFICATE_VERIFY: &str = concat!(
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d3",
    "3a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c",
    "9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3",
);
/// The server Finished in that record.
pub const SERVER_FINISHED: &str = "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
/// `{client} send handshake record` (58 octets): the client Finished, client seq 0.
pub const CLIENT_FINISHED_RECORD: &str = concat!(
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1c",
    "aeacab6867d726c40546",
);
/// `{client} construct a Finished handshake message`.
pub const CLIENT_FINISHED: &str = "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
/// `{server} send handshake record` (227 octets): NewSessionTicket, server application seq 0.
pub const NEW_SESSION_TICKET_RECORD: &str = concat!(
    "17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a",
    "015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0",
    "9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77",
    "f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74",
    "bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f",
);
/// `{client} send application_data record`, client application seq 0; its payload is 00 01 … 31.
pub const CLIENT_APPLICATION_RECORD: &str = concat!(
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b",
    "62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4",
);
/// `{server} send application_data record`, server application seq 1, the same payload.
pub const SERVER_APPLICATION_RECORD: &str = concat!(
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8",
    "fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d",
);
/// `{client} send alert record`: close_notify (01 00), client application seq 1.
pub const CLIENT_ALERT_RECORD: &str = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";
/// `{server} send alert record`: close_notify, server application seq 2.
pub const SERVER_ALERT_RECORD: &str = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";
