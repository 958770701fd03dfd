//! The inventory: every gateway discover found, resolved, with a supervisor and the state
//! dir it runs merged into one instance.

use super::verdict::Validation;
use super::{resolve_instance_for, Discovery, Instance, Invocation};
use crate::invocation::Found;
use crate::load::cache::FileCache;
use crate::load::Problem;
use crate::paths::{FastMap as HashMap, FastSet as HashSet};
use crate::paths::{KeyId, PathKeys};
use crate::source::SourceMap;
use crate::validate;
use std::ffi::OsString;

/// Every gateway found, resolved, with the files they were read from.
pub struct Inventory {
    pub sources: SourceMap,
    pub instances: Vec<Instance>,
    /// Problems with files that belong to no gateway (a unit that cannot be read).
    pub problems: Vec<Problem>,
    /// Canonical keys of every path the rules compare, computed once.
    pub path_keys: crate::paths::PathKeys,
    /// Where discover looked for gateways.
    pub searched: Vec<crate::invocation::Searched>,
}

/// Resolves and validates everything discover found. A config file named on the command line
/// that the home scan also found is one gateway; a supervisor that runs a state dir found by
/// the scan takes that gateway's place.
pub fn inventory(found: Found, options: &validate::Options) -> Inventory {
    validate::check::CheckMemo::during(|| resolve_and_validate(found, options))
}

fn resolve_and_validate(found: Found, options: &validate::Options) -> Inventory {
    let Found {
        mut sources,
        invocations,
        supervised,
        mut problems,
        searched,
        release,
    } = found;
    let release = release.as_deref();
    // One cache for the run: a file many gateways read is read and parsed once. Supervisors
    // are resolved after the scanned gateways and read their configs and `.env` files again:
    // without supervisors, those need not outlive their gateway.
    let mut cache = match supervised.is_empty() {
        true => FileCache::dropping_own_files(),
        false => FileCache::new(),
    };
    cache.reserve_configs(invocations.len());
    // Each gateway is validated, and its config tree dropped, as soon as it is final: without
    // supervisors, once it is resolved (nothing replaces it, and the cache keeps none of its
    // files), so that the run holds one tree at a time; with them, after the merge (a
    // supervisor may take its place, and the cache keeps its files for the supervisors).
    let mut validation = Validation::new(options);
    let final_once_resolved = supervised.is_empty();
    let mut instances = resolve_all(
        invocations,
        &mut sources,
        &mut cache,
        release,
        final_once_resolved.then_some(&mut validation),
    );
    // Every canonical key of the run from one memo: each directory is looked up once.
    let mut keys = PathKeys::for_gateways(instances.len() + supervised.len());
    let mut known = Known::with_capacity(instances.len() + supervised.len());
    // A unit, LaunchAgent or task starts a native gateway, never a container's: one whose
    // state dir a container also mounts is a gateway of its own that shares it (CL201), not
    // the container (which it replaced, name and all).
    for (index, instance) in instances.iter().enumerate() {
        if instance.container.is_none() {
            known.add(instance, index, &mut keys);
        }
    }
    // Each supervisor's invocation is freed once its instance is built, as in `resolve_all`.
    let services: Vec<Instance> = supervised
        .into_iter()
        .map(|inv| resolve_instance_for(inv, &mut sources, &mut cache, release))
        .collect();
    // Supervisors that run exactly a scanned gateway (its state dir and its config) claim it
    // first, so that which supervisor a dir's gateway gets never depends on the order the
    // units were listed in.
    let (exact, others): (Vec<Instance>, Vec<Instance>) = services
        .into_iter()
        .partition(|s| known.runs_exactly(s, &mut keys).is_some());
    for service in exact.into_iter().chain(others) {
        merge_service(service, &mut instances, &mut known, &mut keys);
    }
    // Its tables are the size of the run; nothing looks a gateway up past the merge.
    drop(known);
    drop_instance_owned_dirs(&mut instances, &mut keys);
    if !final_once_resolved {
        for instance in &mut instances {
            validation.finish(instance, &sources);
        }
    }
    let cells = fleet_cells(
        &instances,
        &mut sources,
        &mut cache,
        &mut problems,
        &mut keys,
        release,
        &mut validation,
    );
    // Grown by exactly the cells: an instance is large, and `extend` doubles the list's
    // slots (a mixed 10,000-gateway host kept 4,800 empty ones, 6 MB, to the end of the run).
    instances.reserve_exact(cells.len());
    instances.extend(cells);
    // After the cells: a registry in a dir a container also mounts is still read (its cells
    // run whoever runs the dir's gateway).
    drop_container_mounted_dirs(&mut instances, &mut keys);
    // Nothing reads a file past here: what the cache holds goes before the largest table of
    // the run is built, not after it.
    drop(cache);
    let path_keys = super::path_keys(&instances, keys);
    Inventory {
        sources,
        instances,
        problems,
        path_keys,
        searched,
    }
}

