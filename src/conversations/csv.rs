//! `conversations --format csv`: one line per stream under a header line (RFC 4180 quoting).

use super::{Conversation, RowWriter, diagram_command};
use std::io::{self, Write};
use std::path::PathBuf;

const HEADER: &str = "stream,client,server,packets_c2s,packets_s2c,bytes_c2s,bytes_s2c,payload_c2s,payload_s2c,\
start,duration,protocol,request,response,closed,handshake_rtt,retransmissions,lost_segments,duplicate_acks,\
zero_windows,diagram";

/// Writes the table to `out` as rows come.
pub struct CsvRows<W: Write> {
    out: W,
    capture: PathBuf,
    header_written: bool,
}

impl<W: Write> CsvRows<W> {
    pub fn new(out: W, capture: PathBuf) -> Self {
        CsvRows { out, capture, header_written: false }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn header(&mut self) -> io::Result<()> {
        if !std::mem::replace(&mut self.header_written, true) {
            writeln!(self.out, "{HEADER}")?;
        }
        Ok(())
    }
}

impl<W: Write> RowWriter for CsvRows<W> {
    fn row(&mut self, conversation: &Conversation) -> io::Result<()> {
        self.header()?;
        let line: Vec<String> = fields(conversation, &self.capture).iter().map(|f| quoted(f)).collect();
        writeln!(self.out, "{}", line.join(","))
    }

    fn end(&mut self, _streams: usize) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

fn fields(c: &Conversation, capture: &std::path::Path) -> Vec<String> {
    let conn = &c.connection;
    let p = conn.problems;
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    vec![
        conn.index.to_string(),
        conn.client.to_string(),
        conn.server.to_string(),
        conn.packets[0].to_string(),
        conn.packets[1].to_string(),
        conn.frame_bytes[0].to_string(),
        conn.frame_bytes[1].to_string(),
        conn.bytes[0].to_string(),
        conn.bytes[1].to_string(),
        format!("{:.9}", conn.start().as_secs_f64()),
        format!("{:.9}", conn.duration().as_secs_f64()),
        c.protocol(),
        text(&c.summary.request),
        text(&c.summary.response),
        c.close(),
        conn.handshake_rtt.map_or_else(String::new, |rtt| format!("{:.9}", rtt.as_secs_f64())),
        p.retransmissions.to_string(),
        p.lost_segments.to_string(),
        p.duplicate_acks.to_string(),
        p.zero_windows.to_string(),
        diagram_command(capture, conn.index),
    ]
}

/// A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break.
fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(quoted("GET /a,b"), "\"GET /a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("plain"), "plain");
        assert_eq!(HEADER.split(',').count(), 21);
    }
}
