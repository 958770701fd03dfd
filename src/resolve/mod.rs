//! Resolution: from how a gateway is started (an [`Invocation`]) to the effective
//! [`Instance`] OpenClaw 2026.9.6 would run, every value with its source.

pub mod browser;
pub mod channels;
pub mod config_facts;
pub mod container;
pub mod fleet;
pub mod inventory;
pub mod model;
pub mod paths;
pub mod ports;
pub mod profile;
pub mod release;
pub mod secrets;
pub mod startup;
pub mod verdict;

pub use inventory::{inventory, Inventory};
pub use model::*;

use crate::load::cache::{DotenvFile, FileCache};
use crate::load::env::{substitute_tree_with, Env, EnvOrigin};
use crate::load::include::IncludeContext;
use crate::load::read::{read_text_lossy, ReadError, CONFIG_LIMIT, SMALL_FILE_LIMIT};
use crate::load::tree::{file_start, Node};
use crate::load::{dotenv, not_utf8, parse_cached, unreadable, Problem, ProblemKind};
use crate::paths::{join, same_path};
use crate::source::{Loc, SourceMap, Span};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// The config as OpenClaw would see it, with the environment it was resolved in.
pub struct LoadedConfig {
    pub root: Option<Node>,
    pub exists: bool,
    /// No `$include` anywhere: OpenClaw repairs only such configs at start.
    pub single_file: bool,
    pub problems: Vec<Problem>,
}

/// Resolves one gateway. Never fails: what cannot be read or understood becomes a problem
/// on the instance, and the rest is resolved from defaults.
pub fn resolve_instance(inv: &Invocation, sources: &mut SourceMap) -> Instance {
    resolve_instance_with(inv, sources, &mut FileCache::new())
}

/// [`resolve_instance`], reusing what this run has already read and parsed (`cache`).
pub fn resolve_instance_with(
    inv: &Invocation,
    sources: &mut SourceMap,
    cache: &mut FileCache,
) -> Instance {
    resolve_instance_for(inv.clone(), sources, cache, None)
}

