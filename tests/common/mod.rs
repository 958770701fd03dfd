//! What every integration test needs: the repository root, and clawlint run as users run it
//! (the built binary, from the repository root, with a clean environment: no OPENCLAW_*).

#![allow(dead_code)]

use std::path::PathBuf;
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
        .output()
        .expect("clawlint runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}
