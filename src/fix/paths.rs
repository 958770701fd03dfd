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

use super::index::{Readers, Reading};
use super::moves::Planner;
use super::{Applicability, Edit, Fix};
use crate::catalog;
use crate::diagnostic::Finding;
use crate::paths::{FastMap, FastSet};
use crate::ports::allocate;
use crate::resolve::model::Instance;
use crate::resolve::Origin;
use crate::source::{Loc, SourceMap};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// The fix of a CL203/CL207 finding, or why there is none. Every gateway on the path but one
/// moves in the one fix (as a shared gateway port's all-but-one), so `check --fix` ends a
/// group of any size in one round rather than one gateway a round.
pub fn fix(f: &Finding, planner: &mut Planner) -> Result<Fix, String> {
    let (instances, sources) = (planner.instances, planner.sources);
    let agent_dir = f.rule == catalog::SHARED_AGENT_DIR;
    let what = if agent_dir { "agent dir" } else { "workspace" };
    // Each party: the gateway, and the agent whose path is configured at the label's place.
    let mut movable: Vec<(usize, String, Loc)> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut gateways: FastSet<usize> = FastSet::default();
    for label in &f.labels {
        let Some(i) = label.instance.as_deref().and_then(|n| planner.index_of(n)) else {
            continue;
        };
        gateways.insert(i);
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
    // Each gateway's first configured party, the one its move edits.
    let mut firsts: FastMap<usize, usize> = FastMap::default();
    for (k, (i, _, _)) in movable.iter().enumerate() {
        firsts.entry(*i).or_insert(k);
    }
    let pool: Vec<usize> = movable.iter().map(|(i, _, _)| *i).collect();
    let mut movers = allocate::Movers::new(instances, &pool);
    let new_paths: Vec<Result<PathBuf, String>> = movable
        .iter()
        .map(|(i, id, _)| own_path(&instances[*i], id, agent_dir))
        .collect();
    // Whether some gateway holds each party's new path already.
    let held = planner.held_paths();
    let taken: Vec<bool> = movable
        .iter()
        .zip(&new_paths)
        .map(|((i, _, _), new)| new.as_ref().is_ok_and(|new| held.held(new, *i)))
        .collect();
    let readers = planner.readers(Reading::AgentPaths);
    let to_move = gateways.len().saturating_sub(1);
    let mut moves: Vec<Move> = Vec::new();
    // The new paths given out by this fix: two parties given one would share it again.
    let mut given: FastSet<Cow<'_, [u8]>> = FastSet::default();
    while moves.len() < to_move {
        let Some((mover, why)) = movers.take() else {
            break;
        };
        let why = why
            .to_string()
            .replace("whose move ends this", "whose path is written in a config");
        let k = firsts[&mover];
        let (_, id, loc) = &movable[k];
        let planned = new_paths[k]
            .as_ref()
            .map_err(String::clone)
            .and_then(|new| {
                let taken = taken[k] || given.contains(&same_path_key(new));
                edit(mover, taken, readers, instances, sources, *loc, new, what)
            });
        match planned {
            Ok((edit, shown)) => {
                if let Ok(new) = &new_paths[k] {
                    given.insert(same_path_key(new));
                }
                moves.push(Move {
                    mover,
                    id: id.clone(),
                    edit,
                    shown,
                    why,
                })
            }
            Err(reason) => reasons.push(format!(
                "\"{}\" cannot be given its own: {reason}",
                instances[mover].name
            )),
        }
    }
    if moves.is_empty() {
        if reasons.is_empty() {
            reasons.push(format!(
                "no gateway's {what} is a path written in its config"
            ));
        }
        return Err(reasons.join("; "));
    }
    let advice = match (agent_dir, moves.len()) {
        (true, 1) => "set up its model auth there (`openclaw models auth`), the shared agent dir stays with the other gateway",
        (true, _) => "set up each one's model auth there (`openclaw models auth`), the shared agent dir stays with the one gateway left on it",
        (false, 1) => "copy what it should keep (AGENTS.md, memory) from the shared workspace; OpenClaw creates the new one on start",
        (false, _) => "copy what each should keep (AGENTS.md, memory) from the shared workspace; OpenClaw creates the new ones on start",
    };
    let gives: Vec<String> = moves
        .iter()
        .map(|m| {
            format!(
                "give \"{}\" its own {what} {} (OpenClaw's default for agent \"{}\"): {}",
                instances[m.mover].name, m.shown, m.id, m.why
            )
        })
        .collect();
    Ok(Fix {
        applicability: Applicability::Unsafe,
        description: format!("{}; {advice}", gives.join("; and ")),
        edits: moves.into_iter().map(|m| m.edit).collect(),
    })
}

/// One gateway given its own path by a fix.
struct Move {
    mover: usize,
    id: String,
    edit: Edit,
    shown: String,
    why: String,
}

/// A path's bytes as `Path`'s `==` compares them ([`crate::paths::compared_bytes`]).
fn same_path_key(path: &Path) -> Cow<'_, [u8]> {
    crate::paths::compared_bytes(path)
}

/// The path OpenClaw gives agent `id` of `inst` when its config names none.
fn own_path(inst: &Instance, id: &str, agent_dir: bool) -> Result<PathBuf, String> {
    let state = &inst.state_dir.value;
    if agent_dir {
        return Ok(state.join("agents").join(id).join("agent"));
    }
    let owner = inst.data_owner.and_then(|at| inst.agents.get(at as usize));
    Ok(match owner.is_some_and(|a| a.id == id) {
        true => inst.workspace.value.clone(),
        false => state.join(format!("workspace-{id}")),
    })
}

/// The edit that writes `new` in place of the string at `loc` (`taken`: some gateway holds
/// `new` already), and how it is shown.
#[allow(clippy::too_many_arguments)]
fn edit(
    me: usize,
    taken: bool,
    readers: &Readers,
    instances: &[Instance],
    sources: &SourceMap,
    loc: Loc,
    new: &Path,
    what: &str,
) -> Result<(Edit, String), String> {
    let inst = &instances[me];
    // Some gateway's already: moving there would share again.
    if taken {
        return Err(format!(
            "OpenClaw's default {what} for it, {}, is already a gateway's",
            new.display()
        ));
    }
    // A config file another gateway reads too: the edit would move that one as well.
    if let Some(other) = readers.other_than(loc.file, me) {
        return Err(format!(
            "{} is \"{}\"'s config too, so the edit would move both",
            crate::paths::display_path(&sources.file(loc.file).path),
            instances[other].name
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

#[cfg(test)]
mod tests {
    use super::same_path_key;
    use std::path::Path;

    #[test]
    fn path_keys_are_equal_exactly_when_the_paths_are() {
        let spellings = [
            "/h/.openclaw/workspace",
            "/h//.openclaw/./workspace",
            "/h/.openclaw/workspace/",
            "/h/.openclaw/workspace/.",
            "/h/.openclaw/workspace-main",
            "/h/.openclaw/agents/main/agent",
            "h/.openclaw/workspace",
            "./h/.openclaw/workspace",
            "/",
        ];
        for a in spellings {
            for b in spellings {
                let (pa, pb) = (Path::new(a), Path::new(b));
                assert_eq!(same_path_key(pa) == same_path_key(pb), pa == pb, "{a} {b}");
            }
        }
    }
}
