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
    /// Reasons counted but not listed in `ruled_out`, between its first three and its last
    /// four (a long chain is explained by its ends: see [`explain`]).
    pub left_out: usize,
}

/// The lowest base port from 18789 up whose whole footprint `[B, B+110]` is clear of every
/// other gateway's reserved ranges (footprint, a fallback CDP range) and of its listeners
/// outside them (webhooks, hooks, pinned ports), and of the host ports containers publish,
/// leaving out the gateway at `moving`. One sweep over the sorted ranges; each range that
/// pushes the candidate up is a reason.
pub fn suggest(instances: &[Instance], moving: &[usize]) -> Option<Suggestion> {
    // Above 65425 the CDP range would fall back onto the default gateway's 18800..18899.
    first_clear(
        instances,
        taken(instances, moving),
        DEFAULT_GATEWAY_PORT,
        FOOTPRINT,
    )
}

/// [`suggest`]'s port alone: the ranges that rule out lower ports are not put into words.
pub fn suggested_port(instances: &[Instance]) -> Option<u16> {
    // Only the spans count here: they are sorted as numbers, in any order among equal ones.
    let mut spans: Vec<u64> = Vec::new();
    for inst in instances {
        each_range(inst, |span, _| {
            work::add(1);
            spans.push(span_key(span));
        });
    }
    spans.sort_unstable();
    let spans = spans.into_iter().map(|key| {
        let span = PortSpan {
            start: (key >> 32) as u32,
            end: key as u32,
        };
        (span, ())
    });
    clear_from(spans, DEFAULT_GATEWAY_PORT, FOOTPRINT, |_| {})
}

/// A span as one number that sorts as the span does (by start, then end).
fn span_key(span: PortSpan) -> u64 {
    u64::from(span.start) << 32 | u64::from(span.end)
}

/// [`suggest`], with the base ports other gateways are about to move to (`planned`: the
/// gateway and its new base) reserved as whole footprints, so that several moves made in
/// one `--fix` round never land on each other. A planned gateway's old place is free.
///
/// This rebuilds every gateway's ranges on each call: `--fix` asks [`Round`] instead, which
/// builds them once per round and gives the same answers; this stays as the reference the
/// tests compare it with.
#[cfg(test)]
pub(crate) fn suggest_with(
    instances: &[Instance],
    moving: &[usize],
    planned: &[(usize, u16)],
) -> Option<Suggestion> {
    let mut leaving: Vec<usize> = moving.to_vec();
    leaving.extend(planned.iter().map(|(i, _)| *i));
    let mut taken = taken(instances, &leaving);
    for (i, base) in planned {
        if !moving.contains(i) {
            taken.push((footprint(*base), *i, Held::NewFootprint));
        }
    }
    first_clear(instances, taken, DEFAULT_GATEWAY_PORT, FOOTPRINT)
}

/// The host ports a new container gateway could publish on: the lowest `count` consecutive
/// ports from 18789 up that no gateway binds, reserves (a native footprint or CDP range) or
/// publishes. The same sweep as [`suggest`], `count` wide instead of a footprint.
pub fn suggest_published(instances: &[Instance], count: u32) -> Option<Suggestion> {
    first_clear(
        instances,
        taken(instances, &[]),
        DEFAULT_GATEWAY_PORT,
        count.max(1),
    )
}

/// The first host port above `after` that no gateway binds, reserves or publishes and that is
/// not in `also` (ports already suggested elsewhere): where a container that collides on
/// `after` can publish instead. [`FreeHostPorts`] answers the same once per run.
#[cfg(test)]
pub(crate) fn next_free_host_port(instances: &[Instance], after: u16, also: &[u16]) -> Option<u16> {
    let mut taken = taken(instances, &[]);
    taken.extend(also.iter().map(|&p| {
        let span = PortSpan {
            start: u32::from(p),
            end: u32::from(p),
        };
        (span, usize::MAX, Held::Given)
    }));
    let from = after.checked_add(1)?;
    first_clear(instances, taken, from, 1).map(|s| s.port)
}

/// The host ports no gateway binds, reserves or publishes, built once per run so that
/// many help lines can each take the next free port above theirs without rescanning every
/// gateway: a "next free" table with path compression, so each query is near constant.
pub struct FreeHostPorts {
    /// `next[p]` is a port at or above `p` that may be free (65536: none).
    next: Vec<u32>,
}

impl FreeHostPorts {
    pub fn of(instances: &[Instance]) -> FreeHostPorts {
        // How many ranges hold each port does not depend on their order: no list, no sort.
        let mut held = HeldCounts::default();
        for inst in instances {
            each_range(inst, |span, _| {
                work::add(1);
                held.add(span);
            });
        }
        FreeHostPorts::from_held(&held.counts())
    }

    /// From how many ranges hold each port.
    fn from_held(held: &PortCounts) -> FreeHostPorts {
        let next = (0..=65536u32)
            .map(|p| match p < 65536 && held.get(p as usize) > 0 {
                true => p + 1,
                false => p,
            })
            .collect();
        work::add(65536);
        FreeHostPorts { next }
    }

    /// Takes every port of `span`: no later call gives one of them.
    fn take(&mut self, span: PortSpan) {
        for port in span.start..=span.end.min(65535) {
            work::add(1);
            self.next[port as usize] = port + 1;
        }
    }

    fn find(&mut self, port: u32) -> u32 {
        let mut root = port;
        while self.next[root as usize] != root {
            root = self.next[root as usize];
        }
        let mut at = port;
        while self.next[at as usize] != root {
            let up = self.next[at as usize];
            self.next[at as usize] = root;
            at = up;
        }
        root
    }

    /// The first free host port above `after`, which is then taken, so that the next call
    /// never gives it again (the same answer as [`next_free_host_port`] with every earlier
    /// answer in `also`).
    pub fn take_after(&mut self, after: u16) -> Option<u16> {
        let port = self.find(u32::from(after) + 1);
        if port > 65535 {
            return None;
        }
        self.next[port as usize] = port + 1;
        Some(port as u16)
    }
}

/// A gateway moved to base port `base` (leaving out those at `moving`) would have its whole
/// footprint clear of every other gateway's ports and ranges, below 65535. [`Round`] answers
/// the same without going through every gateway.
#[cfg(test)]
pub(crate) fn base_is_clear(instances: &[Instance], moving: &[usize], base: u16) -> bool {
    let own = footprint(base);
    own.end <= 65535
        && !taken(instances, moving)
            .iter()
            .any(|(span, _, _)| span.start <= own.end && own.start <= span.end)
}

/// `port` is bound, reserved or published by a gateway on the host.
pub fn is_taken(instances: &[Instance], port: u16) -> bool {
    taken(instances, &[])
        .iter()
        .any(|(span, _, _)| span.contains(u32::from(port)))
}

/// What a range of host ports a gateway holds is: the explanation's words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Footprint,
    CdpRange,
    Published,
    /// The gateway's listener at this index, outside its footprint and CDP range.
    Listener(usize),
    /// The footprint a gateway is about to move to (`--fix`).
    NewFootprint,
    /// A port an earlier answer gave out, held by no gateway (the tests' reference sweep).
    #[cfg(test)]
    Given,
}

impl Held {
    fn describe(self, instance: Option<&Instance>) -> String {
        match self {
            Held::Footprint => "footprint".to_string(),
            Held::CdpRange => "CDP range".to_string(),
            Held::Published => "published port".to_string(),
            Held::Listener(k) => instance
                .and_then(|i| i.listeners.get(k))
                .map_or_else(String::new, |l| l.describe()),
            Held::NewFootprint => "new footprint".to_string(),
            #[cfg(test)]
            Held::Given => "port given out".to_string(),
        }
    }
}

