//! What a connection's messages say in one line: its protocols, and its first request with the answer to it
//! (`GET /index.html` → `200`). Built message by message as the decoders make them, so it costs the same
//! whether the messages are kept or not: a conversations view of a huge capture keeps only this.

use super::http2::FrameType;
use super::{Message, MessageKind, Protocol};
use crate::tcp::Direction;

/// The one-line account of a connection's messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionSummary {
    /// Protocols of its messages in the order they first appear (HTTP, then WebSocket after an upgrade);
    /// empty when no bytes were recognised.
    pub protocols: Vec<Protocol>,
    /// The first request: `GET /index.html` for HTTP (inside TLS too, when decrypted), else the first message
    /// the client sent (`Client Hello`).
    pub request: Option<String>,
    /// The answer to it: the status of the final HTTP response (`200`), else the server's next message.
    pub response: Option<String>,
    /// `request` is an HTTP request, which no other message replaces; for HTTP/2, on this stream.
    http: Option<Option<u32>>,
}

impl ConnectionSummary {
    /// Takes the connection's next message.
    pub fn observe(&mut self, m: &Message) {
        if matches!(m.kind, MessageKind::Note { .. } | MessageKind::Malformed { .. }) {
            return;
        }
        if m.protocol != Protocol::Data && !self.protocols.contains(&m.protocol) {
            self.protocols.push(m.protocol);
        }
        match (&m.kind, m.dir) {
            (MessageKind::HttpRequest { method, target, .. }, Direction::ClientToServer) if self.http.is_none() => {
                self.http_request(format!("{method} {target}"), None);
            }
            (MessageKind::Http2 { request: Some(request), stream, .. }, Direction::ClientToServer)
                if self.http.is_none() =>
            {
                self.http_request(request.clone(), Some(*stream));
            }
            (MessageKind::HttpResponse { status, .. }, Direction::ServerToClient)
                if self.http == Some(None) && self.response.is_none() && (*status >= 200 || *status == 101) =>
            {
                self.response = Some(status.to_string());
            }
            (MessageKind::Http2 { frame_type: FrameType::Headers, stream, .. }, Direction::ServerToClient)
                if self.http == Some(Some(*stream)) && self.response.is_none() =>
            {
                self.response = Some(http2_status(&m.summary));
            }
            _ if self.http.is_some() || m.protocol == Protocol::Data => {}
            (_, Direction::ClientToServer) if self.request.is_none() => self.request = Some(m.summary.clone()),
            (_, Direction::ServerToClient) if self.request.is_some() && self.response.is_none() => {
                self.response = Some(m.summary.clone());
            }
            _ => {}
        }
    }

    fn http_request(&mut self, request: String, stream: Option<u32>) {
        self.http = Some(stream);
        self.request = Some(request);
        self.response = None;
    }
}

/// `200 OK` from an HTTP/2 response's summary, `HEADERS[1]: 200 OK [END_HEADERS]`.
fn http2_status(summary: &str) -> String {
    let said = summary.split_once(": ").map_or(summary, |(_, rest)| rest);
    let said = said.rsplit_once(" [").map_or(said, |(text, _)| text);
    said.split(' ').next().unwrap_or(said).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::DecoderOptions;
    use crate::proto::decode_turns;
    use Direction::{ClientToServer as C2S, ServerToClient as S2C};

    fn summary_of(turns: &[(Direction, &[u8])]) -> ConnectionSummary {
        let mut summary = ConnectionSummary::default();
        for m in decode_turns(&DecoderOptions::default(), turns) {
            summary.observe(&m);
        }
        summary
    }

    #[test]
    fn an_http_exchange_is_its_request_and_final_status() {
        let summary = summary_of(&[
            (C2S, b"POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"),
            (S2C, b"HTTP/1.1 100 Continue\r\n\r\n"),
            (C2S, b"hi"),
            (S2C, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
            (C2S, b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"),
        ]);
        assert_eq!(summary.protocols, [Protocol::Http]);
        assert_eq!((summary.request.as_deref(), summary.response.as_deref()), (Some("POST /upload"), Some("201")));
    }

    #[test]
    fn other_protocols_give_their_first_messages_each_way() {
        let summary = summary_of(&[(C2S, b"hello there"), (S2C, b"general kenobi")]);
        assert!(summary.protocols.is_empty());
        assert_eq!((summary.request, summary.response), (None, None));
        assert_eq!(http2_status("HEADERS[1]: 200 OK [END_HEADERS]"), "200");
        assert_eq!(http2_status("HEADERS[3]: 404 Not Found"), "404");
    }
}