/// The cells of every fleet a host gateway keeps in its resolved state dir (each registry read
/// once), resolved like any container gateway and validated (a cell is final once resolved).
/// This follows the merge: only then is each host gateway's state dir the one it really runs.
fn fleet_cells(
    instances: &[Instance],
    sources: &mut SourceMap,
    cache: &mut FileCache,
    problems: &mut Vec<Problem>,
    keys: &mut PathKeys,
    release: Option<&str>,
    validation: &mut Validation,
) -> Vec<Instance> {
    let mut registries: HashSet<OsString> = HashSet::default();
    registries.reserve(instances.len());
    let mut cells = Vec::new();
    for instance in instances.iter().filter(|i| i.container.is_none()) {
        let state_dir = &instance.state_dir.value;
        let registry = crate::load::fleet::registry_path(state_dir);
        if !registries.insert(keys.add(&registry).into_os_string()) {
            continue;
        }
        for inv in super::fleet::invocations(state_dir, &instance.home, sources, problems) {
            let mut cell = resolve_instance_for(inv, sources, cache, release);
            validation.finish(&mut cell, sources);
            cells.push(cell);
        }
    }
    cells
}

/// Consumes the invocations: each one's environment, paths and supervisor are freed as soon as
/// its instance is built, so the next instance's allocations reuse that memory (kept to the
/// end of the inventory, the invocations were 13 MB of a 10,000-gateway run's heap, and the
/// scattered frees stayed resident after it). With `validation`, each gateway kept is
/// validated at once and its config tree freed the same way.
fn resolve_all(
    invocations: Vec<Invocation>,
    sources: &mut SourceMap,
    cache: &mut FileCache,
    release: Option<&str>,
    mut validation: Option<&mut Validation>,
) -> Vec<Instance> {
    // Sized once: an instance is large, and growing by doubling would hold two copies of
    // the list at its peak.
    let mut instances: Vec<Instance> = Vec::with_capacity(invocations.len());
    // A config file named on the command line that the home scan already found is the same
    // gateway; everything else, even sharing a config, is a gateway of its own. The scanned
    // configs are remembered only when a config is named: most runs name none, and the set
    // was a copy of every gateway's config path.
    let configs_named = invocations
        .iter()
        .any(|inv| matches!(inv.discovery, Discovery::ConfigArg(_)));
    let mut scanned_configs = HashSet::default();
    if configs_named {
        scanned_configs.reserve(invocations.len());
    }
    for inv in invocations {
        let mut instance = resolve_instance_for(inv, sources, cache, release);
        match instance.discovery {
            Discovery::HomeDir(_) if configs_named => {
                scanned_configs.insert(instance.config_path.value.clone());
            }
            Discovery::ConfigArg(_) if scanned_configs.contains(&instance.config_path.value) => {
                continue
            }
            _ => {}
        }
        if let Some(validation) = validation.as_deref_mut() {
            validation.finish(&mut instance, sources);
        }
        instances.push(instance);
    }
    instances
}

/// The gateways known so far, by what identifies one: its state dir and its config file.
///
/// Keyed by the numbers of canonical keys ([`PathKeys::add_id`]), not by their bytes: no copy
/// of each key, and a pair of numbers hashed, not two paths.
struct Known {
    /// (state dir, config file) keys: one gateway each.
    by_pair: HashMap<(KeyId, KeyId), usize>,
    /// The first gateway of each state dir.
    by_state_dir: HashMap<KeyId, usize>,
}

