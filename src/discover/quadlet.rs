//! Podman quadlets: `*.container` units in `~/.config/containers/systemd/` (rootless, with
//! `/etc/containers/systemd/users/`) and `/etc/containers/systemd/`,
//! `/usr/share/containers/systemd/` (rootful), found and loaded as Podman's generator
//! (cmd/quadlet) finds and loads them ([`files`], [`invocations`]), their drop-ins merged in
//! (`dropins`), and read as podman-systemd.unit(5) describes them: `Image=`,
//! `ContainerName=` (default `systemd-<name>`), `Exec=` (the command after the image's
//! entrypoint), `Network=host`, `PublishPort=` (podman's `-p` syntax), `Volume=`,
//! `Environment=`, `EnvironmentFile=`, `WorkingDir=`, and systemd's specifiers (`%h`).

use super::compose::{self, spec, HostContext};
use super::container_run;
use super::systemd::{self, SpecifierContext};
use crate::container::{
    Container, DropIn, Engine, HostText, Mount, MountSource, Network, Packaged,
};
use crate::invocation::Invocation;
use crate::load::env::{Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{read_bytes, read_text_lossy, ReadError, SMALL_FILE_LIMIT};
use crate::load::{unreadable, Problem, ProblemKind};
use crate::source::{FileId, Loc, SourceMap};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod dropins;
mod merged;
mod podman;
mod split;

use merged::{Merged, Part};

/// Directory entries the quadlet search looks at, over all its directories: a real quadlet
/// directory holds a few units; a pull request can hold millions of empty files.
pub const SCAN_ENTRY_BUDGET: usize = 10_000;

/// The unit types Podman's generator loads (`quadlet.SupportedExtensions`): a file of any of
/// them that it refuses drops its whole directory, and a name it loaded shadows the same
/// name in later directories, whatever the type.
const UNIT_EXTENSIONS: [&str; 8] = [
    "container",
    "volume",
    "kube",
    "network",
    "image",
    "build",
    "pod",
    "artifact",
];

/// One directory Podman's generator loads units from (a "source path").
#[derive(Debug, Default)]
pub struct SourceDir {
    pub path: PathBuf,
    /// Its entries with a unit extension, in name order (`loadUnitsFromDir`'s `os.ReadDir`).
    pub units: Vec<PathBuf>,
    /// The names of its subdirectories ending in `.d`: never source paths themselves
    /// (`skipPath`), but where drop-ins are looked for. Sorted.
    pub drop_in_dirs: Vec<std::ffi::OsString>,
}

/// What the quadlet search found, and where it stopped when it met [`SCAN_ENTRY_BUDGET`].
#[derive(Debug, Default)]
pub struct Scanned {
    /// In Podman's order: each search directory, then its subdirectories depth first in name
    /// order (`AppendSubPaths`).
    pub dirs: Vec<SourceDir>,
    /// The directory holding more entries than the budget had left: none of it, and nothing
    /// after it, was looked at.
    pub stopped_in: Option<PathBuf>,
    /// Links met on the walk (a search directory, or an entry that is no unit) whose links
    /// loop: Podman's generator fails to read each as a directory.
    pub looped: Vec<PathBuf>,
}

impl Scanned {
    /// Every unit file found, in the order Podman reads them.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.dirs
            .iter()
            .flat_map(|d| d.units.iter().map(PathBuf::as_path))
    }
}

/// A directory Podman's generator searches, and which of its subdirectories it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDir {
    pub dir: PathBuf,
    pub skip: Skip,
}

/// Subdirectories a search leaves out (`GetUserLevelFilter`, `GetNonNumericFilter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Nothing,
    /// Everything under this directory: the rootful generator skips
    /// `/etc/containers/systemd/users`, which holds users' quadlets.
    Under(PathBuf),
    /// A directory right below this one whose name is all digits (another user's uid) and
    /// what is under it: a user's generator reads `/etc/containers/systemd/users` but only
    /// its own `users/$UID` below it.
    NumericBelow(PathBuf),
}

impl Skip {
    /// The same skip, its directory named by its real path ([`real_dir`]).
    fn real(&self) -> Skip {
        let real = |dir: &PathBuf| real_dir(dir).unwrap_or_else(|| dir.clone());
        match self {
            Skip::Nothing => Skip::Nothing,
            Skip::Under(dir) => Skip::Under(real(dir)),
            Skip::NumericBelow(dir) => Skip::NumericBelow(real(dir)),
        }
    }

    fn skips(&self, path: &Path) -> bool {
        match self {
            Skip::Nothing => false,
            Skip::Under(dir) => path.starts_with(dir),
            Skip::NumericBelow(dir) => path
                .strip_prefix(dir)
                .ok()
                .and_then(|rest| rest.components().next())
                .and_then(|first| first.as_os_str().to_str())
                .is_some_and(|first| first.bytes().all(|b| b.is_ascii_digit())),
        }
    }
}

impl SearchDir {
    pub fn all(dir: PathBuf) -> Self {
        SearchDir {
            dir,
            skip: Skip::Nothing,
        }
    }
}

/// The directories a user's generator reads (`getRootlessDirs`, in its order) that a layout
/// holds: under the root, `$XDG_RUNTIME_DIR/containers/systemd` (`/run/user/$UID`, where
/// systemd puts it, when the root's passwd says the user's uid); the home's
/// `.config/containers/systemd`; then under the root `/etc/containers/systemd/users` (none of
/// the uid directories below it but the user's own), `users/$UID`, and
/// `/usr/share/containers/systemd/users` and its `users/$UID` (Podman's uid filter names
/// /etc's `users` only, so it reads every uid directory under /usr/share's). Without a root
/// the runtime directory is the running session's, in no layout, and is not read.
/// `QUADLET_UNIT_DIRS` replaces all of these when the generator's environment sets it
/// ([`generator_dirs`]).
pub fn user_dirs(home: &Path, root: Option<&Path>, uid: Option<&str>) -> Vec<SearchDir> {
    let config = SearchDir::all(home.join(".config/containers/systemd"));
    let Some(root) = root else {
        return vec![config];
    };
    let mut dirs = Vec::new();
    if let Some(uid) = uid {
        dirs.push(SearchDir::all(
            root.join("run/user").join(uid).join("containers/systemd"),
        ));
    }
    dirs.push(config);
    let admin_users = root.join("etc/containers/systemd/users");
    for base in [
        "etc/containers/systemd/users",
        "usr/share/containers/systemd/users",
    ] {
        dirs.push(SearchDir {
            dir: root.join(base),
            skip: Skip::NumericBelow(admin_users.clone()),
        });
        if let Some(uid) = uid {
            dirs.push(SearchDir::all(root.join(base).join(uid)));
        }
    }
    dirs
}

/// The directories the system's generator reads (`getRootDirs`, in its order) under the
/// root: `/run/containers/systemd` (runtime units, first), `/etc/containers/systemd` and
/// `/usr/share/containers/systemd`, each without `/etc/containers/systemd/users` (users'
/// quadlets), unless `QUADLET_UNIT_DIRS` replaces them ([`generator_dirs`]).
pub fn system_dirs(root: &Path) -> Vec<SearchDir> {
    let users = root.join("etc/containers/systemd/users");
    [
        "run/containers/systemd",
        "etc/containers/systemd",
        "usr/share/containers/systemd",
    ]
    .iter()
    .map(|d| SearchDir {
        dir: root.join(d),
        skip: Skip::Under(users.clone()),
    })
    .collect()
}

/// The directories one generator run reads ([`generator_dirs`]).
#[derive(Debug, Default)]
pub struct GeneratorDirs {
    pub dirs: Vec<SearchDir>,
    /// Whether they are `QUADLET_UNIT_DIRS`'s.
    pub from_env: bool,
    /// `QUADLET_UNIT_DIRS`'s directories outside the scanned layout, as written: not read.
    pub outside: Vec<String>,
    /// Its first entry that is not an absolute path, as written: the generator reads none
    /// from there on.
    pub relative: Option<String>,
}

