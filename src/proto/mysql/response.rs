//! The server's answers to commands: OK, ERR and EOF packets, LOCAL INFILE requests, and the first packet of an
//! answer of several (a result set's column count, a prepare OK), whose rest `multi.rs` reads.

use super::multi::{Multi, ResultSet};
use super::names::{Command, MORE_RESULTS, Packet, ResponseCode, caps};
use super::wire::lenenc;
use super::{Incoming, MySqlDecoder, Shared, TEXT_CHARS, message, push};
use crate::proto::contract::Cx;
use crate::proto::data::short_text;
use crate::proto::reader::Reader;

/// Longest EOF packet payload (an ERR or OK is told from a row by its first byte and this length).
pub(super) const EOF_MAX: u32 = 8;
/// CLIENT_OPTIONAL_RESULTSET_METADATA: a column count is followed by whether the definitions follow.
const OPTIONAL_METADATA: u32 = 0x0200_0000;

/// A server packet in the command phase, read as the answer to the oldest unanswered command.
pub(super) fn decode(dec: &mut MySqlDecoder, packet: &Incoming, cx: &mut Cx) {
    let mut shared = dec.shared.borrow_mut();
    let command = shared.next_command();
    let caps = shared.caps();
    let payload = packet.payload;
    match (packet.first().and_then(ResponseCode::of), command) {
        (Some(ResponseCode::Ok), Some(Command::StmtPrepare)) if packet.len >= 12 => {
            dec.multi = prepare_ok(&mut shared, payload, cx);
        }
        (Some(ResponseCode::Err), _) => {
            let (summary, detail, code) = error(payload);
            shared.answered();
            push(cx, summary, Packet::Error { code }, detail);
        }
        (Some(ResponseCode::Eof), _) if packet.len <= EOF_MAX => {
            let more_results = status_of_eof(payload) & MORE_RESULTS != 0;
            if !more_results {
                shared.answered();
            }
            push(cx, "Response EOF".to_string(), Packet::Eof { more_results }, Vec::new());
        }
        (_, Some(Command::FieldList | Command::StmtFetch)) => {
            // Rows (or column definitions) without a column count, up to an EOF: this packet is the first (a
            // binary row's header is 0x00, not an OK).
            let binary = command == Some(Command::StmtFetch);
            let mut set = ResultSet::new(0, false, binary, caps, cx);
            set.rows = 1;
            dec.multi = Some(Multi::Rows(set));
        }
        (Some(ResponseCode::Ok), _) if packet.len >= 3 => {
            let (summary, detail, kind) = ok(payload, caps);
            if kind.ends_response() {
                shared.answered();
            }
            push(cx, summary, kind, detail);
        }
        (Some(ResponseCode::LocalInfile), _) => {
            // The client sends the file, then the server answers with OK or ERR: the command stays unanswered.
            let file = short_text(payload.get(1..).unwrap_or_default(), TEXT_CHARS);
            push(cx, format!("Response LOCAL INFILE: {file}"), Packet::LocalInfile, Vec::new());
        }
        (_, Some(Command::Statistics)) => {
            shared.answered();
            let summary = format!("Response Statistics: {}", short_text(payload, TEXT_CHARS));
            push(cx, summary, Packet::Response, Vec::new());
        }
        _ => dec.multi = start_result_set(payload, command, caps, cx),
    }
}

/// A column count: a result set begins (its definitions and rows are read by `multi.rs`).
fn start_result_set(payload: &[u8], command: Option<Command>, caps: u32, cx: &mut Cx) -> Option<Multi> {
    let mut r = Reader::new(payload);
    let columns = lenenc(&mut r).ok().filter(|&n| n > 0);
    let Some(columns) = columns else {
        let summary = format!("Response (unexpected packet, {} bytes)", payload.len());
        push(cx, summary, Packet::Response, Vec::new());
        return None;
    };
    let metadata = caps & OPTIONAL_METADATA == 0 || r.u8().is_ok_and(|follows| follows != 0);
    let binary = command == Some(Command::StmtExecute);
    Some(Multi::Rows(ResultSet::new(columns, metadata, binary, caps, cx)))
}

