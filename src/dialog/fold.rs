//! Folding: a long transfer, a burst of duplicate ACKs or what went by inside a zero-window stall becomes one
//! arrow that counts what it stands for ([`Fold`]).
//!
//! Transfers are folded before any arrow is made: a download of a million segments would otherwise be a
//! million [`Event`]s (each with its texts, 450 bytes) on the way to a few folded arrows. Folding reads each
//! segment as a [`Candidate`] (the segment, its connection and its arrow's ends) and makes the `Event` only
//! of what stays an arrow.

use super::{Event, Flagged, Fold, FoldKind};
use crate::capture::TcpFlags;
use crate::tcp::{AnalysisFlag, Connection, Segment};

/// Runs of at least this many consecutive duplicate ACKs become one arrow (three trigger a fast retransmit).
pub(super) const DUP_ACK_RUN: usize = 3;

/// A segment on its way to an arrow: what folding looks at, without the arrow's texts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate<'a> {
    pub conn: &'a Connection,
    pub seg: &'a Segment,
    /// Participant indices of the arrow's ends.
    pub from: usize,
    pub to: usize,
}

impl Candidate<'_> {
    fn is_plain(&self) -> bool {
        neither_opens_nor_closes(self.seg.flags)
    }
}

/// Replaces long runs of data segments in one direction (with only pure ACKs coming back) by one arrow, and
/// makes the arrow of every other segment with `arrow`.
///
/// A folded arrow keeps the first segment's numbers, carries the run's totals in [`Fold`], and drops the
/// per-segment raw-data previews (the packet table still lists them). The run goes on across what Wireshark
/// flags in a long transfer (Window Full, Window Update, duplicate ACKs, resends, gaps, short zero windows and
/// their probes), counted in [`Fold::flagged`]; it stops at a segment that is `kept` (a message, the start of
/// a loss episode, a fast retransmission, the edges of a stall) and at anything that opens or closes.
pub(super) fn fold_transfers(
    candidates: &[Candidate],
    threshold: usize,
    kept: impl Fn(&Candidate) -> bool,
    troubled: impl Fn(&Candidate) -> bool,
    mut arrow: impl FnMut(&Candidate) -> Event,
) -> Vec<Event> {
    let foldable =
        |c: &Candidate| c.seg.len > 0 && !kept(c) && c.is_plain() && c.seg.analysis.iter().all(|f| folds_in_data(*f));
    let pure_ack =
        |c: &Candidate| c.seg.len == 0 && !kept(c) && c.is_plain() && c.seg.analysis.iter().all(|f| folds_in_ack(*f));
    let same_conn = |a: &Candidate, b: &Candidate| a.conn.index == b.conn.index;
    let mut out = Vec::new();
    let mut i = 0;
    while i < candidates.len() {
        let here = &candidates[i];
        // A run may start with the receiver's ACKs: its sender is the one of its first data segment.
        let lead = candidates[i..].iter().take_while(|c| same_conn(c, here) && pure_ack(c)).count();
        let Some(first) = candidates.get(i + lead).filter(|c| foldable(c) && same_conn(c, here)) else {
            out.push(arrow(here));
            i += 1;
            continue;
        };
        if candidates[i..i + lead].iter().any(|c| c.from != first.to) {
            out.push(arrow(here));
            i += 1;
            continue;
        }
        // Extend the run: same connection, same sender, data segments and the peer's pure ACKs (and the
        // sender's zero-window probes, which carry no data).
        let (mut j, mut data) = (i + lead, 0u64);
        while j < candidates.len() {
            let c = &candidates[j];
            if !same_conn(c, first) {
                break;
            }
            if c.from == first.from && foldable(c) {
                data += 1;
            } else if !(pure_ack(c) && (c.from == first.to || !c.seg.analysis.is_empty())) {
                break;
            }
            j += 1;
        }
        // Inside a loss episode or a stall a few segments already make a run worth folding: the phase tells it
        // (unless nothing is to fold: `usize::MAX`, a graph's packet list).
        let enough = if troubled(first) && threshold != usize::MAX { threshold.min(2) } else { threshold };
        if (data as usize) <= enough {
            out.push(arrow(here));
            i += 1;
            continue;
        }
        out.push(folded_transfer(&candidates[i..j], lead, arrow(first)));
        i = j;
    }
    out
}

