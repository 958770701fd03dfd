//! Rules: functions over the whole inventory that return findings. A rule never parses and
//! never decides how loud it is; the engine sets each finding's severity.

pub mod browser;
pub mod containers;
pub mod credentials;
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
    problems::check,
];

/// Every rule's findings, family by family. What is reported, and how loud, is the engine's
/// decision (`crate::engine`).
pub fn run(ctx: &RuleContext) -> Vec<Finding> {
    run_families(ctx)
}

/// Families run on all cores, each on its own thread; results are joined in family order,
/// so the output does not depend on scheduling.
fn run_families(ctx: &RuleContext) -> Vec<Finding> {
    if ctx.instances.len() < 64 {
        return joined(FAMILIES.iter().map(|family| family(ctx)).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = FAMILIES
            .iter()
            .map(|family| scope.spawn(move || family(ctx)))
            .collect();
        joined(
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect(),
        )
    })
}

/// The families' findings in one list of exactly their number: collected by doubling, the
/// list of a large host's findings (200 bytes each) kept up to twice the slots it used, and
/// had its old and new buffers alive at once while growing.
fn joined(families: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut all = Vec::with_capacity(families.iter().map(Vec::len).sum());
    for findings in families {
        all.extend(findings);
    }
    all
}
