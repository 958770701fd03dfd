//! The step after the rules: inline suppressions, then intended sharing from `clawlint.toml`
//! (`[[ignore]]`), then levels, then a deterministic order. Rules only find; this decides what
//! is reported and how loud.

pub mod settings;
pub mod suppress;

pub use settings::{ConfigIgnore, Level, Settings};

use crate::diagnostic::{Finding, Label, Reported};
use crate::rules::RuleContext;
use crate::source::{FileId, SourceMap};

/// Runs every rule, then [`finish`].
pub fn run(ctx: &RuleContext, settings: &Settings) -> Vec<Reported> {
    finish(crate::rules::run(ctx), ctx.sources, settings)
}

/// Applies suppressions and intended sharing, sets each finding's level, and sorts.
pub fn finish(findings: Vec<Finding>, sources: &SourceMap, settings: &Settings) -> Vec<Reported> {
    let (kept, mut meta) = suppress::apply(findings, sources);
    let (kept, unused) = apply_config_ignores(kept, &settings.ignores);
    meta.extend(unused);
    // Sized up front: collected through a filter, the list would grow by doubling (up to
    // twice the slots, and two buffers alive at once while it grows).
    let mut out: Vec<Reported> = Vec::with_capacity(kept.len() + meta.len());
    for finding in kept.into_iter().chain(meta) {
        if let Some(severity) = settings.severity(*finding.rule) {
            out.push(Reported { finding, severity });
        }
    }
    sorted(out, sources)
}

/// The findings in a deterministic order: by the shown path and offset of their first place,
/// then rule and message (a stable sort, through an index: no message is copied, and the
/// findings are moved into place in their own list, not into a second one).
fn sorted(mut findings: Vec<Reported>, sources: &SourceMap) -> Vec<Reported> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    {
        let ranks = PathRanks::of(&findings, sources);
        let keys: Vec<_> = findings.iter().map(|r| sort_key(r, &ranks)).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    }
    permute(&mut findings, order);
    findings
}

/// The place of each finding's file among the shown paths, in their order (equal paths, equal
/// ranks): findings are ordered by a number, not by comparing paths of mostly the same
/// prefix every time two are compared.
struct PathRanks {
    /// By file number: the rank of the file's shown path.
    of_file: Vec<u32>,
    /// The rank of a finding with no place: that of a path `"\u{10FFFF}"`, after every path
    /// shown (ties as a path of those bytes would have them).
    placeless: u32,
}

/// A finding with no place sorts as if at a file of this path.
const PLACELESS: &str = "\u{10FFFF}";

impl PathRanks {
    fn of(findings: &[Reported], sources: &SourceMap) -> PathRanks {
        let files = findings.iter().filter_map(first_place).map(|loc| loc.file);
        let count = files.clone().map(|f| f.0 as usize + 1).max().unwrap_or(0);
        let mut of_file = vec![u32::MAX; count];
        // Each file once (`None`: the placeless), then ranked by path.
        let mut paths: Vec<(&str, Option<FileId>)> = vec![(PLACELESS, None)];
        for file in files {
            if of_file[file.0 as usize] == u32::MAX {
                of_file[file.0 as usize] = 0;
                paths.push((sources.file(file).shown_path(), Some(file)));
            }
        }
        paths.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut placeless = 0;
        let mut rank = 0u32;
        for (at, (path, file)) in paths.iter().enumerate() {
            if at > 0 && *path != paths[at - 1].0 {
                rank += 1;
            }
            match file {
                Some(file) => of_file[file.0 as usize] = rank,
                None => placeless = rank,
            }
        }
        PathRanks { of_file, placeless }
    }
}

fn first_place(reported: &Reported) -> Option<crate::source::Loc> {
    reported.finding.labels.iter().find_map(|l| l.loc)
}

/// Rearranges `items` in place so that position `i` holds what was at `order[i]` (`order` a
/// permutation of the positions): each cycle of the permutation is followed once, so every
/// item moves at most once.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = order[at];
            // Marks the position as done: a later start that reaches it stops at once.
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// An `[[ignore]]` entry matches a finding of its rules whose gateways are all among its own.
fn apply_config_ignores(
    findings: Vec<Finding>,
    ignores: &[ConfigIgnore],
) -> (Vec<Finding>, Vec<Finding>) {
    if ignores.is_empty() {
        return (findings, Vec::new());
    }
    let mut used = vec![false; ignores.len()];
    let kept = findings
        .into_iter()
        .filter(|finding| {
            let instances = finding.instances();
            let hit = ignores.iter().position(|entry| {
                entry.selector.matches(*finding.rule)
                    && !instances.is_empty()
                    && instances.iter().all(|i| entry.instances.contains(i))
            });
            if let Some(index) = hit {
                used[index] = true;
            }
            hit.is_none()
        })
        .collect();
    let unused = ignores
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(entry, _)| {
            Finding::new(
                &crate::catalog::UNUSED_SUPPRESSION,
                format!(
                    "[[ignore]] of {} for {} matches no finding",
                    entry.rule,
                    entry.instances.join(", ")
                ),
            )
            .label(Label::new(entry.loc, "nothing to ignore here", None))
            .help("remove the entry, or correct its rule or gateway names")
        })
        .collect();
    (kept, unused)
}

fn sort_key<'r>(reported: &'r Reported, ranks: &PathRanks) -> (u32, usize, &'static str, &'r str) {
    let (rank, offset) = match first_place(reported) {
        Some(loc) => (ranks.of_file[loc.file.0 as usize], loc.span.start()),
        None => (ranks.placeless, 0),
    };
    (
        rank,
        offset,
        reported.finding.rule.code,
        &reported.finding.message,
    )
}

#[cfg(test)]
mod tests {
    use super::permute;

    /// What `permute` must give: position `i` holds what was at `order[i]`.
    fn reference(items: &[u32], order: &[usize]) -> Vec<u32> {
        order.iter().map(|&i| items[i]).collect()
    }

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        let mut rng = crate::xorshift::Rng(0x5eed);
        for len in 0..40usize {
            let items: Vec<u32> = (0..len as u32).map(|i| i * 7 + 1).collect();
            let mut order: Vec<usize> = (0..len).collect();
            // Fisher-Yates: every permutation (cycles of every length, fixed points) is possible.
            for i in (1..len).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut moved = items.clone();
            permute(&mut moved, order.clone());
            assert_eq!(moved, reference(&items, &order), "order {order:?}");
        }
    }
}
