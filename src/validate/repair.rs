//! What a starting gateway does with an invalid config. OpenClaw 2026.9.6's start guard
//! (`resolveStartupConfigSnapshot`, automatic-startup-config-repair-*.mjs) runs the legacy
//! doctor migrations on a *single-file* config (no `$include`) and starts when the result
//! validates, rewriting the file as JSON (comments and formatting lost). Otherwise the gateway
//! refuses to start ("Invalid config"). The migrations clawlint knows are listed here (the
//! retired keys, generated from OpenClaw's code, in [`super::retired`]); an issue no migration
//! repairs makes the gateway refuse. After the core migrations the start repair runs the channel
//! plugins' own (`applyChannelDoctorCompatibilityMigrations`, for every channel block, enabled or
//! not; [`super::migrations`]' channel effects): signal's `channels.signal.cliPath` beside a core
//! key is repaired and the gateway starts (tests/validity/started/2026.9.6.json
//! mig-signal-cli-path-and-core, -no-account-, -plugin-off-). Not modelled: an enabled channel
//! whose plugin 2026.9.6 does not bundle is installed from npm at start; where that fails
//! (offline), its doctor migrations are deferred and its block is neither migrated nor checked,
//! and the gateway starts whatever it holds (tests/validity/started/unrecorded.json
//! mig-signal-cli-path-enabled).

use super::{Issue, IssueKind, Seg, StartOutcome, Verdict};
use crate::load::tree::{Lookups, Node, Value};

/// What the start-time migrations do about one issue, if one of them repairs it.
fn repair<'a>(
    root: &'a Node,
    release: &str,
    behaviour: &Behaviour,
    issue: &Issue,
    members: &mut Lookups<'a>,
) -> Option<String> {
    // The repairs below are those of the start guard's era (2026.8 on); a release whose start
    // or config read runs its own legacy migrations (up to 2026.4.29) has only what its table
    // says.
    if behaviour.legacy_start || behaviour.read_migrates {
        return from_table(root, release, issue, members);
    }
    let path = &issue.path;
    match (issue.kind, path.as_slice()) {
        (IssueKind::UnknownKey, [Seg::Key(env), Seg::Key(k)]) if env == "env" => {
            root.at(&["env", k])?.as_str()?;
            Some(match root.at(&["env", "vars", k]) {
                Some(_) => {
                    format!("removes env.{k} (env.vars.{k} is already set and is the value used)")
                }
                None => format!("moves env.{k} into env.vars.{k} and uses its value"),
            })
        }
        (IssueKind::Range | IssueKind::Type, [Seg::Key(g), Seg::Key(p)])
            if g == "gateway" && p == "port" =>
        {
            let n = root.at(&["gateway", "port"])?.as_f64()?;
            (n.is_nan() || !(1.0..=65535.0).contains(&n)).then(|| {
                "removes the out-of-range gateway.port and uses the port it would use without it".to_string()
            })
        }
        (IssueKind::UnknownKey, [Seg::Key(a), Seg::Key(d), Seg::Key(m)])
            if a == "agents" && d == "defaults" && m == "memorySearch" =>
        {
            Some("moves agents.defaults.memorySearch to memory.search".into())
        }
        (IssueKind::UnknownKey, [Seg::Key(c), Seg::Key(id), Seg::Key(k)])
            if c == "channels" && k == "streamMode" =>
        {
            let mode = root
                .at(&["channels", id, "streamMode"])
                .and_then(Node::as_str)
                .unwrap_or("?");
            let id = crate::redact::shown_key(id);
            Some(format!(
                "moves channels.{id}.streamMode to channels.{id}.streaming.mode ({})",
                crate::redact::shown_quoted(crate::redact::Kind::Word, mode)
            ))
        }
        (IssueKind::Refinement, [Seg::Key(t), Seg::Key(w), Seg::Key(s), Seg::Key(k)])
            if t == "tools" && w == "web" && s == "search" && k == "apiKey" =>
        {
            let provider = root
                .at(&["tools", "web", "search", "provider"])
                .and_then(Node::as_str)
                .map_or("<provider>".into(), crate::redact::shown_key);
            // The provider becomes a key of plugins.entries: shown as a key is.
            Some(format!("moves tools.web.search.apiKey to plugins.entries.{provider}.config.webSearch.apiKey"))
        }
        (IssueKind::Union | IssueKind::Value, [Seg::Key(g), Seg::Key(b)])
            if g == "gateway" && b == "bind" =>
        {
            (root.at(&["gateway", "bind"])?.as_str()? == "127.0.0.1").then(|| {
                "replaces gateway.bind \"127.0.0.1\" with \"loopback\" (the same address)"
                    .to_string()
            })
        }
        (IssueKind::Refinement, [Seg::Key(a), Seg::Key(o)])
            if a == "agents"
                && o == "ownership"
                && issue.message.starts_with("multi-agent rosters")
                && super::migrations::has(release, "runtime.agents-explicit-ownership") =>
        {
            Some("stamps the multi-agent roster with agents.ownership=\"explicit\"".into())
        }
        _ => from_table(root, release, issue, members),
    }
}

