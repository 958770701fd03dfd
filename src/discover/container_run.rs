//! `docker run` and `podman run` command lines, as a supervisor runs them
//! (`ExecStart=/usr/bin/docker run --rm --name oc-a -p 18789:18789 -v … IMAGE …`): the
//! container they start, read as the CLIs' own flag parsers (spf13/pflag, with
//! interspersed flags off for `run`) read the words. The first word that is not a flag or a
//! flag's value is the image; every word after it is the container's command. A flag not
//! known to take no value takes one, so an unknown flag can only move the image later, never
//! take a value for the image.

use super::compose::{self, spec, spec::VolumeKind};
use crate::container::{Container, Engine, HostText, Mount, MountSource, Network, Published};
use crate::invocation::Invocation;
use crate::load::env::{Env, EnvOrigin};
use crate::load::read::{read_text_lossy, ReadError, SMALL_FILE_LIMIT};
use crate::load::{Problem, ProblemKind};
use crate::source::{Loc, SourceMap, Span};
use std::path::{Path, PathBuf};

/// Which CLI runs the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cli {
    Docker,
    Podman,
}

/// The options of a `run` line clawlint reads, each value with the index of the word it is
/// in (`-p 80:80`: the second word; `-p80:80` and `--publish=80:80`: the only one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    pub name: Option<String>,
    pub publish: Vec<(String, usize)>,
    pub volumes: Vec<(String, usize)>,
    pub mounts: Vec<(String, usize)>,
    pub env: Vec<(String, usize)>,
    pub env_files: Vec<(String, usize)>,
    pub network: Option<(String, usize)>,
    pub workdir: Option<String>,
    pub entrypoint: Option<(String, usize)>,
    /// `-u`/`--user`: `USER[:GROUP]`, as written.
    pub user: Option<String>,
    /// `-P`: every exposed port on a host port the engine picks (none fixed).
    pub publish_all: bool,
}

/// A `run` line: the options, the image and the command after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub cli: Cli,
    pub options: RunOptions,
    pub image: String,
    pub image_at: usize,
    /// The words after the image (the image's `CMD` when empty).
    pub command: Vec<String>,
    pub command_at: usize,
    /// `-H tcp://…`, `--context remote`, `podman --remote`: the container runs on another
    /// host, as written.
    pub elsewhere: Option<String>,
}

/// `docker run` flags that take no value (docker/cli `cli/command/container/opts.go`
/// `addFlags`, `run.go`, `create.go`).
const DOCKER_BOOLS: &[&str] = &[
    "detach",
    "interactive",
    "tty",
    "rm",
    "init",
    "privileged",
    "read-only",
    "publish-all",
    "oom-kill-disable",
    "no-healthcheck",
    "disable-content-trust",
    "sig-proxy",
    "quiet",
    "help",
    "use-api-socket",
];

/// `podman run`'s, beyond Docker's (containers/podman `cmd/podman/common/create.go`
/// `DefineCreateFlags`, `cmd/podman/containers/run.go`).
const PODMAN_BOOLS: &[&str] = &[
    "replace",
    "rmi",
    "env-host",
    "http-proxy",
    "no-hosts",
    "passwd",
    "read-only-tmpfs",
    "tls-verify",
    "rootfs",
    "unsetenv-all",
    "no-hostname",
    "tls-verify",
    "transient-store",
    "trace",
    "syslog",
];

/// Short flags and their long names; those in the bool lists take no value.
const SHORTS: &[(char, &str)] = &[
    ('d', "detach"),
    ('i', "interactive"),
    ('t', "tty"),
    ('P', "publish-all"),
    ('q', "quiet"),
    ('a', "attach"),
    ('c', "cpu-shares"),
    ('e', "env"),
    ('h', "hostname"),
    ('l', "label"),
    ('m', "memory"),
    ('p', "publish"),
    ('u', "user"),
    ('v', "volume"),
    ('w', "workdir"),
];

/// Global flags before the subcommand that take no value.
const GLOBAL_BOOLS: &[&str] = &[
    "v",
    "debug",
    "D",
    "tls",
    "tlsverify",
    "remote",
    "r",
    "syslog",
    "transient-store",
    "noout",
    "help",
    "version",
];

