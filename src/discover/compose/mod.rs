//! Compose projects: the services of `compose.yaml` (plus its override file) that run an
//! OpenClaw gateway, each as an invocation whose container says what reaches the host.
//!
//! Values are read as `docker compose` would read them: interpolated from the project's
//! `.env` (the shell that runs compose is not visible, so a variable missing there is
//! reported), `environment` over `env_file`, the short and long syntaxes of `ports` and
//! `volumes`, and the OpenClaw image's defaults (`HOME=/home/node`, working dir `/app`,
//! `node openclaw.mjs gateway --allow-unconfigured`) when the service does not override them.

mod extends;
mod include;
mod interpolate;
pub mod runs;
pub mod spec;
pub mod variants;

use crate::container::{
    Container, Engine, HostAddr, HostText, Mount, MountSource, Network, ProfileState, Published,
    ServiceProfiles, UnseenCause, UnseenValues, UnverifiedEntry,
};
use crate::invocation::{Discovery, Invocation, Origin, Sourced};
use crate::load::env::{ContainerVar, Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{read_text_lossy, ReadError, SMALL_FILE_LIMIT};
use crate::load::yaml::{self, Node, Value};
use crate::load::{dotenv, unreadable, Problem, ProblemKind};
use crate::source::{FileId, LineIndex, Loc, SourceMap};
use interpolate::{interpolate, Interpolated};
use runs::{ComposeRun, MAX_ENV_FILES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use variants::EnvVariants;

/// The names `docker compose` looks for, in its order of preference.
pub const FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
/// compose-go's `DefaultOverrideFileNames`, in its order (`.yml` before `.yaml`).
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The OpenClaw image's defaults (its Dockerfile: `WORKDIR /app`, `USER node`, and
/// `CMD ["node", "openclaw.mjs", "gateway", "--allow-unconfigured"]`).
pub const IMAGE_HOME: &str = "/home/node";
pub const IMAGE_WORKDIR: &str = "/app";
pub const IMAGE_CMD: [&str; 4] = ["node", "openclaw.mjs", "gateway", "--allow-unconfigured"];

/// How far the scan descends, and how many directory entries it looks at in all.
pub const SCAN_DEPTH: usize = 3;
pub const SCAN_ENTRY_BUDGET: usize = 50_000;

/// The compose file of a directory, if it has one (the first name in Compose's order).
/// Existence is tested where the layout's reads find files (`paths::host`: links followed
/// within a copied `--root`), never on this machine's own paths.
pub fn project_file(dir: &Path) -> Option<PathBuf> {
    crate::paths::host::first_file_in(dir, &FILE_NAMES)
}

/// What `docker compose` loads with no `-f` and no `COMPOSE_FILE` from `dir`: its compose
/// file and its override file (compose-go's `WithDefaultConfigPath`).
pub fn default_files(file: &Path) -> Vec<PathBuf> {
    let mut files = vec![file.to_path_buf()];
    if let Some(dir) = file.parent() {
        files.extend(crate::paths::host::first_file_in(dir, &OVERRIDE_NAMES));
    }
    files
}

/// The compose files one run loads, and how they were chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFiles {
    /// In load order (each merged on top of the ones before).
    pub files: Vec<PathBuf>,
    /// Named by `-f` or `COMPOSE_FILE` (compose reads exactly these, and stops on a missing
    /// one), not found by compose's own search.
    pub named: bool,
    /// How, in words: `-f`, `COMPOSE_FILE in the environment of unit x`, `search from ~/a`.
    pub how: String,
}

/// The files a run loads, as docker compose chooses them (its `toProjectOptions` with
/// compose-go's `cli/options.go`): its `-f` files; else `COMPOSE_FILE`, from the environment
/// it starts with or else from the env files it reads first (its `--env-file`s, else those
/// `COMPOSE_ENV_FILES` in its environment names, which is `--env-file`'s default, else the
/// `.env` of its working dir unless `COMPOSE_DISABLE_ENV_FILE` is true), split on
/// `COMPOSE_PATH_SEPARATOR` (default `:`), relative to its working dir; else the first
/// directory from its project directory (`--project-directory`, else the working dir) up
/// that holds a compose file, with that directory's override file. The search upward stops
/// at the edge of the scanned layout (`inside`): nothing outside it is read. Env files are read
/// once per discovery ([`EnvFiles`]).
pub fn run_files(
    run: &ComposeRun,
    host: &HostContext,
    inside: &dyn Fn(&Path) -> bool,
    env_files: &mut EnvFiles,
    sources: &mut SourceMap,
) -> RunFiles {
    let named: Vec<PathBuf> = run
        .args
        .files
        .iter()
        .zip(&run.files)
        .filter(|(raw, _)| raw.as_str() != "-")
        .map(|(_, placed)| placed.clone())
        .collect();
    if !run.args.files.is_empty() {
        return RunFiles {
            files: named,
            named: true,
            how: "named with -f".to_string(),
        };
    }
    let cwd = run.cwd.clone().or_else(|| run.project_dir.clone());
    let start = run.project_dir.clone().or_else(|| run.cwd.clone());
    // The variables compose has before it picks its files: its environment, then (only for
    // names it does not set) the env files it reads first.
    let shell = |name: &str| run.var(name).map(|(_, v, _)| v.clone());
    let mut first_env = || -> BTreeMap<String, String> {
        let disabled = run.env_file_disabled();
        // docker compose: `--env-file` defaults to COMPOSE_ENV_FILES (comma-separated,
        // relative to the directory it runs in); past the budget, read_project_env says so.
        let base = run.cwd.clone().unwrap_or_default();
        let files: Vec<PathBuf> = if let Some(named) = run.named_env_files(&base) {
            named.files
        } else if disabled {
            Vec::new()
        } else {
            start.iter().map(|d| d.join(".env")).collect()
        };
        let mut out = BTreeMap::new();
        for file in files.iter().filter(|f| inside(f)) {
            if let Ok((_, parsed)) = env_files.read(file, sources) {
                for e in parsed.effective() {
                    out.insert(e.key.clone(), e.value.clone());
                }
            }
        }
        out
    };
    let mut from_files: Option<BTreeMap<String, String>> = None;
    let mut lookup = |name: &str| -> Option<(String, bool)> {
        if let Some(v) = shell(name) {
            return Some((v, true));
        }
        from_files
            .get_or_insert_with(&mut first_env)
            .get(name)
            .map(|v| (v.clone(), false))
    };
    if let Some((list, in_shell)) = lookup("COMPOSE_FILE") {
        let sep = lookup("COMPOSE_PATH_SEPARATOR")
            .map(|(s, _)| s)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| ":".to_string());
        let base = cwd.clone().unwrap_or_default();
        return RunFiles {
            files: list
                .split(sep.as_str())
                .filter(|f| !f.is_empty())
                .map(|f| host.host_path(f, &base))
                .collect(),
            named: true,
            how: match in_shell {
                true => "named in COMPOSE_FILE, in its environment".to_string(),
                false => "named in COMPOSE_FILE, in the env file it reads first".to_string(),
            },
        };
    }
    let mut dir = start;
    while let Some(d) = dir.filter(|d| inside(d)) {
        if let Some(file) = project_file(&d) {
            return RunFiles {
                files: default_files(&file),
                named: false,
                how: "found by compose's search".to_string(),
            };
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    RunFiles {
        files: Vec::new(),
        named: false,
        how: "no compose file found".to_string(),
    }
}

/// What `docker compose` loads when it is run in the directory of `file` with nothing on its
/// command line and nothing in its environment (a project found by the scan or named, that
/// no unit, script or Makefile clawlint found runs): compose-go reads that directory's `.env`
/// before it picks its files, so a `COMPOSE_FILE` there (split on its
/// `COMPOSE_PATH_SEPARATOR`, default `:`, relative to the directory) replaces the search;
/// else the file and its override ([`default_files`]). A file `COMPOSE_FILE` names that does
/// not exist stops compose: said at the `.env` line, and nothing is loaded. The `.env` is read
/// only inside the scanned layout (`inside`), once per discovery ([`EnvFiles`]).
pub fn dir_files(
    file: &Path,
    host: &HostContext,
    inside: &dyn Fn(&Path) -> bool,
    env_files: &mut EnvFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<PathBuf> {
    let Some(dir) = file.parent() else {
        return default_files(file);
    };
    let env_path = dir.join(".env");
    if !inside(&env_path) {
        return default_files(file);
    }
    let Ok((id, parsed)) = env_files.read(&env_path, sources) else {
        // Missing: the search decides. Unreadable: read_project says so when it reads it.
        return default_files(file);
    };
    let entries = compose_env_entries(&sources.file(id).text, &parsed, host);
    let Some(list) = entries.iter().find(|(k, ..)| k == "COMPOSE_FILE") else {
        return default_files(file);
    };
    let sep = entries
        .iter()
        .find(|(k, ..)| k == "COMPOSE_PATH_SEPARATOR")
        .map(|(_, v, _)| v.as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or(":");
    let files: Vec<PathBuf> = list
        .1
        .split(sep)
        .filter(|f| !f.is_empty())
        .map(|f| host.host_path(f, dir))
        .collect();
    if files.is_empty() {
        return default_files(file);
    }
    let missing: Vec<&PathBuf> = files
        .iter()
        .filter(|f| inside(f) && !crate::paths::host::is_file(f))
        .collect();
    if missing.is_empty() {
        return files.into_iter().filter(|f| inside(f)).collect();
    }
    let span = list.2;
    for f in missing {
        problems.push(Problem {
            kind: ProblemKind::Missing,
            message: format!(
                "COMPOSE_FILE in {} names the compose file {}, which does not exist: `docker compose` run in {} refuses to run (\"no such file or directory\"), so nothing of this project starts",
                crate::paths::display_path(&env_path),
                crate::paths::display_path(f),
                crate::paths::display_path(dir),
            ),
            loc: Some(Loc { file: id, span }),
        });
    }
    Vec::new()
}

/// What the bounded scan found, and where it stopped when it met [`SCAN_ENTRY_BUDGET`].
#[derive(Debug, Default)]
pub struct Scanned {
    pub files: Vec<PathBuf>,
    /// The first entry the scan did not look at: past the budget.
    pub stopped_at: Option<PathBuf>,
}

/// Compose files under `dirs`, at most [`SCAN_DEPTH`] levels down, skipping hidden dirs,
/// `node_modules` and the gateways' own state dirs. Never a whole-disk walk: at most
/// [`SCAN_ENTRY_BUDGET`] entries, and it says where it stopped.
pub fn scan(dirs: &[(PathBuf, usize)]) -> Scanned {
    scan_within(dirs, SCAN_ENTRY_BUDGET)
}

fn scan_within(dirs: &[(PathBuf, usize)], entries: usize) -> Scanned {
    use std::ops::ControlFlow;
    let mut found = Vec::new();
    // One root's walk meets each path once (a directory's names are distinct, and links are
    // not followed): only several roots, one inside another, can find a file twice.
    let mut seen: Option<crate::paths::FastSet<PathBuf>> = (dirs.len() > 1).then(Default::default);
    let mut budget = entries;
    for (dir, depth) in dirs {
        // A scanned dir that is a link (`/opt -> /srv/opt` in a copied root) is walked where
        // it leads within the root; what is found is named under `dir`, as the reads expect.
        let Some(placed) = crate::paths::on_host(dir) else {
            continue;
        };
        let mut visit = |path: &Path, is_dir: bool| {
            if budget == 0 {
                return ControlFlow::Break(path.to_path_buf());
            }
            budget -= 1;
            if is_dir {
                if let Some(file) = project_file(path) {
                    if seen.as_mut().is_none_or(|seen| seen.insert(file.clone())) {
                        found.push(file);
                    }
                }
            }
            ControlFlow::Continue(())
        };
        if let ControlFlow::Break(stopped) = walk_scan_root(dir, &placed, *depth, &mut visit) {
            return Scanned {
                files: found,
                stopped_at: Some(stopped),
            };
        }
    }
    Scanned {
        files: found,
        stopped_at: None,
    }
}

/// What the scan visits: each entry's path (named under the scanned dir) and whether it is a
/// directory (links not followed); `Break` stops the scan there.
type Visit<'a> = dyn FnMut(&Path, bool) -> std::ops::ControlFlow<PathBuf> + 'a;

/// The scan of one root, named `named` and placed on the host at `placed`: the root itself (a
/// link to a directory is listed, though it does not count as a directory), then its tree in
/// name order, depth first.
fn walk_scan_root(
    named: &Path,
    placed: &Path,
    max_depth: usize,
    visit: &mut Visit,
) -> std::ops::ControlFlow<PathBuf> {
    let Ok(meta) = std::fs::symlink_metadata(placed) else {
        return std::ops::ControlFlow::Continue(());
    };
    let listed = match meta.file_type().is_symlink() {
        true => match std::fs::metadata(placed) {
            Ok(target) => target.is_dir(),
            Err(_) => return std::ops::ControlFlow::Continue(()),
        },
        false => meta.is_dir(),
    };
    visit(named, meta.is_dir())?;
    if listed {
        walk_scan_dir(named, placed, 1, max_depth, visit)?;
    }
    std::ops::ControlFlow::Continue(())
}

/// The entries of `named` (placed on the host at `placed`, at `depth`, at most `max_depth`:
/// [`SCAN_DEPTH`], or a stack manager's) and below, in name order, each visited by its name under `named`. Hidden
/// directories, `node_modules`, `proc` and `sys` are neither visited nor listed, and a
/// directory at the last depth is not listed. An entry that cannot be read is left out.
fn walk_scan_dir(
    named: &Path,
    placed: &Path,
    depth: usize,
    max_depth: usize,
    visit: &mut Visit,
) -> std::ops::ControlFlow<PathBuf> {
    use crate::load::listing::{Entry, Kind};
    if depth > max_depth {
        return std::ops::ControlFlow::Continue(());
    }
    match scan_entries(placed) {
        Some(ScanEntries::Listed(listing)) => {
            let typed = listing.iter().filter_map(|(name, entry)| match entry {
                Entry::Plain(kind) => Some((name, kind == Kind::Dir)),
                Entry::Symlink => Some((name, false)),
                Entry::Unknown => None,
            });
            walk_entries(named, placed, (depth, max_depth), typed, visit)
        }
        Some(ScanEntries::Read(entries)) => {
            let typed = entries
                .iter()
                .map(|(name, is_dir)| (name.as_os_str(), *is_dir));
            walk_entries(named, placed, (depth, max_depth), typed, visit)
        }
        None => std::ops::ControlFlow::Continue(()),
    }
}

/// [`walk_scan_dir`] of the entries of `named` (placed at `placed`), each a name and whether
/// it is a directory, in name order.
fn walk_entries<'e>(
    named: &Path,
    placed: &Path,
    (depth, max_depth): (usize, usize),
    entries: impl Iterator<Item = (&'e std::ffi::OsStr, bool)>,
    visit: &mut Visit,
) -> std::ops::ControlFlow<PathBuf> {
    for (name, is_dir) in entries {
        if is_dir && skipped_by_scan(name) {
            continue;
        }
        // A listed name is one plain component: joined as bytes (`paths::join`).
        let path = crate::paths::join(named, name);
        visit(&path, is_dir)?;
        if is_dir && depth < max_depth {
            let placed = crate::paths::join(placed, name);
            walk_scan_dir(&path, &placed, depth + 1, max_depth, visit)?;
        }
    }
    std::ops::ControlFlow::Continue(())
}

/// A directory's entries as the scan walks them (see [`scan_entries`]).
enum ScanEntries {
    /// The layout's listing, walked as it is (not copied into a name per entry).
    Listed(crate::load::listing::Listing),
    /// Listed here, in name order, each with whether it is a directory.
    Read(Vec<(std::ffi::OsString, bool)>),
}

/// The entries of `dir` (placed on the host) in name order, each with whether it is a
/// directory (links not followed); an entry whose type cannot be had is left out. From the
/// layout's listing when it has one (a compose project's directory is asked about its
/// compose files before the scan walks it, which lists it: listing it again cost five
/// system calls, and `wrapper_files` five more), else listed here.
fn scan_entries(dir: &Path) -> Option<ScanEntries> {
    if let Some(listing) = crate::load::listing::entries(dir) {
        return Some(ScanEntries::Listed(listing));
    }
    let mut entries: Vec<(std::ffi::OsString, bool)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name(), e.file_type().ok()?.is_dir())))
        .collect();
    entries.sort_unstable();
    Some(ScanEntries::Read(entries))
}

/// Directories the scan never enters: hidden ones (the gateways' own state dirs among them),
/// `node_modules`, and `proc`/`sys` of a copied root.
fn skipped_by_scan(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
        || name == "node_modules"
        || name == "proc"
        || name == "sys"
}

/// The compose runs of scripts, Makefiles and justfiles written to be run by hand
/// ([`runs::wrapper_files`]), each `(file, the directory it runs in)`. A file is registered
/// (its commands shown, the rest masked) only when it runs compose.
pub fn runs_beside(
    files: &[(PathBuf, PathBuf)],
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<ComposeRun> {
    let mut out = Vec::new();
    let is_compose = |argv: &[String]| runs::parse(argv).is_some();
    for (path, dir) in files {
        let (path, dir) = (path.as_path(), dir.as_path());
        // One that cannot be read (too large, a FIFO, outside the layout) may run compose:
        // said where it is, never skipped silently.
        let text = match crate::load::read::read_text(path, 256 * 1024) {
            Ok(text) => text,
            Err(ReadError::Missing) => continue,
            Err(err) => {
                problems.push(unreadable(sources, path, &err));
                continue;
            }
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.to_ascii_lowercase().ends_with(".ps1") {
            out.extend(powershell_runs_beside(path, text, dir, host, sources));
            continue;
        }
        let script = name.ends_with(".sh");
        let pieces: Vec<(String, usize)> = if script {
            vec![(text.clone(), 0)]
        } else if name.eq_ignore_ascii_case("justfile") {
            runs::just_recipes(&text)
        } else {
            runs::make_recipes(&text, dir)
        };
        // A script's shell: `$0` and `${BASH_SOURCE[0]}` are its path (on the layout), run
        // as `./start.sh` in its directory; a recipe's shell has neither.
        let mut vars = BTreeMap::from([
            (
                "HOME".to_string(),
                host.home_or_tilde().display().to_string(),
            ),
            ("PWD".to_string(), dir.display().to_string()),
        ]);
        if script {
            for name in ["0", "BASH_SOURCE"] {
                vars.insert(name.to_string(), path.display().to_string());
            }
        }
        let mut found = Vec::new();
        // Where reading a script or recipe stopped at a budget: its copy budget (with the
        // variables it had set), or the run's shell work (`None`).
        let mut stops: Vec<(usize, Option<usize>)> = Vec::new();
        // Where the shell of a script or recipe line stops at an unclosed substitution.
        let mut unclosed = Vec::new();
        for (piece, base) in pieces {
            let (commands, stopped) =
                crate::discover::command::script_commands_until(&piece, &vars, &is_compose);
            for (cmd, offset) in commands {
                found.push((cmd, if script { offset } else { base }));
            }
            // A recipe's offsets are in its joined line: it is placed at its first line.
            let place = |offset: usize| if script { offset } else { base };
            stops.extend((stopped.copied).map(|stop| (place(stop.offset), Some(stop.variables))));
            stops.extend(stopped.out_of_work.then(|| (place(0), None)));
            unclosed.extend(stopped.unclosed.map(place));
        }
        if found.is_empty() && stops.is_empty() && unclosed.is_empty() {
            continue;
        }
        let shown = crate::redact::scan::shell_script(&text);
        let file = sources.add(path, text.clone(), None);
        sources.show(file, shown);
        let lines = LineIndex::new(&text);
        for (offset, variables) in stops {
            let at = offset.min(text.len());
            let (line, end) = lines.place(&text, at);
            let here = format!("{}:{line}", crate::paths::display_path(path));
            let message = match variables {
                Some(variables) => crate::discover::command::copy_budget_stop(&here, variables),
                None => crate::discover::command::run_work_stop(&here),
            };
            problems.push(Problem {
                kind: crate::load::ProblemKind::Budget,
                message,
                loc: Some(Loc {
                    file,
                    span: Span::new(at, end),
                }),
            });
        }
        let until = match script {
            true => "the end of the file",
            false => "the end of the recipe line",
        };
        for offset in unclosed {
            let at = offset.min(text.len());
            let (line, end) = lines.place(&text, at);
            let here = format!("{}:{line}", crate::paths::display_path(path));
            problems.push(Problem {
                kind: crate::load::ProblemKind::Unparsable,
                message: crate::discover::command::unclosed_substitution(&here, until),
                loc: Some(Loc {
                    file,
                    span: Span::new(at, end),
                }),
            });
        }
        for (cmd, at) in found {
            let argv = runs::without_unresolved(&cmd.argv, &cmd.unresolved);
            let Some(args) = runs::parse(&argv) else {
                continue;
            };
            let at = at.min(text.len());
            let (line, end) = lines.place(&text, at);
            let loc = Loc {
                file,
                span: Span::new(at, end),
            };
            let mut unknown = runs::unknown_words(&cmd);
            // `cd "$(dirname "$0")"` (and `/..` after it): the script's own directory.
            let script_relative = cmd.cwd.as_deref().and_then(|c| {
                let rest = c.strip_prefix("$(dirname")?;
                let close = rest.find(')')?;
                let inner = &rest[..close];
                (inner.contains("$0") || inner.contains("BASH_SOURCE"))
                    .then(|| rest[close + 1..].trim_start_matches('/').to_string())
            });
            let cwd = match cmd.cwd.as_deref() {
                Some(_) if script_relative.is_some() => crate::paths::normalize(
                    &(path.parent().unwrap_or(dir))
                        .join(script_relative.as_deref().unwrap_or_default()),
                ),
                Some(c) if c.contains("$(") || c.contains('`') => {
                    unknown.push(format!("the directory it changes to ({c})"));
                    dir.to_path_buf()
                }
                Some(c) => host.host_path(c, dir),
                None => dir.to_path_buf(),
            };
            if let Some(by) = &cmd.injects_env {
                unknown.push(format!("the variables {by} adds"));
            }
            // Not in `cmd.env`: compose gets a value for each, which clawlint cannot see.
            for name in &cmd.env_unknown {
                unknown.push(format!(
                    "the value {}:{line} gives {name}",
                    crate::paths::display_path(path)
                ));
            }
            let env = cmd
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone(), loc))
                .collect();
            let place = |raw: &str| host.host_path(raw, &cwd);
            out.push(ComposeRun::new(
                format!("{}:{line}", crate::paths::display_path(path)),
                loc,
                Some(cwd.clone()),
                args,
                env,
                unknown,
                &place,
            ));
        }
    }
    out
}

/// The compose runs of a PowerShell script beside a project (`up.ps1` for Docker Desktop),
/// read as a task's script is ([`crate::discover::powershell::read`]: literal strings,
/// variables, `$env:`, `Join-Path`, `$PSScriptRoot`, `Set-Location`), from the project's
/// directory; the scripts it runs are not followed, as those of a shell script beside a
/// project are not. Registered, with what the PowerShell scanner knows is safe shown, only
/// when it runs compose.
fn powershell_runs_beside(
    path: &Path,
    text: String,
    dir: &Path,
    host: &HostContext,
    sources: &mut SourceMap,
) -> Vec<ComposeRun> {
    use crate::discover::powershell::{self, Budget, EnvChange, NoScripts};
    let vars = BTreeMap::from([
        (
            "HOME".to_string(),
            host.home_or_tilde().display().to_string(),
        ),
        (
            "USERPROFILE".to_string(),
            host.home_or_tilde().display().to_string(),
        ),
    ]);
    let reading = powershell::read(
        &text,
        Some(&path.display().to_string()),
        &vars,
        &mut NoScripts,
        Budget::new(1, 0),
    );
    // Statements of this script only (file 0): it follows none.
    let found: Vec<&powershell::Found> = reading.compose.iter().filter(|f| f.at.0 == 0).collect();
    if found.is_empty() {
        return Vec::new();
    }
    let shown = crate::redact::scan::powershell(&text);
    let file = sources.add(path, text.clone(), None);
    sources.show(file, shown);
    let loc_at = |at: usize| -> (Loc, usize) {
        let at = at.min(text.len());
        let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
        let line = text[..at].matches('\n').count() + 1;
        (
            Loc {
                file,
                span: Span::new(at, end),
            },
            line,
        )
    };
    // A path as the script writes it (`$PSScriptRoot\x.yml`, `C:\Users\…`), on the layout.
    let on_layout = |raw: &str, base: &Path| -> PathBuf {
        match raw.starts_with("\\\\") {
            true => host.host_path(raw, base),
            false => host.host_path(&raw.replace('\\', "/"), base),
        }
    };
    let mut out = Vec::new();
    for found in found {
        let Some((args, cwd, mut unknown)) = found.compose_args(|d| on_layout(d, dir), dir) else {
            continue;
        };
        let (loc, line) = loc_at(found.at.1);
        let mut env = Vec::new();
        for (name, change, at) in &found.env {
            env.retain(|(k, _, _): &(String, String, Loc)| !k.eq_ignore_ascii_case(name));
            match change {
                EnvChange::Set(v) => env.push((name.clone(), v.clone(), loc_at(at.1).0)),
                EnvChange::Unknown(_) => unknown.push(format!(
                    "the value {}:{} gives {name}",
                    crate::paths::display_path(path),
                    loc_at(at.1).1
                )),
                EnvChange::Unset => {}
            }
        }
        if let Some(injects) = &found.injects_env {
            unknown.push(format!("the variables {injects} adds"));
        }
        let place = |raw: &str| on_layout(raw, &cwd);
        out.push(ComposeRun::new(
            format!("{}:{line}", crate::paths::display_path(path)),
            loc,
            Some(cwd.clone()),
            args,
            env,
            unknown,
            &place,
        ));
    }
    out
}

/// Where paths in a compose file land: `~` is the home that runs compose, and absolute
/// paths are read under `--root` when one is given (a copied host layout).
#[derive(Debug, Clone)]
pub struct HostContext<'a> {
    /// The home of the account that runs compose; `None` when no home is scanned (compose
    /// files named with `--no-default-home`): `~` and `$HOME` are then values clawlint cannot
    /// see.
    pub home: Option<&'a Path>,
    pub root: Option<&'a Path>,
}

