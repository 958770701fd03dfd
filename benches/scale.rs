//! `cargo bench --bench scale`: clawlint on generated layouts, whole process (the release
//! binary, as a user runs it: CPU, wall, peak RSS, output size) beside the floor program on
//! the same files in the same run, and per phase in-process (the library). Prints Markdown
//! tables; the README's "Performance" section reports them with the machine they ran on.
//!
//! Layouts: `realistic` (named profiles with JSON5 comments, `$include`d channel files, `.env`
//! files with tokens, browser profiles and deliberate collisions), `mixed` (half native
//! profiles, a quarter compose stacks, each file its own text, a quarter `openclaw fleet`
//! cells), and the adversarial `one-port` (every gateway on one port) and `shared-include`
//! (one 1 MiB file every gateway `$include`s); for fix planning, `stale-ignores` (one config
//! with N stale suppressions: N CL903 fixes in one file; N counts the suppressions) and
//! `pairs` (gateways in pairs sharing a workspace, an agent dir and a sandbox container, each
//! with a loopback CDP URL: thousands of small CL203/CL207/CL407/CL602 findings). These two
//! are not in the default plan; name them (`-- stale-ignores 2000 8000 --keep DIR`).
//!
//! The floor program is this bench binary run as its own process: `floor-read` lists the
//! layout's directories and reads every file once; `floor-parse` also parses each file with
//! clawlint's own parsers (JSON5 for configs and includes, dotenv for `.env` files). Nothing
//! that reads these files can do less than `floor-read`.
//!
//! The binary measured is the `clawlint` that cargo builds for the bench in the same run, or
//! the one named with `--binary PATH`. Run the bench through `scripts/release-cargo.sh`, so that
//! it is built as the release binary for that target is (on x86_64 Linux a static executable,
//! which starts faster). The bench's own `clawlint` is built with the dev-dependencies' crate
//! features unified in (a bench target needs them), so it is not byte for byte the binary a
//! user installs: to time that one, build it with `build --release` and name it:
//!
//! ```text
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu bench --bench scale  # the default plan
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu bench --bench scale -- realistic 1 10 100
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu bench --bench scale -- one-port 10000 --commands check,ports
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu bench --bench scale -- realistic 10000 --keep /tmp/layouts
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu build --release --bin clawlint
//! scripts/release-cargo.sh x86_64-unknown-linux-gnu bench --bench scale -- \
//!     --binary target/x86_64-unknown-linux-gnu/release/clawlint  # the installed binary's build
//! ```
//!
//! With `--keep DIR` each layout is written to `DIR/<layout>-<n>/home` and left there, so a
//! whole process can be timed by hand (`/usr/bin/time -v
//! target/x86_64-unknown-linux-gnu/release/clawlint check --home DIR/realistic-10000/home
//! --format json --no-config > /dev/null`). Timings are never asserted: tests assert sizes
//! only (tests/scale.rs).

#[path = "support/layout.rs"]
mod layout;

use clawlint::discover::{discover, Inputs};
use clawlint::engine::{run, Settings};
use clawlint::rules::RuleContext;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary's allocator, so that the phases measured in-process cost what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default plan: (layout, sizes).
const PLAN: &[(&str, &[usize])] = &[
    ("realistic", &[1, 10, 100, 1_000, 10_000, 30_000]),
    ("one-port", &[1_000, 10_000]),
    ("shared-include", &[100, 1_000]),
];

/// KiB of the file every gateway of `shared-include` includes.
const SHARED_KIB: usize = 1024;

const COMMANDS: &[&str] = &["check", "resolve", "ports"];

fn runs_for(n: usize) -> usize {
    match n {
        0..=100 => 15,
        101..=1_000 => 5,
        _ => 3,
    }
}

/// What one process cost: CPU (user + system), wall, peak RSS.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    cpu: Duration,
    wall: Duration,
    rss_kib: u64,
}

/// Runs `program ARGS` with standard output to `out` (or nowhere), and reads its CPU and
/// peak RSS from the kernel (`wait4`), as GNU time does.
// The child is reaped by wait4 itself (std's wait would not return its rusage).
#[allow(clippy::zombie_processes)]
fn measure(program: &Path, args: &[&str], out: Option<&Path>) -> Cost {
    let stdout = match out {
        Some(path) => Stdio::from(std::fs::File::create(path).expect("output file")),
        None => Stdio::null(),
    };
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .env_clear()
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes a complete one for the
    // child just spawned (and not waited for anywhere else).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
        "{} {args:?} failed: {status}",
        program.display()
    );
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Cost {
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        wall,
        rss_kib: usage.ru_maxrss as u64,
    }
}

