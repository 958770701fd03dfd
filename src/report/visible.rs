//! Text from the layout shown so that it can neither drive a terminal nor forge CI output.
//!
//! Everything clawlint prints from a layout (file names, JSON5 strings, comments in snippets,
//! agent, account and profile names, unit names) was written by whoever wrote the layout: in
//! CI, a pull request's author. So every such string is shown through [`visible`]:
//!
//! - control characters (C0, DEL, C1) are shown as escapes, `\n`, `\r`, `\t`, `\x1b`, so that
//!   no string adds a line, moves the cursor or sends an OSC/BEL sequence;
//! - bidirectional controls and line separators are shown as `<U+202E>`, so that no string
//!   reorders what is around it;
//! - the GitHub Actions runner's workflow commands are neutralised: `##[` (the older form,
//!   honoured anywhere in a line) becomes `##\x5b`, and `::` at the start of a string (the
//!   current form, honoured at the start of a line) becomes `:\x3a`.
//!
//! It is idempotent: what it returns contains nothing it would change again.

use std::borrow::Cow;

/// Does `c` need an escape?
fn hidden(c: char) -> bool {
    c.is_control() || reorders(c)
}

/// Is `c` a bidirectional control, a line separator or a BOM: a character that reorders or
/// breaks the text around it without being a control character?
pub fn reorders(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `c` as shown.
fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("<U+{:04X}>", c as u32)),
    }
}

/// `text` as it may be shown. Borrowed when nothing needed changing (almost always).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !needs_work(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_visible(text, &mut out);
    Cow::Owned(out)
}

/// Whether [`push_visible`] would change `text`: one pass over its bytes while they are ASCII
/// (almost always all of them), the character test from the first other byte on. Eight bytes
/// are passed at once while none of them is worth a look (see [`worth_a_look`]).
fn needs_work(text: &str) -> bool {
    if text.starts_with("::") {
        return true;
    }
    let bytes = text.as_bytes();
    let mut clean = 0;
    while let Some(word) = bytes.get(clean..clean + 8) {
        if worth_a_look(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
            break;
        }
        clean += 8;
    }
    for (i, &b) in bytes.iter().enumerate().skip(clean) {
        match b {
            0x00..=0x1f | 0x7f => return true,
            b'[' if i >= 2 && bytes[i - 2..i] == *b"##" => return true,
            0x80..=0xff => {
                // All before `i` is ASCII, so `i` is a character boundary, and no `##[`
                // spans it.
                let rest = &text[i..];
                return rest.contains("##[") || rest.chars().any(hidden);
            }
            _ => {}
        }
    }
    false
}

/// Whether any of the eight bytes of `word` is one [`needs_work`] looks at: a control byte
/// (below 0x20, or 0x7f), a byte of a character past ASCII (0x80 and up), or `[`. The words
/// before the first such word are plain ASCII, so looking from its start is the same as
/// looking from the text's.
fn worth_a_look(word: u64) -> bool {
    use crate::words::{has_below, has_byte, has_high};
    has_high(word) || has_below(word, 0x20) || has_byte(word, 0x7f) || has_byte(word, b'[')
}

