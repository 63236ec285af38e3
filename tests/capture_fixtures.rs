//! The capture reader over every real fixture capture, compared frame by frame with what tshark read from the
//! same file (tests/fixtures/capture/NAME.fields.tsv, made by scripts/capture-expectations.sh; tshark is not
//! needed to run these tests).

use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use tcpdialog::capture::{CaptureError, CaptureReader, CaptureSummary, Packet, PacketContent, TcpPacket};

const EXPECTATIONS: &str = "tests/fixtures/capture";

/// One tshark row: field name -> value (empty when tshark printed nothing).
type Row = BTreeMap<String, String>;

fn expectations(name: &str) -> Vec<Row> {
    let path = Path::new(EXPECTATIONS).join(format!("{name}.fields.tsv"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header line").split('\t').collect();
    lines
        .map(|line| header.iter().zip(line.split('\t')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .collect()
}

/// Where a capture named in the expectations lives.
fn capture_path(name: &str) -> PathBuf {
    ["captures", "tests/fixtures", EXPECTATIONS]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no capture file {name}"))
}

fn read_all(path: &Path) -> (Vec<Packet>, CaptureSummary) {
    let mut reader = CaptureReader::open(path).unwrap_or_else(|e| panic!("{e}"));
    let packets = reader.by_ref().collect::<Result<Vec<_>, _>>().unwrap_or_else(|e| panic!("{e}"));
    (packets, reader.summary().clone())
}

fn field<'a>(row: &'a Row, name: &str) -> &'a str {
    row.get(name).map(String::as_str).unwrap_or("")
}

fn number<T: std::str::FromStr>(row: &Row, name: &str) -> Option<T> {
    let value = field(row, name);
    // Several values (tunnels, SACK blocks) are comma-separated; scalar fields here have one.
    if value.is_empty() { None } else { value.split(',').next()?.parse().ok() }
}

fn list(row: &Row, name: &str) -> Vec<u32> {
    field(row, name).split(',').filter(|v| !v.is_empty()).map(|v| v.parse().expect("number")).collect()
}

/// Compares one decoded frame with tshark's row; returns a description of the first difference.
fn compare(packet: &Packet, row: &Row) -> Result<(), String> {
    let frame = packet.frame;
    let expect = |what: &str, ours: String, theirs: String| {
        if ours == theirs { Ok(()) } else { Err(format!("frame {frame}: {what}: ours {ours}, tshark {theirs}")) }
    };
    expect("frame number", frame.to_string(), field(row, "frame.number").to_string())?;
    let ts = packet.timestamp;
    expect("time", format!("{}.{:09}", ts.as_secs(), ts.subsec_nanos()), field(row, "frame.time_epoch").to_string())?;
    expect("frame.len", packet.orig_len.to_string(), field(row, "frame.len").to_string())?;
    expect("frame.cap_len", packet.cap_len.to_string(), field(row, "frame.cap_len").to_string())?;
    let is_tcp = !field(row, "tcp.srcport").is_empty();
    let tcp = match (&packet.content, is_tcp) {
        (PacketContent::Tcp(tcp), true) => tcp,
        (PacketContent::Tcp(_), false) => {
            return Err(format!("frame {frame}: we decoded TCP, tshark did not"));
        }
        (_, true) => {
            return Err(format!("frame {frame}: tshark decoded TCP, we did not: {:?}", packet.content));
        }
        (_, false) => return Ok(()),
    };
    compare_tcp(frame, tcp, row, packet.cap_len < packet.orig_len)
}

fn compare_tcp(frame: u64, tcp: &TcpPacket, row: &Row, snaplen_cut: bool) -> Result<(), String> {
    let fail = |what: &str| Err(format!("frame {frame}: {what} differs: {tcp:?} vs {row:?}"));
    let ip = |v4: &str, v6: &str| -> IpAddr {
        let v4 = field(row, v4);
        if v4.is_empty() { field(row, v6).parse().expect("ipv6") } else { v4.parse().expect("ipv4") }
    };
    if tcp.src.ip() != ip("ip.src", "ipv6.src") || tcp.dst.ip() != ip("ip.dst", "ipv6.dst") {
        return fail("addresses");
    }
    if Some(tcp.src.port()) != number(row, "tcp.srcport") || Some(tcp.dst.port()) != number(row, "tcp.dstport") {
        return fail("ports");
    }
    if Some(tcp.seq) != number(row, "tcp.seq") {
        return fail("seq");
    }
    // tshark prints tcp.ack even without the ACK flag; the raw field is what we keep either way.
    if Some(tcp.ack) != number(row, "tcp.ack") {
        return fail("ack");
    }
    let flags = u16::from_str_radix(field(row, "tcp.flags").trim_start_matches("0x"), 16).expect("flags");
    if tcp.flags.0 != flags & 0xff {
        return fail("flags");
    }
    if Some(tcp.payload_len) != number(row, "tcp.len") {
        return fail("tcp.len");
    }
    if tcp.payload.len() as u32 > tcp.payload_len || (!snaplen_cut && tcp.payload.len() as u32 != tcp.payload_len) {
        return fail("captured payload length");
    }
    if Some(tcp.window) != number(row, "tcp.window_size_value") {
        return fail("window");
    }
    let options = &tcp.options;
    if options.mss != number(row, "tcp.options.mss_val")
        || options.window_scale != number(row, "tcp.options.wscale.shift")
    {
        return fail("MSS or window scale");
    }
    if options.sack_permitted == field(row, "tcp.options.sack_perm").is_empty() {
        return fail("SACK permitted");
    }
    let timestamps = number(row, "tcp.options.timestamp.tsval").zip(number(row, "tcp.options.timestamp.tsecr"));
    if options.timestamps != timestamps {
        return fail("timestamps");
    }
    let sack: Vec<(u32, u32)> =
        list(row, "tcp.options.sack_le").into_iter().zip(list(row, "tcp.options.sack_re")).collect();
    if *options.sack_blocks != *sack {
        return fail("SACK blocks");
    }
    Ok(())
}

#[test]
fn every_fixture_matches_tshark_frame_by_frame() {
    let mut checked = 0;
    for entry in fs::read_dir(EXPECTATIONS).expect("expectations directory") {
        let file_name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        let Some(name) = file_name.strip_suffix(".fields.tsv") else {
            continue;
        };
        let rows = expectations(name);
        let (packets, summary) = read_all(&capture_path(name));
        assert_eq!(packets.len(), rows.len(), "{name}: frame count");
        assert_eq!(summary.packets, rows.len() as u64, "{name}: summary.packets");
        let tcp_rows = rows.iter().filter(|r| !field(r, "tcp.srcport").is_empty()).count() as u64;
        assert_eq!(summary.tcp_packets, tcp_rows, "{name}: summary.tcp_packets");
        assert_eq!(summary.skipped, summary.packets - tcp_rows, "{name}: summary.skipped");
        for (packet, row) in packets.iter().zip(&rows) {
            if let Err(difference) = compare(packet, row) {
                panic!("{name}: {difference}");
            }
        }
        checked += 1;
    }
    // All of captures/ and tests/fixtures/ that tshark reads, plus the two made pcapng files.
    assert!(checked >= 26, "only {checked} fixtures compared");
}

#[test]
fn link_types_and_formats_are_reported() {
    let cases = [
        ("tests/fixtures/any-sll.pcap", "pcap", vec!["LINUX_SLL"]),
        ("tests/fixtures/any-sll2.pcap", "pcap", vec!["LINUX_SLL2"]),
        ("tests/fixtures/tshark.pcapng", "pcapng", vec!["ETHERNET"]),
        ("tests/fixtures/capture/two-interfaces.pcapng", "pcapng", vec!["LINUX_SLL2", "ETHERNET"]),
        ("tests/fixtures/capture/two-sections.pcapng", "pcapng", vec!["ETHERNET", "ETHERNET"]),
    ];
    for (path, format, link_types) in cases {
        let (_, summary) = read_all(Path::new(path));
        assert_eq!(summary.format.map(|f| f.name()), Some(format), "{path}");
        assert_eq!(summary.link_types, link_types, "{path}");
        assert!(summary.warnings.is_empty(), "{path}: {:?}", summary.warnings);
    }
}

#[test]
fn nanosecond_timestamps_keep_every_digit() {
    // tshark.pcapng has if_tsresol 9 and nanosecond.pcap the a1b23c4d magic: the last three digits are not zero.
    for name in ["tshark.pcapng", "nanosecond.pcap"] {
        let (packets, _) = read_all(&capture_path(name));
        assert!(packets.iter().any(|p| p.timestamp.subsec_nanos() % 1000 != 0), "{name}: no sub-microsecond digit");
    }
}

#[test]
fn snaplen_cut_frames_keep_the_sent_length() {
    let (packets, summary) = read_all(Path::new("tests/fixtures/snaplen96.pcap"));
    let cut: Vec<u64> = packets
        .iter()
        .filter(|p| matches!(&p.content, PacketContent::Tcp(tcp) if tcp.is_payload_truncated()))
        .map(|p| p.frame)
        .collect();
    assert_eq!(cut, [4, 6, 8]);
    let PacketContent::Tcp(body) = &packets[7].content else { panic!("frame 8 is TCP") };
    assert_eq!((packets[7].orig_len, packets[7].cap_len, body.payload_len), (20066, 96, 20000));
    assert_eq!(body.payload.len(), 96 - 14 - 20 - 32);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
}

#[test]
fn a_file_cut_mid_packet_keeps_the_frames_before_and_says_where_it_ends() {
    let path = Path::new("tests/fixtures/cut-mid-packet.pcap");
    let (packets, summary) = read_all(path);
    assert_eq!(packets.len(), 10);
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    let warning = &summary.warnings[0];
    assert_eq!(warning.frame, 11);
    assert!(warning.message.contains("cut-mid-packet.pcap: frame 11:"), "{}", warning.message);
    assert!(warning.message.contains("ends in the middle"), "{}", warning.message);
}

fn open_error(path: &str) -> CaptureError {
    match CaptureReader::open(Path::new(path)) {
        Ok(_) => panic!("{path} opened as a capture"),
        Err(e) => e,
    }
}

#[test]
fn files_that_are_not_captures_are_clear_errors_naming_the_file() {
    let empty = open_error("tests/fixtures/empty.pcap");
    assert!(matches!(empty, CaptureError::Empty { .. }), "{empty}");
    assert_eq!(empty.to_string(), "tests/fixtures/empty.pcap: empty file, not a capture");
    for path in ["tests/fixtures/random.bin", "tests/fixtures/not-a-capture.txt"] {
        let error = open_error(path);
        assert!(matches!(error, CaptureError::NotACapture { .. }), "{error}");
        assert!(error.to_string().starts_with(&format!("{path}: not a pcap or pcapng file")), "{error}");
    }
    let missing = open_error("tests/fixtures/no-such-file.pcap");
    assert!(matches!(missing, CaptureError::Open { .. }), "{missing}");
    assert!(missing.to_string().contains("no-such-file.pcap"), "{missing}");
}
