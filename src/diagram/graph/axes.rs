//! The frame every graph view is drawn in: nice ticks in a unit that reads well (s or ms, bytes, kB or MB,
//! bit/s to Gbit/s), the axes and grid, the title, and the legend under the plot, which wraps at the width.

use super::super::format::{coord, mono_width};
use super::super::layout::{Anchor, Font, Item, Text};

/// Blog width: the picture is drawn at this size and scales down on a phone.
pub const WIDTH: f64 = 700.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 70.0;
const PLOT_HEIGHT: f64 = 300.0;
pub const TICK_TEXT: f64 = 12.0;
const TITLE_SIZE: f64 = 16.0;
const LEGEND_ROW: f64 = 20.0;

/// What an axis measures; its unit is chosen from the largest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Time,
    Bytes,
    BitsPerSecond,
    Duration,
}

/// A linear map from values to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub px_lo: f64,
    pub px_hi: f64,
}

impl Scale {
    pub fn at(&self, value: f64) -> f64 {
        let span = if self.hi > self.lo { self.hi - self.lo } else { 1.0 };
        self.px_lo + (value - self.lo) / span * (self.px_hi - self.px_lo)
    }
}

/// An axis: its scale, tick values, and the unit its labels are in.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub scale: Scale,
    pub ticks: Vec<f64>,
    step: f64,
    divisor: f64,
    pub unit: &'static str,
}

/// About `count` ticks covering `lo..hi`, at 1, 2 or 5 times a power of ten; the range grows to whole ticks.
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> (f64, f64, f64) {
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let raw = (hi - lo) / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

fn unit_of(quantity: Quantity, max: f64) -> (f64, &'static str) {
    match quantity {
        Quantity::Time | Quantity::Duration if max < 0.001 => (1e-6, "µs"),
        Quantity::Time | Quantity::Duration if max < 1.0 => (1e-3, "ms"),
        Quantity::Time | Quantity::Duration => (1.0, "s"),
        Quantity::Bytes if max < 2e3 => (1.0, "bytes"),
        Quantity::Bytes if max < 2e6 => (1e3, "kB"),
        Quantity::Bytes => (1e6, "MB"),
        Quantity::BitsPerSecond if max < 2e3 => (1.0, "bit/s"),
        Quantity::BitsPerSecond if max < 2e6 => (1e3, "kbit/s"),
        Quantity::BitsPerSecond if max < 2e9 => (1e6, "Mbit/s"),
        Quantity::BitsPerSecond => (1e9, "Gbit/s"),
    }
}

impl Axis {
    pub fn new(quantity: Quantity, lo: f64, hi: f64, px_lo: f64, px_hi: f64, count: usize) -> Axis {
        let (lo, hi, step) = nice_ticks(lo, hi, count);
        let (divisor, unit) = unit_of(quantity, hi.abs().max(lo.abs()));
        let n = ((hi - lo) / step).round() as usize;
        let ticks = (0..=n).map(|i| lo + step * i as f64).collect();
        Axis { scale: Scale { lo, hi, px_lo, px_hi }, ticks, step, divisor, unit }
    }

    /// A tick's label, with as many decimals as the step needs.
    pub fn label(&self, value: f64) -> String {
        let step = self.step / self.divisor;
        let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
        let text = format!("{:.*}", decimals, value / self.divisor);
        if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { "0".into() } else { text }
    }
}

/// Where the plot is, and the two axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub x: Axis,
    pub y: Axis,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// Ranges and words of a plot.
pub struct Frame<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub x: (Quantity, f64, f64),
    pub y: (Quantity, f64, f64),
    pub y_title: &'a str,
}

impl Plot {
    pub fn new(frame: &Frame) -> Plot {
        let (left, right, top, bottom) = (LEFT, WIDTH - RIGHT, TOP, TOP + PLOT_HEIGHT);
        let x = Axis::new(frame.x.0, frame.x.1, frame.x.2, left, right, 8);
        let y = Axis::new(frame.y.0, frame.y.1, frame.y.2, bottom, top, 6);
        Plot { x, y, left, right, top, bottom }
    }

