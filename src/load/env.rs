//! The environment a gateway process sees, each variable with where it was set, and
//! `${VAR}` substitution over config strings.

use super::tree::{EnvRefs, Member, Node, Value};
use super::{Problem, ProblemKind};
use crate::paths::FastMap as HashMap;
use crate::source::Loc;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Who set an environment variable.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvOrigin {
    /// The environment clawlint was told the gateway starts with (manifest, `--env`, a
    /// conformance case).
    Given,
    /// OpenClaw's own `--profile`/`--dev` handling (`applyCliProfileEnv`). The flag's text is
    /// shared by every variable it sets and every origin copied from them.
    ProfileFlag { flag: Arc<str> },
    /// A line of a `.env` file.
    DotEnv(Loc),
    /// `env.vars` in the config.
    ConfigEnv(Loc),
    /// A service unit's `Environment=`/`EnvironmentFile=`.
    Service(Loc),
    /// A container definition's `environment`/`env_file` (compose) or
    /// `Environment=`/`EnvironmentFile=` (quadlet).
    Container(Loc),
    /// A container definition's `environment` entry whose value compose interpolated from one
    /// variable (`TOKEN: ${ACME_TOKEN}`): the entry, and where that variable is set.
    ContainerVar(Box<ContainerVar>),
}

/// [`EnvOrigin::ContainerVar`].
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerVar {
    /// The `environment` entry.
    pub at: Loc,
    /// The variable it interpolates.
    pub var: String,
    /// The env-file line (or the supervisor's line) that sets the variable.
    pub set_at: Loc,
}

impl EnvOrigin {
    pub fn loc(&self) -> Option<Loc> {
        match self {
            EnvOrigin::DotEnv(loc)
            | EnvOrigin::ConfigEnv(loc)
            | EnvOrigin::Service(loc)
            | EnvOrigin::Container(loc) => Some(*loc),
            EnvOrigin::ContainerVar(set) => Some(set.at),
            EnvOrigin::Given | EnvOrigin::ProfileFlag { .. } => None,
        }
    }

