//! Memory does not grow with the length of a capture, only with the connections open at one time: the same
//! kind of traffic, ten times longer, costs the same. Captures are written by the test (`common::pcap`).

mod common;

use common::pcap::http_connections;
use common::{ok, run};
use std::io::Cursor;
use tcpdialog::analyze::analyze_stream;
use tcpdialog::tcp::Retention;

/// One connection every 20 ms, each over within a millisecond: with the one-second linger of a connection
/// that is over, about fifty are alive at any time however long the capture is.
const SPACING_MICROS: u64 = 20_000;

/// (connections handed over, peak of live TCP states, peak of live decoders).
fn peaks(capture: Vec<u8>) -> (usize, usize, usize) {
    let mut seen = 0;
    let streamed =
        analyze_stream("synthetic", Cursor::new(capture), &Default::default(), Retention::summaries(), &mut |_| {
            seen += 1
        })
        .unwrap();
    (seen, streamed.peak_open_connections, streamed.peak_decoders)
}

#[test]
fn live_connection_states_do_not_grow_with_the_capture() {
    let short = peaks(http_connections(300, SPACING_MICROS));
    let long = peaks(http_connections(3000, SPACING_MICROS));
    assert_eq!((short.0, long.0), (300, 3000));
    assert!(short.1 <= 60, "{} TCP states alive at once for 300 connections", short.1);
    assert!(long.1 as f64 <= short.1 as f64 * 1.2, "TCP states: {} for 300 connections, {} for 3000", short.1, long.1);
    // Decoders live from a connection's first bytes to the end of both its directions: one at a time here.
    assert_eq!((short.2, long.2), (1, 1));
}

/// `peak memory: 12345 kB` from the hidden `--peak-memory` flag (the kernel's VmHWM of the run).
fn peak_kib(args: &[&str]) -> u64 {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    let line = stderr.lines().find_map(|l| l.strip_prefix("peak memory: ")).expect("a peak memory line");
    line.trim_end_matches(" kB").trim().parse().unwrap_or_else(|_| panic!("{stderr}"))
}

#[test]
fn conversations_of_a_ten_times_longer_capture_take_the_same_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc/self/status to read peak memory from");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.pcap");
    let long = dir.path().join("long.pcap");
    std::fs::write(&short, http_connections(500, SPACING_MICROS)).unwrap();
    std::fs::write(&long, http_connections(5000, SPACING_MICROS)).unwrap();
    let args = |path: &std::path::Path| {
        [
            "conversations".to_string(),
            path.display().to_string(),
            "--format".into(),
            "csv".into(),
            "--peak-memory".into(),
        ]
    };
    let [a, b, c, d, e] = args(&short);
    let short_kib = peak_kib(&[&a, &b, &c, &d, &e]);
    let [a, b, c, d, e] = args(&long);
    let long_kib = peak_kib(&[&a, &b, &c, &d, &e]);
    assert!(
        long_kib as f64 <= short_kib as f64 * 1.2,
        "peak memory: {short_kib} kB for 500 connections, {long_kib} kB for 5000"
    );
}
