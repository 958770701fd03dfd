//! Conformance: clawlint resolves each recorded case exactly as the real OpenClaw 2026.9.6
//! did (tests/conformance/cases/*/expected.json, recorded by scripts/record-conformance.sh
//! from a started gateway and from OpenClaw's read-only commands).

use clawlint::load::env::{Env, EnvOrigin};
use clawlint::load::ProblemKind;
use clawlint::resolve::{resolve_instance, Discovery, Instance, Invocation, Origin, Sourced};
use clawlint::source::SourceMap;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/cases")
}

fn invocation(case: &Value, home: &Path) -> Invocation {
    let home_text = home.display().to_string();
    let mut env = Env::new();
    for (key, value) in case["env"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap().replace("$HOME", &home_text);
        env.set(key, value, EnvOrigin::Given);
    }
    let cwd = match case["cwd"].as_str() {
        Some(rel) => home.join(rel),
        None => home.to_path_buf(),
    };
    Invocation {
        name: "case".into(),
        discovery: Discovery::Given,
        home: home.to_path_buf(),
        cwd,
        profile_flag: case["profile"].as_str().map(str::to_string),
        dev: case["dev"].as_bool().unwrap_or(false),
        env,
        port_arg: case["port"]
            .as_u64()
            .map(|p| Sourced::new(p as u16, Origin::cli(format!("--port {p}"), None))),
        // The recorded starts ran `gateway run --bind loopback`.
        bind_arg: Some(Sourced::new(
            "loopback".to_string(),
            Origin::cli("--bind loopback".to_string(), None),
        )),
        auth_args: false,
        // scripts/oracle-run.mjs passes it.
        allow_unconfigured: Some(true),
        service: None,
        container: None,
        // A case recorded with its home at the path a supervisor was written for
        // (`writtenHome`, e.g. /home/sebastian): the files under `home/` name that path, and
        // clawlint reads them under the scanned home, as discovery does for such a unit.
        written_home: case["writtenHome"].as_str().map(str::to_string),
    }
}

fn path_text(path: &Path, home: &str) -> String {
    path.display().to_string().replacen(home, "$HOME", 1)
}

/// The fields of `expected.json` clawlint models, in the oracle's shape.
fn view(instance: &Instance, home: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "configPath".into(),
        json!(path_text(&instance.config_path.value, home)),
    );
    out.insert(
        "stateDir".into(),
        json!(path_text(&instance.state_dir.value, home)),
    );
    out.insert("gatewayPort".into(), json!(instance.port.value));
    out.insert(
        "portSource".into(),
        json!(instance.port_kind.openclaw_port_source()),
    );
    out.insert(
        "logFile".into(),
        json!(path_text(&instance.log_file.value, home)),
    );
    let agents: Vec<Value> = instance
        .agents
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "workspace": path_text(&a.workspace.value, home),
                "agentDir": path_text(&a.agent_dir.value, home),
            })
        })
        .collect();
    out.insert("agents".into(), Value::Array(agents));
    if let Some(browser) = &instance.browser {
        let value = match &browser.error {
            Some(error) => json!({ "error": error.to_string() }),
            None => {
                let profiles: Map<String, Value> = browser
                    .profiles
                    .iter()
                    .map(|p| {
                        let v = json!({
                            "driver": p.driver,
                            "cdpPort": p.cdp_port,
                            "cdpUrl": p.cdp_url(),
                            "attachOnly": p.attach_only,
                        });
                        (p.name.to_string(), v)
                    })
                    .collect();
                json!({
                    "controlPort": browser.control_port,
                    "cdpRange": [browser.cdp_range.start, browser.cdp_range.end],
                    "profiles": profiles,
                })
            }
        };
        out.insert("browser".into(), value);
    }
    out
}

