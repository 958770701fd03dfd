//! Fixes: minimal text edits on the byte spans the source map keeps, attached to findings
//! after the rules ran (rules never parse; the fixers here read the kept source text), and
//! written by [`write`] only under `check --fix`.
//!
//! A fix is *safe* when applying it cannot change what any gateway does (it pins a value
//! the gateway already uses, or removes a comment); *unsafe* when it changes where something
//! listens or what it reads.

pub mod agree;
pub mod browser;
pub mod diff;
pub mod fixers;
pub(crate) mod index;
pub mod moves;
pub mod packaged;
pub mod paths;
pub mod pins;
pub mod publish;
pub mod sandbox;
pub mod urls;
pub mod write;

use crate::diagnostic::{words_of, Name, Text, Wording, Words};
use crate::load::json5::Span;
use crate::source::{FileId, SourceMap};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot change what any gateway does: applied by `--fix`.
    Safe,
    /// Changes where something listens or what it reads: applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace the bytes `span` of `file` with `replacement` (an insertion when the span is
/// empty, a deletion when the replacement is).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in one line (the diff header and the outputs show it).
    pub description: String,
    pub edits: Vec<Edit>,
}

/// Why a finding has no fix, said in its note `no automatic fix: ...`: a reason in words, or
/// each gateway that could not be moved and why (kept as data until the note is shown: fix
/// planning says this for most findings of a crowded host, in the same words).
#[derive(Debug, Clone, PartialEq)]
pub enum NoFix {
    Said(Text),
    /// `"a" cannot be moved: why; "b" cannot be moved: why`.
    CannotMove(Box<[Refusal]>),
}

/// A gateway a move was planned for, and why it cannot move.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub gateway: Name,
    pub why: Text,
}

impl<T: Into<Text>> From<T> for NoFix {
    fn from(reason: T) -> Self {
        NoFix::Said(reason.into())
    }
}

/// The refusals, `"a" cannot be moved: why` each, joined with `; `.
pub struct Refusals<'a>(pub &'a [Refusal]);

impl Wording for Refusals<'_> {
    fn write_words(&self, out: &mut String) {
        for (i, refusal) in self.0.iter().enumerate() {
            if i > 0 {
                out.words("; ");
            }
            out.words("\"")
                .words(&refusal.gateway)
                .words("\" cannot be moved: ")
                .words(&refusal.why);
        }
    }
}

impl std::fmt::Display for Refusals<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&words_of(self))
    }
}

/// `no automatic fix: ...`, said for most findings of a crowded host.
impl Wording for NoFix {
    fn write_words(&self, out: &mut String) {
        out.words("no automatic fix: ");
        match self {
            NoFix::Said(reason) => {
                out.words(reason);
            }
            NoFix::CannotMove(refusals) => Refusals(refusals).write_words(out),
        }
    }
}

impl std::fmt::Display for NoFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&words_of(self))
    }
}

/// A value a rule's help suggests, kept on the finding so that the fix writes exactly what
/// the help says (the rule computed it with the one allocator; the fixer only edits text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggested {
    /// CL108: publish the entry at `entry` (a compose `ports:` item, a quadlet
    /// `PublishPort=` value, a fleet cell) on host port `to` instead of `from`.
    HostPort {
        instance: String,
        engine: crate::container::Engine,
        entry: crate::source::Loc,
        from: u16,
        to: u16,
        container_port: u16,
    },
}

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Safe,
    Unsafe,
}

impl Fix {
    pub fn applies(&self, mode: Mode) -> bool {
        self.applicability == Applicability::Safe || mode == Mode::Unsafe
    }
}

