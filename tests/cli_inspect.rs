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

/// Frames where tshark 4.0 shows no message although tcpdialog does, and why.
const INFO_EXCEPTIONS: [(&str, &str, &str); 1] = [(
    "lossy.pcap",
    "335",
    "tshark does not reassemble out-of-order data by default (tcp.reassemble_out_of_order), so it never \
     completes this HTTP response; the fast retransmission that fills the last hole completes it for us",
)];

#[test]
fn every_tcp_row_has_wiresharks_info_column_verbatim() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    let mut rows = 0;
    let mut mismatches = Vec::new();
    for dir in ["captures", "tests/fixtures"] {
        let mut tsvs: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".tshark.tsv"))
            .collect();
        tsvs.sort();
        for tsv in tsvs {
            let capture = std::path::PathBuf::from(tsv.to_string_lossy().trim_end_matches(".tshark.tsv"));
            let expected = tshark_rows(&capture);
            if expected.first().is_none_or(|row| !row.contains_key("_ws.col.Info")) {
                continue;
            }
            let out = run(&["inspect", capture.to_str().unwrap()]);
            if !out.status.success() {
                continue; // files tcpdialog refuses are checked by the error tests
            }
            files += 1;
            let text = String::from_utf8(out.stdout).unwrap();
            // No., Time, Source, Destination, Protocol and Length hold no spaces; Info is the rest of the line.
            let ours: std::collections::BTreeMap<String, String> = text
                .lines()
                .skip(1)
                .map(|line| {
                    let mut rest = line.trim_start();
                    let mut cells = Vec::new();
                    for _ in 0..6 {
                        let (cell, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                        cells.push(cell.to_string());
                        rest = tail.trim_start();
                    }
                    (cells[0].clone(), rest.to_string())
                })
                .collect();
            let name = capture.file_name().unwrap().to_string_lossy().to_string();
            for want in expected.iter().filter(|row| row["_ws.col.Protocol"] == "TCP") {
                let frame = &want["frame.number"];
                if INFO_EXCEPTIONS.iter().any(|(file, f, _)| *file == name && f == frame) {
                    continue;
                }
                rows += 1;
                let theirs = want["_ws.col.Info"].trim();
                match ours.get(frame) {
                    Some(info) if info == theirs => {}
                    other => mismatches.push(format!("{name} frame {frame}:\n  ours   {other:?}\n  tshark {theirs:?}")),
                }
            }
        }
    }
    assert!(files >= 20 && rows >= 600, "only {files} captures and {rows} TCP rows compared");
    assert!(mismatches.is_empty(), "{} of {rows} rows differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn unknown_stream_is_an_error() {
    let path = capture("http-close.pcap");
    let out = run(&["inspect", path.to_str().unwrap(), "--stream", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("stream 7 does not exist"), "{}", stderr(&out));
}
