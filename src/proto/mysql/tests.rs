//! The MySQL decoder on the bytes of real captures (`captures/mysql.pcap`, `tests/fixtures/mysql/`), and on
//! packets made to the protocol's description where no capture has them (a failed login, CLIENT_DEPRECATE_EOF).

use super::super::testing::{decode_exchange, split_at};
use super::super::{DecoderOptions, Message, MessageKind, Protocol};
use super::{Command, Packet, ResultEnd};
use crate::tcp::Direction::{self, ClientToServer as C2S, ServerToClient as S2C};

/// Every data segment of `captures/mysql.pcap` (tshark `-e tcp.payload`), in frame order.
const SESSION: &[(Direction, &str)] = &[
    // frame 4
    (
        S2C,
        "640000000a352e352e352d31302e31312e31392d4d6172696144422d302b6465623132753100070000003e73495242347c3600feff080200ff81150000000000001d0000003546435a7d2848732e28794f006d7973716c5f6e61746976655f70617373776f726400",
    ),
    // frame 6
    (
        C2S,
        "ef0000010da23b00000000402d0000000000000000000000000000000000000000000000617070002064df96631836e6c46ea77e1c6b9abd2f101b2cf4387d64c21d8988a38848588973686f700063616368696e675f736861325f70617373776f7264008e045f706964053235363635095f706c6174666f726d067838365f36340c5f736f757263655f686f737402766d0c5f636c69656e745f6e616d65166d7973716c2d636f6e6e6563746f722d707974686f6e0f5f636c69656e745f6c6963656e73650747504c2d322e300f5f636c69656e745f76657273696f6e0732362e31302e30035f6f730944656269616e2d3132",
    ),
    // frame 8
    (S2C, "2c000002fe6d7973716c5f6e61746976655f70617373776f7264003e73495242347c363546435a7d2848732e28794f00"),
    // frame 9
    (C2S, "14000003d5c4f710bb0b14e6d372634966963f6a3c80f7d0"),
    // frame 10
    (S2C, "0700000400000002000000"),
    // frame 11
    (C2S, "3100000003534554204e414d45532027757466386d62342720434f4c4c4154452027757466386d62345f67656e6572616c5f636927"),
    // frame 12
    (S2C, "0700000100000002000000"),
    // frame 13
    (C2S, "1e0000000353455420404073657373696f6e2e6175746f636f6d6d6974203d204f4e"),
    // frame 14
    (S2C, "0700000100000002000000"),
    // frame 15
    (C2S, "010000000e"),
    // frame 16
    (S2C, "0700000100000002000000"),
    // frame 17
    (C2S, "010000000e"),
    // frame 18
    (S2C, "0700000100000002000000"),
    // frame 20
    (
        C2S,
        "3c0000000353454c4543542069642c206e616d652c2070726963652046524f4d206974656d73205748455245206964203c3d2033204f52444552204259206964",
    ),
    // frame 21
    (
        S2C,
        "010000010328000002036465660473686f70056974656d73056974656d730269640269640c3f000b0000000303420000002c000003036465660473686f70056974656d73056974656d73046e616d65046e616d650c2d00a0000000fd01100000002e000004036465660473686f70056974656d73056974656d730570726963650570726963650c3f000a000000f6011002000005000005fe000002000d0000060131056170706c6504302e35300d000007013205627265616404322e32300e00000801330663686565736504372e393505000009fe00000200",
    ),
    // frame 23
    (
        C2S,
        "3900000003494e5345525420494e544f206974656d7320286e616d652c207072696365292056414c554553202827676164676574272c2031322e353029",
    ),
    // frame 24
    (S2C, "0700000100010602000000"),
    // frame 26
    (C2S, "1c0000000353454c454354202a2046524f4d206e6f5f737563685f7461626c65"),
    // frame 27
    (S2C, "31000001ff7a042334325330325461626c65202773686f702e6e6f5f737563685f7461626c652720646f65736e2774206578697374"),
    // frame 29
    (C2S, "2b0000001653454c454354206e616d652c2070726963652046524f4d206974656d73205748455245206964203d203f"),
    // frame 30
    (
        S2C,
        "0c0000010001000000020001000000001700000203646566000000013f000c3f000000000006800000000005000003fe000002002c000004036465660473686f70056974656d73056974656d73046e616d65046e616d650c2d00a0000000fd01100000002e000005036465660473686f70056974656d73056974656d730570726963650570726963650c3f000a000000f6011002000005000006fe00000200",
    ),
    // frame 32
    (C2S, "050000001a01000000"),
    // frame 33
    (S2C, "0700000100000002000000"),
    // frame 34
    (C2S, "0f000000170100000000010000000001018002"),
    // frame 35
    (
        S2C,
        "01000001022c000002036465660473686f70056974656d73056974656d73046e616d65046e616d650c2d00a0000000fd01100000002e000003036465660473686f70056974656d73056974656d730570726963650570726963650c3f000a000000f6011002000005000004fe000002000d000005000005627265616404322e323005000006fe00000200",
    ),
    // frame 36
    (C2S, "050000001901000000"),
    // frame 38
    (C2S, "010000000e"),
    // frame 40
    (S2C, "0700000100000002000000"),
    // frame 42
    (C2S, "080000000261726368697665"),
    // frame 43
    (S2C, "0700000100000002000000"),
    // frame 45
    (C2S, "0100000001"),
];

