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
        out.contains("failures=\"2\" errors=\"0\" skipped=\"5\""),
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
        junit.contains("failures=\"5\""),
        "errors and warnings fail: {junit}"
    );
    assert!(junit.contains("<property name=\"failing-level\" value=\"warning\"/>"));
    let (code, _, err) = clawlint(&["check", "--home", EXAMPLE, "--strict", "--exit-zero"]);
    assert_eq!(code, 2, "contradictory: {err}");
}

fn codes(concise: &str) -> Vec<String> {
    concise
        .lines()
        .filter_map(|l| l.split(": ").nth(1))
        .filter_map(|rest| rest.split(' ').next())
        .filter(|c| c.starts_with("CL"))
        .map(String::from)
        .collect()
}

#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let (code, loud, _) = clawlint(&["check", "--home", EXAMPLE, "--format", "concise"]);
    assert_eq!(code, 1);
    assert!(loud.contains("3 gateways checked"), "{loud}");
    let (code, quiet, _) = clawlint(&["check", "--home", EXAMPLE, "--format", "concise", "-q"]);
    assert_eq!(code, 1, "--quiet does not change the exit code");
    assert!(!quiet.contains("gateways checked"), "{quiet}");
    assert_eq!(codes(&quiet), codes(&loud));
    let (_, human, _) = clawlint(&["check", "--home", EXAMPLE, "--quiet"]);
    assert!(
        !human.contains("gateways checked") && human.contains("CL301"),
        "{human}"
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let (code, out, _) = clawlint(&["check", "--home", EXAMPLE, "--statistics"]);
    assert_eq!(code, 1, "the exit code is the run's");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.contains(&"1\tCL301\tshared-telegram-token\t[error]"),
        "{out}"
    );
    assert!(
        lines.contains(&"1\tCL304\tunverifiable-credential\t[info]"),
        "{out}"
    );
    assert_eq!(lines.len(), 8, "7 rules and the summary: {out}");
    assert_eq!(
        lines.last(),
        Some(&"3 gateways checked: 2 errors, 3 warnings, 2 infos")
    );
    assert!(!out.contains('╭'), "no findings, only counts: {out}");
    let (_, quiet, _) = clawlint(&["check", "--home", EXAMPLE, "--statistics", "-q"]);
    assert_eq!(quiet.lines().count(), 7, "{quiet}");
    // The most frequent rule comes first.
    let (_, out, _) = clawlint(&[
        "check",
        "--home",
        "fixtures/services-sandbox-shared/home",
        "--statistics",
        "-q",
    ]);
    let counts: Vec<usize> = out
        .lines()
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted, "{out}");
}

#[test]
fn comma_lists_and_extend_options_compose() {
    let concise = |extra: &[&str]| {
        let mut args = vec!["check", "--home", EXAMPLE, "--format", "concise"];
        args.extend(extra);
        clawlint(&args).1
    };
    // -W and -D take comma lists, by code or name; -D turns warnings into errors.
    let out = concise(&["-D", "CL103,hashed-profile-port"]);
    assert!(
        out.contains("CL103 [-] [error]") && out.contains("CL106 [*] [error]"),
        "{out}"
    );
    let out = concise(&["--warn", "CL301,CL203"]);
    assert!(
        out.contains("CL301 [warning]") && out.contains("CL203 [-] [warning]"),
        "{out}"
    );
    // --select CL3 plus --extend-select CL105: both, nothing else.
    let mut found = codes(&concise(&["--select", "CL3", "--extend-select", "CL105"]));
    found.sort();
    found.dedup();
    assert_eq!(found, ["CL105", "CL301", "CL304", "CL305"]);
    // --extend-ignore and -A drop rules on top of the defaults.
    let out = concise(&["--extend-ignore", "CL304", "-A", "CL105,CL106"]);
    let found = codes(&out);
    assert!(
        !found
            .iter()
            .any(|c| ["CL304", "CL105", "CL106"].contains(&c.as_str())),
        "{out}"
    );
    assert!(found.contains(&"CL301".to_string()), "{out}");
    // The last of -W/-D/-A that names a rule wins.
    let out = concise(&["-A", "CL3", "-D", "CL305"]);
    assert!(
        out.contains("CL305 [error]") && !out.contains("CL301"),
        "{out}"
    );
    let out = concise(&["-D", "CL305", "-A", "CL3"]);
    assert!(!out.contains("CL305"), "{out}");
    // An unknown rule in any of them is a usage error.
    for option in ["--extend-select", "--extend-ignore", "-A", "-W", "-D"] {
        let (code, _, err) = clawlint(&["check", "--home", EXAMPLE, option, "CL999"]);
        assert_eq!(code, 2, "{option}: {err}");
        assert!(err.contains("unknown rule \"CL999\""), "{option}: {err}");
    }
}

#[test]
fn two_outputs_on_standard_output_are_refused() {
    let (code, out, err) = clawlint(&[
        "check", "--home", EXAMPLE, "--format", "json", "--format", "sarif",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "nothing is half-written: {out}");
    assert!(
        err.contains("more than one --format writes to standard output"),
        "{err}"
    );
    // One on stdout and one in a file is fine.
    let dir = TempDir::new("two-outputs");
    let file = dir.path().join("out.sarif");
    let (code, out, _) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--format",
        "json",
        "--format",
        &format!("sarif={}", file.display()),
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with('{'));
    assert!(std::fs::read_to_string(&file).unwrap().contains("2.1.0"));
}

