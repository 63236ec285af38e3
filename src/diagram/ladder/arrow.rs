//! One arrow of the ladder: the sloped line and its head, its labels, its frame number and time, and the
//! marks that make problems stand out.

use super::super::TimeUnit;
use super::super::arrows::{ArrowText, MAX_TOOLTIP_CHARS, Mark, info_without_ports, is_transfer};
use super::super::format::{mono_chars, mono_width, time_column, truncate};
use super::super::layout::{Anchor, Font, Item, Text};
use super::geometry::{ARROW_DROP, ARROW_Y, Columns, MARGIN, ROW_HEIGHT, STACK_LINE, lift};
use crate::dialog::Event;

/// Room kept free at each end of an arrow's labels.
const LABEL_PADDING: f64 = 10.0;

/// The row tint behind a marked arrow (drawn before the lifelines).
pub fn tint(text: &ArrowText, top: f64, columns: &Columns) -> Option<Item> {
    let class = match text.mark? {
        Mark::Warning => "row-warn",
        _ => "row-bad",
    };
    let height = ROW_HEIGHT + lift(text.lines.len()) - 6.0;
    Some(Item::rect(MARGIN / 2.0, top + 3.0, columns.area_right - MARGIN / 2.0, height, class))
}

/// The arrow of `event` in the row starting at `top`, as a link to its packet-table row. A stacked main label
/// (one line per message) sits above the arrow, which moves down by the label's extra lines.
pub fn draw(
    event: &Event,
    text: &ArrowText,
    top: f64,
    columns: &Columns,
    halo: bool,
    unit: TimeUnit,
    link_to_table: bool,
) -> Option<Item> {
    let x1 = *columns.lifelines.get(event.from)?;
    let x2 = *columns.lifelines.get(event.to)?;
    let arrow_top = top + lift(text.lines.len());
    let (y1, y2) = (arrow_top + ARROW_Y, arrow_top + ARROW_Y + ARROW_DROP);
    let direction = if x2 >= x1 { 1.0 } else { -1.0 };
    let folded = is_transfer(event);
    let (line_class, head_class) = match (folded, text.mark) {
        (true, _) => ("fold", "head-fold"),
        (false, Some(Mark::Retransmission)) => ("arrow-dash", "head-bad"),
        (false, Some(Mark::Warning)) => ("arrow-warn", "head-warn"),
        (false, Some(_)) => ("arrow-bad", "head-bad"),
        (false, None) => ("arrow", "head"),
    };
    let (head_length, head_half) = if folded { (15.0, 7.0) } else { (9.0, 4.0) };

    let mut items = Vec::new();
    // The line stops inside the head so its end does not poke through the tip.
    let line_end_x = x2 - direction * head_length * 0.7;
    let line_end_y = y1 + (y2 - y1) * ((line_end_x - x1) / (x2 - x1));
    items.push(Item::line(x1, y1, line_end_x, line_end_y, line_class));
    items.push(Item::Polygon { points: head(x1, y1, x2, y2, head_length, head_half), class: head_class });

    let metrics = &columns.metrics;
    let overhang = metrics.overhang * columns.box_width;
    // Labels run from `from` to `to`: out past both lifelines when they may overhang them (compact).
    let (mut from, to) = (x1 - direction * overhang, x2 + direction * overhang);
    // Marks: a symbol at the sender (or a cross on the receiver's lifeline for a reset), besides the colour.
    // It sits inside the arrow's span, and the labels keep clear of it on both sides; where labels overhang,
    // it sits outside the sender's lifeline instead, and the labels start at that lifeline.
    let mut symbol_room = 0.0;
    match text.mark {
        Some(Mark::Reset) => {
            items.push(Item::line(x2 - 5.0, y2 - 5.0, x2 + 5.0, y2 + 5.0, "x-bad"));
            items.push(Item::line(x2 - 5.0, y2 + 5.0, x2 + 5.0, y2 - 5.0, "x-bad"));
        }
        Some(mark) => {
            // Which way from the sender's lifeline the symbol goes: along the arrow, or away from it.
            let side = if overhang > 0.0 { -direction } else { direction };
            let anchor = if side > 0.0 { Anchor::Start } else { Anchor::End };
            let symbol = Text::new(x1 + side * 6.0, y1 - 5.0, 13.0, mark_class(mark), mark.symbol());
            items.push(Item::Text(symbol.anchor(anchor)));
            if overhang > 0.0 {
                from = x1;
            } else {
                symbol_room = 18.0;
            }
        }
        None => {}
    }

    let middle = (from + to) / 2.0;
    let reach = (to - from).abs();
    let room = reach - 2.0 * (LABEL_PADDING + symbol_room);
    let (main_size, main_font) =
        if text.main_is_message { (metrics.message_size, Font::MonoBold) } else { (metrics.plain_size, Font::Mono) };
    let main_class = match (folded, text.mark, text.main_is_message) {
        (true, _, _) => "tag-fold",
        (false, Some(mark), false) => mark_class(mark),
        _ if halo => "halo",
        _ => "fg",
    };
    // What a label had to leave out is said whole in the tooltip, if the Info column there does not say it
    // already (a compact ladder cuts the most).
    let mut cut = Vec::new();
    let mut shorten = |text: &str, chars: usize| {
        let short = truncate(text, chars);
        if short != text {
            cut.push(text.to_string());
        }
        short
    };
    // A decrypted message wears a padlock before its label: the wire showed only ciphertext there.
    for (i, line) in text.lines.iter().enumerate() {
        let locked = text.main_is_message && line_decrypted(event, text.lines.len(), i);
        let lock_room = if locked { LOCK_WIDTH } else { 0.0 };
        let line = shorten(line, mono_chars(room - lock_room, main_size));
        let baseline = top + 14.0 + i as f64 * STACK_LINE;
        if lock_room > 0.0 {
            items.extend(padlock(middle - (mono_width(&line, main_size) + lock_room) / 2.0, baseline));
        }
        let middle = middle + lock_room / 2.0;
        items.push(Item::Text(
            Text::new(middle, baseline, main_size, main_class, line).font(main_font).anchor(Anchor::Middle),
        ));
    }
    if !text.detail.is_empty() {
        let detail = shorten(&text.detail, mono_chars(room, metrics.detail_size));
        let class = if halo { "dim-halo" } else { "dim" };
        let baseline = arrow_top + 39.0;
        let detail = Text::new(middle, baseline, metrics.detail_size, class, detail);
        items.push(Item::Text(detail.anchor(Anchor::Middle)));
    }

    let (baseline, size) = (y1 + 4.0, metrics.column_text);
    items.push(Item::Text(
        Text::new(columns.frame_right, baseline, size, "dim", event.frame.to_string()).anchor(Anchor::End),
    ));
    items.push(Item::Text(
        Text::new(columns.time_right, baseline, size, "dim", time_column(event.time, unit)).anchor(Anchor::End),
    ));
    let mut tooltip = format!(
        "Frame {}, {} s: {} → {} {}",
        event.frame,
        time_column(event.time, TimeUnit::Seconds),
        event.src,
        event.dst,
        info_without_ports(event)
    );
    for label in cut.iter().filter(|label| !tooltip.contains(label.as_str())).collect::<Vec<_>>() {
        tooltip.push('\n');
        tooltip.push_str(label);
    }
    let tooltip = truncate(&tooltip, MAX_TOOLTIP_CHARS);
    Some(Item::Group {
        id: Some(format!("a{}", event.frame)),
        href: link_to_table.then(|| format!("f{}", event.frame)),
        tooltip: Some(tooltip),
        class: (event.highlighted == Some(false)).then_some("dimmed"),
        items,
    })
}

