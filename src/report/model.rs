//! `clawlint resolve`: the effective model of every gateway, with the source of each value,
//! as text for people and as stable JSON.

use super::{position, showable};
use crate::container::{Container, HostAddr, MountSource, ProfileState};
use crate::load::env::EnvOrigin;
use crate::paths::display_home_relative;
use crate::resolve::verdict::Start;
use crate::resolve::{Discovery, Instance, Origin, SecretIdentity, ServiceFile, Sourced};
use crate::source::{Loc, SourceMap};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn at(sources: &SourceMap, loc: Loc) -> String {
    let p = position(sources, loc);
    format!("{}:{}:{}", p.file, p.line, p.column)
}

fn set_by_text(set_by: &EnvOrigin, sources: &SourceMap) -> String {
    match set_by {
        EnvOrigin::Given => "from the environment".to_string(),
        EnvOrigin::ProfileFlag { flag } => format!("set by {flag}"),
        EnvOrigin::DotEnv(loc) => format!("set in {}", at(sources, *loc)),
        EnvOrigin::ConfigEnv(loc) => format!("set in env.vars at {}", at(sources, *loc)),
        EnvOrigin::Service(loc) => format!("set by the unit at {}", at(sources, *loc)),
        EnvOrigin::Container(loc) => format!("set by the container at {}", at(sources, *loc)),
    }
}

/// Where a value came from, in words with file positions.
pub fn describe(origin: &Origin, sources: &SourceMap) -> String {
    match origin {
        Origin::Config(loc) => at(sources, *loc),
        Origin::Env { var, set_by } => format!("{var} {}", set_by_text(set_by, sources)),
        Origin::Substituted { loc, var, set_by } => {
            format!(
                "{} via ${{{var}}}, {var} {}",
                at(sources, *loc),
                set_by_text(set_by, sources)
            )
        }
        Origin::Cli { arg, loc } => match loc {
            Some(loc) => format!("argument {arg} at {}", at(sources, *loc)),
            None => format!("argument {arg}"),
        },
        Origin::Default(reason) => reason.clone(),
        Origin::Layout { what, loc } => match loc {
            Some(loc) => format!("{what} at {}", at(sources, *loc)),
            None => what.clone(),
        },
        Origin::Derived { base, formula } => format!("{formula}; {}", describe(base, sources)),
        Origin::Mounted {
            base,
            container_path,
            mount,
        } => format!(
            "mounted at {} by {}; in the container: {}",
            container_path.display(),
            at(sources, *mount),
            describe(base, sources)
        ),
    }
}

fn set_by_json(set_by: &EnvOrigin, sources: &SourceMap) -> Value {
    let located = |kind: &str, loc: &Loc| {
        let mut v = serde_json::to_value(position(sources, *loc)).expect("serializable");
        v["kind"] = json!(kind);
        v
    };
    match set_by {
        EnvOrigin::Given => json!({"kind": "environment"}),
        EnvOrigin::ProfileFlag { flag } => json!({"kind": "profile-flag", "flag": flag}),
        EnvOrigin::DotEnv(loc) => located("dotenv", loc),
        EnvOrigin::ConfigEnv(loc) => located("config-env", loc),
        EnvOrigin::Service(loc) => located("service", loc),
        EnvOrigin::Container(loc) => located("container", loc),
    }
}

