//! Series computed over time: throughput and goodput with a moving average, and the zero-window periods.

use super::{FlightFacts, Graph, ZeroWindowPeriod};
use crate::tcp::{AnalysisFlag, Direction, Segment};

/// Throughput and goodput are evaluated at this many evenly spaced times, whatever the size of the transfer.
const POINTS: usize = 240;

/// Throughput (every payload byte the sender sent, resends included) and goodput (new bytes the receiver
/// acknowledged), in bits per second, averaged over the `window` seconds before each point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Throughput {
    pub window: f64,
    /// (time, throughput, goodput).
    pub points: Vec<(f64, f64, f64)>,
}

/// A moving-average window that reads well: a twentieth of the duration, rounded to the nearest 1, 2 or 5
/// times a power of ten (20 ms for a 0.36 s download, 200 ms for 3.9 s), never under a millisecond.
pub fn average_window(duration: f64) -> f64 {
    let raw = (duration / 20.0).max(0.001);
    let power = 10f64.powf(raw.log10().floor());
    let distance = |m: f64| (m * power / raw).ln().abs();
    let nearest = [1.0, 2.0, 5.0, 10.0].into_iter().min_by(|a, b| distance(*a).total_cmp(&distance(*b)));
    nearest.unwrap_or(1.0) * power
}

pub fn throughput(graph: &Graph) -> Throughput {
    let window = average_window(graph.duration());
    let sent: Vec<(f64, f64)> = graph.data.iter().map(|d| (d.time, f64::from(d.len))).collect();
    // Goodput counts each byte once, when the cumulative ACK first passes it.
    let mut acked: Vec<(f64, f64)> = Vec::with_capacity(graph.acks.len());
    let mut highest: Option<u32> = None;
    for ack in &graph.acks {
        let advance =
            highest.map_or(0, |h| if super::flight::seq_gt(ack.ack, h) { ack.ack.wrapping_sub(h) } else { 0 });
        if highest.is_none_or(|h| super::flight::seq_gt(ack.ack, h)) {
            highest = Some(ack.ack);
        }
        acked.push((ack.time, f64::from(advance)));
    }
    let (sent, acked) = (Prefix::new(&sent), Prefix::new(&acked));
    let step = graph.duration() / POINTS as f64;
    let points = (1..=POINTS)
        .map(|i| {
            let t = graph.start + step * i as f64;
            // A trailing average over the whole window, even near the start: a shorter one there would make
            // the first few segments look like a burst.
            let rate = |p: &Prefix| p.sum(t - window, t) * 8.0 / window;
            (t, rate(&sent), rate(&acked))
        })
        .collect();
    Throughput { window, points }
}

/// Cumulative sums over (time, value) pairs in time order, for sums over any interval in O(log n).
struct Prefix {
    times: Vec<f64>,
    sums: Vec<f64>,
}

impl Prefix {
    fn new(values: &[(f64, f64)]) -> Prefix {
        let mut sums = Vec::with_capacity(values.len() + 1);
        sums.push(0.0);
        let mut total = 0.0;
        for (_, v) in values {
            total += v;
            sums.push(total);
        }
        Prefix { times: values.iter().map(|(t, _)| *t).collect(), sums }
    }

    /// Sum of the values with time in (from, to].
    fn sum(&self, from: f64, to: f64) -> f64 {
        let after = |x: f64| self.times.partition_point(|&t| t <= x);
        self.sums[after(to)] - self.sums[after(from)]
    }
}

/// Periods from each zero window the receiver advertised to its next segment with an open window.
pub fn zero_windows(segments: &[(&Segment, &FlightFacts)], sender: Direction, end: f64) -> Vec<ZeroWindowPeriod> {
    let mut periods = Vec::new();
    let mut open: Option<(u64, f64)> = None;
    for (seg, _) in segments.iter().filter(|(s, _)| s.dir != sender) {
        let time = seg.time.as_secs_f64();
        if seg.analysis.contains(&AnalysisFlag::ZeroWindow) {
            open.get_or_insert((seg.frame, time));
        } else if seg.window > 0
            && !seg.flags.rst()
            && let Some((frame, start)) = open.take()
        {
            periods.push(ZeroWindowPeriod { frame, start, end: time, end_frame: Some(seg.frame) });
        }
    }
    if let Some((frame, start)) = open {
        periods.push(ZeroWindowPeriod { frame, start, end, end_frame: None });
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_windows_are_round() {
        let close = |duration: f64, window: f64| (average_window(duration) - window).abs() < 1e-12;
        assert!(close(0.3636, 0.02), "{}", average_window(0.3636));
        assert!(close(3.92, 0.2), "{}", average_window(3.92));
        assert!(close(0.0, 0.001), "{}", average_window(0.0));
        assert!(close(60.0, 2.0), "{}", average_window(60.0));
    }

    #[test]
    fn prefix_sums_count_the_half_open_interval() {
        let p = Prefix::new(&[(1.0, 10.0), (2.0, 20.0), (3.0, 30.0)]);
        assert_eq!(p.sum(1.0, 3.0), 50.0);
        assert_eq!(p.sum(0.0, 1.0), 10.0);
        assert_eq!(p.sum(3.0, 9.0), 0.0);
    }
}
