//! The ladder (sequence) diagram: one lifeline per participant, one sloped arrow per segment or folded run,
//! phases at the side, frame numbers and times at the left, and a legend of the TCP flags below.

mod arrow;
mod geometry;
mod legend;
mod phases;

use super::DiagramOptions;
use super::arrows::{self, ArrowText, Mark};
use super::format::{SANS_ADVANCE, mono_chars, pause, truncate};
use super::layout::{Anchor, Font, Item, Layout, Text};
use crate::dialog::{Dialog, Event};
pub use geometry::IDLE_SECONDS;
use geometry::{BreakKind, Columns, MARGIN, ROWS_TOP, Rows, WIDTH};

const TITLE_SIZE: f64 = 15.0;
const BOX_TOP: f64 = 40.0;
const BOX_HEIGHT: f64 = 38.0;

/// Computes the ladder of `dialog`.
pub fn layout(dialog: &Dialog, options: &DiagramOptions) -> Layout {
    let shown = arrows::shown(dialog);
    let columns = Columns::new(dialog, &shown, options);
    let several = dialog.connections.len() > 1;
    let texts: Vec<ArrowText> = shown
        .events
        .iter()
        .filter_map(|&i| dialog.events.get(i))
        .map(|e| {
            let text = arrows::arrow_text(e, options.labels);
            if several { with_stream(text, e.conn) } else { text }
        })
        .collect();
    let lifts: Vec<f64> = texts.iter().map(|t| geometry::lift(t.lines.len())).collect();
    let rows = Rows::new(dialog, &shown, options.spacing, &lifts);

    let mut items = Vec::new();
    header(&mut items, dialog, &columns);
    let phase_items = phases::draw(dialog, &shown, &rows, &columns);
    items.extend(phase_items.background);
    items.extend(texts.iter().zip(&rows.tops).filter_map(|(text, &top)| arrow::tint(text, top, &columns)));
    lifelines(&mut items, &rows, &columns);
    breaks(&mut items, &rows, &columns, shown.omitted.as_ref());
    let halo = dialog.participants.len() > 2;
    for ((&index, text), &top) in shown.events.iter().zip(&texts).zip(&rows.tops) {
        if let Some(event) = dialog.events.get(index) {
            items.extend(arrow::draw(event, text, top, &columns, halo, options.time_unit, options.link_to_table));
        }
    }
    let phase_bottom = phase_items.bottom;
    items.extend(phase_items.foreground);

    let mut marks: Vec<Mark> = texts.iter().filter_map(|t| t.mark).collect();
    marks.sort_by_key(|m| *m as u8);
    marks.dedup();
    let mut flags: Vec<&'static str> =
        shown.events.iter().filter_map(|&i| dialog.events.get(i)).flat_map(|e| e.flags.names()).collect();
    flags.sort_unstable();
    flags.dedup();
    let extras = legend::Extras {
        flags,
        marks,
        folded: dialog.events.iter().any(arrows::is_transfer),
        labels: options.labels,
        omitted: shown.omitted.as_ref(),
        decrypted: shown.events.iter().any(|&i| dialog.events.get(i).is_some_and(Event::any_decrypted)),
        notes: &dialog.notes,
    };
    let (legend_items, bottom) = legend::draw(rows.bottom.max(phase_bottom) + 16.0, &extras);
    items.extend(legend_items);
    Layout {
        width: WIDTH,
        height: bottom.ceil(),
        title: dialog.title.clone(),
        description: dialog.description.clone(),
        items,
    }
}

/// The title, the participant boxes and the column headers.
fn header(items: &mut Vec<Item>, dialog: &Dialog, columns: &Columns) {
    let title_chars = ((WIDTH - 2.0 * MARGIN) / (TITLE_SIZE * SANS_ADVANCE)).floor() as usize;
    items.push(Item::Text(
        Text::new(MARGIN, 24.0, TITLE_SIZE, "fg", truncate(&dialog.title, title_chars)).font(Font::Sans),
    ));
    for (participant, &x) in dialog.participants.iter().zip(&columns.lifelines) {
        let width = columns.box_width;
        items.push(Item::Rect {
            x: x - width / 2.0,
            y: BOX_TOP,
            width,
            height: BOX_HEIGHT,
            radius: 4.0,
            class: "pbox",
        });
        let name = truncate(&participant.name, mono_chars(width - 8.0, 12.0));
        let address = truncate(&participant.address, mono_chars(width - 8.0, 10.0));
        items.push(Item::Text(
            Text::new(x, BOX_TOP + 16.0, 12.0, "fg", name).font(Font::MonoBold).anchor(Anchor::Middle),
        ));
        items.push(Item::Text(Text::new(x, BOX_TOP + 31.0, 10.0, "dim", address).anchor(Anchor::Middle)));
    }
    let y = ROWS_TOP - 4.0;
    items.push(Item::Text(Text::new(columns.frame_right, y, 10.0, "dim", "No.").anchor(Anchor::End)));
    items.push(Item::Text(Text::new(columns.time_right, y, 10.0, "dim", "Time").anchor(Anchor::End)));
}

/// Lifelines run from the boxes to the last row, dashed across breaks.
fn lifelines(items: &mut Vec<Item>, rows: &Rows, columns: &Columns) {
    let end = rows.bottom + 6.0;
    for &x in &columns.lifelines {
        let mut y = BOX_TOP + BOX_HEIGHT;
        for gap in &rows.breaks {
            items.push(Item::line(x, y, x, gap.top, "life"));
            items.push(Item::line(x, gap.top, x, gap.top + gap.height, "life-gap"));
            y = gap.top + gap.height;
        }
        items.push(Item::line(x, y, x, end, "life"));
    }
}

/// The words inside each break: how long the silence was, or how many arrows were left out.
fn breaks(items: &mut Vec<Item>, rows: &Rows, columns: &Columns, omitted: Option<&arrows::Omitted>) {
    let middle = (columns.area_left + columns.area_right) / 2.0;
    let chars = mono_chars(columns.area_right - columns.area_left - 16.0, 11.0);
    for gap in &rows.breaks {
        let (text, class) = match gap.kind {
            BreakKind::Idle => (format!("⋯ {} without a packet ⋯", pause(gap.seconds)), "dim-halo"),
            BreakKind::Omitted => (omitted.map(|o| o.note()).unwrap_or_default(), "tag-bad"),
        };
        let y = gap.top + gap.height / 2.0 + 4.0;
        let label = Text::new(middle, y, 11.0, class, truncate(&text, chars)).anchor(Anchor::Middle);
        items.push(Item::Text(label));
    }
}

/// With several connections in one ladder, each arrow says which stream it belongs to.
fn with_stream(mut text: ArrowText, conn: usize) -> ArrowText {
    if text.detail.is_empty() {
        text.main = format!("#{conn} {}", text.main);
        if let Some(first) = text.lines.first_mut() {
            *first = format!("#{conn} {first}");
        }
    } else {
        text.detail = format!("#{conn} {}", text.detail);
    }
    text
}
