//! Supervisors: systemd units and launchd jobs that start gateways. Each becomes an
//! invocation with the unit's environment and arguments, every value pointing into the unit.
//!
//! Units carry the absolute paths of the machine they were written on (`/home/u/...`). Paths
//! under the unit's `HOME` are read under the scanned home, and other absolute paths under
//! `--root` when one is given, so that a copied host layout lints like the host.

use super::command;
use super::compose::{self, runs::ComposeRun};
use super::launchd;
use super::systemd::{self, SpecifierContext, UnitFile};
use crate::invocation::{
    Discovery, Invocation, ManagerEnvPart, Origin, ServiceEvidence, ServiceFile, ServiceKind,
    Sourced,
};
use crate::load::cache::{ServiceFiles, UnitRead};
use crate::load::env::{Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{ReadError, SMALL_FILE_LIMIT};
use crate::load::{unreadable, Problem};
use crate::source::{FileId, LineIndex, Loc, SourceMap};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

mod manager;
mod scripts;
use super::container_run;
pub use manager::DROP_IN_ENTRY_BUDGET as MANAGER_DROP_IN_ENTRY_BUDGET;
pub use manager::{MAX_MANAGER_ENV_BYTES, MAX_MANAGER_VARIABLES};
pub use scripts::MAX_NOTES as MAX_SCRIPT_NOTES;
pub use scripts::MAX_SCRIPT_DEPTH;
use scripts::MAX_SCRIPT_READS;
pub use scripts::MAX_SOURCED_BYTES as MAX_SCRIPT_SOURCED_BYTES;
use scripts::{mentions_compose, supervisor_compose_runs};

/// A supervisor file found on the host. For an enabled instance of a template unit
/// (`openclaw-gateway@.service` enabled as `openclaw-gateway@ops.service` through a
/// `*.target.wants/` link) the file is the template and `instance` names the instance and
/// the link.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundService {
    pub file: PathBuf,
    pub kind: ServiceKind,
    pub instance: Option<(String, PathBuf)>,
    /// Started only because an enabled unit pulls it in (`Wants=`, `Requires=`): that unit.
    pub pulled_in_by: Option<PathBuf>,
    /// Installed but not enabled, pulled in or marked running: systemd runs it only when
    /// someone starts it (`systemctl start`, a tool such as lostsock1/ocm's `ocm start`).
    pub not_enabled: bool,
}

/// The scanned home a LaunchDaemon under `--root` runs in, when the host has several: the
/// one its `HOME=` spells (the scanned home's path ends with it, or has its last name), else its
/// `UserName`'s ([`account_home`]). `None` when not exactly one scanned home is: the job stays
/// with the first home.
pub fn daemon_home<'h>(
    found: &FoundService,
    homes: &'h [PathBuf],
    root: Option<&Path>,
) -> Option<&'h Path> {
    let root = root.filter(|_| homes.len() > 1)?;
    let daemons = root.join("Library/LaunchDaemons");
    if found.kind != ServiceKind::Launchd || !found.file.starts_with(&daemons) {
        return None;
    }
    let bytes = ServiceFiles::bytes(&found.file, SMALL_FILE_LIMIT).ok()?;
    let job = launchd::parse_plist(&bytes).ok()?;
    let home_env = (job.environment.iter()).find(|(k, _)| k == "HOME");
    if let Some((_, spelt)) = home_env {
        return spelt_home(homes, spelt);
    }
    let user = job.user_name.filter(|u| !u.is_empty() && u != "root")?;
    account_home(homes, Some(root), &user)
}

/// The scanned home of account `user`, for a system job that runs as it (a unit's `User=`, a
/// LaunchDaemon's `UserName`): the one named after it (`alice`, `home-alice`), else the one the
/// root's `/etc/passwd` gives it, spelt as [`spelt_home`] matches.
pub(crate) fn account_home<'h>(
    homes: &'h [PathBuf],
    root: Option<&Path>,
    user: &str,
) -> Option<&'h Path> {
    home_of_user(homes, user).or_else(|| spelt_home(homes, &passwd_dir(root?, user)?))
}

/// The one scanned home that `spelt` (a home as the host spells it: `/Users/ana`) names: its
/// path ends with it, or it has its last name.
fn spelt_home<'h>(homes: &'h [PathBuf], spelt: &str) -> Option<&'h Path> {
    let spelt = Path::new(spelt);
    let relative = spelt.strip_prefix("/").unwrap_or(spelt);
    let is_it = |home: &&PathBuf| {
        (!relative.as_os_str().is_empty() && home.ends_with(relative))
            || (spelt.file_name().is_some() && home.file_name() == spelt.file_name())
    };
    let mut matching = homes.iter().filter(is_it);
    match (matching.next(), matching.next()) {
        (Some(home), None) => Some(home.as_path()),
        _ => None,
    }
}

/// The home `/etc/passwd` under `root` gives `user`.
fn passwd_dir(root: &Path, user: &str) -> Option<String> {
    let passwd = ServiceFiles::text(&root.join("etc/passwd"), SMALL_FILE_LIMIT).ok()?;
    passwd
        .lines()
        .filter_map(passwd_fields)
        .find_map(|(name, _, dir)| (name == user).then(|| dir.to_string()))
}

/// A line of `/etc/passwd`: its name, uid and home.
fn passwd_fields(line: &str) -> Option<(&str, &str, &str)> {
    let fields: Vec<&str> = line.split(':').collect();
    Some((fields.first()?, fields.get(2)?, fields.get(5)?))
}

/// `<dir>/gateway.cmd` for each entry of `home` named `.openclaw*` that has one, in order.
fn task_scripts(home: &Path) -> Vec<PathBuf> {
    let Some(placed) = crate::paths::on_host(home) else {
        return Vec::new();
    };
    // The script's path is made only for a directory that has one (10,000 gateway dirs are
    // asked, few have one).
    let script = |dir: &std::ffi::OsStr| {
        let dir = crate::paths::join(&placed, dir);
        crate::paths::host::is_there_in(&dir, "gateway.cmd".as_ref())
            .then(|| crate::paths::join(&dir, "gateway.cmd"))
    };
    // The layout's listing of the home when there is one (no second listing of 10,000 names).
    let mut scripts: Vec<PathBuf> = match crate::load::listing::entries(&placed) {
        Some(listing) => listing
            .iter()
            .filter(|(name, _)| name.as_encoded_bytes().starts_with(b".openclaw"))
            .filter_map(|(name, _)| script(name))
            .collect(),
        None => match std::fs::read_dir(&placed) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().as_encoded_bytes().starts_with(b".openclaw"))
                .filter_map(|e| script(&e.file_name()))
                .collect(),
            Err(_) => return Vec::new(),
        },
    };
    scripts.sort();
    scripts
}

/// Where supervisors live: the user's own (systemd's whole user search path, `/etc/systemd/user`
/// and the other system-wide user unit directories under `root` included), and, with `system`,
/// the system's under `root`. A directory that exists but cannot be listed goes to `unlisted`
/// with the reason: its units would otherwise silently disappear (and a real collision with
/// them). So does each unit-holding directory of a user manager's runtime dir under `root`
/// (`run/user/UID/systemd/…`) when the root's /etc/passwd does not say this home's uid: its
/// units are unverifiable, never attributed by a guess.
///
/// A systemd unit counts only when systemd would run it: enabled (wanted by a target through a
/// `*.wants/`/`*.requires/` link anywhere in its search path), linked into the search path
/// (`systemctl link`), transient, or marked running (`/run/systemd/units/invocation:NAME`). A
/// disabled unit starts nothing at boot, so it is no gateway.
pub fn service_files(
    home: &Path,
    root: Option<&Path>,
    system: bool,
    unlisted: &mut Vec<(PathBuf, String)>,
) -> Vec<FoundService> {
    let mut dirs = supervisor_dirs(home, root);
    if let Some(root) = root.filter(|_| system) {
        dirs.extend(root_supervisor_dirs(root));
    }
    if let Some(root) = root.filter(|_| runtime_dir(home, root).is_none()) {
        for dir in unattributed_runtime_units(root) {
            if !unlisted.iter().any(|(d, _)| *d == dir) {
                unlisted.push((dir, UNATTRIBUTED_RUNTIME.to_string()));
            }
        }
    }
    let mut out = Vec::new();
    let found = |file: PathBuf, kind: ServiceKind| FoundService {
        file,
        kind,
        instance: None,
        pulled_in_by: None,
        not_enabled: false,
    };
    // Windows Scheduled Tasks run `<state dir>/gateway.cmd`.
    out.extend(
        task_scripts(home)
            .into_iter()
            .map(|f| found(f, ServiceKind::WindowsTask)),
    );
    let mut scopes: Vec<(ServiceKind, Scope)> = Vec::new();
    // systemd loads a unit name from the first directory of its search path that has it: a
    // unit in /etc/systemd/system replaces the vendor's of the same name, and one linked to
    // /dev/null (or empty) is masked. /lib is often /usr/lib: each name is read once.
    let mut seen_units: std::collections::HashSet<(ServiceKind, std::ffi::OsString)> =
        std::collections::HashSet::new();
    for (dir, kind, ext) in dirs {
        let entries = match crate::paths::host::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => continue,
            Err(err) => {
                unlisted.push((dir, format!("cannot list the directory: {err}")));
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            // Anything with the extension, so that a FIFO or directory unit is a located
            // problem from the reader rather than silently skipped.
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        files.sort();
        for file in files {
            if !kind.is_systemd() {
                out.push(found(file, kind));
                continue;
            }
            let Some(file_name) = file.file_name() else {
                continue;
            };
            if !seen_units.insert((kind, file_name.to_os_string())) || is_masked(&file) {
                continue;
            }
            let scope = match scopes.iter().position(|(k, _)| *k == kind) {
                Some(i) => &scopes[i].1,
                None => {
                    scopes.push((kind, Scope::read(kind, home, root)));
                    &scopes[scopes.len() - 1].1
                }
            };
            let name = file_name.to_string_lossy().into_owned();
            // An alias link names a unit read under its own name: no second supervisor.
            if scope.aliases.contains_key(&name) {
                continue;
            }
            match name.strip_suffix("@.service") {
                // A template is no unit of its own: each enabled instance is.
                Some(prefix) => {
                    let dirs = unit_dirs(kind, home, root, Some(&dir));
                    let mut instances = enabled_instances(&dirs, prefix);
                    for instance in scope
                        .running_instances(prefix)
                        .into_iter()
                        .chain(scope.pulled_instances(prefix))
                    {
                        if !instances.iter().any(|(i, _)| *i == instance.0) {
                            instances.push(instance);
                        }
                    }
                    instances.sort();
                    for (instance, link) in instances {
                        out.push(FoundService {
                            file: file.clone(),
                            kind,
                            instance: Some((instance, link)),
                            pulled_in_by: None,
                            not_enabled: false,
                        });
                    }
                }
                None if scope.pulled.contains_key(&name) => out.push(FoundService {
                    pulled_in_by: scope.pulled.get(&name).cloned(),
                    ..found(file, kind)
                }),
                None if scope.runs(&name, &file, &dir) => out.push(found(file, kind)),
                // Read all the same: how the gateway of a state dir it names starts when it
                // is started (resolve's inventory lets it claim that dir, nothing more).
                None => out.push(FoundService {
                    not_enabled: true,
                    ..found(file, kind)
                }),
            }
        }
    }
    out
}

/// What systemd knows of a scope's units besides the unit files: which names are wanted by a
/// target (`*.wants/NAME`, `*.requires/NAME`, `*.upholds/NAME` in any directory of the search
/// path), which directories hold transient units, and which units are marked running.
struct Scope {
    /// Every unit name systemd starts: wanted by a link, or pulled in by a started unit.
    wanted: std::collections::HashSet<String>,
    /// Units started only because another started unit's `[Unit]` `Wants=`/`Requires=`/
    /// `BindsTo=`/`Upholds=` names them (a static unit has no `[Install]` of its own), with
    /// the unit file that pulls them in.
    pulled: BTreeMap<String, PathBuf>,
    /// Alias links in the search path (`systemctl enable` makes them from `[Install]
    /// Alias=`): the alias name and the unit it names. An alias is no unit of its own.
    aliases: BTreeMap<String, String>,
    transient: Vec<PathBuf>,
    /// `/run/systemd/units` (or the user manager's `$XDG_RUNTIME_DIR/systemd/units`), where
    /// systemd keeps an `invocation:NAME` link for each unit it runs.
    markers: Option<PathBuf>,
}

impl Scope {
    fn read(kind: ServiceKind, home: &Path, root: Option<&Path>) -> Scope {
        let mut wanted = std::collections::HashSet::new();
        for dir in unit_dirs(kind, home, root, None) {
            let Ok(entries) = crate::paths::host::read_dir(&dir) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if ![".wants", ".requires", ".upholds"]
                    .iter()
                    .any(|s| name.ends_with(s))
                {
                    continue;
                }
                let Ok(links) = crate::paths::host::read_dir(&entry.path()) else {
                    continue;
                };
                wanted.extend(
                    links
                        .filter_map(Result::ok)
                        .map(|l| l.file_name().to_string_lossy().into_owned()),
                );
            }
        }
        let dirs = unit_dirs(kind, home, root, None);
        let aliases = alias_links(&dirs);
        let (wanted, pulled) = pulled_in(&dirs, &aliases, wanted, kind);
        let (transient, markers) = match kind {
            ServiceKind::SystemdUser => match runtime_dir(home, root) {
                Some(rt) => (
                    vec![rt.join("systemd/transient")],
                    Some(rt.join("systemd/units")),
                ),
                None => (Vec::new(), None),
            },
            _ => match root {
                Some(root) => (
                    vec![root.join("run/systemd/transient")],
                    Some(root.join("run/systemd/units")),
                ),
                None => (Vec::new(), None),
            },
        };
        Scope {
            wanted,
            pulled,
            aliases,
            transient,
            markers,
        }
    }

    fn marked_running(&self, name: &str) -> bool {
        self.markers.as_ref().is_some_and(|m| {
            m.join(format!("invocation:{name}"))
                .symlink_metadata()
                .is_ok()
        })
    }

    /// Whether systemd runs the unit `name` read from `file` in `dir`: wanted by a target,
    /// linked into the search path (the file is a symlink), transient, or marked running.
    fn runs(&self, name: &str, file: &Path, dir: &Path) -> bool {
        self.wanted.contains(name)
            || self
                .aliases
                .iter()
                .any(|(alias, unit)| unit == name && self.wanted.contains(alias))
            || crate::paths::host::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink())
            || self.transient.iter().any(|t| t == dir)
            || self.marked_running(name)
    }

    /// Instances of `PREFIX@.service` pulled in by a started unit, with the unit that pulls.
    fn pulled_instances(&self, prefix: &str) -> Vec<(String, PathBuf)> {
        let head = format!("{prefix}@");
        self.pulled
            .iter()
            .filter_map(|(name, by)| {
                let instance = name.strip_prefix(&head)?.strip_suffix(".service")?;
                (!instance.is_empty()).then(|| (instance.to_string(), by.clone()))
            })
            .collect()
    }

    /// Instances of `PREFIX@.service` marked running, with the marker.
    fn running_instances(&self, prefix: &str) -> Vec<(String, PathBuf)> {
        let Some(markers) = &self.markers else {
            return Vec::new();
        };
        let Ok(entries) = crate::paths::host::read_dir(markers) else {
            return Vec::new();
        };
        let head = format!("invocation:{prefix}@");
        instance_entries(entries, &head)
    }
}

/// Alias links in a search path: a link whose target names another unit that the search path
/// holds (`/etc/systemd/system/clawd.service -> openclaw-gateway.service`). A link to a file of
/// its own name is a linked unit (`systemctl link`), a link to `/dev/null` a mask: neither is
/// an alias. systemd.unit(5): aliases exist only as such links; `[Install] Alias=` and `Also=`
/// act when `systemctl enable` runs, and what they did is the links read here.
fn alias_links(dirs: &[PathBuf]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = crate::paths::host::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(target) = crate::paths::host::read_link(&entry.path()) else {
                continue;
            };
            let Some(target_name) = target.file_name().map(|n| n.to_string_lossy().into_owned())
            else {
                continue;
            };
            let same_type = name.rsplit_once('.').map(|(_, t)| t)
                == target_name.rsplit_once('.').map(|(_, t)| t);
            if target_name == name || !same_type || target == Path::new("/dev/null") {
                continue;
            }
            if find_unit(dirs, &target_name, &BTreeMap::new()).is_some() {
                out.entry(name).or_insert(target_name);
            }
        }
    }
    out
}

/// The file systemd loads for the unit `name`: the first directory of the search path that
/// has it (or, for an instance, its template), through alias links.
fn find_unit(dirs: &[PathBuf], name: &str, aliases: &BTreeMap<String, String>) -> Option<PathBuf> {
    let name = aliases.get(name).map_or(name, String::as_str);
    let template = name.split_once('@').and_then(|(prefix, rest)| {
        let (_, suffix) = rest.rsplit_once('.')?;
        (!rest.starts_with('.')).then(|| format!("{prefix}@.{suffix}"))
    });
    std::iter::once(name.to_string())
        .chain(template)
        .find_map(|n| {
            dirs.iter()
                .map(|d| d.join(&n))
                .find(|p| crate::paths::host::is_there(p))
        })
}

/// At most this many units are read to follow what started units pull in.
const PULL_IN_LIMIT: usize = 512;

