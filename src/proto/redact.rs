//! Redaction of secrets: header values such as `Authorization` and `Cookie`, and PostgreSQL passwords.
//!
//! Every decoder that prints a value which may be secret goes through a [`Redactor`]; with redaction on (the
//! default) the value is replaced with [`REDACTED`] before it reaches a summary or detail line.

use std::collections::BTreeSet;

/// What a secret value is replaced with.
pub const REDACTED: &str = "…redacted…";

/// Header names whose values are always secret (compared case-insensitively).
const SECRET_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Decides which values are secret and hides them.
#[derive(Debug, Clone)]
pub struct Redactor {
    enabled: bool,
    /// Lower-case names of the headers to hide.
    headers: BTreeSet<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(true, &[])
    }
}

impl Redactor {
    pub fn new(enabled: bool, extra_headers: &[String]) -> Self {
        let headers = SECRET_HEADERS
            .iter()
            .map(|h| h.to_string())
            .chain(extra_headers.iter().map(|h| h.trim().to_ascii_lowercase()))
            .collect();
        Redactor { enabled, headers }
    }

    pub fn is_secret_header(&self, name: &str) -> bool {
        self.enabled && self.headers.contains(&name.trim().to_ascii_lowercase())
    }

    /// The header value as it may be shown.
    pub fn header_value<'a>(&self, name: &str, value: &'a str) -> &'a str {
        if self.is_secret_header(name) { REDACTED } else { value }
    }

    /// `name: value`, with the value hidden when secret.
    pub fn header_line(&self, name: &str, value: &str) -> String {
        format!("{name}: {}", self.header_value(name, value))
    }

    /// A password (PostgreSQL PasswordMessage, SASL data) as it may be shown.
    pub fn secret<'a>(&self, value: &'a str) -> &'a str {
        if self.enabled { REDACTED } else { value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_default_and_configured_headers_in_any_case() {
        let r = Redactor::new(true, &["X-Api-Key".to_string()]);
        assert_eq!(r.header_line("Authorization", "Basic dXNlcjpodW50ZXIy"), "Authorization: …redacted…");
        assert_eq!(r.header_line("cookie", "session=TOPSECRET123"), "cookie: …redacted…");
        assert_eq!(r.header_line("x-api-key", "k"), "x-api-key: …redacted…");
        assert_eq!(r.header_line("Host", "example.com"), "Host: example.com");
        assert_eq!(r.secret("s3cret-pw"), REDACTED);
    }

    #[test]
    fn shows_everything_when_turned_off() {
        let r = Redactor::new(false, &[]);
        assert_eq!(r.header_line("Cookie", "a=b"), "Cookie: a=b");
        assert_eq!(r.secret("pw"), "pw");
    }
}