/// Global flags that put the container on another host (or may).
const GLOBAL_ELSEWHERE: &[&str] = &[
    "host",
    "H",
    "context",
    "c",
    "url",
    "connection",
    "remote",
    "r",
];

/// Whether a `run` flag (its long name) takes no value, in either CLI.
pub fn takes_no_value(long: &str) -> bool {
    DOCKER_BOOLS.contains(&long) || PODMAN_BOOLS.contains(&long)
}

/// The long name of a short `run` flag (`p`: `publish`).
pub fn long_name(letter: &str) -> Option<&'static str> {
    let c = letter.chars().next()?;
    SHORTS.iter().find(|(s, _)| *s == c).map(|(_, l)| *l)
}

impl Cli {
    pub fn name(self) -> &'static str {
        match self {
            Cli::Docker => "docker",
            Cli::Podman => "podman",
        }
    }

    fn takes_no_value(self, long: &str) -> bool {
        DOCKER_BOOLS.contains(&long) || (self == Cli::Podman && PODMAN_BOOLS.contains(&long))
    }
}

/// The `run` line `argv` is, if it is one: `docker run`, `docker container run`,
/// `podman run`, `podman container run` (global flags before the subcommand allowed).
pub fn parse(argv: &[String]) -> Option<Run> {
    let program = argv.first()?;
    let cli = match program.rsplit('/').next()? {
        "docker" => Cli::Docker,
        "podman" => Cli::Podman,
        _ => return None,
    };
    let (mut at, elsewhere) = after_globals(argv)?;
    if argv.get(at).map(String::as_str) == Some("container") {
        at += 1;
    }
    (argv.get(at).map(String::as_str) == Some("run")).then_some(())?;
    let (options, image_at) = run_options(cli, argv, at + 1)?;
    Some(Run {
        cli,
        options,
        image: argv[image_at].clone(),
        image_at,
        command: argv[image_at + 1..].to_vec(),
        command_at: image_at + 1,
        elsewhere,
    })
}

/// The index of the subcommand after the global flags, and the flag that puts the container
/// on another host, as written.
fn after_globals(argv: &[String]) -> Option<(usize, Option<String>)> {
    let mut at = 1;
    let mut elsewhere = None;
    while let Some(word) = argv.get(at) {
        let Some(flag) = word.strip_prefix('-') else {
            return Some((at, elsewhere));
        };
        let flag = flag.strip_prefix('-').unwrap_or(flag);
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (flag, None),
        };
        let takes_value = !GLOBAL_BOOLS.contains(&name);
        let value = match (takes_value, inline) {
            (true, None) => {
                at += 1;
                argv.get(at).map(String::as_str)
            }
            (_, inline) => inline,
        };
        if GLOBAL_ELSEWHERE.contains(&name) && !is_local_engine(name, value) {
            elsewhere = Some(word.clone());
        }
        at += 1;
    }
    None
}

/// A `-H`/`--host` or `--context` that still names this host's engine.
fn is_local_engine(name: &str, value: Option<&str>) -> bool {
    match (name, value) {
        ("host" | "H" | "url", Some(v)) => v.starts_with("unix://") || v.starts_with('/'),
        ("context" | "c" | "connection", Some(v)) => v == "default",
        ("remote" | "r", Some(v)) => v == "false",
        _ => false,
    }
}

/// The options of `run` from `start`, and the index of the image.
fn run_options(cli: Cli, argv: &[String], start: usize) -> Option<(RunOptions, usize)> {
    let mut options = RunOptions::default();
    let mut at = start;
    while let Some(word) = argv.get(at) {
        if word == "--" {
            return (at + 1 < argv.len()).then_some((options, at + 1));
        }
        let (long, inline): (String, Option<String>) = if let Some(rest) = word.strip_prefix("--") {
            match rest.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (rest.to_string(), None),
            }
        } else if let Some(rest) = word.strip_prefix('-').filter(|r| !r.is_empty()) {
            match shorts(cli, rest) {
                Some(Short::Bools) => {
                    if rest.contains('P') {
                        options.publish_all = true;
                    }
                    at += 1;
                    continue;
                }
                Some(Short::Value(long, inline)) => (long.to_string(), inline),
                None => (rest.to_string(), None),
            }
        } else {
            return Some((options, at));
        };
        if cli.takes_no_value(&long) {
            if long == "publish-all" {
                options.publish_all = inline.as_deref() != Some("false");
            }
            at += 1;
            continue;
        }
        let (value, value_at) = match inline {
            Some(value) => (value, at),
            None => (argv.get(at + 1)?.clone(), at + 1),
        };
        record(cli, &mut options, &long, value, value_at);
        at = value_at + 1;
    }
    None
}