/// Flags a data segment may carry and still be folded into a transfer: the fast retransmission is not one of
/// them (it is the named moment of a loss episode).
fn folds_in_data(flag: AnalysisFlag) -> bool {
    use AnalysisFlag as F;
    matches!(
        flag,
        F::WindowFull
            | F::Retransmission
            | F::SpuriousRetransmission
            | F::LostSegment
            | F::OutOfOrder
            | F::ZeroWindowProbe
    )
}

/// Flags a segment without data may carry and still be folded into a transfer.
fn folds_in_ack(flag: AnalysisFlag) -> bool {
    use AnalysisFlag as F;
    matches!(flag, F::DuplicateAck { .. } | F::WindowUpdate | F::ZeroWindow | F::ZeroWindowProbeAck | F::KeepAlive)
}

/// The arrow of a run of a transfer: `first`, the arrow of the first data segment (`run[lead]`, after the
/// ACKs that lead the run), from the run's first frame and time, with the run's totals.
fn folded_transfer(run: &[Candidate], lead: usize, first: Event) -> Event {
    let (start, last, sender) = (&run[0], &run[run.len() - 1], run[lead].from);
    let sent = || run.iter().filter(|c| c.from == sender && c.seg.len > 0);
    let bytes = sent().map(|c| u64::from(c.seg.len)).sum();
    let mut flagged = Flagged::default();
    for c in run {
        flagged.add(&c.seg.analysis);
    }
    let mut folded = first;
    (folded.frame, folded.time) = (start.seg.frame, start.seg.time.as_secs_f64());
    folded.messages.clear();
    folded.decrypted.clear();
    folded.analysis.clear();
    folded.len = u32::try_from(bytes).unwrap_or(u32::MAX);
    folded.fold = Some(Fold {
        kind: FoldKind::Transfer,
        segments: sent().count() as u64,
        acks: run.iter().filter(|c| c.from != sender).count() as u64,
        bytes,
        duration: (last.seg.time.as_secs_f64() - start.seg.time.as_secs_f64()).max(0.0),
        last_frame: last.seg.frame,
        flagged,
    });
    folded
}

/// Replaces each run of at least [`DUP_ACK_RUN`] consecutive duplicate ACKs (one sender, one ACK number,
/// numbered `#n`, `#n+1`, ...) by one arrow. The arrow keeps the first one's numbers and its `Dup ACK #n` flag,
/// so it stays marked; a duplicate ACK that carries anything else (data, another flag) is never folded.
pub(super) fn fold_duplicate_acks(events: Vec<Event>) -> Vec<Event> {
    let dup_number = |e: &Event| match e.analysis.as_slice() {
        [AnalysisFlag::DuplicateAck { number: n, .. }]
            if e.fold.is_none() && e.len == 0 && e.messages.is_empty() && is_plain(e) =>
        {
            Some(*n)
        }
        _ => None,
    };
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let first = &events[i];
        let Some(first_number) = dup_number(first) else {
            out.push(first.clone());
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while let Some(next) = events.get(end) {
            let continues = next.conn == first.conn
                && next.from == first.from
                && next.ack == first.ack
                && dup_number(next) == u32::try_from(end - i).ok().and_then(|k| first_number.checked_add(k));
            if !continues {
                break;
            }
            end += 1;
        }
        let run = &events[i..end];
        match run.last() {
            Some(last) if run.len() >= DUP_ACK_RUN => {
                let mut folded = first.clone();
                folded.fold = Some(Fold {
                    kind: FoldKind::DuplicateAcks {
                        first: first_number,
                        last: first_number.saturating_add(u32::try_from(run.len() - 1).unwrap_or(u32::MAX)),
                    },
                    segments: run.len() as u64,
                    acks: 0,
                    bytes: 0,
                    duration: run_duration(first, last),
                    last_frame: last.frame,
                    flagged: Flagged::default(),
                });
                out.push(folded);
            }
            _ => out.extend_from_slice(run),
        }
        i = end;
    }
    out
}

