//! `tcpdialog inspect` on real captures, checked against tshark's view of the same files.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn http_close_packets_match_tshark() {
    let path = capture("http-close.pcap");
    let json: Value = serde_json::from_str(&ok(run(&["inspect", path.to_str().unwrap(), "--format", "json"]))).unwrap();
    let expected = tshark_rows(&path);
    let streams = json["streams"].as_array().unwrap();
    let packets: Vec<&Value> = streams.iter().flat_map(|s| s["packets"].as_array().unwrap()).collect();
    assert_eq!(json["capture"]["packets"], expected.len());
    assert_eq!(packets.len(), expected.len());
    for (got, want) in packets.iter().zip(&expected) {
        let frame = &want["frame.number"];
        assert_eq!(got["frame"].to_string(), *frame);
        let names: Vec<String> =
            got["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
        assert_eq!(names, flag_names(&want["tcp.flags"]), "flags of frame {frame}");
        for (ours, theirs) in [("seq", "tcp.seq"), ("ack", "tcp.ack"), ("len", "tcp.len"), ("win", "tcp.window_size")] {
            assert_eq!(got[ours].to_string(), want[theirs], "{ours} of frame {frame}");
        }
        let time: f64 = want["frame.time_relative"].parse().unwrap();
        assert!((got["time"].as_f64().unwrap() - time).abs() < 1e-9, "time of frame {frame}");
    }
    let stream = &streams[0];
    assert_eq!(stream["index"], 0);
    // The client is the SYN sender; tshark's first row is that SYN.
    let syn = &expected[0];
    assert_eq!(stream["client"], format!("{}:{}", syn["ip.src"], syn["tcp.srcport"]));
    assert_eq!(stream["server"], format!("{}:{}", syn["ip.dst"], syn["tcp.dstport"]));
}

