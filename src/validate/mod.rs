//! Will it start? A gateway's effective config (after `$include` and `${VAR}`) checked against
//! the JSON Schema of the OpenClaw release that runs it, plus the checks OpenClaw makes beyond
//! the schema, and what a starting gateway does with each problem: repair it (rewriting the
//! file) or refuse to start.
//!
//! Pure: it takes the loaded tree and returns issues; rules turn them into findings.

pub mod check;
pub mod compiled;
pub mod defaults;
mod dotted;
pub mod extra;
pub mod legacy;
pub mod migrations;
pub mod models;
mod pattern;
pub mod releases;
pub mod repair;
pub mod retired;
pub mod schema;
mod shape;
mod spans;
pub mod trimmed;

use crate::load::tree::Node;
use crate::source::Loc;
use schema::{ReleaseSchema, Sub};

/// One step of a path into the config.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for Seg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A dotted path as segments, a number an index (`agents.list.0.model`): the tests' way of
/// writing one.
#[cfg(test)]
pub(crate) fn dotted_path(text: &str) -> Vec<Seg> {
    text.split('.')
        .map(|k| match k.parse() {
            Ok(i) => Seg::Index(i),
            Err(_) => Seg::Key(k.to_string()),
        })
        .collect()
}

/// OpenClaw's way of writing a path: segments joined with dots.
pub fn path_string(path: &[Seg]) -> String {
    path.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// [`path_string`] as a message may print it: a key that looks like a secret, or is too long
/// to read, as `redact::shown_key` shows it.
pub fn shown_path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match seg {
            Seg::Key(k) => out.push_str(&crate::redact::shown_key(k)),
            Seg::Index(n) => out.push_str(&n.to_string()),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueKind {
    /// Wrong JSON type.
    Type,
    /// Not the constant or not one of the enum's values.
    Value,
    /// No branch of a union accepts it.
    Union,
    /// A required member is missing.
    Required,
    /// A record key its key schema rejects.
    Key,
    /// Rejected for another reason (a `false` schema, `not`).
    Invalid,
    /// A key the (strict) object does not know.
    UnknownKey,
    /// A number outside its range.
    Range,
    /// Too short or too long (strings, arrays, objects).
    Length,
    /// A string that does not match its pattern or format.
    Pattern,
    /// One of OpenClaw's checks beyond the schema.
    Refinement,
    /// A legacy-config rule of a release up to 2026.3.31 ([`legacy`]): checked before the
    /// schema, and when one matches, the only issues reported.
    Legacy,
}

impl IssueKind {
    /// Whether zod stops at this issue (no refinements of the enclosing objects run).
    pub fn aborts(self) -> bool {
        matches!(
            self,
            IssueKind::Type
                | IssueKind::Value
                | IssueKind::Union
                | IssueKind::Required
                | IssueKind::Key
                | IssueKind::Invalid
        )
    }
}

/// What a starting gateway does about an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    /// The gateway refuses its config and does not start. `doctor_fixes` says what
    /// `openclaw doctor --fix` would do about this issue, when one of its migrations repairs it.
    Refuse { doctor_fixes: Option<String> },
    /// The gateway repairs it at start (and rewrites the file as JSON, without comments).
    /// `what` says what it does and the value it will then use.
    Repair { what: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub path: Vec<Seg>,
    pub kind: IssueKind,
    /// OpenClaw's message, as `config validate` prints it where clawlint knows it.
    pub message: String,
    /// Where it is: the key for an unknown key, the value otherwise (the object for a missing
    /// member), in the file that set it.
    pub loc: Loc,
    pub expected: Option<String>,
    /// For an unknown key, the key the object knows that it is likely a typo of. Found when the
    /// issue is made: an issue keeps no list of candidates (100,000 unknown keys each holding
    /// their object's known keys took 5 KB an issue).
    pub suggestion: Option<String>,
    pub note: Option<String>,
}

impl Issue {
    /// The path `openclaw config validate` prints: the object for an unknown key.
    pub fn report_path(&self) -> String {
        let p = match self.kind {
            IssueKind::UnknownKey => path_string(&self.path[..self.path.len().saturating_sub(1)]),
            _ => path_string(&self.path),
        };
        if p.is_empty() {
            "<root>".to_string()
        } else {
            p
        }
    }

    pub fn path_string(&self) -> String {
        path_string(&self.path)
    }

    /// [`Issue::path_string`] as a message may print it ([`shown_path_string`]).
    pub fn shown_path_string(&self) -> String {
        shown_path_string(&self.path)
    }
}

/// The least score a likely typo has (normalized Damerau-Levenshtein similarity).
const TYPO_SCORE: f64 = 0.7;

/// The closest candidate by edit distance, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if wrong.is_empty() {
        return None;
    }
    let lower = wrong.to_lowercase();
    let wrong_len = lower.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if lower.is_ascii() && c.is_ascii() && !near_in_letters(lower.as_bytes(), c.as_bytes()) {
            continue;
        }
        let candidate = c.to_lowercase();
        // The distance is at least the difference in length: a candidate that far cannot
        // score as a typo, and is not measured (a key of megabytes would cost seconds each).
        let len = candidate.chars().count();
        let longest = wrong_len.max(len) as f64;
        if wrong_len.abs_diff(len) as f64 > (1.0 - TYPO_SCORE) * longest {
            continue;
        }
        let score = if candidate == lower {
            1.0
        } else {
            crate::ports::allocate::work::add(1);
            strsim::normalized_damerau_levenshtein(&lower, &candidate)
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= TYPO_SCORE)
        .map(|(_, c)| c.to_string())
}

