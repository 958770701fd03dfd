//! The human format's drawing: byte for byte what miette 7.6's `GraphicalReportHandler` draws
//! for a [`Rendered`] diagnostic with the options the human format always sets (the unicode
//! theme with or without colour, links off, lines not wrapped, related diagnostics nested, one
//! context line, no syntax highlighter), without miette's work per character: a snippet line
//! is copied whole, and a column on a line of printable ASCII is its byte offset. miette took
//! about 100 instructions per byte printed; this module's tests draw random diagnostics both
//! ways and compare.
//!
//! The steps follow miette's `handlers/graphical.rs` (MIT or Apache-2.0) one for one, with its
//! names, so that its quirks (the order of labels with one offset, when two contexts share a
//! box, a gutter's width) are kept; what its options turn off is left out.

use super::human::{Rendered, Snippet};
use miette::{GraphicalTheme, LabeledSpan, Severity, SourceSpan};
use owo_colors::Style;
use std::borrow::Cow;
use std::fmt::{self, Write};
use unicode_width::UnicodeWidthChar;

/// miette's default tab width (a snippet's tabs are escaped, so it only matters to the tests).
const TAB_WIDTH: usize = 4;

/// The lines around a span, as [`Snippet::contents`] gives them.
pub(super) struct Contents<'a> {
    pub name: &'a str,
    pub data: &'a str,
    /// The offset of `data` in the snippet's text.
    pub offset: usize,
    /// The 0-based line of `data`'s first line.
    pub line: usize,
    /// The 0-based column (in characters) of the span's start.
    pub column: usize,
    pub line_count: usize,
}

pub(super) struct Graphical {
    pub theme: GraphicalTheme,
    pub context_lines: usize,
}

#[derive(PartialEq, Clone, Copy)]
enum LabelRenderMode {
    SingleLine,
    MultiLineFirst,
    MultiLineRest,
}

/// A line of a context: `text` without its line break, `length` with it.
struct Line<'a> {
    line_number: usize,
    offset: usize,
    length: usize,
    text: Cow<'a, str>,
}

struct FancySpan<'a> {
    label: Option<Vec<&'a str>>,
    span: SourceSpan,
    style: Style,
}

impl PartialEq for FancySpan<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label && self.span == other.span
    }
}

impl<'a> FancySpan<'a> {
    fn new(label: Option<&'a str>, span: SourceSpan, style: Style) -> Self {
        FancySpan {
            label: label.map(|l| l.split('\n').collect()),
            span,
            style,
        }
    }

    fn label_parts(&self) -> Option<Vec<String>> {
        self.label
            .as_ref()
            .map(|l| l.iter().map(|i| self.style.style(i).to_string()).collect())
    }

    fn offset(&self) -> usize {
        self.span.offset()
    }

    fn len(&self) -> usize {
        self.span.len()
    }
}

impl Line<'_> {
    fn span_line_only(&self, span: &FancySpan) -> bool {
        span.offset() >= self.offset && span.offset() + span.len() <= self.offset + self.length
    }

    fn span_applies(&self, span: &FancySpan) -> bool {
        let spanlen = if span.len() == 0 { 1 } else { span.len() };
        (span.offset() >= self.offset && span.offset() < self.offset + self.length)
            || (span.offset() < self.offset && span.offset() + spanlen > self.offset + self.length)
            || (span.offset() + spanlen > self.offset
                && span.offset() + spanlen <= self.offset + self.length)
    }

    fn span_applies_gutter(&self, span: &FancySpan) -> bool {
        let spanlen = if span.len() == 0 { 1 } else { span.len() };
        self.span_applies(span)
            && !((span.offset() >= self.offset && span.offset() < self.offset + self.length)
                && (span.offset() + spanlen > self.offset
                    && span.offset() + spanlen <= self.offset + self.length))
    }

    fn span_flyby(&self, span: &FancySpan) -> bool {
        span.offset() < self.offset && span.offset() + span.len() > self.offset + self.length
    }

    fn span_starts(&self, span: &FancySpan) -> bool {
        span.offset() >= self.offset
    }

    fn span_ends(&self, span: &FancySpan) -> bool {
        span.offset() + span.len() >= self.offset
            && span.offset() + span.len() <= self.offset + self.length
    }
}

