//! The MySQL / MariaDB classic protocol over one direction (MySQL's "Client/Server Protocol"; MariaDB's is the
//! same on the wire): packets of a 3-byte length, a sequence id and a payload.
//!
//! The server opens with its greeting; the client logs in (or asks for TLS first: then both directions switch to
//! TLS and the login is inside); after the authentication exchange (auth switch, plugin data) and the server's
//! OK, the client sends commands and the server answers each one. Summaries read like Wireshark's Info column,
//! without its double spaces: `Server Greeting proto=10 version=10.11.19-MariaDB-0+deb12u1`, `Login Request
//! user=app db=shop`, `Request Query: SELECT 1`, `Response OK`, `Response Error 1146 (42S02: …)`, `Response
//! TABULAR (3 columns, 3 rows)`. A result set is one message, completed by the segment that brings its
//! terminator; when it spans segments, the segment where its rows start to arrive also shows it so far, as
//! Wireshark does. Row bodies are skipped, never kept. The auth response is `…redacted…` when redaction is on.
//! After a login with CLIENT_COMPRESS every packet is wrapped in the compressed protocol's header
//! (`compressed.rs`); payloads sent uncompressed are decoded, zlib ones are named, not inflated.
//!
//! Files: this one frames packets and holds what both directions share; `handshake.rs` (greeting, login,
//! authentication), `command.rs` (the client's commands), `response.rs` (the server's answers), `multi.rs`
//! (answers of several packets: result sets, prepare OKs), `compressed.rs`, `wire.rs` (header, length-encoded
//! values), `names.rs` (wire codes and their names).

mod command;
mod compressed;
mod handshake;
mod multi;
mod names;
mod response;
#[cfg(test)]
mod tests;
mod wire;

pub use names::{Command, Packet, ResultEnd};

use super::contract::{Cx, Step, StreamDecoder};
use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use wire::{HEADER_LEN, Header, MAX_PAYLOAD};

/// Payload bytes kept per packet (a long query is summarised from its start, the rest skipped).
const KEEP: usize = 8 * 1024;
/// Characters of SQL or server text shown in a summary.
const TEXT_CHARS: usize = 80;
/// Most unanswered commands and prepared statements remembered per connection.
const MAX_PENDING: usize = 1024;

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stage {
    /// Nothing seen yet (the capture may start later in the connection).
    #[default]
    Start,
    /// After the greeting or the login, until the server's OK or ERR.
    Auth,
    Commands,
}

/// A command the server has not answered yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    /// `None`: a compressed command that was not inflated.
    command: Option<Command>,
    /// The SQL of a COM_STMT_PREPARE, for the statement its answer creates.
    sql: Option<String>,
}

/// What the two directions of a connection tell each other.
#[derive(Debug, Default)]
struct Shared {
    stage: Stage,
    server_caps: Option<u32>,
    client_caps: Option<u32>,
    /// The server asked for another auth plugin: the client's next auth packet answers it.
    auth_switched: bool,
    /// Commands not answered yet, oldest first.
    pending: VecDeque<Pending>,
    /// SQL of the statements prepared in the capture, by statement id.
    statements: BTreeMap<u32, String>,
    /// Both directions use the compressed protocol from now on.
    compressed: bool,
    /// Sequence id of the client's last compressed packet: the server's answer to a command continues it.
    client_compressed_seq: u8,
}

impl Shared {
    /// The capabilities both sides have (the server's are unknown when the greeting was not seen, as inside TLS:
    /// a client only asks for what the server offered).
    fn caps(&self) -> u32 {
        self.client_caps.unwrap_or(0) & self.server_caps.unwrap_or(u32::MAX)
    }

    fn has(&self, flag: u32) -> bool {
        self.caps() & flag != 0
    }

    fn remember(&mut self, pending: Pending) {
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(pending);
    }

    fn answered(&mut self) -> Option<Pending> {
        self.pending.pop_front()
    }

    fn next_command(&self) -> Option<Command> {
        self.pending.front().and_then(|p| p.command)
    }

    fn prepared(&mut self, statement: u32, sql: String) {
        if self.statements.len() >= MAX_PENDING {
            self.statements.pop_first();
        }
        self.statements.insert(statement, sql);
    }
}

/// The decoders of both directions of one connection, sharing what they learn.
pub fn decoders() -> [Box<dyn StreamDecoder>; 2] {
    let shared = Rc::new(RefCell::new(Shared::default()));
    [Direction::ClientToServer, Direction::ServerToClient]
        .map(|dir| Box::new(MySqlDecoder::new(dir, Rc::clone(&shared))) as Box<dyn StreamDecoder>)
}

/// Decoder for one direction of a MySQL connection.
#[derive(Debug)]
pub struct MySqlDecoder {
    dir: Direction,
    shared: Rc<RefCell<Shared>>,
    /// A server answer of several packets under way (a result set, a prepare OK's definitions).
    multi: Option<multi::Multi>,
    /// The next packet continues a payload of [`MAX_PAYLOAD`] bytes: it is skipped.
    continued: bool,
    /// The compressed protocol's inner packet stream.
    layer: compressed::Layer,
}

