//! Supervisors: systemd units and launchd jobs that start gateways. Each becomes an
//! invocation with the unit's environment and arguments, every value pointing into the unit.
//!
//! Units carry the absolute paths of the machine they were written on (`/home/u/...`). Paths
//! under the unit's `HOME` are read under the scanned home, and other absolute paths under
//! `--root` when one is given, so that a copied host layout lints like the host.

use super::launchd;
use super::systemd::{self, SpecifierContext, UnitFile};
use crate::invocation::{Discovery, Invocation, Origin, ServiceFile, ServiceKind, Sourced};
use crate::load::env::{Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{read_bytes, read_text, ReadError, SMALL_FILE_LIMIT};
use crate::load::{unreadable, Problem};
use crate::openclaw::split_shell_words;
use crate::source::{FileId, Loc, SourceMap};
use std::path::{Path, PathBuf};

/// Where supervisors live: the user's own, and the system's under `root`.
/// A directory that exists but cannot be listed goes to `unlisted` with the reason: its units
/// would otherwise silently disappear (and a real collision with them).
pub fn service_files(
    home: &Path,
    root: Option<&Path>,
    unlisted: &mut Vec<(PathBuf, String)>,
) -> Vec<(PathBuf, ServiceKind)> {
    let mut dirs: Vec<(PathBuf, ServiceKind, &str)> = vec![
        (
            home.join(".config/systemd/user"),
            ServiceKind::SystemdUser,
            "service",
        ),
        (
            home.join("Library/LaunchAgents"),
            ServiceKind::Launchd,
            "plist",
        ),
    ];
    if let Some(root) = root {
        for dir in [
            "etc/systemd/system",
            "usr/lib/systemd/system",
            "lib/systemd/system",
        ] {
            dirs.push((root.join(dir), ServiceKind::SystemdSystem, "service"));
        }
        for dir in ["Library/LaunchAgents", "Library/LaunchDaemons"] {
            dirs.push((root.join(dir), ServiceKind::Launchd, "plist"));
        }
    }
    let mut out = Vec::new();
    // Windows Scheduled Tasks run `<state dir>/gateway.cmd`.
    if let Ok(entries) = std::fs::read_dir(home) {
        let mut scripts: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".openclaw"))
            .map(|e| e.path().join("gateway.cmd"))
            .filter(|p| p.symlink_metadata().is_ok())
            .collect();
        scripts.sort();
        out.extend(scripts.into_iter().map(|f| (f, ServiceKind::WindowsTask)));
    }
    for (dir, kind, ext) in dirs {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => continue,
            Err(err) => {
                unlisted.push((dir, err.to_string()));
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            // Anything with the extension, so that a FIFO or directory unit is a located
            // problem from the reader rather than silently skipped.
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (f, kind)));
    }
    out
}

/// Rewrites the unit's view of the file system onto the scanned one.
struct PathMap<'a> {
    unit_home: Option<String>,
    home: &'a Path,
    root: Option<&'a Path>,
}

impl PathMap<'_> {
    fn map(&self, value: &str) -> String {
        if let Some(unit_home) = self.unit_home.as_deref().filter(|h| h.len() > 1) {
            if let Some(rest) = value.strip_prefix(unit_home) {
                if rest.is_empty() || rest.starts_with('/') {
                    return format!("{}{rest}", self.home.display());
                }
            }
        }
        match self.root {
            Some(root) if value.starts_with('/') && !Path::new(value).starts_with(self.home) => {
                root.join(value.trim_start_matches('/'))
                    .display()
                    .to_string()
            }
            _ => value.to_string(),
        }
    }
}

/// The gateway a supervisor starts, or `None` when it starts something else.
pub fn invocation(
    path: &Path,
    kind: ServiceKind,
    home: &Path,
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let bytes = match read_bytes(path, SMALL_FILE_LIMIT) {
        Ok(bytes) => bytes,
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            return None;
        }
    };
    match kind {
        ServiceKind::Launchd => launchd_invocation(path, &bytes, home, root, sources, problems),
        ServiceKind::WindowsTask => task_invocation(path, &bytes, home, sources),
        ServiceKind::SystemdUser | ServiceKind::SystemdSystem => {
            unit_invocation(path, kind, &bytes, home, root, sources, problems)
        }
    }
}

