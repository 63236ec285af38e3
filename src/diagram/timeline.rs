//! The connection timeline: one row per connection on a shared time axis, showing the handshake, each
//! request/response exchange, idle gaps, and who closed the connection and how.
//!
//! It answers the questions a ladder cannot for many connections: how many ran in parallel, which one was
//! reused for what, and how long they sat idle.

use super::format::{mono_chars, mono_width, one_line, pause, sans_chars, time_column, truncate};
use super::layout::{Anchor, Font, Item, Layout, Text};
use super::{DiagramOptions, TimeUnit, Width};
use crate::dialog::{Dialog, Event, Phase, PhaseKind};
use std::collections::BTreeMap;

const MARGIN: f64 = 12.0;
const TITLE_SIZE: f64 = 15.0;
const AXIS_Y: f64 = 56.0;
const ROWS_TOP: f64 = 66.0;
const ROW_HEIGHT: f64 = 38.0;
/// At most this many connections are drawn (in every format); the rest are counted in a note.
pub const MAX_ROWS: usize = crate::dialog::OVERVIEW_CONNECTIONS;

/// The measures a timeline is drawn with, one set per [`Width`] as for the ladder.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Metrics {
    width: f64,
    /// Room at the left for a row's `#3 :54321`.
    label_width: f64,
    /// Room at the right of the axis for "Server FIN".
    close_width: f64,
    /// About this many ticks on the axis.
    ticks: f64,
}

impl Metrics {
    fn of(width: Width) -> Metrics {
        match width {
            Width::Wide => Metrics { width: 860.0, label_width: 100.0, close_width: 104.0, ticks: 6.0 },
            // A 390 px phone less the page's padding, as the compact ladder.
            Width::Compact => Metrics { width: 360.0, label_width: 60.0, close_width: 66.0, ticks: 3.0 },
        }
    }
}

/// What one connection's row shows.
struct Row<'a> {
    conn: usize,
    events: Vec<&'a Event>,
    start: f64,
    end: f64,
    /// (kind, from, to, label)
    spans: Vec<(PhaseKind, f64, f64, String)>,
    /// Who sent the first FIN or RST, and which.
    close: Option<(String, &'static str, f64)>,
}

/// The rows of the first `limit` connections, and how many connections have a row at all.
fn rows(dialog: &Dialog, limit: usize) -> (Vec<Row<'_>>, usize) {
    // One pass over the events and one over the phases: per-connection scans would be quadratic.
    let mut by_conn: BTreeMap<usize, Vec<&Event>> = BTreeMap::new();
    for event in &dialog.events {
        by_conn.entry(event.conn).or_default().push(event);
    }
    let mut phases_of: BTreeMap<usize, Vec<&Phase>> = BTreeMap::new();
    for phase in dialog.phases.iter().filter(|p| p.kind != PhaseKind::Teardown) {
        phases_of.entry(phase.conn).or_default().push(phase);
    }
    let end_of = |e: &Event| e.time + e.fold.as_ref().map_or(0.0, |f| f.duration);
    let with_rows = dialog.connections.iter().filter(|c| by_conn.contains_key(c)).count();
    let rows = dialog
        .connections
        .iter()
        .filter_map(|&conn| {
            let events = by_conn.remove(&conn)?;
            let start = events.first()?.time;
            let end = events.iter().map(|e| end_of(e)).fold(start, f64::max);
            let spans = phases_of
                .remove(&conn)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    let (first, last) = (dialog.events.get(p.first)?, dialog.events.get(p.last)?);
                    Some((p.kind, first.time, end_of(last), p.label.clone()))
                })
                .collect();
            let close = events.iter().find(|e| e.flags.fin() || e.flags.rst()).map(|e| {
                let who = dialog.participants.get(e.from).map_or_else(|| "?".to_string(), |p| p.name.clone());
                (who, if e.flags.rst() { "RST" } else { "FIN" }, e.time)
            });
            Some(Row { conn, events, start, end, spans, close })
        })
        .take(limit)
        .collect();
    (rows, with_rows)
}

