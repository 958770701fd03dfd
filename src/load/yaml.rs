//! YAML (compose files) with a byte span for every key and value.
//!
//! Events come from yaml-rust2's parser (a maintained, pure-Rust YAML 1.2 parser whose
//! markers give line and column for every event); the tree is built here, so that aliases
//! are expanded under a budget (a "billion laughs" file fails with a located problem
//! instead of exhausting memory), nesting has a depth limit, and `<<` merge keys work the
//! way Compose applies them.

use crate::load::json5::Span;
use crate::load::tree_str::TreeStr;
use std::collections::HashMap;
use std::rc::Rc;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// At most this many nodes copied by anchors and aliases (a real compose file copies a few
/// hundred). The nodes a file writes itself are not counted: the read cap
/// ([`crate::load::read::SMALL_FILE_LIMIT`]) bounds those, and a large plain file is no bomb.
pub const NODE_BUDGET: usize = 200_000;
/// At most this many bytes of scalar text copied by anchors and aliases: four times the
/// largest compose file read. One long scalar behind 50,000 aliases is a few nodes' worth of
/// the node budget but 50,000 copies of its text.
pub const TEXT_BUDGET: usize = 16 << 20;
/// Deeper nesting than this is refused (Compose files are a few levels deep).
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Any scalar, as written (Compose reads `18789` and `"18789"` alike). Its text inline
    /// when short ([`TreeStr`]: most keys and many values, no allocation each).
    Scalar {
        text: TreeStr,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A mapping's key and value.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text.as_str()),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// A scalar's text as written, without its quotes: its span in `text`, when that text
    /// is the value (`None` for escapes, a folded or multi-line scalar, or no scalar).
    pub fn written(&self, text: &str) -> Option<Span> {
        let raw = text.get(self.span.start()..self.span.end())?;
        let inner = match raw.chars().next() {
            Some(q @ ('"' | '\'')) if raw.len() >= 2 && raw.ends_with(q) => {
                Span::new(self.span.start() + 1, self.span.end() - 1)
            }
            _ => self.span,
        };
        (Some(&text[inner.start()..inner.end()]) == self.as_str()).then_some(inner)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// What a copy of this node costs ([`Builder::spend`]).
    fn size(&self) -> Size {
        let own = Size {
            nodes: 1,
            bytes: self.as_str().map_or(0, str::len),
        };
        match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).fold(own, Size::add),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| k.size().add(v.size()))
                .fold(own, Size::add),
            _ => own,
        }
    }
}

/// Nodes and scalar bytes, spent against [`NODE_BUDGET`] and [`TEXT_BUDGET`].
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn add(self, other: Size) -> Size {
        Size {
            nodes: self.nodes.saturating_add(other.nodes),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

/// Parses the first document of `text`. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    // A file of the common shape is read line by line ([`super::yaml_lines`]) straight into
    // the tree: the same steps at the same places as the general parser's events, without
    // its cost, and without a list of events in between.
    let mut builder = Builder::new(text);
    if super::yaml_lines::read(text, &mut builder).is_some() {
        return Ok(builder.into_root());
    }
    // Not of that shape, or the builder stopped the reading (a budget or the depth limit
    // met): the general parser reads the text from its start, and what it gives (the tree,
    // or the error and its place) is the answer; of a text of that shape its events are the
    // reader's, and meet the same stop.
    parse_general(text)
}

/// [`parse`] by yaml-rust2's parser alone.
pub(super) fn parse_general(text: &str) -> Result<Node, YamlError> {
    let mut builder = Builder::new(text);
    let lines = LineIndex::new(text);
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            message: e.info().to_string(),
            span: lines.point(text, *e.marker()),
        })?;
        match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::StreamStart | Event::DocumentStart | Event::Nothing => {}
            other => builder.on(other, lines.offset(text, mark))?,
        }
        if builder.root.is_some() && builder.stack.is_empty() {
            break;
        }
    }
    Ok(builder.into_root())
}

/// An open collection. Its children so far are the end of the builder's `items` (a sequence)
/// or `entries` (a mapping) from `from` on: one list for every open collection, each
/// collection's own made at its end at its size (a list per collection grew two or three
/// times).
enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        from: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        from: usize,
        key: Option<Node>,
    },
}

