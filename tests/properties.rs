//! Property tests: invariants that must hold for every input, not just the ones a fixture
//! thought of. Port arithmetic is checked against a straightforward transcription of
//! OpenClaw's JavaScript (`parseGatewayPortEnvValue` in `dist/paths-DehQwyE0.mjs`, with
//! `parseTcpPort` from `dist/tcp-port-BVV_ljmK.mjs`); the loaders must never panic and must
//! only return spans that can be sliced; JSON5 must read every JSON document as serde_json
//! does.
//!
//! Case counts stay moderate (256 to 1000) so the suite stays fast; `PROPTEST_CASES` raises
//! them for a longer local run.

use clawlint::load::env::{substitute, Env, EnvOrigin};
use clawlint::load::json5::{self, Span};
use clawlint::load::{dotenv, json5::Value as J5};
use clawlint::openclaw::{parse_port_env, profile_hash_port};
use clawlint::paths::{
    canonical_key, display_home_relative, expand_tilde, normalize, resolve as resolve_path,
};
use clawlint::resolve::browser::{cdp_range, control_port};
use proptest::prelude::*;

mod common;
use common::TempDir;
use std::path::{Component, Path, PathBuf};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        // Failures are reported in the test output; no regression files in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

/// ECMAScript `String.prototype.trim`: WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP and the Zs
/// category) and LineTerminator (LF, CR, LS, PS).
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `/^\d+$/.test(s)`: `\d` is ASCII only without the `u` flag, `$` is the end of input.
fn js_all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `parseTcpPort` → `parseStrictPositiveInteger` → `parseStrictInteger`: the digits as a
/// `Number`, a safe integer, > 0 and <= 65535. Only ever called on `\d+` here.
fn js_parse_tcp_port(digits: &str) -> Option<u16> {
    assert!(js_all_digits(digits));
    // Number("000123") is 123; a value past 2^53 is not a safe integer (and > 65535 anyway).
    let significant = digits.trim_start_matches('0');
    if significant.len() > 16 {
        return None;
    }
    let value: u64 = if significant.is_empty() {
        0
    } else {
        significant.parse().expect("digits")
    };
    (value > 0 && value <= 65535).then_some(value as u16)
}

/// `parseGatewayPortEnvValue(raw)`, line by line.
fn js_parse_gateway_port_env_value(raw: &str) -> Option<u16> {
    // const trimmed = raw?.trim(); if (!trimmed) return null;
    let trimmed = raw.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return None;
    }
    // if (/^\d+$/.test(trimmed)) return parseTcpPort(trimmed);
    if js_all_digits(trimmed) {
        return js_parse_tcp_port(trimmed);
    }
    // const m = trimmed.match(/^\[[^\]]+\]:(\d+)$/); if (m?.[1]) return parseTcpPort(m[1]);
    if let Some(rest) = trimmed.strip_prefix('[') {
        if let Some(close) = rest.find(']') {
            let (host, after) = (&rest[..close], &rest[close + 1..]);
            if let Some(digits) = after.strip_prefix(':') {
                if !host.is_empty() && js_all_digits(digits) {
                    return js_parse_tcp_port(digits);
                }
            }
        }
    }
    // firstColon <= 0 || firstColon !== lastColon → null; the suffix must be \d+.
    let first = trimmed.find(':')?;
    if first == 0 || trimmed.rfind(':') != Some(first) {
        return None;
    }
    let suffix = &trimmed[first + 1..];
    if !js_all_digits(suffix) {
        return None;
    }
    js_parse_tcp_port(suffix)
}