/// The directories a generator run reads: `QUADLET_UNIT_DIRS` in its environment (`unit_dirs`)
/// when set, else its default ones (`defaults`). Podman's `getDirsFromEnv` reads the variable's
/// directories instead of the default ones, each with what is below it and nothing left out
/// (no uid filter), splitting it at `:` and stopping at the first entry that is not an absolute
/// path (an empty value leaves the default ones). `place` gives a directory's place in the
/// layout: one outside it is not read ([`GeneratorDirs::outside`]), and when none is inside,
/// clawlint searches the default directories instead ([`unit_dirs_outside`] says so).
pub fn generator_dirs(
    unit_dirs: Option<&str>,
    defaults: Vec<SearchDir>,
    place: &dyn Fn(&str) -> PathBuf,
) -> GeneratorDirs {
    let Some(value) = unit_dirs.filter(|v| !v.is_empty()) else {
        return GeneratorDirs {
            dirs: defaults,
            ..GeneratorDirs::default()
        };
    };
    let mut out = GeneratorDirs::default();
    // Podman skips a directory it has visited (`searchPaths.Visited`): a value naming one
    // directory many times is read once, not once per mention.
    let mut seen = HashSet::new();
    for dir in value.split(':') {
        if !dir.starts_with('/') {
            out.relative = Some(dir.to_string());
            break;
        }
        if !seen.insert(dir) {
            continue;
        }
        let placed = place(dir);
        if crate::load::layout::names_inside(&placed) {
            out.dirs.push(SearchDir::all(placed));
        } else {
            out.outside.push(dir.to_string());
        }
    }
    out.from_env = !out.dirs.is_empty();
    if !out.from_env {
        out.dirs = defaults;
    }
    out
}

/// CL902 at the `QUADLET_UNIT_DIRS` assignment (`at`) whose directories `dirs.outside` are
/// outside the scanned layout ([`generator_dirs`]).
pub fn unit_dirs_outside(dirs: &GeneratorDirs, at: Loc) -> Problem {
    let names: Vec<String> = dirs
        .outside
        .iter()
        .map(|d| crate::paths::display_path(Path::new(d)))
        .collect();
    let searched = match dirs.from_env {
        true => "it read the variable's other directories, the ones in the layout".to_string(),
        false => "it searched podman's default quadlet directories instead, which the generator does not read".to_string(),
    };
    Problem {
        kind: ProblemKind::OutsideLayout,
        message: format!(
            "QUADLET_UNIT_DIRS, set here in the environment systemd gives podman's quadlet generator, makes it read its quadlets from {} instead of its default directories, and {} outside the scanned layout: clawlint did not read {}, so the gateways the generator starts from there are not checked; {searched}",
            names.join(", "),
            if names.len() == 1 { "that is" } else { "those are" },
            if names.len() == 1 { "it" } else { "them" },
        ),
        loc: Some(at),
    }
}

/// CL904 at the `QUADLET_UNIT_DIRS` assignment (`at`) whose entry `relative` is not an
/// absolute path: Podman's `getDirsFromEnv` logs "not a valid file path" and stops there.
pub fn unit_dirs_relative(relative: &str, at: Loc) -> Problem {
    Problem {
        kind: ProblemKind::InvalidValue,
        message: format!(
            "QUADLET_UNIT_DIRS, set here in the environment systemd gives podman's quadlet generator, has an entry that is not an absolute path, `{}`: the generator logs \"not a valid file path\" and reads neither it nor any entry after it",
            shown(relative)
        ),
        loc: Some(at),
    }
}

/// The directories one generator run reads, as Podman walks them (`GetUnitDirs`,
/// `AppendSubPaths`): each search directory and its subdirectories, depth first in name
/// order, at any depth; each directory once, by its real path (`filepath.EvalSymlinks`: a
/// link to another search directory, or back up the tree, is not read again); leaving out
/// a directory whose real path ends in `.d` (drop-ins) and what the search skips. Each
/// directory's entries with a unit extension are its units, whatever they are (a FIFO, a
/// device or a symlink loop is said by the reader instead of skipped unseen; a directory
/// named `x.container` is read as Podman reads it, and fails). Bounded by
/// [`SCAN_ENTRY_BUDGET`] entries, not by depth: a directory is listed one entry past what is
/// left of the budget at most (never whole), and one with more stops the search, which says
/// where. Listed and tested where the layout's reads find them (`paths::host`: links
/// followed within a copied `--root`, never to this machine's own paths).
pub fn files(dirs: &[SearchDir]) -> Scanned {
    files_within(dirs, SCAN_ENTRY_BUDGET)
}

/// Where a directory of the walk really is, every link on it followed (Podman's
/// `filepath.EvalSymlinks`, within the layout): the key of the directories visited. `None`
/// when a link on it loops.
fn real_dir(path: &Path) -> Option<PathBuf> {
    let placed = crate::paths::on_host(path)?;
    match std::fs::canonicalize(&placed) {
        Ok(real) => Some(real),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => None,
        Err(_) => Some(placed.into_owned()),
    }
}

struct Walk<'a> {
    budget: usize,
    visited: HashSet<PathBuf>,
    skip: &'a Skip,
    /// `skip` with its directory's real path, checked against each directory's real path.
    real_skip: Skip,
    out: Vec<SourceDir>,
    looped: Vec<PathBuf>,
}

impl Walk<'_> {
    /// Walks `top` and what is below it; `Err` holds the directory with more entries than
    /// the budget had left. Depth first with a stack of its own: a deep tree costs entries
    /// of the budget, never the stack.
    fn walk(&mut self, top: &Path) -> Result<(), PathBuf> {
        let mut stack = vec![top.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Some(real) = real_dir(&dir) else {
                self.looped.push(dir);
                continue;
            };
            if real.as_os_str().as_encoded_bytes().ends_with(b".d")
                || self.skip.skips(&dir)
                || self.real_skip.skips(&real)
                || !self.visited.insert(real)
            {
                continue;
            }
            let Some(listed) = self.list(&dir)? else {
                continue;
            };
            stack.extend(listed.into_iter().rev());
        }
        Ok(())
    }

    /// Lists `dir` as a source directory; its subdirectories (and what may be one), in name
    /// order. `None` when it cannot be listed.
    fn list(&mut self, dir: &Path) -> Result<Option<Vec<PathBuf>>, PathBuf> {
        let listed = match crate::paths::host::read_dir_within(dir, &mut self.budget) {
            None => return Ok(None),
            Some(Err(())) => return Err(dir.to_path_buf()),
            Some(Ok(listed)) => listed,
        };
        let mut entries: Vec<(std::ffi::OsString, bool)> = listed
            .iter()
            .map(|e| (e.file_name(), e.file_type().is_ok_and(|t| t.is_symlink())))
            .collect();
        entries.sort();
        let mut here = SourceDir {
            path: dir.to_path_buf(),
            ..SourceDir::default()
        };
        let mut below = Vec::new();
        for (name, is_link) in entries {
            let path = dir.join(&name);
            let unit = is_unit_name(&name);
            if unit {
                here.units.push(path.clone());
            }
            if crate::paths::host::is_dir(&path) {
                if name.as_encoded_bytes().ends_with(b".d") {
                    here.drop_in_dirs.push(name);
                }
                below.push(path);
            } else if is_link && !unit && real_dir(&path).is_none() {
                // A unit's loop is said by its reader.
                self.looped.push(path);
            }
        }
        self.out.push(here);
        Ok(Some(below))
    }
}

fn files_within(dirs: &[SearchDir], entries: usize) -> Scanned {
    let mut visited = HashSet::new();
    let mut budget = entries;
    let mut out = Scanned::default();
    for search in dirs {
        let mut walk = Walk {
            budget,
            visited: std::mem::take(&mut visited),
            skip: &search.skip,
            real_skip: search.skip.real(),
            out: Vec::new(),
            looped: Vec::new(),
        };
        let walked = walk.walk(&search.dir);
        out.dirs.append(&mut walk.out);
        out.looped.append(&mut walk.looped);
        (budget, visited) = (walk.budget, walk.visited);
        if let Err(full) = walked {
            out.stopped_in = Some(full);
            break;
        }
    }
    out
}

/// Go's `filepath.Ext` of `name` is a unit type's (`.container` alone is one: Go takes a
/// name's last dot, even its first character, as its extension's start).
fn is_unit_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    let ext = bytes
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(&[][..], |dot| &bytes[dot + 1..]);
    UNIT_EXTENSIONS.iter().any(|e| e.as_bytes() == ext)
}

/// A file linked to `/dev/null`, the way a unit is masked: never opened (Podman reads it as
/// an empty file).
fn is_masked(path: &Path) -> bool {
    crate::paths::host::read_link(path).is_ok_and(|target| target == Path::new("/dev/null"))
}

/// What the walk of the search directories ([`files`]) met that stops Podman or clawlint:
/// each looping link, and CL907 where the search stopped (see [`Scanned::stopped_in`]).
pub fn said(scanned: &Scanned, sources: &mut SourceMap, problems: &mut Vec<Problem>) {
    for link in &scanned.looped {
        problems.push(looped(link, sources));
    }
    if let Some(dir) = &scanned.stopped_in {
        problems.push(stopped(dir, sources));
    }
}

