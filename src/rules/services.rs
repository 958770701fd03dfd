//! Service rules (CL4xx): what supervisors do to the gateways they start: port drift,
//! duplicate supervisors, foreign profiles, names, and restart policies.

use crate::catalog;

use super::group::{both_or_all, distinct, names, party, shared_across_instances};
use super::ports::port_party;
use super::RuleContext;
use crate::diagnostic::{listed, Finding, Label};
use crate::invocation::ManagerEnvPart;
use crate::load::env::EnvOrigin;
use crate::paths::FastMap;
use crate::paths::{display_home_relative, PathKeys};
use crate::resolve::profile::profile_state_dir;
use crate::resolve::{Instance, Origin, PortKind, ServiceFile, Unverifiable};
use std::borrow::Cow;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for instance in ctx.instances {
        out.extend(port_drift(instance));
        out.extend(duplicate_supervisors(instance));
        out.extend(foreign_profile(instance, ctx.keys));
        out.extend(name_mismatch(instance));
        out.extend(restart_without_78(instance));
        out.extend(unverifiable_gateway(instance));
    }
    out.extend(unportable_profile_names(ctx.instances));
    out.extend(shared_sandbox_containers(ctx.instances));
    out.extend(shared_service_names(ctx.instances));
    out.extend(
        ctx.instances
            .iter()
            .filter_map(super::containers::compose_runs_disagree),
    );
    out.extend(
        ctx.instances
            .iter()
            .filter_map(super::containers::compose_project_clash),
    );
    out.extend(
        ctx.instances
            .iter()
            .filter_map(super::containers::compose_unseen_values),
    );
    out
}

/// CL409: a supervisor runs something clawlint cannot read, or gives the gateway variables
/// it may or may not set (a conditional `export`), so values OpenClaw would resolve from what
/// is hidden (port, profile, state dir, config path) are unverifiable: the gateway is kept out
/// of every comparison on them, and this says so where the supervisor says what it runs.
fn unverifiable_gateway(instance: &Instance) -> Option<Finding> {
    if instance.unverifiable.is_empty() {
        return None;
    }
    let service = instance.service.as_ref()?;
    // At most the four kinds, each once: named in full.
    let what = listed(instance.unverifiable.iter().map(|u| u.describe()));
    let fallback: Vec<String> = instance
        .unverifiable
        .iter()
        .map(|u| match u {
            Unverifiable::Port => format!("gateway port {}", instance.port.value),
            Unverifiable::Profile => match &instance.profile {
                Some(p) => format!("profile \"{}\"", p.value),
                None => "the default profile".to_string(),
            },
            Unverifiable::StateDir => format!(
                "state dir {}",
                display_home_relative(&instance.state_dir.value, &instance.os_home)
            ),
            Unverifiable::ConfigPath => format!(
                "config {}",
                display_home_relative(&instance.config_path.value, &instance.os_home)
            ),
        })
        .collect();
    let how = &service.how;
    let (how, why, only_if, help) = match (&how.opaque, how.maybe_set.as_slice(), how.unknown_values.as_slice(), how.manager_may_set.as_slice()) {
        (Some(why), ..) => (
            "through a command clawlint cannot read".to_string(),
            why.clone(),
            Some("only if what it runs passes no --port or --profile"),
            "make the command readable (a script inside the scanned layout whose gateway line is static), or set what it hides in the supervisor itself: `--port`/OPENCLAW_GATEWAY_PORT, OPENCLAW_PROFILE, OPENCLAW_STATE_DIR",
        ),
        (None, [], [], []) => return None,
        (None, [], [], names) => {
            let names = names.join(", ");
            let part = how.manager_unread.unwrap_or(ManagerEnvPart::DefaultEnvironment);
            let (how, help) = match part {
                ManagerEnvPart::DefaultEnvironment => (
                    format!("under a systemd manager whose DefaultEnvironment= clawlint read only up to its budget (past it, {names} may be set)"),
                    "set what the gateway needs in the unit itself (its Environment= wins over the manager's DefaultEnvironment=), and keep DefaultEnvironment= to the few variables every unit needs",
                ),
                ManagerEnvPart::EnvironmentD => (
                    format!("under a user manager whose environment.d files clawlint read only up to its budget (past it, {names} may be set)"),
                    "set what the gateway needs in the unit itself (its Environment= wins over what environment.d gives the user manager), and keep environment.d files to the few variables every unit needs",
                ),
            };
            let unread = match part {
                ManagerEnvPart::DefaultEnvironment => "the manager's DefaultEnvironment=",
                ManagerEnvPart::EnvironmentD => "the user manager's environment.d files",
            };
            let why = format!(
                "the part of {unread} past clawlint's budget (see CL907) may set {names}, and this unit sets none of them itself"
            );
            (how, why, None, help)
        }
        (None, [], names, _) => {
            let names = names.join(", ");
            (
                format!("with {names} set to a value clawlint cannot work out"),
                format!("the value {names} gets is made of a shell variable with no value or a command substitution clawlint does not evaluate"),
                None,
                "write the value literally where the supervisor or its script sets it (or in an env file it reads), so that what the gateway gets can be checked",
            )
        }
        (None, names, ..) => (
            format!(
                "with {} set by an `export` that may or may not run",
                names.join(", ")
            ),
            format!(
                "whether {} reaches the gateway depends on a test clawlint cannot answer",
                names.join(", ")
            ),
            None,
            "export the value unconditionally, or set it in the supervisor itself (`--port` on the command line wins over OPENCLAW_GATEWAY_PORT; OPENCLAW_STATE_DIR, OPENCLAW_PROFILE in its environment)",
        ),
    };
    Some(
        Finding::new(
            &catalog::UNVERIFIABLE_GATEWAY,
            format!(
                "{} starts gateway \"{}\" {how}: its {what} cannot be verified",
                service.name, instance.name
            ),
        )
        .label(service_label(instance, service, &why))
        .note(match only_if {
            Some(only_if) => format!(
                "{only_if} would OpenClaw use {}; clawlint does not guess, and leaves these values out of every collision check",
                fallback.join(", ")
            ),
            None => format!(
                "clawlint does not assume {} (what the config and OpenClaw's defaults give without that variable), and leaves these values out of every collision check",
                fallback.join(", ")
            ),
        })
        .help(help),
    )
}