fn severity_style(theme: &GraphicalTheme, severity: Severity) -> Style {
    match severity {
        Severity::Error => theme.styles.error,
        Severity::Warning => theme.styles.warning,
        Severity::Advice => theme.styles.advice,
    }
}

/// Whether every character of `text` is one column wide: printable ASCII.
fn printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

impl Graphical {
    pub fn render_report(&self, f: &mut String, diagnostic: &Rendered) -> fmt::Result {
        self.render_report_inner(f, diagnostic, diagnostic.source.as_ref())
    }

    fn render_report_inner(
        &self,
        f: &mut String,
        diagnostic: &Rendered,
        parent_src: Option<&Snippet>,
    ) -> fmt::Result {
        let src = diagnostic.source.as_ref().or(parent_src);
        self.render_header(f, diagnostic)?;
        self.render_causes(f, diagnostic)?;
        self.render_snippets(f, diagnostic, src)?;
        self.render_footer(f, diagnostic)?;
        self.render_related(f, diagnostic, src)
    }

    fn render_header(&self, f: &mut String, diagnostic: &Rendered) -> fmt::Result {
        if let Some(code) = &diagnostic.code {
            let style = severity_style(&self.theme, diagnostic.severity);
            writeln!(f, "{}", style.style(code))?;
            writeln!(f)?;
        }
        Ok(())
    }

    fn render_causes(&self, f: &mut String, diagnostic: &Rendered) -> fmt::Result {
        let style = severity_style(&self.theme, diagnostic.severity);
        let chars = &self.theme.characters;
        let icon = match diagnostic.severity {
            Severity::Error => &chars.error,
            Severity::Warning => &chars.warning,
            Severity::Advice => &chars.advice,
        };
        let initial_indent = format!("  {} ", style.style(icon));
        let rest_indent = format!("  {} ", style.style(chars.vbar));
        let text = wrap(&diagnostic.message, &initial_indent, &rest_indent);
        writeln!(f, "{text}")
    }

    fn render_footer(&self, f: &mut String, diagnostic: &Rendered) -> fmt::Result {
        if let Some(help) = &diagnostic.help {
            let initial_indent = self.theme.styles.help.style("  help: ").to_string();
            writeln!(f, "{}", wrap(help, &initial_indent, "        "))?;
        }
        Ok(())
    }

    fn render_related(
        &self,
        f: &mut String,
        diagnostic: &Rendered,
        parent_src: Option<&Snippet>,
    ) -> fmt::Result {
        let src = diagnostic.source.as_ref().or(parent_src);
        let style = severity_style(&self.theme, diagnostic.severity);
        let chars = &self.theme.characters;
        let mut related = diagnostic.related.iter().peekable();
        while let Some(rel) = related.next() {
            let is_last = related.peek().is_none();
            let char = if is_last { chars.lbot } else { chars.lcross };
            let initial_indent = style
                .style(format!("  {}{}{} ", char, chars.hbar, chars.rarrow))
                .to_string();
            let rest_indent = style
                .style(format!("  {}   ", if is_last { ' ' } else { chars.vbar }))
                .to_string();
            let mut inner = String::new();
            self.render_report_inner(&mut inner, rel, src)?;
            let inner = inner.trim_matches('\n');
            writeln!(f, "{}", wrap(inner, &initial_indent, &rest_indent))?;
        }
        Ok(())
    }