pub fn origin_json(origin: &Origin, sources: &SourceMap) -> Value {
    let with_position = |mut v: Value, loc: Option<Loc>| {
        if let Some(loc) = showable(sources, loc) {
            let p = serde_json::to_value(position(sources, loc)).expect("serializable");
            for (k, val) in p.as_object().expect("object") {
                v[k] = val.clone();
            }
            let chain: Vec<String> = sources
                .include_chain(loc.file)
                .into_iter()
                .map(|l| at(sources, l))
                .collect();
            if !chain.is_empty() {
                v["includedFrom"] = json!(chain);
            }
        }
        v
    };
    match origin {
        Origin::Config(loc) => with_position(json!({"kind": "config"}), Some(*loc)),
        Origin::Env { var, set_by } => {
            json!({"kind": "env", "var": var, "setBy": set_by_json(set_by, sources)})
        }
        Origin::Substituted { loc, var, set_by } => with_position(
            json!({"kind": "substituted", "var": var, "setBy": set_by_json(set_by, sources)}),
            Some(*loc),
        ),
        Origin::Cli { arg, loc } => with_position(json!({"kind": "argument", "arg": arg}), *loc),
        Origin::Default(reason) => json!({"kind": "default", "reason": reason}),
        Origin::Layout { what, loc } => {
            with_position(json!({"kind": "layout", "what": what}), *loc)
        }
        Origin::Mounted {
            base,
            container_path,
            mount,
        } => with_position(
            json!({
                "kind": "mounted",
                "containerPath": container_path.display().to_string(),
                "inContainer": origin_json(base, sources),
            }),
            Some(*mount),
        ),
        Origin::Derived { base, formula } => {
            json!({"kind": "derived", "formula": formula, "from": origin_json(base, sources)})
        }
    }
}

fn path_text(path: &Path, home: &Path) -> String {
    display_home_relative(path, home)
}

/// The longest text `resolve` shows as one value (PATH_MAX: no path, name, host or port is
/// longer). A longer one is built by `${VAR}` substitution (up to its 32 MiB budget) or read
/// whole from a file; it is not known to be safe to show, so only its length is shown, and
/// `resolve`'s output stays bounded by the layout's size.
pub const MAX_SHOWN_BYTES: usize = 4096;

/// `text`, or `<N characters, not shown>` when it is longer than [`MAX_SHOWN_BYTES`].
pub fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_SHOWN_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(format!("<{} characters, not shown>", text.chars().count()))
}

/// Every string in `value` through [`bounded`].
fn bound_strings(value: &mut Value) {
    match value {
        Value::String(s) if s.len() > MAX_SHOWN_BYTES => *s = bounded(s).into_owned(),
        Value::Array(items) => items.iter_mut().for_each(bound_strings),
        Value::Object(members) => members.values_mut().for_each(bound_strings),
        _ => {}
    }
}

/// A path the layout's values made (the config path, the state dir, a workspace, an agent
/// dir, the log file: `${VAR}` substitution and `.env` files can build any of them): shown
/// only when it has a path's shape (`redact::shown`: at most 4,096 bytes, no `://` or `=`,
/// no token-like word), else as its length, like every value clawlint is not sure of.
fn value_path_text(value: &Sourced<PathBuf>, home: &Path) -> String {
    crate::redact::shown(crate::redact::Kind::Path, &path_text(&value.value, home))
}

fn sourced_path_json(value: &Sourced<PathBuf>, home: &Path, sources: &SourceMap) -> Value {
    json!({"value": value_path_text(value, home), "source": origin_json(&value.origin, sources)})
}

fn discovery_json(discovery: &Discovery, home: &Path) -> Value {
    match discovery {
        Discovery::HomeDir(dir) => json!({"kind": "home-dir", "path": path_text(dir, home)}),
        Discovery::ConfigArg(file) => {
            json!({"kind": "config-argument", "path": file.display().to_string()})
        }
        Discovery::Given => json!({"kind": "given"}),
        Discovery::Service(file) => json!({"kind": "service", "path": path_text(file, home)}),
        Discovery::Container(file) => json!({"kind": "container", "path": path_text(file, home)}),
    }
}

fn secret_json(identity: &SecretIdentity) -> Value {
    match identity {
        SecretIdentity::Known { fingerprint, hint } => {
            json!({"resolved": true, "fingerprint": fingerprint, "hint": hint})
        }
        SecretIdentity::Unresolved { reference, reason } => {
            json!({"resolved": false, "reference": reference, "reason": reason})
        }
    }
}

