//! `--format markdown`: a short report for a GitHub step summary or a pull-request comment:
//! the counts, the top findings (errors first) with their place, and every rule that fired
//! with its count and a link to its page. Every string from the layout is escaped, so a
//! pull request cannot inject markup into the summary.

use super::flat::{anchor, instances, one_line};
use super::visible::visible;
use super::EmitterContext;
use crate::catalog::Rule;
use crate::diagnostic::{Reported, Severity};
use std::borrow::Cow;

/// How many findings the table lists; the rest are counted.
pub const TOP: usize = 20;

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Info => "ℹ️ info",
    }
}

fn link(rule: &Rule) -> String {
    format!("[{} {}]({})", rule.code, rule.name, rule.doc_url())
}

pub fn render(findings: &[Reported], context: &EmitterContext) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let verdict = match findings.iter().any(|f| context.fails(f)) {
        true => "❌ fails",
        false => "✅ passes",
    };
    let mut out = format!(
        "## clawlint: {}, {}, {} in {}\n\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "info"),
        plural(context.instances, "gateway")
    );
    if findings.is_empty() {
        out.push_str("✅ No findings.\n");
        return out;
    }
    out.push_str(&format!("The run {verdict}.\n\n"));
    let mut ordered: Vec<&Reported> = findings.iter().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.severity));
    out.push_str("| level | rule | where | finding |\n|---|---|---|---|\n");
    for reported in ordered.iter().take(TOP) {
        let f = &reported.finding;
        let place = match anchor(f, context.sources) {
            Some(a) => format!("`{}:{}`", code_span(a.file), a.at.line),
            None => "-".to_string(),
        };
        let names: Vec<Cow<str>> = instances(f).map(visible).collect();
        let gateways = if names.is_empty() {
            String::new()
        } else {
            format!(" (gateways: {})", escape(&names.join(", ")))
        };
        out.push_str(&format!(
            "| {} | {} | {place} | {}{gateways} |\n",
            icon(reported.severity),
            link(reported.rule()),
            escape(&one_line(&visible(&f.message)))
        ));
    }
    if findings.len() > TOP {
        out.push_str(&format!(
            "\n… and {} more: see the annotations, the SARIF report, or `clawlint check --format concise`.\n",
            findings.len() - TOP
        ));
    }
    let mut rules: std::collections::BTreeMap<&'static Rule, (usize, Severity)> =
        Default::default();
    for reported in findings {
        let entry = rules
            .entry(reported.rule())
            .or_insert((0, reported.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(reported.severity);
    }
    let mut rules: Vec<_> = rules.into_iter().collect();
    rules.sort_by(|(a, (n, s)), (b, (m, t))| t.cmp(s).then(m.cmp(n)).then(a.cmp(b)));
    out.push_str("\n| rule | findings | level |\n|---|---:|---|\n");
    for (rule, (n, severity)) in rules {
        out.push_str(&format!(
            "| {} | {n} | {} |\n",
            link(rule),
            severity.as_str()
        ));
    }
    out
}

/// Text from the layout in a table cell: Markdown and HTML markup are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A path inside a code span: backticks and pipes cannot be escaped there, so they are
/// replaced.
fn code_span(text: &str) -> String {
    text.replace('`', "'")
        .replace('|', "¦")
        .replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::diagnostic::{Finding, Label};
    use crate::source::SourceMap;

    #[test]
    fn escapes_markup_from_the_layout() {
        assert_eq!(
            escape("<img src=x> | [a](b) `c` *d*"),
            "&lt;img src=x&gt; \\| \\[a\\](b) \\`c\\` \\*d\\*"
        );
        assert_eq!(code_span("a`b|c"), "a'b¦c");
    }

    #[test]
    fn counts_orders_errors_first_and_links_each_rule() {
        let sources = SourceMap::new();
        let reported = |rule, severity| Reported {
            finding: Finding::new(rule, "shared <x>").label(Label::new(None, "a", Some("a"))),
            severity,
        };
        let findings = [
            reported(&catalog::HASHED_PROFILE_PORT, Severity::Warning),
            reported(&catalog::SHARED_TELEGRAM_TOKEN, Severity::Error),
        ];
        let context = EmitterContext::new(&sources, 2);
        let out = render(&findings, &context);
        assert!(
            out.starts_with("## clawlint: 1 error, 1 warning, 0 infos in 2 gateways\n"),
            "{out}"
        );
        assert!(out.contains("The run ❌ fails."), "{out}");
        let error = out
            .find("| ❌ error | [CL301 shared-telegram-token](")
            .unwrap();
        let warning = out.find("| ⚠️ warning | [CL106").unwrap();
        assert!(error < warning, "{out}");
        assert!(
            out.contains("/docs/rules/CL301.md) | - | shared &lt;x&gt; (gateways: a) |"),
            "{out}"
        );
        let empty = render(&[], &context);
        assert!(empty.ends_with("✅ No findings.\n"), "{empty}");
    }
}
