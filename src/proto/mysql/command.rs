//! The client's packets in the command phase: a command byte and its arguments (`Request Query: SELECT 1`,
//! `Request Execute Statement (statement 1)`), or data a command asked for (LOCAL INFILE contents).

use super::names::{Command, caps};
use super::wire::lenenc;
use super::{Incoming, Packet, Pending, Shared, TEXT_CHARS, message};
use crate::proto::contract::Cx;
use crate::proto::data::{clean_sql, short_text};
use crate::proto::reader::Reader;

/// A client packet after the login.
pub(super) fn decode(shared: &mut Shared, packet: &Incoming, cx: &mut Cx) {
    let Some((&code, args)) = packet.payload.split_first() else {
        let summary = "Request (empty packet)".to_string();
        cx.push_message(message(cx, summary, Packet::RequestData, None, Vec::new()));
        return;
    };
    if packet.seq != 0 {
        // Not a command: the next packet of one (a LOCAL INFILE's file contents, their empty last packet).
        let summary = format!("Request data ({} bytes)", packet.len);
        cx.push_message(message(cx, summary, Packet::RequestData, None, Vec::new()));
        return;
    }
    let command = Command::from_code(code);
    let described = describe(command, args, shared);
    let mut summary = format!("Request {}", command.name());
    if !described.argument.is_empty() {
        summary.push_str(&described.argument);
    }
    if command.expects_response() {
        let sql = (command == Command::StmtPrepare).then(|| described.query.clone()).flatten();
        shared.remember(Pending { command: Some(command), sql });
    }
    if command == Command::ChangeUser {
        // The server answers with the authentication exchange again.
        shared.stage = super::Stage::Auth;
    }
    let message = message(cx, summary, Packet::Command(command), described.query, described.detail);
    cx.push_message(message);
}

/// What a command's arguments say.
#[derive(Default)]
struct Described {
    /// Appended to `Request NAME`: `: SELECT 1`, ` (statement 1)`.
    argument: String,
    /// The SQL, for later stages.
    query: Option<String>,
    detail: Vec<String>,
}

fn describe(command: Command, args: &[u8], shared: &mut Shared) -> Described {
    let mut r = Reader::new(args);
    let text = |bytes: &[u8]| short_text(bytes, TEXT_CHARS);
    match command {
        Command::Query => query(args, shared.has(caps::QUERY_ATTRIBUTES)),
        Command::StmtPrepare => {
            Described { argument: format!(": {}", text(args)), query: Some(clean_sql(args)), detail: Vec::new() }
        }
        Command::InitDb | Command::CreateDb | Command::DropDb => Described {
            argument: format!(": {}", text(args)),
            detail: vec![format!("schema: {}", text(args))],
            ..Default::default()
        },
        Command::FieldList => {
            let table = text(r.cstr().unwrap_or_else(|_| r.rest()));
            Described { argument: format!(": {table}"), ..Default::default() }
        }
        Command::StmtExecute | Command::StmtClose | Command::StmtReset | Command::StmtFetch => {
            statement(command, &mut r, shared)
        }
        Command::StmtSendLongData => {
            let statement = r.u32_le().unwrap_or_default();
            let param = r.u16_le().unwrap_or_default();
            let argument = format!(" (statement {statement}, parameter {param}, {} bytes)", r.left());
            Described { argument, ..Default::default() }
        }
        Command::ProcessKill => {
            Described { argument: format!(" (thread {})", r.u32_le().unwrap_or_default()), ..Default::default() }
        }
        Command::ChangeUser => {
            let user = text(r.cstr().unwrap_or_default());
            Described { argument: format!(" user={user}"), detail: vec![format!("user: {user}")], ..Default::default() }
        }
        _ => Described::default(),
    }
}

/// COM_QUERY: the SQL, after the query attributes a client with CLIENT_QUERY_ATTRIBUTES sends first.
fn query(args: &[u8], attributes: bool) -> Described {
    let mut r = Reader::new(args);
    if attributes {
        let count = lenenc(&mut r).unwrap_or_default();
        let _parameter_sets = lenenc(&mut r);
        if count > 0 {
            // Their values' lengths depend on their types: the SQL after them is not looked for.
            let argument = format!(" (with {count} query attributes)");
            return Described { argument, ..Default::default() };
        }
    }
    let sql = r.rest();
    Described {
        argument: format!(": {}", short_text(sql, TEXT_CHARS)),
        query: Some(clean_sql(sql)),
        detail: Vec::new(),
    }
}

/// The statement commands: `Request Execute Statement (statement 1)`, with the statement's SQL when the capture
/// holds its prepare.
fn statement(command: Command, r: &mut Reader, shared: &mut Shared) -> Described {
    let id = r.u32_le().unwrap_or_default();
    let sql = match command {
        Command::StmtClose => shared.statements.remove(&id),
        _ => shared.statements.get(&id).cloned(),
    };
    let mut detail = Vec::new();
    if command == Command::StmtFetch {
        detail.push(format!("rows asked for: {}", r.u32_le().unwrap_or_default()));
    }
    if let Some(sql) = &sql {
        detail.push(format!("statement {id}: {}", short_text(sql.as_bytes(), TEXT_CHARS)));
    }
    let query = (command == Command::StmtExecute).then_some(sql).flatten();
    Described { argument: format!(" (statement {id})"), query, detail }
}
