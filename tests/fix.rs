//! `check --fix`, `--diff` and `--fix-only`, on copies of the fixtures: the diff of every
//! fixable fixture (snapshotted), the fixed layout re-linted (the fixed findings are gone and
//! nothing new appears), every line not fixed byte-identical, and the refusals that leave
//! every file as it was.

mod common;

use common::{enable_user_unit, TempDir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;

/// A fresh copy of `fixtures/NAME` in a temporary directory, removed when dropped.
fn copy(name: &str, tag: &str) -> TempDir {
    let dir = TempDir::new(&format!("fix-{tag}-{name}"));
    let status = Command::new("cp")
        .arg("-a")
        .arg(root().join("fixtures").join(name).join("."))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// `clawlint ARGS` in `dir`, with `env` set: exit code, stdout and stderr.
fn run_in(dir: &Path, args: &[String], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clawlint"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CLAWLINT_FINGERPRINT_KEY", "clawlint tests")
        .env_remove("OPENCLAW_PROFILE");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `COMMAND` with the inputs of `dir` (a fixture copy): its homes, clawlint.toml and system
/// root.
fn layout_args(dir: &Path, command: &[&str]) -> Vec<String> {
    let mut args = strings(command);
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
    args
}

/// `check` in `dir` (a fixture copy) with its homes, clawlint.toml and system root.
fn check(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = layout_args(dir, &["check"]);
    args.extend(strings(extra));
    run_in(dir, &args, &[])
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

use common::fixture_names;

#[test]
fn every_fixable_fixture_is_fixed_and_nothing_else_changes() {
    let mut fixed_any = 0;
    for name in fixture_names() {
        let dir = copy(&name, "all");
        let (_, before_json, _) = check(&dir, &["--format", "json"]);
        let (before, fixable) = findings(&before_json);
        if fixable.is_empty() {
            continue;
        }
        fixed_any += 1;
        let original = files(&dir);

        // --diff writes nothing, and shows the fixes (the unsafe ones too).
        let (code, diff, stderr) = check(&dir, &["--diff", "--unsafe-fixes"]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(files(&dir), original, "{name}: --diff wrote");
        insta::assert_snapshot!(format!("diff-{name}"), diff);

        // --fix, then check: the fixed findings are gone, nothing new.
        let (_, _, stderr) = check(&dir, &["--fix", "--unsafe-fixes", "--format", "json"]);
        assert!(stderr.contains("Fixed "), "{name}: {stderr}");
        assert!(!stderr.contains("stopped fixing"), "{name}: {stderr}");
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
        // only by inserted `port` pins, removed suppression lines or comments, and lines whose
        // port numbers changed (a moved base port) and nothing else.
        let now = files(&dir);
        for path in original.keys() {
            assert!(now.contains_key(path), "{name}: {} is gone", path.display());
        }
        for (path, text) in now.iter().filter(|(p, _)| !original.contains_key(*p)) {
            assert_created_drop_in(&name, path, &String::from_utf8_lossy(text));
        }
        for (path, old) in &original {
            let new = &now[path];
            if new == old {
                continue;
            }
            let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
            assert_only_fixes_changed(&name, path, &old, &new);
        }
    }
    assert!(fixed_any >= 3, "only {fixed_any} fixable fixtures");
}

/// A file `--fix` created is an administrator's quadlet drop-in (for a quadlet the package
/// manager owns) that empties `PublishPort=` and publishes the ports again, and says so; it is
/// named `99-clawlint.conf`, or after the last drop-in of the unit when one sorts after that
/// (`ports.conf` gives `ports_clawlint.conf`), and no drop-in beside it sorts after it.
fn assert_created_drop_in(name: &str, path: &Path, text: &str) {
    let shown = path.display().to_string();
    let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        shown.contains("/etc/containers/systemd/")
            && shown.contains(".d/")
            && (file_name == "99-clawlint.conf" || file_name.ends_with("_clawlint.conf")),
        "{name}: --fix created {shown}"
    );
    let dir = path.parent().unwrap();
    let package_dir = PathBuf::from(
        shown
            .replacen(
                "/etc/containers/systemd/",
                "/usr/share/containers/systemd/",
                1,
            )
            .trim_end_matches(&file_name),
    );
    for beside in [dir, package_dir.as_path()] {
        for entry in std::fs::read_dir(beside).into_iter().flatten() {
            let other = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(other <= file_name, "{name}: {other} sorts after {shown}");
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines[..2],
        ["[Container]", "PublishPort="],
        "{name}: {text}"
    );
    assert!(
        lines[2..]
            .iter()
            .all(|l| l.starts_with("PublishPort=") && l.len() > 12),
        "{name}: {text}"
    );
}

/// The line with every run of digits replaced by `#`.
fn without_numbers(line: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in line.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// `new` is `old` with one stretch inserted, and that stretch is a port or webhook pin, a
/// container prefix or `attachOnly`.
fn inserted_into(old: &str, new: &str) -> bool {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old[prefix..]
        .bytes()
        .rev()
        .zip(new[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    prefix + suffix == old.len() && {
        let added = &new[prefix..new.len() - suffix];
        ["port", "webhook", "containerPrefix", "attachOnly"]
            .iter()
            .any(|k| added.contains(k))
    }
}

/// `new` differs from `old` only by fixes: inserted port pins, removed suppressions, lines
/// whose numbers changed and nothing else, and workspace/agent dir values given back.
fn assert_only_fixes_changed(name: &str, path: &Path, old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut deleted: Vec<&str> = Vec::new();
    let mut inserted: Vec<&str> = Vec::new();
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Equal => {}
            similar::ChangeTag::Delete => deleted.push(change.value()),
            similar::ChangeTag::Insert => inserted.push(change.value()),
        }
    }
    // A line whose numbers changed is one deletion and one insertion alike but for digits.
    let mut renumbered = 0;
    for line in &inserted {
        if let Some(at) = deleted
            .iter()
            .position(|d| without_numbers(d) == without_numbers(line))
        {
            deleted.remove(at);
            renumbered += 1;
            continue;
        }
        // A member inserted into a line: the rest of the line is as it was.
        if let Some(at) = deleted.iter().position(|d| inserted_into(d, line)) {
            deleted.remove(at);
            continue;
        }
        // A workspace or agent dir given back its OpenClaw default: the same key, another
        // path.
        let own_path = line.contains("workspace") || line.contains("agentDir");
        let key = |l: &str| l.split(':').next().unwrap_or("").to_string();
        if let Some(at) = deleted
            .iter()
            .position(|d| own_path && key(d) == key(line) && d.len() > key(d).len())
        {
            deleted.remove(at);
            continue;
        }
        assert!(
            line.contains("port")
                || line.contains("gateway")
                || line.contains("webhook")
                || own_path,
            "{name}: {} got {line:?}",
            path.display()
        );
    }
    for line in &deleted {
        assert!(
            line.contains("clawlint-ignore"),
            "{name}: {} lost {line:?}",
            path.display()
        );
    }
    let _ = renumbered;
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
}

#[test]
fn outputs_mark_the_fixable_findings() {
    let dir = copy("ports-hash-collision", "mark");
    let (_, concise, _) = check(&dir, &["--format", "concise"]);
    assert!(concise.contains(": CL106 [*] [warning] "), "{concise}");
    // Moving rescue's base port adds its `gateway.port` where the safe pin goes first: the
    // move waits for the next round, and the outputs offer only the pin.
    assert!(concise.contains(": CL101 [error] "), "{concise}");
    let (_, human, _) = check(&dir, &[]);
    assert!(
        human.contains("note: its fix overlaps an edit another fix makes first: `check --fix --unsafe-fixes` comes back to it"),
        "{human}"
    );
    // Alone, moving a base port is a fix of the first round. It changes where a gateway
    // listens: unsafe, marked `[-]`.
    let (_, concise, _) = check(&dir, &["--format", "concise", "--select", "CL101"]);
    assert!(concise.contains(": CL101 [-] [error] "), "{concise}");
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
    let (_, json, _) = check(&dir, &["--format", "json", "--select", "CL101"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let moved = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL101")
        .unwrap()["fix"]
        .clone();
    assert_eq!(moved["applicability"], "unsafe");
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
}

#[test]
fn without_fix_nothing_is_written() {
    let dir = copy("ports-hash-collision", "ro-default");
    let original = files(&dir);
    check(&dir, &[]);
    check(&dir, &["--unsafe-fixes"]);
    assert_eq!(files(&dir), original);
}

#[test]
fn a_file_changed_between_read_and_write_is_refused_with_its_path_and_nothing_is_written() {
    // The debug build's hook appends a newline to one file the round is about to write,
    // after clawlint read it: every file of the round is left as it then was.
    let dir = copy("example", "changed");
    let (_, diff, _) = check(&dir, &["--diff", "--unsafe-fixes"]);
    let written: Vec<String> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("--- "))
        .map(str::to_string)
        .collect();
    assert!(written.len() >= 2, "{diff}");
    let target = dir.join(written.last().unwrap());
    let mut expected = files(&dir);
    expected.get_mut(&target).unwrap().push(b'\n');
    let (code, _, stderr) = run_in(
        &dir,
        &strings(&[
            "check",
            "--home",
            "home",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
        ]),
        &[("CLAWLINT_TEST_CHANGE_BEFORE_WRITE", &target)],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "not fixing: {}: it changed since clawlint read it; no file was changed",
            written.last().unwrap()
        )),
        "{stderr}"
    );
    assert_eq!(files(&dir), expected);
}

#[test]
fn a_value_set_in_a_file_outside_the_layout_is_refused_and_nothing_is_written() {
    // rescue's config is a symlink to a file outside the scanned home (read because
    // --allow-outside names it): moving rescue's port would write there, so nothing is
    // written anywhere, and the message names the file and why.
    let dir = layout(
        "outside",
        &[
            (
                "home/.openclaw/openclaw.json",
                "{ gateway: { port: 18789 } }\n",
            ),
            (
                "elsewhere/rescue.json",
                "{\n  gateway: { port: 18789 },\n}\n",
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("home/.openclaw-rescue")).unwrap();
    std::os::unix::fs::symlink(
        dir.join("elsewhere/rescue.json"),
        dir.join("home/.openclaw-rescue/openclaw.json"),
    )
    .unwrap();
    let original = files(&dir);
    let run = |extra: &[&str]| {
        let mut args = strings(&[
            "check",
            "--home",
            "home",
            "--no-config",
            "--allow-outside",
            "elsewhere",
        ]);
        args.extend(strings(extra));
        run_in(&dir, &args, &[])
    };
    let (_, diff, _) = run(&["--diff", "--unsafe-fixes"]);
    assert!(
        diff.contains("--- home/.openclaw-rescue/openclaw.json"),
        "{diff}"
    );
    let (code, _, stderr) = run(&["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("not fixing: home/.openclaw-rescue/openclaw.json: it is a symlink to")
            && stderr.contains("outside the layout clawlint read; no file was changed"),
        "{stderr}"
    );
    assert_eq!(files(&dir), original);
}

#[test]
fn a_fix_whose_new_value_would_point_outside_the_layout_is_refused() {
    // ops copied the default gateway's workspace; OpenClaw's own default for ops is its
    // OPENCLAW_WORKSPACE_DIR (from its state dir's .env), outside the scanned home: no fix,
    // the finding says why, and `--fix` writes nothing.
    let dir = layout(
        "outside-value",
        &[
            ("home/.openclaw/openclaw.json", "{\n  gateway: { port: 18789 },\n}\n"),
            (
                "home/.openclaw-ops/openclaw.json",
                "{\n  gateway: { port: 19789 },\n  agents: { defaults: { workspace: \"~/.openclaw/workspace\" } },\n}\n",
            ),
            ("home/.openclaw-ops/.env", "OPENCLAW_WORKSPACE_DIR=/srv/ops-workspace\n"),
        ],
    );
    let original = files(&dir);
    let (code, stdout, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("no automatic fix: \"ops\" cannot be given its own: OpenClaw's default workspace for it, /srv/ops-workspace, lies outside the layout clawlint read"),
        "{stdout}"
    );
    assert_eq!(files(&dir), original);
}

#[test]
fn a_fix_that_cannot_be_expressed_leaves_every_file_as_it_was() {
    // Both gateways take their port from the one file that sets the other's too: neither
    // can be moved by an edit, so the finding says why and `--fix` writes nothing.
    let dir = copy("paths-env-state-redirect", "inexpressible");
    let original = files(&dir);
    let (code, stdout, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("no automatic fix: \"team\" cannot be moved")
            && stdout.contains("also sets the port of \"default\""),
        "{stdout}"
    );
    assert_eq!(files(&dir), original, "a file changed");
    let (_, diff, _) = check(&dir, &["--diff", "--unsafe-fixes"]);
    assert!(diff.is_empty(), "{diff}");
}

/// A SARIF replacement: start line and column, end line and column, inserted text.
type SarifEdit = (usize, usize, usize, usize, String);

/// The byte offset of SARIF's 1-based line and column (columns count Unicode code points,
/// as the log's `columnKind` says).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(column - 1)
            .map_or(rest.len(), |(i, _)| i)
}

/// Every SARIF `fix` of `sarif` whose applicability is in `applicabilities`, applied to the
/// files under `dir`: the text of each file a fix changes.
fn apply_sarif_fixes(
    dir: &Path,
    sarif: &str,
    applicabilities: &[&str],
) -> (usize, BTreeMap<PathBuf, String>) {
    let log: serde_json::Value = serde_json::from_str(sarif).unwrap();
    let mut edits: BTreeMap<String, Vec<SarifEdit>> = BTreeMap::new();
    // The files a change marks `createsFile`: not there yet.
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut count = 0;
    for result in log["runs"][0]["results"].as_array().unwrap() {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            let applicability = fix["properties"]["applicability"].as_str().unwrap();
            if !applicabilities.contains(&applicability) {
                continue;
            }
            count += 1;
            for change in fix["artifactChanges"].as_array().unwrap() {
                let uri = change["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string();
                if change["properties"]["createsFile"] == serde_json::Value::Bool(true) {
                    created.insert(uri.clone());
                }
                for r in change["replacements"].as_array().unwrap() {
                    let d = &r["deletedRegion"];
                    let n = |k: &str| d[k].as_u64().unwrap() as usize;
                    let text = r["insertedContent"]["text"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let edit = (
                        n("startLine"),
                        n("startColumn"),
                        n("endLine"),
                        n("endColumn"),
                        text,
                    );
                    // Two results one move ends carry the same fix: its edits count once.
                    let list = edits.entry(uri.clone()).or_default();
                    if !list.contains(&edit) {
                        list.push(edit);
                    }
                }
            }
        }
    }
    let mut expected = BTreeMap::new();
    for (uri, mut list) in edits {
        let path = dir.join(&uri);
        // A file a fix creates is not there yet, and is marked so: its one edit inserts it
        // whole. Every other file a fix edits is there.
        let mut text = if created.contains(&uri) {
            assert!(
                std::fs::symlink_metadata(&path).is_err(),
                "{uri}: marked createsFile but there"
            );
            String::new()
        } else {
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{uri}: edited but not marked createsFile: {e}"))
        };
        list.sort();
        let mut after = usize::MAX;
        for (sl, sc, el, ec, new) in list.into_iter().rev() {
            let (a, b) = (offset(&text, sl, sc), offset(&text, el, ec));
            // Applied from the end: every edit lies before the one applied before it.
            assert!(
                b <= after && (a < after || a == b),
                "{uri}: overlapping edits"
            );
            text.replace_range(a..b, &new);
            after = a;
        }
        // Keyed as `files` lists it: a file a fix names through a linked directory (the path
        // clawlint read it through) by where it lies.
        let real_dir = std::fs::canonicalize(dir).unwrap();
        let listed = match std::fs::canonicalize(&path) {
            Ok(real) => real
                .strip_prefix(&real_dir)
                .map_or(path, |rest| dir.join(rest)),
            Err(_) => path,
        };
        expected.insert(listed, text);
    }
    (count, expected)
}

#[test]
fn sarif_fixes_are_the_edits_the_first_round_of_fix_writes() {
    // For every fixable fixture, in both modes: applying every SARIF `fix` of the log (the
    // safe ones without --unsafe-fixes) to the files as read gives exactly what the first
    // round of `--fix` (with --unsafe-fixes, or without) writes, and changes no other file.
    // A fix that overlaps an edit another fix makes first is left out of the log (its
    // finding says it waits for a later round), so the log's fixes never conflict.
    let mut logs = 0;
    let mut later = 0;
    for name in fixture_names() {
        for (mode, applicabilities) in [
            (&["--unsafe-fixes"][..], &["safe", "unsafe"][..]),
            (&[][..], &["safe"][..]),
        ] {
            let dir = copy(&name, "sarif-fix");
            let mut args = vec!["--format", "sarif"];
            args.extend(mode);
            let (_, sarif, _) = check(&dir, &args);
            let mut args = vec!["--format", "json"];
            args.extend(mode);
            let (_, json, _) = check(&dir, &args);
            later += json
                .matches("comes back to it after writing that one")
                .count();
            let (count, expected) = apply_sarif_fixes(&dir, &sarif, applicabilities);
            if count == 0 {
                continue;
            }
            logs += 1;
            let original = files(&dir);
            let mut args = vec!["--fix"];
            args.extend(mode);
            let (_, _, stderr) = run_in(
                &dir,
                &{
                    let mut a = layout_args(&dir, &["check"]);
                    a.extend(strings(&args));
                    a
                },
                &[("CLAWLINT_TEST_FIX_ROUNDS", Path::new("1"))],
            );
            assert!(stderr.contains("Fixed "), "{name}: {stderr}");
            for (path, bytes) in files(&dir) {
                let now = String::from_utf8_lossy(&bytes).into_owned();
                match expected.get(&path) {
                    Some(text) => assert_eq!(&now, text, "{name} {mode:?}: {}", path.display()),
                    None => assert_eq!(
                        bytes,
                        original[&path],
                        "{name} {mode:?}: {} changed, but no SARIF fix edits it",
                        path.display()
                    ),
                }
            }
        }
    }
    assert!(logs >= 20, "only {logs} logs with fixes");
    assert!(
        later > 0,
        "no fixture has a fix that waits for a later round"
    );
}

/// Writes `files` (path, text) under a fresh directory, removed when dropped.
fn layout(tag: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(&format!("fix-{tag}"));
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const UNIT_A: &str = "[Service]\nEnvironment=HOME=/home/u\nEnvironment=OPENCLAW_PROFILE=a\nEnvironment=OPENCLAW_STATE_DIR=/home/u/.openclaw-a\nEnvironment=GW_PORT=18789\n# ExecStart=/usr/bin/openclaw gateway --port 18789\nExecStart=/usr/bin/openclaw gateway --port ${GW_PORT}\nRestart=always\n";

const PLIST_B: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key>\n  <string>ai.openclaw.b</string>\n  <key>ProgramArguments</key>\n  <array>\n    <string>/opt/homebrew/bin/node</string>\n    <string>/opt/homebrew/lib/node_modules/openclaw/dist/index.js</string>\n    <string>gateway</string>\n    <string>--port</string>\n    <string>18789</string>\n  </array>\n  <key>EnvironmentVariables</key>\n  <dict>\n    <key>HOME</key>\n    <string>/Users/ana</string>\n    <key>OPENCLAW_PROFILE</key>\n    <string>b</string>\n    <key>OPENCLAW_STATE_DIR</key>\n    <string>/Users/ana/.openclaw-b</string>\n    <key>OPENCLAW_GATEWAY_PORT</key>\n    <string>18789</string>\n  </dict>\n</dict>\n</plist>\n";

#[test]
fn a_move_follows_every_pin_and_one_round_makes_no_new_collision() {
    // Three gateways on 18789: the default one keeps it; a (a unit whose --port is
    // ${GW_PORT}) and b (a launchd job with --port and OPENCLAW_GATEWAY_PORT) move, to
    // different ports, every pin of each changed.
    let dir = layout(
        "pins",
        &[
            (
                "home/.openclaw/openclaw.json",
                "{ gateway: { mode: \"local\", port: 18789 } }\n",
            ),
            (
                "home/.openclaw-a/openclaw.json",
                "// a\n{ gateway: { mode: \"local\", port: 18789 } }\n",
            ),
            (
                "home/.openclaw-b/openclaw.json",
                "{ gateway: { mode: \"local\" } }\n",
            ),
            (
                "home/.config/systemd/user/openclaw-gateway-a.service",
                UNIT_A,
            ),
            ("home/Library/LaunchAgents/ai.openclaw.b.plist", PLIST_B),
        ],
    );
    // Enabled, as `systemctl --user enable` leaves it: a disabled unit is no gateway.
    enable_user_unit(&dir.join("home"), "openclaw-gateway-a.service");
    let (_, json, _) = check(&dir, &["--format", "json"]);
    let (before, _) = findings(&json);
    assert!(before.iter().any(|(c, _)| c == "CL101"), "{before:?}");
    let (code, diff, stderr) = check(&dir, &["--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(diff.contains("a named profile"), "{diff}");
    let (_, _, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
    assert!(!stderr.contains("stopped"), "{stderr}");
    let (_, json, _) = check(&dir, &["--format", "json"]);
    let (after, _) = findings(&json);
    assert!(
        !after
            .iter()
            .any(|(c, _)| c.starts_with("CL10") && c != "CL106"),
        "{after:?}"
    );
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
    assert_eq!(
        read("home/.openclaw/openclaw.json"),
        "{ gateway: { mode: \"local\", port: 18789 } }\n"
    );
    let unit = read("home/.config/systemd/user/openclaw-gateway-a.service");
    let plist = read("home/Library/LaunchAgents/ai.openclaw.b.plist");
    let config_a = read("home/.openclaw-a/openclaw.json");
    // a's new port, from its config; the unit's variable says the same; its comment and
    // its ExecStart are as they were.
    let port_a: String = config_a.chars().filter(char::is_ascii_digit).collect();
    assert_ne!(port_a, "18789");
    assert_eq!(
        unit,
        UNIT_A.replace("GW_PORT=18789", &format!("GW_PORT={port_a}"))
    );
    // b's plist: both pins moved, to another port than a's.
    assert!(!plist.contains("18789"), "{plist}");
    assert!(!plist.contains(&port_a), "{plist}");
    assert_eq!(plist.matches("<string>1").count(), 2, "{plist}");
}

/// Every config file `--fix --unsafe-fixes` changes in a fixture was validated by the real
/// OpenClaw 2026.9.6 (tests/fix/validated-2026.9.6.json, made by
/// scripts/record-fix-validity.sh): the recording is of exactly the text the fix writes now,
/// OpenClaw accepts the fixed file whenever it accepted the original (and never reports an
/// issue it did not report before), and its `gateway.port` is the port the fix wrote.
#[test]
fn fixed_configs_were_validated_by_openclaw() {
    use sha2::Digest;
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fix/validated-2026.9.6.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for name in fixture_names() {
        let dir = copy(&name, "oracle");
        let original = files(&dir);
        check(&dir, &["--fix", "--unsafe-fixes"]);
        let now = files(&dir);
        for (path, new) in &now {
            let rel = path
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let is_config = rel.ends_with(".json") || rel.ends_with(".json5");
            if !is_config || original.get(path) == Some(new) {
                continue;
            }
            let entry = &recorded[&name][&rel];
            assert!(
                entry.is_object(),
                "{name}: {rel} was fixed but never validated: run scripts/record-fix-validity.sh"
            );
            let sha: String = sha2::Sha256::digest(new)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                entry["sha256"], sha,
                "{name}: {rel}: the fix writes another text than the one validated: re-run scripts/record-fix-validity.sh"
            );
            let (before, after) = (&entry["before"], &entry["after"]);
            if before["valid"] == true {
                assert_eq!(after["valid"], true, "{name}: {rel}: {after}");
            }
            let issues =
                |v: &serde_json::Value| v["issues"].as_array().cloned().unwrap_or_default();
            for issue in issues(after) {
                assert!(
                    issues(before).contains(&issue),
                    "{name}: {rel}: new issue {issue}"
                );
            }
            if let Some(port) = after["gatewayPort"].as_u64() {
                let text = String::from_utf8_lossy(new);
                assert!(text.contains(&port.to_string()), "{name}: {rel}: {port}");
            }
            checked += 1;
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(checked >= 10, "only {checked} fixed configs checked");
}

#[allow(dead_code)]
#[path = "../benches/support/layout.rs"]
mod bench_layout;

/// A host from the benchmark generator (`n` tenant gateways: includes, `.env` secrets,
/// pinned CDP ports, a copied port, an unpinned hash port), with the base ports of the
/// gateways in `crowd` rewritten into 18789..=19100 (where they collide with each other) and
/// the default gateway on 18789 when `default` says so.
fn crowded_host(tag: &str, n: usize, crowd: &[(usize, u16)], default: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clawlint-fix-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let home = dir.join("home");
    bench_layout::write_layout(&home, n).unwrap();
    for (i, port) in crowd {
        let path = home
            .join(format!(".openclaw-t{}", i % n))
            .join("openclaw.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let text = match text.find("port: ") {
            Some(at) => {
                let end = at + 6 + text[at + 6..].find(',').unwrap();
                format!("{}port: {port}{}", &text[..at], &text[end..])
            }
            None => text.replacen('{', &format!("{{\n  gateway: {{ port: {port} }},"), 1),
        };
        std::fs::write(&path, text).unwrap();
    }
    if default {
        std::fs::create_dir_all(home.join(".openclaw")).unwrap();
        std::fs::write(
            home.join(".openclaw/openclaw.json"),
            "{ gateway: { mode: \"local\" } }\n",
        )
        .unwrap();
    }
    dir
}

/// Each CL203 finding (`check --format json` in `dir`): how many gateways share the workspace,
/// and how many of them its fix moves (edits) and says it gives their own.
fn shared_workspaces(dir: &Path) -> Vec<(usize, usize, usize)> {
    let (_, json, stderr) = check(dir, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("{stderr}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CL203")
        .map(|f| {
            let fix = &f["fix"];
            (
                f["instances"].as_array().unwrap().len(),
                fix["edits"].as_array().map_or(0, Vec::len),
                fix["message"]
                    .as_str()
                    .unwrap_or("")
                    .matches("give \"")
                    .count(),
            )
        })
        .collect()
}

/// `check --fix --unsafe-fixes` ends a workspace shared by k gateways in one round, whatever k:
/// the fix gives all but one their own (one a round took k - 1 rounds, and a 10,000-gateway
/// host stopped at the round limit with fixes left). The bench layout shares
/// ~/shared-workspace among every 113th gateway: 2 of 120, 4 of 400.
#[test]
fn a_workspace_shared_by_many_is_ended_in_one_round() {
    for (n, group) in [(120, 2), (400, 4)] {
        let dir = crowded_host(&format!("ws{n}"), n, &[], false);
        let moved = group - 1;
        assert_eq!(
            shared_workspaces(&dir),
            [(group, moved, moved)],
            "{n} gateways"
        );
        let mut rounds = 0;
        while !shared_workspaces(&dir).is_empty() && rounds < 5 {
            let args = layout_args(&dir, &["check", "--fix", "--unsafe-fixes"]);
            run_in(&dir, &args, &[("CLAWLINT_TEST_FIX_ROUNDS", Path::new("1"))]);
            rounds += 1;
        }
        assert_eq!(rounds, 1, "{n} gateways, {group} on one workspace");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

fn port_findings(dir: &Path) -> Vec<(String, String)> {
    let (_, json, stderr) = check(dir, &["--format", "json"]);
    assert!(!json.is_empty(), "{stderr}");
    findings(&json)
        .0
        .into_iter()
        .filter(|(c, _)| ["CL101", "CL102", "CL103", "CL104", "CL105"].contains(&c.as_str()))
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Random crowded hosts: `--fix --unsafe-fixes` leaves no collision, overlap or
    /// overflow that moving a base port can end, within the round limit; and a second
    /// `--fix` changes nothing.
    #[test]
    fn unsafe_fixes_leave_no_port_collision(
        n in 2usize..24,
        crowd in proptest::collection::vec((0usize..24, 18789u16..=19100), 1..10),
        default in proptest::bool::ANY,
    ) {
        let dir = crowded_host("prop", n, &crowd, default);
        let before = port_findings(&dir);
        if std::env::var_os("CLAWLINT_SHOW_PROP").is_some() {
            eprintln!("n={n} crowd={crowd:?} default={default}: {} port findings", before.len());
        }
        let (_, _, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
        proptest::prop_assert!(!stderr.contains("stopped fixing"), "{}", stderr);
        proptest::prop_assert!(!stderr.contains("not fixing"), "{}", stderr);
        let after = port_findings(&dir);
        proptest::prop_assert!(after.is_empty(), "before: {:?}\nafter: {:?}\n{}", before, after, stderr);
        let fixed = files(&dir);
        check(&dir, &["--fix", "--unsafe-fixes"]);
        proptest::prop_assert!(files(&dir) == fixed, "a second --fix changed files");
        // No secret was written, moved or copied: every `.env` is as the generator wrote it.
        for (path, bytes) in &fixed {
            if path.file_name().is_some_and(|f| f == ".env") {
                let text = String::from_utf8_lossy(bytes);
                proptest::prop_assert!(text.starts_with("# tenant t"), "{}", text);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// `check`'s inputs for `resolve` in `dir` (a fixture copy): JSON of every gateway.
fn resolve_json(dir: &Path) -> serde_json::Value {
    let (code, stdout, stderr) = run_in(
        dir,
        &layout_args(dir, &["resolve", "--format", "json"]),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// Every leaf of `v` as (path, value), leaving out where a value is written in its file
/// (an edit before it shifts those) and nothing else.
fn leaves(v: &serde_json::Value, path: &str, out: &mut BTreeMap<String, serde_json::Value>) {
    const POSITION: [&str; 6] = [
        "byteStart",
        "byteEnd",
        "line",
        "column",
        "endLine",
        "endColumn",
    ];
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                if !POSITION.contains(&k.as_str()) {
                    leaves(x, &format!("{path}.{k}"), out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                leaves(x, &format!("{path}[{i}]"), out);
            }
        }
        leaf => {
            out.insert(path.to_string(), leaf.clone());
        }
    }
}

/// What the fixes of a layout say they change, per gateway: read from each fix's description
/// (which names the gateway, the old and the new value).
#[derive(Debug, Default)]
struct Fixed {
    /// In order: numbers from `.0` to `.1` move by `.2` (a base port and what derives from
    /// it; a published, webhook or service port alone).
    shifts: Vec<(i64, i64, i64)>,
    /// A port now pinned where none was: where it comes from changes, not its value.
    pinned: bool,
    /// Its base port moved: the formulas that derive ports from it say how, anew.
    moved: bool,
    /// It moved from a base whose derived ports passed 65535: listeners it could not bind
    /// there (extension relays) are listeners now.
    from_top: bool,
    /// Values a fix writes (a workspace or agent dir, a container prefix).
    written: Vec<String>,
    /// The browser profiles `attachOnly` was set on (`openclaw` for the `browser` block).
    attach_only: Vec<String>,
    /// A drop-in was written for it (a packaged quadlet's published ports).
    drop_in: bool,
}

/// The first number after `after` in `text`.
fn number_after(text: &str, after: &str) -> i64 {
    let rest = &text[text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {text}"))
        + after.len()..];
    rest.chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// The first quoted name in `text` (empty when there is none).
fn quoted(text: &str) -> String {
    text.split('"').nth(1).unwrap_or_default().to_string()
}

/// Records what one fix (its description, the gateways of its finding) changes.
fn record_fix(fixed: &mut BTreeMap<String, Fixed>, message: &str, gateways: &[String]) {
    // Several gateways leaving one port: one fix, the moves joined by "; and ".
    if message.starts_with("move \"") && message.contains("; and move \"") {
        for (k, part) in message.split("; and move \"").enumerate() {
            let part = match k {
                0 => part.to_string(),
                _ => format!("move \"{part}"),
            };
            record_fix(fixed, &part, gateways);
        }
        return;
    }
    let name = quoted(message);
    if message.starts_with("move \"") {
        let (from, to) = (
            number_after(message, "from base port"),
            number_after(message, " to "),
        );
        let f = fixed.entry(name.clone()).or_default();
        f.shifts.push((from, from + 110, to - from));
        // A base whose CDP range would pass 65535 had OpenClaw's fixed 18800..18899 instead.
        if from + 110 > 65535 {
            f.shifts.push((18800, 18899, to + 11 - 18800));
            f.from_top = true;
        }
        f.pinned |= message.contains("gateway.port added");
        f.moved = true;
    } else if message.starts_with("pin gateway.port") {
        fixed.entry(name).or_default().pinned = true;
    } else if message.starts_with("set the service's port") {
        let (from, to) = (
            number_after(message, "port"),
            number_after(message, "gateway.port"),
        );
        for g in gateways {
            fixed
                .entry(g.clone())
                .or_default()
                .shifts
                .push((from, from + 110, to - from));
        }
    } else if message.contains("webhookPort") {
        let (to, from) = (
            number_after(message, "webhookPort"),
            number_after(message, "default"),
        );
        let f = fixed.entry(name.clone()).or_default();
        f.shifts.push((from, from, to - from));
        // The default webhook port is now written: where it comes from changes.
        f.pinned = true;
    } else if message.starts_with("publish \"") {
        let (to, from) = (
            number_after(message, "host port"),
            number_after(message, "instead of"),
        );
        let f = fixed.entry(name.clone()).or_default();
        f.shifts.push((from, from, to - from));
        // A packaged quadlet's ports written again in a new drop-in: where they are set moves
        // there, and the drop-in is listed.
        if let Some(rest) = message.split(" in a new drop-in ").nth(1) {
            f.written.push(rest.split(' ').next().unwrap().to_string());
            f.drop_in = true;
        }
    } else if message.contains("its own workspace") || message.contains("its own agent dir") {
        let path = message.split(" its own ").nth(1).unwrap();
        let path = path
            .split(' ')
            .nth(if path.starts_with("agent dir") { 2 } else { 1 });
        fixed
            .entry(name.clone())
            .or_default()
            .written
            .push(path.unwrap().to_string());
    } else if message.contains("sandbox containers of its own") {
        let inner = message
            .split('(')
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        let f = fixed.entry(name.clone()).or_default();
        for name in inner.split(", ") {
            f.written.push(name.to_string());
        }
    } else if message.starts_with("set attachOnly") {
        let profile = match message.split("browser profile \"").nth(1) {
            Some(rest) => rest.split('"').next().unwrap().to_string(),
            None => "openclaw".to_string(),
        };
        fixed.entry(name).or_default().attach_only.push(profile);
    } else {
        assert!(
            message.starts_with("remove the suppression"),
            "unknown fix: {message}"
        );
    }
}

/// `value` with each number the shifts move, moved (in order).
fn shifted(value: &serde_json::Value, shifts: &[(i64, i64, i64)]) -> serde_json::Value {
    let shift = |mut n: i64| {
        for (from, to, by) in shifts {
            if (*from..=*to).contains(&n) {
                n += by;
            }
        }
        n
    };
    match value {
        serde_json::Value::Number(n) if n.is_i64() => serde_json::json!(shift(n.as_i64().unwrap())),
        serde_json::Value::String(s) => {
            let mut out = String::new();
            let mut digits = String::new();
            for c in s.chars().chain(std::iter::once('\0')) {
                if c.is_ascii_digit() {
                    digits.push(c);
                    continue;
                }
                if !digits.is_empty() {
                    match digits.parse::<i64>() {
                        Ok(n) => out.push_str(&shift(n).to_string()),
                        Err(_) => out.push_str(&digits),
                    }
                    digits.clear();
                }
                if c != '\0' {
                    out.push(c);
                }
            }
            serde_json::Value::String(out)
        }
        other => other.clone(),
    }
}

/// `text` cut into runs of digits and runs of anything else.
fn runs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in text.chars() {
        match out.last_mut() {
            Some(last) if last.chars().all(|d| d.is_ascii_digit()) == c.is_ascii_digit() => {
                last.push(c)
            }
            _ => out.push(c.to_string()),
        }
    }
    out
}

/// Whether `key` of a gateway may go from `old` to `new` by what its fixes say.
fn is_fixed(
    f: &Fixed,
    key: &str,
    old: Option<&serde_json::Value>,
    new: Option<&serde_json::Value>,
) -> bool {
    if let (Some(old), Some(new)) = (old, new) {
        if shifted(old, &f.shifts) == *new {
            return true;
        }
        // In a text, each number is either as it was or moved ("18789:18789" publishing the
        // host side on 18900 reads "18900:18789").
        if let (Some(o), Some(n)) = (old.as_str(), new.as_str()) {
            let (o, n) = (runs(o), runs(n));
            if o.len() == n.len()
                && o.iter().zip(&n).all(|(a, b)| {
                    a == b
                        || a.parse::<i64>().is_ok()
                            && shifted(&serde_json::json!(a.parse::<i64>().unwrap()), &f.shifts)
                                == serde_json::json!(b.parse::<i64>().unwrap_or(-1))
                })
            {
                return true;
            }
        }
        // attachOnly set: the profile is no longer a Chrome OpenClaw launches.
        if !f.attach_only.is_empty()
            && (key.ends_with(".attachOnly") && *old == false && *new == true
                || key.ends_with(".localManaged") && *old == true && *new == false)
        {
            return true;
        }
    }
    // A moved base: a formula that shows how a port derives from it (near the top of the
    // range, a fallback range became one derived from the new base).
    if f.moved && key.ends_with(".formula") || f.from_top && key.starts_with(".listeners.") {
        return true;
    }
    // A drop-in written: it is listed among the container's drop-ins, after the others.
    if f.drop_in && old.is_none() && key.starts_with(".container.dropIns[") {
        return true;
    }
    // A port pinned where none was: its source (and the sources of what derives from it).
    if f.pinned && (key.contains(".source.") || key == ".gatewayPort.kind") {
        return true;
    }
    new.and_then(|n| n.as_str())
        .is_some_and(|n| f.written.iter().any(|w| n == w || n.contains(w.as_str())))
}

/// `resolve` JSON with each gateway's listeners keyed by what they are (kind and detail),
/// not by their place in the list, which changes when one comes or goes.
fn keyed(mut v: serde_json::Value) -> serde_json::Value {
    for g in v["instances"].as_array_mut().unwrap() {
        let Some(listeners) = g["listeners"].as_array() else {
            continue;
        };
        let mut map = serde_json::Map::new();
        for l in listeners {
            let base = format!("{}:{}", l["kind"], l["detail"]);
            let mut key = base.clone();
            let mut n = 1;
            while map.contains_key(&key) {
                n += 1;
                key = format!("{base}#{n}");
            }
            map.insert(key, l.clone());
        }
        g["listeners"] = serde_json::Value::Object(map);
    }
    v
}

#[test]
fn after_fix_resolve_differs_only_in_the_fixed_values() {
    // For every fixable fixture: `resolve` of the fixed layout is the original's, value by
    // value, except the values the fixes of every round say they change, each to the value
    // they say: a moved gateway's base port and every port derived from it (in the
    // listeners, the browser, the supervisors, the formulas that show them) moved by as
    // much; a published, webhook or service port from its old value to its new; the source
    // of a port newly pinned; the workspace, agent dir or container prefix written; attachOnly
    // set. Where a value is written (byte offsets, lines) is left out: an inserted pin shifts
    // it.
    let mut compared = 0;
    let mut changed = 0;
    for name in fixture_names() {
        let dir = copy(&name, "resolve");
        let before = resolve_json(&dir);
        // One round at a time, recording what each round's fixes say.
        let mut fixed: BTreeMap<String, Fixed> = BTreeMap::new();
        for round in 0.. {
            assert!(round < 10, "{name}: more than 10 rounds");
            let (_, json, _) = check(&dir, &["--format", "json", "--unsafe-fixes"]);
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            // Each fix once (findings one move ends share it), with its findings' gateways.
            let mut round_fixes: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for f in v["findings"].as_array().unwrap() {
                if let Some(message) = f["fix"]["message"].as_str() {
                    let gateways = round_fixes.entry(message.to_string()).or_default();
                    for g in f["instances"].as_array().unwrap() {
                        let g = g.as_str().unwrap().to_string();
                        if !gateways.contains(&g) {
                            gateways.push(g);
                        }
                    }
                }
            }
            if round_fixes.is_empty() {
                break;
            }
            for (message, gateways) in &round_fixes {
                record_fix(&mut fixed, message, gateways);
            }
            let (_, _, stderr) = run_in(
                &dir,
                &{
                    let mut a = layout_args(&dir, &["check"]);
                    a.extend(strings(&["--fix", "--unsafe-fixes"]));
                    a
                },
                &[("CLAWLINT_TEST_FIX_ROUNDS", Path::new("1"))],
            );
            assert!(stderr.contains("Fixed "), "{name}: {stderr}");
        }
        if fixed.is_empty() {
            continue;
        }
        compared += 1;
        let after = resolve_json(&dir);
        let by_name =
            |v: &serde_json::Value| -> BTreeMap<String, BTreeMap<String, serde_json::Value>> {
                v["instances"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| {
                        let mut out = BTreeMap::new();
                        leaves(g, "", &mut out);
                        (g["name"].as_str().unwrap().to_string(), out)
                    })
                    .collect()
            };
        // A profile set attach-only is no Chrome OpenClaw launches: its listener goes.
        let mut before = before;
        for g in before["instances"].as_array_mut().unwrap() {
            let Some(f) = fixed.get(g["name"].as_str().unwrap()) else {
                continue;
            };
            if let Some(listeners) = g["listeners"].as_array_mut() {
                listeners.retain(|l| {
                    !f.attach_only
                        .iter()
                        .any(|p| l["detail"] == format!("browser profile \"{p}\""))
                });
            }
        }
        let (before, after) = (by_name(&keyed(before)), by_name(&keyed(after)));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{name}: the gateways changed"
        );
        let none = Fixed::default();
        for (gateway, old) in &before {
            let new = &after[gateway];
            let f = fixed.get(gateway).unwrap_or(&none);
            for key in old.keys().chain(new.keys()) {
                if old.get(key) == new.get(key) {
                    continue;
                }
                changed += 1;
                assert!(
                    is_fixed(f, key, old.get(key), new.get(key)),
                    "{name}: \"{gateway}\" {key}: {:?} -> {:?} is not a value its fixes change ({f:?})",
                    old.get(key),
                    new.get(key)
                );
            }
        }
    }
    assert!(compared >= 10, "only {compared} fixable fixtures");
    assert!(changed > 0, "no fix changed a resolved value");
}

#[test]
fn a_host_port_set_by_the_unit_that_runs_compose_is_fixed_in_its_environment_line() {
    // The unit sets OPENCLAW_GATEWAY_PORT itself: the shell environment compose runs with
    // wins over --env-file prod.env, so that line is what the fix edits; prod.env and the
    // compose file stay as they were.
    let dir = copy("containers-compose-env-file-unit", "unit-env");
    let unit = dir.join("home/.config/systemd/user/openclaw-acme.service");
    let text = std::fs::read_to_string(&unit).unwrap().replace(
        "Environment=OPENCLAW_BRIDGE_PORT=127.0.0.1:18911\n",
        "Environment=OPENCLAW_BRIDGE_PORT=127.0.0.1:18911\nEnvironment=OPENCLAW_GATEWAY_PORT=18789\n",
    );
    std::fs::write(&unit, &text).unwrap();
    let original = files(&dir);
    let (_, diff, stderr) = check(&dir, &["--diff", "--unsafe-fixes"]);
    assert!(
        diff.contains("OPENCLAW_GATEWAY_PORT in home/.config/systemd/user/openclaw-acme.service, the environment docker compose runs with"),
        "{diff}\n{stderr}"
    );
    let (_, _, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
    assert!(stderr.contains("Fixed "), "{stderr}");
    let now = files(&dir);
    for (path, bytes) in &original {
        if *path != unit {
            assert_eq!(&now[path], bytes, "{} changed", path.display());
        }
    }
    let fixed = String::from_utf8_lossy(&now[&unit]).into_owned();
    let port: String = fixed
        .lines()
        .find_map(|l| l.strip_prefix("Environment=OPENCLAW_GATEWAY_PORT="))
        .unwrap()
        .to_string();
    assert_ne!(port, "18789");
    assert_eq!(
        fixed,
        text.replace(
            "OPENCLAW_GATEWAY_PORT=18789",
            &format!("OPENCLAW_GATEWAY_PORT={port}")
        )
    );
    let (_, json, _) = check(&dir, &["--format", "json"]);
    assert!(!json.contains("\"CL108\""), "{json}");
}

#[test]
fn a_port_set_through_include_is_moved_in_the_file_that_sets_it() {
    // rescue's gateway.port comes from the file its config includes: the move edits that
    // file, keeps its comment, and leaves the including config as it was.
    let dir = layout(
        "include",
        &[
            (
                "home/.openclaw/openclaw.json",
                "{ gateway: { port: 18789 } }\n",
            ),
            (
                "home/.openclaw-rescue/openclaw.json",
                "// rescue\n{\n  $include: \"./gateway.json5\",\n}\n",
            ),
            (
                "home/.openclaw-rescue/gateway.json5",
                "{\n  // copied from main\n  gateway: { port: 18789 },\n}\n",
            ),
        ],
    );
    let top = std::fs::read(dir.join("home/.openclaw-rescue/openclaw.json")).unwrap();
    let (_, diff, stderr) = check(&dir, &["--diff", "--unsafe-fixes"]);
    assert!(
        diff.contains("--- home/.openclaw-rescue/gateway.json5")
            && !diff.contains("--- home/.openclaw-rescue/openclaw.json"),
        "{diff}\n{stderr}"
    );
    check(&dir, &["--fix", "--unsafe-fixes"]);
    let included =
        std::fs::read_to_string(dir.join("home/.openclaw-rescue/gateway.json5")).unwrap();
    assert!(
        included.starts_with("{\n  // copied from main\n  gateway: { port: ")
            && !included.contains("18789"),
        "{included}"
    );
    assert_eq!(
        std::fs::read(dir.join("home/.openclaw-rescue/openclaw.json")).unwrap(),
        top
    );
    let (_, json, _) = check(&dir, &["--format", "json"]);
    assert!(!json.contains("\"CL101\""), "{json}");
}

/// A move whose gateway's config names its own port in `gateway.controlUi.allowedOrigins`
/// (LobsterTrap/tank-os's bootstrap writes `http://127.0.0.1:18789` there): the URLs' ports
/// move with it. They were taken for secrets (a key no kind named), and the fix was refused
/// with "the edit would touch a secret".
#[test]
fn a_move_rewrites_the_allowed_origins_that_name_the_moved_port() {
    let dir = TempDir::new("fix-allowed-origins");
    let origins =
        "controlUi: { allowedOrigins: [\"http://127.0.0.1:18789\", \"http://localhost:18789\"] }";
    for (rel, port) in [(".openclaw", ""), (".openclaw-research", "port: 18789, ")] {
        let path = dir.path().join("home").join(rel);
        std::fs::create_dir_all(&path).unwrap();
        let config = format!("{{ gateway: {{ mode: \"local\", {port}{origins} }} }}\n");
        std::fs::write(path.join("openclaw.json"), config).unwrap();
    }
    let (_, diff, stderr) = check(&dir, &["--diff", "--unsafe-fixes"]);
    assert!(!diff.contains("would touch a secret"), "{diff}{stderr}");
    assert!(
        diff.contains("+{ gateway: { mode: \"local\", port: 18900, controlUi: { allowedOrigins: [\"http://127.0.0.1:18900\", \"http://localhost:18900\"] } } }"),
        "{diff}{stderr}"
    );
}

/// `~/.openclaw-b/openclaw.json` is a link to `~/.openclaw/openclaw.json` (CL202: one file two
/// gateways read as their own): a move of "b" would be written through the link and move the
/// default gateway too, round after round. The move is refused, its note naming CL202, and
/// `--fix --unsafe-fixes` writes nothing (found by a hostile-input audit).
#[test]
fn a_config_file_another_gateway_reads_as_its_own_is_never_edited() {
    let dir = layout(
        "shared-link",
        &[
            (
                "home/.openclaw/openclaw.json",
                "{ gateway: { mode: \"local\", port: 19100 } }\n",
            ),
            (
                "home/.config/systemd/user/openclaw-gateway-b.service",
                "[Service]\nExecStart=/usr/bin/openclaw --profile b gateway\n\
                 [Install]\nWantedBy=default.target\n",
            ),
        ],
    );
    let d = dir.path();
    std::fs::create_dir_all(d.join("home/.openclaw-b")).unwrap();
    std::os::unix::fs::symlink(
        "../.openclaw/openclaw.json",
        d.join("home/.openclaw-b/openclaw.json"),
    )
    .unwrap();
    enable_user_unit(&d.join("home"), "openclaw-gateway-b.service");
    let before = files(d);
    let (_, out, _) = check(d, &["--unsafe-fixes", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cl101 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL101")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(cl101.get("fix").is_none(), "{cl101}");
    assert!(cl101.to_string().contains("(CL202"), "{cl101}");
    let (_, _, stderr) = check(d, &["--fix", "--unsafe-fixes"]);
    assert_eq!(files(d), before, "{stderr}");
    assert!(stderr.contains("Fixed 0 findings"), "{stderr}");
}

#[test]
fn a_portainer_stacks_env_file_is_not_edited_by_a_fix() {
    // Portainer writes stack.env anew from its database at each deploy of the stack
    // (api/exec/compose_stack.go `createEnvFile`): an edit there would be undone, so CL108
    // gets no fix, says where to change the variable, and `--fix` writes nothing.
    let dir = copy("containers-portainer-shared", "portainer-env");
    let original = files(&dir);
    let (code, stdout, stderr) = check(&dir, &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("no automatic fix: Portainer writes root/var/lib/docker/volumes/portainer_data/_data/compose/7/stack.env anew each time it deploys the project")
            && stdout.contains("set OPENCLAW_GATEWAY_PORT=18790 in Portainer's stack editor"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`OPENCLAW_GATEWAY_PORT=18790` in Portainer's stack editor"),
        "the help names where the variable is changed: {stdout}"
    );
    assert_eq!(files(&dir), original, "a file changed");
}