    /// The variable the value was interpolated from and where that variable is set, when
    /// that is another line than [`EnvOrigin::loc`].
    pub fn set_through(&self) -> Option<(&str, Loc)> {
        match self {
            EnvOrigin::ContainerVar(set) => Some((&set.var, set.set_at)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    pub value: String,
    pub origin: EnvOrigin,
}

/// A process environment. Sorted, so every walk over it is deterministic.
///
/// A config's `env.vars` (often in a file many gateways `$include`) is kept as one shared
/// layer under the variables set otherwise ([`Env::with_defaults`]): each gateway holds a
/// pointer to it, not a copy of every variable.
#[derive(Clone, Default)]
pub struct Env {
    vars: Vars,
    /// Variables that apply where `vars` has none (set-only-when-unset, shared).
    defaults: Option<Arc<EnvLayer>>,
}

/// Variables shared by every gateway whose config has the same `env.vars`.
pub type EnvLayer = BTreeMap<String, EnvVar>;

/// The variables set on one process (not the shared layer), by name. A gateway sets a handful
/// (`HOME`, a profile, a `.env`'s tokens): a sorted list of them costs a fraction of a
/// B-tree's first node (11 slots, about 1 KiB, for every gateway); past [`SMALL_VARS`] they
/// move to a B-tree, so that a huge environment file is still set in O(n log n).
#[derive(Clone)]
enum Vars {
    Small(Vec<(String, EnvVar)>),
    Large(BTreeMap<String, EnvVar>),
}

const SMALL_VARS: usize = 32;

impl Default for Vars {
    fn default() -> Self {
        Vars::Small(Vec::new())
    }
}

impl Vars {
    fn get(&self, name: &str) -> Option<&EnvVar> {
        match self {
            // Found by equality, not by a binary search: a name of another length is passed
            // over without comparing its bytes (most are: `HOME`, `OPENCLAW_PROFILE`, a
            // token's name), where the search compared bytes at every step (a gateway asks
            // its environment about 40 times, 3 to 4 comparisons each).
            Vars::Small(list) => list.iter().find(|(k, _)| k == name).map(|(_, var)| var),
            Vars::Large(map) => map.get(name),
        }
    }

    /// Sets `name` (a variable set already keeps its place, as in a map); a name given owned
    /// is kept, not copied.
    fn insert(&mut self, name: Cow<str>, var: EnvVar) {
        match self {
            Vars::Small(list) => match list.binary_search_by(|(k, _)| k.as_str().cmp(&name)) {
                Ok(i) => list[i].1 = var,
                Err(i) if list.len() < SMALL_VARS => list.insert(i, (name.into_owned(), var)),
                Err(_) => {
                    let mut map: BTreeMap<String, EnvVar> =
                        std::mem::take(list).into_iter().collect();
                    map.insert(name.into_owned(), var);
                    *self = Vars::Large(map);
                }
            },
            Vars::Large(map) => {
                map.insert(name.into_owned(), var);
            }
        }
    }

    fn remove(&mut self, name: &str) {
        match self {
            Vars::Small(list) => {
                if let Ok(i) = list.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
                    list.remove(i);
                }
            }
            Vars::Large(map) => {
                map.remove(name);
            }
        }
    }

    /// Sorted by name, from the first name not before `from`.
    fn iter_from<'a>(&'a self, from: &str) -> impl Iterator<Item = (&'a String, &'a EnvVar)> {
        let (list, map) = match self {
            Vars::Small(list) => {
                let start = list.partition_point(|(k, _)| k.as_str() < from);
                (Some(list[start..].iter().map(|(k, v)| (k, v))), None)
            }
            Vars::Large(map) => (None, Some(map.range::<str, _>(at_or_after(from)))),
        };
        list.into_iter().flatten().chain(map.into_iter().flatten())
    }
}

/// The names from `from` on, as a B-tree range of `str` keys.
fn at_or_after(from: &str) -> (std::ops::Bound<&str>, std::ops::Bound<&str>) {
    (std::ops::Bound::Included(from), std::ops::Bound::Unbounded)
}

impl Env {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives up the slots the variables grew into and do not use: a resolved gateway keeps
    /// its environment to the end of the run (`collections::exact`).
    pub fn tighten(&mut self) {
        if let Vars::Small(list) = &mut self.vars {
            crate::collections::exact(list);
        }
    }

    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars
            .get(name)
            .or_else(|| self.defaults.as_ref().and_then(|d| d.get(name)))
    }

