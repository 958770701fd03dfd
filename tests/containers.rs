//! Container gateways on small hosts written at test time: where discovery looks for compose
//! files and quadlets (named paths, the bounded scan's depth, `--root`'s `/opt` and
//! `/etc/containers/systemd`), and what only a whole run shows (a quadlet on the host
//! network, a udp publish, two mounts of one directory through a link).

mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;

/// The official stack's gateway service, publishing `ports` (YAML list items), with a gateway
/// token of its own (named after its ports), as the official `.env` gives it: bound `lan`, it
/// does not start without one.
fn compose_gateway(ports: &[&str]) -> String {
    let token: String = ports
        .concat()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let mut text = format!(
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-{token}\n    ports:\n",
    );
    for port in ports {
        text.push_str(&format!("      - \"{port}\"\n"));
    }
    text
}

fn write(base: &Path, rel: &str, text: &str) {
    let path = base.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A host whose user runs the default native gateway (18789, loopback).
fn host_with_native_gateway(name: &str) -> TempDir {
    let t = TempDir::new(name).kept_on_failure();
    write(
        &t,
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    t
}

/// `clawlint check --format json` on the host: exit code and the codes that fired.
fn check(t: &TempDir, extra: &[&str]) -> (i32, BTreeSet<String>, serde_json::Value) {
    let home = t.join("home").display().to_string();
    let mut args = vec!["check", "--home", &home, "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = clawlint(&args);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let codes = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (code, codes, json)
}

/// `clawlint COMMAND --no-default-home --no-config --format json FILES…` (compose files named,
/// no home scanned): exit code, JSON, and the stdout it was parsed from.
fn named_json(command: &str, files: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec![
        command,
        "--no-default-home",
        "--no-config",
        "--format",
        "json",
    ];
    args.extend_from_slice(files);
    let (code, stdout, stderr) = clawlint(&args);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (code, json, stdout)
}

/// The gateways `resolve` lists, by name.
fn gateway_names(t: &TempDir, extra: &[&str]) -> Vec<String> {
    resolved(t, extra)
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

/// `resolve` on the host, JSON: the instances.
fn resolved(t: &TempDir, extra: &[&str]) -> Vec<serde_json::Value> {
    resolved_in(&t.join("home"), extra)
}

/// `resolve --home home`, JSON: the instances.
fn resolved_in(home: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let home = home.display().to_string();
    let mut args = vec![
        "resolve",
        "--home",
        &home,
        "--no-config",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (_, stdout, stderr) = clawlint(&args);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    json["instances"].as_array().unwrap().clone()
}

/// The scan goes three directory levels below the home: a stack deeper than that is not
/// found (no CL108 for its 18789), and is read, and collides, when it is named as a path.
#[test]
fn a_compose_file_below_the_scan_depth_is_read_only_when_named() {
    let t = host_with_native_gateway("containers-depth");
    let deep = "home/clients/2026/acme/stack/docker-compose.yml";
    write(&t, deep, &compose_gateway(&["18789:18789"]));
    let (code, codes, _) = check(&t, &[]);
    assert_eq!(code, 0, "{codes:?}");
    assert!(!codes.contains("CL108"), "{codes:?}");
    let named = t.join(deep).display().to_string();
    let (code, codes, _) = check(&t, &[&named]);
    assert_eq!(code, 1);
    assert!(codes.contains("CL108"), "{codes:?}");
    // One level up, it is inside the scan.
    let t = host_with_native_gateway("containers-depth-3");
    write(
        &t,
        "home/clients/2026/acme/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL108"), "{codes:?}");
}

/// A compose file named with `--no-default-home` and no `--home` (a pre-commit hook on a
/// repository of stacks) is read: its gateway is found, its published ports compared, and what
/// it mounts from `~` or `$HOME`, the home of whoever runs compose, is left out (CL409), not
/// guessed; a relative mount and the project's `.env` beside it are read as ever.
#[test]
fn a_compose_file_named_without_a_home_is_read_and_its_home_left_unseen() {
    let t = TempDir::new("containers-no-home").kept_on_failure();
    let mut tenant = compose_gateway(&["18789:18789"]);
    tenant.push_str("    volumes:\n      - ${HOME}/.openclaw:/home/node/.openclaw\n");
    write(&t, "stacks/a/compose.yml", &tenant);
    let mut other = compose_gateway(&["${PORT}:18789"]);
    other.push_str("    volumes:\n      - ./state:/home/node/.openclaw\n");
    write(&t, "stacks/b/compose.yml", &other);
    write(&t, "stacks/b/.env", "PORT=18789\n");
    write(
        &t,
        "stacks/b/state/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let a = t.join("stacks/a/compose.yml").display().to_string();
    let b = t.join("stacks/b/compose.yml").display().to_string();
    let (code, json, stdout) = named_json("check", &[&a, &b]);
    assert_eq!(code, 1, "{stdout}");
    let unverifiable = findings_of(&json, "CL409");
    assert_eq!(unverifiable.len(), 1, "{stdout}");
    assert!(unverifiable[0].contains("home of the account"), "{stdout}");
    assert_eq!(findings_of(&json, "CL108").len(), 1, "{stdout}");
    for absent in ["CL910", "CL502", "CL902", "CL201"] {
        assert!(findings_of(&json, absent).is_empty(), "{absent}: {stdout}");
    }
    let (_, json, _) = named_json("resolve", &[&b]);
    let state = json["instances"][0]["stateDir"]["value"].as_str().unwrap();
    assert!(state.ends_with("stacks/b/state"), "{state}");
}

/// A container whose config is below a mount clawlint cannot see (here `~` with no home
/// scanned) may set gateway.port there: its port is not guessed as OpenClaw's default, so a
/// host-network neighbour on 18789 is no CL101; a `--port` in its command is still known.
#[test]
fn a_port_below_a_mount_left_out_is_not_guessed() {
    for (port_arg, collides) in [("", false), (", \"--port\", \"18789\"", true)] {
        let t = TempDir::new("containers-port-left-out").kept_on_failure();
        let unseen = format!(
            "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    network_mode: host\n    command: [\"node\", \"dist/index.js\", \"gateway\"{port_arg}]\n    volumes:\n      - ~/.openclaw:/home/node/.openclaw\n"
        );
        write(&t, "a/compose.yml", &unseen);
        let known = "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    network_mode: host\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"]\n";
        write(&t, "b/compose.yml", known);
        let (a, b) = (t.join("a/compose.yml"), t.join("b/compose.yml"));
        let (a, b) = (a.display().to_string(), b.display().to_string());
        let (_, json, stdout) = named_json("check", &[&a, &b]);
        assert_eq!(
            !findings_of(&json, "CL101").is_empty(),
            collides,
            "{port_arg}: {stdout}"
        );
    }
}

/// Two gateways in one sidecar's network namespace (`network_mode: service:tailscale`)
/// publish through its one `ports:` entry: CL108 against the native gateway, and no
/// automatic fix, since moving the entry moves both; the note says why (not "an anchor").
#[test]
fn an_entry_two_gateways_publish_through_a_shared_namespace_is_not_moved() {
    let t = host_with_native_gateway("containers-shared-namespace");
    let gateway = |name: &str| {
        format!("  {name}:\n    image: ghcr.io/openclaw/openclaw:latest\n    network_mode: \"service:tailscale\"\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"]\n")
    };
    let stack = format!(
        "services:\n  tailscale:\n    image: tailscale/tailscale:latest\n    ports:\n      - \"18789:18789\"\n{}{}",
        gateway("gw-a"),
        gateway("gw-b")
    );
    write(&t, "home/stack/compose.yml", &stack);
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL108"), "{json}");
    let notes = json["findings"].to_string();
    assert!(
        notes.contains("the network namespace they share"),
        "{notes}"
    );
    assert!(!notes.contains("a shared anchor"), "{notes}");
}

/// A user's quadlet in a copied home (no `--root`) writes its host paths under the home it
/// was written for (`/home/bob/.openclaw`): they are read under the scanned home, as a unit's
/// are. One gateway, the scanned `~/.openclaw` its mount; no `.env` "missing" on this machine,
/// no phantom native gateway on 18789.
#[test]
fn a_quadlets_paths_under_its_written_home_are_read_in_the_copied_home() {
    let t = TempDir::new("containers-quadlet-written-home").kept_on_failure();
    write(
        &t,
        "home/.config/containers/systemd/oc.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nNetwork=host\nVolume=/home/bob/.openclaw:/home/node/.openclaw:Z\nEnvironmentFile=/home/bob/.openclaw/.env\nExec=node dist/index.js gateway --bind lan --port 18789\n[Install]\nWantedBy=default.target\n",
    );
    write(&t, "home/.openclaw/.env", "TZ=UTC\n");
    write(
        &t,
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let names = gateway_names(&t, &[]);
    assert_eq!(names, ["systemd-oc"], "{names:?}");
    let (_, codes, json) = check(&t, &[]);
    for absent in ["CL101", "CL902"] {
        assert!(!codes.contains(absent), "{absent}: {json}");
    }
}

/// A compose file named that runs no gateway: CL910 says it read that file and found no
/// service that starts one (not "no directory that exists").
#[test]
fn a_named_compose_file_without_a_gateway_is_said_read() {
    let t = TempDir::new("containers-no-gateway-named").kept_on_failure();
    write(
        &t,
        "stack/compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    let file = t.join("stack/compose.yml").display().to_string();
    let (code, json, stdout) = named_json("check", &[&file]);
    assert_eq!(code, 0, "{stdout}");
    let notes = json["findings"][0]["notes"].to_string();
    assert_eq!(json["findings"][0]["code"], "CL910", "{stdout}");
    assert!(
        notes.contains("a compose file named: no service of it starts an OpenClaw gateway"),
        "{notes}"
    );
    assert!(!notes.contains("no directory that exists"), "{notes}");
}

/// A gateway in a container binds every address unless told otherwise (`auto`, OpenClaw's
/// default in a container it detects): on the host network its 18789 takes every address, so
/// another stack publishing 18789 on one LAN address cannot start; bound to loopback
/// (`--bind loopback`) it leaves that address free.
#[test]
fn a_host_network_container_binds_every_address_unless_told() {
    for (bind, collides) in [("", true), (", \"--bind\", \"loopback\"", false)] {
        let t = TempDir::new("containers-auto-bind").kept_on_failure();
        let host_net = format!(
            "services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    network_mode: host\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"{bind}]\n"
        );
        write(&t, "home/a/compose.yml", &host_net);
        write(
            &t,
            "home/b/compose.yml",
            &compose_gateway(&["192.168.1.10:18789:18789"]),
        );
        let (_, codes, json) = check(&t, &[]);
        assert_eq!(codes.contains("CL108"), collides, "{bind}: {json}");
    }
}

/// Under `--root`, `/opt` is scanned as the home is (three levels), and a rootful quadlet in
/// `/etc/containers/systemd/` is read: on the host network (`Network=host`) its gateway's
/// listeners are the host's, so its 18789 meets the native gateway's as CL101 (not CL108).
#[test]
fn root_opt_stacks_and_rootful_host_network_quadlets_are_read() {
    let t = host_with_native_gateway("containers-root");
    write(
        &t,
        "root/opt/openclaw/tenants/acme/compose.yaml",
        &compose_gateway(&["127.0.0.1:18900:18789"]),
    );
    write(
        &t,
        "root/opt/openclaw/tenants/deeper/still/compose.yaml",
        &compose_gateway(&["127.0.0.1:18950:18789"]),
    );
    write(
        &t,
        "root/etc/containers/systemd/openclaw.container",
        "[Unit]\nDescription=OpenClaw gateway (rootful)\n\n[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nContainerName=openclaw-host\nNetwork=host\nExec=node dist/index.js gateway --port 18789\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    let root = t.join("root").display().to_string();
    let names = gateway_names(&t, &["--root", &root]);
    assert!(names.iter().any(|n| n.contains("acme")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("still")), "{names:?}");
    assert!(names.iter().any(|n| n == "openclaw-host"), "{names:?}");
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 1);
    assert!(codes.contains("CL101"), "{codes:?}");
    assert!(!codes.contains("CL108"), "{codes:?}");
}

/// Look-alike of the rootful quadlet: the same quadlet on its own network, publishing
/// 127.0.0.1:18900; its 18789 stays in its namespace: nothing collides.
#[test]
fn a_rootful_quadlet_on_its_own_network_keeps_its_port_inside() {
    let t = host_with_native_gateway("containers-root-lookalike");
    write(
        &t,
        "root/etc/containers/systemd/openclaw.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nContainerName=openclaw-own\nPublishPort=127.0.0.1:18900:18789\nExec=node dist/index.js gateway --bind lan --port 18789\n",
    );
    let root = t.join("root").display().to_string();
    assert!(gateway_names(&t, &["--root", &root]).contains(&"openclaw-own".to_string()));
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 0, "{codes:?}");
}

/// A quadlet's `EnvironmentFile=` that does not exist stops podman: a located CL902 at that
/// line, and the native gateway is still checked.
#[test]
fn a_quadlets_missing_environment_file_is_located() {
    let t = host_with_native_gateway("containers-quadlet-env");
    write(
        &t,
        "home/.config/containers/systemd/openclaw.container",
        "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nEnvironmentFile=%h/stacks/acme/.env\nPublishPort=127.0.0.1:18900:18789\nExec=node dist/index.js gateway --bind lan --port 18789\n",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL902"), "{codes:?}");
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL902")
        .unwrap();
    let text = finding.to_string();
    assert!(text.contains("openclaw.container"), "{text}");
    assert!(text.contains("\"line\":3"), "{text}");
}

/// Compose keys published ports by protocol: a udp publish of 18789 leaves the native
/// gateway's tcp 18789 alone, and so does a udp and a tcp publish of one port by two stacks.
#[test]
fn udp_and_tcp_publishes_of_one_port_do_not_collide() {
    let t = host_with_native_gateway("containers-udp");
    write(
        &t,
        "home/stacks/voice/docker-compose.yml",
        &compose_gateway(&["127.0.0.1:18900:18789", "18789:3478/udp"]),
    );
    write(
        &t,
        "home/stacks/acme/docker-compose.yml",
        &compose_gateway(&["127.0.0.1:18950:18789", "127.0.0.1:18960:3478"]),
    );
    write(
        &t,
        "home/stacks/beta/docker-compose.yml",
        &compose_gateway(&["127.0.0.1:19000:18789", "127.0.0.1:18960:3478/udp"]),
    );
    let (code, codes, _) = check(&t, &[]);
    assert_eq!(code, 0, "{codes:?}");
    // The firing twin: the same publish as tcp.
    write(
        &t,
        "home/stacks/voice/docker-compose.yml",
        &compose_gateway(&["127.0.0.1:18900:18789", "18789:3478"]),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL108"), "{codes:?}");
}

/// Two stacks whose bind mounts reach one host directory, one of them through a symlink:
/// compared canonically, one state dir (CL201). The look-alike mounts a directory of its own.
#[test]
fn two_stacks_mounting_one_directory_through_a_link_share_a_state_dir() {
    let t = TempDir::new("containers-mount-link").kept_on_failure();
    let stack = |dir: &str, port: u16| {
        format!(
            "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-{port}\n    ports:\n      - \"127.0.0.1:{port}:18789\"\n    volumes:\n      - {dir}:/home/node/.openclaw\n"
        )
    };
    write(
        &t,
        "home/data/acme/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    write(
        &t,
        "home/stacks/acme/docker-compose.yml",
        &stack("../../data/acme", 18900),
    );
    std::os::unix::fs::symlink("data/acme", t.join("home/acme-state")).unwrap();
    write(
        &t,
        "home/stacks/acme-staging/docker-compose.yml",
        &stack("~/acme-state", 18950),
    );
    let (code, codes, _) = check(&t, &[]);
    assert_eq!(code, 1);
    assert!(codes.contains("CL201"), "{codes:?}");
    // Look-alike: staging mounts its own directory.
    write(
        &t,
        "home/data/staging/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    write(
        &t,
        "home/stacks/acme-staging/docker-compose.yml",
        &stack("~/data/staging", 18950),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(!codes.contains("CL201"), "{codes:?}");
}

/// A container gateway's config is found as OpenClaw finds it inside the container: through
/// the mount, so a legacy `clawdbot.json` in the mounted dir is its config. (The container's
/// own paths were looked up on the machine running clawlint, where `/home/node/.openclaw`
/// names nothing of the layout: the legacy file was never found.)
#[test]
fn a_container_finds_its_legacy_config_through_its_mount() {
    let t = TempDir::new("container-legacy-config").kept_on_failure();
    write(
        &t,
        "home/stack/compose.yml",
        "services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:2026.9.6\n    volumes:\n      - ./config:/home/node/.openclaw\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"]\n    ports:\n      - \"28789:18789\"\n",
    );
    write(
        &t,
        "home/stack/config/clawdbot.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let instances = resolved(&t, &[]);
    let configs: Vec<&str> = (instances.iter())
        .map(|g| g["configPath"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(configs, ["~/stack/config/clawdbot.json"], "{instances:?}");
}

/// The official stack mounting a whole home at the container's `/home/node`: the legacy
/// `~/.clawdbot` and `~/.openclaw` it shows both exist, so the gateway in the container
/// refuses to start (CL909), seen through the mount; the look-alike mounts only
/// `~/.openclaw`, and the image's own `/home/node` is not looked at (nor this host's).
#[test]
fn a_containers_legacy_state_dir_is_seen_through_its_mount_only() {
    for (mounts, fires) in [
        ("./homedir:/home/node", true),
        ("./homedir/.openclaw:/home/node/.openclaw", false),
    ] {
        let t = TempDir::new("container-legacy-state-dir").kept_on_failure();
        write(
            &t,
            "home/stack/compose.yml",
            &format!("services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:2026.9.6\n    volumes:\n      - {mounts}\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\"]\n    ports:\n      - \"28789:18789\"\n"),
        );
        write(
            &t,
            "home/stack/homedir/.openclaw/openclaw.json",
            "{ gateway: { mode: \"local\", auth: { token: \"fake-gateway-token-0001\" } } }\n",
        );
        std::fs::create_dir_all(t.join("home/stack/homedir/.clawdbot")).unwrap();
        let (_, codes, json) = check(&t, &[]);
        assert_eq!(codes.contains("CL909"), fires, "{mounts}: {json}");
    }
}

/// A quadlet publishing 18789 on every address, named `name` (a gateway beside the native one).
fn quadlet_on_18789(name: &str) -> String {
    format!("[Container]\nImage=ghcr.io/openclaw/openclaw:latest\nContainerName={name}\nPublishPort=18789:18789\nExec=node dist/index.js gateway --bind lan --port 18789\n")
}

/// The findings of `code`, as JSON text.
fn findings_of(json: &serde_json::Value, code: &str) -> Vec<String> {
    let all = json["findings"].as_array().unwrap().iter();
    all.filter(|f| f["code"] == code)
        .map(|f| f.to_string())
        .collect()
}

/// `QUADLET_UNIT_DIRS` in the user manager's environment (its `user.conf`, no `--root`): a
/// directory in the home (written as the user's `/home/NAME/...`) is read instead of the
/// default ones, and one outside the layout is not read, said by CL902 at the assignment;
/// when none is inside, the default directories are searched, as the finding says.
#[test]
fn quadlet_unit_dirs_are_read_where_the_layout_has_them_and_said_where_it_does_not() {
    let t = host_with_native_gateway("containers-quadlet-unit-dirs");
    write(
        &t,
        "home/.config/containers/systemd/openclaw.container",
        &quadlet_on_18789("in-default-dir"),
    );
    write(
        &t,
        "home/quadlets/openclaw.container",
        &quadlet_on_18789("in-unit-dirs"),
    );
    let names = |t: &TempDir| {
        let (_, _, json) = check(t, &[]);
        let mut out: Vec<String> = findings_of(&json, "CL108")
            .iter()
            .flat_map(|f| {
                ["in-default-dir", "in-unit-dirs"]
                    .into_iter()
                    .filter(move |n| f.contains(n))
            })
            .map(str::to_string)
            .collect();
        out.dedup();
        (out, findings_of(&json, "CL902"))
    };
    // Inside: read instead of the default directory; nothing said.
    let conf = "home/.config/systemd/user.conf";
    write(
        &t,
        conf,
        "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=/home/ana/quadlets\n",
    );
    assert_eq!(names(&t), (vec!["in-unit-dirs".to_string()], vec![]));
    // DefaultEnvironment= reaches the generator too, and wins over ManagerEnvironment=.
    write(&t, conf, "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=/opt/none\nDefaultEnvironment=QUADLET_UNIT_DIRS=/home/ana/quadlets\n");
    assert_eq!(names(&t), (vec!["in-unit-dirs".to_string()], vec![]));
    // Outside only: CL902 at the assignment, and the default directory searched instead.
    write(
        &t,
        conf,
        "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=/opt/quadlets\n",
    );
    let (found, said) = names(&t);
    assert_eq!(found, ["in-default-dir"]);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("user.conf") && said[0].contains("\"line\":2"),
        "{}",
        said[0]
    );
    assert!(
        said[0].contains("/opt/quadlets")
            && said[0].contains("default quadlet directories instead"),
        "{}",
        said[0]
    );
    // One of each: the one inside read, the other said; a relative entry ends the list.
    write(&t, conf, "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=/opt/quadlets:/home/ana/quadlets:relative\n");
    let (found, said) = names(&t);
    assert_eq!(found, ["in-unit-dirs"]);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("other directories"), "{}", said[0]);
    // ... and the relative entry is said where it is set (CL904), as podman logs it.
    let (_, _, json) = check(&t, &[]);
    let invalid = findings_of(&json, "CL904");
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    assert!(
        invalid[0].contains("`relative`")
            && invalid[0].contains("not a valid file path")
            && invalid[0].contains("user.conf")
            && invalid[0].contains("\"line\":2"),
        "{}",
        invalid[0]
    );
    // An empty value leaves the default directories.
    write(
        &t,
        conf,
        "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=\n",
    );
    assert_eq!(names(&t), (vec!["in-default-dir".to_string()], vec![]));
}

/// What stops the reading of the user manager's configuration (a line systemd's parser fails,
/// `DefaultEnvironment=` past its budget, a file that cannot be read) is said on a host whose
/// only systemd services are quadlets, whose generator and services that configuration
/// reaches: once, at its place, however many quadlets and native units read it. Without a
/// gateway that reads it, nothing is said, as for native units.
#[test]
fn a_managers_configuration_problems_are_said_for_quadlets_too_once() {
    let t = host_with_native_gateway("containers-quadlet-manager-problems");
    let quadlets = "home/.config/containers/systemd";
    write(
        &t,
        &format!("{quadlets}/a.container"),
        &quadlet_on_18789("a"),
    );
    write(
        &t,
        &format!("{quadlets}/b.container"),
        &quadlet_on_18789("b"),
    );
    let conf = "home/.config/systemd/user.conf";
    write(&t, conf, "[Manager\nDefaultEnvironment=GATEWAY_PORT=1\n");
    let refused = |t: &TempDir| findings_of(&check(t, &[]).2, "CL901");
    let said = refused(&t);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("user.conf")
            && said[0].contains("\"line\":1")
            && said[0].contains("manager configuration"),
        "{}",
        said[0]
    );
    // A native gateway unit reading it too: still once.
    let unit = "home/.config/systemd/user/openclaw-gateway-ops.service";
    write(
        &t,
        unit,
        "[Service]\nExecStart=/usr/bin/openclaw --profile ops gateway --port 19800\n",
    );
    assert_eq!(refused(&t).len(), 1);
    std::fs::remove_file(t.join(unit)).unwrap();
    // `DefaultEnvironment=` past its budget: CL907 at the first assignment past it.
    let mut text = String::from("[Manager]\n");
    for i in 0..1_001 {
        text.push_str(&format!("DefaultEnvironment=K{i}=v\n"));
    }
    write(&t, conf, &text);
    let budget = findings_of(&check(&t, &[]).2, "CL907");
    assert_eq!(budget.len(), 1, "{budget:?}");
    assert!(
        budget[0].contains("user.conf") && budget[0].contains("\"line\":1002"),
        "{}",
        budget[0]
    );
    // A user.conf that is a directory cannot be read: said at it.
    std::fs::remove_file(t.join(conf)).unwrap();
    std::fs::create_dir_all(t.join(conf)).unwrap();
    let (_, _, json) = check(&t, &[]);
    let at_conf: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.to_string().contains("systemd/user.conf\""))
        .collect();
    assert_eq!(at_conf.len(), 1, "{json}");
    // No gateway reads the configuration: nothing is said of it.
    std::fs::remove_dir(t.join(conf)).unwrap();
    write(&t, conf, "[Manager\n");
    std::fs::remove_file(t.join(format!("{quadlets}/a.container"))).unwrap();
    write(
        &t,
        &format!("{quadlets}/b.container"),
        "[Container]\nImage=docker.io/library/postgres:16\n",
    );
    assert!(refused(&t).is_empty());
}

/// `resolve` shows a quadlet found in a directory `QUADLET_UNIT_DIRS` names with the
/// assignment that names it, in JSON (`foundThrough`) and in the table; a quadlet of the
/// default directories has none.
#[test]
fn resolve_shows_the_quadlet_unit_dirs_assignment_a_quadlet_was_found_through() {
    let t = host_with_native_gateway("containers-quadlet-found-through");
    write(
        &t,
        "home/quadlets/openclaw.container",
        &quadlet_on_18789("in-unit-dirs"),
    );
    let conf = "home/.config/systemd/user.conf";
    write(
        &t,
        conf,
        "[Manager]\n# where the quadlets are\nDefaultEnvironment=QUADLET_UNIT_DIRS=/home/ana/quadlets\n",
    );
    let found = |t: &TempDir| -> Vec<serde_json::Value> {
        resolved(t, &[])
            .iter()
            .filter(|g| !g["container"].is_null())
            .map(|g| g["container"]["foundThrough"].clone())
            .collect()
    };
    let through = found(&t);
    assert_eq!(through.len(), 1, "{through:?}");
    assert_eq!(through[0]["variable"], "QUADLET_UNIT_DIRS");
    let at = through[0]["location"].as_str().unwrap();
    assert!(at.ends_with(".config/systemd/user.conf:3:20"), "{at}");
    let home = t.join("home").display().to_string();
    let (_, table, _) = clawlint(&["resolve", "--home", &home, "--no-config"]);
    assert!(
        table.contains("QUADLET_UNIT_DIRS names") && table.contains("user.conf:3:20"),
        "{table}"
    );
    // From the default directory: no `foundThrough`.
    std::fs::remove_file(t.join(conf)).unwrap();
    std::fs::create_dir_all(t.join("home/.config/containers")).unwrap();
    std::fs::rename(
        t.join("home/quadlets"),
        t.join("home/.config/containers/systemd"),
    )
    .unwrap();
    let through = found(&t);
    assert_eq!(through.len(), 1, "{through:?}");
    assert!(through[0].is_null(), "{through:?}");
}

/// A user manager's `QUADLET_UNIT_DIRS` under `/home/NAME` is the scanned home's directory
/// when the layout's `/etc/passwd` gives the home to NAME, or names no user for it; when it
/// names another user, `/home/NAME` is that other user's home, read under `--root`.
#[test]
fn quadlet_unit_dirs_in_another_users_home_are_not_the_scanned_homes() {
    let t = host_with_native_gateway("containers-quadlet-unit-dirs-user");
    write(
        &t,
        "home/quadlets/openclaw.container",
        &quadlet_on_18789("in-scanned-home"),
    );
    write(
        &t,
        "root/home/ana/quadlets/openclaw.container",
        &quadlet_on_18789("in-anas-home"),
    );
    write(
        &t,
        "root/etc/systemd/user.conf.d/50-quadlet-unit-dirs.conf",
        "[Manager]\nManagerEnvironment=QUADLET_UNIT_DIRS=/home/ana/quadlets\n",
    );
    let root = t.join("root").display().to_string();
    // The quadlets of the gateways `resolve` finds, scanning the home `dir` of the host.
    let containers = |dir: &str| -> Vec<String> {
        let all = resolved_in(&t.join(dir), &["--root", &root]);
        (all.iter())
            .filter_map(|g| g["container"]["name"].as_str().map(str::to_string))
            .collect()
    };
    // No user named for the home: it is taken to be ana's.
    assert_eq!(containers("home"), ["in-scanned-home"]);
    write(
        &t,
        "root/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n",
    );
    // The layout gives the home to ana (it is named after her): the same.
    std::fs::rename(t.join("home"), t.join("ana")).unwrap();
    assert_eq!(containers("ana"), ["in-scanned-home"]);
    // ... to bob: /home/ana is another user's home, read under --root.
    std::fs::rename(t.join("ana"), t.join("bob")).unwrap();
    assert_eq!(containers("bob"), ["in-anas-home"]);
}

/// The user manager's environment.d files (environment.d(5)) set its environment over its
/// `DefaultEnvironment=`: `QUADLET_UNIT_DIRS` there is the generator's, a value may refer to
/// the variables before it, a file in `~/.config/environment.d` hides one of the same name in
/// `/etc/environment.d`, and `resolve` names the file that set it.
#[test]
fn quadlet_unit_dirs_set_in_environment_d_are_read() {
    let t = host_with_native_gateway("containers-quadlet-environment-d");
    write(
        &t,
        "home/quadlets/openclaw.container",
        &quadlet_on_18789("in-env-d-dirs"),
    );
    write(
        &t,
        "home/.config/containers/systemd/openclaw.container",
        &quadlet_on_18789("in-default-dir"),
    );
    write(
        &t,
        "home/.config/systemd/user.conf",
        "[Manager]\nDefaultEnvironment=QUADLET_UNIT_DIRS=/opt/elsewhere Q=/home/ana\n",
    );
    let env_d = "home/.config/environment.d/50-quadlets.conf";
    write(&t, env_d, "# ours\nQUADLET_UNIT_DIRS=${Q}/quadlets\n");
    write(
        &t,
        "root/etc/environment.d/50-quadlets.conf",
        "QUADLET_UNIT_DIRS=/opt/hidden\n",
    );
    let root = t.join("root").display().to_string();
    let containers = |t: &TempDir| -> Vec<(String, serde_json::Value)> {
        resolved(t, &["--root", &root])
            .iter()
            .filter(|g| !g["container"].is_null())
            .map(|g| {
                let c = &g["container"];
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["foundThrough"].clone(),
                )
            })
            .collect()
    };
    let found = containers(&t);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "in-env-d-dirs");
    let at = found[0].1["location"].as_str().unwrap();
    assert!(
        at.ends_with(".config/environment.d/50-quadlets.conf:2:1"),
        "{at}"
    );
    // Without the user's file, /etc's is read: the generator reads <root>/opt/hidden alone
    // (empty here), not the default directory.
    std::fs::remove_file(t.join(env_d)).unwrap();
    assert_eq!(containers(&t), []);
}

#[allow(dead_code)]
#[path = "../benches/support/layout.rs"]
mod bench_layout;

/// The bench's `mixed` layout measures what a host of distinct stacks costs: no two of its
/// compose files are the same text, and every stack, whatever its shape, is one gateway
/// that publishes its own loopback port (with its config found through its mount).
#[test]
fn the_mixed_bench_layout_has_distinct_stacks_each_one_gateway() {
    let t = TempDir::new("containers-mixed-bench");
    let home = t.join("home");
    bench_layout::write_mixed_layout(&home, 40).unwrap();
    let mut texts = BTreeSet::new();
    for stack in std::fs::read_dir(home.join("stacks")).unwrap() {
        let text = std::fs::read_to_string(stack.unwrap().path().join("docker-compose.yml"));
        assert!(
            texts.insert(text.unwrap()),
            "two stacks share a compose file"
        );
    }
    assert_eq!(texts.len(), 10);
    let published: BTreeSet<(String, u64)> = resolved_in(&home, &[])
        .iter()
        .filter(|g| g["container"]["engine"] == "compose")
        .map(|g| {
            assert_eq!(g["configExists"], true, "{}", g["name"]);
            let ports = g["container"]["published"].as_array().unwrap();
            assert_eq!(ports.len(), 1, "{}", g["name"]);
            assert_eq!(ports[0]["hostAddress"], "127.0.0.1");
            let name = g["name"].as_str().unwrap().to_string();
            (name, ports[0]["hostPort"].as_u64().unwrap())
        })
        .collect();
    let ports: BTreeSet<u64> = published.iter().map(|(_, port)| *port).collect();
    assert_eq!(ports, (10_000..10_010).collect(), "{published:?}");
    for shape in ["s0-openclaw-gateway-1", "tenant-1-gateway-1", "s2-gateway"] {
        assert!(
            published.iter().any(|(name, _)| name == shape),
            "{published:?}"
        );
    }
}

/// OpenClaw's Docker setup creates `~/.openclaw` on the host for the container to mount: a
/// scanned dir that nothing starts natively and that a container mounts as its state dir is
/// the container's (one gateway, nothing shared with itself), and `resolve` says why. Once a
/// unit starts the dir natively, it is a gateway of its own again, sharing it with the
/// container (CL201).
#[test]
fn a_scanned_dir_only_a_container_mounts_is_the_containers() {
    let t = host_with_native_gateway("containers-own-scanned-dir");
    let stack = compose_gateway(&["18789:18789"])
        + "    volumes:\n      - ~/.openclaw:/home/node/.openclaw\n";
    write(&t, "home/openclaw/docker-compose.yml", &stack);
    let (code, codes, _) = check(&t, &[]);
    assert_eq!((code, codes.len()), (0, 0), "{codes:?}");
    let gateways = resolved(&t, &[]);
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0]["container"]["ownsScannedStateDir"], true);
    let home = t.join("home").display().to_string();
    let (_, human, _) = clawlint(&["resolve", "--home", &home, "--no-config"]);
    assert!(
        human.contains(
            "scanned dir  ~/.openclaw is also a dir the scan finds; nothing starts it natively"
        ),
        "{human}"
    );
    // The native gateway's unit, as `openclaw gateway install` writes it, and its link.
    write(
        &t,
        "home/.config/systemd/user/openclaw-gateway.service",
        "[Service]\nExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n\n[Install]\nWantedBy=default.target\n",
    );
    enable_user_unit(&t.join("home"), "openclaw-gateway.service");
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL201") && codes.contains("CL108"),
        "{codes:?}"
    );
    let gateways = resolved(&t, &[]);
    assert_eq!(gateways.len(), 2);
    assert!(gateways
        .iter()
        .all(|g| g["container"].get("ownsScannedStateDir").is_none()));
}

