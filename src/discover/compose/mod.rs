//! Compose projects: the services of `compose.yaml` (plus its override file) that run an
//! OpenClaw gateway, each as an invocation whose container says what reaches the host.
//!
//! Values are read as `docker compose` would read them: interpolated from the project's
//! `.env` (the shell that runs compose is not visible, so a variable missing there is
//! reported), `environment` over `env_file`, the short and long syntaxes of `ports` and
//! `volumes`, and the OpenClaw image's defaults (`HOME=/home/node`, working dir `/app`,
//! `node openclaw.mjs gateway --allow-unconfigured`) when the service does not override them.

pub mod interpolate;
pub mod spec;

use crate::container::{
    Container, Engine, HostAddr, Mount, MountSource, Network, Published, ServiceProfiles,
};
use crate::invocation::{Discovery, Invocation, Origin, Sourced};
use crate::load::env::{Env, EnvOrigin};
use crate::load::json5::Span;
use crate::load::read::{read_text_lossy, ReadError, SMALL_FILE_LIMIT};
use crate::load::yaml::{self, Node, Value};
use crate::load::{dotenv, unreadable, Problem, ProblemKind};
use crate::source::{FileId, Loc, SourceMap};
use interpolate::{interpolate, Interpolated};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The names `docker compose` looks for, in its order of preference.
pub const FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The OpenClaw image's defaults (its Dockerfile: `WORKDIR /app`, `USER node`, and
/// `CMD ["node", "openclaw.mjs", "gateway", "--allow-unconfigured"]`).
pub const IMAGE_HOME: &str = "/home/node";
pub const IMAGE_WORKDIR: &str = "/app";
pub const IMAGE_CMD: [&str; 4] = ["node", "openclaw.mjs", "gateway", "--allow-unconfigured"];

/// How far the scan descends, and how many directory entries it looks at in all.
pub const SCAN_DEPTH: usize = 3;
pub const SCAN_ENTRY_BUDGET: usize = 50_000;

/// The compose file of a directory, if it has one (the first name in Compose's order).
pub fn project_file(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Compose files under `dirs`, at most [`SCAN_DEPTH`] levels down, skipping hidden dirs,
/// `node_modules` and the gateways' own state dirs. Never a whole-disk walk.
pub fn scan(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut budget = SCAN_ENTRY_BUDGET;
    for dir in dirs {
        let walker = walkdir::WalkDir::new(dir)
            .max_depth(SCAN_DEPTH)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || !(e.file_name().to_string_lossy().starts_with('.')
                        || e.file_name() == "node_modules"
                        || e.file_name() == "proc"
                        || e.file_name() == "sys")
            });
        for entry in walker.filter_map(Result::ok) {
            if budget == 0 {
                return found;
            }
            budget -= 1;
            if entry.file_type().is_dir() {
                if let Some(file) = project_file(entry.path()) {
                    if !found.contains(&file) {
                        found.push(file);
                    }
                }
            }
        }
    }
    found
}

/// Where paths in a compose file land: `~` is the home that runs compose, and absolute
/// paths are read under `--root` when one is given (a copied host layout).
#[derive(Debug, Clone)]
pub struct HostContext<'a> {
    pub home: &'a Path,
    pub root: Option<&'a Path>,
}

impl HostContext<'_> {
    pub fn host_path(&self, raw: &str, base: &Path) -> PathBuf {
        let given = Path::new(raw);
        // Already a path of this layout (a specifier like `%h` expanded to the scanned home).
        if given.starts_with(self.home)
            || self
                .root
                .is_some_and(|r| r != Path::new("/") && given.starts_with(r))
        {
            return crate::paths::normalize(given);
        }
        let path = if raw == "~" {
            self.home.to_path_buf()
        } else if let Some(rest) = raw.strip_prefix("~/") {
            self.home.join(rest)
        } else if raw.starts_with('/') {
            match self.root {
                Some(root) if root != Path::new("/") => root.join(raw.trim_start_matches('/')),
                _ => PathBuf::from(raw),
            }
        } else {
            base.join(raw)
        };
        crate::paths::normalize(&path)
    }
}

/// A compose project as read.
pub struct Project {
    pub dir: PathBuf,
    pub name: String,
    pub invocations: Vec<Invocation>,
}

