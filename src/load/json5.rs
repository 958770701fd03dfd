//! A JSON5 parser that keeps a byte span for every key and value and records comments.
//!
//! It accepts exactly what the `json5` npm package 2.2.3 (JSON5 spec 1.0.0) accepts, which is
//! what OpenClaw reads its configs with, and reports the first error where json5 reports it, with
//! json5's wording ("invalid character 'x'", "invalid end of input", "invalid identifier
//! character"). Two deliberate differences:
//!
//! - arrays and objects nested deeper than [`MAX_DEPTH`] are an error (json5 has no limit), so
//!   hostile input cannot exhaust the stack of this recursive-descent parser;
//! - a `\uXXXX` escape that leaves an unpaired UTF-16 surrogate (json5 keeps it in its JS string)
//!   becomes U+FFFD, since a Rust `String` cannot hold one. Paired escapes become the real char.
//!
//! The parser walks `&str` char by char and only ever slices at positions it reached that way
//! (or at ASCII bytes found by `find`), so no input can make it slice inside a character.

use std::fmt;

pub use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Hex, `Infinity` and `NaN` are converted; `-0` keeps its sign.
    Number(f64),
    String(String),
    Array(Vec<Node>),
    /// Every member in source order, duplicates included; lookups take the last one, as json5 does.
    Object(Vec<Member>),
}

/// A value and the span of its whole text (for strings, including the quotes).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// An object member; `key_span` covers the key as written, including any quotes.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    Line,
    Block,
}

/// A comment; `text` is its inside without `//` or `/* */`, `span` covers all of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub kind: CommentKind,
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    /// Every comment in the text, in source order.
    pub comments: Vec<Comment>,
}

/// Why the text is not JSON5. `span` covers the offending character, or is empty at the end of
/// the text when the input ended too early.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;

/// Parses a whole JSON5 text: one value, with only whitespace and comments around it.
pub fn parse(src: &str) -> Result<Document, ParseError> {
    let mut parser = Parser {
        src,
        pos: 0,
        depth: 0,
        comments: Vec::new(),
    };
    let root = parser.parse_document()?;
    Ok(Document {
        root,
        comments: parser.comments,
    })
}

impl Node {
    /// The value of the last member named `key`, if this is an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|member| &member.value)
    }

    /// The last member named `key`, if this is an object: later duplicates win, as in json5.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.members().iter().rev().find(|member| member.key == key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The members in source order, or nothing if this is not an object.
    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    /// The elements, or nothing if this is not an array.
    pub fn elements(&self) -> &[Node] {
        match &self.value {
            Value::Array(elements) => elements,
            _ => &[],
        }
    }
}

type PResult<T> = Result<T, ParseError>;

struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next unread character; always on a char boundary.
    pos: usize,
    /// How many arrays and objects enclose the cursor.
    depth: usize,
    comments: Vec<Comment>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.src[self.pos..].chars().nth(1)
    }

    /// Consumes `c` if it is next.
    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    /// The error json5 raises when the next character (or the end of input) is not allowed.
    fn unexpected(&self) -> ParseError {
        match self.peek() {
            Some(c) => ParseError {
                message: format!("invalid character '{}'", format_char(c)),
                span: Span::new(self.pos, self.pos + c.len_utf8()),
            },
            None => ParseError {
                message: "invalid end of input".to_string(),
                span: Span::new(self.src.len(), self.src.len()),
            },
        }
    }

    fn parse_document(&mut self) -> PResult<Node> {
        self.skip_trivia()?;
        let root = self.parse_value()?;
        self.skip_trivia()?;
        if self.pos < self.src.len() {
            return Err(self.unexpected());
        }
        Ok(root)
    }

    /// Skips whitespace and comments, recording the comments.
    fn skip_trivia(&mut self) -> PResult<()> {
        while let Some(c) = self.peek() {
            if is_whitespace(c) {
                self.pos += c.len_utf8();
            } else if c == '/' {
                self.comment()?;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn comment(&mut self) -> PResult<()> {
        let start = self.pos;
        self.pos += 1;
        match self.peek() {
            Some('/') => {
                self.line_comment(start);
                Ok(())
            }
            Some('*') => self.block_comment(start),
            _ => Err(self.unexpected()),
        }
    }

    /// A `//` comment runs up to (not including) the next line terminator or the end of input.
    fn line_comment(&mut self, start: usize) {
        let body = start + 2;
        let len = self.src[body..]
            .find(is_line_terminator)
            .unwrap_or(self.src.len() - body);
        self.pos = body + len;
        self.record_comment(CommentKind::Line, start, body, self.pos);
    }

    /// A `/* */` comment ends at the first `*/`; the end of input before that is an error.
    fn block_comment(&mut self, start: usize) -> PResult<()> {
        let body = start + 2;
        let Some(len) = self.src[body..].find("*/") else {
            self.pos = self.src.len();
            return Err(self.unexpected());
        };
        self.pos = body + len + 2;
        self.record_comment(CommentKind::Block, start, body, body + len);
        Ok(())
    }

    fn record_comment(&mut self, kind: CommentKind, start: usize, body: usize, body_end: usize) {
        self.comments.push(Comment {
            kind,
            text: self.src[body..body_end].to_string(),
            span: Span::new(start, self.pos),
        });
    }

    /// Parses the value at the cursor; the caller has skipped leading trivia.
    fn parse_value(&mut self) -> PResult<Node> {
        let start = self.pos;
        let value = match self.peek() {
            Some('{') => self.parse_object()?,
            Some('[') => self.parse_array()?,
            Some('"' | '\'') => Value::String(self.parse_string()?),
            Some('n') => self.keyword("null").map(|()| Value::Null)?,
            Some('t') => self.keyword("true").map(|()| Value::Bool(true))?,
            Some('f') => self.keyword("false").map(|()| Value::Bool(false))?,
            Some('+' | '-' | '.' | '0'..='9' | 'I' | 'N') => Value::Number(self.parse_number()?),
            _ => return Err(self.unexpected()),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    /// Consumes `word` exactly; json5 reports the first character that differs.
    fn keyword(&mut self, word: &str) -> PResult<()> {
        for expected in word.chars() {
            if !self.eat(expected) {
                return Err(self.unexpected());
            }
        }
        Ok(())
    }

    /// Steps over an opening bracket, refusing to nest deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                span: Span::new(self.pos, self.pos + 1),
            });
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    fn parse_array(&mut self) -> PResult<Value> {
        self.enter()?;
        let mut elements = Vec::new();
        loop {
            self.skip_trivia()?;
            // Checked before every element, so `[]` and a trailing comma are fine.
            if self.eat(']') {
                break;
            }
            elements.push(self.parse_value()?);
            if self.after_item(']')? {
                break;
            }
        }
        self.depth -= 1;
        Ok(Value::Array(elements))
    }

    fn parse_object(&mut self) -> PResult<Value> {
        self.enter()?;
        let mut members = Vec::new();
        loop {
            self.skip_trivia()?;
            if self.eat('}') {
                break;
            }
            members.push(self.parse_member()?);
            if self.after_item('}')? {
                break;
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    /// After an element or member: a comma (returns false) or the closing bracket (true).
    fn after_item(&mut self, close: char) -> PResult<bool> {
        self.skip_trivia()?;
        if self.eat(',') {
            Ok(false)
        } else if self.eat(close) {
            Ok(true)
        } else {
            Err(self.unexpected())
        }
    }

    fn parse_member(&mut self) -> PResult<Member> {
        let key_start = self.pos;
        let key = self.parse_key()?;
        let key_span = Span::new(key_start, self.pos);
        self.skip_trivia()?;
        if !self.eat(':') {
            return Err(self.unexpected());
        }
        self.skip_trivia()?;
        let value = self.parse_value()?;
        Ok(Member {
            key,
            key_span,
            value,
        })
    }

    fn parse_key(&mut self) -> PResult<String> {
        match self.peek() {
            Some('"' | '\'') => self.parse_string(),
            Some(c) if c == '\\' || is_id_start(c) => self.parse_identifier(),
            _ => Err(self.unexpected()),
        }
    }

    /// An unquoted key: an ES5 IdentifierName, whose characters may be `\uXXXX` escapes that
    /// must themselves decode to a character allowed at that place.
    fn parse_identifier(&mut self) -> PResult<String> {
        let mut name = String::new();
        let mut allowed: fn(char) -> bool = is_id_start;
        loop {
            let c = match self.peek() {
                Some('\\') => self.identifier_escape(allowed)?,
                Some(c) if allowed(c) => {
                    self.pos += c.len_utf8();
                    c
                }
                _ => return Ok(name),
            };
            name.push(c);
            allowed = is_id_continue;
        }
    }

    fn identifier_escape(&mut self, allowed: fn(char) -> bool) -> PResult<char> {
        let start = self.pos;
        self.pos += 1;
        if !self.eat('u') {
            return Err(self.unexpected());
        }
        let unit = self.hex_digits(4)?;
        // A surrogate has no `char`, and json5's tables never allow one either.
        char::from_u32(unit)
            .filter(|&c| allowed(c))
            .ok_or_else(|| ParseError {
                message: "invalid identifier character".to_string(),
                span: Span::new(start, self.pos),
            })
    }

    /// Reads exactly `count` hex digits; json5 reports the first character that is not one.
    fn hex_digits(&mut self, count: usize) -> PResult<u32> {
        let mut value = 0;
        for _ in 0..count {
            let digit = self.peek().and_then(|c| c.to_digit(16));
            let Some(digit) = digit else {
                return Err(self.unexpected());
            };
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }

    /// A single- or double-quoted string; the cursor is on the opening quote.
    fn parse_string(&mut self) -> PResult<String> {
        let quote = self.src.as_bytes()[self.pos] as char;
        self.pos += 1;
        let mut text = Utf16Builder::default();
        loop {
            match self.peek() {
                // Raw CR and LF end a line, which a string may not span; U+2028/9 may appear raw.
                None | Some('\n' | '\r') => return Err(self.unexpected()),
                Some('\\') => self.string_escape(&mut text)?,
                Some(c) => {
                    self.pos += c.len_utf8();
                    if c == quote {
                        return Ok(text.finish());
                    }
                    text.push(c);
                }
            }
        }
    }

    /// One escape sequence inside a string; the cursor is on the backslash.
    fn string_escape(&mut self, text: &mut Utf16Builder) -> PResult<()> {
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(self.unexpected());
        };
        // Octal-looking escapes are refused, like ES5 strict mode does.
        if matches!(c, '1'..='9') {
            return Err(self.unexpected());
        }
        self.pos += c.len_utf8();
        match c {
            'b' => text.push('\u{8}'),
            'f' => text.push('\u{C}'),
            'n' => text.push('\n'),
            'r' => text.push('\r'),
            't' => text.push('\t'),
            'v' => text.push('\u{B}'),
            '0' => {
                if self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    return Err(self.unexpected());
                }
                text.push('\0');
            }
            'x' => {
                let byte = self.hex_digits(2)?;
                text.push(char::from(byte as u8));
            }
            'u' => {
                let unit = self.hex_digits(4)?;
                text.push_unit(unit as u16);
            }
            // Line continuations: the backslash and the line terminator vanish.
            '\r' => {
                self.eat('\n');
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            // Any other character stands for itself: `\a` is `a`, `\'` is `'`.
            other => text.push(other),
        }
        Ok(())
    }

    /// A number, optionally signed; the cursor is on its first character.
    fn parse_number(&mut self) -> PResult<f64> {
        let negative = self.peek() == Some('-');
        if matches!(self.peek(), Some('+' | '-')) {
            self.pos += 1;
        }
        let magnitude = match self.peek() {
            Some('I') => self.keyword("Infinity").map(|()| f64::INFINITY)?,
            // json5 drops the sign of NaN.
            Some('N') => return self.keyword("NaN").map(|()| f64::NAN),
            Some('0') if matches!(self.peek_second(), Some('x' | 'X')) => self.hex_number()?,
            Some('.' | '0'..='9') => self.decimal_number()?,
            _ => return Err(self.unexpected()),
        };
        Ok(if negative { -magnitude } else { magnitude })
    }

    fn hex_number(&mut self) -> PResult<f64> {
        self.pos += 2;
        let start = self.pos;
        self.skip_while(|c| c.is_ascii_hexdigit());
        if self.pos == start {
            return Err(self.unexpected());
        }
        Ok(hex_to_f64(&self.src[start..self.pos]))
    }

    /// Integer part, optional fraction, optional exponent. A leading `0` is a whole integer
    /// part: in `010` the number is `0` and the `1` is then an unexpected character.
    fn decimal_number(&mut self) -> PResult<f64> {
        let start = self.pos;
        let int_digits = if self.eat('0') {
            1
        } else {
            self.skip_while(|c| c.is_ascii_digit())
        };
        if self.eat('.') {
            let fraction_digits = self.skip_while(|c| c.is_ascii_digit());
            if int_digits == 0 && fraction_digits == 0 {
                return Err(self.unexpected());
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if self.skip_while(|c| c.is_ascii_digit()) == 0 {
                return Err(self.unexpected());
            }
        }
        // Rust's float syntax covers all of these forms (`5.`, `.5`, `5.e3`), rounding correctly
        // like JavaScript's `Number()`; the fallback is unreachable.
        Ok(self.src[start..self.pos].parse().unwrap_or(f64::NAN))
    }

    /// Skips ASCII characters matching `pred`, returning how many.
    fn skip_while(&mut self, pred: impl Fn(u8) -> bool) -> usize {
        let rest = &self.src.as_bytes()[self.pos..];
        let count = rest.iter().take_while(|&&b| pred(b)).count();
        self.pos += count;
        count
    }
}

/// Builds a string the way JavaScript does from UTF-16 code units, so that `\uD83D\uDE00`
/// escapes pair up into one character; unpaired surrogates become U+FFFD.
#[derive(Default)]
struct Utf16Builder {
    text: String,
    /// A high surrogate from a `\u` escape, waiting for a low one.
    pending_high: Option<u16>,
}

impl Utf16Builder {
    fn push(&mut self, c: char) {
        self.flush_pending();
        self.text.push(c);
    }

    fn push_unit(&mut self, unit: u16) {
        match unit {
            0xD800..=0xDBFF => {
                self.flush_pending();
                self.pending_high = Some(unit);
            }
            0xDC00..=0xDFFF => {
                let paired = self
                    .pending_high
                    .take()
                    .and_then(|high| char::decode_utf16([high, unit]).next()?.ok());
                self.text
                    .push(paired.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            _ => self.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    fn flush_pending(&mut self) {
        if self.pending_high.take().is_some() {
            self.text.push(char::REPLACEMENT_CHARACTER);
        }
    }

    fn finish(mut self) -> String {
        self.flush_pending();
        self.text
    }
}

/// JSON5 whitespace: json5's explicit list plus the Unicode Space_Separator (Zs) characters.
fn is_whitespace(c: char) -> bool {
    const LISTED: &[char] = &[
        '\t', '\n', '\u{B}', '\u{C}', '\r', ' ', '\u{A0}', '\u{2028}', '\u{2029}', '\u{FEFF}',
    ];
    // The rest of Zs (json5 2.2.3 has Unicode 10's, which later versions have not changed).
    const SPACE_SEPARATORS: &[char] = &['\u{1680}', '\u{202F}', '\u{205F}', '\u{3000}'];
    LISTED.contains(&c) || SPACE_SEPARATORS.contains(&c) || ('\u{2000}'..='\u{200A}').contains(&c)
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Converts hex digits to the nearest f64, ties to even, as JavaScript's `Number("0x…")` does.
fn hex_to_f64(digits: &str) -> f64 {
    let digits = digits.trim_start_matches('0');
    // Sixteen digits fill a u64 with at least 61 significant bits, more than f64's 53, so any
    // later digits only decide rounding: one "sticky" low bit stands for all of them.
    let (head, tail) = digits.split_at(digits.len().min(16));
    let mut mantissa = u64::from_str_radix(head, 16).unwrap_or(0);
    if tail.bytes().any(|b| b != b'0') {
        mantissa |= 1;
    }
    // `as` rounds to nearest, ties to even; scaling by 16 is exact until it overflows.
    let mut value = mantissa as f64;
    for _ in 0..tail.len() {
        value *= 16.0;
        if value.is_infinite() {
            break;
        }
    }
    value
}

/// How json5 shows a character in an error message.
fn format_char(c: char) -> String {
    let escaped = match c {
        '\'' => "\\'",
        '"' => "\\\"",
        '\\' => "\\\\",
        '\u{8}' => "\\b",
        '\u{C}' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\u{B}' => "\\v",
        '\0' => "\\0",
        '\u{2028}' => "\\u2028",
        '\u{2029}' => "\\u2029",
        c if c < ' ' => return format!("\\x{:02x}", c as u32),
        c => return c.to_string(),
    };
    escaped.to_string()
}

fn is_id_start(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic() || c == '$' || c == '_'
    } else {
        in_table(ID_START, c)
    }
}

fn is_id_continue(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '$' || c == '_'
    } else {
        in_table(ID_CONTINUE, c)
    }
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(start, end)| {
            if end < c {
                std::cmp::Ordering::Less
            } else if start > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

// The tables below were generated from json5 2.2.3's own predicates by testing every code point,
// so unquoted keys accept exactly what json5 accepts (Unicode 10), whatever Unicode std knows.

/// Non-ASCII code points json5 2.2.3 accepts as the first character of an unquoted key
/// (`util.isIdStartChar`: Unicode 10 ID_Start), as inclusive ranges sorted by start.
#[rustfmt::skip]
const ID_START: &[(u32, u32)] = &[
    (0xAA, 0xAA), (0xB5, 0xB5), (0xBA, 0xBA), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2C1),
    (0x2C6, 0x2D1), (0x2E0, 0x2E4), (0x2EC, 0x2EC), (0x2EE, 0x2EE), (0x370, 0x374), (0x376, 0x377),
    (0x37A, 0x37D), (0x37F, 0x37F), (0x386, 0x386), (0x388, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1),
    (0x3A3, 0x3F5), (0x3F7, 0x481), (0x48A, 0x52F), (0x531, 0x556), (0x559, 0x559), (0x561, 0x587),
    (0x5D0, 0x5EA), (0x5F0, 0x5F2), (0x620, 0x64A), (0x66E, 0x66F), (0x671, 0x6D3), (0x6D5, 0x6D5),
    (0x6E5, 0x6E6), (0x6EE, 0x6EF), (0x6FA, 0x6FC), (0x6FF, 0x6FF), (0x710, 0x710), (0x712, 0x72F),
    (0x74D, 0x7A5), (0x7B1, 0x7B1), (0x7CA, 0x7EA), (0x7F4, 0x7F5), (0x7FA, 0x7FA), (0x800, 0x815),
    (0x81A, 0x81A), (0x824, 0x824), (0x828, 0x828), (0x840, 0x858), (0x860, 0x86A), (0x8A0, 0x8B4),
    (0x8B6, 0x8BD), (0x904, 0x939), (0x93D, 0x93D), (0x950, 0x950), (0x958, 0x961), (0x971, 0x980),
    (0x985, 0x98C), (0x98F, 0x990), (0x993, 0x9A8), (0x9AA, 0x9B0), (0x9B2, 0x9B2), (0x9B6, 0x9B9),
    (0x9BD, 0x9BD), (0x9CE, 0x9CE), (0x9DC, 0x9DD), (0x9DF, 0x9E1), (0x9F0, 0x9F1), (0x9FC, 0x9FC),
    (0xA05, 0xA0A), (0xA0F, 0xA10), (0xA13, 0xA28), (0xA2A, 0xA30), (0xA32, 0xA33), (0xA35, 0xA36),
    (0xA38, 0xA39), (0xA59, 0xA5C), (0xA5E, 0xA5E), (0xA72, 0xA74), (0xA85, 0xA8D), (0xA8F, 0xA91),
    (0xA93, 0xAA8), (0xAAA, 0xAB0), (0xAB2, 0xAB3), (0xAB5, 0xAB9), (0xABD, 0xABD), (0xAD0, 0xAD0),
    (0xAE0, 0xAE1), (0xAF9, 0xAF9), (0xB05, 0xB0C), (0xB0F, 0xB10), (0xB13, 0xB28), (0xB2A, 0xB30),
    (0xB32, 0xB33), (0xB35, 0xB39), (0xB3D, 0xB3D), (0xB5C, 0xB5D), (0xB5F, 0xB61), (0xB71, 0xB71),
    (0xB83, 0xB83), (0xB85, 0xB8A), (0xB8E, 0xB90), (0xB92, 0xB95), (0xB99, 0xB9A), (0xB9C, 0xB9C),
    (0xB9E, 0xB9F), (0xBA3, 0xBA4), (0xBA8, 0xBAA), (0xBAE, 0xBB9), (0xBD0, 0xBD0), (0xC05, 0xC0C),
    (0xC0E, 0xC10), (0xC12, 0xC28), (0xC2A, 0xC39), (0xC3D, 0xC3D), (0xC58, 0xC5A), (0xC60, 0xC61),
    (0xC80, 0xC80), (0xC85, 0xC8C), (0xC8E, 0xC90), (0xC92, 0xCA8), (0xCAA, 0xCB3), (0xCB5, 0xCB9),
    (0xCBD, 0xCBD), (0xCDE, 0xCDE), (0xCE0, 0xCE1), (0xCF1, 0xCF2), (0xD05, 0xD0C), (0xD0E, 0xD10),
    (0xD12, 0xD3A), (0xD3D, 0xD3D), (0xD4E, 0xD4E), (0xD54, 0xD56), (0xD5F, 0xD61), (0xD7A, 0xD7F),
    (0xD85, 0xD96), (0xD9A, 0xDB1), (0xDB3, 0xDBB), (0xDBD, 0xDBD), (0xDC0, 0xDC6), (0xE01, 0xE30),
    (0xE32, 0xE33), (0xE40, 0xE46), (0xE81, 0xE82), (0xE84, 0xE84), (0xE87, 0xE88), (0xE8A, 0xE8A),
    (0xE8D, 0xE8D), (0xE94, 0xE97), (0xE99, 0xE9F), (0xEA1, 0xEA3), (0xEA5, 0xEA5), (0xEA7, 0xEA7),
    (0xEAA, 0xEAB), (0xEAD, 0xEB0), (0xEB2, 0xEB3), (0xEBD, 0xEBD), (0xEC0, 0xEC4), (0xEC6, 0xEC6),
    (0xEDC, 0xEDF), (0xF00, 0xF00), (0xF40, 0xF47), (0xF49, 0xF6C), (0xF88, 0xF8C), (0x1000, 0x102A),
    (0x103F, 0x103F), (0x1050, 0x1055), (0x105A, 0x105D), (0x1061, 0x1061), (0x1065, 0x1066), (0x106E, 0x1070),
    (0x1075, 0x1081), (0x108E, 0x108E), (0x10A0, 0x10C5), (0x10C7, 0x10C7), (0x10CD, 0x10CD), (0x10D0, 0x10FA),
    (0x10FC, 0x1248), (0x124A, 0x124D), (0x1250, 0x1256), (0x1258, 0x1258), (0x125A, 0x125D), (0x1260, 0x1288),
    (0x128A, 0x128D), (0x1290, 0x12B0), (0x12B2, 0x12B5), (0x12B8, 0x12BE), (0x12C0, 0x12C0), (0x12C2, 0x12C5),
    (0x12C8, 0x12D6), (0x12D8, 0x1310), (0x1312, 0x1315), (0x1318, 0x135A), (0x1380, 0x138F), (0x13A0, 0x13F5),
    (0x13F8, 0x13FD), (0x1401, 0x166C), (0x166F, 0x167F), (0x1681, 0x169A), (0x16A0, 0x16EA), (0x16EE, 0x16F8),
    (0x1700, 0x170C), (0x170E, 0x1711), (0x1720, 0x1731), (0x1740, 0x1751), (0x1760, 0x176C), (0x176E, 0x1770),
    (0x1780, 0x17B3), (0x17D7, 0x17D7), (0x17DC, 0x17DC), (0x1820, 0x1877), (0x1880, 0x1884), (0x1887, 0x18A8),
    (0x18AA, 0x18AA), (0x18B0, 0x18F5), (0x1900, 0x191E), (0x1950, 0x196D), (0x1970, 0x1974), (0x1980, 0x19AB),
    (0x19B0, 0x19C9), (0x1A00, 0x1A16), (0x1A20, 0x1A54), (0x1AA7, 0x1AA7), (0x1B05, 0x1B33), (0x1B45, 0x1B4B),
    (0x1B83, 0x1BA0), (0x1BAE, 0x1BAF), (0x1BBA, 0x1BE5), (0x1C00, 0x1C23), (0x1C4D, 0x1C4F), (0x1C5A, 0x1C7D),
    (0x1C80, 0x1C88), (0x1CE9, 0x1CEC), (0x1CEE, 0x1CF1), (0x1CF5, 0x1CF6), (0x1D00, 0x1DBF), (0x1E00, 0x1F15),
    (0x1F18, 0x1F1D), (0x1F20, 0x1F45), (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B),
    (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4),
    (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3), (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC),
    (0x2071, 0x2071), (0x207F, 0x207F), (0x2090, 0x209C), (0x2102, 0x2102), (0x2107, 0x2107), (0x210A, 0x2113),
    (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126), (0x2128, 0x2128), (0x212A, 0x212D),
    (0x212F, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149), (0x214E, 0x214E), (0x2160, 0x2188), (0x2C00, 0x2C2E),
    (0x2C30, 0x2C5E), (0x2C60, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3), (0x2D00, 0x2D25), (0x2D27, 0x2D27),
    (0x2D2D, 0x2D2D), (0x2D30, 0x2D67), (0x2D6F, 0x2D6F), (0x2D80, 0x2D96), (0x2DA0, 0x2DA6), (0x2DA8, 0x2DAE),
    (0x2DB0, 0x2DB6), (0x2DB8, 0x2DBE), (0x2DC0, 0x2DC6), (0x2DC8, 0x2DCE), (0x2DD0, 0x2DD6), (0x2DD8, 0x2DDE),
    (0x2E2F, 0x2E2F), (0x3005, 0x3007), (0x3021, 0x3029), (0x3031, 0x3035), (0x3038, 0x303C), (0x3041, 0x3096),
    (0x309D, 0x309F), (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3105, 0x312E), (0x3131, 0x318E), (0x31A0, 0x31BA),
    (0x31F0, 0x31FF), (0x3400, 0x4DB5), (0x4E00, 0x9FEA), (0xA000, 0xA48C), (0xA4D0, 0xA4FD), (0xA500, 0xA60C),
    (0xA610, 0xA61F), (0xA62A, 0xA62B), (0xA640, 0xA66E), (0xA67F, 0xA69D), (0xA6A0, 0xA6EF), (0xA717, 0xA71F),
    (0xA722, 0xA788), (0xA78B, 0xA7AE), (0xA7B0, 0xA7B7), (0xA7F7, 0xA801), (0xA803, 0xA805), (0xA807, 0xA80A),
    (0xA80C, 0xA822), (0xA840, 0xA873), (0xA882, 0xA8B3), (0xA8F2, 0xA8F7), (0xA8FB, 0xA8FB), (0xA8FD, 0xA8FD),
    (0xA90A, 0xA925), (0xA930, 0xA946), (0xA960, 0xA97C), (0xA984, 0xA9B2), (0xA9CF, 0xA9CF), (0xA9E0, 0xA9E4),
    (0xA9E6, 0xA9EF), (0xA9FA, 0xA9FE), (0xAA00, 0xAA28), (0xAA40, 0xAA42), (0xAA44, 0xAA4B), (0xAA60, 0xAA76),
    (0xAA7A, 0xAA7A), (0xAA7E, 0xAAAF), (0xAAB1, 0xAAB1), (0xAAB5, 0xAAB6), (0xAAB9, 0xAABD), (0xAAC0, 0xAAC0),
    (0xAAC2, 0xAAC2), (0xAADB, 0xAADD), (0xAAE0, 0xAAEA), (0xAAF2, 0xAAF4), (0xAB01, 0xAB06), (0xAB09, 0xAB0E),
    (0xAB11, 0xAB16), (0xAB20, 0xAB26), (0xAB28, 0xAB2E), (0xAB30, 0xAB5A), (0xAB5C, 0xAB65), (0xAB70, 0xABE2),
    (0xAC00, 0xD7A3), (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFB00, 0xFB06),
    (0xFB13, 0xFB17), (0xFB1D, 0xFB1D), (0xFB1F, 0xFB28), (0xFB2A, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E),
    (0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFBB1), (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F), (0xFD92, 0xFDC7),
    (0xFDF0, 0xFDFB), (0xFE70, 0xFE74), (0xFE76, 0xFEFC), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0xFF66, 0xFFBE),
    (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC), (0x10000, 0x1000B), (0x1000D, 0x10026),
    (0x10028, 0x1003A), (0x1003C, 0x1003D), (0x1003F, 0x1004D), (0x10050, 0x1005D), (0x10080, 0x100FA), (0x10140, 0x10174),
    (0x10280, 0x1029C), (0x102A0, 0x102D0), (0x10300, 0x1031F), (0x1032D, 0x1034A), (0x10350, 0x10375), (0x10380, 0x1039D),
    (0x103A0, 0x103C3), (0x103C8, 0x103CF), (0x103D1, 0x103D5), (0x10400, 0x1049D), (0x104B0, 0x104D3), (0x104D8, 0x104FB),
    (0x10500, 0x10527), (0x10530, 0x10563), (0x10600, 0x10736), (0x10740, 0x10755), (0x10760, 0x10767), (0x10800, 0x10805),
    (0x10808, 0x10808), (0x1080A, 0x10835), (0x10837, 0x10838), (0x1083C, 0x1083C), (0x1083F, 0x10855), (0x10860, 0x10876),
    (0x10880, 0x1089E), (0x108E0, 0x108F2), (0x108F4, 0x108F5), (0x10900, 0x10915), (0x10920, 0x10939), (0x10980, 0x109B7),
    (0x109BE, 0x109BF), (0x10A00, 0x10A00), (0x10A10, 0x10A13), (0x10A15, 0x10A17), (0x10A19, 0x10A33), (0x10A60, 0x10A7C),
    (0x10A80, 0x10A9C), (0x10AC0, 0x10AC7), (0x10AC9, 0x10AE4), (0x10B00, 0x10B35), (0x10B40, 0x10B55), (0x10B60, 0x10B72),
    (0x10B80, 0x10B91), (0x10C00, 0x10C48), (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2), (0x11003, 0x11037), (0x11083, 0x110AF),
    (0x110D0, 0x110E8), (0x11103, 0x11126), (0x11150, 0x11172), (0x11176, 0x11176), (0x11183, 0x111B2), (0x111C1, 0x111C4),
    (0x111DA, 0x111DA), (0x111DC, 0x111DC), (0x11200, 0x11211), (0x11213, 0x1122B), (0x11280, 0x11286), (0x11288, 0x11288),
    (0x1128A, 0x1128D), (0x1128F, 0x1129D), (0x1129F, 0x112A8), (0x112B0, 0x112DE), (0x11305, 0x1130C), (0x1130F, 0x11310),
    (0x11313, 0x11328), (0x1132A, 0x11330), (0x11332, 0x11333), (0x11335, 0x11339), (0x1133D, 0x1133D), (0x11350, 0x11350),
    (0x1135D, 0x11361), (0x11400, 0x11434), (0x11447, 0x1144A), (0x11480, 0x114AF), (0x114C4, 0x114C5), (0x114C7, 0x114C7),
    (0x11580, 0x115AE), (0x115D8, 0x115DB), (0x11600, 0x1162F), (0x11644, 0x11644), (0x11680, 0x116AA), (0x11700, 0x11719),
    (0x118A0, 0x118DF), (0x118FF, 0x118FF), (0x11A00, 0x11A00), (0x11A0B, 0x11A32), (0x11A3A, 0x11A3A), (0x11A50, 0x11A50),
    (0x11A5C, 0x11A83), (0x11A86, 0x11A89), (0x11AC0, 0x11AF8), (0x11C00, 0x11C08), (0x11C0A, 0x11C2E), (0x11C40, 0x11C40),
    (0x11C72, 0x11C8F), (0x11D00, 0x11D06), (0x11D08, 0x11D09), (0x11D0B, 0x11D30), (0x11D46, 0x11D46), (0x12000, 0x12399),
    (0x12400, 0x1246E), (0x12480, 0x12543), (0x13000, 0x1342E), (0x14400, 0x14646), (0x16800, 0x16A38), (0x16A40, 0x16A5E),
    (0x16AD0, 0x16AED), (0x16B00, 0x16B2F), (0x16B40, 0x16B43), (0x16B63, 0x16B77), (0x16B7D, 0x16B8F), (0x16F00, 0x16F44),
    (0x16F50, 0x16F50), (0x16F93, 0x16F9F), (0x16FE0, 0x16FE1), (0x17000, 0x187EC), (0x18800, 0x18AF2), (0x1B000, 0x1B11E),
    (0x1B170, 0x1B2FB), (0x1BC00, 0x1BC6A), (0x1BC70, 0x1BC7C), (0x1BC80, 0x1BC88), (0x1BC90, 0x1BC99), (0x1D400, 0x1D454),
    (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2), (0x1D4A5, 0x1D4A6), (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9),
    (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D505), (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C),
    (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E), (0x1D540, 0x1D544), (0x1D546, 0x1D546), (0x1D54A, 0x1D550), (0x1D552, 0x1D6A5),
    (0x1D6A8, 0x1D6C0), (0x1D6C2, 0x1D6DA), (0x1D6DC, 0x1D6FA), (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E),
    (0x1D750, 0x1D76E), (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8), (0x1D7AA, 0x1D7C2), (0x1D7C4, 0x1D7CB), (0x1E800, 0x1E8C4),
    (0x1E900, 0x1E943), (0x1EE00, 0x1EE03), (0x1EE05, 0x1EE1F), (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24), (0x1EE27, 0x1EE27),
    (0x1EE29, 0x1EE32), (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39), (0x1EE3B, 0x1EE3B), (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47),
    (0x1EE49, 0x1EE49), (0x1EE4B, 0x1EE4B), (0x1EE4D, 0x1EE4F), (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54), (0x1EE57, 0x1EE57),
    (0x1EE59, 0x1EE59), (0x1EE5B, 0x1EE5B), (0x1EE5D, 0x1EE5D), (0x1EE5F, 0x1EE5F), (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64),
    (0x1EE67, 0x1EE6A), (0x1EE6C, 0x1EE72), (0x1EE74, 0x1EE77), (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E), (0x1EE80, 0x1EE89),
    (0x1EE8B, 0x1EE9B), (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9), (0x1EEAB, 0x1EEBB), (0x20000, 0x2A6D6), (0x2A700, 0x2B734),
    (0x2B740, 0x2B81D), (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0), (0x2F800, 0x2FA1D),
];

/// Non-ASCII code points json5 2.2.3 accepts after the first character of an unquoted key
/// (`util.isIdContinueChar`: Unicode 10 ID_Continue plus ZWNJ and ZWJ), as inclusive ranges.
#[rustfmt::skip]
const ID_CONTINUE: &[(u32, u32)] = &[
    (0xAA, 0xAA), (0xB5, 0xB5), (0xBA, 0xBA), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2C1),
    (0x2C6, 0x2D1), (0x2E0, 0x2E4), (0x2EC, 0x2EC), (0x2EE, 0x2EE), (0x300, 0x374), (0x376, 0x377),
    (0x37A, 0x37D), (0x37F, 0x37F), (0x386, 0x386), (0x388, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1),
    (0x3A3, 0x3F5), (0x3F7, 0x481), (0x483, 0x487), (0x48A, 0x52F), (0x531, 0x556), (0x559, 0x559),
    (0x561, 0x587), (0x591, 0x5BD), (0x5BF, 0x5BF), (0x5C1, 0x5C2), (0x5C4, 0x5C5), (0x5C7, 0x5C7),
    (0x5D0, 0x5EA), (0x5F0, 0x5F2), (0x610, 0x61A), (0x620, 0x669), (0x66E, 0x6D3), (0x6D5, 0x6DC),
    (0x6DF, 0x6E8), (0x6EA, 0x6FC), (0x6FF, 0x6FF), (0x710, 0x74A), (0x74D, 0x7B1), (0x7C0, 0x7F5),
    (0x7FA, 0x7FA), (0x800, 0x82D), (0x840, 0x85B), (0x860, 0x86A), (0x8A0, 0x8B4), (0x8B6, 0x8BD),
    (0x8D4, 0x8E1), (0x8E3, 0x963), (0x966, 0x96F), (0x971, 0x983), (0x985, 0x98C), (0x98F, 0x990),
    (0x993, 0x9A8), (0x9AA, 0x9B0), (0x9B2, 0x9B2), (0x9B6, 0x9B9), (0x9BC, 0x9C4), (0x9C7, 0x9C8),
    (0x9CB, 0x9CE), (0x9D7, 0x9D7), (0x9DC, 0x9DD), (0x9DF, 0x9E3), (0x9E6, 0x9F1), (0x9FC, 0x9FC),
    (0xA01, 0xA03), (0xA05, 0xA0A), (0xA0F, 0xA10), (0xA13, 0xA28), (0xA2A, 0xA30), (0xA32, 0xA33),
    (0xA35, 0xA36), (0xA38, 0xA39), (0xA3C, 0xA3C), (0xA3E, 0xA42), (0xA47, 0xA48), (0xA4B, 0xA4D),
    (0xA51, 0xA51), (0xA59, 0xA5C), (0xA5E, 0xA5E), (0xA66, 0xA75), (0xA81, 0xA83), (0xA85, 0xA8D),
    (0xA8F, 0xA91), (0xA93, 0xAA8), (0xAAA, 0xAB0), (0xAB2, 0xAB3), (0xAB5, 0xAB9), (0xABC, 0xAC5),
    (0xAC7, 0xAC9), (0xACB, 0xACD), (0xAD0, 0xAD0), (0xAE0, 0xAE3), (0xAE6, 0xAEF), (0xAF9, 0xAFF),
    (0xB01, 0xB03), (0xB05, 0xB0C), (0xB0F, 0xB10), (0xB13, 0xB28), (0xB2A, 0xB30), (0xB32, 0xB33),
    (0xB35, 0xB39), (0xB3C, 0xB44), (0xB47, 0xB48), (0xB4B, 0xB4D), (0xB56, 0xB57), (0xB5C, 0xB5D),
    (0xB5F, 0xB63), (0xB66, 0xB6F), (0xB71, 0xB71), (0xB82, 0xB83), (0xB85, 0xB8A), (0xB8E, 0xB90),
    (0xB92, 0xB95), (0xB99, 0xB9A), (0xB9C, 0xB9C), (0xB9E, 0xB9F), (0xBA3, 0xBA4), (0xBA8, 0xBAA),
    (0xBAE, 0xBB9), (0xBBE, 0xBC2), (0xBC6, 0xBC8), (0xBCA, 0xBCD), (0xBD0, 0xBD0), (0xBD7, 0xBD7),
    (0xBE6, 0xBEF), (0xC00, 0xC03), (0xC05, 0xC0C), (0xC0E, 0xC10), (0xC12, 0xC28), (0xC2A, 0xC39),
    (0xC3D, 0xC44), (0xC46, 0xC48), (0xC4A, 0xC4D), (0xC55, 0xC56), (0xC58, 0xC5A), (0xC60, 0xC63),
    (0xC66, 0xC6F), (0xC80, 0xC83), (0xC85, 0xC8C), (0xC8E, 0xC90), (0xC92, 0xCA8), (0xCAA, 0xCB3),
    (0xCB5, 0xCB9), (0xCBC, 0xCC4), (0xCC6, 0xCC8), (0xCCA, 0xCCD), (0xCD5, 0xCD6), (0xCDE, 0xCDE),
    (0xCE0, 0xCE3), (0xCE6, 0xCEF), (0xCF1, 0xCF2), (0xD00, 0xD03), (0xD05, 0xD0C), (0xD0E, 0xD10),
    (0xD12, 0xD44), (0xD46, 0xD48), (0xD4A, 0xD4E), (0xD54, 0xD57), (0xD5F, 0xD63), (0xD66, 0xD6F),
    (0xD7A, 0xD7F), (0xD82, 0xD83), (0xD85, 0xD96), (0xD9A, 0xDB1), (0xDB3, 0xDBB), (0xDBD, 0xDBD),
    (0xDC0, 0xDC6), (0xDCA, 0xDCA), (0xDCF, 0xDD4), (0xDD6, 0xDD6), (0xDD8, 0xDDF), (0xDE6, 0xDEF),
    (0xDF2, 0xDF3), (0xE01, 0xE3A), (0xE40, 0xE4E), (0xE50, 0xE59), (0xE81, 0xE82), (0xE84, 0xE84),
    (0xE87, 0xE88), (0xE8A, 0xE8A), (0xE8D, 0xE8D), (0xE94, 0xE97), (0xE99, 0xE9F), (0xEA1, 0xEA3),
    (0xEA5, 0xEA5), (0xEA7, 0xEA7), (0xEAA, 0xEAB), (0xEAD, 0xEB9), (0xEBB, 0xEBD), (0xEC0, 0xEC4),
    (0xEC6, 0xEC6), (0xEC8, 0xECD), (0xED0, 0xED9), (0xEDC, 0xEDF), (0xF00, 0xF00), (0xF18, 0xF19),
    (0xF20, 0xF29), (0xF35, 0xF35), (0xF37, 0xF37), (0xF39, 0xF39), (0xF3E, 0xF47), (0xF49, 0xF6C),
    (0xF71, 0xF84), (0xF86, 0xF97), (0xF99, 0xFBC), (0xFC6, 0xFC6), (0x1000, 0x1049), (0x1050, 0x109D),
    (0x10A0, 0x10C5), (0x10C7, 0x10C7), (0x10CD, 0x10CD), (0x10D0, 0x10FA), (0x10FC, 0x1248), (0x124A, 0x124D),
    (0x1250, 0x1256), (0x1258, 0x1258), (0x125A, 0x125D), (0x1260, 0x1288), (0x128A, 0x128D), (0x1290, 0x12B0),
    (0x12B2, 0x12B5), (0x12B8, 0x12BE), (0x12C0, 0x12C0), (0x12C2, 0x12C5), (0x12C8, 0x12D6), (0x12D8, 0x1310),
    (0x1312, 0x1315), (0x1318, 0x135A), (0x135D, 0x135F), (0x1380, 0x138F), (0x13A0, 0x13F5), (0x13F8, 0x13FD),
    (0x1401, 0x166C), (0x166F, 0x167F), (0x1681, 0x169A), (0x16A0, 0x16EA), (0x16EE, 0x16F8), (0x1700, 0x170C),
    (0x170E, 0x1714), (0x1720, 0x1734), (0x1740, 0x1753), (0x1760, 0x176C), (0x176E, 0x1770), (0x1772, 0x1773),
    (0x1780, 0x17D3), (0x17D7, 0x17D7), (0x17DC, 0x17DD), (0x17E0, 0x17E9), (0x180B, 0x180D), (0x1810, 0x1819),
    (0x1820, 0x1877), (0x1880, 0x18AA), (0x18B0, 0x18F5), (0x1900, 0x191E), (0x1920, 0x192B), (0x1930, 0x193B),
    (0x1946, 0x196D), (0x1970, 0x1974), (0x1980, 0x19AB), (0x19B0, 0x19C9), (0x19D0, 0x19D9), (0x1A00, 0x1A1B),
    (0x1A20, 0x1A5E), (0x1A60, 0x1A7C), (0x1A7F, 0x1A89), (0x1A90, 0x1A99), (0x1AA7, 0x1AA7), (0x1AB0, 0x1ABD),
    (0x1B00, 0x1B4B), (0x1B50, 0x1B59), (0x1B6B, 0x1B73), (0x1B80, 0x1BF3), (0x1C00, 0x1C37), (0x1C40, 0x1C49),
    (0x1C4D, 0x1C7D), (0x1C80, 0x1C88), (0x1CD0, 0x1CD2), (0x1CD4, 0x1CF9), (0x1D00, 0x1DF9), (0x1DFB, 0x1F15),
    (0x1F18, 0x1F1D), (0x1F20, 0x1F45), (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B),
    (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4),
    (0x1FC6, 0x1FCC), (0x1FD0, 0x1FD3), (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC),
    (0x200C, 0x200D), (0x203F, 0x2040), (0x2054, 0x2054), (0x2071, 0x2071), (0x207F, 0x207F), (0x2090, 0x209C),
    (0x20D0, 0x20DC), (0x20E1, 0x20E1), (0x20E5, 0x20F0), (0x2102, 0x2102), (0x2107, 0x2107), (0x210A, 0x2113),
    (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126), (0x2128, 0x2128), (0x212A, 0x212D),
    (0x212F, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149), (0x214E, 0x214E), (0x2160, 0x2188), (0x2C00, 0x2C2E),
    (0x2C30, 0x2C5E), (0x2C60, 0x2CE4), (0x2CEB, 0x2CF3), (0x2D00, 0x2D25), (0x2D27, 0x2D27), (0x2D2D, 0x2D2D),
    (0x2D30, 0x2D67), (0x2D6F, 0x2D6F), (0x2D7F, 0x2D96), (0x2DA0, 0x2DA6), (0x2DA8, 0x2DAE), (0x2DB0, 0x2DB6),
    (0x2DB8, 0x2DBE), (0x2DC0, 0x2DC6), (0x2DC8, 0x2DCE), (0x2DD0, 0x2DD6), (0x2DD8, 0x2DDE), (0x2DE0, 0x2DFF),
    (0x2E2F, 0x2E2F), (0x3005, 0x3007), (0x3021, 0x302F), (0x3031, 0x3035), (0x3038, 0x303C), (0x3041, 0x3096),
    (0x3099, 0x309A), (0x309D, 0x309F), (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3105, 0x312E), (0x3131, 0x318E),
    (0x31A0, 0x31BA), (0x31F0, 0x31FF), (0x3400, 0x4DB5), (0x4E00, 0x9FEA), (0xA000, 0xA48C), (0xA4D0, 0xA4FD),
    (0xA500, 0xA60C), (0xA610, 0xA62B), (0xA640, 0xA66F), (0xA674, 0xA67D), (0xA67F, 0xA6F1), (0xA717, 0xA71F),
    (0xA722, 0xA788), (0xA78B, 0xA7AE), (0xA7B0, 0xA7B7), (0xA7F7, 0xA827), (0xA840, 0xA873), (0xA880, 0xA8C5),
    (0xA8D0, 0xA8D9), (0xA8E0, 0xA8F7), (0xA8FB, 0xA8FB), (0xA8FD, 0xA8FD), (0xA900, 0xA92D), (0xA930, 0xA953),
    (0xA960, 0xA97C), (0xA980, 0xA9C0), (0xA9CF, 0xA9D9), (0xA9E0, 0xA9FE), (0xAA00, 0xAA36), (0xAA40, 0xAA4D),
    (0xAA50, 0xAA59), (0xAA60, 0xAA76), (0xAA7A, 0xAAC2), (0xAADB, 0xAADD), (0xAAE0, 0xAAEF), (0xAAF2, 0xAAF6),
    (0xAB01, 0xAB06), (0xAB09, 0xAB0E), (0xAB11, 0xAB16), (0xAB20, 0xAB26), (0xAB28, 0xAB2E), (0xAB30, 0xAB5A),
    (0xAB5C, 0xAB65), (0xAB70, 0xABEA), (0xABEC, 0xABED), (0xABF0, 0xABF9), (0xAC00, 0xD7A3), (0xD7B0, 0xD7C6),
    (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFB00, 0xFB06), (0xFB13, 0xFB17), (0xFB1D, 0xFB28),
    (0xFB2A, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E), (0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFBB1),
    (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F), (0xFD92, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F),
    (0xFE33, 0xFE34), (0xFE4D, 0xFE4F), (0xFE70, 0xFE74), (0xFE76, 0xFEFC), (0xFF10, 0xFF19), (0xFF21, 0xFF3A),
    (0xFF3F, 0xFF3F), (0xFF41, 0xFF5A), (0xFF66, 0xFFBE), (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7),
    (0xFFDA, 0xFFDC), (0x10000, 0x1000B), (0x1000D, 0x10026), (0x10028, 0x1003A), (0x1003C, 0x1003D), (0x1003F, 0x1004D),
    (0x10050, 0x1005D), (0x10080, 0x100FA), (0x10140, 0x10174), (0x101FD, 0x101FD), (0x10280, 0x1029C), (0x102A0, 0x102D0),
    (0x102E0, 0x102E0), (0x10300, 0x1031F), (0x1032D, 0x1034A), (0x10350, 0x1037A), (0x10380, 0x1039D), (0x103A0, 0x103C3),
    (0x103C8, 0x103CF), (0x103D1, 0x103D5), (0x10400, 0x1049D), (0x104A0, 0x104A9), (0x104B0, 0x104D3), (0x104D8, 0x104FB),
    (0x10500, 0x10527), (0x10530, 0x10563), (0x10600, 0x10736), (0x10740, 0x10755), (0x10760, 0x10767), (0x10800, 0x10805),
    (0x10808, 0x10808), (0x1080A, 0x10835), (0x10837, 0x10838), (0x1083C, 0x1083C), (0x1083F, 0x10855), (0x10860, 0x10876),
    (0x10880, 0x1089E), (0x108E0, 0x108F2), (0x108F4, 0x108F5), (0x10900, 0x10915), (0x10920, 0x10939), (0x10980, 0x109B7),
    (0x109BE, 0x109BF), (0x10A00, 0x10A03), (0x10A05, 0x10A06), (0x10A0C, 0x10A13), (0x10A15, 0x10A17), (0x10A19, 0x10A33),
    (0x10A38, 0x10A3A), (0x10A3F, 0x10A3F), (0x10A60, 0x10A7C), (0x10A80, 0x10A9C), (0x10AC0, 0x10AC7), (0x10AC9, 0x10AE6),
    (0x10B00, 0x10B35), (0x10B40, 0x10B55), (0x10B60, 0x10B72), (0x10B80, 0x10B91), (0x10C00, 0x10C48), (0x10C80, 0x10CB2),
    (0x10CC0, 0x10CF2), (0x11000, 0x11046), (0x11066, 0x1106F), (0x1107F, 0x110BA), (0x110D0, 0x110E8), (0x110F0, 0x110F9),
    (0x11100, 0x11134), (0x11136, 0x1113F), (0x11150, 0x11173), (0x11176, 0x11176), (0x11180, 0x111C4), (0x111CA, 0x111CC),
    (0x111D0, 0x111DA), (0x111DC, 0x111DC), (0x11200, 0x11211), (0x11213, 0x11237), (0x1123E, 0x1123E), (0x11280, 0x11286),
    (0x11288, 0x11288), (0x1128A, 0x1128D), (0x1128F, 0x1129D), (0x1129F, 0x112A8), (0x112B0, 0x112EA), (0x112F0, 0x112F9),
    (0x11300, 0x11303), (0x11305, 0x1130C), (0x1130F, 0x11310), (0x11313, 0x11328), (0x1132A, 0x11330), (0x11332, 0x11333),
    (0x11335, 0x11339), (0x1133C, 0x11344), (0x11347, 0x11348), (0x1134B, 0x1134D), (0x11350, 0x11350), (0x11357, 0x11357),
    (0x1135D, 0x11363), (0x11366, 0x1136C), (0x11370, 0x11374), (0x11400, 0x1144A), (0x11450, 0x11459), (0x11480, 0x114C5),
    (0x114C7, 0x114C7), (0x114D0, 0x114D9), (0x11580, 0x115B5), (0x115B8, 0x115C0), (0x115D8, 0x115DD), (0x11600, 0x11640),
    (0x11644, 0x11644), (0x11650, 0x11659), (0x11680, 0x116B7), (0x116C0, 0x116C9), (0x11700, 0x11719), (0x1171D, 0x1172B),
    (0x11730, 0x11739), (0x118A0, 0x118E9), (0x118FF, 0x118FF), (0x11A00, 0x11A3E), (0x11A47, 0x11A47), (0x11A50, 0x11A83),
    (0x11A86, 0x11A99), (0x11AC0, 0x11AF8), (0x11C00, 0x11C08), (0x11C0A, 0x11C36), (0x11C38, 0x11C40), (0x11C50, 0x11C59),
    (0x11C72, 0x11C8F), (0x11C92, 0x11CA7), (0x11CA9, 0x11CB6), (0x11D00, 0x11D06), (0x11D08, 0x11D09), (0x11D0B, 0x11D36),
    (0x11D3A, 0x11D3A), (0x11D3C, 0x11D3D), (0x11D3F, 0x11D47), (0x11D50, 0x11D59), (0x12000, 0x12399), (0x12400, 0x1246E),
    (0x12480, 0x12543), (0x13000, 0x1342E), (0x14400, 0x14646), (0x16800, 0x16A38), (0x16A40, 0x16A5E), (0x16A60, 0x16A69),
    (0x16AD0, 0x16AED), (0x16AF0, 0x16AF4), (0x16B00, 0x16B36), (0x16B40, 0x16B43), (0x16B50, 0x16B59), (0x16B63, 0x16B77),
    (0x16B7D, 0x16B8F), (0x16F00, 0x16F44), (0x16F50, 0x16F7E), (0x16F8F, 0x16F9F), (0x16FE0, 0x16FE1), (0x17000, 0x187EC),
    (0x18800, 0x18AF2), (0x1B000, 0x1B11E), (0x1B170, 0x1B2FB), (0x1BC00, 0x1BC6A), (0x1BC70, 0x1BC7C), (0x1BC80, 0x1BC88),
    (0x1BC90, 0x1BC99), (0x1BC9D, 0x1BC9E), (0x1D165, 0x1D169), (0x1D16D, 0x1D172), (0x1D17B, 0x1D182), (0x1D185, 0x1D18B),
    (0x1D1AA, 0x1D1AD), (0x1D242, 0x1D244), (0x1D400, 0x1D454), (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2),
    (0x1D4A5, 0x1D4A6), (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9), (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D505),
    (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C), (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E), (0x1D540, 0x1D544),
    (0x1D546, 0x1D546), (0x1D54A, 0x1D550), (0x1D552, 0x1D6A5), (0x1D6A8, 0x1D6C0), (0x1D6C2, 0x1D6DA), (0x1D6DC, 0x1D6FA),
    (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E), (0x1D750, 0x1D76E), (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8),
    (0x1D7AA, 0x1D7C2), (0x1D7C4, 0x1D7CB), (0x1D7CE, 0x1D7FF), (0x1DA00, 0x1DA36), (0x1DA3B, 0x1DA6C), (0x1DA75, 0x1DA75),
    (0x1DA84, 0x1DA84), (0x1DA9B, 0x1DA9F), (0x1DAA1, 0x1DAAF), (0x1E000, 0x1E006), (0x1E008, 0x1E018), (0x1E01B, 0x1E021),
    (0x1E023, 0x1E024), (0x1E026, 0x1E02A), (0x1E800, 0x1E8C4), (0x1E8D0, 0x1E8D6), (0x1E900, 0x1E94A), (0x1E950, 0x1E959),
    (0x1EE00, 0x1EE03), (0x1EE05, 0x1EE1F), (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24), (0x1EE27, 0x1EE27), (0x1EE29, 0x1EE32),
    (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39), (0x1EE3B, 0x1EE3B), (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47), (0x1EE49, 0x1EE49),
    (0x1EE4B, 0x1EE4B), (0x1EE4D, 0x1EE4F), (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54), (0x1EE57, 0x1EE57), (0x1EE59, 0x1EE59),
    (0x1EE5B, 0x1EE5B), (0x1EE5D, 0x1EE5D), (0x1EE5F, 0x1EE5F), (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64), (0x1EE67, 0x1EE6A),
    (0x1EE6C, 0x1EE72), (0x1EE74, 0x1EE77), (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E), (0x1EE80, 0x1EE89), (0x1EE8B, 0x1EE9B),
    (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9), (0x1EEAB, 0x1EEBB), (0x20000, 0x2A6D6), (0x2A700, 0x2B734), (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0), (0x2F800, 0x2FA1D), (0xE0100, 0xE01EF),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Document {
        parse(src).unwrap_or_else(|e| panic!("{src:?} failed: {e:?}"))
    }

    fn err(src: &str) -> ParseError {
        match parse(src) {
            Ok(doc) => panic!("{src:?} parsed as {:?}", doc.root.value),
            Err(e) => e,
        }
    }

    fn number(src: &str) -> f64 {
        ok(src).root.as_f64().expect("a number")
    }

    fn string(src: &str) -> String {
        ok(src).root.as_str().expect("a string").to_string()
    }

    fn text(src: &str, span: Span) -> &str {
        &src[span.start..span.end]
    }

    #[test]
    fn spans_of_keys_and_values() {
        let src = r#"{ a: 1, 'b c': "x", "d": [true, null] }"#;
        let root = ok(src).root;
        assert_eq!(root.span, Span::new(0, src.len()));
        let spans: Vec<_> = root
            .members()
            .iter()
            .map(|m| (text(src, m.key_span), text(src, m.value.span)))
            .collect();
        assert_eq!(
            spans,
            [("a", "1"), ("'b c'", "\"x\""), ("\"d\"", "[true, null]")]
        );
        let elements = root.get("d").unwrap().elements();
        assert_eq!(text(src, elements[0].span), "true");
        assert_eq!(text(src, elements[1].span), "null");
    }

    #[test]
    fn spans_of_nested_values_and_non_ascii_text() {
        let src = "{\n  gateway: { port: -0x1F, name: 'Zürich', },\n  ünï\\u0063ode: +.5e1,\n}";
        let root = ok(src).root;
        let gateway = root.get("gateway").unwrap();
        assert_eq!(text(src, gateway.span), "{ port: -0x1F, name: 'Zürich', }");
        let port = gateway.member("port").unwrap();
        assert_eq!(text(src, port.key_span), "port");
        assert_eq!(text(src, port.value.span), "-0x1F");
        assert_eq!(port.value.as_f64(), Some(-31.0));
        assert_eq!(text(src, gateway.get("name").unwrap().span), "'Zürich'");
        let unicode = root.member("ünïcode").unwrap();
        assert_eq!(text(src, unicode.key_span), "ünï\\u0063ode");
        assert_eq!(text(src, unicode.value.span), "+.5e1");
    }

    #[test]
    fn comments_are_collected_with_spans() {
        let src = "// head\n{ /* a\n b */ a: 1, // tail\r b: /**/ 2 }\n/* end */";
        let doc = ok(src);
        let found: Vec<_> = doc
            .comments
            .iter()
            .map(|c| (c.kind, c.text.as_str(), text(src, c.span)))
            .collect();
        assert_eq!(
            found,
            [
                (CommentKind::Line, " head", "// head"),
                (CommentKind::Block, " a\n b ", "/* a\n b */"),
                (CommentKind::Line, " tail", "// tail"),
                (CommentKind::Block, "", "/**/"),
                (CommentKind::Block, " end ", "/* end */"),
            ]
        );
        assert_eq!(doc.root.get("b").unwrap().as_f64(), Some(2.0));
    }

    #[test]
    fn comments_inside_strings_are_text() {
        assert_eq!(string("'// not /* a comment */'"), "// not /* a comment */");
        assert!(ok("'//'").comments.is_empty());
    }

    #[test]
    fn line_comment_ends_at_any_line_terminator() {
        for terminator in ["\n", "\r", "\u{2028}", "\u{2029}"] {
            let src = format!("[1, // c{terminator}2]");
            let doc = ok(&src);
            assert_eq!(doc.comments[0].text, " c");
            assert_eq!(doc.root.elements().len(), 2);
        }
        assert_eq!(ok("1 // at the end").comments[0].span, Span::new(2, 15));
    }

    #[test]
    fn number_forms() {
        let cases = [
            ("0", 0.0),
            ("42", 42.0),
            ("-7", -7.0),
            ("+7", 7.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("-.5", -0.5),
            ("+5.", 5.0),
            ("0.25", 0.25),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("2e+2", 200.0),
            ("5.e1", 50.0),
            ("0e5", 0.0),
            ("0x1F", 31.0),
            ("0XaBc", 2748.0),
            ("-0x10", -16.0),
            ("+0x0", 0.0),
            ("0x1e5", 485.0),
            ("1e400", f64::INFINITY),
            ("Infinity", f64::INFINITY),
            ("+Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("9007199254740993", 9_007_199_254_740_992.0),
        ];
        for (src, expected) in cases {
            assert_eq!(number(src), expected, "{src}");
        }
        for src in ["NaN", "-NaN", "+NaN"] {
            assert!(number(src).is_nan(), "{src}");
        }
    }

    #[test]
    fn negative_zero_keeps_its_sign() {
        for src in ["-0", "-0.0", "-.0", "-0.", "-0x0", "-0e1"] {
            let n = number(src);
            assert!(n == 0.0 && n.is_sign_negative(), "{src}");
        }
        assert!(number("0").is_sign_positive());
    }

    #[test]
    fn long_hex_rounds_like_javascript() {
        assert_eq!(number("0xFFFFFFFFFFFFFFFF"), 18_446_744_073_709_551_616.0);
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: ties go to even.
        assert_eq!(number("0x20000000000001"), 9_007_199_254_740_992.0);
        // Beyond sixteen digits a nonzero tail pushes a tie up.
        assert_eq!(
            number("0x200000000000010000001"),
            2f64.powi(81) + 2f64.powi(29)
        );
        assert_eq!(number(&format!("0x1{}", "0".repeat(300))), f64::INFINITY);
    }

    #[test]
    fn bad_numbers_are_errors() {
        let cases = [
            ("010", "invalid character '1'", 1),
            ("00", "invalid character '0'", 1),
            ("0x", "invalid end of input", 2),
            ("0xg", "invalid character 'g'", 2),
            (".", "invalid end of input", 1),
            ("-.e1", "invalid character 'e'", 2),
            ("1e", "invalid end of input", 2),
            ("1e+", "invalid end of input", 3),
            ("1e1.5", "invalid character '.'", 3),
            ("+-1", "invalid character '-'", 1),
            ("- 1", "invalid character ' '", 1),
            ("Infinit", "invalid end of input", 7),
            ("infinity", "invalid character 'i'", 0),
        ];
        for (src, message, at) in cases {
            let e = err(src);
            assert_eq!((e.message.as_str(), e.span.start), (message, at), "{src}");
        }
    }

    #[test]
    fn string_escapes() {
        let cases = [
            (r#""a\"b""#, "a\"b"),
            (r"'a\'b'", "a'b"),
            (r#"'say "hi"'"#, "say \"hi\""),
            (r"'\b\f\n\r\t\v\\\/'", "\u{8}\u{C}\n\r\t\u{B}\\/"),
            (r"'\0'", "\0"),
            (r"'\0a'", "\0a"),
            (r"'\x41\xe9'", "Aé"),
            (r"'\u0041\u00E9\u2028'", "Aé\u{2028}"),
            (r"'\a\c\ü\😀'", "acü😀"),
            ("'a\\\nb'", "ab"),
            ("'a\\\rb'", "ab"),
            ("'a\\\r\nb'", "ab"),
            ("'a\\\u{2028}b'", "ab"),
            ("'a\\\u{2029}b'", "ab"),
            ("'raw \u{2028} and \u{2029}'", "raw \u{2028} and \u{2029}"),
            ("'tab\there'", "tab\there"),
        ];
        for (src, expected) in cases {
            assert_eq!(string(src), expected, "{src}");
        }
    }

    #[test]
    fn surrogate_escapes() {
        assert_eq!(string(r"'\uD83D\uDE00'"), "😀");
        assert_eq!(string(r"'\ud83d\ude00'"), "😀");
        // A line continuation adds nothing, so the halves still meet, as in JavaScript.
        assert_eq!(string("'\\uD83D\\\n\\uDE00'"), "😀");
        assert_eq!(string(r"'\uD800'"), "\u{FFFD}");
        assert_eq!(string(r"'\uDC00x'"), "\u{FFFD}x");
        assert_eq!(string(r"'\uD800x'"), "\u{FFFD}x");
        assert_eq!(string(r"'\uD800\uD83D\uDE00'"), "\u{FFFD}😀");
        assert_eq!(string(r"'\uD83D😀'"), "\u{FFFD}😀");
    }

    #[test]
    fn bad_strings_are_errors() {
        let cases = [
            ("'abc", "invalid end of input", 4),
            ("'a\nb'", "invalid character '\\n'", 2),
            ("\"a\rb\"", "invalid character '\\r'", 2),
            (r"'\1'", "invalid character '1'", 2),
            (r"'\01'", "invalid character '1'", 3),
            (r"'\x4'", "invalid character '\\''", 4),
            (r"'\u12G4'", "invalid character 'G'", 5),
            ("'\\", "invalid end of input", 2),
        ];
        for (src, message, at) in cases {
            let e = err(src);
            assert_eq!((e.message.as_str(), e.span.start), (message, at), "{src}");
        }
    }

    #[test]
    fn unquoted_keys() {
        let src = "{ $a: 1, _b: 2, c3: 3, ünïcödé: 4, \\u0061\\u0062: 5, a\\u200Cb: 6, null: 7, Σ\u{200D}x: 8 }";
        let keys: Vec<_> = ok(src)
            .root
            .members()
            .iter()
            .map(|m| m.key.clone())
            .collect();
        let expected = [
            "$a",
            "_b",
            "c3",
            "ünïcödé",
            "ab",
            "a\u{200C}b",
            "null",
            "Σ\u{200D}x",
        ];
        assert_eq!(keys, expected);
    }

    #[test]
    fn bad_keys_are_errors() {
        let cases = [
            ("{1a: 1}", "invalid character '1'", Span::new(1, 2)),
            ("{a-b: 1}", "invalid character '-'", Span::new(2, 3)),
            ("{,a: 1}", "invalid character ','", Span::new(1, 2)),
            ("{a 1}", "invalid character '1'", Span::new(3, 4)),
            (
                "{\\u0031: 1}",
                "invalid identifier character",
                Span::new(1, 7),
            ),
            (
                "{a\\u002D: 1}",
                "invalid identifier character",
                Span::new(2, 8),
            ),
            ("{a\\x41: 1}", "invalid character 'x'", Span::new(3, 4)),
            (
                "{\\uD800: 1}",
                "invalid identifier character",
                Span::new(1, 7),
            ),
            ("{a: 1 b: 2}", "invalid character 'b'", Span::new(6, 7)),
            ("{a: 1,,}", "invalid character ','", Span::new(6, 7)),
            ("{a:}", "invalid character '}'", Span::new(3, 4)),
        ];
        for (src, message, span) in cases {
            let e = err(src);
            assert_eq!((e.message.as_str(), e.span), (message, span), "{src}");
        }
    }

    #[test]
    fn trailing_commas_and_empty_containers() {
        assert_eq!(ok("[1, 2,]").root.elements().len(), 2);
        assert_eq!(ok("{a: 1,}").root.members().len(), 1);
        assert!(ok("[]").root.elements().is_empty());
        assert!(ok("{ }").root.members().is_empty());
        assert_eq!(err("[,]").span, Span::new(1, 2));
        assert_eq!(err("[1,,]").span, Span::new(3, 4));
    }

    #[test]
    fn duplicate_keys_keep_all_members_and_last_wins() {
        let root = ok("{a: 1, b: 2, a: 3}").root;
        assert_eq!(root.members().len(), 3);
        assert_eq!(root.get("a").and_then(Node::as_f64), Some(3.0));
        assert_eq!(root.member("a").unwrap().key_span, Span::new(13, 14));
        assert!(root.get("missing").is_none());
    }

    #[test]
    fn accessors_on_other_kinds() {
        let root = ok("[true, 'x', 1]").root;
        assert!(root.members().is_empty() && root.get("a").is_none());
        let [t, s, n] = root.elements() else {
            panic!("three elements")
        };
        assert_eq!(t.as_bool(), Some(true));
        assert_eq!(s.as_str(), Some("x"));
        assert_eq!(n.as_f64(), Some(1.0));
        assert_eq!(n.as_str(), None);
        assert!(n.elements().is_empty());
    }

    #[test]
    fn whitespace_of_every_kind() {
        let ws = "\t\u{B}\u{C} \u{A0}\u{FEFF}\n\r\u{2028}\u{2029}\u{1680}\u{2000}\u{200A}\u{202F}\u{205F}\u{3000}";
        let src = format!("{ws}[{ws}1{ws},{ws}]{ws}");
        assert_eq!(ok(&src).root.elements().len(), 1);
        // U+180E left Zs in Unicode 6.3, and zero-width space was never in it.
        assert_eq!(err("\u{180E}1").message, "invalid character '\u{180E}'");
        assert_eq!(err("\u{200B}1").span, Span::new(0, 3));
    }

    #[test]
    fn literals() {
        assert_eq!(ok("null").root.value, Value::Null);
        assert_eq!(ok(" true ").root.as_bool(), Some(true));
        assert_eq!(ok("false").root.span, Span::new(0, 5));
        assert_eq!(err("nul").message, "invalid end of input");
        assert_eq!(err("nulL").span, Span::new(3, 4));
        assert_eq!(err("truex").span, Span::new(4, 5));
        assert_eq!(err("undefined").message, "invalid character 'u'");
    }

    #[test]
    fn top_level_errors() {
        for src in ["", "  ", "// only a comment", "/* only */ \n"] {
            let e = err(src);
            assert_eq!(e.message, "invalid end of input", "{src:?}");
            assert_eq!(e.span, Span::new(src.len(), src.len()), "{src:?}");
        }
        let e = err("{} {}");
        assert_eq!(
            (e.message.as_str(), e.span),
            ("invalid character '{'", Span::new(3, 4))
        );
        let e = err("1 /* open");
        assert_eq!(
            (e.message.as_str(), e.span),
            ("invalid end of input", Span::new(9, 9))
        );
        let e = err("1 /x");
        assert_eq!(
            (e.message.as_str(), e.span),
            ("invalid character 'x'", Span::new(3, 4))
        );
        assert_eq!(err("[1").span, Span::new(2, 2));
        assert_eq!(err("{a: 1").message, "invalid end of input");
        assert_eq!(err("'\u{1}'\u{1}").message, "invalid character '\\x01'");
        assert_eq!(err("é").span, Span::new(0, 2));
    }

    #[test]
    fn depth_limit() {
        let deepest = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&deepest).is_ok());
        let objects = format!("{}1{}", "{a:".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(parse(&objects).is_ok());

        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let e = err(&too_deep);
        assert_eq!(e.message, "nesting deeper than 256 levels");
        assert_eq!(e.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));

        let mixed = "{a:[".repeat(200);
        assert_eq!(err(&mixed).span.start, 4 * 128);
    }

    #[test]
    fn huge_nesting_fails_fast_without_overflow() {
        for levels in [10_000, 1_000_000] {
            let e = err(&"[".repeat(levels));
            assert_eq!(e.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
        }
    }

    /// A tiny xorshift generator, so the garbage test needs no dependency and is repeatable.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    const PIECES: &[&str] = &[
        "{", "}", "[", "]", ",", ":", "'", "\"", "\\", "/", "*", "//", "/*", "*/", "\n", "\r", " ",
        "\u{2028}", "\u{FEFF}", "a", "$", "_", "é", "😀", "\u{200C}", "0", "1", "9", ".", "e", "E",
        "x", "+", "-", "u", "D83D", "\\u", "\\x", "null", "true", "Infinity", "NaN", "0x",
        "\\uD800", "\u{0}", "\u{B}",
    ];

    #[test]
    fn garbage_never_panics() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let len = rng.next() % 24;
            let src: String = (0..len).map(|_| rng.pick(PIECES)).collect();
            check_result(&src);
        }
    }

    #[test]
    fn every_truncation_of_a_valid_document_is_handled() {
        let src = "// c\n{ a: [1, -0x1F, .5e+3, 'é\\u00e9\\uD83D\\uDE00', {b: null}], 'k': \"v\\\n\", /* x */ n: NaN, }";
        assert!(parse(src).is_ok());
        for (end, _) in src.char_indices() {
            check_result(&src[..end]);
        }
    }

    /// Whatever the input, a result must come back with spans inside the text on char boundaries.
    fn check_result(src: &str) {
        let in_bounds = |span: Span| {
            span.start <= span.end
                && src.is_char_boundary(span.start)
                && src.is_char_boundary(span.end)
        };
        match parse(src) {
            Ok(doc) => {
                assert!(in_bounds(doc.root.span), "{src:?}");
                assert!(doc.comments.iter().all(|c| in_bounds(c.span)), "{src:?}");
            }
            Err(e) => assert!(in_bounds(e.span), "{src:?}: {e:?}"),
        }
    }
}
