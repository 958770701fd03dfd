//! `--format json`: one object per finding, every party with its exact place. Versioned:
//! fields are only ever added within a version.
//!
//! Written straight to the output as each finding is reached: no record per finding, no tree
//! and no string of the document. The bytes are those `serde_json::to_writer_pretty` gives for
//! [`super::flat::FlatFinding`]s (two spaces a level, `"key": value`; a test compares them).

use super::visible::visible;
use super::{place, showable, Place};
use crate::diagnostic::{Finding, Note, Reported, Text};
use crate::paths::FastMap;
use crate::source::{FileId, Loc, SourceMap};
use crate::words::{block_at, BLOCK};
use serde::Serialize;
use std::io::{self, Write};
use std::mem::MaybeUninit;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, Default)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub instances: usize,
}

pub fn summary(findings: &[Reported], instances: usize) -> Summary {
    use crate::diagnostic::Severity::*;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        errors: count(Error),
        warnings: count(Warning),
        infos: count(Info),
        instances,
    }
}

pub fn render(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, sources, instances).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the report to `out`, one finding at a time.
pub fn write(
    out: &mut dyn Write,
    findings: &[Reported],
    sources: &SourceMap,
    instances: usize,
) -> io::Result<()> {
    let mut out = super::Chunks::new(out);
    let buf = &mut out.buf;
    buf.extend_from_slice(b"{\n  \"version\": ");
    number(buf, SCHEMA_VERSION as usize);
    buf.extend_from_slice(b",\n  \"findings\": [");
    let mut kept = Kept::default();
    for (i, reported) in findings.iter().enumerate() {
        out.buf
            .extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        finding(&mut out.buf, &mut kept, reported, sources);
        out.pass_full()?;
    }
    let buf = &mut out.buf;
    buf.extend_from_slice(if findings.is_empty() {
        b"],\n"
    } else {
        b"\n  ],\n"
    });
    let s = summary(findings, instances);
    buf.extend_from_slice(b"  \"summary\": {\n    \"errors\": ");
    number(buf, s.errors);
    buf.extend_from_slice(b",\n    \"warnings\": ");
    number(buf, s.warnings);
    buf.extend_from_slice(b",\n    \"infos\": ");
    number(buf, s.infos);
    buf.extend_from_slice(b",\n    \"instances\": ");
    number(buf, s.instances);
    buf.extend_from_slice(b"\n  }\n}\n");
    out.finish()
}

/// What the writer keeps from one finding to the next: where a note kept as facts is written
/// out, each file's path as a JSON string, escaped the first time a place in the file is
/// written (the parties of many findings point into each gateway's config), and so each of the
/// rules' fixed texts ([`Kept::shown_text`]).
#[derive(Default)]
struct Kept {
    scratch: String,
    /// For each file, once escaped, where its path's string is in `strings`.
    path_at: Vec<Option<(usize, usize)>>,
    /// For each fixed text, by where it is and its length, where its string is in `strings`.
    fixed_at: FastMap<(usize, usize), (usize, usize)>,
    strings: Vec<u8>,
}

impl Kept {
    /// `path` (the shown path of `file`) as a JSON string.
    fn path(&mut self, buf: &mut Vec<u8>, file: FileId, path: &str) {
        let i = file.0 as usize;
        if self.path_at.len() <= i {
            self.path_at.resize(i + 1, None);
        }
        let strings = &mut self.strings;
        let (start, end) = *self.path_at[i].get_or_insert_with(|| {
            let start = strings.len();
            string(strings, path);
            (start, strings.len())
        });
        buf.extend_from_slice(&strings[start..end]);
    }

    /// A rule's fixed wording (a `&'static str`: most help, many notes), shown the first
    /// time and then copied: found by where it is, where nothing else ever is. Texts made for
    /// findings are shown where they are: keeping the gateways' names and the parties made
    /// once for many findings too would hold a shown copy of each to the end of the document
    /// for about 2M instructions more saved at 10,000 gateways.
    fn shown_text(&mut self, buf: &mut Vec<u8>, text: &Text) {
        let Text::Static(fixed) = text else {
            return shown(buf, text);
        };
        let strings = &mut self.strings;
        let (start, end) = *self
            .fixed_at
            .entry((fixed.as_ptr() as usize, fixed.len()))
            .or_insert_with(|| {
                let start = strings.len();
                shown(strings, fixed);
                (start, strings.len())
            });
        buf.extend_from_slice(&strings[start..end]);
    }
}

