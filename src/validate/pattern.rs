//! Schema `pattern`s: most of them (`^[a-z0-9][a-z0-9_-]{0,63}$`, `^\d+$`, `^https?:\/\/`) are a
//! start anchor, a row of ASCII character classes with counts, and maybe an end anchor. Those
//! are answered by a small matcher here, exactly as the regex answers them (tests/patterns in
//! this module compare the two on every pattern of the embedded schemas); compiling a regex
//! costs more than a one-gateway run spends on everything else in validation. Any other pattern
//! (groups, alternatives, lookarounds, `\s`, `\p{..}`) is compiled with fancy-regex, once per run.

/// A pattern in the subset: `^`, atoms, then `$` (or nothing: a prefix match).
#[derive(Debug, Clone, PartialEq)]
pub struct Simple {
    atoms: Vec<Atom>,
    /// Whether it ends with `$` (else any text may follow the atoms).
    end: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Atom {
    set: Set,
    min: usize,
    /// `None`: no upper bound.
    max: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Set {
    Char(char),
    /// `.`: any character but `\n` (the regex crate's meaning, without the `s` flag).
    AnyButNewline,
    /// `[..]` / `[^..]` of ASCII characters and ranges.
    Class {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
}

impl Set {
    fn contains(&self, c: char) -> bool {
        match self {
            Set::Char(x) => *x == c,
            Set::AnyButNewline => c != '\n',
            Set::Class { negated, ranges } => {
                let inside = u8::try_from(c)
                    .ok()
                    .is_some_and(|b| ranges.iter().any(|&(lo, hi)| lo <= b && b <= hi));
                inside != *negated
            }
        }
    }
}

/// ASCII punctuation that stands for itself after a backslash, in and out of classes (the
/// regex crate accepts these escapes; `translate_pattern` keeps them as they are, except `\/`).
fn escaped_literal(c: char) -> bool {
    matches!(
        c,
        '/' | '.'
            | '+'
            | '-'
            | '*'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '|'
            | '^'
            | '$'
            | '\\'
    )
}

/// A literal outside a class: printable ASCII that is not a metacharacter of either syntax.
fn plain_literal(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '_' | '-'
                | ':'
                | '/'
                | '@'
                | '#'
                | '!'
                | '%'
                | '='
                | ','
                | ';'
                | '\''
                | '"'
                | '<'
                | '>'
                | '`'
                | '~'
                | '&'
                | ' '
        )
}

/// Characters allowed as themselves inside a class (not `[`, `]`, `\`, `&`, `~`, `^`, `-`,
/// which are special there in one syntax or the other).
fn class_literal(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '[' | ']' | '\\' | '&' | '~' | '^' | '-')
}

impl Simple {
    /// The pattern (ECMAScript syntax, as in the schema) when it is in the subset.
    pub fn parse(pattern: &str) -> Option<Simple> {
        let rest = pattern.strip_prefix('^')?;
        let chars: Vec<char> = rest.chars().collect();
        let mut i = 0;
        let mut atoms = Vec::new();
        let mut end = false;
        while i < chars.len() {
            let c = chars[i];
            let set = match c {
                '$' if i + 1 == chars.len() => {
                    end = true;
                    i += 1;
                    break;
                }
                '.' => {
                    i += 1;
                    Set::AnyButNewline
                }
                '\\' => {
                    let e = *chars.get(i + 1)?;
                    i += 2;
                    match e {
                        'd' => Set::Class {
                            negated: false,
                            ranges: vec![(b'0', b'9')],
                        },
                        e if escaped_literal(e) => Set::Char(e),
                        _ => return None,
                    }
                }
                '[' => {
                    let (set, next) = class(&chars, i + 1)?;
                    i = next;
                    set
                }
                c if plain_literal(c) => {
                    i += 1;
                    Set::Char(c)
                }
                _ => return None,
            };
            let (min, max, next) = quantifier(&chars, i)?;
            i = next;
            atoms.push(Atom { set, min, max });
        }
        (i == chars.len()).then_some(Simple { atoms, end })
    }

    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.fixed_then_last(text)
            .unwrap_or_else(|| self.by_positions(text))
    }

