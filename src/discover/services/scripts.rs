//! Compose started through shell scripts: a supervisor's command line, the script it runs,
//! the scripts that script runs or sources in turn (bounded: [`MAX_SCRIPT_DEPTH`] levels,
//! [`MAX_SCRIPT_READS`] reads per command line), each read through the bounded reader.

use super::*;

fn is_compose(argv: &[String]) -> bool {
    compose::runs::parse(argv).is_some()
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
/// scanned layout when it lies inside it.
fn script_of(argv: &[String], vars: &BTreeMap<String, String>, map: &PathMap) -> Option<PathBuf> {
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
    (mapped.is_absolute() && inside && crate::paths::host::is_file(&mapped)).then_some(mapped)
}

/// Whether a command runs compose, directly or through shell scripts in the layout (read
/// through the bounded reader, nothing registered): the cheap test a supervisor's reader
/// makes before it decides the supervisor is not one it cares about. A chain of scripts
/// deeper than [`MAX_SCRIPT_DEPTH`] counts, so that [`supervisor_compose_runs`] says where it
/// stopped following it.
pub(super) fn mentions_compose(
    argv: &[String],
    vars: &BTreeMap<String, String>,
    map: &PathMap,
) -> bool {
    if compose::runs::parse(&command::unwrap_to(argv, vars, &is_compose).argv).is_some() {
        return true;
    }
    let mut budget = MAX_SCRIPT_READS;
    script_of(argv, vars, map)
        .is_some_and(|s| script_mentions_compose(&s, vars, map, None, 1, &mut budget))
}

/// Whether `script` runs compose, itself or through the scripts it runs (at most
/// [`MAX_SCRIPT_READS`] reads in all, from `budget`; past [`MAX_SCRIPT_DEPTH`], any script it
/// runs counts, unread).
fn script_mentions_compose(
    script: &Path,
    vars: &BTreeMap<String, String>,
    map: &PathMap,
    base: Option<&Path>,
    depth: usize,
    budget: &mut usize,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Ok(text) = ServiceFiles::text(script, SMALL_FILE_LIMIT) else {
        return false;
    };
    if !command::script_commands(&text, vars, &is_compose).is_empty() {
        return true;
    }
    let base = base.map_or_else(|| map.home.to_path_buf(), Path::to_path_buf);
    for (cmd, next) in nested_scripts(&text, vars, script, &base, map) {
        if depth >= MAX_SCRIPT_DEPTH {
            return true;
        }
        let mut inner = vars.clone();
        inner.extend(cmd.env.iter().cloned());
        let cwd = script_cwd(cmd.cwd.as_deref(), script, &base, map, &mut Vec::new());
        if script_mentions_compose(&next, &inner, map, Some(&cwd), depth + 1, budget) {
            return true;
        }
    }
    false
}

/// The scripts a script runs, each once (the first statement that runs it), that lie in the
/// layout.
fn nested_scripts(
    text: &str,
    vars: &BTreeMap<String, String>,
    script: &Path,
    base: &Path,
    map: &PathMap,
) -> Vec<(command::Command, PathBuf)> {
    let mut out: Vec<(command::Command, PathBuf)> = Vec::new();
    for (cmd, _) in command::script_commands(text, vars, &|a| runs_script(a).is_some()) {
        if let Some(next) = nested_script(&cmd, script, base, map) {
            if !out.iter().any(|(_, p)| *p == next) {
                out.push((cmd, next));
            }
        }
    }
    out
}

/// Scripts read in all to follow one supervisor's command through the scripts it runs.
const MAX_SCRIPT_READS: usize = 32;

/// How many shell scripts, each run by the one before, clawlint follows from what a
/// supervisor runs (a unit runs `a.sh`, which runs `b.sh`, which runs `docker compose up`:
/// two). A script deeper than this is not read, and CL907 says so where it is run.
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
            unknown.push(format!("the directory it changes to ({c})"));
            base.to_path_buf()
        }
        Some(c) if c.starts_with('/') => on_layout(c, map),
        Some(c) => crate::paths::normalize(&base.join(c)),
        None => base.to_path_buf(),
    }
}