/// The argv of a gateway: the program and any `sh -c "..."` wrapper unwrapped.
fn gateway_argv(argv: Vec<String>) -> Vec<String> {
    let is_shell = argv
        .first()
        .is_some_and(|p| p.ends_with("/sh") || p.ends_with("/bash") || p == "sh" || p == "bash");
    if is_shell && argv.get(1).is_some_and(|a| a == "-c") {
        if let Some(words) = argv.get(2).and_then(|c| split_shell_words(c)) {
            return words.into_iter().skip_while(|w| w == "exec").collect();
        }
    }
    argv
}

/// Does this argv start an OpenClaw gateway? `... openclaw[.mjs|/dist/index.js] ... gateway`.
fn starts_gateway(argv: &[String], name: &str) -> bool {
    let named = name.starts_with("openclaw-gateway")
        || name.starts_with("clawdbot-gateway")
        || name.starts_with("ai.openclaw.");
    let mentions = argv
        .iter()
        .any(|a| a.contains("openclaw") || a.contains("clawdbot"));
    let gateway_word = argv.iter().any(|a| a == "gateway");
    (named && !name.contains("node")) || (mentions && gateway_word)
}

/// Root options before the `gateway` word: `--profile NAME`, `--profile=NAME`, `--dev`.
fn root_flags(argv: &[String]) -> (Option<String>, bool) {
    let mut profile = None;
    let mut dev = false;
    let mut words = argv.iter().take_while(|a| *a != "gateway");
    while let Some(word) = words.next() {
        if word == "--profile" {
            profile = words.next().cloned();
        } else if let Some(value) = word.strip_prefix("--profile=") {
            profile = Some(value.to_string());
        } else if word == "--dev" {
            dev = true;
        }
    }
    (profile, dev)
}

fn register(
    sources: &mut SourceMap,
    path: &Path,
    text: String,
    env_spans: &[(String, Span)],
) -> FileId {
    let secrets: Vec<Span> = env_spans
        .iter()
        .filter(|(key, _)| !crate::redact::is_public_env_key(key))
        .map(|(_, span)| *span)
        .collect();
    let file = sources.add(path, text, None);
    sources.redact(file, secrets);
    file
}