/// Pieces that port values are made of: digits with and without leading zeros, hosts, colons,
/// brackets, signs, and the whitespace that JS's trim and Rust's trim disagree about.
fn port_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..=70000).prop_map(|n| n.to_string()),
        (0u32..=70000).prop_map(|n| format!("00{n}")),
        Just("99999999999999999999999".to_string()),
        Just(":".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("]:".to_string()),
        Just("::1".to_string()),
        Just("127.0.0.1".to_string()),
        Just("localhost".to_string()),
        Just("+".to_string()),
        Just("-".to_string()),
        Just("1e3".to_string()),
        Just("0x50".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{3000}".to_string()),
        Just("\u{2028}".to_string()),
        // JavaScript's trim removes U+FEFF but not U+0085; Rust's str::trim the opposite.
        Just("\u{feff}".to_string()),
        Just("\u{85}".to_string()),
        Just("٣".to_string()),
        "[a-z0-9.:]{1,4}",
    ]
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn port_env_matches_openclaw(pieces in proptest::collection::vec(port_piece(), 0..6)) {
        let raw = pieces.concat();
        prop_assert_eq!(parse_port_env(&raw), js_parse_gateway_port_env_value(&raw), "{:?}", raw);
    }

    #[test]
    fn port_env_matches_openclaw_on_any_text(raw in any::<String>()) {
        prop_assert_eq!(parse_port_env(&raw), js_parse_gateway_port_env_value(&raw), "{:?}", raw);
    }

    #[test]
    fn port_env_accepts_exactly_the_three_forms(
        port in 0u32..=70000,
        host in "[a-z0-9.-]{1,12}",
        v6 in "[0-9a-f:]{1,12}",
        pad in "[ \t\n]{0,2}",
    ) {
        let expected = (1..=65535).contains(&port).then_some(port as u16);
        for raw in [format!("{port}"), format!("{host}:{port}"), format!("[{v6}]:{port}")] {
            prop_assert_eq!(parse_port_env(&format!("{pad}{raw}{pad}")), expected, "{:?}", raw);
        }
        // Anything else around the number is not a port.
        for raw in [format!("{port}x"), format!(":{port}"), format!("{host}:{port}:{port}"),
                    format!("[{v6}]{port}"), format!("+{port}"), format!("{port}.0")] {
            prop_assert_eq!(parse_port_env(&raw), None, "{:?}", raw);
        }
    }

    #[test]
    fn parsed_port_env_is_a_valid_port(raw in any::<String>()) {
        if let Some(port) = parse_port_env(&raw) {
            prop_assert!(port >= 1);
        }
    }

    #[test]
    fn profile_hash_port_is_in_range_and_fnv1a(profile in any::<String>()) {
        let port = profile_hash_port(&profile);
        prop_assert!((20_000..=59_999).contains(&port), "{} -> {}", profile, port);
        // Math.imul(hash ^ byte, 16777619) >>> 0 over the UTF-8 bytes.
        let mut hash: u32 = 2_166_136_261;
        for byte in profile.bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(16_777_619);
        }
        prop_assert_eq!(u32::from(port), 20_000 + hash % 40_000);
    }
}

#[test]
fn profile_hash_ports_recorded_from_openclaw() {
    // openclaw-facts.md §2.1, each from a real run.
    for (profile, port) in [
        ("rescue", 23532),
        ("ops", 55291),
        ("main", 23592),
        ("dev", 38556),
    ] {
        assert_eq!(profile_hash_port(profile), port, "{profile}");
    }
}

/// Every gateway port, exhaustively: the browser control port is B+2 (18791 past 65535), the
/// CDP range B+11..=B+110 unless its end would pass 65535, then exactly 18800..=18899.
#[test]
fn browser_ports_for_every_gateway_port() {
    for base in 1..=65535u32 {
        let control = control_port(base as u16);
        let expected_control = if base + 2 <= 65535 {
            (base + 2) as u16
        } else {
            18791
        };
        assert_eq!(control, expected_control, "B={base}");
        let range = cdp_range(control);
        assert!(range.start >= 1 && range.start <= range.end, "B={base}");
        assert_eq!(range.end - range.start, 99, "B={base}");
        let fell_back = base + 110 > 65535;
        if fell_back {
            assert_eq!((range.start, range.end), (18800, 18899), "B={base}");
        } else {
            assert_eq!(
                (u32::from(range.start), u32::from(range.end)),
                (base + 11, base + 110),
                "B={base}"
            );
        }
    }
}

/// `cdp_range` on any control port: control+9 ..= control+108, or the fixed fallback exactly
/// when that end would pass 65535.
#[test]
fn cdp_range_for_every_control_port() {
    for control in 0..=65535u32 {
        let range = cdp_range(control as u16);
        assert!(range.start >= 1 && range.start <= range.end, "C={control}");
        assert_eq!(range.end - range.start, 99, "C={control}");
        if control + 108 > 65535 {
            assert_eq!((range.start, range.end), (18800, 18899), "C={control}");
        } else {
            assert_eq!(u32::from(range.start), control + 9, "C={control}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9_-]{0,5}",
        1 => Just(".".to_string()),
        1 => Just("..".to_string()),
        1 => Just("".to_string()),
        1 => Just(".hidden".to_string()),
        1 => Just("sp ace".to_string()),
        1 => Just("é".to_string()),
    ]
}

fn path_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        proptest::collection::vec(segment(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(absolute, segments, trailing)| {
            let mut text = if absolute {
                "/".to_string()
            } else {
                String::new()
            };
            text.push_str(&segments.join("/"));
            if trailing {
                text.push('/');
            }
            text
        })
}

/// Plain names only: the spelling-variant tests build `.` and `..` themselves.
fn plain_segments() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z][a-z0-9_]{0,5}", 0..6)
}

