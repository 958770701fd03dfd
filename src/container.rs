//! What a container runtime adds to a gateway's invocation: its network, published ports
//! and mounts. Discover fills it in from compose files, Podman quadlets and fleet cells;
//! resolve uses it to map the container's paths and ports onto the host.

use crate::source::{Loc, Span};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Which runtime definition a container gateway comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Compose,
    Quadlet,
    Fleet,
    /// `docker run` / `podman run`, in a supervisor's command.
    DockerRun,
    PodmanRun,
    /// An Unraid Docker Manager template (`my-<Name>.xml`), which the webgui turns into a
    /// `docker run` line.
    Unraid,
}

impl Engine {
    pub fn id(self) -> &'static str {
        match self {
            Engine::Compose => "compose",
            Engine::Quadlet => "quadlet",
            Engine::Fleet => "fleet",
            Engine::DockerRun => "docker-run",
            Engine::PodmanRun => "podman-run",
            Engine::Unraid => "unraid",
        }
    }
}

/// The network namespace a container's listeners live in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// Its own namespace: only published ports reach the host.
    Isolated,
    /// `network_mode: host` / `Network=host`: every listener is a host listener.
    Host,
    /// `network_mode: service:x` / `container:x`: another container's namespace.
    Shared(String),
}

/// A host address a port is published on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostAddr {
    /// Every address (`0.0.0.0`, `::`, or none given).
    Any,
    /// One address, as written (`127.0.0.1`, `::1`, `192.0.2.10`).
    Ip(String),
}

impl HostAddr {
    pub fn parse(raw: &str) -> HostAddr {
        let raw = raw.trim().trim_start_matches('[').trim_end_matches(']');
        match raw {
            "" | "0.0.0.0" | "::" | "*" => HostAddr::Any,
            other => HostAddr::Ip(other.to_string()),
        }
    }

    /// Two binds of one port on these addresses cannot both succeed.
    pub fn overlaps(&self, other: &HostAddr) -> bool {
        match (self, other) {
            (HostAddr::Any, _) | (_, HostAddr::Any) => true,
            (HostAddr::Ip(a), HostAddr::Ip(b)) => a == b,
        }
    }

    pub fn is_loopback(&self) -> bool {
        matches!(self, HostAddr::Ip(ip) if ip.starts_with("127.") || ip == "::1" || ip == "localhost")
    }

    pub fn describe(&self) -> String {
        self.words().to_string()
    }

    /// [`HostAddr::describe`], borrowed.
    pub fn words(&self) -> &str {
        match self {
            HostAddr::Any => "all addresses",
            HostAddr::Ip(ip) => ip,
        }
    }
}

/// One published port: `host_addr:host_port -> container_port/protocol`.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub host_addr: HostAddr,
    pub host_port: u16,
    pub container_port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The `ports:` entry or `PublishPort=` line.
    pub loc: Loc,
    /// The variables the entry reads (`${OPENCLAW_GATEWAY_PORT:-18789}`) and where each got
    /// its value: an env file's line, the environment of what runs compose, or `None` when
    /// nothing sets it (a default applies).
    pub vars: Vec<(String, Option<Loc>)>,
    /// Where the entry writes its host port, for the fix that edits it.
    pub host_text: HostText,
}

/// Where a compose `ports:` item writes its host port, found when the file is parsed so that
/// the fix that moves it (CL108) never parses the file again. Spans are in the entry's file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HostText {
    /// Not a compose item (a quadlet's `PublishPort=` line, a fleet cell): the entry's own
    /// text is where to look.
    Entry,
    /// A short-syntax item (`"127.0.0.1:18789:18789"`): its text, without the quotes.
    Short(Span),
    /// A long-syntax item: the text of its `published:` value, without the quotes.
    Published(Span),
    /// A long-syntax item without `published:`.
    NoPublished,
    /// The value is not the text as written (escapes, a folded or multi-line scalar, not a
    /// scalar at all).
    NotAsWritten,
}

/// Where a mount's data lives on the host.
#[derive(Debug, Clone, PartialEq)]
pub enum MountSource {
    /// A host directory or file (a bind mount).
    Bind(PathBuf),
    /// A named volume (`<project>_<name>` for compose), which Docker keeps in its own dir.
    Volume(String),
    /// Anonymous volumes and tmpfs: private to the container.
    Private,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub source: MountSource,
    /// The path inside the container.
    target: PathBuf,
    /// Whether `target` is a plain absolute spelling ([`crate::paths::plain_spelling`]),
    /// found once: every path a gateway reads is matched against each mount's target.
    plain_target: bool,
    pub read_only: bool,
    /// The `volumes:` entry or `Volume=` line.
    pub loc: Loc,
}

