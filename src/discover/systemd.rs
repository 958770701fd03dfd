//! systemd unit files and environment files, read the way systemd reads them.
//!
//! Where OpenClaw has its own reader (`parseTcpPortFromArgs`, the `-` prefix of
//! `EnvironmentFile=`, "last `ExecStart=` wins", "an empty `Environment=` resets") this module
//! does the same. Where OpenClaw simplifies (it has no C escapes, ignores sections, splits env
//! files per line) the module follows systemd instead, because systemd decides what the gateway
//! process really gets; the differences are listed in the comments of the functions concerned.
//!
//! Sources: systemd.syntax(7), systemd.exec(7), systemd.service(7), systemd.unit(7) and the
//! matching systemd code (`config_parse`, `extract_first_word`, `cunescape_one`,
//! `config_parse_exec`, `config_parse_environ`, `parse_env_file_internal`).
//!
//! Everything here works on `&str` and slices only at ASCII bytes it found itself, so no input
//! can make it slice inside a character or panic.

use crate::load::json5::Span;

/// systemd's `WHITESPACE`: only these four, not Unicode spaces.
const WS: [char; 4] = [' ', '\t', '\n', '\r'];

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

// ---------------------------------------------------------------------------------------------
// Unit files
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitFile {
    /// In file order. A section name may appear more than once; systemd merges them.
    pub sections: Vec<Section>,
    pub comments: Vec<UnitComment>,
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

/// Parses a unit file (or a drop-in). Never fails: what systemd would warn about and skip
/// (no `=`, empty key, assignment before any section) is skipped. A malformed section header
/// makes systemd reject the whole file; here it only makes the lines up to the next valid
/// header belong to no section.
pub fn parse_unit(text: &str) -> UnitFile {
    let mut parser = UnitParser::default();
    let mut logical = Logical::default();
    for (start, end) in physical_lines(text) {
        let line = &text[start..end];
        // Comment lines are dropped even in the middle of a continuation (systemd.syntax(7)).
        if let Some(comment) = comment_line(line, start) {
            parser.unit.comments.push(comment);
            continue;
        }
        logical.push(line, start);
        if !logical.ends_in_continuation() {
            parser.logical_line(&logical);
            logical = Logical::default();
        }
    }
    if !logical.text.is_empty() {
        parser.logical_line(&logical);
    }
    parser.unit
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
        span: Span {
            start: marker,
            end: offset + line.len(),
        },
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

    /// The file span of the logical byte range `start..end`.
    fn span(&self, start: usize, end: usize) -> Span {
        let at = |i: usize| match self.origin.get(i) {
            Some(&o) => o,
            None => self.origin.last().map_or(0, |&o| o + 1),
        };
        if end <= start {
            let p = at(start);
            return Span { start: p, end: p };
        }
        Span {
            start: at(start),
            end: at(end - 1) + 1,
        }
    }
}

#[derive(Default)]
struct UnitParser {
    unit: UnitFile,
    /// Index of the section that assignments go to; `None` before the first header and after
    /// a malformed one.
    current: Option<usize>,
}

impl UnitParser {
    fn logical_line(&mut self, logical: &Logical) {
        let text = &logical.text;
        let start = text.len() - text.trim_start_matches(WS).len();
        let end = text.trim_end_matches(WS).len();
        if start >= end {
            return;
        }
        if text[start..].starts_with('[') {
            self.header(logical, start, end);
        } else {
            self.assignment(logical, start, end);
        }
    }

    fn header(&mut self, logical: &Logical, start: usize, end: usize) {
        let line = &logical.text[start..end];
        let name = line
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .filter(|n| string_is_safe(n));
        self.current = name.map(|name| {
            self.unit.sections.push(Section {
                name: name.to_string(),
                span: logical.span(start, end),
                entries: Vec::new(),
            });
            self.unit.sections.len() - 1
        });
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
            let p = logical.span(eq, eq + 1).end;
            Span { start: p, end: p }
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

/// systemd's `string_is_safe()`: no control characters, quotes or backslashes.
fn string_is_safe(name: &str) -> bool {
    !name
        .chars()
        .any(|c| c < ' ' || matches!(c, '"' | '\'' | '\\' | '\x7f'))
}

// ---------------------------------------------------------------------------------------------
// Words: systemd's extract_first_word() with EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE
// ---------------------------------------------------------------------------------------------

/// One whitespace-separated word with quotes removed and escapes decoded, as raw bytes
/// (`\xHH` may produce bytes that are not UTF-8 on their own).
struct Word {
    bytes: Vec<u8>,
    /// Byte range of the word in the input, quotes included.
    start: usize,
    end: usize,
}

#[derive(Debug, PartialEq)]
enum WordError {
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
fn extract_word(s: &[u8], pos: &mut usize, relax: bool) -> Result<Option<Word>, WordError> {
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

fn radix_digits(digits: &[u8], radix: u32) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = (d as char).to_digit(radix)?;
        Some(acc * radix + v)
    })
}

fn unicode_escape(hex: &[u8]) -> Option<char> {
    let v = radix_digits(hex, 16)?;
    char::from_u32(v).filter(|&c| c != '\0')
}

// ---------------------------------------------------------------------------------------------
// ExecStart=
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct ExecCommand {
    /// `argv[0]` is always the executable path (prefixes stripped). Without `@` the rest are
    /// the arguments after it, so this is the argv the process sees. With `@`, `argv[1]` is
    /// the argv[0] the process sees and the arguments follow it.
    /// Specifiers (`%h`, `%%`) and `$VAR` references are still in the words: expand each with
    /// [`expand_specifiers`] and then [`expand_exec_variables`], in that order, as systemd does.
    pub argv: Vec<String>,
    /// The special prefixes of the first word in the order written: any of `@ - : + ! !!`.
    pub prefixes: String,
}

/// Splits an `ExecStart=` value into argv as `config_parse_exec()` does: double and single
/// quotes (opening anywhere in a word), C escapes (`\n \t \\ \" \' \s \xHH \uHHHH \NNN`…;
/// unknown escapes are kept verbatim, as systemd does after warning), a lone `;` separates
/// commands and `\;` is a literal `;` argument.
///
/// Errors are the cases where systemd refuses the line: unbalanced quotes, an empty or
/// malformed executable path, and more than one command (only `Type=oneshot` services may
/// have several, and gateways are not oneshot).
///
/// OpenClaw's own `parseSystemdExecStart` is simpler: only double quotes, `\X` is always `X`
/// (no C escapes), no prefixes, no `;`. The two agree on what OpenClaw renders, except for an
/// argument containing `'` (OpenClaw writes it unquoted; systemd sees an unbalanced quote and
/// refuses the line) or `$` (systemd substitutes variables; see [`expand_exec_variables`]).
pub fn split_exec(value: &str) -> Result<ExecCommand, String> {
    let s = value.as_bytes();
    let mut pos = 0;
    let mut commands = Vec::new();
    while let Some(first) = exec_word(s, &mut pos)? {
        if first == ";" {
            // A lone ";" as the first word only separates (empty) commands.
            continue;
        }
        let (prefixes, path) = split_exec_prefixes(&first);
        check_exec_path(path)?;
        let (args, more) = exec_arguments(s, &mut pos)?;
        commands.push(exec_command(prefixes, path, args)?);
        if !more {
            break;
        }
    }
    match commands.len() {
        0 => Err("empty command line".to_string()),
        1 => Ok(commands.remove(0)),
        n => Err(format!(
            "{n} commands separated by ';'; systemd accepts that only for Type=oneshot services"
        )),
    }
}

/// One word of a command line; unknown escapes are retried relaxed, as
/// `extract_first_word_and_warn()` does.
fn exec_word(s: &[u8], pos: &mut usize) -> Result<Option<String>, String> {
    let saved = *pos;
    let word = extract_word(s, pos, false).or_else(|_| {
        *pos = saved;
        extract_word(s, pos, true)
    });
    match word {
        Ok(w) => Ok(w.map(|w| String::from_utf8_lossy(&w.bytes).into_owned())),
        Err(e) => Err(format!("{e} in command line")),
    }
}

/// The arguments after the executable, up to the end or a lone `;` (then `true`).
fn exec_arguments(s: &[u8], pos: &mut usize) -> Result<(Vec<String>, bool), String> {
    let mut args = Vec::new();
    loop {
        while *pos < s.len() && is_ws(s[*pos]) {
            *pos += 1;
        }
        let ends_word = |i: usize| s.get(i).is_none_or(|&b| is_ws(b));
        match s.get(*pos..*pos + 2).unwrap_or(&s[*pos..]) {
            [b';', ..] if ends_word(*pos + 1) => {
                *pos += 1;
                return Ok((args, true));
            }
            [b'\\', b';'] if ends_word(*pos + 2) => {
                *pos += 2;
                args.push(";".to_string());
                continue;
            }
            _ => {}
        }
        match exec_word(s, pos)? {
            Some(word) => args.push(word),
            None => return Ok((args, false)),
        }
    }
}

/// Strips the leading special characters of the first word, each accepted once, with the
/// same exclusions as systemd (`+`, `!` and `!!` do not combine).
fn split_exec_prefixes(word: &str) -> (String, &str) {
    let (mut ignore, mut argv0, mut no_env) = (false, false, false);
    let (mut full, mut no_setuid, mut ambient) = (false, false, false);
    for (i, c) in word.char_indices() {
        match c {
            '-' if !ignore => ignore = true,
            '@' if !argv0 => argv0 = true,
            ':' if !no_env => no_env = true,
            '+' if !(full || no_setuid || ambient) => full = true,
            '!' if !(full || no_setuid || ambient) => no_setuid = true,
            '!' if !(full || ambient) => {
                no_setuid = false;
                ambient = true;
            }
            _ => return (word[..i].to_string(), &word[i..]),
        }
    }
    (word.to_string(), "")
}

/// The executable checks of `config_parse_exec()` that do not need the file system.
fn check_exec_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty executable path".to_string());
    }
    if !string_is_safe(path) {
        return Err(format!(
            "executable path contains special characters: {path:?}"
        ));
    }
    if path.ends_with('/') {
        return Err(format!("executable path is a directory: {path}"));
    }
    let valid = if path.starts_with('/') {
        path.len() < 4096 && path.split('/').all(|part| part.len() <= 255)
    } else {
        !path.contains('/') && path != "." && path != ".." && path.len() <= 255
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "neither a valid executable name nor an absolute path: {path}"
        ))
    }
}

