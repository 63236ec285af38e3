//! Site stage: turns `content/` (markdown posts) and `captures/` into the static HTML site in `output/`.
//!
//! Owns: the site config, post metadata (Pelican header block, YAML/TOML front matter), markdown rendering,
//! the ```` ```tcpdialog ```` directive that becomes a diagram figure, askama templates, and writing the output
//! atomically (staged beside `output/`, swapped in only when everything succeeded).
//!
//! Entry points: [`build`], [`check`] (same loading and verification, writes nothing), [`init`] (a new site
//! that builds at once) and [`serve`] (rebuild on change, live reload).

mod build;
pub mod cache;
pub mod config;
pub mod content;
pub mod directive;
pub mod error;
pub mod feed;
pub mod figure;
pub mod highlight;
mod init;
pub mod links;
pub mod markdown;
pub mod metadata;
pub mod output;
mod pages;
pub mod serve;
pub mod templates;

pub use build::{BuildOptions, BuildReport, CheckReport, build, check};
pub use config::Config;
pub use error::{DirectiveProblem, Location, SiteError};
pub use init::init;
pub use serve::{serve, watch_paths};
