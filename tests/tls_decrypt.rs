//! TLS decryption against tshark: for every capture with a key log, the messages tshark finds with
//! `-o tls.keylog_file:` (handshake messages, alerts, HTTP requests and responses, HTTP/2 frames, WebSocket
//! frames) are the ones we find, at the same frame and in the same direction, each marked decrypted; without
//! the key log none of the inner ones are found and the connection carries the note that says why.

mod common;

use common::{TsharkRow, repo, tshark_table};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tcpdialog::analyze::{CaptureAnalysis, analyze_file};
use tcpdialog::proto::tls::{ContentType, NO_KEY_LOG, read_key_log};
use tcpdialog::proto::{DecoderOptions, Message, MessageKind};
use tcpdialog::tcp::Direction;

/// What a frame carries in one direction, as comparable facts (`tls 1`, `http GET`, `h2 4`, `ws 1`, ...).
type Facts = BTreeMap<(u64, Direction), Vec<String>>;

/// Every capture with tshark's decrypted view, and the key log it was made with (none: a DSB in the file).
fn cases() -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut cases = Vec::new();
    for dir in [repo().join("captures"), repo().join("tests/fixtures/tls")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(capture) = name.strip_suffix(".tshark-tls.tsv") else { continue };
            let stem = capture.trim_end_matches(".pcapng").trim_end_matches(".pcap");
            let keys = dir.join(format!("{stem}.keys"));
            cases.push((dir.join(capture), keys.exists().then_some(keys)));
        }
    }
    cases.sort();
    assert!(cases.len() >= 19, "{cases:?}");
    cases
}

fn analyse(capture: &Path, keys: Option<&Path>) -> CaptureAnalysis {
    let keylog = keys.map(|k| Arc::new(read_key_log(k).unwrap().keys));
    analyze_file(capture, &DecoderOptions { keylog, ..Default::default() }).unwrap()
}

fn split(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').filter(|v| !v.is_empty())
}

