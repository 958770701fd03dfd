//! Secret redaction: the one place that decides which text is a secret and what of a secret
//! may be shown. Loaders ask it which spans to mask as they read a file (the spans are
//! kept on the file in the [`crate::source::SourceMap`]); resolve reduces every secret it
//! reads to a [`SecretIdentity`] (a fingerprint and a public hint) and drops the value;
//! reporters show files only through [`masked`] and secrets only through
//! [`SecretIdentity::shown`]. No secret is ever printed, in any output format.

use crate::load::json5::Span;
use sha2::{Digest, Sha256};

// Which text is a secret.

/// A config member whose string value is a secret: a secret-like key or a credential-like
/// value, unless the value only names an environment variable (`${VAR}` or `$VAR` says
/// where a secret lives without revealing it).
pub fn is_secret_member(key: &str, value: &str) -> bool {
    (is_secret_key(key) || is_secret_value(value)) && !is_env_reference(value)
}

/// A string value that is only a reference to an environment variable (`${NAME}`, `$NAME`):
/// it says where a secret lives without revealing it.
pub fn is_env_reference(value: &str) -> bool {
    let name_chars = |n: &str| {
        n.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    // `${NAME}` substitution: `[A-Z_][A-Z0-9_]*`; `$NAME` shorthand: `[A-Z][A-Z0-9_]*`.
    if let Some(name) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        let first = name.bytes().next();
        return first.is_some_and(|b| b.is_ascii_uppercase() || b == b'_') && name_chars(name);
    }
    match value.strip_prefix('$') {
        Some(name) => {
            name.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) && name_chars(name)
        }
        None => false,
    }
}

/// Values that carry credentials whatever their key: `Bearer …`, `Basic …`.
pub fn is_secret_value(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    lower.starts_with("bearer ") || lower.starts_with("basic ")
}

