//! Words as systemd cuts them: `extract_first_word()` with `EXTRACT_UNQUOTE |
//! EXTRACT_CUNESCAPE`, C escapes (`cunescape_one()`), and the small character classes the
//! other readers share.

/// systemd's `WHITESPACE`: only these four, not Unicode spaces.
pub(super) const WS: [char; 4] = [' ', '\t', '\n', '\r'];

pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// systemd's `string_is_safe()`: no control characters, quotes or backslashes.
pub(super) fn string_is_safe(name: &str) -> bool {
    !name
        .chars()
        .any(|c| c < ' ' || matches!(c, '"' | '\'' | '\\' | '\x7f'))
}

/// One whitespace-separated word with quotes removed and escapes decoded, as raw bytes
/// (`\xHH` may produce bytes that are not UTF-8 on their own).
pub(super) struct Word {
    pub(super) bytes: Vec<u8>,
    /// Byte range of the word in the input, quotes included.
    pub(super) start: usize,
    pub(super) end: usize,
}

#[derive(Debug, PartialEq)]
pub(super) enum WordError {
    /// An unknown escape like `\q`, or a trailing backslash.
    BadEscape,
    UnbalancedQuote,
}

impl std::fmt::Display for WordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WordError::BadEscape => "invalid escape sequence",
            WordError::UnbalancedQuote => "unbalanced quoting",
        })
    }
}

/// Reads the next word at `*pos`. Quotes may open anywhere in a word (`a"b c"d` is `ab cd`).
/// `relax` is EXTRACT_CUNESCAPE_RELAX: unknown escapes and a trailing backslash are kept
/// verbatim instead of being errors (ExecStart= retries this way; Environment= does not).
pub(super) fn extract_word(
    s: &[u8],
    pos: &mut usize,
    relax: bool,
) -> Result<Option<Word>, WordError> {
    while *pos < s.len() && is_ws(s[*pos]) {
        *pos += 1;
    }
    if *pos >= s.len() {
        return Ok(None);
    }
    let start = *pos;
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < s.len() {
        let c = s[i];
        if c == b'\\' {
            i = unescape_at(s, i, quote.is_some(), relax, &mut out)?;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => out.push(c),
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if is_ws(c) => break,
            None => out.push(c),
        }
        i += 1;
    }
    if quote.is_some() {
        return Err(WordError::UnbalancedQuote);
    }
    *pos = i;
    Ok(Some(Word {
        bytes: out,
        start,
        end: i,
    }))
}

/// Decodes the escape whose backslash is at `s[i]`; returns the index after it.
fn unescape_at(
    s: &[u8],
    i: usize,
    quoted: bool,
    relax: bool,
    out: &mut Vec<u8>,
) -> Result<usize, WordError> {
    let Some(&next) = s.get(i + 1) else {
        // A trailing backslash: kept only when relaxed and outside quotes.
        return match (relax, quoted) {
            (true, false) => {
                out.push(b'\\');
                Ok(i + 1)
            }
            (_, true) => Err(WordError::UnbalancedQuote),
            _ => Err(WordError::BadEscape),
        };
    };
    match cunescape_one(&s[i + 1..]) {
        Some((Unescaped::Byte(b), len)) => {
            out.push(b);
            Ok(i + 1 + len)
        }
        Some((Unescaped::Char(c), len)) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            Ok(i + 1 + len)
        }
        None if relax => {
            out.extend_from_slice(&[b'\\', next]);
            Ok(i + 2)
        }
        None => Err(WordError::BadEscape),
    }
}

enum Unescaped {
    /// `\xHH` and octal escapes give a raw byte, not a code point.
    Byte(u8),
    Char(char),
}

/// systemd's `cunescape_one()`: the escape after a backslash and how many bytes it used.
/// NUL results are refused, as systemd does.
fn cunescape_one(p: &[u8]) -> Option<(Unescaped, usize)> {
    let simple = |c: char| Some((Unescaped::Char(c), 1));
    match *p.first()? {
        b'a' => simple('\x07'),
        b'b' => simple('\x08'),
        b'f' => simple('\x0c'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b't' => simple('\t'),
        b'v' => simple('\x0b'),
        b'\\' => simple('\\'),
        b'"' => simple('"'),
        b'\'' => simple('\''),
        b's' => simple(' '),
        b'x' => {
            let v = radix_digits(p.get(1..3)?, 16)?;
            (v != 0).then_some((Unescaped::Byte(v as u8), 3))
        }
        b'u' => unicode_escape(p.get(1..5)?).map(|c| (Unescaped::Char(c), 5)),
        b'U' => unicode_escape(p.get(1..9)?).map(|c| (Unescaped::Char(c), 9)),
        b'0'..=b'7' => {
            let v = radix_digits(p.get(0..3)?, 8)?;
            (v != 0 && v <= 255).then_some((Unescaped::Byte(v as u8), 3))
        }
        _ => None,
    }
}

pub(super) fn radix_digits(digits: &[u8], radix: u32) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = (d as char).to_digit(radix)?;
        Some(acc * radix + v)
    })
}

fn unicode_escape(hex: &[u8]) -> Option<char> {
    let v = radix_digits(hex, 16)?;
    char::from_u32(v).filter(|&c| c != '\0')
}
