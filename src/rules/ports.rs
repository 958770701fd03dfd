//! Port rules (CL1xx): gateway ports, derived listeners, CDP ranges, footprints.

use crate::catalog;
use crate::ports::allocate;
use crate::ports::layout::{
    CDP_RANGE_OFFSET, CONTROL_OFFSET, FOOTPRINT, RELAY_OFFSET, SANDBOX_OFFSET,
};
use crate::ports::map::{close_bases, At, PortIndex};

use super::group::{distinct, names, party};
use super::RuleContext;
use crate::diagnostic::{Finding, Label};
use crate::resolve::{BrowserError, Instance, Listener, ListenerKind, Origin, PortKind, PortRange};

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    // One suggestion for every help line: a base clear of every gateway on the host (which
    // stays clear when the gateway being moved leaves its old place).
    let free = std::cell::OnceCell::new();
    let suggestion = || *free.get_or_init(|| allocate::suggest(ctx.instances, &[]).map(|s| s.port));
    // Which gateway listens where, asked of the port map's index: the one place collisions
    // are computed, for `check` as for `clawlint ports`.
    let index = PortIndex::new(ctx.instances);
    let mut out = Vec::new();
    out.extend(port_collisions(ctx.instances, &index, &suggestion));
    out.extend(cdp_range_intrusions(ctx.instances, &index));
    // A container's gateway port, CDP range and footprint are in its own namespace.
    let on_host = || ctx.instances.iter().filter(|i| i.listens_on_host());
    out.extend(on_host().filter_map(overflow_fallback));
    out.extend(footprint_overlaps(ctx.instances));
    out.extend(on_host().filter_map(|i| hashed_port(i, &suggestion)));
    out.extend(super::containers::published_port_collisions(ctx.instances));
    out.extend(super::containers::fleet_band_intrusions(ctx.instances));
    out.extend(ctx.instances.iter().filter_map(ignored_port_env));
    out
}

fn listener_party(instance: &Instance, listener: &Listener) -> Label {
    if listener.kind == ListenerKind::Gateway {
        return port_party(instance);
    }
    party(
        instance,
        &format!("{} {}", listener.describe(), listener.port),
        &listener.origin,
    )
}

/// The gateway port's party. A port from no file (the profile hash, the default) is shown at
/// the config file, where a `gateway.port` would go.
pub fn port_party(instance: &Instance) -> Label {
    let what = format!("gateway port {}", instance.port.value);
    let mut label = party(instance, &what, &instance.port.origin);
    if label.loc.is_none() {
        label.loc = Some(instance.config_loc);
    }
    label
}

/// A listener written in config (a pinned `cdpPort`, `webhookPort`...), not derived.
fn is_pinned(listener: &Listener) -> bool {
    listener.kind != ListenerKind::Gateway && matches!(listener.origin, Origin::Config(_))
}

/// Ports derived from equal base ports collide by construction: CL101 says it once.
fn only_derived_from_equal_bases(instances: &[Instance], parties: &[(usize, &Listener)]) -> bool {
    let base = instances[parties[0].0].port.value;
    parties.iter().all(|(i, l)| {
        instances[*i].port.value == base && matches!(l.origin, Origin::Derived { .. })
    })
}

/// CL101 when gateway ports meet, CL102 when any other listener is involved. Pinned CDP
/// endpoints shared by two gateways are CL601's (one gateway drives the other's Chrome).
fn port_collisions(
    instances: &[Instance],
    index: &PortIndex,
    suggestion: &dyn Fn() -> Option<u16>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for group in index.collisions() {
        let port = group[0].port;
        let parties: Vec<(usize, &Listener)> = group
            .iter()
            .map(|a| (a.instance, &instances[a.instance].listeners[a.listener]))
            .collect();
        let gateways_only = parties.iter().all(|(_, l)| l.kind == ListenerKind::Gateway);
        let pinned_cdp_only = parties
            .iter()
            .all(|(_, l)| l.kind == ListenerKind::Cdp && is_pinned(l));
        if pinned_cdp_only || (!gateways_only && only_derived_from_equal_bases(instances, &parties))
        {
            continue;
        }
        let mut finding = if gateways_only {
            gateway_collision(instances, &parties, port, suggestion())
        } else {
            listener_collision(instances, &parties, port)
        };
        for (i, listener) in &parties {
            finding = finding.label(listener_party(&instances[*i], listener));
        }
        out.push(finding);
    }
    out
}

