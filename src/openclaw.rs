//! Pure copies of OpenClaw's small parsers: ports (`parseTcpPort`, the
//! `OPENCLAW_GATEWAY_PORT` grammar, `parseTcpPortFromArgs`), profile names and the profile
//! hash port, and the words of the `sh -c` strings that wrap a gateway's command line.
//!
//! Every stage uses them: discover reads `--port` from supervisors and the manifest, resolve
//! computes the effective port and profile, plan validates a new profile name. They take
//! strings and return values, with no file system, no environment and no diagnostics, so they
//! sit below all the stages.

use crate::paths::is_js_whitespace;

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

/// OpenClaw's `parseTcpPort`: JS `trim()`, then `/^[+-]?\d+$/`, then 1..=65535.
pub fn parse_tcp_port(raw: &str) -> Option<u16> {
    let s = raw.trim_matches(is_js_whitespace);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('-') {
        // A '-' sign can only give 0 or less, which is refused anyway.
        return None;
    }
    // Leading zeros are fine ("019789" is 19789); stop early on values past the range.
    let value = digits.bytes().try_fold(0u32, |acc, b| {
        let v = acc * 10 + u32::from(b - b'0');
        (v <= 65535).then_some(v)
    })?;
    u16::try_from(value).ok().filter(|&p| p > 0)
}

/// `parseGatewayPortEnvValue`: `N`, `host:N` or `[v6]:N`; anything else is ignored.
pub fn parse_port_env(raw: &str) -> Option<u16> {
    let trimmed = raw.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return parse_tcp_port(trimmed);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = trimmed.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once("]:") {
            if !host.is_empty() && !host.contains(']') && digits(port) {
                return parse_tcp_port(port);
            }
        }
    }
    let first = trimmed.find(':')?;
    let suffix = &trimmed[first + 1..];
    if first == 0 || trimmed.rfind(':') != Some(first) || !digits(suffix) {
        return None;
    }
    parse_tcp_port(suffix)
}

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
            if let Some(port) = argv.get(i + 1).and_then(|v| parse_tcp_port(v)) {
                latest = Some((port, i + 1));
            }
            i += 2;
            continue;
        }
        if let Some(port) = arg.strip_prefix("--port=").and_then(parse_tcp_port) {
            latest = Some((port, i));
        }
        i += 1;
    }
    latest
}

/// The value of the last `--port N` or `--port=N` of a gateway command line when OpenClaw
/// refuses it: `gateway run` takes the last one given as is (commander keeps the last) and
/// exits 1 with "Invalid --port. Use a port number from 1 to 65535" when [`parse_tcp_port`]
/// rejects it (OpenClaw 2026.9.6 `run-*.mjs`, `parsePort(opts.port)`), starting nothing. A
/// value holding a variable nothing expanded (`$PORT`) is not judged. With the value, the
/// index of the word that holds it.
pub fn refused_port_arg(argv: &[String]) -> Option<(&str, usize)> {
    let mut last = None;
    let mut words = argv.iter().enumerate();
    while let Some((i, word)) = words.next() {
        if word == "--port" {
            last = words.next().map(|(i, v)| (v.as_str(), i)).or(last);
        } else if let Some(value) = word.strip_prefix("--port=") {
            last = Some((value, i));
        }
    }
    last.filter(|(v, _)| !v.contains('$') && parse_tcp_port(v).is_none())
}

