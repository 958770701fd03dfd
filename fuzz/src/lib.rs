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
        span.start() <= span.end() && span.end() <= text.len(),
        "{what} span {span:?} out of bounds (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start()) && text.is_char_boundary(span.end()),
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

/// Every output a user can ask for, rendered from a home: each `check` format (human without
/// colour, concise, json, sarif, github, junit, markdown) and `resolve` as JSON and as text,
/// made through the library as `clawlint check` and `clawlint resolve` make them (discovery,
/// the inventory, the start verdicts, every rule). Panics only when clawlint does.
pub fn render_everything(home: &Path) -> Vec<(&'static str, Vec<u8>)> {
    use clawlint::engine::{self, Settings};
    use clawlint::report::{self, Format};
    let inputs = clawlint::discover::Inputs {
        homes: vec![home.to_path_buf()],
        ..Default::default()
    };
    let inventory =
        clawlint::resolve::inventory(clawlint::discover::discover(&inputs), &Default::default());
    let ctx = clawlint::rules::RuleContext::new(&inventory);
    let findings = engine::run(&ctx, &Settings::default());
    let context = report::EmitterContext::new(&inventory.sources, inventory.instances.len());
    let mut out = Vec::new();
    for (name, format) in [
        ("human", Format::Human),
        ("concise", Format::Concise),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("github", Format::Github),
        ("junit", Format::Junit),
        ("markdown", Format::Markdown),
    ] {
        let emitter = format.emitter(report::human::HumanOptions {
            color: false,
            width: report::human::DEFAULT_WIDTH,
        });
        let mut text = Vec::new();
        emitter
            .emit(&mut text, &findings, &context)
            .expect("write to memory");
        out.push((name, text));
    }
    let mut text = Vec::new();
    report::model::write_json(&mut text, &inventory.instances, &inventory.sources)
        .expect("write to memory");
    out.push(("resolve json", text));
    let mut text = Vec::new();
    report::model::write_human(&mut text, &inventory.instances, &inventory.sources)
        .expect("write to memory");
    out.push(("resolve human", text));
    out
}

// ---------------------------------------------------------------------------------------------
// amplify
// ---------------------------------------------------------------------------------------------

/// A small layout whose naive expansion is large, decoded from a fuzz input.
#[derive(Debug, Clone)]
pub struct Amplifier {
    /// Length of the `.env` value `BIG`.
    pub value_len: usize,
    /// How many `${BIG}` each chosen config string holds.
    pub var_refs: usize,
    /// Which config strings hold them, by bit: an agent's workspace, an agent's id, a browser
    /// profile's name, `browser.cdpUrl`, `env.vars.NEST` (itself referenced by the workspace).
    pub positions: u8,
    /// An `$include` chain `l1` → … → `l<depth>`, each file including the next `fan` times,
    /// over a leaf array of `leaf_items` strings (arrays concatenate).
    pub include_depth: usize,
    pub include_fan: usize,
    pub leaf_items: usize,
    /// A compose file whose YAML aliases nest `alias_depth` deep, `alias_fan` wide, merged
    /// into a service with `<<:`.
    pub alias_depth: usize,
    pub alias_fan: usize,
    /// Any further bytes: a file the config also includes.
    pub extra: Vec<u8>,
}

impl Amplifier {
    /// The first 10 bytes are the parameters (missing bytes are 0), the rest is `extra`.
    pub fn decode(data: &[u8]) -> Amplifier {
        let b = |i: usize| data.get(i).copied().unwrap_or(0) as usize;
        Amplifier {
            value_len: 1 + (b(0) | b(1) << 8),
            var_refs: 1 + ((b(2) | b(3) << 8) % 4096),
            positions: b(4) as u8,
            include_depth: b(5) % 13,
            include_fan: 1 + b(6) % 8,
            leaf_items: b(7),
            alias_depth: b(8) % 25,
            alias_fan: 1 + b(9) % 12,
            extra: data.get(10..).unwrap_or_default().to_vec(),
        }
    }

