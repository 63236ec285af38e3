//! Dialogs built in code, for sizes no committed capture has: a 100 000-segment transfer and 1 000
//! connections. Numbers follow what a real loopback transfer looks like (MSS 32 741, an ACK every 2 segments).

use std::net::SocketAddr;
use tcpdialog::analyze::Columns;
use tcpdialog::capture::TcpFlags;
use tcpdialog::dialog::{Dialog, Event, Fold, FoldKind, Participant, Phase, PhaseKind};
use tcpdialog::proto::Protocol;

const MSS: u32 = 32_741;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

struct Conn {
    index: usize,
    client: SocketAddr,
    server: SocketAddr,
    events: Vec<Event>,
    frame: u64,
    time: f64,
}

impl Conn {
    fn push(&mut self, c2s: bool, flags: u16, seq: u32, ack: u32, len: u32, message: Option<&str>) -> &mut Event {
        self.frame += 1;
        self.time += 0.000_02;
        let (src, dst, from, to) =
            if c2s { (self.client, self.server, 0, 1) } else { (self.server, self.client, 1, 0) };
        self.events.push(Event {
            conn: self.index,
            frame: self.frame,
            frame_len: 66 + len.min(MSS),
            src,
            dst,
            time: self.time,
            from,
            to,
            flags: TcpFlags(flags),
            seq,
            ack,
            len,
            window: 65_536,
            options: Default::default(),
            sack_base: 0,
            messages: message.map(|m| vec![m.to_string()]).unwrap_or_default(),
            columns: Columns {
                protocol: message.map(|_| Protocol::Http),
                application: message.map(str::to_string),
                continuation: None,
            },
            analysis: vec![],
            fold: None,
            decrypted: Vec::new(),
        });
        self.events.last_mut().expect("just pushed")
    }
}

const SYN: u16 = TcpFlags::SYN;
const ACK: u16 = TcpFlags::ACK;
const PSH_ACK: u16 = TcpFlags::PSH | TcpFlags::ACK;
const FIN_ACK: u16 = TcpFlags::FIN | TcpFlags::ACK;

/// One GET whose response is `segments` data segments; `folded` draws them as the builder would (one arrow).
pub fn transfer(segments: u64, folded: bool) -> Dialog {
    let mut c = Conn { index: 0, client: addr(40000), server: addr(8080), events: vec![], frame: 0, time: 0.0 };
    c.push(true, SYN, 0, 0, 0, None);
    c.push(false, SYN | ACK, 0, 1, 0, None);
    c.push(true, ACK, 1, 1, 0, None);
    c.push(true, PSH_ACK, 1, 1, 90, Some("GET /big.bin HTTP/1.1"));
    let mut seq = 1u32;
    let first_data = c.events.len();
    let start = c.time;
    for i in 0..segments {
        let message = (i + 1 == segments).then_some("HTTP/1.1 200 OK");
        c.push(false, PSH_ACK, seq, 91, MSS, message);
        seq = seq.wrapping_add(MSS);
        if i % 2 == 1 {
            c.push(true, ACK, 91, seq, 0, None);
        }
    }
    let bytes = segments * u64::from(MSS);
    if folded {
        let last = c.events.len() - 2;
        let last_frame = c.events[last].frame;
        let mut fold = c.events[first_data].clone();
        fold.len = u32::try_from(bytes).unwrap_or(u32::MAX);
        fold.fold = Some(Fold {
            kind: FoldKind::Transfer,
            segments: segments - 1,
            acks: segments / 2,
            bytes,
            duration: c.time - start,
            last_frame,
            flagged: Default::default(),
        });
        let tail: Vec<Event> = c.events.split_off(last + 1);
        c.events.truncate(first_data);
        c.events.push(fold);
        c.events.extend(tail);
    }
    c.push(false, FIN_ACK, seq, 91, 0, None);
    c.push(true, FIN_ACK, 91, seq.wrapping_add(1), 0, None);
    c.push(false, ACK, seq.wrapping_add(1), 92, 0, None);
    let n = c.events.len();
    Dialog {
        title: format!("Synthetic transfer of {segments} segments"),
        participants: participants(1),
        phases: vec![
            Phase {
                kind: PhaseKind::Handshake,
                conn: 0,
                first: 0,
                last: 2,
                label: "handshake (40 µs)".into(),
                more: 0,
            },
            Phase { kind: PhaseKind::Exchange, conn: 0, first: 3, last: n - 4, label: "GET /big.bin".into(), more: 0 },
            Phase {
                more: 0,
                kind: PhaseKind::Teardown,
                conn: 0,
                first: n - 3,
                last: n - 1,
                label: "teardown (server sends FIN)".into(),
            },
        ],
        events: c.events,
        connections: vec![0],
        description: format!("The client downloads {bytes} bytes in {segments} segments."),
        notes: Vec::new(),
    }
}