    /// The value, treating blank as unset as OpenClaw's `?.trim()` checks do.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name)
            .map(|v| v.value.as_str())
            .filter(|v| !v.trim_matches(crate::paths::is_js_whitespace).is_empty())
    }

    pub fn set(&mut self, name: &str, value: String, origin: EnvOrigin) {
        self.vars
            .insert(Cow::Borrowed(name), EnvVar { value, origin });
    }

    /// Sets only when unset: the rule of every `.env` file and of the config `env` block.
    pub fn set_default(&mut self, name: &str, value: String, origin: EnvOrigin) -> bool {
        self.set_default_named(Cow::Borrowed(name), value, origin)
    }

    /// [`Env::set_default`], with the name kept when given owned (a `.env` file's entry).
    pub fn set_default_named(&mut self, name: Cow<str>, value: String, origin: EnvOrigin) -> bool {
        if self.get(&name).is_some() {
            return false;
        }
        self.vars.insert(name, EnvVar { value, origin });
        true
    }

    /// [`Env::set_default`] for every variable of `layer` at once, sharing it: a variable set
    /// already keeps its value. With a layer already in place (never, in OpenClaw's order),
    /// the variables are copied one by one.
    pub fn with_defaults(&mut self, layer: &Arc<EnvLayer>) {
        if self.defaults.is_some() {
            for (name, var) in layer.iter() {
                self.set_default(name, var.value.clone(), var.origin.clone());
            }
            return;
        }
        self.defaults = Some(Arc::clone(layer));
    }

    /// The shared layer, if any (tests check that it is shared, not copied).
    pub fn defaults(&self) -> Option<&Arc<EnvLayer>> {
        self.defaults.as_ref()
    }

    pub fn remove(&mut self, name: &str) {
        self.vars.remove(name);
        if let Some(defaults) = self.defaults.as_mut() {
            if defaults.contains_key(name) {
                Arc::make_mut(defaults).remove(name);
            }
        }
    }

    /// Every variable, sorted by name (a variable set otherwise hides the shared layer's).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &EnvVar)> {
        self.iter_from("")
    }

    /// Every variable whose name starts with `prefix`, sorted by name: found where the prefix
    /// sorts, not by a pass over every variable (a shared `env.vars` of thousands, for each
    /// gateway given it).
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a EnvVar)> {
        self.iter_from(prefix)
            .take_while(move |(name, _)| name.starts_with(prefix))
    }

    /// Every variable from the first name not before `from`, sorted by name.
    fn iter_from<'a>(&'a self, from: &str) -> impl Iterator<Item = (&'a String, &'a EnvVar)> {
        let mut own = self.vars.iter_from(from).peekable();
        let shared = (self.defaults.as_ref()).map(|d| d.range::<str, _>(at_or_after(from)));
        let mut shared = shared.into_iter().flatten().peekable();
        std::iter::from_fn(move || match (own.peek(), shared.peek()) {
            (Some((a, _)), Some((b, _))) => match a.as_str().cmp(b.as_str()) {
                std::cmp::Ordering::Less => own.next(),
                std::cmp::Ordering::Greater => shared.next(),
                std::cmp::Ordering::Equal => {
                    shared.next();
                    own.next()
                }
            },
            (Some(_), None) => own.next(),
            (None, Some(_)) => shared.next(),
            (None, None) => None,
        })
    }
}

/// Equal when the same variables have the same values and origins, however they are layered.
impl PartialEq for Env {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("vars", &self.iter().collect::<BTreeMap<_, _>>())
            .finish()
    }
}

/// Looked at as bytes: every byte of a name is ASCII, so a multi-byte character fails as it
/// did char by char.
fn is_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_uppercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Where the ASCII byte `byte` first is in `text` (a char boundary): `str::find` of a char
/// goes through the general pattern searcher, a call and a set-up per string.
fn find_byte(text: &str, byte: u8) -> Option<usize> {
    memchr::memchr(byte, text.as_bytes())
}

/// A `${NAME}` or `$${NAME}` token starting at byte `i` (which holds `$`).
enum Token<'a> {
    Escaped { name: &'a str, end: usize },
    Substitution { name: &'a str, end: usize },
}

fn token_at(value: &str, i: usize) -> Option<Token<'_>> {
    let rest = &value[i..];
    if let Some(body) = rest.strip_prefix("$${") {
        if let Some(close) = find_byte(body, b'}') {
            if is_env_name(&body[..close]) {
                return Some(Token::Escaped {
                    name: &body[..close],
                    end: i + 3 + close,
                });
            }
        }
    }
    if let Some(body) = rest.strip_prefix("${") {
        if let Some(close) = find_byte(body, b'}') {
            if is_env_name(&body[..close]) {
                return Some(Token::Substitution {
                    name: &body[..close],
                    end: i + 2 + close,
                });
            }
        }
    }
    None
}

/// Bytes that `${VAR}` substitution may produce over one gateway's config, all strings
/// together. A 1 MiB variable referenced a thousand times would otherwise need a gigabyte.
pub const MAX_SUBSTITUTED_BYTES: usize = 32 * 1024 * 1024;

/// The result of substituting one string.
pub struct Substituted {
    pub value: String,
    pub used: Vec<String>,
    pub missing: Vec<String>,
}