/// Frames 4-21 of `tests/fixtures/mysql/mysql-compressed.pcap` (frame 18 is zlib-compressed).
const COMPRESSED: &[(Direction, &str)] = &[
    // frame 4
    (
        S2C,
        "640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231327531000b000000527a322a7842217a00feff080200ff81150000000000001d0000006878452c4d21597b243b3f68006d7973716c5f6e61746976655f70617373776f726400",
    ),
    // frame 6
    (
        C2S,
        "e30000012da23b00000000402d00000000000000000000000000000000000000000000006170700014a8d505f3be5ae18378dffd034b7fb48006751d6e73686f70006d7973716c5f6e61746976655f70617373776f7264008e045f706964053236353137095f706c6174666f726d067838365f36340c5f736f757263655f686f737402766d0c5f636c69656e745f6e616d65166d7973716c2d636f6e6e6563746f722d707974686f6e0f5f636c69656e745f6c6963656e73650747504c2d322e300f5f636c69656e745f76657273696f6e0732362e31302e30035f6f730944656269616e2d3132",
    ),
    // frame 8
    (S2C, "0700000200000002000000"),
    // frame 9
    (
        C2S,
        "350000000000003100000003534554204e414d45532027757466386d62342720434f4c4c4154452027757466386d62345f67656e6572616c5f636927",
    ),
    // frame 10
    (S2C, "0b0000010000000700000100000002000000"),
    // frame 17
    (
        C2S,
        "320000000000002e0000000353454c4543542069642c206e616d652c2070726963652046524f4d206974656d73204f52444552204259206964",
    ),
    // frame 18
    (
        S2C,
        "b0000001fa0000789c6d8d4b0ac2401044ab931e3f4914cfe0ca850e6334882bc19b44d36ac0687072204fe94eb14db642f1688a47350114ce80202ce4c4fe72af4dd948e53b0665a14976880184e15e39ff1dff5cbee595b4481678aaf9a689d202fcd737f5a33c4a47fd10a9fba2490018cd07986204f46869f2babe0a3b9b392dfa949ac343f282539bba3130a055ef7811f1c21bbbcd5419d2da1479239ed776e91220a28ce57cf6bcb2cee97adcae7f018d1a354a",
    ),
    // frame 20
    (C2S, "05000000000000010000000e"),
    // frame 21
    (S2C, "0b0000010000000700000100000002000000"),
];

fn hex(text: &str) -> Vec<u8> {
    (0..text.len() / 2).filter_map(|i| text.get(2 * i..2 * i + 2)).map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

fn decode(turns: &[(Direction, Vec<u8>)]) -> Vec<Message> {
    let turns: Vec<(Direction, &[u8])> = turns.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let options = DecoderOptions { force: Some(Protocol::MySql), ..Default::default() };
    decode_exchange(options, &turns)
}

fn decode_hex(turns: &[(Direction, &str)]) -> Vec<Message> {
    decode(&turns.iter().map(|(d, h)| (*d, hex(h))).collect::<Vec<_>>())
}

fn summaries(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.summary.as_str()).collect()
}

