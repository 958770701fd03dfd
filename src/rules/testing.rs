//! Test-only: gateways built in memory, so that a rule can be tested on its own, beside its
//! code (actionlint's `rule_*_test.go` pairs, ruff's `test_path` + `for_rule`).
//!
//! ```ignore
//! let host = host([
//!     gateway("ops").port(18789),
//!     gateway("rescue").port(18789),
//! ]);
//! let findings = host.findings(catalog::GATEWAY_PORT_COLLISION);
//! ```
//!
//! [`gateway`] writes a real JSON5 config for what it is told, registers it in a
//! [`SourceMap`] (nothing is written to disk) and resolves it with resolve's own functions, in
//! the order `resolve::resolve_instance` calls them: `--profile` handling, paths, the port
//! precedence, OpenClaw's start checks, browser resolution, listeners, credentials. So values
//! carry the origins and places resolve gives them, and the arithmetic is resolve's. What it
//! leaves out is what reads files: `.env` files, `$include`s, token files.
//!
//! By default a gateway named `NAME` runs as `openclaw --profile NAME gateway` for the user
//! `claw` (home `/home/claw`), found in its state dir `~/.openclaw-NAME`, with no port pinned
//! (so, as in OpenClaw, a named profile gets its hash port until [`Gateway::port`] pins one).
//! A gateway named `default` runs without `--profile`, in `~/.openclaw`.
//!
//! [`Host`] holds the gateways with their sources and [`PathKeys`] computed without touching
//! the file system (every path is its own key, unless [`Host::link`] says a symlink is on
//! it), and gives the [`RuleContext`] every rule takes.

// A toolkit: not every test uses every helper.
#![allow(dead_code)]

use super::RuleContext;
use crate::catalog::{Rule, Selector};
use crate::diagnostic::{Finding, Reported};
use crate::engine::Settings;
use crate::invocation::{Discovery, Invocation, Origin, ServiceFile, ServiceKind, Sourced};
use crate::load::env::{Env, EnvOrigin};
use crate::load::tree::{file_start, Node};
use crate::load::Problem;
use crate::paths::PathKeys;
use crate::resolve::{self, Instance};
use crate::source::{Loc, SourceMap, Span};
use std::path::{Path, PathBuf};

/// The OS home of the default user.
pub const HOME: &str = "/home/claw";

/// A gateway to build: what the operator wrote (config members, environment, flags, unit).
#[derive(Debug, Clone)]
pub struct Gateway {
    name: String,
    os_home: PathBuf,
    profile: Option<String>,
    port_arg: Option<u16>,
    env: Vec<(String, String)>,
    /// `(dotted path, JSON5 value)`, in order: written as nested objects.
    settings: Vec<(String, String)>,
    /// The whole config text, instead of one made of `settings`.
    config_text: Option<String>,
    unit: Option<Unit>,
    other_units: Vec<String>,
    /// The config was found by OpenClaw's fallback search at this home-relative path.
    found_config_at: Option<String>,
    problems: Vec<Problem>,
    /// The container it runs in (seen from the host through [`resolve::container`]).
    container: Option<ContainerSpec>,
}

/// A container: which runtime, its network, what it publishes `(address, host, container)`,
/// and its definition file (a fleet cell's is its registry).
#[derive(Debug, Clone)]
struct ContainerSpec {
    engine: crate::container::Engine,
    host_network: bool,
    published: Vec<(String, u16, u16)>,
    file: PathBuf,
    /// Behind a compose profile that nothing starting the project enables.
    not_started: bool,
}

