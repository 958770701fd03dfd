//! What discover produces and resolve consumes: how each gateway is started
//! ([`Invocation`]), the supervisor that starts it ([`ServiceFile`]), where every value came
//! from ([`Origin`], [`Sourced`]), and everything one discovery found ([`Found`]).
//!
//! This vocabulary sits below both stages, so discover never needs resolve: it returns a
//! [`Found`], and resolve turns that into the inventory of resolved instances.

use crate::load::env::{Env, EnvOrigin};
use crate::load::Problem;
use crate::source::{Loc, SourceMap};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a resolved value came from.
///
/// 24 bytes: an origin is in every [`Sourced`] value of every gateway, so every variant
/// larger than a file location or a reason is behind a pointer (inline, the environment and
/// argument variants made every origin 64 bytes). A derivation is shared (`Arc`): derived
/// origins are cloned into listeners, agents, findings and fixes, and a boxed one was a fresh
/// allocation at every clone. The others stay boxed: most are never cloned, and an `Arc`'s
/// counts made each of them larger (all shared, the instances of 10,000 gateways held 1 MiB
/// more).
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A value written in a config file (through any include chain).
    Config(Loc),
    /// An environment variable, and who set it.
    Env(Box<EnvSet>),
    /// A config string with `${VAR}` substituted into it.
    Substituted(Box<Substitution>),
    /// A command-line argument of the gateway process (from a unit's `ExecStart`, a manifest,
    /// or what clawlint was told).
    Cli(Box<CliArg>),
    /// OpenClaw's built-in default, with a short reason (most are fixed words, not copied).
    Default(Cow<'static, str>),
    /// Computed from another value, e.g. `gateway port + 2`.
    Derived(Arc<Derivation>),
    /// A fact the layout shows outside any config, env or argument: the `version` of an
    /// installed OpenClaw's `package.json`, an image tag, a versioned install path.
    Layout(Box<LayoutFact>),
    /// A container path that is this host path through a mount (the `volumes:` entry).
    Mounted(Box<Mount>),
}

/// [`Origin::Env`]: the variable, and who set it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvSet {
    /// Most are OpenClaw's own variables, named by the program's words.
    pub var: Cow<'static, str>,
    pub set_by: EnvOrigin,
}

/// [`Origin::Cli`]: the argument, and where it is written when a file shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CliArg {
    pub arg: String,
    pub loc: Option<Loc>,
}

/// [`Origin::Derived`]: the value it is computed from, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Derivation {
    /// Shared: a gateway derives several listeners and paths from one port or directory, and
    /// a copy of the base in each was a few hundred bytes per gateway.
    pub base: Arc<Origin>,
    /// Most formulas are fixed words or numbers in fixed words, not text made per gateway.
    pub formula: Formula,
}

/// How a derived value is computed, in words: fixed or given words, or fixed words around
/// numbers (`18789 + 2`), kept as the numbers and written out only when shown. Every gateway
/// derives several ports this way and few of them are ever shown.
#[derive(Debug, Clone)]
pub enum Formula {
    Words(Cow<'static, str>),
    /// A template whose `{}` are the numbers, in order: `("{} + 2", [18789, 0])`.
    Numbers(&'static str, [u32; 2]),
}

impl Formula {
    /// The formula's words.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Formula::Words(words) => Cow::Borrowed(words),
            numbers => Cow::Owned(numbers.to_string()),
        }
    }
}

/// A piece of a formula's words: fixed words, or one of its numbers.
enum Piece<'a> {
    Words(&'a str),
    Number(u32),
}