#[test]
fn http_close_messages_match_tshark() {
    let path = capture("http-close.pcap");
    let json: Value = serde_json::from_str(&ok(run(&["inspect", path.to_str().unwrap(), "--format", "json"]))).unwrap();
    let messages = json["streams"][0]["messages"].as_array().unwrap();
    // tshark shows HTTP messages on the frame that completes them, in its Info column's words.
    let http: Vec<(String, String)> = tshark_rows(&path)
        .into_iter()
        .filter(|r| r["_ws.col.Protocol"] == "HTTP")
        .map(|r| (r["frame.number"].clone(), r["_ws.col.Info"].split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    let ours: Vec<(String, String)> =
        messages.iter().map(|m| (m["end_frame"].to_string(), m["summary"].as_str().unwrap().to_string())).collect();
    assert_eq!(ours, http);
    assert_eq!(messages[1]["dir"], "s2c");
}

#[test]
fn packet_list_reads_like_wireshark() {
    let path = capture("http-close.pcap");
    let text = ok(run(&["inspect", path.to_str().unwrap()]));
    let expected = tshark_rows(&path);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("No. "), "{text}");
    assert_eq!(lines.len(), expected.len() + 1);
    for (line, want) in lines[1..].iter().zip(&expected) {
        // TCP rows carry Wireshark's Info text verbatim.
        if want["_ws.col.Protocol"] == "TCP" && !want["_ws.col.Info"].contains("reassembled") {
            assert!(line.ends_with(want["_ws.col.Info"].trim()), "{line}\n!= {}", want["_ws.col.Info"]);
        }
    }
}

/// TCP rows whose Info differs from tshark 4.0's on purpose, and why.
const INFO_EXCEPTIONS: [(&str, &str, &str); 1] = [(
    "lossy.pcap",
    "335",
    "tshark does not reassemble out-of-order data by default (tcp.reassemble_out_of_order), so it never \
     completes this HTTP response; the fast retransmission that fills the last hole completes it for us",
)];

const REASSEMBLED: &str = " [TCP segment of a reassembled PDU]";

/// Our packet list as frame -> (Protocol, Info): No., Time, Source, Destination, Protocol and Length hold no
/// spaces, so Info is what follows the sixth cell.
fn our_packet_list(capture: &std::path::Path) -> Option<std::collections::BTreeMap<String, (String, String)>> {
    let out = run(&["inspect", capture.to_str().unwrap()]);
    if !out.status.success() {
        return None; // files tcpdialog refuses are checked by the error tests
    }
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = text.lines().skip(1).map(|line| {
        let mut rest = line.trim_start();
        let mut cells = Vec::new();
        for _ in 0..6 {
            let (cell, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            cells.push(cell.to_string());
            rest = tail.trim_start();
        }
        (cells[0].clone(), (cells[4].clone(), rest.to_string()))
    });
    Some(rows.collect())
}

/// One packet-list row as tshark prints it: (frame, Protocol, Info).
type TsharkRow3 = (String, String, String);

/// tshark's rows of every capture in `dir` that has a `suffix` file beside it.
fn tshark_packet_lists(dir: &str, suffix: &str) -> Vec<(std::path::PathBuf, Vec<TsharkRow3>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
        .into_iter()
        .filter_map(|tsv| {
            let capture = std::path::PathBuf::from(tsv.to_string_lossy().trim_end_matches(suffix));
            let text = std::fs::read_to_string(&tsv).unwrap();
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next()?.split('\t').collect();
            let column = |names: &[&str]| header.iter().position(|h| names.contains(h));
            let (protocol, info) = (column(&["_ws.col.Protocol", "protocol"])?, column(&["_ws.col.Info", "info"])?);
            let rows = lines
                .map(|line| {
                    let cells: Vec<&str> = line.split('\t').collect();
                    let cell = |i: usize| cells.get(i).map_or("", |c| c.trim()).to_string();
                    (cell(0), cell(protocol), cell(info))
                })
                .collect();
            Some((capture, rows))
        })
        .collect()
}

#[test]
fn every_tcp_row_has_wiresharks_info_column_verbatim() {
    // Real captures, with tshark told each one's protocol (scripts/make-captures.sh): every TCP row verbatim.
    // Synthetic TCP fixtures carry filler bytes that tshark dissects by port and reassembles as if they were
    // HTTP or PostgreSQL, so there the rows both sides call TCP are compared without that mark.
    let sources = [
        ("captures", ".tshark.tsv", false),
        ("tests/fixtures", ".tshark.tsv", false),
        ("tests/fixtures/mysql", ".tshark.tsv", false),
        ("tests/fixtures/tcp", ".tshark-tcp.tsv", true),
        ("tests/fixtures/phases", ".tshark-tcp.tsv", true),
    ];
    let (mut files, mut rows) = (0, 0);
    let mut mismatches = Vec::new();
    for (dir, suffix, filler) in sources {
        for (capture, expected) in tshark_packet_lists(dir, suffix) {
            let Some(ours) = our_packet_list(&capture) else { continue };
            files += 1;
            let name = capture.file_name().unwrap().to_string_lossy().to_string();
            for (frame, protocol, theirs) in &expected {
                let excepted = INFO_EXCEPTIONS.iter().any(|(file, f, _)| *file == name && f == frame);
                let ours = ours.get(frame);
                // In filler, an Info without the ports is what a port's dissector (PostgreSQL's `<`) printed.
                let dissected_filler = filler && (ours.is_some_and(|(p, _)| p != "TCP") || !theirs.contains(" → "));
                if protocol != "TCP" || excepted || dissected_filler {
                    continue;
                }
                rows += 1;
                let ours = ours.map(|(_, info)| info.as_str());
                let matches = match filler {
                    false => ours == Some(theirs.as_str()),
                    true => ours.map(|o| o.trim_end_matches(REASSEMBLED)) == Some(theirs.trim_end_matches(REASSEMBLED)),
                };
                if !matches {
                    mismatches.push(format!("{name} frame {frame}:\n  ours   {ours:?}\n  tshark {theirs:?}"));
                }
            }
        }
    }
    assert!(files >= 30 && rows >= 800, "only {files} captures and {rows} TCP rows compared");
    assert!(mismatches.is_empty(), "{} of {rows} rows differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn unknown_stream_is_an_error() {
    let path = capture("http-close.pcap");
    let out = run(&["inspect", path.to_str().unwrap(), "--stream", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("stream 7 does not exist"), "{}", stderr(&out));
}

#[test]
fn a_fast_retransmission_is_also_a_retransmission_as_in_wireshark() {
    // tshark: `tcp.analysis.retransmission` matches plain, fast and spurious retransmissions alike.
    for path in [fixture("lossy.pcap"), fixture("zerowindow.pcap")] {
        let json: Value =
            serde_json::from_str(&ok(run(&["inspect", path.to_str().unwrap(), "--format", "json"]))).unwrap();
        let ours: Vec<u64> = json["streams"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["packets"].as_array().unwrap().clone())
            .filter(|p| p["analysis"].as_array().unwrap().iter().any(|a| a == "retransmission"))
            .map(|p| p["frame"].as_u64().unwrap())
            .collect();
        let theirs: Vec<u64> = tshark_rows(&path)
            .iter()
            .filter(|r| !r["tcp.analysis.retransmission"].is_empty())
            .map(|r| r["frame.number"].parse().unwrap())
            .collect();
        assert!(!theirs.is_empty());
        assert_eq!(ours, theirs, "{}", path.display());
    }
}