/// COM_STMT_PREPARE's OK: `Response Prepare OK (statement 1, 1 parameter, 2 columns)`, with its definitions.
fn prepare_ok(shared: &mut Shared, payload: &[u8], cx: &mut Cx) -> Option<Multi> {
    let sql = shared.answered().and_then(|pending| pending.sql);
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let statement = r.u32_le().unwrap_or_default();
    let columns = r.u16_le().unwrap_or_default();
    let params = r.u16_le().unwrap_or_default();
    let eofs = if shared.has(caps::DEPRECATE_EOF) { 0 } else { u64::from(params > 0) + u64::from(columns > 0) };
    let definitions = u64::from(params) + u64::from(columns) + eofs;
    let summary = format!(
        "Response Prepare OK (statement {statement}, {}, {})",
        counted(u64::from(params), "parameter"),
        counted(u64::from(columns), "column")
    );
    let mut detail = Vec::new();
    if let Some(sql) = sql {
        detail.push(format!("statement {statement}: {}", short_text(sql.as_bytes(), TEXT_CHARS)));
        shared.prepared(statement, sql);
    }
    let message = message(cx, summary, Packet::PrepareOk { statement, params, columns }, None, detail);
    if definitions == 0 {
        cx.push_message(message);
        return None;
    }
    Some(Multi::Prepare { message: Box::new(message), left: definitions })
}

/// OK: `Response OK (1 row affected, last insert id 6)`.
pub(super) fn ok(payload: &[u8], caps: u32) -> (String, Vec<String>, Packet) {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let affected_rows = lenenc(&mut r).unwrap_or_default();
    let insert_id = lenenc(&mut r).unwrap_or_default();
    let status = r.u16_le().unwrap_or_default();
    let warnings = if caps & caps::PROTOCOL_41 != 0 { r.u16_le().unwrap_or_default() } else { 0 };
    let mut facts = Vec::new();
    if affected_rows > 0 {
        facts.push(format!("{} affected", counted(affected_rows, "row")));
    }
    if insert_id > 0 {
        facts.push(format!("last insert id {insert_id}"));
    }
    let summary = match facts.is_empty() {
        true => "Response OK".to_string(),
        false => format!("Response OK ({})", facts.join(", ")),
    };
    let detail = vec![
        format!("affected rows: {affected_rows}"),
        format!("last insert id: {insert_id}"),
        format!("status: {status:#06x}"),
        format!("warnings: {warnings}"),
    ];
    (summary, detail, Packet::Ok { affected_rows, more_results: status & MORE_RESULTS != 0 })
}

/// ERR: `Response Error 1146 (42S02: Table 'shop.no_such_table' doesn't exist)`.
pub(super) fn error(payload: &[u8]) -> (String, Vec<String>, u16) {
    let mut r = Reader::new(payload.get(1..).unwrap_or_default());
    let code = r.u16_le().unwrap_or_default();
    // Protocol 4.1 puts `#` and a five-character SQL state before the message.
    let state = match payload.get(3) {
        Some(b'#') => r.take(6).ok().and_then(|s| s.get(1..)).map(|s| short_text(s, 5)),
        _ => None,
    };
    let text = short_text(r.rest(), TEXT_CHARS);
    let mut detail = vec![format!("error code: {code}")];
    let summary = match &state {
        Some(state) => {
            detail.push(format!("SQL state: {state}"));
            format!("Response Error {code} ({state}: {text})")
        }
        None => format!("Response Error {code} ({text})"),
    };
    detail.push(format!("message: {text}"));
    (summary, detail, code)
}

/// The status flags of an EOF packet (`0xfe`, warnings, status).
pub(super) fn status_of_eof(payload: &[u8]) -> u16 {
    let mut r = Reader::new(payload.get(3..).unwrap_or_default());
    r.u16_le().unwrap_or_default()
}

/// `1 row`, `3 rows`.
pub(super) fn counted(n: u64, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}