impl Known {
    /// Sized for `gateways` up front: grown by doubling, the maps rehashed every key again.
    fn with_capacity(gateways: usize) -> Known {
        let mut known = Known {
            by_pair: HashMap::default(),
            by_state_dir: HashMap::default(),
        };
        known.by_pair.reserve(gateways);
        known.by_state_dir.reserve(gateways);
        known
    }

    fn add(&mut self, instance: &Instance, index: usize, keys: &mut PathKeys) {
        let state = keys.add_id(&instance.state_dir.value);
        let config = keys.add_id(&instance.config_path.value);
        self.by_pair.entry((state.clone(), config)).or_insert(index);
        self.by_state_dir.entry(state).or_insert(index);
    }

    /// The gateway that runs this supervisor's state dir with this supervisor's config.
    fn runs_exactly(&self, service: &Instance, keys: &mut PathKeys) -> Option<usize> {
        if !service.knows(super::Unverifiable::ConfigPath) {
            return None;
        }
        let state = keys.add_id(&service.state_dir.value);
        let config = keys.add_id(&service.config_path.value);
        self.by_pair.get(&(state, config)).copied()
    }

    /// The gateway a supervisor starts: the one with its state dir and config; else the one of
    /// its state dir when that is only a scanned dir nothing supervises yet (the supervisor
    /// decides which config it reads: `OPENCLAW_CONFIG_PATH` moved it, CL205), or when either
    /// config path cannot be known. Two supervisors of one state dir with different configs
    /// are two gateways (that share a state dir: CL201).
    fn started_by(
        &self,
        service: &Instance,
        instances: &[Instance],
        keys: &mut PathKeys,
    ) -> Option<usize> {
        if let Some(index) = self.runs_exactly(service, keys) {
            return Some(index);
        }
        let state = keys.add_id(&service.state_dir.value);
        let index = *self.by_state_dir.get(&state)?;
        let other = &instances[index];
        let unknown_config = !service.knows(super::Unverifiable::ConfigPath)
            || !other.knows(super::Unverifiable::ConfigPath);
        (other.service.is_none() || unknown_config).then_some(index)
    }
}

