//! Builds a [`Dialog`] from an analysed capture: selection, participants, arrows, folding, phases, prose.

use super::fold::{Candidate, fold_duplicate_acks, fold_probes, fold_transfers};
use super::phases::{find_phases, format_duration};
use super::trouble::{Trouble, TroubleKind, find_trouble_in};
use super::{Annotations, Dialog, DialogOptions, Event, Participant, Selection};
use crate::analyze::CaptureAnalysis;
pub use crate::analyze::thousands;
use crate::tcp::{CloseKind, Connection, Direction, Side};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::SocketAddr;

/// The description is alt text: it names this many connections, and this many messages of each, then counts the rest.
const DESCRIBED_CONNECTIONS: usize = 12;
const DESCRIBED_MESSAGES: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DialogError {
    #[error("the capture has no TCP connection")]
    NoConnections,
    #[error("stream {stream} does not exist (the capture has {count} TCP stream(s), numbered from 0)")]
    NoSuchStream { stream: usize, count: usize },
    #[error("no TCP connection matches the selection ({0})")]
    EmptySelection(String),
    /// A note the author wrote for a frame the diagram does not show: it would vanish without a word.
    #[error("a note is for frame {frame}, which this diagram does not show (its frames: {shown})")]
    NoteNotShown { frame: u64, shown: String },
}

/// Builds the dialog of the selected connections.
pub fn build(
    analysis: &CaptureAnalysis,
    selection: &Selection,
    options: &DialogOptions,
) -> Result<Dialog, DialogError> {
    let connections = select(analysis, selection)?;
    let participants = Participants::new(&connections, options);
    let mut candidates: Vec<Candidate> = connections
        .iter()
        .flat_map(|c| c.segments.iter().map(move |s| (*c, s)))
        .filter(|(_, s)| selection.frames.is_none_or(|(a, b)| (a..=b).contains(&s.frame)))
        .map(|(conn, seg)| {
            let (from, to) = participants.arrow(conn, seg.dir);
            Candidate { conn, seg, from, to }
        })
        .collect();
    candidates.sort_by_key(|c| c.seg.frame);

    let views = analysis.segment_views();
    // Loss episodes and stalls are told once, as phases; the frames that tell them stay arrows of their own.
    let shown_segments = |c: &Connection| -> std::ops::Range<usize> {
        let (first, last) = selection.frames.unwrap_or((0, u64::MAX));
        c.segments.partition_point(|s| s.frame < first)..c.segments.partition_point(|s| s.frame <= last)
    };
    let trouble: BTreeMap<usize, Vec<Trouble>> =
        connections.iter().map(|c| (c.index, find_trouble_in(&c.segments[shown_segments(c)]))).collect();
    let mut significant: BTreeSet<(usize, u64)> = trouble
        .iter()
        .flat_map(|(&c, found)| found.iter().flat_map(move |t| t.anchors.iter().map(move |&f| (c, f))))
        .collect();
    // Segments labelled with a message of a known protocol are never folded away; raw data may be.
    let selected: BTreeSet<usize> = connections.iter().map(|c| c.index).collect();
    significant.extend(views.labelled_with_known_protocol().filter(|(c, _)| selected.contains(c)));
    let arrow = |c: &Candidate| {
        let (conn, seg) = (c.conn, c.seg);
        let view = views.view(conn.index, seg);
        let (src, dst) = conn.ends(seg.dir);
        Event {
            conn: conn.index,
            frame: seg.frame,
            frame_len: seg.frame_len,
            src,
            dst,
            time: seg.time.as_secs_f64(),
            from: c.from,
            to: c.to,
            flags: seg.flags,
            seq: seg.seq,
            ack: seg.ack,
            len: seg.len,
            window: seg.window,
            options: seg.options.clone(),
            sack_base: seg.sack_base(),
            messages: view.label_texts(),
            decrypted: view.label_decrypted(),
            annotations: view
                .labels
                .iter()
                .flat_map(|m| &m.detail)
                .filter(|line| options.annotations.shows_header(line))
                .cloned()
                .collect(),
            highlighted: None,
            columns: view.columns,
            analysis: seg.analysis.to_vec(),
            fold: None,
        }
    };
    // Looked up for every arrow: by (connection, first frame), the troubled stretch that starts last before it.
    let spans: BTreeMap<(usize, u64), u64> =
        trouble.iter().flat_map(|(&c, found)| found.iter().map(move |t| ((c, t.first_frame), t.last_frame))).collect();
    let troubled = |c: &Candidate| {
        let (conn, frame) = (c.conn.index, c.seg.frame);
        spans.range(..=(conn, frame)).next_back().is_some_and(|(&(c, _), &last)| c == conn && frame <= last)
    };
    let kept = |c: &Candidate| significant.contains(&(c.conn.index, c.seg.frame));
    let events = fold_transfers(&candidates, options.fold_threshold, kept, troubled, arrow);
    // Nothing folded means nothing: a graph's packet list has a row for every mark to link to.
    let folding = options.fold_threshold != usize::MAX;
    let events = if folding { fold_duplicate_acks(events) } else { events };
    let stalls: Vec<(usize, u64, u64)> = trouble
        .iter()
        .flat_map(|(&c, found)| {
            found.iter().filter(|t| t.kind == TroubleKind::Stall).map(move |t| (c, t.first_frame, t.last_frame))
        })
        .collect();
    let events = if folding { fold_probes(events, &stalls) } else { events };
    let events = annotate(events, &options.annotations)?;
    let phases = find_phases(analysis, &connections, &events, &trouble);
    let title = options.title.clone().unwrap_or_else(|| default_title(&connections));
    // One pass over the notes, each text once, by connection: a capture of 100 000 TLS connections has as
    // many notes.
    let mut notes_of: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for note in &analysis.notes {
        notes_of.entry(note.conn).or_default().push(&note.summary);
    }
    let mut notes: Vec<String> = Vec::new();
    let mut noted: BTreeSet<&str> = BTreeSet::new();
    for note in connections.iter().filter_map(|c| notes_of.get(&c.index)).flatten() {
        if noted.insert(note) {
            notes.push(note.to_string());
        }
    }
    let mut description = describe(analysis, &connections, &participants.list, &events);
    for (frame, note) in &options.annotations.notes {
        description.push_str(&format!(" At frame {frame}: {note}."));
    }
    for note in &notes {
        description.push_str(&format!(" Note: {note}."));
    }
    Ok(Dialog {
        title,
        participants: participants.list,
        events,
        phases,
        connections: connections.iter().map(|c| c.index).collect(),
        description,
        notes,
    })
}

