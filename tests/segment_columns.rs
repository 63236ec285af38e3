//! Every output says the same of a segment, and says what Wireshark says: the Protocol and Info columns of
//! `inspect` (text and JSON) and of the packet table equal tshark's, row for row, on captures with raw data,
//! an aborted download and resets; the ladder labels the segment that carried an aborted response's head.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// Captures whose every row we show as tshark does.
const CAPTURES: [&str; 4] = ["abort-download.pcap", "abort-linger0.pcap", "refused.pcap", "zerowindow.pcap"];

/// tshark's (frame, Protocol, Info) rows, from the `.tshark.tsv` made with the capture's decode-as.
fn tshark_columns(capture: &Path) -> Vec<(u64, String, String)> {
    tshark_rows(capture)
        .into_iter()
        .map(|r| {
            (r["frame.number"].parse().unwrap(), r["_ws.col.Protocol"].clone(), r["_ws.col.Info"].trim().to_string())
        })
        .collect()
}

fn inspect_text(capture: &Path) -> Vec<(u64, String, String)> {
    let text = ok(run(&["inspect", capture.to_str().unwrap()]));
    text.lines()
        .skip(1)
        .map(|line| {
            // No., Time, Source, Destination, Protocol and Length hold no spaces; Info is the rest.
            let mut cells = line.split_whitespace();
            let frame = cells.next().unwrap().parse().unwrap();
            let protocol = cells.nth(3).unwrap().to_string();
            let prefix_end = line.find(&format!(" {protocol} ")).unwrap() + protocol.len() + 2;
            let info = line[prefix_end..].trim_start();
            let info = info.split_once(' ').map_or("", |(_length, info)| info).to_string();
            (frame, protocol, info)
        })
        .collect()
}

fn inspect_json(capture: &Path) -> Vec<(u64, String, String)> {
    let json: Value =
        serde_json::from_str(&ok(run(&["inspect", capture.to_str().unwrap(), "--format", "json"]))).unwrap();
    let mut rows: Vec<(u64, String, String)> = json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["packets"].as_array().unwrap().clone())
        .map(|p| {
            (p["frame"].as_u64().unwrap(), p["protocol"].as_str().unwrap().into(), p["info"].as_str().unwrap().into())
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows
}

fn table_text(capture: &Path) -> Vec<(u64, String, String)> {
    let text = ok(run(&["diagram", capture.to_str().unwrap(), "--view", "table", "--format", "text"]));
    text.lines()
        .skip(3)
        .filter(|line| !line.starts_with('⋮'))
        .map(|line| {
            // Cells are separated by two spaces or more; Info may hold single spaces.
            let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
            (cells[0].parse().unwrap(), cells[4].to_string(), cells[6..].join("  "))
        })
        .collect()
}

#[test]
fn inspect_and_the_table_show_each_segment_as_tshark_does() {
    let mut differences = Vec::new();
    let mut rows = 0;
    for name in CAPTURES {
        let capture = fixture(name);
        let expected = tshark_columns(&capture);
        rows += expected.len();
        // The table folds long runs into rows that say `(frames a–b)`; every other row is one segment.
        let table: Vec<_> =
            table_text(&capture).into_iter().filter(|(_, _, info)| !info.contains("(frames ")).collect();
        for (output, ours) in [("inspect", inspect_text(&capture)), ("json", inspect_json(&capture)), ("table", table)]
        {
            if output != "table" {
                assert_eq!(ours.len(), expected.len(), "{name}: {output} rows");
            }
            for ours in &ours {
                let theirs = expected.iter().find(|t| t.0 == ours.0).unwrap();
                if theirs != ours {
                    differences.push(format!("{name} {output}:\n  ours   {ours:?}\n  tshark {theirs:?}"));
                }
            }
        }
    }
    assert!(rows > 100, "{rows}");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn the_ladder_labels_the_head_of_an_aborted_response_and_not_the_reset() {
    // tshark: frame 6 carries `HTTP/1.1 200 OK`, frame 16 is the client's `[RST, ACK]`.
    let capture = fixture("abort-download.pcap");
    let text = ok(run(&["diagram", capture.to_str().unwrap(), "--format", "text"]));
    let line = |frame: &str| text.lines().find(|l| l.trim_start().starts_with(&format!("{frame} "))).unwrap();
    assert!(line("6").contains("HTTP/1.1 200 OK (application/octet-stream)"), "{text}");
    assert!(line("16").contains("[RST, ACK]") && !line("16").contains("HTTP"), "{text}");
}
