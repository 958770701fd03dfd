//! `--format junit`: JUnit XML for CI dashboards. One `<testsuite name="clawlint">` with a
//! test case per finding: the class is the rule (`CL101 gateway-port-collision`), the name
//! its place (the first party in a file) or, when it has none, its gateways. Errors and
//! warnings are `<failure type="error|warning">`; an info finding passes, with its details
//! in `<system-out>`, so that advice does not turn a dashboard red. With no finding, a
//! single passing case `clawlint` shows a green run.

use super::flat::{flatten, one_line, FlatFinding};
use super::xml::{attribute, text};
use crate::diagnostic::{Reported, Severity};
use crate::source::SourceMap;

pub fn render(findings: &[Reported], sources: &SourceMap, instances: usize) -> String {
    let failures = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    let tests = findings.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"clawlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"clawlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    out.push_str("    <properties>\n");
    out.push_str(&format!(
        "      <property name=\"gateways\" value=\"{instances}\"/>\n"
    ));
    out.push_str("    </properties>\n");
    if findings.is_empty() {
        out.push_str("    <testcase classname=\"clawlint\" name=\"clawlint\"/>\n");
    }
    for reported in findings {
        out.push_str(&testcase(&flatten(reported, sources)));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(f: &FlatFinding) -> String {
    let name = match f.anchor() {
        Some((_, p)) => format!("{}:{}:{}", p.file, p.line, p.column),
        None if !f.instances.is_empty() => format!("gateways {}", f.instances.join(", ")),
        None => one_line(&f.message),
    };
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
        attribute(&name)
    );
    let body = match f.severity {
        Severity::Info => format!("      <system-out>{}</system-out>\n", text(&details)),
        severity => format!(
            "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
            severity.as_str(),
            attribute(&one_line(&f.message)),
            text(&details)
        ),
    };
    format!("{open}{body}    </testcase>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::diagnostic::{Finding, Label};

    #[test]
    fn no_findings_is_one_passing_case_and_info_passes() {
        let sources = SourceMap::new();
        let empty = render(&[], &sources, 2);
        assert!(empty.contains("<testcase classname=\"clawlint\" name=\"clawlint\"/>"));
        assert!(empty.contains("tests=\"1\" failures=\"0\""));
        let info = Reported {
            finding: Finding::new(catalog::UNVERIFIABLE_CREDENTIAL, "cannot verify <token>")
                .label(Label::new(None, "ops: token", Some("ops"))),
            severity: Severity::Info,
        };
        let out = render(&[info], &sources, 1);
        assert!(out.contains("tests=\"1\" failures=\"0\""));
        assert!(out.contains(
            "<testcase classname=\"CL304 unverifiable-credential\" name=\"gateways ops\">"
        ));
        assert!(out.contains("<system-out>cannot verify &lt;token&gt;\nops: token\n</system-out>"));
        assert!(!out.contains("<failure"));
    }
}