/// Every edit a set of fixes makes, per file, sorted; a fix whose edits overlap an edit
/// already taken is left for the next round (the fixpoint loop picks it up after re-linting).
/// Returns the edits per file and the descriptions of the fixes taken (each once).
pub fn collect<'a>(
    fixes: impl IntoIterator<Item = &'a Fix>,
    sources: &SourceMap,
) -> (Vec<(FileId, Vec<Edit>)>, Vec<String>) {
    let fixes: Vec<&Fix> = fixes.into_iter().collect();
    let taken = take(&fixes, sources);
    let mut by_file: HashMap<FileId, Vec<Edit>> = HashMap::new();
    let mut descriptions: Vec<String> = Vec::new();
    let mut described: HashSet<&str> = HashSet::new();
    for (k, fix) in fixes.iter().enumerate() {
        // Taken, and not the very fix taken before (two findings one move ends share it).
        if taken[k] != Taken::First {
            continue;
        }
        for edit in &fix.edits {
            by_file.entry(edit.file).or_default().push(edit.clone());
        }
        if described.insert(&fix.description) {
            descriptions.push(fix.description.clone());
        }
    }
    let mut by_file: Vec<(FileId, Vec<Edit>)> = by_file.into_iter().collect();
    for (_, edits) in &mut by_file {
        // Stable: edits at one span keep the order their fixes were taken in.
        edits.sort_by_key(|e| (e.span.start(), e.span.end()));
    }
    by_file.sort_by_key(|(f, _)| *f);
    (by_file, descriptions)
}

/// Whether one round applies a fix: first of its edits, again (the same fix as one taken
/// before), or not (an edit out of its file's bounds, or overlapping one taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    First,
    Again,
    No,
}

/// Which of `fixes`, in order, one round takes. Linear in the fixes and their edits (times
/// a logarithm): the fixes taken are kept in a set, and each file's spans taken in order.
fn take(fixes: &[&Fix], sources: &SourceMap) -> Vec<Taken> {
    let mut edits_of: HashMap<FileId, Spans> = HashMap::new();
    let mut first: HashSet<&Fix> = HashSet::new();
    let mut out: Vec<Taken> = Vec::with_capacity(fixes.len());
    'fixes: for fix in fixes {
        if first.contains(*fix) {
            out.push(Taken::Again);
            continue;
        }
        for edit in &fix.edits {
            let text = &sources.file(edit.file).text;
            if edit.span.end() > text.len()
                || edit.span.start() > edit.span.end()
                || !text.is_char_boundary(edit.span.start())
                || !text.is_char_boundary(edit.span.end())
            {
                out.push(Taken::No);
                continue 'fixes;
            }
            if let Some(spans) = edits_of.get(&edit.file) {
                if spans.overlaps(edit.span) {
                    out.push(Taken::No);
                    continue 'fixes;
                }
            }
        }
        for edit in &fix.edits {
            edits_of.entry(edit.file).or_default().insert(edit.span);
        }
        first.insert(fix);
        out.push(Taken::First);
    }
    out
}

/// The spans taken in one file, in order of (start, end): whether an edit overlaps one of them
/// is asked of its neighbours, not of every span taken (a file with thousands of fixes, one
/// per stale suppression, was quadratic).
///
/// Spans taken by different fixes never overlap (a fix that would is not taken), so in that
/// order their ends never decrease either: the span starting last before an edit's end has the
/// furthest end of all that start before it. Only the edits of one fix could overlap each
/// other; a file where they do is `tangled` and asked span by span, as before.
#[derive(Default)]
struct Spans {
    sorted: std::collections::BTreeSet<(usize, usize)>,
    tangled: bool,
}

impl Spans {
    fn overlaps(&self, span: Span) -> bool {
        if self.tangled {
            return self.sorted.iter().any(|&(start, end)| {
                crate::ports::allocate::work::add(1);
                overlaps(Span::new(start, end), span)
            });
        }
        crate::ports::allocate::work::add(1);
        let (start, end) = (span.start(), span.end());
        // An insertion overlaps another at its point, or a replacement around it.
        if start == end && self.sorted.contains(&(start, start)) {
            return true;
        }
        // Of the spans that start before `end` (before the point of an insertion), the last
        // reaches furthest: it overlaps when it reaches past `start`.
        self.sorted
            .range(..(end, 0))
            .next_back()
            .is_some_and(|&(_, reach)| reach > start)
    }

    fn insert(&mut self, span: Span) {
        if !self.tangled && self.overlaps(span) {
            self.tangled = true;
        }
        self.sorted.insert((span.start(), span.end()));
    }
}

