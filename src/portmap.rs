//! `clawlint ports`: the port map of every gateway. Each listener with its owner and the
//! arithmetic behind it, each gateway's reserved ranges, and where they meet: ports bound
//! twice, listeners inside another gateway's range, footprints that overlap. As a table, as
//! JSON, and as a picture (`--format svg=PATH`, drawn by `report::svg`).

use crate::cli::PortsArgs;
use crate::commands::{failure, load, write_output, Failure, EXIT_OK, EXIT_USAGE};
use crate::load::env::EnvOrigin;
use crate::paths::display_home_relative;
use crate::resolve::{Instance, ListenerKind, Origin};
use crate::rules::ports::FOOTPRINT;
use crate::source::{Loc, SourceMap};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

/// An inclusive range of ports. `u32` so that `base + 110` never wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn contains(&self, port: u32) -> bool {
        self.start <= port && port <= self.end
    }

    pub fn len(&self) -> u32 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }

    pub fn text(&self) -> String {
        format!("{}..{}", self.start, self.end)
    }
}

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
    /// What it meets on other gateways, in words; empty when nothing.
    pub conflicts: Vec<String>,
}

/// One gateway: its lane in the picture.
#[derive(Debug, Clone)]
pub struct Lane {
    pub name: String,
    pub base: u16,
    /// How the base port was chosen (`config`, `profile-hash`, ...).
    pub port_kind: &'static str,
    pub footprint: Span,
    pub cdp: Option<Span>,
    /// Sorted by port.
    pub marks: Vec<Mark>,
    /// Parts of this gateway's reserved ranges that another gateway's reserved ranges
    /// overlap, merged and sorted.
    pub overlapped: Vec<Span>,
}

impl Lane {
    /// The ranges this gateway reserves: the footprint, and the CDP range when it lies
    /// outside it.
    pub fn reserved(&self) -> Vec<(RangeKind, Span)> {
        let mut out = vec![(RangeKind::Footprint, self.footprint)];
        if let Some(cdp) = self.cdp {
            if !(self.footprint.contains(cdp.start) && self.footprint.contains(cdp.end)) {
                out.push((RangeKind::Cdp, cdp));
            }
        }
        out
    }

