//! What a starting gateway does with config values `config validate` rejects
//! (openclaw-facts.md §3.8): it **repairs** a single-file config (no `$include`) with the
//! legacy doctor migrations and rewrites the file as JSON, comments and JSON5 formatting lost;
//! it **refuses** everything else ("Invalid config": the gateway does not start).
//!
//! Repaired here, for the values clawlint resolves (`legacy-*.mjs`, `gateway.port-oob-repair`
//! and the `env` shorthand move): an out-of-range numeric `gateway.port` (< 1, > 65535,
//! `Infinity`, `NaN`, `1e5`) is deleted, so the next port source applies; top-level `env`
//! strings move into `env.vars` (and apply); the retired `browser.cdpPortRangeStart` is deleted.
//! Refused: a `gateway.port` that is a string (also after `${VAR}` substitution), `null`, a
//! boolean or object, or a non-integer in range; any of the repairable values in a config with
//! `$include`s (OpenClaw repairs single files only). OpenClaw repairs only when the whole
//! file is valid after the repair; keys clawlint does not model can still make it refuse.

use super::model::Sourced;
use crate::load::env::Env;
use crate::load::tree::{Node, Value};
use crate::load::{Problem, ProblemKind};
use crate::source::Loc;

/// Top-level string members of `env` other than `vars` and `shellEnv`: the shorthand OpenClaw
/// moves into `env.vars` at start, in file order.
pub fn env_shorthand(root: &Node) -> Vec<&crate::load::tree::Member> {
    root.get("env")
        .map(Node::members)
        .unwrap_or_default()
        .iter()
        .filter(|m| m.key != "vars" && m.key != "shellEnv" && m.value.as_str().is_some())
        .collect()
}

/// A config value whose start outcome clawlint knows from what it resolves (the port, the
/// `env` block, the browser): what is wrong with it and, when a starting gateway repairs it,
/// what the repair does and the value the gateway then really uses. Whether the gateway
/// repairs it or refuses is decided once per gateway, with the release's validation
/// ([`super::verdict`]): a repair happens only when every problem is repairable.
#[derive(Debug, Clone, PartialEq)]
pub struct StartFact {
    /// The value's path, as OpenClaw prints it (`gateway.port`, `env.KEY`).
    pub path: String,
    pub loc: Loc,
    /// What is wrong with the value.
    pub problem: String,
    /// What a starting gateway does about it when it repairs the config (`None`: never
    /// repaired), with the value it then uses.
    pub repair: Option<String>,
}

/// The values clawlint resolves that a starting gateway repairs (when it can) or refuses.
/// `port` is the port the gateway ends up on when it starts (for the repair message).
pub fn facts(root: &Node, port: &Sourced<u16>) -> Vec<StartFact> {
    let mut out = Vec::new();
    out.extend(refused_port(root));
    out.extend(refused_profile_ports(root));
    if let Some(node) = root.at(&["gateway", "port"]) {
        if let Some(n) = node.as_f64() {
            if !(1.0..=65535.0).contains(&n) {
                out.push(StartFact {
                    path: "gateway.port".into(),
                    loc: node.loc,
                    problem: format!("gateway.port {} is outside 1-65535", js_number(n)),
                    repair: Some(format!(
                        "deletes gateway.port and the gateway runs on {} ({})",
                        port.value,
                        port.origin.summary()
                    )),
                });
            }
        }
    }
    for member in env_shorthand(root) {
        let vars_has = root.at(&["env", "vars", &member.key]).is_some();
        let repair = if vars_has {
            format!(
                "drops env.{0}, because env.vars.{0} is set and wins",
                member.key.as_str()
            )
        } else if member.key == "OPENCLAW_GATEWAY_PORT" {
            format!(
                "moves env.{0} into env.vars.{0} and applies it: the gateway runs on {1} ({2})",
                member.key.as_str(),
                port.value,
                port.origin.summary()
            )
        } else {
            format!(
                "moves env.{0} into env.vars.{0}, which the gateway applies",
                member.key.as_str()
            )
        };
        out.push(StartFact {
            path: format!("env.{}", member.key.as_str()),
            loc: member.value.loc,
            problem: format!("env.{} is the retired env shorthand", member.key.as_str()),
            repair: Some(repair),
        });
    }
    if let Some(member) = root
        .get("browser")
        .and_then(|b| b.member("cdpPortRangeStart"))
    {
        out.push(StartFact {
            path: "browser.cdpPortRangeStart".into(),
            loc: member.value.loc,
            problem: "browser.cdpPortRangeStart is retired".into(),
            repair: Some("deletes the key; the CDP range is derived from the gateway port".into()),
        });
    }
    out
}

