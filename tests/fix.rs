//! `check --fix`, `--diff` and `--fix-only`, on copies of the fixtures: the diff of every
//! fixable fixture (snapshotted), the fixed layout re-linted (the fixed findings are gone and
//! nothing new appears), every line not fixed byte-identical, and the refusals that leave
//! every file as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh copy of `fixtures/NAME` in a temporary directory.
fn copy(name: &str, tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("clawlint-fix-{}-{tag}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new("cp")
        .arg("-a")
        .arg(root().join("fixtures").join(name))
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// `check` in `dir` (a fixture copy) with its homes, clawlint.toml and system root.
fn check(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<String> = vec!["check".into()];
    let mut homes: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| (n == "home" || n.starts_with("home-")) && dir.join(n).is_dir())
        .collect();
    homes.sort();
    for h in homes {
        args.extend(["--home".into(), h]);
    }
    if dir.join("clawlint.toml").is_file() {
        args.extend(["--config".into(), "clawlint.toml".into()]);
    } else {
        args.push("--no-config".into());
    }
    if dir.join("root").is_dir() {
        args.extend(["--root".into(), "root".into()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("OPENCLAW_PROFILE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.insert(e.path(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// `(code, message)` of every finding of a `--format json` report, and the codes that carry
/// a fix.
fn findings(json: &str) -> (Vec<(String, String)>, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut all = Vec::new();
    let mut fixable = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap().to_string();
        if f.get("fix").is_some() {
            fixable.push(code.clone());
        }
        all.push((code, f["message"].as_str().unwrap().to_string()));
    }
    (all, fixable)
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root().join("fixtures").join(n).join("home").is_dir())
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixable_fixture_is_fixed_and_nothing_else_changes() {
    let mut fixed_any = 0;
    for name in fixture_names() {
        let dir = copy(&name, "all");
        let (_, before_json, _) = check(&dir, &["--format", "json"]);
        let (before, fixable) = findings(&before_json);
        if fixable.is_empty() {
            std::fs::remove_dir_all(&dir).unwrap();
            continue;
        }
        fixed_any += 1;
        let original = files(&dir);

        // --diff writes nothing, and shows the fix.
        let (code, diff, stderr) = check(&dir, &["--diff"]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(files(&dir), original, "{name}: --diff wrote");
        insta::assert_snapshot!(format!("diff-{name}"), diff);

        // --fix, then check: the fixed findings are gone, nothing new.
        let (_, _, stderr) = check(&dir, &["--fix", "--format", "json"]);
        assert!(stderr.contains("Fixed "), "{name}: {stderr}");
        let (_, after_json, _) = check(&dir, &["--format", "json"]);
        let (after, still_fixable) = findings(&after_json);
        assert!(still_fixable.is_empty(), "{name}: {still_fixable:?}");
        for f in &after {
            assert!(before.contains(f), "{name}: new finding after --fix: {f:?}");
        }
        for code in &fixable {
            assert!(
                after.iter().filter(|(c, _)| c == code).count()
                    < before.iter().filter(|(c, _)| c == code).count(),
                "{name}: {code} not fixed"
            );
        }

        // Lines not fixed are byte-identical: each changed file differs from the original
        // only by inserted `port` pins and removed suppression lines or comments.
        let now = files(&dir);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            original.keys().collect::<Vec<_>>()
        );
        for (path, old) in &original {
            let new = &now[path];
            if new == old {
                continue;
            }
            let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            for change in diff.iter_all_changes() {
                let line = change.value();
                match change.tag() {
                    similar::ChangeTag::Equal => {}
                    similar::ChangeTag::Insert => assert!(
                        line.contains("port") || line.contains("gateway"),
                        "{name}: {} got {line:?}",
                        path.display()
                    ),
                    similar::ChangeTag::Delete => assert!(
                        line.contains("clawlint-ignore"),
                        "{name}: {} lost {line:?}",
                        path.display()
                    ),
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(fixed_any >= 3, "only {fixed_any} fixable fixtures");
}

#[test]
fn fix_only_reports_no_findings_and_a_second_fix_changes_nothing() {
    let dir = copy("ports-hash-collision", "only");
    let (code, stdout, stderr) = check(&dir, &["--fix-only"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(stderr.contains("Fixed 1 finding"), "{stderr}");
    let fixed = files(&dir);
    let (_, _, stderr) = check(&dir, &["--fix-only"]);
    assert!(stderr.contains("Fixed 0 findings"), "{stderr}");
    assert_eq!(files(&dir), fixed);
    let text = std::fs::read_to_string(dir.join("home/.openclaw-rescue/openclaw.json")).unwrap();
    assert!(text.contains("    port: 23532,\n"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn outputs_mark_the_fixable_findings() {
    let dir = copy("ports-hash-collision", "mark");
    let (_, concise, _) = check(&dir, &["--format", "concise"]);
    assert!(concise.contains(": CL106 [*] [warning] "), "{concise}");
    assert!(concise.contains(": CL101 [error] "), "{concise}");
    let (_, json, _) = check(&dir, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fix = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL106")
        .unwrap()["fix"]
        .clone();
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], "    port: 23532,\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_only_file_is_refused_and_nothing_is_written() {
    use std::os::unix::fs::PermissionsExt;
    // Two fixes in two files: the writable one must not be written either.
    let dir = copy("example", "ro");
    let (_, before_json, _) = check(&dir, &["--format", "json"]);
    let (_, fixable) = findings(&before_json);
    assert!(!fixable.is_empty());
    let (_, diff, _) = check(&dir, &["--diff"]);
    let first = diff
        .lines()
        .find_map(|l| l.strip_prefix("--- "))
        .unwrap()
        .to_string();
    let target = dir.join(&first);
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    let original = files(&dir);
    let (code, _, stderr) = check(&dir, &["--fix"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("is read-only") && stderr.contains("no file was changed"),
        "{stderr}"
    );
    assert_eq!(files(&dir), original);
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_fix_nothing_is_written() {
    let dir = copy("ports-hash-collision", "ro-default");
    let original = files(&dir);
    check(&dir, &[]);
    check(&dir, &["--unsafe-fixes"]);
    assert_eq!(files(&dir), original);
    std::fs::remove_dir_all(&dir).unwrap();
}
