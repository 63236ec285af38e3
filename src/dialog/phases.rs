//! Finds the phases of each connection: the TCP handshake, loss episodes and zero-window stalls (found by
//! `trouble.rs`), the TLS handshake, HTTP/1 exchanges (a CORS
//! preflight named as such) and upgrades, HTTP/2 streams, PostgreSQL startup and queries, MySQL's connection
//! and authentication and its queries and statements (`phases/mysql.rs`), idle gaps and the teardown.
//!
//! Phases are found from [`MessageKind`] facts only, never from summary strings. The protocol finders work on
//! frame numbers ([`Found`]); [`find_phases`] maps those to arrows (which may be folded runs) and adds durations.

use super::trouble::{Trouble, TroubleKind};
use super::{Event, Phase, PhaseKind};
use crate::analyze::CaptureAnalysis;
use crate::proto::http2::{self, FrameType};
use crate::proto::mysql::{Command, Packet};
use crate::proto::postgres::PgMessage;
use crate::proto::tls::{ContentType, HandshakeType, version_name};
use crate::proto::{Message, MessageKind, Protocol, thousands};
use crate::tcp::{CloseKind, Connection, Direction};
use std::collections::BTreeMap;

mod mysql;

/// A gap between two segments of a connection at least this long is drawn as an idle phase.
const IDLE_GAP_SECONDS: f64 = 1.0;
/// Characters of SQL kept in a query's phase name.
const SQL_CHARS: usize = 40;

/// TLS 1.3's version number (RFC 8446 §4.2.1).
const TLS_1_3: u16 = 0x0304;

/// A phase found by a protocol finder, by frames: from the frame where `start` begins to `end_frame`.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    kind: PhaseKind,
    start_frame: u64,
    end_frame: u64,
    label: String,
    /// The label gets the phase's duration appended: `TLS 1.3 handshake (1.4 ms)`.
    timed: bool,
    /// Said in parentheses after the label, before the duration: `SELECT … (3 rows, 0.4 ms)`.
    facts: Vec<String>,
    /// Phases it stands for besides itself ([`Phase::more`]).
    more: u64,
}

pub(super) fn find_phases(
    analysis: &CaptureAnalysis,
    connections: &[&Connection],
    events: &[Event],
    trouble: &BTreeMap<usize, Vec<Trouble>>,
) -> Vec<Phase> {
    // One pass over the events and one over the messages build every connection's index.
    let mut arrows_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        arrows_of.entry(e.conn).or_default().push(i);
    }
    let mut messages_of: BTreeMap<usize, Vec<&Message>> = connections.iter().map(|c| (c.index, Vec::new())).collect();
    for m in &analysis.messages {
        if let Some(list) = messages_of.get_mut(&m.conn) {
            list.push(m);
        }
    }
    let mut phases = Vec::new();
    for conn in connections {
        let (Some(arrows), Some(messages)) = (arrows_of.get(&conn.index), messages_of.get(&conn.index)) else {
            continue;
        };
        let shown = Shown { events, arrows };
        connection_phases(conn, &shown, messages, &mut phases);
        for t in trouble.get(&conn.index).into_iter().flatten() {
            if let (Some(first), Some(last)) = (shown.arrow_of(t.first_frame), shown.arrow_of(t.last_frame)) {
                let kind = match t.kind {
                    TroubleKind::Loss => PhaseKind::Loss,
                    TroubleKind::Stall => PhaseKind::Stall,
                };
                phases.push(Phase {
                    kind,
                    conn: conn.index,
                    first,
                    last: last.max(first),
                    label: t.label.clone(),
                    more: 0,
                });
            }
        }
    }
    phases.sort_by_key(|p| (p.first, p.last));
    phases
}

/// The arrows of one connection: indices into the dialog's events, in frame order.
struct Shown<'a> {
    events: &'a [Event],
    arrows: &'a [usize],
}

impl Shown<'_> {
    fn event(&self, i: usize) -> Option<&Event> {
        self.events.get(i)
    }

    /// Position in `arrows` of the arrow that shows `frame`: its own, or the folded arrow whose run covers it.
    /// `None` when the frame is not shown (outside the `--frames` range).
    fn position_of(&self, frame: u64) -> Option<usize> {
        let after = self.arrows.partition_point(|&i| self.event(i).is_some_and(|e| e.frame <= frame));
        let at = after.checked_sub(1)?;
        let e = self.event(*self.arrows.get(at)?)?;
        (e.frame == frame || fold_covers(e, frame)).then_some(at)
    }

    /// The event index of the arrow that shows `frame`.
    fn arrow_of(&self, frame: u64) -> Option<usize> {
        self.position_of(frame).and_then(|at| self.arrows.get(at).copied())
    }

    /// When the arrow's last segment was sent: a folded run ends `duration` after its first segment, and an idle
    /// gap after it starts there.
    fn end_time(&self, i: usize) -> Option<f64> {
        let e = self.event(i)?;
        Some(e.time + e.fold.as_ref().map_or(0.0, |f| f.duration.max(0.0)))
    }
}

