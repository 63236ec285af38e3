//! `conversations --format text`: a header, then one line per stream in fixed columns (rows are written as
//! their connections end, so widths cannot wait for the widest cell); the first exchange ends the line.

use super::{Conversation, RowWriter, diagram_command};
use std::io::{self, Write};
use std::path::PathBuf;

/// Longest first exchange shown; longer ones end in `…` (the JSON has them whole).
const EXCHANGE_CHARS: usize = 60;

/// (header, width, aligned right). A longer cell widens its row only.
const COLUMNS: [(&str, usize, bool); 18] = [
    ("Stream", 6, true),
    ("Client", 21, false),
    ("Server", 21, false),
    ("Pkts c→s", 8, true),
    ("Pkts s→c", 8, true),
    ("Bytes c→s", 10, true),
    ("Bytes s→c", 10, true),
    ("Start", 12, true),
    ("Duration", 10, true),
    ("Protocol", 9, false),
    ("Closed", 10, false),
    ("RTT", 10, true),
    ("Retr", 5, true),
    ("Lost", 5, true),
    ("DupACK", 6, true),
    ("ZeroWin", 7, true),
    ("Draw it", 0, false),
    ("First exchange", 0, false),
];

/// The column of the command that draws the row.
const DRAW: usize = 16;

/// Writes the table to `out` as rows come.
pub struct TextRows<W: Write> {
    out: W,
    capture: PathBuf,
    widths: [usize; 18],
    header_written: bool,
}

impl<W: Write> TextRows<W> {
    pub fn new(out: W, capture: PathBuf) -> Self {
        let mut widths = COLUMNS.map(|(_, width, _)| width);
        // The command's length only changes with the stream number: room for six digits.
        widths[DRAW] = diagram_command(&capture, 100_000).chars().count();
        TextRows { out, capture, widths, header_written: false }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn header(&mut self) -> io::Result<()> {
        if !std::mem::replace(&mut self.header_written, true) {
            writeln!(self.out, "TCP conversations of {}", self.capture.display())?;
            write_row(&mut self.out, &self.widths, &COLUMNS.map(|(header, _, _)| header.to_string()))?;
        }
        Ok(())
    }
}

impl<W: Write> RowWriter for TextRows<W> {
    fn row(&mut self, conversation: &Conversation) -> io::Result<()> {
        self.header()?;
        let cells = cells(conversation, &self.capture);
        write_row(&mut self.out, &self.widths, &cells)
    }

    fn end(&mut self, streams: usize) -> io::Result<()> {
        self.header()?;
        let what = if streams == 1 { "1 TCP stream".to_string() } else { format!("{streams} TCP streams") };
        writeln!(self.out, "{what}")?;
        self.out.flush()
    }
}

fn cells(c: &Conversation, capture: &std::path::Path) -> [String; 18] {
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
        c.close(),
        conn.handshake_rtt.map_or_else(|| "-".to_string(), |rtt| format!("{:.3} ms", rtt.as_secs_f64() * 1e3)),
        problems.retransmissions.to_string(),
        problems.lost_segments.to_string(),
        problems.duplicate_acks.to_string(),
        problems.zero_windows.to_string(),
        diagram_command(capture, conn.index),
        c.exchange().map_or_else(|| "-".to_string(), |e| shorten(&e, EXCHANGE_CHARS)),
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
    use std::fmt::Write as _;
    let mut line = String::with_capacity(256);
    for ((cell, &width), (_, _, right)) in cells.iter().zip(widths).zip(COLUMNS) {
        // Padding counts characters, as the columns do.
        let _ = if right { write!(line, "{cell:>width$}  ") } else { write!(line, "{cell:<width$}  ") };
    }
    writeln!(out, "{}", line.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Sort, write_conversations};
    use std::path::Path;

    #[test]
    fn one_line_per_stream_with_the_command_that_draws_it() {
        let path = Path::new("captures/http-keepalive.pcap");
        let mut rows = TextRows::new(Vec::new(), path.to_path_buf());
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        write_conversations(&full, &Default::default(), Sort::Start, None, &mut rows).unwrap();
        let text = String::from_utf8(rows.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "TCP conversations of captures/http-keepalive.pcap");
        assert!(lines[1].starts_with("Stream  Client "), "{text}");
        let cells: Vec<&str> = lines[2].split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
        let expected = ["0", "127.0.0.1:53014", "127.0.0.1:18080", "11", "10", "1172", "5802", "0.000000"];
        assert_eq!(cells[..8], expected, "{text}");
        assert_eq!(cells[9..11], ["HTTP", "server FIN"], "{text}");
        assert_eq!(cells[16..], ["tcpdialog diagram captures/http-keepalive.pcap --stream 0", "GET / → 200"], "{text}");
        assert_eq!(lines[3], "1 TCP stream");
        assert_eq!(shorten("a\u{0}bcdef", 4), "a�b…");
    }
}
