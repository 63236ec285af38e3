//! Stream graphs drawn by the real binary on real captures: every mark tshark has is in the SVG with its
//! frame and Wireshark's Info line; reference PNGs of each view on the loss and zero-window captures, at blog
//! width and for a phone,
//! compared pixel by pixel with a small tolerance (as resvg tests its renders); a golden SVG; a huge
//! transfer stays small; text formats are refused with the formats a graph supports.
//!
//! `TCPDIALOG_BLESS_GRAPHS=1 cargo test --test graph_render` rewrites the reference PNGs in
//! `tests/fixtures/graphs/` (look at them before committing).

mod common;

use common::pcap::{ACK, PSH, PcapWriter, SYN};
use common::{ok, repo, run, stderr};
use resvg::tiny_skia::Pixmap;
use std::net::SocketAddrV4;

const VIEWS: [&str; 5] = ["tcptrace", "stevens", "throughput", "rtt", "window"];

/// tshark's Info column and analysis flags of every frame of a capture (the committed `.tshark-tcp.tsv`).
fn tshark_info(capture: &str) -> Vec<(u64, String, String)> {
    let text = std::fs::read_to_string(repo().join(format!("{capture}.tshark-tcp.tsv"))).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            (c[0].parse().unwrap(), c[9].to_string(), c[12].trim_end().to_string())
        })
        .collect()
}

/// The tooltips of an SVG's marks, by frame.
fn tooltips(svg: &str) -> Vec<(u64, String)> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("title") && n.parent().is_some_and(|p| p.has_tag_name("a") || p.has_tag_name("g")))
        .filter_map(|n| {
            let text = n.text()?.to_string();
            let frame = text.strip_prefix("Frame ")?.split(':').next()?.parse().ok()?;
            Some((frame, text))
        })
        .collect()
}

#[test]
fn every_flagged_frame_is_a_mark_with_wiresharks_info_line() {
    for capture in ["tests/fixtures/lossy.pcap", "tests/fixtures/zerowindow.pcap", "captures/lossy-download.pcap"] {
        let svg = ok(run(&["diagram", capture, "--view", "tcptrace"]));
        let marks = tooltips(&svg);
        let mut seen = 0;
        for (frame, analysis, info) in tshark_info(capture) {
            let flagged = ["retransmission", "duplicate_ack", "zero_window", "out_of_order"]
                .iter()
                .any(|f| analysis.split(',').any(|a| a.starts_with(f)));
            if !flagged {
                continue;
            }
            // The mark, not the I-beam every data segment of a short transfer has (`Frame 41: 1448 bytes from
            // 18825: …`).
            let beam = |t: &str| t.split(": ").nth(1).is_some_and(|what| what.contains(" bytes from "));
            let tooltip = marks.iter().find(|(f, t)| *f == frame && !beam(t)).map(|(_, t)| t.as_str());
            let tooltip = tooltip.unwrap_or_else(|| panic!("{capture}: frame {frame} ({analysis}) has no mark"));
            assert!(tooltip.ends_with(&info), "{capture}: frame {frame}: {tooltip:?} does not end with {info:?}");
            seen += 1;
        }
        assert!(seen > 10, "{capture}: only {seen} flagged frames");
    }
}

#[test]
fn marks_link_to_the_packet_table_in_a_post() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("captures")).unwrap();
    std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
    std::fs::copy(repo().join("tests/fixtures/lossy.pcap"), dir.path().join("captures/lossy.pcap")).unwrap();
    let post = "Title: Loss\nDate: 2024-01-01\n\n```tcpdialog\ncapture = \"lossy.pcap\"\nview = \"tcptrace\"\n```\n";
    std::fs::write(dir.path().join("content/posts/loss.md"), post).unwrap();
    ok(common::run_in(dir.path(), &["build"]));
    let page = std::fs::read_to_string(dir.path().join("output/posts/loss/index.html")).expect("the post's page");
    // Fast retransmission 41: its mark links to its row, and the row is there.
    let row = page.find("id=\"d1-f41\"").expect("frame 41's row in the packet list");
    let link = page.find("href=\"#d1-f41\"").expect("a mark linking to frame 41");
    assert!(link < row, "the graph comes before its packet list");
    // Every mark's link has its row, duplicate ACKs of a burst too (the list folds nothing).
    let links: Vec<&str> = page.split("href=\"#d1-f").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert!(links.len() > 100, "{} links", links.len());
    for frame in links {
        assert!(page.contains(&format!("id=\"d1-f{frame}\"")), "a mark links to frame {frame}, which has no row");
    }
}

#[test]
fn marks_link_only_to_rows_the_packet_list_shows() {
    // 6 000 segments: the packet list shows its first 300 and last 100 rows, the resends are in between.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("captures")).unwrap();
    std::fs::create_dir_all(dir.path().join("content/posts")).unwrap();
    std::fs::write(dir.path().join("captures/big.pcap"), big_transfer(6_000)).unwrap();
    let post = "Title: Big\nDate: 2024-01-01\n\n```tcpdialog\ncapture = \"big.pcap\"\nview = \"stevens\"\n```\n";
    std::fs::write(dir.path().join("content/posts/big.md"), post).unwrap();
    ok(common::run_in(dir.path(), &["build"]));
    let page = std::fs::read_to_string(dir.path().join("output/posts/big/index.html")).expect("the post's page");
    assert!(page.contains("<title>Frame 4492: retransmission"), "the resends are marked");
    let links: Vec<&str> = page.split("href=\"#d1-f").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    for frame in &links {
        assert!(page.contains(&format!("id=\"d1-f{frame}\"")), "a mark links to frame {frame}, which has no row");
    }
}