impl Mount {
    pub fn new(source: MountSource, target: PathBuf, read_only: bool, loc: Loc) -> Mount {
        Mount {
            source,
            plain_target: crate::paths::plain_spelling(&target) == Some(true),
            target,
            read_only,
            loc,
        }
    }

    /// The path inside the container.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// What is left of `path` below the target ([`crate::paths::below`]); `plain_path`:
    /// whether `path` is a plain absolute spelling. Two plain spellings are compared as
    /// bytes, their spellings not looked at again for each mount and path.
    fn rest_of<'p>(&self, path: &'p Path, plain_path: bool) -> Option<&'p Path> {
        if !(plain_path && self.plain_target) {
            return crate::paths::below(&self.target, path);
        }
        let target = self.target.as_os_str().as_encoded_bytes();
        let rest = path.as_os_str().as_encoded_bytes().strip_prefix(target)?;
        let rest = match rest {
            [] => rest,
            // The root, `/`, is the one plain target that ends with a `/`.
            _ if target == b"/" => rest,
            [b'/', rest @ ..] => rest,
            _ => return None,
        };
        // Any bytes are a path on Unix, the one place spellings are plain (`plain_spelling`
        // says `None` elsewhere).
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Some(Path::new(std::ffi::OsStr::from_bytes(rest)))
        }
        #[cfg(not(unix))]
        {
            let _ = rest;
            crate::paths::below(&self.target, path)
        }
    }
}

/// A gateway that runs in a container.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub engine: Engine,
    /// The container's name (`container_name`, or `<project>-<service>-1`).
    pub name: String,
    /// The compose service, quadlet file stem or fleet tenant.
    pub service: String,
    /// The file that defines it.
    pub file: PathBuf,
    /// The service's key, `[Container]` section or registry row.
    pub loc: Loc,
    pub image: Option<String>,
    /// Where the image is named (`image:`, `Image=`), when a file names it.
    pub image_loc: Option<Loc>,
    pub network: Network,
    pub published: Vec<Published>,
    pub mounts: Vec<Mount>,
    /// `gateway --bind MODE` in the container's command, and where the command is written.
    pub bind: Option<String>,
    pub bind_loc: Option<Loc>,
    /// The home of the user who runs the container (paths are shown relative to it).
    pub host_home: PathBuf,
    /// Compose `profiles:`: the service starts only when one of them is active.
    pub profiles: Option<ServiceProfiles>,
    /// Why `docker compose` refuses to start its project at all (a `${VAR:?}` with no value,
    /// a required `env_file` missing): no service of the project is created.
    pub refused: Option<String>,
    /// The command line that runs `docker compose up` it was read with: who, and where.
    pub run: Option<(String, Loc)>,
    /// The env files compose interpolates its file with, as output names them (`the
    /// project's .env`, `~/stacks/acme/prod.env` from `--env-file` or `COMPOSE_ENV_FILES`),
    /// those clawlint read; empty when compose reads none (and for other engines).
    pub env_files: Vec<String>,
    /// Other command lines that start this same container with other values (CL410).
    pub other_runs: Vec<OtherRun>,
    /// Compose projects in other directories that give this same container name (CL411):
    /// compose takes them for one project, so whichever is started last replaces the other.
    pub name_clashes: Vec<NameClash>,
    /// A quadlet's drop-ins merged into it, in the order Podman merges them (empty for
    /// other engines).
    pub drop_ins: Vec<DropIn>,
    /// A quadlet the package manager installed (under `/usr/share/containers/systemd`):
    /// where its files are, and the administrator's drop-in a fix writes instead of editing
    /// them. `None` for every other container.
    pub packaged: Option<Box<Packaged>>,
    /// The `QUADLET_UNIT_DIRS` assignment in the systemd manager's configuration that made
    /// Podman's generator read the quadlet's directory; `None` for a quadlet of the default
    /// directories and for other engines.
    pub found_through: Option<Loc>,
    /// The scan also found its state dir (a host dir it mounts as its `~/.openclaw`), and
    /// nothing starts that dir natively: the dir is this container's, not a gateway of its
    /// own (`resolve::inventory`).
    pub owns_scanned_state_dir: bool,
    /// Entries of a compose service that read variables env files beside the project set
    /// differently, when clawlint found no command that runs the project: which run names
    /// which file is unseen, so these entries are left out (CL409). `None` for most.
    pub unseen_values: Option<Box<UnseenValues>>,
    /// The gateway is a statement of a shell script the container runs (`sh -c`, a mounted
    /// `.sh`): what the script does first (seed the config, rewrite `gateway.bind`) is not
    /// read, so a config value may not be the one the gateway starts with.
    pub started_by_script: bool,
    /// Services of its compose project that run another program in its network namespace
    /// (`network_mode: service:<it>`, an image other than OpenClaw's: phioranex's socat that
    /// listens on every address and forwards to the gateway's loopback): what listens there
    /// besides the gateway is unknown.
    pub namespace_guests: Vec<String>,
    /// What the container's own command makes OpenClaw refuse (a `--port` it rejects), and
    /// where: the gateway exits 1 at every start, whatever its config says.
    pub start_refused: Option<(String, Option<Loc>)>,
}

