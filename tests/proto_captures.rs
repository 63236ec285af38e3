//! The protocol decoders on real captures, compared with tshark's view of the same files.
//!
//! Each `*.tshark-messages.tsv` lists, per frame that completes application messages, tshark's fields
//! (comma-separated when a frame holds several messages). We project our messages completed by the same frame
//! onto the same columns and compare row by row, so both the frame attribution and the decoded content count.

mod common;

use common::{TsharkRow, repo, tshark_table};
use std::collections::BTreeMap;
use std::path::Path;
use tcpdialog::analyze::{CaptureAnalysis, analyze_file};
use tcpdialog::proto::postgres::PgMessage;
use tcpdialog::proto::tls::{ContentType, HandshakeType};
use tcpdialog::proto::websocket::Opcode;
use tcpdialog::proto::{DecoderOptions, Message, MessageKind, Protocol, REDACTED, thousands};

fn analyze(path: &str, options: &DecoderOptions) -> CaptureAnalysis {
    analyze_file(Path::new(path), options).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One tshark row: column -> value.
type Row = BTreeMap<String, String>;

/// tshark's rows by (frame, stream), plus the column names in file order.
fn tshark_rows(path: &str) -> (Vec<String>, BTreeMap<(u64, usize), Row>) {
    let text = std::fs::read_to_string(format!("{path}.tshark-messages.tsv")).expect("expectation file");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split('\t').map(str::to_string).collect();
    let mut rows = BTreeMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let row: Row = header
            .iter()
            .cloned()
            .zip(line.split('\t').map(str::to_string).chain(std::iter::repeat(String::new())))
            .collect();
        let frame = row["frame.number"].parse().expect("frame number");
        let stream = row["tcp.stream"].parse().expect("stream");
        rows.insert((frame, stream), row);
    }
    (header, rows)
}

/// (frame, stream) of the segments tshark calls retransmissions, from the per-frame expectation file.
fn tshark_retransmissions(path: &str) -> Vec<(u64, usize)> {
    let text = std::fs::read_to_string(format!("{path}.tshark.tsv")).expect("expectation file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (frame, stream) = (col("frame.number"), col("tcp.stream"));
    let flags = [col("tcp.analysis.retransmission"), col("tcp.analysis.fast_retransmission")];
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| flags.iter().any(|&i| f.get(i).is_some_and(|v| !v.is_empty())))
        .map(|f| (f[frame].parse().expect("frame"), f[stream].parse().expect("stream")))
        .collect()
}

/// The text of `WS Text "…"` summaries, unescaped.
fn ws_text(summary: &str) -> Option<String> {
    let start = summary.find('"')?;
    let end = summary.rfind('"')?;
    Some(summary.get(start + 1..end)?.replace("\\\"", "\"").replace("\\n", "\n"))
}

/// A header's value from a message's detail lines, whatever the case of its name.
fn detail_value_any_case(m: &Message, name: &str) -> Option<String> {
    m.detail.iter().find_map(|d| {
        let (header, value) = d.split_once(": ")?;
        header.eq_ignore_ascii_case(name).then(|| value.to_string())
    })
}

fn detail_value(m: &Message, name: &str) -> Option<String> {
    m.detail.iter().find_map(|d| d.strip_prefix(&format!("{name}: ")).map(str::to_string))
}

/// tshark's `pgsql.type` words for our PostgreSQL summaries.
fn pgsql_type(summary: &str) -> &'static str {
    let first = summary.split([' ', ':']).next().unwrap_or_default();
    match first {
        "StartupMessage" => "Startup message",
        "SSLRequest" => "SSL request",
        s if s.starts_with("Authentication") => "Authentication request",
        "SASLInitialResponse" => "SASLInitialResponse message",
        "SASLResponse" => "SASLResponse message",
        "PasswordMessage" => "Password message",
        "ParameterStatus" => "Parameter status",
        "BackendKeyData" => "Backend key data",
        "ReadyForQuery" => "Ready for query",
        "Query" => "Simple query",
        "RowDescription" => "Row description",
        "DataRow" => "Data row",
        "CommandComplete" => "Command completion",
        "Terminate" => "Termination",
        "ErrorResponse" => "Error",
        _ => "?",
    }
}

