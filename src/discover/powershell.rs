//! A Windows task's `gateway.cmd` that runs PowerShell (`powershell -File start.ps1`,
//! `pwsh -Command "…"`): what the script sets and runs, read statically, one level deep.
//!
//! Pure: no file is read here; the caller reads the `-File` script when it lies inside the
//! scanned layout and passes its text.

use super::command::starts_gateway;
use std::collections::BTreeMap;

/// What a PowerShell invocation runs: a script file or a command string.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    File(String),
    Command(String),
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

/// Splits a statement into words: whitespace separates, `'…'` and `"…"` group, a comma
/// between words (an argument list) separates too.
fn words(statement: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in statement.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, ' ' | '\t' | ',') => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// `$env:NAME` and `${env:NAME}` replaced by known values; unknown names are collected.
fn expand(text: &str, vars: &BTreeMap<String, String>, unknown: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.to_ascii_lowercase().find("$env:") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..end];
        let value = vars
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone());
        match value {
            Some(v) => out.push_str(&v),
            None => unknown.push(name.to_string()),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The first statement of `script` that starts a gateway, with the `$env:` assignments and
/// `Set-Location` before it. `None` when none starts one.
pub fn gateway(script: &str, vars: &BTreeMap<String, String>) -> Option<Script> {
    let mut vars = vars.clone();
    let mut out = Script::default();
    let mut unknown = Vec::new();
    let statements = script
        .lines()
        .flat_map(|line| line.split(';'))
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with('#'));
    for statement in statements {
        let lower = statement.to_ascii_lowercase();
        if lower.contains("setenvironmentvariable") {
            out.unseen
                .push("variables the script sets at run time from outside it".to_string());
            out.injects_env = Some("the PowerShell script, at run time".to_string());
            continue;
        }
        if let Some(rest) = lower.strip_prefix("$env:") {
            let Some((name_len, _)) = rest.split_once('=').map(|(n, v)| (n.trim().len(), v)) else {
                continue;
            };
            let name = statement[5..5 + name_len].trim().to_string();
            let value = statement[statement.find('=')? + 1..].trim();
            if value
                .to_ascii_lowercase()
                .contains("getenvironmentvariable")
            {
                // `[Environment]::GetEnvironmentVariable('X', 'User')`: imported from the
                // Windows user (or machine) environment, which no file shows.
                out.unseen
                    .push(format!("{name}, from the Windows user environment"));
                out.injects_env = Some("the Windows user environment".to_string());
                continue;
            }
            let literal = words(value);
            if literal.len() == 1 {
                let v = expand(&literal[0], &vars, &mut unknown);
                vars.insert(name.clone(), v.clone());
                out.env.push((name, v));
            } else {
                out.unseen
                    .push(format!("the value the script gives {name}"));
            }
            continue;
        }
        let mut w = words(statement);
        if w.first().is_some_and(|f| f == "&" || f == ".") {
            w.remove(0);
        }
        let Some(first) = w.first().map(|f| f.to_ascii_lowercase()) else {
            continue;
        };
        if matches!(
            first.as_str(),
            "set-location" | "cd" | "sl" | "push-location" | "pushd"
        ) {
            if let Some(dir) = w.iter().skip(1).find(|a| !a.starts_with('-')) {
                out.cwd = Some(expand(dir, &vars, &mut unknown));
            }
            continue;
        }
        let argv: Vec<String> = if first == "start-process" {
            // Start-Process -FilePath X -ArgumentList a, b
            let mut file = None;
            let mut args = Vec::new();
            let mut i = 1;
            while i < w.len() {
                match w[i].to_ascii_lowercase().as_str() {
                    "-filepath" => {
                        file = w.get(i + 1).cloned();
                        i += 2;
                    }
                    "-argumentlist" => {
                        i += 1;
                        while i < w.len() && !w[i].starts_with('-') {
                            args.push(w[i].clone());
                            i += 1;
                        }
                    }
                    o if o.starts_with('-') => i += 1,
                    _ => {
                        file = file.or_else(|| Some(w[i].clone()));
                        i += 1;
                    }
                }
            }
            file.into_iter().chain(args).collect()
        } else {
            w
        };
        let argv: Vec<String> = argv
            .iter()
            .map(|a| expand(a, &vars, &mut unknown))
            .collect();
        if starts_gateway(&argv) {
            out.argv = argv;
            unknown.sort();
            unknown.dedup();
            if !unknown.is_empty() {
                out.unseen.push(format!(
                    "environment variables with no value clawlint can see: {}",
                    unknown.join(", ")
                ));
            }
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
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
}