/// CL408: two gateways whose service would have the same name (the same profile): installing
/// one replaces the other's unit.
fn shared_service_names(instances: &[Instance]) -> Vec<Finding> {
    // Only gateways `gateway install` would install: found in a home, not yet supervised,
    // and without OPENCLAW_HOME (service install refuses while it is set).
    let installable = |inst: &Instance| {
        inst.service.is_none()
            && matches!(inst.discovery, crate::resolve::Discovery::HomeDir(_))
            && inst.env.get("OPENCLAW_HOME").is_none()
    };
    let items = instances
        .iter()
        .enumerate()
        .filter(|(_, inst)| installable(inst))
        // Each account installs into its own home (`~/.config/systemd/user`,
        // `~/Library/LaunchAgents`) and its own manager: one name in two homes is two services.
        .map(|(i, inst)| ((inst.service_names().systemd_unit, &inst.home), i, inst))
        .collect();
    shared_across_instances(items)
        .into_iter()
        .map(|((unit, _), parties)| {
            let involved = distinct(instances, &parties);
            let mut finding = Finding::new(
                &catalog::SHARED_SERVICE_NAME,
                format!("gateways {} would be installed as the same service {unit}", names(&involved)),
            )
            .note("service names follow OPENCLAW_PROFILE only; `gateway install` for one gateway rewrites the other's unit, LaunchAgent and scheduled task")
            .help("give each gateway its own profile (and start it with `--profile NAME`)");
            for (_, inst) in &parties {
                let what = match &inst.profile {
                    Some(p) => format!("profile {} → {unit}", p.value),
                    None => format!("default profile → {unit}"),
                };
                let origin = inst
                    .profile
                    .as_ref()
                    .map_or_else(|| Origin::Default("no OPENCLAW_PROFILE".into()), |p| p.origin.clone());
                finding = finding.label(party(inst, &what, &origin));
            }
            finding
        })
        .collect()
}

/// CL407: two gateways' sandboxes use the same fixed Docker container name.
fn shared_sandbox_containers(instances: &[Instance]) -> Vec<Finding> {
    let items = instances
        .iter()
        .enumerate()
        .filter(|(_, inst)| inst.runs())
        .flat_map(|(i, inst)| {
            inst.agents
                .iter()
                .flat_map(|a| a.shared_containers.iter().map(move |c| (a, c)))
                .map(move |(agent, container)| (container.value.clone(), i, (agent, container)))
        })
        .collect();
    let mut out = Vec::new();
    for (name, parties) in shared_across_instances(items) {
        let involved = distinct(instances, &parties);
        let mut finding = Finding::new(
            &catalog::SHARED_SANDBOX_CONTAINER,
            format!("gateways {} {} run their shared sandbox in the Docker container {name}", names(&involved), both_or_all(involved.len())),
        )
        .note("on one Docker daemon that is one container: each gateway's agents run tools in, and reset, the other's sandbox")
        .help("give each gateway its own `agents.defaults.sandbox.docker.containerPrefix` (and `browser.containerPrefix`)");
        for (i, (agent, container)) in &parties {
            let what = format!(
                "sandbox of agent \"{}\": container {}",
                agent.id, container.value
            );
            finding = finding.label(party(&instances[*i], &what, &container.origin));
        }
        out.push(finding);
    }
    out
}

fn service_label(instance: &Instance, service: &ServiceFile, what: &str) -> Label {
    Label::new(
        Some(service.loc),
        format!("{}: {what}", instance.name),
        Some(&instance.name),
    )
}

