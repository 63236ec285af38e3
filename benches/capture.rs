//! Capture-reading throughput: packets per second through `CaptureReader` (file format, link layer, IP and TCP
//! decoding, payload copy), from memory so that the disk does not count.
//!
//! Inputs: `tests/fixtures/lossy.pcap` (338 Ethernet frames, bulk transfer with MTU 1500) and `captures/page-load.pcap`
//! repeated so each run reads a few thousand frames. Run with `cargo bench --bench capture`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Cursor;
use std::sync::Arc;
use tcpdialog::capture::CaptureReader;

/// A pcap file made of the fixture's header and its records repeated `times` times.
fn repeated_pcap(path: &str, times: usize) -> Arc<[u8]> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (header, records) = bytes.split_at(24);
    let mut out = header.to_vec();
    for _ in 0..times {
        out.extend_from_slice(records);
    }
    out.into()
}

fn read_all(name: &str, bytes: &Arc<[u8]>) -> u64 {
    let reader = CaptureReader::from_reader(name, Cursor::new(Arc::clone(bytes))).expect("a capture");
    let mut payload = 0u64;
    for packet in reader {
        let packet = packet.expect("readable");
        payload += u64::from(black_box(packet.cap_len));
    }
    payload
}

fn bench_capture(c: &mut Criterion) {
    let mut group = c.benchmark_group("capture");
    for (path, times) in [("tests/fixtures/lossy.pcap", 10), ("captures/page-load.pcap", 20)] {
        let bytes = repeated_pcap(path, times);
        let packets = CaptureReader::from_reader(path, Cursor::new(Arc::clone(&bytes))).expect("capture").count();
        group.throughput(Throughput::Elements(packets as u64));
        group.bench_function(path, |b| b.iter(|| read_all(path, &bytes)));
    }
    group.finish();
}

criterion_group!(benches, bench_capture);
criterion_main!(benches);
