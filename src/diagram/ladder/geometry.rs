//! Where things go in a ladder: the columns (frame, time, lifelines, phases) and the rows (one per arrow,
//! plus breaks for idle gaps and omitted arrows).

use super::super::arrows::Shown;
use super::super::format::{mono_width, time_column};
use super::super::{DiagramOptions, Spacing, Width};
use crate::dialog::Dialog;

pub const MARGIN: f64 = 12.0;

/// The measures a ladder is drawn with: one set per [`Width`], so a compact ladder is the same layout with
/// smaller numbers, not a second one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub width: f64,
    /// Width of the phase column at the right (brackets and names).
    phase_column: f64,
    /// Size of the frame and time columns' text.
    pub column_text: f64,
    /// Sizes of a participant box's name and address.
    pub box_name: f64,
    pub box_address: f64,
    /// Sizes of an arrow's main label (a message, else the TCP summary) and of its detail line.
    pub message_size: f64,
    pub plain_size: f64,
    pub detail_size: f64,
    /// How far past each of its lifelines an arrow's labels may reach, in participant-box widths: a compact
    /// ladder's arrows are short, and its labels may run out to the edges of the boxes.
    pub overhang: f64,
    pub phase_label: f64,
    /// How many lines a phase's name may take: at least the first (even where its band is shorter: the names
    /// below make way), at most the second, as many as its band has room for in between.
    pub phase_lines: (usize, usize),
    pub legend_columns: usize,
}

impl Metrics {
    pub fn of(width: Width) -> Metrics {
        match width {
            // The whole ladder fits blog columns of 860 px.
            Width::Wide => Metrics {
                width: 860.0,
                phase_column: 196.0,
                column_text: 11.0,
                box_name: 12.0,
                box_address: 10.0,
                message_size: 12.0,
                plain_size: 11.0,
                detail_size: 10.0,
                overhang: 0.0,
                phase_label: 11.0,
                phase_lines: (3, 8),
                legend_columns: 2,
            },
            // A 390 px phone less the page's padding.
            Width::Compact => Metrics {
                width: 360.0,
                phase_column: 92.0,
                column_text: 9.0,
                box_name: 11.0,
                box_address: 9.0,
                message_size: 10.0,
                plain_size: 9.5,
                detail_size: 9.0,
                overhang: 0.5,
                phase_label: 10.0,
                // A phase column of 13 characters: a loss episode's values take twelve lines or so.
                phase_lines: (14, 14),
                legend_columns: 1,
            },
        }
    }
}
/// Rows start below the title, the participant boxes and the column headers.
pub const ROWS_TOP: f64 = 100.0;
/// Height of one arrow's row: the main label, the sloped arrow, the detail label.
pub const ROW_HEIGHT: f64 = 44.0;
/// The arrow starts this far below its row's top and drops by [`ARROW_DROP`] on its way.
pub const ARROW_Y: f64 = 19.0;
pub const ARROW_DROP: f64 = 8.0;
/// Each further line of a stacked main label (one per message) makes its row this much taller.
pub const STACK_LINE: f64 = 15.0;
/// A gap between two arrows at least this long is drawn as a break in the lifelines.
pub const IDLE_SECONDS: f64 = 1.0;
const BREAK_HEIGHT: f64 = 30.0;
/// Under [`Spacing::Time`], a break grows by this much each time its gap doubles.
const BREAK_STEP: f64 = 6.0;
/// Under [`Spacing::Time`], a gap never takes more than this many rows; longer ones become breaks.
const MAX_GAP_ROWS: f64 = 2.0;

/// Horizontal positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub frame_right: f64,
    pub time_right: f64,
    /// Left edge of the lifeline area (shading starts here).
    pub area_left: f64,
    pub area_right: f64,
    /// x of each participant's lifeline.
    pub lifelines: Vec<f64>,
    pub box_width: f64,
    /// Left edge of the phase column.
    pub phase_left: f64,
    pub metrics: Metrics,
}

