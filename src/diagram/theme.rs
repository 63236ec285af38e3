//! Colours: the light and dark palettes, written as a `<style>` sheet scoped to one diagram's id.
//!
//! Layouts only name classes; this module decides what they look like. The automatic theme is the light sheet
//! plus the dark one inside `@media (prefers-color-scheme: dark)`.

use super::Theme;
use std::collections::BTreeSet;

/// Colours of one palette.
struct Palette {
    bg: &'static str,
    fg: &'static str,
    dim: &'static str,
    life: &'static str,
    box_fill: &'static str,
    box_stroke: &'static str,
    arrow: &'static str,
    fold: &'static str,
    bad: &'static str,
    warn: &'static str,
    handshake: &'static str,
    exchange: &'static str,
    upgrade: &'static str,
    idle: &'static str,
    teardown: &'static str,
    row_bad: &'static str,
    row_warn: &'static str,
    bar: &'static str,
    /// Stream graphs: grid, ACK line, SACK blocks, the marks' own hues, goodput, the zero-window shade.
    grid: &'static str,
    ack: &'static str,
    sack: &'static str,
    fast: &'static str,
    spurious: &'static str,
    zero: &'static str,
    shade: &'static str,
}

const LIGHT: Palette = Palette {
    bg: "#ffffff",
    fg: "#1f2328",
    dim: "#59636e",
    life: "#8c959f",
    box_fill: "#f6f8fa",
    box_stroke: "#59636e",
    arrow: "#24292f",
    fold: "#0969da",
    bad: "#cf222e",
    warn: "#9a6700",
    handshake: "#ddf4ff",
    exchange: "#e6f6e6",
    upgrade: "#f3e8ff",
    idle: "#eff1f3",
    teardown: "#fff1e5",
    row_bad: "#ffebe9",
    row_warn: "#fff8c5",
    bar: "#afb8c1",
    grid: "#eaeef2",
    ack: "#1a7f37",
    sack: "#8250df",
    fast: "#bc4c00",
    spurious: "#bf3989",
    zero: "#1b7c83",
    shade: "#ffebe9",
};

const DARK: Palette = Palette {
    bg: "#0d1117",
    fg: "#e6edf3",
    dim: "#9198a1",
    life: "#6e7681",
    box_fill: "#161b22",
    box_stroke: "#9198a1",
    arrow: "#e6edf3",
    fold: "#4493f8",
    bad: "#ff7b72",
    warn: "#d29922",
    handshake: "#0c2a4a",
    exchange: "#0f2e1a",
    upgrade: "#2a1740",
    idle: "#1c2128",
    teardown: "#3a2411",
    row_bad: "#3c1618",
    row_warn: "#35290b",
    bar: "#484f58",
    grid: "#21262d",
    ack: "#3fb950",
    sack: "#a371f7",
    fast: "#f0883e",
    spurious: "#db61a2",
    zero: "#39c5cf",
    shade: "#3c1618",
};