impl Container {
    /// A container of `engine` defined at `loc` in `file`, with nothing published or
    /// mounted, on its own network: each engine fills in what it reads.
    pub fn new(engine: Engine, name: String, service: String, file: PathBuf, loc: Loc) -> Self {
        Container {
            engine,
            name,
            service,
            file,
            loc,
            image: None,
            image_loc: None,
            network: Network::Isolated,
            published: Vec::new(),
            mounts: Vec::new(),
            bind: None,
            bind_loc: None,
            host_home: PathBuf::new(),
            profiles: None,
            refused: None,
            run: None,
            env_files: Vec::new(),
            other_runs: Vec::new(),
            name_clashes: Vec::new(),
            drop_ins: Vec::new(),
            packaged: None,
            found_through: None,
            owns_scanned_state_dir: false,
            unseen_values: None,
            started_by_script: false,
            namespace_guests: Vec::new(),
            start_refused: None,
        }
    }
}

/// A compose service's entries that read variables whose values clawlint cannot see: env
/// files beside the project set them differently from the project's `.env` and clawlint
/// found no command that runs the project (which file a run names is unseen), or the command
/// that runs it has values clawlint cannot see (`--env-file "$ENV_FILE"`) and no env file it
/// read sets them, or they lie in the home of whoever runs compose and no home is scanned.
/// What they publish or mount is unverifiable: it takes part in no comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct UnseenValues {
    pub cause: UnseenCause,
    pub entries: Vec<UnverifiedEntry>,
    /// The project's name when every run with one of `files` gives it the same one (none of
    /// them sets COMPOSE_PROJECT_NAME): compose then takes each run for the same project, and
    /// the last `up` replaces the containers the one before started.
    pub same_project: Option<String>,
}

/// A `ports:`, `volumes:`, `environment:`, `command:` or `entrypoint:` entry left out for
/// [`UnseenValues`] (a command is kept, since it says what runs; what its words set is not
/// guessed).
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedEntry {
    /// `ports`, `volumes`, `environment`, `command` or `entrypoint`.
    pub key: &'static str,
    pub loc: Loc,
    /// `reads ${OPENCLAW_GATEWAY_PORT}, which .env.dev and .env.prd set differently from the
    /// project's .env`.
    pub why: String,
    /// A `volumes` entry's path inside the container: what is below it is unknown.
    pub target: Option<PathBuf>,
    /// The variable an `environment` entry sets: what OpenClaw resolves from it is unknown.
    pub variable: Option<String>,
}

/// Why a compose service's entries have values clawlint cannot see.
#[derive(Debug, Clone, PartialEq)]
pub enum UnseenCause {
    /// The env files beside the project, by name (`.env.dev`, `.env.prd`), that a command
    /// clawlint did not find may name.
    EnvFiles(Vec<String>),
    /// Why the command that runs the project leaves values unseen (`start.sh:14 has values
    /// clawlint cannot see ($ENV_FILE)`).
    Run(String),
    /// `~` or `$HOME` of the account that runs compose, when no home is scanned.
    Home,
    /// The program the entrypoint runs (`/app/entrypoint.ts`), which clawlint cannot read: it
    /// starts the gateway with options clawlint cannot see.
    Program(String),
}

impl UnseenValues {
    /// Why clawlint cannot see them, in words.
    pub fn because(&self) -> String {
        match &self.cause {
            UnseenCause::Run(run) => run.clone(),
            UnseenCause::EnvFiles(files) => format!(
                "env files beside the project ({}) that a command clawlint did not find may name",
                files.join(", ")
            ),
            UnseenCause::Home => {
                "the home of the account that runs docker compose, which is not scanned".to_string()
            }
            UnseenCause::Program(program) => {
                format!("its entrypoint runs {program}, which clawlint cannot read")
            }
        }
    }