/// tshark's facts. The direction comes from the connection's client port.
fn tshark_facts(rows: &[TsharkRow], analysis: &CaptureAnalysis) -> Facts {
    let mut facts = Facts::new();
    for row in rows {
        let frame: u64 = row["frame.number"].parse().unwrap();
        let stream: usize = row["tcp.stream"].parse().unwrap();
        let client_port = analysis.connections[stream].client.port();
        let dir = if row["tcp.srcport"] == client_port.to_string() {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let entry = facts.entry((frame, dir)).or_default();
        entry.extend(split(&row["tls.handshake.type"]).map(|t| format!("tls {t}")));
        // With keys tshark lists the inner content types; alerts are the ones the handshake types do not cover.
        entry.extend(split(&row["tls.record.content_type"]).filter(|t| *t == "21").map(|_| "alert".to_string()));
        entry.extend(split(&row["http.request.method"]).map(|m| format!("http {m}")));
        entry.extend(split(&row["http.response.code"]).map(|c| format!("http {c}")));
        entry.extend(split(&row["http2.type"]).map(|t| format!("h2 {t}")));
        entry.extend(split(&row["websocket.opcode"]).map(|o| format!("ws {o}")));
    }
    facts.retain(|_, f| !f.is_empty());
    facts.values_mut().for_each(|f| f.sort());
    facts
}

fn fact(message: &Message) -> Option<String> {
    Some(match &message.kind {
        MessageKind::Tls { handshake_type: Some(t), .. } => format!("tls {}", t.code()),
        MessageKind::Tls { content_type: ContentType::Alert, .. } => "alert".to_string(),
        MessageKind::HttpRequest { method, .. } => format!("http {method}"),
        MessageKind::HttpResponse { status, .. } => format!("http {status}"),
        MessageKind::Http2 { frame_type, .. } => format!("h2 {}", frame_type.code()?),
        MessageKind::WebSocket { opcode, .. } => format!("ws {}", opcode.code()),
        _ => return None,
    })
}

fn our_facts(analysis: &CaptureAnalysis) -> Facts {
    let mut facts = Facts::new();
    for m in analysis.messages.iter().filter(|m| !m.incomplete) {
        if let Some(f) = fact(m) {
            facts.entry((m.end_frame, m.dir)).or_default().push(f);
        }
    }
    facts.values_mut().for_each(|f| f.sort());
    facts
}

fn differences(ours: &Facts, theirs: &Facts) -> Vec<String> {
    let keys: std::collections::BTreeSet<_> = ours.keys().chain(theirs.keys()).collect();
    keys.into_iter()
        .filter(|k| ours.get(k) != theirs.get(k))
        .map(|k| format!("frame {} {:?}: ours {:?}, tshark {:?}", k.0, k.1, ours.get(k), theirs.get(k)))
        .collect()
}

#[test]
fn with_the_key_log_we_find_what_tshark_finds_where_it_finds_it() {
    let mut problems = Vec::new();
    for (capture, keys) in cases() {
        let rows = tshark_table(&PathBuf::from(format!("{}.tshark-tls.tsv", capture.display())));
        let analysis = analyse(&capture, keys.as_deref());
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        problems.extend(
            differences(&our_facts(&analysis), &tshark_facts(&rows, &analysis))
                .into_iter()
                .map(|d| format!("{name}: {d}")),
        );
        // What tshark could only see with keys, we mark as decrypted.
        for m in &analysis.messages {
            let inner = !matches!(m.kind, MessageKind::Tls { .. } | MessageKind::Note { .. } | MessageKind::Other);
            if inner && !m.decrypted && m.protocol != tcpdialog::proto::Protocol::Data {
                problems.push(format!("{name}: frame {} {:?} is not marked decrypted", m.end_frame, m.summary));
            }
        }
    }
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn without_keys_nothing_inside_is_shown_and_each_connection_says_why() {
    let mut problems = Vec::new();
    for (capture, _) in cases() {
        let nokeys = PathBuf::from(format!("{}.tshark-tls-nokeys.tsv", capture.display()));
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        if !nokeys.exists() {
            continue; // the Decryption Secrets Block travels in the file
        }
        let analysis = analyse(&capture, None);
        problems.extend(
            differences(&our_facts(&analysis), &tshark_facts(&tshark_table(&nokeys), &analysis))
                .into_iter()
                .map(|d| format!("{name}: {d}")),
        );
        if let Some(m) = analysis.messages.iter().find(|m| m.decrypted) {
            problems.push(format!("{name}: frame {} {:?} decrypted without keys", m.end_frame, m.summary));
        }
        for conn in &analysis.connections {
            let notes: Vec<&str> = analysis.notes_of(conn.index).map(|n| n.summary.as_str()).collect();
            if notes != [NO_KEY_LOG] {
                problems.push(format!("{name}: stream {} notes {notes:?}", conn.index));
            }
        }
    }
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

/// The note of each connection that keys do not open, and that nothing is decrypted there.
#[test]
fn keys_that_do_not_fit_decrypt_nothing_and_say_so() {
    let tls = repo().join("tests/fixtures/tls");
    let cases = [
        ("tls13-wrongkeys", "encrypted: the key log has no secrets for this connection (client random"),
        ("tls13-wrongsecrets", "encrypted: the key log's secrets do not decrypt this connection (frame 6:"),
        ("tls13-midstream", "encrypted: the capture starts after the TLS handshake, so nothing can be decrypted"),
    ];
    for (stem, note) in cases {
        let analysis = analyse(&tls.join(format!("{stem}.pcap")), Some(&tls.join(format!("{stem}.keys"))));
        let notes: Vec<&str> = analysis.notes.iter().map(|n| n.summary.as_str()).collect();
        assert_eq!(notes.len(), 1, "{stem}: {notes:?}");
        assert!(notes[0].starts_with(note), "{stem}: {notes:?}");
        assert!(analysis.messages.iter().all(|m| !m.decrypted), "{stem}");
    }
}

/// OpenSSL logs only the first application secrets when told to (the `.secret0.keys` variant): every later
/// one is derived through the KeyUpdates, and the result is the same.
#[test]
fn key_updates_are_followed_without_the_later_secrets() {
    let tls = repo().join("tests/fixtures/tls");
    let capture = tls.join("tls13-keyupdate.pcap");
    let all = analyse(&capture, Some(&tls.join("tls13-keyupdate.keys")));
    let first_only = analyse(&capture, Some(&tls.join("tls13-keyupdate.secret0.keys")));
    assert_eq!(all.messages, first_only.messages);
    let requests = first_only.messages.iter().filter(|m| matches!(m.kind, MessageKind::HttpRequest { .. })).count();
    assert_eq!(requests, 3);
    let text = std::fs::read_to_string(tls.join("tls13-keyupdate.secret0.keys")).unwrap();
    assert!(!text.contains("TRAFFIC_SECRET_N"), "the variant keeps only the first secrets");
}

/// The TCP payloads of a one-connection capture, in order, with their direction (the SYN's sender is the
/// client); loopback captures have neither losses nor reordering.
fn payloads(capture: &Path) -> Vec<(Direction, Vec<u8>)> {
    let mut reader = pcap_file::pcap::PcapReader::new(std::fs::File::open(capture).unwrap()).unwrap();
    let mut client_port = None;
    let mut out = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap();
        let sliced = etherparse::SlicedPacket::from_ethernet(&packet.data).unwrap();
        let Some(etherparse::TransportSlice::Tcp(tcp)) = sliced.transport else { continue };
        let client = *client_port.get_or_insert(tcp.source_port());
        let dir = if tcp.source_port() == client { Direction::ClientToServer } else { Direction::ServerToClient };
        if !tcp.payload().is_empty() {
            out.push((dir, tcp.payload().to_vec()));
        }
    }
    out
}

/// Records split across segments, and several in one: the same bytes cut into pieces of 1 to 7 bytes, or
/// glued into one chunk per direction change, decrypt to the same messages.
#[test]
fn decryption_does_not_depend_on_how_records_are_cut_into_segments() {
    for stem in ["https-get", "https-h2", "wss-echo"] {
        let keys = read_key_log(&repo().join(format!("captures/{stem}.keys"))).unwrap().keys;
        let options = DecoderOptions { keylog: Some(Arc::new(keys)), ..Default::default() };
        let segments = payloads(&repo().join(format!("captures/{stem}.pcap")));
        let summaries = |turns: &[(Direction, &[u8])]| -> Vec<(Direction, String, bool)> {
            let messages = tcpdialog::proto::decode_turns(&options, turns);
            messages.into_iter().map(|m| (m.dir, m.summary, m.decrypted)).collect()
        };
        let whole: Vec<(Direction, &[u8])> = segments.iter().map(|(d, b)| (*d, b.as_slice())).collect();
        let expected = summaries(&whole);
        assert!(expected.iter().filter(|(_, _, decrypted)| *decrypted).count() >= 5, "{stem}: {expected:?}");
        let mut cut = Vec::new();
        for (i, (dir, bytes)) in segments.iter().enumerate() {
            cut.extend(bytes.chunks(1 + i % 7).map(|piece| (*dir, piece)));
        }
        assert_eq!(sorted(summaries(&cut)), sorted(expected.clone()), "{stem} cut small");
        let mut glued: Vec<(Direction, Vec<u8>)> = Vec::new();
        for (dir, bytes) in &segments {
            match glued.last_mut() {
                Some((last, all)) if last == dir => all.extend(bytes),
                _ => glued.push((*dir, bytes.clone())),
            }
        }
        let glued: Vec<(Direction, &[u8])> = glued.iter().map(|(d, b)| (*d, b.as_slice())).collect();
        assert_eq!(sorted(summaries(&glued)), sorted(expected), "{stem} glued");
    }
}

fn sorted(mut messages: Vec<(Direction, String, bool)>) -> Vec<(Direction, String, bool)> {
    messages.sort();
    messages
}