/// A supervised gateway is the gateway of its state dir and config: it replaces the scanned
/// one (the unit decides how it really starts) and keeps its name; a second supervisor of the
/// same gateway is recorded on it (CL402).
fn merge_service(
    mut service: Instance,
    instances: &mut Vec<Instance>,
    known: &mut Known,
    keys: &mut PathKeys,
) {
    // A gateway whose state dir clawlint cannot know is attached to no scanned one, unless
    // its supervisor names that dir (`OPENCLAW_STATE_DIR`, which a conditional `export` may
    // replace): the dir is then the supervisor's, never also a profile gateway of its own,
    // and its state dir stays unverifiable. Nor is one that crashes on its OPENCLAW_PROFILE
    // attached: it runs no gateway in that dir.
    let crashes = service.crashes_on_profile();
    let named = !matches!(
        service.state_dir.origin,
        crate::invocation::Origin::Default(_)
    );
    let found = known
        .started_by(&service, instances, keys)
        .filter(|_| (service.knows(super::Unverifiable::StateDir) || named) && !crashes);
    // A unit nobody enabled only says how a scanned dir's gateway starts when started: it
    // claims a dir nothing else starts, and is never a gateway of its own nor a second
    // supervisor; an enabled one takes the dir over from it.
    match found {
        Some(index) if not_enabled(&service) && instances[index].service.is_some() => {}
        None if not_enabled(&service) => {}
        Some(index) if not_enabled(&instances[index]) => {
            let claimed = std::mem::replace(&mut instances[index], service);
            instances[index].name = claimed.name;
            instances[index]
                .other_services
                .extend(claimed.other_services);
            instances[index].other_starts.extend(claimed.other_starts);
            known.add(&instances[index], index, keys);
        }
        Some(index) if instances[index].service.is_none() => {
            // The gateway is named for the profile the unit really runs, not for the dir's
            // name (a unit may run profile "ops-2" in ~/.openclaw-ops).
            let scanned = instances[index].name.clone();
            let runs = service.profile.as_ref().map(|p| p.value.clone());
            service.name = match runs {
                Some(p)
                    if p != scanned
                        && !scanned.contains('/')
                        && !instances.iter().any(|i| i.name == p) =>
                {
                    p
                }
                _ => scanned,
            };
            known.add(&service, index, keys);
            instances[index] = service;
        }
        Some(index) => {
            // The supervisor named for this state dir's profile describes the gateway; a
            // copied or legacy one is the extra. A trigger (`gateway start`) never does: the
            // service it starts runs the gateway, with that service's environment.
            let trigger = |i: &Instance| {
                i.service
                    .as_ref()
                    .is_some_and(|s| s.how.starts_installed_service)
            };
            let replaces = match (trigger(&service), trigger(&instances[index])) {
                (false, true) => true,
                (true, false) => false,
                _ => is_native(&service) && !is_native(&instances[index]),
            };
            if replaces {
                let mut existing = std::mem::replace(&mut instances[index], service);
                let gateway = &mut instances[index];
                gateway.name = existing.name.clone();
                let others = std::mem::take(&mut existing.other_services);
                let other_starts = std::mem::take(&mut existing.other_starts);
                add_other_supervisor(gateway, existing);
                gateway.other_services.extend(others);
                gateway.other_starts.extend(other_starts);
            } else {
                add_other_supervisor(&mut instances[index], service);
            }
            // The installed service a `gateway start` starts was read here: its environment,
            // shown as the gateway's, is not unseen.
            if !trigger(&instances[index]) {
                let gateway = &mut instances[index];
                let starts = gateway
                    .other_starts
                    .iter_mut()
                    .filter_map(|i| i.service.as_deref_mut());
                for other in gateway.other_services.iter_mut().chain(starts) {
                    crate::discover::services::installed_env_seen(&mut other.how);
                }
            }
        }
        None => {
            let profile = service
                .profile
                .as_ref()
                .map_or("default", |p| p.value.as_str());
            // An OPENCLAW_PROFILE OpenClaw does not accept as a name is no profile, and no
            // default gateway either (it logs under that name): the gateway keeps its
            // supervisor's name.
            let invalid = service
                .env
                .value("OPENCLAW_PROFILE")
                .is_some_and(crate::openclaw::is_refused_profile_name);
            // One its supervisor gives a state dir, and no profile, is named for the
            // supervisor: "default" would say `~/.openclaw`, and of two instances of one
            // template only the first could be named so.
            let own_dir = named && service.profile.is_none();
            // Scanning several homes, a supervisor's gateway is named under its home
            // (`ana/com.example.claw`), as the homes' own gateways are: so is its profile.
            let name = match service.name.rsplit_once('/') {
                Some((home, _)) => format!("{home}/{profile}"),
                None => profile.to_string(),
            };
            if !invalid
                && !own_dir
                && !instances.iter().any(|i| i.name == name)
                && service.knows(super::Unverifiable::Profile)
            {
                service.name = name;
            }
            if service.knows(super::Unverifiable::StateDir) && !crashes {
                known.add(&service, instances.len(), keys);
            }
            instances.push(service);
        }
    }
}

/// Records `service`, resolved from a further supervisor of `gateway`, on it: the supervisor's
/// file, and, when that supervisor would start the gateway with another profile or port (a
/// template's instances, each with its own `%i`), the gateway as it would start it, so that
/// what is said of that supervisor is said with its own values.
fn add_other_supervisor(gateway: &mut Instance, mut service: Instance) {
    let Some(file) = service.service.as_deref() else {
        return;
    };
    gateway.other_services.push(file.clone());
    let profile_of = |i: &Instance| i.profile.as_ref().map(|p| p.value.clone());
    if profile_of(&service) == profile_of(gateway) && service.port.value == gateway.port.value {
        return;
    }
    // Named for the profile it runs, under its home when several are scanned, as a gateway
    // of its own would be.
    let profile = profile_of(&service).unwrap_or_else(|| "default".to_string());
    service.name = match gateway.name.rsplit_once('/') {
        Some((home, _)) => format!("{home}/{profile}"),
        None => profile,
    };
    // Only the validation step reads the tree, and it validates the gateway's config once.
    service.config_root = None;
    gateway.other_starts.push(service);
}

/// Its supervisor is a unit nobody enabled ([`crate::invocation::ServiceEvidence::not_enabled`]).
fn not_enabled(instance: &Instance) -> bool {
    (instance.service.as_ref()).is_some_and(|s| s.how.not_enabled)
}

