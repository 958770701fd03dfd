//! Where a gateway keeps things: home, state dir, config file, workspaces, agent dirs, log
//! file and service names (openclaw-facts.md §1, §5.1).

use super::model::{Agent, Origin, ServiceNames, Sourced};
use super::profile::home_relative;
use crate::load::env::Env;
use crate::load::tree::Node;
use crate::openclaw::normalize_profile_name;
use crate::paths::{expand_tilde, join, resolve, resolve_user_path};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

fn env_origin(env: &Env, var: &'static str) -> Origin {
    Origin::env(
        var,
        env.get(var)
            .map(|v| v.origin.clone())
            .expect("caller checked"),
    )
}

/// `resolveEffectiveHomeDir`: `OPENCLAW_HOME` (its `~` expanded with the OS home) or `HOME`.
pub fn effective_home(env: &Env, os_home: &Path, cwd: &Path) -> PathBuf {
    let usable = |v: &&str| {
        !matches!(
            v.trim_matches(crate::paths::is_js_whitespace),
            "" | "undefined" | "null"
        )
    };
    if let Some(raw) = env.value("OPENCLAW_HOME").filter(usable) {
        let raw = raw.trim_matches(crate::paths::is_js_whitespace);
        let expanded = expand_tilde(raw, os_home).unwrap_or_else(|| PathBuf::from(raw));
        return resolve(cwd, &expanded);
    }
    match env.value("HOME").filter(usable) {
        Some(home) => resolve(
            cwd,
            Path::new(home.trim_matches(crate::paths::is_js_whitespace)),
        ),
        None => resolve(cwd, os_home),
    }
}

/// `resolveStateDir`: `OPENCLAW_STATE_DIR`, else `~/.openclaw` if it exists, else an
/// existing legacy `~/.clawdbot`, else `~/.openclaw`. `exists` answers as the gateway's own
/// file system would (a container's, through its mounts).
pub fn state_dir(
    env: &Env,
    home: &Path,
    cwd: &Path,
    exists: impl Fn(&Path) -> bool,
) -> Sourced<PathBuf> {
    if let Some(raw) = env.value("OPENCLAW_STATE_DIR") {
        let path = home_relative(raw, home, cwd);
        return Sourced::new(path, env_origin(env, "OPENCLAW_STATE_DIR"));
    }
    let new_dir = join(home, ".openclaw");
    let legacy = join(home, ".clawdbot");
    if !exists(&new_dir) && exists(&legacy) {
        return Sourced::new(
            legacy,
            Origin::Default("legacy ~/.clawdbot, because ~/.openclaw does not exist".into()),
        );
    }
    Sourced::new(new_dir, Origin::Default("default state dir".into()))
}

/// `resolveConfigPath`: `OPENCLAW_CONFIG_PATH`, else the first existing candidate
/// (the state dir, then `~/.openclaw`, `~/.clawdbot`; `openclaw.json` then `clawdbot.json`;
/// only the state dir when `OPENCLAW_STATE_DIR` is set), else `<state dir>/openclaw.json`.
/// `exists` answers as the gateway's own file system would.
pub fn config_path(
    env: &Env,
    home: &Path,
    cwd: &Path,
    state_dir: &Path,
    exists: impl Fn(&Path) -> bool,
) -> Sourced<PathBuf> {
    if let Some(raw) = env
        .value("OPENCLAW_CONFIG_PATH")
        .map(|raw| raw.trim_matches(crate::paths::is_js_whitespace))
        .filter(|raw| !raw.is_empty())
    {
        let path = resolve_user_path(raw, home, cwd);
        return Sourced::new(path, env_origin(env, "OPENCLAW_CONFIG_PATH"));
    }
    // `resolveConfigPath`: with `OPENCLAW_STATE_DIR` set, the config is `$STATE/openclaw.json`
    // (or a legacy `clawdbot.json` there) even when it does not exist: a started gateway never
    // falls back to the home's `~/.openclaw/openclaw.json` (recorded: conformance case
    // env-state-dir-empty-no-fallback).
    let state_override = env
        .value("OPENCLAW_STATE_DIR")
        .is_some_and(|raw| !raw.trim_matches(crate::paths::is_js_whitespace).is_empty());
    let dirs: Vec<PathBuf> = if state_override {
        vec![state_dir.to_path_buf()]
    } else {
        vec![
            state_dir.to_path_buf(),
            join(home, ".openclaw"),
            join(home, ".clawdbot"),
        ]
    };
    let existing = dirs
        .iter()
        .flat_map(|d| [join(d, "openclaw.json"), join(d, "clawdbot.json")])
        .find(|c| exists(c));
    match existing {
        // No search with OPENCLAW_STATE_DIR: the state dir's own file, by its name.
        Some(path) if state_override => {
            let legacy = path.file_name().is_some_and(|n| n == "clawdbot.json");
            let why = match legacy {
                true => "<state dir>/clawdbot.json (the legacy name, no openclaw.json there)",
                false => "<state dir>/openclaw.json",
            };
            Sourced::new(path, Origin::Default(why.into()))
        }
        Some(path) => Sourced::new(path, Origin::Default("first existing config file".into())),
        None => Sourced::new(
            join(state_dir, "openclaw.json"),
            Origin::Default("<state dir>/openclaw.json".into()),
        ),
    }
}

