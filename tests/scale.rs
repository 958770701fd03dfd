//! Output and work that grow with the input, never with pairs of gateways: adversarial
//! layouts (every gateway on one port, one include shared by every gateway) at two sizes,
//! checked by the size of what clawlint prints. No timing assertions: sizes only.

mod common;
/// The library tests' generator (the same layouts every run).
#[path = "../src/xorshift.rs"]
mod xorshift;
use common::*;
use std::path::Path;
use xorshift::Rng;

/// `n` named profiles, every one on `port` (each also gets the derived listeners and a
/// browser profile pinned at `cdp`, so every listener collides and every range overlaps).
fn one_port_layout(dir: &TempDir, n: usize) -> String {
    let home = dir.path().join("home");
    for i in 0..n {
        let d = home.join(format!(".openclaw-g{i:05}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("openclaw.json"),
            "{ gateway: { port: 18789 }, browser: { profiles: { work: { cdpPort: 18850 } } } }\n",
        )
        .unwrap();
    }
    home.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> String {
    let (code, stdout, stderr) = clawlint(args);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    stdout
}

/// A layout of `n` gateways written under `dir`: the home to scan.
type Layout = fn(&TempDir, usize) -> String;

/// Bytes per gateway of `clawlint ARGS` on `layout` with `n` gateways.
fn per_gateway(layout: Layout, n: usize, args: &[&str]) -> f64 {
    let dir = TempDir::new(&format!("layout-{n}"));
    let home = layout(&dir, n);
    let mut all = args.to_vec();
    all.extend(["--home", home.as_str(), "--no-config"]);
    run(&all).len() as f64 / n as f64
}

/// Output per gateway stays flat from `n` to `4n` gateways (linear output), within 25%, on
/// the one-port layout.
fn assert_linear(args: &[&str], limit_per_gateway: f64) {
    assert_linear_on(one_port_layout, args, limit_per_gateway);
}

/// Output per gateway stays flat from `n` to `4n` gateways on `layout`, within 25%.
fn assert_linear_on(layout: Layout, args: &[&str], limit_per_gateway: f64) {
    let small = per_gateway(layout, 60, args);
    let large = per_gateway(layout, 240, args);
    assert!(
        large <= small * 1.25,
        "`clawlint {}` grows faster than the gateways: {small:.0} bytes per gateway at 60, {large:.0} at 240",
        args.join(" ")
    );
    assert!(
        large <= limit_per_gateway,
        "`clawlint {}`: {large:.0} bytes per gateway",
        args.join(" ")
    );
}

#[test]
fn ports_json_on_one_port_is_linear() {
    assert_linear(&["ports", "--format", "json"], 12_000.0);
}

#[test]
fn ports_table_on_one_port_is_linear() {
    assert_linear(&["ports"], 3_000.0);
}

#[test]
fn ports_svg_on_one_port_is_linear() {
    let dir = TempDir::new("one-port-svg");
    let mut sizes = Vec::new();
    for n in [60, 240] {
        let home = one_port_layout(&dir, n);
        let svg = dir.path().join(format!("{n}.svg"));
        let spec = format!("svg={}", svg.display());
        run(&["ports", "--home", &home, "--no-config", "--format", &spec]);
        sizes.push(std::fs::metadata(&svg).unwrap().len() as f64 / n as f64);
        std::fs::remove_dir_all(dir.path().join("home")).unwrap();
    }
    assert!(sizes[1] <= sizes[0] * 1.25, "{sizes:?} bytes per gateway");
}

#[test]
fn check_on_one_port_is_linear() {
    assert_linear(&["check", "--format", "json", "--exit-zero"], 40_000.0);
    assert_linear(&["check", "--exit-zero"], 40_000.0);
}

/// `n` named profiles on 19100, each with a fleet registry of its own (one cell, on 19300):
/// every registry's next automatic creates take 19100..19109, inside every profile's
/// footprint, so each (registry, profile) pair intrudes.
fn fleet_band_layout(dir: &TempDir, n: usize) -> String {
    let home = dir.path().join("home");
    for i in 0..n {
        let d = home.join(format!(".openclaw-p{i:05}"));
        let cell = d.join("fleet/cells/c0");
        std::fs::create_dir_all(&cell).unwrap();
        std::fs::create_dir_all(d.join("state")).unwrap();
        std::fs::write(d.join("openclaw.json"), "{ gateway: { port: 19100 } }\n").unwrap();
        std::fs::write(cell.join("openclaw.json"), "{}\n").unwrap();
        let db = rusqlite::Connection::open(d.join("state/openclaw.sqlite")).unwrap();
        db.execute_batch(
            "CREATE TABLE fleet_cells (tenant_id TEXT NOT NULL PRIMARY KEY, created_at_ms INTEGER NOT NULL, image TEXT NOT NULL, runtime TEXT NOT NULL, host_port INTEGER NOT NULL, container_name TEXT NOT NULL, data_dir TEXT NOT NULL) STRICT;",
        )
        .unwrap();
        db.execute(
            "INSERT INTO fleet_cells VALUES ('c0', 0, 'ghcr.io/openclaw/openclaw:latest', 'docker', 19300, ?1, ?2)",
            (format!("openclaw-cell-p{i}-c0"), cell.to_str().unwrap()),
        )
        .unwrap();
    }
    home.to_str().unwrap().to_string()
}

/// CL109 on many registries that all predict the ports of many gateways: its output grows
/// with the registries and gateways, never with their pairs (one finding a pair was
/// quadratic: 10,000 findings at 100 profiles).
#[test]
fn fleet_band_findings_are_linear() {
    for format in ["json", "human"] {
        assert_linear_on(
            fleet_band_layout,
            &[
                "check",
                "--format",
                format,
                "--exit-zero",
                "--select",
                "CL109",
            ],
            2_000.0,
        );
    }
}

/// `resolve` shows each gateway once, whatever the others share: every gateway on one port,
/// or one include (and the include it includes) shared by every gateway.
#[test]
fn resolve_is_linear_on_adversarial_layouts() {
    let shared: Layout = |dir, n| shared_include_layout(dir, n).to_str().unwrap().to_string();
    for (name, layout) in [
        ("one-port", one_port_layout as Layout),
        ("shared-include", shared),
    ] {
        eprintln!("{name}");
        assert_linear_on(layout, &["resolve", "--format", "json"], 25_000.0);
        assert_linear_on(layout, &["resolve"], 6_000.0);
    }
}

/// Every other output (check's other formats, `plan` with and without a port, the port
/// table and picture) grows with the gateways, never with their pairs, on both adversarial
/// layouts: each layout is written once per size and every command run on it.
#[test]
fn every_format_is_linear_on_adversarial_layouts() {
    let shared: Layout = |dir, n| shared_include_layout(dir, n).to_str().unwrap().to_string();
    // (arguments, bytes per gateway at most at 240 gateways on either layout)
    let commands: &[(&[&str], f64)] = &[
        (&["check", "--exit-zero", "--format", "concise"], 200.0),
        (&["check", "--exit-zero", "--format", "sarif"], 8_000.0),
        (&["check", "--exit-zero", "--format", "github"], 800.0),
        (&["check", "--exit-zero", "--format", "junit"], 800.0),
        (&["check", "--exit-zero", "--format", "markdown"], 200.0),
        (&["check", "--exit-zero", "--statistics"], 100.0),
        (&["plan", "--add", "planned"], 200.0),
        (&["plan", "--add", "planned", "--format", "json"], 200.0),
        (&["plan", "--add", "planned", "--port", "18789"], 1_500.0),
        (
            &[
                "plan", "--add", "planned", "--port", "18789", "--format", "json",
            ],
            1_500.0,
        ),
    ];
    for (name, layout) in [
        ("one-port", one_port_layout as Layout),
        ("shared-include", shared),
    ] {
        let mut per_gateway: Vec<[f64; 2]> = vec![[0.0; 2]; commands.len()];
        for (size, n) in [60, 240].into_iter().enumerate() {
            let dir = TempDir::new(&format!("formats-{name}-{n}"));
            let home = layout(&dir, n);
            for ((args, _), bytes) in commands.iter().zip(per_gateway.iter_mut()) {
                let mut all = args.to_vec();
                all.extend(["--home", home.as_str(), "--no-config"]);
                bytes[size] = run(&all).len() as f64 / n as f64;
            }
        }
        for ((args, limit), [small, large]) in commands.iter().zip(per_gateway) {
            let args = args.join(" ");
            assert!(
                large <= small * 1.25,
                "{name}: `clawlint {args}` grows faster than the gateways: {small:.0} bytes per gateway at 60, {large:.0} at 240"
            );
            assert!(
                large <= *limit,
                "{name}: `clawlint {args}`: {large:.0} bytes per gateway"
            );
        }
    }
}

#[test]
fn ports_table_shortens_long_party_lists() {
    let dir = TempDir::new("one-port-lines");
    let home = one_port_layout(&dir, 240);
    let out = run(&["ports", "--home", &home, "--no-config"]);
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 600, "a line of {longest} bytes");
    assert!(
        out.contains("port 18789 is used by more than one gateway: g00000's gateway port, g00001's gateway port, g00002's gateway port, g00003's gateway port and 236 more"),
        "{}",
        &out[out.len().saturating_sub(3000)..]
    );
    // JSON has every party.
    let json = run(&["ports", "--home", &home, "--no-config", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &v["collisions"][0];
    assert_eq!(first["port"], 18789);
    assert_eq!(first["parties"].as_array().unwrap().len(), 240);
}

/// `check`'s human output names the first few of a long party list and counts the rest, in
/// the message and in the files it draws; JSON keeps every gateway.
#[test]
fn check_shortens_long_party_lists() {
    let dir = TempDir::new("one-port-check-lines");
    let home = one_port_layout(&dir, 240);
    let check = |format: &str| {
        let args = [
            "check",
            "--exit-zero",
            "--home",
            &home,
            "--no-config",
            "--format",
            format,
        ];
        run(&args)
    };
    let out = check("human");
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 600, "a line of {longest} bytes");
    assert!(
        out.contains(
            "gateways \"g00000\", \"g00001\", \"g00002\", \"g00003\" and 236 more all use gateway port 18789"
        ),
        "{out}"
    );
    // Eight files drawn per finding (the primary and seven others), the rest counted.
    assert!(
        out.contains(
            "... and 232 more places in 232 more files (`--format json` lists every party)"
        ),
        "{out}"
    );
    let drawn = out.matches(".openclaw-g").count();
    assert!(drawn < 100, "{drawn} gateway files named in {out}");
    // A JUnit case is named by its place and the first few gateways.
    let junit = check("junit");
    assert!(
        junit.contains("(gateways g00000, g00001, g00002, g00003 and 236 more)\""),
        "{junit}"
    );
    let json = check("json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &v["findings"][0];
    assert_eq!(first["code"], "CL101");
    assert_eq!(first["instances"].as_array().unwrap().len(), 240);
    assert_eq!(first["parties"].as_array().unwrap().len(), 240);
}

/// One compose project started by many command lines, each with its own env file: CL410
/// names the first few and counts the rest, and lists every one as a party.
#[test]
fn compose_runs_past_the_first_few_are_counted() {
    let dir = TempDir::new("compose-runs");
    let stack = dir.path().join("home/stacks/acme");
    std::fs::create_dir_all(stack.join("config")).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/containers-compose-runs-disagree/home/stacks/acme");
    for file in ["docker-compose.yml", "config/openclaw.json"] {
        std::fs::copy(fixture.join(file), stack.join(file)).unwrap();
    }
    let mut makefile = String::new();
    for i in 0..40 {
        std::fs::write(
            stack.join(format!("e{i}.env")),
            format!(
                "OPENCLAW_CONFIG_DIR=./config\nOPENCLAW_WORKSPACE_DIR=./workspace\nOPENCLAW_GATEWAY_PORT=127.0.0.1:{}\n",
                20000 + i
            ),
        )
        .unwrap();
        makefile.push_str(&format!(
            "up{i}:\n\tdocker compose -f docker-compose.yml --env-file e{i}.env up -d\n\n"
        ));
    }
    std::fs::write(stack.join("Makefile"), makefile).unwrap();
    let home = dir.path().join("home");
    let args = [
        "check",
        "--exit-zero",
        "--home",
        home.to_str().unwrap(),
        "--no-config",
    ];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run(&json_args)).unwrap();
    let cl410: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CL410")
        .collect();
    assert_eq!(cl410.len(), 1, "{v}");
    let message = cl410[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "Makefile:11 and 36 more start container \"acme-openclaw-gateway-1\" with different values: published ports"
        ),
        "{message}"
    );
    assert_eq!(cl410[0]["parties"].as_array().unwrap().len(), 40);
}

type Span = (u64, u64);

fn span(v: &serde_json::Value) -> Span {
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

/// The port map's counts agree with the definitions computed pair by pair (which the map
/// itself never does) on crowded random layouts.
#[test]
fn ports_counts_agree_with_pairwise_definitions() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..6 {
        let dir = TempDir::new(&format!("pairs-{round}"));
        let home = dir.path().join("home");
        for g in 0..14 {
            let d = home.join(format!(".openclaw-p{g:02}"));
            std::fs::create_dir_all(&d).unwrap();
            let base = 18700 + rng.below(260);
            let browser = match rng.below(3) {
                0 => String::new(),
                1 => format!(
                    ", browser: {{ profiles: {{ w: {{ cdpPort: {} }} }} }}",
                    18700 + rng.below(400)
                ),
                _ => ", browser: { enabled: false }".to_string(),
            };
            std::fs::write(
                d.join("openclaw.json"),
                format!("{{ gateway: {{ port: {base} }}{browser} }}\n"),
            )
            .unwrap();
        }
        let home = home.to_str().unwrap();
        let json = run(&["ports", "--home", home, "--no-config", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let gateways = v["gateways"].as_array().unwrap();
        // Each gateway's reserved ranges, and its listeners' ports.
        let ranges: Vec<Vec<Span>> = gateways
            .iter()
            .map(|g| {
                let fp = span(&g["footprint"]);
                let mut out = vec![fp];
                if let Some(cdp) = g["cdpRange"].as_array().map(|_| span(&g["cdpRange"])) {
                    if !(fp.0 <= cdp.0 && cdp.1 <= fp.1) {
                        out.push(cdp);
                    }
                }
                out
            })
            .collect();
        let ports: Vec<Vec<u64>> = gateways
            .iter()
            .map(|g| {
                g["listeners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["port"].as_u64().unwrap())
                    .collect()
            })
            .collect();
        let holds = |g: usize, p: u64| ranges[g].iter().any(|(s, e)| *s <= p && p <= *e);
        let binds = |g: usize, p: u64| ports[g].contains(&p);
        let n = gateways.len();
        let mut shared: Vec<u64> = Vec::new();
        let mut inside = 0;
        for g in 0..n {
            for (i, &p) in ports[g].iter().enumerate() {
                let mut expected = 0;
                for o in (0..n).filter(|o| *o != g) {
                    if binds(o, p) {
                        shared.push(p);
                        expected += ports[o].iter().filter(|q| **q == p).count();
                    } else if holds(o, p) {
                        inside += 1;
                        expected += 1;
                    }
                }
                let l = &gateways[g]["listeners"][i];
                let noted = l["conflicts"].as_array().unwrap().len()
                    + l["moreConflicts"].as_u64().unwrap() as usize;
                assert_eq!(noted, expected, "round {round}: {l}");
            }
            // The overlapped parts: the ports of its ranges another gateway reserves.
            let mut expected: Vec<u64> = Vec::new();
            for &(s, e) in &ranges[g] {
                expected.extend((s..=e).filter(|p| (0..n).any(|o| o != g && holds(o, *p))));
            }
            expected.sort_unstable();
            expected.dedup();
            let got: Vec<u64> = gateways[g]["overlapped"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| {
                    let (a, b) = span(s);
                    a..=b
                })
                .collect();
            assert_eq!(got, expected, "round {round}: overlapped of gateway {g}");
        }
        shared.sort_unstable();
        shared.dedup();
        let mut overlaps = 0;
        for a in 0..n {
            for b in a + 1..n {
                for x in &ranges[a] {
                    for y in &ranges[b] {
                        overlaps += usize::from(x.0 <= y.1 && y.0 <= x.1);
                    }
                }
            }
        }
        let pairs: u64 = v["overlaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["pairs"].as_u64().unwrap())
            .sum();
        assert!(
            overlaps > 0 && inside > 0,
            "round {round}: a crowded layout"
        );
        assert_eq!(pairs as usize, overlaps, "round {round}");
        assert_eq!(v["collisions"].as_array().unwrap().len(), shared.len());
        let table = run(&["ports", "--home", home, "--no-config"]);
        let inside_text = match inside {
            1 => "1 listener inside another gateway's range".to_string(),
            n => format!("{n} listeners inside other gateways' ranges"),
        };
        let summary = format!(
            "{} shared port{}, {inside_text}, {overlaps} range overlap{}",
            shared.len(),
            if shared.len() == 1 { "" } else { "s" },
            if overlaps == 1 { "" } else { "s" }
        );
        assert!(
            table.contains(&summary),
            "round {round}: {summary}\n{table}"
        );
    }
}

/// `n` gateways that all `$include` one shared file (allowed by `OPENCLAW_INCLUDE_ROOTS` in
/// each gateway's `.env`), with a `.env` in the home as well.
fn shared_include_layout(dir: &TempDir, n: usize) -> std::path::PathBuf {
    let home = dir.path().join("home");
    let shared = home.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(
        shared.join("channels.json5"),
        "// every tenant's channels\n{ channels: { telegram: { botToken: \"${TG_TOKEN}\" } }, $include: \"./more.json5\" }\n",
    )
    .unwrap();
    std::fs::write(
        shared.join("more.json5"),
        "{ logging: { level: \"info\" } }\n",
    )
    .unwrap();
    std::fs::write(
        home.join(".env"),
        "TG_TOKEN=7000000001:AAFakeSharedTokenxyzzy\n",
    )
    .unwrap();
    for i in 0..n {
        let d = home.join(format!(".openclaw-t{i:03}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("openclaw.json"),
            format!(
                "{{ $include: \"{}/channels.json5\", gateway: {{ port: {} }} }}\n",
                shared.display(),
                20000 + i * 120
            ),
        )
        .unwrap();
        std::fs::write(
            d.join(".env"),
            format!("OPENCLAW_INCLUDE_ROOTS={}\nGW=t{i}\n", shared.display()),
        )
        .unwrap();
    }
    home
}

fn strace_works() -> bool {
    std::process::Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A `check --format json` run under strace: its report and the files it opened.
struct Traced {
    report: serde_json::Value,
    log: String,
}

impl Traced {
    /// `clawlint check --format json --no-config --home HOME ARGS` under strace, in `dir`;
    /// `None` (said on standard error) where strace does not run.
    fn check(dir: &TempDir, home: &Path, args: &[&std::ffi::OsStr]) -> Option<Traced> {
        if !strace_works() {
            eprintln!("strace is not available here: skipped");
            return None;
        }
        let log = dir.path().join("strace.log");
        let out = std::process::Command::new("strace")
            // `-y`: each descriptor with its file's path, so that an open relative to a
            // directory (`openat(3</home>, ".openclaw-t/.env")`) says what it opened.
            .args(["-f", "-qq", "-y", "-e", "trace=openat,open", "-o"])
            .arg(&log)
            .arg(env!("CARGO_BIN_EXE_clawlint"))
            .args(["check", "--format", "json", "--no-config", "--home"])
            .arg(home)
            .args(args)
            .env_clear()
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        Some(Traced {
            report: serde_json::from_str(&stdout).expect("a JSON report"),
            log: std::fs::read_to_string(&log).unwrap(),
        })
    }

    /// How many times the run opened `path` (and found it): the opens whose descriptor is
    /// that file's (strace names it by its real path, however the open spelt it). A directory
    /// is opened (`O_DIRECTORY`) to be listed: its count is how many times it was listed.
    fn opens(&self, path: &Path) -> usize {
        let real = std::fs::canonicalize(path).unwrap();
        let opened = format!("<{}>", real.display());
        self.log.lines().filter(|l| l.ends_with(&opened)).count()
    }

    /// The gateways of the report's first `code` finding.
    fn gateways_of(&self, code: &str) -> usize {
        self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("a {code} finding"))["instances"]
            .as_array()
            .unwrap()
            .len()
    }
}

/// Each file is opened once per run, however many gateways read it: the shared include and
/// what it includes, every gateway's `.env` (the state dir's is also the config dir's), and
/// the home's `.env` (the working directory's for every gateway). Under strace, when it runs.
#[test]
fn each_file_is_opened_once_per_run() {
    let dir = TempDir::new("shared-include");
    let home = shared_include_layout(&dir, 40);
    let Some(run) = Traced::check(&dir, &home, &[]) else {
        return;
    };
    // The include was expanded for every gateway: one bot (CL301) shared by all 40.
    assert_eq!(run.gateways_of("CL301"), 40);
    assert_eq!(
        run.opens(&home.join("shared/channels.json5")),
        1,
        "the include"
    );
    assert_eq!(
        run.opens(&home.join("shared/more.json5")),
        1,
        "the include's include"
    );
    assert_eq!(run.opens(&home.join(".env")), 1, "the home's .env");
    for i in [0, 17, 39] {
        let d = home.join(format!(".openclaw-t{i:03}"));
        assert_eq!(run.opens(&d.join(".env")), 1, "{}", d.display());
        assert_eq!(run.opens(&d.join("openclaw.json")), 1, "{}", d.display());
    }
}

/// The streamed writers (gateway by gateway, finding by finding) give the bytes the whole-text
/// renderers give, on every fixture home and on the one-port layout.
#[test]
fn streamed_output_is_byte_identical_to_whole_text() {
    use clawlint::report::{self, human, json, model, visible, Emitter, EmitterContext};
    let dir = TempDir::new("streamed");
    let mut homes: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path().join("home"))
        .filter(|h| h.is_dir())
        .collect();
    homes.sort();
    homes.push(one_port_layout(&dir, 30).into());
    for home in homes {
        let inputs = clawlint::discover::Inputs {
            homes: vec![home.clone()],
            ..Default::default()
        };
        let inventory = clawlint::resolve::inventory(
            clawlint::discover::discover(&inputs),
            &Default::default(),
        );
        let (instances, sources) = (&inventory.instances, &inventory.sources);

        // Written straight from the model, resolve's JSON is what serde_json prints for the
        // same value (keys sorted, the same layout), guarded: the bytes it had when it was built
        // as a tree of values.
        let mut streamed = Vec::new();
        model::write_json(&mut streamed, instances, sources).unwrap();
        let streamed = String::from_utf8(streamed).unwrap();
        let value: serde_json::Value = serde_json::from_str(&streamed).unwrap();
        let mut whole = serde_json::to_string_pretty(&value).unwrap();
        whole.push('\n');
        assert_eq!(
            streamed,
            visible::guard_json(&whole),
            "resolve json of {}",
            home.display()
        );
        let mut streamed = Vec::new();
        model::write_human(&mut streamed, instances, sources).unwrap();
        let whole = model::render_human(instances, sources);
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            visible::guard_lines(&whole),
            "resolve of {}",
            home.display()
        );

        let ctx = clawlint::rules::RuleContext::new(&inventory);
        let findings = clawlint::engine::run(&ctx, &Default::default());
        let context = EmitterContext::new(sources, instances.len());
        let flat: Vec<_> = findings
            .iter()
            .map(|r| report::flat::flatten(r, sources))
            .collect();
        let mut expected = serde_json::to_string_pretty(&serde_json::json!({
            "version": json::SCHEMA_VERSION,
            "findings": flat,
            "summary": json::summary(&findings, instances.len()),
        }))
        .unwrap();
        expected.push('\n');
        let mut streamed = Vec::new();
        json::JsonEmitter
            .emit(&mut streamed, &findings, &context)
            .unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(streamed, expected, "check json of {}", home.display());
        assert_eq!(json::render(&findings, sources, instances.len()), {
            let mut out = Vec::new();
            json::write(&mut out, &findings, sources, instances.len()).unwrap();
            String::from_utf8(out).unwrap()
        });
        let options = || human::HumanOptions {
            color: false,
            width: 100,
        };
        let mut streamed = Vec::new();
        human::HumanEmitter(options())
            .emit(&mut streamed, &findings, &context)
            .unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            human::render(&findings, sources, instances.len(), &options()),
            "check of {}",
            home.display()
        );
    }
}

/// A config of `findings` unknown keys (CL701 each) on long lines of multibyte text, with a
/// long comment line between, padded to about `kib` KiB.
fn many_findings_config(findings: usize, kib: usize) -> String {
    let mut text = String::from("{\n  gateway: { port: 18789 },\n");
    let pad = "pad ".repeat(kib * 1024 / findings.div_ceil(10) / 4);
    for row in 0..findings.div_ceil(10) {
        let keys: Vec<String> = (row * 10..(row * 10 + 10).min(findings))
            .map(|k| format!("unknownKey{k}: \"{}x\"", "é".repeat(40)))
            .collect();
        text.push_str(&format!("  {},\n  // {pad}\n", keys.join(", ")));
    }
    text.push_str("}\n");
    text
}

/// Every human header names the finding's real line and column (as JSON does), also on lines
/// far over 200 characters and after multibyte text; every shown line stays short however
/// long the file's lines are.
#[test]
fn human_headers_agree_with_json_positions_in_a_large_file() {
    let dir = TempDir::new("many-findings");
    let state = dir.path().join("home/.openclaw");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("openclaw.json"), many_findings_config(300, 256)).unwrap();
    let home = dir.path().join("home");
    let home = home.to_str().unwrap();
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "check",
        "--home",
        home,
        "--no-config",
        "--format",
        "json",
    ]))
    .unwrap();
    let mut expected: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CL701")
        .map(|f| {
            let at = &f["parties"][0];
            format!("openclaw.json:{}:{}]", at["line"], at["column"])
        })
        .collect();
    assert_eq!(expected.len(), 300);
    let human = run(&["check", "--home", home, "--no-config", "--format", "human"]);
    let mut headers: Vec<String> = human
        .lines()
        .filter(|l| l.contains("╭─[") && l.contains("openclaw.json:"))
        .map(|l| l[l.find("openclaw.json:").unwrap()..].to_string())
        .collect();
    expected.sort();
    headers.sort();
    headers.dedup();
    assert_eq!(headers, expected);
    let longest = human.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 400, "a shown line of {longest} characters");
}

