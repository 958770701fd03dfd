//! Discovery: which gateways exist on the host, and how each is started.

pub mod command;
pub mod compose;
pub mod container_run;
pub mod home;
pub use home::MAX_PROFILE_DIRS;
pub mod launchd;
pub mod manifest;
pub mod powershell;
pub mod quadlet;
pub mod services;
pub mod systemd;
pub mod unraid;
pub mod windows;

use crate::invocation::{Discovery, Found, Invocation, Origin, Searched, ServiceKind, Sourced};
use crate::load::env::Env;
use crate::load::Problem;
use crate::paths::{absolute, FastMap, FastSet};
use crate::source::{Loc, SourceMap};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Home directories to scan (`--home`, default `$HOME`): state dirs and user services.
    pub homes: Vec<PathBuf>,
    /// The file system root whose system unit dirs are scanned (`--root`).
    pub root: Option<PathBuf>,
    /// Config files named on the command line.
    pub config_files: Vec<PathBuf>,
    /// Gateways declared in clawlint.toml, with the directory their paths are relative to.
    pub declared: Vec<(crate::config::InstanceDecl, PathBuf)>,
    /// Compose files named on the command line or in clawlint.toml (`compose = [...]`).
    pub compose_files: Vec<PathBuf>,
}

/// Where the bounded scans for container definitions look: each home, and `/opt`, `/srv`
/// and `/etc` under the root, each [`compose::SCAN_DEPTH`] levels down; then the directories
/// where home-server stack managers keep the projects they run ([`STACK_DIRS`]), each only as
/// deep as its manager's layout (as `stacks` read it). One that does not exist costs one
/// failed look.
pub fn container_scan_dirs(
    homes: &[PathBuf],
    root: Option<&Path>,
    stacks: &StackLayout,
) -> Vec<(PathBuf, usize)> {
    let mut dirs: Vec<(PathBuf, usize)> = homes
        .iter()
        .map(|h| (h.clone(), compose::SCAN_DEPTH))
        .collect();
    if let Some(root) = root {
        dirs.extend(
            ["opt", "srv", "etc"]
                .iter()
                .map(|d| (root.join(d), compose::SCAN_DEPTH)),
        );
    }
    for manager in &stacks.dirs {
        match &manager.stack.current {
            None => dirs.push((manager.dir.clone(), manager.stack.depth)),
            // Only the version the manager runs: the others are kept for a rollback.
            Some(current) => dirs.extend(
                current
                    .projects(manager.subdirs())
                    .into_iter()
                    .map(|p| (p, 0)),
            ),
        }
    }
    // A project whose compose files lie elsewhere: that directory, when it is in the layout.
    dirs.extend(stacks.indirect_targets().map(|t| (t.to_path_buf(), 0)));
    dirs
}

/// The stack managers' directories on this layout ([`STACK_DIRS`]), read once per run: each
/// directory listed app by app is listed once, each project's `indirect` file read once. The
/// compose scan, the managers' runs and CL910's list each take what they need from here.
pub struct StackLayout {
    dirs: Vec<ManagerDir>,
    /// Every project of these directories whose compose files lie elsewhere.
    indirect: Vec<Indirect>,
}

/// One [`STACK_DIRS`] location on this layout.
struct ManagerDir {
    dir: PathBuf,
    stack: &'static StackDir,
    /// Its app or project directories, for a manager whose directory is listed app by app (not
    /// walked by the compose scan; none for the others); `Err` when it holds too many entries.
    listed: Result<Vec<PathBuf>, ()>,
}

impl ManagerDir {
    /// Its listed app or project directories (none when it holds too many).
    fn subdirs(&self) -> &[PathBuf] {
        self.listed.as_deref().unwrap_or_default()
    }
}

impl StackLayout {
    /// Each [`STACK_DIRS`] location under `homes` and `root`, read.
    pub fn read(homes: &[PathBuf], root: Option<&Path>) -> StackLayout {
        let mut dirs = Vec::new();
        let mut indirect = Vec::new();
        for (dir, stack) in stack_dirs(homes, root) {
            let listed = match stack.current.is_some() || stack.project_files.is_some() {
                true => stack_subdirs(&dir),
                false => Ok(Vec::new()),
            };
            let manager = ManagerDir { dir, stack, listed };
            if let Some(files) = &stack.project_files {
                indirect.extend(
                    (manager.subdirs().iter())
                        .filter_map(|project| Indirect::read(stack, files, project, root)),
                );
            }
            dirs.push(manager);
        }
        StackLayout { dirs, indirect }
    }

    /// The directories whose compose files a project's `indirect` names, in the layout.
    fn indirect_targets(&self) -> impl Iterator<Item = &Path> {
        self.indirect
            .iter()
            .filter_map(|i| i.target.as_deref().ok())
    }
}

/// How a stack manager that keeps several versions of each app (the one it runs and older
/// ones for a rollback) names the one it runs: a key of a YAML file in each app's directory,
/// the version, and where that version's compose project lies.
#[derive(Debug)]
pub struct CurrentVersion {
    /// The file in each app's directory (`<dir>/<app>/`) that names the current version.
    pub file: &'static str,
    /// Its top-level key whose value is the version.
    pub key: &'static str,
    /// The project directory below the app's, from the version.
    pub project: fn(&str) -> String,
}

impl CurrentVersion {
    /// The project directory of each app (`apps`, its directories) at its current version, in
    /// order. An app whose file cannot be read (missing, too large, outside the layout), or
    /// names a version that is not one plain directory name, is not scanned: its manager cannot
    /// start it either (TrueNAS reports such an app as broken).
    pub fn projects(&self, apps: &[PathBuf]) -> Vec<PathBuf> {
        apps.iter()
            .filter_map(|app_dir| {
                let version = self.version(app_dir)?;
                Some(app_dir.join((self.project)(&version)))
            })
            .collect()
    }

    /// The version `file` in `app_dir` names, when it is one plain directory name.
    fn version(&self, app_dir: &Path) -> Option<String> {
        let text = crate::load::read::read_text(
            &app_dir.join(self.file),
            crate::load::read::SMALL_FILE_LIMIT,
        )
        .ok()?;
        let doc = crate::load::yaml::parse(&text).ok()?;
        let version = doc.get(self.key)?.as_str()?;
        let plain = !version.is_empty()
            && version != "."
            && version != ".."
            && !version.contains(['/', '\\', '\0']);
        plain.then(|| version.to_string())
    }
}

/// Under what a stack manager's directory lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StackBase {
    /// The copied root (`--root`).
    Root,
    /// Each scanned home.
    Home,
}

/// A value a stack manager gives a variable of each project it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StackVar {
    /// The project directory's name (the app's id).
    DirName,
    /// The project directory, as the host spells it.
    DirPath,
}

/// A name a stack manager derives from a project directory's path below its dir (each
/// component), `None` when the path is not of its layout.
pub type FromBelow = fn(&[&str]) -> Option<String>;

/// Where a home-server stack manager writes the compose projects it starts, and how it runs
/// `docker compose` on them: one row per location, verified in the manager's own source.
#[derive(Debug)]
pub struct StackDir {
    /// Who starts the projects there, as output shows it.
    pub manager: &'static str,
    pub base: StackBase,
    /// Relative to `base`.
    pub dir: &'static str,
    /// How deep its projects lie (1: `<dir>/<project>/docker-compose.yml`).
    pub depth: usize,
    /// What CL910 says clawlint looked for there.
    pub what: &'static str,
    /// The env file the manager names with `--env-file`, relative to the project directory,
    /// from the project directory's path below `dir`; used when it is there.
    pub env_file: Option<FromBelow>,
    /// Variables the manager sets in the environment of `docker compose`.
    pub vars: &'static [(&'static str, StackVar)],
    /// Variables the manager sets from what clawlint cannot read (its database, a secret).
    pub unseen: Option<&'static str>,
    /// The project name it gives with `--project-name`, from the project directory's path
    /// below `dir` (`None`: the directory's name, compose's default).
    pub project_name: Option<FromBelow>,
    /// For a manager that keeps several versions of each app: which one it runs, the only
    /// one scanned (`depth` is then where the apps lie, and each app's project is found from
    /// its current version, not by walking the older ones).
    pub current: Option<CurrentVersion>,
    /// Files of each project directory the manager writes anew from its own records each
    /// time it deploys the project: an edit of one would be undone, so no fix makes one.
    pub kept: Option<Kept>,
    /// Files the manager keeps in each project directory that say how it runs the project.
    pub project_files: Option<ProjectFiles>,
}