/// One finding, at the indent of an item of `findings` (four spaces; its fields at six).
fn finding(buf: &mut Vec<u8>, kept: &mut Kept, reported: &Reported, sources: &SourceMap) {
    let f = &reported.finding;
    buf.extend_from_slice(b"{\n      \"code\": ");
    word(buf, f.rule.code);
    buf.extend_from_slice(b",\n      \"name\": ");
    word(buf, f.rule.name);
    buf.extend_from_slice(b",\n      \"severity\": ");
    word(buf, reported.severity.as_str());
    buf.extend_from_slice(b",\n      \"message\": ");
    kept.shown_text(buf, &f.message);
    buf.extend_from_slice(b",\n      \"instances\": ");
    instances(buf, f);
    buf.extend_from_slice(b",\n      \"parties\": ");
    parties(buf, kept, f, sources);
    buf.extend_from_slice(b",\n      \"notes\": ");
    array::<8, _>(buf, &f.notes, |buf, note| match note {
        Note::Text(text) => kept.shown_text(buf, text),
        Note::Facts(_) => shown(buf, note.as_str(&mut kept.scratch)),
    });
    buf.extend_from_slice(b",\n      \"help\": ");
    match &f.help {
        Some(help) => kept.shown_text(buf, help),
        None => buf.extend_from_slice(b"null"),
    }
    if let Some(fix) = &f.fix {
        buf.extend_from_slice(b",\n      \"fix\": {\n        \"applicability\": ");
        word(buf, applicability(fix.applicability));
        buf.extend_from_slice(b",\n        \"message\": ");
        shown(buf, &fix.description);
        buf.extend_from_slice(b",\n        \"edits\": ");
        array::<10, _>(buf, &fix.edits, |buf, edit| {
            buf.push(b'{');
            let loc = Loc {
                file: edit.file,
                span: edit.span,
            };
            position::<12>(buf, kept, sources, loc);
            // clawlint's own text (a key and a port): never a control character to
            // hide, and its newlines are JSON-escaped.
            buf.extend_from_slice(b",\n            \"content\": ");
            string(buf, &edit.replacement);
            // A file the fix creates (nothing is there yet): the edit is its whole text.
            if sources.file(edit.file).to_create {
                buf.extend_from_slice(b",\n            \"createsFile\": true");
            }
            buf.extend_from_slice(b"\n          }");
        });
        buf.extend_from_slice(b"\n      }");
    }
    buf.extend_from_slice(b"\n    }");
}

pub(crate) fn applicability(a: crate::fix::Applicability) -> &'static str {
    match a {
        crate::fix::Applicability::Safe => "safe",
        crate::fix::Applicability::Unsafe => "unsafe",
    }
}

/// The gateways involved, in the order their parties come, each once.
fn instances(buf: &mut Vec<u8>, f: &Finding) {
    array::<8, _>(buf, super::flat::instances(f), shown);
}

/// Every party, the first the primary one, with its place when it can be shown.
fn parties(buf: &mut Vec<u8>, kept: &mut Kept, f: &Finding, sources: &SourceMap) {
    let mut first = true;
    array::<8, _>(buf, &f.labels, |buf, label| {
        buf.extend_from_slice(b"{\n          \"role\": ");
        word(buf, if first { "primary" } else { "related" });
        first = false;
        buf.extend_from_slice(b",\n          \"instance\": ");
        match &label.instance {
            Some(name) => shown(buf, name),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\n          \"message\": ");
        kept.shown_text(buf, &label.message);
        if let Some(loc) = showable(sources, label.loc) {
            buf.push(b',');
            position::<10>(buf, kept, sources, loc);
        }
        buf.extend_from_slice(b"\n        }");
    });
}

