//! The effective gateway port and every port a gateway binds (openclaw-facts.md §2).

use super::model::{
    Browser, BrowserProfile, Detail, DetailOf, Formula, Invocation, Listener, ListenerKind, Origin,
    PortKind, Sourced,
};
use crate::load::env::Env;
use crate::load::tree::Node;
use crate::openclaw::{normalize_profile_name, parse_port_env, profile_hash_port};
use std::sync::Arc;

pub const DEFAULT_GATEWAY_PORT: u16 = 18789;

/// An `OPENCLAW_GATEWAY_PORT` that is set but not a port OpenClaw can parse.
pub fn ignored_port_env(env: &Env) -> Option<Sourced<String>> {
    let var = env.get("OPENCLAW_GATEWAY_PORT")?;
    if var
        .value
        .trim_matches(crate::paths::is_js_whitespace)
        .is_empty()
        || parse_port_env(&var.value).is_some()
    {
        return None;
    }
    let origin = Origin::env("OPENCLAW_GATEWAY_PORT", var.origin.clone());
    Some(Sourced::new(var.value.clone(), origin))
}

/// `--port` > `OPENCLAW_GATEWAY_PORT` > `gateway.port` > profile hash > 18789.
pub fn gateway_port(inv: &Invocation, env: &Env, config: &Node) -> (Sourced<u16>, PortKind) {
    gateway_port_for(inv, env, config, None)
}

/// [`gateway_port`] for the release the layout shows runs the gateway: releases before
/// 2026.8.2 give a named profile no hash port (`crate::validate::defaults`, recorded with
/// `gateway status` on each release), so it runs on 18789.
pub fn gateway_port_for(
    inv: &Invocation,
    env: &Env,
    config: &Node,
    release: Option<&str>,
) -> (Sourced<u16>, PortKind) {
    let (port, kind) = precedence(inv, env, config);
    match release {
        Some(r)
            if kind == PortKind::ProfileHash
                && !crate::validate::defaults::profile_gets_hash_port(r) =>
        {
            let origin = Origin::Default(format!(
                "OpenClaw's default gateway port: OpenClaw {r} gives a named profile no port of its own (hash ports arrived in 2026.8.2)"
            ).into());
            (
                Sourced::new(DEFAULT_GATEWAY_PORT, origin),
                PortKind::Default,
            )
        }
        _ => (port, kind),
    }
}

fn precedence(inv: &Invocation, env: &Env, config: &Node) -> (Sourced<u16>, PortKind) {
    if let Some(port) = &inv.port_arg {
        let kind = if port.origin.loc().is_some() {
            PortKind::ServiceArgument
        } else {
            PortKind::Argument
        };
        return (port.clone(), kind);
    }
    if let Some(var) = env.get("OPENCLAW_GATEWAY_PORT") {
        if let Some(port) = parse_port_env(&var.value) {
            let origin = Origin::env("OPENCLAW_GATEWAY_PORT", var.origin.clone());
            return (Sourced::new(port, origin), PortKind::Env);
        }
    }
    if let Some(port) = config_port(config) {
        return (port, PortKind::Config);
    }
    if let Some(profile) = normalize_profile_name(env.value("OPENCLAW_PROFILE")) {
        let var = env.get("OPENCLAW_PROFILE").expect("normalized from it");
        let origin = Origin::env("OPENCLAW_PROFILE", var.origin.clone()).derived(format!(
            "20000 + FNV-1a(\"{profile}\") % 40000 (no port pinned for a named profile)"
        ));
        return (
            Sourced::new(profile_hash_port(&profile), origin),
            PortKind::ProfileHash,
        );
    }
    let origin = Origin::Default("OpenClaw's default gateway port".into());
    (
        Sourced::new(DEFAULT_GATEWAY_PORT, origin),
        PortKind::Default,
    )
}

