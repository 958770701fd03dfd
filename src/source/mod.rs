//! Every file clawlint reads, with its text, so that any value can point back into it.

pub mod directive;
pub mod lines;

use crate::paths::FastMap as HashMap;
pub use directive::Suppression;
pub use lines::LineIndex;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

/// Byte offsets into a file's text, `end` exclusive.
///
/// Held in 32 bits: a span is in every located value of every gateway (each origin, tree node
/// and label), and offsets of two `usize`s made each of them 8 bytes larger. No text clawlint
/// locates reaches 4 GiB: every file read is bounded (`load::read`'s limits, an include chain
/// at most [`crate::load::include::MAX_INCLUDE_BYTES`], an expansion at most
/// [`crate::load::env::MAX_SUBSTITUTED_BYTES`]), and [`Span::new`] checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

/// The largest text a span may point into (checked in [`Span::new`] and [`SourceMap::add`]).
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize;

const _: () = assert!(crate::load::include::MAX_INCLUDE_BYTES <= MAX_TEXT_BYTES);
const _: () = assert!(crate::load::env::MAX_SUBSTITUTED_BYTES <= MAX_TEXT_BYTES);
const _: () = assert!(crate::load::read::CONFIG_LIMIT as usize <= MAX_TEXT_BYTES);

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: offset(start),
            end: offset(end),
        }
    }

    /// The first byte.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// The byte after the last.
    pub fn end(self) -> usize {
        self.end as usize
    }

    /// `start..end`, to slice the text with.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
}

/// An offset as a span holds it. Every text is under [`MAX_TEXT_BYTES`] (reads are bounded, see
/// [`Span`]), so this never fails; were a bound ever raised past 4 GiB, it stops here rather
/// than point at a wrong place.
fn offset(at: usize) -> u32 {
    u32::try_from(at).expect("a located text is under 4 GiB: every read is bounded")
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
    /// Spans known to be safe to show (keys, punctuation, values known not to be secret). Every
    /// other character is masked in any output: a file is shown only where its loader said
    /// it may be ([`crate::redact`]). Private: every change goes through [`SourceMap::show`],
    /// which drops `shown_union`.
    shown: Vec<Span>,
    /// A scan of the text that adds to `shown`, run when the file is first shown, not when it
    /// is read ([`SourceMap::show_when_asked`]): most files read are never shown (at 10,000
    /// gateways, 15 of 10,000 `.env` files), and the scan cost as much as reading them.
    shown_by: Option<fn(&str) -> Vec<Span>>,
    /// The union of `shown` (and what `shown_by` finds) as sorted stretches, none touching the next, built on first
    /// [`SourceFile::hides`]: fix planning asks it once per edit, thousands of times of one
    /// file with thousands of fixes (a scan of every shown span per byte was quadratic).
    shown_union: std::sync::OnceLock<Box<[Span]>>,
    /// Set at the first [`SourceFile::hides`] question (which is answered without the union).
    asked: std::sync::OnceLock<()>,
    /// `clawlint-ignore` comments found in the file, in file order.
    pub suppressions: Vec<Suppression>,
    /// Its text is plain JSON (`JSON.parse` accepts it), as the config loader found when it
    /// parsed it; false for every file no config loader parsed.
    pub plain_json: bool,
    /// Its text holds a `://`, as the config loader found when it parsed it: a URL written in
    /// a config can only be in such a text. False for every file no config loader parsed.
    pub holds_url: bool,
    /// Where its lines start, found on first use (the text never changes once added).
    /// (Boxed: most files are never shown, and an index inline made every file 48 bytes
    /// larger.)
    lines: std::sync::OnceLock<Box<LineIndex>>,
    /// Its path as outputs show it ([`crate::paths::display_path`]), made on first use.
    shown_path: std::sync::OnceLock<String>,
    /// A file that is not there yet, which a fix creates ([`SourceMap::add_new`]): its text
    /// is empty, and the fix's one edit inserts the whole file.
    pub to_create: bool,
}