fn gateway_collision(
    instances: &[Instance],
    parties: &[(usize, &Listener)],
    port: u16,
    suggestion: Option<u16>,
) -> Finding {
    let involved = distinct(instances, parties);
    let finding = Finding::new(
        catalog::GATEWAY_PORT_COLLISION,
        format!("gateways {} both use gateway port {port}", names(&involved)),
    )
    .note(format!(
        "so every port derived from it collides too: MCP Apps sandbox {}, browser control {}, extension relay {}, CDP {}",
        u32::from(port) + SANDBOX_OFFSET,
        u32::from(port) + CONTROL_OFFSET,
        u32::from(port) + RELAY_OFFSET,
        u32::from(port) + CDP_RANGE_OFFSET
    ));
    match suggestion {
        Some(free) => finding.help(format!(
            "give \"{}\" its own base port, at least {FOOTPRINT} away from every other gateway's: for example `gateway: {{ port: {free} }}`",
            instances[parties[parties.len() - 1].0].name
        )),
        None => finding.help(format!("give each gateway its own base port, at least {FOOTPRINT} apart")),
    }
}

fn listener_collision(
    instances: &[Instance],
    parties: &[(usize, &Listener)],
    port: u16,
) -> Finding {
    let what: Vec<String> = parties
        .iter()
        .map(|(i, l)| format!("{}'s {}", instances[*i].name, l.describe()))
        .collect();
    let finding = Finding::new(
        catalog::LISTENER_COLLISION,
        format!(
            "port {port} is bound by more than one gateway: {}",
            what.join(", ")
        ),
    );
    let kinds: Vec<ListenerKind> = parties.iter().map(|(_, l)| l.kind).collect();
    let help = if kinds.iter().all(|k| *k == ListenerKind::TelegramWebhook) {
        format!(
            "give one gateway its own `channels.telegram.webhookPort` (for example {})",
            u32::from(port) + 10
        )
    } else if kinds.iter().all(|k| *k == ListenerKind::GmailHook) {
        format!(
            "give one gateway its own `hooks.gmail.serve.port` (for example {})",
            u32::from(port) + 10
        )
    } else if let Some((i, l)) = parties.iter().find(|(_, l)| is_pinned(l)) {
        format!(
            "change the {} that \"{}\" pins, or move the other gateway's base port",
            l.describe(),
            instances[*i].name
        )
    } else {
        format!(
            "move one gateway's base port so that its footprint (base .. base + {}) stays clear of the other's listeners",
            FOOTPRINT - 1
        )
    };
    finding.help(help)
}

/// CL103: other gateways listen inside this gateway's CDP allocation range. New browser
/// profiles get the first port of the range their own config does not use, with no check
/// against other gateways. One finding per range: the listener the next profiles reach first.
fn cdp_range_intrusions(instances: &[Instance], index: &PortIndex) -> Vec<Finding> {
    const SHOWN: usize = 4;
    let mut out = Vec::new();
    for (owner_index, owner) in instances.iter().enumerate() {
        if !owner.listens_on_host() {
            continue;
        }
        let Some(range) = owner
            .browser
            .as_ref()
            .filter(|b| b.enabled && b.error.is_none())
            .map(|b| b.cdp_range)
        else {
            continue;
        };
        // The owner's own listeners are on its own ports, so skipping those skips them too.
        let own_ports = owned_ports(owner);
        let (inside, count) = index.within_except(
            u32::from(range.start),
            u32::from(range.end),
            &own_ports,
            1 + SHOWN,
        );
        debug_assert!(inside.iter().all(|a| a.instance != owner_index));
        if let Some(first) = inside.first() {
            let listener = &instances[first.instance].listeners[first.listener];
            let finding = intrusion(
                owner,
                &instances[first.instance],
                listener,
                range,
                &own_ports,
            );
            out.push(match also_inside(instances, &inside[1..], count - 1) {
                Some(note) => finding.note(note),
                None => finding,
            });
        }
    }
    out
}

