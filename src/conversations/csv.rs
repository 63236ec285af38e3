//! `conversations --format csv`: one line per stream under a header line (RFC 4180 quoting).

use super::{Conversation, Conversations, diagram_command};
use std::io::{self, Write};

const HEADER: &str = "stream,client,server,packets_c2s,packets_s2c,bytes_c2s,bytes_s2c,payload_c2s,payload_s2c,\
start,duration,protocol,request,response,closed,handshake_rtt,retransmissions,lost_segments,duplicate_acks,\
zero_windows,diagram";

pub fn write_csv(out: &mut dyn Write, conversations: &Conversations) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for c in &conversations.rows {
        let fields = fields(c, conversations);
        let line: Vec<String> = fields.iter().map(|f| quoted(f)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

fn fields(c: &Conversation, all: &Conversations) -> Vec<String> {
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
        diagram_command(&all.capture, conn.index),
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
