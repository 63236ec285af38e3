//! `conversations --format json`: the stable schema of `docs/conversations-json.md`. Rows are written as
//! their connections end, one object a line; the count of streams, known last, comes last.

use super::{Conversation, RowWriter, diagram_command};
use crate::inspect::CloseJson;
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Debug, Serialize)]
pub struct ConversationJson<'a> {
    pub stream: usize,
    pub client: String,
    pub server: String,
    pub packets: EachWay,
    /// Frame bytes, as `tshark -z conv,tcp` counts them.
    pub bytes: EachWay,
    /// TCP payload bytes (`tcp.len` summed, resends included).
    pub payload: EachWay,
    pub start: f64,
    pub duration: f64,
    pub protocols: Vec<&'static str>,
    pub request: Option<&'a str>,
    pub response: Option<&'a str>,
    pub first_close: Option<CloseJson>,
    pub handshake_rtt: Option<f64>,
    pub problems: ProblemsJson,
    pub diagram: String,
}

#[derive(Debug, Serialize)]
pub struct EachWay {
    pub c2s: u64,
    pub s2c: u64,
}

impl From<[u64; 2]> for EachWay {
    fn from([c2s, s2c]: [u64; 2]) -> Self {
        EachWay { c2s, s2c }
    }
}

#[derive(Debug, Serialize)]
pub struct ProblemsJson {
    pub retransmissions: u64,
    pub lost_segments: u64,
    pub duplicate_acks: u64,
    pub zero_windows: u64,
}

/// Writes the document to `out` as rows come.
pub struct JsonRows<W: Write> {
    out: W,
    capture: PathBuf,
    rows: usize,
}

impl<W: Write> JsonRows<W> {
    pub fn new(out: W, capture: PathBuf) -> Self {
        JsonRows { out, capture, rows: 0 }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> io::Result<()> {
        let capture = serde_json::to_string(&self.capture.display().to_string()).map_err(io::Error::from)?;
        write!(self.out, "{{\n  \"capture\": {capture},\n  \"conversations\": [")
    }
}

impl<W: Write> RowWriter for JsonRows<W> {
    fn row(&mut self, conversation: &Conversation) -> io::Result<()> {
        if self.rows == 0 {
            self.start()?;
        }
        let separator = if self.rows == 0 { "" } else { "," };
        self.rows += 1;
        let row = serde_json::to_string(&row(conversation, &self.capture)).map_err(io::Error::from)?;
        write!(self.out, "{separator}\n    {row}")
    }

    fn end(&mut self, streams: usize) -> io::Result<()> {
        if self.rows == 0 {
            self.start()?;
        }
        let close = if self.rows == 0 { "]" } else { "\n  ]" };
        writeln!(self.out, "{close},\n  \"streams\": {streams}\n}}")?;
        self.out.flush()
    }
}

fn row<'a>(c: &'a Conversation, capture: &std::path::Path) -> ConversationJson<'a> {
    let conn = &c.connection;
    let problems = conn.problems;
    ConversationJson {
        stream: conn.index,
        client: conn.client.to_string(),
        server: conn.server.to_string(),
        packets: conn.packets.into(),
        bytes: conn.frame_bytes.into(),
        payload: conn.bytes.into(),
        start: conn.start().as_secs_f64(),
        duration: conn.duration().as_secs_f64(),
        protocols: c.summary.protocols.iter().map(|p| p.name()).collect(),
        request: c.summary.request.as_deref(),
        response: c.summary.response.as_deref(),
        first_close: conn.first_close.map(CloseJson::from),
        handshake_rtt: conn.handshake_rtt.map(|rtt| rtt.as_secs_f64()),
        problems: ProblemsJson {
            retransmissions: problems.retransmissions,
            lost_segments: problems.lost_segments,
            duplicate_acks: problems.duplicate_acks,
            zero_windows: problems.zero_windows,
        },
        diagram: diagram_command(capture, conn.index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Sort, write_conversations};
    use std::path::Path;

    fn document(capture: &str) -> serde_json::Value {
        let mut rows = JsonRows::new(Vec::new(), PathBuf::from(capture));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        write_conversations(&path, &Default::default(), Sort::Start, None, &mut rows).unwrap();
        serde_json::from_slice(&rows.into_inner()).unwrap()
    }

    #[test]
    fn the_document_parses_with_its_rows_and_count() {
        let json = document("captures/page-load.pcap");
        assert_eq!(json["capture"], "captures/page-load.pcap");
        assert_eq!(json["streams"], 6);
        let rows = json["conversations"].as_array().unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[5]["request"], "GET /hero.jpg");
        assert_eq!(rows[5]["bytes"]["s2c"], 12596);
        let mut none = JsonRows::new(Vec::new(), PathBuf::from("x.pcap"));
        none.end(0).unwrap();
        let empty: serde_json::Value = serde_json::from_slice(&none.into_inner()).unwrap();
        assert_eq!((empty["streams"].as_u64(), empty["conversations"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }
}
