//! `Exec=` split into words as Podman's generator splits it: `UnitFile.LookupLastArgs` calls
//! `splitString(value, WhitespaceSeparators, SplitRelax|SplitUnquote|SplitCUnescape)`
//! (pkg/systemd/parser/split.go, containers/podman c6580b4, a Go port of systemd's
//! `extract_first_word`). Not a shell's reading: where they part,
//!
//! - C escapes are decoded, inside quotes too: `\n`, `\t`, `\s` (a space), `\x41`, `\101`,
//!   `\u00e9`, `\U0001f600`; `'a\tb'` holds a tab (a shell keeps `\t` in single quotes);
//! - any other escaped character (`\q`, `\$`, `\ `, `\x0`) is an error: podman then drops
//!   `Exec=` altogether, warns, and runs the image's own command;
//! - an empty word (`""`, `''`) ends the list: the words after it are lost (the Go port
//!   returns "no more words" for an empty one);
//! - an unbalanced quote runs to the end of the line, a trailing `\` is dropped (`SplitRelax`);
//! - `#`, `$`, `;`, `|`, `&`, `<`, `>`, `(`, `)` and `` ` `` are plain characters;
//! - only space, tab, `\n` and `\r` separate words; a NUL byte ends the value.

/// Why podman drops an `Exec=` it cannot split (its error text).
pub const UNSUPPORTED_ESCAPE: &str = "unsupported escape char";

/// The words of `value` (`Err`: podman ignores the key, see the module doc).
pub fn exec_words(value: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut rest = value.as_bytes();
    loop {
        match first_word(rest)? {
            Some((word, remaining)) => {
                words.push(String::from_utf8_lossy(&word).into_owned());
                rest = remaining;
            }
            None => return Ok(words),
        }
    }
}

fn is_separator(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// A word, and what follows it.
type Word<'a> = (Vec<u8>, &'a [u8]);

/// `extractFirstWord` with those flags: the first word and what follows it, or `None` when
/// there is no word (or only an empty one).
fn first_word(input: &[u8]) -> Result<Option<Word<'_>>, &'static str> {
    // Go reads a byte past the end as 0, and stops at a NUL byte as at the end.
    let at = |p: usize| input.get(p).copied().unwrap_or(0);
    let mut p = input
        .iter()
        .position(|&c| !is_separator(c))
        .unwrap_or(input.len());
    let mut word = Vec::new();
    let mut quote = 0u8;
    loop {
        let c = at(p);
        if c == 0 {
            break;
        }
        if quote != 0 {
            match c {
                _ if c == quote => quote = 0,
                b'\\' => p += unescape(&input[p + 1..], &mut word)?,
                _ => word.push(c),
            }
        } else {
            match c {
                b'\'' | b'"' => quote = c,
                b'\\' => p += unescape(&input[p + 1..], &mut word)?,
                _ if is_separator(c) => {
                    let next = p + input[p..].iter().take_while(|&&c| is_separator(c)).count();
                    return Ok((!word.is_empty()).then_some((word, &input[next..])));
                }
                _ => word.push(c),
            }
        }
        p += 1;
    }
    Ok((!word.is_empty()).then_some((word, &input[input.len()..])))
}

/// The escape after a `\` (`after`: what follows the backslash), decoded onto `word`
/// (`cUnescapeOne` without NUL); the count of bytes it took. Nothing after the backslash:
/// dropped (`SplitRelax`).
fn unescape(after: &[u8], word: &mut Vec<u8>) -> Result<usize, &'static str> {
    let Some(&c) = after.first().filter(|&&c| c != 0) else {
        return Ok(0);
    };
    let simple = match c {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' | b'"' | b'\'' => Some(c),
        b's' => Some(b' '),
        _ => None,
    };
    if let Some(byte) = simple {
        word.push(byte);
        return Ok(1);
    }
    let (code, taken) = match c {
        b'x' => (number(after.get(1..3), 16), 3),
        b'u' => (number(after.get(1..5), 16), 5),
        b'U' => (number(after.get(1..9), 16).filter(|&c| c <= 0x10ffff), 9),
        b'0'..=b'7' => (number(after.get(0..3), 8).filter(|&c| c <= 255), 3),
        _ => (None, 0),
    };
    let code = code.filter(|&c| c != 0).ok_or(UNSUPPORTED_ESCAPE)?;
    // Go's `WriteRune`: a code that is no character (a surrogate) is written as U+FFFD.
    let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    word.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
    Ok(taken)
}

