//! Compose started through shell scripts: a supervisor's command line, the script it runs,
//! the scripts that script runs or sources in turn (bounded: [`MAX_SCRIPT_DEPTH`] levels,
//! [`MAX_SCRIPT_READS`] reads and [`MAX_SOURCED_BYTES`] of sourced files per command line),
//! each read through the bounded reader.

use super::*;
use crate::container::StoppedFollow;
use compose::runs::Runs;
use std::collections::HashSet;

fn is_compose(argv: &[String]) -> bool {
    compose::runs::parse(argv).is_some()
}

/// The `PATH` a supervisor gives a command whose environment sets none, or why it is not
/// known.
///
/// - systemd's system manager: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin`, with
///   `:/sbin:/bin` appended when systemd is built for an unmerged /usr (`/bin` not a symlink
///   to `/usr/bin`) (systemd.exec(5), "Environment Variables Set or Propagated by the Service
///   Manager", `$PATH`). Under `--root` (or on this machine, root `/`) the root's `/bin` says
///   which; with no root it is taken as merged. Only when the environment has no `PATH`: the
///   manager's `DefaultEnvironment=` (system.conf and its drop-ins) and the unit's
///   `ExecSearchPath=` set one before this is asked ([`super::manager`]).
/// - systemd's user manager: not known. systemd.exec(5): "In case of the user manager, a
///   different path may be configured by the distribution"; environment.d(5) files (including
///   `/etc/environment`, which Ubuntu uses to set `PATH`) and `systemctl --user
///   import-environment` change it too, and win over user.conf's `DefaultEnvironment=PATH=`.
///   clawlint reads the environment.d files in the layout for other variables
///   ([`super::manager`]) but takes no `PATH` from them: the login session the user manager
///   imports from may set its own. A unit's `ExecSearchPath=` does set it.
/// - launchd: the domain's `launchctl config user|system path` when the layout has launchd's
///   configuration and it sets one (launchctl(1): it "Sets the PATH environment variable for
///   all services within the target domain"), else `/usr/bin:/bin:/usr/sbin:/sbin`, what a job
///   without `EnvironmentVariables` `PATH` gets (`_PATH_STDPATH` of `<paths.h>`, also
///   `sysctl -n user.cs_path`, as apple.stackexchange.com/questions/479428 and
///   stepten.io's "The Standup That Never Stood Up" observed a LaunchAgent's PATH).
/// - A Windows task: no POSIX shell reads its scripts.
pub(super) fn default_path(map: &PathMap) -> Result<String, &'static str> {
    match map.kind {
        ServiceKind::SystemdSystem => {
            let root = map.root.unwrap_or(Path::new("/"));
            let bin = root.join("bin");
            let unmerged = map.root.is_some()
                && crate::paths::host::symlink_metadata(&bin)
                    .is_ok_and(|m| m.is_dir() && !m.is_symlink());
            let mut path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin".to_string();
            if unmerged {
                path.push_str(":/sbin:/bin");
            }
            Ok(path)
        }
        ServiceKind::Launchd => match &map.domain_path {
            Some(Ok(path)) => Ok(path.clone()),
            Some(Err(())) => Err(
                "its plist sets no PATH, and launchd's `launchctl config` file, which says the PATH its jobs get, cannot be read (CL902 there says why)",
            ),
            None => Ok("/usr/bin:/bin:/usr/sbin:/sbin".to_string()),
        },
        ServiceKind::SystemdUser => Err(
            "its unit sets no PATH, and the PATH systemd's user manager gives it is configured by the distribution and the login session, which may replace what environment.d files (with /etc/environment) set, so clawlint does not take it from them (set `Environment=PATH=` in the unit to say it)",
        ),
        ServiceKind::WindowsTask => Err("the PATH it runs with is not known"),
    }
}

/// The shell variables of a supervisor's command: its environment, with the supervisor's
/// default `PATH` when it sets none ([`default_path`]).
fn with_default_path(vars: &BTreeMap<String, String>, map: &PathMap) -> BTreeMap<String, String> {
    let mut vars = vars.clone();
    if !vars.contains_key("PATH") {
        if let Ok(path) = default_path(map) {
            vars.insert("PATH".to_string(), path);
        }
    }
    vars
}

/// The shell a supervisor starts its command in, for every reader of that command (the
/// gateway it starts and the compose runs it makes): the supervisor's environment, the user's
/// `HOME` when it sets none (systemd's user manager, launchd), and its default `PATH`.
pub(super) fn supervisor_shell(env: &Env, map: &PathMap) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.value.clone()))
        .collect();
    vars.entry("HOME".to_string())
        .or_insert_with(|| map.home.display().to_string());
    with_default_path(&vars, map)
}

/// The compose run of a unit's command line: its environment (the unit's, then what the
/// command line itself sets) is the shell environment compose starts with.
fn compose_run(
    by: &str,
    argv: Vec<String>,
    env: &Env,
    working_dir: Option<PathBuf>,
    map: &PathMap,
    exec_loc: Loc,
) -> Option<ComposeRun> {
    let vars: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.value.clone()))
        .collect();
    let cmd = command::unwrap_to(&argv, &vars, &is_compose);
    let args = compose::runs::parse(&cmd.argv)?;
    let home = env.value("HOME").map(PathBuf::from);
    let base = working_dir.or(home).unwrap_or_default();
    let cwd = match cmd.cwd.as_deref() {
        Some(dir) if dir.starts_with('/') => PathBuf::from(map.map(dir)),
        Some(dir) => crate::paths::normalize(&base.join(dir)),
        None => base,
    };
    let mut run_env: Vec<(String, String, Loc)> = env
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.value.clone(),
                v.origin.loc().unwrap_or(exec_loc),
            )
        })
        .collect();
    run_env.extend(
        cmd.env
            .iter()
            .map(|(k, v)| (k.clone(), map.map(v), exec_loc)),
    );
    let mut unknown: Vec<String> = cmd.unknown_args.iter().map(|v| format!("${v}")).collect();
    if let Some(by) = &cmd.injects_env {
        unknown.push(format!("the variables {by} adds"));
    }
    let place = |raw: &str| match raw.starts_with('/') {
        true => PathBuf::from(map.map(raw)),
        false => crate::paths::normalize(&cwd.join(raw)),
    };
    Some(ComposeRun::new(
        by.to_string(),
        exec_loc,
        Some(cwd.clone()),
        args,
        run_env,
        unknown,
        &place,
    ))
}