/// Compares one case; returns the differences as readable lines.
///
/// `expected.json` holds two recorded answers of the real OpenClaw: `runtime`, what the
/// started gateway did (`gateway run`: ports bound, config path, state dir, log file, its own
/// browser resolution), and `readOnly`, what `gateway status`, `agents list` and `config
/// validate` say without starting it. Ports, paths and browser come from `runtime`; agents and
/// validation warnings, which a start does not print, from `readOnly`.
fn check_case(dir: &Path) -> Vec<String> {
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let runtime = &expected["runtime"];
    let read_only = &expected["readOnly"];
    assert!(
        runtime.is_object() && read_only.is_object(),
        "{}: expected.json lacks the runtime/readOnly blocks; re-record it",
        dir.display()
    );
    let home = dir.join("home");
    let home_text = home.display().to_string();
    let mut sources = SourceMap::new();
    let instance = resolve_instance(&invocation(&case, &home), &mut sources);
    let actual = view(&instance, &home_text);
    let mut diffs = Vec::new();
    // Values clawlint does not model (the config validator's business): OpenClaw's own
    // rejection messages when they are all of that kind.
    let schema_only = read_only["configError"]
        .as_array()
        .is_some_and(|issues| issues.iter().all(|i| is_schema_only(&i["message"])));
    if runtime["started"] != json!(true) {
        // The gateway refused to start (or crashed): clawlint must say it will not start.
        if instance.starts() && !schema_only {
            diffs.push(format!(
                "the gateway did not start ({}), clawlint says it starts",
                runtime["startError"]
            ));
        }
        return diffs;
    }
    if let Some(refusal) = &instance.refusal {
        diffs.push(format!(
            "the gateway started, clawlint says it will not: {refusal}"
        ));
    }
    // A start that rewrote the config is a startup repair, which clawlint must report.
    let rewritten = runtime["rewrittenFiles"]
        .as_array()
        .is_some_and(|files| !files.is_empty());
    let repaired = instance.start.start == clawlint::resolve::verdict::Start::StartsAfterRepair;
    if rewritten != repaired && !(rewritten && schema_only) {
        diffs.push(format!(
            "startup repair: OpenClaw rewrote {}, clawlint reports a repair: {repaired}",
            runtime["rewrittenFiles"]
        ));
    }
    // The start moves a legacy `~/.clawdbot` to `~/.openclaw` (leaving a symlink), so the
    // running gateway names under `~/.openclaw` the files clawlint finds under `~/.clawdbot`:
    // the same files (the case's README says so).
    let moved = case["legacyStateMove"].as_bool() == Some(true);
    let mut compare = |field: &str, want: &Value| {
        let got = actual.get(field).cloned().unwrap_or(Value::Null);
        let got = match (&got, moved) {
            (Value::String(text), true) => {
                json!(text.replacen("$HOME/.clawdbot", "$HOME/.openclaw", 1))
            }
            _ => got,
        };
        if &got != want {
            diffs.push(format!("{field}: expected {want}, got {got}"));
        }
    };
    for (field, want) in [
        ("configPath", &runtime["configPath"]),
        ("stateDir", &runtime["stateDir"]),
        ("gatewayPort", &runtime["gatewayPort"]),
        ("logFile", &runtime["logFile"]),
    ] {
        compare(field, want);
    }
    // `gateway status --port N` only echoes N, so the recorder never asks it; with a
    // `--port` the source is the argument clawlint was given.
    if case["port"].is_null() {
        // (null when `gateway status` refused a config the start repaired)
        if !read_only["portSource"].is_null() {
            compare("portSource", &read_only["portSource"]);
        }
    } else {
        compare("portSource", &json!("cli"));
    }
    if let Some(agents) = read_only["agents"].as_array() {
        let want: Vec<Value> = agents
            .iter()
            .map(|a| json!({"id": a["id"], "workspace": a["workspace"], "agentDir": a["agentDir"]}))
            .collect();
        compare("agents", &Value::Array(want));
    }
    match &runtime["browser"] {
        Value::Null => {}
        browser if browser.get("error").is_some() => compare("browser", browser),
        browser => {
            let mut want = browser.clone();
            want.as_object_mut().unwrap().remove("extensionRelayPorts");
            // clawlint shows a cdpUrl's scheme, host and port only (its path, query or
            // fragment may hold a token): compare OpenClaw's URL as clawlint would show it.
            if let Some(profiles) = want["profiles"].as_object_mut() {
                for profile in profiles.values_mut() {
                    if let Some(url) = profile["cdpUrl"].as_str().filter(|u| !u.is_empty()) {
                        profile["cdpUrl"] = Value::String(clawlint::redact::redact_url(url));
                    }
                }
            }
            compare("browser", &want);
        }
    }
    let warned_missing = read_only["configValidate"]["warnings"]
        .as_array()
        .is_some_and(|w| {
            w.iter().any(|w| {
                w["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Missing env var")
            })
        });
    let found_missing = instance
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::MissingEnvVar);
    if warned_missing != found_missing {
        diffs.push(format!(
            "missing env var: OpenClaw warns {warned_missing}, clawlint {found_missing}"
        ));
    }
    diffs
}

/// Schema rules clawlint does not model (it is not a config validator).
fn is_schema_only(message: &Value) -> bool {
    let text = message.as_str().unwrap_or("");
    text.contains("multi-agent rosters") || text.contains("Unrecognized key")
}

#[test]
fn every_recorded_case_resolves_as_openclaw_does() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "only {} conformance cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        for diff in check_case(dir) {
            failures.push(format!(
                "{}: {diff}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from OpenClaw:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