    /// The most precise name for the reserved range holding `port`.
    fn range_at(&self, port: u32) -> Option<(RangeKind, Span)> {
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
    pub span: Span,
}

/// Two gateways' reserved ranges that overlap.
#[derive(Debug, Clone)]
pub struct Overlap {
    pub a: (usize, RangeKind, Span),
    pub b: (usize, RangeKind, Span),
    pub shared: Span,
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

/// A gateway's footprint: `[B, B+110]`, cut at 65535.
pub fn footprint(base: u16) -> Span {
    let start = u32::from(base);
    Span {
        start,
        end: (start + FOOTPRINT - 1).min(65535),
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
        .map(|b| Span {
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
        })
        .collect();
    marks.sort_by(|a, b| (a.port, a.kind).cmp(&(b.port, b.kind)));
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
    let path = display_home_relative(&sources.file(loc.file).path, &instance.home);
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
    let mut ranges: Vec<(Span, usize, RangeKind)> = lanes
        .iter()
        .enumerate()
        .flat_map(|(l, lane)| lane.reserved().into_iter().map(move |(k, s)| (s, l, k)))
        .collect();
    ranges.sort_unstable();
    let mut open: Vec<(Span, usize, RangeKind)> = Vec::new();
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
                shared: Span {
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
    for i in intrusions {
        let collides = notes
            .iter()
            .any(|(l, m, other, _)| (*l, *m, *other) == (i.lane, i.mark, i.into));
        if !collides {
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
        lanes[l].marks[m].conflicts.push(what);
    }
    let mut parts: Vec<Vec<Span>> = vec![Vec::new(); lanes.len()];
    for o in overlaps {
        parts[o.a.0].push(o.shared);
        parts[o.b.0].push(o.shared);
    }
    for (lane, mut spans) in lanes.iter_mut().zip(parts) {
        spans.sort_unstable();
        let mut merged: Vec<Span> = Vec::new();
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

/// The overlaps in words, exact collisions first.
pub fn overlap_lines(map: &PortMap) -> Vec<String> {
    let mut out = Vec::new();
    for c in &map.collisions {
        let parties: Vec<String> = c.parties.iter().map(|p| map.owned(*p)).collect();
        out.push(format!(
            "port {} is bound by more than one gateway: {}",
            c.port,
            parties.join(" and ")
        ));
    }
    for i in &map.intrusions {
        let port = map.lanes[i.lane].marks[i.mark].port;
        let collides = map.collisions.iter().any(|c| {
            c.port == port
                && c.parties.contains(&(i.lane, i.mark))
                && c.parties.iter().any(|(l, _)| *l == i.into)
        });
        if !collides {
            out.push(format!(
                "port {port}: {} lies inside {}'s {} {}",
                map.owned((i.lane, i.mark)),
                map.lanes[i.into].name,
                i.range.describe(),
                i.span.text()
            ));
        }
    }
    for o in &map.overlaps {
        out.push(format!(
            "{} {} {} and {} {} {} share {} ({})",
            map.lanes[o.a.0].name,
            o.a.1.describe(),
            o.a.2.text(),
            map.lanes[o.b.0].name,
            o.b.1.describe(),
            o.b.2.text(),
            o.shared.text(),
            plural(o.shared.len() as usize, "port")
        ));
    }
    out
}

pub fn render_human(map: &PortMap) -> String {
    let mut out = String::new();
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
            match mark.conflicts.is_empty() {
                true => String::new(),
                false => format!("! {}", mark.conflicts.join("; ")),
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

    let lines = overlap_lines(map);
    if lines.is_empty() {
        out.push_str(
            "\nNo overlaps: every gateway's ranges and listeners are clear of the others'.\n",
        );
    } else {
        out.push_str("\nOverlaps:\n");
        for line in &lines {
            let _ = writeln!(out, "  {line}");
        }
        let inside = lines.len() - map.collisions.len() - map.overlaps.len();
        let inside = match inside {
            1 => "1 listener inside another gateway's range".to_string(),
            n => format!("{n} listeners inside other gateways' ranges"),
        };
        let _ = writeln!(
            out,
            "\n{}, {inside}, {}",
            plural(map.collisions.len(), "shared port"),
            plural(map.overlaps.len(), "range overlap")
        );
    }
    out
}

fn span_json(span: Span) -> Value {
    json!([span.start, span.end])
}

pub fn render_json(map: &PortMap) -> String {
    let gateways: Vec<Value> = map
        .lanes
        .iter()
        .map(|lane| {
            let listeners: Vec<Value> = lane
                .marks
                .iter()
                .map(|m| {
                    json!({"port": m.port, "kind": m.kind.id(), "detail": m.detail,
                        "listener": m.listener, "from": m.from, "conflicts": m.conflicts})
                })
                .collect();
            json!({
                "name": lane.name,
                "basePort": lane.base,
                "portKind": lane.port_kind,
                "footprint": span_json(lane.footprint),
                "cdpRange": lane.cdp.map(span_json),
                "listeners": listeners,
                "overlapped": lane.overlapped.iter().map(|s| span_json(*s)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let party = |at: (usize, usize)| {
        let mark = map.mark(at);
        json!({"gateway": map.lanes[at.0].name, "kind": mark.kind.id(), "listener": mark.listener})
    };
    let collisions: Vec<Value> = map
        .collisions
        .iter()
        .map(|c| json!({"port": c.port, "parties": c.parties.iter().map(|p| party(*p)).collect::<Vec<_>>()}))
        .collect();
    let intrusions: Vec<Value> = map
        .intrusions
        .iter()
        .map(|i| {
            let mark = &map.lanes[i.lane].marks[i.mark];
            json!({"port": mark.port, "gateway": map.lanes[i.lane].name, "kind": mark.kind.id(),
                "listener": mark.listener, "into": map.lanes[i.into].name, "range": i.range.id(),
                "rangePorts": span_json(i.span)})
        })
        .collect();
    let range = |(lane, kind, span): (usize, RangeKind, Span)| json!({"gateway": map.lanes[lane].name, "range": kind.id(), "ports": span_json(span)});
    let overlaps: Vec<Value> = map
        .overlaps
        .iter()
        .map(|o| json!({"ranges": [range(o.a), range(o.b)], "shared": span_json(o.shared), "count": o.shared.len()}))
        .collect();
    let value = json!({
        "version": crate::report::json::SCHEMA_VERSION,
        "gateways": gateways,
        "collisions": collisions,
        "intrusions": intrusions,
        "overlaps": overlaps,
        "summary": {
            "gateways": map.lanes.len(),
            "listeners": map.lanes.iter().map(|l| l.marks.len()).sum::<usize>(),
            "collisions": map.collisions.len(),
            "intrusions": map.intrusions.len(),
            "overlaps": map.overlaps.len(),
        },
    });
    let mut text = serde_json::to_string_pretty(&value).expect("serializable");
    text.push('\n');
    text
}

const FORMATS: &[&str] = &["human", "json", "svg"];

fn output_specs(raw: &[String]) -> Result<Vec<(String, Option<PathBuf>)>, Failure> {
    raw.iter()
        .map(|spec| {
            let (format, path) = match spec.split_once('=') {
                Some((f, p)) => (f, Some(PathBuf::from(p))),
                None => (spec.as_str(), None),
            };
            if !FORMATS.contains(&format) {
                return Err(failure(
                    EXIT_USAGE,
                    format!(
                        "unknown format {format:?} for ports (expected one of {})",
                        FORMATS.join(", ")
                    ),
                ));
            }
            Ok((format.to_string(), path))
        })
        .collect()
}

/// Read-only: prints (or writes where told) the map; the exit code is 0 whatever it shows,
/// since `clawlint check` is the gate.
pub fn command(args: &PortsArgs) -> Result<u8, Failure> {
    let outputs = output_specs(&args.format)?;
    let (inventory, _, _) = load(&args.input)?;
    let map = build(&inventory.instances, &inventory.sources);
    for (format, path) in &outputs {
        let text = match format.as_str() {
            "json" => render_json(&map),
            "svg" => crate::report::svg::render(&map),
            _ => render_human(&map),
        };
        write_output(path.as_deref(), &text)?;
    }
    Ok(EXIT_OK)
}