/// The note on a finding whose fix waits for a later round of `check --fix` (`flags`:
/// ` --unsafe-fixes` when the fix is unsafe).
pub fn later_round(flags: &str) -> String {
    format!("its fix overlaps an edit another fix makes first: `check --fix{flags}` comes back to it after writing that one, if it still applies")
}

/// Keeps on each finding only a fix the first round of `check --fix` in `mode` writes, as it
/// is: edits valid against the files as read and not overlapping each other, so that every
/// output (SARIF `fixes`, JSON `fix`, the `[*]` marks) offers exactly edits that can all be
/// applied together, and the ones `--fix` writes first. The round takes the fixes `mode`
/// applies first, in the findings' order (as `--fix` does), then the others that fit among
/// them (what `--unsafe-fixes` would add). A fix left out is for a later round, which lints
/// the edited files again and may plan another edit or none: the finding says so in a note.
pub fn first_round(findings: &mut [crate::diagnostic::Reported], sources: &SourceMap, mode: Mode) {
    let mut order: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].finding.fix.is_some())
        .collect();
    order.sort_by_key(|&i| {
        !findings[i]
            .finding
            .fix
            .as_ref()
            .is_some_and(|f| f.applies(mode))
    });
    let fixes: Vec<&Fix> = order
        .iter()
        .filter_map(|&i| findings[i].finding.fix.as_deref())
        .collect();
    let taken = take(&fixes, sources);
    for (&i, t) in order.iter().zip(taken) {
        if t == Taken::No {
            let finding = &mut findings[i].finding;
            let flags = match finding.fix.take().map(|f| f.applicability) {
                Some(Applicability::Unsafe) => " --unsafe-fixes",
                _ => "",
            };
            fixers::push_note(finding, later_round(flags).into());
        }
    }
}

/// Two spans overlap when they share a byte, or when both are insertions at one point
/// (their order would be ambiguous); an insertion at the edge of a replacement does not.
fn overlaps(a: Span, b: Span) -> bool {
    if a.start() == a.end() && b.start() == b.end() {
        return a.start() == b.start();
    }
    a.start() < b.end() && b.start() < a.end()
}

