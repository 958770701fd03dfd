//! Unsafe fixes for a workspace (CL203) or agent dir (CL207) two gateways share: one of
//! them gets the path OpenClaw itself gives that agent when its config names none, written
//! in place of the configured string (same quotes, nothing else touched).
//!
//! The value is OpenClaw's own (`resolveAgentWorkspaceDir`, `resolveEffectiveAgentDir`,
//! facts §1.3/§1.7): an agent dir `<state dir>/agents/<id>/agent`; the workspace of the agent
//! that owns the default one, the gateway's default workspace (`OPENCLAW_WORKSPACE_DIR`,
//! `<state dir>/workspace` under `OPENCLAW_STATE_DIR`, `~/.openclaw-<profile>/workspace`,
//! `~/.openclaw/workspace`), and of any other agent `<state dir>/workspace-<id>`. The gateway
//! moved is the one most likely added later ([`crate::ports::allocate::mover`]).
//!
//! There is no fix (the finding says why) when the shared path is not a string written in a
//! config (an environment variable, a mount, a `${VAR}`), when the new path is already some
//! gateway's, or when it would lie outside the layout clawlint read.
//!
//! Unsafe: the gateway then reads another directory. A workspace's files (AGENTS.md, memory)
//! and an agent dir's model auth do not move with it; OpenClaw creates the new directory on
//! start, and the operator copies what the gateway should keep.

use super::{Applicability, Edit, Fix};
use crate::catalog;
use crate::diagnostic::Finding;
use crate::ports::allocate;
use crate::resolve::model::Instance;
use crate::resolve::Origin;
use crate::source::{Loc, SourceMap};
use std::path::{Path, PathBuf};

/// The fix of a CL203/CL207 finding, or why there is none.
pub fn fix(f: &Finding, instances: &[Instance], sources: &SourceMap) -> Result<Fix, String> {
    let agent_dir = f.rule == catalog::SHARED_AGENT_DIR;
    let what = if agent_dir { "agent dir" } else { "workspace" };
    // Each party: the gateway, and the agent whose path is configured at the label's place.
    let mut movable: Vec<(usize, String, Loc)> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for label in &f.labels {
        let Some(i) = label
            .instance
            .as_deref()
            .and_then(|n| instances.iter().position(|g| g.name == n))
        else {
            continue;
        };
        let inst = &instances[i];
        let agent = inst.agents.iter().find(|a| {
            let path = if agent_dir {
                &a.agent_dir
            } else {
                &a.workspace
            };
            path.origin.loc().is_some() && path.origin.loc() == label.loc
        });
        let Some(agent) = agent else { continue };
        let path = if agent_dir {
            &agent.agent_dir
        } else {
            &agent.workspace
        };
        match (&path.origin, inst.container.is_some()) {
            (_, true) => reasons.push(format!(
                "\"{}\" runs in a container: mount a directory of its own instead",
                inst.name
            )),
            (Origin::Config(loc), false) => movable.push((i, agent.id.clone(), *loc)),
            (other, false) => reasons.push(format!(
                "\"{}\"'s {what} is not a path written in its config ({})",
                inst.name,
                other.summary()
            )),
        }
    }
    let pool: Vec<usize> = movable.iter().map(|(i, _, _)| *i).collect();
    let mut movers = allocate::Movers::new(instances, &pool);
    while let Some((mover, why)) = movers.take() {
        let why = why
            .to_string()
            .replace("whose move ends this", "whose path is written in a config");
        let (_, id, loc) = movable
            .iter()
            .find(|(i, _, _)| *i == mover)
            .cloned()
            .unwrap();
        match own_path(&instances[mover], &id, agent_dir)
            .and_then(|new| edit(&instances[mover], instances, sources, loc, &new, what))
        {
            Ok((edit, shown)) => {
                return Ok(Fix {
                    applicability: Applicability::Unsafe,
                    description: format!(
                        "give \"{}\" its own {what} {shown} (OpenClaw's default for agent \"{id}\"): {why}; {}",
                        instances[mover].name,
                        if agent_dir {
                            "set up its model auth there (`openclaw models auth`), the shared agent dir stays with the other gateway"
                        } else {
                            "copy what it should keep (AGENTS.md, memory) from the shared workspace; OpenClaw creates the new one on start"
                        }
                    ),
                    edits: vec![edit],
                })
            }
            Err(reason) => reasons.push(format!(
                "\"{}\" cannot be given its own: {reason}",
                instances[mover].name
            )),
        }
    }
    if reasons.is_empty() {
        reasons.push(format!(
            "no gateway's {what} is a path written in its config"
        ));
    }
    Err(reasons.join("; "))
}

