//! `clawlint plan --add PROFILE`: the gateway OpenClaw would create for
//! `openclaw --profile PROFILE onboard` / `gateway install`, added to the discovered layout
//! and linted with the rest; a base port whose whole footprint is free, with the reasons
//! the lower ones are not; and the commands that create it. Read-only, like `check`.

use crate::catalog;

use crate::cli::{ModelFormat, PlanArgs};
use crate::commands::{
    failure, load, use_color, write_output, Failure, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE,
};
use crate::diagnostic::{Reported, Severity};
use crate::engine::{self, Settings};
use crate::load::env::EnvOrigin;
use crate::paths::{display_home_relative, display_path};
use crate::ports::allocate::{self, Suggestion};
use crate::ports::layout::{footprint, DEFAULT_GATEWAY_PORT, FOOTPRINT, MAX_BASE};
use crate::report;
use crate::report::visible::visible;
use crate::resolve::profile::is_valid_profile_name;
use crate::resolve::Inventory;
use crate::resolve::{resolve_instance, Discovery, Instance, Origin, PortKind, Sourced};
use crate::rules::RuleContext;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What `plan` found.
pub struct Plan {
    /// `None` for the default gateway (`--add default`).
    pub profile: Option<String>,
    /// The profile is already on the host: it was linted as it is.
    pub exists: bool,
    /// The planned (or existing) gateway in the inventory.
    pub index: usize,
    /// The port it was linted with came from `--port`.
    pub port_given: bool,
    /// Findings that involve it.
    pub findings: Vec<Reported>,
    /// Findings elsewhere in the layout (shown by `clawlint check`).
    pub others: usize,
    pub suggestion: Option<Suggestion>,
    /// The environment given with `--env`, for the commands.
    pub env: Vec<(String, String)>,
    /// `--port` or `--env` were given for a profile that exists, and not used.
    pub ignored_args: bool,
    /// A service unit or launchd job starts the existing gateway.
    pub has_service: bool,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Its base port meets another gateway's ports or ranges (or overflows): moving the
    /// base port is the fix. The hash-port and ignored-env findings are not about the place.
    pub fn port_trouble(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule().remedy == catalog::Remedy::MoveBasePort)
    }

    /// The base port the commands use: the one it has when that is clear (and not the hash
    /// port), else the suggestion. `None` when an existing gateway's port is fine, or when
    /// no port is free.
    pub fn port_to_use(&self, instance: &Instance) -> Option<u16> {
        let suggested = self.suggestion.as_ref().map(|s| s.port);
        if self.exists {
            // Moved when it collides; pinned where it is when only the hash port chose it.
            return match (self.port_trouble(), instance.port_kind) {
                (true, _) => suggested,
                (false, PortKind::ProfileHash) => Some(instance.port.value),
                (false, _) => None,
            };
        }
        let keeps = match self.port_given {
            // Unless it collides: then the free one.
            true => !(self.has_errors() && self.port_trouble()),
            // OpenClaw's own choice (18789, `--dev`'s 19001, an `--env` port) when it is
            // clear; never the undocumented hash port.
            false => instance.port_kind != PortKind::ProfileHash && !self.port_trouble(),
        };
        match keeps {
            true => Some(instance.port.value),
            false => suggested,
        }
    }
}

fn parse_env(raw: &[String]) -> Result<Vec<(String, String)>, Failure> {
    raw.iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !k.is_empty() && !k.contains(char::is_whitespace) => {
                Ok((k.to_string(), v.to_string()))
            }
            _ => Err(failure(
                EXIT_USAGE,
                format!("--env expects KEY=VALUE, got {item:?}"),
            )),
        })
        .collect()
}

/// `None` for `default` (any case): the gateway without a profile.
fn planned_profile(raw: &str) -> Result<Option<String>, Failure> {
    let name = raw.trim();
    if name.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    if !is_valid_profile_name(name) {
        return Err(failure(
            EXIT_USAGE,
            format!(
                "invalid profile name {raw:?}: OpenClaw accepts 1 to 64 letters, digits, \"_\" and \"-\", starting with a letter or digit"
            ),
        ));
    }
    Ok(Some(name.to_string()))
}

/// The home the profile would live in: the first `--home`, else `$HOME`.
fn plan_home(args: &crate::cli::InputArgs) -> Result<PathBuf, Failure> {
    let home = args
        .home
        .first()
        .cloned()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .ok_or_else(|| {
            failure(
                EXIT_USAGE,
                "plan needs the home the profile would live in: pass --home DIR",
            )
        })?;
    Ok(crate::paths::absolute(&home))
}

