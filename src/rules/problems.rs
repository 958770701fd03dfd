//! The loader's problems as findings: includes and env (CL5xx), unreadable, unparsable and
//! invalid input (CL9xx). A file shared by several gateways is reported once.

use crate::catalog;

use super::RuleContext;
use crate::diagnostic::{Finding, Label};
use crate::load::ProblemKind;
use crate::source::Loc;
use std::collections::HashMap;

pub(super) fn code_for(kind: ProblemKind) -> &'static catalog::Rule {
    match kind {
        ProblemKind::Include | ProblemKind::IncludeCycle | ProblemKind::IncludeEscape => {
            &catalog::UNRESOLVABLE_INCLUDE
        }
        ProblemKind::NotUtf8 => &catalog::NON_UTF8_FILE,
        ProblemKind::MissingEnvVar => &catalog::MISSING_ENV_VAR,
        ProblemKind::Unparsable => &catalog::UNPARSABLE_FILE,
        ProblemKind::Unreadable
        | ProblemKind::Missing
        | ProblemKind::TooLarge
        | ProblemKind::NotRegularFile
        | ProblemKind::OutsideLayout
        | ProblemKind::Unresolved => &catalog::UNREADABLE_FILE,
        ProblemKind::Budget | ProblemKind::TooMany | ProblemKind::TooManyEntries => {
            &catalog::EXPANSION_BUDGET_EXCEEDED
        }
        ProblemKind::InvalidValue => &catalog::INVALID_CONFIG_VALUE,
        ProblemKind::Refused => &catalog::GATEWAY_WILL_NOT_START,
    }
}

/// CL902's help for a file over its size limit: the limits (the message gives this file's, in
/// bytes), and that no option raises them. A unit test keeps the figures equal to the
/// constants in `load::read`.
const TOO_LARGE_HELP: &str = "clawlint reads at most 16 MiB of a config, 2 MiB of an `$include` file (OpenClaw's own limit) and 4 MiB of a `.env`, service or other file, and no option raises these limits: no real file of these kinds is that large, so check what this one is (a sparse or generated file?) and shrink it";

fn help_for(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Include => "OpenClaw refuses a config whose includes cannot be resolved, so the gateway will not start; fix the path",
        ProblemKind::IncludeCycle => "OpenClaw refuses a circular include, so the gateway will not start; remove one of the includes in the cycle",
        ProblemKind::IncludeEscape => "OpenClaw only includes files under the config's directory; move the file there, or add that file's own directory (not `/` or a home) to OPENCLAW_INCLUDE_ROOTS (in the gateway's environment or its state dir's .env)",
        ProblemKind::NotUtf8 => "re-save the file as UTF-8",
        ProblemKind::MissingEnvVar => "set the variable where the gateway starts (its state dir's .env, the service unit, or the config's env.vars), or escape it as $${NAME}",
        ProblemKind::Unparsable => "fix the syntax; OpenClaw reads configs as JSON5, and refuses to start on a config it cannot parse",
        ProblemKind::Unreadable => "make the file readable by the user clawlint runs as, or fix the symlink it is reached through",
        ProblemKind::Missing => "create the file, or correct the path on the line that names it (relative paths are read from the directory the command runs in)",
        ProblemKind::TooLarge => TOO_LARGE_HELP,
        ProblemKind::NotRegularFile => "point the setting at a regular file; clawlint never opens FIFOs, sockets or devices, which could block or never end",
        ProblemKind::OutsideLayout => "a file of the layout points outside it; clawlint reads only the scanned homes and --root, since whoever writes the layout (a pull request's author, in CI) would choose what it prints. If the gateway really reads this file, rerun with --allow-outside PATH",
        ProblemKind::Budget => "the expansion is far larger than any real config; look for a ${VAR} repeated many times or $include files including each other over and over",
        ProblemKind::TooMany => "remove the profile dirs no gateway uses (an empty `.openclaw-<profile>` dir is a gateway to OpenClaw's `--profile` and to clawlint)",
        ProblemKind::TooManyEntries => "a real directory of this kind holds a few files: look for what filled this one (a generated tree, or files added to slow every check down) and remove it; what lies past where the search stopped is not linted until then",
        ProblemKind::InvalidValue => "OpenClaw rejects this value; see the message for what it accepts",
        ProblemKind::Refused => "fix what the message says; until then the gateway exits before it binds any port",
        ProblemKind::Unresolved => UNRESOLVED_HELP,
    }
}

/// CL902's help for a script or sourced file whose path clawlint cannot work out.
const UNRESOLVED_HELP: &str = "clawlint evaluates the variables a script sets and the usual idioms for a script's own directory (`$(dirname \"$0\")`, `$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)`, `realpath`, `readlink -f`), never other commands: write the path with those (or literally), or run `docker compose` from the unit itself, so that how the project starts can be checked";