/// `gateway.port` as written, when it is a usable port.
pub fn configured_port(config: &Node) -> Option<Sourced<u16>> {
    config_port(config)
}

/// `gateway.port` when it is a usable number. OpenClaw takes any finite number > 0, but its
/// schema rejects non-integers and values above 65535, and a string never counts. What a
/// starting gateway does with the others (repair or refuse) is `startup`'s business.
fn config_port(config: &Node) -> Option<Sourced<u16>> {
    let node = config.at(&["gateway", "port"])?;
    let n = node.as_f64()?;
    (n.fract() == 0.0 && (1.0..=65535.0).contains(&n))
        .then(|| Sourced::new(n as u16, Origin::Config(node.loc)))
}

/// Every listener the gateway binds, with the arithmetic behind each: in one list of exactly
/// their number (it lives to the end of the run; built by extending, it was grown twice and
/// then copied into an exact one).
pub fn listeners(config: &Node, port: &Sourced<u16>, browser: Option<&Browser>) -> Vec<Listener> {
    let browser = browser.filter(|b| b.enabled && b.error.is_none());
    let sandbox = mcp_sandbox_port(config, port);
    // Rare (a Telegram webhook, a Gmail hook, an ingress portal): usually none, no list made.
    let fixed = fixed_listeners(config);
    let profiles = browser.map_or(0, |b| {
        b.profiles.iter().filter_map(profile_listener).count() + 1
    });
    let mut out = Vec::with_capacity(1 + usize::from(sandbox.is_some()) + profiles + fixed.len());
    out.push(Listener {
        port: port.value,
        kind: ListenerKind::Gateway,
        detail: None,
        origin: port.origin.clone(),
    });
    let shared = Arc::new(port.origin.clone());
    if let Some(sandbox) = sandbox {
        out.push(mcp_sandbox(sandbox, port, &shared));
    }
    if let Some(browser) = browser {
        browser_listeners(browser, port, &shared, &mut out);
    }
    out.extend(fixed);
    out
}

/// The MCP apps sandbox's port: configured (its node), or the gateway port + 1 (`None` when
/// neither is a port).
enum SandboxPort<'a> {
    Configured(u16, &'a Node),
    Derived(u16),
}

fn mcp_sandbox_port<'a>(config: &'a Node, port: &Sourced<u16>) -> Option<SandboxPort<'a>> {
    if let Some(node) = config.at(&["mcp", "apps", "sandboxPort"]) {
        let value = node
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (1.0..=65535.0).contains(n))?;
        return Some(SandboxPort::Configured(value as u16, node));
    }
    port.value.checked_add(1).map(SandboxPort::Derived)
}

/// `port_origin` is the gateway port's origin, shared by the listeners derived from it.
fn mcp_sandbox(sandbox: SandboxPort, port: &Sourced<u16>, port_origin: &Arc<Origin>) -> Listener {
    let (port, origin) = match sandbox {
        SandboxPort::Configured(value, node) => (value, Origin::Config(node.loc)),
        SandboxPort::Derived(value) => (
            value,
            Origin::derived_from(
                port_origin,
                Formula::Numbers("{} + 1", [u32::from(port.value), 0]),
            ),
        ),
    };
    Listener {
        port,
        kind: ListenerKind::McpSandbox,
        detail: None,
        origin,
    }
}

/// The port and kind of a browser profile's listener, when it binds one: an extension relay
/// or a locally managed Chrome's CDP port (a relay past 65535 cannot be bound; resolve reports
/// it as a problem instead).
fn profile_listener(profile: &BrowserProfile) -> Option<(u16, ListenerKind)> {
    let kind = match profile.driver {
        "extension" => ListenerKind::ExtensionRelay,
        _ if profile.is_local_managed() => ListenerKind::Cdp,
        _ => return None,
    };
    Some((profile.bindable_port()?, kind))
}

