//! Integrations: tcpdialog's diagrams where people already write, outside tcpdialog's own site.
//!
//! Owns: finding ```` ```tcpdialog ```` blocks in any markdown ([`blocks`]), drawing one as the site's figure
//! ([`render`]), the mdBook preprocessor ([`mdbook`]), and `prerender` for other generators, with the Hugo
//! render hook that embeds its output ([`prerender`], [`hugo`]). Everything is drawn by the site stage's
//! directive code and printed by its figure function, so a figure reads the same in every tool.

pub mod blocks;
pub mod error;
pub mod hugo;
pub mod mdbook;
pub mod prerender;
pub mod render;

pub use error::IntegrateError;

/// The figures' stylesheet outside the site: mdBook's `additional-css`, or beside prerendered figures.
pub const CSS: &str = include_str!("../../theme/embed.css");