/// The compose runs of a supervisor's command line: one reader for systemd units (their
/// `ExecStart=`, `ExecStartPre=`, `ExecStartPost=`), LaunchAgents and task scripts.
/// `docker compose …` itself once wrappers and `sh -c` are removed; else the `docker compose`
/// statements of the shell script it runs, when that lies in the layout, and of the scripts
/// that script runs in turn, up to [`MAX_SCRIPT_DEPTH`] (each read through the bounded reader
/// and registered with its commands shown). `env` is the environment the supervisor starts
/// the command with (compose's shell, which the scripts inherit); `working_dir` its working
/// directory, else the home.
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
) -> Vec<ComposeRun> {
    let mut vars: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.value.clone()))
        .collect();
    // Every supervisor gives its command the user's HOME (systemd's user manager, launchd).
    vars.entry("HOME".to_string())
        .or_insert_with(|| map.home.display().to_string());
    if compose::runs::parse(&command::unwrap_to(&argv, &vars, &is_compose).argv).is_some() {
        return compose_run(by, argv, env, working_dir, map, at)
            .into_iter()
            .collect();
    }
    let Some(script) = script_of(&argv, &vars, map) else {
        return Vec::new();
    };
    let base = working_dir
        .clone()
        .or_else(|| env.value("HOME").map(|h| on_layout(h, map)))
        .unwrap_or_else(|| map.home.to_path_buf());
    let mut out = Vec::new();
    let run_env: Vec<(String, String, Loc)> = env
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone(), v.origin.loc().unwrap_or(at)))
        .collect();
    let start = ScriptRun {
        script,
        by: by.to_string(),
        at,
        vars,
        env: run_env,
        base,
        depth: 1,
    };
    let mut budget = MAX_SCRIPT_READS;
    script_compose_runs(start, map, &mut budget, sources, problems, &mut out);
    out
}

/// A shell script a supervisor runs (directly, or through the scripts before it).
struct ScriptRun {
    script: PathBuf,
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
    budget: &mut usize,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
    out: &mut Vec<ComposeRun>,
) {
    let ScriptRun {
        script,
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
    let found = command::script_commands(&text, &vars, &is_compose);
    let mut nested: Vec<(command::Command, usize, PathBuf)> = Vec::new();
    for (cmd, offset) in command::script_commands(&text, &vars, &|a| runs_script(a).is_some()) {
        let Some(next) = nested_script(&cmd, &script, &base, map) else {
            continue;
        };
        if nested.iter().any(|(_, _, p)| *p == next) {
            continue;
        }
        let mut inner = vars.clone();
        inner.extend(cmd.env.iter().cloned());
        let cwd = script_cwd(cmd.cwd.as_deref(), &script, &base, map, &mut Vec::new());
        if script_mentions_compose(&next, &inner, map, Some(&cwd), depth + 1, budget) {
            nested.push((cmd, offset, next));
        }
    }
    if found.is_empty() && nested.is_empty() {
        return;
    }
    let shown = crate::redact::scan::shell_script(&text);
    let file = sources.add(&script, text.clone(), None);
    sources.show(file, shown);
    let line_at = |offset: usize| {
        let offset = offset.min(text.len());
        let end = text[offset..].find('\n').map_or(text.len(), |e| offset + e);
        let loc = Loc {
            file,
            span: Span { start: offset, end },
        };
        (loc, text[..offset].matches('\n').count() + 1)
    };
    for (cmd, offset) in found {
        let Some(args) = compose::runs::parse(&cmd.argv) else {
            continue;
        };
        let (loc, line) = line_at(offset);
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
            format!(
                "{}:{line} (run by {by})",
                crate::paths::display_path(&script)
            ),
            loc,
            Some(cwd.clone()),
            args,
            run_env,
            unknown,
            &place,
        );
        run.script = Some(script.clone());
        out.push(run);
    }
    for (cmd, offset, next) in nested {
        let (loc, line) = line_at(offset);
        let here = format!("{}:{line}", crate::paths::display_path(&script));
        if depth >= MAX_SCRIPT_DEPTH {
            problems.push(Problem {
                kind: crate::load::ProblemKind::TooMany,
                message: format!(
                    "{here} runs the script {}, nested more than {MAX_SCRIPT_DEPTH} scripts below {}: clawlint does not follow it, so a `docker compose` it runs is not seen",
                    crate::paths::display_path(&next),
                    by.rsplit("run by ").next().unwrap_or(&by).trim_end_matches(')'),
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
            by: format!("{here}, run by {by}"),
            at: loc,
            vars: inner_vars,
            env: inner_env,
            base: cwd,
            depth: depth + 1,
        };
        script_compose_runs(inner, map, budget, sources, problems, out);
    }
}
