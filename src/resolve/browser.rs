//! Browser ports as OpenClaw's `resolveBrowserConfig` and `resolveProfile` compute them
//! (openclaw-facts.md §2.2, §2.3): control port, CDP range, extension relays, and the port
//! each browser profile really uses.

use super::model::{Browser, BrowserError, BrowserProfile, Formula, Origin, PortRange, Sourced};
use crate::load::tree::Node;
use crate::load::{Problem, ProblemKind};
use std::borrow::Cow;
use std::collections::BTreeSet;

const DEFAULT_CONTROL_PORT: u16 = 18791;
const DEFAULT_CDP_RANGE: PortRange = PortRange {
    start: 18800,
    end: 18899,
};
const CDP_RANGE_SPAN: u32 = 99;
const RELAY_OFFSET: u32 = 8;

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

pub fn resolve(
    config: &Node,
    port: &Sourced<u16>,
    problems: &mut Vec<Problem>,
    facts: &mut Vec<super::startup::StartFact>,
) -> Option<Browser> {
    let block = config.get("browser");
    let enabled = block.and_then(|b| b.get("enabled")?.as_bool()) != Some(false);
    let control = control_port(port.value);
    let range = cdp_range(control);
    // No clamping: near the top of the port range the relay ports pass 65535 (openclaw-facts.md
    // §3.8), and OpenClaw reports them as they are.
    let relay_default = u32::from(control) + RELAY_OFFSET;
    let mut browser = Browser {
        enabled,
        control_port: control,
        cdp_range: range,
        relay_default_port: relay_default,
        profiles: Vec::new(),
        error: None,
    };
    let top_url = block
        .and_then(|b| b.get("cdpUrl"))
        .and_then(|n| Some((n, js_trim(n.as_str()?))))
        .filter(|(_, s)| !s.is_empty());
    let top = match top_url {
        Some((node, raw)) => match CdpUrl::parse(raw, "browser.cdpUrl") {
            Ok(url) => Some((node, url)),
            Err(message) => {
                browser.error = Some(BrowserError::Rejected(message.clone()));
                problems.push(invalid(node, message));
                return Some(browser);
            }
        },
        None if u32::from(control) + 1 > 65535 => {
            browser.error = Some(BrowserError::DerivedCdpTooHigh {
                port: u32::from(control) + 1,
            });
            return Some(browser);
        }
        None => None,
    };
    let default_profile = block
        .and_then(|b| b.get("defaultProfile")?.as_str())
        .map(js_trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("openclaw");
    let ctx = ProfileContext {
        gateway: port,
        gateway_origin: std::sync::Arc::new(port.origin.clone()),
        range,
        top: top.as_ref(),
        // `cdpProtocol`: https only for an https top-level URL (wss gives http).
        https: top.as_ref().is_some_and(|(_, u)| u.url.scheme() == "https"),
        cdp_host: top.as_ref().map_or(Cow::Borrowed("127.0.0.1"), |(_, u)| {
            Cow::Owned(u.hostname())
        }),
        attach_only: block.and_then(|b| b.get("attachOnly")?.as_bool()) == Some(true),
        default_profile,
    };
    let entries = profile_entries(block, &ctx);
    let relays = match relay_ports(&entries, relay_default) {
        Ok(relays) => relays,
        Err(message) => {
            if let Some(block) = block {
                problems.push(invalid(block, message.clone()));
            }
            browser.error = Some(BrowserError::Rejected(message));
            return Some(browser);
        }
    };
    // Sized once: every entry but a refused one becomes a profile, kept to the end of the run.
    browser.profiles.reserve_exact(entries.len());
    for entry in &entries {
        match resolve_profile(entry, &ctx, &relays, relay_default) {
            // A relay past 65535 stays as OpenClaw reports it; it gets no listener (CL104).
            Ok(profile) => browser.profiles.push(profile),
            Err(message) => {
                // OpenClaw's schema requires the endpoint of a configured managed profile, so
                // such a config is refused at start (recorded with scripts/oracle-run.mjs:
                // "Profile must set cdpPort or cdpUrl", exit 78): a start fact, not a problem.
                match entry.node {
                    Some(node) if entry.driver == "openclaw" && entry.cdp_url.is_none() => facts
                        .push(super::startup::StartFact {
                            path: format!("browser.profiles.{}", entry.name),
                            loc: node.loc,
                            problem: format!("{message} OpenClaw's schema requires one"),
                            repair: None,
                        }),
                    _ => problems.push(invalid(entry.node.unwrap_or(config), message)),
                }
            }
        }
    }
    Some(browser)
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(crate::paths::is_js_whitespace)
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
    /// The gateway port's origin, shared by the profiles' ports derived from it.
    gateway_origin: std::sync::Arc<Origin>,
    range: PortRange,
    top: Option<&'a (&'a Node, CdpUrl)>,
    https: bool,
    /// `resolved.cdpHost`: the top-level URL's WHATWG hostname, or 127.0.0.1.
    cdp_host: Cow<'static, str>,
    attach_only: bool,
    default_profile: &'a str,
}

