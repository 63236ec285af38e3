//! The frame every graph view is drawn in: nice ticks in a unit that reads well (s or ms, bytes, kB or MB,
//! bit/s to Gbit/s), the axes and grid, the title, and the legend under the plot, which wraps at the width.

use super::super::Width;
use super::super::format::{coord, mono_chars, mono_width, truncate, wrap};
use super::super::layout::{Anchor, Font, Item, Text};

/// Where the title and the subtitle start.
const MARGIN: f64 = 12.0;
/// The subtitle (the stream and the view's parameters) wraps onto at most this many lines.
const SUBTITLE_LINES: usize = 3;

/// The measures a graph is drawn with: one set per [`Width`], so a phone's graph is the same picture with
/// smaller numbers, drawn for its width instead of a blog's picture scaled down to unreadable text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub width: f64,
    /// Room left of the plot for the y ticks' labels, and right of it for the last x label.
    left: f64,
    right: f64,
    /// The plot's top, under the title, one line of subtitle and the y axis' title.
    top: f64,
    plot_height: f64,
    pub tick_text: f64,
    title_size: f64,
    /// Line height of the subtitle.
    line: f64,
    /// Baselines below the plot of the x ticks' labels, of the x axis' title and of the legend's first row.
    below: [f64; 3],
    /// Where the legend's rows start: under the plot (wide), or at the margin, to use a phone's whole width.
    legend_left: f64,
    legend_row: f64,
    x_ticks: usize,
    y_ticks: usize,
}

impl Metrics {
    pub fn of(width: Width) -> &'static Metrics {
        match width {
            // A blog column of about 700 px.
            Width::Wide => &Metrics {
                width: 700.0,
                left: 64.0,
                right: 24.0,
                top: 70.0,
                plot_height: 300.0,
                tick_text: 12.0,
                title_size: 16.0,
                line: 19.0,
                below: [18.0, 36.0, 62.0],
                legend_left: 64.0,
                legend_row: 20.0,
                x_ticks: 8,
                y_ticks: 6,
            },
            // A 390 px phone less the page's padding, as the compact ladder.
            Width::Compact => &Metrics {
                width: 360.0,
                left: 42.0,
                right: 14.0,
                top: 62.0,
                plot_height: 210.0,
                tick_text: 10.0,
                title_size: 13.0,
                line: 14.0,
                below: [15.0, 30.0, 50.0],
                legend_left: MARGIN,
                legend_row: 17.0,
                x_ticks: 4,
                y_ticks: 5,
            },
        }
    }

    /// The subtitle's lines at this width: it breaks between its ` · ` parts first.
    fn subtitle_lines(&self, subtitle: &str) -> Vec<String> {
        let chars = mono_chars(self.width - 2.0 * MARGIN, self.tick_text);
        if subtitle.chars().count() <= chars {
            return vec![subtitle.to_string()];
        }
        let mut lines: Vec<String> = subtitle.split(" · ").flat_map(|part| wrap(part, chars, SUBTITLE_LINES)).collect();
        if lines.len() > SUBTITLE_LINES {
            let rest = lines.split_off(SUBTITLE_LINES - 1).join(" · ");
            lines.push(truncate(&rest, chars));
        }
        lines
    }
}

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

/// Where the plot is, the two axes, and the measures it is drawn with.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub x: Axis,
    pub y: Axis,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub metrics: &'static Metrics,
    /// The frame's subtitle, wrapped at the width.
    subtitle: Vec<String>,
}

/// Ranges and words of a plot, and the width it is drawn for.
pub struct Frame<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub x: (Quantity, f64, f64),
    pub y: (Quantity, f64, f64),
    pub y_title: &'a str,
    pub metrics: &'static Metrics,
}

impl Plot {
    pub fn new(frame: &Frame) -> Plot {
        let m = frame.metrics;
        // A subtitle that wraps pushes the plot down by its extra lines.
        let subtitle = m.subtitle_lines(frame.subtitle);
        let top = m.top + subtitle.len().saturating_sub(1) as f64 * m.line;
        let (left, right, bottom) = (m.left, m.width - m.right, top + m.plot_height);
        let x = Axis::new(frame.x.0, frame.x.1, frame.x.2, left, right, m.x_ticks);
        let y = Axis::new(frame.y.0, frame.y.1, frame.y.2, bottom, top, m.y_ticks);
        Plot { x, y, left, right, top, bottom, metrics: m, subtitle }
    }

