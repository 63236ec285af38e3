//! The MySQL decoder against tshark's MySQL dissector: for every capture with a `*.tshark-mysql.tsv` (and, for
//! `mysql-tls.pcap`, the `*.tshark-mysql-decrypted.tsv` made with its key log), every frame where tshark shows
//! MySQL holds our MySQL messages in the same direction, of the same kind (greeting, login, command code,
//! response code, error code, result set with its column and row counts), and we show MySQL nowhere else.
//! Expected values come from tshark's files; the rows where tshark is wrong are listed with the reason.

mod common;

use common::{TsharkRow, repo, tshark_table};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tcpdialog::analyze::{CaptureAnalysis, analyze_file};
use tcpdialog::proto::mysql::{Command, Packet, ResultEnd};
use tcpdialog::proto::tls::read_key_log;
use tcpdialog::proto::{DecoderOptions, Message, MessageKind, Protocol};
use tcpdialog::tcp::Direction;

/// The MariaDB server's port in every capture (`tests/fixtures/mysql/README.md`).
const SERVER_PORT: &str = "18306";
/// Bytes of a packet's payload we keep (a longer query's SQL is its start).
const KEPT_SQL: usize = 8000;

/// Rows where tshark 4.0.17 is wrong, and what we show there instead. In the compressed protocol tshark reads
/// the compressed header right but dissects the zlib bytes as a plain packet (`Request Unknown (96)`, packet
/// numbers 102/139/141/214): `tests/fixtures/mysql/README.md`. The sizes are tshark's own
/// `mysql.compressed_packet_length` and `mysql.compressed_packet_length_uncompressed` for those frames, from
/// the README's table.
const TSHARK_WRONG: [(&str, u64, &str); 4] = [
    ("mysql-compressed.pcap", 18, "compressed 176 -> 250"),
    ("mysql-compressed.pcap", 23, "compressed 101 -> 111"),
    ("mysql-compressed.pcap", 24, "compressed 103 -> 121"),
    ("mysql-compressed.pcap", 30, "compressed 271 -> 2174"),
];

fn analyse(capture: &Path, keys: Option<&Path>) -> CaptureAnalysis {
    let keylog = keys.map(|k| Arc::new(read_key_log(k).unwrap().keys));
    analyze_file(capture, &DecoderOptions { keylog, ..Default::default() }).unwrap()
}

fn cell<'a>(row: &'a TsharkRow, name: &str) -> &'a str {
    row.get(name).map_or("", String::as_str)
}

fn list<'a>(row: &'a TsharkRow, name: &str) -> Vec<&'a str> {
    cell(row, name).split(',').filter(|v| !v.is_empty()).collect()
}

fn detail<'a>(m: &'a Message, name: &str) -> &'a str {
    m.detail.iter().find_map(|d| d.strip_prefix(&format!("{name}: "))).unwrap_or_default()
}

