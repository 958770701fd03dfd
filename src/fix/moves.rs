//! The unsafe fix of every finding about where a gateway's ports lie (`Remedy::MoveBasePort`:
//! CL101-CL105): move one gateway's base port to the allocator's suggestion, in every place
//! that pins it (see [`super::pins`]).
//!
//! The gateway moved is the one the operator most likely added later
//! ([`crate::ports::allocate::mover`]), among those whose move ends the finding. Moves made
//! for several findings in one round reserve their new footprints for each other
//! ([`crate::ports::allocate::suggest_with`]), so a round never makes a new collision; the
//! `--fix` loop re-lints and repeats until nothing more is fixable.

use super::pins::{pins, Pin};
use super::{Applicability, Edit, Fix};
use crate::catalog;
use crate::diagnostic::Finding;
use crate::ports::allocate;
use crate::resolve::model::{Instance, ListenerKind, Origin, PortKind};
use crate::source::{Loc, SourceMap};

/// The moves planned so far in this round: the gateway, its new base port, and its fix.
#[derive(Default)]
pub struct Planner {
    planned: Vec<(usize, u16, Fix)>,
    /// Single ports given out in this round (webhook ports).
    given: Vec<u16>,
}

impl Planner {
    /// The first host port above `after` that no gateway binds, reserves or publishes, and
    /// that no fix of this round gives out or moves a footprint onto.
    pub fn webhook_port(&mut self, instances: &[Instance], after: u16) -> Option<u16> {
        let mut also = self.given.clone();
        for (_, base, _) in &self.planned {
            let end = (u32::from(*base) + crate::ports::layout::FOOTPRINT - 1).min(65535);
            also.extend(*base..=end as u16);
        }
        let port = allocate::next_free_host_port(instances, after, &also)?;
        self.given.push(port);
        Some(port)
    }

    /// The fix for a finding whose remedy is moving a base port, or why there is none.
    pub fn fix(
        &mut self,
        f: &Finding,
        instances: &[Instance],
        sources: &SourceMap,
    ) -> Result<Fix, String> {
        let candidates = candidates(f, instances);
        if candidates.is_empty() {
            return Err("moving a base port would not end it: the ports involved do not move with any gateway's base port".into());
        }
        // A gateway already moving for another finding moves once, and its move may be
        // enough: a pair needs one gateway to leave, a shared gateway port all but one.
        let leaving: Vec<Fix> = self
            .planned
            .iter()
            .filter(|(i, _, _)| candidates.contains(i))
            .map(|(_, _, fix)| fix.clone())
            .collect();
        let mut pool: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| !self.planned.iter().any(|(p, _, _)| p == i))
            .collect();
        let must_leave = match f.rule == catalog::GATEWAY_PORT_COLLISION {
            true => f.instances().len().saturating_sub(1),
            false => 1,
        };
        let to_move = must_leave.saturating_sub(leaving.len());
        if to_move == 0 {
            if let Some(fix) = leaving.first() {
                return Ok(fix.clone());
            }
        }
        let mut moves: Vec<Fix> = Vec::new();
        let mut refusals: Vec<String> = Vec::new();
        while moves.len() < to_move {
            let Some((mover, why)) = allocate::mover(instances, &pool) else {
                break;
            };
            let why = match refusals.is_empty() {
                true => why,
                false => format!("{why} ({})", refusals.join("; ")),
            };
            match self.plan(mover, &why, instances, sources) {
                Ok(fix) => moves.push(fix),
                Err(reason) => refusals.push(format!(
                    "\"{}\" cannot be moved: {reason}",
                    instances[mover].name
                )),
            }
            pool.retain(|i| *i != mover);
        }
        match moves.len() {
            0 => match leaving.first() {
                Some(fix) => Ok(fix.clone()),
                None => Err(refusals.join("; ")),
            },
            1 => Ok(moves.remove(0)),
            _ => Ok(Fix {
                applicability: Applicability::Unsafe,
                description: moves
                    .iter()
                    .map(|m| m.description.as_str())
                    .collect::<Vec<_>>()
                    .join("; and "),
                edits: moves.into_iter().flat_map(|m| m.edits).collect(),
            }),
        }
    }

    fn plan(
        &mut self,
        mover: usize,
        why: &str,
        instances: &[Instance],
        sources: &SourceMap,
    ) -> Result<Fix, String> {
        let instance = &instances[mover];
        let pins = pins(instance, sources)?;
        shared_with_others(mover, &pins, instances, sources)?;
        let planned: Vec<(usize, u16)> = self.planned.iter().map(|(i, p, _)| (*i, *p)).collect();
        let suggestion = allocate::suggest_with(instances, &[mover], &planned)
            .ok_or("no base port on the host has its whole footprint free")?;
        let to = suggestion.port;
        let mut edits: Vec<Edit> = pins
            .iter()
            .map(|p| Edit {
                file: p.loc.file,
                span: p.loc.span,
                replacement: to.to_string(),
            })
            .collect();
        let mut places: Vec<String> = pins.iter().map(|p| p.what.clone()).collect();
        places.dedup();
        if pins.iter().all(|p| !p.what.starts_with("gateway.port"))
            && matches!(
                instance.port_kind,
                PortKind::ProfileHash | PortKind::Default
            )
        {
            // Nothing pins it: pin the new port in the config.
            let edit = super::fixers::pin_port_edit(instance, to, sources).ok_or(
                "nothing pins its port and its config has no place clawlint can add gateway.port to",
            )?;
            edits.push(edit);
            places.push("gateway.port added".to_string());
        }
        for edit in &edits {
            if super::fixers::overlaps_secret(
                sources,
                Loc {
                    file: edit.file,
                    span: edit.span,
                },
            ) {
                return Err("the edit would touch a secret".into());
            }
        }
        let fix = Fix {
            applicability: Applicability::Unsafe,
            description: format!(
                "move \"{}\" from base port {} to {} ({}): {why}; {}",
                instance.name,
                instance.port.value,
                to,
                places.join(", "),
                allocate::explain(&suggestion)
            ),
            edits,
        };
        self.planned.push((mover, to, fix.clone()));
        Ok(fix)
    }
}