fn select<'a>(analysis: &'a CaptureAnalysis, selection: &Selection) -> Result<Vec<&'a Connection>, DialogError> {
    let all = &analysis.connections;
    // An analysis kept for a diagram holds only the connections the selection can match: none kept is "no
    // connection" only when the capture has no TCP at all.
    if all.is_empty() {
        return Err(if analysis.summary.tcp_packets == 0 {
            DialogError::NoConnections
        } else {
            DialogError::EmptySelection(selection.to_string())
        });
    }
    // Connections are in stream order; an analysis kept for a diagram may hold only some of them.
    let count = all.last().map_or(0, |c| c.index + 1);
    if let Some(&stream) = selection.streams.iter().find(|&&s| s >= count) {
        return Err(DialogError::NoSuchStream { stream, count });
    }
    let chosen: Vec<&Connection> = all
        .iter()
        .filter(|c| selection.matches(c.index, c.client, c.server))
        .filter(|c| selection.frames.is_none_or(|(a, b)| c.segments.iter().any(|s| (a..=b).contains(&s.frame))))
        .collect();
    if chosen.is_empty() {
        return Err(DialogError::EmptySelection(selection.to_string()));
    }
    Ok(chosen)
}

/// Lifelines: one per client host (one per connection with [`DialogOptions::lanes`]) and one per server
/// socket; names from the options or `Client`/`Server`.
struct Participants {
    list: Vec<Participant>,
    /// Participant index of each client lifeline's key and each server socket (looked up for every arrow: a
    /// capture from 300 000 hosts must not scan a list each time).
    clients: BTreeMap<SocketAddr, usize>,
    servers: BTreeMap<SocketAddr, usize>,
    lanes: bool,
}

impl Participants {
    /// The key of a connection's client lifeline: its host (port 0), or its socket when each has a lane.
    fn client_key(lanes: bool, conn: &Connection) -> SocketAddr {
        if lanes { conn.client } else { SocketAddr::new(conn.client.ip(), 0) }
    }

