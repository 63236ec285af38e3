//! Opaque pixels as an 8-bit indexed (palette) PNG, for social cards.
//!
//! A card is a few flat theme colours and the anti-aliased edges between them: a 1200×630 card of
//! `http-close.pcap` has 299 distinct colours, and its 256 most frequent cover all but 60 of its 756 000 pixels.
//! So the palette is the 256 most frequent colours (exact, so backgrounds and lines keep their theme colour,
//! which a clustering quantizer such as NeuQuant shifts) and each rarer colour takes its nearest entry. One byte
//! a pixel instead of three also leaves a third of the data to deflate: that card went from 75 KB (RGB) to
//! 39 KB at the same zlib level.

use super::DiagramError;
use resvg::tiny_skia::Pixmap;
use rustc_hash::FxHashMap;

/// Colours a PNG palette holds at most (8 bits per pixel).
const PALETTE_SIZE: usize = 256;

type Rgb = [u8; 3];

/// `len` pixels of one colour in a row (a card is mostly long runs of its background and phase colours).
struct Run {
    colour: Rgb,
    len: usize,
}

/// `pixmap` as an indexed PNG, or `None` when a pixel is not opaque (a palette here carries no alpha).
pub fn encode(pixmap: &Pixmap) -> Option<Result<Vec<u8>, DiagramError>> {
    let runs = runs(pixmap)?;
    let palette = palette(&runs);
    let indices = indices(&runs, &palette, pixmap.pixels().len());
    Some(write_png(pixmap.width(), pixmap.height(), &palette, &indices))
}

/// The pixels as runs of one colour, or `None` if one is not opaque (opaque ones are the same premultiplied).
/// Pixels are compared as whole words: this loop sees every pixel of the card.
fn runs(pixmap: &Pixmap) -> Option<Vec<Run>> {
    let mut runs: Vec<Run> = Vec::new();
    let mut current: Option<(u32, usize)> = None;
    for pixel in pixmap.data().chunks_exact(4) {
        let word = u32::from_le_bytes([pixel[0], pixel[1], pixel[2], pixel[3]]);
        match &mut current {
            Some((colour, len)) if *colour == word => *len += 1,
            _ => {
                if pixel[3] != 255 {
                    return None;
                }
                runs.extend(current.map(run));
                current = Some((word, 1));
            }
        }
    }
    runs.extend(current.map(run));
    Some(runs)
}

fn run((word, len): (u32, usize)) -> Run {
    let [red, green, blue, _] = word.to_le_bytes();
    Run { colour: [red, green, blue], len }
}

/// The most frequent colours, most frequent first (ties by colour, so the palette never depends on hashing).
fn palette(runs: &[Run]) -> Vec<Rgb> {
    let mut counts: FxHashMap<Rgb, usize> = FxHashMap::default();
    for run in runs {
        *counts.entry(run.colour).or_default() += run.len;
    }
    let mut colours: Vec<(Rgb, usize)> = counts.into_iter().collect();
    colours.sort_unstable_by(|(a, n), (b, m)| m.cmp(n).then(a.cmp(b)));
    colours.into_iter().take(PALETTE_SIZE).map(|(colour, _)| colour).collect()
}

/// Each pixel's palette index: its own colour's, else the nearest colour's (looked up once per colour).
fn indices(runs: &[Run], palette: &[Rgb], pixels: usize) -> Vec<u8> {
    let mut index: FxHashMap<Rgb, u8> = palette.iter().enumerate().map(|(i, &c)| (c, i as u8)).collect();
    let mut out = Vec::with_capacity(pixels);
    for run in runs {
        let i = *index.entry(run.colour).or_insert_with(|| nearest(run.colour, palette));
        out.extend(std::iter::repeat_n(i, run.len));
    }
    out
}

/// The palette entry closest to `colour` (squared RGB distance; the first of equals).
fn nearest(colour: Rgb, palette: &[Rgb]) -> u8 {
    let distance = |c: &Rgb| -> u32 { (0..3).map(|k| (i32::from(c[k]) - i32::from(colour[k])).pow(2) as u32).sum() };
    let (i, _) = palette.iter().enumerate().min_by_key(|(_, c)| distance(c)).unwrap_or((0, &colour));
    i as u8
}

/// No row filter (filters help photographs, not palette indices) and zlib's fastest level.
fn write_png(width: u32, height: u32, palette: &[Rgb], indices: &[u8]) -> Result<Vec<u8>, DiagramError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    encoder.set_filter(png::Filter::NoFilter);
    encoder.set_deflate_compression(png::DeflateCompression::Level(1));
    let failed = |e: png::EncodingError| DiagramError::PngEncode(Box::new(e));
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(indices).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use resvg::tiny_skia::Color;

    fn pixmap(colours: &[Rgb]) -> Pixmap {
        let mut pixmap = Pixmap::new(colours.len() as u32, 1).unwrap();
        for (pixel, c) in pixmap.pixels_mut().iter_mut().zip(colours) {
            *pixel = Color::from_rgba8(c[0], c[1], c[2], 255).premultiply().to_color_u8();
        }
        pixmap
    }

    fn decode(bytes: &[u8]) -> (png::ColorType, Vec<Rgb>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let palette: Vec<Rgb> = reader.info().palette.as_ref().unwrap().chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
        let mut indices = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut indices).unwrap();
        (info.color_type, indices[..info.buffer_size()].iter().map(|&i| palette[usize::from(i)]).collect())
    }

    #[test]
    fn a_picture_of_few_colours_is_kept_exactly() {
        let colours = [[255, 255, 255], [31, 35, 40], [255, 255, 255], [221, 244, 255], [31, 35, 40]];
        let (color_type, decoded) = decode(&encode(&pixmap(&colours)).unwrap().unwrap());
        assert_eq!(color_type, png::ColorType::Indexed);
        assert_eq!(decoded, colours);
    }

    #[test]
    fn past_256_colours_the_rare_ones_take_the_nearest_frequent_one() {
        // 256 grey levels twice each, then one pixel of a near-white that is not among them.
        let mut colours: Vec<Rgb> = (0..=255).flat_map(|v| [[v, v, v]; 2]).collect();
        colours.push([255, 254, 255]);
        let (_, decoded) = decode(&encode(&pixmap(&colours)).unwrap().unwrap());
        assert_eq!(decoded[..512], colours[..512]);
        assert_eq!(decoded[512], [255, 255, 255]);
    }

    #[test]
    fn a_transparent_pixel_is_left_to_the_rgba_encoder() {
        let mut pixmap = pixmap(&[[1, 2, 3], [4, 5, 6]]);
        pixmap.pixels_mut()[1] = Color::TRANSPARENT.premultiply().to_color_u8();
        assert!(encode(&pixmap).is_none());
    }
}
