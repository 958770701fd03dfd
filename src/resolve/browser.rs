//! Browser ports as OpenClaw's `resolveBrowserConfig` and `resolveProfile` compute them
//! (openclaw-facts.md §2.2, §2.3): control port, CDP range, extension relays, and the port
//! each browser profile really uses.

use super::model::{Browser, BrowserProfile, Origin, PortRange, Sourced};
use crate::load::tree::Node;
use crate::load::{Problem, ProblemKind};
use std::collections::BTreeSet;

const DEFAULT_CONTROL_PORT: u16 = 18791;
const DEFAULT_CDP_RANGE: PortRange = PortRange {
    start: 18800,
    end: 18899,
};
const CDP_RANGE_SPAN: u32 = 99;
const RELAY_OFFSET: u16 = 8;

/// `derivePort`: `base + offset` when it is a valid port, else the fixed fallback.
fn derive_port(base: u16, offset: u32, fallback: u16) -> u16 {
    let port = u32::from(base) + offset;
    if (1..=65535).contains(&port) {
        port as u16
    } else {
        fallback
    }
}

pub fn control_port(gateway_port: u16) -> u16 {
    derive_port(gateway_port, 2, DEFAULT_CONTROL_PORT)
}

/// `deriveDefaultBrowserCdpPortRange`: control + 9 .. + 99, or 18800-18899 past 65535.
pub fn cdp_range(control_port: u16) -> PortRange {
    let start = derive_port(control_port, 9, DEFAULT_CDP_RANGE.start);
    let end = u32::from(start) + CDP_RANGE_SPAN;
    if end <= 65535 {
        PortRange {
            start,
            end: end as u16,
        }
    } else {
        DEFAULT_CDP_RANGE
    }
}

pub fn resolve(config: &Node, port: &Sourced<u16>, problems: &mut Vec<Problem>) -> Option<Browser> {
    let block = config.get("browser");
    let enabled = block.and_then(|b| b.get("enabled")?.as_bool()) != Some(false);
    let control = control_port(port.value);
    let range = cdp_range(control);
    let mut browser = Browser {
        enabled,
        control_port: control,
        cdp_range: range,
        relay_default_port: control.saturating_add(RELAY_OFFSET),
        profiles: Vec::new(),
        error: None,
    };
    let top_url = block
        .and_then(|b| b.get("cdpUrl"))
        .and_then(|n| Some((n, n.as_str()?.trim_matches(crate::paths::is_js_whitespace))))
        .filter(|(_, s)| !s.is_empty());
    let top = match top_url {
        Some((node, raw)) => match Url::parse(raw) {
            Ok(url) => Some((node, url)),
            Err(message) => {
                browser.error = Some(format!("browser.cdpUrl: {message}"));
                problems.push(invalid(node, format!("browser.cdpUrl: {message}")));
                return Some(browser);
            }
        },
        None if u32::from(control) + 1 > 65535 => {
            let message = format!(
                "Derived CDP port ({}) is too high; check gateway port configuration.",
                u32::from(control) + 1
            );
            browser.error = Some(message);
            return Some(browser);
        }
        None => None,
    };
    let ctx = ProfileContext {
        gateway: port,
        range,
        top: top.as_ref(),
        attach_only: block.and_then(|b| b.get("attachOnly")?.as_bool()) == Some(true),
    };
    let entries = profile_entries(block, &ctx);
    let relays = match relay_ports(&entries, browser.relay_default_port) {
        Ok(relays) => relays,
        Err(message) => {
            if let Some(block) = block {
                problems.push(invalid(block, message.clone()));
            }
            browser.error = Some(message);
            return Some(browser);
        }
    };
    for entry in &entries {
        match resolve_profile(entry, &ctx, &relays, browser.relay_default_port) {
            Ok(profile) => browser.profiles.push(profile),
            Err(message) => problems.push(invalid(entry.node.unwrap_or(config), message)),
        }
    }
    Some(browser)
}

fn invalid(node: &Node, message: String) -> Problem {
    Problem {
        kind: ProblemKind::InvalidValue,
        message,
        loc: Some(node.loc),
    }
}

struct ProfileContext<'a> {
    gateway: &'a Sourced<u16>,
    range: PortRange,
    top: Option<&'a (&'a Node, Url)>,
    attach_only: bool,
}

/// A profile as configured, or one of OpenClaw's implicit ones.
struct ProfileEntry<'a> {
    name: String,
    node: Option<&'a Node>,
    driver: String,
    cdp_port: Option<(u16, Origin)>,
    cdp_url: Option<(&'a Node, String)>,
    attach_only: Option<bool>,
}