enum Short {
    /// Every letter a flag that takes no value (`-dit`).
    Bools,
    /// The letters before are flags with no value; this one takes the rest of the word
    /// (`-p80:80`, `-dp80:80`) or, when none is left, the next word.
    Value(&'static str, Option<String>),
}

/// A group of short flags as pflag reads it: letters that take no value until one that
/// takes one, which takes the rest of the word. `None`: a letter clawlint does not know
/// (read as a flag that takes a value).
fn shorts(cli: Cli, letters: &str) -> Option<Short> {
    for (i, c) in letters.char_indices() {
        let long = SHORTS.iter().find(|(s, _)| *s == c).map(|(_, l)| *l)?;
        if cli.takes_no_value(long) {
            continue;
        }
        let rest = &letters[i + c.len_utf8()..];
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        let inline = (!rest.is_empty()).then(|| rest.to_string());
        return Some(Short::Value(long, inline));
    }
    Some(Short::Bools)
}

fn record(cli: Cli, options: &mut RunOptions, long: &str, value: String, at: usize) {
    match long {
        "name" => options.name = Some(value),
        // Podman's `-p` is a list flag: `-p 80:80,443:443` publishes both.
        "publish" if cli == Cli::Podman => {
            (options.publish).extend(value.split(',').map(|v| (v.to_string(), at)))
        }
        "publish" => options.publish.push((value, at)),
        "volume" => options.volumes.push((value, at)),
        "mount" => options.mounts.push((value, at)),
        "env" => options.env.push((value, at)),
        "env-file" => options.env_files.push((value, at)),
        "network" | "net" => options.network = Some((value, at)),
        "workdir" => options.workdir = Some(value),
        "entrypoint" => options.entrypoint = Some((value, at)),
        "user" => options.user = Some(value),
        _ => {}
    }
}

/// Where a supervisor runs a `run` line, and what of its own the line is read with.
pub struct RunSite<'a> {
    /// The supervisor's file (a unit) and its name (`openclaw-a.service`).
    pub file: &'a Path,
    pub service: &'a str,
    /// The command line in the file, and its text there (continued lines and all): each
    /// word is placed where it is written after the one before it; one not found there (a
    /// quoted or escaped word, a script's) points at the whole line.
    pub loc: Loc,
    pub text: Option<&'a str>,
    /// The line's words as written, before systemd expanded its specifiers (`%h/data`), when
    /// they are the run line's own words one for one (no wrapper removed): found in `text`
    /// instead of the expanded ones.
    pub written: Option<&'a [String]>,
    /// Where the CLI runs: a relative host path (`-v ./data:/x`, `--env-file .env`) is its.
    pub cwd: &'a Path,
    /// A host path as written, on the scanned layout.
    pub place: &'a dyn Fn(&str) -> PathBuf,
    /// The supervisor's environment: `-e NAME` and a bare `NAME` line of an env file pass
    /// its value through.
    pub client_env: &'a Env,
    pub host_home: &'a Path,
    /// Where each word of the line is, one for one, when the caller knows (the line is built
    /// from a file's parts, as an Unraid template's is): used instead of finding the words
    /// in `text`.
    pub word_locs: Option<&'a [Loc]>,
}