/// Problems in the fleet registry (a SQLite database OpenClaw writes).
fn registry_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Budget => "a registry `openclaw fleet` writes holds a few short rows; this one makes SQLite work far longer (a huge table, or columns computed on every read), so clawlint stopped reading it: check what wrote it",
        // Where clawlint may not look says nothing of the file itself.
        ProblemKind::OutsideLayout => help_for(kind),
        _ => "OpenClaw cannot read this fleet registry either: restore the state dir from a backup, or move the file aside; clawlint only reads it, and never repairs it",
    }
}

/// Problems in a compose file are about Compose, not OpenClaw's loader.
fn is_compose(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

fn compose_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unparsable => "fix the YAML: docker compose cannot read this file either, so none of its services start",
        ProblemKind::Missing => "create the file, or make it optional (`env_file: [{path: ..., required: false}]`)",
        ProblemKind::MissingEnvVar => "set the variable in the .env beside the compose file, or give it a default (${NAME:-value}); write $$ for a literal $",
        ProblemKind::InvalidValue => "docker compose rejects this value; see the message for what it accepts",
        ProblemKind::Budget => "a real stack's `extends` chains are a few services long and name a few files: look for what made this one (a generated file, or one made to slow every check down); what lies past where clawlint stopped is not linted",
        other => help_for(other),
    }
}

/// Problems in an Unraid Docker Manager template (`templates-user/*.xml`) are about the
/// webgui, which reads it to create, edit and update the container.
fn is_unraid_template(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        && path
            .parent()
            .is_some_and(|d| d.ends_with(crate::discover::unraid::TEMPLATES_DIR))
}

fn unraid_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unparsable => "fix the XML, or remove the template and add the container again from the Docker tab: the webgui reads this file to create, edit and update the container, and writes no DTD",
        other => help_for(other),
    }
}

/// Problems in a launchd plist (a job's, or launchd's override database) are about launchd.
fn is_plist(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "plist")
}

fn plist_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unparsable => "fix the plist: launchd cannot load it either (on a Mac, `plutil -lint FILE` says where it is wrong)",
        other => help_for(other),
    }
}

/// Problems in a systemd unit, drop-in (`<unit>.d/*.conf`), manager configuration file
/// (`system.conf`, `user.conf` and theirs) or Podman quadlet are about systemd.
fn is_systemd(path: &std::path::Path) -> bool {
    let name = |p: Option<&std::path::Path>| {
        p.and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let file = name(Some(path));
    file.ends_with(".service")
        || file.ends_with(".container")
        || file == "system.conf"
        || file == "user.conf"
        || (file.ends_with(".conf") && name(path.parent()).ends_with(".d"))
}

/// A systemd manager's own configuration: `system.conf`, `user.conf` and their `.d` drop-ins.
fn is_manager_conf(path: &std::path::Path) -> bool {
    fn name(p: Option<&std::path::Path>) -> Option<&str> {
        p?.file_name()?.to_str()
    }
    matches!(name(Some(path)), Some("system.conf" | "user.conf"))
        || matches!(name(path.parent()), Some("system.conf.d" | "user.conf.d"))
}

/// The user manager's environment.d(5) files (`environment.d/*.conf`).
fn is_environment_d(path: &std::path::Path) -> bool {
    path.parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|dir| dir == "environment.d")
}

/// CL907's help for the user manager's environment.d files cut at their budget.
const ENVIRONMENT_D_BUDGET_HELP: &str = "real environment.d files set a handful of variables, and every unit the user manager starts gets them all; these set far more, so clawlint stopped reading them at the assignment shown: look for what filled them (a generated or pasted file) and shorten it; a gateway's port, profile, state dir or config path that the unread part may set is unverifiable until then";

/// CL907's help for the manager's `DefaultEnvironment=` cut at its budget
/// ([`crate::discover::services::manager`]'s limits, which the message gives).
const MANAGER_ENV_BUDGET_HELP: &str = "a real system.conf or user.conf sets a handful of variables in DefaultEnvironment=, and every unit the manager starts gets them all; this one sets far more, so clawlint stopped reading it at the assignment shown: look for what filled it (a generated or pasted file) and shorten it; a gateway's port, profile, state dir or config path that the unread part may set is unverifiable until then";

/// CL904's help for a `QUADLET_UNIT_DIRS` entry in the manager's environment that is not an
/// absolute path (the only value clawlint judges there).
const MANAGER_UNIT_DIRS_RELATIVE_HELP: &str = "write every QUADLET_UNIT_DIRS entry as an absolute path (`~` and `$HOME` are not expanded there), or remove the entry, then `systemctl daemon-reload` (`systemctl --user daemon-reload` for user.conf); `/usr/libexec/podman/quadlet -dryrun` logs the entries its generator refuses";