fn profile_entries<'a>(block: Option<&'a Node>, ctx: &ProfileContext) -> Vec<ProfileEntry<'a>> {
    let configured = block.and_then(|b| b.get("profiles"));
    let mut entries: Vec<ProfileEntry> = configured
        .map(|p| p.members())
        .unwrap_or_default()
        .iter()
        .map(|m| configured_entry(&m.key, &m.value))
        .collect();
    let has = |entries: &[ProfileEntry], name: &str| entries.iter().any(|e| e.name == name);
    if !has(&entries, "openclaw") {
        let (port, origin) = match ctx.top {
            Some((node, url)) => (url.port_or_default(), Origin::Config(node.loc)),
            None => (
                ctx.range.start,
                ctx.gateway.origin.derived(range_start_formula(ctx)),
            ),
        };
        entries.push(implicit("openclaw", "openclaw", Some((port, origin))));
    }
    if !has(&entries, "user") {
        let mut user = implicit("user", "existing-session", None);
        user.attach_only = Some(true);
        entries.push(user);
    }
    if !has(&entries, "chrome") {
        entries.push(implicit("chrome", "extension", None));
    }
    entries
}

fn implicit(name: &str, driver: &str, cdp_port: Option<(u16, Origin)>) -> ProfileEntry<'static> {
    ProfileEntry {
        name: name.to_string(),
        node: None,
        driver: driver.to_string(),
        cdp_port,
        cdp_url: None,
        attach_only: None,
    }
}

fn configured_entry<'a>(name: &str, node: &'a Node) -> ProfileEntry<'a> {
    let driver = match node.get("driver").and_then(Node::as_str) {
        Some("existing-session") => "existing-session",
        Some("extension") => "extension",
        _ => "openclaw",
    };
    let cdp_port = node.get("cdpPort").and_then(|n| {
        let p = n
            .as_f64()
            .filter(|p| p.fract() == 0.0 && (1.0..=65535.0).contains(p))?;
        Some((p as u16, Origin::Config(n.loc)))
    });
    let cdp_url = node
        .get("cdpUrl")
        .and_then(|n| {
            Some((
                n,
                n.as_str()?
                    .trim_matches(crate::paths::is_js_whitespace)
                    .to_string(),
            ))
        })
        .filter(|(_, s)| !s.is_empty());
    ProfileEntry {
        name: name.to_string(),
        node: Some(node),
        driver: driver.to_string(),
        cdp_port,
        cdp_url,
        attach_only: node.get("attachOnly").and_then(Node::as_bool),
    }
}

/// `resolveExtensionRelayPorts`: extension profiles without a `cdpPort`, in sorted name
/// order, count down from the default relay port, skipping ports other profiles pinned.
fn relay_ports(entries: &[ProfileEntry], default_port: u16) -> Result<Vec<(String, u16)>, String> {
    let mut names: Vec<&str> = entries
        .iter()
        .filter(|e| e.driver == "extension" && e.cdp_port.is_none())
        .map(|e| e.name.as_str())
        .collect();
    names.sort_unstable();
    let mut reserved: BTreeSet<u16> = entries
        .iter()
        .filter_map(|e| Some(e.cdp_port.as_ref()?.0))
        .collect();
    let minimum = default_port.saturating_sub(RELAY_OFFSET);
    let mut next = default_port;
    let mut out = Vec::new();
    for name in names {
        while next > minimum && reserved.contains(&next) {
            next -= 1;
        }
        if next <= minimum {
            return Err(
                "No available extension relay ports in the reserved browser relay port range"
                    .to_string(),
            );
        }
        out.push((name.to_string(), next));
        reserved.insert(next);
        next -= 1;
    }
    Ok(out)
}

