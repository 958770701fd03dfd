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
/// outside them (webhooks, hooks, pinned ports), leaving out the gateway at `moving`. One
/// sweep over the sorted ranges; each range that pushes the candidate up is a reason.
pub fn suggest(instances: &[Instance], moving: &[usize]) -> Option<Suggestion> {
    let mut taken: Vec<(PortSpan, usize, String)> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        if moving.contains(&i) {
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
    taken.sort_by_key(|a| (a.0, a.1));
    let mut candidate = u32::from(DEFAULT_GATEWAY_PORT);
    let mut ruled_out = Vec::new();
    for (span, i, what) in taken {
        if candidate + FOOTPRINT - 1 < span.start {
            break;
        }
        if span.end >= candidate {
            ruled_out.push(Blocker {
                ports: span,
                gateway: instances[i].name.clone(),
                what,
            });
            candidate = span.end + 1;
        }
    }
    // Above 65425 the CDP range would fall back onto the default gateway's 18800..18899.
    (candidate + FOOTPRINT - 1 <= 65535).then_some(Suggestion {
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