impl Run {
    /// The container's command: `--entrypoint` (which drops the image's `CMD`) and the words
    /// after the image, or OpenClaw's image's own command.
    pub fn container_argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = self
            .options
            .entrypoint
            .iter()
            .map(|(e, _)| e.clone())
            .collect();
        let image_cmd = self.command.is_empty() && self.options.entrypoint.is_none();
        match image_cmd && compose::image_cmd_starts_gateway(&self.image) {
            true => argv.extend(compose::IMAGE_CMD.iter().map(|s| s.to_string())),
            false => argv.extend(self.command.iter().cloned()),
        }
        argv
    }

    pub fn openclaw_image(&self) -> bool {
        compose::is_openclaw_image(&self.image)
    }

    /// Whether the container it starts, on this host, runs OpenClaw's gateway.
    pub fn runs_gateway(&self) -> bool {
        self.elsewhere.is_none()
            && compose::runs_gateway(&self.container_argv(), self.openclaw_image())
    }
}

/// The gateway a `run` line (`argv`, parsed as `run`) starts, if it starts one on this host.
pub fn invocation(
    run: &Run,
    argv: &[String],
    site: &RunSite,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<Invocation> {
    if !run.runs_gateway() || engine_elsewhere(run.cli, site.client_env) {
        return None;
    }
    let words = WordPlaces::of(argv, site);
    let at = |i: usize, value: &str| words.value_at(i, value);
    let mut env = Env::new();
    if run.openclaw_image() {
        // Docker sets `HOME` from the user's entry in the image's `/etc/passwd` (the docker run
        // reference: "HOME: Set based on the value of USER"): `--user root` runs OpenClaw's
        // image with `/root` as its home, as Unraid's OpenClaw templates do.
        let home = (run.options.user.as_deref())
            .and_then(image_user_home)
            .unwrap_or(compose::IMAGE_HOME);
        env.set("HOME", home.to_string(), EnvOrigin::Given);
    }
    // The CLI reads the env files first, then `-e`: a later value wins.
    for (raw, i) in &run.options.env_files {
        let path = host_path(raw, site);
        read_env_file(
            run.cli,
            "--env-file",
            &path,
            at(*i, raw),
            site.client_env,
            &mut env,
            sources,
            problems,
        );
    }
    for (entry, i) in &run.options.env {
        let loc = at(*i, entry);
        match entry.split_once('=') {
            Some((key, value)) => env.set(key, value.to_string(), EnvOrigin::Container(loc)),
            None => match site.client_env.value(entry) {
                Some(value) => env.set(entry, value.to_string(), EnvOrigin::Container(loc)),
                None => env.remove(entry),
            },
        }
    }
    let published = published(run, &at, problems);
    let mounts = mounts(run, site, &at, problems);
    let network = match run.options.network.as_ref().map(|(n, _)| n.as_str()) {
        Some("host") => Network::Host,
        Some(other) if other.starts_with("container:") => Network::Shared(other.to_string()),
        _ => Network::Isolated,
    };
    let container_argv = run.container_argv();
    // Where each of its words is written, when they are the line's own (not the image's).
    let entrypoint = run.options.entrypoint.iter().map(|(e, i)| at(*i, e));
    let command = (run.command.iter().enumerate()).map(|(k, w)| at(run.command_at + k, w));
    let places: Vec<Loc> = entrypoint.chain(command).collect();
    let places = match places.len() == container_argv.len() {
        true => places,
        false => Vec::new(),
    };
    let command_loc = (!run.command.is_empty())
        .then(|| at(run.command_at, &run.command[0]))
        .or_else(|| run.options.entrypoint.as_ref().map(|(e, i)| at(*i, e)));
    let cwd = PathBuf::from(
        run.options
            .workdir
            .as_deref()
            .unwrap_or(compose::IMAGE_WORKDIR),
    );
    let stem = site
        .service
        .strip_suffix(".service")
        .unwrap_or(site.service);
    let name = run.options.name.clone().unwrap_or_else(|| stem.to_string());
    let engine = match run.cli {
        Cli::Docker => Engine::DockerRun,
        Cli::Podman => Engine::PodmanRun,
    };
    let container = Container {
        image: Some(run.image.clone()),
        image_loc: Some(at(run.image_at, &run.image)),
        network,
        published,
        mounts,
        host_home: site.host_home.to_path_buf(),
        ..Container::new(
            engine,
            name,
            site.service.to_string(),
            site.file.to_path_buf(),
            site.loc,
        )
    };
    let start = compose::ContainerStart {
        argv: container_argv,
        command_loc,
        places,
        env,
        cwd,
    };
    Some(compose::container_invocation(container, start))
}

/// The home of a `--user` of OpenClaw's image (`USER[:GROUP]`, by name or id) in its
/// `/etc/passwd` (the Node.js image's: `root` 0 `/root`, `node` 1000 `/home/node`); `None`
/// for any other user.
pub(crate) fn image_user_home(user: &str) -> Option<&'static str> {
    match user.split(':').next().unwrap_or(user) {
        "root" | "0" => Some("/root"),
        "node" | "1000" => Some(compose::IMAGE_HOME),
        _ => None,
    }
}

