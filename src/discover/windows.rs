//! Windows Scheduled Task scripts (`<state dir>/gateway.cmd`), read as OpenClaw's
//! `readScheduledTaskCommand` reads them: `set "KEY=VALUE"` lines, `cd /d DIR`, then the
//! command line (cmd quoting, `%%` and `^!` escapes, a trailing `< NUL`).

use crate::load::json5::Span;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskScript {
    /// `set` assignments in force at the command line: key, value, span of the line.
    pub environment: Vec<(String, String, Span)>,
    pub working_directory: Option<String>,
    pub program_arguments: Vec<String>,
    /// The command line's span.
    pub command: Span,
    /// What cmd.exe would do here that clawlint does not follow, each naming its line.
    pub notes: Vec<String>,
}

/// The flag OpenClaw adds for its own task supervisor; not a gateway argument.
const SUPERVISOR_FLAG_PREFIX: &str = "--windows-task";

/// One batch file read alone (nothing it calls is followed): its environment, directory and
/// the command line that starts what it runs.
pub fn parse_task_script(text: &str) -> Option<TaskScript> {
    let mut batch = Batch::new(&[]);
    let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
    match batch.run(text, &mut frame, 0) {
        (Step::Command { argv, span }, _) => Some(batch.script(argv, span)),
        _ => None,
    }
}

/// Where one batch file runs: which file it is (for the caller's locations), its own
/// directory (`%~dp0`, with its trailing separator) and its arguments (`%1`, `%*`).
#[derive(Debug, Clone)]
pub struct Frame {
    pub file: usize,
    pub own_dir: Option<String>,
    pub args: Vec<String>,
    /// How notes name the file (`gateway.cmd`, `~/.openclaw/start.cmd`).
    pub label: String,
    /// What is left of the line a `call` or a command stopped at, each with its line's span
    /// and number: cmd goes on with it when that returns. Already `%`-expanded: cmd expands
    /// the whole line when it reads it, before the `call` runs.
    pending: Vec<(String, Span, usize)>,
    /// Inside an `if`/`for`/parenthesized block that continues on the next lines: its depth,
    /// and whether it is a bare group (`(` … `)` on its own), after whose `)` the line goes on
    /// unconditionally, rather than the body of an `if`/`for`, which takes the rest of the
    /// line with it.
    block: Option<(usize, bool)>,
    /// An offset in the file and the number of its line, where the last run stopped: each
    /// run counts lines on from there, never from the start of the file again.
    counted: (usize, usize),
}

impl Frame {
    pub fn new(file: usize, own_dir: Option<String>, args: Vec<String>, label: String) -> Frame {
        Frame {
            file,
            own_dir,
            args,
            label,
            pending: Vec::new(),
            block: None,
            counted: (0, 1),
        }
    }
}

/// What running a batch file came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A program's command line (redirections and OpenClaw's task flag removed).
    Command { argv: Vec<String>, span: Span },
    /// `call other.cmd ARGS`: run it, then go on here (at the offset returned with it).
    Call {
        target: String,
        args: Vec<String>,
        span: Span,
    },
    /// The file ended (or `exit`, or a jump clawlint does not follow) before any command.
    End,
}

/// cmd.exe's state while batch files run: the variables they set (and those clawlint knows
/// the task starts with), the directory, and what could not be followed. Variables whose
/// value clawlint cannot know (set inside `if`/`for`, by `set /a` or `set /p`, or from the
/// Windows user environment) are never guessed: a reference to one stays as written and is
/// noted.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Known variables by upper-case name: value.
    vars: std::collections::BTreeMap<String, String>,
    /// The task's own assignments in force, in the order first set: name as written, value,
    /// line, file.
    assigned: Assigned,
    /// Variables set where clawlint cannot see the value (upper-case).
    unknown: std::collections::BTreeSet<String>,
    pub working_directory: Option<String>,
    pub notes: Vec<String>,
    delayed: bool,
    /// `setlocal` scopes: what `endlocal` puts back.
    saved: Vec<Saved>,
    /// The file being run, as notes name it.
    label: String,
    /// What sets variables whose names clawlint cannot know (`for /f … do set "%%i=%%j"`,
    /// loading a `.env`): what the gateway takes from them is unverifiable.
    pub injects_env: Option<String>,
    /// The notes already made, so that each is made once.
    noted: std::collections::HashSet<String>,
    /// Bytes `%VAR%`/`!VAR!` expansion may still produce: `set A=%A%%A%` doubles a value
    /// at each line, and forty lines would need a terabyte.
    substituted: usize,
    /// Variables `setlocal` may still copy (each saves every variable set so far).
    copies: usize,
    /// The open `setlocal` scopes, innermost last: whether each was evaluated (its state is
    /// in `saved`) or not (past the copy budget: its `endlocal` is not either).
    scopes: Vec<bool>,
}

/// A batch file's assignments in force ([`Batch::environment`]), in the order first set, each
/// found by its upper-case name through a hash index: a file may set 100,000 names, and a
/// scan of those set before for each `set` was O(n²) (20,000 names: 3.5 s in a debug build).
/// One that is unset leaves a hole, so that the others keep their places.
#[derive(Debug, Clone, Default)]
struct Assigned {
    entries: Vec<Option<(String, String, Span, usize)>>,
    /// Upper-case name -> its place in `entries` (the one "last key wins" index).
    at: crate::load::keys::KeyIndex<String>,
}

impl Assigned {
    /// Sets `upper`'s entry: in its place when it is in force, else last.
    fn set(&mut self, upper: String, entry: (String, String, Span, usize)) {
        match self.at.place(upper, self.entries.len()) {
            Some(i) => self.entries[i] = Some(entry),
            None => self.entries.push(Some(entry)),
        }
    }

