//! The home directory scan: `~/.openclaw` (or legacy `~/.clawdbot`) is the default gateway,
//! each `~/.openclaw-<profile>` a named one started with `--profile <profile>`.

use crate::invocation::{Discovery, Invocation};
use crate::load::env::Env;
use crate::load::listing::{Entry, Kind};
use crate::openclaw::is_valid_profile_name;
use std::path::Path;

/// `Some(None)` for the default dir, `Some(Some(p))` for a valid profile dir.
pub fn profile_of_dir(name: &str) -> Option<Option<String>> {
    match name {
        ".openclaw" | ".clawdbot" => Some(None),
        _ => {
            let profile = name.strip_prefix(".openclaw-")?;
            let valid = is_valid_profile_name(profile) && !profile.eq_ignore_ascii_case("default");
            valid.then(|| Some(profile.to_string()))
        }
    }
}

/// How OpenClaw is started for a profile dir: `openclaw [--profile P] gateway` from home.
pub fn invocation(home: &Path, profile: Option<&str>) -> Invocation {
    let name = profile.unwrap_or("default").to_string();
    let dir = match profile {
        Some(p) => [".openclaw-", p].concat(),
        None => ".openclaw".to_string(),
    };
    Invocation {
        written_home: None,
        name,
        discovery: Discovery::HomeDir(crate::paths::join(home, dir)),
        home: home.to_path_buf(),
        cwd: home.to_path_buf(),
        profile_flag: profile.map(str::to_string),
        dev: false,
        env: Env::new(),
        port_arg: None,
        bind_arg: None,
        auth_args: false,
        allow_unconfigured: None,
        service: None,
        container: None,
    }
}

/// At most this many gateway state dirs are taken from one home, in name order: no real host
/// runs that many gateways (the benchmark's largest layout has 30,000), and past it a layout
/// of empty `.openclaw-<profile>` dirs would cost memory and time without limit.
pub const MAX_PROFILE_DIRS: usize = 50_000;

/// A home's gateway state dirs: the invocations, in name order, and how many profile dirs
/// were left out past [`MAX_PROFILE_DIRS`] (with the first one left out).
#[derive(Debug, Default)]
pub struct Scanned {
    pub invocations: Vec<Invocation>,
    pub left_out: usize,
    pub first_left_out: Option<String>,
}

/// One invocation per gateway state dir in `home`, in name order. A `.clawdbot` belongs to
/// the default gateway (OpenClaw falls back to it; migration leaves it as a symlink).
pub fn scan(home: &Path) -> Vec<Invocation> {
    scan_capped(home).invocations
}

/// [`scan`], saying how many dirs past [`MAX_PROFILE_DIRS`] it left out.
pub fn scan_capped(home: &Path) -> Scanned {
    scan_capped_at(home, MAX_PROFILE_DIRS)
}

fn scan_capped_at(home: &Path, cap: usize) -> Scanned {
    let Some(names) = dir_names(home) else {
        return Scanned::default();
    };
    // Sized for every name that can be a gateway dir (no regrowth: an invocation is large).
    let gateway_names = names
        .iter()
        .filter(|n| n.starts_with(".openclaw") || *n == ".clawdbot")
        .count();
    let mut out: Vec<Invocation> = Vec::with_capacity(gateway_names.min(cap.saturating_add(2)));
    let mut scanned = Scanned::default();
    for name in names {
        let Some(profile) = profile_of_dir(&name) else {
            continue;
        };
        if out.len() >= cap {
            scanned.left_out += 1;
            scanned.first_left_out.get_or_insert(name);
            continue;
        }
        if profile.is_some() {
            let dir = crate::paths::join(home, &name);
            if is_home_root(&dir) {
                out.push(home_root_invocation(home, &name));
                continue;
            }
            if holds_only_foreign_files(&dir) {
                continue;
            }
        }
        if profile.is_none() && out.iter().any(|i| i.profile_flag.is_none()) {
            continue;
        }
        out.push(invocation(home, profile.as_deref()));
    }
    // The names came in order, so the profiles did: only a home root (no profile) after a
    // profile moves.
    if !out.is_sorted_by(|a, b| a.profile_flag <= b.profile_flag) {
        out.sort_by(|a, b| a.profile_flag.cmp(&b.profile_flag));
    }
    scanned.invocations = out;
    scanned
}