/// Calls `f` with every range of host ports the gateway holds, in the one order every
/// allocator function uses: a container in its own network namespace holds only the ports it
/// publishes; any other gateway its footprint, its CDP range when that lies outside the
/// footprint, and each listener outside both.
fn each_range(inst: &Instance, mut f: impl FnMut(PortSpan, Held)) {
    let single = |port: u32| PortSpan {
        start: port,
        end: port,
    };
    // A container in its own network namespace takes only the ports it publishes: its
    // footprint and listeners stay inside it.
    if let Some(c) = inst.container.as_ref().filter(|_| !inst.listens_on_host()) {
        for p in &c.published {
            f(single(u32::from(p.host_port)), Held::Published);
        }
        return;
    }
    let own = footprint(inst.port.value);
    f(own, Held::Footprint);
    let cdp = super::layout::live_cdp(inst);
    if let Some(cdp) = cdp.filter(|c| !own.contains(c.start) || !own.contains(c.end)) {
        f(cdp, Held::CdpRange);
    }
    for (k, listener) in inst.listeners.iter().enumerate() {
        let port = u32::from(listener.port);
        if !own.contains(port) && !cdp.is_some_and(|c| c.contains(port)) {
            f(single(port), Held::Listener(k));
        }
    }
}

/// Every range of host ports a gateway (other than those at `moving`) holds, with the gateway
/// and what it is.
fn taken(instances: &[Instance], moving: &[usize]) -> Vec<Taken> {
    let mut taken: Vec<Taken> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        if moving.contains(&i) {
            continue;
        }
        each_range(inst, |span, held| {
            work::add(1);
            taken.push((span, i, held));
        });
    }
    taken
}

/// A range of host ports, the gateway holding it (`usize::MAX` for none) and what it is.
type Taken = (PortSpan, usize, Held);

/// The lowest start from `from` up of `width` ports clear of every range in `taken` (whose
/// owner index is `usize::MAX` for a range no gateway holds), with each range that pushed it
/// up put into words.
fn first_clear(
    instances: &[Instance],
    taken: Vec<Taken>,
    from: u16,
    width: u32,
) -> Option<Suggestion> {
    let mut ruled_out = Vec::new();
    let port = sweep(taken, from, width, |&(span, i, held)| {
        let instance = instances.get(i);
        ruled_out.push(Blocker {
            ports: span,
            gateway: instance.map_or_else(String::new, |g| g.name.clone()),
            what: held.describe(instance),
        })
    })?;
    Some(Suggestion {
        port,
        ruled_out,
        left_out: 0,
    })
}

/// The lowest start from `from` up of `width` ports clear of every range in `taken`; each
/// range that pushes the candidate up is handed to `ruled_out` (in a crowded host, nearly
/// every range: a caller that wants only the port puts none into words).
fn sweep(
    mut taken: Vec<Taken>,
    from: u16,
    width: u32,
    ruled_out: impl FnMut(&Taken),
) -> Option<u16> {
    taken.sort_by_key(|a| (span_key(a.0), a.1));
    clear_from(taken.iter().map(|t| (t.0, t)), from, width, ruled_out)
}

/// [`sweep`] of ranges already sorted by span, each with what is handed to `ruled_out`.
fn clear_from<T>(
    sorted: impl IntoIterator<Item = (PortSpan, T)>,
    from: u16,
    width: u32,
    mut ruled_out: impl FnMut(T),
) -> Option<u16> {
    let mut candidate = u32::from(from);
    for (span, range) in sorted {
        if candidate + width - 1 < span.start {
            break;
        }
        if span.end >= candidate {
            ruled_out(range);
            candidate = span.end + 1;
        }
    }
    (candidate + width - 1 <= 65535).then_some(candidate as u16)
}

/// How much work the allocator and the `--fix` planner did: ranges built, ports and blocks
/// looked at, ranges walked, gateways gone through. Tests assert that it grows linearly with
/// the gateways (nothing is timed); outside tests it counts nothing.
pub mod work {
    #[cfg(test)]
    thread_local! {
        static DONE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Counts `n` steps of work (on this thread).
    #[inline]
    pub fn add(n: u64) {
        #[cfg(test)]
        DONE.with(|d| d.set(d.get() + n));
        #[cfg(not(test))]
        let _ = n;
    }

    /// The steps counted on this thread so far.
    #[cfg(test)]
    pub fn done() -> u64 {
        DONE.with(|d| d.get())
    }
}

/// One range of host ports a gateway holds.
#[derive(Debug, Clone, Copy)]
struct Entry {
    span: PortSpan,
    owner: usize,
    what: Held,
}

/// Every range every gateway holds, in the order [`first_clear`] sweeps them: by span, then
/// gateway, then the order [`each_range`] gives them.
fn ranges(instances: &[Instance]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (owner, inst) in instances.iter().enumerate() {
        each_range(inst, |span, what| {
            work::add(1);
            out.push(Entry { span, owner, what });
        });
    }
    // Pushed gateway by gateway: ordered by span, then by place in that order (as a stable
    // sort by span keeps them), sorted as pairs of numbers (a span's start and end as one) and
    // then gathered: no 32-byte entry is moved while sorting.
    let mut order: Vec<(u64, u32)> = out
        .iter()
        .enumerate()
        .map(|(k, e)| (span_key(e.span), k as u32))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, k)| out[k as usize]).collect()
}

/// How many of `ranges` hold each port (0..=65535).
fn held(ranges: &[Entry]) -> PortCounts {
    let mut held = HeldCounts::default();
    for e in ranges {
        held.add(e.span);
    }
    held.counts()
}

/// How many ranges hold each port, counted as ranges are added in any order: where the count
/// changes, by block (a block without a change keeps the count it starts with). Only the
/// blocks of ports the ranges reach are written: the cost is the ranges and the ports they
/// cover, not 65,536 ports.
struct HeldCounts {
    delta: Vec<Option<Box<[i64; BLOCK]>>>,
}

impl Default for HeldCounts {
    fn default() -> Self {
        HeldCounts {
            delta: vec![None; PORTS / BLOCK],
        }
    }
}

impl HeldCounts {
    fn add(&mut self, span: PortSpan) {
        if span.is_empty() {
            return;
        }
        for (port, d) in [(span.start as usize, 1), (span.end as usize + 1, -1)] {
            if port < PORTS {
                self.delta[port / BLOCK].get_or_insert_with(|| Box::new([0; BLOCK]))
                    [port % BLOCK] += d;
            }
        }
    }

    fn counts(&self) -> PortCounts {
        let mut counts = PortCounts::new(PORTS);
        let mut at = 0i64;
        for (b, delta) in self.delta.iter().enumerate() {
            work::add(1);
            match delta {
                None if at == 0 => {}
                None => {
                    work::add(BLOCK as u64);
                    *counts.block_mut(b) = [at as u32; BLOCK];
                }
                Some(delta) => {
                    work::add(BLOCK as u64);
                    for (n, d) in counts.block_mut(b).iter_mut().zip(delta.iter()) {
                        at += d;
                        *n = at as u32;
                    }
                }
            }
        }
        counts
    }
}

const PORTS: usize = 65536;
const BLOCK: usize = 256;

/// A count for each of `len` indices (host ports, or the nodes of [`Chain`]'s tree), kept by
/// blocks of [`BLOCK`]: a block never written is not stored and reads as zeros, so that a
/// round that touches a few ports does not clear and scan tables of every port.
#[derive(Clone)]
struct PortCounts {
    blocks: Vec<Option<Box<[u32; BLOCK]>>>,
}

const ZEROS: [u32; BLOCK] = [0; BLOCK];

impl PortCounts {
    fn new(len: usize) -> PortCounts {
        PortCounts {
            blocks: vec![None; len.div_ceil(BLOCK)],
        }
    }

    fn get(&self, at: usize) -> u32 {
        self.blocks[at / BLOCK]
            .as_ref()
            .map_or(0, |b| b[at % BLOCK])
    }

    /// The counts of block `b` (zeros when it was never written).
    fn block(&self, b: usize) -> &[u32; BLOCK] {
        self.blocks[b].as_deref().unwrap_or(&ZEROS)
    }

    fn block_mut(&mut self, b: usize) -> &mut [u32; BLOCK] {
        self.blocks[b].get_or_insert_with(|| Box::new(ZEROS))
    }