    /// `path` (inside the container) is below a mount left out: where it lies is unknown.
    pub fn hides(&self, path: &Path) -> bool {
        self.entries
            .iter()
            .filter_map(|e| e.target.as_deref())
            .any(|target| crate::paths::below(target, path).is_some())
    }
}

/// Where a packaged quadlet's files lie, and the drop-in under `/etc/containers/systemd`
/// that overrides them. A package update replaces its files (an edit there is undone, or
/// stops the update), so an administrator overrides a packaged unit with a drop-in in the
/// directory Podman reads before it (podman-systemd.unit(5): "System administrator's defined
/// quadlets").
#[derive(Debug, Clone, PartialEq)]
pub struct Packaged {
    /// The package manager's tree (`<root>/usr/share/containers/systemd`): a file under it
    /// is the package's.
    pub tree: PathBuf,
    /// `drop_in_path`, registered to be created ([`crate::source::SourceMap::add_new`]);
    /// `None` when a file is there already.
    pub drop_in: Option<crate::source::FileId>,
    /// `<root>/etc/containers/systemd/<the quadlet's directory below the tree>/<unit>.d/`
    /// and a name that sorts after every drop-in of the unit ([`Packaged::drop_in_name`]).
    pub drop_in_path: PathBuf,
}

impl Packaged {
    /// The name clawlint's drop-in has when no drop-in of the unit sorts after it: after the
    /// usual `10-*.conf` .. `90-*.conf`.
    pub const DROP_IN_NAME: &'static str = "99-clawlint.conf";

    /// The name of the drop-in clawlint writes for a unit whose drop-ins (in every directory
    /// Podman looks in, whatever they set) have the file names `existing`: Podman merges a
    /// unit's drop-ins in file-name order, bytewise (`loadUnitDropins`' `sort.Strings`), so
    /// the last one wins and the fix must sort after every one. [`Packaged::DROP_IN_NAME`]
    /// when it does; else the last name with `_clawlint` before its `.conf` (`_` sorts after
    /// `.`, so the new name sorts right after that one: `override.conf` gives
    /// `override_clawlint.conf`).
    pub fn drop_in_name<'a>(existing: impl IntoIterator<Item = &'a OsStr>) -> OsString {
        let default = OsStr::new(Self::DROP_IN_NAME);
        match existing.into_iter().filter(|name| *name >= default).max() {
            None => default.to_os_string(),
            Some(last) => {
                // The stem is `last` up to its last `.` (all of `.conf`, a hidden file's name).
                let mut name = Path::new(last).file_stem().unwrap_or(last).to_os_string();
                name.push("_clawlint.conf");
                name
            }
        }
    }
}

/// A drop-in Podman's quadlet generator merges into a quadlet, and why it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct DropIn {
    pub path: PathBuf,
    /// The start of the file.
    pub loc: Loc,
    /// The drop-in directory it is in, by name: which quadlets it applies to (the unit's
    /// own `openclaw.container.d`, a template's `tpl@.container.d`, a name prefix's
    /// `openclaw-.container.d`, or every quadlet of the type's `container.d`).
    pub dir_name: String,
    /// Drop-ins of the same file name in later directories, which it hides (Podman takes
    /// the first of a name).
    pub hides: Vec<PathBuf>,
    /// For a drop-in Podman never reads because the first of its name sets nothing (an
    /// empty file, or a link to `/dev/null`): that file, which masks it. `loc` is then the
    /// masking file's start.
    pub masked_by: Option<PathBuf>,
}

impl DropIn {
    /// Which quadlets its directory's name applies it to, in words.
    pub fn applies_to(&self) -> String {
        let stem = self.dir_name.strip_suffix(".d").unwrap_or(&self.dir_name);
        let (name, ext) = stem.rsplit_once('.').unwrap_or(("", stem));
        match name {
            "" => format!("every .{ext} quadlet"),
            _ if name.ends_with("-@") || name.ends_with('-') => {
                format!("every quadlet named {}*.{ext}", name.trim_end_matches('@'))
            }
            _ if name.ends_with('@') => "its template's".to_string(),
            _ => "its own".to_string(),
        }
    }
}