/// A template unit, the drop-in every `openclaw-*.service` takes and the environment file
/// every instance names are each opened once per run, however many instances are enabled.
/// Under strace, when it runs.
#[test]
fn each_unit_file_is_opened_once_per_run() {
    let dir = TempDir::new("template-units");
    let root = dir.path().join("root");
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "usr/lib/systemd/system/openclaw-gateway@.service",
        "[Service]\nEnvironmentFile=/etc/openclaw/shared.env\nExecStart=/usr/bin/openclaw --profile %i gateway --port 19100 --allow-unconfigured\n",
    );
    write(
        "etc/systemd/system/openclaw-.service.d/20-restart.conf",
        "[Service]\nRestart=always\nRestartPreventExitStatus=78\n",
    );
    write("etc/openclaw/shared.env", "OPENCLAW_LOG_LEVEL=info\n");
    let wants = root.join("etc/systemd/system/multi-user.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    for name in ["a", "b", "c", "d"] {
        std::os::unix::fs::symlink(
            "/usr/lib/systemd/system/openclaw-gateway@.service",
            wants.join(format!("openclaw-gateway@{name}.service")),
        )
        .unwrap();
    }
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let Some(run) = Traced::check(&dir, &home, &["--root".as_ref(), root.as_os_str()]) else {
        return;
    };
    // Four gateways on one port: one collision (CL101) of all four.
    assert_eq!(run.gateways_of("CL101"), 4);
    let opens = |path: &str| run.opens(&root.join(path));
    assert_eq!(
        opens("usr/lib/systemd/system/openclaw-gateway@.service"),
        1,
        "the template"
    );
    assert_eq!(
        opens("etc/systemd/system/openclaw-.service.d/20-restart.conf"),
        1,
        "the drop-in"
    );
    assert_eq!(opens("etc/openclaw/shared.env"), 1, "the environment file");
}