    fn is_written(&self, b: usize) -> bool {
        self.blocks[b].is_some()
    }

    /// One more (`up`) or one less at `at`.
    fn step(&mut self, at: usize, up: bool) {
        let n = &mut self.block_mut(at / BLOCK)[at % BLOCK];
        *n = if up { *n + 1 } else { *n - 1 };
    }
}

/// The free ports at both ends of a block of [`BLOCK`] ports and the longest free run in it.
#[derive(Debug, Clone, Copy, Default)]
struct Runs {
    head: u16,
    tail: u16,
    longest: u16,
}

/// How many ranges hold each host port, with each block's free [`Runs`], so that the first
/// free window of a width is found by looking at 256 blocks, not 65,536 ports.
struct Occupancy {
    count: PortCounts,
    blocks: Vec<Runs>,
}

/// The runs of a block no range holds.
const FREE: Runs = Runs {
    head: BLOCK as u16,
    tail: BLOCK as u16,
    longest: BLOCK as u16,
};

impl Occupancy {
    fn new(count: PortCounts) -> Occupancy {
        let mut occupancy = Occupancy {
            count,
            blocks: vec![FREE; PORTS / BLOCK],
        };
        for b in 0..PORTS / BLOCK {
            if occupancy.count.is_written(b) {
                occupancy.measure(b);
            }
        }
        occupancy
    }

    fn measure(&mut self, block: usize) {
        work::add(BLOCK as u64);
        let ports = self.count.block(block);
        let head = ports.iter().take_while(|&&n| n == 0).count();
        let tail = ports.iter().rev().take_while(|&&n| n == 0).count();
        let (mut longest, mut run) = (0, 0);
        for &n in ports {
            run = if n == 0 { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        self.blocks[block] = Runs {
            head: head as u16,
            tail: tail as u16,
            longest: longest as u16,
        };
    }

    /// One more (`up`) or one fewer range holds every port of `span`.
    fn change(&mut self, span: PortSpan, up: bool) {
        if span.is_empty() {
            return;
        }
        let end = (span.end as usize).min(PORTS - 1);
        for b in span.start as usize / BLOCK..=end / BLOCK {
            let from = (span.start as usize).max(b * BLOCK) - b * BLOCK;
            let to = end.min(b * BLOCK + BLOCK - 1) - b * BLOCK;
            for n in &mut self.count.block_mut(b)[from..=to] {
                *n = if up { *n + 1 } else { *n - 1 };
            }
        }
        work::add(u64::from(span.len()));
        for block in span.start as usize / BLOCK..=end / BLOCK {
            self.measure(block);
        }
    }

    /// The lowest `p >= from` whose `width` ports `p..p+width` are all free.
    fn first_clear(&self, from: u32, width: u32) -> Option<u32> {
        let width = width.max(1) as usize;
        let (mut run, mut run_start) = (0usize, from as usize);
        let mut p = from as usize;
        while p < PORTS {
            if p.is_multiple_of(BLOCK) {
                work::add(1);
                let runs = self.blocks[p / BLOCK];
                let head = usize::from(runs.head);
                if run + head >= width {
                    return Some(if run == 0 { p } else { run_start } as u32);
                }
                if head == BLOCK {
                    if run == 0 {
                        run_start = p;
                    }
                    run += BLOCK;
                    p += BLOCK;
                    continue;
                }
                if usize::from(runs.longest) < width {
                    run = usize::from(runs.tail);
                    run_start = p + BLOCK - run;
                    p += BLOCK;
                    continue;
                }
                // A free run inside this block is wide enough: find it port by port.
            }
            let end = (p / BLOCK + 1) * BLOCK;
            let count = self.count.block(p / BLOCK);
            while p < end {
                work::add(1);
                if count[p % BLOCK] == 0 {
                    if run == 0 {
                        run_start = p;
                    }
                    run += 1;
                    if run >= width {
                        return Some(run_start as u32);
                    }
                } else {
                    run = 0;
                }
                p += 1;
            }
        }
        None
    }
}

/// The lowest base in `low..=high` whose `width` ports are all `free`. A window is tested
/// from its top down; a port that is not free moves the next window just past it, and the
/// ports already found free above it are not tested again.
fn first_window(low: u32, high: u32, width: u32, free: impl Fn(u32) -> bool) -> Option<u32> {
    let mut base = low;
    // Every port from `base` up to `unknown` (not included) is free.
    let mut unknown = low;
    while base <= high {
        let top = base + width - 1;
        match (unknown.max(base)..=top).rev().find(|&p| !free(p)) {
            None => return Some(base),
            Some(held) => {
                unknown = top + 1;
                base = held + 1;
            }
        }
    }
    None
}

/// One `--fix` planning round's view of the host's ports, built once: every gateway's ranges,
/// how many hold each port (of every gateway: `held`; of the gateways that stay, plus the
/// footprints planned moves go to: `staying`), and the distinct ranges in order with their
/// holders for the explanations, with the sweep's chain of reasons kept from one question to
/// the next. A mover's question looks only around its own ranges (where its leaving can
/// free a base, where it held a link of the chain); a move updates what it changed. So each
/// question costs the ports and ranges near the mover, not the number of gateways, and gets
/// the answer [`suggest`]'s sweep would give (a long chain of reasons is given by its ends
/// and a count: [`Suggestion::left_out`]).
pub struct Round<'a> {
    instances: &'a [Instance],
    /// Every range, in [`first_clear`]'s order.
    ranges: Vec<Entry>,
    /// For each index of `ranges`, one at or after it whose gateway has not moved away
    /// (path-compressed; `ranges.len()`: none).
    alive: Vec<u32>,
    /// The distinct spans of `ranges` in order, each with the index its holders start at.
    keys: Vec<(PortSpan, u32)>,
    /// The indices of each gateway's ranges: `mine[mine_at[i]..mine_at[i + 1]]`.
    mine_at: Vec<u32>,
    mine: Vec<u32>,
    /// The widest range: a range starting this far below a port cannot reach it.
    widest: u32,
    held: PortCounts,
    staying: Occupancy,
    /// The gateways planned to move: their old places are free.
    moved: Vec<bool>,
    /// The footprints planned moves go to, with the gateways going there.
    moved_to: std::collections::BTreeMap<PortSpan, Vec<usize>>,
    /// Single ports given out this round (webhook ports), built when first asked for.
    free: Option<FreeHostPorts>,
    /// The sweep from the default port over the ranges held now (no mover left out). A
    /// mover's query changes it only where the mover held one of its ranges alone, and only
    /// until the sweep meets it again.
    chain: Chain,
    /// The last query: its mover, the chain it found (pieces of `chain` and new links) and
    /// where it ended; a move made from it becomes the new `chain`.
    last: Option<(usize, Vec<Piece>, u32)>,
    /// The first free base with nobody left out, once asked (until the next move).
    first_free: Option<Option<u32>>,
}

/// The ranges that push the sweep's candidate up, in order, by where they end (each ends
/// above the one before), with how many end at or below each port (a Fenwick tree), so that
/// a piece of the chain is counted, cut out or replaced in logarithmic time; and where the
/// sweep ends.
struct Chain {
    links: std::collections::BTreeMap<u32, Link>,
    counts: PortCounts,
    end: u32,
}

impl Chain {
    fn new() -> Chain {
        Chain {
            links: std::collections::BTreeMap::new(),
            counts: PortCounts::new(PORTS + 1),
            end: FROM,
        }
    }

    fn count_at(&mut self, end: u32, up: bool) {
        let mut at = end as usize + 1;
        while at <= PORTS {
            self.counts.step(at, up);
            at += at & at.wrapping_neg();
        }
    }

    fn insert(&mut self, link: Link) {
        work::add(1);
        if self.links.insert(link.span.end, link).is_none() {
            self.count_at(link.span.end, true);
        }
    }

    /// Cuts out the links that end in `from..to`.
    fn cut(&mut self, from: u32, to: u32) {
        let ends: Vec<u32> = match from < to {
            true => self.links.range(from..to).map(|(end, _)| *end).collect(),
            false => Vec::new(),
        };
        for end in ends {
            work::add(1);
            self.links.remove(&end);
            self.count_at(end, false);
        }
    }