/// A link in a quadlet search directory whose links loop: `filepath.EvalSymlinks` fails on
/// it, so Podman's generator adds it as a directory as written, fails to read it, and
/// reports the error (the other directories still load).
fn looped(link: &Path, sources: &mut SourceMap) -> Problem {
    let file = sources.add(link, String::new(), None);
    Problem {
        kind: ProblemKind::Unreadable,
        message: format!(
            "{} is a symlink whose links loop (too many levels of symbolic links): podman's quadlet generator fails to read it as a directory of quadlets and reports an error, so no quadlet is found there",
            crate::paths::display_path(link)
        ),
        loc: Some(crate::load::tree::file_start(file)),
    }
}

/// CL907 where the quadlet search stopped (see [`Scanned::stopped_in`]).
fn stopped(dir: &Path, sources: &mut SourceMap) -> Problem {
    let message = format!(
        "the search for Podman quadlets looks at {SCAN_ENTRY_BUDGET} directory entries at most, and {} holds more than were left: it stopped there, so quadlets in it and after it are not found",
        crate::paths::display_path(dir),
    );
    Problem::listing_stopped(dir, message, sources)
}

/// Registers a quadlet or drop-in (whole, with what of it may be shown).
fn register(path: &Path, text: String, sources: &mut SourceMap) -> crate::source::FileId {
    let shown = crate::redact::scan::unit(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    file
}

/// CL901 at the line of a quadlet or drop-in where systemd's parser fails a unit
/// ([`systemd::Stopped`]) that Podman's generator took: this container never starts. The
/// generator reads the file as bytes and checks no encoding, but copies every line into the
/// service it generates (the `[Container]` group kept as `[X-Container]`,
/// `initServiceUnitFile`; a drop-in's lines merged into its unit's), and systemd fails that
/// service at the line, so the unit is not loaded: a line that is not UTF-8, a header with a
/// quote or a backslash in its name, or one without its `]` that podman took as a key (it
/// has an `=`).
fn refused_by_systemd(at: Loc, stopped: systemd::Stopped, drop_in_of: Option<&Path>) -> Problem {
    let into = match drop_in_of {
        Some(unit) => format!(
            "podman's quadlet generator merges this drop-in into {} and copies it into the service it generates",
            crate::paths::display_path(unit)
        ),
        None => "podman's quadlet generator copies it into the service it generates".to_string(),
    };
    Problem {
        kind: ProblemKind::Unparsable,
        message: format!(
            "{}: {into}, and systemd does not load that service (it fails the file at this line, \"{}\"), so this container never starts, whatever its lines say",
            stopped.why.line(),
            stopped.why.systemd_says()
        ),
        loc: Some(at),
    }
}

/// The other quadlets of a refused directory that run a gateway, in words.
fn lost_with(lost: &[&Path]) -> String {
    let dir = lost.first().and_then(|p| p.parent());
    match lost {
        [] => String::new(),
        [one] => format!(
            ", and neither does the gateway of {}",
            crate::paths::display_path(one)
        ),
        [first, rest @ ..] => format!(
            ", and neither do the gateways of {} and {} other quadlet(s) in {}",
            crate::paths::display_path(first),
            rest.len(),
            dir.map(crate::paths::display_path).unwrap_or_default()
        ),
    }
}

/// CL901 at the line where Podman's own parser fails a quadlet ([`podman::refused`]). The
/// generator then generates nothing from the quadlet's directory: cmd/quadlet's
/// `loadUnitsFromDir` returns the error, and its caller drops every unit that directory
/// held (`if err != nil { reportError(err) } else { units = append(units, result...) }`).
/// `lost`: the other quadlets of the directory that run a gateway.
fn refused_by_podman(
    at: Loc,
    refused: podman::Refused,
    starts_with_bom: bool,
    lost: &[&Path],
) -> Problem {
    let bom = if starts_with_bom {
        " (the file starts with a UTF-8 byte order mark, which podman reads as part of the line)"
    } else {
        ""
    };
    Problem {
        kind: ProblemKind::Unparsable,
        message: format!(
            "{}{bom}: podman's quadlet generator refuses this file (\"{}\") and, with it, every quadlet in the same directory (it loads a directory's quadlets all or none), so this container never starts{}",
            refused.why.line(),
            refused.why.podman_says(),
            lost_with(lost),
        ),
        loc: Some(at),
    }
}

/// A unit file Podman's generator cannot read (a directory, a FIFO, a link loop, no
/// permission): `ParseUnitFile` fails, and so does its whole directory.
fn unreadable_unit(mut problem: Problem, lost: &[&Path]) -> Problem {
    problem.message.push_str(&format!(
        ": podman's quadlet generator fails on it and, with it, on every quadlet in the same directory (it loads a directory's quadlets all or none){}",
        lost_with(lost)
    ));
    problem
}

/// Why Podman's generator fails a unit file, and so its directory.
enum Failed {
    Refused {
        at: Loc,
        refused: podman::Refused,
        starts_with_bom: bool,
    },
    Unreadable(Problem),
}

/// What reading one unit file comes to.
enum Read {
    /// Loaded: its name is now seen; a `.container`'s lines are kept.
    Loaded(Option<Part>),
    Failed(Failed),
    /// clawlint could not read it (too large, outside the layout, gone), which it says;
    /// what Podman makes of it is not known.
    Unknown,
}

/// Reads one unit file as `loadUnitsFromDir` does.
fn read_unit_file(path: &Path, sources: &mut SourceMap, problems: &mut Vec<Problem>) -> Read {
    // A `.pod` is kept too: the containers that join it publish through it.
    let is_container = path
        .extension()
        .is_some_and(|e| e == "container" || e == "pod");
    if is_masked(path) {
        return Read::Loaded(None); // read as empty: no image, so no service
    }
    let bytes = match read_bytes(path, SMALL_FILE_LIMIT) {
        Ok(bytes) => bytes,
        // Listed, so a missing file is a link to nothing (or one removed since): Podman's
        // `ParseUnitFile` fails on it as on any other it cannot read.
        Err(err @ (ReadError::Missing | ReadError::NotRegular { .. } | ReadError::Io(_))) => {
            return Read::Failed(Failed::Unreadable(unreadable(sources, path, &err)))
        }
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            return Read::Unknown;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    match podman::parse(&text) {
        Err(refused) => {
            let starts_with_bom = refused.span.start() == 0 && text.starts_with('\u{feff}');
            let file = register(path, text.into_owned(), sources);
            let at = Loc {
                file,
                span: refused.span,
            };
            Read::Failed(Failed::Refused {
                at,
                refused,
                starts_with_bom,
            })
        }
        Ok(_) if !is_container => Read::Loaded(None),
        Ok(parsed) => Read::Loaded(Some(Part::new(path, &bytes, parsed))),
    }
}

/// The gateways the quadlets of one generator run (`scanned`) run, in Podman's order, as
/// cmd/quadlet's `process` loads them: directory by directory, a unit's name once (the first
/// directory that loads it wins; one that failed to load leaves it to the next), none from
/// a directory that holds a unit Podman's generator fails ([`refused_by_podman`]), and each
/// `.container` with its drop-ins merged in ([`dropins`]). What a quadlet's reading found
/// wrong is said either way. `manager_env`: the `DefaultEnvironment=` of the systemd manager
/// that runs the services the generator writes, each name once.
pub fn invocations(
    scanned: &Scanned,
    host: &HostContext,
    manager_env: &[(String, String)],
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<Invocation> {
    let mut seen: HashSet<&std::ffi::OsStr> = HashSet::new();
    let mut loaded: Vec<Part> = Vec::new();
    // The files Podman fails, said once every directory is read: a later directory may load
    // a file of the same name instead.
    let mut failures: Vec<(Problem, &std::ffi::OsStr)> = Vec::new();
    let mut kept: HashMap<&std::ffi::OsStr, &Path> = HashMap::new();
    for dir in &scanned.dirs {
        let mut here = Vec::new();
        let mut names = Vec::new();
        let mut failed = Vec::new();
        for path in &dir.units {
            let Some(name) = path.file_name() else {
                continue;
            };
            if seen.contains(name) {
                continue; // shadowed: Podman does not even read it
            }
            match read_unit_file(path, sources, problems) {
                Read::Loaded(part) => {
                    seen.insert(name);
                    names.push((name, path.as_path()));
                    here.extend(part);
                }
                Read::Failed(why) => failed.push((why, name)),
                Read::Unknown => {}
            }
        }
        if failed.is_empty() {
            kept.extend(names);
            loaded.append(&mut here);
            continue;
        }
        let lost: Vec<&Path> = here
            .iter()
            .filter(|part| Merged::of(std::slice::from_ref(*part)).runs_gateway(host))
            .map(|part| part.path.as_path())
            .collect();
        for (why, name) in failed {
            let problem = match why {
                Failed::Refused {
                    at,
                    refused,
                    starts_with_bom,
                } => refused_by_podman(at, refused, starts_with_bom, &lost),
                Failed::Unreadable(problem) => unreadable_unit(problem, &lost),
            };
            failures.push((problem, name));
        }
    }
    for (mut problem, name) in failures {
        if let Some(instead) = kept.get(name) {
            problem.message.push_str(&format!(
                "; it generates the service of this name from {} instead",
                crate::paths::display_path(instead)
            ));
        }
        problems.push(problem);
    }
    let (pod_units, loaded): (Vec<Part>, Vec<Part>) = loaded
        .into_iter()
        .partition(|p| p.path.extension().is_some_and(|e| e == "pod"));
    let mut generator = Generator {
        manager_env,
        pods: Pods::new(pod_units),
    };
    let mut drop_ins = dropins::Finder::new(&scanned.dirs);
    let mut out = Vec::new();
    for unit in loaded {
        if let Some(gateway) =
            with_drop_ins(unit, &mut drop_ins, &mut generator, host, sources, problems)
        {
            out.push(gateway);
        }
    }
    out
}

/// What every container of one generator shares: the `DefaultEnvironment=` of the manager
/// that runs the services, and the pods it loaded.
struct Generator<'a> {
    manager_env: &'a [(String, String)],
    pods: Pods,
}

/// The `.pod` quadlets loaded beside the containers, by file name: a container with `Pod=`
/// joins that pod's network namespace, and what reaches the host is what the pod publishes
/// (its `[Pod]` `PublishPort=`; podman-systemd.unit(5)). Each pod file is registered once, when
/// a container first names it. (A pod's drop-ins are not read.)
struct Pods {
    units: HashMap<std::ffi::OsString, (Part, Option<FileId>)>,
}

impl Pods {
    fn new(units: Vec<Part>) -> Pods {
        let units = units
            .into_iter()
            .filter_map(|p| Some((p.path.file_name()?.to_os_string(), (p, None))))
            .collect();
        Pods { units }
    }

    /// The pod `name` (`agent-stack.pod`), registered, when it was loaded.
    fn get(&mut self, name: &str, sources: &mut SourceMap) -> Option<(&Part, FileId)> {
        let (part, file) = self.units.get_mut(std::ffi::OsStr::new(name))?;
        // Its text goes to the source map (the parsed unit stays here for its values).
        let file = *file
            .get_or_insert_with(|| register(&part.path, std::mem::take(&mut part.text), sources));
        Some((part, file))
    }
}

/// The gateway a loaded `.container` runs with its drop-ins merged in, if it runs one. A
/// drop-in Podman's parser refuses is said and skipped; a line of the unit or of a drop-in
/// that systemd fails in the generated service means no container ([`refused_by_systemd`]).
fn with_drop_ins(
    unit: Part,
    drop_ins: &mut dropins::Finder,
    generator: &mut Generator,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let unit_path = unit.path.clone();
    let mut parts = vec![unit];
    // Each drop-in as resolve lists it, in merge order: a merged one's parts are parts[1..].
    let mut listed = Vec::new();
    // The file name of every drop-in the unit has, whatever it sets: a fix's must sort after.
    let mut drop_in_names = Vec::new();
    for found in drop_ins.for_unit(&unit_path, sources, problems) {
        let path = found.path.clone();
        drop_in_names.extend(path.file_name().map(std::ffi::OsStr::to_os_string));
        match drop_ins.read(&path, sources, problems) {
            dropins::Read::Merged(part) => {
                parts.push(part);
                listed.push(Listed::Merged(found));
            }
            dropins::Read::Masked => listed.push(Listed::Masking(found)),
            dropins::Read::Refused(text, refused) => {
                if drop_ins.first_said(&path) {
                    let file = register(&path, text, sources);
                    let at = Loc {
                        file,
                        span: refused.span,
                    };
                    problems.push(dropins::skipped(at, refused, &unit_path));
                }
            }
            dropins::Read::Nothing => {}
        }
    }
    let stopped = parts
        .iter()
        .enumerate()
        .find_map(|(i, p)| p.stopped.map(|s| (i, s)));
    if let Some((i, stopped)) = stopped {
        let part = &mut parts[i];
        if i == 0 || drop_ins.first_said(&part.path) {
            let file = register(&part.path, std::mem::take(&mut part.text), sources);
            let at = Loc {
                file,
                span: stopped.span,
            };
            let drop_in_of = (i > 0).then_some(unit_path.as_path());
            problems.push(refused_by_systemd(at, stopped, drop_in_of));
        }
        return None;
    }
    if !Merged::of(&parts).runs_gateway(host) {
        return None;
    }
    let files: Vec<FileId> = parts
        .iter_mut()
        .map(|p| register(&p.path, std::mem::take(&mut p.text), sources))
        .collect();
    let drop_ins = listed_drop_ins(listed, &parts, &files, sources);
    let mut gateway = invocation(
        &unit_path,
        Merged::of(&parts),
        &files,
        generator,
        host,
        sources,
        problems,
    )?;
    if let Some(c) = gateway.container.as_mut() {
        c.drop_ins = drop_ins;
        c.packaged = packaged(&unit_path, &drop_in_names, host, sources);
    }
    Some(gateway)
}

/// The host ports `PublishPort=` lines publish (podman's `-p` syntax); one podman rejects is
/// said where it is written.
fn publish_ports(
    lines: Vec<merged::Found>,
    at: &dyn Fn(merged::Found) -> Loc,
    expand: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> Vec<crate::container::Published> {
    let mut published = Vec::new();
    for found in lines {
        let value = &found.1.value;
        match spec::parse_port(&expand(value)) {
            Ok(p) => published.extend(p.published(at(found), &[], HostText::Entry)),
            Err(why) => problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("podman rejects PublishPort={}: {why}", shown(value)),
                loc: Some(at(found)),
            }),
        }
    }
    published
}

/// What a container that joins `pod` (registered as `file`) has on the host: the pod's
/// `PublishPort=`s and its `Network=` (the pod's namespace is the container's).
fn pod_network(
    pod: &Part,
    file: FileId,
    expand: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> (Vec<crate::container::Published>, Network) {
    let unit = Merged::of(std::slice::from_ref(pod));
    let at = |(_, line): merged::Found| Loc {
        file,
        span: line.value_span,
    };
    let published = publish_ports(unit.all("Pod", "PublishPort"), &at, expand, problems);
    let network = match unit
        .all("Pod", "Network")
        .last()
        .map(|(_, l)| l.value.as_str())
    {
        Some("host") => Network::Host,
        _ => Network::Isolated,
    };
    (published, network)
}

/// A drop-in Podman takes for a quadlet: merged, or a link to `/dev/null` (which sets
/// nothing).
enum Listed {
    Merged(dropins::Found),
    Masking(dropins::Found),
}

/// The drop-ins resolve lists for a quadlet, in merge order: each merged one (`parts[1..]`,
/// registered as `files[1..]`), and the ones hidden by a file of their name that sets nothing
/// (an empty file, a link to `/dev/null`), as masked by it.
fn listed_drop_ins(
    listed: Vec<Listed>,
    parts: &[Part],
    files: &[FileId],
    sources: &mut SourceMap,
) -> Vec<DropIn> {
    let mut out = Vec::new();
    let mut merged = parts[1..].iter().zip(&files[1..]);
    for entry in listed {
        let (found, masking) = match entry {
            Listed::Merged(found) => {
                let Some((part, &file)) = merged.next() else {
                    continue;
                };
                let sets_nothing = part.parsed.lines.is_empty();
                let hides = found.hides.iter().map(|(path, _)| path.clone()).collect();
                out.push(DropIn {
                    path: found.path.clone(),
                    loc: crate::load::tree::file_start(file),
                    dir_name: found.dir_name.clone(),
                    hides,
                    masked_by: None,
                });
                (found, sets_nothing.then_some(file))
            }
            // Not merged, so not listed itself; where the masked ones point.
            Listed::Masking(found) if !found.hides.is_empty() => {
                let file = sources.add(&found.path, String::new(), None);
                (found, Some(file))
            }
            Listed::Masking(_) => continue,
        };
        let Some(file) = masking else {
            continue;
        };
        out.extend(found.hides.into_iter().map(|(path, dir_name)| DropIn {
            path,
            loc: crate::load::tree::file_start(file),
            dir_name,
            hides: Vec::new(),
            masked_by: Some(found.path.clone()),
        }));
    }
    out
}

/// The unit name and `%`-specifier context of the quadlet at `path`.
fn specifiers(path: &Path, host: &HostContext) -> (String, String, SpecifierContext) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unit_name = format!("{stem}.service");
    let ctx = SpecifierContext {
        home: host.home_or_tilde().display().to_string(),
        user: None,
        unit_name: unit_name.clone(),
    };
    (stem, unit_name, ctx)
}

/// What a merged quadlet runs: its image, whether that is OpenClaw's, and its command
/// (`Exec=` split as podman splits it ([`split`]), or the image's own for OpenClaw's image).
struct Runs<'a> {
    image: Option<(String, merged::Found<'a>)>,
    openclaw_image: bool,
    /// The `Exec=` line the command is from (`None`: the image's own command).
    exec: Option<merged::Found<'a>>,
    argv: Vec<String>,
    /// `Exec=`'s words as written (before specifiers and variables), for their places.
    written: Vec<String>,
    /// The `Exec=` line podman cannot split, and why: it drops the key (with a warning) and
    /// runs the image's own command.
    exec_dropped: Option<(merged::Found<'a>, &'static str)>,
    /// The variables systemd substitutes in the command that nothing clawlint read sets, as
    /// written: read as unset ([`substituted`]).
    unset: Vec<String>,
}

/// The service's environment below the quadlet's own `[Service]` `Environment=` lines: the
/// manager's `DefaultEnvironment=` (`manager`), and the variables of the quadlet's
/// `[Service]` `EnvironmentFile=`s, above them (`files`, [`service_env_files`]). Empty when
/// only asking whether a quadlet runs a gateway.
#[derive(Clone, Copy, Default)]
struct ServiceEnv<'a> {
    manager: &'a [(String, String)],
    files: &'a [(String, String)],
}

