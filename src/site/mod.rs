//! Site stage: turns `content/` (markdown posts) and `captures/` into the static HTML site in `output/`.
//!
//! Owns: the site config, post metadata (Pelican header block, YAML/TOML front matter), markdown rendering,
//! the ```` ```tcpdialog ```` directive that becomes a diagram figure, askama templates, and writing the output
//! atomically (staged beside `output/`, swapped in only when everything succeeded).

pub mod config;
pub mod error;
pub mod metadata;

pub use config::Config;
pub use error::{DirectiveProblem, Location, SiteError};
pub mod content;
pub mod links;
pub mod cache;
pub mod directive;
pub mod highlight;
pub mod markdown;
pub mod output;
