//! `clawlint::load::json5::parse` on arbitrary UTF-8: never panics, never overflows the stack,
//! and every span it returns lies inside the text on character boundaries.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clawlint_fuzz::json5(data));
