//! The config tree after `$include`: every node remembers the file and span it came from.

use crate::load::json5::{self, Build as _, Span};
use crate::load::keys::KeyIndex;
use crate::source::{FileId, Loc};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

pub use crate::load::tree_str::TreeStr;

/// A value. Arrays and objects hold their items behind an [`Arc`], so that a tree is cloned in
/// O(1) and a file many gateways `$include` is one tree in memory, shared by every gateway's
/// config: what changes one gateway's copy (an include expanded, a merge, a `${VAR}`
/// substituted) copies only the path from the root to what it changes
/// ([`Arc::make_mut`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(TreeStr),
    Array(Arc<Vec<Node>>),
    Object(Arc<Vec<Member>>),
}

impl Value {
    pub fn array(items: Vec<Node>) -> Value {
        Value::Array(Arc::new(items))
    }

    pub fn object(members: Vec<Member>) -> Value {
        Value::Object(Arc::new(members))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
    /// Names of the `${VAR}`s substituted into this string value, in order.
    pub env_refs: EnvRefs,
}

/// Names of the `${VAR}`s substituted into a string value, in order. Almost every node has
/// none: a pointer to a list (8 bytes in each node) rather than the list inline (24), which
/// made every node and member of every gateway's tree 16 bytes larger.
#[derive(Debug, Clone, PartialEq, Default)]
// The box is the point: one thin pointer in the node, where a `Vec` is three words.
#[allow(clippy::box_collection)]
pub struct EnvRefs(Option<Box<Vec<String>>>);

impl EnvRefs {
    pub fn new(names: Vec<String>) -> Self {
        // Never an empty list behind the pointer: equal names compare equal.
        EnvRefs((!names.is_empty()).then(|| Box::new(names)))
    }
}

impl std::ops::Deref for EnvRefs {
    type Target = [String];

    fn deref(&self) -> &[String] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: TreeStr,
    pub key_loc: Loc,
    pub value: Node,
}

/// Member lookups repeated over one tree (one walk per validation issue or start value): an
/// object with many members gets a [`KeyIndex`] at its first lookup, so that N lookups in an
/// object of N members are not N scans of it (a config with 150,000 unknown keys in one object
/// took minutes).
#[derive(Default)]
pub struct Lookups<'a> {
    indexed: HashMap<*const Node, KeyIndex<&'a str>>,
}

impl<'a> Lookups<'a> {
    /// Below this many members a scan is cheaper than an index.
    const INDEXED_FROM: usize = 32;

    /// The value of `key` in `node`, as [`Node::get`] gives it.
    pub fn get(&mut self, node: &'a Node, key: &str) -> Option<&'a Node> {
        let Value::Object(list) = &node.value else {
            return None;
        };
        if list.len() < Self::INDEXED_FROM {
            return node.get(key);
        }
        let index = self.indexed.entry(node as *const Node).or_insert_with(|| {
            let mut index = KeyIndex::with_capacity(list.len());
            for (i, m) in list.iter().enumerate() {
                index.place(m.key.as_str(), i);
            }
            index
        });
        index.find(key).map(|i| &list[i].value)
    }
}

impl Node {
    pub fn new(value: Value, loc: Loc) -> Self {
        Node {
            value,
            loc,
            env_refs: EnvRefs::default(),
        }
    }

