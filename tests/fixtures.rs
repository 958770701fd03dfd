//! Every host layout under fixtures/ is linted as a user would lint it, hermetically (no
//! OPENCLAW_* variables, no HOME), and its output is pinned by insta snapshots. Each
//! fixture's `expect.toml` also states which rules must fire and which must stay quiet.
//!
//! One test case per fixture and output (`NAME::expect`, `NAME::human`, `NAME::json`,
//! `NAME::resolve`), found at run time, so one mismatch never hides the others and
//! `cargo test --test fixtures -- ports-hash` runs one fixture.

mod common;
use common::*;

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// What the layout shows, for the reader.
    description: String,
    /// Rules that must report at least one finding.
    #[serde(default)]
    fires: Vec<String>,
    /// Rules that must report nothing: the look-alikes.
    #[serde(default)]
    quiet: Vec<String>,
    /// The exit code `clawlint check` must return.
    exit: i32,
}

fn fixtures() -> Vec<String> {
    common::fixture_names()
}

fn expect(name: &str) -> Expect {
    let path = root().join("fixtures").join(name).join("expect.toml");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `check` with the fixture's homes, and its clawlint.toml and system root when it has them.
fn check_fixture(name: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<String> = vec!["check".to_string()];
    args.extend(fixture_args(name));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    clawlint(&args)
}

fn codes_in(json: &str) -> BTreeSet<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON output parses");
    value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The rules a fixture must fire and must keep quiet, and its exit code.
fn check_expectations(name: &str) -> Result<(), Failed> {
    let expect = expect(name);
    if expect.description.trim().is_empty() {
        return Err("expect.toml needs a description".into());
    }
    let (code, json, stderr) = check_fixture(name, &["--format", "json"]);
    let found = codes_in(&json);
    let mut failures = Vec::new();
    for rule in &expect.fires {
        if !found.contains(rule) {
            failures.push(format!("{rule} should fire (found {found:?})"));
        }
    }
    for rule in &expect.quiet {
        if found.contains(rule) {
            failures.push(format!("{rule} should stay quiet"));
        }
    }
    if code != expect.exit {
        failures.push(format!("exit {code}, expected {} ({stderr})", expect.exit));
    }
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("\n").into()),
    }
}

fn every_rule_has_a_firing_fixture_and_a_look_alike() -> Result<(), Failed> {
    let mut fires = BTreeSet::new();
    let mut quiet = BTreeSet::new();
    for name in fixtures() {
        let e = expect(&name);
        fires.extend(e.fires);
        quiet.extend(e.quiet);
    }
    let missing: Vec<String> = clawlint::catalog::ALL
        .iter()
        .filter(|r| !fires.contains(r.code) || !quiet.contains(r.code))
        .map(|r| {
            format!(
                "{} (fires: {}, look-alike: {})",
                r.code,
                fires.contains(r.code),
                quiet.contains(r.code)
            )
        })
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!("rules without both fixtures:\n{}", missing.join("\n")).into()),
    }
}

fn human_snapshot(name: &str) {
    let (code, stdout, stderr) = check_fixture(name, &["--color", "never"]);
    let text = format!("exit: {code}\n{stderr}{stdout}");
    insta::assert_snapshot!(format!("{name}__human"), text);
}

fn json_snapshot(name: &str) {
    let (_, stdout, _) = check_fixture(name, &["--format", "json"]);
    insta::assert_snapshot!(format!("{name}__json"), stdout);
}

fn resolve_snapshot(name: &str) {
    // The same inputs `check` reads, so that resolve shows the gateways check judged.
    let mut args = vec!["resolve".to_string()];
    args.extend(fixture_args(name));
    args.extend(["--format".to_string(), "json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = clawlint(&args);
    assert_eq!(code, 0, "{name}: {stderr}");
    insta::assert_snapshot!(format!("{name}__resolve"), stdout);
}

/// A snapshot case: insta reports a mismatch by panicking, which fails only this case.
fn snapshot(name: &str, kind: &str, run: fn(&str)) -> Trial {
    let fixture = name.to_string();
    Trial::test(format!("{name}::{kind}"), move || {
        run(&fixture);
        Ok(())
    })
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test(
        "every_rule_has_a_firing_fixture_and_a_look_alike",
        every_rule_has_a_firing_fixture_and_a_look_alike,
    )];
    for name in fixtures() {
        let fixture = name.clone();
        trials.push(Trial::test(format!("{name}::expect"), move || {
            check_expectations(&fixture)
        }));
        trials.push(snapshot(&name, "human", human_snapshot));
        trials.push(snapshot(&name, "json", json_snapshot));
        trials.push(snapshot(&name, "resolve", resolve_snapshot));
    }
    libtest_mimic::run(&args, trials).exit();
}
