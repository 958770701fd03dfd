//! Findings: the only thing rules produce. A finding names every party of a problem, each
//! on the exact place its value came from.

use crate::catalog::Rule;
use crate::source::Loc;

pub use crate::catalog::Severity;

/// A finding's text as a reporter will write it: a constant of the program (never copied
/// into a finding) or a text made for this finding, exactly its length (a `format!` string
/// keeps up to twice the room it needs, and findings are kept to the end of the run).
/// Reads as a `str`.
#[derive(Clone)]
pub enum Text {
    Static(&'static str),
    Owned(Box<str>),
    /// One text that many findings say (a gateway's port party in each finding naming it):
    /// made once, a copy is a count.
    Shared(std::sync::Arc<str>),
}

/// `format!` straight into a [`Text`] of its length ([`Text::written`]): no string grown by
/// doubling, then copied to its length.
macro_rules! text {
    ($($arg:tt)*) => {
        $crate::diagnostic::Text::written(|out| {
            use ::std::fmt::Write as _;
            write!(out, $($arg)*)
        })
    };
}
pub(crate) use text;

impl Text {
    /// The text `write` writes, made in a buffer kept by the thread and copied out once at its
    /// length: no growing string per text, and no second copy to trim it (a rule makes a
    /// label's text for every party of thousands of findings).
    pub fn written(write: impl FnOnce(&mut String) -> std::fmt::Result) -> Self {
        Text::Owned(in_scratch(write, |s| Box::from(s)))
    }

    /// [`Text::written`], made to be shared ([`Text::Shared`]).
    pub fn written_shared(write: impl FnOnce(&mut String) -> std::fmt::Result) -> Self {
        Text::Shared(in_scratch(write, |s| std::sync::Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Owned(s) => s,
            Text::Shared(s) => s,
        }
    }
}

/// A text written piece by piece: words as they are, numbers in decimal. The messages of
/// thousands of findings are written this way: through `write!`'s template every piece goes
/// through the formatter (a dynamic call, padding checks), about twice the instructions.
pub trait Words {
    fn words(&mut self, words: &str) -> &mut Self;
    fn number(&mut self, number: impl Into<u64>) -> &mut Self;
}

/// Items a finding's message names before "and N more" (as `ports` shortens its party
/// lists): a finding can name thousands of gateways, and its parties (every format) and
/// `instances` (JSON, SARIF) already name each one.
pub const NAMED: usize = 5;

/// `a and b`, `a, b and c`; past [`NAMED`] items, the first `NAMED - 1` and how many more:
/// `a, b, c, d and 9996 more`. Each item is written from its parts.
pub fn write_listed<'a, const PARTS: usize>(
    out: &mut String,
    items: impl ExactSizeIterator<Item = [&'a str; PARTS]>,
) {
    let total = items.len();
    let shown = named_of(total);
    for (k, parts) in items.take(shown).enumerate() {
        match k {
            0 => {}
            _ if k + 1 == total => {
                out.words(" and ");
            }
            _ => {
                out.words(", ");
            }
        }
        for part in parts {
            out.words(part);
        }
    }
    if shown < total {
        out.words(" and ")
            .number((total - shown) as u64)
            .words(" more");
    }
}

/// How many of `total` items a list names before "and N more": all up to [`NAMED`], past
/// it `NAMED - 1`.
pub fn named_of(total: usize) -> usize {
    match total {
        n if n > NAMED => NAMED - 1,
        n => n,
    }
}

/// [`write_listed`] of plain texts, as a new string.
pub fn listed<'a>(items: impl ExactSizeIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    write_listed(&mut out, items.map(|item| [item]));
    out
}

/// The words `wording` writes, in a string of their own (for `Display`, which few outputs
/// ask of a note kept as facts).
pub fn words_of(wording: &(impl Wording + ?Sized)) -> String {
    let mut words = String::new();
    wording.write_words(&mut words);
    words
}

impl Words for String {
    fn words(&mut self, words: &str) -> &mut Self {
        self.push_str(words);
        self
    }

    fn number(&mut self, number: impl Into<u64>) -> &mut Self {
        let mut digits = [0u8; 20];
        self.push_str(crate::words::decimal(number.into(), &mut digits));
        self
    }
}

/// What `write` writes, in a buffer kept by the thread, handed to `keep` to copy out.
fn in_scratch<T>(
    write: impl FnOnce(&mut String) -> std::fmt::Result,
    keep: impl FnOnce(&str) -> T,
) -> T {
    thread_local! {
        static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    }
    // Taken out while written, so that a text written inside `write` gets its own.
    let mut scratch = SCRATCH.take();
    scratch.clear();
    let _ = write(&mut scratch);
    let kept = keep(scratch.as_str());
    SCRATCH.set(scratch);
    kept
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text::Static(s)
    }
}

