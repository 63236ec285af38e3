//! The ladder as plain text, in the spirit of `tshark -z flow,tcp,standard` but with application labels:
//! one line per arrow with the frame, the time, the arrow between lifelines and the TCP details at the right.
//!
//! ```text
//!  No.  Time        Client            Server
//!    4  0.000159      |--GET / HTTP/1.1-->|  [PSH, ACK] Seq=1 Ack=1 Len=136
//! ```

use super::arrows::{self, Mark};
use super::format::{one_line, pause, thousands, time_column, truncate};
use super::ladder::IDLE_SECONDS;
use super::{DiagramOptions, Labels};
use crate::dialog::{Dialog, Event, PhaseKind};

/// Narrowest and widest distance between two lifelines, in characters.
const MIN_GAP: usize = 24;
const MAX_GAP: usize = 56;
/// Phases named before one arrow at most (a segment of pipelined requests starts thousands); the rest are
/// counted.
const PHASE_LINES: usize = 16;

pub fn ladder(dialog: &Dialog, options: &DiagramOptions) -> String {
    let shown = arrows::shown(dialog);
    let events: Vec<(usize, &Event)> =
        shown.events.iter().filter_map(|&i| dialog.events.get(i).map(|e| (i, e))).collect();
    let frame_width = events.iter().map(|(_, e)| e.frame.to_string().len()).max().unwrap_or(0).max(3);
    let time_width = events.iter().map(|(_, e)| time_column(e.time, options.time_unit).len()).max().unwrap_or(0).max(4);
    let widest_label = events
        .iter()
        .flat_map(|(_, e)| std::iter::once(inside(e)).chain(e.messages.iter().skip(1).cloned()))
        .map(|label| label.chars().count())
        .max()
        .unwrap_or(0);
    let gap = (widest_label + 8).clamp(MIN_GAP, MAX_GAP);
    let first_lifeline = frame_width + 2 + time_width + 4;
    let lifelines: Vec<usize> = (0..dialog.participants.len()).map(|i| first_lifeline + i * gap).collect();
    let grid = Grid { lifelines, frame_width, time_width };

    let mut out = vec![dialog.title.clone(), String::new()];
    let mut names = String::new();
    let mut addresses = String::new();
    for (participant, &column) in dialog.participants.iter().zip(&grid.lifelines) {
        place_centred(&mut names, &participant.name, column);
        place_centred(&mut addresses, &participant.address, column);
    }
    out.push(names);
    out.push(addresses);
    let mut columns: Vec<char> = grid.blank('|').chars().collect();
    let headers = format!("{:>frame_width$}  {:>time_width$}", "No.", "Time");
    for (cell, c) in columns.iter_mut().zip(headers.chars()) {
        *cell = c;
    }
    out.push(columns.into_iter().collect());

    let several = dialog.connections.len() > 1;
    for (pos, &(index, event)) in events.iter().enumerate() {
        if shown.omitted.as_ref().is_some_and(|o| o.at == pos) {
            let note = shown.omitted.as_ref().map(|o| o.note()).unwrap_or_default();
            out.push(format!("{}   {note}", grid.blank(':')));
        } else if let Some(&(_, previous)) = pos.checked_sub(1).and_then(|p| events.get(p)) {
            let silence = event.time - previous.time - previous.fold.as_ref().map_or(0.0, |f| f.duration);
            let named = dialog.phases.iter().any(|p| p.kind == PhaseKind::Idle && p.last == index);
            if silence >= IDLE_SECONDS && !named {
                out.push(format!("{}   {} without a packet", grid.blank(':'), pause(silence)));
            }
        }
        let starting: Vec<_> = dialog.phases.iter().filter(|p| starts_at(p.kind, p.first, p.last, index)).collect();
        for phase in starting.iter().take(PHASE_LINES) {
            let conn = if several { format!("#{} ", phase.conn) } else { String::new() };
            let lifeline = if phase.kind == PhaseKind::Idle { ':' } else { '|' };
            out.push(format!("{}   » {conn}{}", grid.blank(lifeline), phase.label));
        }
        let more: u64 = starting.iter().skip(PHASE_LINES).map(|p| 1 + p.more).sum();
        if more > 0 {
            out.push(format!("{}   » and {} more", grid.blank('|'), thousands(more)));
        }
        out.push(grid.arrow(event, options));
        if event.fold.is_none() {
            out.extend(event.messages.iter().skip(1).map(|message| grid.continuation(event, message)));
        }
    }
    out.push(grid.blank('|'));
    let mut text: String = out.iter().map(|line| format!("{}\n", one_line(line.trim_end()))).collect();
    if let Some(omitted) = &shown.omitted {
        text.push_str(&format!("\n{}\n", omitted.note()));
    }
    let decrypted = events.iter().any(|(_, e)| e.any_decrypted());
    for note in arrows::notes(dialog, decrypted) {
        text.push_str(&format!("\n{}", one_line(&note)));
    }
    if decrypted || !dialog.notes.is_empty() {
        text.push('\n');
    }
    text
}

