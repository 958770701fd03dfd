//! CL503: an `OPENCLAW_*` variable the layout gives a gateway (unit, LaunchAgent, script,
//! container, `.env`, `env.vars`) that OpenClaw never reads ([`crate::openclaw::reads_env`]),
//! named like one it does ([`crate::openclaw::meant_env`]).
//! One finding per place the variable is set, naming every gateway given it there. Not for a
//! variable some file of the layout expands (`ExecStart=… --port ${OPENCLAW_PORT}`, which
//! systemd substitutes; a script's `$OPENCLAW_PORT`): that file uses it.

use super::group::names;
use super::RuleContext;
use crate::catalog;
use crate::diagnostic::{Finding, Label};
use crate::resolve::Instance;
use crate::source::{Loc, SourceMap};
use std::collections::{HashMap, HashSet};

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    // Each place a variable is set, in the order first met, with the gateways given it there.
    let mut set: Vec<(Loc, &str, Vec<&Instance>)> = Vec::new();
    let mut at: HashMap<(Loc, &str), usize> = HashMap::new();
    for inst in ctx.instances {
        for (name, var) in inst.env.with_prefix("OPENCLAW_") {
            // Only a name that looks like one OpenClaw reads: a fork's or a script's own
            // feature flags (`OPENCLAW_TRACE_VLLM_OUTBOUND`) are not taken for mistakes.
            if crate::openclaw::reads_env(name) || crate::openclaw::meant_env(name).is_none() {
                continue;
            }
            let Some(loc) = var.origin.loc() else {
                continue;
            };
            match at.get(&(loc, name.as_str())) {
                Some(&i) => set[i].2.push(inst),
                None => {
                    at.insert((loc, name.as_str()), set.len());
                    set.push((loc, name.as_str(), vec![inst]));
                }
            }
        }
    }
    if set.is_empty() {
        return Vec::new();
    }
    let expanded = expanded_anywhere(ctx.sources);
    set.into_iter()
        .filter(|(_, name, _)| !expanded.contains(name))
        .map(|(loc, name, given)| unread(loc, name, &given))
        .collect()
}

/// Every `OPENCLAW_*` variable some file read expands: `$NAME`, `${NAME…}`, PowerShell's
/// `$env:NAME`, a batch file's `%NAME%`. One pass over the texts, made only when a gateway is
/// given a variable OpenClaw does not read.
fn expanded_anywhere(sources: &SourceMap) -> HashSet<&str> {
    let mut out = HashSet::new();
    for (_, file) in sources.files() {
        let text = file.text.as_str();
        for (at, _) in text.match_indices("OPENCLAW_") {
            let before = &text.as_bytes()[..at];
            let sigil = before.ends_with(b"$")
                || before.ends_with(b"${")
                || before.ends_with(b"%")
                || (at >= 5 && before[at - 5..].eq_ignore_ascii_case(b"$env:"));
            if !sigil {
                continue;
            }
            let len = text[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - at);
            out.insert(&text[at..at + len]);
        }
    }
    out
}

fn unread(loc: Loc, name: &str, given: &[&Instance]) -> Finding {
    let mut finding = Finding::new(
        &catalog::UNKNOWN_OPENCLAW_VARIABLE,
        format!(
            "{name} is set for {}, but OpenClaw {} never reads it",
            names(given),
            crate::openclaw::ENV_NAMES_RELEASE
        ),
    )
    .label(Label::new(
        Some(loc),
        format!("{name}: read by nothing"),
        Some(&given[0].name),
    ));
    finding = match crate::openclaw::meant_env(name) {
        Some(Ok(meant)) => finding
            .note(now_from(meant, given[0]))
            .help(format!("did you mean {meant}?")),
        Some(Err(instead)) => finding.help(format!("no variable sets this: use {instead}")),
        None => finding,
    };
    for inst in &given[1..] {
        finding = finding.label(Label::new(
            None,
            format!("also given to {}", inst.name),
            Some(&inst.name),
        ));
    }
    finding
}

/// What the gateway uses now for what the variable was meant to set.
fn now_from(meant: &str, inst: &Instance) -> String {
    let home = &inst.os_home;
    let path = |p: &std::path::Path| crate::paths::display_home_relative(p, home);
    let value = match meant {
        "OPENCLAW_GATEWAY_PORT" => Some(format!("gateway port {}", inst.port.value)),
        "OPENCLAW_STATE_DIR" => Some(format!("state dir {}", path(&inst.state_dir.value))),
        "OPENCLAW_CONFIG_PATH" => Some(format!("config {}", path(&inst.config_path.value))),
        "OPENCLAW_WORKSPACE_DIR" => Some(format!("workspace {}", path(&inst.workspace.value))),
        _ => None,
    };
    match value {
        Some(value) => format!(
            "\"{}\" runs with {value}, whatever this variable says",
            inst.name
        ),
        None => format!("OpenClaw reads {meant}"),
    }
}