/// What systemd starts in a scope, from what is enabled: the units wanted by links, the boot
/// targets, and, transitively, every unit a started unit's `[Unit]` section (drop-ins
/// included) names in `Wants=`, `Requires=`, `BindsTo=` or `Upholds=`. Returns every started
/// name, and the pulled-in ones with the unit file that pulls each first.
fn pulled_in(
    dirs: &[PathBuf],
    aliases: &BTreeMap<String, String>,
    wanted: std::collections::HashSet<String>,
    kind: ServiceKind,
) -> (std::collections::HashSet<String>, BTreeMap<String, PathBuf>) {
    let boot: &[&str] = match kind {
        ServiceKind::SystemdUser => &["default.target"],
        _ => &["default.target", "multi-user.target", "graphical.target"],
    };
    let mut started = wanted;
    let mut queue: Vec<String> = started.iter().cloned().collect();
    queue.sort();
    queue.extend(boot.iter().map(|b| b.to_string()));
    let mut pulled = BTreeMap::new();
    let mut read = std::collections::HashSet::new();
    // Drop-in entries listed over the whole walk (the top-level `service.d/` is every
    // unit's): past them, units are read without their drop-ins. Where a gateway unit's own
    // listing stops is said when it is read ([`UnitReader::drop_ins`]).
    let mut drop_in_entries = manager::DROP_IN_ENTRY_BUDGET;
    let low_first: Vec<PathBuf> = dirs.iter().rev().cloned().collect();
    while let Some(name) = queue.pop() {
        if read.len() >= PULL_IN_LIMIT {
            break;
        }
        let name = aliases.get(&name).cloned().unwrap_or(name);
        if !read.insert(name.clone()) {
            continue;
        }
        let Some(file) = find_unit(dirs, &name, aliases) else {
            continue;
        };
        let instance = name
            .split_once('@')
            .and_then(|(_, rest)| rest.rsplit_once('.'))
            .map(|(i, _)| i.to_string());
        let mut files = vec![file.clone()];
        files.extend(drop_in_files(&low_first, &name, &mut drop_in_entries).0);
        for (i, path) in files.into_iter().enumerate() {
            let Ok(read) = ServiceFiles::unit(&path, SMALL_FILE_LIMIT) else {
                continue;
            };
            // systemd does not load a unit whose file its parser fails (a line that is not
            // UTF-8, a malformed header): it pulls nothing in (a drop-in's lines before such a
            // line still count).
            if i == 0 && read.unit.stopped.is_some() {
                break;
            }
            for key in ["Wants", "Requires", "BindsTo", "Upholds"] {
                for directive in read.unit.get_all("Unit", key) {
                    for other in directive.value.split_whitespace() {
                        // `%i` in a template's dependencies is the instance's own name.
                        let other = match &instance {
                            Some(i) => other.replace("%i", i),
                            None => other.to_string(),
                        };
                        if other.contains('%') || !started.insert(other.clone()) {
                            continue;
                        }
                        pulled.entry(other.clone()).or_insert_with(|| file.clone());
                        queue.push(other);
                    }
                }
            }
        }
    }
    (started, pulled)
}

/// Why a user manager's runtime directory under `--root` is not read.
const UNATTRIBUTED_RUNTIME: &str =
    "a user manager's runtime dir, not read: no entry of the root's /etc/passwd says whose \
     runtime dir this is (a uid is never guessed from a home's name), so a gateway its units \
     start is unverifiable; add the root's etc/passwd to the layout";

/// The directories of `root/run/user/UID/systemd/` that hold units (transient units,
/// `systemctl --runtime` and generated units, running markers): each user manager's own.
/// Read only when the home's uid is known ([`runtime_dir`]); otherwise they are named, not
/// attributed to a home by guess.
fn unattributed_runtime_units(root: &Path) -> Vec<PathBuf> {
    let Ok(users) = crate::paths::host::read_dir(&root.join("run/user")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for user in users.filter_map(Result::ok) {
        for sub in [
            "user.control",
            "transient",
            "generator.early",
            "user",
            "generator",
            "generator.late",
            "units",
        ] {
            let dir = user.path().join("systemd").join(sub);
            let holds_units = crate::paths::host::read_dir(&dir).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.ends_with(".service") || name.starts_with("invocation:")
                })
            });
            if holds_units {
                out.push(dir);
            }
        }
    }
    out.sort();
    out
}

/// The user manager's `$XDG_RUNTIME_DIR` (`/run/user/UID`) under `root`, when the user's uid
/// is known from `root/etc/passwd`: the entry whose home is this home, or whose name the
/// home's directory is named after (`alice`, `home-alice`).
fn runtime_dir(home: &Path, root: Option<&Path>) -> Option<PathBuf> {
    let uid = uid_of(home, root)?;
    Some(root?.join("run/user").join(uid))
}

/// The uid of the user whose home is `home`, from `root/etc/passwd` (see [`runtime_dir`]).
pub(crate) fn uid_of(home: &Path, root: Option<&Path>) -> Option<String> {
    user_of(home, root).map(|user| user.uid)
}

/// A user of `root/etc/passwd`: the fields clawlint reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswdUser {
    pub uid: String,
    /// The home as the host spells it (`/home/ana`).
    pub dir: String,
}

/// The user whose home is `home`, from `root/etc/passwd`: the entry whose home is this home,
/// or whose name the home's directory is named after (`alice`, `home-alice`).
pub(crate) fn user_of(home: &Path, root: Option<&Path>) -> Option<PasswdUser> {
    let root = root?;
    let passwd = ServiceFiles::text(&root.join("etc/passwd"), SMALL_FILE_LIMIT).ok()?;
    let home_name = home.file_name()?.to_str()?;
    passwd
        .lines()
        .filter_map(passwd_fields)
        .find_map(|(name, uid, dir)| {
            let same_home = Path::new(dir) == home
                || Path::new(dir).file_name().and_then(|n| n.to_str()) == Some(home_name);
            let named = name == home_name || home_name.ends_with(&format!("-{name}"));
            (!name.is_empty() && (same_home || named) && uid.bytes().all(|b| b.is_ascii_digit()))
                .then(|| PasswdUser {
                    uid: uid.to_string(),
                    dir: dir.trim_end_matches('/').to_string(),
                })
        })
}

/// A home's supervisor directories: (dir, kind, file extension), systemd's user search path
/// in priority order first.
fn supervisor_dirs(home: &Path, root: Option<&Path>) -> Vec<(PathBuf, ServiceKind, &'static str)> {
    let mut dirs: Vec<(PathBuf, ServiceKind, &'static str)> = user_unit_dirs(home, root)
        .into_iter()
        .map(|d| (d, ServiceKind::SystemdUser, "service"))
        .collect();
    dirs.push((
        home.join("Library/LaunchAgents"),
        ServiceKind::Launchd,
        "plist",
    ));
    dirs
}

/// The system's supervisor directories under `root`, systemd's in priority order.
fn root_supervisor_dirs(root: &Path) -> Vec<(PathBuf, ServiceKind, &'static str)> {
    let mut dirs: Vec<(PathBuf, ServiceKind, &'static str)> = SYSTEM_UNIT_DIRS
        .iter()
        .map(|d| {
            (
                in_layout(Some(root), &root.join(d)),
                ServiceKind::SystemdSystem,
                "service",
            )
        })
        .collect();
    for dir in ["Library/LaunchAgents", "Library/LaunchDaemons"] {
        dirs.push((
            in_layout(Some(root), &root.join(dir)),
            ServiceKind::Launchd,
            "plist",
        ));
    }
    dirs
}

/// `path` as the host the layout was copied from sees it: under `--root`, its symlinks are
/// resolved against the root (`/lib -> /usr/lib`, `/home/u/.config -> /srv/cfg`, a unit
/// linked to `/opt/app/x.service`), never against this machine (`paths::resolve_in_root`).
/// Paths outside the root, and links that loop, are left as they are.
fn in_layout(root: Option<&Path>, path: &Path) -> PathBuf {
    root.filter(|r| path.starts_with(r))
        .and_then(|r| crate::paths::resolve_in_root(r, path))
        // A scanned home whose real path lies in the root (`paths::on_host`).
        .or_else(|| crate::paths::on_host(path).map(std::borrow::Cow::into_owned))
        .unwrap_or_else(|| path.to_path_buf())
}

fn describe_dir(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::SystemdUser => "systemd user units",
        ServiceKind::SystemdSystem => "systemd system units",
        ServiceKind::Launchd => "launchd jobs",
        ServiceKind::WindowsTask => "Windows task scripts",
    }
}

/// Where [`service_files`] looks for a home's supervisors, in words (for CL910).
pub fn user_service_dirs(home: &Path, root: Option<&Path>) -> Vec<(PathBuf, &'static str)> {
    supervisor_dirs(home, root)
        .into_iter()
        .map(|(d, k, _)| (d, describe_dir(k)))
        .collect()
}

/// Where [`service_files`] looks for the system's supervisors under `root`, in words.
pub fn system_service_dirs(root: &Path) -> Vec<(PathBuf, &'static str)> {
    root_supervisor_dirs(root)
        .into_iter()
        .map(|(d, k, _)| (d, describe_dir(k)))
        .collect()
}

/// systemd's system unit search path under `--root`, highest priority first
/// (systemd.unit(5), "System Unit Search Path"): the control and transient directories, the
/// early generator's, the admin's, the runtime's, the generator's, the vendor's (`/lib` for
/// distributions without a merged `/usr`), the late generator's.
const SYSTEM_UNIT_DIRS: [&str; 13] = [
    "etc/systemd/system.control",
    "run/systemd/system.control",
    "run/systemd/transient",
    "run/systemd/generator.early",
    "etc/systemd/system",
    "etc/systemd/system.attached",
    "run/systemd/system",
    "run/systemd/system.attached",
    "run/systemd/generator",
    "usr/local/lib/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
    "run/systemd/generator.late",
];

/// systemd's user unit search path, highest priority first (systemd.unit(5), "User Unit
/// Search Path"), with the XDG defaults: the home's directories, the system-wide user unit
/// directories under `--root`, and the user manager's runtime directory (`/run/user/UID`,
/// when the uid is known) under `--root`.
fn user_unit_dirs(home: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let rt = runtime_dir(home, root);
    let at_rt = |d: &str| rt.as_ref().map(|rt| rt.join(d));
    let at_root = |d: &str| root.map(|r| r.join(d));
    let dirs = [
        Some(home.join(".config/systemd/user.control")),
        at_rt("systemd/user.control"),
        at_rt("systemd/transient"),
        at_rt("systemd/generator.early"),
        Some(home.join(".config/systemd/user")),
        at_root("etc/xdg/systemd/user"),
        at_root("etc/systemd/user"),
        at_rt("systemd/user"),
        at_root("run/systemd/user"),
        at_rt("systemd/generator"),
        Some(home.join(".local/share/systemd/user")),
        at_root("usr/local/share/systemd/user"),
        at_root("usr/share/systemd/user"),
        at_root("usr/local/lib/systemd/user"),
        at_root("usr/lib/systemd/user"),
        at_rt("systemd/generator.late"),
    ];
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in dirs.into_iter().flatten().map(|d| in_layout(root, &d)) {
        // Two entries that lead to one directory (`/lib -> /usr/lib`) are read once.
        if !out.contains(&dir) {
            out.push(dir);
        }
    }
    out
}

/// The search path of a unit's scope, highest priority first, with the unit's own directory
/// (last, when it lies outside the search path, as a declared unit may).
fn unit_dirs(
    kind: ServiceKind,
    home: &Path,
    root: Option<&Path>,
    own: Option<&Path>,
) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = match kind {
        ServiceKind::SystemdUser => user_unit_dirs(home, root),
        _ => root
            .into_iter()
            .flat_map(|r| SYSTEM_UNIT_DIRS.map(|d| in_layout(Some(r), &r.join(d))))
            .collect(),
    };
    if let Some(own) = own.filter(|o| !dirs.iter().any(|d| d == o)) {
        dirs.push(own.to_path_buf());
    }
    dirs
}

/// A masked unit: a link to `/dev/null` or an empty file (systemd.unit(5)). The link is read,
/// never followed outside the layout.
fn is_masked(file: &Path) -> bool {
    if crate::paths::host::read_link(file).is_ok_and(|target| target == Path::new("/dev/null")) {
        return true;
    }
    crate::paths::host::symlink_metadata(file).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// The `*.conf` drop-ins of the unit `unit_name` in `dirs` (lowest priority first), in
/// file name order, a name in a later directory (or a more specific one of the same)
/// replacing the others of that name. At most `left` directory entries are listed (and taken
/// from it): the second value is the directory holding more than were left, where the
/// listing stopped (none of it, and nothing after it, is read).
fn drop_in_files(
    dirs: &[PathBuf],
    unit_name: &str,
    left: &mut usize,
) -> (Vec<PathBuf>, Option<PathBuf>) {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in dirs {
        for name in drop_in_dir_names(unit_name) {
            let dir = dir.join(&name);
            let listed = match crate::paths::host::read_dir_within(&dir, left) {
                None => continue,
                Some(Err(())) => return (by_name.into_values().collect(), Some(dir)),
                Some(Ok(listed)) => listed,
            };
            by_name.extend(
                listed
                    .into_iter()
                    .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                    .filter(|(n, _)| n.ends_with(".conf")),
            );
        }
    }
    (by_name.into_values().collect(), None)
}

/// The drop-in directory names of a unit, least specific first: `service.d`, the dash
/// prefixes (`openclaw-.service.d`), the template's (`openclaw-gateway@.service.d`) for an
/// instance, then the unit's own (`openclaw-gateway@ops.service.d`).
fn drop_in_dir_names(unit_name: &str) -> Vec<String> {
    let Some((stem, suffix)) = unit_name.rsplit_once('.') else {
        return vec![format!("{unit_name}.d")];
    };
    let mut names = vec![format!("{suffix}.d")];
    let prefix = stem.split_once('@').map_or(stem, |(p, _)| p);
    names.extend(
        prefix
            .match_indices('-')
            .map(|(i, _)| format!("{}.{suffix}.d", &prefix[..=i])),
    );
    if let Some((template, instance)) = stem.split_once('@') {
        if !instance.is_empty() {
            names.push(format!("{template}@.{suffix}.d"));
        }
    }
    names.push(format!("{unit_name}.d"));
    names
}

/// Instances of `PREFIX@.service` enabled in any of `dirs`: `*.wants/PREFIX@NAME.service`
/// links (or copies), each instance once, in name order, with the first link that enables it.
fn enabled_instances(dirs: &[PathBuf], prefix: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let mut wants: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let Ok(entries) = crate::paths::host::read_dir(dir) else {
            continue;
        };
        let mut here: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(".wants") || name.ends_with(".requires")
            })
            .map(|e| e.path())
            .collect();
        here.sort();
        wants.extend(here);
    }
    let head = format!("{prefix}@");
    for want in wants {
        let Ok(links) = crate::paths::host::read_dir(&want) else {
            continue;
        };
        let names = instance_entries(links, &head);
        for (instance, link) in names {
            if !out.iter().any(|(i, _)| *i == instance) {
                out.push((instance, link));
            }
        }
    }
    out.sort();
    out
}

/// Rewrites the unit's view of the file system onto the scanned one.
struct PathMap<'a> {
    /// The home the unit's paths were written under (`HOME=`, or guessed from `User=` or the
    /// paths themselves), when it is a user's home that the scanned home stands for.
    unit_home: Option<String>,
    home: &'a Path,
    root: Option<&'a Path>,
    /// The supervisor, whose default `PATH` its commands get ([`scripts::default_path`]).
    kind: ServiceKind,
    /// A launchd job's domain `PATH` (`launchctl config user|system path`) when the layout
    /// has launchd's configuration and it sets one: `Err` when that file cannot be read.
    domain_path: Option<Result<String, ()>>,
}

