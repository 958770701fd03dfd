//! `ExecStart=` command lines: argv as `config_parse_exec()` splits it, the special prefixes,
//! and the `$VAR` substitution systemd does when it starts the command.

use super::environment::env_name_is_valid;
use super::words::{extract_word, is_ws, string_is_safe, WS};

#[derive(Debug, Clone, PartialEq)]
pub struct ExecCommand {
    /// `argv[0]` is always the executable path (prefixes stripped). Without `@` the rest are
    /// the arguments after it, so this is the argv the process sees. With `@`, `argv[1]` is
    /// the argv[0] the process sees and the arguments follow it.
    /// Specifiers (`%h`, `%%`) and `$VAR` references are still in the words: expand each with
    /// [`expand_specifiers`](super::expand_specifiers) and then [`expand_exec_variables`], in
    /// that order, as systemd does.
    pub argv: Vec<String>,
    /// The special prefixes of the first word in the order written: any of `@ - : + ! !!`.
    pub prefixes: String,
}

/// Splits an `ExecStart=` value into argv as `config_parse_exec()` does: double and single
/// quotes (opening anywhere in a word), C escapes (`\n \t \\ \" \' \s \xHH \uHHHH \NNN`…;
/// unknown escapes are kept verbatim, as systemd does after warning), a lone `;` separates
/// commands and `\;` is a literal `;` argument.
///
/// Errors are the cases where systemd refuses the line: unbalanced quotes, an empty or
/// malformed executable path, and more than one command (only `Type=oneshot` services may
/// have several, and gateways are not oneshot).
///
/// OpenClaw's own `parseSystemdExecStart` is simpler: only double quotes, `\X` is always `X`
/// (no C escapes), no prefixes, no `;`. The two agree on what OpenClaw renders, except for an
/// argument containing `'` (OpenClaw writes it unquoted; systemd sees an unbalanced quote and
/// refuses the line) or `$` (systemd substitutes variables; see [`expand_exec_variables`]).
pub fn split_exec(value: &str) -> Result<ExecCommand, String> {
    let s = value.as_bytes();
    let mut pos = 0;
    let mut commands = Vec::new();
    while let Some(first) = exec_word(s, &mut pos)? {
        if first == ";" {
            // A lone ";" as the first word only separates (empty) commands.
            continue;
        }
        let (prefixes, path) = split_exec_prefixes(&first);
        check_exec_path(path)?;
        let (args, more) = exec_arguments(s, &mut pos)?;
        commands.push(exec_command(prefixes, path, args)?);
        if !more {
            break;
        }
    }
    match commands.len() {
        0 => Err("empty command line".to_string()),
        1 => Ok(commands.remove(0)),
        n => Err(format!(
            "{n} commands separated by ';'; systemd accepts that only for Type=oneshot services"
        )),
    }
}

/// One word of a command line; unknown escapes are retried relaxed, as
/// `extract_first_word_and_warn()` does.
fn exec_word(s: &[u8], pos: &mut usize) -> Result<Option<String>, String> {
    let saved = *pos;
    let word = extract_word(s, pos, false).or_else(|_| {
        *pos = saved;
        extract_word(s, pos, true)
    });
    match word {
        Ok(w) => Ok(w.map(|w| String::from_utf8_lossy(&w.bytes).into_owned())),
        Err(e) => Err(format!("{e} in command line")),
    }
}

/// The arguments after the executable, up to the end or a lone `;` (then `true`).
fn exec_arguments(s: &[u8], pos: &mut usize) -> Result<(Vec<String>, bool), String> {
    let mut args = Vec::new();
    loop {
        while *pos < s.len() && is_ws(s[*pos]) {
            *pos += 1;
        }
        let ends_word = |i: usize| s.get(i).is_none_or(|&b| is_ws(b));
        match s.get(*pos..*pos + 2).unwrap_or(&s[*pos..]) {
            [b';', ..] if ends_word(*pos + 1) => {
                *pos += 1;
                return Ok((args, true));
            }
            [b'\\', b';'] if ends_word(*pos + 2) => {
                *pos += 2;
                args.push(";".to_string());
                continue;
            }
            _ => {}
        }
        match exec_word(s, pos)? {
            Some(word) => args.push(word),
            None => return Ok((args, false)),
        }
    }
}

/// Strips the leading special characters of the first word, each accepted once, with the
/// same exclusions as systemd (`+`, `!` and `!!` do not combine).
fn split_exec_prefixes(word: &str) -> (String, &str) {
    let (mut ignore, mut argv0, mut no_env) = (false, false, false);
    let (mut full, mut no_setuid, mut ambient) = (false, false, false);
    for (i, c) in word.char_indices() {
        match c {
            '-' if !ignore => ignore = true,
            '@' if !argv0 => argv0 = true,
            ':' if !no_env => no_env = true,
            '+' if !(full || no_setuid || ambient) => full = true,
            '!' if !(full || no_setuid || ambient) => no_setuid = true,
            '!' if !(full || ambient) => {
                no_setuid = false;
                ambient = true;
            }
            _ => return (word[..i].to_string(), &word[i..]),
        }
    }
    (word.to_string(), "")
}