/// What stands for the home in paths when no home is scanned: `~` as written, which no
/// absolute path of the layout starts with.
const UNSCANNED_HOME: &str = "~";

impl HostContext<'_> {
    /// The home `~` means, or `~` itself when no home is scanned.
    pub fn home_or_tilde(&self) -> &Path {
        self.home.unwrap_or(Path::new(UNSCANNED_HOME))
    }

    /// Why `raw` (a path as a compose file writes it) names a place clawlint cannot see: it
    /// is under `~` and no home is scanned. Said of `what` ("its source").
    pub fn unseen_home(&self, raw: &str, what: &str) -> Option<String> {
        let under_home = raw == "~" || raw.starts_with("~/");
        (self.home.is_none() && under_home).then(|| {
            format!("{what} is under `~`, the home of the account that runs docker compose, and no home is scanned (give it with --home)")
        })
    }

    /// A variable of the shell that runs compose, as far as clawlint knows that environment:
    /// `HOME` (a login shell, a user unit and a system unit with `User=` all have it), `~`
    /// when no home is scanned, which makes a path built from it one clawlint cannot see
    /// ([`HostContext::unseen_home`]).
    pub fn shell_var(&self, name: &str) -> Option<String> {
        (name == "HOME").then(|| self.home_or_tilde().display().to_string())
    }

    /// Whether `path` is a path of the scanned layout: under the home, `--root`, or a root
    /// the command line gave (the directory of a compose file named).
    pub fn contains(&self, path: &Path) -> bool {
        self.home.is_some_and(|h| path.starts_with(h))
            || self.root.is_some_and(|r| path.starts_with(r))
            || crate::load::layout::names_inside(path)
    }

    pub fn host_path(&self, raw: &str, base: &Path) -> PathBuf {
        let given = Path::new(raw);
        let home = self.home_or_tilde();
        // Already a path of this layout (a specifier like `%h` expanded to the scanned home).
        if self.home.is_some_and(|h| given.starts_with(h))
            || self
                .root
                .is_some_and(|r| r != Path::new("/") && given.starts_with(r))
        {
            return crate::paths::normalize(given);
        }
        // A Windows source (Docker Desktop): `C:\Users\NAME\rest` is under the scanned home,
        // as a unit's `/home/NAME` is; any other drive or `\\server\share` path is the
        // Windows host's, spelt `/C:/…` or `//server/…` here, outside the layout.
        if spec::is_windows_drive(raw) || raw.starts_with("\\\\") {
            let slashed = raw.replace('\\', "/");
            let mut parts = slashed.splitn(4, '/');
            let (drive, users, name, rest) =
                (parts.next(), parts.next(), parts.next(), parts.next());
            if drive.is_some_and(|d| d.len() == 2)
                && users.is_some_and(|u| u.eq_ignore_ascii_case("users"))
                && name.is_some_and(|n| !n.is_empty())
            {
                return crate::paths::normalize(&home.join(rest.unwrap_or_default()));
            }
            return PathBuf::from(match slashed.starts_with("//") {
                true => slashed,
                false => format!("/{slashed}"),
            });
        }
        let path = if raw == "~" {
            home.to_path_buf()
        } else if let Some(rest) = raw.strip_prefix("~/") {
            home.join(rest)
        } else if raw.starts_with('/') {
            match self.root {
                Some(root) if root != Path::new("/") => root.join(raw.trim_start_matches('/')),
                _ => PathBuf::from(raw),
            }
        } else {
            base.join(raw)
        };
        crate::paths::normalize(&path)
    }
}

/// A compose project as read.
pub struct Project {
    pub dir: PathBuf,
    pub name: String,
    /// The name is the directory's (no `-p`, `COMPOSE_PROJECT_NAME` or `name:`).
    pub name_from_dir: bool,
    pub invocations: Vec<Invocation>,
    /// The files its `include:` entries read: each belongs to this project, not to one of
    /// its own the scan finds.
    pub included: Vec<PathBuf>,
}