/// Where a profile's `cdpUrl` came from.
#[derive(Clone)]
enum UrlSource<'a> {
    /// Written on the profile.
    Profile(&'a Node),
    /// `browser.cdpUrl`, given to the implicit `openclaw` profile (a ws URL) or to the
    /// `defaultProfile` when it is an existing-session profile without its own.
    TopLevel(&'a Node),
}

impl UrlSource<'_> {
    fn node(&self) -> &Node {
        match self {
            UrlSource::Profile(n) | UrlSource::TopLevel(n) => n,
        }
    }
}

/// A profile as configured, or one of OpenClaw's implicit ones. Its name is borrowed from the
/// config or the program: the profile it becomes keeps the run's shared copy.
struct ProfileEntry<'a> {
    name: &'a str,
    node: Option<&'a Node>,
    driver: &'static str,
    cdp_port: Option<(u32, Origin)>,
    cdp_url: Option<(UrlSource<'a>, String)>,
    attach_only: Option<bool>,
}

fn profile_entries<'a>(block: Option<&'a Node>, ctx: &ProfileContext<'a>) -> Vec<ProfileEntry<'a>> {
    let configured = block.and_then(|b| b.get("profiles"));
    let members = configured.map(|p| p.members()).unwrap_or_default();
    // Sized once for the configured profiles and the three implicit ones OpenClaw may add.
    let mut entries: Vec<ProfileEntry> = Vec::with_capacity(members.len() + IMPLICIT_PROFILES);
    entries.extend(
        members
            .iter()
            .filter(|m| !matches!(m.value.value, crate::load::tree::Value::Null))
            .map(|m| configured_entry(&m.key, &m.value)),
    );
    let has = |entries: &[ProfileEntry], name: &str| entries.iter().any(|e| e.name == name);
    if !has(&entries, "openclaw") {
        let mut entry = match ctx.top {
            Some((node, url)) => {
                let mut e = implicit(
                    "openclaw",
                    "openclaw",
                    Some((url.port, Origin::Config(node.loc))),
                );
                // A ws(s) top-level URL stays the profile's URL (`isWsUrl`).
                if url.is_ws() {
                    e.cdp_url = Some((UrlSource::TopLevel(node), url.normalized.clone()));
                }
                e
            }
            None => implicit(
                "openclaw",
                "openclaw",
                Some((
                    u32::from(ctx.range.start),
                    Origin::derived_from(&ctx.gateway_origin, range_start_formula(ctx)),
                )),
            ),
        };
        entry.node = None;
        entries.push(entry);
    }
    if !has(&entries, "user") {
        let mut user = implicit("user", "existing-session", None);
        user.attach_only = Some(true);
        entries.push(user);
    }
    if !has(&entries, "chrome") {
        entries.push(implicit("chrome", "extension", None));
    }
    // The default profile, when it is an existing-session profile without its own cdpUrl,
    // takes the top-level one.
    if let Some((node, url)) = ctx.top {
        if let Some(selected) = entries.iter_mut().find(|e| e.name == ctx.default_profile) {
            if selected.driver == "existing-session" && selected.cdp_url.is_none() {
                selected.cdp_url = Some((UrlSource::TopLevel(node), url.normalized.clone()));
            }
        }
    }
    entries
}

