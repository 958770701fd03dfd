//! Port rules (CL1xx): gateway ports, derived listeners, CDP ranges, footprints.

use crate::catalog;
use crate::ports::allocate;
use crate::ports::layout::{
    CDP_RANGE_OFFSET, CONTROL_OFFSET, FOOTPRINT, RELAY_OFFSET, SANDBOX_OFFSET,
};
use crate::ports::map::{close_bases, At, PortIndex};

use super::group::{both_or_all, distinct, names, party, party_loc, write_whence};
use super::RuleContext;
use crate::diagnostic::{
    listed, shared_name, text, Finding, Label, Name, Note, Text, Wording, Words,
};
use crate::invocation::Formula;
use crate::resolve::{
    BrowserError, Detail, Instance, Listener, ListenerKind, Origin, PortKind, PortRange,
    Unverifiable,
};
use std::cell::OnceCell;

/// Help lines that name the footprint: the same in every finding, so made once and shared
/// (thousands of findings carry them on a crowded host).
static GIVE_EACH_ITS_OWN_BASE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("give each gateway its own base port, at least {FOOTPRINT} apart")
});
static KEEP_CLEAR_OF_LISTENERS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "move one gateway's base port so that its footprint (base .. base + {}) stays clear of the other's listeners",
        FOOTPRINT - 1
    )
});
static KEEP_OUT_OF_CDP_RANGES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("keep base ports at least {FOOTPRINT} apart so that no gateway listens inside another's CDP range")
});
static SPACE_BASE_PORTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("space base ports at least {FOOTPRINT} apart (OpenClaw's docs suggest 120)")
});

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    // One suggestion for every help line: a base clear of every gateway on the host (which
    // stays clear when the gateway being moved leaves its old place).
    let free = std::cell::OnceCell::new();
    let suggestion = || *free.get_or_init(|| allocate::suggested_port(ctx.instances));
    // Which gateway listens where, asked of the port map's index: the one place collisions
    // are computed, for `check` as for `clawlint ports`.
    let index = PortIndex::new(ctx.instances);
    let gateways = Gateways::new(ctx.instances);
    // One list the checks push into: a list per check, grown by doubling and then copied
    // into this one, was three large copies of thousands of findings and their fresh pages.
    let mut out = Vec::new();
    port_collisions(&gateways, &index, &suggestion, &mut out);
    cdp_range_intrusions(&gateways, &index, &mut out);
    // A container's gateway port, CDP range and footprint are in its own namespace.
    let on_host = || ctx.instances.iter().filter(|i| i.listens_on_host());
    out.extend(on_host().filter_map(overflow_fallback));
    footprint_overlaps(&gateways, &mut out);
    out.extend(on_host().filter_map(|i| hashed_port(i, &suggestion)));
    out.extend(super::containers::published_port_collisions(ctx.instances));
    out.extend((ctx.instances.iter()).filter_map(super::containers::published_port_unbound));
    out.extend((ctx.instances.iter()).filter_map(super::containers::published_loopback_listener));
    out.extend(super::containers::fleet_band_intrusions(ctx.instances));
    out.extend(ctx.instances.iter().filter_map(ignored_port_env));
    out.extend(tailscale_contention(ctx.instances));
    out
}

/// CL110: two gateways on one host with managed Tailscale Serve/Funnel. Each claims the
/// node's HTTPS root route (`tailscale serve|funnel --yes --bg=false <target>`, no
/// `--https`, so port 443); the second finds "listener already exists for port 443" and
/// exits 78 (`TailscaleRouteOwnershipConflictError`).
fn tailscale_contention(instances: &[Instance]) -> Option<Finding> {
    let claimants: Vec<&Instance> = instances
        .iter()
        .filter(|i| i.tailscale.is_some() && i.runs())
        .collect();
    if claimants.len() < 2 {
        return None;
    }
    let mut finding = Finding::new(
        &catalog::TAILSCALE_ROUTE_CONTENTION,
        format!(
            "gateways {} {} claim this node's Tailscale HTTPS route (gateway.tailscale.mode serve/funnel)",
            names(&claimants),
            both_or_all(claimants.len())
        ),
    )
    .note("OpenClaw's managed ingress runs `tailscale serve|funnel --bg=false <target>` on HTTPS port 443 of the node; the gateway that starts second finds the port owned and exits with code 78")
    .help("keep managed Tailscale ingress on one gateway (`gateway.tailscale.mode: \"off\"` on the others) and reach the others through it, a tailnet bind, or an SSH tunnel");
    for instance in claimants {
        let mode = instance.tailscale.as_ref().expect("filtered");
        finding = finding.label(party(
            instance,
            format_args!("gateway.tailscale.mode {}", mode.value),
            &mode.origin,
        ));
    }
    Some(finding)
}

/// The gateways the port rules look at, and what their findings say of each gateway in the
/// same words every time: its name and its gateway port's party, made the first time a
/// finding names them and shared by every later one. A crowded host names most gateways'
/// ports in several findings (CL105 twice, CL103, CL102).
struct Gateways<'a> {
    instances: &'a [Instance],
    names: Vec<OnceCell<Name>>,
    port_parties: Vec<OnceCell<Label>>,
}

