//! Fixed-precision number formatting and monospace text fitting shared by every renderer.
//!
//! Everything that reaches output goes through here, so output is deterministic: coordinates have at most one
//! decimal, durations and sizes have fixed precision, and text widths come from the bundled font's metrics.

/// `3 412`: counts in groups of three digits (the dialog's captions write them too).
pub use crate::dialog::thousands;

/// Advance width of DejaVu Sans Mono (regular and bold), in em.
pub const MONO_ADVANCE: f64 = 0.602;
/// A safe upper bound for the average advance of DejaVu Sans, in em (only used to truncate titles).
pub const SANS_ADVANCE: f64 = 0.64;

/// A coordinate with at most one decimal: `12`, `12.5`, never `12.50` or `-0`.
pub fn coord(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths == 0.0 || !tenths.is_finite() {
        return "0".to_string();
    }
    if tenths % 10.0 == 0.0 { format!("{:.0}", tenths / 10.0) } else { format!("{:.1}", tenths / 10.0) }
}

/// `text` made safe for one line of plain-text output. Payload-derived text may hold any byte: a line break
/// would split an arrow's line, an escape sequence would drive the reader's terminal. Every control character
/// becomes one visible character (whitespace a space, the rest `�`), so column widths stay right.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if crate::proto::is_hidden_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Width of `text` in DejaVu Sans Mono at `size` px.
pub fn mono_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * MONO_ADVANCE
}

/// How many monospace characters of `size` px fit in `width` px.
pub fn mono_chars(width: f64, size: f64) -> usize {
    if width <= 0.0 { 0 } else { (width / (size * MONO_ADVANCE)).floor() as usize }
}

/// About how many characters of DejaVu Sans at `size` px fit in `width` px (an average advance: a title).
pub fn sans_chars(width: f64, size: f64) -> usize {
    if width <= 0.0 { 0 } else { (width / (size * SANS_ADVANCE)).floor() as usize }
}

/// `text` cut to at most `max_chars` characters, ending with `…` when it was cut.
pub fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// `text` cut to at most `max_chars` characters from its start, beginning with `…` when it was cut: for an
/// address, whose port tells two ends of a connection apart.
pub fn truncate_start(text: &str, max_chars: usize) -> String {
    let count = text.chars().count();
    if count <= max_chars {
        return text.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    let kept: String = text.chars().skip(count - (max_chars - 1)).collect();
    format!("…{}", kept.trim_start())
}

/// Splits `text` into at most `max_lines` lines of at most `max_chars` characters, at spaces where possible; a
/// word longer than a line is broken after a dash or a slash, else hyphenated if it is a word of letters, else
/// cut where the line ends.
pub fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace().flat_map(|word| break_word(word, max_chars)) {
        let candidate_len = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && candidate_len > max_chars {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines.saturating_sub(1)).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|line| truncate(&line, max_chars)).collect()
}

/// A word in pieces of at most `max_chars` characters (a short word, or no room at all: the word itself).
fn break_word(word: &str, max_chars: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = word.chars().collect();
    while rest.len() > max_chars && max_chars >= 4 {
        let dash = rest[..max_chars].iter().rposition(|c| matches!(c, '–' | '-' | '/')).filter(|&at| at > 0);
        let (cut, hyphen) = match dash {
            Some(at) => (at + 1, false),
            // Three letters at least go to the next line: `retransmiss-ion`, not `retransmissi-on`.
            None if rest[..max_chars].iter().all(|c| c.is_alphabetic()) => ((max_chars - 1).min(rest.len() - 3), true),
            None => (max_chars, false),
        };
        let mut piece: String = rest.drain(..cut).collect();
        if hyphen {
            piece.push('-');
        }
        pieces.push(piece);
    }
    pieces.push(rest.into_iter().collect());
    pieces
}

