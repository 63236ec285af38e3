//! Post metadata: Pelican's header block (`Title: ...` lines up to the first blank line), YAML front matter
//! between `---` lines, or TOML front matter between `+++` lines. Every field keeps the line it came from, so
//! a bad value is reported at `file:line`.

use super::config::line_of;
use super::error::{Location, SiteError};
use jiff::civil::DateTime;
use jiff::tz::Offset;
use std::collections::BTreeMap;
use std::path::Path;

/// A post's date as written (wall time) and the offset it was written in (UTC when none was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PostDate {
    pub local: DateTime,
    pub offset: Offset,
}

impl Default for PostDate {
    fn default() -> Self {
        PostDate { local: DateTime::default(), offset: Offset::UTC }
    }
}

impl PostDate {
    /// RFC 3339, as Atom and OpenGraph want it: `2020-08-31T09:00:00Z`.
    pub fn rfc3339(&self) -> String {
        let wall = self.local.strftime("%Y-%m-%dT%H:%M:%S");
        let seconds = self.offset.seconds();
        if seconds == 0 {
            return format!("{wall}Z");
        }
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        format!("{wall}{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
    /// `2020-08-31`, for `<time datetime>` and the archives.
    pub fn ymd(&self) -> String {
        self.local.strftime("%Y-%m-%d").to_string()
    }
    /// `31 August 2020`, for readers.
    pub fn human(&self) -> String {
        self.local.strftime("%-d %B %Y").to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Published,
    /// Not published unless the build asks for drafts, and then never listed.
    Draft,
    /// Written but listed nowhere (no index, feed, tag page or sitemap).
    Hidden,
}

/// The metadata of one post or page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub date: Option<PostDate>,
    pub modified: Option<PostDate>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub slug: Option<String>,
    pub author: Option<String>,
    pub summary: Option<String>,
    pub lang: Option<String>,
    pub status: Status,
    /// Line of the first body line, for error locations inside the markdown.
    pub body_line: usize,
}

/// One `key: value` of the header, with its line.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    value: FieldValue,
    line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum FieldValue {
    Text(String),
    List(Vec<String>),
}

impl FieldValue {
    fn text(&self) -> String {
        match self {
            FieldValue::Text(t) => t.clone(),
            FieldValue::List(items) => items.join(", "),
        }
    }
    /// Pelican's rule for tags and authors: split on `;` when there is one, else on `,`.
    fn list(&self) -> Vec<String> {
        match self {
            FieldValue::List(items) => items.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            FieldValue::Text(text) => {
                let separator = if text.contains(';') { ';' } else { ',' };
                text.split(separator).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            }
        }
    }
}

/// Splits a document into its metadata and its markdown body.
pub fn parse<'a>(path: &Path, text: &'a str) -> Result<(Metadata, &'a str), SiteError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fields, body, body_line) = if let Some(rest) = fenced(text, "---") {
        let (block, body, body_line) = split_fence(path, rest, "---")?;
        (yaml_fields(path, block)?, body, body_line)
    } else if let Some(rest) = fenced(text, "+++") {
        let (block, body, body_line) = split_fence(path, rest, "+++")?;
        (toml_fields(path, block)?, body, body_line)
    } else {
        pelican_fields(text)
    };
    Ok((Metadata::from_fields(path, fields, body_line)?, body))
}

fn fenced<'a>(text: &'a str, fence: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(fence)?;
    rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'))
}

/// Returns the front matter (starting at line 2), the body after the closing fence, and the body's first line.
fn split_fence<'a>(path: &Path, rest: &'a str, fence: &'static str) -> Result<(&'a str, &'a str, usize), SiteError> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            let block = rest.get(..offset).unwrap_or_default();
            let body = rest.get(offset + line.len()..).unwrap_or_default();
            return Ok((block, body, line_of(rest, offset) + 2));
        }
        offset += line.len();
    }
    Err(SiteError::UnclosedFrontMatter { at: Location::new(path, 1), fence })
}

/// Pelican's markdown header: `Key: value` lines from the first line to the first blank line; a line indented
/// by four spaces continues the previous value (Python-Markdown's meta extension).
fn pelican_fields(text: &str) -> (BTreeMap<String, Field>, &str, usize) {
    let mut fields: BTreeMap<String, Field> = BTreeMap::new();
    let mut last_key: Option<String> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            offset += line.len();
            return (fields, text.get(offset..).unwrap_or_default(), index + 2);
        }
        if let Some((key, value)) = header_line(content) {
            fields.insert(key.clone(), Field { value: FieldValue::Text(value.to_string()), line: index + 1 });
            last_key = Some(key);
        } else if let (Some(key), true) = (&last_key, content.starts_with("    ")) {
            if let Some(Field { value: FieldValue::Text(value), .. }) = fields.get_mut(key) {
                value.push(' ');
                value.push_str(content.trim());
            }
        } else {
            // Not a header line: a document without metadata (or whose header ended without a blank line).
            return if index == 0 {
                (BTreeMap::new(), text, 1)
            } else {
                (fields, text.get(offset..).unwrap_or_default(), index + 1)
            };
        }
        offset += line.len();
    }
    (fields, "", text.lines().count() + 1)
}

