//! The Compose specification's short syntaxes, on strings already interpolated: `ports`
//! (`[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`, IPv6 in brackets) and
//! `volumes` (`SOURCE:TARGET[:MODE]`, where a source that is a path is a bind mount).

/// One `ports:` entry, before it is tied to a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// `None`: all addresses.
    pub host_ip: Option<String>,
    /// `None`: Docker picks an ephemeral host port. A range maps one to one onto the
    /// container range, or (when the container side is one port) Docker picks one of it.
    pub host: Option<(u16, u16)>,
    pub container: (u16, u16),
    pub protocol: String,
}

impl PortSpec {
    /// The fixed `(host port, container port)` pairs this entry publishes. A host range
    /// for a single container port is Docker's choice at start: no fixed pair.
    pub fn pairs(&self) -> Vec<(u16, u16)> {
        let Some((hs, he)) = self.host else {
            return Vec::new();
        };
        let (cs, ce) = self.container;
        if he - hs == ce - cs {
            (0..=(he - hs)).map(|i| (hs + i, cs + i)).collect()
        } else if hs == he {
            vec![(hs, cs)]
        } else {
            Vec::new()
        }
    }

    /// What the entry at `loc` publishes, one [`Published`] per fixed pair, with the
    /// variables its text reads and where its host port is written.
    pub fn published(
        &self,
        loc: crate::source::Loc,
        vars: &[(String, Option<crate::source::Loc>)],
        host_text: crate::container::HostText,
    ) -> Vec<crate::container::Published> {
        let host_addr = crate::container::HostAddr::parse(self.host_ip.as_deref().unwrap_or(""));
        (self.pairs().into_iter())
            .map(|(host_port, container_port)| crate::container::Published {
                host_addr: host_addr.clone(),
                host_port,
                container_port,
                protocol: self.protocol.clone(),
                loc,
                vars: vars.to_vec(),
                host_text,
            })
            .collect()
    }
}

fn port_number(raw: &str) -> Result<u16, String> {
    match raw.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(_) => Err(format!("port {raw} is out of range (1-65535)")),
        Err(_) => Err(format!("{raw:?} is not a port number")),
    }
}

/// `8000` or `8000-8010`.
pub fn port_range(raw: &str) -> Result<(u16, u16), String> {
    match raw.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim(), b.trim());
            // `-5`, `5-`, `1-2-3`: the text as written is what is wrong, not an empty part.
            if a.is_empty() || b.is_empty() || b.contains('-') {
                return Err(format!("{raw:?} is not a port number or a range START-END"));
            }
            let (a, b) = (port_number(a)?, port_number(b)?);
            if b < a {
                return Err(format!("port range {raw} ends before it starts"));
            }
            Ok((a, b))
        }
        None => {
            let p = port_number(raw.trim())?;
            Ok((p, p))
        }
    }
}

/// The short syntax, as Docker's `nat.ParsePortSpec` reads it.
pub fn parse_port(raw: &str) -> Result<PortSpec, String> {
    let raw = raw.trim();
    let (spec, protocol) = match raw.rsplit_once('/') {
        Some((spec, proto)) => (spec, proto.to_ascii_lowercase()),
        None => (raw, "tcp".to_string()),
    };
    if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol {protocol:?}"));
    }
    // An IPv6 host address is in brackets: `[::1]:8080:80`.
    let (host_ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after
            .split_once(']')
            .ok_or_else(|| format!("unclosed [ in {raw:?}"))?;
        let rest = rest
            .strip_prefix(':')
            .ok_or_else(|| format!("nothing after the address in {raw:?}"))?;
        (Some(ip.to_string()), rest.to_string())
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        match parts.len() {
            1 | 2 => (None, spec.to_string()),
            3 => (
                Some(parts[0].to_string()),
                format!("{}:{}", parts[1], parts[2]),
            ),
            // An unbracketed IPv6 address: everything before the last two fields.
            _ => {
                let n = parts.len();
                (
                    Some(parts[..n - 2].join(":")),
                    format!("{}:{}", parts[n - 2], parts[n - 1]),
                )
            }
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some(("", c)) => (None, c),
        Some((h, c)) => (Some(port_range(h)?), c),
        None => (None, rest.as_str()),
    };
    let container = port_range(container)?;
    if let Some((hs, he)) = host {
        let (cs, ce) = container;
        if ce - cs != he - hs && ce != cs {
            return Err(format!(
                "host range {hs}-{he} and container range {cs}-{ce} differ in size"
            ));
        }
    }
    Ok(PortSpec {
        host_ip: host_ip.filter(|ip| !ip.is_empty()),
        host,
        container,
        protocol,
    })
}

