//! Path rules (CL2xx): state dirs, config files, workspaces, agent dirs and log files that
//! two gateways share, compared by canonical path.

use crate::catalog;

use super::group::{distinct, names, party, shared_across_instances};
use super::RuleContext;
use crate::diagnostic::{Finding, Label};
use crate::load::env::EnvOrigin;
use crate::paths::FastMap as HashMap;
use crate::paths::{GatewayKeys, Kept, KeyId, PathKeys};
use crate::resolve::profile::profile_state_dir;
use crate::resolve::{Instance, Origin, Sourced};
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// One kind of path no two gateways may share.
struct SharedPath {
    rule: &'static catalog::Rule,
    /// What the message calls it; `None` names it after the party's own label (data dirs
    /// come in kinds).
    what: Option<&'static str>,
    paths_of: PathsOf,
    help: &'static str,
    /// Compared per user: each user's rolling log lives in its own /tmp dir.
    per_user: bool,
    /// Not reported when shared only because the whole state dir is (CL201 says it once).
    defer_to_state_dir: bool,
    /// What OpenClaw does about it, when every party runs on the host as one user (recorded in
    /// tests/hosts/gateway-pairs.json; across containers or users it was not).
    host_note: Option<&'static str>,
}

/// Puts a gateway's paths of one kind into a list, each with its entry in the keys (one list
/// for every gateway: most have one path of a kind, and a list each was most of what listing
/// them cost).
type PathsOf = for<'a> fn(&'a Instance, GatewayKeys<'_>, &mut Paths<'a>);

const SHARED_PATHS: &[SharedPath] = &[
    SharedPath {
        rule: &catalog::SHARED_STATE_DIR,
        what: Some("state dir"),
        paths_of: state_dir,
        help: "give each gateway its own state dir: start it with `--profile NAME` (state in ~/.openclaw-NAME) or set its own OPENCLAW_STATE_DIR",
        per_user: false,
        defer_to_state_dir: false,
        host_note: Some("OpenClaw lets one gateway own a state dir: the one that starts second exits 78 (\"another OpenClaw process owns gateway-lifecycle\"), so they never run together; taking turns, they share one identity, sessions and credentials"),
    },
    SharedPath {
        rule: &catalog::SHARED_CONFIG_FILE,
        what: Some("config file"),
        paths_of: config_file,
        help: "give each gateway its own config file (`--profile NAME` uses ~/.openclaw-NAME/openclaw.json)",
        per_user: false,
        defer_to_state_dir: true,
        host_note: None,
    },
    SharedPath {
        rule: &catalog::SHARED_WORKSPACE,
        what: Some("workspace"),
        paths_of: workspaces,
        help: "give each gateway's agents their own workspace (`agents.defaults.workspace`, or per agent `workspace`)",
        per_user: false,
        defer_to_state_dir: true,
        host_note: None,
    },
    SharedPath {
        rule: &catalog::SHARED_AGENT_DIR,
        what: Some("agent dir"),
        paths_of: agent_dirs,
        help: "remove the shared `agentDir` so each gateway keeps its agents under its own state dir",
        per_user: false,
        defer_to_state_dir: true,
        host_note: None,
    },
    SharedPath {
        rule: &catalog::SHARED_LOG_FILE,
        what: Some("log file"),
        paths_of: log_file,
        help: "set `logging.file` in each gateway's config, or give them different profiles",
        per_user: true,
        defer_to_state_dir: true,
        host_note: None,
    },
    SharedPath {
        rule: &catalog::SHARED_DATA_DIR,
        what: None,
        paths_of: data_dirs,
        help: "give each gateway its own state dir (and config dir); for WhatsApp, its own `authDir`",
        per_user: false,
        defer_to_state_dir: true,
        host_note: None,
    },
];

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let (instances, keys) = (ctx.instances, ctx.keys);
    let mut out = Vec::new();
    for kind in SHARED_PATHS {
        out.extend(shared(instances, keys, kind));
    }
    out.extend(nested_in_state_dir(instances, keys));
    out.extend(
        instances
            .iter()
            .filter_map(|i| config_path_without_state_dir(i, keys)),
    );
    out.extend(
        instances
            .iter()
            .flat_map(Instance::with_other_starts)
            .filter_map(|i| split_profile_identity(i, keys)),
    );
    out.extend(instances.iter().filter_map(|i| split_legacy_state(i, keys)));
    out
}

/// CL210: the config found by OpenClaw's fallback search is not in the state dir (an empty
/// `~/.openclaw` next to a legacy `~/.clawdbot/clawdbot.json`).
fn split_legacy_state(instance: &Instance, keys: &PathKeys) -> Option<Finding> {
    if !matches!(
        instance.config_path.origin,
        crate::resolve::Origin::Default(_)
    ) || !instance.config_exists
    {
        return None;
    }
    let config_dir = instance.config_path.value.parent()?;
    if keys.key_ref(config_dir) == keys.key_ref(&instance.state_dir.value) {
        return None;
    }
    let home = &instance.os_home;
    Some(
        Finding::new(
            &catalog::SPLIT_LEGACY_STATE,
            format!(
                "\"{}\" reads its config from {} but keeps its state in {}",
                instance.name,
                display(&instance.config_path.value, home),
                display(&instance.state_dir.value, home)
            ),
        )
        .label(Label::new(
            Some(instance.config_loc),
            format!("{}: config found by the legacy fallback", instance.name),
            Some(&instance.name),
        ))
        .note("OpenClaw takes the first config file that exists (~/.openclaw, then ~/.clawdbot) but the state dir ~/.openclaw as soon as that directory exists")
        .help(format!(
            "move the config to {} (`openclaw doctor` migrates a legacy ~/.clawdbot)",
            display(&instance.state_dir.value.join("openclaw.json"), home)
        )),
    )
}

