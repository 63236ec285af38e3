//! Captures of link types and oddities we have no real file of, made by re-wrapping the real packets of the
//! fixtures (written to a temporary directory with pcap-file's writers) and compared with the original's decoding.

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::{DataLink, TsResolution};
use std::borrow::Cow;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tcpdialog::capture::{
    CaptureError, CaptureReader, CaptureSummary, FormatProblem, MAX_LISTED_WARNINGS, Packet, PacketContent,
};

/// (timestamp, frame bytes) of each frame.
type Frames = Vec<(Duration, Vec<u8>)>;

/// Every frame of a fixture; the fixtures used here hold whole frames.
fn frames_of(path: &str) -> Frames {
    let mut reader = PcapReader::new(File::open(path).expect(path)).expect(path);
    let mut frames = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.expect(path);
        frames.push((packet.timestamp, packet.data.into_owned()));
    }
    frames
}

fn write_pcap(dir: &Path, name: &str, datalink: DataLink, frames: &[(Duration, Vec<u8>)]) -> PathBuf {
    write_pcap_with_lengths(dir, name, datalink, frames.iter().map(|(ts, data)| (*ts, data.clone(), data.len() as u32)))
}

/// Frames as (timestamp, captured bytes, original length).
fn write_pcap_with_lengths(
    dir: &Path,
    name: &str,
    datalink: DataLink,
    frames: impl IntoIterator<Item = (Duration, Vec<u8>, u32)>,
) -> PathBuf {
    let path = dir.join(name);
    let header =
        PcapHeader { datalink, snaplen: 262_144, ts_resolution: TsResolution::NanoSecond, ..Default::default() };
    let mut writer = PcapWriter::with_header(File::create(&path).expect("create"), header).expect("header");
    for (timestamp, data, orig_len) in frames {
        writer.write_packet(&PcapPacket::new(timestamp, orig_len, &data)).expect("write");
    }
    path
}

fn read_all(path: &Path) -> Result<(Vec<Packet>, CaptureSummary), CaptureError> {
    let mut reader = CaptureReader::open(path)?;
    let packets = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok((packets, reader.summary().clone()))
}

/// What the reader made of each frame, in a comparable form.
fn decoded(path: &Path) -> Vec<String> {
    let (packets, summary) = read_all(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.warnings.is_empty(), "{}: {:?}", path.display(), summary.warnings);
    packets.iter().map(|p| format!("{} {:?} {:?}", p.frame, p.timestamp, p.content)).collect()
}

fn network_layer(ethernet: &[u8]) -> Vec<u8> {
    ethernet[14..].to_vec()
}

fn rewrap(frames: &[(Duration, Vec<u8>)], wrap: impl Fn(&[u8]) -> Vec<u8>) -> Vec<(Duration, Vec<u8>)> {
    frames.iter().map(|(ts, data)| (*ts, wrap(data))).collect()
}

#[test]
fn loopback_and_raw_ip_link_types_decode_like_ethernet() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (fixture, family_v) in
        [("captures/http-close.pcap", [2u32].as_slice()), ("tests/fixtures/ipv6.pcap", &[24, 28, 30])]
    {
        let frames = frames_of(fixture);
        let expected = decoded(Path::new(fixture));
        assert!(expected.iter().all(|d| d.contains("Tcp(")), "{fixture} is all TCP");
        let mut cases: Vec<(String, DataLink, Frames)> = vec![
            ("raw101".into(), DataLink::RAW, rewrap(&frames, network_layer)),
            ("raw12".into(), DataLink::Unknown(12), rewrap(&frames, network_layer)),
            ("raw14".into(), DataLink::Unknown(14), rewrap(&frames, network_layer)),
        ];
        let (specific, specific_name) =
            if fixture.contains("ipv6") { (DataLink::IPV6, "ipv6-229") } else { (DataLink::IPV4, "ipv4-228") };
        cases.push((specific_name.into(), specific, rewrap(&frames, network_layer)));
        for &family in family_v {
            let le = move |f: &[u8]| [&family.to_le_bytes()[..], &f[14..]].concat();
            let be = move |f: &[u8]| [&family.to_be_bytes()[..], &f[14..]].concat();
            cases.push((format!("null-le-{family}"), DataLink::NULL, rewrap(&frames, le)));
            cases.push((format!("null-be-{family}"), DataLink::NULL, rewrap(&frames, be)));
            cases.push((format!("loop-{family}"), DataLink::LOOP, rewrap(&frames, be)));
        }
        for (name, datalink, wrapped) in cases {
            let path = write_pcap(dir.path(), &format!("{name}.pcap"), datalink, &wrapped);
            assert_eq!(decoded(&path), expected, "{fixture} as {name}");
        }
    }
}