    pub fn px(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x.scale.at(x), self.y.scale.at(y))
    }

    /// Title, axis titles, grid, ticks and their labels (drawn first, under the data).
    pub fn chrome(&self, frame: &Frame) -> Vec<Item> {
        let m = self.metrics;
        let title_y = m.title_size + 8.0;
        let mut items = vec![Item::Text(Text::new(MARGIN, title_y, m.title_size, "fg", frame.title).font(Font::Sans))];
        for (i, line) in self.subtitle.iter().enumerate() {
            let y = title_y + m.line * (i + 1) as f64;
            items.push(Item::Text(Text::new(MARGIN, y, m.tick_text, "dim", line.clone())));
        }
        let y_title = format!("{} ({})", frame.y_title, self.y.unit);
        items.push(Item::Text(Text::new(MARGIN, self.top - 10.0, m.tick_text, "dim", y_title)));
        let mut grid = String::new();
        let mut ticks = String::new();
        for &v in &self.y.ticks {
            let y = self.y.scale.at(v);
            path_h(&mut grid, self.left, y, self.right);
            path_h(&mut ticks, self.left - 4.0, y, self.left);
            let label = Text::new(self.left - 7.0, y + 4.0, m.tick_text, "dim", self.y.label(v)).anchor(Anchor::End);
            items.push(Item::Text(label));
        }
        for &v in &self.x.ticks {
            let x = self.x.scale.at(v);
            path_v(&mut grid, x, self.top, self.bottom);
            path_v(&mut ticks, x, self.bottom, self.bottom + 4.0);
            let label =
                Text::new(x, self.bottom + m.below[0], m.tick_text, "dim", self.x.label(v)).anchor(Anchor::Middle);
            items.push(Item::Text(label));
        }
        let x_title = format!("time since the first packet ({})", self.x.unit);
        let x_title = Text::new((self.left + self.right) / 2.0, self.bottom + m.below[1], m.tick_text, "dim", x_title);
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
    let m = plot.metrics;
    let mut items = Vec::new();
    let left = m.legend_left;
    let (mut x, mut y) = (left, plot.bottom + m.below[2]);
    for (swatch, words) in entries {
        let width = 24.0 + mono_width(words, m.tick_text) + 18.0;
        if x + width > m.width - m.right && x > left {
            x = left;
            y += m.legend_row;
        }
        items.push(match *swatch {
            Swatch::Line(class) => Item::Path { d: format!("M{} {}h16", coord(x), coord(y - 4.0)), class },
            Swatch::Area(class) => Item::rect(x, y - 10.0, 16.0, 10.0, class),
            Swatch::Mark(shape) => shape(x + 8.0, y - 4.0),
        });
        items.push(Item::Text(Text::new(x + 22.0, y, m.tick_text, "fg", words.clone())));
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
    fn a_long_subtitle_breaks_between_its_parts_on_a_phone() {
        let subtitle = "127.0.0.1:18096 → 127.0.0.1:37400 (tcp.stream 0) · moving average over 20 ms";
        let compact = Metrics::of(Width::Compact);
        assert_eq!(
            compact.subtitle_lines(subtitle),
            ["127.0.0.1:18096 → 127.0.0.1:37400 (tcp.stream 0)", "moving average over 20 ms"]
        );
        assert_eq!(Metrics::of(Width::Wide).subtitle_lines(subtitle), [subtitle]);
        let parts = ["a long part that fills the line on its own"; 5].join(" · ");
        let lines = compact.subtitle_lines(&parts);
        assert_eq!(lines.len(), SUBTITLE_LINES, "{lines:?}");
        assert!(lines[2].ends_with('…'), "{lines:?}");
    }

    #[test]
    fn a_polyline_skips_repeated_points() {
        assert_eq!(polyline([(0.0, 0.0), (0.01, 0.0), (10.0, 5.0)]), "M0 0L10 5");
    }
}