/// What the release's own migration table (data/doctor-migrations.json) and retired keys say
/// the migrations do to the issue's key.
fn from_table<'a>(
    root: &'a Node,
    release: &str,
    issue: &Issue,
    members: &mut Lookups<'a>,
) -> Option<String> {
    let path = &issue.path;
    // What the release's own migrations do to this key (data/doctor-migrations.json):
    // a move says where the value goes; a removal or rewrite says so.
    let node = path.iter().try_fold(root, |n, seg| match (seg, &n.value) {
        (Seg::Key(k), _) => members.get(n, k),
        (Seg::Index(i), Value::Array(items)) => items.get(*i),
        _ => None,
    });
    use super::migrations::{planned_below, planned_block, planned_in, Kind};
    let found = planned_in(release, path, node, root).or_else(|| {
        let node = node?;
        match issue.kind {
            // An unknown block whose every member a migration handles.
            IssueKind::UnknownKey => planned_block(release, path, node),
            // A union or value OpenClaw rejects because of a value below it.
            IssueKind::Union | IssueKind::Value => planned_below(release, path, node),
            _ => None,
        }
    });
    if let Some(p) = found {
        // An unknown key the migrations only rewrite in place stays unknown.
        let gone = p.kind != Kind::Rewrite || !p.to.is_empty() || !p.parts.is_empty();
        if (issue.kind != IssueKind::UnknownKey || gone) && lands_valid(release, &p, node) {
            return Some(p.words());
        }
    }
    (issue.kind == IssueKind::UnknownKey && super::retired::is_retired(release, path)).then(|| {
        format!(
            "removes the retired {}; the built-in default applies",
            super::path_string(path)
        )
    })
}

/// Whether a moved value is one the release accepts where it lands (a move whose value the
/// new key rejects leaves the config invalid: the start refuses, as with
/// `agents.defaults.embeddedPi: { enabled: true }`, whose `embeddedAgent` has no `enabled`).
fn lands_valid(release: &str, p: &super::migrations::Planned, node: Option<&Node>) -> bool {
    if p.kind != super::migrations::Kind::Move || !p.parts.is_empty() {
        return true;
    }
    let (Some(node), Some(to)) = (node, p.to.first()) else {
        return true;
    };
    if to.contains('<') {
        return true;
    }
    let table = super::schema::table();
    let Some(super::schema::ReleaseSchema::Root(root)) =
        table.release(super::releases::schema_for(release))
    else {
        return true;
    };
    let checker = super::check::Checker::new(table);
    let segs: Vec<Seg> = to.split('.').map(|k| Seg::Key(k.to_string())).collect();
    let Some(sub) = checker.at_path(*root, &segs) else {
        return true;
    };
    let mut out = Vec::new();
    checker.check(sub, node, &segs, &mut out);
    out.is_empty()
}

