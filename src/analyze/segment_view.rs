//! What one segment shows: the messages it is labelled with, and Wireshark's Protocol and Info columns for it.
//!
//! The one place that says which messages a segment starts and completes: `inspect` (text and JSON), the
//! packet table and the ladder's labels all read a [`SegmentView`], so they cannot disagree. Wireshark shows
//! a message on the segment that completes it; a message cut short (a response the client aborted) is shown
//! on the segment that carried its start (an HTTP head), where Wireshark prints its start line; raw data is
//! plain TCP in Wireshark's columns, though the ladder previews it.

use crate::proto::{MAX_SEGMENT_MESSAGES, Message, MessageKind, Protocol, more_summary};
use crate::tcp::{AnalysisFlag, Continuation, Direction, Segment, TcpSummary, info_column};
use std::collections::BTreeMap;

/// A segment lists at most this many messages; one more line counts the rest (a segment can complete tens of
/// thousands of tiny WebSocket frames, and each output would otherwise print them all). The protocol stage
/// keeps no more of one segment's messages, and counts the rest in a [`MessageKind::More`].
pub const MAX_LISTED_MESSAGES: usize = MAX_SEGMENT_MESSAGES;

/// The messages of some connections (one, or a whole capture), indexed by the segment that shows each.
#[derive(Debug, Default)]
pub struct SegmentViews<'a> {
    /// Messages by (connection, frame shown on), in stream order.
    shown: BTreeMap<(usize, u64), Vec<&'a Message>>,
    /// Each direction's reassembled messages (raw data is not reassembled) in stream order, to find the one a
    /// segment is part of.
    by_direction: BTreeMap<(usize, Direction), Vec<&'a Message>>,
}

/// What one segment shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentView<'a> {
    /// The messages its arrow is labelled with, in stream order: those it completes (raw data included) and
    /// those cut short whose start it carried.
    pub labels: Vec<&'a Message>,
    /// Wireshark's Protocol and Info columns, beyond the TCP summary.
    pub columns: Columns,
}

/// What Wireshark's Protocol and Info columns say of a segment besides its analysis tags and TCP summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Columns {
    /// The protocol of the messages it completes; `None` is plain TCP.
    pub protocol: Option<Protocol>,
    /// Those messages' summaries, joined (at most [`MAX_LISTED_MESSAGES`], then how many more).
    pub application: Option<String>,
    /// Set when it completes no message but carries part of one that ends later or never.
    pub continuation: Option<Continuation>,
}

impl Columns {
    /// The Protocol column: `HTTP`, `TLS`... or `TCP`.
    pub fn protocol_column(&self) -> &'static str {
        self.protocol.map_or("TCP", Protocol::column_name)
    }

    /// The Info column of a segment with these `analysis` flags and TCP `summary`.
    pub fn info(&self, analysis: &[AnalysisFlag], summary: &TcpSummary<'_>) -> String {
        info_column(analysis, self.application.as_deref(), self.continuation.as_ref(), summary)
    }
}

impl<'a> SegmentViews<'a> {
    /// Indexes `messages` (of any connections, in any order).
    pub fn new(messages: impl IntoIterator<Item = &'a Message>) -> Self {
        let mut views = SegmentViews::default();
        for m in messages {
            views.shown.entry((m.conn, m.shown_frame())).or_default().push(m);
            if m.protocol != Protocol::Data {
                views.by_direction.entry((m.conn, m.dir)).or_default().push(m);
            }
        }
        for list in views.shown.values_mut() {
            list.sort_by_key(|m| (m.dir, m.offset));
        }
        for list in views.by_direction.values_mut() {
            list.sort_by_key(|m| m.offset);
        }
        views
    }

    /// The (connection, frame) of each segment labelled with a message of a protocol tcpdialog knows (raw data
    /// is not one): what [`Self::view`] labels it with, without making the view.
    pub fn labelled_with_known_protocol(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.shown.iter().filter(|(_, list)| list.iter().any(|m| m.protocol != Protocol::Data)).map(|(&key, _)| key)
    }