/// `OPENCLAW_INCLUDE_ROOTS`: `:`-separated, `~`-expanded, absolute entries only.
pub fn include_roots(env: &Env, home: &Path, cwd: &Path) -> Vec<PathBuf> {
    let Some(raw) = env.value("OPENCLAW_INCLUDE_ROOTS") else {
        return Vec::new();
    };
    raw.split(':')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let expanded = expand_tilde(e, home).unwrap_or_else(|| PathBuf::from(e));
            expanded.is_absolute().then(|| resolve(cwd, &expanded))
        })
        .collect()
}

/// Everything path resolution needs about one gateway.
pub struct PathContext<'a> {
    pub env: &'a Env,
    pub home: &'a Path,
    pub cwd: &'a Path,
    pub state_dir: &'a Path,
    pub config: &'a Node,
}

/// `resolveConfigDir`: `OPENCLAW_STATE_DIR`, else the config's directory, else `~/.openclaw`.
/// Managed Chrome profiles live under it, which is not always the state dir.
fn config_dir(ctx: &PathContext) -> Sourced<PathBuf> {
    if let Some(raw) = ctx.env.value("OPENCLAW_STATE_DIR") {
        let dir = resolve_user_path(
            raw.trim_matches(crate::paths::is_js_whitespace),
            ctx.home,
            ctx.cwd,
        );
        return Sourced::new(dir, env_origin(ctx.env, "OPENCLAW_STATE_DIR"));
    }
    if let Some(raw) = ctx.env.value("OPENCLAW_CONFIG_PATH") {
        let file = resolve_user_path(
            raw.trim_matches(crate::paths::is_js_whitespace),
            ctx.home,
            ctx.cwd,
        );
        let dir = file.parent().map(Path::to_path_buf).unwrap_or(file);
        let origin =
            env_origin(ctx.env, "OPENCLAW_CONFIG_PATH").derived("the config file's directory");
        return Sourced::new(dir, origin);
    }
    Sourced::new(
        join(ctx.home, ".openclaw"),
        Origin::Default("~/.openclaw".into()),
    )
}