fn packet(message: &Message) -> Option<Packet> {
    match &message.kind {
        MessageKind::MySql { packet, .. } => Some(*packet),
        _ => None,
    }
}

fn query(message: &Message) -> Option<&str> {
    match &message.kind {
        MessageKind::MySql { query, .. } => query.as_deref(),
        _ => None,
    }
}

#[test]
fn a_whole_session_reads_like_wiresharks_info_column() {
    // tshark -d tcp.port==18306,mysql on captures/mysql.pcap: one message per frame, in these words.
    let messages = decode_hex(SESSION);
    assert_eq!(
        summaries(&messages),
        [
            "Server Greeting proto=10 version=10.11.19-MariaDB-0+deb12u1",
            "Login Request user=app db=shop",
            "Auth Switch Request (mysql_native_password)",
            "Auth Switch Response",
            "Response OK",
            "Request Query: SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
            "Response OK",
            "Request Query: SET @@session.autocommit = ON",
            "Response OK",
            "Request Ping",
            "Response OK",
            "Request Ping",
            "Response OK",
            "Request Query: SELECT id, name, price FROM items WHERE id <= 3 ORDER BY id",
            "Response TABULAR (3 columns, 3 rows)",
            "Request Query: INSERT INTO items (name, price) VALUES ('gadget', 12.50)",
            "Response OK (1 row affected, last insert id 6)",
            "Request Query: SELECT * FROM no_such_table",
            "Response Error 1146 (42S02: Table 'shop.no_such_table' doesn't exist)",
            "Request Prepare Statement: SELECT name, price FROM items WHERE id = ?",
            "Response Prepare OK (statement 1, 1 parameter, 2 columns)",
            "Request Reset Statement (statement 1)",
            "Response OK",
            "Request Execute Statement (statement 1)",
            "Response TABULAR (2 columns, 1 row)",
            "Request Close Statement (statement 1)",
            "Request Ping",
            "Response OK",
            "Request Use Database: archive",
            "Response OK",
            "Request Quit",
        ]
    );
    assert!(messages.iter().all(|m| m.protocol == Protocol::MySql));
    let login = &messages[1];
    assert!(login.detail.contains(&"auth plugin: caching_sha2_password".to_string()), "{:?}", login.detail);
    assert!(login.detail.contains(&"auth response: …redacted… (32 bytes)".to_string()), "{:?}", login.detail);
    assert!(messages[14].detail.contains(&"columns: id, name, price".to_string()), "{:?}", messages[14].detail);
    assert_eq!(
        packet(&messages[14]),
        Some(Packet::ResultSet { columns: 3, rows: 3, end: Some(ResultEnd::Eof), more_results: false, binary: false })
    );
    assert_eq!(packet(&messages[18]), Some(Packet::Error { code: 1146 }));
    assert_eq!(packet(&messages[20]), Some(Packet::PrepareOk { statement: 1, params: 1, columns: 2 }));
    assert_eq!(packet(&messages[23]), Some(Packet::Command(Command::StmtExecute)));
    assert_eq!(
        query(&messages[23]),
        Some("SELECT name, price FROM items WHERE id = ?"),
        "the prepared statement's SQL"
    );
    assert!(matches!(packet(&messages[24]), Some(Packet::ResultSet { binary: true, rows: 1, .. })));
}

#[test]
fn auth_responses_are_hidden_unless_redaction_is_off() {
    // Frame 9's 20-byte mysql_native_password token.
    let token = "d5c4f710bb0b14e6d372634966963f6a3c80f7d0";
    let shown = format!("{messages:?}", messages = decode_hex(SESSION));
    assert!(!shown.contains(token));
    let turns: Vec<(Direction, Vec<u8>)> = SESSION.iter().map(|(d, h)| (*d, hex(h))).collect();
    let turns: Vec<(Direction, &[u8])> = turns.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let options = DecoderOptions { force: Some(Protocol::MySql), redact: false, ..Default::default() };
    let messages = decode_exchange(options, &turns);
    assert!(messages[3].detail.contains(&format!("auth response: {token} (20 bytes)")), "{:?}", messages[3].detail);
}

/// The server's half of frames 20-21: a query, then its result set (9 packets in one segment).
fn query_and_result() -> (Vec<u8>, Vec<u8>) {
    (hex(SESSION[13].1), hex(SESSION[14].1))
}