/// Reads one compose project (its files, the `.env` beside the first) and returns the
/// gateways it runs. One file is read with its override file (`compose.override.yaml`
/// beside it), as `docker compose` does with no `-f`; several files are merged in order,
/// each on top of the ones before, as `docker compose -f a.yml -f b.yml` does (then no
/// override file is added). Problems (syntax, a YAML bomb, a missing `env_file`, a
/// variable `.env` does not set) are located and collected; nothing here panics or stops
/// the scan.
pub fn read_project(
    given: &[PathBuf],
    host: &HostContext,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Project {
    let Some(file) = given.first() else {
        return Project {
            dir: PathBuf::new(),
            name: String::new(),
            invocations: Vec::new(),
        };
    };
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let project_env = read_project_env(&dir, sources, problems);
    let mut files = given.to_vec();
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if given.len() == 1 && FILE_NAMES.contains(&file_name) {
        if let Some(over) = OVERRIDE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
        {
            files.push(over);
        }
    }
    let hint = env_file_hint(&dir);
    let mut reader = Reader {
        env: &project_env,
        hint: hint.as_deref(),
        problems: Vec::new(),
    };
    let mut services: BTreeMap<String, ServiceSpec> = BTreeMap::new();
    let mut top_name: Option<String> = None;
    for path in &files {
        let Some((id, root)) = load(path, sources, problems) else {
            continue;
        };
        if let Some(name) = root.get("name").and_then(|n| reader.string(id, n)) {
            top_name = Some(name);
        }
        let Some(list) = root.get("services") else {
            continue;
        };
        for (key, body) in list.entries() {
            let Some(name) = key.as_str() else { continue };
            let spec = reader.service(id, key, body);
            match services.get_mut(name) {
                Some(existing) => existing.merge(spec),
                None => {
                    services.insert(name.to_string(), spec);
                }
            }
        }
    }
    let name = project_env
        .get("COMPOSE_PROJECT_NAME")
        .map(|(v, _)| v.clone())
        .or(top_name)
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let name = normalize_project_name(&name);
    let mut invocations = Vec::new();
    for (service, spec) in &services {
        if let Some(inv) = gateway_invocation(
            &name,
            service,
            spec,
            &dir,
            host,
            sources,
            &mut reader,
            &services,
        ) {
            invocations.push(inv);
        }
    }
    problems.append(&mut reader.problems);
    Project {
        dir,
        name,
        invocations,
    }
}

/// One of a service's profiles is enabled by `COMPOSE_PROFILES` in the project's `.env`
/// (comma-separated; `*` enables every profile). A service with `profiles: []` has none.
fn profiles_active(names: &[String], project_env: &BTreeMap<String, (String, Loc)>) -> bool {
    if names.is_empty() {
        return true;
    }
    let Some((enabled, _)) = project_env.get("COMPOSE_PROFILES") else {
        return false;
    };
    enabled
        .split(',')
        .map(str::trim)
        .any(|p| p == "*" || names.iter().any(|n| n == p))
}

/// Compose lowercases the project name and keeps `a-z0-9_-`.
fn normalize_project_name(raw: &str) -> String {
    raw.to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

fn load(
    path: &Path,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Option<(FileId, Node)> {
    let (text, bad) = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok(read) => read,
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            return None;
        }
    };
    let parsed = yaml::parse(&text);
    let file = sources.add(path, text, None);
    if let Some(offset) = bad {
        problems.push(crate::load::not_utf8(sources, path, offset));
    }
    match parsed {
        Ok(root) => {
            let shown = crate::redact::scan::compose_yaml(&sources.file(file).text, &root);
            sources.show(file, shown);
            Some((file, root))
        }
        Err(err) => {
            // Nothing parsed: the file stays masked whole.
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: format!("invalid compose file: {}", err.message),
                loc: Some(Loc {
                    file,
                    span: err.span,
                }),
            });
            None
        }
    }
}

