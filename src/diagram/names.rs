//! The words users type for diagram options (`--view ladder`, `labels = "seq"`, `direction = "s2c"` in a
//! post), one parser for both.

use super::{Format, Labels, Spacing, Theme, View, Width};
use crate::tcp::Direction;
use std::str::FromStr;

/// An option value that is not one of the accepted words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} \"{given}\" (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: &'static str,
}

macro_rules! named {
    ($ty:ty, $what:literal, [$($word:literal => $value:expr),+ $(,)?]) => {
        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s.to_ascii_lowercase().as_str() {
                    $($word => Ok($value),)+
                    _ => Err(UnknownName { what: $what, given: s.to_string(), expected: concat!($($word, " "),+).trim_ascii_end() }),
                }
            }
        }
    };
}

named!(View, "view", ["ladder" => View::Ladder, "timeline" => View::Timeline, "table" => View::Table, "tcptrace" => View::Tcptrace, "stevens" => View::Stevens, "throughput" => View::Throughput, "rtt" => View::Rtt, "window" => View::Window]);
named!(Direction, "direction", ["c2s" => Direction::ClientToServer, "s2c" => Direction::ServerToClient]);
named!(Labels, "labels", ["flags" => Labels::Flags, "seq" => Labels::Seq, "full" => Labels::Full]);
named!(Theme, "theme", ["light" => Theme::Light, "dark" => Theme::Dark, "auto" => Theme::Auto]);
named!(Format, "format", ["svg" => Format::Svg, "png" => Format::Png, "txt" => Format::Text, "text" => Format::Text, "mermaid" => Format::Mermaid, "mmd" => Format::Mermaid, "html" => Format::Html]);
named!(Spacing, "spacing", ["even" => Spacing::Even, "time" => Spacing::Time]);
named!(Width, "width", ["wide" => Width::Wide, "compact" => Width::Compact]);

impl Format {
    /// The format a file name asks for by its extension (`dialog.png` -> PNG).
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        path.extension().and_then(|e| e.to_str()).and_then(|e| e.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_case_insensitively() {
        assert_eq!("Ladder".parse::<View>(), Ok(View::Ladder));
        assert_eq!("txt".parse::<Format>(), Ok(Format::Text));
        assert_eq!(Format::from_path("a/b.PNG".as_ref()), Some(Format::Png));
    }

    #[test]
    fn unknown_word_lists_the_accepted_ones() {
        let err = "sideways".parse::<View>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown view \"sideways\" (expected one of: ladder timeline table tcptrace stevens throughput rtt window)"
        );
        assert_eq!("S2C".parse::<Direction>(), Ok(Direction::ServerToClient));
    }
}
