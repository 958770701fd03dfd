//! Which spans of a file are known to be safe to show, for the files clawlint reads as text
//! rather than as a tree it keeps: `.env` and environment files, systemd units, LaunchAgent
//! plists, Windows `gateway.cmd` scripts, and config files that do not parse.
//!
//! Each scanner returns the spans it knows to be safe: keys, punctuation, section headers, tags,
//! and values that [`super::hidden_parts`] lets through for their key. Everything else (a
//! line it does not understand, a comment, a value under an unknown key, the argument after
//! an unknown flag) is left out, so it is masked. Scanners only look at text: they never
//! decide what the file means, and a line they misread is masked, never shown.

use super::{each_hidden_part, fits, hidden_parts, is_env_reference, Kind};
use crate::load::json5::Span;

mod powershell;
pub use powershell::powershell;

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end)
}

/// Pushes the shown parts of `value` (at `base` in the file) as a value under `key`.
fn push_value(out: &mut Vec<Span>, key: Option<&str>, value: &str, base: usize) {
    let mut at = 0;
    each_hidden_part(key, value, |start, end| {
        if start > at {
            out.push(span(base + at, base + start));
        }
        at = at.max(end);
    });
    if at < value.len() {
        out.push(span(base + at, base + value.len()));
    }
}

/// A word that starts as a path does (`/`, `~`, `.`, a systemd specifier such as `%h`) and
/// has the shape of one.
fn is_spelt_path(word: &str) -> bool {
    word.starts_with(['/', '~', '.', '%'])
        && !word.contains(char::is_whitespace)
        && fits(Kind::PathLike, word)
}

/// A value made only of systemd specifiers (`%i`, `%I`): what systemd puts there comes from
/// the unit's own name, which is shown anyway.
fn is_specifiers(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len().is_multiple_of(2)
        && bytes
            .chunks(2)
            .all(|pair| pair[0] == b'%' && pair[1].is_ascii_alphabetic())
}

/// Like [`push_value`] for a value of a known kind.
fn push_kind(out: &mut Vec<Span>, kind: Kind, value: &str, base: usize) {
    if kind == Kind::Url {
        push_value(out, Some("url"), value, base);
    } else if fits(kind, value)
        || is_env_reference(value)
        || defaulted_reference(kind, value)
        || is_specifiers(value)
    {
        out.push(span(base, base + value.len()));
    }
}

/// `${NAME:-DEFAULT}` or `${NAME-DEFAULT}` whose default is itself a value of `kind` (compose's
/// `--port ${OPENCLAW_GATEWAY_PORT:-18789}`): the name and the default are both shown.
fn defaulted_reference(kind: Kind, value: &str) -> bool {
    let Some(inner) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) else {
        return false;
    };
    let Some((name, default)) = inner.split_once(":-").or_else(|| inner.split_once('-')) else {
        return false;
    };
    is_env_reference(&format!("${{{name}}}")) && fits(kind, default)
}

/// A word without the quotes around it (when both ends have the same quote), and the offset
/// of what is inside.
fn unquote(raw: &str) -> (&str, usize) {
    for q in ['"', '\'', '`'] {
        if raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) {
            return (&raw[1..raw.len() - 1], 1);
        }
    }
    (raw, 0)
}

/// Pushes a possibly quoted value: its quotes are shown, what is inside as [`push_value`].
fn push_quoted(out: &mut Vec<Span>, key: Option<&str>, raw: &str, base: usize) {
    let (inner, offset) = unquote(raw);
    if offset > 0 {
        out.push(span(base, base + 1));
        out.push(span(base + raw.len() - 1, base + raw.len()));
    }
    push_value(out, key, inner, base + offset);
}

/// Lines with their offsets, without the line break (nor a `\r` before it).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

