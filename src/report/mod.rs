//! Reporters: they render findings and models; they never decide anything.
//!
//! Every format `check --format` knows is a [`Format`] variant, and each is written by an
//! [`Emitter`] (the shape of ruff's `Emitter` trait): adding a format is one variant, a
//! `render` function (or an emitter of its own) and one arm in [`Format::emitter`], and clap
//! lists it in `--help` and in the error for an unknown one.

pub mod concise;
pub mod flat;
pub mod github;
mod graphical;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod pretty;
pub mod rule_doc;
pub mod sarif;
pub mod visible;
pub mod xml;

use crate::diagnostic::{Reported, Severity};
use crate::source::{Loc, SourceMap};
use serde::Serialize;
use std::io::{self, Write};

/// The output formats of `clawlint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each finding with its source lines and every party labelled (the default).
    Human,
    /// One line per finding, `path:line:col: CODE [severity] message`.
    Concise,
    /// A versioned JSON document: every finding with every party's exact place.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// JUnit XML for CI dashboards: one test case per finding.
    Junit,
    /// A Markdown summary (counts, top findings, every rule with a link to its page) for a
    /// GitHub step summary or a pull-request comment.
    Markdown,
}

impl Format {
    /// Whether the format shows what fix planning adds to a finding: its fix (the `[*]`/`[-]`
    /// marks, JSON's `fix`, SARIF's `fixes`) or its notes ("no automatic fix: …", a fix
    /// left for a later round). Only the Markdown summary shows neither (counts, and each
    /// top finding's level, rule, place, message and gateways), so a run whose every output
    /// is Markdown need not plan fixes; its bytes are the same either way (tested below).
    pub fn shows_fixes(self) -> bool {
        !matches!(self, Format::Markdown)
    }

    /// The emitter that writes this format. `human` says how the human format looks where it
    /// goes (colour, width); the other formats are the same everywhere.
    pub fn emitter(self, human: human::HumanOptions) -> Box<dyn Emitter> {
        match self {
            Format::Human => Box::new(human::HumanEmitter(human)),
            Format::Concise => Box::new(Streamed(|out, f, c| {
                concise::write(out, f, c.sources, c.instances, c.quiet)
            })),
            Format::Json => Box::new(json::JsonEmitter),
            Format::Sarif => Box::new(Streamed(|out, f, c| sarif::write(out, f, c.sources))),
            Format::Github => Box::new(Streamed(|out, f, c| github::write(out, f, c.sources))),
            Format::Junit => Box::new(Streamed(junit::write)),
            Format::Markdown => Box::new(Rendered(markdown::render)),
        }
    }
}

/// What an emitter may know besides the findings: the files they point into, how many
/// gateways were checked, and what the command decided makes the run fail.
pub struct EmitterContext<'a> {
    pub sources: &'a SourceMap,
    pub instances: usize,
    /// The least severity that makes the run fail (exit 1): `Some(Error)`, `Some(Warning)`
    /// with `--strict`, `None` with `--exit-zero`. Formats that mark pass and fail (JUnit)
    /// follow it, so that a dashboard agrees with the exit code.
    pub failing: Option<Severity>,
    /// How JUnit shows a finding below the failing level.
    pub junit_below_failing: JunitBelowFailing,
    /// `--quiet`: the findings and nothing else (no summary line).
    pub quiet: bool,
}

impl<'a> EmitterContext<'a> {
    /// A context where errors fail the run and JUnit passes the rest (the defaults).
    pub fn new(sources: &'a SourceMap, instances: usize) -> Self {
        EmitterContext {
            sources,
            instances,
            failing: Some(Severity::Error),
            junit_below_failing: JunitBelowFailing::default(),
            quiet: false,
        }
    }

    /// Whether a finding fails the run.
    pub fn fails(&self, reported: &Reported) -> bool {
        self.failing.is_some_and(|level| reported.severity >= level)
    }
}

/// `--junit-below-failing`: a finding that does not fail the run is a passing test case with
/// its details in `<system-out>`, or a skipped one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum JunitBelowFailing {
    /// A passing test case, details in `<system-out>`.
    #[default]
    Passed,
    /// A skipped test case (`<skipped message=...>`), details in `<system-out>`.
    Skipped,
}

/// A format written as it is made, finding by finding, straight to the (buffered) output.
struct Streamed(fn(&mut dyn Write, &[Reported], &EmitterContext) -> io::Result<()>);

impl Emitter for Streamed {
    fn emit(
        &self,
        out: &mut dyn Write,
        findings: &[Reported],
        context: &EmitterContext,
    ) -> io::Result<()> {
        (self.0)(out, findings, context)
    }
}