/// Why a started gateway refuses a config whose only problems are inside channel blocks
/// (`channels.<id>…`), even those its start guard would repair: from 2026.9.6 the pre-bootstrap
/// read of `gateway run` (pre-bootstrap-*.mjs `readGuardedGatewayRunConfig`) validates with
/// `pluginValidation: "core-only"` (an empty plugin manifest registry), so the channel plugins'
/// checks do not run and the config looks valid: nothing is repaired. The server start then
/// reads it with the plugins, finds it invalid, and refuses (exit 1, "Refusing to run automatic
/// gateway startup migrations because the selected config changed during startup (config
/// validity changed)"); where no migration applies it refuses with exit 78 instead
/// (rw-telegram-typo). With a problem outside the channel blocks, the first read sees it, the
/// start repair runs every migration and the gateway starts
/// (mig-telegram-require-mention-and-core). 2026.8.2's pre-bootstrap read validates with the
/// plugins, repairs and starts. Recorded with started 2026.9.6 and 2026.8.2 gateways
/// (tests/validity/started: rw-telegram-stream-mode, rw-railway-telegram-lan,
/// mig-telegram-require-mention, mig-feishu-bot-name, mig-telegram-spawn-acp; a channel
/// plugin's own migration, which the start repair runs after the core ones: mig-signal-cli-path).
pub const CHANNEL_MIGRATION_REFUSED: &str = "a started OpenClaw gateway of this release checks channel blocks only after its start repair has run (its first read validates the core schema alone), so it repairs nothing here and refuses to start (exit 1: \"the selected config changed during startup\"), because the config has no problem outside its channel blocks";

/// Whether an issue is inside a channel's own block (see [`CHANNEL_MIGRATION_REFUSED`]).
fn is_channel_block(issue: &Issue) -> bool {
    super::is_channel_issue(issue)
}

/// The last release whose `gateway run` migrates *legacy-rule* issues itself before validating
/// (`migrateLegacyConfig(configSnapshot.parsed)` in its gateway server start, 2026.1.30 to
/// 2026.3.31; `legacy_start` in data/doctor-migrations.json, read from each release's dist).
pub const LEGACY_START_MIGRATION_UNTIL: &str = "2026.3.31";

/// The note for a release of that era: what is modelled and what is not.
pub const LEGACY_START_MIGRATION: &str = "OpenClaw 2026.3.31 runs its legacy migrations when the gateway starts on a config its legacy rules flag (a config with $include is migrated in memory) and rewrites the file when the result validates; 2026.2.26 and older refuse such a config at start (`openclaw doctor --fix` migrates it); clawlint models this with the migrations extracted from each release and assumes every key a migration changes is one the legacy rules flag";

/// The first release whose config read migrates the MERGED config (after `$include`) in memory
/// when its legacy rules flag it (`readConfigFileSnapshot` -> `resolveLegacyConfigForRead`,
/// 2026.3.31's io-*.js), so that a config that uses `$include` starts, and whose `gateway run`
/// reaches the start's own migration at all: 2026.2.26's and 2026.1.30's read validate the
/// config as written, legacy issues included, and their `gateway run` refuses it before the
/// server start that would migrate it (exit 1, "Config invalid"). Recorded with started
/// gateways (tests/validity/started/2026.3.31.json: inc-legacy-heartbeat-main, -in-part,
/// -token; 2026.2.26.json and 2026.1.30.json: old-gateway-token, whose gateway.token their
/// migrations move, refused).
pub const LEGACY_READ_MIGRATION_SINCE: &str = "2026.3.31";

/// Whether the gateway of `release` starts a config with `$include` whose issues its legacy
/// migrations repair (see [`LEGACY_READ_MIGRATION_SINCE`]; up to 2026.3.31, whose successor
/// 2026.4.29 runs no migrations at start).
pub fn migrates_merged_config(release: &str) -> bool {
    super::migrations::legacy_start(release)
        && super::releases::compare(release, LEGACY_READ_MIGRATION_SINCE).is_ge()
}