/// What tshark says one frame carries, as the facts we compare. `rows` carries a result set's rows over the
/// frames it spans.
fn expected(row: &TsharkRow, rows: &mut u64) -> String {
    let info = cell(row, "_ws.col.Info");
    let packets = list(row, "mysql.packet_number").len() as u64;
    let eofs = list(row, "mysql.response_code").iter().filter(|c| **c == "0xfe").count() as u64;
    let columns: Option<u64> = cell(row, "mysql.num_fields").parse().ok();
    if info.starts_with("Server Greeting") {
        return format!("greeting version={} plugin={}", cell(row, "mysql.version"), cell(row, "mysql.auth_plugin"));
    }
    if info.starts_with("Login Request") {
        let (user, db, plugin) =
            (cell(row, "mysql.user"), cell(row, "mysql.schema"), cell(row, "mysql.client_auth_plugin"));
        return format!("login user={user} db={db} plugin={plugin}");
    }
    if info.starts_with("Response: SSL Handshake") {
        return "ssl request".to_string();
    }
    if info.starts_with("Auth Switch Request") {
        return format!("auth switch request plugin={}", cell(row, "mysql.auth_switch_request.name"));
    }
    if info.starts_with("Auth Switch Response") {
        return "auth switch response".to_string();
    }
    if let Ok(code) = cell(row, "mysql.command").parse::<u8>() {
        return match code {
            2 => format!("command 2 schema={}", cell(row, "mysql.schema")),
            _ => format!("command {code}"),
        };
    }
    if let Ok(code) = cell(row, "mysql.error_code").parse::<u16>() {
        let (state, text) = (cell(row, "mysql.sqlstate"), cell(row, "mysql.error.message"));
        return format!("error {code} state={state} message={text}");
    }
    match (columns, info.contains("TABULAR")) {
        // Column count, definitions, the EOF after them, rows, and the terminating EOF if it is in this frame.
        (Some(columns), true) => {
            *rows = packets - 1 - columns - eofs;
            let ended = if eofs == 2 { "ended" } else { "continues" };
            format!("result set columns={columns} rows={rows} {ended}")
        }
        // A prepare OK: the OK, parameter definitions and their EOF, column definitions and their EOF.
        (Some(columns), false) => {
            format!("prepare ok columns={columns} params={}", packets - 1 - columns - eofs)
        }
        // The rest of a result set: rows and its terminating EOF.
        (None, _) if info.starts_with("Response Response") => {
            *rows += packets - eofs;
            format!("result set rows={rows} ended")
        }
        (None, _) if list(row, "mysql.response_code") == ["0x00"] => "ok".to_string(),
        _ => format!("unknown row {info:?}"),
    }
}

/// The same facts for our messages.
fn ours(m: &Message) -> String {
    let MessageKind::MySql { packet, .. } = &m.kind else {
        return format!("not MySQL: {}", m.summary);
    };
    match *packet {
        Packet::Greeting { .. } => {
            format!("greeting version={} plugin={}", detail(m, "version"), detail(m, "auth plugin"))
        }
        Packet::LoginRequest => {
            format!("login user={} db={} plugin={}", detail(m, "user"), detail(m, "database"), detail(m, "auth plugin"))
        }
        Packet::SslRequest => "ssl request".to_string(),
        Packet::AuthSwitchRequest => format!("auth switch request plugin={}", detail(m, "auth plugin")),
        Packet::AuthSwitchResponse => "auth switch response".to_string(),
        Packet::Command(Command::InitDb) => format!("command 2 schema={}", detail(m, "schema")),
        Packet::Command(command) => format!("command {}", command.code()),
        Packet::Error { code } => {
            format!("error {code} state={} message={}", detail(m, "SQL state"), detail(m, "message"))
        }
        Packet::ResultSet { columns, rows, end, .. } if m.summary.starts_with("Response TABULAR") => {
            let ended = if end == Some(ResultEnd::Eof) { "ended" } else { "continues" };
            format!("result set columns={columns} rows={rows} {ended}")
        }
        Packet::ResultSet { rows, end: Some(ResultEnd::Eof), .. } => format!("result set rows={rows} ended"),
        Packet::PrepareOk { columns, params, .. } => format!("prepare ok columns={columns} params={params}"),
        Packet::Ok { .. } => "ok".to_string(),
        Packet::Compressed { compressed, uncompressed } => format!("compressed {compressed} -> {uncompressed}"),
        other => format!("{other:?}"),
    }
}

