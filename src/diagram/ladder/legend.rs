//! The legend under a ladder: the classic TCP control bits that its arrows carry, with one-line meanings, the
//! marks that appear in this diagram, and how to read the numbers.

use super::super::Labels;
use super::super::arrows::{DECRYPTED_NOTE, Mark, Omitted};
use super::super::format::{mono_chars, truncate};
use super::super::layout::{Font, Item, Text};
use super::geometry::{MARGIN, Metrics};

/// The control bits in the order the reference article lists them, with what each means.
pub const FLAGS: [(&str, &str); 6] = [
    ("URG", "urgent pointer field is significant"),
    ("ACK", "acknowledgment field is significant"),
    ("PSH", "push: hand the data to the application now"),
    ("RST", "reset: abort the connection"),
    ("SYN", "synchronize sequence numbers: open"),
    ("FIN", "no more data from the sender: close"),
];

/// Stands for the drawn padlock in the list of notes.
const LOCK: &str = "lock";

const SIZE: f64 = 10.0;
const LINE: f64 = 14.0;

/// What the legend has to explain.
pub struct Extras<'a> {
    /// Names of the control bits some drawn arrow carries (`SYN`, `ACK`...): only those are explained.
    pub flags: Vec<&'static str>,
    pub marks: Vec<Mark>,
    pub folded: bool,
    pub labels: Labels,
    pub omitted: Option<&'a Omitted>,
    /// Some arrow shows what the key log decrypted.
    pub decrypted: bool,
    /// The dialog's notes (why a connection is not decrypted).
    pub notes: &'a [String],
}

/// Draws the legend from `top`, as wide as `metrics` say; returns its items and the y just below it.
pub fn draw(top: f64, metrics: &Metrics, extras: &Extras) -> (Vec<Item>, f64) {
    let width = metrics.width;
    let mut items = vec![Item::line(MARGIN, top, width - MARGIN, top, "rule")];
    let columns = metrics.legend_columns.max(1);
    let column_width = (width - 2.0 * MARGIN) / columns as f64;
    let chars = mono_chars(column_width - 8.0, SIZE);
    let first = top + 18.0;
    let shown: Vec<&(&str, &str)> = FLAGS.iter().filter(|(flag, _)| extras.flags.contains(flag)).collect();
    // The first column is filled first.
    let rows = shown.len().div_ceil(columns);
    for (i, (flag, meaning)) in shown.iter().enumerate() {
        let x = MARGIN + (i / rows) as f64 * column_width;
        let y = first + (i % rows) as f64 * LINE;
        items.push(Item::Text(Text::new(x, y, SIZE, "fg", *flag).font(Font::MonoBold)));
        items.push(Item::Text(Text::new(x + 32.0, y, SIZE, "dim", truncate(meaning, chars - 5))));
    }
    let mut y = first + rows as f64 * LINE + 4.0;

    let mut notes: Vec<(&'static str, &'static str, String)> = Vec::new();
    if extras.folded {
        notes.push(("━", "tag-fold", "thick arrow: a run of data segments drawn as one".into()));
    }
    for mark in &extras.marks {
        let class = if *mark == Mark::Warning { "tag-warn" } else { "tag-bad" };
        notes.push((mark.symbol(), class, mark.meaning().into()));
    }
    if extras.labels != Labels::Flags {
        notes.push(("#", "dim", "Seq, Ack: relative sequence numbers; Len: payload bytes".into()));
    }
    if let Some(omitted) = extras.omitted {
        notes.push(("⋮", "tag-bad", omitted.note()));
    }
    if extras.decrypted {
        notes.push((LOCK, "dim", DECRYPTED_NOTE.into()));
    }
    for note in extras.notes {
        notes.push(("!", "tag-warn", note.clone()));
    }
    let total_chars = mono_chars(width - 2.0 * MARGIN - 20.0, SIZE);
    for (symbol, class, text) in notes {
        if symbol == LOCK {
            items.extend(super::arrow::padlock(MARGIN, y));
        } else {
            items.push(Item::Text(Text::new(MARGIN, y, SIZE + 1.0, class, symbol).font(Font::MonoBold)));
        }
        items.push(Item::Text(Text::new(MARGIN + 20.0, y, SIZE, "dim", truncate(&text, total_chars))));
        y += LINE;
    }
    (items, y + 4.0)
}