/// Another compose project, in another directory, that gives the same container name:
/// most often two directories of the same name (compose names a project after its
/// directory), or the same `-p`/`name:`/`container_name:`.
#[derive(Debug, Clone, PartialEq)]
pub struct NameClash {
    /// The project directory of the container as kept, and its project name.
    pub dir: PathBuf,
    pub project: String,
    /// The other project's directory and name, and its service (key) that gives the name.
    pub other_dir: PathBuf,
    pub other_project: String,
    pub other_loc: Loc,
    /// Both project names come from their directories' names (no `-p`,
    /// `COMPOSE_PROJECT_NAME` or `name:`).
    pub from_dirs: bool,
}

/// Another command line that starts the same container (the same project and service, so
/// the same container name) with values that differ from those it was read with: compose
/// recreates the container with whichever ran last, which clawlint cannot know.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherRun {
    pub by: String,
    pub loc: Loc,
    /// What differs, in words (ports and names only: never a value of the environment).
    pub differs: Vec<String>,
}

/// A compose service's `profiles:` and whether what starts the project enables one of them.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceProfiles {
    pub names: Vec<String>,
    pub state: ProfileState,
    /// The `profiles:` entry.
    pub loc: Loc,
    /// With no command found that starts the project: the scripts clawlint stopped following,
    /// any of which may (empty otherwise).
    pub stopped: Vec<StoppedFollow>,
}

/// A script clawlint stopped following (its problem, CL902 or CL907, is said there): what it
/// runs is not seen, so it may start a compose project nothing else is found to start.
#[derive(Debug, Clone, PartialEq)]
pub struct StoppedFollow {
    /// `~/bin/start-all.sh:7`.
    pub at: String,
    /// The problem said there.
    pub kind: crate::load::ProblemKind,
}

/// Whether a service behind `profiles:` is started, from the command lines clawlint found
/// that run `docker compose up` for its project (`--profile`, `COMPOSE_PROFILES` in their
/// environment or env files, the service named on the command line) or, when it found none,
/// the project's `.env`.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileState {
    /// Started: by what (`--profile openclaw in unit openclaw-stack.service`).
    Enabled(String),
    /// Every command found that starts the project leaves it out: it does not run.
    NotEnabled(String),
    /// Whether it starts cannot be known from what clawlint can read: why.
    Unverifiable(String),
}

impl ProfileState {
    pub fn id(&self) -> &'static str {
        match self {
            ProfileState::Enabled(_) => "enabled",
            ProfileState::NotEnabled(_) => "not-enabled",
            ProfileState::Unverifiable(_) => "unverifiable",
        }
    }

    pub fn why(&self) -> &str {
        match self {
            ProfileState::Enabled(w)
            | ProfileState::NotEnabled(w)
            | ProfileState::Unverifiable(w) => w,
        }
    }
}

impl ServiceProfiles {
    /// Why whether it starts cannot be read, when it cannot.
    pub fn unverifiable(&self) -> Option<&str> {
        match &self.state {
            ProfileState::Unverifiable(why) => Some(why),
            _ => None,
        }
    }

    /// `tenant-b` or `a, b`.
    pub fn list(&self) -> String {
        self.names.join(", ")
    }
}

/// Where a container path lives on the host.
#[derive(Debug, Clone, PartialEq)]
pub enum HostPath<'a> {
    /// Under a bind mount: the host path, and the mount that carries it.
    Bind(PathBuf, &'a Mount),
    /// In a named volume (shared by every container that mounts the volume).
    Volume(PathBuf, &'a Mount),
    /// In the container's own file system: no other gateway can see it.
    Private,
}

impl Network {
    pub fn describe(&self) -> String {
        match self {
            Network::Isolated => {
                "own network namespace (only published ports reach the host)".to_string()
            }
            Network::Host => "host network (every listener is on the host)".to_string(),
            Network::Shared(mode) => format!("{mode} (that container's namespace)"),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Network::Isolated => "isolated",
            Network::Host => "host",
            Network::Shared(mode) => mode,
        }
    }
}

impl Container {
    /// The container is started: no `profiles:` keeps it from running, and compose does not
    /// refuse its project.
    pub fn starts(&self) -> bool {
        self.refused.is_none()
            && !matches!(
                self.profiles.as_ref().map(|p| &p.state),
                Some(ProfileState::NotEnabled(_))
            )
    }

    /// The mount that carries `path` (the one with the longest target that contains it; of
    /// two equal targets, the later).
    pub fn mount_for(&self, path: &Path) -> Option<&Mount> {
        self.mount_and_rest(path).map(|(mount, _)| mount)
    }

    /// [`Container::mount_for`], and the part of `path` below the mount's target. The targets
    /// that contain `path` are its prefixes, so the longest leaves the shortest rest (of
    /// `path`'s own bytes); of two equal ones, the later.
    fn mount_and_rest<'p>(&self, path: &'p Path) -> Option<(&Mount, &'p Path)> {
        let mut best: Option<(&Mount, &'p Path)> = None;
        let plain_path = crate::paths::plain_spelling(path) == Some(true);
        for mount in &self.mounts {
            let Some(rest) = mount.rest_of(path, plain_path) else {
                continue;
            };
            if best.is_none_or(|(_, shortest)| rest.as_os_str().len() <= shortest.as_os_str().len())
            {
                best = Some((mount, rest));
            }
        }
        best
    }

    pub fn host_path(&self, path: &Path) -> HostPath<'_> {
        let Some((mount, rest)) = self.mount_and_rest(path) else {
            return HostPath::Private;
        };
        match &mount.source {
            MountSource::Bind(dir) => HostPath::Bind(join(dir, rest), mount),
            MountSource::Volume(name) => HostPath::Volume(join(&volume_dir(name), rest), mount),
            MountSource::Private => HostPath::Private,
        }
    }

    /// A path no other gateway has: the container's private file system, named so.
    pub fn private_path(&self, path: &Path) -> PathBuf {
        private_path_of(&self.name, path)
    }

    /// Listeners are on the host (host networking) rather than in the container's namespace.
    pub fn on_host_network(&self) -> bool {
        self.network == Network::Host
    }
}