/// The state dir `openclaw [--profile P]` would use in `home`.
fn profile_dir(home: &Path, profile: Option<&str>) -> PathBuf {
    match profile {
        Some(p) => home.join(format!(".openclaw-{p}")),
        None => home.join(".openclaw"),
    }
}

/// The gateway already on the host for this profile: its dir found by the home scan, or a
/// gateway started with that profile (a unit, a manifest entry).
fn existing(instances: &[Instance], home: &Path, profile: Option<&str>) -> Option<usize> {
    let dir = profile_dir(home, profile);
    let legacy = home.join(".clawdbot");
    let scanned = instances.iter().position(|i| match &i.discovery {
        Discovery::HomeDir(d) => *d == dir || (profile.is_none() && *d == legacy),
        _ => false,
    });
    scanned.or_else(|| {
        let p = profile?;
        instances.iter().position(|i| {
            i.profile_flag.as_deref() == Some(p) || i.profile.as_ref().is_some_and(|x| x.value == p)
        })
    })
}

/// Adds the planned gateway (or finds the existing one), lints, and suggests a port.
pub fn plan(
    inventory: &mut Inventory,
    settings: &Settings,
    home: &Path,
    profile: Option<&str>,
    port: Option<u16>,
    env: &[(String, String)],
) -> Plan {
    let dir_exists = crate::paths::host::is_dir(&profile_dir(home, profile))
        || (profile.is_none() && crate::paths::host::is_dir(&home.join(".clawdbot")));
    let found = existing(&inventory.instances, home, profile);
    let exists = dir_exists || found.is_some();
    let index = match found {
        Some(index) => index,
        None => {
            let mut inv = crate::discover::home::invocation(home, profile);
            if !exists {
                inv.discovery = Discovery::Given;
                for (key, value) in env {
                    inv.env.set(key, value.clone(), EnvOrigin::Given);
                }
                inv.port_arg =
                    port.map(|p| Sourced::new(p, Origin::cli(format!("--port {p}"), None)));
            }
            if inventory.instances.iter().any(|i| i.name == inv.name) {
                inv.name = format!("{} (planned)", inv.name);
            }
            let instance = resolve_instance(&inv, &mut inventory.sources);
            inventory.instances.push(instance);
            inventory.instances.len() - 1
        }
    };
    let ctx = RuleContext::new(inventory);
    let name = inventory.instances[index].name.clone();
    let (findings, rest): (Vec<Reported>, Vec<Reported>) = engine::run(&ctx, settings)
        .into_iter()
        .partition(|r| r.finding.instances().contains(&name));
    Plan {
        profile: profile.map(str::to_string),
        exists,
        index,
        port_given: port.is_some() && !exists,
        findings,
        others: rest.len(),
        suggestion: allocate::suggest(&inventory.instances, &[index]),
        env: if exists { Vec::new() } else { env.to_vec() },
        ignored_args: exists && (port.is_some() || !env.is_empty()),
        has_service: inventory.instances[index].service.is_some(),
    }
}

/// A word for a shell: quoted when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,~".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', r"'\''")),
    }
}

/// The commands that create the gateway on `port` (or move an existing one there).
pub fn commands(plan: &Plan, port: u16) -> Vec<String> {
    let mut prefix: String = plan
        .env
        .iter()
        .map(|(k, v)| format!("{k}={} ", shell_word(v)))
        .collect();
    prefix.push_str("openclaw");
    if let Some(p) = &plan.profile {
        prefix.push_str(&format!(" --profile {}", shell_word(p)));
    }
    let mut out = Vec::new();
    if !plan.exists {
        out.push(format!("{prefix} onboard --gateway-port {port}"));
    }
    out.push(format!("{prefix} config set gateway.port {port}"));
    match (plan.exists, plan.has_service) {
        (false, _) => out.push(format!("{prefix} gateway install --port {port}")),
        (true, true) => out.push(format!("{prefix} gateway install --force --port {port}")),
        (true, false) => {}
    }
    out
}

fn describe_port(instance: &Instance) -> String {
    match instance.port_kind {
        PortKind::ProfileHash => format!(
            "{} (the profile's hash port: {}; nothing pins it)",
            instance.port.value,
            instance
                .port
                .origin
                .formula()
                .map(|f| f.text())
                .as_deref()
                .map(|f| f.trim_end_matches(" (no port pinned for a named profile)"))
                .unwrap_or("20000 + FNV-1a(profile) % 40000")
        ),
        _ => format!(
            "{} ({})",
            instance.port.value,
            instance.port.origin.summary()
        ),
    }
}

