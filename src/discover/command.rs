//! What a supervisor's command really runs: the OpenClaw gateway behind the wrappers people
//! put in front of it (`/usr/bin/env`, `caffeinate`, `op run … --`, `bash -lc '… cd DIR &&
//! exec openclaw …'`, `pnpm moltbot …`), and whether what is left starts a gateway.
//!
//! Pure: no file is read here. Following a script file is the caller's job
//! ([`script_gateway`] takes its text).

use std::collections::BTreeMap;

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

/// `gateway start` does not run a gateway itself: it starts the gateway's installed service
/// (launchd/systemd/schtasks, "Start the Gateway service"). A supervisor running it triggers
/// that service rather than supervising a second gateway.
pub fn starts_installed_service(argv: &[String]) -> bool {
    gateway_word(argv).is_some_and(|i| {
        argv[i + 1..]
            .iter()
            .find(|a| !a.starts_with('-'))
            .is_some_and(|sub| sub == "start")
    })
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

/// [`unwrap`], where the command looked for in an `sh -c` script is the first statement for
/// which `wanted` holds (a gateway for [`unwrap`], `docker compose` for compose runs).
pub fn unwrap_to(
    argv: &[String],
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
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
                out.wrappers.push(format!("{program} {flags}"));
                shell_depth += 1;
                let script = argv[script_at].clone();
                match script_commands(&script, env, wanted).into_iter().next() {
                    Some((inner, _)) => {
                        out.injects_env = inner.injects_env.or(out.injects_env);
                        out.env_files.extend(inner.env_files);
                        out.cwd = inner.cwd.or(out.cwd);
                        out.env.extend(inner.env);
                        out.unseen.extend(inner.unseen);
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

/// Every statement of a shell script whose command (wrappers removed) `wanted` accepts, each
/// with the `cd`, `export`s and assignments before it and the byte offset of the statement.
pub fn script_commands(
    script: &str,
    env: &BTreeMap<String, String>,
    wanted: &dyn Fn(&[String]) -> bool,
) -> Vec<(Command, usize)> {
    let mut found = Vec::new();
    let mut vars = env.clone();
    let mut cwd: Option<String> = None;
    let mut exported: Vec<(String, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut previous_was_cd = false;
    for (statement, after_or, offset) in statements(script) {
        let mut marked = quoted_words(&statement);
        // `then exec …`, `else …`, `do …`
        while marked
            .first()
            .is_some_and(|(w, _)| matches!(w.as_str(), "then" | "else" | "do" | "{" | "!"))
        {
            marked.remove(0);
        }
        let (words, quoted): (Vec<String>, Vec<bool>) = marked.into_iter().unzip();
        let Some(first) = words.first() else { continue };
        let is_cd = first == "cd";
        // `cd A || cd B`: the fallback runs only when A is missing; A is what the author meant.
        let fallback_cd = is_cd && after_or && previous_was_cd;
        previous_was_cd = is_cd;
        match first.as_str() {
            "cd" if fallback_cd => continue,
            "cd" => {
                if let Some(dir) = words.get(1) {
                    let dir = expand(dir, &vars, &mut unknown);
                    // The shell keeps the new directory in PWD (`OPENCLAW_STATE_DIR=$PWD`).
                    vars.insert("PWD".to_string(), dir.clone());
                    cwd = Some(dir);
                }
                continue;
            }
            "export" => {
                for w in &words[1..] {
                    if let Some((k, v)) = assignment(w) {
                        let v = expand(&v, &vars, &mut unknown);
                        vars.insert(k.clone(), v.clone());
                        exported.push((k, v));
                    }
                }
                continue;
            }
            _ => {}
        }
        // `K=V cmd …` (or a bare assignment: a shell variable).
        let mut i = 0;
        let mut prefix = Vec::new();
        while let Some((k, v)) = words.get(i).and_then(|w| assignment(w)) {
            prefix.push((k, v));
            i += 1;
        }
        if i == words.len() {
            for (k, v) in prefix {
                let v = expand(&v, &vars, &mut unknown);
                vars.insert(k, v);
            }
            continue;
        }
        let mut local_unknown = Vec::new();
        let mut argv: Vec<String> = Vec::new();
        for (w, quoted) in words[i..].iter().zip(&quoted[i..]) {
            let mut missing = Vec::new();
            let value = expand(w, &vars, &mut missing);
            if missing.is_empty() {
                // An unquoted expansion is split into words (`$COMPOSE_CMD up -d`).
                match !quoted && w.contains('$') {
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
                argv.push(value);
            }
            local_unknown.extend(missing);
        }
        let mut inner = unwrap_to(&argv, &vars, wanted);
        if !wanted(&inner.argv) {
            continue;
        }
        let mut env = exported.clone();
        for (k, v) in prefix {
            env.push((k, expand(&v, &vars, &mut local_unknown)));
        }
        env.extend(std::mem::take(&mut inner.env));
        local_unknown.sort();
        local_unknown.dedup();
        let mut all_unknown = unknown.clone();
        all_unknown.extend(local_unknown.iter().cloned());
        all_unknown.sort();
        all_unknown.dedup();
        let mut unseen = inner.unseen;
        if !all_unknown.is_empty() {
            unseen.push(format!(
                "shell variables with no value clawlint can see: {}",
                all_unknown.join(", ")
            ));
        }
        found.push((
            Command {
                argv: inner.argv,
                cwd: inner.cwd.or(cwd.clone()),
                env,
                wrappers: inner.wrappers,
                unseen,
                injects_env: inner.injects_env,
                env_files: inner.env_files,
                unknown_args: local_unknown,
            },
            offset,
        ));
    }
    found
}

/// Splits a script into simple statements at newlines, `;`, `&&`, `||` and `|` outside
/// quotes; joins `\`-newline continuations; drops comments. Each statement says whether it
/// follows `||` (it runs only when the one before failed).
fn statements(script: &str) -> Vec<(String, bool, usize)> {
    let mut out = Vec::new();
    let mut after_or = false;
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
            (None, '\n' | ';' | '|' | '&') => {
                let doubled = matches!(c, '|' | '&') && chars.peek().map(|&(_, n)| n) == Some(c);
                if doubled {
                    chars.next();
                }
                out.push((std::mem::take(&mut cur), after_or, start));
                started = false;
                after_or = doubled && c == '|';
            }
            (None, c) => cur.push(c),
        }
        at_word_start = cur.is_empty() || cur.ends_with(char::is_whitespace);
    }
    out.push((cur, after_or, start));
    out.into_iter()
        .map(|(s, or, at)| (s.trim().to_string(), or, at))
        .filter(|(s, _, _)| !s.is_empty())
        .collect()
}

/// Shell words of one statement, quotes removed but `$` expansions kept as written (marked
/// so that single-quoted text is never expanded: a `$` inside single quotes becomes `\u{0}`),
/// each with whether any part of it was quoted: the shell splits what an unquoted `$VAR`
/// expands to into words (`$COMPOSE_CMD up` with `COMPOSE_CMD="docker compose"` runs `docker`
/// `compose` `up`), and never a quoted one.
fn quoted_words(statement: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = statement.chars();
    while let Some(c) = chars.next() {
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
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(if q == '$' { '\u{0}' } else { q });
                }
            }
            '"' => {
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
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
                if let Some(n) = chars.next() {
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

/// Expands `~`, `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` with `vars`; a
/// variable with no value expands to its default or to nothing and is recorded in `unknown`.
fn expand(word: &str, vars: &BTreeMap<String, String>, unknown: &mut Vec<String>) -> String {
    let mut out = String::new();
    let word = match (word.strip_prefix('~'), vars.get("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            out.push_str(home);
            rest
        }
        _ => word,
    };
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{0}' {
            out.push('$');
            continue;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let mut inner = String::new();
            for n in chars.by_ref() {
                if n == '}' {
                    break;
                }
                inner.push(n);
            }
            let (name, default) = match inner.find([':', '-']) {
                Some(at) => {
                    let rest = &inner[at..];
                    let default = rest
                        .strip_prefix(":-")
                        .or_else(|| rest.strip_prefix('-'))
                        .map(str::to_string);
                    (inner[..at].to_string(), default)
                }
                None => (inner.clone(), None),
            };
            match (vars.get(&name).filter(|v| !v.is_empty()), default) {
                (Some(v), _) => out.push_str(v),
                (None, Some(d)) => out.push_str(&expand(&d, vars, unknown)),
                (None, None) => unknown.push(name),
            }
            continue;
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphanumeric() || n == '_' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if name.is_empty() {
            out.push('$');
            continue;
        }
        // `$0`, the script's own path, stays as written (`cd "$(dirname "$0")"`): the
        // callers place it; it is not a variable nobody set.
        if name == "0" {
            out.push_str("$0");
            continue;
        }
        match vars.get(&name) {
            Some(v) => out.push_str(v),
            None => unknown.push(name),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn home() -> BTreeMap<String, String> {
        BTreeMap::from([("HOME".to_string(), "/home/u".to_string())])
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
}