    /// [`Simple::is_match`] of a pattern whose atoms but the last each match a fixed count
    /// (`^[a-z0-9][a-z0-9_-]{0,63}$`, `^\d+$`, most of the schema's): only one position is
    /// reachable before the last atom, so the text is walked once, with nothing allocated
    /// (the positions' lists cost four allocations a string, for a record's every key).
    /// `None` for any other pattern.
    fn fixed_then_last(&self, text: &str) -> Option<bool> {
        let (last, fixed) = self.atoms.split_last()?;
        if fixed.iter().any(|atom| atom.max != Some(atom.min)) {
            return None;
        }
        let mut chars = text.chars();
        for atom in fixed {
            for _ in 0..atom.min {
                match chars.next() {
                    Some(c) if atom.set.contains(c) => {}
                    _ => return Some(false),
                }
            }
        }
        // The last atom's longest run from here, and whether it reaches the end of the text.
        let mut run = 0;
        let mut to_end = true;
        for c in chars {
            if !last.set.contains(c) {
                to_end = false;
                break;
            }
            run += 1;
        }
        if run < last.min {
            return Some(false);
        }
        Some(!self.end || (to_end && last.max.is_none_or(|max| run <= max)))
    }

    /// Whether `text` matches: the positions each atom can end at, atom by atom, in time linear
    /// in the text for each atom (no backtracking).
    fn by_positions(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut reach = vec![false; n + 1];
        reach[0] = true;
        let mut run = vec![0usize; n + 1];
        let mut diff = vec![0isize; n + 2];
        for atom in &self.atoms {
            // run[p]: how many characters from p on are in the set.
            run[n] = 0;
            for p in (0..n).rev() {
                run[p] = if atom.set.contains(chars[p]) {
                    run[p + 1] + 1
                } else {
                    0
                };
            }
            diff.iter_mut().for_each(|d| *d = 0);
            let mut any = false;
            for p in 0..=n {
                if !reach[p] || run[p] < atom.min {
                    continue;
                }
                let longest = atom.max.map_or(run[p], |max| max.min(run[p]));
                diff[p + atom.min] += 1;
                diff[p + longest + 1] -= 1;
                any = true;
            }
            if !any {
                return false;
            }
            let mut open = 0;
            for (p, r) in reach.iter_mut().enumerate() {
                open += diff[p];
                *r = open > 0;
            }
        }
        match self.end {
            true => reach[n],
            false => reach.contains(&true),
        }
    }
}

/// A class from just after its `[` to just after its `]`.
fn class(chars: &[char], mut i: usize) -> Option<(Set, usize)> {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let item = |i: &mut usize| -> Option<u8> {
        let c = *chars.get(*i)?;
        if c == '\\' {
            let e = *chars.get(*i + 1)?;
            *i += 2;
            return (escaped_literal(e) && e != '^').then_some(e as u8);
        }
        *i += 1;
        class_literal(c).then_some(c as u8)
    };
    loop {
        match chars.get(i)? {
            ']' if !ranges.is_empty() => return Some((Set::Class { negated, ranges }, i + 1)),
            // A `-` first or last is itself.
            '-' if ranges.is_empty() || chars.get(i + 1) == Some(&']') => {
                ranges.push((b'-', b'-'));
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'d') => {
                ranges.push((b'0', b'9'));
                i += 2;
            }
            _ => {
                let lo = item(&mut i)?;
                if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
                    i += 1;
                    let hi = item(&mut i)?;
                    if hi < lo {
                        return None;
                    }
                    ranges.push((lo, hi));
                } else {
                    ranges.push((lo, lo));
                }
            }
        }
    }
}