impl From<String> for Text {
    /// Copied into a block of its own length when the string has room to spare (shrinking
    /// it in place would keep its block under the allocator).
    fn from(s: String) -> Self {
        if s.capacity() == s.len() {
            Text::Owned(s.into_boxed_str())
        } else {
            Text::Owned(Box::from(s.as_str()))
        }
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::Owned(Box::from(s.as_str()))
    }
}

impl From<std::borrow::Cow<'static, str>> for Text {
    fn from(s: std::borrow::Cow<'static, str>) -> Self {
        match s {
            std::borrow::Cow::Borrowed(s) => Text::Static(s),
            std::borrow::Cow::Owned(s) => s.into(),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

/// A finding's note: a text, or the facts of a note its rule says for many gateways in the
/// same words, kept as they are (names shared, ports as numbers, the words constants of the
/// program) and written out only when the note is shown. Thousands of findings say such notes,
/// and findings are kept to the end of the run.
#[derive(Clone)]
pub enum Note {
    Text(Text),
    Facts(Box<dyn Facts>),
}

/// What writes a note's words at the end of a text, piece by piece ([`Words`]): the notes
/// kept as facts are written for thousands of findings, and `write!`'s template costs each
/// piece a dynamic call and padding checks.
pub trait Wording {
    fn write_words(&self, out: &mut String);
}

/// The facts of a templated note: whatever writes the note's words ([`Wording`]).
pub trait Facts: Wording + Send + Sync {
    /// A copy (findings are cloned as a whole).
    fn boxed(&self) -> Box<dyn Facts>;
}

impl<T: Wording + Clone + Send + Sync + 'static> Facts for T {
    fn boxed(&self) -> Box<dyn Facts> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Facts> {
    fn clone(&self) -> Self {
        (**self).boxed()
    }
}

impl Note {
    /// A note kept as its facts.
    pub fn facts(facts: impl Facts + 'static) -> Self {
        Note::Facts(Box::new(facts))
    }

    /// The note's words: its text, or its facts written into `scratch` (cleared first), so
    /// that a writer of many notes makes them in one buffer.
    pub fn as_str<'a>(&'a self, scratch: &'a mut String) -> &'a str {
        match self {
            Note::Text(text) => text.as_str(),
            Note::Facts(facts) => {
                scratch.clear();
                facts.write_words(scratch);
                scratch
            }
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Text(text) => f.write_str(text.as_str()),
            Note::Facts(facts) => f.write_str(&words_of(&**facts)),
        }
    }
}

impl std::fmt::Debug for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl<T: Into<Text>> From<T> for Note {
    fn from(text: T) -> Self {
        Note::Text(text.into())
    }
}

/// Notes are equal when their words are.
impl PartialEq for Note {
    fn eq(&self, other: &Self) -> bool {
        let (mut mine, mut theirs) = (String::new(), String::new());
        self.as_str(&mut mine) == other.as_str(&mut theirs)
    }
}

impl PartialEq<str> for Note {
    fn eq(&self, other: &str) -> bool {
        let mut mine = String::new();
        self.as_str(&mut mine) == other
    }
}

impl PartialEq<&str> for Note {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl PartialEq<String> for Note {
    fn eq(&self, other: &String) -> bool {
        self == other.as_str()
    }
}

/// A gateway's name in a finding: shared by every label that names the gateway (a finding
/// names its gateways in each party, and thousands of findings name the same ones).
pub type Name = std::sync::Arc<str>;

/// The name shared for `name`: one per name and thread (rules run one thread per family;
/// each thread's table goes with it, the names stay with the findings).
pub fn shared_name(name: &str) -> Name {
    thread_local! {
        static NAMES: std::cell::RefCell<crate::paths::FastSet<Name>> =
            std::cell::RefCell::new(crate::paths::FastSet::default());
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        match names.get(name) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Name = Name::from(name);
                names.insert(shared.clone());
                shared
            }
        }
    })
}

/// One party of a finding: a place (when the value came from a file) and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub loc: Option<Loc>,
    pub message: Text,
    /// The gateway this party belongs to, when it belongs to one.
    pub instance: Option<Name>,
}

