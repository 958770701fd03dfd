//! `clawlint resolve`: the effective model of every gateway, with the source of each value,
//! as text for people and as stable JSON.

use super::pretty::Pretty;
use super::{position, showable};
use crate::container::{Container, Engine, HostAddr, MountSource, ProfileState};
use crate::load::env::EnvOrigin;
use crate::paths::{display_home_relative, display_path};
use crate::resolve::verdict::Start;
use crate::resolve::{Discovery, Instance, Listener, Origin, SecretIdentity, ServiceFile, Sourced};
use crate::source::{FileId, Loc, SourceMap};
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
        EnvOrigin::Service(loc) => format!("set by its supervisor at {}", at(sources, *loc)),
        EnvOrigin::Container(loc) => format!("set by the container at {}", at(sources, *loc)),
        EnvOrigin::ContainerVar(set) => format!("set by the container at {}", at(sources, set.at)),
    }
}

/// Where a value came from, in words with file positions.
pub fn describe(origin: &Origin, sources: &SourceMap) -> String {
    match origin {
        Origin::Config(loc) => at(sources, *loc),
        Origin::Env(env) => format!("{} {}", env.var, set_by_text(&env.set_by, sources)),
        Origin::Substituted(s) => {
            let var = &s.var;
            format!(
                "{} via ${{{var}}}, {var} {}",
                at(sources, s.loc),
                set_by_text(&s.set_by, sources)
            )
        }
        Origin::Cli(cli) => match cli.loc {
            Some(loc) => format!("argument {} at {}", cli.arg, at(sources, loc)),
            None => format!("argument {}", cli.arg),
        },
        Origin::Default(reason) => reason.to_string(),
        Origin::Layout(fact) => match fact.loc {
            Some(loc) => format!("{} at {}", fact.what, at(sources, loc)),
            None => fact.what.clone(),
        },
        Origin::Derived(derived) => {
            format!("{}; {}", derived.formula, describe(&derived.base, sources))
        }
        Origin::Mounted(mounted) => format!(
            "mounted at {} by {}; in the container: {}",
            mounted.container_path.display(),
            at(sources, mounted.mount),
            describe(&mounted.base, sources)
        ),
    }
}

