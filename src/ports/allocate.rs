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
    suggest_with(instances, moving, &[])
}

/// [`suggest`], with the base ports other gateways are about to move to (`planned`: the
/// gateway and its new base) reserved as whole footprints, so that several moves made in
/// one `--fix` round never land on each other. A planned gateway's old place is free.
pub fn suggest_with(
    instances: &[Instance],
    moving: &[usize],
    planned: &[(usize, u16)],
) -> Option<Suggestion> {
    let mut leaving: Vec<usize> = moving.to_vec();
    leaving.extend(planned.iter().map(|(i, _)| *i));
    let mut taken = taken(instances, &leaving);
    for (i, base) in planned {
        if !moving.contains(i) {
            taken.push((footprint(*base), *i, "new footprint".to_string()));
        }
    }
    // Above 65425 the CDP range would fall back onto the default gateway's 18800..18899.
    first_clear(instances, taken, DEFAULT_GATEWAY_PORT, FOOTPRINT)
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

/// The host ports no gateway binds, reserves or publishes, built once per run so that
/// many help lines can each take the next free port above theirs without rescanning every
/// gateway: a "next free" table with path compression, so each query is near constant.
pub struct FreeHostPorts {
    /// `next[p]` is a port at or above `p` that may be free (65536: none).
    next: Vec<u32>,
}

impl FreeHostPorts {
    pub fn of(instances: &[Instance]) -> FreeHostPorts {
        let mut next: Vec<u32> = (0..=65536).collect();
        for (span, _, _) in taken(instances, &[]) {
            for port in span.start..=span.end.min(65535) {
                next[port as usize] = port + 1;
            }
        }
        FreeHostPorts { next }
    }

    fn find(&mut self, port: u32) -> u32 {
        let mut root = port;
        while self.next[root as usize] != root {
            root = self.next[root as usize];
        }
        let mut at = port;
        while self.next[at as usize] != root {
            let up = self.next[at as usize];
            self.next[at as usize] = root;
            at = up;
        }
        root
    }

    /// The first free host port above `after`, which is then taken, so that the next call
    /// never gives it again (the same answer as [`next_free_host_port`] with every earlier
    /// answer in `also`).
    pub fn take_after(&mut self, after: u16) -> Option<u16> {
        let port = self.find(u32::from(after) + 1);
        if port > 65535 {
            return None;
        }
        self.next[port as usize] = port + 1;
        Some(port as u16)
    }
}

/// A gateway moved to base port `base` (leaving out those at `moving`) would have its whole
/// footprint clear of every other gateway's ports and ranges, below 65535.
pub fn base_is_clear(instances: &[Instance], moving: &[usize], base: u16) -> bool {
    let own = footprint(base);
    own.end <= 65535
        && !taken(instances, moving)
            .iter()
            .any(|(span, _, _)| span.start <= own.end && own.start <= span.end)
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

/// Of the gateways whose base port could move to end a collision, the one the operator most
/// likely added later, and why: a named profile over the default gateway; then the one whose
/// config OpenClaw stamped later (`meta.lastTouchedAt`, else `wizard.lastRunAt`: a copied
/// config carries its original's port and a later stamp); then the last by name. The help
/// lines and `--fix` both move this one.
pub fn mover(instances: &[Instance], candidates: &[usize]) -> Option<(usize, String)> {
    let named = |i: usize| {
        instances[i]
            .profile
            .as_ref()
            .is_some_and(|p| p.value != "default")
    };
    let stamp = |i: usize| -> Option<String> {
        let root = instances[i].config_root.as_ref()?;
        [&["meta", "lastTouchedAt"][..], &["wizard", "lastRunAt"][..]]
            .iter()
            .find_map(|path| root.at(path).and_then(|n| n.as_str()).map(str::to_string))
    };
    let mut pool: Vec<usize> = candidates.to_vec();
    pool.sort_by(|a, b| instances[*a].name.cmp(&instances[*b].name));
    pool.dedup();
    let last = *pool.last()?;
    if pool.len() == 1 {
        return Some((
            last,
            format!(
                "\"{}\" is the only gateway whose move ends this",
                instances[last].name
            ),
        ));
    }
    let named_pool: Vec<usize> = pool.iter().copied().filter(|i| named(*i)).collect();
    let (pool, why_named) = match named_pool.len() {
        n if n > 0 && n < pool.len() => (named_pool, true),
        _ => (pool, false),
    };
    let stamped: Vec<(usize, String)> = pool
        .iter()
        .filter_map(|i| stamp(*i).map(|s| (*i, s)))
        .collect();
    if stamped.len() == pool.len() && pool.len() > 1 {
        let latest = stamped
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))?;
        if stamped.iter().filter(|s| s.1 == latest.1).count() == 1 {
            return Some((
                latest.0,
                format!(
                    "\"{}\" was set up later: its config was last written by OpenClaw at {}",
                    instances[latest.0].name, latest.1
                ),
            ));
        }
    }
    let chosen = *pool.last()?;
    let why = match (why_named, pool.len()) {
        (true, 1) => format!(
            "\"{}\" is a named profile, most likely added after the default gateway",
            instances[chosen].name
        ),
        (true, _) => format!(
            "\"{}\" is a named profile (added after the default gateway) and the last of them by name",
            instances[chosen].name
        ),
        _ => format!(
            "nothing shows which was added later: \"{}\" is the last by name",
            instances[chosen].name
        ),
    };
    Some((chosen, why))
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
