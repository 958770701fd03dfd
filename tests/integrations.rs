//! The pre-commit hook and the GitHub Action, exercised as their hosts would run them.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// A PATH on which `clawlint` is the binary under test, as `cargo install` would provide.
fn path_with_clawlint() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_clawlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    format!("{}:/usr/bin:/bin", bin.display())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clawlint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn pre_commit_hook_manifest_parses_and_its_entry_runs() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hook = &hooks[0];
    assert_eq!(hook["id"].as_str(), Some("clawlint"));
    assert_eq!(
        hook["language"].as_str(),
        Some("rust"),
        "pre-commit builds it with cargo"
    );
    assert_eq!(
        hook["pass_filenames"].as_bool(),
        Some(false),
        "a collision needs all gateways"
    );
    let files = hook["files"].as_str().unwrap();
    assert!(files.contains("json5") && files.contains("service"));
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "clawlint");
    // As a user's .pre-commit-config.yaml would add: `args: [--home, fixtures/example/home]`.
    let output = Command::new(entry[0])
        .args(&entry[1..])
        .args(["--home", "fixtures/example/home"])
        .current_dir(root())
        .env_clear()
        .env("PATH", path_with_clawlint())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the example has errors: the commit is stopped"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("CL301"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour in a hook");
}

#[test]
fn github_action_lint_step_runs_and_writes_sarif() {
    let action = load("action.yml");
    let steps = action["runs"]["steps"].as_vec().unwrap();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let lint = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("lint"))
        .unwrap();
    let script = lint["run"].as_str().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .unwrap();
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("${{ inputs.sarif-file }}")
    );

    let dir = scratch("action");
    let sarif = dir.join("out.sarif");
    let github_output = dir.join("github-output");
    let output = Command::new("bash")
        .args(["-c", script])
        .current_dir(root())
        .env_clear()
        .env("PATH", path_with_clawlint())
        .env("CLAWLINT_ARGS", "--home fixtures/example/home")
        .env("SARIF_FILE", &sarif)
        .env("GITHUB_OUTPUT", &github_output)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the step itself succeeds; the exit code is an output"
    );
    let outputs = std::fs::read_to_string(&github_output).unwrap();
    assert_eq!(outputs.trim(), "exit-code=1");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.lines().any(|l| l.starts_with("::error file=")),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(report["version"], "2.1.0");
    assert!(!report["runs"][0]["results"].as_array().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