/// Reads one load of a compose project (its files, its env files) and returns the gateways
/// it runs. `given` are the files compose loads, merged in order, each on top of the ones
/// before (a file found by compose's own search comes with its override file: see
/// [`default_files`] and [`run_files`]).
///
/// `runs` are the command lines of this load (one `docker compose up` is one load: compose
/// reads the project anew on every run); `run_seen`: some command line (this load's, or one
/// that fails) runs the project, else env files beside it may be named by runs clawlint
/// cannot see ([`variants`]). The first that runs `up` decides what Compose
/// reads: its `--env-file`s (or `COMPOSE_ENV_FILES`) instead of the project's `.env`, its
/// environment over theirs, its `-p`; every one that runs `up` enables profiles. Problems
/// (syntax, a YAML bomb, a missing `env_file`, a variable nothing sets) are located and
/// collected; nothing here panics or stops the scan. `parsed`: the compose and env files this
/// discovery read and parsed ([`ParsedFiles`], [`EnvFiles`]).
#[allow(clippy::too_many_arguments)]
pub fn read_project(
    given: &[PathBuf],
    host: &HostContext,
    runs: &[&ComposeRun],
    run_seen: bool,
    stopped: &[crate::container::StoppedFollow],
    parsed: &mut ParsedFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Project {
    let Some(file) = given.first() else {
        return Project {
            dir: PathBuf::new(),
            name: String::new(),
            name_from_dir: false,
            invocations: Vec::new(),
            included: Vec::new(),
        };
    };
    let ups: Vec<&ComposeRun> = runs.iter().copied().filter(|r| r.args.starts()).collect();
    let context = ups.first().copied();
    // The project directory: `--project-directory`, else the first file's (compose-go's
    // `GetWorkingDir`); relative paths and the `.env` are read there.
    let dir = context
        .and_then(|r| r.project_dir.clone())
        .unwrap_or_else(|| file.parent().unwrap_or(Path::new(".")).to_path_buf());
    let project_env = read_project_env(&dir, context, host, &mut parsed.env, sources, problems);
    let loaded: Vec<(FileId, Rc<Parsed>)> = given
        .iter()
        .filter_map(|path| load(path, parsed, sources, problems))
        .collect();
    // With no command seen, the env files beside the project are runs clawlint cannot see.
    let variants = match context.is_some() || run_seen {
        true => EnvVariants::default(),
        false => EnvVariants::read(
            loaded.first().map(|(id, _)| Loc {
                file: *id,
                span: Span::new(0, 0),
            }),
            &dir,
            &project_env.values,
            &service_file_texts(&loaded),
            host,
            &mut parsed.env,
            sources,
            problems,
        ),
    };
    let mut reader = Reader {
        env: &project_env.values,
        host,
        from: &project_env.described,
        env_files: &project_env.files,
        unverifiable: project_env.unverifiable.as_deref(),
        variants: &variants,
        varied: Default::default(),
        vars: Vec::new(),
        in_entry: false,
        problems: Vec::new(),
        refused: None,
    };
    let mut services: BTreeMap<String, ServiceSpec> = BTreeMap::new();
    let mut top_name: Option<String> = None;
    let mut extends = extends::Extends::new(host, parsed, sources, problems);
    for (id, parsed) in loaded {
        let root = &parsed.root;
        if let Some(name) = root.get("name").and_then(|n| reader.string(id, n)) {
            top_name = Some(name);
        }
        reader.problems.extend(refused_keys(id, root));
        // Each file's `include` and `extends` are applied before the files merge, as
        // compose-go does.
        let mut chain = vec![extends.sources.file(id).path.clone()];
        let imported = include::services(&mut extends, &mut reader, id, root, &dir, &mut chain);
        for (name, spec) in extends.with_imported(&mut reader, id, root, imported) {
            merge_service(&mut services, name, spec);
        }
    }
    let included = std::mem::take(&mut extends.included);
    let given_name = context
        .and_then(|r| r.args.project_name.clone())
        .or_else(|| {
            project_env
                .values
                .get("COMPOSE_PROJECT_NAME")
                .map(|(v, _)| v.clone())
        })
        .or(top_name);
    let name_from_dir = given_name.is_none();
    let name = given_name.unwrap_or_else(|| {
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let name = normalize_project_name(&name);
    let profiles = ProjectProfiles {
        ups: &ups,
        dot_env: &project_env.values,
        stopped,
    };
    let mut invocations = Vec::new();
    for (service, spec) in &services {
        if let Some(inv) = gateway_invocation(
            &name,
            service,
            spec,
            &dir,
            host,
            &mut parsed.env,
            sources,
            &mut reader,
            &services,
            &profiles,
        ) {
            invocations.push(inv);
        }
    }
    if let Some(why) = &reader.refused {
        for container in invocations.iter_mut().filter_map(|i| i.container.as_mut()) {
            container.refused = Some(why.clone());
        }
    }
    // A service several others extend is read once for each: what it gives is said once.
    let mut said = std::collections::HashSet::new();
    reader
        .problems
        .retain(|p| said.insert((p.loc, p.message.clone())));
    problems.append(&mut reader.problems);
    Project {
        dir,
        name,
        name_from_dir,
        invocations,
        included,
    }
}

/// `spec` (of a later file) on top of the service of that name in `services`, if any.
fn merge_service(services: &mut BTreeMap<String, ServiceSpec>, name: String, spec: ServiceSpec) {
    match services.get_mut(&name) {
        Some(existing) => existing.merge(spec),
        None => {
            services.insert(name, spec);
        }
    }
}

/// The message of a `${VAR:?message}` refusal as a finding may print it: shown when the
/// snippet shows it (words, as `redact::is_env_reference` asks), else only its length (a
/// token pasted there, text built from a secret, a message of megabytes).
fn shown_refusal(message: &str) -> String {
    match message.is_empty() {
        true => String::new(),
        false => crate::redact::shown(crate::redact::Kind::Name, message),
    }
}

/// What compose's schema refuses in a file of the project: a top-level key, or a service's
/// ([`spec::refused_key`]), each where it is written.
fn refused_keys(file: FileId, root: &Node) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut refuse = |key: &Node, allowed: &[&str], whose: &str, service_like: bool| {
        let refused = key
            .as_str()
            .and_then(|k| spec::refused_key(k, allowed, whose, service_like));
        if let Some(message) = refused {
            out.push(Problem {
                kind: ProblemKind::InvalidValue,
                message,
                loc: Some(Loc {
                    file,
                    span: key.span,
                }),
            });
        }
    };
    for (key, value) in root.entries() {
        let service_like = value.get("image").or_else(|| value.get("build")).is_some();
        refuse(
            key,
            spec::TOP_LEVEL_KEYS,
            "a compose file's top level",
            service_like,
        );
    }
    for (_, body) in root.get("services").map_or(&[][..], Node::entries) {
        for (key, _) in body.entries() {
            refuse(key, spec::SERVICE_KEYS, "a compose service", false);
        }
    }
    out
}

/// What decides a project's profiles: the runs that start it (`up`), or with none, the
/// project's `.env`; and the scripts clawlint stopped following, any of which may start it.
struct ProjectProfiles<'a> {
    ups: &'a [&'a ComposeRun],
    dot_env: &'a BTreeMap<String, (String, Loc)>,
    stopped: &'a [crate::container::StoppedFollow],
}

