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

use super::releases::compare;
use super::{Issue, IssueKind, Seg};
use crate::load::tree::{Node, Value};
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/legacy-rules.json");

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

/// One legacy rule of a release.
#[derive(Debug, Clone)]
pub struct Rule {
    pub path: Vec<String>,
    pub message: String,
    /// `requireSourceLiteral`: the config read migrates only when the value is written in the
    /// main file itself (not through `$include` or `${VAR}`).
    pub source_literal: bool,
    pub matcher: Option<Match>,
    /// The real match's result on each of [`probe_values`] (tests).
    pub probes: String,
}

struct Table {
    probe_values: Vec<serde_json::Value>,
    /// `(since, rules)`: `None` from the release on which rules are not modelled.
    releases: Vec<(String, Option<Vec<Rule>>)>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let data: serde_json::Value = serde_json::from_str(DATA).expect("data/legacy-rules.json");
        let probe_values = data["probeValues"].as_array().cloned().unwrap_or_default();
        let mut releases: Vec<(String, Option<Vec<Rule>>)> = data["releases"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(since, entry)| {
                let rules = entry["rules"].as_array().map(|rules| {
                    rules
                        .iter()
                        .map(|r| Rule {
                            path: r["path"]
                                .as_str()
                                .unwrap_or("")
                                .split('.')
                                .map(str::to_string)
                                .collect(),
                            message: r["message"].as_str().unwrap_or("").to_string(),
                            source_literal: r["sourceLiteral"].as_bool().unwrap_or(false),
                            matcher: r["match"].as_str().map(|m| {
                                Match::named(m).unwrap_or_else(|| {
                                    panic!("data/legacy-rules.json: unknown match {m}")
                                })
                            }),
                            probes: r["probes"].as_str().unwrap_or("").to_string(),
                        })
                        .collect()
                });
                (since.clone(), rules)
            })
            .collect();
        releases.sort_by(|a, b| compare(&a.0, &b.0));
        Table {
            probe_values,
            releases,
        }
    })
}

/// The values the extractor ran every match on.
pub fn probe_values() -> &'static [serde_json::Value] {
    &table().probe_values
}

/// The legacy rules of a release (the newest entry not newer than it); `None` before the first
/// extracted release and from the first one whose rules are not modelled (2026.4.29).
pub fn rules_for(release: &str) -> Option<&'static [Rule]> {
    table()
        .releases
        .iter()
        .rev()
        .find(|(since, _)| compare(since, release).is_le())
        .and_then(|(_, rules)| rules.as_deref())
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
            let keys: Vec<&str> = rule.path.iter().map(String::as_str).collect();
            let node = root.at(&keys)?;
            if !rule.matcher.is_none_or(|m| m.matches(node)) {
                return None;
            }
            let in_source = !rule.source_literal
                || (node.env_refs.is_empty() && node.loc.file == root.loc.file);
            Some(Flagged {
                issue: Issue {
                    path: rule.path.iter().map(|k| Seg::Key(k.clone())).collect(),
                    kind: IssueKind::Legacy,
                    message: rule.message.clone(),
                    loc: node.loc,
                    expected: None,
                    choices: Vec::new(),
                    known_keys: Vec::new(),
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

    fn node(v: &serde_json::Value) -> Node {
        let loc = crate::source::Loc {
            file: crate::source::FileId(0),
            span: Default::default(),
        };
        let value = match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Array(std::sync::Arc::new(items.iter().map(node).collect()))
            }
            serde_json::Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| crate::load::tree::Member {
                        key: k.clone(),
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
        let values: Vec<Node> = probe_values().iter().map(node).collect();
        assert!(values.len() > 30);
        let mut checked = 0;
        for (since, rules) in &table().releases {
            for rule in rules.iter().flatten() {
                let Some(m) = rule.matcher else { continue };
                let ours: String = values
                    .iter()
                    .map(|v| if m.matches(v) { '1' } else { '0' })
                    .collect();
                assert_eq!(ours, rule.probes, "{since} {}: {m:?}", rule.path.join("."));
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
            .any(|r| r.path == ["gateway", "token"]));
        assert!(rules_for("2026.3.31")
            .unwrap()
            .iter()
            .any(|r| r.path == ["heartbeat"]));
        assert!(!rules_for("2026.3.31")
            .unwrap()
            .iter()
            .any(|r| r.path == ["gateway", "token"]));
        assert!(rules_for("2026.4.29").is_none() && rules_for("2026.9.6").is_none());
    }
}