fn summary_rows(instance: &Instance) -> Vec<(&'static str, String)> {
    let home = &instance.home;
    let path = |p: &Path| display_home_relative(p, home);
    let config = match instance.config_exists {
        true => path(&instance.config_path.value),
        false => format!(
            "{} (not there yet: OpenClaw's defaults apply)",
            path(&instance.config_path.value)
        ),
    };
    let mut rows = vec![
        ("state dir", path(&instance.state_dir.value)),
        ("config", config),
        ("workspace", path(&instance.workspace.value)),
    ];
    if let Some(agent) = instance.agents.first() {
        rows.push(("agent dir", path(&agent.agent_dir.value)));
    }
    rows.push(("log file", path(&instance.log_file.value)));
    let s = instance.service_names();
    rows.push((
        "service",
        format!(
            "{} / {} / {}",
            s.systemd_unit, s.launchd_label, s.windows_task
        ),
    ));
    rows.push(("port", describe_port(instance)));
    let mut listeners: Vec<_> = instance.listeners.iter().collect();
    listeners.sort_by_key(|l| (l.port, l.kind));
    let listed: Vec<String> = listeners
        .iter()
        .map(|l| format!("{} {}", l.port, l.describe()))
        .collect();
    rows.push(("listeners", listed.join(&format!("\n{:14}", ""))));
    let own = footprint(instance.port.value);
    let cdp = match instance.browser.as_ref().filter(|b| b.enabled) {
        Some(b) => format!(", CDP range {}..{}", b.cdp_range.start, b.cdp_range.end),
        None => String::new(),
    };
    rows.push(("footprint", format!("{}{cdp}", own.text())));
    rows
}

fn started_as(plan: &Plan) -> String {
    match &plan.profile {
        Some(p) => format!("openclaw --profile {p}"),
        None => "openclaw".to_string(),
    }
}

/// The gateways (other than `except`) whose ports clawlint cannot know (CL409): a native one
/// whose port is unverifiable, a container with a `ports:` entry left out. A suggested port
/// is clear of what is known; these are not avoided, and output says so.
fn unverifiable_ports(instances: &[Instance], except: Option<usize>) -> Vec<&str> {
    instances
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != except)
        .map(|(_, inst)| inst)
        .filter(|inst| {
            let left_out = (inst.container.as_deref())
                .and_then(|c| c.unseen_values.as_deref())
                .is_some_and(|v| v.entries.iter().any(|e| e.key == "ports"));
            left_out || (inst.listens_on_host() && !inst.knows(crate::resolve::Unverifiable::Port))
        })
        .map(|inst| inst.name.as_str())
        .collect()
}

/// `  Not avoided: the ports of "a" and "b" cannot be verified (CL409).`, or nothing.
fn write_unverifiable(out: &mut String, names: &[&str]) {
    if names.is_empty() {
        return;
    }
    // A name from the layout (a template instance's) shown escaped, as `check` shows it.
    let quoted: Vec<String> = names
        .iter()
        .map(|n| format!("\"{}\"", visible(n)))
        .collect();
    let _ = writeln!(
        out,
        "  Not avoided: the ports of {} cannot be verified (CL409).",
        crate::diagnostic::listed(quoted.iter().map(String::as_str))
    );
}