fn runs<'a>(unit: Merged<'a>, ctx: &SpecifierContext, service_env: ServiceEnv) -> Runs<'a> {
    let expand = |v: &str| systemd::expand_specifiers(v, ctx).0;
    let image = unit
        .lookup("Container", "Image")
        .map(|(value, found)| (expand(&value), found));
    let openclaw_image = image
        .as_ref()
        .is_some_and(|(image, _)| compose::is_openclaw_image(image));
    let gateway_cmd = image
        .as_ref()
        .is_some_and(|(image, _)| compose::image_cmd_starts_gateway(image));
    let mut exec = unit.last("Container", "Exec");
    let mut exec_dropped = None;
    // Podman splits the value; systemd expands the specifiers in each word of the
    // `ExecStart=` it is written into.
    let words = exec.map(|(_, line)| split::exec_words(&line.value));
    let mut written = Vec::new();
    let (argv, unset) = match words {
        Some(Ok(words)) => {
            let run = substituted(unit, words.iter().map(|w| expand(w)), &expand, service_env);
            written = words;
            run
        }
        Some(Err(why)) => {
            exec_dropped = exec.take().map(|found| (found, why));
            (image_command(gateway_cmd), Vec::new())
        }
        None => (image_command(gateway_cmd), Vec::new()),
    };
    Runs {
        image,
        openclaw_image,
        exec,
        argv,
        written,
        exec_dropped,
        unset,
    }
}

