//! Captures made to cost a lot (tens of thousands of messages in one segment, many connections) give bounded
//! output. The captures are written by the tests (`common::pcap`).

mod common;

use common::pcap::{ACK, PSH, PcapWriter, SYN};
use common::{ok, run};
use std::net::SocketAddrV4;

/// A WebSocket connection whose server sends `frames` empty text frames in one segment.
fn tiny_websocket_frames(frames: usize) -> Vec<u8> {
    let mut w = PcapWriter::default();
    let client: SocketAddrV4 = "10.0.0.1:40000".parse().unwrap();
    let server: SocketAddrV4 = "10.0.0.2:80".parse().unwrap();
    let request = b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    let burst = [0x81u8, 0x00].repeat(frames);
    let (c, s) = (1000u32, 5000u32);
    let (req, resp) = (request.len() as u32, response.len() as u32);
    let t = 1_700_000_000_000_000;
    w.tcp(t, client, server, c, 0, SYN, b"");
    w.tcp(t + 100, server, client, s, c + 1, SYN | ACK, b"");
    w.tcp(t + 200, client, server, c + 1, s + 1, ACK, b"");
    w.tcp(t + 300, client, server, c + 1, s + 1, PSH | ACK, request);
    w.tcp(t + 400, server, client, s + 1, c + 1 + req, PSH | ACK, response);
    w.tcp(t + 500, server, client, s + 1 + resp, c + 1 + req, PSH | ACK, &burst);
    w.into_bytes()
}

#[test]
fn a_segment_of_thirty_thousand_websocket_frames_draws_twenty_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny-frames.pcap");
    std::fs::write(&path, tiny_websocket_frames(30_000)).unwrap();
    let path = path.to_str().unwrap();
    let svg = ok(run(&["diagram", path, "--format", "svg"]));
    assert!(svg.len() < 200_000, "{} bytes of SVG", svg.len());
    assert!(svg.contains("and 29 980 more WebSocket frames"), "the count of the rest is in the picture");
    for view in ["ladder", "table"] {
        let text = ok(run(&["diagram", path, "--view", view, "--format", "txt"]));
        assert!(text.len() < 100_000, "{view}: {} bytes", text.len());
        assert!(text.contains("and 29 980 more WebSocket frames"), "{view}:\n{text}");
    }
    // The protocol stage keeps twenty of them and counts the rest: the packet list and the JSON say so too.
    let list = ok(run(&["inspect", path]));
    assert!(list.len() < 10_000 && list.contains("and 29 980 more WebSocket frames"), "{list}");
    let json = ok(run(&["inspect", path, "--format", "json"]));
    let frames = json.matches("\"summary\": \"WS Text").count();
    assert_eq!((frames, json.matches("\"more\": 29980").count()), (20, 1), "{json}");
}

/// One connection whose client sends `segments` segments of `per_segment` pipelined requests each.
fn pipelined_requests(segments: usize, per_segment: usize) -> Vec<u8> {
    let mut w = PcapWriter::default();
    let client: SocketAddrV4 = "10.0.0.1:40000".parse().unwrap();
    let server: SocketAddrV4 = "10.0.0.2:80".parse().unwrap();
    let burst = b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n".repeat(per_segment);
    let t = 1_700_000_000_000_000;
    w.tcp(t, client, server, 1000, 0, SYN, b"");
    w.tcp(t + 100, server, client, 5000, 1001, SYN | ACK, b"");
    w.tcp(t + 200, client, server, 1001, 5001, ACK, b"");
    for i in 0..segments {
        let seq = 1001 + (i * burst.len()) as u32;
        w.tcp(t + 300 + i as u64 * 100, client, server, seq, 5001, PSH | ACK, &burst);
    }
    w.into_bytes()
}

#[test]
fn segments_of_thousands_of_pipelined_requests_draw_bounded_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipelined.pcap");
    std::fs::write(&path, pipelined_requests(10, 2000)).unwrap();
    let path = path.to_str().unwrap();
    for format in ["svg", "txt"] {
        let out = ok(run(&["diagram", path, "--format", format]));
        assert!(out.len() < 300_000, "{format}: {} bytes", out.len());
        assert!(out.contains("and 1 980 more HTTP messages"), "{format}: the rest is counted");
        assert!(
            out.contains("GET /x and 1 984 more") || out.contains("» and 1 984 more"),
            "{format}: phases are counted"
        );
    }
}