/// `Title: Hello` → (`title`, `Hello`). Keys are letters, digits, `_` and `-`, starting with a letter.
fn header_line(line: &str) -> Option<(String, &str)> {
    let (key, value) = line.split_once(':')?;
    let valid = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| (key.to_ascii_lowercase(), value.trim()))
}

fn yaml_fields(path: &Path, block: &str) -> Result<BTreeMap<String, Field>, SiteError> {
    let map: BTreeMap<String, yaml_serde::Value> = if block.trim().is_empty() {
        BTreeMap::new()
    } else {
        yaml_serde::from_str(block).map_err(|e| SiteError::FrontMatter {
            at: Location::new(path, e.location().map_or(1, |l| l.line()) + 1),
            message: e.to_string(),
        })?
    };
    let mut fields = BTreeMap::new();
    for (key, value) in map {
        let value = match value {
            yaml_serde::Value::Sequence(items) => FieldValue::List(items.iter().filter_map(yaml_scalar).collect()),
            other => FieldValue::Text(yaml_scalar(&other).unwrap_or_default()),
        };
        let line = key_line(block, &key, ':');
        fields.insert(key.to_ascii_lowercase(), Field { value, line });
    }
    Ok(fields)
}

fn yaml_scalar(value: &yaml_serde::Value) -> Option<String> {
    match value {
        yaml_serde::Value::String(s) => Some(s.clone()),
        yaml_serde::Value::Number(n) => Some(n.to_string()),
        yaml_serde::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn toml_fields(path: &Path, block: &str) -> Result<BTreeMap<String, Field>, SiteError> {
    let table: toml::Table = toml::from_str(block).map_err(|e| SiteError::FrontMatter {
        at: Location::new(path, e.span().map_or(1, |s| line_of(block, s.start)) + 1),
        message: e.message().trim().to_string(),
    })?;
    let mut fields = BTreeMap::new();
    for (key, value) in table {
        let value = match value {
            toml::Value::Array(items) => FieldValue::List(items.iter().filter_map(toml_scalar).collect()),
            other => FieldValue::Text(toml_scalar(&other).unwrap_or_default()),
        };
        let line = key_line(block, &key, '=');
        fields.insert(key.to_ascii_lowercase(), Field { value, line });
    }
    Ok(fields)
}

fn toml_scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// File line of `key:` / `key =` in a front-matter block that starts on the file's line 2.
fn key_line(block: &str, key: &str, separator: char) -> usize {
    block
        .lines()
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(separator)))
        .map_or(1, |i| i + 2)
}

impl Metadata {
    fn from_fields(path: &Path, fields: BTreeMap<String, Field>, body_line: usize) -> Result<Metadata, SiteError> {
        let text = |key: &str| fields.get(key).map(|f| f.value.text()).filter(|v| !v.is_empty());
        let title = text("title").ok_or_else(|| SiteError::MissingTitle { at: Location::new(path, 1) })?;
        let date_of = |key: &str| -> Result<Option<PostDate>, SiteError> {
            let Some(field) = fields.get(key) else {
                return Ok(None);
            };
            let value = field.value.text();
            parse_date(&value).map(Some).map_err(|cause| SiteError::BadDate {
                at: Location::new(path, field.line),
                value,
                cause,
            })
        };
        let status = match fields.get("status") {
            None => Status::Published,
            Some(field) => match field.value.text().trim().to_ascii_lowercase().as_str() {
                "published" | "" => Status::Published,
                "draft" => Status::Draft,
                "hidden" => Status::Hidden,
                _ => {
                    return Err(SiteError::BadStatus {
                        at: Location::new(path, field.line),
                        value: field.value.text(),
                    });
                }
            },
        };
        Ok(Metadata {
            title,
            date: date_of("date")?,
            modified: date_of("modified")?,
            tags: fields.get("tags").map(|f| f.value.list()).unwrap_or_default(),
            category: text("category"),
            slug: text("slug"),
            author: fields.get("author").or(fields.get("authors")).map(|f| f.value.list().join(", ")),
            summary: text("summary"),
            lang: text("lang"),
            status,
            body_line,
        })
    }
}

/// Reads `2020-08-31 09:00`, `2020-08-31T09:00:00+02:00`, `2020-08-31` (midnight) and the like.
pub fn parse_date(value: &str) -> Result<PostDate, jiff::Error> {
    let value = value.trim();
    if let Ok(zoned) = value.parse::<jiff::Timestamp>() {
        // An explicit offset or `Z`: keep the wall time the author wrote, in that offset.
        let offset =
            jiff::fmt::temporal::Pieces::parse(value).ok().and_then(|p| p.to_numeric_offset()).unwrap_or(Offset::UTC);
        return Ok(PostDate { local: offset.to_datetime(zoned), offset });
    }
    let local: DateTime = value.parse()?;
    Ok(PostDate { local, offset: Offset::UTC })
}

