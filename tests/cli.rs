//! The command line as users meet it: exit codes, usage errors, settings precedence.

mod common;
use common::*;

const EXAMPLE: &str = "fixtures/example/home";

fn codes(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn errors_exit_1_and_exit_zero_overrides() {
    assert_eq!(clawlint(&["check", "--home", EXAMPLE]).0, 1);
    assert_eq!(clawlint(&["check", "--home", EXAMPLE, "--exit-zero"]).0, 0);
}

#[test]
fn missing_home_is_an_input_failure() {
    let (code, stdout, stderr) = clawlint(&["check", "--home", "fixtures/does-not-exist"]);
    assert_eq!(code, 3);
    assert!(stdout.is_empty());
    assert!(stderr.contains("fixtures/does-not-exist"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        clawlint(&["check", "--home", EXAMPLE, "--format", "yaml"]).0,
        2
    );
    assert_eq!(
        clawlint(&["check", "--home", EXAMPLE, "--select", "CL777"]).0,
        2
    );
    assert_eq!(clawlint(&["rule", "CL777"]).0, 2);
    assert_eq!(clawlint(&["frobnicate"]).0, 2);
    let (code, stdout, _) = clawlint(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("check"));
}

#[test]
fn bad_settings_file_exits_2_with_its_location() {
    let dir = TempDir::new("bad-settings");
    let config = dir.join("clawlint.toml");
    std::fs::write(&config, "[lint]\nselect = [\"CL1\"]\nbogus = true\n").unwrap();
    let (code, _, stderr) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("clawlint.toml:3:1"), "{stderr}");
    assert!(stderr.contains("bogus"), "{stderr}");
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"CL203\"\ninstances = [\"a\"]\nreason = \"\"\n",
    )
    .unwrap();
    let (code, _, stderr) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("needs a reason"), "{stderr}");
}

#[test]
fn select_ignore_and_levels() {
    let (_, json, _) = clawlint(&[
        "check", "--home", EXAMPLE, "--format", "json", "--select", "CL3",
    ]);
    let found = codes(&json);
    assert!(!found.is_empty());
    assert!(found.iter().all(|(c, _)| c.starts_with("CL3")), "{found:?}");

    let (_, json, _) = clawlint(&[
        "check", "--home", EXAMPLE, "--format", "json", "--ignore", "CL3,CL2",
    ]);
    assert!(codes(&json)
        .iter()
        .all(|(c, _)| !c.starts_with("CL3") && !c.starts_with("CL2")));

    let (code, json, _) = clawlint(&[
        "check", "--home", EXAMPLE, "--format", "json", "-W", "CL301", "-W", "CL2",
    ]);
    assert_eq!(code, 0, "no error left once errors are warnings");
    assert!(codes(&json).contains(&("CL301".into(), "warning".into())));

    let (_, json, _) = clawlint(&[
        "check", "--home", EXAMPLE, "--format", "json", "-D", "CL106",
    ]);
    assert!(codes(&json).contains(&("CL106".into(), "error".into())));
}

