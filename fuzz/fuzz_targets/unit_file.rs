//! The service-file readers on arbitrary input: systemd units (`parse_unit` and everything
//! that reads a parsed unit: `split_exec`, `parse_environment`, specifiers, `--port`),
//! environment files, launchd plists (XML and binary) and OpenClaw's env-wrapper files.
//! None may panic; every span must lie inside its text on character boundaries.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clawlint_fuzz::unit_file(data));