/// The origin of one of OpenClaw's implicit profiles, in fixed words for the three it adds.
fn implicit_origin(name: &str) -> std::borrow::Cow<'static, str> {
    match name {
        "openclaw" => "implicit browser profile \"openclaw\"".into(),
        "user" => "implicit browser profile \"user\"".into(),
        "chrome" => "implicit browser profile \"chrome\"".into(),
        other => format!("implicit browser profile \"{other}\"").into(),
    }
}

/// How many profiles OpenClaw adds when the config does not name them: `openclaw`, `user`,
/// `chrome`.
const IMPLICIT_PROFILES: usize = 3;

fn implicit(
    name: &'static str,
    driver: &'static str,
    cdp_port: Option<(u32, Origin)>,
) -> ProfileEntry<'static> {
    ProfileEntry {
        name,
        node: None,
        driver,
        cdp_port,
        cdp_url: None,
        attach_only: None,
    }
}

fn configured_entry<'a>(name: &'a str, node: &'a Node) -> ProfileEntry<'a> {
    let driver = match node.get("driver").and_then(Node::as_str) {
        Some("existing-session") => "existing-session",
        Some("extension") => "extension",
        _ => "openclaw",
    };
    let cdp_port = node.get("cdpPort").and_then(|n| {
        let p = n
            .as_f64()
            .filter(|p| p.fract() == 0.0 && (1.0..=65535.0).contains(p))?;
        Some((p as u32, Origin::Config(n.loc)))
    });
    let cdp_url = node
        .get("cdpUrl")
        .and_then(|n| Some((UrlSource::Profile(n), js_trim(n.as_str()?).to_string())))
        .filter(|(_, s)| !s.is_empty());
    ProfileEntry {
        name,
        node: Some(node),
        driver,
        cdp_port,
        cdp_url,
        attach_only: node.get("attachOnly").and_then(Node::as_bool),
    }
}

/// `resolveExtensionRelayPorts`: extension profiles without a `cdpPort`, in sorted name
/// order, count down from the default relay port, skipping ports other profiles pinned.
fn relay_ports<'a>(
    entries: &[ProfileEntry<'a>],
    default_port: u32,
) -> Result<Vec<(&'a str, u32)>, String> {
    let mut names: Vec<&str> = entries
        .iter()
        .filter(|e| e.driver == "extension" && e.cdp_port.is_none())
        .map(|e| e.name)
        .collect();
    names.sort_unstable();
    let mut reserved: BTreeSet<u32> = entries
        .iter()
        .filter_map(|e| Some(e.cdp_port.as_ref()?.0))
        .collect();
    let minimum = default_port - RELAY_OFFSET;
    let mut next = default_port;
    let mut out = Vec::with_capacity(names.len());
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
        out.push((name, next));
        reserved.insert(next);
        next -= 1;
    }
    Ok(out)
}