impl<'a> Gateways<'a> {
    fn new(instances: &'a [Instance]) -> Self {
        Gateways {
            instances,
            names: instances.iter().map(|_| OnceCell::new()).collect(),
            port_parties: instances.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    fn name(&self, i: usize) -> Name {
        self.names[i]
            .get_or_init(|| shared_name(&self.instances[i].name))
            .clone()
    }

    /// The gateway port's party as [`party`] makes it.
    fn port_party(&self, i: usize) -> Label {
        self.port_parties[i]
            .get_or_init(|| {
                let instance = &self.instances[i];
                let origin = &instance.port.origin;
                Label {
                    loc: party_loc(instance, origin),
                    message: Text::written_shared(|out| {
                        out.words(&instance.name)
                            .words(": gateway port ")
                            .number(instance.port.value);
                        write_whence(out, origin)
                    }),
                    instance: Some(self.name(i)),
                }
            })
            .clone()
    }

    /// A listener's party, `ops: browser control port 18791 = 18789 + 2` ([`party`]'s words,
    /// written word by word); the gateway port's as [`port_party`] shows it.
    fn listener_party(&self, i: usize, listener: &Listener) -> Label {
        let instance = &self.instances[i];
        if listener.kind != ListenerKind::Gateway {
            return Label {
                loc: party_loc(instance, &listener.origin),
                message: Text::written(|out| {
                    out.words(&instance.name).words(": ");
                    listener.write_words(out);
                    out.words(" ").number(listener.port);
                    write_whence(out, &listener.origin)
                }),
                instance: Some(self.name(i)),
            };
        }
        let mut label = self.port_party(i);
        label.loc = label.loc.or(Some(instance.config_loc));
        label
    }
}

/// The gateway port's party. A port from no file (the profile hash, the default) is shown at
/// the config file, where a `gateway.port` would go.
pub fn port_party(instance: &Instance) -> Label {
    let what = format_args!("gateway port {}", instance.port.value);
    let mut label = party(instance, what, &instance.port.origin);
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
    gateways: &Gateways,
    index: &PortIndex,
    suggestion: &dyn Fn() -> Option<u16>,
    out: &mut Vec<Finding>,
) {
    let instances = gateways.instances;
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
        // Its parties in a list of their number, not grown a party at a time.
        finding.labels.reserve_exact(parties.len());
        for (i, listener) in &parties {
            finding = finding.label(gateways.listener_party(*i, listener));
        }
        out.push(finding);
    }
}

fn gateway_collision(
    instances: &[Instance],
    parties: &[(usize, &Listener)],
    port: u16,
    suggestion: Option<u16>,
) -> Finding {
    let involved = distinct(instances, parties);
    let finding = Finding::new(
        &catalog::GATEWAY_PORT_COLLISION,
        text!("gateways {} {} use gateway port {port}", names(&involved), both_or_all(involved.len())),
    )
    .note(format!(
        "so every port derived from it collides too: MCP Apps sandbox {}, browser control {}, extension relay {}, CDP {}",
        u32::from(port) + SANDBOX_OFFSET,
        u32::from(port) + CONTROL_OFFSET,
        u32::from(port) + RELAY_OFFSET,
        u32::from(port) + CDP_RANGE_OFFSET
    ));
    // The gateway `--fix` would move: the one most likely added later.
    let indices: Vec<usize> = parties.iter().map(|(i, _)| *i).collect();
    let mover = allocate::mover(instances, &indices).map_or(parties[parties.len() - 1].0, |m| m.0);
    match suggestion {
        Some(free) => finding.help(format!(
            "give \"{}\" its own base port, at least {FOOTPRINT} away from every other gateway's: for example {}",
            instances[mover].name,
            where_the_port_goes(&instances[mover], free)
        )),
        None => finding.help(GIVE_EACH_ITS_OWN_BASE.as_str()),
    }
}

/// Where a new base port `free` takes effect for `instance`: OpenClaw takes `--port` over
/// `OPENCLAW_GATEWAY_PORT` over `gateway.port`, so a config port under an argument or the
/// variable would change nothing.
fn where_the_port_goes(instance: &Instance, free: u16) -> String {
    match instance.port_kind {
        PortKind::Argument | PortKind::ServiceArgument => format!(
            "`--port {free}` in the command that starts it (its {} wins over gateway.port and OPENCLAW_GATEWAY_PORT)",
            instance.port.origin.summary()
        ),
        PortKind::Env => format!(
            "`OPENCLAW_GATEWAY_PORT={free}` where it is set ({}; it wins over gateway.port)",
            instance.port.origin.summary()
        ),
        PortKind::Config | PortKind::ProfileHash | PortKind::Default => {
            format!("`gateway: {{ port: {free} }}`")
        }
    }
}

fn listener_collision(
    instances: &[Instance],
    parties: &[(usize, &Listener)],
    port: u16,
) -> Finding {
    let finding = Finding::new(
        &catalog::LISTENER_COLLISION,
        // port {port} is used by more than one gateway: {a}'s {listener}, {b}'s {listener}
        Text::written(|out| {
            out.words("port ")
                .number(port)
                .words(" is used by more than one gateway: ");
            for (n, (i, listener)) in parties.iter().enumerate() {
                if n > 0 {
                    out.words(", ");
                }
                out.words(&instances[*i].name).words("'s ");
                listener.write_words(out);
            }
            Ok(())
        }),
    );
    let finding = match at_first_use(parties) {
        Some(lazy) => finding.note(format!(
            "{lazy} only when first needed (OpenClaw starts browser control, extension relays and Chrome's CDP on first browser use): the gateways start, and the clash comes at that first use"
        )),
        None => finding,
    };
    let all = |kind: ListenerKind| parties.iter().all(|(_, l)| l.kind == kind);
    let help: Text = if all(ListenerKind::TelegramWebhook) {
        format!(
            "give one gateway its own `channels.telegram.webhookPort` (for example {})",
            u32::from(port) + 10
        )
        .into()
    } else if all(ListenerKind::GmailHook) {
        format!(
            "give one gateway its own `hooks.gmail.serve.port` (for example {})",
            u32::from(port) + 10
        )
        .into()
    } else if let Some((i, l)) = parties.iter().find(|(_, l)| is_pinned(l)) {
        // change the {listener} that "{gateway}" pins, or move the other gateway's base port
        Text::written(|out| {
            out.words("change the ");
            l.write_words(out);
            out.words(" that \"")
                .words(&instances[*i].name)
                .words("\" pins, or move the other gateway's base port");
            Ok(())
        })
    } else {
        KEEP_CLEAR_OF_LISTENERS.as_str().into()
    };
    finding.help(help)
}

/// When at most one of the colliding listeners binds as its gateway starts and others bind
/// on first use: those, as "the browser control port binds" (`None` otherwise: the clash is
/// at start, or when some listener binds is not known).
fn at_first_use(parties: &[(usize, &Listener)]) -> Option<String> {
    let binds = |l: &Listener| l.kind.binds_at_start();
    if parties.iter().any(|(_, l)| binds(l).is_none())
        || parties
            .iter()
            .filter(|(_, l)| binds(l) == Some(true))
            .count()
            > 1
    {
        return None;
    }
    let mut lazy: Vec<&str> = Vec::new();
    for (_, l) in parties.iter().filter(|(_, l)| binds(l) == Some(false)) {
        if !lazy.contains(&l.kind.describe()) {
            lazy.push(l.kind.describe());
        }
    }
    let verb = if lazy.len() == 1 { "binds" } else { "bind" };
    Some(format!("the {} {verb}", lazy.join(" and the ")))
}

/// CL103: other gateways listen inside this gateway's CDP allocation range. New browser
/// profiles get the first port of the range their own config does not use, with no check
/// against other gateways. One finding per range: the listener the next profiles reach first.
fn cdp_range_intrusions(gateways: &Gateways, index: &PortIndex, out: &mut Vec<Finding>) {
    const SHOWN: usize = 4;
    let instances = gateways.instances;
    let mut own_ports = Vec::new();
    for (owner_index, owner) in instances.iter().enumerate() {
        if !owner.listens_on_host() || !owner.knows(Unverifiable::Port) || !owner.launched() {
            continue;
        }
        let Some(range) = owner.live_browser().map(|b| b.cdp_range) else {
            continue;
        };
        // The owner's own listeners are on its own ports, so skipping those skips them too.
        owned_ports(owner, &mut own_ports);
        let (inside, count) = index.within_except(
            u32::from(range.start),
            u32::from(range.end),
            &own_ports,
            1 + SHOWN,
        );
        debug_assert!(inside.iter().all(|a| a.instance != owner_index));
        if let Some(first) = inside.first() {
            let listener = &instances[first.instance].listeners[first.listener];
            out.push(intrusion(
                gateways,
                (owner_index, first.instance),
                listener,
                range,
                &own_ports,
                also_inside(gateways, &inside[1..], count - 1),
            ));
        }
    }
}

/// The other listeners in the range, named: the first few, then a count (`rest` of them
/// in all).
fn also_inside(gateways: &Gateways, named: &[At], rest: usize) -> Option<AlsoInRange> {
    if rest == 0 {
        return None;
    }
    let named: Box<[Inside]> = named
        .iter()
        .map(|a| {
            let l = &gateways.instances[a.instance].listeners[a.listener];
            Inside {
                port: a.port,
                kind: l.kind,
                gateway: gateways.name(a.instance),
                detail: l.detail.clone(),
            }
        })
        .collect();
    let more = rest - named.len();
    Some(AlsoInRange { named, more })
}

/// CL103's note on the other listeners in the range:
/// `also in this range: 18800 (b's gateway port), ... and 3 more`.
#[derive(Clone)]
struct AlsoInRange {
    named: Box<[Inside]>,
    more: usize,
}

/// A listener in the range: its port, and whose it is and what (as [`Listener::describe`]).
#[derive(Clone)]
struct Inside {
    port: u16,
    kind: ListenerKind,
    gateway: Name,
    detail: Option<Detail>,
}

// The notes below are written when a report shows them, for thousands of findings: word by
// word and number by number, not through `write!`'s template (a third of the instructions).

impl Wording for AlsoInRange {
    fn write_words(&self, out: &mut String) {
        out.words("also in this range: ");
        for (i, at) in self.named.iter().enumerate() {
            if i > 0 {
                out.words(", ");
            }
            out.number(at.port)
                .words(" (")
                .words(&at.gateway)
                .words("'s ")
                .words(at.kind.describe());
            if let Some(detail) = &at.detail {
                out.words(" (");
                detail.write_words(out);
                out.words(")");
            }
            out.words(")");
        }
        if self.more > 0 {
            out.words(" and ").number(self.more as u64).words(" more");
        }
    }
}

/// CL103's note on when the owner of a CDP range gives the intruder's port to a browser
/// profile of its own.
#[derive(Clone)]
struct NextProfileGets {
    owner: Name,
    /// The free ports of the range up to the intruder's, that one included (at most the
    /// range's 100).
    nth: u32,
    port: u16,
}

impl Wording for NextProfileGets {
    fn write_words(&self, out: &mut String) {
        out.words("\"").words(&self.owner).words("\" gives each new browser profile the first free port of its range without looking at other gateways: ");
        match self.nth {
            1 => out.words("the next profile created"),
            n => out
                .words("the ")
                .number(n)
                .words("th profile created from now"),
        };
        out.words(" gets port ").number(self.port);
    }
}

/// CL105's note on the ports the lower gateway reserves.
#[derive(Clone)]
struct Reserves {
    gateway: Name,
    base: u16,
}

impl Wording for Reserves {
    fn write_words(&self, out: &mut String) {
        out.words("\"")
            .words(&self.gateway)
            .words("\" reserves ")
            .number(self.base)
            .words("..")
            .number(u32::from(self.base) + FOOTPRINT - 1)
            .words(" for its gateway, sandbox, browser control, extension relays and CDP range");
    }
}

/// Ports the owner's own config already uses: its listeners (profiles' CDP ports included),
/// sorted, each once, in `ports` (one list for every owner).
fn owned_ports(owner: &Instance, ports: &mut Vec<u16>) {
    ports.clear();
    ports.extend(owner.listeners.iter().map(|l| l.port));
    if let Some(browser) = &owner.browser {
        ports.extend(browser.profiles.iter().filter_map(|p| p.bindable_port()));
    }
    ports.sort_unstable();
    ports.dedup();
}

/// CL103 for the listener of `intruder` (`(owner, intruder)` their indices) that the owner's
/// next profiles reach first; `also`, the other listeners in the range.
fn intrusion(
    gateways: &Gateways,
    (owner_index, intruder_index): (usize, usize),
    listener: &Listener,
    range: PortRange,
    own: &[u16],
    also: Option<AlsoInRange>,
) -> Finding {
    let (owner, intruder) = (
        &gateways.instances[owner_index],
        &gateways.instances[intruder_index],
    );
    // The range's ports up to the listener's, but the owner's own (each once in `own`).
    let reached = range.start..=listener.port;
    let free_before = reached.clone().count() - own.iter().filter(|p| reached.contains(p)).count();
    // "{intruder}"'s {listener} {port} lies inside "{owner}"'s CDP port range {start}..{end}
    let message = Text::written(|out| {
        out.words("\"").words(&intruder.name).words("\"'s ");
        listener.write_words(out);
        out.words(" ")
            .number(listener.port)
            .words(" lies inside \"")
            .words(&owner.name)
            .words("\"'s CDP port range ")
            .number(range.start)
            .words("..")
            .number(range.end);
        Ok(())
    });
    let mut finding = Finding::new(&catalog::PORT_IN_CDP_RANGE, message).labels([
        gateways.listener_party(intruder_index, listener),
        range_party(gateways, owner_index, range),
    ]);
    // Its notes in a list of their number, not grown a note at a time.
    finding.notes.reserve_exact(1 + usize::from(also.is_some()));
    let finding = finding.note(Note::facts(NextProfileGets {
        owner: gateways.name(owner_index),
        nth: free_before as u32,
        port: listener.port,
    }));
    let finding = match also {
        Some(also) => finding.note(Note::facts(also)),
        None => finding,
    };
    finding.help(
        if listener.kind == ListenerKind::Cdp && is_pinned(listener) {
            // move "{intruder}"'s pinned {listener} into its own CDP range {range}
            Text::written(|out| {
                out.words("move \"")
                    .words(&intruder.name)
                    .words("\"'s pinned ");
                listener.write_words(out);
                out.words(" into its own CDP range ")
                    .words(&own_range_text(intruder));
                Ok(())
            })
        } else {
            Text::Static(KEEP_OUT_OF_CDP_RANGES.as_str())
        },
    )
}

/// CL103's party of the range's owner, `ops: CDP range 18800..18899 = 18789 + 11 .. 18789 +
/// 110`: [`party`] of the range derived from the gateway port, written word by word when a
/// file shows the port (the formula).
fn range_party(gateways: &Gateways, owner_index: usize, range: PortRange) -> Label {
    let owner = &gateways.instances[owner_index];
    let (base, origin) = (owner.port.value, &owner.port.origin);
    if origin.loc().is_none() {
        let base = u32::from(base);
        let derived = origin
            .clone()
            .derived(Formula::Numbers("{} + 11 .. {} + 110", [base, base]));
        let what = format_args!("CDP range {}..{}", range.start, range.end);
        return party(owner, what, &derived);
    }
    let message = Text::written(|out| {
        out.words(&owner.name)
            .words(": CDP range ")
            .number(range.start)
            .words("..")
            .number(range.end)
            .words(" = ")
            .number(base)
            .words(" + 11 .. ")
            .number(base)
            .words(" + 110");
        Ok(())
    });
    Label {
        loc: party_loc(owner, origin),
        message,
        instance: Some(gateways.name(owner_index)),
    }
}

fn own_range_text(instance: &Instance) -> String {
    match &instance.browser {
        Some(b) => format!("{}..{}", b.cdp_range.start, b.cdp_range.end),
        None => "(its base port + 11 .. + 110)".to_string(),
    }
}

/// CL104: the base port is so high that derived ports fall back onto the defaults.
fn overflow_fallback(instance: &Instance) -> Option<Finding> {
    if !instance.starts() || !instance.knows(Unverifiable::Port) {
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
            listed(past.iter().map(String::as_str))
        )
    };
    Some(
        Finding::new(
            &catalog::PORT_OVERFLOW_FALLBACK,
            format!("gateway \"{}\" uses port {base}: {what}", instance.name),
        )
        .label(party(
            instance,
            format_args!("gateway port {base}"),
            &instance.port.origin,
        ))
        .help("use a base port at most 65425, so that base + 110 stays a valid port"),
    )
}

