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
}
