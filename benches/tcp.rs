//! Throughput of the TCP stage: packets per second through `TcpAnalyzer` (sequence analysis, reassembly into a
//! sink that discards), on a real lossy capture and on a synthetic bulk transfer over many connections.
//!
//! Run: `cargo bench --bench tcp`. Packets are decoded once beforehand, so only the TCP stage is timed.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use tcpdialog::capture::{CaptureReader, Packet, PacketContent, TcpFlags, TcpOptions, TcpPacket};
use tcpdialog::tcp::{NullSink, TcpAnalyzer};

fn read_capture(path: &Path) -> Vec<Packet> {
    let reader = CaptureReader::open(path).unwrap_or_else(|e| panic!("{e}"));
    reader.filter_map(Result::ok).collect()
}

/// `connections` downloads of `segments` 1448-byte segments each, interleaved, with an ACK every two segments
/// and one segment in 200 resent (so the analysis and the out-of-order buffer have work to do).
fn bulk_transfer(connections: u16, segments: u32) -> Vec<Packet> {
    let payload = vec![b'x'; 1448];
    let mut packets = Vec::new();
    let mut frame = 0;
    let mut push = |src: &str, dst: &str, seq: u32, ack: u32, flags: u16, data: &[u8]| {
        frame += 1;
        let tcp = TcpPacket {
            src: src.parse().expect("address"),
            dst: dst.parse().expect("address"),
            seq,
            ack,
            flags: TcpFlags(flags),
            window: 1024,
            options: TcpOptions::default(),
            payload_len: data.len() as u32,
            payload: data.to_vec(),
        };
        packets.push(Packet {
            frame,
            timestamp: Duration::from_micros(frame * 10),
            orig_len: 66 + data.len() as u32,
            cap_len: 66 + data.len() as u32,
            content: PacketContent::Tcp(tcp),
        });
    };
    let ack = TcpFlags::ACK;
    for i in 0..segments {
        for c in 0..connections {
            let client = format!("10.0.0.1:{}", 40000 + c);
            let server = "10.0.0.2:443";
            let seq = 1 + i * 1448;
            if i == 0 {
                push(&client, server, 0, 0, TcpFlags::SYN, &[]);
                push(server, &client, 0, 1, TcpFlags::SYN | ack, &[]);
                push(&client, server, 1, 1, ack, &[]);
            }
            push(server, &client, seq, 1, ack, &payload);
            if i % 200 == 199 {
                push(server, &client, seq, 1, ack, &payload);
            }
            if i % 2 == 1 {
                push(&client, server, 1, seq + 1448, ack, &[]);
            }
        }
    }
    packets
}

fn run(packets: &[Packet]) -> usize {
    let mut analyzer = TcpAnalyzer::new();
    for packet in packets {
        analyzer.push(packet, &mut NullSink);
    }
    analyzer.finish(&mut NullSink).len()
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("tcp");
    let lossy = read_capture(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossy.pcap"));
    let bulk = bulk_transfer(20, 2_000);
    for (name, packets) in [("lossy.pcap", &lossy), ("bulk-20x2000", &bulk)] {
        let bytes: u64 = packets.iter().map(|p| u64::from(p.orig_len)).sum();
        group.throughput(Throughput::Elements(packets.len() as u64));
        group.bench_function(format!("{name}/packets"), |b| b.iter(|| run(black_box(packets))));
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("{name}/bytes"), |b| b.iter(|| run(black_box(packets))));
    }
    group.finish();
}

criterion_group! {
    name = tcp;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(tcp);
