//! `--format github`: GitHub Actions workflow commands, one annotation per finding:
//!
//! ```text
//! ::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CL101 gateway-port-collision::MESSAGE
//! ```
//!
//! An annotation takes one place, so it sits at the first party that has one; every other
//! party follows in the message as `also: PATH:LINE:COL: LABEL` (or `also: LABEL` when it is
//! in no file), then the finding's notes and help. Columns are given only for a span on one
//! line, as check-run annotations accept them only then; `endColumn` is inclusive.
//! Escaping follows `@actions/core`'s `toCommandValue`/`escapeData`/`escapeProperty`.

use super::flat::{flatten, FlatFinding};
use crate::diagnostic::{Reported, Severity};
use crate::source::SourceMap;

pub fn render(findings: &[Reported], sources: &SourceMap, _instances: usize) -> String {
    findings
        .iter()
        .map(|r| annotation(&flatten(r, sources)))
        .collect()
}

fn annotation(f: &FlatFinding) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let anchor = f.anchor();
    let mut properties: Vec<(&str, String)> = Vec::new();
    if let Some((_, p)) = anchor {
        properties.push(("file", p.file.clone()));
        properties.push(("line", p.line.to_string()));
        if p.end_line == p.line {
            properties.push(("col", p.column.to_string()));
            properties.push(("endLine", p.end_line.to_string()));
            properties.push((
                "endColumn",
                p.end_column.saturating_sub(1).max(p.column).to_string(),
            ));
        } else {
            properties.push(("endLine", p.end_line.to_string()));
        }
    }
    properties.push(("title", f.title()));

    let mut message = f.message.to_string();
    for (i, party) in f.parties.iter().enumerate() {
        if anchor.is_some_and(|(a, _)| a == i) {
            continue;
        }
        match &party.position {
            Some(p) => {
                message.push_str(&format!(
                    "\nalso: {}:{}:{}: {}",
                    p.file, p.line, p.column, party.message
                ));
            }
            None => message.push_str(&format!("\nalso: {}", party.message)),
        }
    }
    for note in &f.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {help}"));
    }

    let properties = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect::<Vec<_>>()
        .join(",");
    format!("::{command} {properties}::{}\n", escape_data(&message))
}

/// `escapeData`: what a command's message needs.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeProperty`: a property value additionally cannot hold `:` or `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::diagnostic::{Finding, Label};
    use crate::load::json5::Span;
    use crate::source::Loc;
    use std::path::Path;

    #[test]
    fn escapes_messages_and_properties_like_the_actions_toolkit() {
        let mut sources = SourceMap::new();
        let file = sources.add(
            Path::new("dir,with:odd%name/openclaw.json"),
            "{ gateway: { port: 18789 } }\n".into(),
            None,
        );
        let here = Loc {
            file,
            span: Span { start: 19, end: 24 },
        };
        let finding = Finding::new(catalog::GATEWAY_PORT_COLLISION, "100% sure: a, b\r\nclash")
            .label(Label::new(Some(here), "a: port 18789", Some("a")))
            .label(Label::new(None, "b: port 18789 (default)", Some("b")))
            .help("fix: move b, or a");
        let reported = Reported {
            finding,
            severity: Severity::Warning,
        };
        assert_eq!(
            render(&[reported], &sources, 2),
            "::warning file=dir%2Cwith%3Aodd%25name/openclaw.json,line=1,col=20,endLine=1,\
             endColumn=24,title=CL101 gateway-port-collision::100%25 sure: a, b\\r\\nclash\
             %0Aalso: b: port 18789 (default)%0Ahelp: fix: move b, or a\n"
        );
    }

    #[test]
    fn info_is_a_notice_and_unlocated_findings_have_no_file() {
        let sources = SourceMap::new();
        let reported = Reported {
            finding: Finding::new(catalog::LISTENER_COLLISION, "shared")
                .label(Label::new(None, "a: 8787", Some("a")))
                .label(Label::new(None, "b: 8787", Some("b"))),
            severity: Severity::Info,
        };
        assert_eq!(
            render(&[reported], &sources, 2),
            "::notice title=CL102 listener-collision::shared%0Aalso: a: 8787%0Aalso: b: 8787\n"
        );
    }
}