pub fn instance_json(inst: &Instance, sources: &SourceMap) -> Value {
    // `~` is always the scanned home; an `OPENCLAW_HOME` shows as `effectiveHome`.
    let home = &inst.os_home;
    let listeners: Vec<Value> = inst
        .listeners
        .iter()
        .map(|l| json!({"port": l.port, "kind": l.kind.id(), "detail": l.detail, "source": origin_json(&l.origin, sources)}))
        .collect();
    let browser = inst.browser.as_ref().map(|b| {
        let profiles: Vec<Value> = b
            .profiles
            .iter()
            .map(|p| json!({"name": p.name, "driver": p.driver, "cdpPort": p.cdp_port, "cdpUrl": p.cdp_url,
                "attachOnly": p.attach_only, "localManaged": p.is_local_managed(), "source": origin_json(&p.origin, sources)}))
            .collect();
        json!({"enabled": b.enabled, "controlPort": b.control_port, "cdpRange": [b.cdp_range.start, b.cdp_range.end],
            "profiles": profiles, "error": b.error.as_ref().map(ToString::to_string)})
    });
    let credentials: Vec<Value> = inst
        .credentials
        .iter()
        .map(|c| {
            json!({"channel": c.channel, "account": c.account, "kind": c.kind,
            "secret": secret_json(&c.secret), "source": origin_json(&c.origin, sources)})
        })
        .collect();
    let agents: Vec<Value> = inst
        .agents
        .iter()
        .map(|a| {
            json!({"id": a.id, "workspace": sourced_path_json(&a.workspace, home, sources),
            "agentDir": sourced_path_json(&a.agent_dir, home, sources)})
        })
        .collect();
    let problems: Vec<Value> = inst
        .problems
        .iter()
        .map(|p| {
            let mut v = json!({"message": p.message});
            if let Some(loc) = showable(sources, p.loc) {
                v["location"] = json!(at(sources, loc));
            }
            v
        })
        .collect();
    let mut out = json!({
        "name": inst.name,
        "discoveredBy": discovery_json(&inst.discovery, home),
        "effectiveHome": path_text(&inst.home, home),
        "starts": inst.starts(),
        "refusal": inst.refusal,
        "start": start_json(inst, sources),
        "profile": inst.profile.as_ref().map(|p| json!({"value": p.value, "source": origin_json(&p.origin, sources)})),
        "configPath": sourced_path_json(&inst.config_path, home, sources),
        "configExists": inst.config_exists,
        "release": release_json(inst, sources),
        "stateDir": sourced_path_json(&inst.state_dir, home, sources),
        "workspace": sourced_path_json(&inst.workspace, home, sources),
        "agents": agents,
        "lockDir": path_text(&inst.lock_dir, home),
        "logFile": sourced_path_json(&inst.log_file, home, sources),
        "supervisors": inst.service.iter().chain(&inst.other_services).map(|svc| json!({
            "kind": svc.kind,
            "name": svc.name,
            "path": path_text(&svc.path, home),
            "port": svc.port.as_ref().map(|p| p.value),
            "instance": svc.how.instance.as_ref().map(|(name, link)| json!({
                "name": name, "enabledBy": path_text(link, home)})),
            "dropIns": svc.how.drop_ins.iter().map(|d| path_text(d, home)).collect::<Vec<_>>(),
            "wrappers": svc.how.wrappers,
            "startsInstalledService": svc.how.starts_installed_service,
            "unseen": svc.how.unseen,
        })).collect::<Vec<_>>(),
        "service": {"systemdUnit": inst.service_names.systemd_unit, "launchdLabel": inst.service_names.launchd_label,
            "windowsTask": inst.service_names.windows_task},
        "gatewayPort": {"value": inst.port.value, "kind": inst.port_kind.id(),
            "openclawPortSource": inst.port_kind.openclaw_port_source(), "source": origin_json(&inst.port.origin, sources)},
        "listeners": listeners,
        "browser": browser,
        "credentials": credentials,
        "problems": problems,
    });
    // Only container gateways have the key, so native gateways' JSON is unchanged.
    if let Some(c) = &inst.container {
        out["container"] = container_json(inst, c, sources);
    }
    // Only units started because another unit pulls them in have this key.
    for (i, svc) in inst.service.iter().chain(&inst.other_services).enumerate() {
        if let Some(by) = &svc.how.pulled_in_by {
            out["supervisors"][i]["pulledInBy"] = json!(path_text(by, home));
        }
    }
    // Only gateways started through something clawlint cannot read have these keys.
    if let Some(why) = inst.service.as_ref().and_then(|s| s.how.opaque.as_ref()) {
        out["supervisors"][0]["opaque"] = json!(why);
    }
    if !inst.unverifiable.is_empty() {
        out["unverifiable"] = json!(inst.unverifiable.iter().map(|u| u.id()).collect::<Vec<_>>());
    }
    bound_strings(&mut out);
    out
}

