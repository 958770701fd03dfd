//! What a supervisor's command really runs: the OpenClaw gateway behind the wrappers people
//! put in front of it (`/usr/bin/env`, `caffeinate`, `op run … --`, `bash -lc '… cd DIR &&
//! exec openclaw …'`, `pnpm moltbot …`), and whether what is left starts a gateway.
//!
//! Pure: no file is read here. Following a script file is the caller's job
//! ([`script_gateway`] takes its text).

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A command as OpenClaw would see it started.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Command {
    /// The program and its arguments once every wrapper is removed.
    pub argv: Vec<String>,
    /// `cd DIR` before the command (relative paths resolve against it).
    pub cwd: Option<String>,
    /// `env K=V`, `export K=V`, `K=V cmd` assignments, in order.
    pub env: Vec<(String, String)>,
    /// The wrappers removed, outermost first: `bash -lc`, `op run`, `caffeinate`, …
    pub wrappers: Vec<String>,
    /// What cannot be seen from here: secrets a wrapper injects, unknown variables.
    pub unseen: Vec<String>,
    /// A wrapper that adds environment variables from outside the files clawlint reads
    /// (`doppler run`, or `op run` whose env file cannot be read).
    pub injects_env: Option<String>,
    /// Env files a secret runner loads (`op run --env-file`): the caller reads them.
    pub env_files: Vec<String>,
    /// Shell variables with no value in the command's own words (an option whose value is
    /// one of them was left out).
    pub unknown_args: Vec<String>,
    /// Words that hold what clawlint cannot work out, as expanded and as written: a variable
    /// with no value, or a command substitution other than the idioms [`substitute`] knows.
    pub unresolved: Vec<(String, String)>,
    /// One of those words is unquoted: the shell may split it into several (`$FLAGS`).
    pub unresolved_unquoted: bool,
    /// Where each variable of `env` that the script's shell exported (`export K=V`, or an
    /// assignment under `set -a`) was last set: its name, the file (0 the script, `n` the
    /// file the [`Sourcer`] numbered `n`) and the statement's byte offset.
    pub set_at: Vec<(String, usize, usize)>,
    /// How many `source`/`.` statements the shell ran before this command (the [`Sourcer`]'s
    /// requests, in the order it got them): a file it did not read among those may have set
    /// what the command gets.
    pub sources_before: usize,
    /// Variables the command gets with a value clawlint cannot work out (made of a variable
    /// with no value, or of a command substitution it does not evaluate), sorted, and left
    /// out of `env`: what OpenClaw or compose resolves from them is unverifiable.
    pub env_unknown: Vec<String>,
    /// Variables an `export` that may or may not run sets (after a test and `&&`, after `||`,
    /// in an `if` branch clawlint cannot answer), sorted: the gateway gets them or not, so
    /// what OpenClaw resolves from them (port, profile, state dir, config) is unverifiable.
    pub maybe_set: Vec<String>,
    /// The script the command runs was read whole and nothing in it could start a gateway
    /// ([`could_start_gateway`]): a watcher or backup job, whatever its environment names.
    pub runs_no_gateway: bool,
}

/// Shell text (a word or statement of a script) as a message may show it: the script is the
/// pull request's text and may hold a secret (`source "$(vault read … sk-…)"`), so only what
/// the shell script scanner knows is safe is shown, the rest masked byte for byte (the message
/// says where the text is), as [`super::powershell::shown`] does for PowerShell.
pub fn shown(text: &str) -> String {
    crate::redact::masked(text, &crate::redact::scan::shell_script(text))
}

/// The OpenClaw binaries under their three names.
const BINARIES: [&str; 3] = ["openclaw", "clawdbot", "moltbot"];

fn basename(word: &str) -> &str {
    word.rsplit(['/', '\\']).next().unwrap_or(word)
}

/// Does `argv` (wrappers removed) start an OpenClaw gateway? `openclaw [root options] gateway
/// [run|start] …`, `node [flags] …/openclaw.mjs gateway`, `node …/dist/index.js gateway`.
pub fn starts_gateway(argv: &[String]) -> bool {
    gateway_word(argv).is_some()
}

/// A gateway's own command, or a `docker run`/`podman run` whose container runs one on this
/// host: what a supervisor's command is read for.
pub fn starts_gateway_here(argv: &[String]) -> bool {
    starts_gateway(argv) || super::container_run::parse(argv).is_some_and(|r| r.runs_gateway())
}

/// `gateway start` does not run a gateway itself: it starts the gateway's installed service
/// (launchd/systemd/schtasks, "Start the Gateway service"). A supervisor running it triggers
/// that service rather than supervising a second gateway.
pub fn starts_installed_service(argv: &[String]) -> bool {
    gateway_word(argv)
        .and_then(|i| subcommand(argv, i))
        .is_some_and(|sub| argv[sub] == "start")
}

/// Index of the word after the `gateway` word at `at` that names its subcommand: the first
/// that is neither an option nor an option's value (`gateway --port 19000 start`).
fn subcommand(argv: &[String], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while i < argv.len() {
        let word = argv[i].as_str();
        if word == "--" {
            return None;
        }
        if !word.starts_with('-') {
            return Some(i);
        }
        i += if takes_value(word) || word == "--profile" {
            2
        } else {
            1
        };
    }
    None
}

/// The option OpenClaw refuses in a `gateway start` command: `start` takes only `--json`
/// (and the root options, which may stand anywhere before `--`), so `gateway start --port N`
/// exits 1 with `OpenClaw does not recognize option "--port"` and starts nothing (OpenClaw
/// 2026.9.6 `register-service-commands-C3Vs-Ksm.mjs:79`, run: tests/hosts/start-triggers).
/// Options of `gateway` itself before `start` (`gateway --port N start`) are accepted and
/// ignored: the installed service runs with its own.
pub fn start_rejected_option(argv: &[String]) -> Option<&str> {
    let start = subcommand(argv, gateway_word(argv)?)?;
    if argv[start] != "start" {
        return None;
    }
    let mut words = argv[start + 1..].iter();
    while let Some(word) = words.next() {
        let name = word.split('=').next().unwrap_or(word);
        match name {
            "--" => return None,
            "--json" | "--dev" | "--no-color" => {}
            "--profile" | "--container" | "--log-level" if !word.contains('=') => {
                words.next();
            }
            "--profile" | "--container" | "--log-level" => {}
            _ if word.starts_with('-') => return Some(name),
            _ => {}
        }
    }
    None
}

/// The OpenClaw program `argv` runs when it starts a gateway: the binary (`openclaw`,
/// `/usr/local/bin/openclaw`) or the script a JS runtime runs (`…/dist/index.js`).
pub fn openclaw_program(argv: &[String]) -> Option<&str> {
    gateway_word(argv)?;
    let program = basename(argv.first()?);
    let program = program.strip_suffix(".cmd").unwrap_or(program);
    if is_js_runtime(program) {
        argv.iter()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .map(String::as_str)
    } else {
        argv.first().map(String::as_str)
    }
}

/// Index of the `gateway` command word in `argv`, when `argv` starts a gateway.
fn gateway_word(argv: &[String]) -> Option<usize> {
    let program = basename(argv.first()?);
    let program = program.strip_suffix(".cmd").unwrap_or(program);
    let rest_at = if BINARIES.contains(&program) || program == "openclaw.mjs" {
        1
    } else if is_js_runtime(program) {
        // node [--flags] ENTRY gateway …
        let entry = argv.iter().skip(1).position(|a| !a.starts_with('-'))? + 1;
        if !is_openclaw_entry(&argv[entry]) {
            return None;
        }
        entry + 1
    } else {
        return None;
    };
    let mut i = rest_at;
    while i < argv.len() {
        let word = argv[i].as_str();
        if word == "--" {
            return None;
        }
        if word == "--profile" || word == "--container" || word == "--log-level" {
            i += 2;
            continue;
        }
        if word.starts_with('-') {
            i += 1;
            continue;
        }
        if word != "gateway" {
            return None;
        }
        // `gateway` alone, with options, or `gateway run|start`; not `gateway status` etc.
        let sub = argv[i + 1..].iter().find(|a| !a.starts_with('-'));
        let sub_is_option_value = argv[i + 1..]
            .iter()
            .position(|a| !a.starts_with('-'))
            .is_some_and(|p| p > 0 && takes_value(&argv[i + p]));
        return match sub.map(String::as_str) {
            None | Some("run") | Some("start") => Some(i),
            Some(_) if sub_is_option_value => Some(i),
            Some(_) => None,
        };
    }
    None
}

/// Gateway options whose value is the next word.
fn takes_value(option: &str) -> bool {
    matches!(
        option,
        "--port" | "--bind" | "--token" | "--password" | "--tailscale" | "--auth" | "--ws-log"
    )
}

fn is_js_runtime(program: &str) -> bool {
    matches!(program, "node" | "nodejs" | "bun" | "tsx" | "node.exe")
        || program.starts_with("node2")
        || program.starts_with("node-")
}

fn is_openclaw_entry(entry: &str) -> bool {
    let name = basename(entry);
    name == "openclaw.mjs"
        || BINARIES
            .iter()
            .any(|b| name == *b || name == format!("{b}.mjs"))
        || entry.ends_with("dist/index.js")
        || entry.ends_with("dist/entry.js")
        || entry.ends_with("dist\\index.js")
}

/// Removes wrappers from `argv`, following `sh -c` scripts (one level).
pub fn unwrap(argv: &[String], env: &BTreeMap<String, String>) -> Command {
    unwrap_to(argv, env, &starts_gateway)
}

/// Whether a script may start a gateway, though none of its statements is one clawlint can
/// read: a statement runs anything but a plain utility or builtin ([`could_start_gateway`]),
/// or the script sources a file, or the shell model stopped before its end.
pub fn script_could_start_gateway(script: &str, env: &BTreeMap<String, String>) -> bool {
    let mut sourced = NotRead {
        arguments_unknown: true,
        ..NotRead::default()
    };
    // Only the statements that could start one are kept: each kept statement carries a copy
    // of what the script exported, and a long script of plain statements kept them all.
    let commands = commands_reading(
        script,
        None,
        env,
        &could_start_gateway,
        &mut Budget::new(),
        &mut sourced,
    );
    let stops = &sourced.stops;
    let stopped = stops.copied.is_some() || stops.unclosed.is_some() || stops.out_of_work;
    stopped
        || !sourced.requests.is_empty()
        || !commands.is_empty()
        || statements(script)
            .iter()
            .any(|(text, _, _)| runs_another_program(text))
}

/// Whether a statement, as written, may run a program its first word does not name: a
/// command or process substitution (`echo "$(node …)"`, `cat <(…)`, `> >(…)`, `for … in
/// $(…)`), a builtin that runs its argument later (`trap '…' EXIT`, `eval`), or a change of
/// `PATH` (after which `sleep` may be any program). Conservative: a false "may" only keeps a
/// unit clawlint cannot read as a gateway's.
fn runs_another_program(statement: &str) -> bool {
    let substitution = ["$(", "`", "<(", ">("]
        .iter()
        .any(|s| statement.contains(s));
    let words: Vec<&str> = statement.split_whitespace().collect();
    let runs_its_argument = words.first().is_some_and(|w| matches!(*w, "trap" | "eval"));
    let changes_path = words.iter().any(|w| {
        let w = w.trim_start_matches(['"', '\'']);
        w == "PATH" || w.starts_with("PATH=") || w.starts_with("PATH+=")
    });
    substitution || runs_its_argument || changes_path
}

/// Whether one statement may start a gateway (see [`script_could_start_gateway`]): anything
/// but a plain utility or shell builtin (a process manager such as `pm2 start eco.js` may),
/// and even one of those when it names OpenClaw or a gateway.
fn could_start_gateway(argv: &[String]) -> bool {
    let named = argv.iter().any(|w| {
        let w = w.to_ascii_lowercase();
        ["gateway", "openclaw", "clawdbot", "moltbot"]
            .iter()
            .any(|n| w.contains(n))
    });
    let plain = argv.first().is_some_and(|p| {
        let system = !p.contains('/') || p.starts_with("/bin/") || p.starts_with("/usr/bin/");
        system && PLAIN_PROGRAMS.contains(&basename(p))
    });
    named || !plain
}

/// Utilities and shell builtins that never run their arguments as a command: what they are
/// given cannot make them start a gateway.
const PLAIN_PROGRAMS: &[&str] = &[
    "[", "[[", "test", "echo", "printf", "sleep", "cat", "cp", "mv", "rm", "mkdir", "touch", "ln",
    "chmod", "chown", "grep", "head", "tail", "tee", "date", "curl", "wget", "jq", "logger",
    "true", "false", ":", "read", "wait", "kill", "stat", "wc", "sort", "cut", "tr", "cd",
    "export", "set", "unset", "local", "shift", "exit", "return", "umask", "ulimit",
];

/// [`unwrap`], where the command looked for in an `sh -c` script is the first statement for
/// which `wanted` holds (a gateway for [`unwrap`], `docker compose` for compose runs).
pub fn unwrap_to(
    argv: &[String],
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
) -> Command {
    unwrap_with(argv, env, wanted, None, &mut Budget::new())
}

/// [`unwrap`], where the files an `sh -c` script sources are read by `sourcer` (run in the
/// script's shell: what they export is in the command's `env`, with [`Command::set_at`]).
pub fn unwrap_sourcing(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sourcer: &mut dyn Sourcer,
) -> Command {
    unwrap_with(
        argv,
        env,
        &starts_gateway_here,
        Some(sourcer),
        &mut Budget::new(),
    )
}

fn unwrap_with(
    argv: &[String],
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
    mut sourcer: Option<&mut dyn Sourcer>,
    budget: &mut Budget,
) -> Command {
    let mut out = Command::default();
    let mut argv = argv.to_vec();
    let mut shell_depth = 0;
    while let Some(program) = argv.first().map(|p| basename(p).to_string()) {
        match program.as_str() {
            "env" => {
                out.wrappers.push("env".into());
                let mut i = 1;
                while i < argv.len() {
                    let w = &argv[i];
                    if w == "-u" || w == "--unset" {
                        i += 2;
                    } else if w.starts_with('-') {
                        i += 1;
                    } else if let Some((k, v)) = assignment(w) {
                        out.env.push((k, v));
                        i += 1;
                    } else {
                        break;
                    }
                }
                argv.drain(..i.min(argv.len()));
            }
            "caffeinate" | "nice" | "nohup" | "setsid" | "exec" | "stdbuf" | "chrt" | "ionice"
            | "sudo" | "runuser" | "doas" | "xvfb-run" => {
                if program != "exec" {
                    out.wrappers.push(program.clone());
                }
                let mut i = 1;
                while i < argv.len() && argv[i].starts_with('-') {
                    let flag = argv[i].as_str();
                    // Flags whose value is the next word.
                    let valued = matches!(
                        (program.as_str(), flag),
                        ("caffeinate", "-t" | "-w")
                            | ("nice", "-n")
                            | ("sudo" | "runuser" | "doas", "-u" | "-g")
                            | ("chrt" | "ionice", "-c" | "-n" | "-p")
                    );
                    i += if valued { 2 } else { 1 };
                }
                if program == "chrt" && argv.get(i).is_some_and(|w| w.parse::<u32>().is_ok()) {
                    i += 1;
                }
                argv.drain(..i.min(argv.len()));
            }
            "op" | "doppler" | "dotenvx" | "infisical" | "varlock"
                if argv.get(1).is_some_and(|w| w == "run") =>
            {
                let Some(sep) = argv.iter().position(|w| w == "--") else {
                    break;
                };
                let files: Vec<String> = env_files_of(&argv[2..sep]);
                out.wrappers.push(format!("{program} run"));
                let by = match files.as_slice() {
                    [] => format!("`{program} run`"),
                    _ => format!("`{program} run` (from {})", files.join(", ")),
                };
                out.unseen
                    .push(format!("the secrets {by} puts into the environment"));
                // `op run` without an env file only resolves `op://` references already in
                // the environment: nothing new appears. Other runners fetch whole projects.
                if program != "op" || !files.is_empty() {
                    out.injects_env = Some(by);
                }
                out.env_files.extend(files);
                argv.drain(..=sep);
            }
            "pnpm" | "npx" | "yarn" | "bunx" | "npm" => {
                let mut i = 1;
                while i < argv.len()
                    && (argv[i].starts_with('-') || matches!(argv[i].as_str(), "exec" | "dlx"))
                {
                    i += 1;
                }
                // `pnpm openclaw …`, `npx -y openclaw@latest …`
                let next = argv
                    .get(i)
                    .map(|w| w.split('@').next().unwrap_or(w).to_string());
                match next {
                    Some(n) if BINARIES.contains(&n.as_str()) => {
                        out.wrappers.push(program.clone());
                        argv.drain(..i);
                        argv[0] = n;
                    }
                    _ => break,
                }
            }
            "sh" | "bash" | "zsh" | "dash" | "ksh" if shell_depth == 0 => {
                let Some(script_at) = shell_script_arg(&argv) else {
                    break;
                };
                let flags = argv[1..script_at].join(" ");
                let shell = format!("{program} {flags}");
                out.wrappers.push(shell.clone());
                shell_depth += 1;
                let script = argv[script_at].clone();
                let first = match sourcer.as_deref_mut() {
                    Some(sourcer) => {
                        read_shell(&script, Some(&shell), env, wanted, sourcer, budget)
                            .into_iter()
                            .next()
                            .map(|f| f.command)
                    }
                    None => commands_within(&script, Some(&shell), env, wanted, budget)
                        .into_iter()
                        .next()
                        .map(|(c, _)| c),
                };
                match first {
                    Some(inner) => {
                        out.set_at = inner.set_at;
                        out.sources_before = inner.sources_before;
                        out.injects_env = inner.injects_env.or(out.injects_env);
                        out.env_files.extend(inner.env_files);
                        out.cwd = inner.cwd.or(out.cwd);
                        out.env.retain(|(k, _)| !inner.env_unknown.contains(k));
                        out.env.extend(inner.env);
                        out.unseen.extend(inner.unseen);
                        out.maybe_set.extend(inner.maybe_set);
                        out.env_unknown.extend(inner.env_unknown);
                        out.wrappers.extend(inner.wrappers);
                        argv = inner.argv;
                    }
                    None => break,
                }
            }
            _ => break,
        }
    }
    out.argv = argv;
    out
}

