//! Shell scripts that start compose (issue 14): what clawlint says when it stops following
//! one, which env files the fix names, the guards before a `source`, `source name` searched on
//! PATH, and `realpath`/`readlink -f` through the layout's symlinks. Each test reads what
//! clawlint prints, as JSON.

mod common;
use common::*;

use serde_json::Value;

/// The check report of `clawlint check ARGS --format json`.
fn check_json(args: &[String]) -> Value {
    let mut all = vec!["check".to_string()];
    all.extend(args.iter().cloned());
    all.extend(["--format".to_string(), "json".to_string()]);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let (_, stdout, stderr) = clawlint(&all);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}\n{stdout}"))
}

fn check_fixture(name: &str) -> Value {
    check_json(&fixture_args(name))
}

/// The findings of one rule.
fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// Every note of a rule's findings.
fn notes(report: &Value, code: &str) -> Vec<String> {
    with_code(report, code)
        .iter()
        .flat_map(|f| f["notes"].as_array().unwrap().iter())
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// A script clawlint stops following (a sourced path it cannot work out, a script run through
/// a variable `git` sets) may start the stack: CL108's note on whether the profile-gated
/// gateway starts points at those lines and their CL902, instead of saying no script was
/// found. Past the depth budget it points at the CL907.
#[test]
fn a_failed_follow_is_pointed_at_not_called_missing() {
    let report = check_fixture("input-compose-script-unresolved");
    let notes = notes(&report, "CL108");
    let unverifiable: Vec<&String> = notes
        .iter()
        .filter(|n| n.contains("unverifiable"))
        .collect();
    assert!(!unverifiable.is_empty(), "{notes:?}");
    for note in &unverifiable {
        assert!(!note.contains("no unit, script or Makefile"), "{note}");
        assert!(note.contains("home/bin/start-all.sh:7 and "), "{note}");
        assert!(
            note.contains("home/bin/start-all.sh:10 (CL902 there says why)"),
            "{note}"
        );
    }
    let deep = check_fixture("input-compose-scripts-too-deep");
    let notes = notes_of(&deep);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("start-tier2.sh:5 (CL907 there says why)"))
            && !notes
                .iter()
                .any(|n| n.contains("no unit, script or Makefile")),
        "{notes:?}"
    );
}

fn notes_of(report: &Value) -> Vec<String> {
    notes(report, "CL108")
        .into_iter()
        .filter(|n| n.contains("unverifiable"))
        .collect()
}

/// The unit sets `COMPOSE_ENV_FILES=prod.env`: compose interpolates with prod.env, not the
/// project's `.env`, so the fix that edits the default in `${OPENCLAW_GATEWAY_PORT:-18789}`
/// says prod.env does not set the variable.
#[test]
fn the_fix_names_the_env_files_compose_reads() {
    let (_, stdout, stderr) = clawlint(&[
        "check",
        "--home",
        "fixtures/containers-compose-env-files-var/home",
        "--format",
        "json",
    ]);
    let fixes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"message\": \"publish "))
        .collect();
    assert_eq!(fixes.len(), 2, "{stderr}\n{stdout}");
    for fix in fixes {
        assert!(
            fix.contains("home/stacks/acme/prod.env does not set OPENCLAW_"),
            "{fix}"
        );
        assert!(!fix.contains("the project's .env"), "{fix}");
    }
}