/// CL901's help for a quadlet: Podman's generator reads it first, with a parser of its own
/// (`crate::discover::quadlet`), then systemd reads the unit it writes.
const QUADLET_UNPARSABLE_HELP: &str = "fix the line as the message says (a comment starts with `#` or `;`, every other line is a `[Group]` header alone on its line, the name without quotes, backslashes or brackets, or a `Key=value` after one; re-save the file as UTF-8 without a byte order mark), then `systemctl --user daemon-reload` (`systemctl daemon-reload` for a system quadlet); `/usr/libexec/podman/quadlet -dryrun -user` shows what Podman's generator makes of the directory, and `systemd-analyze verify UNIT` what systemd makes of the unit it writes";

/// CL904's help for a quadlet value Podman's generator or podman itself rejects or drops.
const QUADLET_INVALID_HELP: &str = "podman rejects or drops this value; write it as the message says, then `systemctl --user daemon-reload` (`systemctl daemon-reload` for a system quadlet); `/usr/libexec/podman/quadlet -dryrun -user` shows the service Podman's generator writes from it";

/// CL502's help for a variable in a quadlet's `Exec=` that nothing clawlint reads sets.
const QUADLET_EXEC_VARIABLE_HELP: &str = "set the variable in the quadlet's [Service] section (`Environment=NAME=value`), where systemd, which substitutes it in the command, reads it and clawlint can too; write the value itself in Exec= instead; or write `$$` for a `$` the container's own shell should see";

/// CL502's note for a variable in a quadlet's `Exec=`: where it may come from that no file in
/// the layout shows (said here, not in each message).
const QUADLET_EXEC_VARIABLE_NOTE: &str = "the service manager's environment may still have it from `systemctl set-environment` or `import-environment` at run time, which no file shows, or from environment.d and user.conf files outside the scanned layout (without --root, the system's are not read)";

/// A `.container` quadlet or one of its drop-ins (`*.conf` in `x.container.d/`,
/// `container.d/`, `x-.container.d/`).
fn is_quadlet(path: &std::path::Path) -> bool {
    let in_drop_in_dir = path
        .parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|dir| dir.as_encoded_bytes().ends_with(b"container.d"));
    path.extension().is_some_and(|e| e == "container")
        || (in_drop_in_dir && path.extension().is_some_and(|e| e == "conf"))
}

/// A note a systemd problem of this kind in this file gets, if any.
fn systemd_note(kind: ProblemKind, path: &std::path::Path) -> Option<&'static str> {
    (kind == ProblemKind::MissingEnvVar && is_quadlet(path)).then_some(QUADLET_EXEC_VARIABLE_NOTE)
}

fn systemd_help(kind: ProblemKind, path: &std::path::Path) -> &'static str {
    match kind {
        ProblemKind::Budget if is_manager_conf(path) => MANAGER_ENV_BUDGET_HELP,
        ProblemKind::Budget if is_environment_d(path) => ENVIRONMENT_D_BUDGET_HELP,
        ProblemKind::InvalidValue if is_manager_conf(path) => MANAGER_UNIT_DIRS_RELATIVE_HELP,
        ProblemKind::Unparsable if is_quadlet(path) => QUADLET_UNPARSABLE_HELP,
        ProblemKind::InvalidValue if is_quadlet(path) => QUADLET_INVALID_HELP,
        ProblemKind::MissingEnvVar if is_quadlet(path) => QUADLET_EXEC_VARIABLE_HELP,
        ProblemKind::Unparsable => "fix the line as the message says (for one that is not UTF-8, re-save the file as UTF-8: `iconv -f latin1 -t utf-8`; a section header is `[Name]` alone on its line, the name without quotes or backslashes), then `systemctl daemon-reload`; `systemd-analyze verify UNIT` shows what systemd makes of the file",
        other => help_for(other),
    }
}

/// Problems located in a shell script are about the scripts a supervisor runs.
fn is_script(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "sh")
}

fn script_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::TooMany => "clawlint follows at most 3 shell scripts, each run by the one before, from what a unit, LaunchAgent or task runs: run `docker compose` from a script fewer levels down (or from the unit itself), so that how the project starts can be checked; a file that sources itself, directly or through the files it sources, is read once (the shell would read it without end): remove the `source` that loops back; and files sourced over and over are read at most 32 times and 1 MiB in all: source a library once",
        ProblemKind::Budget => SCRIPT_BUDGET_HELP,
        ProblemKind::Unparsable => "fix the shell syntax: `bash -n FILE` (or `sh -n FILE`) says where a `$(`, backquote or quote is left open; the shell runs nothing of the file past it",
        other => help_for(other),
    }
}

/// CL907's help for a script (shell or PowerShell) whose environment copies passed their
/// budget.
const SCRIPT_BUDGET_HELP: &str = "a real script sets a few dozen variables before the commands it runs; this one would have clawlint copy tens of megabytes of environment into them: check what generated it, and set the variables once in the environment file of the unit or task instead";

/// Problems located in a PowerShell script are about what clawlint reads of PowerShell.
fn is_powershell(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ps1"))
}

