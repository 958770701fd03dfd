//! Where a gateway's base port is written down: every place `--fix` has to change to move the
//! gateway, found on the text the loaders kept (never the file system).
//!
//! A port is pinned by the config's `gateway.port` (in whichever file of the `$include` chain
//! sets it), by the supervisor that starts the gateway (a unit's `--port` and
//! `OPENCLAW_GATEWAY_PORT` in `ExecStart=`/`Environment=`, a launchd plist's
//! `ProgramArguments` and `EnvironmentVariables`, a `gateway.cmd`'s `--port` and `set`), and
//! by the file that sets `OPENCLAW_GATEWAY_PORT` (a `.env` line, an `EnvironmentFile=`, the
//! config's `env.vars`).

use crate::load::env::EnvOrigin;
use crate::load::json5::Span;
use crate::resolve::model::{Instance, Origin, PortKind};
use crate::source::{FileId, Loc, SourceMap};
use std::borrow::Cow;

/// One place that pins the port: the span of its digits, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub loc: Loc,
    /// `--port`, `OPENCLAW_GATEWAY_PORT`, `gateway.port`, the variable a `--port ${VAR}`
    /// names. Said with its file ([`Pin::describe`]) only when a fix is written: most moves
    /// planned on a crowded host end in no fix.
    pub what: Cow<'static, str>,
}

impl Pin {
    /// `--port in openclaw-gateway-rescue.service`, `gateway.port in openclaw.json`.
    pub fn describe(&self, sources: &SourceMap) -> String {
        format!("{} in {}", self.what, file_name(sources, self.loc.file))
    }
}