/// The capture time of one of the connection's frames (the segments are in frame order).
fn frame_time(conn: &Connection, frame: u64) -> Option<f64> {
    let at = conn.segments.binary_search_by_key(&frame, |s| s.frame).ok()?;
    conn.segments.get(at).map(|s| s.time.as_secs_f64())
}

fn connection_phases(conn: &Connection, shown: &Shown, messages: &[&Message], phases: &mut Vec<Phase>) {
    let (Some(&first), Some(&last)) = (shown.arrows.first(), shown.arrows.last()) else { return };
    let Some(first_event) = shown.event(first) else { return };
    let phase = |kind, first, last, label: String| Phase { kind, conn: conn.index, first, last, label, more: 0 };

    // Handshake: from the SYN to the client's first ACK without SYN.
    let handshake_end = shown
        .arrows
        .iter()
        .copied()
        .find(|&i| shown.event(i).is_some_and(|e| e.flags.ack() && !e.flags.syn() && e.from == first_event.from));
    if let (true, Some(end)) = (first_event.flags.syn(), handshake_end) {
        let rtt = conn.handshake_rtt.map(|d| format!(" ({})", format_duration(d.as_secs_f64()))).unwrap_or_default();
        phases.push(phase(PhaseKind::Handshake, first, end, format!("handshake{rtt}")));
    }

    let mut found = http1_exchanges(messages);
    found.extend(tls_handshake(messages));
    found.extend(postgres_phases(messages));
    found.extend(http2_streams(messages));
    found.extend(mysql::phases(messages));
    for f in found {
        // A phase cut by the `--frames` range is left out: its shown part would read as the whole of it.
        let (Some(start), Some(end)) = (shown.arrow_of(f.start_frame), shown.arrow_of(f.end_frame)) else {
            continue;
        };
        let mut facts = f.facts;
        if let (true, Some(from), Some(to)) = (f.timed, frame_time(conn, f.start_frame), frame_time(conn, f.end_frame))
        {
            // Timestamps may go backwards in a capture: never a negative duration.
            facts.push(format_duration((to - from).max(0.0)));
        }
        let label = if facts.is_empty() { f.label } else { format!("{} ({})", f.label, facts.join(", ")) };
        phases.push(Phase { more: f.more, ..phase(f.kind, start, end.max(start), label) });
    }

    // Idle gaps and teardown.
    let close_at = conn.first_close.and_then(|c| shown.position_of(c.frame));
    for (at, pair) in shown.arrows.windows(2).enumerate() {
        let (&[before, after], Some(next)) = (pair, pair.last().and_then(|&i| shown.event(i))) else { continue };
        let gap = next.time - shown.end_time(before).unwrap_or(next.time);
        if gap >= IDLE_GAP_SECONDS {
            let then = match conn.first_close {
                Some(close) if close_at == Some(at + 1) => format!(", then {} closes", close.by.name()),
                _ => String::new(),
            };
            phases.push(phase(PhaseKind::Idle, before, after, format!("idle {}{then}", format_duration(gap))));
        }
    }
    if let (Some(close_at), Some(close)) = (close_at, conn.first_close) {
        let Some(&close_event) = shown.arrows.get(close_at) else { return };
        let how = match close.kind {
            CloseKind::Fin => "FIN",
            CloseKind::Rst => "RST",
        };
        // A database client says goodbye (PostgreSQL's Terminate, MySQL's COM_QUIT) just before the first FIN:
        // that is part of the teardown.
        let goodbye = goodbye(messages);
        let said = goodbye.and_then(|(frame, _)| shown.position_of(frame)).filter(|&t| {
            let between = shown.arrows.get(t + 1..close_at).unwrap_or_default();
            t < close_at && !between.iter().any(|&i| shown.event(i).is_some_and(|e| e.len > 0))
        });
        let (start, label) = match (said.and_then(|t| shown.arrows.get(t)), goodbye) {
            (Some(&t), Some((_, word))) => (t, format!("teardown ({word}, then {} sends {how})", close.by.name())),
            _ => (close_event, format!("teardown ({} sends {how})", close.by.name())),
        };
        phases.push(phase(PhaseKind::Teardown, start, last, label));
    }
}