/// A JSON array as serde_json's pretty printer writes it: `[]` when empty, else each item on
/// a line of its own at `INDENT` spaces and the closing bracket two spaces less. `INDENT` is
/// a constant so that what comes before each item (`[` or `,`, the line break, the indent) is
/// one copy of a known length, not a copy and a fill.
fn array<const INDENT: usize, T>(
    buf: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, T),
) {
    const { assert!(2 <= INDENT && INDENT + 2 <= BREAK.len()) };
    let mut any = false;
    for it in items {
        let before: &[u8; BREAK.len()] = if any { BREAK } else { OPEN };
        buf.extend_from_slice(&before[..2 + INDENT]);
        any = true;
        item(buf, it);
    }
    if any {
        let mut close = [b' '; BREAK.len()];
        close[0] = b'\n';
        close[INDENT - 1] = b']';
        buf.extend_from_slice(&close[..INDENT]);
    } else {
        buf.extend_from_slice(b"[]");
    }
}

/// A comma and a line break, and the most spaces an item or a field is indented by.
const BREAK: &[u8; 14] = b",\n            ";
/// An array's bracket and its first item's line break and indent.
const OPEN: &[u8; 14] = b"[\n            ";

/// A place's keys, each with the comma, line break and indent at `INDENT` spaces before it
/// (the first with no comma): each field's start is one copy of a known length.
struct PlaceKeys<const INDENT: usize>;

impl<const INDENT: usize> PlaceKeys<INDENT> {
    const FILE: Key = Key::new(false, INDENT, b"\"file\": ");
    const NUMBERS: [Key; 6] = [
        Key::new(true, INDENT, b"\"line\": "),
        Key::new(true, INDENT, b"\"column\": "),
        Key::new(true, INDENT, b"\"endLine\": "),
        Key::new(true, INDENT, b"\"endColumn\": "),
        Key::new(true, INDENT, b"\"byteStart\": "),
        Key::new(true, INDENT, b"\"byteEnd\": "),
    ];
}

/// A key with what comes before it, made when compiled.
struct Key {
    bytes: [u8; 32],
    len: usize,
}

impl Key {
    const fn new(comma: bool, indent: usize, key: &[u8]) -> Key {
        let mut bytes = [b' '; 32];
        let mut len = 0;
        if comma {
            bytes[0] = b',';
            len = 1;
        }
        bytes[len] = b'\n';
        len += 1 + indent;
        let mut k = 0;
        while k < key.len() {
            bytes[len + k] = key[k];
            k += 1;
        }
        Key {
            bytes,
            len: len + key.len(),
        }
    }

    /// Writes the key: all its room copied (a copy of a known length, no call), then the
    /// room past the key dropped.
    fn put(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.bytes);
        buf.truncate(buf.len() - (self.bytes.len() - self.len));
    }
}

/// A place's fields (`file` .. `byteEnd`), each on a line of its own at `INDENT` spaces (a
/// constant, so that each field's comma, line break, indent and key are one copy of known
/// length, not a call each).
fn position<const INDENT: usize>(
    buf: &mut Vec<u8>,
    kept: &mut Kept,
    sources: &SourceMap,
    loc: Loc,
) {
    let (file, at): (&str, Place) = place(sources, loc);
    PlaceKeys::<INDENT>::FILE.put(buf);
    kept.path(buf, loc.file, file);
    let values = [
        at.line,
        at.column,
        at.end_line,
        at.end_column,
        at.byte_start,
        at.byte_end,
    ];
    for (key, value) in PlaceKeys::<INDENT>::NUMBERS.iter().zip(values) {
        key.put(buf);
        number(buf, value);
    }
}

/// A word of the program's own (a rule's code or kebab-case name, a severity, a role), which
/// has nothing to escape: written between quotes as it is.
fn word(buf: &mut Vec<u8>, word: &'static str) {
    debug_assert!(!word.bytes().any(escapes), "{word:?}");
    buf.push(b'"');
    buf.extend_from_slice(word.as_bytes());
    buf.push(b'"');
}

