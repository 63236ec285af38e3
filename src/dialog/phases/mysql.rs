//! MySQL's phases: the connection and authentication (the server's greeting to the OK or ERR that ends the
//! login), then one phase per query, prepare and execute, from the command to the last message of its answer,
//! with the rows it returned or changed and its duration; a failing one says so.

use super::{Found, short_sql};
use crate::dialog::PhaseKind;
use crate::proto::mysql::{Command, Packet, ResultEnd};
use crate::proto::{Message, MessageKind};
use crate::tcp::Direction;

/// One MySQL message with its facts.
type My<'a> = (&'a Message, Packet, Option<&'a str>);

pub(super) fn phases(messages: &[&Message]) -> Vec<Found> {
    let my: Vec<My> = messages
        .iter()
        .filter_map(|m| match &m.kind {
            MessageKind::MySql { packet, query } => Some((*m, *packet, query.as_deref())),
            _ => None,
        })
        .collect();
    let client: Vec<&My> = my.iter().filter(|(m, ..)| m.dir == Direction::ClientToServer).collect();
    let server: Vec<&My> = my.iter().filter(|(m, ..)| m.dir == Direction::ServerToClient).collect();
    let mut found = Vec::new();
    let login_answer = login(&my, &client, &server, &mut found);
    // The answers to commands start after the login's; without a login seen, after the connection phase's.
    let answers_from = match login_answer {
        Some(at) => at + 1,
        None => server.iter().position(|(_, packet, _)| !connection_phase(packet)).unwrap_or(server.len()),
    };
    let mut answers = server.get(answers_from..).unwrap_or_default().iter();
    for (command_message, packet, sql) in &client {
        let Packet::Command(command) = packet else { continue };
        if !command.expects_response() {
            continue;
        }
        let answer = Answer::read(&mut answers);
        if let (Some(end), Some(label)) = (answer.end, label(*command, *sql)) {
            let label = if answer.error.is_some() { format!("{label} fails") } else { label };
            found.push(Found {
                more: 0,
                kind: PhaseKind::Exchange,
                start_frame: command_message.frame,
                end_frame: end,
                label,
                timed: true,
                facts: answer.facts(),
            });
        }
    }
    found
}

/// The connection and authentication phase, pushed onto `found`; returns the position in `server` of the
/// message that ended the login.
fn login(my: &[My], client: &[&My], server: &[&My], found: &mut Vec<Found>) -> Option<usize> {
    let (login, ..) = client.iter().find(|(_, packet, _)| *packet == Packet::LoginRequest)?;
    let at = server.iter().position(|(m, packet, _)| {
        m.end_frame >= login.end_frame && matches!(packet, Packet::Ok { .. } | Packet::Error { .. })
    })?;
    let (end, packet, _) = server.get(at)?;
    let start = my.iter().find(|(_, packet, _)| connection_phase(packet)).map_or(login.frame, |(m, ..)| m.frame);
    let (label, facts) = match packet {
        Packet::Error { code } => ("connection + authentication fails", vec![format!("Error {code}")]),
        _ => ("connection + authentication", Vec::new()),
    };
    let (kind, end_frame) = (PhaseKind::Handshake, end.end_frame);
    found.push(Found { kind, start_frame: start, end_frame, label: label.to_string(), timed: true, facts, more: 0 });
    Some(at)
}

/// Packets of the connection phase, before any command.
fn connection_phase(packet: &Packet) -> bool {
    matches!(
        packet,
        Packet::Greeting { .. }
            | Packet::LoginRequest
            | Packet::SslRequest
            | Packet::AuthSwitchRequest
            | Packet::AuthSwitchResponse
            | Packet::AuthMoreData
            | Packet::AuthData
    )
}

/// `SELECT id, name FROM items` for a query, `prepare: …`, `execute: …` for a prepared statement; other commands
/// (pings, resets, USE) get no phase of their own.
fn label(command: Command, sql: Option<&str>) -> Option<String> {
    Some(match (command, sql) {
        (Command::Query, Some(sql)) => short_sql(sql),
        (Command::Query, None) => "query".to_string(),
        (Command::StmtPrepare, sql) => format!("prepare: {}", short_sql(sql.unwrap_or_default())),
        (Command::StmtExecute, Some(sql)) => format!("execute: {}", short_sql(sql)),
        (Command::StmtExecute, None) => "execute prepared statement".to_string(),
        _ => return None,
    })
}

/// What a command's answer came to.
#[derive(Default)]
struct Answer {
    /// The frame of its last message (none seen: the capture stops first).
    end: Option<u64>,
    rows: Option<u64>,
    affected_rows: u64,
    error: Option<u16>,
}

impl Answer {
    /// Reads the server's messages up to the one that ends an answer.
    fn read(answers: &mut std::slice::Iter<'_, &My<'_>>) -> Answer {
        let mut answer = Answer::default();
        for (message, packet, _) in answers {
            match *packet {
                // A result set spread over segments shows its start and its end: the end has the total.
                Packet::ResultSet { rows, end: Some(end), .. } => {
                    *answer.rows.get_or_insert(0) += rows;
                    if let ResultEnd::Error(code) = end {
                        answer.error = Some(code);
                    }
                }
                Packet::Ok { affected_rows, .. } => answer.affected_rows += affected_rows,
                Packet::Error { code } => answer.error = Some(code),
                _ => {}
            }
            if packet.ends_response() {
                answer.end = Some(message.end_frame);
                break;
            }
        }
        answer
    }

