//! Rules: functions over the whole inventory that return findings. A rule never parses and
//! never decides how loud it is; the engine sets each finding's severity.

pub mod browser;
pub mod catalog;
pub mod credentials;
pub mod group;
pub mod paths;
pub mod ports;
pub mod problems;
pub mod services;
pub mod validity;

use crate::config::{selects, LevelName};
use crate::diagnostic::{Finding, Label, Reported, Severity};
use crate::resolve::Instance;
use crate::source::{Loc, SourceMap};
use crate::suppress;
use std::collections::BTreeMap;

/// What every rule sees.
pub struct RuleContext<'a> {
    pub instances: &'a [Instance],
    pub sources: &'a SourceMap,
    /// Problems with files that belong to no gateway.
    pub problems: &'a [crate::load::Problem],
}

impl<'a> RuleContext<'a> {
    pub fn new(inventory: &'a crate::discover::Inventory) -> Self {
        RuleContext {
            instances: &inventory.instances,
            sources: &inventory.sources,
            problems: &inventory.problems,
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

/// Sharing declared as intended in `clawlint.toml`.
#[derive(Debug, Clone)]
pub struct ConfigIgnore {
    pub rule: String,
    pub instances: Vec<String>,
    /// The entry in `clawlint.toml`, for reporting it when it matches nothing.
    pub loc: Option<Loc>,
}

/// What the user chose: `clawlint.toml` first, the command line on top.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Run only rules matching these codes, prefixes or names (empty: all).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub levels: BTreeMap<String, LevelName>,
    /// `-W CODE` and `-D CODE`, applied last.
    pub warn: Vec<String>,
    pub deny: Vec<String>,
    pub ignores: Vec<ConfigIgnore>,
}

impl Settings {
    pub fn severity(&self, info: &catalog::RuleInfo) -> Option<Severity> {
        let hits = |list: &[String]| list.iter().any(|s| selects(s, &info.code, &info.name));
        let mut level = info.category.default_severity();
        if !self.select.is_empty() {
            level = match hits(&self.select) {
                true => level.or(Some(Severity::Warning)),
                false => None,
            };
        }
        if hits(&self.ignore) {
            level = None;
        }
        let configured = self
            .levels
            .iter()
            .filter(|(k, _)| selects(k, &info.code, &info.name))
            .max_by_key(|(k, _)| k.len());
        if let Some((_, name)) = configured {
            level = name.severity();
        }
        if hits(&self.warn) {
            level = Some(Severity::Warning);
        }
        if hits(&self.deny) {
            level = Some(Severity::Error);
        }
        level
    }
}

/// Runs every rule, applies suppressions and intended sharing, sets each finding's level,
/// and sorts the result deterministically.
pub fn run(ctx: &RuleContext, settings: &Settings) -> Vec<Reported> {
    let raw = run_families(ctx);
    let (kept, mut meta) = suppress::apply(raw, ctx.sources);
    let (kept, unused) = apply_config_ignores(kept, &settings.ignores);
    meta.extend(unused);
    let mut out: Vec<Reported> = kept
        .into_iter()
        .chain(meta)
        .filter_map(|finding| {
            let info = catalog::find(finding.code)
                .unwrap_or_else(|| panic!("{} has no page in rules/", finding.code));
            let severity = settings.severity(info)?;
            Some(Reported {
                finding,
                severity,
                rule_name: info.name.as_str(),
            })
        })
        .collect();
    out.sort_by_cached_key(|r| sort_key(r, ctx.sources));
    out
}

/// Families run on all cores, each on its own thread; results are joined in family order,
/// so the output does not depend on scheduling.
fn run_families(ctx: &RuleContext) -> Vec<Finding> {
    if ctx.instances.len() < 64 {
        return FAMILIES.iter().flat_map(|family| family(ctx)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = FAMILIES
            .iter()
            .map(|family| scope.spawn(move || family(ctx)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// An `[[ignore]]` entry matches a finding of its rule whose gateways are all among its own.
fn apply_config_ignores(
    findings: Vec<Finding>,
    ignores: &[ConfigIgnore],
) -> (Vec<Finding>, Vec<Finding>) {
    let mut used = vec![false; ignores.len()];
    let kept = findings
        .into_iter()
        .filter(|finding| {
            let instances = finding.instances();
            let hit = ignores.iter().position(|entry| {
                finding.code.starts_with(&entry.rule.to_ascii_uppercase())
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
                "CL903",
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

fn sort_key(reported: &Reported, sources: &SourceMap) -> (String, usize, &'static str, String) {
    let first = reported.finding.labels.iter().find_map(|l| l.loc);
    let (path, offset) = match first {
        Some(loc) => (
            crate::paths::display_path(&sources.file(loc.file).path),
            loc.span.start,
        ),
        None => (String::from("\u{10FFFF}"), 0),
    };
    (
        path,
        offset,
        reported.finding.code,
        reported.finding.message.clone(),
    )
}