/// Directory levels above a per-instance path that may be the scanned dir holding it
/// (`~/.openclaw-aimee/runtime/env` is two below its dir).
const OWN_DIR_DEPTH: usize = 8;

/// A scanned profile dir nothing supervises that holds a template instance's own files (an
/// `EnvironmentFile=` or `WorkingDirectory=` written with `%i`), or the config file a
/// supervisor names in `OPENCLAW_CONFIG_PATH`, is that gateway's dir. When the
/// instance runs another state dir (a drop-in replaced its `ExecStart=`), nothing starts the
/// dir: it is no gateway of its own (no phantom profile gateway on a hash port), and the unit
/// shows it as its own dir in `resolve`. Each path's ancestors are looked up in a map: no
/// pairwise comparison.
fn drop_instance_owned_dirs(instances: &mut Vec<Instance>, keys: &mut PathKeys) {
    // Keyed by canonical keys' bytes, as [`Known`] is; sized up front.
    let mut scanned: HashMap<OsString, usize> = HashMap::default();
    scanned.reserve(instances.len());
    for (index, instance) in instances.iter().enumerate() {
        if is_unsupervised_scan(instance) {
            scanned.insert(keys.add(&instance.state_dir.value).into_os_string(), index);
        }
    }
    if scanned.is_empty() {
        return;
    }
    let mut owned: Vec<(usize, usize, usize)> = Vec::new();
    for (index, instance) in instances.iter().enumerate() {
        let files = instance
            .service
            .iter()
            .map(|s| &**s)
            .chain(&instance.other_services);
        // The config its supervisor names (`OPENCLAW_CONFIG_PATH`) is its own file too: a
        // LaunchAgent running `~/.openclaw-x/openclaw.json` with state in
        // `~/.openclaw-x/state` makes `~/.openclaw-x` no profile gateway of its own.
        let named_config = (instance.service.is_some()
            && matches!(
                instance.config_path.origin,
                crate::invocation::Origin::Env(_)
            ))
        .then_some(&instance.config_path.value);
        for (which, file) in files.enumerate() {
            let config = named_config.filter(|_| which == 0);
            for path in file.how.instance_paths.iter().chain(config) {
                let holder = path
                    .ancestors()
                    .take(OWN_DIR_DEPTH)
                    .find_map(|dir| scanned.get(keys.add(dir).as_os_str()).copied());
                if let Some(dir) = holder.filter(|&dir| dir != index) {
                    owned.push((index, which, dir));
                }
            }
        }
    }
    if owned.is_empty() {
        return;
    }
    let mut dropped = HashSet::default();
    for &(index, which, dir) in &owned {
        let path = instances[dir].state_dir.value.clone();
        let instance = &mut instances[index];
        let file = match which {
            0 => instance.service.as_deref_mut(),
            n => instance.other_services.get_mut(n - 1),
        };
        if let Some(file) = file.filter(|f| !f.how.own_dirs.contains(&path)) {
            file.how.own_dirs.push(path);
        }
        dropped.insert(dir);
    }
    remove_at(instances, &dropped);
}

/// A scanned dir that nothing starts natively (no unit, job or task) and that a container
/// bind-mounts as its state dir is that container's: its gateway is the container's, not a
/// native gateway of its own. OpenClaw's `docker-setup.sh` creates `~/.openclaw` on the host
/// for exactly this; taking the dir for a second, native gateway reported the container as
/// sharing its own state dir, port and tokens (CL201, CL108, CL301). A dir that a supervisor
/// starts natively stays a gateway of its own, and sharing it with a container is CL201.
fn drop_container_mounted_dirs(instances: &mut Vec<Instance>, keys: &mut PathKeys) {
    // Each launched container's mounted state dir, by key, with the containers that mount it.
    let mut mounting: HashMap<OsString, Vec<usize>> = HashMap::default();
    for (index, instance) in instances.iter().enumerate() {
        let mounts_state_dir = instance.container.is_some()
            && instance.launched()
            && instance.knows(super::Unverifiable::StateDir)
            && matches!(
                instance.state_dir.origin,
                crate::invocation::Origin::Mounted(_)
            );
        if mounts_state_dir {
            let key = keys.add(&instance.state_dir.value).into_os_string();
            mounting.entry(key).or_default().push(index);
        }
    }
    if mounting.is_empty() {
        return;
    }
    let mut dropped = HashSet::default();
    let mut owners = Vec::new();
    for (index, instance) in instances.iter().enumerate() {
        if !is_unsupervised_scan(instance) {
            continue;
        }
        if let Some(containers) = mounting.get(keys.add(&instance.state_dir.value).as_os_str()) {
            dropped.insert(index);
            owners.extend_from_slice(containers);
        }
    }
    // Said on the container, so that `resolve` shows why the dir is no gateway of its own.
    for owner in owners {
        if let Some(container) = instances[owner].container.as_deref_mut() {
            container.owns_scanned_state_dir = true;
        }
    }
    remove_at(instances, &dropped);
}

