//! The config tree after `$include`: every node remembers the file and span it came from.

use crate::load::json5::{self, Span};
use crate::load::keys::KeyIndex;
use crate::source::{FileId, Loc};
use std::collections::HashMap;
use std::sync::Arc;

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
    String(String),
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
    pub key: String,
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
    /// tree, not copied.
    pub fn from_json5(node: json5::Node, file: FileId) -> Node {
        let loc = Loc {
            file,
            span: node.span,
        };
        let value = match node.value {
            json5::Value::Null => Value::Null,
            json5::Value::Bool(b) => Value::Bool(b),
            json5::Value::Number(n) => Value::Number(n),
            json5::Value::String(s) => Value::String(s),
            json5::Value::Array(items) => Value::array(
                items
                    .into_iter()
                    .map(|n| Node::from_json5(n, file))
                    .collect(),
            ),
            json5::Value::Object(members) => Value::object(members_from_json5(members, file)),
        };
        Node::new(value, loc)
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

    /// Whether an object anywhere in this tree (this node included) has the key `key`.
    pub fn has_key_below(&self, key: &str) -> bool {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .any(|m| m.key == key || m.value.has_key_below(key)),
            Value::Array(items) => items.iter().any(|n| n.has_key_below(key)),
            _ => false,
        }
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

/// Objects of at most this many members find a repeated key by comparing it with the
/// members kept so far; larger ones through a [`KeyIndex`] (hashing each key costs more than a
/// few comparisons of short keys, and almost every config object is small).
const SCANNED_UP_TO: usize = 8;

/// An object's members as the tree keeps them: a key keeps its first position and its last
/// value, as in a JS object.
fn members_from_json5(members: Vec<json5::Member>, file: FileId) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::with_capacity(members.len());
    let member = |m: json5::Member| Member {
        key: m.key,
        key_loc: Loc {
            file,
            span: m.key_span,
        },
        value: Node::from_json5(m.value, file),
    };
    if members.len() <= SCANNED_UP_TO {
        for m in members {
            let m = member(m);
            match out.iter().position(|kept| kept.key == m.key) {
                Some(i) => out[i] = m,
                None => out.push(m),
            }
        }
        return out;
    }
    // Where each member goes, from the keys as parsed (borrowed), before they move.
    let mut places = Vec::with_capacity(members.len());
    let mut index = KeyIndex::with_capacity(members.len());
    let mut kept = 0;
    for m in &members {
        places.push(index.place(m.key.as_str(), kept).unwrap_or_else(|| {
            kept += 1;
            kept - 1
        }));
    }
    drop(index);
    for (m, at) in members.into_iter().zip(places) {
        let m = member(m);
        match out.get_mut(at) {
            Some(slot) => *slot = m,
            None => out.push(m),
        }
    }
    out
}

/// OpenClaw's `deepMerge`: objects merge key by key, arrays concatenate, and otherwise the
/// source wins.
pub fn deep_merge(target: Node, source: Node) -> Node {
    match (target.value, source.value) {
        (Value::Object(mut into), Value::Object(from)) => {
            // Copies `into`'s list of members only (each value is shared), when another
            // config shares it.
            let list = Arc::make_mut(&mut into);
            // Keys by position, so that merging n keys costs O(n), not O(n^2).
            let mut index = KeyIndex::with_capacity(list.len());
            for (i, m) in list.iter().enumerate() {
                index.place(m.key.clone(), i);
            }
            for member in Arc::unwrap_or_clone(from) {
                match index.place(member.key.clone(), list.len()) {
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