/// Whitespace-separated words of a command or assignment list, as byte ranges; quotes
/// (`"`, `'`, `` ` ``) and `$( … )` group (as the shell reads them: `$(pass show a b)` is one
/// word), a backslash escapes the next character.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut nest = Nest::default();
    for (i, c) in text.char_indices() {
        if start.is_none() && c.is_whitespace() {
            continue;
        }
        let at = *start.get_or_insert(i);
        if nest.is_empty() && c.is_whitespace() && !nest.escaped {
            out.push((at, i));
            start = None;
            continue;
        }
        nest.step(text, i, c);
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The quotes and command substitutions open at a point of a shell line: `'…'`, `"…"`,
/// `` `…` ``, `$( … )` (and the parentheses inside one), each inside the one before.
#[derive(Default)]
struct Nest {
    open: Vec<u8>,
    /// The character before was an unquoted or double-quoted backslash.
    escaped: bool,
}

impl Nest {
    fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Reads `c`, at `i` of `text`.
    fn step(&mut self, text: &str, i: usize, c: char) {
        if std::mem::take(&mut self.escaped) {
            return;
        }
        let top = self.open.last().copied();
        if top == Some(b'\'') {
            if c == '\'' {
                self.open.pop();
            }
            return;
        }
        match c {
            '\\' => self.escaped = true,
            '"' | '`' if top == Some(c as u8) => {
                self.open.pop();
            }
            ')' if top == Some(b'(') => {
                self.open.pop();
            }
            '"' | '`' => self.open.push(c as u8),
            '\'' if top != Some(b'"') => self.open.push(b'\''),
            '(' if top == Some(b'(') || text[..i].ends_with('$') => self.open.push(b'('),
            _ => {}
        }
    }
}

/// The command substitutions of a word (`$( … )`, `` `…` ``), outermost only, as byte
/// ranges of the word: where each opens, where its text starts and ends, and where it
/// closes (the word's end when it does not).
fn substitutions(word: &str) -> Vec<[usize; 4]> {
    let mut out = Vec::new();
    let mut nest = Nest::default();
    let mut opened: Option<usize> = None;
    for (i, c) in word.char_indices() {
        let depth = nest.open.len();
        let outer = nest.open.iter().all(|&q| q == b'"');
        nest.step(word, i, c);
        let now = nest.open.len();
        match opened {
            None if now > depth && outer && matches!(nest.open.last(), Some(b'(' | b'`')) => {
                let inner = i + 1;
                let open = if c == '(' { i - 1 } else { i };
                opened = Some(open);
                out.push([open, inner, word.len(), word.len()]);
            }
            Some(_) if now < depth && nest.open.iter().all(|&q| q == b'"') => {
                opened = None;
                if let Some(last) = out.last_mut() {
                    last[2] = i;
                    last[3] = i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    out
}

/// Shows what `push` shows of `raw` (a word at `base`), but for the text of its command
/// substitutions: a command's output is what the word holds, and its arguments may be a
/// secret (`$(pass show …)`, `$(echo hunter2)`) whatever they look like. `push` is given the
/// word with that text blanked (`x`s, so that it decides on the rest); of each
/// substitution, `$(`, `)` and the command's name are shown.
fn without_substitutions<R>(
    out: &mut Vec<Span>,
    raw: &str,
    base: usize,
    push: impl FnOnce(&mut Vec<Span>, &str) -> R,
) -> R {
    if !raw.bytes().any(|b| matches!(b, b'$' | b'`')) {
        return push(out, raw);
    }
    let holes = substitutions(raw);
    if holes.is_empty() {
        return push(out, raw);
    }
    let mut blanked = raw.as_bytes().to_vec();
    for h in &holes {
        blanked[h[1]..h[2]].fill(b'x');
    }
    // Whole characters were replaced by as many ASCII bytes: still UTF-8.
    let blanked = String::from_utf8(blanked).unwrap_or_default();
    let from = out.len();
    let result = push(out, &blanked);
    let inner: Vec<(usize, usize)> = holes.iter().map(|h| (base + h[1], base + h[2])).collect();
    let pushed: Vec<Span> = out.drain(from..).collect();
    for shown in pushed {
        // The holes a span may meet start with the first that ends after it starts.
        let mut at = shown.start();
        let first = inner.partition_point(|&(_, end)| end <= shown.start());
        for &(start, end) in &inner[first..] {
            if start >= shown.end() {
                break;
            }
            if start > at {
                out.push(span(at, start));
            }
            at = at.max(end);
        }
        if at < shown.end() {
            out.push(span(at, shown.end()));
        }
    }
    push_substitutions(out, raw, base, &holes, 0);
    result
}

/// How deep substitutions inside substitutions are read; deeper, their text is masked.
const MAX_SUBSTITUTION_DEPTH: usize = 8;

/// Shows what is safe of the command substitutions `holes` of `raw` (a word at `base`):
/// `$(` and `)`, and of the text they run ([`push_substituted`]).
fn push_substitutions(
    out: &mut Vec<Span>,
    raw: &str,
    base: usize,
    holes: &[[usize; 4]],
    depth: usize,
) {
    for &[open, start, end, close] in holes {
        out.push(span(base + open, base + start));
        out.push(span(base + end, base + close));
        if depth < MAX_SUBSTITUTION_DEPTH {
            push_substituted(out, &raw[start..end], base + start, depth + 1);
        }
    }
}

/// The text a command substitution runs (`text`, at `base`): its commands' names, the
/// operators between them and the words that only name a variable (`"$0"`, `$HOME`) are
/// shown, and the substitutions in its words read alike; every other word is masked, as an
/// argument there may be a secret whatever it looks like.
fn push_substituted(out: &mut Vec<Span>, text: &str, base: usize, depth: usize) {
    let mut command_next = true;
    for (s, e) in words(text) {
        let word = &text[s..e];
        if matches!(word, "&&" | "||" | "|" | ";") {
            out.push(span(base + s, base + e));
            command_next = true;
            continue;
        }
        let plain = word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'));
        if std::mem::take(&mut command_next) && plain && fits(Kind::Path, word) {
            out.push(span(base + s, base + e));
            continue;
        }
        let (inner, offset) = unquote(word);
        if offset > 0 && word.starts_with('"') {
            out.push(span(base + s, base + s + 1));
            out.push(span(base + e - 1, base + e));
        }
        if names_a_variable(inner) {
            out.push(span(base + s, base + e));
            continue;
        }
        if word.contains(['$', '`']) {
            push_substitutions(out, word, base + s, &substitutions(word), depth);
        }
    }
}

/// A word that is only a variable's value: `$NAME`, `${NAME}`, `$0`, `$@`,
/// `${BASH_SOURCE[0]}` (not `${NAME:-default}`, whose default is text).
fn names_a_variable(word: &str) -> bool {
    let Some(name) = word.strip_prefix('$') else {
        return false;
    };
    let name = match name.strip_prefix('{') {
        Some(braced) => match braced.strip_suffix('}') {
            Some(inner) => inner,
            None => return false,
        },
        None => name,
    };
    matches!(name, "@" | "*" | "#" | "?")
        || (!name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'[' | b']')))
}

/// A comment's body is a clawlint directive (shown: clawlint wrote its grammar).
fn is_directive(body: &str) -> bool {
    crate::source::directive::parse_directive(body).is_some()
}

/// An environment variable's name as shells and systemd accept it.
fn is_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `KEY=value` (a word of `Environment=`, `env KEY=value`, `set "KEY=value"`): the name and
/// `=` are shown, the value as a value under that name.
fn push_assignment(out: &mut Vec<Span>, raw: &str, base: usize) -> bool {
    let (inner, offset) = unquote(raw);
    let Some((key, value)) = inner.split_once('=') else {
        return false;
    };
    if !is_env_name(key) {
        return false;
    }
    if offset > 0 {
        out.push(span(base, base + 1));
        out.push(span(base + raw.len() - 1, base + raw.len()));
    }
    let key_start = base + offset;
    push_key(out, key, key_start);
    out.push(span(key_start + key.len(), key_start + key.len() + 1));
    push_quoted(out, Some(key), value, key_start + key.len() + 1);
    true
}

/// Shows a key at `at`, unless it looks like a secret or is too long to read
/// ([`super::shows_key`]).
fn push_key(out: &mut Vec<Span>, key: &str, at: usize) {
    if super::shows_key(key) {
        out.push(span(at, at + key.len()));
    }
}

// Command lines.

/// What a gateway command line's flags take: `Some(kind)` for a flag whose value is known to be
/// safe, `None` for a switch. Unknown flags are not listed: the word after one is masked.
fn flag_kind(name: &str) -> Option<Option<Kind>> {
    Some(match name {
        "--port" | "--cdp-port" => Some(Kind::Port),
        "--bind" | "--host" => Some(Kind::Host),
        "--profile" | "--tailscale" | "--auth" | "--log-level" | "--ws-log" => Some(Kind::Word),
        "--config" | "--state-dir" | "--workspace" | "--cwd" | "--chdir" => Some(Kind::Path),
        // docker compose's.
        "--file" | "--project-directory" => Some(Kind::Path),
        // Node's own options before the script.
        "--max-old-space-size" | "--stack-size" => Some(Kind::Number),
        "--require" | "--import" | "--env-file" | "--env-file-if-exists" => Some(Kind::Path),
        "--dev"
        | "--allow-unconfigured"
        | "--force"
        | "--verbose"
        | "--compact"
        | "--reset"
        | "--raw-stream"
        | "--no-color"
        | "--json" => None,
        _ if name.starts_with("--windows-task") => None,
        _ => return None,
    })
}

/// Words of a command line that are never secret. A `match`, not a list searched: each word
/// of every command line is asked, and the compiler compares by length first.
fn is_known_command_word(word: &str) -> bool {
    matches!(
        word,
        "gateway"
            | "run"
            | "start"
            | "node"
            | "bun"
            | "deno"
            | "openclaw"
            | "clawdbot"
            | "exec"
            | "env"
            | "npx"
            | "pnpm"
            | "npm"
            | "sh"
            | "bash"
            | "zsh"
            | "caffeinate"
            | "nice"
            | "sudo"
            | "docker"
            | "podman"
            | "compose"
            | "docker-compose"
            | "podman-compose"
            | "up"
            | "down"
            | "pull"
            | "<"
            | "NUL"
            | "&&"
            | ";"
            | "|"
            | "cd"
    )
}

/// Reads a command line word by word: the program, paths, known subcommands, flags and the
/// values of the flags clawlint knows are shown; the word after an unknown flag
/// (`--password X`, `-H X`) and any other word are masked.
#[derive(Default)]
pub struct Argv {
    started: bool,
    /// What the previous word (a flag) says this one is: `Some(Some(kind))` a known value,
    /// `Some(None)` a value of an unknown flag.
    pending: Option<Option<Kind>>,
    /// The program is a shell: its `-c` argument is a command line of its own.
    shell: bool,
    /// The previous word was a shell's `-c`.
    script: bool,
    /// `compose` was a word: `-f` takes a file and `-p` a project name.
    compose: bool,
    /// The program is `docker` or `podman`.
    runner: bool,
    /// Between `docker run` (or `podman run`) and its image: the CLI's own options.
    run_options: bool,
    /// The previous word was `-e`/`--env` or `--mount` of a `run`: this one is its value.
    pending_run: Option<RunValue>,
}

/// A value of `docker run` that is read field by field.
#[derive(Clone, Copy)]
enum RunValue {
    /// `NAME[=value]`.
    Env,
    /// `type=bind,source=…,target=…`.
    Mount,
}

impl Argv {
    /// Shows what is safe of the next word of the command line (`raw`, at `base`); what a
    /// command substitution in it runs is masked ([`without_substitutions`]).
    pub fn word(&mut self, out: &mut Vec<Span>, raw: &str, base: usize) {
        without_substitutions(out, raw, base, |out, word| self.plain_word(out, word, base));
    }

    fn plain_word(&mut self, out: &mut Vec<Span>, raw: &str, base: usize) {
        let (inner, offset) = unquote(raw);
        if offset > 0 {
            out.push(span(base, base + 1));
            out.push(span(base + raw.len() - 1, base + raw.len()));
        }
        let at = base + offset;
        let first = !self.started;
        self.started = true;
        if std::mem::take(&mut self.script) {
            self.pending = None;
            return push_command(out, &mut Argv::default(), inner, at);
        }
        if self.pending.is_none() && inner == "compose" {
            self.compose = true;
        }
        if first || is_known_command_word(inner) {
            let program = inner.rsplit(['/', '\\']).next().unwrap_or(inner);
            self.shell = matches!(program, "sh" | "bash" | "zsh" | "dash");
            if matches!(program, "docker" | "podman") {
                self.runner = true;
            } else if self.runner && program == "run" && self.pending.is_none() {
                // Once: a `run` in the container's command is its own.
                self.runner = false;
                self.run_options = true;
                out.push(span(at, at + inner.len()));
                return;
            }
        }
        if self.run_options && self.run_option(out, inner, at) {
            return;
        }
        if self.shell && inner == "-c" {
            out.push(span(at, at + 2));
            self.script = true;
            return;
        }
        match self.pending.take() {
            Some(Some(kind)) => return push_kind(out, kind, inner, at),
            Some(None) if !inner.starts_with('-') => {
                // A short option's value may be a secret (`-H "X-Token: …"`, `-p hunter2`);
                // one spelt as a path (`mkdir -p %h/.openclaw-%i/logs`) is not.
                if is_env_reference(inner) || is_spelt_path(inner) {
                    out.push(span(at, at + inner.len()));
                }
                return;
            }
            _ => {}
        }
        if let Some(flag) = inner.strip_prefix("--") {
            let (name, value) = match flag.split_once('=') {
                Some((name, value)) => (&inner[..name.len() + 2], Some(value)),
                None => (inner, None),
            };
            if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return;
            }
            out.push(span(at, at + name.len()));
            let value_at = at + name.len() + 1;
            match (flag_kind(name), value) {
                (Some(Some(kind)), Some(value)) => {
                    out.push(span(value_at - 1, value_at));
                    push_kind(out, kind, value, value_at);
                }
                (Some(Some(kind)), None) => self.pending = Some(Some(kind)),
                (Some(None), _) => {}
                (None, Some(_)) => out.push(span(value_at - 1, value_at)),
                (None, None) => self.pending = Some(None),
            }
        } else if inner.len() > 1
            && inner.len() <= 4
            && inner.starts_with('-')
            && inner[1..].bytes().all(|b| b.is_ascii_alphabetic())
        {
            // A short option (`-H`, `-fsS`): its letters are shown, the next word is not
            // (but for compose's `-f FILE` and `-p NAME`).
            out.push(span(at, at + inner.len()));
            self.pending = Some(match (self.compose, inner) {
                (true, "-f") => Some(Kind::Path),
                (true, "-p") => Some(Kind::Word),
                _ => None,
            });
        } else if is_env_reference(inner) || is_known_command_word(inner) {
            out.push(span(at, at + inner.len()));
        } else if super::scheme_separator(inner).is_some() {
            push_kind(out, Kind::Url, inner, at);
        } else if (first && fits(Kind::Path, inner)) || fits(Kind::PathLike, inner) {
            out.push(span(at, at + inner.len()));
        } else {
            push_assignment(out, inner, at);
        }
    }
}

impl Argv {
    /// A word of `docker run`'s (or `podman run`'s) options, before the image: the flags and
    /// the values known to name no secret (ports, paths, names) are shown, `-e NAME=value` as
    /// an assignment; the image ends the options. `false`: a word for the general reading
    /// (a value owed to an earlier flag).
    fn run_option(&mut self, out: &mut Vec<Span>, inner: &str, at: usize) -> bool {
        match self.pending_run.take() {
            Some(RunValue::Env) => {
                if !push_assignment(out, inner, at) && is_env_name(inner) {
                    out.push(span(at, at + inner.len()));
                }
                return true;
            }
            Some(RunValue::Mount) => {
                push_mount(out, inner, at);
                return true;
            }
            None => {}
        }
        if self.pending.is_some() {
            return false;
        }
        let (flag, value, value_at) = if let Some(long) = inner.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => (name, Some(value), at + 3 + name.len()),
                None => (long, None, 0),
            }
        } else if let Some(letters) = inner.strip_prefix('-').filter(|l| !l.is_empty()) {
            let Some(i) = letters.find(|c: char| !matches!(c, 'd' | 'i' | 't' | 'P' | 'q')) else {
                out.push(span(at, at + inner.len()));
                return true;
            };
            let (letter, rest) = letters[i..].split_at(1);
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            let long = crate::discover::container_run::long_name(letter);
            let value_at = at + inner.len() - rest.len();
            (
                long.unwrap_or("?"),
                (!rest.is_empty()).then_some(rest),
                value_at,
            )
        } else {
            // The image: what follows is the container's command.
            self.run_options = false;
            push_kind(out, Kind::Name, inner, at);
            return true;
        };
        let flag_end = match value {
            Some(_) => value_at,
            None => at + inner.len(),
        };
        out.push(span(at, flag_end));
        if crate::discover::container_run::takes_no_value(flag) {
            return true;
        }
        let kind = match flag {
            "publish" | "volume" | "env-file" | "workdir" | "cidfile" => Some(Kind::Path),
            "name" | "network" | "net" | "hostname" | "user" | "restart" | "pull" | "platform"
            | "entrypoint" | "pod" | "userns" | "ipc" | "pid" | "runtime" => Some(Kind::Name),
            "memory" | "cpus" | "cpu-shares" | "shm-size" | "pids-limit" | "stop-timeout" => {
                Some(Kind::Word)
            }
            "mount" => {
                match value {
                    Some(value) => push_mount(out, value, value_at),
                    None => self.pending_run = Some(RunValue::Mount),
                }
                return true;
            }
            "env" => {
                match value {
                    Some(value) => {
                        push_assignment(out, value, value_at);
                    }
                    None => self.pending_run = Some(RunValue::Env),
                }
                return true;
            }
            _ => None,
        };
        match (kind, value) {
            (Some(kind), Some(value)) => push_kind(out, kind, value, value_at),
            (None, Some(_)) => {}
            (kind, None) => self.pending = Some(kind),
        }
        true
    }
}