/// Files a stack manager keeps in each project directory, one line each, that say how it runs
/// the project (Unraid compose.manager's `name`, `envpath` and `indirect`). Each is read with
/// the layout's reader; a path one names is a path of the copied host, read under `--root`
/// only (one that is not absolute or climbs above `/` is said, not followed).
#[derive(Debug)]
pub struct ProjectFiles {
    /// The file whose line is the project's name (else the directory's name), and how the
    /// manager turns it into its `-p`.
    pub name: &'static str,
    pub sanitize: fn(&str) -> String,
    /// The file whose line is the env file it gives with `--env-file`.
    pub env_path: &'static str,
    /// The file whose line is the directory whose compose files it runs instead of the
    /// project directory's, and which of that directory's files it names with `-f`.
    pub indirect: &'static str,
    pub indirect_files: fn(&str) -> bool,
    /// The compose file it names with `-f` in a project directory, and the override file
    /// it adds with `-f` when there is one (in the project directory, indirect or not).
    pub file: &'static str,
    pub override_file: &'static str,
}

/// The most entries a stack manager's directory of apps or projects is listed for (a host
/// has tens).
const MAX_STACK_ENTRIES: usize = 2_000;

/// The directories in `dir` (a path of the layout), hidden ones left out, in name order; `Err`
/// when it holds more than [`MAX_STACK_ENTRIES`] entries, listed no further ([`stack_runs`]
/// says so).
fn stack_subdirs(dir: &Path) -> Result<Vec<PathBuf>, ()> {
    let Some(placed) = crate::paths::on_host(dir) else {
        return Ok(Vec::new());
    };
    let mut names = dir_names(&placed)?;
    names.retain(|n| n.as_encoded_bytes().first() != Some(&b'.'));
    names.sort_unstable();
    Ok(names.iter().map(|n| crate::paths::join(dir, n)).collect())
}

/// The names of the directories in `placed` (on the host; links not followed), `Err` past
/// [`MAX_STACK_ENTRIES`] entries. From the layout's listing when it has one: the compose
/// scan and every question about a name in it take the same listing, made once per run.
fn dir_names(placed: &Path) -> Result<Vec<std::ffi::OsString>, ()> {
    use crate::load::listing::{Directory, Entry, Kind};
    match crate::load::listing::directory_whole(placed) {
        Some(Directory::Listed(listing)) if listing.iter().count() > MAX_STACK_ENTRIES => {
            return Err(())
        }
        Some(Directory::Listed(listing)) => {
            return Ok((listing.iter())
                .filter(|(_, entry)| *entry == Entry::Plain(Kind::Dir))
                .map(|(name, _)| name.to_os_string())
                .collect())
        }
        Some(Directory::Missing) => return Ok(Vec::new()),
        Some(Directory::Unlisted) | None => {}
    }
    let Ok(entries) = std::fs::read_dir(placed) else {
        return Ok(Vec::new());
    };
    let listed: Vec<std::fs::DirEntry> = (entries.filter_map(Result::ok))
        .take(MAX_STACK_ENTRIES + 1)
        .collect();
    if listed.len() > MAX_STACK_ENTRIES {
        return Err(());
    }
    Ok((listed.iter())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name())
        .collect())
}

/// The first line of a small file of the layout, trimmed; `Ok(None)` when there is none.
fn one_line(path: &Path) -> Result<Option<String>, crate::load::read::ReadError> {
    match crate::load::read::read_text(path, 64 * 1024) {
        Ok(text) => Ok(Some(
            text.lines().next().unwrap_or_default().trim().to_string(),
        )),
        Err(crate::load::read::ReadError::Missing) => Ok(None),
        Err(err) => Err(err),
    }
}

/// `raw`, an absolute path of the copied host, as a path of the layout: under `root`. `None`
/// when it is not absolute, climbs above `/`, or no root was copied: not a place clawlint
/// may look.
fn host_path_in_root(raw: &str, root: Option<&Path>) -> Option<PathBuf> {
    use std::path::Component;
    let root = root?;
    let given = Path::new(raw);
    if !given.is_absolute() {
        return None;
    }
    let mut rest = PathBuf::new();
    for c in given.components() {
        match c {
            Component::Normal(n) => rest.push(n),
            Component::ParentDir => {
                if !rest.pop() {
                    return None;
                }
            }
            Component::CurDir | Component::RootDir => {}
            Component::Prefix(_) => return None,
        }
    }
    Some(root.join(rest))
}

/// A project of a stack manager whose compose files lie in another directory (Unraid
/// compose.manager's `indirect`).
struct Indirect {
    stack: &'static StackDir,
    /// The manager's project directory, and its file that names the other directory.
    project: PathBuf,
    pointer: PathBuf,
    /// As written.
    raw: String,
    /// The other directory on the layout, or why it is not read: the pointer could not be
    /// read, or (`None`) it names no absolute path of the copied host.
    target: Result<PathBuf, Option<crate::load::read::ReadError>>,
}

impl Indirect {
    /// `project` of `stack` when its `indirect` file is there: where its compose files lie.
    fn read(
        stack: &'static StackDir,
        files: &ProjectFiles,
        project: &Path,
        root: Option<&Path>,
    ) -> Option<Indirect> {
        let pointer = project.join(files.indirect);
        let (raw, target) = match one_line(&pointer) {
            Ok(None) => return None,
            Ok(Some(raw)) => {
                let target = host_path_in_root(&raw, root).ok_or(None);
                (raw, target)
            }
            Err(err) => (String::new(), Err(Some(err))),
        };
        Some(Indirect {
            stack,
            project: project.to_path_buf(),
            pointer,
            raw,
            target,
        })
    }
}

/// Files of a project directory a stack manager writes anew from its own records each time
/// it deploys the project (Portainer's `stack.env` from its database, TrueNAS's rendered
/// compose files from the app's configuration), and where the user changes what they say.
#[derive(Debug)]
pub struct Kept {
    /// Their names in the project directory (`*`: every file there).
    pub files: &'static [&'static str],
    /// Where the user changes them instead, in the manager's words.
    pub change_in: &'static str,
}

/// A file a stack manager writes anew at each deploy of its project ([`StackDir::kept`]):
/// who, and where what it says is changed instead.
#[derive(Debug, Clone, Copy)]
pub struct KeptBy {
    pub manager: &'static str,
    pub change_in: &'static str,
}

/// Whether `file`, a file of `c`'s compose project, is one the stack manager that runs the
/// project writes anew at each deploy: an edit of it would not last.
pub fn kept_by_manager(c: &crate::container::Container, file: &Path) -> Option<KeptBy> {
    let same_dir = match (file.parent(), c.file.parent()) {
        (Some(a), Some(b)) => crate::paths::normalize(a) == crate::paths::normalize(b),
        _ => false,
    };
    let name = file.file_name()?.to_str()?;
    same_dir.then(|| kept_named(c, name)).flatten()
}

/// [`kept_by_manager`] by the file's name alone (a help has the names output shows, not the
/// paths): `name` is kept by the manager that runs `c`'s project.
pub fn kept_named(c: &crate::container::Container, name: &str) -> Option<KeptBy> {
    let (by, _) = c.run.as_ref()?;
    let (stack, kept) = STACK_DIRS
        .iter()
        .filter(|s| s.manager == by)
        .find_map(|s| Some((s, s.kept.as_ref()?)))?;
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    kept.files
        .iter()
        .any(|f| *f == "*" || *f == base)
        .then_some(KeptBy {
            manager: stack.manager,
            change_in: kept.change_in,
        })
}

/// The stack managers' project directories (see [`StackDir`]).
/// A row's fields that most rows leave as they are: under the root, projects one level down,
/// compose's own defaults for everything else.
const PLAIN_STACK_DIR: StackDir = StackDir {
    manager: "",
    base: StackBase::Root,
    dir: "",
    depth: 1,
    what: "",
    env_file: None,
    vars: &[],
    unseen: None,
    project_name: None,
    current: None,
    kept: None,
    project_files: None,
};