/// Did the supervisor, rather than the config, set the port?
fn port_from_service(instance: &Instance) -> bool {
    match instance.port_kind {
        PortKind::ServiceArgument => true,
        PortKind::Env => matches!(
            &instance.port.origin,
            Origin::Env(env) if matches!(env.set_by, EnvOrigin::Service(_))
        ),
        _ => false,
    }
}

/// CL401: the unit's `--port`/`OPENCLAW_GATEWAY_PORT` is not the config's `gateway.port`.
fn port_drift(instance: &Instance) -> Option<Finding> {
    let service = instance.service.as_ref()?;
    let config = instance.config_port.as_ref()?;
    if !port_from_service(instance) || config.value == instance.port.value {
        return None;
    }
    // OpenClaw crashes on this unit's OPENCLAW_PROFILE before it binds any port (CL909).
    if instance.crashes_on_profile() {
        return None;
    }
    Some(
        Finding::new(
            &catalog::SERVICE_PORT_DRIFT,
            format!(
                "{} starts {} on port {}, but its config says gateway.port {}",
                service.name,
                gateway_of(instance, &service.name),
                instance.port.value,
                config.value
            ),
        )
        .label(port_party(instance))
        .label(party(
            instance,
            format_args!("gateway.port {} (not used)", config.value),
            &config.origin,
        ))
        .note("the service's port wins; `openclaw doctor` reports this as gateway-port-mismatch")
        .help(drift_help(instance)),
    )
}

/// The gateway a supervisor's message is about: its name, or "its gateway" when the gateway
/// is named for that very supervisor (no valid profile names it) rather than named twice.
fn gateway_of(instance: &Instance, supervisor: &str) -> String {
    if instance.name == supervisor {
        "its gateway".to_string()
    } else {
        format!("\"{}\"", instance.name)
    }
}

/// CL401's way out. Re-installing renders the unit of the profile named on the command line,
/// so the command must name this gateway's profile. When the unit's `OPENCLAW_PROFILE` is one
/// OpenClaw refuses, there is no such command: a plain `gateway install --force` would install
/// the *default* gateway's service beside this one (openclaw-facts.md §1.1, §5.1).
fn drift_help(instance: &Instance) -> String {
    let port = instance.port.value;
    if refused_profile_env(instance) {
        return format!(
            "set gateway.port to {port}; OpenClaw's service install refuses this unit's \
             OPENCLAW_PROFILE (no valid profile name), so re-installing needs a valid name first (then `openclaw --profile NAME gateway \
             install --force`; without --profile it would install the default gateway's \
             service instead)"
        );
    }
    format!(
        "re-install the service from the config with `openclaw{} gateway install --force`, or set gateway.port to {port}",
        instance
            .profile
            .as_ref()
            .map_or(String::new(), |p| format!(" --profile {}", p.value)),
    )
}

/// The gateway's environment sets an `OPENCLAW_PROFILE` that OpenClaw refuses.
fn refused_profile_env(instance: &Instance) -> bool {
    instance
        .env
        .value("OPENCLAW_PROFILE")
        .is_some_and(crate::openclaw::is_refused_profile_name)
}

/// CL402: more than one supervisor starts the same gateway (state dir).
fn duplicate_supervisors(instance: &Instance) -> Option<Finding> {
    // A unit that runs `gateway start` starts the installed service: a trigger, not a second
    // supervisor.
    let all: Vec<&ServiceFile> = instance
        .service
        .as_deref()
        .into_iter()
        .chain(&instance.other_services)
        .filter(|s| !s.how.starts_installed_service)
        .collect();
    if all.len() < 2 {
        return None;
    }
    let names = listed(all.iter().map(|s| s.name.as_str()));
    let mut finding = Finding::new(
        &catalog::DUPLICATE_SUPERVISOR,
        format!(
            "{} supervisors start gateway \"{}\" (state dir {}): {}",
            all.len(),
            instance.name,
            display_home_relative(&instance.state_dir.value, &instance.os_home),
            names
        ),
    )
    .note("the second copy finds the state dir locked and exits 78, or, without RestartPreventExitStatus=78, restarts forever")
    .help("disable and remove all but one (`systemctl --user disable --now NAME` for a user unit, `sudo systemctl disable --now NAME` for a system unit, `launchctl bootout gui/$UID/LABEL` for a LaunchAgent; `openclaw doctor` offers to remove legacy clawdbot-gateway units)");
    for service in all {
        let port = service
            .port
            .as_ref()
            .map_or(String::new(), |p| format!(" on port {}", p.value));
        finding = finding.label(service_label(
            instance,
            service,
            &format!("{} ({}){port}", service.name, service.kind),
        ));
    }
    Some(finding)
}

