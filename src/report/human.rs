//! Human output: each finding rendered by miette like rustc and ruff render theirs, every
//! party labelled on its exact span; parties in other files follow as related diagnostics.

use super::flat::rule_of;
use super::graphical::{Contents, Graphical};
use super::visible::visible;
use crate::diagnostic::{Reported, Severity};
use crate::source::{FileId, SourceMap};
use miette::{GraphicalTheme, LabeledSpan};
use std::collections::HashMap;

/// Fixed width when not writing to a terminal, so output is the same everywhere.
pub const DEFAULT_WIDTH: usize = 100;

/// A finding as drawn: its message, code, severity, snippet of its first file with the labels
/// there, help, and the notes and other files' snippets nested under it.
#[derive(Debug)]
pub(super) struct Rendered {
    pub message: String,
    pub code: Option<String>,
    pub severity: miette::Severity,
    pub source: Option<Snippet>,
    pub labels: Vec<LabeledSpan>,
    pub help: Option<String>,
    pub related: Vec<Rendered>,
}

/// miette's view of a [`Rendered`], which the tests draw with miette itself to compare.
#[cfg(test)]
mod as_miette {
    use super::{Rendered, Snippet};
    use miette::{
        Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
        SpanContents,
    };
    use std::fmt;

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

    impl SourceCode for Snippet {
        fn read_span<'a>(
            &'a self,
            span: &SourceSpan,
            before: usize,
            after: usize,
        ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
            let c = self
                .contents(span.offset(), span.len(), before, after)
                .ok_or(MietteError::OutOfBounds)?;
            Ok(Box::new(MietteSpanContents::new_named(
                c.name.to_string(),
                c.data.as_bytes(),
                (c.offset, c.data.len()).into(),
                c.line,
                c.column,
                c.line_count,
            )))
        }
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

/// Each file rendered so far as shown, made once per file for a whole report.
type Masked = HashMap<FileId, ShownFile>;

/// A file as a report shows it: its masked text and its name.
struct ShownFile {
    text: String,
    name: String,
}

/// `file` as shown, made on its first use in the report.
fn shown_file<'m>(sources: &SourceMap, masked: &'m mut Masked, file: FileId) -> &'m ShownFile {
    masked.entry(file).or_insert_with(|| {
        let f = sources.file(file);
        ShownFile {
            text: f.redacted_text(),
            name: crate::paths::display_path(&f.path),
        }
    })
}

/// What miette is given of a file: only the lines its labels need (with their context), masked,
/// escaped and cut, each knowing its real line number, so that rendering a finding costs the
/// size of the lines shown, not of the file. Headers get the label's real column.
#[derive(Debug)]
pub(super) struct Snippet {
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

