//! The ladder (sequence) diagram: one lifeline per participant, one sloped arrow per segment or folded run,
//! phases at the side, frame numbers and times at the left, and a legend of the TCP flags below.

mod arrow;
mod geometry;
mod legend;
mod phases;

use super::DiagramOptions;
use super::arrows::{self, ArrowText, Mark};
use super::format::{mono_chars, pause, sans_chars, truncate, truncate_start};
use super::layout::{Anchor, Font, Item, Layout, Text};
use crate::dialog::{Dialog, Event};
pub use geometry::IDLE_SECONDS;
use geometry::{BreakKind, Columns, MARGIN, ROWS_TOP, Rows};

const TITLE_SIZE: f64 = 15.0;
const BOX_TOP: f64 = 40.0;
const BOX_HEIGHT: f64 = 38.0;

/// Computes the ladder of `dialog`.
pub fn layout(dialog: &Dialog, options: &DiagramOptions) -> Layout {
    let shown = arrows::shown(dialog);
    let columns = Columns::new(dialog, &shown, options);
    let texts: Vec<ArrowText> = shown
        .events
        .iter()
        .filter_map(|&i| dialog.events.get(i))
        .map(|e| arrows::arrow_text_in(dialog, e, options.labels))
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
    let (legend_items, bottom) = legend::draw(rows.bottom.max(phase_bottom) + 16.0, &columns.metrics, &extras);
    items.extend(legend_items);
    Layout {
        width: columns.metrics.width,
        height: bottom.ceil(),
        title: dialog.title.clone(),
        description: dialog.description.clone(),
        items,
    }
}

/// The title, the participant boxes and the column headers.
fn header(items: &mut Vec<Item>, dialog: &Dialog, columns: &Columns) {
    let metrics = &columns.metrics;
    let title_chars = sans_chars(metrics.width - 2.0 * MARGIN, TITLE_SIZE);
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
        let name = truncate(&participant.name, mono_chars(width - 8.0, metrics.box_name));
        let address = truncate_start(&participant.address, mono_chars(width - 8.0, metrics.box_address));
        let name = Text::new(x, BOX_TOP + 16.0, metrics.box_name, "fg", name);
        items.push(Item::Text(name.font(Font::MonoBold).anchor(Anchor::Middle)));
        let address = Text::new(x, BOX_TOP + 31.0, metrics.box_address, "dim", address);
        items.push(Item::Text(address.anchor(Anchor::Middle)));
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

#[cfg(test)]
mod tests {
    use super::super::format::{MONO_ADVANCE, SANS_ADVANCE};
    use super::super::{DiagramOptions, Width};
    use super::*;
    use crate::analyze::analyze_file;
    use crate::dialog::{DialogOptions, Selection, build};
    use std::path::Path;

    fn layout_of(capture: &str, width: Width) -> Layout {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        layout(&dialog, &DiagramOptions { width, ..Default::default() })
    }

    /// The left and right ends of a text, measured as the layout measures it.
    fn extent(text: &Text) -> (f64, f64) {
        let advance = if text.font == Font::Sans { SANS_ADVANCE } else { MONO_ADVANCE };
        let width = text.content.chars().count() as f64 * text.size * advance;
        match text.anchor {
            Anchor::Start => (text.x, text.x + width),
            Anchor::Middle => (text.x - width / 2.0, text.x + width / 2.0),
            Anchor::End => (text.x - width, text.x),
        }
    }

    fn texts(items: &[Item]) -> Vec<&str> {
        items.iter().filter_map(|i| if let Item::Text(t) = i { Some(t.content.as_str()) } else { None }).collect()
    }

    /// Each arrow's tooltip and the texts drawn in it.
    fn arrows(layout: &Layout) -> Vec<(&str, Vec<&str>)> {
        layout
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Group { tooltip: Some(tooltip), items, .. } => Some((tooltip.as_str(), texts(items))),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_compact_ladder_fits_a_phone_and_its_tooltips_keep_what_its_labels_cut() {
        for capture in ["captures/http-close.pcap", "captures/h2-prior-knowledge.pcap", "captures/websocket.pcap"] {
            let compact = layout_of(capture, Width::Compact);
            assert_eq!(compact.width, 360.0, "{capture}");
            for text in compact.texts() {
                let (left, right) = extent(text);
                assert!(
                    left >= 0.0 && right <= compact.width,
                    "{capture}: {:?} runs out: {left}..{right}",
                    text.content
                );
            }
            let wide = layout_of(capture, Width::Wide);
            assert_eq!(wide.width, 860.0);
            let (compact_arrows, wide_arrows) = (arrows(&compact), arrows(&wide));
            assert_eq!(compact_arrows.len(), wide_arrows.len(), "{capture}: the same arrows");
            let mut shortened = 0;
            for ((tooltip, texts), (wide_tooltip, _)) in compact_arrows.iter().zip(&wide_arrows) {
                // The tooltip says what the wide one says, and whatever the labels left out.
                let said = wide_tooltip.lines().next().unwrap_or_default();
                assert!(tooltip.starts_with(said), "{capture}: {tooltip:?} does not start with {said:?}");
                for cut in texts.iter().filter_map(|t| t.strip_suffix('…')) {
                    shortened += 1;
                    assert!(tooltip.contains(cut), "{capture}: {cut:?}… is not in its tooltip {tooltip:?}");
                }
            }
            assert!(shortened > 0, "{capture}: no label was shortened, the test shows nothing");
        }
    }
}