fn exec_command(prefixes: String, path: &str, args: Vec<String>) -> Result<ExecCommand, String> {
    if prefixes.contains('@') && args.is_empty() {
        return Err("'@' prefix without the argv[0] that must follow the path".to_string());
    }
    let mut argv = vec![path.to_string()];
    argv.extend(args);
    Ok(ExecCommand { argv, prefixes })
}

/// Substitutes environment variables in an `ExecStart=` argv the way systemd does at start
/// (systemd.service(7) "Command lines"): a word that is `$NAME` becomes the value split at
/// whitespace (zero or more words; quotes inside the value are not interpreted here), `${NAME}`
/// inside a word is replaced by the value, `$$` is a literal `$`, and unset variables are
/// empty. `${NAME:-default}` and `${NAME:+alt}` (systemd 254+) are honoured. The executable
/// (`argv[0]`) is left alone, as systemd does. Skip this for commands with the `:` prefix.
/// OpenClaw does no such substitution: it reads `--port ${P}` as an invalid port.
pub fn expand_exec_variables(argv: &[String], env: &[(String, String)]) -> Vec<String> {
    let lookup = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut out: Vec<String> = argv.iter().take(1).cloned().collect();
    for arg in argv.iter().skip(1) {
        match arg.strip_prefix('$').filter(|n| !n.starts_with(['{', '$'])) {
            // Like systemd, an invalid name here gives no words at all.
            Some(name) => out.extend(
                lookup(name)
                    .filter(|_| env_name_is_valid(name))
                    .unwrap_or("")
                    .split(WS)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            ),
            None => out.push(replace_braced_variables(arg, &lookup)),
        }
    }
    out
}

