//! What a systemd manager gives every unit before the unit's own settings: its
//! `DefaultEnvironment=` (systemd-system.conf(5): `system.conf`, `user.conf` and their `.d`
//! drop-ins), and how a unit's `ExecSearchPath=` changes `PATH` and where the command it runs
//! is found (systemd.exec(5)).
//!
//! systemd builds a unit's environment as `strv_env_merge(manager environment, variables of
//! the manager itself, ExecSearchPath= as PATH, PassEnvironment=, Environment=,
//! EnvironmentFile=)`, later ones winning, then removes `UnsetEnvironment=` (`exec-invoke.c`
//! `exec_child`; systemd.exec(5) "Environment Variables in Spawned Processes"). The manager
//! environment is the built-in one (the system manager's `PATH`; the user manager's own
//! environment) with `DefaultEnvironment=` merged over it (`manager_transient_environment_add`).
//! What clawlint cannot see is said where it matters: `systemctl set-environment` and
//! `systemd.setenv=` on the kernel command line (both win over `DefaultEnvironment=`), and for
//! the user manager `import-environment`; its environment.d(5) files are read where the layout
//! has them ([`environment_d_files`]).

use super::*;
use crate::load::ProblemKind;

/// The manager configuration files of one manager, in the order systemd reads them
/// (systemd-system.conf(5) "Configuration Directories and Precedence"): the main file, the
/// first found of its directories (for the user manager `~/.config/systemd/user.conf`, else
/// the system-wide one), then every `*.conf` of the `.d` directories sorted by file name
/// regardless of directory, a name in a higher-priority directory (`/etc` over `/run` over
/// `/usr/local/lib` over `/usr/lib`) hiding the others of that name, and a name linked to
/// `/dev/null` or empty masking it. System-wide files are read only under `--root`: never
/// this machine's. The `.d` directories are listed within [`DROP_IN_ENTRY_BUDGET`] entries
/// over all of them ([`ConfigFiles::stopped_in`]).
pub(super) fn config_files(kind: ServiceKind, home: &Path, root: Option<&Path>) -> ConfigFiles {
    config_files_within(kind, home, root, DROP_IN_ENTRY_BUDGET)
}

/// Directory entries the listing of one manager's `.d` directories looks at, over all of
/// them: a real one holds a few drop-ins; a pull request can hold millions of empty files.
pub const DROP_IN_ENTRY_BUDGET: usize = 10_000;

/// One manager's configuration files ([`config_files`]).
#[derive(Debug, Default)]
pub(super) struct ConfigFiles {
    pub files: Vec<PathBuf>,
    /// The `.d` directory holding more entries than the budget had left: none of its
    /// drop-ins, and none of the directories after it (higher priority), were read.
    pub stopped_in: Option<PathBuf>,
}

