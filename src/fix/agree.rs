//! Safe fixes that make two places agree without anything listening where it could collide:
//!
//! - CL401: a unit (plist, `gateway.cmd`) starts the gateway on another port than its
//!   config's `gateway.port`. When the config's port is clear of every other gateway, the
//!   config is taken as the intent (it is what OpenClaw's own `doctor --fix` and
//!   `gateway install --force` re-render the unit from) and every pin of the old port in the
//!   supervisor's files is set to it. When the config's port is not clear, there is no fix.
//! - CL102 between Telegram webhooks on the default 8787: every gateway but one gets its own
//!   `webhookPort`, the first host port above 8787 nothing binds or reserves, written beside
//!   its `webhookUrl` (in the file that sets it). The gateway that gets the new port cannot
//!   bind 8787 today anyway; its reverse proxy must follow (the description says so).

use super::moves::{Planner, PortOwners};
use super::pins::pins;
use super::{Applicability, Edit, Fix};
use crate::diagnostic::Finding;
use crate::load::json5::{self, Node, Span};
use crate::ports::allocate::{work, Movers};
use crate::resolve::model::{ListenerKind, Origin};
use crate::source::{Loc, SourceMap};
use std::collections::HashMap;

/// CL401: the supervisor's port set to the config's.
pub fn unit_to_config(f: &Finding, planner: &mut Planner) -> Result<Fix, String> {
    let (instances, sources) = (planner.instances, planner.sources);
    let name = f
        .labels
        .first()
        .and_then(|l| l.instance.as_deref())
        .ok_or("the finding names no gateway")?;
    let index = planner
        .index_of(name)
        .ok_or("the finding names no gateway")?;
    let instance = &instances[index];
    let config = instance
        .config_port
        .as_ref()
        .ok_or("the config has no usable gateway.port")?;
    let to = config.value;
    if !planner.round().base_is_clear(index, to) {
        return Err(format!(
            "the config's port {to} is not clear of the other gateways' ports, so it cannot be taken as the intent; move the gateway (or set gateway.port to {}) by hand",
            instance.port.value
        ));
    }
    let config_loc = config.origin.loc();
    let edits: Vec<Edit> = pins(instance, sources)?
        .into_iter()
        .filter(|p| Some(p.loc) != config_loc)
        .map(|p| Edit {
            file: p.loc.file,
            span: p.loc.span,
            replacement: to.to_string(),
        })
        .collect();
    if edits.is_empty() {
        return Err("clawlint cannot find the service's port written in its files".into());
    }
    for edit in &edits {
        let loc = Loc {
            file: edit.file,
            span: edit.span,
        };
        if super::fixers::overlaps_secret(sources, loc) {
            return Err("the edit would touch a secret".into());
        }
    }
    let files: Vec<String> = {
        let mut names: Vec<String> = edits
            .iter()
            .map(|e| crate::paths::display_path(&sources.file(e.file).path))
            .collect();
        names.dedup();
        names
    };
    Ok(Fix {
        applicability: Applicability::Safe,
        description: format!(
            "set the service's port {} to the config's gateway.port {to} in {} (direction: config -> service; the config is the intent, as `openclaw doctor --fix` takes it, and {to} is clear of every other gateway); reload the supervisor and restart the gateway to apply",
            instance.port.value,
            files.join(", ")
        ),
        edits,
    })
}