/// [`resolve_instance_with`] for a gateway the user says runs `release` (`--openclaw-version`,
/// clawlint.toml): its port is the one that release gives, whatever the layout shows.
///
/// Takes the invocation: the instance keeps its name, discovery, paths, environment and
/// supervisor, moved out of it rather than copied (a run resolves every invocation once and
/// then drops it).
pub fn resolve_instance_for(
    mut inv: Invocation,
    sources: &mut SourceMap,
    cache: &mut FileCache,
    release: Option<&str>,
) -> Instance {
    let mut env = std::mem::take(&mut inv.env);
    if env.value("HOME").is_none() {
        env.set("HOME", crate::paths::text(&inv.home), EnvOrigin::Given);
    }
    let mut problems = Vec::new();
    apply_root_flags(&inv, &mut env);
    // Read in the process environment, before `.env` files: OpenClaw looks at it while
    // loading its modules (conformance case env-profile-invalid-dotenv-workspace-dir).
    let profile_crash = invalid_profile_env(&env);
    let invalid_profile = match profile_crash {
        Some(_) => None,
        None => env
            .get("OPENCLAW_PROFILE")
            .filter(|v| crate::openclaw::is_refused_profile_name(&v.value))
            .cloned(),
    };
    let crashes_on_profile = profile_crash.is_some();
    problems.extend(profile_crash);
    let written = inv
        .written_home
        .as_deref()
        .map(|written| crate::paths::WrittenHome {
            written,
            home: &inv.home,
        });
    let Places {
        home,
        state_dir,
        config_path,
    } = load_dotenv_files(&inv, written, &mut env, sources, cache, &mut problems);
    let config_file = container::read_path(inv.container.as_deref(), &config_path.value);
    let mut config =
        load_config_written(&config_file, &env, &home, &inv.cwd, written, sources, cache);
    problems.append(&mut config.problems);
    if let Some(var) = &invalid_profile {
        problems.extend(invalid_profile_migration(var, &config_file, sources));
    }
    if let Some(root) = &config.root {
        apply_config_env_block(root, written, &mut env, cache);
    }
    if let Some(root) = config.root.as_mut() {
        substitute_tree_with(root, &env, &mut problems, cache.substitutions());
        if let Some(written) = written {
            map_written_home(root, written);
        }
    }
    let loaded_root = config.root.is_some();
    let root = config
        .root
        .unwrap_or_else(|| empty_root(sources, &config_path.value));
    // The main file decides (OpenClaw's `containsConfigIncludeDirective` on the parsed file):
    // a root that is one `$include` is the included file's root, not the main file's.
    let config_uses_include = loaded_root
        && sources
            .lookup(&config_file)
            .is_some_and(|main| crate::validate::uses_include(sources, main));
    let detected = release::detect(&inv, &env, loaded_root.then_some(&root), sources, cache);

    let ctx = paths::PathContext {
        env: &env,
        home: &home,
        cwd: &inv.cwd,
        state_dir: &state_dir.value,
        config: &root,
    };
    let workspace = paths::default_workspace(&ctx);
    let agents = paths::agents(&ctx, &workspace);
    let data_dirs = paths::data_dirs(&ctx);
    let profile = paths::profile(&env);
    let (port, port_kind) = ports::gateway_port_for(
        &inv,
        &env,
        &root,
        release.or(detected.release.as_ref().map(|r| r.value.as_str())),
    );
    let mut start_facts = if config.exists {
        startup::facts(&root, &port)
    } else {
        Vec::new()
    };
    let browser = browser::resolve(&root, &port, &mut problems, &mut start_facts);
    if let Some(service) = &inv.service {
        problems.extend(startup::refused_service_start(
            service,
            &env,
            &home,
            &state_dir,
            &config_path,
        ));
    }
    if let Some(container) = &inv.container {
        problems.extend(startup::refused_container_start(container));
    }
    // One look at ~/.clawdbot and ~/.openclaw: a move the start cannot make, or one it makes.
    let legacy = startup::legacy_state_move(&env, &home, inv.container.as_deref());
    problems.extend(startup::pending_legacy_state_move(
        legacy.as_ref(),
        crate::load::tree::file_start(root.loc.file),
    ));
    let legacy_state_moves = legacy == Some(startup::LegacyMove::Moves);
    // Every listener the config asks for; the start verdict clears them when the gateway
    // does not start.
    let listeners = ports::listeners(&root, &port, browser.as_ref());
    let mut credentials =
        channels::credentials(&root, &env, &home, &inv.cwd, inv.container.is_some());
    // A wrapper that injects environment (`op run`) may provide what no file shows: such a
    // variable is unverifiable (CL304), not missing (CL502).
    if let Some(by) = inv
        .service
        .as_ref()
        .and_then(|s| s.how.injects_env.as_ref())
    {
        problems.retain(|p| p.kind != crate::load::ProblemKind::MissingEnvVar);
        for credential in &mut credentials {
            if let SecretIdentity::Unresolved {
                reference, reason, ..
            } = &mut credential.secret
            {
                if reference.starts_with("env:") {
                    *reason = format!(
                        "{} is in no file clawlint reads; {by} may provide it when the gateway starts",
                        reference.rsplit(':').next().unwrap_or(reference)
                    );
                }
            }
        }
    }

    let tailscale = tailscale_ingress(&root);
    let bind = effective_bind(&inv, &root, tailscale.is_some());
    let unseen_env = start_env_unseen(&inv, &env);
    if !unseen_env {
        let config_missing = !config.exists
            && inv.container.is_none()
            && !config_path_unseen(&inv, &env, (&state_dir, &config_path));
        let shown = |p: &Path| crate::paths::display_home_relative(p, &inv.home);
        let near_miss = config_missing
            .then(|| startup::config_near_miss(&env, &home, &config_path.value, &shown))
            .flatten();
        problems.extend(startup::refused_unconfigured(&startup::Unconfigured {
            allowed: inv.allow_unconfigured,
            dev: inv.dev,
            config: (config.exists && loaded_root).then_some(&root),
            config_missing,
            config_path: shown(&config_path.value),
            near_miss,
            started_at: inv.service.as_ref().map(|s| s.loc),
        }));
    }
    // A config that was not read (outside the layout, unreadable) is not judged.
    if config.exists && loaded_root {
        problems.extend(startup::refused_open_bind(&root, &env, &bind, unseen_env));
        problems.extend(startup::refused_tailscale_bind(
            &root,
            &bind,
            tailscale.as_ref(),
        ));
    }
    let mut log_file = paths::log_file(&ctx);
    // A service with a `/tmp` of its own logs where no other gateway does.
    if let Some(service) = inv.service.as_deref().filter(|s| s.how.private_tmp) {
        if let Some(own) = crate::container::private_tmp_path(&service.name, &log_file.value) {
            log_file.value = own;
        }
    }
    // One join: the same bytes as `tmp` then `openclaw-<uid>` joined in turn.
    let lock_dir = join(&state_dir.value, "tmp/openclaw-<uid>");
    let mut instance = Instance {
        profile_flag: root_flag_profile(&inv).map(str::to_string),
        name: std::mem::take(&mut inv.name),
        discovery: std::mem::replace(&mut inv.discovery, Discovery::Given),
        home,
        os_home: std::mem::take(&mut inv.home),
        cwd: std::mem::take(&mut inv.cwd),
        lock_dir,
        log_file,
        profile,
        config_path,
        config_exists: config.exists,
        config_loc: Loc {
            file: root.loc.file,
            span: crate::load::json5::Span::new(
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
        ignored_port_env: ports::ignored_port_env(&env).map(Box::new),
        tailscale: tailscale.map(Box::new),
        config_port: ports::configured_port(&root),
        service: inv.service.take(),
        other_services: Vec::new(),
        other_starts: Vec::new(),
        listeners,
        browser,
        credentials,
        refusal: None,
        crashes_on_profile,
        legacy_state_moves,
        start: verdict::StartVerdict::default(),
        target_start: None,
        start_facts,
        problems,
        env,
        config_root: loaded_root.then(|| Box::new(root)),
        config_facts: None,
        data_owner: None,
        config_uses_include,
        release: detected.release.clone(),
        release_sources: detected.sources,
        validity: None,
        gateway_bind: bind.mode,
        gateway_bind_loc: bind.loc,
        container: None,
        container_listeners: Vec::new(),
        unverifiable: Vec::new(),
    };
    instance.unverifiable = unverifiable(&instance);
    if let Some(c) = inv.container.as_deref() {
        let unseen = c.unseen_values.as_deref();
        let hidden = unseen
            .map(|u| unseen_in_container(u, &instance))
            .unwrap_or_default();
        for what in hidden
            .into_iter()
            .chain(container::hidden_by_mounts(&instance, c))
        {
            if !instance.unverifiable.contains(&what) {
                instance.unverifiable.push(what);
            }
        }
    }
    if !instance.knows(Unverifiable::Port) {
        // Every port derived from an unknown base is unknown too: only what the config pins
        // stays.
        instance.listeners.retain(|l| {
            l.kind != ListenerKind::Gateway && !matches!(l.origin, Origin::Derived { .. })
        });
    }
    // Without the release's validation yet: the validation step decides again with it.
    verdict::decide(&mut instance);
    if let Some(c) = inv.container.take() {
        container::host_view(&mut instance, c);
    }
    tighten(&mut instance);
    instance
}

/// Gives up the slots an instance's lists grew into and do not use. An instance lives to the
/// end of the run, and its lists were built by pushing and extending: at 10,000 gateways the
/// unused slots of five listeners (eight slots), two credentials (four) and three browser
/// profiles (four) alone were about 8 MB of the heap's peak.
fn tighten(instance: &mut Instance) {
    use crate::collections::exact;
    exact(&mut instance.listeners);
    exact(&mut instance.credentials);
    exact(&mut instance.agents);
    exact(&mut instance.data_dirs);
    exact(&mut instance.problems);
    exact(&mut instance.start_facts);
    exact(&mut instance.release_sources);
    if let Some(browser) = &mut instance.browser {
        exact(&mut browser.profiles);
    }
    instance.env.tighten();
}

/// What clawlint cannot determine about a supervised gateway: with a command it cannot read
/// (`how.opaque`), every value that would come from OpenClaw's defaults, because the hidden
/// command may pass `--port` or `--profile`; with variables the command may or may not get
/// (`how.maybe_set`, a conditional `export`; `how.manager_may_set`, a manager environment
/// read only up to its budget), every value OpenClaw resolves from them. What
/// the supervisor's own environment, its arguments and the config set for certain is kept.
fn unverifiable(instance: &Instance) -> Vec<Unverifiable> {
    let Some(how) = instance.service.as_ref().map(|s| &s.how) else {
        return Vec::new();
    };
    let mut out = match how.opaque {
        Some(_) => defaults_unverifiable(instance),
        None => Vec::new(),
    };
    let maybe = maybe_set_unverifiable(&how.maybe_set, instance);
    let unknown = maybe_set_unverifiable(&how.unknown_values, instance);
    let manager = maybe_set_unverifiable(&how.manager_may_set, instance);
    for value in maybe.into_iter().chain(unknown).chain(manager) {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// What a container gateway resolves from values clawlint cannot see (CL409): from an
/// `environment:` entry left out, what OpenClaw resolves from that variable, as from one a
/// native gateway may or may not get; from a command's `--port` or `--profile` made of such
/// a value, the port or profile. (The state dir and config below a mount left out are the
/// mount's: `container::host_view`.)
fn unseen_in_container(
    unseen: &crate::container::UnseenValues,
    instance: &Instance,
) -> Vec<Unverifiable> {
    let mut variables = Vec::new();
    let mut out = Vec::new();
    for e in &unseen.entries {
        match (e.key, e.variable.as_deref()) {
            ("environment", Some(name)) => variables.push(name.to_string()),
            // `--port` beats every other source: unseen, the port is, whatever gives it now.
            (_, Some("--port")) => out.push(Unverifiable::Port),
            (_, Some("--profile")) => out.push(Unverifiable::Profile),
            _ => {}
        }
    }
    variables.sort();
    for what in maybe_set_unverifiable(&variables, instance) {
        if !out.contains(&what) {
            out.push(what);
        }
    }
    out
}

/// Whether a supervised gateway's config path may be other than the one clawlint resolved,
/// by the rules that make it unverifiable ([`defaults_unverifiable`],
/// [`maybe_set_unverifiable`]): its command cannot be read and the path is OpenClaw's default,
/// or a variable it is resolved from may be set or has a value clawlint cannot work out. A
/// config missing there is then not judged.
fn config_path_unseen(
    inv: &Invocation,
    env: &crate::load::env::Env,
    (state_dir, config_path): (&Sourced<PathBuf>, &Sourced<PathBuf>),
) -> bool {
    let Some(how) = inv.service.as_ref().map(|s| &s.how) else {
        return false;
    };
    let defaults = matches!(state_dir.origin, Origin::Default(_))
        && matches!(config_path.origin, Origin::Default(_));
    let profile_flag = root_flag_profile(inv).is_some();
    (how.opaque.is_some() && defaults)
        || [&how.maybe_set, &how.unknown_values, &how.manager_may_set]
            .into_iter()
            .any(|names| hidden_paths(names, env, profile_flag).config)
}

/// Behind an opaque command: the values that would come from OpenClaw's defaults.
fn defaults_unverifiable(instance: &Instance) -> Vec<Unverifiable> {
    let mut out = Vec::new();
    let state_dir_unknown = matches!(instance.state_dir.origin, Origin::Default(_));
    let config_unknown =
        state_dir_unknown && matches!(instance.config_path.origin, Origin::Default(_));
    // A port read from a config that is itself only the default guess is a guess too.
    let port_unknown = match instance.port_kind {
        PortKind::Default | PortKind::ProfileHash => true,
        PortKind::Config => config_unknown,
        PortKind::Argument | PortKind::ServiceArgument | PortKind::Env => false,
    };
    if port_unknown {
        out.push(Unverifiable::Port);
    }
    if instance.profile.is_none() {
        out.push(Unverifiable::Profile);
    }
    if state_dir_unknown {
        out.push(Unverifiable::StateDir);
    }
    if config_unknown {
        out.push(Unverifiable::ConfigPath);
    }
    out
}

/// Whether the state dir and the config path OpenClaw resolves change with the variables
/// `names` (openclaw-facts.md §1.2–1.6): the state dir comes from `OPENCLAW_STATE_DIR`, else
/// the home (`OPENCLAW_HOME`, `HOME`) unless an absolute state dir is set and no `--profile`
/// overrides it; the config from `OPENCLAW_CONFIG_PATH`, else the state dir.
struct HiddenPaths {
    state_dir: bool,
    config: bool,
}

fn hidden_paths(names: &[String], env: &crate::load::env::Env, profile_flag: bool) -> HiddenPaths {
    let maybe = |name: &str| names.iter().any(|n| n == name);
    let env_set = |name: &str| env.value(name).is_some() && !maybe(name);
    let absolute_state_dir = env_set("OPENCLAW_STATE_DIR")
        && !profile_flag
        && env
            .value("OPENCLAW_STATE_DIR")
            .is_some_and(|v| v.trim_start().starts_with('/'));
    let state_dir = maybe("OPENCLAW_STATE_DIR")
        || ((maybe("OPENCLAW_HOME") || maybe("HOME")) && !absolute_state_dir);
    let config = maybe("OPENCLAW_CONFIG_PATH") || (state_dir && !env_set("OPENCLAW_CONFIG_PATH"));
    HiddenPaths { state_dir, config }
}

/// What OpenClaw resolves from variables the gateway may or may not get (openclaw-facts.md
/// §1.2–1.6, §2.1): `--port` beats every source of the port, `OPENCLAW_GATEWAY_PORT` the
/// config; the state dir comes from `OPENCLAW_STATE_DIR`, else the home
/// (`OPENCLAW_HOME`, `HOME`); the config from `OPENCLAW_CONFIG_PATH`, else the state dir; the
/// profile from `--profile`/`--dev`, else `OPENCLAW_PROFILE`, whose hash port is the
/// fallback. A value any of those may change is not guessed.
fn maybe_set_unverifiable(names: &[String], instance: &Instance) -> Vec<Unverifiable> {
    if names.is_empty() {
        return Vec::new();
    }
    let maybe = |name: &str| names.iter().any(|n| n == name);
    let HiddenPaths { state_dir, config } =
        hidden_paths(names, &instance.env, instance.profile_flag.is_some());
    let profile = maybe("OPENCLAW_PROFILE") && instance.profile_flag.is_none();
    let port = match instance.port_kind {
        PortKind::Argument | PortKind::ServiceArgument => false,
        _ if maybe("OPENCLAW_GATEWAY_PORT") => true,
        PortKind::Env => false,
        PortKind::Config => config,
        PortKind::Default | PortKind::ProfileHash => config || profile,
    };
    [
        (port, Unverifiable::Port),
        (profile, Unverifiable::Profile),
        (state_dir, Unverifiable::StateDir),
        (config, Unverifiable::ConfigPath),
    ]
    .into_iter()
    .filter_map(|(unknown, what)| unknown.then_some(what))
    .collect()
}

/// A supervised gateway's config was written on the machine its supervisor comes from: an
/// absolute path under the home the supervisor's paths were written under (`/root/…`,
/// `/home/ana/…`, also for a unit without `HOME=`) is read under the scanned home, as the
/// supervisor's own paths are (discover's path map). Only whole path components match:
/// `/home/anabel` is not under `/home/ana`.
/// Only the path to a string that changes is copied: the rest stays shared with the cached
/// parse (an include many gateways share).
fn map_written_home(node: &mut Node, written: crate::paths::WrittenHome) {
    if let Some(new) = written_home_mapped(node, written) {
        *node = new;
    }
}

/// The node with the written home mapped, or `None` when nothing in it changes.
fn written_home_mapped(node: &Node, written: crate::paths::WrittenHome) -> Option<Node> {
    use crate::load::tree::Value;
    let value = match &node.value {
        Value::String(s) => Value::String(written.map(s)?.into()),
        Value::Array(items) => {
            let mut copy: Option<Vec<Node>> = None;
            for (i, item) in items.iter().enumerate() {
                if let Some(new) = written_home_mapped(item, written) {
                    copy.get_or_insert_with(|| items.as_ref().clone())[i] = new;
                }
            }
            Value::array(copy?)
        }
        Value::Object(members) => {
            let mut copy: Option<Vec<crate::load::tree::Member>> = None;
            for (i, member) in members.iter().enumerate() {
                if let Some(new) = written_home_mapped(&member.value, written) {
                    copy.get_or_insert_with(|| members.as_ref().clone())[i].value = new;
                }
            }
            Value::object(copy?)
        }
        _ => return None,
    };
    Some(Node {
        value,
        loc: node.loc,
        env_refs: node.env_refs.clone(),
    })
}

/// OpenClaw does not validate `OPENCLAW_PROFILE` from the environment; it crashes while
/// loading its modules with `Invalid profile name` (openclaw-facts.md §1.1) when its default
/// workspace is that profile's state dir: neither `OPENCLAW_WORKSPACE_DIR` nor
/// `OPENCLAW_STATE_DIR` is set (`resolveDefaultAgentWorkspaceDir`). With either set it runs
/// (conformance cases unit-env-profile-invalid-*, env-profile-invalid-*).
fn invalid_profile_env(env: &Env) -> Option<Problem> {
    let var = env.get("OPENCLAW_PROFILE")?;
    if !crate::openclaw::crashes_on_profile(
        Some(var.value.as_str()),
        env.value("OPENCLAW_WORKSPACE_DIR"),
        env.value("OPENCLAW_STATE_DIR"),
    ) {
        return None;
    }
    Some(invalid_profile_problem(
        var,
        "OpenClaw exits with \"Invalid profile name\" (with neither OPENCLAW_STATE_DIR nor \
         OPENCLAW_WORKSPACE_DIR set, its default workspace is that profile's own state dir)",
    ))
}

/// CL909's problem for an invalid `OPENCLAW_PROFILE` (its name shown under the secret policy),
/// `why` saying where OpenClaw stops on it.
fn invalid_profile_problem(var: &crate::load::env::EnvVar, why: &str) -> Problem {
    let name = var.value.trim_matches(crate::paths::is_js_whitespace);
    Problem {
        kind: ProblemKind::Refused,
        message: format!(
            "OPENCLAW_PROFILE={} is not a valid profile name (letters, numbers, \"_\", \"-\"; \
             at most 64): {why}",
            crate::redact::shown_quoted(crate::redact::Kind::Name, name)
        ),
        loc: var.origin.loc(),
    }
}

/// An invalid `OPENCLAW_PROFILE` that does not crash OpenClaw at load (its state dir or
/// workspace dir is set) still stops the start when the start-up state migration runs: it
/// asks for the profile's own state dir and fails with `Invalid profile name`
/// (`gateway.maintenance_required`). Recorded with OpenClaw 2026.9.6: it ran with a config in
/// plain JSON, or none (conformance cases unit-env-profile-invalid-with-state-dir,
/// env-profile-invalid-workspace-dir), and refused with every config JSON.parse rejects
/// (JSON5 keys, a comment, a trailing comma: env-profile-invalid-state-dir-json5-config).
fn invalid_profile_migration(
    var: &crate::load::env::EnvVar,
    config_file: &std::path::Path,
    sources: &SourceMap,
) -> Option<Problem> {
    // The loader recorded whether the text is plain JSON when it parsed it.
    let id = sources.lookup(config_file)?;
    if sources.file(id).plain_json {
        return None;
    }
    Some(invalid_profile_problem(
        var,
        "OpenClaw's start-up state migration stops with \"Invalid profile name\" on a config \
         that is not plain JSON",
    ))
}

/// `--dev` is `--profile dev`; both run OpenClaw's `applyCliProfileEnv`.
fn root_flag_profile(inv: &Invocation) -> Option<&str> {
    if inv.dev {
        Some("dev")
    } else {
        inv.profile_flag.as_deref()
    }
}

fn apply_root_flags(inv: &Invocation, env: &mut Env) {
    let Some(profile) = root_flag_profile(inv) else {
        return;
    };
    let flag = if inv.dev {
        "--dev".to_string()
    } else {
        format!("--profile {profile}")
    };
    let home = paths::effective_home(env, &inv.home, &inv.cwd);
    profile::apply_profile_flag(env, profile, &flag, &home, &inv.cwd);
}

/// `.env` files in OpenClaw's order, each only filling what is still unset: the working
/// directory's (filtered), then the state dir's (unfiltered), the config dir's, and
/// `~/.config/openclaw/gateway.env` when the state `.env` is the default one. Returns where the
/// environment then puts the gateway's files.
fn load_dotenv_files(
    inv: &Invocation,
    written: Option<crate::paths::WrittenHome>,
    env: &mut Env,
    sources: &mut SourceMap,
    cache: &mut FileCache,
    problems: &mut Vec<Problem>,
) -> Places {
    let in_container = inv.container.as_deref();
    let cwd_env = join(&inv.cwd, ".env");
    read_dotenv(
        &container::read_path(in_container, &cwd_env),
        written,
        env,
        sources,
        cache,
        problems,
        true,
    );
    // Every file read so far, the ones this round adds last: at most the working directory's
    // and three a round for four rounds, so the look-ups through it are bounded. Sized for
    // the usual run (one round, the state `.env` and maybe the config dir's and gateway.env).
    let mut loaded: Vec<PathBuf> = Vec::with_capacity(4);
    loaded.push(cwd_env);
    // A state `.env` may move the state dir or config (OpenClaw then reads the new one's
    // `.env` too), so look again until nothing new turns up.
    let mut places = Places::of(env, inv);
    for _ in 0..4 {
        let state_env = join(&places.state_dir.value, ".env");
        let gateway_env = same_path(&state_env, &join(&join(&places.home, ".openclaw"), ".env"))
            .then(|| join(&inv.home, ".config/openclaw/gateway.env"));
        let config_env = join(
            places.config_path.value.parent().unwrap_or(Path::new(".")),
            ".env",
        );
        // The state `.env` is usually the config dir's too: read once.
        let fresh = loaded.len();
        for c in [Some(state_env), Some(config_env), gateway_env]
            .into_iter()
            .flatten()
        {
            if !loaded.iter().any(|p| same_path(p, &c)) {
                loaded.push(c);
            }
        }
        if loaded.len() == fresh {
            return places;
        }
        let mut moved = false;
        for path in &loaded[fresh..] {
            moved |= read_dotenv(
                &container::read_path(in_container, path),
                written,
                env,
                sources,
                cache,
                problems,
                false,
            );
        }
        // Looking again with the same places would find nothing new.
        if !moved {
            return places;
        }
        places = Places::of(env, inv);
    }
    places
}

/// Where a gateway's environment puts its home, state dir and config.
struct Places {
    home: PathBuf,
    state_dir: Sourced<PathBuf>,
    config_path: Sourced<PathBuf>,
}

impl Places {
    /// The variables [`Places::of`] reads: unless one of them changes, the places stay.
    const VARS: [&'static str; 4] = [
        "OPENCLAW_HOME",
        "HOME",
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_CONFIG_PATH",
    ];

    fn of(env: &Env, inv: &Invocation) -> Places {
        let home = paths::effective_home(env, &inv.home, &inv.cwd);
        let exists = |p: &Path| container::exists(inv.container.as_deref(), p);
        let state_dir = paths::state_dir(env, &home, &inv.cwd, exists);
        let config_path = paths::config_path(env, &home, &inv.cwd, &state_dir.value, exists);
        Places {
            home,
            state_dir,
            config_path,
        }
    }
}

/// Reads a `.env` file into `env`; true when it set one of the variables [`Places`] reads.
fn read_dotenv(
    path: &Path,
    written: Option<crate::paths::WrittenHome>,
    env: &mut Env,
    sources: &mut SourceMap,
    cache: &mut FileCache,
    problems: &mut Vec<Problem>,
    filtered: bool,
) -> bool {
    match cache.dotenv(path) {
        Some(read) => apply_dotenv(read, None, path, written, env, sources, problems, filtered),
        None => {
            let (mut read, text_kept) = read_dotenv_file(path, sources);
            // Entries the cache is not to keep are moved into `env`, not copied.
            let owned = match &mut read {
                DotenvFile::Read { entries, .. } if !cache.keeps_dotenv_entries(text_kept) => {
                    entries.take()
                }
                _ => None,
            };
            let moved = apply_dotenv(
                &read, owned, path, written, env, sources, problems, filtered,
            );
            cache.keep_dotenv(path, read, text_kept);
            moved
        }
    }
}

/// Sets what a `.env` file read sets that is still unset; true when that is one of the
/// variables [`Places`] reads. `owned`: its entries, taken out of `read`, whose values are
/// moved into `env`.
#[allow(clippy::too_many_arguments)]
fn apply_dotenv(
    read: &DotenvFile,
    owned: Option<Vec<dotenv::Entry>>,
    path: &Path,
    written: Option<crate::paths::WrittenHome>,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    filtered: bool,
) -> bool {
    let (file, entries, bad_byte) = match read {
        DotenvFile::Missing => return false,
        DotenvFile::Unreadable(err) => {
            problems.push(unreadable(sources, path, err));
            return false;
        }
        DotenvFile::Read {
            file,
            entries,
            bad_byte,
        } => (*file, entries, *bad_byte),
    };
    problems.extend(bad_byte.map(|offset| not_utf8(sources, path, offset)));
    // Not kept by the cache: parsed again from the text the source map keeps.
    let entries: Cow<[dotenv::Entry]> = match (owned, entries) {
        (Some(owned), _) => Cow::Owned(owned),
        (None, Some(entries)) => Cow::Borrowed(entries),
        (None, None) => Cow::Owned(dotenv_entries(&sources.file(file).text)),
    };
    let mut moved = false;
    let mut set = |key: Cow<str>, span: Span, value: Cow<str>| {
        if filtered && dotenv::blocked_in_workspace_dotenv(&key) {
            return;
        }
        let origin = EnvOrigin::DotEnv(Loc { file, span });
        // A `.env` beside a supervised gateway's config was written on the same machine.
        let value = written
            .and_then(|w| w.map(&value))
            .unwrap_or_else(|| value.into_owned());
        let a_place = Places::VARS.contains(&&*key);
        moved |= env.set_default_named(key, value, origin) && a_place;
    };
    match entries {
        Cow::Borrowed(entries) => {
            for entry in entries {
                set(
                    Cow::Borrowed(&entry.key),
                    entry.span,
                    Cow::Borrowed(&entry.value),
                );
            }
        }
        Cow::Owned(entries) => {
            for entry in entries {
                set(Cow::Owned(entry.key), entry.span, Cow::Owned(entry.value));
            }
        }
    }
    moved
}

/// The entries of a `.env` file's text that take effect (the last of each key).
fn dotenv_entries(text: &str) -> Vec<dotenv::Entry> {
    dotenv::parse(text).into_effective()
}

/// Reads and parses a `.env` file once: its secrets redacted and its suppressions noted in
/// the source map, its effective entries kept. With it, whether the source map took its
/// text (it keeps the first text of a path: this one, unless it had the path already).
fn read_dotenv_file(path: &Path, sources: &mut SourceMap) -> (DotenvFile, bool) {
    let (text, bad_byte) = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok(read) => read,
        Err(ReadError::Missing) => return (DotenvFile::Missing, false),
        Err(err) => return (DotenvFile::Unreadable(err), false),
    };
    let parsed = dotenv::parse(&text);
    let items: Vec<_> = parsed.entries.iter().map(|e| e.span).collect();
    let comments = parsed.comments.iter().map(|c| (c.span, c.text(&text)));
    let suppressions = crate::source::directive::from_comments(&text, comments, &items);
    let entries = Some(parsed.into_effective());
    let (file, text_kept) = match sources.add_unless_known(path, text, None) {
        Ok(file) => {
            // Scanned for what may be shown only if it is ever shown (few are).
            sources.show_when_asked(file, crate::redact::scan::env_lines);
            (file, true)
        }
        Err((file, text)) => {
            // The map has another text of this path: what this one shows, as before.
            sources.show(file, crate::redact::scan::env_lines(&text));
            (file, false)
        }
    };
    sources.set_suppressions(file, suppressions);
    let read = DotenvFile::Read {
        file,
        entries,
        bad_byte,
    };
    (read, text_kept)
}

/// Reads the config and its includes. A missing config is not a problem: OpenClaw runs on
/// defaults.
pub fn load_config(
    path: &Path,
    env: &Env,
    home: &Path,
    cwd: &Path,
    sources: &mut SourceMap,
    cache: &mut FileCache,
) -> LoadedConfig {
    load_config_written(path, env, home, cwd, None, sources, cache)
}

/// [`load_config`] for a supervised gateway whose config was written under another home:
/// absolute `$include` paths under it are read under the scanned home.
pub fn load_config_written(
    path: &Path,
    env: &Env,
    home: &Path,
    cwd: &Path,
    written: Option<crate::paths::WrittenHome>,
    sources: &mut SourceMap,
    cache: &mut FileCache,
) -> LoadedConfig {
    let parsed = match parse_cached(path, CONFIG_LIMIT, None, sources, cache) {
        Ok(parsed) => parsed,
        Err(ReadError::Missing) if crate::paths::host::symlink_metadata(path).is_ok() => {
            let target = crate::paths::host::read_link(path)
                .map(|t| crate::paths::display_path(&t))
                .unwrap_or_default();
            let err = ReadError::Io(format!(
                "a dangling symlink (to {target}, which does not exist); OpenClaw fails to read it"
            ));
            return LoadedConfig {
                root: None,
                exists: true,
                single_file: true,
                problems: vec![unreadable(sources, path, &err)],
            };
        }
        Err(ReadError::Missing) => {
            return LoadedConfig {
                root: None,
                exists: false,
                single_file: true,
                problems: Vec::new(),
            }
        }
        Err(err) => {
            return LoadedConfig {
                root: None,
                exists: true,
                single_file: true,
                problems: vec![unreadable(sources, path, &err)],
            }
        }
    };
    let encoding: Vec<Problem> = parsed
        .bad_byte
        .map(|offset| not_utf8(sources, path, offset))
        .into_iter()
        .collect();
    let root = match parsed.result {
        Ok(root) => root,
        Err(problem) => {
            let mut problems = encoding;
            problems.push(problem);
            return LoadedConfig {
                root: None,
                exists: true,
                single_file: true,
                problems,
            };
        }
    };
    // The parse found no `$include` (nearly every config): nothing to expand.
    if !parsed.has_include {
        return LoadedConfig {
            root: Some(root),
            exists: true,
            single_file: true,
            problems: encoding,
        };
    }
    let roots = paths::include_roots(env, home, cwd);
    let mut includes = IncludeContext::new(sources, cache, path, &roots);
    if let Some(written) = written {
        includes.map_written_home(written.written, written.home);
    }
    let root = includes.process(root, path);
    let mut problems = encoding;
    problems.extend(includes.problems);
    LoadedConfig {
        root: Some(root),
        exists: true,
        single_file: false,
        problems,
    }
}

/// A stand-in root for a gateway without a usable config: OpenClaw's defaults apply.
fn empty_root(sources: &mut SourceMap, config_path: &Path) -> Node {
    let file = match sources.lookup(config_path) {
        Some(file) => file,
        None => sources.add(config_path, String::new(), None),
    };
    Node::empty_object(file_start(file))
}

/// `env.vars` fill variables that are still unset (`applyConfigEnvVars`), then the retired
/// shorthand (`env: { KEY: "v" }`), which a starting gateway moves into `env.vars` where that
/// key is not set already. OpenClaw blocks a few keys there; `OPENCLAW_INCLUDE_ROOTS` is the
/// one that matters to clawlint.
fn apply_config_env_block(
    root: &Node,
    written: Option<crate::paths::WrittenHome>,
    env: &mut Env,
    cache: &mut FileCache,
) {
    use crate::load::tree::Value;
    let map = |value: &str| {
        written
            .and_then(|w| w.map(value))
            .unwrap_or_else(|| value.to_string())
    };
    let vars_node = root.at(&["env", "vars"]);
    if let Some(Value::Object(members)) = vars_node.map(|n| &n.value) {
        // Values under a written home are mapped: one layer per object and mapping.
        let mapping = written.map(|w| (w.written.to_string(), w.home.to_path_buf()));
        let layer = cache.env_layer(members, mapping, |members| {
            let mut layer = crate::load::env::EnvLayer::new();
            for member in members {
                if member.key == "OPENCLAW_INCLUDE_ROOTS" {
                    continue;
                }
                if let Some(value) = member.value.as_str() {
                    // The first of two equal keys wins, as `set_default` would have it.
                    layer.entry(member.key.to_string()).or_insert_with(|| {
                        crate::load::env::EnvVar {
                            value: map(value),
                            origin: EnvOrigin::ConfigEnv(member.value.loc),
                        }
                    });
                }
            }
            layer
        });
        env.with_defaults(&layer);
    }
    let vars = vars_node.map(Node::members).unwrap_or_default();
    let shorthand = startup::env_shorthand(root)
        .into_iter()
        .filter(|m| vars.iter().all(|v| v.key != m.key));
    for member in shorthand {
        if member.key == "OPENCLAW_INCLUDE_ROOTS" {
            continue;
        }
        if let Some(value) = member.value.as_str() {
            let origin = EnvOrigin::ConfigEnv(member.value.loc);
            let value = written
                .and_then(|w| w.map(value))
                .unwrap_or_else(|| value.to_string());
            env.set_default(&member.key, value, origin);
        }
    }
}

/// Paths relative to a config value are resolved the way OpenClaw's `resolveUserPath` does.
pub fn user_path(raw: &str, home: &Path, cwd: &Path) -> PathBuf {
    crate::paths::resolve_user_path(raw.trim_matches(crate::paths::is_js_whitespace), home, cwd)
}

/// Canonical keys for every path a rule compares: each gateway's home, state dir, config
/// file and its dir, workspaces, agent dirs, log file and data dirs, and the profile dirs of
/// its home (where a copied unit's profile would live). Computed once, here, so that rules
/// never touch the file system; the entries of the paths the path rules compare are kept by
/// gateway, so that they read each key without looking it up again. `keys` holds those known
/// already (each directory is looked up once per run).
pub fn path_keys(
    instances: &[Instance],
    mut keys: crate::paths::PathKeys,
) -> crate::paths::PathKeys {
    // A path spelt as one just inserted is not inserted again (a hash and a lookup of its
    // bytes, to find it kept): the gateways of a host share their home and their user's, and
    // a gateway's config dir and profile state dir are nearly always its state dir.
    let mut homes: Option<(&Path, &Path, crate::paths::Kept)> = None;
    // One list of each for every gateway, refilled.
    let (mut data_dirs, mut agents) = (Vec::new(), Vec::new());
    for inst in instances {
        let os_home = match homes {
            Some((home, os_home, kept))
                if same_bytes(home, &inst.home) && same_bytes(os_home, &inst.os_home) =>
            {
                kept
            }
            _ => {
                keys.insert(&inst.home);
                let kept = keys.insert_kept(&inst.os_home);
                homes = Some((&inst.home, &inst.os_home, kept));
                kept
            }
        };
        let state_dir = &inst.state_dir.value;
        let state_dir_kept = keys.insert_kept(state_dir);
        let config_file = keys.insert_kept(&inst.config_path.value);
        if let Some(dir) = crate::paths::parent(&inst.config_path.value) {
            if !same_bytes(dir, state_dir) {
                keys.insert(dir);
            }
        }
        // OpenClaw's default rolling log (`/tmp/openclaw/…`, no file, unit or mount named it)
        // lies outside every layout: keyed as written, never looked up.
        let log_file = match &inst.log_file.origin {
            Origin::Default(_) | Origin::Derived { .. } => {
                keys.insert_lexical(&inst.log_file.value)
            }
            _ => keys.insert_kept(&inst.log_file.value),
        };
        data_dirs.clear();
        let dirs = inst.data_dirs.iter();
        data_dirs.extend(dirs.map(|(_, dir)| keys.insert_kept(&dir.value)));
        agents.clear();
        agents.extend(inst.agents.iter().map(|agent| {
            let workspace = keys.insert_kept(&agent.workspace.value);
            (workspace, keys.insert_kept(&agent.agent_dir.value))
        }));
        keys.keep_gateway(crate::paths::GatewayKept {
            os_home,
            state_dir: state_dir_kept,
            config_file,
            log_file,
            data_dirs: &data_dirs,
            agents: &agents,
        });
        let profile = inst
            .profile
            .as_ref()
            .map_or("default", |p| p.value.as_str());
        let profile_state_dir = profile::profile_state_dir(&inst.home, profile);
        if !same_bytes(&profile_state_dir, state_dir) {
            keys.insert(&profile_state_dir);
        }
    }
    // Every key is computed: the rules only read them.
    keys.done_looking();
    keys
}

/// Whether two paths are spelt the same (then they have one key, kept once).
fn same_bytes(a: &Path, b: &Path) -> bool {
    a.as_os_str() == b.as_os_str()
}

/// The gateway's bind mode, as `gateway run` takes it: the command's `--bind` (the
/// container's, or the unit's) over `gateway.bind`; unset, `loopback` when it serves through
/// Tailscale (`serve`, `funnel`), else `auto` (every address) in a container it detects, else
/// `loopback` (`defaultGatewayBindMode`, openclaw-facts 2.6). With where it is set (for the
/// default, the container) and whether the command gives it.
fn effective_bind(inv: &Invocation, root: &Node, tailscale: bool) -> startup::Bind {
    let default_bind = match inv.container.is_some() && !tailscale {
        true => "auto",
        false => "loopback",
    };
    let command_bind = match &inv.container {
        Some(c) => c.bind.clone().map(|b| (b, c.bind_loc.or(Some(c.loc)))),
        None => inv
            .bind_arg
            .as_ref()
            .map(|b| (b.value.clone(), b.origin.loc())),
    };
    let config_bind = || {
        let node = root.at(&["gateway", "bind"])?;
        Some((node.as_str()?.to_string(), Some(node.loc)))
    };
    let by_command = command_bind.is_some();
    let (mode, loc) = match command_bind.or_else(config_bind) {
        Some((bind, loc)) => (std::borrow::Cow::Owned(bind), loc),
        None => (
            std::borrow::Cow::Borrowed(default_bind),
            inv.container.as_ref().map(|c| c.loc),
        ),
    };
    startup::Bind {
        mode,
        loc,
        in_container: inv.container.is_some(),
        by_command,
    }
}

/// Whether the environment the gateway starts with may hold what clawlint does not see, so
/// that a start refusal for a missing token is not judged: the command gives auth itself; a
/// compose `${VAR}` left blank (compose fills an unset one with an empty string unless the
/// shell that runs it sets it, which CL502 says); a scanned dir nothing starts (started by
/// hand, from a shell clawlint does not see); a wrapper that injects variables; a
/// container's values clawlint cannot see.
fn start_env_unseen(inv: &Invocation, env: &crate::load::env::Env) -> bool {
    let compose_blank = inv
        .container
        .as_ref()
        .is_some_and(|c| c.engine == crate::container::Engine::Compose)
        && ["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"]
            .iter()
            .any(|k| env.get(k).is_some_and(|v| v.value.trim().is_empty()));
    inv.auth_args
        || compose_blank
        || matches!(inv.discovery, Discovery::HomeDir(_))
        || (inv.service.as_ref()).is_some_and(|s| s.how.injects_env.is_some())
        || (inv.container.as_ref()).is_some_and(|c| c.unseen_values.is_some())
}

/// `gateway.tailscale.mode` `serve` or `funnel` (OpenClaw's managed Tailscale ingress).
pub fn tailscale_ingress(config: &crate::load::tree::Node) -> Option<Sourced<String>> {
    let node = config.at(&["gateway", "tailscale", "mode"])?;
    let mode = node.as_str()?;
    matches!(mode, "serve" | "funnel")
        .then(|| Sourced::new(mode.to_string(), Origin::Config(node.loc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.env` file whose entries the cache did not keep sets, for a second gateway, what it
    /// set for the first: parsed again from the text the source map holds, not read again.
    #[test]
    fn a_dotenv_not_kept_sets_the_same_for_a_second_reader() {
        let dir = std::env::temp_dir().join(format!("clawlint-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".env");
        std::fs::write(&path, b"A=1\nB=tw\xffo\nA=3\nOPENCLAW_STATE_DIR=/x\n").unwrap();
        let (mut sources, mut cache) = (SourceMap::new(), FileCache::dropping_own_files());
        let mut read = |filtered: bool| {
            let (mut env, mut problems) = (Env::new(), Vec::new());
            let sources = &mut sources;
            read_dotenv(
                &path,
                None,
                &mut env,
                sources,
                &mut cache,
                &mut problems,
                filtered,
            );
            let vars: Vec<_> = env
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            (vars, problems)
        };
        let first = read(false);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(read(false), first, "the same, with the file gone");
        assert_eq!(first.0.len(), 3);
        assert_eq!(first.1.len(), 1, "not UTF-8: {:?}", first.1);
        assert_eq!(read(true).0.len(), 2, "OPENCLAW_STATE_DIR filtered");
        assert_eq!(sources.files().count(), 1);
        assert!(matches!(
            cache.dotenv(&path),
            Some(DotenvFile::Read { entries: None, .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