/// OpenClaw's `substituteString` in its warning mode: a missing or empty variable leaves the
/// literal `${NAME}` in place.
pub fn substitute(value: &str, env: &Env) -> Substituted {
    substitute_bounded(value, env, usize::MAX).expect("no limit")
}

/// [`substitute`], or `None` as soon as the result would be longer than `limit` bytes (the
/// result is never built past it).
pub fn substitute_bounded(value: &str, env: &Env, limit: usize) -> Option<Substituted> {
    let mut out = String::with_capacity(value.len().min(limit));
    let mut used = Vec::new();
    let mut missing = Vec::new();
    substitute_into(value, env, limit, &mut out, &mut used, &mut missing)?;
    Some(Substituted {
        value: out,
        used,
        missing: missing.into_iter().map(str::to_string).collect(),
    })
}

/// [`substitute_bounded`] into `out` (cleared by the caller), with the names used and those
/// missing (as written in `value`) added to `used` and `missing`: a walk over many strings
/// reuses one buffer, and a result short enough to be held inline in the tree
/// ([`super::tree_str::TreeStr`]) costs no allocation of its own.
fn substitute_into<'v>(
    value: &'v str,
    env: &Env,
    limit: usize,
    out: &mut String,
    used: &mut Vec<String>,
    missing: &mut Vec<&'v str>,
) -> Option<()> {
    let mut i = 0;
    while i < value.len() {
        let Some(dollar) = find_byte(&value[i..], b'$') else {
            out.push_str(&value[i..]);
            break;
        };
        out.push_str(&value[i..i + dollar]);
        i += dollar;
        match token_at(value, i) {
            Some(Token::Escaped { name, end }) => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
                i = end + 1;
            }
            Some(Token::Substitution { name, end }) => {
                match env.get(name).filter(|v| !v.value.is_empty()) {
                    Some(var) => {
                        if out.len() + var.value.len() > limit {
                            return None;
                        }
                        out.push_str(&var.value);
                        used.push(name.to_string());
                    }
                    None => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                        missing.push(name);
                    }
                }
                i = end + 1;
            }
            None => {
                out.push('$');
                i += 1;
            }
        }
    }
    (out.len() <= limit).then_some(())
}

/// Substitutes every string value in the tree (keys never), recording the variables used on
/// each node and a problem for each missing one. Within [`MAX_SUBSTITUTED_BYTES`]: the string
/// that would cross it gets a located problem, and it and every later string stay as written.
/// Only the path to a string that changes is copied: the rest stays shared with the trees the
/// config was built from (an include many gateways share).
pub fn substitute_tree(node: &mut Node, env: &Env, problems: &mut Vec<Problem>) {
    substitute_tree_with(node, env, problems, &mut Substitutions::default());
}

/// [`substitute_tree`], with what the walks of one run share (`run`): every large container
/// known to have no `$` in any of its strings is skipped (nothing there to substitute, no
/// budget spent, no problem), so the shared tree of a file many gateways include is walked
/// once per run, not once per gateway.
pub fn substitute_tree_with(
    node: &mut Node,
    env: &Env,
    problems: &mut Vec<Problem>,
    run: &mut Substitutions,
) {
    let mut walk = Walk {
        env,
        problems,
        budget: MAX_SUBSTITUTED_BYTES,
        run,
        dollars: 0,
    };
    walk.substitute_in_place(node);
    // A buffer grown by a huge value is not held to the end of the run.
    if walk.run.text.capacity() > KEPT_BUFFER_BYTES {
        walk.run.text = String::new();
    }
}

/// Containers that are skipped below this many items: looking one up costs about as much as
/// walking it.
const PLAIN_MIN_LEN: usize = 16;

/// The largest buffer [`Substitutions`] keeps from one walk to the next.
const KEPT_BUFFER_BYTES: usize = 4096;