/// The children of open collections the builder makes room for before it reads a file.
const OPEN_CHILDREN_ROOM: usize = 16;

/// The line reader's steps, each made as the event it stands for is (the reader stops at the
/// first error: the general parser then reads the text again, see [`parse`]).
impl super::yaml_lines::Sink for Builder<'_> {
    fn on_scalar(
        &mut self,
        at: usize,
        written: std::ops::Range<usize>,
        style: TScalarStyle,
        anchor: usize,
    ) -> Option<()> {
        let quoted = !matches!(style, TScalarStyle::Plain);
        // Where [`scalar_span`] finds it, known here: the text itself, a quoted one's quotes
        // around it (the reader reads no escapes, no doubled quote); an empty value is
        // placed as the general parser's.
        let span = match (quoted, written.is_empty()) {
            (true, _) => Span::new(at, written.end + 1),
            (false, false) => Span::new(written.start, written.end),
            (false, true) => scalar_span(self.text, at, "", false),
        };
        let text = &self.text[written];
        self.scalar(text, quoted, span, anchor).ok()
    }

    fn on_open(&mut self, mapping: bool, anchor: usize, at: usize) -> Option<()> {
        self.open(mapping, anchor, at).ok()
    }

    fn on_close(&mut self, _mapping: bool, at: usize) -> Option<()> {
        self.close(at).ok()
    }

    fn on_alias(&mut self, id: usize, at: usize) -> Option<()> {
        self.alias(id, at).ok()
    }
}

