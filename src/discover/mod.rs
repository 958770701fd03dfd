//! Discovery: which gateways exist on the host, and how each is started.

pub mod home;
pub mod launchd;
pub mod manifest;
pub mod systemd;

use crate::load::env::Env;
use crate::paths::absolute;
use crate::resolve::{resolve_instance, Discovery, Instance, Invocation};
use crate::source::SourceMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The home directory to scan (`--home`, default `$HOME`).
    pub home: Option<PathBuf>,
    /// Config files named on the command line.
    pub config_files: Vec<PathBuf>,
    /// Gateways declared in clawlint.toml, with the directory their paths are relative to.
    pub declared: Vec<(crate::config::InstanceDecl, PathBuf)>,
}

/// Every gateway found, resolved, with the files they were read from.
pub struct Inventory {
    pub sources: SourceMap,
    pub instances: Vec<Instance>,
}

pub fn discover(inputs: &Inputs) -> Inventory {
    // Absolute from here on, as OpenClaw's paths are; output shows them relative again.
    let home = inputs.home.as_deref().map(absolute);
    let mut invocations = Vec::new();
    if let Some(home) = &home {
        invocations.extend(home::scan(home));
    }
    for file in &inputs.config_files {
        invocations.push(config_file_invocation(&absolute(file), home.as_deref()));
    }
    for (decl, base) in &inputs.declared {
        invocations.push(manifest::invocation(decl, &absolute(base), home.as_deref()));
    }
    let mut sources = SourceMap::new();
    let mut instances: Vec<Instance> = Vec::new();
    // A config file named on the command line that the home scan already found is the same
    // gateway; everything else, even sharing a config, is a gateway of its own.
    let mut scanned_configs = HashSet::new();
    for inv in &invocations {
        let instance = resolve_instance(inv, &mut sources);
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
    Inventory { sources, instances }
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

fn set_given(env: &mut Env, name: &str, path: &Path) {
    use crate::load::env::EnvOrigin;
    env.set(name, path.display().to_string(), EnvOrigin::Given);
}
