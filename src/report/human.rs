//! Human output: each finding rendered by miette like rustc and ruff render theirs, every
//! party labelled on its exact span; parties in other files follow as related diagnostics.

use super::flat::rule_of;
use super::visible::visible;
use crate::diagnostic::{Reported, Severity};
use crate::source::{FileId, SourceMap};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;

/// Fixed width when not writing to a terminal, so output is the same everywhere.
pub const DEFAULT_WIDTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_label() {
        let line = format!("{}X{}\nshort\n", "a".repeat(1000), "b".repeat(1000));
        let (shown, map) = clip_long_lines(&line, &[(1000, 1001)]);
        assert!(shown.len() < 400, "{}", shown.len());
        assert_eq!(&shown[map(1000)..map(1001)], "X");
        assert!(shown.ends_with("…\nshort\n"));
        assert!(shown.starts_with('…'));
        let (same, map) = clip_long_lines("abc\ndef", &[(5, 6)]);
        assert_eq!(same, "abc\ndef");
        assert_eq!(map(5), 5);
    }
}

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

/// Lines longer than this are cut down to the labelled part.
const MAX_LINE: usize = 200;
/// Characters kept on each side of a label in a cut line.
const CONTEXT: usize = 60;

/// The file's text as shown (secrets masked, overlong lines cut around the labels), with the
/// spans moved to match.
fn named_source(
    sources: &SourceMap,
    file: FileId,
    spans: &mut [LabeledSpan],
) -> NamedSource<String> {
    let f = sources.file(file);
    let text = f.redacted_text();
    let ranges: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| (s.offset(), s.offset() + s.len()))
        .collect();
    let (shown, map) = clip_long_lines(&text, &ranges);
    for span in spans.iter_mut() {
        let (start, end) = (map(span.offset()), map(span.offset() + span.len()));
        let moved = (start, end.saturating_sub(start));
        let label = span.label().map(str::to_string);
        *span = if span.primary() {
            LabeledSpan::new_primary_with_span(label, moved)
        } else {
            LabeledSpan::new_with_span(label, moved)
        };
    }
    NamedSource::new(crate::paths::display_path(&f.path), shown)
}

/// Cuts each line over [`MAX_LINE`] bytes to the stretch around the spans on it, marking cuts
/// with `…`, and shows what is kept through [`visible`](super::visible) (a line's own line
/// break stays). Returns the new text and a function mapping old offsets to new ones.
fn clip_long_lines(text: &str, spans: &[(usize, usize)]) -> (String, impl Fn(usize) -> usize) {
    let mut out = String::with_capacity(text.len().min(1 << 16));
    // (old start, new start, length) of each stretch copied as is, in order; an escaped
    // character is a stretch of length 0 at its escape.
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let (from, to) = if line.len() > MAX_LINE {
            let on_line: Vec<&(usize, usize)> = spans
                .iter()
                .filter(|(s, _)| (line_start..line_end).contains(s))
                .collect();
            let first = on_line.iter().map(|(s, _)| *s).min().unwrap_or(line_start);
            let last = on_line.iter().map(|(_, e)| *e).max().unwrap_or(line_start);
            let from = floor_boundary(text, first.saturating_sub(CONTEXT).max(line_start));
            let to = floor_boundary(text, (last + CONTEXT).min(line_end));
            (from, to.max(from))
        } else {
            (line_start, line_end)
        };
        if from > line_start {
            out.push('…');
        }
        let body_end = from + text[from..to].trim_end_matches(['\n', '\r']).len();
        push_shown(text, from, body_end, &mut out, &mut kept);
        kept.push((body_end, out.len(), to - body_end));
        out.push_str(&text[body_end..to]);
        if to < line_end {
            out.push('…');
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
        line_start = line_end;
    }
    let map = move |offset: usize| {
        let index = kept
            .partition_point(|(old, _, _)| *old <= offset)
            .saturating_sub(1);
        match kept.get(index) {
            Some((old, new, len)) => new + (offset - old).min(*len),
            None => offset,
        }
    };
    (out, map)
}