/// Whether the CLI's environment points it at another host's engine (`DOCKER_HOST`,
/// `DOCKER_CONTEXT`, podman's `CONTAINER_HOST`, `CONTAINER_CONNECTION`).
fn engine_elsewhere(cli: Cli, env: &Env) -> bool {
    let local_socket = |v: &str| v.is_empty() || v.starts_with("unix://") || v.starts_with('/');
    match cli {
        Cli::Docker => {
            env.value("DOCKER_HOST").is_some_and(|v| !local_socket(v))
                || env
                    .value("DOCKER_CONTEXT")
                    .is_some_and(|v| !v.is_empty() && v != "default")
        }
        Cli::Podman => {
            env.value("CONTAINER_HOST")
                .is_some_and(|v| !local_socket(v))
                || env
                    .value("CONTAINER_CONNECTION")
                    .is_some_and(|v| !v.is_empty())
        }
    }
}

/// A host path as the CLI reads it: relative to where it runs, else as written.
fn host_path(raw: &str, site: &RunSite) -> PathBuf {
    match raw.starts_with('/') {
        true => (site.place)(raw),
        false => crate::paths::normalize(&site.cwd.join(raw)),
    }
}

/// `-p`: `[IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, as Compose's short syntax.
fn published(
    run: &Run,
    at: &dyn Fn(usize, &str) -> Loc,
    problems: &mut Vec<Problem>,
) -> Vec<Published> {
    let mut out = Vec::new();
    for (value, i) in &run.options.publish {
        let loc = at(*i, value);
        match spec::parse_port(value) {
            Ok(p) => out.extend(p.published(loc, &[], HostText::Entry)),
            Err(why) => problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("{} rejects this -p: {why}", run.cli.name()),
                loc: Some(loc),
            }),
        }
    }
    out
}

/// `-v SOURCE:TARGET[:OPTIONS]` (a source that starts with `/` or `.` is a host path, any
/// other a named volume) and `--mount type=…,source=…,target=…[,readonly]`.
fn mounts(
    run: &Run,
    site: &RunSite,
    at: &dyn Fn(usize, &str) -> Loc,
    problems: &mut Vec<Problem>,
) -> Vec<Mount> {
    let mut out = Vec::new();
    let mut rejected = |loc: Loc, what: &str, why: String| {
        problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            message: format!("{} rejects this {what}: {why}", run.cli.name()),
            loc: Some(loc),
        })
    };
    type Reader = fn(&str) -> Result<spec::VolumeSpec, String>;
    let volumes =
        (run.options.volumes.iter()).map(|v| (v, "-v", super::quadlet::podman_volume as Reader));
    let mounts = (run.options.mounts.iter()).map(|v| (v, "--mount", mount_option as Reader));
    for ((value, i), what, read) in volumes.chain(mounts) {
        let loc = at(*i, value);
        match read(value) {
            Ok(v) => out.push(Mount::new(
                source(v.kind, &v.source, site),
                PathBuf::from(&v.target),
                v.read_only,
                loc,
            )),
            Err(why) => rejected(loc, what, why),
        }
    }
    out
}

fn source(kind: VolumeKind, raw: &str, site: &RunSite) -> MountSource {
    match kind {
        VolumeKind::Bind => MountSource::Bind(host_path(raw, site)),
        VolumeKind::Volume => MountSource::Volume(raw.to_string()),
        _ => MountSource::Private,
    }
}