/// Appends `text` as shown to `out`.
pub fn push_visible(text: &str, out: &mut String) {
    let mut rest = text;
    if let Some(tail) = rest.strip_prefix("::") {
        out.push_str(":\\x3a");
        rest = tail;
    }
    let mut hashes = 0;
    for c in rest.chars() {
        if c == '[' && hashes >= 2 {
            out.push_str("\\x5b");
            hashes = 0;
            continue;
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
        if hidden(c) {
            escape(c, out);
        } else {
            out.push(c);
        }
    }
}

/// Like [`visible`] for one line of a file shown in a snippet (after a gutter, so a leading
/// `::` is harmless and kept), with the byte offsets of the
/// original line mapped into the shown one: `(shown, map)` where `map[i]` is the shown offset
/// of original byte `i` (and `map[len]` the shown length).
pub fn visible_line(line: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(line.len());
    let mut map = Vec::with_capacity(line.len() + 1);
    let mut hashes = 0;
    for c in line.chars() {
        let start = out.len();
        for _ in 0..c.len_utf8() {
            map.push(start);
        }
        if c == '[' && hashes >= 2 {
            out.push_str("\\x5b");
            hashes = 0;
            continue;
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
        if hidden(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    map.push(out.len());
    (out, map)
}

/// A final guard over a whole rendered text whose values were not all shown through
/// [`visible`] (the `resolve` and `ports` tables): no line may start a workflow command, hold
/// `##[`, or carry a control character other than its own line break.
pub fn guard_lines(text: &str) -> Cow<'_, str> {
    let risky = text.contains("##[")
        || text.lines().any(|l| l.trim_start().starts_with("::"))
        || text.chars().any(|c| c != '\n' && hidden(c));
    if !risky {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let indent = body.len() - body.trim_start().len();
        out.push_str(&body[..indent]);
        push_visible(&body[indent..], &mut out);
        out.push_str(newline);
    }
    Cow::Owned(out)
}

/// The same guard for JSON text, where the characters can only be inside strings: each becomes
/// a JSON escape (`\u202e`, `##\u005b`), so the document decodes to the same values. Line
/// breaks are the document's own (inside strings they are already escaped).
pub fn guard_json(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| c != '\n' && hidden(c);
    // Printable ASCII and line breaks (almost every document) hide nothing: one pass over the
    // bytes decides, without decoding characters.
    let (plain, marker) = plain_and_marked(text.as_bytes());
    if !marker && (plain || !text.chars().any(hidden)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut hashes = 0;
    for c in text.chars() {
        if (c == '[' && hashes >= 2) || hidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
            hashes = 0;
            continue;
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
        out.push(c);
    }
    Cow::Owned(out)
}

/// Whether `bytes` are all printable ASCII or line breaks, and whether they hold `##[`: both in
/// one pass, sixteen bytes at a time. Each block is classified without a branch per byte (a
/// fixed-size block, so the tests vectorize), and only a block holding a `[` is looked at byte
/// by byte for the marker (a substring search cost more to set up than most fragments, paths
/// and names, are long).
fn plain_and_marked(bytes: &[u8]) -> (bool, bool) {
    const BLOCK: usize = 16;
    let blocks = bytes.chunks_exact(BLOCK);
    let rest = blocks.remainder();
    let mut plain = true;
    let marked_in = |start: usize, end: usize| {
        (start.max(2)..end).any(|i| bytes[i] == b'[' && bytes[i - 2..i] == *b"##")
    };
    for (n, block) in blocks.enumerate() {
        let block: &[u8; BLOCK] = block.try_into().expect("a whole block");
        let (ok, bracket) = classify(block);
        plain &= ok;
        if bracket && marked_in(n * BLOCK, (n + 1) * BLOCK) {
            return (plain, true);
        }
    }
    let (ok, bracket) = classify(rest);
    let start = bytes.len() - rest.len();
    (plain & ok, bracket && marked_in(start, bytes.len()))
}

/// Whether every byte is printable ASCII or a line break, and whether one is a `[`.
#[inline(always)]
fn classify(bytes: &[u8]) -> (bool, bool) {
    bytes.iter().fold((true, false), |(ok, bracket), &b| {
        (
            ok & ((b.wrapping_sub(b' ') < 95) | (b == b'\n')),
            bracket | (b == b'['),
        )
    })
}

/// A JSON formatter that writes what [`guard_json`] would change as JSON escapes while the
/// document is streamed: within a string, each hidden character as `\uXXXX` and the `[` of
/// `##[` as `\u005b` (serde_json has already escaped the control characters). The document
/// decodes to the same values. Layout is `F`'s.
pub struct GuardedJson<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for GuardedJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        match guard_json(fragment) {
            Cow::Borrowed(plain) => writer.write_all(plain.as_bytes()),
            Cow::Owned(guarded) => writer.write_all(guarded.as_bytes()),
        }
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-byte pass agrees with looking at every byte: each byte that matters, at every
    /// place of the words around it, after `##` or not.
    #[test]
    fn words_passed_at_once_hide_nothing() {
        let byte_by_byte = |text: &str| {
            let mut out = String::new();
            push_visible(text, &mut out);
            out != text
        };
        let mut probes: Vec<String> = (0..=0x7fu8).map(|b| char::from(b).to_string()).collect();
        probes.extend(["##[", "é", "\u{202E}", "\u{9b}", "\u{2028}"].map(String::from));
        for len in 0..=18 {
            for at in 0..=len {
                for probe in &probes {
                    let text = "a".repeat(at) + probe + &"b".repeat(len - at);
                    assert_eq!(needs_work(&text), byte_by_byte(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn controls_bidi_and_commands_are_shown() {
        assert_eq!(visible("plain ::1 text"), "plain ::1 text");
        assert_eq!(visible("a\nb\r\x1b]0;x\x07"), "a\\nb\\r\\x1b]0;x\\x07");
        assert_eq!(visible("x\u{202E}y\u{9b}"), "x<U+202E>y\\x9b");
        assert_eq!(
            visible("::error file=a::forged"),
            ":\\x3aerror file=a::forged"
        );
        assert_eq!(visible("ok ##[error]x"), "ok ##\\x5berror]x");
    }

    #[test]
    fn the_quick_test_agrees_with_the_escaping() {
        for s in [
            "",
            "plain",
            "::a",
            ":a",
            "a::",
            "##[",
            "#[",
            "##",
            "a##[b",
            "é##[",
            "##é[",
            "#é#[",
            "é\u{85}",
            "é\u{202E}",
            "é\u{a0}",
            "tab\there",
            "\x7f",
            "ü##",
            "日本語",
            "a\u{FEFF}",
        ] {
            let mut shown = String::new();
            push_visible(s, &mut shown);
            assert_eq!(needs_work(s), shown != s, "{s:?}");
        }
    }

    #[test]
    fn it_is_idempotent() {
        for s in ["::a\n##[b\u{202E}\x1b", "##[[", "::::", "#\n#["] {
            let once = visible(s).into_owned();
            assert_eq!(visible(&once), once, "{s:?}");
            assert!(!once.contains("##[") && !once.starts_with("::"));
            assert!(!once.chars().any(hidden));
        }
    }

    #[test]
    fn line_map_follows_escapes() {
        let (shown, map) = visible_line("a\u{202E}b\n");
        assert_eq!(shown, "a<U+202E>b\\n");
        assert_eq!(map[0], 0);
        assert_eq!(map[1], 1);
        assert_eq!(map[4], 9); // 'b' after the 3-byte U+202E
        assert_eq!(*map.last().unwrap(), shown.len());
    }

    #[test]
    fn json_guard_decodes_to_the_same_value() {
        let text = serde_json::to_string_pretty(&["a ##[error] \u{202E}\u{7f}"]).unwrap();
        let guarded = guard_json(&text);
        assert!(!guarded.contains("##[") && !guarded.contains('\u{202E}'));
        assert!(guarded.contains('\n'));
        let back: Vec<String> = serde_json::from_str(&guarded).unwrap();
        assert_eq!(back, ["a ##[error] \u{202E}\u{7f}"]);
    }

    /// The marker is found wherever it sits, and only there.
    #[test]
    fn json_guard_finds_the_marker_anywhere_in_a_fragment() {
        for marked in ["##[", "##[x", "x##[", "a ###[b", "[##[", "#\n##[["] {
            let guarded = guard_json(marked);
            assert!(matches!(guarded, Cow::Owned(_)), "{marked:?}");
            assert!(!guarded.contains("##["), "{marked:?}");
        }
        for plain in [
            "",
            "#",
            "##",
            "[",
            "#[",
            "# #[",
            "##",
            "[##",
            "#x[",
            "/home/a/.openclaw",
        ] {
            assert!(matches!(guard_json(plain), Cow::Borrowed(_)), "{plain:?}");
        }
    }

    /// The blockwise scan answers as a byte-by-byte one does, wherever the marker or the
    /// first unprintable byte falls against the blocks' edges.
    #[test]
    fn the_blockwise_scan_agrees_with_a_byte_by_byte_one() {
        let naive = |b: &[u8]| {
            let plain = b.iter().all(|&c| (b' '..=b'~').contains(&c) || c == b'\n');
            (plain, b.windows(3).any(|w| w == b"##["))
        };
        for len in 0..50 {
            for at in 0..len {
                for insert in [
                    &b"##["[..],
                    b"#[",
                    b"\x7f",
                    b"\t",
                    b"\n",
                    b"\xc3\xa9",
                    b"[##",
                ] {
                    let mut text = vec![b'a'; len];
                    let end = (at + insert.len()).min(len);
                    text[at..end].copy_from_slice(&insert[..end - at]);
                    let (plain, marked) = plain_and_marked(&text);
                    let (want_plain, want_marked) = naive(&text);
                    assert_eq!(marked, want_marked, "{text:?}");
                    if !marked {
                        assert_eq!(plain, want_plain, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn guard_keeps_line_breaks_and_indent() {
        assert_eq!(guard_lines("a\n  ::x::y\n"), "a\n  :\\x3ax::y\n");
        assert_eq!(guard_lines("ok\n"), "ok\n");
    }
}
