//! `clawlint ports`: the port map of every gateway. Each listener with its owner and the
//! arithmetic behind it, each gateway's reserved ranges, and where they meet: ports bound
//! twice, listeners inside another gateway's range, footprints that overlap. As a table, as
//! JSON, and as a picture (`--format svg=PATH`, drawn by `ports::svg`).

use super::layout::{footprint, PortSpan, FOOTPRINT};
use crate::container::HostAddr;
use crate::load::env::EnvOrigin;
use crate::paths::display_home_relative;
use crate::report::visible::visible;
use crate::resolve::{Instance, ListenerKind, Origin};
use crate::source::{Loc, SourceMap};
use serde::Serialize;
use std::fmt::Write as _;

/// The version of `ports --format json`, on its own (check's report is
/// `report::json::SCHEMA_VERSION`). 2: `intrusions[]` is one entry per port
/// (`{port, listeners, ranges}`) and `overlaps[]` one per group of ranges that overlap in a
/// chain (with `pairs` counted), where version 1 listed every pair.
pub const JSON_VERSION: u32 = 2;

/// Which of a gateway's reserved ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RangeKind {
    /// `[B, B+110]`: gateway, sandbox, browser control, extension relays, CDP range.
    Footprint,
    /// The managed CDP range, when it lies outside the footprint (the 18800..18899 fallback
    /// of a base port above 65425) or as the more precise name for a port inside it.
    Cdp,
}

impl RangeKind {
    pub fn id(self) -> &'static str {
        match self {
            RangeKind::Footprint => "footprint",
            RangeKind::Cdp => "cdp-range",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            RangeKind::Footprint => "footprint",
            RangeKind::Cdp => "CDP range",
        }
    }
}

/// One listener of a gateway.
#[derive(Debug, Clone)]
pub struct Mark {
    pub port: u16,
    pub kind: ListenerKind,
    pub detail: Option<String>,
    /// `browser control port`, `CDP port (browser profile "work")`.
    pub listener: String,
    /// How the port came about: `18789 + 2`, `~/.openclaw/openclaw.json:4`.
    pub from: String,
    /// What it meets on other gateways, in words: the first [`NOTED`]; empty when nothing.
    pub conflicts: Vec<String>,
    /// How many more it meets (the JSON's `collisions` and `intrusions` list them all).
    pub more_conflicts: usize,
    /// The host address it is bound on (a container can publish on one address only).
    pub addr: HostAddr,
}

impl Mark {
    pub fn collides(&self) -> bool {
        !self.conflicts.is_empty()
    }

    /// `also rescue's gateway port; inside ops's CDP range 20011..20110 (and 3 more)`.
    pub fn conflict_text(&self) -> String {
        let mut text = self.conflicts.join("; ");
        if self.more_conflicts > 0 {
            let _ = write!(text, " (and {} more)", self.more_conflicts);
        }
        text
    }
}

/// Overlaps spelled out in the table; the rest are counted.
const LISTED: usize = 200;

/// Conflicts spelled out per listener; the rest are counted.
pub const NOTED: usize = 3;

/// One gateway: its lane in the picture.
#[derive(Debug, Clone)]
pub struct Lane {
    pub name: String,
    /// Its index in the inventory's instances.
    pub instance: usize,
    pub base: u16,
    /// How the base port was chosen (`config`, `profile-hash`, ...).
    pub port_kind: &'static str,
    pub footprint: PortSpan,
    pub cdp: Option<PortSpan>,
    /// Sorted by port.
    pub marks: Vec<Mark>,
    /// Parts of this gateway's reserved ranges that another gateway's reserved ranges
    /// overlap, merged and sorted.
    pub overlapped: Vec<PortSpan>,
    /// For a gateway in a container: the runtime and network, e.g. `compose, own network`.
    /// Such a lane reserves no range on the host: its marks are its published ports (or,
    /// with host networking, its listeners).
    pub container: Option<String>,
    /// A compose service that no command found starting its project starts (`profiles:`),
    /// and why: its lane is drawn, with no mark and no range, since it binds nothing.
    pub not_started: Option<String>,
    /// A container's `ports:` entries left out because clawlint cannot see their values
    /// (CL409): what they publish is not drawn, and not known to be free.
    pub unverified_ports: usize,
}

impl Lane {
    /// The ranges this gateway reserves: the footprint, and the CDP range when it lies
    /// outside it.
    pub fn reserved(&self) -> Vec<(RangeKind, PortSpan)> {
        if !self.reserves() {
            return Vec::new();
        }
        let mut out = vec![(RangeKind::Footprint, self.footprint)];
        if let Some(cdp) = self.cdp {
            if !(self.footprint.contains(cdp.start) && self.footprint.contains(cdp.end)) {
                out.push((RangeKind::Cdp, cdp));
            }
        }
        out
    }

    /// A native gateway, or a container on the host network: its footprint is on the host.
    pub fn reserves(&self) -> bool {
        self.not_started.is_none()
            && self.port_kind != "unverifiable"
            && self
                .container
                .as_deref()
                .is_none_or(|c| c.ends_with("host network"))
    }

    /// The most precise name for the reserved range holding `port`.
    fn range_at(&self, port: u32) -> Option<(RangeKind, PortSpan)> {
        match self.cdp {
            Some(cdp) if cdp.contains(port) => Some((RangeKind::Cdp, cdp)),
            _ if self.footprint.contains(port) => Some((RangeKind::Footprint, self.footprint)),
            _ => None,
        }
    }

    pub fn has_conflicts(&self) -> bool {
        !self.overlapped.is_empty() || self.marks.iter().any(|m| !m.conflicts.is_empty())
    }
}

/// A port bound by more than one gateway: `(lane, mark)` for each party, in lane order.
#[derive(Debug, Clone)]
pub struct Collision {
    pub port: u16,
    pub parties: Vec<(usize, usize)>,
}

/// A port where a listener of one gateway lies inside a reserved range of another: every
/// listener on the port and every gateway's range that holds it (its most precise name), both
/// in lane order. One entry per port, so a crowded host costs one entry per listener and range,
/// never one per pair of them.
#[derive(Debug, Clone)]
pub struct Inside {
    pub port: u16,
    pub marks: Vec<(usize, usize)>,
    /// The lanes whose reserved ranges hold the port. Only the lane is kept (4 bytes, where
    /// the range and its span took 24): on a crowded host each port lies in dozens of ranges,
    /// and these lists were the largest part of the map (realistic 10,000: 952,437 entries).
    owners: Vec<u32>,
}