/// Each path with what it is, and its entry in the keys.
type Paths<'a> = Vec<(Named<'a>, Option<Kept>)>;

/// A path and what it is.
type Named<'a> = (What<'a>, &'a Sourced<PathBuf>);

/// What a path is, borrowed from the gateway and put into words only for the few paths that
/// are shared (every agent of every gateway has a workspace and an agent dir).
#[derive(Clone, Copy)]
enum What<'a> {
    /// `state dir`, or the kind of a data dir.
    Named(&'a str),
    /// `workspace of agent "ID"`.
    WorkspaceOf(&'a str),
    /// `agent dir of agent "ID"`.
    AgentDirOf(&'a str),
}

impl What<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            What::Named(what) => Cow::Borrowed(what),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Named(what) => f.write_str(what),
            What::WorkspaceOf(agent) => write!(f, "workspace of agent \"{agent}\""),
            What::AgentDirOf(agent) => write!(f, "agent dir of agent \"{agent}\""),
        }
    }
}

fn state_dir<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    paths.push((own_state_dir(instance), kept.state_dir()));
}

/// A gateway's state dir as the path rules name it.
fn own_state_dir(instance: &Instance) -> Named<'_> {
    (What::Named("state dir"), &instance.state_dir)
}

fn config_file<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    let named = (What::Named("config file"), &instance.config_path);
    paths.push((named, kept.config_file()));
}

fn log_file<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    let named = (What::Named("log file"), &instance.log_file);
    paths.push((named, kept.log_file()));
}

fn data_dirs<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    let dirs = instance.data_dirs.iter().enumerate();
    paths.extend(dirs.map(|(n, (what, dir))| ((What::Named(what), dir), kept.data_dir(n))));
}

fn workspaces<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    let agents = instance.agents.iter().enumerate();
    paths.extend(agents.map(|(n, a)| {
        let named = (What::WorkspaceOf(a.id.as_str()), &a.workspace);
        (named, kept.workspace(n))
    }));
}

fn agent_dirs<'a>(instance: &'a Instance, kept: GatewayKeys<'_>, paths: &mut Paths<'a>) {
    let agents = instance.agents.iter().enumerate();
    paths.extend(agents.map(|(n, a)| {
        let named = (What::AgentDirOf(a.id.as_str()), &a.agent_dir);
        (named, kept.agent_dir(n))
    }));
}

fn shared(instances: &[Instance], keys: &PathKeys, kind: &SharedPath) -> Vec<Finding> {
    // Sized for a path a gateway (what most kinds have): a flattened list has no length of
    // its own and grew by doubling.
    let mut items = Vec::with_capacity(instances.len());
    let mut paths = Vec::new();
    // A compose service nothing starts, or a gateway whose start OpenClaw refuses (CL909),
    // writes nothing there.
    for (i, inst) in instances.iter().enumerate().filter(|(_, inst)| inst.runs()) {
        // Grouped by the keys' numbers, in the order of their bytes (see [`Keyed`]).
        let kept = keys.gateway(i);
        let user = kind.per_user.then(|| match inst.account_home() {
            Some(home) => Keyed::of(keys, None, &home),
            None => Keyed::of(keys, kept.os_home(), &inst.os_home),
        });
        paths.clear();
        (kind.paths_of)(inst, kept, &mut paths);
        for &((label, path), entry) in &paths {
            if knows_path(inst, *kind.rule, path) {
                let key = Keyed::of(keys, entry, &path.value);
                items.push(((user.clone(), key), i, (label, path)));
            }
        }
    }
    shared_across_instances(items)
        .into_iter()
        .filter(|(_, parties)| {
            !kind.defer_to_state_dir || !follows_shared_state_dir(instances, keys, parties)
        })
        .map(|(_, parties)| {
            let involved = distinct(instances, &parties);
            let shown = display(&parties[0].1 .1.value, &involved[0].os_home);
            let what = kind
                .what
                .map_or_else(|| parties[0].1 .0.text(), Cow::Borrowed);
            let code = kind.rule;
            let mut finding = Finding::new(
                code,
                format!("gateways {} share the {what} {shown}", names(&involved)),
            )
            .help(kind.help);
            for note in super::containers::unverifiable_starts(&involved, "they share it") {
                finding = finding.note(note);
            }
            if let Some(note) = kind.host_note {
                let user = &instances[parties[0].0].os_home;
                if parties
                    .iter()
                    .all(|(i, _)| instances[*i].container.is_none() && instances[*i].os_home == *user)
                {
                    finding = finding.note(note);
                }
            }
            // A shared path that reaches a container through a mount is fixed in the mount.
            if let Some((i, (_, path))) = parties
                .iter()
                .find(|(i, _)| instances[*i].container.is_some())
            {
                if let Origin::Mounted(mounted) = &path.origin {
                    let container_path = &mounted.container_path;
                    finding = finding.help(format!(
                        "mount a directory of its own at {} in \"{}\" (or give the other gateway its own)",
                        container_path.display(),
                        instances[*i].name
                    ));
                }
            }
            for (i, (label, path)) in &parties {
                let inst = &instances[*i];
                let shown = shown_with_link(keys, &path.value, &inst.os_home);
                finding = finding.label(party(inst, format_args!("{label} {shown}"), &path.origin));
            }
            finding
        })
        .collect()
}

