//! The whole pipeline on a generated host: the input becomes a home with a few gateway state
//! dirs (configs and `.env` files built from the input bytes) and a systemd user unit; then
//! discovery, every rule, and every output format (human with and without colour, concise,
//! json, sarif, github, junit, and the `resolve` model as JSON and text) run over it.
//!
//! Input layout: see `clawlint_fuzz::write_pipeline_home`. Discovery and rendering are
//! called through the library here, for speed; `tests/regressions.rs` replays saved pipeline
//! inputs through the `clawlint` binary instead.
#![no_main]

use clawlint::discover::{discover, Inputs};
use clawlint::report;
use clawlint::engine::{self, Settings};
use clawlint::rules::RuleContext;
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
    let inputs = Inputs {
        homes: vec![home.clone()],
        ..Default::default()
    };
    let inventory = discover(&inputs);
    let ctx = RuleContext::new(&inventory);
    let findings = engine::run(&ctx, &Settings::default());
    let (sources, count) = (&inventory.sources, inventory.instances.len());
    let mut out = vec![
        report::json::render(&findings, sources, count),
        report::concise::render(&findings, sources, count),
        report::sarif::render(&findings, sources, count),
        report::github::render(&findings, sources, count),
        report::junit::render(&findings, sources, count),
        report::model::render_json(&inventory.instances, sources),
        report::model::render_human(&inventory.instances, sources),
    ];
    for color in [false, true] {
        let options = report::human::HumanOptions {
            color,
            width: report::human::DEFAULT_WIDTH,
        };
        out.push(report::human::render(&findings, sources, count, &options));
    }
    std::hint::black_box(out);
});