    fn render_snippets(
        &self,
        f: &mut String,
        diagnostic: &Rendered,
        source: Option<&Snippet>,
    ) -> fmt::Result {
        let Some(source) = source else {
            return Ok(());
        };
        if diagnostic.labels.is_empty() {
            return Ok(());
        }
        // The very sort miette makes, on the same values: labels with one offset stay in the
        // order it leaves them.
        let mut labels = diagnostic.labels.clone();
        labels.sort_unstable_by_key(|l| l.inner().offset());

        let lines = self.context_lines;
        // (offset, length) of each context, with its first line and line count.
        let mut contexts: Vec<((usize, usize), usize, usize)> = Vec::with_capacity(labels.len());
        for right in &labels {
            let Some(right_conts) = source.contents(right.offset(), right.len(), lines, lines)
            else {
                let styles = &self.theme.styles;
                writeln!(
                    f,
                    "  [{} `{}` (offset: {}, length: {}): {}]",
                    styles.error.style("Failed to read contents for label"),
                    styles.link.style(right.label().unwrap_or("<none>")),
                    styles.link.style(right.offset()),
                    styles.link.style(right.len()),
                    styles.warning.style("OutOfBounds"),
                )?;
                return Ok(());
            };
            let right_span = (right.offset(), right.len());
            let Some(&((left_offset, left_len), left_line, left_count)) = contexts.last() else {
                contexts.push((right_span, right_conts.line, right_conts.line_count));
                continue;
            };
            if left_line + left_count >= right_conts.line {
                // The snippets overlap: one box for both.
                let new_end = (left_offset + left_len).max(right.offset() + right.len());
                let new_span = (left_offset, new_end - left_offset);
                if let Some(new_conts) = source.contents(new_span.0, new_span.1, lines, lines) {
                    contexts.pop();
                    contexts.push((new_span, new_conts.line, new_conts.line_count));
                    continue;
                }
            }
            contexts.push((right_span, right_conts.line, right_conts.line_count));
        }
        for (context, _, _) in contexts {
            self.render_context(f, source, context, &labels)?;
        }
        Ok(())
    }

    fn render_context(
        &self,
        f: &mut String,
        source: &Snippet,
        context: (usize, usize),
        labels: &[LabeledSpan],
    ) -> fmt::Result {
        let (contents, lines) = self.get_lines(source, context)?;
        let chars = &self.theme.characters;

        // Only labels inside the context are taken as its primary label.
        let ctx_labels = labels
            .iter()
            .filter(|l| context.0 <= l.offset() && l.offset() + l.len() <= context.0 + context.1);
        let primary_label = ctx_labels
            .clone()
            .find(|label| label.primary())
            .or_else(|| ctx_labels.clone().next());

        let labels: Vec<FancySpan> = labels
            .iter()
            .zip(self.theme.styles.highlights.iter().cycle())
            .map(|(label, style)| FancySpan::new(label.label(), *label.inner(), *style))
            .collect();

        // The most gutter lines active at once, for the indentation.
        let mut max_gutter = 0usize;
        for line in &lines {
            let active = labels
                .iter()
                .filter(|hl| !line.span_line_only(hl) && line.span_applies_gutter(hl))
                .count();
            max_gutter = max_gutter.max(active);
        }

        let linum_width = digits(lines.last().map_or(0, |line| line.line_number));

        write!(
            f,
            "{}{}{}",
            " ".repeat(linum_width + 2),
            chars.ltop,
            chars.hbar,
        )?;

        // The primary label's start is the reference for the line and column.
        let primary_contents = match primary_label {
            Some(label) => source
                .contents(label.offset(), label.len(), 0, 0)
                .ok_or(fmt::Error)?,
            None => contents,
        };
        writeln!(
            f,
            "[{}]",
            self.theme.styles.link.style(format_args!(
                "{}:{}:{}",
                primary_contents.name,
                primary_contents.line + 1,
                primary_contents.column + 1
            ))
        )?;

        for line in &lines {
            self.write_linum(f, linum_width, line.line_number)?;
            self.render_line_gutter(f, max_gutter, line, &labels)?;
            render_line_text(f, &line.text);

            let (single_line, multi_line): (Vec<_>, Vec<_>) = labels
                .iter()
                .filter(|hl| line.span_applies(hl))
                .partition(|hl| line.span_line_only(hl));
            if !single_line.is_empty() {
                self.write_no_linum(f, linum_width)?;
                self.render_highlight_gutter(
                    f,
                    max_gutter,
                    line,
                    &labels,
                    LabelRenderMode::SingleLine,
                )?;
                self.render_single_line_highlights(
                    f,
                    line,
                    linum_width,
                    max_gutter,
                    &single_line,
                    &labels,
                )?;
            }
            for hl in multi_line {
                if hl.label.is_some() && line.span_ends(hl) && !line.span_starts(hl) {
                    self.render_multi_line_end(f, &labels, max_gutter, linum_width, line, hl)?;
                }
            }
        }
        writeln!(
            f,
            "{}{}{}",
            " ".repeat(linum_width + 2),
            chars.lbot,
            chars.hbar.to_string().repeat(4),
        )
    }

