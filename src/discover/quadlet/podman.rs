//! How Podman's quadlet generator reads a file (the lines it keeps, with their places), and
//! where it refuses one before systemd sees any of it: its own unit file parser
//! (containers/podman pkg/systemd/parser/unitfile.go, `UnitFile.Parse`) is
//! stricter than systemd's. Lines are cut at `\n` only and trimmed of Unicode white space
//! (Go's `strings.TrimSpace`; a byte order mark is not white space to it); a line ending in
//! `\` is joined to the next (the `\` dropped, comment lines inside skipped); then each is a
//! comment (empty, `#`, `;`), a group (`[`, the first `]`, then only spaces or tabs), or a
//! `key=value` pair (an `=` after at least one character), or the parse fails. A group name
//! must be non-empty and hold no `[`, `]` or control character (`groupNameIsValid`), and a
//! pair must follow a group. systemd warns about and skips the lines podman refuses here.

use crate::load::json5::Span;

/// Why Podman's parser fails a quadlet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// "file contains line N: “…” which is not a key-value pair, group, or comment".
    NotALine,
    /// "key file does not start with a group".
    KeyBeforeGroup,
    /// "invalid group name: …" (`groupNameIsValid`).
    BadGroupName,
}

impl Why {
    /// What Podman says of the line (without the line itself, which may hold a secret).
    pub fn podman_says(self) -> &'static str {
        match self {
            Why::NotALine => "which is not a key-value pair, group, or comment",
            Why::KeyBeforeGroup => "key file does not start with a group",
            Why::BadGroupName => "invalid group name",
        }
    }

    /// The line, in a user's words.
    pub fn line(self) -> &'static str {
        match self {
            Why::NotALine => {
                "a line that is not a comment, a `[group]` header or a `key=value` pair"
            }
            Why::KeyBeforeGroup => "a `key=value` line before any `[group]` header",
            Why::BadGroupName => {
                "a group header whose name is empty or holds a `[` or a control character"
            }
        }
    }
}

/// The line at which Podman's parser fails the file: its span (from the first character of
/// its first physical line to the last of its last, trimmed) and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub span: Span,
    pub why: Why,
}

/// A `key=value` line as Podman's parser keeps it, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The name of the group it is in (`Container`).
    pub group: String,
    pub key: String,
    /// After the `=`, leading white space dropped (`parseKeyValuePair`); the physical lines
    /// of a continued line joined as Podman joins them (trimmed, the `\` dropped, nothing put
    /// between). A `\r` inside a line is part of it: Podman cuts lines at `\n` only.
    pub value: String,
    /// From the key to the end of the (last physical) line.
    pub span: Span,
    /// The value in the file; empty (just after the `=`) for an empty value.
    pub value_span: Span,
}

/// A group header, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub span: Span,
}

/// A quadlet or drop-in as Podman's `UnitFile.Parse` takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub headers: Vec<Header>,
    pub lines: Vec<Line>,
}

/// `text` as Podman's `UnitFile.Parse` reads it, or where it fails it. `text` is the file as
/// read (invalid UTF-8 replaced by U+FFFD, which Go's parser takes as it takes the bytes:
/// neither is white space, a bracket or a control character).
pub fn parse(text: &str) -> Result<Parsed, Refused> {
    let data = text.strip_suffix('\n').unwrap_or(text);
    let last = data.bytes().filter(|&b| b == b'\n').count();
    let mut parser = Parser::default();
    // Go's `remaining`: the text of a continued line so far ("" is no continuation, even
    // after a line that was only `\`), and where each of its parts is in the file.
    let mut remaining = Logical::default();
    let mut offset = 0;
    for (number, raw) in data.split('\n').enumerate() {
        let from = offset + (raw.len() - raw.trim_start().len());
        offset += raw.len() + 1;
        let mut line = raw.trim();
        let to = from + line.len();
        let mut logical = Logical::default();
        if is_comment(line) {
            if !remaining.text.is_empty() {
                continue; // a comment inside a continuation is dropped
            }
        } else {
            if let Some(cut) = line.strip_suffix('\\') {
                line = cut;
                if number != last {
                    if !line.is_empty() {
                        remaining.push(line, from);
                    }
                    continue;
                }
            }
            if !remaining.text.is_empty() {
                logical = std::mem::take(&mut remaining);
            }
        }
        logical.push(line, from);
        if let Err(why) = parser.line(&logical, to) {
            let span = Span::new(logical.at(0), to);
            return Err(Refused { span, why });
        }
    }
    Ok(parser.parsed)
}