pub fn layout(dialog: &Dialog, options: &DiagramOptions) -> Layout {
    let metrics = Metrics::of(options.width);
    let (rows, with_rows) = rows(dialog, MAX_ROWS);
    let omitted = with_rows - rows.len();
    // The axis starts at the capture's first packet, as Wireshark's relative times do.
    let t0 = 0.0;
    let t1 = rows.iter().map(|r| r.end).fold(t0, f64::max).max(t0 + 1e-6);
    let (x0, x1) = (MARGIN + metrics.label_width + 8.0, metrics.width - MARGIN - metrics.close_width);
    // The axis ends at the data: ticks stop at the last one inside it.
    let step = nice_step((t1 - t0) / metrics.ticks);
    let x = |t: f64| x0 + (t - t0) / (t1 - t0) * (x1 - x0);

    let title_chars = sans_chars(metrics.width - 2.0 * MARGIN, TITLE_SIZE);
    let title = truncate(&dialog.title, title_chars.min(80));
    let mut items = vec![Item::Text(Text::new(MARGIN, 24.0, TITLE_SIZE, "fg", title).font(Font::Sans))];
    let bottom = ROWS_TOP + rows.len() as f64 * ROW_HEIGHT;
    let unit_label = match options.time_unit {
        TimeUnit::Seconds => "time",
        TimeUnit::Millis => "time (ms)",
    };
    items.push(Item::Text(Text::new(MARGIN, AXIS_Y - 4.0, 10.0, "dim", unit_label)));
    let ticks = ((t1 - t0) / step + 1e-9).floor() as usize;
    for i in 0..=ticks {
        let t = t0 + i as f64 * step;
        items.push(Item::line(x(t), AXIS_Y, x(t), bottom, "tick"));
        let label = Text::new(x(t), AXIS_Y - 4.0, 10.0, "dim", tick_label(t, step, options.time_unit));
        items.push(Item::Text(label.anchor(Anchor::Middle)));
    }
    for (i, row) in rows.iter().enumerate() {
        items.push(draw_row(row, ROWS_TOP + i as f64 * ROW_HEIGHT, &x, &metrics));
    }
    let rule_y = bottom + 8.0;
    items.push(Item::line(MARGIN, rule_y, metrics.width - MARGIN, rule_y, "rule"));
    let mut legend = Legend { items: &mut items, x: MARGIN, y: bottom + 22.0, width: metrics.width };
    for (class, meaning) in
        [("bar-hs", "handshake"), ("bar-ex", "request → response"), ("bar", "open, no request in flight")]
    {
        legend.place(meaning, |x, y| Item::rect(x, y - 8.0, 18.0, 8.0, class));
    }
    legend.place("idle ≥ 1 s", |x, y| Item::line(x, y - 4.0, x + 18.0, y - 4.0, "bar-idle"));
    // The marks of trouble are explained when some row has them, on a line of their own.
    let has = |kind: PhaseKind| rows.iter().any(|r| r.spans.iter().any(|s| s.0 == kind));
    let resent = rows.iter().any(|r| r.events.iter().copied().any(resent));
    let marks = [
        (has(PhaseKind::Loss), "bar-bad", "loss episode"),
        (has(PhaseKind::Stall), "bar-stall", "zero-window stall"),
        (resent, "x-bad", "retransmission"),
    ];
    if marks.iter().any(|m| m.0) {
        legend.new_line();
    }
    for &(_, class, meaning) in marks.iter().filter(|m| m.0) {
        legend.place(meaning, |x, y| match class {
            "x-bad" => Item::line(x + 9.0, y - 9.0, x + 9.0, y - 1.0, class),
            _ => Item::rect(x, y - 6.0, 18.0, 3.0, class),
        });
    }
    let mut y = legend.y;
    if omitted > 0 {
        y += 16.0;
        items.push(Item::Text(Text::new(MARGIN, y, 10.0, "tag-bad", omitted_note(omitted))));
    }
    for note in &dialog.notes {
        y += 16.0;
        items.push(Item::Text(Text::new(
            MARGIN,
            y,
            10.0,
            "dim",
            truncate(note, mono_chars(metrics.width - 2.0 * MARGIN, 10.0)),
        )));
    }
    Layout {
        width: metrics.width,
        height: (y + 12.0).ceil(),
        title: dialog.title.clone(),
        description: dialog.description.clone(),
        items,
    }
}