/// A `gateway.port` OpenClaw neither uses nor repairs: it refuses the config.
fn refused_port(root: &Node) -> Option<StartFact> {
    let node = root.at(&["gateway", "port"])?;
    let what = match &node.value {
        Value::Number(n) if (1.0..=65535.0).contains(n) && n.fract() != 0.0 => {
            format!("gateway.port {} is not an integer", js_number(*n))
        }
        Value::Number(_) => return None,
        // The substituted value is not shown: a variable may hold anything.
        Value::String(_) if !node.env_refs.is_empty() => format!(
            "gateway.port is a string after ${{{}}} substitution (substitution never gives a \
             number)",
            node.env_refs.join("}, ${")
        ),
        Value::String(s) => format!(
            "gateway.port is the string {}",
            crate::redact::shown_quoted(crate::redact::Kind::Port, s)
        ),
        Value::Null => "gateway.port is null".to_string(),
        Value::Bool(_) => "gateway.port is a boolean".to_string(),
        Value::Object(_) => "gateway.port is an object".to_string(),
        Value::Array(_) => "gateway.port is an array".to_string(),
    };
    Some(StartFact {
        path: "gateway.port".into(),
        loc: node.loc,
        problem: format!(
            "{what}: OpenClaw refuses it (\"expected number\"); write the port as a number, or \
             take it from OPENCLAW_GATEWAY_PORT"
        ),
        repair: None,
    })
}

/// Browser profile `cdpPort`s the schema rejects (an integer 1-65535). Unlike `gateway.port`,
/// OpenClaw never repairs these: the gateway refuses its config (recorded: conformance case
/// browser-profile-cdp-port-out-of-range-refused).
fn refused_profile_ports(root: &Node) -> Vec<StartFact> {
    let profiles = root
        .at(&["browser", "profiles"])
        .map(Node::members)
        .unwrap_or_default();
    profiles
        .iter()
        .filter_map(|m| {
            let node = m.value.get("cdpPort")?;
            let what = match node.as_f64() {
                Some(n) if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) => return None,
                Some(n) => format!("is {}, outside the integers 1-65535", js_number(n)),
                None => format!("is {}, not a number", node.a_type_name()),
            };
            Some(StartFact {
                path: format!("browser.profiles.{}.cdpPort", m.key.as_str()),
                loc: node.loc,
                problem: format!(
                    "browser.profiles.{}.cdpPort {what}: OpenClaw repairs only gateway.port, so it \
                     refuses it",
                    m.key.as_str()
                ),
                repair: None,
            })
        })
        .collect()
}

/// The legacy state dir move a starting gateway cannot make (`resolvePendingLegacyStateDirMigrationPaths`,
/// `autoMigrateLegacyStateDir`): without `OPENCLAW_STATE_DIR`, an existing `~/.clawdbot` that is
/// not a symlink to `~/.openclaw` is moved there at start; when `~/.openclaw` exists too, the
/// move cannot happen and the gateway refuses to start ("State directory migration remains
/// pending"; recorded: conformance case legacy-split-brain). A container gateway's home is
/// the container's: only what a bind mount shows of it is looked at, on the host.
pub fn pending_legacy_state_move(
    legacy: Option<&LegacyMove>,
    at: crate::source::Loc,
) -> Option<Problem> {
    (legacy? == &LegacyMove::Blocked).then(|| Problem {
        kind: ProblemKind::Refused,
        message: "~/.clawdbot and ~/.openclaw both exist: at start OpenClaw must move the legacy \
                  ~/.clawdbot to ~/.openclaw, cannot, and refuses to start (\"State directory \
                  migration remains pending\"); merge them into ~/.openclaw, or point \
                  OPENCLAW_STATE_DIR at one"
            .to_string(),
        loc: Some(at),
    })
}