fn resolve_profile(
    entry: &ProfileEntry,
    ctx: &ProfileContext,
    relays: &[(&str, u32)],
    relay_default: u32,
) -> Result<BrowserProfile, String> {
    let origin_of_node = || match (&entry.cdp_url, entry.node) {
        (Some((UrlSource::TopLevel(n), _)), _) => Origin::Config(n.loc),
        (_, Some(n)) => Origin::Config(n.loc),
        (_, None) => Origin::Default(implicit_origin(entry.name)),
    };
    let profile = |driver: &'static str,
                   port: u32,
                   url: Option<String>,
                   host: Cow<'static, str>,
                   attach: bool,
                   origin| {
        // Credentials in a CDP URL (user:password@, ?token=) never leave the resolver.
        let written_url = url.and_then(|url| {
            BrowserProfile::written_url(crate::redact::redacted_url(url), &host, port)
        });
        BrowserProfile {
            name: crate::diagnostic::shared_name(entry.name),
            driver,
            cdp_port: port,
            loopback: is_loopback_host(&host),
            written_url,
            cdp_host: host,
            attach_only: attach,
            explicit: entry.node.is_some(),
            from_url: entry.cdp_url.is_some()
                || (entry.node.is_none() && ctx.top.is_some() && entry.name == "openclaw"),
            origin,
        }
    };
    match entry.driver {
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
            Ok(profile(
                "extension",
                port,
                made_url("http", "127.0.0.1", port),
                "127.0.0.1".into(),
                true,
                origin,
            ))
        }
        "existing-session" => {
            let endpoint = existing_session_endpoint(entry)?;
            let (url, host) = match endpoint {
                Some(raw) => {
                    let parsed = url::Url::parse(&raw).map_err(|_| {
                        format!(
                            "browser.profiles.{}.cdpUrl must be a valid URL.",
                            entry.name
                        )
                    })?;
                    if !matches!(parsed.scheme(), "http" | "https" | "ws" | "wss") {
                        return Err(format!(
                            "browser.profiles.{}.cdpUrl must use http, https, ws, or wss.",
                            entry.name
                        ));
                    }
                    (whatwg_normalized(&parsed), whatwg_hostname(&parsed))
                }
                None => (String::new(), String::new()),
            };
            let url = Some(url);
            // No endpoint: OpenClaw counts it as loopback (`cdpIsLoopback ?? true`).
            let host_for_loopback = if host.is_empty() {
                Cow::Borrowed("localhost")
            } else {
                shared_host(host)
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
        _ => openclaw_profile(entry, ctx, &profile),
    }
}

/// The Chrome MCP endpoint of an existing-session profile (`normalizeChromeMcpOptions`):
/// `--browserUrl`/`-u` or `--wsEndpoint`/`-w` in `mcpArgs` win over `cdpUrl`; `--autoConnect`
/// drops the endpoint.
fn existing_session_endpoint(entry: &ProfileEntry) -> Result<Option<String>, String> {
    let args: Vec<&str> = entry
        .node
        .and_then(|n| n.get("mcpArgs"))
        .map(|a| a.elements())
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .map(js_trim)
        .filter(|s| !s.is_empty())
        .collect();
    let bad = || {
        "Chrome MCP endpoint arguments must select one valid browserUrl or wsEndpoint URL. \
         Remove duplicate, conflicting, or empty endpoint arguments from mcpArgs."
            .to_string()
    };
    let (mut browser_url, mut ws_endpoint, mut auto_connect) = (Vec::new(), Vec::new(), false);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let target = match flag {
            "--browserUrl" | "--browser-url" | "-u" => Some(&mut browser_url),
            "--wsEndpoint" | "--ws-endpoint" | "-w" => Some(&mut ws_endpoint),
            "--autoConnect" | "--auto-connect" => {
                auto_connect = true;
                None
            }
            _ => None,
        };
        if let Some(target) = target {
            let value = match inline {
                Some(v) => v,
                None => match args.get(i + 1).filter(|v| !v.starts_with('-')) {
                    Some(v) => {
                        i += 1;
                        v.to_string()
                    }
                    None => String::new(),
                },
            };
            target.push(value);
        }
        i += 1;
    }
    if browser_url.len() > 1
        || ws_endpoint.len() > 1
        || (!browser_url.is_empty() && !ws_endpoint.is_empty())
    {
        return Err(bad());
    }
    let (endpoint, ws) = match (browser_url.pop(), ws_endpoint.pop()) {
        (Some(u), _) => (Some(u), false),
        (None, Some(w)) => (Some(w), true),
        (None, None) => (None, false),
    };
    if let Some(endpoint) = &endpoint {
        let parsed = url::Url::parse(endpoint).map_err(|_| bad())?;
        let ok = if ws {
            matches!(parsed.scheme(), "ws" | "wss")
        } else {
            matches!(parsed.scheme(), "http" | "https")
        };
        if !ok {
            return Err(
                "Chrome MCP endpoint arguments require http(s) for browserUrl or ws(s) \
                        for wsEndpoint."
                    .to_string(),
            );
        }
    }
    if endpoint.is_some() || auto_connect {
        return Ok(endpoint);
    }
    Ok(entry.cdp_url.as_ref().map(|(_, raw)| raw.clone()))
}

