//! The troubled stretches of a connection, from Wireshark's analysis flags: loss episodes (from the first sign
//! of a loss to the ACK that covers everything resent) and zero-window stalls (from a zero window to the
//! window update that reopens it).
//!
//! Each is a story told once: a phase whose label carries its values (`loss: 3 segments lost, 8 duplicate ACKs
//! (SACK 21925–32061), fast retransmission after 3.2 ms, recovered in 12 ms`), and frames that folding keeps
//! as arrows of their own (where it starts, the fast retransmission, where a stall ends).

use super::phases::format_duration;
use crate::tcp::{AnalysisFlag, Connection, Direction, Segment};

/// A zero window that lasts at least this long is a stall of its own; shorter ones (a slow reader's rhythm)
/// are counted in the folded transfer around them.
pub const STALL_SECONDS: f64 = 0.2;

/// A troubled stretch of one connection, by frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Trouble {
    pub kind: TroubleKind,
    pub first_frame: u64,
    pub last_frame: u64,
    /// Frames that must stay arrows of their own for the story to be seen.
    pub anchors: Vec<u64>,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TroubleKind {
    Loss,
    Stall,
}

/// Every loss episode and zero-window stall of `conn`, in frame order.
pub fn find_trouble(conn: &Connection) -> Vec<Trouble> {
    find_trouble_in(&conn.segments)
}

/// [`find_trouble`] over some of a connection's segments (those a `--frames` range shows: the story is the
/// one they tell, whatever the analysis kept around them).
pub fn find_trouble_in(segments: &[Segment]) -> Vec<Trouble> {
    let mut found = Vec::new();
    for dir in [Direction::ServerToClient, Direction::ClientToServer] {
        found.extend(loss_episodes(segments, dir));
        found.extend(stalls(segments, dir));
    }
    found.sort_by_key(|t| (t.first_frame, t.last_frame));
    found
}

fn has(seg: &Segment, pred: impl Fn(&AnalysisFlag) -> bool) -> bool {
    seg.analysis.iter().any(pred)
}

fn is_resend(f: &AnalysisFlag) -> bool {
    matches!(f, AnalysisFlag::Retransmission | AnalysisFlag::FastRetransmission | AnalysisFlag::SpuriousRetransmission)
}

/// A sign of loss in data sent by `dir`: a gap before a segment, a resend, or the peer repeating its ACK.
fn loss_sign(seg: &Segment, dir: Direction) -> bool {
    if seg.dir == dir {
        has(seg, |f| matches!(f, AnalysisFlag::LostSegment) || is_resend(f))
    } else {
        has(seg, |f| matches!(f, AnalysisFlag::DuplicateAck { .. }))
    }
}

/// Loss episodes of the data `dir` sends: from the first sign of a loss until the peer acknowledges every byte
/// that was outstanding when the last resend of the episode went out.
fn loss_episodes(segments: &[Segment], dir: Direction) -> Vec<Trouble> {
    let mut found = Vec::new();
    let mut high = 0u32; // end of the highest sequence number sent so far
    let mut i = 0;
    while i < segments.len() {
        let seg = &segments[i];
        if seg.dir == dir {
            high = high.max(seg.seq.wrapping_add(seg.len));
        }
        if !loss_sign(seg, dir) {
            i += 1;
            continue;
        }
        let start = i;
        let mut target = high;
        let mut end = segments.len() - 1;
        let mut j = i;
        while j < segments.len() {
            let s = &segments[j];
            if s.dir == dir {
                high = high.max(s.seq.wrapping_add(s.len));
                if has(s, is_resend) {
                    target = high;
                }
            } else if s.flags.ack() && s.ack >= target && !has(s, |f| matches!(f, AnalysisFlag::DuplicateAck { .. })) {
                end = j;
                break;
            }
            j += 1;
        }
        // A lone resend (a FIN sent again) is an arrow that says so; a phase is for a story of several signs.
        let run = &segments[start..=end];
        if run.iter().filter(|s| loss_sign(s, dir)).count() > 1 {
            found.push(loss_episode(run, dir, j < segments.len()));
        }
        i = end + 1;
    }
    found
}

