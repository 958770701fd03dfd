//! Read-only: clawlint opens no socket, starts no process and writes no file except an
//! explicit `--format FMT=PATH` output (DESIGN.md, non-negotiables).
//!
//! Two checks on copies of fixture homes in a scratch directory:
//! - every file's size, modification time and content hash, every symlink's target and the
//!   listing of every directory are the same after `check` (every format) and `resolve`;
//! - under `strace` (skipped, with a note, when it is not installed or cannot trace here):
//!   no network system call, no process beyond the initial `execve` (threads are allowed),
//!   every `openat` read-only except the one `--format json=PATH` output, and no file created,
//!   removed, renamed or directory made.

mod common;

use common::TempDir;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fixture homes to copy: credentials, includes, a tokenFile, a file SecretRef and unparsable
/// files; the bundled example; symlinked workspaces. Missing ones are skipped.
const FIXTURES: &[&str] = &["secrets-canary", "example", "paths-workspace-symlink"];

const FORMATS: &[&str] = &[
    "human", "concise", "json", "sarif", "github", "junit", "markdown",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory, removed when dropped.
struct Scratch(TempDir);

impl Scratch {
    fn new(label: &str) -> Scratch {
        Scratch(TempDir::new(&format!("readonly-{label}")))
    }
}

/// Copies a tree, keeping symlinks as symlinks (dangling and looping ones too).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("read fixture dir")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let target = std::fs::read_link(&src).expect("read link");
            std::os::unix::fs::symlink(target, &dst).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// What a tree looks like: for each entry (relative path), its kind and identity.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
    let meta = std::fs::symlink_metadata(dir).expect("stat dir");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    out.insert(
        dir.strip_prefix(base).expect("below base").to_path_buf(),
        format!(
            "dir mtime={}.{:09} entries={names:?}",
            meta.mtime(),
            meta.mtime_nsec()
        ),
    );
    for name in names {
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        let rel = path.strip_prefix(base).expect("below base").to_path_buf();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("read link");
            out.insert(rel, format!("symlink -> {}", target.display()));
        } else if meta.is_dir() {
            walk(base, &path, out);
        } else {
            let bytes = std::fs::read(&path).expect("read file");
            let hash: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            out.insert(
                rel,
                format!(
                    "file size={} mtime={}.{:09} mode={:o} sha256={hash}",
                    meta.len(),
                    meta.mtime(),
                    meta.mtime_nsec(),
                    meta.mode()
                ),
            );
        }
    }
}

fn changes(before: &BTreeMap<PathBuf, String>, after: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, was) in before {
        match after.get(path) {
            None => out.push(format!("removed {}: {was}", path.display())),
            Some(now) if now != was => {
                out.push(format!("changed {}: {was} -> {now}", path.display()))
            }
            _ => {}
        }
    }
    for (path, now) in after {
        if !before.contains_key(path) {
            out.push(format!("created {}: {now}", path.display()));
        }
    }
    out
}

/// The argument lists of every read-only run over `home`.
fn runs(home: &str) -> Vec<Vec<String>> {
    let owned = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // One format per run on standard output (a second one there is refused).
    let checks = FORMATS
        .iter()
        .map(|format| owned(&["check", "--home", home, "--no-config", "--format", format]));
    checks
        .chain([
            owned(&[
                "check",
                "--home",
                home,
                "--no-config",
                "--color",
                "always",
                "--format",
                "human",
            ]),
            owned(&[
                "resolve",
                "--home",
                home,
                "--no-config",
                "--format",
                "human",
            ]),
            owned(&["resolve", "--home", home, "--no-config", "--format", "json"]),
        ])
        .collect()
}

fn clawlint(args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .output()
        .expect("clawlint runs")
}

fn fixture_homes() -> Vec<(&'static str, PathBuf)> {
    FIXTURES
        .iter()
        .map(|name| (*name, root().join("fixtures").join(name).join("home")))
        .filter(|(_, home)| home.is_dir())
        .collect()
}