/// A scratch directory for path properties (canonical keys look at the file system),
/// removed when dropped.
fn scratch_dir() -> TempDir {
    let dir = TempDir::new("properties");
    std::fs::create_dir_all(dir.join("real/sub")).expect("scratch dir");
    dir
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn normalize_is_idempotent_and_has_no_dot_components(raw in path_text()) {
        let once = normalize(Path::new(&raw));
        prop_assert_eq!(normalize(&once), once.clone(), "{:?}", raw);
        if once != Path::new(".") {
            prop_assert!(
                once.components().all(|c| c != Component::CurDir),
                "{:?} -> {:?}", raw, once
            );
        }
        // `..` survives only at the start of a relative path.
        let mut seen_normal = false;
        for c in once.components() {
            match c {
                Component::Normal(_) => seen_normal = true,
                Component::ParentDir => {
                    prop_assert!(!seen_normal && !once.is_absolute(), "{:?} -> {:?}", raw, once)
                }
                _ => {}
            }
        }
    }

    #[test]
    fn resolve_with_an_absolute_path_ignores_the_base(base in path_text(), abs in path_text()) {
        let abs = format!("/{abs}");
        prop_assert_eq!(
            resolve_path(Path::new(&base), Path::new(&abs)),
            normalize(Path::new(&abs))
        );
    }

    #[test]
    fn resolve_is_normalized_join(base in path_text(), rel in path_text()) {
        let resolved = resolve_path(Path::new(&base), Path::new(&rel));
        prop_assert_eq!(normalize(&resolved), resolved.clone());
        prop_assert_eq!(resolved, normalize(&Path::new(&base).join(&rel)));
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn canonical_keys_of_spellings_agree(
        segments in plain_segments(),
        detour in "[a-z]{1,4}",
        under_real in any::<bool>(),
    ) {
        let scratch = scratch_dir();
        let base = if under_real {
            scratch.join("real/sub")
        } else {
            scratch.join("missing")
        };
        let plain = segments.iter().fold(base.clone(), |p, s| p.join(s));
        // The same path spelled with `./`, `x/../` and a trailing `/.`, `/`.
        let mut dotted = base.join(".");
        for s in &segments {
            dotted = dotted.join(&detour).join("..").join(".").join(s);
        }
        let trailing = PathBuf::from(format!("{}/./", plain.display()));
        let key = canonical_key(&plain);
        prop_assert_eq!(canonical_key(&dotted), key.clone(), "{:?}", dotted);
        prop_assert_eq!(canonical_key(&trailing), key.clone(), "{:?}", trailing);
        prop_assert!(key.is_absolute());
        // A different last name is a different key.
        let other = plain.join("zz-other");
        prop_assert_ne!(canonical_key(&other), key);
    }

    #[test]
    fn canonical_keys_of_relative_and_absolute_spellings_agree(segments in plain_segments()) {
        let rel: PathBuf = segments.iter().collect();
        let rel = if segments.is_empty() { PathBuf::from(".") } else { rel };
        let cwd = std::env::current_dir().expect("cwd");
        prop_assert_eq!(canonical_key(&rel), canonical_key(&cwd.join(&rel)));
        prop_assert_eq!(canonical_key(&Path::new("./").join(&rel)), canonical_key(&cwd.join(&rel)));
    }

    #[test]
    fn home_relative_display_round_trips(
        home in proptest::collection::vec("[a-z][a-z0-9_.-]{0,5}", 1..4),
        rest in plain_segments(),
    ) {
        let home: PathBuf = std::iter::once("/".to_string()).chain(home).collect();
        let path = rest.iter().fold(home.clone(), |p, s| p.join(s));
        let shown = display_home_relative(&path, &home);
        if rest.is_empty() {
            prop_assert_eq!(&shown, "~");
        } else {
            prop_assert_eq!(&shown, &format!("~/{}", rest.join("/")));
        }
        prop_assert_eq!(expand_tilde(&shown, &home), Some(path));
        // A path outside home is shown as it is.
        let outside = PathBuf::from("/elsewhere-outside-home").join(rest.join("/"));
        if !outside.starts_with(&home) {
            prop_assert_eq!(display_home_relative(&outside, &home), outside.display().to_string());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON5
// ---------------------------------------------------------------------------------------------

/// Text that looks like JSON5 often enough to reach deep into the parser.
fn json5ish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(",".to_string()),
            Just(":".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("\\".to_string()),
            Just("\\u".to_string()),
            Just("\\x".to_string()),
            Just("\\\n".to_string()),
            Just("//".to_string()),
            Just("/*".to_string()),
            Just("*/".to_string()),
            Just("\n".to_string()),
            Just("\u{2028}".to_string()),
            Just("\u{feff}".to_string()),
            Just("Infinity".to_string()),
            Just("-NaN".to_string()),
            Just("0x".to_string()),
            Just(".5e".to_string()),
            Just("+".to_string()),
            Just("true".to_string()),
            Just("null".to_string()),
            Just("$include".to_string()),
            "[a-zA-Z0-9_$]{1,4}",
            "[\\PC]{1,2}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

fn check_span(text: &str, span: Span) -> Result<(), TestCaseError> {
    prop_assert!(
        span.start() <= span.end() && span.end() <= text.len(),
        "{:?}",
        span
    );
    prop_assert!(
        text.is_char_boundary(span.start()) && text.is_char_boundary(span.end()),
        "{:?}",
        span
    );
    Ok(())
}

fn check_node_spans(text: &str, node: &json5::Node) -> Result<(), TestCaseError> {
    check_span(text, node.span)?;
    for m in node.members() {
        check_span(text, m.key_span)?;
        check_node_spans(text, &m.value)?;
    }
    for item in node.elements() {
        check_node_spans(text, item)?;
    }
    Ok(())
}

/// Our tree as serde_json would see it: numbers as f64, the last duplicate key winning.
fn to_serde(node: &json5::Node) -> serde_json::Value {
    match &node.value {
        J5::Null => serde_json::Value::Null,
        J5::Bool(b) => serde_json::Value::Bool(*b),
        J5::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        J5::String(s) => serde_json::Value::String(s.clone()),
        J5::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        J5::Object(members) => {
            let mut map = serde_json::Map::new();
            for m in members {
                map.insert(m.key.clone(), to_serde(&m.value));
            }
            serde_json::Value::Object(map)
        }
    }
}

/// Numbers compared as the f64 a JS `JSON.parse` would produce.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<u64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        any::<String>().prop_map(serde_json::Value::String),
        "[\\x00-\\x1f\"\\\\/\u{2028}\u{2029}\u{7f}a]{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|members| { serde_json::Value::Object(members.into_iter().collect()) }),
        ]
    })
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn json5_never_panics_on_any_string(text in any::<String>()) {
        match json5::parse(&text) {
            Ok(doc) => {
                check_node_spans(&text, &doc.root)?;
                for c in &doc.comments {
                    check_span(&text, c.span)?;
                }
            }
            Err(err) => check_span(&text, err.span)?,
        }
    }

    #[test]
    fn json5_never_panics_on_json5ish_text(text in json5ish()) {
        match json5::parse(&text) {
            Ok(doc) => check_node_spans(&text, &doc.root)?,
            Err(err) => check_span(&text, err.span)?,
        }
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn json5_reads_json_as_serde_json_does(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).expect("serializable")
        } else {
            serde_json::to_string(&value).expect("serializable")
        };
        let reread: serde_json::Value = serde_json::from_str(&text).expect("serde_json reads its own");
        let doc = json5::parse(&text);
        prop_assert!(doc.is_ok(), "{:?}: {:?}", text, doc.err());
        let doc = doc.expect("checked");
        check_node_spans(&text, &doc.root)?;
        let ours = to_serde(&doc.root);
        prop_assert!(same_json(&ours, &reread), "{}\nours: {:?}\nserde_json: {:?}", text, ours, reread);
        prop_assert!(doc.plain_json, "JSON not seen as plain JSON: {:?}", text);
    }

    /// The parser's "plain JSON" (what `JSON.parse` accepts; resolve asks it for CL909) is
    /// exactly what serde_json accepts, on JSON with one piece inserted anywhere: a JSON5
    /// extension, a piece that keeps it JSON, or one that breaks both. (serde_json stops at 128
    /// levels of nesting and `JSON.parse` does not; these documents stay far shallower.)
    #[test]
    fn plain_json_is_what_serde_json_accepts(
        value in json_value(),
        pretty in any::<bool>(),
        at in any::<proptest::sample::Index>(),
        piece in json_or_json5_piece(),
    ) {
        let mut text = if pretty {
            serde_json::to_string_pretty(&value).expect("serializable")
        } else {
            serde_json::to_string(&value).expect("serializable")
        };
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        text.insert_str(boundaries[at.index(boundaries.len())], &piece);
        plain_json_agrees_with_serde_json(&text)?;
    }

    #[test]
    fn plain_json_is_what_serde_json_accepts_on_json5ish_text(text in json5ish()) {
        plain_json_agrees_with_serde_json(&text)?;
    }
}