/// `--mount type=bind,source=/srv/a,target=/home/node/.openclaw,readonly`: shown when every
/// field is one of the mount's own keys with a path for its value.
fn push_mount(out: &mut Vec<Span>, value: &str, at: usize) {
    let plain = value.split(',').all(|field| {
        let (key, v) = field.split_once('=').unwrap_or((field, "true"));
        matches!(
            key,
            "type" | "source" | "src" | "target" | "destination" | "dst" | "readonly" | "ro"
        ) && fits(Kind::Path, v)
    });
    if plain {
        out.push(span(at, at + value.len()));
    }
}

/// Shows what is safe in a command line (`at` in the file).
fn push_command(out: &mut Vec<Span>, argv: &mut Argv, line: &str, at: usize) {
    for (start, end) in words(line) {
        argv.word(out, &line[start..end], at + start);
    }
}

// File types.

/// `.env` files, systemd `EnvironmentFile=`s and OpenClaw's launchd wrapper env files:
/// `[export] KEY=value` (or dotenv's `KEY: value`) shows the key, and the value when it is
/// known to be safe. Comments, malformed lines and multi-line values are masked.
pub fn env_lines(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open_quote: Option<char> = None;
    for (start, line) in lines(text) {
        if let Some(q) = open_quote {
            if line.contains(q) {
                open_quote = None;
            }
            continue;
        }
        let body = line.trim_start();
        let mut at = start + line.len() - body.len();
        if let Some(comment) = body.strip_prefix('#') {
            let end = if is_directive(comment) { body.len() } else { 1 };
            out.push(span(at, at + end));
            continue;
        }
        let mut rest = body;
        if let Some(after) = rest.strip_prefix("export ") {
            out.push(span(at, at + "export".len()));
            let trimmed = after.trim_start();
            at += rest.len() - trimmed.len();
            rest = trimmed;
        }
        let key_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            .count();
        let after_key = rest[key_len..].trim_start_matches([' ', '\t']);
        if key_len == 0 || !after_key.starts_with(['=', ':']) {
            continue;
        }
        let key = &rest[..key_len];
        let separator = at + rest.len() - after_key.len();
        push_key(&mut out, key, at);
        out.push(span(separator, separator + 1));
        let value = after_key[1..].trim_start_matches([' ', '\t']);
        let value_at = separator + 1 + (after_key.len() - 1 - value.len());
        match value.chars().next() {
            Some(q @ ('"' | '\'' | '`')) => match closing(&value[1..], q) {
                Some(close) => push_quoted(&mut out, Some(key), &value[..close + 2], value_at),
                None => open_quote = Some(q),
            },
            _ => {
                // The first ` #`, else the first tab and `#`: a byte scan each (a substring
                // searcher set up twice for every value of every `.env` line cost more than
                // the scan).
                let end = comment_after(value, b' ')
                    .or_else(|| comment_after(value, b'\t'))
                    .unwrap_or(value.len());
                push_value(&mut out, Some(key), value[..end].trim_end(), value_at);
            }
        }
    }
    out
}

/// Where `blank` followed by `#` first is in `value` (the start of a comment after a value):
/// the `#`s found by a byte search (most values have none), each checked for `blank` before it.
fn comment_after(value: &str, blank: u8) -> Option<usize> {
    let bytes = value.as_bytes();
    memchr::memchr_iter(b'#', bytes)
        .find(|&at| at > 0 && bytes[at - 1] == blank)
        .map(|at| at - 1)
}

/// The offset of the closing quote `q` in `body`, honouring backslash escapes in `"`.
fn closing(body: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if c == q && !escaped {
            return Some(i);
        }
        escaped = q == '"' && c == '\\' && !escaped;
    }
    None
}