/// The key under the rows: entries left to right, a new line when the next would pass the right margin.
struct Legend<'a> {
    items: &'a mut Vec<Item>,
    x: f64,
    y: f64,
    width: f64,
}

impl Legend<'_> {
    /// Writes an entry: its swatch, drawn at (left edge, baseline), and its words.
    fn place(&mut self, meaning: &str, swatch: impl FnOnce(f64, f64) -> Item) {
        let entry = 24.0 + mono_width(meaning, 10.0);
        if self.x > MARGIN && self.x + entry > self.width - MARGIN {
            self.new_line();
        }
        self.items.push(swatch(self.x, self.y));
        self.items.push(Item::Text(Text::new(self.x + 24.0, self.y, 10.0, "dim", meaning)));
        self.x += entry + 24.0;
    }

    fn new_line(&mut self) {
        self.x = MARGIN;
        self.y += 16.0;
    }
}

fn draw_row(row: &Row, top: f64, x: &dyn Fn(f64) -> f64, metrics: &Metrics) -> Item {
    let middle = top + 20.0;
    let mut items = Vec::new();
    let client_port = row.events.first().map(|e| if e.from < e.to { e.src.port() } else { e.dst.port() });
    let label = format!("#{} :{}", row.conn, client_port.map_or_else(String::new, |p| p.to_string()));
    items.push(Item::Text(Text::new(
        MARGIN,
        middle + 4.0,
        11.0,
        "fg",
        truncate(&label, mono_chars(metrics.label_width, 11.0)),
    )));
    let (start, end) = (x(row.start), x(row.end).max(x(row.start) + 2.0));
    items.push(Item::rect(start, middle - 2.0, end - start, 4.0, "bar"));
    let mut exchanges: Vec<&(PhaseKind, f64, f64, String)> = Vec::new();
    for span in &row.spans {
        let (kind, from, to, _) = span;
        let (a, b) = (x(*from), x(*to).max(x(*from) + 3.0));
        match kind {
            PhaseKind::Idle => items.push(Item::line(a, middle, b, middle, "bar-idle")),
            PhaseKind::Handshake => items.push(Item::rect(a, middle - 5.0, b - a, 10.0, "bar-hs")),
            // Trouble is marked on the row, under the exchange it slowed: a band below the bar.
            PhaseKind::Loss => items.push(Item::rect(a, middle + 5.0, b - a, 3.0, "bar-bad")),
            PhaseKind::Stall => items.push(Item::rect(a, middle + 5.0, b - a, 3.0, "bar-stall")),
            _ => {
                items.push(Item::rect(a, middle - 5.0, b - a, 10.0, "bar-ex"));
                exchanges.push(span);
            }
        }
    }
    // Each retransmission (drawn or folded) is a tick above the bar.
    for event in &row.events {
        if resent(event) {
            items.push(Item::line(x(event.time), middle - 9.0, x(event.time), middle - 5.0, "x-bad"));
        }
    }
    // Request names alternate above and below the bars, each cut where the next one on its side starts and
    // before the close label, abbreviated to fit; the row's tooltip names every one in full (also those with
    // no room at all, under the next name on their side).
    for (i, (_, from, _, name)) in exchanges.iter().enumerate() {
        let limit = exchanges.get(i + 2).map_or(x(row.end), |next| x(next.1)) - x(*from) - 6.0;
        let chars = mono_chars(limit, 10.0);
        let y = if i % 2 == 0 { middle - 8.0 } else { middle + 15.0 };
        if chars >= 2 {
            items.push(Item::Text(Text::new(x(*from), y, 10.0, "dim", truncate(name, chars))));
        }
    }
    for (_, from, to, name) in row.spans.iter().filter(|s| s.0 == PhaseKind::Idle) {
        let room = x(*to) - x(*from);
        let text = name.split(',').next().unwrap_or_default();
        if mono_chars(room, 10.0) >= text.chars().count() {
            items.push(Item::Text(
                Text::new((x(*from) + x(*to)) / 2.0, middle - 5.0, 10.0, "dim", text).anchor(Anchor::Middle),
            ));
        }
    }
    let close_text = match &row.close {
        Some((who, how, at)) => {
            let class = if *how == "RST" { "x-bad" } else { "rule" };
            items.push(Item::line(x(*at), middle - 7.0, x(*at), middle + 7.0, class));
            (format!("{who} {how}"), if *how == "RST" { "tag-bad" } else { "fg" })
        }
        None => ("still open".to_string(), "dim"),
    };
    items.push(Item::Text(Text::new(end + 6.0, middle + 4.0, 10.0, close_text.1, close_text.0)));
    let phases: Vec<&str> = row.spans.iter().map(|s| s.3.as_str()).collect();
    let tooltip = format!(
        "Stream {}: {} to {} s ({}), {} segments; {}",
        row.conn,
        time_column(row.start, TimeUnit::Seconds),
        time_column(row.end, TimeUnit::Seconds),
        pause(row.end - row.start),
        row.events.len(),
        phases.join(" · ")
    );
    let tooltip = truncate(&tooltip, super::arrows::MAX_TOOLTIP_CHARS);
    Item::Group { id: Some(format!("c{}", row.conn)), href: None, tooltip: Some(tooltip), class: None, items }
}