impl ProjectProfiles<'_> {
    /// Whether a service with these `profiles:` starts. Compose starts a service when one of
    /// its profiles is enabled (`--profile`, else `COMPOSE_PROFILES`; `*` enables all) or when
    /// the command names the service.
    fn state(&self, service: &str, names: &[String]) -> ProfileState {
        let enables = |enabled: &[String]| {
            enabled
                .iter()
                .any(|p| p == "*" || names.iter().any(|n| n == p))
        };
        if self.ups.is_empty() {
            let from_env = self
                .dot_env
                .get("COMPOSE_PROFILES")
                .map(|(v, _)| {
                    v.split(',')
                        .map(|p| p.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            return match enables(&from_env) {
                true => ProfileState::Enabled("COMPOSE_PROFILES in the project's .env".into()),
                false if !self.stopped.is_empty() => ProfileState::Unverifiable(format!(
                    "no command clawlint read runs `docker compose up` for this project (nor does its .env enable it), but clawlint stopped following scripts that may, at {}",
                    stopped_list(self.stopped)
                )),
                false => ProfileState::Unverifiable(
                    "no unit, script or Makefile that runs `docker compose up` for this project was found (the project's .env does not enable it; a --profile or COMPOSE_PROFILES typed in a shell cannot be seen)".into(),
                ),
            };
        }
        let mut unknown = Vec::new();
        for (i, run) in self.ups.iter().enumerate() {
            if run.args.services.iter().any(|s| s == service) {
                return ProfileState::Enabled(format!("named on the command line of {}", run.by));
            }
            let enabled = if !run.args.profiles.is_empty() {
                run.args.profiles.clone()
            } else {
                run.var("COMPOSE_PROFILES")
                    .map(|(_, v, _)| v.clone())
                    .or_else(|| {
                        (i == 0)
                            .then(|| self.dot_env.get("COMPOSE_PROFILES").map(|(v, _)| v.clone()))
                            .flatten()
                    })
                    .map(|v| v.split(',').map(|p| p.trim().to_string()).collect())
                    .unwrap_or_default()
            };
            if enables(&enabled) {
                let how = match run.args.profiles.is_empty() {
                    true => "COMPOSE_PROFILES".to_string(),
                    false => format!("--profile {}", run.args.profiles.join(" --profile ")),
                };
                return ProfileState::Enabled(format!("{how} in {}", run.by));
            }
            if !run.unknown.is_empty() {
                unknown.push(format!("{} ({})", run.by, run.unknown.join(", ")));
            }
        }
        let seen: Vec<&str> = self.ups.iter().map(|r| r.by.as_str()).collect();
        match unknown.is_empty() {
            true => ProfileState::NotEnabled(format!(
                "no command that starts this project enables it ({})",
                seen.join(", ")
            )),
            false => ProfileState::Unverifiable(format!(
                "what starts this project has values clawlint cannot see: {}",
                unknown.join("; ")
            )),
        }
    }
}

/// `a.sh:7`, `a.sh:7 and a.sh:10`, `a.sh:1, a.sh:2, a.sh:3 and 4 more`: where clawlint stopped
/// following scripts, the first [`STOPPED_SHOWN`] of them.
fn stopped_list(stopped: &[crate::container::StoppedFollow]) -> String {
    let mut shown: Vec<String> = stopped
        .iter()
        .take(STOPPED_SHOWN)
        .map(|s| s.at.clone())
        .collect();
    if stopped.len() > STOPPED_SHOWN {
        shown.push(format!("{} more", stopped.len() - STOPPED_SHOWN));
    }
    let last = shown.pop().unwrap_or_default();
    match shown.is_empty() {
        true => last,
        false => format!("{} and {last}", shown.join(", ")),
    }
}

const STOPPED_SHOWN: usize = 3;

/// Compose lowercases the project name and keeps `a-z0-9_-`.
fn normalize_project_name(raw: &str) -> String {
    raw.to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// What the services' `env_file:` and `volumes:` entries say, as written (variables and all):
/// a file they name is the containers' (their environment, a mounted secrets file), not an
/// env file a command names for interpolation.
fn service_file_texts(loaded: &[(FileId, Rc<Parsed>)]) -> Vec<&str> {
    let mut out = Vec::new();
    for (_, parsed) in loaded {
        let Some(services) = parsed.root.get("services") else {
            continue;
        };
        for (_, body) in services.entries() {
            for key in ["env_file", "volumes"] {
                let Some(node) = body.get(key) else { continue };
                let items: Vec<&Node> = match &node.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![node],
                };
                out.extend(items.into_iter().filter_map(|item| {
                    (item.as_str()).or_else(|| item.get("path").or(item.get("source"))?.as_str())
                }));
            }
        }
    }
    out
}

fn load(
    path: &Path,
    parsed: &mut ParsedFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<(FileId, Rc<Parsed>)> {
    read_parsed(path, parsed, sources, problems).unwrap_or_else(|err| {
        problems.push(unreadable(sources, path, &err));
        None
    })
}

/// A compose file read and parsed: `Err` when it cannot be read (the caller says so where it
/// is named), `Ok(None)` when it does not parse (said at the file).
fn read_parsed(
    path: &Path,
    parsed: &mut ParsedFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Result<Option<(FileId, Rc<Parsed>)>, ReadError> {
    let (file, bad) = parsed.read_file(path, sources)?;
    if let Some(offset) = bad {
        problems.push(crate::load::not_utf8(sources, path, offset));
    }
    match parsed.read(sources, file) {
        Ok(read) => {
            // Copied from the kept parse (shared by files of the same text), not cloned first.
            sources.show(file, read.shown.iter().copied());
            Ok(Some((file, read)))
        }
        Err(err) => {
            // Nothing parsed: the file stays masked whole.
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: format!("invalid compose file: {}", err.message),
                loc: Some(Loc {
                    file,
                    span: err.span,
                }),
            });
            Ok(None)
        }
    }
}

/// A compose file's tree, and what of its text the redaction shows.
pub struct Parsed {
    root: Node,
    shown: Vec<Span>,
}

/// The compose files parsed in one discovery, the last few kept by their text: stacks made
/// from one template (OpenClaw's docker-compose.yml copied into each, the settings in each
/// stack's `.env`) hold the same text, parsed and scanned for redaction once. A few only: a
/// host of distinct files keeps no more trees alive than that, and a file is compared with
/// no more texts. Each is kept by its file in the discovery's [`SourceMap`], which holds the
/// text: no copy of it here.
#[derive(Default)]
pub struct ParsedFiles {
    kept: Vec<(FileId, Rc<Parsed>)>,
    /// The files services `extends` from and `include:` entries name, by path, each read once
    /// per discovery.
    extended: std::collections::HashMap<PathBuf, extends::ExtendedFile>,
    /// Where the next one is kept once all places are taken (the oldest).
    next: usize,
    /// The files read (a stack manager's run reads its project's file before the parse), each
    /// with the offset of its first byte that is not UTF-8: read once per discovery.
    read: crate::paths::FastMap<FileId, Option<usize>>,
    /// The env files read this discovery (compose's, its runs' and its services').
    pub env: EnvFiles,
}

/// Each env file compose reads (a project's `.env`, `--env-file`, a service's `env_file:`),
/// read and parsed once per discovery however many readers take it: picking a run's files,
/// interpolating, a service's environment. Its text is kept once, in the discovery's
/// [`SourceMap`]; a read that failed is kept too, for each reader to say it as before.
#[derive(Default)]
pub struct EnvFiles {
    read: crate::paths::FastMap<PathBuf, Result<(FileId, Rc<dotenv::DotEnv>), ReadError>>,
}

impl EnvFiles {
    /// The env file at `path` in `sources` (its secrets shown only when asked) and parsed,
    /// through the bounded reader on its first read only.
    pub fn read(
        &mut self,
        path: &Path,
        sources: &mut SourceMap,
    ) -> Result<(FileId, Rc<dotenv::DotEnv>), ReadError> {
        if let Some(read) = self.read.get(path) {
            return read.clone();
        }
        let read = read_text_lossy(path, SMALL_FILE_LIMIT).map(|(text, _)| {
            let file = sources.add(path, text, None);
            // Scanned for what may be shown only if it is ever shown (few are).
            sources.show_when_asked(file, crate::redact::scan::env_lines);
            (file, Rc::new(dotenv::parse(&sources.file(file).text)))
        });
        self.read.insert(path.to_path_buf(), read.clone());
        read
    }
}

/// How many parsed files [`ParsedFiles`] keeps.
const KEPT_PARSES: usize = 8;

impl ParsedFiles {
    /// The compose file at `path`, read (its bytes that are not UTF-8 replaced) into
    /// `sources` once per discovery, and the offset of its first byte that is not UTF-8. One
    /// that cannot be read is not kept: the next reader tries it again and says why.
    pub fn read_file(
        &mut self,
        path: &Path,
        sources: &mut SourceMap,
    ) -> Result<(FileId, Option<usize>), ReadError> {
        if let Some(file) = sources.lookup(path) {
            if let Some(&bad) = self.read.get(&file) {
                return Ok((file, bad));
            }
        }
        let (text, bad) = read_text_lossy(path, SMALL_FILE_LIMIT)?;
        let file = sources.add(path, text, None);
        self.read.insert(file, bad);
        Ok((file, bad))
    }

    /// The text of `file` (in `sources`, the map every file of this discovery is added to)
    /// parsed, or as parsed before, and its shown spans. A text that does not parse is not
    /// kept: it is parsed again, to the same error.
    fn read(&mut self, sources: &SourceMap, file: FileId) -> Result<Rc<Parsed>, yaml::YamlError> {
        let text = &sources.file(file).text;
        let same = |(kept, _): &&(FileId, Rc<Parsed>)| sources.file(*kept).text == *text;
        if let Some((_, parsed)) = self.kept.iter().find(same) {
            return Ok(Rc::clone(parsed));
        }
        let root = yaml::parse(text)?;
        let shown = crate::redact::scan::compose_yaml(text, &root);
        let parsed = Rc::new(Parsed { root, shown });
        let entry = (file, Rc::clone(&parsed));
        if self.kept.len() < KEPT_PARSES {
            self.kept.push(entry);
        } else {
            self.kept[self.next] = entry;
            self.next = (self.next + 1) % KEPT_PARSES;
        }
        Ok(parsed)
    }
}

/// Why compose's `--env-file` `file` (`inside`: named under the scanned homes, `--root` or an
/// `--allow-outside` path) is not read, with the finding's kind: outside the layout (as named,
/// or through a symlink), missing, unreadable, or no regular file (a FIFO, a device). Every
/// such file is said at the line that runs compose with it, the place to fix it: one named
/// outside the layout has no place in it, and what compose would read from it is not seen.
/// `None` for a file the reader is to read (whose content it judges, at the file).
fn env_file_not_read(file: &Path, inside: bool) -> Option<(ProblemKind, String)> {
    let to_allow = |p: &Path| {
        format!(
            "is outside the scanned homes and --root: clawlint does not read it (allow it with --allow-outside {}), so what compose interpolates from it is not seen",
            p.display()
        )
    };
    if !inside {
        return Some((ProblemKind::OutsideLayout, to_allow(file)));
    }
    let err = match crate::paths::host::exists_within(file) {
        // Where it leads is not looked at further (not even whether a file is there).
        None => match crate::paths::host::outside_real(file) {
            Some(real) => ReadError::OutsideLayout { real },
            None => return Some((ProblemKind::OutsideLayout, to_allow(file))),
        },
        // compose-go: "couldn't find env file"; `docker compose` stops before starting.
        Some(false) => {
            return Some((
                ProblemKind::Missing,
                "does not exist: docker compose refuses to run (\"couldn't find env file\")"
                    .to_string(),
            ))
        }
        Some(true) => match crate::load::read::probe(file).meta {
            Err(err) => err,
            Ok(meta) => ReadError::NotRegular {
                kind: crate::load::read::special_kind(meta.file_type())?,
            },
        },
    };
    let kind = match err {
        ReadError::OutsideLayout { .. } => ProblemKind::OutsideLayout,
        ReadError::NotRegular { .. } => ProblemKind::NotRegularFile,
        _ => ProblemKind::Unreadable,
    };
    let why = format!(
        "{}; what compose interpolates from it is not seen",
        err.describe()
    );
    Some((kind, why))
}

/// The values Compose interpolates with, where they come from in words, and why some may be
/// unknown.
struct ProjectEnv {
    values: BTreeMap<String, (String, Loc)>,
    /// `the project's .env`, `prod.env and the environment of unit x.service`.
    described: String,
    /// The env files alone, each as `described` names it (none when compose reads none).
    files: Vec<String>,
    /// Values may come from where clawlint cannot look (a missing `--env-file`, variables a
    /// wrapper injects, no command that runs compose found).
    unverifiable: Option<String>,
}

/// What Compose interpolates with: the env files (`--env-file`s of the run that starts the
/// project, else `COMPOSE_ENV_FILES` in its environment, else the project's `.env`; later
/// files override earlier ones), and over them the environment the run starts compose with
/// (compose-go: the shell's variables win over every env file).
fn read_project_env(
    dir: &Path,
    run: Option<&ComposeRun>,
    host: &HostContext,
    env_files: &mut EnvFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> ProjectEnv {
    let mut values = BTreeMap::new();
    let Some(run) = run else {
        let path = dir.join(".env");
        for (key, value, loc) in read_env_file(&path, false, host, env_files, sources, problems) {
            values.insert(key, (value, loc));
        }
        return ProjectEnv {
            values,
            described: "the project's .env".to_string(),
            files: vec!["the project's .env".to_string()],
            unverifiable: None,
        };
    };
    let in_layout = |f: &Path| host.contains(f);
    let base = run.cwd.clone().unwrap_or_else(|| dir.to_path_buf());
    let mut unverifiable = None;
    let (files, explicit): (Vec<PathBuf>, bool) = if let Some(named) = run.named_env_files(&base) {
        if let Some((count, at)) = named.over {
            problems.push(Problem {
                kind: ProblemKind::TooMany,
                message: format!(
                    "{} runs docker compose with {count} env files (--env-file or COMPOSE_ENV_FILES): clawlint reads the first {MAX_ENV_FILES} and not the other {}, so what those set is not seen",
                    run.by,
                    count - MAX_ENV_FILES,
                ),
                loc: Some(at),
            });
            unverifiable = Some(format!(
                "{} names {count} env files, and clawlint reads only the first {MAX_ENV_FILES}",
                run.by
            ));
        }
        (named.files, true)
    } else if run.env_file_disabled() {
        // COMPOSE_DISABLE_ENV_FILE: compose reads no `.env` at all.
        (Vec::new(), false)
    } else {
        // compose reads the `.env` of its working dir before it knows its files, then the
        // project directory's; a name the first sets keeps its value. That first working dir
        // is compose-go's `GetWorkingDir` before the files are chosen: `--project-directory`,
        // else the first `-f` file's directory, else the directory it runs in, which is read
        // only with neither (docker compose `toProjectOptions` reads the `.env` twice).
        let mut files = vec![dir.join(".env")];
        let named = run.args.files.iter().any(|f| f != "-");
        if !named && run.project_dir.is_none() {
            files.extend(
                run.cwd
                    .as_ref()
                    .filter(|c| c.as_path() != dir)
                    .map(|c| c.join(".env"))
                    .filter(|f| in_layout(f)),
            );
        }
        (files, false)
    };
    let mut shown = Vec::new();
    for file in &files {
        // Read first (once per discovery): only one that cannot be read is looked at for why.
        let read_well = in_layout(file) && env_files.read(file, sources).is_ok();
        if explicit && !read_well {
            if let Some((kind, why)) = env_file_not_read(file, in_layout(file)) {
                problems.push(Problem {
                    kind,
                    message: format!(
                        "{} runs docker compose with --env-file {}, which {why}",
                        run.by,
                        crate::paths::display_path(file)
                    ),
                    loc: Some(run.loc),
                });
                let why = match kind {
                    ProblemKind::OutsideLayout => "outside the scanned layout",
                    ProblemKind::Missing => "which does not exist",
                    _ => "which clawlint does not read",
                };
                unverifiable.get_or_insert_with(|| {
                    format!(
                        "{} runs it with --env-file {}, {why}",
                        run.by,
                        crate::paths::display_path(file)
                    )
                });
                continue;
            }
        }
        shown.push(match explicit {
            true => crate::paths::display_path(file),
            false if file.parent() == Some(dir) => "the project's .env".to_string(),
            false => format!(
                "{} (the directory it runs in)",
                crate::paths::display_path(file)
            ),
        });
        for (key, value, loc) in read_env_file(file, false, host, env_files, sources, problems) {
            values.insert(key, (value, loc));
        }
    }
    for (key, value, loc) in &run.env {
        values.insert(key.clone(), (value.clone(), *loc));
    }
    if !run.unknown.is_empty() {
        unverifiable.get_or_insert_with(|| {
            format!(
                "{} has values clawlint cannot see ({})",
                run.by,
                run.unknown.join(", ")
            )
        });
    }
    let files = shown.clone();
    shown.push(format!("the environment {} starts it with", run.by));
    ProjectEnv {
        values,
        described: shown.join(" and "),
        files,
        unverifiable,
    }
}

/// A dotenv-format file's assignments (last one wins), registered with its secrets masked.
pub(super) fn read_env_file(
    path: &Path,
    required: bool,
    host: &HostContext,
    env_files: &mut EnvFiles,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String, Loc)> {
    match env_files.read(path, sources) {
        Ok((file, parsed)) => env_file_values(file, &parsed, host, sources),
        Err(ReadError::Missing) if !required => Vec::new(),
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            Vec::new()
        }
    }
}

/// A read dotenv-format file's assignments (last one wins).
fn env_file_values(
    file: FileId,
    parsed: &dotenv::DotEnv,
    host: &HostContext,
    sources: &SourceMap,
) -> Vec<(String, String, Loc)> {
    let entries = compose_env_entries(&sources.file(file).text, parsed, host);
    entries
        .into_iter()
        .map(|(key, value, span)| (key, value, Loc { file, span }))
        .collect()
}

/// A dotenv file's assignments as compose reads them (last one wins): a value in single
/// quotes is literal; any other is interpolated (`${VAR}`, `${VAR:-default}`, ...) with the
/// assignments before it in the file, then the shell's environment as far as clawlint knows it
/// ([`HostContext::shell_var`]), as compose-go's dotenv parser does. A variable none of them
/// sets is empty.
fn compose_env_entries(
    text: &str,
    parsed: &dotenv::DotEnv,
    host: &HostContext,
) -> Vec<(String, String, Span)> {
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in parsed.effective() {
        let raw = &text[dotenv::value_span(text, entry).start()..entry.span.end()];
        let literal = raw.trim_start().starts_with('\'');
        let value = match literal || !entry.value.contains('$') {
            true => entry.value.clone(),
            false => {
                let lookup = |name: &str| known.get(name).cloned().or_else(|| host.shell_var(name));
                interpolate(&entry.value, &lookup).value
            }
        };
        known.insert(entry.key.clone(), value.clone());
        out.push((entry.key.clone(), value, entry.span));
    }
    out
}

/// A command's words, where it is written, which words are made of values clawlint cannot
/// see, and where each word's value is set.
type Words = (Vec<String>, Loc, Vec<bool>, Vec<Loc>);

/// One service as written in one file (several files merge).
#[derive(Debug, Clone, Default)]
struct ServiceSpec {
    key: Option<Loc>,
    image: Option<String>,
    image_loc: Option<Loc>,
    container_name: Option<String>,
    /// `build:`: the context and the Dockerfile, as written, and where.
    build: Option<(String, String, Loc)>,
    /// Its words, where, which words are made of values clawlint cannot see, and where each
    /// word's value is set ([`Reader::words`]).
    command: Option<Words>,
    entrypoint: Option<Words>,
    network_mode: Option<(String, Loc)>,
    working_dir: Option<String>,
    /// `user:` (`USER[:GROUP]`), as interpolated.
    user: Option<String>,
    ports: Vec<Published>,
    /// Entries with a port Docker chooses at start: nothing fixed to compare.
    /// Each with the variables its text reads.
    volumes: Vec<(spec::VolumeSpec, Loc, Vec<String>)>,
    /// Name, value (`None`: the shell's, passed through), where, and the variables read.
    environment: Vec<(String, Option<String>, Loc, Vec<String>)>,
    env_files: Vec<(String, bool, Loc)>,
    /// `ports:` and `volumes:` entries made of values clawlint cannot see, which give no port
    /// or mount: the key, where, the variables read and (a volume's) path in the container.
    unseen: Vec<(&'static str, Loc, Vec<String>, Option<String>)>,
    /// `profiles:` and where.
    profiles: Option<(Vec<String>, Loc)>,
    /// The env files an included project's service is interpolated with, in words (the
    /// including project's and its own): `None` for the project's own services.
    interpolated_with: Option<Vec<String>>,
}

impl ServiceSpec {
    /// A service of another file, as compose reads it under the service that extends it: its
    /// relative host paths (bind mounts, env files, build context) are its own file's
    /// directory's (`paths.ResolveRelativePaths` with that directory).
    fn rebase(&mut self, dir: &Path) {
        let relative = |raw: &str| !raw.starts_with(['/', '~']) && !raw.contains("://");
        let rebased = |raw: &mut String| {
            if relative(raw) {
                *raw = dir.join(&*raw).display().to_string();
            }
        };
        for (volume, ..) in &mut self.volumes {
            if volume.kind == spec::VolumeKind::Bind {
                rebased(&mut volume.source);
            }
        }
        for (path, ..) in &mut self.env_files {
            rebased(path);
        }
        if let Some((context, ..)) = &mut self.build {
            rebased(context);
        }
    }

    /// An override file's service on top of the base's, as Compose merges them: scalars
    /// and commands replace, `ports` and `env_file` append, `environment` merges by name,
    /// `volumes` merge by container path.
    fn merge(&mut self, over: ServiceSpec) {
        self.key = self.key.or(over.key);
        if over.image.is_some() {
            self.image = over.image;
            self.image_loc = over.image_loc;
        }
        if over.container_name.is_some() {
            self.container_name = over.container_name;
        }
        if over.command.is_some() {
            self.command = over.command;
        }
        if over.build.is_some() {
            self.build = over.build;
        }
        if over.entrypoint.is_some() {
            self.entrypoint = over.entrypoint;
        }
        if over.network_mode.is_some() {
            self.network_mode = over.network_mode;
        }
        if over.working_dir.is_some() {
            self.working_dir = over.working_dir;
        }
        if over.user.is_some() {
            self.user = over.user;
        }
        for p in over.ports {
            if !self.ports.iter().any(|q| same_publish(q, &p)) {
                self.ports.push(p);
            }
        }
        for v in over.volumes {
            self.volumes.retain(|(old, ..)| old.target != v.0.target);
            self.volumes.push(v);
        }
        for e in over.environment {
            self.environment.retain(|(k, ..)| *k != e.0);
            self.environment.push(e);
        }
        self.env_files.extend(over.env_files);
        self.unseen.extend(over.unseen);
        if over.profiles.is_some() {
            self.profiles = over.profiles;
        }
        if over.interpolated_with.is_some() {
            self.interpolated_with = over.interpolated_with;
        }
    }
}

/// Where a `ports:` item writes its host port (see [`HostText`]).
fn host_text(text: &str, item: &Node) -> HostText {
    let (scalar, host): (&Node, fn(Span) -> HostText) = match &item.value {
        Value::Map(_) => match item.get("published") {
            Some(p) => (p, HostText::Published),
            None => return HostText::NoPublished,
        },
        _ => (item, HostText::Short),
    };
    scalar.written(text).map_or(HostText::NotAsWritten, host)
}

fn same_publish(a: &Published, b: &Published) -> bool {
    a.host_addr == b.host_addr
        && a.host_port == b.host_port
        && a.container_port == b.container_port
        && a.protocol == b.protocol
}

struct Reader<'a> {
    env: &'a BTreeMap<String, (String, Loc)>,
    /// The shell that runs compose, for what the env files do not set
    /// ([`HostContext::shell_var`]).
    host: &'a HostContext<'a>,
    /// Where the values come from, in words.
    from: &'a str,
    /// The env files among them ([`ProjectEnv::files`]).
    env_files: &'a [String],
    /// Why a variable may have a value clawlint cannot see.
    unverifiable: Option<&'a str>,
    /// Env files beside the project that a run clawlint cannot see may name instead of the
    /// `.env`: a variable they set differently is unverifiable, not missing.
    variants: &'a EnvVariants,
    /// The variables read since [`Reader::port`] or [`Reader::reading`] began an entry, with
    /// where each was set.
    vars: Vec<(String, Option<Loc>)>,
    /// The variables whose value changes some text read so far when a run names one of the
    /// env files beside the project instead of the `.env` (a file that sets one to the
    /// default the text gives changes nothing).
    varied: std::collections::BTreeSet<String>,
    /// An entry (`ports`, `volumes`, `environment`) is being read: one that reads a value
    /// clawlint cannot see is left out (CL409), and that variable is not said missing.
    in_entry: bool,
    problems: Vec<Problem>,
    /// Why compose refuses the whole project (the first reason met): it interpolates and
    /// loads every file before it creates any container.
    refused: Option<String>,
}

impl Reader<'_> {
    fn interpolate(&mut self, file: FileId, node: &Node, text: &str) -> Interpolated {
        // Text with no `$` (nearly every value) is its own value: no variable read, nothing
        // missing or invalid, so nothing to record.
        if !text.as_bytes().contains(&b'$') {
            return Interpolated {
                value: text.to_string(),
                ..Interpolated::default()
            };
        }
        let (env, host) = (self.env, self.host);
        let lookup =
            |name: &str| (env.get(name).map(|(v, _)| v.clone())).or_else(|| host.shell_var(name));
        let got = interpolate(text, &lookup);
        self.note_variation(text, &got);
        for name in &got.used {
            if !self.vars.iter().any(|(n, _)| n == name) {
                self.vars
                    .push((name.clone(), env.get(name).map(|(_, at)| *at)));
            }
        }
        let loc = Some(Loc {
            file,
            span: node.span,
        });
        let mut seen: Vec<&str> = Vec::new();
        for var in &got.missing {
            if seen.contains(&var.as_str()) || self.unseen_here(var) {
                continue;
            }
            seen.push(var);
            let shown_var = crate::redact::shown_key(var);
            let var = &shown_var;
            let message = match (self.from, self.unverifiable) {
                ("the project's .env", None) => format!(
                    "${{{var}}} is not set in the project's .env: docker compose uses an empty string unless the shell that runs it sets {var}"
                ),
                (from, None) => format!(
                    "${{{var}}} is not set in {from}: docker compose uses an empty string"
                ),
                (from, Some(why)) => format!(
                    "${{{var}}} is not set in {from}, and whether it is set elsewhere is unverifiable: {why}"
                ),
            };
            self.problems.push(Problem {
                kind: ProblemKind::MissingEnvVar,
                message,
                loc,
            });
        }
        let required: Vec<&(String, String)> = (got.required.iter())
            .filter(|(v, _)| !self.unseen_here(v))
            .collect();
        for (var, why) in required {
            // The snippet's rule: a name shown as a key, the message when it reads as words.
            let var = crate::redact::shown_key(var);
            let why = shown_refusal(why);
            let mut message = format!(
                "${{{var}:?...}} has no value in {}: docker compose refuses to start ({why})",
                self.from
            );
            let kind = match self.unverifiable {
                Some(unknown) => {
                    message.push_str(&format!(
                        " (unless it is set where clawlint cannot see: {unknown})"
                    ));
                    ProblemKind::MissingEnvVar
                }
                None => {
                    message.push_str(": no service of the project is created");
                    self.refused.get_or_insert_with(|| {
                        format!("docker compose refuses the project: ${{{var}:?...}} has no value")
                    });
                    ProblemKind::Refused
                }
            };
            self.problems.push(Problem { kind, message, loc });
        }
        if let Some(why) = &got.invalid {
            self.problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("docker compose rejects this value: {why}"),
                loc,
            });
        }
        got
    }

    /// Records the variables of `text` whose value changes it when a run names one of the env
    /// files beside the project: `text` interpolated with each file's variables (all a run
    /// naming it has) against `got`, as the `.env` gives it.
    fn note_variation(&mut self, text: &str, got: &Interpolated) {
        let (variants, host) = (self.variants, self.host);
        let mut varying = got.used.iter().filter(|v| variants.varies(v));
        if varying.clone().all(|v| self.varied.contains(v)) {
            return;
        }
        let changed = variants.environments().iter().any(|values| {
            let lookup = |name: &str| values.get(name).cloned().or_else(|| host.shell_var(name));
            interpolate(text, &lookup).value != got.value
        });
        if changed {
            self.varied.extend(varying.by_ref().cloned());
        }
    }

    /// `var` has a value clawlint cannot see where it is read now: env files beside the
    /// project set it differently, or (in an entry, which is then left out) nothing read sets
    /// it and the command that runs the project has values clawlint cannot see.
    fn unseen_here(&self, var: &str) -> bool {
        self.variants.varies(var)
            || (self.in_entry && self.unverifiable.is_some() && !self.sets(var))
    }

    /// Whether what compose interpolates with gives `var` a value: the env files and the
    /// command's environment, or the shell ([`HostContext::shell_var`]).
    fn sets(&self, var: &str) -> bool {
        self.env.contains_key(var) || self.host.shell_var(var).is_some()
    }

    /// An `environment` entry's origin: the entry, and where the one variable it interpolates
    /// is set, when a file shows that.
    fn entry_origin(&self, at: Loc, vars: &[String]) -> EnvOrigin {
        let [var] = vars else {
            return EnvOrigin::Container(at);
        };
        match self.env.get(var) {
            Some((_, set_at)) => EnvOrigin::ContainerVar(Box::new(ContainerVar {
                at,
                var: var.clone(),
                set_at: *set_at,
            })),
            None => EnvOrigin::Container(at),
        }
    }

    /// Why an entry that reads `vars` has a value clawlint cannot see, if it does: a variable
    /// env files beside the project set differently ([`EnvVariants`]), or one nothing read
    /// sets while the command that runs the project has values clawlint cannot see.
    fn unseen_why(&self, vars: &[String]) -> Option<String> {
        let varied: Vec<String> = (vars.iter())
            .filter(|v| self.varied.contains(v.as_str()))
            .cloned()
            .collect();
        if let Some(why) = self.variants.why(&varied) {
            return Some(why);
        }
        self.unverifiable?;
        let unset: Vec<String> = vars
            .iter()
            .filter(|v| !self.sets(v))
            .map(|v| format!("${{{v}}}"))
            .collect();
        if unset.is_empty() {
            return None;
        }
        // Why clawlint cannot see it is the command's, said once (CL409's note).
        Some(format!(
            "reads {}, which nothing clawlint read sets",
            unset.join(", ")
        ))
    }

    /// An entry just read that gave nothing (a port or volume made of a value clawlint cannot
    /// see, not an empty string compose rejects): kept to be said left out. `vars` are what it
    /// read.
    fn unseen_entry(
        &self,
        spec: &mut ServiceSpec,
        (key, file, item): (&'static str, FileId, &Node),
        vars: Vec<String>,
        target: Option<String>,
    ) {
        if self.unseen_why(&vars).is_some() {
            let loc = Loc {
                file,
                span: item.span,
            };
            spec.unseen.push((key, loc, vars, target));
        }
    }

    /// [`Reader::reading`] for a command's word, which is no entry: a variable it reads that
    /// nothing sets is still said (CL502). With where each variable was set.
    fn reading_word<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> T,
    ) -> (T, Vec<(String, Option<Loc>)>) {
        self.vars.clear();
        let got = read(self);
        (got, std::mem::take(&mut self.vars))
    }

    /// What `read` gives, and the names of the variables it read.
    fn reading<T>(&mut self, read: impl FnOnce(&mut Self) -> T) -> (T, Vec<String>) {
        self.vars.clear();
        self.in_entry = true;
        let got = read(self);
        self.in_entry = false;
        let vars = std::mem::take(&mut self.vars);
        (got, vars.into_iter().map(|(name, _)| name).collect())
    }

    /// A scalar, interpolated.
    fn string(&mut self, file: FileId, node: &Node) -> Option<String> {
        let text = node.as_str()?;
        Some(self.interpolate(file, node, text).value)
    }

    fn invalid(&mut self, file: FileId, node: &Node, message: String) {
        self.problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            message,
            loc: Some(Loc {
                file,
                span: node.span,
            }),
        });
    }

    /// `command`/`entrypoint`: a list, or a string split the way a shell would.
    /// A command's words, where, and for each whether it is made of a value clawlint cannot
    /// see ([`Reader::unseen_why`]) and where its value is set: the line of a variable it
    /// reads that a file sets (`OPENCLAW_GATEWAY_BIND=loopback` in the `.env`), else the
    /// list item, else the whole string.
    fn words(&mut self, file: FileId, node: &Node) -> Option<Words> {
        let loc = Loc {
            file,
            span: node.span,
        };
        let set_at = |vars: &[(String, Option<Loc>)], written: Loc| {
            vars.iter().find_map(|(_, at)| *at).unwrap_or(written)
        };
        match &node.value {
            Value::Seq(items) => {
                // Room for every item (a filtered list is collected growing from empty).
                let mut words = Vec::with_capacity(items.len());
                let mut unseen = Vec::with_capacity(items.len());
                let mut places = Vec::with_capacity(items.len());
                for item in items {
                    let (word, vars) = self.reading_word(|r| r.string(file, item));
                    if let Some(word) = word {
                        words.push(word);
                        unseen.push(self.unseen_why(&names(&vars)).is_some());
                        places.push(set_at(
                            &vars,
                            Loc {
                                file,
                                span: item.span,
                            },
                        ));
                    }
                }
                Some((words, loc, unseen, places))
            }
            Value::Scalar { .. } => {
                let (text, vars) = self.reading_word(|r| r.string(file, node));
                let text = text?;
                let words = match crate::openclaw::split_shell_words(&text) {
                    Some(words) => words,
                    None => text.split_whitespace().map(str::to_string).collect(),
                };
                let unseen = vec![self.unseen_why(&names(&vars)).is_some(); words.len()];
                let places = vec![loc; words.len()];
                Some((words, loc, unseen, places))
            }
            _ => None,
        }
    }

    /// One service of `file` (whose text is `text`).
    fn service(&mut self, file: FileId, text: &str, key: &Node, body: &Node) -> ServiceSpec {
        let mut spec = ServiceSpec {
            key: Some(Loc {
                file,
                span: key.span,
            }),
            ..ServiceSpec::default()
        };
        spec.image = body.get("image").and_then(|n| self.string(file, n));
        spec.image_loc = body.get("image").map(|n| Loc { file, span: n.span });
        spec.container_name = body
            .get("container_name")
            .and_then(|n| self.string(file, n));
        spec.working_dir = body.get("working_dir").and_then(|n| self.string(file, n));
        // Only for the home it gives OpenClaw's image: one made of variables is not guessed,
        // nor said (compose interpolates it, but nothing else here depends on it).
        spec.user = (body.get("user").and_then(Node::as_str))
            .filter(|user| !user.contains('$'))
            .map(str::to_string);
        spec.build = body.get("build").and_then(|node| {
            let loc = Loc {
                file,
                span: node.span,
            };
            match &node.value {
                Value::Scalar { .. } => Some((self.string(file, node)?, "Dockerfile".into(), loc)),
                Value::Map(_) => {
                    let context = (node.get("context"))
                        .and_then(|n| self.string(file, n))
                        .unwrap_or_else(|| ".".into());
                    let dockerfile = (node.get("dockerfile"))
                        .and_then(|n| self.string(file, n))
                        .unwrap_or_else(|| "Dockerfile".into());
                    Some((context, dockerfile, loc))
                }
                _ => None,
            }
        });
        spec.command = body.get("command").and_then(|n| self.words(file, n));
        spec.entrypoint = body.get("entrypoint").and_then(|n| self.words(file, n));
        spec.network_mode = body.get("network_mode").and_then(|n| {
            let value = self.string(file, n)?;
            Some((value, Loc { file, span: n.span }))
        });
        if let Some(node) = body.get("profiles") {
            let names: Vec<String> = node
                .items()
                .iter()
                .filter_map(|item| self.string(file, item))
                .collect();
            spec.profiles = Some((
                names,
                Loc {
                    file,
                    span: node.span,
                },
            ));
        }
        if let Some(ports) = body.get("ports") {
            for item in ports.items() {
                let published = self.port(file, text, item);
                if published.is_empty() {
                    let vars = names(&self.vars);
                    self.unseen_entry(&mut spec, ("ports", file, item), vars, None);
                }
                spec.ports.extend(published);
            }
        }
        if let Some(volumes) = body.get("volumes") {
            for item in volumes.items() {
                let (volume, vars) = self.reading(|r| r.volume(file, item));
                match volume {
                    Some((v, loc)) => {
                        spec.volumes.retain(|(old, ..)| old.target != v.target);
                        spec.volumes.push((v, loc, vars));
                    }
                    None => {
                        let target = item.as_str().and_then(spec::short_volume_target);
                        self.unseen_entry(&mut spec, ("volumes", file, item), vars, target);
                    }
                }
            }
        }
        if let Some(env) = body.get("environment") {
            for (k, v) in env.entries() {
                let Some(name) = k.as_str() else { continue };
                let (value, vars) = self.reading(|r| match &v.value {
                    Value::Null => None,
                    _ => r.string(file, v),
                });
                let span = Span::new(k.span.start(), v.span.end().max(k.span.end()));
                spec.environment
                    .push((name.to_string(), value, Loc { file, span }, vars));
            }
            for item in env.items() {
                let (text, vars) = self.reading(|r| r.string(file, item));
                let Some(text) = text else {
                    continue;
                };
                let (name, value) = match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (text.clone(), None),
                };
                spec.environment.retain(|(k, ..)| *k != name);
                spec.environment.push((
                    name,
                    value,
                    Loc {
                        file,
                        span: item.span,
                    },
                    vars,
                ));
            }
        }
        if let Some(files) = body.get("env_file") {
            let items: Vec<&Node> = match &files.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![files],
            };
            for item in items {
                let loc = Loc {
                    file,
                    span: item.span,
                };
                if let Some(path) = self.string(file, item) {
                    spec.env_files.push((path, true, loc));
                } else if let Some(path) = item.get("path").and_then(|p| self.string(file, p)) {
                    let required = item
                        .get("required")
                        .and_then(Node::as_str)
                        .is_none_or(|r| r != "false");
                    spec.env_files.push((path, required, loc));
                }
            }
        }
        spec
    }

    fn port(&mut self, file: FileId, text: &str, item: &Node) -> Vec<Published> {
        self.in_entry = true;
        let published = self.port_entry(file, text, item);
        self.in_entry = false;
        published
    }

    fn port_entry(&mut self, file: FileId, text: &str, item: &Node) -> Vec<Published> {
        let loc = Loc {
            file,
            span: item.span,
        };
        let host_text = host_text(text, item);
        self.vars.clear();
        let parsed = match &item.value {
            Value::Scalar { .. } => {
                let Some(text) = self.string(file, item) else {
                    return Vec::new();
                };
                spec::parse_port(&text)
            }
            Value::Map(_) => self.long_port(file, item),
            _ => Err("a port is a string or a mapping".to_string()),
        };
        let vars = self.vars.clone();
        match parsed {
            Ok(p) => p.published(loc, &vars, host_text),
            Err(_) if self.unseen_why(&names(&vars)).is_some() => Vec::new(),
            Err(why) => {
                self.invalid(
                    file,
                    item,
                    format!("docker compose rejects this port: {why}"),
                );
                Vec::new()
            }
        }
    }

    /// `{target, published, host_ip, protocol, mode}`.
    fn long_port(&mut self, file: FileId, item: &Node) -> Result<spec::PortSpec, String> {
        let target = item
            .get("target")
            .and_then(|n| self.string(file, n))
            .ok_or("a long-syntax port needs a target")?;
        let container = spec::port_range(&target)?;
        let host = match item.get("published").and_then(|n| self.string(file, n)) {
            Some(p) if !p.is_empty() => Some(spec::port_range(&p)?),
            _ => None,
        };
        let host_ip = item.get("host_ip").and_then(|n| self.string(file, n));
        let protocol = item
            .get("protocol")
            .and_then(|n| self.string(file, n))
            .unwrap_or_else(|| "tcp".to_string())
            .to_ascii_lowercase();
        Ok(spec::PortSpec {
            host_ip,
            host,
            container,
            protocol,
        })
    }

    fn volume(&mut self, file: FileId, item: &Node) -> Option<(spec::VolumeSpec, Loc)> {
        let loc = Loc {
            file,
            span: item.span,
        };
        let parsed = match &item.value {
            Value::Scalar { .. } => {
                let text = self.string(file, item)?;
                spec::parse_volume(&text)
            }
            Value::Map(_) => {
                let kind = item
                    .get("type")
                    .and_then(|n| self.string(file, n))
                    .unwrap_or_else(|| "volume".to_string());
                let source = item
                    .get("source")
                    .and_then(|n| self.string(file, n))
                    .unwrap_or_default();
                let target = item.get("target").and_then(|n| self.string(file, n));
                let read_only = item
                    .get("read_only")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v == "true");
                match target {
                    None => Err("a long-syntax volume needs a target".to_string()),
                    Some(target) => Ok(spec::VolumeSpec {
                        kind: match (kind.as_str(), source.is_empty()) {
                            ("bind", _) => spec::VolumeKind::Bind,
                            ("volume", false) => spec::VolumeKind::Volume,
                            ("tmpfs", _) => spec::VolumeKind::Tmpfs,
                            _ => spec::VolumeKind::Anonymous,
                        },
                        source,
                        target: target.trim_end_matches('/').to_string(),
                        read_only,
                    }),
                }
            }
            _ => Err("a volume is a string or a mapping".to_string()),
        };
        match parsed {
            Ok(v) => Some((v, loc)),
            // Made of a value clawlint cannot see: what compose makes of it is unknown (the
            // entry is left out, CL409), not an empty string it rejects.
            Err(_) if self.unseen_why(&names(&self.vars)).is_some() => None,
            Err(why) => {
                self.invalid(
                    file,
                    item,
                    format!("docker compose rejects this volume: {why}"),
                );
                None
            }
        }
    }
}