/// `count` keep-alive connections from one client host, each with one GET, interleaved in time.
pub fn connections(count: usize) -> Dialog {
    let mut events = Vec::new();
    let mut phases = Vec::new();
    for index in 0..count {
        let port = 30000 + u16::try_from(index % 30000).unwrap_or(0);
        let mut c = Conn {
            index,
            client: addr(port),
            server: addr(8080),
            events: vec![],
            frame: 0,
            time: index as f64 * 0.001,
        };
        c.push(true, SYN, 0, 0, 0, None);
        c.push(false, SYN | ACK, 0, 1, 0, None);
        c.push(true, ACK, 1, 1, 0, None);
        c.push(true, PSH_ACK, 1, 1, 90, Some("GET /item HTTP/1.1"));
        c.push(false, PSH_ACK, 1, 91, 400, Some("HTTP/1.1 200 OK"));
        c.push(true, ACK, 91, 401, 0, None);
        c.time += 2.0;
        c.push(false, FIN_ACK, 401, 91, 0, None);
        c.push(true, FIN_ACK, 91, 402, 0, None);
        c.push(false, ACK, 402, 92, 0, None);
        events.extend(c.events);
    }
    events.sort_by(|a, b| a.time.total_cmp(&b.time).then(a.conn.cmp(&b.conn)));
    for (frame, event) in events.iter_mut().enumerate() {
        event.frame = frame as u64 + 1;
    }
    for index in 0..count {
        let mine: Vec<usize> = (0..events.len()).filter(|&i| events[i].conn == index).collect();
        let at = |k: usize| mine[k];
        phases.push(Phase {
            more: 0,
            kind: PhaseKind::Handshake,
            conn: index,
            first: at(0),
            last: at(2),
            label: "handshake (40 µs)".into(),
        });
        phases.push(Phase {
            more: 0,
            kind: PhaseKind::Exchange,
            conn: index,
            first: at(3),
            last: at(4),
            label: "GET /item".into(),
        });
        phases.push(Phase {
            more: 0,
            kind: PhaseKind::Idle,
            conn: index,
            first: at(5),
            last: at(6),
            label: "idle 2.0 s, then server closes".into(),
        });
        phases.push(Phase {
            more: 0,
            kind: PhaseKind::Teardown,
            conn: index,
            first: at(6),
            last: at(8),
            label: "teardown (server sends FIN)".into(),
        });
    }
    phases.sort_by_key(|p| (p.first, p.last));
    Dialog {
        title: format!("{count} TCP connections"),
        participants: participants(count),
        events,
        phases,
        connections: (0..count).collect(),
        description: format!("{count} TCP connections between 2 participants."),
        notes: Vec::new(),
    }
}

fn participants(connections: usize) -> Vec<Participant> {
    let client =
        if connections == 1 { "127.0.0.1:40000".to_string() } else { format!("127.0.0.1 ({connections} connections)") };
    vec![
        Participant { name: "Client".into(), address: client },
        Participant { name: "Server".into(), address: "127.0.0.1:8080".into() },
    ]
}
