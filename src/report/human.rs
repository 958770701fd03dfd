//! Human output: each finding rendered by miette like rustc and ruff render theirs, every
//! party labelled on its exact span; parties in other files follow as related diagnostics.

use crate::diagnostic::{Reported, Severity};
use crate::source::{FileId, SourceMap};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;

/// Fixed width when not writing to a terminal, so output is the same everywhere.
pub const DEFAULT_WIDTH: usize = 100;

#[derive(Debug)]
struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn named_source(sources: &SourceMap, file: FileId) -> NamedSource<String> {
    let f = sources.file(file);
    NamedSource::new(crate::paths::display_path(&f.path), f.redacted_text())
}

/// A note: a related diagnostic with no source.
fn note(message: String) -> Rendered {
    Rendered {
        message,
        code: None,
        severity: miette::Severity::Advice,
        source: None,
        labels: Vec::new(),
        help: None,
        related: Vec::new(),
    }
}

fn build(reported: &Reported, sources: &SourceMap) -> Rendered {
    let finding = &reported.finding;
    let mut files: Vec<(FileId, Vec<LabeledSpan>)> = Vec::new();
    let mut related = Vec::new();
    for (index, label) in finding.labels.iter().enumerate() {
        let Some(loc) = super::showable(sources, label.loc) else {
            related.push(note(label.message.clone()));
            continue;
        };
        let length = loc.span.end.saturating_sub(loc.span.start);
        let span = LabeledSpan::new(Some(label.message.clone()), loc.span.start, length);
        let span = if index == 0 {
            LabeledSpan::new_primary_with_span(
                Some(label.message.clone()),
                (loc.span.start, length),
            )
        } else {
            span
        };
        match files.iter_mut().find(|(f, _)| *f == loc.file) {
            Some((_, spans)) => spans.push(span),
            None => files.push((loc.file, vec![span])),
        }
    }
    related.extend(finding.notes.iter().map(|n| note(format!("note: {n}"))));
    let mut files = files.into_iter();
    let primary = files.next();
    let mut in_other_files: Vec<Rendered> = files
        .map(|(file, labels)| Rendered {
            message: format!(
                "and in {}",
                crate::paths::display_path(&sources.file(file).path)
            ),
            code: None,
            severity: miette::Severity::Advice,
            source: Some(named_source(sources, file)),
            labels,
            help: None,
            related: Vec::new(),
        })
        .collect();
    in_other_files.append(&mut related);
    Rendered {
        message: finding.message.clone(),
        code: Some(format!("{}({})", finding.code, reported.rule_name)),
        severity: miette_severity(reported.severity),
        source: primary
            .as_ref()
            .map(|(file, _)| named_source(sources, *file)),
        labels: primary.map(|(_, labels)| labels).unwrap_or_default(),
        help: finding.help.clone(),
        related: in_other_files,
    }
}

pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

pub fn render(
    findings: &[Reported],
    sources: &SourceMap,
    instances: usize,
    options: &HumanOptions,
) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    for reported in findings {
        let diagnostic = build(reported, sources);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out.push_str(&format!(
                "{}: {}\n",
                reported.finding.code, reported.finding.message
            ));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(findings, instances));
    out
}

fn summary_line(findings: &[Reported], instances: usize) -> String {
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
