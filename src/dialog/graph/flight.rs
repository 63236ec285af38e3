//! Wireshark's list of unacknowledged segments, replayed over one connection's segments: the RTT of each ACK
//! (`tcp.analysis.ack_rtt`, `tcp.analysis.acks_frame`) and the bytes in flight after each data segment
//! (`tcp.analysis.bytes_in_flight`), plus a SACK scoreboard's figure of what is really still in the network.
//!
//! Wireshark keeps, per direction, the segments that carry data (or SYN/FIN) until an ACK covers them. An ACK
//! equal to the end of a listed segment is an RTT sample, measured from the oldest such segment (a resend of
//! a captured original is measured from the original). Bytes in flight are the span of the list, less the
//! bytes the peer's latest ACK selectively acknowledged (its first three SACK blocks), and are not known
//! after a segment that left a hole until the peer's next ACK. These rules are Wireshark 4.0's, checked frame
//! by frame against tshark on real captures (`tests/graph_tshark.rs`).

use crate::tcp::{AnalysisFlag, Segment};

/// Wireshark stops listing segments past this many unacknowledged ones (`TCP_MAX_UNACKED_SEGMENTS`).
const MAX_UNACKED: usize = 10_000;
/// Wireshark remembers at most this many SACK blocks of an ACK for bytes in flight.
const SACK_BLOCKS_KEPT: usize = 3;

/// What the replay says about one segment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlightFacts {
    /// For an ACK: (seconds since the acknowledged segment, its frame, whether that range was ever resent).
    pub ack_rtt: Option<(f64, u64, bool)>,
    /// For a data segment: Wireshark's bytes in flight.
    pub bytes_in_flight: Option<u32>,
    /// For a data segment: unacknowledged bytes less every byte a SACK block still covers.
    pub sack_aware: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Unacked {
    seq: u32,
    next: u32,
    frame: u64,
    time: f64,
    resent: bool,
}

/// One direction's state.
#[derive(Debug, Default)]
struct Flow {
    /// Oldest first (Wireshark's list is newest first; it walks it whole, so only the order of matches counts).
    unacked: Vec<Unacked>,
    /// The blocks of this side's latest segment, relative to the peer's sequence numbers.
    sack: Vec<(u32, u32)>,
    /// Every SACKed range above the cumulative ACK this side has reported, merged.
    scoreboard: Vec<(u32, u32)>,
    /// Highest cumulative ACK this side sent.
    acked: Option<u32>,
    /// Highest sequence number this side sent.
    highest: Option<u32>,
    bif_valid: bool,
}

/// The facts of every segment, in the order given (one connection's segments, in frame order).
pub fn replay(segments: &[Segment]) -> Vec<FlightFacts> {
    let mut flows = [Flow { bif_valid: true, ..Flow::default() }, Flow { bif_valid: true, ..Flow::default() }];
    segments.iter().map(|seg| step(&mut flows, seg)).collect()
}

fn step(flows: &mut [Flow; 2], seg: &Segment) -> FlightFacts {
    let (fwd, rev) = (seg.dir.index(), seg.dir.reverse().index());
    let mut facts = FlightFacts::default();
    if seg.flags.ack() {
        flows[rev].bif_valid = true;
    }
    if seg.analysis.contains(&AnalysisFlag::LostSegment) {
        flows[fwd].bif_valid = false;
    }
    let syn_fin = seg.flags.syn() || seg.flags.fin();
    if (seg.len > 0 || syn_fin) && flows[fwd].unacked.len() < MAX_UNACKED {
        let next = seg.seq.wrapping_add(seg.len).wrapping_add(u32::from(syn_fin));
        let resent = is_resend(&seg.analysis);
        flows[fwd].unacked.push(Unacked { seq: seg.seq, next, frame: seg.frame, time: secs(seg), resent });
        let end = seg.seq.wrapping_add(seg.len);
        if flows[fwd].highest.is_none_or(|h| seq_gt(end, h)) {
            flows[fwd].highest = Some(end);
        }
    }
    if seg.flags.ack() {
        facts.ack_rtt = acknowledge(&mut flows[rev].unacked, seg.ack, secs(seg));
    }
    if seg.len > 0 {
        if flows[fwd].bif_valid {
            facts.bytes_in_flight = wireshark_in_flight(&flows[fwd], &flows[rev], syn_fin);
        }
        facts.sack_aware = scoreboard_in_flight(&flows[fwd], &flows[rev]);
    }
    // The SACK option is read after the analysis of its own segment, as Wireshark dissects it.
    let flow = &mut flows[fwd];
    let base = seg.sack_base();
    flow.sack = seg.options.sack_blocks.iter().map(|&(l, r)| (l.wrapping_sub(base), r.wrapping_sub(base))).collect();
    if seg.flags.ack() {
        if flow.acked.is_none_or(|a| seq_gt(seg.ack, a)) {
            flow.acked = Some(seg.ack);
        }
        let acked = flow.acked.unwrap_or(seg.ack);
        let blocks = flow.sack.clone();
        merge_scoreboard(&mut flow.scoreboard, &blocks, acked);
    }
    facts
}