    /// The kept lines holding `start..start + len`, with `before` and `after` lines of context
    /// where the real lines follow on (a gap ends the context): what miette's `read_span` gives.
    pub(super) fn contents(
        &self,
        start: usize,
        len: usize,
        before: usize,
        after: usize,
    ) -> Option<Contents<'_>> {
        let end = start + len;
        if end > self.text.len() || self.lines.is_empty() {
            return None;
        }
        let first = self.line_at(start);
        let last = self.line_at(end.saturating_sub(1).max(start));
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
        Some(Contents {
            name: &self.name,
            data: self.text.get(data_start..data_end)?,
            offset: data_start,
            line: self.lines[from].1,
            column,
            line_count: block_end - from + 1,
        })
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
    let file_shown = shown_file(sources, masked, file);
    let text: &str = &file_shown.text;
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
        name: file_shown.name.clone(),
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

/// Files drawn for one finding (the primary one and the next in label order), labels drawn
/// in them, and labels without a text shown as notes. A finding can name thousands of
/// gateways: past these, one note counts the rest, which `--format json` lists (as `ports`
/// shortens its party lists).
const DRAWN_FILES: usize = 8;
const DRAWN_LABELS: usize = 32;
const LABEL_NOTES: usize = 8;

fn build(reported: &Reported, sources: &SourceMap, masked: &mut Masked) -> Rendered {
    let finding = &reported.finding;
    let (code, name) = rule_of(reported);
    let mut files: Vec<(FileId, Vec<LabeledSpan>)> = Vec::new();
    let mut related = Vec::new();
    let mut untold = Untold::default();
    let mut drawn_labels = 0;
    for (index, label) in finding.labels.iter().enumerate() {
        // A label in a file with no text (a config that does not exist yet) reads as a note.
        let in_text = label.loc.filter(|l| !sources.file(l.file).text.is_empty());
        let Some(loc) = in_text else {
            match related.len() < LABEL_NOTES {
                true => related.push(note(visible(&label.message).into_owned())),
                false => untold.labels += 1,
            }
            continue;
        };
        let place = files.iter().position(|(f, _)| *f == loc.file);
        if drawn_labels == DRAWN_LABELS || (place.is_none() && files.len() == DRAWN_FILES) {
            untold.labels += 1;
            if place.is_none() {
                untold.files.insert(loc.file);
            }
            continue;
        }
        drawn_labels += 1;
        let length = loc.span.end().saturating_sub(loc.span.start());
        let message = visible(&label.message).into_owned();
        let span = LabeledSpan::new(Some(message.clone()), loc.span.start(), length);
        let span = if index == 0 {
            LabeledSpan::new_primary_with_span(Some(message), (loc.span.start(), length))
        } else {
            span
        };
        match place {
            Some(at) => files[at].1.push(span),
            None => files.push((loc.file, vec![span])),
        }
    }
    if untold.labels > 0 {
        related.push(note(untold.describe()));
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
            message: format!("and in {}", shown_file(sources, masked, file).name),
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

/// The labels of a finding not drawn: how many, and in how many files not drawn.
#[derive(Default)]
struct Untold {
    labels: usize,
    files: std::collections::HashSet<FileId>,
}

impl Untold {
    fn describe(&self) -> String {
        let places = match self.labels {
            1 => "1 more place".to_string(),
            n => format!("{n} more places"),
        };
        let files = match self.files.len() {
            0 => String::new(),
            1 => " in 1 more file".to_string(),
            n => format!(" in {n} more files"),
        };
        format!("... and {places}{files} (`--format json` lists every party)")
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
        let handler = graphical(&self.0);
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

fn theme(options: &HumanOptions) -> GraphicalTheme {
    if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    }
}

/// The drawing of [`graphical`] with miette's own handler; its width matters to wrapping
/// only, which is off.
#[cfg(test)]
fn handler(options: &HumanOptions) -> miette::GraphicalReportHandler {
    miette::GraphicalReportHandler::new_themed(theme(options))
        .with_width(options.width)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false)
        .with_context_lines(CONTEXT_LINES)
}

fn graphical(options: &HumanOptions) -> Graphical {
    Graphical {
        theme: theme(options),
        context_lines: CONTEXT_LINES,
    }
}

/// One finding as the human format shows it, and the blank line after it.
fn render_one(
    handler: &Graphical,
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
    let handler = graphical(options);
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
    use crate::xorshift::Rng;
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
        drawn_as_miette_draws(&diagnostic)
    }

    /// `diagnostic` drawn without colour, after checking that it is drawn as miette's handler
    /// draws it, with and without colour.
    fn drawn_as_miette_draws(diagnostic: &Rendered) -> String {
        let mut plain = String::new();
        for color in [false, true] {
            let options = HumanOptions {
                color,
                width: DEFAULT_WIDTH,
            };
            let mut ours = String::new();
            let ours_ok = graphical(&options)
                .render_report(&mut ours, diagnostic)
                .is_ok();
            let mut miettes = String::new();
            let miettes_ok = handler(&options)
                .render_report(&mut miettes, diagnostic)
                .is_ok();
            assert_eq!(
                (ours_ok, ours.as_str()),
                (miettes_ok, miettes.as_str()),
                "colour {color}: {diagnostic:#?}"
            );
            if !color {
                plain = ours;
            }
        }
        plain
    }

    /// Random text: lines of ASCII, wide and zero-width characters, tabs, `\r`, escapes and
    /// blank lines, so that snippets hold what a layout can.
    fn random_text(rng: &mut Rng) -> String {
        let pieces = [
            "a",
            "key",
            " ",
            "\"v\"",
            "{",
            "}",
            ",",
            "é",
            "中文",
            "\u{301}",
            "\t",
            "\r",
            "\r\n",
            "\n",
            "\n",
            "\n",
            "\u{1b}[31m",
            "##[x",
            "::",
            "😀",
            "\u{200b}",
            "\u{feff}",
        ];
        let n = rng.below(120) as usize;
        let mut text: String = (0..n).map(|_| rng.pick(&pieces)).collect();
        if rng.below(3) == 0 {
            // An overlong line, cut around its labels.
            text.push_str(&"x".repeat(150 + rng.below(200) as usize));
        }
        text
    }

    /// A character boundary of `text` at random.
    fn random_offset(rng: &mut Rng, text: &str) -> usize {
        floor_boundary(text, rng.below(text.len() as u64 + 1) as usize)
    }

    fn random_labels(rng: &mut Rng, text: &str, first: usize) -> Vec<LabeledSpan> {
        let words = ["", "here", "a\nlabel", "中", "x y", "\u{1b}"];
        (0..1 + rng.below(4) as usize)
            .map(|i| {
                let (a, b) = (random_offset(rng, text), random_offset(rng, text));
                let (start, end) = (a.min(b), a.max(b));
                let end = if rng.below(2) == 0 {
                    floor_boundary(text, (start + rng.below(6) as usize).min(text.len()))
                } else {
                    end
                };
                let label = (rng.below(4) != 0).then(|| rng.pick(&words).to_string());
                let span = (start, end.max(start) - start);
                if first + i == 0 || rng.below(5) == 0 {
                    LabeledSpan::new_primary_with_span(label, span)
                } else {
                    LabeledSpan::new_with_span(label, span)
                }
            })
            .collect()
    }

    fn random_severity(rng: &mut Rng) -> miette::Severity {
        [
            miette::Severity::Error,
            miette::Severity::Warning,
            miette::Severity::Advice,
        ][rng.below(3) as usize]
    }

    /// Random diagnostics, through the real snippets, with notes and other files nested, are
    /// drawn as miette's graphical handler draws them, byte for byte, with and without colour.
    #[test]
    fn random_diagnostics_are_drawn_as_miette_draws_them() {
        let mut rng = Rng(0x5eed_1e55_c0de_cafe);
        let messages = ["m", "", "two\nlines", "  ", "a\n\nb\n", "é 中"];
        for round in 0..3000 {
            let mut sources = SourceMap::new();
            let mut masked = Masked::new();
            let mut file = |rng: &mut Rng, name: &str| {
                let text = random_text(rng);
                let id = sources.add(Path::new(name), text.clone(), None);
                if rng.below(4) != 0 {
                    sources.show_all(id);
                }
                (id, text)
            };
            let (first, first_text) = file(&mut rng, "a.json");
            let (second, second_text) = file(&mut rng, "dir/b.json5");
            let mut labels = random_labels(&mut rng, &first_text, 0);
            let source = snippet(&sources, &mut masked, first, &mut labels);
            let mut related = Vec::new();
            for _ in 0..rng.below(3) {
                related.push(note(rng.pick(&messages).to_string()));
            }
            if rng.below(2) == 0 {
                let mut labels = random_labels(&mut rng, &second_text, 1);
                let source = snippet(&sources, &mut masked, second, &mut labels);
                related.insert(
                    0,
                    Rendered {
                        message: "and in dir/b.json5".into(),
                        code: None,
                        severity: random_severity(&mut rng),
                        source: Some(source),
                        labels,
                        help: None,
                        related: Vec::new(),
                    },
                );
            }
            let diagnostic = Rendered {
                message: rng.pick(&messages).to_string(),
                code: (rng.below(4) != 0).then(|| format!("CL{round}(name) [*]")),
                severity: random_severity(&mut rng),
                source: (rng.below(8) != 0).then_some(source),
                labels,
                help: (rng.below(2) == 0).then(|| rng.pick(&messages).to_string()),
                related,
            };
            drawn_as_miette_draws(&diagnostic);
        }
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
