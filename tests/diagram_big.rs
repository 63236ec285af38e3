//! Diagrams of captures with more connections than a picture shows: an overview that says what it left out,
//! and a few frames drawn without reading the rest. Captures are written by the tests (`common::pcap`).

mod common;

use common::pcap::http_connections;
use common::{ok, run};
use std::io::Cursor;
use tcpdialog::analyze::analyze_reader;
use tcpdialog::dialog::{DialogOptions, Selection, build};
use tcpdialog::tcp::Retention;

#[test]
fn a_few_frames_are_drawn_without_reading_the_rest() {
    // 300 connections of 8 segments, one every 20 ms; frames 1-20 are the first three connections.
    let capture = http_connections(300, 20_000);
    let selection = Selection { frames: Some((1, 20)), ..Default::default() };
    let early =
        analyze_reader("synthetic", Cursor::new(capture.clone()), &Default::default(), selection.retention()).unwrap();
    let read = early.summary.packets;
    // They are over by frame 24, retired a second later (about fifty connections on).
    assert!(read < 600, "{read} of 2400 frames read");
    let full = analyze_reader("synthetic", Cursor::new(capture), &Default::default(), Retention::all()).unwrap();
    let options = DialogOptions::default();
    assert_eq!(build(&early, &selection, &options), build(&full, &selection, &options));
}

#[test]
fn a_capture_of_many_connections_is_drawn_as_an_overview_that_names_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.pcap");
    std::fs::write(&path, http_connections(500, 20_000)).unwrap();
    let path = path.to_str().unwrap();
    let text = ok(run(&["diagram", path, "--format", "txt"]));
    let rows = text.lines().filter(|l| l.starts_with('#')).count();
    assert_eq!(rows, 200, "{text}");
    assert!(text.starts_with("200 of 500 TCP connections"), "{text}");
    assert!(text.contains("300 more are not drawn"), "{text}");
    assert!(text.contains(&format!("`tcpdialog conversations {path} --sort problems`")), "{text}");
    let svg = ok(run(&["diagram", path, "--format", "svg"]));
    assert!(svg.contains("300 more are not drawn"));
    // A stream asked for is drawn as asked.
    let one = ok(run(&["diagram", path, "--stream", "7", "--format", "txt"]));
    assert!(one.contains("TCP stream 7"), "{one}");
}
