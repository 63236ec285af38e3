//! Stream graphs agree with tshark: on every capture with a committed `FILE.tshark-graph.tsv` (made by
//! `scripts/graph-expectations.sh`), for both directions of every stream,
//! - every frame tshark flags as a retransmission (fast, spurious), out-of-order segment, window full,
//!   duplicate ACK or zero window is a mark of that kind with its frame number, and there is no other mark;
//! - every RTT sample is tshark's `tcp.analysis.ack_rtt` of that frame, measured from its `acks_frame`, and
//!   every `ack_rtt` tshark gives is a sample;
//! - bytes in flight are `tcp.analysis.bytes_in_flight`, frame by frame (none where tshark has none);
//! - the SACK-aware bytes in flight equal the script's own reckoning from tshark's seq/ack/SACK fields.
//!
//! Set `TCPDIALOG_GRAPH_CAPTURES` (colon-separated paths, each with its `.tshark-graph.tsv` made by the
//! script) to compare more captures the same way, e.g. a big transfer not worth committing.

use std::collections::BTreeMap;
use std::path::Path;
use tcpdialog::analyze::analyze_file;
use tcpdialog::dialog::Selection;
use tcpdialog::dialog::graph::{self, Graph, MarkKind};
use tcpdialog::tcp::Direction;

const CAPTURES: [&str; 6] = [
    "tests/fixtures/lossy.pcap",
    "tests/fixtures/zerowindow.pcap",
    "tests/fixtures/tcp/ipv6-sack.pcap",
    "tests/fixtures/tcp/loss.pcap",
    "tests/fixtures/tcp/zero-window.pcap",
    "captures/lossy-download.pcap",
];

struct Row {
    frame: u64,
    stream: usize,
    src: String,
    flags: [bool; 7],
    ack_rtt: Option<(f64, u64)>,
    bytes_in_flight: Option<u32>,
    sack_in_flight: Option<u32>,
}

/// The kinds of marks tshark's seven flag columns stand for, in column order.
const FLAG_KINDS: [MarkKind; 7] = [
    MarkKind::Retransmission,
    MarkKind::FastRetransmission,
    MarkKind::SpuriousRetransmission,
    MarkKind::OutOfOrder,
    MarkKind::DuplicateAck,
    MarkKind::ZeroWindow,
    MarkKind::WindowFull,
];

fn rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            let opt = |i: usize| c.get(i).filter(|s| !s.is_empty()).map(|s| s.to_string());
            Row {
                frame: c[0].parse().unwrap(),
                stream: c[1].parse().unwrap(),
                src: c[2].to_string(),
                flags: std::array::from_fn(|i| c[3 + i] == "1"),
                ack_rtt: opt(10).map(|rtt| (rtt.parse().unwrap(), opt(11).unwrap().parse().unwrap())),
                bytes_in_flight: opt(12).map(|b| b.parse().unwrap()),
                sack_in_flight: opt(13).map(|b| b.parse().unwrap()),
            }
        })
        .collect()
}

/// Both graphs of every stream, by (stream, sender socket).
fn graphs(capture: &Path) -> BTreeMap<(usize, String), Graph> {
    let analysis = analyze_file(capture, &Default::default()).unwrap();
    let mut out = BTreeMap::new();
    for conn in &analysis.connections {
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            let selection = Selection { streams: vec![conn.index], ..Default::default() };
            let g = graph::build(&analysis, &selection, Some(dir)).unwrap();
            out.insert((conn.index, g.sender.to_string()), g);
        }
    }
    out
}

#[test]
fn graphs_agree_with_tshark() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let extra = std::env::var("TCPDIALOG_GRAPH_CAPTURES").unwrap_or_default();
    let extra: Vec<&str> = extra.split(':').filter(|p| !p.is_empty()).collect();
    for capture in CAPTURES.iter().copied().chain(extra) {
        let graphs = graphs(&root.join(capture));
        let expected = rows(&root.join(format!("{capture}.tshark-graph.tsv")));
        let mut checked = [0usize; 4];
        for row in &expected {
            let sent = &graphs[&(row.stream, row.src.clone())];
            let received =
                graphs.values().find(|g| g.stream == row.stream && g.receiver.to_string() == row.src).unwrap();
            for (i, kind) in FLAG_KINDS.iter().enumerate() {
                let graph = if kind.from_receiver() { received } else { sent };
                // tshark's retransmission column also flags fast and spurious ones; a mark has one kind.
                let kinds: &[MarkKind] = match kind {
                    MarkKind::Retransmission => &FLAG_KINDS[..3],
                    _ => std::slice::from_ref(kind),
                };
                let marked = graph.marks.iter().any(|m| m.frame == row.frame && kinds.contains(&m.kind));
                assert_eq!(marked, row.flags[i], "{capture}: frame {}: {kind:?}", row.frame);
                let counted = *kind != MarkKind::Retransmission || !(row.flags[1] || row.flags[2]);
                checked[0] += usize::from(marked && counted);
            }
            let sample = received.rtt.iter().find(|s| s.frame == row.frame);
            match (row.ack_rtt, sample) {
                (Some((rtt, acked)), Some(s)) => {
                    assert!(
                        (s.rtt - rtt).abs() < 5e-7,
                        "{capture}: frame {}: rtt {} vs tshark {rtt}",
                        row.frame,
                        s.rtt
                    );
                    assert_eq!(s.acked_frame, acked, "{capture}: frame {}", row.frame);
                    checked[1] += 1;
                }
                (None, None) => {}
                (want, got) => panic!("{capture}: frame {}: tshark ack_rtt {want:?}, graph {got:?}", row.frame),
            }
            if let Some(point) = sent.flight.iter().find(|p| p.frame == row.frame) {
                assert_eq!(point.wireshark, row.bytes_in_flight, "{capture}: frame {}: bytes in flight", row.frame);
                assert_eq!(point.sack_aware, row.sack_in_flight, "{capture}: frame {}: SACK-aware", row.frame);
                checked[2] += usize::from(point.wireshark.is_some());
                checked[3] += usize::from(point.sack_aware != point.wireshark);
            } else {
                assert_eq!(row.bytes_in_flight, None, "{capture}: frame {}", row.frame);
            }
        }
        // No mark tshark does not have either: count them both ways.
        let marks: usize =
            graphs.values().map(|g| g.marks.iter().filter(|m| FLAG_KINDS.contains(&m.kind)).count()).sum();
        assert_eq!(marks, checked[0], "{capture}: marks tshark has no flag for");
        assert!(checked[1] > 0 && checked[2] > 0, "{capture}: nothing compared: {checked:?}");
        if capture.contains("lossy") || capture.contains("sack") {
            assert!(checked[3] > 0, "{capture}: SACK never changes bytes in flight here");
        }
    }
}