    fn render_multi_line_end(
        &self,
        f: &mut String,
        labels: &[FancySpan],
        max_gutter: usize,
        linum_width: usize,
        line: &Line,
        label: &FancySpan,
    ) -> fmt::Result {
        self.write_no_linum(f, linum_width)?;
        let Some(label_parts) = label.label_parts() else {
            self.render_highlight_gutter(f, max_gutter, line, labels, LabelRenderMode::SingleLine)?;
            return writeln!(f, "{}", label.style.style(self.theme.characters.hbar));
        };
        let (first, rest) = label_parts
            .split_first()
            .expect("a label has at least one part");
        if rest.is_empty() {
            self.render_highlight_gutter(f, max_gutter, line, labels, LabelRenderMode::SingleLine)?;
            return self.render_multi_line_end_single(
                f,
                first,
                label.style,
                LabelRenderMode::SingleLine,
            );
        }
        self.render_highlight_gutter(f, max_gutter, line, labels, LabelRenderMode::MultiLineFirst)?;
        self.render_multi_line_end_single(f, first, label.style, LabelRenderMode::MultiLineFirst)?;
        for label_line in rest {
            self.write_no_linum(f, linum_width)?;
            self.render_highlight_gutter(
                f,
                max_gutter,
                line,
                labels,
                LabelRenderMode::MultiLineRest,
            )?;
            self.render_multi_line_end_single(
                f,
                label_line,
                label.style,
                LabelRenderMode::MultiLineRest,
            )?;
        }
        Ok(())
    }

    fn render_line_gutter(
        &self,
        f: &mut String,
        max_gutter: usize,
        line: &Line,
        highlights: &[FancySpan],
    ) -> fmt::Result {
        if max_gutter == 0 {
            return Ok(());
        }
        let chars = &self.theme.characters;
        let mut gutter = String::new();
        let applicable = highlights.iter().filter(|hl| line.span_applies_gutter(hl));
        let mut arrow = false;
        for (i, hl) in applicable.enumerate() {
            let hbars = chars.hbar.to_string().repeat(max_gutter.saturating_sub(i));
            if line.span_starts(hl) {
                write!(gutter, "{}", hl.style.style(chars.ltop))?;
                write!(gutter, "{}", hl.style.style(hbars))?;
                write!(gutter, "{}", hl.style.style(chars.rarrow))?;
                arrow = true;
                break;
            } else if line.span_ends(hl) {
                let corner = if hl.label.is_some() {
                    chars.lcross
                } else {
                    chars.lbot
                };
                write!(gutter, "{}", hl.style.style(corner))?;
                write!(gutter, "{}", hl.style.style(hbars))?;
                write!(gutter, "{}", hl.style.style(chars.rarrow))?;
                arrow = true;
                break;
            } else if line.span_flyby(hl) {
                write!(gutter, "{}", hl.style.style(chars.vbar))?;
            } else {
                gutter.push(' ');
            }
        }
        let pad = if arrow { 1 } else { 3 } + max_gutter.saturating_sub(gutter.chars().count());
        f.push_str(&gutter);
        f.push_str(&" ".repeat(pad));
        Ok(())
    }

