//! `EnvironmentFile=` files as systemd's `parse_env_file_internal()` reads them.

use super::unit::UnitComment;
use super::words::WS;
use crate::load::json5::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct EnvFileEntry {
    /// As written, trailing blanks removed. Not validated: systemd drops entries whose name is
    /// not valid when it starts the process (see [`env_name_is_valid`](super::env_name_is_valid));
    /// OpenClaw keeps them.
    pub key: String,
    pub value: String,
    /// From the first character of the key to the last character of the value.
    pub span: Span,
}

/// Parses an `EnvironmentFile=` file as systemd's `parse_env_file_internal()` does:
/// `KEY=VALUE` assignments; `#` and `;` comments at the start of a line; blanks around key
/// and value dropped; single quotes (literal, may span lines), double quotes (`\"`, `\\`,
/// `` \` ``, `\$` unescaped, other backslashes kept, may span lines) and unquoted backslash
/// escapes; a backslash before a newline joins the lines; quoted and unquoted pieces are
/// concatenated (`A="x"y` is `xy`), but a quote after unquoted text is literal (`A=x"y"` is
/// `x"y"`). `\n`, `\r` and `\r\n` end lines. A line without `=` is ignored; a NUL ends the file.
/// Every assignment is returned; the last one of a key wins.
///
/// OpenClaw's reader agrees on single lines but splits the file at newlines first, so it has
/// no continuation lines and no multi-line quoted values, treats a lone `\r` as a blank, and
/// skips lines that start with `=`.
pub fn parse_environment_file(text: &str) -> (Vec<EnvFileEntry>, Vec<UnitComment>) {
    let mut parser = EnvFileParser::default();
    for (i, c) in text.char_indices() {
        if c == '\0' {
            break;
        }
        parser.step(i, c);
    }
    parser.finish(text);
    (parser.entries, parser.comments)
}

#[derive(Default, Clone, Copy, PartialEq)]
enum EnvState {
    #[default]
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    SingleQuote,
    DoubleQuote,
    DoubleQuoteEscape,
    Comment,
}

#[derive(Default)]
struct EnvFileParser {
    state: EnvState,
    key: String,
    /// Length of `key` where its trailing blanks begin, if it ends in blanks.
    key_blank: Option<usize>,
    value: String,
    /// Length of `value` where its trailing blanks begin (unquoted values only).
    value_blank: Option<usize>,
    start: usize,
    /// End of the last character that belongs to the entry (or to the open comment).
    end: usize,
    entries: Vec<EnvFileEntry>,
    comments: Vec<UnitComment>,
}

fn is_newline(c: char) -> bool {
    c == '\n' || c == '\r'
}

fn is_blank(c: char) -> bool {
    WS.contains(&c)
}

impl EnvFileParser {
    fn step(&mut self, i: usize, c: char) {
        let before = self.state;
        match self.state {
            EnvState::PreKey => self.pre_key(i, c),
            EnvState::Key => self.key_char(c),
            EnvState::PreValue => self.pre_value(c),
            EnvState::Value => self.value_char(c),
            EnvState::ValueEscape => {
                self.state = EnvState::Value;
                if !is_newline(c) {
                    self.value.push(c);
                }
            }
            EnvState::SingleQuote => match c {
                '\'' => self.state = EnvState::PreValue,
                _ => self.value.push(c),
            },
            EnvState::DoubleQuote => match c {
                '"' => self.state = EnvState::PreValue,
                '\\' => self.state = EnvState::DoubleQuoteEscape,
                _ => self.value.push(c),
            },
            EnvState::DoubleQuoteEscape => self.double_quote_escape(c),
            EnvState::Comment => self.comment_char(i, c),
        }
        // A blank read outside quotes and escapes may turn out to be trailing (or a line end),
        // so it joins the span only once something follows it.
        let unquoted = matches!(
            before,
            EnvState::PreKey
                | EnvState::Key
                | EnvState::PreValue
                | EnvState::Value
                | EnvState::Comment
        );
        if !(unquoted && is_blank(c)) {
            self.end = i + c.len_utf8();
        }
    }

    fn pre_key(&mut self, i: usize, c: char) {
        if c == '#' || c == ';' {
            self.state = EnvState::Comment;
            self.start = i;
        } else if !is_blank(c) {
            self.state = EnvState::Key;
            self.start = i;
            self.key_blank = None;
            self.key.push(c);
        }
    }

    fn key_char(&mut self, c: char) {
        if is_newline(c) {
            // A line without '=' is dropped.
            self.state = EnvState::PreKey;
            self.key.clear();
        } else if c == '=' {
            self.state = EnvState::PreValue;
            self.value_blank = None;
        } else {
            self.note_blank(c, true);
            self.key.push(c);
        }
    }

    fn pre_value(&mut self, c: char) {
        match c {
            _ if is_newline(c) => self.push_entry(false),
            '\'' => self.state = EnvState::SingleQuote,
            '"' => self.state = EnvState::DoubleQuote,
            '\\' => self.state = EnvState::ValueEscape,
            _ if is_blank(c) => {}
            _ => {
                self.state = EnvState::Value;
                self.value.push(c);
            }
        }
    }

    fn value_char(&mut self, c: char) {
        if is_newline(c) {
            self.push_entry(true);
        } else if c == '\\' {
            self.state = EnvState::ValueEscape;
            self.value_blank = None;
        } else {
            self.note_blank(c, false);
            self.value.push(c);
        }
    }

    /// Remembers where a run of trailing blanks starts in the key or the value.
    fn note_blank(&mut self, c: char, in_key: bool) {
        let (text, blank) = if in_key {
            (&self.key, &mut self.key_blank)
        } else {
            (&self.value, &mut self.value_blank)
        };
        if !is_blank(c) {
            *blank = None;
        } else if blank.is_none() {
            *blank = Some(text.len());
        }
    }

    fn double_quote_escape(&mut self, c: char) {
        self.state = EnvState::DoubleQuote;
        match c {
            '"' | '\\' | '`' | '$' => self.value.push(c),
            // Only "\n" is a continuation here; "\r" is kept with its backslash, as in systemd.
            '\n' => {}
            _ => {
                self.value.push('\\');
                self.value.push(c);
            }
        }
    }

    fn comment_char(&mut self, i: usize, c: char) {
        if is_newline(c) {
            self.push_comment(i);
        }
    }

    fn push_comment(&mut self, end: usize) {
        self.state = EnvState::PreKey;
        let start = self.start;
        self.comments.push(UnitComment {
            text: String::new(),
            span: Span::new(start, end),
        });
    }

    fn push_entry(&mut self, chomp_value: bool) {
        if let Some(n) = self.key_blank.take() {
            self.key.truncate(n);
        }
        if let Some(n) = self.value_blank.take().filter(|_| chomp_value) {
            self.value.truncate(n);
        }
        self.entries.push(EnvFileEntry {
            key: std::mem::take(&mut self.key),
            value: std::mem::take(&mut self.value),
            span: Span::new(self.start, self.end),
        });
        self.state = EnvState::PreKey;
    }

    /// End of input: an open value is kept (even an unterminated quote), an open key is not.
    fn finish(&mut self, text: &str) {
        match self.state {
            EnvState::PreKey | EnvState::Key => {}
            EnvState::Comment => self.push_comment(text.find('\0').unwrap_or(text.len())),
            EnvState::Value => self.push_entry(true),
            _ => self.push_entry(false),
        }
        for comment in &mut self.comments {
            // The marker is ASCII, so start + 1 is a character boundary.
            comment.text = text[comment.span.start() + 1..comment.span.end()].to_string();
        }
    }
}
