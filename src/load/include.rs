//! `$include` as OpenClaw's `IncludeProcessor` does it: on any object, string or array of
//! strings, relative to the including file, merged with `deepMerge`, confined to the top
//! config's directory or `OPENCLAW_INCLUDE_ROOTS`, depth 10, 2 MiB a file, no cycles.
//!
//! Where OpenClaw rejects the whole config, we record a problem and go on without that
//! include, so the rest of the config is still linted.
//!
//! Each include file is read and parsed once per run (`FileCache`) and its tree is shared
//! by every gateway that includes it: expanding copies only the path from a config's root
//! to each `$include` (memoised per gateway by path and depth). The expansion is bounded: [`MAX_INCLUDE_LOADS`] `$include` references, [`MAX_INCLUDE_NODES`]
//! values and [`MAX_INCLUDE_BYTES`] bytes of strings brought in by includes. A file that
//! includes another one many times over (arrays concatenate, so content doubles at each
//! level) hits a budget at the include that would cross it: that include becomes a located
//! problem and the rest of the config is still linted.

use super::cache::FileCache;
use super::read::{ReadError, INCLUDE_LIMIT};
use super::tree::{deep_merge, Member, Node, Value};
use super::{parse_cached, Problem, ProblemKind};
use crate::paths::{absolute, display_path, is_inside, normalize, resolve, FastMap};
use crate::source::{Loc, SourceMap};
use std::path::{Path, PathBuf};

/// `$include` references resolved in one gateway's config, counting repeats.
pub const MAX_INCLUDE_LOADS: usize = 10_000;
/// Values (objects, arrays, strings, ...) that includes may bring into one gateway's config.
pub const MAX_INCLUDE_NODES: usize = 2_000_000;
/// Bytes of keys and strings that includes may bring into one gateway's config.
pub const MAX_INCLUDE_BYTES: usize = 64 * 1024 * 1024;

const INCLUDE_KEY: &str = "$include";
/// How deep `$include`s nest (OpenClaw's own limit); deeper is CL501, not expanded.
pub const MAX_DEPTH: usize = 10;
const MAX_PATH_LENGTH: usize = 4096;

/// One place includes may come from, lexically and with symlinks resolved.
struct Root {
    /// As the user's arguments spelled it, for messages.
    shown: PathBuf,
    dir: PathBuf,
    /// Its real path (the lexical one when it does not resolve), looked up when an include
    /// is first resolved: most configs have none.
    real_dir: Option<PathBuf>,
}

pub struct IncludeContext<'a> {
    pub sources: &'a mut SourceMap,
    /// What this run has already parsed: a file many gateways include is parsed once.
    cache: &'a mut FileCache,
    pub problems: Vec<Problem>,
    roots: Vec<Root>,
    /// Each file's expanded content, by path and include depth (depth decides what is
    /// still allowed below it), with its size.
    /// Paths are keyed as they compare ([`crate::paths::compared_bytes`]): hashed as bytes,
    /// not component by component as `Path` hashes.
    memo: FastMap<(Vec<u8>, usize), Expanded>,
    loads: usize,
    nodes: usize,
    bytes: usize,
    /// A budget was hit: it is reported once, and no later include is expanded.
    spent: bool,
    /// The home a supervisor's paths were written under and the scanned home for it.
    written_home: Option<(String, PathBuf)>,
}

/// An include as expanded at one depth, or why it was not.
type Expanded = Result<Sized, (ProblemKind, String)>;

/// An expanded include and what one more copy of it costs.
#[derive(Clone)]
struct Sized {
    node: Node,
    nodes: usize,
    bytes: usize,
}

/// Values and key/string bytes in a tree.
pub fn tree_size(node: &Node) -> (usize, usize) {
    size_and_include(node).0
}

