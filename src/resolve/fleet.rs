//! `openclaw fleet` cells as gateways: each row of a host gateway's registry (read by
//! [`crate::load::fleet`]) becomes a container invocation, resolved like any other.
//!
//! What a cell is comes from OpenClaw 2026.9.6 (`cell-profile`, `commands.runtime`): container
//! `openclaw-cell-<tenant>` runs `node dist/index.js gateway --bind lan --port 18789`, publishes
//! only `127.0.0.1:<hostPort>:18789`, and mounts `$S/fleet/cells/<tenant>` at
//! `/home/node/.openclaw` and `$S/fleet/auth-profile-secrets/<tenant>` at
//! `/home/node/.config/openclaw`, with `OPENCLAW_STATE_DIR`, `OPENCLAW_CONFIG_PATH` and
//! `OPENCLAW_WORKSPACE_DIR` pinned under `/home/node/.openclaw`.

use crate::container::{Container, Engine, HostAddr, HostText, Mount, MountSource, Published};
use crate::invocation::{Discovery, Invocation, Origin, Sourced};
use crate::load::env::{Env, EnvLayer, EnvOrigin, EnvVar};
use crate::load::fleet::{read_cells, registry_path, CellRecord, RegistryError, MAX_CELLS};
use crate::load::json5::Span;
use crate::load::{Problem, ProblemKind};
use crate::source::{Loc, SourceMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The port every cell's gateway uses inside its container.
pub const FLEET_GATEWAY_PORT: u16 = 18789;

/// The cells of the fleet whose host gateway has `state_dir`, as invocations.
pub fn invocations(
    state_dir: &Path,
    host_home: &Path,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Vec<Invocation> {
    let path = registry_path(state_dir);
    let cells = match read_cells(&path) {
        Ok(None) => return Vec::new(),
        Ok(Some(cells)) => cells,
        Err(err) => {
            let file = sources.add(&path, String::new(), None);
            problems.push(Problem {
                kind: match err {
                    RegistryError::Unreadable(_) => ProblemKind::Unreadable,
                    RegistryError::Outside(_) => ProblemKind::OutsideLayout,
                    RegistryError::Corrupt(_) => ProblemKind::Unparsable,
                    RegistryError::Budget(_) => ProblemKind::Budget,
                },
                message: format!(
                    "the fleet registry {} cannot be read: {}",
                    crate::paths::display_path(&path),
                    err.message()
                ),
                loc: Some(Loc {
                    file,
                    span: Span::new(0, 0),
                }),
            });
            return Vec::new();
        }
    };
    let file = sources.add(&path, String::new(), None);
    let loc = Loc {
        file,
        span: Span::new(0, 0),
    };
    let mut cells = cells;
    if cells.len() > MAX_CELLS {
        problems.push(Problem {
            kind: ProblemKind::Budget,
            message: format!(
                "the fleet registry {} holds more than {MAX_CELLS} cells: clawlint lints the first {MAX_CELLS} by tenant id and leaves out the rest (from {})",
                crate::paths::display_path(&path),
                cells[MAX_CELLS].tenant_id
            ),
            loc: Some(loc),
        });
        cells.truncate(MAX_CELLS);
    }
    let pinned = std::sync::Arc::new(pinned_env(loc));
    let dirs = FleetDirs::of(state_dir);
    let mut out = Vec::new();
    for cell in cells {
        let Ok(host_port) = u16::try_from(cell.host_port) else {
            problems.push(Problem {
                kind: ProblemKind::InvalidValue,
                message: format!(
                    "fleet cell {} records host port {}, which is not a TCP port",
                    cell.tenant_id, cell.host_port
                ),
                loc: Some(loc),
            });
            continue;
        };
        out.push(cell_invocation(
            &cell, host_port, &dirs, host_home, &path, loc, &pinned,
        ));
    }
    out
}

/// The directories of a fleet under its host gateway's state dir, each cell's below them:
/// joined once per registry, a cell's then one join each.
struct FleetDirs {
    cells: PathBuf,
    secrets: PathBuf,
}

impl FleetDirs {
    fn of(state_dir: &Path) -> FleetDirs {
        let fleet = crate::paths::join(state_dir, "fleet");
        FleetDirs {
            cells: crate::paths::join(&fleet, "cells"),
            secrets: crate::paths::join(&fleet, "auth-profile-secrets"),
        }
    }
}

/// The cell dir as this layout has it: the recorded path was written on the host that ran
/// `fleet create`, so a `.../fleet/cells/<tenant>` path is read under this state dir.
fn data_dir(cell: &CellRecord, dirs: &FleetDirs) -> PathBuf {
    let recorded_here = cell.data_dir.is_empty()
        || Path::new(&cell.data_dir).ends_with(Path::new("fleet/cells").join(&cell.tenant_id));
    if recorded_here {
        crate::paths::join(&dirs.cells, &cell.tenant_id)
    } else {
        PathBuf::from(&cell.data_dir)
    }
}

/// The variables every cell's container pins, set by the registry (`loc`).
fn pinned_env(loc: Loc) -> EnvLayer {
    let pinned = [
        ("HOME", "/home/node"),
        ("OPENCLAW_HOME", "/home/node"),
        ("OPENCLAW_STATE_DIR", "/home/node/.openclaw"),
        ("OPENCLAW_CONFIG_PATH", "/home/node/.openclaw/openclaw.json"),
        ("OPENCLAW_WORKSPACE_DIR", "/home/node/.openclaw/workspace"),
    ];
    let var = |value: &str| EnvVar {
        value: value.to_string(),
        origin: EnvOrigin::Container(loc),
    };
    pinned
        .iter()
        .map(|(k, v)| (k.to_string(), var(v)))
        .collect()
}

fn cell_invocation(
    cell: &CellRecord,
    host_port: u16,
    dirs: &FleetDirs,
    host_home: &Path,
    registry: &Path,
    loc: Loc,
    pinned: &Arc<EnvLayer>,
) -> Invocation {
    // Every cell of a registry pins the same variables, set by the registry: one layer all
    // of them share, not five names and values allocated per cell. Nothing else is set yet,
    // so the layer answers as the variables set one by one would (a later `set` hides it, a
    // `set_default` finds them set).
    let mut env = Env::new();
    env.with_defaults(pinned);
    let name = if cell.container_name.is_empty() {
        format!("openclaw-cell-{}", cell.tenant_id)
    } else {
        cell.container_name.clone()
    };
    let mounts = vec![
        Mount::new(
            MountSource::Bind(data_dir(cell, dirs)),
            PathBuf::from("/home/node/.openclaw"),
            false,
            loc,
        ),
        Mount::new(
            MountSource::Bind(crate::paths::join(&dirs.secrets, &cell.tenant_id)),
            PathBuf::from("/home/node/.config/openclaw"),
            false,
            loc,
        ),
    ];
    Invocation {
        written_home: None,
        name: name.clone(),
        discovery: Discovery::Container(registry.to_path_buf()),
        home: PathBuf::from("/home/node"),
        cwd: PathBuf::from("/app"),
        profile_flag: None,
        dev: false,
        env,
        port_arg: Some(Sourced::new(
            FLEET_GATEWAY_PORT,
            Origin::cli(format!("--port {FLEET_GATEWAY_PORT}"), None),
        )),
        bind_arg: None,
        // Fleet generates each cell's OPENCLAW_GATEWAY_TOKEN (openclaw-facts 6).
        auth_args: true,
        allow_unconfigured: None,
        service: None,
        container: Some(Box::new(Container {
            image: Some(cell.image.clone()),
            published: vec![Published {
                host_addr: HostAddr::Ip("127.0.0.1".to_string()),
                host_port,
                container_port: FLEET_GATEWAY_PORT,
                protocol: "tcp".to_string(),
                loc,
                vars: Vec::new(),
                host_text: HostText::Entry,
            }],
            mounts,
            bind: Some("lan".to_string()),
            host_home: host_home.to_path_buf(),
            ..Container::new(
                Engine::Fleet,
                name,
                cell.tenant_id.clone(),
                registry.to_path_buf(),
                loc,
            )
        })),
    }
}

#[cfg(test)]
mod tests {
    use crate::container::{next_fleet_allocations, FLEET_BASE_PORT};

    #[test]
    fn next_allocations_skip_registered_ports() {
        assert_eq!(
            next_fleet_allocations(&[19100, 19102], 3),
            vec![19101, 19103, 19104]
        );
        assert_eq!(next_fleet_allocations(&[], 1), vec![FLEET_BASE_PORT]);
    }
}
