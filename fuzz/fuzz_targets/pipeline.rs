//! The whole pipeline on a generated host: the input becomes a home with a few gateway state
//! dirs (configs and `.env` files built from the input bytes) and a systemd user unit; then
//! discovery, the inventory, every rule, and every output format of `check` and `resolve`
//! (`clawlint_fuzz::render_everything`).
//!
//! Input layout: see `clawlint_fuzz::write_pipeline_home`. `tests/regressions.rs` replays
//! saved pipeline inputs through the `clawlint` binary instead.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::temp_dir().join(format!("clawlint-fuzz-pipeline-{}", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    // The same paths every time, so clawlint's path cache stays small.
    let home = scratch().join("home");
    if clawlint_fuzz::write_pipeline_home(data, &home).is_none() {
        return;
    }
    std::hint::black_box(clawlint_fuzz::render_everything(&home));
});