pub fn render_human(plan: &Plan, inventory: &Inventory, color: bool) -> String {
    let instance = &inventory.instances[plan.index];
    let home = display_path(&instance.home);
    let name = visible(&instance.name);
    let mut out = String::new();
    if plan.exists {
        let _ = writeln!(
            out,
            "Gateway \"{name}\" already exists in {home}: linting the layout as it is.",
        );
        if plan.ignored_args {
            let _ = writeln!(
                out,
                "(--port and --env apply to a new profile only: not used.)"
            );
        }
    } else {
        let _ = writeln!(
            out,
            "Plan: add gateway \"{name}\" to {home}, as `{} onboard` would create it.",
            started_as(plan)
        );
    }
    out.push('\n');
    for (key, value) in summary_rows(instance) {
        // Paths and listeners the layout made: escaped, each line of a row on its own.
        let value: Vec<_> = value.split('\n').map(visible).collect();
        let _ = writeln!(out, "  {key:<10}  {}", value.join("\n"));
    }
    out.push('\n');

    let at = format!("port {}", instance.port.value);
    if plan.findings.is_empty() {
        let _ = writeln!(out, "Nothing collides with it on {at}.\n");
    } else {
        let _ = writeln!(out, "What the rules report for it on {at}:\n");
        let options = report::human::HumanOptions {
            color,
            width: report::human::DEFAULT_WIDTH,
        };
        out.push_str(&report::human::render(
            &plan.findings,
            &inventory.sources,
            inventory.instances.len(),
            &options,
        ));
        out.push('\n');
    }
    if plan.others > 0 {
        let _ = writeln!(
            out,
            "({} in the rest of the layout do not involve \"{name}\"; `clawlint check` shows them.)\n",
            match plan.others {
                1 => "1 finding".to_string(),
                n => format!("{n} findings"),
            },
        );
    }

    let to_use = plan.port_to_use(instance);
    let show_suggestion = match to_use {
        Some(port) => port != instance.port.value,
        None => !plan.exists,
    };
    match &plan.suggestion {
        Some(s) if show_suggestion => {
            let _ = writeln!(out, "Suggested base port: {}", s.port);
            let _ = writeln!(out, "  {}.", visible(&allocate::explain(s)));
            let _ = writeln!(
                out,
                "  Its footprint {}..{} is clear of every other gateway's ranges and listeners.",
                s.port,
                u32::from(s.port) + FOOTPRINT - 1
            );
            write_unverifiable(
                &mut out,
                &unverifiable_ports(&inventory.instances, Some(plan.index)),
            );
            if instance.port_kind == PortKind::ProfileHash {
                let _ = writeln!(
                    out,
                    "  Nothing pins its port, so it gets the profile's hash port {}, which OpenClaw's docs never mention: pin one.",
                    instance.port.value
                );
            }
            out.push('\n');
        }
        None if to_use.is_none() && !plan.exists => {
            let _ = writeln!(
                out,
                "No base port from {DEFAULT_GATEWAY_PORT} to {MAX_BASE} has a free footprint of {FOOTPRINT} ports.\n"
            );
        }
        _ => {}
    }
    match to_use {
        Some(port) => {
            let what = match (plan.exists, port == instance.port.value) {
                (false, _) => format!("To create it on port {port}:"),
                (true, true) => format!("To pin it on port {port}, where it runs now:"),
                (true, false) => format!("To move it to port {port}:"),
            };
            let _ = writeln!(out, "{what}");
            for command in commands(plan, port) {
                let _ = writeln!(out, "  {command}");
            }
        }
        None if plan.exists => {
            let _ = writeln!(out, "Its port needs no change.");
        }
        None => {}
    }
    out
}

fn instance_json(instance: &Instance) -> Value {
    let home = &instance.home;
    let path = |p: &Path| display_home_relative(p, home);
    let listeners: Vec<Value> = instance
        .listeners
        .iter()
        .map(|l| json!({"port": l.port, "kind": l.kind.id(), "detail": l.detail}))
        .collect();
    let own = footprint(instance.port.value);
    let names = instance.service_names();
    json!({
        "name": instance.name,
        "profile": instance.profile.as_ref().map(|p| p.value.clone()),
        "stateDir": path(&instance.state_dir.value),
        "configPath": path(&instance.config_path.value),
        "configExists": instance.config_exists,
        "workspace": path(&instance.workspace.value),
        "agentDir": instance.agents.first().map(|a| path(&a.agent_dir.value)),
        "logFile": path(&instance.log_file.value),
        "service": {
            "systemdUnit": names.systemd_unit,
            "launchdLabel": names.launchd_label,
            "windowsTask": names.windows_task,
        },
        "gatewayPort": {
            "value": instance.port.value,
            "kind": instance.port_kind.id(),
            "source": instance.port.origin.summary(),
        },
        "footprint": [own.start, own.end],
        "cdpRange": instance.browser.as_ref().filter(|b| b.enabled).map(|b| json!([b.cdp_range.start, b.cdp_range.end])),
        "listeners": listeners,
    })
}

