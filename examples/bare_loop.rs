//! The floor a full analysis is measured against (`benches/compare-big.sh`): read a pcap, parse each frame
//! down to TCP and count packets and bytes per flow, nothing else.
//!
//! `bare_loop FILE` uses pcap-file and etherparse directly (the crates tcpdialog reads with);
//! `bare_loop --reader FILE` uses tcpdialog's own `CaptureReader` (framing, link layers, decoding, payload copy).
//! Prints the number of flows and packets, so that the work cannot be optimised away.

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::net::{IpAddr, SocketAddr};

type Flows = HashMap<(SocketAddr, SocketAddr), (u64, u64)>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (own_reader, path) = match args.as_slice() {
        [flag, path] if flag == "--reader" => (true, path),
        [path] => (false, path),
        _ => {
            eprintln!("usage: bare_loop [--reader] FILE.pcap");
            std::process::exit(2);
        }
    };
    let flows = if own_reader { with_our_reader(path) } else { with_pcap_file(path) };
    let packets: u64 = flows.values().map(|(packets, _)| packets).sum();
    println!("{} flows, {packets} TCP packets", flows.len());
}

fn count(flows: &mut Flows, src: SocketAddr, dst: SocketAddr, bytes: u64) {
    let key = if src <= dst { (src, dst) } else { (dst, src) };
    let entry = flows.entry(key).or_default();
    entry.0 += 1;
    entry.1 += bytes;
}

fn with_pcap_file(path: &str) -> Flows {
    let file = BufReader::with_capacity(1 << 20, File::open(path).expect("a readable file"));
    let mut reader = pcap_file::pcap::PcapReader::new(file).expect("a pcap file");
    let mut flows = Flows::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect("a readable packet");
        let Ok(sliced) = SlicedPacket::from_ethernet(&packet.data) else { continue };
        let (Some(net), Some(TransportSlice::Tcp(tcp))) = (sliced.net, sliced.transport) else { continue };
        let (src, dst): (IpAddr, IpAddr) = match net {
            NetSlice::Ipv4(ip) => (ip.header().source_addr().into(), ip.header().destination_addr().into()),
            NetSlice::Ipv6(ip) => (ip.header().source_addr().into(), ip.header().destination_addr().into()),
            _ => continue,
        };
        let src = SocketAddr::new(src, tcp.source_port());
        let dst = SocketAddr::new(dst, tcp.destination_port());
        count(&mut flows, src, dst, u64::from(packet.orig_len));
    }
    flows
}

fn with_our_reader(path: &str) -> Flows {
    let reader = tcpdialog::capture::CaptureReader::open(std::path::Path::new(path)).expect("a capture");
    let mut flows = Flows::new();
    for packet in reader {
        let packet = packet.expect("a readable packet");
        if let tcpdialog::capture::PacketContent::Tcp(tcp) = &packet.content {
            count(&mut flows, tcp.src, tcp.dst, u64::from(packet.orig_len));
        }
    }
    flows
}