/// Where each of `Exec=`'s words (`written`) is in the file, in order, for as many as are
/// written as they read (a quoted or escaped word, and the words after it, have none). Each
/// word is looked for after the one before, in `value`, the value's place in `text`; none
/// when a comment line sits among the value's continued lines, where a word could be found
/// in the comment.
fn exec_word_places(written: &[String], text: &str, value: Span) -> Vec<Span> {
    let Some(raw) = text.get(value.start()..value.end()) else {
        return Vec::new();
    };
    let comment_between = raw
        .lines()
        .skip(1)
        .any(|line| line.trim_start().starts_with(['#', ';']));
    if comment_between {
        return Vec::new();
    }
    // Only a whole word counts: an escaped word (`\s`) is not found as itself.
    let bounds = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '"' || c == '\'');
    let mut places = Vec::new();
    let mut cursor = 0;
    for word in written {
        let Some(at) = raw[cursor..].find(word.as_str()).map(|at| cursor + at) else {
            break;
        };
        let end = at + word.len();
        if word.is_empty()
            || !bounds(raw[..at].chars().next_back())
            || !bounds(raw[end..].chars().next())
        {
            break;
        }
        cursor = end;
        places.push(Span::new(value.start() + at, value.start() + end));
    }
    places
}

/// The command as systemd runs it: podman's generator writes it, unescaped `$` and all, into
/// the `ExecStart=` of the service it generates (podman-systemd.unit(5): `Exec=` has "the
/// same format as systemd command lines"), and systemd substitutes `$NAME` and `${NAME}`
/// there from the service's environment, built as for any unit (systemd.exec(5)), later ones
/// winning: the manager's `DefaultEnvironment=`, the quadlet's `[Service]` `Environment=`
/// lines (not `[Container]`'s, which only the container sees), then what its `[Service]`
/// `EnvironmentFile=`s set (`service_env`). What the manager's own environment sets beyond
/// its configuration files is not read, so the variables nothing here sets are read as
/// unset, as systemd reads them when nothing sets them, and returned as written.
fn substituted(
    unit: Merged,
    words: impl Iterator<Item = String>,
    expand: &dyn Fn(&str) -> String,
    service_env: ServiceEnv,
) -> (Vec<String>, Vec<String>) {
    let mut env: Vec<(String, String)> = service_env.manager.to_vec();
    for (_, line) in unit.all("Service", "Environment") {
        let (assignments, _) = systemd::parse_environment(&line.value);
        env.extend(assignments.into_iter().map(|(k, v, _)| (k, expand(&v))));
    }
    env.extend_from_slice(service_env.files);
    // Podman's own arguments come first on the line: one empty word stands for them.
    let line: Vec<String> = std::iter::once(String::new()).chain(words).collect();
    let set: std::collections::HashSet<&str> = env.iter().map(|(key, _)| key.as_str()).collect();
    let unset = systemd::exec_variables(&line)
        .into_iter()
        .filter(|(name, _)| !set.contains(name.as_str()))
        .map(|(_, written)| written)
        .collect();
    let mut argv = systemd::expand_exec_variables(&line, &env);
    argv.remove(0);
    (argv, unset)
}

/// The variables the quadlet's `[Service]` `EnvironmentFile=`s set, in order: systemd reads
/// them when it starts the service, and they win over `Environment=`. A file systemd cannot
/// read stops the service unless its path starts with `-` (said); a glob, or a file clawlint
/// cannot read for its own reasons (said by the reader), sets nothing clawlint knows.
fn service_env_files(
    unit: Merged,
    files: &[FileId],
    place: &dyn Fn(&str) -> PathBuf,
    expand: &dyn Fn(&str) -> String,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (part, line) in unit.all("Service", "EnvironmentFile") {
        let (raw, optional) = systemd::parse_environment_file_ref(&line.value);
        let raw = expand(raw.trim());
        if raw.contains(['*', '?', '[']) {
            continue;
        }
        let path = place(&raw);
        let text = match read_text_lossy(&path, SMALL_FILE_LIMIT) {
            Ok((text, _)) => text,
            Err(ReadError::Missing) if optional => continue,
            Err(err @ (ReadError::Missing | ReadError::NotRegular { .. } | ReadError::Io(_)))
                if !optional =>
            {
                problems.push(Problem {
                    kind: ProblemKind::Unreadable,
                    message: format!(
                        "EnvironmentFile {} cannot be read ({}): systemd refuses to start the service podman's quadlet generator writes from this quadlet (a path that starts with `-` may be missing)",
                        crate::paths::display_path(&path),
                        err.describe()
                    ),
                    loc: Some(Loc {
                        file: files[part],
                        span: line.value_span,
                    }),
                });
                continue;
            }
            Err(err) => {
                problems.push(unreadable(sources, &path, &err));
                continue;
            }
        };
        let (entries, _) = systemd::parse_environment_file(&text);
        let shown = crate::redact::scan::env_lines(&text);
        let file = sources.add(&path, text, None);
        sources.show(file, shown);
        out.extend(entries.into_iter().map(|e| (e.key, e.value)));
    }
    out
}

/// The home a quadlet's host paths were written under: that of its first `Volume=` source
/// or `EnvironmentFile=` under `/home/<user>`, `/Users/<user>` or `/root`
/// (`Volume=/home/openclaw/.openclaw:/home/node/.openclaw`).
fn written_home(unit: Merged, expand: &dyn Fn(&str) -> String) -> Option<String> {
    let volumes = unit
        .all("Container", "Volume")
        .into_iter()
        .map(|(_, line)| {
            let value = expand(&line.value);
            value.split(':').next().unwrap_or_default().to_string()
        });
    let env_files = (unit.all("Container", "EnvironmentFile").into_iter())
        .chain(unit.all("Service", "EnvironmentFile"))
        .map(|(_, line)| expand(line.value.trim_start_matches('-').trim()));
    volumes
        .chain(env_files)
        .find_map(|path: String| super::services::home_of_path(&path))
}

