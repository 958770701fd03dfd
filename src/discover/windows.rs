//! Windows Scheduled Task scripts (`<state dir>/gateway.cmd`), read as OpenClaw's
//! `readScheduledTaskCommand` reads them: `set "KEY=VALUE"` lines, `cd /d DIR`, then the
//! command line (cmd quoting, `%%` and `^!` escapes, a trailing `< NUL`).

use crate::load::json5::Span;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskScript {
    /// `set` assignments: key, value, span of the line.
    pub environment: Vec<(String, String, Span)>,
    pub working_directory: Option<String>,
    pub program_arguments: Vec<String>,
    /// The command line's span.
    pub command: Span,
}

/// The flag OpenClaw adds for its own task supervisor; not a gateway argument.
const SUPERVISOR_FLAG_PREFIX: &str = "--windows-task";

pub fn parse_task_script(text: &str) -> Option<TaskScript> {
    let mut script = TaskScript::default();
    let mut offset = 0;
    for raw in text.split('\n') {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r').trim();
        let lower = line.to_ascii_lowercase();
        if line.is_empty() || line.starts_with("@echo") || lower.starts_with("rem ") {
            continue;
        }
        let span = Span {
            start,
            end: start + raw.trim_end_matches('\r').len(),
        };
        if lower.starts_with("set ") {
            if let Some((key, value)) = set_assignment(&line[4..]) {
                script.environment.push((key, value, span));
            }
            continue;
        }
        if let Some(dir) = lower.strip_prefix("cd /d ").map(|_| line[6..].trim()) {
            script.working_directory = Some(dir.trim_matches('"').to_string());
            continue;
        }
        let command = line.strip_suffix("< NUL").unwrap_or(line).trim_end();
        script.program_arguments = split_command_line(command)
            .into_iter()
            .filter(|a| !a.starts_with(SUPERVISOR_FLAG_PREFIX))
            .collect();
        script.command = span;
        return Some(script);
    }
    None
}

/// `"KEY=VALUE"` or `KEY=VALUE`, with cmd's escapes undone.
fn set_assignment(raw: &str) -> Option<(String, String)> {
    let raw = raw.trim();
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let (key, value) = inner.split_once('=')?;
    (!key.is_empty()).then(|| (unescape(key), unescape(value)))
}

fn unescape(value: &str) -> String {
    value
        .replace("^!", "!")
        .replace("^^", "^")
        .replace("%%", "%")
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
        assert!(text[script.command.start..script.command.end].starts_with("\"C:"));
    }

    #[test]
    fn escapes_and_garbage() {
        assert_eq!(
            set_assignment("\"A=50%% off^!\""),
            Some(("A".into(), "50% off!".into()))
        );
        assert_eq!(set_assignment("=x"), None);
        assert_eq!(parse_task_script("@echo off\r\n"), None);
        assert_eq!(
            split_command_line(r#"a "b c" \"d"#),
            vec!["a", "b c", "\"d"]
        );
    }
}