impl Inside {
    /// Every gateway's range that holds the port, as its most precise name: `(lane, range,
    /// span)`, in lane order.
    pub fn ranges<'m>(
        &'m self,
        lanes: &'m [Lane],
    ) -> impl Iterator<Item = (usize, RangeKind, PortSpan)> + Clone + 'm {
        self.owners.iter().map(move |&owner| {
            let owner = owner as usize;
            let (range, span) = lanes[owner]
                .range_at(u32::from(self.port))
                .expect("inside a range");
            (owner, range, span)
        })
    }

    /// The ranges of gateways with no listener on the port: the listeners lie inside these
    /// without colliding with their owner exactly.
    pub fn plain<'m>(
        &'m self,
        lanes: &'m [Lane],
    ) -> impl Iterator<Item = (usize, RangeKind, PortSpan)> + Clone + 'm {
        self.ranges(lanes).filter(|(owner, _, _)| {
            self.marks
                .binary_search_by_key(owner, |(lane, _)| *lane)
                .is_err()
        })
    }
}

/// Reserved ranges of different gateways that overlap, as one group: ranges that overlap
/// in a chain (a with b, b with c) are one group.
#[derive(Debug, Clone)]
pub struct OverlapGroup {
    /// `(lane, range, span)`, sorted by span.
    pub ranges: Vec<(usize, RangeKind, PortSpan)>,
    /// From the first to the last port that two or more of the gateways reserve.
    pub shared: PortSpan,
    /// How many ports two or more of the gateways reserve.
    pub ports: u32,
    /// How many pairs of these ranges (of different gateways) overlap.
    pub pairs: usize,
}

/// Every listener of every gateway, indexed by port: what the port rules (CL101-CL105) and
/// `clawlint ports` ask of a host. Built once per run by sorting, in O(n log n).
#[derive(Debug, Clone)]
pub struct PortIndex {
    /// Every listener, sorted by (port, instance, listener index).
    pub listeners: Vec<At>,
    /// Runs of `listeners` on one port that two or more gateways bind: the collisions.
    shared: Vec<std::ops::Range<usize>>,
}

/// One listener: `instances[instance].listeners[listener]`, on `port`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct At {
    pub port: u16,
    pub instance: usize,
    pub listener: usize,
}

impl PortIndex {
    pub fn new(instances: &[Instance]) -> Self {
        // A compose service nothing starts binds nothing.
        let launched = || {
            instances
                .iter()
                .enumerate()
                .filter(|(_, inst)| inst.launched())
        };
        // Sized once: a flattened list has no length to size itself by, and grew by doubling.
        let mut listeners: Vec<At> =
            Vec::with_capacity(launched().map(|(_, inst)| inst.listeners.len()).sum());
        listeners.extend(launched().flat_map(|(instance, inst)| {
            inst.listeners
                .iter()
                .enumerate()
                .map(move |(listener, l)| At {
                    port: l.port,
                    instance,
                    listener,
                })
        }));
        let listeners = by_port(listeners);
        let mut shared = Vec::new();
        let mut start = 0;
        for group in listeners.chunk_by(|a, b| a.port == b.port) {
            // Sorted by instance within the port: two gateways iff first and last differ.
            if group[0].instance != group[group.len() - 1].instance {
                shared.push(start..start + group.len());
            }
            start += group.len();
        }
        PortIndex { listeners, shared }
    }

    /// Each port bound by two or more gateways: its listeners, in instance order.
    pub fn collisions(&self) -> impl Iterator<Item = &[At]> + '_ {
        self.shared.iter().map(|r| &self.listeners[r.clone()])
    }

    /// The listeners on ports `start..=end`, sorted.
    pub fn within(&self, start: u32, end: u32) -> &[At] {
        let first = self
            .listeners
            .partition_point(|a| u32::from(a.port) < start);
        let last = self.listeners.partition_point(|a| u32::from(a.port) <= end);
        &self.listeners[first..last.max(first)]
    }

    /// The listeners on ports `start..=end` but those on a port of `skip` (sorted): the first
    /// `limit` of them, and how many there are in all. Whole ports are skipped at a time, so
    /// this costs `limit` plus `skip`, not the listeners in the range.
    pub fn within_except(
        &self,
        start: u32,
        end: u32,
        skip: &[u16],
        limit: usize,
    ) -> (Vec<At>, usize) {
        let all = self.within(start, end);
        // A skipped port's listeners, found among the range's (not all the host's).
        let on = |port: u16| {
            let from = all.partition_point(|a| a.port < port);
            from..from + all[from..].partition_point(|a| a.port == port)
        };
        let mut count = all.len();
        for &p in skip
            .iter()
            .filter(|p| (start..=end).contains(&u32::from(**p)))
        {
            count -= on(p).len();
        }
        let mut first = Vec::with_capacity(limit.min(all.len()));
        let mut i = 0;
        while i < all.len() && first.len() < limit {
            let port = all[i].port;
            if skip.binary_search(&port).is_ok() {
                i = on(port).end;
            } else {
                first.push(all[i]);
                i += 1;
            }
        }
        (first, count)
    }
}

/// `listeners`, listed in (instance, listener) order, sorted (by port, then instance and
/// listener): a stable sort by port alone gives that, and a radix sort does it in two passes
/// of 256 buckets (a comparison sort of 100,000 listeners at 10,000 gateways cost 23M
/// instructions).
fn by_port(listeners: Vec<At>) -> Vec<At> {
    debug_assert!(listeners.is_sorted_by_key(|a| (a.instance, a.listener)));
    let mut from = listeners;
    let mut to = Vec::with_capacity(from.len());
    for shift in [0, 8] {
        let digit = |a: &At| usize::from((a.port >> shift) & 0xff);
        // Where each digit's listeners start in `to`.
        let mut starts = [0usize; 256];
        for a in &from {
            starts[digit(a)] += 1;
        }
        let mut next = 0;
        for start in &mut starts {
            (*start, next) = (next, next + *start);
        }
        to.clear();
        to.resize(
            from.len(),
            At {
                port: 0,
                instance: 0,
                listener: 0,
            },
        );
        for a in &from {
            let at = &mut starts[digit(a)];
            to[*at] = *a;
            *at += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    from
}

/// Pairs of gateways whose base ports are closer than the footprint (and not equal, which is
/// a collision): neighbours in base-port order only, so a crowded host gives one pair per
/// gateway. `keep` says which gateways reserve their footprint on this host.
pub fn close_bases(
    instances: &[Instance],
    keep: impl Fn(&Instance) -> bool,
) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..instances.len())
        .filter(|i| keep(&instances[*i]))
        .collect();
    order.sort_by_key(|i| (instances[*i].port.value, *i));
    order
        .windows(2)
        .filter(|pair| {
            let gap =
                u32::from(instances[pair[1]].port.value) - u32::from(instances[pair[0]].port.value);
            gap != 0 && gap < FOOTPRINT
        })
        .map(|pair| (pair[0], pair[1]))
        .collect()
}

