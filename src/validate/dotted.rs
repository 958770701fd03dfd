//! An index of dotted key patterns (`channels.*.accounts`, `*` any one segment) by their
//! segments: the patterns that match a config path, whole or a prefix of it, are found by
//! walking the path's segments, not by comparing the path with every pattern. A config of
//! 100,000 unknown keys under `agents.defaults` compared each with every migration effect and
//! every retired key of the release (found by a hostile-input audit: a third of the run).

use super::Seg;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

/// The patterns, each with its item, as a tree of segments.
pub struct DottedIndex<T> {
    root: Node<T>,
}

struct Node<T> {
    /// Items whose pattern ends here.
    ends: Vec<T>,
    /// The next segment, when it is a key.
    keys: HashMap<&'static str, Node<T>>,
    /// The next segment, when it is `*` (any key or index).
    any: Option<Box<Node<T>>>,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node {
            ends: Vec::new(),
            keys: HashMap::new(),
            any: None,
        }
    }
}

impl<T: Copy> DottedIndex<T> {
    pub fn new(items: impl IntoIterator<Item = (&'static str, T)>) -> Self {
        let mut root = Node::default();
        for (pattern, item) in items {
            let mut node = &mut root;
            for segment in pattern.split('.') {
                node = match segment {
                    "*" => node.any.get_or_insert_with(Default::default),
                    key => node.keys.entry(key).or_default(),
                };
            }
            node.ends.push(item);
        }
        DottedIndex { root }
    }

    /// Every item whose pattern matches `path` or a prefix of it (a key the pattern covers),
    /// as a segment-by-segment comparison would find it: a key segment matches the same key,
    /// `*` any segment. In no particular order.
    pub fn covering(&self, path: &[Seg], out: &mut Vec<T>) {
        self.root.walk(path, out);
    }
}

impl<T: Copy> Node<T> {
    fn walk(&self, path: &[Seg], out: &mut Vec<T>) {
        out.extend_from_slice(&self.ends);
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if let Seg::Key(key) = first {
            if let Some(next) = self.keys.get(key.as_str()) {
                next.walk(rest, out);
            }
        }
        if let Some(next) = &self.any {
            next.walk(rest, out);
        }
    }
}

/// The index made for a table (a compiled list, found by `key`: its address), made on first
/// use and kept for the run: the tables are few and static, so each index lives as long as
/// its table (leaked, not freed).
pub fn made_once<K: Hash + Eq, T: Sync>(
    made: &'static OnceLock<Mutex<HashMap<K, &'static T>>>,
    key: K,
    make: impl FnOnce() -> T,
) -> &'static T {
    let mut made = made
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    made.entry(key)
        .or_insert_with(|| Box::leak(Box::new(make())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::dotted_path as path;

    /// What walking the index finds is what comparing the path with each pattern finds.
    #[test]
    fn the_index_finds_what_a_comparison_with_each_pattern_finds() {
        let patterns = [
            "agents",
            "agents.defaults",
            "agents.defaults.heartbeat",
            "agents.*.heartbeat",
            "agents.list.*.model",
            "*.enabled",
            "*",
            "channels.telegram.accounts.*.streamMode",
            "channels.*.accounts.*",
            "0",
        ];
        let index = DottedIndex::new(patterns.iter().map(|p| (*p, *p)));
        let covers = |pattern: &str, path: &[Seg]| {
            let segments: Vec<&str> = pattern.split('.').collect();
            segments.len() <= path.len()
                && segments
                    .iter()
                    .zip(path)
                    .all(|(p, s)| *p == "*" || matches!(s, Seg::Key(k) if k == p))
        };
        for text in [
            "agents",
            "agents.defaults.heartbeat.every",
            "agents.defaults.q000001",
            "agents.list.3.model",
            "agents.list.3",
            "channels.telegram.accounts.a1.streamMode",
            "channels.discord.accounts.x",
            "gateway.enabled",
            "0",
            "1.enabled",
        ] {
            let path = path(text);
            let mut found = Vec::new();
            index.covering(&path, &mut found);
            found.sort_unstable();
            let mut want: Vec<&str> = (patterns.iter().copied())
                .filter(|p| covers(p, &path))
                .collect();
            want.sort_unstable();
            assert_eq!(found, want, "{text}");
        }
    }
}