pub const STACK_DIRS: &[StackDir] = &[
    // Portainer: stacks under its data dir's `compose/<stack id>/` (api/filesystem/filesystem.go
    // `ComposeStorePath`, `<id>/v<N>` for versioned stacks), the data dir the `portainer_data`
    // volume of its install docs; it runs `docker compose --project-name <stack name>
    // --env-file stack.env` (api/exec/compose_stack.go `createEnvFile`, pkg/libstack
    // composeplugin.go), stack.env written from its database when the stack has variables.
    StackDir {
        manager: "Portainer",
        dir: "var/lib/docker/volumes/portainer_data/_data/compose",
        depth: 2,
        what: "Portainer's stacks (compose files, 2 levels down)",
        env_file: Some(|_| Some("stack.env".to_string())),
        // Written from the stack's variables in its database at each deploy
        // (api/exec/compose_stack.go `createEnvFile`): edited there, not in the file.
        kept: Some(Kept {
            files: &["stack.env"],
            change_in: "Portainer's stack editor (Stacks > the stack > Environment variables)",
        }),
        ..PLAIN_STACK_DIR
    },
    // CasaOS: `AppsPath = /var/lib/casaos/apps`, each app's `<name>/docker-compose.yml`
    // (CasaOS-AppManagement pkg/config/init.go, service/compose_service.go), loaded with the
    // project name `<name>` and `AppID=<name>` (service/compose_app.go
    // `LoadComposeAppFromConfigFile`); the store's files mount `/DATA/AppData/$AppID`.
    StackDir {
        manager: "CasaOS",
        dir: "var/lib/casaos/apps",
        what: "CasaOS apps (compose files, 1 level down)",
        vars: &[("AppID", StackVar::DirName)],
        ..PLAIN_STACK_DIR
    },
    // Coolify: services in `/data/coolify/services/<uuid>/`, applications in
    // `/data/coolify/applications/<uuid>/` (bootstrap/helpers/shared.php, config/constants.php
    // `base_config_path`), each with the `.env` Coolify writes beside it, run as
    // `docker compose --project-directory <dir> -f <dir>/docker-compose.yml --project-name
    // <uuid>` (app/Actions/Service/StartService.php): compose's own defaults.
    StackDir {
        manager: "Coolify",
        dir: "data/coolify/services",
        what: "Coolify services (compose files, 1 level down)",
        ..PLAIN_STACK_DIR
    },
    StackDir {
        manager: "Coolify",
        dir: "data/coolify/applications",
        what: "Coolify applications (compose files, 1 level down)",
        ..PLAIN_STACK_DIR
    },
    // Umbrel: umbrelOS's data dir `/home/umbrel/umbrel` (packages/umbreld cli-client.ts), each
    // app's `app-data/<id>/docker-compose.yml` (modules/apps/app.ts), run as `docker compose
    // --project-name <id>` with `APP_ID`, `APP_DATA_DIR` and `APP_SEED`, `APP_PASSWORD`
    // derived from the device's secret (legacy-compat/app-script `source_app`, `compose`). A
    // scanned home's `umbrel/app-data/<id>` is within the home scan already.
    StackDir {
        manager: "umbreld",
        dir: "home/umbrel/umbrel/app-data",
        what: "Umbrel apps (compose files, 1 level down)",
        vars: &[
            ("APP_ID", StackVar::DirName),
            ("APP_DATA_DIR", StackVar::DirPath),
        ],
        unseen: Some("APP_SEED and APP_PASSWORD, which umbreld derives from the device's secret"),
        ..PLAIN_STACK_DIR
    },
    // Runtipi: `<runtipi>/apps/<store>/<app>/docker-compose.yml`, run with `--env-file
    // <runtipi>/app-data/<store>/<app>/app.env` and `--project-name <store>_<app>`
    // (packages/backend/src/modules/docker/docker.service.ts, modules/apps/app-files-manager.ts),
    // `<runtipi>` where its install script puts it: `~/runtipi`.
    StackDir {
        manager: "Runtipi",
        base: StackBase::Home,
        dir: "runtipi/apps",
        depth: 2,
        what: "Runtipi apps (compose files, 2 levels down)",
        env_file: Some(|below| match below {
            [store, app] => Some(format!("../../../app-data/{store}/{app}/app.env")),
            _ => None,
        }),
        project_name: Some(|below| match below {
            [store, app] => Some(format!("{store}_{app}")),
            _ => None,
        }),
        ..PLAIN_STACK_DIR
    },
    // Unraid's compose.manager plugin: projects in its PROJECTS_FOLDER, by default
    // `/boot/config/plugins/compose.manager/projects/<p>/` (default.cfg, php/defines.php),
    // each with `docker-compose.yml` or an `indirect` file naming the directory whose
    // `*compose*.yml` files it runs instead (scripts/compose.sh `-d`), a `name` file (the
    // project name, sanitized: php/util.php `sanitizeStr`), an `envpath` file (`--env-file`),
    // and its override `docker-compose.override.yml` beside them; run as `docker compose
    // --env-file <envpath> -f … -p <name> up -d` (php/compose_util.php
    // `echoComposeCommand`, event/started, scripts/compose.sh).
    StackDir {
        manager: "compose.manager",
        dir: "boot/config/plugins/compose.manager/projects",
        what: "Unraid compose.manager projects (compose files 1 level down, or the directory each project's `indirect` file names)",
        project_files: Some(ProjectFiles {
            name: "name",
            // `sanitizeStr` (the web UI's; event/started's `sanitize` replaces only the
            // first `.` and `-`): `.`, ` ` and `-` become `_`, then lower case.
            sanitize: |name| name.replace(['.', ' ', '-'], "_").to_lowercase(),
            env_path: "envpath",
            indirect: "indirect",
            // `find <dir> -maxdepth 1 -type f -name '*compose*.yml'`.
            indirect_files: |name| name.contains("compose") && name.ends_with(".yml"),
            file: "docker-compose.yml",
            override_file: "docker-compose.override.yml",
        }),
        ..PLAIN_STACK_DIR
    },
    // TrueNAS SCALE (24.10+, Docker apps): each app's configuration under
    // `/mnt/.ix-apps/app_configs/<app>/` (middleware plugins/apps/ix_apps/path.py,
    // docker/state_utils.py `IX_APPS_MOUNT_PATH`), one `versions/<version>/` per installed
    // version, older ones kept for a rollback (ix_apps/rollback.py); the one it runs is
    // `version` in the app's `metadata.yaml` (ix_apps/metadata.py `update_app_metadata`,
    // "the version doubles as the name of the app's installed directory"). It runs `docker
    // compose -f <each *.yaml of versions/<version>/templates/rendered> -p ix-<app> up -d`
    // (plugins/apps/compose_utils.py `compose_action`, ix_apps/lifecycle.py
    // `get_rendered_templates_of_app`, utils.py `PROJECT_PREFIX`): no env file.
    StackDir {
        manager: "TrueNAS",
        dir: "mnt/.ix-apps/app_configs",
        what: "TrueNAS apps (each app's current version: versions/<metadata.yaml's version>/templates/rendered)",
        project_name: Some(|below| below.first().map(|app| format!("ix-{app}"))),
        current: Some(CurrentVersion {
            file: "metadata.yaml",
            key: "version",
            project: |version| format!("versions/{version}/templates/rendered"),
        }),
        // Rendered anew from the app's values each time it is edited, upgraded or rolled
        // back (ix_apps/lifecycle.py `update_app_config`, `render_compose_templates`).
        kept: Some(Kept {
            files: &["*"],
            change_in: "the app's Edit page in TrueNAS's Apps screen",
        }),
        ..PLAIN_STACK_DIR
    },
];