struct Builder<'a> {
    text: &'a str,
    stack: Vec<Frame>,
    /// The open sequences' items, innermost last ([`Frame`]).
    items: Vec<Node>,
    /// The open mappings' entries, innermost last ([`Frame`]).
    entries: Vec<(Node, Node)>,
    anchors: HashMap<usize, (Rc<Node>, Size)>,
    spent: Size,
    root: Option<Node>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            stack: Vec::new(),
            // Room for what the open collections of a compose file hold at once.
            items: Vec::with_capacity(OPEN_CHILDREN_ROOM),
            entries: Vec::with_capacity(OPEN_CHILDREN_ROOM),
            anchors: HashMap::new(),
            spent: Size::default(),
            root: None,
        }
    }

    /// The document's node (`Null` for an empty document).
    fn into_root(self) -> Node {
        self.root.unwrap_or(Node {
            value: Value::Null,
            span: Span::new(0, 0),
        })
    }

    /// One event of the parser's, at byte `at` of the text.
    fn on(&mut self, event: Event, at: usize) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                let span = scalar_span(self.text, at, &text, quoted);
                self.scalar(text, quoted, span, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(false, anchor, at),
            Event::MappingStart(anchor, _) => self.open(true, anchor, at),
            Event::SequenceEnd | Event::MappingEnd => self.close(at),
            Event::Alias(id) => self.alias(id, at),
            _ => Ok(()),
        }
    }

    /// A scalar node: `text` (a null when plain and one of YAML's words for it), at `span`.
    fn scalar(
        &mut self,
        text: impl AsRef<str> + Into<TreeStr>,
        quoted: bool,
        span: Span,
        anchor: usize,
    ) -> Result<(), YamlError> {
        let written = text.as_ref();
        let value = if !quoted && matches!(written, "" | "~" | "null" | "Null" | "NULL") {
            Value::Null
        } else {
            Value::Scalar {
                text: text.into(),
                quoted,
            }
        };
        self.finish(Node { value, span }, anchor)
    }

    /// The innermost open collection ends at `at`.
    fn close(&mut self, at: usize) -> Result<(), YamlError> {
        // Never empty, and never inside a character.
        let first = self.text.chars().next().map_or(1, char::len_utf8);
        let end = at.max(first);
        match self.stack.pop() {
            Some(Frame::Seq {
                start,
                anchor,
                from,
            }) => {
                let items = self.items.split_off(from);
                self.finish(
                    Node {
                        value: Value::Seq(items),
                        span: Span::new(start, end),
                    },
                    anchor,
                )
            }
            Some(Frame::Map {
                start,
                anchor,
                from,
                ..
            }) => {
                let entries = self.entries.split_off(from);
                let entries = self.merge_keys(entries)?;
                self.finish(
                    Node {
                        value: Value::Map(entries),
                        span: Span::new(start, end),
                    },
                    anchor,
                )
            }
            None => Ok(()),
        }
    }

    /// A copy of the node anchor `id` stands for, at `at`.
    fn alias(&mut self, id: usize, at: usize) -> Result<(), YamlError> {
        let Some((node, size)) = self.anchors.get(&id).cloned() else {
            return Err(YamlError {
                message: "alias to an unknown anchor".to_string(),
                span: Span::new(at, at + 1),
            });
        };
        self.spend(size, at)?;
        let mut copy = (*node).clone();
        // The alias is shown where it is used; what it stands for keeps its spans.
        copy.span = Span::new(at, alias_end(self.text, at));
        self.finish(copy, 0)
    }

    /// A mapping (else a sequence) opens at `at`.
    fn open(&mut self, mapping: bool, anchor: usize, at: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                span: Span::new(at, at + 1),
            });
        }
        let frame = match mapping {
            true => Frame::Map {
                start: at,
                anchor,
                from: self.entries.len(),
                key: None,
            },
            false => Frame::Seq {
                start: at,
                anchor,
                from: self.items.len(),
            },
        };
        self.stack.push(frame);
        Ok(())
    }

    /// Counts the nodes and scalar text an alias or an anchor copies against the budgets
    /// (what expansion adds to the file: the nodes written once are the read cap's).
    #[inline]
    fn spend(&mut self, size: Size, at: usize) -> Result<(), YamlError> {
        self.spent = self.spent.add(size);
        if self.spent.nodes > NODE_BUDGET || self.spent.bytes > TEXT_BUDGET {
            return Err(self.over_budget(at));
        }
        Ok(())
    }

    /// The error of a budget met at `at` (a step apart from [`Builder::spend`], which every
    /// node takes).
    #[cold]
    fn over_budget(&self, at: usize) -> YamlError {
        let over = if self.spent.nodes > NODE_BUDGET {
            format!("{NODE_BUDGET} nodes")
        } else {
            format!("{TEXT_BUDGET} bytes of text")
        };
        YamlError {
            message: format!(
                "anchors and aliases expand to more than {over} (a YAML bomb?): clawlint stops reading here"
            ),
            span: Span::new(at, alias_end(self.text, at)),
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            // The anchor keeps a copy: anchors nested in anchors copy the innermost each time.
            let size = node.size();
            self.spend(size, node.span.start())?;
            self.anchors.insert(anchor, (Rc::new(node.clone()), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => self.entries.push((k, node)),
            },
        }
        Ok(())
    }

    /// `<<: *base` and `<<: [*a, *b]`: the merged maps' entries that the map does not set
    /// itself, earlier maps in the list winning over later ones. Duplicate keys: the last wins,
    /// in the place of its last occurrence. Keys are compared through one hash index each
    /// ([`Seen`]), so a map of n keys costs O(n), however it repeats them (a scan of the
    /// earlier keys for each was O(n²) within the node budget).
    fn merge_keys(&mut self, entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
        // Nearly every map: no merge key, few keys, none repeated; its entries are the answer
        // as they stand (no second list).
        let merges = entries.iter().any(|(k, _)| is_merge_key(k));
        if !merges && entries.len() <= SCANNED_KEYS && !repeats_a_key(&entries) {
            return Ok(entries);
        }
        let mut merged: Vec<Node> = Vec::new();
        let mut kept: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            if is_merge_key(&k) {
                match v.value {
                    Value::Seq(items) => merged.extend(items),
                    _ => merged.push(v),
                }
                continue;
            }
            kept.push((k, v));
        }
        if merged.is_empty() && kept.len() <= SCANNED_KEYS && !repeats_a_key(&kept) {
            return Ok(kept);
        }
        // The last occurrence of each key, found from the end: a later one replaces it.
        let mut seen = Seen {
            few: Vec::with_capacity(SCANNED_KEYS),
            ..Seen::default()
        };
        let mut last = vec![false; kept.len()];
        for (i, (k, _)) in kept.iter().enumerate().rev() {
            last[i] = seen.insert(k);
        }
        let mut own: Vec<(Node, Node)> = kept
            .into_iter()
            .zip(last)
            .filter_map(|(entry, last)| last.then_some(entry))
            .collect();
        for source in merged {
            let Value::Map(extra) = source.value else {
                return Err(YamlError {
                    message: "a << merge key needs a mapping or a list of mappings".to_string(),
                    span: source.span,
                });
            };
            for (k, v) in extra {
                if seen.insert(&k) {
                    own.push((k, v));
                }
            }
        }
        Ok(own)
    }
}