    /// How many links end below `port`.
    fn below(&self, port: u32) -> usize {
        let mut at = (port as usize).min(PORTS);
        let mut sum = 0;
        while at > 0 {
            sum += self.counts.get(at) as usize;
            at &= at - 1;
        }
        sum
    }

    /// Where the candidate stood when the link that ends at `end` pushed it up.
    fn before(&self, end: u32) -> u32 {
        self.links
            .range(..end)
            .next_back()
            .map_or(FROM, |(before, _)| before + 1)
    }
}

/// A range that pushed the sweep's candidate up: the first holder met, and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    span: PortSpan,
    owner: usize,
    what: Held,
}

/// A piece of a mover's chain: the links of the round's chain that end in `from..to`, or
/// links found for the mover alone.
#[derive(Debug, Clone)]
enum Piece {
    Kept { from: u32, to: u32 },
    New(Vec<Link>),
}

/// No gateway: the sweep of the round's own chain leaves nobody out.
const NOBODY: usize = usize::MAX;
const FROM: u32 = DEFAULT_GATEWAY_PORT as u32;

impl<'a> Round<'a> {
    pub fn new(instances: &'a [Instance]) -> Round<'a> {
        let ranges = ranges(instances);
        let mut keys: Vec<(PortSpan, u32)> = Vec::new();
        for (k, e) in ranges.iter().enumerate() {
            if keys.last().is_none_or(|(span, _)| *span != e.span) {
                keys.push((e.span, k as u32));
            }
        }
        let mut mine_at = vec![0u32; instances.len() + 1];
        for e in &ranges {
            mine_at[e.owner + 1] += 1;
        }
        for i in 0..instances.len() {
            mine_at[i + 1] += mine_at[i];
        }
        let mut fill = mine_at.clone();
        let mut mine = vec![0u32; ranges.len()];
        for (k, e) in ranges.iter().enumerate() {
            mine[fill[e.owner] as usize] = k as u32;
            fill[e.owner] += 1;
        }
        let widest = ranges
            .iter()
            .filter(|e| !e.span.is_empty())
            .map(|e| e.span.len())
            .max()
            .unwrap_or(1);
        let held = held(&ranges);
        let mut round = Round {
            instances,
            alive: (0..=ranges.len() as u32).collect(),
            keys,
            mine_at,
            mine,
            widest,
            staying: Occupancy::new(held.clone()),
            held,
            moved: vec![false; instances.len()],
            moved_to: std::collections::BTreeMap::new(),
            free: None,
            ranges,
            chain: Chain::new(),
            last: None,
            first_free: None,
        };
        let (links, end) = round.sweep(FROM, NOBODY);
        links.into_iter().for_each(|l| round.chain.insert(l));
        round.chain.end = end;
        round
    }

    fn mine(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.mine[self.mine_at[i] as usize..self.mine_at[i + 1] as usize]
            .iter()
            .map(|&k| k as usize)
    }

    /// [`suggest`] for the gateway at `mover`, with every move planned this round
    /// ([`Round::moving`]) counted as done: the planned gateways' old places free, their new
    /// footprints taken.
    pub fn suggest(&mut self, mover: usize) -> Option<Suggestion> {
        // With the mover gone, the first free base is the first one with it there, or one
        // that only the mover's own ranges cover now: those are looked for next to them.
        let first_free = match self.first_free {
            Some(known) => known,
            None => *self
                .first_free
                .insert(self.staying.first_clear(FROM, FOOTPRINT)),
        };
        let freed = match self.moved[mover] {
            true => None,
            false => self.freed_by(mover),
        };
        let port = match (first_free, freed) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        let (pieces, end) = self.chain_for(mover);
        debug_assert_eq!(
            end, port,
            "the sweep and the occupancy agree on the first free base"
        );
        // The first three links and the last four name ranges; those between are counted.
        let count: usize = pieces.iter().map(|p| self.count(p)).sum();
        let listed: Vec<Link> = match count > 8 {
            true => {
                let mut listed = self.ends(&pieces, 3, false);
                let mut tail = self.ends(&pieces, 4, true);
                tail.reverse();
                listed.extend(tail);
                listed
            }
            false => self.ends(&pieces, 8, false),
        };
        let ruled_out = listed
            .iter()
            .map(|l| {
                let instance = self.instances.get(l.owner);
                Blocker {
                    ports: l.span,
                    gateway: instance.map_or_else(String::new, |g| g.name.clone()),
                    what: l.what.describe(instance),
                }
            })
            .collect();
        self.last = Some((mover, pieces, end));
        Some(Suggestion {
            port: port as u16,
            ruled_out,
            left_out: count - listed.len(),
        })
    }

    /// The first base from the default port up whose footprint is free once the gateway at
    /// `mover` is gone and overlaps one of its ranges. Around each range, a window is tested
    /// from its top port down and a held port moves the next window past it, so each port is
    /// looked at once at most, and a crowded stretch costs a port per footprint, not every port.
    fn freed_by(&self, mover: usize) -> Option<u32> {
        let spans: Vec<PortSpan> = self
            .mine(mover)
            .map(|k| self.ranges[k].span)
            .filter(|s| !s.is_empty())
            .collect();
        let free = |port: u32| {
            work::add(1);
            let own = spans.iter().filter(|s| s.contains(port)).count() as u32;
            self.staying.count.get(port as usize) == own
        };
        let mut first: Option<u32> = None;
        for span in &spans {
            // A footprint that overlaps `span` starts in `low..=span.end`.
            let low = span.start.saturating_sub(FOOTPRINT - 1).max(FROM);
            let high = span.end.min(PORTS as u32 - FOOTPRINT);
            if let Some(base) = first_window(low, high, FOOTPRINT, free) {
                first = Some(first.map_or(base, |f| f.min(base)));
            }
        }
        first
    }

    /// The gateway at `mover` will move to `base`: its old place is free for the rest of the
    /// round and its new footprint taken.
    pub fn moving(&mut self, mover: usize, base: u16) {
        self.first_free = None;
        // The chain of the mover's query (or, asked without one, found again) is the round's
        // chain once the mover has left; it continues through the new footprint.
        let (pieces, end) = match self.last.take() {
            Some((m, pieces, end)) if m == mover && end == u32::from(base) => (pieces, end),
            _ => {
                let (links, end) = self.sweep(FROM, mover);
                (vec![Piece::New(links)], end)
            }
        };
        // Cut out what the kept pieces do not keep, then put the new links in.
        let mut cut_from = 0;
        for piece in &pieces {
            if let Piece::Kept { from, to } = piece {
                self.chain.cut(cut_from, *from);
                cut_from = *to;
            }
        }
        self.chain.cut(cut_from, PORTS as u32 + 1);
        for piece in pieces {
            if let Piece::New(links) = piece {
                links.into_iter().for_each(|l| self.chain.insert(l));
            }
        }
        if !self.moved[mover] {
            self.moved[mover] = true;
            let mine: Vec<usize> = self.mine(mover).collect();
            for k in mine {
                work::add(1);
                self.staying.change(self.ranges[k].span, false);
                self.alive[k] = k as u32 + 1;
            }
        }
        let new = footprint(base);
        self.staying.change(new, true);
        if let Some(free) = &mut self.free {
            free.take(new);
        }
        self.moved_to.entry(new).or_default().push(mover);
        let (more, end) = self.sweep(end, NOBODY);
        more.into_iter().for_each(|l| self.chain.insert(l));
        self.chain.end = end;
    }

    fn count(&self, piece: &Piece) -> usize {
        match piece {
            Piece::Kept { from, to } if from < to => {
                self.chain.below(*to) - self.chain.below(*from)
            }
            Piece::Kept { .. } => 0,
            Piece::New(links) => links.len(),
        }
    }

    /// The first (or, `last`, the last, from the end) `n` links of a chain made of `pieces`.
    fn ends(&self, pieces: &[Piece], n: usize, last: bool) -> Vec<Link> {
        let mut out = Vec::with_capacity(n);
        let ordered: Box<dyn Iterator<Item = &Piece>> = match last {
            true => Box::new(pieces.iter().rev()),
            false => Box::new(pieces.iter()),
        };
        for piece in ordered {
            let links: Box<dyn Iterator<Item = &Link>> = match (piece, last) {
                (Piece::Kept { from, to }, _) if from >= to => continue,
                (Piece::Kept { from, to }, false) => {
                    Box::new(self.chain.links.range(*from..*to).map(|(_, l)| l))
                }
                (Piece::Kept { from, to }, true) => {
                    Box::new(self.chain.links.range(*from..*to).rev().map(|(_, l)| l))
                }
                (Piece::New(links), false) => Box::new(links.iter()),
                (Piece::New(links), true) => Box::new(links.iter().rev()),
            };
            for link in links.take(n - out.len()) {
                work::add(1);
                out.push(*link);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }

    /// The chain of the sweep with `mover` left out, as pieces of the round's chain and new
    /// links, and where it ends. It differs from the round's chain only from a link the mover
    /// held alone, until a new link ends where a link of the chain ends (from there the sweep
    /// goes as the chain does); each such place is found by binary search.
    fn chain_for(&mut self, mover: usize) -> (Vec<Piece>, u32) {
        let mut changed: Vec<u32> = self
            .mine(mover)
            .filter_map(|k| {
                let span = self.ranges[k].span;
                let link = self.chain.links.get(&span.end)?;
                (link.span == span && link.owner == mover).then_some(span.end)
            })
            .collect();
        changed.sort_unstable();
        changed.dedup();
        work::add(changed.len() as u64 + 1);
        let mut pieces = Vec::new();
        let mut kept = 0;
        for at in changed {
            if at < kept {
                continue;
            }
            pieces.push(Piece::Kept { from: kept, to: at });
            let mut candidate = self.chain.before(at);
            let mut links = Vec::new();
            loop {
                let Some(link) = self.step(candidate, mover, FOOTPRINT) else {
                    pieces.push(Piece::New(links));
                    return (pieces, candidate);
                };
                links.push(link);
                candidate = link.span.end + 1;
                // A link of the chain that ends where this one does is where the two sweeps
                // meet: from there on they go alike.
                if self.chain.links.contains_key(&link.span.end) {
                    kept = link.span.end + 1;
                    break;
                }
            }
            pieces.push(Piece::New(links));
        }
        pieces.push(Piece::Kept {
            from: kept,
            to: PORTS as u32 + 1,
        });
        (pieces, self.chain.end)
    }

    /// The sweep from `candidate` with `mover` left out: the links, and where it ends.
    fn sweep(&mut self, mut candidate: u32, mover: usize) -> (Vec<Link>, u32) {
        let mut links = Vec::new();
        while let Some(link) = self.step(candidate, mover, FOOTPRINT) {
            links.push(link);
            candidate = link.span.end + 1;
        }
        (links, candidate)
    }

    /// The range that pushes a candidate base up next: the first range (by span, then
    /// gateway) that reaches `candidate` or above, held by a gateway other than `mover` that
    /// has not moved away, or a planned footprint, if it starts inside the `width` ports from
    /// `candidate`. Every range before it in the sweep's order ends below `candidate` (it was
    /// passed or pushed the candidate up), so the sweep meets this one next.
    fn step(&mut self, candidate: u32, mover: usize, width: u32) -> Option<Link> {
        let limit = candidate + width - 1;
        // New footprints are as wide as any range.
        let widest = self.widest.max(FOOTPRINT);
        let low = candidate.saturating_sub(widest - 1);
        let mut key = self.keys.partition_point(|(span, _)| span.start < low);
        let mut found: Option<Link> = None;
        while let Some(&(span, _)) = self.keys.get(key) {
            if span.start > limit {
                break;
            }
            work::add(1);
            if span.end >= candidate {
                if let Some((owner, what)) = self.holder(key, mover) {
                    found = Some(Link { span, owner, what });
                    break;
                }
            }
            key += 1;
        }
        let moved = self
            .moved_to
            .range(PortSpan { start: low, end: 0 }..)
            .take_while(|(span, _)| span.start <= limit)
            .find(|(span, _)| span.end >= candidate)
            .and_then(|(span, owners)| {
                let owner = owners.iter().copied().min()?;
                Some(Link {
                    span: *span,
                    owner,
                    what: Held::NewFootprint,
                })
            });
        match (found, moved) {
            // Of two holders of one range, the sweep meets the lower gateway first.
            (Some(a), Some(b)) => Some(if (b.span, b.owner) < (a.span, a.owner) {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        }
    }

    /// The first host port above `after` that no gateway binds, reserves or publishes (where
    /// it is now), that no move of this round goes to and that this round has not given out
    /// before; then it is given out.
    pub fn free_port_after(&mut self, after: u16) -> Option<u16> {
        if self.free.is_none() {
            let mut free = FreeHostPorts::from_held(&self.held);
            for span in self.moved_to.keys() {
                free.take(*span);
            }
            self.free = Some(free);
        }
        self.free.as_mut()?.take_after(after)
    }

    /// Whether the gateway at `index` moved to `base` would have its whole footprint clear
    /// of every other gateway's ranges where they are now (moves planned this round aside).
    pub fn base_is_clear(&self, index: usize, base: u16) -> bool {
        let own = footprint(base);
        let mut mine = vec![0u32; own.len() as usize];
        for k in self.mine(index) {
            let span = self.ranges[k].span;
            for port in span.start.max(own.start)..=span.end.min(own.end) {
                mine[(port - own.start) as usize] += 1;
            }
        }
        work::add(u64::from(own.len()));
        own.end <= 65535
            && (own.start..=own.end)
                .all(|p| self.held.get(p as usize) == mine[(p - own.start) as usize])
    }

    fn alive_from(&mut self, k: usize) -> usize {
        let mut root = k;
        while self.alive[root] as usize != root {
            root = self.alive[root] as usize;
        }
        let mut at = k;
        while self.alive[at] as usize != root {
            let up = self.alive[at] as usize;
            self.alive[at] = root as u32;
            at = up;
        }
        root
    }

    /// The first holder (by gateway, then order built) of the `key`th distinct range that
    /// has not moved away and is not `mover`.
    fn holder(&mut self, key: usize, mover: usize) -> Option<(usize, Held)> {
        let end = self
            .keys
            .get(key + 1)
            .map_or(self.ranges.len(), |(_, at)| *at as usize);
        let mut k = self.alive_from(self.keys[key].1 as usize);
        while k < end && self.ranges[k].owner == mover {
            work::add(1);
            k = self.alive_from(k + 1);
        }
        (k < end).then(|| (self.ranges[k].owner, self.ranges[k].what))
    }
}

/// Of the gateways whose base port could move to end a collision, the one the operator most
/// likely added later, and why: a named profile over the default gateway; then the one whose
/// config OpenClaw stamped later (`meta.lastTouchedAt`, else `wizard.lastRunAt`: a copied
/// config carries its original's port and a later stamp); then the last by name. The help
/// lines and `--fix` both move this one.
pub fn mover<'a>(instances: &'a [Instance], candidates: &[usize]) -> Option<(usize, Why<'a>)> {
    Movers::new(instances, candidates).take()
}

/// Which of two gateways (`a` and `b`, not the same) [`Movers`] hands out first: what
/// [`Movers::take`] chooses from a pool of two, without making the pool (most findings of a
/// crowded host are of two gateways).
pub fn first_of_two(instances: &[Instance], a: usize, b: usize) -> usize {
    let later = |x: usize, y: usize| -> bool {
        let (gx, gy) = (&instances[x], &instances[y]);
        match (is_named(gx), is_named(gy)) {
            (true, false) => return true,
            (false, true) => return false,
            _ => {}
        }
        match (stamp(gx), stamp(gy)) {
            (Some(sx), Some(sy)) if sx != sy => sx > sy,
            _ => (gx.name.as_str(), x) > (gy.name.as_str(), y),
        }
    };
    if later(a, b) {
        a
    } else {
        b
    }
}

/// The gateways that may move to end one collision, handed out in the order the operator most
/// likely added them, latest first (see [`mover`]): the one choice of a mover that the help
/// lines and every fix (base ports, workspaces and agent dirs, sandbox prefixes, service
/// ports) make, each taking the next when one cannot be moved.
///
/// Made for every finding a fix is planned for, so kept in two sorted lists (not trees): the
/// candidates by (named, name, gateway) and the stamped ones by (named, stamp, gateway). A
/// choice is always the last of its pool in one of them; one that leaves from the middle of
/// the other is marked gone and skipped when it reaches that list's end. Each pool is a
/// stretch of both lists, so a choice costs what it skips: the pool's sorting, in all.
#[derive(Default)]
pub struct Movers<'a> {
    /// Every candidate once, by (named, name, gateway).
    members: Vec<Member<'a>>,
    /// The places in `members` of the stamped candidates, by (named, stamp, gateway).
    stamped: Vec<u32>,
    named: Pool,
    unnamed: Pool,
}

struct Member<'a> {
    name: &'a str,
    gateway: usize,
    stamp: Option<&'a str>,
    named: bool,
    gone: bool,
}

/// Part of a [`Movers`]' lists: its members end at `members[end]` (the unnamed pool's start
/// at 0, the named pool's where the unnamed pool's end), its stamped ones are
/// `stamped[stamped_first..stamped_end]`, gone ones among them; `len` and `stamped_len` count
/// those still in the pool.
#[derive(Default)]
struct Pool {
    end: usize,
    stamped_first: usize,
    stamped_end: usize,
    len: usize,
    stamped_len: usize,
}

impl<'a> Movers<'a> {
    pub fn new(instances: &'a [Instance], candidates: &[usize]) -> Movers<'a> {
        let mut movers = Movers::default();
        movers.refill(instances, candidates);
        movers
    }

    /// The pool of `candidates`, made in this one's lists: a planner asks for a pool for
    /// every finding, and on a crowded host most pools are of two gateways.
    pub fn refill(&mut self, instances: &'a [Instance], candidates: &[usize]) {
        work::add(candidates.len() as u64);
        let Movers {
            members, stamped, ..
        } = self;
        members.clear();
        members.extend(candidates.iter().map(|&i| Member {
            name: instances[i].name.as_str(),
            gateway: i,
            stamp: stamp(&instances[i]),
            named: is_named(&instances[i]),
            gone: false,
        }));
        members.sort_unstable_by(|a, b| {
            (a.named, a.name, a.gateway).cmp(&(b.named, b.name, b.gateway))
        });
        members.dedup_by_key(|m| m.gateway);
        stamped.clear();
        stamped.extend((0..members.len() as u32).filter(|&k| members[k as usize].stamp.is_some()));
        stamped.sort_unstable_by_key(|&k| {
            let m = &members[k as usize];
            (m.named, m.stamp, m.gateway)
        });
        let unnamed_len = members.partition_point(|m| !m.named);
        let unnamed_stamped = stamped.partition_point(|&k| !members[k as usize].named);
        let unnamed = Pool {
            end: unnamed_len,
            stamped_first: 0,
            stamped_end: unnamed_stamped,
            len: unnamed_len,
            stamped_len: unnamed_stamped,
        };
        self.named = Pool {
            end: members.len(),
            stamped_first: unnamed_stamped,
            stamped_end: stamped.len(),
            len: members.len() - unnamed_len,
            stamped_len: stamped.len() - unnamed_stamped,
        };
        self.unnamed = unnamed;
    }

    pub fn is_empty(&self) -> bool {
        self.named.len + self.unnamed.len == 0
    }

    /// What [`mover`] chooses from the pool (and why); the chosen one leaves the pool.
    pub fn take(&mut self) -> Option<(usize, Why<'a>)> {
        work::add(1);
        let Movers {
            members,
            stamped,
            named,
            unnamed,
            ..
        } = self;
        let total = named.len + unnamed.len;
        if total == 0 {
            return None;
        }
        let why_named = named.len > 0 && unnamed.len > 0;
        let pool = match named.len {
            0 => unnamed,
            _ => named,
        };
        // The pool's last by name and its latest stamped, the gone ones after them cut off.
        while members[pool.end - 1].gone {
            work::add(1);
            pool.end -= 1;
        }
        while pool.stamped_end > pool.stamped_first
            && members[stamped[pool.stamped_end - 1] as usize].gone
        {
            work::add(1);
            pool.stamped_end -= 1;
        }
        let last = pool.end - 1;
        let mut chosen = (last, None);
        if pool.stamped_len == pool.len && pool.len > 1 {
            // The one stamped before the latest: gone ones between them are cut out.
            let latest = stamped[pool.stamped_end - 1];
            while members[stamped[pool.stamped_end - 2] as usize].gone {
                work::add(1);
                stamped[pool.stamped_end - 2] = latest;
                pool.stamped_end -= 1;
            }
            let before = stamped[pool.stamped_end - 2] as usize;
            let latest = latest as usize;
            if members[before].stamp != members[latest].stamp {
                chosen = (latest, members[latest].stamp);
            }
        }
        let (k, stamp) = chosen;
        let who = members[k].name;
        let why = match (stamp, total, why_named, pool.len) {
            (Some(stamp), ..) => Why::SetUpLater {
                gateway: who,
                stamp,
            },
            (None, 1, ..) => Why::Only(who),
            (None, _, true, 1) => Why::NamedProfile(who),
            (None, _, true, _) => Why::LastNamedProfile(who),
            (None, ..) => Why::LastByName(who),
        };
        members[k].gone = true;
        pool.len -= 1;
        if members[k].stamp.is_some() {
            pool.stamped_len -= 1;
        }
        Some((members[k].gateway, why))
    }
}

/// Why [`Movers::take`] chose a gateway, written out only when a fix says it (on a crowded
/// host most choices end in no fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why<'a> {
    /// The only gateway in the pool.
    Only(&'a str),
    /// OpenClaw stamped its config last, at `stamp`.
    SetUpLater { gateway: &'a str, stamp: &'a str },
    /// The one named profile beside the default gateway.
    NamedProfile(&'a str),
    /// The last by name of several named profiles.
    LastNamedProfile(&'a str),
    /// The last by name, nothing else telling them apart.
    LastByName(&'a str),
}

impl std::fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Only(who) => write!(f, "\"{who}\" is the only gateway whose move ends this"),
            Why::SetUpLater { gateway, stamp } => write!(
                f,
                "\"{gateway}\" was set up later: its config was last written by OpenClaw at {stamp}"
            ),
            Why::NamedProfile(who) => write!(
                f,
                "\"{who}\" is a named profile, most likely added after the default gateway"
            ),
            Why::LastNamedProfile(who) => write!(
                f,
                "\"{who}\" is a named profile (added after the default gateway) and the last of them by name"
            ),
            Why::LastByName(who) => {
                write!(f, "nothing shows which was added later: \"{who}\" is the last by name")
            }
        }
    }
}

/// A named profile (not the default gateway).
fn is_named(instance: &Instance) -> bool {
    instance
        .profile
        .as_ref()
        .is_some_and(|p| p.value != "default")
}

/// When OpenClaw last wrote the gateway's config: `meta.lastTouchedAt`, else `wizard.lastRunAt`
/// (borrowed: a pool is made for every finding a fix is planned for).
fn stamp(instance: &Instance) -> Option<&str> {
    instance.config_facts.as_ref()?.stamp.as_deref()
}

/// `18789..18899 is default's footprint; 18900..19010 is rescue's footprint; first free:
/// 19011`. A long chain keeps its first and last links: the last are the neighbours of the
/// port suggested.
pub fn explain(suggestion: &Suggestion) -> String {
    use crate::diagnostic::Words;
    const HEAD: usize = 3;
    const TAIL: usize = 4;
    // Written piece by piece into one string (a fix's description says it for every move
    // planned), each part after the first behind "; ".
    let mut out = String::new();
    let next = |out: &mut String| {
        if !out.is_empty() {
            out.push_str("; ");
        }
    };
    let link = |out: &mut String, b: &Blocker| {
        next(out);
        out.number(b.ports.start);
        if b.ports.start != b.ports.end {
            out.words("..").number(b.ports.end);
        }
        out.words(" is ")
            .words(&b.gateway)
            .words("'s ")
            .words(&b.what);
    };
    let all = &suggestion.ruled_out;
    let count = all.len() + suggestion.left_out;
    if count > HEAD + TAIL + 1 && all.len() >= HEAD + TAIL {
        all[..HEAD].iter().for_each(|b| link(&mut out, b));
        next(&mut out);
        out.number((count - HEAD - TAIL) as u64)
            .words(" more in between");
        all[all.len() - TAIL..]
            .iter()
            .for_each(|b| link(&mut out, b));
    } else {
        all.iter().for_each(|b| link(&mut out, b));
    }
    if out.is_empty() {
        out.words("nothing on the host uses ")
            .number(suggestion.port)
            .words("..")
            .number(u32::from(suggestion.port) + FOOTPRINT - 1);
    }
    next(&mut out);
    out.words("first free: ").number(suggestion.port);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{gateway, host, Gateway, Host};

    use crate::xorshift::Rng;

    /// `n` gateways crowded on a few base ports (shared, a few ports apart, near the top),
    /// some with browser profiles, webhooks, hooks, published containers.
    fn crowded(rng: &mut Rng, n: usize) -> Host {
        let bases = [
            18789u16, 18789, 18795, 18900, 19011, 19100, 20000, 65430, 65300, 3000,
        ];
        host((0..n).map(|i| {
            let mut g: Gateway = gateway(&format!("g{i:02}"));
            if rng.below(4) == 0 {
                g = g
                    .no_profile()
                    .env("OPENCLAW_STATE_DIR", &format!("/srv/s{i}"));
            }
            let base = bases[rng.below(bases.len() as u64) as usize];
            let base = base.saturating_add(rng.below(3) as u16 * 40);
            g = g.port(base);
            if rng.below(3) == 0 {
                g = g.set(
                    "browser.profiles.work.cdpPort",
                    &(18800 + rng.below(300)).to_string(),
                );
            }
            if rng.below(4) == 0 {
                g = g.set("channels.telegram.webhookUrl", "\"https://example.com/tg\"");
            }
            if rng.below(5) == 0 {
                g = g.set(
                    "gateway.portals.ingress.port",
                    &(19000 + rng.below(200)).to_string(),
                );
            }
            if rng.below(6) == 0 {
                g = g.published("127.0.0.1", 18900 + rng.below(300) as u16, 18789);
            }
            g
        }))
    }

    #[test]
    fn a_round_answers_what_the_sweep_answers() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // How often the chain of reasons ran through a planned move's new footprint.
        let mut through_moves = 0;
        let mut long_chains = 0;
        for layout in 0..40 {
            let host = crowded(&mut rng, 2 + layout % 23);
            let instances = &host.instances;
            let mut round = Round::new(instances);
            let mut planned: Vec<(usize, u16)> = Vec::new();
            let mut given: Vec<u16> = Vec::new();
            for _ in 0..3 * instances.len() {
                let i = rng.below(instances.len() as u64) as usize;
                match rng.below(4) {
                    0 => {
                        let after = 8787 + rng.below(12_000) as u16;
                        let mut also = given.clone();
                        for (_, base) in &planned {
                            let span = footprint(*base);
                            also.extend((span.start..=span.end).map(|p| p as u16));
                        }
                        let expected = next_free_host_port(instances, after, &also);
                        assert_eq!(round.free_port_after(after), expected, "layout {layout}");
                        given.extend(expected);
                    }
                    1 => {
                        let base = 18700 + rng.below(1500) as u16;
                        assert_eq!(
                            round.base_is_clear(i, base),
                            base_is_clear(instances, &[i], base),
                            "layout {layout}: {i} to {base}"
                        );
                    }
                    _ if planned.iter().all(|(p, _)| *p != i) => {
                        let expected = suggest_with(instances, &[i], &planned);
                        let got = round.suggest(i);
                        let at = format!("layout {layout}: {i} after {planned:?}");
                        assert_eq!(
                            got.as_ref().map(|s| s.port),
                            expected.as_ref().map(|s| s.port),
                            "{at}"
                        );
                        assert_eq!(
                            got.as_ref().map(explain),
                            expected.as_ref().map(explain),
                            "{at}"
                        );
                        if let (Some(got), Some(expected)) = (&got, &expected) {
                            // A long chain keeps its ends and counts the rest.
                            let all = &expected.ruled_out;
                            assert_eq!(got.ruled_out.len() + got.left_out, all.len(), "{at}");
                            assert_eq!(
                                got.ruled_out[..got.ruled_out.len().min(3)],
                                all[..all.len().min(3)],
                                "{at}"
                            );
                            let tail = got.ruled_out.len().min(4);
                            assert_eq!(
                                got.ruled_out[got.ruled_out.len() - tail..],
                                all[all.len() - tail..],
                                "{at}"
                            );
                            long_chains += usize::from(got.left_out > 0);
                        }
                        through_moves += usize::from(expected.as_ref().is_some_and(|s| {
                            s.ruled_out.iter().any(|b| b.what == "new footprint")
                        }));
                        if let Some(s) = got.filter(|_| rng.below(3) != 0) {
                            round.moving(i, s.port);
                            planned.push((i, s.port));
                        }
                    }
                    _ => {}
                }
            }
        }
        assert!(through_moves > 20, "{through_moves}");
        assert!(long_chains > 20, "{long_chains}");
    }

    /// The port alone is the suggestion's port, on crowded random hosts and full ones; the
    /// explanation written piece by piece says what its templates said (the reference below),
    /// for chains of every length.
    #[test]
    fn the_port_alone_and_the_explanation_are_the_suggestions() {
        fn by_templates(suggestion: &Suggestion) -> String {
            let link = |b: &Blocker| {
                let ports = match b.ports.start == b.ports.end {
                    true => b.ports.start.to_string(),
                    false => b.ports.text(),
                };
                format!("{ports} is {}'s {}", b.gateway, b.what)
            };
            let all = &suggestion.ruled_out;
            let count = all.len() + suggestion.left_out;
            let mut parts: Vec<String> = if count > 8 && all.len() >= 7 {
                let mut parts: Vec<String> = all[..3].iter().map(link).collect();
                parts.push(format!("{} more in between", count - 7));
                parts.extend(all[all.len() - 4..].iter().map(link));
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
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut found, mut none) = (0, 0);
        for layout in 0..60 {
            let host = match layout % 10 {
                // Footprints side by side from 18789 to the last base allowed (65409, its
                // footprint up to 65519): no base port left.
                9 => host((0..421u16).map(|i| gateway(&format!("f{i}")).port(18789 + 111 * i))),
                _ => crowded(&mut rng, 1 + layout % 30),
            };
            let suggestion = suggest(&host.instances, &[]);
            assert_eq!(
                suggested_port(&host.instances),
                suggestion.as_ref().map(|s| s.port),
                "layout {layout}"
            );
            match &suggestion {
                Some(s) => {
                    found += 1;
                    assert_eq!(explain(s), by_templates(s), "layout {layout}");
                    for left_out in [1, 5, 40] {
                        let s = Suggestion {
                            left_out,
                            ..s.clone()
                        };
                        assert_eq!(explain(&s), by_templates(&s), "layout {layout}");
                    }
                    let first = s.ruled_out.first().cloned();
                    let s = Suggestion {
                        ruled_out: first.into_iter().collect(),
                        ..s.clone()
                    };
                    assert_eq!(explain(&s), by_templates(&s), "layout {layout}");
                    let s = Suggestion {
                        ruled_out: Vec::new(),
                        ..s
                    };
                    assert_eq!(explain(&s), by_templates(&s), "layout {layout}");
                }
                None => none += 1,
            }
        }
        assert!(found > 30 && none > 3, "{found} {none}");
    }

    /// The window search that skips past held ports finds the lowest free window a port-by-port
    /// scan finds, on random patterns of held ports, dense and sparse.
    #[test]
    fn first_window_finds_what_a_port_by_port_scan_finds() {
        let mut rng = Rng(0x6a09_e667_f3bc_c908);
        for case in 0..2_000 {
            let len = 1 + rng.below(400) as u32;
            let density = 1 + rng.below(60);
            let held: Vec<bool> = (0..len).map(|_| rng.below(density) == 0).collect();
            let width = 1 + rng.below(40) as u32;
            let low = rng.below(u64::from(len)) as u32;
            let high = rng.below(u64::from(len)) as u32;
            let free = |p: u32| p < len && !held[p as usize];
            let expected = (low..=high).find(|&b| (b..b + width).all(free));
            assert_eq!(
                first_window(low, high, width, free),
                expected,
                "case {case}"
            );
        }
    }

    /// The counts kept by blocks (only the blocks ranges reach are written) are the counts of
    /// every port, and the free runs and first free windows found from them are those of a
    /// plain table of 65,536 counts, for spans across block borders, at the top, empty, and
    /// after ranges are added and taken away.
    #[test]
    fn block_counts_answer_as_a_table_of_every_port() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..20 {
            let spans: Vec<PortSpan> = (0..rng.below(40))
                .map(|_| {
                    let start = match rng.below(4) {
                        0 => 65535 - rng.below(300) as u32,
                        1 => rng.below(65536) as u32,
                        _ => 18789 + rng.below(600) as u32,
                    };
                    // Some empty, some past 65535, some across several blocks.
                    let end = (start + rng.below(700) as u32).saturating_sub(rng.below(3) as u32);
                    PortSpan { start, end }
                })
                .collect();
            let entries: Vec<Entry> = spans
                .iter()
                .map(|&span| Entry {
                    span,
                    owner: 0,
                    what: Held::Footprint,
                })
                .collect();
            let mut dense = vec![0u32; PORTS];
            for span in spans.iter().filter(|s| !s.is_empty()) {
                for p in span.start..=span.end.min(PORTS as u32 - 1) {
                    dense[p as usize] += 1;
                }
            }
            let counts = held(&entries);
            assert!((0..PORTS).all(|p| counts.get(p) == dense[p]));
            let mut occupancy = Occupancy::new(counts);
            // Take some away, put some new ones in.
            for span in spans.iter().filter(|_| rng.below(2) == 0) {
                occupancy.change(*span, false);
                if !span.is_empty() {
                    for p in span.start..=span.end.min(PORTS as u32 - 1) {
                        dense[p as usize] -= 1;
                    }
                }
            }
            for _ in 0..rng.below(5) {
                let start = 18789 + rng.below(2000) as u32;
                let span = PortSpan {
                    start,
                    end: start + rng.below(300) as u32,
                };
                occupancy.change(span, true);
                for p in span.start..=span.end {
                    dense[p as usize] += 1;
                }
            }
            assert!((0..PORTS).all(|p| occupancy.count.get(p) == dense[p]));
            let first_free = |from: u32, width: u32| {
                (from..PORTS as u32).find(|&p| {
                    p + width <= PORTS as u32 && (p..p + width).all(|q| dense[q as usize] == 0)
                })
            };
            for _ in 0..20 {
                let from = rng.below(65536) as u32;
                let width = 1 + rng.below(400) as u32;
                assert_eq!(
                    occupancy.first_clear(from, width),
                    first_free(from, width),
                    "from {from}, width {width}"
                );
            }
        }
    }

    #[test]
    fn a_round_gives_no_base_when_the_host_is_full() {
        // Footprints every 100 ports from 18789 to the top: no 111 free ports anywhere.
        let host =
            host((0..468).map(|i| gateway(&format!("g{i:03}")).port(18789 + 100 * i as u16)));
        let mut round = Round::new(&host.instances);
        assert_eq!(round.suggest(0), None);
        assert_eq!(suggest_with(&host.instances, &[0], &[]), None);
    }

    /// The rule of [`mover`] written out plainly (sorting the whole pool per choice), to
    /// check [`Movers`] against.
    fn reference_mover(instances: &[Instance], candidates: &[usize]) -> Option<(usize, String)> {
        let named = |i: usize| is_named(&instances[i]);
        let stamp = |i: usize| stamp(&instances[i]);
        let mut pool: Vec<usize> = candidates.to_vec();
        pool.sort_by(|a, b| instances[*a].name.cmp(&instances[*b].name));
        pool.dedup();
        let last = *pool.last()?;
        if pool.len() == 1 {
            return Some((
                last,
                format!(
                    "\"{}\" is the only gateway whose move ends this",
                    instances[last].name
                ),
            ));
        }
        let named_pool: Vec<usize> = pool.iter().copied().filter(|i| named(*i)).collect();
        let (pool, why_named) = match named_pool.len() {
            n if n > 0 && n < pool.len() => (named_pool, true),
            _ => (pool, false),
        };
        let stamped: Vec<(usize, &str)> = pool
            .iter()
            .filter_map(|i| stamp(*i).map(|s| (*i, s)))
            .collect();
        if stamped.len() == pool.len() && pool.len() > 1 {
            let latest = stamped
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)))?;
            if stamped.iter().filter(|s| s.1 == latest.1).count() == 1 {
                return Some((
                    latest.0,
                    format!(
                        "\"{}\" was set up later: its config was last written by OpenClaw at {}",
                        instances[latest.0].name, latest.1
                    ),
                ));
            }
        }
        let chosen = *pool.last()?;
        let why = match (why_named, pool.len()) {
            (true, 1) => format!(
                "\"{}\" is a named profile, most likely added after the default gateway",
                instances[chosen].name
            ),
            (true, _) => format!(
                "\"{}\" is a named profile (added after the default gateway) and the last of them by name",
                instances[chosen].name
            ),
            _ => format!(
                "nothing shows which was added later: \"{}\" is the last by name",
                instances[chosen].name
            ),
        };
        Some((chosen, why))
    }

    #[test]
    fn movers_come_in_the_order_mover_chooses_them() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let stamps = [
            "2026-01-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
        ];
        for _ in 0..60 {
            let n = 1 + rng.below(24) as usize;
            let host = host((0..n).map(|i| {
                let mut g = gateway(&format!("m{}", rng.below(100) * 10 + i as u64))
                    .port(20000 + 200 * i as u16);
                if rng.below(3) == 0 {
                    g = g
                        .no_profile()
                        .env("OPENCLAW_STATE_DIR", &format!("/srv/m{i}"));
                }
                match rng.below(4) {
                    0 => g.set(
                        "meta.lastTouchedAt",
                        &format!("\"{}\"", stamps[rng.below(3) as usize]),
                    ),
                    1 => g.set(
                        "wizard.lastRunAt",
                        &format!("\"{}\"", stamps[rng.below(3) as usize]),
                    ),
                    _ => g,
                }
            }));
            let mut pool: Vec<usize> = (0..n).filter(|_| rng.below(5) != 0).collect();
            for (k, &a) in pool.iter().enumerate() {
                for &b in &pool[k + 1..] {
                    let first = Movers::new(&host.instances, &[a, b]).take().map(|m| m.0);
                    assert_eq!(Some(first_of_two(&host.instances, a, b)), first);
                    assert_eq!(Some(first_of_two(&host.instances, b, a)), first);
                }
            }
            let mut movers = Movers::new(&host.instances, &pool);
            while let Some(expected) = reference_mover(&host.instances, &pool) {
                let said =
                    |chosen: Option<(usize, Why)>| chosen.map(|(i, why)| (i, why.to_string()));
                assert_eq!(said(mover(&host.instances, &pool)), Some(expected.clone()));
                assert_eq!(said(movers.take()), Some(expected.clone()));
                pool.retain(|i| *i != expected.0);
            }
            assert!(movers.is_empty());
            assert_eq!(movers.take(), None);
        }
    }
}
