//! The step after the rules: inline suppressions, then intended sharing from `clawlint.toml`
//! (`[[ignore]]`), then levels, then a deterministic order. Rules only find; this decides what
//! is reported and how loud.

pub mod settings;
pub mod suppress;

pub use settings::{ConfigIgnore, Level, Settings};

use crate::diagnostic::{Finding, Label, Reported};
use crate::rules::RuleContext;
use crate::source::SourceMap;

/// Runs every rule, then [`finish`].
pub fn run(ctx: &RuleContext, settings: &Settings) -> Vec<Reported> {
    finish(crate::rules::run(ctx), ctx.sources, settings)
}

/// Applies suppressions and intended sharing, sets each finding's level, and sorts.
pub fn finish(findings: Vec<Finding>, sources: &SourceMap, settings: &Settings) -> Vec<Reported> {
    let (kept, mut meta) = suppress::apply(findings, sources);
    let (kept, unused) = apply_config_ignores(kept, &settings.ignores);
    meta.extend(unused);
    let out: Vec<Reported> = kept
        .into_iter()
        .chain(meta)
        .filter_map(|finding| {
            let severity = settings.severity(finding.rule)?;
            Some(Reported { finding, severity })
        })
        .collect();
    sorted(out, sources)
}

/// The findings in a deterministic order: by the shown path and offset of their first place,
/// then rule and message (a stable sort, through an index: no message is copied).
fn sorted(findings: Vec<Reported>, sources: &SourceMap) -> Vec<Reported> {
    let keys: Vec<_> = findings.iter().map(|r| sort_key(r, sources)).collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    drop(keys);
    let mut slots: Vec<Option<Reported>> = findings.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
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
                entry.selector.matches(finding.rule)
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
                crate::catalog::UNUSED_SUPPRESSION,
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

fn sort_key<'r>(
    reported: &'r Reported,
    sources: &'r SourceMap,
) -> (&'r str, usize, &'static str, &'r str) {
    let first = reported.finding.labels.iter().find_map(|l| l.loc);
    let (path, offset) = match first {
        Some(loc) => (sources.file(loc.file).shown_path(), loc.span.start),
        None => ("\u{10FFFF}", 0),
    };
    (
        path,
        offset,
        reported.finding.rule.code,
        &reported.finding.message,
    )
}