#[allow(clippy::too_many_arguments)]
fn unit_invocation(
    path: &Path,
    kind: ServiceKind,
    bytes: &[u8],
    home: &Path,
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let unit = systemd::parse_unit(&text);
    let name = path.file_name()?.to_string_lossy().into_owned();
    let exec = unit.get_last("Service", "ExecStart")?;
    let spec = SpecifierContext {
        home: home.display().to_string(),
        user: None,
        unit_name: name.clone(),
    };
    let command = systemd::split_exec(&exec.value).ok()?;
    let specified: Vec<String> = command
        .argv
        .iter()
        .map(|a| systemd::expand_specifiers(a, &spec).0)
        .collect();
    if !starts_gateway(&gateway_argv(specified.clone()), &name) {
        return None;
    }
    let inline = systemd::effective_environment(&unit);
    let unit_home = inline
        .iter()
        .find(|(k, _, _)| k == "HOME")
        .map(|(_, v, _)| systemd::expand_specifiers(v, &spec).0);
    let map = PathMap {
        unit_home,
        home,
        root,
    };
    let env_spans: Vec<(String, Span)> = inline.iter().map(|(k, _, s)| (k.clone(), *s)).collect();
    let file = register(sources, path, text.clone(), &env_spans);
    // Belt and braces: token-like words anywhere in Environment= lines and comments.
    let mut free_text: Vec<Span> = Vec::new();
    for d in unit
        .get_all("Service", "Environment")
        .into_iter()
        .chain(unit.get_all("Service", "ExecStart"))
    {
        free_text.extend(crate::redact::token_like_words(
            &text[d.value_span.start..d.value_span.end],
            d.value_span.start,
        ));
    }
    for c in &unit.comments {
        free_text.extend(crate::redact::token_like_words(
            &text[c.span.start..c.span.end],
            c.span.start,
        ));
    }
    sources.redact(file, free_text);
    set_unit_suppressions(sources, file, &text, &unit);
    let at = |span: Span| Loc { file, span };
    let mut env = Env::new();
    for (key, value, span) in &inline {
        let value = map.map(&systemd::expand_specifiers(value, &spec).0);
        env.set(key, value, EnvOrigin::Service(at(*span)));
    }
    for (raw, optional, span) in systemd::environment_files(&unit) {
        let expanded = systemd::expand_specifiers(&raw, &spec).0;
        let literal = systemd::glob_literal(&expanded).unwrap_or(expanded);
        let file_path = PathBuf::from(map.map(&literal));
        read_environment_file(
            &file_path,
            optional,
            at(span),
            &map,
            &mut env,
            sources,
            problems,
        );
    }
    // `UnsetEnvironment=` is applied last, to everything above (systemd.exec(5)): a name
    // removes the variable, `NAME=value` only that exact assignment.
    for word in systemd::unset_environment(&unit) {
        match word.split_once('=') {
            Some((key, value)) => {
                if env.value(key) == Some(value) {
                    env.remove(key);
                }
            }
            None => env.remove(&word),
        }
    }
    env.set("HOME", home.display().to_string(), EnvOrigin::Given);
    // systemd substitutes `$NAME` and `${NAME}` in the command line from that environment
    // (systemd.service(5) "Command lines"), unless the command has the `:` prefix.
    let argv = if command.prefixes.contains(':') {
        specified
    } else {
        let vars: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        systemd::expand_exec_variables(&specified, &vars)
    };
    let argv = gateway_argv(argv);
    let exec_loc = at(port_span(exec).unwrap_or(exec.value_span));
    let (restart, prevent) = systemd::restart_policy(&unit);
    let restart_loc = unit.get_last("Service", "Restart").map(|d| at(d.span));
    let service = ServiceFile {
        restart: restart
            .zip(restart_loc)
            .map(|(r, loc)| Sourced::new(r, Origin::Config(loc))),
        prevent_exit_status: prevent,
        ..supervisor(kind, path, name, exec_loc, &argv, &env)
    };
    let cwd = unit
        .get_last("Service", "WorkingDirectory")
        .map(|d| {
            PathBuf::from(
                map.map(&systemd::expand_specifiers(d.value.trim_start_matches('-'), &spec).0),
            )
        })
        .unwrap_or_else(|| home.to_path_buf());
    Some(build(argv, env, cwd, home, path, service))
}

/// A file a supervisor takes its environment from. A missing one is fine when `optional`;
/// any other failure is a problem, shown where the supervisor names the file.
fn read_env_source(
    path: &Path,
    optional: bool,
    referenced_at: Option<Loc>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match read_text(path, SMALL_FILE_LIMIT) {
        Ok(text) => Some(text),
        Err(ReadError::Missing) if optional => None,
        Err(err) => {
            let mut problem = unreadable(sources, path, &err);
            problem.loc = referenced_at.or(problem.loc);
            problems.push(problem);
            None
        }
    }
}

/// `EnvironmentFile=`: its values override `Environment=`; `-` makes a missing file fine.
fn read_environment_file(
    path: &Path,
    optional: bool,
    referenced_at: Loc,
    map: &PathMap,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let Some(text) = read_env_source(path, optional, Some(referenced_at), sources, problems) else {
        return;
    };
    let (entries, comments) = systemd::parse_environment_file(&text);
    let spans: Vec<(String, Span)> = entries.iter().map(|e| (e.key.clone(), e.span)).collect();
    let items: Vec<Span> = entries.iter().map(|e| e.span).collect();
    let suppressions = crate::source::directive::from_comments(
        &text,
        comments.iter().map(|c| (c.span, c.text.as_str())),
        &items,
    );
    let file = register(sources, path, text, &spans);
    sources.set_suppressions(file, suppressions);
    for entry in entries {
        let origin = EnvOrigin::Service(Loc {
            file,
            span: entry.span,
        });
        env.set(&entry.key, map.map(&entry.value), origin);
    }
}

