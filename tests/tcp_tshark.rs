//! The TCP stage agrees with tshark: for every TCP frame of every fixture, the stream index, direction, flags,
//! relative seq/ack, length, window and set of analysis flags must equal what tshark 4.0 printed into the
//! committed `FILE.tshark-tcp.tsv` (made by `tests/fixtures/tcp/expect.py`), and each connection's handshake
//! RTT must equal tshark's `tcp.analysis.initial_rtt`.
//!
//! Set `TCPDIALOG_TSHARK_DIRS` (colon-separated folders) to run the same comparison on more captures, e.g. a
//! folder of randomly generated ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tcpdialog::capture::CaptureReader;
use tcpdialog::tcp::{AnalysisFlag, Connection, NullSink, Segment, TcpAnalyzer};

const FIXTURE_DIRS: [&str; 4] = ["captures", "tests/fixtures", "tests/fixtures/tcp", "tests/fixtures/phases"];

/// One line of a `.tshark-tcp.tsv` file.
struct Expected {
    frame: u64,
    stream: usize,
    src: String,
    flags: u16,
    seq: u32,
    ack: u32,
    len: u32,
    window: u32,
    analysis: BTreeSet<String>,
    initial_rtt: Option<String>,
}

fn parse_tsv(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let col = |i: usize| *cols.get(i).unwrap_or_else(|| panic!("{}: short line {line:?}", path.display()));
            let num = |i: usize| col(i).parse::<u64>().unwrap_or_else(|e| panic!("{}: {line:?}: {e}", path.display()));
            Expected {
                frame: num(0),
                stream: num(1) as usize,
                src: col(2).to_string(),
                flags: u16::from_str_radix(col(4).trim_start_matches("0x"), 16).expect("hex flags"),
                seq: num(5) as u32,
                ack: num(6) as u32,
                len: num(7) as u32,
                window: num(8) as u32,
                analysis: col(9).split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                initial_rtt: Some(col(10).to_string()).filter(|s| !s.is_empty()),
            }
        })
        .collect()
}

fn flag_names(flags: &[AnalysisFlag]) -> BTreeSet<String> {
    flags
        .iter()
        .map(|f| match f {
            AnalysisFlag::DuplicateAck { number, of_frame } => format!("duplicate_ack:{number}@{of_frame}"),
            other => other.name().to_string(),
        })
        .collect()
}

fn analyze(path: &Path) -> Vec<Connection> {
    let mut reader = CaptureReader::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut tcp = TcpAnalyzer::new();
    for packet in reader.by_ref() {
        match packet {
            Ok(packet) => tcp.push(&packet, &mut NullSink),
            Err(_) => break, // a file cut mid-packet: tshark stops there too
        }
    }
    tcp.finish(&mut NullSink)
}

/// Every difference between tshark's view of `capture` and ours, one line each.
fn differences(capture: &Path, tsv: &Path) -> Vec<String> {
    let name = capture.display();
    let connections = analyze(capture);
    let by_frame: BTreeMap<u64, (&Connection, &Segment)> =
        connections.iter().flat_map(|c| c.segments.iter().map(move |s| (s.frame, (c, s)))).collect();
    let expected = parse_tsv(tsv);
    let mut out = Vec::new();
    let mut rtt_by_stream: BTreeMap<usize, String> = BTreeMap::new();
    for e in &expected {
        if let Some(rtt) = &e.initial_rtt {
            rtt_by_stream.entry(e.stream).or_insert_with(|| rtt.clone());
        }
        let Some((conn, seg)) = by_frame.get(&e.frame) else {
            out.push(format!("{name}: frame {}: tshark sees TCP, we do not", e.frame));
            continue;
        };
        let sender = conn.endpoint(seg.dir.sender()).to_string();
        let ours = flag_names(&seg.analysis);
        let checks = [
            ("stream", conn.index.to_string(), e.stream.to_string()),
            ("src", sender, e.src.clone()),
            ("flags", seg.flags.0.to_string(), e.flags.to_string()),
            ("seq", seg.seq.to_string(), e.seq.to_string()),
            ("ack", seg.ack.to_string(), e.ack.to_string()),
            ("len", seg.len.to_string(), e.len.to_string()),
            ("window", seg.window.to_string(), e.window.to_string()),
            ("analysis", format!("{ours:?}"), format!("{:?}", e.analysis)),
        ];
        for (what, got, want) in checks {
            if got != want {
                out.push(format!("{name}: frame {}: {what}: ours {got}, tshark {want}", e.frame));
            }
        }
    }
    let expected_frames: BTreeSet<u64> = expected.iter().map(|e| e.frame).collect();
    for frame in by_frame.keys().filter(|f| !expected_frames.contains(f)) {
        out.push(format!("{name}: frame {frame}: we see TCP, tshark does not"));
    }
    for conn in &connections {
        let ours = conn.handshake_rtt.map(|d| format!("{:.9}", d.as_secs_f64()));
        let theirs = rtt_by_stream.get(&conn.index).cloned();
        if ours != theirs {
            out.push(format!("{name}: stream {}: initial RTT: ours {ours:?}, tshark {theirs:?}", conn.index));
        }
    }
    out
}

fn captures_with_expectations(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|capture| {
            let tsv = PathBuf::from(format!("{}.tshark-tcp.tsv", capture.display()));
            tsv.exists().then_some((capture, tsv))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_tcp_frame_agrees_with_tshark() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = FIXTURE_DIRS.iter().map(|d| root.join(d)).collect();
    if let Ok(extra) = std::env::var("TCPDIALOG_TSHARK_DIRS") {
        dirs.extend(extra.split(':').filter(|d| !d.is_empty()).map(PathBuf::from));
    }
    let mut files = 0;
    let mut all = Vec::new();
    for dir in &dirs {
        for (capture, tsv) in captures_with_expectations(dir) {
            files += 1;
            all.extend(differences(&capture, &tsv));
        }
    }
    assert!(files >= 20, "expected the committed fixtures, found {files} captures with expectations");
    assert!(all.is_empty(), "{} differences with tshark:\n{}", all.len(), all.join("\n"));
}
