//! Command lines that run `docker compose` (a systemd unit's `ExecStart=`, a script or a
//! Makefile recipe beside the compose file): which files, profiles, env files and shell
//! environment a project is really started with. Compose takes `--profile`, `--env-file`,
//! `-f`, `--project-directory` and `-p` from its command line and `COMPOSE_PROFILES`,
//! `COMPOSE_ENV_FILES`, `COMPOSE_FILE` and `COMPOSE_PROJECT_NAME` from its environment
//! (compose-go's `cli/options.go`); this reads them from what clawlint can see.
//!
//! Pure, except [`beside`], which reads the scripts and Makefiles of a project's directory
//! through the bounded reader.

use crate::source::Loc;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The compose runs found in what supervisors run, and where clawlint stopped following a
/// script that might run one (a path it cannot work out, past the depth or read budget):
/// with those, "nothing found starts this project" is not known, and output says where it
/// stopped instead.
#[derive(Debug, Default)]
pub struct Runs {
    pub runs: Vec<ComposeRun>,
    pub stopped: Vec<crate::container::StoppedFollow>,
}

impl Runs {
    pub fn push(&mut self, run: ComposeRun) {
        self.runs.push(run);
    }

    pub fn extend(&mut self, more: Runs) {
        self.runs.extend(more.runs);
        self.stopped.extend(more.stopped);
    }
}

/// How many env files clawlint reads for one run of compose (`--env-file`s, or the list in
/// `COMPOSE_ENV_FILES`): every expansion has a budget. Real stacks name one to three.
pub const MAX_ENV_FILES: usize = 32;

/// The env files a run names ([`ComposeRun::named_env_files`]): the first [`MAX_ENV_FILES`],
/// and when it names more, how many and where.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedEnvFiles {
    pub files: Vec<PathBuf>,
    pub over: Option<(usize, Loc)>,
}

/// One command line that runs compose.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeRun {
    /// Who runs it, as output shows it: `unit openclaw-stack.service`, `Makefile:12`.
    pub by: String,
    /// The command line.
    pub loc: Loc,
    /// Its working directory on the scanned layout, when known.
    pub cwd: Option<PathBuf>,
    pub args: ComposeArgs,
    /// `-f` files, `--env-file`s and `--project-directory`, on the scanned layout.
    pub files: Vec<PathBuf>,
    pub env_files: Vec<PathBuf>,
    pub project_dir: Option<PathBuf>,
    /// The environment compose is started with that clawlint can see (a unit's
    /// `Environment=`/`EnvironmentFile=`, `export`, `K=V docker compose`), with where.
    pub env: Vec<(String, String, Loc)>,
    /// What of the command line clawlint cannot see (`--profile "$P"`, `$(shell …)`): what
    /// it starts and with which values is then unverifiable.
    pub unknown: Vec<String>,
    /// The shell script the line is in, when a supervisor runs that script: read with the
    /// supervisor's environment, it is not read again as a script beside the project.
    pub script: Option<PathBuf>,
}

impl ComposeRun {
    /// A run whose paths `place` puts on the scanned layout (relative ones against `cwd`).
    pub fn new(
        by: String,
        loc: Loc,
        cwd: Option<PathBuf>,
        args: ComposeArgs,
        env: Vec<(String, String, Loc)>,
        unknown: Vec<String>,
        place: &dyn Fn(&str) -> PathBuf,
    ) -> ComposeRun {
        ComposeRun {
            files: args.files.iter().map(|f| place(f)).collect(),
            env_files: args.env_files.iter().map(|f| place(f)).collect(),
            project_dir: args.project_dir.as_deref().map(place),
            by,
            loc,
            cwd,
            args,
            env,
            unknown,
            script: None,
        }
    }

