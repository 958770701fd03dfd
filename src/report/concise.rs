//! `--format concise`: one line per finding, ruff-style, then the summary line:
//!
//! ```text
//! path:line:col: CL101 [error] message (gateways: a, b)
//! path:line:col: CL106 [*] [warning] message (gateways: b)
//! -: CL202 [error] message (gateways: a, b)
//! 3 gateways checked: 1 error, 0 warnings, 0 infos
//! ```
//!
//! The place is the first party that has one (the primary party when it has a place); a
//! finding none of whose parties is in a file gets `-`.

use super::flat::{anchor, fix_mark, instances, one_line};
use super::visible::visible;
use super::Chunks;
use crate::diagnostic::Reported;
use crate::source::SourceMap;
use std::io::Write as _;

pub fn render(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, sources, instances, false).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// Writes the findings one line at a time, then the summary line (unless `quiet`): no
/// string of the whole output, nothing kept per finding.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    sources: &SourceMap,
    instances: usize,
    quiet: bool,
) -> std::io::Result<()> {
    let mut out = Chunks::new(out);
    for reported in findings {
        line(&mut out.buf, reported, sources);
        out.pass_full()?;
    }
    if !quiet {
        out.buf
            .extend_from_slice(summary_line(findings, instances).as_bytes());
    }
    out.finish()
}

/// `path:line:col: CODE [severity] message (gateways: a, b)` and its line break.
fn line(buf: &mut Vec<u8>, reported: &Reported, sources: &SourceMap) {
    let f = &reported.finding;
    match anchor(f, sources) {
        Some(a) => {
            let _ = write!(buf, "{}:{}:{}", a.file, a.at.line, a.at.column);
        }
        None => buf.push(b'-'),
    }
    let _ = write!(
        buf,
        ": {}{} [{}] {}",
        f.rule.code,
        fix_mark(f.fix.as_ref().map(|fix| fix.applicability)),
        reported.severity.as_str(),
        one_line(&visible(&f.message))
    );
    for (i, name) in instances(f).enumerate() {
        buf.extend_from_slice(if i == 0 { b" (gateways: " } else { b", " });
        buf.extend_from_slice(visible(name).as_bytes());
    }
    if f.labels.iter().any(|l| l.instance.is_some()) {
        buf.push(b')');
    }
    buf.push(b'\n');
}

/// The closing line of the concise and human formats:
/// `3 gateways checked: 1 error, 2 warnings, 0 infos`.
pub(crate) fn summary_line(findings: &[Reported], instances: usize) -> String {
    let s = super::json::summary(findings, instances);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} checked: {}, {}, {}\n",
        plural(instances, "gateway"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::diagnostic::{Finding, Label, Severity};
    use crate::load::json5::Span;
    use crate::source::Loc;
    use std::path::Path;

    #[test]
    fn unlocated_findings_use_a_dash_and_located_ones_the_first_place() {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("a.json"), "{\n  port: 1,\n}\n".into(), None);
        let loc = Loc {
            file,
            span: Span::new(10, 11),
        };
        let findings = vec![
            Reported {
                finding: Finding::new(
                    &catalog::GATEWAY_PORT_COLLISION,
                    "two gateways\non one port",
                )
                .label(Label::new(None, "a: port 1 (default)", Some("a")))
                .label(Label::new(Some(loc), "b: port 1", Some("b"))),
                severity: Severity::Error,
            },
            Reported {
                finding: Finding::new(&catalog::LISTENER_COLLISION, "shared listener")
                    .label(Label::new(None, "a", Some("a"))),
                severity: Severity::Info,
            },
        ];
        assert_eq!(
            render(&findings, &sources, 2),
            // A line break in a message is shown, not acted on (messages carry layout text).
            "a.json:2:9: CL101 [error] two gateways\\non one port (gateways: a, b)\n\
             -: CL102 [info] shared listener (gateways: a)\n\
             2 gateways checked: 1 error, 0 warnings, 1 info\n"
        );
    }
}
