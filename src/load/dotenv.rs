//! `.env` files as the `dotenv` package (v17) parses them: `KEY=value`, `export KEY=value`,
//! `KEY: value`, single/double/backtick quotes (double quotes expand `\n` and `\r`, and may
//! span lines), `#` comments, and a later assignment of a key overriding an earlier one.

use crate::load::json5::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// From the start of the key to the end of the value.
    pub span: Span,
    pub key_span: Span,
}

/// A `#` comment; `span` covers it from the `#`, [`Comment::text`] is what follows the `#`
/// (not copied out of the file: only a directive scan reads it).
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub span: Span,
}

impl Comment {
    /// What follows the `#`, in `text`, the text it was parsed from.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.span.start() + 1..self.span.end()]
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DotEnv {
    /// Every assignment in file order (a key may repeat; the last one counts).
    pub entries: Vec<Entry>,
    pub comments: Vec<Comment>,
}

/// Files with at most this many assignments (nearly all) find a repeated key by comparing it
/// with the keys before it, not through a hash map made for the file.
const SCANNED_ENTRIES: usize = 16;

impl DotEnv {
    /// The effective assignments: last one of each key wins, in first-seen order.
    pub fn effective(&self) -> Vec<&Entry> {
        self.effective_positions()
            .into_iter()
            .map(|at| &self.entries[at])
            .collect()
    }

    /// [`DotEnv::effective`], taken out of the file: a file that sets each key once (most
    /// do) gives its entries as they are, without a copy.
    pub fn into_effective(self) -> Vec<Entry> {
        let positions = self.effective_positions();
        // No key repeats: the positions are every entry, in order.
        if positions.len() == self.entries.len() {
            return self.entries;
        }
        positions
            .into_iter()
            .map(|at| self.entries[at].clone())
            .collect()
    }

    /// Where in `entries` each effective assignment is, in first-seen order of its key.
    fn effective_positions(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(self.entries.len());
        if self.entries.len() <= SCANNED_ENTRIES {
            for (at, entry) in self.entries.iter().enumerate() {
                let key = entry.key.as_str();
                match out.iter().position(|&o| self.entries[o].key == key) {
                    Some(i) => out[i] = at,
                    None => out.push(at),
                }
            }
            return out;
        }
        let mut index = crate::load::keys::KeyIndex::with_capacity(self.entries.len());
        for (at, entry) in self.entries.iter().enumerate() {
            match index.place(entry.key.as_str(), out.len()) {
                Some(i) => out[i] = at,
                None => out.push(at),
            }
        }
        out
    }
}

pub fn parse(text: &str) -> DotEnv {
    let mut parser = Parser {
        text,
        pos: 0,
        out: DotEnv::default(),
    };
    while parser.pos < text.len() {
        parser.line();
    }
    parser.out
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    out: DotEnv,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_inline_space(&mut self) {
        self.pos += inline_space(self.rest());
    }

    /// Past the next `\n` (a byte search: `str::find` of a `char` goes through a searcher
    /// set up for each call).
    fn skip_to_next_line(&mut self) {
        match memchr::memchr(b'\n', self.rest().as_bytes()) {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.text.len(),
        }
    }

    fn line(&mut self) {
        self.skip_inline_space();
        if self.rest().starts_with('#') {
            self.comment();
            return;
        }
        if let Some(after) = self.rest().strip_prefix("export") {
            if after.starts_with([' ', '\t']) {
                self.pos += "export".len();
                self.skip_inline_space();
            }
        }
        let key_start = self.pos;
        // Looked at as bytes: a key is ASCII, and a non-ASCII character ends it at its
        // first byte, where a search char by char would.
        let key_len = self
            .rest()
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
            .unwrap_or(self.rest().len());
        if key_len == 0 || !self.separator(key_len) {
            self.skip_to_next_line();
            return;
        }
        let key_span = Span::new(key_start, key_start + key_len);
        let key = self.text[key_span.start()..key_span.end()].to_string();
        self.skip_inline_space();
        let (value, value_end) = self.value();
        self.out.entries.push(Entry {
            key,
            value,
            span: Span::new(key_start, value_end),
            key_span,
        });
        self.skip_trailing_comment();
    }

    /// `=` (spaces allowed around it) or `:` followed by a space.
    fn separator(&mut self, key_len: usize) -> bool {
        let after_key = &self.rest()[key_len..];
        let spaces = inline_space(after_key);
        if after_key.as_bytes().get(spaces) == Some(&b'=') {
            self.pos += key_len + spaces + 1;
            return true;
        }
        if spaces == 0 && (after_key.starts_with(": ") || after_key.starts_with(":\t")) {
            self.pos += key_len + 1;
            return true;
        }
        false
    }

    /// Returns the value and the byte offset where it ends.
    fn value(&mut self) -> (String, usize) {
        let rest = self.rest();
        if let Some(quote) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '`'))
        {
            if let Some(close) = closing_quote(&rest[1..], quote) {
                let inner = &rest[1..1 + close];
                let end = self.pos + close + 2;
                self.pos = end;
                let value = if quote == '"' {
                    inner.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    inner.to_string()
                };
                return (value, end);
            }
        }
        let line_end = line_length(rest);
        let raw_end = memchr::memchr(b'#', &rest.as_bytes()[..line_end]).unwrap_or(line_end);
        let raw = &rest[..raw_end];
        let value = raw.trim();
        let end = self.pos + raw.trim_end().len();
        self.pos += raw_end;
        (value.to_string(), end)
    }

    fn skip_trailing_comment(&mut self) {
        self.skip_inline_space();
        if self.rest().starts_with('#') {
            self.comment();
        } else {
            self.skip_to_next_line();
        }
    }

    fn comment(&mut self) {
        let start = self.pos;
        let len = line_length(self.rest());
        self.out.comments.push(Comment {
            span: Span::new(start, start + len),
        });
        // The comment holds no `\n`: the next one is at or after its end.
        self.pos = start + len;
        self.skip_to_next_line();
    }
}