/// `B + 11`, or the fixed fallback when the range would pass 65535.
fn range_start_formula(ctx: &ProfileContext) -> Formula {
    let base = u32::from(ctx.gateway.value);
    if u32::from(ctx.range.start) == base + 11 {
        Formula::Numbers("{} + 11 (start of the CDP range)", [base, 0])
    } else {
        Formula::Numbers(
            "{}, the fixed fallback CDP range, because {} + 110 is past 65535",
            [u32::from(ctx.range.start), base],
        )
    }
}

/// Relays count down from control + 8, which is `B + 10` unless the control port fell back.
fn relay_origin(ctx: &ProfileContext, default: u32, port: u32) -> Origin {
    let base = u32::from(ctx.gateway.value);
    let below = default - port;
    let formula = match (default == base + 10, below) {
        (true, 0) => Formula::Numbers("{} + 10 (extension relay)", [base, 0]),
        (true, n) => Formula::Numbers("{} + 10 - {} (extension relays count down)", [base, n]),
        (false, 0) => Formula::Numbers(
            "{} + 8 (the fallback control port + 8) (extension relay)",
            [default - 8, 0],
        ),
        (false, n) => Formula::Numbers(
            "{} + 8 (the fallback control port + 8) - {} (extension relays count down)",
            [default - 8, n],
        ),
    };
    Origin::derived_from(&ctx.gateway_origin, formula)
}

/// A CDP host, not copied when it is one of the loopback names nearly every profile has
/// (a profile lives to the end of the run).
fn shared_host(host: String) -> Cow<'static, str> {
    match host.as_str() {
        "127.0.0.1" => Cow::Borrowed("127.0.0.1"),
        "localhost" => Cow::Borrowed("localhost"),
        _ => Cow::Owned(host),
    }
}

/// Makes a profile from its driver, port, URL as written (`None`: one [`made_url`] need not
/// make), host, attach-only and origin.
type MakeProfile<'f> = dyn Fn(&'static str, u32, Option<String>, Cow<'static, str>, bool, Origin) -> BrowserProfile
    + 'f;

/// `{protocol}://{host}:{port}`, the URL of a profile clawlint fills in itself; `None` for
/// `http://` on a host of digits, dots and colons (`127.0.0.1`, nearly every profile), which
/// redaction leaves as it is and [`BrowserProfile::written_url`] does not keep: nothing is
/// written, scanned and dropped for it (38,000 profiles at 10,000 gateways).
fn made_url(protocol: &str, host: &str, port: u32) -> Option<String> {
    // Under redaction's 253-byte limit for an origin shown whole, with `:` and ten digits.
    let numeric = host.len() <= 240
        && host
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b':'));
    (protocol != "http" || !numeric).then(|| format!("{protocol}://{host}:{port}"))
}

/// `resolveProfile` for the `openclaw` driver.
fn openclaw_profile(
    entry: &ProfileEntry,
    ctx: &ProfileContext,
    make: &MakeProfile,
) -> Result<BrowserProfile, String> {
    let attach = entry.attach_only.unwrap_or(ctx.attach_only);
    let protocol = if ctx.https { "https" } else { "http" };
    let pinned = entry.cdp_port.clone().filter(|(p, _)| *p > 0);
    // Named in errors only.
    let label = || format!("browser.profiles.{}.cdpUrl", entry.name);
    match (&entry.cdp_url, pinned) {
        // A ws(s) DevTools browser URL with a cdpPort: the port wins and the URL is rebuilt.
        (Some((source, raw)), Some((port, origin)))
            if is_ws_text(raw) && raw.to_ascii_lowercase().contains("/devtools/browser/") =>
        {
            let url = url::Url::parse(raw).map_err(|_| format!("{}: Invalid URL", label()))?;
            let host = whatwg_hostname(&url);
            let _ = source;
            Ok(make(
                "openclaw",
                port,
                Some(format!("{protocol}://{host}:{port}")),
                shared_host(host),
                attach,
                origin,
            ))
        }
        (Some((source, raw)), pinned) => {
            let parsed = CdpUrl::parse(raw, &label())?;
            let url_origin = Origin::Config(source.node().loc);
            let host = parsed.hostname();
            let (port, url, origin) = match (parsed.explicit_port, pinned) {
                (true, _) => (parsed.port, parsed.normalized_with_port.clone(), url_origin),
                (false, Some((p, o))) => {
                    let mut rebuilt = parsed.url.clone();
                    let _ = rebuilt.set_port(u16::try_from(p).ok());
                    (p, trim_slash(rebuilt.as_str()), o)
                }
                (false, None) => (parsed.port, parsed.normalized.clone(), url_origin),
            };
            Ok(make(
                "openclaw",
                port,
                Some(url),
                shared_host(host),
                attach,
                origin,
            ))
        }
        (None, Some((port, origin))) => Ok(make(
            "openclaw",
            port,
            made_url(protocol, &ctx.cdp_host, port),
            ctx.cdp_host.clone(),
            attach,
            origin,
        )),
        (None, None) => Err(format!(
            "Profile \"{}\" must define cdpPort or cdpUrl.",
            entry.name
        )),
    }
}

