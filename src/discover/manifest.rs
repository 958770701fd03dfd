//! Gateways declared in clawlint.toml (`[[instance]]`): how each is started, when no scan
//! can see it.

use crate::config::InstanceDecl;
use crate::invocation::{Discovery, Invocation};
use crate::load::env::{Env, EnvOrigin};
use crate::paths::resolve;
use std::path::{Path, PathBuf};

/// Paths in the manifest are relative to its directory.
pub fn invocation(decl: &InstanceDecl, base: &Path, scanned_home: Option<&Path>) -> Invocation {
    let at = |p: &PathBuf| resolve(base, p);
    let home = decl
        .home
        .as_ref()
        .map(at)
        .or_else(|| scanned_home.map(Path::to_path_buf))
        .unwrap_or_else(|| base.to_path_buf());
    let mut env = Env::new();
    for (key, value) in &decl.env {
        env.set(key, value.clone(), EnvOrigin::Given);
    }
    if let Some(config) = &decl.config {
        env.set(
            "OPENCLAW_CONFIG_PATH",
            at(config).display().to_string(),
            EnvOrigin::Given,
        );
    }
    Invocation {
        written_home: None,
        name: decl.name.clone(),
        discovery: Discovery::Given,
        cwd: decl.cwd.as_ref().map(at).unwrap_or_else(|| home.clone()),
        home,
        profile_flag: decl.profile.clone(),
        dev: decl.dev,
        env,
        port_arg: super::port_arg(&decl.args, None),
        bind_arg: crate::container::bind_from_args(&decl.args).map(|(b, _)| {
            crate::invocation::Sourced::new(
                b.clone(),
                crate::invocation::Origin::cli(format!("--bind {b}"), None),
            )
        }),
        auth_args: crate::container::gives_auth(&decl.args),
        // What a declaration lists is not known to be the whole command.
        allow_unconfigured: None,
        service: None,
        container: None,
    }
}