#[test]
fn a_result_set_split_anywhere_counts_the_same_rows() {
    let (query_bytes, result) = query_and_result();
    for cut in 1..result.len() {
        let turns: Vec<(Direction, Vec<u8>)> = std::iter::once((C2S, query_bytes.clone()))
            .chain(split_at(&result, &[cut]).into_iter().map(|part| (S2C, part.to_vec())))
            .collect();
        let messages = decode(&turns);
        let last = messages.last().expect("messages");
        let Some(Packet::ResultSet { rows: 3, end: Some(ResultEnd::Eof), .. }) = packet(last) else {
            panic!("cut at {cut}: {:?}", summaries(&messages));
        };
        // When the first part holds the definitions, it shows the result set so far (as Wireshark shows that
        // segment); the second part ends it.
        let heads = messages.iter().filter(|m| matches!(packet(m), Some(Packet::ResultSet { end: None, .. })));
        assert!(heads.count() <= 1, "cut at {cut}: {:?}", summaries(&messages));
        assert!(messages.len() <= 3, "cut at {cut}: {:?}", summaries(&messages));
    }
}

#[test]
fn a_result_set_over_two_segments_is_shown_on_both() {
    // The definitions, the EOF and the first row in one segment; the other rows and the EOF in the next.
    let (query_bytes, result) = query_and_result();
    let first_row_end = 161 + 17;
    let turns =
        [(C2S, query_bytes), (S2C, result[..first_row_end + 4].to_vec()), (S2C, result[first_row_end + 4..].to_vec())];
    let messages = decode(&turns);
    assert_eq!(
        summaries(&messages),
        [
            "Request Query: SELECT id, name, price FROM items WHERE id <= 3 ORDER BY id",
            "Response TABULAR (3 columns, 1 row, more follow)",
            "Response (end of result set: 3 rows in all)"
        ]
    );
    assert_eq!((messages[1].frame, messages[1].end_frame), (2, 2));
    assert_eq!((messages[2].frame, messages[2].end_frame), (2, 3), "the cut row starts in frame 2");
}

#[test]
fn a_huge_row_is_counted_and_skipped_not_kept() {
    // A result set of one column, one row of 1 MiB, in 64 KiB segments: the buffer never holds the row.
    let (query_bytes, result) = query_and_result();
    let head = [&[0x01, 0x00, 0x00, 0x01, 0x01][..], &result[5..49], &[5, 0, 0, 3, 0xfe, 0, 0, 2, 0]].concat();
    let mut row = vec![0, 0, 0x10, 0x04, 0xfd, 0xfc, 0xff, 0x0f];
    row.extend(std::iter::repeat_n(b'x', (1 << 20) - 4));
    let body = [&head[..], &row, &[5, 0, 0, 5, 0xfe, 0, 0, 2, 0]].concat();
    let mut turns = vec![(C2S, query_bytes)];
    turns.extend(body.chunks(64 * 1024).map(|part| (S2C, part.to_vec())));
    let messages = decode(&turns);
    assert_eq!(
        packet(messages.last().unwrap()),
        Some(Packet::ResultSet { columns: 1, rows: 1, end: Some(ResultEnd::Eof), more_results: false, binary: false }),
        "{:?}",
        summaries(&messages)
    );
}

#[test]
fn the_ssl_request_switches_both_directions_to_tls() {
    // tests/fixtures/mysql/mysql-tls.pcap frames 4 (greeting), 6 (SSL request, 32 bytes) and the start of 8.
    let greeting = hex(SESSION[0].1);
    let ssl = hex("200000010daa3b00000000402d0000000000000000000000000000000000000000000000");
    let hello = vec![0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00];
    let messages = decode(&[(S2C, greeting), (C2S, ssl), (C2S, hello)]);
    assert_eq!(
        summaries(&messages)[..2],
        ["Server Greeting proto=10 version=10.11.19-MariaDB-0+deb12u1", "SSL Request (switch to TLS)"]
    );
    assert_eq!(packet(&messages[1]), Some(Packet::SslRequest));
    assert_eq!(messages[2].protocol, Protocol::Tls, "{:?}", summaries(&messages));
}

