//! The unsafe fix of every finding about where a gateway's ports lie (`Remedy::MoveBasePort`:
//! CL101-CL105): move one gateway's base port to the allocator's suggestion, in every place
//! that pins it (see [`super::pins`]).
//!
//! The gateway moved is the one the operator most likely added later
//! ([`crate::ports::allocate::mover`]), among those whose move ends the finding. Moves made
//! for several findings in one round reserve their new footprints for each other
//! ([`crate::ports::allocate::suggest_with`]), so a round never makes a new collision; the
//! `--fix` loop re-lints and repeats until nothing more is fixable.

use super::index::{CdpProfiles, HeldPaths, Readers, Reading};
use super::pins::{pins, Pin};
use super::{Applicability, Edit, Fix, NoFix, Refusal, Refusals};
use crate::catalog;
use crate::diagnostic::{Finding, Name, Text};
use crate::paths::{FastMap as HashMap, FastSet};
use crate::ports::allocate::{self, work, Movers, Round};
use crate::resolve::model::{Instance, ListenerKind, Origin, PortKind};
use crate::source::{FileId, Loc, SourceMap};
use std::cell::OnceCell;

/// One round of fixes: the moves planned so far (each gateway's new base port and its fix),
/// and what the round builds once and every fix asks: gateways by name, the host's ports
/// ([`Round`]), the files that set each gateway's port. Each is built when first needed, so
/// a run with no finding to move pays nothing for them.
pub struct Planner<'a> {
    pub instances: &'a [Instance],
    pub sources: &'a SourceMap,
    names: Option<HashMap<&'a str, usize>>,
    round: Option<Round<'a>>,
    setters: Option<HashMap<FileId, (usize, Option<usize>)>>,
    /// The loopback URLs of the gateways' configs, by port ([`super::urls`]).
    urls: Option<std::collections::BTreeMap<u16, Vec<super::urls::UrlPort>>>,
    /// The gateways that hold each port a URL names ([`Holders`]).
    holders: Option<Holders>,
    /// The published entries of every container, by the entry's place: which gateway (in
    /// order) publishes it, and which of its published ports it is ([`super::publish`]).
    publishers: Option<HashMap<Loc, Vec<(usize, usize)>>>,
    /// The fix of each gateway planned to move, in the order planned.
    planned: Vec<Fix>,
    /// For each gateway, its place in `planned`.
    planned_at: Vec<Option<usize>>,
    /// Why each gateway asked for since the last move planned cannot move. Nothing a failed
    /// plan reads changes until a move is planned (the host's ports, the planned moves), and
    /// on a crowded host most findings ask again for gateways that already could not move:
    /// kept by gateway, with the list of those refused to forget them at the next move.
    refused: Vec<Option<Text>>,
    refused_now: Vec<usize>,
    /// The pool of the finding planned for, its lists kept from one finding to the next.
    movers: Movers<'a>,
    candidates: Vec<usize>,
    /// The refused candidates of a finding in the order movers are chosen.
    order: Vec<usize>,
    /// Lists CL103's candidates are found with, kept from one finding to the next.
    cdp_scratch: [Vec<u16>; 3],
    /// The ports of each gateway asked for that move with its base port.
    moving_ports: MovingPorts,
    /// Each gateway's shared name, once asked ([`Planner::shared_name`]).
    shared_names: Option<Vec<Option<Name>>>,
    /// The first gateways reading each file, for each way of reading one ([`Reading`]).
    readers: [OnceCell<Readers>; 3],
    /// Who holds each path of every gateway ([`super::paths`]).
    held_paths: OnceCell<HeldPaths<'a>>,
    /// The sandbox containers some gateway shares ([`super::sandbox`]).
    shared_containers: OnceCell<FastSet<&'a str>>,
    /// The local-Chrome browser profiles by CDP port ([`super::browser`]).
    cdp_profiles: OnceCell<CdpProfiles>,
}