fn config_files_within(
    kind: ServiceKind,
    home: &Path,
    root: Option<&Path>,
    budget: usize,
) -> ConfigFiles {
    let (name, user_dir) = match kind {
        ServiceKind::SystemdSystem => ("system.conf", None),
        ServiceKind::SystemdUser => ("user.conf", Some(home.join(".config/systemd"))),
        _ => return ConfigFiles::default(),
    };
    // Highest priority first.
    let mut dirs: Vec<PathBuf> = user_dir.into_iter().collect();
    if let Some(root) = root {
        for dir in [
            "etc/systemd",
            "run/systemd",
            "usr/local/lib/systemd",
            "usr/lib/systemd",
            "lib/systemd",
        ] {
            let dir = in_layout(Some(root), &root.join(dir));
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    // The first that is there, whatever it is: a FIFO or directory there is said by the
    // reader (never opened), not passed over for the next; one linked to /dev/null is empty.
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .map(|d| d.join(name))
        .find(|f| crate::paths::host::is_there(f))
        .filter(|f| !is_masked(f))
        .into_iter()
        .collect();
    let d_dirs: Vec<PathBuf> = dirs.iter().map(|d| d.join(format!("{name}.d"))).collect();
    let drop_ins = conf_files(&d_dirs, budget);
    files.extend(drop_ins.files);
    ConfigFiles {
        files,
        stopped_in: drop_ins.stopped_in,
    }
}

/// Every `*.conf` of `dirs` (highest priority first) sorted by file name whatever its
/// directory, a name in a higher-priority directory hiding the others of that name, one
/// linked to `/dev/null` or empty masking it (systemd's `conf_files_list`); listed within
/// `budget` entries over all of them ([`ConfigFiles::stopped_in`]).
fn conf_files(dirs: &[PathBuf], budget: usize) -> ConfigFiles {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut left = budget;
    let mut stopped_in = None;
    for dir in dirs.iter().rev() {
        let listed = match crate::paths::host::read_dir_within(dir, &mut left) {
            None => continue,
            Some(Err(())) => {
                stopped_in = Some(dir.clone());
                break;
            }
            Some(Ok(listed)) => listed,
        };
        for entry in listed {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if file_name.ends_with(".conf") {
                by_name.insert(file_name, entry.path());
            }
        }
    }
    let files = by_name.into_values().filter(|f| !is_masked(f)).collect();
    ConfigFiles { files, stopped_in }
}

/// The user manager's environment.d files (environment.d(5)), in the order
/// systemd-environment-d-generator reads them: `~/.config/environment.d` and, under `--root`,
/// `/etc`, `/run`, `/usr/local/lib` and `/usr/lib/environment.d` ([`conf_files`]). Without a
/// root, the system's are this machine's and not read.
pub(super) fn environment_d_files(home: &Path, root: Option<&Path>) -> ConfigFiles {
    let mut dirs = vec![home.join(".config/environment.d")];
    if let Some(root) = root {
        for dir in ["etc", "run", "usr/local/lib", "usr/lib"] {
            let dir = in_layout(Some(root), &root.join(dir).join("environment.d"));
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    conf_files(&dirs, DROP_IN_ENTRY_BUDGET)
}

/// An environment.d value with `${NAME}`, `$NAME`, `${NAME:-default}` and `${NAME:+alternate}`
/// replaced from the variables defined before it (`lookup`; one not defined is empty), as
/// environment.d(5) says. `None` past `limit` bytes: a value built of references to long
/// values grows fast.
pub(super) fn expand_environment_d<'a>(
    value: &str,
    lookup: &dyn Fn(&str) -> Option<&'a str>,
    limit: usize,
) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some((expr, tail)) = after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            if let Some((name, default)) = expr.split_once(":-") {
                match lookup(name).filter(|v| !v.is_empty()) {
                    Some(set) => out.push_str(set),
                    None => out.push_str(default),
                }
            } else if let Some((name, alternate)) = expr.split_once(":+") {
                if lookup(name).is_some_and(|v| !v.is_empty()) {
                    out.push_str(alternate);
                }
            } else {
                out.push_str(lookup(expr).unwrap_or(""));
            }
            rest = tail;
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            match len {
                0 => out.push('$'),
                _ => out.push_str(lookup(&after[..len]).unwrap_or("")),
            }
            rest = &after[len..];
        }
        if out.len() > limit {
            return None;
        }
    }
    out.push_str(rest);
    (out.len() <= limit).then_some(out)
}

/// CL907 where the listing of a manager's `.d` directories, or of the user manager's
/// environment.d directories (`part`), stopped ([`ConfigFiles::stopped_in`]).
pub(super) fn stopped(dir: &Path, part: ManagerEnvPart, sources: &mut SourceMap) -> Problem {
    let (listed, unread) = match part {
        ManagerEnvPart::DefaultEnvironment => (
            "the systemd manager's drop-in directories",
            "its DefaultEnvironment= drop-ins",
        ),
        ManagerEnvPart::EnvironmentD => (
            "the user manager's environment.d directories",
            "its environment.d files",
        ),
    };
    let message = format!(
        "{listed} are listed {DROP_IN_ENTRY_BUDGET} entries at most, and {} holds more than were left: it stopped there, so {unread} and those of the directories after it are not read",
        crate::paths::display_path(dir),
    );
    Problem::listing_stopped(dir, message, sources)
}

/// CL907 where the listing of a unit's drop-in directories stopped, read for the unit
/// `unit` ([`DROP_IN_ENTRY_BUDGET`], the same budget as a manager's).
pub(super) fn stopped_drop_ins(dir: &Path, unit: &str, sources: &mut SourceMap) -> Problem {
    let message = format!(
        "a unit's drop-in directories are listed {DROP_IN_ENTRY_BUDGET} entries at most, and {} holds more than were left when {} was read: it stopped there, so the drop-ins in it and in the directories after it are not read",
        crate::paths::display_path(dir),
        command::shown(unit),
    );
    Problem::listing_stopped(dir, message, sources)
}

