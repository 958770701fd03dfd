//! OpenClaw's checks beyond the JSON Schema (zod refinements and the checks
//! `validateConfigObjectRaw` makes after parsing), and the roster migration it applies before
//! validating. Each function names the OpenClaw 2026.9.6 code it mirrors.

use super::{Issue, IssueKind, Seg};
use crate::load::tree::{Member, Node, Value};
use crate::source::Loc;
use std::cell::RefCell;
use std::sync::Arc;

/// `migratePersistedImplicitMainRoster` (legacy.roster-*.mjs), which `validateConfigObject`
/// applies before the schema: a legacy `agents.list` becomes keyed `agents.entries`, and a
/// config without any agent gets `agents.entries.main`. `None` when nothing changes.
pub fn normalize(root: &Node) -> Option<Normalized> {
    normalized(root).map(Normalized)
}

/// A root [`normalize`] made, while the config is checked. Dropping it lets go of what it holds
/// of the config, as the config's own tree will be (the list of members and their keys are
/// kept for the next config's: [`with_agents`]).
pub struct Normalized(Node);

impl std::ops::Deref for Normalized {
    type Target = Node;

    fn deref(&self) -> &Node {
        &self.0
    }
}

impl Drop for Normalized {
    fn drop(&mut self) {
        self.0 = Node::new(Value::Null, self.0.loc);
        LAST_NORMALIZED.with_borrow_mut(|last| {
            let Some(Value::Object(list)) = last.as_mut().map(|n| &mut n.value) else {
                return;
            };
            for m in Arc::get_mut(list).into_iter().flatten() {
                m.value = Node::new(Value::Null, m.value.loc);
            }
        });
    }
}

thread_local! {
    /// The last root [`with_agents`] made, kept for the next.
    static LAST_NORMALIZED: RefCell<Option<Node>> = const { RefCell::new(None) };
}

fn normalized(root: &Node) -> Option<Node> {
    let Value::Object(members) = &root.value else {
        return None;
    };
    let agents = root.get("agents");
    if agents.is_some_and(|a| !a.is_object()) {
        return None;
    }
    let Some(agents) = agents else {
        // No agents at all (most configs): the default roster.
        return Some(with_agents(root, members, None));
    };
    let mut agents_node = agents.clone();
    let mut converted = false;
    if let Some(list) = agents_node.get("list") {
        let entries = legacy_roster(list)?;
        let fallback = agents_node.loc;
        let Value::Object(am) = &mut agents_node.value else {
            return None;
        };
        let am = std::sync::Arc::make_mut(am);
        let key_loc = am.iter().find(|m| m.key == "list").map(|m| m.key_loc);
        am.retain(|m| m.key != "list");
        am.push(Member {
            key: "entries".into(),
            key_loc: key_loc.unwrap_or(fallback),
            value: entries,
        });
        converted = true;
    }
    let entries = agents_node.get("entries");
    let empty = match entries {
        None => true,
        Some(e) => matches!(&e.value, Value::Object(m) if m.is_empty()),
    };
    if empty {
        if agents_node.get("ownership").and_then(Node::as_str) == Some("explicit") {
            return converted.then(|| with_agents(root, members, Some(agents_node)));
        }
        let main = Member {
            key: "main".into(),
            key_loc: agents_node.loc,
            value: Node::empty_object(agents_node.loc),
        };
        let Value::Object(am) = &mut agents_node.value else {
            return None;
        };
        let am = std::sync::Arc::make_mut(am);
        match am.iter_mut().find(|m| m.key == "entries") {
            Some(m) => m.value.value = Value::object(vec![main]),
            None => am.push(Member {
                key: "entries".into(),
                key_loc: agents_node.loc,
                value: Node::new(Value::object(vec![main]), agents_node.loc),
            }),
        }
        return Some(with_agents(root, members, Some(agents_node)));
    }
    converted.then(|| with_agents(root, members, Some(agents_node)))
}

/// `root` with `agents` as its `agents` member (added last when it has none); `None`: the
/// default roster ([`default_roster`]).
///
/// Every config of a run but a few is normalized, and the normalized root lives only while the
/// config is checked ([`Normalized`]): the last one is kept per thread and, once no tree holds
/// it any more (nothing does by the next config), made the next one in place, its member list
/// and keys reused, so that normalizing allocates nothing. (A list something else holds, such as
/// [`super::check::CheckMemo`], which keeps large containers alive, is never changed: a fresh
/// one is made.)
fn with_agents(root: &Node, members: &[Member], agents: Option<Node>) -> Node {
    let roster = || default_roster(super::open_brace(root));
    LAST_NORMALIZED.with_borrow_mut(|last| {
        let reused = last.as_mut().and_then(|node| {
            let Value::Object(list) = &mut node.value else {
                return None;
            };
            let out = Arc::get_mut(list)?;
            out.truncate(members.len());
            for (to, from) in out.iter_mut().zip(members) {
                to.key.clone_from(&from.key);
                to.key_loc = from.key_loc;
                to.value = from.value.clone();
            }
            out.extend_from_slice(&members[out.len()..]);
            // Only now, every value of the last config replaced: its roster is held no more.
            set_agents(root, out, agents.clone().unwrap_or_else(roster));
            node.loc = root.loc;
            Some(node.clone())
        });
        reused.unwrap_or_else(|| {
            // Room for `agents` if it is added: no second allocation.
            let mut out: Vec<Member> = Vec::with_capacity(members.len() + 1);
            out.extend_from_slice(members);
            set_agents(root, &mut out, agents.unwrap_or_else(roster));
            let node = Node::new(Value::object(out), root.loc);
            *last = Some(node.clone());
            node
        })
    })
}