/// Every gateway's ports and where they meet. Lanes are sorted by base port, then name.
#[derive(Debug, Clone)]
pub struct PortMap {
    pub lanes: Vec<Lane>,
    pub collisions: Vec<Collision>,
    pub inside: Vec<Inside>,
    pub overlaps: Vec<OverlapGroup>,
    /// Every reserved range, sorted: `(span, lane, range)`.
    ranges: Vec<(PortSpan, usize, RangeKind)>,
    counts: Counts,
    /// Further supervisors that would start a gateway with another profile or port.
    pub other_starts: Vec<OtherStart>,
}

/// A further supervisor of a gateway that would start it on its own port (a template's
/// instance with `--port %i`). Only the supervisor that takes the state dir's lock first runs
/// the gateway (CL402), so its port is listed, not compared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherStart {
    pub gateway: String,
    pub supervisor: String,
    pub port: u16,
    pub from: String,
}

/// The gateway port each further supervisor of each gateway would start it on.
fn other_starts(instances: &[Instance], sources: &SourceMap) -> Vec<OtherStart> {
    let starts = instances
        .iter()
        .flat_map(|i| i.other_starts.iter().map(move |s| (i, s)));
    starts
        .filter_map(|(gateway, start)| {
            Some(OtherStart {
                gateway: gateway.name.clone(),
                supervisor: start.service.as_ref()?.name.clone(),
                port: start.port.value,
                from: origin_text(&start.port.origin, start, sources),
            })
        })
        .collect()
}

impl PortMap {
    pub fn is_clean(&self) -> bool {
        self.collisions.is_empty() && self.inside.is_empty() && self.overlaps.is_empty()
    }

    fn mark(&self, (lane, mark): (usize, usize)) -> &Mark {
        &self.lanes[lane].marks[mark]
    }

    /// `rescue's browser control port`.
    pub fn owned(&self, at: (usize, usize)) -> String {
        format!("{}'s {}", self.lanes[at.0].name, self.mark(at).listener)
    }
}

/// One past the highest port a range can reach.
const PORTS: usize = 65536;

/// Builds the map: sorting, counting and sweeping, never all pairs. Everything it keeps grows
/// with the listeners and ranges, never with the pairs of them that meet.
pub fn build(instances: &[Instance], sources: &SourceMap) -> PortMap {
    let index = PortIndex::new(instances);
    let mut built: Vec<(Lane, Vec<usize>)> = instances
        .iter()
        .enumerate()
        .map(|(i, inst)| lane(i, inst, sources))
        .collect();
    built.sort_by(|a, b| {
        a.0.base
            .cmp(&b.0.base)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let mut lane_of = vec![0; instances.len()];
    let mut mark_of = Vec::with_capacity(built.len());
    let mut lanes = Vec::with_capacity(built.len());
    for (position, (lane, marks)) in built.into_iter().enumerate() {
        lane_of[lane.instance] = position;
        mark_of.push(marks);
        lanes.push(lane);
    }
    let at = |a: &At| {
        let lane = lane_of[a.instance];
        (lane, mark_of[lane][a.listener])
    };
    let marks = all_marks(&lanes);
    // Ports a container publishes are compared with their host addresses (as CL108 does);
    // every other collision is the index's.
    let published = published_ports(&lanes);
    let mut collisions: Vec<Collision> = index
        .collisions()
        .filter(|group| published.binary_search(&group[0].port).is_err())
        .map(|group| {
            let mut parties: Vec<(usize, usize)> = group.iter().map(at).collect();
            parties.sort_unstable();
            Collision {
                port: group[0].port,
                parties,
            }
        })
        .collect();
    collisions.extend(
        published
            .iter()
            .filter_map(|port| published_collision(&lanes, &marks, *port)),
    );
    collisions.sort_by_key(|c| c.port);
    // Reserved ranges are loopback ports (CDP, relays): a port published on one other
    // address cannot take them.
    let loopback_marks: Vec<(u16, usize, usize)> = marks
        .iter()
        .filter(|(_, l, m)| {
            let addr = &lanes[*l].marks[*m].addr;
            addr.is_loopback() || *addr == HostAddr::Any
        })
        .copied()
        .collect();
    let mut ranges: Vec<(PortSpan, usize, RangeKind)> = lanes
        .iter()
        .enumerate()
        .flat_map(|(l, lane)| lane.reserved().into_iter().map(move |(k, s)| (s, l, k)))
        .collect();
    ranges.sort_unstable();
    let inside = inside(&loopback_marks, &ranges);
    let covered = coverage(&lanes);
    for lane in lanes.iter_mut() {
        lane.overlapped = overlapped(lane, &covered);
    }
    let (overlaps, overlap_pairs) = overlap_groups(&ranges, &covered);
    annotate(&mut lanes, &collisions, &inside);
    let counts = Counts {
        shared_ports: collisions.len(),
        inside: inside
            .iter()
            .map(|e| e.marks.len() * e.plain(&lanes).count())
            .sum(),
        overlaps: overlap_pairs,
    };
    PortMap {
        lanes,
        collisions,
        inside,
        overlaps,
        ranges,
        counts,
        other_starts: other_starts(instances, sources),
    }
}

/// The address a host listener is bound on: every address unless OpenClaw binds it to
/// loopback only; a listener whose own host setting decides counts as loopback (its default).
fn listener_addr(instance: &Instance, listener: &crate::resolve::Listener) -> HostAddr {
    if listener.kind.loopback_only(&instance.gateway_bind) == Some(false) {
        HostAddr::Any
    } else {
        HostAddr::Ip("127.0.0.1".to_string())
    }
}

/// A container in its own network namespace: its published ports are its marks.
fn container_lane(
    index: usize,
    instance: &Instance,
    c: &crate::container::Container,
    sources: &SourceMap,
) -> Lane {
    let mut marks: Vec<Mark> = c
        .published
        .iter()
        .map(|p| Mark {
            port: p.host_port,
            kind: ListenerKind::Published,
            detail: Some(format!(
                "container port {}/{}",
                p.container_port, p.protocol
            )),
            listener: format!(
                "published port ({} -> container {}/{})",
                match &p.host_addr {
                    HostAddr::Any => format!("0.0.0.0:{}", p.host_port),
                    HostAddr::Ip(ip) => format!("{ip}:{}", p.host_port),
                },
                p.container_port,
                p.protocol
            ),
            from: place(p.loc, instance, sources),
            conflicts: Vec::new(),
            more_conflicts: 0,
            addr: p.host_addr.clone(),
        })
        .collect();
    marks.sort_by_key(|a| (a.port, a.kind));
    let base = marks.first().map_or(instance.port.value, |m| m.port);
    Lane {
        name: instance.name.clone(),
        instance: index,
        base,
        port_kind: "published",
        footprint: PortSpan {
            start: u32::from(base),
            end: u32::from(base),
        },
        cdp: None,
        marks,
        overlapped: Vec::new(),
        not_started: None,
        unverified_ports: c
            .unseen_values
            .as_deref()
            .map_or(0, |v| v.entries.iter().filter(|e| e.key == "ports").count()),
        container: Some(format!(
            "{}, {}",
            c.engine.id(),
            match c.network {
                crate::container::Network::Host => "host network".to_string(),
                crate::container::Network::Isolated => "own network".to_string(),
                crate::container::Network::Shared(ref m) => m.clone(),
            }
        )),
    }
}

/// A gateway's lane, and for each of its listeners the index of its mark. A container in its
/// own network namespace has no host listeners: its marks are the ports it publishes.
fn lane(index: usize, instance: &Instance, sources: &SourceMap) -> (Lane, Vec<usize>) {
    if let Some(c) = instance
        .container
        .as_deref()
        .filter(|c| !c.on_host_network() || !c.starts())
    {
        let mut lane = container_lane(index, instance, c, sources);
        // Not started: nothing of it is on the host (its listeners are not in the index).
        if !c.starts() {
            lane.marks.clear();
            lane.not_started = c.refused.clone().or_else(|| {
                (c.profiles.as_ref())
                    .map(|p| format!("compose profile {}: {}", p.list(), p.state.why()))
            });
        }
        return (lane, Vec::new());
    }
    let cdp = super::layout::live_cdp(instance);
    let mut marks: Vec<(usize, Mark)> = instance
        .listeners
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let mark = Mark {
                port: l.port,
                kind: l.kind,
                detail: l.detail.as_ref().map(ToString::to_string),
                listener: l.describe(),
                from: origin_text(&l.origin, instance, sources),
                conflicts: Vec::new(),
                more_conflicts: 0,
                addr: listener_addr(instance, l),
            };
            (n, mark)
        })
        .collect();
    marks.sort_by_key(|(n, a)| (a.port, a.kind, *n));
    let mut mark_of = vec![0; marks.len()];
    for (position, (n, _)) in marks.iter().enumerate() {
        mark_of[*n] = position;
    }
    let lane = Lane {
        name: instance.name.clone(),
        instance: index,
        base: instance.port.value,
        // A base port clawlint cannot know reserves nothing it could show.
        port_kind: if instance.knows(crate::resolve::Unverifiable::Port) {
            instance.port_kind.id()
        } else {
            "unverifiable"
        },
        footprint: footprint(instance.port.value),
        cdp,
        marks: marks.into_iter().map(|(_, m)| m).collect(),
        overlapped: Vec::new(),
        not_started: None,
        unverified_ports: 0,
        container: instance
            .container
            .as_ref()
            .map(|c| format!("{}, host network", c.engine.id())),
    };
    (lane, mark_of)
}

