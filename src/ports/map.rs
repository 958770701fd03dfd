//! `clawlint ports`: the port map of every gateway. Each listener with its owner and the
//! arithmetic behind it, each gateway's reserved ranges, and where they meet: ports bound
//! twice, listeners inside another gateway's range, footprints that overlap. As a table, as
//! JSON, and as a picture (`--format svg=PATH`, drawn by `ports::svg`).

use super::layout::{footprint, PortSpan, FOOTPRINT};
use crate::load::env::EnvOrigin;
use crate::paths::display_home_relative;
use crate::resolve::{Instance, ListenerKind, Origin};
use crate::source::{Loc, SourceMap};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write as _;

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
}

impl Lane {
    /// The ranges this gateway reserves: the footprint, and the CDP range when it lies
    /// outside it.
    pub fn reserved(&self) -> Vec<(RangeKind, PortSpan)> {
        let mut out = vec![(RangeKind::Footprint, self.footprint)];
        if let Some(cdp) = self.cdp {
            if !(self.footprint.contains(cdp.start) && self.footprint.contains(cdp.end)) {
                out.push((RangeKind::Cdp, cdp));
            }
        }
        out
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

/// A port bound by more than one gateway: `(lane, mark)` for each party.
#[derive(Debug, Clone)]
pub struct Collision {
    pub port: u16,
    pub parties: Vec<(usize, usize)>,
}

/// A listener of one gateway inside a reserved range of another.
#[derive(Debug, Clone)]
pub struct Intrusion {
    pub lane: usize,
    pub mark: usize,
    pub into: usize,
    pub range: RangeKind,
    pub span: PortSpan,
}

/// Two gateways' reserved ranges that overlap.
#[derive(Debug, Clone)]
pub struct Overlap {
    pub a: (usize, RangeKind, PortSpan),
    pub b: (usize, RangeKind, PortSpan),
    pub shared: PortSpan,
}

/// Every gateway's ports and where they meet. Lanes are sorted by base port, then name.
#[derive(Debug, Clone)]
pub struct PortMap {
    pub lanes: Vec<Lane>,
    pub collisions: Vec<Collision>,
    pub intrusions: Vec<Intrusion>,
    pub overlaps: Vec<Overlap>,
}

impl PortMap {
    pub fn is_clean(&self) -> bool {
        self.collisions.is_empty() && self.intrusions.is_empty() && self.overlaps.is_empty()
    }

    fn mark(&self, (lane, mark): (usize, usize)) -> &Mark {
        &self.lanes[lane].marks[mark]
    }

    /// `rescue's browser control port`.
    pub fn owned(&self, at: (usize, usize)) -> String {
        format!("{}'s {}", self.lanes[at.0].name, self.mark(at).listener)
    }
}

/// Builds the map. Sorting and sweeping, never all pairs, except within a group of ranges
/// that really overlap.
pub fn build(instances: &[Instance], sources: &SourceMap) -> PortMap {
    let mut lanes: Vec<Lane> = instances.iter().map(|i| lane(i, sources)).collect();
    lanes.sort_by(|a, b| a.base.cmp(&b.base).then_with(|| a.name.cmp(&b.name)));
    let collisions = collisions(&lanes);
    let intrusions = intrusions(&lanes);
    let overlaps = overlaps(&lanes);
    annotate(&mut lanes, &collisions, &intrusions, &overlaps);
    PortMap {
        lanes,
        collisions,
        intrusions,
        overlaps,
    }
}

fn lane(instance: &Instance, sources: &SourceMap) -> Lane {
    let cdp = instance
        .browser
        .as_ref()
        .filter(|b| b.enabled && b.error.is_none())
        .map(|b| PortSpan {
            start: u32::from(b.cdp_range.start),
            end: u32::from(b.cdp_range.end),
        });
    let mut marks: Vec<Mark> = instance
        .listeners
        .iter()
        .map(|l| Mark {
            port: l.port,
            kind: l.kind,
            detail: l.detail.clone(),
            listener: l.describe(),
            from: origin_text(&l.origin, instance, sources),
            conflicts: Vec::new(),
            more_conflicts: 0,
        })
        .collect();
    marks.sort_by_key(|a| (a.port, a.kind));
    Lane {
        name: instance.name.clone(),
        base: instance.port.value,
        port_kind: instance.port_kind.id(),
        footprint: footprint(instance.port.value),
        cdp,
        marks,
        overlapped: Vec::new(),
    }
}

fn place(loc: Loc, instance: &Instance, sources: &SourceMap) -> String {
    let (line, _) = sources.line_col(loc.file, loc.span.start);
    let path = display_home_relative(&sources.file(loc.file).path, &instance.os_home);
    format!("{path}:{line}")
}

/// Where a port came from, short enough for a table column.
pub fn origin_text(origin: &Origin, instance: &Instance, sources: &SourceMap) -> String {
    match origin {
        Origin::Derived { formula, .. } => formula.clone(),
        Origin::Config(loc) => place(*loc, instance, sources),
        Origin::Substituted { loc, var, .. } => {
            format!("${{{var}}} at {}", place(*loc, instance, sources))
        }
        Origin::Env { var, set_by } => {
            let by = match set_by {
                EnvOrigin::Given => "the environment".to_string(),
                EnvOrigin::ProfileFlag { flag } => flag.clone(),
                EnvOrigin::DotEnv(loc) | EnvOrigin::Service(loc) => place(*loc, instance, sources),
                EnvOrigin::ConfigEnv(loc) => {
                    format!("env.vars at {}", place(*loc, instance, sources))
                }
            };
            format!("{var} from {by}")
        }
        Origin::Cli { arg, loc } => match loc {
            Some(loc) => format!("{arg} at {}", place(*loc, instance, sources)),
            None => arg.clone(),
        },
        Origin::Default(reason) => reason.clone(),
    }
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

fn collisions(lanes: &[Lane]) -> Vec<Collision> {
    let marks = all_marks(lanes);
    let mut out = Vec::new();
    for group in marks.chunk_by(|a, b| a.0 == b.0) {
        if group.iter().any(|(_, lane, _)| *lane != group[0].1) {
            out.push(Collision {
                port: group[0].0,
                parties: group.iter().map(|(_, l, m)| (*l, *m)).collect(),
            });
        }
    }
    out
}

/// For each reserved range, the other gateways' listeners inside it (binary search on the
/// sorted listeners). A listener inside a gateway's CDP range is named by that range.
fn intrusions(lanes: &[Lane]) -> Vec<Intrusion> {
    let marks = all_marks(lanes);
    let mut out = Vec::new();
    for (owner, lane) in lanes.iter().enumerate() {
        for (_, span) in lane.reserved() {
            let first = marks.partition_point(|(p, _, _)| u32::from(*p) < span.start);
            for &(port, l, m) in marks[first..]
                .iter()
                .take_while(|(p, _, _)| u32::from(*p) <= span.end)
            {
                if l == owner {
                    continue;
                }
                let (range, span) = lane.range_at(u32::from(port)).expect("inside a range");
                out.push(Intrusion {
                    lane: l,
                    mark: m,
                    into: owner,
                    range,
                    span,
                });
            }
        }
    }
    out.sort_by_key(|i| (lanes[i.lane].marks[i.mark].port, i.lane, i.mark, i.into));
    out.dedup_by_key(|i| (i.lane, i.mark, i.into));
    out
}

/// Pairs of reserved ranges of different gateways that overlap: a sweep over the ranges
/// sorted by start, keeping those still open.
fn overlaps(lanes: &[Lane]) -> Vec<Overlap> {
    let mut ranges: Vec<(PortSpan, usize, RangeKind)> = lanes
        .iter()
        .enumerate()
        .flat_map(|(l, lane)| lane.reserved().into_iter().map(move |(k, s)| (s, l, k)))
        .collect();
    ranges.sort_unstable();
    let mut open: Vec<(PortSpan, usize, RangeKind)> = Vec::new();
    let mut out = Vec::new();
    for (span, lane, kind) in ranges {
        open.retain(|(s, _, _)| s.end >= span.start);
        for (other, other_lane, other_kind) in &open {
            if *other_lane == lane {
                continue;
            }
            out.push(Overlap {
                a: (*other_lane, *other_kind, *other),
                b: (lane, kind, span),
                shared: PortSpan {
                    start: span.start,
                    end: span.end.min(other.end),
                },
            });
        }
        open.push((span, lane, kind));
    }
    out
}

/// Writes what each listener meets onto it, and the overlapped parts onto each lane.
fn annotate(
    lanes: &mut [Lane],
    collisions: &[Collision],
    intrusions: &[Intrusion],
    overlaps: &[Overlap],
) {
    let mut notes: Vec<(usize, usize, usize, String)> = Vec::new();
    for collision in collisions {
        for &(l, m) in &collision.parties {
            for &(ol, om) in &collision.parties {
                if ol != l {
                    let what =
                        format!("also {}'s {}", lanes[ol].name, lanes[ol].marks[om].listener);
                    notes.push((l, m, ol, what));
                }
            }
        }
    }
    let colliding: HashSet<(usize, usize, usize)> = notes
        .iter()
        .map(|(l, m, other, _)| (*l, *m, *other))
        .collect();
    for i in intrusions {
        if !colliding.contains(&(i.lane, i.mark, i.into)) {
            let what = format!(
                "inside {}'s {} {}",
                lanes[i.into].name,
                i.range.describe(),
                i.span.text()
            );
            notes.push((i.lane, i.mark, i.into, what));
        }
    }
    for (l, m, _, what) in notes {
        let mark = &mut lanes[l].marks[m];
        match mark.conflicts.len() < NOTED {
            true => mark.conflicts.push(what),
            false => mark.more_conflicts += 1,
        }
    }
    let mut parts: Vec<Vec<PortSpan>> = vec![Vec::new(); lanes.len()];
    for o in overlaps {
        parts[o.a.0].push(o.shared);
        parts[o.b.0].push(o.shared);
    }
    for (lane, mut spans) in lanes.iter_mut().zip(parts) {
        spans.sort_unstable();
        let mut merged: Vec<PortSpan> = Vec::new();
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.start <= last.end + 1 => last.end = last.end.max(span.end),
                _ => merged.push(span),
            }
        }
        lane.overlapped = merged;
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Left-aligned columns, two spaces apart; the last column is not padded.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `(lane, mark, other lane)` for each listener that shares its port with another gateway.
fn colliding(map: &PortMap) -> HashSet<(usize, usize, usize)> {
    let mut out = HashSet::new();
    for c in &map.collisions {
        for &(l, m) in &c.parties {
            for &(other, _) in &c.parties {
                if other != l {
                    out.insert((l, m, other));
                }
            }
        }
    }
    out
}

/// How the gateways meet, in counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub shared_ports: usize,
    /// Listeners inside another gateway's range, other than exact collisions with it.
    pub inside: usize,
    pub overlaps: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.shared_ports + self.inside + self.overlaps
    }
}

/// The intrusions that are not also an exact collision with the same gateway.
fn plain_intrusions<'a>(map: &'a PortMap) -> impl Iterator<Item = &'a Intrusion> + 'a {
    let colliding = colliding(map);
    map.intrusions
        .iter()
        .filter(move |i| !colliding.contains(&(i.lane, i.mark, i.into)))
}

