//! The PostgreSQL frontend/backend protocol, version 3 (PostgreSQL docs, "Message Formats"), over one direction.
//!
//! The client starts with untagged messages (SSLRequest, StartupMessage); everything after is a type byte, a
//! length and a body. Summaries use the documentation's message names: `StartupMessage (user=app,
//! database=shop)`, `Query: SELECT 1`, `RowDescription (2 columns)`, `DataRow (2 columns)`, `CommandComplete
//! (SELECT 1)`, `ReadyForQuery (idle)`. Passwords and SASL exchanges are always shown as `…redacted…` when
//! redaction is on. After SSLRequest, an `S` from the server switches both directions to TLS.

use super::contract::{Cx, Step, StreamDecoder};
use super::data::{clean_sql, short_text};
use super::reader::Reader;
use super::{MessageKind, Protocol};
use crate::tcp::Direction;
use std::cell::RefCell;
use std::rc::Rc;

/// Body bytes kept per message (a long query or row is summarised from its start).
const KEEP: usize = 8 * 1024;
/// Characters of SQL or error text shown in a summary.
const TEXT_CHARS: usize = 80;

const PROTOCOL_3: u32 = 196_608;
const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;
const CANCEL_REQUEST: u32 = 80_877_102;

/// The codes an untagged startup packet can carry: protocol 3.0, SSLRequest, GSSENCRequest, CancelRequest
/// (how the protocol is recognised).
pub const STARTUP_CODES: [u32; 4] = [PROTOCOL_3, SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST];

/// A message's type, read from its tag in the direction it travels (the frontend and the backend use some
/// letters for different messages), named as the PostgreSQL documentation ("Message Formats") names it. Only
/// the types a later stage reasons about have a variant of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PgMessage {
    /// Untagged: StartupMessage, SSLRequest, GSSENCRequest or CancelRequest.
    Startup,
    /// The server's one-byte answer to SSLRequest or GSSENCRequest (`S`, `G`, `N`).
    EncryptionAnswer(u8),
    Query,
    Parse,
    Bind,
    Sync,
    FunctionCall,
    Terminate,
    OtherFrontend(u8),
    ReadyForQuery,
    ErrorResponse,
    OtherBackend(u8),
}

impl PgMessage {
    /// The type of a tagged message sent in `dir`.
    pub fn of(dir: Direction, tag: u8) -> PgMessage {
        match (dir, tag) {
            (Direction::ClientToServer, b'Q') => PgMessage::Query,
            (Direction::ClientToServer, b'P') => PgMessage::Parse,
            (Direction::ClientToServer, b'B') => PgMessage::Bind,
            (Direction::ClientToServer, b'S') => PgMessage::Sync,
            (Direction::ClientToServer, b'F') => PgMessage::FunctionCall,
            (Direction::ClientToServer, b'X') => PgMessage::Terminate,
            (Direction::ClientToServer, other) => PgMessage::OtherFrontend(other),
            (Direction::ServerToClient, b'Z') => PgMessage::ReadyForQuery,
            (Direction::ServerToClient, b'E') => PgMessage::ErrorResponse,
            (Direction::ServerToClient, other) => PgMessage::OtherBackend(other),
        }
    }
}

/// What one direction tells the other about a connection.
#[derive(Debug, Default)]
pub struct PgConnection {
    /// The client asked for TLS (SSLRequest) or GSSAPI encryption and the server has not answered yet.
    encryption_requested: bool,
    /// Authentication method the server asked for last (`AuthenticationRequest` code).
    auth: Option<u32>,
}

/// Decoder for one direction of a PostgreSQL connection.
#[derive(Debug)]
pub struct PostgresDecoder {
    dir: Direction,
    /// The client has not sent its StartupMessage yet: its messages are untagged.
    untagged: bool,
    /// Authentication method the server asked for last (decides how a `p` message reads).
    auth: Option<u32>,
    connection: Rc<RefCell<PgConnection>>,
}

/// The decoders of both directions of one connection.
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    let connection = Rc::new(RefCell::new(PgConnection::default()));
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(PostgresDecoder::new(dir, Rc::clone(&connection))) as Box<dyn StreamDecoder>)
}

impl PostgresDecoder {
    pub fn new(dir: Direction, connection: Rc<RefCell<PgConnection>>) -> Self {
        PostgresDecoder { dir, untagged: dir == Direction::ClientToServer, auth: None, connection }
    }