impl Label {
    pub fn new(loc: Option<Loc>, message: impl Into<Text>, instance: Option<&str>) -> Self {
        Label {
            loc,
            message: message.into(),
            instance: instance.map(shared_name),
        }
    }
}

/// A problem found by a rule. Severity is not here: the engine sets it from the rule's
/// category and the user's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's declaration, not a copy of it (a finding is kept to the end of the run).
    pub rule: &'static Rule,
    pub message: Text,
    /// Every party; the first is the primary one.
    pub labels: Vec<Label>,
    /// Facts that explain the finding and have no place in a file.
    pub notes: Vec<Note>,
    pub help: Option<Text>,
    /// The edit that repairs it, when clawlint knows one (filled after the rules ran).
    pub fix: Option<Box<crate::fix::Fix>>,
    /// The value the help suggests, for the fixer to write (a rule never edits text). Boxed:
    /// only CL108 suggests one, and inline it made every finding 56 bytes larger.
    pub suggested: Option<Box<crate::fix::Suggested>>,
}

impl Finding {
    pub fn new(rule: &'static Rule, message: impl Into<Text>) -> Self {
        Finding {
            rule,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
            suggested: None,
        }
    }

    pub fn label(mut self, label: Label) -> Self {
        grow_small(&mut self.labels);
        self.labels.push(label);
        self
    }

    /// Parties known together: their list grown once, to their number.
    pub fn labels<const N: usize>(mut self, labels: [Label; N]) -> Self {
        self.labels.reserve_exact(N);
        self.labels.extend(labels);
        self
    }

    pub fn note(mut self, note: impl Into<Note>) -> Self {
        grow_small(&mut self.notes);
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The gateways involved, in label order, each once.
    pub fn instances(&self) -> Vec<String> {
        self.instance_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// [`Finding::instances`], borrowed.
    pub fn instance_names(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(self.labels.len());
        out.extend(self.named_instances());
        out
    }

    /// [`Finding::instance_names`] one by one, without a list: a planner and a reporter ask
    /// for the gateways of every finding.
    pub fn named_instances(&self) -> NamedInstances<'_> {
        NamedInstances {
            labels: &self.labels,
            next: 0,
            seen: (self.labels.len() > NamedInstances::LOOKED_THROUGH)
                .then(crate::paths::FastSet::default),
        }
    }
}

/// The gateways a finding's labels name, in label order, each once. Most findings have two or
/// three parties: a look back through the labels before is cheaper than a set. Past a few, a
/// set remembers which are in, so a finding naming thousands of gateways costs thousands of
/// steps, not millions.
pub struct NamedInstances<'a> {
    labels: &'a [Label],
    next: usize,
    seen: Option<crate::paths::FastSet<&'a str>>,
}

impl NamedInstances<'_> {
    const LOOKED_THROUGH: usize = 8;
}

impl<'a> Iterator for NamedInstances<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let labels = self.labels;
        while let Some(label) = labels.get(self.next) {
            let before = &labels[..self.next];
            self.next += 1;
            let Some(name) = label.instance.as_deref() else {
                continue;
            };
            let first = match &mut self.seen {
                Some(seen) => seen.insert(name),
                None => !before.iter().any(|l| l.instance.as_deref() == Some(name)),
            };
            if first {
                return Some(name);
            }
        }
        None
    }
}

/// Most findings have two or three parties and a note or two: their lists grow one slot at a
/// time up to [`SMALL`] (a list pushed to by doubling keeps four slots, 320 bytes of labels,
/// for two), and by doubling past it (a finding can name thousands of gateways).
fn grow_small<T>(list: &mut Vec<T>) {
    const SMALL: usize = 4;
    if list.len() == list.capacity() && list.len() < SMALL {
        list.reserve_exact(1);
    }
}

/// A finding with the severity the engine gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub finding: Finding,
    pub severity: Severity,
}

impl Reported {
    pub fn rule(&self) -> &'static Rule {
        self.finding.rule
    }
}

#[cfg(test)]
mod tests {
    use super::Words;

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for number in [
            0u32,
            7,
            10,
            99,
            100,
            18789,
            65535,
            65536,
            1_000_000,
            u32::MAX,
        ] {
            let mut out = String::from("port ");
            out.number(number).words(".");
            assert_eq!(out, format!("port {number}."));
        }
    }
}