/// `n` in decimal. Most numbers written are lines and columns (one or two digits) and byte
/// offsets in a config (three or four): up to four digits are pushed as they are.
#[inline]
pub(crate) fn number(buf: &mut Vec<u8>, n: usize) {
    let digit = |n: usize| b'0' + (n % 10) as u8;
    if n < 10 {
        buf.push(digit(n));
        return;
    }
    if n < 100 {
        buf.extend_from_slice(&[digit(n / 10), digit(n)]);
        return;
    }
    if n < 1000 {
        buf.extend_from_slice(&[digit(n / 100), digit(n / 10), digit(n)]);
        return;
    }
    if n < 10_000 {
        buf.extend_from_slice(&[digit(n / 1000), digit(n / 100), digit(n / 10), digit(n)]);
        return;
    }
    let mut digits = [0u8; 20];
    buf.extend_from_slice(crate::words::decimal(n as u64, &mut digits).as_bytes());
}

/// A text from the layout, shown through [`visible`].
fn shown(buf: &mut Vec<u8>, text: &str) {
    // Almost every text is printable ASCII, at most with quotes to escape: written in one
    // pass, where `visible` and then `escaped` each passed over it.
    if !plain_shown(buf, text) {
        string(buf, &visible(text));
    }
}

/// Writes `text` as a JSON string when it is printable ASCII without `[` and does not start
/// with `::` (a text [`visible`] leaves as it is: nothing to escape, no `##[`, no `::`), so
/// that only `"` and backslashes need an escape. Otherwise writes nothing and says so.
///
/// Written a block at a time into reserved room: a clean block is one sixteen-byte store,
/// and an escape (a backslash before the byte) one more store of the rest of its block, not
/// a copy of the run before it and of the escape, each of its own length.
fn plain_shown(buf: &mut Vec<u8>, text: &str) -> bool {
    if text.starts_with("::") {
        return false;
    }
    let bytes = text.as_bytes();
    // Every byte escaped, both quotes, and the bytes a store writes past what it keeps.
    buf.reserve(2 * bytes.len() + 2 + BLOCK);
    let out = buf.spare_capacity_mut();
    out[0].write(b'"');
    let mut written = 1;
    let mut blocks = bytes.chunks_exact(BLOCK);
    // Whether the last block was written as it is (no escape in it).
    let mut last_clean = false;
    for block in &mut blocks {
        let block: &[u8; BLOCK] = block.try_into().expect("a block");
        let marks = unplain_marks(*block);
        last_clean = marks == 0;
        if marks == 0 {
            put(out, written, block);
            written += BLOCK;
            continue;
        }
        let Some(end) = escape_block(out, written, block, 0..BLOCK, marks) else {
            return false;
        };
        written = end;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // A text a block long or more ends with its last sixteen bytes, those before the
        // rest already written; only a shorter text is copied into a padded block.
        let (block, kept) = match bytes.len().checked_sub(BLOCK) {
            Some(last) => (
                bytes[last..].try_into().expect("a block"),
                BLOCK - rest.len()..BLOCK,
            ),
            None => (block_at(rest, 0), 0..rest.len()),
        };
        let marks = unplain_marks(block) & (u32::MAX << kept.start);
        if marks == 0 && (kept.start == 0 || last_clean) {
            // Nothing to escape: one store, of a last block from where its bytes before the
            // rest were written as they are (the same bytes written again).
            put(out, written - kept.start, &block);
            written += kept.end - kept.start;
        } else {
            let Some(end) = escape_block(out, written, &block, kept, marks) else {
                return false;
            };
            written = end;
        }
    }
    out[written].write(b'"');
    written += 1;
    // SAFETY: `out[..written]` is written: each store writes sixteen bytes from where
    // `written` stood (a clean last block from at most sixteen before it), which then moves
    // on by at most sixteen before the next write, and the quotes and escapes are written
    // where they stand.
    unsafe { buf.set_len(buf.len() + written) };
    true
}