/// Every place that pins `instance`'s port, or why the port cannot be moved by editing files.
/// An empty list means nothing pins it (the profile hash or OpenClaw's default chose it).
pub fn pins(instance: &Instance, sources: &SourceMap) -> Result<Vec<Pin>, String> {
    let port = instance.port.value;
    let mut out: Vec<Pin> = Vec::new();
    let push = |pin: Pin, out: &mut Vec<Pin>| {
        if !out.iter().any(|p| p.loc == pin.loc) {
            out.push(pin);
        }
    };
    match instance.port_kind {
        PortKind::Argument => {
            return Err(format!(
                "its port comes from an argument clawlint was given ({}), not from a file",
                instance.port.origin.summary()
            ))
        }
        PortKind::Env => {
            if let Origin::Env(env) = &instance.port.origin {
                match &env.set_by {
                    EnvOrigin::Given => {
                        return Err(
                            "its OPENCLAW_GATEWAY_PORT comes from the environment clawlint was given, not from a file"
                                .into(),
                        )
                    }
                    EnvOrigin::ProfileFlag { flag } => {
                        return Err(format!(
                            "its port is the one {flag} implies; pin another with --port in the command that starts it"
                        ))
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    // The effective port's own place, and the variable wherever it is set (a unit's
    // `--port` beats it, but it still says the old port).
    let mut places: Vec<Loc> = instance.port.origin.loc().into_iter().collect();
    if let Some(var) = instance.env.get("OPENCLAW_GATEWAY_PORT") {
        if crate::openclaw::parse_port_env(&var.value) == Some(port) {
            places.extend(var.origin.loc());
        }
    }
    let in_service = |file: FileId| {
        instance
            .service
            .as_deref()
            .into_iter()
            .chain(&instance.other_services)
            .any(|s| s.loc.file == file)
    };
    for loc in places {
        if is_config_value(instance, loc) || in_service(loc.file) {
            continue;
        }
        let text = &sources.file(loc.file).text;
        for (span, what) in scan(text, port, Some(line_of(text, loc.span))) {
            push(
                Pin {
                    loc: Loc {
                        file: loc.file,
                        span,
                    },
                    what: Cow::Borrowed(what),
                },
                &mut out,
            );
        }
    }
    // Every supervisor that starts the gateway says its port again, possibly twice.
    let services = instance
        .service
        .as_deref()
        .into_iter()
        .chain(&instance.other_services);
    for service in services {
        let text = &sources.file(service.loc.file).text;
        for (span, what) in scan(text, port, None) {
            push(
                Pin {
                    loc: Loc {
                        file: service.loc.file,
                        span,
                    },
                    what: Cow::Borrowed(what),
                },
                &mut out,
            );
        }
    }
    // `--port ${VAR}` in a unit (systemd substitutes it): the port is where VAR is set.
    let mut via_variable = false;
    for service in instance
        .service
        .as_deref()
        .into_iter()
        .chain(&instance.other_services)
    {
        let text = &sources.file(service.loc.file).text;
        for var in port_variables(text) {
            let Some(value) = instance.env.get(&var) else {
                continue;
            };
            if value.value.trim() != port.to_string() {
                continue;
            }
            let Some(loc) = value.origin.loc() else {
                return Err(format!(
                    "its --port comes through ${{{var}}}, which is set outside any file clawlint read"
                ));
            };
            let set_in = &sources.file(loc.file).text;
            let found = scan_for(set_in, port, Some(line_of(set_in, loc.span)), &var);
            if found.is_empty() {
                return Err(format!(
                    "its --port comes through ${{{var}}}, and clawlint cannot find {port} where it is set"
                ));
            }
            via_variable = true;
            for (span, _) in found {
                push(
                    Pin {
                        loc: Loc {
                            file: loc.file,
                            span,
                        },
                        what: Cow::Owned(var.clone()),
                    },
                    &mut out,
                );
            }
        }
    }
    // The config's `gateway.port`, when it says this port (one that differs is drift, and
    // the move makes it agree as well).
    if let Some(config) = &instance.config_port {
        if let Origin::Config(loc) = config.origin {
            push(
                Pin {
                    loc,
                    what: Cow::Borrowed("gateway.port"),
                },
                &mut out,
            );
        }
    }
    // The place that gives the effective port must be among them, or the move would not move.
    if let Some(loc) = instance.port.origin.loc() {
        let kind = instance.port_kind;
        if matches!(kind, PortKind::Env | PortKind::ServiceArgument)
            && !out.iter().any(|p| p.loc.file == loc.file)
            && !via_variable
        {
            return Err(format!(
                "clawlint cannot find port {port} written where {} sets it",
                crate::paths::display_path(&sources.file(loc.file).path)
            ));
        }
    }
    // A file the stack manager writes anew at each deploy (Portainer's stack.env, TrueNAS's
    // rendered compose file): an edit there would be undone, so the port is not moved.
    if let Some(c) = instance.container.as_deref() {
        for pin in &out {
            let path = &sources.file(pin.loc.file).path;
            if let Some(kept) = crate::discover::kept_by_manager(c, path) {
                return Err(format!(
                    "its port is set in {}, which {} writes anew each time it deploys the project, so an edit there would not last: change it in {}, and redeploy",
                    crate::paths::display_path(path),
                    kept.manager,
                    kept.change_in,
                ));
            }
        }
    }
    Ok(out)
}

fn is_config_value(instance: &Instance, loc: Loc) -> bool {
    matches!(&instance.config_port, Some(c) if c.origin.loc() == Some(loc))
}

/// The variables a command line passes to `--port`: `--port ${VAR}`, `--port=$VAR`.
fn port_variables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !is_comment_line(l, l.len())) {
        let mut rest = line;
        while let Some(at) = rest.find("--port") {
            rest = &rest[at + "--port".len()..];
            let value = rest
                .trim_start_matches([' ', '\t', '='])
                .trim_start_matches('"');
            let Some(value) = value.strip_prefix('$') else {
                continue;
            };
            let name: String = match value.strip_prefix('{') {
                Some(braced) => braced.split('}').next().unwrap_or("").to_string(),
                None => value
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect(),
            };
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

fn file_name(sources: &SourceMap, file: FileId) -> String {
    let path = &sources.file(file).path;
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The whole line(s) around `span`, where a value set there is written.
pub(crate) fn line_of(text: &str, span: Span) -> Span {
    let start = text[..span.start().min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[span.end().min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| span.end() + i);
    Span::new(start, end)
}

/// The spans of `port`'s digits where `text` pins it as a gateway port: `--port N`,
/// `--port=N`, a plist's `<string>--port</string> <string>N</string>`,
/// `OPENCLAW_GATEWAY_PORT=N` (quoted or not, `host:N` too) and a plist's
/// `<key>OPENCLAW_GATEWAY_PORT</key> <string>N</string>`. Comment lines (`#`, `;`, `rem`,
/// `::`) are left alone. With `within`, only that part of the text.
pub fn scan(text: &str, port: u16, within: Option<Span>) -> Vec<(Span, &'static str)> {
    scan_for(text, port, within, "OPENCLAW_GATEWAY_PORT")
}

/// [`scan`], with `var` as the variable whose assignments pin the port.
pub(crate) fn scan_for<'v>(
    text: &str,
    port: u16,
    within: Option<Span>,
    var: &'v str,
) -> Vec<(Span, &'v str)> {
    let digits = port.to_string();
    let area = within.unwrap_or(Span::new(0, text.len()));
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = area.start();
    while let Some(i) = text[from..area.end()].find(&digits) {
        let start = from + i;
        let end = start + digits.len();
        from = end;
        let digit = |at: Option<&u8>| at.is_some_and(u8::is_ascii_digit);
        if digit(start.checked_sub(1).and_then(|p| bytes.get(p))) || digit(bytes.get(end)) {
            continue;
        }
        if is_comment_line(text, start) {
            continue;
        }
        if let Some(what) = pinned_before(&text[..start], var) {
            out.push((Span::new(start, end), what));
        }
    }
    out
}

fn is_comment_line(text: &str, at: usize) -> bool {
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let head = text[line..at].trim_start().to_ascii_lowercase();
    head.starts_with('#')
        || head.starts_with(';')
        || head.starts_with("::")
        || head.starts_with("rem ")
        || head.starts_with("<!--")
}

/// What the text just before a number makes it: `--port`, `OPENCLAW_GATEWAY_PORT`, or
/// nothing.
fn pinned_before<'v>(before: &str, var: &'v str) -> Option<&'v str> {
    const FLAG: Option<&str> = Some("--port");
    let var_ = Some(var);
    // Quotes around the value: `'19789'`, `"19789"`.
    let b = before.trim_end_matches(['\'', '"']);
    // `--port 19789`, `--port=19789`, `--port "19789"`, a continued unit line
    // `--port \` + `19789`, a compose `command:` as `["--port", "19789"]` or as a YAML list.
    if let Some(flag) = b.strip_suffix('=') {
        if flag.ends_with("--port") {
            return FLAG;
        }
    }
    let flag = b.trim_end_matches([' ', '\t', '\r', '\n', ',', '-', '\\']);
    if flag.len() < b.len() && flag.trim_end_matches(['\'', '"']).ends_with("--port") {
        return FLAG;
    }
    // A plist: `<string>--port</string>` then `<string>19789</string>`.
    if let Some(rest) = b.strip_suffix("<string>") {
        let rest = rest.trim_end();
        if rest.ends_with("<string>--port</string>") {
            return FLAG;
        }
        if rest.ends_with(&format!("<key>{var}</key>")) {
            return var_;
        }
        return None;
    }
    // `OPENCLAW_GATEWAY_PORT=19789`, `='19789'`, `=127.0.0.1:19789`, `=[::1]:19789`, and
    // `OPENCLAW_GATEWAY_PORT: "19789"` in a config's `env.vars`.
    let names_the_var = |value: &str| {
        let v = value.trim_end_matches([' ', '\t']);
        let Some(v) = v.strip_suffix('=').or_else(|| v.strip_suffix(':')) else {
            return false;
        };
        v.trim_end_matches([' ', '\t'])
            .trim_end_matches(['\'', '"'])
            .ends_with(var)
    };
    if names_the_var(b) {
        return var_;
    }
    let host = b.strip_suffix(':')?;
    let kept = host.trim_end_matches(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':')
    });
    (kept.len() < host.len() && names_the_var(kept.trim_end_matches(['\'', '"']))).then_some(var)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, port: u16) -> Vec<&str> {
        scan(text, port, None)
            .into_iter()
            .map(|(s, _)| &text[s.start()..s.end()])
            .collect()
    }

    #[test]
    fn finds_every_way_a_supervisor_pins_the_port() {
        let unit = "# ExecStart=... --port 19789\nExecStart=/usr/bin/node x.js gateway --port 19789\nEnvironment=OPENCLAW_GATEWAY_PORT=19789\nEnvironment=\"OPENCLAW_GATEWAY_PORT=19789\" A=119789\nEnvironment=OTHER=19789\n";
        assert_eq!(found(unit, 19789).len(), 3);
        assert_eq!(
            found("ExecStart=x gateway --port=19789 --verbose", 19789).len(),
            1
        );
        let plist = "<string>--port</string>\n    <string>19790</string>\n<key>OPENCLAW_GATEWAY_PORT</key>\n<string>19790</string><key>X</key><string>19790</string>";
        assert_eq!(found(plist, 19790).len(), 2);
        let cmd = "set \"OPENCLAW_GATEWAY_PORT=19789\"\r\nrem --port 19789\r\nnode index.js gateway --port 19789 --windows-task-supervisor\r\n";
        assert_eq!(found(cmd, 19789).len(), 2);
        let env = "export OPENCLAW_GATEWAY_PORT='19789'\nOPENCLAW_GATEWAY_PORT=127.0.0.1:19789\n";
        assert_eq!(found(env, 19789).len(), 2);
        assert!(found("--portal 19789 --port 197890", 19789).is_empty());
        let compose = "command: [\"gateway\", \"--port\", \"18789\"]\ncommand:\n  - --port\n  - \"18789\"\nenvironment:\n  OPENCLAW_GATEWAY_PORT: \"18789\"\n  - OPENCLAW_GATEWAY_PORT=18789\n";
        assert_eq!(found(compose, 18789).len(), 4);
        assert_eq!(
            port_variables("ExecStart=x gateway --port ${GW_PORT}\n# --port $NOT\nExecStart=y --port=$P2 --port 5"),
            ["GW_PORT", "P2"]
        );
        let unit = "Environment=GW_PORT=20012\nEnvironment=OTHER=20012\n";
        assert_eq!(scan_for(unit, 20012, None, "GW_PORT").len(), 1);
        let json = "{ env: { vars: { OPENCLAW_GATEWAY_PORT: \"19789\", \"OPENCLAW_GATEWAY_PORT\": '19789' } } }";
        assert_eq!(found(json, 19789).len(), 2);
    }
}