/// The `scanned dir` row shows the state dir as the `state dir` row does: a path built from a
/// variable that looks like a token is shown as its length, never its text.
#[test]
fn the_scanned_dir_row_keeps_a_secret_looking_path_hidden() {
    let t = TempDir::new("containers-own-scanned-dir-secret").kept_on_failure();
    let dir = ".openclaw-ghp_FAKE0123456789abcdefghijklmnopqrstuv";
    write(
        &t,
        &format!("home/{dir}/openclaw.json"),
        "{ gateway: { mode: \"local\" } }\n",
    );
    let stack = compose_gateway(&[]) + "    volumes:\n      - ${DIR}:/home/node/.openclaw\n";
    write(&t, "home/stack/docker-compose.yml", &stack);
    write(&t, "home/stack/.env", &format!("DIR=~/{dir}\n"));
    let home = t.join("home").display().to_string();
    let (_, human, _) = clawlint(&["resolve", "--home", &home, "--no-config"]);
    assert!(
        human.contains("scanned dir  <52 characters, not shown> is also"),
        "{human}"
    );
    assert!(!human.contains("FAKE0123"), "{human}");
}

/// Env files beside a compose project that nothing clawlint reads runs (`.env.prod`, for
/// `docker compose --env-file .env.prod up` typed by hand): what they set differently from the
/// `.env` is unverifiable, not the default. A file that agrees with the `.env`, a template, and
/// a command that names the file each make the value known again.
#[test]
fn env_files_beside_an_unrun_project_make_what_they_set_unverifiable() {
    let t = host_with_native_gateway("containers-env-variants");
    let stack = compose_gateway(&["${PORT:-18789}:18789"]);
    write(&t, "home/stack/docker-compose.yml", &stack);
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL409"),
        "{codes:?}"
    );

    write(&t, "home/stack/.env.prod", "PORT=18900\n");
    let (code, codes, json) = check(&t, &[]);
    assert_eq!(code, 0, "{json}");
    assert!(
        codes.contains("CL409") && !codes.contains("CL108"),
        "{codes:?}"
    );
    let container = |gateways: &[serde_json::Value]| {
        gateways
            .iter()
            .find_map(|g| g.get("container").filter(|c| !c.is_null()).cloned())
            .unwrap()
    };
    let c = container(&resolved(&t, &[]));
    assert_eq!(c["published"].as_array().unwrap().len(), 0, "{c}");
    assert_eq!(c["unverifiedEntries"][0]["key"], "ports", "{c}");
    assert!(
        (c["unverifiedEntries"][0]["why"].as_str().unwrap())
            .contains("reads ${PORT}, which .env.prod sets (the project has no .env)"),
        "{c}"
    );

    // A file that sets the default the entry gives changes nothing: 18789 is known, and
    // collides.
    write(&t, "home/stack/.env.prod", "PORT=18789\n");
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL409"),
        "{codes:?}"
    );
    write(&t, "home/stack/.env.prod", "PORT=18900\n");

    // Nothing unverifiable or colliding: 18900 published, known.
    let publishes_18900 = || {
        let (_, codes, _) = check(&t, &[]);
        assert!(
            !codes.contains("CL409") && !codes.contains("CL108"),
            "{codes:?}"
        );
        let c = container(&resolved(&t, &[]));
        assert_eq!(c["published"][0]["hostPort"], 18900, "{c}");
        assert!(c.get("unverifiedEntries").is_none(), "{c}");
    };

    // The `.env` sets the same: every run gets 18900, which is known.
    write(&t, "home/stack/.env", "PORT=18900\n");
    publishes_18900();

    // An env file for something else (none of the `.env`'s variables) is no other version of
    // it: the `.env`'s 18789 is known, and collides.
    write(&t, "home/stack/.env", "PORT=18789\n");
    std::fs::rename(t.join("home/stack/.env.prod"), t.join("home/stack/db.env")).unwrap();
    write(&t, "home/stack/db.env", "POSTGRES_DB=app\n");
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL409"),
        "{codes:?}"
    );
    std::fs::remove_file(t.join("home/stack/db.env")).unwrap();
    write(&t, "home/stack/.env.prod", "PORT=18900\n");

    // A template is no run: the `.env`'s 18789 collides again.
    write(&t, "home/stack/.env", "PORT=18789\n");
    std::fs::rename(
        t.join("home/stack/.env.prod"),
        t.join("home/stack/.env.example"),
    )
    .unwrap();
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL409"),
        "{codes:?}"
    );

    // A Makefile that names the file: read as that command runs compose.
    std::fs::rename(
        t.join("home/stack/.env.example"),
        t.join("home/stack/.env.prod"),
    )
    .unwrap();
    write(
        &t,
        "home/stack/Makefile",
        "up:\n\tdocker compose --env-file .env.prod up -d\n",
    );
    publishes_18900();
}