/// The data dirs a gateway keeps to itself (see `Instance::data_dirs`).
pub fn data_dirs(ctx: &PathContext) -> Vec<(Cow<'static, str>, Sourced<PathBuf>)> {
    let browser = config_dir(ctx);
    let browser = Sourced::new(
        join(&browser.value, "browser"),
        browser.origin.derived("<config dir>/browser"),
    );
    let credentials = match ctx.env.value("OPENCLAW_OAUTH_DIR") {
        Some(raw) => Sourced::new(
            resolve_user_path(
                raw.trim_matches(crate::paths::is_js_whitespace),
                ctx.home,
                ctx.cwd,
            ),
            env_origin(ctx.env, "OPENCLAW_OAUTH_DIR"),
        ),
        None => Sourced::new(
            join(ctx.state_dir, "credentials"),
            Origin::Default("<state dir>/credentials".into()),
        ),
    };
    let mut out = vec![
        ("managed Chrome profiles".into(), browser),
        ("channel credentials dir".into(), credentials),
    ];
    let accounts = ctx.config.at(&["channels", "whatsapp", "accounts"]);
    for member in accounts.map(Node::members).unwrap_or_default() {
        if let Some((node, raw)) = member.value.get("authDir").and_then(non_blank) {
            let dir = resolve_user_path(raw, ctx.home, ctx.cwd);
            out.push((
                format!(
                    "WhatsApp session of account {}",
                    crate::redact::shown_key_quoted(&member.key)
                )
                .into(),
                Sourced::new(dir, Origin::Config(node.loc)),
            ));
        }
    }
    out
}

/// The effective `OPENCLAW_PROFILE` (valid, not `default`).
pub fn profile(env: &Env) -> Option<Sourced<String>> {
    let name = normalize_profile_name(env.value("OPENCLAW_PROFILE"))?;
    Some(Sourced::new(name, env_origin(env, "OPENCLAW_PROFILE")))
}

/// `resolveDefaultAgentWorkspaceDir` (§1.7).
pub fn default_workspace(ctx: &PathContext) -> Sourced<PathBuf> {
    if let Some(raw) = ctx.env.value("OPENCLAW_WORKSPACE_DIR") {
        // No `~` expansion here: OpenClaw uses plain `path.resolve`.
        let path = resolve(ctx.cwd, Path::new(raw));
        return Sourced::new(path, env_origin(ctx.env, "OPENCLAW_WORKSPACE_DIR"));
    }
    if ctx.env.value("OPENCLAW_STATE_DIR").is_some() {
        let origin = env_origin(ctx.env, "OPENCLAW_STATE_DIR").derived("<state dir>/workspace");
        return Sourced::new(join(ctx.state_dir, "workspace"), origin);
    }
    if let Some(profile) = profile(ctx.env) {
        let dir = join(ctx.home, format!(".openclaw-{}", profile.value));
        let origin = profile.origin.derived("~/.openclaw-<profile>/workspace");
        return Sourced::new(join(&dir, "workspace"), origin);
    }
    Sourced::new(
        join(&join(ctx.home, ".openclaw"), "workspace"),
        Origin::Default("default workspace".into()),
    )
}

/// The configured agents (`agents.entries` or `agents.list`), or the implicit `main`.
fn agent_entries(config: &Node) -> Vec<(String, Option<&Node>)> {
    let Some(agents) = config.get("agents") else {
        return vec![("main".to_string(), None)];
    };
    if let Some(entries) = agents.get("entries") {
        return entries
            .members()
            .iter()
            .filter(|m| m.value.is_object())
            .map(|m| (m.key.to_ascii_lowercase(), Some(&m.value)))
            .collect();
    }
    if let Some(list) = agents.get("list") {
        return list
            .elements()
            .iter()
            .filter_map(|n| Some((n.get("id")?.as_str()?.to_ascii_lowercase(), Some(n))))
            .collect();
    }
    vec![("main".to_string(), None)]
}

/// The agent that inherits the default workspace: the one marked `default: true` (ignored
/// under `agents.ownership: "explicit"`), else the sole agent.
fn data_owner(config: &Node, entries: &[(String, Option<&Node>)]) -> Option<String> {
    let explicit = config.at(&["agents", "ownership"]).and_then(Node::as_str) == Some("explicit");
    let marked: Vec<&String> = entries
        .iter()
        .filter(|_| !explicit)
        .filter(|(_, n)| n.and_then(|n| n.get("default")?.as_bool()) == Some(true))
        .map(|(id, _)| id)
        .collect();
    match (marked.as_slice(), entries) {
        ([only], _) => Some((*only).clone()),
        (_, [(id, _)]) => Some(id.clone()),
        _ => None,
    }
}

