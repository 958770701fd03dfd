//! Unit files and drop-ins: sections, directives with their spans, comments, continuation
//! lines (systemd.syntax(7), `config_parse`), and the `[Service]` settings read as one value
//! (restart policy).

use super::words::{string_is_safe, WS};
use crate::load::json5::Span;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitFile {
    /// In file order. A section name may appear more than once; systemd merges them.
    pub sections: Vec<Section>,
    pub comments: Vec<UnitComment>,
    /// Where systemd's parser fails the file ([`Stopped`]): nothing from that line on is read,
    /// and nothing from it on is here.
    pub stopped: Option<Stopped>,
}

/// The line at which systemd's `config_parse` gives up on a file: `parse_line` returns an
/// error for it, and `config_parse` returns that error at once (systemd's
/// src/shared/conf-parser.c). A unit file is then not loaded, a drop-in keeps the lines
/// before it, a manager configuration stops there (the callers' handling is in
/// `discover::services`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stopped {
    /// The first character that is not UTF-8 ([`Why::NotUtf8`]), or the whole header.
    pub span: Span,
    pub why: Why,
}

/// Why systemd's parser failed a line ([`Stopped`]). `Missing '='` and a key before any
/// section are only warnings (the line is ignored); these three are errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A character systemd does not take as UTF-8 ([`is_systemd_utf8`]): `utf8_is_valid`
    /// fails, "String is not UTF-8 clean" (`log_syntax_invalid_utf8`, `-EINVAL`). Checked
    /// first, on the whole logical line.
    NotUtf8,
    /// A line starting with `[` (after whitespace is stripped) that does not end with `]`:
    /// "Invalid section header", `-EBADMSG`.
    HeaderNotClosed,
    /// A header whose name holds a control character, a quote, a backslash or DEL
    /// (`string_is_safe`): "Bad characters in section header", `-EBADMSG`.
    HeaderBadCharacters,
}

impl Why {
    /// What systemd logs for the line.
    pub fn systemd_says(self) -> &'static str {
        match self {
            Why::NotUtf8 => "String is not UTF-8 clean",
            Why::HeaderNotClosed => "Invalid section header",
            Why::HeaderBadCharacters => "Bad characters in section header",
        }
    }

    /// The line, in a user's words.
    pub fn line(self) -> &'static str {
        match self {
            Why::NotUtf8 => "a line that is not valid UTF-8",
            Why::HeaderNotClosed => "a section header that does not end with `]`",
            Why::HeaderBadCharacters => {
                "a section header whose name holds a quote, a backslash or a control character"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    /// The `[Name]` header.
    pub span: Span,
    pub entries: Vec<Directive>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub key: String,
    /// After line continuations are joined (each `\`+newline becomes one space) and leading and
    /// trailing whitespace is trimmed. Specifiers (`%h`) are not expanded.
    pub value: String,
    /// The whole directive, continuation lines included.
    pub span: Span,
    /// The value in the file; empty (just after the `=`) for an empty value.
    pub value_span: Span,
}

/// A line whose first non-blank character is `#` or `;`. `text` is what follows that marker;
/// `span` starts at the marker.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitComment {
    pub text: String,
    pub span: Span,
}

impl UnitFile {
    /// Every `key=` in every section called `section`, in file order.
    pub fn get_all(&self, section: &str, key: &str) -> Vec<&Directive> {
        self.sections
            .iter()
            .filter(|s| s.name == section)
            .flat_map(|s| s.entries.iter())
            .filter(|d| d.key == key)
            .collect()
    }

    pub fn get_last(&self, section: &str, key: &str) -> Option<&Directive> {
        self.get_all(section, key).pop()
    }
}

/// A unit file, drop-in or manager configuration file read from its bytes the way systemd's
/// `config_parse` reads them: the text clawlint shows (each invalid UTF-8 sequence replaced by
/// U+FFFD, one per sequence as [`String::from_utf8_lossy`] does) and what systemd takes of it.
/// systemd checks each logical line (continuations joined, comment lines dropped) for valid
/// UTF-8 before anything else, and fails the whole parse at the first that is not, or that
/// is a malformed section header ([`UnitFile::stopped`]). Everything before that line is byte
/// for byte the file's, so every span up to it points where the file has it.
pub fn read_unit(bytes: &[u8]) -> (String, UnitFile) {
    let mut text = String::with_capacity(bytes.len());
    // Where a U+FFFD stands for bytes that were not UTF-8 (one that was in the file is not).
    let mut replaced = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            replaced.push(text.len());
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    let unit = parse(&text, &replaced);
    (text, unit)
}

