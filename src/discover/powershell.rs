//! A Windows task's `gateway.cmd` that runs PowerShell (`powershell -File start.ps1`,
//! `pwsh -Command "…"`): what the script sets and runs, read statically, one level deep.
//!
//! Pure: no file is read here; the caller reads the `-File` script when it lies inside the
//! scanned layout and passes its text.

use super::command::starts_gateway;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a PowerShell invocation runs: a script file or a command string.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    File(String),
    Command(String),
    /// `-EncodedCommand BASE64`: the command decoded (base64 of UTF-16LE), or why it could
    /// not be.
    Encoded(Result<String, String>),
}

/// The longest `-EncodedCommand` argument decoded (base64 characters): a command line is at
/// most 32,767 characters on Windows; this leaves room and bounds the work.
pub const MAX_ENCODED_LEN: usize = 64 * 1024;

/// `-EncodedCommand`'s argument: base64 (standard alphabet, padding optional, whitespace
/// ignored) of UTF-16LE text, decoded within [`MAX_ENCODED_LEN`].
pub fn decode_encoded_command(arg: &str) -> Result<String, String> {
    if arg.len() > MAX_ENCODED_LEN {
        return Err(format!(
            "it is {} characters long, more than the {MAX_ENCODED_LEN} clawlint decodes",
            arg.len()
        ));
    }
    let mut bytes = Vec::with_capacity(arg.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in arg.bytes().filter(|b| !b.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err("it is not base64".to_string()),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bytes.len() % 2 != 0 {
        return Err("it does not decode to UTF-16 text".to_string());
    }
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| "it does not decode to UTF-16 text".to_string())
}

/// The gateway a PowerShell script starts, with what it sets before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<String>,
    /// What the script depends on that cannot be read.
    pub unseen: Vec<String>,
    /// Where variables come from that no file clawlint reads shows (the Windows user
    /// environment, an env file imported at run time).
    pub injects_env: Option<String>,
}

fn basename(word: &str) -> String {
    word.rsplit(['/', '\\'])
        .next()
        .unwrap_or(word)
        .to_ascii_lowercase()
}

/// A program word as compose's and the gateway's readers know it: `C:\…\docker.exe` is
/// `docker`.
fn program_name(word: &str) -> String {
    let base = basename(word);
    base.strip_suffix(".exe")
        .map(str::to_string)
        .unwrap_or(base)
}

/// `powershell[.exe] … -File X` or `pwsh … -Command "…"` (options are case-insensitive and
/// may be abbreviated to `-f` / `-c`).
pub fn target(argv: &[String]) -> Option<Target> {
    let program = basename(argv.first()?);
    if !matches!(
        program.as_str(),
        "powershell" | "powershell.exe" | "pwsh" | "pwsh.exe"
    ) {
        return None;
    }
    let mut i = 1;
    while i < argv.len() {
        let option = argv[i].to_ascii_lowercase();
        match option.as_str() {
            "-file" | "-f" => return argv.get(i + 1).map(|f| Target::File(f.clone())),
            "-command" | "-c" => {
                return Some(Target::Command(argv[i + 1..].join(" ")));
            }
            // `-EncodedCommand` and the abbreviations PowerShell accepts (`-e`, `-ec`, `-enc`).
            o if o == "-ec" || (o.len() >= 2 && "-encodedcommand".starts_with(o)) => {
                let arg = argv.get(i + 1)?;
                return Some(Target::Encoded(decode_encoded_command(arg)));
            }
            // Options that take a value.
            "-executionpolicy" | "-ep" | "-windowstyle" | "-w" | "-workingdirectory" | "-wd"
            | "-configurationname" | "-inputformat" | "-outputformat" => i += 2,
            o if o.starts_with('-') => i += 1,
            // A bare first argument is the script file.
            _ => return Some(Target::File(argv[i].clone())),
        }
    }
    None
}

/// The arguments after `-File X` (the script's `$args` and parameters).
pub fn file_args(argv: &[String]) -> Vec<String> {
    let at = argv
        .iter()
        .position(|a| matches!(a.to_ascii_lowercase().as_str(), "-file" | "-f"));
    match at {
        Some(i) => argv.iter().skip(i + 2).cloned().collect(),
        None => Vec::new(),
    }
}

/// The gateway `script` starts (its first statement that starts one), with the `$env:`
/// assignments and `Set-Location` before it; nothing it runs is followed. `None` when it
/// starts none.
pub fn gateway(script: &str, vars: &BTreeMap<String, String>) -> Option<Script> {
    let reading = read(script, None, vars, &mut NoScripts, Budget::new(1, 0));
    reading.gateway_script()
}

/// A PowerShell statement (or word of one) as a message may show it: the script is the pull
/// request's text and may hold a secret (`iex "… --token sk-…"`), so only what the
/// PowerShell scanner knows is safe is shown, the rest masked byte for byte (the message
/// says where the statement is).
pub fn shown(text: &str) -> String {
    crate::redact::masked(text, &crate::redact::scan::powershell(text))
}

// ---------------------------------------------------------------------------------------
// Reading a script as PowerShell runs it, statically.
// ---------------------------------------------------------------------------------------

/// A value clawlint can or cannot work out: `Err` holds the text as written.
type Value = Result<String, String>;

/// What a script does to one environment variable.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvChange {
    Set(String),
    /// Set to a value clawlint cannot work out (written as in the script).
    Unknown(String),
    /// `Remove-Item env:X`, `$env:X = $null`.
    Unset,
}

/// Where in the files read a statement is: the file (0 is the script, each script it runs
/// the next) and the byte offset of the statement.
pub type At = (usize, usize);

/// One statement that runs `docker compose` (or starts a gateway), with the session's state
/// there.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub at: At,
    /// The command line (the program as written; unresolved words as written).
    pub argv: Vec<String>,
    /// Words of the command line clawlint cannot work out, as written.
    pub unresolved: Vec<String>,
    /// The current location when it runs: `None` when the script never changed it, `Err`
    /// when it changed it to a path clawlint cannot work out.
    pub cwd: Option<Value>,
    /// The environment variables the scripts set before it, each once (its last change,
    /// names compared case-insensitively), with where.
    pub env: Vec<(String, EnvChange, At)>,
    /// Variables added at run time from where no file clawlint reads shows.
    pub injects_env: Option<String>,
}

impl Found {
    /// The `docker compose` arguments this statement gives and the directory it runs in
    /// (`place_dir` puts a written directory on the layout, `base` is where it starts), with
    /// what clawlint cannot work out named for the message. A path clawlint cannot work out is
    /// no path: said, not read. `None` when the statement does not run compose.
    pub fn compose_args(
        &self,
        place_dir: impl Fn(&str) -> std::path::PathBuf,
        base: &std::path::Path,
    ) -> Option<(
        super::compose::runs::ComposeArgs,
        std::path::PathBuf,
        Vec<String>,
    )> {
        let mut args = super::compose::runs::parse(&self.argv)?;
        let mut unknown: Vec<String> = self
            .unresolved
            .iter()
            .map(|w| format!("`{}`", shown(w)))
            .collect();
        for list in [&mut args.files, &mut args.env_files] {
            list.retain(|f| !self.unresolved.contains(f));
        }
        if args
            .project_dir
            .as_ref()
            .is_some_and(|d| self.unresolved.contains(d))
        {
            args.project_dir = None;
        }
        let cwd = match &self.cwd {
            Some(Ok(d)) => place_dir(d),
            Some(Err(written)) => {
                unknown.push(format!("the directory it changes to ({})", shown(written)));
                base.to_path_buf()
            }
            None => base.to_path_buf(),
        };
        Some((args, cwd, unknown))
    }
}

/// What stops clawlint following a script, said where.
#[derive(Debug, Clone, PartialEq)]
pub enum NoteKind {
    /// A statement clawlint cannot evaluate that may run compose: what it does, as written.
    Unresolved { what: String },
    /// A script past the depth budget.
    TooDeep { path: String },
    /// A script past the read budget.
    TooManyReads { path: String },
    /// A script that cannot be read (not in the layout, missing, unreadable): why.
    NotRead { path: String, why: String },
    /// Giving the statement here the `variables` the scripts set (and every statement after
    /// it) would pass [`MAX_COPIED_BYTES`]: reading stopped here.
    TooMuchEnv { variables: usize },
    /// A script that runs a script being read (itself, or one that ran it): read once.
    Cycle { path: String },
    /// `count` more notes from here on, past the [`MAX_NOTES`] said for one task's scripts.
    More { count: usize },
}

/// Notes said for one task's scripts; past them, one [`NoteKind::More`] counts the rest (a
/// script that runs itself on each of thousands of lines noted each again at each re-read).
pub const MAX_NOTES: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub at: At,
    pub what: NoteKind,
}

/// One file read: its path as the loader placed it, its text, and the statement that ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptFile {
    pub path: String,
    pub text: String,
    pub from: Option<At>,
    pub depth: usize,
}

/// What reading a script (and the scripts it runs) found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub compose: Vec<Found>,
    pub gateway: Option<Found>,
    pub notes: Vec<Note>,
    /// The scripts it ran that were read (file 1, 2, …; file 0 is the script itself).
    pub files: Vec<ScriptFile>,
    /// Set when the script imports variables at run time.
    pub injects_env: Option<String>,
}