/// What such a start does to a config with `$include`, after the migration's own words: it
/// migrates in memory, and writes the file only with the gateway token it generates.
pub const MERGED_CONFIG_REWRITE: &str = "; the config uses $include, so OpenClaw migrates the merged config in memory, and with the gateway token it generates at start (none is configured) it writes that migrated config into the main config file as one file, without its $include";

/// The releases whose gateway start, when no gateway token is configured, generates one and
/// writes it (with `gateway.auth.mode: "token"`) into the config file, rewriting it as JSON
/// (`ensureGatewayStartupAuth` with `persist: true`: 2026.2.26's and 2026.3.31's gateway-cli,
/// 2026.4.29's server.impl `persistStartupAuth ?? true`; 2026.1.30 generates none (see
/// [`TOKEN_REQUIRED_UNTIL`]), and from
/// 2026.5.28 it is `persistStartupAuth ?? false`: the token stays in memory). Recorded:
/// tests/validity/started/2026.3.31.json (rw-empty, old-heartbeat-agents-defaults rewritten
/// with a generated token; inc-legacy-heartbeat-token, whose token is configured, untouched).
const TOKEN_WRITE_SINCE: &str = "2026.2.26";
const TOKEN_WRITE_UNTIL: &str = "2026.4.29";

/// The last release whose gateway start generates no token: in token auth mode (the default)
/// without a configured token (and without Tailscale identity allowed instead), `gateway run`
/// exits 1 before it starts ("Gateway auth is set to token, but no token is configured";
/// 2026.1.30 cli/gateway-cli/run.js). Recorded: tests/validity/started/2026.1.30.json (rw-empty,
/// inc-valid-split, rw-port-out-of-range: exit 1).
const TOKEN_REQUIRED_UNTIL: &str = "2026.1.30";

/// Whether the gateway of `release` refuses to start in token mode without a configured token
/// (see [`TOKEN_REQUIRED_UNTIL`]).
pub fn requires_configured_token(release: &str) -> bool {
    super::releases::compare(release, TOKEN_REQUIRED_UNTIL).is_le()
}

/// Why such a gateway does not start (see [`TOKEN_REQUIRED_UNTIL`]).
pub const TOKEN_REQUIRED: &str = "no gateway token is configured (gateway.auth.token, OPENCLAW_GATEWAY_TOKEN) and the gateway's auth mode is \"token\": this release generates none, so the gateway exits 1 (\"Gateway auth is set to token, but no token is configured\")";

/// Whether the gateway of `release` writes the token it generates into the config file (see
/// [`TOKEN_WRITE_SINCE`]).
pub fn writes_token_at_start(release: &str) -> bool {
    use super::releases::compare;
    compare(release, TOKEN_WRITE_SINCE).is_ge() && compare(release, TOKEN_WRITE_UNTIL).is_le()
}

/// What the token write does to a config with `$include`, by release. 2026.2.26 to 2026.3.31
/// write the merged config (`writeConfigFile`: the patch applied to the snapshot's `resolved`,
/// its includes already merged) into the main file as one file, without its `$include`; the
/// included files stay, unused. 2026.4.29 keeps includes (`preserveUntouchedIncludes`), so its
/// write fails, and with it the start (exit 1, "Gateway failed to start"): an `$include` at the
/// root, at `gateway` or at `gateway.auth` owns the token's place ("Config write would flatten
/// $include-owned config at <root>"), and one elsewhere is written back as written, which its
/// own validation of the written config then refuses ("agents: Unrecognized key: \"$include\"").
/// Recorded with started gateways: tests/validity/started/2026.3.31.json and 2026.4.29.json
/// (inc-valid-split, inc-token-gateway-section, inc-token-gateway-section-and-key,
/// inc-token-other-section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludedTokenWrite {
    /// The main file is rewritten as the whole merged config, without `$include`.
    Flattens,
    /// The write fails, and the gateway does not start.
    Fails,
}