    fn render_highlight_gutter(
        &self,
        f: &mut String,
        max_gutter: usize,
        line: &Line,
        highlights: &[FancySpan],
        render_mode: LabelRenderMode,
    ) -> fmt::Result {
        if max_gutter == 0 {
            return Ok(());
        }
        // Columns, not bytes: styles add bytes that take no column.
        let mut gutter_cols = 0;
        let chars = &self.theme.characters;
        let mut gutter = String::new();
        let applicable = highlights.iter().filter(|hl| line.span_applies_gutter(hl));
        for (i, hl) in applicable.enumerate() {
            if !line.span_line_only(hl) && line.span_ends(hl) {
                if render_mode == LabelRenderMode::MultiLineRest {
                    let horizontal_space = max_gutter.saturating_sub(i) + 2;
                    gutter.push_str(&" ".repeat(horizontal_space));
                    gutter_cols += horizontal_space + 1;
                } else {
                    let num_repeat = max_gutter.saturating_sub(i) + 2;
                    write!(gutter, "{}", hl.style.style(chars.lbot))?;
                    let hbars =
                        num_repeat - usize::from(render_mode == LabelRenderMode::MultiLineFirst);
                    let hbars = chars.hbar.to_string().repeat(hbars);
                    write!(gutter, "{}", hl.style.style(hbars))?;
                    gutter_cols += num_repeat + 1;
                }
                break;
            } else {
                write!(gutter, "{}", hl.style.style(chars.vbar))?;
                gutter_cols += 1;
            }
        }
        let num_spaces = (max_gutter + 3).saturating_sub(gutter_cols);
        f.push_str(&gutter);
        f.push_str(&" ".repeat(num_spaces));
        Ok(())
    }

    fn write_linum(&self, f: &mut String, width: usize, linum: usize) -> fmt::Result {
        write!(
            f,
            " {:width$} {} ",
            self.theme.styles.linum.style(linum),
            self.theme.characters.vbar,
            width = width
        )
    }

    fn write_no_linum(&self, f: &mut String, width: usize) -> fmt::Result {
        write!(
            f,
            " {:width$} {} ",
            "",
            self.theme.characters.vbar_break,
            width = width
        )
    }

