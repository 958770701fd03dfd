//! `cargo bench --bench scale`: clawlint on generated layouts of 1 to 10,000 gateways, end to
//! end (the release binary, as a user runs it) and per phase (the library). Prints a Markdown
//! table; the README reports it with the machine it ran on.
//!
//! `cargo bench --bench scale -- 1 10 100` runs only those sizes; `-- mixed` (with or
//! without sizes) generates mixed hosts instead: half native profiles, a quarter compose
//! stacks, a quarter `openclaw fleet` cells.

#[path = "support/layout.rs"]
mod layout;

use clawlint::discover::{discover, Inputs};
use clawlint::engine::{run, Settings};
use clawlint::rules::RuleContext;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SIZES: &[usize] = &[1, 10, 100, 1_000, 10_000];

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn runs_for(n: usize) -> usize {
    match n {
        0..=100 => 15,
        101..=1_000 => 7,
        _ => 3,
    }
}

/// Wall time of the whole process, and its peak RSS in MiB when GNU time is there.
fn end_to_end(binary: &Path, home: &Path, n: usize) -> (Duration, Option<f64>) {
    let args = [
        "check",
        "--home",
        home.to_str().unwrap(),
        "--format",
        "json",
        "--exit-zero",
        "--no-config",
    ];
    let samples = (0..runs_for(n))
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(binary)
                .args(args)
                .env_clear()
                .output()
                .expect("runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            start.elapsed()
        })
        .collect();
    let peak = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(binary)
        .args(args)
        .env_clear()
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()?
                .parse::<f64>()
                .ok()
        })
        .map(|kib| kib / 1024.0);
    (median(samples), peak)
}

/// Median time of discover+load+resolve, and of the rules, in-process.
fn phases(home: &Path, n: usize) -> (Duration, Duration, Duration, usize) {
    let inputs = Inputs {
        homes: vec![home.to_path_buf()],
        ..Inputs::default()
    };
    let mut load = Vec::new();
    let mut rules = Vec::new();
    let mut validate = Vec::new();
    let mut findings = 0;
    for _ in 0..runs_for(n) {
        let start = Instant::now();
        let mut inventory = clawlint::resolve::inventory(discover(&inputs));
        load.push(start.elapsed());
        let start = Instant::now();
        clawlint::validate::apply(&mut inventory.instances, &Default::default());
        validate.push(start.elapsed());
        let ctx = RuleContext::new(&inventory);
        let start = Instant::now();
        findings = run(&ctx, &Settings::default()).len();
        rules.push(start.elapsed());
    }
    (median(load), median(validate), median(rules), findings)
}

fn main() {
    let mixed = std::env::args().any(|a| a == "mixed");
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        SIZES.to_vec()
    } else {
        sizes
    };
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/clawlint");
    assert!(
        binary.exists(),
        "build the binary first: cargo build --release"
    );
    let scratch = std::env::temp_dir().join(format!("clawlint-bench-{}", std::process::id()));
    println!(
        "| gateways | wall (process) | per gateway | load+resolve | validate | rules | findings | peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let home = scratch.join(format!("n{n}"));
        match mixed {
            true => layout::write_mixed_layout(&home, n),
            false => layout::write_layout(&home, n),
        }
        .expect("layout written");
        let (wall, peak) = end_to_end(&binary, &home, n);
        let (load, validate, rules, findings) = phases(&home, n);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {n} | {:.1} ms | {:.3} ms | {:.1} ms | {:.1} ms | {:.1} ms | {findings} | {} |",
            ms(wall),
            ms(wall) / n as f64,
            ms(load),
            ms(validate),
            ms(rules),
            peak.map_or("n/a".to_string(), |m| format!("{m:.1} MiB"))
        );
    }
    if std::env::var_os("CLAWLINT_BENCH_KEEP").is_some() {
        eprintln!("layouts kept in {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