impl Formula {
    /// Hands each piece of the formula's words to `piece`, in order (stopping at an error):
    /// the one reading of a template, for `Display` and for [`Wording`](crate::diagnostic::Wording).
    fn each_piece(&self, mut piece: impl FnMut(Piece<'_>) -> std::fmt::Result) -> std::fmt::Result {
        match self {
            Formula::Words(words) => piece(Piece::Words(words)),
            Formula::Numbers(template, numbers) => {
                // Each `{}` found by its `{` (a byte search): `split("{}")` set up a substring
                // search for every formula shown, most of the cost of a party's words.
                let mut numbers = numbers.iter();
                let (mut rest, mut from) = (*template, 0);
                while let Some(at) = rest[from..].find('{').map(|k| from + k) {
                    if rest[at + 1..].starts_with('}') {
                        piece(Piece::Words(&rest[..at]))?;
                        piece(Piece::Number(numbers.next().copied().unwrap_or_default()))?;
                        (rest, from) = (&rest[at + 2..], 0);
                    } else {
                        from = at + 1;
                    }
                }
                piece(Piece::Words(rest))
            }
        }
    }
}

impl std::fmt::Display for Formula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.each_piece(|piece| match piece {
            Piece::Words(words) => f.write_str(words),
            Piece::Number(n) => write!(f, "{n}"),
        })
    }
}

/// Written word by word and number by number: the formula of each derived port a party
/// names (`= 18789 + 2`), for thousands of findings, without `write!`'s template.
impl crate::diagnostic::Wording for Formula {
    fn write_words(&self, out: &mut String) {
        use crate::diagnostic::Words;
        let _ = self.each_piece(|piece| {
            match piece {
                Piece::Words(words) => out.words(words),
                Piece::Number(n) => out.number(n),
            };
            Ok(())
        });
    }
}

/// Formulas are equal when their words are.
impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Formula::Words(a), Formula::Words(b)) => a == b,
            (Formula::Numbers(t, a), Formula::Numbers(u, b)) if t == u => a == b,
            _ => self.text() == other.text(),
        }
    }
}

impl PartialEq<str> for Formula {
    fn eq(&self, other: &str) -> bool {
        self.text() == other
    }
}

impl From<&'static str> for Formula {
    fn from(words: &'static str) -> Self {
        Formula::Words(Cow::Borrowed(words))
    }
}

impl From<String> for Formula {
    fn from(words: String) -> Self {
        Formula::Words(Cow::Owned(words))
    }
}

impl From<Cow<'static, str>> for Formula {
    fn from(words: Cow<'static, str>) -> Self {
        Formula::Words(words)
    }
}

/// [`Origin::Layout`]: what the layout shows, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutFact {
    pub what: String,
    pub loc: Option<Loc>,
}

/// [`Origin::Mounted`]: the host value's origin, the path in the container, and the mount.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub base: Origin,
    pub container_path: PathBuf,
    pub mount: Loc,
}

impl Origin {
    /// The file location this value can be shown at, following derivations to their base.
    pub fn loc(&self) -> Option<Loc> {
        match self {
            Origin::Config(loc) => Some(*loc),
            Origin::Substituted(s) => Some(s.loc),
            Origin::Env(env) => env.set_by.loc(),
            Origin::Cli(cli) => cli.loc,
            Origin::Default(_) => None,
            Origin::Layout(fact) => fact.loc,
            Origin::Derived(derived) => derived.base.loc(),
            Origin::Mounted(mounted) => Some(mounted.mount),
        }
    }

    /// How the value came about, in words, without file positions (labels show those).
    pub fn summary(&self) -> String {
        match self {
            Origin::Config(_) => "set in config".to_string(),
            Origin::Env(env) => format!("{} {}", env.var, set_by_words(&env.set_by)),
            Origin::Substituted(s) => {
                let var = &s.var;
                format!("${{{var}}} in config, {var} {}", set_by_words(&s.set_by))
            }
            Origin::Cli(cli) => format!("argument {}", cli.arg),
            Origin::Default(reason) => reason.to_string(),
            Origin::Layout(fact) => fact.what.clone(),
            Origin::Derived(derived) => {
                format!("{}; {}", derived.formula, derived.base.summary())
            }
            Origin::Mounted(mounted) => format!(
                "mounted at {} in the container; {}",
                mounted.container_path.display(),
                mounted.base.summary()
            ),
        }
    }