/// Decimal byte sizes: `512 B`, `1.5 kB`, `4.8 MB`, `2.1 GB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    let value = n as f64;
    for (scale, unit) in UNITS {
        if value >= scale {
            return format!("{:.1} {unit}", value / scale);
        }
    }
    format!("{n} B")
}

/// Short durations for labels: `15 µs`, `3.2 ms`, `0.41 s`, `12.50 s`, `340 s`.
pub fn seconds(value: f64) -> String {
    if value < 0.001 {
        format!("{:.0} µs", value * 1e6)
    } else if value < 0.01 {
        format!("{:.1} ms", value * 1e3)
    } else if value < 100.0 {
        format!("{value:.2} s")
    } else {
        format!("{value:.0} s")
    }
}

/// Pauses, worded as the dialog's phase names word them: `15 µs`, `35 ms`, `2.0 s`.
pub fn pause(value: f64) -> String {
    crate::dialog::format_duration(value)
}

/// The time column: Wireshark's `0.000000` seconds, or milliseconds `0.708`.
pub fn time_column(value: f64, unit: super::TimeUnit) -> String {
    match unit {
        super::TimeUnit::Seconds => format!("{value:.6}"),
        super::TimeUnit::Millis => format!("{:.3}", value * 1e3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_at_most_one_decimal() {
        assert_eq!(coord(12.0), "12");
        assert_eq!(coord(12.04), "12");
        assert_eq!(coord(12.25), "12.3");
        assert_eq!(coord(-0.01), "0");
        assert_eq!(coord(-3.5), "-3.5");
    }

    #[test]
    fn one_line_keeps_widths_and_shows_no_control_character() {
        let line = one_line("GET /a\r\nHost: x\u{1b}[2J\0\u{9b}é\u{202E}");
        assert_eq!(line, "GET /a  Host: x\u{FFFD}[2J\u{FFFD}\u{FFFD}é\u{FFFD}");
        assert_eq!(line.chars().count(), "GET /a\r\nHost: x\u{1b}[2J\0\u{9b}é\u{202E}".chars().count());
    }

    #[test]
    fn truncation_ends_with_an_ellipsis() {
        assert_eq!(truncate("GET / HTTP/1.1", 20), "GET / HTTP/1.1");
        assert_eq!(truncate("GET /very/long/path HTTP/1.1", 10), "GET /very…");
        assert_eq!(truncate("GET / HTTP/1.1", 6), "GET /…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate_start("127.0.0.1:53010", 12), "…0.0.1:53010");
        assert_eq!(truncate_start("127.0.0.1:80", 12), "127.0.0.1:80");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_the_line_limit() {
        assert_eq!(wrap("idle 2.0 s, then server closes", 20, 2), vec!["idle 2.0 s, then", "server closes"]);
        assert_eq!(wrap("a b c d e f", 3, 2), vec!["a b", "c…"]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken_not_cut() {
        assert_eq!(
            wrap("8 duplicate ACKs (SACK 26065–41993), fast retransmission", 12, 9),
            ["8 duplicate", "ACKs (SACK", "26065–", "41993), fast", "retransmiss-", "ion"]
        );
        assert_eq!(wrap("Seq=1234567890123", 8, 4), ["Seq=1234", "56789012", "3"]);
        // The line limit still holds, and the last line says it was cut.
        assert_eq!(wrap("retransmission", 6, 2), ["retra-", "nsmis…"]);
    }

    #[test]
    fn sizes_and_counts_read_like_prose() {
        assert_eq!(thousands(3412), "3 412");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1 000 000");
        assert_eq!(bytes(4_800_000), "4.8 MB");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(seconds(0.41), "0.41 s");
        assert_eq!(seconds(0.000015), "15 µs");
        assert_eq!(seconds(0.0032), "3.2 ms");
    }

    #[test]
    fn widths_follow_the_monospace_advance() {
        assert!((mono_width("GET / HTTP/1.1", 10.0) - 84.28).abs() < 1e-9);
        assert_eq!(mono_chars(84.3, 10.0), 14);
    }
}