/// The profile a supervisor means to run, and whether it says so in its own environment
/// (`OPENCLAW_PROFILE`) rather than only by its name.
fn intended_profile(instance: &Instance, service: &ServiceFile) -> Option<(Option<String>, bool)> {
    let from_env = instance.profile.as_ref().filter(|p| {
        matches!(&p.origin, Origin::Env(env) if matches!(env.set_by, EnvOrigin::Service(loc) if loc.file == service.loc.file))
    });
    match from_env {
        Some(p) => Some((Some(p.value.clone()), true)),
        None => crate::openclaw::profile_of_service_name(&service.name).map(|p| (p, false)),
    }
}

/// The profile whose canonical dir `dir` is (`~/.openclaw` is the default profile's).
fn owner_of_profile_dir(dir: &std::path::Path) -> String {
    match dir.file_name().and_then(|n| n.to_str()) {
        Some(".openclaw") | None => "the default profile's".to_string(),
        Some(name) => format!(
            "profile \"{}\"'s",
            name.strip_prefix(".openclaw-").unwrap_or(name)
        ),
    }
}

/// CL403: a supervisor for one profile runs in another profile's state dir or config.
fn foreign_profile(instance: &Instance, keys: &PathKeys) -> Vec<Finding> {
    let services = instance
        .service
        .as_deref()
        .into_iter()
        .chain(&instance.other_services);
    services
        .filter_map(|service| {
            // Judged with the profile this supervisor itself gives the gateway.
            let started = instance.as_started_by(service);
            let own = started
                .service
                .as_deref()
                .filter(|_| !std::ptr::eq(started, instance));
            foreign_for(started, keys, own.unwrap_or(service))
        })
        .collect()
}

fn foreign_for(instance: &Instance, keys: &PathKeys, service: &ServiceFile) -> Option<Finding> {
    // A profile OpenClaw refuses runs nothing (CL909 says so); which profile the unit meant
    // is no question a profile name can answer.
    if !instance.knows(Unverifiable::StateDir) || refused_profile_env(instance) {
        return None;
    }
    let (intended, said_in_env) = intended_profile(instance, service)?;
    // A supervisor that names a profile only by its file name or label while the gateway it
    // starts runs another profile: the name is what disagrees (CL404 says so), not settings
    // carried over from another profile.
    let primary = instance
        .service
        .as_deref()
        .is_some_and(|s| std::ptr::eq(s, service));
    let runs = instance.profile.as_ref().map(|p| p.value.clone());
    if !said_in_env && primary && instance.knows(Unverifiable::Profile) && runs != intended {
        return None;
    }
    let own = profile_state_dir(&instance.home, intended.as_deref().unwrap_or("default"));
    let state = &instance.state_dir;
    let config_dir = instance.config_path.value.parent()?.to_path_buf();
    // Another profile's config is the file its gateway reads there (`openclaw.json`, legacy
    // `clawdbot.json`): a file of its own beside it (lostsock1/ocm's
    // `~/.openclaw/openclaw-worker1.json`, with a state dir of its own) is no other profile's.
    let config_name = instance.config_path.value.file_name();
    let others_config = config_name.is_some_and(|n| n == "openclaw.json" || n == "clawdbot.json");
    let candidates = [
        (&state.value, "state dir", &state.origin, true),
        (
            &config_dir,
            "config",
            &instance.config_path.origin,
            others_config,
        ),
    ];
    let (dir, what, origin, _) = candidates.into_iter().find(|(dir, _, _, carried)| {
        *carried && is_profile_dir(dir, &instance.home) && keys.key(dir) != keys.key(&own)
    })?;
    // Point at this supervisor's own setting when it has one (a merged gateway keeps the
    // environment of its first supervisor).
    let own_setting = service
        .state_dir_loc
        .filter(|_| what == "state dir")
        .map(Origin::Config);
    let origin = own_setting.as_ref().unwrap_or(origin);
    Some(
        Finding::new(
            &catalog::UNIT_FOREIGN_PROFILE,
            format!(
                "{} {} but its {} {} {} ({} dir)",
                service.name,
                match said_in_env {
                    true => format!(
                        "sets OPENCLAW_PROFILE={}",
                        intended.as_deref().unwrap_or("default")
                    ),
                    false => format!(
                        "is named for profile \"{}\"",
                        intended.as_deref().unwrap_or("default")
                    ),
                },
                what,
                if what == "config" { "is in" } else { "is" },
                display_home_relative(dir, &instance.os_home),
                owner_of_profile_dir(dir)
            ),
        )
        .label(party(
            instance,
            format_args!("{what} {}", display_home_relative(dir, &instance.os_home)),
            origin,
        ))
        .label(service_label(instance, service, &service.name))
        .help(format!(
            "point it at {} (or re-render it with `openclaw --profile {} gateway install --force`)",
            display_home_relative(&own, &instance.os_home),
            intended.as_deref().unwrap_or("default")
        )),
    )
}

fn is_profile_dir(dir: &std::path::Path, home: &std::path::Path) -> bool {
    dir.parent() == Some(home)
        && dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n == ".openclaw" || n.starts_with(".openclaw-"))
}

