//! Human output: each finding rendered by miette like rustc and ruff render theirs, every
//! party labelled on its exact span; parties in other files follow as related diagnostics.

use super::flat::rule_of;
use super::visible::visible;
use crate::diagnostic::{Reported, Severity};
use crate::source::{FileId, SourceMap};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt;

/// Fixed width when not writing to a terminal, so output is the same everywhere.
pub const DEFAULT_WIDTH: usize = 100;

#[derive(Debug)]
struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    source: Option<Snippet>,
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

/// Lines longer than this (in characters) are cut down to windows around the labels.
const MAX_LINE: usize = 200;
/// Bytes kept on each side of a label's start and end in a cut line.
const CONTEXT: usize = 60;
/// Lines shown before and after a labelled line.
const CONTEXT_LINES: usize = 1;
/// Labels in one file further apart than this many lines get a box each (the lines between
/// are not shown).
const MAX_GAP: usize = 8;

/// The masked text of each file rendered so far, made once per file for a whole report.
type Masked = HashMap<FileId, String>;

/// What miette is given of a file: only the lines its labels need (with their context), masked,
/// escaped and cut, each knowing its real line number, so that rendering a finding costs the
/// size of the lines shown, not of the file. Headers get the label's real column.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: String,
    /// `(offset in text, real 0-based line)` of each line kept, in order.
    lines: Vec<(usize, usize)>,
    /// `(offset in text, real 0-based column in characters)` of each label's start.
    columns: Vec<(usize, usize)>,
}

impl Snippet {
    /// The index in `lines` of the kept line holding `offset`.
    fn line_at(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|(at, _)| *at <= offset)
            .saturating_sub(1)
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() || self.lines.is_empty() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_at(start);
        let last = self.line_at(end.saturating_sub(1).max(start));
        // Context lines only where the real lines follow on (a gap ends the context).
        let mut from = first;
        for _ in 0..before {
            if from > 0 && self.lines[from - 1].1 + 1 == self.lines[from].1 {
                from -= 1;
            }
        }
        let mut to = last;
        for _ in 0..after {
            if to + 1 < self.lines.len() && self.lines[to].1 + 1 == self.lines[to + 1].1 {
                to += 1;
            }
        }
        let data_start = self.lines[from].0;
        let data_end = self.lines.get(to + 1).map_or(self.text.len(), |l| l.0);
        // miette joins two labels' contexts when this count reaches the second one: count to
        // the end of the run of following lines, so that labels in one block share a box.
        let mut block_end = to;
        while block_end + 1 < self.lines.len()
            && self.lines[block_end].1 + 1 == self.lines[block_end + 1].1
        {
            block_end += 1;
        }
        let column = match self.columns.iter().find(|(at, _)| *at == start) {
            Some((_, column)) => *column,
            None => self.text[self.lines[first].0..start].chars().count(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[data_start..data_end],
            (data_start, data_end - data_start).into(),
            self.lines[from].1,
            column,
            block_end - from + 1,
        )))
    }
}