    fn render_single_line_highlights(
        &self,
        f: &mut String,
        line: &Line,
        linum_width: usize,
        max_gutter: usize,
        single_liners: &[&FancySpan],
        all_highlights: &[FancySpan],
    ) -> fmt::Result {
        let mut underlines = String::new();
        let mut highest = 0;
        let chars = &self.theme.characters;
        let vbar_offsets: Vec<(&FancySpan, usize)> = single_liners
            .iter()
            .map(|hl| {
                let byte_start = hl.offset();
                let byte_end = hl.offset() + hl.len();
                let start = visual_offset(line, byte_start, true).max(highest);
                let end = if hl.len() == 0 {
                    start + 1
                } else {
                    visual_offset(line, byte_end, false).max(start + 1)
                };
                let vbar_offset = (start + end) / 2;
                let num_left = vbar_offset - start;
                let num_right = end - vbar_offset - 1;
                let mark = if hl.len() == 0 {
                    chars.uarrow
                } else if hl.label.is_some() {
                    chars.underbar
                } else {
                    chars.underline
                };
                let underline = format!(
                    "{:width$}{}{}{}",
                    "",
                    chars.underline.to_string().repeat(num_left),
                    mark,
                    chars.underline.to_string().repeat(num_right),
                    width = start.saturating_sub(highest),
                );
                // A style cannot fail to write into a String.
                let _ = write!(underlines, "{}", hl.style.style(underline));
                highest = highest.max(end);
                (*hl, vbar_offset)
            })
            .collect();
        writeln!(f, "{underlines}")?;

        for hl in single_liners.iter().rev() {
            let Some(label) = hl.label_parts() else {
                continue;
            };
            if label.len() == 1 {
                self.write_label_text(
                    f,
                    line,
                    (linum_width, max_gutter),
                    all_highlights,
                    &vbar_offsets,
                    hl,
                    &label[0],
                    LabelRenderMode::SingleLine,
                )?;
                continue;
            }
            for (i, label_line) in label.iter().enumerate() {
                let mode = if i == 0 {
                    LabelRenderMode::MultiLineFirst
                } else {
                    LabelRenderMode::MultiLineRest
                };
                self.write_label_text(
                    f,
                    line,
                    (linum_width, max_gutter),
                    all_highlights,
                    &vbar_offsets,
                    hl,
                    label_line,
                    mode,
                )?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_label_text(
        &self,
        f: &mut String,
        line: &Line,
        (linum_width, max_gutter): (usize, usize),
        all_highlights: &[FancySpan],
        vbar_offsets: &[(&FancySpan, usize)],
        hl: &FancySpan,
        label: &str,
        render_mode: LabelRenderMode,
    ) -> fmt::Result {
        let chars = &self.theme.characters;
        self.write_no_linum(f, linum_width)?;
        self.render_highlight_gutter(
            f,
            max_gutter,
            line,
            all_highlights,
            LabelRenderMode::SingleLine,
        )?;
        let mut curr_offset = 1usize;
        for (offset_hl, vbar_offset) in vbar_offsets {
            while curr_offset < *vbar_offset + 1 {
                f.push(' ');
                curr_offset += 1;
            }
            if *offset_hl != hl {
                write!(f, "{}", offset_hl.style.style(chars.vbar))?;
                curr_offset += 1;
            } else {
                let lines = match render_mode {
                    LabelRenderMode::SingleLine => {
                        format!(
                            "{}{} {}",
                            chars.lbot,
                            chars.hbar.to_string().repeat(2),
                            label
                        )
                    }
                    LabelRenderMode::MultiLineFirst => {
                        format!("{}{}{} {}", chars.lbot, chars.hbar, chars.rcross, label)
                    }
                    LabelRenderMode::MultiLineRest => format!("  {} {}", chars.vbar, label),
                };
                writeln!(f, "{}", hl.style.style(lines))?;
                break;
            }
        }
        Ok(())
    }

    fn render_multi_line_end_single(
        &self,
        f: &mut String,
        label: &str,
        style: Style,
        render_mode: LabelRenderMode,
    ) -> fmt::Result {
        let chars = &self.theme.characters;
        let mark = match render_mode {
            LabelRenderMode::SingleLine => chars.hbar,
            LabelRenderMode::MultiLineFirst => chars.rcross,
            LabelRenderMode::MultiLineRest => chars.vbar,
        };
        writeln!(f, "{} {}", style.style(mark), label)
    }

    /// The lines of `context` with its context lines, each with its 1-based number.
    fn get_lines<'s>(
        &self,
        source: &'s Snippet,
        context: (usize, usize),
    ) -> Result<(Contents<'s>, Vec<Line<'s>>), fmt::Error> {
        let contents = source
            .contents(context.0, context.1, self.context_lines, self.context_lines)
            .ok_or(fmt::Error)?;
        let lines = if contents.data.contains('\r') {
            lines_with_returns(&contents)
        } else {
            let mut offset = contents.offset;
            contents
                .data
                .split_inclusive('\n')
                .enumerate()
                .map(|(i, piece)| {
                    let line = Line {
                        line_number: contents.line + i + 1,
                        offset,
                        length: piece.len(),
                        text: Cow::Borrowed(piece.strip_suffix('\n').unwrap_or(piece)),
                    };
                    offset += piece.len();
                    line
                })
                .collect()
        };
        Ok((contents, lines))
    }
}

/// miette's own line split, character by character, for data holding a `\r` (a `\r\n` ends a
/// line, a lone `\r` is text; snippets escape both, so only the tests come here).
fn lines_with_returns<'s>(contents: &Contents<'s>) -> Vec<Line<'s>> {
    let mut line = contents.line;
    let mut column = contents.column;
    let mut offset = contents.offset;
    let mut line_offset = offset;
    let mut line_str = String::new();
    let mut lines = Vec::new();
    let mut iter = contents.data.chars().peekable();
    while let Some(char) = iter.next() {
        offset += char.len_utf8();
        let mut at_end_of_file = false;
        match char {
            '\r' => {
                if iter.next_if_eq(&'\n').is_some() {
                    offset += 1;
                    line += 1;
                    column = 0;
                } else {
                    line_str.push(char);
                    column += 1;
                }
                at_end_of_file = iter.peek().is_none();
            }
            '\n' => {
                at_end_of_file = iter.peek().is_none();
                line += 1;
                column = 0;
            }
            _ => {
                line_str.push(char);
                column += 1;
            }
        }
        if iter.peek().is_none() && !at_end_of_file {
            line += 1;
        }
        if column == 0 || iter.peek().is_none() {
            lines.push(Line {
                line_number: line,
                offset: line_offset,
                length: offset - line_offset,
                text: Cow::Owned(std::mem::take(&mut line_str)),
            });
            line_offset = offset;
        }
    }
    lines
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Appends a line's text and its line break, tabs as spaces.
fn render_line_text(f: &mut String, text: &str) {
    if !text.contains('\t') {
        f.push_str(text);
    } else {
        for (c, width) in text.chars().zip(visual_char_widths(text)) {
            if c == '\t' {
                f.push_str(&" ".repeat(width));
            } else {
                f.push(c);
            }
        }
    }
    f.push('\n');
}

/// The columns each character of `text` takes: tabs to the next stop, ANSI escapes none, the
/// rest their Unicode width (the unicode-width release miette uses).
fn visual_char_widths(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut column = 0;
    let mut escaped = false;
    text.chars().map(move |c| {
        let width = match (escaped, c) {
            (false, '\t') => TAB_WIDTH - column % TAB_WIDTH,
            (false, '\x1b') => {
                escaped = true;
                0
            }
            (false, c) => c.width().unwrap_or(0),
            (true, 'm') => {
                escaped = false;
                0
            }
            (true, _) => 0,
        };
        column += width;
        width
    })
}

fn visual_width(text: &str) -> usize {
    if printable_ascii(text) {
        text.len()
    } else {
        visual_char_widths(text).sum()
    }
}

/// The column of byte `offset` on `line`: of its character's first column when `start`, its
/// last otherwise; one past the text for an offset past it.
fn visual_offset(line: &Line, offset: usize, start: bool) -> usize {
    let line_range = line.offset..=(line.offset + line.length);
    assert!(line_range.contains(&offset));
    let text = &*line.text;
    let mut text_index = offset - line.offset;
    while text_index <= text.len() && !text.is_char_boundary(text_index) {
        if start {
            text_index -= 1;
        } else {
            text_index += 1;
        }
    }
    let width = visual_width(&text[..text_index.min(text.len())]);
    if text_index > text.len() {
        width + 1
    } else {
        width
    }
}

/// miette's `wrap` with wrapping off: the indents put before each line of `text`, trimmed
/// before a blank one.
fn wrap(text: &str, initial_indent: &str, subsequent_indent: &str) -> String {
    let mut result = String::with_capacity(2 * text.len());
    let trimmed_indent = subsequent_indent.trim_end();
    for (idx, line) in text.split_terminator('\n').enumerate() {
        if idx > 0 {
            result.push('\n');
        }
        let blank = line.trim().is_empty();
        result.push_str(match (idx, blank) {
            (0, true) => initial_indent.trim_end(),
            (0, false) => initial_indent,
            (_, true) => trimmed_indent,
            (_, false) => subsequent_indent,
        });
        result.push_str(line);
    }
    if text.ends_with('\n') {
        result.push('\n');
    }
    result
}
