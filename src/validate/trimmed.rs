//! Config strings OpenClaw trims before checking their length (`z.string().trim().min(1)`):
//! a value of white space only is rejected there ("Too small"), although the recorded JSON
//! schema's `minLength` (which knows nothing of the trim) accepts it. Which strings, per
//! release, is probed from each release's own zod schema by
//! `scripts/extract-trimmed-strings.mjs` into `data/trimmed-strings.json` (tests/migrations.rs
//! checks it against the installed releases).

use super::releases::compare;
use super::{Issue, IssueKind, Seg};
use crate::load::tree::{Node, Value};
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/trimmed-strings.json");

/// One trimmed string: its path (`*` any record key, `[]` any item) and minimum length.
struct Trimmed {
    path: Vec<String>,
    min: usize,
}

/// `(since, strings)`, oldest first.
fn table() -> &'static [(String, Vec<Trimmed>)] {
    static TABLE: OnceLock<Vec<(String, Vec<Trimmed>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let data: serde_json::Value =
            serde_json::from_str(DATA).expect("data/trimmed-strings.json");
        let mut releases: Vec<(String, Vec<Trimmed>)> = data["releases"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(since, entry)| {
                let strings = entry["strings"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(path, min)| Trimmed {
                        path: path.split('.').map(str::to_string).collect(),
                        min: min.as_u64().unwrap_or(1) as usize,
                    })
                    .collect();
                (since.clone(), strings)
            })
            .collect();
        releases.sort_by(|a, b| compare(&a.0, &b.0));
        releases
    })
}

/// The trimmed strings of a release: the newest entry not newer than it.
fn for_release(release: &str) -> &'static [Trimmed] {
    table()
        .iter()
        .rev()
        .find(|(since, _)| compare(since, release).is_le())
        .map_or(&[], |(_, strings)| strings.as_slice())
}

/// Whether the release trims the string at `path` (plain keys, no wildcard) before its checks.
pub fn is_trimmed(release: &str, path: &[&str]) -> bool {
    for_release(release)
        .iter()
        .any(|t| t.path.len() == path.len() && t.path.iter().zip(path).all(|(a, b)| a == b))
}

/// A string's length as zod counts it (UTF-16 code units), after JavaScript's `trim()`.
fn trimmed_len(s: &str) -> usize {
    s.trim_matches(crate::paths::is_js_whitespace)
        .encode_utf16()
        .count()
}

/// The issues of strings that are long enough as written and too short once trimmed (those
/// too short as written are the schema's `minLength` issues already).
pub fn issues(root: &Node, release: &str, out: &mut Vec<Issue>) {
    for t in for_release(release) {
        let mut path = Vec::new();
        visit(root, &t.path, &mut path, &mut |node, path| {
            let Value::String(s) = &node.value else {
                return;
            };
            if s.encode_utf16().count() >= t.min && trimmed_len(s) < t.min {
                out.push(Issue {
                    path: path.to_vec(),
                    kind: IssueKind::Length,
                    message: format!(
                        "Too small: expected string to have >={} characters",
                        t.min
                    ),
                    loc: node.loc,
                    expected: Some(format!(
                        "a string of at least {} characters besides white space (OpenClaw trims it first)",
                        t.min
                    )),
                    choices: Vec::new(),
                    known_keys: Vec::new(),
                    note: None,
                });
            }
        });
    }
}

/// Calls `found` on every node of `root` at `pattern`, with its path.
fn visit(
    node: &Node,
    pattern: &[String],
    path: &mut Vec<Seg>,
    found: &mut dyn FnMut(&Node, &[Seg]),
) {
    let Some((head, rest)) = pattern.split_first() else {
        found(node, path);
        return;
    };
    match (&node.value, head.as_str()) {
        (Value::Object(members), "*") => {
            for m in members.iter() {
                path.push(Seg::Key(m.key.clone()));
                visit(&m.value, rest, path, found);
                path.pop();
            }
        }
        (Value::Array(items), "[]") => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                visit(item, rest, path, found);
                path.pop();
            }
        }
        (Value::Object(_), key) => {
            if let Some(child) = node.get(key) {
                path.push(Seg::Key(key.to_string()));
                visit(child, rest, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues_of(text: &str, release: &str) -> Vec<String> {
        let doc = crate::load::json5::parse(text).unwrap();
        let root = Node::from_json5(&doc.root, crate::source::FileId(0));
        let mut out = Vec::new();
        issues(&root, release, &mut out);
        out.iter().map(Issue::path_string).collect()
    }

    /// A whitespace-only trimmed string is too short from the release that trims it on; a
    /// string with text, an empty one (the schema's own minLength issue) and an untrimmed
    /// string are not reported here.
    #[test]
    fn whitespace_only_strings_are_too_short_where_trimmed() {
        let config = r#"{ talk: { agentId: " \t" }, worktreeRoot: " x " }"#;
        assert_eq!(issues_of(config, "2026.9.6"), ["talk.agentId"]);
        assert!(issues_of(config, "2026.7.35").is_empty());
        assert!(issues_of(r#"{ talk: { agentId: "" } }"#, "2026.9.6").is_empty());
        let list = r#"{ mcp: { servers: { a: { toolFilter: { include: ["read", "  "] } } } } }"#;
        assert_eq!(
            issues_of(list, "2026.6.35"),
            ["mcp.servers.a.toolFilter.include.1"]
        );
    }
}