/// The agent that inherits the default workspace, of a config as resolve read it (`--fix`
/// gives a workspace back to its owner).
pub fn data_owner_of(config: &Node) -> Option<String> {
    data_owner(config, &agent_entries(config))
}

/// `resolveAgentWorkspaceDir` and `resolveEffectiveAgentDir` for every agent.
pub fn agents(ctx: &PathContext, default_workspace: &Sourced<PathBuf>) -> Vec<Agent> {
    let entries = agent_entries(ctx.config);
    let owner = data_owner(ctx.config, &entries);
    let fallback = ctx.config.at(&["agents", "defaults", "workspace"]);
    let fallback = fallback.and_then(|n| {
        Some((n, n.as_str()?.trim_matches(crate::paths::is_js_whitespace)))
            .filter(|(_, s)| !s.is_empty())
    });
    entries
        .iter()
        .map(|(id, entry)| {
            let configured = entry.and_then(|e| e.get("workspace"));
            let workspace = match (configured.and_then(non_blank), fallback) {
                (Some((node, raw)), _) => Sourced::new(
                    resolve_user_path(raw, ctx.home, ctx.cwd),
                    Origin::Config(node.loc),
                ),
                (None, Some((node, raw))) if owner.as_deref() == Some(id) => Sourced::new(
                    resolve_user_path(raw, ctx.home, ctx.cwd),
                    Origin::Config(node.loc),
                ),
                (None, None) if owner.as_deref() == Some(id) => default_workspace.clone(),
                (None, Some((node, raw))) => Sourced::new(
                    resolve_user_path(raw, ctx.home, ctx.cwd).join(id),
                    Origin::Config(node.loc).derived(format!("agents.defaults.workspace/{id}")),
                ),
                (None, None) => Sourced::new(
                    join(ctx.state_dir, format!("workspace-{id}")),
                    Origin::Default(format!("<state dir>/workspace-{id}").into()),
                ),
            };
            let agent_dir = match entry.and_then(|e| e.get("agentDir")).and_then(non_blank) {
                Some((node, raw)) => Sourced::new(
                    resolve_user_path(raw, ctx.home, ctx.cwd),
                    Origin::Config(node.loc),
                ),
                None => Sourced::new(
                    join(&join(&join(ctx.state_dir, "agents"), id), "agent"),
                    Origin::Default(format!("<state dir>/agents/{id}/agent").into()),
                ),
            };
            Agent {
                id: id.clone(),
                workspace,
                agent_dir,
                shared_containers: shared_sandbox_containers(ctx.config, *entry),
            }
        })
        .collect()
}

/// `resolveSandboxConfigForAgent`: with mode other than `off`, the docker backend and scope
/// `shared`, the sandbox and its browser are the containers `<prefix>shared`, named by the
/// global prefixes (per-agent docker settings are ignored for a shared scope).
fn shared_sandbox_containers(config: &Node, entry: Option<&Node>) -> Vec<Sourced<String>> {
    let defaults = config.at(&["agents", "defaults", "sandbox"]);
    let own = entry.and_then(|e| e.get("sandbox"));
    let setting = |key: &str| {
        own.and_then(|o| o.get(key))
            .or_else(|| defaults.and_then(|d| d.get(key)))
    };
    let text = |key: &str| setting(key).and_then(Node::as_str);
    let per_session = setting("perSession").and_then(Node::as_bool);
    let scope = text("scope").unwrap_or(match per_session {
        Some(true) => "session",
        Some(false) => "shared",
        None => "agent",
    });
    let mode = text("mode").unwrap_or("off");
    let backend = text("backend")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or("docker");
    if mode == "off" || scope != "shared" || backend != "docker" {
        return Vec::new();
    }
    let origin = setting("scope")
        .or_else(|| setting("perSession"))
        .map(|n| Origin::Config(n.loc));
    let origin = origin.unwrap_or_else(|| Origin::Default("sandbox scope".into()));
    let prefix = |block: &str, default: &str| {
        let node = defaults.and_then(|d| d.at(&[block, "containerPrefix"]));
        match node.and_then(|n| Some((n, n.as_str()?))) {
            Some((n, p)) => (p.to_string(), Origin::Config(n.loc)),
            None => (default.to_string(), origin.clone()),
        }
    };
    [
        ("docker", "openclaw-sbx-"),
        ("browser", "openclaw-sbx-browser-"),
    ]
    .into_iter()
    .map(|(block, default)| {
        let (p, origin) = prefix(block, default);
        Sourced::new(format!("{p}shared"), origin)
    })
    .collect()
}