fn is_ws_text(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    lower.starts_with("ws://") || lower.starts_with("wss://")
}

/// `isLoopbackHost`: `localhost`, 127.0.0.0/8, `::1`, IPv4-mapped loopback.
pub fn is_loopback_host(host: &str) -> bool {
    // The hosts of the profiles clawlint fills in itself: no lowercase copy, no parse.
    if matches!(host, "127.0.0.1" | "localhost") {
        return true;
    }
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

/// `URL.hostname`: the WHATWG-normalised host (`127.1` is `127.0.0.1`, IPv6 in brackets).
fn whatwg_hostname(url: &url::Url) -> String {
    match url.host() {
        Some(url::Host::Ipv6(addr)) => format!("[{addr}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    }
}

/// `URL.toString()` without a trailing slash for http(s), as OpenClaw normalises CDP URLs;
/// ws(s) URLs keep theirs.
fn whatwg_normalized(url: &url::Url) -> String {
    if matches!(url.scheme(), "http" | "https") {
        trim_slash(url.as_str())
    } else {
        url.as_str().to_string()
    }
}

fn trim_slash(s: &str) -> String {
    s.strip_suffix('/').unwrap_or(s).to_string()
}

/// `parseBrowserHttpUrl`: a CDP endpoint parsed by the WHATWG URL rules OpenClaw's `new URL`
/// follows (the `url` crate implements the same standard), with OpenClaw's port handling.
#[derive(Debug, Clone, PartialEq)]
pub struct CdpUrl {
    url: url::Url,
    /// The port as OpenClaw counts it: explicit, else 443 for https/wss, else 80.
    pub port: u32,
    /// The text spells out a port (`hasRawExplicitPort`), even the scheme's default.
    pub explicit_port: bool,
    /// `URL.toString()` without the trailing slash.
    pub normalized: String,
    /// `normalized`, with a default port the text spelled out put back.
    pub normalized_with_port: String,
}

impl CdpUrl {
    pub fn parse(raw: &str, label: &str) -> Result<CdpUrl, String> {
        let trimmed = js_trim(raw);
        let url = url::Url::parse(trimmed).map_err(|_| format!("{label}: Invalid URL"))?;
        if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
            return Err(format!(
                "{label} must be http(s) or ws(s), got: {}",
                url.scheme()
            ));
        }
        let secure = matches!(url.scheme(), "https" | "wss");
        let default_port = if secure { 443 } else { 80 };
        let explicit_port = has_raw_explicit_port(trimmed);
        let port = url.port().map_or(default_port, u32::from);
        let normalized = trim_slash(url.as_str());
        let normalized_with_port = if explicit_port && url.port().is_none() {
            insert_port(&normalized, url.scheme(), port)
        } else {
            normalized.clone()
        };
        Ok(CdpUrl {
            url,
            port,
            explicit_port,
            normalized,
            normalized_with_port,
        })
    }

    pub fn hostname(&self) -> String {
        whatwg_hostname(&self.url)
    }

    fn is_ws(&self) -> bool {
        matches!(self.url.scheme(), "ws" | "wss")
    }
}

/// `hasRawExplicitPort`: the authority of the raw text ends in `:digits`.
fn has_raw_explicit_port(raw: &str) -> bool {
    let after_scheme = match raw.find("://") {
        Some(i)
            if raw[..i].chars().enumerate().all(|(j, c)| {
                c.is_ascii_alphabetic() || (j > 0 && (c.is_ascii_digit() || "+.-".contains(c)))
            }) && i > 0 =>
        {
            &raw[i + 3..]
        }
        _ => raw,
    };
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_port = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let digits_after_colon = |s: &str| {
        s.rsplit_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(rest) = host_port.strip_prefix('[') {
        // `^\[[^\]]+\]:\d+$`
        return match rest.split_once(']') {
            Some((inside, tail)) => {
                !inside.is_empty()
                    && tail
                        .strip_prefix(':')
                        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            }
            None => false,
        };
    }
    digits_after_colon(host_port)
}

/// Puts `:port` back after the host of a normalised URL.
fn insert_port(normalized: &str, scheme: &str, port: u32) -> String {
    let proto = format!("{scheme}://");
    let Some(rest) = normalized.strip_prefix(&proto) else {
        return normalized.to_string();
    };
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    let host_part = &rest[host_start..];
    let host_len = if host_part.starts_with('[') {
        host_part.find(']').map_or(host_part.len(), |i| i + 1)
    } else {
        host_part.find([':', '/']).unwrap_or(host_part.len())
    };
    let at = host_start + host_len;
    format!("{proto}{}:{port}{}", &rest[..at], &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A URL `made_url` does not make is one that redaction and `written_url` would have
    /// dropped; one it makes is the URL as written.
    #[test]
    fn a_url_not_made_is_one_not_kept() {
        let long = "1".repeat(240);
        let longer = "1".repeat(241);
        let hosts = [
            "127.0.0.1",
            "10.1.2.3",
            "::1",
            "",
            "1.",
            "localhost",
            "[::1]",
            "chrome",
            &long,
            &longer,
        ];
        for protocol in ["http", "https", "ws"] {
            for host in hosts {
                for port in [0, 1, 80, 18800, 65535, u32::MAX] {
                    let url = format!("{protocol}://{host}:{port}");
                    let kept = |url: String| {
                        BrowserProfile::written_url(crate::redact::redacted_url(url), host, port)
                    };
                    match made_url(protocol, host, port) {
                        Some(made) => assert_eq!(made, url),
                        None => assert_eq!(kept(url), None, "{protocol} {host} {port}"),
                    }
                }
            }
        }
        assert_eq!(made_url("http", "127.0.0.1", 18800), None);
    }

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
        let u = CdpUrl::parse("http://10.0.0.5:9222", "x").unwrap();
        assert_eq!(
            (u.hostname(), u.port, u.explicit_port),
            ("10.0.0.5".into(), 9222, true)
        );
        assert_eq!(u.normalized, "http://10.0.0.5:9222");
        let u = CdpUrl::parse("https://Chrome.Example", "x").unwrap();
        assert_eq!((u.port, u.explicit_port), (443, false));
        assert_eq!(u.normalized, "https://chrome.example");
        let u = CdpUrl::parse("ws://[::1]:9333/devtools/browser/x", "x").unwrap();
        assert_eq!(u.hostname(), "[::1]");
        assert!(is_loopback_host(&u.hostname()));
        // WHATWG host normalisation, as `new URL` does it.
        let u = CdpUrl::parse("http://127.1:9333", "x").unwrap();
        assert_eq!(u.hostname(), "127.0.0.1");
        assert_eq!(u.normalized, "http://127.0.0.1:9333");
        // An explicit default port is kept in the `WithPort` form only.
        let u = CdpUrl::parse("http://host:80/x", "x").unwrap();
        assert_eq!(
            (u.normalized.as_str(), u.normalized_with_port.as_str()),
            ("http://host/x", "http://host:80/x")
        );
        assert!(CdpUrl::parse("ftp://x", "x").is_err());
        assert!(CdpUrl::parse("http://x:99999", "x").is_err());
        assert!(has_raw_explicit_port("user:pw@[::1]:9"));
        assert!(!has_raw_explicit_port("http://host/a:9"));
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("127.0.0.2"));
        assert!(!is_loopback_host("10.0.0.5"));
        assert!(!is_loopback_host("example.com"));
    }
}