fn set_unit_suppressions(sources: &mut SourceMap, file: FileId, text: &str, unit: &UnitFile) {
    let items: Vec<Span> = unit
        .sections
        .iter()
        .flat_map(|s| s.entries.iter().map(|d| d.span))
        .collect();
    let comments = unit.comments.iter().map(|c| (c.span, c.text.as_str()));
    sources.set_suppressions(
        file,
        crate::source::directive::from_comments(text, comments, &items),
    );
}

/// The last `--port N` in a one-line `ExecStart=`, so that labels point at it.
fn port_span(exec: &systemd::Directive) -> Option<Span> {
    let on_one_line = exec.value_span.end - exec.value_span.start == exec.value.len();
    let at = exec.value.rfind("--port")?;
    let end = exec.value[at..]
        .char_indices()
        .skip("--port".len() + 1)
        .find(|(_, c)| c.is_whitespace() || *c == '"')
        .map_or(exec.value.len(), |(i, _)| at + i);
    on_one_line.then_some(Span {
        start: exec.value_span.start + at,
        end: exec.value_span.start + end,
    })
}

/// A supervisor as read: where it says how the gateway starts, its port, its state dir
/// setting. Restart policy is systemd's only; the unit reader adds it.
fn supervisor(
    kind: ServiceKind,
    path: &Path,
    name: String,
    loc: Loc,
    argv: &[String],
    env: &Env,
) -> ServiceFile {
    ServiceFile {
        kind,
        path: path.to_path_buf(),
        name,
        loc,
        restart: None,
        prevent_exit_status: Vec::new(),
        port: super::port_arg(argv, Some(loc)),
        state_dir_loc: env.get("OPENCLAW_STATE_DIR").and_then(|v| v.origin.loc()),
    }
}

fn build(
    argv: Vec<String>,
    env: Env,
    cwd: PathBuf,
    home: &Path,
    path: &Path,
    service: ServiceFile,
) -> Invocation {
    let (profile, dev) = root_flags(&argv);
    Invocation {
        name: service.name.clone(),
        discovery: Discovery::Service(path.to_path_buf()),
        home: home.to_path_buf(),
        cwd,
        profile_flag: profile,
        dev,
        env,
        port_arg: service.port.clone(),
        service: Some(service),
        container: None,
    }
}

fn launchd_invocation(
    path: &Path,
    bytes: &[u8],
    home: &Path,
    root: Option<&Path>,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    let job = match launchd::parse_plist(bytes) {
        Ok(job) => job,
        Err(message) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let file = sources.add(path, text, None);
            problems.push(Problem {
                kind: crate::load::ProblemKind::Unparsable,
                message: format!("invalid plist: {message}"),
                loc: Some(crate::load::tree::file_start(file)),
            });
            return None;
        }
    };
    let label = job.label.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let mut argv = job.program_arguments.clone();
    let wrapper = launchd::env_wrapper(&argv);
    if let Some((_, start)) = &wrapper {
        argv = argv[*start..].to_vec();
    }
    let argv = gateway_argv(argv);
    if !starts_gateway(&argv, &label) {
        return None;
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    let is_xml = bytes.starts_with(b"<?xml") || bytes.starts_with(b"<plist");
    let span_of = |key: &str, value: &str| {
        if is_xml {
            launchd::xml_value_span(&text, key, value)
        } else {
            None
        }
    };
    let env_spans: Vec<(String, Span)> = job
        .environment
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), span_of(k, v)?)))
        .collect();
    let unit_home = job
        .environment
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| v.clone());
    let map = PathMap {
        unit_home,
        home,
        root,
    };
    let file = register(sources, path, text.clone(), &env_spans);
    // Arguments and values in a plist are free text to us: mask whatever looks like a token.
    sources.redact(file, crate::redact::token_like_words(&text, 0));
    let whole = Loc {
        file,
        span: Span { start: 0, end: 0 },
    };
    let program_loc = argv
        .iter()
        .find(|a| *a == "gateway")
        .and_then(|a| span_of("ProgramArguments", a))
        .map(|span| Loc { file, span })
        .unwrap_or(whole);
    let mut env = Env::new();
    for (key, value) in &job.environment {
        let loc = span_of(key, value)
            .map(|span| Loc { file, span })
            .unwrap_or(whole);
        env.set(key, map.map(value), EnvOrigin::Service(loc));
    }
    if let Some((env_file, _)) = wrapper {
        read_wrapper_env(
            &PathBuf::from(map.map(&env_file)),
            &map,
            &mut env,
            sources,
            problems,
        );
    }
    env.set("HOME", home.display().to_string(), EnvOrigin::Given);
    let service = supervisor(ServiceKind::Launchd, path, label, program_loc, &argv, &env);
    let cwd = job
        .working_directory
        .as_deref()
        .map(|d| PathBuf::from(map.map(d)))
        .unwrap_or_else(|| home.to_path_buf());
    Some(build(argv, env, cwd, home, path, service))
}