    pub fn px(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x.scale.at(x), self.y.scale.at(y))
    }

    /// Title, axis titles, grid, ticks and their labels (drawn first, under the data).
    pub fn chrome(&self, frame: &Frame) -> Vec<Item> {
        let mut items = vec![
            Item::Text(Text::new(12.0, 24.0, TITLE_SIZE, "fg", frame.title).font(Font::Sans)),
            Item::Text(Text::new(12.0, 43.0, TICK_TEXT, "dim", frame.subtitle)),
            Item::Text(Text::new(
                12.0,
                self.top - 10.0,
                TICK_TEXT,
                "dim",
                format!("{} ({})", frame.y_title, self.y.unit),
            )),
        ];
        let mut grid = String::new();
        let mut ticks = String::new();
        for &v in &self.y.ticks {
            let y = self.y.scale.at(v);
            path_h(&mut grid, self.left, y, self.right);
            path_h(&mut ticks, self.left - 4.0, y, self.left);
            let label = Text::new(self.left - 7.0, y + 4.0, TICK_TEXT, "dim", self.y.label(v)).anchor(Anchor::End);
            items.push(Item::Text(label));
        }
        for &v in &self.x.ticks {
            let x = self.x.scale.at(v);
            path_v(&mut grid, x, self.top, self.bottom);
            path_v(&mut ticks, x, self.bottom, self.bottom + 4.0);
            let label = Text::new(x, self.bottom + 18.0, TICK_TEXT, "dim", self.x.label(v)).anchor(Anchor::Middle);
            items.push(Item::Text(label));
        }
        let x_title = format!("time since the first packet ({})", self.x.unit);
        let x_title = Text::new((self.left + self.right) / 2.0, self.bottom + 36.0, TICK_TEXT, "dim", x_title);
        items.push(Item::Text(x_title.anchor(Anchor::Middle)));
        items.insert(0, Item::Path { d: grid, class: "g-grid" });
        items.push(Item::Path { d: ticks, class: "g-axis" });
        let frame_box = format!(
            "M{} {}H{}M{} {}V{}",
            coord(self.left),
            coord(self.bottom),
            coord(self.right),
            coord(self.left),
            coord(self.top),
            coord(self.bottom)
        );
        items.push(Item::Path { d: frame_box, class: "g-axis" });
        items
    }
}

/// What a legend entry shows beside its words.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Line(&'static str),
    Area(&'static str),
    /// A mark, drawn by the caller's shape function at the given centre.
    Mark(fn(f64, f64) -> Item),
}

/// The legend under the plot; returns its items and the picture's height.
pub fn legend(plot: &Plot, entries: &[(Swatch, String)]) -> (Vec<Item>, f64) {
    let mut items = Vec::new();
    let (mut x, mut y) = (plot.left, plot.bottom + 62.0);
    for (swatch, words) in entries {
        let width = 24.0 + mono_width(words, TICK_TEXT) + 18.0;
        if x + width > WIDTH - RIGHT && x > plot.left {
            x = plot.left;
            y += LEGEND_ROW;
        }
        items.push(match *swatch {
            Swatch::Line(class) => Item::Path { d: format!("M{} {}h16", coord(x), coord(y - 4.0)), class },
            Swatch::Area(class) => Item::rect(x, y - 10.0, 16.0, 10.0, class),
            Swatch::Mark(shape) => shape(x + 8.0, y - 4.0),
        });
        items.push(Item::Text(Text::new(x + 22.0, y, TICK_TEXT, "fg", words.clone())));
        x += width;
    }
    (items, y + 14.0)
}

/// Appends a horizontal segment to a path.
pub fn path_h(d: &mut String, x1: f64, y: f64, x2: f64) {
    d.push_str(&format!("M{} {}H{}", coord(x1), coord(y), coord(x2)));
}

/// Appends a vertical segment to a path.
pub fn path_v(d: &mut String, x: f64, y1: f64, y2: f64) {
    d.push_str(&format!("M{} {}V{}", coord(x), coord(y1), coord(y2)));
}

/// A polyline through `points` as a path (`M x y L x y ...`), points closer than a tenth of a pixel merged.
pub fn polyline(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut d = String::new();
    let mut last: Option<(String, String)> = None;
    for (x, y) in points {
        let (cx, cy) = (coord(x), coord(y));
        if last.as_ref() == Some(&(cx.clone(), cy.clone())) {
            continue;
        }
        d.push_str(if last.is_none() { "M" } else { "L" });
        d.push_str(&format!("{cx} {cy}"));
        last = Some((cx, cy));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 0.3636, 8), (0.0, 0.4, 0.05));
        assert_eq!(nice_ticks(0.0, 313_000.0, 6), (0.0, 400_000.0, 100_000.0));
        assert_eq!(nice_ticks(15_000.0, 58_000.0, 6), (10_000.0, 60_000.0, 10_000.0));
    }

    #[test]
    fn labels_use_the_unit_of_the_largest_value() {
        let axis = Axis::new(Quantity::Time, 0.0, 0.3636, 0.0, 600.0, 8);
        assert_eq!((axis.unit, axis.label(0.05), axis.label(0.0)), ("ms", "50".to_string(), "0".to_string()));
        let axis = Axis::new(Quantity::Time, 0.0, 3.92, 0.0, 600.0, 8);
        assert_eq!((axis.unit, axis.label(0.5)), ("s", "0.5".to_string()));
        let axis = Axis::new(Quantity::Time, 0.0, 1.2, 0.0, 600.0, 8);
        assert_eq!((axis.unit, axis.label(0.2)), ("s", "0.2".to_string()));
        let axis = Axis::new(Quantity::Bytes, 0.0, 313_000.0, 0.0, 300.0, 6);
        assert_eq!((axis.unit, axis.label(150_000.0)), ("kB", "150".to_string()));
        let axis = Axis::new(Quantity::BitsPerSecond, 0.0, 9.1e6, 0.0, 300.0, 6);
        assert_eq!((axis.unit, axis.label(2e6)), ("Mbit/s", "2".to_string()));
    }

    #[test]
    fn a_polyline_skips_repeated_points() {
        assert_eq!(polyline([(0.0, 0.0), (0.01, 0.0), (10.0, 5.0)]), "M0 0L10 5");
    }
}