impl Reading {
    /// The gateway statement as the task reader takes it.
    pub fn gateway_script(&self) -> Option<Script> {
        let found = self.gateway.as_ref()?;
        let mut out = Script {
            argv: found.argv.clone(),
            cwd: found.cwd.clone().and_then(Result::ok),
            injects_env: found.injects_env.clone(),
            ..Script::default()
        };
        for (name, change, _) in &found.env {
            match change {
                EnvChange::Set(v) => out.env.push((name.clone(), v.clone())),
                EnvChange::Unknown(w)
                    if w.to_ascii_lowercase().contains("getenvironmentvariable") =>
                {
                    out.unseen
                        .push(format!("{name}, from the Windows user environment"))
                }
                EnvChange::Unknown(_) => out
                    .unseen
                    .push(format!("the value the script gives {name}")),
                // Each name is changed once in `env` (its last change): nothing to remove.
                EnvChange::Unset => {}
            }
        }
        if let Some(Err(dir)) = &found.cwd {
            out.unseen.push(format!(
                "the directory the script changes to ({})",
                shown(dir)
            ));
        }
        if !found.unresolved.is_empty() {
            let words: Vec<String> = found.unresolved.iter().map(|w| shown(w)).collect();
            out.unseen.push(format!(
                "words of its command line clawlint cannot work out: {}",
                words.join(", ")
            ));
        }
        Some(out)
    }
}

/// How far scripts are followed: depth (the script itself is 1) and reads left.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_depth: usize,
    pub reads: usize,
}

impl Budget {
    pub fn new(max_depth: usize, reads: usize) -> Budget {
        Budget { max_depth, reads }
    }
}

/// Reads the scripts a statement runs.
pub trait Scripts {
    /// The script at `path` (as the statement names it, evaluated; relative ones against
    /// `cwd` when known, else the directory the session started in): its path on the
    /// layout (its `$PSScriptRoot` is that path's directory) and its text, or why it
    /// cannot be read.
    fn load(&mut self, path: &str, cwd: Option<&str>) -> Result<(String, String), String>;
}

/// Follows nothing.
pub struct NoScripts;

impl Scripts for NoScripts {
    fn load(&mut self, _: &str, _: Option<&str>) -> Result<(String, String), String> {
        Err("not followed".to_string())
    }
}

/// Reads `text`, the script at `path` (on the layout; `None` for a `-Command` string), as
/// PowerShell runs it, starting with the environment `vars`: `$env:` assignments,
/// `Set-Location`/`Push-Location`/`Pop-Location`, variables holding literal strings,
/// `Join-Path`, `Split-Path`, `$PSScriptRoot`, the `&` and `.` call operators, backtick line
/// continuation, `Start-Process`, and the scripts it runs (`& x.ps1`, `. x.ps1`,
/// `powershell -File x.ps1`) through `scripts`, within `budget`. Blocks (`if`, `switch`,
/// `try`, functions) are read in order, as if each ran once. Anything else that may run
/// compose is noted where it is, never guessed.
pub fn read(
    text: &str,
    path: Option<&str>,
    vars: &BTreeMap<String, String>,
    scripts: &mut dyn Scripts,
    budget: Budget,
) -> Reading {
    read_with_args(text, path, vars, None, scripts, budget)
}

/// [`read`], the script started with `args` (`powershell -File x.ps1 start`; `None` when
/// they are not known): its `param(…)` block binds them, by name (`-Action start`, a unique
/// prefix, `-Dev` for a `[switch]`) and by position, a parameter given none getting its
/// default; a `switch ($Action)` on a parameter (or any variable) whose value is known then
/// runs only the branches whose literal label matches it (case-insensitively, as PowerShell
/// compares), or its `default` when none did. With the arguments not known, every branch is
/// read, as before.
pub fn read_with_args(
    text: &str,
    path: Option<&str>,
    vars: &BTreeMap<String, String>,
    args: Option<&[String]>,
    scripts: &mut dyn Scripts,
    budget: Budget,
) -> Reading {
    let mut session = Session {
        args: args.map(<[String]>::to_vec),
        base: vars
            .iter()
            .map(|(k, v)| (k.to_ascii_uppercase(), v.clone()))
            .collect(),
        env: Changes::default(),
        locals: BTreeMap::new(),
        cwd: None,
        dir_stack: Vec::new(),
        injects_env: None,
        scripts,
        reads: budget.reads,
        max_depth: budget.max_depth,
        nesting: 0,
        substituted: MAX_SUBSTITUTED_BYTES,
        copies: MAX_COPIED_BYTES,
        stopped: false,
        out: Reading::default(),
        script: path.unwrap_or_default().to_string(),
        noted: HashSet::new(),
        more: None,
    };
    session.run(text, 0, path, 1);
    let mut out = session.out;
    out.injects_env = session.injects_env;
    if let Some((at, count)) = session.more {
        out.notes.push(Note {
            at,
            what: NoteKind::More { count },
        });
    }
    out
}

struct Session<'a> {
    /// The arguments the script (file 0) was started with, when known.
    args: Option<Vec<String>>,
    /// The environment the session starts with (upper-cased names).
    base: BTreeMap<String, String>,
    /// What the scripts set.
    env: Changes,
    /// Script variables (lower-cased names).
    locals: BTreeMap<String, Value>,
    cwd: Option<Value>,
    dir_stack: Vec<Option<Value>>,
    injects_env: Option<String>,
    scripts: &'a mut dyn Scripts,
    reads: usize,
    max_depth: usize,
    /// How many `(…)` the expression being read is inside.
    nesting: usize,
    /// Bytes variables may still give the words they are in (see [`MAX_SUBSTITUTED_BYTES`]).
    substituted: usize,
    /// Bytes of environment the statements found may still be given ([`MAX_COPIED_BYTES`]).
    copies: usize,
    /// The copies passed their budget: nothing more is read.
    stopped: bool,
    out: Reading,
    /// The path of file 0 (empty for a `-Command` string).
    script: String,
    /// The statements noted (file path, offset): a script read twice is noted once.
    noted: HashSet<(String, usize)>,
    /// Where the first note past [`MAX_NOTES`] is, and how many there are.
    more: Option<(At, usize)>,
}

/// The environment variables the scripts set, each once (the last change of a name replaces
/// the one before where it stands; names are case-insensitive), so that neither a copy for
/// each statement found nor a lookup grows with the number of assignments.
#[derive(Debug, Clone, Default)]
struct Changes {
    list: Vec<(String, EnvChange, At)>,
    /// The upper-cased name of each change of `list`, and where it is.
    index: HashMap<String, usize>,
}

impl Changes {
    fn set(&mut self, name: &str, change: EnvChange, at: At) {
        match self.index.get(&name.to_ascii_uppercase()) {
            Some(&i) => self.list[i] = (name.to_string(), change, at),
            None => {
                self.index
                    .insert(name.to_ascii_uppercase(), self.list.len());
                self.list.push((name.to_string(), change, at));
            }
        }
    }

    fn get(&self, name: &str) -> Option<&EnvChange> {
        let at = *self.index.get(&name.to_ascii_uppercase())?;
        Some(&self.list[at].1)
    }

    /// What a copy of it (for one statement found) costs, counting each entry's bookkeeping.
    fn cost(&self) -> usize {
        self.list
            .iter()
            .map(|(name, change, _)| {
                let value = match change {
                    EnvChange::Set(v) | EnvChange::Unknown(v) => v.len(),
                    EnvChange::Unset => 0,
                };
                name.len() + value + ENTRY_COST
            })
            .sum()
    }
}

/// What one copied variable costs beyond its bytes (its strings and their allocations).
const ENTRY_COST: usize = 64;

/// Bytes of environment one reading may copy into the statements it finds, each getting all
/// the variables set before it: tens of thousands of `$env:` assignments then tens of
/// thousands of `docker compose` lines would be billions of copies. Real scripts copy a few
/// kilobytes. Past it reading stops, with a note where ([`NoteKind::TooMuchEnv`]).
pub const MAX_COPIED_BYTES: usize = crate::load::env::MAX_SUBSTITUTED_BYTES;

/// `(…)` inside `(…)` read at most this deep; deeper is a value clawlint cannot work out
/// (each level is read by a call inside the one before).
const MAX_NESTING: usize = 32;

/// Bytes the values of variables may give the words they are in, over a whole reading:
/// `$a = $a + $a` doubles a value at each line, and forty lines would need a terabyte. Past
/// it a variable's value is one clawlint cannot work out (the budget of a config's `${VAR}`
/// substitution).
pub const MAX_SUBSTITUTED_BYTES: usize = crate::load::env::MAX_SUBSTITUTED_BYTES;

/// The script being read: its file number, its path on the layout, its depth.
#[derive(Clone, Copy)]
struct Here<'p> {
    path: Option<&'p str>,
    depth: usize,
}

impl Here<'_> {
    fn dir(&self) -> Option<String> {
        let p = self.path?;
        let cut = p.rfind(['/', '\\'])?;
        Some(p[..cut.max(1)].to_string())
    }
}

/// A word of a statement: its value (or the text as written), whether it was quoted.
#[derive(Debug, Clone)]
struct Word {
    value: Value,
    quoted: bool,
}

impl Word {
    fn text(&self) -> &str {
        match &self.value {
            Ok(v) | Err(v) => v,
        }
    }
    fn bare(&self, s: &str) -> bool {
        !self.quoted
            && self
                .value
                .as_deref()
                .is_ok_and(|v| v.eq_ignore_ascii_case(s))
    }
}

/// Joins two Windows paths as `Join-Path` does.
fn join_path(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        return child.to_string();
    }
    format!(
        "{}\\{}",
        parent.trim_end_matches(['\\', '/']),
        child.trim_start_matches(['\\', '/'])
    )
}

fn is_absolute(p: &str) -> bool {
    p.starts_with(['/', '\\']) || p.as_bytes().get(1) == Some(&b':')
}