/// A home dir as the user named it. A unit's `HOME=` is written in the layout (a path, or a
/// name): shown only if it looks like a path.
fn shown_home(home: &Path) -> String {
    crate::redact::shown(crate::redact::Kind::Path, &display_path(home))
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

/// A path the layout's values made (the config path, the state dir, a workspace, an agent
/// dir, the log file: `${VAR}` substitution and `.env` files can build any of them): shown
/// only when it has a path's shape (`redact::shown`: at most 4,096 bytes, no `://` or `=`,
/// no token-like word), else as its length, like every value clawlint is not sure of.
fn value_path_text(value: &Sourced<PathBuf>, home: &Path) -> String {
    made_path_text(&value.value, home)
}

/// [`value_path_text`] of a path with no source of its own (the lock dir, a mount's source).
fn made_path_text(path: &Path, home: &Path) -> String {
    crate::redact::shown(crate::redact::Kind::Path, &path_text(path, home))
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
    if let Some(loc) = c.found_through {
        let how = "in a directory QUADLET_UNIT_DIRS names, set for podman's quadlet generator";
        row(out, "found", how, &at(sources, loc));
    }
    row(out, "network", &c.network.describe(), "");
    if !c.namespace_guests.is_empty() {
        let guests = format!(
            "{} (what they listen on there is unknown)",
            c.namespace_guests.join(", ")
        );
        row(out, "in its network", &guests, "");
    }
    if c.owns_scanned_state_dir {
        let why = format!(
            "{} is also a dir the scan finds; nothing starts it natively, so it is this container's state dir, not a gateway of its own",
            value_path_text(&inst.state_dir, &inst.os_home)
        );
        row(out, "scanned dir", &why, "");
    }
    if let Some(why) = &c.refused {
        row(out, "not started", why, "");
    }
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
    if let Some(v) = &c.unseen_values {
        for (i, e) in v.entries.iter().enumerate() {
            let what = format!("{} entry: {}", e.key, e.why);
            row(
                out,
                if i == 0 { "left out" } else { "" },
                &what,
                &at(sources, e.loc),
            );
        }
        row(out, "", &format!("(unseen: {})", v.because()), "");
    }
    for (i, d) in c.drop_ins.iter().enumerate() {
        let hides: Vec<String> = d.hides.iter().map(|p| display_path(p)).collect();
        let hides = match (&d.masked_by, hides.is_empty()) {
            (Some(by), _) => format!("; masked by {}, so podman never reads it", display_path(by)),
            (None, true) => String::new(),
            (None, false) => format!("; hides {}", hides.join(", ")),
        };
        row(
            out,
            if i == 0 { "drop-ins" } else { "" },
            &format!(
                "{} in {} ({}){hides}",
                d.path
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                d.dir_name,
                d.applies_to()
            ),
            &at(sources, d.loc),
        );
    }
    listener_rows(out, "in container", &inst.container_listeners);
}

/// A row per listener, the first under `key`: its port, what it is and how it is computed.
fn listener_rows(out: &mut String, key: &str, listeners: &[Listener]) {
    for (i, l) in listeners.iter().enumerate() {
        let how = how_computed(&l.origin);
        row(
            out,
            if i == 0 { key } else { "" },
            &format!("{:>5}  {}{how}", l.port, l.describe()),
            "",
        );
    }
}

/// ` = FORMULA` for a value computed from others (`18789 + 2`), else nothing.
fn how_computed(origin: &Origin) -> String {
    origin
        .formula()
        .map(|f| format!(" = {f}"))
        .unwrap_or_default()
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
    if how.not_enabled {
        row(
            out,
            "enabled",
            "no: runs only when started (`systemctl start`)",
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
    for dir in &how.own_dirs {
        row(
            out,
            "own dir",
            &format!(
                "{} (holds this instance's files; it runs another state dir, so nothing starts this one)",
                path_text(dir, home)
            ),
            "",
        );
    }
    for unseen in &how.unseen {
        row(out, "unseen", unseen, "");
    }
}

/// What a further supervisor gives the gateway that differs from what its first one gives
/// (another profile or port, as each instance of a template with `%i` does).
fn render_other_start(out: &mut String, started: &Instance, sources: &SourceMap) {
    let home = &started.os_home;
    let profile = started.profile.as_ref();
    let (value, source) = profile.map_or(("default".to_string(), String::new()), |p| {
        (p.value.clone(), describe(&p.origin, sources))
    });
    row(out, "  profile", &value, &source);
    let workspace = &started.workspace;
    let value = value_path_text(workspace, home);
    row(
        out,
        "  workspace",
        &value,
        &describe(&workspace.origin, sources),
    );
    row(
        out,
        "  log file",
        &value_path_text(&started.log_file, home),
        "",
    );
    let names = started.service_names();
    let value = format!(
        "{} / {} / {}",
        names.systemd_unit, names.launchd_label, names.windows_task
    );
    row(out, "  service", &value, "");
    let port = format!("{} ({})", started.port.value, started.port_kind.id());
    row(
        out,
        "  port",
        &port,
        &describe(&started.port.origin, sources),
    );
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
        let started = inst.as_started_by(extra);
        if !std::ptr::eq(started, inst) {
            render_other_start(out, started, sources);
        }
    }
    let p = |s: &Sourced<PathBuf>| value_path_text(s, home);
    // A user unit that gives its process another HOME: `~` below is that dir, not the
    // account's home the unit lies in.
    if let Some(account) = inst.account_home().filter(|a| *a != inst.os_home) {
        // Both written in a unit (a path, or a name): shown only if they look like paths.
        let why = format!(
            "HOME= of its unit, not the home of the account it runs as ({}); `~` below is this dir",
            shown_home(&account)
        );
        row(out, "HOME", &shown_home(&inst.os_home), &why);
    }
    if inst.home != inst.os_home {
        row(
            out,
            "home",
            &made_path_text(&inst.home, home),
            "OPENCLAW_HOME",
        );
    }
    if let Some(refusal) = &inst.refusal {
        row(out, "will not start", refusal, "");
    }
    if inst.start.start == Start::StartsAfterRepair {
        let paths: Vec<String> = inst.start.values.iter().map(|v| v.shown_path()).collect();
        row(
            out,
            "at start",
            &format!("repairs and rewrites the config: {}", paths.join(", ")),
            "",
        );
    }
    let exists = if !inst.knows(crate::resolve::Unverifiable::ConfigPath) {
        " (unverifiable: not read)"
    } else if inst.config_exists {
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
        let names = inst.service_names();
        row(
            out,
            "service",
            &format!(
                "{} / {} / {}",
                names.systemd_unit, names.launchd_label, names.windows_task
            ),
            "",
        );
    }
    // A port clawlint cannot verify is not shown as known: its value is only what the rest gives.
    let port_unverifiable = match inst.knows(crate::resolve::Unverifiable::Port) {
        true => "",
        false => " (unverifiable: not compared)",
    };
    row(
        out,
        "port",
        &format!(
            "{} ({}){port_unverifiable}",
            inst.port.value,
            inst.port_kind.id()
        ),
        &d(&inst.port.origin),
    );
    listener_rows(out, "listeners", &inst.listeners);
    if let Some(b) = &inst.browser {
        // OpenClaw's values past 65535 (extension relays near the top), which nothing can bind.
        for p in b.profiles.iter().filter(|p| p.cdp_port > 65535) {
            let how = how_computed(&p.origin);
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
/// `resolve --format json`, written one gateway at a time straight from the model (no tree of
/// JSON values): each gateway's object is written into one reused buffer at its depth in the
/// document, guarded (`visible::guard_json`) and written out before the next one. Keys come in
/// sorted order (`instances`, then `version`; within each object too), as they always have.
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
        let mut json = ModelJson::new(sources);
        let mut chunk: Vec<u8> = Vec::new();
        for (n, inst) in instances.iter().enumerate() {
            chunk.clear();
            chunk.extend_from_slice(if n == 0 { b"\n    " } else { b",\n    " });
            // No string longer than MAX_SHOWN_BYTES is shown (`bounded`).
            json.instance(&mut Pretty::at(&mut chunk, 2).bounded(bounded), inst);
            let text = std::str::from_utf8(&chunk).expect("JSON is UTF-8");
            out.write_all(guard_json(text).as_bytes())?;
        }
        out.write_all(b"\n  ],\n")?;
    }
    writeln!(out, "  \"version\": {}\n}}", super::json::SCHEMA_VERSION)
}

/// `resolve --format json` as one string (tests and small layouts).
pub fn render_json(instances: &[Instance], sources: &SourceMap) -> String {
    let mut out = Vec::new();
    write_json(&mut out, instances, sources).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the model's JSON; remembers each file's shown name, which every position repeats.
struct ModelJson<'s> {
    sources: &'s SourceMap,
    names: Vec<Option<String>>,
}

/// A position's numbers (the file's name is [`ModelJson::name`]).
struct Numbers {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'s> ModelJson<'s> {
    fn new(sources: &'s SourceMap) -> Self {
        ModelJson {
            sources,
            names: Vec::new(),
        }
    }

    /// The file's name as `position` shows it.
    fn name(&mut self, file: FileId) -> &str {
        let i = file.0 as usize;
        if self.names.len() <= i {
            self.names.resize(i + 1, None);
        }
        let sources = self.sources;
        self.names[i].get_or_insert_with(|| display_path(&sources.file(file).path))
    }

    fn numbers(&self, loc: Loc) -> Numbers {
        let (line, column) = self.sources.line_col(loc.file, loc.span.start());
        let (end_line, end_column) = self.sources.line_col(loc.file, loc.span.end());
        Numbers {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// `file:line:column`.
    fn at(&mut self, loc: Loc) -> String {
        let (line, column) = self.sources.line_col(loc.file, loc.span.start());
        format!("{}:{line}:{column}", self.name(loc.file))
    }

    fn showable(&self, loc: Option<Loc>) -> Option<Loc> {
        showable(self.sources, loc)
    }

    fn set_by(&mut self, w: &mut Pretty, set_by: &EnvOrigin) {
        let (kind, loc) = match set_by {
            EnvOrigin::Given => ("environment", None),
            EnvOrigin::ProfileFlag { flag } => {
                w.object().key("flag").str(flag);
                w.key("kind").str("profile-flag").end();
                return;
            }
            EnvOrigin::DotEnv(loc) => ("dotenv", Some(*loc)),
            EnvOrigin::ConfigEnv(loc) => ("config-env", Some(*loc)),
            EnvOrigin::Service(loc) => ("service", Some(*loc)),
            EnvOrigin::Container(loc) => ("container", Some(*loc)),
            EnvOrigin::ContainerVar(set) => ("container", Some(set.at)),
        };
        w.object();
        let numbers = loc.map(|loc| (loc, self.numbers(loc)));
        if let Some((loc, n)) = &numbers {
            w.key("byteEnd").num(loc.span.end() as u64);
            w.key("byteStart").num(loc.span.start() as u64);
            w.key("column").num(n.column as u64);
            w.key("endColumn").num(n.end_column as u64);
            w.key("endLine").num(n.end_line as u64);
            w.key("file").str(self.name(loc.file));
        }
        w.key("kind").str(kind);
        if let Some((_, n)) = &numbers {
            w.key("line").num(n.line as u64);
        }
        w.end();
    }

    /// Where a value came from: its kind, its position (with the include chain that led to
    /// its file) when it has one to show, and what the kind says.
    fn origin(&mut self, w: &mut Pretty, origin: &Origin) {
        let (kind, loc) = match origin {
            Origin::Config(loc) => ("config", Some(*loc)),
            Origin::Env(_) => ("env", None),
            Origin::Substituted(s) => ("substituted", Some(s.loc)),
            Origin::Cli(cli) => ("argument", cli.loc),
            Origin::Default(_) => ("default", None),
            Origin::Layout(fact) => ("layout", fact.loc),
            Origin::Mounted(mounted) => ("mounted", Some(mounted.mount)),
            Origin::Derived(_) => ("derived", None),
        };
        let numbers = self.showable(loc).map(|loc| (loc, self.numbers(loc)));
        w.object();
        if let Origin::Cli(cli) = origin {
            w.key("arg").str(&cli.arg);
        }
        if let Some((loc, n)) = &numbers {
            w.key("byteEnd").num(loc.span.end() as u64);
            w.key("byteStart").num(loc.span.start() as u64);
            w.key("column").num(n.column as u64);
        }
        if let Origin::Mounted(mounted) = origin {
            w.key("containerPath")
                .str(&mounted.container_path.display().to_string());
        }
        if let Some((loc, n)) = &numbers {
            w.key("endColumn").num(n.end_column as u64);
            w.key("endLine").num(n.end_line as u64);
            w.key("file").str(self.name(loc.file));
        }
        if let Origin::Derived(derived) = origin {
            w.key("formula").str(&derived.formula.text());
            w.key("from");
            self.origin(w, &derived.base);
        }
        if let Origin::Mounted(mounted) = origin {
            w.key("inContainer");
            self.origin(w, &mounted.base);
        }
        if let Some((loc, _)) = &numbers {
            let chain = self.sources.include_chain(loc.file);
            if !chain.is_empty() {
                w.key("includedFrom").array();
                for l in chain {
                    let text = self.at(l);
                    w.str(&text);
                }
                w.end();
            }
        }
        w.key("kind").str(kind);
        if let Some((_, n)) = &numbers {
            w.key("line").num(n.line as u64);
        }
        match origin {
            Origin::Default(reason) => {
                w.key("reason").str(reason);
            }
            Origin::Env(env) => {
                w.key("setBy");
                self.set_by(w, &env.set_by);
                w.key("var").str(&env.var);
            }
            Origin::Substituted(s) => {
                w.key("setBy");
                self.set_by(w, &s.set_by);
                w.key("var").str(&s.var);
            }
            Origin::Layout(fact) => {
                w.key("what").str(&fact.what);
            }
            _ => {}
        }
        w.end();
    }

    fn sourced_path(&mut self, w: &mut Pretty, value: &Sourced<PathBuf>, home: &Path) {
        w.object().key("source");
        self.origin(w, &value.origin);
        w.key("value").str(&value_path_text(value, home)).end();
    }

    fn discovery(w: &mut Pretty, discovery: &Discovery, home: &Path) {
        let (kind, path) = match discovery {
            Discovery::HomeDir(dir) => ("home-dir", Some(path_text(dir, home))),
            Discovery::ConfigArg(file) => ("config-argument", Some(file.display().to_string())),
            Discovery::Given => ("given", None),
            Discovery::Service(file) => ("service", Some(path_text(file, home))),
            Discovery::Container(file) => ("container", Some(path_text(file, home))),
        };
        w.object().key("kind").str(kind);
        if let Some(path) = path {
            w.key("path").str(&path);
        }
        w.end();
    }

    fn secret(w: &mut Pretty, identity: &SecretIdentity) {
        w.object();
        match identity {
            SecretIdentity::Known { fingerprint, hint } => {
                w.key("fingerprint").str(fingerprint);
                w.key("hint").opt_str(hint.as_deref());
                w.key("resolved").bool(true);
            }
            SecretIdentity::Unresolved {
                reference, reason, ..
            } => {
                w.key("reason").str(reason);
                w.key("reference").str(reference);
                w.key("resolved").bool(false);
            }
        }
        w.end();
    }

    /// One gateway: everything resolve knows, with the source of each value.
    fn instance(&mut self, w: &mut Pretty, inst: &Instance) {
        // `~` is the gateway's home (shown as `home`); an `OPENCLAW_HOME` shows as `effectiveHome`.
        let home = &inst.os_home;
        w.object();
        w.key("agents").array();
        for a in &inst.agents {
            w.object().key("agentDir");
            self.sourced_path(w, &a.agent_dir, home);
            w.key("id").str(&a.id).key("workspace");
            self.sourced_path(w, &a.workspace, home);
            w.end();
        }
        w.end();
        w.key("browser");
        match &inst.browser {
            None => {
                w.null();
            }
            Some(b) => {
                w.object().key("cdpRange").array();
                w.num(b.cdp_range.start.into())
                    .num(b.cdp_range.end.into())
                    .end();
                w.key("controlPort").num(b.control_port.into());
                w.key("enabled").bool(b.enabled);
                w.key("error")
                    .opt_str(b.error.as_ref().map(ToString::to_string).as_deref());
                w.key("profiles").array();
                for p in &b.profiles {
                    w.object().key("attachOnly").bool(p.attach_only);
                    w.key("cdpPort").num(p.cdp_port.into());
                    w.key("cdpUrl").str(&p.cdp_url());
                    w.key("driver").str(p.driver);
                    w.key("localManaged").bool(p.is_local_managed());
                    w.key("name").str(&p.name).key("source");
                    self.origin(w, &p.origin);
                    w.end();
                }
                w.end().end();
            }
        }
        w.key("configExists").bool(inst.config_exists);
        w.key("configPath");
        self.sourced_path(w, &inst.config_path, home);
        // Only container gateways have the key, so native gateways' JSON is unchanged.
        if let Some(c) = &inst.container {
            w.key("container");
            self.container(w, inst, c);
        }
        w.key("credentials").array();
        for c in &inst.credentials {
            w.object()
                .key("account")
                .str(&crate::redact::shown_key(&c.account));
            w.key("channel").str(c.channel).key("kind").str(c.kind);
            w.key("secret");
            Self::secret(w, &c.secret);
            w.key("source");
            self.origin(w, &c.origin);
            w.end();
        }
        w.end();
        w.key("discoveredBy");
        Self::discovery(w, &inst.discovery, home);
        w.key("effectiveHome")
            .str(&made_path_text(&inst.home, home));
        w.key("gatewayPort").object();
        w.key("kind").str(inst.port_kind.id());
        w.key("openclawPortSource")
            .str(inst.port_kind.openclaw_port_source());
        w.key("source");
        self.origin(w, &inst.port.origin);
        w.key("value").num(inst.port.value.into()).end();
        // What `~` stands for in this gateway's paths: with several homes scanned, which one.
        w.key("home").str(&shown_home(&inst.os_home));
        w.key("listeners");
        self.listeners(w, &inst.listeners, true);
        w.key("lockDir").str(&made_path_text(&inst.lock_dir, home));
        w.key("logFile");
        self.sourced_path(w, &inst.log_file, home);
        w.key("name").str(&inst.name);
        w.key("problems").array();
        for p in &inst.problems {
            w.object();
            if let Some(loc) = self.showable(p.loc) {
                let text = self.at(loc);
                w.key("location").str(&text);
            }
            w.key("message").str(&p.message).end();
        }
        w.end();
        w.key("profile");
        match &inst.profile {
            None => {
                w.null();
            }
            Some(p) => {
                w.object().key("source");
                self.origin(w, &p.origin);
                w.key("value").str(&p.value).end();
            }
        }
        w.key("refusal").opt_str(inst.refusal.as_deref());
        w.key("release");
        self.release(w, inst);
        let names = inst.service_names();
        w.key("service").object();
        w.key("launchdLabel").str(&names.launchd_label);
        w.key("systemdUnit").str(&names.systemd_unit);
        w.key("windowsTask").str(&names.windows_task).end();
        w.key("start");
        self.start(w, inst);
        w.key("starts").bool(inst.starts());
        w.key("stateDir");
        self.sourced_path(w, &inst.state_dir, home);
        w.key("supervisors").array();
        for (i, svc) in inst
            .service
            .as_deref()
            .into_iter()
            .chain(&inst.other_services)
            .enumerate()
        {
            let how = &svc.how;
            w.object().key("dropIns");
            w.strs(how.drop_ins.iter().map(|d| path_text(d, home)));
            w.key("instance");
            match &how.instance {
                None => {
                    w.null();
                }
                Some((name, link)) => {
                    w.object().key("enabledBy").str(&path_text(link, home));
                    w.key("name").str(name).end();
                }
            }
            w.key("kind").str(svc.kind.id()).key("name").str(&svc.name);
            // Only units nobody enabled have the key.
            if how.not_enabled {
                w.key("notEnabled").bool(true);
            }
            // Only a gateway started through something clawlint cannot read has the key.
            if i == 0 && inst.service.is_some() {
                if let Some(why) = &how.opaque {
                    w.key("opaque").str(why);
                }
            }
            // Only a template instance whose own dirs are not its gateway's has the key.
            if !how.own_dirs.is_empty() {
                w.key("ownDirs")
                    .strs(how.own_dirs.iter().map(|d| path_text(d, home)));
            }
            w.key("path").str(&path_text(&svc.path, home));
            w.key("port");
            match &svc.port {
                Some(p) => w.num(p.value.into()),
                None => w.null(),
            };
            // Only a supervisor that gives the gateway another profile or port than the first
            // has the key: the profile it starts it with.
            let started = inst.as_started_by(svc);
            if !std::ptr::eq(started, inst) {
                let profile = started.profile.as_ref();
                w.key("profile")
                    .str(profile.map_or("default", |p| p.value.as_str()));
            }
            // Only units started because another unit pulls them in have the key.
            if let Some(by) = &how.pulled_in_by {
                w.key("pulledInBy").str(&path_text(by, home));
            }
            w.key("startsInstalledService")
                .bool(how.starts_installed_service);
            w.key("unseen").strs(&how.unseen);
            w.key("wrappers").strs(&how.wrappers);
            w.end();
        }
        w.end();
        if !inst.unverifiable.is_empty() {
            w.key("unverifiable")
                .strs(inst.unverifiable.iter().map(|u| u.id()));
        }
        w.key("workspace");
        self.sourced_path(w, &inst.workspace, home);
        w.end();
    }

    /// The start verdict: starts, starts after repairing its file, or refuses; and each
    /// offending config value with what the start does about it.
    fn start(&mut self, w: &mut Pretty, inst: &Instance) {
        w.object().key("values").array();
        for v in &inst.start.values {
            w.object();
            if let Some(loc) = self.showable(Some(v.loc)) {
                let text = self.at(loc);
                w.key("location").str(&text);
            }
            w.key("path").str(&v.shown_path());
            match &v.outcome {
                crate::validate::StartOutcome::Repair { what } => w.key("repair").str(what),
                crate::validate::StartOutcome::Refuse { .. } => w.key("refused").str(v.problem()),
            };
            w.end();
        }
        w.end();
        w.key("verdict").str(inst.start.start.id()).end();
    }

    /// The OpenClaw release that runs the gateway, where that came from, and what its schema
    /// says of the config.
    fn release(&mut self, w: &mut Pretty, inst: &Instance) {
        let release = inst
            .validity
            .as_ref()
            .and_then(|v| v.release.as_ref())
            .or(inst.release.as_ref());
        w.object().key("config");
        match &inst.validity {
            None => {
                w.null();
            }
            Some(v) => {
                w.object().key("checkedAgainst").str(v.checked_against);
                w.key("issues")
                    .num((v.verdict.issues.len() + v.verdict.later.len()) as u64);
                w.key("valid").bool(v.verdict.valid()).end();
            }
        }
        w.key("source");
        match release {
            Some(r) => self.origin(w, &r.origin),
            None => {
                w.null();
            }
        }
        w.key("value")
            .opt_str(release.map(|r| r.value.as_str()))
            .end();
    }

    /// Listeners as an array: each one's detail, kind and port, and with `sources` where it
    /// comes from.
    fn listeners(&mut self, w: &mut Pretty, listeners: &[Listener], sources: bool) {
        w.array();
        for l in listeners {
            let detail = l.detail.as_ref().map(ToString::to_string);
            w.object().key("detail").opt_str(detail.as_deref());
            w.key("kind")
                .str(l.kind.id())
                .key("port")
                .num(l.port.into());
            if sources {
                w.key("source");
                self.origin(w, &l.origin);
            }
            w.end();
        }
        w.end();
    }

    /// A gateway's container: its file, network, published ports, mounts and the listeners in
    /// its own namespace; `profiles` only for services that have them.
    fn container(&mut self, w: &mut Pretty, inst: &Instance, c: &Container) {
        let home = &inst.home;
        w.object();
        // A quadlet's drop-ins, in Podman's merge order (its values' locations point into
        // the one that set each); other engines have none.
        if c.engine == Engine::Quadlet {
            w.key("dropIns").array();
            for d in &c.drop_ins {
                let hides: Vec<String> = d.hides.iter().map(|p| path_text(p, home)).collect();
                w.object().key("dropInDir").str(&d.dir_name);
                w.key("file").str(&path_text(&d.path, home));
                w.key("hides").strs(&hides);
                let text = self.at(d.loc);
                w.key("location").str(&text);
                let masked_by = d.masked_by.as_deref().map(|p| path_text(p, home));
                w.key("maskedBy").opt_str(masked_by.as_deref()).end();
            }
            w.end();
        }
        w.key("engine").str(c.engine.id());
        w.key("file").str(&path_text(&c.file, home));
        // Only a quadlet found through QUADLET_UNIT_DIRS: the assignment that names its
        // directory.
        if let Some(loc) = c.found_through {
            let text = self.at(loc);
            w.key("foundThrough").object().key("location").str(&text);
            w.key("variable").str("QUADLET_UNIT_DIRS").end();
        }
        w.key("image").opt_str(c.image.as_deref());
        w.key("listenersInContainer");
        self.listeners(w, &inst.container_listeners, false);
        let text = self.at(c.loc);
        w.key("location").str(&text);
        w.key("mounts").array();
        for m in &c.mounts {
            let (kind, source) = match &m.source {
                MountSource::Bind(p) => ("bind", Some(made_path_text(p, home))),
                MountSource::Volume(v) => (
                    "volume",
                    Some(crate::redact::shown(crate::redact::Kind::Name, v)),
                ),
                MountSource::Private => ("private", None),
            };
            w.object().key("kind").str(kind);
            let text = self.at(m.loc);
            w.key("location").str(&text);
            w.key("readOnly").bool(m.read_only);
            w.key("source").opt_str(source.as_deref());
            w.key("target").str(&m.target().display().to_string()).end();
        }
        w.end();
        w.key("name").str(&c.name);
        // Only a container other services' programs share the network of has the key.
        if !c.namespace_guests.is_empty() {
            w.key("namespaceGuests").strs(&c.namespace_guests);
        }
        w.key("network").str(c.network.id());
        // Only a container that several command lines start with different values (CL410)
        // has `otherRuns` and `startedBy`.
        let runs = c.run.as_ref().filter(|_| !c.other_runs.is_empty());
        if runs.is_some() {
            w.key("otherRuns").array();
            for r in &c.other_runs {
                w.object().key("by").str(&r.by);
                w.key("differs").strs(&r.differs);
                let text = self.at(r.loc);
                w.key("location").str(&text).end();
            }
            w.end();
        }
        // Only a container whose state dir the scan also found, and nothing starts natively.
        if c.owns_scanned_state_dir {
            w.key("ownsScannedStateDir").bool(true);
        }
        if let Some(p) = &c.profiles {
            w.key("profiles").object();
            w.key("active")
                .bool(matches!(p.state, ProfileState::Enabled(_)));
            let text = self.at(p.loc);
            w.key("location").str(&text).key("names").strs(&p.names);
            w.key("state")
                .str(p.state.id())
                .key("why")
                .str(p.state.why());
            w.end();
        }
        w.key("published").array();
        for p in &c.published {
            w.object().key("containerPort").num(p.container_port.into());
            w.key("hostAddress").opt_str(match &p.host_addr {
                HostAddr::Any => None,
                HostAddr::Ip(ip) => Some(ip.as_str()),
            });
            w.key("hostPort").num(p.host_port.into());
            let text = self.at(p.loc);
            w.key("location")
                .str(&text)
                .key("protocol")
                .str(&p.protocol);
            w.end();
        }
        w.end();
        // Only a container whose compose project compose refuses to start.
        if let Some(why) = &c.refused {
            w.key("refused").str(why);
        }
        // Only a container that compose projects in other directories also give (CL411).
        if !c.name_clashes.is_empty() {
            w.key("sameContainerAs").array();
            for k in &c.name_clashes {
                w.object()
                    .key("directory")
                    .str(&path_text(&k.other_dir, home));
                let text = self.at(k.other_loc);
                w.key("location")
                    .str(&text)
                    .key("project")
                    .str(&k.other_project)
                    .end();
            }
            w.end();
        }
        w.key("service").str(&c.service);
        if let Some((by, loc)) = runs {
            let text = self.at(*loc);
            w.key("startedBy").object().key("by").str(by);
            w.key("location").str(&text).end();
        }
        // Only a compose service with entries that read what env files beside the project
        // set differently, when no command that runs it was found (CL409).
        if let Some(v) = &c.unseen_values {
            w.key("unverifiedBecause").str(&v.because());
            w.key("unverifiedEntries").array();
            for e in &v.entries {
                let text = self.at(e.loc);
                w.object().key("key").str(e.key);
                w.key("location").str(&text).key("why").str(&e.why).end();
            }
            w.end();
        }
        w.end();
    }
}