/// Whether ASCII `candidate` could score as a typo of `lower` (lower-case ASCII): the edit
/// distance is at least the difference in length, and at least the number of letters one has
/// that the other lacks (the bag distance: an edit changes one letter, a transposition none),
/// so a candidate past either bound is not measured. Unknown keys like `q000001` share no
/// letters with a schema's keys: 100,000 of them measured every key near their length.
fn near_in_letters(lower: &[u8], candidate: &[u8]) -> bool {
    let longest = lower.len().max(candidate.len()) as f64;
    let most = (1.0 - TYPO_SCORE) * longest;
    if lower.len().abs_diff(candidate.len()) as f64 > most {
        return false;
    }
    let mut counts = [0i32; 128];
    for &b in lower {
        counts[usize::from(b)] += 1;
    }
    for &b in candidate {
        counts[usize::from(b.to_ascii_lowercase())] -= 1;
    }
    let (extra, missing) = counts.iter().fold((0, 0), |(extra, missing), &n| {
        (extra + n.max(0), missing + (-n).max(0))
    });
    extra.max(missing) as f64 <= most
}

/// The span of an object's opening brace (where a missing member is reported).
pub fn open_brace(node: &Node) -> Loc {
    let mut loc = node.loc;
    let start = loc.span.start();
    loc.span = crate::source::Span::new(start, (start + 1).min(loc.span.end()));
    loc
}

/// The verdict on one gateway's config for one release.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub release: String,
    /// Every issue, each with what a starting gateway does about it.
    pub issues: Vec<(Issue, StartOutcome)>,
    /// Whether the gateway starts (possibly after repairing and rewriting its file).
    pub starts: bool,
    /// Problems OpenClaw checks only once the ones above pass (channel blocks, then the
    /// checks on the parsed config): `config validate` does not print them yet, but the
    /// gateway refuses for them too.
    pub later: Vec<(Issue, StartOutcome)>,
    /// Problems the config read of the release migrates in memory (2026.3.31's legacy
    /// migrations, [`legacy`]): `config validate` accepts the config, and the gateway's start
    /// runs the same migrations and rewrites the file.
    pub migrated: Vec<(Issue, StartOutcome)>,
    /// What else the start's repair changes, in words: keys the config holds and this release
    /// accepts that its migrations rewrite too ([`also_changed`]). Empty unless it repairs.
    pub also_changed: Vec<String>,
}

