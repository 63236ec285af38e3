//! The phases of a ladder: shaded bands behind the arrows, and brackets with names in the right-hand column.
//!
//! Phases may overlap (several connections, concurrent HTTP/2 streams, a stream inside a longer one); each gets a
//! bracket lane of its own, so nested brackets stand side by side. Only the first lane is shaded (stacked tints
//! would be unreadable), and names are pushed down so they never overlap; the legend goes below the last one.

use super::super::arrows::Shown;
use super::super::format::{mono_chars, thousands, wrap};
use super::super::layout::{Item, Text};
use super::geometry::{Columns, MARGIN, Rows};
use crate::dialog::{Dialog, Phase, PhaseKind};

const MAX_LANES: usize = 4;
/// Brackets drawn at most: a ladder draws at most 400 arrows, and a segment of pipelined requests would
/// otherwise bracket each of its thousands of exchanges.
const MAX_BANDS: usize = 400;
/// Phases of one kind and connection over the same arrows drawn one by one; the rest are counted on the last.
const SAME_SPAN: usize = 16;
const LANE_WIDTH: f64 = 6.0;
const LINE_HEIGHT: f64 = 13.0;

/// Shading (to draw first) and brackets with names (to draw on top).
pub struct PhaseItems {
    pub background: Vec<Item>,
    pub foreground: Vec<Item>,
    /// Lowest point of the names (pushed-down names may reach below the last arrow's row).
    pub bottom: f64,
}

struct Band<'a> {
    phase: &'a Phase,
    top: f64,
    bottom: f64,
    lane: usize,
    /// Phases of the same kind and connection over exactly the same arrows, drawn as this one.
    more: usize,
}

pub fn draw(dialog: &Dialog, shown: &Shown, rows: &Rows, columns: &Columns) -> PhaseItems {
    let mut bands: Vec<Band> = dialog.phases.iter().filter_map(|phase| band(phase, shown, rows)).collect();
    bands.sort_by(|a, b| a.top.total_cmp(&b.top).then(a.bottom.total_cmp(&b.bottom)));
    let mut bands = merge_identical(bands);
    bands.truncate(MAX_BANDS);
    let mut lane_bottoms: Vec<f64> = Vec::new();
    for band in &mut bands {
        let free = lane_bottoms.iter().position(|&bottom| bottom <= band.top + 0.5);
        band.lane = match free {
            Some(lane) => lane,
            None if lane_bottoms.len() < MAX_LANES => {
                lane_bottoms.push(f64::MIN);
                lane_bottoms.len() - 1
            }
            None => MAX_LANES - 1,
        };
        if let Some(bottom) = lane_bottoms.get_mut(band.lane) {
            *bottom = bottom.max(band.bottom);
        }
    }
    let lanes = lane_bottoms.len().max(1);
    let label_x = columns.phase_left + lanes as f64 * LANE_WIDTH + 6.0;
    let label_size = columns.metrics.phase_label;
    let label_chars = mono_chars(columns.metrics.width - MARGIN - label_x, label_size);
    let several_connections = dialog.connections.len() > 1;

    let mut items = PhaseItems { background: Vec::new(), foreground: Vec::new(), bottom: 0.0 };
    let mut next_free = 0.0_f64;
    for band in &bands {
        if band.lane == 0 {
            items.background.push(Item::rect(
                columns.area_left,
                band.top + 1.0,
                columns.area_right - columns.area_left,
                (band.bottom - band.top - 2.0).max(2.0),
                shade_class(band.phase.kind),
            ));
        }
        let x = columns.phase_left + band.lane as f64 * LANE_WIDTH;
        let (top, bottom) = (band.top + 4.0, (band.bottom - 4.0).max(band.top + 6.0));
        items.foreground.push(Item::line(x, top, x, bottom, "bracket"));
        items.foreground.push(Item::line(x - 3.0, top, x, top, "bracket"));
        items.foreground.push(Item::line(x - 3.0, bottom, x, bottom, "bracket"));

        let mut name = if several_connections {
            format!("#{} {}", band.phase.conn, band.phase.label)
        } else {
            band.phase.label.clone()
        };
        if band.more > 0 {
            name.push_str(&format!(" and {} more", thousands(band.more as u64)));
        }
        // A name gets three lines, more when its band is taller (a loss episode's values need room).
        let room = ((bottom - top) / LINE_HEIGHT).floor() as usize;
        let (least, most) = columns.metrics.phase_lines;
        let lines = wrap(&name, label_chars, room.clamp(least, most));
        let block = lines.len() as f64 * LINE_HEIGHT;
        let centred = (top + bottom) / 2.0 - block / 2.0 + label_size - 1.0;
        let wanted = if band.phase.kind == PhaseKind::Idle { centred } else { top + label_size - 1.0 };
        let first_baseline = wanted.max(next_free);
        for (i, line) in lines.iter().enumerate() {
            let y = first_baseline + i as f64 * LINE_HEIGHT;
            items.foreground.push(Item::Text(Text::new(label_x, y, label_size, "fg", line.clone())));
        }
        next_free = first_baseline + block + 3.0;
        items.bottom = items.bottom.max(first_baseline + block - LINE_HEIGHT + 4.0);
    }
    items
}