/// The `docker compose up` a stack manager runs for each project the scan found in one of its
/// directories ([`STACK_DIRS`]): its `--project-name`, its `--env-file` when that file is
/// there, and the variables it sets. Shown at the start of the project's compose file.
fn stack_runs(
    scanned: &[PathBuf],
    stacks: &StackLayout,
    root: Option<&Path>,
    host: &compose::HostContext,
    parsed: &mut compose::ParsedFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<compose::runs::ComposeRun> {
    // A directory listed app by app (not by the compose scan) that holds too many is said.
    for manager in stacks.dirs.iter().filter(|m| m.listed.is_err()) {
        let message = format!(
            "{} holds more than {MAX_STACK_ENTRIES} entries: clawlint reads none of the {} projects there (a host has tens)",
            crate::paths::display_path(&manager.dir),
            manager.stack.manager,
        );
        problems.push(Problem::listing_stopped(&manager.dir, message, sources));
    }
    let indirect = &stacks.indirect;
    // A pointer that is not followed is said, where it is.
    for i in indirect {
        match &i.target {
            Ok(_) => {}
            // The pointer itself cannot be read: said as any file is.
            Err(Some(err)) => problems.push(crate::load::unreadable(sources, &i.pointer, err)),
            // It names a place that is not a path of the copied host (relative, or above `/`).
            Err(None) => {
                let shown = crate::redact::shown(crate::redact::Kind::Path, &i.raw);
                let file = sources.add(&i.pointer, String::new(), None);
                problems.push(Problem {
                    kind: crate::load::ProblemKind::OutsideLayout,
                    message: format!(
                        "{} names {shown}, the directory whose compose files {} runs for {}, which is not an absolute path of the copied host (under --root): clawlint does not read it",
                        crate::paths::display_path(&i.pointer),
                        i.stack.manager,
                        crate::paths::display_path(&i.project),
                    ),
                    loc: Some(crate::load::tree::file_start(file)),
                });
            }
        }
    }
    let mut out = Vec::new();
    for file in scanned {
        let Some(found_in) = file.parent() else {
            continue;
        };
        // The manager's project directory: the one whose `indirect` names where the file is.
        let pointed = indirect
            .iter()
            .find(|i| i.target.as_deref().is_ok_and(|t| t == found_in));
        let (project, stack, base) = match pointed {
            Some(i) => {
                let Some(base) = (stacks.dirs.iter())
                    .map(|m| &m.dir)
                    .find(|d| i.project.starts_with(d))
                else {
                    continue;
                };
                (i.project.as_path(), i.stack, base)
            }
            None => {
                let Some(ManagerDir {
                    dir: base, stack, ..
                }) = (stacks.dirs.iter())
                    .find(|m| found_in.starts_with(&m.dir) && found_in != m.dir)
                else {
                    continue;
                };
                // Its manager runs the directory `indirect` names instead of this one.
                if (stack.project_files.as_ref()).is_some_and(|f| {
                    indirect
                        .iter()
                        .any(|i| i.project == found_in && i.pointer.ends_with(f.indirect))
                }) {
                    continue;
                }
                (found_in, *stack, base)
            }
        };
        let Ok(below) = project.strip_prefix(base) else {
            continue;
        };
        let below: Vec<&str> = below.iter().filter_map(|c| c.to_str()).collect();
        // Read once: the parse of the project takes this read.
        let Ok((read, _)) = parsed.read_file(file, sources) else {
            continue;
        };
        let loc = crate::load::tree::file_start(read);
        let mut args = compose::runs::ComposeArgs {
            subcommand: Some("up".to_string()),
            project_name: stack.project_name.and_then(|name| name(&below)),
            ..Default::default()
        };
        let env_file = stack.env_file.and_then(|f| f(&below));
        if let Some(env_file) = env_file
            .filter(|f| crate::paths::host::is_file(&crate::paths::normalize(&project.join(f))))
        {
            args.env_files.push(env_file);
        }
        let name = project
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(files) = &stack.project_files {
            project_files_run(
                files, project, pointed, root, &name, &mut args, sources, problems,
            );
        }
        let env = (stack.vars.iter())
            .map(|(var, value)| {
                let value = match value {
                    StackVar::DirName => name.clone(),
                    StackVar::DirPath => host_spelling(project, root),
                };
                (var.to_string(), value, loc)
            })
            .collect();
        let unknown = stack.unseen.iter().map(|u| u.to_string()).collect();
        let place = |raw: &str| crate::paths::normalize(&host.host_path(raw, project));
        out.push(compose::runs::ComposeRun::new(
            stack.manager.to_string(),
            loc,
            Some(project.to_path_buf()),
            args,
            env,
            unknown,
            &place,
        ));
    }
    out
}

/// What a manager's [`ProjectFiles`] in `project` add to its `docker compose up`: `-p` from
/// the name file, `--env-file` from the envpath file (a path of the copied host, read under
/// `--root` only), and `-f` for its compose file (or the files of the directory `indirect`
/// names) and its override file.
#[allow(clippy::too_many_arguments)]
fn project_files_run(
    files: &ProjectFiles,
    project: &Path,
    indirect: Option<&Indirect>,
    root: Option<&Path>,
    dir_name: &str,
    args: &mut compose::runs::ComposeArgs,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let name = match one_line(&project.join(files.name)) {
        Ok(Some(name)) if !name.is_empty() => name,
        _ => dir_name.to_string(),
    };
    args.project_name = Some((files.sanitize)(&name));
    let env_path = project.join(files.env_path);
    match one_line(&env_path) {
        Ok(Some(raw)) if !raw.is_empty() => match host_path_in_root(&raw, root) {
            Some(_) => args.env_files.push(raw),
            None => {
                let file = sources.add(&env_path, String::new(), None);
                problems.push(Problem {
                    kind: crate::load::ProblemKind::OutsideLayout,
                    message: format!(
                        "{} names {}, the env file compose is run with, which is not an absolute path of the copied host (under --root): clawlint does not read it",
                        crate::paths::display_path(&env_path),
                        crate::redact::shown(crate::redact::Kind::Path, &raw),
                    ),
                    loc: Some(crate::load::tree::file_start(file)),
                });
            }
        },
        Ok(_) => {}
        Err(err) => problems.push(crate::load::unreadable(sources, &env_path, &err)),
    }
    match indirect {
        // `-d <dir>`: each of its compose files, in name order (`find`'s is the directory's).
        Some(Indirect {
            target: Ok(target),
            raw,
            ..
        }) => {
            let mut names: Vec<String> = crate::paths::on_host(target)
                .and_then(|placed| std::fs::read_dir(placed).ok())
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| (files.indirect_files)(n))
                .collect();
            names.sort_unstable();
            let dir = raw.trim_end_matches('/');
            args.files
                .extend(names.iter().map(|n| format!("{dir}/{n}")));
        }
        _ => args.files.push(files.file.to_string()),
    }
    if crate::paths::host::is_file(&project.join(files.override_file)) {
        args.files.push(files.override_file.to_string());
    }
}

/// `path`, a path of the layout, as the copied host spells it (`/home/umbrel/…` for
/// `<root>/home/umbrel/…`).
fn host_spelling(path: &Path, root: Option<&Path>) -> String {
    match root.and_then(|r| path.strip_prefix(r).ok()) {
        Some(rest) => Path::new("/").join(rest).display().to_string(),
        None => path.display().to_string(),
    }
}

