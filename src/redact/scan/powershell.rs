//! PowerShell scripts (`.ps1`, `-Command` strings, the statements CL902 quotes): what is
//! known to be safe to show, read as PowerShell tokenizes it rather than as a command line.
//!
//! Shown: punctuation, keywords, variable names, cmdlet and parameter names, the comment
//! markers, and values by what they are: an assignment's value by its variable's name
//! (`$env:OPENCLAW_GATEWAY_PORT = '19789'`, a hashtable's `key = value`, a `param()` default,
//! `[Environment]::SetEnvironmentVariable('NAME', value)`), a cmdlet's value by its parameter
//! (`-Path`, `-FilePath`, `Join-Path`'s and `Set-Location`'s positional paths), a native
//! program's arguments as [`Argv`] reads them (also through `-ArgumentList` and `$…Args`
//! arrays), the string of `Invoke-Expression` as a script of its own and the string after
//! `cmd /c` as a batch line. Masked: comments, here-strings, anything inside `$( … )` in a
//! string, the value of an unknown parameter, every other value. A token the reader does not
//! understand is masked, never shown.

use super::{cmd_script, is_directive, push_value, span, Argv};
use crate::load::json5::Span;
use crate::redact::has_token_like_word;

/// `Invoke-Expression "…"` strings read inside one another at most this deep; deeper strings
/// are masked. Each level reads a part of the text once, so the work is at most this many
/// times the text's length.
const MAX_SCRIPT_DEPTH: usize = 4;
/// `( … )`, `{ … }` and `$( … )` in strings read at most this deep; deeper, what is inside
/// is masked (a hostile script may nest them without end).
const MAX_NESTING: usize = 64;

/// The spans of `text` (a PowerShell script or statement) known to be safe to show.
pub fn powershell(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    read(text, 0, 0, &mut out);
    out
}

/// Reads `text` (at `base` in the file), `depth` `Invoke-Expression` strings deep.
fn read(text: &str, base: usize, depth: usize, out: &mut Vec<Span>) {
    let mut marks = Vec::new();
    let tokens = lex(text, &mut |s, e| marks.push(span(base + s, base + e)));
    out.extend(marks);
    let mut reader = Reader {
        text,
        base,
        depth,
        tokens,
        next: 0,
        nesting: 0,
        argvs: Vec::new(),
        out,
    };
    reader.block(None, Ctx::Key(None));
}

// ---------------------------------------------------------------------------------------
// Tokens.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// A word of a command or an expression: barewords, strings, variables, numbers,
    /// operators, with the quoted parts they run into (`--token="x"`).
    Arg,
    /// `@" … "@` / `@' … '@`: its delimiters are shown by the lexer, its text never.
    HereString,
    /// `(`, `$(`, `@(`.
    Open,
    Close,
    /// `{`.
    LBrace,
    /// `@{` (a hashtable: its statements are `key = value`).
    Hash,
    RBrace,
    Comma,
    /// A line break, `;`, `&&`, `||`.
    End,
    Pipe,
    /// `&`: the call operator (or a background job's).
    Amp,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
}

/// The quote a character opens, with its length: PowerShell takes the typographic quotes
/// (`‘’‚‛`, `“”„`) as `'` and `"`.
fn quote_at(text: &str, i: usize) -> Option<(char, usize)> {
    let c = text[i..].chars().next()?;
    match c {
        '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => Some(('\'', c.len_utf8())),
        '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' => Some(('"', c.len_utf8())),
        _ => None,
    }
}

fn char_len(text: &str, i: usize) -> usize {
    text[i..].chars().next().map_or(1, char::len_utf8)
}

/// After the string whose opening quote (`q`, a `'` or `"` kind) ends at `i`: `''` (and `""`)
/// is a quote inside; in `"…"` a backtick escapes the next character and `$( … )` is read
/// as code. Unclosed: the end of the text.
fn skip_string(text: &str, mut i: usize, q: char, nesting: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        if q == '"' && b[i] == b'`' {
            i += 1;
            if i < b.len() {
                i += char_len(text, i);
            }
            continue;
        }
        if q == '"' && b[i] == b'$' && b.get(i + 1) == Some(&b'(') {
            i = skip_group(text, i + 2, nesting + 1);
            continue;
        }
        if let Some((kind, len)) = quote_at(text, i) {
            if kind == q {
                match quote_at(text, i + len) {
                    Some((again, len2)) if again == q => i += len + len2,
                    _ => return i + len,
                }
                continue;
            }
        }
        i += char_len(text, i);
    }
    b.len()
}

/// After the `)` closing a group whose `(` ends at `i` (quotes and nested groups respected).
/// Past [`MAX_NESTING`], or unclosed: the end of the text.
fn skip_group(text: &str, mut i: usize, nesting: usize) -> usize {
    let b = text.as_bytes();
    if nesting > MAX_NESTING {
        return b.len();
    }
    let mut open = 0usize;
    while i < b.len() {
        match b[i] {
            b'`' => {
                i += 1;
                if i < b.len() {
                    i += char_len(text, i);
                }
                continue;
            }
            b'(' => open += 1,
            b')' if open == 0 => return i + 1,
            b')' => open -= 1,
            _ => {
                if let Some((q, len)) = quote_at(text, i) {
                    i = skip_string(text, i + len, q, nesting + 1);
                    continue;
                }
            }
        }
        i += char_len(text, i);
    }
    b.len()
}

/// After `[ … ]` whose `[` is at `i` (nested brackets and quotes respected), within the line.
fn skip_brackets(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    let mut open = 0usize;
    while i < b.len() && b[i] != b'\n' {
        match b[i] {
            b'[' => open += 1,
            b']' => {
                open = open.saturating_sub(1);
                if open == 0 {
                    return i + 1;
                }
            }
            _ => {
                if let Some((q, len)) = quote_at(text, i) {
                    i = skip_string(text, i + len, q, 0);
                    continue;
                }
            }
        }
        i += char_len(text, i);
    }
    i
}

