//! `--format json`: one object per finding, every party with its exact place. Versioned:
//! fields are only ever added within a version.

use super::{position, showable, Position};
use crate::diagnostic::Reported;
use crate::source::SourceMap;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    findings: Vec<FindingJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    instances: Vec<String>,
    parties: Vec<PartyJson<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct PartyJson<'a> {
    role: &'static str,
    instance: Option<&'a str>,
    message: &'a str,
    #[serde(flatten)]
    position: Option<Position>,
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

/// `--format json`.
pub struct JsonEmitter;

impl super::Emitter for JsonEmitter {
    fn emit(
        &self,
        out: &mut dyn std::io::Write,
        findings: &[Reported],
        context: &super::EmitterContext,
    ) -> std::io::Result<()> {
        out.write_all(render(findings, context.sources, context.instances).as_bytes())
    }
}

pub fn render(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
    let report = Report {
        version: SCHEMA_VERSION,
        findings: findings.iter().map(|r| finding(r, sources)).collect(),
        summary: summary(findings, instances),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("serializable");
    text.push('\n');
    text
}

fn finding<'a>(reported: &'a Reported, sources: &SourceMap) -> FindingJson<'a> {
    let f = &reported.finding;
    FindingJson {
        code: f.code,
        name: reported.rule_name,
        severity: reported.severity.as_str(),
        message: &f.message,
        instances: f.instances(),
        parties: f
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| PartyJson {
                role: if i == 0 { "primary" } else { "related" },
                instance: l.instance.as_deref(),
                message: &l.message,
                position: showable(sources, l.loc).map(|loc| position(sources, loc)),
            })
            .collect(),
        notes: &f.notes,
        help: f.help.as_deref(),
    }
}
