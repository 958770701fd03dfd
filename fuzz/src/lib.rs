//! The bodies of the fuzz targets, as plain functions: the targets in `fuzz_targets/` call
//! them under libFuzzer, and `tests/regressions.rs` in the main crate includes this file to
//! replay every saved input (`fuzz/regressions/`, `fuzz/seeds/`) on stable Rust, in CI.
//!
//! Each function panics on a bug: a panic inside clawlint, or a span that cannot be sliced.
//! It depends on clawlint's loaders and parsers only (and std), not on the pipeline's wiring,
//! so that the main crate's tests keep compiling while that wiring changes. The pipeline
//! target builds its home with [`write_pipeline_home`]; replaying it runs the real binary.

use clawlint::discover::{home, launchd, systemd};
use clawlint::load::dotenv;
use clawlint::load::env::{substitute, Env, EnvOrigin};
use clawlint::load::json5::{self, Node, Span, Value};
use clawlint::openclaw;
use clawlint::resolve::resolve_instance;
use clawlint::source::SourceMap;
use std::path::{Path, PathBuf};

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} out of bounds (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

// ---------------------------------------------------------------------------------------------
// json5
// ---------------------------------------------------------------------------------------------

fn walk(text: &str, node: &Node) {
    check_span(text, node.span, "value");
    match &node.value {
        Value::Object(members) => {
            for m in members {
                check_span(text, m.key_span, "key");
                walk(text, &m.value);
            }
        }
        Value::Array(items) => items.iter().for_each(|n| walk(text, n)),
        _ => {}
    }
}

/// `clawlint::load::json5::parse` on any UTF-8: no panic, no stack overflow, every span of
/// the document (or of the error) sliceable.
pub fn json5(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match json5::parse(text) {
        Ok(doc) => {
            walk(text, &doc.root);
            for c in &doc.comments {
                check_span(text, c.span, "comment");
            }
        }
        Err(err) => check_span(text, err.span, "error"),
    }
}

// ---------------------------------------------------------------------------------------------
// unit_file
// ---------------------------------------------------------------------------------------------

fn unit(text: &str) {
    let unit = systemd::parse_unit(text);
    for comment in &unit.comments {
        check_span(text, comment.span, "unit comment");
    }
    let ctx = systemd::SpecifierContext {
        home: "/home/u".to_string(),
        user: Some("u".to_string()),
        unit_name: "openclaw-gateway-x.service".to_string(),
    };
    let env: Vec<(String, String)> = systemd::effective_environment(&unit)
        .into_iter()
        .map(|(k, v, span)| {
            // Spans of effective assignments point into the unit text.
            check_span(text, span, "effective environment");
            (k, v)
        })
        .collect();
    for section in &unit.sections {
        check_span(text, section.span, "section");
        for d in &section.entries {
            check_span(text, d.span, "directive");
            check_span(text, d.value_span, "directive value");
            let (expanded, _) = systemd::expand_specifiers(&d.value, &ctx);
            if let Ok(cmd) = systemd::split_exec(&expanded) {
                let argv = systemd::expand_exec_variables(&cmd.argv, &env);
                let _ = openclaw::port_from_args(&argv);
                let _ = launchd::env_wrapper(&argv);
            }
            let (assignments, _) = systemd::parse_environment(&d.value);
            for (_, _, span) in assignments {
                check_span(&d.value, span, "Environment= word");
            }
            let _ = systemd::parse_environment_file_ref(&d.value);
            let _ = systemd::glob_literal(&d.value);
            let _ = openclaw::split_shell_words(&d.value);
            let _ = systemd::env_name_is_valid(&d.key);
        }
    }
    for (_, _, span) in systemd::environment_files(&unit) {
        check_span(text, span, "EnvironmentFile=");
    }
    let _ = systemd::unset_environment(&unit);
    let _ = systemd::restart_policy(&unit);
}

/// The service-file readers on any input: a launchd plist (XML or binary) from the bytes;
/// then, for UTF-8, a systemd unit and everything that reads one (`split_exec`,
/// `parse_environment`, specifiers, `--port`), an `EnvironmentFile=` file, OpenClaw's
/// env-wrapper file and the XML span search.
pub fn unit_file(data: &[u8]) {
    if let Ok(agent) = launchd::parse_plist(data) {
        let _ = launchd::env_wrapper(&agent.program_arguments);
        let _ = openclaw::port_from_args(&agent.program_arguments);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    unit(text);
    let (entries, comments) = systemd::parse_environment_file(text);
    for e in &entries {
        check_span(text, e.span, "env file entry");
    }
    for c in &comments {
        check_span(text, c.span, "env file comment");
    }
    for (_, _, span) in launchd::parse_wrapper_env_file(text) {
        check_span(text, span, "wrapper env line");
    }
    // Look up the text's first word as a key, so the span search meets real matches.
    let key = text
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty());
    if let Some(key) = key {
        if let Some(span) = launchd::xml_value_span(text, key, "19789") {
            check_span(text, span, "plist value");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// include_env
// ---------------------------------------------------------------------------------------------

fn put(path: PathBuf, content: Option<&[u8]>) {
    match content {
        Some(bytes) => std::fs::write(&path, bytes).expect("write scratch file"),
        None => {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Loading with includes and environment. The input is up to five parts separated by NUL
/// bytes: the config, `a.json5`, `inc/b.json5`, the state dir's `.env`, and a string to
/// substitute (a missing part: no such file). They are written into `scratch`'s
/// `.openclaw/` (created if needed) and the default gateway of that home is resolved (dotenv,
/// JSON5, `$include` merge and confinement, `env.vars`, `${VAR}`, ports, credentials); every
/// UTF-8 part is also substituted directly against the parsed `.env`.
pub fn include_env(data: &[u8], scratch: &Path) {
    let mut parts = data.splitn(5, |b| *b == 0);
    let (config, a, b, env_file, extra) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    let state = scratch.join(".openclaw");
    std::fs::create_dir_all(state.join("inc")).expect("scratch dir");
    put(state.join("openclaw.json"), config);
    put(state.join("a.json5"), a);
    put(state.join("inc/b.json5"), b);
    put(state.join(".env"), env_file);

    let inv = home::invocation(scratch, None);
    let mut sources = SourceMap::new();
    let instance = resolve_instance(&inv, &mut sources);
    std::hint::black_box(&instance);

    let mut env = Env::new();
    if let Some(text) = env_file.and_then(|t| std::str::from_utf8(t).ok()) {
        let parsed = dotenv::parse(text);
        for entry in parsed.effective() {
            env.set(&entry.key, entry.value.clone(), EnvOrigin::Given);
        }
    }
    for part in [config, a, b, extra].into_iter().flatten() {
        if let Ok(text) = std::str::from_utf8(part) {
            std::hint::black_box(substitute(text, &env).value);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pipeline
// ---------------------------------------------------------------------------------------------

/// The state dirs a pipeline input may create, by bit of its first byte.
pub const PIPELINE_DIRS: [&str; 4] = [
    ".openclaw",
    ".openclaw-rescue",
    ".openclaw-ops",
    ".clawdbot",
];

/// Builds a host from a pipeline input in `home` (emptied first): the first byte picks which of
/// [`PIPELINE_DIRS`] exist, the rest is split at NUL bytes into, in turn, each existing dir's
/// `openclaw.json` and `.env`, then a systemd user unit. `None` for an empty input.
pub fn write_pipeline_home(data: &[u8], home: &Path) -> Option<()> {
    let (&mask, rest) = data.split_first()?;
    let _ = std::fs::remove_dir_all(home);
    std::fs::create_dir_all(home).expect("scratch home");
    let mut parts = rest.split(|b| *b == 0);
    for (i, dir) in PIPELINE_DIRS.iter().enumerate() {
        if mask & (1 << i) == 0 {
            continue;
        }
        let state = home.join(dir);
        std::fs::create_dir_all(&state).expect("state dir");
        if let Some(config) = parts.next() {
            std::fs::write(state.join("openclaw.json"), config).expect("config");
        }
        if let Some(env) = parts.next() {
            std::fs::write(state.join(".env"), env).expect(".env");
        }
    }
    if let Some(unit) = parts.next() {
        let units = home.join(".config/systemd/user");
        std::fs::create_dir_all(&units).expect("unit dir");
        std::fs::write(units.join("openclaw-gateway-rescue.service"), unit).expect("unit");
    }
    Some(())
}
