//! Hostile layouts (issue 11): a pull request's author controls every file clawlint reads.
//! Each test builds its input at test time (sparse files with `set_len`, FIFOs with `mkfifo`,
//! amplifying configs) and asserts on what clawlint prints: a located diagnostic, the other
//! gateways still linted, never a hang or an unbounded allocation.
//!
//! Every run is made with its address space limited (see [`run`]), so an input that makes
//! clawlint allocate gigabytes fails the test instead of swapping the machine, and with a hang
//! guard that kills a run that never ends (the test then fails saying so). Neither is a timing
//! assertion: a correct run is far inside both.

mod common;

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

use common::{enable_user_unit, TempDir};
use fuzz_bodies::Amplifier;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Address space a run may use: far more than any correct run needs, far less than the
/// gigabytes an unbounded expansion takes.
const ADDRESS_SPACE: u64 = 3 * 1024 * 1024 * 1024;
/// A run that has used this many seconds of CPU is hung (a correct one takes a few seconds
/// at most, in a debug build; the largest here about 40). CPU, not wall time, so that a
/// machine busy with other builds does not make a correct run look hung (one of 36 s of CPU
/// took 223 s at load 12); a run blocked without using CPU is hung after
/// [`WALL_GUARD_FACTOR`] times as long on the clock. `CLAWLINT_HANG_GUARD_SECS` shortens it,
/// to show quickly that an old build hangs.
fn hang_guard_secs() -> u64 {
    std::env::var("CLAWLINT_HANG_GUARD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240)
}

/// How many times the hang guard a run may last on the clock.
const WALL_GUARD_FACTOR: u64 = 4;

/// The CPU time (user and system, all threads) process `pid` has used, from /proc.
fn cpu_seconds(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state, ppid, ... utime (14th), stime (15th).
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok()?;
    Some(ticks / per_second.max(1))
}

/// A scratch directory, removed when dropped.
struct Scratch(TempDir);

impl Scratch {
    fn new(label: &str) -> Scratch {
        Scratch(TempDir::new(&format!("hostile-{label}")))
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn home(&self) -> String {
        self.0.join("home").to_str().expect("UTF-8").to_string()
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        self.enable(rel);
        path
    }

    /// A user unit written here is enabled, as `systemctl --user enable` leaves it (a
    /// disabled unit is no gateway): the `default.target.wants/` link.
    fn enable(&self, rel: &str) {
        let Some((dir, name)) = rel.rsplit_once('/') else {
            return;
        };
        let Some(home) = dir.strip_suffix(".config/systemd/user") else {
            return;
        };
        if name.ends_with(".service") {
            enable_user_unit(&self.path(home), name);
        }
    }

    fn fifo(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
        assert!(status.success(), "mkfifo {}", path.display());
        self.enable(rel);
        path
    }

    /// A sparse file of `len` bytes (a few KB on disk) that starts with `head`.
    fn sparse(&self, rel: &str, head: &str, len: u64) -> PathBuf {
        let path = self.write(rel, head);
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(len).unwrap();
        path
    }
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `clawlint ARGS` from the repository root with a clean environment, a bounded address space
/// and a hang guard; stdin is a pipe that stays open and empty (a read of it never ends).
fn run(args: &[&str]) -> Output {
    run_guarded(args, hang_guard_secs())
}

/// [`run`] with a hang guard of `guard` seconds.
fn run_guarded(args: &[&str], guard: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_clawlint"));
    command
        .args(args)
        .current_dir(common::root())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE as libc::rlim_t,
                rlim_max: ADDRESS_SPACE as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("clawlint starts");
    let stdin = child.stdin.take();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        stdout.read_to_end(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        stderr.read_to_end(&mut s).unwrap();
        s
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let cpu = cpu_seconds(child.id()).unwrap_or(0);
        let wall = started.elapsed().as_secs();
        if cpu > guard || wall > guard * WALL_GUARD_FACTOR {
            let _ = child.kill();
            let _ = child.wait();
            panic!("clawlint {args:?} hung (killed after {cpu} s of CPU, {wall} s)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    let stdout = String::from_utf8(out_reader.join().unwrap()).expect("UTF-8 stdout");
    let stderr = String::from_utf8(err_reader.join().unwrap()).expect("UTF-8 stderr");
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// `check --home HOME --no-config --format json` and its findings.
fn check_json(home: &str) -> (i32, Vec<serde_json::Value>, String) {
    check_json_with(&["--home", home])
}

/// `check ARGS --no-config --format json` and its findings.
fn check_json_with(args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--no-config", "--format", "json"]);
    let out = run(&all);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}{}",
        out.code,
        out.stdout,
        out.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON output: {e}\n{}", out.stdout));
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    (out.code, findings, out.stdout)
}

fn with_code<'a>(findings: &'a [serde_json::Value], code: &str) -> Vec<&'a serde_json::Value> {
    findings.iter().filter(|f| f["code"] == code).collect()
}

/// Whether one of the findings' messages contains `text`.
fn says(findings: &[&serde_json::Value], text: &str) -> bool {
    findings
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains(text))
}

fn file_of(finding: &serde_json::Value) -> String {
    finding["parties"][0]["file"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A second, ordinary gateway that must still be linted: it shares a port with `main`.
fn add_ordinary_gateways(s: &Scratch) {
    s.write(
        "home/.openclaw-main/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
    s.write(
        "home/.openclaw-copy/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
}

/// Where each finding is (its file after `marker`, its first party's line), sorted.
fn places_after(findings: &[&serde_json::Value], marker: &str) -> Vec<(String, u64)> {
    let mut at: Vec<(String, u64)> = findings
        .iter()
        .map(|f| {
            let file = file_of(f);
            let tail = file.rsplit(marker).next().unwrap().to_string();
            (tail, f["parties"][0]["line"].as_u64().unwrap())
        })
        .collect();
    at.sort();
    at
}

fn assert_others_linted(findings: &[serde_json::Value]) {
    assert!(
        !with_code(findings, "CL101").is_empty(),
        "the other gateways' port collision is still found: {findings:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Never hang: FIFOs, devices and stdin are never opened
// ---------------------------------------------------------------------------------------------

#[test]
fn fifo_config_is_a_located_cl902_and_others_are_linted() {
    let s = Scratch::new("fifo-config");
    add_ordinary_gateways(&s);
    s.fifo("home/.openclaw/openclaw.json");
    let (code, findings, out) = check_json(&s.home());
    assert_eq!(code, 1);
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{out}");
    assert!(out.contains("FIFO"), "{out}");
    assert!(
        file_of(cl902[0]).ends_with(".openclaw/openclaw.json"),
        "{out}"
    );
    assert_others_linted(&findings);
}

#[test]
fn fifo_dotenv_and_include_are_located_and_never_opened() {
    let s = Scratch::new("fifo-env-include");
    add_ordinary_gateways(&s);
    s.write(
        "home/.openclaw/openclaw.json",
        "{ $include: \"./part.json5\" }\n",
    );
    s.fifo("home/.openclaw/part.json5");
    s.fifo("home/.openclaw/.env");
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert!(
        cl902.iter().any(|f| file_of(f).ends_with(".openclaw/.env")),
        "{out}"
    );
    let cl501 = with_code(&findings, "CL501");
    assert!(
        cl501.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("is a FIFO (named pipe)")),
        "{out}"
    );
    assert_others_linted(&findings);
}

#[test]
fn unit_environment_file_fifo_and_stdin_are_refused() {
    let s = Scratch::new("fifo-unit");
    add_ordinary_gateways(&s);
    let home = s.home();
    s.fifo("home/.openclaw-ops/gateway.env");
    s.write(
        "home/.config/systemd/user/openclaw-gateway-ops.service",
        &format!(
            "[Service]\nEnvironment=OPENCLAW_PROFILE=ops\nEnvironmentFile={home}/.openclaw-ops/gateway.env\n\
             EnvironmentFile=/dev/stdin\nExecStart=/usr/bin/openclaw --profile ops gateway\n"
        ),
    );
    let (_, findings, out) = check_json(&home);
    let cl902 = with_code(&findings, "CL902");
    assert!(says(&cl902, "FIFO"), "{out}");
    assert_others_linted(&findings);
}

#[test]
fn fifo_and_directory_unit_files_are_reported_not_skipped() {
    let s = Scratch::new("fifo-unit-file");
    add_ordinary_gateways(&s);
    s.fifo("home/.config/systemd/user/openclaw-gateway-x.service");
    std::fs::create_dir_all(s.path("home/.config/systemd/user/openclaw-gateway-y.service"))
        .unwrap();
    s.enable("home/.config/systemd/user/openclaw-gateway-y.service");
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert!(
        cl902
            .iter()
            .any(|f| file_of(f).ends_with("openclaw-gateway-x.service")),
        "{out}"
    );
    assert!(
        cl902
            .iter()
            .any(|f| file_of(f).ends_with("openclaw-gateway-y.service")),
        "{out}"
    );
    assert_others_linted(&findings);
}

#[test]
fn config_option_naming_a_fifo_or_dev_zero_is_an_error_not_a_hang() {
    let s = Scratch::new("fifo-clawlint-toml");
    add_ordinary_gateways(&s);
    let fifo = s.fifo("clawlint.toml");
    for config in [fifo.to_str().unwrap(), "/dev/zero"] {
        let out = run(&["check", "--home", &s.home(), "--config", config]);
        assert_eq!(out.code, 2, "{config}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("not a regular file"),
            "{config}: {}",
            out.stderr
        );
    }
}

/// A UNIX socket bound at `rel` (the listener keeps it alive), non-blocking so that a test
/// can ask whether anything connected.
fn bind(s: &Scratch, rel: &str) -> std::os::unix::net::UnixListener {
    let path = s.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&path)
        .unwrap_or_else(|e| panic!("bind {}: {e}", path.display()));
    listener.set_nonblocking(true).unwrap();
    s.enable(rel);
    listener
}

/// Sockets as a config, an `$include` target, a `.env`, a unit file and a unit's
/// `EnvironmentFile=`: each is a located diagnostic saying it is a socket, none is connected
/// to, and the other gateways are still linted.
#[test]
fn sockets_are_located_and_never_connected_to() {
    let s = Scratch::new("sock");
    add_ordinary_gateways(&s);
    let home = s.home();
    let mut listeners = vec![bind(&s, "home/.openclaw/openclaw.json")];
    s.write(
        "home/.openclaw-inc/openclaw.json",
        "{ $include: \"./part.json5\" }\n",
    );
    listeners.push(bind(&s, "home/.openclaw-inc/part.json5"));
    listeners.push(bind(&s, "home/.openclaw-inc/.env"));
    listeners.push(bind(
        &s,
        "home/.config/systemd/user/openclaw-gateway-s.service",
    ));
    listeners.push(bind(&s, "home/.openclaw-ops/gw.env"));
    s.write(
        "home/.config/systemd/user/openclaw-gateway-ops.service",
        &format!(
            "[Service]\nEnvironment=OPENCLAW_PROFILE=ops\nEnvironmentFile={home}/.openclaw-ops/gw.env\n\
             ExecStart=/usr/bin/openclaw --profile ops gateway --port 19800\n"
        ),
    );
    let (_, findings, out) = check_json(&home);
    let socket = |f: &&serde_json::Value| f["message"].as_str().unwrap().contains("is a socket");
    let cl902: Vec<_> = with_code(&findings, "CL902")
        .into_iter()
        .filter(socket)
        .collect();
    for name in [
        ".openclaw/openclaw.json",
        ".openclaw-inc/.env",
        "openclaw-gateway-s.service",
    ] {
        assert!(
            cl902.iter().any(|f| file_of(f).ends_with(name)),
            "{name}: {out}"
        );
    }
    // EnvironmentFile= is shown where the unit names it.
    assert!(
        cl902
            .iter()
            .any(|f| file_of(f).ends_with("openclaw-gateway-ops.service")
                && f["message"].as_str().unwrap().contains("gw.env")),
        "{out}"
    );
    let cl501 = with_code(&findings, "CL501");
    assert!(
        cl501.iter().any(socket)
            && cl501
                .iter()
                .any(|f| file_of(f).ends_with(".openclaw-inc/openclaw.json")),
        "{out}"
    );
    for listener in &listeners {
        assert_eq!(
            listener.accept().map(|_| ()).map_err(|e| e.kind()),
            Err(std::io::ErrorKind::WouldBlock),
            "clawlint connected to a socket of the layout"
        );
    }
    assert_others_linted(&findings);
}

/// A device reached through a symlink in the layout (`/dev/zero` as a config and a `.env`,
/// and named by `EnvironmentFile=`) is outside the layout, so it is not opened; allowed with
/// `--allow-outside`, it is still not opened: a character device is never read. As an
/// `$include` target it leaves the config's directory, which OpenClaw refuses (CL501) before
/// anything is opened.
#[test]
fn devices_behind_symlinks_are_never_read_even_when_allowed() {
    let s = Scratch::new("devices");
    add_ordinary_gateways(&s);
    let home = s.home();
    let link = |rel: &str| {
        let path = s.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    };
    link("home/.openclaw/openclaw.json");
    s.write(
        "home/.openclaw-inc/openclaw.json",
        "{ $include: \"./part.json5\" }\n",
    );
    link("home/.openclaw-inc/part.json5");
    link("home/.openclaw-inc/.env");
    s.write(
        "home/.config/systemd/user/openclaw-gateway-ops.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=ops\nEnvironmentFile=/dev/zero\n\
         ExecStart=/usr/bin/openclaw --profile ops gateway --port 19800\n",
    );
    let expect = |findings: &[serde_json::Value], out: &str, said: &str| {
        let said_on_as = |code: &str, name: &str, said: &str| {
            with_code(findings, code).iter().any(|f| {
                file_of(f).ends_with(name) && f["message"].as_str().unwrap().contains(said)
            })
        };
        let said_on = |code: &str, name: &str| said_on_as(code, name, said);
        assert!(said_on("CL902", ".openclaw/openclaw.json"), "{said}: {out}");
        assert!(said_on("CL902", ".openclaw-inc/.env"), "{said}: {out}");
        assert!(
            said_on("CL902", "openclaw-gateway-ops.service"),
            "{said}: {out}"
        );
        // OpenClaw does not follow an include out of the config's directory: never opened.
        assert!(
            said_on_as(
                "CL501",
                ".openclaw-inc/openclaw.json",
                "include path resolves outside config directory (symlink)"
            ),
            "{said}: {out}"
        );
        assert_others_linted(findings);
    };
    let (_, findings, out) = check_json(&home);
    expect(&findings, &out, "outside the scanned");
    for allowed in ["/dev/zero", "/dev"] {
        let out = run(&[
            "check",
            "--home",
            &home,
            "--no-config",
            "--format",
            "json",
            "--allow-outside",
            allowed,
        ]);
        assert!(
            out.code == 0 || out.code == 1,
            "{}{}",
            out.stdout,
            out.stderr
        );
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let findings = json["findings"].as_array().cloned().unwrap_or_default();
        expect(&findings, &out.stdout, "a character device");
        assert!(
            !out.stdout.contains("outside the scanned"),
            "{allowed}: {}",
            out.stdout
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Bounded: size checked before reading; expansion within budgets
// ---------------------------------------------------------------------------------------------

#[test]
fn sparse_8_gib_unit_is_refused_before_reading() {
    let s = Scratch::new("sparse-unit");
    add_ordinary_gateways(&s);
    s.sparse(
        "home/.config/systemd/user/openclaw-gateway-big.service",
        "[Service]\nExecStart=/usr/bin/openclaw gateway\n",
        8 << 30,
    );
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{out}");
    assert!(out.contains("larger than"), "{out}");
    let help = cl902[0]["help"].as_str().unwrap_or_default();
    assert!(
        !help.contains("readable") && !help.contains("permission"),
        "a too-large file's help is not about permissions: {help}"
    );
    assert_others_linted(&findings);
}

#[test]
fn sparse_clawlint_toml_is_refused_before_reading() {
    let s = Scratch::new("sparse-toml");
    add_ordinary_gateways(&s);
    let toml = s.sparse("clawlint.toml", "# settings\n", 8 << 30);
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--config",
        toml.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("larger than"), "{}", out.stderr);
}

/// A LaunchAgent plist and a Windows task's `gateway.cmd` of 8 GiB (a few KB on disk) are
/// refused from their size before a byte is read: each is one CL902 located on the file, and
/// the run stays inside the address-space limit (reading either whole could not).
#[test]
fn sparse_plist_and_gateway_cmd_are_refused_before_reading() {
    let s = Scratch::new("sparse-plist-cmd");
    add_ordinary_gateways(&s);
    s.sparse(
        "home/Library/LaunchAgents/ai.openclaw.gateway.plist",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key>\n  <string>ai.openclaw.gateway</string>\n",
        8 << 30,
    );
    s.sparse(
        "home/.openclaw-win/gateway.cmd",
        "@echo off\r\nset \"OPENCLAW_GATEWAY_PORT=19700\"\r\nnode openclaw.mjs gateway --port 19700\r\n",
        8 << 30,
    );
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    for name in [
        "Library/LaunchAgents/ai.openclaw.gateway.plist",
        ".openclaw-win/gateway.cmd",
    ] {
        let on_it: Vec<_> = cl902
            .iter()
            .filter(|f| file_of(f).ends_with(name))
            .copied()
            .collect();
        assert_eq!(on_it.len(), 1, "{name}: {out}");
        assert!(says(&on_it, "larger than"), "{name}: {out}");
        assert!(
            !on_it[0]["help"]
                .as_str()
                .unwrap_or_default()
                .contains("permission"),
            "{name}: {out}"
        );
    }
    assert_eq!(cl902.len(), 2, "{out}");
    assert_others_linted(&findings);
}

#[test]
fn dotenv_variable_amplification_hits_the_substitution_budget() {
    let s = Scratch::new("var-amplification");
    add_ordinary_gateways(&s);
    // A 3 MiB .env value referenced 2,000 times from an 18 KB config: 6 GB if expanded.
    s.write(
        "home/.openclaw/.env",
        &format!("BIG={}\n", "x".repeat(3 << 20)),
    );
    let refs = "${BIG}".repeat(2_000);
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ gateway: {{ port: 19300 }}, agents: {{ defaults: {{ workspace: \"{refs}\" }} }} }}\n"),
    );
    let (_, findings, out) = check_json(&s.home());
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{}", &out[..out.len().min(4000)]);
    assert!(file_of(cl907[0]).ends_with(".openclaw/openclaw.json"));
    assert_others_linted(&findings);
}

/// A unit passes a 1 MiB argument to a wrapper that writes `"$@"` 10,000 times (a 60 KB
/// script): 10 GB if every copy were made. The copies count against the substitution budget,
/// so the run ends within the address-space limit and the other gateways are linted.
#[test]
fn passing_a_large_argument_on_many_times_hits_the_substitution_budget() {
    let s = Scratch::new("arguments-amplification");
    add_ordinary_gateways(&s);
    let big = "x".repeat(1 << 20);
    s.write(
        "home/bin/start.sh",
        &format!(
            "#!/bin/sh\nexec openclaw gateway {}\n",
            "\"$@\" ".repeat(10_000)
        ),
    );
    let script = s.path("home/bin/start.sh");
    s.write(
        "home/.config/systemd/user/amplify.service",
        &format!(
            "[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-amp\nExecStart=/bin/sh {} {big}\n\n[Install]\nWantedBy=default.target\n",
            script.display()
        ),
    );
    let (_, findings, _) = check_json(&s.home());
    assert_others_linted(&findings);
}

#[test]
fn config_env_block_amplification_hits_the_substitution_budget() {
    let s = Scratch::new("env-block-amplification");
    add_ordinary_gateways(&s);
    let refs = "${BIG}".repeat(1_000);
    let big = "y".repeat(1 << 20);
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ env: {{ vars: {{ BIG: \"{big}\" }} }}, agents: {{ defaults: {{ workspace: \"{refs}\" }} }} }}\n"),
    );
    let (_, findings, _) = check_json(&s.home());
    assert_eq!(with_code(&findings, "CL907").len(), 1);
    assert_others_linted(&findings);
}

#[test]
fn doubling_array_includes_hit_the_include_budget() {
    let s = Scratch::new("include-doubling");
    add_ordinary_gateways(&s);
    // 10 files, each including the next twice; the leaf is a 689 KB array. Arrays concatenate:
    // 2^10 copies, 700 MB and 100 M values if merged.
    let leaf: Vec<String> = (0..70_000).map(|i| format!("\"10.0.{i}\"")).collect();
    s.write(
        "home/.openclaw/parts/l10.json5",
        &format!(
            "{{ gateway: {{ trustedProxies: [{}] }} }}\n",
            leaf.join(",")
        ),
    );
    for i in 1..10 {
        let next = format!("./l{}.json5", i + 1);
        s.write(
            &format!("home/.openclaw/parts/l{i}.json5"),
            &format!("{{ $include: [\"{next}\", \"{next}\"] }}\n"),
        );
    }
    s.write(
        "home/.openclaw/openclaw.json",
        "{ $include: [\"./parts/l1.json5\", \"./parts/l1.json5\"] }\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{}", &out[..out.len().min(4000)]);
    assert_others_linted(&findings);
}

#[test]
fn include_fan_out_reads_each_file_once() {
    let s = Scratch::new("include-fanout");
    add_ordinary_gateways(&s);
    // 10 tiny files each including the next ten times: 10^10 loads without memoisation.
    for i in 1..10 {
        let next = format!("\"./l{}.json5\"", i + 1);
        let list = vec![next; 10].join(", ");
        s.write(
            &format!("home/.openclaw/parts/l{i}.json5"),
            &format!(
                "{{ $include: [{list}], agents: {{ defaults: {{ timeoutSeconds: {i} }} }} }}\n"
            ),
        );
    }
    s.write(
        "home/.openclaw/parts/l10.json5",
        "{ gateway: { port: 19400 } }\n",
    );
    s.write(
        "home/.openclaw/openclaw.json",
        "{ $include: \"./parts/l1.json5\" }\n",
    );
    let (_, findings, out) = check_json(&s.home());
    assert!(with_code(&findings, "CL907").is_empty(), "{out}");
    assert!(with_code(&findings, "CL501").is_empty(), "{out}");
    assert_others_linted(&findings);
}

/// 100k distinct keys: `{ "K0": "v0", ... }` and the same as `.env` lines.
fn many_keys(n: usize) -> (String, String) {
    let json: Vec<String> = (0..n).map(|i| format!("\"K{i}\":\"v{i}\"")).collect();
    let env: Vec<String> = (0..n).map(|i| format!("K{i}=v{i}")).collect();
    (format!("{{{}}}", json.join(",")), env.join("\n"))
}

#[test]
fn many_keys_everywhere_are_linear() {
    let s = Scratch::new("many-keys");
    add_ordinary_gateways(&s);
    let (object, env) = many_keys(100_000);
    // `env.vars` takes any name, so the config is valid and no finding is made per key.
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ $include: [\"./a.json5\", \"./b.json5\"], env: {{ vars: {object} }} }}\n"),
    );
    s.write(
        "home/.openclaw/a.json5",
        &format!("{{ env: {{ vars: {object} }} }}\n"),
    );
    s.write(
        "home/.openclaw/b.json5",
        &format!("{{ env: {{ vars: {object} }} }}\n"),
    );
    s.write("home/.openclaw/.env", &env);
    let assignments: Vec<String> = (0..100_000).map(|i| format!("E{i}=v")).collect();
    s.write(
        "home/.config/systemd/user/openclaw-gateway-keys.service",
        &format!(
            "[Service]\nEnvironment={}\nExecStart=/usr/bin/openclaw --profile keys gateway --port 19500\n",
            assignments.join(" ")
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    assert!(
        with_code(&findings, "CL907").is_empty(),
        "{}",
        &out[..out.len().min(4000)]
    );
    assert_others_linted(&findings);
}

/// 100,000 empty `.openclaw-pN` dirs (each one a gateway to OpenClaw's `--profile pN`): took
/// 75 s and 2.6 GB. clawlint takes the first [`MAX_PROFILE_DIRS`] by name; the rest are one
/// CL907 on the home, and no finding names a gateway left out. What is linted costs a bounded
/// number of findings per gateway, so the output is bounded by the cap, not by the number of
/// dirs; gateways that are not profile dirs of that home (a unit's) are linted all the same.
///
/// [`MAX_PROFILE_DIRS`]: clawlint::discover::MAX_PROFILE_DIRS
#[test]
fn hundred_thousand_empty_profile_dirs_are_capped_and_bounded() {
    use clawlint::discover::MAX_PROFILE_DIRS;
    const DIRS: usize = 100_000;
    let s = Scratch::new("profile-dirs");
    add_ordinary_gateways(&s);
    // A gateway that a unit starts, its profile sorting past the cap (and no dir of its own).
    s.write(
        "home/.config/systemd/user/openclaw-gateway-zzz.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=zzz\nExecStart=/usr/bin/openclaw --profile zzz gateway --port 19100 --allow-unconfigured\n",
    );
    let home = s.path("home");
    let mut names: Vec<String> = vec![".openclaw-copy".into(), ".openclaw-main".into()];
    for i in 0..DIRS {
        let name = format!(".openclaw-p{i}");
        std::fs::create_dir(home.join(&name)).unwrap();
        names.push(name);
    }
    names.sort();
    let left_out: std::collections::HashSet<&str> = names[MAX_PROFILE_DIRS..]
        .iter()
        .map(|n| n.trim_start_matches(".openclaw-"))
        .collect();
    assert_eq!(left_out.len(), DIRS + 2 - MAX_PROFILE_DIRS);

    // Far above what a correct debug build takes on a loaded 2-core machine: a hang guard,
    // not a timing assertion. The address space stays limited as for every run.
    let out = run_guarded(
        &[
            "check",
            "--home",
            &s.home(),
            "--no-config",
            "--format",
            "concise",
        ],
        900,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let head = || lines[..lines.len().min(20)].join("\n");

    // The cap is one finding, located on the home, saying how many dirs were left out.
    let cl907: Vec<&&str> = lines.iter().filter(|l| l.contains(": CL907 ")).collect();
    assert_eq!(cl907.len(), 1, "{}", head());
    assert!(
        cl907[0].starts_with(&format!("{}:1:1: CL907 [error] ", s.home())),
        "{}",
        cl907[0]
    );
    assert!(
        cl907[0].contains(&format!("leaves out the other {}", left_out.len())),
        "{}",
        cl907[0]
    );

    // Exactly the first MAX_PROFILE_DIRS dirs (plus the unit's gateway) are gateways; every
    // empty one among them has its hash-port warning; none left out is named anywhere.
    let summary = lines.last().copied().unwrap_or_default();
    assert!(
        summary.starts_with(&format!("{} gateways checked", MAX_PROFILE_DIRS + 1)),
        "{summary}"
    );
    let cl106 = lines.iter().filter(|l| l.contains(": CL106 ")).count();
    assert_eq!(cl106, MAX_PROFILE_DIRS - 2);
    for line in &lines {
        let Some((_, named)) = line.rsplit_once("(gateways: ") else {
            continue;
        };
        for gateway in named.trim_end_matches(')').split(", ") {
            assert!(
                !left_out.contains(gateway),
                "a dir past the cap was linted: {line}"
            );
        }
    }

    // The other gateways are still linted: main, copy and the unit's zzz share port 19100.
    assert!(
        lines.iter().any(|l| l.contains(": CL101 ")
            && l.contains("main")
            && l.contains("copy")
            && l.contains("zzz")),
        "{}",
        head()
    );

    // Bounded output: a few findings of bounded length per gateway linted (about 3.4 and
    // 700 bytes measured), whatever the number of dirs past the cap.
    assert!(lines.len() <= 5 * MAX_PROFILE_DIRS, "{} lines", lines.len());
    assert!(lines.iter().all(|l| l.len() <= 2048), "a line over 2 KiB");
}

/// `resolve` printed each resolved value whole: a workspace of `${BIG}` twice over a 1 MiB
/// `.env` value (under the substitution budget) came out as 2 MiB, in JSON and as text. A
/// value longer than any path or name (4,096 bytes) is not known to be safe, so it shows as
/// its length, as CL107 shows a port that is not one; a path with a token-like word in it is
/// not known to be a path and shows the same way; an ordinary path still shows.
#[test]
fn resolve_shows_a_long_substituted_value_as_its_length() {
    let s = Scratch::new("resolve-long");
    s.write(
        "home/.openclaw/.env",
        &format!("BIG={}\n", "v".repeat(1 << 20)),
    );
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { port: 19100 }, agents: { list: [\n  { id: \"big\", workspace: \"~/w${BIG}${BIG}\" },\n  \
         { id: \"tok\", workspace: \"~/ws-CANARY7f3a9b2c4d5e6f80\" },\n  { id: \"ok\", workspace: \"~/work/ok\" },\n] } }\n",
    );
    let written = (1 << 20) + 300;
    let shown = format!("<{} characters, not shown>", 3 + (2 << 20));
    for format in ["json", "human"] {
        let out = run(&[
            "resolve",
            "--home",
            &s.home(),
            "--no-config",
            "--format",
            format,
        ]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(
            out.stdout.len() < written / 16,
            "{format}: {} bytes",
            out.stdout.len()
        );
        assert!(!out.stdout.contains(&"v".repeat(64)), "{format}");
        assert!(out.stdout.contains(&shown), "{format}: {}", out.stdout);
        assert!(
            !out.stdout.contains("CANARY7f3a9b2c4d5e6f80"),
            "{format}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("<27 characters, not shown>"),
            "{format}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("~/work/ok"), "{format}: {}", out.stdout);
    }
}

/// 10,000 findings in one config of 4 MiB (10,000 unknown keys, then a 4 MiB comment), in
/// human format: the renderer once cost O(findings × file size) (50 s for 10k findings, while
/// JSON was instant). Every finding is rendered, at the right line, each in a bounded number
/// of bytes, and no line of the big comment is printed whole; exit code 1. A renderer that
/// scanned the file once per finding would scan 40 GB here and meet the hang guard.
#[test]
fn ten_thousand_findings_in_one_file_render_in_human_format() {
    const KEYS: usize = 10_000;
    let s = Scratch::new("many-findings");
    let mut config = String::from("{ gateway: { port: 19100 },\n");
    for i in 0..KEYS {
        config.push_str(&format!("  unknownKey{i}: {i},\n"));
    }
    config.push_str("}\n// ");
    config.push_str(&"x".repeat(4 << 20));
    config.push('\n');
    let written = config.len();
    s.write("home/.openclaw/openclaw.json", &config);
    let (code, findings, json) = check_json(&s.home());
    assert_eq!(code, 1);
    let on_config = findings
        .iter()
        .filter(|f| file_of(f).ends_with(".openclaw/openclaw.json"))
        .count();
    assert!(
        on_config >= KEYS,
        "{on_config} findings: {}",
        &json[..json.len().min(4000)]
    );
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--no-config",
        "--color",
        "never",
        "--format",
        "human",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Every finding has its header, pointing into the config.
    let headers = out
        .stdout
        .lines()
        .filter(|l| l.contains("╭─[") && l.contains(".openclaw/openclaw.json:"))
        .count();
    assert_eq!(headers, findings.len(), "one header a finding");
    // The last key is found where it is, past 10,000 lines.
    let last = format!(".openclaw/openclaw.json:{}:3]", KEYS + 1);
    assert!(out.stdout.contains(&last), "no header {last}");
    // Bounded: a few hundred bytes a finding (about 920 measured), whatever the file's size.
    assert!(
        out.stdout.len() <= 2048 * findings.len() + (64 << 10),
        "{} bytes for {} findings ({written} bytes of input)",
        out.stdout.len(),
        findings.len()
    );
    assert!(
        !out.stdout.contains(&"x".repeat(1024)),
        "the comment shown whole"
    );
    assert!(
        out.stdout.lines().all(|l| l.len() <= 4096),
        "a line over 4 KiB"
    );
}

/// The compose scan looks at 50,000 directory entries at most: a home holding more (here a
/// directory of 50,001 empty files) is one CL907 located on the entry where the scan stopped,
/// saying how many it looked at; a compose project before that point is found and linted, one
/// past it is not, and the native gateways are linted all the same.
#[test]
fn compose_scan_past_its_entry_budget_is_a_located_cl907() {
    use clawlint::discover::compose::SCAN_ENTRY_BUDGET;
    let s = Scratch::new("compose-budget");
    add_ordinary_gateways(&s);
    let service = |port: u16| {
        format!(
            "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"{port}:18789\"]\n"
        )
    };
    // Found before the cut: publishes 19100 as main and copy do.
    s.write("home/stacks/aaa/docker-compose.yml", &service(19100));
    let many = s.path("home/stacks/many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..=SCAN_ENTRY_BUDGET {
        std::fs::File::create(many.join(format!("f{i:06}"))).unwrap();
    }
    // Past the cut: would collide on 19700 with the gateway below if it were found.
    s.write("home/stacks/zzz/docker-compose.yml", &service(19700));
    s.write(
        "home/.openclaw-late/openclaw.json",
        "{ gateway: { port: 19700 } }\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    let stopped = file_of(cl907[0]);
    assert!(stopped.contains("/home/stacks/many/f"), "{stopped}");
    assert!(
        says(
            &cl907,
            &format!("looked at {SCAN_ENTRY_BUDGET} directory entries")
        ),
        "{head}"
    );
    // aaa was found: what it publishes collides with main and copy (CL108); zzz was not.
    assert!(
        with_code(&findings, "CL108")
            .iter()
            .any(|f| f.to_string().contains("stacks/aaa/docker-compose.yml")),
        "{head}"
    );
    assert!(!out.contains("stacks/zzz"), "{head}");
    assert!(
        cl907[0]["help"]
            .as_str()
            .is_some_and(|h| h.contains("a real directory of this kind")),
        "{head}"
    );
    assert_others_linted(&findings);
    // Bounded: the entries looked at are not listed.
    assert!(out.len() < 64 << 10, "{} bytes", out.len());
}

/// launchd's override database under `--root` (`disabled.<uid>.plist`) that cannot be parsed,
/// or is no regular file, decides nothing: each job counts as its plist's `Disabled` key says
/// (no false clean: a job the database might disable is still linted). It used to be skipped
/// silently; now each such file is one located finding (CL901 for a plist that does not parse,
/// CL902 for a FIFO), however many jobs consult it.
#[test]
fn an_unparsable_launchd_override_database_is_located() {
    let s = Scratch::new("launchd-overrides");
    add_ordinary_gateways(&s);
    let plist = |profile: &str, port: u16| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>ai.openclaw.{profile}</string>\
             <key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>gateway</string><string>--port</string><string>{port}</string><string>--allow-unconfigured</string></array>\
             <key>EnvironmentVariables</key><dict><key>OPENCLAW_PROFILE</key><string>{profile}</string></dict></dict></plist>\n"
        )
    };
    // Two jobs, both on 19100 like main and copy: both consult both database files.
    s.write(
        "home/Library/LaunchAgents/ai.openclaw.ops.plist",
        &plist("ops", 19100),
    );
    s.write(
        "home/Library/LaunchAgents/ai.openclaw.lab.plist",
        &plist("lab", 19100),
    );
    let db = "root/private/var/db/com.apple.xpc.launchd";
    s.write(
        &format!("{db}/disabled.501.plist"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>ai.openclaw.ops</key><true/>",
    );
    s.fifo(&format!("{db}/disabled.502.plist"));
    std::fs::create_dir_all(s.path("root/etc")).unwrap();
    let root = s.path("root");
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--root",
        root.to_str().unwrap(),
        "--no-config",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let on = |code: &str, name: &str| -> Vec<serde_json::Value> {
        with_code(&findings, code)
            .into_iter()
            .filter(|f| file_of(f).ends_with(name))
            .cloned()
            .collect()
    };
    let unparsable = on("CL901", "disabled.501.plist");
    assert_eq!(unparsable.len(), 1, "{}", out.stdout);
    assert!(
        unparsable[0]["message"]
            .as_str()
            .unwrap()
            .contains("decides nothing"),
        "{}",
        out.stdout
    );
    assert!(
        unparsable[0]["help"].as_str().unwrap().contains("plist"),
        "{}",
        out.stdout
    );
    let fifo = on("CL902", "disabled.502.plist");
    assert_eq!(fifo.len(), 1, "{}", out.stdout);
    assert!(fifo[0]["message"].as_str().unwrap().contains("FIFO"));
    // Both jobs are gateways (ops is not taken as disabled): they join the collision.
    let cl101 = with_code(&findings, "CL101");
    assert!(
        cl101.iter().any(|f| {
            let text = f.to_string();
            text.contains("ai.openclaw.ops.plist") && text.contains("ai.openclaw.lab.plist")
        }),
        "{}",
        out.stdout
    );
}

/// The work "last key wins" does, counted: every merge where a later key replaces an earlier
/// one goes through one index ([`clawlint::load::keys`]), which counts its key comparisons.
/// Fed `n` keys, each repeated many times, each merge compares keys at least once for every
/// repeat (so the index is used) and at most twice per key (so no key is compared with all
/// the earlier ones: a scan would make about n²/2 comparisons, 5·10⁹ here). A YAML mapping's
/// keys (`yaml::merge_keys`) were compared by such a scan, not through the index. No timing:
/// the count is the same on any machine.
#[test]
fn last_key_wins_compares_each_key_a_bounded_number_of_times() {
    use clawlint::discover::{launchd, systemd, windows};
    use clawlint::load::{dotenv, json5, keys, tree, yaml};
    const N: usize = 100_000;
    const DISTINCT: usize = 1_000;
    let repeats = (N - DISTINCT) as u64;
    let key = |i: usize| format!("K{}", i % DISTINCT);
    fn work<T>(f: impl FnOnce() -> T) -> (u64, T) {
        let before = keys::comparisons();
        let out = f();
        (keys::comparisons() - before, out)
    }
    let mut failures = Vec::new();
    let mut expect = |what: &str, count: u64, at_least: u64, keys_in: usize| {
        if count < at_least || count > 2 * keys_in as u64 {
            failures.push(format!(
                "{what}: {count} key comparisons for {keys_in} keys ({at_least} repeats)"
            ));
        }
    };

    // A JSON5 object: `{ "K0": 0, "K1": 1, ..., "K999": 999, "K0": 1000, ... }`.
    let object: Vec<String> = (0..N).map(|i| format!("\"{}\": {i}", key(i))).collect();
    let text = format!("{{ {} }}", object.join(", "));
    let doc = json5::parse(&text).expect("parses");
    let mut sources = clawlint::source::SourceMap::new();
    let file = sources.add(std::path::Path::new("/x.json5"), String::new(), None);
    let (count, node) = work(|| tree::Node::from_json5(doc.root, file));
    expect("JSON5 object", count, repeats, N);
    assert_eq!(node.members().len(), DISTINCT);
    assert_eq!(
        node.get("K0").and_then(|n| n.as_f64()),
        Some((N - DISTINCT) as f64)
    );

    // deepMerge of two such objects with distinct keys, half of them shared.
    let half: Vec<String> = (N / 2..N + N / 2).map(|i| format!("k{i}: {i}")).collect();
    let first: Vec<String> = (0..N).map(|i| format!("k{i}: {i}")).collect();
    let parse = |members: &[String]| {
        let doc = json5::parse(&format!("{{ {} }}", members.join(", "))).unwrap();
        tree::Node::from_json5(doc.root, file)
    };
    let (a, b) = (parse(&first), parse(&half));
    let (count, merged) = work(|| tree::deep_merge(a, b));
    expect("deepMerge", count, (N / 2) as u64, 2 * N);
    assert_eq!(merged.members().len(), N + N / 2);

    // `.env` lines.
    let env: Vec<String> = (0..N).map(|i| format!("{}=v{i}", key(i))).collect();
    let parsed = dotenv::parse(&env.join("\n"));
    let (count, effective) = work(|| parsed.effective());
    expect(".env", count, repeats, N);
    assert_eq!(effective.len(), DISTINCT);

    // A unit's `Environment=`.
    let assignments: Vec<String> = (0..N).map(|i| format!("{}=v{i}", key(i))).collect();
    let unit = systemd::parse_unit(&format!(
        "[Service]\nEnvironment={}\nExecStart=/usr/bin/openclaw gateway\n",
        assignments.join(" ")
    ));
    let (count, environment) = work(|| systemd::effective_environment(&unit));
    expect("Environment=", count, repeats, N);
    assert_eq!(environment.len(), DISTINCT);

    // A plist dictionary (at most launchd::MAX_NODES values, so fewer keys).
    let plist_keys = launchd::MAX_NODES / 4;
    let dict: Vec<String> = (0..plist_keys)
        .map(|i| format!("<key>{}</key><string>v</string>", key(i)))
        .collect();
    let plist = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>x</string><key>EnvironmentVariables</key><dict>{}</dict></dict></plist>\n",
        dict.concat()
    );
    let (count, agent) = work(|| launchd::parse_plist(plist.as_bytes()));
    expect(
        "plist",
        count,
        (plist_keys - DISTINCT) as u64,
        plist_keys + 2,
    );
    assert_eq!(agent.expect("parses").environment.len(), DISTINCT);

    // A LaunchAgent wrapper's env file.
    let exports: Vec<String> = (0..N)
        .map(|i| format!("export {}='v{i}'", key(i)))
        .collect();
    let (count, entries) = work(|| launchd::parse_wrapper_env_file(&exports.join("\n")));
    expect("wrapper env file", count, repeats, N);
    assert_eq!(entries.len(), DISTINCT);

    // A Windows task's `gateway.cmd`: `set` lines (a scan of the names set before for
    // each: 20,000 names took 3.5 s in a debug build).
    let sets: Vec<String> = (0..N).map(|i| format!("set {}=v{i}", key(i))).collect();
    let script = format!(
        "@echo off\r\n{}\r\nopenclaw gateway --port 19001\r\n",
        sets.join("\r\n")
    );
    let (count, task) = work(|| windows::parse_task_script(&script));
    expect("gateway.cmd", count, repeats, N);
    assert_eq!(task.expect("runs a gateway").environment.len(), DISTINCT);

    // A YAML mapping (a compose file's, within the node budget), with a `<<` merge of
    // another into it.
    let yaml_keys = yaml::NODE_BUDGET / 4;
    let mut text = String::from("base: &base\n");
    for i in 0..DISTINCT {
        text.push_str(&format!("  m{i}: v\n"));
    }
    text.push_str("map:\n  <<: *base\n");
    for i in 0..yaml_keys {
        text.push_str(&format!("  {}: v{i}\n", key(i)));
    }
    let (count, root) = work(|| yaml::parse(&text));
    expect(
        "YAML mapping",
        count,
        (yaml_keys - DISTINCT) as u64,
        yaml_keys + 2 * DISTINCT,
    );
    let map = root.expect("parses");
    let map = map.get("map").expect("the mapping");
    assert_eq!(map.entries().len(), 2 * DISTINCT);
    let last = format!("v{}", yaml_keys - DISTINCT);
    assert_eq!(map.get("K0").and_then(|v| v.as_str()), Some(last.as_str()));

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same, end to end through the loader of one gateway (in this thread): a config, two
/// array-form `$include`s and a `.env`, each with 100,000 keys repeating 1,000 names. Every
/// repeat is compared at least once; the total stays within a small constant times the keys
/// written (each file parsed once, each merge linear).
#[test]
fn last_key_wins_through_the_loader_is_linear() {
    use clawlint::load::keys;
    const N: usize = 100_000;
    const DISTINCT: usize = 1_000;
    let s = Scratch::new("keys-loader");
    let object: Vec<String> = (0..N)
        .map(|i| format!("\"K{}\":\"v{i}\"", i % DISTINCT))
        .collect();
    let object = format!("{{{}}}", object.join(","));
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ $include: [\"./a.json5\", \"./b.json5\"], env: {{ vars: {object} }} }}\n"),
    );
    for name in ["a", "b"] {
        s.write(
            &format!("home/.openclaw/{name}.json5"),
            &format!("{{ env: {{ vars: {object} }} }}\n"),
        );
    }
    let env: Vec<String> = (0..N).map(|i| format!("E{}=v{i}", i % DISTINCT)).collect();
    s.write("home/.openclaw/.env", &env.join("\n"));
    let inv = clawlint::discover::home::invocation(&s.path("home"), None);
    let mut sources = clawlint::source::SourceMap::new();
    let before = keys::comparisons();
    let instance = clawlint::resolve::resolve_instance(&inv, &mut sources);
    let count = keys::comparisons() - before;
    std::hint::black_box(&instance);
    let written = 4 * N as u64;
    let repeats = 4 * (N - DISTINCT) as u64;
    assert!(
        (repeats..=8 * written).contains(&count),
        "{count} key comparisons for {written} keys written ({repeats} repeats)"
    );
}

// ---------------------------------------------------------------------------------------------
// Never read outside the layout unless told to
// ---------------------------------------------------------------------------------------------

/// Files outside the home that the layout points at, each holding a distinctive line.
fn outside_layout(s: &Scratch) -> String {
    let outside = s.path("outside");
    let o = outside.to_str().unwrap().to_string();
    s.write(
        "outside/passwd.json",
        "{ gateway: { port: 19600 }, // CANARY-OUTSIDE-config-5f2a\n }\n",
    );
    s.write(
        "outside/os-release",
        "NAME=CANARY-OUTSIDE-envfile-7c1d\nOPENCLAW_GATEWAY_PORT=19600\n",
    );
    s.write(
        "outside/state/openclaw.json",
        "{ gateway: { port: 19600 }, // CANARY-OUTSIDE-state-9e4b\n }\n",
    );
    s.write(
        "outside/inc.json5",
        "{ gateway: { port: 19600 }, // CANARY-OUTSIDE-include-3a8c\n }\n",
    );
    s.write(
        "home/.config/systemd/user/openclaw-gateway-ops.service",
        &format!(
            "[Service]\nEnvironment=OPENCLAW_PROFILE=ops\nEnvironment=OPENCLAW_CONFIG_PATH={o}/passwd.json\n\
             EnvironmentFile={o}/os-release\nExecStart=/usr/bin/openclaw --profile ops gateway\n"
        ),
    );
    std::fs::create_dir_all(s.path("home")).unwrap();
    std::os::unix::fs::symlink(outside.join("state"), s.path("home/.openclaw-linked")).unwrap();
    s.write("home/.openclaw/.env", "OPENCLAW_INCLUDE_ROOTS=/\n");
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ $include: \"{o}/inc.json5\" }}\n"),
    );
    o
}

#[test]
fn files_outside_the_layout_are_reported_not_read() {
    let s = Scratch::new("outside");
    let outside = outside_layout(&s);
    let home = s.home();
    for format in ["human", "json", "concise", "github"] {
        let out = run(&["check", "--home", &home, "--no-config", "--format", format]);
        assert!(
            out.code == 0 || out.code == 1,
            "{}{}",
            out.stdout,
            out.stderr
        );
        assert!(
            !out.stdout.contains("CANARY-OUTSIDE") && !out.stderr.contains("CANARY-OUTSIDE"),
            "{format}: a file outside the layout was printed:\n{}",
            out.stdout
        );
        assert!(out.stdout.contains("outside"), "{format}: {}", out.stdout);
    }
    let resolve = run(&["resolve", "--home", &home, "--no-config"]);
    assert!(
        !resolve.stdout.contains("CANARY-OUTSIDE"),
        "{}",
        resolve.stdout
    );
    let (_, findings, out) = check_json(&home);
    // The unit's config path, its EnvironmentFile, the symlinked state dir's config, the include.
    assert!(refused_outside(&findings).len() >= 4, "{out}");
    // Nothing outside was read, so no gateway got port 19600 from there.
    assert!(with_code(&findings, "CL101").is_empty(), "{out}");

    // Allowed explicitly, the same files are read: four gateways on 19600 collide.
    read_when_allowed(&home, &outside);
}

/// The reader takes each directory's real path once per run and joins a file's name to it
/// (a file that is itself a symlink is resolved whole). Every way a layout can reach a
/// directory that leads out of it is still refused: a symlinked dir a unit's config path goes
/// through (beside a `.env` read from the real dir above it), `..` through a symlinked dir, a
/// symlink in the middle of a deeper path, a config file that is a symlink beside a real
/// `.env`, a whole state dir that is a symlink, and an `$include` through a symlinked dir
/// (refused by the include check, and by the reader when `OPENCLAW_INCLUDE_ROOTS` allows it).
#[test]
fn symlinked_directories_out_of_the_layout_are_refused_however_reached() {
    let s = Scratch::new("outside-dirs");
    let outside = s.path("outside");
    let o = outside.to_str().unwrap().to_string();
    let home = s.home();
    let config =
        |name: &str| format!("{{ gateway: {{ port: 19700 }}, // CANARY-OUTSIDE-{name}\n }}\n");
    for name in ["a", "b", "c", "d"] {
        s.write(&format!("outside/{name}/openclaw.json"), &config(name));
    }
    s.write("outside/e/deeper/openclaw.json", &config("e"));
    s.write("outside/f/x.json5", &config("f"));
    s.write("outside/d/.env", "OPENCLAW_GATEWAY_PORT=19700\n");
    std::fs::create_dir_all(s.path("home")).unwrap();
    let link = |target: &str, at: &str| {
        std::fs::create_dir_all(s.path(at).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(outside.join(target), s.path(at)).unwrap();
    };
    let unit = |name: &str, config_path: &str| {
        s.write(
            &format!("home/.config/systemd/user/openclaw-gateway-{name}.service"),
            &format!(
                "[Service]\nEnvironment=OPENCLAW_PROFILE={name}\nEnvironment=OPENCLAW_CONFIG_PATH={config_path}\n\
                 ExecStart=/usr/bin/openclaw --profile {name} gateway\n"
            ),
        );
    };
    // g1: a symlinked dir in the config path; g2: `..` through one; g5: one in the middle.
    link("a", "home/.openclaw-g1/out");
    s.write("home/.openclaw-g1/.env", "GW=g1\n");
    unit("g1", &format!("{home}/.openclaw-g1/out/openclaw.json"));
    link("b", "home/.openclaw-g2/out");
    unit(
        "g2",
        &format!("{home}/.openclaw-g2/out/../out/openclaw.json"),
    );
    link("e", "home/.openclaw-g5/mid");
    unit(
        "g5",
        &format!("{home}/.openclaw-g5/mid/deeper/openclaw.json"),
    );
    // g3: the config file is a symlink, in a dir whose `.env` (a real file) is read first.
    s.write("home/.openclaw-g3/.env", "GW=g3\n");
    link("c/openclaw.json", "home/.openclaw-g3/openclaw.json");
    // g4: the whole state dir.
    link("d", "home/.openclaw-g4");
    // g6, g7: an include through a symlinked dir; g7's include roots allow its target.
    for name in ["g6", "g7"] {
        link("f", &format!("home/.openclaw-{name}/inc"));
        s.write(
            &format!("home/.openclaw-{name}/openclaw.json"),
            "{ $include: \"./inc/x.json5\" }\n",
        );
    }
    s.write(
        "home/.openclaw-g7/.env",
        &format!("OPENCLAW_INCLUDE_ROOTS={o}/f\n"),
    );

    let (_, findings, out) = check_json(&home);
    assert!(!out.contains("CANARY-OUTSIDE"), "{out}");
    let refused = refused_outside(&findings);
    for name in ["g1", "g2", "g3", "g4", "g5", "g7"] {
        assert!(
            refused
                .iter()
                .any(|m| m.contains(&format!(".openclaw-{name}/"))),
            "{name} read a file outside the layout: {refused:#?}\n{out}"
        );
    }
    assert!(
        says(
            &with_code(&findings, "CL501"),
            "include path resolves outside config directory (symlink): ./inc/x.json5"
        ),
        "{out}"
    );
    assert!(with_code(&findings, "CL101").is_empty(), "{out}");

    // Allowed explicitly, the same files are read: the gateways on 19700 collide.
    read_when_allowed(&home, &o);
}

/// The files a layout reaches outside itself, refused in `check_json(home)`'s findings (the
/// messages that say so).
fn refused_outside(findings: &[serde_json::Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .filter(|m| m.contains("outside the scanned"))
        .collect()
}

/// With `--allow-outside OUTSIDE`, the files a layout reaches there are read: its gateways take
/// the port set there and collide (CL101), and nothing is refused as outside any more.
fn read_when_allowed(home: &str, outside: &str) {
    let allowed = run(&[
        "check",
        "--home",
        home,
        "--no-config",
        "--format",
        "json",
        "--allow-outside",
        outside,
    ]);
    let json: serde_json::Value = serde_json::from_str(&allowed.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(
        !with_code(findings, "CL101").is_empty(),
        "{}",
        allowed.stdout
    );
    assert!(refused_outside(findings).is_empty(), "{}", allowed.stdout);
}

#[test]
fn include_roots_help_never_suggests_the_root_directory() {
    let out = run(&["rule", "CL501"]);
    assert_eq!(out.code, 0);
    let s = Scratch::new("include-help");
    s.write(
        "home/.openclaw/openclaw.json",
        "{ $include: \"../../x.json5\" }\n",
    );
    s.write("x.json5", "{}\n");
    let (_, findings, _) = check_json(&s.home());
    let help = with_code(&findings, "CL501")[0]["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(help.contains("not `/`"), "{help}");
}

// ---------------------------------------------------------------------------------------------
// Never a false clean
// ---------------------------------------------------------------------------------------------

/// A home that cannot be listed is no home without gateways: exit 3, saying why. Root reads a
/// mode-000 directory, so when the tests run as root (as CI does) clawlint is run as `nobody`
/// (uid and gid 65534), for whom the listing really fails, as it does for any user who is
/// not the owner. The same binary, the same input, a real permission error.
#[test]
fn unreadable_home_exits_3() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let s = Scratch::new("unreadable-home");
    add_ordinary_gateways(&s);
    std::fs::set_permissions(s.path("home"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    // Root can list any directory: run as `nobody`, from a copy of the binary in the scratch
    // dir, which `nobody` can reach wherever the checkout is (a CI checkout under /root is not).
    let binary = match as_root {
        true => {
            let copy = s.path("clawlint");
            std::fs::copy(env!("CARGO_BIN_EXE_clawlint"), &copy).unwrap();
            for dir in [copy.as_path(), s.path("").as_path()] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            copy
        }
        false => PathBuf::from(env!("CARGO_BIN_EXE_clawlint")),
    };
    let mut command = Command::new(binary);
    command
        .args(["check", "--home", &s.home(), "--no-config"])
        .current_dir("/")
        .env_clear();
    if as_root {
        command.uid(65534).gid(65534);
    }
    // The copy was open for writing a moment ago: a process another test thread forked in that
    // moment holds it until its own exec, and exec of the copy fails with ETXTBSY meanwhile.
    let out = (0..50)
        .find_map(|_| match command.output() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            }
            started => Some(started.expect("clawlint starts")),
        })
        .expect("clawlint starts within 50 tries");
    std::fs::set_permissions(s.path("home"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(&format!("cannot read {}", s.home()))
            && stderr.contains("ermission denied"),
        "{stderr}"
    );
}

/// A home that is a symlink loop is said to be one (it used to be "does not exist or is not a
/// directory"), and so is a dangling one: exit 3 either way, never a run without gateways.
#[test]
fn home_as_a_symlink_loop_or_dangling_says_what_it_is() {
    let s = Scratch::new("home-loop");
    std::fs::create_dir_all(s.path("")).unwrap();
    std::os::unix::fs::symlink("loop", s.path("loop")).unwrap();
    std::os::unix::fs::symlink("nowhere", s.path("dangling")).unwrap();
    for (home, says) in [
        (
            "loop",
            "is a symlink loop (too many levels of symbolic links)",
        ),
        ("dangling", "is a dangling symlink"),
    ] {
        let home = s.path(home);
        let out = run(&["check", "--home", home.to_str().unwrap(), "--no-config"]);
        assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(&format!("{} {says}", home.display())),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("does not exist or"), "{}", out.stderr);
    }
    // `--root` is checked the same way.
    let home = s.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let root = s.path("loop");
    let out = run(&[
        "check",
        "--home",
        home.to_str().unwrap(),
        "--root",
        root.to_str().unwrap(),
        "--no-config",
    ]);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("symlink loop"), "{}", out.stderr);
}

#[test]
fn unlistable_unit_directory_is_reported() {
    let s = Scratch::new("unit-dir-loop");
    add_ordinary_gateways(&s);
    std::fs::create_dir_all(s.path("home/.config/systemd")).unwrap();
    // A symlink loop: listing it fails (as a mode-000 directory does for a non-root user).
    std::os::unix::fs::symlink("user", s.path("home/.config/systemd/user")).unwrap();
    let (_, findings, out) = check_json(&s.home());
    assert!(
        with_code(&findings, "CL902")
            .iter()
            .any(|f| file_of(f).ends_with(".config/systemd/user")),
        "{out}"
    );
}

#[test]
fn default_state_dir_as_a_symlink_loop_is_reported() {
    let s = Scratch::new("state-loop");
    add_ordinary_gateways(&s);
    std::os::unix::fs::symlink(".openclaw", s.path("home/.openclaw")).unwrap();
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert!(says(&cl902, "symlink loop"), "{out}");
}

#[test]
fn dangling_config_symlink_is_not_a_missing_config() {
    let s = Scratch::new("dangling-config");
    add_ordinary_gateways(&s);
    std::fs::create_dir_all(s.path("home/.openclaw")).unwrap();
    std::os::unix::fs::symlink(
        "shared/openclaw.json",
        s.path("home/.openclaw/openclaw.json"),
    )
    .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert!(says(&cl902, "dangling symlink"), "{out}");
}

#[test]
fn a_report_that_cannot_be_written_is_not_a_pass() {
    let s = Scratch::new("full-stdout");
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { port: 19100 } }\n",
    );
    for args in [
        vec!["check", "--home", &s.home(), "--no-config"],
        vec!["resolve", "--home", &s.home(), "--no-config"],
        vec![
            "ports",
            "--home",
            &s.home(),
            "--no-config",
            "--format",
            "json",
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let status = Command::new(env!("CARGO_BIN_EXE_clawlint"))
            .args(&args)
            .current_dir(common::root())
            .env_clear()
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_ne!(
            status.status.code(),
            Some(0),
            "{args:?} wrote to a full disk and passed"
        );
        assert!(String::from_utf8_lossy(&status.stderr).contains("cannot write"));
    }
}

// ---------------------------------------------------------------------------------------------
// Smaller
// ---------------------------------------------------------------------------------------------

#[test]
fn plan_refuses_port_zero() {
    let s = Scratch::new("plan-port-0");
    add_ordinary_gateways(&s);
    let out = run(&[
        "plan",
        "--add",
        "new",
        "--port",
        "0",
        "--home",
        &s.home(),
        "--no-config",
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
}

#[test]
fn messages_say_an_array() {
    let s = Scratch::new("an-array");
    s.write(
        "home/.openclaw/openclaw.json",
        "{ browser: { profiles: { p: { cdpPort: [1], color: \"#FF4500\" } } } }\n",
    );
    let (_, _, out) = check_json(&s.home());
    assert!(out.contains("is an array"), "{out}");
    assert!(!out.contains("a array"), "{out}");
}

#[test]
fn one_owner_is_named_once_however_often_it_repeats_a_problem() {
    let s = Scratch::new("read-by-once");
    let refs = "${NOPE}".repeat(500);
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ agents: {{ defaults: {{ workspace: \"{refs}\" }} }} }}\n"),
    );
    let (_, findings, out) = check_json(&s.home());
    let cl502 = with_code(&findings, "CL502");
    assert_eq!(cl502.len(), 1, "{out}");
    assert_eq!(cl502[0]["parties"].as_array().unwrap().len(), 1, "{out}");
}

// ---------------------------------------------------------------------------------------------
// Never forge CI output or drive the terminal
// ---------------------------------------------------------------------------------------------

/// What no output may contain: a line that the Actions runner would take for a workflow
/// command written by the layout, the older `##[` form anywhere, or raw terminal controls.
fn forgeries(output: &str, ours_start_lines: bool) -> Vec<String> {
    let mut found = Vec::new();
    for line in output.lines() {
        let trimmed = line.trim_start();
        // `--format github` writes its own `::error file=<the finding's file>,...` lines.
        let forged_command = trimmed.starts_with("::")
            && (!ours_start_lines
                || ["error", "warning", "notice"]
                    .iter()
                    .any(|c| trimmed.starts_with(&format!("::{c} file=README.md")))
                || trimmed.starts_with("::add-mask")
                || trimmed.starts_with("::stop-commands"));
        if forged_command {
            found.push(format!("workflow command: {line:?}"));
        }
        if line.contains("##[") {
            found.push(format!("##[ command: {line:?}"));
        }
    }
    for c in [
        '\x1b', '\x07', '\r', '\u{9b}', '\u{202E}', '\u{2066}', '\u{2028}',
    ] {
        if output.contains(c) {
            found.push(format!("raw {c:?}"));
        }
    }
    found
}

/// `check --home HOME --no-config --color never --format FORMAT`.
fn check_in_format(home: &str, format: &str) -> Vec<String> {
    [
        "check",
        "--home",
        home,
        "--no-config",
        "--color",
        "never",
        "--format",
        format,
    ]
    .map(String::from)
    .to_vec()
}

/// Runs `check` in every output format and `resolve` on `home` and asserts that none of
/// them shows any of `secrets`, on stdout or stderr.
fn no_output_shows(home: &str, secrets: &[&str]) {
    let mut runs = check_in_every_format(home);
    for format in ["human", "json"] {
        runs.push(
            ["resolve", "--home", home, "--no-config", "--format", format]
                .map(String::from)
                .to_vec(),
        );
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
        for secret in secrets {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{args:?} shows {secret}:\n{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

/// `check` on `home` in each output format clawlint has.
fn check_in_every_format(home: &str) -> Vec<Vec<String>> {
    use clap::ValueEnum;
    clawlint::report::Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| check_in_format(home, v.get_name()))
        .collect()
}

/// Runs `args`, asserts that it exits with one of `codes`, and adds each forgery in what it
/// printed (`--format github`'s own annotation lines allowed) to `failures`.
fn run_for_forgeries(args: &[String], codes: &[i32], failures: &mut Vec<String>) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert!(
        codes.contains(&out.code),
        "{args:?}: {}{}",
        out.stdout,
        out.stderr
    );
    let github = args.contains(&"github");
    for problem in forgeries(&out.stdout, github) {
        failures.push(format!("{args:?}: {problem}"));
    }
    out
}

#[test]
fn layout_text_cannot_forge_ci_output_or_drive_the_terminal() {
    let s = Scratch::new("forge");
    let home = s.home();
    // A unit whose file name holds a line break and a workflow command.
    s.write(
        "home/.config/systemd/user/openclaw-gateway-x\n::error file=README.md,line=1::forged.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=main\nExecStart=/usr/bin/openclaw --profile main gateway --port 19100\n",
    );
    // Config text with the old command form, OSC/BEL, CR and bidi overrides, on lines that
    // findings show, and in names `resolve` and `ports` print.
    s.write(
        "home/.openclaw-main/openclaw.json",
        "{\n  gateway: { mode: \"local\", port: 19100 }, // ##[error]forged \x1b]8;;http://x\x07link\x1b]8;;\x07 \u{202E}txt.exe\r\n  \
         agents: { list: [{ id: \"a\u{202E}b\", workspace: \"~/w\\n::add-mask::x\\u001b[2J##[warning]w\" }] },\n}\n",
    );
    s.write(
        "home/.openclaw-copy/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 }, agents: { list: [{ id: \"c\", workspace: \"~/w\\n::add-mask::x\\u001b[2J##[warning]w\" }] } }\n",
    );
    let mut runs = check_in_every_format(&home);
    for format in ["human", "json"] {
        runs.push(
            [
                "resolve",
                "--home",
                &home,
                "--no-config",
                "--format",
                format,
            ]
            .map(String::from)
            .to_vec(),
        );
        runs.push(
            ["ports", "--home", &home, "--no-config", "--format", format]
                .map(String::from)
                .to_vec(),
        );
    }
    let mut failures = Vec::new();
    for args in &runs {
        let out = run_for_forgeries(args, &[0, 1], &mut failures);
        assert!(
            out.stdout.contains("forged") || out.stdout.contains("add-mask") || args[0] != "check",
            "{args:?}: the hostile text is shown (escaped), not dropped:\n{}",
            out.stdout
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// CL910 names the directories discover looked in, and a home's name is layout text like any
/// other: in every format it is shown escaped, never as a workflow command or a terminal
/// control.
#[test]
fn cl910_names_where_it_looked_escaped_in_every_format() {
    use clap::ValueEnum;
    let s = Scratch::new("cl910-where");
    let home = s.path("home\n::error file=README.md,line=1::forged\x1b[2J");
    std::fs::create_dir_all(home.join(".config/systemd/user")).unwrap();
    let home = home.to_str().unwrap().to_string();
    let formats: Vec<String> = clawlint::report::Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    assert!(formats.len() >= 7, "{formats:?}");
    let mut failures = Vec::new();
    for format in &formats {
        let out = run_for_forgeries(&check_in_format(&home, format), &[0], &mut failures);
        // Every format names the directories that are there (the home, the unit dir in it);
        // those that show notes also say what was looked for and which were missing.
        let mut expected = vec!["forged", ".config/systemd/user"];
        if !["concise", "markdown"].contains(&format.as_str()) {
            expected.extend(["(systemd user units)", "not there:", "Library/LaunchAgents"]);
        }
        for text in expected {
            assert!(
                out.stdout.contains(text),
                "{format}: {text:?} missing from\n{}",
                out.stdout
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Layout text that would end the SVG (`</svg>`, `]]>`), open a script, start a workflow
/// command, clear the screen or reverse the text, in every string `ports` and `plan` print (a
/// unit file's name, hence a gateway's; browser profile names; agent ids; the container names
/// of a compose service, a fleet cell and a quadlet, which name their gateways): never a
/// forgery in any of their formats, and the SVG stays one well-formed document with no script
/// in it.
#[test]
fn ports_and_plan_escape_every_layout_string_in_every_format() {
    let s = Scratch::new("forge-ports");
    let home = s.home();
    let hostile = "p\u{1b}[2J\u{7}</svg>]]><script>alert(1)</script>\n::error file=README.md,line=1::forged ##[warning]w \u{202E}txt\u{2066}";
    s.write(
        "home/.config/systemd/user/openclaw-gateway-x\n::error file=README.md,line=1::forged</svg>]]><script>.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=main\nExecStart=/usr/bin/openclaw --profile main gateway --port 19100\n",
    );
    let quoted = serde_json::to_string(hostile).unwrap();
    for (dir, port) in [("main", 19100), ("copy", 19100)] {
        s.write(
            &format!("home/.openclaw-{dir}/openclaw.json"),
            &format!(
                "{{ gateway: {{ port: {port} }}, browser: {{ profiles: {{ {quoted}: {{ cdpPort: 19150 }} }} }}, \
                 agents: {{ list: [{{ id: {quoted}, workspace: \"~/w\" }}] }} }}\n"
            ),
        );
    }
    // Containers publishing the same port, each named by hostile text: a compose service's
    // `container_name`, a quadlet's `ContainerName=` (raw bytes in the unit line) and a fleet
    // cell's `container_name` in main's registry.
    s.write(
        "home/s/docker-compose.yml",
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    \
         container_name: \"c\\r\\n::error file=README.md,line=1::forged\\e]0;t\\a\"\n    ports: [\"19100:18789\"]\n",
    );
    s.write(
        "home/.config/containers/systemd/openclaw.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n\
         ContainerName=q\u{1b}[2J\u{1b}]0;x\u{7}::error::y\u{202E}\nPublishPort=19100:18789\n",
    );
    let db_path = s.path("home/.openclaw-main/state/openclaw.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(&db_path).unwrap();
    db.execute_batch(
        "CREATE TABLE fleet_cells (tenant_id TEXT NOT NULL PRIMARY KEY, created_at_ms INTEGER NOT NULL,
           image TEXT NOT NULL, runtime TEXT NOT NULL, host_port INTEGER NOT NULL,
           container_name TEXT NOT NULL, data_dir TEXT NOT NULL) STRICT;",
    )
    .unwrap();
    db.execute(
        "INSERT INTO fleet_cells VALUES ('acme', 1, 'ghcr.io/openclaw/openclaw:2026.9.6', 'podman', 19100, ?1, '/srv/cells/acme')",
        ["f\r\n::error file=README.md,line=1::forged\u{1b}]0;t\u{7}\u{202E}"],
    )
    .unwrap();
    drop(db);
    // An enabled template instance named by hostile text, running a script clawlint cannot
    // read (CL409): `plan` names it among the ports it cannot avoid (found by a hostile-input
    // audit: raw in `plan` human, U+202E raw in `plan` json).
    s.write(
        "home/.config/systemd/user/openclaw@.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=%i\nExecStart=%h/bin/s%i.sh\n[Install]\nWantedBy=default.target\n",
    );
    let wants = s.path("home/.config/systemd/user/default.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(
        "../openclaw@.service",
        wants.join("openclaw@i\u{1b}]0;pwn\u{7}\u{202E}x\r.service"),
    )
    .unwrap();
    let svg_path = s.path("ports.svg");
    let svg_spec = format!("svg={}", svg_path.display());
    let runs: Vec<Vec<&str>> = vec![
        vec!["ports", "--format", "human"],
        vec!["ports", "--format", "json"],
        vec!["ports", "--format", &svg_spec],
        vec!["plan", "--add", "new", "--format", "human"],
        vec!["plan", "--add", "new", "--format", "json"],
        vec![
            "plan", "--add", "new", "--port", "19100", "--format", "human",
        ],
    ];
    let mut failures = Vec::new();
    let mut shown = String::new();
    for run_args in runs {
        let mut args = run_args.clone();
        args.extend(["--home", &home, "--no-config"]);
        let out = run(&args);
        assert!(
            out.code == 0 || out.code == 1,
            "{args:?}: {}{}",
            out.stdout,
            out.stderr
        );
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            for problem in forgeries(text, false) {
                failures.push(format!("{run_args:?} {stream}: {problem}"));
            }
        }
        if args.contains(&"json") {
            serde_json::from_str::<serde_json::Value>(&out.stdout)
                .unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}\n{}", out.stdout));
        }
        if run_args[..2] == ["plan", "--add"] && !run_args.contains(&"--port") {
            assert!(
                out.stdout.contains("Not avoided")
                    || out.stdout.contains("unverifiablePorts\": [\n"),
                "{args:?}: the template instance is not named:\n{}",
                out.stdout
            );
        }
        shown.push_str(&out.stdout);
    }
    let svg = std::fs::read_to_string(&svg_path).expect("the SVG was written");
    for problem in forgeries(&svg, false) {
        failures.push(format!("svg: {problem}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // One well-formed document: the hostile text ended no element and opened none.
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert_ne!(name, "script", "{svg}");
                if depth == 0 {
                    roots += 1;
                    assert_eq!(name, "svg");
                }
                depth += 1;
            }
            Ok(quick_xml::events::Event::Empty(e)) => {
                assert_ne!(e.name().as_ref(), b"script", "{svg}");
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG is not well-formed XML: {e}\n{svg}"),
        }
    }
    assert_eq!((roots, depth), (1, 0), "{svg}");
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!shown.is_empty());
    // Each container is in the table, its name escaped.
    for name in [
        "c\\r\\n::error file=README.md,line=1::forged\\x1b]0;t\\x07",
        "q\\x1b[2J\\x1b]0;x\\x07::error::y<U+202E>",
        "f\\r\\n::error file=README.md,line=1::forged\\x1b]0;t\\x07<U+202E>",
    ] {
        assert!(shown.contains(name), "{name} not in\n{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// Size amplification (property): small input, large expansion
// ---------------------------------------------------------------------------------------------

/// The amplifying layouts are the `amplify` fuzz target's ([`fuzz_bodies::Amplifier`], one
/// builder for both): `${VAR}` repeated in a config string over a `.env` value, an
/// `$include` chain where each file includes the next `fan` times over a leaf array, and a
/// compose file whose YAML aliases nest (`&a [x, x]`, `&b [*a, *a]`, ...) and merge (`<<:`).
/// Here the repeats go in one string (an agent's workspace) and nothing else is included.
fn amplifier() -> impl proptest::strategy::Strategy<Value = Amplifier> {
    use proptest::prelude::*;
    (
        (1usize..4096, 1usize..2048),
        (1usize..12, 1usize..8, 1usize..64),
        (0usize..24, 1usize..12),
    )
        .prop_map(
            |(
                (value_len, var_refs),
                (include_depth, include_fan, leaf_items),
                (alias_depth, alias_fan),
            )| {
                Amplifier {
                    value_len,
                    var_refs,
                    positions: 1,
                    include_depth,
                    include_fan,
                    leaf_items,
                    alias_depth,
                    alias_fan,
                    extra: Vec::new(),
                }
            },
        )
}

use proptest::prop_assert;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 4,
        failure_persistence: None,
        ..Default::default()
    })]

    /// Whatever small layout expands however much: the run ends (bounded address space, hang
    /// guard), every format's output is at most a constant times the input plus a constant per
    /// finding, and an expansion past a budget is a CL907 located in a file of the layout.
    #[test]
    fn small_input_large_expansion_stays_within_budgets(amp in amplifier()) {
        let s = Scratch::new("amplify");
        let (input, budget_hit) = amp.write(&s.path("home"));
        let (_, findings, json) = check_json(&s.home());
        for finding in &findings {
            let file = file_of(finding);
            prop_assert!(
                file.is_empty() || file.contains("hostile-amplify"),
                "a finding outside the layout: {finding:#}"
            );
        }
        if budget_hit {
            let located = findings.iter().any(|f| {
                ["CL907", "CL901"].contains(&f["code"].as_str().unwrap_or_default())
                    && !file_of(f).is_empty()
            });
            prop_assert!(located, "{amp:?} expands past a budget without a located CL907:\n{}", &json[..json.len().min(4000)]);
        }
        // What a format prints for an empty home (SARIF's rule catalogue) is a constant too.
        let bound = |out: &str, empty: usize| {
            empty + 64 * input + 8192 * findings.len() + (64 << 10) >= out.len()
        };
        let empty_home = s.path("empty");
        std::fs::create_dir_all(&empty_home).unwrap();
        let empty_home = empty_home.to_str().expect("UTF-8");
        let empty_len = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--home", empty_home, "--no-config"]);
            run(&all).stdout.len()
        };
        prop_assert!(
            bound(&json, empty_len(&["check", "--format", "json"])),
            "json: {} bytes for {input} input bytes and {} findings",
            json.len(),
            findings.len()
        );
        // `resolve` shows a value longer than any path or name as its length, so it is
        // bounded like the rest.
        for args in [
            vec!["check", "--format", "human"],
            vec!["check", "--format", "sarif"],
            vec!["ports", "--format", "json"],
            vec!["resolve", "--format", "json"],
            vec!["resolve", "--format", "human"],
        ] {
            let home = s.home();
            let mut all = args.clone();
            all.extend(["--home", home.as_str(), "--no-config"]);
            let out = run(&all);
            prop_assert!(out.code == 0 || out.code == 1, "{all:?}: {}", out.stderr);
            prop_assert!(
                bound(&out.stdout, empty_len(&args)),
                "{args:?}: {} bytes for {input} input bytes and {} findings ({amp:?})",
                out.stdout.len(),
                findings.len()
            );
        }
    }
}

/// Two compose files shaped unlike the tested bombs. One long line of 190,000 scalars (each
/// event's column was counted from the line's start, and each scalar's end searched to the
/// line's end: quadratic, hours in a debug build): read whole, so its container's published
/// port collides (CL108). One 1 MiB scalar behind 50,000 aliases (a few nodes, so within the node
/// budget, but 50 GiB of copied text: the run died at its address-space limit): a located
/// CL901 at the alias where the text budget is spent. The other gateways are linted.
#[test]
fn compose_files_with_one_long_line_or_a_long_aliased_scalar_are_bounded() {
    let s = Scratch::new("compose-long-line");
    add_ordinary_gateways(&s);
    let items = vec!["xxxxxxxxxx"; 190_000].join(", ");
    s.write(
        "home/stack/compose.yaml",
        &format!(
            "x-filler: [{items}]\nservices:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"19100:18789\"]\n"
        ),
    );
    let big = "x".repeat(1 << 20);
    let aliases = vec!["*a"; 50_000].join(", ");
    s.write(
        "home/bomb/compose.yaml",
        &format!(
            "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    labels:\n      big: &a \"{big}\"\n    command: [{aliases}]\n"
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl901 = with_code(&findings, "CL901");
    assert_eq!(cl901.len(), 1, "{head}");
    assert!(file_of(cl901[0]).ends_with("/bomb/compose.yaml"), "{head}");
    assert!(says(&cl901, "bytes of text"), "{head}");
    assert_eq!(cl901[0]["parties"][0]["line"], 6, "{head}");
    // The long line's container publishes 19100, the port main and copy use.
    let cl108 = with_code(&findings, "CL108");
    assert_eq!(cl108.len(), 1, "{head}");
    assert!(says(&cl108, "stack-gw-1"), "{head}");
    assert_others_linted(&findings);
}

/// The node budget counts what anchors and aliases copy, not what a file writes: a 3.6 MB
/// compose file of 100,000 plain environment entries (under the read cap, no anchor) is read,
/// its container's published port colliding (CL108); it was refused as "anchors and aliases
/// expand to more than 200000 nodes (a YAML bomb?)". A real alias bomb is still a located CL901
/// that says so. Found by a hostile-input audit.
#[test]
fn a_large_plain_compose_file_is_read_and_an_alias_bomb_still_refused() {
    let s = Scratch::new("compose-plain-large");
    add_ordinary_gateways(&s);
    let env: String = (0..100_000)
        .map(|i| format!("      V{i:06}: value{i:06}\n"))
        .collect();
    s.write(
        "home/stack/compose.yaml",
        &format!(
            "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"19100:18789\"]\n    environment:\n{env}"
        ),
    );
    let mut bomb = String::from("x-lol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let copies = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("x-lol{i}: &a{i} [{copies}]\n"));
    }
    bomb.push_str("services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n");
    s.write("home/bomb/compose.yaml", &bomb);
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl901 = with_code(&findings, "CL901");
    assert_eq!(cl901.len(), 1, "{head}");
    assert!(file_of(cl901[0]).ends_with("/bomb/compose.yaml"), "{head}");
    assert!(says(&cl901, "YAML bomb"), "{head}");
    assert!(says(&cl901, "nodes"), "{head}");
    let cl108 = with_code(&findings, "CL108");
    assert_eq!(cl108.len(), 1, "{head}");
    assert!(says(&cl108, "stack-gw-1"), "{head}");
    assert_others_linted(&findings);
}

/// `COMPOSE_ENV_FILES` is a list an author controls: a unit naming 10,000 env files gets one
/// CL907 at the line that sets it (how many it names, and that clawlint reads the first
/// `MAX_ENV_FILES`), at most that many files looked at (here each missing: one CL902 each, not
/// 10,000), and the other gateways linted all the same.
#[test]
fn compose_env_files_past_their_budget_are_a_located_cl907() {
    use clawlint::discover::compose::runs::MAX_ENV_FILES;
    const NAMED: usize = 10_000;
    let s = Scratch::new("compose-env-files");
    add_ordinary_gateways(&s);
    s.write(
        "home/stacks/acme/docker-compose.yml",
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"127.0.0.1:19300:18789\"]\n",
    );
    let list: Vec<String> = (0..NAMED).map(|i| format!("e{i}.env")).collect();
    s.write(
        "home/.config/systemd/user/openclaw-acme.service",
        &format!(
            "[Service]\nType=oneshot\nWorkingDirectory=%h/stacks/acme\nEnvironment=COMPOSE_ENV_FILES={}\nExecStart=/usr/bin/docker compose up -d\n\n[Install]\nWantedBy=default.target\n",
            list.join(",")
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(
        file_of(cl907[0]).ends_with(".config/systemd/user/openclaw-acme.service"),
        "{head}"
    );
    assert!(
        says(
            &cl907,
            &format!("with {NAMED} env files (--env-file or COMPOSE_ENV_FILES): clawlint reads the first {MAX_ENV_FILES}")
        ),
        "{head}"
    );
    let missing = with_code(&findings, "CL902");
    assert!(
        !missing.is_empty() && missing.len() <= MAX_ENV_FILES,
        "{} CL902: {head}",
        missing.len()
    );
    assert_others_linted(&findings);
    assert!(out.len() < 256 << 10, "{} bytes", out.len());
}

// ---------------------------------------------------------------------------------------------
// Scripts a service runs: every expansion has a budget, every nesting a depth
// ---------------------------------------------------------------------------------------------

/// A user unit that runs `~/bin/start.sh`, whose text is `script`.
fn unit_running_script(s: &Scratch, script: &str) {
    s.write(
        "home/.config/systemd/user/openclaw-stacks.service",
        "[Service]\nType=oneshot\nExecStart=%h/bin/start.sh\n",
    );
    let path = s.write("home/bin/start.sh", script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `~/.openclaw/gateway.cmd` (the Windows task's script) with `lines`, cmd's line ends.
fn task_script(s: &Scratch, lines: &[&str]) {
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { port: 18789 } }\n",
    );
    s.write("home/.openclaw/gateway.cmd", &(lines.join("\r\n") + "\r\n"));
}

/// A task whose `gateway.cmd` runs `~/s/start.ps1`, whose text is `script`.
fn task_running_powershell(s: &Scratch, script: &str) {
    task_script(
        s,
        &[
            "@echo off",
            "set \"USERPROFILE=C:\\Users\\ana\"",
            "powershell.exe -NoProfile -File \"%USERPROFILE%\\s\\start.ps1\"",
        ],
    );
    s.write("home/s/start.ps1", script);
}

/// A template unit's enabled instances each run its script again (a hostile-input audit: 16
/// instances of a 63 KB script of large substitutions took 5 s, 100 of a 4 MB script of `:`
/// lines minutes): the shell model's work over the run is one budget, past which clawlint
/// reads no script further and says so once, at the script (CL907). Every instance is still
/// a gateway whose command clawlint cannot read (CL409), and the other gateways are linted.
#[test]
fn a_templates_instances_share_one_shell_work_budget() {
    let s = Scratch::new("template-shell-work");
    add_ordinary_gateways(&s);
    s.write(
        "home/.config/systemd/user/openclaw@.service",
        "[Service]\nEnvironment=OPENCLAW_PROFILE=%i\nExecStart=%h/bin/start.sh --port %i\n[Install]\nWantedBy=default.target\n",
    );
    let wants = s.path("home/.config/systemd/user/default.target.wants");
    std::fs::remove_file(wants.join("openclaw@.service")).unwrap();
    for i in 1..=16 {
        let link = wants.join(format!("openclaw@{}.service", 20000 + i));
        std::os::unix::fs::symlink("../openclaw@.service", link).unwrap();
    }
    // Each read substitutes its own budget's 32 MiB: 600 KB values, 200 times.
    let script = format!(
        "#!/bin/sh\nA={}\nB=$A$A$A$A$A$A$A$A$A$A\n{}exec node /opt/app/index.js\n",
        "x".repeat(60_000),
        "echo $B$B$B$B\n".repeat(50)
    );
    let path = s.write("home/bin/start.sh", &script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_, findings, out) = check_json(&s.home());
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{out}");
    assert!(file_of(cl907[0]).ends_with("bin/start.sh"), "{out}");
    assert!(
        says(&cl907, "bytes of shell clawlint models in one run"),
        "{out}"
    );
    assert_eq!(with_code(&findings, "CL409").len(), 16, "{out}");
    assert_others_linted(&findings);
}

/// A value doubled at each of 40 lines (16 bytes to 16 TiB) in a shell script, a batch file
/// and a PowerShell script, then used on the line that starts compose or the gateway: the
/// expansion stops at its budget (the address space the run has is far below what the old
/// readers asked for, so they aborted), the variable is one clawlint cannot work out, and
/// the other gateways are linted.
#[test]
fn doubling_script_variables_hit_the_expansion_budget() {
    let doubled = |first: String, double: &str, last: &str| -> String {
        let mut lines = vec![first];
        lines.extend(std::iter::repeat_n(double.to_string(), 40));
        lines.push(last.to_string());
        lines.join("\n") + "\n"
    };
    let shell = Scratch::new("double-sh");
    add_ordinary_gateways(&shell);
    unit_running_script(
        &shell,
        &doubled(
            "#!/bin/sh\nA=xxxxxxxxxxxxxxxx".to_string(),
            "A=\"$A$A\"",
            "cd \"$HOME/stacks/$A\"\ndocker compose up -d",
        ),
    );
    let batch = Scratch::new("double-cmd");
    add_ordinary_gateways(&batch);
    let batch_text = doubled(
        "@echo off\nset A=xxxxxxxxxxxxxxxx".to_string(),
        "set A=%A%%A%",
        "openclaw gateway --port %A%",
    );
    task_script(&batch, &batch_text.lines().collect::<Vec<_>>());
    let powershell = Scratch::new("double-ps1");
    add_ordinary_gateways(&powershell);
    task_running_powershell(
        &powershell,
        &doubled(
            "$a = \"xxxxxxxxxxxxxxxx\"".to_string(),
            "$a = $a + $a",
            "docker compose -p $a up -d",
        ),
    );
    for s in [&shell, &batch, &powershell] {
        let (_, findings, _) = check_json(&s.home());
        assert_others_linted(&findings);
    }
    // The batch file's note says why %A% is unknown.
    let out = run(&["resolve", "--home", &batch.home(), "--no-config"]);
    assert!(
        out.stdout.contains(&format!(
            "%A% is unknown: expanding it would bring what the task's batch files expand past {} bytes",
            clawlint::discover::windows::MAX_SUBSTITUTED_BYTES
        )),
        "{}{}",
        &out.stdout[..out.stdout.len().min(4000)],
        out.stderr
    );
}

/// Expressions nested thousands deep, each level of which the readers read by a call inside
/// the one before: PowerShell's `((((…))))`, the shell's `${A:-${A:-…}}` and `$(echo $(echo
/// …))`. Past the depth budget the value is one clawlint cannot work out; the old readers
/// overflowed the stack (an abort, every other finding lost).
#[test]
fn deeply_nested_script_expressions_are_bounded() {
    const DEEP: usize = 20_000;
    let powershell = Scratch::new("nested-ps1");
    add_ordinary_gateways(&powershell);
    task_running_powershell(
        &powershell,
        &format!(
            "$d = {}\"acme\"{}\ndocker compose -p $d up -d\n",
            "(".repeat(DEEP),
            ")".repeat(DEEP)
        ),
    );
    let default = Scratch::new("nested-sh-default");
    add_ordinary_gateways(&default);
    unit_running_script(
        &default,
        &format!(
            "#!/bin/sh\ndocker compose -p \"{}acme{}\" up -d\n",
            "${A:-".repeat(DEEP),
            "}".repeat(DEEP)
        ),
    );
    let substitution = Scratch::new("nested-sh-subst");
    add_ordinary_gateways(&substitution);
    unit_running_script(
        &substitution,
        &format!(
            "#!/bin/sh\ndocker compose -p \"{}acme{}\" up -d\n",
            "$(echo ".repeat(DEEP / 4),
            ")".repeat(DEEP / 4)
        ),
    );
    for s in [&powershell, &default, &substitution] {
        let (_, findings, _) = check_json(&s.home());
        assert_others_linted(&findings);
    }
}

/// A task script of four million bytes, most of them line ends, with a `setlocal` scope
/// opened on thousands of lines and thousands of distinct variables nobody set: read in one
/// pass (the old reader counted the lines before each line from the start of the file, and
/// compared each note with every note before it), `setlocal` nested no deeper than cmd
/// nests it.
#[test]
fn a_long_task_script_is_read_in_linear_time() {
    let s = Scratch::new("long-cmd");
    add_ordinary_gateways(&s);
    let mut text = String::from("@echo off\r\n");
    for i in 0..20_000 {
        text.push_str(&format!("set V{i}=1\r\nsetlocal\r\necho %U{i}%\r\n"));
    }
    let limit = clawlint::load::read::SMALL_FILE_LIMIT as usize;
    let tail = "openclaw gateway --port 18790\r\n";
    text.push_str(&"\n".repeat(limit - text.len() - tail.len()));
    text.push_str(tail);
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { port: 18789 } }\n",
    );
    s.write("home/.openclaw/gateway.cmd", &text);
    let (_, findings, out) = check_json(&s.home());
    assert_others_linted(&findings);
    // The command at its end was read: it starts the gateway on another port than its config.
    let cl401 = with_code(&findings, "CL401");
    assert_eq!(cl401.len(), 1, "{}", &out[..out.len().min(4000)]);
    assert!(
        file_of(cl401[0]).ends_with(".openclaw/gateway.cmd"),
        "{out}"
    );
}

/// A PowerShell statement clawlint cannot work out is named where it is (CL902), but its text
/// is the pull request's and may hold a secret: in no format, and not in `resolve`, is any
/// of it shown that the command line scanner does not know is safe.
#[test]
fn powershell_statements_in_messages_never_show_a_secret() {
    let s = Scratch::new("ps1-secret-statement");
    add_ordinary_gateways(&s);
    let secrets = [
        "sk-live-0123456789abcdefFAKE",
        "hunter2-FAKE-PASSWORD",
        "ghp_FAKEFAKEFAKEFAKEFAKE",
        "tok-FAKE-GATEWAY-4444",
    ];
    task_running_powershell(
        &s,
        &format!(
            "Invoke-Expression \"docker compose -e OPENCLAW_GATEWAY_TOKEN={} up -d\"\n\
             cmd /c \"set PASS={} && docker compose up -d\"\n\
             docker compose --env-file $(Get-Secret {}) up -d\n\
             openclaw gateway --port 18791 $(\"--token={}\")\n",
            secrets[0], secrets[1], secrets[2], secrets[3]
        ),
    );
    let home = s.home();
    no_output_shows(&home, &secrets);
    // Each statement is still named where it is.
    let (_, findings, out) = check_json(&home);
    let cl902 = with_code(&findings, "CL902");
    for line in 1..=2 {
        assert!(
            says(&cl902, &format!("start.ps1:{line} runs `")),
            "line {line}: {out}"
        );
    }
    assert!(says(&cl902, "runs `Invoke-Expression \""), "{out}");
    assert_others_linted(&findings);
}

/// A task's PowerShell script with a token-shaped secret in each form PowerShell writes a
/// value (`$env:` assignments, a here-string, backtick escapes, an `-ArgumentList` array, an
/// `$…Args` array, `Invoke-Expression` and `cmd /c` strings, `SetEnvironmentVariable`, a
/// hashtable, `param()` defaults, comments): no format and not `resolve` shows any of them,
/// in a message or a snippet of the script; and what is harmless in the statements it
/// cannot work out is shown (the command scanner masked `compose`, `up` and whole strings).
#[test]
fn powershell_scripts_show_their_harmless_text_and_no_secret() {
    let s = Scratch::new("ps1-secret-forms");
    add_ordinary_gateways(&s);
    let secrets = [
        "sk-live-0123456789abcdefFAKE",
        "hunter2-FAKE-PASSWORD",
        "ghp_FAKEFAKEFAKEFAKEFAKE",
        "tok-FAKE-GATEWAY-4444",
        "wJalrXUtnFEMI/KxMDENG/bPxRfiCYFAKEKEY",
        "xoxb-FAKE-HERE-STRING",
        "FAKE-TICK-ESCAPED",
        "FAKE-SETENV-SECRET",
    ];
    let script = format!(
        "param([string]$Tier = 'ops', [string]$Token = '{0}')\n\
         # the key is {1}\n\
         $env:OPENCLAW_GATEWAY_TOKEN = '{2}'\n\
         $env:SLACK_APP_TOKEN=\"{3}\"\n\
         $auth = @{{ Authorization = \"Bearer {4}\" }}\n\
         $note = @\"\n{5}\n\"@\n\
         $composeFile = Join-Path $PSScriptRoot 'compose.yml'\n\
         Invoke-Expression \"docker compose -f $composeFile up -d\"\n\
         cmd /c \"set PASS={1} && docker compose up -d\"\n\
         $dockerArgs = @('compose', '-e', 'OPENCLAW_GATEWAY_TOKEN={0}', 'up')\n\
         Start-Process docker -ArgumentList 'compose', '--password', `\n  \"`\"{6}`\"\", 'up'\n\
         [Environment]::SetEnvironmentVariable('OPENCLAW_GATEWAY_TOKEN', '{7}', 'User')\n\
         iex \"docker compose -e OPENCLAW_GATEWAY_TOKEN={2} up -d\"\n",
        secrets[0],
        secrets[1],
        secrets[2],
        secrets[3],
        secrets[4],
        secrets[5],
        secrets[6],
        secrets[7],
    );
    task_running_powershell(&s, &script);
    let home = s.home();
    no_output_shows(&home, &secrets);
    let (_, findings, out) = check_json(&home);
    let cl902 = with_code(&findings, "CL902");
    assert!(
        says(
            &cl902,
            "start.ps1:10 runs `Invoke-Expression \"docker compose -f $composeFile up -d\"`"
        ),
        "{out}"
    );
    assert!(
        says(&cl902, "runs `cmd /c \"set PASS=*********************"),
        "{out}"
    );
    assert!(
        cl902.iter().any(|f| f["help"]
            .as_str()
            .is_some_and(|h| h.contains("reads a .ps1 without running it"))),
        "the PowerShell help: {out}"
    );
    // The script's snippets show its code, masked where it may hold a secret.
    let human = run(&check_in_format(&home, "human")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(
        human
            .stdout
            .contains("Invoke-Expression \"docker compose -f $composeFile up -d\""),
        "{}",
        human.stdout
    );
    assert_others_linted(&findings);
}

/// A script that sets tens of thousands of variables, then runs `docker compose` (or starts a
/// gateway) tens of thousands of times: about 1.5 MB of PowerShell a task runs, and of shell
/// a unit runs. The old readers copied the whole environment into every command they found
/// (40,000 × 40,000 variables: the run aborted, memory exhausted), and looked for each
/// variable among all those set before it (quadratic). Now each variable is kept once, the
/// copies are counted against the script's budget, and past it clawlint stops reading the
/// script with a located CL907; the other gateways are linted.
#[test]
fn huge_script_environments_are_copied_within_a_budget() {
    const N: usize = 40_000;
    let powershell = Scratch::new("env-copies-ps1");
    add_ordinary_gateways(&powershell);
    let mut text = String::new();
    for i in 0..N {
        text.push_str(&format!("$env:V{i}=1\n"));
    }
    text.push_str(&"docker compose up -d\n".repeat(N));
    task_running_powershell(&powershell, &text);
    let shell = Scratch::new("env-copies-sh");
    add_ordinary_gateways(&shell);
    let mut text = String::from("#!/bin/sh\n");
    for i in 0..N {
        text.push_str(&format!("export V{i}=1\n"));
    }
    text.push_str(&"docker compose up -d\n".repeat(N));
    unit_running_script(&shell, &text);
    for (s, script) in [(&powershell, "/s/start.ps1"), (&shell, "/bin/start.sh")] {
        let (_, findings, out) = check_json(&s.home());
        let head = &out[..out.len().min(4000)];
        let cl907 = with_code(&findings, "CL907");
        assert_eq!(cl907.len(), 1, "{head}");
        assert!(file_of(cl907[0]).ends_with(script), "{head}");
        assert!(
            says(&cl907, "clawlint stops reading the script here"),
            "{head}"
        );
        assert_others_linted(&findings);
        assert!(out.len() < 1 << 20, "{} bytes", out.len());
    }
}

/// A gateway script that exports 40,000 variables before `exec openclaw gateway`: each is
/// placed on its line once (the old reader counted the lines before each export from the
/// start of the file: quadratic), and the gateway's port is read.
#[test]
fn a_gateway_script_with_forty_thousand_exports_is_read_in_linear_time() {
    let s = Scratch::new("exports-gateway-sh");
    add_ordinary_gateways(&s);
    let mut text = String::from("#!/bin/sh\n");
    for i in 0..40_000 {
        text.push_str(&format!("export OPENCLAW_V{i}=1\n"));
    }
    text.push_str("exec openclaw gateway --port 19100\n");
    s.write(
        "home/.config/systemd/user/openclaw-gateway-big.service",
        "[Service]\nExecStart=%h/bin/start.sh\n\n[Install]\nWantedBy=default.target\n",
    );
    let path = s.write("home/bin/start.sh", &text);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_, findings, out) = check_json(&s.home());
    assert_others_linted(&findings);
    // The script's gateway was read: it takes the port main and copy collide on.
    assert!(
        out.contains("openclaw-gateway-big.service"),
        "{}",
        &out[..out.len().min(4000)]
    );
}

/// 40,000 variables, then 40,000 command substitutions: each substitution is evaluated
/// without copying the variables (the old reader copied all of them for every word of every
/// substitution: quadratic, the run never ended).
#[test]
fn command_substitutions_after_many_variables_are_linear() {
    let s = Scratch::new("subst-many-vars");
    add_ordinary_gateways(&s);
    let mut text = String::from("#!/bin/sh\n");
    for i in 0..40_000 {
        text.push_str(&format!("V{i}=1\n"));
    }
    text.push_str(&"X=$(echo acme)\n".repeat(40_000));
    text.push_str("docker compose -p \"$X\" up -d\n");
    unit_running_script(&s, &text);
    let (_, findings, _) = check_json(&s.home());
    assert_others_linted(&findings);
    assert!(with_code(&findings, "CL907").is_empty(), "{findings:#?}");
}

/// A quadlet directory with more entries than the quadlet search looks at: the listing itself
/// is bounded (never read whole), and where the search stopped is one located CL907, never a
/// silent cut; the quadlet found before it is linted, the one past it is not found.
#[test]
fn quadlet_search_past_its_entry_budget_is_a_located_cl907() {
    use clawlint::discover::quadlet::SCAN_ENTRY_BUDGET;
    let s = Scratch::new("quadlet-budget");
    add_ordinary_gateways(&s);
    let quadlet = |port: u16| {
        format!("[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nPublishPort={port}:18789\n")
    };
    s.write(
        "home/.config/containers/systemd/aaa.container",
        &quadlet(19100),
    );
    let many = s.path("home/.config/containers/systemd/many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..=SCAN_ENTRY_BUDGET {
        std::fs::File::create(many.join(format!("f{i:06}"))).unwrap();
    }
    s.write(
        "home/.config/containers/systemd/zzz.container",
        &quadlet(19700),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(
        file_of(cl907[0]).ends_with("/.config/containers/systemd/many"),
        "{head}"
    );
    assert!(
        says(
            &cl907,
            &format!("looks at {SCAN_ENTRY_BUDGET} directory entries at most")
        ),
        "{head}"
    );
    assert!(out.contains("systemd/aaa.container"), "{head}");
    assert!(
        cl907[0]["help"]
            .as_str()
            .is_some_and(|h| h.contains("a real directory of this kind")),
        "{head}"
    );
    assert!(!out.contains("zzz.container"), "{head}");
    assert_others_linted(&findings);
    assert!(out.len() < 64 << 10, "{} bytes", out.len());
}

/// Two gateway units of a user manager, and `dir_rel` (a drop-in directory of that manager)
/// with one entry more than the drop-in listing budget: the listing stops there as one
/// located CL907 (returned), however many units it applies to; the gateways and the others
/// are still linted, and the output stays small.
fn drop_in_listing_past_its_budget(name: &str, dir_rel: &str) -> serde_json::Value {
    use clawlint::discover::services::MANAGER_DROP_IN_ENTRY_BUDGET;
    let s = Scratch::new(name);
    add_ordinary_gateways(&s);
    for (name, port) in [("ops", 19800), ("dev", 19810)] {
        s.write(
            &format!("home/.config/systemd/user/openclaw-gateway-{name}.service"),
            &format!(
                "[Service]\nExecStart=/usr/bin/openclaw --profile {name} gateway --port {port}\n\n\
                 [Install]\nWantedBy=default.target\n"
            ),
        );
    }
    let many = s.path(dir_rel);
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..=MANAGER_DROP_IN_ENTRY_BUDGET {
        std::fs::File::create(many.join(format!("f{i:06}.conf"))).unwrap();
    }
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    let dir = dir_rel.trim_start_matches("home");
    assert!(file_of(cl907[0]).ends_with(dir), "{head}");
    assert!(
        says(
            &cl907,
            &format!("listed {MANAGER_DROP_IN_ENTRY_BUDGET} entries at most")
        ),
        "{head}"
    );
    assert!(out.contains("openclaw-gateway-ops.service"), "{head}");
    assert_others_linted(&findings);
    assert!(out.len() < 64 << 10, "{} bytes", out.len());
    cl907[0].clone()
}

/// A user manager's `user.conf.d/` with more entries than its listing looks at (each
/// `*.conf` is size-bounded, their number was not: all were listed and read, once for the
/// run).
#[test]
fn manager_drop_in_listing_past_its_entry_budget_is_a_located_cl907() {
    let cl907 =
        drop_in_listing_past_its_budget("manager-budget", "home/.config/systemd/user.conf.d");
    // The help is about the directory, not the profile dirs of a home.
    assert!(
        cl907["help"]
            .as_str()
            .is_some_and(|h| h.contains("a real directory of this kind")),
        "{cl907}"
    );
}

/// A user manager's `~/.config/environment.d/` with more entries than its listing looks at:
/// one located CL907 in the words of environment.d (it said "DefaultEnvironment= drop-ins").
#[test]
fn environment_d_listing_past_its_entry_budget_is_a_located_cl907() {
    let cl907 =
        drop_in_listing_past_its_budget("environment-d-budget", "home/.config/environment.d");
    let message = cl907["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("environment.d directories are listed")
            && message.contains("its environment.d files")
            && !message.contains("DefaultEnvironment="),
        "{cl907}"
    );
}

/// The top-level `service.d/` (every unit's drop-ins) with more entries than a unit's
/// drop-in listing looks at: the old reader listed and read all of them for each unit it
/// read and again for each unit of the dependency walk (100,000 empty drop-ins of one
/// unit: 30-47 s).
#[test]
fn unit_drop_in_listing_past_its_entry_budget_is_a_located_cl907() {
    drop_in_listing_past_its_budget("unit-drop-in-budget", "home/.config/systemd/user/service.d");
}

/// A user manager's `user.conf` that is a FIFO: a located CL902, never opened and never
/// passed over silently (the old listing took only a regular file as the main file and said
/// nothing of the FIFO). A `user.conf` linked to /dev/null is an empty one, not a problem.
#[test]
fn a_fifo_manager_config_is_located_and_never_opened() {
    let s = Scratch::new("manager-fifo");
    add_ordinary_gateways(&s);
    s.write(
        "home/.config/systemd/user/openclaw-gateway-ops.service",
        "[Service]\nExecStart=/usr/bin/openclaw --profile ops gateway --port 19800\n\n\
         [Install]\nWantedBy=default.target\n",
    );
    s.fifo("home/.config/systemd/user.conf");
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{head}");
    assert!(
        file_of(cl902[0]).ends_with("/.config/systemd/user.conf"),
        "{head}"
    );
    assert!(says(&cl902, "FIFO"), "{head}");
    assert_others_linted(&findings);
    std::fs::remove_file(s.path("home/.config/systemd/user.conf")).unwrap();
    std::os::unix::fs::symlink("/dev/null", s.path("home/.config/systemd/user.conf")).unwrap();
    let (_, findings, out) = check_json(&s.home());
    assert!(with_code(&findings, "CL902").is_empty(), "{out}");
}

/// `docker compose --env-file F` where compose's env file is not read: a FIFO (never
/// opened; the old check called it missing, "which does not exist"), a symlink out of the
/// layout, an absolute path outside it, and a device. The last two only marked the run
/// unverifiable, with nothing located; the first two were said at the file. Each is one
/// located CL902 at the line that runs compose with it, saying what it is, with nothing of
/// what is outside shown; `--allow-outside` reads the outside one.
#[test]
fn compose_env_files_not_read_are_located_at_the_line_naming_them() {
    let s = Scratch::new("compose-env-not-read");
    add_ordinary_gateways(&s);
    s.write(
        "home/stacks/acme/compose.yaml",
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"${PORT:-18789}:18789\"]\n",
    );
    s.write("outside/x.env", "PORT=19444 # CANARY-OUTSIDE-env-2d9f\n");
    s.fifo("home/stacks/acme/fifo.env");
    std::os::unix::fs::symlink(s.path("outside/x.env"), s.path("home/stacks/acme/link.env"))
        .unwrap();
    let outside = s.path("outside/x.env").display().to_string();
    let cases = [
        ("fifo", "fifo.env".to_string(), "FIFO"),
        ("link", "link.env".to_string(), "outside the scanned homes"),
        ("abs", outside.clone(), "outside the scanned homes"),
        ("dev", "/dev/zero".to_string(), "outside the scanned homes"),
    ];
    for (name, file, _) in &cases {
        s.write(
            &format!("home/.config/systemd/user/openclaw-{name}.service"),
            &format!(
                "[Service]\nType=oneshot\nWorkingDirectory=%h/stacks/acme\n\
                 ExecStart=/usr/bin/docker compose -p {name} --env-file {file} up -d\n\n\
                 [Install]\nWantedBy=default.target\n"
            ),
        );
    }
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    assert!(!out.contains("which does not exist"), "{head}");
    assert!(!out.contains("CANARY-OUTSIDE"), "{head}");
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), cases.len(), "{head}");
    for (name, file, what) in &cases {
        let at: Vec<&serde_json::Value> = cl902
            .iter()
            .copied()
            .filter(|f| file_of(f).ends_with(&format!("/openclaw-{name}.service")))
            .collect();
        assert_eq!(at.len(), 1, "{name}: {head}");
        assert_eq!(at[0]["parties"][0]["line"], 4, "{name}: {head}");
        let shown = file.rsplit('/').next().unwrap();
        assert!(says(&at, shown) && says(&at, what), "{name}: {head}");
    }
    assert_others_linted(&findings);
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--no-config",
        "--format",
        "json",
        "--allow-outside",
        &outside,
    ]);
    assert!(out.stdout.contains("19444"), "{}", out.stdout);
}

/// A PowerShell script runs a script beside it that does not exist (`& "$PSScriptRoot\…"`):
/// the note names it under the home as every other path is named, never with the absolute
/// path of the machine clawlint runs on ($PSScriptRoot is where the layout lies here).
#[test]
fn a_powershell_script_clawlint_does_not_read_is_named_under_the_home() {
    let s = Scratch::new("ps1-not-read");
    add_ordinary_gateways(&s);
    task_running_powershell(
        &s,
        "& \"$PSScriptRoot\\missing.ps1\"\n& \"$PSScriptRoot\\..\\deep\\gone.ps1\"\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let machine = s.path("").display().to_string();
    let not_read: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("which clawlint does not read"))
        })
        .collect();
    assert_eq!(not_read.len(), 2, "{out}");
    assert!(says(&not_read, "runs the script ~/s/missing.ps1,"), "{out}");
    assert!(says(&not_read, "runs the script ~/deep/gone.ps1,"), "{out}");
    // The scripts named, not the file:line where they are run (a path of the layout as
    // given on the command line), are under the home.
    for f in &not_read {
        let message = f["message"].as_str().unwrap();
        let named = message.split("runs the script ").nth(1).unwrap_or_default();
        assert!(!named.contains(machine.trim_end_matches('/')), "{message}");
    }
    assert_others_linted(&findings);
}

/// A script tests a path that leads out of the layout through a symlinked directory in the
/// home (`if [ -f ~/out/x ]; then . ~/lib/a.sh; fi`): whether the file outside exists must not change
/// what clawlint says (a one-bit look outside). Two tests, one whose file exists outside
/// and one whose file does not, are both unknown: both guarded `source`s are read alike.
#[test]
fn existence_tests_never_look_out_of_the_layout() {
    let s = Scratch::new("exists-outside");
    add_ordinary_gateways(&s);
    s.write("outside/present", "x\n");
    std::fs::create_dir_all(s.path("home")).unwrap();
    std::os::unix::fs::symlink(s.path("outside"), s.path("home/out")).unwrap();
    unit_running_script(
        &s,
        "#!/bin/sh\nif [ -f \"$HOME/out/present\" ]; then\n  . \"$HOME/lib/a.sh\"\nfi\nif [ -f \"$HOME/out/absent\" ]; then\n  . \"$HOME/lib/b.sh\"\nfi\ndocker compose up -d\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let about = |name: &str| -> Vec<String> {
        findings
            .iter()
            .filter_map(|f| f["message"].as_str())
            .filter(|m| m.contains(&format!("lib/{name}.sh")))
            .map(|m| {
                m.replace(&format!("lib/{name}.sh"), "lib/X.sh")
                    .replace(":3 ", ":N ")
                    .replace(":6 ", ":N ")
            })
            .collect()
    };
    let (a, b) = (about("a"), about("b"));
    assert!(!a.is_empty(), "{out}");
    assert_eq!(a, b, "{out}");
    assert_others_linted(&findings);
}

/// A shell script's words clawlint cannot work out are named where they are (CL902, and
/// `resolve`'s unseen list), but they are the pull request's text and may hold a secret: in
/// no format, and not in `resolve`, is any of it shown that the shell script scanner does not
/// know is safe.
#[test]
fn shell_words_in_messages_never_show_a_secret() {
    let s = Scratch::new("sh-secret-words");
    add_ordinary_gateways(&s);
    let secrets = [
        "sk-live-0123456789abcdefFAKE",
        "ghp_FAKE0123456789abcdefFAKE0123",
        "xoxb-FAKE0123456789abcdefFAKE",
    ];
    unit_running_script(
        &s,
        &format!(
            "#!/bin/sh\n. \"$(vault kv get -field=env secret/{})\"\ncd \"/srv/$(pass show {})\"\n./deploy-$(cat /run/{}).sh\ndocker compose up -d\n",
            secrets[0], secrets[2], secrets[1]
        ),
    );
    s.write(
        "home/.config/systemd/user/openclaw-gateway-gw.service",
        "[Service]\nExecStart=%h/bin/gw.sh\n\n[Install]\nWantedBy=default.target\n",
    );
    let gw = s.write(
        "home/bin/gw.sh",
        &format!(
            "#!/bin/sh\n. \"$(vault read -field=env secret/{})\"\nexec openclaw gateway --port 19555\n",
            secrets[1]
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(gw, std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = s.home();
    no_output_shows(&home, &secrets);
    // Each word is still named where it is.
    let (_, findings, out) = check_json(&home);
    let cl902 = with_code(&findings, "CL902");
    assert!(says(&cl902, "start.sh:2 sources `$(vault"), "{out}");
    assert!(
        says(&cl902, "start.sh:4 runs the script `./deploy-$(cat"),
        "{out}"
    );
    let resolved = run(&["resolve", "--home", &home, "--no-config"]);
    assert!(
        resolved
            .stdout
            .contains("what the shell script's `source $(vault"),
        "{}",
        resolved.stdout
    );
    assert_others_linted(&findings);
}

/// 40,000 `if` blocks nested in a script a unit runs, `docker compose` at the bottom: each
/// statement looked at every open block (quadratic: the run never ended). Blocks deeper than
/// the reader follows are only matched with their ends; what is inside them may or may not
/// run.
#[test]
fn deeply_nested_script_blocks_are_read_in_linear_time() {
    const DEEP: usize = 40_000;
    let s = Scratch::new("nested-if-sh");
    add_ordinary_gateways(&s);
    unit_running_script(
        &s,
        &format!(
            "#!/bin/sh\n{}docker compose -p deep up -d\n{}{}docker compose -p after up -d\n",
            "if true; then\n".repeat(DEEP),
            "fi\n".repeat(DEEP),
            "{\n".repeat(DEEP) + &"}\n".repeat(DEEP),
        ),
    );
    let (_, findings, _) = check_json(&s.home());
    assert_others_linted(&findings);
}

/// A LaunchAgent whose `EnvironmentVariables` holds 40,000 entries: each is placed on its
/// `<string>` in one pass over the plist (a search from the start of the file for each
/// variable never finished), and the job's gateway is linted.
#[test]
fn a_plist_with_forty_thousand_variables_is_read_in_linear_time() {
    let s = Scratch::new("plist-many-env");
    add_ordinary_gateways(&s);
    let env: String = (0..40_000)
        .map(|i| format!("<key>V{i}</key><string>{i}</string>"))
        .collect();
    s.write(
        "home/Library/LaunchAgents/ai.openclaw.gateway.plist",
        &format!(
            "<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>ai.openclaw.gateway</string><key>EnvironmentVariables</key><dict>{env}<key>OPENCLAW_GATEWAY_PORT</key><string>19100</string></dict><key>ProgramArguments</key><array><string>openclaw</string><string>gateway</string></array></dict></plist>\n"
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    assert_others_linted(&findings);
    // The job's port, set on its line, collides with main and copy.
    assert!(
        out.contains("ai.openclaw.gateway.plist"),
        "{}",
        &out[..out.len().min(4000)]
    );
}

/// A gateway unit that runs `~/bin/gw.sh`, whose text is `script`.
fn gateway_unit_running_script(s: &Scratch, script: &str) {
    s.write(
        "home/.config/systemd/user/openclaw-gateway-gw.service",
        "[Service]\nExecStart=%h/bin/gw.sh\n\n[Install]\nWantedBy=default.target\n",
    );
    let path = s.write("home/bin/gw.sh", script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Scripts that source themselves (`. "$0"` on each of 20,000 lines, for compose and for a
/// gateway) and two that source each other: each `source` of a file being read is stopped
/// once, where it is written, and a script's notes are capped, the rest counted in one
/// summary. The old reader re-read the script at every such line, down to its depth and
/// read budgets, and said each statement again at each re-read: 2,000 lines gave 3,999
/// CL907s (4 MB), 20,000 ran past 120 s.
#[test]
fn scripts_that_source_themselves_are_read_once_with_a_bounded_report() {
    use clawlint::discover::services::MAX_SCRIPT_NOTES;
    const LINES: usize = 20_000;
    // The pair is read 32 times (each `. ./lib.sh` reads it again, as the shell does, up to
    // the read budget): 2,000 lines each, past the old reader's 3,999 notes.
    const PAIR_LINES: usize = 2_000;
    let compose = Scratch::new("source-self-compose");
    add_ordinary_gateways(&compose);
    unit_running_script(
        &compose,
        &format!(
            "#!/bin/sh\n{}docker compose -f acme.yaml up -d\n",
            ". \"$0\"\n".repeat(LINES)
        ),
    );
    let gateway = Scratch::new("source-self-gateway");
    add_ordinary_gateways(&gateway);
    gateway_unit_running_script(
        &gateway,
        &format!(
            "#!/bin/sh\n{}exec openclaw gateway --port 19555\n",
            ". \"$0\"\n".repeat(LINES)
        ),
    );
    let pair = Scratch::new("source-each-other");
    add_ordinary_gateways(&pair);
    unit_running_script(
        &pair,
        &format!(
            "#!/bin/sh\ncd \"$(dirname \"$0\")\"\n{}docker compose -p acme up -d\n",
            ". ./lib.sh\n".repeat(PAIR_LINES)
        ),
    );
    pair.write("home/bin/lib.sh", &". ./start.sh\n".repeat(PAIR_LINES));
    for (s, script) in [
        (&compose, "/bin/start.sh"),
        (&gateway, "/bin/gw.sh"),
        (&pair, "/bin/lib.sh"),
    ] {
        let (_, findings, out) = check_json(&s.home());
        let head = &out[..out.len().min(4000)];
        let cycles: Vec<&serde_json::Value> = with_code(&findings, "CL907")
            .into_iter()
            .filter(|f| says(&[f], "which is being read already"))
            .collect();
        assert!(!cycles.is_empty(), "{head}");
        assert!(
            cycles.len() <= MAX_SCRIPT_NOTES,
            "{} cycles: {head}",
            cycles.len()
        );
        assert!(
            cycles.iter().any(|f| file_of(f).ends_with(script)),
            "{head}"
        );
        let summaries = with_code(&findings, "CL907")
            .into_iter()
            .filter(|f| says(&[f], "more statements from here on"))
            .count();
        assert!(summaries >= 1, "{head}");
        assert!(out.len() < 1 << 20, "{} bytes", out.len());
        assert_others_linted(&findings);
    }
    // The script's own compose run, after the lines that loop, is still read (its file is
    // missing, which is said there).
    let (_, _, out) = check_json(&compose.home());
    assert!(
        out.contains(&format!("start.sh:{} (run by", LINES + 2)),
        "{}",
        &out[..out.len().min(4000)]
    );
}

/// A shell script beside a compose project whose 15,000 exports then 1,000 `docker compose`
/// lines pass the copy budget: where clawlint stopped reading it is a located CL907 (the
/// old reader of these scripts stopped silently); one too large to read is a located CL902
/// (it was skipped silently). The other gateways are linted.
#[test]
fn a_compose_wrapper_script_past_its_copy_budget_is_a_located_cl907() {
    const N: usize = 15_000;
    let s = Scratch::new("wrapper-copies");
    add_ordinary_gateways(&s);
    s.write(
        "home/stacks/acme/compose.yaml",
        "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"19300:18789\"]\n",
    );
    let mut text = String::from("#!/bin/sh\n");
    for i in 0..N {
        text.push_str(&format!("export V{i}=1\n"));
    }
    text.push_str(&"docker compose up -d\n".repeat(1_000));
    s.write("home/stacks/acme/up.sh", &text);
    s.write(
        "home/stacks/acme/big.sh",
        &"docker compose up -d\n".repeat(20_000),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(file_of(cl907[0]).ends_with("/stacks/acme/up.sh"), "{head}");
    assert!(
        says(&cl907, "clawlint stops reading the script here"),
        "{head}"
    );
    let too_large: Vec<&serde_json::Value> = with_code(&findings, "CL902")
        .into_iter()
        .filter(|f| file_of(f).ends_with("/stacks/acme/big.sh"))
        .collect();
    assert_eq!(too_large.len(), 1, "{head}");
    assert_others_linted(&findings);
    assert!(out.len() < 1 << 20, "{} bytes", out.len());
}

/// Passwords that are not token-shaped, in the commands a script's command substitutions
/// run (`$(pass show …)`, `$(echo …)`, backticks), on the line a command continues to and in
/// a here-document, each on a line a finding shows (a `source` clawlint cannot work out, and
/// the lines around it): no format, and not `resolve`, shows them. The old scanner showed
/// each in the human snippet, and the first in every format's message.
#[test]
fn passwords_in_command_substitutions_and_heredocs_are_never_shown() {
    let s = Scratch::new("sh-subst-passwords");
    add_ordinary_gateways(&s);
    let secrets = [
        "ops/correct-horse",
        "battery/staple",
        "tr0ub4dor&3",
        "hunter2/again",
        "s3cret/heredoc",
    ];
    unit_running_script(
        &s,
        &format!(
            "#!/bin/sh\n. \"/srv/$(pass show {})\"\nexport DATA_DIR=$(echo {}) B=`printf %s '{}'`\n. \"$(vault read -field=a x)\"\ndocker login -u ops -p \\\n  {}\n. \"$(vault read -field=b x)\"; cat > /tmp/x <<EOS\n{}\nEOS\ndocker compose up -d\n",
            secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]
        ),
    );
    no_output_shows(&s.home(), &secrets);
    // The lines are shown, as far as they are safe.
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--no-config",
        "--color",
        "never",
    ]);
    assert!(
        out.stdout.contains(". \"/srv/$(pass ****"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("export DATA_DIR=$(echo ****"),
        "{}",
        out.stdout
    );
}

/// Scripts that open a command substitution and never close it: a gateway script and a
/// compose script whose second line opens `"$(` (after a password), then 40,000 lines of
/// `echo "$(`, then the gateway or compose command, which the shell never reaches (it reads
/// on to the end for the `)` and stops with a syntax error). Where the shell stops is one
/// located CL901, its text not shown; the old reader looked for the end again from every
/// later `$(` (4,000 lines: 5.6 s; 20,000: 98 s) and said nothing. A gateway command with
/// substitutions nested 50,000 deep in double quotes overflowed the old reader's stack (an
/// abort, every finding lost): past 64 levels it is taken as never closed.
#[test]
fn unclosed_and_deeply_quoted_substitutions_are_read_in_linear_time() {
    const LINES: usize = 40_000;
    const SECRET: &str = "hunter2-FAKE-unclosed";
    let unclosed = |last: &str| {
        format!(
            "#!/bin/sh\nexport PASS={SECRET}; x=\"$(cat /run/pw {SECRET}\n{}{last}\n",
            "echo \"$(\n".repeat(LINES)
        )
    };
    let gateway = Scratch::new("unclosed-gateway");
    add_ordinary_gateways(&gateway);
    gateway_unit_running_script(&gateway, &unclosed("exec openclaw gateway --port 19555"));
    let compose = Scratch::new("unclosed-compose");
    add_ordinary_gateways(&compose);
    unit_running_script(&compose, &unclosed("docker compose -p acme up -d"));
    for (s, script) in [(&gateway, "/bin/gw.sh"), (&compose, "/bin/start.sh")] {
        let (_, findings, out) = check_json(&s.home());
        let head = &out[..out.len().min(4000)];
        let cl901 = with_code(&findings, "CL901");
        assert_eq!(cl901.len(), 1, "{head}");
        assert!(file_of(cl901[0]).ends_with(script), "{head}");
        assert!(
            says(&cl901, &format!("{script}:2 opens a command substitution")),
            "{head}"
        );
        assert!(!out.contains("19555") && !out.contains("acme"), "{head}");
        assert_others_linted(&findings);
        no_output_shows(&s.home(), &[SECRET]);
    }
    let nested = Scratch::new("quoted-nesting");
    add_ordinary_gateways(&nested);
    const DEEP: usize = 50_000;
    gateway_unit_running_script(
        &nested,
        &format!(
            "#!/bin/sh\nexec openclaw gateway --port 19555 --bind \"{}lan{}\"\n",
            "$(echo \"".repeat(DEEP),
            "\")".repeat(DEEP)
        ),
    );
    let (_, findings, out) = check_json(&nested.home());
    let head = &out[..out.len().min(4000)];
    assert!(
        says(&with_code(&findings, "CL901"), "/bin/gw.sh:2 opens"),
        "{head}"
    );
    assert_others_linted(&findings);
}

/// A gateway script that sources a 600 KB `lib.sh` on each of 40 lines: the shell reads it
/// again at each `source`, and so did clawlint, up to its 32 reads with no cap on their
/// bytes (past 120 s in a debug build). The files one command's scripts source are read
/// within a byte budget in all: where it is passed is a located CL907 (the notes capped as
/// ever), and the gateway and the others are still linted.
#[test]
fn a_large_file_sourced_over_and_over_is_read_within_a_byte_budget() {
    use clawlint::discover::services::{MAX_SCRIPT_NOTES, MAX_SCRIPT_SOURCED_BYTES};
    let s = Scratch::new("sourced-bytes");
    add_ordinary_gateways(&s);
    gateway_unit_running_script(
        &s,
        &format!(
            "#!/bin/sh\ncd \"$(dirname \"$0\")\"\n{}exec openclaw gateway --port 19555\n",
            ". ./lib.sh\n".repeat(40)
        ),
    );
    let lib: String = (0..20_000)
        .map(|i| format!("echo line {i} of the library\n"))
        .collect();
    assert!(lib.len() > MAX_SCRIPT_SOURCED_BYTES / 2);
    s.write("home/bin/lib.sh", &lib);
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let past: Vec<&serde_json::Value> = with_code(&findings, "CL907")
        .into_iter()
        .filter(|f| {
            says(
                &[f],
                &format!("past the {MAX_SCRIPT_SOURCED_BYTES} bytes of sourced files"),
            )
        })
        .collect();
    assert!(!past.is_empty(), "{head}");
    assert!(past.len() <= MAX_SCRIPT_NOTES, "{head}");
    assert!(file_of(past[0]).ends_with("/bin/gw.sh"), "{head}");
    assert!(says(&past, "/bin/gw.sh:4 sources"), "{head}");
    assert!(out.contains("openclaw-gateway-gw.service"), "{head}");
    assert_others_linted(&findings);
    assert!(out.len() < 1 << 20, "{} bytes", out.len());
}

/// A unit whose state dir is `%h` written 40,000 times (an 80 KB line, a 2 MB path once
/// expanded, far past the longest path that can exist). The old build looked each of its
/// ancestors up one call deeper (the stack overflowed at 3,000: an abort, every finding
/// lost), hashed and stat'ed each ancestor whole (quadratic: 40,000 ran past 120 s), and
/// named the path whole in each message. Now: the other gateways are linted, and the output
/// names the path by its length.
#[test]
fn a_unit_path_megabytes_long_is_bounded() {
    let s = Scratch::new("unit-long-path");
    add_ordinary_gateways(&s);
    s.write(
        "home/.config/systemd/user/openclaw-gateway-long.service",
        &format!(
            "[Service]\nEnvironment=OPENCLAW_STATE_DIR={}\nExecStart=/usr/bin/openclaw gateway --port 19400\n\n[Install]\nWantedBy=default.target\n",
            "%h".repeat(40_000)
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    assert_others_linted(&findings);
    assert!(
        out.contains("characters, not shown>"),
        "{}",
        &out[..out.len().min(4000)]
    );
    assert!(out.len() < 64 << 10, "{} bytes", out.len());
}

/// A task's PowerShell script that dot-sources itself (`. $PSCommandPath`) on each of 20,000
/// lines: the old reader re-read it at each line down to its depth and read budgets and said
/// each statement again at each re-read (2,000 lines: 3,999 CL907s, 4.3 MB; 20,000 ran past
/// 120 s). A script being read is not read again (one located note), and a task's notes are
/// capped, the rest counted in one summary.
#[test]
fn a_powershell_script_that_runs_itself_is_read_once_with_a_bounded_report() {
    use clawlint::discover::powershell::MAX_NOTES;
    const LINES: usize = 20_000;
    let s = Scratch::new("ps1-self");
    add_ordinary_gateways(&s);
    task_running_powershell(
        &s,
        &format!(
            "{}docker compose -p acme up -d\n",
            ". $PSCommandPath\n".repeat(LINES)
        ),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert!(
        cl907.len() <= MAX_NOTES + 1,
        "{} CL907s: {head}",
        cl907.len()
    );
    assert!(says(&cl907, "which is being read already"), "{head}");
    assert!(
        says(
            &cl907,
            &format!("{} more statements from here on", LINES - MAX_NOTES)
        ),
        "{head}"
    );
    assert!(out.len() < 1 << 20, "{} bytes", out.len());
    assert_others_linted(&findings);
}

/// `ExecSearchPath=%h/opt/bin` where `opt/bin` is a link out of the layout, and a unit
/// running `gw` (no slash): systemd runs the first `gw` of that path, which clawlint does
/// not look for there. The unit was taken as running an unknown program and dropped with
/// nothing said; it is a located CL902 at the `ExecSearchPath=` that names the directory
/// (one per directory, however many of the unit's commands are looked up there), with
/// nothing of what is outside shown. A directory in the layout that has `gw` first is read
/// as ever.
#[test]
fn a_search_path_directory_linked_out_of_the_layout_is_located() {
    let s = Scratch::new("search-path-outside");
    add_ordinary_gateways(&s);
    let script = s.write(
        "outside/bin/gw",
        "#!/bin/sh\n# CANARY-OUTSIDE-search-4b1e\nexec openclaw gateway --port 19555\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(s.path("home/opt")).unwrap();
    std::os::unix::fs::symlink(s.path("outside/bin"), s.path("home/opt/bin")).unwrap();
    let unit = "home/.config/systemd/user/openclaw-gw.service";
    s.write(
        unit,
        "[Service]\nExecSearchPath=/usr/local/bin\nExecSearchPath=%h/opt/bin:/usr/bin\n\
         ExecStartPre=gw --check\nExecStart=gw\n\n[Install]\nWantedBy=default.target\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{head}");
    assert!(file_of(cl902[0]).ends_with(unit), "{head}");
    assert_eq!(cl902[0]["parties"][0]["line"], 3, "{head}");
    assert!(says(&cl902, "systemd looks there for `gw` first"), "{head}");
    assert!(
        !out.contains("CANARY-OUTSIDE") && !out.contains("19555"),
        "{head}"
    );
    assert_others_linted(&findings);

    // A `gw` script in the layout, in a directory searched first: run and read.
    let inside = s.write(
        "home/bin/gw",
        "#!/bin/sh\nexec openclaw gateway --port 19556\n",
    );
    std::fs::set_permissions(&inside, std::fs::Permissions::from_mode(0o755)).unwrap();
    s.write(
        unit,
        "[Service]\nExecSearchPath=%h/bin:%h/opt/bin\nExecStart=gw\n\n[Install]\nWantedBy=default.target\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    assert!(with_code(&findings, "CL902").is_empty(), "{head}");
    let resolved = run(&[
        "resolve",
        "--home",
        &s.home(),
        "--no-config",
        "--format",
        "json",
    ]);
    assert!(resolved.stdout.contains("19556"), "{}", resolved.stdout);
}

/// A systemd manager's `DefaultEnvironment=` setting 25,000 variables (1.2 MB), and 20 gateway
/// units: every unit gets every one, and the old reader copied (and scanned) them all again for
/// each unit read (50 units: 8.4 s CPU and 277 MB in a debug build, one unit 0.25 s). Read
/// within its budget: one CL907 at the assignment where it stops, however many units read
/// it, and nothing past it is shown.
#[test]
fn a_manager_environment_past_its_budget_is_a_located_cl907() {
    use clawlint::discover::services::MAX_MANAGER_VARIABLES;
    let s = Scratch::new("manager-env-budget");
    add_ordinary_gateways(&s);
    let mut conf = String::from("[Manager]\n");
    for i in 0..25_000 {
        conf.push_str(&format!("DefaultEnvironment=K{i}=tok-FAKE-{i}\n"));
    }
    conf.push_str("DefaultEnvironment=OPENCLAW_GATEWAY_PORT=19555\n");
    s.write("home/.config/systemd/user.conf", &conf);
    for i in 0..20 {
        s.write(
            &format!("home/.config/systemd/user/openclaw-gateway-p{i}.service"),
            &format!(
                "[Service]\nExecStart=/usr/bin/openclaw --profile p{i} gateway\n\n\
                 [Install]\nWantedBy=default.target\n"
            ),
        );
    }
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(
        file_of(cl907[0]).ends_with("/.config/systemd/user.conf"),
        "{head}"
    );
    assert_eq!(
        cl907[0]["parties"][0]["line"],
        MAX_MANAGER_VARIABLES + 2,
        "the first assignment past the budget: {head}"
    );
    assert!(
        !out.contains("19555") && !out.contains("tok-FAKE"),
        "{head}"
    );
    assert_others_linted(&findings);
    // What the unread part may set is unverifiable for each unit (none sets its own port or
    // state dir), said in the manager's words, not an `export`'s.
    let cl409 = with_code(&findings, "CL409");
    assert_eq!(cl409.len(), 20, "{head}");
    assert!(
        cl409.iter().all(|f| {
            let m = f["message"].as_str().unwrap();
            m.contains("DefaultEnvironment=") && !m.contains("export")
        }),
        "{head}"
    );
}

/// The user manager's environment.d files past the manager environment's budget: one CL907
/// at the first assignment past it, in environment.d's words and help (they were
/// DefaultEnvironment='s), nothing past it shown, and each gateway unit that sets nothing
/// itself unverifiable (CL409) in the same words.
#[test]
fn environment_d_past_its_budget_is_a_located_cl907_in_its_own_words() {
    use clawlint::discover::services::MAX_MANAGER_VARIABLES;
    let s = Scratch::new("environment-d-env-budget");
    add_ordinary_gateways(&s);
    let mut conf = String::new();
    for i in 0..=MAX_MANAGER_VARIABLES {
        conf.push_str(&format!("K{i}=tok-FAKE-{i}\n"));
    }
    conf.push_str("OPENCLAW_GATEWAY_PORT=19555\n");
    s.write("home/.config/environment.d/50-many.conf", &conf);
    for i in 0..3 {
        s.write(
            &format!("home/.config/systemd/user/openclaw-gateway-p{i}.service"),
            &format!(
                "[Service]\nExecStart=/usr/bin/openclaw --profile p{i} gateway\n\n\
                 [Install]\nWantedBy=default.target\n"
            ),
        );
    }
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(
        file_of(cl907[0]).ends_with("/.config/environment.d/50-many.conf"),
        "{head}"
    );
    assert_eq!(
        cl907[0]["parties"][0]["line"],
        MAX_MANAGER_VARIABLES + 1,
        "the first assignment past the budget: {head}"
    );
    let message = cl907[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the user manager's environment.d files are read up to"),
        "{head}"
    );
    let help = cl907[0]["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("environment.d") && !help.contains("DefaultEnvironment="),
        "{head}"
    );
    assert!(
        !out.contains("19555") && !out.contains("tok-FAKE"),
        "{head}"
    );
    assert_others_linted(&findings);
    let cl409 = with_code(&findings, "CL409");
    assert_eq!(cl409.len(), 3, "{head}");
    assert!(
        cl409.iter().all(|f| {
            let m = f["message"].as_str().unwrap_or_default();
            m.contains("environment.d files") && !m.contains("DefaultEnvironment=")
        }),
        "{head}"
    );
}

/// A unit of a manager whose `DefaultEnvironment=` is read only up to its budget gets what
/// the unread part sets (here `OPENCLAW_GATEWAY_PORT`, past the budget) unless it sets the
/// variable itself: the port, state dir and config path of a unit that sets none of them are
/// unverifiable (CL409, and no collision on a guessed port), those of a unit that sets them
/// stay known. The old reader used the default port silently.
#[test]
fn values_a_manager_environment_may_set_past_its_budget_are_unverifiable() {
    use clawlint::discover::services::MAX_MANAGER_VARIABLES;
    let s = Scratch::new("manager-env-unverifiable");
    add_ordinary_gateways(&s);
    let mut conf = String::from("[Manager]\n");
    for i in 0..=MAX_MANAGER_VARIABLES {
        conf.push_str(&format!("DefaultEnvironment=K{i}=v{i}\n"));
    }
    conf.push_str("DefaultEnvironment=OPENCLAW_GATEWAY_PORT=19100\n");
    s.write("home/.config/systemd/user.conf", &conf);
    let user = "home/.config/systemd/user";
    s.write(
        &format!("{user}/openclaw-gateway-a.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile a gateway\n",
    );
    s.write(
        &format!("{user}/openclaw-gateway-b.service"),
        "[Service]\nExecStart=/usr/bin/openclaw gateway --port 19200\n\
         Environment=OPENCLAW_PROFILE=b OPENCLAW_HOME=%h OPENCLAW_STATE_DIR=%h/.openclaw-b\n\
         Environment=OPENCLAW_CONFIG_PATH=%h/.openclaw-b/openclaw.json\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl409 = with_code(&findings, "CL409");
    assert_eq!(cl409.len(), 1, "{head}");
    assert_eq!(cl409[0]["instances"], serde_json::json!(["a"]), "{head}");
    for part in [
        "gateway port",
        "DefaultEnvironment=",
        "OPENCLAW_GATEWAY_PORT",
    ] {
        assert!(says(&cl409, part), "{part}: {head}");
    }
    assert_eq!(with_code(&findings, "CL907").len(), 1, "{head}");
    // The port collision is the two that set 19100 for certain.
    let cl101 = with_code(&findings, "CL101");
    assert_eq!(cl101.len(), 1, "{head}");
    assert_eq!(
        cl101[0]["instances"],
        serde_json::json!(["copy", "main"]),
        "{head}"
    );
}

/// A shell script and a Makefile beside a compose project, each opening a command
/// substitution it never closes (`$(` and, in the Makefile, `$$(`), before a `docker
/// compose up`: the shell stops there with a syntax error. Their reader stopped silently;
/// it says so with the words and code the scripts units run get (CL901 at the line, no
/// script text, which holds a secret), and the other gateways are linted.
#[test]
fn compose_wrapper_scripts_with_an_unclosed_substitution_are_located() {
    const SECRET: &str = "hunter2-FAKE-beside";
    let s = Scratch::new("beside-unclosed");
    add_ordinary_gateways(&s);
    s.write(
        "home/stacks/acme/compose.yaml",
        "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports: [\"19300:18789\"]\n",
    );
    s.write(
        "home/stacks/acme/up.sh",
        &format!(
            "#!/bin/sh\nexport PASS={SECRET}\nx=\"$(cat /run/pw {SECRET}\n{}docker compose -p acme up -d\n",
            "echo \"$(\n".repeat(2_000)
        ),
    );
    s.write(
        "home/stacks/acme/Makefile",
        &format!("up:\n\tdocker compose -p acme up -d\n\nwith-pw:\n\tPW=$$(cat /run/pw {SECRET} && docker compose up -d\n"),
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl901 = with_code(&findings, "CL901");
    assert_eq!(cl901.len(), 2, "{head}");
    for (file, line) in [("/stacks/acme/up.sh", 3), ("/stacks/acme/Makefile", 5)] {
        let at: Vec<&serde_json::Value> = cl901
            .iter()
            .copied()
            .filter(|f| file_of(f).ends_with(file))
            .collect();
        assert_eq!(at.len(), 1, "{file}: {head}");
        assert_eq!(at[0]["parties"][0]["line"], line, "{file}: {head}");
        assert!(says(&at, "opens a command substitution"), "{head}");
    }
    assert_others_linted(&findings);
    no_output_shows(&s.home(), &[SECRET]);
}

/// A FIFO, a symlink loop and a pair of links to each other where Podman looks for quadlets
/// (`*.container`): the search kept only regular files, so each was skipped with nothing
/// said. Each is a located CL902 (never opened), the other gateways are linted, and a
/// `.container` linked to `/dev/null` (masked) is still passed over in silence.
#[test]
fn quadlets_that_are_no_regular_file_are_located_not_skipped() {
    let s = Scratch::new("quadlet-special");
    add_ordinary_gateways(&s);
    let dir = "home/.config/containers/systemd";
    s.fifo(&format!("{dir}/fifo.container"));
    let d = s.path(dir);
    std::os::unix::fs::symlink("loop.container", d.join("loop.container")).unwrap();
    std::os::unix::fs::symlink("b.container", d.join("a.container")).unwrap();
    std::os::unix::fs::symlink("a.container", d.join("b.container")).unwrap();
    std::os::unix::fs::symlink("/dev/null", d.join("masked.container")).unwrap();
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(4000)];
    let cl902 = with_code(&findings, "CL902");
    let mut files: Vec<String> = cl902
        .iter()
        .map(|f| {
            file_of(f)
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "a.container",
            "b.container",
            "fifo.container",
            "loop.container"
        ],
        "{head}"
    );
    assert!(says(&cl902, "FIFO"), "{head}");
    assert_others_linted(&findings);
}

/// Three systemd files with a line that is not UTF-8, each read as systemd reads it: its
/// parser fails a file at such a line (`parse_line`: "String is not UTF-8 clean", -EINVAL), so
/// a unit's own file makes systemd refuse the unit, a drop-in applies only its lines before,
/// and the manager's configuration stops there (its later drop-ins unread). The old reader
/// took the unit file lossily (a gateway on 19100 that systemd never starts), refused the whole
/// drop-in and the whole manager file (CL902), and read the manager drop-in systemd never
/// reaches. Now: one located CL901 each, and the port collision is between the gateways
/// systemd really starts.
#[test]
fn unit_lines_that_are_not_utf8_are_read_as_systemd_reads_them() {
    const SECRET: &str = "tok-FAKE-notutf8";
    let s = Scratch::new("unit-not-utf8");
    add_ordinary_gateways(&s);
    let user = "home/.config/systemd/user";
    let bytes = |rel: &str, content: &[u8]| {
        let path = s.write(rel, "");
        std::fs::write(path, content).unwrap();
    };
    let mut bad =
        b"[Service]\nExecStart=/usr/bin/openclaw --profile bad gateway --port 19100 --allow-unconfigured # \xff\n"
            .to_vec();
    bad.extend(format!("Environment=OPENCLAW_GATEWAY_TOKEN={SECRET}\n").bytes());
    bytes(&format!("{user}/openclaw-gateway-bad.service"), &bad);
    s.write(
        &format!("{user}/openclaw-gateway-ok.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile ok gateway --allow-unconfigured\n",
    );
    bytes(
        &format!("{user}/openclaw-gateway-ok.service.d/port.conf"),
        b"[Service]\nEnvironment=OPENCLAW_GATEWAY_PORT=19100\nEnvironment=NOTE=caf\xe9\n\
          Environment=OPENCLAW_GATEWAY_PORT=19002\n",
    );
    s.write(
        &format!("{user}/openclaw-gateway-m.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile m gateway --allow-unconfigured\n",
    );
    bytes(
        "home/.config/systemd/user.conf",
        b"[Manager]\nDefaultEnvironment=A=1\nDefaultEnvironment=B=\xff\n",
    );
    s.write(
        "home/.config/systemd/user.conf.d/port.conf",
        "[Manager]\nDefaultEnvironment=OPENCLAW_GATEWAY_PORT=19100\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl901 = with_code(&findings, "CL901");
    let at = places_after(&cl901, "/.config/systemd/");
    let at: Vec<(&str, u64)> = at.iter().map(|(f, l)| (f.as_str(), *l)).collect();
    assert_eq!(
        at,
        [
            ("user.conf", 3),
            ("user/openclaw-gateway-bad.service", 2),
            ("user/openclaw-gateway-ok.service.d/port.conf", 3),
        ],
        "{head}"
    );
    assert!(says(&cl901, "does not load this unit"), "{head}");
    assert!(says(&cl901, "the 1 drop-in(s) after it"), "{head}");
    // The drop-in's first port is applied; the refused unit and the unread manager drop-in
    // put no gateway on 19100.
    let cl101 = with_code(&findings, "CL101");
    assert_eq!(cl101.len(), 1, "{head}");
    assert_eq!(
        cl101[0]["instances"],
        serde_json::json!(["copy", "main", "ok"]),
        "{head}"
    );
    assert!(with_code(&findings, "CL902").is_empty(), "{head}");
    no_output_shows(&s.home(), &[SECRET]);
}

/// A malformed section header (no closing `]`, or a quote in the name) in four systemd files,
/// each read as systemd reads it: `parse_line` fails the file there ("Invalid section header",
/// "Bad characters in section header", -EBADMSG) and `config_parse` returns, as for a line that
/// is not UTF-8. So the unit is refused, the drop-in applies only its lines before, the
/// manager's configuration stops there (its drop-in unread), and podman's generator refuses
/// the quadlet. The old reader skipped only to the next valid header: four gateways on 19100
/// that never start (bad, m, the container) or that are not there (ok, moved to 19002 by the
/// drop-in's line after the header), and not a word. Now: one located CL901 each.
#[test]
fn a_malformed_section_header_ends_what_systemd_reads() {
    let s = Scratch::new("unit-bad-header");
    add_ordinary_gateways(&s);
    let user = "home/.config/systemd/user";
    s.write(
        &format!("{user}/openclaw-gateway-bad.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile bad gateway --port 19100 --allow-unconfigured\n[Install\nWantedBy=default.target\n",
    );
    s.write(
        &format!("{user}/openclaw-gateway-ok.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile ok gateway --allow-unconfigured\n",
    );
    s.write(
        &format!("{user}/openclaw-gateway-ok.service.d/port.conf"),
        "[Service]\nEnvironment=OPENCLAW_GATEWAY_PORT=19100\n  [Unit\n[Service]\nEnvironment=OPENCLAW_GATEWAY_PORT=19002\n",
    );
    s.write(
        &format!("{user}/openclaw-gateway-m.service"),
        "[Service]\nExecStart=/usr/bin/openclaw --profile m gateway --allow-unconfigured\n",
    );
    s.write(
        "home/.config/systemd/user.conf",
        "[Manager]\nDefaultEnvironment=A=1\n[Manager\"]\n[Manager]\nDefaultEnvironment=B=2\n",
    );
    s.write(
        "home/.config/systemd/user.conf.d/port.conf",
        "[Manager]\nDefaultEnvironment=OPENCLAW_GATEWAY_PORT=19100\n",
    );
    s.write(
        "home/.config/containers/systemd/gw.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nPublishPort=19100:18789\n[Install\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl901 = with_code(&findings, "CL901");
    let at = places_after(&cl901, "/.config/");
    let at: Vec<(&str, u64)> = at.iter().map(|(f, l)| (f.as_str(), *l)).collect();
    assert_eq!(
        at,
        [
            ("containers/systemd/gw.container", 4),
            ("systemd/user.conf", 3),
            ("systemd/user/openclaw-gateway-bad.service", 3),
            ("systemd/user/openclaw-gateway-ok.service.d/port.conf", 3),
        ],
        "{head}"
    );
    assert!(says(&cl901, "Invalid section header"), "{head}");
    assert!(says(&cl901, "Bad characters in section header"), "{head}");
    assert!(says(&cl901, "does not load this unit"), "{head}");
    assert!(says(&cl901, "the 1 drop-in(s) after it"), "{head}");
    assert!(says(&cl901, "this container never starts"), "{head}");
    let cl101 = with_code(&findings, "CL101");
    assert_eq!(cl101.len(), 1, "{head}");
    assert_eq!(
        cl101[0]["instances"],
        serde_json::json!(["copy", "main", "ok"]),
        "{head}"
    );
}

/// The fleet registry's `fleet_cells` as a view: OpenClaw reads it as it reads the table (its
/// `CREATE TABLE IF NOT EXISTS` leaves the view in place), so its cells are gateways; the old
/// reader looked for a table only and saw no cells, saying nothing. A view that selects
/// without end is stopped by the registry's budget: one located CL907, the rest linted.
#[test]
fn a_fleet_registry_view_is_read_within_its_budget() {
    let s = Scratch::new("fleet-view");
    add_ordinary_gateways(&s);
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { port: 18789 } }\n",
    );
    s.write("home/.openclaw/fleet/cells/acme/openclaw.json", "{}\n");
    let db_path = s.path("home/.openclaw/state/openclaw.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap()).unwrap();
    let cells = s.path("home/.openclaw/fleet/cells");
    let db = rusqlite::Connection::open(&db_path).unwrap();
    let view = include_str!("data/fleet/view-over-raw.sql");
    db.execute_batch(&format!(
        "CREATE TABLE raw (t TEXT, p INTEGER);
         INSERT INTO raw VALUES ('acme', 19100);
         {}",
        view.replace("CELLS", &cells.display().to_string())
    ))
    .unwrap();
    drop(db);
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    // The cell publishes 127.0.0.1:19100, the port main and copy use.
    let on_19100: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("19100"))
        .filter(|f| f["instances"].to_string().contains("acme"))
        .collect();
    assert!(!on_19100.is_empty(), "the cell is a gateway: {head}");
    // A view that never ends meets the budget.
    std::fs::remove_file(&db_path).unwrap();
    rusqlite::Connection::open(&db_path)
        .unwrap()
        .execute_batch(include_str!("data/fleet/endless-view.sql"))
        .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl907 = with_code(&findings, "CL907");
    assert_eq!(cl907.len(), 1, "{head}");
    assert!(
        file_of(cl907[0]).ends_with("/state/openclaw.sqlite"),
        "{head}"
    );
    assert_others_linted(&findings);
}

/// Podman's quadlet generator checks no encoding, but copies every line of a quadlet into the
/// service it generates (`[Container]` kept as `[X-Container]`), and systemd fails that
/// service's parse at a line that is not UTF-8: the container never starts. The old reader
/// read the quadlet lossily (a gateway on 19100) and said nothing. A bad byte in a comment
/// line is dropped before systemd looks at it: that quadlet still runs.
#[test]
fn a_quadlet_line_that_is_not_utf8_means_no_container() {
    let s = Scratch::new("quadlet-not-utf8");
    add_ordinary_gateways(&s);
    let dir = s.path("home/.config/containers/systemd");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.container"),
        b"[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nPublishPort=19100:18789\nLabel=note=caf\xe9\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("fine.container"),
        b"# caf\xe9\n[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nPublishPort=19200:18789\n",
    )
    .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl901 = with_code(&findings, "CL901");
    assert_eq!(cl901.len(), 1, "{head}");
    assert!(file_of(cl901[0]).ends_with("/bad.container"), "{head}");
    assert_eq!(cl901[0]["parties"][0]["line"], 4, "{head}");
    assert!(says(&cl901, "this container never starts"), "{head}");
    let cl101 = with_code(&findings, "CL101");
    assert_eq!(cl101.len(), 1, "{head}");
    assert_eq!(
        cl101[0]["instances"],
        serde_json::json!(["copy", "main"]),
        "{head}"
    );
    // copy, main and the quadlet whose comment holds the bad byte.
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["summary"]["instances"], 3, "{head}");
}

/// A published port written with a part missing or negative (`[::1]:-5:18789`) is refused by
/// podman; the message says what is written, where the old one said `""` is not a port
/// number (the empty text before the range's `-`).
#[test]
fn a_negative_published_port_is_said_as_written() {
    let s = Scratch::new("publish-negative");
    add_ordinary_gateways(&s);
    s.write(
        "home/.config/containers/systemd/gw.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nPublishPort=[::1]:-5:18789\n",
    );
    let (_, findings, out) = check_json(&s.home());
    let head = &out[..out.len().min(6000)];
    let cl904 = with_code(&findings, "CL904");
    assert_eq!(cl904.len(), 1, "{head}");
    assert!(says(&cl904, "\"-5\" is not a port number"), "{head}");
    assert!(!says(&cl904, "\"\" is not"), "{head}");
    assert_eq!(cl904[0]["parties"][0]["line"], 3, "{head}");
    assert_others_linted(&findings);
}

/// A config with 100,000 unknown keys in one object: each is one CL701, and finding where each
/// sits (the start-repair check and the verdict's spans walk to every issue's key) looks the
/// key up in an index of the object, not in a scan of its 100,000 members (minutes before).
/// The hang guard is what fails without the index; the other gateways are linted all the same.
#[test]
fn hundred_thousand_unknown_keys_in_one_object_are_each_found_once() {
    const KEYS: usize = 100_000;
    let s = Scratch::new("unknown-keys");
    add_ordinary_gateways(&s);
    let members: Vec<String> = (0..KEYS).map(|i| format!("k{i}: 1")).collect();
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ agents: {{ {} }} }}\n", members.join(", ")),
    );
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--no-config",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let unknown = out
        .stdout
        .lines()
        .filter(|l| l.contains(" CL701 ") && l.contains("Unrecognized key"))
        .count();
    assert_eq!(
        unknown,
        KEYS,
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
    assert!(out.stdout.contains(" CL101 "), "{}", out.stderr);
}

/// A config with 100,000 unknown keys (each a value the start refuses) and 100,000 browser
/// profiles whose `cdpUrl` is rejected where it is used (each a CL904): the verdict asks of
/// each rejected value whether a refused value holds it, and the validation asks of each
/// profile whether an issue stopped zod's parse under it. Both were a scan of the other list
/// (10^10 comparisons: past the hang guard, > 300 s of CPU in a debug build); now a binary
/// search and a set (38 s). Every value is still said once, and the other gateways linted.
#[test]
fn hundred_thousand_refused_and_hundred_thousand_rejected_values_are_each_said_once() {
    const N: usize = 100_000;
    let s = Scratch::new("refused-and-rejected");
    add_ordinary_gateways(&s);
    let keys: Vec<String> = (0..N).map(|i| format!("k{i}: 1")).collect();
    let profiles: Vec<String> = (0..N)
        .map(|i| format!("p{i}: {{ cdpUrl: \"::\" }}"))
        .collect();
    s.write(
        "home/.openclaw/openclaw.json",
        &format!(
            "{{ gateway: {{ port: 18789, {} }}, browser: {{ profiles: {{ {} }} }} }}\n",
            keys.join(", "),
            profiles.join(", ")
        ),
    );
    let out = run(&[
        "check",
        "--home",
        &s.home(),
        "--no-config",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let count = |code: &str, says: &str| {
        out.stdout
            .lines()
            .filter(|l| l.contains(code) && l.contains(says))
            .count()
    };
    let head = &out.stdout[..out.stdout.len().min(2000)];
    assert_eq!(count(" CL701 ", "Unrecognized key"), N, "{head}");
    assert_eq!(count(" CL904 ", "Invalid URL"), N, "{head}");
    assert!(out.stdout.contains(" CL101 "), "{}", out.stderr);
}

/// Compose `include:` fanning out: each of 8 levels includes the next 16 times (16^8 paths
/// through them). Without a budget on entries the last file's services would be read for
/// every path; the project stops at 256 entries, said as CL907 where it stops, and the
/// gateways beside it are linted.
#[test]
fn compose_include_fan_out_stops_at_its_entry_budget() {
    let s = Scratch::new("compose-include-fan");
    add_ordinary_gateways(&s);
    for level in 0..8 {
        let next = format!("../l{}/compose.yml", level + 1);
        let entries: String = (0..16).map(|_| format!("  - {next}\n")).collect();
        s.write(
            &format!("home/fan/l{level}/compose.yml"),
            &format!("include:\n{entries}"),
        );
    }
    s.write(
        "home/fan/l8/compose.yml",
        "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n",
    );
    let (_, findings, _) = check_json(&s.home());
    let budget = with_code(&findings, "CL907");
    assert!(says(&budget, "number more than 256"), "{budget:#?}");
    assert_others_linted(&findings);
}

/// A quadlet, or a quadlet drop-in, that is a link to nothing: Podman's generator fails to
/// load it (a unit takes its whole directory with it; a drop-in is skipped and its unit
/// generated without it). Each was skipped without a word (a loop at the same path was said):
/// now one located CL902 that says where the link leads, and the other gateways are linted.
#[test]
fn dangling_quadlets_and_drop_ins_are_located() {
    let s = Scratch::new("quadlet-dangling");
    add_ordinary_gateways(&s);
    let dir = "home/.config/containers/systemd";
    std::fs::create_dir_all(s.path(dir)).unwrap();
    std::os::unix::fs::symlink(
        "gone.container",
        s.path(&format!("{dir}/openclaw.container")),
    )
    .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{out}");
    assert!(file_of(cl902[0]).ends_with("/openclaw.container"), "{out}");
    assert!(
        says(&cl902, "symlink to gone.container, which does not exist"),
        "{out}"
    );
    assert!(says(&cl902, "every quadlet in the same directory"), "{out}");
    assert_others_linted(&findings);

    std::fs::remove_file(s.path(&format!("{dir}/openclaw.container"))).unwrap();
    s.write(
        &format!("{dir}/openclaw.container"),
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nExec=node dist/index.js gateway --bind lan --port 18789\n",
    );
    std::fs::create_dir_all(s.path(&format!("{dir}/openclaw.container.d"))).unwrap();
    std::os::unix::fs::symlink(
        "../ports.conf",
        s.path(&format!("{dir}/openclaw.container.d/10-ports.conf")),
    )
    .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let cl902 = with_code(&findings, "CL902");
    assert_eq!(cl902.len(), 1, "{out}");
    assert!(file_of(cl902[0]).ends_with("/10-ports.conf"), "{out}");
    assert!(says(&cl902, "generates its unit without it"), "{out}");
    assert_others_linted(&findings);
}

// ---------------------------------------------------------------------------------------------
// Keys and paths shown: by the rules values are shown by
// ---------------------------------------------------------------------------------------------

/// A token pasted where a key goes (a config's object key, an `env.vars` name, a compose
/// service key, a `.env` name, a unit's key and section header) is a secret like any value:
/// no format and not `resolve` shows it, in a message or in a snippet. Each finding is still
/// made, naming the key by its length and fingerprint; an ordinary unknown key is named as
/// written.
#[test]
fn token_shaped_keys_are_never_shown() {
    let s = Scratch::new("token-keys");
    let secrets = [
        "AAHFakeKeyTokenK1abcdefghijklmnop",
        "ghp_FakeKeyK2abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeKeyK3abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeKeyK4abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeKeyK5abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeKeyK6abcdefghijklmnopqrstuvwxyz0123",
    ];
    s.write(
        "home/.openclaw/openclaw.json",
        &format!(
            "{{\n  gateway: {{ port: 19100, prot: 1 }},\n  channels: {{ telegram: {{ \"123456789:{}\": true }} }},\n  \
             env: {{ vars: {{ \"{}\": \"1\" }} }},\n}}\n",
            secrets[0], secrets[1]
        ),
    );
    s.write(
        "home/stack/docker-compose.yml",
        &format!(
            "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    \
             ports:\n      - \"19300:18789\"\n    {}: x\n",
            secrets[2]
        ),
    );
    s.write("home/.openclaw-b/.env", &format!("{}=1\n", secrets[3]));
    s.write(
        "home/.openclaw-b/openclaw.json",
        "{ gateway: { port: 19100 } }\n",
    );
    s.write(
        "home/.config/systemd/user/openclaw-gateway-b.service",
        &format!(
            "[Service]\n{}=x\nEnvironment=OPENCLAW_PROFILE=b\nExecStart=/usr/bin/openclaw gateway --port 19100 --bogus \"x\n\
             [{}]\n[Install]\nWantedBy=default.target\n",
            secrets[4], secrets[5]
        ),
    );
    let home = s.home();
    no_output_shows(&home, &secrets);
    // The same layout as human output, snippets included, once more for the unit's lines.
    let human = run(&check_in_format(&home, "human")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    for secret in secrets {
        assert!(!human.stdout.contains(secret), "{}", human.stdout);
    }
    let (_, findings, out) = check_json(&home);
    let cl701 = with_code(&findings, "CL701");
    assert!(says(&cl701, "Unrecognized key: \"prot\""), "{out}");
    assert!(
        says(&cl701, "`channels.telegram.<43 characters, fingerprint "),
        "{out}"
    );
    let cl904 = with_code(&findings, "CL904");
    assert!(
        says(&cl904, "this key is not a key of a compose service"),
        "{out}"
    );
}

/// A validation message that repeats a key, or a value that names a key, shows it as the path
/// beside it shows it: an unknown channel id, a binding's unknown agent id and the web search
/// provider named in the start-repair note are fingerprinted when token-shaped, counted when
/// huge, and written out when ordinary. (Found by a hostile-input audit: each was printed raw,
/// a 5 MiB channel id whole in every format.)
#[test]
fn validation_messages_show_keys_as_their_paths_do() {
    let secrets = [
        "ghp_FakeChannelV1abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeAgentV2abcdefghijklmnopqrstuvwxyz01234",
        "ghp_FakeProviderV3abcdefghijklmnopqrstuvwxyz01",
    ];
    let configs = |channel: &str, agent: &str, provider: &str| {
        [
            format!("{{ gateway: {{ mode: \"local\", port: 19100 }}, channels: {{ {channel}: {{ enabled: true }} }} }}\n"),
            format!(
                "{{ gateway: {{ mode: \"local\", port: 19100 }}, agents: {{ entries: {{ main: {{}} }} }}, \
                 bindings: [ {{ agentId: \"{agent}\", match: {{ channel: \"telegram\" }} }} ] }}\n"
            ),
            format!(
                "{{ gateway: {{ mode: \"local\", port: 19100 }}, tools: {{ web: {{ search: \
                 {{ provider: \"{provider}\", apiKey: \"fake-not-a-key\" }} }} }} }}\n"
            ),
        ]
    };
    for (i, config) in configs(secrets[0], secrets[1], secrets[2])
        .iter()
        .enumerate()
    {
        let s = Scratch::new(&format!("validation-keys-{i}"));
        s.write("home/.openclaw/openclaw.json", config);
        no_output_shows(&s.home(), &secrets);
        let (_, findings, out) = check_json(&s.home());
        assert!(out.contains("characters, fingerprint "), "{out}");
        assert!(!findings.is_empty(), "{out}");
    }
    // A huge channel id is counted in the message as in its path.
    let huge = "k".repeat(100_000);
    let s = Scratch::new("validation-keys-huge");
    s.write("home/.openclaw/openclaw.json", &configs(&huge, "x", "x")[0]);
    let (_, findings, out) = check_json(&s.home());
    assert!(!out.contains(&"k".repeat(65)), "{} bytes", out.len());
    assert!(
        says(
            &with_code(&findings, "CL701"),
            "unknown channel id: <100000 characters, not shown>"
        ),
        "{out}"
    );
    // Ordinary ids are written out.
    let ordinary = configs("bogus", "nobody", "brave");
    let expected = [
        "unknown channel id: bogus",
        "Unknown agent id \\\"nobody\\\"",
        "plugins.entries.brave.config.webSearch.apiKey",
    ];
    for (i, (config, text)) in ordinary.iter().zip(expected).enumerate() {
        let s = Scratch::new(&format!("validation-keys-ordinary-{i}"));
        s.write("home/.openclaw/openclaw.json", config);
        let (_, _, out) = check_json(&s.home());
        assert!(out.contains(text), "{text}:\n{out}");
    }
}

/// A compose `${VAR:?message}` refusal (CL909) shows its variable and its message by the
/// snippet's rule: a name as a key is shown, the message when it reads as words; a token pasted
/// as the message or as the name is not shown, nor is a message of megabytes. (Found by a
/// hostile-input audit: the message was printed raw in every format, JUnit twice.)
#[test]
fn a_compose_refusal_shows_its_message_only_when_it_reads_as_words() {
    let secrets = [
        "ghp_FakeMessageM1abcdefghijklmnopqrstuvwxyz012",
        "ghp_FakeNameM2abcdefghijklmnopqrstuvwxyz012345",
    ];
    let huge = "word ".repeat(40_000);
    let layout = |reference: &str| {
        let s = Scratch::new("compose-refusal");
        s.write(
            "home/stack/.env",
            "OPENCLAW_IMAGE=ghcr.io/openclaw/openclaw:2026.9.6\n",
        );
        s.write(
            "home/stack/docker-compose.yml",
            &format!(
                "services:\n  openclaw-gateway:\n    image: ${{OPENCLAW_IMAGE}}\n    \
                 environment:\n      OPENCLAW_GATEWAY_TOKEN: ${{{reference}}}\n    \
                 ports:\n      - \"19300:18789\"\n"
            ),
        );
        s
    };
    for reference in [
        format!("NEEDED:?{}", secrets[0]),
        format!("{}:?is required", secrets[1]),
    ] {
        let s = layout(&reference);
        no_output_shows(&s.home(), &secrets);
        let (_, findings, out) = check_json(&s.home());
        assert!(
            says(
                &with_code(&findings, "CL909"),
                "docker compose refuses to start"
            ),
            "{out}"
        );
    }
    let s = layout(&format!("NEEDED:?{huge}"));
    let (_, findings, out) = check_json(&s.home());
    assert!(
        says(
            &with_code(&findings, "CL909"),
            "characters, not shown>): no service"
        ),
        "{out}"
    );
    for format in ["human", "json", "junit"] {
        let out = run(&check_in_format(&s.home(), format)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>());
        assert!(
            out.stdout.len() < huge.len() / 4,
            "{format}: {} bytes",
            out.stdout.len()
        );
    }
    let s = layout("NEEDED:?is required");
    let (_, findings, out) = check_json(&s.home());
    assert!(
        says(&with_code(&findings, "CL909"), "${NEEDED:?...} has no value in the project's .env: docker compose refuses to start (is required)"),
        "{out}"
    );
}

/// A move's fix message names each loopback URL it leaves naming the old port by its key path:
/// a token-shaped key in that path is fingerprinted and a huge one counted, as everywhere
/// else, and an entry is said once. (Found by a hostile-input audit: json and sarif printed
/// both keys raw, 70,000 bytes.)
#[test]
fn a_moves_fix_message_shows_key_paths_as_findings_do() {
    let s = Scratch::new("move-key-paths");
    let token = "ghp_FakeProviderF1abcdefghijklmnopqrstuvwxyz01";
    let huge = "k".repeat(70_000);
    // Another key as long, masked alike: the two URLs' entries read the same.
    let other = "j".repeat(70_000);
    s.write(
        "home/.openclaw/openclaw.json",
        &format!(
            "{{ gateway: {{ mode: \"local\", port: 19100 }}, models: {{ providers: {{ \
             {token}: {{ baseUrl: \"http://127.0.0.1:19103/v1\", models: [] }}, \
             \"{huge}\": {{ baseUrl: \"http://localhost:19102\", models: [] }}, \
             \"{other}\": {{ baseUrl: \"http://localhost:19102\", models: [] }} }} }} }}\n"
        ),
    );
    s.write(
        "home/.openclaw-b/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
    s.write(
        "home/.config/systemd/user/openclaw-gateway-b.service",
        "[Service]\nExecStart=/usr/bin/openclaw --profile b gateway\n[Install]\nWantedBy=default.target\n",
    );
    let home = s.home();
    for format in ["json", "sarif"] {
        let out = run(&[
            "check",
            "--home",
            &home,
            "--no-config",
            "--unsafe-fixes",
            "--format",
            format,
        ]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(!out.stdout.contains(token), "{format}:\n{}", out.stdout);
        for long in [&huge, &other] {
            assert!(
                !out.stdout.contains(&long[..65]),
                "{format}: {} bytes",
                out.stdout.len()
            );
        }
    }
    let out = run(&[
        "check",
        "--home",
        &home,
        "--no-config",
        "--unsafe-fixes",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let fix = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| f["fix"]["message"].as_str())
        .expect("a move's fix");
    let long = "models.providers.<70000 characters, not shown>.baseUrl in";
    assert_eq!(fix.matches(long).count(), 1, "{fix}");
    assert!(fix.contains("characters, fingerprint "), "{fix}");
}

/// A unit's script path and a channel account's id are text the layout wrote: a token-shaped
/// one is shown as a dangling link's target and a key are, not as written, in CL409's note,
/// CL301's message and labels, and `resolve`'s wrappers and credential lines (human and json).
/// (Found by a hostile-input audit: the snippet masked them, the messages did not.)
#[test]
fn script_paths_and_account_ids_are_shown_as_paths_and_keys() {
    let s = Scratch::new("script-account");
    let secrets = [
        "ghp_FakeScriptS1abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeScriptS2abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakeAccountS3abcdefghijklmnopqrstuvwxyz012",
    ];
    s.write(
        "home/.openclaw/openclaw.json",
        &format!(
            "{{ gateway: {{ mode: \"local\", port: 18789 }}, channels: {{ telegram: {{ accounts: \
             {{ {}: {{ botToken: \"fake-000\" }}, work: {{ botToken: \"fake-111\" }} }} }} }} }}\n",
            secrets[2]
        ),
    );
    for (unit, script) in [("b", secrets[0]), ("c", secrets[1])] {
        s.write(
            &format!("home/.config/systemd/user/openclaw-gateway-{unit}.service"),
            &format!(
                "[Service]\nExecStart=%h/bin/{script}.sh\n[Install]\nWantedBy=default.target\n"
            ),
        );
    }
    s.write(
        &format!("home/bin/{}.sh", secrets[1]),
        "#!/bin/sh\nexec \"$HOME/libexec/unreadable\" --profile c\n",
    );
    let home = s.home();
    no_output_shows(&home, &secrets);
    let (_, findings, out) = check_json(&home);
    assert!(
        says(&with_code(&findings, "CL301"), "token of account <"),
        "{out}"
    );
    assert!(
        says(&with_code(&findings, "CL301"), "token of account \"work\""),
        "{out}"
    );
    assert!(!with_code(&findings, "CL409").is_empty(), "{out}");
    assert!(out.contains("the script <"), "{out}");
}

/// `resolve --format json` shows a path the layout's values made as human `resolve` does: a
/// bind mount's source, the lock dir and the state dir under it with a token-like word are
/// their length only (`<N characters, not shown>`), in both.
#[test]
fn resolve_json_hides_the_paths_human_resolve_hides() {
    let s = Scratch::new("resolve-json-paths");
    let secrets = [
        "ghp_FakePathR1abcdefghijklmnopqrstuvwxyz0123",
        "ghp_FakePathR2abcdefghijklmnopqrstuvwxyz0123",
    ];
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
    s.write(
        "home/s/docker-compose.yml",
        &format!(
            "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    \
             ports: [\"19200:18789\"]\n    volumes:\n      - /srv/{}/state:/home/node/.openclaw\n    \
             environment:\n      OPENCLAW_STATE_DIR: /x/{}\n",
            secrets[0], secrets[1]
        ),
    );
    let home = s.home();
    // resolve in both formats, and every check format.
    no_output_shows(&home, &secrets);
    let out = run(&[
        "resolve",
        "--home",
        &home,
        "--no-config",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let container = json["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["container"].is_object())
        .expect("the compose gateway");
    let hidden = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|t| t.ends_with("characters, not shown>"))
    };
    assert!(
        hidden(&container["container"]["mounts"][0]["source"]),
        "{container:#}"
    );
    assert!(hidden(&container["lockDir"]), "{container:#}");
}

/// A key as long as a file can hold is named by its length in every message, as `resolve`
/// names a long value: a 1 MiB unknown key is not echoed (it was, twice per finding in every
/// format, four times in JUnit), and what each format prints stays far smaller than the key.
#[test]
fn a_huge_key_is_counted_not_echoed() {
    let s = Scratch::new("huge-key");
    const LEN: usize = 1 << 20;
    let key = "k".repeat(LEN);
    s.write(
        "home/.openclaw/openclaw.json",
        &format!("{{ gateway: {{ port: 19100 }}, channels: {{ telegram: {{ {key}: true }} }} }}\n"),
    );
    use clap::ValueEnum;
    let home = s.home();
    for format in clawlint::report::Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
    {
        let args = check_in_format(&home, format.get_name());
        let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.code, 1, "{}", out.stderr);
        let name = format.get_name();
        assert!(
            !out.stdout.contains(&"k".repeat(65)),
            "{name}: the key is echoed ({} bytes)",
            out.stdout.len()
        );
        assert!(
            out.stdout.len() < LEN / 4,
            "{name}: {} bytes",
            out.stdout.len()
        );
        assert!(
            out.stdout.contains(&format!("{LEN} characters, not shown")),
            "{name}:\n{}",
            &out.stdout[..out.stdout.len().min(4000)]
        );
    }
}

/// A dangling link's target is text the layout wrote: shown only when it looks like a path.
#[test]
fn a_dangling_links_target_is_shown_only_when_it_is_not_secret_shaped() {
    let s = Scratch::new("dangling-target-secret");
    add_ordinary_gateways(&s);
    let dir = "home/.config/containers/systemd";
    std::fs::create_dir_all(s.path(dir)).unwrap();
    let canary = "ghp_CanaryDanglingTarget0000000000000000";
    std::os::unix::fs::symlink(canary, s.path(&format!("{dir}/openclaw.container"))).unwrap();
    let (_, findings, out) = check_json(&s.home());
    assert!(!out.contains("CanaryDangling"), "{out}");
    assert!(
        says(&with_code(&findings, "CL902"), "characters, not shown"),
        "{out}"
    );
}

// Unraid Docker Manager templates (`<root>/boot/config/plugins/dockerMan/templates-user`).

const UNRAID_TEMPLATES: &str = "root/boot/config/plugins/dockerMan/templates-user";

/// An OpenClaw template as the webgui saves it: `name` on host port `port`, its own config dir,
/// `extra` as its `<ExtraParams>` and `configs` as more `<Config>` lines.
fn unraid_template(name: &str, port: u16, extra: &str, configs: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<Container version=\"2\">\n  <Name>{name}</Name>\n  \
         <Repository>ghcr.io/openclaw/openclaw:2026.9.6</Repository>\n  <Network>bridge</Network>\n  \
         <ExtraParams>{extra}</ExtraParams>\n  <PostArgs/>\n  \
         <Config Name=\"Port\" Target=\"18789\" Default=\"18789\" Mode=\"tcp\" Type=\"Port\">{port}</Config>\n  \
         <Config Name=\"Config\" Target=\"/home/node/.openclaw\" Default=\"\" Mode=\"rw\" Type=\"Path\">/mnt/user/appdata/oc-{port}</Config>\n\
         {configs}</Container>\n"
    )
}

/// `check --root ROOT --home HOME --format json` on an Unraid scratch layout, and its findings.
fn unraid_check(s: &Scratch) -> (i32, Vec<serde_json::Value>, String) {
    std::fs::create_dir_all(s.path("home")).unwrap();
    let root = s.path("root");
    check_json_with(&["--home", &s.home(), "--root", root.to_str().unwrap()])
}

/// The findings of `code` whose primary location is in a file ending with `file`.
fn located_in<'a>(
    findings: &'a [serde_json::Value],
    code: &str,
    file: &str,
) -> Vec<&'a serde_json::Value> {
    with_code(findings, code)
        .into_iter()
        .filter(|f| {
            f["parties"][0]["file"]
                .as_str()
                .is_some_and(|p| p.ends_with(file))
        })
        .collect()
}

/// Two good templates that publish the same host port, beside `bad` (a file name and its
/// text): the bad one is said at its own place, and the collision of the good ones is still
/// found.
fn unraid_bad_beside_good(label: &str, bad: &str, text: &str) -> (Vec<serde_json::Value>, String) {
    let s = Scratch::new(label);
    for name in ["oc-a", "oc-b"] {
        s.write(
            &format!("{UNRAID_TEMPLATES}/my-{name}.xml"),
            &unraid_template(name, 18789, "", ""),
        );
    }
    s.write(&format!("{UNRAID_TEMPLATES}/{bad}"), text);
    let (_, findings, stdout) = unraid_check(&s);
    assert_eq!(with_code(&findings, "CL108").len(), 1, "{stdout}");
    (findings, stdout)
}

#[test]
fn unraid_template_that_does_not_parse_is_located_and_hides_nothing() {
    let text = "<?xml version=\"1.0\"?>\n<Container version=\"2\">\n  <Name>oc-c</Name>\n  <Network>bridge</Network\n</Container>\n";
    let (findings, stdout) = unraid_bad_beside_good("unraid-unparsable", "my-oc-c.xml", text);
    let said = located_in(&findings, "CL901", "my-oc-c.xml");
    assert_eq!(said.len(), 1, "{stdout}");
    assert_eq!(said[0]["parties"][0]["line"], 5, "{stdout}");
    assert!(
        said[0]["message"]
            .as_str()
            .unwrap()
            .contains("not well-formed XML"),
        "{stdout}"
    );
}

/// A billion-laughs DTD: refused before any entity is expanded, at the `<!DOCTYPE` line, in
/// far less than the hang guard and the address space limit.
#[test]
fn unraid_template_with_a_dtd_is_refused_at_its_doctype() {
    let mut text = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Container [\n  <!ENTITY a \"aaaaaaaaaa\">\n",
    );
    let mut previous = 'a';
    for name in "bcdefghijklmnop".chars() {
        let refs: String = std::iter::repeat_n(format!("&{previous};"), 10).collect();
        text.push_str(&format!("  <!ENTITY {name} \"{refs}\">\n"));
        previous = name;
    }
    text.push_str("]>\n<Container version=\"2\">\n  <Name>oc-c</Name>\n  <Overview>&p;</Overview>\n</Container>\n");
    let started = std::time::Instant::now();
    let (findings, stdout) = unraid_bad_beside_good("unraid-dtd", "my-oc-c.xml", &text);
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    let said = located_in(&findings, "CL901", "my-oc-c.xml");
    assert_eq!(said.len(), 1, "{stdout}");
    assert_eq!(said[0]["parties"][0]["line"], 2, "{stdout}");
    assert!(
        said[0]["message"].as_str().unwrap().contains("DTD"),
        "{stdout}"
    );
}

/// A template larger than the bounded reader takes (a sparse file of a gigabyte): said as
/// too large, never read whole.
#[test]
fn unraid_huge_template_is_not_read() {
    let s = Scratch::new("unraid-huge");
    for name in ["oc-a", "oc-b"] {
        s.write(
            &format!("{UNRAID_TEMPLATES}/my-{name}.xml"),
            &unraid_template(name, 18789, "", ""),
        );
    }
    s.sparse(
        &format!("{UNRAID_TEMPLATES}/my-huge.xml"),
        "<?xml version=\"1.0\"?>\n<Container version=\"2\">\n",
        1 << 30,
    );
    let (_, findings, stdout) = unraid_check(&s);
    assert_eq!(with_code(&findings, "CL108").len(), 1, "{stdout}");
    assert!(
        findings.iter().any(|f| f["parties"][0]["file"]
            .as_str()
            .is_some_and(|p| p.ends_with("my-huge.xml"))
            && f["message"].as_str().unwrap().contains("large")),
        "{stdout}"
    );
}

/// 10,000 `<Config>` elements (environment variables) in one template: read, and the gateway
/// linted with the last one's value.
#[test]
fn unraid_template_with_ten_thousand_configs_is_read() {
    let s = Scratch::new("unraid-configs");
    let mut configs = String::new();
    for i in 0..10_000 {
        configs.push_str(&format!(
            "  <Config Name=\"V{i}\" Target=\"VAR_{i}\" Default=\"\" Mode=\"\" Type=\"Variable\">{i}</Config>\n"
        ));
    }
    s.write(
        &format!("{UNRAID_TEMPLATES}/my-oc-a.xml"),
        &unraid_template("oc-a", 18789, "", &configs),
    );
    s.write(
        &format!("{UNRAID_TEMPLATES}/my-oc-b.xml"),
        &unraid_template("oc-b", 18789, "", ""),
    );
    let (_, findings, stdout) = unraid_check(&s);
    assert_eq!(with_code(&findings, "CL108").len(), 1, "{stdout}");
}

/// A Telegram token in `<ExtraParams>` (`-e TELEGRAM_BOT_TOKEN=…`) of two templates: the shared
/// bot is found, by fingerprint, and no format nor `resolve` prints the token.
#[test]
fn unraid_token_in_extra_params_is_fingerprinted_never_shown() {
    let s = Scratch::new("unraid-token");
    let token = "123456789:FAKEhostileUnraidTokenZZZZZZZZZZZZZZ";
    for (name, port) in [("oc-a", 18789), ("oc-b", 18790)] {
        s.write(
            &format!("{UNRAID_TEMPLATES}/my-{name}.xml"),
            &unraid_template(
                name,
                port,
                &format!("--user node -e TELEGRAM_BOT_TOKEN={token}"),
                "",
            ),
        );
    }
    let (_, findings, stdout) = unraid_check(&s);
    assert_eq!(with_code(&findings, "CL301").len(), 1, "{stdout}");
    let root = s.path("root");
    let home = s.home();
    let mut runs = check_in_every_format(&home);
    runs.push(
        ["resolve", "--home", &home, "--no-config"]
            .map(String::from)
            .to_vec(),
    );
    runs.push(
        ["ports", "--home", &home, "--no-config"]
            .map(String::from)
            .to_vec(),
    );
    for mut args in runs {
        args.extend(["--root".to_string(), root.to_str().unwrap().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
        for secret in [token, "FAKEhostileUnraidToken"] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{args:?} shows {secret}:\n{}{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

/// A container name with terminal controls, a line break and a bidi override (written as XML
/// character references) is escaped in every format of `check`, `ports` and `plan`.
#[test]
fn unraid_container_names_with_controls_are_escaped_everywhere() {
    let s = Scratch::new("unraid-names");
    // XML 1.0 allows no C0 control but tab, CR and LF (which the webgui removes from a name),
    // even as a character reference: the name carries C1's CSI, a bidi override and a
    // workflow command, and the file name (shown as the template's path) raw C0 controls.
    let hostile = "u::error file=README.md,line=1::forged&#x9B;2J&#x202E;";
    let hostile_file = "my-u\r\n::error file=README.md,line=1::forged\u{1b}]0;t\u{7}.xml";
    for (name, file) in [(hostile, hostile_file), ("oc-b", "my-oc-b.xml")] {
        s.write(
            &format!("{UNRAID_TEMPLATES}/{file}"),
            &unraid_template(name, 18789, "", ""),
        );
    }
    std::fs::create_dir_all(s.path("home")).unwrap();
    let root = s.path("root");
    let root = root.to_str().unwrap();
    let home = s.home();
    let mut runs = check_in_every_format(&home);
    for format in ["human", "json"] {
        runs.push(
            ["ports", "--format", format, "--home", &home, "--no-config"]
                .map(String::from)
                .to_vec(),
        );
        runs.push(
            [
                "plan",
                "--add",
                "new",
                "--format",
                format,
                "--home",
                &home,
                "--no-config",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    runs.push(
        ["resolve", "--home", &home, "--no-config"]
            .map(String::from)
            .to_vec(),
    );
    let mut failures = Vec::new();
    let mut shown = String::new();
    for mut args in runs {
        args.extend(["--root".to_string(), root.to_string()]);
        let out = run_for_forgeries(&args, &[0, 1], &mut failures);
        shown.push_str(&out.stdout);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        shown.contains("::forged"),
        "the name is shown, escaped:\n{shown}"
    );
}

/// `/var/lib/docker/unraid-autostart` (in docker.img, so present only in a layout copied with
/// it) names the containers the host starts at boot: a template whose container is not in it
/// is not read, as a unit nobody enabled. Without it every template is read.
#[test]
fn unraid_autostart_list_says_which_templates_run() {
    let s = Scratch::new("unraid-autostart");
    for name in ["oc-a", "oc-b", "oc-old"] {
        s.write(
            &format!("{UNRAID_TEMPLATES}/my-{name}.xml"),
            &unraid_template(name, 18789, "", ""),
        );
    }
    let (_, findings, stdout) = unraid_check(&s);
    let collision = with_code(&findings, "CL108");
    assert_eq!(collision.len(), 1, "{stdout}");
    assert_eq!(
        collision[0]["instances"].as_array().unwrap().len(),
        3,
        "{stdout}"
    );
    s.write("root/var/lib/docker/unraid-autostart", "oc-a\noc-b 30\n");
    let (_, findings, stdout) = unraid_check(&s);
    let collision = with_code(&findings, "CL108");
    assert_eq!(collision.len(), 1, "{stdout}");
    assert_eq!(
        collision[0]["instances"],
        serde_json::json!(["oc-a", "oc-b"]),
        "{stdout}"
    );
}

/// A compose value compose rejects for its `$` is said by where the `$` is, not by repeating
/// the value: it may be a token with a `$` in it.
#[test]
fn a_rejected_interpolation_never_repeats_the_value() {
    let s = Scratch::new("lone-dollar");
    let home = s.home();
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    s.write(
        "home/stacks/a/docker-compose.yml",
        "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      TELEGRAM_BOT_TOKEN: \"123456789:AAHCanaryLone$-Secret00000000000000\"\n      OPENCLAW_GATEWAY_TOKEN: \"Canary2Unterminated${GW\"\n      SLACK_BOT_TOKEN: \"${xoxb-1111111111-Canary3Secret000}\"\n    ports:\n      - \"18900:18789\"\n",
    );
    let secrets = ["CanaryLone", "Canary2", "Canary3"];
    no_output_shows(&home, &secrets);
    let (_, findings, out) = check_json(&home);
    assert!(
        says(&with_code(&findings, "CL904"), "a lone $ at character 24"),
        "{out}"
    );
}

/// A gateway-named unit whose script runs its program inside what a plain utility is given
/// (a trap, a command or process substitution, a `for … in $(…)`) or by a plain name after
/// `PATH` is changed may start the gateway: CL409 says it cannot be read, the unit is not
/// dropped as one that starts no gateway (found by a hostile-input audit).
#[test]
fn a_script_that_may_run_a_gateway_through_a_plain_utility_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let node = "node /opt/oc/dist/index.js --profile b --port 19100";
    let shapes = [
        format!("trap '{node}' EXIT"),
        format!("echo \"$({node})\""),
        format!("export PID=\"$({node})\""),
        format!("cat <({node})"),
        format!("echo start > >({node})"),
        format!("for l in $({node}); do echo \"$l\"; done"),
        format!("echo `{node}`"),
        "PATH=\"$HOME/libexec:$PATH\"\nsleep infinity".to_string(),
    ];
    for shape in shapes {
        let s = Scratch::new("plain-utility");
        s.write(
            "home/.openclaw/openclaw.json",
            "{ gateway: { mode: \"local\", port: 19100 } }\n",
        );
        s.write(
            "home/.config/systemd/user/openclaw-gateway-b.service",
            "[Service]\nExecStart=%h/bin/start.sh\n[Install]\nWantedBy=default.target\n",
        );
        let script = s.write("home/bin/start.sh", &format!("#!/bin/sh\n{shape}\n"));
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (_, findings, out) = check_json(&s.home());
        assert!(
            !with_code(&findings, "CL409").is_empty(),
            "{shape}: the unit is kept as a gateway clawlint cannot read: {out}"
        );
    }
    // A script of plain utilities only still starts no gateway.
    let s = Scratch::new("plain-utility-control");
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
    s.write(
        "home/.config/systemd/user/openclaw-gateway-b.service",
        "[Service]\nExecStart=%h/bin/start.sh\n[Install]\nWantedBy=default.target\n",
    );
    let script = s.write("home/bin/start.sh", "#!/bin/sh\necho \"$HOME\"\nsleep 10\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_, findings, out) = check_json(&s.home());
    assert!(with_code(&findings, "CL409").is_empty(), "{out}");
}

/// `clawlint check --format concise` of `home`, run in the directory `cwd`.
fn check_in(cwd: &std::path::Path, home: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(["check", "--home", home, "--no-default-home", "--no-config"])
        .args(["--color", "never", "--format", "concise"])
        .current_dir(cwd)
        .env_clear()
        .output()
        .expect("clawlint runs");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A compose service whose env file is unknown reads its config at a container path no mount
/// maps to the host (`<container openclaw_gateway>/home/node/.openclaw/openclaw.json`): it is
/// never looked up on this host, where it would name a file under the working directory (a
/// pull request's checkout in CI), so what that directory holds changes nothing (found by a
/// hostile-input audit: a dangling link there gave a CL902).
#[test]
fn a_container_path_is_never_looked_up_under_the_working_directory() {
    let home = common::root()
        .join("fixtures/containers-compose-env-variants-unseen/home")
        .to_str()
        .expect("UTF-8")
        .to_string();
    let s = Scratch::new("container-path-cwd");
    let cwd = s.path("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let before = check_in(&cwd, &home);
    let dir = cwd.join("<container openclaw_gateway>/home/node/.openclaw");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("openclaw.json")).unwrap();
    let with_link = check_in(&cwd, &home);
    assert_eq!(with_link, before);
    assert!(!with_link.contains("CL902"), "{with_link}");
    std::fs::remove_file(dir.join("openclaw.json")).unwrap();
    std::fs::write(
        dir.join("openclaw.json"),
        "{ gateway: { mode: \"local\", port: 1 } }\n",
    )
    .unwrap();
    assert_eq!(check_in(&cwd, &home), before);
}

/// A `--port` OpenClaw refuses (`gateway run` exits 1 "Invalid --port. Use a port number from
/// 1 to 65535": OpenClaw 2026.9.6 `parseTcpPort`, decimal digits only, 1 to 65535) starts no
/// gateway: CL909 at the command line, whether written in the unit or given by a template's
/// instance (`--port %I`); a sign and leading zeros are accepted (found by a hostile-input
/// audit: the flag was dropped silently).
#[test]
fn a_port_openclaw_refuses_is_a_refused_start() {
    let s = Scratch::new("invalid-port");
    s.write(
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    let units = "home/.config/systemd/user";
    let unit = |port: &str| {
        format!(
            "[Service]\nExecStart=/usr/bin/openclaw --profile p{port} gateway --port {port}\n\
             [Install]\nWantedBy=default.target\n"
        )
    };
    for (name, port) in [
        ("big", "99999"),
        ("exp", "1e4"),
        ("hex", "0x4a65"),
        ("neg", "-1"),
    ] {
        s.write(
            &format!("{units}/openclaw-gateway-{name}.service"),
            &unit(port),
        );
    }
    s.write(
        &format!("{units}/openclaw-gateway-plus.service"),
        &unit("+019100"),
    );
    s.write(
        &format!("{units}/openclaw@.service"),
        "[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-t%i\n\
         ExecStart=/usr/bin/openclaw gateway --port %I\n[Install]\nWantedBy=default.target\n",
    );
    let wants = s.path(&format!("{units}/default.target.wants"));
    std::fs::remove_file(wants.join("openclaw@.service")).unwrap();
    std::os::unix::fs::symlink("../openclaw@.service", wants.join("openclaw@70000.service"))
        .unwrap();
    let (_, findings, out) = check_json(&s.home());
    let refused: Vec<String> = with_code(&findings, "CL909")
        .iter()
        .filter(|f| says(&[f], "Invalid --port"))
        .map(|f| f["instances"][0].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(refused.len(), 5, "{refused:?} {out}");
    for f in with_code(&findings, "CL909") {
        if says(&[f], "Invalid --port") {
            // At the ExecStart= line.
            let file = f["parties"][0]["file"].as_str().unwrap();
            let line = if file.ends_with("openclaw@.service") {
                3
            } else {
                2
            };
            assert_eq!(f["parties"][0]["line"], line, "{f}");
        }
    }
    assert!(
        !out.contains("openclaw-gateway-plus.service passes"),
        "{out}"
    );
}