    fn remove(&mut self, upper: &str) {
        if let Some(i) = self.at.remove(upper.to_string()) {
            self.entries[i] = None;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(String, String, Span, usize)> {
        self.entries.iter().flatten()
    }
}

type Saved = (
    std::collections::BTreeMap<String, String>,
    Assigned,
    std::collections::BTreeSet<String>,
    Option<String>,
    bool,
);

/// Commands that change nothing clawlint reads (output, titles, code pages, pauses).
const INERT: &[&str] = &[
    "echo", "echo.", "echo:", "title", "chcp", "cls", "pause", "color", "prompt", "ver", "verify",
    "timeout", "mode", "break",
];

/// Bytes that `%VAR%` and `!VAR!` expansion may produce over one task's batch files, all
/// lines together (the budget of a config's `${VAR}` substitution).
pub const MAX_SUBSTITUTED_BYTES: usize = crate::load::env::MAX_SUBSTITUTED_BYTES;

/// `setlocal` scopes cmd nests at most (past them it says "Maximum setlocal recursion level
/// reached" and changes nothing).
const MAX_SETLOCAL: usize = 32;

/// Variables `setlocal` copies over one task's batch files, all `setlocal`s together: each
/// saves every variable set so far, so 10,000 `set` lines then 5,000 `setlocal`/`endlocal`
/// pairs made 50 million copies (25 s in a debug build). A real script has a few scopes.
pub const MAX_SETLOCAL_COPIES: usize = 1_000_000;

impl Batch {
    /// A task starting with `inherited` variables (name, value) clawlint knows it has.
    pub fn new(inherited: &[(&str, String)]) -> Batch {
        Batch {
            vars: inherited
                .iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v.clone()))
                .collect(),
            assigned: Assigned::default(),
            unknown: Default::default(),
            working_directory: None,
            notes: Vec::new(),
            delayed: false,
            saved: Vec::new(),
            label: String::new(),
            injects_env: None,
            noted: Default::default(),
            substituted: MAX_SUBSTITUTED_BYTES,
            copies: MAX_SETLOCAL_COPIES,
            scopes: Vec::new(),
        }
    }

    /// The variables the batch files set, in force now: name, value, line, file.
    pub fn environment(&self) -> impl Iterator<Item = &(String, String, Span, usize)> {
        self.assigned.iter()
    }

    /// Variables the batch files set where clawlint cannot see the value (inside an `if` or
    /// `for` it does not evaluate, `set /a`, `set /p`), upper-case and sorted: the gateway may
    /// get them with any value, or not at all.
    pub fn unknown_names(&self) -> Vec<String> {
        self.unknown.iter().cloned().collect()
    }