/// The project `.env`: values for interpolation only (not the containers' environment).
fn read_project_env(
    dir: &Path,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, (String, Loc)> {
    let mut out = BTreeMap::new();
    for (key, value, loc) in read_env_file(&dir.join(".env"), false, sources, problems) {
        out.insert(key, (value, loc));
    }
    out
}

/// A dotenv-format file's assignments (last one wins), registered with its secrets masked.
fn read_env_file(
    path: &Path,
    required: bool,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String, Loc)> {
    let text = match read_text_lossy(path, SMALL_FILE_LIMIT) {
        Ok((text, _)) => text,
        Err(ReadError::Missing) if !required => return Vec::new(),
        Err(err) => {
            problems.push(unreadable(sources, path, &err));
            return Vec::new();
        }
    };
    let parsed = dotenv::parse(&text);
    let shown = crate::redact::scan::env_lines(&text);
    let file = sources.add(path, text, None);
    sources.show(file, shown);
    parsed
        .effective()
        .into_iter()
        .map(|e| (e.key.clone(), e.value.clone(), Loc { file, span: e.span }))
        .collect()
}

/// `--env-file` named in a script or Makefile of the project: the variables compose really
/// uses may come from there, which clawlint does not read.
fn env_file_hint(dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file()
                && (name.ends_with(".sh")
                    || name == "Makefile"
                    || name == "justfile"
                    || FILE_NAMES.contains(&name))
        })
        .collect();
    names.sort();
    for path in names.into_iter().take(64) {
        let Ok(text) = crate::load::read::read_text(&path, 256 * 1024) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if let Some(at) = line.find("--env-file") {
                let arg = line[at + "--env-file".len()..]
                    .trim_start_matches(['=', ' '])
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(['"', '\'']);
                return Some(format!(
                    "{}:{} runs compose with --env-file {arg}, which clawlint does not read",
                    crate::paths::display_path(&path),
                    n + 1
                ));
            }
        }
    }
    None
}

/// One service as written in one file (several files merge).
#[derive(Debug, Clone, Default)]
struct ServiceSpec {
    key: Option<Loc>,
    image: Option<String>,
    container_name: Option<String>,
    command: Option<(Vec<String>, Loc)>,
    entrypoint: Option<(Vec<String>, Loc)>,
    network_mode: Option<(String, Loc)>,
    working_dir: Option<String>,
    ports: Vec<Published>,
    /// Entries with a port Docker chooses at start: nothing fixed to compare.
    volumes: Vec<(spec::VolumeSpec, Loc)>,
    environment: Vec<(String, Option<String>, Loc)>,
    env_files: Vec<(String, bool, Loc)>,
    /// `profiles:` and where.
    profiles: Option<(Vec<String>, Loc)>,
}

impl ServiceSpec {
    /// An override file's service on top of the base's, as Compose merges them: scalars
    /// and commands replace, `ports` and `env_file` append, `environment` merges by name,
    /// `volumes` merge by container path.
    fn merge(&mut self, over: ServiceSpec) {
        self.key = self.key.or(over.key);
        if over.image.is_some() {
            self.image = over.image;
        }
        if over.container_name.is_some() {
            self.container_name = over.container_name;
        }
        if over.command.is_some() {
            self.command = over.command;
        }
        if over.entrypoint.is_some() {
            self.entrypoint = over.entrypoint;
        }
        if over.network_mode.is_some() {
            self.network_mode = over.network_mode;
        }
        if over.working_dir.is_some() {
            self.working_dir = over.working_dir;
        }
        for p in over.ports {
            if !self.ports.iter().any(|q| same_publish(q, &p)) {
                self.ports.push(p);
            }
        }
        for v in over.volumes {
            self.volumes.retain(|(old, _)| old.target != v.0.target);
            self.volumes.push(v);
        }
        for e in over.environment {
            self.environment.retain(|(k, _, _)| *k != e.0);
            self.environment.push(e);
        }
        self.env_files.extend(over.env_files);
        if over.profiles.is_some() {
            self.profiles = over.profiles;
        }
    }
}

fn same_publish(a: &Published, b: &Published) -> bool {
    a.host_addr == b.host_addr
        && a.host_port == b.host_port
        && a.container_port == b.container_port
        && a.protocol == b.protocol
}