/// The phase of one loss episode, its values counted as tshark's flags give them.
fn loss_episode(run: &[Segment], dir: Direction, recovered: bool) -> Trouble {
    let (first, last) = (&run[0], &run[run.len() - 1]);
    let sent = || run.iter().filter(|s| s.dir == dir);
    let lost = sent().filter(|s| has(s, |f| matches!(f, AnalysisFlag::LostSegment))).count();
    let resends = sent().filter(|s| has(s, is_resend)).count();
    let fast = sent().find(|s| has(s, |f| matches!(f, AnalysisFlag::FastRetransmission)));
    let first_resend = sent().find(|s| has(s, is_resend));
    let dup_acks: Vec<&Segment> =
        run.iter().filter(|s| s.dir != dir && has(s, |f| matches!(f, AnalysisFlag::DuplicateAck { .. }))).collect();
    let mut facts = Vec::new();
    if lost > 0 {
        facts.push(plural(lost, "segment lost", "segments lost"));
    }
    if !dup_acks.is_empty() {
        let mut dup = plural(dup_acks.len(), "duplicate ACK", "duplicate ACKs");
        if let Some((left, right)) = sack_span(&dup_acks) {
            dup.push_str(&format!(" (SACK {left}–{right})"));
        }
        facts.push(dup);
    }
    let since = |s: &Segment| format_duration((s.time.as_secs_f64() - first.time.as_secs_f64()).max(0.0));
    match (fast, first_resend) {
        (Some(fast), _) => facts.push(format!("fast retransmission after {}", since(fast))),
        (None, Some(resend)) if resend.frame == first.frame => facts.push("retransmission".to_string()),
        (None, Some(resend)) => facts.push(format!("retransmission after {}", since(resend))),
        (None, None) => {}
    }
    if resends > 1 {
        facts.push(plural(resends, "retransmission", "retransmissions"));
    }
    facts.push(if recovered { format!("recovered in {}", since(last)) } else { "not recovered".to_string() });
    let mut anchors = vec![first.frame];
    anchors.extend(fast.or(first_resend).map(|s| s.frame));
    Trouble {
        kind: TroubleKind::Loss,
        first_frame: first.frame,
        last_frame: last.frame,
        anchors,
        label: format!("loss: {}", facts.join(", ")),
    }
}

/// The span of the SACK blocks the duplicate ACKs report, relative as Wireshark shows them.
fn sack_span(dup_acks: &[&Segment]) -> Option<(u32, u32)> {
    let edges = dup_acks.iter().flat_map(|s| {
        let base = s.sack_base();
        s.options.sack_blocks.iter().map(move |(l, r)| (l.wrapping_sub(base), r.wrapping_sub(base)))
    });
    edges.fold(None, |span, (l, r)| match span {
        None => Some((l, r)),
        Some((a, b)) => Some((a.min(l), b.max(r))),
    })
}

/// Zero-window stalls of the receiver `dir`: from its zero window to the segment that opens the window again,
/// when that lasts at least [`STALL_SECONDS`].
fn stalls(segments: &[Segment], dir: Direction) -> Vec<Trouble> {
    let zero = |s: &Segment| s.dir == dir && has(s, |f| matches!(f, AnalysisFlag::ZeroWindow));
    let mut found = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        if !zero(&segments[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let opened = (start + 1..segments.len()).find(|&j| segments[j].dir == dir && segments[j].window > 0);
        let end = opened.unwrap_or(segments.len() - 1);
        let run = &segments[start..=end];
        let (first, last) = (&run[0], &run[run.len() - 1]);
        let duration = (last.time.as_secs_f64() - first.time.as_secs_f64()).max(0.0);
        if duration >= STALL_SECONDS {
            let probes = run.iter().filter(|s| s.dir != dir).count();
            let zero_acks = run.iter().filter(|s| zero(s)).count();
            let mut facts = vec![format!("zero window for {}", format_duration(duration))];
            facts.push(plural(probes, "probe", "probes"));
            facts.push(plural(zero_acks, "zero-window ACK", "zero-window ACKs"));
            let label = match opened {
                Some(_) => format!("{}, then the window opens", facts.join(", ")),
                None => format!("{}, never reopened", facts.join(", ")),
            };
            found.push(Trouble {
                kind: TroubleKind::Stall,
                first_frame: first.frame,
                last_frame: last.frame,
                anchors: vec![first.frame, last.frame],
                label,
            });
        }
        i = end + 1;
    }
    found
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}