/// The median CPU and wall and the largest RSS of `runs` runs.
fn measure_runs(program: &Path, args: &[&str], runs: usize) -> Cost {
    let mut samples: Vec<Cost> = (0..runs).map(|_| measure(program, args, None)).collect();
    let rss = samples.iter().map(|c| c.rss_kib).max().unwrap_or(0);
    samples.sort_by_key(|c| c.cpu);
    let cpu = samples[samples.len() / 2].cpu;
    samples.sort_by_key(|c| c.wall);
    Cost {
        cpu,
        wall: samples[samples.len() / 2].wall,
        rss_kib: rss,
    }
}

fn args_for<'a>(command: &str, home: &'a str) -> Vec<&'a str> {
    let mut args = match command {
        "check" => vec!["check", "--format", "json", "--exit-zero"],
        "resolve" => vec!["resolve", "--format", "json"],
        "ports" => vec!["ports", "--format", "json"],
        "ports-human" => vec!["ports"],
        other => panic!("no command {other}"),
    };
    args.extend(["--no-config", "--home", home]);
    args
}

fn write(layout: &str, home: &Path, n: usize) {
    match layout {
        "realistic" => layout::write_layout(home, n),
        "mixed" => layout::write_mixed_layout(home, n),
        "one-port" => layout::write_one_port_layout(home, n),
        "shared-include" => layout::write_shared_include_layout(home, n, SHARED_KIB),
        "stale-ignores" => layout::write_stale_ignores_layout(home, n),
        "pairs" => layout::write_pairs_layout(home, n),
        other => panic!("no layout {other}"),
    }
    .expect("layout written");
}

// ---------------------------------------------------------------------------------------------
// The floor program
// ---------------------------------------------------------------------------------------------

/// Lists every directory under `dir` and reads every file once; with `parse`, parses each
/// with clawlint's own parsers. Returns how many files and bytes it read (printed, so the
/// work cannot be optimised away).
fn floor(dir: &Path, parse: bool) -> (usize, usize, usize) {
    let mut files = 0;
    let mut bytes = 0;
    let mut parsed = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            files += 1;
            bytes += data.len();
            if !parse {
                continue;
            }
            let text = String::from_utf8_lossy(&data);
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".json") || name.ends_with(".json5") {
                parsed += usize::from(clawlint::load::json5::parse(&text).is_ok());
            } else if name.ends_with(".env") {
                parsed += clawlint::load::dotenv::parse(&text).entries.len();
            }
        }
    }
    (files, bytes, parsed)
}

// ---------------------------------------------------------------------------------------------
// Per phase, in-process
// ---------------------------------------------------------------------------------------------

