//! Compose's variable interpolation, as the Compose specification defines it: `$VAR`,
//! `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?err}`,
//! `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, nesting in defaults, and `$$` for a literal `$`.
//! Values come from the project `.env` (clawlint cannot see the shell that runs compose).

use crate::redact::shown_key;

/// What one string became.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Interpolated {
    pub value: String,
    /// Variables used with no value and no default: Compose warns and uses "".
    pub missing: Vec<String>,
    /// `${VAR:?message}` whose variable has no value: Compose refuses to start.
    pub required: Vec<(String, String)>,
    /// Every variable the string read (for provenance).
    pub used: Vec<String>,
    /// A `$` Compose rejects ("invalid interpolation format").
    pub invalid: Option<String>,
}

/// The 1-based character position of byte `at` in `input`: a message names where a value
/// goes wrong without repeating the value, which may be a secret.
fn character(input: &str, at: usize) -> usize {
    input[..at].chars().count() + 1
}

/// How deep `${A:-${B:-${C}}}` may nest.
const MAX_NESTING: usize = 16;

pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolated {
    let mut out = Interpolated::default();
    out.value = expand(input, lookup, &mut out, 0);
    out
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// `input` with its references replaced. Read by bytes: `$`, braces and names are ASCII, and
/// no byte of a longer character is one of them; text between references is copied whole.
fn expand(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Interpolated,
    depth: usize,
) -> String {
    let bytes = input.as_bytes();
    let mut result = String::with_capacity(input.len());
    let mut i = 0;
    while let Some(dollar) = input[i..].find('$') {
        result.push_str(&input[i..i + dollar]);
        i += dollar;
        match bytes.get(i + 1).map(|&b| char::from(b)) {
            Some('$') => {
                result.push('$');
                i += 2;
            }
            Some(n) if is_name_start(n) => {
                let start = i + 1;
                let end = start
                    + bytes[start..]
                        .iter()
                        .take_while(|&&b| is_name_char(char::from(b)))
                        .count();
                let name = &input[start..end];
                out.used.push(name.to_string());
                match lookup(name) {
                    Some(v) => result.push_str(&v),
                    None => out.missing.push(name.to_string()),
                }
                i = end;
            }
            Some('{') => {
                let Some(close) = matching_brace(bytes, i + 1) else {
                    out.invalid.get_or_insert_with(|| {
                        format!("unterminated ${{ at character {}", character(input, i))
                    });
                    result.push_str(&input[i..]);
                    return result;
                };
                result.push_str(&braced(&input[i + 2..close], lookup, out, depth));
                i = close + 1;
            }
            _ => {
                // Compose rejects a `$` that starts nothing ("invalid interpolation format").
                out.invalid.get_or_insert_with(|| {
                    let at = character(input, i);
                    format!("a lone $ at character {at} (write $$ for a literal $)")
                });
                result.push('$');
                i += 1;
            }
        }
    }
    result.push_str(&input[i..]);
    result
}

fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn braced(
    inner: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Interpolated,
    depth: usize,
) -> String {
    let name_len = inner
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(inner.len(), |(i, _)| i);
    let (name, rest) = inner.split_at(name_len);
    if name.is_empty() || !name.starts_with(is_name_start) {
        out.invalid
            .get_or_insert_with(|| format!("invalid variable name in ${{{}}}", shown_key(inner)));
        return String::new();
    }
    out.used.push(name.to_string());
    let value = lookup(name);
    let nested = |text: &str, out: &mut Interpolated| {
        if depth >= MAX_NESTING {
            out.invalid
                .get_or_insert_with(|| "interpolation nested too deeply".to_string());
            return String::new();
        }
        expand(text, lookup, out, depth + 1)
    };
    let set_and_nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
    if rest.is_empty() {
        return match value {
            Some(v) => v,
            None => {
                out.missing.push(name.to_string());
                String::new()
            }
        };
    }
    let (op, arg) = if let Some(arg) = rest.strip_prefix(":-") {
        (":-", arg)
    } else if let Some(arg) = rest.strip_prefix(":?") {
        (":?", arg)
    } else if let Some(arg) = rest.strip_prefix(":+") {
        (":+", arg)
    } else if let Some(arg) = rest.strip_prefix('-') {
        ("-", arg)
    } else if let Some(arg) = rest.strip_prefix('?') {
        ("?", arg)
    } else if let Some(arg) = rest.strip_prefix('+') {
        ("+", arg)
    } else {
        out.invalid.get_or_insert_with(|| {
            format!("invalid interpolation format ${{{}}}", shown_key(inner))
        });
        return String::new();
    };
    match op {
        ":-" if set_and_nonempty => value.unwrap_or_default(),
        ":-" => nested(arg, out),
        "-" => match value {
            Some(v) => v,
            None => nested(arg, out),
        },
        ":?" | "?" => {
            let ok = if op == ":?" {
                set_and_nonempty
            } else {
                value.is_some()
            };
            if ok {
                value.unwrap_or_default()
            } else {
                let message = nested(arg, out);
                out.required.push((name.to_string(), message));
                String::new()
            }
        }
        ":+" if set_and_nonempty => nested(arg, out),
        "+" if value.is_some() => nested(arg, out),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    /// A text with no `$` is its own value and reads, misses and rejects nothing: what the
    /// compose reader takes without interpolating it (`Reader::interpolate`).
    #[test]
    fn text_without_a_dollar_is_its_own_value() {
        let lookup = env(&[("A", "1")]);
        for text in [
            "",
            "node",
            "127.0.0.1:10001:18789",
            "{A}",
            "a{b}c",
            "caf\u{e9} ~/x",
        ] {
            let got = interpolate(text, &lookup);
            let alone = Interpolated {
                value: text.to_string(),
                ..Interpolated::default()
            };
            assert_eq!(got, alone, "{text:?}");
        }
    }

    /// [`expand`] as it was written before it read bytes (over a `Vec<char>`, one character
    /// at a time): what it must still give.
    fn expand_by_chars(
        input: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
        out: &mut Interpolated,
        depth: usize,
    ) -> String {
        fn matching(chars: &[char], open: usize) -> Option<usize> {
            let mut depth = 0usize;
            for (i, c) in chars.iter().enumerate().skip(open) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        let mut result = String::new();
        let chars: Vec<char> = input.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '$' {
                result.push(c);
                i += 1;
                continue;
            }
            match chars.get(i + 1) {
                Some('$') => {
                    result.push('$');
                    i += 2;
                }
                Some(&n) if is_name_start(n) => {
                    let mut end = i + 1;
                    while end < chars.len() && is_name_char(chars[end]) {
                        end += 1;
                    }
                    let name: String = chars[i + 1..end].iter().collect();
                    out.used.push(name.clone());
                    match lookup(&name) {
                        Some(v) => result.push_str(&v),
                        None => out.missing.push(name),
                    }
                    i = end;
                }
                Some('{') => {
                    let Some(close) = matching(&chars, i + 1) else {
                        out.invalid.get_or_insert_with(|| {
                            format!("unterminated ${{ at character {}", i + 1)
                        });
                        result.extend(&chars[i..]);
                        break;
                    };
                    let inner: String = chars[i + 2..close].iter().collect();
                    // The braced forms are read by the same `braced` (and what they nest by
                    // the new `expand`): only the reading of the text around them changed.
                    result.push_str(&braced(&inner, lookup, out, depth));
                    i = close + 1;
                }
                _ => {
                    out.invalid.get_or_insert_with(|| {
                        format!("a lone $ at character {} (write $$ for a literal $)", i + 1)
                    });
                    result.push('$');
                    i += 1;
                }
            }
        }
        result
    }

    #[test]
    fn reading_bytes_gives_what_reading_characters_gave() {
        const PIECES: [&str; 22] = [
            "$",
            "$$",
            "{",
            "}",
            "${",
            ":-",
            "-",
            ":?",
            "?",
            ":+",
            "+",
            "SET",
            "EMPTY",
            "UNSET",
            "_x1",
            "9",
            "é",
            "€",
            "\u{1f600}",
            " ",
            "/",
            ":",
        ];
        let e = env(&[("SET", "v€"), ("EMPTY", ""), ("_x1", "ü")]);
        let mut rng = crate::xorshift::Rng(0x5eed_0fd0_11a2_5bad);
        for _ in 0..50_000 {
            let len = rng.below(12);
            let input: String = (0..len)
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            let mut old = Interpolated::default();
            old.value = expand_by_chars(&input, &e, &mut old, 0);
            assert_eq!(interpolate(&input, &e), old, "{input:?}");
        }
    }

    #[test]
    fn the_specification_table() {
        let e = env(&[("SET", "v"), ("EMPTY", "")]);
        let cases = [
            ("${SET}", "v"),
            ("$SET/x", "v/x"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:-d}", "v"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("${UNSET:-${SET}}", "v"),
            ("${UNSET:-${ALSO:-deep}}", "deep"),
            ("127.0.0.1:${PORT:-18789}:18789", "127.0.0.1:18789:18789"),
        ];
        for (input, want) in cases {
            let got = interpolate(input, &e);
            assert_eq!(got.value, want, "{input}");
            assert!(got.invalid.is_none(), "{input}");
        }
    }

    #[test]
    fn missing_required_and_invalid() {
        let e = env(&[("EMPTY", "")]);
        let got = interpolate("${TOKEN}", &e);
        assert_eq!(got.missing, vec!["TOKEN"]);
        let got = interpolate("${TOKEN:?set TOKEN first}", &e);
        assert_eq!(
            got.required,
            vec![("TOKEN".into(), "set TOKEN first".into())]
        );
        let got = interpolate("${EMPTY?never}", &e);
        assert!(got.required.is_empty());
        let got = interpolate("${EMPTY:?empty}", &e);
        assert_eq!(got.required.len(), 1);
        assert!(interpolate("cost $ 5", &e).invalid.is_some());
        assert!(interpolate("${A", &e).invalid.is_some());
        assert!(interpolate("${A B}", &e).invalid.is_some());
    }
}