/// `--env-file X`, `--env-file=X` in a secret runner's options.
fn env_files_of(options: &[String]) -> Vec<String> {
    let mut files = Vec::new();
    let mut words = options.iter();
    while let Some(w) = words.next() {
        if w == "--env-file" {
            files.extend(words.next().cloned());
        } else if let Some(f) = w.strip_prefix("--env-file=") {
            files.push(f.to_string());
        }
    }
    files
}

/// The position of the script in `sh [-flags…] -c SCRIPT` (`-lc`, `-ec`, `-l -c`).
fn shell_script_arg(argv: &[String]) -> Option<usize> {
    let mut i = 1;
    let mut saw_c = false;
    while i < argv.len() {
        let w = &argv[i];
        if w == "-o" || w == "+o" {
            i += 2;
            continue;
        }
        if !w.starts_with('-') || w == "--" {
            break;
        }
        if w.len() > 1 && !w.starts_with("--") && w[1..].contains('c') {
            saw_c = true;
        }
        i += 1;
    }
    (saw_c && i < argv.len()).then_some(i)
}

fn assignment(word: &str) -> Option<(String, String)> {
    let (k, v) = word.split_once('=')?;
    let valid = !k.is_empty()
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !k.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| (k.to_string(), v.to_string()))
}

/// The gateway command in a shell script (a `-c` string or a script file's text): the first
/// statement that starts a gateway, with the `cd` and `export`s that come before it. `None`
/// when no statement starts one.
pub fn script_gateway(script: &str, env: &BTreeMap<String, String>) -> Option<Command> {
    script_commands(script, env, &starts_gateway)
        .into_iter()
        .next()
        .map(|(c, _)| c)
}

/// [`script_gateway`], the files the script sources read by `sourcer`: what they export is
/// in the command's `env` (with [`Command::set_at`]); the caller says what it did not read.
pub fn script_gateway_sourcing(
    script: &str,
    interpreter: Option<&str>,
    env: &BTreeMap<String, String>,
    sourcer: &mut dyn Sourcer,
) -> Option<Command> {
    script_statements(script, interpreter, env, &starts_gateway_here, sourcer)
        .into_iter()
        .next()
        .map(|f| f.command)
}

/// Every statement of a shell script whose command (wrappers removed) `wanted` accepts, each
/// with the `cd`, `export`s and assignments before it and the byte offset of the statement.
/// Files the script sources are not read here (see [`script_statements`]): a file sourced
/// before a statement runs in its shell and may set or export what the command then uses
/// (`set -a; source ~/cfg/.env; set +a; openclaw gateway start`), so that command's
/// environment is marked as not wholly seen (`injects_env`): a variable it needs is then
/// unverifiable, never reported missing.
pub fn script_commands(
    script: &str,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
) -> Vec<(Command, usize)> {
    commands_within(script, None, env, wanted, &mut Budget::new())
}

/// [`script_commands`], and where the shell stopped reading when giving the commands the
/// variables the script set passed [`MAX_COPIED_BYTES`] ([`Sourcer::stopped`]): that
/// statement's offset and how many variables there were. What comes after it is not found;
/// the caller says so there.
pub fn script_commands_until(
    script: &str,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
) -> (Vec<(Command, usize)>, Stops) {
    let mut sourced = NotRead {
        arguments_unknown: true,
        ..NotRead::default()
    };
    let found = commands_reading(script, None, env, wanted, &mut Budget::new(), &mut sourced);
    (found, sourced.stops)
}

/// Where a shell reading a script on its own ([`script_commands_until`]) stopped before its
/// end, each for its caller to say there.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stops {
    /// At its copy budget ([`Sourcer::stopped`]).
    pub copied: Option<CopyStop>,
    /// At a command substitution never closed, at this offset ([`Sourcer::unclosed`]).
    pub unclosed: Option<usize>,
    /// At the run's work budget ([`Sourcer::out_of_work`]).
    pub out_of_work: bool,
}

/// [`script_commands`] within `budget`.
fn commands_within(
    script: &str,
    interpreter: Option<&str>,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
    budget: &mut Budget,
) -> Vec<(Command, usize)> {
    commands_reading(
        script,
        interpreter,
        env,
        wanted,
        budget,
        &mut NotRead::default(),
    )
}

/// [`commands_within`], the `source` requests and where it stopped kept in `sourced`.
fn commands_reading(
    script: &str,
    interpreter: Option<&str>,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
    budget: &mut Budget,
    sourced: &mut NotRead,
) -> Vec<(Command, usize)> {
    let found = read_shell(script, interpreter, env, wanted, sourced, budget);
    found
        .into_iter()
        .map(|mut f| {
            let before: Vec<String> = sourced
                .requests
                .iter()
                .filter(|r| r.offset < f.offset)
                .map(|r| shown(&r.written))
                .collect();
            if !before.is_empty() {
                let files = before.join(", ");
                f.command.unseen.push(format!(
                    "what the shell script's `source {files}` sets (not read)"
                ));
                f.command
                    .injects_env
                    .get_or_insert_with(|| format!("the file the shell script sources ({files})"));
            }
            (f.command, f.offset)
        })
        .collect()
}

/// Where a shell stopped reading at its copy budget ([`Sourcer::stopped`]): the statement's
/// offset, and how many variables the script had set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyStop {
    pub offset: usize,
    pub variables: usize,
}

/// A [`Sourcer`] that reads nothing and keeps each request (all in the script itself), and
/// where the shell stopped reading, if it did.
#[derive(Default)]
struct NotRead {
    requests: Vec<SourceRequest>,
    stops: Stops,
    /// See [`Sourcer::arguments_unknown`].
    arguments_unknown: bool,
}

impl Sourcer for NotRead {
    fn source(&mut self, request: &SourceRequest) -> Option<SourcedText> {
        self.requests.push(request.clone());
        None
    }

    fn stopped(&mut self, _file: usize, offset: usize, variables: usize) {
        self.stops
            .copied
            .get_or_insert(CopyStop { offset, variables });
    }

    fn unclosed(&mut self, _file: usize, offset: usize) {
        self.stops.unclosed.get_or_insert(offset);
    }

    fn out_of_work(&mut self) {
        self.stops.out_of_work = true;
    }

    fn arguments_unknown(&self) -> bool {
        self.arguments_unknown
    }
}

/// A statement [`script_statements`] found: its command, and where it is (`file` 0 is the
/// script itself; another is a file the [`Sourcer`] read, under the number it gave).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub command: Command,
    pub file: usize,
    pub offset: usize,
}

/// `source WORD` or `. WORD` in a script.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRequest {
    /// The word as the shell expands it.
    pub path: String,
    /// The word as written.
    pub written: String,
    /// False when the word holds what clawlint cannot work out (a variable with no value, a
    /// command substitution other than the idioms [`substitute`] knows).
    pub resolvable: bool,
    /// The statement before tests that the file exists (`[ -f X ] && . X`, `if [ -r X ];
    /// then . X`): a missing file is what the author expected.
    pub guarded: bool,
    /// The shell's directory when known (after a `cd`, or `PWD` given).
    pub cwd: Option<String>,
    /// For a word without a slash: where the shell looks for it (bash's `source` and POSIX
    /// `.` search PATH first). `None` when the word has a slash, or `shopt -u sourcepath`
    /// turned the search off (the word is then read from the directory the shell is in).
    pub search: Option<PathSearch>,
    /// Where the statement is: the file (0, or a sourced file's number) and byte offset.
    pub file: usize,
    pub offset: usize,
}

/// How a shell finds a file `source`d by a name without a slash: each directory of its
/// `PATH` in order (a readable file there), then, for bash outside POSIX mode only, the
/// directory it is in. `sh` (dash, or bash as `sh`), `set -o posix` and ksh look on PATH only;
/// zsh's `.` on PATH only, its `source` in the directory it is in first, then on PATH.
/// (Recorded with bash 5.2, dash 0.5.12, ksh 93u+m/1.0.4 and zsh 5.9, Debian 12.)
#[derive(Debug, Clone, PartialEq)]
pub struct PathSearch {
    /// The shell's `PATH`, when it has one clawlint can see.
    pub path: Option<String>,
    /// Whether the directory the shell is in is tried after PATH (bash, not in POSIX mode).
    pub then_cwd: bool,
    /// Whether it is tried before PATH (zsh's `source`, whose manual says the current
    /// directory "is always searched first"; zsh's `.` looks on PATH only).
    pub cwd_first: bool,
}

/// A file read for `source`: its number (never 0), its path (the sourced file's
/// `${BASH_SOURCE[0]}`) and text.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedText {
    pub file: usize,
    pub path: String,
    pub text: String,
}

/// Reads the files a script sources (the caller places paths, counts reads and depth, and
/// says what it cannot read). This module reads no file.
pub trait Sourcer {
    fn source(&mut self, request: &SourceRequest) -> Option<SourcedText>;

    /// What `realpath P`, `readlink -f P`, `cd -P P` and `pwd -P` print for `lexical`, an
    /// absolute path with `.` and `..` folded: the path with its symlinks resolved, by the
    /// caller (this module reads no file). `None` when it cannot be known (a link that leaves
    /// the layout, a directory that does not exist). By default the lexical path itself.
    fn real_path(&mut self, lexical: &str) -> Option<String> {
        Some(lexical.to_string())
    }

    /// Whether `test OP PATH` holds (`-f`, `-e`, `-r`, `-s`) for `path`, absolute with `.` and
    /// `..` folded (a placeholder segment when the shell's directory is unknown): `None` when
    /// it cannot be known (outside the layout). By default never known.
    fn exists(&mut self, _path: &str, _op: &str) -> Option<bool> {
        None
    }

    /// The shell stopped reading at the statement at `offset` of `file`: giving the command
    /// there the `variables` the script set (and every command after it) would pass
    /// [`MAX_COPIED_BYTES`]. What the script runs from there on is not seen; the caller says
    /// so where it stopped. By default nothing is said.
    fn stopped(&mut self, _file: usize, _offset: usize, _variables: usize) {}

    /// The shell stops at `offset` of `file` with a syntax error: a command substitution
    /// opened there is never closed ([`Split::unclosed`]), so nothing of that file from there
    /// on runs (a sourced file's `source` fails; the script itself exits). The caller says
    /// so there. By default nothing is said.
    fn unclosed(&mut self, _file: usize, _offset: usize) {}

    /// The shell stopped reading: the run's shell work passed [`MAX_RUN_WORK`]
    /// ([`run_work`]). What the script runs from there on is not seen; the caller says so
    /// at the script's start ([`run_work_stop`]): where the run's work ran out depends on
    /// the order the run read its scripts in, and so each script's note is one, however
    /// many read it. By default nothing is said.
    fn out_of_work(&mut self) {}

    /// The script is started with arguments clawlint cannot see (a script beside a project,
    /// run by hand): its positional parameters are unknown, not unset, so no default of
    /// theirs is taken (`${1:-}`). By default they are what the command line gives.
    fn arguments_unknown(&self) -> bool {
        false
    }
}

/// A script's positional parameters, by the names the shell reads them with.
const POSITIONAL: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#"];

/// The most arguments a script is given that clawlint keeps as its positional parameters
/// (`$1` … `${N}`, `"$@"`): a unit's command line holds a handful; past this, they are
/// unknown.
pub const MAX_ARGUMENTS: usize = 256;

/// Gives a script's shell the arguments it is started with (`wrapper.sh gateway --port N`):
/// `$1` …, `$#`, and `$@`/`$*` (joined; [`Shell::statement`] passes `"$@"` on word by word).
pub fn set_arguments(vars: &mut BTreeMap<String, String>, args: &[String]) {
    if args.len() > MAX_ARGUMENTS {
        return;
    }
    for (i, arg) in args.iter().enumerate() {
        vars.insert((i + 1).to_string(), arg.clone());
    }
    vars.insert("#".to_string(), args.len().to_string());
    vars.insert("@".to_string(), args.join(" "));
    vars.insert("*".to_string(), args.join(" "));
}

/// Whether the shell knows the script's arguments (`$#` is set), and they are these.
fn arguments(vars: &BTreeMap<String, String>) -> Option<Vec<String>> {
    let count: usize = vars.get("#")?.parse().ok()?;
    (1..=count.min(MAX_ARGUMENTS))
        .map(|i| vars.get(&i.to_string()).cloned())
        .collect()
}

/// Forgets the arguments (`shift` or `set --` that may or may not run, a function whose
/// parameters hide them): from here on they are not known, and no default of theirs is
/// taken.
fn forget_arguments(vars: &mut BTreeMap<String, String>, maybe: &mut BTreeSet<String>) {
    let count = arguments(vars).map_or(0, |a| a.len());
    for i in 1..=count.max(9) {
        vars.remove(&i.to_string());
    }
    for p in POSITIONAL {
        vars.remove(p);
        maybe.insert(p.to_string());
    }
}

/// Whether a script defines a shell function (`name() {`, `function name`): inside one,
/// `$1` and `"$@"` are the function's arguments, which clawlint does not follow.
fn defines_function(script: &str) -> bool {
    script.lines().any(|line| {
        let line = line.trim_start();
        let first = line.split_whitespace().next().unwrap_or("");
        first == "function"
            || (first.len() > 2 && first.ends_with("()"))
            || line.split_once('(').is_some_and(|(name, rest)| {
                !name.is_empty()
                    && name
                        .trim_end()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    && rest.trim_start().starts_with(')')
            })
    })
}

/// A [`Sourcer`] that reads nothing.
pub struct NoSourcing;

impl Sourcer for NoSourcing {
    fn source(&mut self, _: &SourceRequest) -> Option<SourcedText> {
        None
    }
}

/// Every statement of a shell script whose command (wrappers removed) `wanted` accepts, each
/// with the `cd`, `export`s and assignments before it, in the script itself or in a file it
/// sources (`source F`, `. F`): a sourced file runs in the same shell, so it sees the script's
/// variables and directory, and what it sets, exports or changes to holds after it (bash's
/// `source`). `$0` is `env["0"]` when given (the script's path as it was started), and
/// `${BASH_SOURCE[0]}` the file being read (`env["BASH_SOURCE"]` for the script itself).
pub fn script_statements(
    script: &str,
    interpreter: Option<&str>,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
    sourcer: &mut dyn Sourcer,
) -> Vec<Found> {
    read_shell(
        script,
        interpreter,
        env,
        wanted,
        sourcer,
        &mut Budget::new(),
    )
}

/// [`script_statements`] within `budget` (an `sh -c` script shares the budget of the script
/// that runs it). The shell starts with a copy of `env`, counted against the budget; it is
/// the one `interpreter` names (the program and options the command line runs the script
/// with), else the one the script's `#!` line names ([`interpreter_line`]).
fn read_shell(
    script: &str,
    interpreter: Option<&str>,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
    sourcer: &mut dyn Sourcer,
    budget: &mut Budget,
) -> Vec<Found> {
    // Past the run's work nothing of the script is looked at (`defines_function` alone reads
    // it all).
    if !run_work::take(0) {
        sourcer.out_of_work();
        return Vec::new();
    }
    let line = interpreter_line(script, interpreter);
    if !budget.copy(copy_cost(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))) {
        return Vec::new();
    }
    let mut vars = env.clone();
    let mut maybe = BTreeSet::new();
    if sourcer.arguments_unknown() || defines_function(script) {
        forget_arguments(&mut vars, &mut maybe);
    }
    let mut shell = Shell {
        vars,
        cwd: None,
        exported: Exported::default(),
        requests: 0,
        uncertain: false,
        unknown: BTreeSet::new(),
        wanted,
        sourcer,
        found: Vec::new(),
        allexport: false,
        maybe_exported: BTreeSet::new(),
        env_unknown: BTreeSet::new(),
        maybe,
        inherited: env.keys().cloned().collect(),
        here: (0, 0),
        dir_stack: Vec::new(),
        posix: posix_line(line),
        zsh: line_program(line) == Some("zsh"),
        sourcepath: true,
        budget,
        stopped: false,
    };
    shell.run(script, 0);
    shell.found
}

/// Records whether variable `name`, just set to `value` (its expansion, which read the
/// variables with no value in `missing`), has a value clawlint can work out: not when it read
/// such a variable or holds a command substitution it did not evaluate.
fn note_value(unknown: &mut BTreeSet<String>, name: &str, value: &str, missing: &[String]) {
    match !missing.is_empty() || value.contains("$(") || value.contains('`') {
        true => unknown.insert(name.to_string()),
        false => unknown.remove(name),
    };
}

/// The variables a shell exported, each once, with where it was last set: what every command
/// it runs gets. A later `export` of a name already there replaces its value and place where
/// it stands (a command's environment is a map: only the last value of a name counts), so
/// neither grows with the number of `export` statements nor is searched for each.
#[derive(Default)]
struct Exported {
    env: Vec<(String, String)>,
    /// Where each variable of `env` (same index) was last set: name, file, offset.
    set_at: Vec<(String, usize, usize)>,
    index: HashMap<String, usize>,
}

