//! Renders a layout to PNG through resvg, with the DejaVu fonts bundled in the binary.
//!
//! System fonts are never loaded, so the same dialog gives byte-identical PNGs on every machine. The automatic
//! theme renders as light (a PNG cannot follow the reader's colour scheme).

use super::layout::Layout;
use super::{DiagramError, DiagramOptions, Theme, indexed, svg};
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

const FONTS: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
];

/// Upper bound on the pixels of one PNG (about 256 MB of RGBA): larger requests get a smaller scale.
const MAX_PIXELS: f64 = 64.0 * 1024.0 * 1024.0;

/// The font database, built once per process from the bundled fonts only.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DATABASE: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            for font in FONTS {
                db.load_font_data(font.to_vec());
            }
            db.set_monospace_family("DejaVu Sans Mono");
            db.set_sans_serif_family("DejaVu Sans");
            db.set_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// The scale actually used: the requested one (at least 0.1), lowered if the image would be too large.
pub fn effective_scale(layout: &Layout, requested: f32) -> f32 {
    let scale = if requested.is_finite() { requested.max(0.1) } else { 1.0 };
    let pixels = layout.width * layout.height * f64::from(scale) * f64::from(scale);
    if pixels <= MAX_PIXELS { scale } else { (f64::from(scale) * (MAX_PIXELS / pixels).sqrt()) as f32 }
}

/// A social card's size in pixels: OpenGraph's 1.91:1, as social sites show it.
pub const CARD_SIZE: (u32, u32) = (1200, 630);

pub fn render(layout: &Layout, options: &DiagramOptions) -> Result<Vec<u8>, DiagramError> {
    let tree = tree(layout, options)?;
    let scale = effective_scale(layout, options.scale);
    let width = (layout.width * f64::from(scale)).ceil() as u32;
    let height = (layout.height * f64::from(scale)).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or(DiagramError::PngSize { width, height })?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    encode(&pixmap)
}

/// A social card: the picture's opening (title, lifelines, the first arrows and phases) across the card's
/// width, cut at its height; a picture shorter than the card has the background below it. Only the items the
/// card shows are drawn, and it is written with a palette ([`indexed`]): a card was most of a cold site build.
pub fn card(layout: &Layout, options: &DiagramOptions) -> Result<Vec<u8>, DiagramError> {
    let pixmap = card_pixmap(&layout.top(card_height(layout)), options)?;
    indexed::encode(&pixmap).unwrap_or_else(|| encode(&pixmap))
}

/// How much of the picture a card shows, in layout units: the card's height at the scale that fits its width.
fn card_height(layout: &Layout) -> f64 {
    let (width, height) = CARD_SIZE;
    f64::from(height) * layout.width.max(1.0) / f64::from(width)
}

/// The card's pixels: `layout` across the card's width on the theme's background.
fn card_pixmap(layout: &Layout, options: &DiagramOptions) -> Result<tiny_skia::Pixmap, DiagramError> {
    let tree = tree(layout, options)?;
    let (width, height) = CARD_SIZE;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or(DiagramError::PngSize { width, height })?;
    let background = super::theme::background(options.theme);
    let channel = |at: usize| u8::from_str_radix(background.get(at..at + 2).unwrap_or("ff"), 16).unwrap_or(255);
    pixmap.fill(tiny_skia::Color::from_rgba8(channel(1), channel(3), channel(5), 255));
    let scale = width as f32 / layout.width.max(1.0) as f32;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// The pixels as a PNG: RGB when they are all opaque (every picture has a background), deflated at zlib's
/// fastest level. At tiny-skia's default (level 6) encoding was half of a site's cold build; level 1 costs a
/// third of that for files about a quarter larger (a social card: 57 KB at 6, 75 KB at 1; fdeflate: 106 KB).
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, DiagramError> {
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == 255);
    let (color, channels) = if opaque { (png::ColorType::Rgb, 3) } else { (png::ColorType::Rgba, 4) };
    // Whole pixels pushed by a branch on `opaque` outside the loop: a slice of `channels` bytes per pixel was
    // a call to memcpy per pixel, 15% of a cold site build.
    let mut data = Vec::with_capacity(pixmap.pixels().len() * channels);
    let colours = pixmap.pixels().iter().map(|pixel| pixel.demultiply());
    if opaque {
        data.extend(colours.flat_map(|c| [c.red(), c.green(), c.blue()]));
    } else {
        data.extend(colours.flat_map(|c| [c.red(), c.green(), c.blue(), c.alpha()]));
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(png::DeflateCompression::Level(1));
    let failed = |e: png::EncodingError| DiagramError::PngEncode(Box::new(e));
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&data).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// The picture as resvg's tree, in the theme a PNG can show.
fn tree(layout: &Layout, options: &DiagramOptions) -> Result<usvg::Tree, DiagramError> {
    let theme = match options.theme {
        Theme::Auto => Theme::Light,
        other => other,
    };
    let document = svg::write(layout, theme, &options.id_prefix, &options.id_prefix);
    let usvg_options =
        usvg::Options { font_family: "DejaVu Sans Mono".to_string(), fontdb: fonts(), ..usvg::Options::default() };
    Ok(usvg::Tree::from_data(document.as_bytes(), &usvg_options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use crate::diagram::ladder;
    use crate::dialog::{DialogOptions, Selection, build};
    use std::path::Path;

    fn ladder_of(capture: &str) -> Layout {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let analysis = analyze_file(&path, &Default::default()).unwrap();
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        ladder::layout(&dialog, &DiagramOptions::default())
    }

    #[test]
    fn a_card_drawn_from_the_items_it_shows_has_the_pixels_of_the_whole_picture() {
        let layout = ladder_of("captures/page-load.pcap");
        let shown = layout.top(card_height(&layout));
        assert!(shown.items.len() < layout.items.len() / 2, "the opening of a long ladder is a small part of it");
        let options = DiagramOptions::default();
        assert!(card_pixmap(&shown, &options).unwrap() == card_pixmap(&layout, &options).unwrap());
    }

    #[test]
    fn a_card_is_an_indexed_png_well_under_100_kb() {
        let png = card(&ladder_of("captures/http-close.pcap"), &DiagramOptions::default()).unwrap();
        // IHDR: width, height, bit depth, colour type 3 (indexed).
        assert_eq!(png[16..26], [0, 0, 4, 176, 0, 0, 2, 118, 8, 3]);
        assert!(png.len() < 60_000, "{} bytes", png.len());
    }
}
