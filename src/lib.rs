//! tcpdialog: turn packet captures into TCP "dialog" diagrams and a static site around them.
//!
//! The pipeline is a chain of stages, each a module that only depends on the ones before it:
//!
//! ```text
//! capture -> tcp -> proto -> dialog -> diagram -> site
//! ```
//!
//! * [`capture`] reads pcap/pcapng files and decodes link, IP and TCP headers into [`capture::Packet`]s.
//! * [`tcp`] groups packets into connections (Wireshark's `tcp.stream`), computes relative numbers and
//!   analysis flags, and reassembles each direction's byte stream.
//! * [`proto`] decodes application messages (HTTP/1.x, WebSocket, HTTP/2, TLS, PostgreSQL) from those streams.
//! * [`dialog`] builds the renderer-independent model: participants, events, phases.
//! * [`diagram`] lays a dialog out and renders it (SVG, PNG, text, Mermaid).
//! * [`inspect`] reports what the first three stages understood (packet list, JSON), beside the dialog.
//! * [`conversations`] lists every TCP stream on one line each, like Wireshark's Conversations window.
//! * [`site`] turns `content/` + `captures/` into the static HTML site in `output/`.
//! * [`integrate`] puts the site's figures into other tools: an mdBook preprocessor, and `prerender` for Hugo,
//!   Jekyll, Zola and any other generator.
//!
//! [`analyze`] runs the first four stages on one capture file; it is what both the CLI and the site use.

#![forbid(unsafe_code)]

pub mod analyze;
pub mod capture;
pub mod conversations;
pub mod diagram;
pub mod dialog;
pub mod inspect;
pub mod integrate;
pub mod proto;
pub mod site;
pub mod tcp;