/// The other listeners in the range, named: the first few, then a count (`rest` of them
/// in all).
fn also_inside(instances: &[Instance], named: &[At], rest: usize) -> Option<String> {
    if rest == 0 {
        return None;
    }
    let named: Vec<String> = named
        .iter()
        .map(|a| {
            let l = &instances[a.instance].listeners[a.listener];
            format!(
                "{} ({}'s {})",
                a.port,
                instances[a.instance].name,
                l.describe()
            )
        })
        .collect();
    let more = match rest - named.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!("also in this range: {}{more}", named.join(", ")))
}

/// Ports the owner's own config already uses: its listeners (profiles' CDP ports included).
fn owned_ports(owner: &Instance) -> Vec<u16> {
    let mut ports: Vec<u16> = owner.listeners.iter().map(|l| l.port).collect();
    if let Some(browser) = &owner.browser {
        ports.extend(browser.profiles.iter().filter_map(|p| p.bindable_port()));
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn intrusion(
    owner: &Instance,
    intruder: &Instance,
    listener: &Listener,
    range: PortRange,
    own: &[u16],
) -> Finding {
    let free_before = (range.start..=listener.port)
        .filter(|p| !own.contains(p))
        .count();
    let range_origin = owner.port.origin.derived(format!(
        "{} + 11 .. {} + 110",
        owner.port.value, owner.port.value
    ));
    Finding::new(
        catalog::PORT_IN_CDP_RANGE,
        format!(
            "\"{}\"'s {} {} lies inside \"{}\"'s CDP port range {}..{}",
            intruder.name,
            listener.describe(),
            listener.port,
            owner.name,
            range.start,
            range.end
        ),
    )
    .label(listener_party(intruder, listener))
    .label(party(owner, &format!("CDP range {}..{}", range.start, range.end), &range_origin))
    .note(format!(
        "\"{}\" gives each new browser profile the first free port of its range without looking at other gateways: {} gets port {}",
        owner.name,
        match free_before {
            1 => "the next profile created".to_string(),
            n => format!("the {n}th profile created from now"),
        },
        listener.port
    ))
    .help(if listener.kind == ListenerKind::Cdp && is_pinned(listener) {
        format!(
            "move \"{}\"'s pinned {} into its own CDP range {}",
            intruder.name,
            listener.describe(),
            own_range_text(intruder)
        )
    } else {
        format!("keep base ports at least {FOOTPRINT} apart so that no gateway listens inside another's CDP range")
    })
}

fn own_range_text(instance: &Instance) -> String {
    match &instance.browser {
        Some(b) => format!("{}..{}", b.cdp_range.start, b.cdp_range.end),
        None => "(its base port + 11 .. + 110)".to_string(),
    }
}

/// CL104: the base port is so high that derived ports fall back onto the defaults.
fn overflow_fallback(instance: &Instance) -> Option<Finding> {
    if !instance.starts() {
        return None;
    }
    let browser = instance.browser.as_ref().filter(|b| b.enabled)?;
    let base = u32::from(instance.port.value);
    let what = if let Some(error) = &browser.error {
        if !matches!(error, BrowserError::DerivedCdpTooHigh { .. }) {
            return None;
        }
        format!("OpenClaw refuses the browser config: {error}")
    } else if base + 2 > 65535 {
        format!(
            "browser control falls back to port {} and CDP to {}..{}, the default gateway's ports",
            browser.control_port, browser.cdp_range.start, browser.cdp_range.end
        )
    } else if base + 2 + 9 + 99 > 65535 {
        format!(
            "the CDP range {}..{} would pass 65535, so it falls back to {}..{}, the default gateway's range",
            base + 11,
            base + 110,
            browser.cdp_range.start,
            browser.cdp_range.end
        )
    } else {
        return None;
    };
    // Relays count down from control + 8 without clamping (openclaw-facts.md §3.8).
    let past: Vec<String> = browser
        .profiles
        .iter()
        .filter(|p| p.cdp_port > 65535)
        .map(|p| format!("{} (\"{}\")", p.cdp_port, p.name))
        .collect();
    let what = if past.is_empty() {
        what
    } else {
        format!(
            "{what}; its extension relay ports {} are past 65535 and cannot be bound",
            past.join(", ")
        )
    };
    Some(
        Finding::new(
            catalog::PORT_OVERFLOW_FALLBACK,
            format!("gateway \"{}\" uses port {base}: {what}", instance.name),
        )
        .label(party(
            instance,
            &format!("gateway port {base}"),
            &instance.port.origin,
        ))
        .help("use a base port at most 65425, so that base + 110 stays a valid port"),
    )
}

/// CL105: base ports closer than the footprint: neighbours in base-port order, from the port
/// map's index.
fn footprint_overlaps(instances: &[Instance]) -> Vec<Finding> {
    // A gateway that does not start reserves nothing; a container reserves nothing on the host.
    let mut out = Vec::new();
    for (low, high) in close_bases(instances, |i| i.starts() && i.listens_on_host()) {
        let (low, high) = (&instances[low], &instances[high]);
        let gap = u32::from(high.port.value) - u32::from(low.port.value);
        out.push(
            Finding::new(
                catalog::FOOTPRINT_OVERLAP,
                format!(
                    "base ports of \"{}\" ({}) and \"{}\" ({}) are {gap} apart; each gateway reserves {FOOTPRINT} ports",
                    low.name, low.port.value, high.name, high.port.value
                ),
            )
            .label(party(low, &format!("gateway port {}", low.port.value), &low.port.origin))
            .label(party(high, &format!("gateway port {}", high.port.value), &high.port.origin))
            .note(format!(
                "\"{}\" reserves {}..{} for its gateway, sandbox, browser control, extension relays and CDP range",
                low.name,
                low.port.value,
                u32::from(low.port.value) + FOOTPRINT - 1
            ))
            .help(format!("space base ports at least {FOOTPRINT} apart (OpenClaw's docs suggest 120)")),
        );
    }
    out
}

/// CL106: a named profile whose port is the undocumented profile hash.
fn hashed_port(instance: &Instance, suggestion: &dyn Fn() -> Option<u16>) -> Option<Finding> {
    // A config OpenClaw refuses to load runs nothing; its port is not the question.
    let refused = !instance.starts()
        || instance.problems.iter().any(|p| {
            use crate::load::ProblemKind::*;
            matches!(p.kind, Unreadable | InvalidValue)
        });
    if instance.port_kind != PortKind::ProfileHash || refused {
        return None;
    }
    let profile = instance.profile.as_ref()?;
    Some(
        Finding::new(
            catalog::HASHED_PROFILE_PORT,
            format!(
                "gateway \"{}\" has no pinned port, so it runs on its profile's hash port {}",
                instance.name, instance.port.value
            ),
        )
        .label(Label::new(
            Some(instance.config_loc),
            format!("{}: no gateway.port here", instance.name),
            Some(&instance.name),
        ))
        .note(format!(
            "OpenClaw gives a named profile without a port 20000 + FNV-1a(\"{}\") % 40000 = {}; its docs say 18789",
            profile.value, instance.port.value
        ))
        .help(match &instance.ignored_port_env {
            Some(_) => "fix OPENCLAW_GATEWAY_PORT (see CL107), or pin `gateway.port` in the config".to_string(),
            None => format!(
                "pin a port in {}: `gateway: {{ port: {} }}`",
                crate::paths::display_home_relative(&instance.config_path.value, &instance.os_home),
                suggestion().map_or("N".to_string(), |p| p.to_string())
            ),
        }),
    )
}

/// CL107: an `OPENCLAW_GATEWAY_PORT` that OpenClaw silently ignores.
fn ignored_port_env(instance: &Instance) -> Option<Finding> {
    let ignored = instance.ignored_port_env.as_ref()?;
    Some(
        Finding::new(
            catalog::IGNORED_PORT_ENV,
            format!(
                "OPENCLAW_GATEWAY_PORT={:?} is not a port; OpenClaw ignores it and \"{}\" uses port {} instead",
                ignored.value, instance.name, instance.port.value
            ),
        )
        .label(party(instance, "OPENCLAW_GATEWAY_PORT", &ignored.origin))
        .help("write the port as N, host:N or [v6]:N"),
    )
}