/// Each [`STACK_DIRS`] location on this layout: under each home, then under the root.
pub fn stack_dirs<'a>(
    homes: &'a [PathBuf],
    root: Option<&'a Path>,
) -> impl Iterator<Item = (PathBuf, &'static StackDir)> + 'a {
    let home_dirs = homes.iter().flat_map(|h| {
        STACK_DIRS
            .iter()
            .filter(|s| s.base == StackBase::Home)
            .map(move |s| (h.join(s.dir), s))
    });
    let root_dirs = root.into_iter().flat_map(|r| {
        STACK_DIRS
            .iter()
            .filter(|s| s.base == StackBase::Root)
            .map(move |s| (r.join(s.dir), s))
    });
    home_dirs.chain(root_dirs)
}

/// Finds every gateway the inputs describe and reads the supervisors that start them.
/// Nothing is resolved here: the resolve stage turns what this returns into the inventory.
pub fn discover(inputs: &Inputs) -> Found {
    // Units, drop-ins and environment files many supervisors share are read once; the
    // scripts they run are modelled within one budget for the run, however many run them.
    crate::load::cache::ServiceFiles::during(|| {
        command::run_work::during(command::MAX_RUN_WORK, || discover_with(inputs))
    })
}

fn discover_with(inputs: &Inputs) -> Found {
    // Absolute from here on, as OpenClaw's paths are; output shows them relative again.
    let homes: Vec<PathBuf> = inputs.homes.iter().map(|h| absolute(h)).collect();
    let root = inputs.root.as_deref().map(absolute);
    let main_home = homes.first().map(PathBuf::as_path);
    let mut invocations = Vec::new();
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    for home in &homes {
        let scanned = home::scan_capped(home);
        invocations.reserve(scanned.invocations.len());
        for mut inv in scanned.invocations {
            if homes.len() > 1 {
                inv.name = format!("{}/{}", home_label(home), inv.name);
            }
            invocations.push(inv);
        }
        if scanned.left_out > 0 {
            problems.push(too_many_profile_dirs(
                &mut sources,
                home,
                scanned.left_out,
                scanned.first_left_out.as_deref().unwrap_or_default(),
            ));
        }
    }
    for file in &inputs.config_files {
        invocations.push(config_file_invocation(&absolute(file), main_home));
    }
    let mut declared_services = Vec::new();
    for (decl, base) in &inputs.declared {
        let inv = manifest::invocation(decl, &absolute(base), main_home);
        match &decl.service {
            // A declared service file says how this gateway starts: read it like a scanned one.
            Some(service) => declared_services.push((inv, absolute(&base.join(service)))),
            None => invocations.push(inv),
        }
    }
    let mut unlisted = Vec::new();
    // Supervisors first: a unit that runs `docker compose` says how a compose project starts.
    let mut found: Vec<(PathBuf, services::FoundService, Option<String>)> =
        supervisors(&homes, root.as_deref(), &mut unlisted)
            .into_iter()
            .map(|(home, found)| (home, found, None))
            .collect();
    for (inv, file) in &declared_services {
        let kind = if file.extension().is_some_and(|e| e == "plist") {
            ServiceKind::Launchd
        } else {
            ServiceKind::SystemdSystem
        };
        let found_file = services::FoundService {
            file: file.clone(),
            kind,
            instance: None,
            pulled_in_by: None,
            not_enabled: false,
        };
        found.push((inv.home.clone(), found_file, Some(inv.name.clone())));
    }
    // Units nobody enabled last: a file they share with enabled units (a drop-in, the
    // manager's configuration) is said once, by an enabled one, before theirs are dropped.
    found.sort_by_key(|(_, f, _)| f.not_enabled);
    for (dir, reason) in unlisted {
        let err = crate::load::read::ReadError::Io(reason);
        problems.push(crate::load::unreadable(&mut sources, &dir, &err));
    }
    let mut supervised = Vec::new();
    let mut run = services::DiscoveryRun::default();
    for (home, found_file, declared_name) in found {
        // A unit nobody enabled starts no compose project and no container by itself; what
        // is wrong with one that runs no gateway (a vendor's unit under `--root`) is not ours.
        let runs_before = run.compose_runs.runs.len();
        let problems_before = problems.len();
        let read = services::invocation(
            &found_file,
            &home,
            &homes,
            root.as_deref(),
            &mut sources,
            &mut problems,
            &mut run,
        );
        if found_file.not_enabled {
            run.compose_runs.runs.truncate(runs_before);
            if read.as_ref().is_none_or(|inv| inv.container.is_some()) {
                problems.truncate(problems_before);
            }
        }
        let Some(mut inv) = read else {
            continue;
        };
        if let Some(name) = declared_name {
            inv.name = name;
        } else if homes.len() > 1 && found_file.kind != ServiceKind::SystemdSystem {
            inv.name = format!("{}/{}", home_label(&home), inv.name);
        }
        // A unit's `docker run` starts a container gateway: one of its own, like a quadlet's,
        // never the supervisor of a scanned state dir.
        match inv.container {
            Some(_) if found_file.not_enabled => {}
            Some(_) => invocations.push(inv),
            None => supervised.push(inv),
        }
    }
    let services::DiscoveryRun {
        compose_runs,
        mut managers,
        ..
    } = run;
    share_written_homes(&mut invocations, &supervised);
    // Read once: the compose scan, the managers' runs and CL910's list all use it.
    let stacks = StackLayout::read(&homes, root.as_deref());
    invocations.extend(compose_invocations(
        inputs,
        &homes,
        root.as_deref(),
        &stacks,
        compose_runs,
        &mut managers,
        &mut sources,
        &mut problems,
    ));
    // Unraid's Docker Manager templates, on the flash drive under the root.
    if let Some(root) = root.as_deref() {
        let root_home = root.join("root");
        let host = compose::HostContext {
            home: Some(&root_home),
            root: Some(root),
        };
        invocations.extend(unraid::invocations(
            root,
            &host,
            &mut sources,
            &mut problems,
        ));
    }
    Found {
        sources,
        invocations,
        supervised,
        problems,
        searched: searched_dirs(
            &homes,
            root.as_deref(),
            &stacks,
            &inputs.compose_files,
            &mut managers,
        ),
        release: None,
    }
}

/// CL907 on a home holding more gateway state dirs than clawlint takes.
fn too_many_profile_dirs(
    sources: &mut SourceMap,
    home: &Path,
    left_out: usize,
    first: &str,
) -> crate::load::Problem {
    let file = sources.add(home, String::new(), None);
    crate::load::Problem {
        kind: crate::load::ProblemKind::TooMany,
        message: format!(
            "{} holds more than {} gateway profile dirs: clawlint lints the first {} by name and leaves out the other {left_out} (from {}); no real host runs that many gateways",
            crate::paths::display_path(home),
            home::MAX_PROFILE_DIRS,
            home::MAX_PROFILE_DIRS,
            first,
        ),
        loc: Some(crate::load::tree::file_start(file)),
    }
}

/// Every directory the scans above look in, with what they look for there: the same lists
/// the scans use, so that CL910 names exactly where clawlint looked.
fn searched_dirs(
    homes: &[PathBuf],
    root: Option<&Path>,
    stacks: &StackLayout,
    compose_files: &[PathBuf],
    managers: &mut services::Managers,
) -> Vec<Searched> {
    const STATE: &str =
        "state dirs .openclaw, .openclaw-<profile>, .clawdbot and their gateway.cmd";
    const COMPOSE: &str = "compose files, 3 levels down";
    const QUADLETS: &str = "Podman quadlets";
    // The quadlet directories placed as the quadlet search places them
    // ([`compose_invocations`]); each home's listed with it, the system's after the root's.
    let root_home = root.map(|r| r.join("root"));
    let mut generators =
        quadlet_generators(homes, root, root_home.as_deref(), managers).into_iter();
    let mut out = SearchedDirs::default();
    for home in homes {
        out.add(home, STATE);
        out.add(home, COMPOSE);
        for (dir, what) in services::user_service_dirs(home, root) {
            out.add(&dir, what);
        }
        out.add_quadlet_dirs(generators.next(), QUADLETS);
    }
    if let Some(root) = root {
        for (dir, what) in services::system_service_dirs(root) {
            out.add(&dir, what);
        }
        for dir in ["opt", "srv", "etc"] {
            out.add(&root.join(dir), COMPOSE);
        }
        out.add_quadlet_dirs(generators.next(), QUADLETS);
        out.add(&unraid::templates_dir(root), unraid::SEARCHED);
    }
    for manager in &stacks.dirs {
        out.add(&manager.dir, manager.stack.what);
    }
    for target in stacks.indirect_targets() {
        out.add(
            target,
            "the compose files of a compose.manager project whose `indirect` file names it",
        );
    }
    // A compose file named: read, and none of its services runs OpenClaw's gateway.
    for file in compose_files {
        out.add(
            file,
            "a compose file named: no service of it starts an OpenClaw gateway",
        );
    }
    out.list
}

/// The directories of CL910's list, in the order first added, each once with everything
/// looked for there (found by a map, not a scan of the list: a `QUADLET_UNIT_DIRS` can name
/// thousands).
#[derive(Default)]
struct SearchedDirs {
    list: Vec<Searched>,
    at: HashMap<PathBuf, usize>,
}

impl SearchedDirs {
    fn add(&mut self, dir: &Path, what: &'static str) {
        match self.at.get(dir) {
            Some(&i) => Searched::also(&mut self.list[i], what),
            None => {
                self.at.insert(dir.to_path_buf(), self.list.len());
                self.list.push(Searched::new(dir, what));
            }
        }
    }

    /// The directories `generator` reads.
    fn add_quadlet_dirs(&mut self, generator: Option<QuadletGenerator>, what: &'static str) {
        let Some(generator) = generator else { return };
        let user = generator.user.as_ref();
        let place = |dir: &str| generator.manager.place(dir, &generator.host, user);
        let unit_dirs = generator.manager.unit_dirs();
        for search in quadlet::generator_dirs(unit_dirs, generator.defaults, &place).dirs {
            self.add(&search.dir, what);
        }
    }
}

/// A Podman quadlet generator the host runs: its manager's configuration, where its paths
/// are placed, and the directories it reads unless `QUADLET_UNIT_DIRS` says otherwise.
struct QuadletGenerator<'a> {
    manager: services::QuadletManager,
    host: compose::HostContext<'a>,
    defaults: Vec<quadlet::SearchDir>,
    /// The user whose manager it is, when the layout's `/etc/passwd` names the home's.
    user: Option<services::PasswdUser>,
}

/// Each home's user manager's generator, then under `--root` the system manager's, whose `%h`
/// is root's home (`root_home`, `<root>/root`). Every home is a home of the root's host: an
/// absolute path in any user's quadlet (`/home/openclaw2/.openclaw`) is read under the root,
/// as its units' are.
fn quadlet_generators<'a>(
    homes: &'a [PathBuf],
    root: Option<&'a Path>,
    root_home: Option<&'a Path>,
    managers: &mut services::Managers,
) -> Vec<QuadletGenerator<'a>> {
    let mut generators: Vec<QuadletGenerator<'a>> = homes
        .iter()
        .map(|home| {
            let user = services::user_of(home, root);
            let uid = user.as_ref().map(|u| u.uid.as_str());
            QuadletGenerator {
                manager: managers.quadlet(ServiceKind::SystemdUser, home, root),
                host: compose::HostContext {
                    home: Some(home),
                    root,
                },
                defaults: quadlet::user_dirs(home, root, uid),
                user,
            }
        })
        .collect();
    let system = root
        .zip(root_home)
        .map(|(root, root_home)| QuadletGenerator {
            manager: managers.quadlet(ServiceKind::SystemdSystem, root_home, Some(root)),
            host: compose::HostContext {
                home: Some(root_home),
                root: Some(root),
            },
            defaults: quadlet::system_dirs(root),
            user: None,
        });
    generators.extend(system);
    generators
}