/// `--mount`'s comma-separated `key=value` fields (docker/cli `opts/mount.go`): `type`
/// (`volume` unless said), `source`/`src`, `target`/`destination`/`dst`, `readonly`/`ro`
/// (alone, or `=true`/`1`).
fn mount_option(raw: &str) -> Result<spec::VolumeSpec, String> {
    let (mut kind, mut src, mut target, mut read_only) = ("volume", "", None, false);
    for field in raw.split(',') {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (field.trim(), None),
        };
        match (key.to_ascii_lowercase().as_str(), value) {
            ("type", Some(v)) => kind = v,
            ("source" | "src", Some(v)) => src = v,
            ("target" | "destination" | "dst", Some(v)) => target = Some(v),
            ("readonly" | "ro", None) => read_only = true,
            ("readonly" | "ro", Some(v)) => read_only = matches!(v, "true" | "1"),
            _ => {}
        }
    }
    let target = target.ok_or("target is required")?;
    let kind = match kind {
        "bind" if src.is_empty() => return Err("source is required for a bind mount".into()),
        "bind" => VolumeKind::Bind,
        "volume" if src.is_empty() => VolumeKind::Anonymous,
        "volume" => VolumeKind::Volume,
        _ => VolumeKind::Tmpfs,
    };
    Ok(spec::VolumeSpec {
        kind,
        source: src.to_string(),
        target: target
            .trim_end_matches('/')
            .to_string()
            .max("/".to_string()),
        read_only,
    })
}

/// An `--env-file`: the CLI reads it when it runs (docker/cli `opts/file.go`
/// `parseKeyValueFile`, podman `pkg/env` `ParseFile`): leading white space dropped, empty and
/// `#` lines skipped, `NAME=value` with the value as written (no quotes removed), a bare
/// `NAME` passing the CLI's own value through. One that cannot be read stops the run.
/// `what` names it as its file does (`--env-file`, a quadlet's `EnvironmentFile=`, which
/// Podman's generator passes on as `--env-file`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_env_file(
    cli: Cli,
    what: &str,
    path: &Path,
    at: Loc,
    client_env: &Env,
    env: &mut Env,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) {
    let text = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok((text, _)) => text,
        // One the CLI could read that clawlint does not (outside the layout, too large):
        // said as unread, not as a refused start.
        Err(err @ (ReadError::OutsideLayout { .. } | ReadError::TooLarge { .. })) => {
            let mut problem = crate::load::unreadable(sources, path, &err);
            problem.loc = Some(at);
            problems.push(problem);
            return;
        }
        Err(err) => {
            problems.push(Problem {
                kind: ProblemKind::Unreadable,
                message: format!(
                    "{what} {} cannot be read ({}): {} refuses to start the container",
                    crate::paths::display_path(path),
                    err.describe(),
                    cli.name()
                ),
                loc: Some(at),
            });
            return;
        }
    };
    let lines = env_file_lines(&text);
    let shown = crate::redact::scan::env_lines(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    for (key, value, span) in lines {
        let origin = EnvOrigin::Container(Loc { file, span });
        match value.or_else(|| client_env.value(&key).map(str::to_string)) {
            Some(value) => env.set(&key, value, origin),
            None => env.remove(&key),
        }
    }
}

/// The `NAME[=value]` lines of a CLI env file, each with its span; a name with white space
/// in it (which the CLI refuses) is skipped.
fn env_file_lines(text: &str) -> Vec<(String, Option<String>, Span)> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let mut line = raw.trim_end_matches(['\n', '\r']);
        let mut offset = line_start;
        if let Some(rest) = line.strip_prefix('\u{feff}').filter(|_| line_start == 0) {
            (line, offset) = (rest, offset + '\u{feff}'.len_utf8());
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let offset = offset + (line.len() - trimmed.len());
        let (key, value) = match trimmed.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (trimmed, None),
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            continue;
        }
        out.push((
            key.to_string(),
            value,
            Span::new(offset, offset + trimmed.len()),
        ));
    }
    out
}

/// Where each word of a `run` line is in the supervisor's file: found as written after the
/// word before it, else (quoted, escaped) the whole line.
struct WordPlaces {
    line: Loc,
    /// Each word's place, and whether it is written as it reads (no specifier expanded).
    words: Vec<Option<(Span, bool)>>,
    /// Each word's place when the caller gave them ([`RunSite::word_locs`]).
    given: Option<Vec<Loc>>,
}