/// Unit directives whose values name units, policies, times and exit codes: never secret.
const UNIT_SAFE: &[&str] = &[
    "Description",
    "After",
    "Before",
    "Wants",
    "Requires",
    "Requisite",
    "BindsTo",
    "PartOf",
    "Conflicts",
    "WantedBy",
    "RequiredBy",
    "Alias",
    "Also",
    "Type",
    "Restart",
    "RestartSec",
    "RestartPreventExitStatus",
    "RestartForceExitStatus",
    "SuccessExitStatus",
    "KillMode",
    "KillSignal",
    "TimeoutStartSec",
    "TimeoutStopSec",
    "TimeoutSec",
    "StartLimitIntervalSec",
    "StartLimitBurst",
    "Nice",
    "UMask",
    "SyslogIdentifier",
    "StandardOutput",
    "StandardError",
    "StandardInput",
    "UnsetEnvironment",
    "NoNewPrivileges",
    "PrivateTmp",
    "ProtectSystem",
    "ProtectHome",
    "LimitNOFILE",
    "MemoryMax",
    "CPUQuota",
    "DynamicUser",
    "Slice",
    "RemainAfterExit",
    "ExitType",
    "User",
    "Group",
    "PIDFile",
    "ConditionPathExists",
    "OOMPolicy",
    "OOMScoreAdjust",
    "CPUWeight",
    "IOWeight",
    "TasksMax",
    "LimitNPROC",
    // Quadlet `[Container]` keys.
    "Image",
    "ContainerName",
    "PublishPort",
    "Network",
    "Volume",
    "Pod",
    "HostName",
    "AutoUpdate",
    "Pull",
    "Timezone",
    "UserNS",
];

/// What the lines of a directive continued with `\` are.
enum Continued {
    Command(Argv),
    Environment,
    Masked,
}

/// systemd units: section headers, directive names, the values of directives that are never
/// secret, `Environment=` assignments (values by their names) and `Exec*=` command lines
/// (see [`Argv`]). Comments and every other value (`SetCredential=`, ...) are masked.
pub fn unit(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut continued: Option<Continued> = None;
    for (start, line) in lines(text) {
        let body = line.trim_start();
        let at = start + line.len() - body.len();
        if let Some(comment) = body.strip_prefix(['#', ';']) {
            let end = if is_directive(comment) { body.len() } else { 1 };
            out.push(span(at, at + end));
            continue;
        }
        let (content, continues) = match body.strip_suffix('\\') {
            Some(content) => (content, true),
            None => (body, false),
        };
        if continues {
            out.push(span(at + content.len(), at + body.len()));
        }
        if let Some(mut how) = continued.take() {
            match &mut how {
                Continued::Command(argv) => push_command(&mut out, argv, content, at),
                Continued::Environment => push_environment(&mut out, content, at),
                Continued::Masked => {}
            }
            if continues {
                continued = Some(how);
            }
            continue;
        }
        if let Some(section) = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
            out.push(span(at, at + 1));
            push_key(&mut out, section, at + 1);
            out.push(span(at + body.len() - 1, at + body.len()));
            continue;
        }
        let Some((key, _)) = content.split_once('=') else {
            continue;
        };
        let key = key.trim_end();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let eq = at + content.find('=').unwrap_or(0);
        push_key(&mut out, key, at);
        out.push(span(at + key.len(), eq + 1));
        let raw = &content[eq + 1 - at..];
        let value = raw.trim_start();
        let value_at = eq + 1 + raw.len() - value.len();
        let how = if key == "Environment" {
            push_environment(&mut out, value, value_at);
            Continued::Environment
        } else if key.starts_with("Exec") && key != "ExecSearchPath" {
            let prefixes = value
                .bytes()
                .take_while(|b| matches!(b, b'-' | b'@' | b':' | b'+' | b'!'))
                .count();
            out.push(span(value_at, value_at + prefixes));
            let mut argv = Argv::default();
            push_command(&mut out, &mut argv, &value[prefixes..], value_at + prefixes);
            Continued::Command(argv)
        } else if key == "Documentation" {
            for (s, e) in words(value) {
                push_kind(&mut out, Kind::Url, &value[s..e], value_at + s);
            }
            Continued::Masked
        } else if UNIT_SAFE.contains(&key) {
            push_kind(&mut out, Kind::Name, value.trim_end(), value_at);
            Continued::Masked
        } else {
            let path = value.trim_start_matches('-');
            push_value(
                &mut out,
                Some(key),
                path.trim_end(),
                value_at + value.len() - path.len(),
            );
            Continued::Masked
        };
        if continues {
            continued = Some(how);
        }
    }
    out
}

/// `Environment=` words: each `KEY=value`, the value by its name.
fn push_environment(out: &mut Vec<Span>, value: &str, at: usize) {
    for (s, e) in words(value) {
        push_assignment(out, &value[s..e], at + s);
    }
}

/// LaunchAgent plists (XML): tags and `<key>`s are shown; a value is shown when its key says
/// it is safe (`Label`, `WorkingDirectory`, an `EnvironmentVariables` entry by its name),
/// `ProgramArguments` as a command line ([`Argv`]). Comments and other values are masked.
pub fn plist(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    // Open containers: whether each is an array, and the key it is the value of.
    let mut stack: Vec<(bool, Option<String>)> = Vec::new();
    let mut last_key: Option<String> = None;
    let mut element: Option<String> = None;
    let mut argv = Argv::default();
    let mut pos = 0;
    while let Some(open) = text[pos..].find('<').map(|i| pos + i) {
        let content = &text[pos..open];
        if !content.trim().is_empty() {
            match element.as_deref() {
                Some("key") => {
                    out.push(span(pos, open));
                    last_key = Some(content.trim().to_string());
                }
                Some(_) => match stack.last() {
                    Some((true, Some(context))) if context == "ProgramArguments" => {
                        argv.word(&mut out, content, pos)
                    }
                    Some((true, _)) => {}
                    _ => push_value(&mut out, last_key.as_deref(), content, pos),
                },
                None => {}
            }
        }
        if text[open..].starts_with("<!--") {
            pos = text[open..]
                .find("-->")
                .map_or(text.len(), |i| open + i + 3);
            continue;
        }
        let Some(close) = text[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        out.push(span(open, close));
        let tag = &text[open + 1..close - 1];
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag.starts_with(['?', '!']) || self_closing {
        } else if let Some(closing_tag) = tag.strip_prefix('/') {
            let _ = closing_tag;
            if name == "dict" || name == "array" {
                stack.pop();
            }
            element = None;
        } else if name == "dict" || name == "array" {
            let is_array = name == "array";
            if is_array {
                argv = Argv::default();
            }
            stack.push((is_array, last_key.take()));
        } else {
            element = Some(name);
        }
        pos = close;
    }
    out
}

/// Windows `gateway.cmd` scripts: `@echo off`, `set "KEY=value"` (values by their names),
/// `cd /d DIR` and the command line ([`Argv`]); `rem` comments are masked.
pub fn cmd_script(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for (start, line) in lines(text) {
        let body = line.trim();
        let at = start + line.len() - line.trim_start().len();
        let lower = body.to_ascii_lowercase();
        if body.is_empty() || lower == "rem" || lower.starts_with("rem ") || body.starts_with("::")
        {
            continue;
        }
        if lower.starts_with("@echo") {
            out.push(span(at, at + body.len()));
        } else if lower.starts_with("set ") {
            out.push(span(at, at + 3));
            let rest = body[4..].trim_start();
            push_assignment(&mut out, rest, at + body.len() - rest.len());
        } else if lower.starts_with("cd /d ") {
            out.push(span(at, at + 5));
            let rest = body[6..].trim_start();
            push_quoted(&mut out, Some("dir"), rest, at + body.len() - rest.len());
        } else {
            push_command(&mut out, &mut Argv::default(), body, at);
        }
    }
    out
}

/// A shell script a service runs (one level, inside the layout): `#!` lines, `export` and
/// plain `KEY=value` assignments (values by their names) and command lines ([`Argv`]), a
/// command line continued with `\` read on as one; comments, the text of command
/// substitutions, here-documents, the lines a quote or `$(` runs on to and anything else are
/// masked.
pub fn shell_script(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut reader = ShellLines::default();
    for (start, line) in lines(text) {
        reader.line(&mut out, start, line);
    }
    out
}

/// What one line of a shell script leaves open for the next.
#[derive(Default)]
struct ShellLines {
    /// The here-documents of the lines read so far, in order: each one's terminator, and
    /// whether tabs before it are dropped (`<<-`). Their lines are masked.
    heredocs: std::collections::VecDeque<(String, bool)>,
    /// The quotes and substitutions open at the end of the line before: the next line is
    /// inside them (masked).
    nest: Nest,
    /// The command line the line before continued (`\` at its end), and whether it was
    /// still in its assignments.
    continued: Option<(Argv, bool)>,
}

impl ShellLines {
    fn line(&mut self, out: &mut Vec<Span>, start: usize, line: &str) {
        if let Some((end, strip_tabs)) = self.heredocs.front() {
            let body = match strip_tabs {
                true => line.trim_start_matches('\t'),
                false => line,
            };
            if body == end.as_str() {
                let at = start + line.len() - body.len();
                out.push(span(at, at + body.len()));
                self.heredocs.pop_front();
            }
            return;
        }
        let inside = !self.nest.is_empty();
        let (opened, continues) = heredocs(line, &mut self.nest);
        let continued = self.continued.take();
        if !inside {
            let argv = self.command(out, start, line, continued);
            self.continued = argv.filter(|_| continues);
        }
        self.heredocs.extend(opened);
    }

    /// Shows what is safe of a line that starts outside any quote: the command line it is
    /// or continues. The command line as it is at the line's end (`None` after a comment).
    fn command(
        &mut self,
        out: &mut Vec<Span>,
        start: usize,
        line: &str,
        continued: Option<(Argv, bool)>,
    ) -> Option<(Argv, bool)> {
        let body = line.trim_start();
        let at = start + line.len() - body.len();
        if continued.is_none() && body.starts_with("#!") {
            out.push(span(at, at + body.len()));
            return None;
        }
        let (mut argv, mut assigning) = continued.unwrap_or((Argv::default(), true));
        for (s, e) in words(body) {
            let word = &body[s..e];
            if word.starts_with('#') {
                // A comment, to the end of the line.
                out.push(span(at + s, at + s + 1));
                return None;
            }
            if word == "\\" && e == body.len() {
                out.push(span(at + s, at + e));
                break;
            }
            if assigning && matches!(word, "export" | "set" | "local" | "readonly") {
                out.push(span(at + s, at + e));
                continue;
            }
            if assigning
                && without_substitutions(out, word, at + s, |out, word| {
                    push_assignment(out, word, at + s)
                })
            {
                continue;
            }
            assigning = false;
            argv.word(out, word, at + s);
        }
        Some((argv, assigning))
    }
}

/// Reads a line of a shell script outside here-documents, from the quotes and substitutions
/// open before it (`nest`, left as they are at its end): the here-documents it opens
/// (`<<END`, `<<-'END'`), each terminator and whether tabs before it are dropped, and
/// whether it ends with a backslash that continues it on the next line. A comment ends it.
fn heredocs(line: &str, nest: &mut Nest) -> (Vec<(String, bool)>, bool) {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        let outside = nest.is_empty() && !nest.escaped;
        if outside && c == '#' && previous.is_whitespace() {
            break;
        }
        previous = c;
        if outside && c == '<' && line[i..].starts_with("<<") && !line[i..].starts_with("<<<") {
            let after = if i > 0 && bytes[i - 1] == b'<' {
                None
            } else {
                Some(&line[i + 2..])
            };
            if let Some(rest) = after {
                let strip_tabs = rest.starts_with('-');
                let rest = rest.trim_start_matches('-').trim_start();
                let word_end = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | ')')
                    })
                    .unwrap_or(rest.len());
                let end: String = rest[..word_end]
                    .chars()
                    .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                    .collect();
                if !end.is_empty() {
                    out.push((end, strip_tabs));
                }
            }
        }
        nest.step(line, i, c);
    }
    // A backslash before the line break joins the next line to this one; the escape ends.
    let continues = std::mem::take(&mut nest.escaped) && nest.is_empty();
    (out, continues)
}