/// At most [`SAME_SPAN`] bands for each run of bands (sorted) of one kind and connection over the same arrows,
/// the last counting the rest.
fn merge_identical(bands: Vec<Band<'_>>) -> Vec<Band<'_>> {
    let mut merged: Vec<Band> = Vec::with_capacity(bands.len().min(MAX_BANDS));
    let mut run = 0;
    for band in bands {
        let same = merged.last().is_some_and(|last| {
            last.top == band.top
                && last.bottom == band.bottom
                && last.phase.kind == band.phase.kind
                && last.phase.conn == band.phase.conn
        });
        run = if same { run + 1 } else { 1 };
        match merged.last_mut() {
            Some(last) if same && run > SAME_SPAN => last.more += 1 + band.phase.more as usize,
            _ => merged.push(band),
        }
    }
    merged
}

/// The vertical extent of a phase; an idle phase covers the silence between its two arrows.
fn band<'a>(phase: &'a Phase, shown: &Shown, rows: &Rows) -> Option<Band<'a>> {
    let (top, bottom) = if phase.kind == PhaseKind::Idle {
        let (_, before) = rows.span(shown, phase.first, phase.first)?;
        let (after, _) = rows.span(shown, phase.last, phase.last)?;
        if after - before >= 8.0 { (before, after) } else { (before - 6.0, before + 6.0) }
    } else {
        rows.span(shown, phase.first, phase.last)?
    };
    Some(Band { phase, top, bottom, lane: 0, more: 0 })
}

fn shade_class(kind: PhaseKind) -> &'static str {
    match kind {
        PhaseKind::Handshake => "ph-handshake",
        PhaseKind::Exchange => "ph-exchange",
        PhaseKind::Upgrade => "ph-upgrade",
        PhaseKind::Idle => "ph-idle",
        PhaseKind::Teardown => "ph-teardown",
        PhaseKind::Loss => "ph-loss",
        PhaseKind::Stall => "ph-stall",
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::DiagramOptions;
    use super::super::super::arrows;
    use super::*;
    use crate::analyze::analyze_file;
    use crate::dialog::{DialogOptions, Selection, build};
    use std::collections::BTreeSet;
    use std::path::Path;

    fn dialog_of(capture: &str) -> Dialog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap()
    }

    fn drawn(dialog: &Dialog) -> PhaseItems {
        let options = DiagramOptions::default();
        let shown = arrows::shown(dialog);
        let columns = Columns::new(dialog, &shown, &options);
        let rows = Rows::new(dialog, &shown, options.spacing, &vec![0.0; shown.events.len()]);
        draw(dialog, &shown, &rows, &columns)
    }

    /// Baselines of the names, top to bottom.
    fn baselines(items: &PhaseItems) -> Vec<f64> {
        let mut ys: Vec<f64> = items
            .foreground
            .iter()
            .filter_map(|item| match item {
                Item::Text(text) => Some(text.y),
                _ => None,
            })
            .collect();
        ys.sort_by(f64::total_cmp);
        ys
    }

    /// x of each vertical bracket line.
    fn bracket_xs(items: &PhaseItems) -> Vec<f64> {
        items
            .foreground
            .iter()
            .filter_map(|item| match item {
                Item::Line { x1, x2, y1, y2, .. } if x1 == x2 && y1 != y2 => Some(*x1),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nested_http2_streams_get_brackets_of_their_own_and_names_never_overlap() {
        // Stream 1 spans frames 8-21; streams 3 (16-17) and 5 (18-19) run inside it.
        let dialog = dialog_of("tests/fixtures/phases/h2-streams.pcap");
        let items = drawn(&dialog);
        let xs = bracket_xs(&items);
        assert_eq!(xs.len(), dialog.phases.len());
        let lanes: BTreeSet<u64> = xs.iter().map(|x| x.to_bits()).collect();
        assert_eq!(lanes.len(), 2, "the nested streams stand beside stream 1: {xs:?}");
        let shaded = items.background.len();
        assert_eq!(shaded, dialog.phases.len() - 2, "only the outer phases are shaded");
        for pair in baselines(&items).windows(2) {
            assert!(pair[1] - pair[0] >= LINE_HEIGHT, "names overlap: {pair:?}");
        }
    }

    #[test]
    fn thousands_of_phases_over_the_same_arrows_are_counted_not_drawn() {
        // Pipelined requests: two thousand exchanges completed by one segment.
        let mut dialog = dialog_of("tests/fixtures/phases/h2-streams.pcap");
        let stream = dialog.phases.iter().find(|p| p.label.contains("stream 3")).unwrap().clone();
        dialog.phases.extend(std::iter::repeat_n(stream, 2000));
        let items = drawn(&dialog);
        assert!(bracket_xs(&items).len() < dialog.phases.len() - 1900, "{} brackets", bracket_xs(&items).len());
        let names: Vec<&str> = items
            .foreground
            .iter()
            .filter_map(|item| match item {
                Item::Text(text) => Some(text.content.as_str()),
                _ => None,
            })
            .collect();
        assert!(names.iter().any(|n| n.ends_with("and 1 985 more")), "{names:?}");
    }

    #[test]
    fn a_crowd_of_identical_phases_stacks_its_names_and_says_how_low_they_reach() {
        // More concurrent streams than lanes, all in the same rows: names go down one under another.
        let mut dialog = dialog_of("tests/fixtures/phases/h2-streams.pcap");
        let stream = dialog.phases.iter().find(|p| p.label.contains("stream 3")).unwrap().clone();
        for n in 0..12 {
            let mut copy = stream.clone();
            copy.label = format!("GET /asset-{n}.js (stream {})", 7 + 2 * n);
            dialog.phases.push(copy);
        }
        let items = drawn(&dialog);
        let ys = baselines(&items);
        for pair in ys.windows(2) {
            assert!(pair[1] - pair[0] >= LINE_HEIGHT, "names overlap: {pair:?}");
        }
        let lanes: BTreeSet<u64> = bracket_xs(&items).iter().map(|x| x.to_bits()).collect();
        assert_eq!(lanes.len(), MAX_LANES);
        assert!(items.bottom >= ys.last().copied().unwrap_or_default(), "{} < {ys:?}", items.bottom);
    }
}