/// CL102 between Telegram webhooks on their default port: `webhookPort` for all but one.
pub fn webhook_ports(planner: &mut Planner, f: &Finding) -> Option<Result<Fix, String>> {
    let (instances, sources) = (planner.instances, planner.sources);
    let named: Vec<usize> = f
        .named_instances()
        .filter_map(|n| planner.index_of(n))
        .collect();
    let webhook = |i: &usize| {
        let listeners = &instances[*i].listeners;
        work::add(listeners.len() as u64);
        listeners
            .iter()
            .any(|l| l.kind == ListenerKind::TelegramWebhook)
    };
    // Most CL102 findings are of other listeners: no list of owners made for them.
    if !named.iter().any(webhook) {
        return None;
    }
    let owners = PortOwners::of(
        named
            .iter()
            .flat_map(|&j| instances[j].listeners.iter().map(move |m| (j, m))),
    );
    // The webhook listeners at the shared port that come from OpenClaw's default (no
    // `webhookPort` written), each with the `webhookUrl` it derives from: each gateway's
    // together, in the order of the finding.
    let mut parties: Vec<(usize, u16, Loc)> = Vec::new();
    for &i in &named {
        let first = parties.len();
        for l in instances[i]
            .listeners
            .iter()
            .filter(|l| l.kind == ListenerKind::TelegramWebhook)
        {
            work::add(1);
            let shared = owners.other_than(i, l.port);
            if let (true, Origin::Derived(derived)) = (shared, &l.origin) {
                if let Origin::Config(url) = *derived.base {
                    if !parties[first..].iter().any(|(_, _, u)| *u == url) {
                        parties.push((i, l.port, url));
                    }
                }
            }
        }
    }
    if parties.is_empty() {
        return None;
    }
    // Where each gateway's parties are.
    let mut of: HashMap<usize, (usize, usize)> = HashMap::new();
    for (k, (i, _, _)) in parties.iter().enumerate() {
        of.entry(*i)
            .and_modify(|r| r.1 = k + 1)
            .or_insert((k, k + 1));
    }
    let pool: Vec<usize> = parties.iter().map(|(i, _, _)| *i).collect();
    let mut movers = Movers::new(instances, &pool);
    let all: usize = f.named_instances().count();
    let mut moves: Vec<(Edit, String)> = Vec::new();
    let mut refusals: Vec<String> = Vec::new();
    while moves.len() + 1 < all {
        let Some((mover, why)) = movers.take() else {
            break;
        };
        let (from, to) = of.get(&mover).copied().unwrap_or((0, 0));
        for &(_, old, url) in &parties[from..to] {
            // Past the ports a Gmail hook (8788) and its neighbours default to, as the help says.
            let Some(port) = planner.webhook_port(old.saturating_add(9)) else {
                refusals.push(format!("no free port above {old}"));
                continue;
            };
            match insert_webhook_port(sources, url, port) {
                Some(edit) => moves.push((
                    edit,
                    format!(
                        "give \"{}\" its own Telegram webhookPort {port} instead of the default {old}: {why}; point its webhookUrl's reverse proxy at {port}",
                        instances[mover].name
                    ),
                )),
                None => refusals.push(format!(
                    "clawlint cannot add webhookPort beside \"{}\"'s webhookUrl",
                    instances[mover].name
                )),
            }
        }
        if movers.is_empty() {
            break;
        }
    }
    if moves.is_empty() {
        return Some(Err(refusals.join("; ")));
    }
    let description = moves
        .iter()
        .map(|(_, d)| d.as_str())
        .collect::<Vec<_>>()
        .join("; and ");
    Some(Ok(Fix {
        applicability: Applicability::Safe,
        description,
        edits: moves.into_iter().map(|(e, _)| e).collect(),
    }))
}

/// `webhookPort: N` as the first member of the object whose `webhookUrl` is at `url`.
fn insert_webhook_port(sources: &SourceMap, url: Loc, port: u16) -> Option<Edit> {
    let text = &sources.file(url.file).text;
    let doc = json5::parse(text).ok()?;
    let object = object_with(&doc.root, url.span)?;
    let member = format!(
        "{}: {port}",
        super::fixers::key(text, object, "webhookPort")
    );
    let (span, replacement) = super::fixers::insert_member(text, object, &member)?;
    if super::fixers::overlaps_secret(
        sources,
        Loc {
            file: url.file,
            span,
        },
    ) {
        return None;
    }
    Some(Edit {
        file: url.file,
        span,
        replacement,
    })
}

/// The object that has a `webhookUrl` member whose value is at `span`.
fn object_with(node: &Node, span: Span) -> Option<&Node> {
    if node
        .members()
        .iter()
        .any(|m| m.key == "webhookUrl" && m.value.span == span)
    {
        return Some(node);
    }
    let children: Vec<&Node> = match &node.value {
        json5::Value::Object(members) => members.iter().map(|m| &m.value).collect(),
        json5::Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    children.into_iter().find_map(|c| object_with(c, span))
}
