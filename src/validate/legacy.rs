//! The legacy-config rules of OpenClaw releases up to 2026.3.31 (`findLegacyConfigIssues`,
//! extracted per release by `scripts/extract-legacy-rules.mjs` into `data/legacy-rules.json`).
//! Their `validateConfigObjectRaw` checks these rules before the schema and, when one matches,
//! reports only the rules that matched. 2026.3.31's config read first migrates a config whose
//! rules match on values written literally in the main file (`resolveLegacyConfigForRead`), so
//! that `config validate` accepts it when the migrated config validates; 2026.2.26 and 2026.1.30
//! do not (and have no `config validate`: their `gateway run` refuses such a config).
//!
//! A rule's `match` is code in OpenClaw: each one clawlint models is a [`Match`] below, and a
//! test holds each to the real function's results on the probe values the extractor ran it on.

use super::spans::{List, Span};
use super::{Issue, IssueKind, Seg};
use crate::load::tree::{Node, Value};

/// What a rule's `match` function checks (the extractor names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// `typeof value === "string"`.
    String,
    /// `hasLegacyThreadBindingTtl`: an object with an own `ttlHours`.
    ThreadBindingTtl,
    /// `hasLegacyThreadBindingTtlInAccounts`: some account's `threadBindings` is one.
    ThreadBindingTtlInAccounts,
    /// `isLegacyGatewayBindHostAlias`: a host address where a bind mode goes.
    BindHostAlias,
    /// `hasLegacyTtsProviderKeys`: an object with `openai`, `elevenlabs`, `microsoft` or `edge`.
    TtsProviderKeys,
    /// `hasLegacyDiscordAccountTtsProviderKeys`: some account's `voice.tts` is one.
    TtsProviderKeysInAccounts,
    /// `hasLegacyPluginEntryTtsProviderKeys`: `voice-call`'s `config.tts` is one.
    TtsProviderKeysInPluginEntries,
}

impl Match {
    /// The variant the extractor's name stands for (build.rs writes `thread-binding-ttl` as
    /// `Match::ThreadBindingTtl`; the tests hold the two to each other).
    #[cfg(test)]
    fn named(name: &str) -> Option<Match> {
        Some(match name {
            "string" => Match::String,
            "thread-binding-ttl" => Match::ThreadBindingTtl,
            "thread-binding-ttl-in-accounts" => Match::ThreadBindingTtlInAccounts,
            "bind-host-alias" => Match::BindHostAlias,
            "tts-provider-keys" => Match::TtsProviderKeys,
            "tts-provider-keys-in-accounts" => Match::TtsProviderKeysInAccounts,
            "tts-provider-keys-in-plugin-entries" => Match::TtsProviderKeysInPluginEntries,
            _ => return None,
        })
    }

    pub fn matches(self, v: &Node) -> bool {
        fn under<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
            path.iter().try_fold(n, |n, k| {
                n.get(k).filter(|c| matches!(c.value, Value::Object(_)))
            })
        }
        // `getRecord`: an object (not an array, not null).
        let record = |n: &Node| matches!(n.value, Value::Object(_));
        let has = |n: &Node, k: &str| n.members().iter().any(|m| m.key == k);
        let tts = |n: &Node| {
            record(n)
                && ["openai", "elevenlabs", "microsoft", "edge"]
                    .iter()
                    .any(|k| has(n, k))
        };
        let blocked = |k: &str| matches!(k, "__proto__" | "prototype" | "constructor");
        match self {
            Match::String => matches!(v.value, Value::String(_)),
            Match::ThreadBindingTtl => record(v) && has(v, "ttlHours"),
            Match::ThreadBindingTtlInAccounts => {
                record(v)
                    && v.members().iter().any(|m| {
                        record(&m.value)
                            && under(&m.value, &["threadBindings"])
                                .is_some_and(|t| has(t, "ttlHours"))
                    })
            }
            Match::BindHostAlias => v.as_str().is_some_and(|s| {
                matches!(
                    s.trim().to_lowercase().as_str(),
                    "0.0.0.0" | "::" | "[::]" | "*" | "127.0.0.1" | "localhost" | "::1" | "[::1]"
                )
            }),
            Match::TtsProviderKeys => tts(v),
            Match::TtsProviderKeysInAccounts => {
                record(v)
                    && v.members().iter().any(|m| {
                        !blocked(&m.key)
                            && record(&m.value)
                            && under(&m.value, &["voice", "tts"]).is_some_and(tts)
                    })
            }
            Match::TtsProviderKeysInPluginEntries => {
                record(v)
                    && v.members().iter().any(|m| {
                        m.key == "voice-call"
                            && record(&m.value)
                            && under(&m.value, &["config", "tts"]).is_some_and(tts)
                    })
            }
        }
    }
}

/// One legacy rule of a release, pointer-free (see [`super::spans`]).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// A run of `ITEMS`: the path's keys.
    path: List,
    message: Span,
    /// `requireSourceLiteral`: the config read migrates only when the value is written in the
    /// main file itself (not through `$include` or `${VAR}`).
    source_literal: bool,
    matcher: Option<Match>,
    /// The real match's result on each of the file's `probeValues` (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    probes: Span,
}

/// The rules from one release on (until the next entry): a run of `RULES`, `None` from the
/// release on which rules are not modelled.
struct Release {
    since: Span,
    rules: Option<List>,
}