impl Columns {
    pub fn new(dialog: &Dialog, shown: &Shown, options: &DiagramOptions) -> Columns {
        let frame_chars = shown
            .events
            .iter()
            .filter_map(|&i| dialog.events.get(i))
            .map(|e| e.frame.to_string().len())
            .max()
            .unwrap_or(0)
            .max(3);
        let time_chars = shown
            .events
            .iter()
            .filter_map(|&i| dialog.events.get(i))
            .map(|e| time_column(e.time, options.time_unit).len())
            .max()
            .unwrap_or(0)
            .max(4);
        let metrics = Metrics::of(options.width);
        let char_width = mono_width("0", metrics.column_text);
        let frame_right = MARGIN + frame_chars as f64 * char_width;
        let time_right = frame_right + 12.0 + time_chars as f64 * char_width;
        let area_left = time_right + 10.0;
        let phase_width = if dialog.phases.is_empty() { 0.0 } else { metrics.phase_column };
        let area_right = metrics.width - MARGIN - phase_width;
        let count = dialog.participants.len().max(1);
        let span = area_right - area_left;
        let widest = dialog
            .participants
            .iter()
            .map(|p| mono_width(&p.name, metrics.box_name).max(mono_width(&p.address, metrics.box_address)))
            .fold(0.0, f64::max);
        let box_width = (widest + 16.0).clamp(72.0, 200.0).min(span / count as f64 - 8.0);
        let first = area_left + box_width / 2.0 + 4.0;
        let last = area_right - box_width / 2.0 - 4.0;
        let lifelines = if count == 1 {
            vec![(area_left + area_right) / 2.0]
        } else {
            (0..count).map(|i| first + (last - first) * i as f64 / (count - 1) as f64).collect()
        };
        let phase_left = area_right + 8.0;
        Columns { frame_right, time_right, area_left, area_right, lifelines, box_width, phase_left, metrics }
    }
}

/// Why the lifelines break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    Idle,
    Omitted,
}

/// A stretch of the ladder without arrows.
#[derive(Debug, Clone, PartialEq)]
pub struct Break {
    pub kind: BreakKind,
    pub top: f64,
    pub height: f64,
    /// The seconds of silence (idle breaks).
    pub seconds: f64,
}

/// How much taller than [`ROW_HEIGHT`] a row with `lines` main-label lines is (its arrow moves down by as much).
pub fn lift(lines: usize) -> f64 {
    lines.saturating_sub(1) as f64 * STACK_LINE
}

/// Vertical positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Top of each shown arrow's row, in the order of [`Shown::events`].
    pub tops: Vec<f64>,
    /// Height of each row: [`ROW_HEIGHT`] plus the [`lift`] of its stacked label.
    pub heights: Vec<f64>,
    pub breaks: Vec<Break>,
    /// Bottom of the last row.
    pub bottom: f64,
}

impl Rows {
    /// `lifts` holds each shown row's [`lift`], in the order of [`Shown::events`].
    pub fn new(dialog: &Dialog, shown: &Shown, spacing: Spacing, lifts: &[f64]) -> Rows {
        let events: Vec<_> = shown.events.iter().filter_map(|&i| dialog.events.get(i)).collect();
        let end_time = |e: &crate::dialog::Event| e.time + e.fold.as_ref().map_or(0.0, |f| f.duration);
        let pixels_per_second = match spacing {
            Spacing::Even => 0.0,
            // The typical gap adds half a row: every row keeps its own height, time adds the room between them.
            Spacing::Time => typical_gap(&events).map_or(0.0, |gap| ROW_HEIGHT / 2.0 / gap),
        };
        let mut tops = Vec::with_capacity(events.len());
        let mut heights = Vec::with_capacity(events.len());
        let mut breaks = Vec::new();
        let mut y = ROWS_TOP;
        for (pos, event) in events.iter().enumerate() {
            let lift = lifts.get(pos).copied().unwrap_or(0.0);
            if shown.omitted.as_ref().is_some_and(|o| o.at == pos) {
                breaks.push(Break { kind: BreakKind::Omitted, top: y, height: BREAK_HEIGHT + 8.0, seconds: 0.0 });
                y += BREAK_HEIGHT + 8.0;
            } else if let Some(previous) = pos.checked_sub(1).and_then(|p| events.get(p)) {
                let gap = (event.time - end_time(previous)).max(0.0);
                let proportional = gap * pixels_per_second;
                if gap >= IDLE_SECONDS || proportional > MAX_GAP_ROWS * ROW_HEIGHT {
                    let height = break_height(spacing, proportional);
                    breaks.push(Break { kind: BreakKind::Idle, top: y, height, seconds: gap });
                    y += height;
                } else {
                    // Under `Spacing::Time` the room between two rows is proportional to the time between them.
                    y += proportional;
                }
            }
            tops.push(y);
            heights.push(ROW_HEIGHT + lift);
            y += ROW_HEIGHT + lift;
        }
        Rows { tops, heights, breaks, bottom: y }
    }

