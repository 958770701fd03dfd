//! Where Podman's quadlet generator refuses a file before systemd sees anything of it: its own
//! unit file parser (containers/podman pkg/systemd/parser/unitfile.go, `UnitFile.Parse`) is
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

/// Where Podman's `UnitFile.Parse` fails `text`, if it does. `text` is the file as read
/// (invalid UTF-8 replaced by U+FFFD, which Go's parser takes as it takes the bytes: neither
/// is white space, a bracket or a control character).
pub fn refused(text: &str) -> Option<Refused> {
    let data = text.strip_suffix('\n').unwrap_or(text);
    let last = data.bytes().filter(|&b| b == b'\n').count();
    let mut parser = Parser::default();
    // Go's `remaining`: the text of a continued line so far ("" is no continuation, even
    // after a line that was only `\`), and where its first part starts in the file.
    let mut remaining = String::new();
    let mut remaining_from = 0;
    let mut offset = 0;
    for (number, raw) in data.split('\n').enumerate() {
        let from = offset + (raw.len() - raw.trim_start().len());
        offset += raw.len() + 1;
        let mut line = raw.trim();
        let to = from + line.len();
        let mut start = from;
        let joined;
        if is_comment(line) {
            if !remaining.is_empty() {
                continue; // a comment inside a continuation is dropped
            }
        } else {
            if let Some(cut) = line.strip_suffix('\\') {
                line = cut;
                if number != last {
                    if remaining.is_empty() {
                        remaining_from = from;
                    }
                    remaining.push_str(line);
                    continue;
                }
            }
            if !remaining.is_empty() {
                joined = std::mem::take(&mut remaining) + line;
                line = &joined;
                start = remaining_from;
            }
        }
        if let Err(why) = parser.line(line) {
            let span = Span::new(start, to);
            return Some(Refused { span, why });
        }
    }
    None
}

fn is_comment(line: &str) -> bool {
    line.is_empty() || line.starts_with(['#', ';'])
}

#[derive(Default)]
struct Parser {
    in_group: bool,
}

impl Parser {
    /// `parseLine`: a comment, a group or a pair, or why not.
    fn line(&mut self, line: &str) -> Result<(), Why> {
        if is_comment(line) {
            return Ok(());
        }
        if let Some(name) = group_name(line) {
            let valid = !name.is_empty() && !name.chars().any(|c| c == '[' || c.is_control());
            if !valid {
                return Err(Why::BadGroupName);
            }
            self.in_group = true;
            return Ok(());
        }
        match line.find('=') {
            Some(at) if at > 0 && !self.in_group => Err(Why::KeyBeforeGroup),
            Some(at) if at > 0 => Ok(()),
            _ => Err(Why::NotALine),
        }
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