    fn startup(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        let mut r = Reader::new(buf);
        let Ok(len) = r.u32() else { return Step::Need };
        let len = len as usize;
        if !(8..=10_000).contains(&len) {
            cx.malformed(0, Protocol::Postgres, format!("startup packet length {len} out of range"));
            return Step::Fail { used: 0 };
        }
        let Ok(mut body) = Reader::new(buf).sub(len) else {
            return Step::Need;
        };
        let _length = body.u32();
        let code = body.u32().unwrap_or_default();
        let (summary, detail) = match code {
            SSL_REQUEST => {
                self.connection.borrow_mut().encryption_requested = true;
                ("SSLRequest".to_string(), Vec::new())
            }
            GSSENC_REQUEST => {
                self.connection.borrow_mut().encryption_requested = true;
                ("GSSENCRequest".to_string(), Vec::new())
            }
            CANCEL_REQUEST => (format!("CancelRequest (pid {})", body.u32().unwrap_or_default()), Vec::new()),
            PROTOCOL_3 => {
                self.untagged = false;
                let mut params = Vec::new();
                while let Ok(name) = body.cstr() {
                    if name.is_empty() {
                        break;
                    }
                    let value = body.cstr().unwrap_or_default();
                    params.push((short_text(name, 40), short_text(value, TEXT_CHARS)));
                }
                let shown: Vec<String> = params
                    .iter()
                    .filter(|(n, _)| n == "user" || n == "database")
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect();
                let detail = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
                (format!("StartupMessage ({})", shown.join(", ")), detail)
            }
            other => {
                self.untagged = false;
                (format!("StartupMessage (protocol {}.{})", other >> 16, other & 0xffff), Vec::new())
            }
        };
        let mut message = cx.message(
            0,
            Protocol::Postgres,
            summary,
            MessageKind::Postgres { message: PgMessage::Startup, query: None },
        );
        message.detail = detail;
        cx.push_message(message);
        Step::Used { used: len, skip: 0 }
    }
}

impl StreamDecoder for PostgresDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::Postgres
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        if self.untagged {
            return self.startup(buf, cx);
        }
        if self.dir == Direction::ServerToClient && self.connection.borrow().encryption_requested {
            // The answer to SSLRequest or GSSENCRequest is one untagged byte.
            let Some(&answer) = buf.first() else {
                return Step::Need;
            };
            self.connection.borrow_mut().encryption_requested = false;
            match answer {
                b'S' => {
                    cx.push(
                        0,
                        Protocol::Postgres,
                        "SSL accepted (S)".to_string(),
                        MessageKind::Postgres { message: PgMessage::EncryptionAnswer(answer), query: None },
                    );
                    return Step::Switch { used: 1, to: Some(Protocol::Tls) };
                }
                b'G' => {
                    cx.push(
                        0,
                        Protocol::Postgres,
                        "GSSAPI accepted (G)".to_string(),
                        MessageKind::Postgres { message: PgMessage::EncryptionAnswer(answer), query: None },
                    );
                    return Step::Switch { used: 1, to: Some(Protocol::Data) };
                }
                b'N' => {
                    cx.push(
                        0,
                        Protocol::Postgres,
                        "Encryption refused (N)".to_string(),
                        MessageKind::Postgres { message: PgMessage::EncryptionAnswer(answer), query: None },
                    );
                    return Step::Used { used: 1, skip: 0 };
                }
                // Servers that do not know SSLRequest answer with an ErrorResponse: decode it normally.
                _ => {}
            }
        }
        let mut r = Reader::new(buf);
        let (Ok(tag), Ok(len)) = (r.u8(), r.u32()) else {
            return Step::Need;
        };
        let Some(body_len) = (len as usize).checked_sub(4) else {
            cx.malformed(0, Protocol::Postgres, format!("message '{}' with length {len}", char::from(tag)));
            return Step::Fail { used: 0 };
        };
        let keep = body_len.min(KEEP);
        let Ok(body) = r.take(keep) else {
            return Step::Need;
        };
        let (summary, detail) = match self.dir {
            Direction::ClientToServer => self.frontend(tag, body, cx),
            Direction::ServerToClient => backend(tag, body),
        };
        if self.dir == Direction::ServerToClient && tag == b'R' {
            let kind = Reader::new(body).u32().ok();
            self.connection.borrow_mut().auth = kind;
        }
        let query = match (self.dir, tag) {
            (Direction::ClientToServer, b'Q') => Some(sql_text(body)),
            (Direction::ClientToServer, b'P') => {
                let mut r = Reader::new(body);
                r.cstr().ok().map(|_statement_name| sql_text(r.rest()))
            }
            _ => None,
        };
        let mut message = cx.message(
            0,
            Protocol::Postgres,
            summary,
            MessageKind::Postgres { message: PgMessage::of(self.dir, tag), query },
        );
        message.detail = detail;
        if body_len > keep {
            message.detail.push(format!("{body_len} bytes, first {keep} decoded"));
        }
        cx.push_message(message);
        Step::Used { used: 5 + keep, skip: (body_len - keep) as u64 }
    }
}

