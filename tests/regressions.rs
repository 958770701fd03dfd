//! Regressions found by fuzzing and property testing, and a replay of every saved fuzz input.
//!
//! - Every file under `fuzz/regressions/<target>/` (minimised crash inputs) and
//!   `fuzz/seeds/<target>/` (the seed corpus) runs through the same function its fuzz target
//!   calls (`fuzz/src/lib.rs`, included below), on stable Rust and without libFuzzer, so a
//!   crash once found stays fixed. Pipeline inputs run through the `clawlint` binary.
//! - Tests for a specific bug follow. A test marked `// FAILS:` reproduces a bug that is not
//!   fixed yet in src/; it says what is wrong and where it was found.

mod common;

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

use common::TempDir;

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The saved inputs of a fuzz target: crash reproductions first, then the seeds.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["regressions", "seeds"] {
        let dir = root().join("fuzz").join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

/// Runs `body` on every saved input of `target`; reports every input that panics.
fn replay(target: &str, body: impl Fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no saved inputs for {target}");
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("read input");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&data)));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} input(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A scratch directory, removed when dropped.
struct Scratch(TempDir);

impl Scratch {
    fn new(label: &str) -> Scratch {
        Scratch(TempDir::new(&format!("regressions-{label}")))
    }
}

#[test]
fn replay_json5_inputs() {
    replay("json5", fuzz_bodies::json5);
}

#[test]
fn replay_unit_file_inputs() {
    replay("unit_file", fuzz_bodies::unit_file);
}

#[test]
fn replay_include_env_inputs() {
    let scratch = Scratch::new("include-env");
    replay("include_env", |data| {
        fuzz_bodies::include_env(data, &scratch.0)
    });
}

/// Size amplification in-process, as the fuzz target runs it: every output of `check` and
/// `resolve` within a constant times the layout's size, a budget hit located.
#[test]
fn replay_amplify_inputs() {
    let scratch = Scratch::new("amplify");
    replay("amplify", |data| fuzz_bodies::amplify(data, &scratch.0));
}

/// Pipeline inputs through the binary: `check` with every format and `resolve` must exit 0
/// or 1 (never 101, a panic) on the generated home.
#[test]
fn replay_pipeline_inputs() {
    let scratch = Scratch::new("pipeline");
    let home = scratch.0.join("home");
    let home_arg = home.to_str().expect("UTF-8 temp path").to_string();
    replay("pipeline", |data| {
        if fuzz_bodies::write_pipeline_home(data, &home).is_none() {
            return;
        }
        // Every format in one run: human on standard output, the others to files (a second
        // format on standard output is refused).
        let files: Vec<String> = ["concise", "json", "sarif", "github", "junit", "markdown"]
            .iter()
            .map(|f| format!("{f}={}", scratch.0.join(format!("out.{f}")).display()))
            .collect();
        let mut check = vec![
            "check",
            "--home",
            &home_arg,
            "--no-config",
            "--format",
            "human",
        ];
        for file in &files {
            check.extend(["--format", file.as_str()]);
        }
        let runs: [&[&str]; 4] = [
            &check,
            &[
                "check",
                "--home",
                &home_arg,
                "--no-config",
                "--color",
                "always",
            ],
            &[
                "resolve",
                "--home",
                &home_arg,
                "--no-config",
                "--format",
                "json",
            ],
            &["resolve", "--home", &home_arg, "--no-config"],
        ];
        for args in runs {
            let output = clawlint(args);
            assert!(
                matches!(output.status.code(), Some(0) | Some(1)),
                "`clawlint {}` exited {:?}: {}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    });
}

fn clawlint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .output()
        .expect("clawlint runs")
}

// ---------------------------------------------------------------------------------------------
// Port values that JavaScript trims differently
// ---------------------------------------------------------------------------------------------

// Fixed in 88760d4. Found by tests/properties.rs (port_env_matches_openclaw_on_any_text), confirmed
// against the real openclaw@2026.9.6 (`resolveGatewayPort({}, {OPENCLAW_GATEWAY_PORT: raw})`
// from dist/paths-DehQwyE0.mjs). `parseGatewayPortEnvValue` trims with JavaScript's
// `String.prototype.trim`, which removes U+FEFF (ZERO WIDTH NO-BREAK SPACE, a BOM) but not
// U+0085 (NEXT LINE). `ports::parse_port_env` used Rust's `str::trim` (Unicode White_Space),
// which does the opposite, so OpenClaw listened on 18790 where clawlint said "ignored", and
// the other way round. Out of 12,155 generated values, all 127 disagreements were these two
// characters. The same `str::trim` stands for JS `trim()` elsewhere (`Env::value`,
// `normalize_profile_name`, `home_relative`, `user_path`).
#[test]
fn port_env_trims_like_javascript() {
    use clawlint::openclaw::parse_port_env;
    assert_eq!(parse_port_env("\u{feff}18790"), Some(18790));
    assert_eq!(parse_port_env("18790\u{feff}"), Some(18790));
    assert_eq!(parse_port_env("127.0.0.1:18790\u{feff}"), Some(18790));
    assert_eq!(parse_port_env("18790\u{85}"), None);
    assert_eq!(parse_port_env("\u{85}18790"), None);
}

// ---------------------------------------------------------------------------------------------
// Secrets in unparsable configs
// ---------------------------------------------------------------------------------------------

// Fixed in 88760d4. Found by tests/properties.rs (secrets_never_survive_redaction). When a config did
// not parse, `load::parse_config` masked only "token-like words" (`source::token_like_words`:
// 16+ characters of `[A-Za-z0-9:_\-.+=]` with a letter and a digit). A secret string that was
// shorter, had no digit, or contained `/` (base64) stayed in the text that the CL901 snippet
// shows (`check` human output, context line of the syntax error):
//
//   { channels: { telegram: { botToken: "a_0A__aaa-0a" dmPolicy: "pairing" } } }
//
// printed `botToken: "a_0A__aaa-0a"`. Every quoted string in an unparsable file may be a secret.
#[test]
fn unparsable_config_masks_every_secret_string() {
    let secrets = [
        "a_0A__aaa-0a",                     // 12 characters
        "correct-horse-battery-staple",     // no digit
        "Zm9vYmFy/YmF6cXV4/MTIzNDU2Nzg5MA", // base64 with `/`
        "hunter2",                          // short
    ];
    for secret in secrets {
        let text = format!(
            "{{\n  gateway: {{ port: 18789 }},\n  channels: {{ telegram: {{ botToken: \"{secret}\" dmPolicy: \"pairing\" }} }},\n}}\n"
        );
        let mut sources = clawlint::source::SourceMap::new();
        let path = std::path::Path::new("/nonexistent/clawlint-regressions/openclaw.json");
        assert!(clawlint::load::parse_config(&mut sources, path, text, None).is_err());
        let id = sources.lookup(path).expect("registered");
        let shown = sources.file(id).redacted_text();
        assert!(!shown.contains(secret), "{secret} is shown:\n{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// `$` literals that are no env reference
// ---------------------------------------------------------------------------------------------

// FAILS: found by tests/properties.rs (secrets_never_survive_redaction, 20,000 cases).
// `source::is_env_reference` takes `$` followed by any of `[A-Z0-9_]` for a `$VAR` reference and
// leaves it unmasked, but OpenClaw's shorthand is `^\$[A-Z][A-Z0-9_]{0,127}$` (first character a
// letter; openclaw-facts.md §3.5, `secrets::env_shorthand` in src/resolve/secrets.rs) and its
// substitution needs braces. So `botToken: "$0A00_A0"` is a literal secret to OpenClaw (and to
// clawlint's own resolver, which fingerprints it) but is printed in snippets.
#[test]
fn dollar_literals_that_are_no_reference_are_masked() {
    for secret in ["$0A00_A0", "$_PASSWORD9", "$9TOKEN"] {
        let text = format!(
            "{{\n  gateway: {{ port: 18789, auth: {{ password: \"{secret}\" }} }},\n  channels: {{ telegram: {{ botToken: \"{secret}\" }} }},\n}}\n"
        );
        let mut sources = clawlint::source::SourceMap::new();
        let path = std::path::Path::new("/nonexistent/clawlint-regressions/dollar.json");
        assert!(clawlint::load::parse_config(&mut sources, path, text, None).is_ok());
        let id = sources.lookup(path).expect("registered");
        let shown = sources.file(id).redacted_text();
        assert!(!shown.contains(secret), "{secret} is shown:\n{shown}");
    }
    // References stay readable: they say where the secret lives.
    let text = "{ channels: { telegram: { botToken: \"$TG_TOKEN\" }, slack: { botToken: \"${SLACK_BOT}\" } } }";
    let mut sources = clawlint::source::SourceMap::new();
    let path = std::path::Path::new("/nonexistent/clawlint-regressions/refs.json");
    assert!(clawlint::load::parse_config(&mut sources, path, text.to_string(), None).is_ok());
    let id = sources.lookup(path).expect("registered");
    assert_eq!(sources.file(id).redacted_text(), text);
}

// FAILS: the same JavaScript-trim difference as `port_env_trims_like_javascript`, in profile
// names. OpenClaw's `normalizeProfileName` (dist/profile-utils-D5FwriYc.mjs:10) does
// `raw?.trim()`, so `OPENCLAW_PROFILE="\u{feff}rescue"` is profile `rescue` (hash port 23532,
// state `~/.openclaw-rescue`), while `profile::normalize_profile_name` uses `str::trim`, keeps
// the U+FEFF and rejects the name; and `"rescue\u{85}"` is invalid to OpenClaw (U+0085 is no
// JS whitespace) but `rescue` to clawlint. `profile_state_dir`, `home_relative`,
// `apply_profile_flag` and `resolve::user_path` trim the same way.
#[test]
fn profile_names_trim_like_javascript() {
    use clawlint::openclaw::normalize_profile_name;
    assert_eq!(
        normalize_profile_name(Some("\u{feff}rescue")),
        Some("rescue".to_string())
    );
    assert_eq!(normalize_profile_name(Some("rescue\u{85}")), None);
}
