//! Discovery: which gateways exist on the host, and how each is started.

pub mod home;
pub mod launchd;
pub mod manifest;
pub mod services;
pub mod systemd;
pub mod windows;

use crate::load::env::Env;
use crate::load::Problem;
use crate::paths::{absolute, canonical_key};
use crate::resolve::{resolve_instance, Discovery, Instance, Invocation, Origin, Sourced};
use crate::source::{Loc, SourceMap};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Home directories to scan (`--home`, default `$HOME`): state dirs and user services.
    pub homes: Vec<PathBuf>,
    /// The file system root whose system unit dirs are scanned (`--root`).
    pub root: Option<PathBuf>,
    /// Config files named on the command line.
    pub config_files: Vec<PathBuf>,
    /// Gateways declared in clawlint.toml, with the directory their paths are relative to.
    pub declared: Vec<(crate::config::InstanceDecl, PathBuf)>,
}

/// Every gateway found, resolved, with the files they were read from.
pub struct Inventory {
    pub sources: SourceMap,
    pub instances: Vec<Instance>,
    /// Problems with files that belong to no gateway (a unit that cannot be read).
    pub problems: Vec<Problem>,
    /// Canonical keys of every path the rules compare, computed once.
    pub path_keys: crate::paths::PathKeys,
}

pub fn discover(inputs: &Inputs) -> Inventory {
    // Absolute from here on, as OpenClaw's paths are; output shows them relative again.
    let homes: Vec<PathBuf> = inputs.homes.iter().map(|h| absolute(h)).collect();
    let root = inputs.root.as_deref().map(absolute);
    let main_home = homes.first().map(PathBuf::as_path);
    let mut invocations = Vec::new();
    for home in &homes {
        for mut inv in home::scan(home) {
            if homes.len() > 1 {
                inv.name = format!("{}/{}", home_label(home), inv.name);
            }
            invocations.push(inv);
        }
    }
    for file in &inputs.config_files {
        invocations.push(config_file_invocation(&absolute(file), main_home));
    }
    let mut declared_services = Vec::new();
    for (decl, base) in &inputs.declared {
        let inv = manifest::invocation(decl, &absolute(base), main_home);
        match &decl.service {
            // A declared service file says how this gateway starts: read it like a scanned one.
            Some(service) => declared_services.push((inv, absolute(&base.join(service)))),
            None => invocations.push(inv),
        }
    }
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    let mut unlisted = Vec::new();
    let mut instances = resolve_all(&invocations, &mut sources);
    let mut by_state_dir: HashMap<PathBuf, usize> = HashMap::new();
    for (index, instance) in instances.iter().enumerate() {
        by_state_dir
            .entry(canonical_key(&instance.state_dir.value))
            .or_insert(index);
    }
    let mut found: Vec<(PathBuf, PathBuf, &str, Option<String>)> =
        supervisors(&homes, root.as_deref(), &mut unlisted)
            .into_iter()
            .map(|(home, file, kind)| (home, file, kind, None))
            .collect();
    for (inv, file) in &declared_services {
        let kind = if file.extension().is_some_and(|e| e == "plist") {
            "launchd"
        } else {
            "systemd-system"
        };
        found.push((inv.home.clone(), file.clone(), kind, Some(inv.name.clone())));
    }
    for (dir, reason) in unlisted {
        let err = crate::load::read::ReadError::Io(format!("cannot list the directory: {reason}"));
        problems.push(crate::load::unreadable(&mut sources, &dir, &err));
    }
    for (home, file, kind, declared_name) in found {
        let Some(mut inv) = services::invocation(
            &file,
            kind,
            &home,
            root.as_deref(),
            &mut sources,
            &mut problems,
        ) else {
            continue;
        };
        if let Some(name) = declared_name {
            inv.name = name;
        } else if homes.len() > 1 && kind != "systemd-system" {
            inv.name = format!("{}/{}", home_label(&home), inv.name);
        }
        let instance = resolve_instance(&inv, &mut sources);
        merge_service(instance, &mut instances, &mut by_state_dir);
    }
    let path_keys = crate::resolve::path_keys(&instances);
    Inventory {
        sources,
        instances,
        problems,
        path_keys,
    }
}

/// A supervisor whose name is the one OpenClaw gives its state dir's profile.
fn is_native(instance: &Instance) -> bool {
    let dir_name = instance
        .state_dir
        .value
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let profile = match dir_name {
        ".openclaw" => None,
        other => other.strip_prefix(".openclaw-"),
    };
    let expected = crate::resolve::paths::service_names(profile);
    instance.service.as_ref().is_some_and(|s| {
        s.name == expected.systemd_unit
            || s.name == expected.launchd_label
            || s.name == expected.windows_task
    })
}