/// The lines of a file that its `spans` need, as shown (secrets masked, control characters
/// escaped, overlong lines cut around the labels), with the spans moved to match.
fn snippet(
    sources: &SourceMap,
    masked: &mut Masked,
    file: FileId,
    spans: &mut [LabeledSpan],
) -> Snippet {
    let f = sources.file(file);
    let text: &str = masked.entry(file).or_insert_with(|| f.redacted_text());
    let index = f.lines();
    let len = text.len();
    let ranges: Vec<(usize, usize)> = spans
        .iter()
        .map(|s| {
            let start = floor_boundary(text, s.offset().min(len));
            let end = floor_boundary(text, (s.offset() + s.len()).min(len));
            (start, end.max(start))
        })
        .collect();
    // The empty line after a final line break is shown only when a label is on it.
    let last_line = match index.count() {
        n if n > 1 && index.range(n - 1).is_empty() => n - 2,
        n => n - 1,
    };
    let mut wanted: Vec<(usize, usize)> = ranges
        .iter()
        .map(|&(start, end)| {
            let first = index.line_of(start);
            let last = index.line_of(end.saturating_sub(1).max(start));
            (
                first.saturating_sub(CONTEXT_LINES),
                (last + CONTEXT_LINES).min(last_line).max(last),
            )
        })
        .collect();
    wanted.sort_unstable();
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    for (first, last) in wanted {
        match blocks.last_mut() {
            Some(block) if first <= block.1 + 1 + MAX_GAP => block.1 = block.1.max(last),
            _ => blocks.push((first, last)),
        }
    }
    let mut shown = String::new();
    let mut lines = Vec::new();
    // (old start, new start, length) of each stretch copied as is, in order; an escaped
    // character or a cut is a stretch of length 0.
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for (first, last) in blocks {
        for line in first..=last {
            lines.push((shown.len(), line));
            push_line(
                &f.text,
                text,
                index.range(line),
                &ranges,
                &mut shown,
                &mut kept,
            );
        }
    }
    let map = |offset: usize| {
        let i = kept
            .partition_point(|(old, _, _)| *old <= offset)
            .saturating_sub(1);
        match kept.get(i) {
            Some((old, new, len)) if *old <= offset => new + (offset - old).min(*len),
            _ => 0,
        }
    };
    let mut columns = Vec::with_capacity(spans.len());
    for (span, &(start, end)) in spans.iter_mut().zip(&ranges) {
        let (new_start, new_end) = (map(start), map(end));
        columns.push((new_start, f.line_col(start).1 - 1));
        let moved = (new_start, new_end.saturating_sub(new_start));
        let label = span.label().map(str::to_string);
        *span = if span.primary() {
            LabeledSpan::new_primary_with_span(label, moved)
        } else {
            LabeledSpan::new_with_span(label, moved)
        };
    }
    Snippet {
        name: crate::paths::display_path(&f.path),
        text: shown,
        lines,
        columns,
    }
}

/// Appends one line of `text` (the masked text; `original` is the file's own, for counting
/// characters) as shown: whole when at most [`MAX_LINE`] characters long, else windows of
/// [`CONTEXT`] bytes around each label start and end on it, with `…` where it is cut. Cuts
/// fall on character boundaries of the masked text and before escaping, so neither a
/// character nor an escape is ever cut, and only masked text is ever shown. The line break is
/// shown as `\n` (a `\r` before it is dropped).
fn push_line(
    original: &str,
    text: &str,
    range: std::ops::Range<usize>,
    spans: &[(usize, usize)],
    out: &mut String,
    kept: &mut Vec<(usize, usize, usize)>,
) {
    let line = &text[range.clone()];
    let body = line
        .strip_suffix('\n')
        .map_or(line, |b| b.strip_suffix('\r').unwrap_or(b));
    let (start, body_end) = (range.start, range.start + body.len());
    let long = original
        .get(start..body_end)
        .map_or(body.len(), |l| l.chars().count())
        > MAX_LINE;
    if !long {
        push_shown(text, start, body_end, out, kept);
    } else {
        let mut points: Vec<usize> = spans
            .iter()
            .flat_map(|&(s, e)| [s, e])
            .filter(|p| (start..=body_end).contains(p))
            .collect();
        if points.is_empty() {
            points.push(start);
        }
        points.sort_unstable();
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for p in points {
            let from = floor_boundary(text, p.saturating_sub(CONTEXT).max(start));
            let to = floor_boundary(text, (p + CONTEXT).min(body_end)).max(from);
            match windows.last_mut() {
                Some(w) if from <= w.1 => w.1 = w.1.max(to),
                _ => windows.push((from, to)),
            }
        }
        let mut at = start;
        for (from, to) in windows {
            if from > at {
                kept.push((at, out.len(), 0));
                out.push('…');
            }
            push_shown(text, from, to, out, kept);
            at = to;
        }
        if at < body_end {
            kept.push((at, out.len(), 0));
            out.push('…');
        }
    }
    if range.end > body_end {
        kept.push((body_end, out.len(), 0));
        out.push('\n');
    }
}