/// The gateways of every compose project named, found by the bounded scan, or run by a
/// unit, script or Makefile; each project read with the command lines that run it.
#[allow(clippy::too_many_arguments)]
fn compose_invocations(
    inputs: &Inputs,
    homes: &[PathBuf],
    root: Option<&Path>,
    stacks: &StackLayout,
    unit_runs: compose::runs::Runs,
    managers: &mut services::Managers,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<Invocation> {
    // Compose runs as the first home's account; with only `--root`, as root (whose home is
    // `<root>/root`, as for the system's quadlets); with neither, as an account whose home
    // clawlint cannot see.
    let root_home = root.map(|r| r.join("root"));
    let home = homes.first().map(PathBuf::as_path).or(root_home.as_deref());
    let host = compose::HostContext { home, root };
    let named: Vec<PathBuf> = inputs.compose_files.iter().map(|f| absolute(f)).collect();
    let named_files: FastSet<PathBuf> = named.iter().cloned().collect();
    let compose::Scanned {
        files: scanned,
        stopped_at,
    } = compose::scan(&container_scan_dirs(homes, root, stacks));
    if let Some(entry) = stopped_at {
        let message = format!(
            "the search for compose files looked at {} directory entries and stopped at {}: compose files past it are not found (name them on the command line or in clawlint.toml's `compose`)",
            compose::SCAN_ENTRY_BUDGET,
            crate::paths::display_path(&entry),
        );
        problems.push(Problem::listing_stopped(&entry, message, sources));
    }
    // Each project directory once, in the order named and scanned (a set, not a search of the
    // list: a host has thousands of stacks).
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut seen_dirs: FastSet<&Path> = Default::default();
    for dir in named.iter().chain(&scanned).filter_map(|f| f.parent()) {
        if seen_dirs.insert(dir) {
            dirs.push(dir.to_path_buf());
        }
    }
    let compose::runs::Runs { mut runs, stopped } = unit_runs;
    let inside = |f: &Path| homes.iter().any(|h| f.starts_with(h)) || host.contains(f);
    // Each file once (projects side by side share their parent's `scripts/`); a script a
    // unit, LaunchAgent or task runs was read already, with its supervisor's environment.
    let mut read: FastSet<PathBuf> = runs.iter().filter_map(|r| r.script.clone()).collect();
    let by_hand: Vec<(PathBuf, PathBuf)> = (dirs.iter())
        .flat_map(|dir| compose::runs::wrapper_files(dir, &inside))
        .filter(|(file, _)| read.insert(file.clone()))
        .collect();
    runs.extend(compose::runs_beside(&by_hand, &host, sources, problems));
    // What a stack manager runs for each project the scan found in its directory.
    // Each compose file is read once this discovery: for a manager's run and for its parse.
    let mut parsed = compose::ParsedFiles::default();
    runs.extend(stack_runs(
        &scanned,
        stacks,
        root,
        &host,
        &mut parsed,
        sources,
        problems,
    ));
    // One `docker compose up` is one load of a project: compose reads its files, env files
    // and environment anew on every run. The files each run loads, as compose chooses them;
    // a file it names that does not exist stops compose, which is said where the run is
    // written.
    // Each with the runs that load it.
    let mut loads: Vec<(Vec<PathBuf>, Vec<&compose::runs::ComposeRun>)> = Vec::new();
    // The directories of the projects some command line runs (even one that fails): env files
    // beside such a project are not runs clawlint cannot see.
    let mut run_dirs: FastSet<PathBuf> = Default::default();
    for run in &runs {
        let chosen = compose::run_files(run, &host, &inside, &mut parsed.env, sources);
        run_dirs.extend(
            chosen
                .files
                .first()
                .and_then(|f| f.parent())
                .map(Path::to_path_buf),
        );
        run_dirs.extend(run.project_dir.iter().chain(&run.cwd).cloned());
        let missing: Vec<&PathBuf> = chosen
            .files
            .iter()
            .filter(|f| chosen.named && inside(f) && !crate::paths::host::is_file(f))
            .collect();
        for file in &missing {
            problems.push(compose::missing_file(run, file, &chosen.how));
        }
        let readable: Vec<PathBuf> = chosen
            .files
            .iter()
            .filter(|f| inside(f) && crate::paths::host::is_file(f))
            .cloned()
            .collect();
        if run.args.starts() && missing.is_empty() && !readable.is_empty() {
            loads.push((readable, vec![run]));
        }
    }
    // Projects no run loads (named on the command line or in clawlint.toml, or found by the
    // scan) are read as compose reads them with no `-f`.
    // Its `.env` may name the files with COMPOSE_FILE, as compose reads it in that directory.
    let mut loaded: FastSet<PathBuf> = loads
        .iter()
        .filter_map(|(l, _)| l.first().cloned())
        .collect();
    for files in compose_projects(named, scanned) {
        if loaded.contains(&files[0]) {
            continue;
        }
        let std_name = files[0]
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| compose::FILE_NAMES.contains(&n));
        let files = match files.len() == 1 && std_name {
            true => compose::dir_files(
                &files[0],
                &host,
                &inside,
                &mut parsed.env,
                sources,
                problems,
            ),
            false => files,
        };
        if files.is_empty() || !loaded.insert(files[0].clone()) {
            continue;
        }
        loads.push((files, Vec::new()));
    }
    // In the order named and scanned; projects only a run names come last.
    let dir_order: FastMap<&Path, usize> = dirs
        .iter()
        .enumerate()
        .rev()
        .map(|(i, d)| (d.as_path(), i))
        .collect();
    loads.sort_by_key(|(files, _)| {
        files[0]
            .parent()
            .and_then(|d| dir_order.get(d).copied())
            .unwrap_or(usize::MAX)
    });
    let mut out: Vec<Invocation> = Vec::new();
    // A container name is one container: loads that give the same one (two runs of one
    // project) are reconciled into it.
    // With each: the project's directory and name, and whether the name is the directory's.
    let mut by_name: FastMap<String, (usize, PathBuf, String, bool)> = Default::default();
    let mut reported: FastSet<String> = Default::default();
    // Each compose container's place in `out` by project directory, project and service.
    let mut by_service: FastMap<(PathBuf, String, String), usize> = Default::default();
    // The command lines recorded as other runs of each container (CL410), by its place in `out`.
    let mut other_runs: FastSet<(usize, crate::source::Loc)> = Default::default();
    let read = read_loads(
        loads,
        &mut parsed,
        &named_files,
        &run_dirs,
        &host,
        &stopped,
        sources,
        problems,
    );
    for ReadLoad {
        project,
        problems: fresh,
        ..
    } in read
    {
        // A second load of the same files finds the same file problems: each is said once.
        problems.extend(
            fresh
                .into_iter()
                .filter(|p| reported.insert(format!("{:?}{:?}{}", p.kind, p.loc, p.message))),
        );
        for inv in project.invocations {
            // Compose finds a project's container by project and service, whatever its
            // name: a run that names it otherwise (`container_name: ${NAME}`) recreates it.
            let service_key = inv
                .container
                .as_deref()
                .map(|c| (project.dir.clone(), project.name.clone(), c.service.clone()));
            let same_service = service_key
                .as_ref()
                .and_then(|k| by_service.get(k))
                .copied();
            if let Some(at) = same_service.filter(|&at| out[at].name != inv.name) {
                compose::reconcile(&mut out[at], inv, |loc| other_runs.insert((at, loc)));
                continue;
            }
            match by_name.get_mut(&inv.name) {
                // The same directory: another run of one project.
                Some((at, dir, _, _)) if *dir == project.dir => {
                    let at = *at;
                    compose::reconcile(&mut out[at], inv, |loc| other_runs.insert((at, loc)))
                }
                // Another directory that gives the same container name: compose takes both
                // for one project (CL411). Reconciled as two runs of one, and said.
                Some((at, dir, name, from_dir)) => {
                    let new_loc = inv.container.as_deref().map(|c| c.loc);
                    let kept = &mut out[*at];
                    let earlier = kept
                        .container
                        .as_deref_mut()
                        .map(|c| std::mem::take(&mut c.name_clashes))
                        .unwrap_or_default();
                    let kept_loc = kept.container.as_deref().map(|c| c.loc);
                    compose::reconcile_across(kept, inv);
                    let Some(c) = kept.container.as_deref_mut() else {
                        continue;
                    };
                    let from_dirs = *from_dir && project.name_from_dir;
                    let new_kept = new_loc.is_some() && Some(c.loc) == new_loc;
                    let clash = if new_kept {
                        // The new load is kept: the clash names the earlier one.
                        let Some(other_loc) = kept_loc else { continue };
                        let clash = crate::container::NameClash {
                            dir: project.dir.clone(),
                            project: project.name.clone(),
                            other_dir: dir.clone(),
                            other_project: name.clone(),
                            other_loc,
                            from_dirs,
                        };
                        (*dir, *name, *from_dir) = (
                            project.dir.clone(),
                            project.name.clone(),
                            project.name_from_dir,
                        );
                        clash
                    } else {
                        let Some(other_loc) = new_loc else { continue };
                        crate::container::NameClash {
                            dir: dir.clone(),
                            project: name.clone(),
                            other_dir: project.dir.clone(),
                            other_project: project.name.clone(),
                            other_loc,
                            from_dirs,
                        }
                    };
                    // Earlier clashes are with the container as kept now. Only a new load
                    // kept in its place changes that, at most twice a name (`reconcile_across`
                    // prefers a load that starts, then one a run loads): rewriting them on
                    // every clash made K same-named projects cost K² copies.
                    let mut clashes = earlier;
                    if new_kept {
                        for earlier in &mut clashes {
                            earlier.dir.clone_from(&clash.dir);
                            earlier.project.clone_from(&clash.project);
                        }
                    }
                    clashes.push(clash);
                    c.name_clashes = clashes;
                }
                None => {
                    if let Some(key) = service_key {
                        by_service.entry(key).or_insert(out.len());
                    }
                    by_name.insert(
                        inv.name.clone(),
                        (
                            out.len(),
                            project.dir.clone(),
                            project.name.clone(),
                            project.name_from_dir,
                        ),
                    );
                    out.push(inv);
                }
            }
        }
    }
    // Podman quadlets: each home's, and the system's (whose `%h` is root's home).
    let root_home = root.map(|r| r.join("root"));
    for generator in quadlet_generators(homes, root, root_home.as_deref(), managers) {
        let QuadletGenerator {
            manager,
            host,
            defaults,
            user,
        } = generator;
        let dirs = generator_dirs(&manager, defaults, &host, user.as_ref(), sources, problems);
        let scanned = quadlet::files(&dirs.dirs);
        quadlet::said(&scanned, sources, problems);
        let manager_env = manager.default_environment();
        let mut gateways = quadlet::invocations(&scanned, &host, &manager_env, sources, problems);
        if !gateways.is_empty() || manager.unit_dirs().is_some() {
            manager.report(sources, problems);
        }
        // Each found in a directory `QUADLET_UNIT_DIRS` names (all are, when it names one
        // inside the layout): `resolve` shows the assignment.
        let found_through = match dirs.from_env {
            true => manager.unit_dirs_at(sources),
            false => None,
        };
        for gateway in &mut gateways {
            if let Some(container) = gateway.container.as_deref_mut() {
                container.found_through = found_through;
            }
        }
        out.extend(gateways);
    }
    out
}

