//! The author's voice on the command line: `--note`, `--highlight` and `--header` show in every format (SVG,
//! PNG, text, Mermaid) and in the accessible description, on the h2c upgrade capture whose headers tshark
//! lists in `h2c-upgrade.pcap.tshark-upgrade.tsv`.

mod common;

use common::*;

const NOTE: &str = "the client asks to switch to h2c";

fn draw(format: &str, annotated: bool) -> Vec<u8> {
    let path = capture("h2c-upgrade.pcap");
    let note = format!("4={NOTE}");
    let mut args = vec!["diagram", path.to_str().unwrap(), "--format", format];
    if annotated {
        args.extend(["--note", &note, "--highlight", "4-6", "--header", "Upgrade", "--header", "Connection"]);
    }
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    out.stdout
}

/// tshark's `Upgrade` and `Connection` values by frame.
fn tshark_headers() -> Vec<(String, String, String)> {
    tshark_table(&repo().join("captures/h2c-upgrade.pcap.tshark-upgrade.tsv"))
        .into_iter()
        .map(|r| (r["frame.number"].clone(), r["http.upgrade"].clone(), r["http.connection"].clone()))
        .collect()
}

#[test]
fn notes_and_headers_show_in_text_and_mermaid_under_their_arrows() {
    let headers = tshark_headers();
    assert_eq!(headers.len(), 2);
    for format in ["text", "mermaid"] {
        let out = String::from_utf8(draw(format, true)).unwrap();
        assert!(out.contains(&format!("✎ {NOTE}")), "{format}: {out}");
        for (_, upgrade, connection) in &headers {
            assert!(out.to_lowercase().contains(&format!("upgrade: {upgrade}")), "{format}: {out}");
            assert!(out.contains(&format!("onnection: {connection}")), "{format}: {out}");
        }
        let plain = String::from_utf8(draw(format, false)).unwrap();
        assert!(!plain.contains('✎') && !plain.contains("Upgrade: h2c"), "{format}: nothing unasked");
    }
    // Text marks the highlighted arrows in the margin, Mermaid boxes them.
    let text = String::from_utf8(draw("text", true)).unwrap();
    let marked: Vec<&str> = text.lines().filter(|l| l.starts_with('▶')).collect();
    assert_eq!(marked.len(), 3, "{text}");
    let mermaid = String::from_utf8(draw("mermaid", true)).unwrap();
    assert_eq!(mermaid.matches("    rect ").count(), 1, "{mermaid}");
}

#[test]
fn the_svg_dims_what_is_not_highlighted_and_describes_the_note() {
    let svg = String::from_utf8(draw("svg", true)).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let arrow = |frame: u64| doc.descendants().find(|n| n.attribute("id") == Some(&format!("d-a{frame}"))).unwrap();
    for frame in [4, 5, 6] {
        assert_eq!(arrow(frame).attribute("class"), None, "frame {frame} is highlighted");
    }
    for frame in [1, 7, 13] {
        assert_eq!(arrow(frame).attribute("class"), Some("dimmed"), "frame {frame}");
    }
    let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap().text().unwrap();
    assert!(desc.contains(&format!("At frame 4: {NOTE}.")), "{desc}");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains(NOTE)));
    assert!(texts.contains(&"Upgrade: h2c"));
}

#[test]
fn the_png_is_drawn_with_them() {
    let annotated = draw("png", true);
    let plain = draw("png", false);
    assert!(annotated.starts_with(b"\x89PNG"));
    let height = |png: &[u8]| u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(height(&annotated) > height(&plain), "the note and headers take room");
}

#[test]
fn a_bad_note_or_range_is_refused_in_the_command_lines_words() {
    let path = capture("h2c-upgrade.pcap");
    for args in [["--note", "four=x"], ["--highlight", "6-4"]] {
        let out = run(&["diagram", path.to_str().unwrap(), "--format", "text", args[0], args[1]]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("expected"), "{}", stderr(&out));
    }
}

#[test]
fn a_note_for_a_frame_the_diagram_does_not_show_is_an_error_not_a_silence() {
    let path = capture("h2c-upgrade.pcap");
    let out = run(&["diagram", path.to_str().unwrap(), "--format", "text", "--frames", "1-5", "--note", "9=late"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a note is for frame 9, which this diagram does not show (its frames: 1–5)"),
        "{}",
        stderr(&out)
    );
}