#[test]
fn vlan_tagged_ethernet_decodes_like_untagged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = "captures/http-close.pcap";
    let tagged = rewrap(&frames_of(fixture), |f| [&f[..12], &[0x81, 0x00, 0x00, 0x2a], &f[12..]].concat());
    let path = write_pcap(dir.path(), "vlan.pcap", DataLink::ETHERNET, &tagged);
    assert_eq!(decoded(&path), decoded(Path::new(fixture)));
}

#[test]
fn unsupported_link_type_is_an_error_with_number_and_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_pcap(dir.path(), "wifi.pcap", DataLink::IEEE802_11, &frames_of("tests/fixtures/refused.pcap"));
    let error = read_all(&path).expect_err("802.11 is not read");
    assert!(matches!(error, CaptureError::UnknownLinkType { number: 105, .. }), "{error}");
    assert!(error.to_string().contains("wifi.pcap: unsupported link type 105 (IEEE802_11)"), "{error}");
}

#[test]
fn ip_fragments_are_counted_and_the_first_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut frames = frames_of("captures/http-close.pcap");
    frames[3].1[14 + 6] |= 0x20; // frame 4 (the request): more fragments
    frames[4].1[14 + 6..14 + 8].copy_from_slice(&[0x00, 0x10]); // frame 5: a later fragment at offset 128
    let path = write_pcap(dir.path(), "fragments.pcap", DataLink::ETHERNET, &frames);
    let (packets, summary) = read_all(&path).expect("readable");
    assert_eq!(packets.len(), 12);
    assert!(matches!(packets[3].content, PacketContent::IpFragment));
    assert!(matches!(packets[4].content, PacketContent::IpFragment));
    assert_eq!((summary.ip_fragments, summary.tcp_packets, summary.skipped), (2, 10, 2));
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert_eq!(summary.warnings[0].frame, 4);
    assert!(summary.warnings[0].message.contains("fragments.pcap: frame 4: IPv4 fragment"), "{:?}", summary.warnings);
}

#[test]
fn a_tcp_header_cut_by_snaplen_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frames = frames_of("tests/fixtures/refused.pcap");
    // Frame 1 is the SYN (40-byte TCP header): keep 10 bytes of it; frame 2 stays whole.
    let cut = frames.iter().enumerate().map(|(i, (ts, data))| {
        let kept = if i == 0 { &data[..14 + 20 + 10] } else { &data[..] };
        (*ts, kept.to_vec(), data.len() as u32)
    });
    let path = write_pcap_with_lengths(dir.path(), "cut-header.pcap", DataLink::ETHERNET, cut);
    let (packets, summary) = read_all(&path).expect("readable");
    assert_eq!(packets.len(), 2);
    assert!(matches!(packets[0].content, PacketContent::Other));
    assert_eq!((packets[0].cap_len, packets[0].orig_len), (44, 74));
    assert!(matches!(packets[1].content, PacketContent::Tcp(_)));
    assert_eq!((summary.skipped, summary.tcp_packets), (1, 1));
    let message = &summary.warnings[0].message;
    assert!(message.contains("cut-header.pcap: frame 1: TCP header cut short"), "{message}");
    assert!(message.contains("10 of 20 bytes"), "{message}");
}

#[test]
fn warnings_are_capped_and_the_rest_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ts, syn) = frames_of("tests/fixtures/refused.pcap").remove(0);
    let cut = (0..150).map(|_| (ts, syn[..40].to_vec(), syn.len() as u32));
    let path = write_pcap_with_lengths(dir.path(), "many.pcap", DataLink::ETHERNET, cut);
    let (packets, summary) = read_all(&path).expect("readable");
    assert_eq!(packets.len(), 150);
    assert_eq!(summary.warnings.len(), MAX_LISTED_WARNINGS);
    assert_eq!(summary.unlisted_warnings, 150 - MAX_LISTED_WARNINGS as u64);
}

/// A pcapng with the given interfaces (all nanosecond resolution) and (interface, frame) packets.
fn write_pcapng(path: &Path, interfaces: &[DataLink], packets: &[(u32, Duration, Vec<u8>)]) {
    let mut writer = PcapNgWriter::new(File::create(path).expect("create")).expect("section");
    for &linktype in interfaces {
        let mut idb = InterfaceDescriptionBlock::new(linktype, 0);
        // pcap-file writes the timestamp as nanoseconds whatever the interface says: say nanoseconds.
        idb.options.push(InterfaceDescriptionOption::IfTsResol(9));
        writer.write_pcapng_block(idb).expect("idb");
    }
    for (interface_id, timestamp, data) in packets {
        let epb = EnhancedPacketBlock {
            interface_id: *interface_id,
            timestamp: *timestamp,
            original_len: data.len() as u32,
            data: Cow::Borrowed(data),
            options: vec![],
        };
        writer.write_pcapng_block(epb).expect("epb");
    }
}