fn browser_listeners(
    browser: &Browser,
    port: &Sourced<u16>,
    port_origin: &Arc<Origin>,
    out: &mut Vec<Listener>,
) {
    let control_formula = if u32::from(port.value) + 2 <= 65535 {
        Formula::Numbers("{} + 2", [u32::from(port.value), 0])
    } else {
        "18791, because gateway port + 2 is past 65535".into()
    };
    out.push(Listener {
        port: browser.control_port,
        kind: ListenerKind::BrowserControl,
        detail: None,
        origin: Origin::derived_from(port_origin, control_formula),
    });
    for profile in &browser.profiles {
        let Some((port, kind)) = profile_listener(profile) else {
            continue;
        };
        out.push(Listener {
            port,
            kind,
            detail: Some(Detail {
                of: DetailOf::BrowserProfile,
                name: profile.name.clone(),
            }),
            origin: profile.origin.clone(),
        });
    }
}

/// Listeners with fixed defaults that bind only when their feature is on.
fn fixed_listeners(config: &Node) -> Vec<Listener> {
    let mut out = Vec::new();
    for (account, block, channel) in telegram_blocks(config) {
        // An account's settings fall back to the channel's own.
        let setting = |key: &str| block.get(key).or_else(|| channel.get(key));
        let Some(webhook_node) = setting("webhookUrl").filter(|n| {
            n.as_str()
                .is_some_and(|u| !u.trim_matches(crate::paths::is_js_whitespace).is_empty())
        }) else {
            continue;
        };
        if !enabled(block) {
            continue;
        }
        out.push(configured_or_default(
            setting("webhookPort"),
            8787,
            ListenerKind::TelegramWebhook,
            Some(Detail::new(DetailOf::Account, &account)),
            Origin::Config(webhook_node.loc).derived(
                "8787, the default Telegram webhook port (webhookUrl set, no webhookPort)",
            ),
        ));
    }
    if let Some(gmail) = config.at(&["hooks", "gmail"]) {
        if enabled(gmail) && gmail.get("serve").is_some() {
            let serve = gmail.get("serve").expect("checked above");
            out.push(configured_or_default(
                gmail.at(&["serve", "port"]),
                8788,
                ListenerKind::GmailHook,
                None,
                Origin::Config(serve.loc).derived("8788, the default Gmail hook port"),
            ));
        }
    }
    if let Some(node) = config.at(&["gateway", "portals", "ingress", "port"]) {
        if let Some(port) = node.as_f64().filter(|n| (1.0..=65535.0).contains(n)) {
            out.push(Listener {
                port: port as u16,
                kind: ListenerKind::IngressPortal,
                detail: None,
                origin: Origin::Config(node.loc),
            });
        }
    }
    out
}

fn configured_or_default(
    node: Option<&Node>,
    default: u16,
    kind: ListenerKind,
    detail: Option<Detail>,
    default_origin: Origin,
) -> Listener {
    let configured = node.and_then(|n| {
        let port = n.as_f64().filter(|p| (1.0..=65535.0).contains(p))?;
        Some((port as u16, Origin::Config(n.loc)))
    });
    let (port, origin) = configured.unwrap_or((default, default_origin));
    Listener {
        port,
        kind,
        detail,
        origin,
    }
}

fn enabled(block: &Node) -> bool {
    block.get("enabled").and_then(Node::as_bool) != Some(false)
}

/// Each Telegram account id with its block and the channel block it falls back to.
pub fn telegram_blocks(config: &Node) -> Vec<(String, &Node, &Node)> {
    let Some(telegram) = config.at(&["channels", "telegram"]) else {
        return Vec::new();
    };
    if !enabled(telegram) {
        return Vec::new();
    }
    match telegram.get("accounts") {
        Some(accounts) if !accounts.members().is_empty() => accounts
            .members()
            .iter()
            .map(|m| (m.key.to_string(), &m.value, telegram))
            .collect(),
        _ => vec![("default".to_string(), telegram, telegram)],
    }
}