impl Session<'_> {
    fn run(&mut self, text: &str, file: usize, path: Option<&str>, depth: usize) {
        let here = Here { path, depth };
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let skip = text.len() - body.len();
        let text = body;
        let mut switches: Vec<Switch> = Vec::new();
        // Statements at this brace depth or deeper are in a branch that does not run.
        let mut skipping: Option<usize> = None;
        for st in statements(text) {
            if self.stopped {
                return;
            }
            if skipping.is_some_and(|d| st.depth >= d) {
                continue;
            }
            skipping = None;
            while switches.last().is_some_and(|s| st.depth < s.body) {
                switches.pop();
            }
            if let Some(sw) = switches
                .last_mut()
                .filter(|s| st.opens && st.depth == s.body)
            {
                if !sw.runs(&st.text) {
                    skipping = Some(st.depth + 1);
                }
                continue;
            }
            if st.opens {
                if let Some(subject) = switch_subject(&st.text) {
                    let value = subject.and_then(|name| self.lookup(name, here)?.ok());
                    switches.push(Switch::new(value, st.depth + 1, &st.text));
                    continue;
                }
            }
            // The script's own `param(…)` (a function's, inside braces, is not bound).
            if file == 0 && st.depth == 0 && is_param_block(&st.text) {
                if let Some(args) = self.args.clone() {
                    self.bind_params(&st.text, &args, here);
                }
                continue;
            }
            self.statement(&st.text, (file, st.offset + skip), here);
        }
    }

    /// Binds the script's arguments to its `param(…)` block ([`read_with_args`]).
    fn bind_params(&mut self, block: &str, args: &[String], here: Here) {
        let params = params_of(block);
        let mut bound: BTreeMap<usize, Value> = BTreeMap::new();
        let mut positional: Vec<&String> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            let named = arg
                .strip_prefix('-')
                .filter(|n| !n.is_empty() && !n.starts_with(|c: char| c.is_ascii_digit()));
            let Some(named) = named else {
                positional.push(arg);
                i += 1;
                continue;
            };
            let (name, inline) = match named.split_once(':') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (named, None),
            };
            let lower = name.to_ascii_lowercase();
            let exact = params.iter().position(|p| p.name == lower);
            let prefixed: Vec<usize> = (0..params.len())
                .filter(|&k| params[k].name.starts_with(&lower))
                .collect();
            let Some(k) = exact.or((prefixed.len() == 1).then(|| prefixed[0])) else {
                // No such parameter (or an ambiguous prefix): PowerShell refuses to start the
                // script; nothing is bound, so nothing is decided from the parameters.
                return;
            };
            if params[k].switch && inline.is_none() {
                bound.insert(k, Ok("True".to_string()));
                i += 1;
                continue;
            }
            let value = inline.or_else(|| args.get(i + 1).cloned());
            i += if inline_given(named) { 1 } else { 2 };
            bound.insert(k, value.ok_or_else(|| arg.clone()));
        }
        let mut slots = positional.into_iter();
        for k in positional_order(&params) {
            if bound.contains_key(&k) {
                continue;
            }
            if let Some(v) = slots.next() {
                bound.insert(k, Ok(v.clone()));
            }
        }
        for (k, p) in params.iter().enumerate() {
            let value = match bound.remove(&k) {
                Some(v) => v,
                None if p.switch => Ok("False".to_string()),
                None => match &p.default {
                    Some(d) => self.expression(d, here),
                    None => Ok(String::new()),
                },
            };
            self.locals.insert(p.name.clone(), value);
        }
    }

    fn lookup(&self, name: &str, here: Here) -> Option<Value> {
        let lower = name.to_ascii_lowercase();
        if let Some(var) = lower.strip_prefix("env:") {
            if let Some(change) = self.env.get(var) {
                return Some(match change {
                    EnvChange::Set(v) => Ok(v.clone()),
                    EnvChange::Unknown(w) => Err(w.clone()),
                    EnvChange::Unset => Ok(String::new()),
                });
            }
            return self.base.get(&var.to_ascii_uppercase()).cloned().map(Ok);
        }
        let lower = lower
            .strip_prefix("script:")
            .or_else(|| lower.strip_prefix("global:"))
            .or_else(|| lower.strip_prefix("local:"))
            .unwrap_or(&lower);
        match lower {
            "psscriptroot" => here.dir().map(Ok),
            "pscommandpath" => here.path.map(|p| Ok(p.to_string())),
            "home" => self.base.get("USERPROFILE").cloned().map(Ok),
            "pwd" => self.cwd.clone(),
            "null" => Some(Ok(String::new())),
            "true" => Some(Ok("True".to_string())),
            "false" => Some(Ok("False".to_string())),
            other => self.locals.get(other).cloned(),
        }
    }

    /// `$…` at `chars[i]` (the `$`): its value and the index after it; `None` when the `$`
    /// is literal. In a bare word, member access (`$x.Path`) is read for
    /// `$MyInvocation.MyCommand.Path` and is otherwise unknown.
    fn variable(
        &mut self,
        chars: &[char],
        i: usize,
        bare: bool,
        here: Here,
    ) -> Option<(Value, usize)> {
        let next = *chars.get(i + 1)?;
        if next == '(' {
            let end = matching(chars, i + 1);
            let written: String = chars[i..end].iter().collect();
            return Some((Err(written), end));
        }
        let (name, mut end) = if next == '{' {
            let close = chars[i + 2..].iter().position(|&c| c == '}')? + i + 2;
            (chars[i + 2..close].iter().collect::<String>(), close + 1)
        } else if next.is_ascii_alphanumeric() || next == '_' || next == '?' {
            let mut j = i + 1;
            let mut name = String::new();
            while j < chars.len() {
                let c = chars[j];
                // A scope (`$env:NAME`, `$script:x`) is part of the name.
                let scope = c == ':'
                    && matches!(
                        name.to_ascii_lowercase().as_str(),
                        "env" | "script" | "global" | "local"
                    )
                    && chars
                        .get(j + 1)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
                if !(c.is_ascii_alphanumeric() || c == '_' || scope) {
                    break;
                }
                name.push(c);
                j += 1;
            }
            if name.is_empty() {
                return None;
            }
            (name, j)
        } else {
            return None;
        };
        let mut value = self
            .lookup(&name, here)
            .unwrap_or_else(|| Err(chars[i..end].iter().collect()));
        if let Ok(v) = &value {
            match self.substituted.checked_sub(v.len()) {
                Some(left) => self.substituted = left,
                None => value = Err(chars[i..end].iter().collect()),
            }
        }
        if bare
            && chars.get(end) == Some(&'.')
            && chars.get(end + 1).is_some_and(|c| c.is_ascii_alphabetic())
        {
            let mut j = end + 1;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric() || chars[j] == '.' || chars[j] == '_')
            {
                j += 1;
            }
            let member: String = chars[end..j].iter().collect();
            value = if name.eq_ignore_ascii_case("myinvocation")
                && member.eq_ignore_ascii_case(".MyCommand.Path")
            {
                here.path
                    .map(|p| Ok(p.to_string()))
                    .unwrap_or_else(|| Err(format!("${name}{member}")))
            } else {
                Err(chars[i..j].iter().collect())
            };
            end = j;
        }
        if bare && chars.get(end) == Some(&'[') {
            let close = chars[end..]
                .iter()
                .position(|&c| c == ']')
                .map_or(chars.len(), |p| end + p + 1);
            value = Err(chars[i..close].iter().collect());
            end = close;
        }
        Some((value, end))
    }

    /// The words of a statement in argument mode, up to a pipe; redirections dropped.
    fn words(&mut self, statement: &str, here: Here) -> Vec<Word> {
        let chars: Vec<char> = statement.chars().collect();
        let mut out: Vec<Word> = Vec::new();
        let mut i = 0;
        let mut skip_next = false;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() || c == ',' {
                i += 1;
                continue;
            }
            if c == '|' || (c == '&' && chars.get(i + 1) == Some(&'&')) {
                break;
            }
            let start = i;
            let mut value: Value = Ok(String::new());
            let mut quoted = false;
            let push = |value: &mut Value, part: Value| {
                *value = match (std::mem::replace(value, Ok(String::new())), part) {
                    (Ok(a), Ok(b)) => Ok(a + &b),
                    (_, _) => Err(String::new()),
                };
            };
            while i < chars.len() {
                let c = chars[i];
                if c.is_whitespace() || c == ',' || c == '|' || c == ';' {
                    break;
                }
                match c {
                    '\'' => {
                        quoted = true;
                        let mut s = String::new();
                        i += 1;
                        while i < chars.len() {
                            if chars[i] == '\'' {
                                if chars.get(i + 1) == Some(&'\'') {
                                    s.push('\'');
                                    i += 2;
                                    continue;
                                }
                                i += 1;
                                break;
                            }
                            s.push(chars[i]);
                            i += 1;
                        }
                        push(&mut value, Ok(s));
                    }
                    '"' => {
                        quoted = true;
                        i += 1;
                        while i < chars.len() {
                            let c = chars[i];
                            if c == '"' {
                                if chars.get(i + 1) == Some(&'"') {
                                    push(&mut value, Ok("\"".into()));
                                    i += 2;
                                    continue;
                                }
                                i += 1;
                                break;
                            }
                            if c == '`' {
                                let e = chars.get(i + 1).copied().unwrap_or('`');
                                push(&mut value, Ok(escaped(e)));
                                i += 2;
                                continue;
                            }
                            if c == '$' {
                                if let Some((v, end)) = self.variable(&chars, i, false, here) {
                                    push(&mut value, v);
                                    i = end;
                                    continue;
                                }
                            }
                            push(&mut value, Ok(c.to_string()));
                            i += 1;
                        }
                    }
                    '`' => {
                        let e = chars.get(i + 1).copied().unwrap_or('`');
                        push(&mut value, Ok(e.to_string()));
                        i += 2;
                    }
                    '$' => match self.variable(&chars, i, true, here) {
                        Some((v, end)) => {
                            push(&mut value, v);
                            i = end;
                        }
                        None => {
                            push(&mut value, Ok("$".into()));
                            i += 1;
                        }
                    },
                    '@' if i == start && matches!(chars.get(i + 1), Some('(' | '{'))
                        || chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) =>
                    {
                        // `@(…)`, `@{…}`, a splatted `@args`: not worked out.
                        let end = match chars[i + 1] {
                            '(' | '{' => matching(&chars, i + 1),
                            _ => {
                                let mut j = i + 1;
                                while j < chars.len()
                                    && (chars[j].is_ascii_alphanumeric() || chars[j] == '_')
                                {
                                    j += 1;
                                }
                                j
                            }
                        };
                        push(&mut value, Err(String::new()));
                        i = end;
                    }
                    '(' if i == start => {
                        let end = matching(&chars, i);
                        let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
                            .iter()
                            .collect();
                        let mut v = match self.nesting < MAX_NESTING {
                            true => {
                                self.nesting += 1;
                                let v = self.expression(&inner, here);
                                self.nesting -= 1;
                                v
                            }
                            false => Err(inner.clone()),
                        };
                        let mut j = end;
                        if chars.get(j) == Some(&'.') {
                            while j < chars.len()
                                && (chars[j].is_ascii_alphanumeric()
                                    || chars[j] == '.'
                                    || chars[j] == '_')
                            {
                                j += 1;
                            }
                            let member: String = chars[end..j]
                                .iter()
                                .collect::<String>()
                                .to_ascii_lowercase();
                            let inner_lower = inner.trim_start().to_ascii_lowercase();
                            let path_of = ["resolve-path", "get-item", "convert-path"]
                                .iter()
                                .any(|c| inner_lower.starts_with(c));
                            if !(path_of
                                && matches!(
                                    member.as_str(),
                                    ".path" | ".fullname" | ".providerpath"
                                ))
                            {
                                v = Err(String::new());
                            }
                        }
                        push(&mut value, v);
                        i = j;
                    }
                    _ => {
                        push(&mut value, Ok(c.to_string()));
                        i += 1;
                    }
                }
            }
            let written: String = chars[start..i].iter().collect();
            let value = value.map_err(|_| written.clone());
            let word = Word { value, quoted };
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if !word.quoted {
                if let Some(redirect) = redirection(word.text()) {
                    skip_next = redirect;
                    continue;
                }
            }
            out.push(word);
        }
        out
    }

    /// The value of an expression: a string, a variable, `Join-Path`, `Split-Path`,
    /// `Resolve-Path`, `(…)`, `a + b` of those. `Err` with the text otherwise.
    fn expression(&mut self, text: &str, here: Here) -> Value {
        let text = text.trim();
        let unknown = || Err(text.to_string());
        if text.is_empty() {
            return unknown();
        }
        let words = self.words(text, here);
        let Some(first) = words.first() else {
            return unknown();
        };
        if !first.quoted && first.value.is_ok() && !text.starts_with(['$', '(', '"', '\'']) {
            let command = first.text().to_ascii_lowercase();
            let args = &words[1..];
            let named = |name: &str| {
                args.iter()
                    .position(|w| w.bare(name))
                    .and_then(|p| args.get(p + 1))
            };
            let positional: Vec<&Word> = {
                let mut out = Vec::new();
                let mut i = 0;
                while i < args.len() {
                    let w = &args[i];
                    if !w.quoted && w.text().starts_with('-') && w.value.is_ok() {
                        let takes_value = !matches!(
                            w.text().to_ascii_lowercase().as_str(),
                            "-parent" | "-leaf" | "-resolve" | "-relative"
                        );
                        i += if takes_value { 2 } else { 1 };
                        continue;
                    }
                    out.push(w);
                    i += 1;
                }
                out
            };
            return match command.as_str() {
                "join-path" => {
                    let parent = named("-path").or(positional.first().copied());
                    let child = named("-childpath").or(positional.get(1).copied());
                    match (
                        parent.map(|w| w.value.clone()),
                        child.map(|w| w.value.clone()),
                    ) {
                        (Some(Ok(p)), Some(Ok(c))) => {
                            let mut out = join_path(&p, &c);
                            for extra in positional.iter().skip(2) {
                                match &extra.value {
                                    Ok(e) => out = join_path(&out, e),
                                    Err(_) => return unknown(),
                                }
                            }
                            Ok(out)
                        }
                        _ => unknown(),
                    }
                }
                "split-path" => {
                    let leaf = args.iter().any(|w| w.bare("-leaf"));
                    let path = named("-path").or(positional.first().copied());
                    match path.map(|w| w.value.clone()) {
                        Some(Ok(p)) => {
                            let trimmed = p.trim_end_matches(['\\', '/']);
                            match trimmed.rfind(['\\', '/']) {
                                Some(cut) if leaf => Ok(trimmed[cut + 1..].to_string()),
                                Some(cut) => Ok(trimmed[..cut.max(1)].to_string()),
                                None if leaf => Ok(trimmed.to_string()),
                                None => Ok(String::new()),
                            }
                        }
                        _ => unknown(),
                    }
                }
                "resolve-path" | "convert-path" | "get-item" => {
                    match named("-path")
                        .or(named("-literalpath"))
                        .or(positional.first().copied())
                    {
                        Some(Word { value: Ok(p), .. }) => Ok(p.clone()),
                        _ => unknown(),
                    }
                }
                n if words.len() == 1 && n.chars().all(|c| c.is_ascii_digit()) => Ok(n.to_string()),
                _ => unknown(),
            };
        }
        // `a + b + c` of strings and variables.
        let mut out = String::new();
        let mut expect_operand = true;
        for w in &words {
            if !w.quoted && w.text() == "+" && !expect_operand {
                expect_operand = true;
                continue;
            }
            if !expect_operand {
                return unknown();
            }
            match &w.value {
                Ok(v) => out.push_str(v),
                Err(_) => return unknown(),
            }
            expect_operand = false;
        }
        if expect_operand {
            return unknown();
        }
        Ok(out)
    }

    fn set_env(&mut self, name: &str, change: EnvChange, at: At) {
        self.env.set(name, change, at);
    }

    /// A statement clawlint cannot read that may run compose (`iex`, `cmd /c "… compose …"`)
    /// gets a located note rather than a guess.
    fn note_if_compose(&mut self, statement: &str, at: At) {
        if statement.to_ascii_lowercase().contains("compose") {
            self.note(
                at,
                NoteKind::Unresolved {
                    what: statement.to_string(),
                },
            );
        }
    }

    /// Whether the script at `path` is file `file` or one of the files that ran it, up to
    /// the script the session started with.
    fn being_read(&self, file: usize, path: &str) -> bool {
        let mut at = file;
        loop {
            let (here, from) = match at {
                0 => (self.script.as_str(), None),
                n => (
                    self.out.files[n - 1].path.as_str(),
                    self.out.files[n - 1].from,
                ),
            };
            if here == path {
                return true;
            }
            match from {
                Some((f, _)) => at = f,
                None => return false,
            }
        }
    }

    /// Notes `what` at `at`, once for each statement of each file, [`MAX_NOTES`] at most.
    fn note(&mut self, at: At, what: NoteKind) {
        let path = match at.0 {
            0 => self.script.clone(),
            n => self.out.files[n - 1].path.clone(),
        };
        if !self.noted.insert((path, at.1)) {
            return;
        }
        if self.out.notes.len() < MAX_NOTES {
            self.out.notes.push(Note { at, what });
            return;
        }
        self.more.get_or_insert((at, 0)).1 += 1;
    }

    fn statement(&mut self, statement: &str, at: At, here: Here) {
        let lower = statement.to_ascii_lowercase();
        if lower.contains("setenvironmentvariable") {
            self.environment_call(statement, at, here);
            return;
        }
        // Keywords that open blocks: what follows in the braces is read in order.
        let keyword = lower
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        if matches!(
            keyword,
            "if" | "elseif"
                | "else"
                | "switch"
                | "foreach"
                | "for"
                | "while"
                | "do"
                | "until"
                | "try"
                | "catch"
                | "finally"
                | "function"
                | "filter"
                | "param"
                | "return"
                | "exit"
                | "throw"
                | "break"
                | "continue"
                | "trap"
                | "begin"
                | "process"
                | "end"
        ) || statement.starts_with('[') && !statement.contains('$')
            || statement.starts_with(['"', '\''])
        {
            return;
        }
        if let Some((target, op, rhs)) = assignment(statement) {
            self.assign(target, op, rhs, at, here);
            return;
        }
        self.command(statement, at, here);
    }

    /// `[Environment]::SetEnvironmentVariable('N', 'v'[, 'Process'|'User'|'Machine'])`.
    fn environment_call(&mut self, statement: &str, at: At, here: Here) {
        let open = statement.find('(').unwrap_or(statement.len());
        let inner = statement[open..]
            .trim_start_matches('(')
            .trim_end()
            .trim_end_matches(')');
        let args = self.words(inner, here);
        let scope = args
            .get(2)
            .map(|w| w.text().to_ascii_lowercase())
            .unwrap_or_else(|| "process".to_string());
        if scope.contains("user") || scope.contains("machine") {
            // The registry, not this process: nothing the script runs next sees it.
            return;
        }
        match (
            args.first().map(|w| &w.value),
            args.get(1).map(|w| &w.value),
        ) {
            (Some(Ok(name)), Some(Ok(v))) => {
                let name = name.clone();
                let change = match v.is_empty() {
                    true => EnvChange::Unset,
                    false => EnvChange::Set(v.clone()),
                };
                self.set_env(&name, change, at);
            }
            (Some(Ok(name)), _) => {
                let name = name.clone();
                self.set_env(&name, EnvChange::Unknown(inner.to_string()), at);
            }
            _ => {
                self.injects_env = Some("the PowerShell script, at run time".to_string());
            }
        }
    }

    fn assign(&mut self, target: &str, op: &str, rhs: &str, at: At, here: Here) {
        let name = target
            .trim_start_matches('$')
            .trim_start_matches('{')
            .trim_end_matches('}')
            .to_string();
        let lower_rhs = rhs.to_ascii_lowercase();
        let value: Value = if op != "=" {
            Err(format!("{target} {op} {rhs}"))
        } else if lower_rhs.contains("getenvironmentvariable") {
            self.injects_env = Some("the Windows user environment".to_string());
            Err(rhs.to_string())
        } else if lower_rhs == "$null" {
            Ok(String::new())
        } else {
            let v = self.expression(rhs, here);
            if v.is_err() {
                // `$x = docker compose up -d`: the command runs; its output is the value.
                let first = rhs.trim_start();
                let command_like = first
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '&' || c == '.')
                    && !lower_rhs.starts_with("if")
                    && !lower_rhs.starts_with("switch");
                if command_like {
                    self.command(first, at, here);
                }
            }
            v.map_err(|_| rhs.to_string())
        };
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("env:") {
            let var = name[4..].to_string();
            let change = match value {
                Ok(v) if v.is_empty() => EnvChange::Unset,
                Ok(v) => EnvChange::Set(v),
                Err(w) => EnvChange::Unknown(w),
            };
            self.set_env(&var, change, at);
            return;
        }
        if name.contains(',') || name.contains('[') || name.contains('.') {
            return;
        }
        let key = lower
            .strip_prefix("script:")
            .or_else(|| lower.strip_prefix("global:"))
            .unwrap_or(&lower)
            .to_string();
        self.locals.insert(key, value);
    }

    fn command(&mut self, statement: &str, at: At, here: Here) {
        let mut words = self.words(statement, here);
        let mut call = None;
        if let Some(first) = words.first() {
            if first.bare("&") || first.bare(".") {
                call = Some(first.text().to_string());
                words.remove(0);
            }
        }
        let Some(first) = words.first().cloned() else {
            return;
        };
        let program = program_name(first.text());
        match program.as_str() {
            "set-location" | "cd" | "sl" | "chdir" | "push-location" | "pushd" => {
                let push = matches!(program.as_str(), "push-location" | "pushd");
                let dir = words[1..]
                    .iter()
                    .position(|w| w.bare("-path") || w.bare("-literalpath"))
                    .and_then(|p| words.get(p + 2))
                    .or_else(|| {
                        words[1..]
                            .iter()
                            .find(|w| w.quoted || !w.text().starts_with('-'))
                    });
                let Some(dir) = dir else { return };
                let new = match &dir.value {
                    Ok(d) if d == "~" || d.starts_with("~\\") || d.starts_with("~/") => {
                        match self.base.get("USERPROFILE") {
                            Some(h) => Ok(join_path(h, &d[1..])),
                            None => Err(d.clone()),
                        }
                    }
                    Ok(d) if is_absolute(d) => Ok(d.clone()),
                    Ok(d) => match &self.cwd {
                        Some(Ok(c)) => Ok(join_path(c, d)),
                        Some(Err(w)) => Err(format!("{w}\\{d}")),
                        None => Ok(d.clone()),
                    },
                    Err(w) => Err(w.clone()),
                };
                if push {
                    self.dir_stack.push(self.cwd.clone());
                }
                self.cwd = Some(new);
                return;
            }
            "pop-location" | "popd" => {
                if let Some(prev) = self.dir_stack.pop() {
                    self.cwd = prev;
                }
                return;
            }
            "set-item" | "si" | "new-item" | "ni" => {
                let path = words[1..]
                    .iter()
                    .position(|w| w.bare("-path") || w.bare("-literalpath"))
                    .and_then(|p| words.get(p + 2))
                    .or_else(|| words.get(1));
                let is_env =
                    path.is_some_and(|p| p.text().to_ascii_lowercase().starts_with("env:"));
                if !is_env {
                    return;
                }
                let path = path.cloned().unwrap_or(Word {
                    value: Err(String::new()),
                    quoted: false,
                });
                let value = words[1..]
                    .iter()
                    .position(|w| w.bare("-value"))
                    .and_then(|p| words.get(p + 2))
                    .or_else(|| words.get(2).filter(|w| !w.text().starts_with('-')));
                match &path.value {
                    Ok(p) => {
                        let name = p[4..].trim_start_matches(['\\', '/']).to_string();
                        let change = match value.map(|w| &w.value) {
                            Some(Ok(v)) => EnvChange::Set(v.clone()),
                            Some(Err(w)) => EnvChange::Unknown(w.clone()),
                            None => EnvChange::Unset,
                        };
                        self.set_env(&name, change, at);
                    }
                    Err(_) => {
                        self.injects_env = Some("the PowerShell script, at run time".to_string())
                    }
                }
                return;
            }
            "remove-item" | "ri" | "del" | "rm" => {
                if let Some(Ok(p)) = words.get(1).map(|w| &w.value) {
                    if p.to_ascii_lowercase().starts_with("env:") {
                        let name = p[4..].trim_start_matches(['\\', '/']).to_string();
                        self.set_env(&name, EnvChange::Unset, at);
                    }
                }
                return;
            }
            "invoke-expression" | "iex" | "cmd" | "wsl" | "bash" | "ssh" => {
                self.note_if_compose(statement, at);
                return;
            }
            _ => {}
        }
        // `Start-Process X -ArgumentList a, b -WorkingDirectory D`.
        let mut run_cwd = None;
        let words = if matches!(program.as_str(), "start-process" | "saps" | "start") {
            let mut file = None;
            let mut args: Vec<Word> = Vec::new();
            let mut i = 1;
            while i < words.len() {
                let w = &words[i];
                let option = (!w.quoted).then(|| w.text().to_ascii_lowercase());
                match option.as_deref() {
                    Some("-filepath") => {
                        file = words.get(i + 1).cloned();
                        i += 2;
                    }
                    Some("-argumentlist" | "-args") => {
                        i += 1;
                        while i < words.len()
                            && (words[i].quoted || !words[i].text().starts_with('-'))
                        {
                            args.push(words[i].clone());
                            i += 1;
                        }
                    }
                    Some("-workingdirectory") => {
                        run_cwd = words.get(i + 1).map(|w| w.value.clone());
                        i += 2;
                    }
                    Some(o) if o.starts_with('-') => i += 1,
                    _ => {
                        if file.is_none() {
                            file = Some(w.clone());
                        } else {
                            args.push(w.clone());
                        }
                        i += 1;
                    }
                }
            }
            // One string of arguments is split as the program's command line.
            if args.len() == 1 {
                if let Ok(line) = &args[0].value {
                    if line.contains(' ') {
                        let line = line.clone();
                        args = line
                            .split_whitespace()
                            .map(|a| Word {
                                value: Ok(a.to_string()),
                                quoted: true,
                            })
                            .collect();
                    }
                }
            }
            file.into_iter().chain(args).collect::<Vec<_>>()
        } else {
            words
        };
        let Some(first) = words.first().cloned() else {
            return;
        };
        let program = program_name(first.text());
        let argv: Vec<String> = std::iter::once(program.clone())
            .chain(words[1..].iter().map(|w| w.text().to_string()))
            .collect();
        let unresolved: Vec<String> = words
            .iter()
            .filter_map(|w| w.value.as_ref().err().cloned())
            .collect();
        // Scripts it runs.
        if program.ends_with(".ps1") || target(&argv).is_some() {
            let (script, child) = match target(&argv) {
                Some(Target::File(_)) => {
                    let at_file = words
                        .iter()
                        .position(|w| w.bare("-file") || w.bare("-f"))
                        .map_or(1, |p| p + 1);
                    (words.get(at_file).cloned(), true)
                }
                Some(_) => {
                    self.note_if_compose(statement, at);
                    return;
                }
                None => (Some(first.clone()), false),
            };
            let Some(script) = script else { return };
            self.follow(script, child, call.as_deref() == Some("."), at, here);
            return;
        }
        let cwd = match run_cwd {
            Some(c) => Some(c),
            None => self.cwd.clone(),
        };
        let wanted = crate::discover::compose::runs::parse(&argv).is_some()
            || (self.out.gateway.is_none() && starts_gateway(&argv));
        // The statement gets a copy of all the scripts set: counted, and past the budget
        // nothing more is read.
        let cost = if wanted { self.env.cost() } else { 0 };
        match self.copies.checked_sub(cost) {
            Some(left) => self.copies = left,
            None => {
                self.stopped = true;
                let variables = self.env.list.len();
                self.note(at, NoteKind::TooMuchEnv { variables });
                return;
            }
        }
        let found = Found {
            at,
            argv: argv.clone(),
            unresolved: unresolved.clone(),
            cwd,
            env: if wanted {
                self.env.list.clone()
            } else {
                Vec::new()
            },
            injects_env: self.injects_env.clone(),
        };
        if crate::discover::compose::runs::parse(&argv).is_some() {
            self.out.compose.push(found);
            return;
        }
        let engine = matches!(
            program.as_str(),
            "docker" | "podman" | "docker-compose" | "podman-compose"
        );
        if engine && !unresolved.is_empty() {
            self.note(
                at,
                NoteKind::Unresolved {
                    what: format!("{} {}", first.text(), unresolved.join(" ")),
                },
            );
            return;
        }
        if self.out.gateway.is_none() && starts_gateway(&argv) {
            self.out.gateway = Some(found);
        }
    }

    /// Runs the script a statement names: `& x.ps1` (its own variables, the session's
    /// environment and location), `. x.ps1` (the caller's variables too), `powershell -File
    /// x.ps1` (a child process: what it sets does not come back).
    fn follow(&mut self, script: Word, child: bool, dot: bool, at: At, here: Here) {
        let path = match &script.value {
            Ok(p) => p.clone(),
            Err(written) => {
                self.note(
                    at,
                    NoteKind::Unresolved {
                        what: written.clone(),
                    },
                );
                return;
            }
        };
        if here.depth >= self.max_depth {
            self.note(at, NoteKind::TooDeep { path });
            return;
        }
        if self.reads == 0 {
            self.note(at, NoteKind::TooManyReads { path });
            return;
        }
        let cwd = match &self.cwd {
            Some(Ok(c)) => Some(c.clone()),
            Some(Err(_)) if !is_absolute(&path) => {
                self.note(at, NoteKind::Unresolved { what: path });
                return;
            }
            _ => None,
        };
        let (placed, text) = match self.scripts.load(&path, cwd.as_deref()) {
            Ok(loaded) => loaded,
            Err(why) => {
                self.note(at, NoteKind::NotRead { path, why });
                return;
            }
        };
        // `. $PSCommandPath` on each of thousands of lines re-read the script at each, down to
        // the depth and read budgets.
        if self.being_read(at.0, &placed) {
            self.note(at, NoteKind::Cycle { path: placed });
            return;
        }
        self.reads -= 1;
        self.out.files.push(ScriptFile {
            path: placed.clone(),
            text: text.clone(),
            from: Some(at),
            depth: here.depth + 1,
        });
        let file = self.out.files.len();
        let saved = (!dot || child).then(|| self.locals.clone());
        let saved_env = child.then(|| (self.env.clone(), self.cwd.clone(), self.dir_stack.clone()));
        self.run(&text, file, Some(&placed), here.depth + 1);
        if let Some(locals) = saved {
            self.locals = locals;
        }
        if let Some((env, cwd, stack)) = saved_env {
            self.env = env;
            self.cwd = cwd;
            self.dir_stack = stack;
        }
    }
}

