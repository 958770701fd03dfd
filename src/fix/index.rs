//! What the fixes of many small findings ask of every other gateway, built once per run when
//! first asked ([`super::moves::Planner`] keeps them): a fix then costs its own gateways, not
//! a pass over every gateway (thousands of CL203/CL207/CL407/CL602 findings of two gateways
//! each were a pass each: quadratic).

use crate::paths::{compared_bytes, FastMap, FastSet};
use crate::ports::allocate::work;
use crate::resolve::model::Instance;
use crate::source::FileId;
use std::borrow::Cow;
use std::path::Path;

/// Which of a gateway's files count as read by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Its config file.
    Config,
    /// Its config file, and the files its agents' workspaces and agent dirs are written in.
    AgentPaths,
    /// Its config file, and the files its live browser's profiles are written in.
    BrowserProfiles,
}

/// The first two gateways (in order) that read each file: enough to name the first one
/// other than any given gateway. By file id (ids are dense: a file's slot is a place in a
/// list, not a hashed key and a list of its own), [`NO_READER`] where there is none.
pub struct Readers(Vec<[u32; 2]>);

const NO_READER: u32 = u32::MAX;

impl Readers {
    pub fn new(instances: &[Instance], reading: Reading) -> Readers {
        let mut by_file: Vec<[u32; 2]> = Vec::new();
        for (g, inst) in instances.iter().enumerate() {
            let g = g as u32;
            let mut reads = |file: FileId| {
                work::add(1);
                let at = file.0 as usize;
                if by_file.len() <= at {
                    by_file.resize(at + 1, [NO_READER; 2]);
                }
                // Gateways come in order: a second reader is a gateway other than the first.
                match &mut by_file[at] {
                    [first, _] if *first == NO_READER => *first = g,
                    [first, second] if *second == NO_READER && *first != g => *second = g,
                    _ => {}
                }
            };
            if inst.config_exists {
                reads(inst.config_loc.file);
            }
            match reading {
                Reading::Config => {}
                Reading::AgentPaths => {
                    for a in &inst.agents {
                        for p in [&a.workspace, &a.agent_dir] {
                            if let Some(l) = p.origin.loc() {
                                reads(l.file);
                            }
                        }
                    }
                }
                Reading::BrowserProfiles => {
                    for p in inst.live_browser().into_iter().flat_map(|b| &b.profiles) {
                        if let Some(l) = p.origin.loc() {
                            reads(l.file);
                        }
                    }
                }
            }
        }
        Readers(by_file)
    }

    /// The first gateway other than `me` that reads `file`.
    pub fn other_than(&self, file: FileId, me: usize) -> Option<usize> {
        work::add(1);
        let readers = self.0.get(file.0 as usize)?;
        readers
            .iter()
            .map(|&g| g as usize)
            .find(|&g| g != NO_READER as usize && g != me)
    }
}

/// Who holds each path of every gateway (its state dir, its workspace, its agents'
/// workspaces and agent dirs), keyed as paths compare: the first two holders of each, kept in
/// the map's slot (one list per path was an allocation per path of every gateway).
pub struct HeldPaths<'a>(FastMap<Cow<'a, [u8]>, (Holder, Option<Holder>)>);

#[derive(Debug, Clone, Copy)]
pub struct Holder {
    gateway: u32,
    /// The path is the gateway's own (default) workspace.
    own_workspace: bool,
}

impl<'a> HeldPaths<'a> {
    pub fn new(instances: &'a [Instance]) -> HeldPaths<'a> {
        let paths: usize = instances.iter().map(|i| 2 + 2 * i.agents.len()).sum();
        let mut held: FastMap<Cow<'a, [u8]>, (Holder, Option<Holder>)> =
            FastMap::with_capacity_and_hasher(paths, Default::default());
        for (gateway, inst) in instances.iter().enumerate() {
            let mut hold = |path: &'a Path, own_workspace: bool| {
                work::add(1);
                let holder = Holder {
                    gateway: gateway as u32,
                    own_workspace,
                };
                // Only one holder of a path is ever left out (a gateway's own workspace, see
                // `held`), so two are enough to answer.
                held.entry(compared_bytes(path))
                    .and_modify(|(_, second)| {
                        second.get_or_insert(holder);
                    })
                    .or_insert((holder, None));
            };
            hold(&inst.state_dir.value, false);
            hold(&inst.workspace.value, true);
            for a in &inst.agents {
                hold(&a.workspace.value, false);
                hold(&a.agent_dir.value, false);
            }
        }
        HeldPaths(held)
    }

    /// Whether some gateway holds `path`, the workspace of `gateway` itself left out (a
    /// gateway may be given back its own default workspace).
    pub fn held(&self, path: &Path, gateway: usize) -> bool {
        work::add(1);
        self.0
            .get(&compared_bytes(path))
            .is_some_and(|&(first, second)| {
                let other = |h: Holder| !(h.own_workspace && h.gateway as usize == gateway);
                other(first) || second.is_some_and(other)
            })
    }
}

/// Every sandbox container name some gateway's agents share.
pub fn shared_containers(instances: &[Instance]) -> FastSet<&str> {
    let mut names = FastSet::default();
    for c in instances
        .iter()
        .flat_map(|i| &i.agents)
        .flat_map(|a| &a.shared_containers)
    {
        work::add(1);
        names.insert(c.value.as_str());
    }
    names
}

/// The browser profiles that drive a local Chrome on each CDP port (the `openclaw` driver,
/// declared or from a URL, on loopback), as (gateway, profile) in order: the first profile of
/// each of the first two gateways, enough to name the first of any gateway but one.
pub struct CdpProfiles(FastMap<u32, Vec<(usize, usize)>>);

impl CdpProfiles {
    pub fn new(instances: &[Instance]) -> CdpProfiles {
        let mut by_port: FastMap<u32, Vec<(usize, usize)>> = FastMap::default();
        for (g, inst) in instances.iter().enumerate() {
            let profiles = inst.live_browser().into_iter().flat_map(|b| &b.profiles);
            for (k, p) in profiles.enumerate() {
                work::add(1);
                if p.driver == "openclaw" && (p.explicit || p.from_url) && p.loopback {
                    let of = by_port.entry(p.cdp_port).or_default();
                    if of.len() < 2 && of.last().is_none_or(|&(h, _)| h != g) {
                        of.push((g, k));
                    }
                }
            }
        }
        CdpProfiles(by_port)
    }

    /// The first such profile on `port` of a gateway other than `me`: (gateway, profile).
    pub fn other_than(&self, port: u32, me: usize) -> Option<(usize, usize)> {
        work::add(1);
        self.0.get(&port)?.iter().copied().find(|&(g, _)| g != me)
    }
}