/// How a [`Container::private_path`] begins: no path clawlint reads begins so.
const PRIVATE_PATH_START: &str = "<container ";

/// [`Container::private_path`] of the container `name`.
fn private_path_of(name: &str, path: &Path) -> PathBuf {
    let shown = path.to_string_lossy();
    let mut own = String::with_capacity(PRIVATE_PATH_START.len() + name.len() + 1 + shown.len());
    own.push_str(PRIVATE_PATH_START);
    own.push_str(name);
    own.push('>');
    own.push_str(&shown);
    PathBuf::from(own)
}

/// How a path in a service's own `/tmp` ([`private_tmp_path`]) begins.
const PRIVATE_TMP_START: &str = "<private /tmp of ";

/// `path`, under `/tmp`, as the service `name` run with `PrivateTmp=` sees it: in a `/tmp` of
/// its own, which no other process shares. `None` for a path outside `/tmp`.
pub fn private_tmp_path(name: &str, path: &Path) -> Option<PathBuf> {
    let rest = path.strip_prefix("/tmp").ok()?;
    Some(PathBuf::from(format!(
        "{PRIVATE_TMP_START}{name}>/{}",
        rest.display()
    )))
}

/// Whether `path` is a container's own file ([`Container::private_path`]) or in a service's
/// own `/tmp` ([`private_tmp_path`]): it names nothing on this host, and looked up it would
/// name a file under clawlint's working directory.
pub fn is_private_path(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.starts_with(PRIVATE_PATH_START.as_bytes())
        || bytes.starts_with(PRIVATE_TMP_START.as_bytes())
}

/// The last `--bind MODE` or `--bind=MODE` of a gateway command line, and the position of
/// the word that holds the mode.
pub fn bind_from_args(argv: &[String]) -> Option<(String, usize)> {
    let mut bind = None;
    let mut words = argv.iter().enumerate();
    while let Some((at, word)) = words.next() {
        if word == "--bind" {
            bind = words.next().map(|(i, mode)| (mode.clone(), i));
        } else if let Some(mode) = word.strip_prefix("--bind=") {
            bind = Some((mode.to_string(), at));
        }
    }
    bind
}

/// Whether a gateway command line gives the gateway's auth itself: `--auth`, `--token`,
/// `--password`, `--password-file` (what `gateway run` takes over the config).
/// Whether the command passes `--allow-unconfigured`, which lets OpenClaw start a gateway
/// whose config does not say `gateway.mode: "local"`; `None` when a word is a variable
/// nothing expanded (`$OPTS`), which may hold it.
pub fn allows_unconfigured(argv: &[String]) -> Option<bool> {
    if argv.iter().any(|w| w == "--allow-unconfigured") {
        return Some(true);
    }
    (!argv.iter().any(|w| w.contains('$'))).then_some(false)
}

pub fn gives_auth(argv: &[String]) -> bool {
    argv.iter().any(|w| {
        let flag = w.split('=').next().unwrap_or(w);
        matches!(
            flag,
            "--auth" | "--token" | "--password" | "--password-file"
        )
    })
}