// `TEXT`, `ITEMS`, `RULES` and `TABLE` (oldest first), generated by build.rs from
// data/legacy-rules.json (refresh it with scripts/extract-legacy-rules.mjs; the next build
// compiles it in): no run parses JSON for it.
include!(concat!(env!("OUT_DIR"), "/legacy_rules.rs"));

impl Rule {
    /// The path's keys.
    pub fn path(&self) -> impl Iterator<Item = &'static str> {
        self.path.of(ITEMS).iter().map(|s| s.of(TEXT))
    }

    pub fn message(&self) -> &'static str {
        self.message.of(TEXT)
    }
}

/// The legacy rules of a release (the newest entry not newer than it); `None` before the first
/// extracted release and from the first one whose rules are not modelled (2026.4.29).
pub fn rules_for(release: &str) -> Option<&'static [Rule]> {
    super::releases::newest_not_newer(TABLE, |r| r.since.of(TEXT), release)
        .and_then(|r| r.rules)
        .map(|rules| rules.of(RULES))
}

/// A legacy rule that matched: the issue `validateConfigObjectRaw` reports, and whether the
/// config read of a release that migrates would see it (`requireSourceLiteral`).
pub struct Flagged {
    pub issue: Issue,
    pub in_source: bool,
}

/// The rules of `release` that match the (merged, substituted) config, in OpenClaw's order.
pub fn flagged(root: &Node, release: &str) -> Vec<Flagged> {
    let Some(rules) = rules_for(release) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|rule| {
            let keys: Vec<&str> = rule.path().collect();
            let node = root.at(&keys)?;
            if !rule.matcher.is_none_or(|m| m.matches(node)) {
                return None;
            }
            let in_source = !rule.source_literal
                || (node.env_refs.is_empty() && node.loc.file == root.loc.file);
            Some(Flagged {
                issue: Issue {
                    path: rule.path().map(|k| Seg::Key(k.to_string())).collect(),
                    kind: IssueKind::Legacy,
                    message: rule.message().to_string(),
                    loc: node.loc,
                    expected: None,
                    suggestion: None,
                    note: None,
                },
                in_source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::releases::compare;

    fn data() -> serde_json::Value {
        serde_json::from_str(include_str!("../../data/legacy-rules.json")).unwrap()
    }

    /// The pointer-free table build.rs writes holds exactly what data/legacy-rules.json says,
    /// oldest release first.
    #[test]
    fn the_table_is_the_data_file() {
        let doc = data();
        let releases = doc["releases"].as_object().unwrap();
        assert_eq!(TABLE.len(), releases.len());
        assert!(TABLE
            .windows(2)
            .all(|w| compare(w[0].since.of(TEXT), w[1].since.of(TEXT)).is_lt()));
        for r in TABLE {
            let entry = &releases[r.since.of(TEXT)];
            let Some(rules) = r.rules else {
                assert!(entry["rules"].is_null());
                continue;
            };
            let want = entry["rules"].as_array().unwrap();
            assert_eq!(rules.len(), want.len());
            for (rule, want) in rules.of(RULES).iter().zip(want) {
                assert_eq!(rule.path().collect::<Vec<_>>().join("."), want["path"]);
                assert_eq!(rule.message(), want["message"]);
                assert_eq!(rule.probes.of(TEXT), want["probes"].as_str().unwrap_or(""));
                assert_eq!(rule.source_literal, want["sourceLiteral"] == true);
                assert_eq!(
                    rule.matcher,
                    want["match"].as_str().map(|m| Match::named(m).unwrap())
                );
            }
        }
    }

    fn node(v: &serde_json::Value) -> Node {
        let loc = crate::source::Loc {
            file: crate::source::FileId(0),
            span: Default::default(),
        };
        let value = match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.as_str().into()),
            serde_json::Value::Array(items) => {
                Value::Array(std::sync::Arc::new(items.iter().map(node).collect()))
            }
            serde_json::Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| crate::load::tree::Member {
                        key: k.as_str().into(),
                        key_loc: loc,
                        value: node(v),
                    })
                    .collect::<Vec<_>>()
                    .into(),
            ),
        };
        Node::new(value, loc)
    }

    /// Every modelled match gives what OpenClaw's own function gave on every probe value.
    #[test]
    fn matches_agree_with_the_extracted_functions() {
        let doc = data();
        let values: Vec<Node> = doc["probeValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(node)
            .collect();
        assert!(values.len() > 30);
        let mut checked = 0;
        for r in TABLE {
            for rule in r.rules.map_or(&[][..], |rules| rules.of(RULES)) {
                let Some(m) = rule.matcher else { continue };
                let ours: String = values
                    .iter()
                    .map(|v| if m.matches(v) { '1' } else { '0' })
                    .collect();
                let path = rule.path().collect::<Vec<_>>().join(".");
                assert_eq!(
                    ours,
                    rule.probes.of(TEXT),
                    "{} {path}: {m:?}",
                    r.since.of(TEXT)
                );
                checked += 1;
            }
        }
        assert!(checked >= 10, "{checked}");
    }

    #[test]
    fn rules_by_release() {
        assert!(rules_for("2026.1.30")
            .unwrap()
            .iter()
            .any(|r| r.path().eq(["gateway", "token"])));
        assert!(rules_for("2026.3.31")
            .unwrap()
            .iter()
            .any(|r| r.path().eq(["heartbeat"])));
        assert!(!rules_for("2026.3.31")
            .unwrap()
            .iter()
            .any(|r| r.path().eq(["gateway", "token"])));
        assert!(rules_for("2026.4.29").is_none() && rules_for("2026.9.6").is_none());
    }
}
