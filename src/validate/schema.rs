//! The JSON Schemas OpenClaw prints (`openclaw config schema --json`), recorded for several
//! releases by `scripts/record-schemas.sh` into `data/openclaw-schemas.jsonl`.
//!
//! The file is a table of subschemas shared across releases (line 1 a header naming each
//! release's root node, line N + 2 node N). build.rs reads it into constant tables of each
//! node's keywords (`super::compiled`), so that no run parses it; a node is made ready for the
//! checker the first time a config reaches it, so validating a config costs only the nodes it
//! uses, and a run that validates nothing touches none of them.

use super::compiled::Compiled;
use crate::paths::FastMap as HashMap;
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};

/// Nodes are kept in chunks of this many, each made when a node in it is first asked for.
const CHUNK: usize = 64;

/// [`CHUNK`] nodes of the table, each compiled on first use.
type Chunk = Box<[OnceLock<Box<Compiled>>]>;

/// A subschema: a node of the table, or `true`/`false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sub {
    Node(u32),
    Bool(bool),
}

impl Sub {
    pub fn from_value(v: &Value) -> Option<Sub> {
        match v {
            Value::Number(n) => n.as_u64().map(|n| Sub::Node(n as u32)),
            Value::Bool(b) => Some(Sub::Bool(*b)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ReleaseSchema {
    Root(Sub),
    /// The release's CLI could not print its schema (too old); why, as recorded.
    Unavailable(String),
}

pub struct SchemaTable {
    count: usize,
    /// Each node's keywords as the checker reads them, made on first use. Boxed: a chunk is
    /// made whole when one of its nodes is first asked for, and a chunk of 64 unboxed
    /// `Compiled` (~31 KB) was written through, page by page (one gateway's `check` asks for
    /// nodes in ten chunks: 80 of its ~350 page faults); boxed, a chunk is 1 KB.
    compiled: Vec<OnceLock<Chunk>>,
    releases: Vec<(String, ReleaseSchema)>,
    patterns: Mutex<HashMap<String, Arc<Pattern>>>,
}

/// A schema pattern, made ready on first use.
pub(super) enum Pattern {
    /// In the subset [`super::pattern::Simple`] answers without a regex.
    Simple(super::pattern::Simple),
    /// Compiled (`None`: it does not compile).
    Regex(Option<fancy_regex::Regex>),
}

impl Pattern {
    pub(super) fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Simple(simple) => simple.is_match(text),
            Pattern::Regex(Some(re)) => re.is_match(text).unwrap_or(true),
            Pattern::Regex(None) => true,
        }
    }
}

/// The embedded table, set up on first use (its releases listed, no node read).
pub fn table() -> &'static SchemaTable {
    static TABLE: OnceLock<SchemaTable> = OnceLock::new();
    TABLE.get_or_init(SchemaTable::new)
}

impl SchemaTable {
    fn new() -> SchemaTable {
        let count = super::compiled::node_count();
        let compiled = (0..count.div_ceil(CHUNK))
            .map(|_| OnceLock::new())
            .collect();
        let mut releases: Vec<(String, ReleaseSchema)> = super::compiled::releases()
            .map(|(version, root)| {
                let schema = match root {
                    Ok(root) => ReleaseSchema::Root(root),
                    Err(why) => ReleaseSchema::Unavailable(why.to_string()),
                };
                (version.to_string(), schema)
            })
            .collect();
        releases.sort_by(|a, b| crate::validate::releases::compare(&a.0, &b.0));
        SchemaTable {
            count,
            compiled,
            releases,
            patterns: Mutex::new(HashMap::default()),
        }
    }

    /// Recorded releases, oldest first.
    pub fn releases(&self) -> &[(String, ReleaseSchema)] {
        &self.releases
    }

    pub fn release(&self, version: &str) -> Option<&ReleaseSchema> {
        self.releases
            .iter()
            .find(|(v, _)| v == version)
            .map(|(_, s)| s)
    }