    /// The arithmetic, when the value was computed: `18787 + 2`.
    pub fn formula(&self) -> Option<&Formula> {
        match self {
            Origin::Derived(derived) => Some(&derived.formula),
            _ => None,
        }
    }

    /// [`Origin::Env`]: `var`, set by `set_by`.
    pub fn env(var: impl Into<Cow<'static, str>>, set_by: EnvOrigin) -> Origin {
        Origin::Env(Box::new(EnvSet {
            var: var.into(),
            set_by,
        }))
    }

    /// [`Origin::Cli`]: the argument `arg`, written at `loc` when a file shows it.
    pub fn cli(arg: impl Into<String>, loc: Option<Loc>) -> Origin {
        Origin::Cli(Box::new(CliArg {
            arg: arg.into(),
            loc,
        }))
    }

    /// [`Origin::Layout`]: `what` the layout shows, at `loc`.
    pub fn layout(what: impl Into<String>, loc: Option<Loc>) -> Origin {
        Origin::Layout(Box::new(LayoutFact {
            what: what.into(),
            loc,
        }))
    }

    /// [`Origin::Mounted`]: a host value (from `base`) seen at `container_path` through `mount`.
    pub fn mounted(base: Origin, container_path: PathBuf, mount: Loc) -> Origin {
        Origin::Mounted(Box::new(Mount {
            base,
            container_path,
            mount,
        }))
    }

    /// The variable a value was interpolated from and the line that sets it: `${VAR}` in a
    /// config, or a compose `environment` entry that interpolates one variable.
    pub fn set_through(&self) -> Option<(&str, Loc)> {
        match self {
            Origin::Substituted(s) => Some((&s.var, s.set_by.loc()?)),
            Origin::Env(env) => env.set_by.set_through(),
            _ => None,
        }
    }

    /// [`Origin::Substituted`]: `${var}` written at `loc`, `var` set by `set_by`.
    pub fn substituted(loc: Loc, var: String, set_by: EnvOrigin) -> Origin {
        Origin::Substituted(Box::new(Substitution { loc, var, set_by }))
    }

    /// A value computed from this one (`formula`). Takes the origin: most bases are made for
    /// the derivation, and a copy of an environment or argument origin was one more block per
    /// derived value.
    pub fn derived(self, formula: impl Into<Formula>) -> Origin {
        Origin::derived_from(&Arc::new(self), formula)
    }

    /// [`Origin::derived`] from a base that several values share.
    pub fn derived_from(base: &Arc<Origin>, formula: impl Into<Formula>) -> Origin {
        Origin::Derived(Arc::new(Derivation {
            base: Arc::clone(base),
            formula: formula.into(),
        }))
    }
}

fn set_by_words(set_by: &EnvOrigin) -> String {
    match set_by {
        EnvOrigin::Given => "in the environment".to_string(),
        EnvOrigin::ProfileFlag { flag } => format!("set by {flag}"),
        EnvOrigin::DotEnv(_) => "set in a .env file".to_string(),
        EnvOrigin::ConfigEnv(_) => "set in the config's env.vars".to_string(),
        EnvOrigin::Service(_) => "set by the service unit".to_string(),
        EnvOrigin::Container(_) | EnvOrigin::ContainerVar(_) => {
            "set by the container definition".to_string()
        }
    }
}

/// A config string with `${VAR}` substituted into it: where, which variable, who set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Substitution {
    pub loc: Loc,
    pub var: String,
    pub set_by: EnvOrigin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }
}

/// Which kind of supervisor a service file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    /// A systemd user unit (`~/.config/systemd/user/*.service`).
    SystemdUser,
    /// A systemd system unit (`/etc/systemd/system`, `/usr/lib/systemd/system`, ...).
    SystemdSystem,
    /// A launchd job (`~/Library/LaunchAgents`, `/Library/LaunchDaemons`, ...).
    Launchd,
    /// A Windows Scheduled Task's `gateway.cmd` script.
    WindowsTask,
}

