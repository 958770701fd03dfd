//! What each OpenClaw release's legacy doctor migrations (`LEGACY_CONFIG_MIGRATIONS`, the list
//! `openclaw doctor --fix` runs, and from 2026.8 the gateway's start guard) do to the config keys
//! they act on: move a value to its new key, remove a retired key, or rewrite it. The table is
//! generated from OpenClaw's own code by `scripts/extract-migrations.mjs`, which probes every key
//! the recorded schemas know (and the keys the migrations' ids name) through the release's
//! migrations, into `data/doctor-migrations.json`, which build.rs compiles in. This is the one
//! table of moves: refresh it with that script, never by hand (tests/migrations.rs checks it
//! against the installed releases).

use super::dotted::{made_once, DottedIndex};
use super::spans::{List, Span};
use super::Seg;
use crate::load::tree::{Node, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// What the migrations do to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The value goes to `to[0]` and the key is deleted.
    Move,
    /// The key is deleted; the built-in default applies.
    Remove,
    /// The key is replaced or changed; `to` lists the keys written instead (maybe none).
    Rewrite,
}

/// A value that triggers an effect (when not every value does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    Str(Span),
    Num(f64),
    Bool(bool),
    Null,
    /// Any string not listed otherwise.
    OtherString,
}

/// What the whole migration list does to a config holding one key. Pointer-free, like the
/// whole table (see [`super::spans`]): `TEXT` holds its strings, `ITEMS` its lists of strings.
#[derive(Debug)]
pub struct Effect {
    from: Span,
    pub kind: Kind,
    to: List,
    when: List,
    needs: Span,
    by: List,
}

impl Effect {
    /// The key, from the config root (`*`: any key or index).
    pub fn from(&self) -> &'static str {
        self.from.of(TEXT)
    }

    /// The keys written instead.
    pub fn to(&self) -> Strs {
        Strs(self.to)
    }

    /// The values that trigger it; empty when every value does.
    pub fn when(&self) -> &'static [When] {
        self.when.of(WHENS)
    }

    /// What else the probe that saw it held (other keys, values inside a list), in words; empty
    /// for a probe of the key alone. Such an effect is used for start verdicts only where its
    /// context is one clawlint checks exactly in the config (`needs_hold`); the others are
    /// listed, not used.
    pub fn needs(&self) -> &'static str {
        self.needs.of(TEXT)
    }

    /// The migrations that changed the config, in order (ids).
    pub fn by(&self) -> Strs {
        Strs(self.by)
    }
}

/// A list of strings of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strs(List);

impl Strs {
    pub fn iter(self) -> impl ExactSizeIterator<Item = &'static str> + Clone {
        self.0.of(ITEMS).iter().map(|s| s.of(TEXT))
    }

    pub fn first(self) -> Option<&'static str> {
        self.iter().next()
    }

    pub fn len(self) -> usize {
        self.0.len()
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }
}

/// The gateway's start guard (`automatic-startup-config-repair`), which runs the migrations
/// when the gateway starts on an invalid single-file config.
#[derive(Debug, Clone, Copy)]
pub struct StartGuard {
    /// Whether it first strips plugin install records (`plugins.installs`), as doctor does.
    pub strips_install_records: bool,
}

/// One release's migrations (from it on, until the next entry).
#[derive(Debug)]
pub struct Release {
    since: Span,
    /// `None` when the release's gateway repairs nothing at start.
    pub start_guard: Option<StartGuard>,
    /// Whether the release's gateway start itself runs these migrations on a config its legacy
    /// rules flag, and rewrites the file when the result validates (`migrateLegacyConfig` in
    /// `startGatewayServer`, 2026.1.30 to 2026.3.31, before the start guard existed).
    pub legacy_start: bool,
    /// Whether the release's config read (`config validate` and every gateway start) runs
    /// these migrations in memory on every config and validates the result, leaving the file
    /// as it is (`resolveLegacyConfigForRead` -> `applyRuntimeLegacyConfigMigrations`,
    /// 2026.4.29): a key they migrate is accepted.
    pub read_migrates: bool,
    /// Whether the release's config read validates the config without its plugin install
    /// records (`plugins.installs`, `migrateAndStripShippedPluginInstallConfigRecords`).
    pub read_strips_install_records: bool,
    migrations: List,
    /// The ids of `migrations`, sorted (spans in `ITEMS`), for [`has`].
    ids: List,
    effects: List,
    /// What the channel plugins' own doctor migrations do (data/channel-doctor-migrations.json,
    /// scripts/extract-channel-migrations.mjs): the start repair runs them after `migrations`
    /// (`applyLegacyDoctorMigrations` -> `applyChannelDoctorCompatibilityMigrations`), for
    /// every channel the config has a block for, enabled or not. Their `by` is the channel.
    channel_effects: List,
}