    /// The env files this run names for compose to interpolate with instead of the `.env`:
    /// its `--env-file`s, else the comma-separated `COMPOSE_ENV_FILES` of its environment
    /// (docker compose's default for `--env-file`; relative to `base`, the directory it runs
    /// in). At most [`MAX_ENV_FILES`]; with more, how many were named and where. `None` when
    /// it names none.
    pub fn named_env_files(&self, base: &Path) -> Option<NamedEnvFiles> {
        let (mut files, named_at): (Vec<PathBuf>, Loc) = if !self.env_files.is_empty() {
            (self.env_files.clone(), self.loc)
        } else {
            let (_, list, at) = self
                .var("COMPOSE_ENV_FILES")
                .filter(|(_, l, _)| !l.is_empty())?;
            let files = list
                .split(',')
                .filter(|f| !f.trim().is_empty())
                .map(|f| crate::paths::normalize(&base.join(f.trim())))
                .collect();
            (files, *at)
        };
        let over = (files.len() > MAX_ENV_FILES).then_some((files.len(), named_at));
        files.truncate(MAX_ENV_FILES);
        Some(NamedEnvFiles { files, over })
    }

    /// A variable of the environment compose runs with.
    pub fn var(&self, name: &str) -> Option<&(String, String, Loc)> {
        self.env.iter().rev().find(|(k, _, _)| k == name)
    }

    /// Does this run say `COMPOSE_DISABLE_ENV_FILE` is true (compose-go's `strconv.ParseBool`
    /// spellings)? Then compose reads no `.env` of its own.
    pub fn env_file_disabled(&self) -> bool {
        self.var("COMPOSE_DISABLE_ENV_FILE")
            .is_some_and(|(_, v, _)| {
                matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True")
            })
    }
}

/// The arguments of `docker compose` / `docker-compose` / `podman compose` that decide what
/// a project is and what it starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComposeArgs {
    /// `-f`/`--file`, in order, as written.
    pub files: Vec<String>,
    pub project_dir: Option<String>,
    pub project_name: Option<String>,
    /// `--profile`, in order.
    pub profiles: Vec<String>,
    /// `--env-file`, in order (a later one overrides an earlier one).
    pub env_files: Vec<String>,
    /// `up`, `down`, `pull`, …
    pub subcommand: Option<String>,
    /// Services named after the subcommand (`up -d gateway`): started whatever their profiles.
    pub services: Vec<String>,
}

