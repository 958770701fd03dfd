//! Reporters: they render findings and models; they never decide anything.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod model;
pub mod sarif;
pub mod svg;

use crate::source::{Loc, SourceMap};
use serde::Serialize;

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
    let (line, column) = sources.line_col(loc.file, loc.span.start);
    let (end_line, end_column) = sources.line_col(loc.file, loc.span.end);
    Position {
        file: crate::paths::display_path(&sources.file(loc.file).path),
        line,
        column,
        end_line,
        end_column,
        byte_start: loc.span.start,
        byte_end: loc.span.end,
    }
}

/// A location that can be shown: its file has text to point into, or it names a whole
/// file (an unreadable one) at its start.
pub fn showable(sources: &SourceMap, loc: Option<Loc>) -> Option<Loc> {
    loc.filter(|l| !sources.file(l.file).text.is_empty() || l.span.end == 0)
}