    /// Node `n` made ready for the checker, on first use. A node the table does not have is an
    /// empty schema.
    pub fn compiled(&self, n: u32) -> &Compiled {
        static EMPTY: OnceLock<Compiled> = OnceLock::new();
        let at = n as usize;
        if at >= self.count {
            return EMPTY.get_or_init(Compiled::empty);
        }
        let chunk = self.compiled[at / CHUNK].get_or_init(|| {
            let len = CHUNK.min(self.count - at / CHUNK * CHUNK);
            (0..len).map(|_| OnceLock::new()).collect()
        });
        chunk[at % CHUNK].get_or_init(|| Box::new(Compiled::of(at)))
    }

    /// Whether `text` matches a schema `pattern` (ECMAScript syntax; lookarounds and `\p{..}`
    /// are supported). A pattern that does not compile matches everything. Most patterns are
    /// answered without compiling a regex ([`super::pattern`]).
    pub fn matches(&self, pattern: &str, text: &str) -> bool {
        self.pattern(pattern).is_match(text)
    }

    /// A schema `pattern` made ready to match ([`SchemaTable::matches`]), once per run for each
    /// text: the nodes that have it keep it ([`super::compiled::SchemaPattern`]).
    pub(super) fn pattern(&self, pattern: &str) -> Arc<Pattern> {
        let mut cache = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        // Looked up before it is kept: no copy of the pattern for each node that has it.
        if let Some(ready) = cache.get(pattern) {
            return Arc::clone(ready);
        }
        let ready = Arc::new(match super::pattern::Simple::parse(pattern) {
            Some(simple) => Pattern::Simple(simple),
            None => Pattern::Regex(fancy_regex::Regex::new(&translate_pattern(pattern)).ok()),
        });
        cache.insert(pattern.to_string(), Arc::clone(&ready));
        ready
    }

    /// How many nodes have been made ready so far (for measurements and tests).
    pub fn compiled_nodes(&self) -> usize {
        self.compiled
            .iter()
            .filter_map(OnceLock::get)
            .flat_map(|chunk| chunk.iter())
            .filter(|n| n.get().is_some())
            .count()
    }

    pub fn node_count(&self) -> usize {
        self.count
    }
}

/// ECMAScript regex syntax to fancy-regex: `\/` is a plain `/`, `\d` ASCII, `\0` NUL; inside
/// a class `[` is a literal (fancy-regex would open a nested class) and so are the doubled
/// `&&`, `--`, `~~` it reads as set operations; `[^]` is anything and `[]` nothing.
pub(super) fn translate_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('/') => out.push('/'),
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some('0') if !chars.peek().is_some_and(char::is_ascii_digit) => {
                    out.push_str("\\x00")
                }
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '[' if in_class => out.push_str("\\["),
            '[' => {
                in_class = true;
                let negated = chars.next_if_eq(&'^').is_some();
                if chars.next_if_eq(&']').is_some() {
                    in_class = false;
                    out.push_str(if negated { "[\\s\\S]" } else { "[^\\s\\S]" });
                } else {
                    out.push_str(if negated { "[^" } else { "[" });
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                out.push(c);
                out.push('\\');
                out.push(chars.next().unwrap_or(c));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_release_has_a_root_or_a_reason() {
        let t = table();
        assert!(t.releases().len() >= 2, "{:?}", t.releases().len());
        assert!(matches!(
            t.release("2026.9.6"),
            Some(ReleaseSchema::Root(_))
        ));
    }

    #[test]
    fn nodes_are_made_lazily() {
        let t = table();
        let Some(ReleaseSchema::Root(Sub::Node(root))) = t.release("2026.9.6") else {
            panic!("no root");
        };
        assert!(t.compiled(*root).property("gateway").is_some());
        assert!(t.compiled_nodes() < t.node_count());
    }

    #[test]
    fn ecmascript_patterns() {
        let t = table();
        assert!(t.matches("^[hH][tT][tT][pP][sS]?:\\/\\/", "https://x"));
        assert!(t.matches("^(?!\\s)(?![\\s\\S]*\\s$)[^\\p{Cs}]{1,64}$", "abc"));
        assert!(!t.matches("^(?!\\s)(?![\\s\\S]*\\s$)[^\\p{Cs}]{1,64}$", " abc"));
        assert!(!t.matches("^\\d+$", "١٢"));
    }
}