/// Phases are announced before their first arrow; an idle phase before the arrow that ends the silence.
fn starts_at(kind: PhaseKind, first: usize, last: usize, index: usize) -> bool {
    if kind == PhaseKind::Idle { last == index } else { first == index }
}

/// What the arrow itself carries: the (first) message, the fold summary, or the flags. Further messages of the
/// segment go on lines of their own below the arrow.
fn inside(event: &Event) -> String {
    if event.fold.is_some() && arrows::duplicate_acks(event).is_none() {
        // A fold reads as the ladder's: one text for every format.
        arrows::arrow_text(event, Labels::Seq).main
    } else if let Some(first) = event.messages.first() {
        first.clone()
    } else {
        event.flags.bracketed()
    }
}

struct Grid {
    lifelines: Vec<usize>,
    frame_width: usize,
    time_width: usize,
}

impl Grid {
    /// A line holding only the lifelines, drawn with `mark`.
    fn blank(&self, mark: char) -> String {
        let mut line: Vec<char> = vec![' '; self.lifelines.last().map_or(0, |l| l + 1)];
        for &column in &self.lifelines {
            if let Some(cell) = line.get_mut(column) {
                *cell = mark;
            }
        }
        line.into_iter().collect()
    }

    /// A further message of `event`'s segment, written between the lifelines under its arrow.
    fn continuation(&self, event: &Event, message: &str) -> String {
        let mut line: Vec<char> = self.blank('|').chars().collect();
        let (Some(&from), Some(&to)) = (self.lifelines.get(event.from), self.lifelines.get(event.to)) else {
            return line.into_iter().collect();
        };
        let (left, right) = (from.min(to), from.max(to));
        let span = (right - left).saturating_sub(1);
        for (i, c) in truncate(message, span.saturating_sub(6)).chars().enumerate() {
            if let Some(cell) = line.get_mut(left + 3 + i) {
                *cell = c;
            }
        }
        line.into_iter().collect()
    }

    fn arrow(&self, event: &Event, options: &DiagramOptions) -> String {
        let mut line: Vec<char> = self.blank('|').chars().collect();
        let prefix = format!(
            "{:>fw$}  {:>tw$}",
            event.frame,
            time_column(event.time, options.time_unit),
            fw = self.frame_width,
            tw = self.time_width
        );
        for (cell, c) in line.iter_mut().zip(prefix.chars()) {
            *cell = c;
        }
        let (Some(&from), Some(&to)) = (self.lifelines.get(event.from), self.lifelines.get(event.to)) else {
            return line.into_iter().collect();
        };
        let mark = arrows::mark(event);
        let shaft = match (arrows::is_transfer(event), mark) {
            (true, _) => '=',
            (false, Some(Mark::Retransmission)) => '.',
            _ => '-',
        };
        let (left, right) = (from.min(to), from.max(to));
        let span = (right - left).saturating_sub(1);
        let mut body: Vec<char> = vec![shaft; span];
        let label: Vec<char> = truncate(&inside(event), span.saturating_sub(6)).chars().collect();
        for (i, c) in label.iter().enumerate() {
            if let Some(cell) = body.get_mut(i + 2) {
                *cell = *c;
            }
        }
        if to > from {
            if let Some(tip) = body.last_mut() {
                *tip = '>';
            }
        } else if let Some(tip) = body.first_mut() {
            *tip = '<';
        }
        for (i, c) in body.into_iter().enumerate() {
            if let Some(cell) = line.get_mut(left + 1 + i) {
                *cell = c;
            }
        }
        let mut text: String = line.into_iter().collect();
        text.push_str("  ");
        text.push_str(&comment(event, options.labels, mark));
        text
    }
}

/// The right-hand details: marks and analysis tags, the flags when the arrow shows a message, and numbers.
fn comment(event: &Event, labels: Labels, mark: Option<Mark>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(mark) = mark {
        parts.push(mark.symbol().to_string());
    }
    if event.any_decrypted() {
        parts.push(arrows::LOCK.to_string());
    }
    if let Some((fold, first, last)) = arrows::duplicate_acks(event) {
        parts.push(format!(
            "[{}] {} segments, frames {}–{}",
            arrows::duplicate_ack_range(event, first, last),
            fold.segments,
            event.frame,
            fold.last_frame
        ));
        let numbers = arrows::numbers(event, labels);
        if !numbers.is_empty() {
            parts.push(numbers);
        }
        return parts.join(" ");
    }
    parts.extend(event.analysis.iter().map(|f| format!("[{}]", f.label())));
    if event.fold.is_some() {
        parts.push(arrows::arrow_text(event, labels).detail);
        return parts.join(" ");
    }
    if !event.messages.is_empty() {
        parts.push(event.flags.bracketed());
    }
    let numbers = arrows::numbers(event, labels);
    if !numbers.is_empty() {
        parts.push(numbers);
    }
    parts.join(" ")
}

/// Writes `text` centred on `column`, never over what the line already holds.
fn place_centred(line: &mut String, text: &str, column: usize) {
    let length = line.chars().count();
    let start = column.saturating_sub(text.chars().count() / 2).max(if length == 0 { 0 } else { length + 1 });
    line.push_str(&" ".repeat(start - length));
    line.push_str(text);
}