/// Writes the bytes `kept` of `block` at `out[written..]`, a backslash before each byte
/// `marks` marks (which must be `"` or a backslash), and says where they end; or `None` when
/// a byte marked is another. Each store writes sixteen bytes: what is past the bytes kept is
/// written over next.
fn escape_block(
    out: &mut [MaybeUninit<u8>],
    mut written: usize,
    block: &[u8; BLOCK],
    kept: std::ops::Range<usize>,
    mut marks: u32,
) -> Option<usize> {
    let mut window = [b' '; 2 * BLOCK];
    window[..BLOCK].copy_from_slice(block);
    let mut from = kept.start;
    while marks != 0 {
        let i = marks.trailing_zeros() as usize;
        if !matches!(block[i], b'"' | b'\\') {
            return None;
        }
        put(
            out,
            written,
            window[from..from + BLOCK].try_into().expect("a block"),
        );
        written += i - from;
        out[written].write(b'\\');
        written += 1;
        from = i;
        marks &= marks - 1;
    }
    put(
        out,
        written,
        window[from..from + BLOCK].try_into().expect("a block"),
    );
    Some(written + kept.end - from)
}

/// Writes `block` at `out[at..at + BLOCK]`: one store.
fn put(out: &mut [MaybeUninit<u8>], at: usize, block: &[u8; BLOCK]) {
    for (o, b) in out[at..at + BLOCK].iter_mut().zip(block) {
        o.write(*b);
    }
}

/// The marks `mark` gives the bytes of `bytes` from `at` on, a block's worth (bit `i` for
/// byte `at + i`; none past the end). The last block of a text a block long or more is its
/// last [`BLOCK`] bytes, the bits of those before `at` shifted out: only a shorter text is
/// copied into a padded block ([`block_at`]).
fn marks_at(bytes: &[u8], at: usize, mark: impl Fn([u8; BLOCK]) -> u32) -> u32 {
    match bytes.get(at..at + BLOCK) {
        Some(block) => mark(block.try_into().expect("a block")),
        None if bytes.len() >= BLOCK => {
            let last = bytes.len() - BLOCK;
            mark(bytes[last..].try_into().expect("a block")) >> (at - last)
        }
        None => mark(block_at(bytes, at)),
    }
}

/// Whether [`plain_shown`] stops at byte `b`: not printable ASCII (0x20 to 0x7e), or `"`,
/// `\\` or `[` (the bytes [`escapes`] stops at, and those `visible` may change).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn unplain(b: u8) -> bool {
    !(0x20..0x7f).contains(&b) || matches!(b, b'"' | b'\\' | b'[')
}

/// Whether [`escaped`] stops at byte `b`: a control character below 0x20, `"` or `\\`.
fn escapes(b: u8) -> bool {
    b < 0x20 || matches!(b, b'"' | b'\\')
}

/// [`crate::words::marks_of`] `block` by [`unplain`].
fn unplain_marks(block: [u8; BLOCK]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of every x86_64 processor (the target's baseline features),
        // and the load reads the sixteen bytes of `block`, unaligned.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            // Compared as signed bytes, those below 0x20 are also every byte from 0x80.
            let outside = _mm_or_si128(
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)),
            );
            let marked = _mm_or_si128(
                _mm_or_si128(outside, _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'[' as i8)),
                ),
            );
            _mm_movemask_epi8(marked) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    crate::words::marks_of(block, unplain)
}

/// [`crate::words::marks_of`] `block` by [`escapes`].
fn escape_marks(block: [u8; BLOCK]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: as in `unplain_marks`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            // Unsigned bytes at most 0x1f: those the minimum with 0x1f leaves as they are.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            let marked = _mm_or_si128(
                control,
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
                ),
            );
            _mm_movemask_epi8(marked) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    crate::words::marks_of(block, escapes)
}

/// A JSON string, escaped as serde_json escapes it: `"` and `\`, `\b \f \n \r \t`, other
/// control characters below 0x20 as `\u00XX`; everything else as it is.
pub(crate) fn string(buf: &mut Vec<u8>, text: &str) {
    buf.reserve(text.len() + 2);
    buf.push(b'"');
    escaped(buf, text);
    buf.push(b'"');
}

