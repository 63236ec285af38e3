//! Wireshark's per-segment TCP analysis: relative numbers, window scaling and the `tcp.analysis.*` flags.
//!
//! This follows the algorithm of Wireshark's TCP dissector (`tcp_analyze_sequence_number` in
//! `epan/dissectors/packet-tcp.c`, as tshark 4.0 runs it), re-implemented from its description: each direction
//! (a "flow") remembers the highest sequence number sent, the last ACK and window it sent, and what the last
//! segment was flagged with; each new segment is compared with that state in a fixed order of checks. The order
//! matters: a zero-window probe ends the checks, a keep-alive is never a retransmission, a spurious
//! retransmission is recognised before the other kinds, and so on.
//!
//! Like Wireshark, the analysis works on absolute sequence numbers and treats 0 as "not seen yet" for the
//! next-expected sequence number, the last ACK and the highest ACK-able number, so that it agrees with tshark
//! even in the odd cases where that shortcut matters.

use super::AnalysisFlag;
use crate::capture::{TcpFlags, TcpPacket};
use std::time::Duration;

/// Wireshark's out-of-order threshold when no handshake RTT is known.
const DEFAULT_OUT_OF_ORDER_THRESHOLD: Duration = Duration::from_millis(3);
/// A retransmission this soon after the peer's duplicate ACKs is a fast retransmission.
const FAST_RETRANSMISSION_WINDOW: Duration = Duration::from_millis(20);
/// RFC 7323 caps the window shift at 14.
const MAX_WINDOW_SHIFT: u8 = 14;

/// What is known about a direction's window scaling (Wireshark's `win_scale`: -1, -2 or the shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowScaling {
    /// No SYN seen that says (Wireshark's "unknown", -1): windows are shown unscaled.
    #[default]
    Unknown,
    /// The handshake shows scaling is not in use (Wireshark's -2).
    Disabled,
    /// This direction's windows are shifted left by this many bits.
    Shift(u8),
}

impl WindowScaling {
    /// The shift applied to a window this side advertises (0 unless scaling is known to be on).
    pub fn shift(self) -> u8 {
        match self {
            WindowScaling::Shift(shift) => shift,
            WindowScaling::Unknown | WindowScaling::Disabled => 0,
        }
    }
}

/// A small set of analysis flags, kept per flow to remember what the last segment was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FlagSet(u16);

impl FlagSet {
    const KEEP_ALIVE: u16 = 1;
    const ZERO_WINDOW_PROBE: u16 = 2;

    fn of(flags: &[AnalysisFlag]) -> FlagSet {
        let mut set = 0;
        for flag in flags {
            match flag {
                AnalysisFlag::KeepAlive => set |= Self::KEEP_ALIVE,
                AnalysisFlag::ZeroWindowProbe => set |= Self::ZERO_WINDOW_PROBE,
                _ => {}
            }
        }
        FlagSet(set)
    }
    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}

/// The analysis state of one direction (Wireshark's `tcp_flow_t` with its sequence-analysis part).
#[derive(Debug, Clone)]
pub struct FlowState {
    /// Sequence number that relative numbers count from (the ISN, or one before the first seen).
    pub base_seq: Option<u32>,
    pub scaling: WindowScaling,
    /// Last raw (unscaled) window advertised; starts at the maximum so the first segment is no window update.
    window: u32,
    /// No segment with ACK and without SYN sent since the last SYN: the last window is a SYN's, never scaled.
    only_syn_windows: bool,
    /// Highest sequence number sent plus its length (0: nothing seen yet), and when it was set.
    next_seq: u32,
    next_seq_time: Stamp,
    /// Highest contiguous sequence number the peer may acknowledge (0: nothing seen yet).
    max_seq_to_be_acked: u32,
    /// Last acknowledgement number sent, and when.
    last_ack: u32,
    last_ack_time: Stamp,
    last_flags: FlagSet,
    /// Duplicate ACKs this side sent in a row (0 after an ACK that moved).
    dup_acks: u32,
    /// Frame where this side's acknowledgement number last changed: the ACK its duplicates repeat
    /// (Wireshark's `lastnondupack`).
    last_non_dup_ack_frame: u64,
    /// The peer's "ACKed unseen segment" was reported while this side's ACK stood still (Wireshark's
    /// `dupacknum == -1`): not reported again until this side's ACK moves or repeats. `dup_acks` is then 0.
    acked_unseen_reported: bool,
}