/// Our value for one tshark column, over the messages a frame completes (None: not comparable).
fn column(name: &str, messages: &[&Message]) -> Option<String> {
    let values: Vec<String> = messages
        .iter()
        .filter_map(|m| match (name, &m.kind) {
            ("http.request.method", MessageKind::HttpRequest { method, .. }) => Some(method.clone()),
            ("http.request.uri", MessageKind::HttpRequest { target, .. }) => Some(target.clone()),
            ("http.request.version", MessageKind::HttpRequest { .. }) => {
                m.summary.split(' ').nth(2).map(str::to_string)
            }
            ("http.response.code", MessageKind::HttpResponse { status, .. }) => Some(status.to_string()),
            ("http.response.phrase", MessageKind::HttpResponse { status, head, .. }) => {
                let phrase = head.start_line.split_once(&format!(" {status} ")).map_or("", |(_, p)| p);
                Some(phrase.to_string())
            }
            ("http.content_length_header", MessageKind::HttpRequest { .. } | MessageKind::HttpResponse { .. }) => {
                Some(detail_value_any_case(m, "content-length").unwrap_or_default())
            }
            ("http.transfer_encoding", MessageKind::HttpRequest { .. } | MessageKind::HttpResponse { .. }) => {
                Some(detail_value_any_case(m, "transfer-encoding").unwrap_or_default())
            }
            // tshark lists every chunk's size, the last chunk's 0 included: we compare their count and sum.
            ("http.chunk_size", MessageKind::HttpRequest { body, .. } | MessageKind::HttpResponse { body, .. }) => {
                Some(match body.as_ref().and_then(|b| b.chunks.map(|chunks| (chunks, b.length))) {
                    Some((chunks, length)) => format!("{chunks} chunks, {length} bytes"),
                    None => String::new(),
                })
            }
            ("websocket.opcode", MessageKind::WebSocket { opcode, .. }) => Some(opcode.code().to_string()),
            ("websocket.payload.text", MessageKind::WebSocket { opcode: Opcode::Text, .. }) => ws_text(&m.summary),
            ("websocket.payload.close.status_code", MessageKind::WebSocket { close_code: Some(c), .. }) => {
                Some(c.to_string())
            }
            ("http2.type", MessageKind::Http2 { frame_type, .. }) => frame_type.code().map(|c| c.to_string()),
            ("http2.streamid", MessageKind::Http2 { frame_type, stream, .. }) if frame_type.code().is_some() => {
                Some(stream.to_string())
            }
            ("http2.headers.method", MessageKind::Http2 { .. }) => detail_value(m, ":method"),
            ("http2.headers.path", MessageKind::Http2 { .. }) => detail_value(m, ":path"),
            ("http2.headers.status", MessageKind::Http2 { .. }) => detail_value(m, ":status"),
            // TLS 1.3 records of type 23 are `opaque_type` for tshark, not `content_type`.
            ("tls.record.content_type", MessageKind::Tls { content_type: ContentType::ApplicationData, .. })
                if m.detail.iter().any(|d| d.contains("TLS 1.3")) =>
            {
                None
            }
            ("tls.record.content_type", MessageKind::Tls { content_type, .. }) => Some(content_type.code().to_string()),
            ("tls.handshake.type", MessageKind::Tls { handshake_type: Some(t), .. }) => Some(t.code().to_string()),
            (
                "tls.handshake.extensions_server_name",
                MessageKind::Tls { handshake_type: Some(HandshakeType::ClientHello), .. },
            ) => m.summary.split("SNI=").nth(1).map(|s| s.split([',', ')']).next().unwrap_or_default().to_string()),
            // One record version per record: we compare the count.
            ("tls.record.version", MessageKind::Tls { .. }) => Some("record".to_string()),
            ("pgsql.type", MessageKind::Postgres { .. }) => Some(pgsql_type(&m.summary).to_string()),
            ("pgsql.query", MessageKind::Postgres { message: PgMessage::Query, .. }) => {
                m.summary.strip_prefix("Query: ").map(str::to_string)
            }
            ("tcp.len", MessageKind::Other) if m.protocol == Protocol::Data => {
                m.summary.split(' ').next().map(str::to_string)
            }
            _ => None,
        })
        .collect();
    Some(values.join(","))
}