/// The start verdict: starts, starts after repairing its file, or refuses; and each
/// offending config value with what the start does about it.
fn start_json(inst: &Instance, sources: &SourceMap) -> Value {
    let values: Vec<Value> = inst
        .start
        .values
        .iter()
        .map(|v| {
            let mut j = match &v.outcome {
                crate::validate::StartOutcome::Repair { what } => {
                    json!({"path": v.path, "repair": what})
                }
                crate::validate::StartOutcome::Refuse { .. } => {
                    json!({"path": v.path, "refused": v.problem()})
                }
            };
            if let Some(loc) = showable(sources, Some(v.loc)) {
                j["location"] = json!(at(sources, loc));
            }
            j
        })
        .collect();
    json!({"verdict": inst.start.start.id(), "values": values})
}

/// The OpenClaw release that runs the gateway, where that came from, and what its schema says
/// of the config.
fn release_json(inst: &Instance, sources: &SourceMap) -> Value {
    let release = inst
        .validity
        .as_ref()
        .and_then(|v| v.release.as_ref())
        .or(inst.release.as_ref());
    let validity = inst.validity.as_ref().map(|v| {
        json!({
            "checkedAgainst": v.checked_against,
            "valid": v.verdict.valid(),
            "issues": v.verdict.issues.len() + v.verdict.later.len(),
        })
    });
    json!({
        "value": release.map(|r| r.value.clone()),
        "source": release.map(|r| origin_json(&r.origin, sources)),
        "config": validity,
    })
}

/// The release row of `resolve`: the release and its source, or how clawlint chose a schema.
fn release_row(inst: &Instance) -> (String, String) {
    let release = inst
        .validity
        .as_ref()
        .and_then(|v| v.release.as_ref())
        .or(inst.release.as_ref());
    let checked = inst.validity.as_ref().map(|v| {
        let verdict = match (v.verdict.valid(), inst.start.start) {
            (true, _) => "config valid".to_string(),
            (false, Start::StartsAfterRepair) => "config repaired at start".to_string(),
            (false, Start::Starts) => "config invalid, gateway starts".to_string(),
            (false, Start::Refuses) => "config refused".to_string(),
        };
        format!("{verdict} (schema {})", v.checked_against)
    });
    match release {
        Some(r) => (
            format!(
                "OpenClaw {}{}",
                r.value,
                checked.map(|c| format!(", {c}")).unwrap_or_default()
            ),
            r.origin.summary(),
        ),
        None => (
            format!(
                "unknown{}",
                checked.map(|c| format!(", {c}")).unwrap_or_default()
            ),
            "nothing in the layout says; checked against the newest known release".to_string(),
        ),
    }
}

/// `resolve --format json`, written one gateway at a time: each gateway's object is made,
/// pretty-printed, guarded (`visible::guard_json`) and written before the next one is made,
/// so no tree or string of every gateway is built. The bytes are those of [`render_json`]
/// guarded as a whole (keys sorted: `instances`, then `version`).
pub fn write_json(
    out: &mut dyn std::io::Write,
    instances: &[Instance],
    sources: &SourceMap,
) -> std::io::Result<()> {
    use super::visible::guard_json;
    if instances.is_empty() {
        out.write_all(b"{\n  \"instances\": [],\n")?;
    } else {
        out.write_all(b"{\n  \"instances\": [")?;
        // One buffer for every gateway: each object is printed straight into it at its depth
        // in the document (no second copy to indent it, no new buffer per gateway).
        let mut chunk: Vec<u8> = Vec::new();
        for (n, inst) in instances.iter().enumerate() {
            chunk.clear();
            chunk.extend_from_slice(if n == 0 { b"\n    " } else { b",\n    " });
            let mut ser = serde_json::Serializer::with_formatter(&mut chunk, Indented::at(2));
            serde::Serialize::serialize(&instance_json(inst, sources), &mut ser)
                .expect("serializable");
            let text = std::str::from_utf8(&chunk).expect("JSON is UTF-8");
            out.write_all(guard_json(text).as_bytes())?;
        }
        out.write_all(b"\n  ],\n")?;
    }
    writeln!(out, "  \"version\": {}\n}}", super::json::SCHEMA_VERSION)
}