impl Default for FlowState {
    fn default() -> Self {
        FlowState {
            base_seq: None,
            scaling: WindowScaling::Unknown,
            window: u32::MAX,
            only_syn_windows: true,
            next_seq: 0,
            next_seq_time: Stamp::default(),
            max_seq_to_be_acked: 0,
            last_ack: 0,
            last_ack_time: Stamp::default(),
            last_flags: FlagSet::default(),
            dup_acks: 0,
            last_non_dup_ack_frame: 0,
            acked_unseen_reported: false,
        }
    }
}

/// A capture time in nanoseconds, half the size of a `Duration`: every open connection holds four (a capture of
/// 300 000 unanswered SYNs holds them all at once). Exact for pcap and pcapng times until the year 2554.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stamp(u64);

impl Stamp {
    fn of(time: Duration) -> Self {
        Stamp(u64::try_from(time.as_nanos()).unwrap_or(u64::MAX))
    }
    fn time(self) -> Duration {
        Duration::from_nanos(self.0)
    }
}

/// Analysis state of a connection: both flows, plus the handshake timing Wireshark derives its thresholds from.
#[derive(Debug, Clone, Default)]
pub struct SequenceAnalysis {
    /// Indexed by [`super::Direction::index`].
    pub flows: [FlowState; 2],
    /// Time of the most recent SYN without ACK (Wireshark's `ts_mru_syn`).
    last_syn_time: Option<Duration>,
}

/// What the analysis says about one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentAnalysis {
    pub seq: u32,
    pub ack: u32,
    pub window: u32,
    pub flags: Vec<AnalysisFlag>,
}

impl SequenceAnalysis {
    /// Analyses one segment sent on flow `dir` (0 or 1) at absolute time `now`. `initial_rtt` is the SYN to
    /// the first ACK that is not a SYN-ACK (Wireshark's `tcp.analysis.initial_rtt`), which its thresholds
    /// derive from: the connection's [`super::Connection::handshake_rtt`], kept there only (one fact, one
    /// place, 16 bytes less for each of 300 000 open connections).
    pub fn segment(
        &mut self,
        dir: usize,
        tcp: &TcpPacket,
        now: Duration,
        frame: u64,
        initial_rtt: &mut Option<Duration>,
    ) -> SegmentAnalysis {
        let (fwd_idx, rev_idx) = (dir & 1, (dir & 1) ^ 1);
        let flags = self.analyze(fwd_idx, rev_idx, tcp, now, frame, *initial_rtt);
        // After the analysis: the segment that completes the handshake is judged with the old threshold.
        self.update_initial_rtt(tcp.flags, now, initial_rtt);
        if tcp.flags.syn() {
            self.record_window_scale(fwd_idx, rev_idx, tcp);
            // Every SYN, even one repeated late in a connection, makes its window the last one again.
            self.flows[fwd_idx].only_syn_windows = true;
        } else if tcp.flags.ack() {
            self.flows[fwd_idx].only_syn_windows = false;
        }
        let [first, second] = &self.flows;
        let (fwd, rev) = if fwd_idx == 0 { (first, second) } else { (second, first) };
        let seq = tcp.seq.wrapping_sub(fwd.base_seq.unwrap_or(0));
        // tshark shows the raw field when the ACK bit is off (almost always 0).
        let ack = if tcp.flags.ack() { tcp.ack.wrapping_sub(rev.base_seq.unwrap_or(0)) } else { tcp.ack };
        // SYNs are never scaled; otherwise the shift is applied only once the handshake has told it.
        let window = if tcp.flags.syn() { u32::from(tcp.window) } else { u32::from(tcp.window) << fwd.scaling.shift() };
        SegmentAnalysis { seq, ack, window, flags }
    }

    fn update_initial_rtt(&mut self, flags: TcpFlags, now: Duration, initial_rtt: &mut Option<Duration>) {
        let syn_ack = flags.0 & (TcpFlags::SYN | TcpFlags::ACK);
        if syn_ack == TcpFlags::SYN {
            self.last_syn_time = Some(now);
        } else if syn_ack == TcpFlags::ACK && initial_rtt.is_none() {
            // Wireshark keeps a zero RTT as "unknown", so a zero delta is tried again on the next ACK.
            if let Some(syn_time) = self.last_syn_time {
                let rtt = now.saturating_sub(syn_time);
                *initial_rtt = (!rtt.is_zero()).then_some(rtt);
            }
        }
    }