fn replace_braced_variables<'a>(word: &str, lookup: &impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((expr, tail)) = after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            out.push_str(&braced_value(expr, lookup));
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn braced_value<'a>(expr: &str, lookup: &impl Fn(&str) -> Option<&'a str>) -> String {
    if let Some((name, default)) = expr.split_once(":-") {
        let value = lookup(name).unwrap_or("");
        return if value.is_empty() { default } else { value }.to_string();
    }
    if let Some((name, alternate)) = expr.split_once(":+") {
        let set = lookup(name).is_some_and(|v| !v.is_empty());
        return if set { alternate } else { "" }.to_string();
    }
    lookup(expr).unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------------------------
// Environment=, EnvironmentFile=, UnsetEnvironment=, restart policy
// ---------------------------------------------------------------------------------------------

/// Parses one `Environment=` value as `config_parse_environ()` does: whitespace-separated
/// words, each unquoted and C-unescaped, each `KEY=value` with a valid name (letters, digits,
/// `_`, not starting with a digit). Spans are byte ranges of the word within `value`.
///
/// An invalid assignment is reported and skipped. A syntax error (unbalanced quote, unknown
/// escape) makes systemd ignore that word and everything after it, so parsing stops there;
/// assignments before it stay in effect.
///
/// OpenClaw differs: its quotes open only at the start of a word, so `A="x y"` is `A=x y`
/// to systemd but `A="x` to OpenClaw; and it does not validate names.
pub fn parse_environment(value: &str) -> (Vec<(String, String, Span)>, Vec<String>) {
    let s = value.as_bytes();
    let mut pos = 0;
    let mut assignments = Vec::new();
    let mut errors = Vec::new();
    loop {
        let word = match extract_word(s, &mut pos, false) {
            Ok(Some(word)) => word,
            Ok(None) => break,
            Err(e) => {
                errors.push(format!(
                    "{e} in Environment=; systemd ignores it and the rest of the line"
                ));
                break;
            }
        };
        let span = Span {
            start: word.start,
            end: word.end,
        };
        match assignment(word.bytes) {
            Ok((key, val)) => assignments.push((key, val, span)),
            Err(e) => errors.push(e),
        }
    }
    (assignments, errors)
}

fn assignment(bytes: Vec<u8>) -> Result<(String, String), String> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let lossy = String::from_utf8_lossy(e.as_bytes());
        format!("invalid UTF-8 in environment assignment, ignored: {lossy}")
    })?;
    match text.split_once('=') {
        Some((key, val)) if env_name_is_valid(key) => Ok((key.to_string(), val.to_string())),
        _ => Err(format!("invalid environment assignment, ignored: {text}")),
    }
}

/// systemd's rule for variable names (the bash character set).
pub fn env_name_is_valid(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The inline environment of a unit: every `[Service]` `Environment=` in order, an empty one
/// clearing what came before, a later assignment of a key replacing the earlier one (in the
/// earlier one's place). Spans are absolute in the unit text; for a value written across
/// continuation lines they are the whole directive value. Values are as written: expand
/// specifiers (`%%`, `%h`) with [`expand_specifiers`]. Invalid assignments are skipped; call
/// [`parse_environment`] on the directives to report them.
///
/// This is not yet the process environment: `EnvironmentFile=` values override these
/// (systemd.exec(7); OpenClaw merges the same way), and `UnsetEnvironment=` removes keys.
pub fn effective_environment(unit: &UnitFile) -> Vec<(String, String, Span)> {
    let mut env: Vec<(String, String, Span)> = Vec::new();
    for directive in unit.get_all("Service", "Environment") {
        if directive.value.is_empty() {
            env.clear();
            continue;
        }
        for (key, value, span) in parse_environment(&directive.value).0 {
            let entry = (key, value, absolute_span(directive, span));
            match env.iter_mut().find(|e| e.0 == entry.0) {
                Some(slot) => *slot = entry,
                None => env.push(entry),
            }
        }
    }
    env
}

/// Maps a span inside `directive.value` to the file. Offsets carry over only when the value
/// is written on one line (same length in the file as in the value).
fn absolute_span(directive: &Directive, inner: Span) -> Span {
    let outer = directive.value_span;
    if outer.end - outer.start != directive.value.len() {
        return outer;
    }
    Span {
        start: outer.start + inner.start,
        end: outer.start + inner.end,
    }
}

/// `EnvironmentFile=` value: a leading `-` means "ignore if missing". The rest is the path
/// (or glob) as written: no quotes are removed (systemd and OpenClaw both take quotes
/// literally, which makes the path relative and the line invalid) and specifiers are not
/// expanded yet. See [`glob_literal`] for the backslashes OpenClaw writes into such paths.
pub fn parse_environment_file_ref(value: &str) -> (String, bool) {
    match value.strip_prefix('-') {
        Some(path) => (path.to_string(), true),
        None => (value.to_string(), false),
    }
}

/// Every effective `[Service]` `EnvironmentFile=`: (path, optional, directive span), with an
/// empty assignment clearing the list. Files are read in this order, later ones winning.
pub fn environment_files(unit: &UnitFile) -> Vec<(String, bool, Span)> {
    let mut files = Vec::new();
    for directive in unit.get_all("Service", "EnvironmentFile") {
        if directive.value.is_empty() {
            files.clear();
            continue;
        }
        let (path, optional) = parse_environment_file_ref(&directive.value);
        files.push((path, optional, directive.span));
    }
    files
}

/// `EnvironmentFile=` accepts glob patterns, and OpenClaw writes its paths through
/// minimatch's `escape()` (a backslash before each of `* ? [ ] ( )`). Returns the literal
/// path when the pattern has no unescaped wildcard, `None` when it really is a glob.
pub fn glob_literal(pattern: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap_or('\\')),
            '*' | '?' | '[' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Every `[Service]` `UnsetEnvironment=` word (a name, or `NAME=value` to remove only that
/// exact assignment), with an empty assignment clearing the list.
pub fn unset_environment(unit: &UnitFile) -> Vec<String> {
    let mut names = Vec::new();
    for directive in unit.get_all("Service", "UnsetEnvironment") {
        if directive.value.is_empty() {
            names.clear();
            continue;
        }
        let s = directive.value.as_bytes();
        let mut pos = 0;
        while let Ok(Some(word)) = extract_word(s, &mut pos, false) {
            names.push(String::from_utf8_lossy(&word.bytes).into_owned());
        }
    }
    names
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
    let mut prevent = Vec::new();
    for directive in unit.get_all("Service", "RestartPreventExitStatus") {
        if directive.value.is_empty() {
            prevent.clear();
            continue;
        }
        prevent.extend(
            directive
                .value
                .split(WS)
                .filter(|w| !w.is_empty())
                .map(String::from),
        );
    }
    (restart, prevent)
}

// ---------------------------------------------------------------------------------------------
// Specifiers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpecifierContext {
    /// `%h`: the home of the user the manager runs as (the user's home for `--user` units,
    /// `/root` for system units).
    pub home: String,
    /// `%u`, when known.
    pub user: Option<String>,
    /// The full unit name, e.g. `openclaw-gateway-rescue.service` or `gw@ops.service`.
    pub unit_name: String,
}

/// Expands the specifiers clawlint can know: `%%`, `%h`, `%u` (if the user is given), `%n`,
/// `%N`, `%p`, `%P`, `%i`, `%I`, `%j`, `%J`. Any other is left as written and reported
/// (systemd would expand it, or reject the setting if it does not know it either). A `%` at
/// the very end stays a `%`, as in systemd.
///
/// OpenClaw expands only `%%` and `%h`, and treats a drop-in `EnvironmentFile=` with any other
/// specifier as "environment overridden, unknown".
pub fn expand_specifiers(value: &str, ctx: &SpecifierContext) -> (String, Vec<String>) {
    let mut out = String::with_capacity(value.len());
    let mut problems = Vec::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        match specifier_value(spec, ctx) {
            Some(v) => out.push_str(&v),
            None => {
                out.push('%');
                out.push(spec);
                problems.push(specifier_problem(spec));
            }
        }
    }
    (out, problems)
}