/// serde_json's pretty format (two spaces a level) for a value that sits `level` levels deep
/// in a pretty-printed document: the bytes `to_string_pretty` gives the whole document.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn at(level: usize) -> Self {
        Indented {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            out.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `resolve` as a table, written one gateway at a time, each guarded
/// (`visible::guard_lines`, which works line by line, so the bytes are those of the whole
/// text guarded at once).
pub fn write_human(
    out: &mut dyn std::io::Write,
    instances: &[Instance],
    sources: &SourceMap,
) -> std::io::Result<()> {
    use super::visible::guard_lines;
    let mut text = String::new();
    for inst in instances {
        text.clear();
        render_instance(&mut text, inst, sources);
        text.push('\n');
        out.write_all(guard_lines(&text).as_bytes())?;
    }
    writeln!(out, "{} gateway(s) resolved", instances.len())
}

pub fn render_json(instances: &[Instance], sources: &SourceMap) -> String {
    let value = json!({
        "version": super::json::SCHEMA_VERSION,
        "instances": instances.iter().map(|i| instance_json(i, sources)).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value).expect("serializable");
    text.push('\n');
    text
}

fn row(out: &mut String, key: &str, value: &str, source: &str) {
    let _ = writeln!(out, "  {:<12} {}", bounded(key), bounded(value));
    if !source.is_empty() {
        let _ = writeln!(out, "  {:<12}   ← {}", "", bounded(source));
    }
}

pub fn render_human(instances: &[Instance], sources: &SourceMap) -> String {
    let mut out = String::new();
    for inst in instances {
        render_instance(&mut out, inst, sources);
        out.push('\n');
    }
    let _ = writeln!(out, "{} gateway(s) resolved", instances.len());
    out
}

fn render_container(out: &mut String, inst: &Instance, c: &Container, sources: &SourceMap) {
    row(
        out,
        "container",
        &format!(
            "{}{}",
            c.name,
            c.image
                .as_deref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default()
        ),
        &at(sources, c.loc),
    );
    row(out, "network", &c.network.describe(), "");
    if let Some(p) = &c.profiles {
        let state = match &p.state {
            ProfileState::Enabled(by) => format!("enabled: {by}"),
            ProfileState::NotEnabled(why) => format!("not started: {why}"),
            ProfileState::Unverifiable(why) => format!("unverifiable: {why}"),
        };
        row(
            out,
            "profiles",
            &format!("{} ({state})", p.list()),
            &at(sources, p.loc),
        );
    }
    for (i, p) in c.published.iter().enumerate() {
        row(
            out,
            if i == 0 { "published" } else { "" },
            &format!(
                "{}:{} -> container {}/{}",
                match &p.host_addr {
                    HostAddr::Any => "0.0.0.0".to_string(),
                    HostAddr::Ip(ip) => ip.clone(),
                },
                p.host_port,
                p.container_port,
                p.protocol
            ),
            &at(sources, p.loc),
        );
    }
    for (i, l) in inst.container_listeners.iter().enumerate() {
        let how = l
            .origin
            .formula()
            .map(|f| format!(" = {f}"))
            .unwrap_or_default();
        row(
            out,
            if i == 0 { "in container" } else { "" },
            &format!("{:>5}  {}{how}", l.port, l.describe()),
            "",
        );
    }
}

fn container_json(inst: &Instance, c: &Container, sources: &SourceMap) -> Value {
    let mut value = container_fields(inst, c, sources);
    // Only services with `profiles:` have the key.
    if let Some(p) = &c.profiles {
        value["profiles"] = json!({
            "names": p.names,
            "active": matches!(p.state, ProfileState::Enabled(_)),
            "state": p.state.id(),
            "why": p.state.why(),
            "location": at(sources, p.loc),
        });
    }
    // Only a container that several command lines start with different values (CL410).
    if let (Some((by, loc)), false) = (&c.run, c.other_runs.is_empty()) {
        value["startedBy"] = json!({ "by": by, "location": at(sources, *loc) });
        value["otherRuns"] = c
            .other_runs
            .iter()
            .map(|r| json!({ "by": r.by, "location": at(sources, r.loc), "differs": r.differs }))
            .collect();
    }
    value
}

fn container_fields(inst: &Instance, c: &Container, sources: &SourceMap) -> Value {
    let home = &inst.home;
    json!({
        "engine": c.engine.id(),
        "name": c.name,
        "service": c.service,
        "file": path_text(&c.file, home),
        "location": at(sources, c.loc),
        "image": c.image,
        "network": c.network.id(),
        "published": c.published.iter().map(|p| json!({
            "hostAddress": match &p.host_addr { HostAddr::Any => None, HostAddr::Ip(ip) => Some(ip.clone()) },
            "hostPort": p.host_port,
            "containerPort": p.container_port,
            "protocol": p.protocol,
            "location": at(sources, p.loc),
        })).collect::<Vec<_>>(),
        "mounts": c.mounts.iter().map(|m| json!({
            "kind": match &m.source { MountSource::Bind(_) => "bind", MountSource::Volume(_) => "volume", MountSource::Private => "private" },
            "source": match &m.source { MountSource::Bind(p) => Some(path_text(p, home)), MountSource::Volume(v) => Some(v.clone()), MountSource::Private => None },
            "target": m.target.display().to_string(),
            "readOnly": m.read_only,
            "location": at(sources, m.loc),
        })).collect::<Vec<_>>(),
        "listenersInContainer": inst.container_listeners.iter()
            .map(|l| json!({"port": l.port, "kind": l.kind.id(), "detail": l.detail}))
            .collect::<Vec<_>>(),
    })
}

/// How clawlint knows a supervisor starts this gateway, and what it could not see.
fn render_evidence(out: &mut String, service: &ServiceFile, home: &Path) {
    let how = &service.how;
    if let Some((name, link)) = &how.instance {
        row(
            out,
            "instance",
            &format!("{name} (enabled by {})", path_text(link, home)),
            "",
        );
    }
    if let Some(by) = &how.pulled_in_by {
        row(
            out,
            "started by",
            &format!("{} (its Wants=/Requires=)", path_text(by, home)),
            "",
        );
    }
    for drop_in in &how.drop_ins {
        row(out, "drop-in", &path_text(drop_in, home), "");
    }
    if !how.wrappers.is_empty() {
        row(out, "wrappers", &how.wrappers.join(" → "), "");
    }
    if how.starts_installed_service {
        row(
            out,
            "runs",
            "`gateway start`: it starts the gateway's installed service",
            "",
        );
    }
    for unseen in &how.unseen {
        row(out, "unseen", unseen, "");
    }
}

fn render_instance(out: &mut String, inst: &Instance, sources: &SourceMap) {
    let home = &inst.os_home;
    let d = |o: &Origin| describe(o, sources);
    let started = match &inst.profile_flag {
        Some(p) => format!("openclaw --profile {p} gateway"),
        None => "openclaw gateway".to_string(),
    };
    let how = match (&inst.service, &inst.container) {
        (_, Some(c)) => format!(
            "{} {} in {}",
            c.engine.id(),
            c.service,
            path_text(&c.file, home)
        ),
        (Some(service), None) => format!("started by {} ({})", service.name, service.kind),
        (None, None) => format!("started as `{started}`"),
    };
    let _ = writeln!(out, "gateway \"{}\" ({how})", inst.name);
    if let Some(service) = &inst.service {
        render_evidence(out, service, home);
    }
    if !inst.unverifiable.is_empty() {
        let what: Vec<&str> = inst.unverifiable.iter().map(|u| u.describe()).collect();
        row(
            out,
            "unverifiable",
            &format!("{} (not guessed; in no collision check)", what.join(", ")),
            "",
        );
    }
    for extra in &inst.other_services {
        let _ = writeln!(out, "  also started by {} ({})", extra.name, extra.kind);
        render_evidence(out, extra, home);
    }
    let p = |s: &Sourced<PathBuf>| value_path_text(s, home);
    if inst.home != inst.os_home {
        row(out, "home", &path_text(&inst.home, home), "OPENCLAW_HOME");
    }
    if let Some(refusal) = &inst.refusal {
        row(out, "will not start", refusal, "");
    }
    if inst.start.start == Start::StartsAfterRepair {
        let paths: Vec<&str> = inst.start.values.iter().map(|v| v.path.as_str()).collect();
        row(
            out,
            "at start",
            &format!("repairs and rewrites the config: {}", paths.join(", ")),
            "",
        );
    }
    let exists = if inst.config_exists {
        ""
    } else {
        " (does not exist: defaults apply)"
    };
    row(
        out,
        "config",
        &format!("{}{exists}", p(&inst.config_path)),
        &d(&inst.config_path.origin),
    );
    let (release, source) = release_row(inst);
    row(out, "release", &release, &source);
    row(
        out,
        "state dir",
        &p(&inst.state_dir),
        &d(&inst.state_dir.origin),
    );
    for agent in &inst.agents {
        row(
            out,
            &format!("agent {}", agent.id),
            &format!("workspace {}", p(&agent.workspace)),
            &d(&agent.workspace.origin),
        );
        row(out, "", &format!("agent dir {}", p(&agent.agent_dir)), "");
    }
    row(out, "log file", &p(&inst.log_file), "");
    if let Some(c) = &inst.container {
        render_container(out, inst, c, sources);
    } else {
        row(
            out,
            "service",
            &format!(
                "{} / {} / {}",
                inst.service_names.systemd_unit,
                inst.service_names.launchd_label,
                inst.service_names.windows_task
            ),
            "",
        );
    }
    row(
        out,
        "port",
        &format!("{} ({})", inst.port.value, inst.port_kind.id()),
        &d(&inst.port.origin),
    );
    for (i, l) in inst.listeners.iter().enumerate() {
        let key = if i == 0 { "listeners" } else { "" };
        let how = l
            .origin
            .formula()
            .map(|f| format!(" = {f}"))
            .unwrap_or_default();
        row(
            out,
            key,
            &format!("{:>5}  {}{how}", l.port, l.describe()),
            "",
        );
    }
    if let Some(b) = &inst.browser {
        // OpenClaw's values past 65535 (extension relays near the top), which nothing can bind.
        for p in b.profiles.iter().filter(|p| p.cdp_port > 65535) {
            let how = p
                .origin
                .formula()
                .map(|f| format!(" = {f}"))
                .unwrap_or_default();
            row(
                out,
                "unbindable",
                &format!(
                    "{}  extension relay (browser profile \"{}\"){how}: past 65535",
                    p.cdp_port, p.name
                ),
                "",
            );
        }
        match &b.error {
            Some(error) => row(out, "browser", &format!("refused by OpenClaw: {error}"), ""),
            None => row(
                out,
                "CDP range",
                &format!("{}..{}", b.cdp_range.start, b.cdp_range.end),
                "",
            ),
        }
    }
    for c in &inst.credentials {
        row(
            out,
            "credential",
            &format!("{}: {}", c.name(), c.secret.shown()),
            &d(&c.origin),
        );
    }
    for problem in &inst.problems {
        let place = showable(sources, problem.loc)
            .map(|l| format!(" at {}", at(sources, l)))
            .unwrap_or_default();
        row(out, "problem", &format!("{}{place}", problem.message), "");
    }
}