pub fn counts(map: &PortMap) -> Counts {
    Counts {
        shared_ports: map.collisions.len(),
        inside: plain_intrusions(map).count(),
        overlaps: map.overlaps.len(),
    }
}

/// The first `limit` ways the gateways meet, in words: exact collisions, then listeners
/// inside another gateway's range (unless they collide with that gateway exactly), then
/// overlapping ranges.
pub fn overlap_lines(map: &PortMap, limit: usize) -> Vec<String> {
    let collisions = map.collisions.iter().map(|c| {
        let parties: Vec<String> = c.parties.iter().map(|p| map.owned(*p)).collect();
        format!(
            "port {} is bound by more than one gateway: {}",
            c.port,
            parties.join(" and ")
        )
    });
    let inside = plain_intrusions(map).map(|i| {
        format!(
            "port {}: {} lies inside {}'s {} {}",
            map.mark((i.lane, i.mark)).port,
            map.owned((i.lane, i.mark)),
            map.lanes[i.into].name,
            i.range.describe(),
            i.span.text()
        )
    });
    let overlaps = map.overlaps.iter().map(|o| {
        format!(
            "{} {} {} and {} {} {} share {} ({})",
            map.lanes[o.a.0].name,
            o.a.1.describe(),
            o.a.2.text(),
            map.lanes[o.b.0].name,
            o.b.1.describe(),
            o.b.2.text(),
            o.shared.text(),
            plural(o.shared.len() as usize, "port")
        )
    });
    collisions
        .chain(inside)
        .chain(overlaps)
        .take(limit)
        .collect()
}

