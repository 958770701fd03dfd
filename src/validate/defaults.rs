//! What a gateway gets from each OpenClaw release when nothing pins its port: recorded by
//! `scripts/record-release-defaults.sh` (`openclaw [--profile rescue | --dev] gateway status
//! --json --no-probe` on an empty home, per installed release) into
//! `data/release-defaults.json`. A named profile without a pinned port runs on 18789 up to
//! 2026.7.35 and on its hash port (20000 + FNV-1a(name) % 40000) from 2026.8.2; the default
//! port (18789), the dev port (19001) and the config paths are the same in every recorded
//! release. `clawlint check --target-version` (CL703) reports a gateway whose port changes.

use super::releases::compare;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/release-defaults.json");

/// One recorded release.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub release: String,
    /// The port without a profile.
    pub default_port: u16,
    /// The port of `--profile rescue`.
    pub profile_port: u16,
    /// The port of `--dev`.
    pub dev_port: u16,
    /// The config path without a profile, `--profile rescue` and `--dev` (`~/...`).
    pub config_paths: [String; 3],
}

fn table() -> &'static [Defaults] {
    static TABLE: OnceLock<Vec<Defaults>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(DATA).expect("data/release-defaults.json is JSON");
        let mut out: Vec<Defaults> = doc["releases"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(release, e)| {
                let port = |m: &str| e[m]["port"].as_u64().and_then(|p| u16::try_from(p).ok());
                let path = |m: &str| e[m]["configPath"].as_str().unwrap_or("").to_string();
                Some(Defaults {
                    release: release.clone(),
                    default_port: port("default")?,
                    profile_port: port("profile")?,
                    dev_port: port("dev")?,
                    config_paths: [path("default"), path("profile"), path("dev")],
                })
            })
            .collect();
        out.sort_by(|a, b| compare(&a.release, &b.release));
        out
    })
}

/// The recorded release that stands for `release`: the newest not newer than it (the oldest
/// for older releases).
pub fn for_release(release: &str) -> Option<&'static Defaults> {
    super::releases::newest_not_newer(table(), |d| &d.release, release).or(table().first())
}

/// Whether a named profile without a pinned port gets its hash port from this release (else
/// the default port).
pub fn profile_gets_hash_port(release: &str) -> bool {
    for_release(release).is_none_or(|d| {
        d.profile_port == crate::openclaw::profile_hash_port("rescue")
            && d.profile_port != d.default_port
    })
}

/// The port a named profile without a pinned port runs on under `release`.
pub fn unpinned_profile_port(release: &str, profile: &str) -> u16 {
    if profile_gets_hash_port(release) {
        crate::openclaw::profile_hash_port(profile)
    } else {
        for_release(release).map_or(18789, |d| d.default_port)
    }
}

/// The first recorded release after `from` (up to `to`) whose unpinned profile port differs
/// from `from`'s: where the change happens.
pub fn profile_port_changes_at(from: &str, to: &str) -> Option<&'static str> {
    let before = profile_gets_hash_port(from);
    table()
        .iter()
        .filter(|d| compare(&d.release, from).is_gt() && compare(&d.release, to).is_le())
        .find(|d| profile_gets_hash_port(&d.release) != before)
        .map(|d| d.release.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ports_arrive_with_2026_8() {
        assert!(!profile_gets_hash_port("2026.1.30"));
        assert!(!profile_gets_hash_port("2026.7.35"));
        assert!(profile_gets_hash_port("2026.8.2"));
        assert!(profile_gets_hash_port("2026.9.6"));
        assert_eq!(unpinned_profile_port("2026.3.31", "rescue"), 18789);
        assert_eq!(unpinned_profile_port("2026.9.6", "rescue"), 23532);
        assert_eq!(
            profile_port_changes_at("2026.3.31", "2026.9.6"),
            Some("2026.8.2")
        );
        assert_eq!(profile_port_changes_at("2026.8.2", "2026.9.6"), None);
    }

    #[test]
    fn dev_port_and_paths_never_change() {
        let t = table();
        assert!(t.len() >= 9);
        for d in t {
            assert_eq!(
                (d.default_port, d.dev_port),
                (18789, 19001),
                "{}",
                d.release
            );
            assert_eq!(
                d.config_paths,
                [
                    "~/.openclaw/openclaw.json".to_string(),
                    "~/.openclaw-rescue/openclaw.json".to_string(),
                    "~/.openclaw-dev/openclaw.json".to_string()
                ],
                "{}",
                d.release
            );
        }
    }
}