fn secs(seg: &Segment) -> f64 {
    seg.time.as_secs_f64()
}

fn is_resend(flags: &[AnalysisFlag]) -> bool {
    flags.iter().any(|f| {
        matches!(
            f,
            AnalysisFlag::Retransmission | AnalysisFlag::FastRetransmission | AnalysisFlag::SpuriousRetransmission
        )
    })
}

/// Wireshark's walk of the peer's unacknowledged list for one ACK: segments it covers are dropped, a segment
/// it covers in part is trimmed, and an ACK equal to a segment's end is a sample from the oldest such segment.
fn acknowledge(list: &mut Vec<Unacked>, ack: u32, now: f64) -> Option<(f64, u64, bool)> {
    let mut sample: Option<(f64, u64, bool)> = None;
    let mut resent = false;
    // Oldest first, the first match is the one Wireshark's newest-first walk keeps (it overwrites).
    for u in list.iter() {
        if u.next == ack {
            resent |= u.resent;
            if sample.is_none() {
                sample = Some((now - u.time, u.frame, false));
            }
        }
    }
    list.retain_mut(|u| {
        if u.next == ack || !seq_gt(u.next, ack) {
            return false;
        }
        if seq_gt(ack, u.seq) {
            u.seq = ack;
        }
        true
    });
    sample.map(|(rtt, frame, _)| (rtt, frame, resent))
}

/// Span of the unacknowledged list, less the peer's latest SACK blocks (Wireshark's default method).
fn wireshark_in_flight(fwd: &Flow, rev: &Flow, syn_fin: bool) -> Option<u32> {
    let first = fwd.unacked.iter().map(|u| u.seq).reduce(|a, b| if seq_lt(b, a) { b } else { a })?;
    let last = fwd.unacked.iter().map(|u| u.next).reduce(|a, b| if seq_gt(b, a) { b } else { a })?;
    let delivered: u32 =
        rev.sack.iter().take(SACK_BLOCKS_KEPT).fold(0u32, |sum, (l, r)| sum.wrapping_add(r.wrapping_sub(*l)));
    let in_flight = last.wrapping_sub(first).wrapping_sub(delivered);
    (in_flight > 0 && in_flight < 2_000_000_000).then(|| in_flight - u32::from(syn_fin))
}

/// Bytes sent and not yet acknowledged, cumulatively or selectively: the highest byte sent less the peer's
/// cumulative ACK, less every SACKed range it has reported above that ACK (RFC 6675's scoreboard, without
/// guessing which holes are lost).
fn scoreboard_in_flight(fwd: &Flow, rev: &Flow) -> Option<u32> {
    let highest = fwd.highest?;
    let acked = rev.acked.unwrap_or(0);
    if !seq_gt(highest, acked) {
        return Some(0);
    }
    let sacked: u32 = rev
        .scoreboard
        .iter()
        .map(|&(l, r)| {
            let l = if seq_lt(l, acked) { acked } else { l };
            let r = if seq_gt(r, highest) { highest } else { r };
            if seq_gt(r, l) { r.wrapping_sub(l) } else { 0 }
        })
        .sum();
    Some(highest.wrapping_sub(acked).saturating_sub(sacked))
}

/// Adds `blocks` to `board`, keeping it sorted, merged, and above the cumulative ACK.
fn merge_scoreboard(board: &mut Vec<(u32, u32)>, blocks: &[(u32, u32)], acked: u32) {
    board.extend(blocks.iter().copied().filter(|(l, r)| seq_gt(*r, *l)));
    board.retain(|(_, r)| seq_gt(*r, acked));
    // Sorted by distance above the ACK, so wrapping sequence numbers sort too.
    board.sort_by_key(|(l, _)| l.wrapping_sub(acked));
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(board.len());
    for &(l, r) in board.iter() {
        match merged.last_mut() {
            Some(last) if !seq_gt(l, last.1) => {
                if seq_gt(r, last.1) {
                    last.1 = r;
                }
            }
            _ => merged.push((l, r)),
        }
    }
    *board = merged;
}

pub(super) fn seq_gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

pub(super) fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoreboard_merges_blocks_and_forgets_what_is_acked() {
        let mut board = Vec::new();
        merge_scoreboard(&mut board, &[(300, 400), (100, 200)], 50);
        merge_scoreboard(&mut board, &[(150, 320)], 50);
        assert_eq!(board, [(100, 400)]);
        merge_scoreboard(&mut board, &[], 450);
        assert!(board.is_empty());
    }

    #[test]
    fn an_ack_trims_partly_covered_segments_and_samples_exact_ends() {
        let u = |seq, next, frame| Unacked { seq, next, frame, time: 0.5, resent: frame == 3 };
        let mut list = vec![u(0, 100, 1), u(100, 200, 2), u(100, 200, 3)];
        assert_eq!(acknowledge(&mut list, 150, 1.0), None);
        assert_eq!(list[0].seq, 150);
        assert_eq!(acknowledge(&mut list, 200, 2.0), Some((1.5, 2, true)));
        assert!(list.is_empty());
    }
}