impl PostgresDecoder {
    fn frontend(&mut self, tag: u8, body: &[u8], cx: &Cx) -> (String, Vec<String>) {
        let mut r = Reader::new(body);
        let text = |r: &mut Reader| short_text(r.cstr().unwrap_or_else(|_| r.rest()), TEXT_CHARS);
        self.auth = self.connection.borrow().auth;
        let summary = match tag {
            b'Q' => format!("Query: {}", text(&mut r)),
            b'p' => match self.auth {
                // SASL: the first message names the mechanism, the rest is the exchange itself.
                Some(10) => format!("SASLInitialResponse ({}, {})", text(&mut r), cx.redact.secret("…")),
                Some(11) => format!("SASLResponse ({})", cx.redact.secret("…")),
                _ => format!("PasswordMessage ({})", cx.redact.secret(&text(&mut r))),
            },
            b'X' => "Terminate".to_string(),
            b'P' => {
                let name = text(&mut r);
                let query = text(&mut r);
                if name.is_empty() { format!("Parse: {query}") } else { format!("Parse ({name}): {query}") }
            }
            b'B' => "Bind".to_string(),
            b'E' => "Execute".to_string(),
            b'D' => "Describe".to_string(),
            b'S' => "Sync".to_string(),
            b'H' => "Flush".to_string(),
            b'C' => "Close".to_string(),
            b'd' => format!("CopyData ({} bytes)", body.len()),
            b'c' => "CopyDone".to_string(),
            b'f' => format!("CopyFail: {}", text(&mut r)),
            b'F' => "FunctionCall".to_string(),
            other => format!("Unknown frontend message '{}'", char::from(other).escape_default()),
        };
        (summary, Vec::new())
    }
}

/// The SQL of a Query or Parse as later stages may print it: up to its terminating NUL, cleaned by
/// [`clean_sql`].
fn sql_text(body: &[u8]) -> String {
    let mut r = Reader::new(body);
    clean_sql(r.cstr().unwrap_or_else(|_| r.rest()))
}

fn backend(tag: u8, body: &[u8]) -> (String, Vec<String>) {
    let mut r = Reader::new(body);
    let text = |r: &mut Reader| short_text(r.cstr().unwrap_or_else(|_| r.rest()), TEXT_CHARS);
    let summary = match tag {
        b'R' => authentication(&mut r),
        b'S' => {
            let name = text(&mut r);
            format!("ParameterStatus ({name}={})", text(&mut r))
        }
        b'K' => format!("BackendKeyData (pid {})", r.u32().unwrap_or_default()),
        b'Z' => {
            let status = match r.u8() {
                Ok(b'I') => "idle",
                Ok(b'T') => "in transaction",
                Ok(b'E') => "failed transaction",
                _ => "unknown",
            };
            format!("ReadyForQuery ({status})")
        }
        b'T' => format!("RowDescription ({} columns)", r.u16().unwrap_or_default()),
        b'D' => format!("DataRow ({} columns)", r.u16().unwrap_or_default()),
        b'C' => format!("CommandComplete ({})", text(&mut r)),
        b'E' | b'N' => return notice(tag, &mut r),
        b'I' => "EmptyQueryResponse".to_string(),
        b'1' => "ParseComplete".to_string(),
        b'2' => "BindComplete".to_string(),
        b'3' => "CloseComplete".to_string(),
        b'n' => "NoData".to_string(),
        b's' => "PortalSuspended".to_string(),
        b't' => format!("ParameterDescription ({} parameters)", r.u16().unwrap_or_default()),
        b'A' => {
            let _pid = r.u32();
            format!("NotificationResponse ({})", text(&mut r))
        }
        b'G' => "CopyInResponse".to_string(),
        b'H' => "CopyOutResponse".to_string(),
        b'W' => "CopyBothResponse".to_string(),
        b'd' => format!("CopyData ({} bytes)", body.len()),
        b'c' => "CopyDone".to_string(),
        b'v' => "NegotiateProtocolVersion".to_string(),
        b'V' => "FunctionCallResponse".to_string(),
        other => format!("Unknown backend message '{}'", char::from(other).escape_default()),
    };
    (summary, Vec::new())
}