#[test]
fn rule_pages_print() {
    let (code, stdout, _) = clawlint(&["rule", "CL101"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("CL101 gateway-port-collision"));
    let (_, stdout, _) = clawlint(&["rule", "listener-collision"]);
    assert!(stdout.starts_with("CL102"));
    let (_, json, _) = clawlint(&["rule", "--all", "--format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rules.len(), clawlint::catalog::ALL.len());
}

#[test]
fn config_files_as_arguments_lint_only_those() {
    let (code, json, stderr) = clawlint(&[
        "check",
        "fixtures/example/home/.openclaw/openclaw.json",
        "fixtures/example/home/.openclaw-rescue/openclaw.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"]["instances"], 2);
    assert!(codes(&json).iter().any(|(c, _)| c == "CL301"));
}

#[test]
fn output_is_identical_across_runs() {
    let first = clawlint(&["check", "--home", EXAMPLE, "--format", "json"]).1;
    for _ in 0..3 {
        assert_eq!(
            clawlint(&["check", "--home", EXAMPLE, "--format", "json"]).1,
            first
        );
    }
}

#[test]
fn no_colour_when_not_a_terminal() {
    let (_, stdout, _) = clawlint(&["check", "--home", EXAMPLE]);
    assert!(!stdout.contains('\u{1b}'));
    let (_, stdout, _) = clawlint(&["check", "--home", EXAMPLE, "--color", "always"]);
    assert!(stdout.contains('\u{1b}'));
}

#[test]
fn a_huge_config_is_reported_and_the_others_still_linted() {
    let home = TempDir::new("huge");
    let huge = home.join(".openclaw-huge");
    let fine = home.join(".openclaw-fine");
    std::fs::create_dir_all(&huge).unwrap();
    std::fs::create_dir_all(&fine).unwrap();
    // 17 MiB of whitespace around a valid object: past clawlint's 16 MiB limit for a config.
    let mut text = String::from("{ gateway: { port: 21000 } }");
    text.push_str(&" ".repeat(17 * 1024 * 1024));
    std::fs::write(huge.join("openclaw.json"), text).unwrap();
    std::fs::write(fine.join("openclaw.json"), "{ gateway: { port: 21000 } }").unwrap();
    let (code, json, stderr) = clawlint(&[
        "check",
        "--home",
        home.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let found = codes(&json);
    assert!(found.iter().any(|(c, _)| c == "CL902"), "{found:?}");
    assert!(json.contains("larger than"), "{json}");
}

#[test]
fn init_writes_a_starter_file_that_check_accepts() {
    let dir = TempDir::new("init");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clawlint"))
            .args(args)
            .current_dir(&dir)
            .env_clear()
            .env("CLAWLINT_FINGERPRINT_KEY", "clawlint tests")
            .output()
            .unwrap()
    };
    assert_eq!(run(&["init"]).status.code(), Some(0));
    let text = std::fs::read_to_string(dir.join("clawlint.toml")).unwrap();
    assert!(text.contains("[[ignore]]") && text.contains("reason"));
    assert_eq!(
        run(&["init"]).status.code(),
        Some(2),
        "never overwrites without --force"
    );
    assert_eq!(run(&["init", "--force"]).status.code(), Some(0));
    // The starter file is found from the working directory and is a valid configuration.
    let home = root().join(EXAMPLE);
    let checked = run(&["check", "--home", home.to_str().unwrap()]);
    assert_eq!(
        checked.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// One selector grammar everywhere: a rule's kebab-case name works on the command line as
/// its code does, and a misspelt one is a usage error that names it.
#[test]
fn rules_are_selected_by_name_on_the_command_line() {
    let (_, json, _) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--format",
        "json",
        "--select",
        "shared-telegram-token,CL2",
        "-W",
        "shared-telegram-token",
    ]);
    let found = codes(&json);
    assert!(
        found.contains(&("CL301".into(), "warning".into())),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|(c, _)| c == "CL301" || c.starts_with("CL2")),
        "{found:?}"
    );
    let (code, _, stderr) = clawlint(&["check", "--home", EXAMPLE, "--ignore", "shared-telegram"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("shared-telegram"), "{stderr}");
}

/// A misspelt rule in clawlint.toml is reported with its line and column, in [rules] keys
/// and [[ignore]] entries alike.
#[test]
fn unknown_rules_in_settings_are_located() {
    let dir = TempDir::new("unknown-rules");
    let config = dir.path().join("clawlint.toml");
    for (text, place) in [
        ("[rules]\nshared-worksapce = \"off\"\n", "clawlint.toml:2:1"),
        (
            "[[ignore]]\nrule = \"CL2x\"\ninstances = [\"a\", \"b\"]\nreason = \"r\"\n",
            "clawlint.toml:2:8",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        let (code, _, stderr) = clawlint(&[
            "check",
            "--home",
            EXAMPLE,
            "--config",
            config.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(place), "{place}: {stderr}");
        assert!(stderr.contains("unknown rule"), "{stderr}");
    }
}