/// An edit in a file that also sets another gateway's port would move that one too.
fn shared_with_others(
    mover: usize,
    pins: &[Pin],
    instances: &[Instance],
    sources: &SourceMap,
) -> Result<(), String> {
    for (j, other) in instances.iter().enumerate() {
        if j == mover {
            continue;
        }
        let mut theirs: Vec<Loc> = other.port.origin.loc().into_iter().collect();
        theirs.extend(other.config_port.as_ref().and_then(|c| c.origin.loc()));
        if let Some(var) = other.env.get("OPENCLAW_GATEWAY_PORT") {
            theirs.extend(var.origin.loc());
        }
        theirs.extend(
            other
                .service
                .iter()
                .chain(&other.other_services)
                .map(|s| s.loc),
        );
        if let Some(pin) = pins
            .iter()
            .find(|p| theirs.iter().any(|t| t.file == p.loc.file))
        {
            return Err(format!(
                "{} also sets the port of \"{}\"",
                crate::paths::display_path(&sources.file(pin.loc.file).path),
                other.name
            ));
        }
    }
    Ok(())
}

/// The gateways named by the finding whose base-port move would end it.
fn candidates(f: &Finding, instances: &[Instance]) -> Vec<usize> {
    let named: Vec<usize> = f
        .instances()
        .iter()
        .filter_map(|n| instances.iter().position(|i| &i.name == n))
        // A container in its own network namespace moves by what it publishes (CL108's
        // business), not by its base port.
        .filter(|i| instances[*i].starts() && instances[*i].listens_on_host())
        .collect();
    // A listener that moves with the base port: the gateway port, and what is computed from it.
    let moves_with = |i: usize, l: &crate::resolve::Listener| match &l.origin {
        _ if l.kind == ListenerKind::Gateway => true,
        Origin::Derived { base, .. } => **base == instances[i].port.origin,
        _ => false,
    };
    let cdp_range = |i: usize| {
        instances[i]
            .browser
            .as_ref()
            .filter(|b| b.enabled && b.error.is_none())
            .map(|b| b.cdp_range)
    };
    named
        .iter()
        .copied()
        .filter(|&i| {
            if f.rule == catalog::LISTENER_COLLISION {
                instances[i]
                    .listeners
                    .iter()
                    .filter(|l| moves_with(i, l))
                    .any(|l| {
                        named
                            .iter()
                            .filter(|&&j| j != i)
                            .any(|&j| instances[j].listeners.iter().any(|m| m.port == l.port))
                    })
            } else if f.rule == catalog::PORT_IN_CDP_RANGE {
                // The owner's range moves with its base; an intruder that is pinned (a
                // `cdpPort`) stays put whatever moves, and its help says to move the pin.
                let owns_range = cdp_range(i).is_some_and(|r| {
                    named.iter().filter(|&&j| j != i).any(|&j| {
                        instances[j]
                            .listeners
                            .iter()
                            .any(|m| r.contains(m.port) && moves_with(j, m))
                    })
                });
                let intrudes = instances[i]
                    .listeners
                    .iter()
                    .filter(|l| moves_with(i, l))
                    .any(|l| {
                        named
                            .iter()
                            .filter(|&&j| j != i)
                            .any(|&j| cdp_range(j).is_some_and(|r| r.contains(l.port)))
                    });
                owns_range || intrudes
            } else {
                true
            }
        })
        .collect()
}
