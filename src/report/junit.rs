//! `--format junit`: JUnit XML for CI dashboards. One `<testsuite name="clawlint">` with a
//! test case per finding: the class is the rule (`CL101 gateway-port-collision`), the name
//! its place (the first party in a file) and its gateways, made unique with ` #2`, ` #3`
//! where two findings of a rule would share one. Only findings at or above the failing level
//! (errors; warnings too with `--strict`; none with `--exit-zero`) are `<failure>`s, so the
//! dashboard agrees with the exit code; the others pass (or are skipped,
//! `--junit-below-failing skipped`) with their details in `<system-out>`. With no finding, a
//! single passing case `clawlint` shows a green run.

use super::flat::{anchor, instances, one_line, party_place};
use super::visible::visible;
use super::xml::{push_attribute, push_text};
use super::{Chunks, EmitterContext, JunitBelowFailing};
use crate::diagnostic::named_of;
use crate::diagnostic::{Reported, Severity};
use crate::source::SourceMap;
use std::collections::HashMap;
use std::io::Write as _;

pub fn render(findings: &[Reported], context: &EmitterContext) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, context).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// Writes the suite: its counts (known before any case is written), then one test case at a
/// time. No string of the whole document; what is kept per finding is its case's name (to
/// make names unique).
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    context: &EmitterContext,
) -> std::io::Result<()> {
    let failures = findings.iter().filter(|f| context.fails(f)).count();
    let skipped = match context.junit_below_failing {
        JunitBelowFailing::Skipped => findings.len() - failures,
        JunitBelowFailing::Passed => 0,
    };
    let tests = findings.len().max(1);
    let level = context.failing.map_or("none", Severity::as_str);
    let mut out = Chunks::new(out);
    let buf = &mut out.buf;
    buf.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts =
        format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"");
    let _ = writeln!(buf, "<testsuites name=\"clawlint\" {counts}>");
    let _ = writeln!(buf, "  <testsuite name=\"clawlint\" {counts}>");
    buf.extend_from_slice(b"    <properties>\n");
    let _ = writeln!(
        buf,
        "      <property name=\"gateways\" value=\"{}\"/>",
        context.instances
    );
    let _ = writeln!(
        buf,
        "      <property name=\"failing-level\" value=\"{level}\"/>"
    );
    buf.extend_from_slice(b"    </properties>\n");
    if findings.is_empty() {
        buf.extend_from_slice(b"    <testcase classname=\"clawlint\" name=\"clawlint\"/>\n");
    }
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    let mut scratch = String::new();
    for reported in findings {
        let mut name = name_of(reported, context.sources);
        let n = seen
            .entry((reported.finding.rule.code, name.clone()))
            .or_insert(0);
        *n += 1;
        if *n > 1 {
            let _ = std::fmt::Write::write_fmt(&mut name, format_args!(" #{n}"));
        }
        let case = Case {
            reported,
            name: &name,
            failed: context.fails(reported),
            below: context.junit_below_failing,
        };
        case.write(&mut out.buf, context.sources, &mut scratch);
        out.pass_full()?;
    }
    out.buf
        .extend_from_slice(b"  </testsuite>\n</testsuites>\n");
    out.finish()
}

/// A finding's test case name: its place and its gateways.
fn name_of(reported: &Reported, sources: &SourceMap) -> String {
    let f = &reported.finding;
    let mut name = String::new();
    let mut gateways = instances(f).peekable();
    let any_gateway = gateways.peek().is_some();
    let anchor = anchor(f, sources);
    if let Some(a) = &anchor {
        name = format!("{}:{}:{}", a.file, a.at.line, a.at.column);
        if any_gateway {
            name.push_str(" (");
        }
    }
    // The first few of many gateways and a count of the rest, as a message names them: the
    // case's details name every one, and a repeated name gets ` #2`.
    let gateways: Vec<&str> = gateways.collect();
    let shown = named_of(gateways.len());
    for (i, gateway) in gateways[..shown].iter().enumerate() {
        name.push_str(if i == 0 { "gateways " } else { ", " });
        name.push_str(&visible(gateway));
    }
    if shown < gateways.len() {
        name.push_str(&format!(" and {} more", gateways.len() - shown));
    }
    match (anchor.is_some(), any_gateway) {
        (true, true) => name.push(')'),
        (false, false) => name = one_line(&visible(&f.message)).into_owned(),
        _ => {}
    }
    name
}

/// One test case: a failure, a passing case or a skipped one, with the finding's details.
struct Case<'a> {
    reported: &'a Reported,
    name: &'a str,
    failed: bool,
    below: JunitBelowFailing,
}

