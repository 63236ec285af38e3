//! The plain, fully resolved picture every view is computed into before anything is printed.
//!
//! A [`Layout`] holds final coordinates, texts and style classes only; the SVG writer prints it without making
//! any decision, the way usvg hands resvg a resolved tree. Colours live in the theme (by class), so one layout
//! serves the light, dark and automatic themes.

/// A whole picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Becomes `<title>`.
    pub title: String,
    /// Becomes `<desc>`: the dialog's plain-language account.
    pub description: String,
    /// Drawn in order: later items on top.
    pub items: Vec<Item>,
}

/// One drawable thing.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Rect {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        radius: f64,
        class: &'static str,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        class: &'static str,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        class: &'static str,
    },
    /// An SVG path (`M`, `L`, `H`, `V`, `Z` commands with coordinates at most one decimal): many lines in
    /// one element, for graphs of many segments.
    Path {
        d: String,
        class: &'static str,
    },
    Text(Text),
    /// A group that may be a link target (`id`), a link (`href`), carry a tooltip, and be styled as one
    /// (`dimmed` beside a highlight).
    Group {
        id: Option<String>,
        href: Option<String>,
        tooltip: Option<String>,
        class: Option<&'static str>,
        items: Vec<Item>,
    },
}

/// Horizontal alignment of a text relative to its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// Which font a text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Mono,
    MonoBold,
    /// DejaVu Sans, for the title only.
    Sans,
}

/// A single line of text; `y` is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub font: Font,
    pub anchor: Anchor,
    pub class: &'static str,
    pub content: String,
}

impl Text {
    pub fn new(x: f64, y: f64, size: f64, class: &'static str, content: impl Into<String>) -> Text {
        Text { x, y, size, font: Font::Mono, anchor: Anchor::Start, class, content: content.into() }
    }
    pub fn font(mut self, font: Font) -> Text {
        self.font = font;
        self
    }
    pub fn anchor(mut self, anchor: Anchor) -> Text {
        self.anchor = anchor;
        self
    }
}

impl Item {
    pub fn rect(x: f64, y: f64, width: f64, height: f64, class: &'static str) -> Item {
        Item::Rect { x, y, width, height, radius: 0.0, class }
    }
    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &'static str) -> Item {
        Item::Line { x1, y1, x2, y2, class }
    }
}

impl Layout {
    /// Every text of the picture, in drawing order (tests read labels through this).
    pub fn texts(&self) -> Vec<&Text> {
        fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Text>) {
            for item in items {
                match item {
                    Item::Text(text) => out.push(text),
                    Item::Group { items, .. } => walk(items, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.items, &mut out);
        out
    }
}

impl Layout {
    /// The picture cut at `height`: only the items that start above it (a social card shows the opening, and
    /// resvg would still parse and lay out the text of everything below).
    pub fn top(&self, height: f64) -> Layout {
        Layout {
            width: self.width,
            height: self.height.min(height),
            title: self.title.clone(),
            description: self.description.clone(),
            items: self.items.iter().filter_map(|item| item.above(height)).collect(),
        }
    }
}

impl Item {
    /// This item without what starts at or below `height`, `None` if nothing is left. A path is kept whole
    /// (it is one element, however far it goes).
    fn above(&self, height: f64) -> Option<Item> {
        let starts_above = |y: f64| y < height;
        let kept = match self {
            Item::Rect { y, .. } => starts_above(*y),
            Item::Line { y1, y2, .. } => starts_above(y1.min(*y2)),
            Item::Polygon { points, .. } => points.iter().any(|&(_, y)| starts_above(y)),
            Item::Path { .. } => true,
            Item::Text(text) => starts_above(text.y - text.size),
            Item::Group { id, href, tooltip, class, items } => {
                let items: Vec<Item> = items.iter().filter_map(|item| item.above(height)).collect();
                return (!items.is_empty()).then(|| Item::Group {
                    id: id.clone(),
                    href: href.clone(),
                    tooltip: tooltip.clone(),
                    class: *class,
                    items,
                });
            }
        };
        kept.then(|| self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_of_a_picture_keeps_what_starts_above_the_cut() {
        let text = |y: f64, content: &str| Item::Text(Text::new(0.0, y, 10.0, "fg", content));
        let layout = Layout {
            width: 100.0,
            height: 500.0,
            title: "t".into(),
            description: "d".into(),
            items: vec![
                Item::line(50.0, 400.0, 50.0, 20.0, "life"),
                text(112.0, "just below the cut"),
                Item::Group {
                    id: Some("a1".into()),
                    href: None,
                    tooltip: None,
                    class: None,
                    items: vec![text(50.0, "above"), Item::rect(0.0, 300.0, 10.0, 10.0, "bg")],
                },
                Item::Group { id: None, href: None, tooltip: None, class: None, items: vec![text(200.0, "below")] },
            ],
        };
        let top = layout.top(100.0);
        assert_eq!(top.height, 100.0);
        let texts: Vec<&str> = top.texts().iter().map(|t| t.content.as_str()).collect();
        assert_eq!(texts, ["above"]);
        assert_eq!(top.items.len(), 2, "the lifeline (it starts above) and the first group: {:?}", top.items);
    }
}