/// One parameter of a `param(…)` block: its name (lower-cased), whether it is a
/// `[switch]`, its explicit `Position`, and its default as written.
#[derive(Debug, PartialEq)]
struct Param {
    name: String,
    switch: bool,
    position: Option<usize>,
    default: Option<String>,
}

fn is_param_block(statement: &str) -> bool {
    let lower = statement.to_ascii_lowercase();
    lower
        .strip_prefix("param")
        .is_some_and(|rest| rest.trim_start().starts_with('('))
}

/// `-Name:value` carries its value.
fn inline_given(named: &str) -> bool {
    named.contains(':')
}

/// The parameters of a `param(…)` statement, in order. Attributes (`[Parameter(Position =
/// 0)]`, `[ValidateSet(…)]`, `[string]`) are read for `[switch]` and `Position` only.
fn params_of(block: &str) -> Vec<Param> {
    let Some(open) = block.find('(') else {
        return Vec::new();
    };
    let inner = &block[open + 1..block.rfind(')').unwrap_or(block.len()).max(open + 1)];
    top_level_split(inner, ',')
        .into_iter()
        .filter_map(|part| {
            let part = part.trim();
            let dollar = top_level_find(part, '$')?;
            let (attributes, rest) = part.split_at(dollar);
            let (name, default) = match top_level_find(rest, '=') {
                Some(eq) => (&rest[1..eq], Some(rest[eq + 1..].trim().to_string())),
                None => (&rest[1..], None),
            };
            let lower = attributes.to_ascii_lowercase();
            let position = lower.find("position").and_then(|at| {
                let digits: String = lower[at + "position".len()..]
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '=')
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            });
            Some(Param {
                name: name.trim().to_ascii_lowercase(),
                switch: lower.contains("[switch]"),
                position,
                default,
            })
        })
        .collect()
}