/// Appends `text[from..to]` as shown, recording the stretches copied as is.
fn push_shown(
    text: &str,
    from: usize,
    to: usize,
    out: &mut String,
    kept: &mut Vec<(usize, usize, usize)>,
) {
    let (shown, map) = super::visible::visible_line(&text[from..to]);
    if shown.len() == to - from {
        kept.push((from, out.len(), to - from));
        out.push_str(&shown);
        return;
    }
    let base = out.len();
    let mut run: Option<(usize, usize)> = None;
    for (i, c) in text[from..to].char_indices() {
        let width = map[i + c.len_utf8()] - map[i];
        if width == c.len_utf8()
            && shown[map[i]..map[i] + width] == text[from + i..from + i + width]
        {
            if run.is_none() {
                run = Some((from + i, base + map[i]));
            }
            continue;
        }
        if let Some((old, new)) = run.take() {
            kept.push((old, new, from + i - old));
        }
        kept.push((from + i, base + map[i], 0));
    }
    if let Some((old, new)) = run {
        kept.push((old, new, to - old));
    }
    out.push_str(&shown);
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
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
    let (code, name) = rule_of(reported);
    let mut files: Vec<(FileId, Vec<LabeledSpan>)> = Vec::new();
    let mut related = Vec::new();
    for (index, label) in finding.labels.iter().enumerate() {
        // A label in a file with no text (a config that does not exist yet) reads as a note.
        let in_text = label.loc.filter(|l| !sources.file(l.file).text.is_empty());
        let Some(loc) = in_text else {
            related.push(note(visible(&label.message).into_owned()));
            continue;
        };
        let length = loc.span.end.saturating_sub(loc.span.start);
        let message = visible(&label.message).into_owned();
        let span = LabeledSpan::new(Some(message.clone()), loc.span.start, length);
        let span = if index == 0 {
            LabeledSpan::new_primary_with_span(Some(message), (loc.span.start, length))
        } else {
            span
        };
        match files.iter_mut().find(|(f, _)| *f == loc.file) {
            Some((_, spans)) => spans.push(span),
            None => files.push((loc.file, vec![span])),
        }
    }
    related.extend(
        finding
            .notes
            .iter()
            .map(|n| note(format!("note: {}", visible(n)))),
    );
    let mut files = files.into_iter();
    let primary = files.next();
    let mut in_other_files: Vec<Rendered> = files
        .map(|(file, mut labels)| Rendered {
            message: format!(
                "and in {}",
                crate::paths::display_path(&sources.file(file).path)
            ),
            code: None,
            severity: miette::Severity::Advice,
            source: Some(named_source(sources, file, &mut labels)),
            labels,
            help: None,
            related: Vec::new(),
        })
        .collect();
    in_other_files.append(&mut related);
    let (source, labels) = match primary {
        Some((file, mut labels)) => (Some(named_source(sources, file, &mut labels)), labels),
        None => (None, Vec::new()),
    };
    Rendered {
        message: visible(&finding.message).into_owned(),
        code: Some(format!(
            "{code}({name}){}",
            super::flat::fix_mark(finding.fix.as_ref().map(|f| f.applicability))
        )),
        severity: miette_severity(reported.severity),
        source,
        labels,
        help: finding.help.as_deref().map(|h| visible(h).into_owned()),
        related: in_other_files,
    }
}

pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// `--format human`.
pub struct HumanEmitter(pub HumanOptions);

impl super::Emitter for HumanEmitter {
    fn emit(
        &self,
        out: &mut dyn std::io::Write,
        findings: &[Reported],
        context: &super::EmitterContext,
    ) -> std::io::Result<()> {
        // One finding at a time, so that thousands of findings are never one string.
        let handler = handler(&self.0);
        let mut text = String::new();
        for reported in findings {
            text.clear();
            render_one(&handler, reported, context.sources, &mut text);
            out.write_all(text.as_bytes())?;
        }
        if !context.quiet {
            out.write_all(summary_line(findings, context.instances).as_bytes())?;
        }
        Ok(())
    }
}

fn handler(options: &HumanOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false)
}

/// One finding as the human format shows it, and the blank line after it.
fn render_one(
    handler: &GraphicalReportHandler,
    reported: &Reported,
    sources: &SourceMap,
    out: &mut String,
) {
    let diagnostic = build(reported, sources);
    if handler.render_report(out, &diagnostic).is_err() {
        out.push_str(&format!(
            "{}: {}\n",
            rule_of(reported).0,
            visible(&reported.finding.message)
        ));
    }
    out.push('\n');
}

pub fn render(
    findings: &[Reported],
    sources: &SourceMap,
    instances: usize,
    options: &HumanOptions,
) -> String {
    let handler = handler(options);
    let mut out = String::new();
    for reported in findings {
        render_one(&handler, reported, sources, &mut out);
    }
    out.push_str(&summary_line(findings, instances));
    out
}

/// The closing line. With no gateway, CL910 says so (in every format), not a line of this one.
fn summary_line(findings: &[Reported], instances: usize) -> String {
    super::concise::summary_line(findings, instances)
}
