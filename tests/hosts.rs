//! Real hosts (issue 13), built at test time: systemd's search path (a unit in /etc replaces
//! the vendor's, a masked unit is no gateway, a template under /usr/lib enabled and overridden
//! from /etc, dash-prefix drop-ins), and bad input that must stay a located diagnostic (a
//! template instance whose env file is missing, a wrapper script that cannot be read, a
//! drop-in that does not parse).

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

fn write(base: &Path, rel: &str, text: &[u8]) {
    let path = base.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn link(base: &Path, rel: &str, target: &str) {
    let path = base.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// A host: a user's home with the default gateway, and a system root whose vendor units are
/// replaced, masked, enabled and overridden from /etc.
fn host() -> Layout {
    let t = Layout::new("hosts-search-path").with_root();
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    // Merged /usr: /lib is /usr/lib, so every vendor unit is seen twice.
    link(b, "root/lib", "usr/lib");
    // The vendor's unit, replaced by the admin's copy in /etc: one supervisor, the admin's.
    write(
        b,
        "root/usr/lib/systemd/system/openclaw-gateway.service",
        b"[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\n",
    );
    write(
        b,
        "root/etc/systemd/system/openclaw-gateway.service",
        b"[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\nRestartPreventExitStatus=78\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/openclaw-gateway.service",
        "/etc/systemd/system/openclaw-gateway.service",
    );
    // A retired gateway, masked: no gateway at all.
    write(
        b,
        "root/usr/lib/systemd/system/openclaw-old.service",
        b"[Service]\nExecStart=/usr/bin/openclaw --profile old gateway --port 18789\n",
    );
    link(
        b,
        "root/etc/systemd/system/openclaw-old.service",
        "/dev/null",
    );
    // A vendor template, enabled from /etc, its command replaced by an /etc drop-in, and a
    // dash-prefix drop-in that applies to every openclaw-*.service.
    write(
        b,
        "root/usr/lib/systemd/system/openclaw-gateway@.service",
        b"[Service]\nEnvironmentFile=/etc/openclaw/%i.env\nExecStart=/usr/bin/openclaw --profile %i gateway --port 19100 --allow-unconfigured\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/openclaw-gateway@ops.service",
        "/usr/lib/systemd/system/openclaw-gateway@.service",
    );
    write(
        b,
        "root/etc/systemd/system/openclaw-gateway@ops.service.d/override.conf",
        b"[Service]\nExecStart=\nExecStart=/usr/bin/openclaw --profile %i gateway --port 19200 --allow-unconfigured\n",
    );
    write(
        b,
        "root/etc/systemd/system/openclaw-.service.d/20-restart.conf",
        b"[Service]\nRestart=always\nRestartPreventExitStatus=78\n",
    );
    t
}

/// One host built in a scratch directory and linted as users lint it: its files and links
/// written under [`Layout::path`], then `clawlint COMMAND --home HOME… [--root root]
/// --no-config --format json`. Every test here builds its host through it, so how clawlint is
/// pointed at a host is written once.
struct Layout {
    t: TempDir,
    /// The scanned homes (`home/` unless told otherwise).
    homes: Vec<std::path::PathBuf>,
    /// The copied system root (`root/`), when the host has one.
    root: Option<std::path::PathBuf>,
}

impl Layout {
    /// A host whose only scanned home is `home/`, without a system root.
    fn new(name: &str) -> Layout {
        let t = TempDir::new(name);
        let homes = vec![t.path().join("home")];
        Layout {
            t,
            homes,
            root: None,
        }
    }

    /// The same host, its system root `root/` passed as `--root`.
    fn with_root(mut self) -> Layout {
        self.root = Some(self.t.path().join("root"));
        self
    }

    /// The scanned home is `rel` (under the scratch dir) instead.
    fn at_home(&mut self, rel: &str) {
        self.homes = vec![self.t.path().join(rel)];
    }

    fn path(&self) -> &Path {
        self.t.path()
    }

    /// `clawlint COMMAND` on this host: exit code, its JSON output, stdout and stderr.
    fn output(&self, command: &str) -> (i32, Value, String, String) {
        let mut args: Vec<String> = vec![command.to_string()];
        for home in &self.homes {
            args.extend(["--home".to_string(), home.display().to_string()]);
        }
        if let Some(root) = &self.root {
            args.extend(["--root".to_string(), root.display().to_string()]);
        }
        args.extend(["--no-config", "--format", "json"].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = clawlint(&args);
        let json =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
        (code, json, stdout, stderr)
    }

    /// Exit code, JSON output and stderr of `clawlint COMMAND` on this host.
    fn run(&self, command: &str) -> (i32, Value, String) {
        let (code, json, _, stderr) = self.output(command);
        (code, json, stderr)
    }

    /// The JSON output of `clawlint COMMAND` on this host.
    fn json(&self, command: &str) -> Value {
        self.output(command).1
    }
}

fn gateways(resolved: &Value) -> Vec<&Value> {
    resolved["instances"]
        .as_array()
        .or_else(|| resolved.as_array())
        .expect("resolve lists gateways")
        .iter()
        .collect()
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// `check --format json` on `home` alone: the codes that fired.
fn check_codes(home: &Path) -> Vec<String> {
    let home = home.display().to_string();
    let (_, out, err) = clawlint(&["check", "--home", &home, "--no-config", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    codes(&report)
}

/// The findings of `code` whose message mentions `about`.
fn findings<'a>(report: &'a Value, code: &str, about: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code && f["message"].as_str().unwrap().contains(about))
        .collect()
}

#[test]
fn systemds_search_path_decides_which_units_run() {
    let t = host();
    let (_, resolved, stderr) = t.run("resolve");
    let all = gateways(&resolved);
    let names: Vec<&str> = all.iter().map(|g| g["name"].as_str().unwrap()).collect();
    // The masked unit is no gateway; the vendor copy of openclaw-gateway.service (in /usr/lib
    // and again through /lib) is not a second supervisor.
    assert_eq!(names, ["default", "ops"], "{stderr}");
    let default = all[0];
    let supervisors = default["supervisors"].as_array().unwrap();
    assert_eq!(supervisors.len(), 1, "{supervisors:?}");
    assert!(
        supervisors[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("root/etc/systemd/system/openclaw-gateway.service"),
        "{supervisors:?}"
    );
    // The vendor template, enabled from /etc: its /etc drop-ins, in file name order, the
    // dash-prefix one included; the override's ExecStart= reset gives port 19200.
    let ops = all[1];
    assert_eq!(ops["gatewayPort"]["value"], 19200, "{ops}");
    let supervisor = &ops["supervisors"][0];
    assert_eq!(supervisor["instance"]["name"], "ops");
    let drop_ins: Vec<&str> = supervisor["dropIns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(drop_ins.len(), 2, "{drop_ins:?}");
    assert!(drop_ins[0].ends_with("openclaw-.service.d/20-restart.conf"));
    assert!(drop_ins[1].ends_with("openclaw-gateway@ops.service.d/override.conf"));

    let (_, report, _) = t.run("check");
    let found = codes(&report);
    // One supervisor per gateway; the dash-prefix drop-in sets RestartPreventExitStatus=78.
    for quiet in ["CL402", "CL406", "CL101"] {
        assert!(!found.iter().any(|c| c == quiet), "{quiet}: {found:?}");
    }
}

#[test]
fn a_template_instance_without_its_env_file_is_located() {
    let t = host();
    let (_, report, _) = t.run("check");
    let missing = findings(&report, "CL902", "ops.env");
    assert_eq!(missing.len(), 1, "{report}");
    let at = &missing[0]["parties"][0];
    assert!(at["file"]
        .as_str()
        .unwrap()
        .ends_with("usr/lib/systemd/system/openclaw-gateway@.service"));
    assert_eq!(at["line"], 2, "the EnvironmentFile= line: {at}");
}

#[test]
fn a_wrapper_script_that_cannot_be_read_is_located_and_the_unit_kept() {
    let t = host();
    let b = t.path();
    // A directory where the script should be.
    std::fs::create_dir_all(b.join("root/opt/bot/start.sh")).unwrap();
    write(
        b,
        "root/etc/systemd/system/bot.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/root/.openclaw-bot\nExecStart=/opt/bot/start.sh\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/bot.service",
        "/etc/systemd/system/bot.service",
    );
    let (_, report, _) = t.run("check");
    let unreadable = findings(&report, "CL902", "start.sh");
    assert_eq!(unreadable.len(), 1, "{report}");
    let at = &unreadable[0]["parties"][0];
    assert!(at["file"].as_str().unwrap().ends_with("bot.service"));
    assert_eq!(at["line"], 3, "the ExecStart= line: {at}");
    // The unit still names its gateway by its state dir, and says what it could not see.
    let (_, resolved, _) = t.run("resolve");
    let bot = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-bot")
        .unwrap_or_else(|| panic!("no gateway for ~/.openclaw-bot: {resolved}"));
    let unseen = bot["supervisors"][0]["unseen"].to_string();
    assert!(unseen.contains("could not be read"), "{unseen}");
}

fn names(resolved: &Value) -> Vec<String> {
    gateways(resolved)
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

/// systemd runs a unit only when it is enabled (wanted by a target), linked into the search
/// path, transient or marked running: a disabled unit is no gateway, however it looks.
#[test]
fn a_disabled_unit_is_no_gateway() {
    let t = host();
    let b = t.path();
    let unit = |profile: &str, port: u16| {
        format!("[Service]\nExecStart=/usr/bin/openclaw --profile {profile} gateway --port {port}\n[Install]\nWantedBy=multi-user.target\n")
    };
    // Written, never enabled (`systemctl disable` removed its link, or nobody made one).
    write(
        b,
        "root/etc/systemd/system/openclaw-spare.service",
        unit("spare", 18789).as_bytes(),
    );
    // Linked into the search path from elsewhere (`systemctl link /srv/bots/linked.service`).
    write(
        b,
        "root/srv/bots/openclaw-linked.service",
        unit("linked", 19300).as_bytes(),
    );
    link(
        b,
        "root/etc/systemd/system/openclaw-linked.service",
        "../../../srv/bots/openclaw-linked.service",
    );
    // Not enabled, but started by hand: systemd marks it running.
    write(
        b,
        "root/etc/systemd/system/openclaw-manual.service",
        unit("manual", 19400).as_bytes(),
    );
    link(
        b,
        "root/run/systemd/units/invocation:openclaw-manual.service",
        "0123456789abcdef0123456789abcdef",
    );
    let (_, resolved, stderr) = t.run("resolve");
    let found = names(&resolved);
    assert!(!found.iter().any(|n| n == "spare"), "{found:?} {stderr}");
    assert!(found.iter().any(|n| n == "linked"), "{found:?}");
    assert!(found.iter().any(|n| n == "manual"), "{found:?}");
    // The disabled copy on the default gateway's port collides with nothing.
    let (_, report, _) = t.run("check");
    assert!(findings(&report, "CL101", "").is_empty(), "{report}");
}

/// A unit written and started by hand (`systemctl --user start`, lostsock1/ocm's `ocm
/// start`) but never enabled says how the gateway of a scanned state dir it names runs: its
/// port, not the profile's hash port, shown as not enabled. It never makes a gateway of its
/// own, and an enabled unit of the same dir is the supervisor without a second one (CL402);
/// one that runs no gateway says nothing.
#[test]
fn a_unit_not_enabled_decides_how_its_scanned_dir_starts() {
    let t = host();
    let b = t.path();
    let unit = |profile: &str, port: u16| {
        format!("[Service]\nExecStart=/usr/bin/openclaw --profile {profile} gateway --port {port}\nRestartPreventExitStatus=78\n[Install]\nWantedBy=default.target\n")
    };
    let units = "home/.config/systemd/user";
    for profile in ["worker1", "worker2"] {
        write(
            b,
            &format!("home/.openclaw-{profile}/workspace/AGENTS.md"),
            b"# agents\n",
        );
    }
    write(
        b,
        &format!("{units}/openclaw-gateway-worker1.service"),
        unit("worker1", 19100).as_bytes(),
    );
    write(
        b,
        &format!("{units}/openclaw-gateway-worker2.service"),
        unit("worker2", 19200).as_bytes(),
    );
    write(
        b,
        &format!("{units}/openclaw-w2.service"),
        unit("worker2", 19200).as_bytes(),
    );
    link(
        b,
        &format!("{units}/default.target.wants/openclaw-w2.service"),
        "../openclaw-w2.service",
    );
    write(
        b,
        &format!("{units}/openclaw-gateway-ghost.service"),
        unit("ghost", 19300).as_bytes(),
    );
    // Not enabled and no gateway: what is wrong with it is not said (a vendor's unit that
    // cannot be read under `--root`).
    std::fs::create_dir_all(b.join(units).join("stray.service")).unwrap();
    let (_, resolved, stderr) = t.run("resolve");
    let by_name = |name: &str| {
        gateways(&resolved)
            .into_iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {resolved} {stderr}"))
    };
    let worker1 = by_name("worker1");
    assert_eq!(worker1["gatewayPort"]["value"], 19100, "{worker1}");
    let supervisors = worker1["supervisors"].as_array().unwrap();
    assert_eq!(supervisors.len(), 1, "{worker1}");
    assert_eq!(supervisors[0]["notEnabled"], true, "{worker1}");
    let worker2 = by_name("worker2");
    let supervisors = worker2["supervisors"].as_array().unwrap();
    assert_eq!(supervisors.len(), 1, "{worker2}");
    assert_eq!(supervisors[0]["name"], "openclaw-w2.service", "{worker2}");
    assert!(supervisors[0].get("notEnabled").is_none(), "{worker2}");
    assert!(!names(&resolved).iter().any(|n| n == "ghost"), "{resolved}");
    let (_, report, _) = t.run("check");
    assert!(
        !codes(&report).iter().any(|c| c == "CL402" || c == "CL106"),
        "{report}"
    );
    assert!(!report.to_string().contains("stray.service"), "{report}");
}

/// The rest of systemd's search path, in its order: control, transient and generator
/// directories, the system-wide user unit directories (a unit in /etc/systemd/user enabled
/// for every user), and the user manager's runtime directory.
#[test]
fn systemds_whole_search_path_is_read_in_its_order() {
    let t = host();
    let b = t.path();
    let unit = |profile: &str, port: u16| {
        format!(
            "[Service]\nExecStart=/usr/bin/openclaw --profile {profile} gateway --port {port}\n"
        )
    };
    // A transient unit (`systemd-run`) runs while it exists.
    write(
        b,
        "root/run/systemd/transient/openclaw-trial.service",
        unit("trial", 19500).as_bytes(),
    );
    // A generator's unit, enabled by the generator's own link.
    write(
        b,
        "root/run/systemd/generator/openclaw-gen.service",
        unit("gen", 19600).as_bytes(),
    );
    link(
        b,
        "root/run/systemd/generator/multi-user.target.wants/openclaw-gen.service",
        "../openclaw-gen.service",
    );
    // generator.late is below the vendor dirs: /etc's unit of that name wins.
    write(
        b,
        "root/run/systemd/generator.late/openclaw-gateway.service",
        unit("late", 19700).as_bytes(),
    );
    // `systemctl set-property` writes drop-ins to system.control, above /etc.
    write(
        b,
        "root/etc/systemd/system.control/openclaw-gateway.service.d/50-port.conf",
        b"[Service]\nExecStart=\nExecStart=/usr/bin/openclaw gateway --port 18790\n",
    );
    // A user unit in /etc/systemd/user, enabled for every user (`systemctl --global enable`).
    write(
        b,
        "root/etc/systemd/user/openclaw-global.service",
        unit("global", 19800).as_bytes(),
    );
    link(
        b,
        "root/etc/systemd/user/default.target.wants/openclaw-global.service",
        "/etc/systemd/user/openclaw-global.service",
    );
    // The user manager's runtime dir (/run/user/UID, UID from /etc/passwd): a transient
    // user unit, and a user.control copy of a user unit that replaces the user's own.
    write(
        b,
        "root/etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\nhome:x:1000:1000::/home/home:/bin/sh\n",
    );
    write(
        b,
        "root/run/user/1000/systemd/transient/openclaw-usertrial.service",
        unit("usertrial", 19900).as_bytes(),
    );
    write(
        b,
        "home/.config/systemd/user/openclaw-pick.service",
        unit("pick", 20000).as_bytes(),
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/openclaw-pick.service",
        "../openclaw-pick.service",
    );
    write(
        b,
        "home/.config/systemd/user.control/openclaw-pick.service",
        unit("pick", 20100).as_bytes(),
    );

    let (_, resolved, stderr) = t.run("resolve");
    let found = names(&resolved);
    for name in ["default", "trial", "gen", "global", "usertrial", "pick"] {
        assert!(
            found.iter().any(|n| n == name),
            "{name}: {found:?} {stderr}"
        );
    }
    assert!(!found.iter().any(|n| n == "late"), "{found:?}");
    let port = |name: &str| {
        gateways(&resolved)
            .into_iter()
            .find(|g| g["name"] == name)
            .map(|g| g["gatewayPort"]["value"].clone())
            .unwrap()
    };
    assert_eq!(
        port("default"),
        18790,
        "the system.control drop-in applies last"
    );
    assert_eq!(
        port("pick"),
        20100,
        "user.control comes before ~/.config/systemd/user"
    );
    let global = gateways(&resolved)
        .into_iter()
        .find(|g| g["name"] == "global")
        .unwrap();
    assert_eq!(global["supervisors"][0]["kind"], "systemd-user", "{global}");
}

/// The script might pass `--port` or `--profile`: nothing sets bot's port, so OpenClaw's
/// default 18789 would be a guess. It is unverifiable: no CL101 with the default gateway on
/// 18789, and a finding at the ExecStart= line says what could not be read.
#[test]
fn an_unreadable_wrapper_leaves_the_port_unverifiable_not_guessed() {
    let t = host();
    let b = t.path();
    std::fs::create_dir_all(b.join("root/opt/bot/start.sh")).unwrap();
    write(
        b,
        "root/etc/systemd/system/bot.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/root/.openclaw-bot\nExecStart=/opt/bot/start.sh\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/bot.service",
        "/etc/systemd/system/bot.service",
    );
    let (_, report, _) = t.run("check");
    assert!(
        findings(&report, "CL101", "").is_empty(),
        "no collision on a guessed port: {report}"
    );
    let unverifiable = findings(&report, "CL409", "bot.service");
    assert_eq!(unverifiable.len(), 1, "{report}");
    let message = unverifiable[0]["message"].as_str().unwrap();
    assert!(message.contains("gateway port"), "{message}");
    assert!(
        unverifiable[0]["parties"][0]["message"]
            .as_str()
            .unwrap()
            .contains("start.sh could not be read"),
        "{report}"
    );
    assert!(message.contains("gateway port"), "{message}");
    let at = &unverifiable[0]["parties"][0];
    assert!(
        at["file"].as_str().unwrap().ends_with("bot.service"),
        "{at}"
    );
    assert_eq!(at["line"], 3, "the ExecStart= line: {at}");
    // resolve says so, and keeps what the unit itself sets.
    let (_, resolved, _) = t.run("resolve");
    let bot = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-bot")
        .unwrap_or_else(|| panic!("no gateway for ~/.openclaw-bot: {resolved}"));
    assert_eq!(
        bot["unverifiable"],
        serde_json::json!(["port", "profile"]),
        "{bot}"
    );
    assert!(bot["listeners"].as_array().unwrap().is_empty(), "{bot}");
    // The same unit with its port set in the unit: known, and it does collide.
    write(
        b,
        "root/etc/systemd/system/bot.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/root/.openclaw-bot\nEnvironment=OPENCLAW_GATEWAY_PORT=18789\nExecStart=/opt/bot/start.sh\n",
    );
    let (_, report, _) = t.run("check");
    assert_eq!(findings(&report, "CL101", "").len(), 1, "{report}");
    let unverifiable = findings(&report, "CL409", "bot.service");
    assert_eq!(
        unverifiable.len(),
        1,
        "the profile is still unknown: {report}"
    );
    assert!(!unverifiable[0]["message"]
        .as_str()
        .unwrap()
        .contains("port"));
}

/// systemd fails a drop-in's parse at its first line that is not UTF-8 and ignores the
/// failure (`unit_load_dropin`): the lines before it are applied, that one and those after
/// it are not.
#[test]
fn a_drop_in_is_applied_up_to_its_first_line_that_is_not_utf8() {
    let t = host();
    write(
        t.path(),
        "root/etc/systemd/system/openclaw-gateway.service.d/10-token.conf",
        b"[Service]\nExecStart=\nExecStart=/usr/bin/openclaw gateway --port 19900\n\xff\xfe not text\n\
          ExecStart=\nExecStart=/usr/bin/openclaw gateway --port 19950\n",
    );
    let (_, report, _) = t.run("check");
    let bad = findings(&report, "CL901", "stops reading this drop-in");
    assert_eq!(bad.len(), 1, "{report}");
    assert!(bad[0]["parties"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("openclaw-gateway.service.d/10-token.conf"));
    assert_eq!(bad[0]["parties"][0]["line"], 4, "{report}");
    assert!(
        findings(&report, "CL902", "10-token.conf").is_empty(),
        "{report}"
    );
    let (_, resolved, _) = t.run("resolve");
    assert_eq!(gateways(&resolved)[0]["gatewayPort"]["value"], 19900);
}

#[test]
fn a_gateway_cmd_that_runs_powershell_is_followed_one_level() {
    let t = Layout::new("hosts-powershell");
    let b = t.path();
    write(
        b,
        "home/.openclaw-work/gateway.cmd",
        b"@echo off\r\ncd /d \"C:\\Users\\ana\"\r\nset \"USERPROFILE=C:\\Users\\ana\"\r\nset \"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (work)\"\r\npwsh.exe -NoProfile -File C:\\Users\\ana\\.openclaw-work\\run.ps1 < NUL\r\n",
    );
    write(
        b,
        "home/.openclaw-work/run.ps1",
        b"$env:OPENCLAW_STATE_DIR = \"$env:USERPROFILE\\.openclaw-work\"\r\n$env:TELEGRAM_BOT_TOKEN = [Environment]::GetEnvironmentVariable('TELEGRAM_BOT_TOKEN', 'User')\r\nSet-Location $env:USERPROFILE\r\n& openclaw --profile work gateway run --port 19500\r\n",
    );
    write(
        b,
        "home/.openclaw-work/openclaw.json",
        b"{ channels: { telegram: { botToken: \"${TELEGRAM_BOT_TOKEN}\" } } }\n",
    );
    let run = |command: &str| t.json(command);
    let resolved = run("resolve");
    let all = gateways(&resolved);
    assert_eq!(all.len(), 1, "{resolved}");
    let work = all[0];
    assert_eq!(work["gatewayPort"]["value"], 19500, "{work}");
    assert_eq!(work["stateDir"]["value"], "~/.openclaw-work");
    let supervisor = &work["supervisors"][0];
    assert_eq!(
        supervisor["wrappers"][0],
        "powershell -File ~/.openclaw-work/run.ps1"
    );
    assert!(supervisor["unseen"]
        .to_string()
        .contains("Windows user environment"));
    // The token comes from the Windows user environment: unverifiable, not missing.
    let report = run("check");
    let found = codes(&report);
    assert!(found.iter().any(|c| c == "CL304"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL502"), "{found:?}");
}

/// A unit without HOME= (as root, in /root/.config/systemd/user) whose config names absolute
/// /root paths: they are the scanned home's, as the unit's own /root paths are. Both gateways'
/// agents then work in one directory (CL203), and no output shows /root.
#[test]
fn absolute_home_paths_in_a_home_less_units_config_are_the_scanned_homes() {
    let t = Layout::new("hosts-written-home");
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 }, agents: { defaults: { workspace: \"~/shared-ws\" } } }\n",
    );
    write(
        b,
        "home/.openclaw-rescue/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 19789 }, agents: { defaults: { workspace: \"/root/shared-ws\" } } }\n",
    );
    write(
        b,
        "home/.config/systemd/user/openclaw-rescue.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/root/.openclaw-rescue\nExecStart=/usr/bin/openclaw --profile rescue gateway\n[Install]\nWantedBy=default.target\n",
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/openclaw-rescue.service",
        "/root/.config/systemd/user/openclaw-rescue.service",
    );
    let run = |command: &str| {
        let (_, json, stdout, _) = t.output(command);
        (json, stdout)
    };
    let (resolved, text) = run("resolve");
    let rescue = gateways(&resolved)
        .into_iter()
        .find(|g| g["name"] == "rescue")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(
        rescue["agents"][0]["workspace"]["value"], "~/shared-ws",
        "{rescue}"
    );
    assert!(!text.contains("/root/shared-ws"), "{text}");
    let (report, text) = run("check");
    assert_eq!(findings(&report, "CL203", "shared-ws").len(), 1, "{report}");
    assert!(!text.contains("/root/"), "{text}");
}

/// gateway.cmd calls a batch file in the layout, which sets the port variable and runs
/// PowerShell with an -EncodedCommand: both are followed, the decoded command is read.
#[test]
fn a_gateway_cmd_calling_a_batch_file_that_runs_an_encoded_command_is_followed() {
    let t = Layout::new("hosts-nested-batch");
    let b = t.path();
    write(
        b,
        "home/.openclaw-work/gateway.cmd",
        b"@echo off\r\nset \"USERPROFILE=C:\\Users\\ana\"\r\nset \"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (work)\"\r\ncall C:\\Users\\ana\\.openclaw-work\\start.cmd\r\n",
    );
    // `& openclaw --profile work gateway run --port 19600`, base64 of UTF-16LE.
    write(
        b,
        "home/.openclaw-work/start.cmd",
        b"@echo off\r\nset \"OPENCLAW_STATE_DIR=C:\\Users\\ana\\.openclaw-work\"\r\npowershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand JgAgAG8AcABlAG4AYwBsAGEAdwAgAC0ALQBwAHIAbwBmAGkAbABlACAAdwBvAHIAawAgAGcAYQB0AGUAdwBhAHkAIAByAHUAbgAgAC0ALQBwAG8AcgB0ACAAMQA5ADYAMAAwAA==\r\n",
    );
    write(b, "home/.openclaw-work/openclaw.json", b"{}\n");
    // A batch file that calls itself: followed 3 levels, then unverifiable, not guessed.
    write(
        b,
        "home/.openclaw-loop/gateway.cmd",
        b"@echo off\r\nset \"USERPROFILE=C:\\Users\\ana\"\r\nset \"OPENCLAW_STATE_DIR=C:\\Users\\ana\\.openclaw-loop\"\r\ncall again.cmd\r\n",
    );
    write(
        b,
        "home/.openclaw-loop/again.cmd",
        b"@echo off\r\ncall again.cmd\r\n",
    );
    let run = |command: &str| t.json(command);
    let resolved = run("resolve");
    let work = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-work")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(work["gatewayPort"]["value"], 19600, "{work}");
    assert_eq!(work["profile"]["value"], "work", "{work}");
    let wrappers = work["supervisors"][0]["wrappers"].to_string();
    assert!(
        wrappers.contains("call ~/.openclaw-work/start.cmd"),
        "{wrappers}"
    );
    assert!(
        wrappers.contains("powershell -EncodedCommand"),
        "{wrappers}"
    );
    let looping = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-loop")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(looping["unverifiable"][0], "port", "{looping}");
    assert!(looping["supervisors"][0]["unseen"]
        .to_string()
        .contains("nested more than 3 levels"));
    let report = run("check");
    assert!(findings(&report, "CL101", "").is_empty(), "{report}");
    assert_eq!(findings(&report, "CL409", "").len(), 1, "{report}");
}

/// Calls that return follow one another: five in a row are one level deep, not five, so the
/// port the fifth sets is read (the depth limit is for calls inside calls).
#[test]
fn batch_calls_in_a_row_are_not_nested() {
    let t = Layout::new("hosts-batch-calls-in-a-row");
    let b = t.path();
    let mut main = String::from("@echo off\r\nset \"USERPROFILE=C:\\Users\\ana\"\r\nset \"OPENCLAW_STATE_DIR=C:\\Users\\ana\\.openclaw-row\"\r\n");
    for step in 1..=5 {
        main.push_str(&format!("call step{step}.cmd\r\n"));
        let body = if step == 5 {
            "@echo off\r\nset \"OPENCLAW_GATEWAY_PORT=19700\"\r\n".to_string()
        } else {
            format!("@echo off\r\nset \"STEP={step}\"\r\n")
        };
        write(
            b,
            &format!("home/.openclaw-row/step{step}.cmd"),
            body.as_bytes(),
        );
    }
    main.push_str("openclaw gateway run\r\n");
    write(b, "home/.openclaw-row/gateway.cmd", main.as_bytes());
    write(b, "home/.openclaw-row/openclaw.json", b"{}\n");
    let resolved = t.json("resolve");
    let row = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-row")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(row["gatewayPort"]["value"], 19700, "{row}");
    assert!(
        !row["supervisors"][0]["unseen"]
            .to_string()
            .contains("nested"),
        "{row}"
    );
}

/// cmd.exe goes on with the rest of a line after `call env.cmd` returns: the gateway started
/// after the `&` is the task's, with the port the called file set (`!PORT!` is expanded when
/// that statement runs).
#[test]
fn a_gateway_started_after_a_mid_line_call_is_read() {
    let t = Layout::new("hosts-batch-mid-line-call");
    let b = t.path();
    write(
        b,
        "home/.openclaw-mid/gateway.cmd",
        b"@echo off\r\nsetlocal EnableDelayedExpansion\r\nset OPENCLAW_STATE_DIR=C:\\Users\\ana\\.openclaw-mid\r\nset \"USERPROFILE=C:\\Users\\ana\"\r\ncall env.cmd & openclaw gateway run --port !PORT!\r\n",
    );
    write(
        b,
        "home/.openclaw-mid/env.cmd",
        b"@echo off\r\nset \"PORT=19710\"\r\n",
    );
    write(b, "home/.openclaw-mid/openclaw.json", b"{}\n");
    let resolved = t.json("resolve");
    let mid = gateways(&resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-mid")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(mid["gatewayPort"]["value"], 19710, "{mid}");
}

/// A published gateway.cmd that finds node and OpenClaw at run time (index id 61624749809, an
/// installer script of 2026.7.1-2 edited to pick the newest NVM node with `if`/`for`/`call
/// :label`/`set /a`): cmd.exe's constructs clawlint does not evaluate are each named with their
/// line, the variables they set stay unknown (never the value of one branch, such as
/// `C:\Program Files\nodejs\node.exe`), and what the plain `set` lines give is read.
#[test]
fn a_gateway_cmd_that_picks_node_at_run_time_is_noted_line_by_line() {
    let t = Layout::new("hosts-nvm-lookup");
    let b = t.path();
    let script = "@echo off\r\nrem OpenClaw Gateway (v2026.7.1-2)\r\nset \"BASE_PATH=%USERPROFILE%\\.openclaw\"\r\nset \"TMPDIR=%TEMP%\"\r\nset \"OPENCLAW_GATEWAY_PORT=18789\"\r\nset \"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway\"\r\nset \"OPENCLAW_SERVICE_MARKER=openclaw\"\r\nset \"OPENCLAW_SERVICE_KIND=gateway\"\r\n\r\nset \"NVM_DIR=%USERPROFILE%\\AppData\\Roaming\\nvm\"\r\nset \"NVM_EXE=\"\r\nif exist \"%NVM_DIR%\" (\r\n    for /d %%d in (\"%NVM_DIR%\\v*\") do call :pick_node \"%%d\"\r\n)\r\nif not defined NVM_EXE if exist \"C:\\Program Files\\nodejs\\node.exe\" set \"NVM_EXE=C:\\Program Files\\nodejs\\node.exe\"\r\nset \"SCRIPT_FWD=%~dp0\"\r\nset \"SCRIPT_FWD=%SCRIPT_FWD:\\=/%\"\r\n\"%NVM_EXE%\" --require \"%~dp0patch_gateway.js\" \"%OC_INDEX%\" gateway --port 18789\r\nexit /b %errorlevel%\r\n\r\n:pick_node\r\nset /a \"CURNUM=MAJ*1000000+MIN*1000+PAT\" 2>nul\r\ngoto :eof\r\n";
    write(b, "home/.openclaw/gateway.cmd", script.as_bytes());
    let (_, resolved, stdout, _) = t.output("resolve");
    let task = gateways(&resolved)
        .into_iter()
        .find(|g| !g["supervisors"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("{resolved}"));
    let supervisor = &task["supervisors"][0];
    assert_eq!(supervisor["opaque"], "what %NVM_EXE% runs cannot be read");
    let unseen: Vec<&str> = supervisor["unseen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    for expected in [
        "gateway.cmd line 4: %TEMP% is unknown: it comes from the Windows environment",
        "gateway.cmd line 12: cmd's `if` is not evaluated",
        "gateway.cmd line 15: cmd's `if` is not evaluated",
        "gateway.cmd line 17: %SCRIPT_FWD:\\=/% is unknown: cmd's substring and replace forms",
        "gateway.cmd line 18: %NVM_EXE% is unknown: it is set where clawlint does not evaluate",
        "gateway.cmd line 18: %OC_INDEX% is unknown: it comes from the Windows environment",
    ] {
        assert!(
            unseen.iter().any(|u| u.starts_with(expected)),
            "{expected}: {unseen:#?}"
        );
    }
    // Nothing after the line that runs the gateway, nor the label it never calls, is read.
    assert!(!unseen
        .iter()
        .any(|u| u.contains("line 19") || u.contains("line 22")));
    assert!(!stdout.contains("Program Files"), "{stdout}");
    assert_eq!(task["gatewayPort"]["value"], 18789, "{task}");
}

/// Every `--profile NAME` a help line suggests, for every fixture and for a layout full of
/// names OpenClaw refuses (labels with dots, an `OPENCLAW_PROFILE` with a dot or a space): a
/// suggested command must be one OpenClaw accepts (`/^[a-z0-9][a-z0-9_-]{0,63}$/i`,
/// `clawlint::openclaw::is_valid_profile_name`), or the placeholder `NAME`.
#[test]
fn no_help_line_suggests_an_invalid_profile_name() {
    fn suggested(help: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = help;
        while let Some(at) = rest.find("--profile") {
            let after = &rest[at + "--profile".len()..];
            let after = after.strip_prefix('=').or_else(|| after.strip_prefix(' '));
            if let Some(after) = after {
                let name: String = after
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !"`'\"),;".contains(*c))
                    .collect();
                out.push(name);
            }
            rest = &rest[at + 1..];
        }
        out
    }
    fn check_helps(report: &Value, context: &str, seen: &mut usize) {
        for f in report["findings"].as_array().unwrap() {
            let helps: Vec<String> = match &f["help"] {
                Value::String(h) => vec![h.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            for help in helps {
                for name in suggested(&help) {
                    *seen += 1;
                    assert!(
                        name == "NAME" || clawlint::openclaw::is_valid_profile_name(&name),
                        "{context}: {} suggests --profile {name:?}: {help}",
                        f["code"]
                    );
                }
            }
        }
    }
    let mut seen = 0;
    let fixtures = root().join("fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| fixtures.join(n).join("home").is_dir())
        .collect();
    names.sort();
    for name in &names {
        let mut args = vec!["check".to_string()];
        args.extend(fixture_args(name));
        args.extend(["--format".to_string(), "json".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, stdout, stderr) = clawlint(&args);
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: {e}: {stderr}"));
        check_helps(&report, name, &mut seen);
    }
    // Names OpenClaw refuses, where helps would otherwise echo them.
    let t = Layout::new("hosts-invalid-profiles");
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    write(
        b,
        "home/.openclaw-rescue/openclaw.json",
        b"{ gateway: { port: 19500 } }\n",
    );
    write(
        b,
        "home/.openclaw-ops/openclaw.json",
        b"{ gateway: { port: 19700 } }\n",
    );
    let units = [
        ("openclaw-gateway-rescue.service", "Environment=OPENCLAW_PROFILE=a.b\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-rescue\nExecStart=/usr/bin/openclaw gateway --port 19000\n"),
        ("openclaw-gateway-ops.service", "Environment=\"OPENCLAW_PROFILE=Rescue Bot\"\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-ops\nExecStart=/usr/bin/openclaw gateway --port 19800\n"),
        ("openclaw-gateway.service", "Environment=OPENCLAW_PROFILE=.hidden\nExecStart=/usr/bin/openclaw gateway --port 18700\n"),
    ];
    for (unit, body) in units {
        write(
            b,
            &format!("home/.config/systemd/user/{unit}"),
            format!("[Service]\n{body}[Install]\nWantedBy=default.target\n").as_bytes(),
        );
        link(
            b,
            &format!("home/.config/systemd/user/default.target.wants/{unit}"),
            &format!("../{unit}"),
        );
    }
    write(
        b,
        "home/Library/LaunchAgents/ai.openclaw.gateway.rescue.plist",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>ai.openclaw.gateway.rescue</string><key>ProgramArguments</key><array><string>/usr/local/bin/openclaw</string><string>gateway</string><string>--port</string><string>19700</string></array><key>EnvironmentVariables</key><dict><key>OPENCLAW_STATE_DIR</key><string>/Users/ana/.openclaw-ops</string></dict></dict></plist>\n",
    );
    let report = t.json("check");
    check_helps(&report, "invalid-profiles", &mut seen);
    // The rules whose help lines name a profile did look at these gateways.
    assert!(!findings(&report, "CL401", "").is_empty(), "{report}");
    assert!(seen > 5, "help lines with --profile were checked: {seen}");
}

/// The check report of a fixture, as JSON.
fn check_fixture(name: &str) -> Value {
    let mut args = vec!["check".to_string()];
    args.extend(fixture_args(name));
    args.extend(["--format".to_string(), "json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, stdout, stderr) = clawlint(&args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: {e}: {stderr}"))
}

/// A unit whose `OPENCLAW_PROFILE` OpenClaw refuses: re-installing means naming a valid
/// profile first. A plain `openclaw gateway install --force` would install the default
/// gateway's service beside it, so CL401's help never suggests it; with the valid name the
/// same unit gets the ordinary help (the look-alike has no drift, so the unit test in
/// src/rules/services.rs pins that wording).
#[test]
fn cl401_help_for_a_refused_profile_installs_no_default_service() {
    let report = check_fixture("hosts-refused-profile-env");
    let drift = findings(&report, "CL401", "openclaw-gateway.service");
    assert_eq!(drift.len(), 1, "{report}");
    let help = drift[0]["help"].as_str().unwrap();
    assert!(help.starts_with("set gateway.port to 18789"), "{help}");
    assert!(
        !help.contains("`openclaw gateway install"),
        "a plain install would install the default service: {help}"
    );
    assert!(
        help.contains("`openclaw --profile NAME gateway install --force`"),
        "{help}"
    );
    // With its state dir set and a config in plain JSON, OpenClaw runs it (conformance case
    // unit-env-profile-invalid-with-state-dir): no refusal. Which profile the unit meant is
    // no question for the profile-name rules.
    assert!(findings(&report, "CL909", "").is_empty(), "{report}");
    for code in ["CL403", "CL404"] {
        assert!(findings(&report, code, "").is_empty(), "{code}: {report}");
    }
    // Without its state dir OpenClaw crashes on the name at load; with a JSON5 config its
    // start-up migration stops on it: each refusal reported once, where the unit sets it.
    for name in [
        "hosts-invalid-profile-env-crash",
        "hosts-invalid-profile-env-json5",
    ] {
        let refused = check_fixture(name);
        assert_eq!(
            findings(&refused, "CL909", "x.hunter").len(),
            1,
            "{name}: {refused}"
        );
    }
    let valid = check_fixture("hosts-profile-env-system-unit");
    assert!(findings(&valid, "CL401", "").is_empty(), "{valid}");
    assert!(findings(&valid, "CL909", "").is_empty(), "{valid}");
}

/// A unit whose `OPENCLAW_PROFILE` is no valid name runs no *default* gateway: OpenClaw logs
/// under the name as written (`openclaw-x-22e-hunter-…`), so it shares no rolling log with the
/// user's default gateway (no CL208), and the gateway is named for its unit, never "default".
/// Without a state dir of its own it crashes at load (CL909) and runs nothing in ~/.openclaw:
/// the default gateway found there keeps its name and its config, and the crashed unit
/// shares no path with it.
#[test]
fn an_invalid_profile_unit_is_no_default_gateway() {
    for with_state_dir in [true, false] {
        let t = Layout::new("hosts-invalid-profile-default").with_root();
        let b = t.path();
        write(
            b,
            "home/.openclaw/openclaw.json",
            b"{ \"gateway\": { \"port\": 19789 } }\n",
        );
        let state = if with_state_dir {
            write(
                b,
                "home/.openclaw-x.hunter/openclaw.json",
                b"{ \"gateway\": { \"port\": 18789 } }\n",
            );
            "Environment=OPENCLAW_STATE_DIR=/home/u/.openclaw-x.hunter\n"
        } else {
            ""
        };
        write(
            b,
            "root/etc/systemd/system/openclaw-hunter.service",
            format!(
                "[Service]\nUser=u\nEnvironment=HOME=/home/u\nEnvironment=OPENCLAW_PROFILE=x.hunter\n{state}\
                 ExecStart=/usr/bin/openclaw gateway run --port 18789\nRestartPreventExitStatus=78\n\
                 [Install]\nWantedBy=multi-user.target\n"
            )
            .as_bytes(),
        );
        link(
            b,
            "root/etc/systemd/system/multi-user.target.wants/openclaw-hunter.service",
            "../openclaw-hunter.service",
        );
        let (_, resolved, _) = t.run("resolve");
        let all = gateways(&resolved);
        assert_eq!(all.len(), 2, "{resolved}");
        let default = all.iter().find(|g| g["name"] == "default");
        let default = default.unwrap_or_else(|| panic!("{resolved}"));
        assert_eq!(default["gatewayPort"]["value"], 19789, "{default}");
        let unit = all
            .iter()
            .find(|g| g["name"] == "openclaw-hunter.service")
            .unwrap_or_else(|| panic!("{resolved}"));
        assert_eq!(
            unit["logFile"]["value"], "/tmp/openclaw/openclaw-x-22e-hunter-YYYY-MM-DD.log",
            "{unit}"
        );
        let (_, report, _) = t.run("check");
        assert_eq!(
            findings(&report, "CL909", "x.hunter").len(),
            usize::from(!with_state_dir),
            "{report}"
        );
        for code in ["CL101", "CL201", "CL202", "CL208", "CL401"] {
            assert!(
                findings(&report, code, "").is_empty(),
                "state dir {with_state_dir}: {code}: {report}"
            );
        }
        assert!(
            !report.to_string().contains("starts \\\"default\\\""),
            "{report}"
        );
    }
}

/// A copied `--root` keeps the host's absolute symlinks: `/lib -> /usr/lib`, a unit linked
/// into /etc from `/opt` (`systemctl link`), a `*.wants/` link naming
/// `/etc/systemd/system/…`, a home's `~/.config -> /srv/cfg`. Each is resolved against the
/// root, never against the machine clawlint runs on: a file at the same absolute path on
/// this machine (here a decoy unit under the temp dir, on another port) is never read.
#[test]
fn absolute_symlinks_in_a_copied_root_resolve_against_the_root() {
    let mut t = Layout::new("hosts-absolute-links").with_root();
    let b = t.path();
    let layout = b.to_path_buf();
    let decoy = std::env::temp_dir().join(format!("clawlint-decoy-{}", std::process::id()));
    std::fs::create_dir_all(&decoy).unwrap();
    let unit = |port: u16| {
        format!("[Service]\nExecStart=/usr/bin/openclaw gateway --port {port}\nRestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\n")
    };
    // On this machine: a unit at the path the layout's link names, on another port.
    std::fs::write(decoy.join("openclaw-gateway.service"), unit(17777)).unwrap();
    let decoy_unit = decoy.join("openclaw-gateway.service");
    let decoy_rel = decoy_unit.strip_prefix("/").unwrap().to_str().unwrap();
    // In the layout: the same path under the root holds the real unit.
    write(b, &format!("root/{decoy_rel}"), unit(18999).as_bytes());
    link(
        b,
        "root/etc/systemd/system/openclaw-gateway.service",
        decoy_unit.to_str().unwrap(),
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/openclaw-gateway.service",
        "/etc/systemd/system/openclaw-gateway.service",
    );
    // A vendor unit under /usr/lib, reached through an absolute /lib link.
    link(b, "root/lib", "/usr/lib");
    write(
        b,
        "root/usr/lib/systemd/system/openclaw-vendor.service",
        b"[Service]\nExecStart=/usr/bin/openclaw --profile vendor gateway --port 19555\nRestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/openclaw-vendor.service",
        "/lib/systemd/system/openclaw-vendor.service",
    );
    // The user's home is in the root; its ~/.config lives in /srv/cfg.
    write(
        b,
        "root/srv/cfg/systemd/user/openclaw-gateway-ops.service",
        b"[Service]\nExecStart=/usr/bin/openclaw --profile ops gateway --port 19777\nRestartPreventExitStatus=78\n[Install]\nWantedBy=default.target\n",
    );
    link(
        b,
        "root/srv/cfg/systemd/user/default.target.wants/openclaw-gateway-ops.service",
        "/srv/cfg/systemd/user/openclaw-gateway-ops.service",
    );
    link(b, "root/home/u/.config", "/srv/cfg");
    write(
        b,
        "root/home/u/.openclaw/openclaw.json",
        b"{ gateway: { port: 18999 } }\n",
    );
    t.at_home("root/home/u");
    let (_, resolved, stdout, _) = t.output("resolve");
    std::fs::remove_dir_all(&decoy).unwrap();
    let mut ports: Vec<u64> = gateways(&resolved)
        .iter()
        .map(|g| g["gatewayPort"]["value"].as_u64().unwrap())
        .collect();
    ports.sort();
    assert_eq!(ports, [18999, 19555, 19777], "{resolved}");
    let shown = without_dirs(&stdout, &[&layout, &decoy]);
    assert!(!shown.contains("17777"), "{stdout}");
    assert!(!stdout.contains("outside the layout"), "{stdout}");
}

/// Everything else a copied host's units and homes name is read through the same resolution
/// (`paths::on_host`): a drop-in linked to `/…/dropin/…`, an `EnvironmentFile=` under an
/// `/etc/openclaw` that links elsewhere, the wrapper script a drop-in runs through an `/opt/app`
/// link, and a state dir `~/.openclaw -> /…/state`. Each target exists on this machine too (a
/// decoy on another port under the temp dir): it must never be read. The home is passed inside
/// the root and, as fixtures pass it, beside it (a link into the root).
#[test]
fn drop_ins_env_files_scripts_and_state_dirs_follow_links_within_the_root() {
    let mut t = Layout::new("hosts-links-everywhere").with_root();
    let b = t.path();
    let layout = b.to_path_buf();
    let decoy = std::env::temp_dir().join(format!("clawlint-decoy-all-{}", std::process::id()));
    let d = decoy.to_str().unwrap().to_string();
    let d_rel = d.trim_start_matches('/');
    // (where, in the layout's root and at the same absolute path on this machine, what the
    // root holds, what the decoy holds)
    let files: [(&str, &str, &str); 4] = [
        (
            "state/openclaw.json",
            "{ gateway: { port: 18111 } }\n",
            "{ gateway: { port: 17001 } }\n",
        ),
        (
            "conf/b.env",
            "OPENCLAW_GATEWAY_PORT=18222\n",
            "OPENCLAW_GATEWAY_PORT=17002\n",
        ),
        (
            "dropin/10-run.conf",
            "[Service]\nExecStart=\nExecStart=/opt/app/start-c.sh\n",
            "[Service]\nExecStart=\nExecStart=/usr/bin/openclaw --profile c gateway --port 17003\n",
        ),
        (
            "app/start-c.sh",
            "#!/bin/sh\nexec /usr/bin/openclaw --profile c gateway --port 18333\n",
            "#!/bin/sh\nexec /usr/bin/openclaw --profile c gateway --port 17005\n",
        ),
    ];
    for (rel, real, fake) in files {
        write(b, &format!("root/{d_rel}/{rel}"), real.as_bytes());
        let at = decoy.join(rel);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, fake).unwrap();
    }
    let units = "root/etc/systemd/system";
    let enabled = |b: &Path, name: &str, text: &str| {
        write(b, &format!("{units}/{name}"), text.as_bytes());
        link(
            b,
            &format!("{units}/multi-user.target.wants/{name}"),
            &format!("/etc/systemd/system/{name}"),
        );
    };
    let tail = "RestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\n";
    enabled(
        b,
        "openclaw-gateway.service",
        &format!(
            "[Service]\nEnvironment=HOME=/home/u\nExecStart=/usr/bin/openclaw gateway\n{tail}"
        ),
    );
    enabled(
        b,
        "openclaw-gateway-b.service",
        &format!("[Service]\nEnvironment=HOME=/home/u\nEnvironmentFile=/etc/openclaw/b.env\nExecStart=/usr/bin/openclaw --profile b gateway\n{tail}"),
    );
    enabled(
        b,
        "openclaw-gateway-c.service",
        &format!("[Service]\nEnvironment=HOME=/home/u\nExecStart=/usr/bin/openclaw --profile c gateway --port 17999\n{tail}"),
    );
    link(
        b,
        &format!("{units}/openclaw-gateway-c.service.d/10-run.conf"),
        &format!("{d}/dropin/10-run.conf"),
    );
    link(b, "root/etc/openclaw", &format!("{d}/conf"));
    link(b, "root/opt/app", &format!("{d}/app"));
    link(b, "root/home/u/.openclaw", &format!("{d}/state"));
    link(b, "home-beside", "root/home/u");
    for home in ["root/home/u", "home-beside"] {
        t.at_home(home);
        let (_, resolved, stdout, _) = t.output("resolve");
        let mut ports: Vec<u64> = gateways(&resolved)
            .iter()
            .map(|g| g["gatewayPort"]["value"].as_u64().unwrap())
            .collect();
        ports.sort();
        assert_eq!(ports, [18111, 18222, 18333], "{}: {resolved}", home);
        let shown = without_dirs(&stdout, &[&layout, &decoy]);
        for decoy_port in ["17001", "17002", "17003", "17005", "17999"] {
            assert!(!shown.contains(decoy_port), "{decoy_port}: {stdout}");
        }
        assert!(!stdout.contains("outside the"), "{stdout}");
    }
    std::fs::remove_dir_all(&decoy).unwrap();
}

/// `text` with the test's own directories taken out of it: their names hold this process's
/// id, which may spell a decoy's port (a run as process 17003 found "17003" in every path).
fn without_dirs(text: &str, dirs: &[&Path]) -> String {
    let spellings = dirs
        .iter()
        .flat_map(|d| [Some(d.to_path_buf()), d.canonicalize().ok()]);
    spellings.flatten().fold(text.to_string(), |text, dir| {
        text.replace(dir.to_str().expect("a UTF-8 test path"), "<dir>")
    })
}

/// Compose discovery tests existence where its reads look (`paths::host`), not on this
/// machine: a project whose `compose.yaml` links to `/…/stack/compose.yaml` and whose required
/// `env_file: /etc/openclaw/gw.env` lies under an `/etc/openclaw` link are found and read in the
/// root, though neither target exists on this machine; a `compose.yaml` that links to a file
/// only this machine has (a decoy on another port) is no project of the copied host.
#[test]
fn compose_existence_checks_follow_links_within_the_root() {
    let mut t = Layout::new("hosts-compose-links").with_root();
    let b = t.path();
    let layout = b.to_path_buf();
    let decoy = std::env::temp_dir().join(format!("clawlint-decoy-compose-{}", std::process::id()));
    let d = decoy.to_str().unwrap().to_string();
    let d_rel = d.trim_start_matches('/');
    let compose = |host_port: u16, env_file: &str| {
        format!("services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n{env_file}    ports:\n      - \"127.0.0.1:{host_port}:18789\"\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n")
    };
    write(
        b,
        &format!("root/{d_rel}/stack/compose.yaml"),
        compose(18444, "    env_file: /etc/openclaw/gw.env\n").as_bytes(),
    );
    write(
        b,
        &format!("root/{d_rel}/conf/gw.env"),
        b"OPENCLAW_GATEWAY_TOKEN=fake-token-0000\n",
    );
    link(
        b,
        "root/srv/stack/compose.yaml",
        &format!("{d}/stack/compose.yaml"),
    );
    link(b, "root/etc/openclaw", &format!("{d}/conf"));
    // Only this machine has the other project's file.
    std::fs::create_dir_all(decoy.join("other")).unwrap();
    std::fs::write(decoy.join("other/compose.yaml"), compose(17444, "")).unwrap();
    link(
        b,
        "root/srv/other/compose.yaml",
        &format!("{d}/other/compose.yaml"),
    );
    write(b, "home/u/.openclaw/openclaw.json", b"{}\n");
    t.at_home("home/u");
    let (_, _, resolved, _) = t.output("resolve");
    assert!(resolved.contains("18444"), "{resolved}");
    assert!(
        !without_dirs(&resolved, &[&layout, &decoy]).contains("17444"),
        "{resolved}"
    );
    let (_, _, report, _) = t.output("check");
    assert!(!report.contains("does not exist"), "{report}");
    assert!(!report.contains("outside the"), "{report}");
    std::fs::remove_dir_all(&decoy).unwrap();
}

/// A home given beside the copied root (its real path not in it) is a home of that host: an
/// absolute link in it (`~/.openclaw -> /…/state`) is followed within the root, as in a home
/// inside it, never on this machine (where a decoy on another port lies at the same path).
/// A relative link that climbs out of the home still leads outside the layout: refused, named.
#[test]
fn a_home_beside_the_root_follows_its_absolute_links_within_the_root() {
    let mut t = Layout::new("hosts-home-apart").with_root();
    let b = t.path();
    let layout = b.to_path_buf();
    let decoy = std::env::temp_dir().join(format!("clawlint-decoy-apart-{}", std::process::id()));
    let d = decoy.to_str().unwrap().to_string();
    let d_rel = d.trim_start_matches('/');
    write(
        b,
        &format!("root/{d_rel}/state/openclaw.json"),
        b"{ gateway: { port: 18666 } }\n",
    );
    std::fs::create_dir_all(decoy.join("state")).unwrap();
    std::fs::write(
        decoy.join("state/openclaw.json"),
        "{ gateway: { port: 17666 } }\n",
    )
    .unwrap();
    link(b, "home/u/.openclaw", &format!("{d}/state"));
    write(
        b,
        "elsewhere/openclaw.json",
        b"{ gateway: { port: 18777 } }\n",
    );
    link(b, "home/u/.openclaw-ops", "../../elsewhere");
    t.at_home("home/u");
    let (_, resolved, stdout, _) = t.output("resolve");
    let ports: Vec<u64> = gateways(&resolved)
        .iter()
        .filter_map(|g| g["gatewayPort"]["value"].as_u64())
        .collect();
    assert!(ports.contains(&18666), "{resolved}");
    let shown = without_dirs(&stdout, &[&layout, &decoy]);
    assert!(!shown.contains("17666"), "{stdout}");
    assert!(!shown.contains("18777"), "{stdout}");
    let (_, _, report, _) = t.output("check");
    assert!(
        report.contains("outside the scanned homes and --root"),
        "{report}"
    );
    assert!(!report.contains(&d), "{report}");
    std::fs::remove_dir_all(&decoy).unwrap();
}

/// CL501 shows where an escaping `$include` leads when the layout decides it (relative to the
/// including file, beside the config's directory), and never a path of this machine.
#[test]
fn an_escaping_include_is_shown_as_read_within_the_layout_only() {
    for (raw, read_as) in [
        ("../shared/base.json5", Some("home/shared/base.json5")),
        ("../../../../../../../../../../etc/base.json5", None),
    ] {
        let t = Layout::new("hosts-include-read-as").with_root();
        let b = t.path();
        write(
            b,
            "home/.openclaw/openclaw.json",
            format!("{{ $include: \"{raw}\", gateway: {{ port: 18789 }} }}\n").as_bytes(),
        );
        std::fs::create_dir_all(b.join("root")).unwrap();
        let (_, report, _) = t.run("check");
        let escape = findings(&report, "CL501", "escapes config directory");
        assert_eq!(escape.len(), 1, "{report}");
        let message = escape[0]["message"].as_str().unwrap();
        match read_as {
            Some(tail) => assert!(
                message.contains("(read as ") && message.contains(tail),
                "{message}"
            ),
            None => assert!(!message.contains("read as"), "{message}"),
        }
    }
}

/// A home-less unit's gateway reads more than its config on the machine it was written on: an
/// absolute `$include`, its state dir's `.env` and the config's `env.vars` name `/root/…` too.
/// Each is read under the scanned home (one mapping, `paths::WrittenHome`), as the config's
/// own values are: the include is found (no CL501), the port comes from it, the workspace from
/// `.env` and the credentials dir from `env.vars` are the scanned home's, and no output shows
/// `/root/`.
#[test]
fn include_and_env_values_under_a_units_written_home_are_the_scanned_homes() {
    let t = Layout::new("hosts-written-home-env");
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 }, agents: { defaults: { workspace: \"~/ws-main\" } }, env: { vars: { OPENCLAW_OAUTH_DIR: \"~/creds\" } } }\n",
    );
    write(
        b,
        "home/.openclaw-rescue/openclaw.json",
        b"{ $include: \"/root/.openclaw-rescue/gateway.json5\", env: { vars: { OPENCLAW_OAUTH_DIR: \"/root/creds\" } } }\n",
    );
    write(
        b,
        "home/.openclaw-rescue/gateway.json5",
        b"{ gateway: { mode: \"local\", port: 19789 } }\n",
    );
    write(
        b,
        "home/.openclaw-rescue/.env",
        b"OPENCLAW_WORKSPACE_DIR=/root/ws-main\n",
    );
    write(
        b,
        "home/.config/systemd/user/openclaw-rescue.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/root/.openclaw-rescue\nExecStart=/usr/bin/openclaw --profile rescue gateway\n[Install]\nWantedBy=default.target\n",
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/openclaw-rescue.service",
        "../openclaw-rescue.service",
    );
    let run = |command: &str| {
        let (_, json, stdout, _) = t.output(command);
        (json, stdout)
    };
    let (resolved, text) = run("resolve");
    let rescue = gateways(&resolved)
        .into_iter()
        .find(|g| g["name"] == "rescue")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(rescue["gatewayPort"]["value"], 19789, "{rescue}");
    assert_eq!(
        rescue["agents"][0]["workspace"]["value"], "~/ws-main",
        "{rescue}"
    );
    assert!(!text.contains("/root/"), "{text}");
    let (report, text) = run("check");
    assert!(findings(&report, "CL501", "").is_empty(), "{report}");
    assert_eq!(findings(&report, "CL203", "ws-main").len(), 1, "{report}");
    assert_eq!(findings(&report, "CL209", "creds").len(), 1, "{report}");
    assert!(!text.contains("/root/"), "{text}");
}

/// What `systemctl enable` leaves behind decides, and what started units pull in:
/// - an alias link (`[Install] Alias=` makes `/etc/systemd/system/clawd.service ->
///   openclaw-gateway.service`) is the same unit, no second supervisor (no CL402), and a
///   `*.wants/` link naming the alias enables the unit;
/// - `[Install] Also=` acts only when `systemctl enable` runs: a unit it names without links
///   of its own was disabled since, and is no gateway;
/// - a target enabled at boot whose `Wants=` names template instances starts each of them
///   (with `%i` in a template's own `Requires=` expanded), and resolve says which unit
///   pulled each in.
#[test]
fn aliases_also_and_pulled_in_units_are_read_as_systemd_starts_them() {
    let t = Layout::new("hosts-alias-pull").with_root();
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    let sys = "root/etc/systemd/system";
    write(
        b,
        &format!("{sys}/openclaw-gateway.service"),
        b"[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\nRestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\nAlias=clawd.service\nAlso=openclaw-old.service\n",
    );
    link(
        b,
        &format!("{sys}/clawd.service"),
        "/etc/systemd/system/openclaw-gateway.service",
    );
    // Enabled through its alias name.
    link(
        b,
        &format!("{sys}/multi-user.target.wants/clawd.service"),
        "/etc/systemd/system/openclaw-gateway.service",
    );
    // Named by Also=, disabled since: no link.
    write(
        b,
        &format!("{sys}/openclaw-old.service"),
        b"[Service]\nExecStart=/usr/bin/openclaw --profile old gateway --port 19500\n[Install]\nWantedBy=multi-user.target\n",
    );
    // A target enabled at boot that starts two instances of a static template, which pulls
    // in a per-instance helper that is no gateway.
    write(
        b,
        &format!("{sys}/openclaw-fleet.target"),
        b"[Unit]\nWants=openclaw-node@a.service openclaw-node@b.service\n[Install]\nWantedBy=multi-user.target\n",
    );
    link(
        b,
        &format!("{sys}/multi-user.target.wants/openclaw-fleet.target"),
        "/etc/systemd/system/openclaw-fleet.target",
    );
    write(
        b,
        &format!("{sys}/openclaw-node@.service"),
        b"[Unit]\nRequires=openclaw-tunnel@%i.service\n[Service]\nExecStart=/usr/bin/openclaw --profile %i gateway --port ${PORT}\nEnvironmentFile=/etc/openclaw/%i.env\nRestartPreventExitStatus=78\n",
    );
    write(b, "root/etc/openclaw/a.env", b"PORT=20000\n");
    write(b, "root/etc/openclaw/b.env", b"PORT=20200\n");
    write(
        b,
        &format!("{sys}/openclaw-tunnel@.service"),
        b"[Service]\nExecStart=/usr/bin/cloudflared tunnel run %i\n",
    );
    let (_, resolved, stderr) = t.run("resolve");
    let mut all = names(&resolved);
    all.sort();
    assert_eq!(all, ["a", "b", "default"], "{resolved}{stderr}");
    for g in gateways(&resolved) {
        let supervisors = g["supervisors"].as_array().unwrap();
        assert_eq!(supervisors.len(), 1, "{g}");
        let s = &supervisors[0];
        match g["name"].as_str().unwrap() {
            "default" => {
                assert_eq!(s["name"], "openclaw-gateway.service", "{s}");
                assert!(s.get("pulledInBy").is_none(), "{s}");
            }
            instance => {
                assert_eq!(s["instance"]["name"], instance, "{s}");
                assert!(
                    s["instance"]["enabledBy"]
                        .as_str()
                        .unwrap()
                        .ends_with("etc/systemd/system/openclaw-fleet.target"),
                    "{s}"
                );
            }
        }
    }
    let (_, report, _) = t.run("check");
    assert!(findings(&report, "CL402", "").is_empty(), "{report}");
}

/// A LaunchAgent launchd does not load is no gateway, as a disabled unit is none. OpenClaw's
/// own `gateway stop` runs `launchctl disable gui/UID/LABEL` and keeps the plist
/// (`launchd-*.mjs stopLaunchAgent`): the label is then `true` in launchd's override database
/// (`/private/var/db/com.apple.xpc.launchd/disabled.UID.plist`), which wins over the plist's
/// own `Disabled` key; without the database (no `--root`) the key decides.
#[test]
fn a_launch_agent_launchd_does_not_load_is_no_gateway() {
    fn plist(label: &str, port: u16, disabled: Option<bool>) -> Vec<u8> {
        let key = match disabled {
            Some(d) => format!("<key>Disabled</key><{d}/>"),
            None => String::new(),
        };
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>{label}</string>{key}<key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>gateway</string><string>--port</string><string>{port}</string></array><key>EnvironmentVariables</key><dict><key>HOME</key><string>/Users/ana</string><key>OPENCLAW_PROFILE</key><string>{}</string><key>OPENCLAW_STATE_DIR</key><string>/Users/ana/.openclaw-{}</string></dict></dict></plist>\n", &label[12..], &label[12..]).into_bytes()
    }
    let mut t = Layout::new("hosts-launchd-disabled").with_root();
    let b = t.path();
    for (profile, port) in [("rescue", 19789), ("ops", 19989), ("lab", 20189)] {
        write(
            b,
            &format!("home/.openclaw-{profile}/openclaw.json"),
            format!("{{ gateway: {{ port: {port} }} }}\n").as_bytes(),
        );
    }
    let agents = "home/Library/LaunchAgents";
    // Stopped by `openclaw --profile rescue gateway stop`: disabled in the database.
    write(
        b,
        &format!("{agents}/ai.openclaw.rescue.plist"),
        &plist("ai.openclaw.rescue", 19789, None),
    );
    // Disabled in the plist, enabled again with `launchctl enable`: the database wins.
    write(
        b,
        &format!("{agents}/ai.openclaw.ops.plist"),
        &plist("ai.openclaw.ops", 19989, Some(true)),
    );
    // Disabled in the plist, not in the database.
    write(
        b,
        &format!("{agents}/ai.openclaw.lab.plist"),
        &plist("ai.openclaw.lab", 20189, Some(true)),
    );
    write(
        b,
        "root/private/var/db/com.apple.xpc.launchd/disabled.501.plist",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>ai.openclaw.rescue</key><true/><key>ai.openclaw.ops</key><false/><key>com.apple.Siri.agent</key><true/></dict></plist>\n",
    );
    std::fs::create_dir_all(b.join("root/etc")).unwrap();
    let supervised = |resolved: &Value| -> Vec<String> {
        let mut out: Vec<String> = gateways(resolved)
            .into_iter()
            .filter(|g| !g["supervisors"].as_array().unwrap().is_empty())
            .map(|g| g["name"].as_str().unwrap().to_string())
            .collect();
        out.sort();
        out
    };
    let (_, resolved, stderr) = t.run("resolve");
    assert_eq!(supervised(&resolved), ["ops"], "{resolved}{stderr}");
    // The profile dirs are still gateways of their own (the CLI may start them): all three.
    let mut all = names(&resolved);
    all.sort();
    assert_eq!(all, ["lab", "ops", "rescue"], "{resolved}");
    // Without the database, the plist's key decides: rescue is loaded, ops and lab are not.
    t.root = None;
    let resolved = t.json("resolve");
    assert_eq!(supervised(&resolved), ["rescue"], "{resolved}");
}

/// A LaunchAgent that sets no `PATH` gets its domain's `launchctl config user path` (launchctl(1):
/// "Sets the PATH environment variable for all services within the target domain"), which
/// launchctl keeps in `/private/var/db/com.apple.xpc.launchd/config/user.plist`: read under
/// `--root`, its directories are where the agent's script finds `source settings.sh`
/// (`~/bin/settings.sh` enables the stack's `openclaw` profile: CL108 with the native gateway).
/// Without that file the agent gets `/usr/bin:/bin:/usr/sbin:/sbin`, where the layout has no
/// `settings.sh`, so bash reads the one beside the stack (the profile `web`: no collision);
/// a file that does not parse is a located finding and the name is not looked up on a guess.
#[test]
fn a_launch_agent_gets_the_path_launchctl_config_sets() {
    use std::os::unix::fs::PermissionsExt;
    let t = Layout::new("hosts-launchctl-config-path").with_root();
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    write(
        b,
        "home/stacks/acme/docker-compose.yml",
        b"services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    profiles: [openclaw]\n    ports: [\"18789:18789\"]\n",
    );
    write(b, "home/bin/settings.sh", b"PROFILE=openclaw\n");
    write(b, "home/stacks/acme/settings.sh", b"PROFILE=web\n");
    write(
        b,
        "home/bin/up.sh",
        b"#!/bin/bash\nsource settings.sh\ndocker compose --profile \"$PROFILE\" up -d\n",
    );
    std::fs::set_permissions(
        b.join("home/bin/up.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    write(
        b,
        "home/Library/LaunchAgents/com.acme.stack.plist",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>com.acme.stack</string><key>ProgramArguments</key><array><string>/Users/ana/bin/up.sh</string></array><key>WorkingDirectory</key><string>/Users/ana/stacks/acme</string><key>EnvironmentVariables</key><dict><key>HOME</key><string>/Users/ana</string></dict><key>RunAtLoad</key><true/></dict></plist>\n",
    );
    std::fs::create_dir_all(b.join("root/etc")).unwrap();
    let config = "root/private/var/db/com.apple.xpc.launchd/config/user.plist";
    write(
        b,
        config,
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>PathEnvironmentVariable</key><string>/Users/ana/bin:/usr/bin:/bin:/usr/sbin:/sbin</string></dict></plist>\n",
    );
    let (_, report, stderr) = t.run("check");
    assert!(
        !findings(&report, "CL108", "").is_empty(),
        "{report:#}{stderr}"
    );
    assert!(findings(&report, "CL902", "").is_empty(), "{report:#}");
    std::fs::remove_file(b.join(config)).unwrap();
    let report = t.json("check");
    assert!(findings(&report, "CL108", "").is_empty(), "{report:#}");
    assert!(findings(&report, "CL902", "").is_empty(), "{report:#}");
    write(
        b,
        config,
        b"<plist><dict><key>PathEnvironmentVariable</key>",
    );
    let report = t.json("check");
    // The file is named where it fails to parse, and the `source` where the PATH is unknown
    // (the profile it would set is then unknown: CL108 says the collision is unverifiable).
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("invalid plist"))
            && messages
                .iter()
                .any(|m| m.contains("launchd's `launchctl config` file")),
        "{messages:?}"
    );
}

/// The user manager's runtime dir (`/run/user/UID`) is read only when the root's /etc/passwd
/// says which uid the scanned home is. Without it, a transient user unit there is named in a
/// located finding (CL902: not read, unverifiable), not attributed to the home by a guess
/// from its name, and no gateway is made of it; with the passwd entry it is read.
#[test]
fn a_runtime_dir_whose_user_is_unknown_is_named_not_guessed() {
    let t = Layout::new("hosts-runtime-unknown").with_root();
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    std::fs::create_dir_all(b.join("root/etc")).unwrap();
    write(
        b,
        "root/run/user/1000/systemd/transient/openclaw-trial.service",
        b"[Service]\nExecStart=/usr/bin/openclaw --profile trial gateway --port 19500\n",
    );
    // Another user's runtime dir without units: nothing to say about it.
    std::fs::create_dir_all(b.join("root/run/user/1001/systemd/transient")).unwrap();
    let (_, report, stderr) = t.run("check");
    let named = findings(&report, "CL902", "run/user/1000/systemd/transient");
    assert_eq!(named.len(), 1, "{report}{stderr}");
    assert!(
        named[0]["message"]
            .as_str()
            .unwrap()
            .contains("unverifiable"),
        "{report}"
    );
    assert!(
        findings(&report, "CL902", "run/user/1001").is_empty(),
        "{report}"
    );
    let (_, resolved, _) = t.run("resolve");
    assert_eq!(names(&resolved), ["default"], "{resolved}");
    // With the entry, the unit is the home's transient gateway and nothing is left unread.
    write(
        b,
        "root/etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\nhome:x:1000:1000::/home/home:/bin/sh\n",
    );
    let (_, report, _) = t.run("check");
    assert!(
        findings(&report, "CL902", "run/user").is_empty(),
        "{report}"
    );
    let (_, resolved, _) = t.run("resolve");
    let mut all = names(&resolved);
    all.sort();
    assert_eq!(all, ["default", "trial"], "{resolved}");
}

/// A user unit that runs `~/bin/start.sh`, whose text is `script`, for a config that needs
/// `${BOT_TOKEN}` (a Telegram bot token).
fn sourcing_host(name: &str, script: &str) -> Layout {
    let t = Layout::new(name);
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { port: 18789 }, channels: { telegram: { enabled: true, botToken: \"${BOT_TOKEN}\" } } }\n",
    );
    write(b, "home/bin/start.sh", script.as_bytes());
    let h = b.join("home").display().to_string();
    write(
        b,
        "home/.config/systemd/user/bot.service",
        format!("[Service]\nExecStart=/bin/bash {h}/bin/start.sh\n\n[Install]\nWantedBy=default.target\n")
            .as_bytes(),
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/bot.service",
        "../bot.service",
    );
    t
}

/// A wrapper script that sources a file in the layout (`set -a; . "$(dirname "$0")/bot.env"`)
/// gives the gateway what that file exports, known exactly and placed on its line: no CL304,
/// no CL502.
#[test]
fn a_file_a_wrapper_sources_in_the_layout_is_read() {
    let t = sourcing_host(
        "hosts-sourced-read",
        "#!/bin/bash\nset -a\n. \"$(dirname \"$0\")/bot.env\"\nset +a\nexec openclaw gateway run\n",
    );
    write(
        t.path(),
        "home/bin/bot.env",
        b"# bot\nBOT_TOKEN=7200000003:AAFakeFakeFakeFakeFakeFakeFakeFake2\n",
    );
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    for quiet in ["CL304", "CL502", "CL902"] {
        assert!(!found.iter().any(|c| c == quiet), "{quiet}: {report}");
    }
    let (_, resolved, _) = t.run("resolve");
    let text = resolved.to_string();
    assert!(
        text.contains("bin/bot.env"),
        "set on the env file's line: {text}"
    );
}

/// A sourced file that is missing (and not tested for first), or that sources itself: a
/// located diagnostic at the `source` line, bounded, and what it would set unverifiable
/// (CL304), never missing.
#[test]
fn a_missing_or_looping_sourced_file_is_located_and_bounded() {
    let t = sourcing_host(
        "hosts-sourced-missing",
        "#!/bin/bash\nset -a\nsource ~/bin/gone.env\nexec openclaw gateway run\n",
    );
    let (_, report, _) = t.run("check");
    let missing = findings(&report, "CL902", "gone.env");
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!(missing[0]["parties"][0]["line"], 3, "{report}");
    let found = codes(&report);
    assert!(found.iter().any(|c| c == "CL304"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL502"), "{found:?}");

    let t = sourcing_host(
        "hosts-sourced-loop",
        "#!/bin/bash\nsource ~/bin/loop.sh\nexec openclaw gateway run\n",
    );
    write(t.path(), "home/bin/loop.sh", b"source ~/bin/loop.sh\n");
    let (_, report, _) = t.run("check");
    let deep = findings(&report, "CL907", "loop.sh");
    assert!(!deep.is_empty(), "{report}");
    let found = codes(&report);
    assert!(found.iter().any(|c| c == "CL304"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL502"), "{found:?}");
}

/// `gateway start` starts the installed service (`launchctl kickstart`, `systemctl --user
/// start`; OpenClaw 2026.9.6 `runDaemonStart`): the gateway gets that service's environment,
/// not what the trigger's script sources. So the variable the trigger's file exports is not
/// the gateway's: unverifiable (CL304) when the installed service is not in the layout, and
/// the installed service describes the gateway when it is.
#[test]
fn gateway_start_gets_the_installed_services_environment() {
    let script = "#!/bin/bash\nset -a\nsource ~/bin/bot.env\nset +a\nexec openclaw gateway start\n";
    let t = sourcing_host("hosts-start-trigger", script);
    write(
        t.path(),
        "home/bin/bot.env",
        b"BOT_TOKEN=7200000003:AAFakeFakeFakeFakeFakeFakeFakeFake2\n",
    );
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    assert!(found.iter().any(|c| c == "CL304"), "{report}");
    assert!(!found.iter().any(|c| c == "CL502"), "{found:?}");
    let (_, resolved, _) = t.run("resolve");
    let unseen = gateways(&resolved)[0]["supervisors"][0]["unseen"].to_string();
    assert!(unseen.contains("installed service"), "{unseen}");

    // The installed service, in the layout, with the token in its own environment: it is the
    // gateway's supervisor, and the token is known (the trigger is not a second supervisor).
    write(
        t.path(),
        "home/.config/systemd/user/openclaw-gateway.service",
        b"[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\nEnvironment=BOT_TOKEN=7200000004:AAFakeFakeFakeFakeFakeFakeFakeFake3\n\n[Install]\nWantedBy=default.target\n",
    );
    link(
        t.path(),
        "home/.config/systemd/user/default.target.wants/openclaw-gateway.service",
        "../openclaw-gateway.service",
    );
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    for quiet in ["CL304", "CL502", "CL402"] {
        assert!(!found.iter().any(|c| c == quiet), "{quiet}: {report}");
    }
    let (_, resolved, _) = t.run("resolve");
    let supervisor = &gateways(&resolved)[0]["supervisors"][0];
    assert!(
        supervisor["path"]
            .as_str()
            .unwrap()
            .ends_with("openclaw-gateway.service"),
        "{resolved}"
    );
}

/// What OpenClaw 2026.9.6 did with `gateway start` in each recorded environment
/// (scripts/record-start-triggers.sh): a system unit running the same command with the same
/// environment is a trigger clawlint must judge the same way. One that OpenClaw refuses (a
/// state dir, config path or `OPENCLAW_HOME` that is not the canonical one, an option `start`
/// does not take) starts nothing: CL909 at the unit, and no gateway listens for it. One it
/// accepts starts the installed service, whose port is its own: never the trigger's `--port`.
#[test]
fn start_triggers_openclaw_refuses_start_nothing() {
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/hosts/start-triggers.json")).unwrap(),
    )
    .unwrap();
    let cases = recorded.as_array().unwrap();
    assert!(cases.len() >= 10, "{recorded}");
    let mut refused = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let t = Layout::new("hosts-start-trigger-oracle").with_root();
        let b = t.path();
        for (dir, port) in [
            (".openclaw", 18789),
            (".openclaw-002", 18790),
            (".openclaw-rescue", 19789),
        ] {
            let config =
                format!("{{ \"gateway\": {{ \"mode\": \"local\", \"port\": {port} }} }}\n");
            write(b, &format!("home/{dir}/openclaw.json"), config.as_bytes());
        }
        let mut unit = String::from("[Service]\n");
        for (key, value) in case["env"].as_object().unwrap() {
            let value = value.as_str().unwrap().replace("$HOME", "/root");
            unit.push_str(&format!("Environment={key}={value}\n"));
        }
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        unit.push_str(&format!(
            "ExecStart=/usr/bin/openclaw {}\nRestart=always\nRestartPreventExitStatus=78\n\n[Install]\nWantedBy=multi-user.target\n",
            args.join(" ")
        ));
        write(
            b,
            "root/etc/systemd/system/openclaw-trigger.service",
            unit.as_bytes(),
        );
        link(
            b,
            "root/etc/systemd/system/multi-user.target.wants/openclaw-trigger.service",
            "../openclaw-trigger.service",
        );
        let report = t.json("check");
        let says_refused = !findings(
            &report,
            "CL909",
            "runs `gateway start`, which starts nothing",
        )
        .is_empty();
        let resolved = t.json("resolve");
        let trigger = gateways(&resolved)
            .into_iter()
            .find(|g| {
                g["supervisors"]
                    .to_string()
                    .contains("openclaw-trigger.service")
            })
            .unwrap_or_else(|| panic!("{name}: the trigger is no gateway: {resolved}"));
        match case["refused"].as_str() {
            Some(why) => {
                refused += 1;
                assert!(
                    says_refused,
                    "{name}: OpenClaw refused ({why}); clawlint: {report}"
                );
                assert_eq!(trigger["starts"], false, "{name}: {trigger}");
                assert!(
                    trigger["listeners"].as_array().unwrap().is_empty(),
                    "{name}: {trigger}"
                );
            }
            None => {
                assert!(
                    !says_refused,
                    "{name}: OpenClaw accepted it; clawlint: {report}"
                );
                // The installed service it starts, named as OpenClaw named it.
                let unit = case["startsUnit"].as_str().unwrap();
                let profile = unit
                    .strip_prefix("openclaw-gateway-")
                    .and_then(|u| u.strip_suffix(".service"));
                assert_eq!(
                    trigger["profile"]["value"].as_str(),
                    profile,
                    "{name}: {trigger}"
                );
                assert_ne!(trigger["gatewayPort"]["value"], 19000, "{name}: {trigger}");
            }
        }
    }
    assert!(refused >= 4, "{recorded}");
}

/// A wrapper script's `export` that may not run (`[ -n "$DEBUG" ] && export …`) gives the
/// gateway the variable or not: what depends on it is unverifiable (CL304), neither the
/// exported value nor missing (CL502). An `if [ -s F ]` on a file in the layout is answered
/// exactly, whether F is empty or not.
#[test]
fn a_conditional_export_is_unverifiable_and_a_size_test_is_answered() {
    let t = sourcing_host(
        "hosts-conditional-export",
        "#!/bin/bash\n[ -n \"$DEBUG\" ] && export BOT_TOKEN=7200000005:AAFakeFakeFakeFakeFakeFakeFakeFake5\nexec openclaw gateway run\n",
    );
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    assert!(found.iter().any(|c| c == "CL304"), "{report}");
    assert!(!found.iter().any(|c| c == "CL502"), "{report}");
    let (_, resolved, _) = t.run("resolve");
    let unseen = gateways(&resolved)[0]["supervisors"][0]["unseen"].to_string();
    assert!(unseen.contains("BOT_TOKEN"), "{unseen}");

    let script = "#!/bin/bash\nif [ -s \"$HOME/bin/bot.env\" ]; then\n  export BOT_TOKEN=7200000006:AAFakeFakeFakeFakeFakeFakeFakeFake6\nfi\nexec openclaw gateway run\n";
    let t = sourcing_host("hosts-size-test", script);
    write(t.path(), "home/bin/bot.env", b"# the bot's settings\n");
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    for quiet in ["CL304", "CL502"] {
        assert!(!found.iter().any(|c| c == quiet), "{quiet}: {report}");
    }
    write(t.path(), "home/bin/bot.env", b"");
    let (_, report, _) = t.run("check");
    let found = codes(&report);
    // The branch does not run: the variable is missing, not unverifiable.
    assert!(found.iter().any(|c| c == "CL502"), "{report}");
}

/// A unit for ~/.openclaw-bot whose wrapper script exports `line` before `exec` (the
/// default gateway in ~/.openclaw and the bot's config both pin 18789).
fn bot_host(name: &str, script: &str) -> Layout {
    bot_host_with_arguments(name, script, "")
}

/// [`bot_host`], the unit starting the script with `arguments`.
fn bot_host_with_arguments(name: &str, script: &str, arguments: &str) -> Layout {
    let t = Layout::new(name);
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    write(
        b,
        "home/.openclaw-bot/openclaw.json",
        b"{ gateway: { port: 18789 } }\n",
    );
    write(b, "home/bin/start.sh", script.as_bytes());
    let h = b.join("home").display().to_string();
    write(
        b,
        "home/.config/systemd/user/bot.service",
        format!("[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-bot\nExecStart=/bin/bash {h}/bin/start.sh{arguments}\n\n[Install]\nWantedBy=default.target\n")
            .as_bytes(),
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/bot.service",
        "../bot.service",
    );
    t
}

/// The bot's gateway in a `resolve` report.
fn bot(resolved: &Value) -> &Value {
    gateways(resolved)
        .into_iter()
        .find(|g| g["stateDir"]["value"] == "~/.openclaw-bot")
        .expect("the bot's gateway")
}

/// A port variable an `export` may or may not set (`[ -n "$P" ] && export
/// OPENCLAW_GATEWAY_PORT=$P`, the Railway entrypoint's mapping) leaves the gateway's port
/// unverifiable: no collision is asserted from the config's 18789 it may not use, CL409 says
/// why, and `resolve` lists the export. The look-alikes: an unconditional export is known
/// (no collision, no CL409); `--port` on the command line beats the variable, so the port is
/// known even after a conditional export, and a real collision is still reported.
#[test]
fn a_conditional_export_of_the_port_leaves_it_unverifiable() {
    let t = bot_host(
        "hosts-conditional-port",
        "#!/bin/bash\n[ -n \"$BOT_PORT\" ] && export OPENCLAW_GATEWAY_PORT=\"$BOT_PORT\"\nexec openclaw gateway run\n",
    );
    let report = t.json("check");
    let found = codes(&report);
    assert!(!found.iter().any(|c| c == "CL101"), "{report}");
    let why = findings(
        &report,
        "CL409",
        "set by an `export` that may or may not run",
    );
    assert_eq!(why.len(), 1, "{report}");
    assert!(why[0]["message"]
        .as_str()
        .unwrap()
        .contains("OPENCLAW_GATEWAY_PORT"));
    let resolved = t.json("resolve");
    assert_eq!(gateways(&resolved).len(), 2, "{resolved}");
    let gateway = bot(&resolved);
    assert_eq!(
        gateway["unverifiable"],
        serde_json::json!(["port"]),
        "{gateway}"
    );
    let unseen = gateway["supervisors"][0]["unseen"].to_string();
    assert!(
        unseen.contains("OPENCLAW_GATEWAY_PORT: an `export` that may or may not run"),
        "{unseen}"
    );

    let t = bot_host(
        "hosts-unconditional-port",
        "#!/bin/bash\nexport OPENCLAW_GATEWAY_PORT=19789\nexec openclaw gateway run\n",
    );
    let found = codes(&t.json("check"));
    assert!(
        !found.iter().any(|c| c == "CL101" || c == "CL409"),
        "{found:?}"
    );

    let t = bot_host(
        "hosts-conditional-port-cli",
        "#!/bin/bash\n[ -n \"$BOT_PORT\" ] && export OPENCLAW_GATEWAY_PORT=\"$BOT_PORT\"\nexec openclaw gateway run --port 18789\n",
    );
    let found = codes(&t.json("check"));
    assert!(found.iter().any(|c| c == "CL101"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL409"), "{found:?}");
}

/// A port a script computes (`PORT="$(next_free_port)"`, a command substitution clawlint does
/// not evaluate, or a variable with no value) leaves the gateway's port unverifiable, as a
/// conditional export does, said as such: no collision from the config's 18789 it may not
/// use. Before, the variable was taken as set to its text (`$(next_free_port)`) and the port
/// fell back to the config's. Its look-alike, a literal value, is known.
#[test]
fn a_value_a_script_computes_leaves_what_it_sets_unverifiable() {
    let t = bot_host(
        "hosts-computed-port",
        "#!/bin/bash\nport=\"$(next_free_port)\"\nOPENCLAW_GATEWAY_PORT=\"$port\" exec openclaw gateway run\n",
    );
    let report = t.json("check");
    let found = codes(&report);
    assert!(!found.iter().any(|c| c == "CL101"), "{report}");
    let why = findings(&report, "CL409", "set to a value clawlint cannot work out");
    assert_eq!(why.len(), 1, "{report}");
    let gateway = bot(&t.json("resolve")).clone();
    assert_eq!(
        gateway["unverifiable"],
        serde_json::json!(["port"]),
        "{gateway}"
    );
    // The human report does not show the port it falls back to as known.
    let home = t.path().join("home").display().to_string();
    let (_, out, _) = clawlint(&["resolve", "--home", &home, "--no-config"]);
    let unverified = out.lines().filter(|l| {
        l.trim_start().starts_with("port ") && l.contains("(unverifiable: not compared)")
    });
    assert_eq!(unverified.count(), 1, "{out}");

    let t = bot_host(
        "hosts-literal-port",
        "#!/bin/bash\nport=18789\nOPENCLAW_GATEWAY_PORT=\"$port\" exec openclaw gateway run\n",
    );
    // Configured to start: a known port is compared.
    write(
        t.path(),
        "home/.openclaw-bot/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    let found = codes(&t.json("check"));
    assert!(found.iter().any(|c| c == "CL101"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL409"), "{found:?}");
}

/// A wrapper that passes its arguments on (nix-openclaw's `exec …/bin/openclaw "$@"`, run as
/// `wrapper gateway --port N`): `"$@"`, `$1` and `shift` are the unit's words, so the port
/// and profile are known and the collision with the default gateway is found. Before, the
/// gateway was unverifiable (CL409) and nothing compared. Look-alikes: a wrapper that runs
/// its arguments inside a shell function, and a `shift` that may or may not run, keep them
/// unknown (CL409 says so).
#[test]
fn a_wrapper_passes_the_units_arguments_on() {
    let passes =
        "#!/bin/sh\nset -eu\nexport PATH=\"$HOME/.npm-global/bin:$PATH\"\nexec openclaw \"$@\"\n";
    let t = bot_host_with_arguments("hosts-wrapper-arguments", passes, " gateway run");
    let found = codes(&t.json("check"));
    assert!(found.iter().any(|c| c == "CL101"), "{found:?}");
    assert!(!found.iter().any(|c| c == "CL409"), "{found:?}");
    let t = bot_host_with_arguments(
        "hosts-wrapper-arguments-other",
        passes,
        " gateway run --port 19789",
    );
    let found = codes(&t.json("check"));
    assert!(
        !found.iter().any(|c| c == "CL101" || c == "CL409"),
        "{found:?}"
    );

    let shifts =
        "#!/bin/bash\nprofile=\"$1\"\nshift\nexec openclaw --profile \"$profile\" gateway \"$@\"\n";
    let t = bot_host_with_arguments("hosts-wrapper-shift", shifts, " bot --port 19789");
    let resolved = t.json("resolve");
    let gateway = bot(&resolved);
    assert_eq!(gateway["profile"]["value"], "bot", "{gateway}");
    assert_eq!(gateway["gatewayPort"]["value"], 19789, "{gateway}");

    for (name, script) in [
        (
            "hosts-wrapper-function",
            "#!/bin/sh\nrun() {\n  exec openclaw \"$@\"\n}\nrun gateway --port 19789\n",
        ),
        (
            "hosts-wrapper-maybe-shift",
            "#!/bin/sh\n[ \"$1\" = \"--\" ] && shift\nexec openclaw \"$@\"\n",
        ),
    ] {
        let t = bot_host_with_arguments(name, script, " gateway run");
        let found = codes(&t.json("check"));
        assert!(found.iter().any(|c| c == "CL409"), "{name}: {found:?}");
        // With no port in its config either, `ports` says the native gateway's is unknown
        // (not that it is a container publishing nothing).
        let b = t.path();
        write(
            b,
            "home/.openclaw-bot/openclaw.json",
            b"{ gateway: { mode: \"local\" } }\n",
        );
        let home = b.join("home").display().to_string();
        let (_, table, _) = clawlint(&["ports", "--home", &home, "--no-config"]);
        let row = table
            .lines()
            .find(|l| l.starts_with("bot "))
            .unwrap_or_default();
        assert!(
            row.contains("unknown (its port is unverifiable)"),
            "{table}"
        );
        assert!(!row.contains("container"), "{table}");
    }
}

/// A state dir an `export` may or may not replace is unverifiable, but the dir the unit names
/// (`Environment=OPENCLAW_STATE_DIR=%h/.openclaw-bot`) is still that unit's gateway: never also
/// a profile gateway "bot" of its own on a hash port.
#[test]
fn a_conditional_state_dir_export_keeps_the_named_dir_the_units() {
    let t = bot_host(
        "hosts-conditional-state-dir",
        "#!/bin/bash\n[ -d /srv/bot ] && export OPENCLAW_STATE_DIR=/srv/bot\nexec openclaw gateway run --port 19789\n",
    );
    let resolved = t.json("resolve");
    assert_eq!(gateways(&resolved).len(), 2, "{resolved}");
    let gateway = bot(&resolved);
    let unverifiable = gateway["unverifiable"].to_string();
    assert!(unverifiable.contains("state-dir"), "{gateway}");
    assert_eq!(gateway["supervisors"][0]["name"], "bot.service");
    let found = codes(&t.json("check"));
    assert!(
        !found.iter().any(|c| c == "CL106" || c == "CL201"),
        "{found:?}"
    );
}

/// A drop-in that replaces a template's `ExecStart=` for every instance leaves the pods' own
/// dirs (where each instance's `EnvironmentFile=-%h/.openclaw-%i/…` lies) started by nothing:
/// they are the instances' dirs, shown as such, not profile gateways on hash ports. A dir
/// that only holds a file every instance shares (not written with `%i`) stays a gateway.
#[test]
fn an_instances_own_dir_is_no_phantom_profile_gateway() {
    let mut args = vec!["resolve".to_string()];
    args.extend(fixture_args("hosts-template-dropin-every-instance"));
    args.extend(["--format".to_string(), "json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, stdout, stderr) = clawlint(&args);
    let resolved: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(names(&resolved), ["default"], "{resolved}");
    let own: Vec<String> = gateways(&resolved)[0]["supervisors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ownDirs"].to_string())
        .collect();
    assert_eq!(
        own,
        ["[\"~/.openclaw-aimee\"]", "[\"~/.openclaw-bolt\"]"],
        "{resolved}"
    );

    let t = Layout::new("hosts-shared-env-file");
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 18789 } }\n",
    );
    write(
        b,
        "home/.openclaw-shared/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 19789 } }\n",
    );
    write(b, "home/.openclaw-shared/env", b"LOG=1\n");
    write(
        b,
        "home/.config/systemd/user/gw@.service",
        b"[Service]\nEnvironmentFile=-%h/.openclaw-shared/env\nExecStart=/usr/bin/openclaw gateway --port 18789\n",
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/gw@a.service",
        "../gw@.service",
    );
    let resolved = t.json("resolve");
    assert_eq!(names(&resolved), ["default", "shared"], "{resolved}");
}

/// Instances of one template, each given its own state dir (essamgouda97/home-server's
/// `openclaw@.service`: `Environment=OPENCLAW_STATE_DIR=/mnt/server/agents/%i/config`, no
/// profile), are named for their units alike: before, the first was "default" (which says
/// `~/.openclaw`) and the second, that name taken, "openclaw@servo.service".
#[test]
fn template_instances_with_their_own_state_dirs_are_named_for_their_units() {
    let t = Layout::new("hosts-template-instance-names");
    let b = t.path();
    for agent in ["jarvis", "servo"] {
        write(
            b,
            &format!("root/mnt/server/agents/{agent}/config/openclaw.json"),
            b"{ gateway: { mode: \"local\" } }\n",
        );
    }
    write(
        b,
        "home/.config/systemd/user/openclaw@.service",
        b"[Service]\nEnvironment=OPENCLAW_STATE_DIR=/mnt/server/agents/%i/config\nExecStart=/usr/bin/openclaw gateway\n",
    );
    for agent in ["jarvis", "servo"] {
        link(
            b,
            &format!("home/.config/systemd/user/default.target.wants/openclaw@{agent}.service"),
            "../openclaw@.service",
        );
    }
    let home = b.join("home").display().to_string();
    let root = b.join("root").display().to_string();
    let (_, stdout, stderr) = clawlint(&[
        "resolve",
        "--home",
        &home,
        "--root",
        &root,
        "--no-config",
        "--format",
        "json",
    ]);
    let resolved: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(
        names(&resolved),
        ["openclaw@jarvis.service", "openclaw@servo.service"],
        "{resolved}"
    );
}

/// Two supervisors of one user, as recorded from the real OpenClaw in
/// tests/hosts/gateway-pairs.json (scripts/record-gateway-pairs.sh): the installer's default
/// gateway, then a second unit with the case's environment and port. A second gateway OpenClaw
/// keeps down (exit 78: the state dir is owned) is reported as exactly that: CL402 when it is the
/// same gateway (same state dir and config: one gateway, two supervisors), CL201 when it is
/// another gateway in the same state dir (its own config, read and linted); one that runs beside
/// the first is neither. The gateway count follows: a second config is a second gateway.
#[test]
fn gateway_pairs_are_told_apart_as_openclaw_does() {
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/hosts/gateway-pairs.json")).unwrap(),
    )
    .unwrap();
    let cases = recorded.as_array().unwrap();
    assert!(cases.len() >= 3, "{recorded}");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert_eq!(case["firstStarted"], true, "{name}: {case}");
        let t = Layout::new("hosts-gateway-pair");
        let b = t.path();
        let home = b.join("home");
        // The configs the recorder wrote; rescue.json with a key OpenClaw does not know, so
        // that a config nothing reads would go unreported.
        write(
            b,
            "home/.openclaw/openclaw.json",
            b"{ \"gateway\": { \"mode\": \"local\", \"port\": 18789 } }\n",
        );
        write(
            b,
            "home/.openclaw/rescue.json",
            b"{ \"gateway\": { \"mode\": \"local\", \"port\": 19789 }, \"rescueOnly\": true }\n",
        );
        write(
            b,
            "home/.openclaw-rescue/openclaw.json",
            b"{ \"gateway\": { \"mode\": \"local\", \"port\": 19789 } }\n",
        );
        for (which, unit) in [("first", "openclaw-gateway"), ("second", "openclaw-second")] {
            let start = &case[which];
            let mut text = String::from("[Service]\n");
            for (key, value) in start["env"].as_object().unwrap() {
                let value = value.as_str().unwrap().replace("$HOME", "%h");
                text.push_str(&format!("Environment={key}={value}\n"));
            }
            text.push_str(&format!(
                "ExecStart=/usr/bin/openclaw gateway --port {}\nRestart=always\nRestartPreventExitStatus=78\n\n[Install]\nWantedBy=default.target\n",
                start["port"]
            ));
            write(
                b,
                &format!("home/.config/systemd/user/{unit}.service"),
                text.as_bytes(),
            );
            link(
                b,
                &format!("home/.config/systemd/user/default.target.wants/{unit}.service"),
                &format!("../{unit}.service"),
            );
        }
        let report = t.json("check");
        let resolved = t.json("resolve");
        let started: Vec<&Value> = gateways(&resolved)
            .into_iter()
            .filter(|g| g["supervisors"].as_array().is_some_and(|s| !s.is_empty()))
            .collect();
        let state_dirs: std::collections::BTreeSet<String> = started
            .iter()
            .map(|g| g["stateDir"]["value"].to_string())
            .collect();
        let configs: std::collections::BTreeSet<String> = started
            .iter()
            .map(|g| g["configPath"]["value"].to_string())
            .collect();
        let kept_down = case["secondStarted"] == false;
        let found = codes(&report);
        let same_gateway = started.len() == 1;
        match (kept_down, same_gateway) {
            (true, true) => {
                assert!(found.contains(&"CL402".to_string()), "{name}: {report}");
                assert!(!found.contains(&"CL201".to_string()), "{name}: {report}");
            }
            (true, false) => {
                assert_eq!(state_dirs.len(), 1, "{name}: {resolved}");
                assert_eq!(configs.len(), 2, "{name}: {resolved}");
                assert!(found.contains(&"CL201".to_string()), "{name}: {report}");
                assert!(!found.contains(&"CL402".to_string()), "{name}: {report}");
            }
            (false, _) => {
                assert_eq!(started.len(), 2, "{name}: {resolved}");
                assert!(!found.contains(&"CL201".to_string()), "{name}: {report}");
                assert!(!found.contains(&"CL402".to_string()), "{name}: {report}");
            }
        }
        // The second gateway is one of its own exactly when it reads another config.
        let second_config = case["second"]["env"]["OPENCLAW_CONFIG_PATH"]
            .as_str()
            .map(|c| c.replace("$HOME", &home.display().to_string()));
        let own_config = second_config
            .as_deref()
            .is_some_and(|c| !c.ends_with("/.openclaw/openclaw.json"));
        assert_eq!(!same_gateway, own_config, "{name}: {resolved}");
        // A config some gateway reads is linted: rescue.json's unknown key is reported.
        let reads_rescue_json = second_config
            .as_deref()
            .is_some_and(|c| c.ends_with("/.openclaw/rescue.json"));
        assert_eq!(
            !findings(&report, "CL701", "rescueOnly").is_empty(),
            reads_rescue_json,
            "{name}: {report}"
        );
    }
}

/// CL406 follows what systemd restarts after exit code 78: `Restart=on-failure` does (78 is
/// a failure) unless `RestartPreventExitStatus=78` or `SuccessExitStatus=78` exempts it, the
/// latter in a drop-in too; `on-abnormal` does not.
#[test]
fn restart_on_failure_after_exit_78_is_cl406_unless_exempted() {
    let t = TempDir::new("hosts-restart-on-failure").kept_on_failure();
    let home = t.join("home");
    write(
        &home,
        ".openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\" } }\n",
    );
    let unit = "openclaw-gateway.service";
    let cl406 = |service: &str, drop_in: Option<&str>| {
        let dir = ".config/systemd/user";
        write(&home, &format!("{dir}/{unit}"), service.as_bytes());
        let drop_dir = home.join(format!("{dir}/{unit}.d"));
        let _ = std::fs::remove_dir_all(&drop_dir);
        if let Some(text) = drop_in {
            write(
                &home,
                &format!("{dir}/{unit}.d/override.conf"),
                text.as_bytes(),
            );
        }
        let _ = std::fs::remove_file(home.join(format!("{dir}/default.target.wants/{unit}")));
        enable_user_unit(&home, unit);
        check_codes(&home).iter().any(|c| c == "CL406")
    };
    let service = |restart: &str| {
        format!("[Service]\nExecStart=/usr/bin/openclaw gateway --port 18789\nRestart={restart}\nRestartSec=5\n\n[Install]\nWantedBy=default.target\n")
    };
    assert!(cl406(&service("on-failure"), None));
    assert!(cl406(&service("always"), None));
    assert!(!cl406(&service("on-abnormal"), None));
    assert!(!cl406(
        &service("on-failure"),
        Some("[Service]\nSuccessExitStatus=78\n")
    ));
    assert!(cl406(
        &service("always"),
        Some("[Service]\nSuccessExitStatus=78\n")
    ));
    assert!(!cl406(
        &service("on-failure"),
        Some("[Service]\nRestartPreventExitStatus=78\n")
    ));
}

/// Two user units of one account share OpenClaw's default rolling log, whatever `HOME=` each
/// gives its process: the account is the home the units lie in (CL208). Look-alike: the
/// second gets its own profile, and with it its own log file.
#[test]
fn user_units_of_one_account_share_the_default_log_whatever_their_home() {
    let t = TempDir::new("hosts-log-per-account").kept_on_failure();
    let home = t.join("home");
    write(
        &home,
        "bot-a/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\" } }\n",
    );
    write(
        &home,
        "bot-b/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\" } }\n",
    );
    let unit = |name: &str, env: &str, port: u16| {
        let text = format!("[Service]\n{env}ExecStart=/usr/bin/openclaw gateway --port {port}\nRestart=always\nRestartPreventExitStatus=78\n\n[Install]\nWantedBy=default.target\n");
        write(
            &home,
            &format!(".config/systemd/user/{name}"),
            text.as_bytes(),
        );
        enable_user_unit(&home, name);
    };
    unit("bot-a.service", "Environment=HOME=%h/bot-a\n", 18789);
    unit("bot-b.service", "Environment=HOME=%h/bot-b\n", 19789);
    let check = || check_codes(&home);
    assert!(check().iter().any(|c| c == "CL208"), "{:?}", check());
    unit(
        "bot-b.service",
        "Environment=HOME=%h/bot-b\nEnvironment=OPENCLAW_PROFILE=b\n",
        19789,
    );
    assert!(!check().iter().any(|c| c == "CL208"), "{:?}", check());
}

/// `resolve` says which dir `~` is for a user unit that gives its process another HOME than
/// the account's (material-lab-io/nyx-one's clawdbot-perhit.service, HOME=/data/perhitbot):
/// both its state dir and the account's default gateway's would otherwise read `~/.openclaw`.
#[test]
fn resolve_says_which_home_a_units_tilde_is() {
    let name = "hosts-nyx-legacy-env-units";
    let args = fixture_args(name);
    let mut argv: Vec<&str> = vec!["resolve", "--no-config"];
    argv.extend(args.iter().map(String::as_str));
    let (_, out, err) = clawlint(&argv);
    assert!(
        out.contains("HOME         fixtures/hosts-nyx-legacy-env-units/root/data/perhitbot\n")
            && out.contains("← HOME= of its unit, not the home of the account it runs as"),
        "{out}{err}"
    );
    // Once: the account's own gateway runs with the account's HOME.
    assert_eq!(out.matches("HOME= of its unit").count(), 1, "{out}");
}

/// `gateway run` without `--allow-unconfigured` refuses a config that does not say
/// `gateway.mode: "local"` (none, or another mode) and a missing config (recorded from
/// 2026.9.6: tests/data/unconfigured-start): a user unit's gateway is CL909 and `starts:
/// false` exactly where OpenClaw exited 78, and never with the flag on its command. A profile
/// dir found by the scan alone is not judged: how it is started is not known.
#[test]
fn a_gateway_whose_command_and_config_leave_it_unconfigured_does_not_start() {
    let data = root().join("tests/data/unconfigured-start");
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("2026.9.6.json")).unwrap())
            .unwrap();
    for case in ["nomode", "remote", "local", "noconfig"] {
        for flag in ["", " --allow-unconfigured"] {
            let t = Layout::new(&format!("hosts-unconfigured-{case}"));
            let b = t.path();
            if case != "noconfig" {
                let config = std::fs::read(data.join(format!("{case}.json"))).unwrap();
                write(b, "home/.openclaw/openclaw.json", &config);
            }
            let unit = format!("[Service]\nExecStart=/usr/bin/openclaw gateway --port 19555{flag}\nRestartPreventExitStatus=78\n[Install]\nWantedBy=default.target\n");
            write(b, "home/.config/systemd/user/oc.service", unit.as_bytes());
            link(
                b,
                "home/.config/systemd/user/default.target.wants/oc.service",
                "../oc.service",
            );
            let refused = flag.is_empty() && !recorded[case]["started"].as_bool().unwrap();
            let home = b.join("home");
            let codes = check_codes(&home);
            assert_eq!(
                codes.contains(&"CL909".to_string()),
                refused,
                "{case}{flag}: {codes:?}"
            );
            let shown = home.display().to_string();
            let (_, out, _) = clawlint(&[
                "resolve",
                "--home",
                &shown,
                "--no-config",
                "--format",
                "json",
            ]);
            let resolved: Value = serde_json::from_str(&out).unwrap();
            let starts = &gateways(&resolved)[0]["starts"];
            assert_eq!(starts, &Value::Bool(!refused), "{case}{flag}: {resolved}");
        }
    }
    // Found by the scan alone (no unit): not judged.
    let t = Layout::new("hosts-unconfigured-scanned");
    write(
        t.path(),
        "home/.openclaw-ops/openclaw.json",
        b"{ gateway: { port: 19555 } }\n",
    );
    let codes = check_codes(&t.path().join("home"));
    assert!(!codes.contains(&"CL909".to_string()), "{codes:?}");
}

/// Two gateways of one user without a profile log to the same default file under `/tmp`
/// (CL208), unless one runs with a `/tmp` of its own: `PrivateTmp=` (yes, or `disconnected`),
/// or `DynamicUser=yes`, which implies it; a drop-in's `PrivateTmp=no` takes it back. resolve
/// shows the log in that service's own `/tmp`.
#[test]
fn a_service_with_a_private_tmp_shares_no_log_under_tmp() {
    let cases = [
        ("none", "", "", true),
        ("private", "PrivateTmp=true\n", "", false),
        ("disconnected", "PrivateTmp=disconnected\n", "", false),
        ("dynamic-user", "DynamicUser=yes\n", "", false),
        (
            "taken-back",
            "PrivateTmp=yes\n",
            "[Service]\nPrivateTmp=no\n",
            true,
        ),
    ];
    for (case, own, drop_in, shared) in cases {
        let t = Layout::new(&format!("hosts-private-tmp-{case}"));
        let b = t.path();
        for (name, port, extra) in [("a", 19100, ""), ("b", 19300, own)] {
            write(
                b,
                &format!("home/oc-{name}/openclaw.json"),
                format!("{{ gateway: {{ mode: \"local\", port: {port} }} }}\n").as_bytes(),
            );
            let unit = format!("[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/oc-{name}\nExecStart=/usr/bin/openclaw gateway\nRestartPreventExitStatus=78\n{extra}[Install]\nWantedBy=default.target\n");
            write(
                b,
                &format!("home/.config/systemd/user/oc-{name}.service"),
                unit.as_bytes(),
            );
            link(
                b,
                &format!("home/.config/systemd/user/default.target.wants/oc-{name}.service"),
                &format!("../oc-{name}.service"),
            );
        }
        if !drop_in.is_empty() {
            write(
                b,
                "home/.config/systemd/user/oc-b.service.d/tmp.conf",
                drop_in.as_bytes(),
            );
        }
        let codes = check_codes(&b.join("home"));
        assert_eq!(
            codes.contains(&"CL208".to_string()),
            shared,
            "{case}: {codes:?}"
        );
        let resolved = t.json("resolve");
        let b_log = gateways(&resolved)
            .into_iter()
            .find(|g| g["name"] == "oc-b.service")
            .map(|g| g["logFile"]["value"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{case}: {resolved}"));
        assert_eq!(
            b_log.starts_with("<private /tmp of oc-b.service>/openclaw/"),
            !shared,
            "{case}: {b_log}"
        );
    }
}

/// The name of the supervisor that starts gateway `name` in `resolve`'s JSON.
fn supervisor_of(resolved: &Value, name: &str) -> String {
    gateways(resolved)
        .into_iter()
        .find(|g| g["name"] == name)
        .and_then(|g| g["supervisors"][0]["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("{name}: {resolved}"))
}

/// A LaunchDaemon runs as its `UserName`, in that account's home: on a host scanned with
/// several homes (`--home Users/wa --home Users/sig`), each daemon starts the gateway of the
/// home its `HOME=` or `UserName` names, not the first home's. Two daemons, each its own
/// account's gateway: no second supervisor of one gateway (CL402), no drift (CL401).
#[test]
fn a_launchdaemon_runs_in_its_own_accounts_home() {
    let mut t = Layout::new("hosts-daemon-homes").with_root();
    let b = t.path();
    let daemon = |user: &str, port: u16, home_env: bool| {
        let home = match home_env {
            true => format!("<key>EnvironmentVariables</key><dict><key>HOME</key><string>/Users/{user}</string></dict>"),
            false => String::new(),
        };
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>ai.openclaw.gateway.{user}</string><key>UserName</key><string>{user}</string>{home}<key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>gateway</string><string>--port</string><string>{port}</string></array><key>RunAtLoad</key><true/></dict></plist>\n")
    };
    for (user, port, home_env) in [("wa", 18789, true), ("sig", 19789, false)] {
        write(
            b,
            &format!("Users/{user}/.openclaw/openclaw.json"),
            format!("{{ gateway: {{ mode: \"local\", port: {port} }} }}\n").as_bytes(),
        );
        write(
            b,
            &format!("root/Library/LaunchDaemons/ai.openclaw.gateway.{user}.plist"),
            daemon(user, port, home_env).as_bytes(),
        );
    }
    t.homes = vec![b.join("Users/wa"), b.join("Users/sig")];
    assert_each_home_its_supervisor(
        &t,
        &[
            ("wa/default", "ai.openclaw.gateway.wa"),
            ("sig/default", "ai.openclaw.gateway.sig"),
        ],
    );
}

/// Each gateway is started by its own account's supervisor (`gateway`, `supervisor`), and no
/// gateway is taken for another's: no shared port (CL101), no drift (CL401), no second
/// supervisor (CL402).
fn assert_each_home_its_supervisor(t: &Layout, pairs: &[(&str, &str)]) {
    let (_, report, _) = t.run("check");
    let codes = codes(&report);
    for absent in ["CL101", "CL401", "CL402"] {
        assert!(!codes.contains(&absent.to_string()), "{absent}: {report}");
    }
    let resolved = t.json("resolve");
    for (gateway, supervisor) in pairs {
        assert_eq!(supervisor_of(&resolved, gateway), *supervisor, "{resolved}");
    }
}

/// A system unit with `User=` runs in that account's home, as a LaunchDaemon does: scanned
/// with `--home home/ana --home home/bob`, bob's unit starts bob's gateway, not ana's.
#[test]
fn a_system_unit_runs_in_its_users_home() {
    let mut t = Layout::new("hosts-system-unit-homes").with_root();
    let b = t.path();
    for (user, port) in [("ana", 18789), ("bob", 19789)] {
        write(
            b,
            &format!("home/{user}/.openclaw/openclaw.json"),
            format!("{{ gateway: {{ mode: \"local\", port: {port} }} }}\n").as_bytes(),
        );
        let unit = format!("[Service]\nUser={user}\nExecStart=/usr/bin/openclaw gateway --port {port}\nRestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\n");
        write(
            b,
            &format!("root/etc/systemd/system/openclaw-{user}.service"),
            unit.as_bytes(),
        );
        link(
            b,
            &format!("root/etc/systemd/system/multi-user.target.wants/openclaw-{user}.service"),
            &format!("/etc/systemd/system/openclaw-{user}.service"),
        );
    }
    t.homes = vec![b.join("home/ana"), b.join("home/bob")];
    assert_each_home_its_supervisor(
        &t,
        &[
            ("ana/default", "openclaw-ana.service"),
            ("bob/default", "openclaw-bob.service"),
        ],
    );
}

/// The account a system job runs as is found in the scanned homes as a unit's `User=` and a
/// daemon's `UserName` alike: a home named after it (`home-openclaw-sig`, IT-HUSET's layout
/// of one home per account), else the one `/etc/passwd` gives it (`/var/lib/gw-b`). Before,
/// the daemon matched only `/Users/NAME` and `/home/NAME` spellings and the unit only the
/// name, so both stayed with the first home.
#[test]
fn a_system_jobs_account_is_found_by_name_or_passwd() {
    let mut t = Layout::new("hosts-account-homes").with_root();
    let b = t.path();
    let daemon = |user: &str| {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>ai.openclaw.gateway.{user}</string><key>UserName</key><string>{user}</string><key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>gateway</string></array><key>RunAtLoad</key><true/></dict></plist>\n")
    };
    for (user, port) in [("openclaw-wa", 18789), ("openclaw-sig", 19789)] {
        write(
            b,
            &format!("home-{user}/.openclaw/openclaw.json"),
            format!("{{ gateway: {{ mode: \"local\", port: {port} }} }}\n").as_bytes(),
        );
    }
    write(
        b,
        "root/Library/LaunchDaemons/ai.openclaw.gateway.openclaw-sig.plist",
        daemon("openclaw-sig").as_bytes(),
    );
    t.homes = vec![b.join("home-openclaw-wa"), b.join("home-openclaw-sig")];
    let resolved = t.json("resolve");
    assert_eq!(
        supervisor_of(&resolved, "home-openclaw-sig/default"),
        "ai.openclaw.gateway.openclaw-sig",
        "{resolved}"
    );

    let mut t = Layout::new("hosts-account-passwd").with_root();
    let b = t.path();
    for (dir, port) in [("gw-a", 18789), ("gw-b", 19789)] {
        write(
            b,
            &format!("var/lib/{dir}/.openclaw/openclaw.json"),
            format!("{{ gateway: {{ mode: \"local\", port: {port} }} }}\n").as_bytes(),
        );
    }
    write(
        b,
        "root/etc/passwd",
        b"root:x:0:0:root:/root:/bin/bash\nsvc:x:990:990::/var/lib/gw-b:/usr/sbin/nologin\n",
    );
    write(
        b,
        "root/etc/systemd/system/openclaw.service",
        b"[Service]\nUser=svc\nExecStart=/usr/bin/openclaw gateway --port 19789\nRestartPreventExitStatus=78\n[Install]\nWantedBy=multi-user.target\n",
    );
    link(
        b,
        "root/etc/systemd/system/multi-user.target.wants/openclaw.service",
        "/etc/systemd/system/openclaw.service",
    );
    t.homes = vec![b.join("var/lib/gw-a"), b.join("var/lib/gw-b")];
    let resolved = t.json("resolve");
    assert_eq!(
        supervisor_of(&resolved, "gw-b/default"),
        "openclaw.service",
        "{resolved}"
    );
}

/// The home a LaunchAgent wrote its paths under (`WorkingDirectory` `/Users/ana`) stands
/// for the scanned home in every config of that home, not only the supervised gateway's:
/// `/Users/ana/clawd` in the default gateway's config and in ops's is one workspace (CL203).
/// Before, it was `~/clawd` for ops and stayed `/Users/ana/clawd` for the default gateway
/// (niudakok/awesome-openclaw-tutorial's LaunchAgents, linted as a copied home).
#[test]
fn a_supervisors_written_home_maps_its_neighbours_paths_too() {
    let t = Layout::new("hosts-written-home-shared");
    let b = t.path();
    let config = |port: u16| {
        format!("{{ gateway: {{ mode: \"local\", port: {port} }}, agents: {{ defaults: {{ workspace: \"/Users/ana/clawd\" }} }} }}\n")
    };
    write(b, "home/.openclaw/openclaw.json", config(18789).as_bytes());
    write(
        b,
        "home/.openclaw-ops/openclaw.json",
        config(19789).as_bytes(),
    );
    write(
        b,
        "home/Library/LaunchAgents/com.openclaw.ops.plist",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Label</key><string>com.openclaw.ops</string><key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>--profile</string><string>ops</string><string>gateway</string><string>run</string><string>--port</string><string>19789</string></array><key>RunAtLoad</key><true/><key>WorkingDirectory</key><string>/Users/ana</string></dict></plist>\n",
    );
    let report = t.json("check");
    let shared = findings(&report, "CL203", "share the workspace ~/clawd");
    assert_eq!(shared.len(), 1, "{report}");
}

/// What a LaunchAgent's shell command exports is said where the command is (the
/// `<string>` on line 12 of be-agents-service's plist), as its supervisor's, not at the
/// plist's first line as a unit's.
#[test]
fn a_launchd_jobs_shell_exports_are_located_at_its_command() {
    let home = root().join("fixtures/hosts-launchd-config-path-dirs/home");
    let home = home.display().to_string();
    let (_, out, err) = clawlint(&["resolve", "--home", &home, "--no-config"]);
    let said = "OPENCLAW_CONFIG_PATH set by its supervisor at ";
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(said)).collect();
    assert_eq!(lines.len(), 2, "{out}{err}");
    for line in lines {
        assert!(line.ends_with(".plist:12:5"), "{line}");
    }
}

/// nix-openclaw puts each instance's bot token in an agenix file (`tokenFile:
/// "/run/agenix/telegram-prod"`). On a copied host (`--root`) that absolute path is the
/// root's file: read there, so two instances pointing at one token file are CL301 with its
/// fingerprint. Before, the host's own `/run/agenix` was asked (outside the layout, never
/// read) and the finding said "cannot be read on this host". Without `--root` the file is
/// still not read, and CL304 says it is outside the layout, not unreadable; the two
/// gateways naming the same file are CL301 all the same (CL304's page).
#[test]
fn a_token_file_is_read_under_the_copied_root() {
    let mut t = Layout::new("hosts-token-file-root").with_root();
    t.at_home("root/home/u");
    let b = t.path();
    for (dir, port) in [(".openclaw-prod", 18789), (".openclaw-dev", 19789)] {
        let config = format!(
            "{{ gateway: {{ mode: \"local\", port: {port} }}, channels: {{ telegram: {{ tokenFile: \"/run/agenix/telegram\" }} }} }}\n"
        );
        write(
            b,
            &format!("root/home/u/{dir}/openclaw.json"),
            config.as_bytes(),
        );
    }
    write(
        b,
        "root/run/agenix/telegram",
        b"123456789:AAFakeTelegramTokenForTests0000000000\n",
    );
    let report = t.json("check");
    let shared = findings(&report, "CL301", "bot 123456789:");
    assert_eq!(shared.len(), 1, "{report}");
    assert!(!codes(&report).iter().any(|c| c == "CL304"), "{report}");

    let home = b.join("root/home/u").display().to_string();
    let (_, out, err) = clawlint(&["check", "--home", &home, "--no-config", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let unread = findings(&report, "CL304", "is outside the scanned homes and --root");
    assert_eq!(unread.len(), 2, "{report}");
    let shared = findings(&report, "CL301", "unresolved file:/run/agenix/telegram");
    assert_eq!(shared.len(), 1, "{report}");
}

/// Two accounts' default gateways (`~/.openclaw` in each home, nothing installed yet): each
/// account's `gateway install` writes its own `~/.config/systemd/user` (or
/// `~/Library/LaunchAgents`) for its own manager, so one unit name in two homes is no CL408.
/// (Two in one home still are: the rule's own test, `cl408_two_default_profiles_…`.)
#[test]
fn one_service_name_in_two_homes_is_two_services() {
    let t = Layout::new("hosts-service-name-two-homes");
    let b = t.path();
    for home in ["home", "home-bob"] {
        write(
            b,
            &format!("{home}/.openclaw/openclaw.json"),
            b"{ gateway: { mode: \"local\" } }\n",
        );
    }
    let args = |homes: &[&str]| {
        let mut args = vec!["check".to_string()];
        for h in homes {
            args.extend(["--home".to_string(), b.join(h).display().to_string()]);
        }
        args.extend(["--no-config", "--format", "json"].map(String::from));
        args
    };
    let run = |homes: &[&str]| {
        let args = args(homes);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, out, err) = clawlint(&args);
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };
    let report = run(&["home", "home-bob"]);
    assert!(!codes(&report).iter().any(|c| c == "CL408"), "{report}");
}

/// Mirascope's claw hosts: a LaunchDaemon per account (`UserName`), each starting a gateway
/// with `OPENCLAW_HOME` under that account's home. Scanning both homes, each daemon's gateway
/// is named under its home, as the homes' own gateways are ("a/default"): before, the first
/// was plain "default" (nothing said whose) and the second "b/com.mirascope.claw.b".
#[test]
fn a_daemons_gateway_is_named_under_its_home() {
    let mut t = Layout::new("hosts-daemon-names-per-home").with_root();
    t.at_home("root/Users/a");
    let b = t.path();
    let mut homes = Vec::new();
    for (user, port) in [("a", 3001), ("b", 3002)] {
        write(
            b,
            &format!("root/Users/{user}/.openclaw/openclaw.json"),
            b"{ gateway: { mode: \"local\", port: 18789 } }\n",
        );
        let plist = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n<key>Label</key><string>com.mirascope.claw.{user}</string>\n<key>ProgramArguments</key><array><string>/usr/local/bin/openclaw</string><string>gateway</string><string>run</string><string>--port</string><string>{port}</string><string>--allow-unconfigured</string></array>\n<key>UserName</key><string>{user}</string>\n<key>EnvironmentVariables</key><dict><key>OPENCLAW_HOME</key><string>/Users/{user}/claw</string></dict>\n<key>RunAtLoad</key><true/>\n</dict>\n</plist>\n"
        );
        write(
            b,
            &format!("root/Library/LaunchDaemons/com.mirascope.claw.{user}.plist"),
            plist.as_bytes(),
        );
        homes.push(b.join(format!("root/Users/{user}")));
    }
    t.homes = homes;
    let resolved = t.json("resolve");
    let mut names: Vec<&str> = gateways(&resolved)
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    names.sort();
    let expected = [
        "a/com.mirascope.claw.a",
        "a/default",
        "b/com.mirascope.claw.b",
        "b/default",
    ];
    assert_eq!(names, expected, "{resolved}");
}

/// A config written under a name OpenClaw does not read (matthewkeil/matthewkeilbot's
/// Ansible role writes `~/.openclaw/config.json5`): CL909's "Missing config" names the path
/// OpenClaw reads and the file to rename, instead of `openclaw setup` (which would write a
/// second config beside it). Its look-alike, a dir with no config at all, keeps the advice.
#[test]
fn a_missing_config_names_the_file_written_beside_it() {
    let t = bot_host(
        "hosts-config-near-miss",
        "#!/bin/bash\nexec openclaw gateway run --port 19789\n",
    );
    let b = t.path();
    std::fs::remove_file(b.join("home/.openclaw-bot/openclaw.json")).unwrap();
    write(
        b,
        "home/.openclaw-bot/config.json5",
        b"{ gateway: { mode: \"local\" } }\n",
    );
    let report = t.json("check");
    let refused = findings(
        &report,
        "CL909",
        "no config file exists at ~/.openclaw-bot/openclaw.json",
    );
    assert_eq!(refused.len(), 1, "{report}");
    let message = refused[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "~/.openclaw-bot/config.json5 is not read: OpenClaw reads openclaw.json there"
        ),
        "{message}"
    );
    assert!(!message.contains("openclaw setup`,"), "{message}");

    // A moltbot-era name (42naodia/moltbot-config's backup) is named the same way.
    std::fs::rename(
        b.join("home/.openclaw-bot/config.json5"),
        b.join("home/.openclaw-bot/moltbot.json"),
    )
    .unwrap();
    let report = t.json("check");
    let refused = findings(&report, "CL909", "~/.openclaw-bot/moltbot.json is not read");
    assert_eq!(refused.len(), 1, "{report}");

    std::fs::remove_file(b.join("home/.openclaw-bot/moltbot.json")).unwrap();
    let report = t.json("check");
    let refused = findings(&report, "CL909", "create the config with `openclaw setup`");
    assert_eq!(refused.len(), 1, "{report}");

    // A variable meant as the config path (a Pi voice guide's unit, index id 67663276636,
    // sets OPENCLAW_CONFIG): the way out is its name, not `openclaw setup`.
    write(
        b,
        "home/bin/start.sh",
        b"#!/bin/bash\nexport OPENCLAW_CONFIG=\"$HOME/conf/bot.json\"\nexec openclaw gateway run --port 19789\n",
    );
    let report = t.json("check");
    let refused = findings(
        &report,
        "CL909",
        "OPENCLAW_CONFIG is set for it, but OpenClaw never reads that variable: to name the config's place, call it OPENCLAW_CONFIG_PATH",
    );
    assert_eq!(refused.len(), 1, "{report}");
}

/// A config 2026.1.x wrote in the legacy `~/.clawdbot` that 2026.9.6 repairs at start
/// (`meta.lastTouchedAt`; Michaelunkai/clawdbot, Redlegende/clawd-fresh): the first start moves
/// the state dir to `~/.openclaw` and exits 1 ("… the selected config changed during startup
/// (config file path changed)", recorded: conformance case legacy-clawdbot-start-repair); the
/// next start repairs and runs. CL702 says so and advises `doctor --fix` first. Its
/// look-alike, the same file already in `~/.openclaw`, starts at once: no such note.
#[test]
fn a_legacy_dir_whose_config_is_repaired_starts_on_the_second_try() {
    let case = "tests/conformance/cases/legacy-clawdbot-start-repair/home";
    let said = |home: &str| {
        let args = [
            "check",
            "--home",
            home,
            "--no-config",
            "--openclaw-version",
            "2026.9.6",
            "--format",
            "json",
        ];
        let (_, out, err) = clawlint(&args);
        let report: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        let repaired = findings(&report, "CL702", "lastTouchedAt").len();
        (
            repaired,
            report["findings"]
                .to_string()
                .contains("the first start only moves it to ~/.openclaw and exits 1"),
        )
    };
    assert_eq!(said(case), (1, true));

    let t = Layout::new("hosts-legacy-repair-moved");
    let text = std::fs::read(common::root().join(case).join(".clawdbot/clawdbot.json")).unwrap();
    write(t.path(), "home/.openclaw/openclaw.json", &text);
    assert_eq!(
        said(&t.path().join("home").display().to_string()),
        (1, false)
    );
}

/// CL503 on a unit's `Environment=OPENCLAW_PORT=…` that nothing reads; its look-alike, the same
/// line with `ExecStart=… --port ${OPENCLAW_PORT}` (systemd substitutes it: the variable does
/// set the port), is not reported.
#[test]
fn an_unread_variable_is_reported_unless_a_file_expands_it() {
    for (name, exec, reported) in [
        ("hosts-unread-port-variable", "gateway run", true),
        (
            "hosts-expanded-port-variable",
            "gateway run --port ${OPENCLAW_PORT}",
            false,
        ),
    ] {
        let t = Layout::new(name);
        let b = t.path();
        write(
            b,
            "home/.openclaw/openclaw.json",
            b"{ gateway: { mode: \"local\" } }\n",
        );
        let unit = format!("[Service]\nEnvironment=OPENCLAW_PORT=19789\nExecStart=/usr/bin/openclaw {exec}\n\n[Install]\nWantedBy=default.target\n");
        write(
            b,
            "home/.config/systemd/user/openclaw-gateway.service",
            unit.as_bytes(),
        );
        link(
            b,
            "home/.config/systemd/user/default.target.wants/openclaw-gateway.service",
            "../openclaw-gateway.service",
        );
        let report = t.json("check");
        let found = findings(&report, "CL503", "OPENCLAW_PORT is set for \"default\"");
        assert_eq!(found.len(), usize::from(reported), "{name}: {report}");
    }
}

/// Once 2026.9.6's start repairs anything, it runs every migration on the whole file: with
/// `gateway.controlUi.allowInsecureAuth` (repaired) it also removes the valid
/// `dangerouslyDisableDeviceAuth` (device auth is required again; recorded by starting the
/// gateway on fixture containers-quadlet-two-users's config). CL702 says so once. Alone, that
/// key is kept: no repair, no finding.
#[test]
fn a_start_repair_says_what_else_its_migrations_change() {
    let run = |control_ui: &str| {
        let t = Layout::new("hosts-also-changed");
        let config =
            format!("{{ gateway: {{ mode: \"local\", controlUi: {{ {control_ui} }} }} }}\n");
        write(t.path(), "home/.openclaw/openclaw.json", config.as_bytes());
        t.json("check")
    };
    let report = run("allowInsecureAuth: true, dangerouslyDisableDeviceAuth: true");
    let repaired = findings(&report, "CL702", "allowInsecureAuth");
    assert_eq!(repaired.len(), 1, "{report}");
    let notes = repaired[0]["notes"].to_string();
    assert!(
        notes
            .contains("it also removes the retired gateway.controlUi.dangerouslyDisableDeviceAuth"),
        "{notes}"
    );
    let report = run("dangerouslyDisableDeviceAuth: true");
    assert!(!codes(&report).iter().any(|c| c == "CL702"), "{report}");
}

/// A user unit `openclaw-gateway-b.service` running `%h/bin/start.sh`, and the default gateway.
fn named_unit_running(name: &str, script: Option<&[u8]>, unit_env: &str) -> Layout {
    let t = Layout::new(name);
    let b = t.path();
    write(
        b,
        "home/.openclaw/openclaw.json",
        b"{ gateway: { mode: \"local\", port: 19100 } }\n",
    );
    let unit = format!(
        "[Service]\n{unit_env}ExecStart=%h/bin/start.sh\n[Install]\nWantedBy=default.target\n"
    );
    write(
        b,
        "home/.config/systemd/user/openclaw-gateway-b.service",
        unit.as_bytes(),
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/openclaw-gateway-b.service",
        "../openclaw-gateway-b.service",
    );
    if let Some(script) = script {
        write(b, "home/bin/start.sh", script);
    }
    t
}

#[test]
fn a_gateway_named_unit_whose_script_cannot_be_read_is_said_not_dropped() {
    // Missing: systemd cannot run it, and clawlint cannot see what it would start.
    let t = named_unit_running("hosts-named-unit-missing-script", None, "");
    let (_, report, _) = t.run("check");
    let unverifiable = findings(&report, "CL409", "openclaw-gateway-b.service");
    assert_eq!(unverifiable.len(), 1, "{report}");
    // Its config is only the default guess, so the port read from it is too: not compared
    // with the default gateway's (CL409's note says so).
    assert!(findings(&report, "CL101", "").is_empty(), "{report}");
    let (_, resolved, _) = t.run("resolve");
    let unseen = resolved.to_string();
    assert!(
        unseen.contains("does not exist in the scanned layout"),
        "{resolved}"
    );
    // A FIFO: located where the unit names it, never opened.
    let t = named_unit_running("hosts-named-unit-fifo-script", None, "");
    let fifo = t.path().join("home/bin/start.sh");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    let (_, report, _) = t.run("check");
    assert_eq!(findings(&report, "CL902", "start.sh").len(), 1, "{report}");
    assert_eq!(findings(&report, "CL409", "openclaw-gateway-b").len(), 1);
}

#[test]
fn a_unit_whose_script_starts_no_gateway_is_no_supervisor() {
    // A transcript watcher (index id 51791861711): it sets the gateway's state dir to read
    // it, and its script, read whole, runs only plain utilities.
    let watcher = b"#!/bin/bash\nDIR=\"$HOME/transcripts\"\nwhile true; do\n  for f in \"$DIR\"/*.txt; do [ -f \"$f\" ] && echo \"$f\" >> \"$OPENCLAW_STATE_DIR/t.log\"; done\n  sleep 10\ndone\n";
    let t = named_unit_running(
        "hosts-watcher-unit",
        Some(watcher),
        "Environment=OPENCLAW_STATE_DIR=%h/.openclaw\n",
    );
    let b = t.path();
    // Not named like a gateway's unit: renamed from the helper's default.
    std::fs::rename(
        b.join("home/.config/systemd/user/openclaw-gateway-b.service"),
        b.join("home/.config/systemd/user/transcript-watcher.service"),
    )
    .unwrap();
    std::fs::remove_file(
        b.join("home/.config/systemd/user/default.target.wants/openclaw-gateway-b.service"),
    )
    .unwrap();
    link(
        b,
        "home/.config/systemd/user/default.target.wants/transcript-watcher.service",
        "../transcript-watcher.service",
    );
    let found = codes(&t.json("check"));
    assert!(
        !found
            .iter()
            .any(|c| c == "CL402" || c == "CL406" || c == "CL409"),
        "{found:?}"
    );
    assert_eq!(gateways(&t.json("resolve")).len(), 1);
    // A script that may start one (it runs another script) keeps the unit a gateway's.
    write(
        b,
        "home/bin/start.sh",
        b"#!/bin/sh\nsleep 1\n\"$HOME/bin/real-start\"\n",
    );
    let found = codes(&t.json("check"));
    assert!(found.iter().any(|c| c == "CL409"), "{found:?}");
    // So does one that hands the work to a process manager (its ecosystem file may start it).
    write(
        b,
        "home/bin/start.sh",
        b"#!/bin/sh\ncd \"$HOME/app\"\npm2-runtime start ecosystem.config.js\n",
    );
    let found = codes(&t.json("check"));
    assert!(found.iter().any(|c| c == "CL409"), "{found:?}");
}

/// A key only a channel plugin's own doctor migration repairs (signal's retired transport key
/// `channels.signal.cliPath`, which 2026.9.6's start repair moves into `transport` with the
/// plugin's `normalizeCompatibilityConfig`, after the core migrations): beside a key the core
/// migrations repair, the gateway repairs both and starts (CL702, naming the plugin's
/// migration; recorded: tests/validity/started/2026.9.6.json mig-signal-cli-path-and-core,
/// AI-Prompt-Ops-Kitchen/ndninja-home's config); alone, its first read sees no problem, so
/// nothing is repaired and the start exits 1 (CL701 with the channel refusal, not status 78;
/// recorded: mig-signal-cli-path).
#[test]
fn a_channel_plugins_own_migration_is_repaired_beside_a_core_one() {
    let said = |case: &str| -> Value {
        let t = Layout::new(&format!("hosts-{case}"));
        let text = std::fs::read(common::root().join(format!("tests/validity/cases/{case}.json5")))
            .unwrap();
        write(t.path(), "home/.openclaw/openclaw.json", &text);
        let home = t.path().join("home").display().to_string();
        let args = [
            "check",
            "--home",
            &home,
            "--no-config",
            "--openclaw-version",
            "2026.9.6",
            "--format",
            "json",
        ];
        let (_, out, err) = clawlint(&args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };
    let report = said("mig-signal-cli-path-and-core");
    assert!(findings(&report, "CL701", "").is_empty(), "{report}");
    let repaired = findings(&report, "CL702", "channels.signal.cliPath");
    assert_eq!(repaired.len(), 1, "{report}");
    assert!(
        repaired[0].to_string().contains("moves channels.signal.cliPath to channels.signal.transport.cliPath, by the signal channel plugin's own doctor migration"),
        "{report}"
    );
    assert_eq!(
        findings(&report, "CL702", "resetOnExit").len(),
        1,
        "{report}"
    );

    let report = said("mig-signal-cli-path");
    let refused = findings(&report, "CL701", "channels.signal.cliPath");
    assert_eq!(refused.len(), 1, "{report}");
    let text = refused[0].to_string();
    assert!(text.contains("exit 1"), "{report}");
    assert!(!text.contains("status 78"), "{report}");
    assert!(
        text.contains("`openclaw doctor --fix` migrates this"),
        "{report}"
    );
}

/// A guide's template (`Environment=OPENCLAW_PROFILE=%i`, `--port %i`) enabled four times:
/// the env-only profile leaves every instance in ~/.openclaw, so they are one gateway with
/// four supervisors (CL402), and each supervisor is still judged with its own `%i`: CL403
/// and CL206 name its own profile at the template's line, `resolve` gives each its profile
/// and port, and `ports` lists the ports the others would take.
#[test]
fn each_template_instance_keeps_its_own_profile_and_port() {
    let name = "hosts-template-env-profile-port-instances";
    let report = check_fixture(name);
    assert_eq!(
        findings(&report, "CL402", "4 supervisors").len(),
        1,
        "{report}"
    );
    for port in ["18789", "18790", "18791", "18792"] {
        let unit = format!("openclaw@{port}.service sets OPENCLAW_PROFILE={port} ");
        assert_eq!(
            findings(&report, "CL403", &unit).len(),
            1,
            "{unit}: {report}"
        );
        let split = findings(&report, "CL206", &format!("OPENCLAW_PROFILE={port} "));
        assert_eq!(split.len(), 1, "{port}: {report}");
        let party = &split[0]["parties"][0];
        assert!(party["file"]
            .as_str()
            .unwrap()
            .ends_with("openclaw@.service"));
        assert_eq!(party["line"], 8, "the unit's Environment= line");
        let note = split[0]["notes"][0].as_str().unwrap();
        assert!(note.contains(&format!(
            "port {port}, service openclaw-gateway-{port}.service"
        )));
    }
    let run = |command: &str| {
        let mut args = vec![command.to_string()];
        args.extend(fixture_args(name));
        args.extend(["--format".to_string(), "json".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, stdout, stderr) = clawlint(&args);
        serde_json::from_str::<Value>(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
    };
    let resolved = run("resolve");
    let gateways = gateways(&resolved);
    assert_eq!(gateways.len(), 1, "{resolved}");
    let supervisors = gateways[0]["supervisors"].as_array().unwrap();
    let own: Vec<(String, String)> = supervisors
        .iter()
        .skip(1)
        .map(|s| (s["profile"].to_string(), s["port"].to_string()))
        .collect();
    let expected: Vec<(String, String)> = ["18790", "18791", "18792"]
        .iter()
        .map(|p| (format!("\"{p}\""), p.to_string()))
        .collect();
    assert_eq!(own, expected, "{resolved}");
    let ports = run("ports");
    let others: Vec<String> = ports["otherStarts"]
        .as_array()
        .unwrap_or_else(|| panic!("{ports}"))
        .iter()
        .map(|s| format!("{} {}", s["supervisor"].as_str().unwrap(), s["port"]))
        .collect();
    assert_eq!(
        others,
        [
            "openclaw@18790.service 18790",
            "openclaw@18791.service 18791",
            "openclaw@18792.service 18792"
        ]
    );
}

/// An SSH agent manager's template runs `exec "$(command -v openclaw)" gateway --port
/// "$OC_PORT"` with OC_PORT from the instance's env file: that is `openclaw` itself, so the
/// gateway is read (no CL409) and binds 18742, as the real gateway does, not the config's
/// 18789 it shares with the default gateway (no CL101).
#[test]
fn a_command_v_lookup_of_openclaw_is_read_as_openclaw() {
    let t = Layout::new("command-v");
    let b = t.path();
    let token = |t: &str| {
        format!(
            r#"{{ "gateway": {{ "mode": "local", "port": 18789, "auth": {{ "mode": "token", "token": "{t}" }} }} }}"#
        )
    };
    write(
        b,
        "home/.openclaw/openclaw.json",
        token("fake-a").as_bytes(),
    );
    write(
        b,
        "home/.openclaw-work/openclaw.json",
        token("fake-b").as_bytes(),
    );
    write(b, "home/.openclaw-work/instance.env", b"OC_PORT=18742\n");
    write(
        b,
        "home/.config/systemd/user/openclaw-gateway@.service",
        b"[Service]\nEnvironmentFile=-%h/.openclaw-%i/instance.env\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw-%i\nEnvironment=OPENCLAW_CONFIG_PATH=%h/.openclaw-%i/openclaw.json\nExecStart=/bin/sh -c 'exec \"$(command -v openclaw)\" gateway --port \"$OC_PORT\"'\nRestart=on-failure\nRestartPreventExitStatus=78\n\n[Install]\nWantedBy=default.target\n",
    );
    link(
        b,
        "home/.config/systemd/user/default.target.wants/openclaw-gateway@work.service",
        "../openclaw-gateway@.service",
    );
    let (_, report, _) = t.run("check");
    assert!(findings(&report, "CL409", "").is_empty(), "{report}");
    assert!(findings(&report, "CL101", "").is_empty(), "{report}");
    let resolved = t.json("resolve");
    let work = gateways(&resolved)
        .into_iter()
        .find(|g| g["name"] == "work")
        .unwrap_or_else(|| panic!("{resolved}"));
    assert_eq!(work["gatewayPort"]["value"], 18742, "{work}");
}