/// HTTP/1 exchanges: each request until the final response that answers it completes (an interim `100 Continue`
/// answers nothing yet); a 101 answer is an upgrade, an OPTIONS with `Access-Control-Request-Method` a CORS
/// preflight. Requests and responses the protocol stage counted instead of keeping ([`MessageKind::More`]) still
/// take their places in the pairing; each run of counted requests is one phase that says how many.
fn http1_exchanges(messages: &[&Message]) -> Vec<Found> {
    let mut responses = messages.iter().flat_map(|m| match m.kind {
        MessageKind::HttpResponse { status, .. } if !(100..200).contains(&status) || status == 101 => {
            std::iter::repeat_n(Some(*m), 1)
        }
        MessageKind::More { count } if counts_http(m, Direction::ServerToClient) => {
            std::iter::repeat_n(None, usize::try_from(count).unwrap_or(usize::MAX))
        }
        _ => std::iter::repeat_n(None, 0),
    });
    let mut found = Vec::new();
    for request in messages.iter() {
        match request.kind {
            MessageKind::HttpRequest { .. } => {
                found.push(http1_exchange(messages, request, responses.next().flatten()))
            }
            MessageKind::More { count } if counts_http(request, Direction::ClientToServer) => {
                let answered = responses.by_ref().take(usize::try_from(count).unwrap_or(usize::MAX)).flatten().last();
                let end_frame = answered.map_or(request.end_frame, |r| r.end_frame);
                let label = format!("and {} more requests", thousands(count));
                let (start_frame, more) = (request.frame, count.saturating_sub(1));
                let facts = Vec::new();
                found.push(Found {
                    kind: PhaseKind::Exchange,
                    start_frame,
                    end_frame,
                    label,
                    timed: false,
                    facts,
                    more,
                });
            }
            _ => {}
        }
    }
    found
}

/// A count of HTTP messages the protocol stage did not keep, sent in direction `dir`.
fn counts_http(message: &Message, dir: Direction) -> bool {
    message.protocol == Protocol::Http && message.dir == dir
}

/// The exchange of one request and the final response that answers it, if any.
fn http1_exchange(messages: &[&Message], request: &Message, response: Option<&Message>) -> Found {
    let upgraded = matches!(response.map(|r| &r.kind), Some(MessageKind::HttpResponse { status: 101, .. }));
    let kind = if upgraded { PhaseKind::Upgrade } else { PhaseKind::Exchange };
    let label = match (response, &request.kind) {
        (Some(r), _) if upgraded => format!("upgrade to {}: {}", upgrade_target(&r.kind), short_request(request)),
        (_, MessageKind::HttpRequest { preflight_for: Some(method), .. }) => {
            let request_line = short_request(request);
            let target = request_line.split_once(' ').map_or("", |(_, target)| target);
            format!("CORS preflight for {method} {target}")
        }
        _ => short_request(request),
    };
    // A body the snaplen left out still belongs to the response: the exchange lasts until its last byte.
    let body_end = response.and_then(|r| uncaptured_body_end(messages, r));
    let end_frame = response.map_or(request.frame, |r| r.end_frame).max(body_end.unwrap_or(0));
    // A message the connection's end cut short (a download given up, a body never sent) says so.
    let facts =
        [(request.incomplete, "request incomplete"), (response.is_some_and(|r| r.incomplete), "response incomplete")]
            .into_iter()
            .filter(|(cut, _)| *cut)
            .map(|(_, fact)| fact.to_string())
            .collect();
    Found { kind, start_frame: request.frame, end_frame, label, timed: false, facts, more: 0 }
}

/// The last frame of what followed `response` when the snaplen cut its head ([`MessageKind::NotCaptured`]).
fn uncaptured_body_end(messages: &[&Message], response: &Message) -> Option<u64> {
    let next = messages.iter().find(|m| m.dir == response.dir && m.offset > response.offset)?;
    matches!(next.kind, MessageKind::NotCaptured { .. }).then_some(next.end_frame)
}