    /// A SYN's window-scale option, and Wireshark's rule that scaling is off unless both SYNs carry it.
    fn record_window_scale(&mut self, fwd: usize, rev: usize, tcp: &TcpPacket) {
        if let Some(shift) = tcp.options.window_scale {
            self.flows[fwd].scaling = WindowScaling::Shift(shift.min(MAX_WINDOW_SHIFT));
        }
        if self.flows[fwd].scaling == WindowScaling::Unknown {
            // This SYN has no option: neither side scales.
            self.flows[fwd].scaling = WindowScaling::Disabled;
            self.flows[rev].scaling = WindowScaling::Disabled;
        } else if tcp.flags.ack() && self.flows[rev].scaling == WindowScaling::Disabled {
            // A SYN-ACK with the option answering a SYN without it: not used either.
            self.flows[fwd].scaling = WindowScaling::Disabled;
        }
    }

    /// The checks of `tcp_analyze_sequence_number`, in Wireshark's order.
    fn analyze(
        &mut self,
        fwd_idx: usize,
        rev_idx: usize,
        tcp: &TcpPacket,
        now: Duration,
        frame: u64,
        initial_rtt: Option<Duration>,
    ) -> Vec<AnalysisFlag> {
        let [first, second] = &mut self.flows;
        let (fwd, rev) = if fwd_idx == 0 { (first, second) } else { (second, first) };
        debug_assert_ne!(fwd_idx, rev_idx);
        let (seq, ack, seglen, window) = (tcp.seq, tcp.ack, tcp.payload_len, u32::from(tcp.window));
        let flags = tcp.flags;
        let syn_fin_rst = flags.syn() || flags.fin() || flags.rst();
        let mut out = Vec::new();

        // A SYN-ACK with another ISN than its sender's base answers a new connection on old ports (a new SYN
        // on them starts a new stream instead, see the analyzer); Wireshark flags both.
        if flags.syn() && flags.ack() && fwd.base_seq.is_some_and(|base| base != seq) {
            out.push(AnalysisFlag::PortNumbersReused);
        }
        // A SYN always (re)sets its sender's base: its sequence number is the ISN, whatever was guessed before.
        if flags.syn() {
            fwd.base_seq = Some(seq);
        } else if fwd.base_seq.is_none() {
            fwd.base_seq = Some(seq.wrapping_sub(1));
        }
        // The peer's ISN is learnt from the first ACK (normally the SYN-ACK's acknowledgement minus one).
        if rev.base_seq.is_none() && flags.ack() {
            rev.base_seq = Some(ack.wrapping_sub(1));
        }

        'forward: {
            if seglen == 1 && seq == fwd.next_seq && rev.window == 0 {
                out.push(AnalysisFlag::ZeroWindowProbe);
                break 'forward;
            }
            if window == 0 && !syn_fin_rst {
                out.push(AnalysisFlag::ZeroWindow);
            }
            if fwd.next_seq != 0 && seq_gt(seq, fwd.next_seq) && !flags.rst() {
                out.push(AnalysisFlag::LostSegment);
            }
            if seglen <= 1 && seq == fwd.next_seq.wrapping_sub(1) && !syn_fin_rst {
                out.push(AnalysisFlag::KeepAlive);
            }
            let same_position = seglen == 0 && seq == fwd.next_seq && ack == fwd.last_ack && !syn_fin_rst;
            if same_position && window != 0 && window != fwd.window {
                out.push(AnalysisFlag::WindowUpdate);
            }
            if seglen > 0 && !syn_fin_rst && rev.scaling != WindowScaling::Unknown {
                let shift = if rev.only_syn_windows { 0 } else { rev.scaling.shift() };
                let edge = rev.last_ack.wrapping_add(rev.window.wrapping_shl(u32::from(shift)));
                if seq.wrapping_add(seglen) == edge {
                    out.push(AnalysisFlag::WindowFull);
                }
            }
            if same_position && window != 0 && window == fwd.window && rev.last_flags.has(FlagSet::KEEP_ALIVE) {
                out.push(AnalysisFlag::KeepAliveAck);
                break 'forward;
            }
            if same_position && window == 0 && fwd.window == 0 && rev.last_flags.has(FlagSet::ZERO_WINDOW_PROBE) {
                out.push(AnalysisFlag::ZeroWindowProbeAck);
                break 'forward;
            }
            if same_position && window != 0 && window == fwd.window {
                // Counting again from a muted "ACKed unseen" state starts at 1 (Wireshark's -1 becomes 1).
                fwd.dup_acks += 1;
                fwd.acked_unseen_reported = false;
                out.push(AnalysisFlag::DuplicateAck { number: fwd.dup_acks, of_frame: fwd.last_non_dup_ack_frame });
            }
        }