impl Case<'_> {
    fn write(&self, buf: &mut Vec<u8>, sources: &SourceMap, scratch: &mut String) {
        let f = &self.reported.finding;
        let severity = self.reported.severity.as_str();
        buf.extend_from_slice(b"    <testcase classname=\"");
        push_attribute(buf, &format!("{} {}", f.rule.code, f.rule.name));
        buf.extend_from_slice(b"\" name=\"");
        push_attribute(buf, self.name);
        buf.extend_from_slice(b"\">\n");
        match (self.failed, self.below) {
            (true, _) => {
                let _ = write!(buf, "      <failure type=\"{severity}\" message=\"");
                push_attribute(buf, &one_line(&visible(&f.message)));
                buf.extend_from_slice(b"\">");
                details(buf, self.reported, sources, scratch);
                buf.extend_from_slice(b"</failure>\n");
            }
            (false, below) => {
                if below == JunitBelowFailing::Skipped {
                    let _ = writeln!(
                        buf,
                        "      <skipped message=\"{severity} (below the failing level)\"/>"
                    );
                }
                let _ = write!(buf, "      <system-out>{severity}: ");
                details(buf, self.reported, sources, scratch);
                buf.extend_from_slice(b"</system-out>\n");
            }
        }
        buf.extend_from_slice(b"    </testcase>\n");
    }
}

/// The finding's message, every party (with its place when it has one), its notes and help,
/// a line each, as XML character data.
fn details(buf: &mut Vec<u8>, reported: &Reported, sources: &SourceMap, scratch: &mut String) {
    let f = &reported.finding;
    push_text(buf, &visible(&f.message));
    buf.push(b'\n');
    for label in &f.labels {
        if let Some((file, at)) = party_place(label, sources) {
            push_text(buf, &format!("{file}:{}:{}: ", at.line, at.column));
        }
        push_text(buf, &visible(&label.message));
        buf.push(b'\n');
    }
    for note in &f.notes {
        buf.extend_from_slice(b"note: ");
        push_text(buf, &visible(note.as_str(scratch)));
        buf.push(b'\n');
    }
    if let Some(help) = &f.help {
        buf.extend_from_slice(b"help: ");
        push_text(buf, &visible(help));
        buf.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Rule};
    use crate::diagnostic::{Finding, Label};
    use crate::source::SourceMap;

    fn context(
        sources: &SourceMap,
        failing: Option<Severity>,
        below: JunitBelowFailing,
    ) -> EmitterContext<'_> {
        EmitterContext {
            failing,
            junit_below_failing: below,
            ..EmitterContext::new(sources, 2)
        }
    }

    fn reported(rule: &'static Rule, severity: Severity, gateway: &str) -> Reported {
        Reported {
            finding: Finding::new(rule, "cannot verify <token>").label(Label::new(
                None,
                format!("{gateway}: token"),
                Some(gateway),
            )),
            severity,
        }
    }

    #[test]
    fn no_findings_is_one_passing_case_and_info_passes() {
        let sources = SourceMap::new();
        let passed = context(&sources, Some(Severity::Error), JunitBelowFailing::Passed);
        let empty = render(&[], &passed);
        assert!(empty.contains("<testcase classname=\"clawlint\" name=\"clawlint\"/>"));
        assert!(empty.contains("tests=\"1\" failures=\"0\""));
        let info = reported(&catalog::UNVERIFIABLE_CREDENTIAL, Severity::Info, "ops");
        let out = render(&[info], &passed);
        assert!(out.contains("tests=\"1\" failures=\"0\""));
        assert!(out.contains(
            "<testcase classname=\"CL304 unverifiable-credential\" name=\"gateways ops\">"
        ));
        assert!(out
            .contains("<system-out>info: cannot verify &lt;token&gt;\nops: token\n</system-out>"));
        assert!(!out.contains("<failure"));
    }

    #[test]
    fn only_findings_at_the_failing_level_fail_and_ids_are_unique() {
        let sources = SourceMap::new();
        let findings = [
            reported(&catalog::GATEWAY_PORT_COLLISION, Severity::Error, "a"),
            reported(&catalog::GATEWAY_PORT_COLLISION, Severity::Error, "a"),
            reported(&catalog::HASHED_PROFILE_PORT, Severity::Warning, "b"),
        ];
        let out = render(
            &findings,
            &context(&sources, Some(Severity::Error), JunitBelowFailing::Passed),
        );
        assert!(
            out.contains("tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\""),
            "{out}"
        );
        assert!(out.contains("name=\"gateways a\">"), "{out}");
        assert!(out.contains("name=\"gateways a #2\">"), "{out}");
        assert_eq!(out.matches("<failure type=\"error\"").count(), 2, "{out}");
        assert!(
            out.contains("<system-out>warning: cannot verify"),
            "a warning passes: {out}"
        );
        let skipped = render(
            &findings,
            &context(&sources, Some(Severity::Error), JunitBelowFailing::Skipped),
        );
        assert!(
            skipped.contains("failures=\"2\" errors=\"0\" skipped=\"1\""),
            "{skipped}"
        );
        assert!(
            skipped.contains("<skipped message=\"warning (below the failing level)\"/>"),
            "{skipped}"
        );
        // --strict: warnings fail too.
        let strict = render(
            &findings,
            &context(&sources, Some(Severity::Warning), JunitBelowFailing::Passed),
        );
        assert!(strict.contains("failures=\"3\""), "{strict}");
        assert!(strict.contains("<failure type=\"warning\""), "{strict}");
        // --exit-zero fails nothing.
        let zero = render(
            &findings,
            &context(&sources, None, JunitBelowFailing::Passed),
        );
        assert!(
            zero.contains("failures=\"0\"") && !zero.contains("<failure"),
            "{zero}"
        );
    }
}