impl Release {
    pub fn since(&self) -> &'static str {
        self.since.of(TEXT)
    }

    /// `(id, describe)` of every migration, in the order OpenClaw runs them.
    pub fn migrations(
        &self,
    ) -> impl ExactSizeIterator<Item = (&'static str, &'static str)> + Clone {
        self.migrations
            .of(MIGRATIONS)
            .iter()
            .map(|(id, describe)| (id.of(TEXT), describe.of(TEXT)))
    }

    pub fn effects(&self) -> &'static [Effect] {
        self.effects.of(EFFECTS)
    }

    /// The channel plugins' doctor migrations' effects (see [`Release::channel_effects`]).
    pub fn channel_effects(&self) -> &'static [Effect] {
        self.channel_effects.of(EFFECTS)
    }
}

include!(concat!(env!("OUT_DIR"), "/doctor_migrations.rs"));

/// The entry for a release: the newest one not newer than it. `None` before the first and for
/// an empty entry (a release whose migrations could not be read).
pub fn for_release(release: &str) -> Option<&'static Release> {
    super::releases::newest_not_newer(TABLE, |r| r.since(), release)
        .filter(|r| !r.migrations.is_empty())
}

/// Whether the release's gateway start runs the legacy migrations itself (see
/// [`Release::legacy_start`]).
pub fn legacy_start(release: &str) -> bool {
    for_release(release).is_some_and(|r| r.legacy_start)
}

/// Whether the release's config read migrates every config in memory before validating it
/// (see [`Release::read_migrates`]).
pub fn read_migrates(release: &str) -> bool {
    for_release(release).is_some_and(|r| r.read_migrates)
}

/// Whether the release's config read leaves `plugins.installs` out of what it validates (see
/// [`Release::read_strips_install_records`]).
pub fn read_strips_install_records(release: &str) -> bool {
    for_release(release).is_some_and(|r| r.read_strips_install_records)
}

/// The start guard of a release, when its gateway has one.
pub fn start_guard(release: &str) -> Option<StartGuard> {
    for_release(release).and_then(|r| r.start_guard)
}

/// Whether the release's migration list has the migration `id`: asked per gateway, of lists
/// of about a hundred ids, so it is a binary search of the ids build.rs sorted.
pub fn has(release: &str, id: &str) -> bool {
    for_release(release).is_some_and(|r| {
        r.ids
            .of(ITEMS)
            .binary_search_by(|m| m.of(TEXT).cmp(id))
            .is_ok()
    })
}

/// A migration's change to one concrete key of a config.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub kind: Kind,
    /// The key as the config has it (dotted).
    pub from: String,
    /// Where the value or its replacement goes (dotted; `<id>` where an agent's id goes).
    pub to: Vec<String>,
    /// What the first migration says it does.
    pub describe: &'static str,
    pub by: Strs,
    /// For a block: what the migrations do to each member (all of them are handled).
    pub parts: Vec<Planned>,
    /// The channel whose plugin's own doctor migration does it (not a core migration).
    pub plugin: Option<&'static str>,
}