/// The end of an argument starting at `i`: up to whitespace or `;`, `,`, `|`, `&`, `(`, `)`,
/// `{`, `}` outside quotes; `$(` inside a word ends it (the group is read as code).
fn arg_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    let start = i;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c | b';' | b',' | b'|' | b'&' | b'('
            | b')' | b'{' | b'}' => return i,
            b'`' => {
                if matches!(b.get(i + 1), None | Some(b'\n' | b'\r')) {
                    return i;
                }
                i += 1 + char_len(text, i + 1);
            }
            b'$' if b.get(i + 1) == Some(&b'(') && i > start => return i,
            b'$' if b.get(i + 1) == Some(&b'{') => {
                i += 2;
                while i < b.len() && b[i] != b'}' && b[i] != b'\n' {
                    i += if b[i] == b'`' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                while i < b.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
            b'[' => i = skip_brackets(text, i),
            _ => match quote_at(text, i) {
                Some((q, len)) => i = skip_string(text, i + len, q, 0),
                None => i += char_len(text, i),
            },
        }
    }
    b.len()
}

/// The tokens of `text`; the spans of comment markers, line continuations and here-string
/// delimiters go to `marks` (shown).
fn lex(text: &str, marks: &mut dyn FnMut(usize, usize)) -> Vec<Token> {
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut push = |kind, start, end| tokens.push(Token { kind, start, end });
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (kind, len) = match b[i] {
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'\n' => (Tok::End, 1),
            b';' => (Tok::End, 1),
            b'`' if matches!(next, Some(b'\n' | b'\r') | None) => {
                // A line continued: the line break is no end of the statement.
                marks(i, i + 1);
                i += 1;
                if b.get(i) == Some(&b'\r') {
                    i += 1;
                }
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                }
                continue;
            }
            b'#' => {
                let end = text[i..].find('\n').map_or(b.len(), |e| i + e);
                let body = text[i + 1..end].trim_end_matches('\r');
                marks(i, if is_directive(body) { end } else { i + 1 });
                i = end;
                continue;
            }
            b'<' if next == Some(b'#') => {
                marks(i, i + 2);
                let end = match text[i + 2..].find("#>") {
                    Some(e) => {
                        marks(i + 2 + e, i + 2 + e + 2);
                        i + 2 + e + 2
                    }
                    None => b.len(),
                };
                i = end;
                continue;
            }
            b'@' if here_string_opens(text, i + 1).is_some() => {
                let (q, len) = here_string_opens(text, i + 1).unwrap_or(('"', 1));
                marks(i, i + 1 + len);
                let end = here_string_end(text, i + 1 + len, q);
                if let Some((close_start, close_end)) = end.1 {
                    marks(close_start, close_end);
                }
                push(Tok::HereString, i, end.0);
                i = end.0;
                continue;
            }
            b'$' | b'@' if next == Some(b'(') => (Tok::Open, 2),
            b'@' if next == Some(b'{') => (Tok::Hash, 2),
            b'(' => (Tok::Open, 1),
            b')' => (Tok::Close, 1),
            b'{' => (Tok::LBrace, 1),
            b'}' => (Tok::RBrace, 1),
            b',' => (Tok::Comma, 1),
            b'|' if next == Some(b'|') => (Tok::End, 2),
            b'|' => (Tok::Pipe, 1),
            b'&' if next == Some(b'&') => (Tok::End, 2),
            b'&' => (Tok::Amp, 1),
            _ => {
                let end = arg_end(text, i).max(i + char_len(text, i));
                (Tok::Arg, end - i)
            }
        };
        push(kind, i, i + len);
        i += len;
    }
    tokens
}

/// `@"` / `@'` opens a here-string when only whitespace follows on its line: the quote kind
/// and its length.
fn here_string_opens(text: &str, i: usize) -> Option<(char, usize)> {
    let (q, len) = quote_at(text, i)?;
    let rest = &text[i + len..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    line.trim().is_empty().then_some((q, len))
}

/// The end of a here-string whose body starts at `i`: after a line starting with a quote of
/// kind `q` and `@`, with that closing delimiter's span; unclosed, the end of the text.
fn here_string_end(text: &str, i: usize, q: char) -> (usize, Option<(usize, usize)>) {
    let mut at = i;
    while let Some(nl) = text[at..].find('\n') {
        let line = at + nl + 1;
        if let Some((kind, len)) = quote_at(text, line) {
            if kind == q && text.as_bytes().get(line + len) == Some(&b'@') {
                return (line + len + 1, Some((line, line + len + 1)));
            }
        }
        at = line;
    }
    (text.len(), None)
}

// ---------------------------------------------------------------------------------------
// Reading the tokens.
// ---------------------------------------------------------------------------------------

/// What the values of an expression are.
#[derive(Debug, Clone, Copy)]
enum Ctx<'t> {
    /// Values under this key (an assignment's variable, a hashtable's key), as
    /// [`super::push_value`] judges them; `None`: masked.
    Key(Option<&'t str>),
    /// Words of the command line `argvs[n]` (an `-ArgumentList`, an `$…Args` array).
    Args(usize),
}

/// What a cmdlet's parameter (or positional argument) takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Switch,
    Path,
    Word,
    /// The arguments of the program the cmdlet starts.
    Args,
    /// PowerShell source (`Invoke-Expression`, `powershell -Command`).
    Script,
    /// A count or a duration (`-Seconds 2`).
    Number,
    Masked,
}

/// PowerShell's keywords: shown, and what follows is read as an expression.
const KEYWORDS: &[&str] = &[
    "if", "elseif", "else", "switch", "foreach", "for", "while", "do", "until", "try", "catch",
    "finally", "function", "filter", "param", "return", "exit", "throw", "break", "continue",
    "trap", "begin", "process", "end", "in", "default", "workflow", "class", "enum",
];

/// Cmdlets (and their aliases) whose positional arguments are paths.
const PATH_CMDLETS: &[&str] = &[
    "set-location",
    "cd",
    "sl",
    "chdir",
    "push-location",
    "pushd",
    "join-path",
    "split-path",
    "test-path",
    "resolve-path",
    "get-content",
    "gc",
    "cat",
    "type",
    "get-item",
    "get-childitem",
    "ls",
    "dir",
    "import-module",
    "remove-item",
    "new-item",
];