/// A logical line: its text and where each of its parts starts in the file.
#[derive(Default)]
struct Logical {
    text: String,
    /// (offset in `text`, offset in the file) of each physical line's part.
    parts: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, part: &str, file_offset: usize) {
        self.parts.push((self.text.len(), file_offset));
        self.text.push_str(part);
    }

    /// The file offset of byte `i` of the text (`i` may be its length: just past its end).
    fn at(&self, i: usize) -> usize {
        let k = self.parts.partition_point(|&(start, _)| start <= i).max(1) - 1;
        let (start, file) = self.parts.get(k).copied().unwrap_or((0, 0));
        file + (i - start)
    }

    /// The file span of the text's bytes `start..` (to `to`, the end of the last part).
    fn span_from(&self, start: usize, to: usize) -> Span {
        if start >= self.text.len() {
            return Span::new(to, to);
        }
        Span::new(self.at(start), to)
    }
}

fn is_comment(line: &str) -> bool {
    line.is_empty() || line.starts_with(['#', ';'])
}

#[derive(Default)]
struct Parser {
    parsed: Parsed,
    group: Option<String>,
}

/// Go's `unicode.IsSpace` on one byte taken as a rune (`parseKeyValuePair` trims the key and
/// the value byte by byte): ASCII white space, and 0x85 and 0xA0, which in UTF-8 text are
/// the last bytes of some characters (`à` is C3 A0).
fn is_go_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

impl Parser {
    /// `parseLine`: a comment, a group or a pair, or why not. `to`: the end of the line in
    /// the file.
    fn line(&mut self, logical: &Logical, to: usize) -> Result<(), Why> {
        let line = logical.text.as_str();
        if is_comment(line) {
            return Ok(());
        }
        if let Some(name) = group_name(line) {
            let valid = !name.is_empty() && !name.chars().any(|c| c == '[' || c.is_control());
            if !valid {
                return Err(Why::BadGroupName);
            }
            self.parsed.headers.push(Header {
                name: name.to_string(),
                span: Span::new(logical.at(0), to),
            });
            self.group = Some(name.to_string());
            return Ok(());
        }
        let eq = match line.find('=') {
            Some(eq) if eq > 0 => eq,
            _ => return Err(Why::NotALine),
        };
        let Some(group) = &self.group else {
            return Err(Why::KeyBeforeGroup);
        };
        let bytes = line.as_bytes();
        let mut key_end = eq;
        while key_end > 0 && is_go_space_byte(bytes[key_end - 1]) {
            key_end -= 1;
        }
        let mut value_start = eq + 1;
        while value_start < bytes.len() && is_go_space_byte(bytes[value_start]) {
            value_start += 1;
        }
        self.parsed.lines.push(Line {
            group: group.clone(),
            key: String::from_utf8_lossy(&bytes[..key_end]).into_owned(),
            value: String::from_utf8_lossy(&bytes[value_start..]).into_owned(),
            span: Span::new(logical.at(0), to),
            value_span: logical.span_from(value_start, to),
        });
        Ok(())
    }
}

/// `lineIsGroup`: `[`, up to the first `]`, followed by spaces and tabs only.
fn group_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (name, after) = rest.split_once(']')?;
    after
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(name)
}