/// `<<` written plain: a merge key.
fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar { text, quoted: false } if text == "<<")
}

/// Maps with at most this many keys (nearly all) find a repeated key by comparing it with the
/// keys before it, not through a hash index made for the map.
const SCANNED_KEYS: usize = 16;

/// Whether a key of `entries` equals one before it ([`Seen`]'s equality).
fn repeats_a_key(entries: &[(Node, Node)]) -> bool {
    let same = |a: &Node, b: &Node| match (&a.value, &b.value) {
        (Value::Scalar { text: x, .. }, Value::Scalar { text: y, .. }) => x == y,
        (Value::Null, Value::Null) => true,
        _ => false,
    };
    entries
        .iter()
        .enumerate()
        .any(|(i, (key, _))| entries[..i].iter().any(|(before, _)| same(before, key)))
}

/// The keys of one mapping met so far, compared as Compose's merge compares them: a scalar by
/// its text, quoted or not, null with null; any other key (a sequence or mapping) equals none.
/// The first [`SCANNED_KEYS`] scalars (a merged map's, nearly always all) are compared one by
/// one; past that, all go through one hash index ([`crate::load::keys::KeyIndex`], the one
/// "last key wins" index), so that a map of n keys costs O(n) (a hash index made for every
/// merged map cost more than its few comparisons).
#[derive(Default)]
struct Seen {
    few: Vec<TreeStr>,
    many: Option<crate::load::keys::KeyIndex<TreeStr>>,
    null: bool,
}

impl Seen {
    /// Records `key`: whether it is new (no equal key was recorded before).
    fn insert(&mut self, key: &Node) -> bool {
        match &key.value {
            Value::Scalar { text, .. } => self.insert_scalar(text),
            Value::Null => !std::mem::replace(&mut self.null, true),
            Value::Seq(_) | Value::Map(_) => true,
        }
    }

    fn insert_scalar(&mut self, text: &TreeStr) -> bool {
        if let Some(index) = &mut self.many {
            return index.place(text.clone(), 0).is_none();
        }
        if self.few.contains(text) {
            return false;
        }
        if self.few.len() < SCANNED_KEYS {
            self.few.push(text.clone());
            return true;
        }
        // One key more than a scan suits: the keys so far, and every one after, indexed.
        let mut index = crate::load::keys::KeyIndex::with_capacity(2 * SCANNED_KEYS);
        for key in self.few.drain(..) {
            index.place(key, 0);
        }
        index.place(text.clone(), 0);
        self.many = Some(index);
        true
    }
}

/// The end of a scalar that starts at `start`: the closing quote of a quoted one on the same
/// line, the value itself for a plain one, else the end of the line.
/// Looks no further than the scalar itself where it can: many scalars share a long line.
fn scalar_span(text: &str, start: usize, value: &str, quoted: bool) -> Span {
    let rest = text.get(start..).unwrap_or("");
    let line_end = || start + rest.find('\n').unwrap_or(rest.len());
    let end = if quoted {
        // No text at all where the parser says the scalar starts: never slice past it.
        let q = rest.chars().next().unwrap_or('\n');
        match q {
            '"' | '\'' => rest[1..]
                .find(q)
                .filter(|i| !rest[..i + 2].contains('\n'))
                .map(|i| start + i + 2)
                .unwrap_or_else(line_end),
            _ => line_end(),
        }
    } else if rest.starts_with(value) && !value.is_empty() {
        start + value.len()
    } else {
        start + rest[..line_end() - start].trim_end().len()
    };
    // At least the character at `start` (a line of blanks only, such as a lone U+0085, trims
    // to nothing): its whole length, so that the span never ends inside it.
    let first = rest.chars().next().map_or(0, char::len_utf8);
    Span::new(start, end.max(start + first).min(text.len().max(start)))
}

