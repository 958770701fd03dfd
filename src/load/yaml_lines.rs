//! The common shape of a compose file read line by line, without the general YAML parser:
//! block mappings and sequences by indentation (a sequence item may open a mapping), plain
//! and quoted one-line scalars, one-line flow sequences of scalars, anchors on nested blocks
//! and plain scalars, aliases, comments. yaml-rust2 spends about 140 instructions a byte on
//! such a file (its scanner looks at every character through a queue); this reads each
//! byte a few times.
//!
//! It hands a [`Sink`] (the tree's builder) the events yaml-rust2's parser gives for the same
//! text, as they are read (a step each, at the same byte offsets), or stops with `None` at
//! the first thing outside that shape (tabs, carriage returns, non-ASCII text,
//! directives and document markers, block scalars, flow mappings, tags, escapes, multi-line
//! scalars or flow sequences, indentless sequences, quoted keys, anything YAML calls an
//! error): the caller then parses the text with yaml-rust2 from its start, so that what is
//! read, and every error and its place, stay the general parser's. The tests hold both to
//! the same events and the same trees on every compose file of the fixtures and on generated
//! and mutated texts.

use crate::paths::FastMap;
use std::ops::Range;
use yaml_rust2::scanner::TScalarStyle;

/// A larger text is left to the general parser. Real compose files are a few KiB, and a text
/// the reader stops in (out of its shape, or a budget met) is read again by the general
/// parser: bounded here, that second reading stays small.
const MAX_TEXT: usize = 256 << 10;

/// What the reader finds, one step at a time, in the order and at the byte offsets of the
/// events yaml-rust2's parser gives between the document's start and its end (the tree's
/// builder, or the tests' list of events). `None` from any step stops the reading.
pub(super) trait Sink {
    /// A scalar whose text is `written` of the text as it stands (no escapes in it), its event
    /// at `at`: its first character, a quoted one's opening quote, and for an empty value
    /// (`written` empty) the next token.
    fn on_scalar(
        &mut self,
        at: usize,
        written: Range<usize>,
        style: TScalarStyle,
        anchor: usize,
    ) -> Option<()>;
    /// A mapping (else a sequence) opens at `at` (`MappingStart`, `SequenceStart`).
    fn on_open(&mut self, mapping: bool, anchor: usize, at: usize) -> Option<()>;
    /// The innermost open mapping (else sequence) ends at `at`.
    fn on_close(&mut self, mapping: bool, at: usize) -> Option<()>;
    /// An alias of the anchor whose id is `id` (ids count from 1, as yaml-rust2's).
    fn on_alias(&mut self, id: usize, at: usize) -> Option<()>;
}

/// Reads `text` into `sink`: `None` when `text` is not of the shape read here, or `sink`
/// stopped the reading (what `sink` was given then is to be thrown away).
pub(super) fn read(text: &str, sink: &mut impl Sink) -> Option<()> {
    let bytes = text.as_bytes();
    if bytes.len() > MAX_TEXT {
        return None;
    }
    // Printable ASCII and line ends only; each block tested whole (no exit at each byte: a
    // loop the compiler runs many bytes a step).
    let printable = |block: &[u8]| {
        block.iter().fold(true, |ok, &b| {
            ok & ((b' '..=b'~').contains(&b) | (b == b'\n'))
        })
    };
    if !bytes.chunks(64).all(printable) {
        return None;
    }
    let mut reader = Reader {
        bytes,
        lines: lines(bytes)?,
        line: 0,
        sink,
        anchors: FastMap::default(),
        anchor_count: 0,
    };
    reader.document()
}

/// A line that holds more than blanks: where it starts, its indentation, where it ends
/// (before its `\n`), and whether it is a comment alone.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    end: usize,
    comment: bool,
}

impl Line {
    /// Where its first token is.
    fn content(&self) -> usize {
        self.start + self.indent
    }
}

/// The text's lines that hold more than blanks; `None` for a directive or a document marker.
fn lines(bytes: &[u8]) -> Option<Vec<Line>> {
    let mut out = Vec::with_capacity(bytes.len() / 24);
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n);
        let indent = bytes[start..end].iter().take_while(|&&b| b == b' ').count();
        if start + indent < end {
            let body = &bytes[start + indent..end];
            if indent == 0
                && (body[0] == b'%' || body.starts_with(b"---") || body.starts_with(b"..."))
            {
                return None;
            }
            out.push(Line {
                start,
                indent,
                end,
                comment: body[0] == b'#',
            });
        }
        start = end + 1;
    }
    Some(out)
}