/// Replaces what went by inside each zero-window stall (connection, first and last frame: its edges stay
/// arrows) by one arrow, when it is more than one segment: the phase tells the stall, the arrow what it held.
pub(super) fn fold_probes(events: Vec<Event>, stalls: &[(usize, u64, u64)]) -> Vec<Event> {
    if stalls.is_empty() {
        return events;
    }
    let inside = |e: &Event| {
        e.fold.is_none()
            && e.len <= 1
            && is_plain(e)
            && stalls.iter().any(|&(c, first, last)| c == e.conn && first < e.frame && e.frame < last)
    };
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let run = events[i..].iter().take_while(|e| inside(e) && e.conn == events[i].conn).count();
        if run < 2 {
            out.push(events[i].clone());
            i += 1;
            continue;
        }
        let (first, last) = (&events[i], &events[i + run - 1]);
        let mut flagged = Flagged::default();
        for e in &events[i..i + run] {
            flagged.add(&e.analysis);
        }
        let mut folded = first.clone();
        folded.analysis.clear();
        folded.messages.clear();
        folded.decrypted.clear();
        folded.fold = Some(Fold {
            kind: FoldKind::Probes,
            segments: run as u64,
            acks: 0,
            bytes: 0,
            duration: run_duration(first, last),
            last_frame: last.frame,
            flagged,
        });
        out.push(folded);
        i += run;
    }
    out
}

/// How long a folded run took. A capture's clock may step back (segment times then saturate at the capture's
/// start): a run never lasts less than nothing.
fn run_duration(first: &Event, last: &Event) -> f64 {
    (last.time - first.time).max(0.0)
}

fn is_plain(e: &Event) -> bool {
    neither_opens_nor_closes(e.flags)
}

/// No SYN, FIN or RST: a segment that may fold.
fn neither_opens_nor_closes(flags: TcpFlags) -> bool {
    !(flags.syn() || flags.fin() || flags.rst())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::Direction::{self, ClientToServer, ServerToClient};
    use std::time::Duration;

    fn segment(frame: u64, dir: Direction, len: u32) -> Segment {
        Segment {
            frame,
            frame_len: 66 + len,
            time: Duration::from_micros(frame),
            dir,
            flags: TcpFlags(TcpFlags::ACK),
            seq: 0,
            ack: 0,
            abs_seq: 0,
            abs_ack: 0,
            len,
            captured_len: 0,
            window: 65_535,
            options: Default::default(),
            analysis: Box::new([]),
        }
    }

    fn event_of(c: &Candidate) -> Event {
        let (src, dst) = c.conn.ends(c.seg.dir);
        Event {
            conn: c.conn.index,
            frame: c.seg.frame,
            frame_len: c.seg.frame_len,
            src,
            dst,
            time: c.seg.time.as_secs_f64(),
            from: c.from,
            to: c.to,
            flags: c.seg.flags,
            seq: c.seg.seq,
            ack: c.seg.ack,
            len: c.seg.len,
            window: c.seg.window,
            options: c.seg.options.clone(),
            sack_base: 0,
            messages: Vec::new(),
            columns: Default::default(),
            analysis: c.seg.analysis.to_vec(),
            fold: None,
            decrypted: Vec::new(),
            annotations: Vec::new(),
            highlighted: None,
        }
    }

    /// The bound that keeps a whole-stream diagram small: a download of 100 000 segments makes one `Event`,
    /// not one per segment.
    #[test]
    fn a_long_transfer_is_one_arrow_made_once() {
        let conn = Connection::new(0, "127.0.0.1:40000".parse().unwrap(), "127.0.0.1:80".parse().unwrap());
        let segments: Vec<Segment> = (1..=100_000)
            .map(|f| if f % 2 == 0 { segment(f, ClientToServer, 0) } else { segment(f, ServerToClient, 1448) })
            .collect();
        let candidates: Vec<Candidate> = segments
            .iter()
            .map(|seg| {
                let (from, to) = if seg.dir == ClientToServer { (0, 1) } else { (1, 0) };
                Candidate { conn: &conn, seg, from, to }
            })
            .collect();
        let mut made = 0;
        let arrows = fold_transfers(
            &candidates,
            4,
            |_| false,
            |_| false,
            |c| {
                made += 1;
                event_of(c)
            },
        );
        assert_eq!((arrows.len(), made), (1, 1));
        let fold = arrows[0].fold.as_ref().expect("folded");
        assert_eq!((fold.segments, fold.acks, fold.bytes, fold.last_frame), (50_000, 50_000, 50_000 * 1448, 100_000));
    }
}