/// CL902's help for a PowerShell statement clawlint cannot work out: what to write instead.
const POWERSHELL_UNRESOLVED_HELP: &str = "clawlint reads a .ps1 without running it: it evaluates literal strings, variables assigned them, `$env:NAME = '…'`, `Join-Path`, `Split-Path`, `$PSScriptRoot`, `Set-Location` and the `&` and `.` operators, never command output (`$(…)`), splatted or built-up arrays, `Invoke-Expression`/`iex` or `cmd /c` strings. Write the command in the script with literal words or such variables (`$file = Join-Path $PSScriptRoot 'compose.yml'` then `docker compose -f $file up -d`, not `iex \"docker compose -f $file up -d\"` or `docker @dockerArgs`), and a secret as `$env:NAME` set outside the script, so that how the project starts can be checked";

fn powershell_help(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unresolved => POWERSHELL_UNRESOLVED_HELP,
        ProblemKind::Budget => SCRIPT_BUDGET_HELP,
        ProblemKind::TooMany => "clawlint follows at most 3 PowerShell scripts, each run by the one before (`& x.ps1`, `. x.ps1`, `powershell -File x.ps1`), from what a task runs: run `docker compose` from a script fewer levels down (or from the task's own script), so that how the project starts can be checked",
        other => help_for(other),
    }
}

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    type Key = (ProblemKind, String, Option<Loc>);
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut seen: Vec<(ProblemKind, String, Option<Loc>, Vec<Owner>)> = Vec::new();
    // A problem no gateway owns belongs to the file it is in (the unit, compose file, script or
    // registry that was being read), never to clawlint itself.
    let unowned = ctx
        .problems
        .iter()
        .map(|p| (Owner::File(reader_of(ctx, p.loc).to_string()), p));
    let owned = ctx.instances.iter().flat_map(|i| {
        i.problems
            .iter()
            .map(move |p| (Owner::Gateway(i.name.clone()), p))
    });
    for (owner, problem) in owned.chain(unowned) {
        let key = (problem.kind, problem.message.clone(), problem.loc);
        match index.get(&key) {
            Some(&at) => {
                if !seen[at].3.contains(&owner) {
                    seen[at].3.push(owner);
                }
            }
            None => {
                index.insert(key, seen.len());
                seen.push((
                    problem.kind,
                    problem.message.clone(),
                    problem.loc,
                    vec![owner],
                ));
            }
        }
    }
    let mut findings: Vec<Finding> = seen
        .into_iter()
        .map(|(kind, message, loc, names)| {
            let compose = loc.is_some_and(|l| is_compose(&ctx.sources.file(l.file).path));
            let registry = loc.is_some_and(|l| {
                ctx.sources
                    .file(l.file)
                    .path
                    .extension()
                    .is_some_and(|e| e == "sqlite")
            });
            let plist = loc.is_some_and(|l| is_plist(&ctx.sources.file(l.file).path));
            let script = loc.is_some_and(|l| is_script(&ctx.sources.file(l.file).path));
            let powershell = loc.is_some_and(|l| is_powershell(&ctx.sources.file(l.file).path));
            let path = loc.map(|l| ctx.sources.file(l.file).path.as_path());
            let systemd = path.is_some_and(is_systemd);
            let help = match (compose, registry, plist, script, powershell, systemd) {
                (true, ..) => compose_help(kind),
                (_, true, ..) => registry_help(kind),
                (_, _, true, ..) => plist_help(kind),
                (_, _, _, true, ..) => script_help(kind),
                (_, _, _, _, true, _) => powershell_help(kind),
                (.., true) => systemd_help(kind, path.unwrap_or(std::path::Path::new(""))),
                _ if path.is_some_and(is_unraid_template) => unraid_help(kind),
                _ => help_for(kind),
            };
            let mut finding = Finding::new(code_for(kind), message.clone())
                // Each owner is named once: the first on the label, the others after it.
                .label(Label::new(loc, names[0].label(true), Some(names[0].name())))
                .help(help);
            if let Some(note) = path.filter(|_| systemd).and_then(|p| systemd_note(kind, p)) {
                finding = finding.note(note);
            }
            for extra in names.iter().skip(1) {
                finding
                    .labels
                    .push(Label::new(None, extra.label(false), Some(extra.name())));
            }
            finding
        })
        .collect();
    if ctx.instances.is_empty() {
        findings.push(no_gateways(ctx.searched));
    }
    findings
}

/// Who a problem belongs to: a gateway that read the file it is in, or (when no gateway owns
/// it) that file itself.
#[derive(PartialEq)]
enum Owner {
    Gateway(String),
    File(String),
}

impl Owner {
    fn name(&self) -> &str {
        match self {
            Owner::Gateway(name) | Owner::File(name) => name,
        }
    }

    /// "read by ops" (the first gateway; "also read by rescue" after it), but "in compose.yaml"
    /// for a file's own problem: a file is not read by itself.
    fn label(&self, first: bool) -> String {
        match (self, first) {
            (Owner::Gateway(name), true) => format!("read by {name}"),
            (Owner::Gateway(name), false) => format!("also read by {name}"),
            (Owner::File(name), _) => format!("in {name}"),
        }
    }
}