/// What a refused `--port` ([`refused_port_arg`]) makes of a start, after the name of what
/// passes it: the value shown as a number when it reads as one.
pub fn refused_port_words(value: &str) -> String {
    use crate::redact::Kind;
    let kind = match crate::redact::fits(Kind::Number, value) {
        true => Kind::Number,
        false => Kind::Word,
    };
    format!(
        "passes --port {}, which OpenClaw refuses: it exits 1 (\"Invalid --port. Use a port \
         number from 1 to 65535\") and starts nothing",
        crate::redact::shown_quoted(kind, value)
    )
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

/// OpenClaw's root options (openclaw-facts.md §1.1): `--profile NAME` and `--profile=NAME`
/// anywhere before `--` (`openclaw gateway --port 1 --profile rescue` runs profile rescue), and
/// `--dev` before the `gateway` word (after it, `--dev` is the gateway command's own flag, which
/// switches no profile). The profile, and whether `--dev` was given.
pub fn root_flags(argv: &[String]) -> (Option<String>, bool) {
    let mut profile = None;
    let mut dev = false;
    let mut after_gateway = false;
    let mut words = argv.iter().take_while(|a| *a != "--");
    while let Some(word) = words.next() {
        if word == "--profile" {
            profile = words.next().cloned();
        } else if let Some(value) = word.strip_prefix("--profile=") {
            profile = Some(value.to_string());
        } else if word == "--dev" && !after_gateway {
            dev = true;
        } else if word == "gateway" {
            after_gateway = true;
        }
    }
    (profile, dev)
}

/// `PROFILE_NAME_RE`: `/^[a-z0-9][a-z0-9_-]{0,63}$/i`.
pub fn is_valid_profile_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_alphanumeric()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

/// `normalizeProfileName`: a valid name other than `default` (any case), else `None`.
pub fn normalize_profile_name(raw: Option<&str>) -> Option<String> {
    let name = raw?.trim_matches(is_js_whitespace);
    if name.is_empty() || name.eq_ignore_ascii_case("default") || !is_valid_profile_name(name) {
        return None;
    }
    Some(name.to_string())
}

/// An `OPENCLAW_PROFILE` value OpenClaw refuses: not blank, not `default`, and not a valid
/// name. The CLI does not check the variable at its entry point; it crashes later with
/// `Invalid profile name` (openclaw-facts.md §1.1).
pub fn is_refused_profile_name(raw: &str) -> bool {
    let name = raw.trim_matches(is_js_whitespace);
    !name.is_empty() && !name.eq_ignore_ascii_case("default") && !is_valid_profile_name(name)
}

/// OpenClaw crashes while loading its modules (`Invalid profile name`) in this environment:
/// `OPENCLAW_PROFILE` is a name it refuses and its default workspace is that profile's own
/// state dir, because neither `OPENCLAW_WORKSPACE_DIR` nor `OPENCLAW_STATE_DIR` is set
/// (`resolveDefaultAgentWorkspaceDir`, computed at module load). With either set, nothing
/// asks for the profile's dir and the gateway runs, logging under the invalid name
/// (conformance cases unit-env-profile-invalid-*, env-profile-invalid-*).
pub fn crashes_on_profile(
    profile: Option<&str>,
    workspace_dir: Option<&str>,
    state_dir: Option<&str>,
) -> bool {
    let set = |v: Option<&str>| v.is_some_and(|v| !v.trim_matches(is_js_whitespace).is_empty());
    profile.is_some_and(is_refused_profile_name) && !set(workspace_dir) && !set(state_dir)
}

/// FNV-1a (32 bit) over the UTF-8 bytes: OpenClaw's fallback port for a named profile.
pub fn profile_hash_port(profile: &str) -> u16 {
    let mut hash: u32 = 2_166_136_261;
    for byte in profile.as_bytes() {
        hash = (hash ^ u32::from(*byte)).wrapping_mul(16_777_619);
    }
    (20_000 + hash % 40_000) as u16
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

/// The profile a service's name stands for: `openclaw-gateway-P.service`, `ai.openclaw.P`.
pub fn profile_of_service_name(name: &str) -> Option<Option<String>> {
    let stem = name.strip_suffix(".service").unwrap_or(name);
    if stem == "openclaw-gateway" || stem == "ai.openclaw.gateway" || stem == "OpenClaw Gateway" {
        return Some(None);
    }
    if let Some(profile) = stem
        .strip_prefix("OpenClaw Gateway (")
        .and_then(|p| p.strip_suffix(')'))
    {
        return Some(Some(profile.to_string()));
    }
    // Only a name OpenClaw could have derived says a profile: `ai.openclaw.gateway.rescue`
    // is a hand-chosen label, not profile "gateway.rescue" (no such profile can exist).
    stem.strip_prefix("openclaw-gateway-")
        .or_else(|| stem.strip_prefix("ai.openclaw."))
        .filter(|p| *p != "node" && is_valid_profile_name(p))
        .map(|p| Some(p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    /// The last `--port` given is the one `gateway run` parses (OpenClaw 2026.9.6: `1e4`,
    /// `0x4a65`, `99999`, `-1` and `0` exit 1; a sign and leading zeros are accepted).
    #[test]
    fn the_last_port_given_decides_a_refused_start() {
        let refused = |w: &[&str]| refused_port_arg(&args(w)).map(|(v, _)| v.to_string());
        for bad in ["99999", "1e4", "0x4a65", "-1", "0", "", "19000 "] {
            let expected = (!bad.ends_with(' ')).then(|| bad.to_string());
            assert_eq!(refused(&["openclaw", "gateway", "--port", bad]), expected);
        }
        assert_eq!(
            refused(&["openclaw", "gateway", "--port=1e4"]).as_deref(),
            Some("1e4")
        );
        assert_eq!(refused(&["gateway", "--port", "+019100"]), None);
        assert_eq!(
            refused(&["gateway", "--port", "1e4", "--port", "19000"]),
            None
        );
        assert_eq!(
            refused(&["gateway", "--port", "19000", "--port", "x"]).as_deref(),
            Some("x")
        );
        assert_eq!(refused(&["gateway", "--port", "$PORT"]), None);
    }

    #[test]
    fn port_env_grammar() {
        assert_eq!(parse_port_env("4567"), Some(4567));
        assert_eq!(parse_port_env(" 127.0.0.1:4567 "), Some(4567));
        assert_eq!(parse_port_env("[::1]:4999"), Some(4999));
        assert_eq!(parse_port_env("::1:4999"), None);
        assert_eq!(parse_port_env("garbage"), None);
        assert_eq!(parse_port_env(":80"), None);
        assert_eq!(parse_port_env("70000"), None);
        assert_eq!(parse_port_env("0"), None);
        assert_eq!(parse_port_env("host:+1"), None);
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
    fn hash_ports_match_openclaw() {
        assert_eq!(profile_hash_port("rescue"), 23532);
        assert_eq!(profile_hash_port("ops"), 55291);
        assert_eq!(profile_hash_port("main"), 23592);
        assert_eq!(profile_hash_port("dev"), 38556);
    }

    #[test]
    fn profile_names() {
        assert!(is_valid_profile_name("Rescue"));
        assert!(is_valid_profile_name("a_b-c"));
        assert!(!is_valid_profile_name("a.b"));
        assert!(!is_valid_profile_name("-x"));
        assert!(!is_valid_profile_name(&"a".repeat(65)));
        assert_eq!(normalize_profile_name(Some(" DEFAULT ")), None);
        assert_eq!(normalize_profile_name(Some("ops")), Some("ops".into()));
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
}

// ---------------------------------------------------------------------------------------------
// The OPENCLAW_* names OpenClaw reads

/// Every OPENCLAW_* name the JavaScript of openclaw@2026.9.6 mentions, sorted; one ending in
/// `_` is a prefix the code builds names from (scripts/extract-env-names.mjs).
const ENV_NAMES: &str = include_str!("../data/openclaw-env-names.txt");

/// The release [`ENV_NAMES`] was read from.
pub const ENV_NAMES_RELEASE: &str = "2026.9.6";

/// The names and the prefixes of [`ENV_NAMES`], split once.
fn env_names() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static NAMES: std::sync::OnceLock<(Vec<&'static str>, Vec<&'static str>)> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let lines = ENV_NAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        lines.partition(|l| !l.ends_with('_'))
    })
}

/// Whether OpenClaw (the release of [`ENV_NAMES_RELEASE`]) may read the variable `name`: its
/// code mentions the name, or a prefix it builds the name from. Only for `OPENCLAW_*` names.
pub fn reads_env(name: &str) -> bool {
    let (names, prefixes) = env_names();
    names.binary_search(&name).is_ok() || prefixes.iter().any(|p| name.starts_with(p))
}

/// The variable OpenClaw reads that an unread `OPENCLAW_*` name was most likely meant as: by
/// what it names (`OPENCLAW_PORT`: the gateway port), else the known name at most two edits
/// away. `Err` with what to use instead when no variable sets it (`OPENCLAW_BIND`).
pub fn meant_env(name: &str) -> Option<Result<&'static str, &'static str>> {
    let rest = name.strip_prefix("OPENCLAW_")?;
    let words: Vec<&str> = rest.split('_').collect();
    let has = |w: &str| words.contains(&w);
    let by_meaning = if has("PORT") {
        Some(Ok("OPENCLAW_GATEWAY_PORT"))
    } else if has("WORKSPACE") {
        Some(Ok("OPENCLAW_WORKSPACE_DIR"))
    } else if has("STATE") || has("STATEDIR") || has("DATA") {
        Some(Ok("OPENCLAW_STATE_DIR"))
    } else if has("CONFIG") {
        Some(Ok("OPENCLAW_CONFIG_PATH"))
    } else if has("BIND") || has("HOST") || has("LISTEN") {
        Some(Err(
            "`gateway.bind` in the config, or `--bind` on the command line",
        ))
    } else {
        None
    };
    by_meaning.or_else(|| {
        let (names, _) = env_names();
        let near = names
            .iter()
            .filter(|known| known.len().abs_diff(name.len()) <= 2)
            .map(|known| (strsim::damerau_levenshtein(known, name), *known))
            .filter(|(d, _)| *d <= 2)
            .min();
        near.map(|(_, known)| Ok(known))
    })
}

#[cfg(test)]
mod env_name_tests {
    use super::{meant_env, reads_env};

    #[test]
    fn names_openclaw_reads_and_what_a_look_alike_meant() {
        assert!(reads_env("OPENCLAW_GATEWAY_PORT"));
        assert!(reads_env("OPENCLAW_STATE_DIR"));
        // A prefix the code builds names from.
        assert!(reads_env("OPENCLAW_DISABLE_ANYTHING"));
        assert!(!reads_env("OPENCLAW_PORT"));
        assert!(!reads_env("OPENCLAW_WORKSPACE"));
        assert_eq!(
            meant_env("OPENCLAW_PORT"),
            Some(Ok("OPENCLAW_GATEWAY_PORT"))
        );
        assert_eq!(
            meant_env("OPENCLAW_DATA_DIR"),
            Some(Ok("OPENCLAW_STATE_DIR"))
        );
        assert_eq!(
            meant_env("OPENCLAW_WORKSPACE"),
            Some(Ok("OPENCLAW_WORKSPACE_DIR"))
        );
        assert_eq!(
            meant_env("OPENCLAW_STATEDIR"),
            Some(Ok("OPENCLAW_STATE_DIR"))
        );
        assert!(matches!(meant_env("OPENCLAW_BIND"), Some(Err(_))));
        // Two edits from a name it reads.
        assert_eq!(meant_env("OPENCLAW_PROFIL"), Some(Ok("OPENCLAW_PROFILE")));
        // Nothing like a name it reads: no guess.
        assert_eq!(meant_env("OPENCLAW_TRACE_VLLM_OUTBOUND"), None);
        assert_eq!(meant_env("OPENCLAW_PROVIDER"), None);
    }
}