fn param_kind(name: &str) -> Param {
    match name {
        "path"
        | "literalpath"
        | "filepath"
        | "workingdirectory"
        | "childpath"
        | "parent"
        | "file"
        | "f"
        | "redirectstandardoutput"
        | "redirectstandarderror"
        | "redirectstandardinput"
        | "destination"
        | "location"
        | "stackname" => Param::Path,
        "argumentlist" | "args" => Param::Args,
        "command" | "c" => Param::Script,
        "executionpolicy" | "ep" | "windowstyle" | "erroraction" | "ea" | "warningaction"
        | "verb" | "encoding" | "scope" | "itemtype" | "type" | "target" | "foregroundcolor"
        | "backgroundcolor" => Param::Word,
        "seconds" | "milliseconds" | "s" | "m" | "last" | "first" | "skip" | "timeoutsec"
        | "count" => Param::Number,
        "nonewwindow"
        | "wait"
        | "passthru"
        | "force"
        | "noprofile"
        | "noninteractive"
        | "nologo"
        | "noexit"
        | "recurse"
        | "resolve"
        | "leaf"
        | "qualifier"
        | "noqualifier"
        | "isabsolute"
        | "whatif"
        | "confirm"
        | "raw"
        | "usenewenvironment"
        | "sta"
        | "mta"
        | "regex"
        | "wildcard"
        | "exact"
        | "casesensitive"
        | "global"
        | "disablenamechecking" => Param::Switch,
        _ => Param::Masked,
    }
}

/// A cmdlet's `n`th positional argument.
fn positional(cmdlet: &str, n: usize) -> Param {
    match (cmdlet, n) {
        ("start-process" | "saps" | "start", 0) => Param::Path,
        ("start-process" | "saps" | "start", 1) => Param::Args,
        ("invoke-expression" | "iex", 0) => Param::Script,
        (c, _) if PATH_CMDLETS.contains(&c) => Param::Path,
        _ => Param::Masked,
    }
}

/// A word's text without its quotes (when both ends are quotes of one kind), with the
/// offset of the inside and whether it was quoted.
fn unquote(raw: &str) -> (&str, usize, bool) {
    if let (Some((q, len)), Some(last)) = (quote_at(raw, 0), raw.chars().last()) {
        let last_len = last.len_utf8();
        if raw.len() >= len + last_len
            && quote_at(raw, raw.len() - last_len).map(|p| p.0) == Some(q)
        {
            return (&raw[len..raw.len() - last_len], len, true);
        }
    }
    (raw, 0, false)
}

/// The length of a variable reference at the start of `raw` (`$name`, `$env:NAME`,
/// `${name}`, `@splat`, with `.Member` accesses), and the variable's name without its scope.
fn variable(raw: &str) -> Option<(usize, &str)> {
    // `@name` splats a variable.
    let rest = raw.strip_prefix('$').or_else(|| {
        raw.strip_prefix('@')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
    })?;
    let (name, mut len) = match rest.strip_prefix('{') {
        Some(braced) => {
            let end = braced.find('}')?;
            (&braced[..end], end + 3)
        }
        None => {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '?')))
                .unwrap_or(rest.len());
            (&rest[..end], end + 1)
        }
    };
    let plain = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'?'))
    };
    if !plain(name) || has_token_like_word(name) {
        return None;
    }
    // `.Member` accesses: code, shown with the variable.
    while raw[len..].starts_with('.') {
        let member = raw[len + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(raw.len() - len - 1);
        if member == 0 || has_token_like_word(&raw[len + 1..len + 1 + member]) {
            break;
        }
        len += 1 + member;
    }
    let unscoped = name.rsplit(':').next().unwrap_or(name);
    Some((len, unscoped))
}

/// `[type]` casts and attributes at the start of `raw`: their length when each is code
/// (`[string]`, `[Parameter(Mandatory)]`), with nothing a secret could hide in.
fn casts(raw: &str) -> usize {
    let mut len = 0;
    while raw[len..].starts_with('[') {
        let end = skip_brackets(raw, len);
        let inside = &raw[len..end];
        let code = inside.ends_with(']')
            && inside.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'_' | b'.' | b',' | b'[' | b']' | b'(' | b')' | b'=' | b'$' | b' '
                    )
            })
            && !has_token_like_word(inside);
        if !code {
            break;
        }
        len = end;
    }
    len
}

/// An assignment operator at the start of `rest`: its length.
fn assignment_op(rest: &str) -> Option<usize> {
    ["??=", "+=", "-=", "*=", "/=", "%=", "="]
        .iter()
        .find(|op| rest.starts_with(**op) && !rest[op.len()..].starts_with('='))
        .map(|op| op.len())
}

/// A word that is an operator (`-f`, `-join`, `-eq`, `+`, `..`): shown.
fn is_operator(raw: &str) -> bool {
    let dash_word = raw.len() <= 16
        && raw.len() >= 2
        && raw.starts_with('-')
        && raw[1..].bytes().all(|b| b.is_ascii_alphabetic());
    dash_word || (!raw.is_empty() && raw.bytes().all(|b| b"+-*/%!=<>.?:".contains(&b)))
}

/// The name a program word runs as: lower case, without its directory and `.exe`.
fn program_name(raw: &str) -> String {
    let inner = unquote(raw).0;
    let base = inner.rsplit(['/', '\\']).next().unwrap_or(inner);
    let lower = base.to_ascii_lowercase();
    lower.strip_suffix(".exe").unwrap_or(&lower).to_string()
}

/// A cmdlet name (`Verb-Noun`) or a known alias: read with PowerShell's parameters.
fn is_cmdlet(name: &str) -> bool {
    let verb_noun = name.split_once('-').is_some_and(|(verb, noun)| {
        !verb.is_empty()
            && !noun.is_empty()
            && verb.bytes().all(|b| b.is_ascii_alphabetic())
            && noun.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    verb_noun
        || PATH_CMDLETS.contains(&name)
        || matches!(
            name,
            "iex"
                | "saps"
                | "start"
                | "echo"
                | "write"
                | "popd"
                | "powershell"
                | "pwsh"
                | "%"
                | "?"
                | "foreach"
                | "where"
                | "select"
                | "sort"
                | "measure"
                | "tee"
                | "sleep"
        )
}

/// A bareword that starts a command (a cmdlet, a program, a path).
fn is_command_word(raw: &str) -> bool {
    raw.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '.' | '\\' | '/' | '~' | '_'))
        && !is_operator(raw)
}