impl ServiceKind {
    /// The name shown in output and JSON: `systemd-user`, `systemd-system`, `launchd`,
    /// `windows-task`.
    pub fn id(self) -> &'static str {
        match self {
            ServiceKind::SystemdUser => "systemd-user",
            ServiceKind::SystemdSystem => "systemd-system",
            ServiceKind::Launchd => "launchd",
            ServiceKind::WindowsTask => "windows-task",
        }
    }

    pub fn is_systemd(self) -> bool {
        matches!(self, ServiceKind::SystemdUser | ServiceKind::SystemdSystem)
    }
}

impl std::fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The supervisor that starts a gateway: a systemd unit, a launchd job or a Windows task.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFile {
    pub kind: ServiceKind,
    pub path: PathBuf,
    /// The unit file name (`openclaw-gateway-rescue.service`) or launchd label.
    pub name: String,
    /// Where it says how the gateway starts (`ExecStart=`, `ProgramArguments`).
    pub loc: Loc,
    /// `Restart=` and where.
    pub restart: Option<Sourced<String>>,
    /// `RestartPreventExitStatus=` tokens.
    pub prevent_exit_status: Vec<String>,
    /// `SuccessExitStatus=` tokens: a clean exit, which `Restart=on-failure` does not restart.
    pub success_exit_status: Vec<String>,
    /// The gateway port this supervisor starts it on, if it says.
    pub port: Option<Sourced<u16>>,
    /// Where this supervisor sets `OPENCLAW_STATE_DIR`, if it does.
    pub state_dir_loc: Option<Loc>,
    /// How clawlint knows it starts this gateway; what it could not see.
    pub how: ServiceEvidence,
}

/// A part of a systemd manager's environment, which clawlint reads up to a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerEnvPart {
    /// `DefaultEnvironment=` in the manager's configuration (`system.conf`, `user.conf`, their
    /// `.d` drop-ins).
    DefaultEnvironment,
    /// The user manager's environment.d(5) files, read over its `DefaultEnvironment=`.
    EnvironmentD,
}

impl std::fmt::Display for ManagerEnvPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ManagerEnvPart::DefaultEnvironment => "the systemd manager's DefaultEnvironment=",
            ManagerEnvPart::EnvironmentD => "the user manager's environment.d files",
        })
    }
}

