//! CI semantics that agree with the exit code: CL910 for an empty run in every format,
//! --strict, JUnit failures and ids, GitHub's ordering; and the options users of ruff expect.

mod common;
use common::*;

const EXAMPLE: &str = "fixtures/example/home";
const EMPTY: &str = "fixtures/input-no-gateways/home";

#[test]
fn no_gateways_is_a_finding_in_every_format() {
    let (code, human, _) = clawlint(&["check", "--home", EMPTY]);
    assert_eq!(code, 0, "a warning: exits 0");
    assert!(
        human.contains("CL910") && human.contains("0 gateways checked"),
        "{human}"
    );
    let (code, _, _) = clawlint(&["check", "--home", EMPTY, "-D", "CL910"]);
    assert_eq!(code, 1, "-D CL910 makes an empty run fail");
    let (code, _, _) = clawlint(&["check", "--home", EMPTY, "-D", "no-gateways"]);
    assert_eq!(code, 1, "by name too");
    let (_, json, _) = clawlint(&["check", "--home", EMPTY, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["findings"][0]["code"], "CL910");
    assert_eq!(json["summary"]["warnings"], 1);
    let (_, sarif, _) = clawlint(&["check", "--home", EMPTY, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notification["associatedRule"]["id"], "CL910");
    assert_eq!(notification["level"], "warning");
    let (_, github, _) = clawlint(&["check", "--home", EMPTY, "--format", "github"]);
    assert!(
        github.starts_with("::warning title=CL910 no-gateways::"),
        "{github}"
    );
    let (_, junit, _) = clawlint(&["check", "--home", EMPTY, "--format", "junit", "-D", "CL910"]);
    assert!(
        junit.contains("classname=\"CL910 no-gateways\"") && junit.contains("<failure"),
        "{junit}"
    );
    let (_, concise, _) = clawlint(&["check", "--home", EMPTY, "--format", "concise"]);
    assert!(concise.contains("CL910 [warning]"), "{concise}");
}

#[test]
fn github_annotations_put_errors_first() {
    let (_, out, _) = clawlint(&["check", "--home", EXAMPLE, "--format", "github"]);
    let levels: Vec<&str> = out.lines().map(|l| l.split(' ').next().unwrap()).collect();
    let mut sorted = levels.clone();
    let rank = |l: &&str| match *l {
        "::error" => 0,
        "::warning" => 1,
        _ => 2,
    };
    sorted.sort_by_key(rank);
    assert_eq!(levels, sorted, "{out}");
    assert_eq!(levels[0], "::error");
}

#[test]
fn junit_test_ids_are_unique_in_every_fixture() {
    for entry in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("home").is_dir() {
            continue;
        }
        let home = dir.join("home");
        let (_, out, _) = clawlint(&[
            "check",
            "--home",
            home.to_str().unwrap(),
            "--format",
            "junit",
            "--no-config",
        ]);
        let mut ids: Vec<&str> = out
            .lines()
            .filter(|l| l.trim_start().starts_with("<testcase "))
            .collect();
        let before = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            before,
            "{}: repeated test ids\n{out}",
            dir.display()
        );
    }
}

#[test]
fn junit_can_skip_what_does_not_fail() {
    let (_, out, _) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--format",
        "junit",
        "--junit-below-failing",
        "skipped",
    ]);
    assert!(
        out.contains("failures=\"3\" errors=\"0\" skipped=\"5\""),
        "{out}"
    );
    let (code, out, _) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--format",
        "junit",
        "--exit-zero",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("failures=\"0\""),
        "--exit-zero fails nothing: {out}"
    );
    assert!(out.contains("<property name=\"failing-level\" value=\"none\"/>"));
}

#[test]
fn strict_fails_on_warnings_too() {
    let (code, _, _) = clawlint(&["check", "--home", EMPTY]);
    assert_eq!(code, 0, "a warning alone exits 0");
    let (code, _, _) = clawlint(&["check", "--home", EMPTY, "--strict"]);
    assert_eq!(code, 1, "--strict: a warning fails");
    let (_, junit, _) = clawlint(&["check", "--home", EXAMPLE, "--strict", "--format", "junit"]);
    assert!(
        junit.contains("failures=\"6\""),
        "errors and warnings fail: {junit}"
    );
    assert!(junit.contains("<property name=\"failing-level\" value=\"warning\"/>"));
    let (code, _, err) = clawlint(&["check", "--home", EXAMPLE, "--strict", "--exit-zero"]);
    assert_eq!(code, 2, "contradictory: {err}");
}
