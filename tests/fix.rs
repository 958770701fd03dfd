//! `check --fix`, `--diff` and `--fix-only`, on copies of the fixtures: the diff of every
//! fixable fixture (snapshotted), the fixed layout re-linted (the fixed findings are gone and
//! nothing new appears), every line not fixed byte-identical, and the refusals that leave
//! every file as it was.

mod common;

use common::TempDir;
use std::collections::BTreeMap;
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
            assert_only_fixes_changed(&name, path, &old, &new);
        }
    }
    assert!(fixed_any >= 3, "only {fixed_any} fixable fixtures");
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

/// `new` is `old` with one stretch inserted, and that stretch is a port or webhook pin.
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
        added.contains("port") || added.contains("webhook") || added.contains("containerPrefix")
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
        let mut text = std::fs::read_to_string(&path).unwrap();
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
        expected.insert(path, text);
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
                "{ gateway: { port: 18789 } }\n",
            ),
            (
                "home/.openclaw-a/openclaw.json",
                "// a\n{ gateway: { port: 18789 } }\n",
            ),
            ("home/.openclaw-b/openclaw.json", "{}\n"),
            (
                "home/.config/systemd/user/openclaw-gateway-a.service",
                UNIT_A,
            ),
            ("home/Library/LaunchAgents/ai.openclaw.b.plist", PLIST_B),
        ],
    );
    // Enabled, as `systemctl --user enable` leaves it: a disabled unit is no gateway.
    let wants = dir.join("home/.config/systemd/user/default.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(
        "../openclaw-gateway-a.service",
        wants.join("openclaw-gateway-a.service"),
    )
    .unwrap();
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
        "{ gateway: { port: 18789 } }\n"
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

#[test]
fn after_fix_resolve_differs_only_in_the_fixed_values() {
    // For every fixable fixture: `resolve` of the fixed layout is the original's, leaf by
    // leaf, except the values a fix is about, and only for the gateways a fix names: the
    // ports of a gateway that moved or was pinned (gateway port, listeners, browser ports,
    // what its supervisors and container say), and the workspace or agent dir given back.
    // Where a value is written (byte offsets, lines) is left out: an inserted pin shifts it.
    const FIXED: [&str; 7] = [
        ".gatewayPort",
        ".listeners",
        ".browser",
        ".supervisors",
        ".container",
        ".workspace",
        ".agentDir",
    ];
    let mut compared = 0;
    let mut changed = 0;
    for name in fixture_names() {
        let dir = copy(&name, "resolve");
        let (_, before_json, _) = check(&dir, &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&before_json).unwrap();
        let mut touched: Vec<String> = Vec::new();
        let mut fixable = false;
        for f in v["findings"].as_array().unwrap() {
            if f.get("fix").is_some() {
                fixable = true;
                for g in f["instances"].as_array().unwrap() {
                    touched.push(g.as_str().unwrap().to_string());
                }
            }
        }
        if !fixable {
            continue;
        }
        compared += 1;
        let before = resolve_json(&dir);
        check(&dir, &["--fix", "--unsafe-fixes"]);
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
        let (before, after) = (by_name(&before), by_name(&after));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{name}: the gateways changed"
        );
        for (gateway, old) in &before {
            let new = &after[gateway];
            for key in old.keys().chain(new.keys()) {
                if old.get(key) == new.get(key) {
                    continue;
                }
                changed += 1;
                let fixed = touched.contains(gateway)
                    && FIXED
                        .iter()
                        .any(|k| key.starts_with(k) || key.contains(&format!("]{k}")));
                assert!(
                    fixed,
                    "{name}: \"{gateway}\" {key}: {:?} -> {:?} is not a fixed value",
                    old.get(key),
                    new.get(key)
                );
            }
        }
    }
    assert!(compared >= 10, "only {compared} fixable fixtures");
    assert!(changed > 0, "no fix changed a resolved value");
}