/// [`tree_size`], and whether an object in the tree has an `$include` key: one walk.
pub fn size_and_include(node: &Node) -> ((usize, usize), bool) {
    let mut nodes = 0;
    let mut bytes = 0;
    let mut include = false;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        nodes += 1;
        match &n.value {
            Value::String(s) => bytes += s.len(),
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(members) => {
                for m in members.iter() {
                    bytes += m.key.len();
                    include |= m.key == "$include";
                    stack.push(&m.value);
                }
            }
            _ => {}
        }
    }
    ((nodes, bytes), include)
}

impl<'a> IncludeContext<'a> {
    /// `allowed_roots` are the absolute `OPENCLAW_INCLUDE_ROOTS` entries.
    pub fn new(
        sources: &'a mut SourceMap,
        cache: &'a mut FileCache,
        config_path: &Path,
        allowed_roots: &[PathBuf],
    ) -> Self {
        let config_dir = normalize(crate::paths::parent(config_path).unwrap_or(Path::new(".")));
        let mut roots = vec![root(config_dir)];
        roots.extend(
            allowed_roots
                .iter()
                .filter(|r| r.is_absolute())
                .map(|r| root(normalize(r))),
        );
        IncludeContext {
            sources,
            cache,
            problems: Vec::new(),
            roots,
            memo: FastMap::default(),
            loads: 0,
            nodes: 0,
            bytes: 0,
            spent: false,
            written_home: None,
        }
    }

    /// Absolute include paths under `written` (the home a supervisor's paths were written
    /// under) are read under `home`, the scanned home that stands for it.
    pub fn map_written_home(&mut self, written: &str, home: &Path) {
        self.written_home = Some((written.to_string(), home.to_path_buf()));
    }

    /// Resolves every `$include` below `node`, which was read from `file_path`.
    pub fn process(&mut self, node: Node, file_path: &Path) -> Node {
        let chain = vec![normalize(file_path)];
        self.visit(node, &chain)
    }

    fn visit(&mut self, node: Node, chain: &[PathBuf]) -> Node {
        self.visit_shared(&node, chain).unwrap_or(node)
    }

    /// The node with every `$include` below it resolved, or `None` when it has none: what
    /// holds no include stays shared with the tree it came from (a file's cached parse).
    fn visit_shared(&mut self, node: &Node, chain: &[PathBuf]) -> Option<Node> {
        match &node.value {
            Value::Array(items) => {
                let mut copy: Option<Vec<Node>> = None;
                for (i, item) in items.iter().enumerate() {
                    if let Some(new) = self.visit_shared(item, chain) {
                        copy.get_or_insert_with(|| items.as_ref().clone())[i] = new;
                    }
                }
                copy.map(|items| Node::new(Value::array(items), node.loc))
            }
            Value::Object(members) if members.iter().any(|m| m.key == INCLUDE_KEY) => {
                Some(self.expand(members, node.loc, chain))
            }
            Value::Object(members) => {
                let mut copy: Option<Vec<Member>> = None;
                for (i, member) in members.iter().enumerate() {
                    if let Some(new) = self.visit_shared(&member.value, chain) {
                        copy.get_or_insert_with(|| members.as_ref().clone())[i].value = new;
                    }
                }
                copy.map(|members| Node::new(Value::object(members), node.loc))
            }
            _ => None,
        }
    }

    /// An object with `$include`: the included content, then its sibling keys on top.
    fn expand(&mut self, members: &[Member], loc: Loc, chain: &[PathBuf]) -> Node {
        let include = members
            .iter()
            .rfind(|m| m.key == INCLUDE_KEY)
            .expect("the caller found $include");
        let included = self.resolve_value(&include.value, chain);
        let siblings: Vec<Member> = members
            .iter()
            .filter(|m| m.key != INCLUDE_KEY)
            .map(|m| Member {
                key: m.key.clone(),
                key_loc: m.key_loc,
                value: self.visit(m.value.clone(), chain),
            })
            .collect();
        let Some(included) = included else {
            return Node::new(Value::object(siblings), loc);
        };
        if siblings.is_empty() {
            return included;
        }
        if !included.is_object() {
            self.problem(
                include.value.loc,
                "sibling keys require the included content to be an object".to_string(),
            );
            return Node::new(Value::object(siblings), loc);
        }
        deep_merge(included, Node::new(Value::object(siblings), loc))
    }