struct Reader<'a> {
    env: &'a BTreeMap<String, (String, Loc)>,
    hint: Option<&'a str>,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn interpolate(&mut self, file: FileId, node: &Node, text: &str) -> Interpolated {
        let env = self.env;
        let got = interpolate(text, &|name| env.get(name).map(|(v, _)| v.clone()));
        let loc = Some(Loc {
            file,
            span: node.span,
        });
        let mut seen: Vec<&str> = Vec::new();
        for var in &got.missing {
            if seen.contains(&var.as_str()) {
                continue;
            }
            seen.push(var);
            let mut message = format!(
                "${{{var}}} is not set in the project's .env: docker compose uses an empty string unless the shell that runs it sets {var}"
            );
            if let Some(hint) = self.hint {
                message.push_str(&format!(" ({hint})"));
            }
            self.problems.push(Problem {
                kind: ProblemKind::MissingEnvVar,
                message,
                loc,
            });
        }
        for (var, why) in &got.required {
            let mut message = format!(
                "${{{var}:?...}} has no value in the project's .env: docker compose refuses to start ({why})"
            );
            if let Some(hint) = self.hint {
                message.push_str(&format!(" ({hint})"));
            }
            self.problems.push(Problem {
                kind: ProblemKind::MissingEnvVar,
                message,
                loc,
            });
        }
        if let Some(why) = &got.invalid {
            self.problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!("docker compose rejects this value: {why}"),
                loc,
            });
        }
        got
    }

    /// A scalar, interpolated.
    fn string(&mut self, file: FileId, node: &Node) -> Option<String> {
        let text = node.as_str()?.to_string();
        Some(self.interpolate(file, node, &text).value)
    }

    fn invalid(&mut self, file: FileId, node: &Node, message: String) {
        self.problems.push(Problem {
            kind: ProblemKind::InvalidValue,
            message,
            loc: Some(Loc {
                file,
                span: node.span,
            }),
        });
    }

    /// `command`/`entrypoint`: a list, or a string split the way a shell would.
    fn words(&mut self, file: FileId, node: &Node) -> Option<(Vec<String>, Loc)> {
        let loc = Loc {
            file,
            span: node.span,
        };
        match &node.value {
            Value::Seq(items) => Some((
                items.iter().filter_map(|i| self.string(file, i)).collect(),
                loc,
            )),
            Value::Scalar { .. } => {
                let text = self.string(file, node)?;
                match crate::openclaw::split_shell_words(&text) {
                    Some(words) => Some((words, loc)),
                    None => Some((text.split_whitespace().map(str::to_string).collect(), loc)),
                }
            }
            _ => None,
        }
    }

    fn service(&mut self, file: FileId, key: &Node, body: &Node) -> ServiceSpec {
        let mut spec = ServiceSpec {
            key: Some(Loc {
                file,
                span: key.span,
            }),
            ..ServiceSpec::default()
        };
        spec.image = body.get("image").and_then(|n| self.string(file, n));
        spec.container_name = body
            .get("container_name")
            .and_then(|n| self.string(file, n));
        spec.working_dir = body.get("working_dir").and_then(|n| self.string(file, n));
        spec.command = body.get("command").and_then(|n| self.words(file, n));
        spec.entrypoint = body.get("entrypoint").and_then(|n| self.words(file, n));
        spec.network_mode = body.get("network_mode").and_then(|n| {
            let value = self.string(file, n)?;
            Some((value, Loc { file, span: n.span }))
        });
        if let Some(node) = body.get("profiles") {
            let names: Vec<String> = node
                .items()
                .iter()
                .filter_map(|item| self.string(file, item))
                .collect();
            spec.profiles = Some((
                names,
                Loc {
                    file,
                    span: node.span,
                },
            ));
        }
        if let Some(ports) = body.get("ports") {
            for item in ports.items() {
                spec.ports.extend(self.port(file, item));
            }
        }
        if let Some(volumes) = body.get("volumes") {
            for item in volumes.items() {
                if let Some(v) = self.volume(file, item) {
                    spec.volumes.retain(|(old, _)| old.target != v.0.target);
                    spec.volumes.push(v);
                }
            }
        }
        if let Some(env) = body.get("environment") {
            for (k, v) in env.entries() {
                let Some(name) = k.as_str() else { continue };
                let value = match &v.value {
                    Value::Null => None,
                    _ => self.string(file, v),
                };
                let span = Span {
                    start: k.span.start,
                    end: v.span.end.max(k.span.end),
                };
                spec.environment
                    .push((name.to_string(), value, Loc { file, span }));
            }
            for item in env.items() {
                let Some(text) = self.string(file, item) else {
                    continue;
                };
                let (name, value) = match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (text.clone(), None),
                };
                spec.environment.retain(|(k, _, _)| *k != name);
                spec.environment.push((
                    name,
                    value,
                    Loc {
                        file,
                        span: item.span,
                    },
                ));
            }
        }
        if let Some(files) = body.get("env_file") {
            let items: Vec<&Node> = match &files.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![files],
            };
            for item in items {
                let loc = Loc {
                    file,
                    span: item.span,
                };
                if let Some(path) = self.string(file, item) {
                    spec.env_files.push((path, true, loc));
                } else if let Some(path) = item.get("path").and_then(|p| self.string(file, p)) {
                    let required = item
                        .get("required")
                        .and_then(Node::as_str)
                        .is_none_or(|r| r != "false");
                    spec.env_files.push((path, required, loc));
                }
            }
        }
        spec
    }

    fn port(&mut self, file: FileId, item: &Node) -> Vec<Published> {
        let loc = Loc {
            file,
            span: item.span,
        };
        let parsed = match &item.value {
            Value::Scalar { .. } => {
                let Some(text) = self.string(file, item) else {
                    return Vec::new();
                };
                spec::parse_port(&text)
            }
            Value::Map(_) => self.long_port(file, item),
            _ => Err("a port is a string or a mapping".to_string()),
        };
        match parsed {
            Ok(p) => {
                let host_addr = HostAddr::parse(p.host_ip.as_deref().unwrap_or(""));
                p.pairs()
                    .into_iter()
                    .map(|(host_port, container_port)| Published {
                        host_addr: host_addr.clone(),
                        host_port,
                        container_port,
                        protocol: p.protocol.clone(),
                        loc,
                    })
                    .collect()
            }
            Err(why) => {
                self.invalid(
                    file,
                    item,
                    format!("docker compose rejects this port: {why}"),
                );
                Vec::new()
            }
        }
    }

    /// `{target, published, host_ip, protocol, mode}`.
    fn long_port(&mut self, file: FileId, item: &Node) -> Result<spec::PortSpec, String> {
        let target = item
            .get("target")
            .and_then(|n| self.string(file, n))
            .ok_or("a long-syntax port needs a target")?;
        let container = spec::port_range(&target)?;
        let host = match item.get("published").and_then(|n| self.string(file, n)) {
            Some(p) if !p.is_empty() => Some(spec::port_range(&p)?),
            _ => None,
        };
        let host_ip = item.get("host_ip").and_then(|n| self.string(file, n));
        let protocol = item
            .get("protocol")
            .and_then(|n| self.string(file, n))
            .unwrap_or_else(|| "tcp".to_string())
            .to_ascii_lowercase();
        Ok(spec::PortSpec {
            host_ip,
            host,
            container,
            protocol,
        })
    }

    fn volume(&mut self, file: FileId, item: &Node) -> Option<(spec::VolumeSpec, Loc)> {
        let loc = Loc {
            file,
            span: item.span,
        };
        let parsed = match &item.value {
            Value::Scalar { .. } => {
                let text = self.string(file, item)?;
                spec::parse_volume(&text)
            }
            Value::Map(_) => {
                let kind = item
                    .get("type")
                    .and_then(|n| self.string(file, n))
                    .unwrap_or_else(|| "volume".to_string());
                let source = item
                    .get("source")
                    .and_then(|n| self.string(file, n))
                    .unwrap_or_default();
                let target = item.get("target").and_then(|n| self.string(file, n));
                let read_only = item
                    .get("read_only")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v == "true");
                match target {
                    None => Err("a long-syntax volume needs a target".to_string()),
                    Some(target) => Ok(spec::VolumeSpec {
                        kind: match (kind.as_str(), source.is_empty()) {
                            ("bind", _) => spec::VolumeKind::Bind,
                            ("volume", false) => spec::VolumeKind::Volume,
                            ("tmpfs", _) => spec::VolumeKind::Tmpfs,
                            _ => spec::VolumeKind::Anonymous,
                        },
                        source,
                        target: target.trim_end_matches('/').to_string(),
                        read_only,
                    }),
                }
            }
            _ => Err("a volume is a string or a mapping".to_string()),
        };
        match parsed {
            Ok(v) => Some((v, loc)),
            Err(why) => {
                self.invalid(
                    file,
                    item,
                    format!("docker compose rejects this volume: {why}"),
                );
                None
            }
        }
    }
}