/// Compose finds a project's container by project and service, not by its name: two command
/// lines that run one project with different `container_name`s start one container, which the
/// second recreates (CL410 names the difference).
#[test]
fn runs_that_rename_a_projects_container_start_the_same_container() {
    let t = TempDir::new("containers-runs-rename").kept_on_failure();
    let stack = compose_gateway(&["${PORT}:18789"]) + "    container_name: ${NAME}\n";
    write(&t, "home/stack/docker-compose.yml", &stack);
    write(&t, "home/stack/dev.env", "PORT=18788\nNAME=gw_dev\n");
    write(&t, "home/stack/prd.env", "PORT=18789\nNAME=gw_prd\n");
    let make = "dev:\n\tdocker compose --env-file dev.env up -d\n\nprd:\n\tdocker compose --env-file prd.env up -d\n";
    write(&t, "home/stack/Makefile", make);
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL410"), "{codes:?}");
    let cl410 = (json["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "CL410")
        .unwrap();
    assert!(
        cl410["message"]
            .as_str()
            .unwrap()
            .contains("container name"),
        "{cl410}"
    );
    assert_eq!(resolved(&t, &[]).len(), 1);

    // Each run its own project (`-p`): two containers, side by side.
    let make = make.replace("--env-file dev.env", "--env-file dev.env -p dev");
    write(
        &t,
        "home/stack/Makefile",
        &make.replace("--env-file prd.env", "--env-file prd.env -p prd"),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(!codes.contains("CL410"), "{codes:?}");
    assert_eq!(resolved(&t, &[]).len(), 2);
}

/// Env files beside a project are read up to their budget, said at the compose file; a file
/// name that looks like a token is shown as its length.
#[test]
fn env_files_beside_a_project_are_bounded_and_their_names_kept_hidden() {
    let t = TempDir::new("containers-env-variants-bounded").kept_on_failure();
    let stack = compose_gateway(&["${PORT:-18789}:18789"]);
    write(&t, "home/stack/docker-compose.yml", &stack);
    write(
        &t,
        "home/stack/.env.ghp_FAKE0123456789abcdefghijklmnopqrstuv",
        "PORT=18901\n",
    );
    for i in 10..22 {
        write(
            &t,
            &format!("home/stack/.env.s{i}"),
            &format!("PORT=189{i}\n"),
        );
    }
    let (_, codes, json) = check(&t, &[]);
    assert!(
        codes.contains("CL409") && codes.contains("CL907"),
        "{codes:?}"
    );
    let budget = (json["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "CL907")
        .unwrap();
    assert!(
        (budget["parties"][0]["file"].as_str().unwrap()).ends_with("stack/docker-compose.yml"),
        "{budget}"
    );
    assert!(
        budget["message"]
            .as_str()
            .unwrap()
            .contains("holds 13 env files"),
        "{budget}"
    );
    let home = t.join("home").display().to_string();
    for (command, format) in [
        ("check", "human"),
        ("check", "json"),
        ("resolve", "human"),
        ("resolve", "json"),
    ] {
        let args = [command, "--home", &home, "--no-config", "--format", format];
        let (_, out, err) = clawlint(&args);
        assert!(
            !out.contains("FAKE0123") && !err.contains("FAKE0123"),
            "{out}{err}"
        );
        assert!(out.contains("characters, not shown>"), "{args:?}: {out}");
    }
}

/// A host-network container whose `--port` is made of a variable an env file beside the
/// project changes: its port is unverifiable, not the default, so it is compared with no
/// native gateway on a guess. Without the file, the default is the value, and collides.
#[test]
fn a_command_port_an_env_file_beside_changes_is_unverifiable() {
    let t = host_with_native_gateway("containers-env-variants-command-port");
    let stack = "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    network_mode: host\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"${PORT:-18789}\"]\n";
    write(&t, "home/stack/docker-compose.yml", stack);
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL101") && !codes.contains("CL409"),
        "{codes:?}"
    );
    write(&t, "home/stack/.env.prod", "PORT=19500\n");
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL409") && !codes.contains("CL101"),
        "{codes:?}"
    );
    let gateways = resolved(&t, &[]);
    let container = (gateways.iter())
        .find(|g| !g["container"].is_null())
        .unwrap();
    assert_eq!(
        container["unverifiable"],
        serde_json::json!(["port"]),
        "{container}"
    );
}

/// A unit and a container that use one state dir (the container mounts it) are two gateways
/// sharing it (CL201), even when no scan finds the dir: a unit starts a native gateway, never
/// a container's. Before, the unit's gateway took the container's place and name, and the
/// container was gone from every check.
#[test]
fn a_unit_and_a_container_on_one_state_dir_are_two_gateways() {
    let t = TempDir::new("containers-unit-and-container-state").kept_on_failure();
    let dir = "home/bots/perhit/.openclaw";
    write(
        &t,
        &format!("{dir}/openclaw.json"),
        "{ gateway: { mode: \"local\" } }\n",
    );
    write(
        &t,
        "home/.config/systemd/user/perhit.service",
        "[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/bots/perhit/.openclaw\nExecStart=/usr/bin/openclaw gateway --port 18790\nRestart=always\nRestartPreventExitStatus=78\n\n[Install]\nWantedBy=default.target\n",
    );
    enable_user_unit(&t.join("home"), "perhit.service");
    let stack = compose_gateway(&["19500:18789"])
        + "    volumes:\n      - ~/bots/perhit/.openclaw:/home/node/.openclaw\n";
    write(&t, "home/stack/docker-compose.yml", &stack);
    let gateways = resolved(&t, &[]);
    assert_eq!(gateways.len(), 2, "{gateways:?}");
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL201"), "{codes:?}");
}

/// A service that builds its image (`build:`) has the HOME its Dockerfile gives: a Node.js
/// image run as root keeps its state in /root/.openclaw, so a mount there is its state dir
/// (material-lab-io/nyx-one's Dockerfile: `FROM node:22-slim`, no `USER`). Without the
/// Dockerfile, an `openclaw:*` image is taken for OpenClaw's own (HOME /home/node), and the
/// mount at /root is no state dir.
#[test]
fn a_built_image_has_the_home_its_dockerfile_gives() {
    let t = TempDir::new("containers-built-home").kept_on_failure();
    write(
        &t,
        "home/bots/perhit/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let stack = "services:\n  perhitbot:\n    image: openclaw:2026.2.3\n    build: .\n    network_mode: host\n    environment:\n      - OPENCLAW_GATEWAY_PORT=18790\n    volumes:\n      - ~/bots/perhit/.openclaw:/root/.openclaw\n";
    write(&t, "home/stack/docker-compose.yml", stack);
    let state_dir = |t: &TempDir| {
        let gateways = resolved(t, &[]);
        gateways[0]["stateDir"]["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        state_dir(&t).starts_with("<container "),
        "{}",
        state_dir(&t)
    );
    write(
        &t,
        "home/stack/Dockerfile",
        "FROM node:22-slim\nRUN npm install -g openclaw@2026.2.3\nENTRYPOINT [\"/entrypoint.sh\"]\n",
    );
    assert_eq!(state_dir(&t), "~/bots/perhit/.openclaw");
}

/// Compose interpolates the values of the project's `.env` with the assignments before them
/// (kmamykin/openclaw-gcloud's `.env`: `GCP_VM_USER=openclaw`, later
/// `COMPOSE_FILE=/home/${GCP_VM_USER}/openclaw/docker-compose.yml`); a value in single quotes
/// is literal. Before, the `${...}` was taken as written: a false CL902 for a compose file
/// "that does not exist", and no gateway.
#[test]
fn the_project_env_is_interpolated_as_compose_reads_it() {
    let t = TempDir::new("containers-dotenv-interpolated").kept_on_failure();
    let stack = compose_gateway(&["${PORT}:18789"]);
    write(&t, "home/stack/gateway.yml", &stack);
    let env =
        "STACK=stack\nCOMPOSE_FILE=${HOME_DIR}/${STACK}/gateway.yml\nBASE=19\nPORT=${BASE}500\n";
    let home = t.join("home").display().to_string();
    write(&t, "home/stack/.env", &format!("HOME_DIR={home}\n{env}"));
    write(&t, "home/stack/docker-compose.yml", "services: {}\n");
    let (_, codes, _) = check(&t, &[]);
    assert!(!codes.contains("CL902"), "{codes:?}");
    let gateways = resolved(&t, &[]);
    let container = (gateways.iter())
        .find(|g| !g["container"].is_null())
        .unwrap();
    assert_eq!(
        container["container"]["published"][0]["hostPort"], 19500,
        "{container}"
    );
    // Single quotes keep the text: `${BASE}500` is no port, which compose rejects.
    write(
        &t,
        "home/stack/.env",
        &format!(
            "HOME_DIR={home}\n{}",
            env.replace("PORT=${BASE}500", "PORT='${BASE}500'")
        ),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL904"), "{codes:?}");
}

/// A user unit, enabled, whose `[Service]` is `service`.
fn enabled_user_unit(t: &TempDir, name: &str, service: &str) {
    write(
        t,
        &format!("home/.config/systemd/user/{name}"),
        &format!("[Service]\n{service}\n[Install]\nWantedBy=default.target\n"),
    );
    let link = t.join(format!(
        "home/.config/systemd/user/default.target.wants/{name}"
    ));
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(format!("../{name}"), link).unwrap();
}

/// A unit's `docker run` is read through the wrappers a unit puts around it (`sh -c` with the
/// `rm -f` before it, `env`) and in a script of the layout the unit runs: each is a container
/// gateway publishing 18789, beside the native gateway on it (CL108 each).
#[test]
fn a_units_docker_run_is_read_through_wrappers_and_scripts() {
    let run = "docker run --rm --name NAME -p 18789:18789 ghcr.io/openclaw/openclaw:2026.9.6";
    let cases = [
        (
            "sh",
            format!(
                "ExecStart=/bin/sh -c 'docker rm -f sh-gw || true; exec {}'",
                run.replace("NAME", "sh-gw")
            ),
        ),
        (
            "env",
            format!(
                "ExecStart=/usr/bin/env DOCKER_BUILDKIT=1 {}",
                run.replace("NAME", "env-gw")
            ),
        ),
        (
            "script",
            "ExecStart=/bin/bash %h/bin/start-gateway.sh".to_string(),
        ),
    ];
    for (case, exec) in cases {
        let t = host_with_native_gateway(&format!("docker-run-{case}"));
        write(
            &t,
            "home/bin/start-gateway.sh",
            &format!(
                "#!/bin/bash\nset -e\ndocker pull ghcr.io/openclaw/openclaw:2026.9.6\nexec {}\n",
                run.replace("NAME", "script-gw")
            ),
        );
        enabled_user_unit(&t, "openclaw-docker.service", &exec);
        let (code, codes, _) = check(&t, &[]);
        assert_eq!(code, 1, "{case}");
        assert!(codes.contains("CL108"), "{case}: {codes:?}");
        let names = gateway_names(&t, &[]);
        assert_eq!(names.len(), 2, "{case}: {names:?}");
    }
}

/// `--env-file` lines are the CLI's (no quotes removed, a bare name passes the unit's own
/// value through), and `-e` after them wins: the container's port comes from where the CLI
/// says, as `resolve` shows.
#[test]
fn a_docker_run_env_file_is_read_as_the_cli_reads_it() {
    let t = TempDir::new("docker-run-env-file").kept_on_failure();
    write(
        &t,
        "home/oc/a.env",
        "# gateway A\n  OPENCLAW_GATEWAY_PORT=19001\nOPENCLAW_PROFILE\n",
    );
    write(
        &t,
        "home/oc/a/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    enabled_user_unit(
        &t,
        "oc-a.service",
        "Environment=OPENCLAW_PROFILE=ops\nExecStart=/usr/bin/docker run --env-file %h/oc/a.env -e OPENCLAW_GATEWAY_PORT=19002 -v %h/oc/a:/home/node/.openclaw-ops -p 19002:19002 ghcr.io/openclaw/openclaw:2026.9.6",
    );
    let gateways = resolved(&t, &[]);
    assert_eq!(gateways.len(), 1, "{gateways:?}");
    let gateway = &gateways[0];
    assert_eq!(gateway["gatewayPort"]["value"], 19002, "{gateway}");
    assert_eq!(gateway["profile"]["value"], "ops", "{gateway}");
    // OPENCLAW_PROFILE from the environment alone moves the workspace, not the state dir.
    assert_eq!(
        gateway["workspace"]["value"], "~/oc/a/workspace",
        "{gateway}"
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(!codes.contains("CL111"), "{codes:?}");
}

/// A unit that is not enabled starts nothing at boot, whatever it runs; a `docker run` of an
/// image clawlint cannot see the command of is no gateway.
#[test]
fn a_docker_run_unit_not_enabled_or_of_another_image_is_no_gateway() {
    let t = host_with_native_gateway("docker-run-not-enabled");
    write(
        &t,
        "home/.config/systemd/user/oc.service",
        "[Service]\nExecStart=/usr/bin/docker run -p 18789:18789 ghcr.io/openclaw/openclaw:2026.9.6\n",
    );
    enabled_user_unit(
        &t,
        "office.service",
        "ExecStart=/usr/bin/docker run -p 18789:18789 openclaw-office:latest",
    );
    let (code, codes, _) = check(&t, &[]);
    assert_eq!((code, codes.len()), (0, 0), "{codes:?}");
}

/// `gateway run` refuses a non-loopback bind without a token or password (recorded from
/// 2026.9.6: tests/data/bind-without-auth): the `docker run` gateway with `--bind lan` and no
/// auth does not start (CL909, `starts: false`, no listener, so no CL108 for its port); with
/// the token in its `--env-file` it starts; `auth.mode: "none"` is no auth; a native unit's
/// `--bind lan` counts as the container's does.
#[test]
fn a_gateway_bound_beyond_loopback_without_auth_does_not_start() {
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/bind-without-auth/2026.9.6.json"))
            .unwrap(),
    )
    .unwrap();
    let run = "ExecStart=/usr/bin/docker run --env-file %h/oc/env -v %h/oc:/home/node/.openclaw -p 18789:18789 ghcr.io/openclaw/openclaw:2026.9.6 node dist/index.js gateway --bind lan --port 18789";
    let cases = [
        ("lan-no-auth", "", "{ gateway: { mode: \"local\" } }"),
        (
            "lan-token",
            "OPENCLAW_GATEWAY_TOKEN=fake-token-000000000000000000000001\n",
            "{ gateway: { mode: \"local\" } }",
        ),
        (
            "lan-auth-none",
            "",
            "{ gateway: { mode: \"local\", auth: { mode: \"none\" } } }",
        ),
    ];
    for (case, env_file, config) in cases {
        let t = host_with_native_gateway(&format!("open-bind-{case}"));
        write(&t, "home/oc/env", env_file);
        write(&t, "home/oc/openclaw.json", config);
        enabled_user_unit(&t, "oc.service", run);
        let starts = recorded[case]["started"].as_bool().unwrap();
        let (_, codes, json) = check(&t, &[]);
        assert_eq!(codes.contains("CL909"), !starts, "{case}: {codes:?}");
        // Said at the mode the command gives: `lan` after `--bind` on the unit's line.
        let refused = json["findings"].as_array().unwrap().iter();
        for f in refused.filter(|f| f["code"] == "CL909") {
            let at = &f["parties"][0];
            let column = run.find("--bind lan").unwrap() + "--bind ".len() + 1;
            assert_eq!(
                (&at["line"], &at["column"]),
                (&2.into(), &column.into()),
                "{f}"
            );
        }
        assert_eq!(codes.contains("CL108"), starts, "{case}: {codes:?}");
        let container = resolved(&t, &[])
            .into_iter()
            .find(|g| g["container"].is_object())
            .unwrap();
        assert_eq!(container["starts"], starts, "{case}: {container}");
    }
    let t = TempDir::new("open-bind-native").kept_on_failure();
    write(
        &t,
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    enabled_user_unit(
        &t,
        "openclaw-gateway.service",
        "ExecStart=/usr/bin/openclaw gateway --bind lan --port 18789",
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL909"), "{codes:?}");
}

/// A quadlet's `Exec=` `--bind lan` without auth is refused (CL909) where the mode is written:
/// the `lan` word, or the `${BIND}` word systemd substitutes from `[Service]`'s
/// `Environment=`; a word podman decodes (`\x6can`) is not found as written, and the refusal
/// points at the whole `Exec=` value.
#[test]
fn a_quadlets_bind_is_located_at_its_word_in_exec() {
    let cases = [
        ("word", "gateway --bind lan --port 18789", "", "lan"),
        (
            "variable",
            "gateway --bind ${BIND} --port 18789",
            "[Service]\nEnvironment=BIND=lan\n",
            "${BIND}",
        ),
        (
            "escaped",
            "gateway --bind \\x6can --port 18789",
            "",
            "gateway",
        ),
    ];
    for (case, exec, service, located) in cases {
        let t = TempDir::new(&format!("containers-quadlet-bind-{case}")).kept_on_failure();
        write(
            &t,
            "home/.config/containers/systemd/oc.container",
            &format!("[Container]\nImage=ghcr.io/openclaw/openclaw:2026.9.6\nVolume=%h/oc:/home/node/.openclaw\nPublishPort=18789:18789\nExec={exec}\n{service}"),
        );
        write(
            &t,
            "home/oc/openclaw.json",
            "{ gateway: { mode: \"local\" } }\n",
        );
        let (_, codes, json) = check(&t, &[]);
        let refused: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "CL909")
            .collect();
        assert_eq!(refused.len(), 1, "{case}: {codes:?}");
        let at = &refused[0]["parties"][0];
        let column = "Exec=".len() + exec.find(located).unwrap() + 1;
        assert_eq!(
            (&at["line"], &at["column"]),
            (&5.into(), &column.into()),
            "{case}: {at}"
        );
    }
}

/// A `--env-file` outside the scanned layout is not opened: said (CL902), not taken for a
/// start the CLI refuses.
#[test]
fn a_docker_run_env_file_outside_the_layout_is_not_read() {
    let t = TempDir::new("docker-run-env-file-outside").kept_on_failure();
    write(
        &t,
        "home/oc/openclaw.json",
        "{ gateway: { mode: \"local\", auth: { token: \"fake-gateway-token-0009\" } } }\n",
    );
    enabled_user_unit(
        &t,
        "oc.service",
        "ExecStart=/usr/bin/docker run --env-file /etc/hostname -v %h/oc:/home/node/.openclaw -p 19999:18789 ghcr.io/openclaw/openclaw:2026.9.6",
    );
    let (_, codes, json) = check(&t, &[]);
    assert_eq!(codes, BTreeSet::from(["CL902".to_string()]), "{json}");
    assert!(
        json.to_string().contains("outside the scanned homes"),
        "{json}"
    );
    assert!(!json.to_string().contains("refuses to start"), "{json}");
}

/// A compose stack whose gateway token is `${OPENCLAW_GATEWAY_TOKEN}` with no `.env` in the
/// layout (a config repository keeps it out): compose fills an empty string unless the shell
/// sets it, which CL502 says; whether the gateway starts is then not judged (no CL909).
#[test]
fn a_compose_token_left_to_the_shell_is_not_judged() {
    let t = TempDir::new("compose-token-from-shell").kept_on_failure();
    write(
        &t,
        "home/stacks/acme/docker-compose.yml",
        "services:\n  openclaw-gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: ${OPENCLAW_GATEWAY_TOKEN}\n    volumes:\n      - ./config:/home/node/.openclaw\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    ports:\n      - \"18900:18789\"\n",
    );
    write(
        &t,
        "home/stacks/acme/config/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL502"), "{json}");
    assert!(!codes.contains("CL909"), "{json}");
}

/// A gateway serving through Tailscale (`gateway.tailscale.mode: "serve"`) whose command
/// binds beyond loopback does not start (recorded from OpenClaw 2026.9.6:
/// tests/data/tailscale-bind): CL909 for the `docker run` gateway and for a native unit with
/// `--bind lan`; with `--bind loopback`, or no bind (the default under Tailscale is loopback,
/// in a container too), it is not refused; a `bind` in the config is the config validation's
/// (CL701), not said twice.
#[test]
fn a_tailscale_gateway_bound_by_its_command_beyond_loopback_does_not_start() {
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/tailscale-bind/2026.9.6.json")).unwrap(),
    )
    .unwrap();
    let refused = !recorded["serve-token-bind-lan"]["started"]
        .as_bool()
        .unwrap();
    assert!(refused);
    let config =
        std::fs::read_to_string(root().join("tests/data/tailscale-bind/serve-token.json")).unwrap();
    let run = |bind: &str| {
        format!("ExecStart=/usr/bin/docker run -v %h/oc:/home/node/.openclaw -p 18900:18789 ghcr.io/openclaw/openclaw:2026.9.6 node dist/index.js gateway{bind} --port 18789")
    };
    for (case, bind, refuses) in [
        ("lan", " --bind lan", refused),
        ("loopback", " --bind loopback", false),
        ("unset", "", false),
    ] {
        let t = TempDir::new(&format!("tailscale-bind-{case}")).kept_on_failure();
        write(&t, "home/oc/openclaw.json", &config);
        enabled_user_unit(&t, "oc.service", &run(bind));
        let (_, codes, json) = check(&t, &[]);
        assert_eq!(codes.contains("CL909"), refuses, "{case}: {json}");
        let container = resolved(&t, &[]).into_iter().next().unwrap();
        assert_eq!(container["starts"], !refuses, "{case}: {container}");
    }
    let t = TempDir::new("tailscale-bind-native").kept_on_failure();
    write(&t, "home/.openclaw/openclaw.json", &config);
    enabled_user_unit(
        &t,
        "openclaw-gateway.service",
        "ExecStart=/usr/bin/openclaw gateway --bind lan --port 18789",
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL909"), "{codes:?}");
    let t = TempDir::new("tailscale-bind-config").kept_on_failure();
    write(
        &t,
        "home/.openclaw/openclaw.json",
        &config.replace("mode: \"local\",", "mode: \"local\", bind: \"lan\","),
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(
        codes.contains("CL701") && !codes.contains("CL909"),
        "{codes:?}"
    );
}

/// Each finding `keep` selects as its code, the file of its first party below `home/`, and
/// that party's line.
fn places(
    json: &serde_json::Value,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Vec<(String, String, u64)> {
    let findings = json["findings"].as_array().unwrap();
    (findings.iter().filter(|f| keep(f)))
        .map(|f| {
            let at = &f["parties"][0];
            let file = at["file"].as_str().unwrap_or_default();
            let file = file.rsplit_once("home/").map_or(file, |(_, f)| f);
            let code = f["code"].as_str().unwrap().to_string();
            (code, file.to_string(), at["line"].as_u64().unwrap())
        })
        .collect()
}

/// Every `(code, file, line)` of `expected` is among `said` ([`places`]).
fn assert_said(said: &[(String, String, u64)], expected: &[(&str, &str, u64)]) {
    for (code, file, line) in expected {
        assert!(
            said.contains(&(code.to_string(), file.to_string(), *line)),
            "{code} {file}:{line}: {said:?}"
        );
    }
}

/// The template every tenant's stack `extends` from another file (`stacks/common`): its
/// relative bind mount is the template file's directory's, as compose resolves it.
const EXTENDS_TEMPLATE: &str = "services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    volumes:\n      - ./tenants/default:/home/node/.openclaw\n";

/// A service's `extends` (compose's own, within a file or from another) gives it what the
/// base has, merged as an override file merges: a tenant that does not override the
/// template's mount shares its state dir (`stacks/common/tenants/default`, not its own
/// directory's), ports append (both tenants publish 18801), and a service of the same file
/// extending another takes its image and command. Without `extends` read, none of these is
/// a gateway.
#[test]
fn a_service_extending_another_is_read_with_what_it_extends() {
    let t = TempDir::new("containers-compose-extends").kept_on_failure();
    write(&t, "home/stacks/common/openclaw.yml", EXTENDS_TEMPLATE);
    let token = |n: u32| format!("OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-{n:024}");
    write(
        &t,
        "home/stacks/acme/compose.yml",
        &format!("services:\n  acme:\n    extends:\n      file: ../common/openclaw.yml\n      service: gateway\n    environment:\n      {}\n    ports: [\"18801:18789\"]\n    volumes:\n      - ./state:/home/node/.openclaw\n", token(1)),
    );
    write(
        &t,
        "home/stacks/beta/compose.yml",
        &format!("services:\n  beta:\n    extends: {{ file: ../common/openclaw.yml, service: gateway }}\n    environment:\n      {}\n    ports: [\"18801:18789\"]\n  rescue:\n    extends: beta\n    environment:\n      {}\n    ports: [\"18901:18789\"]\n", token(2), token(3)),
    );
    let gateways = resolved(&t, &[]);
    let state_of = |name: &str| {
        let g = gateways
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {gateways:?}"));
        g["stateDir"]["value"].as_str().unwrap().to_string()
    };
    assert_eq!(state_of("acme-acme-1"), "~/stacks/acme/state");
    let template_state = "~/stacks/common/tenants/default";
    assert_eq!(state_of("beta-beta-1"), template_state);
    assert_eq!(state_of("beta-rescue-1"), template_state);
    let (code, codes, json) = check(&t, &[]);
    assert_eq!(code, 1, "{json}");
    for fired in ["CL108", "CL201"] {
        assert!(codes.contains(fired), "{fired}: {codes:?}");
    }
    // Said at the template's mount, the line that gives both their state dir.
    let shared = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL201")
        .unwrap();
    assert!(
        shared["parties"]
            .to_string()
            .contains("common/openclaw.yml"),
        "{shared}"
    );
}

/// An `extends` compose refuses (a service that is not there, a cycle, a file that does not
/// exist) is said where it is written, and the service is read without it; a file outside
/// the layout is not opened; a chain deeper than clawlint follows stops, said.
#[test]
fn an_extends_compose_refuses_or_clawlint_does_not_follow_is_said_where_it_is() {
    let t = TempDir::new("containers-compose-extends-bad").kept_on_failure();
    let mut chain = String::from("services:\n  s0:\n    image: ghcr.io/openclaw/openclaw:latest\n");
    for i in 1..=20 {
        chain.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
    }
    write(&t, "home/deep/compose.yml", &chain);
    write(
        &t,
        "home/bad/compose.yml",
        "services:\n  a:\n    extends: nope\n  c:\n    extends: { service: d }\n  d:\n    extends: { service: c }\n  e:\n    extends: { file: /etc/hostname, service: x }\n  f:\n    extends: { file: missing.yml, service: x }\n",
    );
    let (_, _, json) = check(&t, &[]);
    let said = places(&json, |f| {
        f["message"].as_str().unwrap().contains("extends")
    });
    assert_said(
        &said,
        &[
            ("CL904", "bad/compose.yml", 3),
            ("CL904", "bad/compose.yml", 5),
            ("CL904", "bad/compose.yml", 7),
            ("CL902", "bad/compose.yml", 9),
            ("CL904", "bad/compose.yml", 11),
        ],
    );
    let deep: Vec<_> = said
        .iter()
        .filter(|(_, f, _)| f == "deep/compose.yml")
        .collect();
    assert!(!deep.is_empty(), "{said:?}");
    assert!(json.to_string().contains("deeper than 16"), "{json}");
    let text = json.to_string();
    assert!(text.contains("outside the scanned homes"), "{text}");
}

/// A script that runs compose with a variable it computes (mostlydev/clawdapus's
/// `scripts/openclaw-up.sh`: `BOT_STATE_PATH="${state_dir}" docker compose … up -d`): compose
/// gets a value clawlint cannot see, so the mount `${BOT_STATE_PATH:-./runtime/default}` is
/// left out (CL409), not read as the default every bot would then share.
#[test]
fn a_variable_a_script_computes_for_compose_is_unseen_not_its_default() {
    let t = TempDir::new("containers-compose-computed-var").kept_on_failure();
    write(
        &t,
        "home/stack/openclaw/compose.yml",
        "services:\n  openclaw:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--allow-unconfigured\", \"--port\", \"18789\"]\n    volumes:\n      - ${BOT_STATE_PATH:-./runtime/default}:/home/node/.openclaw\n",
    );
    write(
        &t,
        "home/stack/scripts/openclaw-up.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\nSCRIPT_DIR=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\nfor env_file in \"$SCRIPT_DIR\"/../openclaw/bots/*.env; do\n  slug=\"$(basename \"$env_file\" .env)\"\n  state_dir=\"$SCRIPT_DIR/../openclaw/runtime/${slug}\"\n  BOT_STATE_PATH=\"${state_dir}\" docker compose --file \"$SCRIPT_DIR/../openclaw/compose.yml\" up -d\ndone\n",
    );
    let gateways = resolved(&t, &[]);
    assert_eq!(gateways.len(), 1, "{gateways:?}");
    let state = gateways[0]["stateDir"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(!state.contains("runtime/default"), "{state}");
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL409"), "{codes:?}");
    assert!(json.to_string().contains("gives BOT_STATE_PATH"), "{json}");
}

/// A config clawlint does not read (mounted from outside the layout: CL902) is not judged:
/// no CL909 for a token it may well set. Before, the open-bind guard ran on the empty tree
/// of the unread file and said the gateway would not start.
#[test]
fn a_config_outside_the_layout_is_not_judged_by_the_start_guards() {
    let t = TempDir::new("containers-outside-config").kept_on_failure();
    write(
        &t,
        "outside/state/openclaw.json",
        "{\"gateway\":{\"mode\":\"local\",\"auth\":{\"token\":\"fake-gateway-token-000000000000000000000001\"}}}\n",
    );
    let outside = t.join("outside/state").display().to_string();
    write(
        &t,
        "home/stack/docker-compose.yml",
        &format!("services:\n  gw:\n    image: ghcr.io/openclaw/openclaw:latest\n    volumes:\n      - {outside}:/home/node/.openclaw\n    ports:\n      - \"18792:18789\"\n"),
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL902"), "{json}");
    assert!(!codes.contains("CL909"), "{json}");
}

/// Which services with an entrypoint of their own are taken for gateways: one of OpenClaw's
/// image running a program clawlint cannot read, with the state dir mounted or a port
/// published (polyclaw's `entrypoint.ts`); not OpenClaw's own CLI (the official compose's
/// `openclaw-cli`), another image's program, or one that mounts and publishes nothing.
#[test]
fn an_openclaw_image_with_a_program_of_its_own_is_an_unverifiable_gateway() {
    let t = TempDir::new("containers-custom-entrypoint").kept_on_failure();
    let service = |name: &str, image: &str, entrypoint: &str, extra: &str| {
        format!("  {name}:\n    image: {image}\n    entrypoint: {entrypoint}\n{extra}")
    };
    let state = "    volumes:\n      - ./state:/home/node/.openclaw\n";
    let services = [
        service(
            "tenant",
            "openclaw:local",
            "[\"node\", \"--experimental-strip-types\", \"/app/entrypoint.ts\"]",
            state,
        ),
        service(
            "cli",
            "openclaw:local",
            "[\"node\", \"dist/index.js\"]",
            state,
        ),
        service("other", "ghcr.io/acme/dashboard:1", "[\"/app/run\"]", state),
        service("idle", "openclaw:local", "[\"/app/run\"]", ""),
    ];
    write(
        &t,
        "home/stack/compose.yml",
        &format!("services:\n{}", services.concat()),
    );
    let gateways = resolved(&t, &[]);
    let names: Vec<&str> = gateways.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(names, ["stack-tenant-1"], "{gateways:?}");
    let unverifiable = gateways[0]["unverifiable"].to_string();
    assert!(
        unverifiable.contains("port") && unverifiable.contains("profile"),
        "{unverifiable}"
    );
}

/// A path of the host outside the layout (the gateway's default log under `/tmp`) is shown as
/// the host's, wherever clawlint runs: from `/tmp` it was `openclaw/openclaw-….log`, from `/`
/// `tmp/openclaw/…` (cut to the directory clawlint ran in, as layout paths are).
#[test]
fn a_host_path_outside_the_layout_is_shown_absolute_from_any_directory() {
    let home = root().join("fixtures/containers-compose-official/home");
    let home = home.display().to_string();
    for cwd in ["/", "/tmp"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_clawlint"))
            .args(["resolve", "--home", &home, "--no-config"])
            .current_dir(cwd)
            .env_clear()
            .output()
            .expect("clawlint runs");
        let out = String::from_utf8(output.stdout).expect("UTF-8");
        let native = out.lines().find(|l| l.trim_start().starts_with("log file"));
        assert_eq!(
            native.map(str::trim),
            Some("log file     /tmp/openclaw/openclaw-YYYY-MM-DD.log"),
            "{cwd}: {out}"
        );
    }
}

/// A script that runs compose for the service it is given (`up -d "$1"`, MyTechPlan/oc-client's
/// `provision-tenant.sh`) leaves only the choice of service unknown: what compose reads is
/// known, so the gateway's config is judged (CL909: no `gateway.mode`) and nothing is left
/// out. Before, the unknown `$1` made every value unverifiable (one CL409, no CL909). Its
/// look-alike: an env file given as `"$1"` does leave the values unseen.
#[test]
fn a_service_a_script_is_given_leaves_only_the_choice_of_service_unknown() {
    let layout = |tag: &str, up: &str| {
        let t = TempDir::new(tag).kept_on_failure();
        write(&t, "home/s/docker-compose.yml", "services:\n  a:\n    image: ghcr.io/openclaw/openclaw:latest\n    environment:\n      EXTRA: ${A_EXTRA:-}\n    volumes:\n      - ./data/a:/home/node/.openclaw\n    ports:\n      - \"18801:18789\"\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"loopback\", \"--port\", \"18789\"]\n");
        write(
            &t,
            "home/s/data/a/openclaw.json",
            "{ gateway: { port: 18789 } }\n",
        );
        write(&t, "home/s/up.sh", &format!("#!/usr/bin/env bash\nROOT_DIR=\"$(cd \"$(dirname \"${{BASH_SOURCE[0]}}\")\" && pwd)\"\n{up}\n"));
        t
    };
    let t = layout(
        "containers-script-service-arg",
        "docker compose -f \"$ROOT_DIR/docker-compose.yml\" up -d \"$1\"",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(
        codes.contains("CL909") && !codes.contains("CL409"),
        "{json}"
    );
    let t = layout(
        "containers-script-env-file-arg",
        "docker compose --env-file \"$1\" -f \"$ROOT_DIR/docker-compose.yml\" up -d",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL409"), "{json}");
}

/// A tenant's compose file of an `include:`: its port from its own `.env`, its state relative.
fn included_tenant(name: &str, port_var: &str) -> String {
    format!("services:\n  {name}:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    ports: [\"${{{port_var}}}:18789\"]\n    volumes:\n      - ./state:/home/node/.openclaw\n")
}

/// A top-level `include:` reads each entry as a project of its own, as compose-go does: its
/// relative paths and `.env` its own directory's, the including project's values winning over
/// that `.env`; its services join the including project's, whose own may extend them. The
/// included files, which the scan also finds, are not read again as projects of their own.
#[test]
fn an_included_project_is_read_with_its_own_directory_and_env() {
    let t = TempDir::new("containers-compose-include").kept_on_failure();
    write(
        &t,
        "home/stack/compose.yaml",
        "include:\n  - path: tenants/acme/compose.yml\n  - tenants/beta/compose.yml\nservices:\n  rescue:\n    extends: acme\n    volumes:\n      - ./rescue-state:/home/node/.openclaw\n",
    );
    write(&t, "home/stack/.env", "BETA_PORT=18899\n");
    write(
        &t,
        "home/stack/tenants/acme/compose.yml",
        &included_tenant("acme", "ACME_PORT"),
    );
    write(&t, "home/stack/tenants/acme/.env", "ACME_PORT=18801\n");
    write(
        &t,
        "home/stack/tenants/beta/compose.yml",
        &included_tenant("beta", "BETA_PORT"),
    );
    write(&t, "home/stack/tenants/beta/.env", "BETA_PORT=18802\n");
    let gateways = resolved(&t, &[]);
    let mut states: Vec<(String, String)> = gateways
        .iter()
        .map(|g| {
            let state = g["stateDir"]["value"].as_str().unwrap_or_default();
            (g["name"].as_str().unwrap().to_string(), state.to_string())
        })
        .collect();
    states.sort();
    let expected = [
        ("stack-acme-1", "~/stack/tenants/acme/state"),
        ("stack-beta-1", "~/stack/tenants/beta/state"),
        ("stack-rescue-1", "~/stack/rescue-state"),
    ];
    let expected: Vec<(String, String)> = (expected.iter())
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    assert_eq!(states, expected);
    // beta's port is the including project's (18899), not its own `.env`'s.
    let beta = gateways
        .iter()
        .find(|g| g["name"] == "stack-beta-1")
        .unwrap();
    assert_eq!(
        beta["container"]["published"][0]["hostPort"], 18899,
        "{beta}"
    );
    let (_, _, json) = check(&t, &[]);
    let published: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CL108")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    // The rescue takes acme's published port with the rest of what it extends.
    assert_eq!(published.len(), 1, "{published:?}");
    assert!(published[0].contains("18801"), "{published:?}");
}

/// An `include:` compose refuses (a cycle, a file or env file that is not there, a service
/// two entries define) is said at the entry, and the rest of the project is read; a file
/// outside the layout is not opened, a remote one not fetched.
#[test]
fn an_include_compose_refuses_or_clawlint_does_not_follow_is_said_at_the_entry() {
    let t = TempDir::new("containers-compose-include-bad").kept_on_failure();
    write(
        &t,
        "home/stack/compose.yaml",
        "include:\n  - missing/compose.yml\n  - path: tenants/acme/compose.yml\n    env_file: nowhere.env\n  - /etc/hostname\n  - oci://registry.example/openclaw:latest\n  - twin/one.yml\n  - twin/two.yml\n",
    );
    write(
        &t,
        "home/cycle/a/compose.yml",
        "include:\n  - ../b/compose.yml\n",
    );
    write(
        &t,
        "home/cycle/b/compose.yml",
        "include:\n  - ../a/compose.yml\n",
    );
    write(
        &t,
        "home/stack/tenants/acme/compose.yml",
        &included_tenant("acme", "ACME_PORT"),
    );
    let twin = included_tenant("twin", "TWIN_PORT").replace("${TWIN_PORT}", "18811");
    write(&t, "home/stack/twin/one.yml", &twin);
    write(
        &t,
        "home/stack/twin/two.yml",
        &twin.replace("18811", "18812"),
    );
    let (_, _, json) = check(&t, &[]);
    let said = places(&json, |f| f["parties"][0]["file"].as_str().is_some());
    assert_said(
        &said,
        &[
            ("CL904", "cycle/b/compose.yml", 2),
            ("CL904", "cycle/a/compose.yml", 2),
            ("CL904", "stack/compose.yaml", 2),
            ("CL904", "stack/compose.yaml", 3),
            ("CL902", "stack/compose.yaml", 5),
            ("CL902", "stack/compose.yaml", 6),
            ("CL904", "stack/compose.yaml", 8),
        ],
    );
    // The twins merge into one service, the earlier entry's port kept and the later's added.
    let gateways = resolved(&t, &[]);
    let names: Vec<&str> = gateways.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(names, ["stack-twin-1"], "{gateways:?}");
}

/// A key the Compose schema does not allow makes `docker compose` refuse the whole project
/// (compose-go validates each file: `additionalProperties: false`): a service written without
/// the `services:` header (as gbilton/clawdpods's `setup-bot.sh` appends one to an override
/// file that does not exist yet), or a misspelt service key, is CL904 where it is written,
/// with the likely fix. `x-` keys, `version`, `<<` merge keys and every key of the schema
/// are not.
#[test]
fn a_key_compose_does_not_allow_is_said_where_it_is() {
    let t = TempDir::new("containers-compose-refused-keys").kept_on_failure();
    write(
        &t,
        "home/stack/compose.yml",
        "version: \"3.8\"\nx-base: &base\n  restart: unless-stopped\nservices:\n  gw:\n    <<: *base\n    image: ghcr.io/openclaw/openclaw:latest\n    enviroment:\n      TZ: UTC\n    x-note: kept\n    use_api_socket: false\n",
    );
    write(
        &t,
        "home/stack/compose.override.yml",
        "\nnews-bot:\n  image: ghcr.io/openclaw/openclaw:latest\n",
    );
    let (code, _, json) = check(&t, &[]);
    assert_eq!(code, 1, "{json}");
    let refused: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CL904")
        .map(|f| {
            let at = &f["parties"][0];
            let file = at["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (
                file,
                at["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(
        (refused[0].0.as_str(), refused[0].1),
        ("compose.override.yml", 2)
    );
    assert!(refused[0].2.contains("under `services:`"), "{refused:?}");
    assert_eq!((refused[1].0.as_str(), refused[1].1), ("compose.yml", 8));
    assert!(
        refused[1].2.contains("did you mean `environment`"),
        "{refused:?}"
    );
}

/// A compose stack whose `.env` leaves a `${VAR:?}` empty (MyTechPlan/oc-client's
/// `ADMIN_GATEWAY_TOKEN=` as `.env.example` ships it): compose interpolates every file before
/// it creates anything, so no service of the project starts. It was a CL502 warning while its
/// gateways were still compared (here CL108 against the native gateway): now CL909 at the
/// reference, the project's containers not started (`ports`, `resolve`), nothing compared.
#[test]
fn a_required_variable_with_no_value_starts_no_service_of_the_project() {
    let t = host_with_native_gateway("compose-required-empty");
    let mut stack = compose_gateway(&["18789:18789"]);
    stack = stack.replace(
        "OPENCLAW_GATEWAY_TOKEN: fake-gateway-token-1878918789",
        "OPENCLAW_GATEWAY_TOKEN: ${ADMIN_GATEWAY_TOKEN:?set ADMIN_GATEWAY_TOKEN in .env}",
    );
    write(&t, "home/stacks/admin/docker-compose.yml", &stack);
    write(
        &t,
        "home/stacks/admin/.env",
        "ADMIN_GATEWAY_TOKEN=   # required\n",
    );
    let (code, codes, json) = check(&t, &[]);
    assert_eq!(code, 1, "{json}");
    assert!(codes.contains("CL909"), "{json}");
    assert!(
        !codes.contains("CL108") && !codes.contains("CL502"),
        "{json}"
    );
    let gateways = resolved(&t, &[]);
    let admin = gateways
        .iter()
        .find(|g| g["container"].is_object())
        .expect("the stack's gateway");
    let refused = admin["container"]["refused"].as_str().unwrap_or_default();
    assert!(
        refused.contains("${ADMIN_GATEWAY_TOKEN:?...} has no value"),
        "{admin}"
    );

    // With a value, the stack starts and its published port meets the native gateway's.
    write(
        &t,
        "home/stacks/admin/.env",
        "ADMIN_GATEWAY_TOKEN=fake-admin-token\n",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL909"),
        "{json}"
    );
}

#[test]
fn a_token_interpolated_into_a_compose_service_names_the_env_line_that_holds_it() {
    let t = host_with_native_gateway("compose-token-from-dotenv");
    write(
        &t,
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" }, channels: { telegram: { botToken: \"111111111:AAFakeSharedBotTokenForTests0000000000\" } } }\n",
    );
    let stack = compose_gateway(&["18900:18789"]).replace(
        "    environment:\n",
        "    environment:\n      TELEGRAM_BOT_TOKEN: ${ACME_TELEGRAM_TOKEN}\n",
    );
    write(&t, "home/stacks/acme/docker-compose.yml", &stack);
    write(
        &t,
        "home/stacks/acme/.env",
        "# the stack's bot\nACME_TELEGRAM_TOKEN=111111111:AAFakeSharedBotTokenForTests0000000000\n",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL301"), "{json}");
    let finding = (json["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "CL301")
        .unwrap();
    let set_here = (finding["parties"].as_array().unwrap().iter())
        .find(|p| {
            p["message"]
                .as_str()
                .unwrap()
                .ends_with("ACME_TELEGRAM_TOKEN set here")
        })
        .unwrap_or_else(|| panic!("no party at the .env line: {finding}"));
    assert!(
        set_here["file"]
            .as_str()
            .unwrap()
            .ends_with("stacks/acme/.env"),
        "{set_here}"
    );
    assert_eq!(set_here["line"], 2, "{set_here}");
    assert!(!json.to_string().contains("AAFakeSharedBotToken"), "{json}");
}

/// A stack manager's directory is scanned only as deep as its layout: Coolify's
/// `/data/coolify/services/<uuid>/` one level down (found, and its 18789 collides with the
/// native gateway's), not a file nested below a project; Runtipi's
/// `~/runtipi/apps/<store>/<app>/`, four levels below the home, with the `app.env` Runtipi
/// names with `--env-file` from `~/runtipi/app-data/<store>/<app>/`.
#[test]
fn a_stack_managers_projects_are_found_as_deep_as_its_layout() {
    let t = host_with_native_gateway("containers-stack-depth");
    let root = t.join("root").display().to_string();
    write(
        &t,
        "root/data/coolify/services/u2/nested/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 0, "{codes:?}");
    write(
        &t,
        "root/data/coolify/services/u1/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    let (_, codes, _) = check(&t, &["--root", &root]);
    assert!(codes.contains("CL108"), "{codes:?}");

    let t = host_with_native_gateway("containers-stack-runtipi");
    write(
        &t,
        "home/runtipi/apps/migrated/openclaw/docker-compose.yml",
        &compose_gateway(&["${APP_PORT}:18789"]),
    );
    write(
        &t,
        "home/runtipi/app-data/migrated/openclaw/app.env",
        "APP_PORT=18789\n",
    );
    let (_, codes, _) = check(&t, &[]);
    assert!(codes.contains("CL108"), "{codes:?}");
    assert!(!codes.contains("CL502"), "{codes:?}");
}

/// A stack manager's directory that is a link is followed only within the copied root: CasaOS's
/// apps linked to `/DATA/casaos-apps` (in the root) are found; linked out of the layout (a
/// relative link climbing past the root), what lies there is not read.
#[cfg(unix)]
#[test]
fn a_linked_stack_manager_dir_is_not_followed_out_of_the_layout() {
    let t = host_with_native_gateway("containers-stack-link");
    let root = t.join("root").display().to_string();
    write(
        &t,
        "root/DATA/casaos-apps/openclaw/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    write(
        &t,
        "outside/openclaw/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    std::fs::create_dir_all(t.join("root/var/lib/casaos")).unwrap();
    std::os::unix::fs::symlink("/DATA/casaos-apps", t.join("root/var/lib/casaos/apps")).unwrap();
    let (_, codes, _) = check(&t, &["--root", &root]);
    assert!(codes.contains("CL108"), "{codes:?}");
    std::fs::remove_file(t.join("root/var/lib/casaos/apps")).unwrap();
    std::os::unix::fs::symlink("../../../../outside", t.join("root/var/lib/casaos/apps")).unwrap();
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 0, "{codes:?}");
    assert!(!codes.contains("CL108"), "{codes:?}");
}

/// A TrueNAS app keeps older versions for a rollback (`versions/<v>/`): only the one its
/// `metadata.yaml` names is what TrueNAS runs, as project `ix-<app>`; a stale version's
/// port is not read.
#[test]
fn only_a_truenas_apps_current_version_is_read() {
    let t = host_with_native_gateway("containers-truenas-current");
    let root = t.join("root").display().to_string();
    let app = "root/mnt/.ix-apps/app_configs/openclaw";
    write(
        &t,
        &format!("{app}/versions/1.0.1/templates/rendered/docker-compose.yaml"),
        &compose_gateway(&["18789:18789"]),
    );
    write(
        &t,
        &format!("{app}/versions/1.0.2/templates/rendered/docker-compose.yaml"),
        &compose_gateway(&["18900:18789"]),
    );
    write(
        &t,
        &format!("{app}/metadata.yaml"),
        "\"custom_app\": false\n\"metadata\":\n  \"version\": \"1.0.1\"\n\"version\": \"1.0.2\"\n",
    );
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 0, "{codes:?}");
    let names = gateway_names(&t, &["--root", &root]);
    assert!(
        names.iter().any(|n| n == "ix-openclaw-openclaw-gateway-1"),
        "{names:?}"
    );
    // Rolled back: the old version is the one TrueNAS runs.
    write(
        &t,
        &format!("{app}/metadata.yaml"),
        "\"custom_app\": false\n\"version\": \"1.0.1\"\n",
    );
    let (_, codes, _) = check(&t, &["--root", &root]);
    assert!(codes.contains("CL108"), "{codes:?}");
    // A version that is not one directory name is not followed.
    write(
        &t,
        &format!("{app}/metadata.yaml"),
        "\"version\": \"../openclaw/versions/1.0.1\"\n",
    );
    let (code, codes, _) = check(&t, &["--root", &root]);
    assert_eq!(code, 0, "{codes:?}");
}

/// Unraid's compose.manager: a project's `indirect` file names the directory whose compose
/// files it runs, followed when that is in the copied root; its `name` file gives the project
/// name (sanitized) and its `envpath` file the `--env-file`. A pointer that is not an absolute
/// path of the copied host is said, and not followed.
#[test]
fn a_compose_manager_projects_indirect_dir_is_followed_only_inside_the_root() {
    let t = host_with_native_gateway("containers-compose-manager-indirect");
    let root = t.join("root").display().to_string();
    let project = "root/boot/config/plugins/compose.manager/projects/openclaw";
    write(
        &t,
        &format!("{project}/indirect"),
        "/mnt/user/appdata/openclaw\n",
    );
    write(&t, &format!("{project}/name"), "OpenClaw Rescue\n");
    write(
        &t,
        &format!("{project}/envpath"),
        "/mnt/user/appdata/openclaw/openclaw.env\n",
    );
    write(
        &t,
        "root/mnt/user/appdata/openclaw/docker-compose.yml",
        &compose_gateway(&["${RESCUE_PORT:-18790}:18789"]),
    );
    write(
        &t,
        "root/mnt/user/appdata/openclaw/openclaw.env",
        "RESCUE_PORT=18789\n",
    );
    let (_, codes, _) = check(&t, &["--root", &root]);
    assert!(codes.contains("CL108"), "{codes:?}");
    let names = gateway_names(&t, &["--root", &root]);
    assert!(
        names
            .iter()
            .any(|n| n == "openclaw_rescue-openclaw-gateway-1"),
        "{names:?}"
    );
    // A relative pointer climbing out of the layout: not followed, and said.
    write(
        &t,
        "outside/openclaw/docker-compose.yml",
        &compose_gateway(&["18789:18789"]),
    );
    write(
        &t,
        &format!("{project}/indirect"),
        "../../../../../../../outside/openclaw\n",
    );
    let (_, codes, json) = check(&t, &["--root", &root]);
    assert!(!codes.contains("CL108"), "{codes:?}");
    let said = json.to_string();
    assert!(
        said.contains("the directory whose compose files compose.manager runs")
            && said.contains("not an absolute path of the copied host"),
        "{said}"
    );
}

/// umbrelOS's apps under a copied root (`/home/umbrel/umbrel/app-data/<id>`) are found, and
/// APP_SEED/APP_PASSWORD, which umbreld derives from the device's secret, are unverifiable,
/// not missing. The app has getumbrel/umbrel-apps' `openclaw/docker-compose.yml` variables
/// (`${APP_DATA_DIR}` mounts, `${APP_SEED}`) with OpenClaw's own image and gateway command:
/// that app's image (`ghcr.io/getumbrel/openclaw-umbrel`, no command) is not recognised as
/// OpenClaw's, so as published it is not read as a gateway at all.
#[test]
fn an_umbrel_app_under_the_root_is_found_and_its_seed_is_unverifiable() {
    let t = host_with_native_gateway("containers-umbrel-root");
    let root = t.join("root").display().to_string();
    write(
        &t,
        "root/home/umbrel/umbrel/app-data/openclaw/docker-compose.yml",
        "services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n    environment:\n      OPENCLAW_GATEWAY_TOKEN: ${APP_SEED}\n      OPENCLAW_GATEWAY_PASSWORD: ${APP_PASSWORD}\n    volumes:\n      - ${APP_DATA_DIR}/data:/home/node/.openclaw\n    ports:\n      - \"18789:18789\"\n",
    );
    let (_, codes, json) = check(&t, &["--root", &root]);
    assert!(codes.contains("CL108"), "{codes:?}");
    assert!(!codes.contains("CL502"), "{codes:?}");
    let said = json.to_string();
    assert!(said.contains("APP_SEED and APP_PASSWORD"), "{said}");
    let names = gateway_names(&t, &["--root", &root]);
    assert!(names.iter().any(|n| n == "openclaw-gateway-1"), "{names:?}");
}

/// A stack manager's directory listed app by app is listed only so far: one that holds more
/// entries than a host has apps is said (CL907), and none of its apps are read, the rest of the
/// host still checked.
#[test]
fn a_stack_managers_app_dir_of_too_many_entries_is_said_not_listed_whole() {
    let t = host_with_native_gateway("containers-truenas-too-many");
    let root = t.join("root").display().to_string();
    let apps = "root/mnt/.ix-apps/app_configs";
    write(
        &t,
        &format!("{apps}/openclaw/versions/1.0.1/templates/rendered/docker-compose.yaml"),
        &compose_gateway(&["18789:18789"]),
    );
    write(
        &t,
        &format!("{apps}/openclaw/metadata.yaml"),
        "\"version\": \"1.0.1\"\n",
    );
    let (_, codes, _) = check(&t, &["--root", &root]);
    assert!(
        codes.contains("CL108") && !codes.contains("CL907"),
        "{codes:?}"
    );
    for n in 0..2_000 {
        std::fs::create_dir_all(t.join(format!("{apps}/app-{n:04}"))).unwrap();
    }
    let (_, codes, json) = check(&t, &["--root", &root]);
    assert!(
        codes.contains("CL907") && !codes.contains("CL108"),
        "{json}"
    );
    assert!(
        json.to_string().contains("holds more than 2000 entries"),
        "{json}"
    );
}

/// `user: "0:0"` runs OpenClaw's image as root, whose home is `/root` (Docker sets `HOME`
/// from the user's passwd entry): the state dir mounted at `/root/.openclaw` is the gateway's,
/// as a root `docker run --user` and Unraid's template already read.
#[test]
fn a_compose_service_run_as_root_reads_the_state_mounted_under_root() {
    let t = host_with_native_gateway("compose-user-root");
    write(
        &t,
        "home/.openclaw/openclaw.json",
        "{ gateway: { mode: \"local\" }, channels: { telegram: { botToken: \"111111111:AAFakeRootUserBotTokenForTests00000000\" } } }\n",
    );
    let stack = compose_gateway(&["18900:18789"]).replace(
        "    environment:\n",
        "    user: \"0:0\"\n    volumes:\n      - ./state:/root/.openclaw\n    environment:\n",
    );
    write(&t, "home/stacks/root/docker-compose.yml", &stack);
    write(
        &t,
        "home/stacks/root/state/openclaw.json",
        "{ gateway: { mode: \"local\", bind: \"lan\" }, channels: { telegram: { botToken: \"111111111:AAFakeRootUserBotTokenForTests00000000\" } } }\n",
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL301"), "{json}");
    // As the image's own user, the mount is not its state dir.
    let stack = std::fs::read_to_string(t.join("home/stacks/root/docker-compose.yml")).unwrap();
    write(
        &t,
        "home/stacks/root/docker-compose.yml",
        &stack.replace("user: \"0:0\"", "user: node"),
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(!codes.contains("CL301"), "{json}");
}

/// A quadlet's `User=0` (podman's `--user`) runs OpenClaw's image as root: the state dir
/// mounted at `/root/.openclaw` is the gateway's.
#[test]
fn a_quadlet_run_as_root_reads_the_state_mounted_under_root() {
    let t = host_with_native_gateway("quadlet-user-root");
    let token = "111111111:AAFakeRootQuadletBotTokenForTests000000";
    write(
        &t,
        "home/.openclaw/openclaw.json",
        &format!("{{ gateway: {{ mode: \"local\" }}, channels: {{ telegram: {{ botToken: \"{token}\" }} }} }}\n"),
    );
    write(
        &t,
        "home/oc-root/openclaw.json",
        &format!("{{ gateway: {{ mode: \"local\", bind: \"lan\", auth: {{ token: \"fake-quadlet-gateway-token\" }} }}, channels: {{ telegram: {{ botToken: \"{token}\" }} }} }}\n"),
    );
    let quadlet = quadlet_on_18789("oc-root")
        .replace("PublishPort=18789:18789", "PublishPort=18900:18789")
        + "Volume=%h/oc-root:/root/.openclaw\n";
    write(
        &t,
        "home/.config/containers/systemd/oc-root.container",
        &(quadlet.clone() + "User=0\n"),
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(codes.contains("CL301"), "{json}");
    write(
        &t,
        "home/.config/containers/systemd/oc-root.container",
        &quadlet,
    );
    let (_, codes, json) = check(&t, &[]);
    assert!(!codes.contains("CL301"), "{json}");
}

/// A container's own command with a `--port` OpenClaw refuses (`99999`): the gateway exits 1
/// at every start ("Invalid --port"), CL909 at the word, and it holds nothing (its published
/// port takes no part in a collision). The same command with a valid port is judged as before.
#[test]
fn a_containers_command_with_a_port_openclaw_refuses_is_a_refused_start() {
    let t = host_with_native_gateway("compose-refused-port");
    let stack = compose_gateway(&["18789:18789"]);
    let refused = stack.replace("\"--port\", \"18789\"", "\"--port\", \"99999\"");
    write(&t, "home/stacks/bad/docker-compose.yml", &refused);
    let (_, _, json) = check(&t, &[]);
    let findings = json["findings"].as_array().unwrap();
    let port_refusals: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("Invalid --port"))
        .collect();
    assert_eq!(port_refusals.len(), 1, "{json}");
    assert_eq!(port_refusals[0]["code"], "CL909");
    assert!(port_refusals[0]["message"]
        .as_str()
        .unwrap()
        .contains("passes --port \"99999\""));
    let party = &port_refusals[0]["parties"][0];
    assert_eq!(party["line"], 4, "{json}");
    assert!(party["file"]
        .as_str()
        .unwrap()
        .ends_with("docker-compose.yml"));
    let collisions = |json: &serde_json::Value| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["message"].as_str().unwrap().contains("18789"))
            .filter(|f| f["code"] != "CL909")
            .count()
    };
    assert_eq!(
        collisions(&json),
        0,
        "a refused start binds nothing: {json}"
    );
    // The look-alike: the same stack on a port OpenClaw takes runs, and collides.
    write(&t, "home/stacks/bad/docker-compose.yml", &stack);
    let (_, _, json) = check(&t, &[]);
    assert!(!json.to_string().contains("Invalid --port"), "{json}");
    assert!(collisions(&json) > 0, "{json}");
}