    /// Converts a parsed document into a tree tagged with its file. Duplicate keys keep the
    /// last value, as `JSON.parse` and json5 do. The document's keys and strings move into the
    /// tree, not copied. (A loader parses straight into a tree: [`FileTree`].)
    pub fn from_json5(node: json5::Node, file: FileId) -> Node {
        let mut build = FileTree { file };
        let span = node.span;
        match node.value {
            json5::Value::Null => build.scalar(json5::Scalar::Null, span, None),
            json5::Value::Bool(b) => build.scalar(json5::Scalar::Bool(b), span, None),
            json5::Value::Number(n) => build.scalar(json5::Scalar::Number(n), span, None),
            json5::Value::String(s) => build.scalar(json5::Scalar::String(s.into()), span, None),
            json5::Value::Array(items) => {
                let items = items.into_iter().map(|n| Node::from_json5(n, file));
                build.array(items.collect(), span)
            }
            json5::Value::Object(members) => {
                let members: Vec<Member> = members
                    .into_iter()
                    .map(|m| {
                        let value = Node::from_json5(m.value, file);
                        FileTree { file }.member(m.key.into(), m.key_span, value)
                    })
                    .collect();
                build.object(members, span)
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().find(|m| m.key == key),
            _ => None,
        }
    }

    /// Follows a dotted path of object keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    pub fn elements(&self) -> &[Node] {
        match &self.value {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// The type's name with its article, for messages: "an array", "a string".
    pub fn a_type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// An empty object, used as the start of an array `$include` merge.
    pub fn empty_object(loc: Loc) -> Node {
        Node::new(Value::object(Vec::new()), loc)
    }
}

/// The tree of one file, built as json5 parses it ([`json5::parse_into`]): each value tagged
/// with the file, its keys and strings moved in, each object's repeated keys merged
/// ([`kept_members`]).
pub struct FileTree {
    pub file: FileId,
}

impl FileTree {
    fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }
}

impl json5::Build for FileTree {
    type Node = Node;
    type Member = Member;

    fn scalar(&mut self, value: json5::Scalar<'_>, span: Span, _key: Option<&str>) -> Node {
        let value = match value {
            json5::Scalar::Null => Value::Null,
            json5::Scalar::Bool(b) => Value::Bool(b),
            json5::Scalar::Number(n) => Value::Number(n),
            json5::Scalar::String(s) => Value::String(s.into()),
        };
        Node::new(value, self.loc(span))
    }

    fn array(&mut self, items: Vec<Node>, span: Span) -> Node {
        Node::new(Value::array(items), self.loc(span))
    }

    fn object(&mut self, members: Vec<Member>, span: Span) -> Node {
        Node::new(Value::object(kept_members(members)), self.loc(span))
    }

