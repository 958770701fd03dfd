//! Container rules: what a container publishes on the host against every other gateway's
//! host ports (CL108). Container-internal ports never collide with anything outside their
//! own network namespace, so only published ports (and host-network containers, which the
//! port rules see as native gateways) are compared.

use super::group::{party, shared_across_instances, write_names};
use crate::catalog;
use crate::container::{Engine, HostAddr, Published, UnseenCause};
use crate::diagnostic::{listed, write_listed, Finding, Label, Text, Words};
use crate::ports::allocate;
use crate::ports::layout::FOOTPRINT;
use crate::resolve::ports::DEFAULT_GATEWAY_PORT;
use crate::resolve::{Instance, Listener, ListenerKind};
use std::collections::BTreeMap;

/// CL109: a native gateway's footprint or listener where one of the next automatic
/// `openclaw fleet create`s of a registry will put a cell (the first registry-unused ports
/// from 19100 up; the bind probe only skips a port that is busy at that moment, so a gateway
/// that is down, or a CDP port not yet bound, does not stop it).
///
/// Every state dir may hold a registry and all allocate from 19100 up, so one finding per
/// (registry, gateway) pair would grow with their product. A gateway is reported once, at the
/// earliest create that reaches it over all registries (the smallest k such that some
/// registry's k-th create lands in its ports; ties to the lowest port), in one finding per
/// (k, port) naming every gateway reached first there and every registry whose k-th create
/// takes that port: a gateway is in one finding, a registry in at most [`LOOKAHEAD`]. The
/// work is linear too: no loop over registries × gateways, each gateway asks the
/// registries' predicted ports (sorted, at most `LOOKAHEAD` a registry) by binary search.
pub fn fleet_band_intrusions(instances: &[Instance]) -> Vec<Finding> {
    let registries = fleet_registries(instances);
    if registries.is_empty() {
        return Vec::new();
    }
    let earliest = EarliestCreates::of(&registries);
    // Each reached gateway's (k, port), in the groups' order of first appearance.
    let mut group_of: crate::paths::FastMap<(u8, u16), usize> = Default::default();
    let mut groups: Vec<BandGroup> = Vec::new();
    for (i, native) in instances.iter().enumerate() {
        if native.container.is_some() {
            continue;
        }
        let Some(hit) = earliest.first_reaching(native) else {
            continue;
        };
        let g = *group_of.entry(hit).or_insert_with(|| {
            groups.push(BandGroup {
                k: hit.0,
                port: hit.1,
                natives: Vec::new(),
                registries: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].natives.push(i);
    }
    // Each registry joins the groups of its own next creates: at most LOOKAHEAD lookups.
    for (r, registry) in registries.iter().enumerate() {
        for (k, &port) in registry.next.iter().enumerate() {
            if let Some(&g) = group_of.get(&(k as u8, port)) {
                groups[g].registries.push(r);
            }
        }
    }
    // Findings in registry order, then gateway order (stable: groups were made in gateway
    // order), as one finding per pair came out.
    groups.sort_by_key(|g| g.registries[0]);
    // A registry's label is the same on each of its findings: its ports (2,500 at 10,000
    // gateways) written once, when the first finding needs them.
    let mut cells_labels: Vec<Option<String>> = vec![None; registries.len()];
    groups
        .iter()
        .map(|g| band_finding(instances, &registries, g, &mut cells_labels))
        .collect()
}

/// How many automatic creates of each registry CL109 looks ahead.
const LOOKAHEAD: usize = 10;

/// A fleet registry, as CL109 sees it.
struct FleetRegistry<'a> {
    path: &'a std::path::Path,
    /// The first cell read from it (where its label is shown).
    first_cell: usize,
    /// Its cells' host ports, in the order read.
    used: Vec<u16>,
    /// The ports of its next automatic creates, in order.
    next: Vec<u16>,
}

/// The fleet registries of the host, in path order.
fn fleet_registries(instances: &[Instance]) -> Vec<FleetRegistry<'_>> {
    let mut by_path: BTreeMap<&std::path::Path, (usize, Vec<u16>)> = BTreeMap::new();
    for (i, inst) in instances.iter().enumerate() {
        let Some(c) = inst
            .container
            .as_ref()
            .filter(|c| c.engine == Engine::Fleet)
        else {
            continue;
        };
        let entry = by_path.entry(c.file.as_path()).or_insert((i, Vec::new()));
        entry.1.extend(c.published.iter().map(|p| p.host_port));
    }
    by_path
        .into_iter()
        .map(|(path, (first_cell, used))| {
            let next = crate::container::next_fleet_allocations(&used, LOOKAHEAD);
            FleetRegistry {
                path,
                first_cell,
                used,
                next,
            }
        })
        .collect()
}

/// Each port some registry's automatic creates take, with the earliest create that takes it.
struct EarliestCreates {
    /// `(port, k)`: the smallest k such that a registry's k-th create takes `port`, sorted by
    /// port.
    by_port: Vec<(u16, u8)>,
    /// For each k, the ports whose earliest create is the k-th, sorted.
    at: [Vec<u16>; LOOKAHEAD],
}

impl EarliestCreates {
    fn of(registries: &[FleetRegistry]) -> Self {
        let mut by_port: Vec<(u16, u8)> = registries
            .iter()
            .flat_map(|r| r.next.iter().enumerate().map(|(k, &p)| (p, k as u8)))
            .collect();
        // Sorted by port then k, the first of each port is its earliest create.
        by_port.sort_unstable();
        by_port.dedup_by_key(|e| e.0);
        let mut at: [Vec<u16>; LOOKAHEAD] = Default::default();
        for &(port, k) in &by_port {
            at[usize::from(k)].push(port);
        }
        EarliestCreates { by_port, at }
    }

    /// The earliest create that takes a port of `native`'s footprint or of one of its
    /// listeners, as `(k, port)` (the lowest port of that k).
    fn first_reaching(&self, native: &Instance) -> Option<(u8, u16)> {
        let (lowest, highest) = (self.by_port.first()?.0, self.by_port.last()?.0);
        let base = native.port.value;
        let end = (u32::from(base) + FOOTPRINT - 1).min(u32::from(u16::MAX)) as u16;
        // The lowest port of the footprint at each k, the first k that has one.
        let in_footprint = if end >= lowest && base <= highest {
            self.at.iter().enumerate().find_map(|(k, ports)| {
                let from = ports.partition_point(|&p| p < base);
                ports
                    .get(from)
                    .filter(|&&p| p <= end)
                    .map(|&p| (k as u8, p))
            })
        } else {
            None
        };
        let on_listener = native
            .listeners
            .iter()
            .filter(|l| (lowest..=highest).contains(&l.port))
            .filter_map(|l| {
                let at = self.by_port.binary_search_by_key(&l.port, |e| e.0).ok()?;
                Some((self.by_port[at].1, l.port))
            })
            .min();
        in_footprint.into_iter().chain(on_listener).min()
    }
}

/// One CL109 finding: the gateways the k-th create of its registries reaches first.
struct BandGroup {
    k: u8,
    port: u16,
    natives: Vec<usize>,
    registries: Vec<usize>,
}

fn band_finding(
    instances: &[Instance],
    registries: &[FleetRegistry],
    group: &BandGroup,
    cells_labels: &mut [Option<String>],
) -> Finding {
    use crate::container::FLEET_BASE_PORT;
    let natives: Vec<&Instance> = group.natives.iter().map(|&i| &instances[i]).collect();
    let message = Text::written(|out| {
        match group.k {
            0 => out.words("the next `openclaw fleet create`"),
            k => out
                .words("the ")
                .words(&ordinal(usize::from(k) + 1))
                .words(" `openclaw fleet create` from now"),
        };
        match group.registries.as_slice() {
            [one] => {
                out.words(" of the fleet in ")
                    .words(&crate::paths::display_path(registries[*one].path));
            }
            several => {
                out.words(" of each of the fleets in ");
                let paths: Vec<String> = several
                    .iter()
                    .map(|&r| crate::paths::display_path(registries[r].path))
                    .collect();
                write_listed(out, paths.iter().map(|p| [p.as_str()]));
            }
        }
        out.words(" takes host port ").number(group.port);
        match natives.as_slice() {
            [native] => {
                let base = native.port.value;
                out.words(", inside \"")
                    .words(&native.name)
                    .words("\"'s ports ")
                    .number(base)
                    .words("..")
                    .number(u32::from(base) + FOOTPRINT - 1);
            }
            several => {
                out.words(", inside the ports of ");
                write_names(out, several);
            }
        }
        Ok(())
    });
    let mut finding = Finding::new(&catalog::PORT_IN_FLEET_BAND, message);
    for native in &natives {
        let base = u32::from(native.port.value);
        let mut label = party(
            native,
            format_args!(
                "gateway port {base} (footprint {base}..{})",
                base + FOOTPRINT - 1
            ),
            &native.port.origin,
        );
        if label.loc.is_none() {
            label.loc = Some(native.config_loc);
        }
        finding = finding.label(label);
    }
    let named = group.registries.len() > 1;
    for &r in &group.registries {
        let registry = &registries[r];
        let cell = &instances[registry.first_cell];
        let text = if named {
            registry_cells_label(Some(registry.path), &registry.used)
        } else {
            cells_labels[r]
                .get_or_insert_with(|| registry_cells_label(None, &registry.used))
                .clone()
        };
        finding = finding.label(Label::new(
            cell.container.as_ref().map(|c| c.loc),
            text,
            Some(&cell.name),
        ));
    }
    finding
        .note("fleet checks only that 127.0.0.1:<port> is free at that moment: a gateway that is down, or a browser or CDP port it has not bound yet, does not stop the cell from taking it")
        .help(Text::written(|out| {
            out.words("move ");
            write_names(out, &natives);
            match natives.len() {
                1 => out.words(" to a base port of at most "),
                _ => out.words(" to base ports of at most "),
            }
            .number(u32::from(FLEET_BASE_PORT) - FOOTPRINT);
            match natives.len() {
                1 => out.words(" (its footprint then ends below "),
                _ => out.words(" (their footprints then end below "),
            }
            .number(FLEET_BASE_PORT)
            .words("), or create cells with an explicit `openclaw fleet create TENANT --port N` clear of ")
            .words(if natives.len() == 1 { "it" } else { "them" });
            Ok(())
        }))
}

/// CL109's label on a fleet registry: the host ports its cells are on (`used`), and its path
/// when the finding names several registries.
fn registry_cells_label(path: Option<&std::path::Path>, used: &[u16]) -> String {
    use crate::container::FLEET_BASE_PORT;
    let mut out = String::from("fleet registry");
    if let Some(path) = path {
        out.words(" ").words(&crate::paths::display_path(path));
    }
    out.words(": cells on ");
    match used.split_first() {
        None => out.push_str("none"),
        Some((first, rest)) => {
            out.number(*first);
            for port in rest {
                out.words(", ").number(*port);
            }
        }
    }
    out.words("; new cells get the first free port from ")
        .number(FLEET_BASE_PORT)
        .words(" up");
    out
}

/// The rules that say why clawlint stopped following scripts that may start a project:
/// ` (CL902 there says why)`, ` (CL902 and CL907 there say why)`; nothing when it did not stop.
fn stopped_at(stopped: &[crate::container::StoppedFollow]) -> String {
    let mut codes: Vec<&str> = stopped
        .iter()
        .map(|s| super::problems::code_for(s.kind).code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    match codes.len() {
        0 => String::new(),
        1 => format!(" ({} there says why)", codes[0]),
        _ => format!(" ({} there say why)", codes.join(" and ")),
    }
}

/// CL410: several command lines start one compose container (the same project, so the same
/// container name) with different values. Each `docker compose up` reads the project anew
/// and recreates the containers whose configuration changed, so whichever ran last decides;
/// clawlint checks the container as the first command found starts it, and says so.
pub fn compose_runs_disagree(instance: &Instance) -> Option<Finding> {
    let c = instance.container.as_deref()?;
    let (by, loc) = c.run.as_ref()?;
    if c.other_runs.is_empty() {
        return None;
    }
    // What differs, by kind only (`published ports`, `environment`): the values are on the
    // labels, so the message stays the same when a fix moves a port.
    let mut differs: Vec<&str> = Vec::new();
    for other in &c.other_runs {
        for d in &other.differs {
            let kind = d.split(" (").next().unwrap_or(d);
            if !differs.contains(&kind) {
                differs.push(kind);
            }
        }
    }
    let mut runs = vec![by.as_str()];
    runs.extend(c.other_runs.iter().map(|o| o.by.as_str()));
    let mut finding = Finding::new(
        &catalog::COMPOSE_RUNS_DISAGREE,
        format!(
            "{} start container \"{}\" with different values: {}",
            listed(runs.iter().copied()),
            c.name,
            differs.join(", ")
        ),
    )
    .label(Label::new(
        Some(*loc),
        format!("{by}: checked as this starts it"),
        Some(&instance.name),
    ));
    for other in &c.other_runs {
        finding = finding.label(Label::new(
            Some(other.loc),
            format!("{}: {}", other.by, other.differs.join("; ")),
            Some(&instance.name),
        ));
    }
    Some(
        finding
            .note(format!(
                "each `docker compose up` reads the project anew and recreates the containers whose configuration changed: whichever of these ran last decides what runs, and clawlint cannot know which, so it checks \"{}\" as {by} starts it",
                c.name
            ))
            .help("make every command that starts the project read the same files, env files, profiles and environment (one unit or script the others call); if both are meant to run side by side, give one its own project name (`-p NAME`)"),
    )
}

/// CL409 for a compose service whose entries read variables that env files beside the
/// project set differently (`.env.dev`, `.env.prd`), when no command that runs the project was
/// found: which file a run names (`--env-file`) is unseen, so those entries are left out of
/// every comparison, and this says which and why, at each entry.
pub fn compose_unseen_values(instance: &Instance) -> Option<Finding> {
    let c = instance.container.as_deref()?;
    let v = c.unseen_values.as_deref()?;
    let mut kinds: Vec<&str> = Vec::new();
    for e in &v.entries {
        let kind = match e.key {
            "ports" => "published ports",
            "volumes" => "mounts",
            "environment" => "environment",
            _ => "command",
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let service = format!(
        "compose service {} in {}",
        c.service,
        crate::paths::display_home_relative(&c.file, &c.host_home)
    );
    let what = listed(kinds.iter().copied());
    let message = match &v.cause {
        UnseenCause::Run(_) => format!("{service} is started by a command with values clawlint cannot see: its {what} cannot be verified"),
        UnseenCause::EnvFiles(files) => format!("{service} depends on which env file docker compose is run with ({}): its {what} cannot be verified", listed(files.iter().map(String::as_str))),
        UnseenCause::Home => format!("{service} reads the home of the account that runs docker compose, which clawlint does not scan: its {what} cannot be verified"),
        UnseenCause::Program(program) => format!("{service} runs OpenClaw's image with an entrypoint clawlint cannot read ({program}): its gateway's port and profile cannot be verified"),
    };
    let mut finding = Finding::new(&catalog::UNVERIFIABLE_GATEWAY, message);
    // One label for entries said alike at one place (an entrypoint hiding --port and --profile).
    let mut labelled = std::collections::HashSet::new();
    for e in v
        .entries
        .iter()
        .filter(|e| labelled.insert((e.loc, e.why.as_str())))
    {
        finding = finding.label(Label::new(
            Some(e.loc),
            format!("{}: {}", instance.name, e.why),
            Some(&instance.name),
        ));
    }
    let files = match &v.cause {
        UnseenCause::Run(run) => return Some(
            finding
                .note(format!("{run}; clawlint does not assume the project's .env or the defaults for what nothing it read sets, and leaves these entries out of every collision check"))
                .help("let clawlint read what the command uses: write its values literally (`docker compose --env-file /opt/stacks/acme/.env -p acme up -d`, one command line per project this host runs) and keep the env files it names in the scanned layout (or allow them with --allow-outside)"),
        ),
        UnseenCause::Home => return Some(
            finding
                .note("`~` and $HOME in a compose file are the home of whoever runs `docker compose`; no home is scanned here (--no-default-home without --home), so clawlint does not guess it, and leaves these entries out of every collision check")
                .help("name the home that runs the project: --home DIR (a copy of it in the repository, or the real one on the host)"),
        ),
        UnseenCause::Program(_) => return Some(
            finding
                .note("a service of OpenClaw's image that mounts its state dir or publishes a port while its entrypoint runs a program of its own is taken to start the gateway: its mounts and published ports are checked, and the port and profile inside the container, which that program decides, are left out of every comparison")
                .help("start the gateway in the service's own `command:`/`entrypoint:` (`node openclaw.mjs gateway --port N`), or keep the program in the layout as a shell script that does (a mounted `.sh` is read)"),
        ),
        UnseenCause::EnvFiles(files) => files,
    };
    let either = files.join(" or ");
    finding = finding.note(format!(
        "docker compose reads {either} only when a command names it (`--env-file`, COMPOSE_ENV_FILES), instead of the project's .env; clawlint found no unit, script or Makefile that runs this project, so it does not assume the .env or the defaults, and leaves these entries out of every collision check"
    ));
    if let Some(project) = &v.same_project {
        finding = finding.note(format!(
            "no env file beside it sets COMPOSE_PROJECT_NAME: whichever a run reads, this is project \"{project}\", so docker compose takes the runs for one project and each `up` recreates the container the one before started; to run them side by side, set COMPOSE_PROJECT_NAME in each env file (or pass `-p`)"
        ));
    }
    Some(finding.help(
        "let clawlint see what starts the project: a systemd unit, a Makefile or justfile recipe, or a script beside the compose file that runs `docker compose --env-file FILE up -d` (one per environment this host runs)",
    ))
}

/// CL411: compose projects in different directories that give one container name. Compose
/// finds a project's containers by its name (and the container by its name), so it takes
/// them for one: `docker compose up` in either directory recreates the container with its
/// own files, and only one of them runs at a time. Most often the two directories have the
/// same name and nothing else names the projects (`-p`, `COMPOSE_PROJECT_NAME`, `name:`).
/// The container is checked as the first found defines it; the others are named here.
pub fn compose_project_clash(instance: &Instance) -> Option<Finding> {
    let c = instance.container.as_deref()?;
    let first = c.name_clashes.first()?;
    let shown = |p: &std::path::Path| crate::paths::display_home_relative(p, &c.host_home);
    // Each directory once, in order; a set beside the list, so that thousands of projects of
    // one name stay linear (a search of the list for each was quadratic).
    let mut seen = std::collections::HashSet::new();
    let dirs: Vec<String> = std::iter::once(&first.dir)
        .chain(c.name_clashes.iter().map(|k| &k.other_dir))
        .map(|dir| shown(dir))
        .filter(|d| seen.insert(d.clone()))
        .collect();
    let same_project = c.name_clashes.iter().all(|k| k.project == k.other_project);
    let why = match (same_project, c.name_clashes.iter().all(|k| k.from_dirs)) {
        (true, true) => format!(
            "both are named after their directory, \"{}\"",
            first.project
        ),
        (true, false) => format!("both have the project name \"{}\"", first.project),
        (false, _) => "`container_name:` gives it in each".to_string(),
    };
    let mut finding = Finding::new(
        &catalog::COMPOSE_PROJECT_CLASH,
        format!(
            "compose projects in {} give the same container \"{}\" ({why}): {}",
            listed(dirs.iter().map(String::as_str)),
            c.name,
            match same_project {
                true => "docker compose takes them for one project, so only one runs",
                false => "docker refuses to create it for one while the other's exists",
            }
        ),
    )
    .label(Label::new(
        Some(c.loc),
        format!("{}: checked as this defines it", dirs[0]),
        Some(&instance.name),
    ));
    for clash in &c.name_clashes {
        finding = finding.label(Label::new(
            Some(clash.other_loc),
            format!(
                "{}: the same container, not a second gateway",
                shown(&clash.other_dir)
            ),
            Some(&instance.name),
        ));
    }
    let help = match same_project {
        true => "give each project its own name: `name:` at the top of its compose file (or `docker compose -p NAME`, or COMPOSE_PROJECT_NAME in its .env); clawlint then checks them as separate gateways",
        false => "give each service its own `container_name:` (or remove it: compose then names the container after the project)",
    };
    Some(
        finding
            .note(match same_project {
                true => format!(
                    "compose finds a project's containers by its project name: `docker compose up` in either directory recreates \"{}\" with that directory's files, replacing the other's; clawlint checks it as {} defines it",
                    c.name, dirs[0]
                ),
                false => format!(
                    "a container name is unique on the host: the second `docker compose up` fails (\"Conflict. The container name is already in use\"); clawlint checks \"{}\" as {} defines it",
                    c.name, dirs[0]
                ),
            })
            .help(help),
    )
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One claim on a host port.
enum Claim<'a> {
    Published(&'a Published),
    Listener(&'a Listener),
}

/// The address a host listener binds: every address unless OpenClaw binds it to loopback
/// only (`ListenerKind::loopback_only`); a listener whose own host setting decides counts as
/// loopback, its default.
fn listener_addr<'a>(instance: &Instance, listener: &Listener, on: &'a HostAddrs) -> &'a HostAddr {
    if listener.kind.loopback_only(&instance.gateway_bind) == Some(false) {
        &on.any
    } else {
        &on.loopback
    }
}

/// The two addresses a host listener may bind, made once for every claim.
struct HostAddrs {
    any: HostAddr,
    loopback: HostAddr,
}

fn claim_addr<'a>(instance: &Instance, claim: &Claim<'a>, on: &'a HostAddrs) -> &'a HostAddr {
    match claim {
        Claim::Published(p) => &p.host_addr,
        Claim::Listener(l) => listener_addr(instance, l, on),
    }
}

/// CL111: a container publishes a port to a container port where its gateway does not
/// listen, though one of its listeners would be there at OpenClaw's default base: the entry
/// was written for the default ports (`"${PORT:-18789}:18789"`, the official compose file's)
/// and the gateway was moved inside the container (`--port ${PORT}`, `gateway.port` in the
/// mounted config). The runtime forwards the host port to a container port nothing of the
/// gateway binds, so the gateway cannot be reached there. Only such an entry is said: a
/// container port no listener of the gateway would ever have may be another program's.
pub fn published_port_unbound(instance: &Instance) -> Option<Finding> {
    let c = instance.container.as_deref()?;
    let base = instance.port.value;
    // With values clawlint cannot see (CL409), the base may be a guess: nothing is judged.
    if c.on_host_network()
        || !instance.runs()
        || base == DEFAULT_GATEWAY_PORT
        || c.unseen_values.is_some()
        || !instance.knows(crate::resolve::Unverifiable::Port)
    {
        return None;
    }
    let listeners = &instance.container_listeners;
    // Each entry that misses, with the listener whose default port it names (the same
    // offset from the default base as the listener's from this base).
    let missed: Vec<(&Published, &Listener)> = (c.published.iter())
        .filter(|p| p.protocol == "tcp" && !listeners.iter().any(|l| l.port == p.container_port))
        .filter_map(|p| {
            let meant = listeners.iter().find(|l| {
                let derived = l.kind == ListenerKind::Gateway
                    || matches!(l.origin, crate::invocation::Origin::Derived(_));
                derived
                    && l.port.checked_sub(base).is_some_and(|o| {
                        u32::from(DEFAULT_GATEWAY_PORT) + u32::from(o)
                            == u32::from(p.container_port)
                    })
            })?;
            Some((p, meant))
        })
        .collect();
    if missed.is_empty() {
        return None;
    }
    let ports: Vec<String> = missed
        .iter()
        .map(|(p, _)| p.container_port.to_string())
        .collect();
    let plural = if missed.len() > 1 { "s" } else { "" };
    let mut finding = Finding::new(
        &catalog::PUBLISHED_PORT_UNBOUND,
        format!(
            "{} publishes to container port{plural} {}, OpenClaw's default ports, but its gateway listens on {base} in the container: nothing answers there",
            instance.name,
            listed(ports.iter().map(String::as_str)),
        ),
    );
    for (p, meant) in &missed {
        finding = finding.label(Label::new(
            Some(p.loc),
            Text::written(|out| {
                out.words(&instance.name).words(": publishes ");
                out.number(p.host_port).words(" -> container port ");
                out.number(p.container_port).words("; its ");
                out.words(meant.kind.describe()).words(" is ");
                out.number(meant.port);
                Ok(())
            }),
            Some(&instance.name),
        ));
    }
    let gateway_port = format!("gateway port {base} in the container");
    Some(
        finding
            .label(party(instance, gateway_port, &instance.port.origin))
            .note("the container runtime forwards each host port to that port inside the container, where nothing of the gateway listens: the gateway cannot be reached through these entries")
            .help(Text::written(|out| {
                out.words("keep the gateway on ");
                out.number(DEFAULT_GATEWAY_PORT);
                out.words(" inside the container (`--port ");
                out.number(DEFAULT_GATEWAY_PORT);
                out.words("`) and move only the host side of each entry, as OpenClaw's compose file does; or publish to the ports it listens on");
                Ok(())
            })),
    )
}

/// CL112: a container publishes a port to a listener its gateway binds to the container's
/// loopback only: the gateway itself under `bind: "loopback"` (and the MCP Apps sandbox with
/// it), browser control, relays and CDP always. Docker forwards a published port to the
/// container's own network address, never to its loopback, so the entry reaches nothing
/// (openclaw/openclaw#27950). A bind from the mounted config is not judged when a script
/// starts the gateway (it may rewrite it first), nor anything when another program shares
/// the container's network namespace (a socat sidecar forwarding to the loopback). Judged for Docker's engines only (compose,
/// `docker run`):
/// rootless Podman's pasta carries the host's loopback connections to the container's
/// loopback, so there the same entry answers on the host itself.
pub fn published_loopback_listener(instance: &Instance) -> Option<Finding> {
    let c = instance.container.as_deref()?;
    if !matches!(
        c.engine,
        Engine::Compose | Engine::DockerRun | Engine::Unraid
    ) || c.on_host_network()
        || !c.namespace_guests.is_empty()
        || !instance.runs()
        || c.unseen_values.is_some()
        || !instance.knows(crate::resolve::Unverifiable::Port)
    {
        return None;
    }
    let bind = &instance.gateway_bind;
    // A script that starts the gateway may rewrite the mounted config's bind first: only a
    // bind on the command itself is judged then.
    let bind_known = c.bind.is_some() || !c.started_by_script;
    let unreached: Vec<(&Published, &Listener)> = (c.published.iter())
        .filter(|p| p.protocol == "tcp")
        .filter_map(|p| {
            let listener = (instance.container_listeners.iter()).find(|l| {
                l.port == p.container_port
                    && l.kind.loopback_only(bind) == Some(true)
                    && (bind_known || !l.kind.follows_gateway_bind())
            })?;
            Some((p, listener))
        })
        .collect();
    let by_bind = (unreached.iter()).any(|(_, l)| l.kind.follows_gateway_bind());
    if unreached.is_empty() {
        return None;
    }
    // Each container port once: two host ports may forward to one.
    let mut ports: Vec<u16> = unreached.iter().map(|(p, _)| p.container_port).collect();
    ports.sort_unstable();
    ports.dedup();
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    let plural = if ports.len() > 1 { "s" } else { "" };
    let mut finding = Finding::new(
        &catalog::PUBLISHED_LOOPBACK_LISTENER,
        format!(
            "{} publishes container port{plural} {}, where its gateway listens only on the container's loopback: nothing reaches {} from the host",
            instance.name,
            listed(ports.iter().map(String::as_str)),
            if ports.len() > 1 { "them" } else { "it" },
        ),
    );
    for (p, listener) in &unreached {
        finding = finding.label(Label::new(
            Some(p.loc),
            Text::written(|out| {
                out.words(&instance.name).words(": publishes ");
                out.number(p.host_port).words(" -> container port ");
                out.number(p.container_port).words("; its ");
                out.words(listener.kind.describe());
                out.words(" binds 127.0.0.1 there");
                Ok(())
            }),
            Some(&instance.name),
        ));
    }
    if let Some(loc) = instance.gateway_bind_loc.filter(|_| by_bind) {
        finding = finding.label(Label::new(
            Some(loc),
            Text::written(|out| {
                out.words(&instance.name).words(": binds ").words(bind);
                Ok(())
            }),
            Some(&instance.name),
        ));
        if instance.tailscale.is_some() {
            finding = finding.note("with gateway.tailscale.mode `serve` or `funnel`, OpenClaw binds the gateway to loopback unless a bind is given");
        }
    }
    let finding = finding.note("Docker forwards a published port to the container's own network address, not to its loopback: the connection is refused or reset");
    Some(match by_bind {
        true => finding.help("bind the gateway to `lan` inside the container (`--bind lan`, as OpenClaw's compose file does) and give it a gateway token, which OpenClaw requires beyond loopback; keep it private on the host side with the entry's address (`127.0.0.1:18789:18789`), or run the container on the host network"),
        false => finding.help("remove the entry: OpenClaw binds browser control, extension relays and CDP to loopback in every mode, inside a container too; reach the browser through the gateway"),
    })
}

/// For each of `involved` behind compose profiles that may or may not be enabled, a note: the
/// collision is real the day it runs, and whether it does cannot be read. `what` says what
/// happens then ("the ports collide").
pub(super) fn unverifiable_starts(involved: &[&Instance], what: &str) -> Vec<String> {
    let mut notes = Vec::new();
    for inst in involved {
        let profiles = inst.container.as_ref().and_then(|c| c.profiles.as_ref());
        if let Some((p, why)) = profiles.and_then(|p| Some((p, p.unverifiable()?))) {
            notes.push(format!(
                "whether \"{}\" starts is unverifiable: it runs only with compose profile {}, and {why}{}; {what} whenever it runs",
                inst.name,
                p.list(),
                stopped_at(&p.stopped),
            ));
        }
    }
    notes
}

/// CL108: a published host port that another gateway also binds or publishes, on an
/// overlapping address (every address overlaps all; two different addresses do not).
pub fn published_port_collisions(instances: &[Instance]) -> Vec<Finding> {
    // A compose service no command that starts its project enables does not run, nor does
    // one whose start OpenClaw refuses (CL909): its container exits and publishes nothing.
    // Nothing published, nothing to compare: a host of native gateways only gathers none of
    // its listeners here.
    let publishes = |inst: &Instance| {
        inst.container
            .as_ref()
            .is_some_and(|c| !c.published.is_empty())
    };
    if !instances.iter().any(|inst| inst.runs() && publishes(inst)) {
        return Vec::new();
    }
    // A host listener matters here only on a port some container publishes over TCP (its
    // group is kept only with a published party): the other listeners, most of a host's
    // (every native gateway's), are left out before grouping instead of grouped and dropped.
    let mut published_tcp = PortBits::default();
    for inst in instances.iter().filter(|inst| inst.runs()) {
        for p in inst.container.iter().flat_map(|c| &c.published) {
            if p.protocol == "tcp" {
                published_tcp.insert(p.host_port);
            }
        }
    }
    let mut items: Vec<((u16, &str), usize, Claim)> = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        if !inst.runs() {
            continue;
        }
        if let Some(c) = &inst.container {
            items.extend(
                c.published
                    .iter()
                    .map(|p| ((p.host_port, p.protocol.as_str()), i, Claim::Published(p))),
            );
        }
        if inst.listens_on_host() {
            items.extend(
                inst.listeners
                    .iter()
                    .filter(|l| published_tcp.contains(l.port))
                    .map(|l| ((l.port, "tcp"), i, Claim::Listener(l))),
            );
        }
    }
    // Each suggestion is taken once made, so two help lines never suggest the same port.
    let mut free_ports = allocate::FreeHostPorts::of(instances);
    let on = HostAddrs {
        any: HostAddr::Any,
        loopback: HostAddr::Ip("127.0.0.1".to_string()),
    };
    let mut out = Vec::new();
    // Each group's addresses, gateways and parties kept, in lists reused from one group to
    // the next (thousands of groups at 10,000 gateways).
    let (mut addrs, mut gateways, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    let mut involved: Vec<&Instance> = Vec::new();
    for ((port, protocol), parties) in shared_across_instances(items) {
        if !parties
            .iter()
            .any(|(_, c)| matches!(c, Claim::Published(_)))
        {
            continue; // Host listeners alone are CL101/CL102's.
        }
        addrs.clear();
        addrs.extend(
            parties
                .iter()
                .map(|(i, c)| claim_addr(&instances[*i], c, &on)),
        );
        gateways.clear();
        gateways.extend(parties.iter().map(|(i, _)| *i));
        overlapping_another_gateway(&gateways, &addrs, &mut kept);
        if !kept
            .iter()
            .any(|&k| matches!(parties[k].1, Claim::Published(_)))
        {
            continue;
        }
        // A group's parties come gateway by gateway (items were gathered gateway by gateway),
        // so each gateway once is each run of equal gateways once: no set of them per group.
        involved.clear();
        involved.extend(kept.iter().map(|&k| &instances[parties[k].0]));
        involved.dedup_by(|a, b| std::ptr::eq(*a, *b));
        let mut finding = Finding::new(
            &catalog::PUBLISHED_PORT_COLLISION,
            Text::written(|out| {
                out.words("host port ").number(port).words("/").words(protocol);
                out.words(" is published by a container and also taken by another gateway: ");
                write_names(out, &involved);
                Ok(())
            }),
        )
        .note("the container runtime (Docker, Podman) binds a published port on the host when the container starts; whichever of the two starts second fails (\"port is already allocated\" or EADDRINUSE)");
        let mover = kept.iter().rev().find_map(|&k| match parties[k].1 {
            Claim::Published(p) => Some((&instances[parties[k].0], p)),
            Claim::Listener(_) => None,
        });
        for &k in &kept {
            let (i, claim) = &parties[k];
            finding = finding.label(claim_label(&instances[*i], claim, addrs[k]));
        }
        for note in unverifiable_starts(&involved, "the ports collide") {
            finding = finding.note(note);
        }
        if let Some((inst, p)) = mover {
            let free = free_ports.take_after(p.host_port);
            if let (Some(to), Some(c)) = (free, inst.container.as_deref()) {
                finding.suggested = Some(Box::new(crate::fix::Suggested::HostPort {
                    instance: inst.name.clone(),
                    engine: c.engine,
                    entry: p.loc,
                    from: p.host_port,
                    to,
                    container_port: p.container_port,
                }));
            }
            finding = finding.help(match free {
                Some(free) => Text::written(|out| {
                    write_move_help(out, inst, p, free);
                    Ok(())
                }),
                None => Text::Static("publish one of them on another host port"),
            });
        }
        out.push(finding);
    }
    out
}

/// A set of host ports, one bit each.
struct PortBits(Vec<u64>);

impl Default for PortBits {
    fn default() -> Self {
        PortBits(vec![0; 65536 / 64])
    }
}

impl PortBits {
    fn insert(&mut self, port: u16) {
        self.0[usize::from(port / 64)] |= 1 << (port % 64);
    }

    fn contains(&self, port: u16) -> bool {
        self.0[usize::from(port / 64)] & (1 << (port % 64)) != 0
    }
}

/// The parties (by position) whose address overlaps that of a party of another gateway
/// (`HostAddr::overlaps`: every address overlaps all, two IPs only themselves), in order,
/// into `kept` (what it held replaced).
/// Linear in the group, however many containers publish one port: a party on every address
/// needs any other gateway in the group, one on an IP another gateway on every address or
/// on that IP.
fn overlapping_another_gateway(gateways: &[usize], addrs: &[&HostAddr], kept: &mut Vec<usize>) {
    let mut all = TwoGateways::default();
    let mut on_any = TwoGateways::default();
    let mut on_ip: crate::paths::FastMap<&str, TwoGateways> = Default::default();
    for (&gateway, addr) in gateways.iter().zip(addrs) {
        all.add(gateway);
        match addr {
            HostAddr::Any => on_any.add(gateway),
            HostAddr::Ip(ip) => on_ip.entry(ip.as_str()).or_default().add(gateway),
        }
    }
    kept.clear();
    kept.extend((0..gateways.len()).filter(|&k| {
        let gateway = gateways[k];
        match addrs[k] {
            HostAddr::Any => all.other_than(gateway),
            HostAddr::Ip(ip) => {
                on_any.other_than(gateway) || on_ip[ip.as_str()].other_than(gateway)
            }
        }
    }));
}

/// The first two different gateways seen: enough to tell whether any gateway but a given
/// one was seen.
#[derive(Default)]
struct TwoGateways {
    first: Option<usize>,
    second: Option<usize>,
}

impl TwoGateways {
    fn add(&mut self, gateway: usize) {
        match self.first {
            None => self.first = Some(gateway),
            Some(first) if first != gateway && self.second.is_none() => self.second = Some(gateway),
            Some(_) => {}
        }
    }

    fn other_than(&self, gateway: usize) -> bool {
        self.second.is_some() || self.first.is_some_and(|first| first != gateway)
    }
}

/// CL108's help for a container moved to host port `free`: the entry to write, in its
/// engine's words.
fn write_move_help(out: &mut String, inst: &Instance, p: &Published, free: u16) {
    let c = inst.container.as_deref();
    let service = c.map_or("", |c| c.service.as_str());
    let mapping = |out: &mut String| {
        match &p.host_addr {
            HostAddr::Any => out,
            HostAddr::Ip(ip) if ip.contains(':') => out.words("[").words(ip).words("]:"),
            HostAddr::Ip(ip) => out.words(ip).words(":"),
        }
        .number(free)
        .words(":")
        .number(p.container_port);
    };
    out.words("publish \"")
        .words(&inst.name)
        .words("\" on another host port, for example ");
    match c.map(|c| c.engine) {
        Some(Engine::Quadlet) => {
            out.words("`PublishPort=");
            mapping(out);
            out.words("`");
        }
        Some(Engine::DockerRun | Engine::PodmanRun) => {
            out.words("`-p ");
            mapping(out);
            out.words("` in the `")
                .words(service)
                .words("` command line");
        }
        Some(Engine::Unraid) => {
            out.words("the host port of its `<Config Type=\"Port\">` (for example ")
                .number(free)
                .words(", in the Docker tab's Edit page or in my-")
                .words(service)
                .words(".xml)");
        }
        Some(Engine::Fleet) => {
            out.words("`openclaw fleet create ")
                .words(service)
                .words(" --port ")
                .number(free)
                .words("` (a cell's port is fixed when it is created)");
        }
        _ => {
            // `"${OPENCLAW_GATEWAY_PORT:-18789}:18789"`: the variable is the usual place.
            if let [(var, _)] = p.vars.as_slice() {
                // The file compose reads its variables from: `--env-file`'s when a run names one.
                let env_file = (c.and_then(|c| c.env_files.last()))
                    .map_or("the project's .env", String::as_str);
                out.words("`")
                    .words(var)
                    .words("=")
                    .number(free)
                    .words("` in ");
                // A stack manager that writes the env file anew at each deploy (Portainer):
                // the variable is changed where the manager keeps it.
                let named = c.and_then(|c| Some((c, c.env_files.last()?)));
                match named.and_then(|(c, f)| crate::discover::kept_named(c, f)) {
                    Some(kept) => out
                        .words(kept.change_in)
                        .words(", not in ")
                        .words(env_file)
                        .words(", which this entry's host port reads but ")
                        .words(kept.manager)
                        .words(" writes anew at each deploy, or "),
                    None => out
                        .words(env_file)
                        .words(" (this entry's host port reads it) or "),
                };
            }
            out.words("`\"");
            mapping(out);
            out.words("\"` under ").words(service).words("'s ports");
            // A compose file the stack manager renders anew at each deploy (TrueNAS's).
            let file_name = c.and_then(|c| Some((c, c.file.file_name()?.to_str()?)));
            if let Some(kept) = file_name.and_then(|(c, f)| crate::discover::kept_named(c, f)) {
                out.words(" (set in ")
                    .words(kept.change_in)
                    .words(": ")
                    .words(kept.manager)
                    .words(" writes the compose file anew at each deploy)");
            }
        }
    }
    out.words("; the port inside the container stays ")
        .number(p.container_port);
}

fn claim_label(instance: &Instance, claim: &Claim, addr: &HostAddr) -> Label {
    match claim {
        Claim::Published(p) => Label::new(
            Some(p.loc),
            Text::written(|out| {
                let ip = match addr {
                    HostAddr::Any => "0.0.0.0",
                    HostAddr::Ip(ip) => ip,
                };
                out.words(&instance.name)
                    .words(": publishes ")
                    .words(ip)
                    .words(":");
                out.number(p.host_port)
                    .words(" -> container port ")
                    .number(p.container_port);
                Ok(())
            }),
            Some(&instance.name),
        ),
        Claim::Listener(l) => {
            let what = ListenerOn { listener: l, addr };
            if l.kind == ListenerKind::Gateway {
                let mut label = party(instance, what, &instance.port.origin);
                if label.loc.is_none() {
                    label.loc = Some(instance.config_loc);
                }
                label
            } else {
                party(instance, what, &l.origin)
            }
        }
    }
}

/// A host listener's claim, `CDP port (browser profile "work") 18800 on 127.0.0.1`
/// ([`Listener::describe`], its port and [`HostAddr::describe`]), written straight into its
/// label's text: no string of its own, nor one for each part (thousands of CL108 findings).
struct ListenerOn<'a> {
    listener: &'a Listener,
    addr: &'a HostAddr,
}

impl std::fmt::Display for ListenerOn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = self.listener;
        write!(f, "{l} {} on {}", l.port, self.addr.words())
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        GATEWAY_PORT_COLLISION, LISTENER_COLLISION, PORT_IN_FLEET_BAND,
        PUBLISHED_LOOPBACK_LISTENER, PUBLISHED_PORT_COLLISION, PUBLISHED_PORT_UNBOUND,
    };
    use crate::rules::testing::{gateway, host, labels, parties};

    /// CL112: the gateway bound to loopback in its container, its published gateway and
    /// sandbox entries reach nothing; a browser control entry reaches nothing under any bind.
    /// Not judged: the default bind (`auto`) or `lan`, the host network.
    #[test]
    fn cl112_published_to_a_loopback_listener() {
        let acme = || gateway("acme").no_profile();
        let h = host([acme()
            .set("gateway.bind", "\"loopback\"")
            .published("0.0.0.0", 18789, 18789)
            .published("0.0.0.0", 18790, 18790)
            .published("0.0.0.0", 8081, 8081)]);
        let f = h.finding(PUBLISHED_LOOPBACK_LISTENER);
        assert_eq!(
            f.message,
            "acme publishes container ports 18789 and 18790, where its gateway listens only on the container's loopback: nothing reaches them from the host"
        );
        let shown = labels(&f);
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown[0].ends_with(
                "publishes 18789 -> container port 18789; its gateway port binds 127.0.0.1 there"
            ),
            "{shown:?}"
        );
        assert!(shown[2].ends_with("acme: binds loopback"), "{shown:?}");
        assert!(
            f.help.as_deref().is_some_and(|h| h.contains("--bind lan")),
            "{f:?}"
        );

        let h = host([acme().published("0.0.0.0", 18791, 18791)]);
        let f = h.finding(PUBLISHED_LOOPBACK_LISTENER);
        assert_eq!(labels(&f).len(), 1);
        assert!(
            f.help
                .as_deref()
                .is_some_and(|h| h.contains("remove the entry")),
            "{f:?}"
        );

        for quiet in [
            acme().published("0.0.0.0", 18789, 18789),
            acme()
                .set("gateway.bind", "\"lan\"")
                .published("0.0.0.0", 18789, 18789),
            acme().set("gateway.bind", "\"loopback\"").host_network(),
        ] {
            assert!(host([quiet])
                .findings(PUBLISHED_LOOPBACK_LISTENER)
                .is_empty());
        }
    }

    /// CL111: the gateway moved inside its container (by `gateway.port` in the mounted
    /// config) while its entries still forward to the default ports; an entry to a port no
    /// listener of the gateway would have (another program's) is not judged, nor one that
    /// reaches the moved gateway.
    #[test]
    fn cl111_published_to_the_default_ports_of_a_moved_gateway() {
        let moved = |name: &str| gateway(name).no_profile().port(19000);
        let h = host([moved("acme")
            .published("0.0.0.0", 19000, 18789)
            .published("0.0.0.0", 19001, 18790)
            .published("0.0.0.0", 8081, 8081)]);
        let f = h.finding(PUBLISHED_PORT_UNBOUND);
        assert_eq!(
            f.message,
            "acme publishes to container ports 18789 and 18790, OpenClaw's default ports, but its gateway listens on 19000 in the container: nothing answers there"
        );
        let labels = labels(&f);
        assert_eq!(labels.len(), 3, "{labels:?}");
        assert!(
            labels[1].ends_with("its MCP Apps sandbox port is 19001"),
            "{labels:?}"
        );

        let h = host([moved("acme").published("0.0.0.0", 19000, 19000)]);
        assert!(h.findings(PUBLISHED_PORT_UNBOUND).is_empty());
        let h = host([gateway("acme")
            .no_profile()
            .published("0.0.0.0", 18900, 18789)]);
        assert!(h.findings(PUBLISHED_PORT_UNBOUND).is_empty());
    }

    #[test]
    fn cl108_a_published_port_meets_a_native_gateway_port() {
        let host = host([
            gateway("default"),
            gateway("acme")
                .no_profile()
                .published("0.0.0.0", 18789, 18789),
        ]);
        let f = host.finding(PUBLISHED_PORT_COLLISION);
        assert_eq!(
            f.message,
            "host port 18789/tcp is published by a container and also taken by another gateway: \"default\" and \"acme\""
        );
        assert_eq!(parties(&f), ["default", "acme"]);
        let labels = labels(&f);
        assert!(
            labels[0].contains("gateway port 18789 on 127.0.0.1"),
            "{labels:?}"
        );
        assert_eq!(
            labels[1],
            "acme: publishes 0.0.0.0:18789 -> container port 18789"
        );
        // Past the native footprint 18789..18899: the one allocator's next free host port.
        let help = f.help.as_deref().unwrap();
        assert!(
            help.contains("`\"18900:18789\"` under acme's ports"),
            "{help}"
        );
        // The container's own 18789 is in its namespace: no CL101/CL102 for it.
        assert!(host.findings(GATEWAY_PORT_COLLISION).is_empty());
        assert!(host.findings(LISTENER_COLLISION).is_empty());
    }

    #[test]
    fn cl108_two_containers_on_one_address_collide() {
        let host = host([
            gateway("a")
                .no_profile()
                .published("127.0.0.1", 19300, 18789),
            gateway("b").no_profile().published("0.0.0.0", 19300, 18789),
        ]);
        let f = host.finding(PUBLISHED_PORT_COLLISION);
        assert_eq!(parties(&f), ["a", "b"]);
    }

    #[test]
    fn cl108_lookalike_different_addresses_and_internal_ports() {
        // Both listen on 18789 inside; one publishes on a LAN address the loopback-bound
        // native gateway does not use, the other on a loopback port of its own.
        let host = host([
            gateway("default"),
            gateway("lan")
                .no_profile()
                .published("192.0.2.10", 18789, 18789),
            gateway("own")
                .no_profile()
                .published("127.0.0.1", 19300, 18789),
        ]);
        assert!(host.findings(PUBLISHED_PORT_COLLISION).is_empty());
        assert!(host.findings(GATEWAY_PORT_COLLISION).is_empty());
    }

    /// The linear pass keeps exactly the parties the all-pairs definition keeps, on groups
    /// of one port with few gateways and addresses (many overlaps) and many (few).
    #[test]
    fn overlapping_another_gateway_agrees_with_all_pairs() {
        use crate::container::HostAddr;
        let mut rng = crate::xorshift::Rng(0x5eed);
        let mut kept = Vec::new();
        for round in 0..400 {
            let len = 1 + rng.below(40) as usize;
            let spread = 1 + round % 12u64;
            let gateways: Vec<usize> = (0..len).map(|_| rng.below(spread) as usize).collect();
            let addrs: Vec<HostAddr> = (0..len)
                .map(|_| match rng.below(spread + 1) {
                    0 => HostAddr::Any,
                    n => HostAddr::Ip(format!("192.0.2.{n}")),
                })
                .collect();
            let all_pairs: Vec<usize> = (0..len)
                .filter(|&a| {
                    (0..len).any(|b| gateways[b] != gateways[a] && addrs[a].overlaps(&addrs[b]))
                })
                .collect();
            let borrowed: Vec<&HostAddr> = addrs.iter().collect();
            // Whatever the list held before (the previous round's) is replaced.
            super::overlapping_another_gateway(&gateways, &borrowed, &mut kept);
            assert_eq!(kept, all_pairs, "{gateways:?} {addrs:?}");
        }
    }

    /// Many containers publishing one host port: each on an address of its own collides with
    /// nothing; one more on every address collides with all of them, in one finding.
    #[test]
    fn cl108_many_containers_on_one_port() {
        const MANY: usize = 300;
        let own_addresses = || {
            (0..MANY).map(|k| {
                gateway(&format!("c{k}")).no_profile().published(
                    &format!("10.0.{}.{}", k / 250, 1 + k % 250),
                    19300,
                    18789,
                )
            })
        };
        assert!(host(own_addresses())
            .findings(PUBLISHED_PORT_COLLISION)
            .is_empty());
        let every = gateway("every")
            .no_profile()
            .published("0.0.0.0", 19300, 18789);
        let f = host(own_addresses().chain([every])).finding(PUBLISHED_PORT_COLLISION);
        let named = parties(&f);
        assert_eq!(named.len(), MANY + 1);
        assert_eq!(named[0], "c0");
        assert_eq!(named[MANY], "every");
    }

    #[test]
    fn cl108_two_fleets_in_different_state_dirs_take_the_same_port() {
        let host = host([
            gateway("cell-a")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
            gateway("cell-b")
                .no_profile()
                .fleet_cell(".openclaw-ops/state/openclaw.sqlite", 19100),
        ]);
        let f = host.finding(PUBLISHED_PORT_COLLISION);
        assert_eq!(parties(&f), ["cell-a", "cell-b"]);
        let help = f.help.as_deref().unwrap();
        assert!(
            help.contains("openclaw fleet create cell-b --port"),
            "{help}"
        );
    }

    #[test]
    fn cl108_a_fleet_cell_on_a_native_gateways_port() {
        // A native gateway moved to 19100, where `openclaw fleet create` put the first cell
        // (published on 127.0.0.1, where the native gateway binds by default).
        let host = host([
            gateway("ops").port(19100),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
        ]);
        let f = host.finding(PUBLISHED_PORT_COLLISION);
        assert_eq!(parties(&f), ["ops", "acme"]);
        // Look-alike: the cell one port above the native gateway's own port, on its MCP
        // sandbox 19101, still collides (a listener, not only the base port) ...
        let sandbox = host_with_cell_at(19101);
        assert_eq!(
            parties(&sandbox.finding(PUBLISHED_PORT_COLLISION)),
            ["ops", "acme"]
        );
        // ... but a cell above every fixed listener of it does not.
        assert!(host_with_cell_at(19300)
            .findings(PUBLISHED_PORT_COLLISION)
            .is_empty());
    }

    fn host_with_cell_at(port: u16) -> crate::rules::testing::Host {
        host([
            gateway("ops").port(19100),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", port),
        ])
    }

    #[test]
    fn cl108_a_published_port_meets_a_host_network_containers_listener() {
        // The host-network container's gateway binds 19300 on the host itself; the other
        // container publishes 19300 on every address.
        let meets = host([
            gateway("hostnet").port(19300).host_network(),
            gateway("acme")
                .no_profile()
                .published("0.0.0.0", 19300, 18789),
        ]);
        let f = meets.finding(PUBLISHED_PORT_COLLISION);
        assert_eq!(parties(&f), ["hostnet", "acme"]);
        // Look-alike: published on another port, or the host-network container's port only
        // inside another container's namespace: nothing.
        let apart = host([
            gateway("hostnet").port(19300).host_network(),
            gateway("acme")
                .no_profile()
                .published("0.0.0.0", 19500, 19300),
        ]);
        assert!(apart.findings(PUBLISHED_PORT_COLLISION).is_empty());
    }

    #[test]
    fn cl109_a_native_footprint_where_the_next_cell_goes() {
        // `openclaw --dev` runs on 19001: its footprint reaches 19111, and the registry's
        // cells hold 19100 and 19101, so the next create takes 19102.
        let host = host([
            gateway("dev").port(19001),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
            gateway("globex")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19101),
        ]);
        let f = host.finding(PORT_IN_FLEET_BAND);
        assert_eq!(
            f.message,
            "the next `openclaw fleet create` of the fleet in /home/claw/.openclaw/state/openclaw.sqlite takes host port 19102, inside \"dev\"'s ports 19001..19111"
        );
        assert_eq!(parties(&f), ["dev", "acme"]);
        assert!(f.help.as_deref().unwrap().contains("at most 18989"));
    }

    /// Several gateways reached by the same create of two registries: one finding naming them
    /// all, each gateway and each registry labelled.
    #[test]
    fn cl109_gateways_and_registries_reached_alike_are_one_finding() {
        let host = host([
            gateway("dev").port(19001),
            gateway("qa").port(19050),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19300),
            gateway("beta")
                .no_profile()
                .fleet_cell(".openclaw-ops/state/openclaw.sqlite", 19300),
        ]);
        let f = host.finding(PORT_IN_FLEET_BAND);
        assert_eq!(
            f.message,
            "the next `openclaw fleet create` of each of the fleets in /home/claw/.openclaw/state/openclaw.sqlite and /home/claw/.openclaw-ops/state/openclaw.sqlite takes host port 19100, inside the ports of \"dev\" and \"qa\""
        );
        assert_eq!(parties(&f), ["dev", "qa", "acme", "beta"]);
        assert_eq!(
            f.help.as_deref().unwrap(),
            "move \"dev\" and \"qa\" to base ports of at most 18989 (their footprints then end below 19100), or create cells with an explicit `openclaw fleet create TENANT --port N` clear of them"
        );
    }

    /// A gateway is reported at the earliest create that reaches it over all registries, once:
    /// the fleet whose next create takes 19100, not the one whose next takes 19101.
    #[test]
    fn cl109_a_gateway_at_its_earliest_create_only() {
        let host = host([
            gateway("dev").port(19001),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
            gateway("beta")
                .no_profile()
                .fleet_cell(".openclaw-ops/state/openclaw.sqlite", 19300),
        ]);
        let f = host.finding(PORT_IN_FLEET_BAND);
        assert!(
            f.message.contains("fleet in /home/claw/.openclaw-ops/"),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("takes host port 19100,"),
            "{}",
            f.message
        );
        assert_eq!(parties(&f), ["dev", "beta"]);
    }

    /// Many registries predicting the same ports and many gateways they reach: one finding,
    /// each party named once (one finding per pair grew with their product).
    #[test]
    fn cl109_many_registries_and_gateways_grow_the_output_linearly() {
        const MANY: usize = 60;
        let natives = (0..MANY).map(|k| gateway(&format!("n{k}")).port(19100));
        let cells = (0..MANY).map(|k| {
            gateway(&format!("c{k}"))
                .no_profile()
                .fleet_cell(&format!(".openclaw-p{k}/state/openclaw.sqlite"), 19300)
        });
        let f = host(natives.chain(cells)).finding(PORT_IN_FLEET_BAND);
        assert_eq!(f.labels.len(), 2 * MANY);
        assert!(f
            .message
            .starts_with("the next `openclaw fleet create` of each of the fleets in "));
        // The registries (in path order) and the gateways are named four each, then counted.
        assert!(
            f.message.contains(&format!(
                "p11/state/openclaw.sqlite and {} more takes host port 19100",
                MANY - 4
            )),
            "{}",
            f.message
        );
        assert!(
            f.message
                .ends_with(&format!("\"n3\" and {} more", MANY - 4)),
            "{}",
            f.message
        );
    }

    /// A gateway's pinned listener outside its footprint where a create lands: reached there.
    #[test]
    fn cl109_a_pinned_listener_in_the_band() {
        // Cells on 19100..=19104: the next creates take 19105 on, the 3rd 19107, where "ops"
        // (footprint 18789..18899) pins a CDP port.
        let mut gateways = vec![gateway("ops").set("browser.profiles.work.cdpPort", "19107")];
        gateways.extend((0..5).map(|k| {
            gateway(&format!("c{k}"))
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100 + k)
        }));
        let f = host(gateways).finding(PORT_IN_FLEET_BAND);
        assert!(
            f.message
                .starts_with("the 3rd `openclaw fleet create` from now"),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("takes host port 19107,"),
            "{}",
            f.message
        );
    }

    #[test]
    fn cl109_group_human() {
        let host = host([
            gateway("dev").port(19001),
            gateway("qa").port(19050),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19300),
            gateway("beta")
                .no_profile()
                .fleet_cell(".openclaw-ops/state/openclaw.sqlite", 19300),
        ]);
        insta::assert_snapshot!("CL109-group", host.human(PORT_IN_FLEET_BAND));
    }

    #[test]
    fn cl108_human() {
        let host = host([
            gateway("default"),
            gateway("acme")
                .no_profile()
                .published("0.0.0.0", 18789, 18789),
        ]);
        insta::assert_snapshot!("CL108", host.human(PUBLISHED_PORT_COLLISION));
    }

    #[test]
    fn cl109_human() {
        let host = host([
            gateway("dev").port(19001),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
        ]);
        insta::assert_snapshot!("CL109", host.human(PORT_IN_FLEET_BAND));
    }

    #[test]
    fn cl109_lookalike_native_below_the_band() {
        let host = host([
            gateway("default"),
            gateway("acme")
                .no_profile()
                .fleet_cell(".openclaw/state/openclaw.sqlite", 19100),
        ]);
        assert!(host.findings(PORT_IN_FLEET_BAND).is_empty());
    }
}