/// CL404: the service name says one profile, its environment another.
fn name_mismatch(instance: &Instance) -> Option<Finding> {
    let service = instance.service.as_ref()?;
    if !instance.knows(Unverifiable::Profile) || refused_profile_env(instance) {
        return None;
    }
    let named = crate::openclaw::profile_of_service_name(&service.name)?;
    let runs = instance.profile.as_ref().map(|p| p.value.clone());
    if named == runs {
        return None;
    }
    let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "default".to_string());
    let mut finding = Finding::new(
        &catalog::SERVICE_NAME_MISMATCH,
        format!(
            "{} is named for profile \"{}\" but runs profile \"{}\"",
            service.name,
            show(&named),
            show(&runs)
        ),
    )
    .label(service_label(instance, service, &service.name))
    .help(format!(
        "OpenClaw names services after OPENCLAW_PROFILE: profile \"{}\" expects {}",
        show(&runs),
        expected_name(instance, service.kind)
    ));
    if let Some(profile) = &instance.profile {
        finding = finding.label(party(
            instance,
            format_args!("OPENCLAW_PROFILE={}", profile.value),
            &profile.origin,
        ));
    }
    Some(finding)
}

/// The name OpenClaw gives the gateway's service on this supervisor's platform.
fn expected_name(instance: &Instance, kind: crate::invocation::ServiceKind) -> String {
    let names = instance.service_names();
    match kind {
        crate::invocation::ServiceKind::Launchd => names.launchd_label,
        crate::invocation::ServiceKind::WindowsTask => names.windows_task,
        _ => names.systemd_unit,
    }
}

/// The profile's party, shown at the config file when the profile came from a flag.
fn profile_party(instance: &Instance) -> Label {
    let profile = instance
        .profile
        .as_ref()
        .expect("only called with a profile");
    let mut label = party(
        instance,
        format_args!("profile {}", profile.value),
        &profile.origin,
    );
    if label.loc.is_none() {
        label.loc = Some(instance.config_loc);
    }
    label
}

/// CL406: a unit that restarts the gateway after exit code 78: `Restart=always` without
/// `RestartPreventExitStatus=78`, or `Restart=on-failure` (78 is a failure) without it or
/// `SuccessExitStatus=78`. A loser spends 5 to 10 s retrying the lock or the bind before it
/// exits, so systemd's start limit (5 starts in 10 s) never stops the loop.
fn restart_without_78(instance: &Instance) -> Vec<Finding> {
    let services = instance
        .service
        .as_deref()
        .into_iter()
        .chain(&instance.other_services);
    let has_78 = |codes: &[String]| codes.iter().any(|code| code == "78");
    // The units that restart it, grouped by their `Restart=` line: the instances of one
    // template share it, and its one fix.
    let mut groups: Vec<(&ServiceFile, &'static str, Vec<&str>)> = Vec::new();
    for s in services.filter(|s| s.kind.is_systemd()) {
        let Some(restart) = s.restart.as_ref() else {
            continue;
        };
        let how = match restart.value.as_str() {
            "always" => "always but not on exit code 78",
            "on-failure" if !has_78(&s.success_exit_status) => {
                "on failure, which includes exit code 78"
            }
            _ => continue,
        };
        if has_78(&s.prevent_exit_status) {
            continue;
        }
        let line = restart.origin.loc();
        match groups.iter_mut().find(|(first, h, _)| {
            *h == how
                && line.is_some()
                && first.restart.as_ref().and_then(|r| r.origin.loc()) == line
        }) {
            Some((_, _, names)) => names.push(&s.name),
            None => groups.push((s, how, vec![&s.name])),
        }
    }
    groups
        .into_iter()
        .map(|(s, how, names)| {
            let restart = s.restart.as_ref().expect("grouped by its Restart=");
            let (units, verb) = match names.len() {
                1 => (s.name.clone(), "restarts"),
                _ => (listed(names.iter().copied()), "restart"),
            };
            Finding::new(
                &catalog::RESTART_WITHOUT_EXIT_78,
                format!("{units} {verb} {} {how}", gateway_of(instance, &s.name)),
            )
            .label(party(instance, format!("Restart={}", restart.value), &restart.origin))
            .note("a gateway that finds another one already running exits with 78 after retrying for 5 to 10 s; without RestartPreventExitStatus=78 systemd restarts it in a loop that its start limit never stops")
            .help("add `RestartPreventExitStatus=78` to the [Service] section, as OpenClaw's own units have")
        })
        .collect()
}

/// CL405: profile names OpenClaw refuses for services on macOS/Windows, and names that
/// differ only by case (one directory on a case-insensitive file system).
fn unportable_profile_names(instances: &[Instance]) -> Vec<Finding> {
    let mut out = Vec::new();
    // Hashed, not kept in order: nearly every name is its own group, and only the few groups
    // of several spellings are put in order, below.
    let mut by_folded: FastMap<Cow<str>, Vec<&Instance>> =
        FastMap::with_capacity_and_hasher(instances.len(), Default::default());
    for instance in instances {
        let Some(profile) = &instance.profile else {
            continue;
        };
        by_folded
            .entry(folded(&profile.value))
            .or_default()
            .push(instance);
        let reason = match profile.value.as_str() {
            "gateway" | "node" => Some(
                "on macOS its LaunchAgent label would be ai.openclaw.".to_string()
                    + &profile.value
                    + ", which belongs to OpenClaw's own services",
            ),
            p if p != p.to_ascii_lowercase() => {
                Some("macOS and Windows refuse service profiles that are not lowercase".to_string())
            }
            _ => None,
        };
        if let Some(reason) = reason {
            out.push(
                Finding::new(
                    &catalog::UNPORTABLE_PROFILE_NAME,
                    format!(
                        "profile name \"{}\" cannot be installed as a service everywhere: {reason}",
                        profile.value
                    ),
                )
                .label(profile_party(instance))
                .help("use a lowercase name other than gateway and node"),
            );
        }
    }
    fn spelling(i: &Instance) -> Option<&str> {
        i.profile.as_ref().map(|p| p.value.as_str())
    }
    let mut spelled_apart: Vec<(Cow<str>, Vec<&Instance>)> = by_folded
        .into_iter()
        .filter(|(_, g)| g.iter().any(|i| spelling(i) != spelling(g[0])))
        .collect();
    spelled_apart.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, group) in &spelled_apart {
        let mut finding = Finding::new(
            &catalog::UNPORTABLE_PROFILE_NAME,
            format!(
                "profiles {} differ only by case: on macOS and Windows they are one state dir",
                names(group)
            ),
        )
        .help("rename one of them");
        for instance in group {
            finding = finding.label(profile_party(instance));
        }
        out.push(finding);
    }
    out
}

