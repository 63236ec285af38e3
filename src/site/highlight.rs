//! Code highlighting with syntect, marked up with CSS classes (never inline styles) so the page's light and
//! dark themes both apply; [`css`] writes the matching style sheet.

use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A highlighted `<pre>` block; unknown languages come out as escaped plain text.
pub fn highlight(code: &str, language: &str) -> String {
    let set = syntaxes();
    let token = language.split([' ', ',', '{']).next().unwrap_or_default();
    let syntax = set.find_syntax_by_token(token).unwrap_or_else(|| set.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    let mut highlighted = true;
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            highlighted = false;
            break;
        }
    }
    let body = if highlighted { generator.finalize() } else { escape(code) };
    let class = if token.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(token)) };
    format!("<pre class=\"code\"><code{class}>{body}</code></pre>\n")
}

/// The style sheet for the classes [`highlight`] writes: a light theme, and a dark one under
/// `prefers-color-scheme: dark`.
pub fn css() -> String {
    let themes = ThemeSet::load_defaults();
    let rules = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let dark: String = rules(DARK_THEME).lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "/* Code colours (syntect: {LIGHT_THEME}, and {DARK_THEME} in dark mode). */\n{}\n@media (prefers-color-scheme: dark) {{\n{dark}}}\n",
        rules(LIGHT_THEME)
    )
}

/// Escapes text for HTML content and attribute values (pulldown-cmark's own escaper, so markdown and
/// tcpdialog's additions escape alike).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_not_styles() {
        let html = highlight("import requests\nrequests.get(\"http://x\")\n", "python");
        assert!(html.starts_with("<pre class=\"code\"><code class=\"language-python\">"), "{html}");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        let html = highlight("<b>&</b>\n", "no-such-language");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn css_has_both_themes() {
        let css = css();
        assert!(css.contains(".hl-"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert_eq!(css, super::css(), "the style sheet must be the same every time");
    }
}
