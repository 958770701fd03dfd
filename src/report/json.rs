//! `--format json`: one object per finding, every party with its exact place. Versioned:
//! fields are only ever added within a version.

use super::flat::{flatten, FlatFinding};
use crate::diagnostic::Reported;
use crate::source::SourceMap;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    findings: Vec<FlatFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize, Default)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub instances: usize,
}

pub fn summary(findings: &[Reported], instances: usize) -> Summary {
    use crate::diagnostic::Severity::*;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        errors: count(Error),
        warnings: count(Warning),
        infos: count(Info),
        instances,
    }
}

pub fn render(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
    let report = Report {
        version: SCHEMA_VERSION,
        findings: findings.iter().map(|r| flatten(r, sources)).collect(),
        summary: summary(findings, instances),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("serializable");
    text.push('\n');
    text
}