/// Is this an OpenClaw image? (`ghcr.io/openclaw/openclaw`, `openclaw:local`, forks.)
pub fn is_openclaw_image(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    image.contains("openclaw")
        && name
            .split([':', '@'])
            .next()
            .is_some_and(|n| n.contains("openclaw"))
        || image.contains("/openclaw/")
}

/// The command the container runs: Docker's rule is that an `entrypoint` set in compose
/// drops the image's default command.
fn container_argv(spec: &ServiceSpec, openclaw_image: bool) -> (Vec<String>, Option<Loc>) {
    let entry = spec.entrypoint.as_ref();
    let command = spec.command.as_ref();
    let mut argv = Vec::new();
    if let Some((words, _)) = entry {
        argv.extend(words.iter().cloned());
    }
    match command {
        Some((words, _)) => argv.extend(words.iter().cloned()),
        None if entry.is_none() && openclaw_image => {
            argv.extend(IMAGE_CMD.iter().map(|s| s.to_string()))
        }
        None => {}
    }
    (argv, command.or(entry).map(|(_, loc)| *loc))
}

/// `... (openclaw|openclaw.mjs|dist/index.js|dist/entry.js) [root options] gateway [run] ...`.
pub fn runs_gateway(argv: &[String], openclaw_image: bool) -> bool {
    let argv = gateway_words(argv);
    let launcher = argv.iter().position(|a| {
        let base = a.rsplit('/').next().unwrap_or(a);
        base == "openclaw"
            || base == "openclaw.mjs"
            || a.ends_with("dist/index.js")
            || a.ends_with("dist/entry.js")
            || base == "clawdbot"
    });
    let start = match launcher {
        Some(i) => i + 1,
        None if openclaw_image => 0,
        None => return false,
    };
    let Some(g) = argv[start..].iter().position(|a| a == "gateway") else {
        return false;
    };
    // `gateway status`, `gateway install`... are not the gateway itself.
    match argv.get(start + g + 1) {
        Some(next) if !next.starts_with('-') => next == "run",
        _ => true,
    }
}