    /// `3 rows`, `1 row affected`, `Error 1146`.
    fn facts(&self) -> Vec<String> {
        let rows = |n: u64| if n == 1 { "1 row".to_string() } else { format!("{n} rows") };
        let mut facts = Vec::new();
        match (self.rows, self.affected_rows) {
            (Some(n), _) => facts.push(rows(n)),
            (None, n) if n > 0 => facts.push(format!("{} affected", rows(n))),
            _ => {}
        }
        if let Some(code) = self.error {
            facts.push(format!("Error {code}"));
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::analyze_file;
    use crate::dialog::{DialogOptions, PhaseKind, Selection, build};
    use crate::proto::DecoderOptions;
    use crate::proto::tls::read_key_log;
    use std::path::Path;
    use std::sync::Arc;

    /// (kind, first frame, last frame, label) of each phase of the capture's dialog.
    fn phases(capture: &str, keys: Option<&str>) -> Vec<(PhaseKind, u64, u64, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let keylog = keys.map(|k| Arc::new(read_key_log(&root.join(k)).unwrap().keys));
        let analysis = analyze_file(&root.join(capture), &DecoderOptions { keylog, ..Default::default() }).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        let frame = |i: usize| dialog.events[i].frame;
        dialog.phases.iter().map(|p| (p.kind, frame(p.first), frame(p.last), p.label.clone())).collect()
    }

    #[test]
    fn connection_queries_statements_and_quit() {
        // tshark -d tcp.port==18306,mysql on captures/mysql.pcap: Server Greeting in frame 4 (0.000201 s), the
        // login's OK in 10 (0.001284 s); SET NAMES 11-12 (0.001407 to 0.001480 s); the SELECT in 20 (0.052081 s)
        // answered by 3 rows in 21 (0.052526 s); the INSERT 23-24 (0.103258, 0.104713), OK with 1 affected row;
        // the failing SELECT 26-27 (0.155238, 0.155444) gets Error 1146; Prepare 29-30 (0.205896, 0.206106);
        // Execute 34-35 (0.206634, 0.210635) with one binary row; Quit in 45, the client's FIN in 46.
        let all = phases("captures/mysql.pcap", None);
        let exchanges: Vec<(u64, u64, &str)> =
            all.iter().filter(|p| p.0 != PhaseKind::Teardown).map(|p| (p.1, p.2, p.3.as_str())).collect();
        assert_eq!(
            exchanges,
            [
                (1, 3, "handshake (25 µs)"),
                (4, 10, "connection + authentication (1.1 ms)"),
                (11, 12, "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_ge… (73 µs)"),
                (13, 14, "SET @@session.autocommit = ON (34 µs)"),
                (20, 21, "SELECT id, name, price FROM items WHERE… (3 rows, 445 µs)"),
                (23, 24, "INSERT INTO items (name, price) VALUES… (1 row affected, 1.5 ms)"),
                (26, 27, "SELECT * FROM no_such_table fails (Error 1146, 206 µs)"),
                (29, 30, "prepare: SELECT name, price FROM items WHERE id… (210 µs)"),
                (34, 35, "execute: SELECT name, price FROM items WHERE id… (1 row, 4 ms)"),
            ]
        );
        let teardown = all.iter().find(|p| p.0 == PhaseKind::Teardown).expect("a teardown");
        assert_eq!((teardown.1, teardown.2, teardown.3.as_str()), (45, 48, "teardown (Quit, then client sends FIN)"));
    }

    #[test]
    fn a_result_set_over_two_segments_counts_all_its_rows() {
        // mysql-multi.pcap: SELECT n, pad FROM big in frame 23 (0.103045 s); tshark's packets 1-160 in frame 24,
        // 161-205 in 25 (0.103338 s): 200 rows. The 20 KB query starts in frame 29 (0.156048 s) and ends in 31,
        // its one row is in 33 (0.206528 s).
        let all = phases("tests/fixtures/mysql/mysql-multi.pcap", None);
        assert!(
            all.iter()
                .any(|p| (p.1, p.2, p.3.as_str()) == (23, 25, "SELECT n, pad FROM big ORDER BY n (200 rows, 293 µs)")),
            "{all:?}"
        );
        assert!(all.iter().any(|p| p.1 == 29 && p.2 == 33 && p.3.ends_with("(1 row, 50.5 ms)")), "{all:?}");
    }

    #[test]
    fn inside_tls_the_login_and_queries_are_phases_when_decrypted() {
        // mysql-tls.pcap with its key log: Server Greeting in frame 4 (0.000204 s), the decrypted login's OK in 15
        // (0.072148 s); SELECT … WHERE id <= 2 in 30 (0.183241 s), 2 rows in 31 (0.183843 s).
        let all = phases("tests/fixtures/mysql/mysql-tls.pcap", Some("tests/fixtures/mysql/mysql-tls.keys"));
        let labels: Vec<(u64, u64, &str)> = all.iter().map(|p| (p.1, p.2, p.3.as_str())).collect();
        assert!(labels.contains(&(4, 15, "connection + authentication (71.9 ms)")), "{labels:?}");
        assert!(labels.contains(&(30, 31, "SELECT id, name, price FROM items WHERE… (2 rows, 602 µs)")), "{labels:?}");
        // Without it: no login is seen, so no phase for it, and no queries.
        let hidden = phases("tests/fixtures/mysql/mysql-tls.pcap", None);
        assert!(!hidden.iter().any(|p| p.3.starts_with("connection") || p.3.starts_with("SELECT")), "{hidden:?}");
    }
}