impl ContainerSpec {
    /// The container, with its definition registered in `sources`: a compose file with one
    /// service and its `ports:` (each entry located on its line), or an empty registry file.
    fn container(&self, name: &str, sources: &mut SourceMap) -> crate::container::Container {
        use crate::container::{Container, Engine, HostAddr, HostText, Network, Published};
        let mut text = String::new();
        let mut entries = Vec::new();
        if self.engine != Engine::Fleet {
            text = format!("services:\n  {name}:\n");
            if self.host_network {
                text.push_str("    network_mode: host\n");
            }
            if !self.published.is_empty() {
                text.push_str("    ports:\n");
            }
            for (addr, host_port, container_port) in &self.published {
                text.push_str("      - \"");
                let start = text.len() - 1;
                text.push_str(&format!("{addr}:{host_port}:{container_port}\""));
                entries.push(Span::new(start, text.len()));
                text.push('\n');
            }
        }
        let shown = crate::load::yaml::parse(&text)
            .map(|root| crate::redact::scan::compose_yaml(&text, &root))
            .unwrap_or_default();
        let file = sources.add(&self.file, text, None);
        // What the compose loader shows of a real file.
        sources.show(file, shown);
        let key = Loc {
            file,
            span: match self.engine {
                Engine::Fleet => Span::new(0, 0),
                _ => Span::new(12, 12 + name.len()),
            },
        };
        let loc = |n: usize| entries.get(n).map_or(key, |span| Loc { file, span: *span });
        // What the compose loader records of each entry: the string without its quotes.
        let host_text = |n: usize| match (self.engine, entries.get(n)) {
            (Engine::Compose, Some(s)) => HostText::Short(Span::new(s.start() + 1, s.end() - 1)),
            _ => HostText::Entry,
        };
        Container {
            image: Some("ghcr.io/openclaw/openclaw:latest".to_string()),
            network: match self.host_network {
                true => Network::Host,
                false => Network::Isolated,
            },
            published: self
                .published
                .iter()
                .enumerate()
                .map(|(n, (addr, host_port, container_port))| Published {
                    host_addr: HostAddr::parse(addr),
                    host_port: *host_port,
                    container_port: *container_port,
                    protocol: "tcp".to_string(),
                    loc: loc(n),
                    vars: Vec::new(),
                    host_text: host_text(n),
                })
                .collect(),
            bind: Some("lan".to_string()),
            host_home: PathBuf::from(HOME),
            profiles: self.not_started.then(|| crate::container::ServiceProfiles {
                names: vec!["openclaw".to_string()],
                state: crate::container::ProfileState::NotEnabled(
                    "no command that starts this project enables it (Makefile:3)".into(),
                ),
                loc: key,
                stopped: Vec::new(),
            }),
            ..Container::new(
                self.engine,
                name.to_string(),
                name.to_string(),
                self.file.clone(),
                key,
            )
        }
    }
}

/// A systemd user unit that starts the gateway.
#[derive(Debug, Clone)]
struct Unit {
    name: Option<String>,
    port: Option<u16>,
    restart: Option<String>,
    prevent_78: bool,
    env: Vec<(String, String)>,
}

impl Unit {
    /// As `openclaw gateway install` writes it.
    fn installed() -> Unit {
        Unit {
            name: None,
            port: None,
            restart: Some("always".to_string()),
            prevent_78: true,
            env: Vec::new(),
        }
    }
}

/// A gateway called `name`, started with `--profile name` (none for `default`).
pub fn gateway(name: &str) -> Gateway {
    Gateway {
        name: name.to_string(),
        os_home: PathBuf::from(HOME),
        profile: (name != "default").then(|| name.to_string()),
        port_arg: None,
        env: Vec::new(),
        settings: Vec::new(),
        config_text: None,
        unit: None,
        other_units: Vec::new(),
        found_config_at: None,
        problems: Vec::new(),
        container: None,
    }
}

/// A JSON5 string literal.
fn quoted(value: &str) -> String {
    serde_json::to_string(value).expect("a string serialises")
}