/// The first release whose config writes keep `$include` (see [`IncludedTokenWrite`]).
const INCLUDE_PRESERVING_WRITE_SINCE: &str = "2026.4.29";

/// What the token write of `release` does to a config with `$include` (`None`: the release
/// writes no token).
pub fn included_token_write(release: &str) -> Option<IncludedTokenWrite> {
    use super::releases::compare;
    writes_token_at_start(release).then(|| {
        if compare(release, INCLUDE_PRESERVING_WRITE_SINCE).is_ge() {
            IncludedTokenWrite::Fails
        } else {
            IncludedTokenWrite::Flattens
        }
    })
}

/// What a flattening token write does to a config with `$include`, after [`GENERATED_TOKEN_WRITE`].
pub const INCLUDED_CONFIG_FLATTENED: &str = "; the config uses $include, so it writes the whole merged config into the main config file as one file, without its $include (the included files stay, unused)";

/// Why a 2026.4.29 gateway with `$include` and no token does not start (see
/// [`IncludedTokenWrite::Fails`]).
pub const INCLUDED_TOKEN_WRITE_FAILS: &str = "no gateway token is configured (gateway.auth.token, OPENCLAW_GATEWAY_TOKEN), so at start this release generates one and writes it into the config file, and that write fails for a config that uses $include (\"Config write would flatten $include-owned config\", or its own check of the written file refuses the kept \"$include\"): the gateway exits 1 (\"Gateway failed to start\")";

/// What 2026.4.29's token write does to what its config read migrated in memory, after the
/// migration's own words: the migrated config is what it writes.
pub const READ_MIGRATION_WRITTEN: &str = " (the config read does this in memory at every start, and the write of the generated gateway token writes it into the file)";

/// What 2026.4.29 to 2026.7.35's config read does to plugin install records.
pub const INSTALL_RECORDS_MOVED: &str =
    "moves the plugin install records (plugins.installs) out of the config";

/// What such a start does, after "at start OpenClaw".
pub const GENERATED_TOKEN_WRITE: &str = "generates a random gateway token and writes it into gateway.auth.token (with gateway.auth.mode \"token\"), the token clients then need";

/// Why: no token is configured for the token auth the gateway runs with.
pub const NO_GATEWAY_TOKEN: &str = "no gateway token is configured (gateway.auth.token, OPENCLAW_GATEWAY_TOKEN) and the gateway's auth mode is \"token\"";

/// What the gateway of one release does at its config read and at start, as the functions of
/// this module and of [`super::migrations`] answer it. It is the same for every gateway that
/// runs the release, so it is found once per thread and release ([`Behaviour::of`]), not by
/// comparing releases again (a search of the migration table and about four release compares)
/// for every verdict.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// The release has a migration list (`openclaw doctor --fix` knows what it does).
    pub knows_migrations: bool,
    /// [`super::migrations::legacy_start`].
    pub legacy_start: bool,
    /// [`super::migrations::read_migrates`].
    pub read_migrates: bool,
    /// [`super::migrations::read_strips_install_records`].
    pub read_strips_install_records: bool,
    /// [`super::migrations::start_guard`].
    pub start_guard: Option<super::migrations::StartGuard>,
    /// [`migrates_merged_config`].
    pub migrates_merged_config: bool,
    /// [`requires_configured_token`].
    pub requires_configured_token: bool,
    /// [`included_token_write`].
    pub included_token_write: Option<IncludedTokenWrite>,
    /// [`checks_port_range`].
    pub checks_port_range: bool,
    /// The start refuses a config whose only problems are in channel blocks
    /// ([`CHANNEL_REFUSAL_SINCE`] on).
    pub refuses_channel_only: bool,
}

/// At most this many releases' behaviours are remembered per thread (a layout names a few
/// releases, but it may name any number).
const BEHAVIOUR_MEMO_MAX: usize = 64;