impl ComposeArgs {
    /// Does this command start containers (`docker compose up`)?
    pub fn starts(&self) -> bool {
        self.subcommand.as_deref() == Some("up")
    }
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Options of `docker`/`podman` before `compose` that take a value.
const ENGINE_VALUE_OPTIONS: [&str; 8] = [
    "-c",
    "--context",
    "-H",
    "--host",
    "--config",
    "-l",
    "--log-level",
    "--connection",
];

/// Compose's global options that take a value.
const GLOBAL_VALUE_OPTIONS: [&str; 10] = [
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--parallel",
    "--progress",
];

/// `up`'s options that take a value (the rest are flags).
const UP_VALUE_OPTIONS: [&str; 9] = [
    "--scale",
    "-t",
    "--timeout",
    "--exit-code-from",
    "--attach",
    "--no-attach",
    "--pull",
    "--wait-timeout",
    "--podman-args",
];

/// A command line without the words clawlint cannot work out (`"$ENV_FILE"` with no value,
/// `"${ARGS[@]}"`, each reported as unknown with the run), nor an option that would take one
/// of them as its value: such a word is no subcommand, service or file to guess from.
pub fn without_unresolved(argv: &[String], unresolved: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(argv.len());
    for word in argv {
        if !unresolved.iter().any(|(value, _)| value == word) {
            out.push(word.clone());
            continue;
        }
        if out.last().is_some_and(|o| {
            GLOBAL_VALUE_OPTIONS.contains(&o.as_str()) || UP_VALUE_OPTIONS.contains(&o.as_str())
        }) {
            out.pop();
        }
    }
    out
}

/// The shell variables with no value in `cmd`'s words, as `$NAME`, but none when each of them
/// only names services to start (`docker compose -f x.yml up -d "$1"`, a script run as
/// `./up.sh acme`): which services one run starts changes nothing compose reads, and every
/// service is taken to start, as another run of the script starts it.
pub fn unknown_words(cmd: &crate::discover::command::Command) -> Vec<String> {
    let services = parse(&cmd.argv)
        .map(|kept| kept.services)
        .unwrap_or_default();
    // Quoted words in services' places; unquoted, `$FLAGS` may split into options.
    let only_services = !cmd.unresolved_unquoted
        && (cmd.unresolved.iter()).all(|(value, _)| services.contains(value))
        && cmd.unknown_args.iter().all(|var| {
            (cmd.unresolved.iter()).any(|(_, written)| {
                written.contains(&format!("${var}")) || written.contains(&format!("${{{var}"))
            })
        });
    match only_services {
        true => Vec::new(),
        false => cmd.unknown_args.iter().map(|v| format!("${v}")).collect(),
    }
}

/// The compose arguments of `argv` (wrappers already removed), or `None` when it does not
/// run compose: `docker [opts] compose …`, `podman [opts] compose …`, `docker-compose …`,
/// `podman-compose …`.
pub fn parse(argv: &[String]) -> Option<ComposeArgs> {
    let program = basename(argv.first()?);
    let start = match program {
        "docker-compose" | "podman-compose" => 1,
        "docker" | "podman" => {
            let mut i = 1;
            while let Some(w) = argv.get(i) {
                if ENGINE_VALUE_OPTIONS.contains(&w.as_str()) {
                    i += 2;
                } else if w.starts_with('-') {
                    i += 1;
                } else {
                    break;
                }
            }
            if argv.get(i).map(String::as_str) != Some("compose") {
                return None;
            }
            i + 1
        }
        _ => return None,
    };
    let mut args = ComposeArgs::default();
    let mut i = start;
    // Global options, then the subcommand.
    while let Some(w) = argv.get(i) {
        if !w.starts_with('-') || w == "-" {
            args.subcommand = Some(w.clone());
            i += 1;
            break;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let takes_value = GLOBAL_VALUE_OPTIONS.contains(&name);
        let value = match (&inline, takes_value) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => {
                i += 1;
                argv.get(i).cloned()
            }
            (None, false) => None,
        };
        if let Some(v) = value {
            match name {
                "-f" | "--file" => args.files.push(v),
                "-p" | "--project-name" => args.project_name = Some(v),
                "--profile" => args.profiles.push(v),
                "--env-file" => args.env_files.push(v),
                "--project-directory" => args.project_dir = Some(v),
                _ => {}
            }
        }
        i += 1;
    }
    if args.subcommand.as_deref() == Some("up") {
        while let Some(w) = argv.get(i) {
            if w == "--" {
                i += 1;
                continue;
            }
            if w.starts_with('-') {
                if UP_VALUE_OPTIONS.contains(&w.as_str()) {
                    i += 1;
                }
            } else {
                args.services.push(w.clone());
            }
            i += 1;
        }
    }
    Some(args)
}

/// The profiles a run enables: its `--profile`s, else `COMPOSE_PROFILES` from its shell
/// environment, else from its env files (compose-go's `WithDefaultProfiles` reads the
/// environment after the env files are merged into it, the shell's values winning).
pub fn enabled_profiles(args: &ComposeArgs, env: &BTreeMap<String, (String, Loc)>) -> Vec<String> {
    if !args.profiles.is_empty() {
        return args
            .profiles
            .iter()
            .flat_map(|p| p.split(','))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
    }
    env.get("COMPOSE_PROFILES")
        .map(|(v, _)| {
            v.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Names of scripts beside a compose file that may run it.
fn is_wrapper_name(name: &str) -> bool {
    is_script_name(name)
        || name == "Makefile"
        || name == "makefile"
        || name == "GNUmakefile"
        || name == "justfile"
        || name == "Justfile"
}

/// A Makefile's shell lines: each recipe line (after a tab), `\`-continuations joined,
/// `@`/`-`/`+` prefixes dropped, `$(VAR)`/`${VAR}` expanded from the Makefile's own simple
/// assignments (`$(CURDIR)` is its directory), `$$` made `$`. Each comes with its byte
/// offset. A Make variable clawlint cannot expand stays in the line as `$MAKE_UNKNOWN`.
pub fn make_recipes(text: &str, dir: &Path) -> Vec<(String, usize)> {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    vars.insert("CURDIR".into(), dir.display().to_string());
    let mut logical: Vec<(String, usize, bool)> = Vec::new();
    let mut offset = 0;
    let mut pending: Option<(String, usize, bool)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let (continues, body) = match body.strip_suffix('\\') {
            Some(b) => (true, b),
            None => (false, body),
        };
        match pending.as_mut() {
            Some((acc, _, _)) => {
                acc.push(' ');
                acc.push_str(body.trim_start_matches('\t'));
            }
            None => {
                let recipe = body.starts_with('\t');
                pending = Some((body.trim_start_matches('\t').to_string(), start, recipe));
            }
        }
        if !continues {
            logical.extend(pending.take());
        }
    }
    logical.extend(pending.take());
    let mut out = Vec::new();
    for (line, start, recipe) in logical {
        if !recipe {
            // `NAME = value`, `NAME := value`, `NAME ?= value`.
            if let Some((name, value)) = make_assignment(&line) {
                let value = expand_make(&value, &vars);
                vars.insert(name, value);
            }
            continue;
        }
        let shell = expand_make(line.trim_start_matches(['@', '-', '+']), &vars);
        out.push((shell, start));
    }
    out
}

fn make_assignment(line: &str) -> Option<(String, String)> {
    if line.trim_start().starts_with('#') {
        return None;
    }
    for op in [":=", "::=", "?=", "+=", "="] {
        if let Some((name, value)) = line.split_once(op) {
            let name = name.trim().trim_start_matches("export ").trim();
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            if valid {
                return Some((name.to_string(), value.trim().to_string()));
            }
            return None;
        }
    }
    None
}

/// `$(VAR)`, `${VAR}` from `vars`; `$$` is a shell `$`. Unknown Make variables (and
/// functions such as `$(shell …)`) become `$MAKE_UNKNOWN`, which the shell reader then
/// reports as a variable it cannot see.
fn expand_make(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some(&open @ ('(' | '{')) => {
                let close = if open == '(' { ')' } else { '}' };
                let Some(end) = chars[i + 2..].iter().position(|&c| c == close) else {
                    out.push_str("$MAKE_UNKNOWN");
                    break;
                };
                let name: String = chars[i + 2..i + 2 + end].iter().collect();
                match vars.get(name.trim()) {
                    Some(v) => out.push_str(v),
                    None => out.push_str("$MAKE_UNKNOWN"),
                }
                i += end + 3;
            }
            Some(&c) if c.is_ascii_alphanumeric() => {
                // `$X`: a one-letter Make variable.
                match vars.get(&c.to_string()) {
                    Some(v) => out.push_str(v),
                    None => out.push_str("$MAKE_UNKNOWN"),
                }
                i += 2;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

/// A justfile's recipe lines (indented), with `{{…}}` left for the shell reader as an
/// unknown variable.
pub fn just_recipes(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            let body = line.trim().trim_start_matches(['@', '-']);
            let mut shell = String::new();
            let mut rest = body;
            while let Some(at) = rest.find("{{") {
                shell.push_str(&rest[..at]);
                shell.push_str("$JUST_UNKNOWN");
                rest = rest[at..].find("}}").map_or("", |e| &rest[at + e + 2..]);
            }
            shell.push_str(rest);
            out.push((shell, start));
        }
    }
    out
}

/// The files that may run compose for a project in `dir`, each with the directory it runs
/// in: the scripts, Makefiles and justfiles beside the project (run there), then the shell
/// and PowerShell scripts of a `scripts/` directory beside it or beside its parent, run from
/// that directory's parent (`./scripts/start.sh`, as their READMEs say). Each list is in name
/// order and at most 64 long; a directory `inside` refuses (outside the layout) is not listed.
pub fn wrapper_files(dir: &Path, inside: &dyn Fn(&Path) -> bool) -> Vec<(PathBuf, PathBuf)> {
    let mut out: Vec<(PathBuf, PathBuf)> = files_beside(dir, is_wrapper_name, 64)
        .into_iter()
        .map(|f| (f, dir.to_path_buf()))
        .collect();
    for base in [Some(dir), dir.parent()].into_iter().flatten() {
        let scripts = base.join("scripts");
        if inside(&scripts) {
            let found = files_beside(&scripts, is_script_name, 64);
            out.extend(found.into_iter().map(|f| (f, base.to_path_buf())));
        }
    }
    out
}

/// A shell or PowerShell script, by its name.
fn is_script_name(name: &str) -> bool {
    let ps1 = name.len().checked_sub(4).map(|at| &name.as_bytes()[at..]);
    name.ends_with(".sh") || ps1.is_some_and(|ext| ext.eq_ignore_ascii_case(b".ps1"))
}

/// The regular files in `dir` whose names `keep` accepts, in name order (at most `max`).
pub fn files_beside(dir: &Path, keep: fn(&str) -> bool, max: usize) -> Vec<PathBuf> {
    // Listed and tested where the layout's reads find them (`paths::host`: links followed
    // within a copied `--root`); each named under `dir`, and only a kept name joined and
    // tested (a project's directory holds its compose file, `.env` and data dirs).
    // The layout's listing of the directory when it has one (the project's directory was
    // listed when its compose file was looked for): no second listing.
    let kept = |name: &std::ffi::OsStr| {
        let path = name.to_str().is_some_and(keep).then(|| dir.join(name))?;
        crate::paths::host::is_file(&path).then_some(path)
    };
    let listed = crate::paths::on_host(dir)
        .and_then(|placed| crate::load::listing::entries(&placed))
        .map(|listing| listing.iter().filter_map(|(name, _)| kept(name)).collect());
    let mut files: Vec<PathBuf> = match listed {
        Some(files) => files,
        None => match crate::paths::host::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|e| kept(&e.file_name()))
                .collect(),
            Err(_) => return Vec::new(),
        },
    };
    files.sort();
    files.truncate(max);
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project's own directory, then `scripts/` beside it and beside its parent, each run
    /// from the `scripts/` directory's parent; only shell and PowerShell scripts there; a
    /// directory outside the layout is not listed.
    #[test]
    fn wrapper_files_beside_and_in_scripts_dirs() {
        let root = std::env::temp_dir().join(format!("clawlint-wrappers-{}", std::process::id()));
        let repo = root.join("repo");
        for (file, text) in [
            ("repo/infra/compose.yaml", "services: {}\n"),
            ("repo/infra/Makefile", "up:\n\tdocker compose up -d\n"),
            ("repo/infra/scripts/up.sh", "docker compose up -d\n"),
            (
                "repo/scripts/start.sh",
                "docker compose -f infra/compose.yaml up -d\n",
            ),
            ("repo/scripts/Makefile", "x:\n"),
            ("repo/scripts/notes.txt", "\n"),
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let infra = repo.join("infra");
        let all = wrapper_files(&infra, &|_| true);
        assert_eq!(
            all,
            [
                (infra.join("Makefile"), infra.clone()),
                (infra.join("scripts/up.sh"), infra.clone()),
                (repo.join("scripts/start.sh"), repo.clone()),
            ]
        );
        let own_only = wrapper_files(&infra, &|d| d.starts_with(&infra));
        assert_eq!(own_only.len(), 2, "{own_only:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// A wrapper's name as the lowercased copy of it said (`.ps1` in any case), without
    /// the copy.
    #[test]
    fn wrapper_names_as_a_lowercased_copy_says() {
        let reference = |name: &str| {
            name.ends_with(".sh")
                || name.to_ascii_lowercase().ends_with(".ps1")
                || [
                    "Makefile",
                    "makefile",
                    "GNUmakefile",
                    "justfile",
                    "Justfile",
                ]
                .contains(&name)
        };
        let names = [
            "",
            "ps1",
            ".ps1",
            "x.PS1",
            "x.Ps1",
            "x.ps",
            "é.ps1",
            "x.pś1",
            "ééps1",
            "run.sh",
            "run.SH",
            "Makefile",
            "MAKEFILE",
            "justfile",
            "Justfile",
            "x.ps1.bak",
            "ß.pS1",
        ];
        for name in names {
            assert_eq!(is_wrapper_name(name), reference(name), "{name:?}");
        }
        assert!(is_wrapper_name("Start.PS1") && !is_wrapper_name("start.ps"));
    }

    #[test]
    fn unresolved_words_are_left_out_with_their_options() {
        let unresolved = vec![
            (String::new(), "\"${ARGS[@]}\"".to_string()),
            ("/opt/x/".to_string(), "\"$DIR\"".to_string()),
        ];
        let line = argv("docker compose -f /opt/x/ --ansi never  up -d gw");
        let mut line = line;
        line.insert(2, String::new());
        let kept = without_unresolved(&line, &unresolved);
        assert_eq!(kept, argv("docker compose --ansi never up -d gw"));
        assert_eq!(parse(&kept).unwrap().subcommand.as_deref(), Some("up"));
    }

    #[test]
    fn compose_command_lines() {
        let a = parse(&argv(
            "/usr/bin/docker compose -f docker-compose.prod.yml --profile openclaw --env-file=prod.env up -d --remove-orphans",
        ))
        .unwrap();
        assert_eq!(a.files, ["docker-compose.prod.yml"]);
        assert_eq!(a.profiles, ["openclaw"]);
        assert_eq!(a.env_files, ["prod.env"]);
        assert!(a.starts() && a.services.is_empty());
        let a = parse(&argv(
            "docker-compose -p acme up -d --scale web=2 openclaw-gateway",
        ))
        .unwrap();
        assert_eq!(a.project_name.as_deref(), Some("acme"));
        assert_eq!(a.services, ["openclaw-gateway"]);
        let a = parse(&argv(
            "docker --context prod compose --project-directory /srv/a down",
        ))
        .unwrap();
        assert_eq!(a.project_dir.as_deref(), Some("/srv/a"));
        assert!(!a.starts());
        assert!(parse(&argv("podman compose up")).unwrap().starts());
        assert!(parse(&argv("docker run -p 1:1 img")).is_none());
        assert!(parse(&argv("openclaw gateway")).is_none());
    }

    #[test]
    fn makefile_recipes_expand_make_variables() {
        let text = "COMPOSE = docker compose -f docker-compose.yml -f docker-compose.extra.yml\n\nstart:\n\t$(COMPOSE) up -d\n\nweb:\n\t@set -e; \\\n\tdocker compose --profile web up -d --build\nx:\n\t$(shell pwd)/run.sh $$HOME\n";
        let got = make_recipes(text, Path::new("/s"));
        let lines: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "docker compose -f docker-compose.yml -f docker-compose.extra.yml up -d",
                "set -e;  docker compose --profile web up -d --build",
                "$MAKE_UNKNOWN/run.sh $HOME",
            ]
        );
        assert_eq!(&text[got[0].1..got[0].1 + 11], "\t$(COMPOSE)");
    }

    #[test]
    fn justfile_recipes() {
        let got = just_recipes("up:\n    docker compose --profile {{profile}} up -d\n");
        assert_eq!(got[0].0, "docker compose --profile $JUST_UNKNOWN up -d");
    }
}