/// Every class a layout may use, with its declarations in `palette`.
fn rules(p: &Palette) -> Vec<(&'static str, String)> {
    vec![
        ("bg", format!("fill:{}", p.bg)),
        ("fg", format!("fill:{}", p.fg)),
        ("dim", format!("fill:{}", p.dim)),
        ("halo", format!("fill:{};stroke:{};stroke-width:3;paint-order:stroke", p.fg, p.bg)),
        ("dim-halo", format!("fill:{};stroke:{};stroke-width:3;paint-order:stroke", p.dim, p.bg)),
        ("tag-bad", format!("fill:{}", p.bad)),
        ("tag-warn", format!("fill:{}", p.warn)),
        ("tag-fold", format!("fill:{}", p.fold)),
        ("life", format!("stroke:{};stroke-width:1", p.life)),
        ("life-gap", format!("stroke:{};stroke-width:1;stroke-dasharray:2 3", p.life)),
        ("pbox", format!("fill:{};stroke:{};stroke-width:1", p.box_fill, p.box_stroke)),
        ("rule", format!("stroke:{};stroke-width:1", p.life)),
        ("arrow", format!("stroke:{};stroke-width:1.2", p.arrow)),
        ("arrow-bad", format!("stroke:{};stroke-width:1.6", p.bad)),
        ("arrow-dash", format!("stroke:{};stroke-width:1.6;stroke-dasharray:6 3", p.bad)),
        ("arrow-warn", format!("stroke:{};stroke-width:1.6", p.warn)),
        ("fold", format!("stroke:{};stroke-width:5", p.fold)),
        ("head", format!("fill:{}", p.arrow)),
        ("head-bad", format!("fill:{}", p.bad)),
        ("head-warn", format!("fill:{}", p.warn)),
        ("head-fold", format!("fill:{}", p.fold)),
        ("x-bad", format!("stroke:{};stroke-width:2", p.bad)),
        ("ph-handshake", format!("fill:{}", p.handshake)),
        ("ph-exchange", format!("fill:{}", p.exchange)),
        ("ph-upgrade", format!("fill:{}", p.upgrade)),
        ("ph-idle", format!("fill:{}", p.idle)),
        ("ph-teardown", format!("fill:{}", p.teardown)),
        ("ph-loss", format!("fill:{}", p.row_bad)),
        ("dimmed", "opacity:0.3".to_string()),
        ("ph-stall", format!("fill:{}", p.row_warn)),
        ("bracket", format!("stroke:{};stroke-width:1.5", p.dim)),
        ("row-bad", format!("fill:{}", p.row_bad)),
        ("row-warn", format!("fill:{}", p.row_warn)),
        ("bar", format!("fill:{}", p.bar)),
        ("bar-idle", format!("stroke:{};stroke-width:2;stroke-dasharray:3 3", p.bar)),
        ("bar-hs", format!("fill:{}", p.dim)),
        ("bar-ex", format!("fill:{}", p.fold)),
        ("bar-bad", format!("fill:{}", p.bad)),
        ("bar-stall", format!("fill:{}", p.warn)),
        ("tick", format!("stroke:{};stroke-width:1", p.bar)),
        ("lock", format!("fill:{}", p.fold)),
        ("lock-shackle", format!("stroke:{};stroke-width:1.4", p.fold)),
    ]
}

/// The stream graphs' classes, written only into the sheets of graphs (a ladder's SVG stays as small as it was).
fn graph_rules(p: &Palette) -> Vec<(&'static str, String)> {
    vec![
        ("g-grid", format!("stroke:{};stroke-width:1", p.grid)),
        ("g-axis", format!("stroke:{};stroke-width:1", p.life)),
        ("g-data", format!("stroke:{};stroke-width:1.2", p.arrow)),
        ("g-resent", format!("stroke:{};stroke-width:1.6", p.bad)),
        ("g-dot", format!("fill:{}", p.arrow)),
        ("g-ack", format!("stroke:{};stroke-width:1.4", p.ack)),
        ("g-win", format!("stroke:{};stroke-width:1.4", p.warn)),
        ("g-sack", format!("stroke:{};stroke-width:2", p.sack)),
        ("g-thr", format!("stroke:{};stroke-width:1.6", p.fold)),
        ("g-good", format!("stroke:{};stroke-width:1.6", p.ack)),
        ("g-rtt", format!("fill:{}", p.fold)),
        ("g-karn", format!("fill:{};stroke:{};stroke-width:1.2", p.bg, p.dim)),
        ("g-bif", format!("fill:{}", p.fold)),
        ("g-sackbif", format!("fill:{}", p.sack)),
        ("g-shade", format!("fill:{}", p.shade)),
        ("m-retx", format!("fill:{}", p.bad)),
        ("m-fast", format!("fill:{}", p.fast)),
        ("m-spur", format!("fill:{};stroke:{};stroke-width:1.6", p.bg, p.spurious)),
        ("m-ooo", format!("fill:{}", p.fold)),
        ("m-dup", format!("stroke:{};stroke-width:2", p.ack)),
        ("m-zw", format!("fill:{}", p.zero)),
        ("m-full", format!("stroke:{};stroke-width:3", p.warn)),
        ("m-flag", format!("fill:{}", p.fg)),
        ("m-rst", format!("fill:{}", p.bad)),
    ]
}