/// Variables the manager's `DefaultEnvironment=` may set before clawlint stops reading it
/// ([`default_environment`]). Every unit of the manager gets all of them, so what a hostile
/// file sets is copied once per unit read (up to 512): a real one sets a handful.
pub const MAX_MANAGER_VARIABLES: usize = 1_000;
/// Bytes of `DefaultEnvironment=` assignments (names and values) read at most, for the
/// same reason.
pub const MAX_MANAGER_ENV_BYTES: usize = 64 * 1024;

/// A manager's `DefaultEnvironment=` ([`default_environment`]).
#[derive(Debug, Default)]
pub(super) struct DefaultEnvironment {
    /// (index into the files, name, value with `%%` expanded, span in that file).
    pub vars: Vec<(usize, String, String, Span)>,
    /// The assignment where reading stopped at [`MAX_MANAGER_VARIABLES`] or
    /// [`MAX_MANAGER_ENV_BYTES`] (file index, span): it and what follows are not read.
    pub stopped_at: Option<(usize, Span)>,
}

/// The manager's `DefaultEnvironment=` across `files` (their parsed units, in reading order):
/// each value parsed as `Environment=` is (`config_parse_environ`), an empty assignment
/// dropping everything before it, a later assignment of a name replacing the earlier one.
/// Read within [`MAX_MANAGER_VARIABLES`] and [`MAX_MANAGER_ENV_BYTES`]: at the assignment
/// past them it stops ([`DefaultEnvironment::stopped_at`]).
pub(super) fn default_environment(files: &[UnitFile]) -> DefaultEnvironment {
    assignments(files, "DefaultEnvironment")
}

/// The manager's `ManagerEnvironment=` across `files`, read as [`default_environment`] reads
/// `DefaultEnvironment=`: the variables of the manager process itself, which what it runs
/// outside units inherits (its generators; for a user manager, everything it spawns).
pub(super) fn manager_environment(files: &[UnitFile]) -> DefaultEnvironment {
    assignments(files, "ManagerEnvironment")
}

/// The `[Manager]` assignments of `key` across `files` ([`default_environment`]).
fn assignments(files: &[UnitFile], key: &str) -> DefaultEnvironment {
    let mut env: Vec<(usize, String, String, Span)> = Vec::new();
    // Names by position: linear however many a hostile file assigns.
    let mut index = crate::load::keys::KeyIndex::default();
    let mut bytes = 0usize;
    for (i, unit) in files.iter().enumerate() {
        if unit
            .get_all("Manager", key)
            .iter()
            .any(|d| d.value.is_empty())
        {
            env.clear();
            index.clear();
        }
        for (name, value, span) in systemd::environment_of(unit, "Manager", key) {
            bytes += name.len() + value.len();
            // Only "simple" specifiers are expanded there; `%%` is the one a path can need.
            let entry = (i, name, value.replace("%%", "%"), span);
            let placed = index.place(entry.1.clone(), env.len());
            let full = placed.is_none() && env.len() == MAX_MANAGER_VARIABLES;
            if full || bytes > MAX_MANAGER_ENV_BYTES {
                return DefaultEnvironment {
                    vars: env,
                    stopped_at: Some((i, span)),
                };
            }
            match placed {
                Some(at) => env[at] = entry,
                None => env.push(entry),
            }
        }
    }
    DefaultEnvironment {
        vars: env,
        stopped_at: None,
    }
}

/// CL907 where reading `part` of the manager's environment stopped at its budget
/// ([`DefaultEnvironment::stopped_at`], [`MAX_MANAGER_VARIABLES`] and
/// [`MAX_MANAGER_ENV_BYTES`]), at `loc`.
pub(super) fn stopped_environment(loc: Loc, part: ManagerEnvPart) -> Problem {
    let read = match part {
        ManagerEnvPart::DefaultEnvironment => format!(
            "{part} is read up to {MAX_MANAGER_VARIABLES} variables and {MAX_MANAGER_ENV_BYTES} bytes of assignments (every unit gets all of them, and a real one sets a handful), and this assignment passes that: clawlint stops reading it here, so what it sets from here on is not seen"
        ),
        ManagerEnvPart::EnvironmentD => format!(
            "{part} are read up to {MAX_MANAGER_VARIABLES} variables (with DefaultEnvironment='s) and {MAX_MANAGER_ENV_BYTES} bytes of assignments (every unit of the user manager gets all of them, and a real one sets a handful), and this assignment passes that: clawlint stops reading them here, so what they set from here on is not seen"
        ),
    };
    Problem {
        kind: ProblemKind::Budget,
        message: format!("{read} (a variable a gateway needs is then unverifiable, not missing)"),
        loc: Some(loc),
    }
}

