//! Bad input gives a clear error naming the file (and frame), a non-zero exit, and no panic.

mod common;

use common::*;
use std::path::Path;

fn fails_with(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "exit code for {args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
}

#[test]
fn missing_capture() {
    fails_with(&["inspect", "captures/nope.pcap"], &["captures/nope.pcap", "cannot open"]);
}

#[test]
fn text_file_is_not_a_capture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.pcap");
    std::fs::write(&path, "GET / HTTP/1.1\r\n").unwrap();
    fails_with(&["diagram", path.to_str().unwrap()], &["notes.pcap", "not a pcap or pcapng file"]);
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.pcap");
    std::fs::write(&path, b"").unwrap();
    fails_with(&["inspect", path.to_str().unwrap()], &["empty.pcap", "empty"]);
}

#[test]
fn file_cut_mid_packet_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(capture("http-close.pcap")).unwrap();
    // Cut 10 bytes into the last record's data: frames 1..=11 are whole, frame 12 is not.
    let cut = cut_inside_last_record(&whole);
    let path = dir.path().join("cut.pcap");
    std::fs::write(&path, &whole[..cut]).unwrap();
    let out = run(&["inspect", path.to_str().unwrap(), "--format", "json"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("cut.pcap") && err.contains("frame 12"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["capture"]["packets"], 11);
    assert_eq!(json["capture"]["warnings"][0]["frame"], 12);
}

/// Offset 10 bytes into the data of the last record of a little-endian classic pcap.
fn cut_inside_last_record(pcap: &[u8]) -> usize {
    let mut at = 24;
    let mut last = at;
    while at + 16 <= pcap.len() {
        last = at;
        let caplen = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        at += 16 + caplen;
    }
    last + 16 + 10
}

#[test]
fn unknown_link_type_names_number_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(capture("http-close.pcap")).unwrap();
    // The link type is the last field of the pcap header; 147 is LINKTYPE_USER0.
    bytes[20..24].copy_from_slice(&147u32.to_le_bytes());
    let path = dir.path().join("user0.pcap");
    std::fs::write(&path, &bytes).unwrap();
    fails_with(&["inspect", path.to_str().unwrap()], &["user0.pcap", "link type 147"]);
}

#[test]
fn failed_diagram_leaves_previous_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("dialog.svg");
    std::fs::write(&out_file, "previous").unwrap();
    let bad = dir.path().join("bad.pcap");
    std::fs::write(&bad, "not a capture").unwrap();
    fails_with(&["diagram", bad.to_str().unwrap(), "-o", out_file.to_str().unwrap()], &["bad.pcap"]);
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), "previous");
    assert!(!Path::new(&dir.path().join(".dialog.svg.tmp")).exists());
}

/// Each cause is said once, a selection is said in the command line's words, and an output file whose
/// extension names no format is refused rather than written as SVG.
#[test]
fn errors_say_their_cause_once_and_in_the_users_words() {
    let missing = common::run(&["inspect", "no-such-capture.pcap"]);
    let text = common::stderr(&missing);
    assert_eq!(text.matches("No such file or directory").count(), 1, "{text}");

    let capture = common::capture("http-close.pcap");
    let capture = capture.to_str().unwrap();
    let nothing = common::run(&["diagram", capture, "--host", "10.9.9.9", "--port", "81"]);
    assert_eq!(nothing.status.code(), Some(1));
    let text = common::stderr(&nothing);
    assert!(text.contains("no TCP connection matches the selection (--port 81 --host 10.9.9.9)"), "{text}");
    assert!(!text.contains("Selection {"), "a Debug dump: {text}");

    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("out.jpg");
    let refused = common::run(&["diagram", capture, "-o", jpg.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr(&refused).contains("cannot tell the format from the extension"),
        "{}",
        common::stderr(&refused)
    );
    assert!(!jpg.exists());
}

#[test]
fn a_file_name_with_a_terminal_escape_is_shown_escaped() {
    let out = common::run(&["inspect", "evil\u{1b}[2Jname.pcap"]);
    let text = common::stderr(&out);
    assert!(!text.contains('\u{1b}'), "a raw escape reached the terminal: {text:?}");
    assert!(text.contains("evil\\u{1b}[2Jname.pcap"), "{text:?}");
}