/// Whether an arrow is, or folds, a retransmission.
fn resent(event: &Event) -> bool {
    event.analysis.iter().any(|f| f.name().contains("retransmission"))
        || event.fold.as_ref().is_some_and(|f| f.flagged.retransmissions > 0)
}

/// A round tick step (1, 2 or 5 × 10ⁿ) close to `rough`.
fn nice_step(rough: f64) -> f64 {
    let rough = rough.max(1e-6);
    let magnitude = 10f64.powf(rough.log10().floor());
    let fraction = rough / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Tick labels with just the decimals the step needs: `0`, `0.5 s`, `2 ms`, `250 µs`.
fn tick_label(t: f64, step: f64, unit: TimeUnit) -> String {
    if t.abs() < step / 2.0 {
        return "0".to_string();
    }
    let (value, step, suffix) = match unit {
        TimeUnit::Millis => (t * 1e3, step * 1e3, ""),
        TimeUnit::Seconds if step >= 0.5 => (t, step, " s"),
        TimeUnit::Seconds if step >= 0.0005 => (t * 1e3, step * 1e3, " ms"),
        TimeUnit::Seconds => (t * 1e6, step * 1e6, " µs"),
    };
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    format!("{value:.decimals$}{suffix}")
}

fn omitted_note(omitted: usize) -> String {
    format!("{omitted} more connections not drawn: timelines show at most {MAX_ROWS}")
}

/// The timeline as text: one line per connection, at most [`MAX_ROWS`], then the dialog's notes.
pub fn text(dialog: &Dialog) -> String {
    let mut out = format!("{}\n\n", one_line(&dialog.title));
    let (rows, with_rows) = rows(dialog, MAX_ROWS);
    let omitted = with_rows - rows.len();
    for row in rows {
        let phases: Vec<&str> = row.spans.iter().map(|s| s.3.as_str()).collect();
        let close = row.close.as_ref().map_or("still open".to_string(), |(who, how, _)| format!("{who} {how}"));
        let line = format!(
            "#{:<4} {} – {} s  ({})  {}; {close}",
            row.conn,
            time_column(row.start, TimeUnit::Seconds),
            time_column(row.end, TimeUnit::Seconds),
            pause(row.end - row.start),
            phases.join(" · ")
        );
        out.push_str(&one_line(&line));
        out.push('\n');
    }
    if omitted > 0 {
        out.push_str(&format!("\n{}\n", omitted_note(omitted)));
    }
    for note in &dialog.notes {
        out.push_str(&format!("! {}\n", one_line(note)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_with_only_the_needed_decimals() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(0.00012), 0.0002);
        assert_eq!(tick_label(1.5, 0.5, TimeUnit::Seconds), "1.5 s");
        assert_eq!(tick_label(0.004, 0.002, TimeUnit::Seconds), "4 ms");
        assert_eq!(tick_label(0.0004, 0.0002, TimeUnit::Seconds), "400 µs");
        assert_eq!(tick_label(0.0, 0.5, TimeUnit::Seconds), "0");
    }
}
