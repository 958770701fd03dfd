//! A gateway in a container resolves in the container's namespace (its `HOME`, its working
//! dir, its environment) and is then seen from the host: every path through the mounts
//! (a bind mount's host dir, a named volume, or the container's private file system), and
//! its listeners stay in the container unless it shares the host's network.

use super::{Instance, Origin, PortKind, Sourced, Unverifiable};
use crate::container::{Container, HostPath};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Where to read a container path on the host. A path no mount carries is in the
/// container's own file system, which clawlint cannot read. A native gateway's path is
/// borrowed as it is (most gateways of a host run natively).
pub fn read_path<'a>(container: Option<&Container>, path: &'a Path) -> Cow<'a, Path> {
    match container {
        None => Cow::Borrowed(path),
        Some(c) => Cow::Owned(match c.host_path(path) {
            HostPath::Bind(host, _) => host,
            HostPath::Volume(..) | HostPath::Private => c.private_path(path),
        }),
    }
}

/// Whether a path exists as the gateway sees it. In a container: a mount point, or a dir on
/// the way to one, exists (the runtime makes it); a path under a bind mount exists when its
/// host path does; a named volume's and the image's own files cannot be seen and count as
/// absent. Never looked up on this host under the container's own path, which names nothing
/// of the layout (and may exist here by chance, e.g. `/home/node` when clawlint runs in a
/// Node image).
pub fn exists(container: Option<&Container>, path: &Path) -> bool {
    let Some(c) = container else {
        return crate::paths::host::exists(path);
    };
    if (c.mounts.iter()).any(|m| crate::paths::below(path, m.target()).is_some()) {
        return true;
    }
    match c.host_path(path) {
        HostPath::Bind(host, _) => crate::paths::host::exists(&host),
        HostPath::Volume(..) | HostPath::Private => false,
    }
}

fn map(c: &Container, value: &mut Sourced<PathBuf>) {
    match c.host_path(&value.value) {
        HostPath::Bind(host, mount) | HostPath::Volume(host, mount) => {
            // The container path and its origin move into the mounted origin, uncopied.
            let container_path = std::mem::replace(&mut value.value, host);
            let base = std::mem::replace(&mut value.origin, Origin::Default("".into()));
            value.origin = Origin::mounted(base, container_path, mount.loc);
        }
        HostPath::Private => value.value = c.private_path(&value.value),
    }
}

fn map_plain(c: &Container, path: &mut PathBuf) {
    *path = match c.host_path(path) {
        HostPath::Bind(host, _) | HostPath::Volume(host, _) => host,
        HostPath::Private => c.private_path(path),
    };
}

/// What a container gateway resolves below a mount left out (CL409: its host dir depends on
/// what clawlint cannot see): its state dir and config are not guessed (the container's own
/// file system is no answer either), nor a port such a config may set (no argument or
/// variable sets it), as for a native gateway (`maybe_set_unverifiable`). Asked on the
/// container's own paths, before [`host_view`].
pub fn hidden_by_mounts(instance: &Instance, c: &Container) -> Vec<Unverifiable> {
    let Some(unseen) = &c.unseen_values else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if unseen.hides(&instance.state_dir.value) {
        out.push(Unverifiable::StateDir);
    }
    if unseen.hides(&instance.config_path.value) {
        out.push(Unverifiable::ConfigPath);
        let port_from_config = !matches!(
            instance.port_kind,
            PortKind::Argument | PortKind::ServiceArgument | PortKind::Env
        );
        if port_from_config {
            out.push(Unverifiable::Port);
        }
    }
    out
}

/// Rewrites a container gateway's paths and listeners as the host sees them, and keeps the
/// container on it: moved from the invocation, not copied (a copy of its mounts, ports and
/// names per container gateway, the invocation's dropped right after). Its lists are
/// tightened, as every list an instance keeps to the end of the run is (`collections::exact`).
pub fn host_view(instance: &mut Instance, mut container: Box<Container>) {
    let c = &*container;
    map(c, &mut instance.config_path);
    map(c, &mut instance.state_dir);
    map(c, &mut instance.workspace);
    map(c, &mut instance.log_file);
    map_plain(c, &mut instance.lock_dir);
    for agent in &mut instance.agents {
        map(c, &mut agent.workspace);
        map(c, &mut agent.agent_dir);
    }
    for (_, dir) in &mut instance.data_dirs {
        map(c, dir);
    }
    if !c.on_host_network() {
        instance.container_listeners = std::mem::take(&mut instance.listeners);
    }
    instance.home = c.host_home.clone();
    instance.os_home = c.host_home.clone();
    tighten(&mut container);
    instance.container = Some(container);
}

/// Gives up the slots a container's lists grew into and do not use (discovery built them by
/// pushing; a clone had none).
fn tighten(c: &mut Container) {
    use crate::collections::exact;
    exact(&mut c.published);
    exact(&mut c.mounts);
    exact(&mut c.env_files);
    exact(&mut c.other_runs);
    exact(&mut c.name_clashes);
    exact(&mut c.drop_ins);
}