/// `sh -c "exec node dist/index.js gateway ..."` is the words of the string.
fn gateway_words(argv: &[String]) -> Vec<String> {
    let is_shell = argv.first().is_some_and(|p| {
        let base = p.rsplit('/').next().unwrap_or(p);
        base == "sh" || base == "bash"
    });
    if is_shell {
        if let Some(c) = argv.iter().position(|a| a == "-c") {
            if let Some(words) = argv
                .get(c + 1)
                .and_then(|s| crate::openclaw::split_shell_words(s))
            {
                return words.into_iter().skip_while(|w| w == "exec").collect();
            }
        }
    }
    argv.to_vec()
}

#[allow(clippy::too_many_arguments)]
fn gateway_invocation(
    project: &str,
    service: &str,
    spec: &ServiceSpec,
    dir: &Path,
    host: &HostContext,
    sources: &mut SourceMap,
    reader: &mut Reader,
    all: &BTreeMap<String, ServiceSpec>,
) -> Option<Invocation> {
    let openclaw_image = spec.image.as_deref().is_some_and(is_openclaw_image);
    let (argv, command_loc) = container_argv(spec, openclaw_image);
    if !runs_gateway(&argv, openclaw_image) {
        return None;
    }
    let key = spec.key?;
    let argv = gateway_words(&argv);
    let mut env = Env::new();
    if openclaw_image {
        env.set("HOME", IMAGE_HOME.to_string(), EnvOrigin::Given);
    }
    for (path, required, loc) in &spec.env_files {
        let file = host.host_path(path, dir);
        if !file.is_file() && *required {
            reader.problems.push(Problem {
                kind: ProblemKind::Unreadable,
                message: format!(
                    "env_file {} does not exist: docker compose refuses to start {service} (mark it `required: false` if it is optional)",
                    crate::paths::display_path(&file)
                ),
                loc: Some(*loc),
            });
            continue;
        }
        for (k, v, at) in read_env_file(&file, false, sources, &mut reader.problems) {
            env.set(&k, v, EnvOrigin::Container(at));
        }
    }
    for (k, v, loc) in &spec.environment {
        match v {
            Some(v) => env.set(k, v.clone(), EnvOrigin::Container(*loc)),
            // `- NAME` alone passes the shell's value through, which clawlint cannot see;
            // the project .env does not reach the container this way.
            None => env.remove(k),
        }
    }
    let home = PathBuf::from(env.value("HOME").unwrap_or(IMAGE_HOME));
    let cwd = PathBuf::from(spec.working_dir.as_deref().unwrap_or(IMAGE_WORKDIR));
    let (profile_flag, dev) = crate::openclaw::root_flags(&argv);
    let port_arg = crate::openclaw::port_from_args(&argv).map(|(port, _)| {
        Sourced::new(
            port,
            Origin::Cli {
                arg: format!("--port {port}"),
                loc: command_loc,
            },
        )
    });
    let network = match spec.network_mode.as_ref().map(|(m, _)| m.as_str()) {
        Some("host") => Network::Host,
        Some(other) if other.starts_with("service:") || other.starts_with("container:") => {
            Network::Shared(other.to_string())
        }
        _ => Network::Isolated,
    };
    // A service in another's namespace publishes through that one.
    let published = match &network {
        Network::Shared(mode) => mode
            .strip_prefix("service:")
            .and_then(|s| all.get(s))
            .map(|s| s.ports.clone())
            .unwrap_or_default(),
        _ => spec.ports.clone(),
    };
    let mounts = spec
        .volumes
        .iter()
        .map(|(v, loc)| Mount {
            source: match v.kind {
                spec::VolumeKind::Bind => MountSource::Bind(host.host_path(&v.source, dir)),
                spec::VolumeKind::Volume => MountSource::Volume(format!("{project}_{}", v.source)),
                _ => MountSource::Private,
            },
            target: PathBuf::from(&v.target),
            read_only: v.read_only,
            loc: *loc,
        })
        .collect();
    let name = spec
        .container_name
        .clone()
        .unwrap_or_else(|| format!("{project}-{service}-1"));
    let file = sources.file(key.file).path.clone();
    Some(Invocation {
        written_home: None,
        name: name.clone(),
        discovery: Discovery::Container(file.clone()),
        home,
        cwd,
        profile_flag,
        dev,
        env,
        port_arg,
        service: None,
        container: Some(Box::new(Container {
            engine: Engine::Compose,
            name,
            service: service.to_string(),
            file,
            loc: key,
            image: spec.image.clone(),
            network,
            published,
            mounts,
            bind: crate::container::bind_from_args(&argv),
            host_home: host.home.to_path_buf(),
            profiles: spec.profiles.as_ref().map(|(names, loc)| ServiceProfiles {
                names: names.clone(),
                active: profiles_active(names, reader.env),
                loc: *loc,
            }),
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn which_commands_run_a_gateway() {
        assert!(runs_gateway(
            &words("node dist/index.js gateway --bind lan --port 18789"),
            true
        ));
        assert!(runs_gateway(
            &words("node openclaw.mjs gateway --allow-unconfigured"),
            true
        ));
        assert!(runs_gateway(
            &words("openclaw --profile acme gateway run"),
            false
        ));
        assert!(runs_gateway(&words("gateway --port 18789"), true));
        assert!(!runs_gateway(&words("node dist/index.js"), true));
        assert!(!runs_gateway(
            &words("node dist/index.js gateway status"),
            true
        ));
        assert!(!runs_gateway(&words("postgres"), false));
        let sh = vec![
            "sh".to_string(),
            "-c".to_string(),
            "exec node dist/index.js gateway --port 18789".to_string(),
        ];
        assert!(runs_gateway(&sh, true));
    }

    #[test]
    fn openclaw_images() {
        for image in [
            "ghcr.io/openclaw/openclaw:latest",
            "openclaw:local",
            "alpine/openclaw:2026.9.6",
            "registry.example/openclaw-cloud:latest",
        ] {
            assert!(is_openclaw_image(image), "{image}");
        }
        assert!(!is_openclaw_image("postgres:16"));
    }

    #[test]
    fn compose_profiles_follow_the_project_env() {
        let loc = Loc {
            file: crate::source::FileId(0),
            span: Span { start: 0, end: 0 },
        };
        let env =
            |v: &str| BTreeMap::from([("COMPOSE_PROFILES".to_string(), (v.to_string(), loc))]);
        let names = vec!["openclaw".to_string()];
        assert!(
            profiles_active(&[], &BTreeMap::new()),
            "no profiles: always on"
        );
        assert!(!profiles_active(&names, &BTreeMap::new()));
        assert!(profiles_active(&names, &env("web, openclaw")));
        assert!(profiles_active(&names, &env("*")));
        assert!(!profiles_active(&names, &env("web")));
    }

    #[test]
    fn project_names_are_normalized() {
        assert_eq!(normalize_project_name("Acme Stack.v2"), "acmestackv2");
    }
}