/// Stroke-only classes also need `fill:none`; this keeps `rules` readable.
fn is_stroke_only(class: &str) -> bool {
    matches!(
        class,
        "life"
            | "life-gap"
            | "rule"
            | "arrow"
            | "arrow-bad"
            | "arrow-dash"
            | "arrow-warn"
            | "fold"
            | "x-bad"
            | "bracket"
            | "bar-idle"
            | "tick"
            | "lock-shackle"
            | "g-grid"
            | "g-axis"
            | "g-data"
            | "g-resent"
            | "g-ack"
            | "g-win"
            | "g-sack"
            | "g-thr"
            | "g-good"
            | "m-dup"
            | "m-full"
    )
}

fn sheet(scope: &str, palette: &Palette, indent: &str, used: &BTreeSet<&str>) -> String {
    let mut out = String::new();
    let mut all = rules(palette);
    all.extend(graph_rules(palette));
    for (class, declarations) in all.into_iter().filter(|(class, _)| used.contains(class)) {
        let fill_none = if is_stroke_only(class) { ";fill:none" } else { "" };
        out.push_str(&format!("{indent}#{scope} .{class}{{{declarations}{fill_none}}}\n"));
    }
    out
}

/// The background colour (`#rrggbb`) of a picture that cannot follow the reader's scheme (the automatic theme
/// is light there).
pub fn background(theme: Theme) -> &'static str {
    match theme {
        Theme::Dark => DARK.bg,
        Theme::Light | Theme::Auto => LIGHT.bg,
    }
}

/// The `<style>` content for a diagram whose root element has id `scope`; `graph` adds the stream graphs'
/// classes.
pub fn css(theme: Theme, scope: &str, used: &BTreeSet<&str>) -> String {
    match theme {
        Theme::Light => sheet(scope, &LIGHT, "", used),
        Theme::Dark => sheet(scope, &DARK, "", used),
        Theme::Auto => {
            format!(
                "{}@media (prefers-color-scheme: dark) {{\n{}}}\n",
                sheet(scope, &LIGHT, "", used),
                sheet(scope, &DARK, "  ", used)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(names: &[&'static str]) -> BTreeSet<&'static str> {
        names.iter().copied().collect()
    }

    #[test]
    fn auto_theme_switches_to_dark_under_the_media_query() {
        let css = css(Theme::Auto, "d", &classes(&["bg"]));
        let (light, dark) = css.split_once("@media (prefers-color-scheme: dark)").unwrap();
        assert!(light.contains("#d .bg{fill:#ffffff}"));
        assert!(dark.contains("#d .bg{fill:#0d1117}"));
    }

    #[test]
    fn rules_are_scoped_to_the_diagram() {
        let all: Vec<&str> = rules(&LIGHT).into_iter().chain(graph_rules(&LIGHT)).map(|(class, _)| class).collect();
        assert!(css(Theme::Dark, "post-3", &classes(&all)).lines().all(|line| line.starts_with("#post-3 .")));
    }

    #[test]
    fn only_the_classes_a_picture_uses_get_a_rule() {
        let css = css(Theme::Light, "d", &classes(&["bg", "arrow", "g-data", "no-such-class"]));
        assert_eq!(css.lines().count(), 3, "{css}");
        assert!(css.contains("#d .arrow{") && css.contains("#d .g-data{") && !css.contains(".fg{"), "{css}");
    }
}