/// A piece of text that, inserted into JSON, may keep it JSON or make it JSON5 or neither.
fn json_or_json5_piece() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        " ",
        "\t",
        "\n",
        "\r\n",
        "\u{b}",
        "\u{c}",
        "\u{a0}",
        "\u{feff}",
        "\u{2028}",
        "\u{3000}",
        "// c\n",
        "/* c */",
        ",",
        ", ",
        "\\",
        "\\n",
        "\\'",
        "\\/",
        "\\v",
        "\\0",
        "\\x41",
        "\\u0041",
        "\\uD800",
        "\\\n",
        "'",
        "\"",
        "\u{0}",
        "\u{1f}",
        "\u{7f}",
        "0",
        "1",
        "-",
        "+",
        ".",
        ".5",
        "e",
        "E+",
        "0x1F",
        "x",
        "Infinity",
        "NaN",
        "a",
        "$",
        ": 1",
        "\"k\": 1,",
        "k: 1,",
        "[1],",
        "{},",
    ];
    prop_oneof![
        proptest::sample::select(PIECES).prop_map(String::from),
        "[\\PC]{1,2}",
    ]
}

/// `plain_json` (the loader's "`JSON.parse` accepts it") against serde_json's acceptance.
fn plain_json_agrees_with_serde_json(text: &str) -> Result<(), TestCaseError> {
    let serde = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    let ours = json5::parse(text).map(|doc| doc.plain_json);
    prop_assert_eq!(
        ours.as_ref().is_ok_and(|&plain| plain),
        serde,
        "{:?}: {:?}",
        text,
        ours
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Redaction of secrets in config text
// ---------------------------------------------------------------------------------------------

fn secret_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("botToken".to_string()),
        Just("token".to_string()),
        Just("appToken".to_string()),
        Just("password".to_string()),
        Just("apiKey".to_string()),
        Just("clientSecret".to_string()),
        Just("webhookSecret".to_string()),
        Just("TELEGRAM_BOT_TOKEN".to_string()),
    ]
}