impl Planned {
    /// In words, after "at start OpenClaw" / "`openclaw doctor --fix`".
    pub fn words(&self) -> String {
        if !self.parts.is_empty() {
            return self
                .parts
                .iter()
                .map(Planned::words)
                .collect::<Vec<_>>()
                .join("; ");
        }
        // Who does it: a channel plugin's own migration is named; a core rewrite says which
        // migration, but a release that does not export its migrations one by one (2026.2.26,
        // 2026.3.31: one entry, `applyLegacyMigrations`) has no description of its own to show.
        let (why, by) = match self.plugin {
            Some(channel) => (
                String::new(),
                format!(", by the {channel} channel plugin's own doctor migration"),
            ),
            None if self.by.iter().eq(["applyLegacyMigrations"]) => {
                (" (a legacy config migration)".to_string(), String::new())
            }
            None => (format!(" ({})", self.describe), String::new()),
        };
        match self.kind {
            Kind::Move => format!(
                "moves {} to {}{by}",
                self.from,
                self.to.first().map(String::as_str).unwrap_or("?")
            ),
            Kind::Remove => format!(
                "removes the retired {}{by}; the built-in default applies",
                self.from
            ),
            Kind::Rewrite if self.to.is_empty() => format!("rewrites {}{why}{by}", self.from),
            Kind::Rewrite => format!(
                "replaces {} with {}{why}{by}",
                self.from,
                self.to.join(", ")
            ),
        }
    }
}

/// The segments a pattern's `*`s matched, when it matches `path` exactly (`Some`) and, for a
/// prefix match, how many segments it took.
fn matches(pattern: &str, path: &[Seg]) -> Option<(Vec<Seg>, usize)> {
    let mut wild = Vec::new();
    let mut n = 0;
    for p in pattern.split('.') {
        let seg = path.get(n)?;
        if p == "*" {
            wild.push(seg.clone());
        } else if !matches!(seg, Seg::Key(k) if k == p) {
            return None;
        }
        n += 1;
    }
    Some((wild, n))
}

fn value_matches(when: &[When], node: Option<&Node>) -> bool {
    if when.is_empty() {
        return true;
    }
    let Some(node) = node else { return false };
    when.iter().any(|w| match (w, &node.value) {
        (When::Str(s), Value::String(v)) => s.of(TEXT) == v,
        (When::Num(n), Value::Number(v)) => n == v,
        (When::Bool(b), Value::Bool(v)) => b == v,
        (When::Null, Value::Null) => true,
        (When::OtherString, Value::String(v)) => !when
            .iter()
            .any(|o| matches!(o, When::Str(s) if s.of(TEXT) == v)),
        _ => false,
    })
}

/// Fills a target pattern's `*`s with what the source's matched (an array index, which the
/// roster migration turns into the agent's id, as `<id>`), then appends the rest of the path.
fn fill(to: &str, wild: &[Seg], rest: &[Seg]) -> String {
    let mut wild = wild.iter();
    let mut out: Vec<String> = to
        .split('.')
        .map(|p| {
            if p != "*" {
                return p.to_string();
            }
            match wild.next() {
                Some(Seg::Key(k)) => k.clone(),
                Some(Seg::Index(_)) | None => "<id>".to_string(),
            }
        })
        .collect();
    out.extend(rest.iter().map(ToString::to_string));
    out.join(".")
}

/// What the release's migrations do to a block none of whose effects names it: each of its
/// members, when the migrations handle every one (`tools.web.x_search` with only `apiKey`).
pub fn planned_block(release: &str, path: &[Seg], node: &Node) -> Option<Planned> {
    let Value::Object(members) = &node.value else {
        return None;
    };
    if members.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for m in members.iter() {
        let mut p = path.to_vec();
        p.push(Seg::Key(m.key.to_string()));
        let part = planned(release, &p, Some(&m.value))
            .or_else(|| planned_block(release, &p, &m.value))?;
        parts.push(part);
    }
    let first = parts.first()?;
    Some(Planned {
        kind: first.kind,
        from: super::path_string(path),
        to: parts.iter().flat_map(|p| p.to.clone()).collect(),
        describe: first.describe,
        by: first.by,
        plugin: first.plugin,
        parts,
    })
}

