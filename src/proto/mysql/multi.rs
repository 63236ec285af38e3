//! Server answers of several packets, read packet by packet as they arrive: a result set (column count, column
//! definitions, rows, terminator) and a prepare OK's parameter and column definitions, each shown as one
//! message. Rows are counted and skipped, never kept.

use super::names::{CURSOR_EXISTS, MORE_RESULTS, Packet, ResultEnd, caps};
use super::response::{EOF_MAX, counted, error, status_of_eof};
use super::wire::{HEADER_LEN, Header, MAX_PAYLOAD, lenenc, lenenc_bytes};
use super::{MySqlDecoder, message};
use crate::proto::Message;
use crate::proto::contract::{Cx, Step};
use crate::proto::data::short_text;
use crate::proto::reader::Reader;

/// Column names kept for a result set's detail line.
const SHOWN_COLUMNS: usize = 16;
/// A column definition cut by a segment's end is waited for (to keep its name) unless it is longer than this.
const DEFINITION_WAIT: usize = 1024;

/// A server answer of several packets, read packet by packet as they arrive.
#[derive(Debug)]
pub(super) enum Multi {
    Rows(ResultSet),
    /// A prepare OK (its message, pushed when its definitions are in) and the definition packets still to come.
    Prepare {
        message: Box<Message>,
        left: u64,
    },
}

/// A result set being read.
#[derive(Debug)]
pub(super) struct ResultSet {
    columns: u64,
    /// Column definition packets still to come.
    definitions: u64,
    /// An EOF packet after the definitions is still to come (no CLIENT_DEPRECATE_EOF).
    definitions_eof: bool,
    /// Rows end with an OK packet that has the EOF header (CLIENT_DEPRECATE_EOF), which can be long.
    deprecate_eof: bool,
    binary: bool,
    names: Vec<String>,
    pub(super) rows: u64,
    /// Frame and stream offset of its first byte.
    start: (u64, u64),
    /// The segment that brought the definitions ended before the terminator: its message showed this many rows;
    /// then where the rest starts.
    shown: Option<(u64, Option<(u64, u64)>)>,
}

/// How a result set ended.
#[derive(Debug)]
struct Terminator {
    end: ResultEnd,
    more_results: bool,
    detail: String,
}

impl ResultSet {
    pub(super) fn new(columns: u64, metadata: bool, binary: bool, caps: u32, cx: &Cx) -> Self {
        let deprecate_eof = caps & caps::DEPRECATE_EOF != 0;
        let definitions = if metadata { columns } else { 0 };
        ResultSet {
            columns,
            definitions,
            definitions_eof: definitions > 0 && !deprecate_eof,
            deprecate_eof,
            binary,
            names: Vec::new(),
            rows: 0,
            start: (cx.frame_at(0), cx.offset),
            shown: None,
        }
    }

    fn in_rows(&self) -> bool {
        self.definitions == 0 && !self.definitions_eof
    }

    /// Whether a packet with this header and first byte can end the rows (so is worth waiting for whole).
    fn could_end(&self, len: u32, first: u8) -> bool {
        let eof_max = if self.deprecate_eof { MAX_PAYLOAD - 1 } else { EOF_MAX };
        first == 0xff || (first == 0xfe && len <= eof_max)
    }