/// What the substitution walks of one run share.
///
/// Large containers (objects' member lists and arrays' items, by address) in which no string
/// holds a `$`: substitution leaves them as they are whatever the environment. Each is kept
/// alive here, so that its address is never reused for another one during the run.
///
/// And the buffer a substituted string is built in before it is copied into the tree: one
/// for the run, not one allocation per string (a result short enough is held inline in the
/// tree, [`super::tree_str::TreeStr`], and then costs none).
#[derive(Debug, Default)]
pub struct Substitutions {
    members: HashMap<usize, Arc<Vec<Member>>>,
    items: HashMap<usize, Arc<Vec<Node>>>,
    text: String,
}

impl Substitutions {
    /// How many containers are known to need no substitution (tests).
    pub fn len(&self) -> usize {
        self.members.len() + self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct Walk<'a> {
    env: &'a Env,
    problems: &'a mut Vec<Problem>,
    /// What is left; `usize::MAX` marks it spent (reported once).
    budget: usize,
    run: &'a mut Substitutions,
    /// Strings with a `$` seen so far (a container that adds none is plain).
    dollars: usize,
}

impl Walk<'_> {
    /// Substitutes `node`'s strings where it stands: a container no other tree holds (a
    /// gateway's own config, parsed for it) is changed in place, its strings replaced, with no
    /// copy of its members; a shared one ([`Walk::substituted`]) is copied on the path to
    /// what changes. The same walk, in the same order, either way.
    fn substitute_in_place(&mut self, node: &mut Node) {
        if self.budget == usize::MAX {
            return;
        }
        match &mut node.value {
            Value::Object(members) => {
                if let Some(members) = Arc::get_mut(members) {
                    for member in members {
                        self.substitute_in_place(&mut member.value);
                    }
                    return;
                }
            }
            Value::Array(items) => {
                if let Some(items) = Arc::get_mut(items) {
                    for item in items {
                        self.substitute_in_place(item);
                    }
                    return;
                }
            }
            _ => {}
        }
        if let Some(new) = self.substituted(node) {
            *node = new;
        }
    }