/// Compares one capture with one tshark file; returns the number of rows compared.
fn compare(capture: &Path, tsv: &str, keys: Option<&Path>) -> usize {
    let name = capture.file_name().unwrap().to_string_lossy().into_owned();
    let analysis = analyse(capture, keys);
    let rows = tshark_table(&capture.with_file_name(format!("{name}.{tsv}")));
    let mut ours_at: BTreeMap<(u64, Direction), Vec<&Message>> = BTreeMap::new();
    for m in analysis.messages.iter().filter(|m| m.protocol == Protocol::MySql) {
        ours_at.entry((m.shown_frame(), m.dir)).or_default().push(m);
    }
    let mut problems = Vec::new();
    let mut result_rows = 0;
    for row in &rows {
        let frame: u64 = cell(row, "frame.number").parse().unwrap();
        let dir = match cell(row, "tcp.srcport") == SERVER_PORT {
            true => Direction::ServerToClient,
            false => Direction::ClientToServer,
        };
        let messages = ours_at.remove(&(frame, dir)).unwrap_or_default();
        let got: Vec<String> = messages.iter().map(|m| ours(m)).collect();
        let want = match TSHARK_WRONG.iter().find(|(file, f, _)| *file == name && *f == frame) {
            Some((.., instead)) => instead.to_string(),
            None => expected(row, &mut result_rows),
        };
        if got != [want.clone()] {
            problems.push(format!("frame {frame} {dir:?}: tshark {want:?}, ours {got:?}"));
        }
        for m in &messages {
            problems.extend(sql_problem(row, m, frame));
            if cell(row, "_ws.col.Protocol") != m.protocol.column_name() {
                problems.push(format!("frame {frame}: Protocol column {}", m.protocol.column_name()));
            }
            if m.decrypted != keys.is_some_and(|_| frame > 6) {
                problems.push(format!("frame {frame}: decrypted is {}", m.decrypted));
            }
        }
    }
    for ((frame, dir), messages) in ours_at {
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        problems.push(format!("frame {frame} {dir:?}: only we show MySQL: {summaries:?}"));
    }
    assert!(problems.is_empty(), "{name} against {tsv}:\n{}", problems.join("\n"));
    rows.len()
}

/// A query's SQL is tshark's `mysql.query` (its start, for one longer than we keep).
fn sql_problem(row: &TsharkRow, m: &Message, frame: u64) -> Option<String> {
    let theirs = cell(row, "mysql.query");
    let MessageKind::MySql { query, packet: Packet::Command(Command::Query | Command::StmtPrepare) } = &m.kind else {
        return None;
    };
    let ours = query.as_deref().unwrap_or_default();
    let same = theirs.starts_with(ours) && ours.len() >= theirs.len().min(KEPT_SQL);
    (!same).then(|| format!("frame {frame}: SQL {ours:?}, tshark {theirs:?}"))
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo().join("tests/fixtures/mysql").join(name)
}

#[test]
fn the_site_capture_matches_tshark() {
    assert_eq!(compare(&repo().join("captures/mysql.pcap"), "tshark-mysql.tsv", None), 31);
}

#[test]
fn many_packets_per_segment_and_packets_across_segments_match_tshark() {
    assert_eq!(compare(&fixture("mysql-multi.pcap"), "tshark-mysql.tsv", None), 21);
}

#[test]
fn the_compressed_protocol_matches_tshark_where_tshark_can_read_it() {
    assert_eq!(compare(&fixture("mysql-compressed.pcap"), "tshark-mysql.tsv", None), 26);
}

#[test]
fn tls_hides_everything_after_the_ssl_request_unless_the_key_log_is_given() {
    assert_eq!(compare(&fixture("mysql-tls.pcap"), "tshark-mysql.tsv", None), 2);
    let keys = fixture("mysql-tls.keys");
    assert_eq!(compare(&fixture("mysql-tls.pcap"), "tshark-mysql-decrypted.tsv", Some(&keys)), 17);
}

#[test]
fn every_capture_with_tsharks_mysql_view_is_compared() {
    // The tests above name their files: a new capture with a tshark-mysql file must be added to them.
    let mut found = Vec::new();
    for dir in [repo().join("captures"), repo().join("tests/fixtures/mysql")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.contains(".tshark-mysql") {
                found.push(name);
            }
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            "mysql-compressed.pcap.tshark-mysql.tsv",
            "mysql-multi.pcap.tshark-mysql.tsv",
            "mysql-tls.pcap.tshark-mysql-decrypted.tsv",
            "mysql-tls.pcap.tshark-mysql.tsv",
            "mysql.pcap.tshark-mysql.tsv"
        ]
    );
}