#[derive(PartialEq)]
pub enum LegacyMove {
    /// `~/.openclaw` does not exist: the start moves `~/.clawdbot` there
    /// (`autoMigrateLegacyStateDir`; conformance case legacy-clawdbot-only). The config it
    /// starts with then changes path, and a start that must also repair that config exits 1
    /// instead ("Refusing to run automatic gateway startup migrations because the selected
    /// config changed during startup (config file path changed)"; recorded: conformance case
    /// legacy-clawdbot-start-repair). The next start runs.
    Moves,
    /// `~/.openclaw` exists too: the move cannot happen, and the start refuses.
    Blocked,
}

/// The move of a legacy `~/.clawdbot` a start makes or cannot make, if any: none with
/// `OPENCLAW_STATE_DIR`, without `~/.clawdbot`, or when it is a link to `~/.openclaw`.
pub fn legacy_state_move(
    env: &crate::load::env::Env,
    home: &std::path::Path,
    container: Option<&crate::container::Container>,
) -> Option<LegacyMove> {
    let custom = env
        .value("OPENCLAW_STATE_DIR")
        .is_some_and(|v| !v.trim_matches(crate::paths::is_js_whitespace).is_empty());
    if custom {
        return None;
    }
    let seen = |path: std::path::PathBuf| match container {
        None => Some(path),
        Some(c) => match c.host_path(&path) {
            crate::container::HostPath::Bind(host, _) => Some(host),
            // The image's own files and a named volume's cannot be seen from here.
            _ => None,
        },
    };
    let target = seen(home.join(".openclaw"))?;
    let source = seen(home.join(".clawdbot"))?;
    if !crate::paths::host::is_dir(&source) {
        return None;
    }
    if !crate::paths::host::exists(&target) {
        return Some(LegacyMove::Moves);
    }
    if !crate::paths::host::is_dir(&target) {
        return None;
    }
    // Where each leads (within a copied `--root`), then its real path.
    let real = |p: &std::path::Path| crate::paths::on_host(p).and_then(|p| p.canonicalize().ok());
    let same = |a: &std::path::Path, b: &std::path::Path| match (real(a), real(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    match same(&source, &target) {
        true => None,
        false => Some(LegacyMove::Blocked),
    }
}

/// How JavaScript prints a number (`1e5` is `100000`, `Infinity`, `NaN`).
fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// A supervisor that runs `gateway start` (a trigger) starts nothing when OpenClaw refuses to
/// manage the installed service from the trigger's environment: `runDaemonStart` first calls
/// `assertGatewayServiceMutationAllowed` (`gateway-supervision-dG8swyHC.mjs`, with
/// `isDefaultInstallIdentity`, `paths-DehQwyE0.mjs:105`; openclaw-facts.md §5.4), which throws
/// "service management skipped: non-default state dir or config path" when `OPENCLAW_HOME` is
/// set, when the state dir is not the canonical `$HOME/.openclaw[-<profile>]` of its
/// `OPENCLAW_PROFILE` (so `OPENCLAW_PROFILE` alone, whose state dir stays `~/.openclaw`, is
/// refused too), or when a named profile's config path is not `<that dir>/openclaw.json`. So
/// does an option that `start` does not take (`gateway start --port N`). Recorded from
/// OpenClaw 2026.9.6: tests/hosts/start-triggers.
/// CL909 for a container whose own command OpenClaw refuses (an invalid `--port`), at the
/// word that says it.
pub fn refused_container_start(container: &crate::container::Container) -> Option<Problem> {
    let (why, loc) = container.start_refused.as_ref()?;
    Some(Problem {
        kind: ProblemKind::Refused,
        message: format!("{} {why}", container.name),
        loc: loc.or(Some(container.loc)),
    })
}

pub fn refused_service_start(
    service: &crate::invocation::ServiceFile,
    env: &crate::load::env::Env,
    home: &std::path::Path,
    state_dir: &super::model::Sourced<std::path::PathBuf>,
    config_path: &super::model::Sourced<std::path::PathBuf>,
) -> Option<Problem> {
    use crate::paths::{display_home_relative, is_js_whitespace, normalize};
    // What the command's own words make OpenClaw refuse (an invalid `--port`, an option
    // `gateway start` does not take), at the command line.
    if let Some(why) = &service.how.start_refused {
        return Some(Problem {
            kind: ProblemKind::Refused,
            message: format!("{} {why}", service.name),
            loc: Some(service.loc),
        });
    }
    if !service.how.starts_installed_service {
        return None;
    }
    let refused = |why: String, loc: Option<Loc>| {
        Some(Problem {
            kind: ProblemKind::Refused,
            message: format!(
                "{} runs `gateway start`, which starts nothing: {why}",
                service.name
            ),
            loc: loc.or(Some(service.loc)),
        })
    };
    const SKIPPED: &str = "OpenClaw refuses to manage the installed service (\"service \
                           management skipped: non-default state dir or config path\")";
    let var_loc = |key: &str| env.get(key).and_then(|v| v.origin.loc());
    let usable = |v: &&str| !matches!(v.trim_matches(is_js_whitespace), "" | "undefined" | "null");
    if env.value("OPENCLAW_HOME").filter(usable).is_some() {
        return refused(
            format!("OPENCLAW_HOME is set, and {SKIPPED}"),
            var_loc("OPENCLAW_HOME"),
        );
    }
    let raw_profile = env
        .value("OPENCLAW_PROFILE")
        .map(|p| p.trim_matches(is_js_whitespace));
    if raw_profile.is_some_and(crate::openclaw::is_refused_profile_name) {
        return refused(
            format!("OPENCLAW_PROFILE is not a valid profile name, and {SKIPPED}"),
            var_loc("OPENCLAW_PROFILE"),
        );
    }
    let profile = crate::openclaw::normalize_profile_name(raw_profile);
    let canonical = home.join(match &profile {
        Some(p) => format!(".openclaw-{p}"),
        None => ".openclaw".to_string(),
    });
    let shown = |p: &std::path::Path| display_home_relative(p, home);
    if normalize(&state_dir.value) != normalize(&canonical) {
        let set = env.value("OPENCLAW_STATE_DIR").is_some();
        let loc = var_loc("OPENCLAW_STATE_DIR").or_else(|| var_loc("OPENCLAW_PROFILE"));
        let what = match set {
            true => format!("its OPENCLAW_STATE_DIR is {}", shown(&state_dir.value)),
            false => format!("its state dir stays {}", shown(&state_dir.value)),
        };
        return refused(
            format!("{what}, not {}, and {SKIPPED}", shown(&canonical)),
            loc,
        );
    }
    let config_set = env.value("OPENCLAW_CONFIG_PATH").filter(usable).is_some();
    let expected = canonical.join("openclaw.json");
    if (profile.is_some() || config_set) && normalize(&config_path.value) != normalize(&expected) {
        return refused(
            format!(
                "its config path is {}, not {}, and {SKIPPED}",
                shown(&config_path.value),
                shown(&expected)
            ),
            var_loc("OPENCLAW_CONFIG_PATH"),
        );
    }
    None
}

/// What the gateway's start guard needs to know (`getGatewayStartGuardErrors`, 2026.9.6
/// `pre-bootstrap-*.mjs`): whether the command passes `--allow-unconfigured`, and the config.
pub struct Unconfigured<'a> {
    /// From the command ([`crate::invocation::Invocation::allow_unconfigured`]).
    pub allowed: Option<bool>,
    pub dev: bool,
    /// The config's tree, when a config file exists and was read.
    pub config: Option<&'a Node>,
    /// No config file exists (and one that does not is known not to: not in a container's
    /// volume clawlint cannot see).
    pub config_missing: bool,
    /// The config path OpenClaw reads, as shown.
    pub config_path: String,
    /// A file beside it the author may have meant for it ([`config_near_miss`]): what to do
    /// instead of `openclaw setup`.
    pub near_miss: Option<String>,
    /// Where the gateway is started: its supervisor's line.
    pub started_at: Option<Loc>,
}

/// A file an author wrote for the gateway where OpenClaw does not look (issue 14's audit:
/// `OPENCLAW_HOME=/home/u/.openclaw`, an Ansible role writing `~/.openclaw/config.json5`),
/// when the config file itself is missing: what to do, or `None`. `home` is the home
/// OpenClaw resolves (`OPENCLAW_HOME`'s dir when set), `config` the path it reads.
pub fn config_near_miss(
    env: &Env,
    home: &std::path::Path,
    config: &std::path::Path,
    shown: &dyn Fn(&std::path::Path) -> String,
) -> Option<String> {
    if let Some((name, meant)) = misnamed_location_variable(env) {
        return Some(format!(
            "{name} is set for it, but OpenClaw never reads that variable: to name the config's place, call it {meant}"
        ));
    }
    let openclaw_home = env.value("OPENCLAW_HOME");
    let is_file = |p: &std::path::Path| crate::paths::host::is_file(p);
    if openclaw_home.is_some() {
        let beside = home.join("openclaw.json");
        if is_file(&beside) {
            return Some(format!(
                "OPENCLAW_HOME names the home OpenClaw keeps .openclaw in, so {} is not read: to use that dir as the state dir, set OPENCLAW_STATE_DIR to it instead of OPENCLAW_HOME",
                shown(&beside),
            ));
        }
    }
    let dir = config.parent()?;
    // (`moltbot.json`: the name moltbot's docs gave; 2026.9.6 reads only openclaw.json and the
    // legacy clawdbot.json, openclaw-facts.md §1.6.)
    const WRONG_NAMES: [&str; 7] = [
        "openclaw.json5",
        "config.json5",
        "config.json",
        "openclaw.yaml",
        "openclaw.yml",
        "clawdbot.json5",
        "moltbot.json",
    ];
    let name = config.file_name()?.to_string_lossy();
    let found = WRONG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| is_file(p))?;
    Some(format!(
        "{} is not read: OpenClaw reads {name} there (JSON5, whatever its name ends with); rename it",
        shown(&found)
    ))
}