/// A compose template that every tenant's stack `extends` is opened once per run, however
/// many stacks extend it. Under strace, when it runs.
#[test]
fn a_template_many_stacks_extend_is_opened_once() {
    let dir = TempDir::new("extends-template");
    let home = dir.path().join("home");
    let template = home.join("stacks/common/openclaw.yml");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    std::fs::write(
        &template,
        "services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-000000000000000000000001\n",
    )
    .unwrap();
    for i in 0..30 {
        let stack = home.join(format!("stacks/t{i:02}"));
        std::fs::create_dir_all(&stack).unwrap();
        std::fs::write(
            stack.join("compose.yml"),
            format!("services:\n  gw:\n    extends: {{ file: ../common/openclaw.yml, service: gateway }}\n    ports: [\"{}:18789\"]\n    volumes: [\"./state:/home/node/.openclaw\"]\n", 20000 + i),
        )
        .unwrap();
    }
    let Some(run) = Traced::check(&dir, &home, &[]) else {
        return;
    };
    // Every stack took the template's token: one token shared by all 30 (CL305).
    assert_eq!(run.gateways_of("CL305"), 30);
    assert_eq!(run.opens(&template), 1, "the template");
}

/// A stack-manager layout under `--root`: an Unraid compose.manager project whose `indirect`,
/// `name` and `envpath` files say how it runs, a TrueNAS app with a version kept for a rollback,
/// and a Portainer stack. What each manager keeps is read once per run, however many steps
/// of discovery use it: each manager's directory listed once (strace shows a directory's
/// listing as an open of it), each pointer file and each compose file opened once. Under
/// strace, when it runs.
#[test]
fn a_stack_managers_layout_is_read_once_per_run() {
    let dir = TempDir::new("stack-managers-once");
    let home = dir.path().join("home");
    let root = dir.path().join("root");
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let gateway = |port: u16| {
        format!("services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-000000000000000000000001\n    ports: [\"{port}:18789\"]\n")
    };
    let projects = "boot/config/plugins/compose.manager/projects";
    write(
        &format!("{projects}/openclaw/indirect"),
        "/mnt/user/appdata/openclaw\n",
    );
    write(&format!("{projects}/openclaw/name"), "OpenClaw Rescue\n");
    write(
        &format!("{projects}/openclaw/envpath"),
        "/mnt/user/appdata/openclaw/openclaw.env\n",
    );
    write(
        "mnt/user/appdata/openclaw/docker-compose.yml",
        &gateway(18790),
    );
    write("mnt/user/appdata/openclaw/openclaw.env", "RESCUE=1\n");
    let apps = "mnt/.ix-apps/app_configs";
    let truenas = format!("{apps}/openclaw/versions/1.0.1/templates/rendered/docker-compose.yaml");
    write(&truenas, &gateway(18791));
    write(
        &format!("{apps}/openclaw/versions/1.0.2/templates/rendered/docker-compose.yaml"),
        &gateway(18792),
    );
    write(
        &format!("{apps}/openclaw/metadata.yaml"),
        "\"version\": \"1.0.1\"\n",
    );
    let stacks = "var/lib/docker/volumes/portainer_data/_data/compose";
    write(&format!("{stacks}/7/docker-compose.yml"), &gateway(18793));
    std::fs::create_dir_all(home.join(".openclaw")).unwrap();
    let Some(run) = Traced::check(&dir, &home, &["--root".as_ref(), root.as_os_str()]) else {
        return;
    };
    // All three were read as gateways: one token shared by the three (CL305).
    assert_eq!(run.gateways_of("CL305"), 3);
    let opens = |path: &str| run.opens(&root.join(path));
    for dir in [projects, apps, stacks] {
        assert_eq!(opens(dir), 1, "the manager's directory {dir}");
    }
    for pointer in ["indirect", "name", "envpath"] {
        assert_eq!(
            opens(&format!("{projects}/openclaw/{pointer}")),
            1,
            "{pointer}"
        );
    }
    for compose in [
        "mnt/user/appdata/openclaw/docker-compose.yml",
        &truenas,
        &format!("{stacks}/7/docker-compose.yml"),
    ] {
        assert_eq!(opens(compose), 1, "{compose}");
    }
}

