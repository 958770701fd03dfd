//! The config keys each OpenClaw release's doctor migrations remove ("retire") without moving
//! their value: a starting 2026.9.6 gateway deletes them from a single-file config and rewrites
//! it, and `openclaw doctor --fix` does the same. The table is generated from OpenClaw's own code
//! (`RETIRED_TUNING_PATHS`, `RETIRED_AGENT_TUNING_PATHS`, `TIER_EVAL_RETIRED_ROOT_PATHS`,
//! `TIER_EVAL_RETIRED_AGENT_PATHS` of `legacy-*.mjs`, plus the keys single migrations delete) by
//! `scripts/extract-retired-keys.mjs` into `data/retired-keys.json`, which build.rs compiles in.
//! This is the one list: refresh it with that script, never by hand.

use super::dotted::{made_once, DottedIndex};
use super::spans::{List, Span};
use super::Seg;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The retired keys from one release on (until the next entry), pointer-free (see
/// [`super::spans`]): `TEXT` holds the strings, `ITEMS` the lists.
#[derive(Debug)]
pub struct Retired {
    since: Span,
    root: List,
    agent: List,
    single: List,
}

include!(concat!(env!("OUT_DIR"), "/retired_keys.rs"));

const NONE: Retired = Retired {
    since: Span(0, 0),
    root: List(0, 0),
    agent: List(0, 0),
    single: List(0, 0),
};

fn strs(list: List) -> impl Iterator<Item = &'static str> {
    list.of(ITEMS).iter().map(|s| s.of(TEXT))
}

impl Retired {
    /// The first release this entry describes (empty for the entry before the first).
    pub fn since(&self) -> &'static str {
        self.since.of(TEXT)
    }

    /// Paths from the config root (`*`: any key or index).
    pub fn root(&self) -> impl Iterator<Item = &'static str> {
        strs(self.root)
    }

    /// Paths under `agents.defaults` and under each agent (`agents.list[i]`,
    /// `agents.entries.<id>`).
    pub fn agent(&self) -> impl Iterator<Item = &'static str> {
        strs(self.agent)
    }

    /// The other retirements, from the config root.
    pub fn single(&self) -> impl Iterator<Item = &'static str> {
        strs(self.single)
    }
}

/// The entry for a release: the newest one not newer than it (none before the first).
pub fn for_release(release: &str) -> &'static Retired {
    super::releases::newest_not_newer(TABLE, |r| r.since(), release).unwrap_or(&NONE)
}

/// A release's retired keys indexed by their segments ([`DottedIndex`]): each issue of a config
/// asks, and a config of 100,000 unknown keys compared each with every retired key.
struct Indexed {
    /// Paths from the config root (the root and single retirements).
    from_root: DottedIndex<()>,
    /// Paths under `agents.defaults` and under each agent.
    under_agent: DottedIndex<()>,
}

impl Indexed {
    /// The index of a release's entry, made once per run.
    fn of(r: &'static Retired) -> &'static Indexed {
        static MADE: OnceLock<Mutex<HashMap<usize, &'static Indexed>>> = OnceLock::new();
        made_once(&MADE, r as *const Retired as usize, || Indexed {
            from_root: DottedIndex::new(r.root().chain(r.single()).map(|p| (p, ()))),
            under_agent: DottedIndex::new(r.agent().map(|p| (p, ()))),
        })
    }
}

/// Whether one of `index`'s patterns covers `path`: the path itself or a key below it.
fn covered(index: &DottedIndex<()>, path: &[Seg]) -> bool {
    let mut found = Vec::new();
    index.covering(path, &mut found);
    !found.is_empty()
}

/// Whether the release's migrations delete the key at `path` (or a parent it sits in).
pub fn is_retired(release: &str, path: &[Seg]) -> bool {
    let indexed = Indexed::of(for_release(release));
    if covered(&indexed.from_root, path) {
        return true;
    }
    let rest = match path {
        [Seg::Key(a), Seg::Key(d), rest @ ..] if a == "agents" && d == "defaults" => rest,
        [Seg::Key(a), Seg::Key(e), _, rest @ ..]
            if a == "agents" && (e == "entries" || e == "list") =>
        {
            rest
        }
        _ => return false,
    };
    covered(&indexed.under_agent, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::dotted_path as path;
    use crate::validate::releases::compare;

    /// The pointer-free table build.rs writes holds exactly what data/retired-keys.json says.
    #[test]
    fn the_table_is_the_data_file() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../data/retired-keys.json")).unwrap();
        let releases = doc["releases"].as_object().unwrap();
        assert_eq!(TABLE.len(), releases.len());
        for r in TABLE {
            let entry = &releases[r.since()];
            let want = |key: &str| -> Vec<&str> {
                entry[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect()
            };
            assert_eq!(r.root().collect::<Vec<_>>(), want("root"));
            assert_eq!(r.agent().collect::<Vec<_>>(), want("agent"));
            assert_eq!(r.single().collect::<Vec<_>>(), want("single"));
        }
    }

    #[test]
    fn keys_of_the_four_arrays_and_single_migrations() {
        for p in [
            "browser.cdpPortRangeStart",
            "meta.lastTouchedAt",
            "gateway.controlUi.allowInsecureAuth",
            "channels.telegram.accounts.main.streaming.progress.render",
            "agents.defaults.compaction.reserveTokens",
            "agents.list.0.heartbeat.ackMaxChars",
            "agents.entries.ops.runRetries",
            "gateway.tailscale.resetOnExit",
            "commands.ownerDisplay",
            "browser.profiles.work.color",
            "ui.assistant",
            "plugins.installs",
            "gateway.webchat",
            // below a retired key
            "cron.retry.maxAttempts",
        ] {
            assert!(is_retired("2026.9.6", &path(p)), "{p}");
        }
        for p in [
            "browser.cdpPort",
            "gateway.port",
            "gateway.tailscale.mode",
            "agents.defaults.compaction",
            "agents.ownership",
            "browser.profiles.work.cdpPort",
            "meta",
        ] {
            assert!(!is_retired("2026.9.6", &path(p)), "{p}");
        }
    }

    #[test]
    fn per_release() {
        // The tuning-knob purge arrived with 2026.8; 2026.3 knows no retirement.
        assert!(!is_retired("2026.3.31", &path("browser.cdpPortRangeStart")));
        assert!(is_retired("2026.8.2", &path("browser.cdpPortRangeStart")));
        assert!(is_retired("2026.8.5", &path("browser.cdpPortRangeStart")));
        assert!(TABLE
            .windows(2)
            .all(|w| compare(w[0].since(), w[1].since()).is_lt()));
    }
}