impl Gateway {
    /// Started with `--profile NAME` instead of its own name.
    pub fn profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.to_string());
        self
    }

    /// Started without `--profile`: state in `~/.openclaw` unless the environment says.
    pub fn no_profile(mut self) -> Self {
        self.profile = None;
        self
    }

    /// Another OS user: home `/home/USER`.
    pub fn user(mut self, user: &str) -> Self {
        self.os_home = PathBuf::from("/home").join(user);
        self
    }

    /// `gateway.port` in the config.
    pub fn port(self, port: u16) -> Self {
        self.set("gateway.port", &port.to_string())
    }

    /// `gateway --port N` on the command line (no file: what clawlint was told).
    pub fn port_arg(mut self, port: u16) -> Self {
        self.port_arg = Some(port);
        self
    }

    /// A variable of the environment the gateway starts with.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// `agents.defaults.workspace`.
    pub fn workspace(self, raw: &str) -> Self {
        self.set("agents.defaults.workspace", &quoted(raw))
    }

    /// `channels.telegram.botToken` (a fake token: `123456:AA…`).
    pub fn telegram_token(self, token: &str) -> Self {
        self.set("channels.telegram.botToken", &quoted(token))
    }

    /// `channels.discord.token`.
    pub fn discord_token(self, token: &str) -> Self {
        self.set("channels.discord.token", &quoted(token))
    }

    /// `channels.slack.botToken` and `appToken`.
    pub fn slack_tokens(self, bot: &str, app: &str) -> Self {
        self.set("channels.slack.botToken", &quoted(bot))
            .set("channels.slack.appToken", &quoted(app))
    }

    /// `gateway.auth.token`.
    pub fn gateway_token(self, token: &str) -> Self {
        self.set("gateway.auth.mode", &quoted("token"))
            .set("gateway.auth.token", &quoted(token))
    }

    /// Any config member, by dotted path, with its value as JSON5 (`"18800"`, `"\"x\""`,
    /// `"{ cdpPort: 18800 }"`).
    pub fn set(mut self, path: &str, json5: &str) -> Self {
        self.settings.push((path.to_string(), json5.to_string()));
        self
    }

    /// The whole config file, as written (for configs `set` cannot make: broken ones).
    pub fn config_text(mut self, text: &str) -> Self {
        self.config_text = Some(text.to_string());
        self
    }

    /// The config OpenClaw's fallback search found, at a path relative to the home
    /// (`.clawdbot/clawdbot.json`), while the state dir stays where resolve puts it.
    pub fn found_config_at(mut self, home_relative: &str) -> Self {
        self.found_config_at = Some(home_relative.to_string());
        self
    }

    /// Started by a systemd user unit named after its profile, as `openclaw gateway install`
    /// writes it (`Restart=always`, `RestartPreventExitStatus=78`).
    pub fn systemd_unit(mut self) -> Self {
        self.unit = Some(Unit::installed());
        self
    }

    fn unit_mut(&mut self) -> &mut Unit {
        self.unit.get_or_insert_with(Unit::installed)
    }

    /// The unit's file name (default: the one OpenClaw gives the profile).
    pub fn unit_name(mut self, name: &str) -> Self {
        self.unit_mut().name = Some(name.to_string());
        self
    }

    /// `gateway --port N` in the unit's `ExecStart=`.
    pub fn unit_port(mut self, port: u16) -> Self {
        self.unit_mut().port = Some(port);
        self
    }

    /// `Restart=` (or none) and whether `RestartPreventExitStatus=78` is there.
    pub fn unit_restart(mut self, restart: Option<&str>, prevent_78: bool) -> Self {
        let unit = self.unit_mut();
        unit.restart = restart.map(str::to_string);
        unit.prevent_78 = prevent_78;
        self
    }

    /// `Environment=NAME=VALUE` in the unit.
    pub fn unit_env(mut self, name: &str, value: &str) -> Self {
        self.unit_mut()
            .env
            .push((name.to_string(), value.to_string()));
        self
    }

    /// A further unit that starts the same gateway (`other_services`).
    pub fn also_started_by(mut self, unit_name: &str) -> Self {
        self.other_units.push(unit_name.to_string());
        self
    }

    /// A loader problem on this gateway, as resolve would have recorded it.
    pub fn problem(mut self, problem: Problem) -> Self {
        self.problems.push(problem);
        self
    }

    fn config_source(&self) -> String {
        if let Some(text) = &self.config_text {
            return text.clone();
        }
        let mut root = Object::default();
        for (path, value) in &self.settings {
            root.insert(&path.split('.').collect::<Vec<_>>(), value);
        }
        let mut out = String::new();
        root.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn container_mut(
        &mut self,
        engine: crate::container::Engine,
        file: &str,
    ) -> &mut ContainerSpec {
        self.container.get_or_insert_with(|| ContainerSpec {
            engine,
            host_network: false,
            published: Vec::new(),
            file: Path::new(HOME).join(file),
            not_started: false,
        })
    }

    /// It runs in a compose container in its own network namespace that publishes
    /// `address:host_port -> container_port` (`0.0.0.0` for every address). Repeatable.
    pub fn published(mut self, address: &str, host_port: u16, container_port: u16) -> Self {
        let file = format!("stacks/{}/compose.yaml", self.name);
        self.container_mut(crate::container::Engine::Compose, &file)
            .published
            .push((address.to_string(), host_port, container_port));
        self
    }

    /// It runs in a compose container on the host network (`network_mode: host`).
    pub fn host_network(mut self) -> Self {
        let file = format!("stacks/{}/compose.yaml", self.name);
        self.container_mut(crate::container::Engine::Compose, &file)
            .host_network = true;
        self
    }

    /// Its compose service sits behind a profile that no command starting the project
    /// enables: compose does not start it.
    pub fn not_started(mut self) -> Self {
        let file = format!("stacks/{}/compose.yaml", self.name);
        self.container_mut(crate::container::Engine::Compose, &file)
            .not_started = true;
        self
    }

    /// It is an `openclaw fleet` cell of the registry at `registry` (home-relative) on
    /// `127.0.0.1:host_port`.
    pub fn fleet_cell(mut self, registry: &str, host_port: u16) -> Self {
        let spec = self.container_mut(crate::container::Engine::Fleet, registry);
        spec.file = Path::new(HOME).join(registry);
        spec.published
            .push(("127.0.0.1".to_string(), host_port, 18789));
        self
    }

    /// The gateway, resolved; its config (and unit) are registered in `sources`, and a
    /// container gateway is then seen from the host.
    pub fn build(&self, sources: &mut SourceMap) -> Instance {
        let mut instance = self.build_native(sources);
        if let Some(spec) = &self.container {
            let container = spec.container(&self.name, sources);
            // As resolve: unset, a gateway in a container binds `auto`.
            if instance.gateway_bind_loc.is_none() {
                instance.gateway_bind = "auto".into();
            }
            resolve::container::host_view(&mut instance, Box::new(container));
        }
        instance
    }

    fn build_native(&self, sources: &mut SourceMap) -> Instance {
        let os_home = self.os_home.clone();
        let cwd = os_home.clone();
        let mut env = Env::new();
        for (name, value) in &self.env {
            env.set(name, value.clone(), EnvOrigin::Given);
        }
        let (service, port_arg) = match &self.unit {
            Some(unit) => {
                let (service, port_arg) = self.unit_file(unit, &mut env, sources);
                (Some(service), port_arg)
            }
            None => (None, None),
        };
        let port_arg = port_arg.or(self
            .port_arg
            .map(|port| Sourced::new(port, Origin::cli(format!("--port {port}"), None))));
        env.set("HOME", os_home.display().to_string(), EnvOrigin::Given);
        if let Some(profile) = &self.profile {
            let home = resolve::paths::effective_home(&env, &os_home, &cwd);
            let flag = format!("--profile {profile}");
            resolve::profile::apply_profile_flag(&mut env, profile, &flag, &home, &cwd);
        }

        let home = resolve::paths::effective_home(&env, &os_home, &cwd);
        let state_dir = resolve::paths::state_dir(&env, &home, &cwd, crate::paths::host::exists);
        let config_path = match &self.found_config_at {
            Some(rel) => Sourced::new(
                home.join(rel),
                Origin::Default("first existing config file".into()),
            ),
            None => resolve::paths::config_path(
                &env,
                &home,
                &cwd,
                &state_dir.value,
                crate::paths::host::exists,
            ),
        };
        let mut problems = self.problems.clone();
        let text = self.config_source();
        if let Some(file) = sources.lookup(&config_path.value) {
            assert_eq!(
                sources.file(file).text,
                text,
                "gateways that read one config file must be given the same settings"
            );
        }
        let mut root = match crate::load::parse_config(sources, &config_path.value, text, None) {
            Ok(root) => Some(root),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        if let Some(root) = root.as_mut() {
            crate::load::env::substitute_tree(root, &env, &mut problems);
        }
        let loaded = root.is_some();
        let file = sources
            .lookup(&config_path.value)
            .expect("parse_config registers the file");
        let root = root.unwrap_or_else(|| Node::empty_object(file_start(file)));

        let ctx = resolve::paths::PathContext {
            env: &env,
            home: &home,
            cwd: &cwd,
            state_dir: &state_dir.value,
            config: &root,
        };
        let workspace = resolve::paths::default_workspace(&ctx);
        let agents = resolve::paths::agents(&ctx, &workspace);
        let data_dirs = resolve::paths::data_dirs(&ctx);
        let profile = resolve::paths::profile(&env);
        let log_file = resolve::paths::log_file(&ctx);
        let invocation = Invocation {
            name: self.name.clone(),
            discovery: Discovery::Given,
            home: os_home.clone(),
            cwd: cwd.clone(),
            profile_flag: self.profile.clone(),
            dev: false,
            env: env.clone(),
            port_arg,
            bind_arg: None,
            auth_args: false,
            allow_unconfigured: None,
            service: service.clone().map(Box::new),
            container: None,
            written_home: None,
        };
        let detected = resolve::release::detect(
            &invocation,
            &env,
            loaded.then_some(&root),
            sources,
            &mut crate::load::cache::FileCache::new(),
        );
        let (port, port_kind) = resolve::ports::gateway_port(&invocation, &env, &root);
        let mut start_facts = if loaded {
            resolve::startup::facts(&root, &port)
        } else {
            Vec::new()
        };
        let browser = resolve::browser::resolve(&root, &port, &mut problems, &mut start_facts);
        // The start verdict (`resolve::verdict::decide`, below) clears them when the gateway
        // does not start.
        let listeners = resolve::ports::listeners(&root, &port, browser.as_ref());
        let credentials = resolve::channels::credentials(&root, &env, &home, &cwd, false);
        let other_services = self
            .other_units
            .iter()
            .map(|name| self.other_unit(name, sources))
            .collect();
        let mut instance = Instance {
            name: self.name.clone(),
            discovery: match &service {
                Some(s) => Discovery::Service(s.path.clone()),
                None => Discovery::HomeDir(state_dir.value.clone()),
            },
            home: home.clone(),
            os_home,
            cwd,
            profile_flag: self.profile.clone(),
            lock_dir: state_dir.value.join("tmp").join("openclaw-<uid>"),
            log_file,
            profile,
            config_path,
            config_exists: true,
            config_loc: Loc {
                file: root.loc.file,
                span: Span::new(
                    root.loc.span.start(),
                    (root.loc.span.start() + 1).min(root.loc.span.end()),
                ),
            },
            state_dir,
            workspace,
            agents,
            data_dirs,
            port,
            port_kind,
            ignored_port_env: resolve::ports::ignored_port_env(&env).map(Box::new),
            tailscale: resolve::tailscale_ingress(&root).map(Box::new),
            config_port: resolve::ports::configured_port(&root),
            service: service.map(Box::new),
            other_services,
            other_starts: Vec::new(),
            listeners,
            browser,
            credentials,
            gateway_bind: root
                .at(&["gateway", "bind"])
                .and_then(|b| b.as_str().map(str::to_string))
                .map_or("loopback".into(), Into::into),
            gateway_bind_loc: root.at(&["gateway", "bind"]).map(|b| b.loc),
            container: None,
            container_listeners: Vec::new(),
            unverifiable: Vec::new(),
            refusal: None,
            crashes_on_profile: false,
            legacy_state_moves: false,
            start: resolve::verdict::StartVerdict::default(),
            target_start: None,
            start_facts,
            problems,
            env,
            config_facts: None,
            data_owner: None,
            config_root: loaded.then(|| Box::new(root)),
            config_uses_include: false,
            release: detected.release.clone(),
            release_sources: detected.sources,
            validity: None,
        };
        resolve::verdict::decide(&mut instance);
        // As the validation step does; tests that read the tree keep it.
        if let Some(root) = instance.config_root.clone() {
            resolve::config_facts::keep(&mut instance, &root, sources, &mut Default::default());
        }
        instance
    }

    /// The unit's path and text, registered; its environment goes into `env`.
    fn unit_file(
        &self,
        unit: &Unit,
        env: &mut Env,
        sources: &mut SourceMap,
    ) -> (ServiceFile, Option<Sourced<u16>>) {
        let name = unit
            .name
            .clone()
            .unwrap_or_else(|| resolve::paths::service_names(self.profile.as_deref()).systemd_unit);
        let path = self.os_home.join(".config/systemd/user").join(&name);
        let mut exec = "ExecStart=/usr/bin/openclaw".to_string();
        if let Some(profile) = &self.profile {
            exec.push_str(&format!(" --profile {profile}"));
        }
        exec.push_str(" gateway");
        if let Some(port) = unit.port {
            exec.push_str(&format!(" --port {port}"));
        }
        let mut text = format!("[Unit]\nDescription=OpenClaw Gateway\n\n[Service]\n{exec}\n");
        let exec_start = text.find("ExecStart=").expect("written above");
        let exec_span = Span::new(exec_start + "ExecStart=".len(), exec_start + exec.len());
        let port_span = unit.port.map(|port| {
            let arg = format!("--port {port}");
            let at = text.find(&arg).expect("written above");
            Span::new(at, at + arg.len())
        });
        let mut restart_span = None;
        if let Some(restart) = &unit.restart {
            let start = text.len();
            text.push_str(&format!("Restart={restart}\n"));
            restart_span = Some(Span::new(start, text.len() - 1));
        }
        if unit.prevent_78 {
            text.push_str("RestartPreventExitStatus=78\n");
        }
        let mut env_spans = Vec::new();
        for (key, value) in &unit.env {
            let start = text.len() + "Environment=".len();
            text.push_str(&format!("Environment={key}={value}\n"));
            env_spans.push((key.clone(), value.clone(), Span::new(start, text.len() - 1)));
        }
        text.push_str("\n[Install]\nWantedBy=default.target\n");
        // Shown as discover shows a unit (everything else masked).
        let shown = crate::redact::scan::unit(&text);
        let file = sources.add(&path, text, None);
        sources.show(file, shown);
        let at = |span: Span| Loc { file, span };
        for (key, value, span) in env_spans {
            env.set(&key, value, EnvOrigin::Service(at(span)));
        }
        let loc = at(port_span.unwrap_or(exec_span));
        let port = unit
            .port
            .map(|port| Sourced::new(port, Origin::cli(format!("--port {port}"), Some(loc))));
        let service = ServiceFile {
            kind: ServiceKind::SystemdUser,
            path,
            name,
            loc,
            restart: unit
                .restart
                .clone()
                .zip(restart_span)
                .map(|(r, span)| Sourced::new(r, Origin::Config(at(span)))),
            prevent_exit_status: match unit.prevent_78 {
                true => vec!["78".to_string()],
                false => Vec::new(),
            },
            success_exit_status: Vec::new(),
            port: port.clone(),
            state_dir_loc: env.get("OPENCLAW_STATE_DIR").and_then(|v| v.origin.loc()),
            how: Default::default(),
        };
        (service, port)
    }

    /// A further unit, as OpenClaw would write it for this gateway's profile.
    fn other_unit(&self, name: &str, sources: &mut SourceMap) -> ServiceFile {
        let copy = self.clone();
        let unit = Unit {
            name: Some(name.to_string()),
            ..Unit::installed()
        };
        copy.unit_file(&unit, &mut Env::new(), sources).0
    }
}

/// The config being written: members in the order they were first set.
#[derive(Debug, Default)]
struct Object(Vec<(String, Member)>);

#[derive(Debug)]
enum Member {
    Value(String),
    Object(Object),
}

impl Object {
    fn insert(&mut self, path: &[&str], value: &str) {
        let (first, rest) = path.split_first().expect("a non-empty path");
        let at = match self.0.iter().position(|(k, _)| k == first) {
            Some(at) => at,
            None => {
                self.0
                    .push((first.to_string(), Member::Object(Object::default())));
                self.0.len() - 1
            }
        };
        if rest.is_empty() {
            self.0[at].1 = Member::Value(value.to_string());
            return;
        }
        if !matches!(self.0[at].1, Member::Object(_)) {
            self.0[at].1 = Member::Object(Object::default());
        }
        if let Member::Object(object) = &mut self.0[at].1 {
            object.insert(rest, value);
        }
    }

    fn write(&self, out: &mut String, depth: usize) {
        if self.0.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push_str("{\n");
        for (key, member) in &self.0 {
            out.push_str(&"  ".repeat(depth + 1));
            let plain = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !key.starts_with(|c: char| c.is_ascii_digit());
            match plain {
                true => out.push_str(key),
                false => out.push_str(&quoted(key)),
            }
            out.push_str(": ");
            match member {
                Member::Value(value) => out.push_str(value),
                Member::Object(object) => object.write(out, depth + 1),
            }
            out.push_str(",\n");
        }
        out.push_str(&"  ".repeat(depth));
        out.push('}');
    }
}

/// Gateways on one host, resolved, with what every rule needs.
pub struct Host {
    pub sources: SourceMap,
    pub instances: Vec<Instance>,
    /// Problems with files that belong to no gateway.
    pub problems: Vec<Problem>,
    pub keys: PathKeys,
    /// Where discover looked (empty: an in-memory host was not searched).
    pub searched: Vec<crate::invocation::Searched>,
}

/// The host these gateways run on, built in memory.
pub fn host(gateways: impl IntoIterator<Item = Gateway>) -> Host {
    let mut sources = SourceMap::new();
    let instances = gateways
        .into_iter()
        .map(|g| g.build(&mut sources))
        .collect();
    Host {
        sources,
        instances,
        problems: Vec::new(),
        keys: PathKeys::default(),
        searched: Vec::new(),
    }
}

impl Host {
    /// What the rules see.
    pub fn ctx(&self) -> RuleContext<'_> {
        RuleContext {
            instances: &self.instances,
            sources: &self.sources,
            problems: &self.problems,
            keys: &self.keys,
            searched: &self.searched,
        }
    }

    /// A symlink on the host: `path` (absolute, or relative to the default home) leads to
    /// `target`, so both compare equal, as resolve's canonical keys would make them.
    pub fn link(mut self, path: &str, target: &str) -> Self {
        let home = Path::new(HOME);
        let (path, target) = (home.join(path), home.join(target));
        let key = self.keys.key(&target);
        self.keys.assume(&path, &key);
        self
    }

    /// A problem with a file that belongs to no gateway.
    pub fn problem(mut self, problem: Problem) -> Self {
        self.problems.push(problem);
        self
    }

    /// Every rule's findings of one rule (the others run too, as in `check`).
    pub fn findings(&self, rule: Rule) -> Vec<Finding> {
        super::run(&self.ctx())
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// The one finding of `rule`; panics (listing what was found) unless there is exactly one.
    pub fn finding(&self, rule: Rule) -> Finding {
        let mut found = self.findings(rule);
        assert_eq!(
            found.len(),
            1,
            "expected one {} finding, got {found:#?}",
            rule.code
        );
        found.remove(0)
    }

    /// `check --select RULE` in the human format, through the engine (suppressions, levels,
    /// order) without colour, 100 columns wide.
    pub fn human(&self, rule: Rule) -> String {
        let settings = Settings {
            select: vec![Selector::Named(rule)],
            ..Settings::default()
        };
        let reported: Vec<Reported> = crate::engine::run(&self.ctx(), &settings);
        let options = crate::report::human::HumanOptions {
            color: false,
            width: 100,
        };
        crate::report::human::render(&reported, &self.sources, self.instances.len(), &options)
    }
}

/// A loader problem at the start of a file registered in `sources` (the file is added with
/// `text` when it is not there yet).
pub fn problem_in(
    sources: &mut SourceMap,
    path: &str,
    text: &str,
    kind: crate::load::ProblemKind,
    message: &str,
) -> Problem {
    let file = match sources.lookup(Path::new(path)) {
        Some(file) => file,
        None => sources.add(Path::new(path), text.to_string(), None),
    };
    Problem {
        kind,
        message: message.to_string(),
        loc: Some(file_start(file)),
    }
}

/// The labels' texts, for assertions.
pub fn labels(finding: &Finding) -> Vec<&str> {
    finding.labels.iter().map(|l| l.message.as_str()).collect()
}

/// The gateways a finding names, in label order.
pub fn parties(finding: &Finding) -> Vec<String> {
    finding.instances()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{ListenerKind, PortKind};

    #[test]
    fn a_named_gateway_runs_in_its_profile_dir() {
        let host = host([gateway("ops").port(18789)]);
        let ops = &host.instances[0];
        assert_eq!(ops.state_dir.value, Path::new("/home/claw/.openclaw-ops"));
        assert_eq!(
            ops.config_path.value,
            Path::new("/home/claw/.openclaw-ops/openclaw.json")
        );
        assert_eq!(
            ops.workspace.value,
            Path::new("/home/claw/.openclaw-ops/workspace")
        );
        assert_eq!(
            ops.service_names().systemd_unit,
            "openclaw-gateway-ops.service"
        );
        assert_eq!((ops.port.value, ops.port_kind), (18789, PortKind::Config));
        assert!(matches!(ops.port.origin, Origin::Config(_)));
        let text = &host.sources.file(ops.config_loc.file).text;
        assert_eq!(text, "{\n  gateway: {\n    port: 18789,\n  },\n}\n");
    }

    #[test]
    fn listeners_and_browser_are_resolves() {
        let host = host([gateway("ops").port(18789)]);
        let ops = &host.instances[0];
        let browser = ops.browser.as_ref().expect("browser on by default");
        assert_eq!(browser.control_port, resolve::browser::control_port(18789));
        assert_eq!(
            browser.cdp_range,
            resolve::browser::cdp_range(browser.control_port)
        );
        let ports: Vec<(u16, ListenerKind)> =
            ops.listeners.iter().map(|l| (l.port, l.kind)).collect();
        assert_eq!(
            ports,
            [
                (18789, ListenerKind::Gateway),
                (18790, ListenerKind::McpSandbox),
                (18791, ListenerKind::BrowserControl),
                (18800, ListenerKind::Cdp),
                (18799, ListenerKind::ExtensionRelay),
            ]
        );
    }

    #[test]
    fn defaults_follow_openclaw() {
        let host = host([gateway("default"), gateway("rescue")]);
        let (default, rescue) = (&host.instances[0], &host.instances[1]);
        assert_eq!(default.state_dir.value, Path::new("/home/claw/.openclaw"));
        assert_eq!(
            (default.port.value, default.port_kind),
            (18789, PortKind::Default)
        );
        assert_eq!(rescue.port_kind, PortKind::ProfileHash);
        assert_eq!(
            rescue.port.value,
            crate::openclaw::profile_hash_port("rescue")
        );
    }

    #[test]
    fn a_unit_sets_the_port_and_its_environment() {
        let host = host([gateway("ops")
            .port(18789)
            .unit_port(19000)
            .unit_env("OPENCLAW_GATEWAY_TOKEN", "x")]);
        let ops = &host.instances[0];
        let service = ops.service.as_ref().expect("a unit");
        assert_eq!(service.name, "openclaw-gateway-ops.service");
        assert_eq!(
            (ops.port.value, ops.port_kind),
            (19000, PortKind::ServiceArgument)
        );
        let text = &host.sources.file(service.loc.file).text;
        assert_eq!(
            &text[service.loc.span.start()..service.loc.span.end()],
            "--port 19000"
        );
        assert!(text.contains("RestartPreventExitStatus=78\n"));
    }

    #[test]
    fn keys_see_declared_links_only() {
        let host = host([gateway("ops")]).link("shared", "real");
        let key = |p: &str| host.keys.key(Path::new(p));
        assert_eq!(key("/home/claw/shared/ws"), key("/home/claw/real/ws"));
        assert_ne!(key("/home/claw/a"), key("/home/claw/ab"));
    }
}