    /// The node with its strings substituted, or `None` when nothing in it changes.
    fn substituted(&mut self, node: &Node) -> Option<Node> {
        if self.budget == usize::MAX {
            return None;
        }
        match &node.value {
            Value::String(s) if find_byte(s, b'$').is_some() => {
                self.dollars += 1;
                self.run.text.clear();
                let (mut used, mut missing) = (Vec::new(), Vec::new());
                let within = substitute_into(
                    s,
                    self.env,
                    self.budget,
                    &mut self.run.text,
                    &mut used,
                    &mut missing,
                );
                if within.is_none() {
                    self.budget = usize::MAX;
                    self.problems.push(Problem {
                        kind: ProblemKind::Budget,
                        message: format!(
                            "${{VAR}} substitution budget exceeded: this string would bring the config's substituted text past {MAX_SUBSTITUTED_BYTES} bytes; it and later strings were left as written"
                        ),
                        loc: Some(node.loc),
                    });
                    return None;
                }
                self.budget -= self.run.text.len();
                for name in missing {
                    self.problems.push(Problem {
                        kind: ProblemKind::MissingEnvVar,
                        message: format!("missing env var \"{name}\""),
                        loc: Some(node.loc),
                    });
                }
                if self.run.text == **s && used == *node.env_refs {
                    return None;
                }
                Some(Node {
                    value: Value::String(self.run.text.as_str().into()),
                    loc: node.loc,
                    env_refs: EnvRefs::new(used),
                })
            }
            Value::Array(items) => {
                let large = items.len() >= PLAIN_MIN_LEN;
                let address = Arc::as_ptr(items) as usize;
                if large && self.run.items.contains_key(&address) {
                    return None;
                }
                let before = self.dollars;
                let mut copy: Option<Vec<Node>> = None;
                for (i, item) in items.iter().enumerate() {
                    if let Some(new) = self.substituted(item) {
                        copy.get_or_insert_with(|| items.as_ref().clone())[i] = new;
                    }
                }
                if large && self.dollars == before && self.budget != usize::MAX {
                    self.run.items.insert(address, Arc::clone(items));
                }
                copy.map(|items| Node {
                    value: Value::array(items),
                    loc: node.loc,
                    env_refs: node.env_refs.clone(),
                })
            }
            Value::Object(members) => {
                let large = members.len() >= PLAIN_MIN_LEN;
                let address = Arc::as_ptr(members) as usize;
                if large && self.run.members.contains_key(&address) {
                    return None;
                }
                let before = self.dollars;
                let mut copy: Option<Vec<Member>> = None;
                for (i, member) in members.iter().enumerate() {
                    if let Some(new) = self.substituted(&member.value) {
                        copy.get_or_insert_with(|| members.as_ref().clone())[i].value = new;
                    }
                }
                if large && self.dollars == before && self.budget != usize::MAX {
                    self.run.members.insert(address, Arc::clone(members));
                }
                copy.map(|members| Node {
                    value: Value::object(members),
                    loc: node.loc,
                    env_refs: node.env_refs.clone(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        let mut env = Env::new();
        for (k, v) in pairs {
            env.set(k, v.to_string(), EnvOrigin::Given);
        }
        env
    }

    /// The variables with a prefix are what a pass over all of them keeps, whatever the
    /// layering: own variables few or many, a shared layer, a name in both.
    #[test]
    fn variables_with_a_prefix_are_those_a_full_pass_keeps() {
        let names = [
            "A",
            "OPENCLAW",
            "OPENCLAW_",
            "OPENCLAW_X",
            "OPENCLAW_Y",
            "OPENCLAWZ",
            "Z",
        ];
        for own in [2, SMALL_VARS + 5] {
            let mut env = Env::new();
            for i in 0..own {
                env.set(
                    &format!("{}{i}", names[i % names.len()]),
                    "own".into(),
                    EnvOrigin::Given,
                );
            }
            let layer: EnvLayer = (names.iter())
                .map(|n| {
                    let var = EnvVar {
                        value: "shared".into(),
                        origin: EnvOrigin::Given,
                    };
                    (format!("{n}1"), var)
                })
                .collect();
            env.with_defaults(&Arc::new(layer));
            for prefix in ["", "OPENCLAW_", "OPENCLAW", "Q", "Z1"] {
                let all: Vec<(&String, &EnvVar)> =
                    env.iter().filter(|(n, _)| n.starts_with(prefix)).collect();
                let found: Vec<(&String, &EnvVar)> = env.with_prefix(prefix).collect();
                assert_eq!(found, all, "{own} own, prefix {prefix:?}");
            }
        }
    }

    /// A gateway's own variables are a sorted list while few, a map past SMALL_VARS: the
    /// same answers either way (set again keeps one entry, removal, sorted iteration).
    #[test]
    fn own_variables_behave_as_a_map_small_or_large() {
        for n in [3, SMALL_VARS, SMALL_VARS + 1, 3 * SMALL_VARS] {
            let mut env = Env::new();
            let mut reference = BTreeMap::new();
            for i in (0..n).rev() {
                let name = format!("V{i:03}");
                env.set(&name, format!("first {i}"), EnvOrigin::Given);
                reference.insert(name, format!("first {i}"));
            }
            env.set("V001", "again".to_string(), EnvOrigin::Given);
            reference.insert("V001".to_string(), "again".to_string());
            env.remove("V002");
            reference.remove("V002");
            assert!(!env.set_default("V000", "no".to_string(), EnvOrigin::Given));
            let got: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            let want: Vec<(String, String)> = reference.clone().into_iter().collect();
            assert_eq!(got, want, "{n} variables");
            for (k, v) in &reference {
                assert_eq!(env.value(k), Some(v.as_str()));
            }
            assert_eq!(env.get("V002"), None);
        }
    }

    #[test]
    fn substitutes_and_escapes() {
        let e = env(&[("TOKEN", "abc"), ("EMPTY", "")]);
        let r = substitute("x-${TOKEN}-$${TOKEN}-${lower}-${EMPTY}-${NOPE}", &e);
        assert_eq!(r.value, "x-abc-${TOKEN}-${lower}-${EMPTY}-${NOPE}");
        assert_eq!(r.used, vec!["TOKEN"]);
        assert_eq!(r.missing, vec!["EMPTY", "NOPE"]);
    }

    #[test]
    fn lone_dollars_and_unclosed_stay() {
        let r = substitute("$ $$ ${ ${A", &Env::new());
        assert_eq!(r.value, "$ $$ ${ ${A");
        assert!(r.missing.is_empty());
    }

    #[test]
    fn multibyte_text_is_kept() {
        let r = substitute("ç${A}é", &env(&[("A", "ü")]));
        assert_eq!(r.value, "çüé");
    }

    fn tree(text: &str) -> Node {
        let doc = crate::load::json5::parse(text).unwrap();
        Node::from_json5(doc.root, crate::source::FileId(0))
    }

    /// A tree no other holds is substituted in place; the same tree shared (another clone
    /// held) is copied on the path to each change: both give the same tree and problems, with
    /// variables set, missing and escaped, nested in objects and arrays, and past the budget
    /// (a 12 MiB value substituted three times: the third string and every later one stay).
    #[test]
    fn substitution_in_place_gives_what_the_copying_walk_gives() {
        let text = r#"{ a: "${TOKEN}", b: [1, "x${TOKEN}y", { c: "${MISSING}", d: "$${TOKEN}" }],
            e: { f: { g: "${BIG}" }, h: ["${BIG}", "${BIG}", "${TOKEN}"] }, i: "plain" }"#;
        let big = "b".repeat(12 * 1024 * 1024);
        let e = env(&[("TOKEN", "tok"), ("BIG", big.as_str())]);
        let (mut unique, mut unique_problems) = (tree(text), Vec::new());
        substitute_tree(&mut unique, &e, &mut unique_problems);
        let held = tree(text);
        let (mut shared, mut shared_problems) = (held.clone(), Vec::new());
        substitute_tree(&mut shared, &e, &mut shared_problems);
        assert_eq!(unique, shared);
        assert_eq!(unique_problems, shared_problems);
        assert_eq!(unique.get("a").and_then(Node::as_str), Some("tok"));
        let h = unique.at(&["e", "h"]).unwrap().elements();
        assert_eq!(h[1].as_str(), Some("${BIG}"), "past the budget: as written");
        assert_eq!(h[2].as_str(), Some("${TOKEN}"), "and every later string");
        let kinds: Vec<ProblemKind> = unique_problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::MissingEnvVar, ProblemKind::Budget]);
    }

    /// A large `$`-free container is walked once per run; one with a `${VAR}` is substituted
    /// for each gateway with that gateway's environment; both give what a fresh walk gives.
    #[test]
    fn plain_containers_are_skipped_and_the_rest_substituted_per_gateway() {
        let mut text = String::from("{ plain: {");
        for i in 0..20 {
            text.push_str(&format!(" K{i}: \"v{i}\","));
        }
        text.push_str(" }, vars: [");
        for i in 0..20 {
            text.push_str(&format!(" \"x{i}\","));
        }
        text.push_str(" \"${TOKEN}\", \"${MISSING}\" ] }");
        let shared = tree(&text);
        let mut run = Substitutions::default();
        for token in ["one", "two"] {
            let e = env(&[("TOKEN", token)]);
            let (mut fresh, mut fresh_problems) = (shared.clone(), Vec::new());
            substitute_tree(&mut fresh, &e, &mut fresh_problems);
            let (mut cached, mut problems) = (shared.clone(), Vec::new());
            substitute_tree_with(&mut cached, &e, &mut problems, &mut run);
            assert_eq!(cached, fresh);
            assert_eq!(problems, fresh_problems);
            assert_eq!(problems.len(), 1, "the missing variable, for each gateway");
            assert_eq!(
                cached.at(&["vars"]).unwrap().elements()[20].as_str(),
                Some(token)
            );
        }
        assert_eq!(run.len(), 1, "only `plain` has no `$`");
    }
}
