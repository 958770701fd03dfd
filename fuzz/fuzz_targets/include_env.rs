//! Loading with includes and environment: arbitrary bytes become a gateway's config, two
//! `$include` targets and its state-dir `.env` in a scratch home, and the gateway is resolved
//! (`clawlint::resolve::resolve_instance`); every part is also substituted directly with
//! `load::env::substitute`. See `clawlint_fuzz::include_env` for the input layout.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

/// One scratch home per fuzzing process, rewritten for every input.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("clawlint-fuzz-include-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| clawlint_fuzz::include_env(data, scratch()));