/// Where a named volume's data is, as a stable name (Docker's own dir is not read).
pub fn volume_dir(name: &str) -> PathBuf {
    PathBuf::from(format!("<volume {name}>"))
}

/// `base` and below it `rest`, as [`Path::join`] spells it; `base` itself for an empty rest.
fn join(base: &Path, rest: &Path) -> PathBuf {
    match rest.as_os_str().is_empty() {
        true => base.to_path_buf(),
        false => crate::paths::join(base, rest),
    }
}

/// Where OpenClaw's fleet `allocateHostPort` starts (it goes up to 65535).
pub const FLEET_BASE_PORT: u16 = 19100;

/// The host ports the next `count` automatic `fleet create`s of a registry would take
/// (`allocateHostPort`: the first registry-unused port from 19100 up; the bind probe only
/// skips ports that are busy at that moment). One walk over the cells' ports sorted, not a
/// search of them per candidate port: a registry may hold thousands of cells.
pub fn next_fleet_allocations(used: &[u16], count: usize) -> Vec<u16> {
    let mut sorted = used.to_vec();
    sorted.sort_unstable();
    let mut used = sorted.into_iter().peekable();
    let mut out = Vec::with_capacity(count);
    let mut port = FLEET_BASE_PORT;
    while out.len() < count {
        while used.next_if(|&u| u < port).is_some() {}
        if used.next_if_eq(&port).is_none() {
            out.push(port);
        }
        let Some(next) = port.checked_add(1) else {
            break;
        };
        port = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{
        is_private_path, private_path_of, Container, Engine, HostPath, Mount, MountSource, Packaged,
    };

    /// The last bind wins, in either spelling, with the word that holds its mode.
    #[test]
    fn the_last_bind_and_where_its_mode_is() {
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let bind = |s: &str| super::bind_from_args(&words(s));
        assert_eq!(bind("gateway --bind lan --port 1"), Some(("lan".into(), 2)));
        assert_eq!(
            bind("gateway --bind lan --bind=loopback"),
            Some(("loopback".into(), 3))
        );
        assert_eq!(
            bind("gateway --bind=auto --bind custom"),
            Some(("custom".into(), 3))
        );
        assert_eq!(bind("gateway --bind"), None);
        assert_eq!(bind("gateway --port 1"), None);
    }

    /// The walk gives what the definition gives (every port from 19100 up that no cell has,
    /// in order), with cells in any order, repeated ports, ports below the band and its top.
    #[test]
    fn next_fleet_allocations_are_the_first_unused_ports() {
        let mut rng = crate::xorshift::Rng(0xf1ee);
        for round in 0..300 {
            let len = rng.below(30) as usize;
            let near = if round % 3 == 0 { 65_500 } else { 19_090 };
            let used: Vec<u16> = (0..len)
                .map(|_| (near + rng.below(40)).min(65_535) as u16)
                .collect();
            let expected: Vec<u16> = (super::FLEET_BASE_PORT..=u16::MAX)
                .filter(|p| !used.contains(p))
                .take(10)
                .collect();
            assert_eq!(
                super::next_fleet_allocations(&used, 10),
                expected,
                "round {round}: {used:?}"
            );
        }
    }
    use crate::source::{FileId, Loc, Span};
    use std::ffi::OsStr;
    use std::path::{Path, PathBuf};

    const SPELLINGS: [&str; 24] = [
        "/",
        "/home",
        "/home/node",
        "/home/node/",
        "/home/node/.openclaw",
        "/home/nodes",
        "/home/node/.openclaw/workspace",
        "/home//node",
        "/home/./node",
        "/home/node/.",
        "/home/node/..",
        "/home/node/../node",
        "/./home",
        "//home",
        "/home/node/.openclaw/",
        "home/node",
        "./home/node",
        "",
        ".",
        "/home/n\u{e9}",
        "/home/n\u{e9}/x",
        "/a/b/c",
        "/a/b",
        "/a/bc",
    ];

    /// Matched as bytes or component by component ([`crate::paths::below`], and a mount's
    /// own match with its target's spelling found once), a path is below a dir exactly when
    /// `Path::strip_prefix` says so, with the same rest, for every spelling a mount target or
    /// a container path takes.
    #[test]
    fn below_agrees_with_strip_prefix() {
        for path in SPELLINGS {
            for dir in SPELLINGS {
                let (path, dir) = (Path::new(path), Path::new(dir));
                let expected = path.strip_prefix(dir).ok();
                assert_eq!(
                    crate::paths::below(dir, path),
                    expected,
                    "{path:?} below {dir:?}"
                );
                let target = mount(MountSource::Private, dir.to_str().unwrap());
                let plain_path = crate::paths::plain_spelling(path) == Some(true);
                let rest = target.rest_of(path, plain_path);
                assert_eq!(rest, expected, "{path:?} below the mount at {dir:?}");
            }
        }
    }

    fn mount(source: MountSource, target: &str) -> Mount {
        let loc = Loc {
            file: FileId(0),
            span: Span::new(0, 0),
        };
        Mount::new(source, PathBuf::from(target), false, loc)
    }

    fn container(mounts: Vec<Mount>) -> Container {
        let loc = mounts[0].loc;
        Container {
            mounts,
            host_home: PathBuf::from("/home/u"),
            ..Container::new(
                Engine::Compose,
                "s-openclaw-1".to_string(),
                "openclaw".to_string(),
                PathBuf::from("/srv/s/compose.yaml"),
                loc,
            )
        }
    }

    /// The longest target that contains a path carries it, however the targets are spelled
    /// or ordered; of two equal targets the later; a path beside a target is the container's.
    #[test]
    fn the_longest_containing_target_carries_a_path() {
        let bind = |dir: &str| MountSource::Bind(PathBuf::from(dir));
        let c = container(vec![
            mount(bind("/srv/deep"), "/home/node/.openclaw/workspace"),
            mount(bind("/srv/state"), "/home/node/.openclaw/"),
            mount(
                MountSource::Volume("s_cfg".to_string()),
                "/home/node/.config",
            ),
            mount(bind("/srv/first"), "/data"),
            mount(bind("/srv/second/"), "/data"),
            mount(MountSource::Private, "/tmp"),
        ]);
        let host = |path: &str| match c.host_path(Path::new(path)) {
            HostPath::Bind(host, _) => format!("bind {}", host.display()),
            HostPath::Volume(host, _) => format!("volume {}", host.display()),
            HostPath::Private => "private".to_string(),
        };
        assert_eq!(host("/home/node/.openclaw"), "bind /srv/state");
        assert_eq!(
            host("/home/node/.openclaw/a.json"),
            "bind /srv/state/a.json"
        );
        assert_eq!(host("/home/node/.openclaw/workspace/x"), "bind /srv/deep/x");
        assert_eq!(
            host("/home/node/.openclaw//workspace/x"),
            "bind /srv/deep/x"
        );
        assert_eq!(host("/home/node/.openclawx"), "private");
        assert_eq!(host("/home/node/.config/o/k"), "volume <volume s_cfg>/o/k");
        assert_eq!(host("/data/f"), "bind /srv/second/f");
        assert_eq!(host("/tmp/x"), "private");
        assert_eq!(host("/"), "private");
    }

    /// A container's own file is told from every path of the layout, relative or not.
    #[test]
    fn a_containers_own_file_is_told_from_the_layouts() {
        let own = private_path_of("s1-openclaw-gateway-1", Path::new("/app/.env"));
        assert_eq!(own, Path::new("<container s1-openclaw-gateway-1>/app/.env"));
        assert!(is_private_path(&own));
        for path in [
            "/app/.env",
            "app/.env",
            "fixtures/x/clawlint.toml",
            "<c>/x",
            "",
        ] {
            assert!(!is_private_path(Path::new(path)), "{path}");
        }
    }

    fn name_after(existing: &[&str]) -> String {
        let name = Packaged::drop_in_name(existing.iter().map(OsStr::new));
        name.to_string_lossy().into_owned()
    }

    /// The drop-in a fix writes sorts after every drop-in of the unit, bytewise as Podman
    /// sorts them, whatever they are named.
    #[test]
    fn the_fix_drop_in_sorts_after_every_drop_in_of_the_unit() {
        assert_eq!(name_after(&[]), "99-clawlint.conf");
        assert_eq!(
            name_after(&["10-ports.conf", "90-x.conf"]),
            "99-clawlint.conf"
        );
        for existing in [
            &["10-ports.conf", "override.conf"][..],
            &["99-clawlint.conf"],
            &["99-z.conf", "Z.conf", "a.conf"],
            &[".conf", "~.conf"],
            &["zz\u{e9}t\u{e9}.conf", "99-clawlint.conf"],
        ] {
            let name = name_after(existing);
            assert!(name.ends_with("_clawlint.conf"), "{existing:?}: {name}");
            for other in existing {
                assert!(name.as_str() > *other, "{existing:?}: {name} <= {other}");
            }
        }
        assert_eq!(name_after(&["override.conf"]), "override_clawlint.conf");
    }
}