/// A compose load as read: its project, the problems found reading it, and whether only the
/// scan found it (no run loads it, no one named it).
struct ReadLoad {
    first: PathBuf,
    project: compose::Project,
    problems: Vec<Problem>,
    scan_only: bool,
}

/// Each load read, in order, without the projects only the scan found whose file another
/// project's `include:` reads: compose reads that file as part of the including project,
/// with its directory and `.env`, and nothing starts it on its own.
#[allow(clippy::too_many_arguments)]
fn read_loads(
    loads: Vec<(Vec<PathBuf>, Vec<&compose::runs::ComposeRun>)>,
    parsed: &mut compose::ParsedFiles,
    named: &FastSet<PathBuf>,
    run_dirs: &FastSet<PathBuf>,
    host: &compose::HostContext,
    stopped: &[crate::container::StoppedFollow],
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<ReadLoad> {
    let mut read = Vec::with_capacity(loads.len());
    for (files, mine) in loads {
        let before = problems.len();
        let run_seen =
            !mine.is_empty() || files[0].parent().is_some_and(|dir| run_dirs.contains(dir));
        let project = compose::read_project(
            &files, host, &mine, run_seen, stopped, parsed, sources, problems,
        );
        read.push(ReadLoad {
            scan_only: mine.is_empty() && !named.contains(&files[0]),
            first: files.into_iter().next().unwrap_or_default(),
            project,
            problems: problems.drain(before..).collect(),
        });
    }
    // Each included file, with the first file of a project that includes it.
    let mut included_by: FastMap<&Path, Vec<&Path>> = Default::default();
    for load in &read {
        for file in &load.project.included {
            included_by.entry(file).or_default().push(&load.first);
        }
    }
    // Two projects that include each other (compose refuses both) are both kept.
    let part_of_another: Vec<bool> = (read.iter())
        .map(|load| {
            load.scan_only
                && included_by.get(load.first.as_path()).is_some_and(|by| {
                    by.iter()
                        .any(|p| *p != load.first && !load.project.included.iter().any(|f| f == p))
                })
        })
        .collect();
    let mut part = part_of_another.into_iter();
    read.retain(|_| !part.next().unwrap_or(false));
    read
}

/// The directories a quadlet generator of `manager` reads ([`quadlet::generator_dirs`]), and
/// at its `QUADLET_UNIT_DIRS` CL902 when some are outside the layout, CL904 when an entry is
/// not an absolute path.
fn generator_dirs(
    manager: &services::QuadletManager,
    defaults: Vec<quadlet::SearchDir>,
    host: &compose::HostContext,
    user: Option<&services::PasswdUser>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> quadlet::GeneratorDirs {
    let place = |dir: &str| manager.place(dir, host, user);
    let dirs = quadlet::generator_dirs(manager.unit_dirs(), defaults, &place);
    if dirs.outside.is_empty() && dirs.relative.is_none() {
        return dirs;
    }
    if let Some(at) = manager.unit_dirs_at(sources) {
        if !dirs.outside.is_empty() {
            problems.push(quadlet::unit_dirs_outside(&dirs, at));
        }
        if let Some(relative) = &dirs.relative {
            problems.push(quadlet::unit_dirs_relative(relative, at));
        }
    }
    dirs
}

/// The home the supervisors of a scanned home wrote their paths under (`/Users/ana`), when
/// they agree on one, stands for that home in the configs of its gateways no supervisor
/// starts as well: the same absolute path in two configs of one home is one directory, not
/// `~/clawd` for a supervised gateway and `/Users/ana/clawd` for its neighbour.
fn share_written_homes(scanned: &mut [Invocation], supervised: &[Invocation]) {
    let mut by_home: FastMap<&Path, Option<&str>> = Default::default();
    for inv in supervised {
        let Some(written) = inv.written_home.as_deref() else {
            continue;
        };
        by_home
            .entry(inv.home.as_path())
            .and_modify(|agreed| {
                if *agreed != Some(written) {
                    *agreed = None;
                }
            })
            .or_insert(Some(written));
    }
    for inv in scanned.iter_mut().filter(|i| i.written_home.is_none()) {
        if let Some(Some(written)) = by_home.get(inv.home.as_path()) {
            inv.written_home = Some(written.to_string());
        }
    }
}

/// Compose projects: files named in one directory are one project, merged in the order
/// given (`docker compose -f a.yml -f b.yml`); a scanned file in a directory no named file
/// is in is a project of its own.
fn compose_projects(
    named: impl IntoIterator<Item = PathBuf>,
    scanned: Vec<PathBuf>,
) -> Vec<Vec<PathBuf>> {
    let mut projects: Vec<Vec<PathBuf>> = Vec::new();
    for file in named {
        let dir = file.parent().map(Path::to_path_buf);
        match projects
            .iter_mut()
            .find(|p| p[0].parent().map(Path::to_path_buf) == dir)
        {
            Some(project) if !project.contains(&file) => project.push(file),
            Some(_) => {}
            None => projects.push(vec![file]),
        }
    }
    let named_dirs: Vec<PathBuf> = projects
        .iter()
        .filter_map(|p| p[0].parent().map(Path::to_path_buf))
        .collect();
    for file in scanned {
        if !file
            .parent()
            .is_some_and(|d| named_dirs.iter().any(|n| n == d))
        {
            projects.push(vec![file]);
        }
    }
    projects
}

/// A home's last path component, to tell gateways of several homes apart.
fn home_label(home: &Path) -> String {
    home.file_name().map_or_else(
        || home.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// User services of each home, then the system's (read once, with the first home).
fn supervisors(
    homes: &[PathBuf],
    root: Option<&Path>,
    unlisted: &mut Vec<(PathBuf, String)>,
) -> Vec<(PathBuf, services::FoundService)> {
    let mut out = Vec::new();
    for (i, home) in homes.iter().enumerate() {
        // Each user's search path includes the system-wide user unit dirs under the root;
        // the system's own units are read once, with the first home.
        for found in services::service_files(home, root, i == 0, unlisted) {
            // A system job read with the first home runs in its own account's, if scanned.
            let home = services::daemon_home(&found, homes, root).unwrap_or(home);
            out.push((home.to_path_buf(), found));
        }
    }
    out
}

/// A config file given on the command line. Inside a profile dir (`.openclaw-<p>`) it is
/// that profile's gateway; anywhere else it is a gateway whose state dir is the file's dir.
fn config_file_invocation(file: &Path, home: Option<&Path>) -> Invocation {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some((profile, owner_home)) = home::profile_of_dir(dir_name).zip(dir.parent()) {
        let mut inv = home::invocation(owner_home, profile.as_deref());
        inv.discovery = Discovery::ConfigArg(file.to_path_buf());
        if file.file_name().is_some_and(|n| n != "openclaw.json") {
            set_given(&mut inv.env, "OPENCLAW_CONFIG_PATH", file);
        }
        return inv;
    }
    let home = home
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.to_path_buf());
    let mut inv = home::invocation(&home, None);
    inv.name = crate::paths::display_path(file);
    inv.discovery = Discovery::ConfigArg(file.to_path_buf());
    set_given(&mut inv.env, "OPENCLAW_STATE_DIR", dir);
    set_given(&mut inv.env, "OPENCLAW_CONFIG_PATH", file);
    inv
}

/// The gateway port a command line gives (the last valid `--port N` or `--port=N`, read by
/// [`crate::openclaw::port_from_args`]), for every supervisor and the manifest alike. `loc` is
/// the command line in its file, when there is one.
pub(crate) fn port_arg(argv: &[String], loc: Option<Loc>) -> Option<Sourced<u16>> {
    let (port, _) = crate::openclaw::port_from_args(argv)?;
    Some(Sourced::new(
        port,
        Origin::cli(format!("--port {port}"), loc),
    ))
}

fn set_given(env: &mut Env, name: &str, path: &Path) {
    use crate::load::env::EnvOrigin;
    env.set(name, path.display().to_string(), EnvOrigin::Given);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn compose_files_named_in_one_dir_are_one_project() {
        let p = |s: &str| std::path::PathBuf::from(s);
        let projects = super::compose_projects(
            [
                p("/s/a/compose.yml"),
                p("/s/b/compose.yml"),
                p("/s/a/prod.yml"),
            ],
            vec![
                p("/s/a/compose.yml"),
                p("/s/a/docker-compose.yml"),
                p("/s/c/compose.yaml"),
            ],
        );
        assert_eq!(
            projects,
            [
                vec![p("/s/a/compose.yml"), p("/s/a/prod.yml")],
                vec![p("/s/b/compose.yml")],
                vec![p("/s/c/compose.yaml")],
            ]
        );
    }

    /// Compose projects in different directories that give one container name are one
    /// container, kept as the first found defines it, with the others named (CL411): three
    /// directories called `acme`, and two projects with one `container_name:`.
    #[test]
    fn same_container_from_other_directories_is_one_and_named() {
        let home = std::env::temp_dir().join(format!("clawlint-name-clash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let service = |extra: &str, port: u16| {
            format!(
                "{extra}services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n{}    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"]\n    ports:\n      - \"127.0.0.1:{port}:18789\"\n",
                if extra.contains("container") { "    container_name: shared\n" } else { "" }
            )
        };
        for (dir, text) in [
            ("a/acme", service("", 18900)),
            ("b/acme", service("", 18910)),
            ("c/acme", service("", 18920)),
            ("x/one", service("name: one # container\n", 18930)),
            ("y/two", service("name: two # container\n", 18940)),
        ] {
            std::fs::create_dir_all(home.join(dir)).unwrap();
            std::fs::write(home.join(dir).join("compose.yaml"), text).unwrap();
        }
        let found = super::discover(&super::Inputs {
            homes: vec![home.clone()],
            root: None,
            config_files: Vec::new(),
            declared: Vec::new(),
            compose_files: Vec::new(),
        });
        let containers: Vec<&crate::container::Container> = found
            .invocations
            .iter()
            .chain(&found.supervised)
            .filter_map(|i| i.container.as_deref())
            .collect();
        let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let acme = containers.iter().find(|c| c.name == "acme-gw-1").unwrap();
        assert_eq!(acme.file, home.join("a/acme/compose.yaml"));
        let others: Vec<_> = acme
            .name_clashes
            .iter()
            .map(|k| k.other_dir.clone())
            .collect();
        assert_eq!(others, [home.join("b/acme"), home.join("c/acme")]);
        assert!(acme
            .name_clashes
            .iter()
            .all(|k| k.from_dirs && k.dir == home.join("a/acme")));
        let shared = containers.iter().find(|c| c.name == "shared").unwrap();
        assert_eq!(shared.name_clashes.len(), 1);
        let k = &shared.name_clashes[0];
        assert_eq!(
            (k.project.as_str(), k.other_project.as_str()),
            ("one", "two")
        );
        assert!(!k.from_dirs);
        let _ = std::fs::remove_dir_all(&home);
    }

    /// A home whose template unit (a gateway by its `OPENCLAW_PROFILE`) runs a script of
    /// `statements` plain lines, then the gateway on the port it is given, enabled as
    /// `instances` instances (ports 20001 on).
    fn template_home(label: &str, instances: usize, statements: usize) -> std::path::PathBuf {
        let home = std::env::temp_dir().join(format!("clawlint-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let units = home.join(".config/systemd/user");
        std::fs::create_dir_all(units.join("default.target.wants")).unwrap();
        std::fs::create_dir_all(home.join("bin")).unwrap();
        std::fs::write(
            units.join("openclaw@.service"),
            "[Service]\nEnvironment=OPENCLAW_PROFILE=%i\nExecStart=%h/bin/start.sh --port %i\n[Install]\nWantedBy=default.target\n",
        )
        .unwrap();
        for i in 1..=instances {
            let link = units.join(format!(
                "default.target.wants/openclaw@{}.service",
                20000 + i
            ));
            std::os::unix::fs::symlink("../openclaw@.service", link).unwrap();
        }
        let script = format!(
            "#!/bin/sh\n{}exec openclaw gateway --port \"$2\"\n",
            ":\n".repeat(statements)
        );
        std::fs::write(home.join("bin/start.sh"), script).unwrap();
        home
    }

    fn discover_home(home: &Path) -> super::Found {
        super::discover(&super::Inputs {
            homes: vec![home.to_path_buf()],
            root: None,
            config_files: Vec::new(),
            declared: Vec::new(),
            compose_files: Vec::new(),
        })
    }

    /// The instance ports each enabled instance's gateway was found with (`None`: its
    /// script was not read to the gateway).
    fn instance_ports(found: &super::Found) -> Vec<Option<u16>> {
        let mut ports: Vec<(String, Option<u16>)> = (found.supervised.iter())
            .map(|i| (i.name.clone(), i.port_arg.as_ref().map(|p| p.value)))
            .collect();
        ports.sort();
        ports.into_iter().map(|(_, port)| port).collect()
    }

    /// A template's instances each run its script again: the shell model's work over all of
    /// them is one run's budget, not one per instance (a hostile-input audit: 100 instances
    /// of a 4 MB script of `:` lines took minutes). Past it every instance is still kept,
    /// the ones not read with no port (the verdict of any other budget), and one problem
    /// says where reading stopped. Counted: statements modelled.
    #[test]
    fn a_templates_instances_share_one_shell_work_budget() {
        use super::command::{run_work, STATEMENT_COST};
        use crate::ports::allocate::work;
        let limit = 1024 * 1024;
        let home = template_home("shell-work", 40, 2000);
        let before = work::done();
        let found = run_work::during(limit, || discover_home(&home));
        let statements = work::done() - before;
        assert!(
            statements <= (limit / STATEMENT_COST) as u64,
            "{statements} statements modelled for 40 instances"
        );
        let ports = instance_ports(&found);
        assert_eq!(ports.len(), 40, "every instance is kept: {ports:?}");
        let read: Vec<(usize, u16)> = (ports.iter().enumerate())
            .filter_map(|(i, port)| port.map(|p| (i, p)))
            .collect();
        assert!(!read.is_empty() && read.len() < 40, "{ports:?}");
        assert!(
            read.iter().all(|&(i, port)| usize::from(port) == 20001 + i),
            "{ports:?}"
        );
        // Each instance not read says so at the script's start: one finding.
        let stops: std::collections::BTreeSet<&str> = (found.problems.iter())
            .map(|p| p.message.as_str())
            .filter(|m| m.contains("bytes of shell clawlint models in one run"))
            .collect();
        assert_eq!(stops.len(), 1, "{stops:#?}");
        // The run's budget holds a fleet of real scripts: each instance read to its gateway.
        let found = discover_home(&home);
        let expected: Vec<Option<u16>> = (20001..=20040).map(Some).collect();
        assert_eq!(instance_ports(&found), expected);
        let _ = std::fs::remove_dir_all(&home);
    }

    /// The stage boundary: discover returns what it found and never resolves, so nothing in
    /// it may name the resolve stage (DESIGN.md, "Discover returns what it found").
    #[test]
    fn discover_never_uses_resolve() {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/discover"),
            &mut files,
        );
        assert!(files.len() > 5, "{files:?}");
        // Spelled in two pieces so that this file does not match itself.
        let forbidden = [concat!("crate::", "resolve"), concat!("super::", "resolve")];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                assert!(
                    !forbidden.iter().any(|f| line.contains(f)),
                    "{}:{}: discover must not use resolve: {line}",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}