    /// One packet (`payload` is `None` when only its start is here).
    fn feed(&mut self, header: Header, payload: Option<&[u8]>, first: Option<u8>) -> Option<Terminator> {
        if self.definitions > 0 {
            self.definitions -= 1;
            if let Some(name) = payload.and_then(column_name).filter(|_| self.names.len() <= SHOWN_COLUMNS) {
                self.names.push(name);
            }
            return None;
        }
        if std::mem::take(&mut self.definitions_eof) && first == Some(0xfe) && header.len <= EOF_MAX {
            let cursor = payload.is_some_and(|p| status_of_eof(p) & CURSOR_EXISTS != 0);
            let detail = "ended after the definitions: the rows come with Fetch Data (a cursor)".to_string();
            return cursor.then_some(Terminator { end: ResultEnd::Eof, more_results: false, detail });
        }
        match (first, payload) {
            (Some(0xff), Some(payload)) => {
                let (_, detail, code) = error(payload);
                let detail = format!("ended by {}", detail.join(", "));
                Some(Terminator { end: ResultEnd::Error(code), more_results: false, detail })
            }
            (Some(first), Some(payload)) if self.could_end(header.len, first) => {
                // With CLIENT_DEPRECATE_EOF the terminator is an OK packet wearing the EOF header.
                let (status, detail) = match self.deprecate_eof {
                    false => (status_of_eof(payload), "ended by EOF"),
                    true => (ok_status(payload), "ended by OK"),
                };
                let more_results = status & MORE_RESULTS != 0;
                let detail = detail.to_string();
                Some(Terminator { end: ResultEnd::Eof, more_results, detail })
            }
            _ => {
                self.rows += 1;
                None
            }
        }
    }

    fn packet(&self, end: Option<&Terminator>) -> Packet {
        Packet::ResultSet {
            columns: self.columns,
            rows: self.rows,
            end: end.map(|t| t.end),
            more_results: end.is_some_and(|t| t.more_results),
            binary: self.binary,
        }
    }

    /// `Response TABULAR (3 columns, 3 rows)`; `(…, then Error 1317)` when an ERR took a row's place.
    fn summary(&self, end: Option<&Terminator>) -> String {
        let mut facts = Vec::new();
        if self.columns > 0 {
            facts.push(counted(self.columns, "column"));
        }
        facts.push(counted(self.rows, "row"));
        match end.map(|t| t.end) {
            Some(ResultEnd::Error(code)) => facts.push(format!("then Error {code}")),
            Some(ResultEnd::Eof) => {}
            None => facts.push("more follow".to_string()),
        }
        format!("Response TABULAR ({})", facts.join(", "))
    }

    fn detail(&self, end: Option<&Terminator>) -> Vec<String> {
        let mut detail = Vec::new();
        if !self.names.is_empty() {
            let more = if self.names.len() > SHOWN_COLUMNS { ", …" } else { "" };
            let shown = self.names.get(..SHOWN_COLUMNS.min(self.names.len())).unwrap_or_default();
            detail.push(format!("columns: {}{more}", shown.join(", ")));
        }
        detail.push(format!("rows: {}", self.rows));
        if self.binary {
            detail.push("rows in the binary protocol (a prepared statement's)".to_string());
        }
        if let Some(end) = end {
            detail.push(end.detail.clone());
            if end.more_results {
                detail.push("more results follow".to_string());
            }
        }
        detail
    }

    /// The message of the segment where the definitions arrived and the rows did not end.
    fn head(&self, cx: &Cx) -> Message {
        let mut message = message(cx, self.summary(None), self.packet(None), None, self.detail(None));
        (message.frame, message.offset) = self.start;
        message
    }

    /// The message completed by the terminator: the whole result set, or the rest after its head's message.
    fn finished(&self, end: &Terminator, cx: &Cx) -> Message {
        let (summary, at) = match self.shown {
            Some((_, rest)) => {
                let summary = format!("Response (end of result set: {} in all)", counted(self.rows, "row"));
                (summary, rest.unwrap_or(self.start))
            }
            None => (self.summary(Some(end)), self.start),
        };
        let mut detail = self.detail(Some(end));
        if let Some((shown, _)) = self.shown {
            detail.push(format!("{} of them shown with the start of the result set", counted(shown, "row")));
        }
        let mut message = message(cx, summary, self.packet(Some(end)), None, detail);
        (message.frame, message.offset) = at;
        message
    }
}

/// The status flags of an OK packet (`0x00` or `0xfe`, two length-encoded integers, status).
fn ok_status(payload: &[u8]) -> u16 {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let _affected_rows = lenenc(&mut r);
    let _insert_id = lenenc(&mut r);
    r.u16_le().unwrap_or_default()
}

