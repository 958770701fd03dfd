//! Rules: functions over the whole inventory that return findings. A rule never parses and
//! never decides how loud it is; the engine sets each finding's severity.

pub mod browser;
pub mod catalog;
pub mod credentials;
pub mod group;
pub mod paths;
pub mod ports;
pub mod problems;

use crate::diagnostic::{Finding, Reported, Severity};
use crate::resolve::Instance;
use crate::source::SourceMap;
use std::collections::HashMap;

/// What every rule sees.
pub struct RuleContext<'a> {
    pub instances: &'a [Instance],
    pub sources: &'a SourceMap,
}

type RuleSet = fn(&RuleContext) -> Vec<Finding>;

/// Each family's rules, in the order they run.
const FAMILIES: &[RuleSet] = &[
    ports::check,
    paths::check,
    credentials::check,
    browser::check,
    problems::check,
];

/// Per-rule levels chosen by the user: `None` turns a rule off.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub overrides: HashMap<String, Option<Severity>>,
}

impl Levels {
    pub fn severity(&self, info: &catalog::RuleInfo) -> Option<Severity> {
        match self.overrides.get(&info.code) {
            Some(level) => *level,
            None => info.category.default_severity(),
        }
    }
}

/// Runs every rule, drops what is turned off, and sorts the rest deterministically.
pub fn run(ctx: &RuleContext, levels: &Levels) -> Vec<Reported> {
    let mut out = Vec::new();
    for family in FAMILIES {
        for finding in family(ctx) {
            let info = catalog::find(finding.code)
                .unwrap_or_else(|| panic!("{} has no page in rules/", finding.code));
            if let Some(severity) = levels.severity(info) {
                out.push(Reported {
                    finding,
                    severity,
                    rule_name: info.name.as_str(),
                });
            }
        }
    }
    out.sort_by_cached_key(|r| sort_key(r, ctx.sources));
    out
}

fn sort_key(reported: &Reported, sources: &SourceMap) -> (String, usize, &'static str, String) {
    let first = reported.finding.labels.iter().find_map(|l| l.loc);
    let (path, offset) = match first {
        Some(loc) => (
            sources.file(loc.file).path.display().to_string(),
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