/// An `OPENCLAW_*` variable the gateway gets that OpenClaw never reads, whose name says it
/// was meant as the config path or state dir (`OPENCLAW_CONFIG`, `OPENCLAW_STATE`; CL503),
/// with the name OpenClaw reads.
fn misnamed_location_variable(env: &Env) -> Option<(&str, &'static str)> {
    // Only `OPENCLAW_*` names are meant as one (`meant_env`).
    env.with_prefix("OPENCLAW_").find_map(|(name, _)| {
        if crate::openclaw::reads_env(name) {
            return None;
        }
        match crate::openclaw::meant_env(name) {
            Some(Ok(meant @ ("OPENCLAW_CONFIG_PATH" | "OPENCLAW_STATE_DIR"))) => {
                Some((name.as_str(), meant))
            }
            _ => None,
        }
    })
}

/// `gateway run` refuses to start (exit 78) unless the command passes
/// `--allow-unconfigured`, the config says `gateway.mode: "local"`, or (with `--dev`) no
/// config exists: "Missing config.", "Gateway start blocked: existing config is missing
/// gateway.mode." or "… set gateway.mode=local (current: remote)". Recorded from 2026.9.6:
/// tests/data/unconfigured-start. Judged only where the command is known.
pub fn refused_unconfigured(guard: &Unconfigured) -> Option<Problem> {
    if guard.allowed != Some(false) {
        return None;
    }
    const PASS: &str = "or pass --allow-unconfigured";
    let (loc, why) = match guard.config {
        Some(root) => {
            let node = root.at(&["gateway", "mode"]);
            match node.map(|n| (n, n.as_str())) {
                Some((_, Some("local"))) => return None,
                // Another type is the config validation's (CL701); a variable left as
                // written, not judged.
                Some((_, None)) => return None,
                Some((_, Some(mode))) if mode.contains("${") => return None,
                Some((n, Some(mode))) => {
                    // A config value: shown unless it could be a secret pasted there.
                    let mode = match mode.len() > 64 || crate::redact::is_secret_value(mode) {
                        true => "…",
                        false => mode,
                    };
                    (
                        Some(n.loc),
                        format!(
                            "gateway.mode is \"{mode}\" and the command does not pass --allow-unconfigured: OpenClaw refuses to start (\"Gateway start blocked: set gateway.mode=local (current: {mode}) {PASS}.\"); set gateway.mode to \"local\" for a gateway that runs here"
                        ),
                    )
                }
                None => (
                    Some(root.at(&["gateway"]).map_or(crate::load::tree::file_start(root.loc.file), |g| g.loc)),
                    format!("the config sets no gateway.mode and the command does not pass --allow-unconfigured: OpenClaw refuses to start (\"Gateway start blocked: existing config is missing gateway.mode.\"); set gateway.mode to \"local\" (what `openclaw onboard` writes), {PASS}"),
                ),
            }
        }
        None if guard.config_missing && !guard.dev => (
            guard.started_at,
            format!(
                "no config file exists at {} and the command does not pass --allow-unconfigured: OpenClaw refuses to start (\"Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).\"); {}",
                guard.config_path,
                match &guard.near_miss {
                    Some(fix) => format!("{fix}, {PASS}"),
                    None => format!("create the config with `openclaw setup`, {PASS}"),
                }
            ),
        ),
        None => return None,
    };
    Some(Problem {
        kind: ProblemKind::Refused,
        message: why,
        loc,
    })
}

