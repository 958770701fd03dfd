//! `--format junit`: JUnit XML for CI dashboards. One `<testsuite name="clawlint">` with a
//! test case per finding: the class is the rule (`CL101 gateway-port-collision`), the name
//! its place (the first party in a file) and its gateways, made unique with ` #2`, ` #3`
//! where two findings of a rule would share one. Only findings at or above the failing level
//! (errors; warnings too with `--strict`; none with `--exit-zero`) are `<failure>`s, so the
//! dashboard agrees with the exit code; the others pass (or are skipped,
//! `--junit-below-failing skipped`) with their details in `<system-out>`. With no finding, a
//! single passing case `clawlint` shows a green run.

use super::flat::{flatten, one_line, FlatFinding};
use super::xml::{attribute, text};
use super::{EmitterContext, JunitBelowFailing};
use crate::diagnostic::{Reported, Severity};
use std::collections::HashMap;

pub fn render(findings: &[Reported], context: &EmitterContext) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, context).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// Writes the suite: its counts (known before any case is written), then one test case at a
/// time as each finding is flattened. No string of the whole document.
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
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    let counts =
        format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"");
    writeln!(out, "<testsuites name=\"clawlint\" {counts}>")?;
    writeln!(out, "  <testsuite name=\"clawlint\" {counts}>")?;
    out.write_all(b"    <properties>\n")?;
    writeln!(
        out,
        "      <property name=\"gateways\" value=\"{}\"/>",
        context.instances
    )?;
    writeln!(
        out,
        "      <property name=\"failing-level\" value=\"{level}\"/>"
    )?;
    out.write_all(b"    </properties>\n")?;
    if findings.is_empty() {
        out.write_all(b"    <testcase classname=\"clawlint\" name=\"clawlint\"/>\n")?;
    }
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for reported in findings {
        let f = flatten(reported, context.sources);
        let name = name_of(&f);
        let n = seen.entry((f.title(), name.clone())).or_insert(0);
        *n += 1;
        let name = match *n {
            1 => name,
            n => format!("{name} #{n}"),
        };
        let case = testcase(
            &f,
            &name,
            context.fails(reported),
            context.junit_below_failing,
        );
        out.write_all(case.as_bytes())?;
    }
    out.write_all(b"  </testsuite>\n</testsuites>\n")
}

/// A finding's test case name: its place and its gateways.
fn name_of(f: &FlatFinding) -> String {
    let gateways =
        (!f.instances.is_empty()).then(|| format!("gateways {}", f.instances.join(", ")));
    match (f.anchor(), gateways) {
        (Some((_, p)), Some(g)) => format!("{}:{}:{} ({g})", p.file, p.line, p.column),
        (Some((_, p)), None) => format!("{}:{}:{}", p.file, p.line, p.column),
        (None, Some(g)) => g,
        (None, None) => one_line(&f.message),
    }
}

fn testcase(f: &FlatFinding, name: &str, failed: bool, below: JunitBelowFailing) -> String {
    let mut details = format!("{}\n", f.message);
    for party in &f.parties {
        match &party.position {
            Some(p) => {
                details.push_str(&format!(
                    "{}:{}:{}: {}\n",
                    p.file, p.line, p.column, party.message
                ));
            }
            None => details.push_str(&format!("{}\n", party.message)),
        }
    }
    for note in &f.notes {
        details.push_str(&format!("note: {note}\n"));
    }
    if let Some(help) = &f.help {
        details.push_str(&format!("help: {help}\n"));
    }
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\">\n",
        attribute(&f.title()),
        attribute(name)
    );
    let severity = f.severity.as_str();
    let body = match (failed, below) {
        (true, _) => format!(
            "      <failure type=\"{severity}\" message=\"{}\">{}</failure>\n",
            attribute(&one_line(&f.message)),
            text(&details)
        ),
        (false, JunitBelowFailing::Passed) => {
            format!("      <system-out>{severity}: {}</system-out>\n", text(&details))
        }
        (false, JunitBelowFailing::Skipped) => format!(
            "      <skipped message=\"{severity} (below the failing level)\"/>\n      <system-out>{severity}: {}</system-out>\n",
            text(&details)
        ),
    };
    format!("{open}{body}    </testcase>\n")
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
