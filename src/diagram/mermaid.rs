//! Mermaid.
use super::DiagramOptions;
use crate::dialog::Dialog;
pub fn sequence(_dialog: &Dialog, _options: &DiagramOptions) -> String { String::new() }