/// One `volumes:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    pub kind: VolumeKind,
    /// The host path (bind) or volume name, as written; empty for anonymous and tmpfs.
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    Bind,
    Volume,
    Anonymous,
    Tmpfs,
}

/// A source is a path (a bind mount) when it starts like one (compose-go
/// `format/volume.go` `isFilePath`: `.`, `/`, `~`, a Windows named pipe or UNC path `\\…`, a
/// drive `C:`); anything else names a volume. `$` too: a value clawlint could not interpolate.
pub fn is_path_source(source: &str) -> bool {
    source.starts_with('/')
        || source.starts_with('.')
        || source.starts_with('~')
        || source.starts_with('$')
        || source.starts_with("\\\\")
        || is_windows_drive(source)
}

/// `C:` followed by anything: a Windows drive path (compose-go `isWindowsDrive`: one letter,
/// then `:`).
pub fn is_windows_drive(source: &str) -> bool {
    let mut chars = source.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next() == Some(':')
}

/// The short syntax `[SOURCE:]TARGET[:MODE]`, split as compose-go's `format.ParseVolume`
/// splits it: a `:` right after a single letter is a Windows drive's (`C:\data:/x`,
/// `C:/data:/x`, also `d:\target`), not a separator; a `:` inside `${…}` is the variable's;
/// a spec of one or two characters is a target. The target must be an absolute container path
/// (OpenClaw's image is a Linux one).
/// The container path of a short-syntax volume as written (`${DIR}:/home/node/.openclaw:ro`
/// gives `/home/node/.openclaw`), when it is literal: its fields split at the colons outside
/// `${…}`, the second.
pub fn short_volume_target(written: &str) -> Option<String> {
    let mut fields = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    let bytes = written.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                fields.push(&written[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&written[start..]);
    let target = fields.get(1)?.trim();
    (target.starts_with('/') && !target.contains('$'))
        .then(|| target.trim_end_matches('/').to_string())
}

pub fn parse_volume(raw: &str) -> Result<VolumeSpec, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("empty volume entry".to_string());
    }
    let mut fields = volume_fields(raw)?;
    if raw.chars().nth(2).is_none() {
        fields = vec![raw];
    }
    let (source, target, mode) = match fields.as_slice() {
        [t] => ("", *t, ""),
        [s, t] => (*s, *t, ""),
        [s, t, m] => (*s, *t, *m),
        _ => return Err(format!("too many ':' in volume {raw:?}")),
    };
    if !target.starts_with('/') {
        return Err(format!(
            "volume target {target:?} is not an absolute container path"
        ));
    }
    let kind = if source.is_empty() {
        VolumeKind::Anonymous
    } else if is_path_source(source) {
        VolumeKind::Bind
    } else {
        VolumeKind::Volume
    };
    let read_only = mode.split(',').any(|m| m == "ro");
    Ok(VolumeSpec {
        kind,
        source: source.to_string(),
        target: target
            .trim_end_matches('/')
            .to_string()
            .max("/".to_string()),
        read_only,
    })
}

/// `raw` (trimmed, not empty) split at each `:` outside `${…}`, a Windows drive's `:` kept in
/// its field ([`parse_volume`]). Read by bytes: `$`, braces and `:` are ASCII, and no byte of
/// a longer character is one of them; each field is a slice of `raw`.
fn volume_fields(raw: &str) -> Result<Vec<&str>, String> {
    let bytes = raw.as_bytes();
    let mut fields = Vec::with_capacity(3);
    let mut start = 0;
    let mut in_var = 0usize;
    for i in 0..=bytes.len() {
        let closes_field = match bytes.get(i) {
            Some(b'$') if bytes.get(i + 1) == Some(&b'{') => {
                in_var += 1;
                false
            }
            Some(b'}') if in_var > 0 => {
                in_var -= 1;
                false
            }
            Some(b':') => in_var == 0 && !is_drive_letter(&raw[start..i]),
            Some(_) => false,
            None => true,
        };
        if !closes_field {
            continue;
        }
        let field = &raw[start..i];
        if field.is_empty() {
            return Err(format!("empty section between colons in volume {raw:?}"));
        }
        if fields.len() == 3 {
            return Err(format!("too many ':' in volume {raw:?}"));
        }
        fields.push(field);
        start = i + 1;
    }
    Ok(fields)
}