impl SourceFile {
    /// The file's line index, built once.
    pub fn lines(&self) -> &LineIndex {
        self.lines
            .get_or_init(|| Box::new(LineIndex::new(&self.text)))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    /// The path as outputs show it ([`crate::paths::display_path`]), made once per file
    /// rather than once per place shown in it.
    pub fn shown_path(&self) -> &str {
        self.shown_path
            .get_or_init(|| crate::paths::display_path(&self.path))
    }

    /// The text as it may be shown: everything not known to be safe replaced by `*`, byte for
    /// byte, so spans stay valid.
    pub fn redacted_text(&self) -> String {
        crate::redact::masked(&self.text, self.shown_union())
    }

    /// Whether any character of `span` (or the one at its start, for an empty span) is masked:
    /// a byte other than whitespace outside every shown span. The stretches shown are found by
    /// binary search, so an edit costs its own length, not the file's shown spans.
    ///
    /// A file's first question is answered from the shown spans that overlap `span` (one pass
    /// over them), its later ones from the union, built at the second: most files a fix
    /// edits are asked once (a compose file's few hundred spans sorted for one port's digits
    /// cost ~10,000 instructions), and one asked thousands of times still sorts once.
    pub fn hides(&self, span: Span) -> bool {
        let end = span.end().max(span.start() + 1).min(self.text.len());
        let at = span.start().min(end);
        let asked_before = self.asked.set(()).is_err();
        match self.shown_union.get() {
            Some(union) => self.masked_in(union, at, end),
            None if asked_before => self.masked_in(self.shown_union(), at, end),
            None => self.masked_in(&self.shown_over(at, end), at, end),
        }
    }

    /// The union of what is shown (as [`SourceFile::shown_union`] finds it) over
    /// `at..end`: the shown spans that overlap it, cut to it.
    fn shown_over(&self, at: usize, end: usize) -> Vec<Span> {
        let found = self.shown_by.map(|scan| scan(&self.text));
        let spans = self.shown.iter().chain(found.iter().flatten());
        let over: Vec<Span> = spans
            .filter(|s| s.start() < end && at < s.end())
            .map(|s| Span::new(s.start().max(at), s.end().min(end)))
            .collect();
        union_of(&over)
    }

    /// Whether a byte of `at..end` other than whitespace lies outside every stretch of
    /// `union` (sorted stretches, none touching the next, as [`union_of`] makes them).
    fn masked_in(&self, union: &[Span], mut at: usize, end: usize) -> bool {
        let bytes = self.text.as_bytes();
        // The first stretch shown that ends after `at`.
        let mut next = union.partition_point(|s| s.end() <= at);
        while at < end {
            crate::ports::allocate::work::add(1);
            let (from, to) = union.get(next).map_or((end, end), |s| (s.start(), s.end()));
            // Masked from `at` to the next stretch shown: only whitespace may be there.
            let masked_to = from.clamp(at, end);
            if bytes[at..masked_to]
                .iter()
                .any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return true;
            }
            at = to.max(masked_to);
            next += 1;
        }
        false
    }

    /// The suppression whose comment is at `comment`, if any (found by binary search: the
    /// suppressions are in file order).
    pub fn suppression_at(&self, comment: Span) -> Option<&Suppression> {
        crate::ports::allocate::work::add(1);
        let key = |s: Span| (s.start(), s.end());
        let at = self
            .suppressions
            .partition_point(|s| key(s.comment) < key(comment));
        self.suppressions.get(at).filter(|s| s.comment == comment)
    }

    /// [`SourceFile::shown_union`]'s stretches, built once.
    fn shown_union(&self) -> &[Span] {
        self.shown_union.get_or_init(|| {
            let found = self.shown_by.map(|scan| scan(&self.text));
            let spans = match found {
                Some(mut found) => {
                    found.extend_from_slice(&self.shown);
                    Cow::Owned(found)
                }
                None => Cow::Borrowed(&self.shown),
            };
            union_of(&spans).into_boxed_slice()
        })
    }
}

/// The union of `spans`: sorted stretches, each ending before the next starts (spans that
/// overlap or touch are one stretch); empty spans cover nothing.
fn union_of(spans: &[Span]) -> Vec<Span> {
    let mut sorted: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| s.start() < s.end())
        .map(|s| (s.start(), s.end()))
        .collect();
    sorted.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match out.last_mut() {
            Some(last) if start <= last.end() => {
                *last = Span::new(last.start(), end.max(last.end()))
            }
            _ => out.push(Span::new(start, end)),
        }
    }
    out
}

