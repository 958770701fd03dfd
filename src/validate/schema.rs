//! The JSON Schemas OpenClaw prints (`openclaw config schema --json`), recorded for several
//! releases by `scripts/record-schemas.sh` into `data/openclaw-schemas.jsonl`.
//!
//! The file is a table of subschemas shared across releases (line 1 a header naming each
//! release's root node, line N + 2 node N). It is embedded in the binary with the byte span of
//! each line (found by build.rs) and parsed lazily: a node is parsed the first time a config
//! reaches it, so validating a config costs only the parts of the 2.4 MB schema that the
//! config uses, and a run that validates nothing reads none of it.

use super::compiled::Compiled;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const DATA: &str = include_str!("../../data/openclaw-schemas.jsonl");

mod spans {
    include!(concat!(env!("OUT_DIR"), "/schema_lines.rs"));
}

/// Line `i` of the table (0 is the header, `n + 1` node `n`).
fn line(i: usize) -> &'static str {
    let (start, end) = spans::LINES[i];
    &DATA[start as usize..end as usize]
}

/// Nodes are kept in chunks of this many, each made when a node in it is first asked for.
const CHUNK: usize = 64;

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
    nodes: Vec<OnceLock<Box<[OnceLock<Value>]>>>,
    /// Each node's keywords as the checker reads them, taken out of the node on first use.
    compiled: Vec<OnceLock<Box<[OnceLock<Compiled>]>>>,
    releases: Vec<(String, ReleaseSchema)>,
    patterns: Mutex<HashMap<String, Pattern>>,
}

/// A schema pattern, made ready on first use.
enum Pattern {
    /// In the subset [`super::pattern::Simple`] answers without a regex.
    Simple(super::pattern::Simple),
    /// Compiled (`None`: it does not compile).
    Regex(Option<fancy_regex::Regex>),
}

/// The embedded table, set up on first use (its header parsed, nothing else read).
pub fn table() -> &'static SchemaTable {
    static TABLE: OnceLock<SchemaTable> = OnceLock::new();
    TABLE.get_or_init(SchemaTable::new)
}

impl SchemaTable {
    fn new() -> SchemaTable {
        let header: Value = match spans::LINES.first() {
            Some(_) => serde_json::from_str(line(0)).unwrap_or(Value::Null),
            None => Value::Null,
        };
        let count = spans::LINES.len().saturating_sub(1);
        let nodes = (0..count.div_ceil(CHUNK))
            .map(|_| OnceLock::new())
            .collect();
        let compiled = (0..count.div_ceil(CHUNK))
            .map(|_| OnceLock::new())
            .collect();
        let mut releases = Vec::new();
        if let Some(map) = header.get("releases").and_then(Value::as_object) {
            for (version, entry) in map {
                let schema = match (
                    entry.get("root").and_then(Sub::from_value),
                    entry.get("unavailable"),
                ) {
                    (Some(root), _) => ReleaseSchema::Root(root),
                    (None, Some(why)) => {
                        ReleaseSchema::Unavailable(why.as_str().unwrap_or("").to_string())
                    }
                    (None, None) => continue,
                };
                releases.push((version.clone(), schema));
            }
        }
        releases.sort_by(|a, b| crate::validate::releases::compare(&a.0, &b.0));
        SchemaTable {
            count,
            nodes,
            compiled,
            releases,
            patterns: Mutex::new(HashMap::new()),
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

    /// Node `n`, parsed on first use. A node the table does not have is an empty schema.
    pub fn node(&self, n: u32) -> &Value {
        static EMPTY: Value = Value::Null;
        let n = n as usize;
        if n >= self.count {
            return &EMPTY;
        }
        let chunk = self.nodes[n / CHUNK].get_or_init(|| {
            let len = CHUNK.min(self.count - n / CHUNK * CHUNK);
            (0..len).map(|_| OnceLock::new()).collect()
        });
        chunk[n % CHUNK].get_or_init(|| serde_json::from_str(line(n + 1)).unwrap_or(Value::Null))
    }

    /// Node `n` compiled for the checker, on first use (from [`SchemaTable::node`]).
    pub fn compiled(&self, n: u32) -> &Compiled {
        static EMPTY: OnceLock<Compiled> = OnceLock::new();
        let at = n as usize;
        if at >= self.count {
            return EMPTY.get_or_init(|| Compiled::new(&Value::Null));
        }
        let chunk = self.compiled[at / CHUNK].get_or_init(|| {
            let len = CHUNK.min(self.count - at / CHUNK * CHUNK);
            (0..len).map(|_| OnceLock::new()).collect()
        });
        chunk[at % CHUNK].get_or_init(|| Compiled::new(self.node(n)))
    }

    /// Whether `text` matches a schema `pattern` (ECMAScript syntax; lookarounds and `\p{..}`
    /// are supported). A pattern that does not compile matches everything. Most patterns are
    /// answered without compiling a regex ([`super::pattern`]).
    pub fn matches(&self, pattern: &str, text: &str) -> bool {
        let mut cache = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        let compiled =
            cache.entry(pattern.to_string()).or_insert_with(
                || match super::pattern::Simple::parse(pattern) {
                    Some(simple) => Pattern::Simple(simple),
                    None => {
                        Pattern::Regex(fancy_regex::Regex::new(&translate_pattern(pattern)).ok())
                    }
                },
            );
        match compiled {
            Pattern::Simple(simple) => simple.is_match(text),
            Pattern::Regex(Some(re)) => re.is_match(text).unwrap_or(true),
            Pattern::Regex(None) => true,
        }
    }

    /// How many nodes have been parsed so far (for measurements and tests).
    pub fn parsed_nodes(&self) -> usize {
        self.nodes
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

/// ECMAScript regex syntax to fancy-regex: `\/` is a plain `/`, `[^]` anything, `\d` ASCII.
pub(super) fn translate_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('/') => out.push('/'),
                Some('d') => out.push_str("[0-9]"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            }
        } else {
            out.push(c);
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
    fn nodes_parse_lazily() {
        let t = table();
        let Some(ReleaseSchema::Root(Sub::Node(root))) = t.release("2026.9.6") else {
            panic!("no root");
        };
        assert!(t.node(*root).get("properties").is_some());
        assert!(t.parsed_nodes() < t.node_count());
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