impl PathMap<'_> {
    /// Evidence text as output shows it: a path in the home the unit was written under, or
    /// in the scanned home (where `%h` and mapped paths lead), becomes `~/…`; nothing else
    /// changes. Output never shows the absolute home prefix of the machine the unit was
    /// written on, nor of the one clawlint runs on.
    fn shown(&self, text: &str) -> String {
        let scanned = self.home.display().to_string();
        let mut out = text.to_string();
        for home in [self.unit_home.as_deref(), Some(scanned.as_str())]
            .into_iter()
            .flatten()
            .filter(|h| h.len() > 1)
        {
            out = Self::home_as_tilde(&out, home);
        }
        out
    }

    /// `text` with each whole-word path under `home` written `~/…`.
    fn home_as_tilde(text: &str, home: &str) -> String {
        let is_path_char = |c: char| c.is_alphanumeric() || "/._-~".contains(c);
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(home) {
            let after = &rest[at + home.len()..];
            let starts_word = rest[..at]
                .chars()
                .next_back()
                .or_else(|| out.chars().next_back())
                .is_none_or(|c| !is_path_char(c));
            let ends_home =
                after.is_empty() || after.starts_with('/') || !after.starts_with(is_path_char);
            out.push_str(&rest[..at]);
            out.push_str(if starts_word && ends_home { "~" } else { home });
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// Every evidence string of a command, as [`PathMap::shown`] shows it.
    fn show_evidence(&self, cmd: &mut command::Command) {
        let texts = cmd
            .wrappers
            .iter_mut()
            .chain(cmd.unseen.iter_mut())
            .chain(cmd.injects_env.iter_mut());
        for text in texts {
            *text = self.shown(text);
        }
    }

    fn map(&self, value: &str) -> String {
        if let Some(unit_home) = self.unit_home.as_deref().filter(|h| h.len() > 1) {
            if let Some(rest) = value.strip_prefix(unit_home) {
                if rest.is_empty() || rest.starts_with('/') {
                    return format!("{}{rest}", self.home.display());
                }
            }
        }
        match self.root {
            Some(root) if value.starts_with('/') && !Path::new(value).starts_with(self.home) => {
                root.join(value.trim_start_matches('/'))
                    .display()
                    .to_string()
            }
            _ => value.to_string(),
        }
    }
}

/// `/root`, `/home/NAME`, `/Users/NAME` (and the home a `/home/NAME/...` path lies in): the
/// homes a copied layout's scanned home stands for.
pub(crate) fn home_of_path(path: &str) -> Option<String> {
    if path == "/root" || path.starts_with("/root/") {
        return Some("/root".to_string());
    }
    for base in ["/home/", "/Users/"] {
        if let Some(rest) = path.strip_prefix(base) {
            let user = rest.split('/').next().filter(|u| !u.is_empty())?;
            return Some(format!("{base}{user}"));
        }
    }
    None
}

/// The home a unit's paths are written under: its `HOME=` when that is a user's home, else
/// `User=`'s home, else the home its own absolute paths lie in; a system unit with none of
/// these runs as root.
fn unit_home_of(
    explicit: Option<&str>,
    user: Option<&str>,
    values: &[String],
    kind: ServiceKind,
) -> Option<String> {
    if let Some(home) = explicit {
        return home_of_path(home).filter(|h| h == home.trim_end_matches('/'));
    }
    let from_paths = values.iter().find_map(|v| {
        v.split(|c: char| c.is_whitespace() || c == '=' || c == ':' || c == '"')
            .find_map(home_of_path)
    });
    match user {
        Some("root") | Some("0") => Some("/root".to_string()),
        Some(user) => from_paths
            .filter(|h| h.ends_with(&format!("/{user}")))
            .or_else(|| Some(format!("/home/{user}"))),
        None if kind == ServiceKind::SystemdSystem => {
            from_paths.or_else(|| Some("/root".to_string()))
        }
        None => from_paths,
    }
}

/// What discovery gathers or reads once for all the service files of a run.
#[derive(Default)]
pub struct DiscoveryRun {
    /// The compose projects supervisors start ([`invocation`]).
    pub compose_runs: compose::runs::Runs,
    /// Each systemd manager's configuration, read once per run for its native units, its
    /// quadlet generator and CL910's list.
    pub managers: Managers,
    /// The problems said once however many units read their file.
    said: SaidOnce,
}

/// The gateway a supervisor starts, or `None` when it starts something else.
/// A unit that runs `docker compose` starts no gateway itself: what it runs goes to
/// `run.compose_runs`, for the compose project it starts.
pub fn invocation(
    found: &FoundService,
    home: &Path,
    homes: &[PathBuf],
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    run: &mut DiscoveryRun,
) -> Option<Invocation> {
    let path = found.file.as_path();
    // A unit linked into the search path with an absolute target (`systemctl link`, an alias
    // or a copied layout's `/etc/...` link) is read where that target lies in the layout.
    let real = in_layout(root, path);
    let mut unreadable_here = |err: ReadError, sources: &mut SourceMap| {
        problems.push(unreadable(sources, path, &err));
    };
    match found.kind {
        ServiceKind::Launchd | ServiceKind::WindowsTask => {
            let bytes = ServiceFiles::bytes(&real, SMALL_FILE_LIMIT)
                .map_err(|err| unreadable_here(err, sources))
                .ok()?;
            let runs = &mut run.compose_runs;
            if found.kind == ServiceKind::Launchd {
                launchd_invocation(path, &bytes, home, root, sources, problems, runs)
            } else {
                task_invocation(path, &bytes, home, sources, problems, runs)
            }
        }
        kind @ (ServiceKind::SystemdUser | ServiceKind::SystemdSystem) => {
            // Parsed once per run, however many instances of a template read it.
            let main = ServiceFiles::unit(&real, SMALL_FILE_LIMIT)
                .map_err(|err| unreadable_here(err, sources))
                .ok()?;
            let reader = UnitReader {
                found,
                kind,
                home,
                homes,
                root,
            };
            reader.read(&main, sources, problems, run)
        }
    }
}

/// What a command runs once its wrappers are removed, following one level of a script that
/// lies inside the layout. `map` puts the command's paths onto the scanned layout; `env` is
/// the supervisor's environment (a script sees it). Files the script (or an `sh -c` string)
/// sources that lie in the layout are read in its shell, bounded ([`scripts::ScriptSources`],
/// the one sourcing mechanism): what they export is known exactly, and returned with where it
/// is set; one that cannot be read leaves the environment not wholly seen (`injects_env`).
fn resolve_command(
    argv: Vec<String>,
    env: &Env,
    map: &PathMap,
    referenced_at: Option<Loc>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> (command::Command, BTreeMap<String, Loc>) {
    let vars = scripts::supervisor_shell(env, map);
    let base = map.home.to_path_buf();
    let mut budget = scripts::ScriptBudget::new();
    let mut sourcer = scripts::ScriptSources::new(map, &base, 1, &mut budget);
    let mut cmd = command::unwrap_sourcing(&argv, &vars, &mut sourcer);
    let mut set_at = sourced_env(&mut cmd, &sourcer, None, referenced_at, sources, problems);
    drop(sourcer);
    if command::starts_gateway_here(&cmd.argv) {
        return (cmd, set_at);
    }
    // `start-agent.sh`, `bash /path/start.sh`: one level of a script in the layout.
    let script_at = match cmd.argv.first().map(|p| command_basename(p)) {
        Some("sh" | "bash" | "zsh" | "dash") => 1,
        _ => 0,
    };
    let Some(script) = cmd.argv.get(script_at).filter(|s| s.contains('/')).cloned() else {
        return (cmd, set_at);
    };
    let mapped = PathBuf::from(map.map(&script));
    // The unit's text names the script: shown when it has a path's shape, like a link's target.
    let script = crate::redact::shown(crate::redact::Kind::Path, &script);
    if !mapped.is_absolute() || !crate::paths::host::exists(&mapped) {
        let why = match mapped.is_absolute() && crate::load::layout::names_inside(&mapped) {
            true => "does not exist in the scanned layout",
            false => "is not in the scanned layout",
        };
        cmd.unseen.push(format!(
            "the script {script} {why}: what it runs is unknown"
        ));
        return (cmd, set_at);
    }
    let Some(text) = read_env_source(&mapped, false, referenced_at, sources, problems) else {
        cmd.unseen
            .push(format!("the script {script} could not be read"));
        return (cmd, set_at);
    };
    let mut script_vars = vars.clone();
    for (k, v) in &cmd.env {
        script_vars.insert(k.clone(), v.clone());
    }
    // The script's shell: `$0` and `${BASH_SOURCE[0]}` are its path (on the layout).
    script_vars.insert("0".to_string(), mapped.display().to_string());
    script_vars.insert("BASH_SOURCE".to_string(), mapped.display().to_string());
    // Its arguments (`exec openclaw "$@"`), when the command line's words are all known.
    if cmd.unresolved.is_empty() {
        command::set_arguments(&mut script_vars, &cmd.argv[script_at + 1..]);
    }
    let mut sourcer = scripts::ScriptSources::new(map, &base, 1, &mut budget).reading(&mapped);
    // `bash start.sh`: bash reads it, whatever its `#!` says.
    let interpreter = scripts::script_interpreter(&cmd.argv);
    match command::script_gateway_sourcing(
        &text,
        interpreter.as_deref(),
        &script_vars,
        &mut sourcer,
    ) {
        Some(mut inner) => {
            let shown = crate::redact::scan::shell_script(&text);
            let file = sources.add(&mapped, text.clone(), None);
            sources.show(file, shown);
            set_at.extend(sourced_env(
                &mut inner,
                &sourcer,
                Some((file, &mapped, &text)),
                referenced_at,
                sources,
                problems,
            ));
            cmd.wrappers.push(format!("script {script}"));
            cmd.wrappers.extend(inner.wrappers);
            cmd.unseen.extend(inner.unseen);
            cmd.maybe_set.extend(inner.maybe_set);
            cmd.env_unknown.extend(inner.env_unknown);
            cmd.env_unknown.sort();
            cmd.env_unknown.dedup();
            cmd.injects_env = inner.injects_env.or(cmd.injects_env);
            cmd.env_files.extend(inner.env_files);
            cmd.env.extend(inner.env);
            cmd.cwd = inner.cwd.or(cmd.cwd);
            cmd.argv = inner.argv;
        }
        None => {
            // Reading stopped at the run's spent work: said there (CL907), as a reading that
            // found the gateway says where it stopped.
            if sourcer.ran_out_of_work() {
                // Each instance of a template reads the script: scanned for what it may
                // show once (a path already known keeps what was shown of it).
                let (file, new) = sources.add_kept(&mapped, text.clone(), None);
                if new {
                    sources.show(file, crate::redact::scan::shell_script(&text));
                }
                let script = Some((file, mapped.as_path(), text.as_str()));
                let mut none = command::Command::default();
                sourced_env(
                    &mut none,
                    &sourcer,
                    script,
                    referenced_at,
                    sources,
                    problems,
                );
            }
            cmd.runs_no_gateway = !command::script_could_start_gateway(&text, &script_vars);
            cmd.unseen.push(format!(
                "the script {script} starts no OpenClaw gateway that can be read statically"
            ));
        }
    }
    (cmd, set_at)
}

/// What the files a script sourced (read by `sourcer`) give the gateway command `cmd`: the
/// files are registered, each variable they export placed on its line; a file sourced before
/// the command that was not read leaves its environment not wholly seen; what stopped the
/// reading is a located problem. `script` is the script file (file 0) when the script is one;
/// an `sh -c` string's place is `at`, the supervisor's command line.
fn sourced_env(
    cmd: &mut command::Command,
    sourcer: &scripts::ScriptSources,
    script: Option<(FileId, &Path, &str)>,
    at: Option<Loc>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Loc> {
    let mut files: Vec<Option<(FileId, PathBuf, String)>> =
        vec![script.map(|(f, p, t)| (f, p.to_path_buf(), t.to_string()))];
    for (path, text, _) in sourcer.files() {
        let file = sources.add(path, text.to_string(), None);
        sources.show(file, crate::redact::scan::shell_script(text));
        files.push(Some((file, path.to_path_buf(), text.to_string())));
    }
    // Each file's lines found once: a place is a binary search, however many there are.
    let lines: Vec<Option<LineIndex>> = files
        .iter()
        .map(|f| f.as_ref().map(|(_, _, text)| LineIndex::new(text)))
        .collect();
    let line_at = |file: usize, offset: usize| -> (Option<Loc>, String) {
        match (files.get(file).and_then(Option::as_ref), lines.get(file)) {
            (Some((id, path, text)), Some(Some(lines))) => {
                let offset = offset.min(text.len());
                let (line, end) = lines.place(text, offset);
                (
                    Some(Loc {
                        file: *id,
                        span: Span::new(offset, end),
                    }),
                    format!("{}:{line}", crate::paths::display_path(path)),
                )
            }
            _ => (at, "its command line".to_string()),
        }
    };
    let mut set_at = BTreeMap::new();
    for (key, file, offset) in &cmd.set_at {
        if let (Some(loc), _) = line_at(*file, *offset) {
            if *file > 0 || script.is_some() {
                set_at.insert(key.clone(), loc);
            }
        }
    }
    let missed = sourcer.missed_before(cmd.sources_before);
    if !missed.is_empty() {
        let files = missed.join(", ");
        cmd.unseen.push(format!(
            "what the shell script's `source {files}` sets (not read)"
        ));
        cmd.injects_env
            .get_or_insert_with(|| format!("the file the shell script sources ({files})"));
    }
    let top = match script {
        Some((_, path, _)) => crate::paths::display_path(path),
        None => "its command line".to_string(),
    };
    problems.extend(sourcer.problems(&line_at, &top, sources));
    set_at
}

/// The env files a secret runner loads (`op run --env-file F`): read like `EnvironmentFile=`
/// (their `op://` values stay references). When every one is read, the runner adds nothing
/// clawlint cannot see; when one is outside the layout, what it provides is unverifiable.
fn read_runner_env_files(
    cmd: &mut command::Command,
    map: &PathMap,
    at: Loc,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    if cmd.env_files.is_empty() {
        return;
    }
    let mut all_read = true;
    for file in cmd.env_files.clone() {
        let path = PathBuf::from(map.map(&file));
        if path.is_absolute() && crate::paths::host::is_file(&path) {
            read_environment_file(&path, true, at, map, env, sources, problems);
        } else {
            all_read = false;
        }
    }
    if all_read
        && cmd
            .injects_env
            .as_deref()
            .is_some_and(|by| by.starts_with("`op run`"))
    {
        cmd.injects_env = None;
        cmd.unseen.retain(|u| !u.contains("`op run`"));
    }
}

/// A supervisor that runs `gateway start` is a trigger: OpenClaw starts the service it
/// installed for the profile the trigger's environment selects (`runDaemonStart`, then
/// `launchctl kickstart gui/$UID/<label>` or `systemctl --user start <unit>`; OpenClaw
/// 2026.9.6 `dist/lifecycle-EWWA2PdY.mjs:577`, `launchd-BHiRE-ax.mjs:475`,
/// `systemd-CAp444p1.mjs:610`). The gateway then runs with that service's own environment:
/// neither launchd nor systemd passes the caller's on. The trigger's environment only selects
/// the service (`HOME`, `OPENCLAW_PROFILE`, the label/unit overrides) and must keep the
/// canonical state dir and config path (`assertGatewayServiceMutationAllowed`,
/// `gateway-supervision-dG8swyHC.mjs`), so those are kept and the rest (its `Environment=`,
/// what its shell exports or sources) is dropped: the gateway's own environment is
/// unverifiable unless the installed service is in the layout (which then describes the
/// gateway). Returns what provides it, in words, for a trigger.
fn trigger_env(env: &mut Env, argv: &[String]) -> Option<String> {
    if !command::starts_installed_service(argv) {
        return None;
    }
    const SELECTS: [&str; 8] = [
        "HOME",
        "OPENCLAW_PROFILE",
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_CONFIG_PATH",
        "OPENCLAW_HOME",
        "OPENCLAW_LAUNCHD_LABEL",
        "OPENCLAW_SYSTEMD_UNIT",
        "OPENCLAW_WINDOWS_TASK_NAME",
    ];
    let dropped: Vec<String> = env
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !SELECTS.contains(&k.as_str()))
        .collect();
    for key in &dropped {
        env.remove(key);
    }
    Some("the installed service that `gateway start` starts".to_string())
}

/// What a `gateway start` trigger cannot see: `the environment of {by}` and this.
const INSTALLED_ENV: &str =
    ": the gateway gets that service's environment, not what this one sets or sources";

/// A `gateway start` trigger whose installed service was read as the gateway's supervisor:
/// that service's environment is not unseen, and the trigger's own was never the gateway's.
pub fn installed_env_seen(how: &mut ServiceEvidence) {
    if how.starts_installed_service {
        how.unseen.retain(|u| !u.ends_with(INSTALLED_ENV));
    }
}

/// What a command's own words say: for a gateway run, a `--port` OpenClaw refuses; for a
/// `gateway start` trigger (see [`trigger_env`]), that it starts the installed service, an option after `start` that OpenClaw refuses (it then exits 1 and
/// starts nothing), and a `--port` before `start`, which OpenClaw accepts and ignores: the
/// installed service runs on its own port (run: tests/hosts/start-triggers).
fn read_trigger(how: &mut ServiceEvidence, argv: &[String]) {
    how.starts_installed_service = command::starts_installed_service(argv);
    if !how.starts_installed_service {
        how.start_refused = crate::openclaw::refused_port_arg(argv)
            .map(|(value, _)| crate::openclaw::refused_port_words(value));
        return;
    }
    how.start_refused = command::start_rejected_option(argv).map(|option| {
        format!(
            "runs `gateway start`, which starts nothing: `gateway start` does not take {}: \
             OpenClaw exits 1 (\"does not recognize option\") and starts nothing",
            crate::redact::shown_quoted(crate::redact::Kind::Word, option)
        )
    });
    if let Some((port, _)) = crate::openclaw::port_from_args(argv) {
        how.unseen.push(format!(
            "the installed service's port: `gateway start` ignores this command's --port {port}"
        ));
    }
}

/// Why what a supervisor runs cannot be read: the script that could not be read or
/// followed, else the program itself.
fn opaque_reason(cmd: &command::Command, map: &PathMap) -> String {
    if let Some(script) = cmd.unseen.iter().rev().find(|u| u.contains("script")) {
        return script.clone();
    }
    match cmd.argv.first() {
        Some(program) => format!(
            "what {} runs cannot be read",
            map.shown(&crate::redact::shown(crate::redact::Kind::Path, program))
        ),
        None => "its command cannot be read".to_string(),
    }
}

fn command_basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// A supervisor whose command cannot be read (a wrapper binary, a script outside the
/// layout or unreadable) is a gateway's when its environment gives a gateway's identity, or
/// its name is one OpenClaw gives a gateway's service (`openclaw-gateway-b.service`).
/// `OPENCLAW_HOME` alone does not: watchdogs and backup jobs set it to find OpenClaw's files.
/// Nor does a program run by another language's interpreter, or OpenClaw's node service, or
/// a script read whole that could start none ([`command::Command::runs_no_gateway`]).
fn names_a_gateway(env: &Env, cmd: &command::Command, service_name: &str) -> bool {
    if cmd.runs_no_gateway {
        return false;
    }
    let argv = &cmd.argv;
    let kind_is_node = env
        .get("OPENCLAW_SERVICE_KIND")
        .is_some_and(|v| v.value == "node");
    let other_interpreter = argv.first().is_some_and(|p| {
        let p = command_basename(p);
        ["python", "ruby", "perl", "php", "java", "deno"]
            .iter()
            .any(|i| p.starts_with(i))
    });
    let identity = [
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_CONFIG_PATH",
        "OPENCLAW_PROFILE",
        "OPENCLAW_GATEWAY_PORT",
    ]
    .iter()
    .any(|k| env.get(k).is_some());
    let named = crate::openclaw::profile_of_service_name(service_name).is_some();
    !kind_is_node && !other_interpreter && (identity || named)
}

/// The scanned home of `user`: a home directory named after it (`alice`, `home-alice`).
fn home_of_user<'a>(homes: &'a [PathBuf], user: &str) -> Option<&'a Path> {
    homes
        .iter()
        .find(|h| {
            h.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == user || n.ends_with(&format!("-{user}")))
        })
        .map(PathBuf::as_path)
}