/// Sets the `agents` member of a root's members, adding it last when there is none.
fn set_agents(root: &Node, members: &mut Vec<Member>, agents: Node) {
    match members.iter_mut().find(|m| m.key == "agents") {
        Some(m) => m.value = agents,
        None => members.push(Member {
            key: "agents".into(),
            key_loc: root.loc,
            value: agents,
        }),
    }
}

/// `{ entries: { main: {} } }` with every place at `loc` (the root's opening brace): the roster
/// OpenClaw gives a config without agents. Made once per thread and given its new places in
/// place when no tree holds it any more (as [`with_agents`] reuses the root).
fn default_roster(loc: Loc) -> Node {
    thread_local! {
        static ROSTER: RefCell<Option<Node>> = const { RefCell::new(None) };
    }
    ROSTER.with_borrow_mut(|kept| {
        if let Some(roster) = kept.as_mut() {
            if placed(roster, loc) {
                return roster.clone();
            }
        }
        let main = Member {
            key: "main".into(),
            key_loc: loc,
            value: Node::empty_object(loc),
        };
        let entries = Member {
            key: "entries".into(),
            key_loc: loc,
            value: Node::new(Value::object(vec![main]), loc),
        };
        let roster = Node::new(Value::object(vec![entries]), loc);
        *kept = Some(roster.clone());
        roster
    })
}

/// Gives every place of `node` (its own, its members' keys and values', down to its leaves)
/// the place `loc`, in place; false (some places unchanged) when a list of it is shared.
fn placed(node: &mut Node, loc: Loc) -> bool {
    node.loc = loc;
    match &mut node.value {
        Value::Object(list) => Arc::get_mut(list).is_some_and(|members| {
            members.iter_mut().all(|m| {
                m.key_loc = loc;
                placed(&mut m.value, loc)
            })
        }),
        Value::Array(list) => {
            Arc::get_mut(list).is_some_and(|items| items.iter_mut().all(|n| placed(n, loc)))
        }
        _ => true,
    }
}

/// `parseLegacyAgentRoster`: every entry an object with a string id that is already a
/// normalized agent id, no duplicates; otherwise the list is left alone (and rejected).
fn legacy_roster(list: &Node) -> Option<Node> {
    let Value::Array(items) = &list.value else {
        return None;
    };
    let mut entries: Vec<Member> = Vec::new();
    for item in items.iter() {
        let Value::Object(fields) = &item.value else {
            return None;
        };
        let id_member = fields.iter().find(|m| m.key == "id")?;
        let id = id_member.value.as_str()?;
        if id.is_empty() || id.trim() != id || normalize_agent_id(id) != id {
            return None;
        }
        if entries.iter().any(|e| e.key == id) {
            return None;
        }
        let rest: Vec<Member> = fields.iter().filter(|m| m.key != "id").cloned().collect();
        entries.push(Member {
            key: id.into(),
            key_loc: id_member.value.loc,
            value: Node::new(Value::object(rest), item.loc),
        });
    }
    Some(Node::new(Value::object(entries), list.loc))
}

/// `normalizeAgentId`: lowercase; ids that are not valid come out different.
fn normalize_agent_id(id: &str) -> String {
    let lower = id.trim().to_lowercase();
    let valid = !lower.is_empty()
        && lower.len() <= 64
        && lower
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        lower
    } else {
        format!("\u{0}{lower}")
    }
}

/// Whether an issue at or below `prefix` stopped zod's parse there (`unknown_keys`: whether an
/// unknown key does, [`unknown_keys_abort`]).
fn aborted_under(issues: &[Issue], prefix: &[&str], unknown_keys: bool) -> bool {
    issues.iter().any(|i| {
        (i.kind.aborts() || (unknown_keys && i.kind == IssueKind::UnknownKey))
            && i.path.len() >= prefix.len()
            && i.path
                .iter()
                .zip(prefix)
                .all(|(s, p)| matches!(s, Seg::Key(k) if k == p))
    })
}

/// The members of the object at `prefix` under which (at the member or below) an issue
/// stopped zod's parse, as [`aborted_under`] answers for `prefix` + the member's key: one pass
/// over the issues for all members, not one per member (a hostile config with many members
/// and many issues would be members x issues).
fn aborted_members<'a>(
    issues: &'a [Issue],
    prefix: &[&str],
    unknown_keys: bool,
) -> std::collections::HashSet<&'a str> {
    issues
        .iter()
        .filter(|i| i.kind.aborts() || (unknown_keys && i.kind == IssueKind::UnknownKey))
        .filter(|i| {
            i.path.len() > prefix.len()
                && i.path
                    .iter()
                    .zip(prefix)
                    .all(|(s, p)| matches!(s, Seg::Key(k) if k == p))
        })
        .filter_map(|i| match &i.path[prefix.len()] {
            Seg::Key(k) => Some(k.as_str()),
            _ => None,
        })
        .collect()
}

pub(crate) fn refinement(path: Vec<Seg>, loc: crate::source::Loc, message: String) -> Issue {
    Issue {
        path,
        kind: IssueKind::Refinement,
        message,
        loc,
        expected: None,
        suggestion: None,
        note: None,
    }
}