/// CL105: base ports closer than the footprint: neighbours in base-port order, from the port
/// map's index.
fn footprint_overlaps(gateways: &Gateways, out: &mut Vec<Finding>) {
    let instances = gateways.instances;
    // A gateway that does not start reserves nothing; a container reserves nothing on the host.
    for (low_index, high_index) in close_bases(instances, |i| {
        i.starts() && i.launched() && i.listens_on_host() && i.knows(Unverifiable::Port)
    }) {
        let (low, high) = (&instances[low_index], &instances[high_index]);
        let gap = u32::from(high.port.value) - u32::from(low.port.value);
        out.push(
            Finding::new(
                &catalog::FOOTPRINT_OVERLAP,
                // base ports of "{low}" ({low port}) and "{high}" ({high port}) are {gap}
                // apart; each gateway reserves {FOOTPRINT} ports
                Text::written(|out| {
                    out.words("base ports of \"")
                        .words(&low.name)
                        .words("\" (")
                        .number(low.port.value)
                        .words(") and \"")
                        .words(&high.name)
                        .words("\" (")
                        .number(high.port.value)
                        .words(") are ")
                        .number(gap)
                        .words(" apart; each gateway reserves ")
                        .number(FOOTPRINT)
                        .words(" ports");
                    Ok(())
                }),
            )
            .labels([
                gateways.port_party(low_index),
                gateways.port_party(high_index),
            ])
            .note(Note::facts(Reserves {
                gateway: gateways.name(low_index),
                base: low.port.value,
            }))
            .help(SPACE_BASE_PORTS.as_str()),
        );
    }
}