/// A ColumnDefinition41's name: the fifth of its length-encoded strings (after catalog, schema, table, org_table).
fn column_name(payload: &[u8]) -> Option<String> {
    let mut r = Reader::new(payload);
    for _ in 0..4 {
        lenenc_bytes(&mut r).ok()?;
    }
    lenenc_bytes(&mut r).ok().map(|name| short_text(name, 40))
}

impl Multi {
    /// What it was when the stream ended before its last packet.
    pub(super) fn into_message(self, cx: &Cx) -> Message {
        match self {
            Multi::Rows(set) => {
                let mut message = message(cx, set.summary(None), set.packet(None), None, set.detail(None));
                (message.frame, message.offset) = set.shown.and_then(|(_, rest)| rest).unwrap_or(set.start);
                message
            }
            Multi::Prepare { message, .. } => *message,
        }
    }
}

/// Packets of a multi-packet answer: as many as the buffer holds. A segment that ends inside a result set's rows
/// shows the result set so far (as Wireshark shows each segment it dissects); a row cut by the segment's end is
/// counted and its rest skipped.
pub(super) fn continue_multi(dec: &mut MySqlDecoder, buf: &[u8], cx: &mut Cx) -> Step {
    let Some(multi) = dec.multi.as_mut() else {
        return Step::Need;
    };
    if let Multi::Rows(ResultSet { shown: Some((_, rest @ None)), .. }) = multi {
        *rest = Some((cx.frame_at(0), cx.offset));
    }
    let mut pos = 0;
    let mut ended = None;
    while let Some(header) = buf.get(pos..).and_then(Header::read) {
        let here = buf.get(pos..).unwrap_or_default();
        let complete = here.len() >= header.total();
        let first = here.get(HEADER_LEN).copied();
        if !complete && (pos > 0 || !can_skip(multi, header, first)) {
            break;
        }
        let continued = std::mem::replace(&mut dec.continued, header.len == MAX_PAYLOAD);
        let payload = here.get(HEADER_LEN..header.total());
        let terminator = match multi {
            _ if continued => None,
            Multi::Rows(set) => set.feed(header, payload, first),
            Multi::Prepare { left, .. } => {
                *left = left.saturating_sub(1);
                (*left == 0).then_some(Terminator { end: ResultEnd::Eof, more_results: false, detail: String::new() })
            }
        };
        if !complete {
            return Step::Used { used: buf.len(), skip: (header.total() - here.len()) as u64 };
        }
        pos += header.total();
        if terminator.is_some() {
            ended = terminator;
            break;
        }
    }
    if let Some(end) = ended {
        finish(dec, &end, cx);
        return Step::Used { used: pos, skip: 0 };
    }
    if pos == 0 {
        return Step::Need;
    }
    if let Some(Multi::Rows(set)) = dec.multi.as_mut()
        && set.in_rows()
        && set.shown.is_none()
    {
        cx.push_message(set.head(cx));
        set.shown = Some((set.rows, None));
    }
    Step::Used { used: pos, skip: 0 }
}

/// Whether a packet cut by the buffer's end can be counted now and its rest skipped.
fn can_skip(multi: &Multi, header: Header, first: Option<u8>) -> bool {
    match multi {
        Multi::Prepare { .. } => true,
        Multi::Rows(set) if !set.in_rows() => set.definitions > 0 && header.total() > DEFINITION_WAIT,
        Multi::Rows(set) => first.is_some_and(|first| !set.could_end(header.len, first)),
    }
}

fn finish(dec: &mut MySqlDecoder, end: &Terminator, cx: &mut Cx) {
    let Some(multi) = dec.multi.take() else { return };
    match multi {
        Multi::Rows(set) => {
            if !end.more_results || matches!(end.end, ResultEnd::Error(_)) {
                dec.shared.borrow_mut().answered();
            }
            cx.push_message(set.finished(end, cx));
        }
        Multi::Prepare { message, .. } => cx.push_message(*message),
    }
}