/// CL502 at an `Exec=` whose variables clawlint cannot expand ([`substituted`]).
fn unset_in_command(at: Loc, unset: &[String]) -> Problem {
    Problem {
        kind: ProblemKind::MissingEnvVar,
        message: format!(
            "this Exec= uses {}, which systemd substitutes in the ExecStart= podman's quadlet generator writes, from the service's environment, and neither an Environment= or EnvironmentFile= of the quadlet's [Service] nor the service manager's DefaultEnvironment= or (a user manager's) environment.d files in the scanned layout sets {} ([Container]'s Environment= is the container's own): clawlint reads the command as systemd does when nothing sets {}, and cannot say what this gateway runs with",
            unset.join(", "),
            if unset.len() == 1 { "it" } else { "them" },
            if unset.len() == 1 { "it" } else { "them" },
        ),
        loc: Some(at),
    }
}

/// The command a container runs without `Exec=`: OpenClaw's image's own
/// ([`compose::image_cmd_starts_gateway`]), or one clawlint does not know.
fn image_command(gateway_cmd: bool) -> Vec<String> {
    match gateway_cmd {
        true => compose::IMAGE_CMD.iter().map(|s| s.to_string()).collect(),
        false => Vec::new(),
    }
}

impl Merged<'_> {
    /// Whether the quadlet (with what is merged into it) runs a gateway.
    fn runs_gateway(self, host: &HostContext) -> bool {
        let Some(part) = self.parts.first() else {
            return false;
        };
        let (_, _, ctx) = specifiers(&part.path, host);
        let runs = runs(self, &ctx, ServiceEnv::default());
        compose::runs_gateway(&runs.argv, runs.openclaw_image)
    }
}