/// CL106: a named profile whose port is the undocumented profile hash.
fn hashed_port(instance: &Instance, suggestion: &dyn Fn() -> Option<u16>) -> Option<Finding> {
    // A config OpenClaw refuses to load runs nothing; its port is not the question.
    let refused = !instance.starts()
        || instance.problems.iter().any(|p| {
            use crate::load::ProblemKind::*;
            matches!(p.kind, Unreadable | InvalidValue)
        });
    if instance.port_kind != PortKind::ProfileHash || refused || !instance.knows(Unverifiable::Port)
    {
        return None;
    }
    let profile = instance.profile.as_ref()?;
    Some(
        Finding::new(
            &catalog::HASHED_PROFILE_PORT,
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
            &catalog::IGNORED_PORT_ENV,
            format!(
                "OPENCLAW_GATEWAY_PORT={} is not a port; OpenClaw ignores it and \"{}\" uses port {} instead",
                crate::redact::shown_quoted(crate::redact::Kind::Port, &ignored.value),
                instance.name,
                instance.port.value
            ),
        )
        .label(party(instance, "OPENCLAW_GATEWAY_PORT", &ignored.origin))
        .help("write the port as N, host:N or [v6]:N"),
    )
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        FOOTPRINT_OVERLAP, GATEWAY_PORT_COLLISION, HASHED_PROFILE_PORT, IGNORED_PORT_ENV,
        LISTENER_COLLISION, PORT_IN_CDP_RANGE, PORT_OVERFLOW_FALLBACK,
    };
    use crate::ports::allocate;
    use crate::resolve::PortKind;
    use crate::rules::testing::{gateway, host, labels, parties, Host};

    fn free_port(host: &Host) -> u16 {
        allocate::suggest(&host.instances, &[])
            .expect("a free base")
            .port
    }

    /// ops and rescue both pinned to 18789.
    fn same_base() -> Host {
        host([gateway("ops").port(18789), gateway("rescue").port(18789)])
    }

    #[test]
    fn cl101_two_gateways_on_one_port() {
        let host = same_base();
        let f = host.finding(GATEWAY_PORT_COLLISION);
        assert_eq!(
            f.message,
            "gateways \"ops\" and \"rescue\" both use gateway port 18789"
        );
        assert_eq!(parties(&f), ["ops", "rescue"]);
        assert_eq!(
            labels(&f),
            ["ops: gateway port 18789", "rescue: gateway port 18789"]
        );
        // 18789 + 1, + 2, + 10, + 11: what collides along with it.
        assert_eq!(
            f.notes,
            ["so every port derived from it collides too: MCP Apps sandbox 18790, browser control 18791, extension relay 18799, CDP 18800"]
        );
        let help = f.help.as_deref().unwrap();
        let free = free_port(&host);
        assert!(
            help.contains(&format!("`gateway: {{ port: {free} }}`")),
            "{help}"
        );
        assert!(help.starts_with("give \"rescue\" its own base port, at least 111 away"));
    }

    /// A gateway whose port is a `--port` in its unit, or `OPENCLAW_GATEWAY_PORT`, is moved
    /// there: a `gateway.port` under either would change nothing.
    #[test]
    fn cl101_help_moves_the_port_where_it_is_set() {
        for (rescue, says, never) in [
            (gateway("rescue").port_arg(18789), "`--port ", "gateway: {"),
            (
                gateway("rescue").env("OPENCLAW_GATEWAY_PORT", "18789"),
                "`OPENCLAW_GATEWAY_PORT=",
                "gateway: {",
            ),
        ] {
            let host = host([gateway("ops").port(18789), rescue]);
            let f = host.finding(GATEWAY_PORT_COLLISION);
            let help = f.help.as_deref().unwrap();
            assert!(help.contains("\"rescue\""), "{help}");
            assert!(help.contains(says), "{help}");
            assert!(!help.contains(never), "{help}");
        }
    }

    #[test]
    fn a_compose_service_nothing_starts_takes_part_in_no_collision() {
        use crate::catalog::{PUBLISHED_PORT_COLLISION, SHARED_TELEGRAM_TOKEN};
        let token = "123456789:AAFakeNotStartedToken000000000000000";
        let on_host = |started: bool| {
            let svc = gateway("stack")
                .port(18789)
                .host_network()
                .telegram_token(token);
            let svc = if started { svc } else { svc.not_started() };
            let published = gateway("web").published("0.0.0.0", 18789, 18789);
            let published = if started {
                published
            } else {
                published.not_started()
            };
            host([
                gateway("ops").port(18789).telegram_token(token),
                svc,
                published,
            ])
        };
        let started = on_host(true);
        assert!(!started.findings(GATEWAY_PORT_COLLISION).is_empty());
        assert!(!started.findings(PUBLISHED_PORT_COLLISION).is_empty());
        assert!(!started.findings(SHARED_TELEGRAM_TOKEN).is_empty());
        // Behind a profile nothing enables: no port, range or token collision at all.
        let idle = on_host(false);
        assert!(!idle.instances[1].launched() && !idle.instances[2].launched());
        for rule in [
            GATEWAY_PORT_COLLISION,
            LISTENER_COLLISION,
            PORT_IN_CDP_RANGE,
            FOOTPRINT_OVERLAP,
            PUBLISHED_PORT_COLLISION,
            SHARED_TELEGRAM_TOKEN,
        ] {
            assert!(idle.findings(rule).is_empty(), "{rule:?}");
        }
    }

    #[test]
    fn cl101_not_for_bases_a_footprint_apart() {
        // 18789 + 111 = 18900: the closest two gateways can be.
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18900)]);
        assert!(host.findings(GATEWAY_PORT_COLLISION).is_empty());
        assert!(host.findings(LISTENER_COLLISION).is_empty());
        assert!(host.findings(FOOTPRINT_OVERLAP).is_empty());
        assert!(host.findings(PORT_IN_CDP_RANGE).is_empty());
    }

    #[test]
    fn cl102_a_gateway_port_on_anothers_browser_control_port() {
        // ops's browser control port is 18789 + 2 = 18791, rescue's gateway port.
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18791)]);
        let f = host.finding(LISTENER_COLLISION);
        assert_eq!(
            f.message,
            "port 18791 is used by more than one gateway: ops's browser control port, rescue's gateway port"
        );
        assert_eq!(
            labels(&f),
            [
                "ops: browser control port 18791 = 18789 + 2",
                "rescue: gateway port 18791"
            ]
        );
        assert_eq!(
            f.help.as_deref(),
            Some("move one gateway's base port so that its footprint (base .. base + 110) stays clear of the other's listeners")
        );
    }

    #[test]
    fn cl102_telegram_webhooks_on_the_default_port() {
        let webhook = |g: crate::rules::testing::Gateway| {
            g.set("channels.telegram.webhookUrl", "\"https://example.com/tg\"")
        };
        let host = host([
            webhook(gateway("ops").port(18789)),
            webhook(gateway("rescue").port(18900)),
        ]);
        let f = host.finding(LISTENER_COLLISION);
        assert!(
            f.message
                .starts_with("port 8787 is used by more than one gateway"),
            "{}",
            f.message
        );
        // 8787 + 10.
        assert_eq!(
            f.help.as_deref(),
            Some("give one gateway its own `channels.telegram.webhookPort` (for example 8797)")
        );
    }

    #[test]
    fn cl102_not_for_ports_derived_from_one_shared_base() {
        // Equal bases: every derived port collides, and CL101 says so once.
        let host = same_base();
        assert_eq!(host.findings(GATEWAY_PORT_COLLISION).len(), 1);
        assert!(host.findings(LISTENER_COLLISION).is_empty());
    }

    #[test]
    fn cl103_a_gateway_inside_anothers_cdp_range() {
        // ops: control 18791, CDP range 18791 + 9 .. + 99 = 18800..18899; rescue sits at 18850.
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18850)]);
        let f = host.finding(PORT_IN_CDP_RANGE);
        assert_eq!(
            f.message,
            "\"rescue\"'s gateway port 18850 lies inside \"ops\"'s CDP port range 18800..18899"
        );
        assert_eq!(parties(&f), ["rescue", "ops"]);
        assert_eq!(
            labels(&f)[1],
            "ops: CDP range 18800..18899 = 18789 + 11 .. 18789 + 110"
        );
        // 18800..=18850 is 51 ports, one of them (18800) ops's own profile's.
        assert!(
            f.notes[0]
                .to_string()
                .ends_with("the 50th profile created from now gets port 18850"),
            "{}",
            f.notes[0]
        );
    }

    #[test]
    fn cl103_not_just_past_the_range() {
        // 18900 is the first port past ops's range 18800..18899.
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18900)]);
        assert!(host.findings(PORT_IN_CDP_RANGE).is_empty());
    }

    #[test]
    fn cl104_a_base_so_high_the_cdp_range_falls_back() {
        // 65500 + 110 > 65535: the range falls back to the default gateway's 18800..18899.
        let host = host([gateway("ops").port(65500)]);
        let f = host.finding(PORT_OVERFLOW_FALLBACK);
        assert_eq!(
            f.message,
            "gateway \"ops\" uses port 65500: the CDP range 65511..65610 would pass 65535, so it falls back to 18800..18899, the default gateway's range"
        );
        assert_eq!(labels(&f), ["ops: gateway port 65500"]);
        assert_eq!(
            f.help.as_deref(),
            Some("use a base port at most 65425, so that base + 110 stays a valid port")
        );
    }

    #[test]
    fn cl104_not_at_the_highest_base_that_fits() {
        // 65425 + 110 = 65535.
        let host = host([gateway("ops").port(65425)]);
        assert!(host.findings(PORT_OVERFLOW_FALLBACK).is_empty());
    }

    #[test]
    fn cl105_bases_closer_than_the_footprint() {
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18850)]);
        let f = host.finding(FOOTPRINT_OVERLAP);
        // 18850 - 18789 = 61 < 111.
        assert_eq!(
            f.message,
            "base ports of \"ops\" (18789) and \"rescue\" (18850) are 61 apart; each gateway reserves 111 ports"
        );
        assert_eq!(
            labels(&f),
            ["ops: gateway port 18789", "rescue: gateway port 18850"]
        );
        // 18789 + 111 - 1 = 18899.
        assert_eq!(
            f.notes,
            ["\"ops\" reserves 18789..18899 for its gateway, sandbox, browser control, extension relays and CDP range"]
        );
    }

    #[test]
    fn cl105_not_for_a_gateway_that_does_not_start() {
        // A string port is refused: rescue binds nothing, so it reserves nothing.
        let host = host([
            gateway("ops").port(18789),
            gateway("rescue").set("gateway.port", "\"18850\""),
        ]);
        assert!(!host.instances[1].starts());
        assert!(host.findings(FOOTPRINT_OVERLAP).is_empty());
    }

    #[test]
    fn cl106_a_named_profile_on_its_hash_port() {
        let host = host([gateway("rescue")]);
        let hash = crate::openclaw::profile_hash_port("rescue");
        assert_eq!(host.instances[0].port_kind, PortKind::ProfileHash);
        let f = host.finding(HASHED_PROFILE_PORT);
        assert_eq!(
            f.message,
            format!("gateway \"rescue\" has no pinned port, so it runs on its profile's hash port {hash}")
        );
        assert_eq!(labels(&f), ["rescue: no gateway.port here"]);
        assert_eq!(
            f.notes,
            [format!("OpenClaw gives a named profile without a port 20000 + FNV-1a(\"rescue\") % 40000 = {hash}; its docs say 18789")]
        );
        assert_eq!(
            f.help.as_deref(),
            Some(
                format!(
                    "pin a port in ~/.openclaw-rescue/openclaw.json: `gateway: {{ port: {} }}`",
                    free_port(&host)
                )
                .as_str()
            )
        );
    }

    #[test]
    fn cl106_not_for_the_default_profile_or_a_pinned_port() {
        let host = host([gateway("default"), gateway("rescue").port(19000)]);
        assert_eq!(host.instances[0].port_kind, PortKind::Default);
        assert!(host.findings(HASHED_PROFILE_PORT).is_empty());
    }

    #[test]
    fn cl107_a_port_variable_openclaw_cannot_parse() {
        let host = host([gateway("ops")
            .port(18789)
            .env("OPENCLAW_GATEWAY_PORT", "18790x")]);
        let f = host.finding(IGNORED_PORT_ENV);
        assert_eq!(
            f.message,
            // The value is not shown: it is not a port, so it may be anything.
            "OPENCLAW_GATEWAY_PORT=<6 characters, not shown> is not a port; OpenClaw ignores it and \"ops\" uses port 18789 instead"
        );
        assert_eq!(parties(&f), ["ops"]);
    }

    #[test]
    fn cl107_not_for_host_and_port() {
        // host:N is a port OpenClaw reads: it wins over gateway.port.
        let host = host([gateway("ops")
            .port(18789)
            .env("OPENCLAW_GATEWAY_PORT", "127.0.0.1:19000")]);
        assert_eq!(
            (host.instances[0].port.value, host.instances[0].port_kind),
            (19000, PortKind::Env)
        );
        assert!(host.findings(IGNORED_PORT_ENV).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).

    #[test]
    fn cl101_human() {
        insta::assert_snapshot!("CL101", same_base().human(GATEWAY_PORT_COLLISION));
    }

    #[test]
    fn cl102_human() {
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18791)]);
        insta::assert_snapshot!("CL102", host.human(LISTENER_COLLISION));
    }

    #[test]
    fn cl103_human() {
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18850)]);
        insta::assert_snapshot!("CL103", host.human(PORT_IN_CDP_RANGE));
    }

    #[test]
    fn cl104_human() {
        let host = host([gateway("ops").port(65500)]);
        insta::assert_snapshot!("CL104", host.human(PORT_OVERFLOW_FALLBACK));
    }

    #[test]
    fn cl105_human() {
        let host = host([gateway("ops").port(18789), gateway("rescue").port(18850)]);
        insta::assert_snapshot!("CL105", host.human(FOOTPRINT_OVERLAP));
    }

    #[test]
    fn cl106_human() {
        let host = host([gateway("rescue")]);
        insta::assert_snapshot!("CL106", host.human(HASHED_PROFILE_PORT));
    }

    #[test]
    fn cl107_human() {
        let host = host([gateway("ops")
            .port(18789)
            .env("OPENCLAW_GATEWAY_PORT", "18790x")]);
        insta::assert_snapshot!("CL107", host.human(IGNORED_PORT_ENV));
    }

    fn tailscale(g: crate::rules::testing::Gateway, mode: &str) -> crate::rules::testing::Gateway {
        g.set("gateway.tailscale.mode", &format!("\"{mode}\""))
    }

    #[test]
    fn cl110_two_gateways_claim_the_nodes_tailscale_route() {
        use crate::catalog::TAILSCALE_ROUTE_CONTENTION;
        let host = host([
            tailscale(gateway("ops").port(18789), "serve"),
            tailscale(gateway("rescue").port(18900), "funnel"),
        ]);
        let f = host.finding(TAILSCALE_ROUTE_CONTENTION);
        assert_eq!(
            f.message,
            "gateways \"ops\" and \"rescue\" both claim this node's Tailscale HTTPS route (gateway.tailscale.mode serve/funnel)"
        );
        assert_eq!(parties(&f), ["ops", "rescue"]);
        assert_eq!(
            labels(&f),
            [
                "ops: gateway.tailscale.mode serve",
                "rescue: gateway.tailscale.mode funnel"
            ]
        );
    }

    #[test]
    fn cl110_not_when_only_one_gateway_manages_tailscale() {
        use crate::catalog::TAILSCALE_ROUTE_CONTENTION;
        let host = host([
            tailscale(gateway("ops").port(18789), "serve"),
            tailscale(gateway("rescue").port(18900), "off"),
        ]);
        assert!(host.findings(TAILSCALE_ROUTE_CONTENTION).is_empty());
    }

    #[test]
    fn cl110_human() {
        use crate::catalog::TAILSCALE_ROUTE_CONTENTION;
        let host = host([
            tailscale(gateway("ops").port(18789), "serve"),
            tailscale(gateway("rescue").port(18900), "funnel"),
        ]);
        insta::assert_snapshot!("CL110", host.human(TAILSCALE_ROUTE_CONTENTION));
    }
}