/// Each systemd manager's configuration ([`ManagerEnv`]), read once per run: by the first of
/// its native units, its quadlet generator or CL910's list of searched directories to ask.
#[derive(Default)]
pub struct Managers {
    read: BTreeMap<(ServiceKind, PathBuf), Rc<ManagerEnv>>,
}

impl Managers {
    /// The configuration of the `kind` manager of `home` (a user manager's is per home; the
    /// system manager's is one under `root`, whatever home asks).
    fn read(&mut self, kind: ServiceKind, home: &Path, root: Option<&Path>) -> Rc<ManagerEnv> {
        let key_home = match kind {
            ServiceKind::SystemdUser => home.to_path_buf(),
            _ => PathBuf::new(),
        };
        let read = self
            .read
            .entry((kind, key_home))
            .or_insert_with(|| Rc::new(ManagerEnv::read(kind, home, root)));
        Rc::clone(read)
    }

    /// What the `kind` manager of `home` gives its quadlet generator ([`QuadletManager`]).
    pub fn quadlet(
        &mut self,
        kind: ServiceKind,
        home: &Path,
        root: Option<&Path>,
    ) -> QuadletManager {
        QuadletManager(self.read(kind, home, root))
    }
}

/// One file of a unit: the unit itself, then its drop-ins in systemd's order.
struct Layer {
    file: FileId,
    unit: UnitFile,
}

/// Reads one systemd unit (or one instance of a template) with its drop-ins.
/// A systemd manager's `DefaultEnvironment=` ([`manager`]), read for one unit.
struct ManagerEnv {
    kind: ServiceKind,
    /// The files that set it, in reading order, with their text and what may be shown of it:
    /// the manager's configuration, then (a user manager's) environment.d files.
    files: Vec<ManagerFile>,
    /// (index into `files`, name, value, span).
    vars: Vec<(usize, String, String, Span)>,
    /// `ManagerEnvironment=`, the same way: the manager's own variables.
    manager_vars: Vec<(usize, String, String, Span)>,
    /// Where reading `DefaultEnvironment=`, and (a user manager's) environment.d files,
    /// stopped at their budget (index into `files`, span, which of the two).
    stopped_at: Vec<(usize, Span, ManagerEnvPart)>,
    /// Where systemd stops reading the manager's files, at a line its parser fails (index
    /// into `files`, where and why), and how many files after that one it leaves unread.
    refused: Option<(usize, systemd::Stopped, usize)>,
    /// Files that could not be read: located when the unit turns out to be a gateway's.
    unreadable: Vec<(PathBuf, ReadError)>,
    /// The `.d` directories where the listings (of the manager's drop-ins; of a user
    /// manager's environment.d files) met their entry budget.
    stopped_in: Vec<(PathBuf, ManagerEnvPart)>,
    /// Whether its problems were said ([`ManagerEnv::report`]).
    reported: std::cell::Cell<bool>,
}

/// A file of a manager's configuration: its path, its text, and the scanner of what may be
/// shown of it (a unit's, or an environment file's).
type ManagerFile = (PathBuf, String, fn(&str) -> Vec<Span>);

/// The user manager's environment.d files read over its `DefaultEnvironment=`
/// (systemd-environment-d-generator's output replaces the variables it names in the
/// environment the manager gives its generators and units), each with its place.
struct EnvironmentD<'a> {
    files: &'a mut Vec<ManagerFile>,
    /// `DefaultEnvironment=`, then each file's assignments over it.
    vars: &'a mut Vec<(usize, String, String, Span)>,
    /// The manager's own (`ManagerEnvironment=`): a value may refer to them.
    manager_vars: &'a [(usize, String, String, Span)],
    unreadable: &'a mut Vec<(PathBuf, ReadError)>,
}

impl EnvironmentD<'_> {
    /// Reads `paths` in order: `KEY=VALUE` lines as an `EnvironmentFile=` is parsed
    /// (`merge_env_file`), each value expanded from the variables before it
    /// ([`manager::expand_environment_d`]), a later one of a name replacing the earlier.
    /// Within [`manager::MAX_MANAGER_VARIABLES`] and [`manager::MAX_MANAGER_ENV_BYTES`]: the
    /// assignment past them is returned (file index, span), and it and what follows unread.
    fn read(&mut self, paths: Vec<PathBuf>) -> Option<(usize, Span)> {
        let mut at: HashMap<String, usize> = (self.vars.iter().enumerate())
            .map(|(n, v)| (v.1.clone(), n))
            .collect();
        let mut bytes = 0usize;
        for path in paths {
            let text = match ServiceFiles::text(&path, SMALL_FILE_LIMIT) {
                Ok(text) => text,
                Err(err) => {
                    self.unreadable.push((path, err));
                    continue;
                }
            };
            let (entries, _) = systemd::parse_environment_file(&text);
            self.files
                .push((path, text, crate::redact::scan::env_lines as _));
            let file = self.files.len() - 1;
            for entry in entries {
                if !systemd::env_name_is_valid(&entry.key) {
                    continue;
                }
                let left = manager::MAX_MANAGER_ENV_BYTES.saturating_sub(bytes + entry.key.len());
                let lookup = |name: &str| {
                    let named = |v: &&(usize, String, String, Span)| v.1 == name;
                    (at.get(name).map(|&n| &self.vars[n]))
                        .or_else(|| self.manager_vars.iter().find(named))
                        .map(|v| v.2.as_str())
                };
                let value = manager::expand_environment_d(&entry.value, &lookup, left);
                let full = !at.contains_key(&entry.key)
                    && self.vars.len() == manager::MAX_MANAGER_VARIABLES;
                let Some(value) = value.filter(|_| !full) else {
                    return Some((file, entry.span));
                };
                bytes += entry.key.len() + value.len();
                let var = (file, entry.key, value, entry.span);
                match at.get(&var.1) {
                    Some(&n) => self.vars[n] = var,
                    None => {
                        at.insert(var.1.clone(), self.vars.len());
                        self.vars.push(var);
                    }
                }
            }
        }
        None
    }
}

impl ManagerEnv {
    fn read(kind: ServiceKind, home: &Path, root: Option<&Path>) -> ManagerEnv {
        let mut files = Vec::new();
        let mut units: Vec<UnitFile> = Vec::new();
        let mut unreadable = Vec::new();
        let mut refused = None;
        let listed = manager::config_files(kind, home, root);
        let count = listed.files.len();
        for (n, path) in listed.files.into_iter().enumerate() {
            let read = match ServiceFiles::unit(&path, SMALL_FILE_LIMIT) {
                Ok(read) => read,
                Err(err) => {
                    unreadable.push((path, err));
                    continue;
                }
            };
            files.push((path, read.text.clone(), crate::redact::scan::unit as _));
            units.push(read.unit.clone());
            // systemd's `config_parse_many_files` gives up at the first file that fails: what
            // that file has before the line is applied, nothing after it in any file.
            if let Some(stopped) = read.unit.stopped {
                refused = Some((files.len() - 1, stopped, count - n - 1));
                break;
            }
        }
        let manager::DefaultEnvironment {
            mut vars,
            stopped_at,
        } = manager::default_environment(&units);
        let manager_vars = manager::manager_environment(&units).vars;
        let mut stopped_at: Vec<_> = (stopped_at.into_iter())
            .map(|(i, span)| (i, span, ManagerEnvPart::DefaultEnvironment))
            .collect();
        let mut stopped_in: Vec<_> = (listed.stopped_in.into_iter())
            .map(|dir| (dir, ManagerEnvPart::DefaultEnvironment))
            .collect();
        if kind == ServiceKind::SystemdUser {
            let env_d = manager::environment_d_files(home, root);
            stopped_in.extend(
                (env_d.stopped_in.into_iter()).map(|dir| (dir, ManagerEnvPart::EnvironmentD)),
            );
            let mut read = EnvironmentD {
                files: &mut files,
                vars: &mut vars,
                manager_vars: &manager_vars,
                unreadable: &mut unreadable,
            };
            let stopped = read.read(env_d.files);
            stopped_at.extend(
                (stopped.into_iter()).map(|(i, span)| (i, span, ManagerEnvPart::EnvironmentD)),
            );
            // The login session may set `PATH` too (pam_env, `import-environment`), over what
            // the files say: that `PATH` stays unknown ([`scripts::default_path`]).
            vars.retain(|v| v.1 != "PATH");
        }
        ManagerEnv {
            kind,
            files,
            vars,
            manager_vars,
            stopped_at,
            refused,
            unreadable,
            stopped_in,
            reported: Default::default(),
        }
    }

    /// Sets its variables in `env` (before the unit's own), each placed in its file, which is
    /// registered; what stopped systemd or clawlint reading the configuration is said
    /// ([`ManagerEnv::report`]).
    fn apply(
        &self,
        map: &PathMap,
        env: &mut Env,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) {
        let mut ids: BTreeMap<usize, FileId> = BTreeMap::new();
        for (i, key, value, span) in &self.vars {
            // Registered (and scanned for what may be shown) once, however many units read it.
            let file = *ids.entry(*i).or_insert_with(|| self.register(*i, sources));
            let at = Loc { file, span: *span };
            env.set(key, map.map(value), EnvOrigin::Service(at));
        }
        self.report(sources, problems);
    }

    /// The `i`th of its files, registered.
    fn register(&self, i: usize, sources: &mut SourceMap) -> FileId {
        let (path, text, scan) = &self.files[i];
        sources
            .lookup(path)
            .unwrap_or_else(|| register(sources, path, text.clone(), *scan))
    }

    /// Says, each at its place, what stopped the reading of this configuration: a `.d`
    /// directory past the listing budget, a file that cannot be read, `DefaultEnvironment=`
    /// past its budget, a line systemd's parser refuses. Once per run, by whichever reads it
    /// first for a gateway: a native unit, or the quadlet generator it runs.
    fn report(&self, sources: &mut SourceMap, problems: &mut Vec<Problem>) {
        if self.reported.replace(true) {
            return;
        }
        for (dir, part) in &self.stopped_in {
            problems.push(manager::stopped(dir, *part, sources));
        }
        for (path, err) in &self.unreadable {
            problems.push(unreadable(sources, path, err));
        }
        for &(i, span, part) in &self.stopped_at {
            let file = self.register(i, sources);
            problems.push(manager::stopped_environment(Loc { file, span }, part));
        }
        if let Some((i, stopped, unread)) = self.refused {
            let file = self.register(i, sources);
            let at = Loc {
                file,
                span: stopped.span,
            };
            problems.push(refused_line(at, stopped.why, RefusedIn::Manager { unread }));
        }
    }
}

/// What a systemd manager's configuration gives the Podman quadlet generator it runs and the
/// services that generator writes ([`ManagerEnv`], read as for native units): the services'
/// `DefaultEnvironment=`, and `QUADLET_UNIT_DIRS` in the generator's own environment, which
/// systemd makes of the manager's (with `ManagerEnvironment=`) with its transient environment
/// (`DefaultEnvironment=` included) put over it (`build_generator_environment`, then `putenv`
/// in the child that runs the generators); a user manager's environment.d files are read
/// over `DefaultEnvironment=` ([`EnvironmentD`]). What clawlint cannot see (`systemctl
/// set-environment`, `import-environment`) may set them too.
pub struct QuadletManager(Rc<ManagerEnv>);

impl QuadletManager {
    /// `DefaultEnvironment=`, each name once, as every service of the manager starts with it.
    pub fn default_environment(&self) -> Vec<(String, String)> {
        let vars = self.0.vars.iter();
        vars.map(|(_, name, value, _)| (name.clone(), value.clone()))
            .collect()
    }

    /// Says what stopped the reading of the manager's configuration, once per run whatever
    /// reads it ([`ManagerEnv::report`]): for a generator that writes a gateway's service, or
    /// whose directories the configuration chooses (`QUADLET_UNIT_DIRS`).
    pub fn report(&self, sources: &mut SourceMap, problems: &mut Vec<Problem>) {
        self.0.report(sources, problems);
    }

    /// `QUADLET_UNIT_DIRS` as the generator gets it: `DefaultEnvironment=`'s, else
    /// `ManagerEnvironment=`'s.
    pub fn unit_dirs(&self) -> Option<&str> {
        self.unit_dirs_set().map(|(_, _, value, _)| value.as_str())
    }

    /// The assignment that sets [`QuadletManager::unit_dirs`], its file registered.
    pub fn unit_dirs_at(&self, sources: &mut SourceMap) -> Option<Loc> {
        let (i, _, _, span) = self.unit_dirs_set()?;
        let file = self.0.register(*i, sources);
        Some(Loc { file, span: *span })
    }

    fn unit_dirs_set(&self) -> Option<&(usize, String, String, Span)> {
        let named = |v: &&(usize, String, String, Span)| v.1 == "QUADLET_UNIT_DIRS";
        let vars = &self.0;
        vars.vars
            .iter()
            .find(named)
            .or_else(|| vars.manager_vars.iter().find(named))
    }

    /// A directory as the manager's files write it, where the layout has it: one in a user's
    /// home (`/home/NAME/...`, `/root/...`) in the scanned home, as a unit's paths are read
    /// ([`home_of_path`]), for a user manager; else as `host` places it. When the layout's
    /// `/etc/passwd` gives the scanned home's user (`user`) another home, a `/home/NAME/...`
    /// is another user's and placed as `host` places it; when it names no user, the scanned
    /// home is taken to be `/home/NAME`, whatever NAME is.
    pub fn place(
        &self,
        dir: &str,
        host: &compose::HostContext,
        user: Option<&PasswdUser>,
    ) -> PathBuf {
        let in_home = (self.0.kind == ServiceKind::SystemdUser)
            .then(|| home_of_path(dir))
            .flatten()
            .filter(|h| user.is_none_or(|user| user.dir == *h))
            .and_then(|h| dir.strip_prefix(h.as_str()).map(str::to_string));
        match in_home {
            Some(rest) => {
                crate::paths::normalize(&host.home_or_tilde().join(rest.trim_start_matches('/')))
            }
            None => host.host_path(dir, Path::new("/")),
        }
    }
}

impl ManagerEnv {
    /// What the part of the manager's environment past clawlint's budget (`DefaultEnvironment=`,
    /// a user manager's environment.d files) may set that OpenClaw
    /// resolves a gateway's port, profile, state dir or config path from: each such variable
    /// the unit's final environment `env` does not have, or has from the manager's files
    /// (a later assignment there, unread, would replace it); one the unit sets itself wins
    /// over the manager's. Empty when the manager's environment was read whole. `HOME` is not
    /// among them: the manager's own `HOME` wins over its `DefaultEnvironment=`.
    /// The first part of the manager's environment read only up to its budget, if any.
    fn unread_part(&self) -> Option<ManagerEnvPart> {
        self.stopped_at.first().map(|&(_, _, part)| part)
    }

    fn unread_may_set(&self, env: &Env, sources: &SourceMap) -> Vec<String> {
        if self.stopped_at.is_empty() {
            return Vec::new();
        }
        let manager_files: Vec<FileId> = self
            .files
            .iter()
            .filter_map(|(path, _, _)| sources.lookup(path))
            .collect();
        let set_by_unit = |name: &str| {
            env.get(name).is_some_and(|var| match &var.origin {
                EnvOrigin::Service(loc) => !manager_files.contains(&loc.file),
                _ => true,
            })
        };
        let mut names: Vec<String> = [
            "OPENCLAW_CONFIG_PATH",
            "OPENCLAW_GATEWAY_PORT",
            "OPENCLAW_HOME",
            "OPENCLAW_PROFILE",
            "OPENCLAW_STATE_DIR",
        ]
        .into_iter()
        .filter(|name| !set_by_unit(name))
        .map(str::to_string)
        .collect();
        names.sort();
        names
    }
}

/// Which file systemd stopped reading at a line its parser fails ([`refused_line`]).
enum RefusedIn {
    /// A unit's own file: the unit is not loaded.
    Unit,
    /// One of a unit's drop-ins: its lines from there on are not applied.
    DropIn,
    /// A manager configuration file, with the number of files after it left unread.
    Manager { unread: usize },
}

/// CL901 at the line of a unit file, drop-in or manager configuration file where systemd's
/// parser fails the file ([`systemd::Stopped`]: a character it does not take as UTF-8, a
/// malformed section header), so what the line and those after it say does not happen.
fn refused_line(at: Loc, why: systemd::Why, file: RefusedIn) -> Problem {
    let what = match file {
        RefusedIn::Unit => "systemd does not load this unit (its parser fails the unit file at this line), so the unit starts nothing, whatever its lines say".to_string(),
        RefusedIn::DropIn => "systemd stops reading this drop-in here: this line and the rest of the drop-in are not applied to the unit (its other files are)".to_string(),
        RefusedIn::Manager { unread: 0 } => "systemd stops reading its manager configuration here: this line and the rest of the file are not applied (DefaultEnvironment= set there reaches no unit)".to_string(),
        RefusedIn::Manager { unread } => format!("systemd stops reading its manager configuration here: this line, the rest of the file and the {unread} drop-in(s) after it are not applied (DefaultEnvironment= set there reaches no unit)"),
    };
    Problem {
        kind: crate::load::ProblemKind::Unparsable,
        message: format!(
            "{} (systemd: \"{}\"): {what}",
            why.line(),
            why.systemd_says()
        ),
        loc: Some(at),
    }
}