    fn member(&mut self, key: Cow<'_, str>, key_span: Span, value: Node) -> Member {
        Member {
            key: key.into(),
            key_loc: self.loc(key_span),
            value,
        }
    }
}

/// Objects of at most this many members find a repeated key by comparing it with the
/// members before it; larger ones through a [`KeyIndex`] (hashing each key costs more than a
/// few comparisons of short keys, and almost every config object is small).
const SCANNED_UP_TO: usize = 8;

/// An object's members as the tree keeps them: a key keeps its first position and its last
/// member, as in a JS object. Without a repeated key (nearly every object) the list as it is.
fn kept_members(members: Vec<Member>) -> Vec<Member> {
    let places = if members.len() <= SCANNED_UP_TO {
        let first_of = |at: usize| {
            let key = &members[at].key;
            members[..at].iter().position(|m| m.key == *key)
        };
        if (0..members.len()).all(|at| first_of(at).is_none()) {
            return members;
        }
        kept_places(members.len(), first_of)
    } else {
        let mut index = KeyIndex::with_capacity(members.len());
        let firsts: Vec<Option<usize>> = members
            .iter()
            .enumerate()
            .map(|(at, m)| index.place(m.key.as_str(), at))
            .collect();
        if firsts.iter().all(Option::is_none) {
            return members;
        }
        kept_places(members.len(), |at| firsts[at])
    };
    let mut out: Vec<Member> = Vec::with_capacity(members.len());
    for (m, at) in members.into_iter().zip(places) {
        match out.get_mut(at) {
            Some(slot) => *slot = m,
            None => out.push(m),
        }
    }
    out
}

/// Where each of `count` members goes among the kept ones, from where its key first is
/// (`first_of`: `None` for a key's first member).
fn kept_places(count: usize, first_of: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    let mut place_of_first = vec![0; count];
    let mut kept = 0;
    (0..count)
        .map(|at| match first_of(at) {
            Some(first) => place_of_first[first],
            None => {
                place_of_first[at] = kept;
                kept += 1;
                kept - 1
            }
        })
        .collect()
}

/// OpenClaw's `deepMerge`: objects merge key by key, arrays concatenate, and otherwise the
/// source wins.
pub fn deep_merge(target: Node, source: Node) -> Node {
    match (target.value, source.value) {
        (Value::Object(mut into), Value::Object(from)) => {
            // Copies `into`'s list of members only (each value is shared), when another
            // config shares it.
            let list = Arc::make_mut(&mut into);
            // Keys by position, so that merging n keys costs O(n), not O(n^2); two small
            // objects (most merges) are merged by comparing keys, without an index.
            let mut index = (list.len() + from.len() > SCANNED_UP_TO).then(|| {
                let mut index = KeyIndex::with_capacity(list.len());
                for (i, m) in list.iter().enumerate() {
                    index.place(m.key.clone(), i);
                }
                index
            });
            for member in Arc::unwrap_or_clone(from) {
                let found = match &mut index {
                    Some(index) => index.place(member.key.clone(), list.len()),
                    None => list.iter().position(|m| m.key == member.key),
                };
                match found {
                    Some(i) => {
                        let placeholder = Node::new(Value::Null, member.key_loc);
                        let existing = std::mem::replace(&mut list[i].value, placeholder);
                        list[i] = Member {
                            value: deep_merge(existing, member.value),
                            key: member.key,
                            key_loc: member.key_loc,
                        };
                    }
                    None => list.push(member),
                }
            }
            Node::new(Value::Object(into), source.loc)
        }
        (Value::Array(mut into), Value::Array(from)) => {
            let list = Arc::make_mut(&mut into);
            list.extend(Arc::unwrap_or_clone(from));
            Node::new(Value::Array(into), source.loc)
        }
        (_, value) => Node {
            value,
            loc: source.loc,
            env_refs: source.env_refs,
        },
    }
}

/// A zero-width location at the start of a file, for facts about a whole file.
pub fn file_start(file: FileId) -> Loc {
    Loc {
        file,
        span: Span::new(0, 0),
    }
}

#[cfg(test)]
mod lookups_tests {
    use super::*;

    fn tree(text: &str) -> Node {
        let doc = json5::parse(text).expect("parses");
        Node::from_json5(doc.root, crate::source::FileId(0))
    }

    /// The tree built as json5 parses ([`FileTree`]) is json5's own tree with each key at its
    /// first place and its last member (objects scanned and indexed), on random documents with
    /// repeated keys, nesting and every kind of value.
    #[test]
    fn a_tree_built_in_the_parse_keeps_first_places_and_last_members() {
        const PIECES: &[&str] = &[
            "a: 1, ",
            "b: 'x', ",
            "a: [1, {a: 2, a: 3}], ",
            "c: {",
            "}, ",
            "b: null, ",
            "'a': true, ",
            "d: -0x1F, ",
            "e: \"${A}\", ",
            "k1: 1, ",
            "k2: 2, ",
            "k3: 3, ",
            "k4: 4, ",
            "k5: 5, ",
        ];
        let mut rng = crate::xorshift::Rng(0x5DEE_CE66_D1CE_4E5B);
        let file = crate::source::FileId(3);
        for _ in 0..5_000 {
            let len = rng.next() % 40;
            let body: String = (0..len).map(|_| rng.pick(PIECES)).collect();
            let text = format!("{{ {body} }}");
            let built = json5::parse_into(&text, &mut FileTree { file }).map(|doc| doc.root);
            let converted = json5::parse(&text).map(|doc| naive_tree(doc.root, file));
            assert_eq!(built, converted, "{text:?}");
        }
    }