/// A unit's `ExecSearchPath=`: colon-separated absolute paths, several assignments appended,
/// an empty one dropping those before it; each path has its specifiers expanded (`expand`)
/// and a relative one is ignored, as systemd does (`config_parse_colon_separated_paths`).
/// With the directive where each path was set.
pub(super) fn exec_search_path(
    units: &[UnitFile],
    expand: &dyn Fn(&str) -> String,
) -> Option<SearchPath> {
    let mut dirs: Vec<(String, usize, Span)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        for d in unit.get_all("Service", "ExecSearchPath") {
            if d.value.is_empty() {
                dirs.clear();
                continue;
            }
            dirs.extend(
                d.value
                    .split(':')
                    .map(|p| expand(p.trim()))
                    .filter(|p| p.starts_with('/'))
                    .map(|p| (p, i, d.value_span)),
            );
        }
    }
    (!dirs.is_empty()).then_some(SearchPath { dirs })
}

/// The directories of a unit's `ExecSearchPath=` ([`exec_search_path`]), in order, each
/// with the file (index among the unit's files) and value span of the directive naming it.
#[derive(Debug)]
pub(super) struct SearchPath {
    pub dirs: Vec<(String, usize, Span)>,
}

impl SearchPath {
    pub fn paths(&self) -> Vec<String> {
        self.dirs.iter().map(|(d, _, _)| d.clone()).collect()
    }

    /// Where the last directive lies: `PATH` is set there.
    pub fn last(&self) -> (usize, Span) {
        let (_, i, span) = self.dirs.last().expect("a search path has a directory");
        (*i, *span)
    }

    /// The directive that names `dir`.
    pub fn naming(&self, dir: &str) -> Option<(usize, Span)> {
        self.dirs
            .iter()
            .find(|(d, _, _)| d == dir)
            .map(|(_, i, span)| (*i, *span))
    }
}

/// What systemd runs for a command name without a slash, as far as the layout shows it
/// ([`find_command`]).
#[derive(Debug, PartialEq)]
pub(super) enum Lookup {
    /// The script at this path (as the unit names it).
    Script(String),
    /// A directory of the unit's `ExecSearchPath=`, looked in before any file was found,
    /// leads out of the layout (to `real`): it is not looked into, so what runs is not known.
    Outside { dir: String, real: Option<PathBuf> },
}

/// The script systemd runs for a command name without a slash: the first `DIR/NAME` of
/// `ExecSearchPath=` when the unit sets one (only there), else of systemd's compiled-in
/// search path (`find_executable_full`; systemd.service(5) "Command lines"), when it is a
/// script (`#!`), the only kind clawlint reads further. Looked up only where the layout has
/// those directories (under `--root`); `None` when the name has a slash, or is not found or
/// not a script there, and the command is read as written (a program such as `node` or
/// `docker` is known by its name). A directory of `ExecSearchPath=` that leads out of the
/// layout ends the search ([`Lookup::Outside`]): a file there would come first. One of the
/// compiled-in path is passed over: the unit's author did not choose it.
pub(super) fn find_command(name: &str, search: Option<&[String]>, map: &PathMap) -> Option<Lookup> {
    if name.contains('/') || name.is_empty() {
        return None;
    }
    let compiled: Vec<String>;
    let dirs: &[String] = match search {
        Some(dirs) => dirs,
        None => {
            compiled = compiled_search_path(map);
            &compiled
        }
    };
    // systemd runs the first file found, script or not.
    for dir in dirs {
        let candidate = format!("{}/{name}", dir.trim_end_matches('/'));
        let on_layout = PathBuf::from(map.map(&candidate));
        if !crate::load::layout::names_inside(&on_layout) {
            continue;
        }
        match crate::paths::host::is_file_within(&on_layout) {
            Some(true) => {
                return ServiceFiles::bytes(&on_layout, SMALL_FILE_LIMIT)
                    .is_ok_and(|b| b.starts_with(b"#!"))
                    .then_some(Lookup::Script(candidate));
            }
            Some(false) => {}
            None if search.is_some() => {
                // Where the directory leads, not the file: nothing in it is looked at.
                let real = crate::paths::host::outside_real(&PathBuf::from(map.map(dir)));
                return Some(Lookup::Outside {
                    dir: dir.clone(),
                    real,
                });
            }
            None => {}
        }
    }
    None
}

