//! `conversations --format text`: a header, then one line per stream in fixed columns (rows are written as
//! their connections end, so widths cannot wait for the widest cell); the first exchange ends the line.

use super::{Conversation, RowWriter, diagram_command};
use std::fmt::{Display, Write as _};
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
    /// `tcpdialog diagram CAPTURE --stream ` (the same for every row).
    command: String,
    widths: [usize; 18],
    header_written: bool,
    /// The line being made, reused.
    line: String,
}

impl<W: Write> TextRows<W> {
    pub fn new(out: W, capture: PathBuf) -> Self {
        let mut widths = COLUMNS.map(|(_, width, _)| width);
        // The command's length only changes with the stream number: room for six digits.
        widths[DRAW] = diagram_command(&capture, 100_000).chars().count();
        let command = diagram_command(&capture, 0).trim_end_matches('0').to_string();
        TextRows { out, capture, command, widths, header_written: false, line: String::with_capacity(256) }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn header(&mut self) -> io::Result<()> {
        if !std::mem::replace(&mut self.header_written, true) {
            writeln!(self.out, "TCP conversations of {}", self.capture.display())?;
            self.line.clear();
            for (i, (header, _, _)) in COLUMNS.iter().enumerate() {
                self.cell(i, header);
            }
            self.end_line()?;
        }
        Ok(())
    }

    /// Appends column `i`, padded to its width (by characters, as the columns are).
    fn cell(&mut self, i: usize, value: &dyn Display) {
        let (width, right) = (self.widths[i], COLUMNS[i].2);
        let _ = if right { write!(self.line, "{value:>width$}  ") } else { write!(self.line, "{value:<width$}  ") };
    }

    fn end_line(&mut self) -> io::Result<()> {
        let end = self.line.trim_end().len();
        self.line.truncate(end);
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }
}

impl<W: Write> RowWriter for TextRows<W> {
    fn row(&mut self, c: &Conversation) -> io::Result<()> {
        self.header()?;
        let conn = &c.connection;
        let problems = conn.problems;
        self.line.clear();
        let rtt =
            conn.handshake_rtt.map_or_else(|| "-".to_string(), |rtt| format!("{:.3} ms", rtt.as_secs_f64() * 1e3));
        let exchange = c.exchange().map_or_else(|| "-".to_string(), |e| shorten(&e, EXCHANGE_CHARS));
        let command = format!("{}{}", self.command, conn.index);
        let cells: [&dyn Display; 18] = [
            &conn.index,
            &conn.client,
            &conn.server,
            &conn.packets[0],
            &conn.packets[1],
            &conn.frame_bytes[0],
            &conn.frame_bytes[1],
            &Seconds(conn.start().as_secs_f64()),
            &Seconds(conn.duration().as_secs_f64()),
            &c.protocol(),
            &c.close(),
            &rtt,
            &problems.retransmissions,
            &problems.lost_segments,
            &problems.duplicate_acks,
            &problems.zero_windows,
            &command,
            &exchange,
        ];
        for (i, value) in cells.into_iter().enumerate() {
            self.cell(i, value);
        }
        self.end_line()
    }

    fn end(&mut self, streams: usize) -> io::Result<()> {
        self.header()?;
        let what = if streams == 1 { "1 TCP stream".to_string() } else { format!("{streams} TCP streams") };
        writeln!(self.out, "{what}")?;
        self.out.flush()
    }
}

/// Seconds with six decimals, padded like any other cell.
struct Seconds(f64);

impl Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&format!("{:.6}", self.0))
    }
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