/// One letter: a `:` after it is a Windows drive's (`C:`).
fn is_drive_letter(field: &str) -> bool {
    let mut chars = field.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// The `HOME` of a container from the image a Dockerfile builds, when it can be known: its
/// last stage's `ENV HOME`, else the home of its `USER` (`root` is `/root`; `node`, in a
/// Node.js image, `/home/node`), else the base image's user: root for the distribution and
/// language images (`node`, `debian`, ...), `node` for OpenClaw's own image (its Dockerfile
/// ends with `USER node`). `None` for anything else (a base image clawlint does not know, a
/// user of its own, a value with a variable).
pub fn dockerfile_home(text: &str) -> Option<String> {
    // The stage being read, and each named stage.
    let mut stage: Option<Stage> = None;
    // By name, lowercased (Docker's stage names are case-insensitive): a hostile file's
    // thousands of stages are each looked up once, not searched for.
    let mut named: std::collections::HashMap<String, Stage> = Default::default();
    // The name of the stage being read (`FROM … AS name`), kept with its state when it ends.
    let mut current_name: Option<String> = None;
    for line in dockerfile_lines(text) {
        let mut words = line.split_whitespace();
        let Some(instruction) = words.next() else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        match instruction.to_ascii_uppercase().as_str() {
            "FROM" => {
                if let (Some(name), Some(done)) = (current_name.take(), stage.take()) {
                    named.insert(name, done);
                }
                let image = rest.iter().find(|w| !w.starts_with("--"))?.to_string();
                let inherited = named.get(&image.to_ascii_lowercase()).cloned();
                let this = inherited.unwrap_or((image, None, None));
                if let [.., as_word, name] = rest.as_slice() {
                    if as_word.eq_ignore_ascii_case("as") {
                        current_name = Some(name.to_ascii_lowercase());
                    }
                }
                stage = Some(this);
            }
            "USER" => {
                let (_, user, _) = stage.as_mut()?;
                *user = Some(rest.first()?.to_string());
            }
            "ENV" => {
                let (_, _, home) = stage.as_mut()?;
                match rest.as_slice() {
                    ["HOME", value, ..] if !value.contains('=') => *home = Some(value.to_string()),
                    pairs => {
                        for pair in pairs {
                            if let Some(value) = pair.strip_prefix("HOME=") {
                                *home = Some(value.trim_matches('"').to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let (base, user, home) = stage?;
    if let Some(home) = home {
        return (!home.contains('$') && home.starts_with('/')).then_some(home);
    }
    let name = base.rsplit('/').next().unwrap_or(&base);
    let name = name.split([':', '@']).next().unwrap_or(name);
    let official = base.contains("openclaw/openclaw");
    let node_family = official || matches!(name, "node");
    let root_base = matches!(
        name,
        "node" | "debian" | "ubuntu" | "alpine" | "python" | "busybox" | "fedora" | "bun"
    ) && !official;
    let user = user.map(|u| u.split(':').next().unwrap_or_default().to_string());
    match user.as_deref() {
        Some("root" | "0") => Some("/root".to_string()),
        Some("node" | "1000") if node_family => Some("/home/node".to_string()),
        Some(_) => None,
        None if official => Some("/home/node".to_string()),
        None if root_base => Some("/root".to_string()),
        None => None,
    }
}

/// A Dockerfile stage as far as its `HOME` goes: its base image, its `USER` and its `ENV HOME`.
type Stage = (String, Option<String>, Option<String>);

/// A Dockerfile's instructions, one per line: comments and blank lines dropped, lines ending
/// in `\` joined with the next.
fn dockerfile_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && current.is_empty() {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                if !current.trim().is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// The keys the Compose schema allows at the top of a file and in a service (compose-go
/// `schema/compose-spec.json` @ e70e961c: `additionalProperties: false`, and any `x-` key).
/// compose-go validates every file it loads against it, so `docker compose` refuses a
/// project with any other key (`additional properties 'X' not allowed`) and starts nothing.
#[rustfmt::skip]
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "configs", "include", "models", "name", "networks", "secrets", "services", "version",
    "volumes",
];

/// See [`TOP_LEVEL_KEYS`].
#[rustfmt::skip]
pub const SERVICE_KEYS: &[&str] = &[
    "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
    "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
    "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus",
    "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules",
    "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
    "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add",
    "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels",
    "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness",
    "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj",
    "pid", "pids_limit", "platform", "ports", "post_start", "pre_start", "pre_stop",
    "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only",
    "restart", "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open",
    "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits",
    "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir",
];

/// Why compose refuses `key` where it stands (`allowed`: the keys there), with the likely
/// key it is a typo of; `None` for a key it allows. A key that looks like a secret, or is
/// longer than 64 bytes, is not repeated.
/// `service_like`: the key holds what a service holds (`image:`, `build:`), written where a
/// service cannot be.
pub fn refused_key(key: &str, allowed: &[&str], whose: &str, service_like: bool) -> Option<String> {
    // The lists are sorted (a test holds them so): one search per key, not a scan.
    if key.starts_with("x-") || allowed.binary_search(&key).is_ok() {
        return None;
    }
    let hint = match crate::validate::did_you_mean(key, allowed.iter().copied()) {
        Some(k) => format!(" (did you mean `{k}`?)"),
        None if service_like => " (a service belongs under `services:`)".to_string(),
        None => String::new(),
    };
    // A key shaped like a secret, or longer than any real one, is not repeated.
    let shown = match crate::redact::shows_key(key) {
        true => format!("`{key}`"),
        false => "this key".to_string(),
    };
    Some(format!(
        "{shown} is not a key of {whose}{hint}: docker compose refuses to load the project (\"additional properties not allowed\"), so it starts none of its services"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_too_long_or_secret_shaped_is_not_repeated() {
        let long = "k".repeat(65);
        let said = super::refused_key(&long, super::SERVICE_KEYS, "a compose service", false);
        assert!(said.unwrap().starts_with("this key is not"));
        let said = super::refused_key(
            "enviroment",
            super::SERVICE_KEYS,
            "a compose service",
            false,
        );
        assert!(said.unwrap().starts_with("`enviroment` is not"));
    }

    #[test]
    fn the_schema_key_lists_are_sorted_for_their_search() {
        for keys in [super::TOP_LEVEL_KEYS, super::SERVICE_KEYS] {
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        }
    }

    use super::*;

    #[test]
    fn dockerfile_homes() {
        let home = |text: &str| dockerfile_home(text);
        // nyx-one's: a Node.js image run as root.
        assert_eq!(
            home("FROM node:22-slim\nRUN npm i -g openclaw\nENTRYPOINT [\"/entrypoint.sh\"]\n")
                .as_deref(),
            Some("/root")
        );
        // OpenClaw's own Dockerfile ends as node; an image built on it stays node.
        assert_eq!(
            home("FROM node:22-bookworm AS base\nRUN x \\\n  && y\nUSER node\n").as_deref(),
            Some("/home/node")
        );
        assert_eq!(
            home("FROM ghcr.io/openclaw/openclaw:latest\nRUN true\n").as_deref(),
            Some("/home/node")
        );
        assert_eq!(
            home("FROM ghcr.io/openclaw/openclaw:latest\nUSER root\n").as_deref(),
            Some("/root")
        );
        // A later stage from a named one inherits its user.
        assert_eq!(
            home("FROM node:22 AS build\nUSER node\nFROM build\nCOPY . .\n").as_deref(),
            Some("/home/node")
        );
        // ENV HOME wins, in both forms.
        assert_eq!(
            home("FROM debian\nENV HOME /srv/bot\n").as_deref(),
            Some("/srv/bot")
        );
        assert_eq!(
            home("FROM debian\nENV A=1 HOME=\"/srv/x\"\n").as_deref(),
            Some("/srv/x")
        );
        // Not known: a user of its own, a base clawlint does not know, a variable.
        assert_eq!(home("FROM node:22\nUSER app\n"), None);
        assert_eq!(home("FROM registry.example/base:1\n"), None);
        assert_eq!(home("FROM debian\nENV HOME=$APP_HOME\n"), None);
        assert_eq!(home(""), None);
    }

    #[test]
    fn short_volume_targets_as_written() {
        let t = |w: &str| short_volume_target(w);
        assert_eq!(
            t("${DIR}:/home/node/.openclaw").as_deref(),
            Some("/home/node/.openclaw")
        );
        assert_eq!(t("${D:-a:b}:/data/:ro").as_deref(), Some("/data"));
        assert_eq!(t("./x:${TARGET}"), None);
        assert_eq!(t("/only"), None);
    }

    /// [`parse_volume`] as it was written before it read bytes (each character pushed into a
    /// field of its own, over a `Vec<char>`): what it must still give.
    fn parse_volume_by_chars(raw: &str) -> Result<VolumeSpec, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("empty volume entry".to_string());
        }
        let mut fields: Vec<String> = Vec::new();
        let mut buffer = String::new();
        let mut in_var = 0usize;
        let chars: Vec<char> = raw.chars().collect();
        for (i, &c) in chars.iter().chain(std::iter::once(&'\0')).enumerate() {
            let end = i == chars.len();
            if !end && c == '$' && chars.get(i + 1) == Some(&'{') {
                in_var += 1;
                buffer.push(c);
                continue;
            }
            if !end && c == '}' && in_var > 0 {
                in_var -= 1;
                buffer.push(c);
                continue;
            }
            let drive = c == ':'
                && buffer.chars().count() == 1
                && buffer.chars().next().is_some_and(char::is_alphabetic);
            if drive {
                buffer.push(c);
            } else if end || (c == ':' && in_var == 0) {
                if buffer.is_empty() {
                    return Err(format!("empty section between colons in volume {raw:?}"));
                }
                if fields.len() == 3 {
                    return Err(format!("too many ':' in volume {raw:?}"));
                }
                fields.push(std::mem::take(&mut buffer));
            } else {
                buffer.push(c);
            }
        }
        if chars.len() <= 2 {
            fields = vec![raw.to_string()];
        }
        let (source, target, mode) = match fields.as_slice() {
            [t] => ("", t.as_str(), ""),
            [s, t] => (s.as_str(), t.as_str(), ""),
            [s, t, m] => (s.as_str(), t.as_str(), m.as_str()),
            _ => return Err(format!("too many ':' in volume {raw:?}")),
        };
        if !target.starts_with('/') {
            return Err(format!(
                "volume target {target:?} is not an absolute container path"
            ));
        }
        let kind = if source.is_empty() {
            VolumeKind::Anonymous
        } else if is_path_source(source) {
            VolumeKind::Bind
        } else {
            VolumeKind::Volume
        };
        let read_only = mode.split(',').any(|m| m == "ro");
        Ok(VolumeSpec {
            kind,
            source: source.to_string(),
            target: target
                .trim_end_matches('/')
                .to_string()
                .max("/".to_string()),
            read_only,
        })
    }

    #[test]
    fn volumes_read_by_bytes_give_what_the_char_reading_gave() {
        const PIECES: [&str; 16] = [
            ":", "/", "${", "}", "$", "{", "a", "C", "\u{e9}", "ro", ",", "/x", "..", " ", "~",
            "\0",
        ];
        let mut rng = crate::xorshift::Rng(0x5eed_0fb7_e51d_ea01);
        for _ in 0..50_000 {
            let len = rng.below(9);
            let raw: String = (0..len)
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect();
            assert_eq!(parse_volume(&raw), parse_volume_by_chars(&raw), "{raw:?}");
        }
    }

    fn p(raw: &str) -> PortSpec {
        parse_port(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn short_port_syntax_from_the_specification() {
        assert_eq!(p("3000").host, None);
        assert_eq!(p("3000").pairs(), vec![]);
        assert_eq!(p("3000-3005").container, (3000, 3005));
        assert_eq!(p("8000:8000").pairs(), vec![(8000, 8000)]);
        assert_eq!(
            p("9090-9091:8080-8081").pairs(),
            vec![(9090, 8080), (9091, 8081)]
        );
        assert_eq!(p("49100:22").pairs(), vec![(49100, 22)]);
        let loopback = p("127.0.0.1:8001:8001");
        assert_eq!(loopback.host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(p("127.0.0.1:5000-5010:5000-5010").pairs().len(), 11);
        let ephemeral = p("127.0.0.1::5000");
        assert_eq!((ephemeral.host, ephemeral.pairs()), (None, vec![]));
        assert_eq!(p("6060:6060/udp").protocol, "udp");
        let v6 = p("[::1]:6001:6001");
        assert_eq!(v6.host_ip.as_deref(), Some("::1"));
        assert_eq!(v6.pairs(), vec![(6001, 6001)]);
        let v6 = p("::1:6001:6001");
        assert_eq!(v6.host_ip.as_deref(), Some("::1"));
        // A host range for one container port: Docker picks one at start.
        assert_eq!(p("8000-8010:80").pairs(), vec![]);
    }

    #[test]
    fn bad_ports_say_why() {
        for raw in [
            "", "70000:1", "a:1", "1:2:3:x", "[::1:1:1", "10-5:1", "1-3:1-2", "1/ftp",
        ] {
            assert!(parse_port(raw).is_err(), "{raw}");
        }
        // A negative port or a range with a part missing is said as written, not as `""`.
        for (raw, said) in [
            ("[::1]:-5:18789", "\"-5\" is not a port number"),
            ("5-:18789", "\"5-\" is not a port number"),
            ("1-2-3:18789", "\"1-2-3\" is not a port number"),
            ("127.0.0.1:19000:-1", "\"-1\" is not a port number"),
        ] {
            let why = parse_port(raw).unwrap_err();
            assert!(why.contains(said), "{raw}: {why}");
        }
    }

    #[test]
    fn short_volume_syntax() {
        let v = parse_volume("/srv/acme:/home/node/.openclaw").unwrap();
        assert_eq!((v.kind, v.source.as_str()), (VolumeKind::Bind, "/srv/acme"));
        let v = parse_volume("./config:/home/node/.openclaw:ro").unwrap();
        assert!(v.read_only && v.kind == VolumeKind::Bind);
        let v = parse_volume("openclaw_config:/home/node/.openclaw").unwrap();
        assert_eq!(v.kind, VolumeKind::Volume);
        let v = parse_volume("/var/lib/data").unwrap();
        assert_eq!(v.kind, VolumeKind::Anonymous);
        let v = parse_volume("~/.openclaw:/home/node/.openclaw/").unwrap();
        assert_eq!(
            (v.kind, v.target.as_str()),
            (VolumeKind::Bind, "/home/node/.openclaw")
        );
        assert!(parse_volume("a:b:c:d").is_err());
        // Windows sources (compose-go format/volume_test.go): the drive's colon is no separator.
        for (raw, source) in [
            (
                "C:\\Users\\ana\\openclaw:/home/node/.openclaw",
                "C:\\Users\\ana\\openclaw",
            ),
            (
                "C:/Users/ana/openclaw:/home/node/.openclaw:ro",
                "C:/Users/ana/openclaw",
            ),
            (
                "\\\\server\\share\\oc:/home/node/.openclaw",
                "\\\\server\\share\\oc",
            ),
            (
                "${OC_DIR:-./config}:/home/node/.openclaw",
                "${OC_DIR:-./config}",
            ),
        ] {
            let v = parse_volume(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                (v.kind, v.source.as_str(), v.target.as_str()),
                (VolumeKind::Bind, source, "/home/node/.openclaw"),
                "{raw}"
            );
        }
        assert!(parse_volume("C:\\data").is_err());
        // compose-go reads `a::/x` as the source `a:` (a drive), not as an empty section.
        assert_eq!(parse_volume("a::/x").unwrap().source, "a:");
        assert!(parse_volume("/a:/b:ro:x").is_err());
        assert!(parse_volume("x:relative").is_err());
    }
}