pub(crate) fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// The zod refinements (`superRefine`) of the schema, each run only when the value it belongs
/// to parsed without an aborting issue, as zod runs them.
/// `keyed_roster`: the release has `agents.entries` (2026.8 on); the roster checks are about it.
/// `release`: the refinements that differ by release and are extracted per release (the MCP
/// server checks, [`MCP_SERVER_TABLE`]) are those of this release; `codex_declares(server, k)`
/// says whether its schema declares `mcp.servers.<server>.codex.k`.
pub fn refinements(
    root: &Node,
    release: &str,
    keyed_roster: bool,
    codex_declares: &dyn Fn(&str, &str) -> bool,
    out: &mut Vec<Issue>,
) {
    let mut found = Vec::new();
    let uk = unknown_keys_abort(release);
    mcp_server_refinements(root, release, out, uk, codex_declares, &mut found);
    field_refinements(root, release, &mut found);
    gateway_roles_refinements(root, out, uk, &mut found);
    if let Some(agents) = root.get("agents").filter(|a| a.is_object() && keyed_roster) {
        if !aborted_under(out, &["agents"], uk) {
            agents_refinements(agents, &mut found);
        }
    }
    if let Some(providers) = root.at(&["models", "providers"]).filter(|p| p.is_object()) {
        if !aborted_under(out, &["models", "providers"], uk) {
            model_provider_refinements(providers, &mut found);
        }
    }
    if let Some(profiles) = root.at(&["browser", "profiles"]) {
        let aborted = aborted_members(out, &["browser", "profiles"], uk);
        for m in profiles.members() {
            if !aborted.contains(m.key.as_str()) && m.value.is_object() {
                browser_profile_refinements(&m.key, &m.value, &mut found);
            }
        }
    }
    // The root's agent-id checks are about the keyed roster (`agents.entries`, 2026.8 on).
    if keyed_roster && !aborted_under(out, &[], uk) && found.is_empty() {
        root_refinements(root, release, &mut found);
    }
    // A value under a key its release does not know is never parsed: no refinement of a later
    // release's field runs on it (2026.3.31 reports `Unrecognized key: "portals"` at gateway
    // alone; tests/validity/verdicts/2026.3.31.json gen-valid-gateway.portals.ingress.domain).
    found.retain(|f| {
        !out.iter()
            .any(|u| u.kind == IssueKind::UnknownKey && f.path.starts_with(&u.path))
    });
    out.append(&mut found);
}

/// `BUILT_IN_MODEL_PROVIDER_OVERLAY_IDS` (zod-schema.core-*.mjs): providers that may be
/// configured without `baseUrl` and `models`.
const BUILT_IN_PROVIDERS: &[&str] = &[
    "amazon-bedrock",
    "amazon-bedrock-mantle",
    "anthropic",
    "anthropic-vertex",
    "arcee",
    "azure-openai-responses",
    "byteplus",
    "byteplus-plan",
    "cerebras",
    "chutes",
    "claude-cli",
    "clawrouter",
    "cloudflare-ai-gateway",
    "codex",
    "comfy",
    "copilot-proxy",
    "dashscope",
    "deepinfra",
    "deepseek",
    "fal",
    "fireworks",
    "github-copilot",
    "gmi",
    "gmi-cloud",
    "gmicloud",
    "google",
    "google-antigravity",
    "google-gemini-cli",
    "google-vertex",
    "groq",
    "huggingface",
    "kilocode",
    "kimi",
    "kimi-coding",
    "litellm",
    "lmstudio",
    "meta",
    "microsoft-foundry",
    "minimax",
    "minimax-portal",
    "mistral",
    "modelstudio",
    "moonshot",
    "moonshot-ai",
    "moonshotai",
    "nvidia",
    "novita",
    "novita-ai",
    "novitaai",
    "ollama",
    "ollama-cloud",
    "openai",
    "opencode",
    "opencode-go",
    "openrouter",
    "qianfan",
    "qwen",
    "qwen-token-plan",
    "qwencloud",
    "sglang",
    "stepfun",
    "stepfun-plan",
    "synthetic",
    "tencent-tokenhub",
    "tencent-tokenplan",
    "together",
    "venice",
    "vercel-ai-gateway",
    "vllm",
    "volcengine",
    "volcengine-plan",
    "vydra",
    "x-ai",
    "xai",
    "xiaomi",
    "xiaomi-token-plan",
    "z.ai",
    "z-ai",
    "zai",
];

/// `ModelProvidersSchema.superRefine`: a custom provider needs `baseUrl` and `models`.
fn model_provider_refinements(providers: &Node, out: &mut Vec<Issue>) {
    for m in providers.members() {
        if is_built_in_provider(m.key.trim()) {
            continue;
        }
        let at = |k: &str| vec![key("models"), key("providers"), key(&m.key), key(k)];
        let base = m.value.get("baseUrl").and_then(Node::as_str).unwrap_or("");
        if base.is_empty() {
            out.push(refinement(
                at("baseUrl"),
                m.value.get("baseUrl").map_or(m.key_loc, |v| v.loc),
                "custom model providers must declare baseUrl; provider overlays without baseUrl are only supported for bundled providers".into(),
            ));
        }
        if !matches!(
            m.value.get("models").map(|v| &v.value),
            Some(Value::Array(_))
        ) {
            out.push(refinement(
                at("models"),
                m.key_loc,
                "custom model providers must declare models; provider overlays without models are only supported for bundled providers".into(),
            ));
        }
    }
}