fn place(loc: Loc, instance: &Instance, sources: &SourceMap) -> String {
    let (line, _) = sources.line_col(loc.file, loc.span.start());
    let path = display_home_relative(&sources.file(loc.file).path, &instance.os_home);
    format!("{path}:{line}")
}

/// Where a port came from, short enough for a table column.
pub fn origin_text(origin: &Origin, instance: &Instance, sources: &SourceMap) -> String {
    match origin {
        Origin::Derived(derived) => derived.formula.to_string(),
        Origin::Mounted(mounted) => {
            format!("mounted by {}", place(mounted.mount, instance, sources))
        }
        Origin::Config(loc) => place(*loc, instance, sources),
        Origin::Substituted(s) => {
            format!("${{{}}} at {}", s.var, place(s.loc, instance, sources))
        }
        Origin::Env(env) => {
            let by = match &env.set_by {
                EnvOrigin::Given => "the environment".to_string(),
                EnvOrigin::ProfileFlag { flag } => flag.to_string(),
                EnvOrigin::DotEnv(loc) | EnvOrigin::Service(loc) | EnvOrigin::Container(loc) => {
                    place(*loc, instance, sources)
                }
                EnvOrigin::ContainerVar(set) => place(set.at, instance, sources),
                EnvOrigin::ConfigEnv(loc) => {
                    format!("env.vars at {}", place(*loc, instance, sources))
                }
            };
            format!("{} from {by}", env.var)
        }
        Origin::Cli(cli) => match cli.loc {
            Some(loc) => format!("{} at {}", cli.arg, place(loc, instance, sources)),
            None => cli.arg.clone(),
        },
        Origin::Default(reason) => reason.to_string(),
        Origin::Layout(fact) => match fact.loc {
            Some(loc) => format!("{} at {}", fact.what, place(loc, instance, sources)),
            None => fact.what.clone(),
        },
    }
}