/// The first value below `node` that a migration rewrites (an issue OpenClaw reports at the
/// enclosing union, `bindings.0`, for a `match.peer.kind` of `"dm"`).
pub fn planned_below(release: &str, path: &[Seg], node: &Node) -> Option<Planned> {
    super::children(node)?.into_iter().find_map(|(seg, child)| {
        let mut p = path.to_vec();
        p.push(seg);
        planned(release, &p, Some(child))
            .filter(|e| e.kind != Kind::Move || !e.to.is_empty())
            .or_else(|| planned_below(release, &p, child))
    })
}

/// What the release's migrations do to the key at `path` (with its value `node`): an effect on
/// the key itself, else on the block it sits in (a block moved or removed whole).
pub fn planned(release: &str, path: &[Seg], node: Option<&Node>) -> Option<Planned> {
    planned_by(release, path, node, &|_, _| false, true)
}

/// [`planned`], also taking the effects whose context (`needs`) is one clawlint checks exactly
/// in the config `root` ([`needs_hold`]).
pub fn planned_in(
    release: &str,
    path: &[Seg],
    node: Option<&Node>,
    root: &Node,
) -> Option<Planned> {
    planned_in_root(release, path, node, root, true)
}

/// [`planned_in`] with the core migrations alone, for keys the release accepts: a channel
/// plugin's effect is probed with a value of every type the key ever had, and one that every
/// scalar probe triggered stands for any value (a valid `channels.discord.streaming` object,
/// which discord's migration leaves as it is, included), so it is used only for keys the
/// release rejects.
pub fn planned_core_in(
    release: &str,
    path: &[Seg],
    node: Option<&Node>,
    root: &Node,
) -> Option<Planned> {
    planned_in_root(release, path, node, root, false)
}

/// [`planned_in`], with the channel plugins' migrations or without them.
fn planned_in_root(
    release: &str,
    path: &[Seg],
    node: Option<&Node>,
    root: &Node,
    channels: bool,
) -> Option<Planned> {
    let accept = |needs: &str, path: &[Seg]| needs_hold(needs, path, root);
    planned_by(release, path, node, &accept, channels)
}

/// Whether the context an effect needs (its `needs`, in the extractor's words) holds for the
/// key at `path` of `root`. Only the contexts checked exactly are known; any other is `false`
/// (the effect is listed, not used):
/// - "a model with an id": a `models.providers.<p>.models.<i>.compat.<k>` key whose model
///   entry has a non-blank string `id` (the catalog/dead `compat` overrides 2026.8.2 on remove:
///   `models.providers.*.models.*.compat->provider-catalog`; recorded: the start guard of
///   2026.9.6 repairs mig-model-compat-dead-override).
fn needs_hold(needs: &str, path: &[Seg], root: &Node) -> bool {
    match needs {
        "a model with an id" => {
            let [Seg::Key(m), Seg::Key(p), _, Seg::Key(ms), Seg::Index(i), Seg::Key(c), _] = path
            else {
                return false;
            };
            if m != "models" || p != "providers" || ms != "models" || c != "compat" {
                return false;
            }
            let model = path[..4]
                .iter()
                .try_fold(root, |n, s| match s {
                    Seg::Key(k) => n.get(k),
                    Seg::Index(_) => None,
                })
                .and_then(|models| match &models.value {
                    Value::Array(items) => items.get(*i),
                    _ => None,
                });
            model
                .and_then(|m| m.get("id"))
                .and_then(Node::as_str)
                .is_some_and(|id| !id.trim_matches(crate::paths::is_js_whitespace).is_empty())
        }
        _ => false,
    }
}