/// The name of the file a problem is in (`openclaw-acme.service`, `docker-compose.yml`), or
/// "the environment" for a problem with no file.
fn reader_of<'a>(ctx: &'a RuleContext, loc: Option<Loc>) -> &'a str {
    loc.and_then(|l| ctx.sources.file(l.file).path.file_name())
        .and_then(|name| name.to_str())
        .unwrap_or("the environment")
}

/// CL910: nothing was linted. A run that checked no gateway proves nothing, so it says so in
/// every format (a warning; `-D CL910` or `--strict` makes it fail the run), naming the
/// directories discover really looked in.
fn no_gateways(searched: &[crate::invocation::Searched]) -> Finding {
    let existing: Vec<&crate::invocation::Searched> =
        searched.iter().filter(|s| s.exists).collect();
    let there: Vec<String> = existing
        .iter()
        .map(|s| {
            format!(
                "{} ({})",
                crate::paths::display_path(&s.dir),
                s.what.join("; ")
            )
        })
        .collect();
    let absent: Vec<String> = searched
        .iter()
        .filter(|s| !s.exists)
        .map(|s| crate::paths::display_path(&s.dir))
        .collect();
    // The message names where it looked, so that one-line formats (concise, markdown) say it.
    let message = match existing.is_empty() {
        true if searched.is_empty() => "no gateway found: nothing was checked".to_string(),
        true => format!(
            "no gateway found: nothing was checked (none of the directories clawlint searches, {} in all, exists)",
            searched.len()
        ),
        false => format!(
            "no gateway found in {}: nothing was checked",
            existing
                .iter()
                .map(|s| crate::paths::display_path(&s.dir))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut looked = match there.is_empty() {
        true => "clawlint looked in no directory that exists".to_string(),
        false => format!("clawlint looked in {}", there.join(", ")),
    };
    if !absent.is_empty() {
        looked.push_str(&format!("; not there: {}", absent.join(", ")));
    }
    Finding::new(&catalog::NO_GATEWAYS, message)
    .note(looked)
    .note(
        "it also reads config files and compose files named as arguments, [[instance]] \
         entries and `compose` files in clawlint.toml, and the `openclaw fleet` cells in each \
         gateway's state dir",
    )
    .help(
        "point clawlint at the layout: --home DIR (the home that holds .openclaw*), --root DIR \
         (a copied host's /, for its system units and /opt, /srv and /etc), config files as \
         arguments, or [[instance]] entries in clawlint.toml",
    )
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        CONFIG_REJECTED, CONFIG_REWRITTEN_AT_START, EXPANSION_BUDGET_EXCEEDED,
        GATEWAY_WILL_NOT_START, INVALID_CONFIG_VALUE, MISSING_ENV_VAR, NON_UTF8_FILE, NO_GATEWAYS,
        UNPARSABLE_FILE, UNREADABLE_FILE, UNRESOLVABLE_INCLUDE,
    };
    use crate::load::{Problem, ProblemKind};
    use crate::rules::testing::{gateway, host, labels, parties};

    /// A problem at the start of ops's config file.
    fn at_config(host: &crate::rules::testing::Host, kind: ProblemKind, message: &str) -> Problem {
        Problem {
            kind,
            message: message.to_string(),
            loc: Some(host.instances[0].config_loc),
        }
    }

    /// ops with a problem the loader recorded on it.
    fn with_problem(kind: ProblemKind, message: &str) -> crate::rules::testing::Host {
        let mut host = host([gateway("ops").port(18789)]);
        let problem = at_config(&host, kind, message);
        host.instances[0].problems.push(problem);
        host
    }

    /// The script help states the depth discover follows.
    #[test]
    fn script_help_says_the_depth_followed() {
        let depth = crate::discover::services::MAX_SCRIPT_DEPTH;
        assert!(super::script_help(ProblemKind::TooMany)
            .contains(&format!("at most {depth} shell scripts")));
        assert!(super::powershell_help(ProblemKind::TooMany)
            .contains(&format!("at most {depth} PowerShell scripts")));
    }

    #[test]
    fn cl501_an_include_that_cannot_be_resolved() {
        let host = with_problem(
            ProblemKind::Include,
            "cannot read $include \"./missing.json5\"",
        );
        let f = host.finding(UNRESOLVABLE_INCLUDE);
        assert_eq!(f.message, "cannot read $include \"./missing.json5\"");
        assert_eq!(labels(&f), ["read by ops"]);
        for kind in [ProblemKind::IncludeCycle, ProblemKind::IncludeEscape] {
            assert_eq!(
                with_problem(kind, "x").findings(UNRESOLVABLE_INCLUDE).len(),
                1
            );
        }
    }

    #[test]
    fn cl501_not_for_a_config_without_problems() {
        let host = host([gateway("ops").port(18789)]);
        assert!(crate::rules::run(&host.ctx())
            .iter()
            .all(|f| !f.rule.code.starts_with("CL5") && !f.rule.code.starts_with("CL9")));
    }

    #[test]
    fn cl502_a_variable_the_config_uses_and_nobody_sets() {
        let host = host([gateway("ops")
            .port(18789)
            .set("agents.defaults.workspace", "\"${WORKSPACE_ROOT}/ops\"")]);
        let f = host.finding(MISSING_ENV_VAR);
        assert!(f.message.contains("WORKSPACE_ROOT"), "{}", f.message);
        assert_eq!(parties(&f), ["ops"]);
    }

    #[test]
    fn cl502_not_once_it_is_set_or_escaped() {
        let host = host([
            gateway("ops")
                .port(18789)
                .set("agents.defaults.workspace", "\"${WORKSPACE_ROOT}/ops\"")
                .env("WORKSPACE_ROOT", "/srv/claw"),
            gateway("rescue")
                .port(18900)
                .set("agents.defaults.workspace", "\"$${WORKSPACE_ROOT}/rescue\""),
        ]);
        assert!(host.findings(MISSING_ENV_VAR).is_empty());
    }

    #[test]
    fn cl901_a_config_that_does_not_parse() {
        let host = host([gateway("ops").config_text("{ gateway: { port: 18789 }\n")]);
        let f = host.finding(UNPARSABLE_FILE);
        assert!(f.message.starts_with("invalid JSON5: "), "{}", f.message);
        // OpenClaw refuses it: the gateway binds nothing.
        assert!(!host.instances[0].starts());
        assert!(host.instances[0].listeners.is_empty());
    }

    #[test]
    fn cl901_not_for_json5_with_comments_and_trailing_commas() {
        let host =
            host([gateway("ops")
                .config_text("// ops\n{\n  gateway: { port: 18789, }, /* pinned */\n}\n")]);
        assert!(host.findings(UNPARSABLE_FILE).is_empty());
        assert_eq!(host.instances[0].port.value, 18789);
    }

    #[test]
    fn cl902_a_file_nobody_can_read_reported_once() {
        let mut host = host([gateway("ops").port(18789)]);
        let unit = crate::rules::testing::problem_in(
            &mut host.sources,
            "/home/claw/.config/systemd/user/openclaw-gateway-x.service",
            "",
            ProblemKind::Unreadable,
            "cannot read openclaw-gateway-x.service: permission denied",
        );
        let host = host.problem(unit.clone()).problem(unit);
        let f = host.finding(UNREADABLE_FILE);
        // Owned by the unit that could not be read, never by clawlint (it was "read by clawlint"),
        // and not "read by" itself (it was "read by openclaw-gateway-x.service").
        assert_eq!(labels(&f), ["in openclaw-gateway-x.service"]);
        assert_eq!(parties(&f), ["openclaw-gateway-x.service"]);
        for kind in [
            ProblemKind::TooLarge,
            ProblemKind::NotRegularFile,
            ProblemKind::OutsideLayout,
        ] {
            assert_eq!(with_problem(kind, "x").findings(UNREADABLE_FILE).len(), 1);
        }
    }

    /// A compose file that does not parse, which no gateway owns: the problem is the file's own,
    /// "in compose.yaml" (it was "read by compose.yaml", as if the file read itself). When a
    /// gateway reads that file too, the gateway is named first, as the one that reads it.
    #[test]
    fn cl901_a_files_own_problem_is_in_it_not_read_by_it() {
        let mut host = host([gateway("ops").port(18789)]);
        let problem = crate::rules::testing::problem_in(
            &mut host.sources,
            "/home/claw/stacks/broken/compose.yaml",
            "services:\n  gateway\n    image: x\n",
            ProblemKind::Unparsable,
            "invalid compose file: simple key expect ':'",
        );
        let host = host.problem(problem.clone());
        let f = host.finding(UNPARSABLE_FILE);
        assert_eq!(labels(&f), ["in compose.yaml"]);
        assert_eq!(parties(&f), ["compose.yaml"]);
        let mut host = host;
        host.instances[0].problems.push(problem);
        let f = host.finding(UNPARSABLE_FILE);
        assert_eq!(labels(&f), ["read by ops", "in compose.yaml"]);
        assert_eq!(parties(&f), ["ops", "compose.yaml"]);
    }

    #[test]
    fn cl902_one_finding_for_a_file_two_gateways_read() {
        let mut host = host([gateway("ops").port(18789), gateway("rescue").port(18900)]);
        let problem = at_config(&host, ProblemKind::Unreadable, "cannot read shared.json5");
        host.instances[0].problems.push(problem.clone());
        host.instances[1].problems.push(problem);
        let f = host.finding(UNREADABLE_FILE);
        // Each owner named once (it was "read by ops, rescue" and "also read by rescue").
        assert_eq!(labels(&f), ["read by ops", "also read by rescue"]);
    }

    /// A file over its size limit: the help says the limits and that no option raises them
    /// (it used to talk about nothing but the file's nature; before that, permissions).
    #[test]
    fn cl902_too_large_says_the_limits() {
        let f = with_problem(ProblemKind::TooLarge, "file is larger than 16777216 bytes")
            .finding(UNREADABLE_FILE);
        let help = f.help.unwrap();
        // The figures of load::read's limits (its tests keep them equal).
        for part in [
            "16 MiB of a config",
            "2 MiB of an `$include` file",
            "4 MiB of a `.env`",
        ] {
            assert!(help.contains(part), "{help}");
        }
        assert!(help.contains("no option raises"), "{help}");
        assert!(!help.contains("permission"), "{help}");
    }

    #[test]
    fn cl904_a_cdp_url_openclaw_rejects() {
        let host = host([gateway("ops")
            .port(18789)
            .set("browser.cdpUrl", "\"ftp://127.0.0.1:9222\"")]);
        let f = host.finding(INVALID_CONFIG_VALUE);
        assert!(f.message.contains("cdpUrl"), "{}", f.message);
        assert_eq!(parties(&f), ["ops"]);
    }

    #[test]
    fn cl904_not_for_an_http_cdp_url() {
        let host = host([gateway("ops")
            .port(18789)
            .set("browser.cdpUrl", "\"http://127.0.0.1:9222\"")]);
        assert!(host.findings(INVALID_CONFIG_VALUE).is_empty());
    }

    #[test]
    fn cl906_a_file_that_is_not_utf8() {
        let host = with_problem(
            ProblemKind::NotUtf8,
            "not valid UTF-8 (first bad byte at offset 3)",
        );
        assert_eq!(host.findings(NON_UTF8_FILE).len(), 1);
        assert!(host.findings(UNREADABLE_FILE).is_empty());
    }

    /// The manager's `DefaultEnvironment=` cut at its budget has its own help: it is not a
    /// `${VAR}` expansion nor an `$include` (the words it had before).
    #[test]
    fn cl907_help_for_the_manager_environment_budget_speaks_of_it() {
        let help = |path: &str| {
            let mut host = host([gateway("ops").port(18789)]);
            let problem = crate::rules::testing::problem_in(
                &mut host.sources,
                path,
                "[Manager]\nDefaultEnvironment=A=1\n",
                ProblemKind::Budget,
                "the systemd manager's DefaultEnvironment= is read up to 1000 variables",
            );
            let finding = host.problem(problem).finding(EXPANSION_BUDGET_EXCEEDED);
            finding.help.map(|h| h.to_string()).unwrap_or_default()
        };
        for path in [
            "/home/claw/.config/systemd/user.conf",
            "/etc/systemd/system.conf",
            "/etc/systemd/user.conf.d/50-env.conf",
        ] {
            let help = help(path);
            assert!(help.contains("DefaultEnvironment="), "{path}: {help}");
            assert!(help.contains("unverifiable"), "{path}: {help}");
            assert!(
                !help.contains("${VAR}") && !help.contains("$include"),
                "{help}"
            );
        }
        let help = help("/home/claw/.config/environment.d/50-env.conf");
        assert!(help.contains("environment.d"), "{help}");
        assert!(!help.contains("DefaultEnvironment="), "{help}");
        // A config's own budget keeps its words.
        let config = with_problem(ProblemKind::Budget, "${VAR} output passes 32 MiB");
        let finding = config.finding(EXPANSION_BUDGET_EXCEEDED);
        let help = finding.help.map(|h| h.to_string()).unwrap_or_default();
        assert!(help.contains("${VAR}"), "{help}");
    }

    #[test]
    fn cl907_an_expansion_over_budget() {
        let host = with_problem(ProblemKind::Budget, "${VAR} output passes 32 MiB");
        let f = host.finding(EXPANSION_BUDGET_EXCEEDED);
        assert_eq!(f.message, "${VAR} output passes 32 MiB");
        assert!(host.findings(MISSING_ENV_VAR).is_empty());
    }

    #[test]
    fn a_port_out_of_range_is_repaired_at_start_and_reported_once_by_cl702() {
        let host = host([gateway("ops").set("gateway.port", "70000")]);
        let f = host.finding(CONFIG_REWRITTEN_AT_START);
        assert!(
            f.message.ends_with("gateway.port 70000 is outside 1-65535"),
            "{}",
            f.message
        );
        // Repaired: it deletes the port, so the profile hash applies, and the gateway starts.
        let hash = crate::openclaw::profile_hash_port("ops");
        assert!(
            f.notes.iter().any(|n| n.to_string().contains(&format!(
                "the gateway runs on {hash} (20000 + FNV-1a(\"ops\")"
            ))),
            "{:?}",
            f.notes
        );
        assert!(host.instances[0].starts());
        // One verdict: the value is not also a refusal, nor a problem of the loader.
        assert!(host.findings(CONFIG_REJECTED).is_empty());
        assert!(host.findings(GATEWAY_WILL_NOT_START).is_empty());
        assert!(host.findings(INVALID_CONFIG_VALUE).is_empty());
    }

    #[test]
    fn not_repaired_for_the_highest_port() {
        let host = host([gateway("ops").set("gateway.port", "65535")]);
        assert!(host.findings(CONFIG_REWRITTEN_AT_START).is_empty());
    }

    #[test]
    fn a_port_written_as_a_string_is_refused_and_reported_once_by_cl701() {
        let host = host([gateway("ops").set("gateway.port", "\"18789\"")]);
        let f = host.finding(CONFIG_REJECTED);
        assert!(f.message.contains("gateway.port"), "{}", f.message);
        assert!(!host.instances[0].starts());
        assert!(host.findings(GATEWAY_WILL_NOT_START).is_empty());
    }

    #[test]
    fn cl909_what_stops_the_gateway_outside_its_config_values() {
        let mut host = with_problem(
            ProblemKind::Refused,
            "OPENCLAW_PROFILE=\"a b\" is not a valid profile name",
        );
        crate::resolve::verdict::decide(&mut host.instances[0]);
        let f = host.finding(GATEWAY_WILL_NOT_START);
        assert!(
            f.message.contains("not a valid profile name"),
            "{}",
            f.message
        );
        assert!(!host.instances[0].starts());
        assert!(host.instances[0].listeners.is_empty());
        assert!(host.findings(CONFIG_REJECTED).is_empty());
    }

    #[test]
    fn cl909_not_for_a_number() {
        let host = host([gateway("ops").set("gateway.port", "18789")]);
        assert!(host.findings(GATEWAY_WILL_NOT_START).is_empty());
    }

    #[test]
    fn cl910_no_gateway_found() {
        let host = host([]);
        let f = host.finding(NO_GATEWAYS);
        assert_eq!(f.message, "no gateway found: nothing was checked");
        assert!(f.labels.is_empty());
    }

    #[test]
    fn cl910_names_the_directories_searched() {
        let searched = |dir: &str, what, exists| crate::invocation::Searched {
            dir: dir.into(),
            what: vec![what],
            exists,
        };
        let mut host = host([]);
        host.searched = vec![
            searched("/h", "state dirs", true),
            searched("/h/.config/systemd/user", "systemd user units", false),
            searched("/r/opt", "compose files", true),
        ];
        let f = host.finding(NO_GATEWAYS);
        assert_eq!(
            f.message,
            "no gateway found in /h, /r/opt: nothing was checked"
        );
        assert_eq!(
            f.notes[0],
            "clawlint looked in /h (state dirs), /r/opt (compose files); not there: /h/.config/systemd/user"
        );
        host.searched.retain(|s| !s.exists);
        let f = host.finding(NO_GATEWAYS);
        assert_eq!(
            f.message,
            "no gateway found: nothing was checked (none of the directories clawlint searches, 1 in all, exists)"
        );
    }

    #[test]
    fn cl910_not_with_one_gateway() {
        let host = host([gateway("ops").port(18789)]);
        assert!(host.findings(NO_GATEWAYS).is_empty());
    }

    // The human rendering of `check --select RULE` for the cases built from a real config
    // (ruff's `for_rule`); the others are a loader's message at a place, rendered alike.

    #[test]
    fn cl502_human() {
        let host = host([gateway("ops")
            .port(18789)
            .set("agents.defaults.workspace", "\"${WORKSPACE_ROOT}/ops\"")]);
        insta::assert_snapshot!("CL502", host.human(MISSING_ENV_VAR));
    }

    #[test]
    fn cl901_human() {
        let host = host([gateway("ops").config_text("{ gateway: { port: 18789 }\n")]);
        insta::assert_snapshot!("CL901", host.human(UNPARSABLE_FILE));
    }

    #[test]
    fn cl904_human() {
        let host = host([gateway("ops")
            .port(18789)
            .set("browser.cdpUrl", "\"ftp://127.0.0.1:9222\"")]);
        insta::assert_snapshot!("CL904", host.human(INVALID_CONFIG_VALUE));
    }

    #[test]
    fn cl909_human() {
        let mut host = with_problem(
            ProblemKind::Refused,
            "OPENCLAW_PROFILE=\"a b\" is not a valid profile name (letters, numbers, \"_\", \"-\"; at most 64): OpenClaw exits with \"Invalid profile name\"",
        );
        crate::resolve::verdict::decide(&mut host.instances[0]);
        insta::assert_snapshot!("CL909", host.human(GATEWAY_WILL_NOT_START));
    }

    #[test]
    fn cl910_human() {
        let mut host = host([]);
        host.searched = vec![
            crate::invocation::Searched {
                dir: "/home/ops".into(),
                what: vec!["state dirs .openclaw*", "compose files, 3 levels down"],
                exists: true,
            },
            crate::invocation::Searched {
                dir: "/home/ops/.config/systemd/user".into(),
                what: vec!["systemd user units"],
                exists: false,
            },
        ];
        insta::assert_snapshot!("CL910", host.human(NO_GATEWAYS));
    }
}