/// The end of the line a position is on, found once per line, not once per position asked:
/// a minified config is one line of many strings.
#[derive(Default)]
struct LineEnds {
    /// The end of the line last asked for (a `\n`, or the text's end).
    end: usize,
    /// Bytes searched so far.
    searched: usize,
}

impl LineEnds {
    /// The end of the line `i` is on; positions are asked in increasing order.
    fn after(&mut self, text: &str, i: usize) -> usize {
        if self.end <= i {
            let rest = &text[i + 1..];
            let len = rest.find('\n').unwrap_or(rest.len());
            self.searched += len;
            self.end = i + 1 + len;
        }
        self.end
    }
}

/// A config file that does not parse: punctuation and keys (a word or string followed by `:`)
/// are shown, and a value when its key says it is safe; comments and every other word
/// (unquoted, backtick-quoted, cut by the error) are masked.
pub fn json5_unparsed(text: &str) -> Vec<Span> {
    json5_unparsed_searching(text).0
}

/// [`json5_unparsed`], and how many bytes it searched for line ends.
fn json5_unparsed_searching(text: &str) -> (Vec<Span>, usize) {
    let mut out = Vec::new();
    let mut key: Option<String> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line_ends = LineEnds::default();
    let next_is_colon = |from: usize| {
        text[from..]
            .trim_start_matches([' ', '\t', '\r', '\n'])
            .starts_with(':')
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
            let shown_end = if is_directive(&text[i + 2..end]) {
                end
            } else {
                i + 2
            };
            out.push(span(i, shown_end));
            i = end;
        } else if text[i..].starts_with("/*") {
            let end = text[i + 2..]
                .find("*/")
                .map_or(text.len(), |e| i + 2 + e + 2);
            out.push(span(i, i + 2));
            if end >= i + 4 && text[..end].ends_with("*/") {
                out.push(span(end - 2, end));
            }
            i = end;
        } else if matches!(c, b'{' | b'}' | b'[' | b']' | b',' | b':') {
            out.push(span(i, i + 1));
            if matches!(c, b'{' | b'}' | b',') {
                key = None;
            }
            i += 1;
        } else if matches!(c, b'"' | b'\'' | b'`') {
            let q = c as char;
            let line_end = line_ends.after(text, i);
            let end = closing(&text[i + 1..line_end], q).map_or(line_end, |e| i + 1 + e + 1);
            let raw = &text[i..end];
            if next_is_colon(end) {
                let name = unquote(raw).0;
                // A key shaped like a secret (a bot token as an object key) stays masked.
                if super::shows_key(name) {
                    out.push(span(i, end));
                }
                key = Some(name.to_string());
            } else if raw.len() >= 2 && raw.ends_with(q) {
                push_quoted(&mut out, key.as_deref(), raw, i);
            }
            i = end;
        } else {
            let len = text[i..]
                .find(|ch: char| ch.is_whitespace() || "{}[],:\"'`/".contains(ch))
                .unwrap_or(text.len() - i);
            // A lone `/` (not a comment) is a word of its own.
            let end = floor_char(text, i + len.max(1));
            let word = &text[i..end];
            if next_is_colon(end) {
                if super::shows_key(word) {
                    out.push(span(i, end));
                }
                key = Some(word.to_string());
            } else if matches!(word, "true" | "false" | "null") {
                out.push(span(i, end));
            } else {
                push_value(&mut out, key.as_deref(), word, i);
            }
            i = end.max(i + 1);
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
    }
    (out, line_ends.searched)
}

/// A Compose file (parsed as YAML): keys and punctuation are shown; a value by its key
/// (`ports`, `image`, `volumes`, `restart` and the like are safe, `environment` entries by their
/// names, `command` and `entrypoint` as command lines); comments, anchors, block scalars and
/// every other value are masked.
pub fn compose_yaml(text: &str, root: &crate::load::yaml::Node) -> Vec<Span> {
    // Room for what a compose file of this size holds (a span every few bytes, a node every
    // ten or so), not grown from nothing a span at a time; bounded, as the text may be large.
    let room = |per: usize| (text.len() / per).min(COMPOSE_SPANS_ROOM);
    let mut out = Vec::with_capacity(room(4));
    let mut nodes = Vec::with_capacity(room(8));
    yaml_node(text, root, None, &mut out, &mut nodes);
    nodes.sort_unstable_by_key(|s| s.start());
    // The text between the nodes, gap by gap, byte by byte (what is looked for is ASCII,
    // and no byte of a longer character is).
    let bytes = text.as_bytes();
    let mut next = 0;
    let mut in_comment = false;
    let mut i = 0;
    while i < bytes.len() {
        // Past every node that starts here or before (and those that start inside them).
        while next < nodes.len() && nodes[next].start() <= i {
            i = i.max(nodes[next].end());
            next += 1;
        }
        let gap_end = nodes
            .get(next)
            .map_or(bytes.len(), |s| s.start().min(bytes.len()));
        if gap_end <= i {
            // The nodes reach the text's end.
            break;
        }
        gap(text, i..gap_end, &mut in_comment, &mut out);
        i = gap_end;
    }
    out
}

/// The most spans [`compose_yaml`] makes room for before it reads a file.
const COMPOSE_SPANS_ROOM: usize = 1 << 12;