fn authentication(r: &mut Reader) -> String {
    match r.u32() {
        Ok(0) => "AuthenticationOk".to_string(),
        Ok(2) => "AuthenticationKerberosV5".to_string(),
        Ok(3) => "AuthenticationCleartextPassword".to_string(),
        Ok(5) => "AuthenticationMD5Password".to_string(),
        Ok(7) => "AuthenticationGSS".to_string(),
        Ok(8) => "AuthenticationGSSContinue".to_string(),
        Ok(9) => "AuthenticationSSPI".to_string(),
        Ok(10) => {
            let mut mechanisms = Vec::new();
            while let Ok(m) = r.cstr() {
                if m.is_empty() {
                    break;
                }
                mechanisms.push(short_text(m, 40));
            }
            format!("AuthenticationSASL ({})", mechanisms.join(", "))
        }
        Ok(11) => "AuthenticationSASLContinue".to_string(),
        Ok(12) => "AuthenticationSASLFinal".to_string(),
        Ok(other) => format!("Authentication request {other}"),
        Err(_) => "Authentication request (truncated)".to_string(),
    }
}

/// ErrorResponse / NoticeResponse: `ErrorResponse (ERROR 42P01: relation "x" does not exist)`.
fn notice(tag: u8, r: &mut Reader) -> (String, Vec<String>) {
    let mut fields = Vec::new();
    while let Ok(code) = r.u8() {
        if code == 0 {
            break;
        }
        let value = short_text(r.cstr().unwrap_or_else(|_| r.rest()), TEXT_CHARS);
        fields.push((code, value));
    }
    let get = |c: u8| fields.iter().find(|(code, _)| *code == c).map(|(_, v)| v.as_str()).unwrap_or_default();
    let name = if tag == b'E' { "ErrorResponse" } else { "NoticeResponse" };
    let summary = format!("{name} ({} {}: {})", get(b'S'), get(b'C'), get(b'M'));
    let detail = fields.iter().map(|(code, v)| format!("{}: {v}", char::from(*code))).collect();
    (summary, detail)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{decode_exchange, decode_split_everywhere};
    use super::super::{DecoderOptions, Message};
    use super::*;

    fn tagged(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![tag];
        bytes.extend((body.len() as u32 + 4).to_be_bytes());
        bytes.extend(body);
        bytes
    }

    fn startup() -> Vec<u8> {
        let params = b"user\0app\0database\0shop\0application_name\0psql\0\0";
        let mut bytes = ((params.len() + 8) as u32).to_be_bytes().to_vec();
        bytes.extend(PROTOCOL_3.to_be_bytes());
        bytes.extend(params);
        bytes
    }

    fn summaries(messages: &[Message]) -> Vec<&str> {
        messages.iter().map(|m| m.summary.as_str()).collect()
    }

    #[test]
    fn startup_md5_login_and_a_query() {
        let c2s = [startup(), tagged(b'p', b"md5abcdefs3cret-pw\0"), tagged(b'Q', b"SELECT 1;\0"), tagged(b'X', b"")]
            .concat();
        let s2c = [
            tagged(b'R', &[0, 0, 0, 5, 1, 2, 3, 4]),
            tagged(b'R', &[0, 0, 0, 0]),
            tagged(b'S', b"server_version\x0016.2\0"),
            tagged(b'K', &[0, 0, 0x30, 0x39, 0, 0, 0, 1]),
            tagged(b'Z', b"I"),
            tagged(b'T', &[0, 1, b'x']),
            tagged(b'D', &[0, 1, 0, 0, 0, 1, b'1']),
            tagged(b'C', b"SELECT 1\0"),
            tagged(b'E', b"SERROR\0C42P01\0Mrelation \"x\" does not exist\0\0"),
        ]
        .concat();
        let (startup_and_pw, rest) = c2s.split_at(startup().len() + 24);
        let (auth, rest_s2c) = s2c.split_at(13);
        let turns: [(Direction, &[u8]); 4] = [
            (Direction::ClientToServer, startup_and_pw.get(..startup().len()).unwrap()),
            (Direction::ServerToClient, auth),
            (Direction::ClientToServer, &[startup_and_pw.get(startup().len()..).unwrap(), rest].concat()),
            (Direction::ServerToClient, rest_s2c),
        ];
        let messages = decode_exchange(DecoderOptions::default(), &turns);
        assert_eq!(
            summaries(&messages),
            [
                "StartupMessage (user=app, database=shop)",
                "AuthenticationMD5Password",
                "PasswordMessage (…redacted…)",
                "Query: SELECT 1;",
                "Terminate",
                "AuthenticationOk",
                "ParameterStatus (server_version=16.2)",
                "BackendKeyData (pid 12345)",
                "ReadyForQuery (idle)",
                "RowDescription (1 columns)",
                "DataRow (1 columns)",
                "CommandComplete (SELECT 1)",
                "ErrorResponse (ERROR 42P01: relation \\\"x\\\" does not exist)",
            ]
        );
        assert!(!format!("{messages:?}").contains("s3cret-pw"));
        let queries: Vec<Option<&str>> = messages
            .iter()
            .map(|m| match &m.kind {
                MessageKind::Postgres { query, .. } => query.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(queries.iter().flatten().collect::<Vec<_>>(), [&"SELECT 1;"], "only the Query carries SQL");
    }

    #[test]
    fn ssl_request_answered_s_switches_to_tls() {
        let ssl = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
        let hello = [22, 3, 1, 0, 4, 1, 0, 0, 0];
        let turns: [(Direction, &[u8]); 3] =
            [(Direction::ClientToServer, &ssl), (Direction::ServerToClient, b"S"), (Direction::ClientToServer, &hello)];
        let messages = decode_exchange(DecoderOptions::default(), &turns);
        assert_eq!(summaries(&messages)[..2], ["SSLRequest", "SSL accepted (S)"]);
        assert!(messages[2].summary.starts_with("Client Hello"), "{}", messages[2].summary);
        assert_eq!(messages[2].protocol, Protocol::Tls);
    }

    fn query_of(message: &Message) -> Option<&str> {
        match &message.kind {
            MessageKind::Postgres { query, .. } => query.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn sql_of_query_and_parse_carries_no_control_characters() {
        let parse_body = [&b"s1\0SELECT $1::int\n  + 1\0"[..], &[0, 1, 0, 0, 0, 23]].concat();
        let bytes = [
            startup(),
            tagged(b'Q', b"SELECT '\x1b[31mred\x07' AS x\0"),
            tagged(b'P', &parse_body),
            tagged(b'S', b""),
            tagged(b'F', &[0, 0, 7, 0xea, 0, 0, 0, 0, 0, 0]),
        ]
        .concat();
        let messages = decode_split_everywhere(Protocol::Postgres, Direction::ClientToServer, &bytes);
        let queries: Vec<Option<&str>> = messages.iter().map(query_of).collect();
        assert_eq!(
            queries,
            [None, Some("SELECT '.[31mred.' AS x"), Some("SELECT $1::int   + 1"), None, None],
            "the ESC and BEL of the Query are replaced, the Parse's newline is a space"
        );
        assert_eq!(summaries(&messages)[2], "Parse (s1): SELECT $1::int\\n  + 1");
        assert!(!format!("{messages:?}").contains('\x1b'));
    }

    #[test]
    fn split_anywhere_gives_the_same_messages() {
        let bytes = [startup(), tagged(b'Q', &[b'x'; 10_000]), tagged(b'Q', b"SELECT 2\0")].concat();
        let messages = decode_split_everywhere(Protocol::Postgres, Direction::ClientToServer, &bytes);
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[2].summary, "Query: SELECT 2");
        assert_eq!(
            messages[2].kind,
            MessageKind::Postgres { message: PgMessage::Query, query: Some("SELECT 2".to_string()) }
        );
    }
}