/// Appends `text[from..to]` as shown, recording the stretches copied as is.
fn push_shown(
    text: &str,
    from: usize,
    to: usize,
    out: &mut String,
    kept: &mut Vec<(usize, usize, usize)>,
) {
    let piece = &text[from..to];
    // Printable ASCII without `##[` (almost every line of a config) is shown as it is: one
    // pass over its bytes instead of a shown copy and a map of every byte.
    if piece.bytes().all(|b| (b' '..=b'~').contains(&b)) && !piece.contains("##[") {
        kept.push((from, out.len(), to - from));
        out.push_str(piece);
        return;
    }
    let (shown, map) = super::visible::visible_line(piece);
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

fn build(reported: &Reported, sources: &SourceMap, masked: &mut Masked) -> Rendered {
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
        let length = loc.span.end().saturating_sub(loc.span.start());
        let message = visible(&label.message).into_owned();
        let span = LabeledSpan::new(Some(message.clone()), loc.span.start(), length);
        let span = if index == 0 {
            LabeledSpan::new_primary_with_span(Some(message), (loc.span.start(), length))
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
            .map(|n| note(format!("note: {}", visible(&n.to_string())))),
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
            source: Some(snippet(sources, masked, file, &mut labels)),
            labels,
            help: None,
            related: Vec::new(),
        })
        .collect();
    in_other_files.append(&mut related);
    let (source, labels) = match primary {
        Some((file, mut labels)) => (Some(snippet(sources, masked, file, &mut labels)), labels),
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
        let mut masked = Masked::new();
        for reported in findings {
            text.clear();
            render_one(&handler, reported, context.sources, &mut masked, &mut text);
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
        .with_context_lines(CONTEXT_LINES)
}

/// One finding as the human format shows it, and the blank line after it.
fn render_one(
    handler: &GraphicalReportHandler,
    reported: &Reported,
    sources: &SourceMap,
    masked: &mut Masked,
    out: &mut String,
) {
    let diagnostic = build(reported, sources, masked);
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
    let mut masked = Masked::new();
    for reported in findings {
        render_one(&handler, reported, sources, &mut masked, &mut out);
    }
    out.push_str(&summary_line(findings, instances));
    out
}

/// The closing line. With no gateway, CL910 says so (in every format), not a line of this one.
fn summary_line(findings: &[Reported], instances: usize) -> String {
    super::concise::summary_line(findings, instances)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Renders one diagnostic with labels `(start, end)` in a file of `text` (shown whole when
    /// `show`, else masked whole).
    fn render_labels(text: &str, show: bool, labels: &[(usize, usize)]) -> String {
        let mut sources = SourceMap::new();
        let id = sources.add(Path::new("f.json"), text.to_string(), None);
        if show {
            sources.show_all(id);
        }
        let mut spans: Vec<LabeledSpan> = labels
            .iter()
            .enumerate()
            .map(|(i, &(s, e))| {
                let label = Some(format!("label{i}"));
                if i == 0 {
                    LabeledSpan::new_primary_with_span(label, (s, e - s))
                } else {
                    LabeledSpan::new_with_span(label, (s, e - s))
                }
            })
            .collect();
        let source = snippet(&sources, &mut Masked::new(), id, &mut spans);
        let diagnostic = Rendered {
            message: "m".into(),
            code: None,
            severity: miette::Severity::Error,
            source: Some(source),
            labels: spans,
            help: None,
            related: Vec::new(),
        };
        let mut out = String::new();
        let options = HumanOptions {
            color: false,
            width: DEFAULT_WIDTH,
        };
        handler(&options)
            .render_report(&mut out, &diagnostic)
            .unwrap();
        out
    }

    fn header(out: &str) -> &str {
        let at = out.find("╭─[").unwrap() + "╭─[".len();
        &out[at..at + out[at..].find(']').unwrap()]
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_with_the_real_column() {
        let text = format!("{{\n{}X{}\nshort\n", "a".repeat(1000), "b".repeat(1000));
        let x = text.find('X').unwrap();
        let out = render_labels(&text, true, &[(x, x + 1)]);
        assert_eq!(header(&out), "f.json:2:1001", "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
        let line = out.lines().find(|l| l.contains('X')).unwrap();
        assert!(line.contains('…') && line.ends_with('…'), "{out}");
        // The underline is under the X.
        let under = out.lines().find(|l| l.contains('┬')).unwrap();
        assert_eq!(
            line.chars().position(|c| c == 'X'),
            under.chars().position(|c| c == '┬'),
            "{out}"
        );
        assert!(out.contains("3 │ short"), "{out}");
    }

    #[test]
    fn columns_count_characters_of_the_real_line() {
        let text = format!("{}X\n", "é".repeat(300));
        let x = text.find('X').unwrap();
        let out = render_labels(&text, true, &[(x, x + 1)]);
        assert_eq!(header(&out), "f.json:1:301", "{out}");
        let short = "ééX\n";
        let out = render_labels(short, true, &[(4, 5)]);
        assert_eq!(header(&out), "f.json:1:3", "{out}");
    }

    /// Cuts fall between characters and before escaping: whatever the offsets, no character
    /// and no escape is cut, no control character is printed, and masked text stays masked.
    #[test]
    fn a_window_never_cuts_a_character_or_an_escape_and_keeps_the_mask() {
        let piece = "é\u{1b}[31m€\u{202e}x\u{7}";
        let text = format!("{}\n", piece.repeat(120));
        for at in (0..text.len() - 1).step_by(7) {
            let start = floor_boundary(&text, at);
            let out = render_labels(&text, true, &[(start, start)]);
            assert!(
                !out.chars()
                    .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
                "{out:?}"
            );
            for (i, _) in out.match_indices('\\') {
                let rest = &out[i..];
                assert!(
                    rest.starts_with("\\x1b") || rest.starts_with("\\x07"),
                    "{rest}"
                );
            }
            for (i, _) in out.match_indices("<U+") {
                assert!(out[i..].starts_with("<U+202E>"), "{out}");
            }
            let masked = render_labels(&text, false, &[(start, start)]);
            let line = masked.lines().find(|l| l.contains(" 1 │ ")).unwrap();
            let body = &line[line.find(" 1 │ ").unwrap() + " 1 │ ".len()..];
            assert!(body.chars().all(|c| c == '*' || c == '…'), "{masked}");
        }
    }

    #[test]
    fn far_apart_labels_get_a_box_each_with_real_line_numbers() {
        let text: String = (1..=5000).map(|i| format!("line{i}\n")).collect();
        let a = text.find("line10\n").unwrap();
        let b = text.find("line4000\n").unwrap();
        let out = render_labels(&text, true, &[(a, a + 6), (b, b + 8)]);
        assert!(out.contains("10 │ line10"), "{out}");
        assert!(out.contains("4000 │ line4000"), "{out}");
        assert!(out.contains("4001 │ line4001"), "{out}");
        assert!(
            !out.contains("line12\n") && !out.contains("line3998"),
            "{out}"
        );
        assert!(out.lines().count() < 20, "{out}");
        let near = text.find("line14\n").unwrap();
        let out = render_labels(&text, true, &[(a, a + 6), (near, near + 6)]);
        assert_eq!(out.matches("╭─[").count(), 1, "{out}");
        assert!(out.contains("12 │ line12"), "{out}");
    }

    /// The snippet given to miette holds only the lines shown, however large the file.
    #[test]
    fn a_snippet_is_the_size_of_its_lines() {
        let text: String = (0..100_000)
            .map(|i| format!("\"key{i}\": {i},\n"))
            .collect();
        let mut sources = SourceMap::new();
        let id = sources.add(Path::new("f"), text.clone(), None);
        sources.show_all(id);
        let mut masked = Masked::new();
        let at = text.find("\"key50000\"").unwrap();
        let mut spans = vec![LabeledSpan::new_primary_with_span(None, (at, 10))];
        let shown = snippet(&sources, &mut masked, id, &mut spans);
        assert_eq!(shown.lines.len(), 3);
        assert!(shown.text.len() < 100, "{}", shown.text);
        assert_eq!(&shown.text[spans[0].offset()..][..10], "\"key50000\"");
    }
}