/// A URL-safe name: lowercase letters and digits joined by single dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Metadata, &str) {
        parse(Path::new("content/post.md"), text).unwrap()
    }

    #[test]
    fn pelican_header_with_semicolon_tags() {
        let (meta, body) = parse_ok(
            "Title: TCP clients\nLang: en\nDate: 2020-08-31 09:00\nAuthor: Ann\nTags: tcp; http; websocket; keepalive; 2020;\nSlug: tcp-clients\nSummary: How clients\n    talk to servers.\n\nFirst paragraph.\n",
        );
        assert_eq!(meta.title, "TCP clients");
        assert_eq!(meta.tags, ["tcp", "http", "websocket", "keepalive", "2020"]);
        assert_eq!(meta.slug.as_deref(), Some("tcp-clients"));
        assert_eq!(meta.summary.as_deref(), Some("How clients talk to servers."));
        assert_eq!(meta.date.unwrap().rfc3339(), "2020-08-31T09:00:00Z");
        assert_eq!(meta.date.unwrap().human(), "31 August 2020");
        assert_eq!(body, "First paragraph.\n");
        assert_eq!(meta.body_line, 10);
    }

    #[test]
    fn comma_tags_and_category() {
        let (meta, _) = parse_ok("Title: x\nDate: 2021-01-02\nTags: a, b c,\nCategory: Networks\n\nbody");
        assert_eq!(meta.tags, ["a", "b c"]);
        assert_eq!(meta.category.as_deref(), Some("Networks"));
        assert_eq!(meta.date.unwrap().rfc3339(), "2021-01-02T00:00:00Z");
    }

    #[test]
    fn yaml_front_matter() {
        let (meta, body) = parse_ok(
            "---\ntitle: \"Keep: alive\"\ndate: 2020-09-01T10:30:00+02:00\ntags: [tcp, http]\nstatus: draft\n---\nBody\n",
        );
        assert_eq!(meta.title, "Keep: alive");
        assert_eq!(meta.tags, ["tcp", "http"]);
        assert_eq!(meta.status, Status::Draft);
        assert_eq!(meta.date.unwrap().rfc3339(), "2020-09-01T10:30:00+02:00");
        assert_eq!(body, "Body\n");
        assert_eq!(meta.body_line, 7);
    }

    #[test]
    fn toml_front_matter() {
        let (meta, body) =
            parse_ok("+++\ntitle = \"h2c\"\ndate = 2020-09-02T08:00:00\ntags = \"http2; h2c\"\n+++\n\nText");
        assert_eq!(meta.title, "h2c");
        assert_eq!(meta.tags, ["http2", "h2c"]);
        assert_eq!(meta.date.unwrap().ymd(), "2020-09-02");
        assert_eq!(body, "\nText");
    }

    #[test]
    fn bad_date_names_its_line() {
        let error = parse(Path::new("content/p.md"), "Title: x\nTags: a\nDate: 31/08/2020\n\nbody").unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("content/p.md:3: cannot read date \"31/08/2020\""), "{message}");
        let error = parse(Path::new("content/p.md"), "---\ntitle: x\ndate: yesterday\n---\n").unwrap_err();
        assert!(error.to_string().starts_with("content/p.md:3: "), "{error}");
    }

    #[test]
    fn missing_title_and_bad_status_are_errors() {
        let error = parse(Path::new("content/p.md"), "Date: 2020-01-01\n\nbody").unwrap_err();
        assert_eq!(error.to_string(), "content/p.md:1: the post has no title (add a `Title:` line to its metadata)");
        let error = parse(Path::new("content/p.md"), "Title: x\nStatus: secret\n\n").unwrap_err();
        assert!(error.to_string().starts_with("content/p.md:2: unknown status"), "{error}");
        let error = parse(Path::new("content/p.md"), "---\ntitle: x\n").unwrap_err();
        assert!(matches!(error, SiteError::UnclosedFrontMatter { .. }));
    }

    #[test]
    fn yaml_syntax_error_names_the_file_line() {
        let error = parse(Path::new("content/p.md"), "---\ntitle: x\ntags: [a, b\n---\n").unwrap_err();
        assert!(matches!(error, SiteError::FrontMatter { .. }), "{error:?}");
        assert!(error.to_string().starts_with("content/p.md:"), "{error}");
    }

    #[test]
    fn document_without_header_is_all_body() {
        let error = parse(Path::new("content/p.md"), "# Just markdown\n\ntext").unwrap_err();
        assert!(matches!(error, SiteError::MissingTitle { .. }));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("HTTP/1.1 with `Connection: close`!"), "http-1-1-with-connection-close");
        assert_eq!(slugify("  Über TCP  "), "über-tcp");
    }
}