/// `argv` with a command name that has no slash replaced by the file systemd runs for it,
/// when the layout has it ([`manager::find_command`]).
/// With the directory of `ExecSearchPath=` that led out of the layout, when the search stopped
/// there ([`manager::Lookup::Outside`]): the command is then read as written.
fn found_command(
    mut argv: Vec<String>,
    search: Option<&[String]>,
    map: &PathMap,
) -> (Vec<String>, Option<(String, Option<PathBuf>)>) {
    match argv
        .first()
        .and_then(|name| manager::find_command(name, search, map))
    {
        Some(manager::Lookup::Script(found)) => {
            argv[0] = found;
            (argv, None)
        }
        Some(manager::Lookup::Outside { dir, real }) => (argv, Some((dir, real))),
        None => (argv, None),
    }
}

/// CL902 at the `ExecSearchPath=` that names a directory leading out of the layout (to
/// `real`) where systemd looks for the command `name` first: what the unit runs, and so
/// whether it starts a gateway, is not known. The directory is the one the line shows.
fn search_path_outside(name: &str, real: Option<&Path>, loc: Loc) -> Problem {
    let to = match real {
        Some(real) => format!(" (it resolves to {})", real.display()),
        None => String::new(),
    };
    Problem {
        kind: crate::load::ProblemKind::OutsideLayout,
        message: format!(
            "ExecSearchPath= names a directory that leads outside the scanned homes and --root{to}: systemd looks there for `{name}` first, and clawlint does not, so what this unit runs (a gateway or not) is not checked"
        ),
        loc: Some(loc),
    }
}

struct UnitReader<'a> {
    found: &'a FoundService,
    kind: ServiceKind,
    home: &'a Path,
    /// Every scanned home: a system unit's `User=` picks its own.
    homes: &'a [PathBuf],
    root: Option<&'a Path>,
}

impl UnitReader<'_> {
    /// The unit's name as systemd knows it: `openclaw-gateway@ops.service` for an instance.
    fn unit_name(&self) -> Option<String> {
        let file_name = self.found.file.file_name()?.to_string_lossy().into_owned();
        Some(match &self.found.instance {
            Some((instance, _)) => file_name.replacen("@.", &format!("@{instance}."), 1),
            None => file_name,
        })
    }

    /// Drop-ins as systemd finds them (systemd.unit(5)): `*.conf` in `<unit>.d/`, the
    /// template's `<prefix>@.service.d/` for an instance, the dash-prefix directories
    /// (`openclaw-.service.d/` for `openclaw-gateway.service`) and the top-level
    /// `service.d/`, in every directory of the unit's search path. A file name found in a
    /// higher-priority directory (/etc over /run over /usr/lib), or in a more specific
    /// directory of the same one, replaces the others of that name; all are applied in file
    /// name order. Listed within [`manager::DROP_IN_ENTRY_BUDGET`] entries over all those
    /// directories (the top-level `service.d/` applies to every unit): the second value is
    /// the directory holding more than were left, where the listing stopped (none of it,
    /// and nothing of higher priority, is read).
    fn drop_ins(&self, unit_name: &str) -> (Vec<PathBuf>, Option<PathBuf>) {
        let own = self.found.file.parent();
        let mut dirs = unit_dirs(self.kind, self.home, self.root, own);
        dirs.reverse(); // lowest priority first: later ones replace
        let mut left = manager::DROP_IN_ENTRY_BUDGET;
        drop_in_files(&dirs, unit_name, &mut left)
    }

    /// The container gateway a unit's `docker run`/`podman run` (`cmd`, wrappers removed)
    /// starts, read with the unit's environment; `line`: its `ExecStart=` value, where its
    /// words are placed (on a script it runs, each points at the whole line).
    #[allow(clippy::too_many_arguments)]
    fn container_run(
        &self,
        cmd: &command::Command,
        line: Option<(Loc, &str)>,
        working_dir: Option<PathBuf>,
        env: &Env,
        map: &PathMap,
        name: &str,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) -> Option<Invocation> {
        let run = container_run::parse(&cmd.argv)?;
        let (loc, directive_value) = line?;
        // The line as the file writes it (continued lines and all): its words are found there.
        let written = sources
            .file(loc.file)
            .text
            .get(loc.span.start()..loc.span.end());
        let written = written.unwrap_or_default().to_string();
        let mut client_env = env.clone();
        for (key, value) in &cmd.env {
            client_env.set(key, map.map(value), EnvOrigin::Given);
        }
        let cwd = cmd
            .cwd
            .as_deref()
            .map(|d| PathBuf::from(map.map(d)))
            .or(working_dir)
            .unwrap_or_else(|| map.home.to_path_buf());
        let place = |raw: &str| PathBuf::from(map.map(raw));
        // Words are placed on the line itself, not on a script it runs; as written (`%h`)
        // when nothing was unwrapped from the line.
        let in_script = cmd.wrappers.iter().any(|w| w.starts_with("script "));
        let as_written = match cmd.wrappers.is_empty() {
            true => systemd::split_exec(directive_value).ok().map(|c| c.argv),
            false => None,
        };
        let site = container_run::RunSite {
            file: &self.found.file,
            service: name,
            loc,
            text: (!in_script).then_some(written.as_str()),
            written: as_written.as_deref(),
            cwd: &cwd,
            place: &place,
            client_env: &client_env,
            host_home: map.home,
            word_locs: None,
        };
        let mut inv = container_run::invocation(&run, &cmd.argv, &site, sources, problems)?;
        inv.written_home = map.unit_home.clone().filter(|h| h.len() > 1);
        Some(inv)
    }

    /// The gateway the unit whose own file reads as `main` starts, with its drop-ins.
    fn read(
        &self,
        main: &Rc<UnitRead>,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
        run: &mut DiscoveryRun,
    ) -> Option<Invocation> {
        let DiscoveryRun {
            compose_runs,
            managers,
            said,
        } = run;
        let path = self.found.file.as_path();
        let name = self.unit_name()?;
        if let Some(stopped) = main.unit.stopped {
            // Refused before its drop-ins are looked at (`unit_load_fragment` fails).
            let file = register_unit(sources, path, &main.text);
            let at = Loc {
                file,
                span: stopped.span,
            };
            let problem = refused_line(at, stopped.why, RefusedIn::Unit);
            said.push(problems, problem);
            return None;
        }
        let mut texts = vec![(path.to_path_buf(), Rc::clone(main))];
        let mut drop_ins = Vec::new();
        let (listed, stopped_in) = self.drop_ins(&name);
        if let Some(dir) = stopped_in {
            // Once, however many units the directory applies to (`service.d/`).
            let problem = manager::stopped_drop_ins(&dir, &name, sources);
            said.push_once_at_its_place(problems, problem);
        }
        for drop_in in listed {
            match ServiceFiles::unit(&drop_in, SMALL_FILE_LIMIT) {
                Ok(read) => {
                    // What precedes the line is applied (`unit_load_dropin` ignores the
                    // failure); said once, however many units the drop-in applies to.
                    if let Some(stopped) = read.unit.stopped {
                        let file = register_unit(sources, &drop_in, &read.text);
                        let at = Loc {
                            file,
                            span: stopped.span,
                        };
                        let problem = refused_line(at, stopped.why, RefusedIn::DropIn);
                        said.push(problems, problem);
                    }
                    texts.push((drop_in.clone(), read));
                    drop_ins.push(drop_in);
                }
                Err(err) => problems.push(unreadable(sources, &drop_in, &err)),
            }
        }
        let units: Vec<UnitFile> = texts.iter().map(|(_, read)| read.unit.clone()).collect();
        // The last `ExecStart=` wins; an empty one resets those before it (the reset a
        // drop-in needs to replace the unit's command).
        let mut exec: Option<(usize, systemd::Directive)> = None;
        for (i, unit) in units.iter().enumerate() {
            for d in unit.get_all("Service", "ExecStart") {
                exec = (!d.value.is_empty()).then(|| (i, d.clone()));
            }
        }
        // `User=` may itself use the instance name (`User=%i`).
        let name_only = SpecifierContext {
            home: self.home.display().to_string(),
            user: None,
            unit_name: name.clone(),
        };
        let user = units
            .iter()
            .rev()
            .find_map(|u| u.get_last("Service", "User"))
            .map(|d| systemd::expand_specifiers(&d.value, &name_only).0);
        // A system unit runs as its `User=`: its home is that user's scanned home.
        let home_buf = match user.as_deref() {
            Some(u) if self.kind == ServiceKind::SystemdSystem => {
                account_home(self.homes, self.root, u)
                    .unwrap_or(self.home)
                    .to_path_buf()
            }
            _ => self.home.to_path_buf(),
        };
        let home = home_buf.as_path();
        let spec = SpecifierContext {
            home: home.display().to_string(),
            user: user.clone(),
            unit_name: name.clone(),
        };
        let expand = |v: &str| systemd::expand_specifiers(v, &spec).0;
        // The inline environment across files: a file with an empty `Environment=` starts
        // over, as systemd's reset does.
        let mut inline: Vec<(usize, String, String, Span)> = Vec::new();
        let mut env_files: Vec<(usize, String, bool, Span)> = Vec::new();
        for (i, unit) in units.iter().enumerate() {
            if unit
                .get_all("Service", "Environment")
                .iter()
                .any(|d| d.value.is_empty())
            {
                inline.clear();
            }
            inline.extend(
                systemd::effective_environment(unit)
                    .into_iter()
                    .map(|(k, v, span)| (i, k, v, span)),
            );
            if unit
                .get_all("Service", "EnvironmentFile")
                .iter()
                .any(|d| d.value.is_empty())
            {
                env_files.clear();
            }
            for (raw, optional, span) in systemd::environment_files(unit) {
                env_files.push((i, raw, optional, span));
            }
        }
        // The last assignment of each name wins, in the order of those last assignments
        // (one pass: a unit may set 100,000 names).
        let mut seen = std::collections::HashSet::new();
        inline.reverse();
        inline.retain(|e| seen.insert(e.1.clone()));
        inline.reverse();
        let mut all_values: Vec<String> = inline.iter().map(|e| e.2.clone()).collect();
        all_values.extend(env_files.iter().map(|e| e.1.clone()));
        all_values.extend(exec.iter().map(|(_, d)| d.value.clone()));
        all_values.extend(
            units
                .iter()
                .filter_map(|u| u.get_last("Service", "WorkingDirectory"))
                .map(|d| d.value.clone()),
        );
        let explicit_home = inline
            .iter()
            .rev()
            .find(|e| e.1 == "HOME")
            .map(|e| expand(&e.2));
        let map = PathMap {
            unit_home: unit_home_of(
                explicit_home.as_deref(),
                user.as_deref(),
                &all_values,
                self.kind,
            ),
            home,
            root: self.root,
            kind: self.kind,
            domain_path: None,
        };
        // What the manager gives every unit (lowest precedence), and `ExecSearchPath=`.
        let manager_env = managers.read(self.kind, home, self.root);
        let search = manager::exec_search_path(&units, &expand);
        let search_paths = search.as_ref().map(manager::SearchPath::paths);
        let search_dirs = search_paths.as_deref();
        // Decide before registering anything: a unit that runs no gateway is not ours.
        let (argv, no_var_expansion): (Vec<String>, bool) = match &exec {
            Some((_, d)) => systemd::split_exec(&d.value)
                .map(|c| {
                    (
                        c.argv.iter().map(|a| expand(a)).collect(),
                        c.prefixes.contains(':'),
                    )
                })
                .unwrap_or_default(),
            None => (Vec::new(), false),
        };
        let (argv, main_outside) = found_command(argv, search_dirs, &map);
        let mut outside = Vec::new();
        if let (Some(dir), Some(name)) = (main_outside, argv.first()) {
            outside.push((name.clone(), dir));
        }
        let mut preview_env = Env::new();
        for (_, k, v, _) in &manager_env.vars {
            preview_env.set(k, map.map(v), EnvOrigin::Given);
        }
        if let Some(dirs) = &search_paths {
            preview_env.set("PATH", dirs.join(":"), EnvOrigin::Given);
        }
        for (_, k, v, _) in &inline {
            preview_env.set(k, map.map(&expand(v)), EnvOrigin::Given);
        }
        let mut scratch_sources = SourceMap::new();
        let mut scratch_problems = Vec::new();
        let (preview, _) = resolve_command(
            argv.clone(),
            &preview_env,
            &map,
            None,
            &mut scratch_sources,
            &mut scratch_problems,
        );
        let opaque = !command::starts_gateway(&preview.argv);
        // `docker run … IMAGE openclaw gateway`: a container gateway, not a native one.
        let runs_container = command::starts_gateway_here(&preview.argv) && opaque;
        let preview_vars: BTreeMap<String, String> = preview_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.value.clone()))
            .collect();
        // `docker compose … up` (itself, or in a script the unit runs): the unit starts a
        // compose project, not a gateway of its own.
        let runs_compose = opaque && mentions_compose(&argv, &preview_vars, &map);
        // `ExecStartPre=`/`ExecStartPost=` lines run too (each to completion, before and after
        // the main command): a `docker compose up` there starts its project as well.
        let mut side_lines: Vec<(usize, systemd::Directive, &str)> = Vec::new();
        for key in ["ExecStartPre", "ExecStartPost"] {
            let mut lines: Vec<(usize, systemd::Directive, &str)> = Vec::new();
            for (i, unit) in units.iter().enumerate() {
                for d in unit.get_all("Service", key) {
                    match d.value.is_empty() {
                        true => lines.clear(),
                        false => lines.push((i, d.clone(), key)),
                    }
                }
            }
            side_lines.extend(lines);
        }
        let side_lookup = |d: &systemd::Directive| {
            systemd::split_exec(&d.value).ok().map(|c| {
                let argv = c.argv.iter().map(|a| expand(a)).collect();
                found_command(argv, search_dirs, &map)
            })
        };
        let side_argv = |d: &systemd::Directive| side_lookup(d).map(|(argv, _)| argv);
        for (_, d, _) in &side_lines {
            if let Some((argv, Some(dir))) = side_lookup(d) {
                outside.push((argv[0].clone(), dir));
            }
        }
        let side_compose = side_lines.iter().any(|(_, d, _)| {
            side_argv(d).is_some_and(|a| mentions_compose(&a, &preview_vars, &map))
        });
        let not_ours = opaque
            && !runs_container
            && !runs_compose
            && !side_compose
            && !names_a_gateway(&preview_env, &preview, &name);
        // One whose command may lie out of the layout is said, not dropped unseen.
        if not_ours && outside.is_empty() {
            return None;
        }
        let mut files: Vec<FileId> = Vec::new();
        for ((file_path, read), unit) in texts.into_iter().zip(&units) {
            let file = register_unit(sources, &file_path, &read.text);
            set_unit_suppressions(sources, file, &read.text, unit);
            files.push(file);
        }
        let layers: Vec<Layer> = files
            .iter()
            .zip(units)
            .map(|(&file, unit)| Layer { file, unit })
            .collect();
        let at = |i: usize, span: Span| Loc {
            file: layers[i].file,
            span,
        };
        let mut named = std::collections::HashSet::new();
        for (name, dir) in &outside {
            if let Some((i, span)) = search.as_ref().and_then(|s| s.naming(&dir.0)) {
                if named.insert(&dir.0) {
                    problems.push(search_path_outside(name, dir.1.as_deref(), at(i, span)));
                }
            }
        }
        if not_ours {
            return None;
        }
        let mut env = Env::new();
        manager_env.apply(&map, &mut env, sources, problems);
        if let (Some(search), Some(dirs)) = (&search, &search_paths) {
            let (i, span) = search.last();
            env.set("PATH", dirs.join(":"), EnvOrigin::Service(at(i, span)));
        }
        for (i, key, value, span) in &inline {
            env.set(
                key,
                map.map(&expand(value)),
                EnvOrigin::Service(at(*i, *span)),
            );
        }
        for (i, raw, optional, span) in &env_files {
            let expanded = expand(raw);
            let literal = systemd::glob_literal(&expanded).unwrap_or(expanded);
            let file_path = PathBuf::from(map.map(&literal));
            read_environment_file(
                &file_path,
                *optional,
                at(*i, *span),
                &map,
                &mut env,
                sources,
                problems,
            );
        }
        // What this instance keeps in files of its own (`EnvironmentFile=-%h/.openclaw-%i/…`,
        // `WorkingDirectory=%h/.openclaw-%i`): the inventory keeps such a dir from also
        // counting as a profile gateway when the unit runs elsewhere.
        let working_directories = layers
            .iter()
            .filter_map(|l| l.unit.get_last("Service", "WorkingDirectory"))
            .map(|d| d.value.trim_start_matches('-').to_string());
        let instance_paths: Vec<PathBuf> = match self.found.instance {
            Some(_) => env_files
                .iter()
                .map(|(_, raw, _, _)| raw.clone())
                .chain(working_directories)
                .filter(|raw| systemd::names_instance(raw))
                .map(|raw| {
                    let expanded = expand(&raw);
                    let literal = systemd::glob_literal(&expanded).unwrap_or(expanded);
                    PathBuf::from(map.map(&literal))
                })
                .collect(),
            None => Vec::new(),
        };
        // `UnsetEnvironment=` is applied last, to everything above (systemd.exec(5)): a name
        // removes the variable, `NAME=value` only that exact assignment. A file with an
        // empty one starts the list over.
        let mut unset: Vec<String> = Vec::new();
        for layer in &layers {
            if layer
                .unit
                .get_all("Service", "UnsetEnvironment")
                .iter()
                .any(|d| d.value.is_empty())
            {
                unset.clear();
            }
            unset.extend(systemd::unset_environment(&layer.unit));
        }
        for word in unset {
            match word.split_once('=') {
                Some((key, value)) => {
                    if env.value(key) == Some(value) {
                        env.remove(key);
                    }
                }
                None => env.remove(&word),
            }
        }
        // systemd substitutes `$NAME` and `${NAME}` in the command line from that environment
        // (systemd.service(5) "Command lines"), unless the command has the `:` prefix.
        let argv = if no_var_expansion {
            argv
        } else {
            let vars: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            systemd::expand_exec_variables(&argv, &vars)
        };
        let exec_loc = match &exec {
            Some((i, d)) => at(*i, port_span(d).unwrap_or(d.value_span)),
            None => at(0, Span::new(0, 0)),
        };
        let working_dir = working_directory(&layers, &expand, &map);
        let by = format!("unit {name}");
        if side_compose {
            let vars: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            for (i, d, key) in &side_lines {
                let Some(words) = side_argv(d) else { continue };
                let no_expansion =
                    systemd::split_exec(&d.value).is_ok_and(|c| c.prefixes.contains(':'));
                let words = match no_expansion {
                    true => words,
                    false => systemd::expand_exec_variables(&words, &vars),
                };
                let at_line = at(*i, d.value_span);
                compose_runs.extend(supervisor_compose_runs(
                    &format!("{by} ({key}=)"),
                    words,
                    &env,
                    working_dir.clone(),
                    &map,
                    at_line,
                    sources,
                    problems,
                ));
            }
        }
        if runs_compose {
            compose_runs.extend(supervisor_compose_runs(
                &by,
                argv,
                &env,
                working_dir,
                &map,
                exec_loc,
                sources,
                problems,
            ));
            return None;
        }
        if opaque && !runs_container && !names_a_gateway(&preview_env, &preview, &name) {
            return None;
        }
        let (mut cmd, set_at) =
            resolve_command(argv, &env, &map, Some(exec_loc), sources, problems);
        if runs_container {
            let line = exec
                .as_ref()
                .map(|(i, d)| (at(*i, d.value_span), d.value.as_str()));
            return self.container_run(
                &cmd,
                line,
                working_dir,
                &env,
                &map,
                &name,
                sources,
                problems,
            );
        }
        // A manager environment read only in part may set what no file read shows.
        if let (Some(part), None) = (manager_env.unread_part(), &cmd.injects_env) {
            cmd.injects_env = Some(format!("the part of {part} past clawlint's budget"));
        }
        for (key, value) in &cmd.env {
            let at = set_at.get(key).copied().unwrap_or(exec_loc);
            env.set(key, map.map(value), EnvOrigin::Service(at));
        }
        read_runner_env_files(&mut cmd, &map, exec_loc, &mut env, sources, problems);
        map.show_evidence(&mut cmd);
        // A `HOME=` that is no user's home (`/data/bot`) is that gateway's own home, read
        // under `--root`; the scanned home stands only for a user's home.
        let process_home = match explicit_home.as_deref() {
            Some(h) if map.unit_home.is_none() => PathBuf::from(map.map(h)),
            _ => home.to_path_buf(),
        };
        env.set("HOME", process_home.display().to_string(), EnvOrigin::Given);
        if let Some(by) = trigger_env(&mut env, &cmd.argv) {
            cmd.unseen
                .push(format!("the environment of {by}{INSTALLED_ENV}"));
            cmd.injects_env = Some(by);
        }
        let mut restart = None;
        let mut prevent = Vec::new();
        let mut success = Vec::new();
        let mut private_tmp = false;
        for (i, layer) in layers.iter().enumerate() {
            if let Some(own) = systemd::private_tmp(&layer.unit) {
                private_tmp = own;
            }
            let (r, p) = systemd::restart_policy(&layer.unit);
            let s = systemd::success_exit_status(&layer.unit);
            if !s.is_empty() {
                success = s;
            }
            if let (Some(r), Some(d)) = (r, layer.unit.get_last("Service", "Restart")) {
                restart = Some(Sourced::new(r, Origin::Config(at(i, d.span))));
            }
            if !p.is_empty() {
                prevent = p;
            }
        }
        let mut unseen = cmd.unseen.clone();
        if opaque {
            unseen.push(match exec.as_ref() {
                Some(_) => {
                    "what its command runs: arguments such as --port and --profile are unknown"
                        .to_string()
                }
                None => "its command (no ExecStart=)".to_string(),
            });
        }
        if let Some(home) = explicit_home.as_deref().filter(|_| map.unit_home.is_none()) {
            unseen.push(format!("HOME={home}, which is not the scanned home"));
        }
        let inside =
            |p: &Path| p.starts_with(self.home) || self.root.is_some_and(|r| p.starts_with(r));
        let release = command_release(&cmd.argv, &env, &|v| map.map(v), &inside, exec_loc, sources);
        let mut how = ServiceEvidence {
            instance: self.found.instance.clone(),
            pulled_in_by: self.found.pulled_in_by.clone(),
            not_enabled: self.found.not_enabled,
            drop_ins,
            wrappers: cmd.wrappers.clone(),
            unseen,
            opaque: opaque.then(|| match exec.as_ref() {
                Some(_) => opaque_reason(&cmd, &map),
                None => "it has no ExecStart=".to_string(),
            }),
            injects_env: cmd.injects_env.clone(),
            maybe_set: cmd.maybe_set.clone(),
            unknown_values: cmd.env_unknown.clone(),
            manager_may_set: manager_env.unread_may_set(&env, sources),
            manager_unread: manager_env.unread_part(),
            instance_paths,
            release,
            private_tmp,
            ..ServiceEvidence::default()
        };
        read_trigger(&mut how, &cmd.argv);
        let argv = if opaque { Vec::new() } else { cmd.argv.clone() };
        let service = ServiceFile {
            restart,
            prevent_exit_status: prevent,
            success_exit_status: success,
            how,
            ..supervisor(self.kind, path, name, exec_loc, &argv, &env)
        };
        let cwd = cmd
            .cwd
            .as_deref()
            .map(|d| PathBuf::from(map.map(d)))
            .or(working_dir)
            .unwrap_or_else(|| process_home.clone());
        let mut inv = build(argv, env, cwd, &process_home, path, service);
        inv.written_home = map.unit_home.clone().filter(|h| h.len() > 1);
        Some(inv)
    }
}

