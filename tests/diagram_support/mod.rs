//! Shared by the diagram tests: real captures turned into dialogs the way the CLI does it.

// Each test crate uses a different part of this shared module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use tcpdialog::dialog::{Dialog, DialogOptions, Selection};

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The dialog of a capture (`captures/http-close.pcap`, `tests/fixtures/lossy.pcap`, ...).
pub fn dialog_of(relative: &str) -> Dialog {
    let analysis = tcpdialog::analyze::analyze_file(&repo_path(relative), &Default::default())
        .unwrap_or_else(|e| panic!("{relative}: {e}"));
    tcpdialog::dialog::build(&analysis, &Selection::default(), &DialogOptions::default())
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}
pub mod synthetic;