/// The gateway a quadlet Podman's generator takes runs (its drop-ins merged in), if it runs
/// one. `files`: the registered file of each part.
fn invocation(
    path: &Path,
    unit: Merged,
    files: &[FileId],
    generator: &mut Generator,
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let (stem, unit_name, ctx) = specifiers(path, host);
    let expand = |v: &str| systemd::expand_specifiers(v, &ctx).0;
    // A relative path is the quadlet's own directory's, whichever drop-in says it.
    let dir = path.parent().unwrap_or(Path::new("."));
    // Host paths written under the home they were written for are read under the scanned
    // home, as a unit's are (a copied home, or one given beside a copied root).
    let written = written_home(unit, &expand);
    let place = |raw: &str| -> PathBuf {
        let below = written.as_deref().and_then(|w| raw.strip_prefix(w));
        match below.filter(|rest| rest.is_empty() || rest.starts_with('/')) {
            Some(rest) => host.host_path(&format!("~{rest}"), dir),
            None => host.host_path(raw, dir),
        }
    };
    let service_files = service_env_files(unit, files, &place, &expand, sources, problems);
    let Runs {
        image,
        openclaw_image,
        exec,
        argv,
        written,
        exec_dropped,
        unset,
    } = runs(
        unit,
        &ctx,
        ServiceEnv {
            manager: generator.manager_env,
            files: &service_files,
        },
    );
    if !compose::runs_gateway(&argv, openclaw_image) {
        return None;
    }
    let at = |(part, line): merged::Found| Loc {
        file: files[part],
        span: line.value_span,
    };
    if let Some((found, why)) = exec_dropped {
        problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            message: format!(
                "podman cannot split this Exec= into words (\"{why}\": it decodes C escapes such as \\n, \\s and \\x41, and no other), so its quadlet generator drops the key and the container runs the image's own command"
            ),
            loc: Some(at(found)),
        });
    }
    if let Some(found) = exec.filter(|_| !unset.is_empty()) {
        problems.push(unset_in_command(at(found), &unset));
    }
    let mut env = Env::new();
    if openclaw_image {
        // `User=` is podman's `--user`: root's home is `/root` (see `image_user_home`).
        let user = unit
            .lookup("Container", "User")
            .map(|(value, _)| expand(&value));
        let home = user
            .as_deref()
            .and_then(super::container_run::image_user_home);
        env.set(
            "HOME",
            home.unwrap_or(compose::IMAGE_HOME).to_string(),
            EnvOrigin::Given,
        );
    }
    for found in unit.all("Container", "EnvironmentFile") {
        let raw = expand(&found.1.value);
        let file_path = place(&raw);
        // Podman's generator passes it on as `--env-file`: podman reads it, as it reads one.
        container_run::read_env_file(
            container_run::Cli::Podman,
            "EnvironmentFile",
            &file_path,
            at(found),
            &Env::new(),
            &mut env,
            sources,
            problems,
        );
    }
    for found in unit.all("Container", "Environment") {
        let (part, line) = found;
        let (assignments, errors) = systemd::parse_environment(&line.value);
        for (key, value, span) in assignments {
            let loc = Loc {
                file: files[part],
                span: Span::new(
                    line.value_span.start() + span.start(),
                    line.value_span.start() + span.end(),
                ),
            };
            env.set(&key, expand(&value), EnvOrigin::Container(loc));
        }
        for e in errors {
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: e,
                loc: Some(at(found)),
            });
        }
    }
    let mut published = publish_ports(unit.all("Container", "PublishPort"), &at, &expand, problems);
    let mut mounts = Vec::new();
    for found in unit.all("Container", "Volume") {
        let value = expand(&found.1.value);
        match podman_volume(&value) {
            Ok(v) => {
                let source = match v.kind {
                    spec::VolumeKind::Bind => MountSource::Bind(place(&v.source)),
                    spec::VolumeKind::Volume => MountSource::Volume(volume_name(&v.source)),
                    _ => MountSource::Private,
                };
                mounts.push(Mount::new(
                    source,
                    PathBuf::from(&v.target),
                    v.read_only,
                    at(found),
                ));
            }
            Err(why) => problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("podman rejects Volume={}: {why}", shown(&found.1.value)),
                loc: Some(at(found)),
            }),
        }
    }
    let mut network = match unit
        .all("Container", "Network")
        .last()
        .map(|(_, line)| line.value.as_str())
    {
        Some("host") => Network::Host,
        Some(other) if other.starts_with("container:") => Network::Shared(other.to_string()),
        _ => Network::Isolated,
    };
    if let Some((pod_name, _)) = unit.lookup("Container", "Pod") {
        if let Some((pod, file)) = generator.pods.get(&expand(&pod_name), sources) {
            (published, network) = pod_network(pod, file, &expand, problems);
        }
    }
    let name = unit
        .lookup("Container", "ContainerName")
        .map(|(value, _)| expand(&value))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| default_container_name(&stem));
    let command_loc = exec.map(at);
    let places = match exec {
        // A variable systemd splits into several words leaves no word where it was written.
        Some((part, line)) if written.len() == argv.len() => {
            exec_word_places(&written, &sources.file(files[part]).text, line.value_span)
                .into_iter()
                .map(|span| Loc {
                    file: files[part],
                    span,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let image_loc = image.as_ref().map(|(_, found)| at(*found));
    let key_loc = unit.header("Container").map_or(
        Loc {
            file: files[0],
            span: Span::new(0, 0),
        },
        |(part, span)| Loc {
            file: files[part],
            span,
        },
    );
    let cwd = unit
        .lookup("Container", "WorkingDir")
        .map(|(value, _)| PathBuf::from(expand(&value)))
        .unwrap_or_else(|| PathBuf::from(compose::IMAGE_WORKDIR));
    let image = image.map(|(image, _)| image);
    let container = Container {
        image,
        image_loc,
        network,
        published,
        mounts,
        host_home: host.home_or_tilde().to_path_buf(),
        ..Container::new(
            Engine::Quadlet,
            name,
            unit_name,
            path.to_path_buf(),
            key_loc,
        )
    };
    let start = compose::ContainerStart {
        argv,
        command_loc,
        places,
        env,
        cwd,
    };
    Some(compose::container_invocation(container, start))
}

/// For a quadlet under the package manager's tree, `/usr/share/containers/systemd`: the
/// tree, and the administrator's drop-in that overrides it ([`Packaged`]) in the same
/// directory under `/etc/containers/systemd` (which the same generator reads: `users/1000`
/// stays `users/1000`), named to sort after every drop-in of the unit (`drop_in_names`,
/// [`Packaged::drop_in_name`]), registered to be created when nothing is there.
fn packaged(
    path: &Path,
    drop_in_names: &[std::ffi::OsString],
    host: &HostContext,
    sources: &mut SourceMap,
) -> Option<Box<Packaged>> {
    let root = host.root?;
    let tree = root.join("usr/share/containers/systemd");
    let below = path.parent()?.strip_prefix(&tree).ok()?;
    let mut dir_name = path.file_name()?.to_os_string();
    dir_name.push(".d");
    let name = Packaged::drop_in_name(drop_in_names.iter().map(|n| n.as_os_str()));
    let drop_in_path = root
        .join("etc/containers/systemd")
        .join(below)
        .join(dir_name)
        .join(name);
    let drop_in =
        (!crate::paths::host::is_there(&drop_in_path)).then(|| sources.add_new(&drop_in_path));
    Some(Box::new(Packaged {
        tree,
        drop_in,
        drop_in_path,
    }))
}

/// `getContainerName`'s default: `systemd-%N` (the unit's name), or `systemd-%p_%i` for a
/// template instance (`tpl@a.container` runs `systemd-tpl_a`).
fn default_container_name(stem: &str) -> String {
    match stem.split_once('@') {
        Some((prefix, instance)) => format!("systemd-{prefix}_{instance}"),
        None => format!("systemd-{stem}"),
    }
}

/// A value as said in a message: its control characters escaped (a `\r` inside a line is
/// part of Podman's value).
fn shown(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `data.volume` is the quadlet volume unit's volume, `systemd-data`; a plain name is itself.
/// `Volume=` as quadlet and podman split it on Linux: at every `:` (quadlet's
/// `strings.SplitN(volume, ":", 3)`, then podman's `specgen.SplitVolumeString`, which takes a
/// drive letter's `:` as no separator only under WSL or on Windows), into
/// `[SOURCE:]TARGET[:OPTIONS]`. A source starting with `/` or `.` is a host path (`.` from the
/// unit's directory, as quadlet resolves it), anything else a named volume (`NAME.volume` is
/// quadlet's `systemd-NAME`): so `c:/data` mounts the volume `c`, not a Windows drive, unlike
/// Compose's reading ([`spec::parse_volume`]).
pub(crate) fn podman_volume(raw: &str) -> Result<spec::VolumeSpec, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (source, target, options) = match parts.as_slice() {
        [target] => ("", *target, ""),
        [source, target] => (*source, *target, ""),
        [source, target, options] => (*source, *target, *options),
        _ => {
            return Err(
                "incorrect volume format, should be [host-dir:]ctr-dir[:option]".to_string(),
            )
        }
    };
    if parts.len() > 1 && source.is_empty() {
        return Err("host directory cannot be empty".to_string());
    }
    if !target.starts_with('/') {
        return Err(format!(
            "invalid container path {target:?}, must be an absolute path"
        ));
    }
    let kind = if source.is_empty() {
        spec::VolumeKind::Anonymous
    } else if source.starts_with(['/', '.']) {
        spec::VolumeKind::Bind
    } else {
        let valid = source
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !valid {
            return Err(format!(
                "{source:?} is no host path (those start with / or .) and no valid volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)"
            ));
        }
        spec::VolumeKind::Volume
    };
    Ok(spec::VolumeSpec {
        kind,
        source: source.to_string(),
        target: target
            .trim_end_matches('/')
            .to_string()
            .max("/".to_string()),
        read_only: options.split(',').any(|o| o == "ro"),
    })
}

fn volume_name(source: &str) -> String {
    match source.strip_suffix(".volume") {
        Some(stem) => format!("systemd-{stem}"),
        None => source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{generator_dirs, podman_volume};
    use crate::discover::compose::spec::VolumeKind;
    use std::path::PathBuf;

    #[test]
    fn a_unit_dir_named_many_times_is_searched_once() {
        let value = ["/srv/q", "/etc/q"].repeat(5_000).join(":");
        let dirs = generator_dirs(Some(&value), Vec::new(), &|d| PathBuf::from(d));
        assert_eq!(dirs.dirs.len() + dirs.outside.len(), 2, "{dirs:?}");
    }

    #[test]
    fn the_first_relative_unit_dir_ends_the_list_and_is_kept_to_be_said() {
        let dirs = generator_dirs(Some("/a:~/q:/b"), Vec::new(), &|d| PathBuf::from(d));
        assert_eq!(dirs.dirs.len() + dirs.outside.len(), 1, "{dirs:?}");
        assert_eq!(dirs.relative.as_deref(), Some("~/q"));
        let dirs = generator_dirs(Some("/a:/b"), Vec::new(), &|d| PathBuf::from(d));
        assert_eq!(dirs.relative, None);
    }

    fn read(raw: &str) -> (VolumeKind, String, String, bool) {
        let v = podman_volume(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        (v.kind, v.source, v.target, v.read_only)
    }

    #[test]
    fn volumes_split_at_every_colon_as_podman_does_on_linux() {
        let s = String::from;
        assert_eq!(
            read("/home/ana/.openclaw:/home/node/.openclaw:Z,ro"),
            (
                VolumeKind::Bind,
                s("/home/ana/.openclaw"),
                s("/home/node/.openclaw"),
                true
            )
        );
        assert_eq!(
            read("./config:/home/node/.openclaw"),
            (
                VolumeKind::Bind,
                s("./config"),
                s("/home/node/.openclaw"),
                false
            )
        );
        assert_eq!(
            read("openclaw.volume:/home/node/.openclaw"),
            (
                VolumeKind::Volume,
                s("openclaw.volume"),
                s("/home/node/.openclaw"),
                false
            )
        );
        assert_eq!(
            read("/home/node/.openclaw"),
            (
                VolumeKind::Anonymous,
                s(""),
                s("/home/node/.openclaw"),
                false
            )
        );
        // A single letter before `:` is a volume's name on Linux (Compose would read a drive).
        assert_eq!(
            read("c:/data"),
            (VolumeKind::Volume, s("c"), s("/data"), false)
        );
        assert_eq!(
            read("C:/home/node/.openclaw:ro"),
            (VolumeKind::Volume, s("C"), s("/home/node/.openclaw"), true)
        );
    }

    /// A line systemd does not take as UTF-8 anywhere but in a comment: the service quadlet
    /// generates from it is not loaded, so no container (one CL901 at the first bad byte).
    #[test]
    fn a_line_that_is_not_utf8_means_no_container() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let host = super::HostContext {
            home: Some(&dir),
            root: None,
        };
        let quadlet = dir.join("gw.container");
        let run = |bytes: &[u8]| {
            std::fs::write(&quadlet, bytes).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let found = super::invocations(
                &super::files(&[super::SearchDir::all(dir.clone())]),
                &host,
                &[],
                &mut sources,
                &mut problems,
            );
            (!found.is_empty(), problems)
        };
        let image = b"[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n".to_vec();
        let (found, problems) = run(&[&image[..], b"PublishPort=19100:18789\n"].concat());
        assert!(found && problems.is_empty(), "{problems:?}");
        let (found, problems) = run(&[&image[..], b"Label=a=caf\xe9\n"].concat());
        assert!(!found);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, crate::load::ProblemKind::Unparsable);
        let span = problems[0].loc.unwrap().span;
        assert_eq!(span.start(), image.len() + "Label=a=caf".len());
        // U+FFFE is UTF-8 to podman, not to systemd.
        let (found, _) = run(&[&image[..], "Label=a=\u{FFFE}\n".as_bytes()].concat());
        assert!(!found);
        let (found, problems) = run(&[b"# caf\xe9\n", &image[..]].concat());
        assert!(found && problems.is_empty(), "{problems:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A malformed section header, after or before the `[Container]` group: podman's generator
    /// refuses the file (`[x` with no `]` nor `=`, text after the `]`) or systemd refuses the
    /// service it generates (a quote in the name, a `[x=y` podman took as a key): no container,
    /// one CL901 at the header, whatever the lines around it say.
    #[test]
    fn a_malformed_section_header_means_no_container() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-hdr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let host = super::HostContext {
            home: Some(&dir),
            root: None,
        };
        let quadlet = dir.join("gw.container");
        let image = "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n";
        for (text, header, says) in [
            (
                format!("{image}PublishPort=19100:18789\n[Service\n"),
                "[Service",
                "generator refuses this file (\"which is not a key-value pair",
            ),
            (
                format!("{image}[Install]  x\n"),
                "[Install]  x",
                "generator refuses this file (\"which is not a key-value pair",
            ),
            (
                format!("{image}[Install=x\n"),
                "[Install=x",
                "does not end with `]`",
            ),
            (format!("[Unit]\n  [a\"b]\n{image}"), "[a\"b]", "a quote"),
        ] {
            std::fs::write(&quadlet, &text).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let found = super::invocations(
                &super::files(&[super::SearchDir::all(dir.clone())]),
                &host,
                &[],
                &mut sources,
                &mut problems,
            );
            assert!(found.is_empty(), "{text}");
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].message.contains(says), "{problems:?}");
            let span = problems[0].loc.unwrap().span;
            assert_eq!(&text[span.start()..span.end()], header);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The lines Podman's own parser refuses and systemd only warns about (a line that is no
    /// comment, group or pair, a pair before any group, an empty group name, a `[` or a control
    /// character in one, a byte order mark): the generator makes no service of the file, nor
    /// of any other quadlet in its directory (a gateway there is lost, and said), while a
    /// quadlet in a subdirectory, which Podman loads as a directory of its own, still runs.
    /// One CL901 at the line. Look-alikes Podman takes run.
    #[test]
    fn a_line_podman_refuses_means_no_container_in_its_directory() {
        let dir = std::env::temp_dir().join(format!("clawlint-quadlet-pod-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        let host = super::HostContext {
            home: Some(&dir),
            root: None,
        };
        let image = "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n";
        let bad = dir.join("a.container");
        let sibling = dir.join("b.container");
        let below = sub.join("c.container");
        std::fs::write(&sibling, format!("{image}PublishPort=19200:18789\n")).unwrap();
        std::fs::write(&below, format!("{image}PublishPort=19300:18789\n")).unwrap();
        let run = |text: &str| {
            std::fs::write(&bad, text).unwrap();
            let mut sources = crate::source::SourceMap::new();
            let mut problems = Vec::new();
            let scanned = super::files(&[super::SearchDir::all(dir.clone())]);
            let found = super::invocations(&scanned, &host, &[], &mut sources, &mut problems);
            let names: Vec<String> = found.iter().map(|i| i.name.clone()).collect();
            (names, problems)
        };
        for (text, line, says) in [
            (
                format!("{image}garbage\n"),
                "garbage",
                "not a comment, a `[group]`",
            ),
            (
                format!("Image=x\n{image}"),
                "Image=x",
                "before any `[group]`",
            ),
            (format!("{image}[]\n"), "[]", "name is empty"),
            (format!("{image}  [a[b]  \n"), "[a[b]", "name is empty"),
            (
                format!("{image}[a\u{85}b]\n"),
                "[a\u{85}b]",
                "control character",
            ),
            (
                format!("{image}[a]b]\n"),
                "[a]b]",
                "not a comment, a `[group]`",
            ),
            (
                format!("{image}Exec=gateway \\\n  # a comment\n  run\nstray \\\n words\n"),
                "stray \\\n words",
                "not a comment",
            ),
            (
                format!("\u{feff}{image}"),
                "\u{feff}[Container]",
                "byte order mark",
            ),
        ] {
            let (names, problems) = run(&text);
            assert_eq!(names, ["systemd-c"], "{text:?}");
            assert_eq!(problems.len(), 1, "{text:?}: {problems:?}");
            let problem = &problems[0];
            assert_eq!(problem.kind, crate::load::ProblemKind::Unparsable);
            assert!(problem.message.contains(says), "{text:?}: {problem:?}");
            assert!(problem.message.contains("b.container"), "{problem:?}");
            let span = problem.loc.unwrap().span;
            assert_eq!(&text[span.start()..span.end()], line, "{text:?}");
        }
        // What Podman takes: comments anywhere, a pair after a group, `[x]` followed by
        // blanks, a continuation over a comment line, an empty value, CRLF line ends, a last
        // line that ends in `\`.
        for text in [
            format!("# caf\u{e9}\n; x\n\n{image}"),
            format!("{image}[Install]\t \nWantedBy=default.target\n"),
            format!("{image}Exec=gateway \\\n# note\n --port 18789\n"),
            format!("{image}Label=\n"),
            image.replace('\n', "\r\n"),
            format!("{image}Label=a \\"),
            format!("[Unit]\nDescription=[x\n{image}"),
        ] {
            let (names, problems) = run(&text);
            assert_eq!(names, ["systemd-a", "systemd-b", "systemd-c"], "{text:?}");
            assert!(problems.is_empty(), "{text:?}: {problems:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A packaged quadlet's override is a drop-in in the same directory under /etc (a user's
    /// under `users/<uid>` stays there), registered to be created; none when a file is there,
    /// and an administrator's quadlet is not packaged.
    #[test]
    fn a_packaged_quadlets_drop_in_is_in_its_directory_under_etc() {
        let root =
            std::env::temp_dir().join(format!("clawlint-quadlet-pkg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let home = root.join("home/ana");
        let host = super::HostContext {
            home: Some(&home),
            root: Some(&root),
        };
        let tree = root.join("usr/share/containers/systemd");
        let mut sources = crate::source::SourceMap::new();
        let packaged = super::packaged(
            &tree.join("users/1000/gw.container"),
            &[],
            &host,
            &mut sources,
        )
        .expect("packaged");
        assert_eq!(packaged.tree, tree);
        let file = sources.file(packaged.drop_in.expect("to create"));
        let etc = root.join("etc/containers/systemd");
        assert_eq!(
            file.path,
            etc.join("users/1000/gw.container.d/99-clawlint.conf")
        );
        assert!(file.to_create && file.text.is_empty());
        assert!(super::packaged(&etc.join("gw.container"), &[], &host, &mut sources).is_none());
        let there = etc.join("gw.container.d/99-clawlint.conf");
        std::fs::create_dir_all(there.parent().unwrap()).unwrap();
        std::fs::write(&there, "").unwrap();
        let packaged = super::packaged(&tree.join("gw.container"), &[], &host, &mut sources);
        assert!(packaged.expect("packaged").drop_in.is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Exec= is substituted from the quadlet's [Service] Environment= and then its
    /// EnvironmentFile=s (which win); a variable neither sets is CL502, and a missing file
    /// systemd needs stops the service (a `-` one may be missing).
    #[test]
    fn exec_variables_come_from_the_services_environment_and_files() {
        use super::test_dir::{run, Tmp, IMAGE};
        use crate::load::ProblemKind;
        let t = Tmp::new("exec-vars");
        let port_of = |service: &str| {
            t.write(
                "q/gw.container",
                &format!("{IMAGE}Exec=gateway --port ${{P}}\n[Service]\n{service}"),
            );
            let (found, problems, _) = run(&t.0, &[super::SearchDir::all(t.0.join("q"))]);
            let port = found[0].port_arg.as_ref().map(|p| p.value);
            let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
            (port, kinds)
        };
        t.write("gw.env", "# the port\nP=19500\n");
        let file = "EnvironmentFile=%h/gw.env\n";
        assert_eq!(port_of(file), (Some(19500), vec![]));
        let both = "EnvironmentFile=%h/gw.env\nEnvironment=P=19400\n";
        assert_eq!(port_of(both), (Some(19500), vec![]));
        assert_eq!(port_of("Environment=P=19400\n"), (Some(19400), vec![]));
        let missing = "EnvironmentFile=%h/none.env\n";
        assert_eq!(
            port_of(missing),
            (
                None,
                vec![ProblemKind::Unreadable, ProblemKind::MissingEnvVar]
            )
        );
        let optional = "EnvironmentFile=-%h/none.env\n";
        assert_eq!(port_of(optional), (None, vec![ProblemKind::MissingEnvVar]));
    }

    /// The manager's DefaultEnvironment= is the bottom of the service's environment: it sets
    /// what the quadlet's [Service] does not, and the quadlet's Environment= and
    /// EnvironmentFile= win over it.
    #[test]
    fn exec_variables_the_quadlet_does_not_set_come_from_the_managers_default_environment() {
        use super::test_dir::{run_under, Tmp, IMAGE};
        let t = Tmp::new("exec-manager");
        t.write("gw.env", "P=19500\n");
        let manager = [("P".to_string(), "19300".to_string())];
        let port_of = |service: &str, manager: &[(String, String)]| {
            t.write(
                "q/gw.container",
                &format!("{IMAGE}Exec=gateway --port ${{P}}\n[Service]\n{service}"),
            );
            let (found, problems, _) =
                run_under(&t.0, &[super::SearchDir::all(t.0.join("q"))], manager);
            let port = found[0].port_arg.as_ref().map(|p| p.value);
            (port, problems.len())
        };
        assert_eq!(port_of("", &manager), (Some(19300), 0));
        assert_eq!(port_of("", &[]), (None, 1));
        assert_eq!(port_of("Environment=P=19400\n", &manager), (Some(19400), 0));
        let file = "EnvironmentFile=%h/gw.env\n";
        assert_eq!(port_of(file, &manager), (Some(19500), 0));
    }

    #[test]
    fn volumes_podman_refuses_say_why() {
        for (raw, why) in [
            ("C:\\data:/x", "must be an absolute path"),
            ("C:/a:/b:ro", "incorrect volume format"),
            (":/x", "host directory cannot be empty"),
            ("data:relative", "must be an absolute path"),
            ("~/oc:/x", "no valid volume name"),
        ] {
            let err = podman_volume(raw).expect_err(raw);
            assert!(err.contains(why), "{raw}: {err}");
        }
    }
}

#[cfg(test)]
mod test_dir;

#[cfg(test)]
mod dropin_tests;

#[cfg(test)]
mod walk_tests;