fn resolve_profile(
    entry: &ProfileEntry,
    ctx: &ProfileContext,
    relays: &[(String, u16)],
    relay_default: u16,
) -> Result<BrowserProfile, String> {
    let origin_of_node = || match entry.node {
        Some(n) => Origin::Config(n.loc),
        None => Origin::Default(format!("implicit browser profile \"{}\"", entry.name)),
    };
    let profile =
        |driver: &str, port: u16, url: String, host: String, attach: bool, origin| BrowserProfile {
            name: entry.name.clone(),
            driver: driver.to_string(),
            cdp_port: port,
            loopback: is_loopback_host(&host),
            // Credentials in a CDP URL (user:password@, ?token=) never leave the resolver.
            cdp_url: crate::redact::redact_url(&url),
            cdp_host: host,
            attach_only: attach,
            explicit: entry.node.is_some(),
            from_url: entry.cdp_url.is_some()
                || (entry.node.is_none() && ctx.top.is_some() && entry.name == "openclaw"),
            origin,
        };
    match entry.driver.as_str() {
        "extension" => {
            let (port, origin) = match &entry.cdp_port {
                Some((p, o)) => (*p, o.clone()),
                None => match relays.iter().find(|(n, _)| *n == entry.name) {
                    Some((_, p)) => (*p, relay_origin(ctx, relay_default, *p)),
                    None => (
                        relay_default,
                        relay_origin(ctx, relay_default, relay_default),
                    ),
                },
            };
            let url = format!("http://127.0.0.1:{port}");
            Ok(profile(
                "extension",
                port,
                url,
                "127.0.0.1".into(),
                true,
                origin,
            ))
        }
        "existing-session" => {
            let (url, host) = match &entry.cdp_url {
                Some((_, raw)) => match Url::parse(raw) {
                    Ok(u) => (u.normalized(), u.hostname().to_string()),
                    Err(_) => (String::new(), String::new()),
                },
                None => (String::new(), String::new()),
            };
            let host_for_loopback = if host.is_empty() {
                "localhost".to_string()
            } else {
                host
            };
            Ok(profile(
                "existing-session",
                0,
                url,
                host_for_loopback,
                true,
                origin_of_node(),
            ))
        }
        _ => openclaw_profile(entry, ctx, origin_of_node(), &profile),
    }
}

/// `B + 11`, or the fixed fallback when the range would pass 65535.
fn range_start_formula(ctx: &ProfileContext) -> String {
    let base = u32::from(ctx.gateway.value);
    if u32::from(ctx.range.start) == base + 11 {
        format!("{base} + 11 (start of the CDP range)")
    } else {
        format!(
            "{}, the fixed fallback CDP range, because {base} + 110 is past 65535",
            ctx.range.start
        )
    }
}

/// Relays count down from control + 8, which is `B + 10` unless the control port fell back.
fn relay_origin(ctx: &ProfileContext, default: u16, port: u16) -> Origin {
    let base = u32::from(ctx.gateway.value);
    let below = default - port;
    let start = if u32::from(default) == base + 10 {
        format!("{base} + 10")
    } else {
        format!(
            "{} + 8 (the fallback control port + 8)",
            u32::from(default) - 8
        )
    };
    let formula = match below {
        0 => format!("{start} (extension relay)"),
        n => format!("{start} - {n} (extension relays count down)"),
    };
    ctx.gateway.origin.derived(formula)
}

type MakeProfile<'f> = dyn Fn(&str, u16, String, String, bool, Origin) -> BrowserProfile + 'f;

fn openclaw_profile(
    entry: &ProfileEntry,
    ctx: &ProfileContext,
    node_origin: Origin,
    make: &MakeProfile,
) -> Result<BrowserProfile, String> {
    let attach = entry.attach_only.unwrap_or(ctx.attach_only);
    let default_host = ctx
        .top
        .map(|(_, u)| u.hostname().to_string())
        .unwrap_or_else(|| "127.0.0.1".to_string());
    let scheme = match ctx.top {
        Some((_, u)) if u.scheme == "https" => "https",
        _ => "http",
    };
    let pinned = entry.cdp_port.clone();
    match (&entry.cdp_url, pinned) {
        (Some((node, raw)), pinned) => {
            let url = Url::parse(raw)
                .map_err(|m| format!("browser.profiles.{}.cdpUrl: {m}", entry.name))?;
            let host = url.hostname().to_string();
            let (port, origin) = match (url.explicit_port(), pinned) {
                (Some(p), _) => (p, Origin::Config(node.loc)),
                (None, Some((p, o))) => (p, o),
                (None, None) => (url.port_or_default(), Origin::Config(node.loc)),
            };
            Ok(make(
                "openclaw",
                port,
                url.with_port(port),
                host,
                attach,
                origin,
            ))
        }
        (None, Some((port, origin))) => {
            let url = format!("{scheme}://{}:{port}", default_host);
            Ok(make("openclaw", port, url, default_host, attach, origin))
        }
        (None, None) => {
            let _ = node_origin;
            Err(format!(
                "Profile \"{}\" must define cdpPort or cdpUrl.",
                entry.name
            ))
        }
    }
}

/// `isLoopbackHost`: `localhost`, 127.0.0.0/8, `::1`, IPv4-mapped loopback.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if host == "localhost" {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Just enough of WHATWG URL parsing for CDP endpoints: scheme, host, port, the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Url {
    pub scheme: String,
    userinfo: Option<String>,
    host: String,
    /// The port as `URL` keeps it: `None` when absent or equal to the scheme's default.
    port: Option<u16>,
    raw_explicit_port: bool,
    rest: String,
}