/// The bytes of a plain key read here: ASCII letters and digits, `_ - . / < $`.
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] =
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'<' | b'$');
        b += 1;
    }
    table
};

struct Reader<'a, 's, S> {
    bytes: &'a [u8],
    lines: Vec<Line>,
    /// The line being read: the first not read yet, once a line is done.
    line: usize,
    sink: &'s mut S,
    /// Each anchor name's latest id (an alias names the latest); ids count from 1, as
    /// yaml-rust2's. A map, not a list: each alias would otherwise scan every anchor before it.
    anchors: FastMap<&'a [u8], usize>,
    /// How many anchors were defined so far (the last one's id).
    anchor_count: usize,
}

impl<'a, S: Sink> Reader<'a, '_, S> {
    fn document(&mut self) -> Option<()> {
        self.skip_comments();
        let first = *self.lines.get(self.line)?;
        let at = first.content();
        if self.is_entry(at, first.end) {
            self.sequence(at, first.indent, 0)?;
        } else {
            self.mapping(at, first.indent, 0)?;
        }
        self.skip_comments();
        (self.line == self.lines.len()).then_some(())
    }

    fn skip_comments(&mut self) {
        while self.lines.get(self.line).is_some_and(|l| l.comment) {
            self.line += 1;
        }
    }

    /// The next line with a token, after the comments: `None` at the end of the text.
    fn next_token_line(&mut self) -> Option<Line> {
        self.skip_comments();
        self.lines.get(self.line).copied()
    }

    /// Where the next token is (the text's end after the last): where yaml-rust2 puts the
    /// end of every block that line closes, and an empty value before it.
    fn next_token_at(&mut self) -> usize {
        self.next_token_line()
            .map_or(self.bytes.len(), |l| l.content())
    }

    /// `- ` (or a `-` that ends the line) at `at`.
    fn is_entry(&self, at: usize, end: usize) -> bool {
        self.bytes[at] == b'-' && (at + 1 == end || self.bytes[at + 1] == b' ')
    }

    /// A block mapping whose first key starts at `at`, in column `column`.
    fn mapping(&mut self, at: usize, column: usize, anchor: usize) -> Option<()> {
        let mut key_at = at;
        let mut first = true;
        loop {
            let line = self.lines[self.line];
            let colon = self.key(key_at, line.end)?;
            if first {
                self.sink.on_open(true, anchor, colon)?;
                first = false;
            }
            self.scalar(key_at, colon, TScalarStyle::Plain, 0)?;
            self.value(colon + 1, column)?;
            match self.next_item(column, false)? {
                Some(at) => key_at = at,
                None => break,
            }
        }
        self.end_block(true)
    }

    /// A block sequence whose first `-` is at `at`, in column `column`.
    fn sequence(&mut self, at: usize, column: usize, anchor: usize) -> Option<()> {
        self.sink.on_open(false, anchor, at)?;
        let mut dash = at;
        loop {
            let line = self.lines[self.line];
            let item = dash + 1 + self.blanks(dash + 1, line.end);
            if item == line.end || self.is_entry(item, line.end) {
                // An item on the lines below, or a sequence in the item: not read here.
                return None;
            }
            if self.key(item, line.end).is_some() {
                self.mapping(item, item - line.start, 0)?;
            } else {
                self.inline_value(item, column)?;
            }
            match self.next_item(column, true)? {
                Some(at) => dash = at,
                None => break,
            }
        }
        self.end_block(false)
    }

    /// Where the block in `column` goes on: its next item's first token (a key in a mapping,
    /// a `- ` in a sequence: `sequence`), `Some(None)` where the block ends, `None` where the
    /// next line leaves the shape read here (deeper than the block, or the other kind of item
    /// in its column: an indentless sequence or an error, the general parser's).
    fn next_item(&mut self, column: usize, sequence: bool) -> Option<Option<usize>> {
        match self.next_token_line() {
            Some(next) if next.indent == column => {
                let at = next.content();
                (self.is_entry(at, next.end) == sequence).then_some(Some(at))
            }
            Some(next) if next.indent > column => None,
            _ => Some(None),
        }
    }

    /// A block's end event, where the next token is (yaml-rust2's place for it).
    fn end_block(&mut self, mapping: bool) -> Option<()> {
        let at = self.next_token_at();
        self.sink.on_close(mapping, at)
    }

    /// A plain key at `at` followed by `:` and a blank or the line's end: where the `:` is.
    fn key(&self, at: usize, end: usize) -> Option<usize> {
        let first = self.bytes[at];
        if !(first.is_ascii_alphanumeric() || matches!(first, b'_' | b'<' | b'$')) {
            return None;
        }
        let len = self.bytes[at..end]
            .iter()
            .take_while(|&&b| KEY_BYTES[usize::from(b)])
            .count();
        let colon = at + len;
        let ends = colon + 1 == end || self.bytes.get(colon + 1) == Some(&b' ');
        (colon < end && self.bytes[colon] == b':' && ends).then_some(colon)
    }

    /// The value after a key's `:` (at `from`): on its line, or a block on the lines below
    /// indented deeper than `column` (the key's), or empty.
    fn value(&mut self, from: usize, column: usize) -> Option<()> {
        let line = self.lines[self.line];
        let mut at = from + self.blanks(from, line.end);
        let mut anchor = 0;
        if at < line.end && self.bytes[at] == b'&' {
            let name_end = at + 1 + self.name_len(at + 1, line.end);
            if name_end == at + 1 || (name_end < line.end && self.bytes[name_end] != b' ') {
                return None;
            }
            self.anchor_count += 1;
            anchor = self.anchor_count;
            self.anchors.insert(&self.bytes[at + 1..name_end], anchor);
            at = name_end + self.blanks(name_end, line.end);
        }
        if at < line.end && self.bytes[at] != b'#' {
            if anchor != 0 && !self.starts_plain(at) {
                return None;
            }
            return self.inline_value_anchored(at, column, anchor);
        }
        self.line += 1;
        match self.next_token_line() {
            Some(next) if next.indent > column => {
                let at = next.content();
                if self.bytes[at] == b'[' && anchor == 0 {
                    return self.inline_value(at, column);
                }
                match self.is_entry(at, next.end) {
                    true => self.sequence(at, next.indent, anchor),
                    false => self.mapping(at, next.indent, anchor),
                }
            }
            _ if anchor != 0 => None,
            _ => {
                let end = self.next_token_at();
                self.sink.on_scalar(end, end..end, TScalarStyle::Plain, 0)
            }
        }
    }

    fn inline_value(&mut self, at: usize, column: usize) -> Option<()> {
        self.inline_value_anchored(at, column, 0)
    }

    /// A value that starts at `at` and ends on the line it ends on: a scalar, an alias or a
    /// flow sequence (which may go on over lines deeper than `column`, the key's or the
    /// item's). The next line must not be deeper than `column` (it would go on with the
    /// value).
    fn inline_value_anchored(&mut self, at: usize, column: usize, anchor: usize) -> Option<()> {
        let end = self.line_end(at);
        let after = match self.bytes[at] {
            b'"' | b'\'' => self.quoted(at, end)?,
            b'[' => self.flow_sequence(at, column)?,
            b'*' => {
                let name_end = at + 1 + self.name_len(at + 1, end);
                let name = &self.bytes[at + 1..name_end];
                let id = *self.anchors.get(name)?;
                self.sink.on_alias(id, at)?;
                name_end
            }
            _ => self.plain(at, end, anchor)?,
        };
        // Only blanks, or blanks and a comment, after the value on its last line.
        while self.lines[self.line].end < after {
            self.line += 1;
        }
        let end = self.lines[self.line].end;
        let rest = after + self.blanks(after, end);
        if rest < end && !(self.bytes[rest] == b'#' && rest > after) {
            return None;
        }
        self.line += 1;
        // A deeper line next would go on with the value (or be an error): the general
        // parser's, comments included.
        match self.lines.get(self.line) {
            Some(next) if next.indent > column => None,
            _ => Some(()),
        }
    }

    /// Where the line that holds `at` ends.
    /// From the table of lines: a flow list asks once per item, and a scan from each item to
    /// its line's end would make a long one-line list quadratic.
    fn line_end(&self, at: usize) -> usize {
        // Nearly always the line being read: no search for it.
        if let Some(line) = self.lines.get(self.line) {
            if line.start <= at && at <= line.end {
                return line.end;
            }
        }
        let after = self.lines.partition_point(|l| l.start <= at);
        match after.checked_sub(1).map(|k| self.lines[k]) {
            Some(line) if at <= line.end => line.end,
            // Not on a line with a token (a token is always on one): scan.
            _ => memchr::memchr(b'\n', &self.bytes[at..]).map_or(self.bytes.len(), |n| at + n),
        }
    }

    /// Whether a plain scalar may start at `at` (the characters read here).
    fn starts_plain(&self, at: usize) -> bool {
        let b = self.bytes[at];
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'.' | b'/' | b'$' | b'~' | b'(' | b'+' | b'=')
    }

    /// A plain scalar in a block, from `at` to the line's end or a comment: where it ends.
    fn plain(&mut self, at: usize, end: usize, anchor: usize) -> Option<usize> {
        if !self.starts_plain(at) {
            return None;
        }
        let line = &self.bytes[at..end];
        let mut len = line.len();
        // A comment (` #`) ends it, a `: ` makes it a key: both found from their `#` and `:`,
        // in the order they stand (the byte after a `: ` is no `#` of a ` #`).
        for i in memchr::memchr2_iter(b'#', b':', line) {
            match line[i] {
                b'#' if i > 0 && line[i - 1] == b' ' => {
                    len = i - 1;
                    break;
                }
                b':' if line.get(i + 1) == Some(&b' ') => return None,
                _ => {}
            }
        }
        let value = &line[..len];
        let value = &value[..value.len() - value.iter().rev().take_while(|&&b| b == b' ').count()];
        if value.ends_with(b":") {
            return None;
        }
        self.scalar(at, at + value.len(), TScalarStyle::Plain, anchor)?;
        Some(at + value.len())
    }

    /// A quoted scalar on one line without escapes: where it ends (after its closing quote).
    fn quoted(&mut self, at: usize, end: usize) -> Option<usize> {
        let quote = self.bytes[at];
        let close = at + 1 + self.bytes[at + 1..end].iter().position(|&b| b == quote)?;
        let inner = &self.bytes[at + 1..close];
        let style = match quote {
            b'"' if !inner.contains(&b'\\') => TScalarStyle::DoubleQuoted,
            b'\'' if self.bytes.get(close + 1) != Some(&b'\'') => TScalarStyle::SingleQuoted,
            _ => return None,
        };
        if self.bytes.get(close + 1) == Some(&b':') {
            return None;
        }
        // The event is at the opening quote.
        self.sink.on_scalar(at, at + 1..close, style, 0)?;
        Some(close + 1)
    }

    /// `[a, "b", 'c']`, on one line or over lines deeper than `column` (a trailing comma
    /// allowed): where it ends (after its `]`). No comment inside, no plain scalar at a
    /// line's end (it could go on on the next).
    fn flow_sequence(&mut self, at: usize, column: usize) -> Option<usize> {
        self.sink.on_open(false, 0, at)?;
        let mut i = self.flow_blanks(at + 1, column)?;
        loop {
            let end = self.line_end(i);
            if i >= end {
                return None;
            }
            match self.bytes[i] {
                b']' => {
                    self.sink.on_close(false, i)?;
                    return Some(i + 1);
                }
                // (One followed by `:` would be a key: `quoted` leaves it.)
                b'"' | b'\'' => {
                    i = self.quoted(i, end)?;
                    i = self.flow_blanks(i, column)?;
                }
                _ if self.starts_plain(i) => {
                    let len = self.bytes[i..end]
                        .iter()
                        .take_while(|&&b| {
                            !matches!(b, b',' | b']' | b'[' | b'{' | b'}' | b'#' | b':' | b'?')
                        })
                        .count();
                    let value = &self.bytes[i..i + len];
                    let trimmed =
                        value.len() - value.iter().rev().take_while(|&&b| b == b' ').count();
                    self.scalar(i, i + trimmed, TScalarStyle::Plain, 0)?;
                    i += len;
                    if i == end {
                        return None;
                    }
                }
                _ => return None,
            }
            match self.bytes.get(i) {
                Some(b',') => i = self.flow_blanks(i + 1, column)?,
                Some(b']') => {}
                _ => return None,
            }
        }
    }

    /// Past the blanks and line ends from `at` inside a flow sequence: each line it goes on
    /// to must be deeper than `column`.
    fn flow_blanks(&self, mut at: usize, column: usize) -> Option<usize> {
        loop {
            at += self.blanks(at, self.bytes.len());
            if self.bytes.get(at) != Some(&b'\n') {
                return Some(at);
            }
            at += 1;
            let indent = self.blanks(at, self.bytes.len());
            if self.bytes.get(at + indent).is_some_and(|&b| b != b'\n') && indent <= column {
                return None;
            }
        }
    }

    /// A scalar written from `from` to `to`, its event at its start.
    fn scalar(&mut self, from: usize, to: usize, style: TScalarStyle, anchor: usize) -> Option<()> {
        self.sink.on_scalar(from, from..to, style, anchor)
    }

    /// How many blanks from `at` (before `end`).
    fn blanks(&self, at: usize, end: usize) -> usize {
        self.bytes[at.min(end)..end]
            .iter()
            .take_while(|&&b| b == b' ')
            .count()
    }

    /// An anchor's or alias's name from `at`: its length.
    fn name_len(&self, at: usize, end: usize) -> usize {
        self.bytes[at.min(end)..end]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::parser::{Event, Parser};

    /// The reader's steps as yaml-rust2's events.
    struct Events<'a> {
        text: &'a str,
        out: Vec<(Event, usize)>,
    }

    impl Sink for Events<'_> {
        fn on_scalar(
            &mut self,
            at: usize,
            written: Range<usize>,
            style: TScalarStyle,
            anchor: usize,
        ) -> Option<()> {
            let text = self.text[written].to_owned();
            self.out
                .push((Event::Scalar(text, style, anchor, None), at));
            Some(())
        }

        fn on_open(&mut self, mapping: bool, anchor: usize, at: usize) -> Option<()> {
            let event = match mapping {
                true => Event::MappingStart(anchor, None),
                false => Event::SequenceStart(anchor, None),
            };
            self.out.push((event, at));
            Some(())
        }

        fn on_close(&mut self, mapping: bool, at: usize) -> Option<()> {
            let event = match mapping {
                true => Event::MappingEnd,
                false => Event::SequenceEnd,
            };
            self.out.push((event, at));
            Some(())
        }

        fn on_alias(&mut self, id: usize, at: usize) -> Option<()> {
            self.out.push((Event::Alias(id), at));
            Some(())
        }
    }

    /// The events the reader gives for `text`, or `None` when it does not read it.
    fn events(text: &str) -> Option<Vec<(Event, usize)>> {
        let mut sink = Events {
            text,
            out: Vec::new(),
        };
        read(text, &mut sink)?;
        Some(sink.out)
    }

    /// yaml-rust2's events for `text` (ASCII: its index is the byte offset), as
    /// [`super::super::yaml::parse`] takes them: from the document's start to its end.
    fn general(text: &str) -> Result<Vec<(Event, usize)>, String> {
        let mut parser = Parser::new_from_str(text);
        let mut out = Vec::new();
        loop {
            let (event, mark) = parser.next_token().map_err(|e| e.info().to_string())?;
            match event {
                Event::StreamEnd | Event::DocumentEnd => return Ok(out),
                Event::StreamStart | Event::DocumentStart | Event::Nothing => {}
                other => out.push((other, mark.index())),
            }
        }
    }

    /// Whether `text` is read here; when it is, the events are yaml-rust2's, and the tree
    /// built from the reader's steps is the one built from yaml-rust2's events (spans
    /// included), or the same error at the same place.
    fn agrees(text: &str) -> bool {
        let Some(ours) = events(text) else {
            return false;
        };
        assert_eq!(Ok(ours), general(text), "in {text:?}");
        let yaml = super::super::yaml::parse;
        assert_eq!(
            yaml(text),
            super::super::yaml::parse_general(text),
            "in {text:?}"
        );
        true
    }

    /// A text of the shape read here that the builder stops in (nesting past its depth limit,
    /// aliases past its node budget): the general parser's error, at its place.
    #[test]
    fn a_text_the_builder_stops_in_gives_the_general_parsers_error() {
        let mut deep = String::new();
        for depth in 0..80 {
            deep.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
        }
        deep.push_str(&format!("{}x: 1\n", " ".repeat(80)));
        let mut bomb = String::from("a0: &a0\n");
        bomb.push_str(&"  - lol\n".repeat(9));
        for i in 1..7 {
            bomb.push_str(&format!("a{i}: &a{i}\n"));
            bomb.push_str(&format!("  - *a{}\n", i - 1).repeat(9));
        }
        for (text, words) in [(deep, "nesting"), (bomb, "YAML bomb")] {
            assert!(events(&text).is_some());
            let err = super::super::yaml::parse(&text).unwrap_err();
            assert!(err.message.contains(words), "{}", err.message);
            assert_eq!(Err(err), super::super::yaml::parse_general(&text));
        }
    }

    fn compose_files(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                compose_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push(text);
                }
            }
        }
    }

    /// Every YAML file of the fixtures: read here or left to yaml-rust2, never read
    /// differently; most are read here.
    #[test]
    fn the_fixtures_compose_files_give_yaml_rust2s_events() {
        let mut texts = Vec::new();
        compose_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut texts,
        );
        let read = texts.iter().filter(|t| agrees(t)).count();
        assert!(texts.len() > 50, "{}", texts.len());
        assert!(read * 2 > texts.len(), "{read} of {}", texts.len());
    }

    /// The shapes of a compose file, one piece of a line at a time.
    fn compose_like(rng: &mut crate::xorshift::Rng) -> String {
        const KEYS: [&str; 8] = [
            "services",
            "gw",
            "image",
            "ports",
            "x-base",
            "<<",
            "environment",
            "a.b/c-d",
        ];
        const VALUES: [&str; 28] = [
            "[\n      \"node\",\n      'x' ,\n      y,\n    ]",
            "\n    [\"a\", b,\n     \"c\"]",
            "[a,\nb]",
            "[\"a\"\n  , b]",
            "v",
            "18789",
            "\"127.0.0.1:1:2\"",
            "'a b'",
            "${X:-y}",
            "~",
            "null",
            "[\"node\", 'x', y]",
            "[]",
            "[ a , b ]",
            "*base",
            "&base",
            "&base v",
            "v # c",
            "a:b",
            "a: b",
            "\"a\\\"b\"",
            "'it''s'",
            "[a,]",
            "|",
            "{a: 1}",
            "- x",
            "a #b",
            "=x",
        ];
        let mut text = String::new();
        let mut depth = 0usize;
        for _ in 0..rng.below(14) + 1 {
            depth = match rng.below(4) {
                0 => depth.saturating_sub(1 + rng.below(2) as usize),
                1 => depth + 1,
                _ => depth,
            }
            .min(5);
            let indent = "  ".repeat(depth);
            let line = match rng.below(9) {
                0 => format!("{indent}# {}", rng.pick(&KEYS)),
                1 => String::new(),
                2 | 3 => format!("{indent}- {}", rng.pick(&VALUES)),
                4 => format!("{indent}- {}: {}", rng.pick(&KEYS), rng.pick(&VALUES)),
                5 => format!("{indent}{}:", rng.pick(&KEYS)),
                _ => format!("{indent}{}: {}", rng.pick(&KEYS), rng.pick(&VALUES)),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    /// A well-formed compose-like block at `indent`: mappings, sequences, items that open a
    /// mapping, flow sequences, anchors and aliases, comments and blank lines.
    fn well_formed(rng: &mut crate::xorshift::Rng, out: &mut String, indent: usize, depth: usize) {
        const SCALARS: [&str; 10] = [
            "v",
            "18789",
            "\"127.0.0.1:1:2\"",
            "'a b'",
            "${X:-y}",
            "~",
            "a:b #c",
            "[a, \"b\"]",
            "[\n      \"node\",\n      x,\n    ]",
            "*base",
        ];
        let pad = " ".repeat(indent);
        let sequence = depth > 0 && rng.below(3) == 0;
        for n in 0..rng.below(3) + 1 {
            match rng.below(6) {
                0 => out.push_str(&format!("{pad}# note {n}\n")),
                1 => out.push('\n'),
                _ => {}
            }
            let head = match sequence {
                true => format!("{pad}- "),
                false => format!("{pad}k{depth}{n}:"),
            };
            out.push_str(&head);
            match rng.below(4) {
                0 if depth < 4 && !sequence => {
                    let anchor = if rng.below(3) == 0 { " &base" } else { "" };
                    out.push_str(&format!("{anchor}\n"));
                    let deeper = indent + 2 + 2 * rng.below(2) as usize;
                    well_formed(rng, out, deeper, depth + 1);
                }
                1 if sequence => {
                    out.push_str(&format!("k: {}\n", rng.pick(&SCALARS)));
                    out.push_str(&format!("{pad}  j: {}\n", rng.pick(&SCALARS)));
                }
                _ => {
                    let space = if sequence { "" } else { " " };
                    out.push_str(&format!("{space}{}\n", rng.pick(&SCALARS)));
                }
            }
        }
    }

    /// Generated compose-like texts, and the same with a byte changed, put in or taken out:
    /// whatever is read here gives yaml-rust2's events; a fair share is read here.
    #[test]
    fn generated_and_mutated_texts_give_yaml_rust2s_events() {
        const BYTES: [u8; 16] = *b" -:#\"'[],&*\n\tab.";
        let mut rng = crate::xorshift::Rng(0x5eed_c0de_1234_abcd);
        let mut read = 0;
        for round in 0..30_000 {
            let mut text = match round % 4 < 2 {
                true => compose_like(&mut rng),
                false => {
                    let mut text = String::new();
                    well_formed(&mut rng, &mut text, 0, 0);
                    text
                }
            }
            .into_bytes();
            if round % 2 == 1 && !text.is_empty() {
                let at = rng.below(text.len() as u64) as usize;
                let byte = BYTES[rng.below(BYTES.len() as u64) as usize];
                match rng.below(3) {
                    0 => text[at] = byte,
                    1 => text.insert(at, byte),
                    _ => {
                        text.remove(at);
                    }
                }
            }
            let text = String::from_utf8(text).unwrap();
            read += usize::from(agrees(&text));
        }
        assert!(read > 8_000, "{read}");
    }

    /// An anchor name defined twice: an alias after the second names the second (yaml-rust2's
    /// ids), and one before it the first.
    #[test]
    fn an_alias_names_the_latest_anchor_of_its_name() {
        let text = "x-a:\n  a: &n one\n  b: *n\n  c: &n two\n  d: &m three\n  e: *n\n  f: *m\n";
        assert!(agrees(text));
        let aliases: Vec<usize> = events(text)
            .unwrap()
            .into_iter()
            .filter_map(|(event, _)| match event {
                Event::Alias(id) => Some(id),
                _ => None,
            })
            .collect();
        assert_eq!(aliases, [1, 2, 3]);
    }

    /// A one-line flow list of many items, and many anchors with many aliases: read here, as
    /// yaml-rust2 reads them (each item's line end and each alias's anchor are looked up, not
    /// scanned for).
    #[test]
    fn long_flow_lists_and_many_aliases_give_yaml_rust2s_events() {
        let items = vec!["a"; 20_000].join(",");
        let flow = format!("services:\n  gw:\n    command: [{items}]\n    x: [b,\n      c]\n");
        assert!(agrees(&flow));
        let mut aliased = String::from("x-a:\n");
        for i in 0..2_000 {
            aliased.push_str(&format!("  a{i}: &a{i} v\n"));
        }
        for i in 0..2_000 {
            aliased.push_str(&format!("  b{i}: *a{}\n", i % 7));
        }
        assert!(agrees(&aliased));
    }

    /// A text over [`MAX_TEXT`] is left to the general parser, however plain.
    #[test]
    fn a_text_over_the_limit_is_left_to_the_general_parser() {
        let line = "  key: value\n";
        let fits = format!("x:\n{}", line.repeat((MAX_TEXT - 3) / line.len()));
        assert!(fits.len() <= MAX_TEXT);
        assert!(events(&fits).is_some());
        let over = format!("{fits}{line}");
        assert!(over.len() > MAX_TEXT);
        assert!(events(&over).is_none());
    }
}