struct Reader<'t, 'o> {
    text: &'t str,
    /// Where `text` is in the file.
    base: usize,
    /// `Invoke-Expression` strings this one is inside.
    depth: usize,
    tokens: Vec<Token>,
    next: usize,
    /// Groups and blocks open.
    nesting: usize,
    /// The command lines of `Ctx::Args` contexts.
    argvs: Vec<Argv>,
    out: &'o mut Vec<Span>,
}

impl<'t> Reader<'t, '_> {
    fn show(&mut self, start: usize, end: usize) {
        if start < end {
            self.out.push(span(self.base + start, self.base + end));
        }
    }

    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.next).copied()
    }

    fn peek_kind(&self) -> Option<Tok> {
        self.peek().map(|t| t.kind)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek()?;
        self.next += 1;
        Some(t)
    }

    fn raw(&self, t: Token) -> &'t str {
        &self.text[t.start..t.end]
    }

    /// The statement ends here (the token is left for the caller).
    fn at_end(&self) -> bool {
        matches!(
            self.peek_kind(),
            None | Some(Tok::End | Tok::Pipe | Tok::Close | Tok::RBrace)
        )
    }

    /// Statements up to the token closing what `open` opened (shown and consumed), or the
    /// end. A closer of another kind ends the block without being consumed (the block that
    /// opened it takes it); at the top level it is shown and skipped.
    fn block(&mut self, open: Option<Tok>, ctx: Ctx<'t>) {
        let closer = match open {
            Some(Tok::Open) => Some(Tok::Close),
            Some(_) => Some(Tok::RBrace),
            None => None,
        };
        let hash = open == Some(Tok::Hash);
        loop {
            let before = self.next;
            match self.peek() {
                None => return,
                Some(t) if Some(t.kind) == closer => {
                    self.bump();
                    self.show(t.start, t.end);
                    return;
                }
                Some(t) if matches!(t.kind, Tok::Close | Tok::RBrace) => {
                    if closer.is_some() {
                        return;
                    }
                    self.bump();
                    self.show(t.start, t.end);
                }
                Some(t) if matches!(t.kind, Tok::End | Tok::Pipe) => {
                    self.bump();
                    self.show(t.start, t.end);
                }
                Some(_) => self.statement(ctx, hash),
            }
            if self.next == before {
                // Nothing read it: masked, and on.
                self.bump();
            }
        }
    }

    /// A group or block whose opening token was just read: shown, and read unless nested
    /// too deep (then skipped, masked).
    fn nested(&mut self, open: Token, ctx: Ctx<'t>) {
        self.show(open.start, open.end);
        if self.nesting >= MAX_NESTING {
            let mut depth = 1usize;
            while let Some(t) = self.bump() {
                match t.kind {
                    Tok::Open | Tok::LBrace | Tok::Hash => depth += 1,
                    Tok::Close | Tok::RBrace => {
                        depth -= 1;
                        if depth == 0 {
                            return;
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        self.nesting += 1;
        self.block(Some(open.kind), ctx);
        self.nesting -= 1;
    }

    fn statement(&mut self, ctx: Ctx<'t>, hash: bool) {
        let Some(t) = self.peek() else { return };
        match t.kind {
            Tok::Amp => {
                self.bump();
                self.show(t.start, t.end);
                self.command();
            }
            Tok::Arg => {
                let raw = self.raw(t);
                let lower = raw.to_ascii_lowercase();
                if KEYWORDS.contains(&lower.as_str()) {
                    self.bump();
                    self.show(t.start, t.end);
                    self.keyword(&lower);
                } else if raw == "." && self.tokens.get(self.next + 1).is_some() {
                    self.bump();
                    self.show(t.start, t.end);
                    self.command();
                } else if let Some(ctx) = self.assignment(hash) {
                    self.expression(ctx);
                } else if is_command_word(raw) && !raw.starts_with('[') {
                    self.command();
                } else {
                    self.expression(ctx);
                }
            }
            _ => self.expression(ctx),
        }
    }

    /// After a keyword: `function NAME`, then the rest as an expression (conditions in
    /// parentheses, blocks in braces).
    fn keyword(&mut self, keyword: &str) {
        if matches!(
            keyword,
            "function" | "filter" | "workflow" | "class" | "enum"
        ) {
            if let Some(t) = self.peek().filter(|t| t.kind == Tok::Arg) {
                let name = self.raw(t);
                let code = name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'));
                self.bump();
                if code && !has_token_like_word(name) {
                    self.show(t.start, t.end);
                }
            }
        }
        // `exit 1`: an exit status.
        let ctx = match keyword {
            "exit" => Ctx::Key(Some("status")),
            _ => Ctx::Key(None),
        };
        self.expression(ctx);
    }

    /// `$x = …`, `[string]$x = …`, `$env:X=…` (and `key = …` in a hashtable): the variable
    /// and the operator shown; the context of the value. `None` (nothing consumed) when the
    /// statement is no assignment; after `$x = Some-Command …` the command is read here and
    /// `Some(Key(None))` returned for what may follow.
    fn assignment(&mut self, hash: bool) -> Option<Ctx<'t>> {
        let t = self.peek().filter(|t| t.kind == Tok::Arg)?;
        let raw = self.raw(t);
        let cast = casts(raw);
        let (name_len, key) = match variable(&raw[cast..]) {
            Some(v) => v,
            None if hash => {
                let (inner, offset, _) = unquote(raw.split('=').next().unwrap_or(raw));
                let len = raw.find('=').unwrap_or(raw.len());
                let plain = !inner.is_empty()
                    && inner
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
                if !plain || (offset > 0 && len < inner.len() + 2) || has_token_like_word(inner) {
                    return None;
                }
                (len, inner)
            }
            None => return None,
        };
        let after = cast + name_len;
        let rest = &raw[after..];
        // The operator and any value in this word, or the operator as the next word.
        let (op_token, op_start, op_len) = match assignment_op(rest) {
            Some(len) => (t, t.start + after, len),
            None if rest.is_empty() => {
                let op = self.tokens.get(self.next + 1).copied()?;
                let op_raw = self.raw(op);
                if op.kind != Tok::Arg {
                    return None;
                }
                (op, op.start, assignment_op(op_raw)?)
            }
            None => return None,
        };
        self.show(t.start, t.start + after);
        self.show(op_start, op_start + op_len);
        self.next += if op_token.start == t.start { 1 } else { 2 };
        let ctx = self.context_for(key);
        if op_start + op_len < op_token.end {
            // `$x='a'`: the value in the same word.
            self.value(ctx, op_start + op_len, op_token.end);
            return Some(ctx);
        }
        match self.peek() {
            // `$x = if (…) { … } else { … }`: what the blocks give is not keyed.
            Some(v)
                if v.kind == Tok::Arg
                    && KEYWORDS.contains(&self.raw(v).to_ascii_lowercase().as_str()) =>
            {
                Some(Ctx::Key(None))
            }
            Some(v) if v.kind == Tok::Arg && is_command_word(self.raw(v)) => {
                self.command();
                Some(Ctx::Key(None))
            }
            _ => Some(ctx),
        }
    }

    /// Values under a variable named like an argument list (`$dockerArgs`, `$arguments`)
    /// are a command line's words; others are judged by the name.
    fn context_for(&mut self, key: &'t str) -> Ctx<'t> {
        let lower = key.to_ascii_lowercase();
        if lower.ends_with("args") || lower.ends_with("arguments") || lower.ends_with("argv") {
            self.argvs.push(Argv {
                started: true,
                ..Argv::default()
            });
            return Ctx::Args(self.argvs.len() - 1);
        }
        Ctx::Key(Some(key))
    }

    /// The rest of a statement as an expression: values in `ctx`, operators and punctuation
    /// shown, groups and blocks read, a further assignment (`param($a = 1, $b = 2)`) re-keys.
    fn expression(&mut self, mut ctx: Ctx<'t>) {
        while !self.at_end() {
            let Some(t) = self.bump() else { return };
            match t.kind {
                Tok::Arg => {
                    let raw = self.raw(t);
                    let lower = raw.to_ascii_lowercase();
                    if is_operator(raw) || KEYWORDS.contains(&lower.as_str()) {
                        self.show(t.start, t.end);
                        continue;
                    }
                    self.next -= 1;
                    if let Some(new) = self.assignment(false) {
                        ctx = new;
                        continue;
                    }
                    self.next += 1;
                    if self.method_call(t) {
                        continue;
                    }
                    self.value(ctx, t.start, t.end);
                }
                Tok::Comma => self.show(t.start, t.end),
                Tok::Open => self.nested(t, ctx),
                Tok::LBrace => self.nested(t, Ctx::Key(None)),
                Tok::Hash => self.nested(t, Ctx::Key(None)),
                Tok::Amp => {
                    self.show(t.start, t.end);
                    self.command();
                }
                _ => {}
            }
        }
    }

    /// `[Type]::Method(` / `$x.Method(`: the call shown as code;
    /// `SetEnvironmentVariable('NAME', value, 'User')` gives its value by the name. `false`
    /// when `t` is no method call.
    fn method_call(&mut self, t: Token) -> bool {
        let raw = self.raw(t);
        let Some(open) = self
            .peek()
            .filter(|o| o.kind == Tok::Open && o.start == t.end)
        else {
            return false;
        };
        let cast = casts(raw);
        let rest = &raw[cast..];
        let code = match variable(rest) {
            Some((len, _)) => len == rest.len(),
            None => {
                rest.starts_with("::")
                    && rest[2..]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }
        };
        if !code || (cast == 0 && variable(rest).is_none()) || has_token_like_word(raw) {
            return false;
        }
        self.show(t.start, t.end);
        self.bump();
        let lower = rest.to_ascii_lowercase();
        if !lower.ends_with("::setenvironmentvariable") || self.nesting >= MAX_NESTING {
            self.nested(open, Ctx::Key(None));
            return true;
        }
        self.show(open.start, open.end);
        // ('NAME', value[, 'Process'|'User'|'Machine']).
        let mut key: Option<&'t str> = None;
        let mut argument = 0;
        while let Some(a) = self.peek() {
            match a.kind {
                Tok::Close => {
                    self.bump();
                    self.show(a.start, a.end);
                    return true;
                }
                Tok::Comma => {
                    self.bump();
                    self.show(a.start, a.end);
                    argument += 1;
                }
                Tok::Arg => {
                    self.bump();
                    let (inner, _, _) = unquote(self.raw(a));
                    match argument {
                        0 if super::is_env_name(inner) => {
                            self.show(a.start, a.end);
                            key = Some(inner);
                        }
                        0 => {}
                        1 => self.value(Ctx::Key(key), a.start, a.end),
                        _ => self.value(Ctx::Key(Some("scope")), a.start, a.end),
                    }
                }
                _ => {
                    // Anything else (a nested call, a line break): read as an expression.
                    self.nested_rest();
                    return true;
                }
            }
        }
        true
    }

    /// What remains of a group whose reading stopped early: masked up to its closer.
    fn nested_rest(&mut self) {
        let mut depth = 1usize;
        while let Some(t) = self.bump() {
            match t.kind {
                Tok::Open | Tok::LBrace | Tok::Hash => depth += 1,
                Tok::Close | Tok::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        self.show(t.start, t.end);
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// One value (the text `start..end`) in `ctx`.
    fn value(&mut self, ctx: Ctx<'t>, start: usize, end: usize) {
        let text = self.text;
        let raw = &text[start..end];
        let cast = casts(raw);
        self.show(start, start + cast);
        let (start, raw) = (start + cast, &raw[cast..]);
        if let Some((len, _)) = variable(raw) {
            if len == raw.len() {
                // A variable: its name is code. In a command line it still takes a place.
                if let Ctx::Args(n) = ctx {
                    self.argvs[n].word(&mut Vec::new(), raw, 0);
                }
                self.show(start, start + len);
                return;
            }
        }
        match ctx {
            Ctx::Key(key) => {
                let (inner, offset, quoted) = unquote(raw);
                if quoted {
                    self.show(start, start + offset);
                    self.show(end - (raw.len() - offset - inner.len()), end);
                }
                // Text inside `$( … )` is code that may hold anything: masked.
                if !inner.contains("$(") && !inner.contains('`') {
                    let mut spans = Vec::new();
                    push_value(&mut spans, key, inner, self.base + start + offset);
                    self.out.extend(spans);
                }
            }
            Ctx::Args(n) => self.argv_word(n, start, end),
        }
    }

    /// A word of the command line `argvs[n]`, as [`Argv`] reads it. A quoted word with
    /// spaces in it is read word by word (a program gets it as one argument, but a string
    /// is no path for being quoted), whole only where `Argv` knows it is a path or a `sh -c`
    /// script (`cmd /c "…"` is read by the caller); text with `$( … )`, backtick escapes or
    /// typographic quotes never.
    fn argv_word(&mut self, n: usize, start: usize, end: usize) {
        let text = self.text;
        let raw = &text[start..end];
        if let Some((len, _)) = variable(raw).filter(|(len, _)| *len == raw.len()) {
            self.argvs[n].word(&mut Vec::new(), raw, 0);
            self.show(start, start + len);
            return;
        }
        let (inner, offset, quoted) = unquote(raw);
        let argv = &self.argvs[n];
        let spaced = inner.contains(char::is_whitespace);
        let whole = argv.script || matches!(argv.pending, Some(Some(_))) || !argv.started;
        // Argv knows ASCII quotes only.
        let typographic = quoted && !raw.starts_with(['"', '\'']);
        let opaque = inner.contains("$(") || inner.contains('`') || typographic;
        let mut spans = Vec::new();
        if spaced && !whole && !opaque {
            super::push_command(
                &mut spans,
                &mut self.argvs[n],
                inner,
                self.base + start + offset,
            );
        } else {
            self.argvs[n].word(&mut spans, raw, self.base + start);
        }
        if quoted {
            self.show(start, start + offset);
            self.show(end - (raw.len() - offset - inner.len()), end);
        }
        if !opaque {
            self.out.extend(spans);
        }
    }

    /// A command: the program (the next token), then its arguments to the statement's end.
    fn command(&mut self) {
        let Some(program) = self.peek() else { return };
        match program.kind {
            Tok::Arg => {}
            Tok::Open | Tok::LBrace => {
                // `& { … }`, `& (Get-Command x)`: the block is read; its arguments masked.
                self.bump();
                self.nested(program, Ctx::Key(None));
                self.expression(Ctx::Key(None));
                return;
            }
            _ => return,
        }
        self.bump();
        let name = program_name(self.raw(program));
        if is_cmdlet(&name) {
            let raw = self.raw(program);
            let code = raw.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'%' | b'?')
            });
            if code && !has_token_like_word(raw) {
                self.show(program.start, program.end);
            } else {
                self.argvs.push(Argv::default());
                let n = self.argvs.len() - 1;
                self.argv_word(n, program.start, program.end);
            }
            self.cmdlet(&name);
        } else {
            self.argvs.push(Argv::default());
            let n = self.argvs.len() - 1;
            self.argv_word(n, program.start, program.end);
            self.native(n, name == "cmd");
        }
    }

    /// A native program's arguments ([`Argv`]); after `cmd /c`, a quoted string is a batch
    /// line ([`cmd_script`]).
    fn native(&mut self, n: usize, cmd: bool) {
        let mut batch_next = false;
        let mut previous_end = usize::MAX;
        while !self.at_end() {
            let Some(t) = self.bump() else { return };
            let joined = std::mem::replace(&mut previous_end, t.end) == t.start;
            match t.kind {
                Tok::Arg => {
                    let raw = self.raw(t);
                    let lower = raw.to_ascii_lowercase();
                    if cmd && matches!(lower.as_str(), "/c" | "/k" | "/s") {
                        self.show(t.start, t.end);
                        batch_next = true;
                        self.argvs[n] = Argv::default();
                        continue;
                    }
                    let (inner, offset, quoted) = unquote(raw);
                    if std::mem::take(&mut batch_next) && quoted && raw.starts_with('"') {
                        self.show(t.start, t.start + offset);
                        self.show(t.end - 1, t.end);
                        if !inner.contains("$(") && !inner.contains('`') {
                            let base = self.base + t.start + offset;
                            self.out.extend(
                                cmd_script(inner)
                                    .into_iter()
                                    .map(|s| span(base + s.start(), base + s.end())),
                            );
                        }
                        continue;
                    }
                    self.argv_word(n, t.start, t.end);
                }
                Tok::Comma => self.show(t.start, t.end),
                Tok::Open | Tok::LBrace | Tok::Hash => {
                    // A group is one argument (or the rest of the one it is written against):
                    // its value is not known, but it takes its place.
                    if !joined {
                        self.argvs[n].word(&mut Vec::new(), "$GROUP", 0);
                    }
                    self.nested(t, Ctx::Key(None));
                    previous_end = self.tokens[self.next - 1].end;
                }
                Tok::Amp => self.show(t.start, t.end),
                _ => {}
            }
        }
    }

    /// A cmdlet's parameters and arguments: `-Name` shown, values by [`param_kind`] and
    /// [`positional`]; a comma continues the value before it (`-ArgumentList 'a', 'b'`).
    fn cmdlet(&mut self, name: &str) {
        let mut pending: Option<Param> = None;
        let mut positionals = 0;
        let mut args: Option<usize> = None;
        while !self.at_end() {
            let Some(t) = self.bump() else { return };
            match t.kind {
                Tok::Arg => {
                    if pending.is_none() {
                        if let Some(param) = self.parameter(t) {
                            pending = (param != Param::Switch).then_some(param);
                            continue;
                        }
                    }
                    let kind = match pending.take() {
                        Some(kind) => kind,
                        None => {
                            positionals += 1;
                            positional(name, positionals - 1)
                        }
                    };
                    self.cmdlet_value(kind, t, &mut args);
                    if self.peek_kind() == Some(Tok::Comma) {
                        pending = Some(kind);
                    }
                }
                Tok::Comma => self.show(t.start, t.end),
                Tok::Open => {
                    let kind = pending.take().unwrap_or_else(|| {
                        positionals += 1;
                        positional(name, positionals - 1)
                    });
                    let ctx = match kind {
                        Param::Args => Ctx::Args(self.args_line(&mut args)),
                        Param::Path => Ctx::Key(Some("path")),
                        _ => Ctx::Key(None),
                    };
                    self.nested(t, ctx);
                }
                Tok::LBrace | Tok::Hash => {
                    pending = None;
                    self.nested(t, Ctx::Key(None));
                }
                Tok::HereString => pending = None,
                Tok::Amp => self.show(t.start, t.end),
                _ => {}
            }
        }
    }

    /// The command line `-ArgumentList` values belong to (one per cmdlet call).
    fn args_line(&mut self, args: &mut Option<usize>) -> usize {
        *args.get_or_insert_with(|| {
            self.argvs.push(Argv {
                started: true,
                ..Argv::default()
            });
            self.argvs.len() - 1
        })
    }

    /// `-Name` or `-Name:value`: the name shown, what it takes; `None` when `t` is no
    /// parameter (a negative number, `--port`).
    fn parameter(&mut self, t: Token) -> Option<Param> {
        let raw = self.raw(t);
        let body = raw.strip_prefix('-')?;
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let after = &body[name_len..];
        if name_len == 0
            || !body.starts_with(|c: char| c.is_ascii_alphabetic())
            || !(after.is_empty() || after.starts_with(':'))
            || has_token_like_word(&body[..name_len])
        {
            return None;
        }
        let kind = param_kind(&body[..name_len].to_ascii_lowercase());
        self.show(
            t.start,
            t.start + 1 + name_len + usize::from(!after.is_empty()),
        );
        if after.len() > 1 {
            // `-Path:C:\x`: the value in the same word.
            let value = Token {
                kind: Tok::Arg,
                start: t.start + 1 + name_len + 1,
                end: t.end,
            };
            let mut args = None;
            self.cmdlet_value(kind, value, &mut args);
            return Some(Param::Switch);
        }
        Some(kind)
    }

    fn cmdlet_value(&mut self, kind: Param, t: Token, args: &mut Option<usize>) {
        match kind {
            Param::Path => self.value(Ctx::Key(Some("path")), t.start, t.end),
            Param::Word => self.value(Ctx::Key(Some("mode")), t.start, t.end),
            Param::Number => self.value(Ctx::Key(Some("count")), t.start, t.end),
            Param::Args => {
                let n = self.args_line(args);
                self.value(Ctx::Args(n), t.start, t.end);
            }
            Param::Script => self.script_string(t),
            Param::Switch | Param::Masked => self.value(Ctx::Key(None), t.start, t.end),
        }
    }

    /// A string of PowerShell source (`Invoke-Expression "…"`): its quotes shown, what is
    /// inside read as a script of its own, [`MAX_SCRIPT_DEPTH`] strings deep at most.
    fn script_string(&mut self, t: Token) {
        let raw = self.raw(t);
        if let Some((len, _)) = variable(raw).filter(|(len, _)| *len == raw.len()) {
            self.show(t.start, t.start + len);
            return;
        }
        let (inner, offset, quoted) = unquote(raw);
        if !quoted {
            return;
        }
        self.show(t.start, t.start + offset);
        self.show(t.end - (raw.len() - offset - inner.len()), t.end);
        if self.depth + 1 >= MAX_SCRIPT_DEPTH {
            return;
        }
        read(
            inner,
            self.base + t.start + offset,
            self.depth + 1,
            self.out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::powershell;

    fn shown(text: &str) -> String {
        crate::redact::masked(text, &powershell(text))
    }

    /// Token-shaped fakes: an `sk-` key, a GitHub token, and one with `/` (shaped like a
    /// path) and no digits-and-letters word, which only the context can tell from a path.
    const SECRETS: [&str; 3] = [
        "sk-live-0123456789abcdefFAKE",
        "ghp_FAKE0123456789abcdefFAKE01",
        "wJalrXUtnFEMI/KxMDENG/bPxRfiCYEXAMPLEKEY",
    ];

    /// Every PowerShell form a value can take, each holding `secret`.
    fn forms(secret: &str) -> Vec<String> {
        [
            "$env:OPENCLAW_GATEWAY_TOKEN = '{S}'",
            "$env:SLACK_BOT_TOKEN=\"{S}\"",
            "${env:X_KEY} = \"{S}\"",
            "$env:OPENCLAW_GATEWAY_PORT = '{S}'",
            "$cfg = '{S}'",
            "[string]$Name = 'x'; [string]$Secret = '{S}'",
            "param([string]$Name = 'ops', [string]$Token = '{S}')",
            "$t = @\"\n{S}\n\"@",
            "$t = @'\n{S}\n'@",
            "$t = @\"\n  --token {S}\n\"@\nopenclaw gateway $t",
            "openclaw gateway --token `\n  {S}",
            "openclaw gateway --token `\"{S}`\"",
            "openclaw gateway \"--token=`\"{S}`\"\"",
            "openclaw gateway --port 18789 $(\"--token={S}\")",
            "openclaw gateway --token=\"$('{S}')\"",
            "Start-Process node -ArgumentList 'gateway', '--token', '{S}' -NoNewWindow",
            "Start-Process -FilePath node -ArgumentList @('gateway',\n  '--password', \"{S}\")",
            "Start-Process node -ArgumentList \"gateway --token {S}\"",
            "$dockerArgs = @('compose', '-e', 'OPENCLAW_GATEWAY_TOKEN={S}', 'up')",
            "$dockerArgs = @('compose', '-e', \"T={S}\")\ndocker @dockerArgs",
            "Invoke-Expression \"openclaw gateway --token {S}\"",
            "iex 'docker compose -e OPENCLAW_GATEWAY_TOKEN={S} up -d'",
            "iex \"iex 'iex \"\"openclaw gateway --token {S}\"\"'\"",
            "cmd /c \"set PASS={S} && docker compose up -d\"",
            "cmd.exe /c set PASS={S}",
            "[Environment]::SetEnvironmentVariable('OPENCLAW_GATEWAY_TOKEN', '{S}', 'User')",
            "[System.Environment]::SetEnvironmentVariable(\"X\", \"{S}\")",
            "$h = @{ token = '{S}'; Authorization = \"Bearer {S}\" }",
            "$h = @{ port = 18789; '{S}' = 1 }",
            "# {S}",
            "<# {S} #>",
            "<#\n {S}\n#>",
            "switch ($env:TIER) { '{S}' { openclaw gateway } }",
            "if ($x -eq '{S}') { exit 1 }",
            "Write-Host \"token: {S}\"",
            "Set-Content -Path x.txt -Value '{S}'",
            "Get-Secret -Name {S}",
            "$env:OPENCLAW_GATEWAY_TOKEN = \u{201C}{S}\u{201D}",
            "openclaw gateway --token \u{2018}{S}\u{2019}",
            "$cred = New-Object PSCredential('u', (ConvertTo-SecureString '{S}' -AsPlainText -Force))",
            "docker login -u me -p {S}",
            "$p = '{S}' -replace 'x', 'y'",
            "$x = \"$env:HOME\\{S}\"",
            "function Get-Token { return '{S}' }",
            "& $exe --token {S}",
            "& \"C:\\node.exe\" gateway --token {S}",
            "openclaw gateway --token {S} # and a comment {S}",
            "pwsh -NoProfile -Command \"openclaw gateway --token {S}\"",
            "pwsh -EncodedCommand {S}",
            "$a = 1, '{S}'",
            "$env:OPENCLAW_GATEWAY_PORT, $x = 1, '{S}'",
        ]
        .iter()
        .map(|f| f.replace("{S}", secret))
        .collect()
    }

    #[test]
    fn no_powershell_form_shows_a_secret() {
        let mut shows = Vec::new();
        for secret in SECRETS {
            for script in forms(secret) {
                let out = shown(&script);
                // The secret, or a piece of it long enough to matter.
                let pieces = secret.split(['/', '-', '_']).filter(|p| p.len() >= 8);
                if out.contains(secret) || pieces.into_iter().any(|p| out.contains(p)) {
                    shows.push(format!("{script}\nshows\n{out}"));
                }
            }
        }
        assert!(shows.is_empty(), "{}", shows.join("\n\n"));
    }

    #[test]
    fn all_forms_in_one_script_show_no_secret() {
        // One script: a form that desynchronizes the reader must not expose a later one.
        for secret in SECRETS {
            let script = forms(secret).join("\n") + "\n";
            let out = shown(&script);
            assert!(!out.contains(secret), "{out}");
            let crlf = script.replace('\n', "\r\n");
            assert!(!shown(&crlf).contains(secret));
        }
    }

    #[test]
    fn harmless_powershell_is_shown() {
        let text = "# start the acme stack\n\
            $composeFile = Join-Path $PSScriptRoot 'compose.yml'\n\
            $env:OPENCLAW_GATEWAY_PORT = '19789'\n\
            $env:OPENCLAW_PROFILE=\"ops\"\n\
            Set-Location -Path 'C:\\stacks\\acme'\n\
            docker compose -f $composeFile --env-file .env up -d\n\
            Start-Process -FilePath node -ArgumentList 'C:\\oc\\index.js', 'gateway', '--port', '18789' -NoNewWindow -Wait\n\
            [Environment]::SetEnvironmentVariable('OPENCLAW_GATEWAY_PORT', '19001', 'User')\n\
            if (Test-Path $composeFile) { & docker compose up -d } else { exit 1 }\n\
            param([int]$Port = 18789)\n\
            Invoke-Expression \"docker compose -f $composeFile up -d\"\n\
            cmd /c \"cd /d C:\\stacks && docker compose up -d\"\n";
        assert_eq!(
            shown(text),
            text.replacen("start the acme stack", "***** *** **** *****", 1)
        );
    }

    #[test]
    fn the_commands_statement_is_shown_as_far_as_it_is_safe() {
        assert_eq!(
            shown("Invoke-Expression \"docker compose -e OPENCLAW_GATEWAY_TOKEN=sk-x up -d\""),
            "Invoke-Expression \"docker compose -e *************************** up -d\""
        );
        assert_eq!(
            shown("cmd /c \"set PASS=hunter2 && docker compose up -d\""),
            // cmd's `set` takes the rest of the line as the value: masked whole.
            "cmd /c \"set PASS=******* ** ****** ******* ** **\""
        );
        assert_eq!(shown("docker $dockerArgs"), "docker $dockerArgs");
        assert_eq!(
            shown(
                "$dockerArgs = @('compose', '--file', \"$PSScriptRoot\\compose.yml\", 'up', '-d')"
            ),
            "$dockerArgs = @('compose', '--file', \"$PSScriptRoot\\compose.yml\", 'up', '-d')"
        );
        // Compose's `-f` takes a file; an unknown short option's value is masked.
        assert_eq!(
            shown("$dockerArgs = @('compose', '-f', 'x.yml', '-x', 'x.yml')"),
            "$dockerArgs = @('compose', '-f', 'x.yml', '-x', '*****')"
        );
    }

    #[test]
    fn hostile_nesting_is_bounded_and_masked() {
        for text in [
            "(".repeat(100_000),
            "{".repeat(100_000),
            "\"$(".repeat(50_000),
            "iex \"".repeat(10_000),
            "@{".repeat(100_000),
            format!(
                "{}sk-live-0123456789abcdefFAKE{}",
                "(".repeat(200),
                ")".repeat(200)
            ),
        ] {
            let out = shown(&text);
            assert_eq!(out.len(), text.len());
            assert!(!out.contains("0123456789abcdef"));
        }
    }
}