impl<'a> Planner<'a> {
    pub fn new(instances: &'a [Instance], sources: &'a SourceMap) -> Planner<'a> {
        Planner {
            instances,
            sources,
            names: None,
            round: None,
            setters: None,
            urls: None,
            holders: None,
            publishers: None,
            planned: Vec::new(),
            planned_at: vec![None; instances.len()],
            refused: Vec::new(),
            refused_now: Vec::new(),
            movers: Movers::default(),
            candidates: Vec::new(),
            order: Vec::new(),
            cdp_scratch: Default::default(),
            moving_ports: MovingPorts::default(),
            shared_names: None,
            readers: Default::default(),
            held_paths: OnceCell::new(),
            shared_containers: OnceCell::new(),
            cdp_profiles: OnceCell::new(),
        }
    }

    /// The first gateways that read each file, reading as `reading` says; built once.
    pub fn readers(&self, reading: Reading) -> &Readers {
        self.readers[reading as usize].get_or_init(|| Readers::new(self.instances, reading))
    }

    /// Who holds each path of every gateway; built once.
    pub fn held_paths(&self) -> &HeldPaths<'a> {
        self.held_paths
            .get_or_init(|| HeldPaths::new(self.instances))
    }

    /// The sandbox containers some gateway's agents share; built once.
    pub fn shared_containers(&self) -> &FastSet<&'a str> {
        self.shared_containers
            .get_or_init(|| super::index::shared_containers(self.instances))
    }

    /// The local-Chrome browser profiles by CDP port; built once.
    pub fn cdp_profiles(&self) -> &CdpProfiles {
        self.cdp_profiles
            .get_or_init(|| CdpProfiles::new(self.instances))
    }

    /// The gateway a finding names (the first of that name, as a scan would find).
    pub fn index_of(&mut self, name: &str) -> Option<usize> {
        let instances = self.instances;
        let names = self.names.get_or_insert_with(|| {
            let mut names = HashMap::with_capacity_and_hasher(instances.len(), Default::default());
            for (i, instance) in instances.iter().enumerate() {
                work::add(1);
                names.entry(instance.name.as_str()).or_insert(i);
            }
            names
        });
        work::add(1);
        names.get(name).copied()
    }

    /// The gateways whose container publishes the entry at `entry`, in order, each with the
    /// place of that entry among its published ports (a gateway once per entry).
    pub fn publishers(&mut self, entry: Loc) -> &[(usize, usize)] {
        let instances = self.instances;
        let publishers = self.publishers.get_or_insert_with(|| {
            let mut by_entry: HashMap<Loc, Vec<(usize, usize)>> = HashMap::default();
            for (i, instance) in instances.iter().enumerate() {
                let Some(c) = &instance.container else {
                    continue;
                };
                for (k, p) in c.published.iter().enumerate() {
                    work::add(1);
                    let of = by_entry.entry(p.loc).or_default();
                    if of.last().is_none_or(|&(j, _)| j != i) {
                        of.push((i, k));
                    }
                }
            }
            by_entry
        });
        work::add(1);
        publishers.get(&entry).map_or(&[], Vec::as_slice)
    }
    /// The host's ports for this round.
    pub fn round(&mut self) -> &mut Round<'a> {
        let instances = self.instances;
        self.round.get_or_insert_with(|| Round::new(instances))
    }

    /// The first host port above `after` that no gateway binds, reserves or publishes, and
    /// that no fix of this round gives out or moves a footprint onto.
    pub fn webhook_port(&mut self, after: u16) -> Option<u16> {
        self.round().free_port_after(after)
    }

    /// The fix for a finding whose remedy is moving a base port, or why there is none.
    pub fn fix(&mut self, f: &Finding) -> Result<Fix, NoFix> {
        // The finding's list of candidates, kept from one finding to the next.
        let mut candidates = std::mem::take(&mut self.candidates);
        let fix = self.fix_among(f, &mut candidates);
        self.candidates = candidates;
        fix
    }

    fn fix_among(&mut self, f: &Finding, candidates: &mut Vec<usize>) -> Result<Fix, NoFix> {
        let names = self.candidates(f, candidates);
        if candidates.is_empty() {
            return Err("moving a base port would not end it: the ports involved do not move with any gateway's base port".into());
        }
        // A gateway already moving for another finding moves once, and its move may be
        // enough: a pair needs one gateway to leave, a shared gateway port all but one.
        let leaving = candidates
            .iter()
            .filter(|&&i| self.planned_at[i].is_some())
            .count();
        let first_leaving = candidates.iter().filter_map(|&i| self.planned_at[i]).min();
        let must_leave = match f.rule == catalog::GATEWAY_PORT_COLLISION {
            true => names.saturating_sub(1),
            false => 1,
        };
        let to_move = must_leave.saturating_sub(leaving);
        if to_move == 0 {
            if let Some(k) = first_leaving {
                return Ok(self.planned[k].clone());
            }
        }
        candidates.retain(|&i| self.planned_at[i].is_none());
        // Every candidate refused since the last move planned (most findings of a crowded
        // host): no plan to make, and the refusals are said in the order movers are chosen.
        let refused = |i: &usize| self.refused.get(*i).is_some_and(Option::is_some);
        if to_move > 0 && candidates.iter().all(refused) {
            return match first_leaving {
                Some(k) => Ok(self.planned[k].clone()),
                None => Err(NoFix::CannotMove(self.refusals_in_order(candidates))),
            };
        }
        // Taken out while plans are made (they need the planner), put back below.
        let mut movers = std::mem::take(&mut self.movers);
        movers.refill(self.instances, candidates);
        let mut moves: Vec<Fix> = Vec::new();
        let mut refusals: Vec<Refusal> = Vec::new();
        while moves.len() < to_move {
            let Some((mover, why)) = movers.take() else {
                break;
            };
            // The reasons earlier candidates could not move are said only in a fix made.
            let why = || match refusals.is_empty() {
                true => why.to_string(),
                false => format!("{why} ({})", Refusals(&refusals)),
            };
            match self.plan(mover, why) {
                Ok(fix) => moves.push(fix),
                Err(why) => {
                    if refusals.is_empty() {
                        // Most findings of a crowded host end with every candidate refused:
                        // their list is made at its length, not grown to it.
                        refusals.reserve_exact(candidates.len());
                    }
                    refusals.push(Refusal {
                        gateway: self.shared_name(mover),
                        why,
                    })
                }
            }
        }
        self.movers = movers;
        match moves.len() {
            0 => match first_leaving {
                Some(k) => Ok(self.planned[k].clone()),
                None => Err(NoFix::CannotMove(refusals.into_boxed_slice())),
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

    /// Why each of `refused` (every one refused since the last move planned) cannot move, in
    /// the order [`Movers`] hands them out: a pair (most findings) ordered by one comparison.
    fn refusals_in_order(&mut self, refused: &[usize]) -> Box<[Refusal]> {
        let instances = self.instances;
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        match *refused {
            [a, b] => {
                let first = allocate::first_of_two(instances, a, b);
                order.extend([first, if first == a { b } else { a }]);
            }
            _ => {
                self.movers.refill(instances, refused);
                order.extend(std::iter::from_fn(|| self.movers.take()).map(|(i, _)| i));
            }
        }
        let refusals = order
            .iter()
            .map(|&i| Refusal {
                gateway: self.shared_name(i),
                why: self.refused[i].clone().expect("refused"),
            })
            .collect();
        self.order = order;
        refusals
    }

    /// The thread's shared name of the gateway at `i`, looked up once per gateway: a finding
    /// on one port names every gateway, and each may be refused for many findings.
    fn shared_name(&mut self, i: usize) -> Name {
        let instances = self.instances;
        let names = self
            .shared_names
            .get_or_insert_with(|| vec![None; instances.len()]);
        names[i]
            .get_or_insert_with(|| crate::diagnostic::shared_name(&instances[i].name))
            .clone()
    }

    /// The move of the gateway at `mover`, or why it cannot move (known already when it was
    /// refused since the last move planned).
    fn plan(&mut self, mover: usize, why: impl FnOnce() -> String) -> Result<Fix, Text> {
        if self.refused.is_empty() {
            self.refused = vec![None; self.instances.len()];
        }
        if let Some(refused) = &self.refused[mover] {
            return Err(refused.clone());
        }
        let planned = self.plan_anew(mover, why);
        match &planned {
            Ok(_) => {
                for i in self.refused_now.drain(..) {
                    self.refused[i] = None;
                }
            }
            Err(why) => {
                self.refused[mover] = Some(why.clone());
                self.refused_now.push(mover);
            }
        }
        planned
    }

    fn plan_anew(&mut self, mover: usize, why: impl FnOnce() -> String) -> Result<Fix, Text> {
        let (instances, sources) = (self.instances, self.sources);
        let instance = &instances[mover];
        let pins = pins(instance, sources)?;
        self.shared_with_others(mover, &pins)?;
        let suggestion = self.round().suggest(mover).ok_or(Text::Static(
            "no base port on the host has its whole footprint free",
        ))?;
        let to = suggestion.port;
        let mut edits: Vec<Edit> = pins
            .iter()
            .map(|p| Edit {
                file: p.loc.file,
                span: p.loc.span,
                replacement: to.to_string(),
            })
            .collect();
        let mut places: Vec<String> = pins.iter().map(|p| p.describe(sources)).collect();
        places.dedup();
        let (url_edits, url_places, left) = self.follow_urls(mover, to);
        edits.extend(url_edits);
        places.extend(url_places);
        if pins.iter().all(|p| !p.what.starts_with("gateway.port"))
            && matches!(
                instance.port_kind,
                PortKind::ProfileHash | PortKind::Default
            )
        {
            // Nothing pins it: pin the new port in the config.
            let edit = super::fixers::pin_port_edit(instance, to, sources).ok_or(Text::Static(
                "nothing pins its port and its config has no place clawlint can add gateway.port to",
            ))?;
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
                return Err(Text::Static("the edit would touch a secret"));
            }
        }
        let fix = Fix {
            applicability: Applicability::Unsafe,
            description: format!(
                "move \"{}\" from base port {} to {} ({}): {}; {}{}",
                instance.name,
                instance.port.value,
                to,
                places.join(", "),
                why(),
                allocate::explain(&suggestion),
                left.iter().map(|l| format!("; {l}")).collect::<String>()
            ),
            edits,
        };
        self.round().moving(mover, to);
        self.planned_at[mover] = Some(self.planned.len());
        self.planned.push(fix.clone());
        Ok(fix)
    }

    /// The loopback URLs that name a port of `mover`'s footprint and follow it to the base
    /// `to` (the edits, and what each is), and those left naming a port a gateway that stays
    /// holds (what to say of each).
    fn follow_urls(&mut self, mover: usize, to: u16) -> (Vec<Edit>, Vec<String>, Vec<String>) {
        let (instances, sources) = (self.instances, self.sources);
        let urls = self
            .urls
            .get_or_insert_with(|| super::urls::index(instances));
        let from = instances[mover].port.value;
        let old = crate::ports::layout::footprint(from);
        let (mut edits, mut places, mut left) = (Vec::new(), Vec::new(), Vec::new());
        for url in urls
            .range(old.start as u16..=old.end as u16)
            .flat_map(|(_, u)| u)
        {
            let new = u32::from(url.port) - old.start + u32::from(to);
            let Ok(new) = u16::try_from(new) else {
                continue;
            };
            let file = crate::paths::display_path(&sources.file(url.loc.file).path);
            let own = url.readers == [mover];
            // The first gateway (in order) that stays and holds the port.
            let holder = (!own)
                .then(|| {
                    // Built when a URL first needs it: a host with no loopback URL in a
                    // moving footprint never pays for an index of every gateway's ports.
                    let holders = self.holders.get_or_insert_with(|| Holders::new(instances));
                    holders.of(url.port).iter().copied().find(|&j| {
                        work::add(1);
                        j != mover && self.planned_at[j].is_none()
                    })
                })
                .flatten()
                .map(|j| &instances[j]);
            if let Some(holder) = holder {
                let note = format!(
                    "{} in {file} still names {}, where \"{}\" stays: change it if it meant \"{}\"",
                    url.key, url.port, holder.name, instances[mover].name
                );
                // Said once: URLs under one key path (an array's items) read alike.
                if !left.contains(&note) {
                    left.push(note);
                }
                continue;
            }
            edits.push(Edit {
                file: url.loc.file,
                span: url.loc.span,
                replacement: new.to_string(),
            });
            let place = format!("{} in {file}", url.key);
            if !places.contains(&place) {
                places.push(place);
            }
        }
        (edits, places, left)
    }

    /// An edit in a file that also sets another gateway's port would move that one too: the
    /// first such gateway (in the order of `instances`) and the first pin in its files.
    fn shared_with_others(&mut self, mover: usize, pins: &[Pin]) -> Result<(), String> {
        let instances = self.instances;
        let setters = self.setters.get_or_insert_with(|| setters(instances));
        let others = |file: FileId| -> Option<usize> {
            work::add(1);
            let &(first, second) = setters.get(&file)?;
            [Some(first), second]
                .into_iter()
                .flatten()
                .find(|&j| j != mover)
        };
        let Some(other) = pins.iter().filter_map(|p| others(p.loc.file)).min() else {
            return Ok(());
        };
        let pin = pins
            .iter()
            .find(|p| {
                setters
                    .get(&p.loc.file)
                    .is_some_and(|&(first, second)| first == other || second == Some(other))
            })
            .expect("the pin that names the other gateway");
        Err(format!(
            "{} also sets the port of \"{}\"",
            crate::paths::display_path(&self.sources.file(pin.loc.file).path),
            instances[other].name
        ))
    }

    /// The gateways named by the finding whose base-port move would end it, in `candidates`
    /// (cleared first); and how many gateways the finding names.
    fn candidates(&mut self, f: &Finding, candidates: &mut Vec<usize>) -> usize {
        candidates.clear();
        let mut names = 0;
        for name in f.named_instances() {
            names += 1;
            candidates.extend(self.index_of(name));
        }
        retain_candidates(
            f,
            self.instances,
            candidates,
            &mut self.moving_ports,
            &mut self.cdp_scratch,
        );
        names
    }
}

/// Each file, and the first two gateways (in order) whose port is set in it: the effective
/// port's place, the config's `gateway.port`, `OPENCLAW_GATEWAY_PORT`, the units that start it.
/// Two are enough: the first gateway other than a mover in a file is one of its first two, and
/// so is the first such gateway of any of the mover's files in every file that names it.
fn setters(instances: &[Instance]) -> HashMap<FileId, (usize, Option<usize>)> {
    let mut setters: HashMap<FileId, (usize, Option<usize>)> = HashMap::default();
    for (j, other) in instances.iter().enumerate() {
        let services = other
            .service
            .as_deref()
            .into_iter()
            .chain(&other.other_services);
        let theirs = other
            .port
            .origin
            .loc()
            .into_iter()
            .chain(other.config_port.as_ref().and_then(|c| c.origin.loc()))
            .chain(
                other
                    .env
                    .get("OPENCLAW_GATEWAY_PORT")
                    .and_then(|var| var.origin.loc()),
            )
            .chain(services.map(|s| s.loc));
        for loc in theirs {
            work::add(1);
            let (first, second) = setters.entry(loc.file).or_insert((j, None));
            if *first != j && second.is_none() {
                *second = Some(j);
            }
        }
    }
    setters
}

/// Which gateways of a finding have a listener on each port: the first, and whether another
/// does too. "Does a gateway other than `i` listen on `port`" in constant time.
/// The gateways listening on the host that hold each port a loopback URL names: the port is
/// in the footprint of its base port, or one of its listeners is on it. Built once per run
/// (bases sorted, listeners by port), and each port's holders once, in the order of the
/// gateways, when first asked: a URL costs its port's holders, not a scan of every gateway.
struct Holders {
    /// (base port, gateway) of every gateway listening on the host, sorted.
    bases: Vec<(u32, usize)>,
    /// The gateways with a listener on each port, in order.
    listeners: HashMap<u16, Vec<usize>>,
    /// Each port asked for: its holders, in order.
    by_port: HashMap<u16, Vec<usize>>,
}

impl Holders {
    fn new(instances: &[Instance]) -> Holders {
        let mut bases = Vec::new();
        let mut listeners: HashMap<u16, Vec<usize>> = HashMap::default();
        for (j, g) in instances.iter().enumerate() {
            if !g.listens_on_host() {
                continue;
            }
            work::add(1);
            bases.push((u32::from(g.port.value), j));
            for l in &g.listeners {
                work::add(1);
                let on = listeners.entry(l.port).or_default();
                if on.last() != Some(&j) {
                    on.push(j);
                }
            }
        }
        bases.sort_unstable();
        Holders {
            bases,
            listeners,
            by_port: HashMap::default(),
        }
    }

    /// The gateways that hold `port`, in order.
    fn of(&mut self, port: u16) -> &[usize] {
        let (bases, listeners) = (&self.bases, &self.listeners);
        self.by_port.entry(port).or_insert_with(|| {
            let p = u32::from(port);
            // A footprint holds `p` when its base is at most FOOTPRINT - 1 below it.
            let low = p.saturating_sub(crate::ports::layout::FOOTPRINT - 1);
            let first = bases.partition_point(|&(base, _)| base < low);
            let mut holders: Vec<usize> = bases[first..]
                .iter()
                .take_while(|&&(base, _)| base <= p)
                .filter(|&&(base, _)| {
                    work::add(1);
                    crate::ports::layout::footprint(base as u16).contains(p)
                })
                .map(|&(_, j)| j)
                .collect();
            holders.extend(listeners.get(&port).into_iter().flatten().copied());
            holders.sort_unstable();
            holders.dedup();
            holders
        })
    }
}

/// Which gateways have a listener on each port: (port, gateway) sorted, so that "does a
/// gateway other than `i` listen on `port`" is asked of the first and last on that port.
/// Made for every finding it serves (a few gateways' listeners): a sort, not a hash map.
pub(crate) struct PortOwners(Vec<(u16, usize)>);

impl PortOwners {
    pub(crate) fn of<'l>(
        listeners: impl IntoIterator<Item = (usize, &'l crate::resolve::Listener)>,
    ) -> PortOwners {
        let mut owners: Vec<(u16, usize)> = listeners
            .into_iter()
            .map(|(j, l)| {
                work::add(1);
                (l.port, j)
            })
            .collect();
        owners.sort_unstable();
        PortOwners(owners)
    }

    pub(crate) fn other_than(&self, i: usize, port: u16) -> bool {
        let owners = &self.0;
        let first = owners.partition_point(|&(p, _)| p < port);
        let end = owners.partition_point(|&(p, _)| p <= port);
        first < end && (owners[first].1 != i || owners[end - 1].1 != i)
    }
}

/// The ports of each gateway's listeners that move with its base port (its gateway port, and
/// what is computed from that port), in the order of its listeners, found the first time a
/// finding asks: telling whether a listener is computed from the base port compares two
/// origins through all they were computed from, and on a crowded host thousands of findings
/// ask for the same gateways.
#[derive(Default)]
struct MovingPorts {
    /// For each gateway, once found, where its ports are in `ports`.
    at: Vec<Option<(u32, u32)>>,
    ports: Vec<u16>,
}

impl MovingPorts {
    fn of(&mut self, instances: &[Instance], i: usize) -> &[u16] {
        if self.at.is_empty() {
            self.at = vec![None; instances.len()];
        }
        let (start, end) = *self.at[i].get_or_insert_with(|| {
            let instance = &instances[i];
            let start = self.ports.len() as u32;
            self.ports.extend(
                instance
                    .listeners
                    .iter()
                    .filter(|l| match &l.origin {
                        _ if l.kind == ListenerKind::Gateway => true,
                        Origin::Derived(derived) => *derived.base == instance.port.origin,
                        _ => false,
                    })
                    .map(|l| l.port),
            );
            (start, self.ports.len() as u32)
        });
        &self.ports[start as usize..end as usize]
    }
}

/// Of the gateways at `named` (the finding's, in its order), those whose base-port move
/// would end it are kept.
fn retain_candidates(
    f: &Finding,
    instances: &[Instance],
    named: &mut Vec<usize>,
    moving_ports: &mut MovingPorts,
    scratch: &mut [Vec<u16>; 3],
) {
    // A container in its own network namespace moves by what it publishes (CL108's business),
    // not by its base port.
    named.retain(|&i| instances[i].starts() && instances[i].listens_on_host());
    if f.rule == catalog::LISTENER_COLLISION {
        let listeners = |i: usize| instances[i].listeners.iter().map(move |l| (i, l));
        let owners = PortOwners::of(named.iter().flat_map(|&i| listeners(i)));
        named.retain(|&i| {
            moving_ports.of(instances, i).iter().any(|&port| {
                work::add(1);
                owners.other_than(i, port)
            })
        });
    } else if f.rule == catalog::PORT_IN_CDP_RANGE {
        match **named {
            [a, b] => retain_cdp_pair(instances, named, moving_ports, [a, b]),
            _ => retain_cdp_movers(instances, named, moving_ports, scratch),
        }
    }
}

/// CL103's candidates among two gateways (most findings): what [`retain_cdp_movers`] counts,
/// said of two. A gateway owns a range another's moving port is in, or intrudes with a moving
/// port into the other's range, exactly when one of the two has a moving port in the other's
/// range: both stay, or neither (no lists to sort and search for two gateways).
fn retain_cdp_pair(
    instances: &[Instance],
    named: &mut Vec<usize>,
    moving_ports: &mut MovingPorts,
    [a, b]: [usize; 2],
) {
    let mut moves_into = |mover: usize, owner: usize| {
        work::add(instances[mover].listeners.len() as u64 + 1);
        let Some(range) = cdp_range(instances, owner) else {
            return false;
        };
        moving_ports
            .of(instances, mover)
            .iter()
            .any(|&port| range.contains(port))
    };
    if !moves_into(b, a) && !moves_into(a, b) {
        named.clear();
    }
}

/// A gateway's live CDP range, when it has one that holds a port.
fn cdp_range(instances: &[Instance], i: usize) -> Option<crate::resolve::model::PortRange> {
    instances[i]
        .live_browser()
        .map(|b| b.cdp_range)
        .filter(|r| r.start <= r.end)
}

/// CL103's candidates among any number of gateways: each kept whose range another's moving
/// port is in (its range moves with its base), or that has a moving port in another's range.
fn retain_cdp_movers(
    instances: &[Instance],
    named: &mut Vec<usize>,
    moving_ports: &mut MovingPorts,
    scratch: &mut [Vec<u16>; 3],
) {
    // The listeners that move with their base, by port; the CDP ranges, by start and end.
    let [moving, starts, ends] = scratch;
    for list in [&mut *moving, &mut *starts, &mut *ends] {
        list.clear();
    }
    for &j in named.iter() {
        moving.extend_from_slice(moving_ports.of(instances, j));
        if let Some(r) = cdp_range(instances, j) {
            starts.push(r.start);
            ends.push(r.end);
        }
        work::add(instances[j].listeners.len() as u64 + 1);
    }
    moving.sort_unstable();
    starts.sort_unstable();
    ends.sort_unstable();
    let in_range = |ports: &[u16], lo: u16, hi: u16| {
        ports.partition_point(|&p| p <= hi) - ports.partition_point(|&p| p < lo)
    };
    // How many ranges hold `port`: those that start at or below it and end at or above it.
    let ranges_at =
        |port: u16| starts.partition_point(|&s| s <= port) - ends.partition_point(|&e| e < port);
    named.retain(|&i| {
        work::add(instances[i].listeners.len() as u64 + 1);
        let own_range = cdp_range(instances, i);
        let mine = moving_ports.of(instances, i);
        // The owner's range moves with its base; an intruder that is pinned (a
        // `cdpPort`) stays put whatever moves, and its help says to move the pin.
        let owns_range = own_range.is_some_and(|r| {
            let own = mine.iter().filter(|&&port| r.contains(port)).count();
            in_range(moving, r.start, r.end) > own
        });
        let intrudes = mine.iter().any(|&port| {
            let own = usize::from(own_range.is_some_and(|r| r.contains(port)));
            ranges_at(port) > own
        });
        owns_range || intrudes
    });
}

#[cfg(test)]
mod tests {
    use crate::engine::{self, Settings};
    use crate::ports::allocate::work;
    use crate::rules::testing::{gateway, host, Host};

    /// The allocator's and planner's work for every fix of `check` on `host`, per gateway.
    fn work_per_gateway(host: &Host) -> f64 {
        let mut findings = engine::run(&host.ctx(), &Settings::default());
        let before = work::done();
        super::super::fixers::attach(&mut findings, &host.instances, &host.sources);
        let fixes = findings.iter().filter(|r| r.finding.fix.is_some()).count();
        assert!(fixes > 0, "nothing to fix");
        (work::done() - before) as f64 / host.instances.len() as f64
    }

    /// Every gateway on one base port with a browser profile pinned at one CDP port: one
    /// collision of all of them, every listener colliding, every range overlapping. Past
    /// about 420 gateways no base port is left for the rest.
    fn one_port(n: usize) -> Host {
        host((0..n).map(|i| {
            gateway(&format!("g{i:05}"))
                .port(18789)
                .set("browser.profiles.work.cdpPort", "18850")
        }))
    }

    /// Gateways 6 ports apart, as an overfull host ends up: every footprint overlaps ~18 others.
    fn packed(n: usize) -> Host {
        host((0..n).map(|i| gateway(&format!("p{i:05}")).port(20000 + 6 * i as u16)))
    }

    /// CL103's path for two gateways keeps what the general count keeps: every ordered pair
    /// of gateways with browsers near each other, some with a pinned cdpPort.
    #[test]
    fn a_pair_keeps_the_candidates_the_general_count_keeps() {
        let mut rng = crate::xorshift::Rng(11);
        let h = host((0..60).map(|i| {
            let g = gateway(&format!("c{i:03}")).port(19000 + rng.below(400) as u16);
            match rng.below(3) {
                0 => g.set(
                    "browser.profiles.work.cdpPort",
                    &(19000 + rng.below(500)).to_string(),
                ),
                _ => g,
            }
        }));
        let ranges = (0..h.instances.len())
            .filter(|&i| super::cdp_range(&h.instances, i).is_some())
            .count();
        assert!(ranges > 30, "{ranges} gateways with a CDP range");
        let (mut kept, mut cleared) = (0, 0);
        let mut moving = super::MovingPorts::default();
        let mut scratch = Default::default();
        for a in 0..h.instances.len() {
            for b in (0..h.instances.len()).filter(|&b| b != a) {
                let mut pair = vec![a, b];
                super::retain_cdp_pair(&h.instances, &mut pair, &mut moving, [a, b]);
                let mut general = vec![a, b];
                super::retain_cdp_movers(&h.instances, &mut general, &mut moving, &mut scratch);
                assert_eq!(pair, general, "{a} {b}");
                match pair.is_empty() {
                    true => cleared += 1,
                    false => kept += 1,
                }
            }
        }
        assert!(
            kept > 100 && cleared > 100,
            "{kept} kept, {cleared} cleared"
        );
    }

    fn assert_linear(layout: fn(usize) -> Host, name: &str) {
        let small = work_per_gateway(&layout(200));
        let large = work_per_gateway(&layout(800));
        assert!(
            large <= small * 1.25,
            "{name}: the fixes cost {small:.0} steps per gateway at 200 gateways, {large:.0} at 800"
        );
    }

    /// Gateways in pairs, each pair sharing a workspace, an agent dir and a sandbox container,
    /// each gateway with a loopback cdpUrl of its own: many small findings of one or two
    /// gateways each.
    fn pairs(n: usize) -> Host {
        host((0..n).map(|i| {
            let pair = i / 2;
            gateway(&format!("p{i:05}"))
                .port(20000 + 6 * i as u16)
                .workspace(&format!("~/pair{pair}/workspace"))
                .set(
                    "agents.entries.main.agentDir",
                    &format!("\"~/pair{pair}/agent\""),
                )
                .set("agents.defaults.sandbox.mode", "\"all\"")
                .set("agents.defaults.sandbox.scope", "\"shared\"")
                .set(
                    "agents.defaults.sandbox.docker.containerPrefix",
                    &format!("\"pair{pair}-sbx-\""),
                )
                .set(
                    "browser.profiles.mine.cdpUrl",
                    &format!("\"http://127.0.0.1:{}\"", 40000 + i),
                )
        }))
    }

    /// The fixes of the pairs' CL203/CL207/CL407/CL602 findings cost their own gateways: what
    /// they ask of every other gateway is built once (a pass over every gateway per finding
    /// was quadratic).
    #[test]
    fn small_findings_of_pairs_are_fixed_in_linear_work() {
        use crate::catalog::{
            LOOPBACK_CDP_WITHOUT_ATTACH_ONLY, SHARED_AGENT_DIR, SHARED_SANDBOX_CONTAINER,
            SHARED_WORKSPACE,
        };
        let rules = [
            SHARED_WORKSPACE,
            SHARED_AGENT_DIR,
            SHARED_SANDBOX_CONTAINER,
            LOOPBACK_CDP_WITHOUT_ATTACH_ONLY,
        ];
        let per_gateway = |n: usize| {
            let host = pairs(n);
            let mut findings = engine::run(&host.ctx(), &Settings::default());
            findings.retain(|r| rules.contains(r.finding.rule));
            for rule in rules {
                let found = findings.iter().filter(|r| *r.finding.rule == rule).count();
                assert!(found >= n / 2, "{}: {found} findings", rule.code);
            }
            let before = work::done();
            super::super::fixers::attach(&mut findings, &host.instances, &host.sources);
            let fixed = findings.iter().filter(|r| r.finding.fix.is_some()).count();
            assert!(fixed >= n, "{fixed} fixes");
            (work::done() - before) as f64 / n as f64
        };
        let (small, large) = (per_gateway(100), per_gateway(400));
        assert!(
            large <= small * 1.25,
            "the fixes cost {small:.1} steps per gateway at 100 gateways, {large:.1} at 400"
        );
    }

    #[test]
    fn loopback_urls_follow_a_move_unless_a_gateway_that_stays_holds_their_port() {
        // rescue's footprint 18850..18960 overlaps default's 18789..18899: rescue moves. Its
        // own cdpUrl follows it; c's remote URL at 18950 (only rescue held it) follows it too;
        // default's URL at 18860 names a port default itself holds: left, and said.
        let host = host([
            gateway("default")
                .no_profile()
                .port(18789)
                .set("gateway.remote.url", "\"ws://127.0.0.1:18860\""),
            gateway("rescue")
                .port(18850)
                .set("browser.profiles.mine.cdpUrl", "\"http://127.0.0.1:18870\"")
                .set("browser.profiles.mine.attachOnly", "true"),
            gateway("c")
                .port(30000)
                .set("gateway.remote.url", "\"ws://localhost:18950/x\""),
        ]);
        let mut findings = engine::run(&host.ctx(), &Settings::default());
        super::super::fixers::attach(&mut findings, &host.instances, &host.sources);
        let fix = findings
            .iter()
            .filter_map(|r| r.finding.fix.as_ref())
            .find(|f| f.description.starts_with("move \"rescue\""))
            .expect("a move of rescue");
        let to: u16 = fix.description["move \"rescue\" from base port 18850 to ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let texts: Vec<String> = fix
            .edits
            .iter()
            .map(|e| {
                let text = &host.sources.file(e.file).text;
                super::super::apply(text, std::slice::from_ref(e))
            })
            .collect();
        let all = texts.join("\n");
        assert!(
            all.contains(&format!("http://127.0.0.1:{}", to + 20)),
            "{all}"
        );
        assert!(
            all.contains(&format!("ws://localhost:{}/x", to + 100)),
            "{all}"
        );
        assert!(!all.contains("ws://127.0.0.1:18860"), "{all}");
        assert!(
            fix.description.contains("gateway.remote.url in ")
                && fix
                    .description
                    .contains("still names 18860, where \"default\" stays"),
            "{}",
            fix.description
        );
    }

    #[test]
    fn planning_moves_is_linear_when_all_gateways_share_one_port() {
        assert_linear(one_port, "one port");
    }

    #[test]
    fn planning_moves_is_linear_when_every_footprint_overlaps() {
        assert_linear(packed, "packed");
    }

    /// Packed gateways, each with a loopback URL 100 ports above its base: a port of its own
    /// footprint that about 17 other gateways hold too, the first of them an earlier one.
    fn packed_with_urls(n: usize) -> Host {
        host((0..n).map(|i| {
            let base = 20000 + 6 * i as u16;
            gateway(&format!("u{i:05}")).port(base).set(
                "gateway.remote.url",
                &format!("\"ws://127.0.0.1:{}\"", base + 100),
            )
        }))
    }

    /// Whether another gateway holds a URL's port is asked of an index of the holders, not
    /// by scanning every gateway for each URL.
    #[test]
    fn following_urls_is_linear_when_their_ports_are_held_by_others() {
        assert_linear(packed_with_urls, "packed with URLs");
    }
}
