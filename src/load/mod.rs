//! Loading: JSON5 with spans, `$include`, `.env` files, the config `env` block and `${VAR}`
//! substitution. A loader records what it found, including problems; it never judges.

pub mod dotenv;
pub mod env;
pub mod include;
pub mod json5;
pub mod read;
pub mod tree;

use crate::source::{Loc, SourceMap};
use std::path::Path;

/// What kind of trouble a loader met. Rules decide what each means for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    Unparsable,
    Unreadable,
    Include,
    MissingEnvVar,
    InvalidValue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    /// Where it is; `None` for an input that has no file (a given environment variable).
    pub loc: Option<Loc>,
}

/// Parses a config file's text: `JSON.parse` first, then json5, as OpenClaw does. Our JSON5
/// parser accepts every JSON document, so one parse serves both.
pub fn parse_config(
    sources: &mut SourceMap,
    path: &Path,
    text: String,
    included_from: Option<Loc>,
) -> Result<(tree::Node, Vec<json5::Comment>), Problem> {
    let parsed = json5::parse(&text);
    let file = sources.add(path, text, included_from);
    match parsed {
        Ok(doc) => Ok((tree::Node::from_json5(&doc.root, file), doc.comments)),
        Err(err) => Err(Problem {
            kind: ProblemKind::Unparsable,
            message: format!("invalid JSON5: {}", err.message),
            loc: Some(Loc {
                file,
                span: err.span,
            }),
        }),
    }
}

/// Registers a file that could not be read, so the problem still has a place to point at.
pub fn unreadable(sources: &mut SourceMap, path: &Path, err: &read::ReadError) -> Problem {
    let file = sources.add(path, String::new(), None);
    Problem {
        kind: ProblemKind::Unreadable,
        message: format!("cannot read {}: {}", path.display(), err.describe()),
        loc: Some(tree::file_start(file)),
    }
}
