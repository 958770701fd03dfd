//! `validateConfiguredModelRefs` (2026.9.6 `io.snapshot-preparation`): a config naming a model
//! that a bundled provider plugin's manifest suppresses (one its provider shut down, or that
//! only another auth can use) is refused by `config validate`, and the gateway exits 78 ("OpenClaw
//! config is invalid; run \"openclaw doctor --fix\" before startup."). The check runs once the
//! schema passes. Recorded with 2026.9.6 on a copy of the package (issue 14's audit of
//! HUSTLERLOGAN/clawdbackup, whose `agents.defaults.models` names google/gemini-2.0-flash-exp):
//! the paths below, a ref split at its first `/` and matched trimmed and lower-cased, no alias
//! (`gemini/…` passes), whatever plugin is enabled. Older releases check other paths and lists
//! (from 2026.5.2) and are not modelled.

use super::extra::{key, refinement};
use super::{Issue, Seg};
use crate::load::tree::Node;

/// `provider/model<TAB>reason` lines (scripts/extract-model-suppressions.mjs).
const SUPPRESSIONS: &str = include_str!("../../data/model-suppressions.txt");

/// The first release whose start refuses such a config with these suppressions.
const SINCE: &str = "2026.9.6";

/// Model slots under `agents.defaults` (a ref, or `{primary, fallbacks}`).
const DEFAULTS_SLOTS: &[&[&str]] = &[
    &["model"],
    &["imageModel"],
    &["mediaModels", "image"],
    &["mediaModels", "video"],
    &["mediaModels", "music"],
    &["pdfModel"],
    &["utilityModel"],
    &["voiceModel"],
    &["heartbeat", "model"],
    &["compaction", "model"],
    &["compaction", "memoryFlush", "model"],
    &["subagents", "model"],
];

/// Model slots of each `agents.entries.<id>`.
const AGENT_SLOTS: &[&[&str]] = &[
    &["model"],
    &["utilityModel"],
    &["heartbeat", "model"],
    &["subagents", "model"],
    &["tools", "exec", "reviewer", "model"],
    &["tts", "summaryModel"],
];

/// Model slots from the config's root.
const ROOT_SLOTS: &[&[&str]] = &[
    &["tools", "exec", "reviewer", "model"],
    &["tools", "media", "image", "preferredModel"],
    &["tools", "media", "audio", "preferredModel"],
    &["tools", "media", "video", "preferredModel"],
    &["hooks", "gmail", "model"],
    &["tts", "summaryModel"],
    &["channels", "discord", "voice", "model"],
    &["channels", "discord", "voice", "tts", "summaryModel"],
];

/// A gemini-3-pro-preview ref in `agents.defaults.model` or the `agents.defaults.models` keys is
/// rewritten to gemini-3.1-pro-preview before the start's check (the gateway starts), though
/// `config validate` rejects it: the start is what clawlint judges.
const REWRITTEN_IN_DEFAULTS: &str = "gemini-3-pro-preview";

/// The issues of every suppressed model ref in the config, in OpenClaw's order of paths.
pub fn suppressed_refs(root: &Node, release: &str) -> Vec<Issue> {
    if super::releases::compare(release, SINCE).is_lt() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let defaults_path = [key("agents"), key("defaults")];
    if let Some(defaults) = root.at(&["agents", "defaults"]) {
        slots(&defaults_path, defaults, DEFAULTS_SLOTS, true, &mut out);
        models_keys(defaults, &defaults_path, true, &mut out);
    }
    for agent in root
        .at(&["agents", "entries"])
        .map(Node::members)
        .unwrap_or(&[])
    {
        let base = [key("agents"), key("entries"), key(&agent.key)];
        slots(&base, &agent.value, AGENT_SLOTS, false, &mut out);
        models_keys(&agent.value, &base, false, &mut out);
    }
    slots(&[], root, ROOT_SLOTS, false, &mut out);
    for account in root
        .at(&["channels", "discord", "accounts"])
        .map(Node::members)
        .unwrap_or(&[])
    {
        let base = [
            key("channels"),
            key("discord"),
            key("accounts"),
            key(&account.key),
        ];
        slots(
            &base,
            &account.value,
            &[&["voice", "model"], &["voice", "tts", "summaryModel"]],
            false,
            &mut out,
        );
    }
    for channel in root
        .at(&["channels", "modelByChannel"])
        .map(Node::members)
        .unwrap_or(&[])
    {
        for target in channel.value.members() {
            let path = vec![
                key("channels"),
                key("modelByChannel"),
                key(&channel.key),
                key(&target.key),
            ];
            slot_refs(&target.value, path, false, &mut out);
        }
    }
    for (i, mapping) in root
        .at(&["hooks", "mappings"])
        .map(Node::elements)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        if let Some(model) = mapping.get("model") {
            let path = vec![key("hooks"), key("mappings"), Seg::Index(i), key("model")];
            slot_refs(model, path, false, &mut out);
        }
    }
    out
}