pub fn render_json(plan: &Plan, inventory: &Inventory) -> String {
    let instance = &inventory.instances[plan.index];
    let findings: Value = serde_json::from_str(&report::json::render(
        &plan.findings,
        &inventory.sources,
        inventory.instances.len(),
    ))
    .expect("the JSON report parses");
    let port = plan.port_to_use(instance);
    let ruled_out: Vec<Value> = plan
        .suggestion
        .iter()
        .flat_map(|s| &s.ruled_out)
        .map(|b| json!({"ports": [b.ports.start, b.ports.end], "gateway": b.gateway, "what": b.what}))
        .collect();
    let value = json!({
        "version": report::json::SCHEMA_VERSION,
        "profile": plan.profile,
        "exists": plan.exists,
        "instance": instance_json(instance),
        "suggestedPort": plan.suggestion.as_ref().map(|s| s.port),
        "ruledOut": ruled_out,
        "unverifiablePorts": unverifiable_ports(&inventory.instances, Some(plan.index)),
        "port": port,
        "commands": port.map(|p| commands(plan, p)).unwrap_or_default(),
        "findings": findings["findings"],
        "otherFindings": plan.others,
        "summary": findings["summary"],
    });
    // Names from the layout may hold bidirectional controls: written as JSON escapes, as
    // `ports --format json` writes them.
    let mut out = Vec::new();
    let formatter = report::visible::GuardedJson(serde_json::ser::PrettyFormatter::new());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&value, &mut serializer).expect("serializable");
    out.push(b'\n');
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// `plan --add NAME --container`: where a new compose stack or quadlet should publish.
fn container_plan(args: &PlanArgs) -> Result<u8, Failure> {
    let (inventory, _, _) = load(&args.input)?;
    let port = match args.port {
        Some(port) => Some(port),
        None => allocate::suggest_published(&inventory.instances, 2).map(|s| s.port),
    };
    let Some(port) = port else {
        return Err(failure(
            EXIT_USAGE,
            "no two free host ports are left above 18789",
        ));
    };
    let bridge = port.checked_add(1);
    let text = match args.format {
        ModelFormat::Json => {
            let mut text = serde_json::to_string_pretty(&json!({
                "version": crate::report::json::SCHEMA_VERSION,
                "container": args.profile,
                "hostPort": port,
                "bridgeHostPort": bridge,
                "compose": {
                    "ports": [format!("127.0.0.1:{port}:18789")],
                    "env": {"OPENCLAW_GATEWAY_PORT": port, "OPENCLAW_BRIDGE_PORT": bridge},
                },
                "quadlet": [format!("PublishPort=127.0.0.1:{port}:18789")],
                "unverifiablePorts": unverifiable_ports(&inventory.instances, None),
            }))
            .expect("serializable");
            text.push('\n');
            text
        }
        ModelFormat::Human => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "Container gateway \"{}\": publish its gateway port 18789 on host port {port}{}.",
                args.profile,
                if args.port.is_some() {
                    " (as given)"
                } else {
                    ", the first free one from 18789 up that no gateway binds, reserves or publishes"
                }
            );
            write_unverifiable(&mut out, &unverifiable_ports(&inventory.instances, None));
            let _ = writeln!(
                out,
                "\n  compose (official docker-compose.yml): in the stack's .env"
            );
            let _ = writeln!(out, "    OPENCLAW_GATEWAY_PORT={port}");
            if let Some(bridge) = bridge {
                let _ = writeln!(out, "    OPENCLAW_BRIDGE_PORT={bridge}");
            }
            let _ = writeln!(out, "  or under ports:\n    - \"127.0.0.1:{port}:18789\"");
            let _ = writeln!(
                out,
                "  Podman quadlet:\n    PublishPort=127.0.0.1:{port}:18789"
            );
            let _ = writeln!(
                out,
                "\nInside the container the gateway keeps 18789; only the published port has to be unique on the host."
            );
            out
        }
    };
    write_output(None, &text)?;
    // A port that was given and is taken: say so through the exit code as check would.
    let taken = args
        .port
        .is_some_and(|p| allocate::is_taken(&inventory.instances, p));
    Ok(if taken { EXIT_FINDINGS } else { EXIT_OK })
}

pub fn command(args: &PlanArgs, color: crate::cli::ColorChoice) -> Result<u8, Failure> {
    if args.container {
        return container_plan(args);
    }
    let profile = planned_profile(&args.profile)?;
    let env = parse_env(&args.env)?;
    let home = plan_home(&args.input)?;
    let (mut inventory, loaded, file) = load(&args.input)?;
    let settings = crate::commands::file_settings(loaded.as_ref(), file);
    let plan = plan(
        &mut inventory,
        &settings,
        &home,
        profile.as_deref(),
        args.port,
        &env,
    );
    let text = match args.format {
        ModelFormat::Json => render_json(&plan, &inventory),
        ModelFormat::Human => {
            let color = use_color(color, std::io::stdout().is_terminal());
            render_human(&plan, &inventory, color)
        }
    };
    write_output(None, &text)?;
    Ok(if plan.has_errors() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