impl Behaviour {
    /// The behaviour of `release`'s gateway.
    pub fn of(release: &str) -> Behaviour {
        type Memo = Vec<(Box<str>, Behaviour)>;
        thread_local! {
            static MEMO: std::cell::RefCell<Memo> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let known = MEMO.with_borrow(|memo| {
            memo.iter()
                .find(|(r, _)| **r == *release)
                .map(|(_, behaviour)| *behaviour)
        });
        known.unwrap_or_else(|| {
            let behaviour = Behaviour::found(release);
            MEMO.with_borrow_mut(|memo| {
                if memo.len() >= BEHAVIOUR_MEMO_MAX {
                    memo.clear();
                }
                memo.push((release.into(), behaviour));
            });
            behaviour
        })
    }

    fn found(release: &str) -> Behaviour {
        use super::migrations;
        Behaviour {
            knows_migrations: migrations::for_release(release).is_some(),
            legacy_start: migrations::legacy_start(release),
            read_migrates: migrations::read_migrates(release),
            read_strips_install_records: migrations::read_strips_install_records(release),
            start_guard: migrations::start_guard(release),
            migrates_merged_config: migrates_merged_config(release),
            requires_configured_token: requires_configured_token(release),
            included_token_write: included_token_write(release),
            checks_port_range: checks_port_range(release),
            refuses_channel_only: super::releases::compare(release, CHANNEL_REFUSAL_SINCE).is_ge(),
        }
    }

    /// [`repairs_at_start`].
    pub fn repairs_at_start(&self) -> bool {
        self.start_guard.is_some()
    }
}

/// The first release whose gateway refuses an out-of-range `gateway.port` itself (its dist
/// has "Set gateway.port to a number from 1 to 65535"; 2026.4.29's does not).
const PORT_RANGE_CHECK_SINCE: &str = "2026.5.28";

/// Whether the gateway of `release` refuses an out-of-range `gateway.port` itself (see
/// [`PORT_RANGE_CHECK_SINCE`]).
pub fn checks_port_range(release: &str) -> bool {
    super::releases::compare(release, PORT_RANGE_CHECK_SINCE).is_ge()
}

/// Whether a release's gateway repairs its config at start: its dist has the start guard
/// (`resolveStartupConfigSnapshot`, automatic-startup-config-repair-*), from 2026.8.2 on; 2026.4.29
/// to 2026.7.35 assert the config valid and exit "Invalid config" (data/doctor-migrations.json
/// `startGuard`; recorded from started gateways: tests/validity/started/2026.8.2.json and
/// 2026.7.35.json).
pub fn repairs_at_start(release: &str) -> bool {
    // Not the legacy start migration of releases up to 2026.3.31 (`classify` models that from
    // their own migration table): what resolve knows of start repairs (the env shorthand, a
    // retired CDP key, an out-of-range port) is the start guard's.
    super::migrations::start_guard(release).is_some()
}

/// The first release whose pre-bootstrap read validates the core schema alone
/// (`CHANNEL_MIGRATION_REFUSED`): a started 2026.8.2 gateway repairs and starts
/// (tests/validity/started/2026.8.2.json: rw-telegram-stream-mode, rw-railway-telegram-lan,
/// mig-telegram-require-mention, mig-feishu-bot-name).
const CHANNEL_REFUSAL_SINCE: &str = "2026.9.6";

/// Why a started gateway of a release with a start guard but without the migration that stamps
/// `agents.ownership` (`runtime.agents-explicit-ownership`; 2026.8.2) refuses a config that needs
/// a repair when its multi-agent roster names its default agent with a `default: true` marker:
/// the config read (`readConfigFileSnapshot`, legacy.roster `materializeLegacyDefaultAgentRoles`)
/// turns the roster into `agents.entries` without the marker (setting
/// `agents.defaults.systemAgent.agentId` instead), the start guard migrates that, and the
/// result fails `multi-agent rosters require agents.ownership="explicit" or one legacy
/// default=true marker`, so `planAutomaticConfigRepair` plans nothing and the gateway refuses
/// with the original issues (exit 78). Recorded with started 2026.8.2 gateways
/// (tests/validity/started/2026.8.2.json: rw-multi-agent-list-2026-2, rw-roster-default-entries;
/// a single agent with the marker starts: rw-roster-default-single).
pub const ROSTER_MARKER_DROPPED: &str = "this release's gateway would repair this at start, but its config read drops the `default: true` marker of the multi-agent roster and no migration sets agents.ownership, so the repaired config fails `multi-agent rosters require agents.ownership` and the gateway refuses to start (exit 78); `openclaw doctor --fix` or `agents.ownership: \"explicit\"` (without the marker) avoids it";

/// Whether the start repair of `release` leaves this config's roster without an owner (see
/// [`ROSTER_MARKER_DROPPED`]): two or more agents (`agents.list` or `agents.entries`), one of
/// them marked `default: true`, and a release whose migrations never stamp ownership.
fn roster_marker_dropped(root: &Node, release: &str) -> bool {
    use crate::load::tree::Value;
    let marked = |n: &Node| n.get("default").and_then(Node::as_bool) == Some(true);
    // (agents, marked ones); the roster is looked at before the release's migrations (a
    // search of about a hundred ids), as most configs have fewer than two agents.
    let (agents, marked) = match root.at(&["agents", "list"]).map(|n| &n.value) {
        Some(Value::Array(items)) => (items.len(), items.iter().filter(|n| marked(n)).count()),
        _ => match root.at(&["agents", "entries"]).map(|n| &n.value) {
            Some(Value::Object(members)) => (
                members.len(),
                members.iter().filter(|m| marked(&m.value)).count(),
            ),
            _ => (0, 0),
        },
    };
    agents >= 2
        && marked == 1
        && !super::migrations::has(release, "runtime.agents-explicit-ownership")
}

/// Gives every issue its start outcome: when the gateway can repair all of them (and the
/// config is one file), each is repaired; otherwise the gateway refuses, and the issues a
/// migration would repair say that `openclaw doctor --fix` migrates them.
/// `behaviour` is `release`'s ([`Behaviour::of`]).
pub fn classify(
    root: &Node,
    release: &str,
    behaviour: &Behaviour,
    issues: Vec<Issue>,
    single_file: bool,
) -> Verdict {
    // `openclaw doctor --fix` of every release with a migration list knows what they do; the
    // gateway itself repairs only from the start guard's release on.
    let mut members = Lookups::default();
    let repairs: Vec<Option<String>> = issues
        .iter()
        .map(|i| {
            if behaviour.knows_migrations {
                repair(root, release, behaviour, i, &mut members)
            } else {
                None
            }
        })
        .collect();
    // Only problems inside channel blocks: the start does not see them until after its repair
    // step, and refuses (CHANNEL_MIGRATION_REFUSED).
    let only_channel =
        !issues.is_empty() && issues.iter().all(is_channel_block) && behaviour.refuses_channel_only;
    // The start guard repairs what doctor does, except plugin install records where it does
    // not strip them first (2026.8.2: `plugins: Unrecognized key: "installs"`, exit 78).
    let guard = behaviour.start_guard;
    let strips = guard.is_some_and(|g| g.strips_install_records);
    let at_start = |(issue, fix): (&Issue, &Option<String>)| {
        fix.is_some()
            && (strips
                || !matches!(issue.path.as_slice(), [Seg::Key(p), Seg::Key(i), ..] if p == "plugins" && i == "installs"))
    };
    // A roster whose default marker the release's config read drops, with no migration to
    // stamp ownership: the repaired config fails the ownership refinement (ROSTER_MARKER_DROPPED).
    let marker_dropped = guard.is_some() && roster_marker_dropped(root, release);
    // Up to 2026.3.31 the gateway start itself runs the legacy migrations (`legacy_start`), but
    // only 2026.3.31 gets there: 2026.2.26 and 2026.1.30's `gateway run` refuses a config its
    // legacy rules flag before (exit 1, "Config invalid"; see [`LEGACY_READ_MIGRATION_SINCE`]).
    let repairs_at_start = guard.is_some() || behaviour.migrates_merged_config;
    let starts = issues.is_empty()
        || (repairs_at_start
            && (single_file || behaviour.migrates_merged_config)
            && issues.iter().zip(&repairs).all(at_start)
            && !only_channel
            && !marker_dropped);
    let issues = issues
        .into_iter()
        .zip(repairs)
        .map(|(mut issue, fix)| {
            if only_channel && fix.is_some() && single_file {
                issue.note = Some(CHANNEL_MIGRATION_REFUSED.to_string());
            }
            if marker_dropped && fix.is_some() && single_file && issue.note.is_none() {
                issue.note = Some(ROSTER_MARKER_DROPPED.to_string());
            }
            let outcome = match (starts, fix) {
                (true, Some(what)) => StartOutcome::Repair { what },
                (_, fix) => StartOutcome::Refuse { doctor_fixes: fix },
            };
            (issue, outcome)
        })
        .collect();
    Verdict {
        release: release.to_string(),
        issues,
        starts,
        later: Vec::new(),
        migrated: Vec::new(),
        also_changed: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A release's remembered behaviour is what the functions say of it, for every recorded
    /// release, the releases between and around them, and other spellings; asked twice, so
    /// the second answer comes from the memo.
    #[test]
    fn a_remembered_behaviour_is_what_the_functions_say() {
        let mut releases: Vec<String> = crate::validate::schema::table()
            .releases()
            .iter()
            .map(|(v, _)| v.clone())
            .collect();
        releases.extend(
            [
                "2025.12.1",
                "2026.1.29",
                "2026.2.1",
                "2026.3.30",
                "2026.4.30",
                "2026.5.27",
                "2026.6.1",
                "2026.8.1",
                "2026.9.5",
                "2026.9.7",
                "2027.1.1",
                "v2026.9.6",
                "2026.9.6-beta.1",
                "2026.4.29-1",
                "",
                "nonsense",
            ]
            .map(String::from),
        );
        for release in &releases {
            for _ in 0..2 {
                let b = Behaviour::of(release);
                let m = super::super::migrations::start_guard(release);
                assert_eq!(
                    b.knows_migrations,
                    super::super::migrations::for_release(release).is_some(),
                    "{release}"
                );
                assert_eq!(
                    b.legacy_start,
                    super::super::migrations::legacy_start(release)
                );
                assert_eq!(
                    b.read_migrates,
                    super::super::migrations::read_migrates(release)
                );
                assert_eq!(
                    b.read_strips_install_records,
                    super::super::migrations::read_strips_install_records(release)
                );
                assert_eq!(
                    b.start_guard.map(|g| g.strips_install_records),
                    m.map(|g| g.strips_install_records),
                    "{release}"
                );
                assert_eq!(b.repairs_at_start(), repairs_at_start(release));
                assert_eq!(b.migrates_merged_config, migrates_merged_config(release));
                assert_eq!(
                    b.requires_configured_token,
                    requires_configured_token(release)
                );
                assert_eq!(b.included_token_write, included_token_write(release));
                assert_eq!(b.checks_port_range, checks_port_range(release), "{release}");
                assert_eq!(
                    b.refuses_channel_only,
                    super::super::releases::compare(release, CHANNEL_REFUSAL_SINCE).is_ge()
                );
            }
        }
        // The answers differ between releases (a memo that answered one release for all
        // would fail here).
        assert!(Behaviour::of("2026.9.6").repairs_at_start());
        assert!(!Behaviour::of("2026.4.29").repairs_at_start());
        assert!(Behaviour::of("2026.1.30").requires_configured_token);
        assert!(Behaviour::of("2026.7.35").checks_port_range);
        assert!(!Behaviour::of("2026.4.29").checks_port_range);
    }
}