/// Which parameters take positional arguments, in order: those with an explicit `Position`
/// (by it) when any has one, else every one but `[switch]`es, as declared.
fn positional_order(params: &[Param]) -> Vec<usize> {
    let mut explicit: Vec<(usize, usize)> = params
        .iter()
        .enumerate()
        .filter_map(|(k, p)| p.position.map(|n| (n, k)))
        .collect();
    if explicit.is_empty() {
        return (0..params.len()).filter(|&k| !params[k].switch).collect();
    }
    explicit.sort();
    explicit.into_iter().map(|(_, k)| k).collect()
}

/// `text` split at `sep` outside brackets, parentheses, braces and quotes.
fn top_level_split(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = top_level_find(rest, sep) {
        out.push(&rest[..at]);
        rest = &rest[at + sep.len_utf8()..];
    }
    out.push(rest);
    out
}

/// The first `c` of `text` outside brackets, parentheses, braces and quotes.
fn top_level_find(text: &str, c: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (at, ch) in text.char_indices() {
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, _) if ch == c && depth == 0 => return Some(at),
            _ => {}
        }
    }
    None
}

/// `switch ($Name) {`: `Some(Some(name))`; `Some(None)` for a switch clawlint does not
/// decide (`-Regex`, `-Wildcard`, `-File`, a subject that is no plain variable); `None` when
/// the statement is no `switch`.
fn switch_subject(statement: &str) -> Option<Option<&str>> {
    let lower = statement.to_ascii_lowercase();
    let rest = lower.strip_prefix("switch")?;
    if !rest.starts_with([' ', '\t', '(', '-']) {
        return None;
    }
    if ["-regex", "-wildcard", "-file"]
        .iter()
        .any(|o| rest.contains(o))
    {
        return Some(None);
    }
    let open = statement.find('(')?;
    let close = statement.rfind(')')?;
    let subject = statement.get(open + 1..close)?.trim();
    let name = subject.strip_prefix('$').filter(|n| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    });
    Some(name)
}

