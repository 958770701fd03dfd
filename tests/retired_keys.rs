//! data/retired-keys.json (the retired config keys clawlint compiles in) must be what
//! scripts/extract-retired-keys.mjs reads from the OpenClaw releases installed in the oracle
//! cache ($ORACLE_CACHE, default /work/oracle-cache). Skipped, with a message, where no release
//! is installed (CI has no oracle cache).

mod common;

#[test]
fn retired_keys_match_the_installed_releases() {
    common::extractor_matches_installed_releases("scripts/extract-retired-keys.mjs", "retired");
}

/// data/legacy-rules.json (the legacy-config rules of releases up to 2026.3.31) is what
/// scripts/extract-legacy-rules.mjs reads from the installed releases.
#[test]
fn legacy_rules_match_the_installed_releases() {
    common::extractor_matches_installed_releases("scripts/extract-legacy-rules.mjs", "legacy");
}

/// data/openclaw-env-names.txt (CL503) and data/model-suppressions.txt (retired models) are
/// what their extractors read from the installed 2026.9.6 package.
#[test]
fn name_and_model_lists_match_the_installed_release() {
    common::extractor_matches_installed_releases("scripts/extract-env-names.mjs", "env-names");
    common::extractor_matches_installed_releases(
        "scripts/extract-model-suppressions.mjs",
        "model-suppressions",
    );
}
