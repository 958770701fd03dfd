//! `Environment=`, `EnvironmentFile=` and `UnsetEnvironment=` as `config_parse_environ()`
//! and systemd.exec(7) read them.

use super::unit::{Directive, UnitFile};
use super::words::extract_word;
use crate::load::json5::Span;

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
        let span = Span::new(word.start, word.end);
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
/// specifiers (`%%`, `%h`) with [`expand_specifiers`](super::expand_specifiers). Invalid
/// assignments are skipped; call [`parse_environment`] on the directives to report them.
///
/// This is not yet the process environment: `EnvironmentFile=` values override these
/// (systemd.exec(7); OpenClaw merges the same way), and `UnsetEnvironment=` removes keys.
pub fn effective_environment(unit: &UnitFile) -> Vec<(String, String, Span)> {
    environment_of(unit, "Service", "Environment")
}

/// [`effective_environment`] of another directive parsed as `Environment=` is
/// (`config_parse_environ()`): the managers' `[Manager]` `DefaultEnvironment=`.
pub fn environment_of(unit: &UnitFile, section: &str, key: &str) -> Vec<(String, String, Span)> {
    let mut env: Vec<(String, String, Span)> = Vec::new();
    // Keys by position: a unit with many assignments costs O(n), not O(n^2).
    let mut index = crate::load::keys::KeyIndex::default();
    for directive in unit.get_all(section, key) {
        if directive.value.is_empty() {
            env.clear();
            index.clear();
            continue;
        }
        for (key, value, span) in parse_environment(&directive.value).0 {
            let entry = (key, value, absolute_span(directive, span));
            match index.place(entry.0.clone(), env.len()) {
                Some(i) => env[i] = entry,
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
    if outer.end() - outer.start() != directive.value.len() {
        return outer;
    }
    Span::new(outer.start() + inner.start(), outer.start() + inner.end())
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