/// The names of variables read, as [`Reader::vars`] keeps them.
fn names(vars: &[(String, Option<Loc>)]) -> Vec<String> {
    vars.iter().map(|(name, _)| name.clone()).collect()
}

/// A file a command line names (`-f`, `COMPOSE_FILE`) that does not exist: compose stops
/// before it starts anything (compose-go reads every config path; "no such file or
/// directory"). Located at the command line.
pub fn missing_file(run: &ComposeRun, file: &Path, how: &str) -> Problem {
    Problem {
        kind: ProblemKind::Missing,
        message: format!(
            "{} runs docker compose with the compose file {} ({how}), which does not exist: docker compose refuses to run (\"no such file or directory\"), so nothing of this project starts",
            run.by,
            crate::paths::display_path(file)
        ),
        loc: Some(run.loc),
    }
}

/// Two loads of one container: two command lines that start the same project (so the same
/// container name). A service that one of them starts and the other leaves out of its
/// profiles runs, with the values of the one that starts it (compose leaves a service
/// outside the active profiles alone). When both start it with different values, compose
/// recreates it with whichever ran last, which clawlint cannot know: the first is kept (a
/// unit before a script, in the order found) and the other is recorded for CL410, once for
/// each command line: `first_time` says whether its place is new to this container (the
/// caller keeps the places seen, so that thousands of runs of one project stay linear).
pub fn reconcile(kept: &mut Invocation, other: Invocation, first_time: impl FnOnce(Loc) -> bool) {
    let (Some(k), Some(o)) = (kept.container.as_deref(), other.container.as_deref()) else {
        return;
    };
    // A load read with a command that runs `up` says what runs; one read with none (a file
    // found by the scan) only guesses, and gives way to it.
    let prefer_other = (!k.starts() && o.starts())
        || (k.run.is_none() && o.run.is_some() && k.starts() == o.starts());
    if prefer_other {
        let earlier = k.other_runs.clone();
        *kept = other;
        if let Some(c) = kept.container.as_deref_mut() {
            c.other_runs.extend(earlier);
        }
        return;
    }
    if k.starts() && !o.starts() {
        return;
    }
    let differs = differences(kept, &other);
    let Some((by, loc)) = o.run.clone() else {
        return;
    };
    if differs.is_empty() {
        return;
    }
    if let Some(c) = kept.container.as_deref_mut() {
        if first_time(loc) {
            c.other_runs
                .push(crate::container::OtherRun { by, loc, differs });
        }
    }
}