/// Whether `id`, lowercased, is one of [`BUILT_IN_PROVIDERS`] (all lowercase ASCII). An ASCII
/// id is compared without a lowercased copy; any other is lowercased as JavaScript does (the
/// Kelvin sign lowercases to an ASCII `k`).
fn is_built_in_provider(id: &str) -> bool {
    if id.is_ascii() {
        return BUILT_IN_PROVIDERS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(id));
    }
    BUILT_IN_PROVIDERS.contains(&id.to_lowercase().as_str())
}

/// `AgentsSchema.superRefine` (zod-schema-*.mjs, src/config/zod-schema.agents.ts).
fn agents_refinements(agents: &Node, out: &mut Vec<Issue>) {
    let entries = agents.get("entries");
    let members: &[Member] = entries.map(Node::members).unwrap_or(&[]);
    let at =
        |rest: &[&str]| -> Vec<Seg> { ["agents"].iter().chain(rest).map(|k| key(k)).collect() };
    if members.is_empty() {
        out.push(refinement(
            at(&["entries"]),
            entries.map_or(agents.loc, |e| e.loc),
            "agents.entries must contain at least one configured agent".into(),
        ));
    }
    let mut seen: Vec<(String, &str)> = Vec::new();
    // One agent has no other to share its id with.
    for m in members.iter().filter(|_| members.len() > 1) {
        let id = m.key.to_lowercase();
        if let Some((_, first)) = seen.iter().find(|(i, _)| *i == id) {
            let mut i = refinement(
                at(&["entries", &m.key]),
                m.key_loc,
                format!(
                    "agents.entries keys \"{first}\" and \"{}\" resolve to the same agent id \"{id}\"; rename one key so each agent has a unique id",
                    m.key.as_str()
                ),
            );
            i.loc = m.key_loc;
            out.push(i);
        } else {
            seen.push((id, &m.key));
        }
    }
    let marked: Vec<&Member> = members
        .iter()
        .filter(|m| m.value.get("default").and_then(Node::as_bool) == Some(true))
        .collect();
    if marked.len() > 1 {
        out.push(refinement(
            at(&["entries"]),
            marked[1].key_loc,
            format!(
                "agents.entries must contain at most one default=true entry (found {})",
                marked.len()
            ),
        ));
    }
    let ownership = agents.get("ownership");
    let explicit = ownership.and_then(Node::as_str) == Some("explicit");
    if explicit && !marked.is_empty() {
        out.push(refinement(
            at(&["ownership"]),
            ownership.map_or(agents.loc, |o| o.loc),
            "agents.ownership=explicit cannot be combined with a legacy default=true marker".into(),
        ));
    }
    if members.len() > 1 && marked.is_empty() && !explicit {
        out.push(refinement(
            at(&["ownership"]),
            entries.map_or(agents.loc, |e| e.loc),
            "multi-agent rosters require agents.ownership=\"explicit\" or one legacy default=true marker; add agents.ownership=\"explicit\" or run openclaw doctor".into(),
        ));
    }
}

/// The browser profile refinements (zod-schema-*.mjs, `browser.profiles` record values).
fn browser_profile_refinements(name: &str, p: &Node, out: &mut Vec<Issue>) {
    let driver = p.get("driver").and_then(Node::as_str);
    let has = |k: &str| {
        p.get(k).is_some_and(|v| match &v.value {
            Value::Number(n) => *n != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Null | Value::Bool(false) => false,
            _ => true,
        })
    };
    // Made only for an issue: most profiles have none.
    let path = || vec![key("browser"), key("profiles"), key(name)];
    if driver != Some("existing-session")
        && driver != Some("extension")
        && !has("cdpPort")
        && !has("cdpUrl")
    {
        out.push(refinement(
            path(),
            p.loc,
            "Profile must set cdpPort or cdpUrl".into(),
        ));
    }
    if driver != Some("existing-session") && has("userDataDir") {
        out.push(refinement(
            path(),
            p.get("userDataDir").map_or(p.loc, |v| v.loc),
            "Profile userDataDir is only supported with driver=\"existing-session\"".into(),
        ));
    }
    if driver == Some("extension") && has("cdpUrl") {
        out.push(refinement(
            path(),
            p.get("cdpUrl").map_or(p.loc, |v| v.loc),
            "Profile cdpUrl is not supported with driver=\"extension\" (the relay owns the endpoint)".into(),
        ));
    }
}