/// The digits of `radix` in `digits` (all of them must be), as a number.
fn number(digits: Option<&[u8]>, radix: u32) -> Option<u32> {
    digits?.iter().try_fold(0u32, |n, &d| {
        Some(n * radix + char::from(d).to_digit(radix)?)
    })
}

#[cfg(test)]
mod tests {
    use super::exec_words;

    fn words(value: &str) -> Vec<String> {
        exec_words(value).unwrap_or_else(|e| panic!("{value:?}: {e}"))
    }

    /// Each case where podman's split and a POSIX shell's part, with both readings.
    #[test]
    fn splits_as_podman_not_as_a_shell() {
        for (value, podman, shell) in [
            // C escapes decoded, outside and inside quotes.
            (
                r"gateway --bind\slan",
                vec!["gateway", "--bind lan"],
                "--bindslan",
            ),
            (r"a\tb", vec!["a\tb"], "atb"),
            (r"'a\tb'", vec!["a\tb"], r"a\tb"),
            (r#""\x41\101\u00e9""#, vec!["AAé"], r"\x41\101\u00e9"),
            (r"\U0001F600", vec!["\u{1f600}"], "U0001F600"),
            // A surrogate is written as U+FFFD.
            (r"\uD800", vec!["\u{fffd}"], "uD800"),
            // An empty word ends the list.
            (r#"gateway "" --port 19000"#, vec!["gateway"], ""),
            ("gateway '' --port 19000", vec!["gateway"], ""),
            // Unbalanced quote and trailing backslash relaxed.
            (
                r#"gateway "--port 19000"#,
                vec!["gateway", "--port 19000"],
                "",
            ),
            (
                "gateway --port 19000 \\",
                vec!["gateway", "--port", "19000"],
                "",
            ),
            // Shell syntax is plain text.
            (
                "gateway # --port 1",
                vec!["gateway", "#", "--port", "1"],
                "",
            ),
            (
                "gateway;--port=1 $X|y",
                vec!["gateway;--port=1", "$X|y"],
                "",
            ),
            // Only " \t\n\r" separate.
            ("a\rb\u{a0}c", vec!["a", "b\u{a0}c"], ""),
            // A NUL byte ends the value.
            ("a b\0c d", vec!["a", "b"], ""),
            // Quotes joined with the word around them, as in a shell.
            (r#"--port="19000"x"#, vec!["--port=19000x"], "--port=19000x"),
            ("  lead   trail  ", vec!["lead", "trail"], ""),
            (r#"it\'s \\ \""#, vec!["it's", "\\", "\""], ""),
        ] {
            assert_eq!(words(value), podman, "{value:?}");
            if !shell.is_empty() {
                let split = crate::openclaw::split_shell_words(value).unwrap_or_default();
                assert!(split.iter().any(|w| w == shell), "{value:?}: {split:?}");
            }
        }
        assert!(words("").is_empty());
        assert!(words(" \t ").is_empty());
    }

    /// An escape `cUnescapeOne` does not know, or a NUL, fails the whole value.
    #[test]
    fn an_unknown_escape_fails_the_value() {
        for value in [
            r"gateway \q",
            r"gateway \$HOME",
            r"gateway\ x",
            r"\x0",
            r"\x00",
            r"\000",
            r"\400",
            r"\u12",
            r"\U00110000",
            r"'\z'",
            "\\\u{e9}",
        ] {
            assert_eq!(
                exec_words(value),
                Err(super::UNSUPPORTED_ESCAPE),
                "{value:?}"
            );
        }
    }
}
