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

fn write(base: &std::path::Path, rel: &str, text: &str) {
    let path = base.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A host whose user unit runs `~/bin/up.sh` (text `script`, mode 755) in `~/stacks/acme` with
/// `PATH` set to `path` (none when `None`), beside a native gateway on 18789; the stack's
/// gateway, behind the profile `openclaw`, publishes 18789. `~/bin/settings.sh` (on the PATH
/// the tests give) enables the profile; `~/stacks/acme/settings.sh` (the directory the script
/// runs in) does not.
fn path_host(name: &str, script: &str, path: Option<&str>) -> (TempDir, Value) {
    use std::os::unix::fs::PermissionsExt;
    let t = TempDir::new(name);
    let home = t.path().join("home");
    let h = home.display().to_string();
    write(
        &home,
        ".openclaw/openclaw.json",
        "{ gateway: { port: 18789 } }\n",
    );
    write(
        &home,
        "stacks/acme/docker-compose.yml",
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    profiles: [openclaw]\n    ports: [\"18789:18789\"]\n",
    );
    write(&home, "bin/settings.sh", "PROFILE=openclaw\n");
    write(&home, "stacks/acme/settings.sh", "PROFILE=web\n");
    write(&home, "bin/up.sh", script);
    std::fs::set_permissions(
        home.join("bin/up.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let env = path
        .map(|p| format!("Environment=PATH={}\n", p.replace("~", &h)))
        .unwrap_or_default();
    enable_acme_unit(
        &home,
        &format!("WorkingDirectory={h}/stacks/acme\n{env}ExecStart={h}/bin/up.sh\n"),
    );
    let report = check_json(&["--home".to_string(), h]);
    (t, report)
}

/// bash's `source NAME` (no slash) reads the first file NAME on PATH, and only then the one in
/// the directory the script runs in: with `PATH=~/bin`, `~/bin/settings.sh` enables the
/// profile and the stack collides (CL108), though `./settings.sh` would not.
#[test]
fn source_without_a_slash_searches_path_first() {
    let bash = "#!/bin/bash\nsource settings.sh\ndocker compose --profile \"$PROFILE\" up -d\n";
    let (_t, report) = path_host(
        "scripts-path-hit",
        bash,
        Some("~/bin:/nonexistent-in-layout"),
    );
    // `/nonexistent-in-layout` is never reached: the first directory has the file.
    assert!(with_code(&report, "CL902").is_empty(), "{report:#}");
    assert!(!with_code(&report, "CL108").is_empty(), "{report:#}");
    assert!(notes_of(&report).is_empty(), "{report:#}");
    // Not on PATH (all of it in the layout): bash reads the one in the directory it runs in.
    let (_t, report) = path_host("scripts-path-cwd", bash, Some("~/.local/bin"));
    assert!(with_code(&report, "CL902").is_empty(), "{report:#}");
    assert!(with_code(&report, "CL108").is_empty(), "{report:#}");
}

/// Where clawlint cannot look (a PATH directory outside the layout, or no PATH it can see),
/// the name is not read: CL902 at the line says why, never a guessed file. A POSIX shell's `.`
/// never looks in the directory it is in: not on PATH, it fails (CL902, missing).
#[test]
fn source_without_a_slash_is_unresolved_where_path_cannot_be_seen() {
    let bash = "#!/bin/bash\nsource settings.sh\ndocker compose --profile \"$PROFILE\" up -d\n";
    let (_t, report) = path_host("scripts-path-outside", bash, Some("/usr/local/bin:~/bin"));
    let cl902 = messages(&report, "CL902");
    assert_eq!(cl902.len(), 1, "{report:#}");
    assert!(
        cl902[0].contains("up.sh:2 sources `settings.sh`, a name without a slash")
            && cl902[0].contains("its PATH has /usr/local/bin, outside the scanned layout"),
        "{cl902:?}"
    );
    // What the unread file would set is unknown: the profile the compose line names.
    let notes = notes_of(&report);
    assert!(
        !notes.is_empty() && notes.iter().all(|n| n.contains("($PROFILE)")),
        "{report:#}"
    );
    let (_t, report) = path_host("scripts-path-unknown", bash, None);
    let cl902 = messages(&report, "CL902");
    assert!(
        cl902.len() == 1
            && cl902[0].contains(
                "the PATH systemd's user manager gives it is configured by the distribution"
            ),
        "{cl902:?}"
    );
    let sh = "#!/bin/sh\n. settings.sh\ndocker compose --profile \"$PROFILE\" up -d\n";
    let (_t, report) = path_host("scripts-path-posix", sh, Some("~/.local/bin"));
    let cl902 = messages(&report, "CL902");
    assert!(
        cl902.len() == 1
            && cl902[0].contains(
                "in a POSIX shell, whose `.` looks for a name without a slash on PATH only"
            ),
        "{cl902:?}"
    );
}

/// Every message of a rule's findings.
fn messages(report: &Value, code: &str) -> Vec<String> {
    with_code(report, code)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// `~/bin/up.sh` is a symlink to `~/ops/acme/up.sh`, which changes to the stack two levels
/// above where it really lies (`cd "$(dirname "$(realpath "$0")")/../../stacks/acme"`, and
/// the same with `readlink -f`, and with `cd -P … && pwd -P` through a linked `~/bin`): the
/// symlink is followed, so compose runs in `~/stacks/acme` with `--profile openclaw` and the
/// stack collides with certainty (CL108 with no "unverifiable" note). Read lexically, the
/// script would change to `stacks/acme` beside the home, where there is no project.
#[test]
fn realpath_and_readlink_follow_symlinks_in_the_layout() {
    for (name, cd) in [
        (
            "scripts-realpath",
            "cd \"$(dirname \"$(realpath \"$0\")\")/../../stacks/acme\"",
        ),
        (
            "scripts-readlink",
            "cd \"$(dirname \"$(readlink -f \"$0\")\")/../../stacks/acme\"",
        ),
        (
            "scripts-pwd-p",
            "cd \"$(cd -P \"$(dirname \"$0\")\" && pwd -P)/../../stacks/acme\"",
        ),
    ] {
        let t = TempDir::new(name);
        let home = t.path().join("home");
        let h = home.display().to_string();
        write(
            &home,
            ".openclaw/openclaw.json",
            "{ gateway: { port: 18789 } }\n",
        );
        write(
            &home,
            "stacks/acme/docker-compose.yml",
            "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    profiles: [openclaw]\n    ports: [\"18789:18789\"]\n",
        );
        write(
            &home,
            "ops/acme/up.sh",
            &format!("#!/bin/bash\nset -e\n{cd}\ndocker compose --profile openclaw up -d\n"),
        );
        if name == "scripts-pwd-p" {
            // The directory is the link: ~/bin -> ops/acme.
            std::os::unix::fs::symlink("ops/acme", home.join("bin")).unwrap();
        } else {
            std::fs::create_dir_all(home.join("bin")).unwrap();
            std::os::unix::fs::symlink("../ops/acme/up.sh", home.join("bin/up.sh")).unwrap();
        }
        enable_acme_unit(&home, &format!("ExecStart={h}/bin/up.sh\n"));
        let report = check_json(&["--home".to_string(), h]);
        assert!(
            !with_code(&report, "CL108").is_empty(),
            "{name}: {report:#}"
        );
        assert!(notes_of(&report).is_empty(), "{name}: {report:#}");
        assert!(with_code(&report, "CL902").is_empty(), "{name}: {report:#}");
    }
}

/// Writes the oneshot user unit `openclaw-acme.service` with `service_lines` and enables it
/// (the `default.target.wants` link `systemctl --user enable` makes).
fn enable_acme_unit(home: &std::path::Path, service_lines: &str) {
    write(
        home,
        ".config/systemd/user/openclaw-acme.service",
        &format!("[Service]\nType=oneshot\n{service_lines}\n[Install]\nWantedBy=default.target\n"),
    );
    enable_user_unit(home, "openclaw-acme.service");
}

/// A script the unit runs as `bash up.sh` is read by bash, whatever its `#!` names (the kernel
/// reads the `#!` only of a script run itself; recorded with bash 5.2 and zsh 5.9, see
/// `command::tests::the_interpreter_on_the_command_line_decides_the_dialect`): bash splits
/// the unquoted `$C` into `docker compose …`, so the compose run and its missing file are
/// found; run as `zsh up.sh`, or itself under its `#!/usr/bin/env zsh`, `$C` is one word, a
/// program named `docker compose`, and no compose run is found.
#[test]
fn the_shell_on_the_command_line_reads_the_script() {
    use std::os::unix::fs::PermissionsExt;
    for (exec, runs_compose) in [("/bin/bash ", true), ("/usr/bin/zsh ", false), ("", false)] {
        let t = TempDir::new("interpreter");
        let home = t.path().join("home");
        let h = home.display().to_string();
        write(
            &home,
            ".openclaw/openclaw.json",
            "{ gateway: { port: 18789 } }\n",
        );
        write(
            &home,
            "bin/up.sh",
            "#!/usr/bin/env zsh\nC=\"docker compose\"\n$C -f missing.yaml -p acme up -d\n",
        );
        std::fs::set_permissions(
            home.join("bin/up.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        enable_acme_unit(&home, &format!("ExecStart={exec}{h}/bin/up.sh\n"));
        let report = check_json(&["--home".to_string(), h, "--no-config".to_string()]);
        let missing = messages(&report, "CL902")
            .iter()
            .any(|m| m.contains("up.sh:3") && m.contains("missing.yaml"));
        assert_eq!(missing, runs_compose, "{exec:?}: {report:#}");
    }
}
