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

use super::flat::{anchor, one_line, party_place, Anchor};
use super::visible::visible;
use super::Chunks;
use crate::diagnostic::{Reported, Severity};
use crate::source::SourceMap;
use std::io::Write as _;

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

/// Writes the annotations (and the rest, past the caps) one finding at a time: no string of
/// the whole output, nothing kept per finding but its place in the order.
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
    let mut out = Chunks::new(out);
    for reported in annotated {
        annotation(&mut out.buf, reported, sources);
        out.pass_full()?;
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
        let buf = &mut out.buf;
        buf.extend_from_slice(b"::notice title=");
        property(buf, &format!("clawlint: {} more findings", hidden.len()));
        buf.extend_from_slice(b"::");
        data(buf, &message);
        buf.extend_from_slice(b"\n::group::clawlint: findings past GitHub's annotation limit\n");
        for reported in hidden {
            plain_line(&mut out.buf, reported, sources);
            out.pass_full()?;
        }
        out.buf.extend_from_slice(b"::endgroup::\n");
    }
    out.finish()
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
fn plain_line(buf: &mut Vec<u8>, reported: &Reported, sources: &SourceMap) {
    let f = &reported.finding;
    let start = buf.len();
    if let Some(Anchor { file, at, .. }) = anchor(f, sources) {
        let _ = write!(buf, "{file}:{}:{}: ", at.line, at.column);
    }
    let _ = writeln!(
        buf,
        "{} [{}] {}",
        f.rule.code,
        reported.severity.as_str(),
        one_line(&visible(&f.message))
    );
    if buf[start..].starts_with(b"::") {
        buf.insert(start, b' ');
    }
}

/// `::error file=...,title=CODE name::MESSAGE` and its line break: the finding at its anchor,
/// every other party as `also: ...`, then its notes and help, in the message.
fn annotation(buf: &mut Vec<u8>, reported: &Reported, sources: &SourceMap) {
    let f = &reported.finding;
    let command = match reported.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    buf.extend_from_slice(b"::");
    buf.extend_from_slice(command.as_bytes());
    buf.push(b' ');
    let anchor = anchor(f, sources);
    if let Some(Anchor { file, at, .. }) = &anchor {
        buf.extend_from_slice(b"file=");
        property(buf, file);
        let _ = write!(buf, ",line={}", at.line);
        if at.end_line == at.line {
            let end_column = at.end_column.saturating_sub(1).max(at.column);
            let _ = write!(
                buf,
                ",col={},endLine={},endColumn={end_column}",
                at.column, at.end_line
            );
        } else {
            let _ = write!(buf, ",endLine={}", at.end_line);
        }
        buf.push(b',');
    }
    buf.extend_from_slice(b"title=");
    property(buf, &format!("{} {}", f.rule.code, f.rule.name));
    buf.extend_from_slice(b"::");
    data(buf, &visible(&f.message));
    for (i, label) in f.labels.iter().enumerate() {
        if anchor.as_ref().is_some_and(|a| a.index == i) {
            continue;
        }
        data(buf, "\nalso: ");
        if let Some((file, at)) = party_place(label, sources) {
            data(buf, &format!("{file}:{}:{}: ", at.line, at.column));
        }
        data(buf, &visible(&label.message));
    }
    let mut scratch = String::new();
    for note in &f.notes {
        data(buf, "\nnote: ");
        data(buf, &visible(note.as_str(&mut scratch)));
    }
    if let Some(help) = &f.help {
        data(buf, "\nhelp: ");
        data(buf, &visible(help));
    }
    buf.push(b'\n');
}

/// `escapeData`: what a command's message needs.
pub fn escape_data(text: &str) -> String {
    let mut buf = Vec::with_capacity(text.len());
    data(&mut buf, text);
    String::from_utf8(buf).expect("UTF-8 in, UTF-8 out")
}

/// `escapeProperty`: a property value additionally cannot hold `:` or `,`.
pub fn escape_property(text: &str) -> String {
    let mut buf = Vec::with_capacity(text.len());
    property(&mut buf, text);
    String::from_utf8(buf).expect("UTF-8 in, UTF-8 out")
}

/// Writes `text` escaped as `escapeData` does (`%`, `\r`, `\n`).
fn data(buf: &mut Vec<u8>, text: &str) {
    escape(buf, text, false);
}

/// Writes `text` escaped as `escapeProperty` does (also `:` and `,`).
fn property(buf: &mut Vec<u8>, text: &str) {
    escape(buf, text, true);
}

/// The toolkit's escapes are whole ASCII bytes replaced by `%XX`, so a text is escaped byte
/// by byte, its clean runs copied at once.
fn escape(buf: &mut Vec<u8>, text: &str, property: bool) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'%' => b"%25",
            b'\r' => b"%0D",
            b'\n' => b"%0A",
            b':' if property => b"%3A",
            b',' if property => b"%2C",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[clean_from..i]);
        buf.extend_from_slice(escaped);
        clean_from = i + 1;
    }
    buf.extend_from_slice(&bytes[clean_from..]);
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