#[test]
fn the_compressed_protocol_decodes_what_is_sent_uncompressed_and_names_the_rest() {
    let all = super::super::decode_turns(
        &DecoderOptions { force: Some(Protocol::MySql), ..Default::default() },
        &COMPRESSED
            .iter()
            .map(|(d, h)| (*d, hex(h)))
            .collect::<Vec<_>>()
            .iter()
            .map(|(d, b)| (*d, b.as_slice()))
            .collect::<Vec<_>>(),
    );
    let note = all.iter().find(|m| matches!(m.kind, MessageKind::Note { .. })).expect("a note");
    assert_eq!(note.frame, 3, "at the login's OK");
    let messages: Vec<Message> = all.into_iter().filter(|m| !matches!(m.kind, MessageKind::Note { .. })).collect();
    assert_eq!(
        summaries(&messages),
        [
            "Server Greeting proto=10 version=10.11.19-MariaDB-0+deb12u1",
            "Login Request user=app db=shop",
            "Response OK",
            "Request Query: SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
            "Response OK",
            "Request Query: SELECT id, name, price FROM items ORDER BY id",
            "Response (compressed: 176 → 250 bytes, zlib, not inflated)",
            "Request Ping",
            "Response OK",
        ]
    );
    assert_eq!(packet(&messages[6]), Some(Packet::Compressed { compressed: 176, uncompressed: 250 }));
    assert!(messages[8].detail.contains(&"in the compressed protocol, sent uncompressed".to_string()));
}

/// A packet with this sequence id and payload.
fn packet_bytes(seq: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    [&len.to_le_bytes()[..3], &[seq], payload].concat()
}

#[test]
fn a_refused_login_is_an_error() {
    let greeting = hex(SESSION[0].1);
    let login = hex(SESSION[1].1);
    let denied = packet_bytes(2, b"\xff\x15\x04#28000Access denied for user 'app'@'127.0.0.1' (using password: YES)");
    let messages = decode(&[(S2C, greeting), (C2S, login), (S2C, denied)]);
    assert_eq!(
        messages[2].summary,
        "Response Error 1045 (28000: Access denied for user 'app'@'127.0.0.1' (using password: YES))"
    );
    assert_eq!(packet(&messages[2]), Some(Packet::Error { code: 1045 }));
}

#[test]
fn with_deprecate_eof_an_ok_packet_ends_the_rows() {
    // Capabilities 0x01000200 (PROTOCOL_41, DEPRECATE_EOF) on both sides; a query and its result set of one
    // column and two rows, ended by an OK packet with the EOF header and no EOF after the definition.
    let mut greeting = hex(SESSION[0].1);
    greeting[4 + 1 + 32 + 4 + 8 + 1..][..2].copy_from_slice(&[0x00, 0x02]);
    greeting[4 + 1 + 32 + 4 + 8 + 1 + 2 + 3..][..2].copy_from_slice(&[0x00, 0x01]);
    let mut login = hex(SESSION[1].1);
    login[4..8].copy_from_slice(&[0x00, 0x02, 0x00, 0x01]);
    login.truncate(4 + 32 + 4);
    login[..3].copy_from_slice(&[36, 0, 0]);
    login[36..40].copy_from_slice(b"app\0");
    let definition = packet_bytes(
        2,
        b"\x03def\x04shop\x05items\x05items\x02id\x02id\x0c\x3f\x00\x0b\x00\x00\x00\x03\x03\x42\x00\x00\x00",
    );
    let rows = [packet_bytes(1, &[1]), definition, packet_bytes(3, b"\x011"), packet_bytes(4, b"\x012")].concat();
    let ok_eof = packet_bytes(5, &[0xfe, 0, 0, 0x02, 0, 0, 0]);
    let turns = [
        (S2C, greeting),
        (C2S, login),
        (S2C, packet_bytes(2, &[0, 0, 0, 2, 0, 0, 0])),
        (C2S, packet_bytes(0, b"\x03SELECT id FROM items")),
        (S2C, [rows, ok_eof].concat()),
    ];
    let messages = decode(&turns);
    assert_eq!(
        messages.last().map(|m| m.summary.as_str()),
        Some("Response TABULAR (1 column, 2 rows)"),
        "{:?}",
        summaries(&messages)
    );
    assert!(messages.last().unwrap().detail.contains(&"ended by OK".to_string()));
}