/// Where a gateway's bind mode comes from, as resolve read it.
pub struct Bind {
    /// `gateway.bind`, the command's `--bind`, or the default.
    pub mode: std::borrow::Cow<'static, str>,
    /// Where it is set; for the default, where the gateway is started.
    pub loc: Option<Loc>,
    pub in_container: bool,
    /// Given on the command (`--bind`), over the config's `gateway.bind`.
    pub by_command: bool,
}

impl Bind {
    /// Whether OpenClaw binds an address beyond loopback (openclaw-facts 2.6): `lan`; `auto`
    /// in a container; `custom` unless `customBindHost` is a loopback IPv4. `None` for
    /// `tailnet` (the host's Tailscale address decides).
    fn beyond_loopback(&self, root: &Node) -> Option<bool> {
        match &*self.mode {
            "lan" => Some(true),
            "auto" => Some(self.in_container),
            "custom" => Some(
                !root
                    .at(&["gateway", "customBindHost"])
                    .and_then(Node::as_str)
                    .is_some_and(|h| {
                        h.trim()
                            .parse::<std::net::Ipv4Addr>()
                            .is_ok_and(|ip| ip.is_loopback())
                    }),
            ),
            "tailnet" => None,
            _ => Some(false),
        }
    }
}

/// `gateway run` refuses Tailscale `serve`/`funnel` on a bind beyond loopback ("tailscale
/// serve/funnel requires gateway bind=loopback (127.0.0.1)", exit 78: 2026.9.6
/// `assertGatewayRuntimeSecurityConfig`, recorded in tests/data/tailscale-bind). Said here
/// for a bind the command gives (`--bind lan` in OpenClaw's compose file); one in the config
/// is the config validation's (CL701), and unset the default under Tailscale is loopback.
pub fn refused_tailscale_bind(
    root: &Node,
    bind: &Bind,
    tailscale: Option<&crate::invocation::Sourced<String>>,
) -> Option<Problem> {
    let mode = &tailscale?.value;
    if !bind.by_command || bind.beyond_loopback(root) != Some(true) {
        return None;
    }
    Some(Problem {
        kind: ProblemKind::Refused,
        message: format!(
            "gateway.tailscale.mode is \"{mode}\" and the command binds \"{}\": OpenClaw refuses to start (\"tailscale serve/funnel requires gateway bind=loopback (127.0.0.1)\"); bind it to loopback, which Tailscale serves from",
            bind.mode
        ),
        loc: bind.loc,
    })
}