/// The unit's last `WorkingDirectory=` (drop-ins over the unit), on the layout.
fn working_directory(
    layers: &[Layer],
    expand: &dyn Fn(&str) -> String,
    map: &PathMap,
) -> Option<PathBuf> {
    let dir = layers
        .iter()
        .rev()
        .find_map(|l| l.unit.get_last("Service", "WorkingDirectory"))?;
    Some(PathBuf::from(
        map.map(&expand(dir.value.trim_start_matches('-'))),
    ))
}

/// Registers a service file, showing what `scan` (one of [`crate::redact::scan`]) knows to
/// be safe in it; the rest is masked.
/// The OpenClaw release a supervisor's command runs, when the layout shows it: the program's
/// versioned path, or the `package.json` of the installation it lies in, inside the scanned
/// layout (`inside`). A bare program name is looked up on the supervisor's `PATH`.
fn command_release(
    argv: &[String],
    env: &Env,
    map: &dyn Fn(&str) -> String,
    inside: &dyn Fn(&Path) -> bool,
    at: Loc,
    sources: &mut SourceMap,
) -> Option<Sourced<String>> {
    use crate::load::install;
    let written = command::openclaw_program(argv)?;
    let located = |found: install::Installed| {
        Sourced::new(
            found.release,
            Origin::layout(found.what, found.loc.or(Some(at))),
        )
    };
    if let Some(release) = install::release_in_path(written) {
        return Some(located(install::Installed {
            release,
            what: "the versioned path of the OpenClaw its command runs".to_string(),
            loc: None,
        }));
    }
    let programs: Vec<PathBuf> = if written.contains(['/', '\\']) {
        vec![PathBuf::from(map(written))]
    } else {
        env.value("PATH")
            .unwrap_or_default()
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| PathBuf::from(map(d)).join(written))
            .collect()
    };
    programs
        .iter()
        .filter(|p| {
            p.is_absolute()
                && inside(p)
                && (crate::paths::host::exists(p)
                    || crate::paths::host::symlink_metadata(p).is_ok_and(|m| m.is_symlink()))
        })
        .find_map(|p| install::program_release(written, p, sources))
        .map(located)
}

/// A unit file, drop-in or manager file registered (and scanned for what may be shown) once,
/// however many units read it.
fn register_unit(sources: &mut SourceMap, path: &Path, text: &str) -> FileId {
    sources
        .lookup(path)
        .unwrap_or_else(|| register(sources, path, text.to_string(), crate::redact::scan::unit))
}

fn register(
    sources: &mut SourceMap,
    path: &Path,
    text: String,
    scan: fn(&str) -> Vec<Span>,
) -> FileId {
    let shown = scan(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    file
}

/// A file a supervisor takes its environment from. A missing one is fine when `optional`;
/// any other failure is a problem, shown where the supervisor names the file.
fn read_env_source(
    path: &Path,
    optional: bool,
    referenced_at: Option<Loc>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match ServiceFiles::text(path, SMALL_FILE_LIMIT) {
        Ok(text) => Some(text),
        Err(ReadError::Missing) if optional => None,
        Err(err) => {
            let mut problem = unreadable(sources, path, &err);
            problem.loc = referenced_at.or(problem.loc);
            problems.push(problem);
            None
        }
    }
}

/// `EnvironmentFile=`: its values override `Environment=`; `-` makes a missing file fine.
fn read_environment_file(
    path: &Path,
    optional: bool,
    referenced_at: Loc,
    map: &PathMap,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let Some(text) = read_env_source(path, optional, Some(referenced_at), sources, problems) else {
        return;
    };
    let (entries, comments) = systemd::parse_environment_file(&text);
    let items: Vec<Span> = entries.iter().map(|e| e.span).collect();
    let suppressions = crate::source::directive::from_comments(
        &text,
        comments.iter().map(|c| (c.span, c.text.as_str())),
        &items,
    );
    let file = register(sources, path, text, crate::redact::scan::env_lines);
    sources.set_suppressions(file, suppressions);
    for entry in entries {
        let origin = EnvOrigin::Service(Loc {
            file,
            span: entry.span,
        });
        env.set(&entry.key, map.map(&entry.value), origin);
    }
}

fn set_unit_suppressions(sources: &mut SourceMap, file: FileId, text: &str, unit: &UnitFile) {
    let items: Vec<Span> = unit
        .sections
        .iter()
        .flat_map(|s| s.entries.iter().map(|d| d.span))
        .collect();
    let comments = unit.comments.iter().map(|c| (c.span, c.text.as_str()));
    sources.set_suppressions(
        file,
        crate::source::directive::from_comments(text, comments, &items),
    );
}

/// The last `--port N` in a one-line `ExecStart=`, so that labels point at it.
fn port_span(exec: &systemd::Directive) -> Option<Span> {
    let on_one_line = exec.value_span.end() - exec.value_span.start() == exec.value.len();
    let at = exec.value.rfind("--port")?;
    let end = exec.value[at..]
        .char_indices()
        .skip("--port".len() + 1)
        .find(|(_, c)| c.is_whitespace() || *c == '"')
        .map_or(exec.value.len(), |(i, _)| at + i);
    on_one_line.then_some(Span::new(
        exec.value_span.start() + at,
        exec.value_span.start() + end,
    ))
}

/// A supervisor as read: where it says how the gateway starts, its port, its state dir
/// setting. Restart policy is systemd's only; the unit reader adds it.
fn supervisor(
    kind: ServiceKind,
    path: &Path,
    name: String,
    loc: Loc,
    argv: &[String],
    env: &Env,
) -> ServiceFile {
    ServiceFile {
        kind,
        path: path.to_path_buf(),
        name,
        loc,
        restart: None,
        prevent_exit_status: Vec::new(),
        success_exit_status: Vec::new(),
        // `gateway start` starts the installed service, which runs on its own port.
        port: super::port_arg(argv, Some(loc)).filter(|_| !command::starts_installed_service(argv)),
        state_dir_loc: env.get("OPENCLAW_STATE_DIR").and_then(|v| v.origin.loc()),
        how: ServiceEvidence::default(),
    }
}

fn build(
    argv: Vec<String>,
    env: Env,
    cwd: PathBuf,
    home: &Path,
    path: &Path,
    service: ServiceFile,
) -> Invocation {
    let (profile, dev) = crate::openclaw::root_flags(&argv);
    let bind_arg = crate::container::bind_from_args(&argv).map(|(b, _)| {
        Sourced::new(
            b.clone(),
            Origin::cli(format!("--bind {b}"), Some(service.loc)),
        )
    });
    Invocation {
        written_home: None,
        name: service.name.clone(),
        discovery: Discovery::Service(path.to_path_buf()),
        home: home.to_path_buf(),
        cwd,
        profile_flag: profile,
        dev,
        env,
        port_arg: service.port.clone(),
        bind_arg,
        auth_args: crate::container::gives_auth(&argv),
        // Not known for a trigger (the installed service has its own command), nor where
        // what the supervisor runs is not wholly read.
        allow_unconfigured: crate::container::allows_unconfigured(&argv).filter(|_| {
            !service.how.starts_installed_service
                && service.how.opaque.is_none()
                && service.how.unseen.is_empty()
        }),
        service: Some(Box::new(service)),
        container: None,
    }
}

/// Whether launchd leaves the job `label` unloaded: the override database under `--root`
/// decides when it names the label (the system domain's for a LaunchDaemon; for a LaunchAgent
/// the users' `disabled.<uid>.plist`, when those that name it agree), else the plist's own
/// `Disabled` key. Without `--root` only the key is seen. A database that cannot be read or
/// parsed decides nothing (the plist's key does) and is a located problem, once per file.
fn launchd_disabled(
    label: &str,
    key: Option<bool>,
    daemon: bool,
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> bool {
    let overrides = root.map(|r| r.join("private/var/db/com.apple.xpc.launchd"));
    let mut said: Vec<bool> = Vec::new();
    if let Some(Ok(entries)) = overrides.as_ref().map(|d| crate::paths::host::read_dir(d)) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                let name = name.as_deref().unwrap_or("");
                if daemon {
                    name == "disabled.plist"
                } else {
                    name.strip_prefix("disabled.")
                        .and_then(|n| n.strip_suffix(".plist"))
                        .is_some_and(|uid| uid.parse::<u32>().is_ok_and(|uid| uid >= 500))
                }
            })
            .collect();
        files.sort();
        for file in files {
            // Reported once: the file is registered when its problem is.
            let first = sources.lookup(&file).is_none();
            let bytes = match ServiceFiles::bytes(&file, SMALL_FILE_LIMIT) {
                Ok(bytes) => bytes,
                Err(err) => {
                    if first {
                        problems.push(unreadable(sources, &file, &err));
                    }
                    continue;
                }
            };
            let entries = match launchd::parse_disabled_overrides(&bytes) {
                Ok(entries) => entries,
                Err(message) => {
                    if first {
                        problems.push(invalid_plist(
                            sources,
                            &file,
                            &bytes,
                            &format!("{message}; launchd's override database decides nothing here, so each job counts as its own plist's Disabled key says"),
                        ));
                    }
                    continue;
                }
            };
            said.extend(
                entries
                    .into_iter()
                    .filter(|(l, _)| l == label)
                    .map(|(_, d)| d),
            );
        }
    }
    match said.first() {
        Some(first) if said.iter().all(|d| d == first) => *first,
        // Users disagree: the job is loaded for some, so it is kept.
        Some(_) => false,
        None => key == Some(true),
    }
}