/// The bytes a gap between nodes shows or acts on: YAML's indicators, `#` and the line end.
const GAP_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"\n#-:[]{},?";
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// Shows the indicators of the text in `range` (between nodes) and the `#` of each comment
/// that starts there; `in_comment` says whether a comment goes on at its start, and then
/// whether one goes on at its end. Only the bytes of [`GAP_BYTES`] are stopped at, and a
/// comment's text is passed over to its line's end: each byte is looked at once.
fn gap(text: &str, range: std::ops::Range<usize>, in_comment: &mut bool, out: &mut Vec<Span>) {
    let bytes = &text.as_bytes()[..range.end];
    let mut at = range.start;
    while at < bytes.len() {
        if *in_comment {
            match memchr::memchr(b'\n', &bytes[at..]) {
                Some(n) => {
                    *in_comment = false;
                    at += n + 1;
                    continue;
                }
                None => return,
            }
        }
        let Some(n) = bytes[at..].iter().position(|&b| GAP_BYTES[usize::from(b)]) else {
            return;
        };
        at += n;
        match bytes[at] {
            b'\n' => {}
            b'#' if follows_whitespace(text, at) => {
                *in_comment = true;
                out.push(span(at, at + 1));
            }
            b'#' => {}
            _ => out.push(span(at, at + 1)),
        }
        at += 1;
    }
}

/// Whether the character before byte `i` is whitespace (the text's start counts as a line
/// start): a `#` there starts a comment.
fn follows_whitespace(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace)
}

/// What a Compose key's value is, as a key [`super::kind_of_key`] knows.
fn compose_key(key: &str) -> &str {
    match key {
        "ports" | "expose" | "hostname" => "host",
        // A long-syntax `ports:` entry's host port (shown only when it is a port number).
        "published" => "port",
        "image" | "container_name" | "user" | "network_mode" => "name",
        "restart" | "pull_policy" => "mode",
        "volumes" | "env_file" | "working_dir" | "context" | "dockerfile" => "path",
        key => key,
    }
}

fn yaml_node(
    text: &str,
    node: &crate::load::yaml::Node,
    key: Option<&str>,
    out: &mut Vec<Span>,
    nodes: &mut Vec<Span>,
) {
    use crate::load::yaml::Value;
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                nodes.push(k.span);
                push_yaml_key(out, k);
                match k.as_str() {
                    Some("command" | "entrypoint") => yaml_command(text, v, out, nodes),
                    Some("environment") => {
                        for (name, value) in v.entries() {
                            nodes.push(name.span);
                            push_yaml_key(out, name);
                            yaml_node(text, value, name.as_str(), out, nodes);
                        }
                        for item in v.items() {
                            nodes.push(item.span);
                            if let Some(raw) = text.get(item.span.start()..item.span.end()) {
                                push_assignment(out, raw, item.span.start());
                            }
                        }
                    }
                    name => yaml_node(text, v, name.map(compose_key), out, nodes),
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                yaml_node(text, item, key, out, nodes);
            }
        }
        Value::Scalar { text: value, .. } => {
            let value = value.as_str();
            nodes.push(node.span);
            let Some(raw) = text.get(node.span.start()..node.span.end()) else {
                return;
            };
            let (inner, offset) = unquote(raw);
            if offset > 0 {
                out.push(span(node.span.start(), node.span.start() + 1));
                out.push(span(node.span.end() - 1, node.span.end()));
            }
            let at = node.span.start() + offset;
            let plain_constant = offset == 0
                && matches!(
                    inner,
                    "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
                );
            if plain_constant {
                out.push(span(at, at + inner.len()));
            } else if inner == value {
                push_value(out, key, inner, at);
            } else if hidden_parts(key, value).is_empty() {
                out.push(span(at, at + inner.len()));
            }
        }
        Value::Null => {}
    }
}

/// Shows a mapping's key, unless it looks like a secret or is too long to read (a key that is
/// not a string, `1:`, is shown).
fn push_yaml_key(out: &mut Vec<Span>, key: &crate::load::yaml::Node) {
    if key.as_str().is_none_or(super::shows_key) {
        out.push(key.span);
    }
}

/// `command:` and `entrypoint:` as a string or a list of words.
fn yaml_command(
    text: &str,
    node: &crate::load::yaml::Node,
    out: &mut Vec<Span>,
    nodes: &mut Vec<Span>,
) {
    let mut argv = Argv::default();
    let one_string = node.items().is_empty();
    let words: Vec<&crate::load::yaml::Node> = match one_string {
        true => vec![node],
        false => node.items().iter().collect(),
    };
    for word in words {
        nodes.push(word.span);
        let Some(raw) = text.get(word.span.start()..word.span.end()) else {
            continue;
        };
        if one_string {
            let (inner, offset) = unquote(raw);
            if offset > 0 {
                out.push(span(word.span.start(), word.span.start() + 1));
                out.push(span(word.span.end() - 1, word.span.end()));
            }
            push_command(out, &mut argv, inner, word.span.start() + offset);
        } else {
            argv.word(out, raw, word.span.start());
        }
    }
}

/// `clawlint.toml`: clawlint's own settings (`[lint]`, `[rules]`, `[[ignore]]`: selectors,
/// levels, reasons) are shown; in `[[instance]]` tables, which may carry a gateway's
/// environment and arguments, a value is shown only when its key says it is safe. Comments
/// are masked.
pub fn settings_toml(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut in_instance = false;
    for (start, line) in lines(text) {
        let body = line.trim_start();
        let at = start + line.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.starts_with('[') {
            let name = body.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace());
            in_instance = name == "instance" || name.starts_with("instance.");
            if !body.contains('#') {
                out.push(span(at, at + body.len()));
            }
            continue;
        }
        if !in_instance {
            // No comment can follow inside a value we would misread: stop at a `#` outside
            // quotes and show what is before it.
            let end = comment_start(body).unwrap_or(body.len());
            out.push(span(at, at + end));
            continue;
        }
        let Some((key, value)) = body.split_once('=') else {
            continue;
        };
        let key_text = key.trim().trim_matches('"');
        out.push(span(at, at + key.len() + 1));
        let value_trimmed = value.trim();
        let value_at = at + key.len() + 1 + (value.len() - value.trim_start().len());
        push_quoted(&mut out, Some(key_text), value_trimmed, value_at);
    }
    out
}

/// Where a TOML comment starts on a line: a `#` outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return Some(i),
            None => {}
        }
    }
    None
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// An XML file that does not parse: only its tags' names (`<Config`, `</Name>`) are shown.
pub fn xml_unparsed(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) {
        let name_start = open + 1 + usize::from(bytes.get(open + 1) == Some(&b'/'));
        let name_end = name_start
            + bytes[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                .count();
        if name_end > name_start {
            let end = match bytes.get(name_end) {
                Some(b'>') => name_end + 1,
                _ => name_end,
            };
            out.push(span(open, end));
        }
        at = open + 1;
    }
    out
}

/// An Unraid Docker Manager template (`my-<Name>.xml`, parsed): the markup, attribute names,
/// `Name`, `Target`, `Type`, `Mode` and the like are shown; a `<Config>`'s value and `Default`
/// as its `Type` says (a path, a port, a variable by its name); the image, network and
/// container name when they cannot be a secret; `<ExtraParams>` as the options of a
/// `docker run` and `<PostArgs>` as a command line ([`Argv`]). Descriptions, comments and
/// anything else are masked.
pub fn unraid_template(text: &str, doc: &roxmltree::Document) -> Vec<Span> {
    let mut out = Vec::new();
    if let Some(end) = text.starts_with("<?xml").then(|| text.find("?>")).flatten() {
        out.push(span(0, end + 2));
    }
    for node in doc.descendants().filter(|n| n.is_element()) {
        let range = node.range();
        let name = node.tag_name().name();
        out.push(span(range.start, range.start + 1 + name.len()));
        let mut tag_end = range.start + 1 + name.len();
        for attr in node.attributes() {
            let whole = attr.range();
            let value = attr.range_value();
            out.push(span(whole.start, value.start));
            out.push(span(value.end, whole.end));
            tag_end = whole.end;
            let shown = match attr.name() {
                "Name" | "Target" | "Type" | "Mode" | "Display" | "Required" | "Mask" => {
                    !crate::redact::is_secret_value(attr.value())
                }
                "version" => true,
                _ => false,
            };
            if shown {
                out.push(span(value.start, value.end));
            }
        }
        if let Some(close) = text[tag_end.min(range.end)..range.end].find('>') {
            out.push(span(tag_end, tag_end + close + 1));
        }
        let closing = format!("</{name}>");
        if text[..range.end].ends_with(&closing) {
            out.push(span(range.end - closing.len(), range.end));
        }
        let parent_is_root = node.parent().is_some_and(|p| p == doc.root_element());
        let text_span = || {
            let texts: Vec<_> = node.children().filter(|c| c.is_text()).collect();
            let first = texts.first()?.range().start;
            let last = texts.last()?.range().end;
            Some((first, last))
        };
        let Some((start, end)) = text_span() else {
            if name == "Config" {
                config_default(&mut out, node);
            }
            continue;
        };
        let raw = &text[start..end];
        match name {
            "Config" => {
                config_value(&mut out, node, raw, start);
                config_default(&mut out, node);
            }
            "ExtraParams" if parent_is_root => {
                let mut argv = Argv {
                    started: true,
                    run_options: true,
                    ..Argv::default()
                };
                push_command(&mut out, &mut argv, raw, start);
            }
            "PostArgs" if parent_is_root => {
                push_command(&mut out, &mut Argv::default(), raw, start)
            }
            "Name" | "Repository" | "Network" | "MyIP" | "Shell" | "Privileged" | "Category"
            | "CPUset" | "Mode" | "Date" | "DateInstalled" | "Beta"
                if !crate::redact::is_secret_value(raw) =>
            {
                out.push(span(start, end))
            }
            "Registry" | "Support" | "Project" | "WebUI" | "TemplateURL" | "Icon"
            | "DonateLink" => push_value(&mut out, Some("url"), raw, start),
            _ => {}
        }
    }
    out
}