    fn resolve_value(&mut self, value: &Node, chain: &[PathBuf]) -> Option<Node> {
        match &value.value {
            Value::String(path) => self.load(path, value.loc, chain),
            Value::Array(items) => {
                let mut merged = Node::empty_object(value.loc);
                for item in items.iter() {
                    let Some(path) = item.as_str() else {
                        self.problem(
                            item.loc,
                            format!(
                                "invalid $include array item: expected string, got {}",
                                item.type_name()
                            ),
                        );
                        continue;
                    };
                    if let Some(node) = self.load(path, item.loc, chain) {
                        merged = deep_merge(merged, node);
                    }
                }
                Some(merged)
            }
            _ => {
                self.problem(
                    value.loc,
                    format!(
                        "invalid $include value: expected string or array of strings, got {}",
                        value.type_name()
                    ),
                );
                None
            }
        }
    }

    fn load(&mut self, raw: &str, at: Loc, chain: &[PathBuf]) -> Option<Node> {
        if self.spent {
            return None;
        }
        match self.try_load(raw, at, chain) {
            Ok(node) => Some(node),
            Err((ProblemKind::Budget, message)) => {
                self.spent = true;
                self.problems.push(Problem {
                    kind: ProblemKind::Budget,
                    message,
                    loc: Some(at),
                });
                None
            }
            Err((kind, message)) => {
                self.problems.push(Problem {
                    kind,
                    message,
                    loc: Some(at),
                });
                None
            }
        }
    }

    fn try_load(
        &mut self,
        raw: &str,
        at: Loc,
        chain: &[PathBuf],
    ) -> Result<Node, (ProblemKind, String)> {
        let path = self
            .resolve_path(raw, chain)
            .map_err(|m| (ProblemKind::IncludeEscape, m))?;
        if chain.iter().any(|p| crate::paths::same_path(p, &path)) {
            let mut names: Vec<String> = chain.iter().map(|p| display_path(p)).collect();
            names.push(display_path(&path));
            let message = format!("circular include detected: {}", names.join(" -> "));
            return Err((ProblemKind::IncludeCycle, message));
        }
        let failed = |m: String| (ProblemKind::Include, m);
        if chain.len() > MAX_DEPTH {
            return Err(failed(format!(
                "maximum include depth ({MAX_DEPTH}) exceeded at: {raw}"
            )));
        }
        self.loads += 1;
        if self.loads > MAX_INCLUDE_LOADS {
            return Err(budget(format!(
                "$include budget exceeded: more than {MAX_INCLUDE_LOADS} includes in one config; neither {raw} nor any later include was expanded"
            )));
        }
        let key = (
            crate::paths::compared_bytes(&path).into_owned(),
            chain.len(),
        );
        if let Some(memo) = self.memo.get(&key) {
            let memo = memo.clone_if_affordable(self.nodes, self.bytes);
            return match memo {
                Affordable::Yes(sized) => {
                    self.nodes += sized.nodes;
                    self.bytes += sized.bytes;
                    Ok(sized.node)
                }
                Affordable::No { nodes, bytes } => Err(budget(format!(
                    "$include budget exceeded: including {raw} again would bring what includes add to {} values and {} bytes (limits: {MAX_INCLUDE_NODES} values, {MAX_INCLUDE_BYTES} bytes); neither it nor any later include was expanded",
                    self.nodes + nodes,
                    self.bytes + bytes
                ))),
                Affordable::Failed(err) => Err(err),
            };
        }
        let sized = self.load_fresh(raw, at, &path, chain);
        let out = sized.as_ref().map(|s| s.node.clone()).map_err(Clone::clone);
        self.memo.insert(key, sized);
        out
    }

