//! `tcpdialog diagram` on the first experiment's capture: the arrows of the SVG say what tshark says.

mod common;

use common::*;

/// One arrow as drawn: frame, whether it points right (client to server), and its `[FLAGS] Seq= Ack= Len=` label.
struct Arrow {
    frame: String,
    rightwards: bool,
    tcp_label: String,
}

fn arrows(svg: &str) -> Vec<Arrow> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("d-a")))
        .map(|a| {
            let line = a.children().find(|c| c.has_tag_name("line")).expect("an arrow line");
            let x = |name| line.attribute(name).and_then(|v: &str| v.parse::<f64>().ok()).expect("coordinates");
            let tcp_label = a
                .children()
                .filter(|c| c.has_tag_name("text"))
                .filter_map(|t| t.text())
                .find(|t| t.contains("Seq="))
                .expect("a Seq=/Ack=/Len= label")
                .to_string();
            Arrow {
                frame: a.attribute("id").unwrap()["d-a".len()..].to_string(),
                rightwards: x("x1") < x("x2"),
                tcp_label,
            }
        })
        .collect()
}

#[test]
fn http_close_arrows_match_tshark() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dialog.svg");
    let path = capture("http-close.pcap");
    ok(run(&["diagram", path.to_str().unwrap(), "-o", out.to_str().unwrap()]));
    let svg = std::fs::read_to_string(&out).unwrap();
    let drawn = arrows(&svg);
    let expected = tshark_rows(&path);
    assert_eq!(drawn.len(), expected.len(), "one arrow per segment");
    let client_port = &expected[0]["tcp.srcport"];
    for (arrow, want) in drawn.iter().zip(&expected) {
        let frame = &want["frame.number"];
        assert_eq!(&arrow.frame, frame);
        assert_eq!(arrow.rightwards, &want["tcp.srcport"] == client_port, "direction of frame {frame}");
        let flags = format!("[{}]", flag_names(&want["tcp.flags"]).join(", "));
        assert!(arrow.tcp_label.starts_with(&flags), "frame {frame}: {} should start with {flags}", arrow.tcp_label);
        let mut numbers = vec![format!("Seq={}", want["tcp.seq"])];
        if flag_names(&want["tcp.flags"]).contains(&"ACK".to_string()) {
            numbers.push(format!("Ack={}", want["tcp.ack"]));
        }
        numbers.push(format!("Len={}", want["tcp.len"]));
        assert!(arrow.tcp_label.ends_with(&numbers.join(" ")), "frame {frame}: {} vs {numbers:?}", arrow.tcp_label);
    }
    // The application messages label the segments that complete them.
    assert!(svg.contains(">GET / HTTP/1.1</text>"));
    assert!(svg.contains(">HTTP/1.1 200 OK (text/html)</text>"));
}

#[test]
fn formats_follow_the_output_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = capture("http-close.pcap");
    for (name, starts) in [("d.svg", &b"<svg"[..]), ("d.png", &b"\x89PNG"[..]), ("d.txt", &b"TCP stream 0"[..])] {
        let out = dir.path().join(name);
        ok(run(&["diagram", path.to_str().unwrap(), "-o", out.to_str().unwrap()]));
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(starts), "{name} starts with {:?}", String::from_utf8_lossy(&bytes[..8]));
    }
    let mermaid = ok(run(&["diagram", path.to_str().unwrap(), "--format", "mermaid"]));
    assert!(mermaid.starts_with("sequenceDiagram"), "{mermaid}");
}

#[test]
fn same_capture_same_bytes() {
    let path = capture("http-keepalive.pcap");
    let once = run(&["diagram", path.to_str().unwrap(), "--format", "png"]).stdout;
    let twice = run(&["diagram", path.to_str().unwrap(), "--format", "png"]).stdout;
    assert!(once.len() > 1000);
    assert_eq!(once, twice);
}

#[test]
fn selection_by_stream_port_and_frames() {
    let path = capture("page-load.pcap");
    let p = path.to_str().unwrap();
    let one = ok(run(&["diagram", p, "--stream", "2", "--format", "txt"]));
    assert!(one.starts_with("TCP stream 2:"), "{one}");
    let missing = run(&["diagram", p, "--stream", "9"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("stream 9 does not exist (the capture has 6 TCP stream(s)"),
        "{}",
        stderr(&missing)
    );
    let usage = run(&["diagram", p, "--frames", "9-3"]);
    assert_eq!(usage.status.code(), Some(2), "bad usage is exit code 2");
}

#[test]
fn help_lists_every_format() {
    let help = ok(run(&["diagram", "--help"]));
    let line = help.lines().find(|l| l.contains("--format")).expect("a --format line");
    for format in ["svg", "png", "txt", "mermaid", "html"] {
        assert!(line.contains(format), "{format} missing from: {line}");
    }
}

#[test]
fn frames_read_as_a_post_reads_them_one_frame_or_a_range() {
    let path = capture("http-close.pcap");
    let one = ok(run(&["diagram", path.to_str().unwrap(), "--frames", "5", "--format", "txt"]));
    assert_eq!(one.lines().filter(|l| l.contains("|--") || l.contains("|<-")).count(), 1, "{one}");
    let refused = run(&["diagram", path.to_str().unwrap(), "--frames", "0-3"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("expected a frame range like \"45-52\" or \"9\""));
}