impl Exported {
    fn set(&mut self, name: String, value: String, file: usize, offset: usize) {
        match self.index.get(&name) {
            Some(&at) => {
                self.env[at].1 = value;
                self.set_at[at] = (name, file, offset);
            }
            None => {
                self.index.insert(name.clone(), self.env.len());
                self.env.push((name.clone(), value));
                self.set_at.push((name, file, offset));
            }
        }
    }

    /// What a copy of it (for one command) costs against [`Budget::copy`].
    fn cost(&self) -> usize {
        copy_cost(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))) * 2
    }
}

/// Bytes a copy of these variables takes, counting each entry's bookkeeping (its strings'
/// headers and allocations) as [`ENTRY_COST`] bytes: 40,000 one-byte variables are megabytes.
fn copy_cost<'v>(vars: impl Iterator<Item = (&'v str, &'v str)>) -> usize {
    vars.map(|(k, v)| k.len() + v.len() + ENTRY_COST).sum()
}

/// What one copied variable costs beyond its bytes (two `String`s and their allocations).
const ENTRY_COST: usize = 64;

/// Bytes of environment a shell script (with all it sources and the `sh -c` scripts it
/// runs) may copy into the commands it runs, each command getting all the variables set
/// before it: tens of thousands of `export`s then tens of thousands of commands would be
/// billions of copies. Real scripts copy a few kilobytes. Past it clawlint stops reading
/// the script, and says where ([`Sourcer::stopped`]).
pub const MAX_COPIED_BYTES: usize = crate::load::env::MAX_SUBSTITUTED_BYTES;

/// What a located note says where a script's reading stopped at its copy budget (`here` is
/// `file:line` in words, `variables` how many the script had set): the same words for
/// every reader of shell scripts.
pub fn copy_budget_stop(here: &str, variables: usize) -> String {
    format!(
        "{here} runs a command after the script set {variables} variables: giving each command all of them passes the {MAX_COPIED_BYTES} bytes clawlint copies for one script, so clawlint stops reading the script here and what it runs from here on is not seen"
    )
}

/// What a located note says where a shell stops at a command substitution opened at `here`
/// (`file:line` in words) and never closed ([`Sourcer::unclosed`]): the same words for every
/// reader of shell scripts. `until` is how far the shell reads on for its end (`the end of
/// the file`; for a Makefile recipe line, which make gives a shell of its own, `the end of
/// the recipe line`). Said without the script's text, which may hold a secret.
pub fn unclosed_substitution(here: &str, until: &str) -> String {
    format!(
        "{here} opens a command substitution (`$(` or a backquote) that is never closed (or that is nested in more than {MAX_QUOTED_NESTING} double-quoted ones, deeper than clawlint reads): the shell reads on to {until} for its end and stops with a syntax error (\"unexpected EOF\"), so nothing from here on runs, and clawlint reads nothing of it from here on"
    )
}

/// The shell model's work over one run, over every script it reads: bytes of script split,
/// of statements read (each [`STATEMENT_COST`] more) and of values substituted into words.
/// Each read has budgets of its own ([`Budget`]), but a template's instances (and each pass
/// over a unit) read the same script again: without a run-wide bound, N enabled instances
/// of a hostile script cost N times one. Real scripts are kilobytes read a few times per
/// unit. Past it no script is read further; each reader says where it stopped
/// ([`Sourcer::out_of_work`]) and gives the verdict it gives at any other budget.
pub const MAX_RUN_WORK: usize = 256 * 1024 * 1024;

/// What reading one statement costs against [`MAX_RUN_WORK`] beyond its bytes (splitting it
/// into words, its guards, the `Vec`s and `String`s that takes).
pub(crate) const STATEMENT_COST: usize = 64;

/// The run-wide work budget ([`MAX_RUN_WORK`]), installed for one run by
/// [`run_work::during`]; outside one, reading is bounded by each read's budgets only.
pub mod run_work {
    use std::cell::Cell;

    thread_local! {
        static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// Runs `f` with a run-wide budget of `limit`; within an enclosing run, with what is
    /// left of that one's (a run inside a run shares its budget).
    pub fn during<T>(limit: usize, f: impl FnOnce() -> T) -> T {
        if LEFT.get().is_some() {
            return f();
        }
        LEFT.set(Some(limit));
        let out = f();
        LEFT.set(None);
        out
    }

    /// Whether `cost` more may be done (and it is counted; `take(0)`: whether the budget is
    /// spent). Once refused, all later work is.
    pub(super) fn take(cost: usize) -> bool {
        let Some(left) = LEFT.get() else {
            return true;
        };
        LEFT.set(Some(left.saturating_sub(cost)));
        left >= cost && left > 0
    }
}

/// What a located note says at the start of a script whose reading stopped at
/// [`MAX_RUN_WORK`] (`here` is `file:line` in words): the same words for every reader of
/// shell scripts.
pub fn run_work_stop(here: &str) -> String {
    format!(
        "{here}: the shell scripts read in this run (a template's instances each read theirs again) pass the {MAX_RUN_WORK} bytes of shell clawlint models in one run, so clawlint stops reading this script (here, or further on for one that ran it first) and what it runs from there on is not seen"
    )
}

/// The state one shell keeps across the files it reads.
struct Shell<'a> {
    vars: BTreeMap<String, String>,
    cwd: Option<String>,
    exported: Exported,
    /// The `source` statements run so far (each a request to the [`Sourcer`]).
    requests: usize,
    /// The statement being read may or may not run (see [`Guards::uncertain`]).
    uncertain: bool,
    unknown: BTreeSet<String>,
    wanted: &'a dyn Fn(&[String]) -> bool,
    sourcer: &'a mut dyn Sourcer,
    found: Vec<Found>,
    /// `set -a` (allexport): every variable assigned is exported too.
    allexport: bool,
    /// Variables an `export` that may or may not have run sets: the gateway may get them.
    maybe_exported: BTreeSet<String>,
    /// Exported variables whose value clawlint cannot work out ([`Command::env_unknown`]).
    env_unknown: BTreeSet<String>,
    /// Variables an assignment or `export` that may or may not have run set: no default of
    /// theirs (`${NAME:-W}`) is taken until a certain assignment sets them again.
    maybe: BTreeSet<String>,
    /// The variables the shell was started with (exported: what assigns them exports them).
    inherited: BTreeSet<String>,
    /// The statement being read: its file and offset (where an expansion's assignment is).
    here: (usize, usize),
    /// The directories `pushd` left, for `popd`.
    dir_stack: Vec<Option<String>>,
    /// POSIX mode (`#!/bin/sh`, dash, ksh, `set -o posix`): `.` looks on PATH only.
    posix: bool,
    /// zsh (`#!/bin/zsh`): an unquoted `$VAR` is one word (no field splitting), `source`
    /// looks in the directory it is in first.
    zsh: bool,
    /// bash's `sourcepath` (on unless `shopt -u sourcepath`): `source` looks on PATH.
    sourcepath: bool,
    budget: &'a mut Budget,
    /// The environment copies passed their budget: nothing more is read.
    stopped: bool,
}

/// What expansion may still do over one script and all it sources: the bytes variables'
/// values may give the words they are in (`A="$A$A"` doubles a value at each line, and forty
/// lines would need a terabyte), and how deep `${A:-${B:-…}}` and `$(… $(…))` nest (each
/// level is read by a call inside the one before). Past either, what is left is a variable
/// with no value clawlint can see.
struct Budget {
    bytes: usize,
    depth: usize,
    /// Bytes of environment the commands found may still be given ([`MAX_COPIED_BYTES`]).
    copies: usize,
}

/// `${…:-…}` and `$(…)` read inside one another at most this deep.
const MAX_NESTING: usize = 32;

impl Budget {
    fn new() -> Budget {
        Budget {
            bytes: crate::load::env::MAX_SUBSTITUTED_BYTES,
            depth: 0,
            copies: MAX_COPIED_BYTES,
        }
    }

    /// Whether a copy of `cost` bytes of environment may still be made (and it is counted).
    /// Once one is refused, every later one is too.
    fn copy(&mut self, cost: usize) -> bool {
        match self.copies.checked_sub(cost) {
            Some(left) => {
                self.copies = left;
                true
            }
            None => {
                self.copies = 0;
                false
            }
        }
    }

    fn copies_spent(&self) -> bool {
        self.copies == 0
    }

    /// Whether a value of `len` bytes may still be given to a word (and it is counted).
    fn take(&mut self, len: usize) -> bool {
        match self.bytes.checked_sub(len) {
            Some(left) => {
                self.bytes = left;
                true
            }
            None => false,
        }
    }

    /// `read` one level deeper, or `None` past [`MAX_NESTING`].
    fn deeper<T>(&mut self, read: impl FnOnce(&mut Budget) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }
}

/// The words that start a script's shell: the interpreter and its options on the command
/// line that runs it (`bash --posix x.sh`, `sh -c '…'`), else the script's `#!` line. Only a
/// script run itself (`./x.sh`) has the kernel read its `#!`: `zsh x.sh` runs zsh, whatever
/// the `#!` names, which is then a comment (bash(1) "ARGUMENTS", zsh(1) "INVOCATION",
/// execve(2)).
fn interpreter_line<'s>(script: &'s str, interpreter: Option<&'s str>) -> Option<&'s str> {
    interpreter.or_else(|| script.lines().next()?.strip_prefix("#!"))
}

/// Whether `line` ([`interpreter_line`]) starts a shell whose `.` with a name without a slash
/// looks on PATH only: POSIX shells (`sh`, `dash`, `bash --posix`) and ksh (ksh93, mksh),
/// whose `source` does the same. Any other is read as bash (zsh: see [`Shell::zsh`]).
fn posix_line(line: Option<&str>) -> bool {
    match line_program(line) {
        Some("sh" | "dash" | "ksh" | "ksh93" | "mksh") => true,
        Some("bash") => line.is_some_and(|l| l.split_whitespace().any(|w| w == "--posix")),
        _ => false,
    }
}

/// The program `line` ([`interpreter_line`]) runs (`/usr/bin/env zsh` is `zsh`).
fn line_program(line: Option<&str>) -> Option<&str> {
    let mut words = line?.split_whitespace();
    let program = words.next().map(basename)?;
    match program {
        "env" => words.find(|w| !w.starts_with('-')).map(basename),
        other => Some(other),
    }
}

