//! Rules: functions over the whole inventory that return findings. A rule never parses and
//! never decides how loud it is; the engine sets each finding's severity.

pub mod browser;
pub mod containers;
pub mod credentials;
pub mod env;
pub mod group;
pub mod paths;
pub mod ports;
pub mod problems;
pub mod services;
#[cfg(test)]
pub(crate) mod testing;
pub mod validity;

use crate::diagnostic::Finding;
use crate::resolve::Instance;
use crate::source::SourceMap;

/// What every rule sees.
pub struct RuleContext<'a> {
    pub instances: &'a [Instance],
    pub sources: &'a SourceMap,
    /// Problems with files that belong to no gateway.
    pub problems: &'a [crate::load::Problem],
    /// Canonical path keys, computed by resolve: rules compare paths through these only.
    pub keys: &'a crate::paths::PathKeys,
    /// Where discover looked for gateways (CL910 names them when it found none).
    pub searched: &'a [crate::invocation::Searched],
}

impl<'a> RuleContext<'a> {
    pub fn new(inventory: &'a crate::resolve::Inventory) -> Self {
        RuleContext {
            instances: &inventory.instances,
            sources: &inventory.sources,
            problems: &inventory.problems,
            keys: &inventory.path_keys,
            searched: &inventory.searched,
        }
    }
}

type RuleSet = fn(&RuleContext) -> Vec<Finding>;

/// Each family's rules, in the order they run.
const FAMILIES: &[RuleSet] = &[
    ports::check,
    paths::check,
    credentials::check,
    browser::check,
    services::check,
    validity::check,
    env::check,
    problems::check,
];

/// Every rule's findings, family by family. What is reported, and how loud, is the engine's
/// decision (`crate::engine`).
pub fn run(ctx: &RuleContext) -> Vec<Finding> {
    run_families(ctx)
}

/// Families run on as many threads as there are cores, the calling thread one of them: it runs
/// the first family (ports: most of a large host's findings), then, like the others, takes
/// the next family not yet run. Results are joined in family order, so the output does not
/// depend on scheduling. Not a thread per family: each thread allocates in its own allocator
/// heap, and only the calling thread's holds the memory resolve freed for reuse; findings
/// built on other threads take fresh pages.
fn run_families(ctx: &RuleContext) -> Vec<Finding> {
    // Below 64 gateways the families run here without asking how many cores there are: std
    // answers from the cgroup quota files (about twenty system calls, a tenth of a small run's).
    if ctx.instances.len() < 64 {
        return one_thread(ctx);
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(FAMILIES.len());
    if threads < 2 {
        return one_thread(ctx);
    }
    let next = std::sync::atomic::AtomicUsize::new(1);
    let take_families = || {
        let mut done = Vec::new();
        loop {
            let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(family) = FAMILIES.get(at) else {
                return done;
            };
            done.push((at, family(ctx)));
        }
    };
    let mut by_family: Vec<Vec<Finding>> = FAMILIES.iter().map(|_| Vec::new()).collect();
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(take_families)).collect();
        by_family[0] = FAMILIES[0](ctx);
        let mine = take_families();
        let theirs = others.into_iter().flat_map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        for (at, findings) in mine.into_iter().chain(theirs) {
            by_family[at] = findings;
        }
    });
    joined(by_family)
}

/// Every family on the calling thread, in order.
fn one_thread(ctx: &RuleContext) -> Vec<Finding> {
    joined(FAMILIES.iter().map(|family| family(ctx)).collect())
}

/// The families' findings in one list: the first family's list (ports: most of a large
/// host's findings) with the others appended, grown once to exactly their number if its spare
/// slots do not hold them. Not a new list of exactly their number: that copied every finding
/// once more, onto fresh pages (realistic 10,000: 26,130 findings, 3 MB), while the list
/// already in memory was freed.
fn joined(families: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut families = families.into_iter();
    let mut all = families.next().unwrap_or_default();
    all.reserve_exact(families.as_slice().iter().map(Vec::len).sum());
    for findings in families {
        all.extend(findings);
    }
    all
}