/// `name` in ASCII lower case, copied only when it has an upper-case letter.
fn folded(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        DUPLICATE_SUPERVISOR, RESTART_WITHOUT_EXIT_78, SERVICE_NAME_MISMATCH, SERVICE_PORT_DRIFT,
        SHARED_SANDBOX_CONTAINER, SHARED_SERVICE_NAME, UNIT_FOREIGN_PROFILE,
        UNPORTABLE_PROFILE_NAME,
    };
    use crate::rules::testing::{gateway, host, labels, parties, Host};

    /// A unit that starts "ops" on 19000 while its config says 18789.
    fn drifting_unit() -> Host {
        host([gateway("ops").port(18789).unit_port(19000)])
    }

    /// Two units that start the same gateway.
    fn two_units() -> Host {
        host([gateway("ops")
            .port(18789)
            .systemd_unit()
            .also_started_by("clawdbot-gateway-ops.service")])
    }

    /// Profiles "Ops" and "ops": one state dir where file names ignore case.
    fn case_pair() -> Host {
        host([gateway("Ops").port(18789), gateway("ops").port(18900)])
    }

    /// `Restart=always` without `RestartPreventExitStatus=78`.
    fn restart_always() -> Host {
        host([gateway("ops")
            .port(18789)
            .unit_restart(Some("always"), false)])
    }

    /// Two gateways whose agents share one sandbox container name.
    /// Two gateways of the default profile in state dirs of their own, neither supervised.
    fn two_default_profiles() -> Host {
        host([
            gateway("a")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/gw-a"),
            gateway("b")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/gw-b"),
        ])
    }

    /// Two gateways whose agents share one sandbox container name.
    fn shared_sandboxes() -> Host {
        host([
            shared_sandbox(gateway("a").port(18789)),
            shared_sandbox(gateway("b").port(18900)),
        ])
    }

    #[test]
    fn cl401_the_unit_starts_another_port_than_the_config_says() {
        let host = drifting_unit();
        let f = host.finding(SERVICE_PORT_DRIFT);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service starts \"ops\" on port 19000, but its config says gateway.port 18789"
        );
        assert_eq!(
            labels(&f),
            [
                "ops: gateway port 19000",
                "ops: gateway.port 18789 (not used)"
            ]
        );
        assert_eq!(
            f.help.as_deref(),
            Some("re-install the service from the config with `openclaw --profile ops gateway install --force`, or set gateway.port to 19000")
        );
    }

    #[test]
    fn cl401_not_when_they_agree() {
        let host = host([gateway("ops").port(18789).unit_port(18789)]);
        assert!(host.findings(SERVICE_PORT_DRIFT).is_empty());
    }

    #[test]
    fn cl402_two_units_start_one_gateway() {
        let host = two_units();
        let f = host.finding(DUPLICATE_SUPERVISOR);
        assert_eq!(
            f.message,
            "2 supervisors start gateway \"ops\" (state dir ~/.openclaw-ops): openclaw-gateway-ops.service and clawdbot-gateway-ops.service"
        );
        assert_eq!(
            labels(&f),
            [
                "ops: openclaw-gateway-ops.service (systemd-user)",
                "ops: clawdbot-gateway-ops.service (systemd-user)"
            ]
        );
    }

    /// Past five supervisors the message names four and counts the rest; every one is a label.
    #[test]
    fn cl402_many_units_are_counted_past_the_first_few() {
        let mut ops = gateway("ops").port(18789).systemd_unit();
        for i in 1..=7 {
            ops = ops.also_started_by(&format!("copy-{i}.service"));
        }
        let f = host([ops]).finding(DUPLICATE_SUPERVISOR);
        assert_eq!(
            f.message,
            "8 supervisors start gateway \"ops\" (state dir ~/.openclaw-ops): openclaw-gateway-ops.service, copy-1.service, copy-2.service, copy-3.service and 4 more"
        );
        assert_eq!(labels(&f).len(), 8);
    }

    #[test]
    fn cl402_not_for_one_unit() {
        let host = host([gateway("ops").port(18789).systemd_unit()]);
        assert!(host.findings(DUPLICATE_SUPERVISOR).is_empty());
    }

    /// A unit named for profile ops that runs profile rescue (a copied unit, edited halfway).
    fn copied_unit() -> Host {
        host([gateway("ops")
            .profile("rescue")
            .port(18789)
            .unit_name("openclaw-gateway-ops.service")])
    }

    /// Rescue's unit, and a unit named for profile ops copied from it and left starting rescue.
    fn copied_second_unit() -> Host {
        host([gateway("rescue")
            .port(19789)
            .systemd_unit()
            .also_started_by("openclaw-gateway-ops.service")])
    }

    #[test]
    fn cl403_a_unit_for_one_profile_in_anothers_state_dir() {
        let host = copied_second_unit();
        let f = host.finding(UNIT_FOREIGN_PROFILE);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service is named for profile \"ops\" but its state dir is ~/.openclaw-rescue (profile \"rescue\"'s dir)"
        );
        assert_eq!(
            f.help.as_deref(),
            Some("point it at ~/.openclaw-ops (or re-render it with `openclaw --profile ops gateway install --force`)")
        );
    }

    #[test]
    fn cl403_a_unit_that_sets_one_profile_and_anothers_state_dir() {
        let host = host([gateway("ops")
            .no_profile()
            .port(18789)
            .unit_name("openclaw-gateway-ops.service")
            .unit_env("OPENCLAW_PROFILE", "ops")
            .unit_env("OPENCLAW_STATE_DIR", "/home/claw/.openclaw-rescue")]);
        let f = host.finding(UNIT_FOREIGN_PROFILE);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service sets OPENCLAW_PROFILE=ops but its state dir is ~/.openclaw-rescue (profile \"rescue\"'s dir)"
        );
    }

    /// A unit whose name alone says ops while it runs profile rescue carries nothing of
    /// another profile: it runs rescue as rescue, and its name is what is wrong (CL404 alone).
    #[test]
    fn cl403_not_for_a_unit_whose_name_alone_disagrees() {
        let host = copied_unit();
        assert!(host.findings(UNIT_FOREIGN_PROFILE).is_empty());
        assert_eq!(host.findings(SERVICE_NAME_MISMATCH).len(), 1);
    }

    #[test]
    fn cl403_not_for_a_unit_of_its_own_profile() {
        let host = host([gateway("ops").port(18789).systemd_unit()]);
        assert!(host.findings(UNIT_FOREIGN_PROFILE).is_empty());
    }

    #[test]
    fn cl404_a_unit_named_for_another_profile() {
        let host = copied_unit();
        let f = host.finding(SERVICE_NAME_MISMATCH);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service is named for profile \"ops\" but runs profile \"rescue\""
        );
        assert_eq!(
            f.help.as_deref(),
            Some("OpenClaw names services after OPENCLAW_PROFILE: profile \"rescue\" expects openclaw-gateway-rescue.service")
        );
    }

    #[test]
    fn cl404_not_for_a_name_that_names_no_profile() {
        let host = host([gateway("ops").port(18789).unit_name("my-claw.service")]);
        assert!(host.findings(SERVICE_NAME_MISMATCH).is_empty());
    }

    #[test]
    fn cl405_an_upper_case_profile() {
        let host = host([gateway("Ops").port(18789)]);
        let f = host.finding(UNPORTABLE_PROFILE_NAME);
        assert_eq!(
            f.message,
            "profile name \"Ops\" cannot be installed as a service everywhere: macOS and Windows refuse service profiles that are not lowercase"
        );
    }

    #[test]
    fn cl405_profiles_that_differ_by_case() {
        let host = case_pair();
        let found = host.findings(UNPORTABLE_PROFILE_NAME);
        let pair = found
            .iter()
            .find(|f| f.message.contains("differ only by case"))
            .expect("the pair is reported");
        assert_eq!(
            pair.message,
            "profiles \"Ops\" and \"ops\" differ only by case: on macOS and Windows they are one state dir"
        );
        assert_eq!(parties(pair), ["Ops", "ops"]);
    }

    #[test]
    fn cl405_not_for_lowercase_names_with_dashes() {
        let host = host([gateway("ops-2").port(18789)]);
        assert!(host.findings(UNPORTABLE_PROFILE_NAME).is_empty());
    }

    #[test]
    fn cl406_restart_always_without_78() {
        let host = restart_always();
        let f = host.finding(RESTART_WITHOUT_EXIT_78);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service restarts \"ops\" always but not on exit code 78"
        );
        assert_eq!(labels(&f), ["ops: Restart=always"]);
    }

    /// `on-failure` restarts after 78 too (a failure); look-alikes: `on-abnormal`, which does
    /// not, and `on-failure` with the exemption.
    #[test]
    fn cl406_restart_on_failure_restarts_after_78() {
        let host = host([gateway("ops")
            .port(18789)
            .unit_restart(Some("on-failure"), false)]);
        let f = host.finding(RESTART_WITHOUT_EXIT_78);
        assert_eq!(
            f.message,
            "openclaw-gateway-ops.service restarts \"ops\" on failure, which includes exit code 78"
        );
        assert_eq!(labels(&f), ["ops: Restart=on-failure"]);
        for (restart, prevent) in [("on-abnormal", false), ("on-failure", true)] {
            let host = host_of_restart(restart, prevent);
            assert!(
                host.findings(RESTART_WITHOUT_EXIT_78).is_empty(),
                "{restart}"
            );
        }
    }

    fn host_of_restart(restart: &str, prevent_78: bool) -> crate::rules::testing::Host {
        host([gateway("ops")
            .port(18789)
            .unit_restart(Some(restart), prevent_78)])
    }

    fn shared_sandbox(g: crate::rules::testing::Gateway) -> crate::rules::testing::Gateway {
        g.set("agents.defaults.sandbox.mode", "\"all\"")
            .set("agents.defaults.sandbox.scope", "\"shared\"")
    }

    #[test]
    fn cl407_two_gateways_in_one_sandbox_container() {
        let host = shared_sandboxes();
        let found = host.findings(SHARED_SANDBOX_CONTAINER);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        // The sandbox and its browser: OpenClaw's default prefixes + "shared".
        assert_eq!(
            messages,
            [
                "gateways \"a\" and \"b\" both run their shared sandbox in the Docker container openclaw-sbx-browser-shared",
                "gateways \"a\" and \"b\" both run their shared sandbox in the Docker container openclaw-sbx-shared",
            ]
        );
    }

    #[test]
    fn cl407_not_for_per_agent_sandboxes() {
        let host = host([
            gateway("a").set("agents.defaults.sandbox.mode", "\"all\""),
            gateway("b").set("agents.defaults.sandbox.mode", "\"all\""),
        ]);
        assert!(host.findings(SHARED_SANDBOX_CONTAINER).is_empty());
    }

    #[test]
    fn cl408_two_default_profiles_would_install_one_service() {
        let host = two_default_profiles();
        let f = host.finding(SHARED_SERVICE_NAME);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" would be installed as the same service openclaw-gateway.service"
        );
        assert_eq!(
            labels(&f)[0],
            "a: default profile → openclaw-gateway.service (no OPENCLAW_PROFILE)"
        );
    }

    #[test]
    fn cl408_not_when_one_is_already_supervised() {
        let host = host([
            gateway("a")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/gw-a"),
            gateway("b")
                .no_profile()
                .env("OPENCLAW_STATE_DIR", "~/gw-b")
                .unit_name("claw-b.service"),
        ]);
        assert!(host.findings(SHARED_SERVICE_NAME).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).

    #[test]
    fn cl401_human() {
        let host = drifting_unit();
        insta::assert_snapshot!("CL401", host.human(SERVICE_PORT_DRIFT));
    }

    #[test]
    fn cl402_human() {
        let host = two_units();
        insta::assert_snapshot!("CL402", host.human(DUPLICATE_SUPERVISOR));
    }

    #[test]
    fn cl403_human() {
        insta::assert_snapshot!("CL403", copied_second_unit().human(UNIT_FOREIGN_PROFILE));
    }

    #[test]
    fn cl404_human() {
        insta::assert_snapshot!("CL404", copied_unit().human(SERVICE_NAME_MISMATCH));
    }

    #[test]
    fn cl405_human() {
        let host = case_pair();
        insta::assert_snapshot!("CL405", host.human(UNPORTABLE_PROFILE_NAME));
    }

    #[test]
    fn cl406_human() {
        let host = restart_always();
        insta::assert_snapshot!("CL406", host.human(RESTART_WITHOUT_EXIT_78));
    }

    #[test]
    fn cl407_human() {
        let host = shared_sandboxes();
        insta::assert_snapshot!("CL407", host.human(SHARED_SANDBOX_CONTAINER));
    }

    #[test]
    fn cl408_human() {
        let host = two_default_profiles();
        insta::assert_snapshot!("CL408", host.human(SHARED_SERVICE_NAME));
    }
}