pub fn render_human(map: &PortMap) -> String {
    let mut out = String::new();
    if map.lanes.is_empty() {
        out.push_str("Port map: no gateways found.\n");
        return out;
    }
    let listeners: usize = map.lanes.iter().map(|l| l.marks.len()).sum();
    let _ = writeln!(
        out,
        "Port map: {}, {}\n",
        plural(map.lanes.len(), "gateway"),
        plural(listeners, "listener")
    );
    let mut rows = vec![vec![
        "PORT".to_string(),
        "GATEWAY".to_string(),
        "LISTENER".to_string(),
        "FROM".to_string(),
        "CONFLICT".to_string(),
    ]];
    for (port, l, m) in all_marks(&map.lanes) {
        let mark = &map.lanes[l].marks[m];
        rows.push(vec![
            port.to_string(),
            map.lanes[l].name.clone(),
            mark.listener.clone(),
            mark.from.clone(),
            match mark.collides() {
                true => format!("! {}", mark.conflict_text()),
                false => String::new(),
            },
        ]);
    }
    out.push_str(&table(&rows));

    let _ = writeln!(
        out,
        "\nReserved ranges (each gateway reserves base .. base + {}):\n",
        FOOTPRINT - 1
    );
    let mut rows = vec![vec![
        "GATEWAY".to_string(),
        "BASE".to_string(),
        "FOOTPRINT".to_string(),
        "CDP RANGE".to_string(),
        "PORT FROM".to_string(),
    ]];
    for lane in &map.lanes {
        rows.push(vec![
            lane.name.clone(),
            lane.base.to_string(),
            lane.footprint.text(),
            lane.cdp.map_or("-".to_string(), |c| c.text()),
            lane.port_kind.to_string(),
        ]);
    }
    out.push_str(&table(&rows));

    let counts = counts(map);
    if counts.total() == 0 {
        out.push_str(
            "\nNo overlaps: every gateway's ranges and listeners are clear of the others'.\n",
        );
    } else {
        out.push_str("\nOverlaps:\n");
        for line in overlap_lines(map, LISTED) {
            let _ = writeln!(out, "  {line}");
        }
        if counts.total() > LISTED {
            let _ = writeln!(
                out,
                "  ... and {} more (`--format json` lists every one)",
                counts.total() - LISTED
            );
        }
        let inside = match counts.inside {
            1 => "1 listener inside another gateway's range".to_string(),
            n => format!("{n} listeners inside other gateways' ranges"),
        };
        let _ = writeln!(
            out,
            "\n{}, {inside}, {}",
            plural(counts.shared_ports, "shared port"),
            plural(counts.overlaps, "range overlap")
        );
    }
    out
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
    footprint: [u32; 2],
    cdp_range: Option<[u32; 2]>,
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
struct CollisionJson<'a> {
    port: u16,
    parties: Vec<PartyJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IntrusionJson<'a> {
    port: u16,
    gateway: &'a str,
    kind: &'static str,
    listener: &'a str,
    into: &'a str,
    range: &'static str,
    range_ports: [u32; 2],
}

