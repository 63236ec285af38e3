//! Bytes of no recognised protocol, and the text helpers every decoder uses to show bytes safely.
//!
//! Unknown bytes are never dropped: each chunk becomes a `N bytes "preview"` message.

use super::contract::{Cx, Step, StreamDecoder};
use super::{MessageKind, Protocol};

/// Characters of a preview before it is cut with `…`.
pub const PREVIEW_CHARS: usize = 32;

/// Decodes nothing: shows each chunk of bytes by length with a short printable preview.
#[derive(Debug, Default)]
pub struct DataDecoder;

impl StreamDecoder for DataDecoder {
    fn protocol(&self) -> Protocol {
        Protocol::Data
    }

    fn step(&mut self, buf: &[u8], cx: &mut Cx) -> Step {
        if buf.is_empty() {
            return Step::Need;
        }
        let summary = bytes_summary(buf.len() as u64, buf);
        cx.push(0, Protocol::Data, summary, MessageKind::Other);
        Step::Used { used: buf.len(), skip: 0 }
    }
}

/// `N bytes "preview…"` (or just `N bytes` when nothing is printable).
pub fn bytes_summary(len: u64, first: &[u8]) -> String {
    let unit = if len == 1 { "byte" } else { "bytes" };
    let preview = printable_preview(first, PREVIEW_CHARS);
    if preview.trim_matches('.').trim().is_empty() {
        format!("{len} {unit}")
    } else {
        format!("{len} {unit} \"{preview}\"")
    }
}

/// Bytes as text: printable ASCII kept, everything else shown as `.`, cut to `max` characters with `…`.
pub fn printable_preview(bytes: &[u8], max: usize) -> String {
    let mut text: String =
        bytes.iter().take(max).map(|&b| if b.is_ascii_graphic() || b == b' ' { char::from(b) } else { '.' }).collect();
    if bytes.len() > max {
        text.push('…');
    }
    text
}

/// Characters a capture's text may not carry into any output: control characters (a terminal would obey
/// them) and the Unicode bidirectional controls (they reorder what a reader sees, as in "Trojan Source").
pub fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// SQL as later stages may print it: UTF-8 (lossy), each control character replaced (as in summaries) so no
/// capture can put a terminal escape into our output. Whitespace controls (newline, tab) become spaces: SQL
/// reads the same.
pub fn clean_sql(sql: &[u8]) -> String {
    String::from_utf8_lossy(sql)
        .chars()
        .map(|c| match c {
            c if c.is_control() && c.is_whitespace() => ' ',
            c if is_hidden_control(c) => '.',
            c => c,
        })
        .collect()
}

/// UTF-8 text (lossy) with control characters escaped, cut to `max` characters with `…`.
pub fn short_text(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            c if is_hidden_control(c) => out.push('.'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_show_length_and_a_safe_preview() {
        assert_eq!(bytes_summary(5, b"hello"), "5 bytes \"hello\"");
        assert_eq!(bytes_summary(1, b"\x00"), "1 byte");
        assert_eq!(printable_preview(b"ab\x00\xffcd", 4), "ab..…");
        assert_eq!(short_text("é\"x\n".as_bytes(), 10), "é\\\"x\\n");
        assert_eq!(short_text(b"abcdef", 3), "abc…");
    }

    #[test]
    fn control_and_bidirectional_characters_never_pass() {
        // "access" with a right-to-left override in it would read as something else.
        assert_eq!(short_text("ad\u{202E}nimda\u{2066}\u{1b}[0m".as_bytes(), 20), "ad.nimda..[0m");
        assert!(is_hidden_control('\u{200F}') && is_hidden_control('\u{9b}') && !is_hidden_control('é'));
    }
}