    /// Reads, parses and expands an include file seen for the first time at this depth.
    fn load_fresh(
        &mut self,
        raw: &str,
        at: Loc,
        path: &Path,
        chain: &[PathBuf],
    ) -> Result<Sized, (ProblemKind, String)> {
        let failed = |m: String| (ProblemKind::Include, m);
        let parsed = parse_cached(path, INCLUDE_LIMIT, Some(at), self.sources, self.cache)
            .map_err(|err| {
            failed(match err {
                ReadError::TooLarge { limit } => format!(
                    "include file failed security checks (regular file, max {limit} bytes): {raw}"
                ),
                ReadError::NotRegular { kind } => format!(
                    "include file failed security checks (regular file, max {INCLUDE_LIMIT} bytes): {raw} is {kind}"
                ),
                other => format!(
                    "failed to read include file {raw} (resolved: {}): {}{}",
                    display_path(path),
                    other.describe(),
                    if raw.starts_with('~') {
                        "; `~` is not expanded in $include paths"
                    } else {
                        ""
                    }
                ),
            })
        })?;
        let text_len = parsed.text_len;
        if self.bytes + text_len > MAX_INCLUDE_BYTES {
            return Err(budget(format!(
                "$include budget exceeded: reading {raw} would bring what includes add past {MAX_INCLUDE_BYTES} bytes; neither it nor any later include was expanded"
            )));
        }
        if let Some(offset) = parsed.bad_byte {
            self.problems
                .push(super::not_utf8(self.sources, path, offset));
        }
        let node = parsed.result.map_err(|p| {
            self.problems.push(p);
            failed(format!("failed to parse include file: {raw}"))
        })?;
        // Counted once per parse (the cache keeps it), not once per gateway.
        let (nodes, bytes) = parsed.size;
        if self.nodes + nodes > MAX_INCLUDE_NODES {
            return Err(budget(format!(
                "$include budget exceeded: {raw} would bring what includes add past {MAX_INCLUDE_NODES} values; neither it nor any later include was expanded"
            )));
        }
        // This file's own content; what it includes is counted when included.
        self.nodes += nodes;
        self.bytes += text_len;
        if !parsed.has_include {
            // Nothing to expand: the file's tree as parsed, shared.
            return Ok(Sized { node, nodes, bytes });
        }
        let mut nested = chain.to_vec();
        nested.push(path.to_path_buf());
        let node = self.visit(node, &nested);
        let (nodes, bytes) = tree_size(&node);
        Ok(Sized { node, nodes, bytes })
    }

    fn resolve_path(&mut self, raw: &str, chain: &[PathBuf]) -> Result<PathBuf, String> {
        if raw.contains('\0') {
            return Err("include path must not contain null bytes".to_string());
        }
        if raw.len() >= MAX_PATH_LENGTH {
            return Err(format!(
                "include path exceeds maximum length ({MAX_PATH_LENGTH} characters)"
            ));
        }
        let including = chain.last().expect("chain starts with the top file");
        let dir = crate::paths::parent(including).unwrap_or(Path::new("."));
        let mapped = self
            .written_home
            .as_ref()
            .and_then(|(written, home)| crate::paths::WrittenHome { written, home }.map(raw));
        let written_as = without_dot_steps(mapped.as_deref().unwrap_or(raw));
        let path = resolve(dir, Path::new(written_as));
        let root_dir = &self.roots[0].shown;
        let lexical = absolute(&path);
        if !self.roots.iter().any(|r| is_inside(&r.dir, &lexical)) {
            // As written, and where it leads when the layout decides that (relative to the
            // including file, or under the scanned home that stands for a unit's written
            // one), shown as the layout's own paths are; OpenClaw's message shows the latter.
            // Only within the layout: under the scanned home a written one was mapped onto,
            // or beside the config's directory; never a path of this machine.
            let within = match &self.written_home {
                Some((_, home)) if mapped.is_some() => is_inside(&absolute(home), &lexical),
                _ => {
                    !Path::new(raw).is_absolute()
                        && root_dir
                            .parent()
                            .is_some_and(|beside| is_inside(&absolute(beside), &lexical))
                }
            };
            let read_as = if within {
                format!("read as {}; ", display_path(&lexical))
            } else {
                String::new()
            };
            return Err(format!(
                "include path escapes config directory: {raw} ({read_as}root: {})",
                display_path(root_dir)
            ));
        }
        let cache = &mut *self.cache;
        if let Some(real) = crate::paths::real_path_via_dir(&path, |d| cache.real_dir(d)) {
            for r in self.roots.iter_mut().filter(|r| r.real_dir.is_none()) {
                r.real_dir = Some(cache.real_dir(&r.dir).unwrap_or_else(|| r.dir.clone()));
            }
            let mut real_dirs = self.roots.iter().filter_map(|r| r.real_dir.as_deref());
            if !real_dirs.any(|dir| is_inside(dir, &real)) {
                return Err(format!(
                    "include path resolves outside config directory (symlink): {raw} (root: {})",
                    display_path(&self.roots[0].shown)
                ));
            }
        }
        Ok(path)
    }