/// Files are added once and never removed, so a [`FileId`] stays valid.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// Grown by chunks: a large run keeps tens of thousands of files to its end.
    files: crate::collections::Chunked<SourceFile>,
    /// Each file's id by the hash of its path: the path itself is stored once, in the file (a
    /// map keyed by paths kept a second copy of each). The hasher is randomly seeded, so paths
    /// from the layout cannot be crafted to collide; two that do anyway are told apart by
    /// their paths ([`SourceMap::collided`]).
    by_path: HashMap<u64, FileId>,
    /// Files whose path hash was already taken by another path's (in practice never).
    collided: Vec<FileId>,
    hasher: foldhash::fast::RandomState,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file (or returns the id it already has).
    pub fn add(&mut self, path: &Path, text: String, included_from: Option<Loc>) -> FileId {
        self.add_kept(path, text, included_from).0
    }

    /// [`SourceMap::add`], and whether the map kept this text: `false` when it had the path
    /// already (it keeps a path's first text). A loader that must know asks here, not with a
    /// [`SourceMap::lookup`] first: one hash of the path, not two.
    pub fn add_kept(
        &mut self,
        path: &Path,
        text: String,
        included_from: Option<Loc>,
    ) -> (FileId, bool) {
        match self.add_unless_known(path, text, included_from) {
            Ok(id) => (id, true),
            Err((id, _)) => (id, false),
        }
    }

    /// The id the next file added gets ([`SourceMap::add_unless_known`]).
    pub fn next_id(&self) -> FileId {
        FileId(self.files.len() as u32)
    }

    /// [`SourceMap::add_kept`], giving `text` back with the id of the path's first text when
    /// the map has the path already.
    pub fn add_unless_known(
        &mut self,
        path: &Path,
        text: String,
        included_from: Option<Loc>,
    ) -> Result<FileId, (FileId, String)> {
        let hash = self.path_hash(path);
        if let Some(id) = self.lookup_hashed(path, hash) {
            return Err((id, text));
        }
        // Spans into it are 32-bit ([`Span`]); reads are bounded far below that.
        offset(text.len());
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            included_from,
            shown: Vec::new(),
            shown_by: None,
            shown_union: std::sync::OnceLock::new(),
            asked: std::sync::OnceLock::new(),
            suppressions: Vec::new(),
            plain_json: false,
            holds_url: false,
            lines: std::sync::OnceLock::new(),
            shown_path: std::sync::OnceLock::new(),
            to_create: false,
        });
        match self.by_path.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
            Entry::Occupied(_) => self.collided.push(id),
        }
        Ok(id)
    }

    /// Registers a file that is not there, for a fix to create (or returns the id its path
    /// already has: a file read, or one registered to be created). Nothing of it is a secret:
    /// clawlint writes all of it.
    pub fn add_new(&mut self, path: &Path) -> FileId {
        let (id, kept) = self.add_kept(path, String::new(), None);
        if kept {
            self.files[id.0 as usize].to_create = true;
        }
        id
    }

    /// Marks spans of a file as known to be safe to show. A file added is masked whole until
    /// its loader says what of it may be shown.
    pub fn show(&mut self, id: FileId, spans: impl IntoIterator<Item = Span>) {
        let file = &mut self.files[id.0 as usize];
        file.shown.extend(spans);
        file.shown_union.take();
    }

    /// Shows what `scan` finds safe to show in the file's text, scanned when the file is first
    /// shown ([`SourceFile::redacted_text`], [`SourceFile::hides`]), not now: the same spans,
    /// for a file that is never shown no scan. A file has one such scan; a second is run now.
    pub fn show_when_asked(&mut self, id: FileId, scan: fn(&str) -> Vec<Span>) {
        let file = &mut self.files[id.0 as usize];
        match file.shown_by {
            None => {
                file.shown_by = Some(scan);
                file.shown_union.take();
            }
            Some(_) => {
                let spans = scan(&file.text);
                self.show(id, spans);
            }
        }
    }

    /// Shows a whole file: one clawlint writes the grammar of and that holds no secrets
    /// (`clawlint.toml`).
    pub fn show_all(&mut self, id: FileId) {
        let end = self.files[id.0 as usize].text.len();
        self.show(id, [Span::new(0, end)]);
    }

    /// Shows everything of a file but `hidden` (for a parsed config, whose every value and
    /// comment the loader has judged).
    pub fn show_except(&mut self, id: FileId, mut hidden: Vec<Span>) {
        hidden.sort_unstable_by_key(|s| (s.start(), s.end()));
        let end = self.files[id.0 as usize].text.len();
        let mut shown = Vec::with_capacity(hidden.len() + 1);
        let mut at = 0;
        for span in hidden {
            if span.start() > at {
                shown.push(Span::new(at, span.start().min(end)));
            }
            at = at.max(span.end());
        }
        if at < end {
            shown.push(Span::new(at, end));
        }
        self.show(id, shown);
    }

    /// Records that a config text parsed into a tree holds a `://` ([`SourceFile::holds_url`]).
    pub fn set_holds_url(&mut self, id: FileId) {
        self.files[id.0 as usize].holds_url = true;
    }

    /// Records that a file's text is plain JSON ([`SourceFile::plain_json`]).
    pub fn set_plain_json(&mut self, id: FileId) {
        self.files[id.0 as usize].plain_json = true;
    }

    /// Records a file's suppression comments; they are shown (clawlint wrote their grammar).
    pub fn set_suppressions(&mut self, id: FileId, mut suppressions: Vec<Suppression>) {
        // In file order (as the loaders find them), so a comment is found by binary search.
        suppressions.sort_by_key(|s| (s.comment.start(), s.comment.end()));
        let comments: Vec<Span> = suppressions.iter().map(|s| s.comment).collect();
        self.show(id, comments);
        self.files[id.0 as usize].suppressions = suppressions;
    }

    /// The id of the file added under `path` (paths compare as [`Path`]s do).
    pub fn lookup(&self, path: &Path) -> Option<FileId> {
        self.lookup_hashed(path, self.path_hash(path))
    }

    /// [`SourceMap::lookup`] of a path whose [`SourceMap::path_hash`] is `hash`.
    fn lookup_hashed(&self, path: &Path, hash: u64) -> Option<FileId> {
        let is_it = |id: &FileId| self.file(*id).path == path;
        self.by_path
            .get(&hash)
            .filter(|id| is_it(id))
            .or_else(|| self.collided.iter().find(|id| is_it(id)))
            .copied()
    }

    /// A path's hash as paths compare (component by component: `d//e/` is `d/e`). A path spelt
    /// in plain components (nearly every one) is hashed as its bytes, any other as its
    /// components spelt so: equal paths hash alike. `Path`'s own `Hash` parses the components
    /// of every path it hashes (~600 instructions for a layout's path; 90,000 lookups at
    /// 10,000 gateways).
    fn path_hash(&self, path: &Path) -> u64 {
        self.hasher.hash_one(crate::paths::compared_bytes(path))
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
        self.file(id).line_col(offset)
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

/// 1-based line and column (in characters) of a byte offset in `text`, for a text looked
/// into once (a file in the [`SourceMap`] keeps its [`LineIndex`]).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_masked_but_where_it_is_shown() {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("f"), "a=sécret; b".into(), None);
        assert_eq!(map.file(id).redacted_text(), "********** *");
        map.show_except(id, vec![Span::new(2, 9)]);
        assert_eq!(map.file(id).redacted_text(), "a=*******; b");
        assert!(map.file(id).hides(Span::new(3, 4)));
        assert!(!map.file(id).hides(Span::new(0, 2)));
        assert!(!map.file(id).hides(Span::new(9, 9)));
    }

    /// A scan run when the file is first shown shows what it shows when run at once, with
    /// what else is shown, before or after it; a second scan is run at once.
    #[test]
    fn a_scan_when_asked_shows_what_it_shows_at_once() {
        let text = "# note\nA=secret\nexport B=\"x y\" # c\nPORT=18789\n";
        let suppression = vec![Span::new(0, 6)];
        let (mut eager, mut later) = (SourceMap::new(), SourceMap::new());
        let a = eager.add(Path::new(".env"), text.into(), None);
        let b = later.add(Path::new(".env"), text.into(), None);
        eager.show(a, crate::redact::scan::env_lines(text));
        eager.show(a, suppression.clone());
        later.show_when_asked(b, crate::redact::scan::env_lines);
        let scanned = crate::redact::scan::env_lines(text);
        let masked = crate::redact::masked(text, &scanned);
        assert_eq!(later.file(b).redacted_text(), masked);
        assert!(masked.contains("A=******"), "{masked}");
        later.show(b, suppression);
        assert_eq!(later.file(b).redacted_text(), eager.file(a).redacted_text());
        for start in 0..text.len() {
            for end in start..=text.len() {
                let span = Span::new(start, end);
                assert_eq!(later.file(b).hides(span), eager.file(a).hides(span));
                // A file's first question, answered without the union, with its scan.
                let mut first = SourceMap::new();
                let c = first.add(Path::new(".env"), text.into(), None);
                first.show_when_asked(c, crate::redact::scan::env_lines);
                first.show(c, [Span::new(0, 6)]);
                assert_eq!(first.file(c).hides(span), eager.file(a).hides(span));
            }
        }
        let all = |t: &str| vec![Span::new(0, t.len())];
        later.show_when_asked(b, all);
        assert!(!later.file(b).hides(Span::new(0, text.len())));
    }

    /// `hides` answers as a look at every shown span for every byte does: over shown spans
    /// that overlap, touch, nest or are empty, and after more is shown.
    #[test]
    fn hides_answers_as_a_scan_of_every_shown_span() {
        let text = "ab c\td\ne\rfghij k lmnop q";
        let scan = |shown: &[Span], span: Span| {
            let end = span.end().max(span.start() + 1).min(text.len());
            (span.start().min(end)..end).any(|i| {
                !matches!(text.as_bytes()[i], b' ' | b'\t' | b'\n' | b'\r')
                    && !shown.iter().any(|s| s.start() <= i && i < s.end())
            })
        };
        let mut rng = crate::xorshift::Rng(11);
        let mut random_span = |max: u64| {
            let a = rng.below(max) as usize;
            let b = rng.below(max) as usize;
            Span::new(a.min(b), a.max(b))
        };
        for _ in 0..200 {
            let mut map = SourceMap::new();
            let id = map.add(Path::new("f"), text.into(), None);
            let mut shown = Vec::new();
            for _ in 0..3 {
                let more: Vec<Span> = (0..4).map(|_| random_span(text.len() as u64 + 1)).collect();
                map.show(id, more.iter().copied());
                shown.extend(more);
                for _ in 0..10 {
                    // Spans past the text's end too, as a hostile edit might ask.
                    let span = random_span(text.len() as u64 + 3);
                    assert_eq!(
                        map.file(id).hides(span),
                        scan(&shown, span),
                        "{shown:?} {span:?}"
                    );
                    // A file's first question is answered without the union.
                    let mut first = SourceMap::new();
                    let fresh = first.add(Path::new("f"), text.into(), None);
                    first.show(fresh, shown.iter().copied());
                    assert_eq!(first.file(fresh).hides(span), scan(&shown, span));
                }
            }
        }
    }

    /// Paths equal as paths (`/a//b/` and `/a/b`) hash alike, however spelt.
    #[test]
    fn equal_paths_hash_alike() {
        let map = SourceMap::new();
        let spellings = crate::paths::tests::short_spellings();
        for a in &spellings {
            for b in spellings.iter().filter(|b| a == *b) {
                assert_eq!(map.path_hash(a), map.path_hash(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn paths_whose_hashes_collide_are_told_apart() {
        let mut map = SourceMap::new();
        let a = map.add(Path::new("a"), "x".into(), None);
        // As if "b" hashed as "a" does: its slot is taken.
        let slot = map.path_hash(Path::new("b"));
        map.by_path.insert(slot, a);
        let b = map.add(Path::new("b"), "y".into(), None);
        assert_ne!(a, b);
        assert_eq!(map.lookup(Path::new("b")), Some(b));
        assert_eq!(map.lookup(Path::new("a")), Some(a));
        assert_eq!(map.add(Path::new("b"), String::new(), None), b);
        assert_eq!(map.lookup(Path::new("c")), None);
        // Paths compare as paths: another spelling of the same path is the same file.
        let nested = map.add(Path::new("d/e"), String::new(), None);
        assert_eq!(map.lookup(Path::new("d//e/")), Some(nested));
        let other = map.add(Path::new("/f//g/./h/"), String::new(), None);
        for spelling in ["/f/g/h", "/f/g/./h", "//f/g/h//", "/f/./g/h/."] {
            assert_eq!(map.lookup(Path::new(spelling)), Some(other), "{spelling}");
        }
        assert_eq!(map.lookup(Path::new("/f/g/../g/h")), None);
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
            span: Span::new(0, 1),
        };
        let mid = map.add(Path::new("b"), "y".into(), Some(at_top));
        let at_mid = Loc {
            file: mid,
            span: Span::new(0, 1),
        };
        let leaf = map.add(Path::new("c"), "z".into(), Some(at_mid));
        assert_eq!(map.include_chain(leaf), vec![at_top, at_mid]);
        assert_eq!(map.add(Path::new("b"), String::new(), None), mid);
    }
}