impl Shell<'_> {
    fn run(&mut self, script: &str, file: usize) {
        let mut previous_was_cd = false;
        let mut previous_was_test = false;
        let mut guards = Guards::default();
        if !run_work::take(script.len()) {
            return self.out_of_work();
        }
        let Split {
            statements,
            unclosed,
        } = split(script);
        // What the statement before substituted, counted with the next one.
        let mut bytes_left = self.budget.bytes;
        for (statement, sep, offset) in statements {
            if self.stopped {
                return;
            }
            let substituted = bytes_left.saturating_sub(self.budget.bytes);
            bytes_left = self.budget.bytes;
            if !run_work::take(statement.len() + STATEMENT_COST + substituted) {
                return self.out_of_work();
            }
            crate::ports::allocate::work::add(1);
            self.here = (file, offset);
            let after_or = sep == Sep::Or;
            let mut marked = quoted_words(&statement);
            // The tests that guard what follows (`[ -f X ] &&`, `if [ -r X ]; then`); the
            // keywords that open, switch and close them are no command.
            let opened = guards.keywords(&mut marked, sep);
            let test = marked.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>();
            let test =
                existence_test(&test).map(|(negated, op, path)| (negated, op, self.key(path)));
            // `if [ -f P ]` with P in the layout: the Sourcer says whether it holds.
            let truth = match &test {
                Some((negated, op, Some(key))) if opened => {
                    self.sourcer.exists(key, op).map(|e| e != *negated)
                }
                _ => None,
            };
            let test = test.map(|(negated, _, key)| (negated, key));
            let guarded = guards.statement(sep, opened, test, truth);
            if guards.skipped() {
                continue;
            }
            self.uncertain = guards.uncertain(sep);
            // `then exec …`, `else …`, `do …`
            while marked
                .first()
                .is_some_and(|(w, _)| matches!(w.as_str(), "then" | "else" | "do" | "{" | "!"))
            {
                marked.remove(0);
            }
            // Redirections are no arguments: `>/dev/null`, `2>&1`, `> log` (two words).
            let mut kept = Vec::with_capacity(marked.len());
            let mut target_next = false;
            for (w, q) in marked {
                if std::mem::take(&mut target_next) {
                    continue;
                }
                if !q && is_redirection(&w) {
                    target_next = w
                        .trim_end_matches(['>', '<', '|'])
                        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
                        .is_empty();
                    continue;
                }
                kept.push((w, q));
            }
            let (words, quoted): (Vec<String>, Vec<bool>) = kept.into_iter().unzip();
            let Some(first) = words.first() else { continue };
            let is_cd = first == "cd";
            // An `export` after `&&` is conditional when what it follows is a test
            // (`[ -n "$X" ] && export …`); after a command (`cd DIR && export …`) it runs as
            // that command is taken to (clawlint follows the `cd`).
            let is_test = matches!(first.as_str(), "[" | "[[" | "test");
            let after_test = std::mem::replace(&mut previous_was_test, is_test);
            let export_uncertain = match sep {
                Sep::Or => true,
                Sep::And => after_test || guards.uncertain(Sep::Seq),
                Sep::Seq | Sep::Pipe => self.uncertain,
            };
            // `cd A || cd B`: the fallback runs only when A is missing; A is what the author
            // meant.
            let fallback_cd = is_cd && after_or && previous_was_cd;
            previous_was_cd = is_cd;
            match first.as_str() {
                "cd" if fallback_cd => continue,
                "popd" => {
                    if let Some(dir) = self.dir_stack.pop() {
                        match &dir {
                            Some(d) => self.vars.insert("PWD".to_string(), d.clone()),
                            None => self.vars.remove("PWD"),
                        };
                        self.cwd = dir;
                    }
                    continue;
                }
                "shift" => {
                    self.shift(words.get(1), export_uncertain);
                    continue;
                }
                "set" => {
                    // `set -- A B` (or `set A B`) gives the script other arguments.
                    let args_from = (words[1..].iter().position(|w| w == "--"))
                        .map(|at| at + 2)
                        .or_else(|| {
                            (words.len() > 1 && !words[1].starts_with(['-', '+'])).then_some(1)
                        });
                    if args_from.is_some() {
                        forget_arguments(&mut self.vars, &mut self.maybe);
                    }
                    for w in &words[1..] {
                        let on = w.starts_with('-');
                        let flags = w.trim_start_matches(['-', '+']);
                        if w.len() > 1 && w.starts_with(['-', '+']) && flags.contains('a') {
                            self.allexport = on;
                        }
                    }
                    if let Some(at) = words.iter().position(|w| w == "-o" || w == "+o") {
                        match words.get(at + 1).map(String::as_str) {
                            Some("allexport") => self.allexport = words[at] == "-o",
                            Some("posix") => self.posix = words[at] == "-o",
                            _ => {}
                        }
                    }
                    continue;
                }
                "shopt" => {
                    let on = words.iter().any(|w| w == "-s");
                    let off = words.iter().any(|w| w == "-u");
                    if on != off && words.iter().any(|w| w == "sourcepath") {
                        self.sourcepath = on;
                    }
                    continue;
                }
                "cd" | "pushd" => {
                    if first == "pushd" {
                        let here = self.vars.get("PWD").cloned();
                        self.dir_stack.push(self.cwd.clone().or(here));
                    }
                    let target = words[1..].iter().find(|w| {
                        !matches!(w.as_str(), "-P" | "-L" | "-e" | "-@" | "--" | "-n")
                            && !is_redirection(w)
                    });
                    let dir = match target {
                        Some(dir) => {
                            let mut unknown = Vec::new();
                            let dir = self.expand(dir, &mut unknown);
                            self.unknown.extend(unknown);
                            dir
                        }
                        None => match self.vars.get("HOME") {
                            Some(home) => home.clone(),
                            None => continue,
                        },
                    };
                    let dir = match self.vars.get("PWD") {
                        Some(pwd) if !dir.starts_with('/') && !dir.contains(['$', '`']) => {
                            join(pwd, &dir)
                        }
                        _ => dir,
                    };
                    // The shell keeps the new directory in PWD (`OPENCLAW_STATE_DIR=$PWD`).
                    self.vars.insert("PWD".to_string(), dir.clone());
                    self.cwd = Some(dir);
                    continue;
                }
                "export" => {
                    for w in &words[1..] {
                        if let Some((k, v)) = assignment(w) {
                            let mut unknown = Vec::new();
                            let v = self.expand(&v, &mut unknown);
                            // An `export` that may or may not run (after `&&`/`||`, in an `if`
                            // branch clawlint cannot answer) leaves the gateway with the
                            // variable or without it: neither is guessed.
                            if export_uncertain && self.vars.get(&k).is_none_or(|old| *old != v) {
                                self.vars.remove(&k);
                                self.unknown.insert(k.clone());
                                self.maybe.insert(k.clone());
                                self.maybe_exported.insert(k);
                                continue;
                            }
                            note_value(&mut self.env_unknown, &k, &v, &unknown);
                            self.unknown.extend(unknown);
                            self.maybe.remove(&k);
                            self.vars.insert(k.clone(), v.clone());
                            self.exported.set(k, v, file, offset);
                        }
                    }
                    continue;
                }
                "source" | "." => {
                    if let Some(written) = words.get(1) {
                        // `~/…` unquoted is the home (tilde expansion).
                        let tilde = match (written.strip_prefix("~/"), self.vars.get("HOME")) {
                            (Some(rest), Some(home)) if !quoted[1] => {
                                Some(format!("{}/{rest}", home.trim_end_matches('/')))
                            }
                            _ => None,
                        };
                        let written = tilde.as_ref().unwrap_or(written);
                        let key = self.key(written);
                        let guarded = key.is_some_and(|k| guarded.contains(&k));
                        self.source(written, first == ".", guarded, file, offset);
                    }
                    continue;
                }
                _ => {}
            }
            self.statement(&words, &quoted, file, offset);
        }
        run_work::take(bytes_left.saturating_sub(self.budget.bytes));
        if let Some(at) = unclosed.filter(|_| !self.stopped) {
            self.sourcer.unclosed(file, at);
        }
    }

    /// `word` expanded with the shell's variables, the paths `realpath` and its kin print
    /// resolved by the [`Sourcer`]. What `${NAME:=W}` assigns is the shell's from then on
    /// (exported when NAME already was, or under `set -a`, as bash does).
    fn expand(&mut self, word: &str, unknown: &mut Vec<String>) -> String {
        let sourcer = &mut *self.sourcer;
        let assigned = std::cell::RefCell::new(Vec::new());
        let scope = Scope {
            vars: &self.vars,
            pwd: None,
            maybe: Some(&self.maybe),
            assigned: Some(&assigned),
        };
        let out = expand_with(
            word,
            scope,
            unknown,
            &mut |p| sourcer.real_path(p),
            self.budget,
        );
        let (file, offset) = self.here;
        for (k, v) in assigned.into_inner() {
            let export = self.allexport
                || self.inherited.contains(&k)
                || self.exported.index.contains_key(&k);
            self.assign(k, v, export, file, offset);
        }
        out
    }

    /// `shift [N]`: the arguments from the N+1st on are `$1` …; one that may or may not run,
    /// or shifts by what clawlint cannot read, leaves them unknown.
    fn shift(&mut self, by: Option<&String>, uncertain: bool) {
        let Some(args) = arguments(&self.vars) else {
            return;
        };
        let by = match by {
            None => Some(1),
            Some(n) => n.parse::<usize>().ok(),
        };
        // The arguments are copied (twice: `$@` and `$*`): counted, as any value is.
        let cost = 3 * args.iter().map(String::len).sum::<usize>();
        match by.filter(|n| !uncertain && *n <= args.len() && self.budget.take(cost)) {
            Some(n) => {
                forget_arguments(&mut self.vars, &mut self.maybe);
                for p in POSITIONAL {
                    self.maybe.remove(p);
                }
                set_arguments(&mut self.vars, &args[n..]);
            }
            None => forget_arguments(&mut self.vars, &mut self.maybe),
        }
    }

    /// A shell variable assigned (`NAME=V`, `${NAME:=V}`), and exported too when `export`.
    /// One that may or may not be assigned (the statement may not run) is not known after.
    fn assign(&mut self, k: String, v: String, export: bool, file: usize, offset: usize) {
        if self.uncertain && self.vars.get(&k).is_none_or(|old| *old != v) {
            self.vars.remove(&k);
            self.unknown.insert(k.clone());
            if export {
                self.maybe_exported.insert(k.clone());
            }
            self.maybe.insert(k);
            return;
        }
        self.maybe.remove(&k);
        if export {
            self.exported.set(k.clone(), v.clone(), file, offset);
        }
        self.vars.insert(k, v);
    }

    /// The file a word names, as a test and a `source` of it both see it: expanded, and
    /// made absolute from the shell's directory (a placeholder when that is unknown, the same
    /// for both). `None` when the word has a part clawlint cannot work out.
    fn key(&mut self, word: &str) -> Option<String> {
        let mut missing = Vec::new();
        let path = self.expand(word, &mut missing);
        if !missing.is_empty() || path.contains(['$', '`']) || path.is_empty() {
            return None;
        }
        let base = self
            .cwd
            .clone()
            .or_else(|| self.vars.get("PWD").cloned())
            .unwrap_or_else(|| "/\u{0}cwd".to_string());
        Some(match path.starts_with('/') {
            true => join("/", &path),
            false => join(&base, &path),
        })
    }

    /// `source WRITTEN`: the file is read by the [`Sourcer`] and run in this shell, with
    /// `${BASH_SOURCE[0]}` its own path while it runs.
    fn source(&mut self, written: &str, dot: bool, guarded: bool, file: usize, offset: usize) {
        let mut missing = Vec::new();
        let path = self.expand(written, &mut missing);
        // POSIX `.` always searches PATH; bash's `source` and `.` unless `shopt -u sourcepath`;
        // zsh's always.
        let searches = self.sourcepath || self.posix || self.zsh;
        let search = (!path.contains('/') && searches).then(|| PathSearch {
            // A PATH built from a PATH nobody set (`PATH=~/bin:$PATH`) is not known.
            path: self
                .vars
                .get("PATH")
                .filter(|_| !self.unknown.contains("PATH"))
                .cloned(),
            then_cwd: !self.posix && !self.zsh,
            cwd_first: self.zsh && !dot,
        });
        let request = SourceRequest {
            resolvable: missing.is_empty() && !path.contains(['$', '`']),
            search,
            path,
            written: written.to_string(),
            guarded,
            cwd: self.cwd.clone().or_else(|| self.vars.get("PWD").cloned()),
            file,
            offset,
        };
        self.requests += 1;
        let Some(sourced) = self.sourcer.source(&request) else {
            return;
        };
        let outer = self
            .vars
            .insert("BASH_SOURCE".to_string(), sourced.path.clone());
        self.run(&sourced.text, sourced.file);
        match outer {
            Some(v) => self.vars.insert("BASH_SOURCE".to_string(), v),
            None => self.vars.remove("BASH_SOURCE"),
        };
    }

    /// Stops reading at the statement at `offset` of `file` (the environment copies passed
    /// their budget), and has the [`Sourcer`] say so.
    fn stop(&mut self, file: usize, offset: usize) {
        self.stopped = true;
        let variables = self.exported.env.len() + self.unknown.len();
        self.sourcer.stopped(file, offset, variables);
    }

    /// Stops reading (the run's shell work passed [`MAX_RUN_WORK`]), and has the
    /// [`Sourcer`] say so.
    fn out_of_work(&mut self) {
        self.stopped = true;
        self.sourcer.out_of_work();
    }

    /// A simple command (or a bare assignment: a shell variable).
    fn statement(&mut self, words: &[String], quoted: &[bool], file: usize, offset: usize) {
        let mut i = 0;
        let mut prefix = Vec::new();
        while let Some((k, v)) = words.get(i).and_then(|w| assignment(w)) {
            prefix.push((k, v));
            i += 1;
        }
        if i == words.len() {
            for (k, v) in prefix {
                // An assignment that may or may not run leaves the variable either way: not
                // known (a path made of it is not guessed).
                let mut unknown = Vec::new();
                let v = self.expand(&v, &mut unknown);
                // Made of a value clawlint cannot see (an argument typed by hand, a variable
                // that may be set): not known either, so no default is taken for it.
                let from_maybe = unknown.iter().any(|u| self.maybe.contains(u));
                let exported = self.allexport
                    || self.inherited.contains(&k)
                    || self.exported.index.contains_key(&k);
                if exported {
                    note_value(&mut self.env_unknown, &k, &v, &unknown);
                }
                self.unknown.extend(unknown);
                if from_maybe {
                    self.vars.remove(&k);
                    self.maybe.insert(k);
                    continue;
                }
                self.assign(k, v, self.allexport, file, offset);
            }
            return;
        }
        let mut local_unknown = Vec::new();
        let mut unresolved = Vec::new();
        let mut unresolved_unquoted = false;
        let mut argv: Vec<String> = Vec::new();
        for (w, quoted) in words[i..].iter().zip(&quoted[i..]) {
            // `"$@"`: each argument one word (unquoted, each split again).
            if matches!(w.as_str(), "$@" | "${@}")
                || (!quoted && matches!(w.as_str(), "$*" | "${*}"))
            {
                // Counted against the expansion budget, as any value a word takes: a script of
                // many `"$@"` would otherwise copy the arguments once each.
                let args = arguments(&self.vars)
                    .filter(|args| self.budget.take(args.iter().map(String::len).sum()));
                if let Some(args) = args {
                    match quoted {
                        true => argv.extend(args),
                        false => argv.extend(
                            args.iter()
                                .flat_map(|a| a.split_whitespace())
                                .map(str::to_string),
                        ),
                    }
                    continue;
                }
            }
            let mut missing = Vec::new();
            let value = self.expand(w, &mut missing);
            let computed = w.contains(['$', '`']) && value.contains(['$', '`']);
            unresolved_unquoted |= !quoted && (computed || !missing.is_empty());
            if computed {
                unresolved.push((value.clone(), w.clone()));
            }
            if missing.is_empty() {
                // An unquoted expansion is split into words (`$COMPOSE_CMD up -d`); zsh
                // splits a command substitution but not a parameter's value.
                let splits = match self.zsh {
                    true => w.contains('`') || w.contains("$("),
                    false => w.contains(['$', '`']),
                };
                match !quoted && splits && !computed {
                    true => argv.extend(value.split_whitespace().map(str::to_string)),
                    false => argv.push(value),
                }
                continue;
            }
            // An option whose value cannot be known is left out, not guessed.
            if argv
                .last()
                .is_some_and(|o| o.starts_with("--") && !o.contains('='))
            {
                argv.pop();
            } else {
                if !computed {
                    unresolved.push((value.clone(), w.clone()));
                }
                argv.push(value);
            }
            local_unknown.extend(missing);
        }
        let mut inner = unwrap_with(&argv, &self.vars, self.wanted, None, self.budget);
        if self.budget.copies_spent() {
            return self.stop(file, offset);
        }
        if !(self.wanted)(&inner.argv) {
            return;
        }
        // The command gets a copy of all the script exported and of the names it could not
        // see: counted, and past the budget nothing more is read.
        let unknown_cost = copy_cost(self.unknown.iter().map(|u| (u.as_str(), "")));
        if !self.budget.copy(self.exported.cost() + unknown_cost) {
            return self.stop(file, offset);
        }
        let mut env = self.exported.env.clone();
        let mut env_unknown = self.env_unknown.clone();
        for (k, v) in prefix {
            let mut missing = Vec::new();
            let v = self.expand(&v, &mut missing);
            note_value(&mut env_unknown, &k, &v, &missing);
            local_unknown.extend(missing);
            env.push((k, v));
        }
        // A value clawlint cannot work out is none: what comes from it is unverifiable.
        env.retain(|(k, _)| !env_unknown.contains(k));
        for (k, _) in &inner.env {
            env_unknown.remove(k);
        }
        env.extend(std::mem::take(&mut inner.env));
        local_unknown.sort();
        local_unknown.dedup();
        let mut all_unknown = self.unknown.clone();
        all_unknown.extend(local_unknown.iter().cloned());
        let mut unseen = inner.unseen;
        if !all_unknown.is_empty() {
            let names: Vec<&str> = all_unknown.iter().map(String::as_str).collect();
            unseen.push(format!(
                "shell variables with no value clawlint can see: {}",
                names.join(", ")
            ));
        }
        if !self.maybe_exported.is_empty() {
            let names: Vec<&str> = self.maybe_exported.iter().map(String::as_str).collect();
            unseen.push(format!(
                "whether the gateway gets {}: an `export` that may or may not run sets it (after `&&` or `||`, or in an `if` clawlint cannot answer)",
                names.join(", ")
            ));
        }
        self.found.push(Found {
            command: Command {
                argv: inner.argv,
                cwd: inner.cwd.or(self.cwd.clone()),
                env,
                wrappers: inner.wrappers,
                unseen,
                // What a conditional `export` sets may reach the gateway: unverifiable.
                injects_env: inner.injects_env.or_else(|| {
                    let names: Vec<&str> = self.maybe_exported.iter().map(String::as_str).collect();
                    (!names.is_empty())
                        .then(|| format!("a conditional `export` ({})", names.join(", ")))
                }),
                env_files: inner.env_files,
                unknown_args: local_unknown,
                unresolved,
                unresolved_unquoted,
                set_at: self.exported.set_at.clone(),
                sources_before: self.requests,
                maybe_set: self.maybe_exported.iter().cloned().collect(),
                env_unknown: env_unknown.into_iter().collect(),
                runs_no_gateway: false,
            },
            file,
            offset,
        });
    }
}

/// `[ -f P ]`, `[ ! -r P ]`, `[[ -s P ]]`, `test -e P`, `! [ -f P ]` exactly (the whole
/// statement): whether it is negated, and P. Anything else (several tests in one, `-a`, `-o`,
/// another operator) is no existence test.
fn existence_test<'w>(words: &[&'w str]) -> Option<(bool, &'static str, &'w str)> {
    let (outer, words) = match words.split_first() {
        Some((&"!", rest)) => (true, rest),
        _ => (false, words),
    };
    let inner = match words {
        ["[", inner @ .., "]"] | ["[[", inner @ .., "]]"] => inner,
        ["test", inner @ ..] => inner,
        _ => return None,
    };
    let (negated, op, path) = match inner {
        ["!", op, path] => (true, *op, *path),
        [op, path] => (false, *op, *path),
        _ => return None,
    };
    let op = match op {
        "-f" => "-f",
        "-e" => "-e",
        "-r" => "-r",
        "-s" => "-s",
        _ => return None,
    };
    Some((negated != outer, op, path))
}

/// What the tests before a statement say exists when it runs: an `&&` chain after
/// `[ -f P ]`, the statement after `[ ! -f P ] ||`, the `then` branch of `if [ -f P ]` (the
/// `else` of `if [ ! -f P ]`) and a `{ … }` group after one of those. Nothing is guessed: a
/// test joined by `;` or a newline guards nothing, and a `||` after a test that P exists
/// runs exactly when P is missing.
#[derive(Default)]
struct Guards {
    /// Files an `&&` chain's tests say exist, for the statement after the next `&&`.
    chain: Vec<String>,
    /// Files the statement before said are missing, for a statement after `||`.
    missing: Vec<String>,
    /// Open `if` blocks and `{ }` groups, innermost last, at most [`MAX_NESTING`].
    blocks: Vec<Block>,
    /// Blocks opened past [`MAX_NESTING`] (a group: true), innermost last: only matched with
    /// their ends, never followed (each statement looks at every open block: 40,000 nested
    /// `if`s never finished). What is inside them may or may not run.
    deeper: Vec<bool>,
    /// Open `while`/`until`/`for`/`select` loops (`done` closes one) and `case` blocks
    /// (`esac`), innermost last: a loop body runs any number of times, a `case` branch only
    /// when its pattern matches, so what is inside may or may not run, as in an `if` whose
    /// condition is not answered. Never skipped, never answered.
    undecided: Vec<&'static str>,
}

struct Block {
    /// `{ … }` (true) or `if … fi`.
    group: bool,
    /// An `if`'s condition when the [`Sourcer`] can answer it (one existence test of a
    /// file in the layout): the branch that does not run is skipped.
    holds: Option<bool>,
    /// A branch before this one ran for certain (`elif`/`else` after a condition that held).
    done: bool,
    /// In an `if`: the files its condition says exist, and those it says are missing.
    exist: Vec<String>,
    missing: Vec<String>,
    /// Reading the condition (`if`, `elif`), the `then` branch, or the `else` branch.
    part: Part,
    /// For a group: the files known to exist inside it.
    inside: Vec<String>,
}

#[derive(PartialEq)]
enum Part {
    Condition,
    Then,
    Else,
}

impl Guards {
    /// Takes the block keywords off the front of a statement (`if`, `elif`, `then`, `else`,
    /// `fi`, `{`, `}`), opening, switching or closing blocks; says whether a condition
    /// starts here (`if`, `elif`).
    fn keywords(&mut self, marked: &mut Vec<(String, bool)>, sep: Sep) -> bool {
        let mut condition = false;
        loop {
            // A `case` branch's pattern (`start)`, `"start")`, `*)`), on its own line or
            // before the branch's first command.
            let pattern = self.undecided.last() == Some(&"esac")
                && marked.first().is_some_and(|(w, _)| w.ends_with(')'));
            if pattern {
                marked.remove(0);
                continue;
            }
            if marked.first().is_some_and(|(_, quoted)| !quoted) && self.undecided_keyword(marked) {
                continue;
            }
            let Some((first, false)) = marked.first().map(|(w, q)| (w.as_str(), *q)) else {
                break;
            };
            let opens = matches!(first, "if" | "{");
            if !self.deeper.is_empty() || (opens && self.blocks.len() >= MAX_NESTING) {
                match (first, self.deeper.last()) {
                    ("if", _) => self.deeper.push(false),
                    ("{", _) => self.deeper.push(true),
                    ("fi", Some(false)) | ("}", Some(true)) => {
                        self.deeper.pop();
                    }
                    ("elif" | "then" | "else" | "fi" | "}", _) => {}
                    _ => break,
                }
                condition = matches!(first, "if" | "elif");
                marked.remove(0);
                continue;
            }
            match first {
                "if" => self.blocks.push(Block {
                    group: false,
                    holds: None,
                    done: false,
                    exist: Vec::new(),
                    missing: Vec::new(),
                    part: Part::Condition,
                    inside: Vec::new(),
                }),
                "elif" => match self.blocks.last_mut() {
                    Some(b) if !b.group => {
                        b.part = Part::Condition;
                        b.done |= b.holds == Some(true);
                        b.holds = None;
                        b.exist.clear();
                        b.missing.clear();
                    }
                    _ => break,
                },
                "then" | "else" => match self.blocks.last_mut() {
                    Some(b) if !b.group => {
                        if first == "else" {
                            b.done |= b.holds == Some(true);
                        }
                        b.part = match first {
                            "then" => Part::Then,
                            _ => Part::Else,
                        }
                    }
                    _ => break,
                },
                "fi" => {
                    if self.blocks.last().is_some_and(|b| !b.group) {
                        self.blocks.pop();
                    }
                }
                "{" => {
                    let inside = self.for_next(sep);
                    self.blocks.push(Block {
                        group: true,
                        holds: None,
                        done: false,
                        exist: Vec::new(),
                        missing: Vec::new(),
                        part: Part::Then,
                        inside,
                    });
                }
                "}" => {
                    if self.blocks.last().is_some_and(|b| b.group) {
                        self.blocks.pop();
                    }
                }
                _ => break,
            }
            condition = matches!(first, "if" | "elif");
            marked.remove(0);
        }
        condition
    }

