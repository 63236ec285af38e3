//! The author's voice in a diagram: notes beside chosen frames, a highlighted range of frames (the rest
//! dimmed), and chosen request/response headers shown under their arrows.
//!
//! One parser for the command line (`--note 9="the client gives up"`, `--highlight 45-52`, `--header Upgrade`)
//! and for a post's block (`notes = { 9 = "…" }`, `highlight = "45-52"`, `headers = ["Upgrade"]`): the
//! [`FromStr`] types here.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What the author adds to a dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// A note beside the arrow that shows each frame.
    pub notes: BTreeMap<u64, String>,
    /// Arrows showing these frames are emphasised, the others dimmed; none: nothing is dimmed.
    pub highlight: Vec<FrameRange>,
    /// Header names (any case) whose lines are shown under the arrows of the messages that carry them.
    pub headers: Vec<String>,
}

impl Annotations {
    /// Whether the arrow of frames `first..=last` is in a highlighted range: `None` when nothing is.
    pub fn highlighted(&self, first: u64, last: u64) -> Option<bool> {
        (!self.highlight.is_empty()).then(|| self.highlight.iter().any(|r| r.first <= last && first <= r.last))
    }

    /// Whether `line` (`Name: value`) is one of the chosen headers.
    pub fn shows_header(&self, line: &str) -> bool {
        let name = line.split_once(':').map_or("", |(name, _)| name.trim());
        !name.is_empty() && self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// Why an annotation could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnotationError {
    #[error("expected a frame range like \"45-52\" or \"9\", got {0:?}")]
    Range(String),
    #[error("expected FRAME=TEXT like 9=\"the client gives up\", got {0:?}")]
    Note(String),
}

/// Frames `first..=last`, from 1: `45-52`, or `9` for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRange {
    pub first: u64,
    pub last: u64,
}

impl FromStr for FrameRange {
    type Err = AnnotationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || AnnotationError::Range(text.to_string());
        let (a, b) = text.split_once('-').unwrap_or((text, text));
        let first: u64 = a.trim().parse().map_err(|_| bad())?;
        let last: u64 = b.trim().parse().map_err(|_| bad())?;
        if first == 0 || last < first {
            return Err(bad());
        }
        Ok(FrameRange { first, last })
    }
}

impl fmt::Display for FrameRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last { write!(f, "{}", self.first) } else { write!(f, "{}-{}", self.first, self.last) }
    }
}

/// A note on one frame: `9=the client gives up: RST` (the shell has already removed any quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub frame: u64,
    pub text: String,
}

impl FromStr for Note {
    type Err = AnnotationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || AnnotationError::Note(text.to_string());
        let (frame, note) = text.split_once('=').ok_or_else(bad)?;
        let frame = FrameRange::from_str(frame).map_err(|_| bad())?;
        let note = note.trim().trim_matches('"').trim();
        if frame.first != frame.last || note.is_empty() {
            return Err(bad());
        }
        Ok(Note { frame: frame.first, text: note.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_notes_read_as_the_command_line_and_posts_write_them() {
        assert_eq!("45-52".parse(), Ok(FrameRange { first: 45, last: 52 }));
        assert_eq!(" 9 ".parse(), Ok(FrameRange { first: 9, last: 9 }));
        for bad in ["0", "52-45", "a-b", "", "4-"] {
            assert!(bad.parse::<FrameRange>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "9=the client gives up: RST".parse(),
            Ok(Note { frame: 9, text: "the client gives up: RST".into() })
        );
        assert_eq!("9=\"quoted = fine\"".parse(), Ok(Note { frame: 9, text: "quoted = fine".into() }));
        for bad in ["9", "=x", "9=", "4-5=x"] {
            assert!(bad.parse::<Note>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn highlight_and_headers_answer_per_arrow_and_line() {
        let a = Annotations {
            highlight: vec![FrameRange { first: 45, last: 52 }],
            headers: vec!["upgrade".into()],
            ..Default::default()
        };
        assert_eq!(a.highlighted(40, 44), Some(false));
        assert_eq!(a.highlighted(40, 45), Some(true), "a fold reaching into the range");
        assert_eq!(Annotations::default().highlighted(1, 1), None);
        assert!(a.shows_header("Upgrade: h2c"));
        assert!(!a.shows_header("Connection: Upgrade"));
    }
}
