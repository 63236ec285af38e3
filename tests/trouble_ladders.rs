//! Long and troubled connections tell their story in bounded height: every loss episode and zero-window stall
//! is a phase named with values that tshark's flags and times give on the same file, every retransmission is
//! drawn or counted, and the ladders stay under the heights at default options.

mod common;

use common::*;
use std::path::Path;
use tcpdialog::analyze::analyze_file;
use tcpdialog::dialog::{self, DialogOptions, Selection, Trouble, TroubleKind, find_trouble, format_duration};

/// The height of the SVG ladder the binary draws at default options.
fn ladder_height(capture: &Path) -> f64 {
    let svg = ok(run(&["diagram", capture.to_str().unwrap(), "--format", "svg"]));
    let start = svg.find("height=\"").unwrap() + 8;
    svg[start..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn troubled_ladders_stay_under_their_heights() {
    // Before: 10 976 px (lossy, 338 packets), 4 948 px (zero window, 107), 5 154 px (5 MB with -s 128, 147).
    for (name, limit) in [("lossy.pcap", 2500.0), ("zerowindow.pcap", 2500.0), ("download-s128.pcap", 1500.0)] {
        let height = ladder_height(&fixture(name));
        assert!(height < limit, "{name}: {height} px");
    }
}

/// tshark's rows of a capture by frame.
struct Tshark(Vec<TsharkRow>);

impl Tshark {
    fn of(capture: &Path) -> Self {
        Tshark(tshark_rows(capture))
    }
    fn rows(&self, first: u64, last: u64) -> impl Iterator<Item = &TsharkRow> {
        self.0.iter().filter(move |r| (first..=last).contains(&r["frame.number"].parse::<u64>().unwrap()))
    }
    fn time(&self, frame: u64) -> f64 {
        self.rows(frame, frame).next().unwrap()["frame.time_relative"].parse().unwrap()
    }
}

fn set(row: &TsharkRow, field: &str) -> bool {
    row.get(field).is_some_and(|v| !v.is_empty())
}

/// What tshark says of a loss episode's frames, in the words of its phase.
fn expected_loss(tshark: &Tshark, t: &Trouble, sender_port: &str) -> Vec<String> {
    let rows: Vec<&TsharkRow> = tshark.rows(t.first_frame, t.last_frame).collect();
    let sent = |r: &&&TsharkRow| r["tcp.srcport"] == sender_port;
    let lost = rows.iter().filter(sent).filter(|r| set(r, "tcp.analysis.lost_segment")).count();
    let dups: Vec<&&TsharkRow> = rows.iter().filter(|r| !sent(r) && set(r, "tcp.analysis.duplicate_ack_num")).collect();
    let mut facts = Vec::new();
    if lost > 1 {
        facts.push(format!("{lost} segments lost"));
    }
    if dups.len() > 1 {
        let edges: Vec<(u64, u64)> = dups
            .iter()
            .flat_map(|r| {
                let info = &r["_ws.col.Info"];
                let value = |key: &str, at: usize| -> u64 {
                    info[at + key.len()..].split(' ').next().unwrap().parse().unwrap()
                };
                let lefts: Vec<u64> = info.match_indices("SLE=").map(|(at, k)| value(k, at)).collect();
                let rights: Vec<u64> = info.match_indices("SRE=").map(|(at, k)| value(k, at)).collect();
                lefts.into_iter().zip(rights).collect::<Vec<_>>()
            })
            .collect();
        let sack = match (edges.iter().map(|e| e.0).min(), edges.iter().map(|e| e.1).max()) {
            (Some(l), Some(r)) => format!(" (SACK {l}–{r})"),
            _ => String::new(),
        };
        facts.push(format!("{} duplicate ACKs{sack}", dups.len()));
    }
    let start = tshark.time(t.first_frame);
    if let Some(fast) = rows.iter().find(|r| set(r, "tcp.analysis.fast_retransmission")) {
        let at = tshark.time(fast["frame.number"].parse().unwrap());
        facts.push(format!("fast retransmission after {}", format_duration(at - start)));
    }
    let resends = rows.iter().filter(sent).filter(|r| set(r, "tcp.analysis.retransmission")).count();
    if resends > 1 {
        facts.push(format!("{resends} retransmissions"));
    }
    facts.push(format!("recovered in {}", format_duration(tshark.time(t.last_frame) - start)));
    facts
}

#[test]
fn each_loss_episode_is_a_phase_named_with_tsharks_values() {
    let capture = fixture("lossy.pcap");
    let analysis = analyze_file(&capture, &Default::default()).unwrap();
    let tshark = Tshark::of(&capture);
    let found = find_trouble(&analysis.connections[0]);
    let losses: Vec<&Trouble> = found.iter().filter(|t| t.kind == TroubleKind::Loss).collect();
    assert!(losses.len() >= 8, "{losses:?}");
    for t in &losses {
        for fact in expected_loss(&tshark, t, "18096") {
            assert!(t.label.contains(&fact), "frames {}–{}: {:?} lacks {fact:?}", t.first_frame, t.last_frame, t.label);
        }
    }
    // Every retransmission tshark flags lies in a loss episode, and the dialog names each episode as a phase.
    for row in tshark.0.iter().filter(|r| set(r, "tcp.analysis.retransmission")) {
        let frame: u64 = row["frame.number"].parse().unwrap();
        assert!(found.iter().any(|t| (t.first_frame..=t.last_frame).contains(&frame)), "frame {frame}");
    }
    let dialog = dialog::build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
    for t in &found {
        assert!(dialog.phases.iter().any(|p| p.label == t.label), "{}", t.label);
    }
}

#[test]
fn every_retransmission_is_drawn_or_counted_in_its_fold() {
    let capture = fixture("lossy.pcap");
    let analysis = analyze_file(&capture, &Default::default()).unwrap();
    let dialog = dialog::build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
    let drawn = dialog
        .events
        .iter()
        .filter(|e| e.fold.is_none() && e.analysis.iter().any(|f| f.name().contains("retransmission")))
        .count();
    let folded: u64 = dialog.events.iter().filter_map(|e| e.fold.as_ref()).map(|f| f.flagged.retransmissions).sum();
    let tshark = Tshark::of(&capture);
    let expected = tshark.0.iter().filter(|r| set(r, "tcp.analysis.retransmission")).count();
    assert_eq!(drawn + folded as usize, expected);
}

#[test]
fn a_zero_window_stall_is_a_phase_with_its_duration_and_probes() {
    // tshark: frame 36 is the client's [TCP ZeroWindow], 37 and 39 the server's keep-alive probes, 41 the
    // client's window update.
    let capture = fixture("zerowindow.pcap");
    let analysis = analyze_file(&capture, &Default::default()).unwrap();
    let tshark = Tshark::of(&capture);
    let stalls: Vec<Trouble> =
        find_trouble(&analysis.connections[0]).into_iter().filter(|t| t.kind == TroubleKind::Stall).collect();
    assert_eq!(stalls.len(), 1, "{stalls:?}");
    let stall = &stalls[0];
    let first = tshark
        .0
        .iter()
        .find(|r| set(r, "tcp.analysis.zero_window") && tshark.time(r["frame.number"].parse().unwrap()) > 0.6)
        .unwrap();
    let first: u64 = first["frame.number"].parse().unwrap();
    let client = &tshark.rows(first, first).next().unwrap()["tcp.srcport"].clone();
    let reopened = tshark.0.iter().find(|r| {
        r["frame.number"].parse::<u64>().unwrap() > first && &r["tcp.srcport"] == client && r["tcp.window_size"] != "0"
    });
    let last: u64 = reopened.unwrap()["frame.number"].parse().unwrap();
    assert_eq!((stall.first_frame, stall.last_frame), (first, last));
    let probes = tshark.rows(first, last).filter(|r| &r["tcp.srcport"] != client).count();
    let zeros = tshark.rows(first, last).filter(|r| set(r, "tcp.analysis.zero_window")).count();
    let duration = format_duration(tshark.time(last) - tshark.time(first));
    let expected =
        format!("zero window for {duration}, {probes} probes, {zeros} zero-window ACKs, then the window opens");
    assert_eq!(stall.label, expected);
    let text = ok(run(&["diagram", capture.to_str().unwrap(), "--format", "text"]));
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn full_labels_show_the_sack_blocks_as_tshark_does() {
    // tshark's Info of frame 33 (Dup ACK 31#1) ends with `SLE=26065 SRE=27513`.
    let capture = fixture("lossy.pcap");
    let info = tshark_rows(&capture).into_iter().find(|r| r["frame.number"] == "33").unwrap()["_ws.col.Info"].clone();
    let sack = &info[info.find(" SLE=").unwrap()..];
    let text =
        ok(run(&["diagram", capture.to_str().unwrap(), "--format", "text", "--labels", "full", "--frames", "30-40"]));
    let line = text.lines().find(|l| l.trim_start().starts_with("33 ")).unwrap();
    assert!(line.trim_end().ends_with(sack.trim_end()), "{line}\n{sack}");
}
