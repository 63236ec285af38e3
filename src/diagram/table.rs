//! Table.
use super::DiagramOptions;
use crate::dialog::Dialog;
pub fn text(_dialog: &Dialog, _options: &DiagramOptions) -> String { String::new() }
pub fn html(_dialog: &Dialog, _options: &DiagramOptions) -> String { String::new() }