/// A container that compose projects in two directories both give (CL411): which of the
/// two clawlint checks. A load read with a command that runs `up` is kept over one only
/// found by the scan, as in [`reconcile`]; but the other directory's command lines are not
/// other runs of this project (CL410): they start the other directory's files, which is
/// the one cause CL411 says. So nothing is recorded for CL410 here, and a kept load's own
/// other runs stay with it (those of a load given way to go with it).
pub fn reconcile_across(kept: &mut Invocation, other: Invocation) {
    let (Some(k), Some(o)) = (kept.container.as_deref(), other.container.as_deref()) else {
        return;
    };
    let prefer_other = (!k.starts() && o.starts())
        || (k.run.is_none() && o.run.is_some() && k.starts() == o.starts());
    if prefer_other {
        *kept = other;
    }
}

/// What two loads of one container give differently, in words: ports, image, network, mounts
/// and the names (never the values) of environment variables.
fn differences(a: &Invocation, b: &Invocation) -> Vec<String> {
    let (Some(ca), Some(cb)) = (a.container.as_deref(), b.container.as_deref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let ports = |c: &Container| -> Vec<String> {
        let mut v: Vec<String> = c
            .published
            .iter()
            .map(|p| {
                format!(
                    "{}{}:{}/{}",
                    match &p.host_addr {
                        HostAddr::Any => String::new(),
                        HostAddr::Ip(ip) => format!("{ip}:"),
                    },
                    p.host_port,
                    p.container_port,
                    p.protocol
                )
            })
            .collect();
        v.sort();
        v
    };
    let (pa, pb) = (ports(ca), ports(cb));
    if pa != pb {
        let list = |v: &[String]| match v.is_empty() {
            true => "none".to_string(),
            false => v.join(", "),
        };
        out.push(format!(
            "published ports ({} against {})",
            list(&pa),
            list(&pb)
        ));
    }
    if ca.name != cb.name {
        out.push("container name".to_string());
    }
    if ca.image != cb.image {
        out.push("image".to_string());
    }
    if ca.network != cb.network {
        out.push("network".to_string());
    }
    let mounts = |c: &Container| -> Vec<(String, PathBuf, bool)> {
        let mut v: Vec<_> = c
            .mounts
            .iter()
            .map(|m| {
                (
                    format!("{:?}", m.source),
                    m.target().to_path_buf(),
                    m.read_only,
                )
            })
            .collect();
        v.sort();
        v
    };
    if mounts(ca) != mounts(cb) {
        out.push("mounts".to_string());
    }
    if a.port_arg.as_ref().map(|p| p.value) != b.port_arg.as_ref().map(|p| p.value) {
        out.push("gateway --port".to_string());
    }
    let env = |i: &Invocation| -> BTreeMap<String, String> {
        i.env
            .iter()
            .map(|(k, v)| (k.to_string(), v.value.clone()))
            .collect()
    };
    let (ea, eb) = (env(a), env(b));
    let names: Vec<&str> = ea
        .keys()
        .chain(eb.keys())
        .filter(|k| ea.get(*k) != eb.get(*k))
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !names.is_empty() {
        out.push(format!("environment ({})", names.join(", ")));
    }
    out
}

/// Is this an OpenClaw image? (`ghcr.io/openclaw/openclaw`, `openclaw:local`, forks.)
pub fn is_openclaw_image(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    image.contains("openclaw")
        && name
            .split([':', '@'])
            .next()
            .is_some_and(|n| n.contains("openclaw"))
        || image.contains("/openclaw/")
}

/// What a container gateway starts with: its command (`argv`, entrypoint and command as the
/// runtime joins them; `command_loc` where it is written; `places`, when known, where each
/// word's value is set), its environment and working dir.
pub struct ContainerStart {
    pub argv: Vec<String>,
    pub command_loc: Option<Loc>,
    pub places: Vec<Loc>,
    pub env: Env,
    pub cwd: PathBuf,
}

/// The gateway `container` runs, as every engine gives it to resolve: `HOME` from its
/// environment (else OpenClaw's image's), the root `--profile`/`--dev`, `--port`, `--bind` and
/// whether the command gives auth itself, read from its command.
pub fn container_invocation(mut container: Container, start: ContainerStart) -> Invocation {
    let ContainerStart {
        argv,
        command_loc,
        places,
        env,
        cwd,
    } = start;
    let home = PathBuf::from(env.value("HOME").unwrap_or(IMAGE_HOME));
    let (profile_flag, dev) = crate::openclaw::root_flags(&argv);
    let port_arg = crate::openclaw::port_from_args(&argv)
        .map(|(port, _)| Sourced::new(port, Origin::cli(format!("--port {port}"), command_loc)));
    let bind = crate::container::bind_from_args(&argv);
    container.bind_loc = (bind.as_ref()).and_then(|(_, i)| places.get(*i).copied().or(command_loc));
    container.bind = bind.map(|(mode, _)| mode);
    container.start_refused = crate::openclaw::refused_port_arg(&argv).map(|(value, i)| {
        let loc = places.get(i).copied().or(command_loc);
        (crate::openclaw::refused_port_words(value), loc)
    });
    // Compose records it itself: the words it gives are already the script's statement.
    container.started_by_script |= is_script_start(&argv);
    Invocation {
        written_home: None,
        name: container.name.clone(),
        discovery: Discovery::Container(container.file.clone()),
        home,
        cwd,
        profile_flag,
        dev,
        env,
        port_arg,
        bind_arg: None,
        auth_args: crate::container::gives_auth(&argv),
        allow_unconfigured: crate::container::allows_unconfigured(&argv),
        service: None,
        container: Some(Box::new(container)),
    }
}

/// The services of the project in `service`'s network namespace (`network_mode:
/// service:<it>`, or `container:<its container_name>`) that run an image other than
/// OpenClaw's: programs that may listen there. OpenClaw's own (the CLI sidecar) listens on
/// nothing of its own.
fn namespace_guests(
    service: &str,
    spec: &ServiceSpec,
    all: &BTreeMap<String, ServiceSpec>,
) -> Vec<String> {
    let joins = |mode: &str| {
        mode.strip_prefix("service:") == Some(service)
            || mode
                .strip_prefix("container:")
                .is_some_and(|c| spec.container_name.as_deref() == Some(c))
    };
    (all.iter())
        .filter(|(name, guest)| {
            name.as_str() != service
                && guest.network_mode.as_ref().is_some_and(|(m, _)| joins(m))
                && !guest.image.as_deref().is_some_and(is_openclaw_image)
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether a container's command is a shell script (`sh -c …`, `bash -lc …`, `sh /x.sh`, or
/// the `.sh` itself): the gateway is then one of its statements.
fn is_script_start(argv: &[String]) -> bool {
    argv.first().is_some_and(|first| {
        let program = first.rsplit('/').next().unwrap_or(first);
        matches!(program, "sh" | "bash" | "dash" | "ash" | "zsh") || program.ends_with(".sh")
    })
}

/// Whether the image's own command starts the gateway: OpenClaw's image, `openclaw` under
/// any registry and tag (`ghcr.io/openclaw/openclaw:2026.9.6`, `openclaw:local`). An image
/// only named after OpenClaw (`openclaw-dashboard`, `openclaw-office`: tools that read its
/// files) runs a command clawlint cannot see.
pub fn image_cmd_starts_gateway(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split([':', '@']).next() == Some("openclaw")
}

/// The command the container runs: Docker's rule is that an `entrypoint` set in compose
/// drops the image's default command. With where it is written and where each of its words
/// is set (none for the image's own command).
fn container_argv(
    spec: &ServiceSpec,
    openclaw_image: bool,
) -> (Vec<String>, Option<Loc>, Vec<Loc>) {
    let entry = spec.entrypoint.as_ref();
    let command = spec.command.as_ref();
    let mut argv = Vec::new();
    let mut places = Vec::new();
    if let Some((words, _, _, at)) = entry {
        argv.extend(words.iter().cloned());
        places.extend(at);
    }
    match command {
        Some((words, _, _, at)) => {
            argv.extend(words.iter().cloned());
            places.extend(at);
        }
        None if entry.is_none() && openclaw_image && image_has_gateway_cmd(spec) => {
            argv.extend(IMAGE_CMD.iter().map(|s| s.to_string()));
            places.clear();
        }
        None => {}
    }
    (argv, command.or(entry).map(|(_, loc, ..)| *loc), places)
}

/// A service of OpenClaw's image whose entrypoint runs a program clawlint cannot read (a
/// mounted `entrypoint.ts`, a binary of its own: polyclaw's `node --experimental-strip-types
/// /app/entrypoint.ts`) while OpenClaw's state dir is mounted or a port published: the program
/// starts the gateway, with options clawlint cannot see. The program as written and where;
/// `None` for anything else (OpenClaw's own CLI, a shell script, which is read when mounted).
fn opaque_start(spec: &ServiceSpec) -> Option<(String, Loc)> {
    if !image_has_gateway_cmd(spec) {
        return None;
    }
    let (words, loc, ..) = spec.entrypoint.as_ref()?;
    let first = words.first()?;
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let interpreters = ["node", "bun", "deno", "tsx", "ts-node", "python", "python3"];
    let program = match interpreters.contains(&base(first).as_str()) {
        true => words[1..].iter().find(|w| !w.starts_with('-'))?,
        false => first,
    };
    let own = [
        "openclaw",
        "openclaw.mjs",
        "index.js",
        "entry.js",
        "tini",
        "dumb-init",
    ];
    if own.contains(&base(program).as_str()) || is_script_start(std::slice::from_ref(program)) {
        return None;
    }
    let state_dir = format!("{IMAGE_HOME}/.openclaw");
    let mounts_state = spec
        .volumes
        .iter()
        .any(|(v, ..)| v.target.starts_with(&state_dir));
    // The program is the layout's text: shown only when it cannot be a secret pasted there.
    let shown = match program.len() > 128 || crate::redact::is_secret_value(program) {
        true => "a program".to_string(),
        false => program.clone(),
    };
    (mounts_state || !spec.ports.is_empty()).then_some((shown, *loc))
}

fn image_has_gateway_cmd(spec: &ServiceSpec) -> bool {
    spec.image.as_deref().is_some_and(image_cmd_starts_gateway)
}

/// The `HOME` of the image a service builds (`build:`), from its Dockerfile
/// ([`spec::dockerfile_home`]), and where the service says it builds: read only inside the
/// scanned layout, through the bounded reader. `None` when it does not build, or the
/// Dockerfile cannot be read or does not say.
fn built_home(spec: &ServiceSpec, dir: &Path, host: &HostContext) -> Option<(String, Loc)> {
    let (context, dockerfile, loc) = spec.build.as_ref()?;
    // A remote context (a Git URL) is not on this host.
    if context.contains("://") || context.starts_with("git@") {
        return None;
    }
    let context = host.host_path(context, dir);
    let path = crate::paths::normalize(&context.join(dockerfile));
    if !host.contains(&path) {
        return None;
    }
    let (text, _) = read_text_lossy(&path, SMALL_FILE_LIMIT).ok()?;
    Some((spec::dockerfile_home(&text)?, *loc))
}

/// The options among `--port` and `--profile` whose value is a word made of a value
/// clawlint cannot see (`unseen`, one flag per word).
fn unseen_options(words: &[String], unseen: &[bool]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for option in ["--port", "--profile"] {
        let hidden = words.iter().enumerate().any(|(i, w)| {
            let value_at = match w.strip_prefix(option) {
                Some("") => i + 1,
                Some(rest) if rest.starts_with('=') => i,
                _ => return false,
            };
            unseen.get(value_at).copied().unwrap_or(false)
        });
        if hidden {
            out.push(option);
        }
    }
    out
}

/// `... (openclaw|openclaw.mjs|dist/index.js|dist/entry.js) [root options] gateway [run] ...`.
pub fn runs_gateway(argv: &[String], openclaw_image: bool) -> bool {
    is_gateway_command(&gateway_words(argv, openclaw_image), openclaw_image)
}

/// Whether `argv`, with no shell around it, starts OpenClaw's gateway.
fn is_gateway_command(argv: &[String], openclaw_image: bool) -> bool {
    let launcher = argv.iter().position(|a| {
        let base = a.rsplit('/').next().unwrap_or(a);
        base == "openclaw"
            || base == "openclaw.mjs"
            || a.ends_with("dist/index.js")
            || a.ends_with("dist/entry.js")
            || base == "clawdbot"
    });
    let start = match launcher {
        Some(i) => i + 1,
        None if openclaw_image => 0,
        None => return false,
    };
    let Some(g) = argv[start..].iter().position(|a| a == "gateway") else {
        return false;
    };
    // `gateway status`, `gateway install`... are not the gateway itself.
    match argv.get(start + g + 1) {
        Some(next) if !next.starts_with('-') => next == "run",
        _ => true,
    }
}

/// The words of the command that starts the gateway. A shell's script (`sh -c "exec node
/// dist/index.js gateway"`, `/bin/sh -lc` with a script of several lines that prepares the
/// state dir first) is read by the shell reader ([`crate::discover::command::unwrap_to`]):
/// its first statement that starts the gateway, wrappers (`exec`, `env`) removed. Anything
/// else is its own words.
fn gateway_words(argv: &[String], openclaw_image: bool) -> Vec<String> {
    let is_shell = argv.first().is_some_and(|p| {
        let base = p.rsplit('/').next().unwrap_or(p);
        matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh")
    });
    if !is_shell {
        return argv.to_vec();
    }
    let wanted = |words: &[String]| is_gateway_command(words, openclaw_image);
    crate::discover::command::unwrap_to(argv, &BTreeMap::new(), &wanted).argv
}

/// The words of the statement that starts the gateway in a script file the container runs
/// (`sh /opt/bot/entrypoint.sh`, `bash -e …`, or the `.sh` itself as the command) when one of
/// the service's bind mounts puts it on the host inside the layout: read through the bounded
/// reader by the shell reader. `None` for anything else (a script baked into the image is not
/// on the host).
fn mounted_script_words(
    argv: &[String],
    spec: &ServiceSpec,
    dir: &Path,
    host: &HostContext,
    openclaw_image: bool,
) -> Option<Vec<String>> {
    let first = argv.first()?;
    let program = first.rsplit('/').next().unwrap_or(first);
    let script = match program {
        "sh" | "bash" | "dash" | "ash" | "zsh" => {
            let flags: Vec<&String> = argv[1..]
                .iter()
                .take_while(|w| w.starts_with('-'))
                .collect();
            // `-c` takes a string (see gateway_words), `-s` reads standard input.
            if flags
                .iter()
                .any(|f| !f.starts_with("--") && (f.contains('c') || f.contains('s')))
            {
                return None;
            }
            argv.get(1 + flags.len())?
        }
        _ if first.ends_with(".sh") => first,
        _ => return None,
    };
    let in_container = Path::new(script);
    let on_host = (spec.volumes.iter().rev())
        .filter(|(v, ..)| {
            v.kind == spec::VolumeKind::Bind && host.unseen_home(&v.source, "").is_none()
        })
        .find_map(|(v, ..)| {
            let below = in_container.strip_prefix(&v.target).ok()?;
            Some(crate::paths::normalize(
                &host.host_path(&v.source, dir).join(below),
            ))
        })?;
    if !host.contains(&on_host) {
        return None;
    }
    let (text, _) = read_text_lossy(&on_host, SMALL_FILE_LIMIT).ok()?;
    let wanted = |words: &[String]| is_gateway_command(words, openclaw_image);
    let (found, _) =
        crate::discover::command::script_commands_until(&text, &BTreeMap::new(), &wanted);
    found.into_iter().next().map(|(command, _)| command.argv)
}

#[allow(clippy::too_many_arguments)]
fn gateway_invocation(
    project: &str,
    service: &str,
    spec: &ServiceSpec,
    dir: &Path,
    host: &HostContext,
    env_files: &mut EnvFiles,
    sources: &mut SourceMap,
    reader: &mut Reader,
    all: &BTreeMap<String, ServiceSpec>,
    profiles: &ProjectProfiles,
) -> Option<Invocation> {
    let openclaw_image = spec.image.as_deref().is_some_and(is_openclaw_image);
    let (argv, command_loc, places) = container_argv(spec, openclaw_image);
    let started_by_script = is_script_start(&argv);
    // A script's statement is not the service's words one for one.
    let places = if started_by_script {
        Vec::new()
    } else {
        places
    };
    let argv = mounted_script_words(&argv, spec, dir, host, openclaw_image).unwrap_or(argv);
    let opaque = match runs_gateway(&argv, openclaw_image) {
        true => None,
        false => Some(opaque_start(spec)?),
    };
    let key = spec.key?;
    let argv = match &opaque {
        // What the program passes the gateway is not seen: OpenClaw's own start, no options.
        Some(_) => IMAGE_CMD[..3].iter().map(|w| w.to_string()).collect(),
        None => gateway_words(&argv, openclaw_image),
    };
    let mut env = Env::new();
    match built_home(spec, dir, host) {
        Some((home, loc)) => env.set("HOME", home, EnvOrigin::Container(loc)),
        None if openclaw_image => {
            let user = spec.user.as_deref();
            let home = user.and_then(crate::discover::container_run::image_user_home);
            env.set(
                "HOME",
                home.unwrap_or(IMAGE_HOME).to_string(),
                EnvOrigin::Given,
            )
        }
        None => {}
    }
    let mut unverified = Vec::new();
    for (path, required, loc) in &spec.env_files {
        // An env file in a home clawlint cannot see: what it sets is unseen, said once.
        if let Some(why) = host.unseen_home(path, "it") {
            unverified.push(UnverifiedEntry {
                key: "env_file",
                loc: *loc,
                why,
                target: None,
                variable: None,
            });
            continue;
        }
        let file = host.host_path(path, dir);
        if !crate::paths::host::is_file(&file) && *required {
            let message = format!(
                "env_file {} does not exist: docker compose refuses to start {service}, and every other service of the project (mark it `required: false` if it is optional)",
                crate::paths::display_path(&file)
            );
            reader.refused.get_or_insert_with(|| {
                format!(
                    "docker compose refuses the project: env_file {} does not exist",
                    crate::paths::display_path(&file)
                )
            });
            reader.problems.push(Problem {
                kind: ProblemKind::Missing,
                message,
                loc: Some(*loc),
            });
            continue;
        }
        let problems = &mut reader.problems;
        for (k, v, at) in read_env_file(&file, false, host, env_files, sources, problems) {
            env.set(&k, v, EnvOrigin::Container(at));
        }
    }
    // An entry that reads what clawlint cannot see is recorded (and said, CL409); `entry`
    // comes without its `why`, which this gives.
    let mut left_out = |entry: UnverifiedEntry, why: Option<String>| match why {
        Some(why) => {
            unverified.push(UnverifiedEntry { why, ..entry });
            true
        }
        None => false,
    };
    let entry = |key: &'static str, loc: Loc| UnverifiedEntry {
        key,
        loc,
        why: String::new(),
        target: None,
        variable: None,
    };
    for (k, v, loc, vars) in &spec.environment {
        // A value a run clawlint cannot see may set is unknown, as the shell's is.
        let v = v.as_ref().filter(|_| {
            let variable = Some(k.clone());
            !left_out(
                UnverifiedEntry {
                    variable,
                    ..entry("environment", *loc)
                },
                reader.unseen_why(vars),
            )
        });
        match v {
            Some(v) => env.set(k, v.clone(), reader.entry_origin(*loc, vars)),
            // `- NAME` alone passes the shell's value through, which clawlint cannot see;
            // the project .env does not reach the container this way.
            None => env.remove(k),
        }
    }
    let cwd = PathBuf::from(spec.working_dir.as_deref().unwrap_or(IMAGE_WORKDIR));
    let network = match spec.network_mode.as_ref().map(|(m, _)| m.as_str()) {
        Some("host") => Network::Host,
        Some(other) if other.starts_with("service:") || other.starts_with("container:") => {
            Network::Shared(other.to_string())
        }
        _ => Network::Isolated,
    };
    // A service in another's namespace publishes through that one, unless that one runs a
    // gateway itself: its ports are then that gateway's, said once (a `--profile cli`
    // sidecar in the gateway's namespace publishes nothing of its own).
    let published = match &network {
        Network::Shared(mode) => mode
            .strip_prefix("service:")
            .and_then(|s| all.get(s))
            .filter(|owner| {
                let owner_openclaw = owner.image.as_deref().is_some_and(is_openclaw_image);
                !runs_gateway(&container_argv(owner, owner_openclaw).0, owner_openclaw)
            })
            .map(|s| s.ports.clone())
            .unwrap_or_default(),
        _ => spec.ports.clone(),
    };
    // A range entry gives its ports one after another, from one entry: decided (and said)
    // once, at its first.
    let mut last: Option<(Loc, bool)> = None;
    let published = published
        .into_iter()
        .filter(|p| {
            if let Some((_, keep)) = last.filter(|(loc, _)| *loc == p.loc) {
                return keep;
            }
            let vars: Vec<String> = p.vars.iter().map(|(name, _)| name.clone()).collect();
            let keep = !left_out(entry("ports", p.loc), reader.unseen_why(&vars));
            last = Some((p.loc, keep));
            keep
        })
        .collect();
    for (key, loc, vars, target) in &spec.unseen {
        let target = target.as_deref().map(PathBuf::from);
        left_out(
            UnverifiedEntry {
                target,
                ..entry(key, *loc)
            },
            reader.unseen_why(vars),
        );
    }
    let mounts = spec
        .volumes
        .iter()
        .filter(|(v, loc, vars)| {
            let target = Some(PathBuf::from(&v.target));
            let bind = v.kind == spec::VolumeKind::Bind;
            let why = (reader.unseen_why(vars)).or_else(|| {
                bind.then(|| host.unseen_home(&v.source, "its source"))
                    .flatten()
            });
            !left_out(
                UnverifiedEntry {
                    target,
                    ..entry("volumes", *loc)
                },
                why,
            )
        })
        .map(|(v, loc, _)| {
            let source = match v.kind {
                spec::VolumeKind::Bind => MountSource::Bind(host.host_path(&v.source, dir)),
                spec::VolumeKind::Volume => MountSource::Volume(format!("{project}_{}", v.source)),
                _ => MountSource::Private,
            };
            Mount::new(source, PathBuf::from(&v.target), v.read_only, *loc)
        })
        .collect();
    if let Some((program, loc)) = &opaque {
        for option in ["--port", "--profile"] {
            unverified.push(UnverifiedEntry {
                why: format!("its entrypoint runs {program}, which clawlint cannot read: the --port and --profile it gives the gateway are not seen"),
                variable: Some(option.to_string()),
                ..entry("entrypoint", *loc)
            });
        }
    }
    // The command is kept (it says the service runs a gateway); a `--port` or `--profile`
    // whose value clawlint cannot see is not guessed.
    for (key, part) in [("entrypoint", &spec.entrypoint), ("command", &spec.command)] {
        if let Some((words, loc, unseen, _)) = part {
            for option in unseen_options(words, unseen) {
                unverified.push(UnverifiedEntry {
                    why: format!("its {option} is made of a value clawlint cannot see"),
                    variable: Some(option.to_string()),
                    ..entry(key, *loc)
                });
            }
        }
    }
    let name = spec
        .container_name
        .clone()
        .unwrap_or_else(|| format!("{project}-{service}-1"));
    let file = sources.file(key.file).path.clone();
    let container = Container {
        image: spec.image.clone(),
        image_loc: spec.image_loc,
        network,
        published,
        mounts,
        host_home: host.home_or_tilde().to_path_buf(),
        profiles: spec
            .profiles
            .as_ref()
            .filter(|(names, _)| !names.is_empty())
            .map(|(names, loc)| ServiceProfiles {
                names: names.clone(),
                state: profiles.state(service, names),
                loc: *loc,
                stopped: match profiles.ups.is_empty() {
                    true => profiles.stopped.to_vec(),
                    false => Vec::new(),
                },
            }),
        run: profiles.ups.first().map(|r| (r.by.clone(), r.loc)),
        env_files: (spec.interpolated_with.clone()).unwrap_or_else(|| reader.env_files.to_vec()),
        started_by_script,
        namespace_guests: namespace_guests(service, spec, all),
        unseen_values: (!unverified.is_empty()).then(|| {
            unverified.sort_by_key(|e| (e.loc.file, e.loc.span.start()));
            let files = &reader.variants.files;
            let cause = match reader.unverifiable {
                _ if opaque.is_some() => UnseenCause::Program(
                    opaque.as_ref().map(|(p, _)| p.clone()).unwrap_or_default(),
                ),
                _ if !files.is_empty() => UnseenCause::EnvFiles(files.clone()),
                Some(run) => UnseenCause::Run(run.to_string()),
                None => UnseenCause::Home,
            };
            Box::new(UnseenValues {
                cause,
                entries: unverified,
                same_project: (reader.variants.several() && !reader.variants.names_project())
                    .then(|| project.to_string()),
            })
        }),
        ..Container::new(Engine::Compose, name, service.to_string(), file, key)
    };
    Some(container_invocation(
        container,
        ContainerStart {
            argv,
            command_loc,
            places,
            env,
            cwd,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text read again is the tree parsed before (one parse and redaction scan for stacks
    /// copied from one template); another text is parsed on its own; a text that does not parse
    /// says so each time; only the last few texts are kept.
    #[test]
    fn parsed_files_parse_each_kept_text_once() {
        let mut parsed = ParsedFiles::default();
        let text = |i: usize| format!("services:\n  gw{i}:\n    image: openclaw # c\n");
        // Each read is a file of its own, as each stack's compose file is.
        let mut sources = SourceMap::new();
        let mut added = 0;
        let mut read = |text: &str| {
            added += 1;
            let file = sources.add(
                Path::new(&format!("s{added}/compose.yaml")),
                text.into(),
                None,
            );
            parsed.read(&sources, file)
        };
        let first = read(&text(0)).unwrap();
        assert!(Rc::ptr_eq(&first, &read(&text(0)).unwrap()));
        let other = read(&text(1)).unwrap();
        assert!(!Rc::ptr_eq(&first, &other));
        assert!(other.root.get("services").unwrap().get("gw1").is_some());
        assert_eq!(
            first.shown,
            crate::redact::scan::compose_yaml(&text(0), &first.root)
        );
        assert!(read("a: [").is_err());
        assert!(read("a: [").is_err());
        for i in 2..=KEPT_PARSES {
            read(&text(i)).unwrap();
        }
        assert!(!Rc::ptr_eq(&first, &read(&text(0)).unwrap()));
        let last = read(&text(KEPT_PARSES)).unwrap();
        assert!(Rc::ptr_eq(&last, &read(&text(KEPT_PARSES)).unwrap()));
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Past its entry budget the scan stops and says where: a layout of many entries cannot
    /// hide the compose files after them without a finding (CL907 in discover).
    #[test]
    fn the_scan_says_where_it_stopped() {
        let dir =
            std::env::temp_dir().join(format!("clawlint-compose-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for name in ["a1", "a2", "a3", "a4"] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
        }
        std::fs::create_dir_all(dir.join("z")).unwrap();
        std::fs::write(dir.join("z/compose.yaml"), "services: {}\n").unwrap();
        let all = scan_within(&[(dir.clone(), SCAN_DEPTH)], 100);
        assert_eq!(all.files, vec![dir.join("z/compose.yaml")]);
        assert_eq!(all.stopped_at, None);
        let cut = scan_within(&[(dir.clone(), SCAN_DEPTH)], 3);
        assert!(cut.files.is_empty());
        assert_eq!(cut.stopped_at, Some(dir.join("a3")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn which_commands_run_a_gateway() {
        assert!(runs_gateway(
            &words("node dist/index.js gateway --bind lan --port 18789"),
            true
        ));
        assert!(runs_gateway(
            &words("node openclaw.mjs gateway --allow-unconfigured"),
            true
        ));
        assert!(runs_gateway(
            &words("openclaw --profile acme gateway run"),
            false
        ));
        assert!(runs_gateway(&words("gateway --port 18789"), true));
        assert!(!runs_gateway(&words("node dist/index.js"), true));
        assert!(!runs_gateway(
            &words("node dist/index.js gateway status"),
            true
        ));
        assert!(!runs_gateway(&words("postgres"), false));
        let sh = vec![
            "sh".to_string(),
            "-c".to_string(),
            "exec node dist/index.js gateway --port 18789".to_string(),
        ];
        assert!(runs_gateway(&sh, true));
        // A login shell's script of several statements (uy-seng/thirdeye): the one that
        // starts the gateway, its `--port` kept; one that only prepares is not a gateway.
        let script = |body: &str| vec!["/bin/sh".to_string(), "-lc".to_string(), body.to_string()];
        let prepares = "mkdir -p /home/node/.openclaw\nif [ ! -f /home/node/.openclaw/openclaw.json ]; then cp /seed/openclaw.json /home/node/.openclaw/; fi\n";
        let starts = format!("{prepares}exec node dist/index.js gateway --port 19001\n");
        assert!(runs_gateway(&script(&starts), true));
        assert_eq!(
            crate::openclaw::port_from_args(&gateway_words(&script(&starts), true)).map(|p| p.0),
            Some(19001)
        );
        assert!(!runs_gateway(&script(prepares), true));
        assert!(!runs_gateway(
            &script("exec node dist/index.js gateway status"),
            true
        ));
    }

    /// A script the container runs (`sh FILE`, `bash -e FILE`, the `.sh` itself) is read when
    /// a bind mount of the service puts it in the layout: its statement that starts the
    /// gateway. `sh -c` strings are gateway_words'; a script not mounted is not guessed.
    #[test]
    fn a_mounted_entrypoint_script_is_read() {
        let root = std::env::temp_dir().join(format!("clawlint-entry-{}", std::process::id()));
        let dir = root.join("stack");
        std::fs::create_dir_all(dir.join("bot")).unwrap();
        std::fs::write(
            dir.join("bot/entrypoint.sh"),
            "#!/bin/sh\nset -eu\nnode /app/openclaw.mjs config validate\nexec node /app/openclaw.mjs gateway --port 19010\n",
        )
        .unwrap();
        let mut spec = ServiceSpec::default();
        let volume = spec::VolumeSpec {
            kind: spec::VolumeKind::Bind,
            source: "./bot".to_string(),
            target: "/opt/bot".to_string(),
            read_only: true,
        };
        let loc = Loc {
            file: crate::source::FileId(0),
            span: Span::new(0, 0),
        };
        spec.volumes.push((volume, loc, Vec::new()));
        let home = root.clone();
        let host = HostContext {
            home: Some(&home),
            root: None,
        };
        let words = |line: &str| -> Option<Vec<String>> {
            mounted_script_words(&super::tests::words(line), &spec, &dir, &host, true)
        };
        let port = |w: Option<Vec<String>>| {
            w.and_then(|w| crate::openclaw::port_from_args(&w))
                .map(|p| p.0)
        };
        assert_eq!(port(words("/bin/sh /opt/bot/entrypoint.sh")), Some(19010));
        assert_eq!(port(words("bash -e /opt/bot/entrypoint.sh")), Some(19010));
        assert_eq!(port(words("/opt/bot/entrypoint.sh")), Some(19010));
        assert_eq!(words("sh -c /opt/bot/entrypoint.sh"), None);
        assert_eq!(words("sh /opt/other/entrypoint.sh"), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// `$HOME` in the project's `.env` is the shell's, which compose reads: the home of the
    /// account that runs it, or `~` (a home clawlint cannot see) when none is scanned.
    #[test]
    fn home_in_an_env_file_is_the_shell_home() {
        let text = "DIR=${HOME}/.openclaw-acme\nWS=$HOME/ws\nHOME_KEPT='$HOME'\n";
        let parsed = dotenv::parse(text);
        let home = PathBuf::from("/home/u");
        let values = |host: &HostContext| -> Vec<String> {
            let entries = compose_env_entries(text, &parsed, host);
            entries.into_iter().map(|(_, v, _)| v).collect()
        };
        let scanned = HostContext {
            home: Some(&home),
            root: None,
        };
        assert_eq!(
            values(&scanned),
            ["/home/u/.openclaw-acme", "/home/u/ws", "$HOME"]
        );
        let unscanned = HostContext {
            home: None,
            root: None,
        };
        assert_eq!(values(&unscanned), ["~/.openclaw-acme", "~/ws", "$HOME"]);
        assert!(unscanned
            .unseen_home("~/.openclaw-acme", "its source")
            .is_some());
        assert!(scanned
            .unseen_home("~/.openclaw-acme", "its source")
            .is_none());
        assert!(unscanned.unseen_home("./state", "its source").is_none());
    }

    #[test]
    fn openclaw_images() {
        for image in [
            "ghcr.io/openclaw/openclaw:latest",
            "openclaw:local",
            "alpine/openclaw:2026.9.6",
            "registry.example/openclaw-cloud:latest",
        ] {
            assert!(is_openclaw_image(image), "{image}");
        }
        assert!(!is_openclaw_image("postgres:16"));
    }

    fn run(by: &str, line: &str, env: &[(&str, &str)]) -> ComposeRun {
        let loc = Loc {
            file: crate::source::FileId(0),
            span: Span::new(0, 0),
        };
        let args = runs::parse(&words(line)).unwrap();
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string(), loc))
            .collect();
        ComposeRun::new(by.into(), loc, None, args, env, Vec::new(), &|p| {
            PathBuf::from(p)
        })
    }

    #[test]
    fn compose_profiles_follow_what_starts_the_project() {
        let loc = Loc {
            file: crate::source::FileId(0),
            span: Span::new(0, 0),
        };
        let dot_env =
            |v: &str| BTreeMap::from([("COMPOSE_PROFILES".to_string(), (v.to_string(), loc))]);
        let names = vec!["openclaw".to_string()];
        let state = |ups: &[&ComposeRun], env: &BTreeMap<String, (String, Loc)>| {
            ProjectProfiles {
                ups,
                dot_env: env,
                stopped: &[],
            }
            .state("gw", &names)
        };
        let none = BTreeMap::new();
        // Nothing found that runs compose: the .env decides, else nobody can tell.
        assert!(matches!(
            state(&[], &dot_env("web, openclaw")),
            ProfileState::Enabled(_)
        ));
        assert!(matches!(
            state(&[], &dot_env("*")),
            ProfileState::Enabled(_)
        ));
        assert!(matches!(state(&[], &none), ProfileState::Unverifiable(_)));
        // `--profile` wins over COMPOSE_PROFILES (compose-go's WithDefaultProfiles).
        let unit = run("unit a", "docker compose --profile openclaw up -d", &[]);
        assert_eq!(
            state(&[&unit], &dot_env("web")),
            ProfileState::Enabled("--profile openclaw in unit a".into())
        );
        let web = run("Makefile:3", "docker compose --profile web up -d", &[]);
        assert!(matches!(
            state(&[&web], &dot_env("openclaw")),
            ProfileState::NotEnabled(_)
        ));
        // The shell's COMPOSE_PROFILES, and a service named on the command line.
        let shell = run(
            "unit b",
            "docker compose up -d",
            &[("COMPOSE_PROFILES", "openclaw")],
        );
        assert!(matches!(state(&[&shell], &none), ProfileState::Enabled(_)));
        let named = run("unit c", "docker compose up -d gw", &[]);
        assert!(matches!(state(&[&named], &none), ProfileState::Enabled(_)));
        let plain = run("unit d", "docker compose up -d", &[]);
        assert!(matches!(
            state(&[&plain], &none),
            ProfileState::NotEnabled(_)
        ));
        // A value clawlint cannot see: unverifiable, not guessed.
        let mut hidden = run("start.sh:4", "docker compose up -d", &[]);
        hidden.unknown.push("$PROFILE".into());
        assert!(matches!(
            state(&[&hidden], &none),
            ProfileState::Unverifiable(_)
        ));
    }

    /// A scratch layout: `home/` with the given files (path, text).
    fn layout(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "clawlint-compose-files-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    fn run_in(line: &str, cwd: &Path, env: &[(&str, &str)]) -> ComposeRun {
        let mut r = run("unit a", line, env);
        let cwd = cwd.to_path_buf();
        r.files = r.args.files.iter().map(|f| cwd.join(f)).collect();
        r.env_files = r.args.env_files.iter().map(|f| cwd.join(f)).collect();
        r.cwd = Some(cwd);
        r
    }

    #[test]
    fn run_files_follow_compose_go() {
        let root = layout(
            "choose",
            &[
                ("home/stacks/acme/compose.yaml", "services: {}\n"),
                ("home/stacks/acme/compose.override.yml", "services: {}\n"),
                ("home/stacks/acme/prod.yml", "services: {}\n"),
                ("home/stacks/acme/deploy/.keep", ""),
                (
                    "home/stacks/b/.env",
                    "COMPOSE_FILE=x.yml;y.yml\nCOMPOSE_PATH_SEPARATOR=;\n",
                ),
                ("home/stacks/c/.keep", ""),
                ("compose.yaml", "services: {}\n"),
            ],
        );
        let home = root.join("home");
        let host = HostContext {
            home: Some(&home),
            root: None,
        };
        let inside = |p: &Path| p.starts_with(&home);
        let run_files = |run: &ComposeRun, host: &HostContext, inside: &dyn Fn(&Path) -> bool| {
            let mut sources = SourceMap::new();
            super::run_files(run, host, inside, &mut EnvFiles::default(), &mut sources)
        };
        let acme = home.join("stacks/acme");
        // -f: exactly those, no override.
        let got = run_files(
            &run_in("docker compose -f prod.yml up -d", &acme, &[]),
            &host,
            &inside,
        );
        assert_eq!(got.files, vec![acme.join("prod.yml")]);
        assert!(got.named);
        // No -f: the search goes up from the working dir and takes the override beside it.
        let got = run_files(
            &run_in("docker compose up -d", &acme.join("deploy"), &[]),
            &host,
            &inside,
        );
        assert_eq!(
            got.files,
            vec![acme.join("compose.yaml"), acme.join("compose.override.yml")]
        );
        assert!(!got.named);
        // COMPOSE_FILE from the shell, split on COMPOSE_PATH_SEPARATOR, relative to the cwd.
        let got = run_files(
            &run_in(
                "docker compose up -d",
                &acme,
                &[
                    ("COMPOSE_FILE", "compose.yaml,prod.yml"),
                    ("COMPOSE_PATH_SEPARATOR", ","),
                ],
            ),
            &host,
            &inside,
        );
        assert_eq!(
            got.files,
            vec![acme.join("compose.yaml"), acme.join("prod.yml")]
        );
        assert!(got.named);
        // ... or from the .env of the working dir, unless COMPOSE_DISABLE_ENV_FILE is true.
        let b = home.join("stacks/b");
        let got = run_files(&run_in("docker compose up -d", &b, &[]), &host, &inside);
        assert_eq!(got.files, vec![b.join("x.yml"), b.join("y.yml")]);
        let got = run_files(
            &run_in(
                "docker compose up -d",
                &b,
                &[("COMPOSE_DISABLE_ENV_FILE", "true")],
            ),
            &host,
            &inside,
        );
        assert!(got.files.is_empty(), "{got:?}");
        // The search stops at the layout's edge: the compose.yaml above the home is not read.
        let got = run_files(
            &run_in("docker compose up -d", &home.join("stacks/c"), &[]),
            &host,
            &inside,
        );
        assert!(got.files.is_empty(), "{got:?}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn two_runs_of_one_container_are_compared_not_doubled() {
        let compose = "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    ports:\n      - \"${PORT:-18789}:18789\"\n";
        let root = layout("reconcile", &[("home/s/acme/compose.yaml", compose)]);
        let home = root.join("home");
        let host = HostContext {
            home: Some(&home),
            root: None,
        };
        let dir = home.join("s/acme");
        let files = vec![dir.join("compose.yaml")];
        let load = |r: &ComposeRun| {
            let (mut sources, mut problems) = (SourceMap::new(), Vec::new());
            let mut parsed = ParsedFiles::default();
            let mut p = read_project(
                &files,
                &host,
                &[r],
                true,
                &[],
                &mut parsed,
                &mut sources,
                &mut problems,
            );
            p.invocations.remove(0)
        };
        let unit = run_in("docker compose up -d", &dir, &[]);
        let mut make = run_in("docker compose up -d", &dir, &[]);
        make.by = "Makefile:3".into();
        // The same values: one container, nothing to say.
        let mut kept = load(&unit);
        let mut seen = std::collections::HashSet::new();
        reconcile(&mut kept, load(&make), |loc| seen.insert(loc));
        assert!(kept.container.as_ref().unwrap().other_runs.is_empty());
        // Another port from the Makefile's environment: recorded, the unit's values kept.
        let mut other = run_in("docker compose up -d", &dir, &[("PORT", "28789")]);
        other.by = "Makefile:7".into();
        reconcile(&mut kept, load(&other), |loc| seen.insert(loc));
        // The same command line again: recorded once.
        reconcile(&mut kept, load(&other), |loc| seen.insert(loc));
        let c = kept.container.as_ref().unwrap();
        assert_eq!(c.published[0].host_port, 18789);
        assert_eq!(c.other_runs.len(), 1);
        assert_eq!(c.other_runs[0].by, "Makefile:7");
        assert_eq!(
            c.other_runs[0].differs,
            ["published ports (18789:18789/tcp against 28789:18789/tcp)"]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn project_names_are_normalized() {
        assert_eq!(normalize_project_name("Acme Stack.v2"), "acmestackv2");
    }
}