/// CPU time of this whole process so far (every thread: the rules run on several).
fn process_cpu() -> Duration {
    // SAFETY: clock_gettime writes a timespec; an all-zero one is valid to start with.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[derive(Default, Clone, Copy)]
struct Phases {
    discover: Duration,
    /// Resolve and validation: each gateway is validated as soon as it is resolved.
    resolve: Duration,
    rules: Duration,
    /// Attaching fixes: `check` plans every fix on every run (the `[*]`/`[-]` marks and the
    /// JSON's `fix` need them).
    fix: Duration,
    render: Duration,
    findings: usize,
}

/// CPU of each phase of `check --format json`, in-process: the median of a few runs.
fn phases(home: &Path, n: usize) -> Phases {
    let inputs = Inputs {
        homes: vec![home.to_path_buf()],
        ..Inputs::default()
    };
    let mut all: Vec<Phases> = Vec::new();
    for _ in 0..runs_for(n).min(5) {
        let mut p = Phases::default();
        let t = process_cpu();
        let found = discover(&inputs);
        p.discover = process_cpu() - t;
        let t = process_cpu();
        let inventory = clawlint::resolve::inventory(found, &Default::default());
        p.resolve = process_cpu() - t;
        let ctx = RuleContext::new(&inventory);
        let t = process_cpu();
        let mut findings = run(&ctx, &Settings::default());
        p.rules = process_cpu() - t;
        p.findings = findings.len();
        let t = process_cpu();
        clawlint::fix::fixers::attach(&mut findings, &inventory.instances, &inventory.sources);
        p.fix = process_cpu() - t;
        let t = process_cpu();
        let mut sink = std::io::BufWriter::new(std::io::sink());
        clawlint::report::json::write(
            &mut sink,
            &findings,
            &inventory.sources,
            inventory.instances.len(),
        )
        .expect("written");
        p.render = process_cpu() - t;
        all.push(p);
    }
    let median = |f: fn(&Phases) -> Duration| {
        let mut v: Vec<Duration> = all.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    Phases {
        discover: median(|p| p.discover),
        resolve: median(|p| p.resolve),
        rules: median(|p| p.rules),
        fix: median(|p| p.fix),
        render: median(|p| p.render),
        findings: all[0].findings,
    }
}

// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} B"),
        10_000..=9_999_999 => format!("{:.0} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

struct Options {
    plan: Vec<(String, Vec<usize>)>,
    commands: Vec<String>,
    keep: Option<PathBuf>,
    phases: bool,
    binary: Option<PathBuf>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut layout: Option<String> = None;
    let mut sizes = Vec::new();
    let mut commands: Vec<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    let mut keep = None;
    let mut phases = true;
    let mut binary = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--keep" => keep = Some(PathBuf::from(it.next().expect("--keep DIR"))),
            "--binary" => binary = Some(PathBuf::from(it.next().expect("--binary PATH"))),
            "--commands" => {
                commands = it
                    .next()
                    .expect("--commands a,b")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--no-phases" => phases = false,
            n if n.parse::<usize>().is_ok() => sizes.push(n.parse().unwrap()),
            name => layout = Some(name.to_string()),
        }
    }
    let plan = match (layout, sizes.is_empty()) {
        (None, true) => PLAN
            .iter()
            .map(|(l, s)| (l.to_string(), s.to_vec()))
            .collect(),
        (None, false) => vec![("realistic".to_string(), sizes)],
        (Some(l), true) => {
            let sizes = PLAN
                .iter()
                .find(|(p, _)| *p == l)
                .map_or(vec![1, 10, 100, 1_000], |(_, s)| s.to_vec());
            vec![(l, sizes)]
        }
        (Some(l), false) => vec![(l, sizes)],
    };
    Options {
        plan,
        commands,
        keep,
        phases,
        binary,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The floor program: this binary, run as its own process by the bench below.
    if let [_, mode, dir] = &args[..] {
        if mode == "floor-read" || mode == "floor-parse" {
            let (files, bytes, parsed) = floor(Path::new(dir), mode == "floor-parse");
            println!("{files} files, {bytes} bytes, {parsed} parsed");
            return;
        }
    }
    let options = options();
    // The `clawlint` binary cargo built for this bench, in the same run with the same flags
    // (run through scripts/release-cargo.sh, the flags of the release binary for that target),
    // unless `--binary` names another build.
    let binary = options
        .binary
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_clawlint")));
    eprintln!(
        "measuring {} (RUSTFLAGS: {:?})",
        binary.display(),
        std::env::var("RUSTFLAGS").unwrap_or_default()
    );
    let me = std::env::current_exe().expect("the bench binary");
    let scratch = options.keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("clawlint-bench-{}", std::process::id()))
    });
    let outputs = std::env::temp_dir().join(format!("clawlint-bench-out-{}", std::process::id()));
    std::fs::create_dir_all(&outputs).expect("scratch");

    println!(
        "Whole process (median CPU and wall of several runs; floor programs in the same run):\n"
    );
    println!("| layout | gateways | command | CPU | wall | peak RSS | output | floor: list+read CPU | list+read+parse CPU | CPU / floor |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut phase_rows = Vec::new();
    for (layout_name, sizes) in &options.plan {
        for &n in sizes {
            let home = scratch.join(format!("{layout_name}-{n}")).join("home");
            if !home.exists() {
                write(layout_name, &home, n);
            }
            let home_str = home.to_str().expect("UTF-8 path");
            let runs = runs_for(n);
            let floor_read = measure_runs(&me, &["floor-read", home_str], runs);
            let floor_parse = measure_runs(&me, &["floor-parse", home_str], runs);
            for command in &options.commands {
                let args = args_for(command, home_str);
                let out = outputs.join("out");
                measure(&binary, &args, Some(&out));
                let size = std::fs::metadata(&out).map_or(0, |m| m.len());
                let cost = measure_runs(&binary, &args, runs);
                println!(
                    "| {layout_name} | {n} | {command} | {} | {} | {} | {} | {} | {} | {:.1}× |",
                    ms(cost.cpu),
                    ms(cost.wall),
                    mib(cost.rss_kib),
                    bytes(size),
                    ms(floor_read.cpu),
                    ms(floor_parse.cpu),
                    cost.cpu.as_secs_f64() / floor_read.cpu.as_secs_f64().max(1e-9)
                );
            }
            if options.phases {
                phase_rows.push((layout_name.clone(), n, phases(&home, n)));
            }
            if options.keep.is_none() {
                let _ = std::fs::remove_dir_all(home.parent().expect("layout dir"));
            }
        }
    }
    if !phase_rows.is_empty() {
        println!("\nPer phase, in-process (`check --format json`, CPU of all threads, median):\n");
        println!("| layout | gateways | discover | resolve + validate | rules | fixes | render JSON | total | per gateway | findings |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (layout_name, n, p) in phase_rows {
            let total = p.discover + p.resolve + p.rules + p.fix + p.render;
            println!(
                "| {layout_name} | {n} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ms(p.discover),
                ms(p.resolve),
                ms(p.rules),
                ms(p.fix),
                ms(p.render),
                ms(total),
                ms(total / n.max(1) as u32),
                p.findings
            );
        }
    }
    let _ = std::fs::remove_dir_all(&outputs);
    match &options.keep {
        Some(dir) => eprintln!("layouts kept in {}", dir.display()),
        None => {
            let _ = std::fs::remove_dir_all(&scratch);
        }
    }
}