    fn new(connections: &[&Connection], options: &DialogOptions) -> Self {
        let mut clients: Vec<SocketAddr> = Vec::new();
        let mut client_ports: BTreeMap<SocketAddr, Vec<u16>> = BTreeMap::new();
        let mut servers: Vec<SocketAddr> = Vec::new();
        let mut server_seen: BTreeSet<SocketAddr> = BTreeSet::new();
        for c in connections {
            let key = Self::client_key(options.lanes, c);
            let ports = client_ports.entry(key).or_default();
            if ports.is_empty() {
                clients.push(key);
            }
            ports.push(c.client.port());
            if server_seen.insert(c.server) {
                servers.push(c.server);
            }
        }
        let numbered = |base: &str, given: &Option<String>, i: usize, n: usize| match (given, n) {
            (Some(name), 1) => name.clone(),
            (Some(name), _) => format!("{name} {}", i + 1),
            (None, 1) => base.to_string(),
            (None, _) => format!("{base} {}", i + 1),
        };
        let mut list = Vec::new();
        for (i, key) in clients.iter().enumerate() {
            let ports = &client_ports[key];
            let address = match ports.as_slice() {
                [one] => SocketAddr::new(key.ip(), *one).to_string(),
                many => format!("{} ({} connections)", key.ip(), many.len()),
            };
            list.push(Participant { name: numbered("Client", &options.client_name, i, clients.len()), address });
        }
        for (i, server) in servers.iter().enumerate() {
            list.push(Participant {
                name: numbered("Server", &options.server_name, i, servers.len()),
                address: server.to_string(),
            });
        }
        let first_server = clients.len();
        Participants {
            list,
            clients: clients.into_iter().enumerate().map(|(i, key)| (key, i)).collect(),
            servers: servers.into_iter().enumerate().map(|(i, server)| (server, first_server + i)).collect(),
            lanes: options.lanes,
        }
    }

    /// (from, to) participant indices of a segment.
    fn arrow(&self, conn: &Connection, dir: Direction) -> (usize, usize) {
        let client = self.clients.get(&Self::client_key(self.lanes, conn)).copied().unwrap_or(0);
        let server = self.servers.get(&conn.server).copied().unwrap_or(self.clients.len());
        match dir {
            Direction::ClientToServer => (client, server),
            Direction::ServerToClient => (server, client),
        }
    }
}

/// The author's notes go under the arrow that shows their frame; a highlight marks each arrow in or out.
fn annotate(mut events: Vec<Event>, annotations: &Annotations) -> Result<Vec<Event>, DialogError> {
    for (&frame, note) in &annotations.notes {
        // Arrows are in frame order: the one showing `frame` is the last that starts at or before it.
        let at = events.partition_point(|e| e.frame <= frame);
        match at.checked_sub(1).and_then(|i| events.get_mut(i)).filter(|e| e.last_frame() >= frame) {
            Some(event) => event.annotations.push(format!("✎ {note}")),
            None => {
                let (first, last) = (events.first().map_or(0, |e| e.frame), events.last().map_or(0, Event::last_frame));
                return Err(DialogError::NoteNotShown { frame, shown: format!("{first}–{last}") });
            }
        }
    }
    for event in &mut events {
        event.highlighted = annotations.highlighted(event.frame, event.last_frame());
    }
    Ok(events)
}

fn default_title(connections: &[&Connection]) -> String {
    match connections {
        [one] => format!("TCP stream {}: {} → {}", one.index, one.client, one.server),
        many => format!("{} TCP connections", many.len()),
    }
}