/// What a `<Config>`'s value (or `Default`) is, by its `Type` and `Target`.
fn config_kind(node: roxmltree::Node) -> (Option<Kind>, Option<String>) {
    let target = node.attribute("Target").unwrap_or_default();
    match node
        .attribute("Type")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "port" => (Some(Kind::Port), None),
        "path" => (Some(Kind::PathLike), None),
        "variable" | "label" => (None, Some(target.to_string())),
        _ => (None, None),
    }
}

fn config_value(out: &mut Vec<Span>, node: roxmltree::Node, raw: &str, at: usize) {
    match config_kind(node) {
        (Some(kind), _) => push_kind(out, kind, raw, at),
        (None, Some(key)) => push_value(out, Some(&key), raw, at),
        (None, None) => {}
    }
}

fn config_default(out: &mut Vec<Span>, node: roxmltree::Node) {
    let Some(attr) = node.attribute_node("Default") else {
        return;
    };
    let r = attr.range_value();
    // The raw text of the value: entities written in it are masked with it.
    let raw = attr.value();
    if r.end - r.start != raw.len() {
        return;
    }
    config_value(out, node, raw, r.start);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `compose_yaml` as it walked the text before: byte by byte, each byte checked against
    /// the nodes' spans.
    fn compose_yaml_byte_by_byte(text: &str, root: &crate::load::yaml::Node) -> Vec<Span> {
        let mut out = Vec::new();
        let mut nodes = Vec::new();
        yaml_node(text, root, None, &mut out, &mut nodes);
        nodes.sort_unstable_by_key(|s| s.start());
        let bytes = text.as_bytes();
        let (mut next, mut inside_until, mut in_comment, mut i) = (0, 0, false, 0);
        while i < bytes.len() {
            while next < nodes.len() && nodes[next].start() <= i {
                inside_until = inside_until.max(nodes[next].end());
                next += 1;
            }
            if i < inside_until {
                i = inside_until;
                continue;
            }
            match bytes[i] {
                b'\n' => in_comment = false,
                _ if in_comment => {}
                b'#' if follows_whitespace(text, i) => {
                    in_comment = true;
                    out.push(span(i, i + 1));
                }
                b'-' | b':' | b'[' | b']' | b'{' | b'}' | b',' | b'?' => out.push(span(i, i + 1)),
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The gaps between a compose file's nodes, walked gap by gap, show what the byte walk
    /// showed: on texts of YAML's indicators, quotes, comments, anchors and line ends.
    #[test]
    fn compose_yaml_by_gaps_shows_what_the_byte_walk_showed() {
        const PIECES: [&str; 22] = [
            "a", "bc", "1", ":", ": ", " ", "  ", "\n", "\"", "'", "- ", "[", "]", "{", "}", ",",
            "#", " #", "&x ", "*x", "\u{e9}", "?",
        ];
        let mut rng = crate::xorshift::Rng(0x9a95_0f5c_a1ab_1e17);
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len)
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            if let Ok(root) = crate::load::yaml::parse(&text) {
                parsed += 1;
                assert_eq!(
                    compose_yaml(&text, &root),
                    compose_yaml_byte_by_byte(&text, &root),
                    "{text:?}"
                );
            }
        }
        assert!(parsed > 1_000, "{parsed}");
    }

    fn shown(text: &str, spans: Vec<Span>) -> String {
        crate::redact::masked(text, &spans)
    }

    /// A compose file as its snippets show it.
    fn show(text: &str) -> String {
        let root = crate::load::yaml::parse(text).unwrap();
        shown(text, compose_yaml(text, &root))
    }

    /// A command's `--port ${VAR:-18789}` is shown (the name and a default that is a port);
    /// a default that is no port is not.
    #[test]
    fn a_defaulted_port_reference_in_a_command_is_shown() {
        let port = "services:\n  gw:\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"${OPENCLAW_GATEWAY_PORT:-18789}\"]\n";
        assert_eq!(show(port), port);
        let odd = "services:\n  gw:\n    command: [\"gateway\", \"--port\", \"${PORT:-sk_live_0123456789abcdef}\"]\n";
        assert!(!show(odd).contains("sk_live"), "{}", show(odd));
    }

    /// A unit's `docker run` shows its ports, paths, names, image and the container's
    /// command, and the names of `-e` assignments; an environment value that looks like a
    /// secret and the values of options clawlint does not know stay masked. The `\\` that
    /// continues a line is shown.
    #[test]
    fn a_units_docker_run_shows_what_is_no_secret() {
        let text = "[Service]\nExecStart=/usr/bin/docker run --rm -dit --name oc -p 127.0.0.1:18789:18789 \\\n  -v %h/oc:/home/node/.openclaw --mount type=bind,src=/srv/x,dst=/x,ro \\\n  -e TELEGRAM_BOT_TOKEN=7000000001:AAFakeFakeFakeFakeFakeFakeFakeFake01 --label secret-ish \\\n  ghcr.io/openclaw/openclaw:2026.9.6 node dist/index.js gateway run --bind lan --port 18789\n";
        let out = shown(text, unit(text));
        for part in [
            "run --rm -dit --name oc -p 127.0.0.1:18789:18789 \\",
            "-v %h/oc:/home/node/.openclaw --mount type=bind,src=/srv/x,dst=/x,ro \\",
            "-e TELEGRAM_BOT_TOKEN=",
            "--label ",
            "ghcr.io/openclaw/openclaw:2026.9.6 node dist/index.js gateway run --bind lan --port 18789",
        ] {
            assert!(out.contains(part), "{part}\n{out}");
        }
        assert!(
            !out.contains("AAFake") && !out.contains("secret-ish"),
            "{out}"
        );
    }

    /// `network_mode:` is shown as a name is (`service:NAME` too), a token-like one masked.
    #[test]
    fn compose_network_mode_is_shown_as_a_name() {
        let text = "services:\n  cli:\n    network_mode: \"service:openclaw-gateway\"\n";
        assert_eq!(show(text), text);
        let host = "services:\n  gw:\n    network_mode: host\n";
        assert_eq!(show(host), host);
        let odd = "services:\n  gw:\n    network_mode: container:ghp_0123456789abcdefghijklmnopqrstuvwxyz\n";
        assert!(!show(odd).contains("ghp_"), "{}", show(odd));
    }

    /// A comment after a value starts where `blank` and `#` first stand together, found from
    /// the `#`s as by looking at every pair of bytes.
    #[test]
    fn comment_after_finds_the_first_blank_and_hash() {
        let by_pairs =
            |value: &str, blank: u8| value.as_bytes().windows(2).position(|w| w == [blank, b'#']);
        let mut rng = crate::xorshift::Rng(0x5851_F42D_4C95_7F2D);
        for _ in 0..20_000 {
            let len = rng.next() % 12;
            let value: String = (0..len)
                .map(|_| rng.pick(&[" ", "\t", "#", "a", "é", "##"]))
                .collect();
            for blank in [b' ', b'\t'] {
                assert_eq!(
                    comment_after(&value, blank),
                    by_pairs(&value, blank),
                    "{value:?}"
                );
            }
        }
    }

    #[test]
    fn env_lines_show_names_and_safe_values_only() {
        let text = "PORT_X=1\nOPENCLAW_GATEWAY_PORT=18789\nOPENCLAW_GATEWAY_PORT=19789OPENCLAW_GATEWAY_TOKEN=abc\nOPENAI_API_KEY  sk-abc\nK:v\n\"Q\"=v\nDB_HOST=postgres://a:pw@db\nexport OPENCLAW_PROFILE='ops'\n# note hunter2\nMULTI=\"a\nhunter2\"\n";
        assert_eq!(
            shown(text, env_lines(text)),
            "PORT_X=*\nOPENCLAW_GATEWAY_PORT=18789\nOPENCLAW_GATEWAY_PORT=*******************************\n**************  ******\nK:*\n*****\nDB_HOST=******************\nexport OPENCLAW_PROFILE='ops'\n# **** *******\nMULTI=**\n********\n"
        );
    }

    #[test]
    fn units_show_structure_and_known_values() {
        let text = "[Service]\nSetCredential=tok:hunter\nExecStartPre=/usr/bin/curl -H \"X-Token: abc\" https://v.example/x?y\nExecStart=/usr/bin/openclaw gateway --port 18789 --password hunter --token=abc\nEnvironment=OPENCLAW_PROFILE=ops \"A_TOKEN=x y\"\nRestart=always\n# hunter\n";
        assert_eq!(
            shown(text, unit(text)),
            "[Service]\nSetCredential=**********\nExecStartPre=/usr/bin/curl -H \"******** ***\" https://v.example/***\nExecStart=/usr/bin/openclaw gateway --port 18789 --password ****** --token=***\nEnvironment=OPENCLAW_PROFILE=ops \"A_TOKEN=* *\"\nRestart=always\n# ******\n"
        );
    }

    /// What a template unit spells as paths and specifiers is shown (index ids 57990254619,
    /// 60881372756: `--port %i`, `mkdir -p %h/.openclaw-%i/logs`, `OPENCLAW_CONFIG=` a path);
    /// a short option's other values and unknown variables' values stay masked.
    #[test]
    fn template_units_show_paths_and_specifiers() {
        let text = "[Service]\nExecStartPre=/bin/mkdir -p %h/.openclaw-%i/logs\nExecStartPre=/usr/bin/mysql -p hunter2 -u /x\nExecStart=/usr/bin/openclaw gateway --port %i\nEnvironment=OPENCLAW_CONFIG=/srv/oc/config.json APP_CONFIG={\"password\":\"hunter2\"}\nEnvironment=CHAT_ID=123456\n";
        assert_eq!(
            shown(text, unit(text)),
            "[Service]\nExecStartPre=/bin/mkdir -p %h/.openclaw-%i/logs\nExecStartPre=/usr/bin/mysql -p ******* -u /x\nExecStart=/usr/bin/openclaw gateway --port %i\nEnvironment=OPENCLAW_CONFIG=/srv/oc/config.json APP_CONFIG=**********************\nEnvironment=CHAT_ID=******\n"
        );
    }

    #[test]
    fn a_shell_script_argument_is_a_command_line() {
        let text =
            "ExecStart=/bin/sh -c \"exec /usr/bin/openclaw gateway --port 18789 --token abc\"\n";
        assert_eq!(
            shown(text, unit(text)),
            "ExecStart=/bin/sh -c \"exec /usr/bin/openclaw gateway --port 18789 --token ***\"\n"
        );
    }

    #[test]
    fn shell_scripts_show_assignments_and_commands_by_what_they_are() {
        let text = "#!/bin/sh\n# token: hunter\nexport OPENCLAW_PROFILE=ops SLACK_X=hunter\nexec openclaw gateway --port 19001 --token hunter\n";
        assert_eq!(
            shown(text, shell_script(text)),
            "#!/bin/sh\n# ****** ******\nexport OPENCLAW_PROFILE=ops SLACK_X=******\nexec openclaw gateway --port 19001 --token ******\n"
        );
    }

    /// What a command substitution runs is masked but for its command's name: its arguments
    /// may be a secret whatever they look like (`pass show` an entry, `echo` a password).
    #[test]
    fn shell_scripts_mask_what_command_substitutions_run() {
        let text = "cd \"/srv/$(pass show ops/hunter2)/x\"\nexport DATA_DIR=$(pass show ops/hunter2) A=`echo ops/hunter2`\ndocker compose -p \"$(echo ops/hunter2)\" up -d\nX_DIR=\"$(printf %s \"$(echo ops/hunter2)\")\"\ncd $(pass show  ops/hunter2)\ncd \"$(dirname \"$0\")\" && R=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n";
        assert_eq!(
            shown(text, shell_script(text)),
            "cd \"/srv/$(pass **** ***********)/x\"\nexport DATA_DIR=$(pass **** ***********) A=`echo ***********`\ndocker compose -p \"$(echo ***********)\" up -d\nX_DIR=\"$(printf ** \"$(echo ***********)\")\"\ncd $(pass ****  ***********)\ncd \"$(dirname \"$0\")\" && R=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n"
        );
    }

    /// Lines that are not a command of their own are never read as one: a command line's
    /// continuation, a here-document's body, the lines a quote runs on to, a comment's end.
    #[test]
    fn shell_scripts_mask_lines_that_continue_something_else() {
        let text = "docker login -u ops -p \\\n  hunter2 \\\n  /ops/hunter2\ncat > .env <<-'EOF'\n\thunter2\n\tEOF\nopenclaw gateway --port 18789 # hunter2 /ops/hunter2\nX=\"a\nhunter2 /ops/hunter2\"\nopenclaw gateway --port 18790\nexec 3<<<hunter2\nopenclaw gateway --port 18791\n";
        assert_eq!(
            shown(text, shell_script(text)),
            "docker ***** -u *** -p \\\n  ******* \\\n  /ops/hunter2\ncat * .env ********\n\t*******\n\tEOF\nopenclaw gateway --port 18789 # ******* ************\nX=**\n******* *************\nopenclaw gateway --port 18790\nexec ***********\nopenclaw gateway --port 18791\n"
        );
    }

    #[test]
    fn cmd_scripts_mask_unknown_arguments() {
        let text = "@echo off\r\nrem secret note\r\nset \"OPENCLAW_GATEWAY_PORT=19789\"\r\nset \"X_KEY=abc\"\r\n\"C:\\node.exe\" C:\\oc\\index.js gateway --port 19789 --password hunter < NUL\r\n";
        assert_eq!(
            shown(text, cmd_script(text)),
            "@echo off\r\n*** ****** ****\r\nset \"OPENCLAW_GATEWAY_PORT=19789\"\r\nset \"X_KEY=***\"\r\n\"C:\\node.exe\" C:\\oc\\index.js gateway --port 19789 --password ****** < NUL\r\n"
        );
    }

    #[test]
    fn plists_show_keys_tags_and_safe_values() {
        let text = "<plist><dict><key>Label</key><string>ai.openclaw.x</string><key>ProgramArguments</key><array><string>/bin/node</string><string>gateway</string><string>--password=hunter</string></array><key>EnvironmentVariables</key><dict><key>HOME</key><string>/Users/u</string><key>SPARE</key><string>hunter</string></dict><!-- hunter --></dict></plist>";
        let out = shown(text, plist(text));
        assert!(!out.contains("hunter"), "{out}");
        assert!(out.contains("<string>ai.openclaw.x</string>"), "{out}");
        assert!(out.contains("<string>/Users/u</string>"), "{out}");
        assert!(out.contains("<string>--password=******</string>"), "{out}");
    }

    #[test]
    fn unparsable_json5_shows_keys_and_safe_values() {
        let text = "{\n  gateway: { port: 19002 },\n  slack: { botToken: xoxb-abc, appToken: `xapp-def` \"x\": 'hunter' },\n  // hunter\n}\n";
        assert_eq!(
            shown(text, json5_unparsed(text)),
            "{\n  gateway: { port: 19002 },\n  slack: { botToken: ********, appToken: `********` \"x\": '******' },\n  // ******\n}\n"
        );
        // A key shaped like a token is masked like one (a hostile-input audit's repro).
        let text = "{ telegram: { \"123456789:AAHCanaryCanaryCanary0000\": true, ghp_Canary0000000000000000: 1, ";
        assert_eq!(
            shown(text, json5_unparsed(text)),
            "{ telegram: { *************************************: true, **************************: *, "
        );
    }

    /// A minified config is one line of many strings: its end is searched for once, not once
    /// per string (an audit's 2 MB config took 34 s).
    #[test]
    fn an_unparsable_one_line_config_is_searched_once_for_its_line_end() {
        let mut text = String::from("{");
        for n in 0..10_000 {
            text.push_str(&format!("\"k{n}\": \"v\", "));
        }
        text.push_str("\"missing\" \"comma\" }\n{ \"next\": \"line\" }\n");
        let (spans, searched) = json5_unparsed_searching(&text);
        assert!(
            searched <= text.len(),
            "{searched} bytes searched in {}",
            text.len()
        );
        assert!(shown(&text, spans).contains("\"k9999\": "));
    }
}
