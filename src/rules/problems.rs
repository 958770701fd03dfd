//! The loader's problems as findings: includes and env (CL5xx), unreadable, unparsable and
//! invalid input (CL9xx). A file shared by several gateways is reported once.

use crate::catalog;

use super::RuleContext;
use crate::diagnostic::{Finding, Label};
use crate::load::ProblemKind;
use crate::source::Loc;
use std::collections::HashMap;

fn code_for(kind: ProblemKind) -> catalog::Rule {
    match kind {
        ProblemKind::Include | ProblemKind::IncludeCycle | ProblemKind::IncludeEscape => {
            catalog::UNRESOLVABLE_INCLUDE
        }
        ProblemKind::NotUtf8 => catalog::NON_UTF8_FILE,
        ProblemKind::MissingEnvVar => catalog::MISSING_ENV_VAR,
        ProblemKind::Unparsable => catalog::UNPARSABLE_FILE,
        ProblemKind::Unreadable
        | ProblemKind::TooLarge
        | ProblemKind::NotRegularFile
        | ProblemKind::OutsideLayout => catalog::UNREADABLE_FILE,
        ProblemKind::Budget => catalog::EXPANSION_BUDGET_EXCEEDED,
        ProblemKind::InvalidValue => catalog::INVALID_CONFIG_VALUE,
        ProblemKind::Repaired => catalog::CONFIG_REPAIRED_AT_START,
        ProblemKind::Refused => catalog::GATEWAY_WILL_NOT_START,
    }
}

fn help_for(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Include => "OpenClaw refuses a config whose includes cannot be resolved, so the gateway will not start; fix the path",
        ProblemKind::IncludeCycle => "OpenClaw refuses a circular include, so the gateway will not start; remove one of the includes in the cycle",
        ProblemKind::IncludeEscape => "OpenClaw only includes files under the config's directory; move the file there, or add that file's own directory (not `/` or a home) to OPENCLAW_INCLUDE_ROOTS (in the gateway's environment or its state dir's .env)",
        ProblemKind::NotUtf8 => "re-save the file as UTF-8",
        ProblemKind::MissingEnvVar => "set the variable where the gateway starts (its state dir's .env, the service unit, or the config's env.vars), or escape it as $${NAME}",
        ProblemKind::Unparsable => "fix the syntax; OpenClaw reads configs as JSON5, and refuses to start on a config it cannot parse",
        ProblemKind::Unreadable => "make the file readable by the user clawlint runs as, or fix the symlink it is reached through",
        ProblemKind::TooLarge => "no real file of this kind is that large; check what it is (a sparse or generated file?) and shrink it",
        ProblemKind::NotRegularFile => "point the setting at a regular file; clawlint never opens FIFOs, sockets or devices, which could block or never end",
        ProblemKind::OutsideLayout => "a file of the layout points outside it; clawlint reads only the scanned homes and --root, since whoever writes the layout (a pull request's author, in CI) would choose what it prints. If the gateway really reads this file, rerun with --allow-outside PATH",
        ProblemKind::Budget => "the expansion is far larger than any real config; look for a ${VAR} repeated many times or $include files including each other over and over",
        ProblemKind::InvalidValue => "OpenClaw rejects this value; see the message for what it accepts",
        ProblemKind::Repaired => "make the repair yourself (it is in the message), so that the gateway does not rewrite the file and drop its comments",
        ProblemKind::Refused => "fix the value as the message says; until then the gateway exits at start (`Invalid config`)",
    }
}

/// Problems in a compose file are about Compose, not OpenClaw's loader.
fn is_compose(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

fn compose_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unparsable => "fix the YAML: docker compose cannot read this file either, so none of its services start",
        ProblemKind::Unreadable => "create the file, or make it optional (`env_file: [{path: ..., required: false}]`)",
        ProblemKind::MissingEnvVar => "set the variable in the .env beside the compose file, or give it a default (${NAME:-value}); write $$ for a literal $",
        ProblemKind::InvalidValue => "docker compose rejects this value; see the message for what it accepts",
        other => help_for(other),
    }
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    type Key = (ProblemKind, String, Option<Loc>);
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut seen: Vec<(ProblemKind, String, Option<Loc>, Vec<String>)> = Vec::new();
    let unowned = ctx.problems.iter().map(|p| ("clawlint", p));
    let owned = ctx
        .instances
        .iter()
        .flat_map(|i| i.problems.iter().map(move |p| (i.name.as_str(), p)));
    for (owner, problem) in owned.chain(unowned) {
        {
            let key = (problem.kind, problem.message.clone(), problem.loc);
            match index.get(&key) {
                Some(&at) => {
                    if !seen[at].3.iter().any(|o| o == owner) {
                        seen[at].3.push(owner.to_string());
                    }
                }
                None => {
                    index.insert(key, seen.len());
                    seen.push((
                        problem.kind,
                        problem.message.clone(),
                        problem.loc,
                        vec![owner.to_string()],
                    ));
                }
            }
        }
    }
    let mut findings: Vec<Finding> = seen
        .into_iter()
        .map(|(kind, message, loc, names)| {
            let owners = names.join(", ");
            let compose = loc.is_some_and(|l| is_compose(&ctx.sources.file(l.file).path));
            let registry = loc.is_some_and(|l| {
                ctx.sources.file(l.file).path.extension().is_some_and(|e| e == "sqlite")
            });
            let help = match (compose, registry) {
                (true, _) => compose_help(kind),
                (_, true) => "OpenClaw cannot read this fleet registry either: restore the state dir from a backup, or move the file aside; clawlint only reads it, and never repairs it",
                _ => help_for(kind),
            };
            let mut finding = Finding::new(code_for(kind), message.clone())
                .label(Label::new(
                    loc,
                    format!("read by {owners}"),
                    names.first().map(String::as_str),
                ))
                .help(help);
            for extra in names.iter().skip(1) {
                finding.labels.push(Label::new(
                    None,
                    format!("also read by {extra}"),
                    Some(extra),
                ));
            }
            finding
        })
        .collect();
    if ctx.instances.is_empty() {
        findings.push(no_gateways());
    }
    findings
}

/// CL910: nothing was linted. A run that checked no gateway proves nothing, so it says so in
/// every format (a warning; `-D CL910` or `--strict` makes it fail the run).
fn no_gateways() -> Finding {
    Finding::new(
        catalog::NO_GATEWAYS,
        "no gateway found: nothing was checked",
    )
    .note(
        "clawlint looks for .openclaw, .openclaw-<profile> and .clawdbot in each --home, \
             their systemd units, LaunchAgents and gateway.cmd, config files named as arguments, \
             [[instance]] entries in clawlint.toml, compose files (named as arguments, listed in \
             clawlint.toml's `compose`, or found up to 3 levels under each --home and under \
             --root's /opt, /srv and /etc), Podman quadlets (~/.config/containers/systemd, and \
             /etc/containers/systemd and /usr/share/containers/systemd under --root), and the \
             `openclaw fleet` cells in each gateway's state dir",
    )
    .help(
        "point clawlint at the layout: --home DIR (the home that holds .openclaw*), config \
             files as arguments, or [[instance]] entries in clawlint.toml",
    )
}
