//! The packet table: Wireshark's packet list (No., Time, Source, Destination, Protocol, Length, Info) for the
//! arrows of a dialog, as an HTML fragment or plain text.
//!
//! Each HTML row has the id `{prefix}-f{frame}`. Under a ladder (`table_links_back`) its number links to its
//! arrow in the wide drawing (`{prefix}-a{frame}`, class `to-wide`) and, `hidden` until a phone's stylesheet shows
//! it instead, in the compact one (`{prefix}c-a{frame}`, class `to-compact`): the arrows link back, so a ladder
//! and its table rendered with the same id prefix can sit side by side, on any screen. Alone, or under a stream
//! graph, the rows are only link targets: the graph's marks link to them.

use super::arrows::{self, Mark};
use super::format::{one_line, time_column};
use super::svg::{css_ident, escape};
use super::{DiagramOptions, TimeUnit};
use crate::dialog::{Dialog, Event};
use std::fmt::Write as _;

const HEADERS: [&str; 7] = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"];

/// The seven cells of an event's row.
fn cells(event: &Event, unit: TimeUnit) -> [String; 7] {
    let protocol = event.columns.protocol_column();
    [
        event.frame.to_string(),
        time_column(event.time, unit),
        event.src.ip().to_string(),
        event.dst.ip().to_string(),
        protocol.to_string(),
        event.frame_len.to_string(),
        arrows::info(event),
    ]
}

pub fn html(dialog: &Dialog, options: &DiagramOptions) -> String {
    let scope = css_ident(&options.id_prefix);
    let compact = css_ident(&super::compact_prefix(&options.id_prefix));
    let shown = arrows::shown(dialog);
    let mut out = String::new();
    let _ = writeln!(out, r#"<table class="tcpdialog-packets" id="{scope}-table">"#);
    let _ = writeln!(out, "<caption>{}</caption>", escape(&dialog.title));
    out.push_str("<thead><tr>");
    for header in HEADERS {
        let _ = write!(out, r#"<th scope="col">{header}</th>"#);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (pos, &index) in shown.events.iter().enumerate() {
        if let Some(omitted) = shown.omitted.as_ref().filter(|o| o.at == pos) {
            let _ = writeln!(out, r#"<tr class="omitted"><td colspan="7">⋮ {}</td></tr>"#, escape(&omitted.note()));
        }
        let Some(event) = dialog.events.get(index) else {
            continue;
        };
        let class = match arrows::mark(event) {
            Some(Mark::Warning) => r#" class="warn""#,
            Some(_) => r#" class="bad""#,
            None if arrows::is_transfer(event) => r#" class="fold""#,
            None => "",
        };
        let frame = event.frame;
        let _ = write!(out, r#"<tr id="{scope}-f{frame}"{class}>"#);
        for (i, cell) in cells(event, options.time_unit).iter().enumerate() {
            if i == 0 && options.table_links_back {
                let _ = write!(
                    out,
                    r##"<td><a class="to-wide" href="#{scope}-a{frame}">{frame}</a><a class="to-compact" href="#{compact}-a{frame}" hidden>{frame}</a></td>"##
                );
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The same table as aligned plain text.
pub fn text(dialog: &Dialog, options: &DiagramOptions) -> String {
    let shown = arrows::shown(dialog);
    let rows: Vec<[String; 7]> =
        shown.events.iter().filter_map(|&i| dialog.events.get(i)).map(|e| cells(e, options.time_unit)).collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row.iter()) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            // Numbers right-aligned (No., Time, Length), words left-aligned, as in Wireshark.
            let padded = if matches!(i, 0 | 1 | 5) { format!("{cell:>width$}") } else { format!("{cell:<width$}") };
            text.push_str(&padded);
            text.push_str("  ");
        }
        format!("{}\n", one_line(text.trim_end()))
    };
    let mut out = format!("{}\n\n", one_line(&dialog.title));
    out.push_str(&line(HEADERS.to_vec()));
    for (pos, row) in rows.iter().enumerate() {
        if let Some(omitted) = shown.omitted.as_ref().filter(|o| o.at == pos) {
            out.push_str(&format!("⋮ {}\n", omitted.note()));
        }
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