/// The names of `home`'s directories, in name order: each directory, and each symlink that
/// does not resolve to anything but also is not dangling (a loop: that gateway's files then
/// report the loop). `None` when `home` cannot be listed.
fn dir_names(home: &Path) -> Option<Vec<String>> {
    let placed = crate::paths::on_host(home)?;
    // The layout's listing of the home, already in name order, when there is one: the home's
    // gateway directories are looked into from it anyway.
    if let Some(listing) = crate::load::listing::entries(&placed) {
        let names = listing
            .iter()
            .filter(|(name, entry)| match entry {
                Entry::Plain(kind) => *kind == Kind::Dir,
                Entry::Symlink | Entry::Unknown => is_dir_or_loop(&placed.join(name)),
            })
            .filter_map(|(name, _)| name.to_str().map(str::to_string))
            .collect();
        return Some(names);
    }
    let mut names: Vec<String> = std::fs::read_dir(&placed)
        .ok()?
        .filter_map(Result::ok)
        // The listing's own file type answers for a plain directory (no `stat` per gateway);
        // a symlink or an unknown type is looked at.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) || is_dir_or_loop(&e.path()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    Some(names)
}

/// Whether `path` leads to a directory, or is a symlink that does not resolve to anything but
/// is not dangling either (a loop).
fn is_dir_or_loop(path: &Path) -> bool {
    crate::paths::host::is_dir(path)
        || (path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
            && crate::paths::host::metadata(path)
                .is_err_and(|err| err.kind() != std::io::ErrorKind::NotFound))
}

/// A `~/.openclaw-x/` that holds its own `.openclaw/` (or legacy `.clawdbot/`) and no config
/// of its own is an `OPENCLAW_HOME` root (`OPENCLAW_HOME=~/.openclaw-x openclaw gateway`), not
/// the state dir of a profile "x".
pub fn is_home_root(dir: &Path) -> bool {
    // The directory placed and its listing taken once for both names, no path joined for
    // each (every profile directory of the home is asked).
    let has_config =
        crate::paths::host::first_file_name_in(dir, &["openclaw.json", "clawdbot.json"]).is_some();
    !has_config
        && (crate::paths::host::is_dir(&crate::paths::join(dir, ".openclaw"))
            || crate::paths::host::is_dir(&crate::paths::join(dir, ".clawdbot")))
}

/// What OpenClaw keeps at the top of a state dir (openclaw-facts 1.8), besides names that
/// say OpenClaw (`openclaw*`, `clawdbot*`, `workspace-<agent>`).
const STATE_DIR_ENTRIES: &[&str] = &[
    "agents",
    "browser",
    "canvas",
    "credentials",
    "cron",
    "devices",
    "extensions",
    "fleet",
    "gateway.cmd",
    "gateway.systemd.env",
    "identity",
    "logs",
    "media",
    "memory",
    "sandbox",
    "sandboxes",
    "state",
    "tmp",
    "workspace",
];