/// The host ports containers publish, sorted and without repeats.
fn published_ports(lanes: &[Lane]) -> Vec<u16> {
    let mut ports: Vec<u16> = lanes
        .iter()
        .flat_map(|lane| lane.marks.iter())
        .filter(|m| m.kind == ListenerKind::Published)
        .map(|m| m.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The parties on a port some container publishes that meet a party of another gateway on an
/// overlapping address (every address overlaps all; two different addresses do not). Linear
/// in the parties: for each address, the first two gateways on it are enough to decide.
fn published_collision(
    lanes: &[Lane],
    marks: &[(u16, usize, usize)],
    port: u16,
) -> Option<Collision> {
    use std::collections::HashMap;
    let first = marks.partition_point(|(p, _, _)| *p < port);
    let on: Vec<(usize, usize)> = marks[first..]
        .iter()
        .take_while(|(p, _, _)| *p == port)
        .map(|(_, l, m)| (*l, *m))
        .collect();
    // The first two distinct lanes seen on all addresses, on `Any`, and on each address.
    fn note(seen: &mut [Option<usize>; 2], lane: usize) {
        match seen {
            [None, _] => seen[0] = Some(lane),
            [Some(a), None] if *a != lane => seen[1] = Some(lane),
            _ => {}
        }
    }
    let other = |seen: &[Option<usize>; 2], lane: usize| seen.iter().flatten().any(|l| *l != lane);
    let mut all = [None, None];
    let mut any = [None, None];
    let mut by_ip: HashMap<&str, [Option<usize>; 2]> = HashMap::new();
    for &(l, m) in &on {
        note(&mut all, l);
        match &lanes[l].marks[m].addr {
            HostAddr::Any => note(&mut any, l),
            HostAddr::Ip(ip) => note(by_ip.entry(ip.as_str()).or_default(), l),
        }
    }
    let parties: Vec<(usize, usize)> = on
        .into_iter()
        .filter(|&(l, m)| match &lanes[l].marks[m].addr {
            HostAddr::Any => other(&all, l),
            HostAddr::Ip(ip) => {
                other(&any, l) || by_ip.get(ip.as_str()).is_some_and(|s| other(s, l))
            }
        })
        .collect();
    (!parties.is_empty()).then_some(Collision { port, parties })
}

/// Every listener of every gateway, as `(port, lane, mark)`, sorted by port.
fn all_marks(lanes: &[Lane]) -> Vec<(u16, usize, usize)> {
    let mut out: Vec<(u16, usize, usize)> = lanes
        .iter()
        .enumerate()
        .flat_map(|(l, lane)| {
            lane.marks
                .iter()
                .enumerate()
                .map(move |(m, mark)| (mark.port, l, m))
        })
        .collect();
    out.sort_unstable();
    out
}

/// The ports where a listener lies inside another gateway's reserved range. Each range is
/// asked only for the ports that have listeners in it (at most its length), so this is
/// linear in the ranges however many gateways share a port.
fn inside(marks: &[(u16, usize, usize)], ranges: &[(PortSpan, usize, RangeKind)]) -> Vec<Inside> {
    let mut ports: Vec<u16> = marks.iter().map(|(p, _, _)| *p).collect();
    ports.dedup();
    // (port, lane): 8 bytes an entry, one per port with a listener in each range.
    let mut held: Vec<(u16, u32)> = Vec::new();
    for (span, lane, _) in ranges {
        let first = ports.partition_point(|p| u32::from(*p) < span.start);
        held.extend(
            ports[first..]
                .iter()
                .take_while(|p| u32::from(**p) <= span.end)
                .map(|p| (*p, *lane as u32)),
        );
    }
    held.sort_unstable();
    held.dedup();
    let mut out = Vec::new();
    for group in held.chunk_by(|a, b| a.0 == b.0) {
        let port = group[0].0;
        let first = marks.partition_point(|(p, _, _)| *p < port);
        let on: Vec<(usize, usize)> = marks[first..]
            .iter()
            .take_while(|(p, _, _)| *p == port)
            .map(|(_, l, m)| (*l, *m))
            .collect();
        let owners = (group[0].1 as usize, group[group.len() - 1].1 as usize);
        // Some listener and some range of different gateways.
        let meet = owners.0 != owners.1 || on.iter().any(|(l, _)| *l != owners.0);
        if !meet {
            continue;
        }
        out.push(Inside {
            port,
            marks: on,
            owners: group.iter().map(|(_, owner)| *owner).collect(),
        });
    }
    out
}

/// For each port, how many gateways reserve it (a gateway whose two ranges overlap counts
/// once).
fn coverage(lanes: &[Lane]) -> Vec<u32> {
    let mut delta = vec![0i64; PORTS + 1];
    for lane in lanes {
        for span in merged(lane.reserved().into_iter().map(|(_, s)| s).collect()) {
            delta[span.start as usize] += 1;
            delta[span.end as usize + 1] -= 1;
        }
    }
    let mut running = 0i64;
    delta[..PORTS]
        .iter()
        .map(|d| {
            running += d;
            running as u32
        })
        .collect()
}

/// Spans sorted and merged where they touch or overlap.
fn merged(mut spans: Vec<PortSpan>) -> Vec<PortSpan> {
    spans.sort_unstable();
    let mut out: Vec<PortSpan> = Vec::new();
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end + 1 => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// The parts of a lane's reserved ranges that another gateway reserves too.
fn overlapped(lane: &Lane, covered: &[u32]) -> Vec<PortSpan> {
    let mut out: Vec<PortSpan> = Vec::new();
    for span in merged(lane.reserved().into_iter().map(|(_, s)| s).collect()) {
        for port in span.start..=span.end {
            if covered[port as usize] < 2 {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.end + 1 == port => last.end = port,
                _ => out.push(PortSpan {
                    start: port,
                    end: port,
                }),
            }
        }
    }
    out
}

/// Groups of overlapping ranges (a sweep over the sorted ranges), and how many pairs of
/// ranges of different gateways overlap, counted with a heap of the open ranges' ends.
fn overlap_groups(
    ranges: &[(PortSpan, usize, RangeKind)],
    covered: &[u32],
) -> (Vec<OverlapGroup>, usize) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut groups = Vec::new();
    let mut total = 0;
    let mut start = 0;
    while start < ranges.len() {
        let mut end_port = ranges[start].0.end;
        let mut stop = start + 1;
        while stop < ranges.len() && ranges[stop].0.start <= end_port {
            end_port = end_port.max(ranges[stop].0.end);
            stop += 1;
        }
        let group = &ranges[start..stop];
        start = stop;
        if group.iter().all(|(_, lane, _)| *lane == group[0].1) {
            continue;
        }
        // Every pair that overlaps, less the pairs of one gateway's own two ranges.
        let mut open: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        let mut pairs = 0;
        for (span, _, _) in group {
            while open.peek().is_some_and(|Reverse(end)| *end < span.start) {
                open.pop();
            }
            pairs += open.len();
            open.push(Reverse(span.end));
        }
        let mut own: Vec<(usize, PortSpan)> = group.iter().map(|(s, l, _)| (*l, *s)).collect();
        own.sort_unstable();
        pairs -= own
            .windows(2)
            .filter(|w| {
                w[0].0 == w[1].0 && w[1].1.start <= w[0].1.end && w[0].1.start <= w[1].1.end
            })
            .count();
        if pairs == 0 {
            continue;
        }
        let first = group[0].0.start;
        let shared_ports: Vec<u32> = (first..=end_port)
            .filter(|p| covered[*p as usize] >= 2)
            .collect();
        let (Some(&lo), Some(&hi)) = (shared_ports.first(), shared_ports.last()) else {
            continue;
        };
        total += pairs;
        groups.push(OverlapGroup {
            ranges: group.iter().map(|(s, l, k)| (*l, *k, *s)).collect(),
            shared: PortSpan { start: lo, end: hi },
            ports: shared_ports.len() as u32,
            pairs,
        });
    }
    (groups, total)
}

/// Writes onto each listener what it meets on other gateways: the first [`NOTED`] in words
/// (the other parties on its port, then the ranges it lies inside), the rest counted. Each
/// port's words are made once, so a port shared by thousands costs thousands, not millions.
fn annotate(lanes: &mut [Lane], collisions: &[Collision], inside: &[Inside]) {
    // Each note is written onto its mark as it is made (collisions first, then ranges, the
    // order a mark lists them in), and only the words that fit are copied: no list of every
    // listener's notes is kept, and a port's words are not copied onto each of its listeners
    // past the NOTED that show.
    fn note(mark: &mut Mark, words: impl ExactSizeIterator<Item = String>, count: usize) {
        let room = NOTED - mark.conflicts.len().min(NOTED);
        let taken = words.len().min(room);
        mark.conflicts.extend(words.take(taken));
        mark.more_conflicts += count - taken;
    }
    for c in collisions {
        for &(lane, mark) in &c.parties {
            // Parties are in lane order: this lane's own run of them is skipped.
            let from = c.parties.partition_point(|(l, _)| *l < lane);
            let to = c.parties.partition_point(|(l, _)| *l <= lane);
            let others = c.parties[..from].iter().chain(&c.parties[to..]);
            let words: Vec<String> = others
                .take(NOTED)
                .map(|(ol, om)| {
                    format!(
                        "also {}'s {}",
                        lanes[*ol].name, lanes[*ol].marks[*om].listener
                    )
                })
                .collect();
            let count = c.parties.len() - (to - from);
            note(&mut lanes[lane].marks[mark], words.into_iter(), count);
        }
    }
    for entry in inside {
        let plain: Vec<(usize, RangeKind, PortSpan)> = entry.plain(lanes).collect();
        if plain.is_empty() {
            continue;
        }
        let words: Vec<String> = plain
            .iter()
            .take(NOTED)
            .map(|(owner, range, span)| {
                format!(
                    "inside {}'s {} {}",
                    lanes[*owner].name,
                    range.describe(),
                    span.text()
                )
            })
            .collect();
        for &(lane, mark) in &entry.marks {
            note(
                &mut lanes[lane].marks[mark],
                words.iter().cloned(),
                plain.len(),
            );
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Left-aligned columns, two spaces apart; the last column is not padded, and a line ends at
/// its last character. `row(i, cells, last)` fills row `i`'s cells (the last one only when
/// `last`): the rows are made twice, once to measure the columns and once to write them, so no
/// table is kept in memory. Cells hold layout text (container and gateway names, file names),
/// so each is shown escaped ([`visible_cells`]), and measured as shown.
fn write_table<const N: usize>(
    out: &mut dyn std::io::Write,
    rows: usize,
    row: impl Fn(usize, &mut [String; N], bool),
) -> std::io::Result<()> {
    let mut cells: [String; N] = std::array::from_fn(|_| String::new());
    let mut widths = [0usize; N];
    for i in 0..rows {
        cells.iter_mut().for_each(String::clear);
        row(i, &mut cells, false);
        visible_cells(&mut cells);
        for (w, cell) in widths.iter_mut().zip(&cells[..N - 1]) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = String::new();
    for i in 0..rows {
        cells.iter_mut().for_each(String::clear);
        row(i, &mut cells, true);
        visible_cells(&mut cells);
        line.clear();
        for (c, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < N {
                let pad = widths[c] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Each cell as it may be shown (`visible`): no name from the layout adds a line, drives the
/// terminal or starts a workflow command. A cell that needs nothing is left as it is.
fn visible_cells(cells: &mut [String]) {
    for cell in cells {
        if let std::borrow::Cow::Owned(shown) = visible(cell) {
            *cell = shown;
        }
    }
}

/// How the gateways meet, in counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub shared_ports: usize,
    /// Listeners inside another gateway's range, other than exact collisions with it (one per
    /// listener and range).
    pub inside: usize,
    /// Pairs of reserved ranges of different gateways that overlap.
    pub overlaps: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.shared_ports + self.inside + self.overlaps
    }
}

pub fn counts(map: &PortMap) -> Counts {
    map.counts
}

/// Parties named in one line before "and N more".
const NAMED: usize = 5;

/// `a, b and c`; past [`NAMED`], the first few and a count.
fn listed(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let shown: Vec<String> = items
        .take(if total > NAMED { NAMED - 1 } else { total })
        .collect();
    match shown.split_last() {
        _ if total > NAMED => format!("{} and {} more", shown.join(", "), total - shown.len()),
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(" and ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The first `limit` ways the gateways meet, in words: exact collisions (a long list of
/// parties shortened to a count), then listeners inside another gateway's range (unless they
/// collide with that gateway exactly), then overlapping ranges. Only the lines returned are
/// made: the cost is the limit, not the pairs.
pub fn overlap_lines(map: &PortMap, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    for c in &map.collisions {
        if out.len() == limit {
            return out;
        }
        out.push(format!(
            "port {} is used by more than one gateway: {}",
            c.port,
            listed(c.parties.iter().map(|p| map.owned(*p)))
        ));
    }
    for entry in &map.inside {
        let plain: Vec<_> = entry.plain(&map.lanes).collect();
        for &at in &entry.marks {
            for (owner, range, span) in &plain {
                if out.len() == limit {
                    return out;
                }
                out.push(format!(
                    "port {}: {} lies inside {}'s {} {}",
                    entry.port,
                    map.owned(at),
                    map.lanes[*owner].name,
                    range.describe(),
                    span.text()
                ));
            }
        }
    }
    // The pairs in the order of a sweep over the sorted ranges. Each open range left after
    // dropping the closed ones makes a line (but a gateway's own other range), so the sweep
    // stops after `limit` lines and a few steps more.
    let mut open: Vec<(PortSpan, usize, RangeKind)> = Vec::new();
    for &(span, lane, kind) in &map.ranges {
        open.retain(|(s, _, _)| s.end >= span.start);
        for (other, other_lane, other_kind) in &open {
            if *other_lane == lane {
                continue;
            }
            if out.len() == limit {
                return out;
            }
            let shared = PortSpan {
                start: span.start,
                end: span.end.min(other.end),
            };
            out.push(format!(
                "{} {} {} and {} {} {} share {} ({})",
                map.lanes[*other_lane].name,
                other_kind.describe(),
                other.text(),
                map.lanes[lane].name,
                kind.describe(),
                span.text(),
                shared.text(),
                plural(shared.len() as usize, "port")
            ));
        }
        open.push((span, lane, kind));
    }
    out
}

/// The table: every listener, every gateway's reserved ranges, and how they meet. Written as
/// it is made: no row is kept.
pub fn write_human(map: &PortMap, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if map.lanes.is_empty() {
        return out.write_all(b"Port map: no gateways found.\n");
    }
    let listeners: usize = map.lanes.iter().map(|l| l.marks.len()).sum();
    writeln!(
        out,
        "Port map: {}, {}\n",
        plural(map.lanes.len(), "gateway"),
        plural(listeners, "listener")
    )?;
    let marks = all_marks(&map.lanes);
    write_table(out, marks.len() + 1, |i, cells: &mut [String; 5], last| {
        let Some(&(port, l, m)) = i.checked_sub(1).map(|i| &marks[i]) else {
            for (cell, title) in cells
                .iter_mut()
                .zip(["PORT", "GATEWAY", "LISTENER", "FROM", "CONFLICT"])
            {
                cell.push_str(title);
            }
            return;
        };
        let mark = &map.lanes[l].marks[m];
        let _ = write!(cells[0], "{port}");
        cells[1].push_str(&map.lanes[l].name);
        cells[2].push_str(&mark.listener);
        cells[3].push_str(&mark.from);
        if last && mark.collides() {
            let _ = write!(cells[4], "! {}", mark.conflict_text());
        }
    })?;

    writeln!(
        out,
        "\nReserved ranges (each gateway reserves base .. base + {}):\n",
        FOOTPRINT - 1
    )?;
    write_table(out, map.lanes.len() + 1, |i, cells: &mut [String; 5], _| {
        let Some(lane) = i.checked_sub(1).map(|i| &map.lanes[i]) else {
            for (cell, title) in
                cells
                    .iter_mut()
                    .zip(["GATEWAY", "BASE", "FOOTPRINT", "CDP RANGE", "PORT FROM"])
            {
                cell.push_str(title);
            }
            return;
        };
        cells[0].push_str(&lane.name);
        cells[4].push_str(lane.port_kind);
        if !lane.reserves() {
            let ports: Vec<String> = lane.marks.iter().map(|m| m.port.to_string()).collect();
            let unverified = match lane.unverified_ports {
                0 => String::new(),
                1 => "; 1 ports: entry unverifiable (CL409)".to_string(),
                n => format!("; {n} ports: entries unverifiable (CL409)"),
            };
            let what = match &lane.not_started {
                Some(why) => format!("not started, {why}"),
                None if ports.is_empty() && unverified.is_empty() => {
                    "publishes nothing".to_string()
                }
                None if ports.is_empty() => format!("publishes nothing known{unverified}"),
                None => format!("publishes {}{unverified}", ports.join(", ")),
            };
            cells[1].push('-');
            let _ = match (&lane.container, &lane.not_started) {
                (Some(container), _) => write!(cells[2], "none on the host ({container}; {what})"),
                (None, Some(why)) => write!(cells[2], "none (not started, {why})"),
                (None, None) => write!(cells[2], "unknown (its port is unverifiable)"),
            };
            cells[3].push('-');
            return;
        }
        let _ = write!(cells[1], "{}", lane.base);
        cells[2].push_str(&lane.footprint.text());
        match lane.cdp {
            Some(c) => cells[3].push_str(&c.text()),
            None => cells[3].push('-'),
        }
    })?;

    let counts = counts(map);
    if counts.total() == 0 {
        out.write_all(
            b"\nNo overlaps: every gateway's ranges and listeners are clear of the others'.\n",
        )?;
        write_other_starts(map, out)?;
        return write_not_compared(map, out);
    }
    out.write_all(b"\nOverlaps:\n")?;
    for line in overlap_lines(map, LISTED) {
        writeln!(out, "  {}", visible(&line))?;
    }
    if counts.total() > LISTED {
        writeln!(
            out,
            "  ... and {} more (`--format json` lists every party)",
            counts.total() - LISTED
        )?;
    }
    let inside = match counts.inside {
        1 => "1 listener inside another gateway's range".to_string(),
        n => format!("{n} listeners inside other gateways' ranges"),
    };
    writeln!(
        out,
        "\n{}, {inside}, {}",
        plural(counts.shared_ports, "shared port"),
        plural(counts.overlaps, "range overlap")
    )?;
    write_other_starts(map, out)?;
    write_not_compared(map, out)
}

/// `Also started by openclaw@19000.service: "18789" on port 19000 (...)`: the port each further
/// supervisor would give a gateway, which only one of them runs at a time (CL402).
fn write_other_starts(map: &PortMap, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if map.other_starts.is_empty() {
        return Ok(());
    }
    let header = "Other supervisors (a gateway runs under one of its supervisors at a time; not compared, CL402):";
    writeln!(out, "\n{header}")?;
    for start in &map.other_starts {
        writeln!(
            out,
            "  {}: \"{}\" on port {} ({}) if it takes the state dir first",
            start.supervisor, start.gateway, start.port, start.from
        )?;
    }
    Ok(())
}

/// `Not compared: the ports of "a" cannot be verified (CL409).`: the gateways whose base port
/// or published ports clawlint cannot know, which the table could not place.
fn write_not_compared(map: &PortMap, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let unknown: Vec<String> = (map.lanes.iter())
        .filter(|l| l.unverified_ports > 0 || l.port_kind == "unverifiable")
        .map(|l| format!("\"{}\"", visible(&l.name)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Not compared: the ports of {} cannot be verified (CL409).",
        crate::diagnostic::listed(unknown.iter().map(String::as_str))
    )
}

/// The table as one string.
pub fn render_human(map: &PortMap) -> String {
    let mut out = Vec::new();
    write_human(map, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListenerJson<'a> {
    port: u16,
    kind: &'static str,
    detail: Option<&'a str>,
    listener: &'a str,
    from: &'a str,
    conflicts: &'a [String],
    more_conflicts: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GatewayJson<'a> {
    name: &'a str,
    base_port: u16,
    port_kind: &'static str,
    /// `null` for a container in its own network namespace (nothing reserved on the host).
    footprint: Option<[u32; 2]>,
    cdp_range: Option<[u32; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    /// A compose service nothing starts: why (it has no listener and no range on the host).
    #[serde(skip_serializing_if = "Option::is_none")]
    not_started: Option<&'a str>,
    /// A container's `ports:` entries whose values clawlint cannot see (CL409).
    #[serde(skip_serializing_if = "is_zero")]
    unverified_port_entries: usize,
    listeners: Vec<ListenerJson<'a>>,
    overlapped: Vec<[u32; 2]>,
}

#[derive(Serialize)]
struct PartyJson<'a> {
    gateway: &'a str,
    kind: &'static str,
    listener: &'a str,
}

#[derive(Serialize)]
struct CollisionJson<P: Serialize> {
    port: u16,
    parties: P,
}

#[derive(Serialize)]
struct RangeJson<'a> {
    gateway: &'a str,
    range: &'static str,
    ports: [u32; 2],
}

#[derive(Serialize)]
struct InsideJson<L: Serialize, R: Serialize> {
    port: u16,
    /// Every listener on the port.
    listeners: L,
    /// Every gateway's reserved range that holds the port.
    ranges: R,
}

#[derive(Serialize)]
struct OverlapJson<R: Serialize> {
    ranges: R,
    shared: [u32; 2],
    count: u32,
    pairs: usize,
}

#[derive(Serialize)]
struct SummaryJson {
    gateways: usize,
    listeners: usize,
    collisions: usize,
    intrusions: usize,
    overlaps: usize,
}

/// The whole map, serialised item by item: no tree of JSON values is built, and every list
/// (the parties on a port, the ranges of a group) is written as it is walked.
struct MapJson<'a>(&'a PortMap);

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn pair(span: PortSpan) -> [u32; 2] {
    [span.start, span.end]
}

impl Serialize for MapJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let map = self.0;
        let party = |&(lane, mark): &(usize, usize)| {
            let m = map.mark((lane, mark));
            PartyJson {
                gateway: &map.lanes[lane].name,
                kind: m.kind.id(),
                listener: &m.listener,
            }
        };
        let range = |&(lane, kind, span): &(usize, RangeKind, PortSpan)| RangeJson {
            gateway: &map.lanes[lane].name,
            range: kind.id(),
            ports: pair(span),
        };
        let mut out = serializer.serialize_map(Some(6))?;
        out.serialize_entry("version", &JSON_VERSION)?;
        out.serialize_entry(
            "gateways",
            &Items(map.lanes.iter().map(|lane| {
                GatewayJson {
                    name: &lane.name,
                    base_port: lane.base,
                    port_kind: lane.port_kind,
                    footprint: lane.reserves().then(|| pair(lane.footprint)),
                    cdp_range: lane.cdp.map(pair),
                    container: lane.container.as_deref(),
                    not_started: lane.not_started.as_deref(),
                    unverified_port_entries: lane.unverified_ports,
                    listeners: lane
                        .marks
                        .iter()
                        .map(|m| ListenerJson {
                            port: m.port,
                            kind: m.kind.id(),
                            detail: m.detail.as_deref(),
                            listener: &m.listener,
                            from: &m.from,
                            conflicts: &m.conflicts,
                            more_conflicts: m.more_conflicts,
                        })
                        .collect(),
                    overlapped: lane.overlapped.iter().map(|s| pair(*s)).collect(),
                }
            })),
        )?;
        out.serialize_entry(
            "collisions",
            &Items(map.collisions.iter().map(|c| CollisionJson {
                port: c.port,
                parties: Items(c.parties.iter().map(party)),
            })),
        )?;
        out.serialize_entry(
            "intrusions",
            &Items(map.inside.iter().map(|e| InsideJson {
                port: e.port,
                listeners: Items(e.marks.iter().map(party)),
                ranges: Items(e.ranges(&map.lanes).map(|r| range(&r))),
            })),
        )?;
        out.serialize_entry(
            "overlaps",
            &Items(map.overlaps.iter().map(|o| OverlapJson {
                ranges: Items(o.ranges.iter().map(range)),
                shared: pair(o.shared),
                count: o.ports,
                pairs: o.pairs,
            })),
        )?;
        // Only a map with further supervisors that start a gateway their own way has the key.
        if !map.other_starts.is_empty() {
            out.serialize_entry("otherStarts", &map.other_starts)?;
        }
        out.serialize_entry(
            "summary",
            &SummaryJson {
                gateways: map.lanes.len(),
                listeners: map.lanes.iter().map(|l| l.marks.len()).sum(),
                collisions: map.collisions.len(),
                intrusions: map.inside.len(),
                overlaps: map.overlaps.len(),
            },
        )?;
        out.end()
    }
}

/// A sequence serialised from an iterator, one item at a time.
struct Items<I>(I);

impl<I, T> Serialize for Items<I>
where
    I: Iterator<Item = T> + Clone,
    T: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

/// `--format json`: writes the map to `out`, pretty-printed, with a final newline.
pub fn write_json(map: &PortMap, out: &mut impl std::io::Write) -> std::io::Result<()> {
    // Buffered here: serde_json writes in pieces of a few bytes, and `out` is often a
    // `dyn Write` (see `report::json::write`).
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut *out);
    // Names from the layout may hold bidirectional controls: written as JSON escapes.
    let formatter = crate::report::visible::GuardedJson(serde_json::ser::PrettyFormatter::new());
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, formatter);
    MapJson(map).serialize(&mut serializer)?;
    std::io::Write::write_all(&mut buffered, b"\n")?;
    std::io::Write::flush(&mut buffered)
}

pub fn render_json(map: &PortMap) -> String {
    let mut out = Vec::new();
    write_json(map, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::{by_port, At};

    /// The radix sort gives the comparison sort's order, for listeners listed as `PortIndex`
    /// lists them (by instance, then listener), on ports from every byte's range.
    #[test]
    fn by_port_is_the_full_sort() {
        let mut rng = crate::xorshift::Rng(0xb0b);
        for round in 0..300 {
            let mut listeners = Vec::new();
            for instance in 0..rng.below(30) as usize {
                for listener in 0..rng.below(6) as usize {
                    // Few ports (collisions), or any port.
                    let port = match round % 3 {
                        0 => 18789 + rng.below(4) as u16,
                        1 => rng.below(3) as u16 * 257,
                        _ => rng.below(65536) as u16,
                    };
                    listeners.push(At {
                        port,
                        instance,
                        listener,
                    });
                }
            }
            let mut expected = listeners.clone();
            expected.sort_unstable();
            assert_eq!(by_port(listeners), expected, "round {round}");
        }
    }
}