/// `text` with `edits` (sorted, not overlapping) applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.span.start()]);
        out.push_str(&edit.replacement);
        at = edit.span.end();
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn edit(file: FileId, start: usize, end: usize, r: &str) -> Edit {
        Edit {
            file,
            span: Span::new(start, end),
            replacement: r.into(),
        }
    }

    #[test]
    fn apply_keeps_every_byte_outside_the_edits() {
        let text = "a // c\nb\r\nc";
        let file = FileId(0);
        let out = apply(text, &[edit(file, 0, 1, "x"), edit(file, 7, 7, "y")]);
        assert_eq!(out, "x // c\nyb\r\nc");
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let mut map = SourceMap::new();
        let file = map.add(Path::new("f"), "0123456789".into(), None);
        let fix = |start, end, d: &str| Fix {
            applicability: Applicability::Safe,
            description: d.into(),
            edits: vec![edit(file, start, end, "")],
        };
        let fixes = [
            fix(0, 4, "a"),
            fix(3, 6, "b"),
            fix(4, 6, "c"),
            fix(20, 30, "bad"),
        ];
        let (edits, taken) = collect(&fixes, &map);
        assert_eq!(taken, ["a", "c"]);
        assert_eq!(edits[0].1.len(), 2);
        // The same fix twice (two findings one move ends) is taken once, its edits once.
        let (edits, taken) = collect(&[fix(0, 4, "a"), fix(0, 4, "a")], &map);
        assert_eq!((taken.len(), edits[0].1.len()), (1, 1));
    }

    #[test]
    fn overlaps_are_found_among_the_spans_taken_as_by_a_scan() {
        let mut map = SourceMap::new();
        let file = map.add(Path::new("f"), "x".repeat(16), None);
        let fix = |edits: &[(usize, usize)]| Fix {
            applicability: Applicability::Safe,
            description: format!("{edits:?}"),
            edits: edits.iter().map(|&(s, e)| edit(file, s, e, "")).collect(),
        };
        // Every set of fixes of one or two edits within 0..6: the sorted spans answer as a scan
        // of every span taken does (also after one fix's own edits overlap each other).
        let spans: Vec<(usize, usize)> = (0..6).flat_map(|s| (s..6).map(move |e| (s, e))).collect();
        let mut fixes: Vec<Fix> = spans.iter().map(|&s| fix(&[s])).collect();
        fixes.extend(spans.iter().step_by(3).map(|&s| fix(&[s, (s.0, s.0 + 2)])));
        let mut rng = crate::xorshift::Rng(7);
        for _ in 0..300 {
            let round: Vec<&Fix> = (0..6)
                .map(|_| &fixes[rng.below(fixes.len() as u64) as usize])
                .collect();
            let (mut taken, mut firsts): (Vec<Span>, Vec<&Fix>) = (Vec::new(), Vec::new());
            let expected: Vec<Taken> = round
                .iter()
                .map(|&fix| {
                    if firsts.contains(&fix) {
                        return Taken::Again;
                    }
                    if fix
                        .edits
                        .iter()
                        .any(|e| taken.iter().any(|t| overlaps(*t, e.span)))
                    {
                        return Taken::No;
                    }
                    taken.extend(fix.edits.iter().map(|e| e.span));
                    firsts.push(fix);
                    Taken::First
                })
                .collect();
            assert_eq!(take(&round, &map), expected, "{round:?}");
        }
    }

    #[test]
    fn a_file_with_many_fixes_is_taken_in_linear_work() {
        let work = |n: usize| {
            let mut map = SourceMap::new();
            let file = map.add(Path::new("f"), "x".repeat(2 * n), None);
            let fixes: Vec<Fix> = (0..n)
                .map(|k| Fix {
                    applicability: Applicability::Safe,
                    description: k.to_string(),
                    // Back to front, each touching its neighbour's edge.
                    edits: vec![edit(file, 2 * (n - 1 - k), 2 * (n - k), "")],
                })
                .collect();
            let fixes: Vec<&Fix> = fixes.iter().collect();
            let before = crate::ports::allocate::work::done();
            let taken = take(&fixes, &map);
            assert!(taken.iter().all(|t| *t == Taken::First));
            crate::ports::allocate::work::done() - before
        };
        let (small, large) = (work(500), work(2000));
        // A scan of every span taken does n^2/2 steps (16x for 4x the fixes).
        assert!(large <= 5 * small, "{small} -> {large}");
    }

    #[test]
    fn outputs_keep_only_the_fixes_of_the_first_round() {
        use crate::diagnostic::{Finding, Reported, Severity};
        let mut map = SourceMap::new();
        let file = map.add(Path::new("f"), "0123456789".into(), None);
        let reported = |start, end, applicability| {
            let mut finding = Finding::new(&crate::catalog::UNUSED_SUPPRESSION, "x");
            finding.fix = Some(Box::new(Fix {
                applicability,
                description: format!("{start}"),
                edits: vec![edit(file, start, end, "")],
            }));
            Reported {
                finding,
                severity: Severity::Warning,
            }
        };
        let all = || {
            vec![
                reported(0, 4, Applicability::Unsafe),
                reported(2, 6, Applicability::Safe),
                reported(0, 4, Applicability::Unsafe),
                reported(8, 9, Applicability::Unsafe),
            ]
        };
        let kept = |mode| {
            let mut findings = all();
            first_round(&mut findings, &map, mode);
            findings
                .iter()
                .map(|r| r.finding.fix.is_some())
                .collect::<Vec<_>>()
        };
        // --unsafe-fixes takes them in order: the safe one overlaps the first move.
        assert_eq!(kept(Mode::Unsafe), [true, false, true, true]);
        // --fix takes the safe one first; the moves that overlap it wait.
        assert_eq!(kept(Mode::Safe), [false, true, false, true]);
        let mut findings = all();
        first_round(&mut findings, &map, Mode::Safe);
        assert_eq!(findings[0].finding.notes, [later_round(" --unsafe-fixes")]);
    }
}