#[test]
fn sql_carries_no_control_characters() {
    let messages = decode(&[(C2S, packet_bytes(0, b"\x03SELECT '\x1b[31mred\x07'\n  AS x"))]);
    assert_eq!(query(&messages[0]), Some("SELECT '.[31mred.'   AS x"));
    assert_eq!(messages[0].summary, "Request Query: SELECT '.[31mred.'\\n  AS x");
    assert!(!format!("{messages:?}").contains('\x1b'));
}

#[test]
fn a_long_query_is_summarised_from_its_start() {
    // As the 20 KB query of mysql-multi.pcap (frames 29 and 31), without its result.
    let sql = format!("SELECT LENGTH('{}')", "x".repeat(20_000));
    let bytes = packet_bytes(0, &[&[3], sql.as_bytes()].concat());
    let messages = decode(&[(C2S, bytes[..8192].to_vec()), (C2S, bytes[8192..].to_vec())]);
    assert_eq!(messages.len(), 1, "{:?}", summaries(&messages));
    assert_eq!((messages[0].frame, messages[0].end_frame), (1, 2));
    assert!(sql.starts_with(query(&messages[0]).unwrap()));
    let kept = format!("{} bytes, first 8192 decoded", bytes.len() - 4);
    assert!(messages[0].detail.contains(&kept), "{:?}", messages[0].detail);
}

#[test]
fn garbage_is_never_a_panic_and_a_cut_packet_says_so() {
    let messages = decode(&[(S2C, vec![0x64, 0, 0, 0, 10, b'5']), (C2S, vec![0xff; 300])]);
    assert!(
        messages
            .iter()
            .any(|m| matches!(&m.kind, MessageKind::Malformed { reason } if reason.contains("MySQL packet"))),
        "{:?}",
        summaries(&messages)
    );
}

#[test]
fn a_statement_executed_with_a_cursor_gets_its_rows_with_fetch() {
    // After the prepare of captures/mysql.pcap (frames 29, 30): an execute with CURSOR_TYPE_READ_ONLY is answered
    // by the column count, the definitions and an EOF with SERVER_STATUS_CURSOR_EXISTS; COM_STMT_FETCH (28)
    // brings the rows, in the binary protocol, and an EOF.
    let mut turns: Vec<(Direction, Vec<u8>)> = SESSION[..21].iter().map(|(d, h)| (*d, hex(h))).collect();
    let result = hex(SESSION[24].1);
    let definitions_end = 5 + 48 + 50; // the column count and two definitions
    let head = [&result[..definitions_end], &[5, 0, 0, 4, 0xfe, 0, 0, 0x42, 0]].concat();
    turns.push((C2S, packet_bytes(0, &[0x17, 1, 0, 0, 0, 0x01, 1, 0, 0, 0, 0, 1, 0x08, 0, 2, 0, 0, 0])));
    turns.push((S2C, head));
    turns.push((C2S, packet_bytes(0, &[0x1c, 1, 0, 0, 0, 10, 0, 0, 0])));
    turns.push((S2C, [&result[definitions_end + 9..result.len() - 9], &[5, 0, 0, 2, 0xfe, 0, 0, 0x82, 0]].concat()));
    let messages = decode(&turns);
    let tail: Vec<&str> = summaries(&messages).into_iter().skip(21).collect();
    assert_eq!(
        tail,
        [
            "Request Execute Statement (statement 1)",
            "Response TABULAR (2 columns, 0 rows)",
            "Request Fetch Data (statement 1)",
            "Response TABULAR (1 row)"
        ]
    );
}

#[test]
fn the_protocol_is_named_as_wireshark_and_the_options_name_it() {
    assert_eq!(Protocol::from_name("mysql"), Some(Protocol::MySql), "--protocol mysql, protocol = \"mysql\"");
    assert_eq!(Protocol::from_name("MariaDB"), Some(Protocol::MySql));
    assert_eq!((Protocol::MySql.name(), Protocol::MySql.column_name()), ("mysql", "MySQL"));
    assert_eq!(Protocol::from_name(Protocol::MySql.name()), Some(Protocol::MySql));
}