/// A token as users write them, including literals that start with `$` but are no `$VAR`
/// reference, and short or letters-only passwords.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9][A-Za-z0-9_:.+/=-]{11,40}",
        // `$` then a lowercase letter or punctuation: never a `$VAR` reference. (`$` then a digit
        // or `_`: tests/regressions.rs, `dollar_literals_that_are_no_reference_are_masked`.)
        1 => "[$][a-z!-][A-Za-z0-9_:.+/=-]{6,20}",
        1 => "[a-z]{6,12}",
    ]
}

/// A config with `key: token` somewhere inside, in any quoting, and whether to break its
/// syntax right after the token (as a missing comma does): an unparsable file has no keys to
/// go by, yet its secrets must stay hidden too.
fn config_with_secret() -> impl Strategy<Value = (String, String, bool)> {
    (
        secret_key(),
        token(),
        any::<bool>(),
        any::<bool>(),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(key, token, single, quoted_key, depth, broken)| {
            let q = if single { '\'' } else { '"' };
            let key = if quoted_key {
                format!("\"{key}\"")
            } else {
                key
            };
            let mut inner = format!("{key}: {q}{token}{q}");
            if broken {
                inner.push_str(" dmPolicy: 'pairing'");
            } else {
                inner.push_str(", dmPolicy: 'pairing'");
            }
            for level in 0..depth {
                inner = format!("level{level}: {{ {inner} }}");
            }
            let text = format!("// config\n{{\n  gateway: {{ port: 18789 }},\n  {inner},\n}}\n");
            (text, token, broken)
        })
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn secrets_never_survive_redaction((text, token, broken) in config_with_secret()) {
        let mut sources = clawlint::source::SourceMap::new();
        let path = Path::new("/nonexistent/clawlint-properties/openclaw.json");
        let parsed = clawlint::load::parse_config(&mut sources, path, text.clone(), None);
        prop_assert_eq!(parsed.is_err(), broken, "{}", text);
        let id = sources.lookup(path).expect("registered even when unparsable");
        let shown = sources.file(id).redacted_text();
        prop_assert_eq!(shown.len(), text.len());
        prop_assert!(!shown.contains(&token), "{} shown in\n{}", token, shown);
    }
}

