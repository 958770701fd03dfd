//! Size amplification: a small layout whose expansion, unbounded, would be huge (`${VAR}`
//! repeats, `$include` fan-out over arrays, nested YAML aliases, plus any further bytes as an
//! included file); every output of `check` and `resolve` stays within a constant times the
//! input, and a budget hit is a located CL907. See `clawlint_fuzz::amplify`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::temp_dir().join(format!("clawlint-fuzz-amplify-{}", std::process::id()))
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| clawlint_fuzz::amplify(data, scratch()));