/// Whether line `i` of the `lines` stacked above the arrow (one message each, the last maybe `+N more`,
/// standing for all the rest) shows only decrypted messages.
fn line_decrypted(event: &Event, lines: usize, i: usize) -> bool {
    let covers_the_rest = i + 1 == lines && lines < event.messages.len();
    let covered = if covers_the_rest { event.decrypted.get(i..) } else { event.decrypted.get(i..=i) };
    covered.is_some_and(|flags| !flags.is_empty() && flags.iter().all(|&d| d))
}

/// Room a padlock takes before a label.
const LOCK_WIDTH: f64 = 13.0;

/// A small padlock whose left edge is at `x`, sitting on the text baseline `baseline`.
pub fn padlock(x: f64, baseline: f64) -> [Item; 2] {
    let shackle =
        Item::Rect { x: x + 2.0, y: baseline - 11.0, width: 5.0, height: 8.0, radius: 2.5, class: "lock-shackle" };
    let body = Item::Rect { x, y: baseline - 6.5, width: 9.0, height: 7.0, radius: 1.2, class: "lock" };
    [shackle, body]
}

fn mark_class(mark: Mark) -> &'static str {
    match mark {
        Mark::Warning => "tag-warn",
        _ => "tag-bad",
    }
}

/// The triangle of an arrowhead whose tip is at (x2, y2), pointing along the line from (x1, y1).
fn head(x1: f64, y1: f64, x2: f64, y2: f64, length: f64, half_width: f64) -> Vec<(f64, f64)> {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let norm = dx.hypot(dy).max(f64::EPSILON);
    let (ux, uy) = (dx / norm, dy / norm);
    let (bx, by) = (x2 - ux * length, y2 - uy * length);
    vec![(x2, y2), (bx - uy * half_width, by + ux * half_width), (bx + uy * half_width, by - ux * half_width)]
}
