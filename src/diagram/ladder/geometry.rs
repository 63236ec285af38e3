//! Where things go in a ladder: the columns (frame, time, lifelines, phases) and the rows (one per arrow,
//! plus breaks for idle gaps and omitted arrows).

use super::super::arrows::Shown;
use super::super::format::{mono_width, time_column};
use super::super::{DiagramOptions, Spacing};
use crate::dialog::Dialog;

/// The whole ladder fits blog columns of 860 px.
pub const WIDTH: f64 = 860.0;
pub const MARGIN: f64 = 12.0;
/// Width of the phase column at the right (brackets and names).
const PHASE_COLUMN: f64 = 196.0;
/// Size of the frame and time columns' text.
pub const COLUMN_TEXT: f64 = 11.0;
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
/// Under [`Spacing::Time`], a gap never takes more than this many rows; longer ones become breaks.
const MAX_GAP_ROWS: f64 = 6.0;

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
        let char_width = mono_width("0", COLUMN_TEXT);
        let frame_right = MARGIN + frame_chars as f64 * char_width;
        let time_right = frame_right + 12.0 + time_chars as f64 * char_width;
        let area_left = time_right + 10.0;
        let phase_width = if dialog.phases.is_empty() { 0.0 } else { PHASE_COLUMN };
        let area_right = WIDTH - MARGIN - phase_width;
        let count = dialog.participants.len().max(1);
        let span = area_right - area_left;
        let widest = dialog
            .participants
            .iter()
            .map(|p| mono_width(&p.name, 12.0).max(mono_width(&p.address, 10.0)))
            .fold(0.0, f64::max);
        let box_width = (widest + 16.0).clamp(72.0, 200.0).min(span / count as f64 - 8.0);
        let first = area_left + box_width / 2.0 + 4.0;
        let last = area_right - box_width / 2.0 - 4.0;
        let lifelines = if count == 1 {
            vec![(area_left + area_right) / 2.0]
        } else {
            (0..count).map(|i| first + (last - first) * i as f64 / (count - 1) as f64).collect()
        };
        Columns { frame_right, time_right, area_left, area_right, lifelines, box_width, phase_left: area_right + 8.0 }
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
            Spacing::Time => typical_gap(&events).map_or(0.0, |gap| ROW_HEIGHT / gap),
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
                    breaks.push(Break { kind: BreakKind::Idle, top: y, height: BREAK_HEIGHT, seconds: gap });
                    y += BREAK_HEIGHT;
                } else {
                    // Arrows are `ROW_HEIGHT + lift` apart at least; time only ever adds room above the row.
                    y += (proportional - ROW_HEIGHT - lift).max(0.0);
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

/// The median positive gap between consecutive arrows: under [`Spacing::Time`] it becomes one row.
fn typical_gap(events: &[&crate::dialog::Event]) -> Option<f64> {
    let mut gaps: Vec<f64> = events.windows(2).map(|w| w[1].time - w[0].time).filter(|g| *g > 0.0).collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied()
}