/// The shell script a command runs (`/path/start.sh`, `bash /path/start.sh`), placed on the
/// scanned layout when it lies inside it, with the shell the command line runs it with
/// ([`script_interpreter`]).
fn script_of(
    argv: &[String],
    vars: &BTreeMap<String, String>,
    map: &PathMap,
) -> Option<(PathBuf, Option<String>)> {
    let cmd = command::unwrap(argv, vars);
    let at = match cmd.argv.first().map(|p| command_basename(p)) {
        Some("sh" | "bash" | "zsh" | "dash") => 1,
        _ => 0,
    };
    let script = cmd.argv.get(at).filter(|s| s.contains('/'))?;
    let mapped = crate::paths::normalize(Path::new(&map.map(script)));
    let inside = mapped.starts_with(map.home)
        || map
            .root
            .is_some_and(|r| r != Path::new("/") && mapped.starts_with(r));
    (mapped.is_absolute() && inside && crate::paths::host::is_file(&mapped))
        .then(|| (mapped, script_interpreter(&cmd.argv)))
}

/// The shell and its options a command line runs its script with (`bash`, `sh -e` of
/// `sh -e x.sh`): that shell reads the script, whatever its `#!` line names (the kernel
/// reads the `#!` only of a script run itself). `None` for a script run itself.
pub(super) fn script_interpreter(argv: &[String]) -> Option<String> {
    let first = argv.first()?;
    if !matches!(command_basename(first), "sh" | "bash" | "dash" | "zsh") {
        return None;
    }
    let options = argv[1..].iter().take_while(|a| a.starts_with('-'));
    Some(
        std::iter::once(first)
            .chain(options)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Whether a command runs compose, directly or through shell scripts in the layout (read
/// through the bounded reader, nothing registered): the cheap test a supervisor's reader
/// makes before it decides the supervisor is not one it cares about. A chain of scripts
/// deeper than [`MAX_SCRIPT_DEPTH`], or a script or sourced file whose path clawlint cannot
/// work out, counts, so that [`supervisor_compose_runs`] says where it stopped following it;
/// so does one the shell stops reading at a syntax error, said there.
pub(super) fn mentions_compose(
    argv: &[String],
    vars: &BTreeMap<String, String>,
    map: &PathMap,
) -> bool {
    if compose::runs::parse(&command::unwrap_to(argv, vars, &is_compose).argv).is_some() {
        return true;
    }
    let mut budget = ScriptBudget::new();
    let vars = &with_default_path(vars, map);
    script_of(argv, vars, map).is_some_and(|(s, interpreter)| {
        let invoked = s.display().to_string();
        let shell = interpreter.as_deref();
        script_mentions_compose(&s, shell, &invoked, vars, map, map.home, 1, &mut budget)
    })
}

/// Whether `script` runs compose, itself, in the files it sources or through the scripts it
/// runs (at most [`MAX_SCRIPT_READS`] reads in all, from `budget`; past
/// [`MAX_SCRIPT_DEPTH`], any script it runs counts, unread). `interpreter`: the shell the
/// command line runs it with, if it names one.
#[allow(clippy::too_many_arguments)]
fn script_mentions_compose(
    script: &Path,
    interpreter: Option<&str>,
    invoked: &str,
    vars: &BTreeMap<String, String>,
    map: &PathMap,
    base: &Path,
    depth: usize,
    budget: &mut ScriptBudget,
) -> bool {
    if !budget.read() {
        return false;
    }
    let Ok(text) = ServiceFiles::text(script, SMALL_FILE_LIMIT) else {
        return false;
    };
    let reading = read_script(
        script,
        &text,
        interpreter,
        invoked,
        vars,
        base,
        depth,
        map,
        budget,
    );
    // A script the shell stops reading at a syntax error counts too, so that the reader of
    // compose runs says where (whatever the script was meant to start).
    if !reading.compose.is_empty() || reading.notes.stops_following || reading.notes.unclosed {
        return true;
    }
    for (found, next, invoked) in &reading.nested {
        if reading.depth_of(found.file) >= MAX_SCRIPT_DEPTH {
            return true;
        }
        let mut inner = vars.clone();
        inner.extend(found.command.env.iter().cloned());
        let cwd = script_cwd(
            found.command.cwd.as_deref(),
            script,
            base,
            map,
            &mut Vec::new(),
        );
        let depth = reading.depth_of(found.file) + 1;
        let shell = script_interpreter(&found.command.argv);
        let shell = shell.as_deref();
        if script_mentions_compose(next, shell, invoked, &inner, map, &cwd, depth, budget) {
            return true;
        }
    }
    false
}

/// Scripts (and sourced files) read in all to follow one supervisor's command through the
/// scripts it runs.
pub(super) const MAX_SCRIPT_READS: usize = 32;

/// Bytes of sourced files read in all to follow one supervisor's command. The shell reads a
/// file again at each `source` of it, and so does clawlint (each time with the variables of
/// that moment): 32 reads of a 4 MiB file would be 128 MiB of shell (a 600 KB `lib.sh`
/// sourced 40 times ran past 120 s). Real scripts source a few kilobytes; nvm.sh, about the
/// largest sourced in practice, is 150 KB.
pub const MAX_SOURCED_BYTES: usize = 1024 * 1024;

/// What following one supervisor's command through the scripts it runs may still read:
/// [`MAX_SCRIPT_READS`] files, and [`MAX_SOURCED_BYTES`] of the files they source.
pub(super) struct ScriptBudget {
    reads: usize,
    sourced_bytes: usize,
}

impl ScriptBudget {
    pub(super) fn new() -> ScriptBudget {
        ScriptBudget {
            reads: MAX_SCRIPT_READS,
            sourced_bytes: MAX_SOURCED_BYTES,
        }
    }

    /// Whether one more file may be read (and it is counted).
    fn read(&mut self) -> bool {
        match self.reads.checked_sub(1) {
            Some(left) => {
                self.reads = left;
                true
            }
            None => false,
        }
    }

    /// Whether a sourced file of `len` bytes may still be run (and it is counted).
    fn source(&mut self, len: usize) -> bool {
        match self.sourced_bytes.checked_sub(len) {
            Some(left) => {
                self.sourced_bytes = left;
                true
            }
            None => false,
        }
    }
}

/// One shell script read as its shell runs it: the files it sources (file `n` is
/// `sourced[n - 1]`; file 0 is the script), its `docker compose` statements, and the scripts it
/// runs that lie in the layout, each once, with the word it runs them by (their `$0`).
struct Reading {
    depth: usize,
    sourced: Vec<SourcedFile>,
    compose: Vec<command::Found>,
    nested: Vec<(command::Found, PathBuf, String)>,
    notes: Notes,
}

impl Reading {
    /// How deep a file of this reading is (the script's own depth for file 0; one more for
    /// each `source` between it and the script).
    fn depth_of(&self, file: usize) -> usize {
        match file {
            0 => self.depth,
            n => self.sourced[n - 1].depth,
        }
    }
}

struct SourcedFile {
    path: PathBuf,
    text: String,
    depth: usize,
    /// The file and offset of the `source` statement that reads it.
    from: (usize, usize),
}

/// What stops clawlint following a script or sourced file, said where it is run or sourced
/// (file 0, the script, or a sourced file) once the files are registered.
struct Note {
    file: usize,
    offset: usize,
    what: NoteKind,
}

enum NoteKind {
    /// A path clawlint cannot work out: the word as written, and what it is (`runs the
    /// script`, `sources`).
    Unresolved {
        verb: &'static str,
        written: String,
    },
    /// Past [`MAX_SCRIPT_DEPTH`] or [`MAX_SCRIPT_READS`].
    TooDeep {
        verb: &'static str,
        path: PathBuf,
    },
    TooManyReads {
        path: PathBuf,
    },
    /// Past [`MAX_SOURCED_BYTES`].
    TooManyBytes {
        path: PathBuf,
    },
    /// The shell stopped reading: the run's shell work passed [`command::MAX_RUN_WORK`].
    /// Said at the script's start ([`command::Sourcer::out_of_work`]).
    OutOfWork,
    /// A file that sources itself, directly or through the files it sources: the shell
    /// would read it again without end.
    Cycle {
        path: PathBuf,
    },
    /// A sourced file that cannot be read (a missing one when no test guards it).
    Unreadable {
        path: PathBuf,
        err: ReadError,
    },
    /// A name without a slash the shell looks for on PATH first, where clawlint cannot look:
    /// why (PATH not known, or a directory of it outside the layout).
    OnPath {
        written: String,
        why: String,
    },
    /// A name without a slash a POSIX shell's `.` looks for on PATH only, in none of its
    /// directories (all in the layout): `.` fails there.
    NotOnPath {
        written: String,
        path: String,
    },
    /// The statement where the shell stopped reading: giving it (and each command after it)
    /// the `variables` the script set would pass [`command::MAX_COPIED_BYTES`].
    TooMuchEnv {
        variables: usize,
    },
    /// A command substitution opened there and never closed: the shell stops there with a
    /// syntax error.
    Unclosed,
}

impl Note {
    /// A note that may hide a `docker compose` (not a missing or unreadable file, which
    /// compose would not read either). Not the run's spent work ([`NoteKind::OutOfWork`]):
    /// every script after it stops there, and a unit counted as running compose is no
    /// gateway, so a template's later instances would vanish; they stay gateways whose
    /// command clawlint cannot read.
    fn stops_following(&self) -> bool {
        matches!(
            self.what,
            NoteKind::Unresolved { .. }
                | NoteKind::TooDeep { .. }
                | NoteKind::TooManyReads { .. }
                | NoteKind::TooManyBytes { .. }
                | NoteKind::OnPath { .. }
                | NoteKind::TooMuchEnv { .. }
        )
    }
}

/// Notes one script's reading says, at most [`MAX_NOTES`]: a statement of a file read twice
/// (a file sourced on two lines) is noted once, and past the cap the rest are only counted
/// (one summary says how many, where the first of them is), so that a generated script
/// with a note on each of its lines gives a bounded report.
#[derive(Default)]
struct Notes {
    kept: Vec<Note>,
    /// The statements noted so far: the file's path and the statement's offset.
    seen: HashSet<(PathBuf, usize)>,
    /// Notes past [`MAX_NOTES`], and the first of them (file, offset).
    more: usize,
    first_more: Option<(usize, usize)>,
    /// Whether any note, kept or counted, may hide a `docker compose` ([`Note::stops_following`]).
    stops_following: bool,
    /// Whether the shell stops at a syntax error in a file ([`NoteKind::Unclosed`]): it
    /// hides nothing the shell runs, but is said wherever the script is run from.
    unclosed: bool,
}

/// Notes said for one script (with the files it sources) before the rest are only counted.
pub const MAX_NOTES: usize = 20;

impl Notes {
    /// Keeps `note` (its statement in the file at `path`), unless that statement was noted
    /// already; past [`MAX_NOTES`] it is counted.
    fn push(&mut self, note: Note, path: &Path) {
        if !self.seen.insert((path.to_path_buf(), note.offset)) {
            return;
        }
        self.stops_following |= note.stops_following();
        self.unclosed |= matches!(note.what, NoteKind::Unclosed);
        if self.kept.len() < MAX_NOTES {
            self.kept.push(note);
            return;
        }
        self.more += 1;
        self.first_more.get_or_insert((note.file, note.offset));
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The one problem that says how many notes past [`MAX_NOTES`] were not said, placed at
    /// the first of them (`here` is `file:line` in words), or `None` when none were.
    fn summary(
        &self,
        line_at: &dyn Fn(usize, usize) -> (Option<Loc>, String),
        top: &str,
    ) -> Option<Problem> {
        let (file, offset) = self.first_more?;
        let (loc, here) = line_at(file, offset);
        Some(Problem {
            kind: crate::load::ProblemKind::TooMany,
            message: format!(
                "{here}: {} more statements from here on, in the scripts read for {top}, source or run files clawlint does not follow; clawlint says {MAX_NOTES} of these for one script, and the rest once those are fixed",
                self.more
            ),
            loc,
        })
    }
}

/// The [`command::Sourcer`] of one script: places what it sources on the layout (relative to
/// the shell's directory), within the depth and read budgets.
pub(super) struct ScriptSources<'a, 'm> {
    map: &'a PathMap<'m>,
    base: &'a Path,
    depth: usize,
    budget: &'a mut ScriptBudget,
    /// The script itself (file 0), when it is a file (not an `sh -c` command line).
    script: PathBuf,
    files: Vec<SourcedFile>,
    notes: Notes,
    /// The requests it did not read (numbered in the order it got them, from 1), but for a
    /// missing file the script tests for first: what those files set is not seen.
    not_read: Vec<(usize, String)>,
    requests: usize,
    /// Whether reading stopped at the run's spent shell work ([`NoteKind::OutOfWork`]).
    ran_out_of_work: bool,
    /// Whether the shell started with a `PATH` (its supervisor's, or the supervisor's default):
    /// when not, a `source NAME` says why it is not known ([`default_path`]).
    path_set: bool,
}

impl<'a, 'm> ScriptSources<'a, 'm> {
    /// The sourcer of a script at `depth` (1: the one a supervisor runs) whose shell starts
    /// in `base`, with what is left of `budget`.
    pub(super) fn new(
        map: &'a PathMap<'m>,
        base: &'a Path,
        depth: usize,
        budget: &'a mut ScriptBudget,
    ) -> Self {
        ScriptSources {
            map,
            base,
            depth,
            budget,
            script: PathBuf::new(),
            files: Vec::new(),
            notes: Notes::default(),
            not_read: Vec::new(),
            requests: 0,
            ran_out_of_work: false,
            path_set: true,
        }
    }

    /// Whether reading stopped at the run's spent shell work ([`command::MAX_RUN_WORK`]).
    pub(super) fn ran_out_of_work(&self) -> bool {
        self.ran_out_of_work
    }

    /// The files among the first `requests` it was asked for that it did not read (as
    /// written, masked as messages may show them: see [`command::shown`]).
    pub(super) fn missed_before(&self, requests: usize) -> Vec<String> {
        self.not_read
            .iter()
            .filter(|(n, _)| *n <= requests)
            .map(|(_, w)| command::shown(w))
            .collect()
    }

    /// The files read (path, text, and the file and offset of the `source` that read it).
    pub(super) fn files(&self) -> impl Iterator<Item = (&Path, &str, (usize, usize))> {
        self.files
            .iter()
            .map(|f| (f.path.as_path(), f.text.as_str(), f.from))
    }

    /// What stopped it that is bad input, each as a problem placed by `line_at` (a file and offset: the problem's
    /// location and `file:line` in words); `top` names what runs the script.
    pub(super) fn problems(
        &self,
        line_at: &dyn Fn(usize, usize) -> (Option<Loc>, String),
        top: &str,
        sources: &mut SourceMap,
    ) -> Vec<Problem> {
        // A path it cannot work out only leaves what the file sets unverifiable, which the
        // gateway's findings say (CL304); a file that cannot be read, or sources nested too
        // deep, is bad input.
        let mut out: Vec<Problem> = self
            .notes
            .kept
            .iter()
            .filter(|n| {
                !matches!(
                    n.what,
                    NoteKind::Unresolved { .. } | NoteKind::OnPath { .. }
                )
            })
            .map(|note| {
                let (loc, here) = line_at(note.file, note.offset);
                note_problem(note, loc, &here, top, &GATEWAY_LOST, sources)
            })
            .collect();
        out.extend(self.notes.summary(line_at, top));
        out
    }

    /// Reads `script` (file 0): a `source` of it from itself is a cycle.
    pub(super) fn reading(mut self, script: &Path) -> Self {
        self.script = crate::paths::normalize(script);
        self
    }

    /// The path of file `file` (0: the script; empty for an `sh -c` command line).
    fn path_of(&self, file: usize) -> &Path {
        match file {
            0 => &self.script,
            n => &self.files[n - 1].path,
        }
    }

    /// Notes `what` at the statement at `offset` of file `file`.
    fn note(&mut self, file: usize, offset: usize, what: NoteKind) {
        let path = self.path_of(file).to_path_buf();
        self.notes.push(Note { file, offset, what }, &path);
    }

    /// Whether `path` is being read where file `file` sources it: it is that file, or one of
    /// the files that sourced it in turn, up to the script.
    fn being_read(&self, file: usize, path: &Path) -> bool {
        let mut at = file;
        loop {
            if self.path_of(at) == path {
                return true;
            }
            match at {
                0 => return false,
                n => at = self.files[n - 1].from.0,
            }
        }
    }
}

impl command::Sourcer for ScriptSources<'_, '_> {
    fn stopped(&mut self, file: usize, offset: usize, variables: usize) {
        self.note(file, offset, NoteKind::TooMuchEnv { variables });
    }

    fn out_of_work(&mut self) {
        self.ran_out_of_work = true;
        self.note(0, 0, NoteKind::OutOfWork);
    }

    fn unclosed(&mut self, file: usize, offset: usize) {
        self.note(file, offset, NoteKind::Unclosed);
    }

    /// `realpath`, `readlink -f`, `cd -P`, `pwd -P`: the path placed on the layout, its
    /// symlinks followed through the one path mechanism ([`crate::paths::canonical_key`]:
    /// within the copied root under `--root`), and shown again under the layout's own spelling
    /// of the home or root. Like GNU `realpath`, every component but the last must exist.
    /// `None` (not known) outside the layout, or when a link leads out of it.
    fn real_path(&mut self, lexical: &str) -> Option<String> {
        let placed = on_layout(lexical, self.map);
        let bases = [
            Some(self.map.home),
            self.map.root.filter(|r| *r != Path::new("/")),
        ];
        if !bases.iter().flatten().any(|b| placed.starts_with(b)) {
            return None;
        }
        if !placed.parent().is_none_or(crate::paths::host::is_dir) {
            return None;
        }
        let key = crate::paths::canonical_key(&placed);
        bases.into_iter().flatten().find_map(|base| {
            let rest = key.strip_prefix(crate::paths::canonical_key(base)).ok()?;
            Some(
                crate::paths::normalize(&base.join(rest))
                    .display()
                    .to_string(),
            )
        })
    }

    /// `[ -f P ]` and its kin for a path in the layout; `None` outside it (or when the
    /// shell's directory is unknown).
    fn exists(&mut self, path: &str, op: &str) -> Option<bool> {
        if path.contains('\0') {
            return None;
        }
        let placed = on_layout(path, self.map);
        let inside = placed.starts_with(self.map.home)
            || self
                .map
                .root
                .is_some_and(|r| r != Path::new("/") && placed.starts_with(r));
        if !inside {
            return None;
        }
        // Not known when the path leads out of the layout: what is there is not looked at.
        match op {
            "-e" => crate::paths::host::exists_within(&placed),
            "-f" | "-r" => crate::paths::host::is_file_within(&placed),
            // `-s`: it exists (within the layout) and its size is not zero.
            _ => match crate::paths::host::exists_within(&placed)? {
                false => Some(false),
                true => Some(crate::paths::host::metadata(&placed).is_ok_and(|m| m.len() > 0)),
            },
        }
    }

    fn source(&mut self, request: &command::SourceRequest) -> Option<command::SourcedText> {
        self.requests += 1;
        let read = self.read_request(request);
        if let Err(Skipped::NotSeen) = read {
            self.not_read.push((self.requests, request.written.clone()));
        }
        read.ok()
    }
}

/// Why a sourced file was not read.
enum Skipped {
    /// A missing file the script tests for first: the shell does not source it.
    Absent,
    /// Anything else: what it sets is not seen.
    NotSeen,
}

impl ScriptSources<'_, '_> {
    fn read_request(
        &mut self,
        request: &command::SourceRequest,
    ) -> Result<command::SourcedText, Skipped> {
        use Skipped::NotSeen;
        let (file, offset) = (request.file, request.offset);
        if !request.resolvable {
            self.note(
                file,
                offset,
                NoteKind::Unresolved {
                    verb: "sources",
                    written: request.written.clone(),
                },
            );
            return Err(NotSeen);
        }
        let depth = match request.file {
            0 => self.depth,
            n => self.files[n - 1].depth,
        } + 1;
        let map = self.map;
        let inside = |p: &Path| {
            p.starts_with(map.home)
                || map
                    .root
                    .is_some_and(|r| r != Path::new("/") && p.starts_with(r))
        };
        // The directory the shell is in, on the layout.
        let cwd = match request.cwd.as_deref() {
            Some(cwd) if cwd.starts_with('/') => on_layout(cwd, self.map),
            _ => self.base.to_path_buf(),
        };
        let path = match (request.path.starts_with('/'), &request.search) {
            (true, _) => on_layout(&request.path, self.map),
            (false, None) => crate::paths::normalize(&cwd.join(&request.path)),
            // zsh's `source NAME`: the directory the shell is in first.
            (false, Some(search))
                if search.cwd_first
                    && inside(&cwd)
                    && crate::paths::host::is_file(&cwd.join(&request.path)) =>
            {
                crate::paths::normalize(&cwd.join(&request.path))
            }
            (false, Some(search)) => {
                // bash's `source NAME`, POSIX `.`: each PATH directory first (a file there),
                // then (bash outside POSIX mode) the directory the shell is in.
                let Some(list) = search.path.as_deref() else {
                    let why = match (self.path_set, default_path(self.map)) {
                        (false, Err(why)) => why,
                        _ => "the PATH it runs with is not known",
                    };
                    self.note(
                        file,
                        offset,
                        NoteKind::OnPath {
                            written: request.written.clone(),
                            why: why.to_string(),
                        },
                    );
                    return Err(NotSeen);
                };
                let mut hit = None;
                for dir in list.split(':') {
                    let placed = match dir {
                        "" | "." => cwd.clone(),
                        d if d.starts_with('/') => on_layout(d, self.map),
                        d => crate::paths::normalize(&cwd.join(d)),
                    };
                    let candidate = placed.join(&request.path);
                    if !inside(&placed) {
                        // Scanning this machine (root `/`), its own directories are the
                        // host's: one without the file is passed, as the shell passes it.
                        let this_machine = self.map.root == Some(Path::new("/"));
                        if this_machine
                            && placed.is_absolute()
                            && !crate::paths::host::exists(&candidate)
                        {
                            continue;
                        }
                        let why = match this_machine {
                            true => format!("{dir} on its PATH has that file, outside the scanned homes"),
                            false => format!("its PATH has {dir}, outside the scanned layout (give --root to read the host's directories)"),
                        };
                        self.note(
                            file,
                            offset,
                            NoteKind::OnPath {
                                written: request.written.clone(),
                                why,
                            },
                        );
                        return Err(NotSeen);
                    }
                    if crate::paths::host::is_file(&candidate) {
                        hit = Some(candidate);
                        break;
                    }
                }
                match (hit, search.then_cwd) {
                    (Some(found), _) => crate::paths::normalize(&found),
                    (None, true) => crate::paths::normalize(&cwd.join(&request.path)),
                    (None, false) => {
                        self.note(
                            file,
                            offset,
                            NoteKind::NotOnPath {
                                written: request.written.clone(),
                                path: list.to_string(),
                            },
                        );
                        return Err(NotSeen);
                    }
                }
            }
        };
        if !inside(&path) {
            return Err(NotSeen);
        }
        // `. "$0"`, or two files that source each other: the shell reads them again and again
        // until it fails; clawlint reads each once, and says where the loop is.
        if self.being_read(file, &path) {
            self.note(file, offset, NoteKind::Cycle { path });
            return Err(NotSeen);
        }
        if depth > MAX_SCRIPT_DEPTH {
            self.note(
                file,
                offset,
                NoteKind::TooDeep {
                    verb: "sources",
                    path,
                },
            );
            return Err(NotSeen);
        }
        if !self.budget.read() {
            self.note(file, offset, NoteKind::TooManyReads { path });
            return Err(NotSeen);
        }
        match ServiceFiles::text(&path, SMALL_FILE_LIMIT) {
            Ok(text) if !self.budget.source(text.len()) => {
                self.note(file, offset, NoteKind::TooManyBytes { path });
                Err(NotSeen)
            }
            Ok(text) => {
                self.files.push(SourcedFile {
                    path: path.clone(),
                    text: text.clone(),
                    depth,
                    from: (request.file, request.offset),
                });
                Ok(command::SourcedText {
                    file: self.files.len(),
                    path: path.display().to_string(),
                    text,
                })
            }
            Err(ReadError::Missing) if request.guarded => Err(Skipped::Absent),
            Err(err) => {
                self.note(file, offset, NoteKind::Unreadable { path, err });
                Err(NotSeen)
            }
        }
    }
}

/// What a note stops clawlint seeing, in words: for a file not followed, and for a sourced
/// file not read.
pub(super) struct Lost {
    follow: &'static str,
    source: &'static str,
}

const COMPOSE_LOST: Lost = Lost {
    follow: "a `docker compose` it runs is not seen",
    source: "the variables it sets and a `docker compose` it runs are not seen",
};

const GATEWAY_LOST: Lost = Lost {
    follow: "what it sets is not seen (what the gateway gets from it is unverifiable)",
    source: "the variables it sets are not seen (what the gateway gets from them is unverifiable)",
};

/// A note as a located problem (`here` is `file:line` in words, `top` what runs the script).
fn note_problem(
    note: &Note,
    loc: Option<Loc>,
    here: &str,
    top: &str,
    lost: &Lost,
    sources: &mut SourceMap,
) -> Problem {
    match &note.what {
        NoteKind::Unresolved { verb, written } => {
            let written = command::shown(written);
            Problem {
            kind: crate::load::ProblemKind::Unresolved,
            message: match *verb {
                "sources" => format!(
                    "{here} sources `{written}`, a path clawlint cannot work out: it does not read that file, so {}", lost.source
                ),
                _ => format!(
                    "{here} {verb} `{written}`, a path clawlint cannot work out: it does not follow it, so {}", lost.follow
                ),
            },
            loc,
        }
        }
        NoteKind::TooDeep { verb, path } => Problem {
            kind: crate::load::ProblemKind::TooMany,
            message: format!(
                "{here} {verb} {}, nested more than {MAX_SCRIPT_DEPTH} scripts below {top}: clawlint does not follow it, so {}",
                crate::paths::display_path(path),
                lost.follow,
            ),
            loc,
        },
        NoteKind::Cycle { path } => Problem {
            kind: crate::load::ProblemKind::TooMany,
            message: format!(
                "{here} sources {}, which is being read already (it sources itself, directly or through the files it sources): the shell would read it again and again without end; clawlint reads it once",
                crate::paths::display_path(path),
            ),
            loc,
        },
        NoteKind::TooManyReads { path } => Problem {
            kind: crate::load::ProblemKind::TooMany,
            message: format!(
                "{here} sources {}, past the {MAX_SCRIPT_READS} scripts clawlint reads for {top}: clawlint does not follow it, so {}",
                crate::paths::display_path(path),
                lost.follow,
            ),
            loc,
        },
        NoteKind::TooManyBytes { path } => Problem {
            kind: crate::load::ProblemKind::TooMany,
            message: format!(
                "{here} sources {}, past the {MAX_SOURCED_BYTES} bytes of sourced files clawlint reads for {top} (the shell reads a file again at each `source` of it): clawlint does not follow it, so {}",
                crate::paths::display_path(path),
                lost.follow,
            ),
            loc,
        },
        NoteKind::OnPath { written, why } => {
            let written = command::shown(written);
            Problem {
            kind: crate::load::ProblemKind::Unresolved,
            message: format!(
                "{here} sources `{written}`, a name without a slash, which the shell looks for in each PATH directory before the directory it runs in, and {why}: clawlint does not read it, so {} (write `./{written}` for the file beside it)", lost.source
            ),
            loc,
        }
        }
        NoteKind::TooMuchEnv { variables } => Problem {
            kind: crate::load::ProblemKind::Budget,
            message: command::copy_budget_stop(here, *variables),
            loc,
        },
        NoteKind::OutOfWork => Problem {
            kind: crate::load::ProblemKind::Budget,
            message: command::run_work_stop(here),
            loc,
        },
        // Said without the script's text, which may hold a secret.
        NoteKind::Unclosed => Problem {
            kind: crate::load::ProblemKind::Unparsable,
            message: command::unclosed_substitution(here, "the end of the file"),
            loc,
        },
        NoteKind::NotOnPath { written, path } => {
            let written = command::shown(written);
            Problem {
            kind: crate::load::ProblemKind::Missing,
            message: format!(
                "{here} sources `{written}` in a POSIX shell, whose `.` looks for a name without a slash on PATH only ({path}), and no directory of it has that file: the shell stops there (write `./{written}` for the file beside it)"
            ),
            loc,
        }
        }
        NoteKind::Unreadable { path, err } => {
            let mut problem = unreadable(sources, path, err);
            problem.message = match err {
                ReadError::Missing => {
                    problem.kind = crate::load::ProblemKind::Missing;
                    format!(
                        "{here} sources {}, which does not exist: what it would set or run is not seen",
                        crate::paths::display_path(path)
                    )
                }
                _ => format!("{here} sources a file clawlint {}", problem.message),
            };
            problem.loc = loc;
            problem
        }
    }
}

/// Reads one script's statements as its shell runs them (`$0` is `invoked`, the directory it
/// starts in `base`; the shell `interpreter` when the command line names one, else the
/// script's `#!`), with the files it sources.
#[allow(clippy::too_many_arguments)]
fn read_script(
    script: &Path,
    text: &str,
    interpreter: Option<&str>,
    invoked: &str,
    vars: &BTreeMap<String, String>,
    base: &Path,
    depth: usize,
    map: &PathMap,
    budget: &mut ScriptBudget,
) -> Reading {
    let mut shell = vars.clone();
    shell.insert("0".to_string(), invoked.to_string());
    shell.insert("BASH_SOURCE".to_string(), script.display().to_string());
    shell.insert("PWD".to_string(), base.display().to_string());
    let mut sourcer = ScriptSources::new(map, base, depth, budget).reading(script);
    sourcer.path_set = vars.contains_key("PATH");
    let wanted = |a: &[String]| is_compose(a) || runs_script(a).is_some();
    let found = command::script_statements(text, interpreter, &shell, &wanted, &mut sourcer);
    let ScriptSources {
        files, mut notes, ..
    } = sourcer;
    let mut reading = Reading {
        depth,
        sourced: files,
        compose: Vec::new(),
        nested: Vec::new(),
        notes: Notes::default(),
    };
    for found in found {
        if is_compose(&found.command.argv) {
            reading.compose.push(found);
            continue;
        }
        let Some(word) = runs_script(&found.command.argv) else {
            continue;
        };
        let unresolved = found.command.unresolved.iter().find(|(v, _)| v == word);
        if let Some((_, written)) = unresolved {
            let path = match found.file {
                0 => script,
                n => &reading.sourced[n - 1].path,
            };
            let note = Note {
                file: found.file,
                offset: found.offset,
                what: NoteKind::Unresolved {
                    verb: "runs the script",
                    written: written.clone(),
                },
            };
            notes.push(note, path);
            continue;
        }
        let invoked = match word.starts_with('/') {
            true => String::new(),
            false => word.to_string(),
        };
        if let Some(next) = nested_script(&found.command, script, base, map) {
            if !reading.nested.iter().any(|(_, p, _)| *p == next) {
                let invoked = match invoked.is_empty() {
                    true => next.display().to_string(),
                    false => invoked,
                };
                reading.nested.push((found, next, invoked));
            }
        }
    }
    reading.notes = notes;
    reading
}

/// The compose runs of a supervisor's command line: one reader for systemd units (their
/// `ExecStart=`, `ExecStartPre=`, `ExecStartPost=`), LaunchAgents and task scripts.
/// `docker compose …` itself once wrappers and `sh -c` are removed; else the `docker compose`
/// statements of the shell script it runs, when that lies in the layout, of the files it
/// sources, and of the scripts that script runs in turn, up to [`MAX_SCRIPT_DEPTH`] (each
/// read through the bounded reader and registered with its commands shown). `env` is the
/// environment the supervisor starts the command with (compose's shell, which the scripts
/// inherit); `working_dir` its working directory, else the home.
#[allow(clippy::too_many_arguments)]
pub(super) fn supervisor_compose_runs(
    by: &str,
    argv: Vec<String>,
    env: &Env,
    working_dir: Option<PathBuf>,
    map: &PathMap,
    at: Loc,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Runs {
    let vars = supervisor_shell(env, map);
    if compose::runs::parse(&command::unwrap_to(&argv, &vars, &is_compose).argv).is_some() {
        return Runs {
            runs: compose_run(by, argv, env, working_dir, map, at)
                .into_iter()
                .collect(),
            stopped: Vec::new(),
        };
    }
    let Some((script, interpreter)) = script_of(&argv, &vars, map) else {
        return Runs::default();
    };
    let base = working_dir
        .clone()
        .or_else(|| env.value("HOME").map(|h| on_layout(h, map)))
        .unwrap_or_else(|| map.home.to_path_buf());
    let mut out = Runs::default();
    let run_env: Vec<(String, String, Loc)> = env
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone(), v.origin.loc().unwrap_or(at)))
        .collect();
    let start = ScriptRun {
        invoked: script.display().to_string(),
        script,
        interpreter,
        by: by.to_string(),
        at,
        vars,
        env: run_env,
        base,
        depth: 1,
    };
    let mut budget = ScriptBudget::new();
    script_compose_runs(start, map, &mut budget, sources, problems, &mut out);
    out
}

/// A shell script a supervisor runs (directly, or through the scripts before it).
struct ScriptRun {
    script: PathBuf,
    /// The shell the command line runs it with, if it names one ([`script_interpreter`]).
    interpreter: Option<String>,
    /// The word it was run by: its `$0`.
    invoked: String,
    /// Who runs it, in words, and where.
    by: String,
    at: Loc,
    /// Its shell's variables, and the environment compose would get from what runs it.
    vars: BTreeMap<String, String>,
    env: Vec<(String, String, Loc)>,
    /// The directory it is started in.
    base: PathBuf,
    /// 1 for the script the supervisor runs.
    depth: usize,
}

fn script_compose_runs(
    run: ScriptRun,
    map: &PathMap,
    budget: &mut ScriptBudget,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    out: &mut Runs,
) {
    let ScriptRun {
        script,
        interpreter,
        invoked,
        by,
        at,
        vars,
        env,
        base,
        depth,
    } = run;
    let Some(text) = read_env_source(&script, false, Some(at), sources, problems) else {
        return;
    };
    let mut reading = read_script(
        &script,
        &text,
        interpreter.as_deref(),
        &invoked,
        &vars,
        &base,
        depth,
        map,
        budget,
    );
    // The scripts it runs that start compose (or that clawlint stops following, which
    // CL907 says).
    let nested: Vec<(command::Found, PathBuf, String)> = std::mem::take(&mut reading.nested)
        .into_iter()
        .filter(|(found, next, invoked)| {
            let depth = reading.depth_of(found.file);
            if depth >= MAX_SCRIPT_DEPTH {
                return true;
            }
            let mut inner = vars.clone();
            inner.extend(found.command.env.iter().cloned());
            let cwd = script_cwd(
                found.command.cwd.as_deref(),
                &script,
                &base,
                map,
                &mut Vec::new(),
            );
            let shell = script_interpreter(&found.command.argv);
            let (shell, depth) = (shell.as_deref(), depth + 1);
            script_mentions_compose(next, shell, invoked, &inner, map, &cwd, depth, budget)
        })
        .collect();
    if reading.compose.is_empty() && nested.is_empty() && reading.notes.is_empty() {
        return;
    }
    // The script is file 0, each file it sourced the next.
    let mut files: Vec<(FileId, PathBuf, String)> = Vec::new();
    for (path, text) in std::iter::once((script.clone(), text)).chain(
        reading
            .sourced
            .iter()
            .map(|f| (f.path.clone(), f.text.clone())),
    ) {
        let shown = crate::redact::scan::shell_script(&text);
        let file = sources.add(&path, text.clone(), None);
        sources.show(file, shown);
        files.push((file, path, text));
    }
    // A statement's place: its location, and `file:line` in words (each file's lines found
    // once: a place is a binary search, however many there are).
    let lines: Vec<LineIndex> = files.iter().map(|(_, _, t)| LineIndex::new(t)).collect();
    let line_at = |file: usize, offset: usize| {
        let (id, path, text) = &files[file];
        let offset = offset.min(text.len());
        let (line, end) = lines[file].place(text, offset);
        let loc = Loc {
            file: *id,
            span: Span::new(offset, end),
        };
        (loc, format!("{}:{line}", crate::paths::display_path(path)))
    };
    // Who runs a statement of file `file`: the script's own runner, through the `source`s
    // that lead to it.
    let by_of = |file: usize| -> String {
        let mut chain = Vec::new();
        let mut at = file;
        while at > 0 {
            let (from, offset) = reading.sourced[at - 1].from;
            chain.push(format!("sourced by {}", line_at(from, offset).1));
            at = from;
        }
        chain.push(format!("run by {by}"));
        chain.join(", ")
    };
    let top = by
        .rsplit("run by ")
        .next()
        .unwrap_or(&by)
        .trim_end_matches(')');
    for note in &reading.notes.kept {
        let (loc, here) = line_at(note.file, note.offset);
        if note.stops_following() {
            out.stopped.push(StoppedFollow {
                at: here.clone(),
                kind: match note.what {
                    NoteKind::Unresolved { .. } | NoteKind::OnPath { .. } => {
                        crate::load::ProblemKind::Unresolved
                    }
                    _ => crate::load::ProblemKind::TooMany,
                },
            });
        }
        problems.push(note_problem(
            note,
            Some(loc),
            &here,
            top,
            &COMPOSE_LOST,
            sources,
        ));
    }
    let placed = |file: usize, offset: usize| {
        let (loc, here) = line_at(file, offset);
        (Some(loc), here)
    };
    problems.extend(reading.notes.summary(&placed, top));
    for found in std::mem::take(&mut reading.compose) {
        let Some(args) = compose::runs::parse(&found.command.argv) else {
            continue;
        };
        let cmd = &found.command;
        let (loc, here) = line_at(found.file, found.offset);
        let mut unknown: Vec<String> = cmd.unknown_args.iter().map(|v| format!("${v}")).collect();
        let cwd = script_cwd(cmd.cwd.as_deref(), &script, &base, map, &mut unknown);
        if let Some(injects) = &cmd.injects_env {
            unknown.push(format!("the variables {injects} adds"));
        }
        let mut run_env = env.clone();
        run_env.extend(cmd.env.iter().map(|(k, v)| (k.clone(), map.map(v), loc)));
        let place = |raw: &str| match raw.starts_with('/') {
            true => on_layout(raw, map),
            false => crate::paths::normalize(&cwd.join(raw)),
        };
        let mut run = ComposeRun::new(
            format!("{here} ({})", by_of(found.file)),
            loc,
            Some(cwd.clone()),
            args,
            run_env,
            unknown,
            &place,
        );
        run.script = Some(files[found.file].1.clone());
        out.push(run);
    }
    for (found, next, invoked) in nested {
        let cmd = &found.command;
        let (loc, here) = line_at(found.file, found.offset);
        if reading.depth_of(found.file) >= MAX_SCRIPT_DEPTH {
            out.stopped.push(StoppedFollow {
                at: here.clone(),
                kind: crate::load::ProblemKind::TooMany,
            });
            problems.push(Problem {
                kind: crate::load::ProblemKind::TooMany,
                message: format!(
                    "{here} runs the script {}, nested more than {MAX_SCRIPT_DEPTH} scripts below {top}: clawlint does not follow it, so a `docker compose` it runs is not seen",
                    crate::paths::display_path(&next),
                ),
                loc: Some(loc),
            });
            continue;
        }
        let cwd = script_cwd(cmd.cwd.as_deref(), &script, &base, map, &mut Vec::new());
        let mut inner_vars = vars.clone();
        inner_vars.extend(cmd.env.iter().cloned());
        let mut inner_env = env.clone();
        inner_env.extend(cmd.env.iter().map(|(k, v)| (k.clone(), map.map(v), loc)));
        let inner = ScriptRun {
            script: next,
            interpreter: script_interpreter(&found.command.argv),
            invoked,
            by: format!("{here}, {}", by_of(found.file)),
            at: loc,
            vars: inner_vars,
            env: inner_env,
            base: cwd,
            depth: reading.depth_of(found.file) + 1,
        };
        script_compose_runs(inner, map, budget, sources, problems, out);
    }
}

/// How many shell scripts, each run by the one before, clawlint follows from what a
/// supervisor runs (a unit runs `a.sh`, which runs `b.sh`, which runs `docker compose up`:
/// two; a file a script sources counts as one more level). A script deeper than this is not
/// read, and CL907 says so where it is run.
pub const MAX_SCRIPT_DEPTH: usize = 3;

/// The script a statement runs: `./b.sh`, `/opt/stack/b.sh`, `bash b.sh`, `sh -e b.sh`.
fn runs_script(argv: &[String]) -> Option<&str> {
    let first = argv.first()?;
    let word = match command_basename(first) {
        "sh" | "bash" | "dash" | "zsh" => argv[1..].iter().find(|a| !a.starts_with('-'))?,
        _ => first,
    };
    word.ends_with(".sh").then_some(word.as_str())
}

/// Where a script runs another script (`runs_script`), on the layout: relative to the
/// directory the statement runs in, `"$(dirname "$0")/b.sh"` beside the script itself.
/// `None` when the path is computed by a command, or not a file in the layout.
fn nested_script(
    cmd: &command::Command,
    script: &Path,
    base: &Path,
    map: &PathMap,
) -> Option<PathBuf> {
    let word = runs_script(&cmd.argv)?;
    let script_dir = script.parent().unwrap_or(Path::new("/"));
    let path = if let Some(rest) = dirname_of_script(word) {
        crate::paths::normalize(&script_dir.join(rest))
    } else if word.contains("$(") || word.contains('`') {
        return None;
    } else if word.starts_with('/') {
        on_layout(word, map)
    } else {
        let cwd = script_cwd(cmd.cwd.as_deref(), script, base, map, &mut Vec::new());
        crate::paths::normalize(&cwd.join(word))
    };
    let inside = path.starts_with(map.home)
        || map
            .root
            .is_some_and(|r| r != Path::new("/") && path.starts_with(r));
    (inside && crate::paths::host::is_file(&path)).then_some(path)
}

/// `$(dirname "$0")/rest` (or with `BASH_SOURCE`): `rest`, relative to the script's own dir.
fn dirname_of_script(word: &str) -> Option<&str> {
    let rest = word.strip_prefix("$(dirname")?;
    let close = rest.find(')')?;
    let inner = &rest[..close];
    (inner.contains("$0") || inner.contains("BASH_SOURCE"))
        .then(|| rest[close + 1..].trim_start_matches('/'))
}

/// A path a script or its supervisor writes, on the layout: one from the supervisor's
/// environment is already placed; one the script writes is mapped once.
fn on_layout(p: &str, map: &PathMap) -> PathBuf {
    let given = Path::new(p);
    let placed = given.starts_with(map.home)
        || map
            .root
            .is_some_and(|r| r != Path::new("/") && given.starts_with(r));
    match placed {
        true => crate::paths::normalize(given),
        false => PathBuf::from(map.map(p)),
    }
}

/// The directory a script's statement runs in: its `cd` (`cd "$(dirname "$0")"` is the
/// script's own directory), else `base`, the directory the script was started in. A `cd` to
/// a computed directory is unknown (said in `unknown`), and `base` is used.
fn script_cwd(
    cd: Option<&str>,
    script: &Path,
    base: &Path,
    map: &PathMap,
    unknown: &mut Vec<String>,
) -> PathBuf {
    let script_dir = script.parent().map(Path::to_path_buf).unwrap_or_default();
    match cd {
        Some(c) if dirname_of_script(c).is_some() => {
            crate::paths::normalize(&script_dir.join(dirname_of_script(c).unwrap_or_default()))
        }
        Some(c) if c.contains("$(") || c.contains('`') => {
            unknown.push(format!(
                "the directory it changes to ({})",
                command::shown(c)
            ));
            base.to_path_buf()
        }
        Some(c) if c.starts_with('/') => on_layout(c, map),
        Some(c) => crate::paths::normalize(&base.join(c)),
        None => base.to_path_buf(),
    }
}
