//! `--format github`: GitHub Actions workflow commands, one annotation per finding, errors
//! first, then warnings, then notices. GitHub shows at most 10 annotations of each level per
//! step: past that, one notice says how many more there are and where they are listed (plain
//! log lines in a collapsed group), so that no finding is dropped without a word.
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

/// GitHub shows at most this many annotations of each level (error, warning, notice) per step
/// (and 50 per job); the rest of a step's workflow commands are dropped without a word.
pub const PER_LEVEL_CAP: usize = 10;

/// Errors first, then warnings, then notices (each in the engine's order), at most
/// [`PER_LEVEL_CAP`] annotations of each level. Past the cap, one notice (which takes one of
/// the notices' places) says how many more there are and where to read them, and they follow
/// as plain log lines in a collapsed group.
pub fn render(findings: &[Reported], sources: &SourceMap) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, sources).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// Writes the annotations (and the rest, past the caps) one finding at a time as each is
/// flattened: no string of the whole output.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let mut ordered: Vec<&Reported> = findings.iter().collect();
    // A stable sort: within a level, the engine's order.
    ordered.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let split = |notice_cap: usize| {
        let mut shown = [0usize; 3];
        let (mut annotated, mut hidden) = (Vec::new(), Vec::new());
        for &reported in &ordered {
            let level = level_index(reported.severity);
            let cap = if reported.severity == Severity::Info {
                notice_cap
            } else {
                PER_LEVEL_CAP
            };
            if shown[level] < cap {
                shown[level] += 1;
                annotated.push(reported);
            } else {
                hidden.push(reported);
            }
        }
        (annotated, hidden)
    };
    let (mut annotated, mut hidden) = split(PER_LEVEL_CAP);
    if !hidden.is_empty() {
        // The notice about the rest is a notice too: keep a place for it.
        (annotated, hidden) = split(PER_LEVEL_CAP - 1);
    }
    for reported in annotated {
        out.write_all(annotation(&flatten(reported, sources)).as_bytes())?;
    }
    if !hidden.is_empty() {
        let count = |s: Severity| hidden.iter().filter(|r| r.severity == s).count();
        let counts = [
            (count(Severity::Error), "error"),
            (count(Severity::Warning), "warning"),
            (count(Severity::Info), "info"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ");
        let message = format!(
            "{} more findings are not annotated ({counts}): GitHub shows at most {PER_LEVEL_CAP} \
             annotations of each level per step. They are listed in this step's log under \
             \"clawlint: findings past GitHub's annotation limit\"; every finding is also in \
             the SARIF report (code scanning) and in `clawlint check --format concise`.",
            hidden.len()
        );
        writeln!(
            out,
            "::notice title={}::{}",
            escape_property(&format!("clawlint: {} more findings", hidden.len())),
            escape_data(&message)
        )?;
        out.write_all(b"::group::clawlint: findings past GitHub's annotation limit\n")?;
        for reported in hidden {
            out.write_all(plain_line(&flatten(reported, sources)).as_bytes())?;
        }
        out.write_all(b"::endgroup::\n")?;
    }
    Ok(())
}

fn level_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// A finding as a log line (no workflow command): `PATH:LINE:COL: CODE [severity] message`.
/// A line that starts with `::` would be read as a command, so it never does.
fn plain_line(f: &FlatFinding) -> String {
    let place = match f.anchor() {
        Some((_, p)) => format!("{}:{}:{}: ", p.file, p.line, p.column),
        None => String::new(),
    };
    let line = format!(
        "{place}{} [{}] {}",
        f.code,
        f.severity.as_str(),
        super::flat::one_line(&f.message)
    );
    if line.starts_with("::") {
        format!(" {line}\n")
    } else {
        format!("{line}\n")
    }
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
            span: Span::new(19, 24),
        };
        let finding = Finding::new(&catalog::GATEWAY_PORT_COLLISION, "100% sure: a, b\r\nclash")
            .label(Label::new(Some(here), "a: port 18789", Some("a")))
            .label(Label::new(None, "b: port 18789 (default)", Some("b")))
            .help("fix: move b, or a");
        let reported = Reported {
            finding,
            severity: Severity::Warning,
        };
        assert_eq!(
            render(&[reported], &sources),
            "::warning file=dir%2Cwith%3Aodd%25name/openclaw.json,line=1,col=20,endLine=1,\
             endColumn=24,title=CL101 gateway-port-collision::100%25 sure: a, b\\r\\nclash\
             %0Aalso: b: port 18789 (default)%0Ahelp: fix: move b, or a\n"
        );
    }

    #[test]
    fn info_is_a_notice_and_unlocated_findings_have_no_file() {
        let sources = SourceMap::new();
        let reported = Reported {
            finding: Finding::new(&catalog::LISTENER_COLLISION, "shared")
                .label(Label::new(None, "a: 8787", Some("a")))
                .label(Label::new(None, "b: 8787", Some("b"))),
            severity: Severity::Info,
        };
        assert_eq!(
            render(&[reported], &sources),
            "::notice title=CL102 listener-collision::shared%0Aalso: a: 8787%0Aalso: b: 8787\n"
        );
    }

    #[test]
    fn errors_come_first_and_findings_past_the_cap_are_counted_and_listed() {
        let sources = SourceMap::new();
        let finding = |rule, severity| Reported {
            finding: Finding::new(rule, "shared").label(Label::new(None, "a", Some("a"))),
            severity,
        };
        let mut findings = vec![
            finding(&catalog::FOOTPRINT_OVERLAP, Severity::Info),
            finding(&catalog::HASHED_PROFILE_PORT, Severity::Warning),
        ];
        findings
            .extend((0..12).map(|_| finding(&catalog::GATEWAY_PORT_COLLISION, Severity::Error)));
        let out = render(&findings, &sources);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[..10].iter().all(|l| l.starts_with("::error ")),
            "{out}"
        );
        assert!(lines[10].starts_with("::warning "), "{out}");
        assert!(lines[11].starts_with("::notice title=CL105"), "{out}");
        assert!(
            lines[12].starts_with(
                "::notice title=clawlint%3A 2 more findings::2 more findings are not annotated (2 errors)"
            ),
            "{out}"
        );
        assert_eq!(
            lines[13],
            "::group::clawlint: findings past GitHub's annotation limit"
        );
        assert_eq!(lines[14], "CL101 [error] shared");
        assert_eq!(lines[16], "::endgroup::");
        assert_eq!(lines.len(), 17);
        // At the cap exactly, nothing is hidden and nothing is said.
        let out = render(&findings[2..12], &sources);
        assert!(!out.contains("more findings"), "{out}");
    }

    #[test]
    fn the_notice_about_the_rest_keeps_a_place_among_the_notices() {
        let sources = SourceMap::new();
        let findings: Vec<Reported> = (0..11)
            .map(|_| Reported {
                finding: Finding::new(&catalog::FOOTPRINT_OVERLAP, "near").label(Label::new(
                    None,
                    "a",
                    Some("a"),
                )),
                severity: Severity::Info,
            })
            .collect();
        let out = render(&findings, &sources);
        let notices = out.lines().filter(|l| l.starts_with("::notice ")).count();
        assert_eq!(notices, PER_LEVEL_CAP, "{out}");
        assert!(
            out.contains("2 more findings are not annotated (2 infos)"),
            "{out}"
        );
    }
}