/// Parses a unit file (or a drop-in) that was valid UTF-8 as Rust judges it ([`read_unit`]
/// for one read from a file). Never fails: what systemd would warn about and skip (no `=`,
/// empty key, assignment before any section) is skipped. A malformed section header, or a
/// line holding a character systemd does not take as UTF-8 (a noncharacter such as U+FFFE),
/// ends it where systemd's parser fails the file ([`UnitFile::stopped`]), as in [`read_unit`].
pub fn parse_unit(text: &str) -> UnitFile {
    parse(text, &[])
}

/// `replaced`: the sorted offsets of the U+FFFD that stand for invalid bytes.
fn parse(text: &str, replaced: &[usize]) -> UnitFile {
    let mut parser = UnitParser::default();
    let mut logical = Logical::default();
    for (start, end) in physical_lines(text) {
        let line = &text[start..end];
        // Comment lines are dropped even in the middle of a continuation (systemd.syntax(7)),
        // before systemd looks at their encoding.
        if let Some(comment) = comment_line(line, start) {
            parser.unit.comments.push(comment);
            continue;
        }
        logical.push(line, start);
        if !logical.ends_in_continuation() {
            if !parser.take(&logical, replaced) {
                return parser.unit;
            }
            logical = Logical::default();
        }
    }
    if !logical.text.is_empty() {
        parser.take(&logical, replaced);
    }
    parser.unit
}

/// Whether systemd's `utf8_is_valid` takes `c` (in text that is valid UTF-8): it refuses the
/// noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF as well (`unichar_is_valid`).
pub fn is_systemd_utf8(c: char) -> bool {
    let c = u32::from(c);
    !((0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE)
}

/// Physical lines as systemd's `read_line()` cuts them: `\n`, `\r`, `\r\n`, `\n\r` and NUL
/// each end a line. A UTF-8 byte order mark at the start is skipped.
fn physical_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'\n' | b'\r' | 0) {
            i += 1;
            continue;
        }
        lines.push((start, i));
        i += 1;
        let pair = matches!(
            (b, bytes.get(i)),
            (b'\n', Some(b'\r')) | (b'\r', Some(b'\n'))
        );
        if pair {
            i += 1;
        }
        start = i;
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    lines
}

fn comment_line(line: &str, offset: usize) -> Option<UnitComment> {
    let rest = line.trim_start_matches(WS);
    if !rest.starts_with(['#', ';']) {
        return None;
    }
    let marker = offset + line.len() - rest.len();
    Some(UnitComment {
        text: rest[1..].to_string(),
        span: Span::new(marker, offset + line.len()),
    })
}

/// One logical line: physical lines joined at continuations, with the file offset of every
/// byte so that spans can point back into the file.
#[derive(Default)]
struct Logical {
    text: String,
    origin: Vec<usize>,
}

impl Logical {
    fn push(&mut self, line: &str, offset: usize) {
        self.text.push_str(line);
        self.origin.extend(offset..offset + line.len());
    }

    /// An odd number of trailing backslashes continues the line; systemd replaces the last
    /// backslash with a space. The replaced byte keeps its origin (the backslash).
    fn ends_in_continuation(&mut self) -> bool {
        let trailing = self.text.len() - self.text.trim_end_matches('\\').len();
        if trailing.is_multiple_of(2) {
            return false;
        }
        self.text.pop();
        self.text.push(' ');
        true
    }

    /// The file span of the first character systemd does not take as UTF-8: a U+FFFD that
    /// stands for invalid bytes (`replaced`), or a noncharacter.
    fn first_not_utf8(&self, replaced: &[usize]) -> Option<Span> {
        if self.text.is_ascii() {
            return None; // the usual line: one fast pass
        }
        self.text.char_indices().find_map(|(i, c)| {
            let bad = match c {
                char::REPLACEMENT_CHARACTER => replaced.binary_search(&self.origin[i]).is_ok(),
                c => !is_systemd_utf8(c),
            };
            bad.then(|| self.span(i, i + c.len_utf8()))
        })
    }

    /// The file span of the logical byte range `start..end`.
    fn span(&self, start: usize, end: usize) -> Span {
        let at = |i: usize| match self.origin.get(i) {
            Some(&o) => o,
            None => self.origin.last().map_or(0, |&o| o + 1),
        };
        if end <= start {
            let p = at(start);
            return Span::new(p, p);
        }
        Span::new(at(start), at(end - 1) + 1)
    }
}

#[derive(Default)]
struct UnitParser {
    unit: UnitFile,
    /// Index of the section that assignments go to; `None` before the first header.
    current: Option<usize>,
}