/// A gateway found only as a dir of the scanned home: nothing supervises it.
fn is_unsupervised_scan(instance: &Instance) -> bool {
    instance.service.is_none() && matches!(instance.discovery, Discovery::HomeDir(_))
}

/// Removes the instances at the positions in `dropped`, keeping the others' order.
fn remove_at(instances: &mut Vec<Instance>, dropped: &HashSet<usize>) {
    let mut index = 0;
    instances.retain(|_| {
        index += 1;
        !dropped.contains(&(index - 1))
    });
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
    let expected = super::paths::service_names(profile);
    instance.service.as_ref().is_some_and(|s| {
        s.name == expected.systemd_unit
            || s.name == expected.launchd_label
            || s.name == expected.windows_task
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{discover, Inputs};
    use std::sync::Arc;

    /// Gateways that `$include` one file with `env.vars` share that environment: one layer,
    /// pointed to by every gateway, not a copy of every variable in each.
    #[test]
    fn shared_include_env_vars_are_one_layer() {
        let dir = std::env::temp_dir().join(format!("clawlint-env-layer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let home = dir.join("home");
        let shared = home.join("shared");
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::write(
            shared.join("common.json5"),
            "{ env: { vars: { SHARED_A: \"a\", SHARED_B: \"b\", OPENCLAW_INCLUDE_ROOTS: \"/\" } } }\n",
        )
        .unwrap();
        for i in 0..3 {
            let d = home.join(format!(".openclaw-s{i}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join("openclaw.json"),
                format!(
                    "{{ $include: \"{}/common.json5\", gateway: {{ port: {} }} }}\n",
                    shared.display(),
                    20000 + i * 100
                ),
            )
            .unwrap();
            // The second gateway sets SHARED_B itself: its own value wins.
            let own = if i == 1 { "SHARED_B=mine\n" } else { "" };
            std::fs::write(
                d.join(".env"),
                format!("OPENCLAW_INCLUDE_ROOTS={}\n{own}", shared.display()),
            )
            .unwrap();
        }
        let found = discover(&Inputs {
            homes: vec![home.clone()],
            ..Inputs::default()
        });
        let inventory = inventory(found, &Default::default());
        std::fs::remove_dir_all(&dir).unwrap();
        let gateways: Vec<_> = inventory
            .instances
            .iter()
            .filter(|i| i.name.starts_with('s'))
            .collect();
        assert_eq!(gateways.len(), 3);
        let layers: Vec<_> = gateways
            .iter()
            .map(|i| i.env.defaults().expect("env.vars is a shared layer"))
            .collect();
        assert!(layers.iter().all(|l| Arc::ptr_eq(l, layers[0])));
        assert_eq!(
            layers[0].len(),
            2,
            "OPENCLAW_INCLUDE_ROOTS is not taken from env.vars"
        );
        for (i, gateway) in gateways.iter().enumerate() {
            assert_eq!(gateway.env.value("SHARED_A"), Some("a"));
            let b = if gateway.name == "s1" { "mine" } else { "b" };
            assert_eq!(gateway.env.value("SHARED_B"), Some(b), "gateway {i}");
            assert!(!gateway
                .env
                .iter()
                .any(|(k, _)| k == "OPENCLAW_INCLUDE_ROOTS"
                    && gateway.env.get(k).unwrap().value == "/"));
        }
    }
}