fn non_blank(node: &Node) -> Option<(&Node, &str)> {
    let s = node.as_str()?.trim_matches(crate::paths::is_js_whitespace);
    (!s.is_empty()).then_some((node, s))
}

/// The rolling log file: `logging.file`, else `/tmp/openclaw/openclaw[-<seg>]-YYYY-MM-DD.log`
/// keyed by `OPENCLAW_PROFILE` as written (`resolveLogProfileSegment`): trimmed, any name but
/// `default`, valid or not (a gateway with an invalid name runs when its state dir is set, and
/// logs under that name: conformance case unit-env-profile-invalid-with-state-dir).
pub fn log_file(ctx: &PathContext) -> Sourced<PathBuf> {
    if let Some((node, raw)) = ctx.config.at(&["logging", "file"]).and_then(non_blank) {
        return Sourced::new(
            resolve_user_path(raw, ctx.home, ctx.cwd),
            Origin::Config(node.loc),
        );
    }
    let profile = ctx
        .env
        .value("OPENCLAW_PROFILE")
        .map(|raw| raw.trim_matches(crate::paths::is_js_whitespace))
        .filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("default"));
    match profile {
        Some(p) => Sourced::new(
            join(
                Path::new("/tmp/openclaw"),
                format!("openclaw-{}-YYYY-MM-DD.log", log_segment(p)),
            ),
            env_origin(ctx.env, "OPENCLAW_PROFILE")
                .derived("/tmp/openclaw/openclaw-<profile>-DATE.log"),
        ),
        None => Sourced::new(
            join(Path::new("/tmp/openclaw"), "openclaw-YYYY-MM-DD.log"),
            Origin::Default("default rolling log".into()),
        ),
    }
}

/// OpenClaw's file-name-safe encoding of a profile name (`resolveLogProfileSegment`): past
/// 220 characters, `-3` and the name's SHA-256 in hex instead.
pub fn log_segment(profile: &str) -> String {
    let encoded = encode_log_segment(profile);
    if encoded.len() <= 220 {
        return encoded;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(profile.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("-3{hex}")
}

fn encode_log_segment(profile: &str) -> String {
    let mut out = String::new();
    for c in profile.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            '-' => out.push_str("--"),
            '_' => out.push_str("-0"),
            'A'..='Z' => {
                out.push_str("-1");
                out.push(c.to_ascii_lowercase());
            }
            other => out.push_str(&format!("-2{:x}-", other as u32)),
        }
    }
    out
}

/// Service names derive from the profile only (§5.1).
pub fn service_names(profile: Option<&str>) -> ServiceNames {
    match profile {
        Some(p) => ServiceNames {
            systemd_unit: format!("openclaw-gateway-{p}.service"),
            launchd_label: format!("ai.openclaw.{p}"),
            windows_task: format!("OpenClaw Gateway ({p})"),
        },
        None => ServiceNames {
            systemd_unit: "openclaw-gateway.service".to_string(),
            launchd_label: "ai.openclaw.gateway".to_string(),
            windows_task: "OpenClaw Gateway".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_segments() {
        assert_eq!(log_segment("rescue"), "rescue");
        assert_eq!(log_segment("a-b_C"), "a--b-0-1c");
        assert_eq!(log_segment("x.hunter"), "x-22e-hunter");
        // 60 "a." pairs encode to 360 characters: the hash form.
        let long = log_segment(&"a.".repeat(60));
        assert!(long.starts_with("-3") && long.len() == 66, "{long}");
    }
}