/// One packet as a handler sees it: its header and the start of its payload.
struct Incoming<'a> {
    seq: u8,
    /// Length of the whole payload.
    len: u32,
    /// Its first [`KEEP`] bytes at most.
    payload: &'a [u8],
}

impl Incoming<'_> {
    fn first(&self) -> Option<u8> {
        self.payload.first().copied()
    }
}

/// What a packet handler asks of the framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Stay,
    /// The client asked for TLS: both directions switch after this packet.
    Tls,
}

impl MySqlDecoder {
    fn new(dir: Direction, shared: Rc<RefCell<Shared>>) -> Self {
        MySqlDecoder { dir, shared, multi: None, continued: false, layer: compressed::Layer::default() }
    }

    /// One packet at the start of `buf`, or as many as it holds of a multi-packet answer.
    fn packet_step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        if self.multi.is_some() {
            return multi::continue_multi(self, buf, cx);
        }
        let Some(header) = Header::read(buf) else {
            return Step::Need;
        };
        let keep = (header.len as usize).min(KEEP);
        if std::mem::replace(&mut self.continued, header.len == MAX_PAYLOAD) {
            // The rest of a payload of 16 MiB or more: already summarised from its start.
            let here = buf.len().min(header.total());
            return Step::Used { used: here, skip: (header.total() - here) as u64 };
        }
        let Some(payload) = buf.get(HEADER_LEN..HEADER_LEN + keep) else {
            return Step::Need;
        };
        let packet = Incoming { seq: header.seq, len: header.len, payload };
        let before = cx.out.len();
        let next = match self.dir {
            Direction::ClientToServer => self.client_packet(&packet, cx),
            Direction::ServerToClient => self.server_packet(&packet, cx),
        };
        if keep < header.len as usize {
            for message in cx.out.iter_mut().skip(before) {
                message.detail.push(format!("{} bytes, first {keep} decoded", header.len));
            }
        }
        let used = HEADER_LEN + keep;
        match next {
            Next::Stay => Step::Used { used, skip: u64::from(header.len) - keep as u64 },
            Next::Tls => Step::Switch { used, to: Some(Protocol::Tls) },
        }
    }

    fn client_packet(&mut self, packet: &Incoming, cx: &mut Cx) -> Next {
        let (stage, logged_in) = {
            let shared = self.shared.borrow();
            (shared.stage, shared.client_caps.is_some())
        };
        match stage {
            Stage::Commands => {}
            // A command (sequence 0) before any login: the capture started after it.
            Stage::Start if packet.seq == 0 => self.shared.borrow_mut().stage = Stage::Commands,
            _ if !logged_in => return handshake::login(&mut self.shared.borrow_mut(), packet, cx),
            _ => {
                handshake::auth_data(&mut self.shared.borrow_mut(), packet, cx);
                return Next::Stay;
            }
        }
        command::decode(&mut self.shared.borrow_mut(), packet, cx);
        Next::Stay
    }

    fn server_packet(&mut self, packet: &Incoming, cx: &mut Cx) -> Next {
        let stage = self.shared.borrow().stage;
        if stage != Stage::Commands && handshake::server(&mut self.shared.borrow_mut(), packet, cx) {
            return Next::Stay;
        }
        self.shared.borrow_mut().stage = Stage::Commands;
        response::decode(self, packet, cx);
        Next::Stay
    }
}

impl StreamDecoder for MySqlDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::MySql
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        if self.shared.borrow().compressed {
            return compressed::step(self, buf, cx);
        }
        self.packet_step(buf, cx)
    }

    fn end(&mut self, buf: &[u8], cx: &mut Cx) {
        if let Some(multi) = self.multi.take() {
            let mut message = multi.into_message(cx);
            message.mark_incomplete();
            cx.push_message(message);
        }
        if !buf.is_empty() {
            let reason = format!("stream ended inside a MySQL packet ({} bytes)", buf.len());
            cx.malformed(0, Protocol::MySql, reason);
        }
    }
}

/// A message of this decoder at the start of the buffer.
fn message(cx: &Cx, summary: String, packet: Packet, query: Option<String>, detail: Vec<String>) -> Message {
    let mut message = cx.message(0, Protocol::MySql, summary, MessageKind::MySql { packet, query });
    message.detail = detail;
    message
}

fn push(cx: &mut Cx, summary: String, packet: Packet, detail: Vec<String>) {
    let message = message(cx, summary, packet, None, detail);
    cx.push_message(message);
}

/// Whether these bytes start a server greeting: a length, sequence id 0, protocol version 10 and a printable
/// version string ended by a NUL. `None`: too few bytes to tell yet.
pub(super) fn starts_with_greeting(bytes: &[u8]) -> Option<bool> {
    /// Longest version string looked at.
    const VERSION_MAX: usize = 64;
    let header = Header::read(bytes)?;
    if header.seq != 0 || !(30..=1024).contains(&header.len) {
        return Some(false);
    }
    if *bytes.get(HEADER_LEN)? != 10 {
        return Some(false);
    }
    let version = bytes.get(HEADER_LEN + 1..).unwrap_or_default();
    match version.iter().take(VERSION_MAX).position(|&b| !(0x20..0x7f).contains(&b)) {
        Some(end) => Some(end > 0 && version.get(end) == Some(&0)),
        None if version.len() < VERSION_MAX => None,
        None => Some(false),
    }
}
