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

#[test]
fn unknown_stream_is_an_error() {
    let path = capture("http-close.pcap");
    let out = run(&["inspect", path.to_str().unwrap(), "--stream", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("stream 7 does not exist"), "{}", stderr(&out));
}
