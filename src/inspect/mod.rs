//! `inspect` reports: what tcpdialog understood of a capture, as a Wireshark-like packet list or as JSON.
//!
//! A renderer of [`CaptureAnalysis`] (the front half of the pipeline), beside the dialog and diagram stages:
//! it reads the analysis and never changes it. The JSON of a whole capture is written as the capture is read
//! ([`write_json`]), connection by connection. The JSON schema is documented in `docs/inspect-json.md` and
//! is stable: scripts and CI rely on it.

mod info;
mod json;
mod json_stream;
mod packet_list;
mod pretty;

pub use info::columns;
pub use json::{CloseJson, InspectJson, to_json};
pub use json_stream::{InspectError, write_json};
pub use packet_list::{packet_list, write_notes, write_packet_list};