    /// Writes the layout into `home` (emptied first). Returns the bytes written and whether
    /// its expansion, unbounded, would pass one of clawlint's budgets.
    pub fn write(&self, home: &Path) -> (usize, bool) {
        let _ = std::fs::remove_dir_all(home);
        let mut written = 0;
        let mut put = |rel: &str, text: &[u8]| {
            let path = home.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("scratch dir");
            std::fs::write(&path, text).expect("scratch file");
            written += text.len();
        };
        put(
            ".openclaw/.env",
            format!("BIG={}\n", "v".repeat(self.value_len)).as_bytes(),
        );
        let refs = "${BIG}".repeat(self.var_refs);
        let at = |bit: u8, text: &str| -> String {
            match self.positions & (1 << bit) != 0 {
                true => text.to_string(),
                false => String::new(),
            }
        };
        let workspace = format!("~/w{}{}", at(0, &refs), at(4, "${NEST}"));
        let mut includes = vec!["\"./parts/l1.json5\"".to_string(); self.include_fan];
        if !self.extra.is_empty() {
            includes.push("\"./parts/extra.json5\"".to_string());
        }
        put(
            ".openclaw/openclaw.json",
            format!(
                "{{ gateway: {{ port: 19100 }}, $include: [{includes}],\n  \
                 env: {{ vars: {{ NEST: \"{nest}\" }} }},\n  \
                 agents: {{ list: [{{ id: \"a{id}\", workspace: \"{workspace}\" }}] }},\n  \
                 browser: {{ cdpUrl: \"http://127.0.0.1:9222/{url}\", profiles: {{ \"p{profile}\": {{ cdpPort: 19150 }} }} }} }}\n",
                includes = includes.join(", "),
                nest = at(4, &refs),
                id = at(1, &refs),
                url = at(3, &refs),
                profile = at(2, &refs),
            )
            .as_bytes(),
        );
        for i in 1..self.include_depth {
            let next = format!("\"./l{}.json5\"", i + 1);
            put(
                &format!(".openclaw/parts/l{i}.json5"),
                format!(
                    "{{ $include: [{}] }}\n",
                    vec![next; self.include_fan].join(", ")
                )
                .as_bytes(),
            );
        }
        let leaf: Vec<String> = (0..self.leaf_items)
            .map(|i| format!("\"10.0.0.{i}\""))
            .collect();
        put(
            &format!(".openclaw/parts/l{}.json5", self.include_depth.max(1)),
            format!(
                "{{ gateway: {{ trustedProxies: [{}] }} }}\n",
                leaf.join(",")
            )
            .as_bytes(),
        );
        if !self.extra.is_empty() {
            put(".openclaw/parts/extra.json5", &self.extra);
        }
        let mut yaml = String::from("x-a0: &a0 [lol, lol]\n");
        for d in 1..=self.alias_depth {
            yaml.push_str(&format!(
                "x-a{d}: &a{d} [{}]\n",
                vec![format!("*a{}", d - 1); self.alias_fan].join(", ")
            ));
        }
        yaml.push_str(&format!(
            "x-base: &base\n  image: openclaw:local\n  labels: {{ l: *a{d} }}\nservices:\n  openclaw-gateway:\n    <<: *base\n    ports: [\"19200:18789\"]\n    command: *a{d}\n",
            d = self.alias_depth
        ));
        put("stacks/amp/docker-compose.yml", yaml.as_bytes());

        let pow = |base: usize, exp: usize| (base as u128).saturating_pow(exp as u32);
        let strings = (self.positions & 0b1_1111).count_ones() as u128;
        let substituted = (self.value_len * self.var_refs) as u128 * strings;
        let include_values = pow(self.include_fan, self.include_depth) * self.leaf_items as u128;
        let yaml_nodes = 2 * pow(self.alias_fan, self.alias_depth);
        use clawlint::load::{env, include, yaml};
        // A substitution past the budget in one string is certain; several smaller ones add
        // up per gateway. A chain deeper than OpenClaw's include depth stops there (CL501).
        let over = self.value_len * self.var_refs > env::MAX_SUBSTITUTED_BYTES && strings > 0
            || substituted > env::MAX_SUBSTITUTED_BYTES as u128 && strings > 1
            || (self.include_depth <= include::MAX_DEPTH
                && include_values > include::MAX_INCLUDE_NODES as u128)
            || yaml_nodes > yaml::NODE_BUDGET as u128;
        (written, over)
    }
}

/// Size amplification: a small layout (decoded by [`Amplifier::decode`]) whose expansion,
/// unbounded, would be huge: `${VAR}` repeats over a `.env` value in several config strings,
/// an `$include` fan-out over an array leaf, nested YAML aliases merged into a compose
/// service, and any further bytes as an included file. Every output of `check` and `resolve`
/// must stay within a constant times the bytes written plus a constant per finding, and a
/// layout whose expansion passes a budget (with nothing else included) must get a CL907 or
/// CL901 located in one of its files. The run's memory is what libFuzzer's `-rss_limit_mb`
/// and `-malloc_limit_mb` bound (an unbounded expansion is caught there).
pub fn amplify(data: &[u8], scratch: &Path) {
    let amp = Amplifier::decode(data);
    let home = scratch.join("home");
    let (written, over_budget) = amp.write(&home);
    let outputs = render_everything(&home);
    let json = &outputs
        .iter()
        .find(|(name, _)| *name == "json")
        .expect("json output")
        .1;
    let report: serde_json::Value = serde_json::from_slice(json).expect("json output parses");
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let file_of =
        |f: &serde_json::Value| f["parties"][0]["file"].as_str().unwrap_or("").to_string();
    // The constant covers what every run prints whatever the layout: SARIF's rule catalog
    // (about 170 KiB) most of all.
    let bound = 64 * written + 8192 * findings.len() + (256 << 10);
    for (name, text) in &outputs {
        assert!(
            text.len() <= bound,
            "{name}: {} bytes for {written} bytes written and {} findings ({amp:?})",
            text.len(),
            findings.len()
        );
    }
    if over_budget && amp.extra.is_empty() {
        let located = findings.iter().any(|f| {
            ["CL907", "CL901"].contains(&f["code"].as_str().unwrap_or_default())
                && !file_of(f).is_empty()
        });
        assert!(
            located,
            "expands past a budget without a located CL907: {amp:?}"
        );
    }
}