/// A `~/.openclaw-x/` that holds files and none of them OpenClaw's: another program's data
/// dir named like a profile's (myopenclaw's `~/.openclaw-zhixun-mcp`, an MCP server's cache
/// that its container mounts), not a gateway. Hidden files (`.DS_Store`) say nothing either
/// way; a dir with nothing else, or with anything OpenClaw writes, is still a gateway's.
fn holds_only_foreign_files(dir: &Path) -> bool {
    let Some(placed) = crate::paths::on_host(dir) else {
        return false;
    };
    let names: Vec<std::ffi::OsString> = match crate::load::listing::entries(&placed) {
        Some(listing) => listing
            .iter()
            .map(|(name, _)| name.to_os_string())
            .collect(),
        None => match std::fs::read_dir(&placed) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .take(1024)
                .map(|e| e.file_name())
                .collect(),
            Err(_) => return false,
        },
    };
    let visible = || {
        (names.iter())
            .filter_map(|n| n.to_str())
            .filter(|n| !n.starts_with('.') || n.starts_with(".env"))
    };
    let openclaws = |name: &str| {
        STATE_DIR_ENTRIES.contains(&name)
            || name.starts_with(".env")
            || name.starts_with("openclaw")
            || name.starts_with("clawdbot")
            || name.starts_with("workspace-")
    };
    // A name that is not UTF-8 is nobody's evidence: the dir stays a gateway's.
    names.iter().all(|n| n.to_str().is_some())
        && visible().next().is_some()
        && !visible().any(openclaws)
}

/// The gateway of an `OPENCLAW_HOME` root: no profile, its home redirected.
fn home_root_invocation(home: &Path, dir_name: &str) -> Invocation {
    let root = home.join(dir_name);
    let mut env = Env::new();
    env.set(
        "OPENCLAW_HOME",
        root.display().to_string(),
        crate::load::env::EnvOrigin::Given,
    );
    Invocation {
        written_home: None,
        name: dir_name.trim_start_matches('.').to_string(),
        discovery: Discovery::HomeDir(root.clone()),
        home: home.to_path_buf(),
        cwd: home.to_path_buf(),
        profile_flag: None,
        dev: false,
        env,
        port_arg: None,
        bind_arg: None,
        auth_args: false,
        allow_unconfigured: None,
        service: None,
        container: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile-named dir of another program's files is no gateway; an empty one, one with
    /// only hidden files, one with a config or with anything OpenClaw writes still is.
    #[test]
    fn a_profile_dir_of_foreign_files_is_no_gateway() {
        let home = std::env::temp_dir().join(format!("clawlint-foreign-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        for (dir, file) in [
            (".openclaw-mcp", Some("station-index.json")),
            (".openclaw-empty", None),
            (".openclaw-mac", Some(".DS_Store")),
            (".openclaw-cfg", Some("openclaw.json")),
            (".openclaw-env", Some(".env")),
            (".openclaw-agents", Some("agents")),
        ] {
            std::fs::create_dir_all(home.join(dir)).unwrap();
            if let Some(file) = file {
                std::fs::write(home.join(dir).join(file), "{}").unwrap();
            }
        }
        let names: Vec<String> = scan(&home).into_iter().map(|i| i.name).collect();
        assert_eq!(names, ["agents", "cfg", "empty", "env", "mac"]);
        std::fs::remove_dir_all(&home).unwrap();
    }

    /// Past the cap, profile dirs are left out in name order and counted; the default dir and
    /// non-gateway dirs do not count against it.
    #[test]
    fn profile_dirs_past_the_cap_are_counted_not_scanned() {
        let home = std::env::temp_dir().join(format!("clawlint-home-cap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        for name in [
            ".openclaw",
            ".openclaw-a",
            ".openclaw-b",
            ".openclaw-c",
            ".openclaw-d",
            "other",
        ] {
            std::fs::create_dir_all(home.join(name)).unwrap();
        }
        let scanned = scan_capped_at(&home, 3);
        let names: Vec<&str> = scanned
            .invocations
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(names, ["default", "a", "b"]);
        assert_eq!(scanned.left_out, 2);
        assert_eq!(scanned.first_left_out.as_deref(), Some(".openclaw-c"));
        let all = scan_capped(&home);
        assert_eq!((all.invocations.len(), all.left_out), (5, 0));
        std::fs::remove_dir_all(&home).unwrap();
    }
}