/// Keys whose values are secrets wherever they appear: `botToken`, `appSecret`,
/// `password`, `TELEGRAM_BOT_TOKEN`, `OPENAI_API_KEY`, ...
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if ["file", "path", "dir"].iter().any(|s| lower.ends_with(s)) {
        return false;
    }
    [
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "api_key",
        "credential",
        "privatekey",
        "private_key",
        "api-key",
        "authorization",
        "cookie",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// The parts of a URL that carry credentials: the userinfo before `@` and the query string.
pub fn url_secret_spans(url: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let Some(scheme_end) = url.find("://") else {
        return out;
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    if let Some(at) = url[authority_start..authority_end].rfind('@') {
        out.push(Span {
            start: base + authority_start,
            end: base + authority_start + at,
        });
    }
    if let Some(q) = url.find('?') {
        let end = url[q..].find('#').map_or(url.len(), |i| q + i);
        out.push(Span {
            start: base + q + 1,
            end: base + end,
        });
    }
    out
}

/// Spans of words in free text (comments, unparsable files) that look like tokens: long,
/// with letters and digits, no spaces or slashes.
pub fn token_like_words(text: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    // `=` separates `--flag=value` and `KEY=value`; it is not part of a token.
    let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.' | '+');
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let word = &text[s..i];
                let looks_secret = word.len() >= 16
                    && word.bytes().any(|b| b.is_ascii_digit())
                    && word.bytes().any(|b| b.is_ascii_alphabetic());
                if looks_secret {
                    out.push(Span {
                        start: base + s,
                        end: base + i,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The inside of every quoted string in text that could not be parsed: with no structure to
/// say which strings are secrets, all of them might be. Quotes end at the line's end.
pub fn quoted_strings(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match open {
            Some((quote, start)) => {
                if c == '\n' || (c == quote && !escaped) {
                    out.push(Span { start, end: i });
                    open = None;
                }
                escaped = c == '\\' && !escaped;
            }
            None if c == '"' || c == '\'' => {
                open = Some((c, i + 1));
                escaped = false;
            }
            None => {}
        }
    }
    if let Some((_, start)) = open {
        out.push(Span {
            start,
            end: text.len(),
        });
    }
    out
}

/// Environment keys whose values say where or how, not who: shown in snippets. Every other
/// value in a `.env` file or a unit's environment is masked, since a token's variable can
/// have any name.
pub fn is_public_env_key(key: &str) -> bool {
    const EXACT: &[&str] = &[
        "HOME",
        "PATH",
        "TZ",
        "LANG",
        "USER",
        "SHELL",
        "TMPDIR",
        "NODE_ENV",
        "NODE_OPTIONS",
    ];
    const SUFFIXES: &[&str] = &[
        "_PORT",
        "_DIR",
        "_PATH",
        "_HOME",
        "_PROFILE",
        "_ROOTS",
        "_HOST",
        "_BIND",
        "_MODE",
        "_LEVEL",
        "_UNIT",
        "_LABEL",
        "_KIND",
        "_MARKER",
        "_TASK_NAME",
        "_HIDDEN_LAUNCHER",
        "_FILE",
    ];
    let upper = key.to_ascii_uppercase();
    !is_secret_key(key)
        && (EXACT.contains(&upper.as_str()) || SUFFIXES.iter().any(|s| upper.ends_with(s)))
}

// What may be shown.

/// The text with every secret span replaced by `*`, byte for byte, so that spans into the
/// text stay valid.
pub fn masked(text: &str, secrets: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in secrets {
        let end = span.end.min(bytes.len());
        for b in &mut bytes[span.start.min(end)..end] {
            // Keep UTF-8 valid: continuation and lead bytes alike become '*'.
            *b = b'*';
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// A URL fit to print: userinfo and query values replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let mut bytes = url.to_string();
    let mut spans = url_secret_spans(url, 0);
    spans.sort_by_key(|s| std::cmp::Reverse(s.start));
    for span in spans {
        bytes.replace_range(span.start..span.end, "***");
    }
    bytes
}

/// A short SHA-256 fingerprint: enough to tell tokens apart, useless for recovering one.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A Telegram token's public half: the bot id before the colon.
pub fn telegram_bot_id(token: &str) -> Option<String> {
    let (id, _) = token.split_once(':')?;
    (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| id.to_string())
}

/// What identifies a secret across gateways, without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretIdentity {
    /// A value clawlint resolved: a SHA-256 fingerprint and a public hint (a Telegram bot id).
    Known {
        fingerprint: String,
        hint: Option<String>,
    },
    /// A reference clawlint cannot resolve statically: its identity tuple and why.
    Unresolved { reference: String, reason: String },
}

impl SecretIdentity {
    /// How a secret is shown: never the value, only its public hint and a fingerprint
    /// prefix, or the reference clawlint could not resolve.
    pub fn shown(&self) -> String {
        match self {
            SecretIdentity::Known { fingerprint, hint } => match hint {
                Some(bot) => format!("bot {bot}:…, sha256 {}", &fingerprint[..8]),
                None => format!("sha256 {}", &fingerprint[..8]),
            },
            SecretIdentity::Unresolved { reference, .. } => format!("unresolved {reference}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_length_and_utf8() {
        let shown = masked("a=sécret;", &[Span { start: 2, end: 9 }]);
        assert_eq!(shown, "a=*******;");
        assert_eq!(shown.len(), "a=sécret;".len());
        // Spans past the end are clipped, not a panic.
        assert_eq!(
            masked(
                "ab",
                &[Span { start: 1, end: 9 }, Span { start: 5, end: 7 }]
            ),
            "a*"
        );
    }

    #[test]
    fn secret_keys_values_and_references() {
        assert!(is_secret_key("botToken") && is_secret_key("TELEGRAM_BOT_TOKEN"));
        assert!(!is_secret_key("port") && !is_secret_key("tokenFile"));
        assert!(is_secret_member("botToken", "123:abc"));
        assert!(is_secret_member("headers", "Bearer abc"));
        assert!(!is_secret_member("botToken", "${TELEGRAM_BOT_TOKEN}"));
        assert!(!is_secret_member("botToken", "$TELEGRAM_BOT_TOKEN"));
        assert!(!is_secret_member("name", "ops"));
    }

    #[test]
    fn urls_lose_their_userinfo_and_query() {
        assert_eq!(
            redact_url("http://user:pass@host:9222/json?token=abc#frag"),
            "http://***@host:9222/json?***#frag"
        );
        assert_eq!(redact_url("ws://127.0.0.1:18800"), "ws://127.0.0.1:18800");
    }

    #[test]
    fn fingerprints_are_short_and_stable() {
        assert_eq!(fingerprint("abc").len(), 16);
        assert_eq!(fingerprint("abc"), fingerprint("abc"));
        assert_ne!(fingerprint("abc"), fingerprint("abd"));
    }

    #[test]
    fn only_the_public_half_of_a_secret_is_shown() {
        assert_eq!(telegram_bot_id("123456:ABC"), Some("123456".into()));
        assert_eq!(telegram_bot_id("abc:def"), None);
        let known = SecretIdentity::Known {
            fingerprint: fingerprint("123456:ABC"),
            hint: telegram_bot_id("123456:ABC"),
        };
        let shown = known.shown();
        assert!(shown.starts_with("bot 123456:…, sha256 "), "{shown}");
        assert!(!shown.contains("ABC"), "{shown}");
        let reference = SecretIdentity::Unresolved {
            reference: "exec:vault:tg".into(),
            reason: "run time".into(),
        };
        assert_eq!(reference.shown(), "unresolved exec:vault:tg");
    }
}
