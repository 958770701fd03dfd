//! The one free-port allocator: every help line, `plan` and `--fix` take their base port from
//! here, so clawlint's advice never triggers its own rules. A base is free when its whole
//! footprint is clear of every other gateway's reserved ranges (footprints, fallback CDP
//! ranges) and of their listeners outside them (webhooks, hooks, pinned ports).

use super::layout::{footprint, PortSpan, DEFAULT_GATEWAY_PORT, FOOTPRINT};
use crate::resolve::Instance;

/// Where the search for a free base port starts: OpenClaw's default gateway port.
/// A range of ports that rules out the base ports below its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    pub ports: PortSpan,
    pub gateway: String,
    /// `footprint`, `CDP range`, `Telegram webhook port`...
    pub what: String,
}

/// The lowest base port whose footprint is clear, and what rules out the lower ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub port: u16,
    pub ruled_out: Vec<Blocker>,
}

/// The lowest base port from 18789 up whose whole footprint `[B, B+110]` is clear of every
/// other gateway's reserved ranges (footprint, a fallback CDP range) and of its listeners
/// outside them (webhooks, hooks, pinned ports), and of the host ports containers publish,
/// leaving out the gateway at `moving`. One sweep over the sorted ranges; each range that
/// pushes the candidate up is a reason.
pub fn suggest(instances: &[Instance], moving: &[usize]) -> Option<Suggestion> {
    // Above 65425 the CDP range would fall back onto the default gateway's 18800..18899.
    first_clear(
        instances,
        taken(instances, moving),
        DEFAULT_GATEWAY_PORT,
        FOOTPRINT,
    )
}

/// The host ports a new container gateway could publish on: the lowest `count` consecutive
/// ports from 18789 up that no gateway binds, reserves (a native footprint or CDP range) or
/// publishes. The same sweep as [`suggest`], `count` wide instead of a footprint.
pub fn suggest_published(instances: &[Instance], count: u32) -> Option<Suggestion> {
    first_clear(
        instances,
        taken(instances, &[]),
        DEFAULT_GATEWAY_PORT,
        count.max(1),
    )
}

/// The first host port above `after` that no gateway binds, reserves or publishes and that is
/// not in `also` (ports already suggested elsewhere): where a container that collides on
/// `after` can publish instead.
pub fn next_free_host_port(instances: &[Instance], after: u16, also: &[u16]) -> Option<u16> {
    let mut taken = taken(instances, &[]);
    taken.extend(also.iter().map(|&p| {
        let span = PortSpan {
            start: u32::from(p),
            end: u32::from(p),
        };
        (span, usize::MAX, String::new())
    }));
    let from = after.checked_add(1)?;
    first_clear(instances, taken, from, 1).map(|s| s.port)
}

/// `port` is bound, reserved or published by a gateway on the host.
pub fn is_taken(instances: &[Instance], port: u16) -> bool {
    taken(instances, &[])
        .iter()
        .any(|(span, _, _)| span.contains(u32::from(port)))
}

/// Every range of host ports a gateway (other than those at `moving`) holds, with the gateway
/// and what it is.
fn taken(instances: &[Instance], moving: &[usize]) -> Vec<(PortSpan, usize, String)> {
    let mut taken: Vec<(PortSpan, usize, String)> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        if moving.contains(&i) {
            continue;
        }
        // A container in its own network namespace takes only the ports it publishes: its
        // footprint and listeners stay inside it.
        if let Some(c) = inst.container.as_ref().filter(|_| !inst.listens_on_host()) {
            for p in &c.published {
                let span = PortSpan {
                    start: u32::from(p.host_port),
                    end: u32::from(p.host_port),
                };
                taken.push((span, i, "published port".to_string()));
            }
            continue;
        }
        let own = footprint(inst.port.value);
        taken.push((own, i, "footprint".to_string()));
        let cdp = inst
            .browser
            .as_ref()
            .filter(|b| b.enabled && b.error.is_none())
            .map(|b| PortSpan {
                start: u32::from(b.cdp_range.start),
                end: u32::from(b.cdp_range.end),
            });
        if let Some(cdp) = cdp.filter(|c| !own.contains(c.start) || !own.contains(c.end)) {
            taken.push((cdp, i, "CDP range".to_string()));
        }
        for listener in &inst.listeners {
            let port = u32::from(listener.port);
            if !own.contains(port) && !cdp.is_some_and(|c| c.contains(port)) {
                let span = PortSpan {
                    start: port,
                    end: port,
                };
                taken.push((span, i, listener.describe()));
            }
        }
    }
    taken
}

/// The lowest start from `from` up of `width` ports clear of every range in `taken` (whose
/// owner index is `usize::MAX` for a range no gateway holds).
fn first_clear(
    instances: &[Instance],
    mut taken: Vec<(PortSpan, usize, String)>,
    from: u16,
    width: u32,
) -> Option<Suggestion> {
    taken.sort_by_key(|a| (a.0, a.1));
    let mut candidate = u32::from(from);
    let mut ruled_out = Vec::new();
    for (span, i, what) in taken {
        if candidate + width - 1 < span.start {
            break;
        }
        if span.end >= candidate {
            ruled_out.push(Blocker {
                ports: span,
                gateway: instances
                    .get(i)
                    .map_or_else(String::new, |g| g.name.clone()),
                what,
            });
            candidate = span.end + 1;
        }
    }
    (candidate + width - 1 <= 65535).then_some(Suggestion {
        port: candidate as u16,
        ruled_out,
    })
}

/// `18789..18899 is default's footprint; 18900..19010 is rescue's footprint; first free:
/// 19011`. A long chain keeps its first and last links: the last are the neighbours of the
/// port suggested.
pub fn explain(suggestion: &Suggestion) -> String {
    const HEAD: usize = 3;
    const TAIL: usize = 4;
    let link = |b: &Blocker| {
        let ports = match b.ports.start == b.ports.end {
            true => b.ports.start.to_string(),
            false => b.ports.text(),
        };
        format!("{ports} is {}'s {}", b.gateway, b.what)
    };
    let all = &suggestion.ruled_out;
    let mut parts: Vec<String> = if all.len() > HEAD + TAIL + 1 {
        let mut parts: Vec<String> = all[..HEAD].iter().map(link).collect();
        parts.push(format!("{} more in between", all.len() - HEAD - TAIL));
        parts.extend(all[all.len() - TAIL..].iter().map(link));
        parts
    } else {
        all.iter().map(link).collect()
    };
    if parts.is_empty() {
        parts.push(format!(
            "nothing on the host uses {}..{}",
            suggestion.port,
            u32::from(suggestion.port) + FOOTPRINT - 1
        ));
    }
    parts.push(format!("first free: {}", suggestion.port));
    parts.join("; ")
}