    /// The value of a variable clawlint knows (case-insensitive).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(&name.to_ascii_uppercase())
            .map(String::as_str)
    }

    fn script(&self, argv: Vec<String>, span: Span) -> TaskScript {
        TaskScript {
            environment: self
                .assigned
                .iter()
                .map(|(k, v, s, _)| (k.clone(), v.clone(), *s))
                .collect(),
            working_directory: self.working_directory.clone(),
            program_arguments: argv,
            command: span,
            notes: self.notes.clone(),
        }
    }

    /// Runs `text` (a batch file, `frame`) from byte `from` until a command, a `call` or the
    /// end; returns what it came to and the offset to go on from. A line is read whole first
    /// (`%VAR%` expanded once, as cmd does), then its statements run in turn; when one stops
    /// the run (a `call`, a command), the rest of its line waits in the frame for the next run.
    pub fn run(&mut self, text: &str, frame: &mut Frame, from: usize) -> (Step, usize) {
        self.label = frame.label.clone();
        let pending = std::mem::take(&mut frame.pending);
        if let Some(step) = self.statements(pending, frame) {
            return (step, from);
        }
        let mut offset = from;
        // The number of the line at `offset`, counted on from where the last run stopped.
        let (counted_at, counted) = frame.counted;
        let upto = from.min(text.len());
        let mut number = match upto >= counted_at {
            true => counted + text[counted_at..upto].matches('\n').count(),
            false => text[..upto].matches('\n').count() + 1,
        };
        while offset < text.len() {
            let start = offset;
            frame.counted = (start, number);
            number += 1;
            let number = number - 1;
            let raw = match text[start..].find('\n') {
                Some(n) => &text[start..start + n],
                None => &text[start..],
            };
            offset = start + raw.len() + 1;
            let line = raw.trim_end_matches('\r');
            let span = Span::new(start, start + line.len());
            let mut line = line;
            if let Some((depth, group)) = frame.block {
                let closed = closing_paren(line, depth);
                let inside = closed.map_or(line, |at| &line[..at]);
                self.forget_sets_in(inside);
                match closed {
                    // `) & node … gateway` after a bare group: cmd runs what follows its `)`
                    // (wine-mirror/wine test_builtins.cmd, "chain brackets").
                    Some(at) if group => {
                        frame.block = None;
                        line = &line[at..];
                    }
                    // After the `)` of an `if`/`for` body the rest of the line is still part
                    // of it (`if 1==1 (a) else b & c` runs `b & c` as the else branch):
                    // nothing of it runs for certain.
                    Some(_) => {
                        self.forget_sets_in(line);
                        frame.block = None;
                        continue;
                    }
                    None => {
                        frame.block = Some((paren_depth(line, depth), group));
                        continue;
                    }
                }
            }
            let bare = line.trim_start().trim_start_matches('@').trim_start();
            if is_comment(bare) {
                continue;
            }
            let expanded = self.expand(bare, frame, number);
            let statements = split_statements(&expanded, &self.label, number, &mut self.notes)
                .into_iter()
                .map(|statement| (statement, span, number))
                .collect();
            if let Some(step) = self.statements(statements, frame) {
                return (step, offset);
            }
        }
        (Step::End, offset)
    }

    /// Runs a line's statements (or what is left of one) in order. Delayed `!VAR!` expansion
    /// happens here, statement by statement as cmd executes them, so it sees what a `call`
    /// or an earlier `set` on the same line did. Returns the step that stopped the run.
    fn statements(
        &mut self,
        statements: Vec<(String, Span, usize)>,
        frame: &mut Frame,
    ) -> Option<Step> {
        let mut rest = statements.into_iter();
        while let Some((statement, span, number)) = rest.next() {
            // Leading blanks and `@` go; trailing blanks stay (an unquoted `set` keeps them).
            let statement = statement.trim_start().trim_start_matches('@').trim_start();
            let statement = match self.delayed && statement.contains('!') {
                true => self.expand_delayed(statement, number),
                false => statement.to_string(),
            };
            match self.statement(&statement, span, frame.file, number) {
                Flow::Next => {}
                Flow::Block if statement.starts_with('(') && paren_depth(&statement, 0) == 0 => {
                    // A block closed on its own line (`(set A=1) & openclaw gateway`): what
                    // follows its `)` runs.
                    self.forget_sets_in(&statement);
                }
                Flow::Block => {
                    // What follows an `if`/`for` on its line is part of it (`if x a & b` runs
                    // both or neither): nothing more of the line runs unconditionally.
                    let mut whole = statement;
                    for (more, ..) in rest.by_ref() {
                        whole.push_str(" & ");
                        whole.push_str(&more);
                    }
                    let depth = paren_depth(&whole, 0);
                    let group = whole.starts_with('(');
                    frame.block = (depth > 0).then_some((depth, group));
                    self.forget_sets_in(&whole);
                    return None;
                }
                Flow::Stop(step) => {
                    // `exit` and `goto` leave the line; a `call` or a command returns to it.
                    if step != Step::End {
                        frame.pending = rest.collect();
                    }
                    return Some(step);
                }
            }
        }
        None
    }

    /// One statement of a line.
    fn statement(&mut self, statement: &str, span: Span, file: usize, number: usize) -> Flow {
        let (word, rest) = match statement.find(|c: char| c.is_whitespace()) {
            Some(at) => (&statement[..at], statement[at..].trim_start()),
            None => (statement, ""),
        };
        let lower = word.to_ascii_lowercase();
        if statement.trim().is_empty() || is_comment(statement) {
            return Flow::Next;
        }
        if INERT.contains(&lower.as_str()) || lower.starts_with("echo.") {
            return Flow::Next;
        }
        match lower.as_str() {
            "setlocal" if self.saved.len() >= MAX_SETLOCAL => Flow::Next,
            "setlocal" if self.scope_size() > self.copies => {
                self.scopes.push(false);
                let note = format!(
                    "{label}: `setlocal` from line {number} on is not evaluated: saving every variable set so far at each would pass the {MAX_SETLOCAL_COPIES} copies clawlint makes for one task, so what a scope sets is taken as kept after its `endlocal`",
                    label = self.label
                );
                if self.noted.insert("setlocal copies".to_string()) {
                    self.notes.push(note);
                }
                Flow::Next
            }
            "endlocal" if self.scopes.last() == Some(&false) => {
                self.scopes.pop();
                Flow::Next
            }
            "setlocal" => {
                self.copies -= self.scope_size();
                self.scopes.push(true);
                self.saved.push((
                    self.vars.clone(),
                    self.assigned.clone(),
                    self.unknown.clone(),
                    self.working_directory.clone(),
                    self.delayed,
                ));
                let options = rest.to_ascii_lowercase();
                if options.contains("enabledelayedexpansion") {
                    self.delayed = true;
                } else if options.contains("disabledelayedexpansion") {
                    self.delayed = false;
                }
                Flow::Next
            }
            "endlocal" => {
                self.scopes.pop();
                if let Some((vars, assigned, unknown, cwd, delayed)) = self.saved.pop() {
                    self.vars = vars;
                    self.assigned = assigned;
                    self.unknown = unknown;
                    self.working_directory = cwd;
                    self.delayed = delayed;
                }
                Flow::Next
            }
            "set" => {
                self.set(rest, span, file, number);
                Flow::Next
            }
            "cd" | "chdir" | "pushd" => {
                let dir = rest
                    .strip_prefix("/d ")
                    .or_else(|| rest.strip_prefix("/D "))
                    .unwrap_or(rest)
                    .trim();
                let dir = strip_redirections(dir);
                if !dir.is_empty() {
                    self.working_directory = Some(dir.trim_matches('"').to_string());
                }
                Flow::Next
            }
            "if" | "for" => {
                self.notes.push(format!(
                    "{label} line {number}: cmd's `{lower}` is not evaluated; what it sets or runs is unknown",
                    label = self.label
                ));
                Flow::Block
            }
            "call" => {
                let words = split_command_line(&strip_redirections(rest));
                match words.split_first() {
                    Some((target, _)) if target.starts_with(':') => {
                        self.notes.push(format!(
                            "{label} line {number}: `call {target}` (a subroutine) is not followed; what it sets is unknown",
                    label = self.label
                ));
                        Flow::Next
                    }
                    Some((target, args)) => Flow::Stop(Step::Call {
                        target: target.clone(),
                        args: args.to_vec(),
                        span,
                    }),
                    None => Flow::Next,
                }
            }
            "goto" => {
                self.notes.push(format!(
                    "{label} line {number}: `goto {target}` is not followed; what runs after it is unknown",
                    target = rest.trim_end(),
                    label = self.label
                ));
                Flow::Stop(Step::End)
            }
            "exit" => Flow::Stop(Step::End),
            "popd" => {
                self.notes.push(format!(
                    "{label} line {number}: `popd` is not followed; the directory is unknown",
                    label = self.label
                ));
                self.working_directory = None;
                Flow::Next
            }
            _ if word.starts_with(':') => Flow::Next,
            _ if word.starts_with('(') || word.starts_with(')') => {
                self.notes.push(format!(
                    "{label} line {number}: a parenthesized block is not evaluated",
                    label = self.label
                ));
                Flow::Block
            }
            _ => {
                let argv: Vec<String> = split_command_line(&strip_redirections(statement))
                    .into_iter()
                    .filter(|a| !a.starts_with(SUPERVISOR_FLAG_PREFIX))
                    .collect();
                if argv.is_empty() {
                    return Flow::Next;
                }
                Flow::Stop(Step::Command { argv, span })
            }
        }
    }

    /// `set NAME=value`, `set "NAME=value"` (the value ends at the last quote), `set NAME=`
    /// (unsets it); `set /a` and `set /p` are noted and their variable unknown.
    fn set(&mut self, rest: &str, span: Span, file: usize, number: usize) {
        let lower = rest.to_ascii_lowercase();
        if lower.starts_with("/a") || lower.starts_with("/p") {
            let switch = &rest[..2];
            let body = rest[2..].trim().trim_matches('"');
            if let Some((name, _)) = body.split_once('=') {
                self.forget(name.trim());
            }
            self.notes.push(format!(
                "{label} line {number}: `set {switch}` is not evaluated; its value is unknown",
                label = self.label
            ));
            return;
        }
        let Some((key, value)) = set_assignment(rest) else {
            return;
        };
        if key.trim() != key {
            // A different variable from the one it looks like: cmd keeps the blanks.
            self.notes.push(format!(
                "{label} line {number}: `set {shown}=…` sets a variable named `{key}` (with the blanks), not {shown}",
                label = self.label,
                shown = key.trim(),
            ));
        }
        let upper = key.to_ascii_uppercase();
        self.unknown.remove(&upper);
        if value.is_empty() {
            self.vars.remove(&upper);
            self.assigned.remove(&upper);
            return;
        }
        self.vars.insert(upper.clone(), value.clone());
        self.assigned.set(upper, (key, value, span, file));
    }

    /// What a `setlocal` copies: every variable known, set or unknown.
    fn scope_size(&self) -> usize {
        self.vars.len() + self.assigned.entries.len() + self.unknown.len()
    }

    /// A variable now set where clawlint cannot see its value.
    fn forget(&mut self, name: &str) {
        let upper = name.to_ascii_uppercase();
        self.vars.remove(&upper);
        self.assigned.remove(&upper);
        self.unknown.insert(upper);
    }

    /// Every `set NAME=` in a statement clawlint does not evaluate: those names are unknown.
    fn forget_sets_in(&mut self, text: &str) {
        let lower = text.to_ascii_lowercase();
        let mut at = 0;
        while let Some(found) = lower[at..].find("set ") {
            let begin = at + found;
            at = begin + 4;
            let before = lower[..begin].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let body = text[at..].trim_start();
            if body.starts_with('/') {
                continue;
            }
            let body = body.trim_start_matches('"');
            if let Some(eq) = body.find('=') {
                let name = body[..eq].trim();
                if name.contains(['%', '!']) {
                    self.injects_env
                        .get_or_insert_with(|| format!("a loop in {}", self.label));
                } else if !name.is_empty() && !name.contains(char::is_whitespace) {
                    self.forget(name);
                }
            }
        }
    }

    /// cmd's expansion of a line as it is read: `%%` is `%`, `%NAME%` the variable's value,
    /// `%~dp0` the file's own directory, `%1`…`%9` and `%*` its arguments (delayed `!NAME!`
    /// is expanded per statement, in `statements`). A variable clawlint cannot know stays as
    /// written, noted.
    fn expand(&mut self, line: &str, frame: &Frame, number: usize) -> String {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 1..];
            if let Some(after) = tail.strip_prefix('%') {
                out.push('%');
                rest = after;
                continue;
            }
            if let Some(after) = tail.strip_prefix("~dp0") {
                match &frame.own_dir {
                    Some(dir) => out.push_str(dir),
                    None => {
                        self.note_unknown(number, "%~dp0", "the batch file's own directory");
                        out.push_str("%~dp0");
                    }
                }
                rest = after;
                continue;
            }
            if let Some(after) = tail.strip_prefix('*') {
                out.push_str(&frame.args.join(" "));
                rest = after;
                continue;
            }
            if let Some((modifiers, n, after)) = argument_modifiers(tail) {
                // `%~1` is the argument without its quotes; other modifiers (`%~f1`, `%~nx2`)
                // ask the file system, which clawlint does not.
                let arg = frame.args.get(n.wrapping_sub(1)).filter(|_| n >= 1);
                match (modifiers.is_empty(), arg) {
                    (true, Some(arg)) => out.push_str(arg.trim_matches('"')),
                    (true, None) if n >= 1 => {}
                    _ => {
                        let written = format!("%~{modifiers}{n}");
                        self.note_unknown(
                            number,
                            &written,
                            "cmd's path modifiers are not evaluated",
                        );
                        out.push_str(&written);
                    }
                }
                rest = after;
                continue;
            }
            if let Some(d) = tail.chars().next().filter(char::is_ascii_digit) {
                let n = d.to_digit(10).unwrap_or(0) as usize;
                if n >= 1 {
                    out.push_str(frame.args.get(n - 1).map_or("", String::as_str));
                } else {
                    out.push_str("%0");
                }
                rest = &tail[1..];
                continue;
            }
            // The name runs to the next `%`, blanks included: `%PORT %` is the variable named
            // `PORT ` (which `set PORT =1` sets), not PORT (wine-mirror/wine
            // programs/cmd/tests/test_builtins.cmd, "Testing 'set'", recorded on Windows).
            match tail.find('%') {
                Some(close) if !tail[..close].is_empty() => {
                    let name = &tail[..close];
                    out.push_str(&self.lookup(name, '%', number));
                    rest = &tail[close + 1..];
                }
                _ => {
                    out.push('%');
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn expand_delayed(&mut self, line: &str, number: usize) -> String {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(at) = rest.find('!') {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 1..];
            match tail.find('!') {
                Some(close) if close > 0 => {
                    out.push_str(&self.lookup(&tail[..close], '!', number));
                    rest = &tail[close + 1..];
                }
                _ => {
                    out.push('!');
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The value of `%name%`: known, or left as written and noted.
    fn lookup(&mut self, name: &str, mark: char, number: usize) -> String {
        let written = format!("{mark}{name}{mark}");
        if name.contains(':') {
            self.note_unknown(
                number,
                &written,
                "cmd's substring and replace forms are not evaluated",
            );
            return written;
        }
        if let Some(value) = self.vars.get(&name.to_ascii_uppercase()) {
            if value.len() > self.substituted {
                self.note_unknown(
                    number,
                    &written,
                    &format!("expanding it would bring what the task's batch files expand past {MAX_SUBSTITUTED_BYTES} bytes"),
                );
                return written;
            }
            self.substituted -= value.len();
            return value.clone();
        }
        // cmd's own dynamic variables: unknown, and nothing to say about them.
        if ["ERRORLEVEL", "CD", "DATE", "TIME", "RANDOM", "CMDCMDLINE"]
            .iter()
            .any(|d| name.eq_ignore_ascii_case(d))
        {
            return written;
        }
        let trimmed = name.trim_matches([' ', '\t']);
        let why = match self.unknown.contains(&name.to_ascii_uppercase()) {
            true => "it is set where clawlint does not evaluate".to_string(),
            // `%PORT %` when the script set PORT: a different variable, which cmd expands to
            // nothing unless the Windows environment has it.
            false if trimmed != name && self.vars.contains_key(&trimmed.to_ascii_uppercase()) => {
                format!("the name has blanks, so it is not {trimmed} (which is set) but a variable of its own, which nothing here sets and the Windows environment may or may not have")
            }
            false => "it comes from the Windows environment, which clawlint cannot see".to_string(),
        };
        self.note_unknown(number, &written, &why);
        written
    }

    fn note_unknown(&mut self, number: usize, written: &str, why: &str) {
        let note = format!(
            "{label} line {number}: {written} is unknown: {why}",
            label = self.label
        );
        if self.noted.insert(note.clone()) {
            self.notes.push(note);
        }
    }
}

enum Flow {
    Next,
    /// An `if`/`for`/block: skipped, with its parenthesized continuation lines.
    Block,
    Stop(Step),
}

/// `~` modifiers and the argument number after a `%` (`~1`, `~nx2`, `~f0`): the modifier
/// letters, the number and what follows. `None` when the text is not that form.
fn argument_modifiers(tail: &str) -> Option<(&str, usize, &str)> {
    let after_tilde = tail.strip_prefix('~')?;
    let letters = after_tilde
        .find(|c: char| {
            !matches!(
                c.to_ascii_lowercase(),
                'f' | 'd' | 'p' | 'n' | 'x' | 's' | 'a' | 't' | 'z'
            )
        })
        .unwrap_or(after_tilde.len());
    let digit = after_tilde[letters..].chars().next()?.to_digit(10)?;
    Some((
        &after_tilde[..letters],
        digit as usize,
        &after_tilde[letters + 1..],
    ))
}

/// `rem …`, `::…`: a comment.
fn is_comment(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    line.starts_with("::")
        || lower == "rem"
        || lower
            .strip_prefix("rem")
            .is_some_and(|r| r.starts_with([' ', '\t', '.', ':', '/']))
}

/// The parenthesis depth after `line`, from `depth` (quotes and `^(` ignored).
fn paren_depth(line: &str, depth: usize) -> usize {
    let mut depth = depth;
    let mut quoted = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '^' if !quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// The byte just past the `)` that closes a block open `depth` levels deep, when this line
/// closes it (quotes and `^)` ignored, as in [`paren_depth`]).
fn closing_paren(line: &str, depth: usize) -> Option<usize> {
    let mut depth = depth;
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '^' if !quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// A line's statements: split at `&` and `&&` outside quotes (`^&` and `>&` are not
/// separators). After `||` or `|` nothing is read (noted): it runs only on failure, or is
/// piped into.
fn split_statements(
    line: &str,
    label: &str,
    number: usize,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '^' if !quoted => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            '&' if !quoted && prev != '>' && prev != '<' => {
                if chars.peek() == Some(&'&') {
                    chars.next();
                }
                out.push(std::mem::take(&mut current));
            }
            '|' if !quoted => {
                let what = if chars.peek() == Some(&'|') {
                    "||"
                } else {
                    "|"
                };
                notes.push(format!(
                    "{label} line {number}: what follows `{what}` is not followed"
                ));
                out.push(std::mem::take(&mut current));
                return out;
            }
            _ => current.push(c),
        }
        prev = c;
    }
    out.push(current);
    out
}

/// A statement without its redirections (`< NUL`, `>nul`, `2>&1`, `>> log.txt`).
fn strip_redirections(statement: &str) -> String {
    let words = split_words_keep_quotes(statement);
    let mut kept: Vec<&str> = Vec::new();
    let mut skip_next = false;
    for word in &words {
        if skip_next {
            skip_next = false;
            continue;
        }
        let op = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if word.starts_with('"') || !(op.starts_with('>') || op.starts_with('<')) {
            kept.push(word);
            continue;
        }
        let target = op.trim_start_matches(['>', '<']).trim_start_matches('&');
        if target.is_empty() && !op.contains('&') {
            skip_next = true;
        }
    }
    kept.join(" ")
}

/// Whitespace-separated words, quoted runs kept whole with their quotes.
fn split_words_keep_quotes(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ' ' | '\t' if !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `set "KEY=VALUE"` or `set KEY=VALUE` as cmd reads the statement (after `%` expansion).
/// Quoted: the value ends at the last quote and what follows is dropped; OpenClaw's escapes
/// (`^^`, `^!`) undone as its writer made them. Unquoted: the value runs to the end
/// of the statement, trailing blanks included (`set A=1   ` is `1   `); outside quotes `^`
/// makes the next character literal and goes, and redirections go with their targets (the
/// blanks around them stay: `set A=1 >nul` is `1 `). The name is all before the first `=`,
/// blanks included: `set A = 1` sets a variable named `A ` to ` 1`.
fn set_assignment(raw: &str) -> Option<(String, String)> {
    let raw = raw.trim_start();
    let (key, value) = match raw.strip_prefix('"') {
        Some(quoted) => {
            let inner = quoted.rfind('"').map_or(quoted, |end| &quoted[..end]);
            let (key, value) = inner.split_once('=')?;
            (unescape(key), unescape(value))
        }
        None => {
            let read = unquoted_text(raw);
            let (key, value) = read.split_once('=')?;
            (key.to_string(), value.to_string())
        }
    };
    (!key.trim().is_empty()).then_some((key, value))
}

/// cmd's second pass over a statement: outside double quotes `^` makes the next character
/// literal (and goes) and a redirection (`>f`, `>> "f"`, `2>&1`, `<nul`; a single digit just
/// before it is its handle) goes with its target; quoted runs stay as written.
fn unquoted_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quoted = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '^' if !quoted => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '>' | '<' if !quoted => {
                if out.ends_with(|d: char| d.is_ascii_digit()) {
                    out.pop();
                }
                while chars.next_if(|n| *n == '>').is_some() {}
                if chars.next_if_eq(&'&').is_some() {
                    chars.next_if(char::is_ascii_digit);
                    continue;
                }
                while chars.next_if(|n| *n == ' ' || *n == '\t').is_some() {}
                let mut target_quoted = false;
                while let Some(n) = chars.peek() {
                    match n {
                        '"' => target_quoted = !target_quoted,
                        ' ' | '\t' | '>' | '<' if !target_quoted => break,
                        _ => {}
                    }
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// OpenClaw's delayed-expansion escapes inside a quoted `set` and its arguments (`^^`,
/// `^!`). `%%` is not among them: the line was `%`-expanded once already, as cmd does.
fn unescape(value: &str) -> String {
    value.replace("^!", "!").replace("^^", "^")
}

/// Splits a cmd command line: whitespace separates, double quotes group, `\"` is a quote.
fn split_command_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut started = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
                started = true;
            }
            '"' => {
                in_quotes = !in_quotes;
                started = true;
            }
            ' ' | '\t' if !in_quotes => {
                if started {
                    out.push(unescape(&current));
                    current.clear();
                    started = false;
                }
            }
            other => {
                current.push(other);
                started = true;
            }
        }
    }
    if started {
        out.push(unescape(&current));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_all(text: &str) -> (Batch, Vec<Vec<String>>) {
        let mut batch = Batch::new(&[("USERPROFILE", "C:\\Users\\ana".to_string())]);
        let mut frame = Frame::new(
            0,
            None,
            vec!["\"a b\"".to_string()],
            "gateway.cmd".to_string(),
        );
        let mut commands = Vec::new();
        let mut offset = 0;
        loop {
            let (step, next) = batch.run(text, &mut frame, offset);
            offset = next;
            match step {
                Step::Command { argv, .. } => commands.push(argv),
                Step::Call { .. } => {}
                Step::End => return (batch, commands),
            }
        }
    }

    /// A name runs to the next `%`, blanks included: `%PORT %` is the variable `PORT ` that
    /// `set PORT =1` sets, not PORT. Recorded on Windows: wine-mirror/wine
    /// programs/cmd/tests/test_builtins.cmd @ b868d823 ("Testing 'set'": `set WINE_FOOBAR =  baz`,
    /// then `echo %WINE_FOOBAR%WINE_FOOBAR not defined` prints "WINE_FOOBAR not defined" and
    /// `echo %WINE_FOOBAR %` prints "  baz"; test_builtins.cmd.exp @ 0998f9c0).
    #[test]
    fn a_name_with_blanks_is_a_variable_of_its_own() {
        let (batch, commands) = run_all(
            "set PORT=19789\r\nset STATE =C:\\Users\\ana\\.openclaw-qq\r\nnode index.js gateway --port %PORT % --state %STATE %\r\n",
        );
        assert_eq!(
            commands,
            [[
                "node",
                "index.js",
                "gateway",
                "--port",
                "%PORT",
                "%",
                "--state",
                "C:\\Users\\ana\\.openclaw-qq"
            ]]
        );
        assert!(
            batch.notes.iter().any(|n| n.contains(
                "%PORT % is unknown: the name has blanks, so it is not PORT (which is set)"
            )),
            "{:?}",
            batch.notes
        );
        // `%~1` is the argument without its quotes; other modifiers are not evaluated.
        let (batch, commands) = run_all("openclaw gateway --profile %~1 --x %~f1\r\n");
        assert_eq!(
            commands,
            [["openclaw", "gateway", "--profile", "a", "b", "--x", "%~f1"]]
        );
        assert!(
            batch.notes.iter().any(|n| n.contains("%~f1 is unknown")),
            "{:?}",
            batch.notes
        );
    }

    /// What follows the `)` of an `if` body on its line belongs to the `if` (its `else`
    /// branch, or more of the `then` chain); after a bare group it runs. Recorded on Windows:
    /// wine-mirror/wine programs/cmd/tests/test_builtins.cmd @ b868d823, "chain else" (`if 1==0
    /// (echo q1) else echo q2&echo q3` prints q2 and q3, `if 1==1 …` only q1; the header:
    /// `if 3==3 a | b && c || d & e else f` is `if 3==3 ((((a | b) && c) || d) & e) else f`)
    /// and "chain brackets" (`echo a1&(echo a2&echo a3)`).
    #[test]
    fn what_follows_an_if_body_is_conditional_and_a_groups_tail_runs() {
        for text in [
            "if exist x (set P=1) & node index.js gateway --port 19000\r\n",
            "if exist x (\r\n  set P=1\r\n) & node index.js gateway --port 19000\r\n",
            "if exist x (set P=1) else set P=2 & node index.js gateway --port 19000\r\n",
        ] {
            let (batch, commands) = run_all(text);
            assert!(commands.is_empty(), "{text}: {commands:?}");
            assert!(batch.unknown_names().contains(&"P".to_string()), "{text}");
        }
        for text in [
            "(set P=1) & node index.js gateway --port 19000\r\n",
            "(\r\n  set P=1\r\n) & node index.js gateway --port 19000\r\n",
        ] {
            let (_, commands) = run_all(text);
            assert_eq!(
                commands,
                [["node", "index.js", "gateway", "--port", "19000"]],
                "{text}"
            );
        }
    }

    #[test]
    fn reads_a_script_as_openclaw_writes_it() {
        let text = "@echo off\r\nrem OpenClaw Gateway (rescue)\r\ncd /d \"C:\\Users\\ana\"\r\nset \"OPENCLAW_PROFILE=rescue\"\r\nset \"OPENCLAW_STATE_DIR=C:\\Users\\ana\\.openclaw-rescue\"\r\nset \"OPENCLAW_GATEWAY_PORT=19789\"\r\n\"C:\\Program Files\\nodejs\\node.exe\" C:\\Users\\ana\\AppData\\Roaming\\npm\\node_modules\\openclaw\\dist\\index.js gateway --port 19789 --windows-task-supervisor < NUL\r\n";
        let script = parse_task_script(text).unwrap();
        assert_eq!(script.working_directory.as_deref(), Some("C:\\Users\\ana"));
        assert_eq!(script.environment[1].1, "C:\\Users\\ana\\.openclaw-rescue");
        assert_eq!(
            script.program_arguments[0],
            "C:\\Program Files\\nodejs\\node.exe"
        );
        assert_eq!(
            script.program_arguments[2..],
            ["gateway", "--port", "19789"]
        );
        assert!(text[script.command.start()..script.command.end()].starts_with("\"C:"));
    }

    /// A wrapper as people write them: comments of both kinds, `setlocal`, `set` with and
    /// without quotes, `%VAR%` and `%%` in values and on the command line, `cd /d`.
    #[test]
    fn reads_a_hand_written_wrapper_as_cmd_runs_it() {
        let text = "@echo off\r\n:: start the gateway\r\nREM  proxy\r\nsetlocal\r\nchcp 65001 >nul\r\nset PORT=19400\r\nset \"BASE=%USERPROFILE%\\.openclaw-ops\"\r\nset \"LITERAL=%%USERPROFILE%%\" ignored\r\nset OPENCLAW_STATE_DIR=%BASE%\r\ncd /d \"%BASE%\"\r\necho Starting on %PORT%...\r\nnode %APPDATA%\\npm\\node_modules\\openclaw\\dist\\index.js gateway --port %PORT% > gw.log 2>&1\r\nendlocal\r\n";
        let mut batch = Batch::new(&[("USERPROFILE", "C:\\Users\\ana".to_string())]);
        let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
        let (step, _) = batch.run(text, &mut frame, 0);
        let Step::Command { argv, span } = step else {
            panic!("{step:?}");
        };
        assert_eq!(
            argv,
            [
                "node",
                "%APPDATA%\\npm\\node_modules\\openclaw\\dist\\index.js",
                "gateway",
                "--port",
                "19400"
            ]
        );
        assert!(text[span.start()..span.end()].starts_with("node "));
        assert_eq!(
            batch.var("openclaw_state_dir"),
            Some("C:\\Users\\ana\\.openclaw-ops")
        );
        assert_eq!(batch.var("LITERAL"), Some("%USERPROFILE%"));
        assert_eq!(
            batch.working_directory.as_deref(),
            Some("C:\\Users\\ana\\.openclaw-ops")
        );
        // %APPDATA% comes from the Windows environment: left as written, with its line.
        assert_eq!(
            batch.notes,
            ["gateway.cmd line 12: %APPDATA% is unknown: it comes from the Windows environment, which clawlint cannot see"]
        );
        let names: Vec<&str> = batch.environment().map(|(k, ..)| k.as_str()).collect();
        assert_eq!(names, ["PORT", "BASE", "LITERAL", "OPENCLAW_STATE_DIR"]);
    }

    /// `if`/`for` blocks are not evaluated: noted with their line, and what they set is
    /// unknown afterwards (never the value of one branch); a `for` that sets computed names
    /// (loading a `.env`) injects variables. `set /a` is noted too.
    #[test]
    fn conditions_loops_and_arithmetic_are_noted_not_guessed() {
        let text = "@echo off\nset \"NODE=C:\\node\\node.exe\"\nif exist \"D:\\node\" (\n    set \"NODE=D:\\node\\node.exe\"\n)\nfor /f \"usebackq delims== tokens=1,2\" %%i in (\".env\") do (\n    set \"%%i=%%j\"\n)\nset /a \"N=1+2\"\nopenclaw gateway stop\n\"%NODE%\" index.js gateway --port %N%\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(0, None, Vec::new(), "start.cmd".to_string());
        // cmd runs `openclaw gateway stop` and goes on: the caller decides which command is
        // the task's.
        let (first, next) = batch.run(text, &mut frame, 0);
        assert!(
            matches!(&first, Step::Command { argv, .. } if argv[2] == "stop"),
            "{first:?}"
        );
        let (second, _) = batch.run(text, &mut frame, next);
        let Step::Command { argv, .. } = second else {
            panic!("{second:?}");
        };
        assert_eq!(argv, ["%NODE%", "index.js", "gateway", "--port", "%N%"]);
        assert_eq!(batch.var("NODE"), None);
        assert!(batch.injects_env.is_some());
        let notes = batch.notes.join("\n");
        for expected in [
            "start.cmd line 3: cmd's `if` is not evaluated",
            "start.cmd line 6: cmd's `for` is not evaluated",
            "start.cmd line 9: `set /a` is not evaluated",
            "start.cmd line 11: %NODE% is unknown: it is set where clawlint does not evaluate",
            "start.cmd line 11: %N% is unknown",
        ] {
            assert!(notes.contains(expected), "{expected}\n{notes}");
        }
    }

    /// `call other.cmd ARGS` stops the run there (the caller follows it and comes back);
    /// `%~dp0`, `%1` and `%*` expand from the frame; `goto` and `exit` end what is read.
    #[test]
    fn calls_arguments_and_jumps() {
        let text = "@echo off\r\ncall \"%~dp0env.cmd\" ops\r\nopenclaw --profile %1 gateway %*\r\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(
            0,
            Some("/scan/home/.openclaw/".to_string()),
            vec!["ops".to_string(), "--port".to_string(), "19700".to_string()],
            "gateway.cmd".to_string(),
        );
        let (step, next) = batch.run(text, &mut frame, 0);
        assert_eq!(
            step,
            Step::Call {
                target: "/scan/home/.openclaw/env.cmd".to_string(),
                args: vec!["ops".to_string()],
                span: Span::new(11, 34),
            }
        );
        let (step, _) = batch.run(text, &mut frame, next);
        assert!(
            matches!(&step, Step::Command { argv, .. } if argv.join(" ") == "openclaw --profile ops gateway ops --port 19700"),
            "{step:?}"
        );
        let jumps = "goto :run\r\nopenclaw gateway\r\n";
        let (step, _) = Batch::new(&[]).run(jumps, &mut frame, 0);
        assert_eq!(step, Step::End);
        // A value that names itself is expanded once, never again (no loop).
        let mut own = Batch::new(&[]);
        let (step, _) = own.run(
            "set \"A=%%A%%x\"\r\nset \"B=%A%%A%\"\r\nopenclaw gateway\r\n",
            &mut frame,
            0,
        );
        assert!(matches!(step, Step::Command { .. }));
        assert_eq!(own.var("B"), Some("%A%x%A%x"));
    }

    /// cmd keeps an unquoted `set`'s trailing blanks (up to the `&`, the redirection or the
    /// end of the line), undoes `^` outside quotes and removes redirections; a blank before
    /// the `=` is part of the name. A quoted `set` ends at its last quote.
    #[test]
    fn an_unquoted_set_keeps_its_trailing_blanks() {
        let text = "set PORT=19400   \r\nset \"Q=19500\"   \r\nset A=1 & set B=2\r\nset R=x >nul\r\nset H=a2>nul\r\nset C=a^&b^^c \"^&\"\r\nset OPENCLAW_PROFILE = ops\r\nopenclaw gateway\r\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
        let (step, _) = batch.run(text, &mut frame, 0);
        assert!(matches!(step, Step::Command { .. }), "{step:?}");
        assert_eq!(batch.var("PORT"), Some("19400   "));
        assert_eq!(batch.var("Q"), Some("19500"));
        assert_eq!(batch.var("A"), Some("1 "));
        assert_eq!(batch.var("B"), Some("2"));
        assert_eq!(batch.var("R"), Some("x "));
        // A digit just before `>` is the redirection's handle, not part of the value.
        assert_eq!(batch.var("H"), Some("a"));
        assert_eq!(batch.var("C"), Some("a&b^c \"^&\""));
        assert_eq!(batch.var("OPENCLAW_PROFILE"), None);
        assert_eq!(batch.var("OPENCLAW_PROFILE "), Some(" ops"));
        assert_eq!(
            batch.notes,
            ["gateway.cmd line 7: `set OPENCLAW_PROFILE=…` sets a variable named `OPENCLAW_PROFILE ` (with the blanks), not OPENCLAW_PROFILE"]
        );
    }

    /// After `call x.cmd` (or a command) returns, cmd runs the rest of that line, expanded
    /// when the line was read (`%PORT%` before the call set it) while `!PORT!` is expanded
    /// as each statement runs. What follows an `if` on its line is the `if`'s.
    #[test]
    fn the_rest_of_a_line_runs_after_a_call_returns() {
        let text = "setlocal enabledelayedexpansion\r\nset PORT=1\r\ncall env.cmd & set \"OLD=%PORT%\" & set \"NEW=!PORT!\" & openclaw gateway stop & openclaw gateway --port !PORT!\r\nnever reached\r\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
        let (step, next) = batch.run(text, &mut frame, 0);
        assert!(
            matches!(&step, Step::Call { target, .. } if target == "env.cmd"),
            "{step:?}"
        );
        // env.cmd runs in the same cmd: it sets PORT=2.
        let mut inner = Frame::new(1, None, Vec::new(), "env.cmd".to_string());
        assert_eq!(batch.run("set PORT=2\r\n", &mut inner, 0).0, Step::End);
        let (step, next) = batch.run(text, &mut frame, next);
        assert!(
            matches!(&step, Step::Command { argv, .. } if argv.join(" ") == "openclaw gateway stop"),
            "{step:?}"
        );
        assert_eq!(batch.var("OLD"), Some("1"));
        assert_eq!(batch.var("NEW"), Some("2"));
        let (step, _) = batch.run(text, &mut frame, next);
        assert!(
            matches!(&step, Step::Command { argv, .. } if argv.join(" ") == "openclaw gateway --port 2"),
            "{step:?}"
        );

        let conditional = "if exist x.txt set A=1 & set B=2\r\nif exist y.txt (echo a & echo b)\r\nopenclaw gateway\r\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
        let (step, _) = batch.run(conditional, &mut frame, 0);
        assert!(
            matches!(&step, Step::Command { argv, .. } if argv.join(" ") == "openclaw gateway"),
            "{step:?}"
        );
        assert_eq!(batch.var("B"), None);
        // A block closed on its line: what follows it runs.
        let closed = "(set \"A=1\") & openclaw gateway --port 19720\r\n";
        let mut batch = Batch::new(&[]);
        let mut frame = Frame::new(0, None, Vec::new(), "gateway.cmd".to_string());
        let (step, _) = batch.run(closed, &mut frame, 0);
        assert!(
            matches!(&step, Step::Command { argv, .. } if argv.join(" ") == "openclaw gateway --port 19720"),
            "{step:?}"
        );
        assert_eq!(batch.var("A"), None);
    }

    #[test]
    fn escapes_and_garbage() {
        // After the line's `%` expansion: `%%` already became `%`, and is not undone twice.
        assert_eq!(
            set_assignment("\"A=50% off^!\""),
            Some(("A".into(), "50% off!".into()))
        );
        assert_eq!(
            set_assignment("\"A=100%%\""),
            Some(("A".into(), "100%%".into()))
        );
        assert_eq!(set_assignment("=x"), None);
        assert_eq!(parse_task_script("@echo off\r\n"), None);
        assert_eq!(
            split_command_line(r#"a "b c" \"d"#),
            vec!["a", "b c", "\"d"]
        );
    }

    /// A `gateway.cmd` that sets 10,000 variables, then opens and closes 20,000 `setlocal` scopes:
    /// each `setlocal` saved every variable, 200 million copies (5,000 scopes took 25 s in a
    /// debug build). Past the copy budget a `setlocal` is not evaluated (nor its `endlocal`),
    /// said once in the task's notes; the gateway after them is still found.
    #[test]
    fn setlocal_scopes_copy_within_a_budget() {
        let mut script = String::from("@echo off\r\n");
        for i in 0..10_000 {
            script.push_str(&format!("set V{i}=x\r\n"));
        }
        script.push_str(&"setlocal\r\nset INNER=1\r\nendlocal\r\n".repeat(20_000));
        script.push_str("openclaw gateway --port 19012\r\n");
        let task = parse_task_script(&script).expect("the gateway is found");
        assert_eq!(
            task.program_arguments.last().map(String::as_str),
            Some("19012")
        );
        let said: Vec<&String> = task
            .notes
            .iter()
            .filter(|n| n.contains(&MAX_SETLOCAL_COPIES.to_string()))
            .collect();
        assert_eq!(said.len(), 1, "{:?}", task.notes);
        // Scopes within the budget are evaluated: `INNER` set inside one is gone after it.
        let small =
            "@echo off\r\nsetlocal\r\nset INNER=1\r\nendlocal\r\nopenclaw gateway --port 19012\r\n";
        let task = parse_task_script(small).expect("the gateway is found");
        assert!(
            task.environment.iter().all(|(k, ..)| k != "INNER"),
            "{:?}",
            task.environment
        );
    }
}