impl UnitParser {
    /// Takes one logical line, unless systemd's parser fails the file at it: then systemd
    /// stops reading the file there ([`UnitFile::stopped`]), and so does this (`false`).
    fn take(&mut self, logical: &Logical, replaced: &[usize]) -> bool {
        // `parse_line`'s order: strip, skip a blank line, check the encoding, then a header.
        let stopped = match logical.first_not_utf8(replaced) {
            Some(span) => Some(Stopped {
                span,
                why: Why::NotUtf8,
            }),
            None => self.logical_line(logical),
        };
        self.unit.stopped = stopped;
        stopped.is_none()
    }

    fn logical_line(&mut self, logical: &Logical) -> Option<Stopped> {
        let text = &logical.text;
        let start = text.len() - text.trim_start_matches(WS).len();
        let end = text.trim_end_matches(WS).len();
        if start >= end {
            return None;
        }
        if text[start..].starts_with('[') {
            return self.header(logical, start, end);
        }
        self.assignment(logical, start, end);
        None
    }

    /// A `[Name]` line; a malformed one fails the file (`Why::Header*`).
    fn header(&mut self, logical: &Logical, start: usize, end: usize) -> Option<Stopped> {
        let line = &logical.text[start..end];
        let stop = |why| {
            Some(Stopped {
                span: logical.span(start, end),
                why,
            })
        };
        // `[` alone does not end with a `]` of its own (systemd: `l[k-1] != ']'`).
        let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            return stop(Why::HeaderNotClosed);
        };
        if !string_is_safe(name) {
            return stop(Why::HeaderBadCharacters);
        }
        self.unit.sections.push(Section {
            name: name.to_string(),
            span: logical.span(start, end),
            entries: Vec::new(),
        });
        self.current = Some(self.unit.sections.len() - 1);
        None
    }

    fn assignment(&mut self, logical: &Logical, start: usize, end: usize) {
        let Some(section) = self.current.and_then(|i| self.unit.sections.get_mut(i)) else {
            return;
        };
        let line = &logical.text[start..end];
        let eq = match line.find('=') {
            Some(eq) if eq > 0 => start + eq,
            _ => return,
        };
        let raw_value = &logical.text[eq + 1..end];
        let value_start = eq + 1 + raw_value.len() - raw_value.trim_start_matches(WS).len();
        let value_span = if value_start >= end {
            let p = logical.span(eq, eq + 1).end();
            Span::new(p, p)
        } else {
            logical.span(value_start, end)
        };
        section.entries.push(Directive {
            key: logical.text[start..eq].trim_end_matches(WS).to_string(),
            value: logical.text[value_start..end].to_string(),
            span: logical.span(start, end),
            value_span,
        });
    }
}

const RESTART_VALUES: [&str; 7] = [
    "no",
    "on-success",
    "on-failure",
    "on-abnormal",
    "on-watchdog",
    "on-abort",
    "always",
];

/// The accumulated `SuccessExitStatus=` words (an empty assignment resets them): exit codes
/// systemd takes for a clean exit.
pub fn success_exit_status(unit: &UnitFile) -> Vec<String> {
    accumulated_words(unit, "SuccessExitStatus")
}

/// The words of every `[Service]` `key=` assignment in order, an empty one resetting them
/// (systemd's list settings).
fn accumulated_words(unit: &UnitFile, key: &str) -> Vec<String> {
    let mut words = Vec::new();
    for directive in unit.get_all("Service", key) {
        if directive.value.is_empty() {
            words.clear();
            continue;
        }
        words.extend(
            directive
                .value
                .split(WS)
                .filter(|w| !w.is_empty())
                .map(String::from),
        );
    }
    words
}

/// `PrivateTmp=` as the last valid value sets it (a boolean, or `disconnected` since systemd
/// 257), or `DynamicUser=yes`, which implies it; `None` when neither is set.
pub fn private_tmp(unit: &UnitFile) -> Option<bool> {
    let last_bool = |key: &str| {
        unit.get_all("Service", key)
            .into_iter()
            .rev()
            .find_map(|d| match d.value.trim().to_ascii_lowercase().as_str() {
                "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
                "disconnected" if key == "PrivateTmp" => Some(true),
                "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
                _ => None,
            })
    };
    match (last_bool("PrivateTmp"), last_bool("DynamicUser")) {
        (_, Some(true)) => Some(true),
        (own, _) => own,
    }
}

/// `Restart=` (the last valid value: systemd ignores an invalid or empty one and keeps the
/// previous) and the accumulated `RestartPreventExitStatus=` words (an empty assignment
/// resets them). `None` means systemd's default, `no`.
pub fn restart_policy(unit: &UnitFile) -> (Option<String>, Vec<String>) {
    let restart = unit
        .get_all("Service", "Restart")
        .into_iter()
        .rev()
        .find(|d| RESTART_VALUES.contains(&d.value.as_str()))
        .map(|d| d.value.clone());
    let prevent = accumulated_words(unit, "RestartPreventExitStatus");
    (restart, prevent)
}