/// A home's last path component, to tell gateways of several homes apart.
fn home_label(home: &Path) -> String {
    home.file_name().map_or_else(
        || home.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// User services of each home, then the system's (read once, with the first home).
fn supervisors(
    homes: &[PathBuf],
    root: Option<&Path>,
    unlisted: &mut Vec<(PathBuf, String)>,
) -> Vec<(PathBuf, PathBuf, &'static str)> {
    let mut out = Vec::new();
    for (i, home) in homes.iter().enumerate() {
        let root = if i == 0 { root } else { None };
        for (file, kind) in services::service_files(home, root, unlisted) {
            out.push((home.clone(), file, kind));
        }
    }
    out
}

fn resolve_all(invocations: &[Invocation], sources: &mut SourceMap) -> Vec<Instance> {
    let mut instances: Vec<Instance> = Vec::new();
    // A config file named on the command line that the home scan already found is the same
    // gateway; everything else, even sharing a config, is a gateway of its own.
    let mut scanned_configs = HashSet::new();
    for inv in invocations {
        let instance = resolve_instance(inv, sources);
        match instance.discovery {
            Discovery::HomeDir(_) => {
                scanned_configs.insert(instance.config_path.value.clone());
            }
            Discovery::ConfigArg(_) if scanned_configs.contains(&instance.config_path.value) => {
                continue
            }
            _ => {}
        }
        instances.push(instance);
    }
    instances
}

/// A supervised gateway is the gateway of its state dir: it replaces the scanned one (the
/// unit decides how it really starts) and keeps its name; a second supervisor of the same
/// state dir is recorded on it (CL402).
fn merge_service(
    mut service: Instance,
    instances: &mut Vec<Instance>,
    by_state_dir: &mut HashMap<PathBuf, usize>,
) {
    let key = canonical_key(&service.state_dir.value);
    match by_state_dir.get(&key).copied() {
        Some(index) if instances[index].service.is_none() => {
            service.name = instances[index].name.clone();
            instances[index] = service;
        }
        Some(index) => {
            // The supervisor named for this state dir's profile describes the gateway; a
            // copied or legacy one is the extra.
            if is_native(&service) && !is_native(&instances[index]) {
                let existing = std::mem::replace(&mut instances[index], service);
                let name = existing.name.clone();
                instances[index].name = name;
                instances[index].other_services.extend(existing.service);
                instances[index]
                    .other_services
                    .extend(existing.other_services);
            } else if let Some(file) = service.service.take() {
                instances[index].other_services.push(file);
            }
        }
        None => {
            let profile = service
                .profile
                .as_ref()
                .map_or("default", |p| p.value.as_str());
            if !instances.iter().any(|i| i.name == profile) {
                service.name = profile.to_string();
            }
            by_state_dir.insert(key, instances.len());
            instances.push(service);
        }
    }
}

/// A config file given on the command line. Inside a profile dir (`.openclaw-<p>`) it is
/// that profile's gateway; anywhere else it is a gateway whose state dir is the file's dir.
fn config_file_invocation(file: &Path, home: Option<&Path>) -> Invocation {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some((profile, owner_home)) = home::profile_of_dir(dir_name).zip(dir.parent()) {
        let mut inv = home::invocation(owner_home, profile.as_deref());
        inv.discovery = Discovery::ConfigArg(file.to_path_buf());
        if file.file_name().is_some_and(|n| n != "openclaw.json") {
            set_given(&mut inv.env, "OPENCLAW_CONFIG_PATH", file);
        }
        return inv;
    }
    let home = home
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.to_path_buf());
    let mut inv = home::invocation(&home, None);
    inv.name = crate::paths::display_path(file);
    inv.discovery = Discovery::ConfigArg(file.to_path_buf());
    set_given(&mut inv.env, "OPENCLAW_STATE_DIR", dir);
    set_given(&mut inv.env, "OPENCLAW_CONFIG_PATH", file);
    inv
}

/// The gateway port a command line gives (the last valid `--port N` or `--port=N`, read by
/// [`crate::openclaw::port_from_args`]), for every supervisor and the manifest alike. `loc` is
/// the command line in its file, when there is one.
pub(crate) fn port_arg(argv: &[String], loc: Option<Loc>) -> Option<Sourced<u16>> {
    let (port, _) = crate::openclaw::port_from_args(argv)?;
    Some(Sourced::new(
        port,
        Origin::Cli {
            arg: format!("--port {port}"),
            loc,
        },
    ))
}

fn set_given(env: &mut Env, name: &str, path: &Path) {
    use crate::load::env::EnvOrigin;
    env.set(name, path.display().to_string(), EnvOrigin::Given);
}