    /// The vertical extent of the rows of events `first..=last` (indices into the dialog), clamped to what is
    /// shown; `None` when nothing of it is shown.
    pub fn span(&self, shown: &Shown, first: usize, last: usize) -> Option<(f64, f64)> {
        let start = shown.events.partition_point(|&i| i < first);
        let end = shown.events.partition_point(|&i| i <= last);
        if start >= end {
            return None;
        }
        let top = *self.tops.get(start)?;
        let bottom = *self.tops.get(end - 1)? + *self.heights.get(end - 1)?;
        Some((top, bottom))
    }
}

/// How tall a break is: fixed under [`Spacing::Even`]; under [`Spacing::Time`] at least as tall as the
/// longest gap drawn at scale, growing by [`BREAK_STEP`] each time the gap doubles past that, so longer
/// silences stay longer, in the same order, without drawing them at scale.
fn break_height(spacing: Spacing, proportional: f64) -> f64 {
    let cap = MAX_GAP_ROWS * ROW_HEIGHT;
    match spacing {
        Spacing::Even => BREAK_HEIGHT,
        Spacing::Time => cap.max(BREAK_HEIGHT) + BREAK_STEP * (proportional / cap).max(1.0).log2(),
    }
}

/// The median positive gap between consecutive arrows: under [`Spacing::Time`] it becomes one row.
fn typical_gap(events: &[&crate::dialog::Event]) -> Option<f64> {
    let mut gaps: Vec<f64> = events.windows(2).map(|w| w[1].time - w[0].time).filter(|g| *g > 0.0).collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use crate::diagram::arrows;
    use crate::dialog::{DialogOptions, Selection, build};
    use std::path::Path;

    #[test]
    fn under_time_spacing_the_room_between_rows_is_ordered_as_the_gaps_are() {
        // http-keepalive.pcap: gaps from microseconds to the server's 2 s idle close, as tshark's
        // frame.time_relative gives them; one arrow per frame (nothing folds).
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let tsv = std::fs::read_to_string(root.join("captures/http-keepalive.pcap.tshark.tsv")).unwrap();
        let times: Vec<f64> = tsv.lines().skip(1).map(|l| l.split('\t').nth(1).unwrap().parse().unwrap()).collect();
        let analysis = analyze_file(&root.join("captures/http-keepalive.pcap"), &Default::default()).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        let shown = arrows::shown(&dialog);
        assert_eq!(shown.events.len(), times.len());
        let lifts: Vec<f64> = (0..times.len()).map(|i| lift(1 + i % 3)).collect();
        let rows = Rows::new(&dialog, &shown, Spacing::Time, &lifts);
        let mut gaps: Vec<(f64, f64)> = (1..times.len())
            .map(|i| (times[i] - times[i - 1], rows.tops[i] - rows.tops[i - 1] - rows.heights[i - 1]))
            .collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in gaps.windows(2) {
            assert!(pair[1].1 >= pair[0].1, "a longer gap is drawn shorter: {pair:?}");
        }
        let (shortest, longest) = (gaps[0], gaps[gaps.len() - 1]);
        assert!(longest.1 > shortest.1 + 2.0 * ROW_HEIGHT, "{gaps:?}");
        assert!(rows.breaks.iter().any(|b| b.kind == BreakKind::Idle && b.seconds > 1.9), "the 2 s gap is a break");
    }
}
