//! Readers of a gateway's argv that several supervisors share: OpenClaw's `--port` and the
//! words of an `sh -c` string.

/// The gateway port from argv, exactly as OpenClaw's `parseTcpPortFromArgs`: the last
/// `--port N` or `--port=N` whose value is a strict positive integer up to 65535 (surrounding
/// whitespace and a `+` sign allowed, `0x`, `1e3` and `19789abc` not). An invalid value does
/// not reset an earlier valid one, and `--port` always consumes the next word, even
/// `--port --port=1`. The index is that of the word holding the number.
pub fn port_from_args(argv: &[String]) -> Option<(u16, usize)> {
    let mut latest = None;
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        if arg == "--port" {
            if let Some(port) = argv
                .get(i + 1)
                .and_then(|v| crate::resolve::ports::parse_tcp_port(v))
            {
                latest = Some((port, i + 1));
            }
            i += 2;
            continue;
        }
        if let Some(port) = arg
            .strip_prefix("--port=")
            .and_then(crate::resolve::ports::parse_tcp_port)
        {
            latest = Some((port, i));
        }
        i += 1;
    }
    latest
}

/// Splits a simple POSIX shell command (the string of `sh -c "..."`) into words: single
/// quotes, double quotes (where only `\$ \` \" \\` and backslash-newline are escapes),
/// backslash escapes and `#` comments. Returns `None` for anything a plain split would get
/// wrong: unbalanced quotes, command substitution (`$(`, backticks), parameter expansion
/// (`$X`, `${X}`), pipes, lists (`;`, `&`, `&&`, `||`, newline), redirections and subshells.
/// Tilde and glob characters are kept literally.
pub fn split_shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                continue;
            }
            '#' if !in_word => break,
            '\'' => single_quoted(&mut chars, &mut word)?,
            '"' => double_quoted(&mut chars, &mut word)?,
            '\\' => match chars.next() {
                Some('\n') => continue,
                Some(next) => word.push(next),
                None => word.push('\\'),
            },
            '$' => dollar(chars.peek().copied(), &mut word)?,
            '`' | '|' | ';' | '&' | '<' | '>' | '(' | ')' | '\n' => return None,
            _ => word.push(c),
        }
        in_word = true;
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn single_quoted(chars: &mut Chars<'_>, word: &mut String) -> Option<()> {
    loop {
        match chars.next()? {
            '\'' => return Some(()),
            c => word.push(c),
        }
    }
}

fn double_quoted(chars: &mut Chars<'_>, word: &mut String) -> Option<()> {
    loop {
        match chars.next()? {
            '"' => return Some(()),
            '`' => return None,
            '$' => dollar(chars.peek().copied(), word)?,
            '\\' => match chars.next()? {
                '\n' => {}
                c @ ('$' | '`' | '"' | '\\') => word.push(c),
                c => {
                    word.push('\\');
                    word.push(c);
                }
            },
            c => word.push(c),
        }
    }
}

/// A `$` that starts an expansion makes the command not simple; any other `$` is literal.
fn dollar(next: Option<char>, word: &mut String) -> Option<()> {
    let expands = next.is_some_and(|n| {
        n.is_ascii_alphanumeric()
            || matches!(n, '_' | '{' | '(' | '@' | '*' | '#' | '?' | '-' | '$' | '!')
    });
    if expands {
        return None;
    }
    word.push('$');
    Some(())
}