/// The inside of a JSON string (see [`string`]): a string written in pieces is its pieces
/// escaped one after the other. Runs with nothing to escape (almost all of every text) are
/// found a block of sixteen bytes at a time and copied at once.
pub(crate) fn escaped(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for block in (0..bytes.len()).step_by(BLOCK) {
        let mut marks = marks_at(bytes, block, escape_marks);
        while marks != 0 {
            let at = block + marks.trailing_zeros() as usize;
            let b = bytes[at];
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                _ => b"",
            };
            buf.extend_from_slice(&bytes[clean_from..at]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 0xf)]);
            } else {
                buf.extend_from_slice(escape);
            }
            clean_from = at + 1;
            marks &= marks - 1;
        }
    }
    buf.extend_from_slice(&bytes[clean_from..]);
}

/// serde_json's pretty layout (two spaces a level, `"key": value`, `[]` and `{}` when empty)
/// written by hand into [`super::Chunks`], for a document whose findings are written as they
/// are reached (SARIF's results).
pub(crate) struct Pretty<'a> {
    out: super::Chunks<'a>,
    depth: usize,
    /// Whether the innermost open object or array has no member yet.
    empty: bool,
}

impl<'a> Pretty<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        Pretty {
            out: super::Chunks::new(out),
            depth: 0,
            empty: true,
        }
    }

    /// Opens an object (`b'{'`) or an array (`b'['`).
    pub fn open(&mut self, bracket: u8) {
        self.out.buf.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    /// Closes the innermost object (`b'}'`) or array (`b']'`).
    pub fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.empty {
            self.line();
        }
        self.out.buf.push(bracket);
        self.empty = false;
    }

    /// An object whose members `members` writes (each after its [`Pretty::key`]).
    pub fn object(&mut self, members: impl FnOnce(&mut Self)) {
        self.open(b'{');
        members(self);
        self.close(b'}');
    }

    /// An array of `items`, each written by `item` in its place.
    pub fn array<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut item: impl FnMut(&mut Self, T),
    ) {
        self.open(b'[');
        for it in items {
            self.item();
            item(self, it);
        }
        self.close(b']');
    }

    /// Starts a member of the innermost object: its key, for the value written next.
    pub fn key(&mut self, key: &str) {
        self.item();
        string(&mut self.out.buf, key);
        self.out.buf.extend_from_slice(b": ");
    }

    /// Starts an item of the innermost array, for the value written next.
    pub fn item(&mut self) {
        if !self.empty {
            self.out.buf.push(b',');
        }
        self.line();
        self.empty = false;
    }

    pub fn string(&mut self, text: &str) {
        string(&mut self.out.buf, text);
    }

    pub fn number(&mut self, n: usize) {
        number(&mut self.out.buf, n);
    }

    pub fn bool(&mut self, b: bool) {
        self.out
            .buf
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// A string written in pieces: `piece` escapes each into it (see [`escaped`]).
    pub fn string_of(&mut self, pieces: impl FnOnce(&mut Vec<u8>)) {
        self.out.buf.push(b'"');
        pieces(&mut self.out.buf);
        self.out.buf.push(b'"');
    }

    /// A value serde_json writes pretty-printed, at this depth (a JSON string never holds a
    /// raw line break, so each of its line breaks is one of the layout's).
    pub fn serialized(&mut self, value: &impl Serialize) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(value)?;
        for line in text.split_inclusive(|&b| b == b'\n') {
            self.out.buf.extend_from_slice(line);
            if line.ends_with(b"\n") {
                self.indent();
            }
        }
        self.empty = false;
        Ok(())
    }

    /// Passes what is gathered on once it is a chunk or more (between findings).
    pub fn pass_full(&mut self) -> io::Result<()> {
        self.out.pass_full()
    }

    /// The closing line break, and the rest to the output.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.buf.push(b'\n');
        self.out.finish()
    }

    fn line(&mut self) {
        self.out.buf.push(b'\n');
        self.indent();
    }

    fn indent(&mut self) {
        let at = self.out.buf.len();
        self.out.buf.resize(at + 2 * self.depth, b' ');
    }
}