// ---------------------------------------------------------------------------------------------
// .env files and ${VAR} substitution
// ---------------------------------------------------------------------------------------------

fn dotenvish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("KEY".to_string()),
            Just("export ".to_string()),
            Just("=".to_string()),
            Just(":".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("`".to_string()),
            Just("\\".to_string()),
            Just("\\n".to_string()),
            Just("#".to_string()),
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\r".to_string()),
            Just("é".to_string()),
            Just("😀".to_string()),
            "[A-Za-z0-9_.-]{1,4}",
            "[\\PC]{1,2}",
        ],
        0..30,
    )
    .prop_map(|v| v.concat())
}

fn check_dotenv(text: &str) -> Result<(), TestCaseError> {
    let parsed = dotenv::parse(text);
    for entry in &parsed.entries {
        check_span(text, entry.span)?;
        check_span(text, entry.key_span)?;
        prop_assert!(
            entry.span.start() <= entry.key_span.start()
                && entry.key_span.end() <= entry.span.end(),
            "{:?}",
            entry
        );
        check_span(text, dotenv::value_span(text, entry))?;
    }
    for comment in &parsed.comments {
        check_span(text, comment.span)?;
    }
    let _ = parsed.effective();
    Ok(())
}

fn env_name() -> impl Strategy<Value = String> {
    "[A-Z_][A-Z0-9_]{0,8}"
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn dotenv_spans_are_in_bounds(text in any::<String>()) {
        check_dotenv(&text)?;
    }

    #[test]
    fn dotenv_spans_are_in_bounds_on_dotenvish_text(text in dotenvish()) {
        check_dotenv(&text)?;
    }

    #[test]
    fn substitution_never_panics(
        text in "([$]{1,3}|[{}]|[A-Z_]{1,3}|[\\PC]{1,2}|\\\\)*",
        vars in proptest::collection::vec((env_name(), "[\\PC]{0,4}"), 0..4),
    ) {
        let mut env = Env::new();
        for (k, v) in &vars {
            env.set(k, v.clone(), EnvOrigin::Given);
        }
        let out = substitute(&text, &env);
        for name in out.used.iter().chain(&out.missing) {
            let reference = format!("${{{name}}}");
            prop_assert!(text.contains(&reference), "{} not in {:?}", reference, text);
        }
    }

    #[test]
    fn escaped_references_stay_literal(
        prefix in "[^$]{0,6}",
        suffix in "[^$]{0,6}",
        name in env_name(),
        value in "[\\PC]{0,6}",
        set in any::<bool>(),
    ) {
        let mut env = Env::new();
        if set {
            env.set(&name, value, EnvOrigin::Given);
        }
        let out = substitute(&format!("{prefix}$${{{name}}}{suffix}"), &env);
        prop_assert_eq!(out.value, format!("{prefix}${{{name}}}{suffix}"));
        prop_assert!(out.used.is_empty() && out.missing.is_empty());
    }

    #[test]
    fn references_are_replaced_when_set(
        prefix in "[^$]{0,6}",
        name in env_name(),
        value in "[^$]{1,6}",
    ) {
        let mut env = Env::new();
        env.set(&name, value.clone(), EnvOrigin::Given);
        let out = substitute(&format!("{prefix}${{{name}}}"), &env);
        prop_assert_eq!(out.value, format!("{prefix}{value}"));
        prop_assert_eq!(out.used, vec![name]);
    }
}