/// The spaces and tabs `text` starts with, counted as bytes (a `trim_start_matches` of the
/// two chars decodes each character it looks at).
fn inline_space(text: &str) -> usize {
    text.bytes()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// The bytes of `text` before its first `\n` or `\r` (all of them without one): a byte
/// search, where a search for either of two `char`s decodes every character before them.
fn line_length(text: &str) -> usize {
    memchr::memchr2(b'\n', b'\r', text.as_bytes()).unwrap_or(text.len())
}

/// The span of an entry's value: after the `=` or `:` that follows the key.
pub fn value_span(text: &str, entry: &Entry) -> Span {
    let after_key = &text[entry.key_span.end()..entry.span.end()];
    let separator = after_key.find(['=', ':']).map_or(0, |i| i + 1);
    Span::new(entry.key_span.end() + separator, entry.span.end())
}

/// The offset of the closing quote, honouring `\<quote>` as an escaped quote.
fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if c == quote && !escaped {
            return Some(i);
        }
        escaped = c == '\\' && !escaped;
    }
    None
}

/// Keys OpenClaw drops from a working-directory `.env` ("workspace dotenv"): every
/// `OPENCLAW_*` setting clawlint models, proxies, endpoints and dangerous switches.
pub fn blocked_in_workspace_dotenv(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    const KEYS: &[&str] = &["ALL_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "PATH"];
    const SUFFIXES: &[&str] = &["_API_HOST", "_BASE_URL", "_ENDPOINT", "_HOMESERVER"];
    upper.starts_with("OPENCLAW_")
        || KEYS.contains(&upper.as_str())
        || SUFFIXES.iter().any(|s| upper.ends_with(s))
        || upper.split('_').any(|t| t == "DANGEROUSLY")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text)
            .effective()
            .into_iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    }

    #[test]
    fn forms_dotenv_accepts() {
        let text = "# tokens\nA=1\nexport B = two words # note\nC: x\nD='single # kept'\nE=\"l1\\nl2\"\nF=`tick`\nA=override\n";
        assert_eq!(
            pairs(text),
            vec![
                ("A".into(), "override".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into()),
                ("D".into(), "single # kept".into()),
                ("E".into(), "l1\nl2".into()),
                ("F".into(), "tick".into()),
            ]
        );
    }

    /// Short files (keys compared one by one) and long ones (a key index) agree, and taking
    /// the entries out of the file gives what borrowing them does.
    #[test]
    fn repeated_keys_in_short_and_long_files() {
        for count in [3, SCANNED_ENTRIES, SCANNED_ENTRIES + 1, 40] {
            let text: String = (0..count)
                .map(|i| format!("K{}={i}\n", i % 5 + i / 20))
                .collect();
            let parsed = parse(&text);
            let mut expected: Vec<(String, String)> = Vec::new();
            for e in &parsed.entries {
                match expected.iter_mut().find(|(k, _)| *k == e.key) {
                    Some(slot) => slot.1 = e.value.clone(),
                    None => expected.push((e.key.clone(), e.value.clone())),
                }
            }
            assert_eq!(pairs(&text), expected, "{count}");
            let borrowed: Vec<Entry> = parsed.effective().into_iter().cloned().collect();
            assert_eq!(parsed.into_effective(), borrowed, "{count}");
        }
        let once = parse("A=1\nB=2\n");
        assert_eq!(once.clone().into_effective(), once.entries);
    }

    #[test]
    fn multiline_double_quotes_and_junk_lines() {
        let text = "junk line\nM=\"a\nb\"\nN=\n";
        assert_eq!(
            pairs(text),
            vec![("M".into(), "a\nb".into()), ("N".into(), String::new())]
        );
    }

    #[test]
    fn spans_cover_key_to_value() {
        let text = "X=1\nOPENCLAW_GATEWAY_PORT=20666  # pinned\n";
        let env = parse(text);
        let e = &env.entries[1];
        assert_eq!(
            &text[e.span.start()..e.span.end()],
            "OPENCLAW_GATEWAY_PORT=20666"
        );
        assert_eq!(env.comments[0].text(text), " pinned");
    }

    #[test]
    fn workspace_filter() {
        assert!(blocked_in_workspace_dotenv("OPENCLAW_GATEWAY_PORT"));
        assert!(blocked_in_workspace_dotenv("openai_base_url"));
        assert!(!blocked_in_workspace_dotenv("TELEGRAM_BOT_TOKEN"));
    }
}