/// The executable checks of `config_parse_exec()` that do not need the file system.
fn check_exec_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty executable path".to_string());
    }
    if !string_is_safe(path) {
        return Err(format!(
            "executable path contains special characters: {}",
            crate::redact::shown_quoted(crate::redact::Kind::Path, path)
        ));
    }
    if path.ends_with('/') {
        return Err(format!("executable path is a directory: {path}"));
    }
    // `%h/bin/start.sh`: systemd expands specifiers before it checks the path, and `%h`,
    // `%t`, `%S`... are absolute.
    let valid = if path.starts_with('/') || path.starts_with('%') {
        path.len() < 4096 && path.split('/').all(|part| part.len() <= 255)
    } else {
        !path.contains('/') && path != "." && path != ".." && path.len() <= 255
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "neither a valid executable name nor an absolute path: {path}"
        ))
    }
}

fn exec_command(prefixes: String, path: &str, args: Vec<String>) -> Result<ExecCommand, String> {
    if prefixes.contains('@') && args.is_empty() {
        return Err("'@' prefix without the argv[0] that must follow the path".to_string());
    }
    let mut argv = vec![path.to_string()];
    argv.extend(args);
    Ok(ExecCommand { argv, prefixes })
}

/// Substitutes environment variables in an `ExecStart=` argv the way systemd does at start
/// (systemd.service(7) "Command lines"): a word that is `$NAME` becomes the value split at
/// whitespace (zero or more words; quotes inside the value are not interpreted here), `${NAME}`
/// inside a word is replaced by the value, `$$` is a literal `$`, and unset variables are
/// empty. `${NAME:-default}` and `${NAME:+alt}` (systemd 254+) are honoured. The executable
/// (`argv[0]`) is left alone, as systemd does. Skip this for commands with the `:` prefix.
/// OpenClaw does no such substitution: it reads `--port ${P}` as an invalid port.
pub fn expand_exec_variables(argv: &[String], env: &[(String, String)]) -> Vec<String> {
    // The last assignment of a name wins. A map, so that a long command of references over a
    // long environment (both come from files) costs their sum, not their product.
    let values: std::collections::HashMap<&str, &str> =
        env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let lookup = |name: &str| values.get(name).copied();
    let mut out: Vec<String> = argv.iter().take(1).cloned().collect();
    for arg in argv.iter().skip(1) {
        match arg.strip_prefix('$').filter(|n| !n.starts_with(['{', '$'])) {
            // Like systemd, an invalid name here gives no words at all.
            Some(name) => out.extend(
                lookup(name)
                    .filter(|_| env_name_is_valid(name))
                    .unwrap_or("")
                    .split(WS)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            ),
            None => out.push(replace_braced_variables(arg, &lookup)),
        }
    }
    out
}

/// The variables [`expand_exec_variables`] substitutes in `argv` (after `argv[0]`), each
/// once, in order, as written: `$NAME` (a whole word) or `${NAME}` (anywhere in a word; the
/// name before a `:-` or `:+`). `$NAME` inside a longer word and `$$` are left as they are.
pub fn exec_variables(argv: &[String]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |name: &str, written: String| {
        if seen.insert(name.to_string()) {
            found.push((name.to_string(), written));
        }
    };
    for arg in argv.iter().skip(1) {
        if let Some(name) = arg.strip_prefix('$').filter(|n| !n.starts_with(['{', '$'])) {
            // An invalid name gives no words whatever is set.
            if env_name_is_valid(name) {
                add(name, arg.clone());
            }
            continue;
        }
        let mut rest = arg.as_str();
        while let Some(i) = rest.find('$') {
            let after = &rest[i + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                rest = tail;
            } else if let Some((expr, tail)) =
                after.strip_prefix('{').and_then(|a| a.split_once('}'))
            {
                let name = expr
                    .split_once(":-")
                    .or_else(|| expr.split_once(":+"))
                    .map_or(expr, |(name, _)| name);
                add(name, format!("${{{expr}}}"));
                rest = tail;
            } else {
                rest = after;
            }
        }
    }
    found
}

fn replace_braced_variables<'a>(word: &str, lookup: &impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((expr, tail)) = after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            out.push_str(&braced_value(expr, lookup));
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn braced_value<'a>(expr: &str, lookup: &impl Fn(&str) -> Option<&'a str>) -> String {
    if let Some((name, default)) = expr.split_once(":-") {
        let value = lookup(name).unwrap_or("");
        return if value.is_empty() { default } else { value }.to_string();
    }
    if let Some((name, alternate)) = expr.split_once(":+") {
        let set = lookup(name).is_some_and(|v| !v.is_empty());
        return if set { alternate } else { "" }.to_string();
    }
    lookup(expr).unwrap_or("").to_string()
}