/// The TLS handshake: from the ClientHello to the client's Finished (TLS 1.3: its first record after the
/// ServerHello, a compatibility ChangeCipherSpec skipped — the Finished itself when decrypted, an encrypted
/// record otherwise), or to the later of the two Finished messages (TLS 1.2: each side's first record after its
/// ChangeCipherSpec). An alert before that ends it as a failure.
fn tls_handshake(messages: &[&Message]) -> Option<Found> {
    // A HelloRetryRequest only asks for a second ClientHello: the handshake still runs from the first one.
    let tls: Vec<(&Message, ContentType, Option<HandshakeType>, Option<u16>)> = messages
        .iter()
        .filter_map(|m| match m.kind {
            MessageKind::Tls { hello_retry: true, .. } => None,
            MessageKind::Tls { content_type, handshake_type, version, .. } => {
                Some((*m, content_type, handshake_type, version))
            }
            _ => None,
        })
        .collect();
    let from = |dir: Direction| tls.iter().filter(move |(m, ..)| m.dir == dir);
    let (hello, ..) = from(Direction::ClientToServer).find(|(_, _, hs, _)| *hs == Some(HandshakeType::ClientHello))?;
    let server_hello = from(Direction::ServerToClient)
        .find(|(m, _, hs, _)| *hs == Some(HandshakeType::ServerHello) && m.end_frame >= hello.end_frame);
    let version = server_hello.and_then(|(_, _, _, v)| *v);
    let finished = match (server_hello, version) {
        (Some((sh, ..)), Some(TLS_1_3)) => from(Direction::ClientToServer)
            .find(|(m, ct, ..)| m.end_frame > sh.end_frame && *ct != ContentType::ChangeCipherSpec)
            .filter(|(_, ct, hs, _)| *ct == ContentType::ApplicationData || *hs == Some(HandshakeType::Finished))
            .map(|(m, ..)| m.end_frame),
        (Some(_), Some(_)) => {
            // Each side's first record after its ChangeCipherSpec is its (encrypted) Finished.
            let finished_of = |dir| {
                let mut records = from(dir).skip_while(|(_, ct, ..)| *ct != ContentType::ChangeCipherSpec).skip(1);
                records.next().map(|(m, ..)| m.end_frame)
            };
            finished_of(Direction::ServerToClient).zip(finished_of(Direction::ClientToServer)).map(|(s, c)| s.max(c))
        }
        _ => None,
    };
    let name = version.map_or_else(|| "TLS handshake".to_string(), |v| format!("{} handshake", version_name(v)));
    let alert = tls.iter().find(|(m, ct, ..)| {
        *ct == ContentType::Alert && m.end_frame >= hello.end_frame && finished.is_none_or(|f| m.end_frame < f)
    });
    let (end_frame, label) = match (alert, finished) {
        (Some((alert, ..)), _) => (alert.end_frame, format!("{name} fails")),
        (None, Some(end)) => (end, name),
        (None, None) => return None,
    };
    Some(Found {
        more: 0,
        kind: PhaseKind::Handshake,
        start_frame: hello.frame,
        end_frame,
        label,
        timed: true,
        facts: Vec::new(),
    })
}

/// PostgreSQL: the startup (StartupMessage or SSLRequest, authentication, parameters) until the first
/// ReadyForQuery, then one exchange per simple Query until the ReadyForQuery that answers it.
fn postgres_phases(messages: &[&Message]) -> Vec<Found> {
    let pg: Vec<(&Message, PgMessage, Option<&str>)> = messages
        .iter()
        .filter_map(|m| match &m.kind {
            MessageKind::Postgres { message, query } => Some((*m, *message, query.as_deref())),
            _ => None,
        })
        .collect();
    let mut found = Vec::new();
    let from = |dir: Direction| pg.iter().filter(move |(m, ..)| m.dir == dir);
    let mut ready = from(Direction::ServerToClient).filter(|(_, pg, _)| *pg == PgMessage::ReadyForQuery).peekable();
    let startup = from(Direction::ClientToServer).next().filter(|(_, pg, _)| *pg == PgMessage::Startup);
    if let Some((startup, ..)) = startup {
        // During the startup, an ErrorResponse is fatal (a failed login): it ends the phase.
        let end = from(Direction::ServerToClient)
            .find(|(_, pg, _)| matches!(pg, PgMessage::ReadyForQuery | PgMessage::ErrorResponse));
        if let Some((end, pg, _)) = end {
            let label = if *pg == PgMessage::ErrorResponse {
                "startup + authentication fails"
            } else {
                "startup + authentication"
            };
            found.push(Found {
                more: 0,
                kind: PhaseKind::Handshake,
                start_frame: startup.frame,
                end_frame: end.end_frame,
                label: label.to_string(),
                timed: true,
                facts: Vec::new(),
            });
            if *pg == PgMessage::ReadyForQuery {
                ready.next();
            }
        }
    }
    // Each simple Query, FunctionCall and extended-protocol Sync gets exactly one ReadyForQuery, in order. An
    // extended-protocol batch runs from its first Parse or Bind to the ReadyForQuery that answers its Sync.
    let mut batch: Option<(&Message, Option<&str>)> = None;
    for (message, pg, query) in from(Direction::ClientToServer) {
        let (start, sql) = match pg {
            PgMessage::Parse | PgMessage::Bind => {
                let (_, sql) = batch.get_or_insert((message, None));
                if *pg == PgMessage::Parse && sql.is_none() {
                    *sql = *query;
                }
                continue;
            }
            PgMessage::FunctionCall => {
                ready.next();
                continue;
            }
            PgMessage::Query => (*message, Some(short_sql(query.unwrap_or_default()))),
            PgMessage::Sync => match batch.take() {
                Some((start, sql)) => {
                    (start, Some(sql.map_or_else(|| "execute prepared statement".to_string(), short_sql)))
                }
                None => (*message, None),
            },
            _ => continue,
        };
        let answer = ready.next();
        if let Some(label) = sql {
            let end_frame = answer.map_or(message.end_frame, |(z, ..)| z.end_frame);
            found.push(Found {
                more: 0,
                kind: PhaseKind::Exchange,
                start_frame: start.frame,
                end_frame,
                label,
                timed: false,
                facts: Vec::new(),
            });
        }
    }
    found
}

