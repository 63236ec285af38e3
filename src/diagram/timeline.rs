//! Timeline.
use super::DiagramOptions;
use super::layout::Layout;
use crate::dialog::Dialog;
pub fn text(_dialog: &Dialog) -> String { String::new() }
pub fn layout(dialog: &Dialog, _options: &DiagramOptions) -> Layout { Layout { width: 10.0, height: 10.0, title: dialog.title.clone(), description: String::new(), items: vec![] } }
