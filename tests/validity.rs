//! The differential test: for every config of tests/validity/cases/, clawlint's verdict must
//! be OpenClaw's own, as recorded by scripts/record-validity.sh in
//! tests/validity/verdicts/<release>.json (`openclaw config validate --json` and the start
//! guard of `openclaw gateway run`): accept or reject, the set of paths it reports, and
//! whether the gateway starts (possibly after repairing its file).

use clawlint::load::env::{substitute_tree, Env};
use clawlint::source::SourceMap;
use clawlint::validate;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validity/cases")
}

struct Ours {
    valid: bool,
    paths: BTreeSet<String>,
    starts: bool,
    detail: String,
}

fn run_case(path: &Path, release: &str) -> Ours {
    let config = if path.is_dir() {
        path.join("openclaw.json")
    } else {
        path.to_path_buf()
    };
    let mut sources = SourceMap::new();
    let env = Env::new();
    let home = Path::new("/nonexistent-home");
    let cwd = config.parent().unwrap();
    let mut cache = clawlint::load::cache::FileCache::new();
    let loaded = clawlint::resolve::load_config(&config, &env, home, cwd, &mut sources, &mut cache);
    let Some(mut root) = loaded.root else {
        return Ours {
            valid: false,
            paths: BTreeSet::new(),
            starts: false,
            detail: format!("not loaded: {:?}", loaded.problems),
        };
    };
    let mut problems = loaded.problems;
    substitute_tree(&mut root, &env, &mut problems);
    let main = sources.lookup(&config).unwrap();
    let single = !validate::uses_include(&sources, main);
    let verdict = validate::validate(&root, release, single).expect("schema recorded");
    let load_failed = problems
        .iter()
        .any(|p| p.kind != clawlint::load::ProblemKind::MissingEnvVar);
    let detail = verdict
        .issues
        .iter()
        .map(|(i, o)| {
            format!(
                "{} [{:?}] {} -> {:?}",
                i.report_path(),
                i.kind,
                i.message,
                o
            )
        })
        .chain(problems.iter().map(|p| format!("load: {}", p.message)))
        .collect::<Vec<_>>()
        .join("\n      ");
    Ours {
        valid: verdict.valid() && !load_failed,
        paths: verdict
            .issues
            .iter()
            .map(|(i, _)| i.report_path())
            .collect(),
        starts: verdict.starts && !load_failed,
        detail,
    }
}

fn check_release(release: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/validity/verdicts")
        .join(format!("{release}.json"));
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let recorded = recorded.as_object().unwrap();
    let mut failures = Vec::new();
    let (mut accepted, mut rejected, mut repaired) = (0, 0, 0);
    for (name, theirs) in recorded {
        let mut path = cases_dir().join(format!("{name}.json5"));
        if !path.exists() {
            path = cases_dir().join(name);
        }
        let ours = run_case(&path, release);
        let valid = theirs["valid"].as_bool().unwrap();
        let their_paths: BTreeSet<String> = theirs["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| i["path"].as_str().unwrap_or("").to_string())
            .collect();
        if valid {
            accepted += 1;
        } else {
            rejected += 1;
        }
        let mut why = Vec::new();
        if ours.valid != valid {
            why.push(format!(
                "OpenClaw valid={valid}, clawlint valid={}",
                ours.valid
            ));
        } else if !valid && theirs.get("issues").is_some() && ours.paths != their_paths {
            why.push(format!(
                "paths: OpenClaw {their_paths:?}, clawlint {:?}",
                ours.paths
            ));
        }
        if let Some(starts) = theirs.pointer("/start/starts").and_then(Value::as_bool) {
            if theirs.pointer("/start/repaired") == Some(&Value::Bool(true)) {
                repaired += 1;
            }
            if starts != ours.starts {
                why.push(format!(
                    "start: OpenClaw starts={starts}, clawlint starts={}",
                    ours.starts
                ));
            }
        }
        if !why.is_empty() {
            failures.push(format!(
                "{name}: {}\n      OpenClaw: {}\n      clawlint: {}",
                why.join("; "),
                serde_json::to_string(theirs).unwrap(),
                ours.detail
            ));
        }
    }
    eprintln!("{release}: {accepted} accepted, {rejected} rejected ({repaired} repaired at start)");
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with OpenClaw {release}:\n{}",
        failures.len(),
        recorded.len(),
        failures.join("\n")
    );
    assert!(
        recorded.len() >= 200,
        "the differential set has {} cases",
        recorded.len()
    );
}

#[test]
fn agrees_with_openclaw_2026_9_6() {
    check_release("2026.9.6");
}