impl WordPlaces {
    fn of(argv: &[String], site: &RunSite) -> WordPlaces {
        if let Some(locs) = site.word_locs.filter(|l| l.len() == argv.len()) {
            return WordPlaces {
                line: site.loc,
                words: Vec::new(),
                given: Some(locs.to_vec()),
            };
        }
        let written = site.written.filter(|w| w.len() == argv.len());
        let mut words = Vec::new();
        let mut cursor = 0;
        // Each search goes on from the word before, so the whole line is read once; after
        // the first word not found (a quoted or escaped one) no more are looked for: a line
        // of many such words would be read once per word.
        let mut text = site.text;
        for (i, word) in argv.iter().enumerate() {
            let as_written = written.map_or(word.as_str(), |w| w[i].as_str());
            let found = text.and_then(|text| {
                let at = cursor + text.get(cursor..)?.find(as_written)?;
                Some(at)
            });
            if found.is_none() {
                text = None;
            }
            words.push(found.map(|at| {
                cursor = at + as_written.len();
                let start = site.loc.span.start() + at;
                (
                    Span::new(start, start + as_written.len()),
                    as_written == word,
                )
            }));
        }
        WordPlaces {
            line: site.loc,
            words,
            given: None,
        }
    }

    /// Where `value` is: the end of word `i` (`-p80:80`'s `80:80`), the whole word when a
    /// specifier in it was expanded, or the whole line when the word is not found.
    fn value_at(&self, i: usize, value: &str) -> Loc {
        if let Some(given) = &self.given {
            return given.get(i).copied().unwrap_or(self.line);
        }
        let span = match self.words.get(i).copied().flatten() {
            Some((span, true)) if span.end() - span.start() >= value.len() => {
                Span::new(span.end() - value.len(), span.end())
            }
            Some((span, _)) => span,
            None => return self.line,
        };
        Loc {
            file: self.line.file,
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_image_is_the_first_word_no_flag_takes() {
        let run = parse(&words(
            "/usr/bin/docker run --rm -d --name oc-a -p 127.0.0.1:18789:18789 -v /srv/a:/home/node/.openclaw ghcr.io/openclaw/openclaw:2026.9.6 node dist/index.js gateway --port 18789",
        ))
        .unwrap();
        assert_eq!(run.cli, Cli::Docker);
        assert_eq!(run.image, "ghcr.io/openclaw/openclaw:2026.9.6");
        assert_eq!(run.image_at, 10);
        assert_eq!(
            run.command,
            words("node dist/index.js gateway --port 18789")
        );
        assert_eq!(run.options.name.as_deref(), Some("oc-a"));
        assert_eq!(
            run.options.publish,
            vec![("127.0.0.1:18789:18789".to_string(), 7)]
        );
        assert_eq!(
            run.options.volumes,
            vec![("/srv/a:/home/node/.openclaw".to_string(), 9)]
        );
        assert_eq!(run.elsewhere, None);
    }

    #[test]
    fn short_flags_group_and_take_the_rest_of_their_word() {
        let run = parse(&words(
            "docker run -dit -p8080:80 -dp 9090:90 -eA=1 -e B --publish=7070:70 --rm=true img",
        ))
        .unwrap();
        let published: Vec<&str> = run
            .options
            .publish
            .iter()
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(published, ["8080:80", "9090:90", "7070:70"]);
        let env: Vec<&str> = run.options.env.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(env, ["A=1", "B"]);
        assert_eq!(run.image, "img");
        assert!(run.command.is_empty());
    }

    #[test]
    fn flags_after_the_image_are_the_command() {
        let run = parse(&words("podman container run --replace img gateway -p 1:1")).unwrap();
        assert_eq!(run.cli, Cli::Podman);
        assert_eq!(run.image, "img");
        assert_eq!(run.command, words("gateway -p 1:1"));
        assert!(run.options.publish.is_empty());
        // Docker has no `--replace`: it takes `img` as its value.
        let docker = parse(&words("docker run --replace img gateway")).unwrap();
        assert_eq!(docker.image, "gateway");
    }

    #[test]
    fn another_host_is_said_and_this_one_is_not() {
        let remote = parse(&words("docker -H ssh://ops@box run img")).unwrap();
        assert_eq!(remote.elsewhere.as_deref(), Some("-H"));
        let local = parse(&words("docker --host=unix:///run/docker.sock run img")).unwrap();
        assert_eq!(local.elsewhere, None);
        let remote = parse(&words("podman --remote run img")).unwrap();
        assert_eq!(remote.elsewhere.as_deref(), Some("--remote"));
    }

    #[test]
    fn not_a_run_line() {
        for line in [
            "docker start -a oc",
            "docker compose up",
            "docker run --rm",
            "dockerd run img",
            "docker run -p",
        ] {
            assert_eq!(parse(&words(line)), None, "{line}");
        }
    }

    /// The CLI's env file: white space before a name dropped, comments and empty lines
    /// skipped, the value as written (quotes kept), a bare name passed through, a name with
    /// white space in it refused; each with its place.
    #[test]
    fn env_file_lines_are_the_clis() {
        let text = "\u{feff}A=1\n  # note\n\n  B=\"two words\" \nC\nBAD NAME=x\n";
        let lines = env_file_lines(text);
        let got: Vec<(&str, Option<&str>, &str)> = lines
            .iter()
            .map(|(k, v, span)| (k.as_str(), v.as_deref(), &text[span.start()..span.end()]))
            .collect();
        assert_eq!(
            got,
            [
                ("A", Some("1"), "A=1"),
                ("B", Some("\"two words\" "), "B=\"two words\" "),
                ("C", None, "C"),
            ]
        );
    }

    #[test]
    fn mount_options_as_docker_reads_them() {
        let bind =
            mount_option("type=bind,source=/srv/a,target=/home/node/.openclaw,readonly").unwrap();
        assert_eq!(
            (
                bind.kind,
                bind.source.as_str(),
                bind.target.as_str(),
                bind.read_only
            ),
            (VolumeKind::Bind, "/srv/a", "/home/node/.openclaw", true)
        );
        let volume = mount_option("src=oc-data,dst=/home/node/.openclaw/,ro=false").unwrap();
        assert_eq!(
            (volume.kind, volume.target.as_str(), volume.read_only),
            (VolumeKind::Volume, "/home/node/.openclaw", false)
        );
        assert!(mount_option("type=bind,target=/x").is_err());
        assert!(mount_option("type=bind,source=/x").is_err());
    }

    #[test]
    fn podman_splits_publish_at_commas_and_docker_does_not() {
        let podman = parse(&words("podman run -p 1:1,2:2 img")).unwrap();
        assert_eq!(podman.options.publish.len(), 2);
        let docker = parse(&words("docker run -p 1:1,2:2 img")).unwrap();
        assert_eq!(docker.options.publish.len(), 1);
    }

    /// Words are placed on the line in order; from the first one not written as it reads
    /// (an escape), the rest point at the whole line.
    #[test]
    fn words_are_placed_until_one_is_not_found() {
        let text = "docker run -p 1:1 -e A\\x3d1 -v /a:/b img";
        let argv = words("docker run -p 1:1 -e A=1 -v /a:/b img");
        let line = Loc {
            file: crate::source::FileId(0),
            span: Span::new(100, 100 + text.len()),
        };
        let env = Env::new();
        let site = RunSite {
            file: Path::new("/u.service"),
            service: "u.service",
            loc: line,
            text: Some(text),
            written: None,
            cwd: Path::new("/"),
            place: &|raw| PathBuf::from(raw),
            client_env: &env,
            host_home: Path::new("/home/u"),
            word_locs: None,
        };
        let places = WordPlaces::of(&argv, &site);
        assert_eq!(places.value_at(3, "1:1").span, Span::new(114, 117));
        assert_eq!(places.value_at(5, "A=1"), line);
        assert_eq!(places.value_at(7, "/a:/b"), line);
    }

    #[test]
    fn publish_all_is_a_flag() {
        let run = parse(&words("docker run -P img")).unwrap();
        assert!(run.options.publish_all);
        let run = parse(&words("docker run --publish-all=false img")).unwrap();
        assert!(!run.options.publish_all);
    }
}