    /// Takes a loop or `case` keyword off the front of `marked`, with what belongs to it: a
    /// `for`/`select`'s name and list and a `case`'s word (to `in`), which run nothing; `do`,
    /// `done`, `esac`. A loop's condition (`while [ -f X ]`) stays, a command like any other.
    /// (A branch's pattern is taken off in [`Guards::keywords`]; `a|b)` is split at the `|`
    /// like a pipe, and the command after the last part is read.)
    /// Says whether it took one.
    fn undecided_keyword(&mut self, marked: &mut Vec<(String, bool)>) -> bool {
        let first = marked[0].0.as_str();
        match first {
            "while" | "until" => {
                self.undecided.push("done");
                marked.remove(0);
            }
            "for" | "select" => {
                self.undecided.push("done");
                marked.clear();
            }
            "case" => {
                self.undecided.push("esac");
                let end = marked
                    .iter()
                    .position(|(w, q)| !q && w == "in")
                    .map_or(marked.len(), |i| i + 1);
                marked.drain(..end);
            }
            "do" if self.undecided.last() == Some(&"done") => {
                marked.remove(0);
            }
            "done" | "esac" => {
                if self.undecided.last() == Some(&first) {
                    self.undecided.pop();
                }
                marked.remove(0);
            }
            _ => return false,
        }
        true
    }

    /// Whether a statement is in a branch that does not run: the `then` of a condition that
    /// does not hold, the `else` of one that does, any branch after one that ran.
    fn skipped(&self) -> bool {
        self.blocks.iter().any(|b| {
            !b.group
                && match b.part {
                    Part::Condition => b.done,
                    Part::Then => b.done || b.holds == Some(false),
                    Part::Else => b.done || b.holds == Some(true),
                }
        })
    }

    /// Whether a statement joined by `sep` may or may not run (after `&&` or `||`, or in a
    /// branch of an `if` whose condition clawlint cannot answer).
    fn uncertain(&self, sep: Sep) -> bool {
        matches!(sep, Sep::And | Sep::Or)
            || !self.deeper.is_empty()
            || !self.undecided.is_empty()
            || self
                .blocks
                .iter()
                .any(|b| !b.group && (b.part == Part::Condition || b.holds.is_none()))
    }

    /// What the tests before say exists for a statement joined by `sep`.
    fn for_next(&self, sep: Sep) -> Vec<String> {
        match sep {
            Sep::And => self.chain.clone(),
            Sep::Or => self.missing.clone(),
            Sep::Seq | Sep::Pipe => Vec::new(),
        }
    }

    /// One statement (its keywords taken off), `test` when it is an existence test (negated,
    /// and the file): the files known to exist when it runs, and what it leaves for the next.
    fn statement(
        &mut self,
        sep: Sep,
        condition: bool,
        test: Option<(bool, Option<String>)>,
        truth: Option<bool>,
    ) -> Vec<String> {
        let mut known = self.for_next(sep);
        for b in &self.blocks {
            match b.part {
                _ if b.group => known.extend(b.inside.iter().cloned()),
                Part::Then => known.extend(b.exist.iter().cloned()),
                Part::Else => known.extend(b.missing.iter().cloned()),
                Part::Condition => {}
            }
        }
        let (exist, missing): (Vec<String>, Vec<String>) = match &test {
            Some((false, Some(p))) => (vec![p.clone()], Vec::new()),
            Some((true, Some(p))) => (Vec::new(), vec![p.clone()]),
            _ => (Vec::new(), Vec::new()),
        };
        // An `if` condition: `if [ -f A ] && [ -r B ]` says both exist in `then`; any other
        // join, or a command that is no test, says nothing certain.
        let innermost = self.deeper.is_empty();
        if let Some(b) = self
            .blocks
            .last_mut()
            .filter(|b| innermost && !b.group && b.part == Part::Condition)
        {
            match (condition, sep) {
                (true, _) => {
                    b.holds = truth;
                    b.exist = exist.clone();
                    b.missing = missing.clone();
                }
                (false, Sep::And) if test.is_some() => b.exist.extend(exist.iter().cloned()),
                _ => {
                    b.exist.clear();
                    b.missing.clear();
                }
            }
            if !condition {
                // A condition of several statements is not answered.
                b.holds = None;
            }
            if test.is_none() {
                b.exist.clear();
                b.missing.clear();
            }
        }
        self.chain = match sep {
            Sep::And => {
                let mut chain = std::mem::take(&mut self.chain);
                chain.extend(exist);
                chain
            }
            _ => exist,
        };
        self.missing = missing;
        known
    }
}

/// `>file`, `2>&1`, `&>/dev/null`, `<in`: a redirection, not an argument.
fn is_redirection(word: &str) -> bool {
    word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
        .starts_with(['>', '<'])
}

/// `dir` from `base`, `.` and `..` removed as the shell's `cd` (logical mode) removes them.
fn join(base: &str, dir: &str) -> String {
    let joined = std::path::Path::new(base).join(dir);
    crate::paths::normalize(&joined).display().to_string()
}

/// What joins a statement to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// A newline, `;` or `&`: it runs whatever the one before did.
    Seq,
    /// `&&`: it runs only when the one before succeeded.
    And,
    /// `||`: it runs only when the one before failed.
    Or,
    /// `|`.
    Pipe,
}

/// Splits a script into simple statements at newlines, `;`, `&&`, `||` and `|` outside
/// quotes and command substitutions (`$(…)`, backquotes); joins `\`-newline continuations;
/// drops comments; keeps redirections (`&>`, `2>&1`) whole. Each statement says what joins it
/// to the one before ([`Sep`]). Those before a substitution that is never closed
/// ([`Split::unclosed`]).
fn statements(script: &str) -> Vec<(String, Sep, usize)> {
    split(script).statements
}

/// A script as [`statements`] splits it.
struct Split {
    statements: Vec<(String, Sep, usize)>,
    /// The offset of a `$(` or backquote never closed (or nested in double-quoted
    /// substitutions past [`MAX_QUOTED_NESTING`]): the shell reads on to the end of the file
    /// for its end and stops there with a syntax error ("unexpected EOF"), so the statement
    /// it is in, and every one after it, never runs. Nothing from there on is split: looking
    /// for the end again from each later `$(` was quadratic (20,000 lines of `echo "$(`: 98 s).
    unclosed: Option<usize>,
}

/// [`statements`], and where a substitution is never closed.
fn split(script: &str) -> Split {
    let mut out = Vec::new();
    let mut unclosed = None;
    let mut after_or = Sep::Seq;
    let mut cur = String::new();
    let mut start = 0;
    let mut started = false;
    let mut chars = script.char_indices().peekable();
    let mut quote: Option<char> = None;
    let mut at_word_start = true;
    while let Some((at, c)) = chars.next() {
        if !started && !c.is_whitespace() && !matches!(c, ';' | '|' | '&') {
            start = at;
            started = true;
        }
        // `$(…)` and `` `…` `` (outside single quotes) are copied whole: what is inside is
        // another script.
        // `Some(end)` where one opens here, `None` in it when it is never closed.
        let substitution = match (quote, c) {
            (Some('\''), _) => None,
            (_, '$') if chars.peek().map(|&(_, n)| n) == Some('(') => {
                Some(substitution_end(script, at + 2))
            }
            (_, '`') => Some(backquote_end(script, at + 1)),
            _ => None,
        };
        match substitution {
            Some(None) => {
                unclosed = Some(at);
                break;
            }
            Some(Some(end)) => {
                cur.push_str(&script[at..=end]);
                while chars.peek().is_some_and(|&(i, _)| i <= end) {
                    chars.next();
                }
                at_word_start = false;
                continue;
            }
            None => {}
        }
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some('"'), '\\') => {
                cur.push(c);
                if let Some((_, n)) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, '\\') => match chars.next() {
                Some((_, '\n')) => cur.push(' '),
                Some((_, n)) => {
                    cur.push('\\');
                    cur.push(n);
                }
                None => {}
            },
            (None, '#') if at_word_start => {
                while chars.peek().is_some_and(|&(_, n)| n != '\n') {
                    chars.next();
                }
                started = !cur.trim().is_empty();
            }
            // Redirections: `&>file`, `2>&1`, `>&2`, `>|file`.
            (None, '&')
                if cur.ends_with(['>', '<']) || chars.peek().map(|&(_, n)| n) == Some('>') =>
            {
                cur.push(c)
            }
            (None, '|') if cur.ends_with('>') => cur.push(c),
            (None, '\n' | ';' | '|' | '&') => {
                let doubled = matches!(c, '|' | '&') && chars.peek().map(|&(_, n)| n) == Some(c);
                if doubled {
                    chars.next();
                }
                out.push((std::mem::take(&mut cur), after_or, start));
                started = false;
                after_or = match (c, doubled) {
                    ('&', true) => Sep::And,
                    ('|', true) => Sep::Or,
                    ('|', false) => Sep::Pipe,
                    _ => Sep::Seq,
                };
            }
            (None, c) => cur.push(c),
        }
        at_word_start = cur.is_empty() || cur.ends_with(char::is_whitespace);
    }
    if unclosed.is_none() {
        out.push((cur, after_or, start));
    }
    let statements = out
        .into_iter()
        .map(|(s, or, at)| (s.trim().to_string(), or, at))
        .filter(|(s, _, _)| !s.is_empty())
        .collect();
    Split {
        statements,
        unclosed,
    }
}

/// The byte index of the `)` that closes a `$(` whose text starts at `from` (nested
/// substitutions, parentheses and quotes inside), or `None` when none does.
fn substitution_end(s: &str, from: usize) -> Option<usize> {
    substitution_end_within(s, from, 0)
}

/// Substitutions nested in double quotes (`"$(echo "$(…)")"`) are read this deep, each one
/// call deeper than the one it is in; deeper, one is taken as never closed. 50,000 such
/// levels overflowed the stack (an abort, every finding lost).
pub const MAX_QUOTED_NESTING: usize = 64;

/// [`substitution_end`] for a substitution inside `nesting` double-quoted ones.
fn substitution_end_within(s: &str, from: usize, nesting: usize) -> Option<usize> {
    if nesting > MAX_QUOTED_NESTING {
        return None;
    }
    let b = s.as_bytes();
    let mut depth = 1;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'$' && b.get(i + 1) == Some(&b'(') {
                        i = substitution_end_within(s, i + 2, nesting + 1)?;
                    } else if b[i] == b'`' {
                        i = backquote_end(s, i + 1)?;
                    }
                    i += 1;
                }
            }
            b'`' => i = backquote_end(s, i + 1)?,
            // A comment (`# don't …` on a line of its own inside `$(`): its quotes are text.
            b'#' if i == from
                || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'(' | b';' | b'&' | b'|') =>
            {
                while i + 1 < b.len() && b[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The byte index of the backquote that closes one opened before `from`.
fn backquote_end(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'`' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Shell words of one statement, quotes removed but `$` expansions kept as written (marked
/// so that single-quoted text is never expanded: a `$` inside single quotes becomes `\u{0}`),
/// each with whether any part of it was quoted: the shell splits what an unquoted `$VAR`
/// expands to into words (`$COMPOSE_CMD up` with `COMPOSE_CMD="docker compose"` runs `docker`
/// `compose` `up`), and never a quoted one. A command substitution (`$(…)`, `` `…` ``) is
/// kept whole, as written, in its word.
fn quoted_words(statement: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = statement.char_indices().peekable();
    // Where the substitution starting at `at` (`$(` or a backquote) ends (exclusive), to be
    // copied whole into `word`: one never closed runs to the end of the statement, as the
    // shell reads on for its end (looking again from each later `$(` was quadratic).
    let substitution = |at: usize, c: char, next: Option<char>| -> Option<usize> {
        let end = match (c, next) {
            ('$', Some('(')) => substitution_end(statement, at + 2),
            ('`', _) => backquote_end(statement, at + 1),
            _ => return None,
        };
        Some(end.map_or(statement.len(), |e| e + 1))
    };
    while let Some((at, c)) = chars.next() {
        if let Some(end) = substitution(at, c, chars.peek().map(|&(_, n)| n)) {
            word.push_str(&statement[at..end]);
            while chars.peek().is_some_and(|&(i, _)| i < end) {
                chars.next();
            }
            in_word = true;
            continue;
        }
        if matches!(c, '\'' | '"' | '\\') {
            quoted = true;
        }
        match c {
            ' ' | '\t' | '\r' => {
                if in_word {
                    out.push((std::mem::take(&mut word), quoted));
                    in_word = false;
                }
                quoted = false;
                continue;
            }
            '\'' => {
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(if q == '$' { '\u{0}' } else { q });
                }
            }
            '"' => {
                while let Some((at, q)) = chars.next() {
                    if let Some(end) = substitution(at, q, chars.peek().map(|&(_, n)| n)) {
                        word.push_str(&statement[at..end]);
                        while chars.peek().is_some_and(|&(i, _)| i < end) {
                            chars.next();
                        }
                        continue;
                    }
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                if !matches!(n, '$' | '`' | '"' | '\\') {
                                    word.push('\\');
                                }
                                word.push(if n == '$' { '\u{0}' } else { n });
                            }
                        }
                        q => word.push(q),
                    }
                }
            }
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    word.push(if n == '$' { '\u{0}' } else { n });
                }
            }
            c => word.push(c),
        }
        in_word = true;
    }
    if in_word {
        out.push((word, quoted));
    }
    out
}

/// The variables a word is expanded with: the shell's, with `PWD` as a command
/// substitution's own `cd` left it. A substitution's subshell changes only `PWD`, so the
/// shell's variables are shared, never copied for each of its words.
#[derive(Clone, Copy)]
struct Scope<'v> {
    vars: &'v BTreeMap<String, String>,
    /// `Some(pwd)`: `PWD` is `pwd` (`None`: unset), whatever `vars` holds.
    pwd: Option<Option<&'v str>>,
    /// Variables an assignment or `export` that may or may not have run set: whether they
    /// are set, and to what, is not known, so no default of theirs is taken.
    maybe: Option<&'v BTreeSet<String>>,
    /// What `${NAME:=WORD}` and `${NAME=WORD}` assigned while expanding, latest last: the
    /// shell's to keep (none in a command substitution, a subshell).
    assigned: Option<&'v std::cell::RefCell<Vec<(String, String)>>>,
}

impl<'v> Scope<'v> {
    #[cfg(test)]
    fn of(vars: &'v BTreeMap<String, String>) -> Scope<'v> {
        Scope {
            vars,
            pwd: None,
            maybe: None,
            assigned: None,
        }
    }

    fn get(&self, name: &str) -> Option<std::borrow::Cow<'v, str>> {
        if let Some(assigned) = self.assigned {
            if let Some((_, v)) = assigned.borrow().iter().rev().find(|(k, _)| k == name) {
                return Some(std::borrow::Cow::Owned(v.clone()));
            }
        }
        match (name, self.pwd) {
            ("PWD", Some(pwd)) => pwd.map(std::borrow::Cow::Borrowed),
            _ => self
                .vars
                .get(name)
                .map(|v| std::borrow::Cow::Borrowed(v.as_str())),
        }
    }

    fn maybe_set(&self, name: &str) -> bool {
        self.maybe.is_some_and(|m| m.contains(name))
    }

    fn assign(&self, name: &str, value: &str) {
        if let Some(assigned) = self.assigned {
            assigned
                .borrow_mut()
                .push((name.to_string(), value.to_string()));
        }
    }
}

/// The operator of a `${NAME…}` expansion and the word after it.
#[derive(Debug, PartialEq)]
enum Operator {
    /// `${NAME}`
    Plain,
    /// `${NAME:-W}` (`colon`: also when empty) and `${NAME-W}`: W when unset.
    Default { colon: bool },
    /// `${NAME:=W}` and `${NAME=W}`: as `Default`, and NAME is assigned W.
    Assign { colon: bool },
    /// `${NAME:+W}` and `${NAME+W}`: W when set, else nothing.
    Alternative { colon: bool },
    /// Any other (`${NAME:0:2}`, `${NAME#p}`, `${#NAME}`, `${NAME?}`): not worked out.
    Other,
}

/// `${…}`'s inside split into the name (`BASH_SOURCE[0]` is `BASH_SOURCE`), the operator and
/// its word (bash(1), "Parameter Expansion").
fn parameter(inner: &str) -> (&str, Operator, &str) {
    let end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = &inner[..end];
    let rest = &inner[end..];
    let rest = rest.strip_prefix("[0]").unwrap_or(rest);
    let ops: [(&str, Operator); 6] = [
        (":-", Operator::Default { colon: true }),
        (":=", Operator::Assign { colon: true }),
        (":+", Operator::Alternative { colon: true }),
        ("-", Operator::Default { colon: false }),
        ("=", Operator::Assign { colon: false }),
        ("+", Operator::Alternative { colon: false }),
    ];
    if rest.is_empty() && !name.is_empty() {
        return (name, Operator::Plain, "");
    }
    if name.is_empty() {
        return (name, Operator::Other, rest);
    }
    for (prefix, op) in ops {
        if let Some(word) = rest.strip_prefix(prefix) {
            return (name, op, word);
        }
    }
    (name, Operator::Other, rest)
}

