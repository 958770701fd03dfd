//! `--format json`: one object per finding, every party with its exact place. Versioned:
//! fields are only ever added within a version.

use super::flat::flatten;
use crate::diagnostic::Reported;
use crate::source::SourceMap;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

/// The report, with its findings flattened one at a time as they are written: no list of
/// every flattened finding, no string of the whole document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    findings: Findings<'a>,
    summary: Summary,
}

struct Findings<'a> {
    findings: &'a [Reported],
    sources: &'a SourceMap,
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sources = self.sources;
        serializer.collect_seq(self.findings.iter().map(|r| flatten(r, sources)))
    }
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
    let mut out = Vec::new();
    write(&mut out, findings, sources, instances).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the report to `out` as it is serialised, one finding at a time.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    sources: &SourceMap,
    instances: usize,
) -> std::io::Result<()> {
    let report = Report {
        version: SCHEMA_VERSION,
        findings: Findings { findings, sources },
        summary: summary(findings, instances),
    };
    // serde_json writes a document in pieces of a few bytes (quotes, colons, indentation):
    // buffered here, in a writer of a known type, they are copies, not a call through
    // `dyn Write` each.
    use std::io::Write as _;
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut *out);
    serde_json::to_writer_pretty(&mut buffered, &report)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// `--format json`, streamed.
pub struct JsonEmitter;

impl super::Emitter for JsonEmitter {
    fn emit(
        &self,
        out: &mut dyn std::io::Write,
        findings: &[Reported],
        context: &super::EmitterContext,
    ) -> std::io::Result<()> {
        write(out, findings, context.sources, context.instances)
    }
}