/// systemd's compiled-in search path for commands, the system manager's default `PATH`
/// ([`scripts::default_path`]'s), used by both managers.
fn compiled_search_path(map: &PathMap) -> Vec<String> {
    let system = PathMap {
        unit_home: None,
        home: map.home,
        root: map.root,
        kind: ServiceKind::SystemdSystem,
        domain_path: None,
    };
    scripts::default_path(&system)
        .map(|p| p.split(':').map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> UnitFile {
        systemd::parse_unit(text)
    }

    #[test]
    fn default_environment_merges_files_in_order_and_resets() {
        let files = [
            unit("[Manager]\nDefaultEnvironment=\"A=one two\" B=b PATH=/opt/bin:/usr/bin\n"),
            unit("[Manager]\nDefaultEnvironment=B=again C=100%%\n"),
        ];
        let env = default_environment(&files).vars;
        let pairs: Vec<(usize, &str, &str)> = env
            .iter()
            .map(|(i, k, v, _)| (*i, k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (0, "A", "one two"),
                (1, "B", "again"),
                (0, "PATH", "/opt/bin:/usr/bin"),
                (1, "C", "100%")
            ]
        );
        // The span is the assignment's, in its own file.
        let (_, _, _, span) = &env[0];
        let text = "[Manager]\nDefaultEnvironment=\"A=one two\" B=b PATH=/opt/bin:/usr/bin\n";
        assert_eq!(&text[span.start()..span.end()], "\"A=one two\"");
        // An empty assignment drops what came before, even from other files.
        let files = [
            unit("[Manager]\nDefaultEnvironment=A=1\n"),
            unit("[Manager]\nDefaultEnvironment=\nDefaultEnvironment=B=2\n"),
        ];
        let keys: Vec<String> = default_environment(&files)
            .vars
            .into_iter()
            .map(|e| e.1)
            .collect();
        assert_eq!(keys, ["B"]);
        // Other sections do not count.
        assert!(
            default_environment(&[unit("[Service]\nDefaultEnvironment=A=1\n")])
                .vars
                .is_empty()
        );
    }

    #[test]
    fn environment_d_values_expand_earlier_variables() {
        let vars = [("A", "one"), ("E", "")];
        let lookup = |n: &str| vars.iter().find(|v| v.0 == n).map(|v| v.1);
        let expand = |v: &str| expand_environment_d(v, &lookup, 100);
        assert_eq!(expand("${A}/$A:$B.x").as_deref(), Some("one/one:.x"));
        assert_eq!(
            expand("${E:-d} ${A:-d} ${A:+alt} ${E:+alt}").as_deref(),
            Some("d one alt ")
        );
        assert_eq!(expand("$ 5$").as_deref(), Some("$ 5$"));
        assert_eq!(expand_environment_d("${A}${A}", &lookup, 5), None);
    }

    #[test]
    fn exec_search_path_appends_resets_and_ignores_relative_entries() {
        let units = [
            unit("[Service]\nExecSearchPath=/opt/a:relative\nExecSearchPath=/opt/b\n"),
            unit("[Service]\nExecSearchPath=/opt/c\n"),
        ];
        let same = |p: &str| p.to_string();
        let search = exec_search_path(&units, &same).unwrap();
        assert_eq!(search.paths(), ["/opt/a", "/opt/b", "/opt/c"]);
        assert_eq!(search.last().0, 1);
        assert_eq!(search.naming("/opt/b").map(|(i, _)| i), Some(0));
        let units = [
            unit("[Service]\nExecSearchPath=/opt/a\n"),
            unit("[Service]\nExecSearchPath=\n"),
        ];
        assert!(exec_search_path(&units, &same).is_none());
        // Specifiers are expanded in each path before it is judged absolute.
        let units = [unit("[Service]\nExecSearchPath=%h/bin:/opt/a\n")];
        let home = |p: &str| p.replace("%h", "/home/ops");
        let search = exec_search_path(&units, &home).unwrap();
        assert_eq!(search.paths(), ["/home/ops/bin", "/opt/a"]);
    }
}