/// Each env file compose reads is opened once per run, however many readers take it: a
/// Portainer stack's `stack.env` (its `--env-file`: read to pick the run's files, looked at for
/// the run and read to interpolate), compose.manager's `envpath` file, the `.env` of a project
/// a script starts (read for COMPOSE_FILE, then to interpolate) and an `env_file:` two of its
/// services name.
#[test]
fn each_env_file_is_opened_once_per_run() {
    let dir = TempDir::new("env-files-once");
    let home = dir.path().join("home");
    let root = dir.path().join("root");
    let write = |path: &Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let service = |name: &str, port: &str, more: &str| {
        format!("  {name}:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-000000000000000000000002\n    ports: [\"{port}:18789\"]\n{more}")
    };
    let projects = "boot/config/plugins/compose.manager/projects";
    write(
        &root.join(format!("{projects}/openclaw/indirect")),
        "/mnt/user/appdata/openclaw\n",
    );
    write(
        &root.join(format!("{projects}/openclaw/envpath")),
        "/mnt/user/appdata/openclaw/openclaw.env\n",
    );
    let unraid = "mnt/user/appdata/openclaw";
    write(
        &root.join(format!("{unraid}/docker-compose.yml")),
        &format!("services:\n{}", service("gateway", "${UNRAID_PORT}", "")),
    );
    write(
        &root.join(format!("{unraid}/openclaw.env")),
        "UNRAID_PORT=18790\n",
    );
    let stack = "var/lib/docker/volumes/portainer_data/_data/compose/7";
    write(
        &root.join(format!("{stack}/docker-compose.yml")),
        &format!("services:\n{}", service("gateway", "${STACK_PORT}", "")),
    );
    write(
        &root.join(format!("{stack}/stack.env")),
        "STACK_PORT=18791\n",
    );
    let plain = home.join("stacks/plain");
    let env_file = "    env_file: gateway.env\n";
    write(
        &plain.join("compose.yaml"),
        &format!(
            "services:\n{}{}",
            service("one", "${ONE_PORT}", env_file),
            service("two", "18793", env_file)
        ),
    );
    write(&plain.join(".env"), "ONE_PORT=18792\n");
    write(&plain.join("start.sh"), "#!/bin/sh\ndocker compose up -d\n");
    write(&plain.join("gateway.env"), "TZ=UTC\n");
    std::fs::create_dir_all(home.join(".openclaw")).unwrap();
    let Some(run) = Traced::check(&dir, &home, &["--root".as_ref(), root.as_os_str()]) else {
        return;
    };
    // All four were read as gateways: one token shared by the four (CL305).
    assert_eq!(run.gateways_of("CL305"), 4);
    let opens: Vec<(String, usize)> = [
        root.join(format!("{unraid}/openclaw.env")),
        root.join(format!("{stack}/stack.env")),
        plain.join(".env"),
        plain.join("gateway.env"),
    ]
    .iter()
    .map(|env| (env.display().to_string(), run.opens(env)))
    .collect();
    assert!(opens.iter().all(|(_, n)| *n == 1), "{opens:#?}");
}