/// The quantifier at `i` (none: exactly once): `(min, max, next)`.
fn quantifier(chars: &[char], i: usize) -> Option<(usize, Option<usize>, usize)> {
    let (min, max, next) = match chars.get(i) {
        Some('*') => (0, None, i + 1),
        Some('+') => (1, None, i + 1),
        Some('?') => (0, Some(1), i + 1),
        Some('{') => {
            let close = i + chars[i..].iter().position(|c| *c == '}')?;
            let inner: String = chars[i + 1..close].iter().collect();
            let number = |s: &str| -> Option<usize> {
                (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            };
            let (min, max) = match inner.split_once(',') {
                None => {
                    let n = number(&inner)?;
                    (n, Some(n))
                }
                Some((lo, "")) => (number(lo)?, None),
                Some((lo, hi)) => (number(lo)?, Some(number(hi)?)),
            };
            if max.is_some_and(|max| max < min) {
                return None;
            }
            (min, max, close + 1)
        }
        _ => return Some((1, Some(1), i)),
    };
    // A lazy or possessive quantifier, or a quantifier of a quantifier: not in the subset.
    match chars.get(next) {
        Some('?' | '+' | '*' | '{') => None,
        _ => Some((min, max, next)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every distinct `pattern` of the embedded schemas.
    fn schema_patterns() -> Vec<String> {
        let data = include_str!("../../data/openclaw-schemas.jsonl");
        let mut out = std::collections::BTreeSet::new();
        fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(p)) = map.get("pattern") {
                        out.insert(p.clone());
                    }
                    if let Some(serde_json::Value::Object(pp)) = map.get("patternProperties") {
                        out.extend(pp.keys().cloned());
                    }
                    map.values().for_each(|v| walk(v, out));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        for line in data.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                walk(&v, &mut out);
            }
        }
        out.into_iter().collect()
    }

    /// Texts that probe each pattern: every string made of the pattern's own characters and a
    /// few others, up to a length, plus prefixes and variations of real values.
    fn probes(pattern: &str) -> Vec<String> {
        let mut alphabet: Vec<char> = pattern
            .chars()
            .filter(|c| !matches!(c, '^' | '$' | '\\' | '[' | ']' | '{' | '}'))
            .collect();
        alphabet.extend([
            'a', 'Z', '0', '9', '-', '_', '.', '/', ' ', '\n', 'é', '\u{3000}',
        ]);
        alphabet.sort();
        alphabet.dedup();
        let mut out = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for s in &layer {
                for c in &alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            out.extend(next.iter().cloned());
            layer = next;
        }
        for base in [
            "https://example.com",
            "http://x",
            "HTTPS://a",
            "wss://h",
            "ghp_0123456789abcdef0123456789abcdef",
            "ghp_0123456789abcdef0123456789abcdeg",
            "+14155550123",
            "+0415",
            "#a0b1c2",
            "a0b1c2",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "0f8fad5b-d9cb-669f-a165-70867728950e",
            "main",
            "my-agent_1",
            "Main",
            "SOME_ENV_1",
            "_x",
            "1,2",
            "a.b",
            "a[b]",
            "/abs/path",
            "12345",
            "١٢",
        ] {
            out.push(base.to_string());
            out.push(format!("{base}\n"));
            out.push(format!(" {base}"));
            for k in 0..base.len() {
                if base.is_char_boundary(k) {
                    out.push(base[..k].to_string());
                }
            }
        }
        for n in [62, 63, 64, 65, 127, 128, 129] {
            out.push("a".repeat(n));
            out.push(format!("A{}", "B".repeat(n)));
            out.push(format!("a{}", "0".repeat(n)));
        }
        out
    }

    /// The one-walk answer, where it answers, is the positions' answer.
    #[test]
    fn a_fixed_row_then_one_atom_answers_as_the_positions_do() {
        let mut patterns = schema_patterns();
        patterns.extend(
            [
                "^a",
                "^a$",
                "^[ab]{2}c*$",
                "^x{0}y+",
                "^\\d{3}$",
                "^$",
                "^",
                "^.{2,3}$",
            ]
            .map(String::from),
        );
        let mut answered = 0;
        for p in &patterns {
            let Some(s) = Simple::parse(p) else { continue };
            for text in probes(p) {
                if let Some(quick) = s.fixed_then_last(&text) {
                    answered += 1;
                    assert_eq!(quick, s.by_positions(&text), "pattern {p:?} on {text:?}");
                }
            }
        }
        assert!(answered > 10_000, "{answered}");
    }

    #[test]
    fn the_subset_answers_as_the_regex_does_on_every_schema_pattern() {
        let patterns = schema_patterns();
        assert!(patterns.len() > 30, "{}", patterns.len());
        let mut simple = 0;
        for p in &patterns {
            let Some(s) = Simple::parse(p) else { continue };
            simple += 1;
            let re = fancy_regex::Regex::new(&super::super::schema::translate_pattern(p))
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            for text in probes(p) {
                assert_eq!(
                    s.is_match(&text),
                    re.is_match(&text).unwrap(),
                    "pattern {p:?} on {text:?}"
                );
            }
        }
        // The ones a one-gateway check meets (agent ids, profile names) are among them.
        assert!(simple >= 20, "{simple} of {}", patterns.len());
        for p in ["^[a-z0-9-]+$", "^[a-z0-9_][a-z0-9_-]{0,63}$", "^\\d+$"] {
            assert!(Simple::parse(p).is_some(), "{p}");
        }
    }

    /// The release binary's fancy-regex has only the Unicode tables these patterns need (see
    /// Cargo.toml): `\s`, `\S` (unicode-perl) and `\p{Cc}`, `\p{Cs}` (unicode-gencat). A
    /// pattern that needed another (`(?i)`, `\w`, `\b`, another property) would fail to
    /// compile there and accept every value. `cargo test` cannot see that (jsonschema, a
    /// dev-dependency, turns fancy-regex's default features back on), so this reads the
    /// patterns instead: none uses anything else.
    #[test]
    fn schema_patterns_need_no_unicode_table_the_binary_lacks() {
        for p in schema_patterns() {
            let p = super::super::schema::translate_pattern(&p);
            assert!(!p.contains("(?i"), "{p}");
            let mut chars = p.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    continue;
                }
                match chars.next() {
                    Some('w' | 'W' | 'b' | 'B') => panic!("{p}"),
                    Some('p' | 'P') => {
                        let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                        assert!(["{Cc", "{Cs"].contains(&name.as_str()), "{p}: {name}");
                    }
                    _ => {}
                }
            }
        }
    }

    /// Every pattern OpenClaw's schemas hold compiles: one that did not would accept every
    /// value (`Schema::matches`). Answers recorded with node's `new RegExp(p, "u").test`.
    #[test]
    fn every_schema_pattern_compiles_and_answers_as_ecmascript() {
        for p in schema_patterns() {
            let translated = super::super::schema::translate_pattern(&p);
            assert!(
                fancy_regex::Regex::new(&translated).is_ok(),
                "{p} as {translated}"
            );
        }
        let answers = |p: &str, cases: &[(&str, bool)]| {
            let re = fancy_regex::Regex::new(&super::super::schema::translate_pattern(p)).unwrap();
            for (text, want) in cases {
                assert_eq!(re.is_match(text).unwrap(), *want, "{p} on {text:?}");
            }
        };
        answers(
            "^[^.[\\]]+$",
            &[
                ("a", true),
                ("ab", true),
                ("/x", true),
                ("a.b", false),
                ("a[b", false),
                ("a]b", false),
                ("", false),
            ],
        );
        answers(
            "^\\/(?!\\/)[^\\0]*[^/\\0]$",
            &[
                ("/x", true),
                ("//x", false),
                ("/x/", false),
                ("/a\u{0}b", false),
                ("/", false),
                ("a", false),
            ],
        );
        answers("^[^]$", &[("\n", true), ("", false)]);
        answers("^a[]$", &[("a", false)]);
        answers(
            "^[+--]$",
            &[("+", true), (",", true), ("-", true), ("a", false)],
        );
    }

    #[test]
    fn outside_the_subset() {
        for p in [
            "^(?!\\s)(?![\\s\\S]*\\s$)[^\\p{Cs}]{1,64}$",
            "^(github|profile):[^\\s:]+$",
            "^svc:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
            "^[^.[\\]]+$",
            "[?#]",
            "\\S",
            "^a+?$",
            "^[a--b]$",
            "^[a&&b]$",
            "^[z-a]$",
        ] {
            assert_eq!(Simple::parse(p), None, "{p}");
        }
    }

    #[test]
    fn hand_written_cases() {
        let m = |p: &str, t: &str| Simple::parse(p).unwrap().is_match(t);
        assert!(m("^[a-z0-9-]+$", "rescue-1"));
        assert!(!m("^[a-z0-9-]+$", ""));
        assert!(!m("^[a-z0-9-]+$", "Rescue"));
        assert!(!m("^[a-z0-9-]+$", "a\n"));
        assert!(m("^[a-z0-9_][a-z0-9_-]{0,63}$", &"a".repeat(64)));
        assert!(!m("^[a-z0-9_][a-z0-9_-]{0,63}$", &"a".repeat(65)));
        assert!(m("^https?:\\/\\/", "https://x and more"));
        assert!(!m("^https?:\\/\\/", "ftp://x"));
        assert!(m("^\\d+$", "0123"));
        assert!(!m("^\\d+$", "١٢"));
        assert!(m("^[^,]+$", "é x"));
        assert!(!m("^[^,]+$", "a,b"));
    }
}