/// The frame where a database client's goodbye starts (PostgreSQL's Terminate, MySQL's COM_QUIT), and its name.
fn goodbye(messages: &[&Message]) -> Option<(u64, &'static str)> {
    messages.iter().filter(|m| m.dir == Direction::ClientToServer).find_map(|m| match &m.kind {
        MessageKind::Postgres { message: PgMessage::Terminate, .. } => Some((m.frame, "Terminate")),
        MessageKind::MySql { packet: Packet::Command(Command::Quit), .. } => Some((m.frame, "Quit")),
        _ => None,
    })
}

/// `SELECT name, price FROM products WHERE …`: whitespace collapsed, cut at [`SQL_CHARS`].
fn short_sql(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let one_line = words.join(" ");
    if one_line.chars().count() <= SQL_CHARS {
        return if one_line.is_empty() { "empty query".to_string() } else { one_line };
    }
    let cut: String = one_line.chars().take(SQL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// HTTP/2: one exchange per client-opened stream, from the client's HEADERS to the frame that ends the stream
/// (the server's END_STREAM, or a RST_STREAM from either side). A stream never seen to end (the capture stops,
/// or a GOAWAY drops it) runs to its last frame seen and says so. Stream 1 of an h2c upgrade has no HEADERS (its
/// request was the HTTP/1.1 one) and stays the upgrade phase.
fn http2_streams(messages: &[&Message]) -> Vec<Found> {
    type H2Frame<'a> = (&'a Message, FrameType, u8, Option<&'a str>);
    let mut streams: BTreeMap<u32, Vec<H2Frame>> = BTreeMap::new();
    for m in messages {
        if let MessageKind::Http2 { frame_type, stream, flags, request } = &m.kind {
            streams.entry(*stream).or_default().push((*m, *frame_type, *flags, request.as_deref()));
        }
    }
    let mut found = Vec::new();
    for (stream, frames) in streams.iter().filter(|(stream, _)| *stream % 2 == 1) {
        let Some(opened) =
            frames.iter().position(|(m, ft, ..)| m.dir == Direction::ClientToServer && *ft == FrameType::Headers)
        else {
            continue;
        };
        let on_stream = frames.get(opened..).unwrap_or_default();
        let (Some((open, ..)), Some((last, ..))) = (on_stream.first(), on_stream.last()) else { continue };
        let request = on_stream.iter().find_map(|(m, .., r)| r.filter(|_| m.dir == Direction::ClientToServer));
        let ends = on_stream.iter().find(|(m, ft, flags, _)| {
            let end_stream =
                matches!(*ft, FrameType::Data | FrameType::Headers) && flags & http2::flag::END_STREAM != 0;
            (end_stream && m.dir == Direction::ServerToClient) || *ft == FrameType::RstStream
        });
        let (end_frame, no_end) = match ends {
            Some((m, ..)) => (m.end_frame, ""),
            None => (last.end_frame, ", no end seen"),
        };
        let label = match request {
            Some(request) => format!("{request} (stream {stream}{no_end})"),
            None => format!("stream {stream}{no_end}"),
        };
        found.push(Found {
            more: 0,
            kind: PhaseKind::Exchange,
            start_frame: open.frame,
            end_frame,
            label,
            timed: false,
            facts: Vec::new(),
        });
    }
    found
}

fn fold_covers(e: &Event, frame: u64) -> bool {
    e.fold.as_ref().is_some_and(|f| (e.frame..=f.last_frame).contains(&frame))
}

fn upgrade_target(kind: &MessageKind) -> String {
    match kind {
        MessageKind::HttpResponse { upgrade: Some(u), .. } => u.clone(),
        _ => "another protocol".into(),
    }
}

/// `GET /style.css HTTP/1.1` -> `GET /style.css` (the start line's target is already shortened and escaped).
fn short_request(request: &Message) -> String {
    let line = match &request.kind {
        MessageKind::HttpRequest { head, .. } if !head.start_line.is_empty() => &head.start_line,
        _ => &request.summary,
    };
    line.rsplit_once(" HTTP/").map_or(line.as_str(), |(head, _)| head).to_string()
}

/// A duration as phase names say it: `29 µs`, `1.7 ms`, `35 ms`, `2.0 s`.
pub fn format_duration(seconds: f64) -> String {
    if seconds < 0.001 {
        format!("{:.0} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3).replace(".0 ms", " ms")
    } else {
        format!("{seconds:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use crate::dialog::{Dialog, DialogOptions, Selection, build};
    use std::path::Path;

    fn dialog_of(capture: &str) -> Dialog {
        dialog_of_frames(capture, None)
    }

    fn dialog_of_frames(capture: &str, frames: Option<(u64, u64)>) -> Dialog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        build(&analysis, &Selection { frames, ..Default::default() }, &DialogOptions::default()).unwrap()
    }

    /// (kind, first frame, last frame, label) of each phase.
    fn phases(dialog: &Dialog) -> Vec<(PhaseKind, u64, u64, &str)> {
        dialog
            .phases
            .iter()
            .map(|p| (p.kind, dialog.events[p.first].frame, dialog.events[p.last].frame, p.label.as_str()))
            .collect()
    }

    #[test]
    fn an_idle_gap_after_a_folded_transfer_starts_where_the_transfer_ends() {
        // tshark: data in frames 6-34 (0.0121 s to 0.2066 s), then nothing until the client's FIN in frame 35
        // at 1.7066 s. Measured from the fold's first segment the gap would read 1.7 s.
        let dialog = dialog_of("tests/fixtures/tcp/transfer-idle.pcap");
        let idle = dialog.phases.iter().find(|p| p.kind == PhaseKind::Idle).expect("an idle phase");
        assert_eq!(idle.label, "idle 1.5 s, then client closes");
        let folded = &dialog.events[idle.first];
        assert_eq!((folded.frame, folded.fold.as_ref().map(|f| f.last_frame)), (6, Some(34)));
        assert_eq!(dialog.events[idle.last].frame, 35);
    }

    #[test]
    fn tls13_handshake_runs_from_client_hello_to_the_clients_finished() {
        // tshark -Y tls: Client Hello in frame 4 (0.001416 s); Server Hello (supported_version 0x0304) in 6;
        // frame 8 (0.003140 s) is the client's Change Cipher Spec and first encrypted record, its Finished.
        let dialog = dialog_of("captures/tls13.pcap");
        assert_eq!(
            phases(&dialog),
            [
                (PhaseKind::Handshake, 1, 3, "handshake (29 µs)"),
                (PhaseKind::Handshake, 4, 8, "TLS 1.3 handshake (1.7 ms)"),
                (PhaseKind::Teardown, 16, 18, "teardown (client sends FIN)"),
            ]
        );
    }

    #[test]
    fn a_phase_cut_by_the_frame_range_is_left_out() {
        // Same frames as above: the TLS handshake runs from frame 4 (0.001416 s) to 8 (0.003140 s), the teardown
        // from the client's FIN in 16 to the last ACK in 18.
        let tls = |frames| {
            let dialog = dialog_of_frames("captures/tls13.pcap", Some(frames));
            phases(&dialog).into_iter().map(|(k, a, b, l)| (k, a, b, l.to_string())).collect::<Vec<_>>()
        };
        let teardown = (PhaseKind::Teardown, 16, 18, "teardown (client sends FIN)".to_string());
        assert_eq!(tls((9, 18)), std::slice::from_ref(&teardown), "the handshake lies before the range");
        assert_eq!(tls((6, 18)), [teardown], "the handshake starts before the range");
        assert_eq!(tls((1, 7)), [(PhaseKind::Handshake, 1, 3, "handshake (29 µs)".to_string())], "ends after it");
        assert_eq!(tls((4, 8)), [(PhaseKind::Handshake, 4, 8, "TLS 1.3 handshake (1.7 ms)".to_string())]);
    }

    #[test]
    fn a_duration_is_never_negative() {
        // tests/fixtures/phases/tls13-backwards.pcap is captures/tls13.pcap with frame 8 stamped 1 ms before frame
        // 4 (tshark: frame 4 at 0.001416 s, frame 8 at 0.000416 s).
        let dialog = dialog_of("tests/fixtures/phases/tls13-backwards.pcap");
        let tls: Vec<_> = phases(&dialog).into_iter().filter(|p| p.3.starts_with("TLS")).collect();
        assert_eq!(tls, [(PhaseKind::Handshake, 4, 8, "TLS 1.3 handshake (0 µs)")]);
    }

    #[test]
    fn tls13_hello_retry_request_is_part_of_the_handshake() {
        // tshark -Y tls: Client Hello in frame 4 (0.000253 s), Hello Retry Request in 6, the second Client Hello in
        // 8, Server Hello in 9, the client's first Application Data (its Finished) in 10 (0.001694 s).
        let dialog = dialog_of("tests/fixtures/phases/tls13-hrr.pcap");
        let tls: Vec<_> = phases(&dialog).into_iter().filter(|p| p.3.starts_with("TLS")).collect();
        assert_eq!(tls, [(PhaseKind::Handshake, 4, 10, "TLS 1.3 handshake (1.4 ms)")]);
    }

    #[test]
    fn tls12_handshake_ends_with_the_servers_finished() {
        // tshark -Y tls: Client Hello in frame 4 (0.003437 s); the client's Change Cipher Spec in 8; the server's
        // Change Cipher Spec and Encrypted Handshake Message (its Finished) in frame 9 (0.004604 s).
        let dialog = dialog_of("captures/tls12.pcap");
        let tls: Vec<_> = phases(&dialog).into_iter().filter(|p| p.3.starts_with("TLS")).collect();
        assert_eq!(tls, [(PhaseKind::Handshake, 4, 9, "TLS 1.2 handshake (1.2 ms)")]);
    }

    #[test]
    fn postgres_startup_query_and_terminate() {
        // tshark -d tcp.port==18432,pgsql: Startup message in frame 4 (0.000107 s), the first Ready for query in
        // frame 11 (0.017374 s); Simple query "SELECT 1 AS one, 'hi' AS two;" in 12, answered up to Ready for query
        // in 13; Termination in 14, the client's FIN in 15, the last ACK in 17.
        let dialog = dialog_of("captures/postgres.pcap");
        assert_eq!(
            phases(&dialog),
            [
                (PhaseKind::Handshake, 1, 3, "handshake (31 µs)"),
                (PhaseKind::Handshake, 4, 11, "startup + authentication (17.3 ms)"),
                (PhaseKind::Exchange, 12, 13, "SELECT 1 AS one, 'hi' AS two;"),
                (PhaseKind::Teardown, 14, 17, "teardown (Terminate, then client sends FIN)"),
            ]
        );
    }

    #[test]
    fn postgres_extended_batches_and_a_function_call() {
        // tshark -d tcp.port==18433,pgsql: Parse "SELECT $1::int + 1 AS answer", Bind, Describe, Execute, Sync in
        // frame 8, answered up to Ready for query in 9; Bind, Execute, Sync in 10, answered in 11; Function call in
        // 12 answered in 13 (no phase, but it takes its Ready for query); Simple query with ESC and BEL in 14,
        // answered in 15.
        let dialog = dialog_of("tests/fixtures/phases/pg-extended.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(
            exchanges,
            [
                (PhaseKind::Exchange, 8, 9, "SELECT $1::int + 1 AS answer"),
                (PhaseKind::Exchange, 10, 11, "execute prepared statement"),
                (PhaseKind::Exchange, 14, 15, "SELECT '.[31mred.' AS x"),
            ]
        );
    }

    #[test]
    fn h2_stream_with_no_end_runs_to_its_last_frame_and_says_so() {
        // tests/fixtures/phases/h2-no-end.pcap is frames 1-20 of h2-streams.pcap (tshark -d tcp.port==18283,http2):
        // stream 1's HEADERS in 8, its last frame the client's WINDOW_UPDATE[1] in 20, its END_STREAM cut off.
        let dialog = dialog_of("tests/fixtures/phases/h2-no-end.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(
            exchanges,
            [
                (PhaseKind::Exchange, 8, 20, "GET /big.txt (stream 1, no end seen)"),
                (PhaseKind::Exchange, 16, 17, "GET /index.html (stream 3)"),
                (PhaseKind::Exchange, 18, 19, "GET /style.css (stream 5)"),
            ]
        );
    }

    #[test]
    fn h2_prior_knowledge_has_one_phase_per_stream() {
        // tshark -d tcp.port==18082,http2: HEADERS[1] GET / in frame 9, the server's DATA[1] with END_STREAM
        // (flags 0x01) in frame 10.
        let dialog = dialog_of("captures/h2-prior-knowledge.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(exchanges, [(PhaseKind::Exchange, 9, 10, "GET / (stream 1)")]);
    }

    #[test]
    fn overlapping_h2_streams_each_get_their_own_phase() {
        // tshark -d tcp.port==18283,http2: HEADERS[1] GET /big.txt in frame 8, its last DATA[1] (END_STREAM) in 21;
        // meanwhile HEADERS[3] GET /index.html in 16 answered in 17, HEADERS[5] GET /style.css in 18 answered in 19.
        let dialog = dialog_of("tests/fixtures/phases/h2-streams.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(
            exchanges,
            [
                (PhaseKind::Exchange, 8, 21, "GET /big.txt (stream 1)"),
                (PhaseKind::Exchange, 16, 17, "GET /index.html (stream 3)"),
                (PhaseKind::Exchange, 18, 19, "GET /style.css (stream 5)"),
            ]
        );
    }

    #[test]
    fn h2c_upgrade_stream_1_stays_the_upgrade_phase() {
        // tshark: HEAD / HTTP/1.1 in frame 4, 101 Switching Protocols in 6; stream 1's answer (HEADERS[1], DATA[1])
        // in 8 has no HEADERS of its own from the client.
        let dialog = dialog_of("captures/h2c-upgrade.pcap");
        let kinds: Vec<_> = phases(&dialog).into_iter().map(|p| (p.0, p.1, p.2, p.3.to_string())).collect();
        assert!(kinds.contains(&(PhaseKind::Upgrade, 4, 6, "upgrade to h2c: HEAD /".to_string())), "{kinds:?}");
        assert!(!kinds.iter().any(|p| p.0 == PhaseKind::Exchange), "{kinds:?}");
    }

    #[test]
    fn a_cors_preflight_is_named_and_the_put_after_it_is_its_own_exchange() {
        // tshark -d tcp.port==18471,http, stream 2: OPTIONS /api/items/42 with Access-Control-Request-Method: PUT
        // in frame 16, 204 No Content in 18; PUT /api/items/42 in 20, its 200 OK completed by frame 23.
        let dialog = dialog_of("captures/cors-preflight.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(
            exchanges,
            [
                (PhaseKind::Exchange, 4, 11, "GET /cors.html"),
                (PhaseKind::Exchange, 16, 18, "CORS preflight for PUT /api/items/42"),
                (PhaseKind::Exchange, 20, 23, "PUT /api/items/42"),
            ]
        );
    }

    #[test]
    fn an_exchange_cut_short_by_the_close_says_so() {
        // tshark -d tcp.port==18475,http: stream 0's GET in frame 4, its 200 OK head in 6 with 32768 of 81920 body
        // bytes by frame 10, the client's FIN in 12, the server's in 13 (tshark reports no response at all).
        // Stream 1 resumes with a Range request in 18, answered by a 206 completed in 24.
        let dialog = dialog_of("captures/download-range.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(
            exchanges,
            [
                (PhaseKind::Exchange, 4, 13, "GET /file80k.bin (response incomplete)"),
                (PhaseKind::Exchange, 18, 24, "GET /file80k.bin")
            ]
        );
    }

    #[test]
    fn an_interim_100_continue_does_not_answer_the_request() {
        // tshark -d tcp.port==18472,http: the POST's head in frame 4, HTTP/1.1 100 Continue in 6, the body up to 9,
        // the final 200 OK completed by frame 13.
        let dialog = dialog_of("captures/upload-100-continue.pcap");
        let exchanges: Vec<_> = phases(&dialog).into_iter().filter(|p| p.0 == PhaseKind::Exchange).collect();
        assert_eq!(exchanges, [(PhaseKind::Exchange, 4, 13, "POST /upload")]);
    }

    #[test]
    fn long_sql_is_shortened_on_one_line() {
        assert_eq!(short_sql("SELECT 1"), "SELECT 1");
        assert_eq!(
            short_sql("SELECT name,\n       price\n  FROM products\n WHERE price > 10 ORDER BY name"),
            "SELECT name, price FROM products WHERE…"
        );
        assert_eq!(short_sql("  "), "empty query");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(0.000_029), "29 µs");
        assert_eq!(format_duration(0.001_724), "1.7 ms");
        assert_eq!(format_duration(0.035), "35 ms");
        assert_eq!(format_duration(2.04), "2.0 s");
    }
}