/// The effect of `effects` on the key at `path`: one on the key itself (a move says the most, a
/// removal the least), else one on the block it sits in (moved or removed whole, any value).
fn found_in(
    effects: &'static [Effect],
    path: &[Seg],
    node: Option<&Node>,
    accept: &dyn Fn(&str, &[Seg]) -> bool,
) -> Option<&'static Effect> {
    let effects = ByKey::of(effects).candidates(path);
    let exact = |e: &&Effect| {
        (e.needs().is_empty() || accept(e.needs(), path))
            && matches(e.from(), path).is_some_and(|(_, n)| n == path.len())
            && value_matches(e.when(), node)
    };
    let rank = |e: &&Effect| match e.kind {
        Kind::Move => 0,
        Kind::Rewrite => 1,
        Kind::Remove => 2,
    };
    effects
        .iter()
        .copied()
        .filter(exact)
        .min_by_key(rank)
        .or_else(|| {
            effects
                .iter()
                .copied()
                .filter(|e| e.when().is_empty() && e.needs().is_empty() && e.kind != Kind::Rewrite)
                .filter(|e| matches(e.from(), path).is_some_and(|(_, n)| n < path.len()))
                .max_by_key(|e| e.from().len())
        })
}

/// One effect list's effects by the segments of their keys ([`DottedIndex`]), so that a key
/// is compared only with the effects that can match it: a config of 100,000 unknown keys
/// compared each with every effect of the core and channel tables (found by a hostile-input
/// audit), then with every effect under its first key.
struct ByKey(DottedIndex<&'static Effect>);

impl ByKey {
    /// The index of a list of the compiled table, made once per run.
    fn of(effects: &'static [Effect]) -> &'static ByKey {
        static MADE: OnceLock<Mutex<HashMap<(usize, usize), &'static ByKey>>> = OnceLock::new();
        let at = (effects.as_ptr() as usize, effects.len());
        made_once(&MADE, at, || {
            ByKey(DottedIndex::new(effects.iter().map(|e| (e.from(), e))))
        })
    }

    /// The effects that may match `path` (whole, or a key below theirs), in the list's order
    /// (which decides ties).
    fn candidates(&self, path: &[Seg]) -> Vec<&'static Effect> {
        let mut out = Vec::new();
        self.0.covering(path, &mut out);
        // One list's effects are contiguous: their addresses are their order.
        out.sort_by_key(|e| *e as *const Effect as usize);
        out
    }
}

fn planned_by(
    release: &str,
    path: &[Seg],
    node: Option<&Node>,
    accept: &dyn Fn(&str, &[Seg]) -> bool,
    channels: bool,
) -> Option<Planned> {
    let r = for_release(release)?;
    // The core migrations run first; a key none of them acts on may be one a channel plugin's
    // own migration does (they run after, on what the core ones left).
    let (found, plugin) = found_in(r.effects(), path, node, accept)
        .map(|e| (e, false))
        .or_else(|| {
            let effects = if channels { r.channel_effects() } else { &[] };
            found_in(effects, path, node, accept).map(|e| (e, true))
        })?;
    let (wild, n) = matches(found.from(), path)?;
    let (head, rest) = path.split_at(n);
    let to = match found.kind {
        Kind::Move => found.to().iter().map(|t| fill(t, &wild, rest)).collect(),
        _ => found.to().iter().map(|t| fill(t, &wild, &[])).collect(),
    };
    let describe = found
        .by()
        .first()
        .filter(|_| !plugin)
        .and_then(|id| r.migrations().find(|(m, _)| *m == id))
        .map(|(_, d)| d)
        .unwrap_or("");
    let mut to: Vec<String> = to;
    to.dedup();
    Some(Planned {
        kind: found.kind,
        from: super::path_string(if found.kind == Kind::Move { head } else { path }),
        to,
        describe,
        by: found.by(),
        parts: Vec::new(),
        plugin: if plugin { found.by().first() } else { None },
    })
    .map(|mut p| {
        // A key inside a moved block: say the whole move, ending at the key.
        if p.kind == Kind::Move && !rest.is_empty() {
            p.from = super::path_string(path);
        }
        p
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::dotted_path as path;
    use crate::validate::releases::compare;

    /// A key is compared only with the effects whose key covers it: an unknown key under
    /// `agents.defaults` with none of the effects under `agents` (a config of 100,000 such keys
    /// compared each with all of them), and a migrated key with its own effect among the few.
    #[test]
    fn a_key_is_compared_only_with_the_effects_that_cover_it() {
        let r = for_release("2026.9.6").expect("recorded");
        let under_agents = (r.effects().iter())
            .filter(|e| e.from().starts_with("agents."))
            .count();
        assert!(under_agents > 1, "the table moves keys under agents");
        for list in [r.effects(), r.channel_effects()] {
            let candidates = ByKey::of(list).candidates(&path("agents.defaults.q000001"));
            for e in &candidates {
                assert!(
                    matches(e.from(), &path("agents.defaults.q000001")).is_some(),
                    "{}",
                    e.from()
                );
            }
            assert!(candidates.len() < under_agents, "{}", candidates.len());
        }
        let moved = r.effects()[0].from();
        // Its key with each `*` filled in.
        let filled = path(&moved.replace('*', "x"));
        let candidates = ByKey::of(r.effects()).candidates(&filled);
        assert!(
            candidates.iter().any(|e| std::ptr::eq(*e, &r.effects()[0])),
            "{moved}"
        );
    }

    #[test]
    fn has_finds_exactly_each_releases_ids() {
        for r in TABLE.iter().filter(|r| !r.migrations.is_empty()) {
            assert_eq!(r.ids.len(), r.migrations.len(), "{}", r.since());
            for (id, _) in r.migrations() {
                assert!(has(r.since(), id), "{} {id}", r.since());
                assert!(!has(r.since(), &format!("{id}x")), "{} {id}x", r.since());
            }
            assert!(!has(r.since(), ""));
        }
    }

    fn words(release: &str, p: &str) -> Option<String> {
        planned(release, &path(p), None).map(|p| p.words())
    }

    /// The pointer-free table build.rs writes holds exactly what data/doctor-migrations.json
    /// says: every release, migration, effect and `when` value, in order.
    #[test]
    fn the_table_is_the_data_file() {
        use serde_json::Value as J;
        let doc: J =
            serde_json::from_str(include_str!("../../data/doctor-migrations.json")).unwrap();
        let releases = doc["releases"].as_object().unwrap();
        let strs = |v: &J| -> Vec<String> {
            match v {
                J::Null => Vec::new(),
                J::String(s) => vec![s.clone()],
                J::Array(items) => items
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
                other => panic!("{other}"),
            }
        };
        let when_json = |v: &J| match v {
            J::String(s) if s == "*" => "OtherString".to_string(),
            J::String(s) => format!("Str({s:?})"),
            J::Number(n) => format!("Num({:?})", n.as_f64().unwrap()),
            J::Bool(b) => format!("Bool({b})"),
            J::Null => "Null".to_string(),
            other => panic!("{other}"),
        };
        let when_table = |w: &When| match w {
            When::OtherString => "OtherString".to_string(),
            When::Str(s) => format!("Str({:?})", s.of(TEXT)),
            When::Num(n) => format!("Num({n:?})"),
            When::Bool(b) => format!("Bool({b})"),
            When::Null => "Null".to_string(),
        };
        assert_eq!(TABLE.len(), releases.len());
        for r in TABLE {
            let entry = &releases[r.since()];
            let migrations: Vec<(&str, &str)> = entry["migrations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["id"].as_str().unwrap(),
                        m["describe"].as_str().unwrap_or(""),
                    )
                })
                .collect();
            assert_eq!(r.migrations().collect::<Vec<_>>(), migrations);
            assert_eq!(
                r.legacy_start,
                entry["legacyStart"].as_bool().unwrap_or(false)
            );
            assert_eq!(
                r.start_guard.map(|g| g.strips_install_records),
                entry["startGuard"]["stripsPluginInstallRecords"].as_bool()
            );
            let effects = entry["effects"].as_array().unwrap();
            assert_eq!(r.effects().len(), effects.len(), "{}", r.since());
            for (e, want) in r.effects().iter().zip(effects) {
                assert_eq!(e.from(), want["from"].as_str().unwrap());
                assert_eq!(
                    format!("{:?}", e.kind).to_lowercase(),
                    want["kind"].as_str().unwrap()
                );
                assert_eq!(e.to().iter().collect::<Vec<_>>(), strs(&want["to"]));
                assert_eq!(e.by().iter().collect::<Vec<_>>(), strs(&want["by"]));
                assert_eq!(e.needs(), want["needs"].as_str().unwrap_or(""));
                assert_eq!(
                    e.when().iter().map(when_table).collect::<Vec<_>>(),
                    want["when"]
                        .as_array()
                        .map(|w| w.iter().map(when_json).collect::<Vec<_>>())
                        .unwrap_or_default()
                );
            }
        }
    }

    #[test]
    fn moves_are_moves() {
        assert_eq!(
            words("2026.9.6", "agents.defaults.memorySearch").as_deref(),
            Some("moves agents.defaults.memorySearch to memory.search")
        );
        assert_eq!(
            words("2026.9.6", "session.typingMode").as_deref(),
            Some("moves session.typingMode to agents.defaults.typingMode")
        );
        assert_eq!(
            words(
                "2026.9.6",
                "channels.telegram.accounts.main.threadBindings.spawnAcpSessions"
            )
            .as_deref(),
            Some("moves channels.telegram.accounts.main.threadBindings.spawnAcpSessions to channels.telegram.accounts.main.threadBindings.spawnSessions")
        );
        // A key inside a moved block.
        assert_eq!(
            words("2026.9.6", "agents.defaults.memorySearch.provider").as_deref(),
            Some("moves agents.defaults.memorySearch.provider to memory.search.provider")
        );
    }

    #[test]
    fn removals_and_value_dependent_rewrites() {
        assert_eq!(
            words("2026.9.6", "browser.cdpPortRangeStart").as_deref(),
            Some("removes the retired browser.cdpPortRangeStart; the built-in default applies")
        );
        // A bind alias is rewritten only for the aliases the migration knows.
        let doc = crate::load::json5::parse(r#"{"a": "127.0.0.1", "b": "lan"}"#).unwrap();
        let root = crate::load::tree::Node::from_json5(doc.root, crate::source::FileId(0));
        let bind = path("gateway.bind");
        assert!(planned("2026.9.6", &bind, root.get("a")).is_some());
        assert!(planned("2026.9.6", &bind, root.get("b")).is_none());
    }

    #[test]
    fn a_context_is_used_only_where_it_holds() {
        let doc = crate::load::json5::parse(
            r#"{"models": {"providers": {"vllm": {"models": [
                {"id": "qwen3", "compat": {"nativeWebSearchTool": true}},
                {"compat": {"nativeWebSearchTool": true}}]}}}}"#,
        )
        .unwrap();
        let root = crate::load::tree::Node::from_json5(doc.root, crate::source::FileId(0));
        let with_id = path("models.providers.vllm.models.0.compat.nativeWebSearchTool");
        let without = path("models.providers.vllm.models.1.compat.nativeWebSearchTool");
        // Listed with its context ("a model with an id"): not used without the config.
        assert!(planned("2026.9.6", &with_id, None).is_none());
        assert_eq!(
            planned_in("2026.9.6", &with_id, None, &root).map(|p| p.kind),
            Some(Kind::Remove)
        );
        assert!(planned_in("2026.9.6", &without, None, &root).is_none());
    }

    /// The channel plugins' own doctor migrations (data/channel-doctor-migrations.json) are in
    /// the table from their release on, each effect as the file has it, after the core ones.
    #[test]
    fn the_channel_table_is_its_data_file() {
        use serde_json::Value as J;
        let doc: J =
            serde_json::from_str(include_str!("../../data/channel-doctor-migrations.json"))
                .unwrap();
        let since = doc["release"].as_str().unwrap();
        let effects = doc["effects"].as_array().unwrap();
        for r in TABLE {
            if compare(r.since(), since).is_lt() {
                assert!(r.channel_effects().is_empty(), "{}", r.since());
                continue;
            }
            assert_eq!(r.channel_effects().len(), effects.len(), "{}", r.since());
            for (e, want) in r.channel_effects().iter().zip(effects) {
                assert_eq!(e.from(), want["from"].as_str().unwrap());
                assert_eq!(
                    format!("{:?}", e.kind).to_lowercase(),
                    want["kind"].as_str().unwrap()
                );
                assert_eq!(
                    e.by().iter().collect::<Vec<_>>(),
                    vec![want["by"][0].as_str().unwrap()]
                );
                assert_eq!(e.when().len(), want["when"].as_array().map_or(0, Vec::len));
            }
        }
    }

    /// A key only a channel plugin's own migration acts on (signal's retired transport keys,
    /// moved into `transport` by `normalizeCompatibilityConfig`; recorded: a started 2026.9.6
    /// gateway repairs mig-signal-cli-path-and-core) is planned, and says whose migration it is;
    /// a key a core migration acts on stays the core one's.
    #[test]
    fn channel_plugin_migrations() {
        assert_eq!(
            words("2026.9.6", "channels.signal.cliPath").as_deref(),
            Some("moves channels.signal.cliPath to channels.signal.transport.cliPath, by the signal channel plugin's own doctor migration")
        );
        assert_eq!(
            words("2026.9.6", "channels.signal.accounts.work.cliPath").as_deref(),
            Some("moves channels.signal.accounts.work.cliPath to channels.signal.accounts.work.transport.cliPath, by the signal channel plugin's own doctor migration")
        );
        let p = planned("2026.9.6", &path("channels.signal.receiveMode"), None).unwrap();
        assert_eq!((p.kind, p.plugin), (Kind::Remove, Some("signal")));
        // Core first: the telegram key the core list moves is the core migration's.
        let core = planned("2026.9.6", &path("channels.telegram.requireMention"), None).unwrap();
        assert_eq!(core.plugin, None);
        // Not for keys the release accepts (the also-changed walk): the core table alone.
        let doc = crate::load::json5::parse(r#"{"cliPath": "signal-cli"}"#).unwrap();
        let root = crate::load::tree::Node::from_json5(doc.root, crate::source::FileId(0));
        let cli = path("channels.signal.cliPath");
        assert!(planned_core_in("2026.9.6", &cli, root.get("cliPath"), &root).is_none());
        assert!(planned_in("2026.9.6", &cli, root.get("cliPath"), &root).is_some());
        // Not before the release they were extracted from.
        assert!(words("2026.8.2", "channels.signal.cliPath").is_none());
    }

    #[test]
    fn per_release() {
        // 2026.4.29's config read runs its migrations in memory (one entry); later releases'
        // reads do not, and 2026.4.29 to 2026.7.35 leave plugin install records out.
        assert!(read_migrates("2026.4.29") && !read_migrates("2026.5.28"));
        assert!(!read_migrates("2026.3.31") && !read_migrates("2026.9.6"));
        assert!(read_strips_install_records("2026.7.35"));
        assert!(
            !read_strips_install_records("2026.8.2") && !read_strips_install_records("2026.3.31")
        );
        assert_eq!(
            words("2026.4.29", "heartbeat").as_deref(),
            Some("moves heartbeat to agents.defaults.heartbeat")
        );
        // Up to 2026.3.31 the gateway start migrates legacy keys itself.
        assert!(legacy_start("2026.3.31") && legacy_start("2026.1.30"));
        assert!(!legacy_start("2026.4.29") && !legacy_start("2026.9.6"));
        assert_eq!(
            words("2026.3.31", "heartbeat").as_deref(),
            Some("moves heartbeat to agents.defaults.heartbeat")
        );
        assert_eq!(
            for_release("2026.9.6").map(|r| r.migrations().len()),
            Some(82)
        );
        assert_eq!(
            for_release("2026.8.5").map(|r| r.migrations().len()),
            Some(72)
        );
        assert!(TABLE
            .windows(2)
            .all(|w| compare(w[0].since(), w[1].since()).is_lt()));
        // A key 2026.9.6 moves that 2026.5.28 knows nothing of.
        assert!(words("2026.9.6", "mcp.servers.x.workingDirectory").is_some());
    }
}