/// Expands `~`, `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` with `vars`; a
/// variable with no value expands to its default or to nothing and is recorded in `unknown`.
/// `$0` and `${BASH_SOURCE[0]}` expand when `vars` gives them, else stay as written (the
/// caller may place them). A command substitution expands when it is one of the idioms
/// [`substitute`] knows, else stays as written.
/// With `real` resolving the paths `realpath`, `readlink -f`, `cd -P` and `pwd -P` print
/// ([`Sourcer::real_path`]).
fn expand_with(
    word: &str,
    vars: Scope,
    unknown: &mut Vec<String>,
    real: &mut dyn FnMut(&str) -> Option<String>,
    budget: &mut Budget,
) -> String {
    let mut out = String::new();
    let word = match (word.strip_prefix('~'), vars.get("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            out.push_str(&home);
            rest
        }
        _ => word,
    };
    let mut chars = word.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\u{0}' {
            out.push('$');
            continue;
        }
        let end = match (c, chars.peek().map(|&(_, n)| n)) {
            ('$', Some('(')) => Some((at + 2, substitution_end(word, at + 2))),
            ('`', _) => Some((at + 1, backquote_end(word, at + 1))),
            _ => None,
        };
        if let Some((_, None)) = end {
            // Never closed: the rest is text, as written (looking for the end again from each
            // later `$(` was quadratic).
            out.push_str(&word[at..]);
            break;
        }
        if let Some((from, Some(end))) = end {
            let inner = &word[from..end];
            let value = match inner.starts_with('(') {
                true => None,
                false => budget.deeper(|b| substitute(inner, vars, real, b)),
            };
            match (inner.starts_with('('), value) {
                (false, Some(value)) => out.push_str(&value),
                _ => out.push_str(&word[at..=end]),
            }
            while chars.peek().is_some_and(|&(i, _)| i <= end) {
                chars.next();
            }
            continue;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek().map(|&(_, n)| n) == Some('{') {
            chars.next();
            let mut inner = String::new();
            for (_, n) in chars.by_ref() {
                if n == '}' {
                    break;
                }
                inner.push(n);
            }
            // zsh's modifiers: `${0:A:h}` is the directory of the script, links resolved.
            if let Some((name, modifiers)) = zsh_modifiers(&inner) {
                match vars.get(name) {
                    Some(v) => match apply_modifiers(&v, modifiers, real) {
                        Some(value) if budget.take(value.len()) => out.push_str(&value),
                        _ => unknown.push(name.to_string()),
                    },
                    None if is_placed(name) => {
                        out.push_str("${");
                        out.push_str(&inner);
                        out.push('}');
                    }
                    None => unknown.push(name.to_string()),
                }
                continue;
            }
            if matches!(inner.as_str(), "#" | "@" | "*") {
                match vars.get(&inner) {
                    Some(v) if budget.take(v.len()) => out.push_str(&v),
                    _ => unknown.push(inner),
                }
                continue;
            }
            let (name, op, word) = parameter(&inner);
            if is_placed(name) && vars.get(name).is_none() {
                out.push_str("${");
                out.push_str(&inner);
                out.push('}');
                continue;
            }
            // A variable that may or may not have been set has no value to test.
            if vars.maybe_set(name) || name.is_empty() {
                unknown.push(if name.is_empty() {
                    inner.clone()
                } else {
                    name.to_string()
                });
                continue;
            }
            let value = vars.get(name);
            let taken = |colon: bool| match &value {
                Some(v) => !colon || !v.is_empty(),
                None => false,
            };
            let mut word_value = |b: &mut Budget, unknown: &mut Vec<String>| {
                b.deeper(|b| Some(expand_with(word, vars, unknown, real, b)))
            };
            match op {
                Operator::Plain => match value.filter(|v| !v.is_empty()) {
                    Some(v) if budget.take(v.len()) => out.push_str(&v),
                    _ => unknown.push(name.to_string()),
                },
                Operator::Default { colon } | Operator::Assign { colon } if taken(colon) => {
                    let v = value.unwrap_or_default();
                    match budget.take(v.len()) {
                        true => out.push_str(&v),
                        false => unknown.push(name.to_string()),
                    }
                }
                Operator::Default { .. } | Operator::Assign { .. } => {
                    match word_value(budget, unknown) {
                        Some(v) => {
                            if matches!(op, Operator::Assign { .. }) {
                                vars.assign(name, &v);
                            }
                            out.push_str(&v);
                        }
                        None => unknown.push(name.to_string()),
                    }
                }
                Operator::Alternative { colon } if taken(colon) => {
                    match word_value(budget, unknown) {
                        Some(v) => out.push_str(&v),
                        None => unknown.push(name.to_string()),
                    }
                }
                Operator::Alternative { .. } => {}
                Operator::Other => unknown.push(name.to_string()),
            }
            continue;
        }
        let mut name = String::new();
        while let Some(&(_, n)) = chars.peek() {
            if n.is_ascii_alphanumeric() || n == '_' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if name.is_empty() {
            // `$#`, `$@`, `$*`: the script's arguments, when the shell knows them.
            let special = chars
                .peek()
                .map(|&(_, n)| n)
                .filter(|n| matches!(n, '#' | '@' | '*'));
            match special.and_then(|n| vars.get(n.encode_utf8(&mut [0; 4]))) {
                Some(v) if budget.take(v.len()) => {
                    chars.next();
                    out.push_str(&v);
                }
                _ => out.push('$'),
            }
            continue;
        }
        match vars.get(&name) {
            Some(v) if budget.take(v.len()) => out.push_str(&v),
            Some(_) => unknown.push(name),
            // `$0`, the script's own path, stays as written (`cd "$(dirname "$0")"`) when the
            // caller does not give it: it is not a variable nobody set.
            None if is_placed(&name) => {
                out.push('$');
                out.push_str(&name);
            }
            None => unknown.push(name),
        }
    }
    out
}

/// `$0` and `$BASH_SOURCE`: the script's own path, which only the caller knows.
fn is_placed(name: &str) -> bool {
    name == "0" || name == "BASH_SOURCE"
}

