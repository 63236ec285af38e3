//! Drawing one block found outside the site: read it as the site reads a block, draw it through the diagram
//! cache, and hand back what the site's figure is printed from.

use super::blocks::Block;
use crate::site::cache::DiagramCache;
use crate::site::directive::{self, CaptureDir, Directive, Drawn};
use crate::site::{Config, Location, SiteError};
use std::path::Path;

/// Draws blocks from one folder of captures, with the site's default options.
pub struct Drawer {
    captures: CaptureDir,
    config: Config,
    cache: DiagramCache,
}

/// A drawn block.
#[derive(Debug)]
pub struct DrawnBlock {
    pub directive: Directive,
    pub drawn: Drawn,
}

impl DrawnBlock {
    /// The caption the figure shows: the block's own, else which capture and streams.
    pub fn caption(&self) -> String {
        self.directive.caption.clone().unwrap_or_else(|| self.directive.default_caption())
    }
}

impl Drawer {
    /// `cache_root` holds `.tcpdialog-cache/` (the book's or the working folder).
    pub fn new(captures: CaptureDir, cache_root: &Path) -> Drawer {
        Drawer { captures, config: Config::default(), cache: DiagramCache::new(cache_root, true, true) }
    }

    /// Draws `block` of the file shown as `source`; `id_prefix` keeps the SVG's ids apart from other figures
    /// on the same page. Errors name `source` and the line of the block they are about.
    pub fn draw(&self, block: &Block, source: &Path, id_prefix: &str, want_png: bool) -> Result<DrawnBlock, SiteError> {
        let at = |offset: usize| Location::new(source, block.first_line() + offset);
        let mut directive = directive::parse_block(&block.inner, &self.config.diagram)
            .map_err(|(offset, problem)| SiteError::Directive { at: at(offset), problem })?;
        directive.diagram.id_prefix = id_prefix.to_string();
        let drawn = directive::draw(&directive, &self.captures, &self.config, &self.cache, want_png, false)
            .map_err(|problem| SiteError::Directive { at: at(0), problem })?;
        Ok(DrawnBlock { directive, drawn })
    }
}