/// `gateway run` refuses to bind anything but loopback without a shared secret ("Refusing to
/// bind gateway to lan without auth.", exit 78; 2026.1.30 exits 1 with the same words):
/// `shouldBlockGatewayBindWithoutExplicitAuth` in 2026.9.6's `run-*.mjs`, before the gateway
/// generates a token of its own. Blocked unless the auth mode (`gateway.auth.mode`; unset,
/// `password` when a password is configured, else `token`) is `trusted-proxy`, or is `token`
/// with a token, or `password` with a password, configured in the config (a non-blank string
/// or a SecretRef) or the environment (`OPENCLAW_GATEWAY_TOKEN`, `OPENCLAW_GATEWAY_PASSWORD`).
/// Judged only where every release recorded agrees (recorded from 2026.9.6 `gateway run --bind
/// lan`: a config without auth, and with `auth.mode: "none"`, refused; with a token, started):
/// `lan`; `auto` in a container (every address there); `custom` on a host that is not a
/// loopback IPv4. Not judged: `tailnet` (the host's Tailscale address decides), a command that
/// gives auth itself (`--token`, `--auth`), an environment clawlint does not wholly see (a
/// wrapper that injects it, a container's unseen env files, a compose `${VAR}` left blank
/// that the shell running compose may set, a scanned dir started by hand).
pub fn refused_open_bind(
    root: &Node,
    env: &crate::load::env::Env,
    bind: &Bind,
    unseen_env: bool,
) -> Option<Problem> {
    if bind.beyond_loopback(root) != Some(true) || unseen_env {
        return None;
    }
    let configured = |key: &str, var: &str| {
        root.at(&["gateway", "auth", key])
            .is_some_and(|n| match &n.value {
                Value::String(s) => !s.trim().is_empty(),
                Value::Object(_) => true,
                _ => false,
            })
            || env.value(var).is_some_and(|v| !v.trim().is_empty())
    };
    let token = configured("token", "OPENCLAW_GATEWAY_TOKEN");
    let password = configured("password", "OPENCLAW_GATEWAY_PASSWORD");
    let mode = root.at(&["gateway", "auth", "mode"]).and_then(Node::as_str);
    let mode = mode.unwrap_or(if password { "password" } else { "token" });
    let shared_secret = (mode == "token" && token) || (mode == "password" && password);
    if shared_secret || mode == "trusted-proxy" {
        return None;
    }
    let how = match mode {
        "token" => "no gateway token is configured (gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)"
            .to_string(),
        "password" => {
            "no gateway password is configured (gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD)"
                .to_string()
        }
        other => format!("gateway.auth.mode is \"{other}\""),
    };
    Some(Problem {
        kind: ProblemKind::Refused,
        message: format!(
            "the gateway binds {} (bind \"{}\") and {how}: OpenClaw refuses to start (\"Refusing to bind gateway to {} without auth.\"); configure a token or password, or bind it to loopback",
            match &*bind.mode {
                "custom" => "a non-loopback address",
                _ => "every address",
            },
            bind.mode,
            bind.mode
        ),
        loc: bind.loc,
    })
}