#[derive(Serialize)]
struct RangeJson<'a> {
    gateway: &'a str,
    range: &'static str,
    ports: [u32; 2],
}

#[derive(Serialize)]
struct OverlapJson<'a> {
    ranges: [RangeJson<'a>; 2],
    shared: [u32; 2],
    count: u32,
}

#[derive(Serialize)]
struct SummaryJson {
    gateways: usize,
    listeners: usize,
    collisions: usize,
    intrusions: usize,
    overlaps: usize,
}

/// The whole map, serialised item by item (a layout of thousands of crowded gateways has
/// millions of intrusions: no tree of JSON values is built for them).
struct MapJson<'a>(&'a PortMap);

fn pair(span: PortSpan) -> [u32; 2] {
    [span.start, span.end]
}

impl Serialize for MapJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let map = self.0;
        let party = |(lane, mark): (usize, usize)| {
            let m = map.mark((lane, mark));
            PartyJson {
                gateway: &map.lanes[lane].name,
                kind: m.kind.id(),
                listener: &m.listener,
            }
        };
        let range = |(lane, kind, span): (usize, RangeKind, PortSpan)| RangeJson {
            gateway: &map.lanes[lane].name,
            range: kind.id(),
            ports: pair(span),
        };
        let mut out = serializer.serialize_map(Some(6))?;
        out.serialize_entry("version", &crate::report::json::SCHEMA_VERSION)?;
        out.serialize_entry(
            "gateways",
            &Items(map.lanes.iter().map(|lane| {
                GatewayJson {
                    name: &lane.name,
                    base_port: lane.base,
                    port_kind: lane.port_kind,
                    footprint: pair(lane.footprint),
                    cdp_range: lane.cdp.map(pair),
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
                parties: c.parties.iter().map(|p| party(*p)).collect(),
            })),
        )?;
        out.serialize_entry(
            "intrusions",
            &Items(map.intrusions.iter().map(|i| {
                let m = map.mark((i.lane, i.mark));
                IntrusionJson {
                    port: m.port,
                    gateway: &map.lanes[i.lane].name,
                    kind: m.kind.id(),
                    listener: &m.listener,
                    into: &map.lanes[i.into].name,
                    range: i.range.id(),
                    range_ports: pair(i.span),
                }
            })),
        )?;
        out.serialize_entry(
            "overlaps",
            &Items(map.overlaps.iter().map(|o| OverlapJson {
                ranges: [range(o.a), range(o.b)],
                shared: pair(o.shared),
                count: o.shared.len(),
            })),
        )?;
        out.serialize_entry(
            "summary",
            &SummaryJson {
                gateways: map.lanes.len(),
                listeners: map.lanes.iter().map(|l| l.marks.len()).sum(),
                collisions: map.collisions.len(),
                intrusions: map.intrusions.len(),
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
    serde_json::to_writer_pretty(&mut *out, &MapJson(map))?;
    out.write_all(b"\n")
}

pub fn render_json(map: &PortMap) -> String {
    let mut out = Vec::new();
    write_json(map, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}
