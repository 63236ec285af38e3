//! `tcpdialog conversations` agrees with `tshark -q -z conv,tcp` on every committed capture: the same streams,
//! and each one's packets and frame bytes in each direction. The expected values are tshark's own output,
//! committed beside each capture as `F.conv.txt`.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One row of tshark's table: A and B as tshark prints them, then (frames, bytes) from B to A (`<-`) and from
/// A to B (`->`), and the relative start.
#[derive(Debug)]
struct TsharkRow {
    a: String,
    b: String,
    b_to_a: (u64, Bytes),
    a_to_b: (u64, Bytes),
    start: f64,
}

/// tshark prints small counts exactly and larger ones in SI units, truncated: `12 kB` is 12 000 to 12 999.
#[derive(Debug, Clone, Copy)]
struct Bytes {
    value: u64,
    unit: u64,
}

impl Bytes {
    fn parse(value: &str, unit: &str) -> Bytes {
        let unit = match unit {
            "bytes" => 1,
            "kB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            other => panic!("unknown unit {other}"),
        };
        Bytes { value: value.parse().expect("a byte count"), unit }
    }

    fn admits(self, bytes: u64) -> bool {
        bytes / self.unit == self.value
    }
}

fn tshark_rows(path: &Path) -> Vec<TsharkRow> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| l.contains(" <-> "))
        .map(|line| {
            let t: Vec<&str> = line.split_whitespace().collect();
            assert!(t.len() >= 14, "{}: {line}", path.display());
            TsharkRow {
                a: t[0].to_string(),
                b: t[2].to_string(),
                b_to_a: (t[3].parse().unwrap(), Bytes::parse(t[4], t[5])),
                a_to_b: (t[6].parse().unwrap(), Bytes::parse(t[7], t[8])),
                start: t[12].parse().unwrap(),
            }
        })
        .collect()
}

/// `127.0.0.1:80` and `[::1]:80` as tshark prints them: `127.0.0.1:80`, `::1:80`.
fn tshark_address(ours: &str) -> String {
    ours.replace(['[', ']'], "")
}

/// Every capture that has tshark's conversations beside it.
fn captures_with_conversations() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for root in [repo().join("captures"), repo().join("tests/fixtures")] {
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
                if entry.is_dir() {
                    dirs.push(entry);
                } else if let Some(name) = entry.to_str().and_then(|p| p.strip_suffix(".conv.txt")) {
                    found.push(PathBuf::from(name));
                }
            }
        }
    }
    found.sort();
    found
}

/// Rows grouped by their pair of endpoints, each group in order of start.
fn by_pair<T>(
    rows: Vec<T>,
    pair: impl Fn(&T) -> (String, String),
    start: impl Fn(&T) -> f64,
) -> BTreeMap<(String, String), Vec<T>> {
    let mut groups: BTreeMap<(String, String), Vec<T>> = BTreeMap::new();
    for row in rows {
        let (x, y) = pair(&row);
        groups.entry(if x <= y { (x, y) } else { (y, x) }).or_default().push(row);
    }
    for group in groups.values_mut() {
        group.sort_by(|p, q| start(p).total_cmp(&start(q)));
    }
    groups
}

#[test]
fn packets_and_bytes_agree_with_tshark_on_every_committed_capture() {
    let captures = captures_with_conversations();
    assert!(captures.len() >= 40, "only {} captures with conversations", captures.len());
    for capture in captures {
        let name = capture.display().to_string();
        let expected = tshark_rows(&PathBuf::from(format!("{name}.conv.txt")));
        let json: Value = serde_json::from_str(&ok(run(&["conversations", &name, "--format", "json"]))).unwrap();
        let ours = json["conversations"].as_array().unwrap().clone();
        assert_eq!(ours.len(), expected.len(), "{name}: streams");
        assert_eq!(json["streams"], expected.len(), "{name}");
        let client = |c: &Value| tshark_address(c["client"].as_str().unwrap());
        let server = |c: &Value| tshark_address(c["server"].as_str().unwrap());
        // A clock that steps back gives tshark a negative start; ours stops at 0: both sort first.
        let ours = by_pair(ours, |c| (client(c), server(c)), |c| c["start"].as_f64().unwrap());
        let theirs = by_pair(expected, |r| (r.a.clone(), r.b.clone()), |r| r.start);
        assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "{name}: endpoints");
        for (pair, rows) in &theirs {
            for (want, got) in rows.iter().zip(&ours[pair]) {
                let stream = &got["stream"];
                let each_way = |field: &str| (got[field]["c2s"].as_u64().unwrap(), got[field]["s2c"].as_u64().unwrap());
                let (packets, bytes) = (each_way("packets"), each_way("bytes"));
                // tshark's A is whoever sent the stream's first packet; ours is the client.
                let (c2s, s2c) =
                    if client(got) == want.a { (want.a_to_b, want.b_to_a) } else { (want.b_to_a, want.a_to_b) };
                assert_eq!((packets.0, packets.1), (c2s.0, s2c.0), "{name}: stream {stream}: packets c2s, s2c");
                assert!(c2s.1.admits(bytes.0), "{name}: stream {stream}: {} bytes c2s, tshark {:?}", bytes.0, c2s.1);
                assert!(s2c.1.admits(bytes.1), "{name}: stream {stream}: {} bytes s2c, tshark {:?}", bytes.1, s2c.1);
            }
        }
    }
}

#[test]
fn problems_sort_the_troubled_first_and_each_row_names_its_diagram() {
    let lossy = fixture("lossy.pcap");
    let json: Value = serde_json::from_str(&ok(run(&[
        "conversations",
        lossy.to_str().unwrap(),
        "--format",
        "json",
        "--sort",
        "problems",
    ])))
    .unwrap();
    let first = &json["conversations"][0];
    // tshark counts 74 segments with tcp.analysis.duplicate_ack in this capture (see the dialog tests).
    assert_eq!(first["problems"]["duplicate_acks"], 74);
    assert!(first["problems"]["retransmissions"].as_u64().unwrap() > 0);
    let stream = first["stream"].as_u64().unwrap();
    assert_eq!(first["diagram"], format!("tcpdialog diagram {} --stream {stream}", lossy.display()));
    let top = ok(run(&["conversations", lossy.to_str().unwrap(), "--top", "1", "--format", "csv"]));
    assert_eq!(top.lines().count(), 2, "{top}");
}