/// `OpenClawSchema.superRefine`: agent ids that name no configured agent.
fn root_refinements(root: &Node, release: &str, out: &mut Vec<Issue>) {
    let targets: [&[&str]; 3] = [
        &["agents", "defaults", "heartbeat", "agentId"],
        &["agents", "defaults", "systemAgent", "agentId"],
        &["talk", "agentId"],
    ];
    // Most configs name no agent id: the roster's ids are not lowercased for them.
    let names_agent = |t: &&[&str]| root.at(t).and_then(Node::as_str).is_some();
    if !targets.iter().any(names_agent) && root.get("bindings").is_none() {
        return;
    }
    let entries: Vec<String> = root
        .at(&["agents", "entries"])
        .map(|e| e.members().iter().map(|m| m.key.to_lowercase()).collect())
        .unwrap_or_default();
    let main = ["main".to_string()];
    let effective: &[String] = match entries.is_empty() {
        true => &main,
        false => &entries,
    };
    for t in targets {
        if let Some(v) = root.at(t) {
            if let Some(id) = v.as_str() {
                // The refinement sees the parsed value: trimmed where the release trims it.
                let seen = if super::trimmed::is_trimmed(release, t) {
                    id.trim_matches(crate::paths::is_js_whitespace)
                } else {
                    id
                };
                if !effective.contains(&seen.to_lowercase()) {
                    out.push(refinement(
                        t.iter().map(|k| key(k)).collect(),
                        v.loc,
                        unknown_agent_message(id),
                    ));
                }
            }
        }
    }
    if !entries.is_empty() {
        if let Some(bindings) = root.get("bindings") {
            for (i, b) in bindings.elements().iter().enumerate() {
                if let Some(v) = b.get("agentId") {
                    if let Some(id) = v.as_str() {
                        if id != "main" && !effective.contains(&id.to_lowercase()) {
                            out.push(refinement(
                                vec![key("bindings"), Seg::Index(i), key("agentId")],
                                v.loc,
                                unknown_agent_message(id),
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// OpenClaw's message for an agent id no agent has. The id names a key of `agents.entries`:
/// shown as a key is (a token pasted there is its fingerprint, a huge one its length).
fn unknown_agent_message(id: &str) -> String {
    let id = crate::redact::shown_key_quoted(id);
    format!("Unknown agent id {id} (not in agents.entries).")
}

/// `collectRawBundledChannelConfigIssues`: a channel id no bundled channel has
/// (`channels_schema`: the release's schema of `channels`).
pub fn unknown_channels(
    root: &Node,
    channels_schema: Option<super::schema::Sub>,
    table: &super::schema::SchemaTable,
) -> Vec<Issue> {
    let Some(super::schema::Sub::Node(n)) = channels_schema else {
        return Vec::new();
    };
    let known = table.compiled(n);
    let mut out = Vec::new();
    for m in root.get("channels").map(Node::members).unwrap_or(&[]) {
        if m.key == "defaults" || m.key == "modelByChannel" || known.has_property(&m.key) {
            continue;
        }
        let mut i = refinement(
            vec![key("channels"), key(&m.key)],
            m.key_loc,
            // A channel id is a key: shown as the path beside it shows it.
            format!("unknown channel id: {}", crate::redact::shown_key(&m.key)),
        );
        i.suggestion = crate::validate::did_you_mean(
            &m.key,
            known
                .property_names()
                .filter(|k| *k != "defaults" && *k != "modelByChannel"),
        );
        out.push(i);
    }
    out
}

/// Refinements of single fields (`.refine()` on a string in the zod schema).
/// The checks one release's `McpServerSchema` superRefine makes on an MCP server block beyond
/// its JSON schema, from that release on until the next entry. Generated from each release's
/// zod schema (zod-schema-*.mjs) by `scripts/extract-mcp-refinements.mjs` (which fails on a
/// check it cannot read) into `data/mcp-server-refinements.json`, which build.rs compiles in:
/// up to 2026.5.28 none; 2026.6.35 and 2026.7.35 the non-empty stdio `command`; 2026.8.2 and
/// 2026.9.6 also reject eight legacy keys (declared members before) and `disabled`, and check
/// `oauth.identity: "per-requester"`.
#[derive(Debug)]
pub struct McpServerRefinements {
    pub since: &'static str,
    /// "Unrecognized key", reported at the server. `openclaw doctor --fix` canonicalizes them
    /// (migration `mcp.servers.canonicalize`).
    pub legacy_keys: &'static [&'static str],
    /// `unsupported key "k"; use ...`, reported at the key.
    pub unsupported: &'static [&'static str],
    /// `Unrecognized key: "k"` at `codex.k`: checked on the PARSED `codex` object, so only a
    /// key the release's codex schema declares can reach it (2026.8.2 and 2026.9.6 list
    /// `default_tools_approval_mode`, which their strict codex schema no longer declares: the
    /// check never fires there, the schema's own unknown-key issue at `codex` does).
    pub codex_legacy_keys: &'static [&'static str],
    /// The checks made when `oauth.identity` is `"per-requester"`, by id (see
    /// [`per_requester`]).
    pub per_requester: &'static [&'static str],
    /// `transport: "stdio"` requires a non-empty `command` (2026.6.35 on).
    pub stdio_command: bool,
    /// Whether the release's zod goes on past an unknown key of a strict object (zod 4.6:
    /// `unrecognized_keys` with `continue: true`), so the refinements of the objects around it
    /// still run; with zod 4.4 (2026.5.28 to 2026.8.2) the key aborts them. For every
    /// refinement, not only the MCP ones.
    pub unknown_keys_continue: bool,
}

/// Whether an unknown key aborts the refinements of the objects around it in `release` (see
/// [`McpServerRefinements::unknown_keys_continue`]).
fn unknown_keys_abort(release: &str) -> bool {
    mcp_server_refinements_for(release).is_some_and(|t| !t.unknown_keys_continue)
}

include!(concat!(env!("OUT_DIR"), "/mcp_server_refinements.rs"));

/// The entry for a release: the newest one not newer than it.
pub fn mcp_server_refinements_for(release: &str) -> Option<&'static McpServerRefinements> {
    super::releases::newest_not_newer(MCP_SERVER_TABLE, |r| r.since, release)
}

/// `McpServerSchema.superRefine` of `release`, for each server whose own parse did not abort
/// (zod runs a refinement only then; `schema_issues` are the schema's issues so far).
/// `codex_declares(server, k)`: whether the release's schema declares `codex.k` for that server.
fn mcp_server_refinements(
    root: &Node,
    release: &str,
    schema_issues: &[Issue],
    unknown_keys_abort: bool,
    codex_declares: &dyn Fn(&str, &str) -> bool,
    out: &mut Vec<Issue>,
) {
    let Some(table) = mcp_server_refinements_for(release) else {
        return;
    };
    let Some(servers) = root.at(&["mcp", "servers"]) else {
        return;
    };
    let aborted = aborted_members(schema_issues, &["mcp", "servers"], unknown_keys_abort);
    for server in servers.members() {
        if !server.value.is_object() || aborted.contains(server.key.as_str()) {
            continue;
        }
        let at = |rest: &[&str]| -> Vec<Seg> {
            let mut p = vec![key("mcp"), key("servers"), key(&server.key)];
            p.extend(rest.iter().map(|k| key(k)));
            p
        };
        // In the code's order: legacy keys, codex, `disabled`, per-requester, stdio.
        for k in table.legacy_keys {
            if let Some(m) = server.value.members().iter().rfind(|m| m.key == *k) {
                let mut i = refinement(at(&[k]), m.key_loc, format!("Unrecognized key: {k:?}"));
                i.kind = IssueKind::UnknownKey;
                out.push(i);
            }
        }
        if let Some(codex) = server.value.get("codex").filter(|c| c.is_object()) {
            for m in codex.members() {
                if table.codex_legacy_keys.contains(&m.key.as_str())
                    && codex_declares(&server.key, &m.key)
                {
                    out.push(refinement(
                        at(&["codex", &m.key]),
                        m.key_loc,
                        format!("Unrecognized key: {:?}", m.key),
                    ));
                }
            }
        }
        for m in server.value.members() {
            if table.unsupported.contains(&m.key.as_str()) {
                // OpenClaw's message for `disabled`, the one key the code lists so far.
                let message = match (m.key.as_str(), m.value.as_bool()) {
                    ("disabled", Some(b)) => format!(
                        "unsupported key \"disabled\"; use \"enabled: {}\" instead, then run \"openclaw doctor --fix\" to migrate existing config",
                        !b
                    ),
                    ("disabled", None) => "unsupported key \"disabled\"; use the canonical \"enabled\" boolean instead".to_string(),
                    (k, _) => format!("unsupported key {k:?}"),
                };
                out.push(refinement(at(&[&m.key]), m.value.loc, message));
            }
        }
        per_requester(&server.value, table.per_requester, &at, out);
        let transport = server.value.get("transport");
        if table.stdio_command && transport.and_then(Node::as_str) == Some("stdio") {
            let command = server.value.get("command").and_then(Node::as_str);
            if command.is_none_or(|c| c.trim_matches(crate::paths::is_js_whitespace).is_empty()) {
                out.push(refinement(
                    at(&["transport"]),
                    transport.map_or(server.value.loc, |t| t.loc),
                    "\"stdio\" transport requires a non-empty command".into(),
                ));
            }
        }
    }
}

/// The checks `McpServerSchema.superRefine` makes when `oauth.identity` is `"per-requester"`
/// (2026.8.2 on), those of `checks` in the code's order. They read the parsed server: a
/// present `auth` is "oauth" (anything else aborted the parse), `authProfileId` is trimmed
/// (zod's `.trim()`), `url` is the string as written (a malformed one is a check issue, which
/// does not abort), `command` counts when present at all.
fn per_requester(
    server: &Node,
    checks: &[&str],
    at: &dyn Fn(&[&str]) -> Vec<Seg>,
    out: &mut Vec<Issue>,
) {
    let Some(identity) = server
        .at(&["oauth", "identity"])
        .filter(|i| i.as_str() == Some("per-requester"))
    else {
        return;
    };
    let js_trim = |s: &str| s.trim_matches(crate::paths::is_js_whitespace).to_string();
    for check in checks {
        let (fires, path, loc, message): (bool, &[&str], _, &str) = match *check {
            "requiresOauthAuth" => (
                server.get("auth").is_none(),
                &["oauth", "identity"],
                identity.loc,
                "oauth.identity \"per-requester\" requires auth: \"oauth\"",
            ),
            "noAuthProfileId" => {
                let profile = server.at(&["oauth", "authProfileId"]);
                (
                    profile
                        .and_then(Node::as_str)
                        .is_some_and(|p| !js_trim(p).is_empty()),
                    &["oauth", "authProfileId"],
                    profile.map_or(identity.loc, |p| p.loc),
                    "oauth.authProfileId cannot be used with oauth.identity \"per-requester\"",
                )
            }
            "requiresUrl" => (
                server
                    .get("url")
                    .and_then(Node::as_str)
                    .is_none_or(str::is_empty),
                &["oauth", "identity"],
                identity.loc,
                "oauth.identity \"per-requester\" requires an HTTP server URL",
            ),
            "noCommandOrStdio" => (
                server.get("command").is_some()
                    || server.get("transport").and_then(Node::as_str) == Some("stdio"),
                &["oauth", "identity"],
                identity.loc,
                "oauth.identity \"per-requester\" cannot be combined with a command or \"stdio\" transport",
            ),
            // build.rs refuses an id it does not know.
            _ => continue,
        };
        if fires {
            out.push(refinement(at(path), loc, message.into()));
        }
    }
}

/// The first release whose schema refuses `tools.web.search.apiKey` ("legacy web_search provider
/// config ..."): its `tools.web.search` superRefine tests `key === "apiKey"` (2026.8.2's
/// zod-schema.agent-runtime-*). 2026.5.28 to 2026.7.35 have the message but give it only to a
/// legacy provider block (`LEGACY_WEB_SEARCH_PROVIDER_CONFIG_KEYS.has(key) && isRecord(entry)`),
/// so they accept the key (recorded: tests/validity/verdicts/2026.5.28.json,
/// rw-tools-web-search-api-key, which 2026.5.28 rejects only for its provider; 2026.8.2.json,
/// which rejects the key).
const WEB_SEARCH_API_KEY_REFUSED_SINCE: &str = "2026.8.2";

fn field_refinements(root: &Node, release: &str, out: &mut Vec<Issue>) {
    let mut check = |path: &[&str], ok: &dyn Fn(&str) -> bool, message: &str| {
        if let Some(v) = root.at(path) {
            if let Some(s) = v.as_str() {
                if !ok(s) {
                    out.push(refinement(
                        path.iter().map(|k| key(k)).collect(),
                        v.loc,
                        message.into(),
                    ));
                }
            }
        }
    };
    let absolute = |s: &str| s.trim().starts_with('/');
    check(
        &["desktop", "host", "passwordFile"],
        &absolute,
        "VNC passwordFile must be an absolute path",
    );
    let domain = |s: &str| {
        let labels: Vec<&str> = s.split('.').collect();
        labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    check(
        &["gateway", "portals", "ingress", "domain"],
        &domain,
        "Portal ingress domain must be a bare DNS domain",
    );
    let http = |s: &str| {
        let l = s.to_ascii_lowercase();
        (l.starts_with("http://") || l.starts_with("https://"))
            && s.len() > l.find("://").unwrap_or(0) + 3
    };
    check(
        &["models", "catalogRefresh", "url"],
        &http,
        "Expected http:// or https:// URL",
    );
    // From 2026.8.2 (WEB_SEARCH_API_KEY_REFUSED_SINCE); older releases accept the key.
    if root.at(&["tools", "web", "search", "apiKey"]).is_some()
        && super::releases::compare(release, WEB_SEARCH_API_KEY_REFUSED_SINCE).is_ge()
    {
        let v = root.at(&["tools", "web", "search", "apiKey"]).unwrap();
        out.push(refinement(
            vec![key("tools"), key("web"), key("search"), key("apiKey")],
            v.loc,
            "legacy web_search provider config must use plugins.entries.<plugin>.config.webSearch"
                .into(),
        ));
    }
}

/// `gateway.roles`: the non-empty check is `definitions`' own `.refine` (run whatever else is
/// wrong in `roles`), the default's check is the `superRefine` of `roles`, which an aborting
/// issue in `roles` skips, an unknown key too where the release's zod aborts on one (2026.8.2:
/// zod-schema-*.js `roles: strictObject({default, definitions: record(...).refine(...)})
/// .superRefine(...)`; tests/validity/verdicts/2026.8.2.json mut-typo-gateway.roles.default_
/// reports the unknown key and the empty definitions, not the default).
fn gateway_roles_refinements(root: &Node, schema: &[Issue], uk: bool, out: &mut Vec<Issue>) {
    let Some(roles) = root.at(&["gateway", "roles"]).filter(|r| r.is_object()) else {
        return;
    };
    let defs = roles.get("definitions");
    let names: Vec<&str> = defs
        .map(|d| d.members().iter().map(|m| m.key.as_str()).collect())
        .unwrap_or_default();
    if names.is_empty() && !aborted_under(schema, &["gateway", "roles", "definitions"], false) {
        out.push(refinement(
            vec![key("gateway"), key("roles"), key("definitions")],
            defs.map_or(roles.loc, |d| d.loc),
            "gateway.roles.definitions must contain at least one role definition".into(),
        ));
    }
    // A failed `.refine` of a member does not abort it (2026.9.6 reports all three).
    let roles_parsed = !aborted_under(schema, &["gateway", "roles"], uk);
    if let Some(name) = roles.get("default").and_then(Node::as_str) {
        if roles_parsed && !names.contains(&name) {
            let d = roles.get("default").expect("just read");
            out.push(refinement(
                vec![key("gateway"), key("roles"), key("default")],
                d.loc,
                "gateway.roles.default must name a configured role definition".into(),
            ));
        }
    }
}

/// The checks `validateConfigObjectRaw` makes once the schema passed, first failing group
/// wins (validation-core-*.mjs).
pub fn after_schema(root: &Node, release: &str) -> Vec<Issue> {
    let avatar = identity_avatar(root);
    if !avatar.is_empty() {
        return avatar;
    }
    // The release is compared only for a config the check would refuse.
    let bind = tailscale_bind(root);
    if !bind.is_empty() && super::releases::compare(release, TAILSCALE_BIND_CHECK_SINCE).is_ge() {
        return bind;
    }
    super::models::suppressed_refs(root, release)
}

/// The first recorded release with `validateGatewayTailscaleBind` (2026.2.26's dist has none:
/// tests/validity/verdicts/2026.2.26.json rw-tailscale-serve-lan valid).
const TAILSCALE_BIND_CHECK_SINCE: &str = "2026.3.31";

/// `validateIdentityAvatar`: only the cases that need no file system (a `~` path or another
/// URI scheme); "must stay within the agent workspace" needs the workspace and is not checked.
fn identity_avatar(root: &Node) -> Vec<Issue> {
    let mut out = Vec::new();
    for m in root
        .at(&["agents", "entries"])
        .map(Node::members)
        .unwrap_or(&[])
    {
        let Some(v) = m.value.at(&["identity", "avatar"]) else {
            continue;
        };
        let Some(raw) = v.as_str() else { continue };
        let a = raw.trim();
        let lower = a.to_lowercase();
        if a.is_empty()
            || lower.starts_with("data:")
            || lower.starts_with("http://")
            || lower.starts_with("https://")
        {
            continue;
        }
        let scheme = a.split_once(':').is_some_and(|(s, _)| {
            s.len() > 1
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        });
        if a.starts_with('~') || scheme {
            out.push(refinement(
                vec![
                    key("agents"),
                    key("entries"),
                    key(&m.key),
                    key("identity"),
                    key("avatar"),
                ],
                v.loc,
                "identity.avatar must be a workspace-relative path, http(s) URL, or data URI."
                    .into(),
            ));
        }
    }
    out
}

/// `validateGatewayTailscaleBind`.
fn tailscale_bind(root: &Node) -> Vec<Issue> {
    let mode = root
        .at(&["gateway", "tailscale", "mode"])
        .and_then(Node::as_str)
        .unwrap_or("off");
    if mode != "serve" && mode != "funnel" {
        return Vec::new();
    }
    let bind_node = root.at(&["gateway", "bind"]);
    let bind = bind_node.and_then(Node::as_str).unwrap_or("loopback");
    if bind == "loopback" {
        return Vec::new();
    }
    let host = root
        .at(&["gateway", "customBindHost"])
        .and_then(Node::as_str);
    if bind == "custom" && host.is_some_and(|h| h.starts_with("127.") && h.split('.').count() == 4)
    {
        return Vec::new();
    }
    vec![refinement(
        vec![key("gateway"), key("bind")],
        bind_node.map_or(root.loc, |b| b.loc),
        format!(
            "gateway.bind must resolve to loopback when gateway.tailscale.mode={mode} (use gateway.bind=\"loopback\" or gateway.bind=\"custom\" with gateway.customBindHost=\"127.0.0.1\")"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each root normalized in place of the last one is the one normalized afresh (on a new
    /// thread, which has none to reuse), places included, whatever the configs before it had:
    /// more or fewer members, a roster of their own, agents in the middle; and the list is
    /// indeed reused from one config to the next.
    #[test]
    fn a_root_normalized_in_place_is_the_one_normalized_afresh() {
        let configs = [
            "{ gateway: { port: 1, auth: { token: \"t\" } }, channels: { telegram: {} } }",
            "{}",
            "{ agents: { list: [{ id: \"main\" }, { id: \"ops\" }] }, gateway: {} }",
            "{ a: 1, agents: { defaults: { workspace: \"w\" } }, b: \"x\", c: [1, 2] }",
            "{ agents: { ownership: \"explicit\" }, z: null }",
            "{ agents: { entries: { x: {} } } }",
            "{ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10, \
               k11: 11, k12: 12, k13: 13, k14: 14, k15: 15, k16: 16, k17: 17 }",
            "{ gateway: { port: 2 } }",
            "{ longer_key_than_any_before_it: true, gateway: { port: 3 } }",
        ];
        let roots: Vec<Node> = configs
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let doc = crate::load::json5::parse(text).unwrap();
                Node::from_json5(doc.root, crate::source::FileId(i as u32))
            })
            .collect();
        let afresh: Vec<Option<Node>> = roots
            .iter()
            .map(|root| {
                let root = root.clone();
                std::thread::spawn(move || normalize(&root).map(|n| (*n).clone()))
                    .join()
                    .unwrap()
            })
            .collect();
        assert!(afresh.iter().filter(|n| n.is_some()).count() >= 6);
        let list = |n: &Normalized| match &n.value {
            Value::Object(list) => Arc::as_ptr(list),
            _ => panic!("an object"),
        };
        let mut reused = 0;
        let mut before = None;
        for _ in 0..2 {
            for (root, want) in roots.iter().zip(&afresh) {
                let got = normalize(root);
                assert_eq!(got.as_deref(), want.as_ref(), "{root:?}");
                let at = got.as_ref().map(list);
                reused += usize::from(at.is_some() && at == before);
                before = at.or(before);
            }
        }
        assert!(reused >= 8, "reused {reused} times");
    }

    /// The ASCII comparison answers as lowercasing the id and looking it up does.
    #[test]
    fn built_in_providers_are_found_as_lowercased() {
        assert!(BUILT_IN_PROVIDERS
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())));
        for id in [
            "anthropic",
            "Anthropic",
            "OPENAI",
            "kimi",
            "\u{212A}imi",
            "KİMİ",
            "my-proxy",
            "",
            "anthropic ",
            "anthropi",
        ] {
            let lowered = id.to_lowercase();
            assert_eq!(
                is_built_in_provider(id),
                BUILT_IN_PROVIDERS.contains(&lowered.as_str()),
                "{id:?}"
            );
        }
        assert!(
            is_built_in_provider("\u{212A}imi"),
            "the Kelvin sign lowercases to k"
        );
    }
}