/// The `PATH` launchd's persistent configuration gives the services of a job's domain
/// (`launchctl config user path …` for a LaunchAgent, `config system path …` for a
/// LaunchDaemon; [`launchd::parse_config_path`]), read under `--root` where launchctl keeps
/// it. `None` when the layout has no such file or it sets no `PATH`; `Err` (and a located
/// problem, once per file) when it cannot be read or parsed.
fn launchd_domain_path(
    root: &Path,
    daemon: bool,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Result<String, ()>> {
    let file = root
        .join("private/var/db/com.apple.xpc.launchd/config")
        .join(if daemon { "system.plist" } else { "user.plist" });
    let first = sources.lookup(&file).is_none();
    let bytes = match ServiceFiles::bytes(&file, SMALL_FILE_LIMIT) {
        Ok(bytes) => bytes,
        Err(ReadError::Missing) => return None,
        Err(err) => {
            if first {
                problems.push(unreadable(sources, &file, &err));
            }
            return Some(Err(()));
        }
    };
    match launchd::parse_config_path(&bytes) {
        Ok(path) => path.map(Ok),
        Err(message) => {
            if first {
                problems.push(invalid_plist(
                    sources,
                    &file,
                    &bytes,
                    &format!("{message}; the PATH `launchctl config` gives launchd's jobs is not known, so scripts they run are not searched for on it"),
                ));
            }
            Some(Err(()))
        }
    }
}

/// A plist launchd would not load: the file is registered (its text shown as the source map
/// decides) so the problem points at it; `what` says what that leaves undecided.
fn invalid_plist(sources: &mut SourceMap, path: &Path, bytes: &[u8], what: &str) -> Problem {
    let file = sources.add(path, String::from_utf8_lossy(bytes).into_owned(), None);
    Problem {
        kind: crate::load::ProblemKind::Unparsable,
        message: format!("invalid plist: {what}"),
        loc: Some(crate::load::tree::file_start(file)),
    }
}

fn launchd_invocation(
    path: &Path,
    bytes: &[u8],
    home: &Path,
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    compose_runs: &mut compose::runs::Runs,
) -> Option<Invocation> {
    let job = match launchd::parse_plist(bytes) {
        Ok(job) => job,
        Err(message) => {
            problems.push(invalid_plist(sources, path, bytes, &message));
            return None;
        }
    };
    let label = job.label.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    // A job launchd does not load is no gateway, as a disabled unit is none.
    let daemon = root.is_some_and(|r| path.starts_with(r.join("Library/LaunchDaemons")));
    if launchd_disabled(&label, job.disabled, daemon, root, sources, problems) {
        return None;
    }
    let mut argv = job.program_arguments.clone();
    let wrapper = launchd::env_wrapper(&argv);
    if let Some((_, start)) = &wrapper {
        argv = argv[*start..].to_vec();
    }
    let unit_home = job
        .environment
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| v.clone());
    let mut values: Vec<String> = job.environment.iter().map(|(_, v)| v.clone()).collect();
    values.extend(argv.iter().cloned());
    values.extend(job.working_directory.iter().cloned());
    let map = PathMap {
        unit_home: unit_home_of(unit_home.as_deref(), None, &values, ServiceKind::Launchd),
        home,
        root,
        kind: ServiceKind::Launchd,
        domain_path: root.and_then(|r| launchd_domain_path(r, daemon, sources, problems)),
    };
    let mut preview_env = Env::new();
    for (key, value) in &job.environment {
        preview_env.set(key, map.map(value), EnvOrigin::Given);
    }
    let (preview, _) = resolve_command(
        argv.clone(),
        &preview_env,
        &map,
        None,
        &mut SourceMap::new(),
        &mut Vec::new(),
    );
    let opaque = !command::starts_gateway(&preview.argv);
    let preview_vars: BTreeMap<String, String> = preview_env
        .iter()
        .map(|(k, v)| (k.to_string(), v.value.clone()))
        .collect();
    // A job that runs `docker compose … up` (itself or in a script) starts a compose project.
    if opaque && mentions_compose(&argv, &preview_vars, &map) {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let is_xml = bytes.starts_with(b"<?xml") || bytes.starts_with(b"<plist");
        let file = register(sources, path, text.clone(), crate::redact::scan::plist);
        let span = argv
            .iter()
            .find(|a| a.contains("compose") || a.ends_with(".sh"))
            .filter(|_| is_xml)
            .and_then(|a| launchd::xml_value_span(&text, "ProgramArguments", a))
            .unwrap_or(Span::new(0, 0));
        let cwd = job
            .working_directory
            .as_deref()
            .map(|d| PathBuf::from(map.map(d)));
        compose_runs.extend(supervisor_compose_runs(
            &format!("LaunchAgent {label}"),
            argv,
            &preview_env,
            cwd,
            &map,
            Loc { file, span },
            sources,
            problems,
        ));
        return None;
    }
    if opaque && !names_a_gateway(&preview_env, &preview, &label) {
        return None;
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let is_xml = bytes.starts_with(b"<?xml") || bytes.starts_with(b"<plist");
    let span_of = |key: &str, value: &str| {
        if is_xml {
            launchd::xml_value_span(&text, key, value)
        } else {
            None
        }
    };
    let file = register(sources, path, text.clone(), crate::redact::scan::plist);
    let whole = Loc {
        file,
        span: Span::new(0, 0),
    };
    // The word `gateway`, or the shell command that holds it (`bash -lc '… exec openclaw
    // gateway --port N'`): what the job runs is said there, not at the file's first line.
    let program_loc = (argv.iter().find(|a| *a == "gateway"))
        .or_else(|| (argv.iter()).find(|a| a.split_whitespace().any(|w| w == "gateway")))
        .and_then(|a| span_of("ProgramArguments", a))
        .map(|span| Loc { file, span })
        .unwrap_or(whole);
    let mut env = Env::new();
    // Each variable's place, all found in one pass over the plist.
    let env_spans = match is_xml && !job.environment.is_empty() {
        true => launchd::xml_key_strings(&text),
        false => Default::default(),
    };
    for (key, value) in &job.environment {
        let loc = env_spans
            .get(key)
            .filter(|(_, shown)| shown == value)
            .map(|(span, _)| Loc { file, span: *span })
            .unwrap_or(whole);
        env.set(key, map.map(value), EnvOrigin::Service(loc));
    }
    if let Some((env_file, _)) = wrapper {
        read_wrapper_env(
            &PathBuf::from(map.map(&env_file)),
            &map,
            &mut env,
            sources,
            problems,
        );
    }
    let (mut cmd, set_at) = resolve_command(argv, &env, &map, Some(program_loc), sources, problems);
    for (key, value) in &cmd.env {
        let at = set_at.get(key).copied().unwrap_or(program_loc);
        env.set(key, map.map(value), EnvOrigin::Service(at));
    }
    read_runner_env_files(&mut cmd, &map, program_loc, &mut env, sources, problems);
    map.show_evidence(&mut cmd);
    env.set("HOME", home.display().to_string(), EnvOrigin::Given);
    if let Some(by) = trigger_env(&mut env, &cmd.argv) {
        cmd.unseen
            .push(format!("the environment of {by}{INSTALLED_ENV}"));
        cmd.injects_env = Some(by);
    }
    let mut unseen = cmd.unseen.clone();
    if opaque {
        unseen.push(
            "what its ProgramArguments run: arguments such as --port and --profile are unknown"
                .to_string(),
        );
    }
    if let Some(h) = unit_home.as_deref().filter(|_| map.unit_home.is_none()) {
        unseen.push(format!("HOME={h}, which is not the scanned home"));
    }
    let inside = |p: &Path| p.starts_with(home) || root.is_some_and(|r| p.starts_with(r));
    let release = command_release(
        &cmd.argv,
        &env,
        &|v| map.map(v),
        &inside,
        program_loc,
        sources,
    );
    let argv = if opaque { Vec::new() } else { cmd.argv.clone() };
    let mut how = ServiceEvidence {
        release,
        wrappers: cmd.wrappers.clone(),
        unseen,
        opaque: opaque.then(|| opaque_reason(&cmd, &map)),
        injects_env: cmd.injects_env.clone(),
        maybe_set: cmd.maybe_set.clone(),
        unknown_values: cmd.env_unknown.clone(),
        ..ServiceEvidence::default()
    };
    read_trigger(&mut how, &cmd.argv);
    let service = ServiceFile {
        how,
        ..supervisor(ServiceKind::Launchd, path, label, program_loc, &argv, &env)
    };
    let cwd = cmd
        .cwd
        .as_deref()
        .or(job.working_directory.as_deref())
        .map(|d| PathBuf::from(map.map(d)))
        .unwrap_or_else(|| home.to_path_buf());
    let mut inv = build(argv, env, cwd, home, path, service);
    inv.written_home = map.unit_home.clone().filter(|h| h.len() > 1);
    Some(inv)
}

/// OpenClaw's launchd wrapper keeps the environment in `export KEY='value'` lines.
fn read_wrapper_env(
    path: &Path,
    map: &PathMap,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let Some(text) = read_env_source(path, true, None, sources, problems) else {
        return;
    };
    let entries = launchd::parse_wrapper_env_file(&text);
    let file = register(sources, path, text, crate::redact::scan::env_lines);
    for (key, value, span) in entries {
        env.set(
            &key,
            map.map(&value),
            EnvOrigin::Service(Loc { file, span }),
        );
    }
}

/// A Windows task script. Its paths are Windows paths under the user's profile directory;
/// they are read under the scanned home.
fn task_invocation(
    path: &Path,
    bytes: &[u8],
    home: &Path,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    compose_runs: &mut compose::runs::Runs,
) -> Option<Invocation> {
    use super::windows::{Batch, Frame, Step};
    let text = String::from_utf8_lossy(bytes).into_owned();
    let file = register(sources, path, text.clone(), crate::redact::scan::cmd_script);
    // The task runs as the home's user: `%USERPROFILE%` is the scanned home (the script lies
    // in that user's state dir). Any other variable of the Windows environment is unknown.
    let home_shown = home.display().to_string();
    let mut batch = Batch::new(&[("USERPROFILE", home_shown.clone())]);
    // A Windows path under the user's profile directory (`set USERPROFILE=`, `HOME`, else
    // the task's `cd /d`), or under the scanned home, is read under the scanned home.
    let map_with = |batch: &Batch, value: &str| -> String {
        let windows_home = ["USERPROFILE", "HOME"]
            .iter()
            .filter_map(|k| batch.var(k))
            .find(|v| *v != home_shown && !v.starts_with('/'))
            .map(str::to_string)
            .or_else(|| batch.working_directory.clone());
        let under = |h: &str| {
            (value.len() >= h.len()
                && value.is_char_boundary(h.len())
                && value[..h.len()].eq_ignore_ascii_case(h))
            .then(|| format!("{}{}", home.display(), value[h.len()..].replace('\\', "/")))
        };
        under(&home_shown)
            .or_else(|| windows_home.as_deref().and_then(under))
            .unwrap_or_else(|| value.to_string())
    };
    let own_dir = |p: &Path| p.parent().map(|d| format!("{}/", d.display()));
    let mut how = ServiceEvidence::default();
    // The batch files being run, innermost last: text, frame, where to go on, its path, how
    // deep it is called (the task's own file is 0; a file run without `call` takes its caller's).
    let mut frames: Vec<(String, Frame, usize, PathBuf, usize)> = vec![(
        text,
        Frame::new(0, own_dir(path), Vec::new(), "gateway.cmd".to_string()),
        0,
        path.to_path_buf(),
        0,
    )];
    let mut files: Vec<FileId> = vec![file];
    let mut reads = 0;
    let mut command: Option<(Vec<String>, Loc)> = None;
    while let Some((text, frame, offset, batch_path, level)) = frames.last_mut() {
        let (step, next) = batch.run(text, frame, *offset);
        *offset = next;
        let here = |span| Loc {
            file: files[frame.file],
            span,
        };
        let (target, args, span, returns) = match step {
            Step::End => {
                frames.pop();
                continue;
            }
            Step::Command { argv, span } => {
                let batch_file = argv.first().is_some_and(|p| {
                    let lower = p.to_ascii_lowercase();
                    lower.ends_with(".cmd") || lower.ends_with(".bat")
                });
                if !batch_file {
                    // cmd runs every command in turn: the one that starts the gateway (or
                    // runs PowerShell or compose, followed below) is the task's; any other
                    // (`openclaw gateway stop`, `node --version`) runs and returns. When
                    // none does, the last command is what the task runs.
                    let unwrapped = command::unwrap(&argv, &BTreeMap::new()).argv;
                    let starts = command::starts_gateway(&unwrapped)
                        || super::powershell::target(&unwrapped).is_some()
                        || compose::runs::parse(&unwrapped).is_some();
                    command = Some((argv, here(span)));
                    if starts {
                        break;
                    }
                    continue;
                }
                // A batch file run without `call`: control goes to it for good.
                (argv[0].clone(), argv[1..].to_vec(), span, false)
            }
            Step::Call { target, args, span } => (target, args, span, true),
        };
        let at = here(span);
        let calling_dir = batch_path.parent().map(Path::to_path_buf);
        let opaque_call = |args: &[String]| {
            let mut words = vec![target.clone()];
            words.extend(args.iter().cloned());
            Some((words, at))
        };
        let inner_level = *level + usize::from(returns);
        if inner_level > MAX_BATCH_DEPTH {
            how.unseen.push(format!(
                "the batch script {target} is nested more than {MAX_BATCH_DEPTH} levels deep: what it runs is not followed"
            ));
            command = opaque_call(&args);
            break;
        }
        if reads == MAX_BATCH_READS {
            how.unseen.push(format!(
                "the batch script {target} is past the {MAX_BATCH_READS} batch files clawlint reads for one task: what it runs is not followed"
            ));
            command = opaque_call(&args);
            break;
        }
        let windows_absolute = target.starts_with('\\') || target.as_bytes().get(1) == Some(&b':');
        let mapped = if windows_absolute || target.starts_with(&home_shown) {
            crate::paths::normalize(Path::new(&map_with(&batch, &target)))
        } else {
            let base = batch
                .working_directory
                .as_deref()
                .map(|d| cmd_dir(&map_with(&batch, d)))
                .or(calling_dir)
                .unwrap_or_default();
            crate::paths::normalize(&base.join(target.replace('\\', "/")))
        };
        if !(mapped.is_absolute() && mapped.starts_with(home)) {
            how.unseen.push(format!(
                "the batch script {target} is not in the scanned layout: what it runs is unknown"
            ));
            command = opaque_call(&args);
            break;
        }
        let Some(inner_text) = read_env_source(&mapped, false, Some(at), sources, problems) else {
            how.unseen
                .push(format!("the batch script {target} could not be read"));
            command = opaque_call(&args);
            break;
        };
        reads += 1;
        let inner_file = register(
            sources,
            &mapped,
            inner_text.clone(),
            crate::redact::scan::cmd_script,
        );
        files.push(inner_file);
        let shown = match mapped.strip_prefix(home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => target.clone(),
        };
        how.wrappers.push(format!("call {shown}"));
        let frame = Frame::new(files.len() - 1, own_dir(&mapped), args, shown);
        if !returns {
            frames.pop();
        }
        frames.push((inner_text, frame, 0, mapped, inner_level));
    }
    how.unseen.extend(batch.notes.iter().cloned());
    how.injects_env = batch.injects_env.clone();
    how.maybe_set = batch.unknown_names();
    let (mut argv, loc) = match command {
        Some((argv, loc)) => (command::unwrap(&argv, &BTreeMap::new()).argv, loc),
        None => (
            Vec::new(),
            Loc {
                file,
                span: crate::load::json5::Span::new(0, 0),
            },
        ),
    };
    let name = batch
        .var("OPENCLAW_WINDOWS_TASK_NAME")
        .map_or_else(|| "gateway.cmd".to_string(), str::to_string);
    let map = |value: &str| map_with(&batch, value);
    let mut env = Env::new();
    for (key, value, span, at) in batch.environment() {
        env.set(
            key,
            map(value),
            EnvOrigin::Service(Loc {
                file: files[*at],
                span: *span,
            }),
        );
    }
    let mut cwd = batch.working_directory.as_deref().map(|d| cmd_dir(&map(d)));
    let batch_dir = frames
        .last()
        .and_then(|(_, _, _, p, _)| p.parent().map(Path::to_path_buf))
        .or_else(|| path.parent().map(Path::to_path_buf));
    let vars: BTreeMap<String, String> = batch
        .environment()
        .map(|(k, v, _, _)| (k.clone(), v.clone()))
        .collect();
    // `docker compose … up` in the task script (or a batch file it calls): the task starts a
    // compose project. Its `set` lines are compose's environment, its `cd /d` the directory.
    if let Some(args) = compose::runs::parse(&argv) {
        let base = cwd
            .clone()
            .or_else(|| batch_dir.clone())
            .unwrap_or_else(|| home.to_path_buf());
        // The task's words were expanded as cmd read its lines (`windows::Batch`).
        let place = |raw: &str| {
            let windows_absolute = raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':');
            match windows_absolute {
                true => crate::paths::normalize(Path::new(&map(raw))),
                false => crate::paths::normalize(&base.join(raw.replace('\\', "/"))),
            }
        };
        let run_env = env
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone(), v.origin.loc().unwrap_or(loc)))
            .collect();
        compose_runs.push(ComposeRun::new(
            format!("task {name}"),
            loc,
            Some(base.clone()),
            args,
            run_env,
            Vec::new(),
            &place,
        ));
        return None;
    }
    // `powershell -File start.ps1`: the PowerShell script (and the scripts it runs, within
    // the shell scripts' budgets) read statically: the gateway it starts, or the compose
    // projects it starts with their files, env files, project name and environment.
    if !command::starts_gateway(&argv) {
        if let Some(target) = super::powershell::target(&argv) {
            let mut script_path: Option<PathBuf> = None;
            let (label, text) = match target {
                super::powershell::Target::Command(text) => {
                    ("powershell -Command".to_string(), Some(text))
                }
                super::powershell::Target::Encoded(Ok(text)) => {
                    ("powershell -EncodedCommand".to_string(), Some(text))
                }
                super::powershell::Target::Encoded(Err(why)) => {
                    how.unseen.push(format!(
                        "the PowerShell script in -EncodedCommand could not be read: {why}"
                    ));
                    ("powershell -EncodedCommand".to_string(), None)
                }
                super::powershell::Target::File(raw) => {
                    let mapped = crate::paths::normalize(Path::new(&map(&raw).replace('\\', "/")));
                    let text = if mapped.is_absolute() && mapped.starts_with(home) {
                        read_env_source(&mapped, false, Some(loc), sources, problems)
                    } else {
                        how.unseen.push(format!(
                            "the PowerShell script {raw} is not in the scanned layout: what it runs is unknown"
                        ));
                        None
                    };
                    let shown = match mapped.strip_prefix(home) {
                        Ok(rest) => format!("~/{}", rest.display()),
                        Err(_) => raw.clone(),
                    };
                    if text.is_some() {
                        script_path = Some(mapped);
                    }
                    (format!("powershell -File {shown}"), text)
                }
            };
            how.wrappers.push(label);
            if let Some(text) = text {
                let mut ps_vars = vars.clone();
                ps_vars
                    .entry("USERPROFILE".to_string())
                    .or_insert_with(|| home_shown.clone());
                let base = cwd
                    .clone()
                    .or_else(|| batch_dir.clone())
                    .unwrap_or_else(|| home.to_path_buf());
                let mut loader = PowerShellScripts {
                    home,
                    base: &base,
                    map: &map,
                    sources,
                    problems,
                };
                // `-File x.ps1 start`: what follows the script are its arguments.
                let file_args = script_path
                    .as_ref()
                    .map(|_| super::powershell::file_args(&argv));
                let reading = super::powershell::read_with_args(
                    &text,
                    script_path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .as_deref(),
                    &ps_vars,
                    file_args.as_deref(),
                    &mut loader,
                    super::powershell::Budget::new(MAX_SCRIPT_DEPTH, MAX_SCRIPT_READS),
                );
                let starts_compose = !reading.compose.is_empty()
                    || reading
                        .notes
                        .iter()
                        .any(|n| matches!(n.what, super::powershell::NoteKind::Unresolved { .. }));
                powershell_compose_runs(
                    &reading,
                    PowerShellRun {
                        script: script_path.as_deref(),
                        text: &text,
                        by: &format!("task {name}"),
                        at: loc,
                        env: &env,
                        base: &base,
                        home,
                        map: &map,
                    },
                    sources,
                    problems,
                    compose_runs,
                );
                match reading.gateway_script() {
                    Some(ps) => {
                        for (key, value) in &ps.env {
                            env.set(key, map(value), EnvOrigin::Service(loc));
                        }
                        cwd = ps.cwd.as_deref().map(|d| cmd_dir(&map(d))).or(cwd);
                        how.unseen.extend(ps.unseen);
                        how.injects_env = ps.injects_env;
                        argv = command::unwrap(&ps.argv, &BTreeMap::new()).argv;
                    }
                    None if starts_compose => return None,
                    None => how.unseen.push(
                        "the PowerShell script starts no OpenClaw gateway that can be read statically"
                            .to_string(),
                    ),
                }
            }
        }
    }
    let opaque = !command::starts_gateway(&argv);
    let read = command::Command {
        argv: argv.clone(),
        ..command::Command::default()
    };
    if opaque && !names_a_gateway(&env, &read, &name) {
        return None;
    }
    if opaque {
        how.opaque = Some(
            how.unseen
                .iter()
                .rev()
                .find(|u| u.contains("script"))
                .cloned()
                .unwrap_or_else(|| match argv.first() {
                    Some(program) => format!("what {program} runs cannot be read"),
                    None => "gateway.cmd runs no command that can be read".to_string(),
                }),
        );
        how.unseen.push(
            "what its command runs: arguments such as --port and --profile are unknown".to_string(),
        );
        argv = Vec::new();
    }
    read_trigger(&mut how, &argv);
    if let Some(by) = trigger_env(&mut env, &argv) {
        how.unseen
            .push(format!("the environment of {by}{INSTALLED_ENV}"));
        how.injects_env = Some(by);
    }
    how.release = command_release(
        &argv,
        &env,
        &|v| map(v),
        &|p: &Path| p.starts_with(home),
        loc,
        sources,
    );
    env.set("HOME", home.display().to_string(), EnvOrigin::Given);
    let service = ServiceFile {
        how,
        ..supervisor(ServiceKind::WindowsTask, path, name, loc, &argv, &env)
    };
    let cwd = cwd.unwrap_or_else(|| home.to_path_buf());
    Some(build(argv, env, cwd, home, path, service))
}