/// How a supervisor was read: the instance of a template unit, the drop-ins merged into it,
/// the wrappers between it and OpenClaw, and what could not be seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceEvidence {
    /// `NAME` of `openclaw-gateway@NAME.service`, with the link that enables it.
    pub instance: Option<(String, PathBuf)>,
    /// A unit that is not enabled itself but started because an enabled unit's `Wants=`/
    /// `Requires=`/`BindsTo=`/`Upholds=` names it: that unit's file.
    pub pulled_in_by: Option<PathBuf>,
    /// Installed, not enabled: it runs only when someone starts it. It decides how the
    /// gateway of a scanned state dir it names starts, and is never a gateway of its own nor
    /// a second supervisor (resolve's inventory).
    pub not_enabled: bool,
    /// Drop-in files merged in systemd's order.
    pub drop_ins: Vec<PathBuf>,
    /// Wrappers removed, outermost first (`bash -lc`, `op run`, `script start.sh`).
    pub wrappers: Vec<String>,
    /// What the command depends on that clawlint cannot read.
    pub unseen: Vec<String>,
    /// Set when what the supervisor runs cannot be read at all (an unreadable or opaque
    /// wrapper): why. Its arguments (`--port`, `--profile`) are then unknown, so every value
    /// that would come from OpenClaw's defaults is unverifiable, not guessed.
    pub opaque: Option<String>,
    /// A wrapper that adds environment variables clawlint cannot read (`op run`): a `${VAR}`
    /// it may provide is unverifiable, not missing.
    pub injects_env: Option<String>,
    /// What a template instance keeps per instance (an `EnvironmentFile=` or
    /// `WorkingDirectory=` written with `%i`), on the layout: a scanned profile dir that holds
    /// one belongs to this unit.
    pub instance_paths: Vec<PathBuf>,
    /// Scanned profile dirs that hold this unit's per-instance files while it runs another
    /// state dir (set by the inventory): the unit's own dirs, not gateways of their own.
    pub own_dirs: Vec<PathBuf>,
    /// Variables the command may or may not get (a conditional `export` in its shell, a
    /// `set` in a batch `if` clawlint does not evaluate), sorted: what OpenClaw resolves from
    /// them (port, profile, state dir, config path) is unverifiable.
    pub maybe_set: Vec<String>,
    /// Variables the command gets with a value clawlint cannot work out (made of a shell
    /// variable with no value, or of a command substitution it does not evaluate), sorted:
    /// what OpenClaw resolves from them is unverifiable, as for `maybe_set`.
    pub unknown_values: Vec<String>,
    /// Variables the systemd manager's `DefaultEnvironment=` may set past where clawlint
    /// stopped reading it (its budget) and that nothing of higher precedence (the unit's own
    /// environment) sets, sorted: what OpenClaw resolves from them is unverifiable, as for
    /// `maybe_set`.
    pub manager_may_set: Vec<String>,
    /// Which part of the manager's environment clawlint read only up to its budget (the
    /// first, when both were), whatever the unit sets itself.
    pub manager_unread: Option<ManagerEnvPart>,
    /// It runs `gateway start`: it starts the gateway's installed service instead of being a
    /// second supervisor of it.
    pub starts_installed_service: bool,
    /// Why OpenClaw refuses the command before it starts anything, after the supervisor's
    /// name ("passes --port 99999, which …"; a `gateway start` given an option `start` does
    /// not take): no gateway is then started by it.
    pub start_refused: Option<String>,
    /// The OpenClaw release its command runs, when the layout shows it: a versioned program
    /// path, or the `package.json` of the installation the program lies in.
    pub release: Option<Sourced<String>>,
    /// It runs with a `/tmp` of its own (`PrivateTmp=`, or `DynamicUser=`, which implies it):
    /// what the gateway writes under `/tmp` (its default log) no other process sees.
    pub private_tmp: bool,
}

/// How clawlint learned of a gateway.
#[derive(Debug, Clone, PartialEq)]
pub enum Discovery {
    /// A state directory found in the scanned home.
    HomeDir(PathBuf),
    /// A config file named on the command line.
    ConfigArg(PathBuf),
    /// A conformance case or other explicit description.
    Given,
    /// A service unit or launchd job.
    Service(PathBuf),
    /// A container definition: a compose file, a quadlet, a fleet registry.
    Container(PathBuf),
}

/// How a gateway is started: the inputs OpenClaw resolves everything from.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The name clawlint shows for this gateway.
    pub name: String,
    pub discovery: Discovery,
    /// `HOME` of the process (the OS home).
    pub home: PathBuf,
    /// Working directory of the process: relative paths resolve against it.
    pub cwd: PathBuf,
    /// The root `--profile NAME` flag, if any.
    pub profile_flag: Option<String>,
    /// The root `--dev` flag.
    pub dev: bool,
    /// The environment the process starts with.
    pub env: Env,
    /// `gateway --port N`.
    pub port_arg: Option<Sourced<u16>>,
    /// `gateway --bind MODE` on the command line (a container's is its `Container::bind`).
    pub bind_arg: Option<Sourced<String>>,
    /// The command line gives the gateway's auth itself (`--auth`, `--token`, `--password`,
    /// `--password-file`): what auth it runs with is not read from files.
    pub auth_args: bool,
    /// Whether the command passes `--allow-unconfigured` ([`crate::container::allows_unconfigured`]);
    /// `None` when the command is not known (a profile dir found by the scan, a trigger that
    /// starts an installed service, a variable nothing expanded).
    pub allow_unconfigured: Option<bool>,
    /// The supervisor that starts it, when it comes from one (boxed: 552 bytes inline, in
    /// every invocation of a host whose gateways are mostly state dirs with none; discover's
    /// lists of 10,000 such invocations were 7.9 MB, grown by doubling to 13 MB twice).
    pub service: Option<Box<ServiceFile>>,
    /// The container it runs in, when it runs in one.
    pub container: Option<Box<crate::container::Container>>,
    /// The home its supervisor's absolute paths were written under (`/root`, `/home/ana`),
    /// which the scanned `home` stands for: absolute paths under it in the gateway's config
    /// are read under `home` too, as the supervisor's own are.
    pub written_home: Option<String>,
}