/// A format whose whole output is one rendered string (the Markdown summary, which shows a
/// bounded number of findings): the emitter writes what its `render`
/// function returns.
struct Rendered(fn(&[Reported], &EmitterContext) -> String);

impl Emitter for Rendered {
    fn emit(
        &self,
        out: &mut dyn Write,
        findings: &[Reported],
        context: &EmitterContext,
    ) -> io::Result<()> {
        out.write_all((self.0)(findings, context).as_bytes())
    }
}

/// Writes a run's findings in one format. Emitters render what the engine decided (severity,
/// order, suppression); they never decide anything themselves.
pub trait Emitter {
    fn emit(
        &self,
        out: &mut dyn Write,
        findings: &[Reported],
        context: &EmitterContext,
    ) -> io::Result<()>;
}

/// What is gathered before it goes to the output: the writes of a report are a few bytes
/// each (quotes, separators, indentation), so they go to memory and out in pieces of this size.
const CHUNK: usize = 64 * 1024;

/// Output made in memory and passed on a [`CHUNK`] at a time: a record format writes each
/// finding into `buf` and calls [`Chunks::pass_full`] between findings, so that its memory is
/// one chunk and a finding, whatever the number of findings.
pub(crate) struct Chunks<'a> {
    out: &'a mut dyn Write,
    pub buf: Vec<u8>,
}

impl<'a> Chunks<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        Chunks {
            out,
            buf: Vec::with_capacity(CHUNK + 4 * 1024),
        }
    }

    /// Passes what is gathered on once it is a chunk or more.
    pub fn pass_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Passes the rest on.
    pub fn finish(self) -> io::Result<()> {
        self.out.write_all(&self.buf)
    }
}

/// A label's place in human terms. 1-based lines and columns (columns in characters).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

pub fn position(sources: &SourceMap, loc: Loc) -> Position {
    let (file, at) = place(sources, loc);
    Position {
        file: file.to_string(),
        line: at.line,
        column: at.column,
        end_line: at.end_line,
        end_column: at.end_column,
        byte_start: at.byte_start,
        byte_end: at.byte_end,
    }
}

/// A [`Position`] with its file's shown path borrowed, for a writer that copies it out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

pub fn place(sources: &SourceMap, loc: Loc) -> (&str, Place) {
    let file = sources.file(loc.file);
    let ((line, column), (end_line, end_column)) =
        file.lines()
            .span_line_col(&file.text, loc.span.start(), loc.span.end());
    let at = Place {
        line,
        column,
        end_line,
        end_column,
        byte_start: loc.span.start(),
        byte_end: loc.span.end(),
    };
    (file.shown_path(), at)
}

/// A location that can be shown: its file has text to point into, or it names a whole
/// file (an unreadable one) at its start.
pub fn showable(sources: &SourceMap, loc: Option<Loc>) -> Option<Loc> {
    loc.filter(|l| !sources.file(l.file).text.is_empty() || l.span.end() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Finding, Label};
    use crate::fix::{Applicability, Edit, Fix};
    use crate::load::json5::Span;
    use clap::ValueEnum;
    use std::path::Path;

    /// `Format::shows_fixes` is what each format does: a format that it says shows no fixes
    /// prints the same bytes whether or not the findings carry a fix and planning's notes (so
    /// `check` may skip planning for it), and one that shows them prints something else.
    #[test]
    fn a_format_shows_fixes_exactly_when_it_says_so() {
        let mut sources = SourceMap::new();
        let file = sources.add(
            Path::new("a.json"),
            "{ gateway: { port: 1 } }\n".into(),
            None,
        );
        sources.show_all(file);
        let loc = Loc {
            file,
            span: Span::new(20, 21),
        };
        let finding = |planned: bool| {
            let mut finding = Finding::new(&crate::catalog::GATEWAY_PORT_COLLISION, "one port")
                .label(Label::new(Some(loc), "a: port 1", Some("a")));
            if planned {
                finding.fix = Some(Box::new(Fix {
                    applicability: Applicability::Unsafe,
                    description: "move \"a\"".into(),
                    edits: vec![Edit {
                        file,
                        span: loc.span,
                        replacement: "2".into(),
                    }],
                }));
                finding.notes.push("no automatic fix: a reason".into());
            }
            vec![Reported {
                finding,
                severity: Severity::Error,
            }]
        };
        let context = EmitterContext::new(&sources, 1);
        for &format in Format::value_variants() {
            let emit = |findings: &[Reported]| {
                let mut out = Vec::new();
                let emitter = format.emitter(human::HumanOptions {
                    color: false,
                    width: 100,
                });
                emitter.emit(&mut out, findings, &context).unwrap();
                out
            };
            let (planned, bare) = (emit(&finding(true)), emit(&finding(false)));
            assert_eq!(planned != bare, format.shows_fixes(), "{format:?}");
        }
    }
}