/// `*name`: the alias token.
fn alias_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let len = rest
        .char_indices()
        .find(|(i, c)| *i > 0 && (c.is_whitespace() || matches!(c, ',' | ']' | '}')))
        .map_or(rest.len(), |(i, _)| i);
    start + len.max(usize::from(!rest.is_empty()))
}

/// Every how many characters [`LineIndex`] keeps a byte offset.
const CHECKPOINT: usize = 64;

/// Turns the parser's (line, column in characters) into byte offsets in time independent of
/// the line's length: a file of one long line holds as many events as a long file, and
/// counting each event's column from its line's start was quadratic (150,000 scalars on one
/// line did not end in minutes).
struct LineIndex {
    /// The text is ASCII: a character is a byte, so the parser's own character count
    /// ([`Marker::index`]) is the byte offset, and no table is built.
    ascii: bool,
    /// How many characters come before each line (lines end at `\n`, `\r\n` and a lone
    /// `\r`, as the parser ends them: YAML's b-break).
    chars_before: Vec<usize>,
    /// The byte offset of every [`CHECKPOINT`]th character of the text.
    checkpoints: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return LineIndex {
                ascii: true,
                chars_before: Vec::new(),
                checkpoints: Vec::new(),
            };
        }
        Self::by_lines(text)
    }

    /// The tables for text with characters of several bytes (where the parser's index is no
    /// byte offset, and counts a block scalar's line in bytes: see the tests).
    fn by_lines(text: &str) -> Self {
        let mut chars_before = vec![0];
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT + 1);
        let bytes = text.as_bytes();
        for (n, (i, c)) in text.char_indices().enumerate() {
            if n % CHECKPOINT == 0 {
                checkpoints.push(i);
            }
            let lone_cr = c == '\r' && bytes.get(i + 1) != Some(&b'\n');
            if c == '\n' || lone_cr {
                chars_before.push(n + 1);
            }
        }
        LineIndex {
            ascii: false,
            chars_before,
            checkpoints,
        }
    }

    /// The byte offset of `mark`; the text's end past it.
    fn offset(&self, text: &str, mark: Marker) -> usize {
        if self.ascii {
            return mark.index().min(text.len());
        }
        self.line_offset(text, mark)
    }

    /// The byte offset of column `col` (in characters, counted on past the line's end as
    /// the parser may) of `line`; the text's end past it.
    fn line_offset(&self, text: &str, mark: Marker) -> usize {
        let line = mark.line().max(1) - 1;
        let Some(&before) = self.chars_before.get(line) else {
            return text.len();
        };
        let n = before + mark.col();
        let Some(&base) = self.checkpoints.get(n / CHECKPOINT) else {
            return text.len();
        };
        text[base..]
            .char_indices()
            .nth(n % CHECKPOINT)
            .map_or(text.len(), |(i, _)| base + i)
    }

    fn point(&self, text: &str, mark: Marker) -> Span {
        let start = self.offset(text, mark);
        let end = text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start()..node.span.end()]
    }

    #[test]
    fn values_have_spans() {
        let text = "services:\n  gw:\n    ports:\n      - \"18789:18789\"\n      - 127.0.0.1:9000:9000\n    image: ghcr.io/openclaw/openclaw:latest # c\n";
        let root = parse(text).unwrap();
        let gw = root.get("services").unwrap().get("gw").unwrap();
        let ports = gw.get("ports").unwrap().items();
        assert_eq!(ports[0].as_str(), Some("18789:18789"));
        assert_eq!(at(text, &ports[0]), "\"18789:18789\"");
        assert_eq!(at(text, &ports[1]), "127.0.0.1:9000:9000");
        let image = gw.get("image").unwrap();
        assert_eq!(at(text, image), "ghcr.io/openclaw/openclaw:latest");
        let (key, _) = gw.entry("image").unwrap();
        assert_eq!(at(text, key), "image");
    }

    #[test]
    fn non_ascii_columns_become_byte_offsets() {
        let text = "a: \"é\"\nb: \"ü\": x\n";
        // The second line is invalid YAML; the first still has the right spans.
        let err = parse(text).unwrap_err();
        assert!(err.span.start() >= 8, "{err:?}");
        let root = parse("x: \"é\"\ny: zz\n").unwrap();
        assert_eq!(at("x: \"é\"\ny: zz\n", root.get("y").unwrap()), "zz");
    }

    /// yaml-rust2 ends a line at `\n`, at `\r\n` and at a lone `\r` (YAML's b-break), and
    /// counts the columns of a block scalar's line in bytes as it reads it (`mark.col +=
    /// line_buffer.len()`), then starts the next line at column 0: nothing it places follows
    /// a block scalar on the line, so that count never reaches a span. Values after lone `\r`s,
    /// after CRLFs, and after non-ASCII block scalars (at the end too) are placed on their text.
    #[test]
    fn spans_after_lone_carriage_returns_and_non_ascii_block_scalars_point_at_their_text() {
        let text = "a: 1\rb:\r  c: \"\u{e9}\"\r  d: zz\rport: \"18789:18789\"";
        let root = parse(text).unwrap();
        assert_eq!(at(text, root.get("b").unwrap().get("d").unwrap()), "zz");
        assert_eq!(at(text, root.get("port").unwrap()), "\"18789:18789\"");
        let text = "x: 1\r\ny: |\n  \u{e9}\u{e9}\u{e9} \u{fc}\n  \u{e9}\nz: zz\r\nw: >-\n  \u{fc}\n  \u{fc}\r\nv: vv\nu: |\n  \u{e9}\u{e9}";
        let root = parse(text).unwrap();
        assert_eq!(at(text, root.get("z").unwrap()), "zz");
        assert_eq!(at(text, root.get("v").unwrap()), "vv");
        let (key, _) = root.entry("u").unwrap();
        assert_eq!(at(text, key), "u");
    }

    /// Every span in `node` lies in `text`, on character boundaries.
    fn spans_in(text: &str, node: &Node) {
        let slice = text.get(node.span.start()..node.span.end());
        assert!(slice.is_some(), "{:?} in {text:?}", node.span);
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| spans_in(text, n)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                spans_in(text, k);
                spans_in(text, v);
            }),
            Value::Null | Value::Scalar { .. } => {}
        }
    }

    /// Any text made of YAML's indicators, quotes, blanks, the three line ends, non-ASCII
    /// characters and anchors: the parser never panics, and every span it gives (each value,
    /// each key, the error) lies in the text on character boundaries. A lone `\r` once put a
    /// span past the text's end and panicked in `scalar_span`; this finds that in a few cases.
    #[test]
    fn any_text_parses_or_fails_with_its_spans_in_the_text() {
        const PIECES: [&str; 28] = [
            "a",
            "bc",
            "1",
            ":",
            ": ",
            " ",
            "  ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\"",
            "'",
            "\u{e9}",
            "\u{1f600}",
            "|",
            ">-",
            "- ",
            "[",
            "]",
            "{",
            "}",
            ",",
            "#",
            "&x ",
            "*x",
            "\u{85}",
            "\u{2028}",
        ];
        let mut rng = crate::xorshift::Rng(0x1234_5678_9abc_def1);
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len)
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            match parse(&text) {
                Ok(root) => spans_in(&text, &root),
                Err(e) => assert!(
                    text.get(e.span.start()..e.span.end()).is_some(),
                    "{e:?} in {text:?}"
                ),
            }
        }
    }

    /// In ASCII text the parser's character index is the byte offset its line and column give:
    /// every event's mark and every error's, over texts of YAML's indicators, quotes, blanks,
    /// the three line ends, block scalars and anchors.
    #[test]
    fn in_ascii_text_the_parsers_index_is_where_its_line_and_column_point() {
        const PIECES: [&str; 24] = [
            "a", "bc", "1", ":", ": ", " ", "  ", "\t", "\n", "\r", "\r\n", "\"", "'", "|", ">-",
            "- ", "[", "]", "{", "}", ",", "#", "&x ", "*x",
        ];
        let mut rng = crate::xorshift::Rng(0x0a5c_11ed_0ff5_e7a1);
        let mut marks = 0;
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len)
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            let fast = LineIndex::new(&text);
            assert!(fast.ascii);
            let by_lines = LineIndex::by_lines(&text);
            let mut parser = Parser::new_from_str(&text);
            loop {
                let (mark, last) = match parser.next_token() {
                    Ok((event, mark)) => (mark, event == Event::StreamEnd),
                    Err(e) => (*e.marker(), true),
                };
                marks += 1;
                assert_eq!(
                    fast.offset(&text, mark),
                    by_lines.offset(&text, mark),
                    "{mark:?} in {text:?}"
                );
                if last {
                    break;
                }
            }
        }
        assert!(marks > 40_000, "{marks}");
    }

    /// The merge as it was written before it was made linear (a scan of the kept keys for each
    /// key): what [`Builder::merge_keys`] must still give.
    fn merge_by_scan(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        fn same_key(a: &Node, b: &Node) -> bool {
            match (&a.value, &b.value) {
                (Value::Scalar { text: x, .. }, Value::Scalar { text: y, .. }) => x == y,
                (Value::Null, Value::Null) => true,
                _ => false,
            }
        }
        let mut own: Vec<(Node, Node)> = Vec::new();
        let mut merged: Vec<Node> = Vec::new();
        for (k, v) in entries {
            if matches!(&k.value, Value::Scalar { text, quoted: false } if text == "<<") {
                match v.value {
                    Value::Seq(items) => merged.extend(items),
                    _ => merged.push(v),
                }
                continue;
            }
            if let Some(pos) = own.iter().position(|(ok, _)| same_key(ok, &k)) {
                own.remove(pos);
            }
            own.push((k, v));
        }
        for source in merged {
            let Value::Map(extra) = source.value else {
                unreachable!("the generator merges maps only")
            };
            for (k, v) in extra {
                if !own.iter().any(|(ok, _)| same_key(ok, &k)) {
                    own.push((k, v));
                }
            }
        }
        own
    }

    #[test]
    fn linear_merge_keys_give_what_the_scan_gave() {
        let mut rng = crate::xorshift::Rng(0x9e37_79b9_7f4a_7c15);
        let node = |value: Value, at: usize| Node {
            value,
            span: Span::new(at, at),
        };
        let key = |rng: &mut crate::xorshift::Rng, at: usize| {
            let value = match rng.below(8) {
                0 => Value::Null,
                1 => Value::Seq(Vec::new()),
                2 => Value::Map(Vec::new()),
                // Many distinct keys: past SCANNED_KEYS of them, `Seen` indexes them.
                3 => Value::Scalar {
                    text: format!("k{}", rng.below(40)).as_str().into(),
                    quoted: rng.below(2) == 0,
                },
                _ => Value::Scalar {
                    text: ["a", "b", "c", "d", "<<", ""][rng.below(6) as usize].into(),
                    quoted: rng.below(2) == 0,
                },
            };
            node(value, at)
        };
        for round in 0..2_000 {
            let mut entries = Vec::new();
            // Past SCANNED_KEYS too, where repeated keys are found through the hash index.
            for i in 0..rng.below(4 * SCANNED_KEYS as u64) as usize {
                let k = key(&mut rng, i);
                let is_merge =
                    matches!(&k.value, Value::Scalar { text, quoted: false } if text == "<<");
                let v = match is_merge {
                    true => {
                        let maps = (0..1 + rng.below(3) as usize)
                            .map(|m| {
                                let extra = (0..rng.below(5) as usize)
                                    .map(|j| (key(&mut rng, 100 + j), node(Value::Null, 200 + m)))
                                    .collect();
                                node(Value::Map(extra), 300 + m)
                            })
                            .collect::<Vec<_>>();
                        match maps.len() {
                            1 => maps.into_iter().next().unwrap(),
                            _ => node(Value::Seq(maps), 400),
                        }
                    }
                    false => node(Value::Null, 500 + i),
                };
                entries.push((k, v));
            }
            let mut builder = Builder::new("");
            let linear = builder.merge_keys(entries.clone()).unwrap();
            assert_eq!(linear, merge_by_scan(entries), "round {round}");
        }
    }

    #[test]
    fn merge_keys_and_aliases() {
        let text = "x-base: &base\n  image: openclaw\n  restart: always\nservices:\n  a:\n    <<: *base\n    restart: \"no\"\n";
        let root = parse(text).unwrap();
        let a = root.get("services").unwrap().get("a").unwrap();
        assert_eq!(a.get("image").unwrap().as_str(), Some("openclaw"));
        assert_eq!(a.get("restart").unwrap().as_str(), Some("no"));
    }

    #[test]
    fn a_billion_laughs_is_refused_quickly_with_a_place() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                std::iter::repeat_n(prev.as_str(), 9)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let started = std::time::Instant::now();
        let err = parse(&text).unwrap_err();
        assert!(started.elapsed().as_secs() < 2);
        assert!(err.message.contains("YAML bomb"), "{}", err.message);
        assert!(text[err.span.start()..].starts_with("*a"));
    }

    /// A one-line file with as many scalars as a long file (the column of each was counted
    /// from the line's start: quadratic): every span is still where the file has the value,
    /// before and after characters of several bytes.
    #[test]
    fn scalars_on_one_long_line_keep_their_spans() {
        let written: Vec<String> = (0..20_000)
            .map(|i| match i % 4 {
                0 => format!("v{i}"),
                1 => format!("\"é{i}\""),
                2 => format!("'ü{i}'"),
                _ => format!("x{i}€"),
            })
            .collect();
        let text = format!("k: [{}]\nafter: é\n", written.join(", "));
        let root = parse(&text).unwrap();
        let items = root.get("k").unwrap().items();
        assert_eq!(items.len(), written.len());
        for (item, written) in items.iter().zip(&written) {
            assert_eq!(at(&text, item), written);
        }
        assert_eq!(at(&text, root.get("after").unwrap()), "é");
    }

    /// One long scalar behind many aliases is a few nodes but many copies of its text: the
    /// text budget refuses it at the alias that passes it (it took gigabytes before).
    #[test]
    fn a_long_scalar_behind_many_aliases_meets_the_text_budget() {
        let big = "x".repeat(1 << 20);
        let aliases = ["*a"; 40].join(", ");
        let text = format!("big: &a \"{big}\"\ncopies: [{aliases}]\n");
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("bytes of text"), "{}", err.message);
        assert!(text[err.span.start()..].starts_with("*a"));
        // Twelve copies fit (with the anchor's copy, 13 MiB).
        let aliases = ["*a"; 12].join(", ");
        let root = parse(&format!("big: &a \"{big}\"\ncopies: [{aliases}]\n")).unwrap();
        assert_eq!(root.get("copies").unwrap().items().len(), 12);
    }

    /// Each anchor keeps a copy of its node: anchors nested in anchors copy the innermost
    /// once per level, and that counts against the node budget too.
    #[test]
    fn anchors_nested_in_anchors_count_their_copies() {
        let open: String = (0..40).map(|i| format!("&a{i} [")).collect();
        let inner = vec!["x"; 10_000].join(", ");
        let text = format!("k: {open}{inner}{}\n", "]".repeat(40));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nodes"), "{}", err.message);
        let open: String = (0..4).map(|i| format!("&a{i} [")).collect();
        let text = format!("k: {open}{inner}{}\n", "]".repeat(4));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("nesting") || err.message.contains("recursion"),
            "{}",
            err.message
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "services:\n  gw:\n    ports: [\"1:1\"\n    image: x\n";
        let err = parse(text).unwrap_err();
        assert!(err.span.start() > 10, "{err:?}");
    }

    #[test]
    fn nulls_and_empty_documents() {
        assert!(parse("").unwrap().is_null());
        let root = parse("a:\nb: ~\nc: 'null'\n").unwrap();
        assert!(root.get("a").unwrap().is_null());
        assert!(root.get("b").unwrap().is_null());
        assert_eq!(root.get("c").unwrap().as_str(), Some("null"));
    }
}