    /// json5's tree as a tree, each repeated key found by a scan of the members kept so far.
    fn naive_tree(node: json5::Node, file: crate::source::FileId) -> Node {
        let loc = |span| Loc { file, span };
        let value = match node.value {
            json5::Value::Null => Value::Null,
            json5::Value::Bool(b) => Value::Bool(b),
            json5::Value::Number(n) => Value::Number(n),
            json5::Value::String(s) => Value::String(s.into()),
            json5::Value::Array(items) => {
                Value::array(items.into_iter().map(|n| naive_tree(n, file)).collect())
            }
            json5::Value::Object(members) => {
                let mut kept: Vec<Member> = Vec::new();
                for m in members {
                    let m = Member {
                        key: m.key.into(),
                        key_loc: loc(m.key_span),
                        value: naive_tree(m.value, file),
                    };
                    match kept.iter().position(|k| k.key == m.key) {
                        Some(i) => kept[i] = m,
                        None => kept.push(m),
                    }
                }
                Value::object(kept)
            }
        };
        Node::new(value, loc(node.span))
    }

    /// `deepMerge` of two objects, small ones (merged by a scan of keys) and larger ones
    /// (through an index): the target's keys keep their places, the source's new keys follow
    /// in order, a shared key takes the merge of both values (objects merged, arrays
    /// concatenated, else the source's).
    #[test]
    fn deep_merge_keeps_places_small_and_large() {
        for (targets, sources) in [(1, 1), (3, 4), (4, 5), (6, 9), (20, 15)] {
            let target: Vec<String> = (0..targets).map(|i| format!("k{i}: {{t: {i}}}")).collect();
            let source: Vec<String> = (0..sources)
                .map(|i| format!("k{}: {{s: {i}}}", 2 * i))
                .collect();
            let merged = deep_merge(
                tree(&format!("{{ {} }}", target.join(", "))),
                tree(&format!("{{ {}, z: [1] }}", source.join(", "))),
            );
            let mut keys: Vec<String> = (0..targets).map(|i| format!("k{i}")).collect();
            let new_keys: Vec<String> = (0..sources)
                .map(|i| format!("k{}", 2 * i))
                .filter(|k| !keys.contains(k))
                .collect();
            keys.extend(new_keys);
            keys.push("z".to_string());
            let got: Vec<&str> = merged.members().iter().map(|m| m.key.as_str()).collect();
            assert_eq!(got, keys, "{targets} + {sources}");
            for m in merged.members().iter().filter(|m| m.key != "z") {
                let i: usize = m.key[1..].parse().unwrap();
                let has = |k: &str| m.value.get(k).is_some();
                assert_eq!(has("t"), i < targets, "{}", m.key.as_str());
                assert_eq!(
                    has("s"),
                    i.is_multiple_of(2) && i / 2 < sources,
                    "{}",
                    m.key.as_str()
                );
            }
        }
    }

    /// Small and large objects (a scan below [`Lookups::INDEXED_FROM`] members, an index from
    /// it) answer as [`Node::get`] does (a repeated key: its last value, at its first place).
    #[test]
    fn lookups_answer_as_get_does() {
        for n in [3, Lookups::INDEXED_FROM, 500] {
            let members: Vec<String> = (0..n).map(|i| format!("k{i}: {i}")).collect();
            let root = tree(&format!(
                "{{ a: {{ {}, k1: 'again' }} }}",
                members.join(", ")
            ));
            let a = root.get("a").unwrap();
            let mut lookups = Lookups::default();
            for key in ["k0", "k1", "k2", "missing"] {
                let got = lookups.get(a, key).map(|n| n.loc);
                assert_eq!(got, a.get(key).map(|n| n.loc), "{n} members, {key}");
            }
            assert_eq!(lookups.get(a, "k1").and_then(Node::as_str), Some("again"));
            assert!(
                lookups.get(a.get("k0").unwrap(), "x").is_none(),
                "not an object"
            );
        }
    }
}