/// Pixels whose channels differ by more than 24 of 255, over all pixels.
fn differing(a: &Pixmap, b: &Pixmap) -> f64 {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()), "sizes differ");
    let bad = a
        .data()
        .chunks(4)
        .zip(b.data().chunks(4))
        .filter(|(p, q)| p.iter().zip(*q).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    bad as f64 / f64::from(a.width() * a.height())
}

#[test]
fn each_view_looks_like_its_reference_png() {
    let bless = std::env::var_os("TCPDIALOG_BLESS_GRAPHS").is_some();
    let widths = [("wide", "", 700), ("compact", "-compact", 360)];
    for (capture, name) in [("tests/fixtures/lossy.pcap", "lossy"), ("tests/fixtures/zerowindow.pcap", "zerowindow")] {
        for (view, (width, suffix, pixels)) in VIEWS.iter().flat_map(|v| widths.iter().map(move |w| (*v, *w))) {
            let reference = repo().join(format!("tests/fixtures/graphs/{name}-{view}{suffix}.png"));
            let out = run(&["diagram", capture, "--view", view, "--width", width, "--format", "png"]);
            assert!(out.status.success(), "{}", stderr(&out));
            if bless {
                std::fs::write(&reference, &out.stdout).unwrap();
                continue;
            }
            let drawn = Pixmap::decode_png(&out.stdout).unwrap();
            let expected = Pixmap::decode_png(&std::fs::read(&reference).unwrap()).unwrap();
            assert_eq!(drawn.width(), pixels, "{name} {view}: {width}");
            let share = differing(&drawn, &expected);
            assert!(
                share < 0.002,
                "{name} {view}: {:.2} % of pixels differ from {}",
                share * 100.0,
                reference.display()
            );
        }
    }
}

/// Golden SVGs of a small synthetic capture (27 frames: a loss, three duplicate ACKs, fast, spurious and RTO
/// retransmissions, swapped segments), reviewed when they change.
#[test]
fn small_graphs_are_golden() {
    for view in ["tcptrace", "rtt"] {
        let svg = ok(run(&["diagram", "tests/fixtures/tcp/loss.pcap", "--view", view]));
        insta::assert_snapshot!(format!("graph_loss_{view}_svg"), svg);
    }
}

#[test]
fn text_formats_name_the_formats_a_graph_has() {
    let out = run(&["diagram", "tests/fixtures/lossy.pcap", "--view", "rtt", "--format", "txt"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the rtt view is a graph, drawn as svg or png only (not text)"), "{}", stderr(&out));
    let out = run(&["diagram", "captures/page-load.pcap", "--view", "tcptrace"]);
    assert!(
        stderr(&out).contains("a graph shows one TCP stream, and 6 match; choose one with --stream"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_direction_can_be_chosen() {
    let svg = ok(run(&["diagram", "tests/fixtures/lossy.pcap", "--view", "stevens", "--direction", "c2s"]));
    assert!(svg.contains("127.0.0.1:37400 → 127.0.0.1:18096 (tcp.stream 0)"), "{svg}");
    let out = run(&["diagram", "tests/fixtures/lossy.pcap", "--view", "stevens", "--direction", "up"]);
    assert!(stderr(&out).contains("unknown direction \"up\" (expected one of: c2s s2c)"), "{}", stderr(&out));
}

/// A download of `segments` 100-byte segments, an ACK every second one, every 997th segment sent twice.
fn big_transfer(segments: u32) -> Vec<u8> {
    let (client, server) = ("10.0.0.1:40000".parse().unwrap(), "10.0.0.2:80".parse::<SocketAddrV4>().unwrap());
    let mut w = PcapWriter::default();
    let (c, s) = (1000u32, 5000u32);
    w.tcp(0, client, server, c, 0, SYN, b"");
    w.tcp(100, server, client, s, c + 1, SYN | ACK, b"");
    w.tcp(200, client, server, c + 1, s + 1, ACK, b"");
    let payload = [b'x'; 100];
    let mut t = 1_000u64;
    for i in 0..segments {
        let seq = s + 1 + i * 100;
        w.tcp(t, server, client, seq, c + 1, PSH | ACK, &payload);
        if i % 997 == 996 {
            w.tcp(t + 5, server, client, seq, c + 1, PSH | ACK, &payload);
        }
        if i % 2 == 1 {
            w.tcp(t + 10, client, server, c + 1, seq + 100, ACK, b"");
        }
        t += 20;
    }
    w.into_bytes()
}

#[test]
fn a_huge_transfer_is_drawn_from_bins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pcap");
    std::fs::write(&path, big_transfer(60_000)).unwrap();
    let path = path.to_str().unwrap();
    for view in VIEWS {
        let svg = ok(run(&["diagram", path, "--view", view]));
        roxmltree::Document::parse(&svg).expect("well-formed");
        eprintln!("{view}: {} bytes of SVG for 60 000 segments", svg.len());
        assert!(svg.len() < 300_000, "{view}: {} bytes", svg.len());
        if view == "tcptrace" {
            assert!(svg.contains("retransmission (60)"), "every resend is counted in the legend");
        }
    }
}