/// `--format json`, streamed.
pub struct JsonEmitter;

impl super::Emitter for JsonEmitter {
    fn emit(
        &self,
        out: &mut dyn std::io::Write,
        findings: &[Reported],
        context: &super::EmitterContext,
    ) -> std::io::Result<()> {
        write(out, findings, context.sources, context.instances)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Finding, Label, Severity};
    use crate::fix::{Applicability, Edit, Fix};
    use crate::load::json5::Span;
    use std::path::Path;

    /// The document as serde_json writes it from the flattened findings: what this writer
    /// replaced, and must equal byte for byte.
    fn serde_reference(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            version: u32,
            findings: Vec<super::super::flat::FlatFinding<'a>>,
            summary: Summary,
        }
        let report = Report {
            version: SCHEMA_VERSION,
            findings: findings
                .iter()
                .map(|r| super::super::flat::flatten(r, sources))
                .collect(),
            summary: summary(findings, instances),
        };
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    }

    #[test]
    fn the_document_is_the_bytes_serde_json_writes() {
        let mut sources = SourceMap::new();
        let text = "{\n  port: 1, // é\u{202E}\n  name: \"x\\\"y\",\n}\n";
        let file = sources.add(Path::new("dir/a \"b\".json"), text.into(), None);
        sources.show_all(file);
        let unread = sources.add(Path::new("c\u{7}.json"), String::new(), None);
        let loc = |file, start, end| Loc {
            file,
            span: Span::new(start, end),
        };
        let tricky =
            "tab\there \"quoted\" back\\slash \u{1} \u{8}\u{c}\r\n é ü 𝄞 \u{7f} \u{202E} ##[x] end";
        let mut planned = Finding::new(&crate::catalog::GATEWAY_PORT_COLLISION, tricky)
            .label(Label::new(
                Some(loc(file, 4, 11)),
                "a: port 1",
                Some("a\u{1b}"),
            ))
            .label(Label::new(
                Some(loc(unread, 0, 0)),
                "b: whole file",
                Some("b"),
            ))
            .label(Label::new(Some(loc(unread, 2, 3)), "c: not shown", None))
            .label(Label::new(None, ":: a\\b", Some("a\u{1b}")))
            .note(tricky.to_string())
            .note("second note")
            .help("::help");
        planned.fix = Some(Box::new(Fix {
            applicability: Applicability::Unsafe,
            description: "move \"a\"\n".into(),
            edits: vec![
                Edit {
                    file,
                    span: Span::new(10, 11),
                    replacement: "2\n\"x\"".into(),
                },
                Edit {
                    file,
                    span: Span::new(0, 0),
                    replacement: String::new(),
                },
            ],
        }));
        let mut no_edits = Finding::new(&crate::catalog::SHARED_WORKSPACE, "");
        no_edits.fix = Some(Box::new(Fix {
            applicability: Applicability::Safe,
            description: String::new(),
            edits: Vec::new(),
        }));
        let findings = [
            Reported {
                finding: planned,
                severity: Severity::Error,
            },
            Reported {
                finding: Finding::new(&crate::catalog::NO_GATEWAYS, "bare"),
                severity: Severity::Info,
            },
            Reported {
                finding: no_edits,
                severity: Severity::Warning,
            },
        ];
        for n in 0..=findings.len() {
            assert_eq!(
                render(&findings[..n], &sources, 7),
                serde_reference(&findings[..n], &sources, 7),
                "{n} findings"
            );
        }
    }

    /// Every string of up to three bytes from a set of awkward ones (and each padded to cross
    /// a block of sixteen bytes) is escaped as serde_json escapes it.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let pieces = [
            "", "a", "\"", "\\", "\n", "\u{0}", "\u{1f}", " ", "\u{7f}", "é", "𝄞", "/", "\u{8}",
            "\u{c}", "\t", "\r", "!", "~", "\u{2028}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for pad in ["", "1234567", "123456789012345", "1234567890123456789"] {
                        let text = format!("{pad}{a}{b}{pad}{c}");
                        let mut ours = Vec::new();
                        string(&mut ours, &text);
                        assert_eq!(
                            String::from_utf8(ours).unwrap(),
                            serde_json::to_string(&text).unwrap()
                        );
                    }
                }
            }
        }
    }

    /// The block tests mark exactly the bytes their byte tests hold for, each byte value at
    /// every place of a block of other bytes.
    #[test]
    fn the_block_tests_mark_exactly_the_bytes_to_stop_at() {
        for fill in [b'a', b' ', 0x7e, 0x80, b'"', 0] {
            for b in 0..=255u8 {
                for at in 0..BLOCK {
                    let mut block = [fill; BLOCK];
                    block[at] = b;
                    let expected = |test: fn(u8) -> bool| {
                        let fills = if test(fill) { !0 ^ 1 << at } else { 0 };
                        fills & 0xffff | u32::from(test(b)) << at
                    };
                    assert_eq!(escape_marks(block), expected(escapes), "{b} at {at}");
                    assert_eq!(unplain_marks(block), expected(unplain), "{b} at {at}");
                    assert_eq!(crate::words::marks_of(block, escapes), expected(escapes));
                    assert_eq!(crate::words::marks_of(block, unplain), expected(unplain));
                }
                let control = b < 0x20;
                assert_eq!(escapes(b), control || b == b'"' || b == b'\\', "{b}");
                let printable = (0x20..=0x7e).contains(&b);
                assert_eq!(unplain(b), !printable || matches!(b, b'"' | b'\\' | b'['));
            }
        }
    }

    /// The shortcut for plain text gives what the text through `visible`, then escaped, gives.
    #[test]
    fn shown_is_visible_then_escaped() {
        let pieces = [
            "", "a", "\"", "\\", "\n", "\u{0}", "\u{1f}", " ", "\u{7f}", "é", "[", "##[", "#",
            "::", ":", "\u{202e}", "~", "\u{85}",
        ];
        for a in pieces {
            for b in pieces {
                for pad in ["", "1234567", "123456789012345", "1234567890123456789"] {
                    for text in [format!("{a}{pad}{b}"), format!("{pad}{a}{b}{pad}")] {
                        // After what the buffer holds already.
                        let mut ours = b"[".to_vec();
                        shown(&mut ours, &text);
                        let mut expected = b"[".to_vec();
                        string(&mut expected, &visible(&text));
                        assert_eq!(ours, expected, "{text:?}");
                    }
                }
            }
        }
    }

    /// A text of nothing but quotes and backslashes doubles in length: each of its lengths
    /// around a block's is written whole, after what the buffer holds.
    #[test]
    fn shown_escapes_texts_of_quotes_only() {
        for len in 0..50 {
            for fill in ["\"", "\\", "\"a\\"] {
                let text: String = fill.chars().cycle().take(len).collect();
                let mut ours = b"[".to_vec();
                shown(&mut ours, &text);
                let mut expected = b"[".to_vec();
                string(&mut expected, &text);
                assert_eq!(ours, expected, "{text:?}");
            }
        }
    }

    /// A fixed text is shown as any text is, the first time and each time after, and a text
    /// made for a finding with the same words alike.
    #[test]
    fn a_fixed_text_is_shown_alike_each_time() {
        let mut kept = Kept::default();
        let fixed = "use \"a\" or \\b, a block and more";
        let mut expected = Vec::new();
        shown(&mut expected, fixed);
        for text in [
            Text::Static(fixed),
            Text::Static(fixed),
            Text::Owned(fixed.into()),
            Text::Static(fixed),
        ] {
            let mut ours = Vec::new();
            kept.shown_text(&mut ours, &text);
            assert_eq!(ours, expected);
        }
        assert_eq!(kept.fixed_at.len(), 1);
    }

    #[test]
    fn numbers_are_decimal() {
        for n in (0..12_000).chain([99_999, 100_000, usize::MAX]) {
            let mut buf = Vec::new();
            number(&mut buf, n);
            assert_eq!(String::from_utf8(buf).unwrap(), n.to_string());
        }
    }
}