/// What a command substitution prints, for the idioms scripts use to find their own place:
/// `dirname P`, `basename P`, `pwd`, `cd DIR && pwd` (with `-P`, `--` and redirections to
/// `/dev/null`), `realpath P`, `readlink -f P` and `echo`. `None` for anything else, or when a
/// word has no value (a variable nobody set, `$0` not given). What `realpath`, `readlink -f`,
/// `cd -P` and `pwd -P` print is the lexical path as `real` resolves it (the caller follows the
/// symlinks; `None` from it: not known).
fn substitute(
    script: &str,
    vars: Scope,
    real: &mut dyn FnMut(&str) -> Option<String>,
    budget: &mut Budget,
) -> Option<String> {
    let mut pwd = vars.get("PWD").map(|p| p.into_owned());
    let mut printed: Vec<String> = Vec::new();
    for (statement, sep, _) in statements(script) {
        // `cd X || exit`: the fallback is not what runs.
        if sep == Sep::Or {
            continue;
        }
        let mut words: Vec<String> = Vec::new();
        let mut skip_next = false;
        for (w, _) in quoted_words(&statement) {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            let op = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
            if op.starts_with(['>', '<']) {
                // `>/dev/null`, `2>&1`: the target is in the word; `>` alone: the next word.
                skip_next =
                    op.trim_end_matches(['>', '<', '|', '&']).is_empty() && !op.contains('&');
                continue;
            }
            // A command substitution runs in a subshell: what it assigns stays there.
            let local = Scope {
                vars: vars.vars,
                pwd: Some(pwd.as_deref()),
                maybe: vars.maybe,
                assigned: None,
            };
            let mut missing = Vec::new();
            let value = expand_with(&w, local, &mut missing, real, budget);
            if !missing.is_empty() || value.contains(['$', '`']) {
                return None;
            }
            words.push(value);
        }
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        let operands: Vec<&String> = args
            .iter()
            .skip_while(|a| a.starts_with('-') && a.len() > 1)
            .skip_while(|a| *a == "--")
            .collect();
        let options = || {
            args.iter()
                .take_while(|a| a.starts_with('-') && a.len() > 1)
        };
        let absolute = |p: &str, pwd: &Option<String>| -> Option<String> {
            match (p.starts_with('/'), pwd) {
                (true, _) => Some(join("/", p)),
                (false, Some(base)) => Some(join(base, p)),
                (false, None) => None,
            }
        };
        // `-P`: the physical directory, every symlink resolved (the last of `-L`/`-P` wins).
        let physical = options().fold(false, |p, o| match o.as_str() {
            "-P" => true,
            "-L" => false,
            _ => p,
        });
        match program.as_str() {
            "cd" => {
                let dir = match operands.first() {
                    Some(d) => d.to_string(),
                    None => vars.get("HOME")?.to_string(),
                };
                let dir = absolute(&dir, &pwd)?;
                pwd = Some(match physical {
                    true => real(&dir)?,
                    false => dir,
                });
            }
            "pwd" => printed.push(match physical {
                true => real(pwd.as_deref()?)?,
                false => pwd.clone()?,
            }),
            "dirname" => printed.push(dirname(operands.first()?)),
            "basename" => {
                let name = basename(operands.first()?.trim_end_matches('/'));
                let name = match operands.get(1) {
                    Some(suffix) if name != suffix.as_str() => {
                        name.strip_suffix(suffix.as_str()).unwrap_or(name)
                    }
                    _ => name,
                };
                printed.push(name.to_string());
            }
            "realpath" | "grealpath" => printed.push(real(&absolute(operands.first()?, &pwd)?)?),
            "readlink" | "greadlink" => {
                let canonical = options().any(|o| {
                    o.starts_with("--canonicalize")
                        || (!o.starts_with("--") && o.contains(['f', 'e', 'm']))
                });
                if !canonical {
                    return None;
                }
                printed.push(real(&absolute(operands.first()?, &pwd)?)?);
            }
            "echo" => printed.push(
                args.iter()
                    .skip_while(|a| *a == "-n")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            // Where the shell finds a command (`exec "$(command -v openclaw)" gateway`):
            // running what it prints runs what the name alone runs, so the name stands for it.
            "command" if options().eq(["-v"].iter()) => printed.push(operands.first()?.to_string()),
            "which" if options().next().is_none() => printed.push(operands.first()?.to_string()),
            "true" | ":" | "set" => {}
            _ => return None,
        }
    }
    let out = printed.join("\n");
    Some(out.trim_end_matches('\n').to_string())
}

/// `NAME:X:Y…` where each `X` is one of zsh's path modifiers clawlint applies (`a`, `A`, `h`,
/// `t`): the name and the modifier letters. bash rejects these ("bad substitution").
fn zsh_modifiers(inner: &str) -> Option<(&str, Vec<char>)> {
    let (name, rest) = inner.split_once(':')?;
    let valid_name = name == "0"
        || name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut letters = Vec::new();
    for part in rest.split(':') {
        match part {
            "a" | "A" | "h" | "t" => letters.extend(part.chars()),
            _ => return None,
        }
    }
    valid_name.then_some((name, letters))
}

/// zsh's modifiers in order (zshexpn(1) "Modifiers"): `a` the absolute path (clawlint's
/// paths are), `A` with links resolved by `real`, `h` the head (`dirname`), `t` the tail
/// (`basename`). `None` when a relative path would need the directory or `real` cannot say.
fn apply_modifiers(
    value: &str,
    modifiers: Vec<char>,
    real: &mut dyn FnMut(&str) -> Option<String>,
) -> Option<String> {
    let mut value = value.to_string();
    for m in modifiers {
        value = match m {
            'a' | 'A' if !value.starts_with('/') => return None,
            'a' => join("/", &value),
            'A' => real(&join("/", &value))?,
            'h' => dirname(&value),
            _ => value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
        };
    }
    Some(value)
}

/// POSIX `dirname`: `a/b` is `a`, `b` is `.`, `/b` is `/`.
fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            ".".into()
        } else {
            "/".into()
        };
    }
    match trimmed.rfind('/') {
        None => ".".into(),
        Some(at) => {
            let dir = trimmed[..at].trim_end_matches('/');
            if dir.is_empty() {
                "/".into()
            } else {
                dir.to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn lexical(p: &str) -> Option<String> {
        Some(p.to_string())
    }

    fn home() -> BTreeMap<String, String> {
        BTreeMap::from([("HOME".to_string(), "/home/u".to_string())])
    }

    /// A statement that could start a gateway is looked for in every statement, those an
    /// `sh -c` runs after a plain one too (only such statements are kept, not every one).
    #[test]
    fn a_gateway_after_a_plain_statement_of_an_sh_c_could_start() {
        let script = "#!/bin/sh\n:\nsh -c ': ; node /opt/app/index.js'\n";
        assert!(script_could_start_gateway(script, &home()));
        let plain = "#!/bin/sh\n:\nsleep 1\n";
        assert!(!script_could_start_gateway(plain, &home()));
    }

    /// The gateway line of `script` started with `args`.
    fn started_with(script: &str, args: &[&str]) -> Vec<String> {
        let mut env = home();
        set_arguments(&mut env, &v(args));
        script_gateway(script, &env).map_or_else(Vec::new, |c| c.argv)
    }

    /// Each `shift` copies the arguments, counted against the expansion budget: a script of
    /// many `shift 0` runs out of it, and the arguments are then unknown, not copied on.
    #[test]
    fn shifting_the_arguments_is_budgeted() {
        let big = "x".repeat(1 << 20);
        let args = ["--bind", big.as_str()];
        let few = started_with("shift 0\nshift 0\nexec openclaw gateway \"$@\"", &args);
        assert_eq!(few.last(), Some(&big));
        let many = format!("{}exec openclaw gateway \"$@\"", "shift 0\n".repeat(100));
        let many = started_with(&many, &args);
        assert!(!many.contains(&big), "{} words", many.len());
    }

    #[test]
    fn a_scripts_arguments_are_its_positional_parameters() {
        let args = ["gateway", "--port", "19001", "--bind", "two words"];
        // `"$@"` word by word, `$@`/`$*` unquoted split again, `"$*"` one word.
        let passed = started_with("exec openclaw \"$@\"", &args);
        assert_eq!(
            passed,
            v(&[
                "openclaw",
                "gateway",
                "--port",
                "19001",
                "--bind",
                "two words"
            ])
        );
        let split = started_with("exec openclaw $*", &args);
        assert_eq!(split[5..], v(&["two", "words"]));
        let joined = started_with("exec openclaw gateway run --bind \"$*\"", &args);
        assert_eq!(
            joined,
            v(&[
                "openclaw",
                "gateway",
                "run",
                "--bind",
                "gateway --port 19001 --bind two words"
            ])
        );
        // `$1`, `${2}`, `$#`, `shift N` and `set --`.
        let numbered = started_with("exec openclaw \"$1\" --port \"${3}\" --bind n$#", &args);
        assert_eq!(
            numbered,
            v(&["openclaw", "gateway", "--port", "19001", "--bind", "n5"])
        );
        let shifted = started_with("p=$1\nshift 3\nexec openclaw $p \"$@\"", &args);
        assert_eq!(shifted, v(&["openclaw", "gateway", "--bind", "two words"]));
        let reset = started_with("set -- gateway\nexec openclaw \"$@\" --port 1", &args);
        assert_ne!(
            reset.get(1).map(String::as_str),
            Some("gateway"),
            "{reset:?}"
        );
        // Not given: `"$@"` is never taken as no arguments.
        let c = script_gateway("exec openclaw gateway \"$@\"", &home());
        assert!(c.is_none_or(|c| c.argv.contains(&"$@".to_string())));
        assert!(defines_function(
            "#!/bin/sh\nmain() {\n exec openclaw \"$@\"\n}\nmain \"$@\""
        ));
        assert!(defines_function("function run {\n:\n}"));
        assert!(!defines_function(
            "if [ \"$(id -u)\" = 0 ]; then :; fi\ncase $1 in a) ;; esac"
        ));
    }

    #[test]
    fn gateway_commands_by_what_they_run() {
        assert!(starts_gateway(&v(&["/usr/bin/openclaw", "gateway"])));
        assert!(starts_gateway(&v(&[
            "moltbot", "gateway", "run", "--bind", "loopback"
        ])));
        assert!(starts_gateway(&v(&[
            "clawdbot",
            "--profile",
            "x",
            "gateway",
            "--port",
            "1"
        ])));
        assert!(starts_gateway(&v(&[
            "openclaw", "gateway", "--port", "1", "run"
        ])));
        assert!(starts_gateway(&v(&[
            "/opt/node",
            "--max-old-space-size=8192",
            "/x/openclaw/dist/index.js",
            "gateway"
        ])));
        assert!(starts_gateway(&v(&[
            "node",
            "openclaw.mjs",
            "gateway",
            "--allow-unconfigured"
        ])));
        assert!(!starts_gateway(&v(&["openclaw", "gateway", "status"])));
        assert!(!starts_gateway(&v(&["openclaw", "node", "run"])));
        assert!(!starts_gateway(&v(&[
            "/usr/bin/python3",
            "watch-openclaw-gateway.py"
        ])));
        assert!(!starts_gateway(&v(&["node", "server.js", "gateway"])));
        assert!(starts_installed_service(&v(&[
            "/usr/bin/openclaw",
            "gateway",
            "start"
        ])));
        assert!(!starts_installed_service(&v(&[
            "openclaw", "gateway", "run", "--port", "1"
        ])));
        assert!(starts_installed_service(&v(&[
            "openclaw", "gateway", "--port", "19000", "start"
        ])));
        let start = |words: &[&str]| start_rejected_option(&v(words)).map(str::to_string);
        assert_eq!(
            start(&["openclaw", "gateway", "start", "--port", "19000"]).as_deref(),
            Some("--port")
        );
        assert_eq!(
            start(&["openclaw", "gateway", "start", "--bind=lan"]).as_deref(),
            Some("--bind")
        );
        assert_eq!(
            start(&["openclaw", "gateway", "--port", "19000", "start"]),
            None
        );
        assert_eq!(
            start(&[
                "openclaw",
                "gateway",
                "start",
                "--profile",
                "rescue",
                "--json"
            ]),
            None
        );
        assert_eq!(start(&["openclaw", "gateway", "run", "--port", "1"]), None);
    }

    #[test]
    fn wrappers_are_removed() {
        let c = unwrap(
            &v(&["/usr/bin/env", "FOO=1", "openclaw", "gateway", "run"]),
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway", "run"]));
        assert_eq!(c.env, vec![("FOO".into(), "1".into())]);
        let c = unwrap(
            &v(&[
                "/usr/bin/caffeinate",
                "-s",
                "/opt/homebrew/bin/node",
                "/x/dist/index.js",
                "gateway",
            ]),
            &home(),
        );
        assert!(starts_gateway(&c.argv));
        let c = unwrap(
            &v(&[
                "op",
                "run",
                "--env-file=/home/u/.openclaw/env",
                "--",
                "openclaw",
                "gateway",
            ]),
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway"]));
        assert_eq!(c.unseen.len(), 1);
        assert!(c.unseen[0].contains("/home/u/.openclaw/env"));
    }

    #[test]
    fn shell_scripts_are_followed_with_cd_and_exports() {
        let c = unwrap(
            &v(&["/bin/bash", "-lc", "cd ~/ai && export OPENCLAW_PROFILE=ops; exec pnpm moltbot gateway run --port 18789"]),
            &home(),
        );
        assert_eq!(c.argv, v(&["moltbot", "gateway", "run", "--port", "18789"]));
        assert_eq!(c.cwd.as_deref(), Some("/home/u/ai"));
        assert_eq!(c.env, vec![("OPENCLAW_PROFILE".into(), "ops".into())]);
        let c = unwrap(&v(&["bash", "-c", "echo hi; sleep 3"]), &home());
        assert!(!starts_gateway(&c.argv));
    }

    /// A file the script sources before the gateway line is not read here: what it sets may
    /// reach the gateway, so its environment is marked as not wholly seen (never "missing").
    /// A file sourced after it changes nothing the gateway sees.
    #[test]
    fn a_sourced_file_before_the_gateway_line_is_noted() {
        let c = unwrap(
            &v(&[
                "/bin/bash",
                "-lc",
                "set -a; source \"/Users/v/openclaw-config/.env\"; set +a; openclaw gateway start",
            ]),
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway", "start"]));
        assert_eq!(
            c.injects_env.as_deref(),
            Some("the file the shell script sources (/Users/v/openclaw-config/.env)")
        );
        assert_eq!(
            c.unseen,
            ["what the shell script's `source /Users/v/openclaw-config/.env` sets (not read)"]
        );
        let c = script_gateway("openclaw gateway run; . ./after.sh", &home()).unwrap();
        assert_eq!(c.injects_env, None);
        assert!(c.unseen.is_empty(), "{:?}", c.unseen);
    }

    /// `case` branches and loop bodies may or may not run: a gateway line there is found
    /// (its pattern, `do` and the keywords are no command), an `export` there is
    /// conditional, as in an `if` whose condition is not answered; after `esac`/`done` the
    /// script runs for certain again.
    #[test]
    fn case_branches_and_loop_bodies_are_undecided() {
        let script = "case \"$1\" in\n  \"start\")\n    export OPENCLAW_GATEWAY_PORT=19000\n    exec openclaw gateway --port 18789\n    ;;\n  stop) openclaw gateway stop ;;\nesac\n";
        let c = script_gateway(script, &home()).unwrap();
        assert_eq!(c.argv, v(&["openclaw", "gateway", "--port", "18789"]));
        assert_eq!(
            c.injects_env.as_deref(),
            Some("a conditional `export` (OPENCLAW_GATEWAY_PORT)")
        );
        // One line, an unquoted pattern.
        let c = script_gateway(
            "case $MODE in prod) openclaw --profile prod gateway ;; *) exit 1 ;; esac",
            &home(),
        )
        .unwrap();
        assert_eq!(c.argv, v(&["openclaw", "--profile", "prod", "gateway"]));
        // A supervision loop; an export in a `for` body.
        let script = "for f in a b; do export OPENCLAW_PROFILE=ops; done\nwhile true; do\n  openclaw gateway --port 18789\n  sleep 5\ndone\n";
        let c = script_gateway(script, &home()).unwrap();
        assert_eq!(c.argv, v(&["openclaw", "gateway", "--port", "18789"]));
        assert_eq!(
            c.injects_env.as_deref(),
            Some("a conditional `export` (OPENCLAW_PROFILE)")
        );
        // Look-alike: after the block closes, an export runs for certain.
        let script = "case $1 in\n  start) echo starting ;;\nesac\nuntil false; do sleep 1; done\nexport OPENCLAW_PROFILE=ops\nopenclaw gateway\n";
        let c = script_gateway(script, &home()).unwrap();
        assert_eq!(c.injects_env, None);
        assert_eq!(c.env, vec![("OPENCLAW_PROFILE".into(), "ops".into())]);
    }

    #[test]
    fn cd_fallbacks_and_pwd() {
        // claw-swarm's template: the first `cd` is the pod's dir; `$PWD` is where it went.
        let script = "cd /home/u/.openclaw-aimee 2>/dev/null || cd /home/u/.openclaw; export OPENCLAW_STATE_DIR=$PWD; export OPENCLAW_CONFIG_PATH=$PWD/openclaw.json; exec openclaw --profile aimee gateway run";
        let c = script_gateway(script, &home()).expect("a gateway line");
        assert_eq!(c.cwd.as_deref(), Some("/home/u/.openclaw-aimee"));
        assert_eq!(
            c.env,
            vec![
                (
                    "OPENCLAW_STATE_DIR".into(),
                    "/home/u/.openclaw-aimee".into()
                ),
                (
                    "OPENCLAW_CONFIG_PATH".into(),
                    "/home/u/.openclaw-aimee/openclaw.json".into()
                ),
            ]
        );
        assert!(c.unseen.is_empty(), "{:?}", c.unseen);
        // Two `cd`s in sequence: the last one holds.
        let c = script_gateway("cd /a; cd /b && exec openclaw gateway", &home()).unwrap();
        assert_eq!(c.cwd.as_deref(), Some("/b"));
    }

    #[test]
    fn script_defaults_and_unknown_variables() {
        let script = "#!/bin/bash\nset -e\nREPO=\"$HOME/openclaw\"\nif [ -f x ]; then\n  exec op run --env-file=\"$HOME/.openclaw/env\" -- \\\n    node \"$REPO/dist/index.js\" gateway --port \"${OPENCLAW_GATEWAY_PORT:-18789}\"\nfi\n";
        let c = script_gateway(script, &home()).expect("a gateway line");
        assert_eq!(
            c.argv,
            v(&[
                "node",
                "/home/u/openclaw/dist/index.js",
                "gateway",
                "--port",
                "18789"
            ])
        );
        assert_eq!(c.wrappers, v(&["op run"]));
        let c = script_gateway("exec openclaw gateway --port $PORT", &home()).unwrap();
        assert!(c.unseen.iter().any(|u| u.contains("PORT")));
        let c = script_gateway("echo '$HOME'; openclaw gateway --token '$X'", &home()).unwrap();
        assert_eq!(c.argv[3], "$X");
    }

    /// A command held in a shell variable: the shell splits an unquoted expansion into words,
    /// never a quoted one (`"$CMD" up` runs a program named `docker compose`, which fails).
    #[test]
    fn unquoted_variables_split_into_words() {
        let compose = |argv: &[String]| argv.first().is_some_and(|p| p == "docker");
        let script = "COMPOSE_CMD=\"docker compose\"\nif command -v docker-compose; then COMPOSE_CMD=docker-compose; fi\nCOMPOSE_CMD=\"docker compose\"\n$COMPOSE_CMD -f stack.yml up -d\n";
        let found = script_commands(script, &home(), &compose);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].0.argv,
            v(&["docker", "compose", "-f", "stack.yml", "up", "-d"])
        );
        let found = script_commands(
            "CMD=\"docker compose\"\n\"$CMD\" up -d\n",
            &home(),
            &compose,
        );
        assert!(found.is_empty(), "{found:?}");
        let c = script_gateway(
            "ARGS=\"--port 19001 --bind loopback\"\nexec openclaw gateway $ARGS\n",
            &home(),
        )
        .unwrap();
        assert_eq!(
            c.argv,
            v(&["openclaw", "gateway", "--port", "19001", "--bind", "loopback"])
        );
    }
    fn at(script: &str, pwd: &str) -> BTreeMap<String, String> {
        let mut vars = home();
        vars.insert("0".into(), script.into());
        vars.insert("BASH_SOURCE".into(), script.into());
        vars.insert("PWD".into(), pwd.into());
        vars
    }

    /// The idioms scripts use to find their own directory, evaluated; anything else is left
    /// alone (`None`), never guessed.
    #[test]
    fn substitutions_scripts_use_for_their_own_place() {
        let vars = at("/home/u/bin/start.sh", "/home/u");
        let s =
            |script: &str| substitute(script, Scope::of(&vars), &mut lexical, &mut Budget::new());
        assert_eq!(s("dirname \"$0\"").as_deref(), Some("/home/u/bin"));
        assert_eq!(
            s("cd \"$(dirname \"$0\")\" && pwd").as_deref(),
            Some("/home/u/bin")
        );
        assert_eq!(
            s("cd -- \"$(dirname -- \"${BASH_SOURCE[0]}\")\" &> /dev/null && pwd").as_deref(),
            Some("/home/u/bin")
        );
        assert_eq!(
            s("cd \"$(dirname \"$0\")\" >/dev/null 2>&1 && pwd -P").as_deref(),
            Some("/home/u/bin")
        );
        assert_eq!(
            s("dirname \"$(readlink -f \"$0\")\"").as_deref(),
            Some("/home/u/bin")
        );
        assert_eq!(
            s("cd \"$(dirname \"$0\")/..\"; pwd").as_deref(),
            Some("/home/u")
        );
        assert_eq!(s("basename \"$0\" .sh").as_deref(), Some("start"));
        assert_eq!(s("pwd").as_deref(), Some("/home/u"));
        assert_eq!(s("git rev-parse --show-toplevel"), None);
        assert_eq!(s("readlink \"$0\""), None);
        assert_eq!(s("dirname \"$UNSET\""), None);
        // `$0` not given (a unit's `sh -c`): nothing to evaluate.
        assert_eq!(
            substitute(
                "dirname \"$0\"",
                Scope::of(&home()),
                &mut lexical,
                &mut Budget::new()
            ),
            None
        );
        assert_eq!(dirname("./b.sh"), ".");
        assert_eq!(dirname("/b.sh"), "/");
        assert_eq!(dirname("a//b/"), "a");
        // Started as `./bin/start.sh` from the home: `$(dirname "$0")` is `./bin`, which the
        // shell reads from its directory.
        let vars = at("./bin/start.sh", "/home/u");
        assert_eq!(
            substitute(
                "cd \"$(dirname \"$0\")\" && pwd",
                Scope::of(&vars),
                &mut lexical,
                &mut Budget::new()
            )
            .as_deref(),
            Some("/home/u/bin")
        );
    }

    /// `command -v NAME` and `which NAME` print where NAME is found: what runs is what NAME
    /// alone runs, so they stand for the name. Other forms of `command` are not evaluated.
    #[test]
    fn a_command_lookup_stands_for_the_command() {
        let vars = at("/home/u/bin/start.sh", "/home/u");
        let s =
            |script: &str| substitute(script, Scope::of(&vars), &mut lexical, &mut Budget::new());
        assert_eq!(s("command -v openclaw").as_deref(), Some("openclaw"));
        assert_eq!(s("which openclaw").as_deref(), Some("openclaw"));
        assert_eq!(
            s("command -v /usr/bin/openclaw").as_deref(),
            Some("/usr/bin/openclaw")
        );
        assert_eq!(s("command -V openclaw"), None);
        assert_eq!(s("command openclaw"), None);
        assert_eq!(s("which -a openclaw"), None);
        assert_eq!(s("command -v $UNSET"), None);
    }

    /// A script's path held in a variable: `SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"`,
    /// `DIR=$(dirname "$0")`, `cd "$(dirname "${BASH_SOURCE[0]}")"`.
    #[test]
    fn script_paths_held_in_variables() {
        let script = |a: &[String]| a.first().is_some_and(|p| p.ends_with(".sh"));
        let compose = |a: &[String]| a.first().is_some_and(|p| p == "docker");
        let vars = at("/home/u/bin/start-all.sh", "/home/u");
        let found = script_commands(
            "#!/bin/bash\nSCRIPT_DIR=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n\"$SCRIPT_DIR/start-acme.sh\"\n",
            &vars,
            &script,
        );
        assert_eq!(found[0].0.argv, v(&["/home/u/bin/start-acme.sh"]));
        assert!(found[0].0.unresolved.is_empty());
        let found = script_commands(
            "DIR=$(dirname \"$0\")\ncd $DIR/../stacks/acme && docker compose up -d\n",
            &at("./bin/start.sh", "/home/u"),
            &compose,
        );
        assert_eq!(found[0].0.cwd.as_deref(), Some("/home/u/stacks/acme"));
        let found = script_commands(
            "cd \"$(dirname \"${BASH_SOURCE[0]}\")\"\ncd ../stacks\ndocker compose up -d\n",
            &vars,
            &compose,
        );
        assert_eq!(found[0].0.cwd.as_deref(), Some("/home/u/stacks"));
        // What no idiom gives stays as written, and is said to be unresolved.
        let found = script_commands(
            "\"$(git rev-parse --show-toplevel)/start.sh\"\n$STACKS/start.sh\n",
            &vars,
            &script,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].0.unresolved,
            vec![(
                "$(git rev-parse --show-toplevel)/start.sh".to_string(),
                "$(git rev-parse --show-toplevel)/start.sh".to_string()
            )]
        );
        assert_eq!(
            found[1].0.unresolved,
            vec![("/start.sh".to_string(), "$STACKS/start.sh".to_string())]
        );
    }

    struct Files(Vec<(&'static str, &'static str)>, Vec<SourceRequest>);

    impl Sourcer for Files {
        fn source(&mut self, request: &SourceRequest) -> Option<SourcedText> {
            self.1.push(request.clone());
            let path = match request.path.starts_with('/') {
                true => join("/", &request.path),
                false => join(request.cwd.as_deref()?, &request.path),
            };
            let at = self.0.iter().position(|(p, _)| *p == path)?;
            Some(SourcedText {
                file: at + 1,
                path,
                text: self.0[at].1.to_string(),
            })
        }
    }

    /// [`Files`] that also answers `[ -f P ]` for its files (the layout).
    struct Answering(Files);

    impl Sourcer for Answering {
        fn source(&mut self, request: &SourceRequest) -> Option<SourcedText> {
            self.0.source(request)
        }
        fn exists(&mut self, path: &str, _op: &str) -> Option<bool> {
            Some(self.0 .0.iter().any(|(p, _)| *p == path))
        }
    }

    /// zsh and ksh where they differ from bash in what clawlint reads (recorded with zsh 5.9,
    /// ksh 93u+m/1.0.4, bash 5.2 and dash 0.5.12: `C="show a b"; $C` is "command not found:
    /// show a b" in zsh only; `. name` reads PATH only in zsh and ksh, and zsh's `source name`
    /// reads the directory it is in before PATH).
    #[test]
    fn a_substitution_never_closed_ends_the_script_there() {
        let texts = |s: &str| -> Vec<String> {
            split(s).statements.into_iter().map(|(t, _, _)| t).collect()
        };
        let script = "a=1\nb=\"$(echo x\nc=\"$(\nexec openclaw gateway\n";
        assert_eq!(texts(script), ["a=1"]);
        assert_eq!(split(script).unclosed, script.find("$("));
        let script = "a=1\nb=`echo x\nexec openclaw gateway\n";
        assert_eq!(split(script).unclosed, script.find('`'));
        // A comment inside a substitution: its quote is text, not an opening.
        let script = "x=$(\n  # don't\n  echo a\n)\ny=2\n";
        assert_eq!(split(script).unclosed, None);
        assert_eq!(texts(script).len(), 2);
        // `$#` and `${#…}` are no comments.
        assert_eq!(split("n=$(echo $# ${#a})\n").unclosed, None);
        // Quoted substitutions nested deeper than clawlint reads are taken as never closed.
        let deep = |n: usize| format!("x=\"{}a{}\"", "$(echo \"".repeat(n), "\")".repeat(n));
        assert_eq!(split(&deep(MAX_QUOTED_NESTING)).unclosed, None);
        assert_eq!(split(&deep(MAX_QUOTED_NESTING + 2)).unclosed, Some(3));
    }

    /// The shell named on the command line reads the script, whatever its `#!` says (the
    /// kernel reads the `#!` only of a script run itself). Recorded with bash 5.2.15, zsh 5.9
    /// and dash (/bin/sh) on Debian: a `#!/usr/bin/env zsh` script doing `C="printf %s| a";
    /// set -- $C; echo $#` prints 1 run as `./z.sh` or `zsh z.sh`, 3 as `bash z.sh` or
    /// `sh z.sh`; a `#!/bin/bash` script doing `. lib.sh` (lib.sh beside it, not on PATH)
    /// reads it as `./b.sh` or `bash b.sh`, and fails as `sh b.sh` (".: lib.sh: not found"),
    /// `bash --posix b.sh` and `zsh b.sh`.
    #[test]
    fn the_interpreter_on_the_command_line_decides_the_dialect() {
        let compose = |argv: &[String]| argv.first().is_some_and(|p| p == "docker");
        let words = |script: &str, interpreter: Option<&str>| -> Vec<Vec<String>> {
            script_statements(script, interpreter, &home(), &compose, &mut NoSourcing)
                .into_iter()
                .map(|f| f.command.argv)
                .collect()
        };
        let zsh_script = "#!/usr/bin/env zsh\nC=\"docker compose\"\n$C up -d\n";
        assert!(words(zsh_script, None).is_empty());
        assert!(words(zsh_script, Some("/usr/bin/zsh")).is_empty());
        let split = [v(&["docker", "compose", "up", "-d"])];
        assert_eq!(words(zsh_script, Some("bash")), split);
        assert_eq!(words(zsh_script, Some("sh -e")), split);
        let bash_script = "#!/bin/bash\nC=\"docker compose\"\n$C up -d\n";
        assert!(words(bash_script, Some("zsh")).is_empty());
        // `. NAME`: bash looks on PATH then in its directory; POSIX shells and zsh's `.` on
        // PATH only.
        let searches = |interpreter: Option<&str>| {
            let mut files = Files(Vec::new(), Vec::new());
            script_statements(
                "#!/bin/bash\n. lib.sh\n",
                interpreter,
                &home(),
                &compose,
                &mut files,
            );
            files
                .1
                .iter()
                .map(|r| r.search.as_ref().map(|s| s.then_cwd))
                .collect::<Vec<_>>()
        };
        assert_eq!(searches(None), [Some(true)]);
        assert_eq!(searches(Some("bash")), [Some(true)]);
        assert_eq!(searches(Some("sh")), [Some(false)]);
        assert_eq!(searches(Some("bash --posix")), [Some(false)]);
        assert_eq!(searches(Some("zsh")), [Some(false)]);
        // `sh -c '…'` is read by sh, `zsh -c '…'` by zsh.
        let env = home();
        let cmd = unwrap(&v(&["zsh", "-c", "C=\"openclaw gateway\"; $C"]), &env);
        assert!(!starts_gateway(&cmd.argv), "{:?}", cmd.argv);
        let cmd = unwrap(&v(&["sh", "-c", "C=\"openclaw gateway\"; $C"]), &env);
        assert_eq!(cmd.argv, v(&["openclaw", "gateway"]));
    }

    #[test]
    fn zsh_and_ksh_scripts_are_read_as_those_shells_run_them() {
        let compose = |argv: &[String]| argv.first().is_some_and(|p| p == "docker");
        let cmd = "COMPOSE_CMD=\"docker compose\"\n$COMPOSE_CMD up -d\n";
        let found = script_commands(&format!("#!/usr/bin/env zsh\n{cmd}"), &home(), &compose);
        assert!(
            found.is_empty(),
            "zsh runs a program named `docker compose`: {found:?}"
        );
        let found = script_commands(&format!("#!/bin/ksh\n{cmd}"), &home(), &compose);
        assert_eq!(found[0].0.argv, v(&["docker", "compose", "up", "-d"]));
        // zsh splits a command substitution.
        let found = script_commands(
            "#!/bin/zsh\n$(echo docker compose) up -d\n",
            &home(),
            &compose,
        );
        assert_eq!(found[0].0.argv, v(&["docker", "compose", "up", "-d"]));
        let searches = |script: &str| {
            let mut files = Files(Vec::new(), Vec::new());
            script_statements(script, None, &home(), &compose, &mut files);
            files
                .1
                .iter()
                .map(|r| r.search.as_ref().map(|s| (s.cwd_first, s.then_cwd)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            searches("#!/bin/zsh\nsource env.sh\n. env.sh\n"),
            [Some((true, false)), Some((false, false))]
        );
        assert_eq!(
            searches("#!/bin/ksh\nsource env.sh\n. env.sh\n"),
            [Some((false, false)), Some((false, false))]
        );
        assert_eq!(
            searches("#!/bin/bash\nsource env.sh\n"),
            [Some((false, true))]
        );
        // `${0:A:h}`: the script's own directory (zshexpn(1) modifiers).
        let found = script_statements(
            "#!/bin/zsh\ncd \"${0:A:h}/../stacks/acme\"\ndocker compose up -d\n",
            None,
            &at("/home/u/bin/start.sh", "/"),
            &compose,
            &mut NoSourcing,
        );
        assert_eq!(
            found[0].command.cwd.as_deref(),
            Some("/home/u/bin/../stacks/acme")
        );
        assert_eq!(zsh_modifiers("0:A:h"), Some(("0", vec!['A', 'h'])));
        assert_eq!(zsh_modifiers("VAR:-x"), None);
        assert_eq!(zsh_modifiers("VAR:2"), None);
    }

    /// `if [ ! -f "$F" ]; then F=…; fi`: the branch runs or not as the layout says, so the
    /// file sourced after it is known, and what it exports is the gateway's, placed on its
    /// line. When the test cannot be answered the assignment may or may not run: `F` is not
    /// guessed, and the `source` of it cannot be worked out.
    #[test]
    fn a_test_the_layout_answers_decides_the_branch() {
        let script = "F=/h/a.env\nif [ ! -f \"$F\" ]; then\n  F=/h/b.env\nfi\nset -a\n. \"$F\"\nset +a\nexec openclaw gateway run\n";
        let files = || Files(vec![("/h/a.env", "# a\nTOKEN=x\n")], Vec::new());
        let mut answering = Answering(files());
        let c = script_gateway_sourcing(script, None, &home(), &mut answering).unwrap();
        assert_eq!(c.env, vec![("TOKEN".to_string(), "x".to_string())]);
        assert_eq!(c.set_at, vec![("TOKEN".to_string(), 1, 4)]);
        assert_eq!(c.sources_before, 1);

        let mut silent = files();
        let c = script_gateway_sourcing(script, None, &home(), &mut silent).unwrap();
        assert!(c.env.is_empty(), "{c:?}");
        assert!(!silent.1[0].resolvable, "{:?}", silent.1);
    }

    /// A sourced file runs in the caller's shell: it sees the caller's variables and
    /// directory, and what it sets, exports or changes to holds after it.
    #[test]
    fn sourced_files_share_the_shell() {
        let compose = |a: &[String]| a.first().is_some_and(|p| p == "docker");
        let mut files = Files(
            vec![
                (
                    "/home/u/lib/env.sh",
                    "STACK=$HOME/stacks/acme\nexport COMPOSE_PROJECT_NAME=acme\ncd \"$(dirname \"${BASH_SOURCE[0]}\")\"\n",
                ),
                ("/home/u/lib/up.sh", "docker compose -f \"$STACK/x.yml\" up -d\n"),
            ],
            Vec::new(),
        );
        let script = "#!/bin/bash\nsource \"$(dirname \"$0\")/../lib/env.sh\"\n[ -f .env ] && . .env\n. ./up.sh\nsource \"$NOWHERE/x.sh\"\n";
        let found = script_statements(
            script,
            None,
            &at("/home/u/bin/start.sh", "/home/u"),
            &compose,
            &mut files,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].file, 2);
        assert_eq!(found[0].offset, 0);
        let c = &found[0].command;
        assert_eq!(
            c.argv,
            v(&[
                "docker",
                "compose",
                "-f",
                "/home/u/stacks/acme/x.yml",
                "up",
                "-d"
            ])
        );
        assert_eq!(c.cwd.as_deref(), Some("/home/u/lib"));
        assert_eq!(c.env, vec![("COMPOSE_PROJECT_NAME".into(), "acme".into())]);
        let asked: Vec<(&str, bool, bool)> = files
            .1
            .iter()
            .map(|r| (r.path.as_str(), r.resolvable, r.guarded))
            .collect();
        assert_eq!(
            asked,
            vec![
                ("/home/u/bin/../lib/env.sh", true, false),
                (".env", true, true),
                ("./up.sh", true, false),
                ("/x.sh", false, false),
            ]
        );
        assert_eq!(files.1[1].cwd.as_deref(), Some("/home/u/lib"));
    }
    /// The tests that guard a `source`, exactly: an `&&` chain after `[ -f X ]` (or `[[ ]]`,
    /// `test -r`), the statement after `[ ! -f X ] ||`, the `then` branch of `if [ -f X ]`
    /// however many statements down (`X` and `./X` alike), the `else` of `if [ ! -e X ]`, a
    /// `{ }` group after `&&`. Not: a test joined by `;` or a newline, `[ -f X ] || . X` (it
    /// runs when X is missing), a test of another file or of a directory, the `else` of
    /// `if [ -f X ]`, a source after `fi`, a condition joined by `||` or that is no test.
    #[test]
    fn guards_before_a_source_are_read_exactly() {
        let cases: &[(&str, bool)] = &[
            ("[ -f .env ] && . .env", true),
            ("[[ -f .env ]] && source .env", true),
            ("test -r .env && . ./.env", true),
            ("[ -f .env ] && set -a && . .env", true),
            ("[ ! -f .env ] || . .env", true),
            ("! [ -s .env ] || . .env", true),
            (
                "if [ -f .env ]; then\n  set -a\n  . ./.env\n  set +a\nfi",
                true,
            ),
            (
                "if [ -f \"$HOME/x.env\" ]\nthen\n  source ~/x.env\nfi",
                true,
            ),
            (
                "if [ ! -e .env ]; then\n  echo none\nelse\n  . .env\nfi",
                true,
            ),
            ("if [ -s .env ] && [ -r .env ]; then . .env; fi", true),
            ("[ -f .env ] && { set -a; . .env; set +a; }", true),
            ("if [ -f a ]; then if true; then . a; fi; fi", true),
            ("[ -f .env ]; . .env", false),
            ("[ -f .env ]\n. .env", false),
            ("[ -f .env ] || . .env", false),
            ("[ -f other.env ] && . .env", false),
            ("[ -d .env ] && . .env", false),
            ("[ -f .env -a -r .env ] && . .env", false),
            ("if [ -f .env ]; then echo; else . .env; fi", false),
            ("if [ -f .env ]; then echo; fi\n. .env", false),
            ("if [ -f .env ] || true; then . .env; fi", false),
            ("if grep -q x .env; then . .env; fi", false),
            ("[ -f .env ] && { echo; }\n. .env", false),
        ];
        for (script, guarded) in cases {
            let mut files = Files(Vec::new(), Vec::new());
            script_statements(script, None, &home(), &|_| false, &mut files);
            let asked: Vec<bool> = files.1.iter().map(|r| r.guarded).collect();
            assert_eq!(asked, vec![*guarded], "{script}");
        }
    }

    /// `set -a; . .env; set +a` exports what the file assigns; redirections are no arguments;
    /// `pushd`/`popd` move the shell like `cd`.
    /// `${NAME:=W}`, `${NAME=W}`, `${NAME:+W}`, `${NAME-W}` and operators clawlint does not
    /// work out, as bash 5.2.15 evaluates them (recorded, `env -i bash -c`):
    /// `unset P; : "${P:=8080}"; echo "[$P]"` → `[8080]`, and `env` has no P (not exported);
    /// `export P=; : "${P:=8080}"` → `env` has `P=8080`; `set -a; unset P; : "${P:=7}"` →
    /// `P=7` exported; `P=; : "${P=8080}"` → `[]`; `unset P; echo "x${P:=9}y $P"` → `x9y 9`.
    /// A script run by hand (beside a project) has arguments clawlint cannot see: `${1:-}` is
    /// unknown, not empty, and so is what is made of it; with its arguments known (a
    /// supervisor's command line), the default holds.
    #[test]
    fn a_script_run_by_hand_has_unknown_arguments() {
        let compose = |a: &[String]| a.first().is_some_and(|p| p == "docker");
        let script =
            "T=\"${1:-}\"\nDIR=\"/opt/t/$T\"\ndocker compose --env-file \"$DIR/.env\" up -d\n";
        let (found, _) = script_commands_until(script, &home(), &compose);
        let c = &found[0].0;
        assert_eq!(c.argv, v(&["docker", "compose", "up", "-d"]), "{c:?}");
        assert_eq!(c.unknown_args, v(&["DIR"]), "{c:?}");
        let found = script_commands(script, &home(), &compose);
        let c = &found[0].0;
        assert_eq!(
            c.argv,
            v(&[
                "docker",
                "compose",
                "--env-file",
                "/opt/t//.env",
                "up",
                "-d"
            ]),
            "{c:?}"
        );
    }

    #[test]
    fn assigning_and_alternative_expansions_are_evaluated_as_bash_does() {
        let gateway = |a: &[String]| starts_gateway(a);
        let run = |script: &str, env: &BTreeMap<String, String>| {
            let found = script_commands(script, env, &gateway);
            assert_eq!(found.len(), 1, "{script}: {found:?}");
            found.into_iter().next().unwrap().0
        };
        let c = run(
            ": \"${OPENCLAW_GATEWAY_PORT:=19789}\"\nexec openclaw gateway --port \"$OPENCLAW_GATEWAY_PORT\"\n",
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway", "--port", "19789"]));
        assert!(c.env.is_empty(), "not exported: {:?}", c.env);
        assert!(c.unknown_args.is_empty(), "{c:?}");
        // Inherited (exported) and empty: assigning exports the new value.
        let mut env = home();
        env.insert("OPENCLAW_GATEWAY_PORT".into(), String::new());
        let c = run(
            ": \"${OPENCLAW_GATEWAY_PORT:=19789}\"\nexec openclaw gateway\n",
            &env,
        );
        assert_eq!(
            c.env,
            vec![("OPENCLAW_GATEWAY_PORT".into(), "19789".into())]
        );
        // `set -a` exports what it assigns.
        let c = run(
            "set -a\n: \"${OPENCLAW_GATEWAY_PORT:=7}\"\nexec openclaw gateway\n",
            &home(),
        );
        assert_eq!(c.env, vec![("OPENCLAW_GATEWAY_PORT".into(), "7".into())]);
        // Without the colon, a set but empty value stays.
        let c = run(
            "P=\n: \"${P=8080}\"\nexec openclaw gateway --port \"x${P}y\"\n",
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway"]), "{c:?}");
        // Within one word, the assigned value is there at once.
        let c = run("exec openclaw gateway --port \"${P:=9}$P\"\n", &home());
        assert_eq!(c.argv, v(&["openclaw", "gateway", "--port", "99"]));
        // `:+` gives its word when set, nothing when not.
        let c = run(
            "A=1\nexec openclaw gateway --port \"${A:+18789}${B:+1}\"\n",
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway", "--port", "18789"]));
        // An operator clawlint does not work out is no value, not the variable's.
        let c = run(
            "P=18789\nexec openclaw gateway --port \"${P:0:4}\"\n",
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway"]), "{c:?}");
        // A variable that may or may not have been exported takes no default.
        let c = run(
            "[ -n \"$X\" ] && export OPENCLAW_GATEWAY_PORT=1\n: \"${OPENCLAW_GATEWAY_PORT:=8080}\"\nexec openclaw gateway --port \"$OPENCLAW_GATEWAY_PORT\"\n",
            &home(),
        );
        assert_eq!(c.argv, v(&["openclaw", "gateway"]), "{c:?}");
        assert_eq!(c.maybe_set, vec!["OPENCLAW_GATEWAY_PORT".to_string()]);
    }

    /// A variable the command gets with a value made of what clawlint cannot work out (a
    /// variable with no value, a command substitution it does not evaluate) has no value in
    /// its environment and is named; a later literal value is known again.
    #[test]
    fn a_value_clawlint_cannot_work_out_is_named_not_kept() {
        let gateway = |a: &[String]| starts_gateway(a);
        let run = |script: &str, env: &BTreeMap<String, String>| {
            let found = script_commands(script, env, &gateway);
            assert_eq!(found.len(), 1, "{script}: {found:?}");
            found.into_iter().next().unwrap().0
        };
        let unknown = |c: &Command| c.env_unknown.clone();
        let has = |c: &Command, name: &str| c.env.iter().any(|(k, _)| k == name);
        let c = run(
            "dir=\"$(pick_state_dir)\"\nOPENCLAW_STATE_DIR=\"${dir}\" exec openclaw gateway\n",
            &home(),
        );
        assert_eq!(unknown(&c), v(&["OPENCLAW_STATE_DIR"]), "{c:?}");
        assert!(!has(&c, "OPENCLAW_STATE_DIR"), "{c:?}");
        let c = run(
            "export OPENCLAW_STATE_DIR=\"$NOWHERE/state\"\nexec openclaw gateway\n",
            &home(),
        );
        assert_eq!(unknown(&c), v(&["OPENCLAW_STATE_DIR"]), "{c:?}");
        let c = run(
            "export OPENCLAW_STATE_DIR=\"$NOWHERE/state\"\nexport OPENCLAW_STATE_DIR=/srv/a\nexec openclaw gateway\n",
            &home(),
        );
        assert!(unknown(&c).is_empty(), "{c:?}");
        assert!(has(&c, "OPENCLAW_STATE_DIR"), "{c:?}");
    }

    #[test]
    fn allexport_redirections_and_pushd() {
        let compose = |a: &[String]| a.first().is_some_and(|p| p == "docker");
        let found = script_commands(
            "set -a\nAPP=acme\nset +a\nLOCAL=1\npushd /srv/acme > /dev/null\ndocker compose -p \"$APP\" up -d >/dev/null 2>&1\npopd\ndocker compose up -d 2> err.log\n",
            &at("/home/u/bin/up.sh", "/home/u"),
            &compose,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].0.argv,
            v(&["docker", "compose", "-p", "acme", "up", "-d"])
        );
        assert_eq!(found[0].0.env, vec![("APP".into(), "acme".into())]);
        assert_eq!(found[0].0.cwd.as_deref(), Some("/srv/acme"));
        assert_eq!(found[1].0.argv, v(&["docker", "compose", "up", "-d"]));
        assert_eq!(found[1].0.cwd.as_deref(), Some("/home/u"));
    }
}