/// The refs of each of `paths` under `node` (at `base`). In `agents.defaults` (`defaults`), its
/// `model` is where [`REWRITTEN_IN_DEFAULTS`] is rewritten.
fn slots(base: &[Seg], node: &Node, paths: &[&[&str]], defaults: bool, out: &mut Vec<Issue>) {
    for slot in paths {
        let Some(value) = node.at(slot) else { continue };
        let mut path = base.to_vec();
        path.extend(slot.iter().map(|k| key(k)));
        slot_refs(value, path, defaults && slot == &["model"], out);
    }
}

/// A slot's refs: the string itself, or `primary` and each of `fallbacks`.
fn slot_refs(value: &Node, path: Vec<Seg>, rewritten: bool, out: &mut Vec<Issue>) {
    if let Some(text) = value.as_str() {
        return push(text, value, path, rewritten, out);
    }
    if let Some(primary) = value.get("primary") {
        let mut at = path.clone();
        at.push(key("primary"));
        if let Some(text) = primary.as_str() {
            push(text, primary, at, rewritten, out);
        }
    }
    for (i, fallback) in value
        .get("fallbacks")
        .map(Node::elements)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let mut at = path.clone();
        at.extend([key("fallbacks"), Seg::Index(i)]);
        if let Some(text) = fallback.as_str() {
            push(text, fallback, at, rewritten, out);
        }
    }
}

/// The keys of a `models` map (`"google/gemini-2.0-flash-exp": { … }`).
fn models_keys(owner: &Node, base: &[Seg], defaults: bool, out: &mut Vec<Issue>) {
    let Some(models) = owner.member("models") else {
        return;
    };
    for m in models.value.members() {
        let mut path = base.to_vec();
        path.extend([key("models"), key(&m.key)]);
        let mut issues = Vec::new();
        push(&m.key, &m.value, path, defaults, &mut issues);
        out.extend(issues.into_iter().map(|mut issue| {
            issue.loc = m.key_loc;
            issue
        }));
    }
}

fn push(text: &str, node: &Node, path: Vec<Seg>, rewritten: bool, out: &mut Vec<Issue>) {
    let Some((provider, model)) = text.split_once('/') else {
        return;
    };
    let (provider, model) = (provider.trim().to_lowercase(), model.trim().to_lowercase());
    if rewritten && model == REWRITTEN_IN_DEFAULTS {
        return;
    }
    let Some(reason) = reason(&provider, &model) else {
        return;
    };
    let message = match reason.is_empty() {
        true => format!("Unknown model: {provider}/{model}."),
        false => format!("Unknown model: {provider}/{model}. {reason}"),
    };
    out.push(refinement(path, node.loc, message));
}

/// The suppression's reason for `provider/model`, when it is suppressed.
fn reason(provider: &str, model: &str) -> Option<&'static str> {
    SUPPRESSIONS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (r, reason) = line.split_once('\t')?;
            let (p, m) = r.split_once('/')?;
            (p == provider && m == model).then_some(reason)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(json5: &str) -> Vec<String> {
        let mut sources = crate::source::SourceMap::new();
        let file = sources.add(std::path::Path::new("c.json5"), json5.to_string(), None);
        let node = crate::load::json5::parse(json5).unwrap();
        let root = Node::from_json5(node.root, file);
        suppressed_refs(&root, "2026.9.6")
            .into_iter()
            .map(|i| format!("{}: {}", i.path_string(), i.message))
            .collect()
    }

    #[test]
    fn retired_models_where_openclaw_checks_them() {
        let found = issues(
            r#"{ agents: { defaults: { models: { "google/gemini-2.0-flash-exp": {} }, model: { primary: "anthropic/claude-sonnet-4-6", fallbacks: ["Google/Gemini-1.5-Flash"] } }, entries: { main: { model: "xai/grok-4-multi-agent" } } } }"#,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("agents.defaults.model.fallbacks.0: Unknown model: google/gemini-1.5-flash. Google shut down"), "{found:?}");
        assert!(found[1].starts_with("agents.defaults.models.google/gemini-2.0-flash-exp: Unknown model: google/gemini-2.0-flash-exp."), "{found:?}");
    }

    #[test]
    fn not_an_alias_an_unchecked_path_or_a_rewritten_default() {
        let found = issues(
            r#"{ agents: { defaults: { model: "gemini/gemini-2.0-flash-exp", models: { "google/gemini-3-pro-preview": {} } } }, models: { providers: { google: { models: [{ id: "gemini-2.0-flash-exp" }] } } }, memory: { search: { model: "google/gemini-1.5-flash" } } }"#,
        );
        assert!(found.is_empty(), "{found:?}");
        assert!(
            issues(r#"{ agents: { defaults: { model: "google/gemini-2.0-flash-exp" } } }"#).len()
                == 1
        );
    }
}