impl Verdict {
    pub fn valid(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Validates a loaded config tree against a release's schema. `single_file` is false when the
/// config used `$include` (OpenClaw repairs only single-file configs at start). `None` when no
/// schema is recorded for that release.
pub fn validate(root: &Node, release: &str, single_file: bool) -> Option<Verdict> {
    validate_running(root, release, release, single_file)
}

/// [`validate`] against the schema of `release` (a recorded one) for a gateway that `running`
/// runs: what its start does about the issues is `running`'s (its own migrations: a January
/// release before 2026.1.30 is checked against 2026.1.30's schema, the oldest recorded; a
/// `--target-version` release between recorded ones against the nearest older schema).
pub fn validate_running(
    root: &Node,
    release: &str,
    running: &str,
    single_file: bool,
) -> Option<Verdict> {
    let table = schema::table();
    let ReleaseSchema::Root(root_schema) = table.release(release)? else {
        return None;
    };
    let phases = phases(root, release, *root_schema);
    let n = phases.first.len();
    let mut all = phases.first;
    all.extend(phases.later);
    let behaviour = repair::Behaviour::of(running);
    // The gateway starts when the migrations repair every problem, including those
    // `config validate` reports only later.
    let mut verdict = repair::classify(root, running, &behaviour, all, single_file);
    verdict.release = release.to_string();
    verdict.later = verdict.issues.split_off(n);
    apply_legacy_rules(root, running, &behaviour, &mut verdict);
    apply_read_migrations(&behaviour, &mut verdict);
    if behaviour.start_guard.is_some() && verdict.starts && !verdict.issues.is_empty() {
        verdict.also_changed = also_changed(root, running, &verdict.issues);
    }
    Some(verdict)
}

/// The most keys [`also_changed`] lists: the rest of a large config is not walked.
const MAX_ALSO_CHANGED: usize = 16;

/// Keys of the config, none at or below an issue, that the release's migrations change: the
/// start guard, once it repairs anything, runs every migration on the whole config and writes
/// the result (recorded: 2026.9.6 repairing saymetristan/clawdbot's
/// `gateway.controlUi.allowInsecureAuth` also removed its valid
/// `gateway.controlUi.dangerouslyDisableDeviceAuth`, which alone it keeps). Only what the core
/// migration table knows ([`migrations::planned_core_in`]: a channel plugin's effect is not
/// known value by value); seeded defaults and model renames are not.
fn also_changed(root: &Node, release: &str, issues: &[(Issue, StartOutcome)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk_changed(root, root, release, issues, &mut path, &mut out);
    out
}

fn walk_changed(
    root: &Node,
    node: &Node,
    release: &str,
    issues: &[(Issue, StartOutcome)],
    path: &mut Vec<Seg>,
    out: &mut Vec<String>,
) {
    let Some(children) = children(node) else {
        return;
    };
    for (seg, child) in children {
        if out.len() >= MAX_ALSO_CHANGED || path.len() >= 8 {
            return;
        }
        path.push(seg);
        // At or below an issue: the issue says it. Above one: only its other members count.
        let below_issue = issues.iter().any(|(i, _)| path.starts_with(&i.path));
        let above_issue = issues.iter().any(|(i, _)| i.path.starts_with(path));
        if above_issue && !below_issue {
            walk_changed(root, child, release, issues, path, out);
        } else if !below_issue {
            match migrations::planned_core_in(release, path, Some(child), root) {
                Some(planned) => out.push(planned.words()),
                None => walk_changed(root, child, release, issues, path, out),
            }
        }
        path.pop();
    }
}

/// The last release whose config read fails on a `${VAR}` it cannot resolve, before it
/// validates anything: `MissingEnvVarError`, one issue at the root ("Missing env var \"X\"
/// referenced at config path: a.b"; 2026.2.26 io `readConfigFileSnapshot`). From 2026.3.31 the
/// read keeps the placeholder (`onMissing`) and validates it as written. Recorded:
/// tests/validity/verdicts/2026.2.26.json rw-port-env-string.
const MISSING_ENV_FAILS_READ_UNTIL: &str = "2026.2.26";

/// The verdict of a release whose config read fails on a missing `${VAR}` (see
/// [`MISSING_ENV_FAILS_READ_UNTIL`]): `missing` are the loader's missing variables in
/// substitution order, each with the string that names it. `None` when the release validates
/// anyway or nothing is missing.
pub fn missing_env_verdict(
    root: &Node,
    schema_release: &str,
    running: &str,
    missing: &[(&str, Loc)],
) -> Option<Verdict> {
    let (name, loc) = missing.first()?;
    if releases::compare(running, MISSING_ENV_FAILS_READ_UNTIL).is_gt() {
        return None;
    }
    let at = path_of(root, *loc)
        .map(|p| path_string(&p))
        .unwrap_or_default();
    let issue = Issue {
        path: Vec::new(),
        kind: IssueKind::Refinement,
        message: format!("Missing env var \"{name}\" referenced at config path: {at}"),
        loc: *loc,
        expected: None,
        suggestion: None,
        note: None,
    };
    Some(Verdict {
        release: schema_release.to_string(),
        issues: vec![(issue, StartOutcome::Refuse { doctor_fixes: None })],
        starts: false,
        later: Vec::new(),
        migrated: Vec::new(),
        also_changed: Vec::new(),
    })
}

/// A node's members or items with the path segment of each; `None` for a scalar.
pub(crate) fn children(node: &Node) -> Option<Vec<(Seg, &Node)>> {
    use crate::load::tree::Value;
    match &node.value {
        Value::Object(members) => Some(
            members
                .iter()
                .map(|m| (Seg::Key(m.key.to_string()), &m.value))
                .collect(),
        ),
        Value::Array(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| (Seg::Index(i), n))
                .collect(),
        ),
        _ => None,
    }
}

/// The path of the node at `loc` in the tree (depth first).
fn path_of(node: &Node, loc: Loc) -> Option<Vec<Seg>> {
    if node.loc == loc {
        return Some(Vec::new());
    }
    children(node)?.into_iter().find_map(|(seg, child)| {
        let mut rest = path_of(child, loc)?;
        rest.insert(0, seg);
        Some(rest)
    })
}

/// What the config read of the running release does before it validates, in memory, the file
/// left as it is: 2026.4.29 runs its legacy migrations on every config
/// (`resolveLegacyConfigForRead` -> `applyRuntimeLegacyConfigMigrations`), and 2026.4.29 to
/// 2026.7.35 leave plugin install records out (`plugins.installs`,
/// `migrateAndStripShippedPluginInstallConfigRecords`). An issue at a key the read migrates
/// (one the release's migration table repairs) or strips is not reported: it moves to
/// `migrated`, and what stays decides (`config validate` then reports the next phase's issues
/// when the first phase's are all migrated). Recorded: tests/validity/verdicts/2026.4.29.json
/// (old-heartbeat-top-level valid; old-heartbeat-and-unknown reports gateway.bindd alone).
fn apply_read_migrations(running: &repair::Behaviour, verdict: &mut Verdict) {
    let migrates = running.read_migrates;
    let strips = running.read_strips_install_records;
    if !migrates && !strips {
        return;
    }
    let at_read = |(issue, outcome): &(Issue, StartOutcome)| {
        let install_record = matches!(issue.path.as_slice(),
            [Seg::Key(p), Seg::Key(i), ..] if p == "plugins" && i == "installs");
        let migrated = matches!(
            outcome,
            StartOutcome::Refuse {
                doctor_fixes: Some(_)
            }
        );
        (strips && install_record) || (migrates && migrated)
    };
    let (migrated, issues): (Vec<_>, Vec<_>) = std::mem::take(&mut verdict.issues)
        .into_iter()
        .partition(at_read);
    let (migrated_later, later): (Vec<_>, Vec<_>) = std::mem::take(&mut verdict.later)
        .into_iter()
        .partition(at_read);
    if migrated.is_empty() && migrated_later.is_empty() {
        verdict.issues = issues;
        verdict.later = later;
        return;
    }
    verdict
        .migrated
        .extend(migrated.into_iter().chain(migrated_later));
    (verdict.issues, verdict.later) = if issues.is_empty() {
        (later, Vec::new())
    } else {
        (issues, later)
    };
    verdict.starts = verdict.issues.is_empty() && verdict.later.is_empty();
}

/// The legacy-config rules of the running release (up to 2026.3.31; [`legacy`]). When one
/// matches, `validateConfigObjectRaw` reports only the rules that matched, unless the config
/// read migrated first: 2026.3.31 migrates in memory when a rule matches on a value of the
/// main file (`resolveLegacyConfigForRead`) and uses the result when it validates (then
/// `config validate` accepts the config; the start migrates too and rewrites the file).
/// Recorded: tests/validity/verdicts/2026.3.31.json (old-heartbeat-top-level valid,
/// old-heartbeat-and-unknown reports `heartbeat` alone).
fn apply_legacy_rules(
    root: &Node,
    running: &str,
    behaviour: &repair::Behaviour,
    verdict: &mut Verdict,
) {
    let flagged = legacy::flagged(root, running);
    if flagged.is_empty() {
        return;
    }
    let read_migrates = behaviour.migrates_merged_config && flagged.iter().any(|f| f.in_source);
    if read_migrates && verdict.starts {
        verdict.migrated = std::mem::take(&mut verdict.issues);
        verdict.migrated.append(&mut verdict.later);
        return;
    }
    // What doctor does about the key, as the schema issue at the same path says.
    let fix = |o: StartOutcome| match o {
        StartOutcome::Refuse { doctor_fixes } => doctor_fixes,
        StartOutcome::Repair { what } => Some(what),
    };
    let schema: Vec<(Issue, Option<String>)> = std::mem::take(&mut verdict.issues)
        .into_iter()
        .chain(std::mem::take(&mut verdict.later))
        .map(|(i, o)| (i, fix(o)))
        .collect();
    verdict.issues = flagged
        .into_iter()
        .map(|f| {
            let doctor_fixes = schema
                .iter()
                .find(|(i, _)| i.path == f.issue.path)
                .and_then(|(_, d)| d.clone());
            (f.issue, StartOutcome::Refuse { doctor_fixes })
        })
        .collect();
    // The schema's issues come only once the legacy keys are gone.
    verdict.later = schema
        .into_iter()
        .filter(|(i, _)| !verdict.issues.iter().any(|(l, _)| l.path == i.path))
        .map(|(i, doctor_fixes)| (i, StartOutcome::Refuse { doctor_fixes }))
        .collect();
    verdict.starts = false;
}

/// The issues of each of OpenClaw's validation phases: `first` is what
/// `openclaw config validate` prints; `later` what it would print once those are fixed.
pub struct Phases {
    pub first: Vec<Issue>,
    pub later: Vec<Issue>,
}

pub fn phases(root: &Node, release: &str, root_schema: Sub) -> Phases {
    let table = schema::table();
    let checker = check::Checker::new(table);
    let facts = ReleaseFacts::of(&checker, root_schema, release);
    let keyed_roster = facts.keyed_roster;
    let normalized = keyed_roster.then(|| extra::normalize(root)).flatten();
    let root = normalized.as_deref().unwrap_or(root);
    let mut all = Vec::new();
    // One shape for the schema's plan and the trimmed strings' (see `shape`).
    let shape = check::CheckMemo::installed()
        .then(|| shape::Shape::of(root_schema, root))
        .flatten();
    checker.check_shaped(root_schema, root, &[], shape.as_ref(), &mut all);
    trimmed::issues_shaped(root, release, shape.as_ref(), &mut all);
    let (mut channels, mut out): (Vec<Issue>, Vec<Issue>) =
        all.into_iter().partition(is_channel_issue);
    if facts.core_channels_only {
        // The core channels' blocks are part of the one schema parse: their issues come with
        // the rest of the schema's, and other channels' blocks are not checked.
        out.extend(channels.drain(..).filter(is_core_channel_issue));
    }
    let codex_declares = |server: &str, k: &str| {
        let path = ["mcp", "servers", server, "codex", k].map(|s| Seg::Key(s.to_string()));
        checker.at_path(root_schema, &path).is_some()
    };
    extra::refinements(root, release, keyed_roster, &codex_declares, &mut out);
    channels.extend(extra::unknown_channels(root, facts.channels, table));
    let after = extra::after_schema(root, release);
    let mut groups = vec![out, channels, after]
        .into_iter()
        .filter(|g| !g.is_empty());
    let first = groups.next().unwrap_or_default();
    let later = groups.flatten().collect();
    Phases { first, later }
}

/// What [`phases`] asks of a release's root schema, the same for every gateway of that
/// release: found once per thread and (root schema, release), not walked again per gateway.
#[derive(Clone, Copy)]
struct ReleaseFacts {
    /// The release has the keyed roster (`agents.entries`, 2026.8 on); before it,
    /// `agents.list` is the roster and nothing is normalized.
    keyed_roster: bool,
    /// Only the core channels' blocks are checked, with the rest of the schema
    /// ([`CORE_CHANNELS_ONLY_UNTIL`]).
    core_channels_only: bool,
    /// The schema of `channels`.
    channels: Option<Sub>,
}

/// At most this many (root schema, release) answers are remembered per thread (a layout names
/// a few releases, but it may name any number).
const RELEASE_FACTS_MAX: usize = 64;

impl ReleaseFacts {
    fn of(checker: &check::Checker, root_schema: Sub, release: &str) -> ReleaseFacts {
        type Memo = Vec<(Sub, Box<str>, ReleaseFacts)>;
        thread_local! {
            static MEMO: std::cell::RefCell<Memo> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let known = MEMO.with_borrow(|memo| {
            memo.iter()
                .find(|(s, r, _)| *s == root_schema && **r == *release)
                .map(|(_, _, facts)| *facts)
        });
        known.unwrap_or_else(|| {
            let key = |k: &str| Seg::Key(k.to_string());
            let facts = ReleaseFacts {
                keyed_roster: checker
                    .at_path(root_schema, &[key("agents"), key("entries")])
                    .is_some(),
                core_channels_only: releases::compare(release, CORE_CHANNELS_ONLY_UNTIL).is_le(),
                channels: checker.at_path(root_schema, &[key("channels")]),
            };
            MEMO.with_borrow_mut(|memo| {
                if memo.len() >= RELEASE_FACTS_MAX {
                    memo.clear();
                }
                memo.push((root_schema, release.into(), facts));
            });
            facts
        })
    }
}

/// The issues `openclaw config validate` reports, in OpenClaw's order of checks: the schema
/// with its refinements first; only when that passes, the channel blocks; then the checks
/// made on the parsed config.
pub fn issues(root: &Node, release: &str, root_schema: Sub) -> Vec<Issue> {
    phases(root, release, root_schema).first
}

/// The last release whose config read checks only the channel blocks its core schema knows
/// (2026.1.30's and 2026.2.26's `ChannelsSchema` members, 2026.3.31's
/// `directChannelRuntimeSchemas`: the ten of [`CORE_CHANNELS`]), and checks them in the same
/// `OpenClawSchema.safeParse` as the rest of the config (members, or 2026.3.31's `channels`
/// transform), so that their issues come with the others'. No channel plugin's manifest has
/// `channelConfigs` yet, so every other channel's block (feishu, matrix, line, ...) passes
/// unchecked (`validateConfigObjectWithPlugins` skips a channel without a schema), though
/// `config schema` prints the plugins' schemas for them. From 2026.4.29 the manifests carry
/// them and every known channel's block is checked once the rest passes. Recorded:
/// tests/validity/verdicts/2026.3.31.json mig-feishu-bot-name (valid);
/// mut-unknown-core-and-core-channel-keys (both issues up to 2026.3.31, one from 2026.4.29).
const CORE_CHANNELS_ONLY_UNTIL: &str = "2026.3.31";

/// The channels the core schema of 2026.2.26 and 2026.3.31 checks (see
/// [`CORE_CHANNELS_ONLY_UNTIL`]); 2026.1.30's are these but `irc`, which it does not know (its
/// schema passes a `channels.irc` block through unchecked, and the id is unknown).
const CORE_CHANNELS: &[&str] = &[
    "bluebubbles",
    "discord",
    "googlechat",
    "imessage",
    "irc",
    "msteams",
    "signal",
    "slack",
    "telegram",
    "whatsapp",
];

/// An issue inside the block of a channel the core schema checks ([`CORE_CHANNELS`]).
fn is_core_channel_issue(i: &Issue) -> bool {
    matches!(i.path.as_slice(), [_, Seg::Key(id), ..] if CORE_CHANNELS.contains(&id.as_str()))
}

/// An issue inside one channel's block (`channels.<id>…`, not `channels.defaults`).
pub(crate) fn is_channel_issue(i: &Issue) -> bool {
    matches!(i.path.as_slice(), [Seg::Key(c), Seg::Key(id), ..]
        if c == "channels" && id != "defaults" && id != "modelByChannel")
}

/// Whether a config is more than one file: its main file names an `$include` (every include,
/// nested or not, starts there; one that failed counts too, as in OpenClaw's
/// `containsConfigIncludeDirective`). OpenClaw repairs only single-file configs at start.
pub fn uses_include(sources: &crate::source::SourceMap, main: crate::source::FileId) -> bool {
    sources.file(main).text.contains("$include")
}

pub use uses_include as uses_include_below;

/// What clawlint knows about a gateway's config validity.
#[derive(Debug, Clone, PartialEq)]
pub struct Validity {
    /// The release that runs the gateway, and where that came from; `None` when unknown.
    pub release: Option<crate::resolve::Sourced<String>>,
    /// The recorded release whose schema the config was checked against (one of the table's).
    pub checked_against: &'static str,
    pub verdict: Verdict,
    /// The verdict of the release `--target-version` names, when asked and not the release
    /// that runs (boxed: rare, and inline a second verdict in every gateway). Its `release` is
    /// the named release (checked against `releases::schema_for` it).
    pub target: Option<Box<Verdict>>,
}

/// Options of the validation step.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--openclaw-version` or `openclaw_version` in clawlint.toml: the release every gateway
    /// runs, over what the layout shows.
    pub release: Option<crate::resolve::Sourced<String>>,
    /// `--target-version`: the release the host upgrades to.
    pub target: Option<String>,
}

/// Checks a gateway's config against the schema of its release (and of the target release,
/// when asked). `None` for a gateway without a usable config: a missing config runs on
/// defaults, an unreadable or unparsable one is reported by the loader. The start verdict
/// built from this is `crate::resolve::verdict`'s.
pub fn validity(inst: &crate::resolve::Instance, options: &Options) -> Option<Validity> {
    let root = inst.config_root.as_ref()?;
    let release = options.release.clone().or_else(|| inst.release.clone());
    let checked_against = match &release {
        Some(r) => releases::schema_for(&r.value),
        None => releases::newest(),
    };
    let single = !inst.config_uses_include;
    // The release that runs the gateway decides what its start migrates; a release between
    // recorded ones has the migrations of the newest entry not newer than it.
    let running = release
        .as_ref()
        .map_or(checked_against, |r| r.value.as_str());
    // The variables the loader could not resolve, in substitution order, by name.
    let missing: Vec<(&str, Loc)> = inst
        .problems
        .iter()
        .filter(|p| p.kind == crate::load::ProblemKind::MissingEnvVar)
        .filter_map(|p| Some((p.message.split('"').nth(1)?, p.loc?)))
        .collect();
    let verdict = match missing_env_verdict(root, checked_against, running, &missing) {
        Some(v) => v,
        None => validate_running(root, checked_against, running, single)?,
    };
    // The target is judged as the release it names (its start behaviour: the token write of
    // 2026.2.26 to 2026.4.29, the start guard from 2026.8.2), against the nearest recorded
    // schema: a host on 2026.2.26 upgrading to 2026.3.31 has one schema and two start
    // behaviours.
    let target = options
        .target
        .as_deref()
        .filter(|t| !releases::compare(t, running).is_eq())
        .and_then(|t| {
            let schema = releases::schema_for(t);
            let mut verdict = match missing_env_verdict(root, schema, t, &missing) {
                Some(v) => v,
                None => validate_running(root, schema, t, single)?,
            };
            verdict.release = t.to_string();
            Some(Box::new(verdict))
        });
    Some(Validity {
        release,
        checked_against,
        verdict,
        target,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A did-you-mean measures only candidates that could score as a typo: a key of megabytes
    /// (a hostile-input fuzzer's, 17 s of CPU in a release build) measures none, nor does a key
    /// of other letters (100,000 unknown keys `q000001`... each measured every near-length key).
    #[test]
    fn did_you_mean_measures_only_candidates_near_in_length() {
        use crate::ports::allocate::work;
        let candidates = ["webhookSecret", "webhookUrl", "botToken", "enabled"];
        let before = work::done();
        assert_eq!(
            did_you_mean("webhokSecret", candidates).as_deref(),
            Some("webhookSecret")
        );
        assert!(work::done() > before, "a near key is measured");
        // A key of other letters than any candidate's measures none of them.
        let before = work::done();
        assert_eq!(
            did_you_mean("q000001", ["botToken", "enabled", "webhook"]),
            None
        );
        assert_eq!(work::done(), before, "no candidate shares its letters");
        let huge = format!("web{}hookSecret", "A".repeat(100_000));
        let before = work::done();
        assert_eq!(did_you_mean(&huge, candidates), None);
        assert_eq!(work::done(), before, "no candidate is near its length");
    }

    fn verdict(text: &str) -> Verdict {
        let doc = crate::load::json5::parse(text).unwrap();
        let root = Node::from_json5(doc.root, crate::source::FileId(0));
        validate(&root, "2026.9.6", true).unwrap()
    }

    /// A key only a channel plugin's migration acts on is repaired where the release rejects
    /// it (beside a core repair the gateway starts: tests/validity/started/2026.9.6.json
    /// mig-signal-cli-path-and-core), and a valid channel block the repair passes through is not
    /// said to change with it (discord's migration leaves a `streaming` object as it is).
    #[test]
    fn channel_plugin_repairs_and_what_else_changes() {
        let v = verdict(
            r#"{"gateway": {"tailscale": {"mode": "off", "resetOnExit": false}},
                "channels": {"signal": {"enabled": false, "account": "+15550100003", "cliPath": "signal-cli"},
                             "discord": {"enabled": false, "streaming": {"mode": "partial"}}}}"#,
        );
        assert!(v.starts, "{v:?}");
        assert!(v.also_changed.is_empty(), "{:?}", v.also_changed);
        let repaired: Vec<String> = v
            .issues
            .iter()
            .chain(&v.later)
            .map(|(i, _)| path_string(&i.path))
            .collect();
        assert!(
            repaired.iter().any(|p| p == "channels.signal.cliPath"),
            "{repaired:?}"
        );
    }
}
