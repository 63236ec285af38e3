//! Writes the README's example pictures to `docs/images/` (run on purpose, not in the normal test run):
//! `cargo test --test diagram_images -- --ignored`.

mod diagram_support;

use diagram_support::{dialog_of, repo_path, synthetic};
use tcpdialog::diagram::{DiagramOptions, Format, View, render};

fn write(capture: &str, view: View, name: &str) {
    let dialog = match capture {
        "synthetic-transfer" => synthetic::transfer(100_000, true),
        _ => dialog_of(capture),
    };
    let options = DiagramOptions { view, scale: 1.0, ..Default::default() };
    let png = render(&dialog, &options, Format::Png).unwrap_or_else(|e| panic!("{capture}: {e}"));
    // Pictures of other captures, for looking at by eye, go to the temporary directory.
    let dir = if name.starts_with("look-") { std::env::temp_dir() } else { repo_path("docs/images") };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
    let svg = render(&dialog, &options, Format::Svg).unwrap();
    std::fs::write(std::env::temp_dir().join(name.replace(".png", ".svg")), svg).unwrap();
}

#[test]
#[ignore = "writes docs/images; run on purpose"]
fn write_readme_images() {
    let only = std::env::var("ONLY").unwrap_or_default();
    let list = [
        ("captures/http-close.pcap", View::Ladder, "ladder-http-close.png"),
        ("captures/http-keepalive.pcap", View::Ladder, "ladder-keepalive.png"),
        ("captures/websocket.pcap", View::Ladder, "ladder-websocket.png"),
        ("captures/page-load.pcap", View::Timeline, "timeline-page-load.png"),
        ("captures/h2c-upgrade.pcap", View::Ladder, "ladder-h2c-upgrade.png"),
        ("captures/tls13.pcap", View::Ladder, "ladder-tls13.png"),
        ("captures/page-load.pcap", View::Ladder, "look-ladder-page-load.png"),
        ("tests/fixtures/lossy.pcap", View::Ladder, "ladder-loss.png"),
        ("tests/fixtures/zerowindow.pcap", View::Ladder, "ladder-zerowindow.png"),
        ("tests/fixtures/abort-linger0.pcap", View::Ladder, "look-ladder-abort.png"),
        ("captures/http-keepalive.pcap", View::Timeline, "look-timeline-keepalive.png"),
        ("synthetic-transfer", View::Ladder, "look-ladder-transfer.png"),
    ];
    for (capture, view, name) in list {
        if only.is_empty() || name.contains(&only) {
            write(capture, view, name);
        }
    }
}
