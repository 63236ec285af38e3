//! `conversations --format text`: one line per stream, columns aligned like `tshark -q -z conv,tcp`.

use super::{Conversation, Conversations, diagram_command};
use std::io::{self, Write};

/// Longest first exchange shown; longer ones end in `…` (the JSON has them whole).
const EXCHANGE_CHARS: usize = 60;

const HEADER: [&str; 18] = [
    "Stream",
    "Client",
    "Server",
    "Pkts c→s",
    "Pkts s→c",
    "Bytes c→s",
    "Bytes s→c",
    "Start",
    "Duration",
    "Protocol",
    "First exchange",
    "Closed",
    "RTT",
    "Retr",
    "Lost",
    "DupACK",
    "ZeroWin",
    "Draw it",
];

/// Columns of numbers, aligned right.
const NUMERIC: [usize; 12] = [0, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16];

/// Writes the table: a title line, the header, one line per row.
pub fn write_text(out: &mut dyn Write, conversations: &Conversations) -> io::Result<()> {
    let shown = conversations.rows.len();
    let total = conversations.total;
    let streams = if total == 1 { "1 TCP stream".to_string() } else { format!("{total} TCP streams") };
    let shown_note = if shown < total { format!(", {shown} shown") } else { String::new() };
    writeln!(out, "TCP conversations of {}: {streams}{shown_note}", conversations.capture.display())?;
    let rows: Vec<[String; 18]> = conversations.rows.iter().map(|c| cells(c, conversations)).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    write_row(out, &widths, &HEADER.map(String::from))?;
    for row in &rows {
        write_row(out, &widths, row)?;
    }
    Ok(())
}

fn cells(c: &Conversation, all: &Conversations) -> [String; 18] {
    let conn = &c.connection;
    let problems = conn.problems;
    [
        conn.index.to_string(),
        conn.client.to_string(),
        conn.server.to_string(),
        conn.packets[0].to_string(),
        conn.packets[1].to_string(),
        conn.frame_bytes[0].to_string(),
        conn.frame_bytes[1].to_string(),
        format!("{:.6}", conn.start().as_secs_f64()),
        format!("{:.6}", conn.duration().as_secs_f64()),
        c.protocol(),
        c.exchange().map_or_else(|| "-".to_string(), |e| shorten(&e, EXCHANGE_CHARS)),
        c.close(),
        conn.handshake_rtt.map_or_else(|| "-".to_string(), |rtt| format!("{:.3} ms", rtt.as_secs_f64() * 1e3)),
        problems.retransmissions.to_string(),
        problems.lost_segments.to_string(),
        problems.duplicate_acks.to_string(),
        problems.zero_windows.to_string(),
        diagram_command(&all.capture, conn.index),
    ]
}

/// One line of at most `chars` characters, control characters shown as `�`.
pub(super) fn shorten(text: &str, chars: usize) -> String {
    let clean = |c: char| if c.is_control() { '\u{FFFD}' } else { c };
    if text.chars().count() <= chars {
        return text.chars().map(clean).collect();
    }
    let mut short: String = text.chars().take(chars.saturating_sub(1)).map(clean).collect();
    short.push('…');
    short
}

fn write_row(out: &mut dyn Write, widths: &[usize; 18], cells: &[String; 18]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
        if NUMERIC.contains(&i) {
            line.push_str(&format!("{pad}{cell}  "));
        } else {
            line.push_str(&format!("{cell}{pad}  "));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Sort, conversations};
    use std::path::Path;

    #[test]
    fn one_aligned_line_per_stream_ending_with_the_command_that_draws_it() {
        let path = Path::new("captures/http-keepalive.pcap");
        let found =
            conversations(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path), &Default::default(), Sort::Start, None)
                .unwrap();
        let found = Conversations { capture: path.to_path_buf(), ..found };
        let mut out = Vec::new();
        write_text(&mut out, &found).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[0], "TCP conversations of captures/http-keepalive.pcap: 1 TCP stream");
        assert!(lines[1].starts_with("Stream  Client "), "{text}");
        let cells: Vec<&str> = lines[2].split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
        let expected = ["0", "127.0.0.1:53014", "127.0.0.1:18080", "11", "10", "1172", "5802", "0.000000"];
        assert_eq!(cells[..8], expected, "{text}");
        assert_eq!(cells[9..12], ["HTTP", "GET / → 200", "server FIN"], "{text}");
        assert_eq!(cells.last(), Some(&"tcpdialog diagram captures/http-keepalive.pcap --stream 0"), "{text}");
        assert_eq!(shorten("a\u{0}bcdef", 4), "a�b…");
    }
}