impl Url {
    pub fn parse(raw: &str) -> Result<Url, String> {
        let raw = raw.trim_matches(crate::paths::is_js_whitespace);
        let (scheme, after) = raw
            .split_once("://")
            .ok_or_else(|| format!("invalid URL: {raw}"))?;
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
            return Err(format!("must be http(s) or ws(s), got: {scheme}"));
        }
        let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(authority_end);
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(i) => (Some(authority[..i].to_string()), &authority[i + 1..]),
            None => (None, authority),
        };
        let (host, port_text) = split_host_port(host_port)?;
        if host.is_empty() {
            return Err(format!("invalid URL: {raw}"));
        }
        let default_port = if matches!(scheme.as_str(), "https" | "wss") {
            443
        } else {
            80
        };
        let port = match port_text {
            Some(text) => {
                let p = crate::openclaw::parse_tcp_port(text)
                    .ok_or_else(|| format!("has invalid port: {text}"))?;
                (p != default_port).then_some(p)
            }
            None => None,
        };
        Ok(Url {
            scheme,
            userinfo,
            host: host.to_ascii_lowercase(),
            port,
            raw_explicit_port: port_text.is_some(),
            rest: rest.to_string(),
        })
    }

    pub fn hostname(&self) -> &str {
        &self.host
    }

    fn default_port(&self) -> u16 {
        if matches!(self.scheme.as_str(), "https" | "wss") {
            443
        } else {
            80
        }
    }

    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.default_port())
    }

    /// The port when the URL text spells one out.
    pub fn explicit_port(&self) -> Option<u16> {
        self.raw_explicit_port.then(|| self.port_or_default())
    }

    /// `URL.toString()` without a trailing slash, as OpenClaw normalises CDP URLs.
    pub fn normalized(&self) -> String {
        self.render(self.port)
    }

    /// The URL with its port spelled out.
    pub fn with_port(&self, port: u16) -> String {
        self.render(Some(port))
    }

    fn render(&self, port: Option<u16>) -> String {
        let mut out = format!("{}://", self.scheme);
        if let Some(user) = &self.userinfo {
            out.push_str(user);
            out.push('@');
        }
        out.push_str(&self.host);
        if let Some(p) = port {
            out.push_str(&format!(":{p}"));
        }
        let rest = if self.rest.is_empty() {
            "/"
        } else {
            &self.rest
        };
        out.push_str(rest);
        match out.strip_suffix('/') {
            Some(trimmed) if matches!(self.scheme.as_str(), "http" | "https") || rest == "/" => {
                trimmed.to_string()
            }
            _ => out,
        }
    }
}

fn split_host_port(host_port: &str) -> Result<(&str, Option<&str>), String> {
    if host_port.starts_with('[') {
        let close = host_port
            .find(']')
            .ok_or_else(|| format!("invalid host: {host_port}"))?;
        let host = &host_port[..=close];
        return match &host_port[close + 1..] {
            "" => Ok((host, None)),
            rest => match rest.strip_prefix(':') {
                Some(port) if !port.is_empty() => Ok((host, Some(port))),
                Some(_) => Ok((host, None)),
                None => Err(format!("invalid host: {host_port}")),
            },
        };
    }
    match host_port.rsplit_once(':') {
        Some((host, "")) => Ok((host, None)),
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((host_port, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ports_and_fallbacks() {
        assert_eq!(control_port(18789), 18791);
        assert_eq!(
            cdp_range(18791),
            PortRange {
                start: 18800,
                end: 18899
            }
        );
        assert_eq!(control_port(20000), 20002);
        assert_eq!(
            cdp_range(20002),
            PortRange {
                start: 20011,
                end: 20110
            }
        );
        assert_eq!(cdp_range(control_port(65430)), DEFAULT_CDP_RANGE);
        assert_eq!(control_port(65534), 18791);
    }

    #[test]
    fn urls() {
        let u = Url::parse("http://10.0.0.5:9222").unwrap();
        assert_eq!((u.hostname(), u.explicit_port()), ("10.0.0.5", Some(9222)));
        assert_eq!(u.normalized(), "http://10.0.0.5:9222");
        let u = Url::parse("https://Chrome.Example").unwrap();
        assert_eq!(u.port_or_default(), 443);
        assert_eq!(u.explicit_port(), None);
        let u = Url::parse("ws://[::1]:9333/devtools/browser/x").unwrap();
        assert_eq!(u.hostname(), "[::1]");
        assert!(is_loopback_host(u.hostname()));
        assert!(Url::parse("ftp://x").is_err());
        assert!(Url::parse("http://x:99999").is_err());
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("127.0.0.2"));
        assert!(!is_loopback_host("10.0.0.5"));
        assert!(!is_loopback_host("example.com"));
    }
}