/// Compares every row of tshark's expectation file with our messages; returns the number of rows compared.
fn compare_with_tshark(path: &str) -> usize {
    let (header, expected) = tshark_rows(path);
    let analysis = analyze(path, &DecoderOptions::default());
    let mut ours: BTreeMap<(u64, usize), Vec<&Message>> = BTreeMap::new();
    for m in &analysis.messages {
        ours.entry((m.end_frame, m.conn)).or_default().push(m);
    }
    let skip = ["frame.number", "tcp.stream", "tcp.srcport", "tcp.dstport", "tls.handshake.version"];
    // A retransmission brings no new bytes, so no message; tshark still lists its `tcp.len`.
    let retransmitted = tshark_retransmissions(path);
    let mut problems = Vec::new();
    for (key, row) in &expected {
        let messages = ours.remove(key).unwrap_or_default();
        if messages.is_empty() && retransmitted.contains(key) {
            continue;
        }
        for name in header.iter().filter(|h| !skip.contains(&h.as_str())) {
            let want = row[name].clone();
            let Some(mut got) = column(name, &messages) else {
                continue;
            };
            let want = if name == "tls.record.version" {
                got = got.split(',').filter(|s| !s.is_empty()).count().to_string();
                want.split(',').filter(|s| !s.is_empty()).count().to_string()
            } else if name == "http.chunk_size" && !want.is_empty() {
                let sizes: Vec<u64> = want.split(',').filter_map(|s| s.parse().ok()).collect();
                let chunks = sizes.iter().filter(|&&s| s > 0).count();
                format!("{chunks} chunks, {} bytes", sizes.iter().sum::<u64>())
            } else {
                want
            };
            if got != want {
                problems.push(format!("frame {} stream {}: {name}: tshark {want:?}, ours {got:?}", key.0, key.1));
            }
        }
    }
    for (key, messages) in ours {
        // tshark reports no message whose body never completes (tests/fixtures/http/README.md).
        let messages: Vec<&&Message> = messages.iter().filter(|m| !m.incomplete).collect();
        if messages.is_empty() {
            continue;
        }
        let summaries: Vec<&str> = messages.iter().map(|m| m.summary.as_str()).collect();
        problems.push(format!("frame {} stream {}: only we have {summaries:?}", key.0, key.1));
    }
    assert!(problems.is_empty(), "{path}:\n{}", problems.join("\n"));
    expected.len()
}

#[test]
fn http_close_and_keepalive_match_tshark() {
    assert_eq!(compare_with_tshark("captures/http-close.pcap"), 2);
    assert_eq!(compare_with_tshark("captures/http-keepalive.pcap"), 6);
    assert_eq!(compare_with_tshark("captures/h2c-close.pcap"), 2);
}

#[test]
fn the_http_experiments_match_tshark() {
    // A CORS preflight and its PUT, an upload with 100 Continue and a refused one, chunked and ranged downloads
    // (tests/fixtures/http/README.md): with tshark's Content-Length, Transfer-Encoding and chunk sizes.
    assert_eq!(compare_with_tshark("captures/cors-preflight.pcap"), 6);
    assert_eq!(compare_with_tshark("captures/upload-100-continue.pcap"), 3);
    assert_eq!(compare_with_tshark("captures/upload-refused.pcap"), 1);
    assert_eq!(compare_with_tshark("captures/download-chunked.pcap"), 4);
    assert_eq!(compare_with_tshark("captures/download-range.pcap"), 3);
}

#[test]
fn page_load_matches_tshark_on_every_connection() {
    assert_eq!(compare_with_tshark("captures/page-load.pcap"), 16);
}

#[test]
fn pipelined_requests_are_three_messages_in_one_frame() {
    assert_eq!(compare_with_tshark("tests/fixtures/pipelined.pcap"), 4);
    let analysis = analyze("tests/fixtures/pipelined.pcap", &DecoderOptions::default());
    let in_frame_4: Vec<&str> =
        analysis.messages.iter().filter(|m| m.end_frame == 4).map(|m| m.summary.as_str()).collect();
    assert_eq!(in_frame_4, ["GET / HTTP/1.1", "GET /style.css HTTP/1.1", "GET /icon.svg HTTP/1.1"]);
}

#[test]
fn websocket_matches_tshark() {
    assert_eq!(compare_with_tshark("captures/websocket.pcap"), 12);
    let analysis = analyze("captures/websocket.pcap", &DecoderOptions::default());
    let summaries: Vec<&str> = analysis.messages.iter().map(|m| m.summary.as_str()).collect();
    assert!(summaries.contains(&"WS Text \"resp: hello\""), "{summaries:?}");
    assert!(summaries.contains(&"WS Close 1000 Normal Closure"), "{summaries:?}");
}

#[test]
fn http2_matches_tshark_after_upgrade_and_with_prior_knowledge() {
    assert_eq!(compare_with_tshark("captures/h2c-upgrade.pcap"), 5);
    assert_eq!(compare_with_tshark("captures/h2-prior-knowledge.pcap"), 6);
    let analysis = analyze("captures/h2-prior-knowledge.pcap", &DecoderOptions::default());
    let summaries: Vec<&str> = analysis.messages.iter().map(|m| m.summary.as_str()).collect();
    assert!(summaries.contains(&"HEADERS[1]: GET / [END_STREAM, END_HEADERS]"), "{summaries:?}");
}

#[test]
fn tls_matches_tshark() {
    assert_eq!(compare_with_tshark("captures/tls12.pcap"), 7);
    assert_eq!(compare_with_tshark("captures/tls13.pcap"), 8);
}

#[test]
fn postgres_matches_tshark() {
    assert_eq!(compare_with_tshark("captures/postgres.pcap"), 9);
}