/// The path OpenClaw gives agent `id` of `inst` when its config names none.
fn own_path(inst: &Instance, id: &str, agent_dir: bool) -> Result<PathBuf, String> {
    let state = &inst.state_dir.value;
    if agent_dir {
        return Ok(state.join("agents").join(id).join("agent"));
    }
    let owner = inst
        .config_root
        .as_ref()
        .and_then(crate::resolve::paths::data_owner_of);
    Ok(match owner.as_deref() == Some(id) {
        true => inst.workspace.value.clone(),
        false => state.join(format!("workspace-{id}")),
    })
}

/// The edit that writes `new` in place of the string at `loc`, and how it is shown.
fn edit(
    inst: &Instance,
    instances: &[Instance],
    sources: &SourceMap,
    loc: Loc,
    new: &Path,
    what: &str,
) -> Result<(Edit, String), String> {
    // Some gateway's already: moving there would share again.
    let taken = instances.iter().any(|g| {
        g.state_dir.value == new
            || g.workspace.value == new && !std::ptr::eq(g, inst)
            || g.agents
                .iter()
                .any(|a| a.workspace.value == new || a.agent_dir.value == new)
    });
    if taken {
        return Err(format!(
            "OpenClaw's default {what} for it, {}, is already a gateway's",
            new.display()
        ));
    }
    // A config file another gateway reads too: the edit would move that one as well.
    if let Some(other) = instances.iter().find(|g| {
        !std::ptr::eq(*g, inst)
            && (g.config_exists && g.config_loc.file == loc.file
                || g.agents.iter().any(|a| {
                    [&a.workspace, &a.agent_dir]
                        .iter()
                        .any(|p| p.origin.loc().is_some_and(|l| l.file == loc.file))
                }))
    }) {
        return Err(format!(
            "{} is \"{}\"'s config too, so the edit would move both",
            crate::paths::display_path(&sources.file(loc.file).path),
            other.name
        ));
    }
    if !new.starts_with(&inst.home) {
        return Err(format!(
            "OpenClaw's default {what} for it, {}, lies outside the layout clawlint read (its home {})",
            new.display(),
            crate::paths::display_path(&inst.home)
        ));
    }
    let text = &sources.file(loc.file).text;
    let raw = text
        .get(loc.span.start()..loc.span.end())
        .ok_or("clawlint cannot find the value in its file")?;
    let quote = match raw.chars().next() {
        Some(q @ ('"' | '\'')) if raw.len() >= 2 && raw.ends_with(q) => q,
        _ => return Err("the value is not a quoted string".into()),
    };
    // `~/…` (OpenClaw expands it with the same home; a relative path would depend on the
    // directory the gateway starts in). The new path always lies under that home.
    let shown = match new.strip_prefix(&inst.home) {
        Ok(rel) => format!("~/{}", rel.display()),
        Err(_) => new.display().to_string(),
    };

    if shown.contains(['\\', '\n', '\r', quote]) || shown.contains("${") {
        return Err(format!("{shown} cannot be written as a plain string"));
    }
    let span = crate::load::json5::Span::new(loc.span.start() + 1, loc.span.end() - 1);
    if super::fixers::overlaps_secret(
        sources,
        Loc {
            file: loc.file,
            span,
        },
    ) {
        return Err("the edit would touch a secret".into());
    }
    Ok((
        Edit {
            file: loc.file,
            span,
            replacement: shown.clone(),
        },
        shown,
    ))
}