#[test]
fn show_settings_names_the_file_and_every_level() {
    let (code, out, _) = clawlint(&[
        "check",
        "--home",
        "fixtures/manifest-declared/home",
        "--config",
        "fixtures/manifest-declared/clawlint.toml",
        "--show-settings",
        "-D",
        "no-gateways",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("settings file: fixtures/manifest-declared/clawlint.toml\n"),
        "{out}"
    );
    assert!(out.contains("-W/-D/-A: no-gateways = error\n"), "{out}");
    assert!(
        out.contains("  CL910 no-gateways                        error (changed)\n"),
        "{out}"
    );
    assert!(
        out.contains("  CL101 gateway-port-collision             error\n"),
        "{out}"
    );
    let (_, out, _) = clawlint(&["check", "--home", EXAMPLE, "--no-config", "--show-settings"]);
    assert!(out.starts_with("settings file: none (defaults)\n"), "{out}");
    let (_, out, _) = clawlint(&[
        "check",
        "--config",
        "fixtures/config-kebab-names/clawlint.toml",
        "--show-settings",
        "--no-default-home",
    ]);
    assert!(out.contains("[rules]: "), "{out}");
    assert!(!out.contains("[rules]: (none)"), "the file's levels: {out}");
}

#[test]
fn every_option_has_help_text() {
    use clap::CommandFactory;
    let mut missing = Vec::new();
    let top = clawlint::cli::Cli::command();
    let mut commands = vec![top.clone()];
    commands.extend(top.get_subcommands().cloned());
    for command in &commands {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg
                .get_help()
                .is_none_or(|h| h.to_string().trim().is_empty())
            {
                missing.push(format!("{} {id}", command.get_name()));
            }
        }
    }
    assert!(missing.is_empty(), "options without help: {missing:?}");
}

#[test]
fn color_is_accepted_by_every_command_and_can_be_forced() {
    for command in [
        vec!["check", "--home", EXAMPLE],
        vec!["resolve", "--home", EXAMPLE],
        vec!["ports", "--home", EXAMPLE],
        vec!["rule", "CL101"],
        vec!["plan", "--home", EXAMPLE, "--add", "work"],
        vec!["init", "--help"],
    ] {
        for place in ["before", "after"] {
            let mut args: Vec<&str> = Vec::new();
            if place == "before" {
                args.extend(["--color", "never"]);
            }
            args.extend(command.iter().copied());
            if place == "after" {
                args.extend(["--color", "never"]);
            }
            let (code, out, err) = clawlint(&args);
            assert!(code == 0 || code == 1, "{args:?}: {err}");
            assert!(!out.contains('\u{1b}'), "{args:?}");
        }
    }
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_clawlint"));
        cmd.args(["check", "--home", EXAMPLE])
            .args(extra)
            .current_dir(root())
            .env_clear()
            .env("CLAWLINT_FINGERPRINT_KEY", "clawlint tests");
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(
        !run(&[], &[]).contains('\u{1b}'),
        "not a terminal: no colour"
    );
    assert!(run(&[("FORCE_COLOR", "1")], &[]).contains('\u{1b}'));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]).contains('\u{1b}'));
    assert!(!run(&[("FORCE_COLOR", "0")], &[]).contains('\u{1b}'));
    assert!(!run(&[("FORCE_COLOR", "")], &[]).contains('\u{1b}'));
    assert!(
        !run(&[("FORCE_COLOR", "1")], &["--color", "never"]).contains('\u{1b}'),
        "--color never wins"
    );
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]).contains('\u{1b}'));
}

#[test]
fn completions_and_man_pages_are_generated_from_the_definitions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, err) = clawlint(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(
            out.contains("extend-select"),
            "{shell} completes check's options"
        );
    }
    let (_, bash, _) = clawlint(&["completions", "bash"]);
    let syntax = std::process::Command::new("bash")
        .args(["-n", "-c", &bash])
        .status()
        .unwrap();
    assert!(syntax.success(), "the bash completion script parses");
    let (code, _, _) = clawlint(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    let (code, page, _) = clawlint(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH clawlint 1"), "{page}");
    assert!(page.contains("completions"), "lists the commands");
    let (code, page, _) = clawlint(&["man", "check"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH clawlint-check 1"), "{page}");
    assert!(page.contains(r"\-\-statistics"), "{page}");
    let (code, _, err) = clawlint(&["man", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no command \"nope\""), "{err}");
}

#[test]
fn markdown_summarises_for_a_step_summary() {
    let (code, out, _) = clawlint(&["check", "--home", EXAMPLE, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("## clawlint: 2 errors, 3 warnings, 2 infos in 3 gateways\n"),
        "{out}"
    );
    assert!(out.contains("The run ❌ fails."), "{out}");
    let first_row = out
        .lines()
        .find(|l| l.starts_with("| ❌") || l.starts_with("| ⚠") || l.starts_with("| ℹ"))
        .unwrap();
    assert!(first_row.starts_with("| ❌ error |"), "errors first: {out}");
    assert!(
        out.contains(&format!(
            "[CL301 shared-telegram-token]({})",
            clawlint::catalog::SHARED_TELEGRAM_TOKEN.doc_url()
        )),
        "{out}"
    );
    let (_, out, _) = clawlint(&[
        "check",
        "--home",
        EXAMPLE,
        "--format",
        "markdown",
        "--exit-zero",
    ]);
    assert!(out.contains("The run ✅ passes."), "{out}");
}