/// An open `switch` whose branches are decided ([`read_with_args`]).
struct Switch {
    /// The subject's value, when known.
    value: Option<String>,
    case_sensitive: bool,
    /// The brace depth of its labels.
    body: usize,
    /// A label matched before.
    matched: bool,
}

impl Switch {
    fn new(value: Option<String>, body: usize, statement: &str) -> Switch {
        Switch {
            value,
            case_sensitive: statement.to_ascii_lowercase().contains("-casesensitive"),
            body,
            matched: false,
        }
    }

    /// Whether the branch labelled `label` runs. Undecided (read) when the subject or the
    /// label is not a literal clawlint knows.
    fn runs(&mut self, label: &str) -> bool {
        let Some(value) = &self.value else {
            return true;
        };
        let label = label.trim();
        if label.eq_ignore_ascii_case("default") {
            return !self.matched;
        }
        let literal = match label.chars().next() {
            Some(q @ ('"' | '\'')) if label.len() >= 2 && label.ends_with(q) => {
                &label[1..label.len() - 1]
            }
            Some(c) if c.is_alphanumeric() => label,
            _ => return true,
        };
        if literal.contains(['$', '`']) || literal.contains(char::is_whitespace) {
            return true;
        }
        let hit = match self.case_sensitive {
            true => literal == value,
            false => literal.eq_ignore_ascii_case(value),
        };
        self.matched |= hit;
        hit
    }
}

/// `` `n `` and the other escapes of a double-quoted string.
fn escaped(c: char) -> String {
    match c {
        'n' => "\n".into(),
        't' => "\t".into(),
        'r' => "\r".into(),
        '0' => "\0".into(),
        'e' => "\u{1b}".into(),
        other => other.to_string(),
    }
}

/// The index after the bracket that closes the one at `open` (quotes respected).
fn matching(chars: &[char], open: usize) -> usize {
    let (o, c) = match chars[open] {
        '{' => ('{', '}'),
        '[' => ('[', ']'),
        _ => ('(', ')'),
    };
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut i = open;
    while i < chars.len() {
        let ch = chars[i];
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == o => depth += 1,
            None if ch == c => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            None => {}
        }
        i += 1;
    }
    chars.len()
}

/// A redirection word: `Some(true)` when its target is the next word (`>`, `2>`), `Some(false)`
/// when it is whole (`2>&1`, `*>$null`, `>log.txt`).
fn redirection(word: &str) -> Option<bool> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '*');
    let rest = rest
        .strip_prefix(">>")
        .or_else(|| rest.strip_prefix('>'))
        .or_else(|| rest.strip_prefix('<'))?;
    Some(rest.is_empty())
}