/// How many batch files `gateway.cmd` may call through, one inside the other, before clawlint
/// stops following them.
const MAX_BATCH_DEPTH: usize = 3;
/// Batch files read for one task in all (calls that return may follow one another).
const MAX_BATCH_READS: usize = 32;

/// A directory a batch file `cd`s to, placed on the layout: a layout path with cmd's
/// separators, normalized (`%~dp0\..\..\`); a Windows path not under the home as written.
fn cmd_dir(placed: &str) -> PathBuf {
    match placed.starts_with('/') {
        true => crate::paths::normalize(Path::new(&placed.replace('\\', "/"))),
        false => PathBuf::from(placed),
    }
}

/// The scripts a task's PowerShell script runs (`& x.ps1`, `. x.ps1`, `powershell -File
/// x.ps1`), read through the bounded reader when they lie in the scanned home.
struct PowerShellScripts<'a> {
    home: &'a Path,
    base: &'a Path,
    map: &'a dyn Fn(&str) -> String,
    sources: &'a mut SourceMap,
    problems: &'a mut Vec<Problem>,
}

impl PowerShellScripts<'_> {
    /// A path a PowerShell script names, on the layout (`C:\Users\ana\x` under the home, a
    /// relative one against `cwd`, else the directory the task started in).
    fn place(&self, raw: &str, cwd: Option<&str>) -> PathBuf {
        let windows_absolute = raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':');
        if windows_absolute || raw.starts_with('/') {
            return crate::paths::normalize(Path::new(&(self.map)(raw).replace('\\', "/")));
        }
        let dir = match cwd {
            Some(c) => self.place(c, None),
            None => self.base.to_path_buf(),
        };
        crate::paths::normalize(&dir.join(raw.replace('\\', "/")))
    }
}

impl super::powershell::Scripts for PowerShellScripts<'_> {
    fn load(&mut self, path: &str, cwd: Option<&str>) -> Result<(String, String), String> {
        let placed = self.place(path, cwd);
        if !(placed.is_absolute() && placed.starts_with(self.home)) {
            return Err("it is not in the scanned layout".to_string());
        }
        match ServiceFiles::text(&placed, SMALL_FILE_LIMIT) {
            Ok(text) => Ok((placed.display().to_string(), text)),
            Err(ReadError::Missing) => Err("it does not exist".to_string()),
            Err(err) => {
                let problem = unreadable(self.sources, &placed, &err);
                let why = problem.message.clone();
                self.problems.push(problem);
                Err(why)
            }
        }
    }
}

/// Where a task's PowerShell reading happened.
struct PowerShellRun<'a> {
    /// The script file (`None` for `-Command`, whose text is in the task script's line).
    script: Option<&'a Path>,
    text: &'a str,
    /// `task NAME`.
    by: &'a str,
    /// The task script's command line.
    at: Loc,
    /// The task's environment (compose's, before the script changes it).
    env: &'a Env,
    /// The directory the script starts in.
    base: &'a Path,
    /// The scanned home (the task's user's profile).
    home: &'a Path,
    map: &'a dyn Fn(&str) -> String,
}

/// The compose runs a task's PowerShell scripts start, and a located note for what stops
/// clawlint following them. The scripts read are registered with what the PowerShell
/// scanner knows is safe to show.
fn powershell_compose_runs(
    reading: &super::powershell::Reading,
    run: PowerShellRun,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    out: &mut compose::runs::Runs,
) {
    use super::powershell::{EnvChange, NoteKind};
    // File 0 is the script, each script it ran the next.
    let mut files: Vec<Option<(FileId, PathBuf, &str)>> = Vec::new();
    files.push(run.script.map(|p| {
        (
            register(
                sources,
                p,
                run.text.to_string(),
                crate::redact::scan::powershell,
            ),
            p.to_path_buf(),
            run.text,
        )
    }));
    for f in &reading.files {
        let path = PathBuf::from(&f.path);
        files.push(Some((
            register(
                sources,
                &path,
                f.text.clone(),
                crate::redact::scan::powershell,
            ),
            path,
            f.text.as_str(),
        )));
    }
    // Each file's lines found once: a place is a binary search, however many there are.
    let lines: Vec<Option<LineIndex>> = files
        .iter()
        .map(|f| f.as_ref().map(|(_, _, text)| LineIndex::new(text)))
        .collect();
    let line_at = |(file, offset): (usize, usize)| -> (Loc, String) {
        match (files.get(file).and_then(Option::as_ref), lines.get(file)) {
            (Some((id, path, text)), Some(Some(lines))) => {
                let offset = offset.min(text.len());
                let (line, end) = lines.place(text, offset);
                (
                    Loc {
                        file: *id,
                        span: Span::new(offset, end),
                    },
                    format!("{}:{line}", crate::paths::display_path(path)),
                )
            }
            _ => (run.at, format!("the `powershell -Command` of {}", run.by)),
        }
    };
    // Who runs a statement of file `file`: the task, through the scripts that lead to it.
    let by_of = |file: usize| -> String {
        let mut chain = Vec::new();
        let mut at = file;
        while at > 0 {
            let Some(from) = reading.files[at - 1].from else {
                break;
            };
            chain.push(format!("run by {}", line_at(from).1));
            at = from.0;
        }
        chain.push(format!("run by {}", run.by));
        chain.join(", ")
    };
    for note in &reading.notes {
        let (loc, here) = line_at(note.at);
        // A script's path as the statement names it, evaluated (`$PSScriptRoot` is where the
        // layout lies on this machine): under the home as `~/…`, like every path of the
        // layout; anything else is the author's text, masked as such.
        let shown = |p: &str| {
            let placed = crate::paths::normalize(Path::new(&(run.map)(p).replace('\\', "/")));
            match placed.is_absolute() && placed.starts_with(run.home) {
                true => crate::paths::display_home_relative(&placed, run.home),
                false => super::powershell::shown(p),
            }
        };
        let (kind, message) = match &note.what {
            NoteKind::Unresolved { what } => (
                crate::load::ProblemKind::Unresolved,
                format!(
                    "{here} runs `{}`, which clawlint cannot work out (it evaluates literal strings, variables holding them, `$env:`, `Join-Path`, `Split-Path` and `$PSScriptRoot`, never arrays, command output or `Invoke-Expression`): a `docker compose` it runs is not seen",
                    super::powershell::shown(what)
                ),
            ),
            NoteKind::TooDeep { path } => (
                crate::load::ProblemKind::TooMany,
                format!(
                    "{here} runs the script {}, nested more than {MAX_SCRIPT_DEPTH} scripts below {}: clawlint does not follow it, so a `docker compose` it runs is not seen",
                    shown(path),
                    run.by
                ),
            ),
            NoteKind::TooManyReads { path } => (
                crate::load::ProblemKind::TooMany,
                format!(
                    "{here} runs the script {}, past the {MAX_SCRIPT_READS} scripts clawlint reads for {}: clawlint does not follow it, so a `docker compose` it runs is not seen",
                    shown(path),
                    run.by
                ),
            ),
            NoteKind::TooMuchEnv { variables } => (
                crate::load::ProblemKind::Budget,
                format!(
                    "{here} runs a command after the scripts set {variables} environment variables: giving each command all of them passes the {} bytes clawlint copies for one task's scripts, so clawlint stops reading the script here and a `docker compose` after it is not seen",
                    super::powershell::MAX_COPIED_BYTES
                ),
            ),
            NoteKind::Cycle { path } => (
                crate::load::ProblemKind::TooMany,
                format!(
                    "{here} runs the script {}, which is being read already (it runs itself, directly or through the scripts it runs): clawlint reads it once",
                    shown(path)
                ),
            ),
            NoteKind::More { count } => (
                crate::load::ProblemKind::TooMany,
                format!(
                    "{here}: {count} more statements from here on, in the scripts read for {}, run scripts clawlint does not follow or cannot work out; clawlint says {} of these for one task, and the rest once those are fixed",
                    run.by,
                    super::powershell::MAX_NOTES
                ),
            ),
            NoteKind::NotRead { path, why } => (
                match why.as_str() {
                    "it does not exist" => crate::load::ProblemKind::Missing,
                    "it is not in the scanned layout" => crate::load::ProblemKind::OutsideLayout,
                    _ => crate::load::ProblemKind::Unreadable,
                },
                format!(
                    "{here} runs the script {}, which clawlint does not read ({why}): a `docker compose` it runs is not seen",
                    shown(path)
                ),
            ),
        };
        // What it runs is not seen: it may start a project nothing else is found to start.
        if !matches!(note.what, NoteKind::NotRead { .. }) {
            out.stopped.push(crate::container::StoppedFollow {
                at: here.clone(),
                kind,
            });
        }
        problems.push(Problem {
            kind,
            message,
            loc: Some(loc),
        });
    }
    let place_dir = |d: &str| -> PathBuf {
        let windows_absolute = d.starts_with('\\') || d.as_bytes().get(1) == Some(&b':');
        match windows_absolute || d.starts_with('/') {
            true => cmd_dir(&(run.map)(d)),
            false => crate::paths::normalize(&run.base.join(d.replace('\\', "/"))),
        }
    };
    for found in &reading.compose {
        let Some((args, cwd, mut unknown)) = found.compose_args(place_dir, run.base) else {
            continue;
        };
        let (loc, here) = line_at(found.at);
        let mut run_env: Vec<(String, String, Loc)> = run
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone(), v.origin.loc().unwrap_or(run.at)))
            .collect();
        // What the script changes replaces what the task gives (each name once in
        // `found.env`, case-insensitively).
        let changed: std::collections::HashSet<String> = found
            .env
            .iter()
            .map(|(name, _, _)| name.to_ascii_uppercase())
            .collect();
        run_env.retain(|(k, _, _)| !changed.contains(&k.to_ascii_uppercase()));
        for (name, change, at) in &found.env {
            let (set_loc, set_here) = line_at(*at);
            match change {
                EnvChange::Set(v) => run_env.push((name.clone(), (run.map)(v), set_loc)),
                EnvChange::Unknown(_) => unknown.push(format!("the value {set_here} gives {name}")),
                EnvChange::Unset => {}
            }
        }
        if let Some(injects) = &found.injects_env {
            unknown.push(format!("the variables {injects} adds"));
        }
        let place = |raw: &str| -> PathBuf {
            let windows_absolute = raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':');
            match windows_absolute || raw.starts_with('/') {
                true => crate::paths::normalize(Path::new(&(run.map)(raw).replace('\\', "/"))),
                false => crate::paths::normalize(&cwd.join(raw.replace('\\', "/"))),
            }
        };
        let mut compose_run = ComposeRun::new(
            format!("{here} ({})", by_of(found.at.0)),
            loc,
            Some(cwd.clone()),
            args,
            run_env,
            unknown,
            &place,
        );
        compose_run.script = files
            .get(found.at.0)
            .and_then(Option::as_ref)
            .map(|(_, p, _)| p.clone());
        out.push(compose_run);
    }
}

/// The template instances among a directory's entries named `HEAD<instance>.service`, with
/// their paths, sorted by instance.
fn instance_entries(entries: std::fs::ReadDir, head: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let instance = name.strip_prefix(head)?.strip_suffix(".service")?;
            (!instance.is_empty()).then(|| (instance.to_string(), e.path()))
        })
        .collect();
    out.sort();
    out
}

/// The problems [`SaidOnce::push`] added in one discovery, and the places
/// [`SaidOnce::push_once_at_its_place`] said something at.
#[derive(Default)]
struct SaidOnce {
    problems: std::collections::HashSet<Problem>,
    places: std::collections::HashSet<Loc>,
}

impl SaidOnce {
    /// Adds `problem` to `problems` unless it was said already: a file shared by several
    /// units (a drop-in, the manager's configuration) is said once, however many units read
    /// it. A set, not a scan of `problems`: units are many, and so may their problems be.
    fn push(&mut self, problems: &mut Vec<Problem>, problem: Problem) {
        if !self.problems.contains(&problem) {
            self.problems.insert(problem.clone());
            problems.push(problem);
        }
    }

    /// Adds `problem` to `problems` unless one was said at its place already: a directory
    /// listed or a manager file read for many units, whose problem is worded per unit (the
    /// unit's name) but is one problem of that directory or file (at its start).
    fn push_once_at_its_place(&mut self, problems: &mut Vec<Problem>, problem: Problem) {
        let Some(loc) = problem.loc else {
            return problems.push(problem);
        };
        if self.places.insert(loc) {
            problems.push(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{drop_in_dir_names, PathMap};
    use std::path::Path;

    #[test]
    fn drop_in_directories_in_systemds_order() {
        assert_eq!(
            drop_in_dir_names("openclaw-gateway-rescue.service"),
            [
                "service.d",
                "openclaw-.service.d",
                "openclaw-gateway-.service.d",
                "openclaw-gateway-rescue.service.d"
            ]
        );
        assert_eq!(
            drop_in_dir_names("openclaw-gateway@ops.service"),
            [
                "service.d",
                "openclaw-.service.d",
                "openclaw-gateway@.service.d",
                "openclaw-gateway@ops.service.d"
            ]
        );
        assert_eq!(
            drop_in_dir_names("moltbot.service"),
            ["service.d", "moltbot.service.d"]
        );
    }

    #[test]
    fn evidence_shows_the_unit_home_as_tilde() {
        let map = PathMap {
            unit_home: Some("/home/ana".to_string()),
            home: Path::new("/scan/home"),
            root: None,
            kind: crate::invocation::ServiceKind::SystemdUser,
            domain_path: None,
        };
        assert_eq!(
            map.shown("`op run` (from /home/ana/.openclaw/.env, /home/ana)"),
            "`op run` (from ~/.openclaw/.env, ~)"
        );
        // Only whole path components of the home, never another user's or a longer name.
        assert_eq!(
            map.shown("/home/anabel/x /srv/home/ana/y /home/ana/z"),
            "/home/anabel/x /srv/home/ana/y ~/z"
        );
        let none = PathMap {
            unit_home: None,
            ..map
        };
        assert_eq!(none.shown("/home/ana/x"), "/home/ana/x");
    }
}