/// Everything one discovery found, nothing resolved yet.
#[derive(Debug, Default)]
pub struct Found {
    /// Every file read so far (service units, env files, plists, task scripts).
    pub sources: SourceMap,
    /// Gateways from state dirs in the scanned homes, config files named on the command line
    /// and the manifest, in that order.
    pub invocations: Vec<Invocation>,
    /// Gateways that a supervisor starts, each with its [`ServiceFile`], in scan order. A
    /// supervisor and a state dir that describe the same gateway are merged by resolve.
    pub supervised: Vec<Invocation>,
    /// Problems with files that belong to no gateway (a unit that cannot be read).
    pub problems: Vec<Problem>,
    /// Where discover looked, in the order it looked (CL910 says so when it finds nothing).
    pub searched: Vec<Searched>,
    /// The release every gateway runs, when the user says (`--openclaw-version`, clawlint.toml):
    /// resolve then gives the port that release gives (a named profile's hash port from 2026.8.2).
    pub release: Option<String>,
}

/// A directory discover looked in for gateways, and what it looked for there.
#[derive(Debug, Clone, PartialEq)]
pub struct Searched {
    /// A directory searched, or a compose file named.
    pub dir: PathBuf,
    /// What it looks for there, in words (`systemd user units`).
    pub what: Vec<&'static str>,
    /// The directory was there to be read (a missing one is no error: most hosts lack most).
    pub exists: bool,
}

impl Searched {
    /// `what` looked for at `dir`.
    pub fn new(dir: &std::path::Path, what: &'static str) -> Searched {
        Searched {
            dir: dir.to_path_buf(),
            what: vec![what],
            // A file named (a compose file) was read: it is there too.
            exists: crate::paths::host::is_dir(dir) || crate::paths::host::is_file(dir),
        }
    }

    /// `what` looked for here too (once).
    pub fn also(&mut self, what: &'static str) {
        if !self.what.contains(&what) {
            self.what.push(what);
        }
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// Every `Sourced` value of every gateway carries an origin and most a location: a variant
    /// added inline, or a span widened, grows them all (issue 15's memory target).
    #[test]
    fn origins_and_locations_stay_small() {
        assert_eq!(std::mem::size_of::<Loc>(), 12);
        assert_eq!(std::mem::size_of::<Origin>(), 24);
        assert_eq!(std::mem::size_of::<Sourced<u16>>(), 32);
    }
}

#[cfg(test)]
mod tests {
    use super::Formula;
    use crate::diagnostic::words_of;

    /// A template's words are its pieces between `{}`s with the numbers in order, as
    /// `split("{}")` cuts it, written the same through `Display` and word by word; a `{` or
    /// `}` not part of a `{}` is a word.
    #[test]
    fn a_formula_is_its_template_with_the_numbers_in_place_of_each_pair_of_braces() {
        let templates = [
            "",
            "{}",
            "{} + 2",
            "{}, because {} + 110",
            "{{}",
            "{}}",
            "{",
            "}",
            "a{b}c{}",
            "{}{}",
            "{}{}{}",
            "x {",
            "{ {} }",
        ];
        for template in templates {
            let mut numbers = [18789u32, 7].into_iter();
            let mut pieces = template.split("{}");
            let mut expected = pieces.next().unwrap().to_string();
            for piece in pieces {
                expected += &numbers.next().unwrap_or_default().to_string();
                expected += piece;
            }
            let formula = Formula::Numbers(template, [18789, 7]);
            assert_eq!(formula.to_string(), expected, "{template:?}");
            assert_eq!(words_of(&formula), expected, "{template:?}");
        }
    }
}