/// `$x = …`, `$env:X = …`, `${env:X} = …`, `[string]$x = …`, `$x += …`: target, operator,
/// right-hand side.
fn assignment(statement: &str) -> Option<(&str, &str, &str)> {
    let s = match statement.strip_prefix('[') {
        Some(rest) if rest.contains(']') => rest[rest.find(']')? + 1..].trim_start(),
        _ => statement,
    };
    if !s.starts_with('$') {
        return None;
    }
    let target_end = if s.starts_with("${") {
        s.find('}')? + 1
    } else {
        s[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .map_or(s.len(), |p| p + 1)
    };
    let target = &s[..target_end];
    let rest = s[target_end..].trim_start();
    for op in ["+=", "-=", "*=", "/=", "="] {
        if let Some(rhs) = rest.strip_prefix(op) {
            if op == "=" && rhs.starts_with('=') {
                return None;
            }
            return Some((target, op, rhs.trim()));
        }
    }
    None
}

/// The statements of a script with their byte offsets: lines, `;` and braces separate
/// (outside quotes, parentheses and here-strings); comments (`#`, `<# … #>`) dropped; a
/// backtick at the end of a line continues the statement on the next.
fn statements(text: &str) -> Vec<Statement> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start: Option<usize> = None;
    let mut depth = 0usize;
    // Braces open at the statement being read (its block depth).
    let mut braces = 0usize;
    let mut i = 0;
    let flush = |cur: &mut String,
                 start: &mut Option<usize>,
                 out: &mut Vec<Statement>,
                 braces: usize,
                 opens: bool| {
        let s = cur.trim();
        if let (false, Some(at)) = (s.is_empty(), *start) {
            out.push(Statement {
                text: s.to_string(),
                offset: at,
                depth: braces,
                opens,
            });
        }
        cur.clear();
        *start = None;
    };
    let next = |i: usize| chars.get(i + 1).map(|(_, c)| *c);
    while i < chars.len() {
        let (at, c) = chars[i];
        if start.is_none() && !c.is_whitespace() {
            start = Some(at);
        }
        match c {
            '\'' | '"' => {
                // A quoted string (with `` ` `` escapes in `"…"`), kept whole.
                cur.push(c);
                i += 1;
                while i < chars.len() {
                    let ch = chars[i].1;
                    cur.push(ch);
                    if c == '"' && ch == '`' {
                        if let Some(n) = next(i) {
                            cur.push(n);
                            i += 1;
                        }
                    } else if ch == c {
                        if next(i) == Some(c) {
                            cur.push(c);
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            '@' if matches!(next(i), Some('"' | '\''))
                && matches!(chars.get(i + 2).map(|p| p.1), Some('\n' | '\r')) =>
            {
                // A here-string: to a line starting with `"@` / `'@`. Not worked out.
                let q = next(i).unwrap_or('"');
                let mut j = i + 2;
                while j < chars.len() {
                    if chars[j].1 == '\n'
                        && chars.get(j + 1).map(|p| p.1) == Some(q)
                        && chars.get(j + 2).map(|p| p.1) == Some('@')
                    {
                        j += 3;
                        break;
                    }
                    j += 1;
                }
                cur.push_str("$(here-string)");
                i = j;
                continue;
            }
            '<' if next(i) == Some('#') => {
                let mut j = i + 2;
                while j + 1 < chars.len() && !(chars[j].1 == '#' && chars[j + 1].1 == '>') {
                    j += 1;
                }
                i = j + 2;
                if cur.trim().is_empty() {
                    start = None;
                }
                continue;
            }
            '#' if cur.is_empty()
                || cur.ends_with(|c: char| c.is_whitespace() || c == '(' || c == ';') =>
            {
                while i < chars.len() && chars[i].1 != '\n' {
                    i += 1;
                }
                if cur.trim().is_empty() {
                    start = None;
                }
                continue;
            }
            '`' => {
                match next(i) {
                    Some('\r') if chars.get(i + 2).map(|p| p.1) == Some('\n') => {
                        cur.push(' ');
                        i += 3;
                    }
                    Some('\n') => {
                        cur.push(' ');
                        i += 2;
                    }
                    Some(n) => {
                        cur.push('`');
                        cur.push(n);
                        i += 2;
                    }
                    None => i += 1,
                }
                continue;
            }
            '$' if next(i) == Some('{') => {
                // `${name}`: its braces are no block.
                while i < chars.len() {
                    cur.push(chars[i].1);
                    if chars[i].1 == '}' {
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '{' if depth == 0 => {
                flush(&mut cur, &mut start, &mut out, braces, true);
                braces += 1;
                i += 1;
                continue;
            }
            '}' if depth == 0 => {
                flush(&mut cur, &mut start, &mut out, braces, false);
                braces = braces.saturating_sub(1);
                i += 1;
                continue;
            }
            '\n' | ';' if depth == 0 => {
                flush(&mut cur, &mut start, &mut out, braces, false);
                i += 1;
                continue;
            }
            '\n' | '\r' => {
                cur.push(' ');
                i += 1;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        i += 1;
    }
    flush(&mut cur, &mut start, &mut out, braces, false);
    out
}

/// One statement of a script: its text, where it starts, how many blocks (`{`) it is in, and
/// whether a `{` ends it (it opens a block: `if (…) {`, `switch ($x) {`, a label `"start" {`).
struct Statement {
    text: String,
    offset: usize,
    depth: usize,
    opens: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoded_command_is_base64_of_utf16le_and_bounded() {
        let arg = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let hi = "VwByAGkAdABlAC0ASABvAHMAdAAgAGgAaQA=";
        assert_eq!(
            super::decode_encoded_command(hi).as_deref(),
            Ok("Write-Host hi")
        );
        // Padding optional, whitespace ignored, every spelling PowerShell accepts.
        for option in ["-EncodedCommand", "-enc", "-ec", "-e", "-ENCODED"] {
            assert_eq!(
                super::target(&arg(&[
                    "powershell.exe",
                    "-NoProfile",
                    option,
                    "VwByAGkAdABlAC0ASABvAHMAdAAgAGgAaQA"
                ])),
                Some(super::Target::Encoded(Ok("Write-Host hi".to_string()))),
                "{option}"
            );
        }
        assert!(super::decode_encoded_command("not*base64").is_err());
        // An odd number of bytes, or a lone surrogate, is no UTF-16 text.
        assert!(super::decode_encoded_command("QUJD").is_err());
        assert!(super::decode_encoded_command("ANg=").is_err());
        // Longer than the bound: refused without decoding.
        let long = "A".repeat(super::MAX_ENCODED_LEN + 4);
        assert!(super::decode_encoded_command(&long)
            .unwrap_err()
            .contains("more than"));
        // `-ep` is -ExecutionPolicy, not an encoded command.
        assert_eq!(
            super::target(&arg(&["pwsh", "-ep", "Bypass", "-File", "x.ps1"])),
            Some(super::Target::File("x.ps1".to_string()))
        );
    }

    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn powershell_targets() {
        assert_eq!(
            target(&v(&[
                "powershell.exe",
                "-NoProfile",
                "-ExecutionPolicy",
                "Bypass",
                "-File",
                "C:\\Users\\ana\\start.ps1"
            ])),
            Some(Target::File("C:\\Users\\ana\\start.ps1".into()))
        );
        assert_eq!(
            target(&v(&["pwsh", "-c", "openclaw", "gateway"])),
            Some(Target::Command("openclaw gateway".into()))
        );
        assert_eq!(target(&v(&["node", "x.ps1"])), None);
    }

    #[test]
    fn scripts_are_read_statically() {
        let vars = BTreeMap::from([("USERPROFILE".to_string(), "C:\\Users\\ana".to_string())]);
        let script = "# start\r\n$env:OPENCLAW_STATE_DIR = \"$env:USERPROFILE\\.openclaw-work\"\r\n$env:OPENCLAW_GATEWAY_TOKEN = [Environment]::GetEnvironmentVariable('OPENCLAW_GATEWAY_TOKEN', 'User')\r\nSet-Location $env:USERPROFILE\r\n& openclaw --profile work gateway run --port 19789\r\n";
        let s = gateway(script, &vars).expect("a gateway line");
        assert_eq!(
            s.argv,
            v(&[
                "openclaw",
                "--profile",
                "work",
                "gateway",
                "run",
                "--port",
                "19789"
            ])
        );
        assert_eq!(
            s.env,
            vec![(
                "OPENCLAW_STATE_DIR".to_string(),
                "C:\\Users\\ana\\.openclaw-work".to_string()
            )]
        );
        assert_eq!(s.cwd.as_deref(), Some("C:\\Users\\ana"));
        assert_eq!(
            s.injects_env.as_deref(),
            Some("the Windows user environment")
        );
        let s = gateway(
            "Start-Process -FilePath \"openclaw\" -ArgumentList \"gateway\", \"start\" -NoNewWindow -PassThru",
            &BTreeMap::new(),
        )
        .expect("Start-Process");
        assert_eq!(s.argv, v(&["openclaw", "gateway", "start"]));
        assert_eq!(
            gateway("Write-Host hi\nopenclaw gateway status", &BTreeMap::new()),
            None
        );
    }

    /// Scripts from a map of layout paths.
    struct Files(BTreeMap<String, String>);

    impl Scripts for Files {
        fn load(&mut self, path: &str, cwd: Option<&str>) -> Result<(String, String), String> {
            let placed = match (is_absolute(path), cwd) {
                (true, _) => path.replace('\\', "/"),
                (false, Some(c)) => format!(
                    "{}/{}",
                    c.replace('\\', "/"),
                    path.trim_start_matches(".\\").replace('\\', "/")
                ),
                (false, None) => format!(
                    "/base/{}",
                    path.trim_start_matches(".\\").replace('\\', "/")
                ),
            };
            self.0
                .get(&placed)
                .map(|t| (placed.clone(), t.clone()))
                .ok_or_else(|| "not in the layout".to_string())
        }
    }

    fn no_vars() -> BTreeMap<String, String> {
        BTreeMap::from([("USERPROFILE".to_string(), "C:\\Users\\ana".to_string())])
    }

    #[test]
    fn compose_statements_with_locations_env_and_continuations() {
        let script = "\u{feff}# start the stack\r\nparam([string]$Action = 'start')\r\n$Root = $PSScriptRoot\r\n$Compose = Join-Path $Root \"openclaw\"\r\n$env:OPENCLAW_GATEWAY_PORT = \"18789\"\r\n${env:COMPOSE_PROFILES} = 'openclaw'\r\nSet-Location -Path $Compose\r\nswitch ($Action) {\r\n  \"start\" {\r\n    & docker compose -f \"$Compose\\docker-compose.yml\" `\r\n      --env-file (Join-Path $Root '.env') `\r\n      -p acme up -d 2>&1 | Out-Null\r\n  }\r\n  \"stop\" { docker-compose.exe down }\r\n}\r\n";
        let r = read(
            script,
            Some("/h/stacks/start.ps1"),
            &no_vars(),
            &mut NoScripts,
            Budget::new(3, 32),
        );
        assert_eq!(r.compose.len(), 2, "{r:#?}");
        let up = &r.compose[0];
        assert_eq!(
            up.argv,
            v(&[
                "docker",
                "compose",
                "-f",
                "/h/stacks\\openclaw\\docker-compose.yml",
                "--env-file",
                "/h/stacks\\.env",
                "-p",
                "acme",
                "up",
                "-d"
            ])
        );
        assert!(up.unresolved.is_empty());
        assert_eq!(up.cwd, Some(Ok("/h/stacks\\openclaw".to_string())));
        let names: Vec<&str> = up.env.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(names, ["OPENCLAW_GATEWAY_PORT", "COMPOSE_PROFILES"]);
        // The statement starts at its first word, on line 10 (after the BOM and CRLFs).
        let line = script[..up.at.1].matches('\n').count() + 1;
        assert_eq!(line, 10);
        assert!(script[up.at.1..].starts_with("& docker compose"));
        assert_eq!(r.compose[1].argv, v(&["docker-compose", "down"]));
        assert!(r.notes.is_empty());
    }

    /// A script's `param(…)` bound from its `-File` arguments decides its `switch`: the
    /// published manage script's `switch ($Action)` runs only the branch of the action it
    /// was started with (or its default, or `default`); unknown arguments decide nothing.
    #[test]
    fn param_and_switch_branches_follow_the_arguments() {
        let script = "param(\n    [Parameter(Position = 0)]\n    [ValidateSet(\"start\", \"dev\")]\n    [string]$Action = \"dev\",\n    [switch]$Pull\n)\nswitch ($Action) {\n    \"start\" {\n        docker compose --profile openclaw up -d\n    }\n    'DEV' { docker compose --profile web up -d }\n    default {\n        docker compose --profile all up -d\n        exit 1\n    }\n}\nif ($Pull) { docker compose pull }\n";
        let profiles = |args: Option<&[&str]>| {
            let args: Option<Vec<String>> = args.map(v);
            read_with_args(
                script,
                Some("/h/manage.ps1"),
                &no_vars(),
                args.as_deref(),
                &mut NoScripts,
                Budget::new(3, 32),
            )
            .compose
            .iter()
            .filter(|f| f.argv.iter().any(|a| a == "up"))
            .map(|f| f.argv[3].clone())
            .collect::<Vec<_>>()
        };
        assert_eq!(profiles(Some(&["start"])), ["openclaw"]);
        assert_eq!(profiles(Some(&["-Action", "dev"])), ["web"]);
        assert_eq!(profiles(Some(&["-act:Start"])), ["openclaw"]);
        // No argument: the parameter's default, compared case-insensitively.
        assert_eq!(profiles(Some(&[])), ["web"]);
        // No branch matches: `default`.
        assert_eq!(profiles(Some(&["status", "-Pull"])), ["all"]);
        // Arguments not known (a script run by another one): every branch, as before.
        assert_eq!(profiles(None), ["openclaw", "web", "all"]);
        // A function's `param(…)` takes the function's arguments, not the script's.
        let r = read_with_args(
            "function Up { param([string]$Action = 'web') }\nswitch ($Action) { 'start' { docker compose up -d } }\n",
            None,
            &no_vars(),
            Some(&v(&["dev"])),
            &mut NoScripts,
            Budget::new(3, 32),
        );
        assert_eq!(r.compose.len(), 1, "$Action is not the function's default");
        let p = params_of("param([Parameter(Position = 1)][string]$B, [switch]$Dev, [Parameter(Position=0)]$A = 'x')");
        assert_eq!(
            p.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["b", "dev", "a"]
        );
        assert_eq!(positional_order(&p), [2, 0]);
        assert!(p[1].switch);
        assert_eq!(p[2].default.as_deref(), Some("'x'"));
        assert_eq!(switch_subject("switch -Regex ($x)"), Some(None));
        assert_eq!(switch_subject("switch ($Action)"), Some(Some("Action")));
        assert_eq!(switch_subject("switchboard"), None);
    }

    #[test]
    fn what_cannot_be_worked_out_is_noted_never_guessed() {
        let script = "$ComposeArgs = @()\nforeach ($file in $ComposeFiles) { $ComposeArgs += \"-f\", $file }\n$upArgs = @(\"compose\") + $ComposeArgs + @(\"up\", \"-d\")\n& docker $upArgs\niex \"docker compose up -d\"\ndocker compose -f $Unknown up -d\n$env:OPENCLAW_GATEWAY_PORT = if ($env:X) { $env:X } else { '1' }\ndocker compose up -d\n";
        let r = read(
            script,
            Some("/h/s.ps1"),
            &no_vars(),
            &mut NoScripts,
            Budget::new(3, 32),
        );
        let whats: Vec<String> = r
            .notes
            .iter()
            .map(|n| match &n.what {
                NoteKind::Unresolved { what } => what.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(whats, ["docker $upArgs", "iex \"docker compose up -d\""]);
        assert_eq!(r.compose.len(), 2);
        assert_eq!(r.compose[0].unresolved, ["$Unknown"]);
        let (name, change, _) = &r.compose[1].env[0];
        assert_eq!(name, "OPENCLAW_GATEWAY_PORT");
        assert!(matches!(change, EnvChange::Unknown(_)), "{change:?}");
    }

    #[test]
    fn scripts_it_runs_are_followed_within_the_budgets() {
        let files = BTreeMap::from([
            (
                "/h/a/env.ps1".to_string(),
                "$env:COMPOSE_PROJECT_NAME = 'acme'\n$Dir = \"$PSScriptRoot\\stack\"\n".to_string(),
            ),
            (
                "/h/a/up.ps1".to_string(),
                "Push-Location $Dir\ndocker compose up -d\nPop-Location\n".to_string(),
            ),
            (
                "/h/a/loop.ps1".to_string(),
                "& \"$PSScriptRoot\\loop.ps1\"\n".to_string(),
            ),
        ]);
        let top = ". \"$PSScriptRoot\\env.ps1\"\n& $PSScriptRoot\\up.ps1\n& .\\missing.ps1\n& \"$PSScriptRoot\\loop.ps1\"\n";
        let mut loader = Files(files);
        let r = read(
            top,
            Some("/h/a/top.ps1"),
            &no_vars(),
            &mut loader,
            Budget::new(3, 32),
        );
        assert_eq!(r.compose.len(), 1, "{r:#?}");
        let run = &r.compose[0];
        // `. env.ps1` shares the caller's variables, so `up.ps1` sees `$Dir`.
        assert_eq!(run.cwd, Some(Ok("/h/a\\stack".to_string())));
        assert_eq!(run.env[0].0, "COMPOSE_PROJECT_NAME");
        assert_eq!(run.at.0, 2, "file 2 is up.ps1");
        assert_eq!(
            r.files[1].from,
            Some((0, top.find("& $PSScriptRoot").unwrap()))
        );
        let kinds: Vec<&NoteKind> = r.notes.iter().map(|n| &n.what).collect();
        assert!(matches!(kinds[0], NoteKind::NotRead { .. }), "{kinds:?}");
        // `loop.ps1` runs itself: read once, the loop said where it is.
        assert!(matches!(kinds[1], NoteKind::Cycle { .. }), "{kinds:?}");
        // The read budget: none left, nothing read.
        let mut loader = Files(BTreeMap::new());
        let r = read(
            top,
            Some("/h/a/top.ps1"),
            &no_vars(),
            &mut loader,
            Budget::new(3, 0),
        );
        assert!(r.notes.iter().all(|n| matches!(
            n.what,
            NoteKind::TooManyReads { .. } | NoteKind::NotRead { .. }
        )));
        assert!(r.files.is_empty());
    }

    #[test]
    fn start_process_and_child_powershell() {
        let script = "Start-Process -FilePath docker -ArgumentList 'compose -p acme up -d' -WorkingDirectory C:\\stacks\\acme -NoNewWindow\n";
        let r = read(script, None, &no_vars(), &mut NoScripts, Budget::new(3, 32));
        assert_eq!(
            r.compose[0].argv,
            v(&["docker", "compose", "-p", "acme", "up", "-d"])
        );
        assert_eq!(r.compose[0].cwd, Some(Ok("C:\\stacks\\acme".to_string())));
        // A child `powershell -File` gets the environment; what it sets does not come back.
        let files = BTreeMap::from([(
            "/h/child.ps1".to_string(),
            "$env:X = 'child'\nSet-Location C:\\elsewhere\n".to_string(),
        )]);
        let script =
            "powershell -NoProfile -File \"$PSScriptRoot\\child.ps1\"\ndocker compose up -d\n";
        let r = read(
            script,
            Some("/h/top.ps1"),
            &no_vars(),
            &mut Files(files),
            Budget::new(3, 32),
        );
        assert!(r.compose[0].env.is_empty());
        assert_eq!(r.compose[0].cwd, None);
    }
}