#[test]
fn check_and_resolve_change_nothing() {
    let homes = fixture_homes();
    assert!(!homes.is_empty(), "no fixture to copy");
    for (name, fixture) in homes {
        let scratch = Scratch::new(name);
        let home = scratch.0.join("home");
        copy_tree(&fixture, &home);
        let before = snapshot(&scratch.0);
        for args in runs(home.to_str().expect("UTF-8 temp path")) {
            let output = clawlint(&args);
            assert!(
                matches!(output.status.code(), Some(0) | Some(1)),
                "{name}: `clawlint {}` exited {:?}: {}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            );
            let diff = changes(&before, &snapshot(&scratch.0));
            assert!(
                diff.is_empty(),
                "{name}: `clawlint {}` changed the home:\n{}",
                args.join(" "),
                diff.join("\n")
            );
        }
    }
}

/// A fix that creates a file (the drop-in that overrides a packaged quadlet's published port)
/// creates nothing without `--fix`: `--diff` shows it as a new file, every format offers it,
/// and the layout (home and root) is as it was, no directory made.
#[test]
fn a_fix_that_creates_a_file_creates_nothing_without_fix() {
    let scratch = Scratch::new("creates");
    copy_tree(
        &root().join("fixtures/containers-quadlet-packaged-fix"),
        &scratch.0,
    );
    let before = snapshot(&scratch.0);
    let (home, unit_root) = (scratch.0.join("home"), scratch.0.join("root"));
    let (home, unit_root) = (home.to_str().unwrap(), unit_root.to_str().unwrap());
    let owned = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let base = ["check", "--home", home, "--root", unit_root, "--no-config"];
    let mut runs: Vec<Vec<String>> = FORMATS
        .iter()
        .map(|format| owned(&[&base[..], &["--unsafe-fixes", "--format", format]].concat()))
        .collect();
    runs.push(owned(&[&base[..], &["--diff", "--unsafe-fixes"]].concat()));
    for args in runs {
        let output = clawlint(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        if args.iter().any(|a| a == "--diff") {
            assert!(
                stdout.contains("--- /dev/null\n+++ ")
                    && stdout.contains("openclaw.container.d/99-clawlint.conf\n"),
                "{stdout}"
            );
        }
        if args.iter().any(|a| a == "json") {
            assert!(stdout.contains("99-clawlint.conf"), "{stdout}");
        }
        let diff = changes(&before, &snapshot(&scratch.0));
        assert!(
            diff.is_empty(),
            "`clawlint {}` changed the layout:\n{}",
            args.join(" "),
            diff.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// strace
// ---------------------------------------------------------------------------------------------

/// The system calls traced: every network and process call, and every call that opens,
/// creates, removes or renames a file or makes a directory. `?` keeps strace quiet about names
/// an architecture does not have (aarch64 has no `open`).
const TRACE: &str = "trace=%network,%process,openat,?open,?openat2,?creat,?unlink,unlinkat,\
?rename,?renameat,?renameat2,?mkdir,mkdirat,?link,?linkat,?symlink,?symlinkat,?truncate";

const NETWORK: &[&str] = &[
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "getsockopt",
    "setsockopt",
    "getsockname",
    "getpeername",
    "shutdown",
];

const WRITES: &[&str] = &[
    "creat",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "truncate",
];

fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One traced call: the system call's name and its arguments as strace printed them.
struct Call {
    name: String,
    args: String,
    line: String,
}

/// Parses strace's `-f -o` log: `PID name(args) = result`, with `<unfinished ...>` halves
/// (the arguments are on the first half) and `<... name resumed>` halves (skipped).
fn calls(log: &str) -> Vec<Call> {
    let mut out = Vec::new();
    for line in log.lines() {
        let rest = line.trim_start();
        let rest = rest
            .split_once(' ')
            .filter(|(pid, _)| pid.bytes().all(|b| b.is_ascii_digit()))
            .map_or(rest, |(_, r)| r.trim_start());
        if rest.starts_with("<...") || rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let Some((name, args)) = rest.split_once('(') else {
            continue;
        };
        out.push(Call {
            name: name.to_string(),
            args: args.to_string(),
            line: line.to_string(),
        });
    }
    out
}

/// The path (first quoted argument) and the flags of an `openat`/`open` call.
fn open_target(call: &Call) -> (String, String) {
    let path = call.args.split('"').nth(1).unwrap_or_default().to_string();
    let after_path = call.args.rsplit_once('"').map_or("", |(_, r)| r);
    let flags = after_path
        .trim_start_matches(',')
        .trim()
        .split([',', ')'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    (path, flags)
}

fn is_read_only(flags: &str) -> bool {
    flags.split('|').any(|f| f == "O_RDONLY")
        && !flags.split('|').any(|f| {
            matches!(
                f,
                "O_WRONLY" | "O_RDWR" | "O_CREAT" | "O_TRUNC" | "O_APPEND" | "O_TMPFILE"
            )
        })
}

#[test]
fn under_strace_only_the_requested_output_is_written() {
    if !strace_works() {
        println!("note: strace is not installed or cannot trace here; system-call check skipped");
        return;
    }
    let homes = fixture_homes();
    assert!(!homes.is_empty(), "no fixture to copy");
    for (name, fixture) in homes {
        let scratch = Scratch::new(name);
        let home = scratch.0.join("home");
        copy_tree(&fixture, &home);
        let out_dir = scratch.0.join("out");
        std::fs::create_dir_all(&out_dir).expect("out dir");
        let out_file = out_dir.join("report.json");
        let log = scratch.0.join("strace.log");
        let before = snapshot(&home);

        let home_arg = home.to_str().expect("UTF-8 temp path").to_string();
        let json_arg = format!("json={}", out_file.display());
        let mut runs = runs(&home_arg);
        runs[0].extend(["--format".to_string(), json_arg]);
        for (i, args) in runs.iter().enumerate() {
            let _ = std::fs::remove_file(&log);
            let output = Command::new("strace")
                .args(["-f", "-qq", "-e", TRACE, "-o"])
                .arg(&log)
                .arg(env!("CARGO_BIN_EXE_clawlint"))
                .args(args)
                .current_dir(root())
                .env_clear()
                .output()
                .expect("strace runs");
            let shown = format!("{name}: `clawlint {}`", args.join(" "));
            assert!(
                matches!(output.status.code(), Some(0) | Some(1)),
                "{shown} exited {:?}: {}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            );
            let text = std::fs::read_to_string(&log).expect("strace log");
            let mut problems = Vec::new();
            let mut execs = 0;
            let mut writes = Vec::new();
            for call in calls(&text) {
                let name = call.name.as_str();
                if NETWORK.contains(&name) {
                    problems.push(format!("network call: {}", call.line));
                } else if matches!(name, "execve" | "execveat") {
                    execs += 1;
                    if execs > 1 {
                        problems.push(format!("second exec: {}", call.line));
                    }
                } else if matches!(name, "fork" | "vfork")
                    || (matches!(name, "clone" | "clone3") && !call.args.contains("CLONE_THREAD"))
                {
                    problems.push(format!("new process: {}", call.line));
                } else if matches!(name, "kill" | "tkill" | "tgkill" | "pidfd_send_signal") {
                    problems.push(format!("signal sent: {}", call.line));
                } else if WRITES.contains(&name) {
                    problems.push(format!("file system change: {}", call.line));
                } else if matches!(name, "open" | "openat" | "openat2") {
                    let (path, flags) = open_target(&call);
                    if !is_read_only(&flags) {
                        writes.push(path.clone());
                        if Path::new(&path) != out_file {
                            problems.push(format!("opened for writing: {}", call.line));
                        }
                    }
                }
            }
            let expected_writes = if i == 0 {
                vec![out_file.display().to_string()]
            } else {
                Vec::new()
            };
            if writes != expected_writes {
                problems.push(format!(
                    "files opened for writing: {writes:?}, expected {expected_writes:?}"
                ));
            }
            assert!(
                problems.is_empty(),
                "{shown}:\n{}\n\nfull trace:\n{text}",
                problems.join("\n")
            );
            assert!(
                changes(&before, &snapshot(&home)).is_empty(),
                "{shown} changed the home"
            );
        }
        // The output file is the only thing written, and it is the JSON report.
        let listing: Vec<_> = std::fs::read_dir(&out_dir)
            .expect("out dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(listing, vec![std::ffi::OsString::from("report.json")]);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out_file).expect("report"))
                .expect("the report is JSON");
        assert!(report["findings"].is_array(), "{name}: {report}");
    }
}

#[test]
fn strace_log_parsing() {
    let log = r#"4242  execve("/bin/clawlint", ["clawlint"], 0x7ffd /* 0 vars */) = 0
4242  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
4243  openat(AT_FDCWD, "/tmp/out.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666 <unfinished ...>
4242  <... openat resumed>) = 4
4242  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, child_tid=0x1}, 88) = 4243
4242  exit_group(0)                     = ?
4242  +++ exited with 0 +++
"#;
    let calls = calls(log);
    let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["execve", "openat", "openat", "clone3", "exit_group"]
    );
    assert_eq!(
        open_target(&calls[1]),
        ("/etc/ld.so.cache".into(), "O_RDONLY|O_CLOEXEC".into())
    );
    let (path, flags) = open_target(&calls[2]);
    assert_eq!(path, "/tmp/out.json");
    assert!(!is_read_only(&flags));
    assert!(is_read_only("O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"));
    assert!(calls[3].args.contains("CLONE_THREAD"));
}