/// OpenClaw's launchd wrapper keeps the environment in `export KEY='value'` lines.
fn read_wrapper_env(
    path: &Path,
    map: &PathMap,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let Some(text) = read_env_source(path, true, None, sources, problems) else {
        return;
    };
    let entries = launchd::parse_wrapper_env_file(&text);
    let spans: Vec<(String, Span)> = entries.iter().map(|(k, _, s)| (k.clone(), *s)).collect();
    let file = register(sources, path, text, &spans);
    for (key, value, span) in entries {
        env.set(
            &key,
            map.map(&value),
            EnvOrigin::Service(Loc { file, span }),
        );
    }
}

/// A Windows task script. Its paths are Windows paths under the user's profile directory;
/// they are read under the scanned home.
fn task_invocation(
    path: &Path,
    bytes: &[u8],
    home: &Path,
    sources: &mut SourceMap,
) -> Option<Invocation> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let script = super::windows::parse_task_script(&text)?;
    let argv = gateway_argv(script.program_arguments.clone());
    let name = script
        .environment
        .iter()
        .find(|(k, _, _)| k == "OPENCLAW_WINDOWS_TASK_NAME")
        .map_or_else(|| "gateway.cmd".to_string(), |(_, v, _)| v.clone());
    if !starts_gateway(&argv, &name) {
        return None;
    }
    let profile_home = script
        .environment
        .iter()
        .find(|(k, _, _)| k == "USERPROFILE" || k == "HOME")
        .map(|(_, v, _)| v.clone())
        .or_else(|| script.working_directory.clone());
    let map = |value: &str| -> String {
        match &profile_home {
            Some(h) if value.len() >= h.len() && value[..h.len()].eq_ignore_ascii_case(h) => {
                format!("{}{}", home.display(), value[h.len()..].replace('\\', "/"))
            }
            _ => value.to_string(),
        }
    };
    let env_spans: Vec<(String, Span)> = script
        .environment
        .iter()
        .map(|(k, _, s)| (k.clone(), *s))
        .collect();
    let file = register(sources, path, text.clone(), &env_spans);
    sources.redact(file, crate::redact::token_like_words(&text, 0));
    let mut env = Env::new();
    for (key, value, span) in &script.environment {
        env.set(
            key,
            map(value),
            EnvOrigin::Service(Loc { file, span: *span }),
        );
    }
    env.set("HOME", home.display().to_string(), EnvOrigin::Given);
    let loc = Loc {
        file,
        span: script.command,
    };
    let service = supervisor(ServiceKind::WindowsTask, path, name, loc, &argv, &env);
    let cwd = script
        .working_directory
        .as_deref()
        .map(|d| PathBuf::from(map(d)))
        .unwrap_or_else(|| home.to_path_buf());
    Some(build(argv, env, cwd, home, path, service))
}
