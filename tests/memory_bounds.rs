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
            seen += 1;
            std::ops::ControlFlow::Continue(())
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
    // Decoders live from a connection's first bytes to the end of both its directions: one at a time here
    // (on each of the two cores that decode).
    assert!(short.2 <= 2 && long.2 <= 2, "decoders alive at once: {} and {}", short.2, long.2);
}

/// `peak memory: 12345 kB` from the hidden `--peak-memory` flag (the kernel's VmHWM of the run).
fn peak_kib(args: &[&str]) -> u64 {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    let line = stderr.lines().find_map(|l| l.strip_prefix("peak memory: ")).expect("a peak memory line");
    line.trim_end_matches(" kB").trim().parse().unwrap_or_else(|_| panic!("{stderr}"))
}

/// Peak memory of `tcpdialog ARGS` on a capture of 2000 connections and on one of 20 000 (the shorter one long
/// enough that buffers and tables have reached their working size: only growth with length is left).
fn peaks_short_and_long(args: &[&str]) -> Option<(u64, u64)> {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc/self/status to read peak memory from");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for (name, count) in [("short.pcap", 2000), ("long.pcap", 20_000)] {
        let path = dir.path().join(name);
        std::fs::write(&path, http_connections(count, SPACING_MICROS)).unwrap();
        let path = path.display().to_string();
        let mut all = vec![args[0], &path];
        all.extend_from_slice(&args[1..]);
        all.push("--peak-memory");
        peaks.push(peak_kib(&all));
    }
    Some((peaks[0], peaks[1]))
}

#[test]
fn conversations_of_a_ten_times_longer_capture_take_the_same_memory() {
    if let Some((short, long)) = peaks_short_and_long(&["conversations", "--format", "csv"]) {
        assert!(
            long as f64 <= short as f64 * 1.2,
            "peak memory: {short} kB for 2000 connections, {long} kB for 20 000"
        );
    }
}

#[test]
fn the_json_of_a_ten_times_longer_capture_takes_the_same_memory() {
    if let Some((short, long)) = peaks_short_and_long(&["inspect", "--format", "json"]) {
        assert!(
            long as f64 <= short as f64 * 1.2,
            "peak memory: {short} kB for 2000 connections, {long} kB for 20 000"
        );
    }
}