/// A plain-language account of the dialog, for alt text and `<desc>`.
fn describe(
    analysis: &CaptureAnalysis,
    connections: &[&Connection],
    participants: &[Participant],
    events: &[Event],
) -> String {
    let mut text = String::new();
    if connections.len() > 1 {
        let _ = write!(text, "{} TCP connections between {} participants. ", connections.len(), participants.len());
    }
    for conn in connections.iter().take(DESCRIBED_CONNECTIONS) {
        let prefix =
            if connections.len() > 1 { format!("Stream {}: the client", conn.index) } else { "The client".to_string() };
        if conn.syn_seen {
            match conn.handshake_rtt {
                Some(rtt) => {
                    let _ = write!(
                        text,
                        "{prefix} opens a connection (3-way handshake, {})",
                        format_duration(rtt.as_secs_f64())
                    );
                }
                None => {
                    let _ = write!(text, "{prefix} tries to open a connection");
                }
            }
        } else {
            let _ = write!(text, "{prefix} uses a connection opened before the capture started");
        }
        let messages: Vec<_> = analysis.messages_of(conn.index).collect();
        for m in messages.iter().take(DESCRIBED_MESSAGES) {
            let who = match m.dir {
                Direction::ClientToServer => "the client sends",
                Direction::ServerToClient => "the server replies",
            };
            let _ = write!(text, ", {who} {}", m.summary);
        }
        if let Some(more) = messages.len().checked_sub(DESCRIBED_MESSAGES).filter(|&n| n > 0) {
            let _ = write!(text, ", and {more} more messages");
        }
        if messages.is_empty() {
            let bytes = conn.bytes;
            if bytes[0] + bytes[1] > 0 {
                let _ = write!(text, ", {} bytes go to the server and {} bytes come back", bytes[0], bytes[1]);
            }
        }
        match conn.first_close {
            Some(close) => {
                let how = match close.kind {
                    CloseKind::Fin => "closes first with FIN",
                    CloseKind::Rst => "aborts the connection with RST",
                };
                let who = if close.by == Side::Client { "the client" } else { "the server" };
                let _ = write!(text, "; {who} {how}");
            }
            None => text.push_str("; the connection is still open when the capture ends"),
        }
        text.push_str(". ");
    }
    if let Some(more) = connections.len().checked_sub(DESCRIBED_CONNECTIONS).filter(|&n| n > 0) {
        let _ = write!(text, "{more} more connections are not described. ");
    }
    let folded = events.iter().filter(|e| e.fold.is_some()).count();
    if folded > 0 {
        let _ = write!(text, "{folded} long transfer(s) are summarized as single arrows. ");
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use crate::dialog::fold::DUP_ACK_RUN;
    use crate::dialog::{Fold, FoldKind, PhaseKind};
    use crate::tcp::AnalysisFlag;
    use std::path::Path;

    fn dialog_of(capture: &str, selection: Selection) -> Dialog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures").join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        build(&analysis, &selection, &DialogOptions::default()).unwrap()
    }

    /// Found by the pipeline fuzz target: tshark shows frame 7 (`Dup ACK 4#3`) at -4194303.958300 s, before
    /// the capture's first packet, and the folded burst of duplicate ACKs got a negative duration.
    #[test]
    fn a_clock_stepping_back_gives_a_fold_no_negative_duration() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/artifacts/pipeline/crash-fold-negative-duration");
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        let folded = dialog.events.iter().find(|e| e.frame == 5).unwrap();
        let fold = folded.fold.as_ref().unwrap();
        assert_eq!(fold.kind, FoldKind::DuplicateAcks { first: 1, last: 3 });
        assert_eq!(fold.last_frame, 7);
        assert!(folded.time > 0.0);
        assert_eq!(fold.duration, 0.0);
    }

    fn phase_labels(dialog: &Dialog) -> Vec<(PhaseKind, String)> {
        dialog.phases.iter().map(|p| (p.kind, p.label.clone())).collect()
    }

    #[test]
    fn close_dialog_has_one_arrow_per_segment_and_three_phases() {
        let dialog = dialog_of("http-close.pcap", Selection::default());
        assert_eq!(dialog.events.len(), 12);
        assert_eq!(dialog.participants.len(), 2);
        assert_eq!(dialog.participants[0].name, "Client");
        assert_eq!(dialog.participants[1].address, "127.0.0.1:18080");
        let kinds: Vec<PhaseKind> = dialog.phases.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PhaseKind::Handshake, PhaseKind::Exchange, PhaseKind::Teardown]);
        assert_eq!(dialog.phases[1].label, "GET /");
        assert_eq!(dialog.phases[2].label, "teardown (server sends FIN)");
        assert_eq!(dialog.events[3].messages, ["GET / HTTP/1.1"]);
        assert!(
            dialog.description.starts_with("The client opens a connection (3-way handshake"),
            "{}",
            dialog.description
        );
        assert!(dialog.description.contains("the server closes first with FIN"), "{}", dialog.description);
    }

    #[test]
    fn keep_alive_shows_reuse_and_the_servers_idle_close() {
        let dialog = dialog_of("http-keepalive.pcap", Selection::default());
        let labels = phase_labels(&dialog);
        let exchanges: Vec<&str> =
            labels.iter().filter(|(k, _)| *k == PhaseKind::Exchange).map(|(_, l)| l.as_str()).collect();
        assert_eq!(exchanges, ["GET /", "GET /style.css", "GET /app.js"]);
        let idle = labels.iter().find(|(k, _)| *k == PhaseKind::Idle).expect("an idle phase");
        assert_eq!(idle.1, "idle 2.0 s, then server closes");
    }

    #[test]
    fn several_connections_share_one_client_lifeline() {
        let dialog = dialog_of("page-load.pcap", Selection::default());
        assert_eq!(dialog.connections.len(), 6);
        assert_eq!(dialog.participants.len(), 2);
        assert_eq!(dialog.participants[0].address, "127.0.0.1 (6 connections)");
    }

    #[test]
    fn selection_errors_are_precise() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/http-close.pcap");
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let options = DialogOptions::default();
        let missing = Selection { streams: vec![3], ..Default::default() };
        assert_eq!(build(&analysis, &missing, &options), Err(DialogError::NoSuchStream { stream: 3, count: 1 }));
        let wrong_port = Selection { port: Some(1), ..Default::default() };
        assert!(matches!(build(&analysis, &wrong_port, &options), Err(DialogError::EmptySelection(_))));
        let frames = Selection { frames: Some((4, 6)), ..Default::default() };
        let dialog = build(&analysis, &frames, &options).unwrap();
        assert_eq!(dialog.events.iter().map(|e| e.frame).collect::<Vec<_>>(), [4, 5, 6]);
    }

    #[test]
    fn long_transfers_fold_into_one_arrow() {
        // A 300 KB download with losses: runs fold across what Wireshark flags and count it; the segments that
        // tell each loss episode (its first sign, the fast retransmission) stay arrows of their own.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossy.pcap");
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let all_segments: usize = analysis.connections.iter().map(|c| c.segments.len()).sum();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        let folds: Vec<&Fold> = dialog.events.iter().filter_map(|e| e.fold.as_ref()).collect();
        assert!(!folds.is_empty());
        let covered: u64 =
            folds.iter().map(|f| if f.kind == FoldKind::Transfer { f.segments + f.acks } else { f.segments }).sum();
        let unfolded = dialog.events.iter().filter(|e| e.fold.is_none()).count() as u64;
        assert_eq!(covered + unfolded, all_segments as u64, "every segment is drawn or folded exactly once");
        // Every flag is on an arrow of its own or counted by the fold that holds it.
        let segments = || analysis.connections.iter().flat_map(|c| &c.segments);
        let dup_acks = segments().filter(|s| crate::tcp::duplicate_ack(&s.analysis).is_some()).count() as u64;
        let shown_dup_acks: u64 = dialog
            .events
            .iter()
            .map(|e| match &e.fold {
                None => u64::from(e.duplicate_of().is_some()),
                Some(f) if matches!(f.kind, FoldKind::DuplicateAcks { .. }) => f.segments,
                Some(f) => f.flagged.duplicate_acks,
            })
            .sum();
        assert_eq!(shown_dup_acks, dup_acks);
        let fast: Vec<u64> =
            segments().filter(|s| s.analysis.contains(&AnalysisFlag::FastRetransmission)).map(|s| s.frame).collect();
        for frame in fast {
            let arrow = dialog.events.iter().find(|e| e.frame == frame).expect("a fast retransmission is an arrow");
            assert!(arrow.fold.is_none());
        }
    }

    #[test]
    fn bursts_of_duplicate_acks_become_one_flagged_arrow() {
        // tshark (lossy.pcap): frames 330–334 are Dup ACK 324#1–#5 of Ack=292497, after the server's FIN and
        // before the fast retransmission: no transfer runs there, so the burst is one flagged arrow.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossy.pcap");
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        let burst = dialog.events.iter().find(|e| e.frame == 330).expect("the burst starts an arrow");
        let fold = burst.fold.as_ref().expect("folded");
        assert_eq!(fold.kind, FoldKind::DuplicateAcks { first: 1, last: 5 });
        assert_eq!((fold.segments, fold.last_frame, fold.acks, fold.bytes), (5, 334, 0, 0));
        assert_eq!(burst.ack, 292497);
        assert_eq!(
            burst.analysis,
            [AnalysisFlag::DuplicateAck { number: 1, of_frame: 324 }],
            "the arrow stays flagged"
        );
        for e in &dialog.events {
            if let Some(Fold { kind: FoldKind::DuplicateAcks { first, last }, segments, .. }) = &e.fold {
                assert!(*segments >= DUP_ACK_RUN as u64 && u64::from(last - first + 1) == *segments, "{e:?}");
            }
        }
    }

    #[test]
    fn the_description_stays_short_for_busy_connections() {
        // tls13: more than a dozen TLS records in one connection.
        let dialog = dialog_of("tls13.pcap", Selection::default());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/tls13.pcap");
        let messages = analyze_file(&path, &Default::default()).unwrap().messages.len();
        assert!(messages > DESCRIBED_MESSAGES, "{messages}");
        let more = format!(", and {} more messages", messages - DESCRIBED_MESSAGES);
        assert!(dialog.description.contains(&more), "{}", dialog.description);
    }
}