/// Whether clawlint knows this path of the gateway: a path that follows from an unverifiable
/// state dir, config path or profile (OpenClaw's default for it) takes part in no comparison;
/// one the config or the environment sets is known.
fn knows_path(instance: &Instance, rule: catalog::Rule, path: &Sourced<PathBuf>) -> bool {
    use crate::resolve::Unverifiable;
    let guessed = matches!(path.origin, Origin::Default(_) | Origin::Derived { .. });
    if rule.code == catalog::SHARED_CONFIG_FILE.code {
        return instance.knows(Unverifiable::ConfigPath);
    }
    if rule.code == catalog::SHARED_LOG_FILE.code {
        return !guessed || instance.knows(Unverifiable::Profile);
    }
    !guessed || instance.knows(Unverifiable::StateDir)
}

/// Paths that are shared only because the state dir is (the defaults under it): CL201 says
/// it once.
fn follows_shared_state_dir(
    instances: &[Instance],
    keys: &PathKeys,
    parties: &[(usize, Named<'_>)],
) -> bool {
    let state = |i: usize| keys.key_id(&instances[i].state_dir.value);
    let first = state(parties[0].0);
    parties.iter().all(|(i, (_, path))| {
        state(*i) == first && !matches!(path.origin, crate::resolve::Origin::Config(_))
    })
}

/// A path, and where it really leads when a symlink on the way makes it another path.
fn shown_with_link(keys: &PathKeys, path: &Path, home: &Path) -> String {
    let real = keys.key(path);
    let lexical = crate::paths::absolute(path);
    let canonical_home = keys.key(home);
    // Symlinks above the home (a home on a symlinked volume) are not the point.
    let expected = match lexical.strip_prefix(crate::paths::absolute(home)) {
        Ok(rest) => canonical_home.join(rest),
        Err(_) => lexical.clone(),
    };
    if real == expected {
        return display(path, home);
    }
    let target = match real.strip_prefix(&canonical_home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => real.display().to_string(),
    };
    format!("{} (a symlink to {target})", display(path, home))
}

/// A path's key as gateways are grouped by it: equal and hashed by its number (most paths
/// are shared by no other gateway: hashing a number, not the key's bytes, finds that), and in
/// the order of its bytes (the shared groups come out in that order, compared as bytes, not
/// component by component). Equal numbers are equal bytes, so the two agree.
#[derive(Clone)]
struct Keyed<'k> {
    id: KeyId,
    key: Cow<'k, Path>,
}

impl<'k> Keyed<'k> {
    /// The key of `path`, whose entry resolve kept as `kept`.
    fn of(keys: &'k PathKeys, kept: Option<Kept>, path: &Path) -> Keyed<'k> {
        let (id, key) = keys.kept_key_with_id(kept, path);
        Keyed { id, key }
    }

    fn bytes(&self) -> &[u8] {
        self.key.as_os_str().as_encoded_bytes()
    }
}

impl PartialEq for Keyed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Keyed<'_> {}

impl std::hash::Hash for Keyed<'_> {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for Keyed<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyed<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

fn display(path: &Path, home: &Path) -> String {
    crate::paths::display_home_relative(path, home)
}

/// A fleet cell's dirs under `<host state dir>/fleet/cells/`, where `openclaw fleet` puts them.
fn is_fleet_cell_of(cell: &Instance, host: &Instance, path: &Path, keys: &PathKeys) -> bool {
    let is_cell = cell
        .container
        .as_ref()
        .is_some_and(|c| c.engine == crate::container::Engine::Fleet);
    let cells = keys.key(&host.state_dir.value).join("fleet").join("cells");
    is_cell && path.starts_with(cells)
}

/// CL204: one gateway's state dir or workspace inside another gateway's state dir. Each
/// path's ancestors are looked up in a map of state dirs: no pairwise comparison.
fn nested_in_state_dir(instances: &[Instance], keys: &PathKeys) -> Vec<Finding> {
    use crate::resolve::Unverifiable;
    // Sized for every gateway up front: grown by doubling, a map of 10,000 state dirs is
    // rehashed a dozen times.
    // Keyed by the keys' bytes (absolute and normal: the same path exactly when the same
    // bytes), not hashed component by component as `Path`s.
    let mut state_dirs: HashMap<&[u8], Vec<usize>> =
        HashMap::with_capacity_and_hasher(instances.len(), Default::default());
    let known = |inst: &Instance| inst.knows(Unverifiable::StateDir) && inst.runs();
    // Each known state dir's key, looked up once: the map, the gateway's own paths and the
    // owners found for them each want it (three lookups of the same path a gateway).
    let state_keys: Vec<Option<Cow<'_, Path>>> = instances
        .iter()
        .enumerate()
        .map(|(i, inst)| {
            let kept = keys.gateway(i).state_dir();
            known(inst).then(|| keys.kept_key_with_id(kept, &inst.state_dir.value).1)
        })
        .collect();
    for (i, key) in state_keys.iter().enumerate() {
        if let Some(key) = key {
            let bytes = key.as_os_str().as_encoded_bytes();
            state_dirs.entry(bytes).or_default().push(i);
        }
    }
    // An ancestor is hashed only when it is as long as a state dir: a path of megabytes (a
    // layout's string) has thousands of ancestors, each as long as the path.
    let lengths = Lengths::of(state_dirs.keys().map(|d| d.len()));
    let mut out = Vec::new();
    let mut paths = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        let Some(own_state) = &state_keys[i] else {
            continue;
        };
        paths.clear();
        workspaces(inst, keys.gateway(i), &mut paths);
        let (label, path) = own_state_dir(inst);
        let own = (label, path, Cow::Borrowed(&**own_state));
        let workspace_keys = paths.iter().map(|&((label, path), kept)| {
            (label, path, keys.kept_key_with_id(kept, &path.value).1)
        });
        for (label, path, key) in std::iter::once(own).chain(workspace_keys) {
            let owners = nearest_ancestor(&key, |a| {
                let a = a.as_os_str().as_encoded_bytes();
                lengths
                    .contains(a.len())
                    .then(|| state_dirs.get(a))
                    .flatten()
            });
            // Sharing the state dir itself is CL201's finding, not a nesting.
            let others = owners
                .into_iter()
                .flatten()
                .filter(|o| **o != i && state_keys[**o].as_ref() != Some(own_state));
            for owner in others {
                let outer = &instances[*owner];
                // Fleet keeps each cell under its host gateway's state dir on purpose; a
                // workspace that is the other gateway's own workspace is CL203's finding.
                if is_fleet_cell_of(inst, outer, &key, keys)
                    || matches!(label, What::WorkspaceOf(_))
                        && is_workspace_of(*owner, outer, &key, keys)
                {
                    continue;
                }
                out.push(
                    Finding::new(
                        &catalog::NESTED_STATE_DIR,
                        format!(
                            "\"{}\"'s {label} {} lies inside \"{}\"'s state dir {}",
                            inst.name,
                            display(&path.value, &inst.os_home),
                            outer.name,
                            display(&outer.state_dir.value, &outer.os_home)
                        ),
                    )
                    .label(party(inst, format_args!("{label} {}", display(&path.value, &inst.os_home)), &path.origin))
                    .label(party(outer, format_args!("state dir {}", display(&outer.state_dir.value, &outer.os_home)), &outer.state_dir.origin))
                    .note("OpenClaw's doctor and state migrations treat everything under a state dir as that gateway's own (for example, unless a config pins it, they move ~/.openclaw/workspace-<profile> to ~/.openclaw-<profile>/workspace)")
                    .help(if matches!(label, What::Named("state dir")) {
                        format!("give \"{}\" a state dir of its own, outside {}", inst.name, display(&outer.state_dir.value, &outer.os_home))
                    } else {
                        format!("move it out, for example to {}/workspace", display(&inst.state_dir.value, &inst.os_home))
                    }),
                );
            }
        }
    }
    out
}

/// Whether `key` is one of the workspaces of `instance` (gateway `index`).
fn is_workspace_of(index: usize, instance: &Instance, key: &Path, keys: &PathKeys) -> bool {
    let mut paths = Vec::new();
    workspaces(instance, keys.gateway(index), &mut paths);
    paths
        .iter()
        .any(|&((_, path), kept)| *keys.kept_key_with_id(kept, &path.value).1 == *key)
}

/// A set of lengths, as one bit each up to the longest: asked for every ancestor of every
/// state dir and workspace (a hash each, as a set of numbers). Its bits are a sixty-fourth
/// of the longest length's bytes, and that length is of a key the layout spelt.
struct Lengths(Vec<u64>);

impl Lengths {
    fn of(lengths: impl Iterator<Item = usize> + Clone) -> Lengths {
        let longest = lengths.clone().max().unwrap_or(0);
        let mut bits = vec![0u64; longest / 64 + 1];
        for length in lengths {
            bits[length / 64] |= 1 << (length % 64);
        }
        Lengths(bits)
    }

    fn contains(&self, length: usize) -> bool {
        self.0
            .get(length / 64)
            .is_some_and(|word| word & (1 << (length % 64)) != 0)
    }
}

/// The first of `path`'s ancestors (nearest first, the path itself not one) that `found`
/// answers for. A plain absolute path (nearly every key) is cut at each `/` from its end:
/// taking it apart into components again for each ancestor cost ~300 instructions each.
fn nearest_ancestor<'p, T>(
    path: &'p Path,
    mut found: impl FnMut(&'p Path) -> Option<T>,
) -> Option<T> {
    #[cfg(unix)]
    if crate::paths::plain_spelling(path) == Some(true) {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if bytes == b"/" {
            return None;
        }
        // Plain: one `/` between names, none at the end, so each `/` ends an ancestor (the
        // first, at 0, the root's).
        return (0..bytes.len())
            .rev()
            .filter(|&at| bytes[at] == b'/')
            .find_map(|at| found(Path::new(OsStr::from_bytes(&bytes[..at.max(1)]))));
    }
    path.ancestors().skip(1).find_map(found)
}

fn set_by_user(instance: &Instance, var: &str) -> bool {
    instance.env.get(var).is_some_and(|v| {
        !matches!(v.origin, EnvOrigin::ProfileFlag { .. }) && !v.value.trim().is_empty()
    })
}

/// CL205: `OPENCLAW_CONFIG_PATH` moves the config but not the state. A config that lies in
/// the state dir itself (`~/.openclaw/openclaw.json`, as installer scripts write it out, or
/// `~/.openclaw/rescue.json`) moves nothing: its directory is the state dir, so the `.env`
/// and browser profiles that follow the config's directory stay with the state. Quiet then
/// (a second gateway sharing that state dir is CL201's).
fn config_path_without_state_dir(instance: &Instance, keys: &PathKeys) -> Option<Finding> {
    if !set_by_user(instance, "OPENCLAW_CONFIG_PATH")
        || instance.env.value("OPENCLAW_STATE_DIR").is_some()
    {
        return None;
    }
    let config = &instance.config_path;
    if config
        .value
        .parent()
        .is_some_and(|dir| keys.key_ref(dir) == keys.key_ref(&instance.state_dir.value))
    {
        return None;
    }
    Some(
        Finding::new(
            &catalog::CONFIG_PATH_WITHOUT_STATE_DIR,
            format!(
                "\"{}\" sets OPENCLAW_CONFIG_PATH but not OPENCLAW_STATE_DIR: its config is {}, but its state stays in {}",
                instance.name,
                display(&config.value, &instance.os_home),
                display(&instance.state_dir.value, &instance.os_home)
            ),
        )
        .label(party(instance, "OPENCLAW_CONFIG_PATH", &config.origin))
        .help("set OPENCLAW_STATE_DIR too (or use `--profile NAME`, which sets both)"),
    )
}

/// CL206: `OPENCLAW_PROFILE` from the environment alone splits a gateway's identity.
fn split_profile_identity(instance: &Instance, keys: &PathKeys) -> Option<Finding> {
    let profile = instance.profile.as_ref()?;
    if !set_by_user(instance, "OPENCLAW_PROFILE") || instance.profile_flag.is_some() {
        return None;
    }
    let expected = profile_state_dir(&instance.home, &profile.value);
    if keys.key_ref(&instance.state_dir.value) == keys.key_ref(&expected) {
        return None;
    }
    let home = &instance.os_home;
    Some(
        Finding::new(
            &catalog::SPLIT_PROFILE_IDENTITY,
            format!(
                "\"{}\" sets OPENCLAW_PROFILE={} without --profile: state and config stay in {}, but workspace, port, log and service name follow the profile",
                instance.name,
                profile.value,
                display(&instance.state_dir.value, home)
            ),
        )
        .label(party(instance, format_args!("OPENCLAW_PROFILE={}", profile.value), &profile.origin))
        .note(format!(
            "state dir {}, config {}, workspace {}, port {}, service {}",
            display(&instance.state_dir.value, home),
            display(&instance.config_path.value, home),
            display(&instance.workspace.value, home),
            instance.port.value,
            instance.service_names().systemd_unit
        ))
.help(match &profile.origin {
            crate::resolve::Origin::Env(env) if matches!(env.set_by, EnvOrigin::DotEnv(_)) => format!(
                "remove OPENCLAW_PROFILE={} from that .env file: profile \"{}\" is the gateway in ~/.openclaw-{}, started with `openclaw --profile {}`",
                profile.value, profile.value, profile.value, profile.value
            ),
            _ => format!(
                "start it with `openclaw --profile {}` (which also sets OPENCLAW_STATE_DIR and OPENCLAW_CONFIG_PATH)",
                profile.value
            ),
        }),
    )
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        CONFIG_PATH_WITHOUT_STATE_DIR, NESTED_STATE_DIR, SHARED_AGENT_DIR, SHARED_CONFIG_FILE,
        SHARED_DATA_DIR, SHARED_LOG_FILE, SHARED_STATE_DIR, SHARED_WORKSPACE, SPLIT_LEGACY_STATE,
        SPLIT_PROFILE_IDENTITY,
    };
    use crate::rules::testing::{gateway, host, labels, parties};

    /// Every ancestor `nearest_ancestor` offers, in order, is `Path::ancestors`' (without the
    /// path), for plain paths and for every other spelling.
    #[test]
    fn nearest_ancestor_offers_the_ancestors_in_order() {
        use std::path::Path;
        for path in [
            "/",
            "/a",
            "/a/b",
            "/home/ana/.openclaw-work/workspace",
            "/a/b/",
            "//a//b",
            "/a/./b",
            "/a/../b",
            "a/b",
            "a",
            "",
            ".",
            "/é/ü",
        ] {
            let path = Path::new(path);
            let mut offered = Vec::new();
            let none: Option<()> = super::nearest_ancestor(path, |a| {
                offered.push(a.as_os_str().to_owned());
                None
            });
            assert!(none.is_none());
            // As bytes: paths compare equal across spellings (`/a/` and `/a`).
            let expected: Vec<_> = path
                .ancestors()
                .skip(1)
                .map(|a| a.as_os_str().to_owned())
                .collect();
            assert_eq!(offered, expected, "{}", path.display());
            // And the first answer is the one taken.
            if let Some(second) = expected.get(1) {
                let found =
                    super::nearest_ancestor(path, |a| (a.as_os_str() == second).then_some(a));
                assert_eq!(found.map(|a| a.as_os_str()), Some(second.as_os_str()));
            }
        }
    }

    /// A length is in `Lengths` exactly when it was given, at each end of a word of bits and
    /// past the longest.
    #[test]
    fn lengths_hold_exactly_the_lengths_given() {
        let given = [0, 1, 63, 64, 65, 127, 128, 4096];
        let lengths = super::Lengths::of(given.iter().copied());
        for length in 0..5000 {
            assert_eq!(
                lengths.contains(length),
                given.contains(&length),
                "{length}"
            );
        }
        assert!(!super::Lengths::of(std::iter::empty()).contains(0));
    }

    #[test]
    fn cl201_two_gateways_in_the_default_state_dir() {
        let host = host([gateway("a").no_profile(), gateway("b").no_profile()]);
        let f = host.finding(SHARED_STATE_DIR);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the state dir ~/.openclaw"
        );
        assert_eq!(parties(&f), ["a", "b"]);
        assert_eq!(
            labels(&f),
            [
                "a: state dir ~/.openclaw (default state dir)",
                "b: state dir ~/.openclaw (default state dir)"
            ]
        );
        // Everything under the shared state dir is shared too: said once, here.
        assert!(host.findings(SHARED_WORKSPACE).is_empty());
        assert!(host.findings(SHARED_CONFIG_FILE).is_empty());
    }

    #[test]
    fn cl201_through_a_symlink() {
        let host = host([
            gateway("a")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/state-link"),
            gateway("b")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/state"),
        ])
        .link("state-link", "state");
        let f = host.finding(SHARED_STATE_DIR);
        assert_eq!(
            labels(&f),
            [
                "a: state dir ~/state-link (a symlink to ~/state) (OPENCLAW_STATE_DIR in the environment)",
                "b: state dir ~/state (OPENCLAW_STATE_DIR in the environment)"
            ]
        );
    }

    #[test]
    fn cl201_not_for_profiles_of_one_home() {
        let host = host([gateway("a"), gateway("b"), gateway("default")]);
        assert!(host.findings(SHARED_STATE_DIR).is_empty());
    }

    #[test]
    fn cl202_one_config_file_for_two_state_dirs() {
        let shared = |name| gateway(name).env("OPENCLAW_CONFIG_PATH", "~/shared.json");
        let host = host([shared("a"), shared("b")]);
        let f = host.finding(SHARED_CONFIG_FILE);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the config file ~/shared.json"
        );
        assert_eq!(parties(&f), ["a", "b"]);
        assert!(host.findings(SHARED_STATE_DIR).is_empty());
    }

    #[test]
    fn cl202_not_for_config_files_with_one_name_in_two_dirs() {
        let host = host([gateway("a"), gateway("b")]);
        assert!(host.findings(SHARED_CONFIG_FILE).is_empty());
    }

    #[test]
    fn cl203_one_workspace_for_two_gateways() {
        let host = host([gateway("a").workspace("~/w"), gateway("b").workspace("~/w")]);
        let f = host.finding(SHARED_WORKSPACE);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the workspace ~/w"
        );
        assert_eq!(
            labels(&f),
            [
                "a: workspace of agent \"main\" ~/w",
                "b: workspace of agent \"main\" ~/w"
            ]
        );
    }

    #[test]
    fn cl203_not_for_the_same_spelling_in_two_homes() {
        let host = host([
            gateway("a").user("alice").workspace("~/w"),
            gateway("b").user("bob").workspace("~/w"),
        ]);
        assert!(host.findings(SHARED_WORKSPACE).is_empty());
    }

    #[test]
    fn cl204_a_state_dir_inside_anothers() {
        let host = host([
            gateway("default"),
            gateway("rescue").env("OPENCLAW_STATE_DIR", "~/.openclaw/rescue"),
        ]);
        let f = host.finding(NESTED_STATE_DIR);
        assert_eq!(
            f.message,
            "\"rescue\"'s state dir ~/.openclaw/rescue lies inside \"default\"'s state dir ~/.openclaw"
        );
        assert_eq!(parties(&f), ["rescue", "default"]);
        assert_eq!(
            f.help.as_deref(),
            Some("give \"rescue\" a state dir of its own, outside ~/.openclaw")
        );
    }

    #[test]
    fn cl204_not_for_a_sibling_with_a_common_prefix() {
        // ~/.openclaw-rescue starts with ~/.openclaw as text, not as a path.
        let host = host([gateway("default"), gateway("rescue")]);
        assert!(host.findings(NESTED_STATE_DIR).is_empty());
    }

    #[test]
    fn cl205_a_config_path_without_a_state_dir() {
        let host = host([gateway("default").env("OPENCLAW_CONFIG_PATH", "~/configs/ops.json")]);
        let f = host.finding(CONFIG_PATH_WITHOUT_STATE_DIR);
        assert_eq!(
            f.message,
            "\"default\" sets OPENCLAW_CONFIG_PATH but not OPENCLAW_STATE_DIR: its config is ~/configs/ops.json, but its state stays in ~/.openclaw"
        );
        assert_eq!(
            labels(&f),
            ["default: OPENCLAW_CONFIG_PATH (OPENCLAW_CONFIG_PATH in the environment)"]
        );
    }

    #[test]
    fn cl205_not_for_a_config_in_the_state_dir_itself() {
        for config in [
            "~/.openclaw/openclaw.json",
            "/home/claw/.openclaw/openclaw.json",
            "~/.openclaw/rescue.json",
        ] {
            let host = host([gateway("default").env("OPENCLAW_CONFIG_PATH", config)]);
            assert!(
                host.findings(CONFIG_PATH_WITHOUT_STATE_DIR).is_empty(),
                "{config}"
            );
        }
    }

    #[test]
    fn cl205_not_with_a_profile_flag_setting_the_state_dir() {
        let host = host([gateway("ops").env("OPENCLAW_CONFIG_PATH", "~/configs/ops.json")]);
        assert_eq!(
            host.instances[0].config_path.value,
            std::path::Path::new("/home/claw/configs/ops.json")
        );
        assert!(host.findings(CONFIG_PATH_WITHOUT_STATE_DIR).is_empty());
    }

    #[test]
    fn cl206_a_profile_from_the_environment_alone() {
        let host = host([gateway("ops")
            .no_profile()
            .env("OPENCLAW_PROFILE", "rescue")]);
        let f = host.finding(SPLIT_PROFILE_IDENTITY);
        assert_eq!(
            f.message,
            "\"ops\" sets OPENCLAW_PROFILE=rescue without --profile: state and config stay in ~/.openclaw, but workspace, port, log and service name follow the profile"
        );
        let hash = crate::openclaw::profile_hash_port("rescue");
        assert_eq!(
            f.notes,
            [format!("state dir ~/.openclaw, config ~/.openclaw/openclaw.json, workspace ~/.openclaw-rescue/workspace, port {hash}, service openclaw-gateway-rescue.service")]
        );
    }

    #[test]
    fn cl206_not_when_the_state_dir_is_the_profiles() {
        let host = host([gateway("ops")
            .no_profile()
            .env("OPENCLAW_PROFILE", "rescue")
            .env("OPENCLAW_STATE_DIR", "~/.openclaw-rescue")]);
        assert!(host.findings(SPLIT_PROFILE_IDENTITY).is_empty());
    }

    #[test]
    fn cl207_one_agent_dir_for_two_gateways() {
        let agents = "[{ id: \"main\", agentDir: \"~/agents/main\" }]";
        let host = host([
            gateway("a").set("agents.list", agents),
            gateway("b").set("agents.list", agents),
        ]);
        let f = host.finding(SHARED_AGENT_DIR);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the agent dir ~/agents/main"
        );
        assert_eq!(
            labels(&f),
            [
                "a: agent dir of agent \"main\" ~/agents/main",
                "b: agent dir of agent \"main\" ~/agents/main"
            ]
        );
    }

    #[test]
    fn cl207_not_for_default_agent_dirs() {
        let host = host([gateway("a"), gateway("b")]);
        assert!(host.findings(SHARED_AGENT_DIR).is_empty());
    }

    #[test]
    fn cl208_one_log_file_for_two_gateways() {
        let host = host([
            gateway("a").set("logging.file", "\"~/logs/gw.log\""),
            gateway("b").set("logging.file", "\"~/logs/gw.log\""),
        ]);
        let f = host.finding(SHARED_LOG_FILE);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the log file ~/logs/gw.log"
        );
    }

    /// OpenClaw refuses how "b" is started (CL909, as for a `gateway start` it will not carry
    /// out): it never opens its log or writes its state, so it shares neither with "a". A
    /// gateway refused only for its config (a string port, CL701) still shares them: that
    /// config is the one being edited.
    #[test]
    fn cl208_and_cl201_not_for_a_gateway_whose_start_is_refused() {
        let refuse_start = |host: &mut crate::rules::testing::Host| {
            let b = &mut host.instances[1];
            b.refusal = Some("gateway start starts nothing".into());
            b.problems.push(crate::load::Problem {
                kind: crate::load::ProblemKind::Refused,
                message: "gateway start starts nothing".into(),
                loc: None,
            });
        };
        let logs = || {
            host([
                gateway("a").set("logging.file", "\"~/logs/gw.log\""),
                gateway("b").set("logging.file", "\"~/logs/gw.log\""),
            ])
        };
        let mut refused = logs();
        refuse_start(&mut refused);
        assert!(refused.instances[1].start_refused());
        assert!(refused.findings(SHARED_LOG_FILE).is_empty());
        let state = || {
            host([
                gateway("a")
                    .no_profile()
                    .env("OPENCLAW_STATE_DIR", "~/state")
                    .env("OPENCLAW_CONFIG_PATH", "~/a.json"),
                gateway("b")
                    .no_profile()
                    .env("OPENCLAW_STATE_DIR", "~/state")
                    .env("OPENCLAW_CONFIG_PATH", "~/b.json"),
            ])
        };
        assert_eq!(state().findings(SHARED_STATE_DIR).len(), 1);
        let mut refused = state();
        refuse_start(&mut refused);
        assert!(refused.findings(SHARED_STATE_DIR).is_empty());
        // Refused for its config only: still counted.
        let config_refused = host([
            gateway("a").set("logging.file", "\"~/logs/gw.log\""),
            gateway("b")
                .set("logging.file", "\"~/logs/gw.log\"")
                .set("gateway.port", "\"18850\""),
        ]);
        assert!(!config_refused.instances[1].starts());
        assert!(!config_refused.instances[1].start_refused());
        assert_eq!(config_refused.findings(SHARED_LOG_FILE).len(), 1);
    }

    #[test]
    fn cl208_not_across_users() {
        // Each user's /tmp/openclaw is compared apart (per user).
        let host = host([
            gateway("a")
                .user("alice")
                .set("logging.file", "\"/tmp/openclaw/gw.log\""),
            gateway("b")
                .user("bob")
                .set("logging.file", "\"/tmp/openclaw/gw.log\""),
        ]);
        assert!(host.findings(SHARED_LOG_FILE).is_empty());
    }

    #[test]
    fn cl209_one_whatsapp_session_for_two_gateways() {
        let host = host([
            gateway("a").set("channels.whatsapp.accounts.main.authDir", "\"~/wa\""),
            gateway("b").set("channels.whatsapp.accounts.main.authDir", "\"~/wa\""),
        ]);
        let f = host.finding(SHARED_DATA_DIR);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" share the WhatsApp session of account \"main\" ~/wa"
        );
        assert_eq!(parties(&f), ["a", "b"]);
    }

    #[test]
    fn cl209_not_for_sessions_of_their_own() {
        let host = host([
            gateway("a").set("channels.whatsapp.accounts.main.authDir", "\"~/wa-a\""),
            gateway("b").set("channels.whatsapp.accounts.main.authDir", "\"~/wa-b\""),
        ]);
        assert!(host.findings(SHARED_DATA_DIR).is_empty());
    }

    #[test]
    fn cl210_a_legacy_config_beside_a_new_state_dir() {
        let host = host([gateway("default").found_config_at(".clawdbot/clawdbot.json")]);
        let f = host.finding(SPLIT_LEGACY_STATE);
        assert_eq!(
            f.message,
            "\"default\" reads its config from ~/.clawdbot/clawdbot.json but keeps its state in ~/.openclaw"
        );
        assert_eq!(
            f.help.as_deref(),
            Some("move the config to ~/.openclaw/openclaw.json (`openclaw doctor` migrates a legacy ~/.clawdbot)")
        );
    }

    #[test]
    fn cl210_not_when_the_config_found_is_in_the_state_dir() {
        let host = host([gateway("default").found_config_at(".openclaw/openclaw.json")]);
        assert!(host.findings(SPLIT_LEGACY_STATE).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).

    #[test]
    fn cl201_human() {
        let host = host([gateway("a").no_profile(), gateway("b").no_profile()]);
        insta::assert_snapshot!("CL201", host.human(SHARED_STATE_DIR));
    }

    #[test]
    fn cl202_human() {
        let shared = |name| gateway(name).env("OPENCLAW_CONFIG_PATH", "~/shared.json");
        let host = host([shared("a"), shared("b")]);
        insta::assert_snapshot!("CL202", host.human(SHARED_CONFIG_FILE));
    }

    #[test]
    fn cl203_human() {
        let host = host([gateway("a").workspace("~/w"), gateway("b").workspace("~/w")]);
        insta::assert_snapshot!("CL203", host.human(SHARED_WORKSPACE));
    }

    #[test]
    fn cl204_human() {
        let host = host([
            gateway("default"),
            gateway("rescue").env("OPENCLAW_STATE_DIR", "~/.openclaw/rescue"),
        ]);
        insta::assert_snapshot!("CL204", host.human(NESTED_STATE_DIR));
    }

    #[test]
    fn cl205_human() {
        let host = host([gateway("default").env("OPENCLAW_CONFIG_PATH", "~/configs/ops.json")]);
        insta::assert_snapshot!("CL205", host.human(CONFIG_PATH_WITHOUT_STATE_DIR));
    }

    #[test]
    fn cl206_human() {
        let host = host([gateway("ops")
            .no_profile()
            .env("OPENCLAW_PROFILE", "rescue")]);
        insta::assert_snapshot!("CL206", host.human(SPLIT_PROFILE_IDENTITY));
    }

    #[test]
    fn cl207_human() {
        let agents = "[{ id: \"main\", agentDir: \"~/agents/main\" }]";
        let host = host([
            gateway("a").set("agents.list", agents),
            gateway("b").set("agents.list", agents),
        ]);
        insta::assert_snapshot!("CL207", host.human(SHARED_AGENT_DIR));
    }

    #[test]
    fn cl208_human() {
        let host = host([
            gateway("a").set("logging.file", "\"~/logs/gw.log\""),
            gateway("b").set("logging.file", "\"~/logs/gw.log\""),
        ]);
        insta::assert_snapshot!("CL208", host.human(SHARED_LOG_FILE));
    }

    #[test]
    fn cl209_human() {
        let host = host([
            gateway("a").set("channels.whatsapp.accounts.main.authDir", "\"~/wa\""),
            gateway("b").set("channels.whatsapp.accounts.main.authDir", "\"~/wa\""),
        ]);
        insta::assert_snapshot!("CL209", host.human(SHARED_DATA_DIR));
    }

    #[test]
    fn cl210_human() {
        let host = host([gateway("default").found_config_at(".clawdbot/clawdbot.json")]);
        insta::assert_snapshot!("CL210", host.human(SPLIT_LEGACY_STATE));
    }
}