        if ack != fwd.last_ack {
            fwd.dup_acks = 0;
            fwd.acked_unseen_reported = false;
            // The ACK a later duplicate repeats is the last one that moved (Wireshark's `lastnondupack`).
            fwd.last_non_dup_ack_frame = frame;
        }
        if rev.max_seq_to_be_acked != 0 && seq_gt(ack, rev.max_seq_to_be_acked) && flags.ack() {
            if seq_lt(rev.max_seq_to_be_acked, rev.next_seq) {
                // The peer was seen to send beyond a gap: move past it, so the gap is reported once.
                rev.max_seq_to_be_acked = rev.next_seq;
                out.push(AnalysisFlag::AckedUnseenSegment);
            } else {
                // Acked beyond anything the peer was seen to send: not reported again while the peer's ACK
                // stands still (repeated, or not moved since this was last reported).
                if rev.dup_acks == 0 && !rev.acked_unseen_reported {
                    out.push(AnalysisFlag::AckedUnseenSegment);
                }
                rev.dup_acks = 0;
                rev.acked_unseen_reported = true;
            }
        }

        if seglen > 0 || flags.syn() || flags.fin() {
            retransmission_kind(fwd, rev, tcp, now, initial_rtt, &mut out);
        }

        let is_probe = out.contains(&AnalysisFlag::ZeroWindowProbe);
        let mut next_seq = seq.wrapping_add(seglen);
        if flags.syn() || flags.fin() {
            next_seq = next_seq.wrapping_add(1);
        }
        // Zero-window probes do not advance the sequence space: the probe byte is sent again later.
        if (seq_gt(next_seq, fwd.next_seq) || fwd.next_seq == 0) && !is_probe {
            fwd.next_seq = next_seq;
            fwd.next_seq_time = Stamp::of(now);
        }
        if (seq == fwd.max_seq_to_be_acked || fwd.max_seq_to_be_acked == 0) && !is_probe {
            fwd.max_seq_to_be_acked = fwd.next_seq;
        }
        fwd.window = window;
        fwd.last_ack = ack;
        fwd.last_ack_time = Stamp::of(now);
        fwd.last_flags = FlagSet::of(&out);
        out
    }
}

/// Classifies a segment that carries data (or SYN/FIN) as a kind of retransmission, if it is one.
fn retransmission_kind(
    fwd: &FlowState,
    rev: &FlowState,
    tcp: &TcpPacket,
    now: Duration,
    initial_rtt: Option<Duration>,
    out: &mut Vec<AnalysisFlag>,
) {
    let (seq, seglen) = (tcp.seq, tcp.payload_len);
    let syn_or_fin = tcp.flags.syn() || tcp.flags.fin();
    // A keep-alive is never a retransmission.
    if out.contains(&AnalysisFlag::KeepAlive) {
        return;
    }
    let mut seq_not_advanced = fwd.next_seq != 0 && seq_lt(seq, fwd.next_seq);
    // New data starting one byte early: the byte before was a zero-window probe, not a resend.
    if seglen > 1 && fwd.next_seq.wrapping_sub(1) == seq {
        seq_not_advanced = false;
    }
    let end = seq.wrapping_add(seglen);
    // Where this segment ends in sequence space, counting a SYN or FIN as one.
    let next_seq = if syn_or_fin { end.wrapping_add(1) } else { end };
    if seglen > 0 && rev.last_ack != 0 && seq_le(end, rev.last_ack) {
        out.push(AnalysisFlag::SpuriousRetransmission);
        return;
    }
    if !seq_not_advanced {
        return;
    }
    let since_peer_ack = elapsed(now, rev.last_ack_time.time());
    // Wireshark keeps the muted "ACKed unseen" state as -1 in an unsigned counter, so it passes this test too.
    let peer_dup_acks = rev.dup_acks >= 2 || rev.acked_unseen_reported;
    if peer_dup_acks && rev.last_ack == seq && since_peer_ack.is_some_and(|t| t < FAST_RETRANSMISSION_WINDOW) {
        out.push(AnalysisFlag::FastRetransmission);
        return;
    }
    let threshold = initial_rtt.unwrap_or(DEFAULT_OUT_OF_ORDER_THRESHOLD);
    let since_highest = elapsed(now, fwd.next_seq_time.time());
    if since_highest.is_some_and(|t| t < threshold) && fwd.next_seq != next_seq {
        out.push(AnalysisFlag::OutOfOrder);
        return;
    }
    out.push(AnalysisFlag::Retransmission);
}

/// `now - then`, or `None` when the capture's clock went backwards (Wireshark's unsigned delta is then huge).
fn elapsed(now: Duration, then: Duration) -> Option<Duration> {
    now.checked_sub(then)
}

/// Sequence-space comparisons, modulo 2^32 (Wireshark's `GT_SEQ` and friends).
fn seq_gt(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}
fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn seq_le(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}