#[test]
fn pcapng_frames_on_an_unsupported_interface_are_skipped_with_one_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frames = frames_of("tests/fixtures/refused.pcap");
    let wifi = (0, Duration::from_secs(5), vec![0u8; 30]);
    let packets =
        vec![wifi.clone(), (1, frames[0].0, frames[0].1.clone()), wifi, (1, frames[1].0, frames[1].1.clone())];
    let path = dir.path().join("mixed.pcapng");
    write_pcapng(&path, &[DataLink::IEEE802_11, DataLink::ETHERNET], &packets);
    let (read, summary) = read_all(&path).expect("readable");
    assert_eq!(read.iter().map(|p| p.frame).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(matches!(read[1].content, PacketContent::Tcp(_)) && matches!(read[3].content, PacketContent::Tcp(_)));
    assert_eq!(read[1].timestamp, frames[0].0);
    assert_eq!(summary.link_types, ["IEEE802_11", "ETHERNET"]);
    assert_eq!((summary.packets, summary.tcp_packets, summary.skipped), (4, 2, 2));
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert!(summary.warnings[0].message.contains("frame 1: interface 0 has unsupported link type 105"));

    // With no readable interface at all, the first frame is an error.
    let only_wifi = dir.path().join("wifi.pcapng");
    write_pcapng(&only_wifi, &[DataLink::IEEE802_11], &[(0, Duration::ZERO, vec![0u8; 30])]);
    let error = read_all(&only_wifi).expect_err("nothing readable");
    assert!(matches!(error, CaptureError::UnknownLinkType { number: 105, .. }), "{error}");
}

/// Byte offsets of the blocks of a little-endian pcapng file, with their types.
fn blocks(bytes: &[u8]) -> Vec<(usize, u32)> {
    let mut at = 0;
    let mut found = Vec::new();
    while let (Some(t), Some(l)) = (bytes.get(at..at + 4), bytes.get(at + 4..at + 8)) {
        found.push((at, u32::from_le_bytes(t.try_into().unwrap())));
        at += u32::from_le_bytes(l.try_into().unwrap()) as usize;
    }
    found
}

#[test]
fn a_corrupt_pcapng_block_mid_file_is_an_error_naming_the_frame() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = fs::read("tests/fixtures/tshark.pcapng").expect("fixture");
    let packet_blocks: Vec<usize> = blocks(&original).into_iter().filter(|(_, t)| *t == 6).map(|(at, _)| at).collect();
    assert_eq!(packet_blocks.len(), 12);
    let mut corrupt = original.clone();
    let fifth = packet_blocks[4];
    corrupt[fifth + 4..fifth + 8].copy_from_slice(&7u32.to_le_bytes());
    let path = dir.path().join("corrupt.pcapng");
    fs::write(&path, &corrupt).expect("write");
    let mut reader = CaptureReader::open(&path).expect("header is fine");
    let results: Vec<_> = reader.by_ref().collect();
    assert_eq!(results.len(), 5, "four frames, then the error");
    assert!(results[..4].iter().all(Result::is_ok));
    match &results[4] {
        Err(error @ CaptureError::Malformed { frame: 5, reason: FormatProblem::BadBlockLength { len: 7 }, .. }) => {
            assert!(error.to_string().contains("corrupt.pcapng: frame 5: block length 7"), "{error}");
        }
        other => panic!("expected a malformed frame 5, got {other:?}"),
    }
}

#[test]
fn every_prefix_of_a_capture_reads_without_panicking() {
    // Cutting a file anywhere gives either a header error or the complete frames before the cut and one warning.
    for fixture in ["tests/fixtures/tshark.pcapng", "captures/http-close.pcap"] {
        let bytes = fs::read(fixture).expect("fixture");
        for cut in 1..bytes.len() {
            let prefix = bytes[..cut].to_vec();
            let Ok(mut reader) = CaptureReader::from_reader(format!("{fixture}@{cut}"), std::io::Cursor::new(prefix))
            else {
                continue;
            };
            let results: Vec<_> = reader.by_ref().collect();
            assert!(results.iter().all(Result::is_ok), "{fixture} cut at {cut}: {results:?}");
            let summary = reader.summary();
            assert!(summary.warnings.len() <= 1, "{fixture} cut at {cut}: {:?}", summary.warnings);
            assert_eq!(summary.packets, results.len() as u64);
        }
    }
}