/// The peak resident set (KiB) of `clawlint check --format concise` on `home`, from the kernel
/// (`wait4`), as GNU time reads it.
// The child is reaped by wait4 itself (std's wait would not return its rusage).
#[allow(clippy::zombie_processes)]
fn check_peak_rss_kib(home: &Path) -> i64 {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(["check", "--no-config", "--format", "concise", "--home"])
        .arg(home)
        .env_clear()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("clawlint runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes a complete one for the
    // child just spawned (and not waited for anywhere else).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1);
    usage.ru_maxrss
}

/// One config with `n` unknown keys in one object (each a CL701).
fn unknown_keys_home(dir: &TempDir, n: usize) -> std::path::PathBuf {
    let home = dir.path().join(format!("home-{n}"));
    std::fs::create_dir_all(home.join(".openclaw")).unwrap();
    let keys: Vec<String> = (0..n).map(|i| format!("\"q{i:06}\": 1")).collect();
    std::fs::write(
        home.join(".openclaw/openclaw.json"),
        format!(
            "{{ gateway: {{ mode: \"local\", port: 18789 }}, agents: {{ defaults: {{ {} }} }} }}\n",
            keys.join(", ")
        ),
    )
    .unwrap();
    home
}

/// What one problem of a config costs in memory, measured as the growth of the peak resident
/// set from 10,000 to 40,000 unknown keys: each issue kept the object's ~60 known keys for its
/// did-you-mean (8.7 KB an issue; 100,000 unknown keys in a 1.4 MB config took 690 MB). Now the
/// suggestion is found when the issue is made (1.8 KB an issue, its finding included).
#[test]
fn a_config_problem_costs_a_bounded_amount_of_memory() {
    let dir = TempDir::new("unknown-keys-memory");
    let small = check_peak_rss_kib(&unknown_keys_home(&dir, 10_000));
    let large = check_peak_rss_kib(&unknown_keys_home(&dir, 40_000));
    let per_issue = (large - small) as f64 * 1024.0 / 30_000.0;
    assert!(
        per_issue < 4096.0,
        "{per_issue:.0} bytes of peak RSS per unknown key ({small} KiB at 10,000, {large} KiB at 40,000)"
    );
}