    /// What the segment `seg` of connection `conn` shows.
    pub fn view(&self, conn: usize, seg: &Segment) -> SegmentView<'a> {
        let labels: Vec<&'a Message> = self.shown.get(&(conn, seg.frame)).cloned().unwrap_or_default();
        // Wireshark shows the complete messages of a protocol it knows; raw data is TCP to it.
        let completed: Vec<&'a Message> =
            labels.iter().copied().filter(|m| m.protocol != Protocol::Data && !m.incomplete).collect();
        let continuation = if completed.is_empty() { self.continuation(conn, seg) } else { None };
        let columns = Columns {
            protocol: completed.first().map(|m| m.protocol),
            application: (!completed.is_empty()).then(|| texts(&completed).join(", ")),
            continuation,
        };
        SegmentView { labels, columns }
    }

    /// Whether the segment's payload belongs to a message that a later segment completes, or none does. An
    /// HTTP head complete in this segment lets its start line show.
    fn continuation(&self, conn: usize, seg: &Segment) -> Option<Continuation> {
        // A resend of bytes already seen is not reassembled again.
        let resend = seg
            .analysis
            .iter()
            .any(|f| matches!(f, AnalysisFlag::Retransmission | AnalysisFlag::SpuriousRetransmission));
        if seg.len == 0 || resend {
            return None;
        }
        let messages = self.by_direction.get(&(conn, seg.dir))?;
        // Messages of one direction follow each other, so both their first and last frames ascend.
        let next = messages.get(messages.partition_point(|m| m.end_frame <= seg.frame))?;
        if next.frame > seg.frame {
            return None;
        }
        // Wireshark dissects the reassembly so far on each segment that adds to it: the start line shows once the
        // head is in, and on every later segment of a chunked body, whose end it cannot know in advance.
        let shown = match &next.kind {
            MessageKind::HttpRequest { head, body, .. } | MessageKind::HttpResponse { head, body, .. }
                if head.frame == seg.frame
                    || (head.frame > 0
                        && head.frame < seg.frame
                        && body.as_ref().is_some_and(|b| b.chunks.is_some())) =>
            {
                Some(head.start_line.clone())
            }
            _ => None,
        };
        Some(Continuation { shown })
    }
}

impl SegmentView<'_> {
    /// The labels' texts: at most [`MAX_LISTED_MESSAGES`], then one that counts the rest.
    pub fn label_texts(&self) -> Vec<String> {
        texts(&self.labels)
    }

    /// For each of [`Self::label_texts`]: whether it was read through the key log.
    pub fn label_decrypted(&self) -> Vec<bool> {
        listed(&self.labels).into_iter().map(|(_, decrypted)| decrypted).collect()
    }
}

fn texts(messages: &[&Message]) -> Vec<String> {
    listed(messages).into_iter().map(|(text, _)| text).collect()
}

/// The summaries of `messages` (and whether each was decrypted), those past [`MAX_LISTED_MESSAGES`] and those
/// the protocol stage counted counted in one more line (`and 29 980 more WebSocket frames`).
fn listed(messages: &[&Message]) -> Vec<(String, bool)> {
    let mut listed = Vec::new();
    let mut more: Option<(u64, Protocol)> = None;
    for m in messages {
        match m.kind {
            MessageKind::More { count } => more.get_or_insert((0, m.protocol)).0 += count,
            _ if listed.len() < MAX_LISTED_MESSAGES => listed.push((m.summary.clone(), m.decrypted)),
            _ => more.get_or_insert((0, m.protocol)).0 += 1,
        }
    }
    listed.extend(more.map(|(count, protocol)| (more_summary(count, protocol), false)));
    listed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use std::path::Path;

    /// One segment as every output shows it: frame, Protocol column, Info (without ports), labels.
    type Row = (u64, String, String, Vec<String>);

    fn views_of(fixture: &str) -> Vec<Row> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let views = SegmentViews::new(&analysis.messages);
        let mut rows = Vec::new();
        for conn in &analysis.connections {
            for seg in &conn.segments {
                let view = views.view(conn.index, seg);
                let info = view.columns.info(&seg.analysis, &seg.summary(None));
                rows.push((seg.frame, view.columns.protocol_column().to_string(), info, view.label_texts()));
            }
        }
        rows
    }

    #[test]
    fn an_aborted_response_is_labelled_where_its_head_came_and_the_reset_is_plain_tcp() {
        // tshark: frame 6 is `TCP  HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]`, frame 16 the client's
        // `[RST, ACK]`, plain TCP.
        let rows = views_of("abort-download.pcap");
        let (_, protocol, info, labels) = &rows[5];
        assert_eq!((protocol.as_str(), info.as_str()), ("TCP", "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]"));
        assert_eq!(labels, &["HTTP/1.1 200 OK (application/octet-stream) (incomplete)"]);
        let (frame, protocol, info, labels) = &rows[15];
        assert_eq!((*frame, protocol.as_str()), (16, "TCP"));
        assert!(info.starts_with("[RST, ACK] Seq=44 Ack=43441"), "{info}");
        assert!(labels.is_empty(), "{labels:?}");
    }

    #[test]
    fn raw_data_is_previewed_on_its_arrow_and_plain_tcp_in_the_columns() {
        // tshark: frame 4 (6 bytes, "HELLO\n") is `TCP ... [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=6 ...`.
        let rows = views_of("abort-linger0.pcap");
        let (_, protocol, info, labels) = &rows[3];
        assert_eq!(protocol, "TCP");
        assert!(info.starts_with("[PSH, ACK] Seq=1 Ack=1 Win=65536 Len=6"), "{info}");
        assert_eq!(labels.len(), 1);
    }
}