#[test]
fn unknown_protocols_are_data_per_segment() {
    assert_eq!(compare_with_tshark("tests/fixtures/abort-linger0.pcap"), 2);
    assert_eq!(compare_with_tshark("tests/fixtures/zerowindow.pcap"), 41);
}

#[test]
fn a_snaplen_capture_has_one_message_per_http_message_not_per_segment() {
    assert_eq!(compare_with_tshark("tests/fixtures/snaplen96.pcap"), 3);
    let analysis = analyze("tests/fixtures/snaplen96.pcap", &DecoderOptions::default());
    let summaries: Vec<(u64, &str)> = analysis.messages.iter().map(|m| (m.end_frame, m.summary.as_str())).collect();
    assert_eq!(
        summaries,
        [
            (4, "GET /file20k.bin HTTP/1.1 [cut by snaplen]"),
            (6, "HTTP/1.1 200 OK [cut by snaplen]"),
            (8, "[body: 19 970 of 20 000 bytes not captured]")
        ]
    );
}

#[test]
fn a_body_cut_by_the_snaplen_says_how_many_of_its_bytes_were_not_captured() {
    // tshark on the same file: the server's segments after the head (frame 6) carry tcp.len bytes in all, of
    // which frame.len - frame.cap_len were left out by `-s 128`.
    let fields = tshark_table(&repo().join("tests/fixtures/capture/download-s128.pcap.fields.tsv"));
    let body: Vec<&TsharkRow> = fields
        .iter()
        .filter(|r| r["tcp.srcport"] == "18096" && r["frame.number"].parse::<u64>().unwrap() > 6)
        .collect();
    let sum = |f: &dyn Fn(&TsharkRow) -> u64| body.iter().map(|r| f(r)).sum::<u64>();
    let total = sum(&|r| r["tcp.len"].parse().unwrap());
    let missing = sum(&|r| r["frame.len"].parse::<u64>().unwrap() - r["frame.cap_len"].parse::<u64>().unwrap());
    assert_eq!((total, missing), (4_967_335, 4_961_277));
    let analysis = analyze("tests/fixtures/download-s128.pcap", &DecoderOptions::default());
    let last = analysis.messages.last().unwrap();
    let expected = format!("[body: {} of {} bytes not captured]", thousands(missing), thousands(total));
    assert_eq!(last.summary, expected);
    let last_frame = body.iter().rfind(|r| r["tcp.len"] != "0").unwrap()["frame.number"].parse::<u64>().unwrap();
    assert_eq!((last.frame, last.end_frame), (8, last_frame));
}

#[test]
fn forcing_a_protocol_overrides_recognition() {
    let options = DecoderOptions { force: Some(Protocol::Data), ..Default::default() };
    let analysis = analyze("captures/http-close.pcap", &options);
    assert!(analysis.messages.iter().all(|m| m.protocol == Protocol::Data));
    assert_eq!(analysis.messages.len(), 3);
}

#[test]
fn secrets_never_reach_a_summary_or_detail() {
    // The last is the mysql_native_password token of captures/mysql.pcap's Auth Switch Response (frame 9).
    let secrets =
        ["dXNlcjpodW50ZXIy", "hunter2", "TOPSECRET123", "s3cret-pw", "d5c4f710bb0b14e6d372634966963f6a3c80f7d0"];
    for path in ["tests/fixtures/secrets.pcap", "captures/postgres.pcap", "captures/mysql.pcap"] {
        let analysis = analyze(path, &DecoderOptions::default());
        for m in &analysis.messages {
            for text in std::iter::once(&m.summary).chain(&m.detail) {
                assert!(!secrets.iter().any(|s| text.contains(s)), "{path} frame {}: {text}", m.frame);
            }
        }
    }
    let analysis = analyze("tests/fixtures/secrets.pcap", &DecoderOptions::default());
    let request = &analysis.messages[0];
    assert!(request.detail.contains(&format!("Authorization: {REDACTED}")), "{:?}", request.detail);
    assert!(request.detail.contains(&format!("Cookie: {REDACTED}")), "{:?}", request.detail);
    // Turned off, the values are there: the test above would catch a leak.
    let shown = analyze("tests/fixtures/secrets.pcap", &DecoderOptions { redact: false, ..Default::default() });
    assert!(shown.messages[0].detail.iter().any(|d| d.contains("TOPSECRET123")));
}

#[test]
fn configured_headers_are_redacted_too() {
    let options = DecoderOptions { redact_headers: vec!["user-agent".into()], ..Default::default() };
    let analysis = analyze("captures/http-close.pcap", &options);
    assert!(
        analysis.messages[0].detail.iter().any(|d| d == &format!("User-Agent: {REDACTED}")),
        "{:?}",
        analysis.messages[0].detail
    );
}