    fn problem(&mut self, loc: Loc, message: String) {
        self.problems.push(Problem {
            kind: ProblemKind::Include,
            message,
            loc: Some(loc),
        });
    }
}

fn budget(message: String) -> (ProblemKind, String) {
    (ProblemKind::Budget, message)
}

enum Affordable {
    Yes(Sized),
    No { nodes: usize, bytes: usize },
    Failed((ProblemKind, String)),
}

trait MemoEntry {
    fn clone_if_affordable(&self, nodes: usize, bytes: usize) -> Affordable;
}

impl MemoEntry for Result<Sized, (ProblemKind, String)> {
    /// A copy of the expanded include, unless it would cross a budget (checked before
    /// copying, so a budget bounds memory too).
    fn clone_if_affordable(&self, nodes: usize, bytes: usize) -> Affordable {
        match self {
            Ok(sized)
                if nodes + sized.nodes > MAX_INCLUDE_NODES
                    || bytes + sized.bytes > MAX_INCLUDE_BYTES =>
            {
                Affordable::No {
                    nodes: sized.nodes,
                    bytes: sized.bytes,
                }
            }
            Ok(sized) => Affordable::Yes(sized.clone()),
            Err(err) => Affordable::Failed(err.clone()),
        }
    }
}

fn root(shown: PathBuf) -> Root {
    let dir = absolute(&shown);
    Root {
        shown,
        dir,
        real_dir: None,
    }
}

/// `path` without its leading `./` steps, which name the directory it is resolved in: the
/// same file, and a join of a plain directory with what is left is a plain spelling, taken as
/// it is, where one with a `.` in it is normalized component by component (most includes are
/// written `./name.json5`). A step whose removal would leave nothing, or an absolute path
/// (`.//x`), stays.
fn without_dot_steps(mut path: &str) -> &str {
    while let Some(rest) = path.strip_prefix("./") {
        if rest.is_empty() || rest.starts_with('/') {
            break;
        }
        path = rest;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without its leading `./` steps an include path resolves to the same path, below plain
    /// and unusual directories alike; only the steps go.
    #[test]
    fn dot_steps_name_the_same_file() {
        let dirs = [
            "/h/.openclaw",
            "/h/.openclaw/",
            "/h/../g/./c",
            "rel/dir",
            ".",
            "",
        ];
        let paths = [
            "./a.json5",
            "././a.json5",
            "./",
            "./.",
            ".//a",
            "./../a",
            "./sub/./a",
            "a",
            "/abs/a",
        ];
        for dir in dirs {
            for raw in paths {
                let (dir, stripped) = (Path::new(dir), without_dot_steps(raw));
                assert_eq!(
                    resolve(dir, Path::new(stripped)),
                    resolve(dir, Path::new(raw)),
                    "{dir:?} {raw:?}"
                );
            }
        }
        assert_eq!(without_dot_steps("././a.json5"), "a.json5");
        assert_eq!(without_dot_steps(".//a"), ".//a");
        assert_eq!(without_dot_steps("./"), "./");
    }
}