fn specifier_problem(spec: char) -> String {
    if spec == 'u' {
        "%u (user name) is not known here; left as is".to_string()
    } else {
        format!("specifier %{spec} is not expanded by clawlint; left as is")
    }
}

fn specifier_value(spec: char, ctx: &SpecifierContext) -> Option<String> {
    let name = ctx.unit_name.as_str();
    // "name@instance.type": %N drops ".type", %p is before '@', %i between '@' and ".type".
    let without_type = name.rsplit_once('.').map_or(name, |(n, _)| n);
    let (prefix, instance) = without_type.split_once('@').unwrap_or((without_type, ""));
    let last_component = prefix.rsplit_once('-').map_or(prefix, |(_, last)| last);
    Some(match spec {
        '%' => "%".to_string(),
        'h' => ctx.home.clone(),
        'u' => ctx.user.clone()?,
        'n' => name.to_string(),
        'N' => without_type.to_string(),
        'p' => prefix.to_string(),
        'P' => unit_name_unescape(prefix),
        'i' => instance.to_string(),
        'I' => unit_name_unescape(instance),
        'j' => last_component.to_string(),
        'J' => unit_name_unescape(last_component),
        _ => return None,
    })
}

/// systemd's `unit_name_unescape()`: `-` is `/`, `\xHH` is a byte.
fn unit_name_unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .filter(|_| bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x'))
            .and_then(|h| radix_digits(h, 16));
        match (bytes[i], hex) {
            (_, Some(v)) => {
                out.push(v as u8);
                i += 4;
            }
            (b'-', None) => {
                out.push(b'/');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// --port
// ---------------------------------------------------------------------------------------------

/// The gateway port from argv, exactly as OpenClaw's `parseTcpPortFromArgs`: the last
/// `--port N` or `--port=N` whose value is a strict positive integer up to 65535 (surrounding
/// whitespace and a `+` sign allowed, `0x`, `1e3` and `19789abc` not). An invalid value does
/// not reset an earlier valid one, and `--port` always consumes the next word, even
/// `--port --port=1`. The index is that of the word holding the number.
pub fn port_from_args(argv: &[String]) -> Option<(u16, usize)> {
    let mut latest = None;
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        if arg == "--port" {
            if let Some(port) = argv
                .get(i + 1)
                .and_then(|v| crate::resolve::ports::parse_tcp_port(v))
            {
                latest = Some((port, i + 1));
            }
            i += 2;
            continue;
        }
        if let Some(port) = arg
            .strip_prefix("--port=")
            .and_then(crate::resolve::ports::parse_tcp_port)
        {
            latest = Some((port, i));
        }
        i += 1;
    }
    latest
}

// ---------------------------------------------------------------------------------------------
// sh -c strings
// ---------------------------------------------------------------------------------------------

/// Splits a simple POSIX shell command (the string of `sh -c "..."`) into words: single
/// quotes, double quotes (where only `\$ \` \" \\` and backslash-newline are escapes),
/// backslash escapes and `#` comments. Returns `None` for anything a plain split would get
/// wrong: unbalanced quotes, command substitution (`$(`, backticks), parameter expansion
/// (`$X`, `${X}`), pipes, lists (`;`, `&`, `&&`, `||`, newline), redirections and subshells.
/// Tilde and glob characters are kept literally.
pub fn split_shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                continue;
            }
            '#' if !in_word => break,
            '\'' => single_quoted(&mut chars, &mut word)?,
            '"' => double_quoted(&mut chars, &mut word)?,
            '\\' => match chars.next() {
                Some('\n') => continue,
                Some(next) => word.push(next),
                None => word.push('\\'),
            },
            '$' => dollar(chars.peek().copied(), &mut word)?,
            '`' | '|' | ';' | '&' | '<' | '>' | '(' | ')' | '\n' => return None,
            _ => word.push(c),
        }
        in_word = true;
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn single_quoted(chars: &mut Chars<'_>, word: &mut String) -> Option<()> {
    loop {
        match chars.next()? {
            '\'' => return Some(()),
            c => word.push(c),
        }
    }
}

