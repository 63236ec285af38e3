//! Plain-text ladder.
use super::DiagramOptions;
use crate::dialog::Dialog;
pub fn ladder(_dialog: &Dialog, _options: &DiagramOptions) -> String { String::new() }
