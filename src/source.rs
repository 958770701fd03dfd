//! Every file clawlint reads, with its text, so that any value can point back into it.

use crate::load::json5::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a file: the file and a byte span in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// Why a file was read: shown in diagnostics to explain the include chain.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as clawlint built it from the user's arguments (never made absolute).
    pub path: PathBuf,
    /// The file's text; empty when it could not be read.
    pub text: String,
    /// The `$include` value that pulled this file in, when it is an include.
    pub included_from: Option<Loc>,
    /// Spans holding secrets: never shown, in any output.
    pub redactions: Vec<Span>,
    /// `clawlint-ignore` comments found in the file.
    pub suppressions: Vec<crate::suppress::Suppression>,
}

impl SourceFile {
    /// The text with every secret replaced by `*`, byte for byte, so spans stay valid.
    pub fn redacted_text(&self) -> String {
        let mut bytes = self.text.clone().into_bytes();
        for span in &self.redactions {
            let end = span.end.min(bytes.len());
            for b in &mut bytes[span.start.min(end)..end] {
                // Keep UTF-8 valid: continuation and lead bytes alike become '*'.
                *b = b'*';
            }
        }
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// Files are added once and never removed, so a [`FileId`] stays valid.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    by_path: HashMap<PathBuf, FileId>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file (or returns the id it already has).
    pub fn add(&mut self, path: &Path, text: String, included_from: Option<Loc>) -> FileId {
        if let Some(id) = self.by_path.get(path) {
            return *id;
        }
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            included_from,
            redactions: Vec::new(),
            suppressions: Vec::new(),
        });
        self.by_path.insert(path.to_path_buf(), id);
        id
    }

    /// Marks spans of a file as secret.
    pub fn redact(&mut self, id: FileId, spans: impl IntoIterator<Item = Span>) {
        self.files[id.0 as usize].redactions.extend(spans);
    }

    pub fn set_suppressions(
        &mut self,
        id: FileId,
        suppressions: Vec<crate::suppress::Suppression>,
    ) {
        self.files[id.0 as usize].suppressions = suppressions;
    }

    pub fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        line_col(&self.file(id).text, offset)
    }

    /// The include chain that led to a file, outermost first.
    pub fn include_chain(&self, id: FileId) -> Vec<Loc> {
        let mut chain = Vec::new();
        let mut current = self.file(id).included_from;
        while let Some(loc) = current {
            if chain.contains(&loc) {
                break;
            }
            chain.push(loc);
            current = self.file(loc.file).included_from;
        }
        chain.reverse();
        chain
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_length_and_utf8() {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("f"), "a=sécret;".into(), None);
        map.redact(id, [Span { start: 2, end: 9 }]);
        let shown = map.file(id).redacted_text();
        assert_eq!(shown, "a=*******;");
        assert_eq!(shown.len(), "a=sécret;".len());
        assert!(is_secret_key("botToken") && is_secret_key("TELEGRAM_BOT_TOKEN"));
        assert!(!is_secret_key("port") && !is_secret_key("tokenFile"));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("ab\nçd", 5), (2, 2));
        assert_eq!(line_col("ab\nçd", 6), (2, 3));
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("a\n", 2), (2, 1));
    }

    #[test]
    fn include_chain_is_outermost_first() {
        let mut map = SourceMap::new();
        let top = map.add(Path::new("a"), "x".into(), None);
        let at_top = Loc {
            file: top,
            span: Span { start: 0, end: 1 },
        };
        let mid = map.add(Path::new("b"), "y".into(), Some(at_top));
        let at_mid = Loc {
            file: mid,
            span: Span { start: 0, end: 1 },
        };
        let leaf = map.add(Path::new("c"), "z".into(), Some(at_mid));
        assert_eq!(map.include_chain(leaf), vec![at_top, at_mid]);
        assert_eq!(map.add(Path::new("b"), String::new(), None), mid);
    }
}
