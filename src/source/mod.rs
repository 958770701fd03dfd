//! Every file clawlint reads, with its text, so that any value can point back into it.

pub mod directive;

pub use directive::Suppression;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Byte offsets into a file's text, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a file: the file and a byte span in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// Why a file was read: shown in diagnostics to explain the include chain.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as clawlint built it from the user's arguments (never made absolute).
    pub path: PathBuf,
    /// The file's text; empty when it could not be read.
    pub text: String,
    /// The `$include` value that pulled this file in, when it is an include.
    pub included_from: Option<Loc>,
    /// Spans holding secrets: never shown, in any output.
    pub redactions: Vec<Span>,
    /// `clawlint-ignore` comments found in the file.
    pub suppressions: Vec<Suppression>,
}

impl SourceFile {
    /// The text with every secret replaced by `*`, byte for byte, so spans stay valid.
    pub fn redacted_text(&self) -> String {
        crate::redact::masked(&self.text, &self.redactions)
    }
}

/// Files are added once and never removed, so a [`FileId`] stays valid.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    by_path: HashMap<PathBuf, FileId>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file (or returns the id it already has).
    pub fn add(&mut self, path: &Path, text: String, included_from: Option<Loc>) -> FileId {
        if let Some(id) = self.by_path.get(path) {
            return *id;
        }
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            included_from,
            redactions: Vec::new(),
            suppressions: Vec::new(),
        });
        self.by_path.insert(path.to_path_buf(), id);
        id
    }

    /// Marks spans of a file as secret.
    pub fn redact(&mut self, id: FileId, spans: impl IntoIterator<Item = Span>) {
        self.files[id.0 as usize].redactions.extend(spans);
    }

    pub fn set_suppressions(&mut self, id: FileId, suppressions: Vec<Suppression>) {
        self.files[id.0 as usize].suppressions = suppressions;
    }

    pub fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        line_col(&self.file(id).text, offset)
    }

    /// The include chain that led to a file, outermost first.
    pub fn include_chain(&self, id: FileId) -> Vec<Loc> {
        let mut chain = Vec::new();
        let mut current = self.file(id).included_from;
        while let Some(loc) = current {
            if chain.contains(&loc) {
                break;
            }
            chain.push(loc);
            current = self.file(loc.file).included_from;
        }
        chain.reverse();
        chain
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_text_masks_the_marked_spans() {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("f"), "a=sécret;".into(), None);
        map.redact(id, [Span { start: 2, end: 9 }]);
        assert_eq!(map.file(id).redacted_text(), "a=*******;");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("ab\nçd", 5), (2, 2));
        assert_eq!(line_col("ab\nçd", 6), (2, 3));
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("a\n", 2), (2, 1));
    }

    #[test]
    fn include_chain_is_outermost_first() {
        let mut map = SourceMap::new();
        let top = map.add(Path::new("a"), "x".into(), None);
        let at_top = Loc {
            file: top,
            span: Span { start: 0, end: 1 },
        };
        let mid = map.add(Path::new("b"), "y".into(), Some(at_top));
        let at_mid = Loc {
            file: mid,
            span: Span { start: 0, end: 1 },
        };
        let leaf = map.add(Path::new("c"), "z".into(), Some(at_mid));
        assert_eq!(map.include_chain(leaf), vec![at_top, at_mid]);
        assert_eq!(map.add(Path::new("b"), String::new(), None), mid);
    }
}