fn double_quoted(chars: &mut Chars<'_>, word: &mut String) -> Option<()> {
    loop {
        match chars.next()? {
            '"' => return Some(()),
            '`' => return None,
            '$' => dollar(chars.peek().copied(), word)?,
            '\\' => match chars.next()? {
                '\n' => {}
                c @ ('$' | '`' | '"' | '\\') => word.push(c),
                c => {
                    word.push('\\');
                    word.push(c);
                }
            },
            c => word.push(c),
        }
    }
}

/// A `$` that starts an expansion makes the command not simple; any other `$` is literal.
fn dollar(next: Option<char>, word: &mut String) -> Option<()> {
    let expands = next.is_some_and(|n| {
        n.is_ascii_alphanumeric()
            || matches!(n, '_' | '{' | '(' | '@' | '*' | '#' | '?' | '-' | '$' | '!')
    });
    if expands {
        return None;
    }
    word.push('$');
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Environment files
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct EnvFileEntry {
    /// As written, trailing blanks removed. Not validated: systemd drops entries whose name is
    /// not valid when it starts the process (see [`env_name_is_valid`]); OpenClaw keeps them.
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
            span: Span { start, end },
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
            span: Span {
                start: self.start,
                end: self.end,
            },
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
            comment.text = text[comment.span.start + 1..comment.span.end].to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendered by OpenClaw 2026.9.6's `buildSystemdUnit` (profile rescue, port 19789, with an
    /// environment file), byte for byte.
    const OPENCLAW_UNIT: &str = "[Unit]
Description=OpenClaw Gateway (profile: rescue)
After=network-online.target
Wants=network-online.target
StartLimitBurst=10
StartLimitIntervalSec=300

[Service]
ExecStart=/usr/bin/node --max-old-space-size=8192 /usr/lib/node_modules/openclaw/dist/index.js gateway --port 19789
Restart=always
RestartSec=5
RestartPreventExitStatus=78
TimeoutStopSec=330
TimeoutStartSec=30
SuccessExitStatus=0 143
OOMPolicy=continue
KillMode=mixed
EnvironmentFile=-/home/u/.openclaw-rescue/gateway.systemd.env
Environment=HOME=/home/u
Environment=TMPDIR=/tmp
Environment=OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue
Environment=OPENCLAW_CONFIG_PATH=/home/u/.openclaw-rescue/openclaw.json
Environment=PATH=/home/u/.local/bin:/usr/local/bin:/usr/bin:/bin
Environment=NODE_OPTIONS=
Environment=OPENCLAW_PROFILE=rescue
Environment=OPENCLAW_GATEWAY_PORT=19789
Environment=OPENCLAW_SYSTEMD_UNIT=openclaw-gateway-rescue.service
Environment=\"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (rescue)\"
Environment=OPENCLAW_WINDOWS_TASK_HIDDEN_LAUNCHER=1
Environment=OPENCLAW_SERVICE_MARKER=openclaw
Environment=OPENCLAW_SERVICE_KIND=gateway

[Install]
WantedBy=default.target
";

    const HAND_WRITTEN: &str = "# clawlint: allow port-collision
; written by hand
Stray=before any section
[Unit]
Description=Passerelle «secours» für Ops

[Service]
ExecStart=/usr/bin/node \\
    /srv/openclaw/dist/index.js gateway \\
    # a comment inside a continuation is dropped
    --port 20000
Environment=\"A=1\" B=2
Environment=GREETING=\"grüß dich\"
EnvironmentFile=-%h/.openclaw-rescue/gateway.systemd.env
Restart=on-failure
Restart=sometimes
RestartPreventExitStatus=78
RestartPreventExitStatus=SIGTERM 1
garbage line without an equals sign
=no key
  [Broken
Hidden=after a broken header
[Service]
  Environment = C=3  
";

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn slice(text: &str, span: Span) -> &str {
        text.get(span.start..span.end)
            .expect("span inside the text")
    }

    #[test]
    fn openclaw_unit_sections_and_exec() {
        let unit = parse_unit(OPENCLAW_UNIT);
        let names: Vec<_> = unit.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Unit", "Service", "Install"]);
        assert!(unit.comments.is_empty());
        let exec = unit.get_last("Service", "ExecStart").unwrap();
        assert_eq!(
            slice(OPENCLAW_UNIT, exec.span),
            format!("ExecStart={}", exec.value)
        );
        assert_eq!(slice(OPENCLAW_UNIT, exec.value_span), exec.value);
        let cmd = split_exec(&exec.value).unwrap();
        assert_eq!(cmd.prefixes, "");
        assert_eq!(
            cmd.argv,
            args(&[
                "/usr/bin/node",
                "--max-old-space-size=8192",
                "/usr/lib/node_modules/openclaw/dist/index.js",
                "gateway",
                "--port",
                "19789"
            ])
        );
        assert_eq!(port_from_args(&cmd.argv), Some((19789, 5)));
        assert_eq!(slice(OPENCLAW_UNIT, unit.sections[1].span), "[Service]");
    }

    #[test]
    fn openclaw_unit_environment() {
        let unit = parse_unit(OPENCLAW_UNIT);
        let env = effective_environment(&unit);
        assert_eq!(env.len(), 13);
        let get = |k: &str| env.iter().find(|e| e.0 == k).unwrap();
        let task = get("OPENCLAW_WINDOWS_TASK_NAME");
        assert_eq!(task.1, "OpenClaw Gateway (rescue)");
        assert_eq!(
            slice(OPENCLAW_UNIT, task.2),
            "\"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (rescue)\""
        );
        assert_eq!(get("NODE_OPTIONS").1, "");
        assert_eq!(get("OPENCLAW_PROFILE").1, "rescue");
        let state = get("OPENCLAW_STATE_DIR");
        assert_eq!(
            slice(OPENCLAW_UNIT, state.2),
            "OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue"
        );
        assert_eq!(
            environment_files(&unit)
                .into_iter()
                .map(|(p, o, _)| (p, o))
                .collect::<Vec<_>>(),
            [(
                "/home/u/.openclaw-rescue/gateway.systemd.env".to_string(),
                true
            )]
        );
        assert_eq!(
            restart_policy(&unit),
            (Some("always".to_string()), args(&["78"]))
        );
        assert!(unset_environment(&unit).is_empty());
    }

    #[test]
    fn hand_written_unit() {
        let unit = parse_unit(HAND_WRITTEN);
        let comments: Vec<_> = unit.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            comments,
            [
                " clawlint: allow port-collision",
                " written by hand",
                " a comment inside a continuation is dropped"
            ]
        );
        assert_eq!(
            slice(HAND_WRITTEN, unit.comments[1].span),
            "; written by hand"
        );
        // The assignment before any section, the junk lines and the line after the broken
        // header are all dropped.
        let names: Vec<_> = unit.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Unit", "Service", "Service"]);
        assert!(unit.get_all("Service", "Hidden").is_empty());
        assert_eq!(unit.sections[1].entries.len(), 8);
        assert_eq!(
            unit.get_last("Unit", "Description").unwrap().value,
            "Passerelle «secours» für Ops"
        );
    }

    #[test]
    fn continuation_lines() {
        let unit = parse_unit(HAND_WRITTEN);
        let exec = unit.get_last("Service", "ExecStart").unwrap();
        assert_eq!(
            exec.value,
            "/usr/bin/node      /srv/openclaw/dist/index.js gateway      --port 20000"
        );
        let text = slice(HAND_WRITTEN, exec.span);
        assert!(text.starts_with("ExecStart=/usr/bin/node \\\n"));
        assert!(text.ends_with("--port 20000"));
        assert!(slice(HAND_WRITTEN, exec.value_span).starts_with("/usr/bin/node"));
        let cmd = split_exec(&exec.value).unwrap();
        assert_eq!(port_from_args(&cmd.argv), Some((20000, 4)));
        // A value across lines keeps the directive value span for its assignments.
        let folded = parse_unit("[Service]\nEnvironment=A=1 \\\n  B=2\n");
        let env = effective_environment(&folded);
        let d = folded.get_last("Service", "Environment").unwrap();
        assert_eq!(env[1].2, d.value_span);
        // An even number of trailing backslashes does not continue the line.
        let even = parse_unit("[Service]\nA=x\\\\\nB=y\n");
        assert_eq!(even.get_last("Service", "A").unwrap().value, "x\\\\");
        // A continuation at the end of the file still counts.
        let eof = parse_unit("[Service]\nA=x \\");
        assert_eq!(eof.get_last("Service", "A").unwrap().value, "x");
    }

    #[test]
    fn hand_written_environment() {
        let unit = parse_unit(HAND_WRITTEN);
        let env = effective_environment(&unit);
        let pairs: Vec<_> = env
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("A", "1"),
                ("B", "2"),
                ("GREETING", "grüß dich"),
                ("C", "3")
            ]
        );
        for (key, _, span) in &env {
            assert!(slice(HAND_WRITTEN, *span).contains(key.as_str()));
        }
        assert_eq!(slice(HAND_WRITTEN, env[2].2), "GREETING=\"grüß dich\"");
        let file = &environment_files(&unit)[0];
        assert_eq!(
            (file.0.as_str(), file.1),
            ("%h/.openclaw-rescue/gateway.systemd.env", true)
        );
        let ctx = SpecifierContext {
            home: "/home/u".into(),
            user: None,
            unit_name: "openclaw-gateway-rescue.service".into(),
        };
        assert_eq!(
            expand_specifiers(&file.0, &ctx),
            (
                "/home/u/.openclaw-rescue/gateway.systemd.env".to_string(),
                vec![]
            )
        );
        // "sometimes" is not a Restart= value, so systemd keeps on-failure.
        assert_eq!(
            restart_policy(&unit),
            (
                Some("on-failure".to_string()),
                args(&["78", "SIGTERM", "1"])
            )
        );
    }

    #[test]
    fn environment_reset_and_override() {
        let text = "[Service]\nEnvironment=A=1 Z=0\nEnvironment=\nEnvironment=B=2 A=3\nEnvironment=B=4\nUnsetEnvironment=Z \"Y=1\"\n";
        let unit = parse_unit(text);
        let env = effective_environment(&unit);
        let pairs: Vec<_> = env
            .iter()
            .map(|(k, v, s)| (k.as_str(), v.as_str(), slice(text, *s)))
            .collect();
        assert_eq!(pairs, [("B", "4", "B=4"), ("A", "3", "A=3")]);
        assert_eq!(unset_environment(&unit), args(&["Z", "Y=1"]));
        let reset =
            parse_unit("[Service]\nEnvironmentFile=/a\nEnvironmentFile=\nEnvironmentFile=/b\n");
        assert_eq!(environment_files(&reset).len(), 1);
        let prevent =
            parse_unit("[Service]\nRestartPreventExitStatus=1\nRestartPreventExitStatus=\n");
        assert_eq!(restart_policy(&prevent), (None, vec![]));
    }

    #[test]
    fn parse_environment_words() {
        let (env, errors) = parse_environment("\"A=1\" B=2");
        assert!(errors.is_empty());
        assert_eq!(
            env,
            [
                ("A".into(), "1".into(), Span { start: 0, end: 5 }),
                ("B".into(), "2".into(), Span { start: 6, end: 9 })
            ]
        );
        // Quotes may open in the middle of a word (OpenClaw would split this in two).
        let (env, _) = parse_environment("A=\"x y\" 'B=it''s'");
        assert_eq!(env[0].1, "x y");
        assert_eq!(env[1].1, "its");
        let (env, _) = parse_environment("F=a\\nb G=\\x41\\u00e9 H=%%");
        assert_eq!(env[0].1, "a\nb");
        assert_eq!(env[1].1, "Aé");
        assert_eq!(env[2].1, "%%");
        let (env, errors) = parse_environment("1A=2 C=3 nokey A-B=1 =x");
        assert_eq!(env.len(), 1);
        assert_eq!(errors.len(), 4);
        // A syntax error stops the line, keeping what came before.
        let (env, errors) = parse_environment("D=1 E=\"open F=2");
        assert_eq!((env.len(), errors.len()), (1, 1));
        let (env, errors) = parse_environment("D=1 E=\\q F=2");
        assert_eq!((env.len(), errors.len()), (1, 1));
        let (env, errors) = parse_environment("X=\\xff");
        assert_eq!((env.len(), errors.len()), (0, 1));
    }

    #[test]
    fn exec_quotes_and_escapes() {
        let cmd = split_exec(r#"/bin/echo "a\tb" 'c d' \x41 \s e\;f \; x"" "" a"b c"d"#).unwrap();
        assert_eq!(
            cmd.argv,
            args(&[
                "/bin/echo",
                "a\tb",
                "c d",
                "A",
                " ",
                "e\\;f",
                ";",
                "x",
                "",
                "ab cd"
            ])
        );
        let cmd =
            split_exec(r#"/bin/sh -c "exec openclaw --profile ops gateway --port 20000""#).unwrap();
        assert_eq!(cmd.argv.len(), 3);
        assert_eq!(
            cmd.argv[2],
            "exec openclaw --profile ops gateway --port 20000"
        );
        let words = split_shell_words(&cmd.argv[2]).unwrap();
        assert_eq!(
            words,
            args(&[
                "exec",
                "openclaw",
                "--profile",
                "ops",
                "gateway",
                "--port",
                "20000"
            ])
        );
        assert_eq!(port_from_args(&words), Some((20000, 6)));
        // Unknown escapes stay as written; an escaped quote is a plain character.
        let cmd = split_exec(r#"/bin/x \q "say \"hi\"""#).unwrap();
        assert_eq!(cmd.argv, args(&["/bin/x", "\\q", "say \"hi\""]));
        // OpenClaw renders a path with an apostrophe unquoted; systemd cannot read it.
        assert!(split_exec("/home/o'brien/node x").is_err());
        assert_eq!(parse_environment("HOME=/home/o'brien").1.len(), 1);
    }

    #[test]
    fn exec_prefixes_and_errors() {
        let cmd = split_exec("-@/bin/true name arg").unwrap();
        assert_eq!(cmd.prefixes, "-@");
        assert_eq!(cmd.argv, args(&["/bin/true", "name", "arg"]));
        assert_eq!(split_exec("!!/usr/bin/node x").unwrap().prefixes, "!!");
        assert_eq!(split_exec(":+node").unwrap().argv, args(&["node"]));
        assert!(split_exec("+!/bin/x").is_err());
        assert!(split_exec("@/bin/true").is_err());
        assert!(split_exec("-").is_err());
        assert!(split_exec("/bin/x \"open").is_err());
        assert!(split_exec("/bin/x a ; /bin/y b").is_err());
        assert!(split_exec("bin/x").is_err());
        assert!(split_exec("/usr/bin/").is_err());
        assert!(split_exec("").is_err());
        assert_eq!(
            split_exec("; /bin/x a ;").unwrap().argv,
            args(&["/bin/x", "a"])
        );
    }

    #[test]
    fn exec_variables() {
        let env = vec![
            ("P".to_string(), "20000".to_string()),
            ("OPTS".to_string(), " --port  21000 ".to_string()),
        ];
        let argv = args(&[
            "/bin/x", "--port", "${P}", "$OPTS", "$MISSING", "a$$b", "${Q:-7}", "$x-y",
        ]);
        assert_eq!(
            expand_exec_variables(&argv, &env),
            args(&["/bin/x", "--port", "20000", "--port", "21000", "a$b", "7"])
        );
        let expanded = expand_exec_variables(&args(&["/bin/x", "--port=${P}"]), &env);
        assert_eq!(port_from_args(&expanded), Some((20000, 1)));
    }

    #[test]
    fn port_like_openclaw() {
        let p = |w: &[&str]| port_from_args(&args(w));
        assert_eq!(
            p(&[
                "--port",
                "1000",
                "--port=2000",
                "--port",
                "abc",
                "--port=abc"
            ]),
            Some((2000, 2))
        );
        assert_eq!(p(&["gateway", "--port", "--port=5"]), None);
        assert_eq!(p(&["--port", " +19789\u{a0}"]), Some((19789, 1)));
        assert_eq!(p(&["--port=019789"]), Some((19789, 0)));
        assert_eq!(p(&["--port", "0"]), None);
        assert_eq!(p(&["--port", "-1"]), None);
        assert_eq!(p(&["--port", "65536"]), None);
        assert_eq!(p(&["--port", "1e3"]), None);
        assert_eq!(p(&["--port", "99999999999999999999999"]), None);
        assert_eq!(p(&["--port", "١٢٣"]), None);
        assert_eq!(p(&["--port"]), None);
        assert_eq!(p(&["--port=65535", "--port", ""]), Some((65535, 0)));
        assert_eq!(p(&["--ports=1", "-port", "2"]), None);
    }

    #[test]
    fn specifiers() {
        let ctx = SpecifierContext {
            home: "/home/ü".into(),
            user: Some("u".into()),
            unit_name: "openclaw-gateway@ops\\x2dx-y.service".into(),
        };
        let (out, problems) = expand_specifiers("%%h %h %u %n %N %p %P %i %I %j %J 100%", &ctx);
        assert_eq!(
            out,
            "%h /home/ü u openclaw-gateway@ops\\x2dx-y.service openclaw-gateway@ops\\x2dx-y \
             openclaw-gateway openclaw/gateway ops\\x2dx-y ops-x/y gateway gateway 100%"
        );
        assert!(problems.is_empty());
        let no_user = SpecifierContext::default();
        let (out, problems) = expand_specifiers("%t/x %u é%", &no_user);
        assert_eq!(out, "%t/x %u é%");
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn environment_file_ref() {
        assert_eq!(
            parse_environment_file_ref("-%h/.openclaw-rescue/gateway.systemd.env"),
            ("%h/.openclaw-rescue/gateway.systemd.env".to_string(), true)
        );
        assert_eq!(
            parse_environment_file_ref("/etc/gw.env"),
            ("/etc/gw.env".to_string(), false)
        );
        assert_eq!(
            glob_literal(r"/home/u \(x\)/gw\[1\].env"),
            Some("/home/u (x)/gw[1].env".to_string())
        );
        assert_eq!(glob_literal("/etc/gw/*.env"), None);
    }

    #[test]
    fn crlf_unit() {
        let crlf = HAND_WRITTEN.replace('\n', "\r\n");
        let a = parse_unit(HAND_WRITTEN);
        let b = parse_unit(&crlf);
        let values = |u: &UnitFile| -> Vec<(String, String)> {
            u.sections
                .iter()
                .flat_map(|s| s.entries.iter().map(|d| (d.key.clone(), d.value.clone())))
                .collect()
        };
        assert_eq!(values(&a), values(&b));
        assert_eq!(a.comments.len(), b.comments.len());
        for d in b.sections.iter().flat_map(|s| &s.entries) {
            assert!(!slice(&crlf, d.span).ends_with('\r'));
        }
        // A lone CR also ends a line for systemd, and a BOM is skipped.
        let cr = parse_unit("\u{feff}[Service]\rA=1\rB=2");
        assert_eq!(cr.get_last("Service", "B").unwrap().value, "2");
    }

    const ENV_FILE: &str = "# generated
 ; other comment
KEY=value  \t
 SPACED = \"quoted value\" tail
SINGLE='it''s'
CONT=first\\
second
MULTI=\"line1
line2\"
export BAD=1
NOEQ
ESC=a\\\"b
DQ=\"x\\$y\\n\"
LITERAL=x \"y\"
KEY=later
EMPTY=
LAST='unterminated";

    #[test]
    fn environment_file() {
        let (entries, comments) = parse_environment_file(ENV_FILE);
        let pairs: Vec<_> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("KEY", "value"),
                ("SPACED", "quoted valuetail"),
                ("SINGLE", "its"),
                ("CONT", "firstsecond"),
                ("MULTI", "line1\nline2"),
                ("export BAD", "1"),
                ("ESC", "a\"b"),
                ("DQ", "x$y\\n"),
                ("LITERAL", "x \"y\""),
                ("KEY", "later"),
                ("EMPTY", ""),
                ("LAST", "unterminated"),
            ]
        );
        assert_eq!(slice(ENV_FILE, entries[0].span), "KEY=value");
        assert_eq!(
            slice(ENV_FILE, entries[1].span),
            "SPACED = \"quoted value\" tail"
        );
        assert_eq!(slice(ENV_FILE, entries[3].span), "CONT=first\\\nsecond");
        assert_eq!(slice(ENV_FILE, entries[10].span), "EMPTY=");
        let (escaped, _) = parse_environment_file("A=x\\ \n");
        assert_eq!(escaped[0].value, "x ");
        assert_eq!(escaped[0].span, Span { start: 0, end: 5 });
        let texts: Vec<_> = comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, [" generated", " other comment"]);
        assert_eq!(slice(ENV_FILE, comments[1].span), "; other comment");
        assert!(!env_name_is_valid(&entries[5].key));
        let (crlf, _) = parse_environment_file("A=1\r\nB=\"x y\"\r\n#c\r\n");
        assert_eq!(crlf.len(), 2);
        assert_eq!(crlf[1].value, "x y");
        // A lone CR ends the line (OpenClaw would read one value "a\rB=2").
        let (cr, _) = parse_environment_file("CR=a\rB=2\n");
        assert_eq!((cr[0].value.as_str(), cr[1].key.as_str()), ("a", "B"));
        let (nul, _) = parse_environment_file("A=1\nB=2\0C=3\n");
        assert_eq!(nul.last().unwrap().value, "2");
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            split_shell_words(r#"exec 'a b' "c \"d\" \x" e\ f # comment"#).unwrap(),
            args(&["exec", "a b", "c \"d\" \\x", "e f"])
        );
        assert_eq!(split_shell_words("a$ b").unwrap(), args(&["a$", "b"]));
        assert_eq!(split_shell_words("''").unwrap(), args(&[""]));
        for bad in [
            "a $(b)",
            "a `b`",
            "a | b",
            "a; b",
            "a && b",
            "a > f",
            "a 2>&1",
            "a < f",
            "(a)",
            "a $X",
            "a \"${X}\"",
            "a 'open",
            "a \"open",
            "a\nb",
        ] {
            assert_eq!(split_shell_words(bad), None, "{bad}");
        }
    }

    /// Inputs built from every prefix of the samples, from pseudo-random bytes and from
    /// pseudo-random mixes of the characters the parsers treat specially.
    fn fuzz_inputs() -> Vec<String> {
        let mut inputs = Vec::new();
        for sample in [OPENCLAW_UNIT, HAND_WRITTEN, ENV_FILE] {
            for (i, _) in sample.char_indices() {
                inputs.push(sample[..i].to_string());
            }
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet: Vec<char> = "\\\"' ;%$={}[]#\n\r\t\0-@:+!xhn01é«".chars().collect();
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
            let mix: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            inputs.push(mix);
        }
        inputs
    }

    #[test]
    fn never_panics_and_spans_stay_in_bounds() {
        let ctx = SpecifierContext {
            home: "/h".into(),
            user: None,
            unit_name: "a@b.service".into(),
        };
        for input in fuzz_inputs() {
            let unit = parse_unit(&input);
            for d in unit.sections.iter().flat_map(|s| &s.entries) {
                slice(&input, d.span);
                slice(&input, d.value_span);
            }
            for c in &unit.comments {
                slice(&input, c.span);
            }
            for (_, _, span) in effective_environment(&unit) {
                slice(&input, span);
            }
            let _ = restart_policy(&unit);
            let _ = unset_environment(&unit);
            let _ = environment_files(&unit);
            if let Ok(cmd) = split_exec(&input) {
                let _ = port_from_args(&cmd.argv);
                let _ = expand_exec_variables(&cmd.argv, &[]);
            }
            for (_, _, span) in parse_environment(&input).0 {
                slice(&input, span);
            }
            let (entries, comments) = parse_environment_file(&input);
            for span in entries
                .iter()
                .map(|e| e.span)
                .chain(comments.iter().map(|c| c.span))
            {
                slice(&input, span);
            }
            let _ = expand_specifiers(&input, &ctx);
            let _ = split_shell_words(&input);
            let _ = glob_literal(&input);
            let _ = parse_environment_file_ref(&input);
        }
    }
}
