//! What is read from a gateway's config tree after validation: the few values fix planning and
//! port suggestions use, taken out of the tree when the validation step is done with it, so
//! that the tree itself need not live to the end of the run (at 10,000 gateways the trees are
//! 14 MiB of a run's peak of 114).

use crate::load::json5::Span;
use crate::load::tree::{Node, Value};
use crate::paths::FastMap;
use crate::resolve::Instance;
use crate::source::{Loc, SourceMap};
use std::sync::Arc;

/// The values of one gateway's config (after `$include` and `${VAR}`) that outlive its tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFacts {
    /// When OpenClaw last wrote the config: `meta.lastTouchedAt`, else `wizard.lastRunAt`
    /// (`ports::allocate` moves the gateway most likely added later).
    pub stamp: Option<String>,
    /// Where `agents.defaults.sandbox` is (`fix::sandbox` writes container prefixes there).
    pub sandbox: Option<Loc>,
    /// Where the `browser` object is (`fix::browser` sets `browser.attachOnly`).
    pub browser: Option<Loc>,
    /// The members of `browser.profiles`, in order (`fix::browser` sets a profile's own
    /// `attachOnly`).
    pub profiles: Vec<ProfileEntry>,
    /// The loopback URLs the config holds, in the order a walk of the tree reaches them
    /// (`fix::urls`).
    pub urls: Vec<UrlAt>,
}

/// One member of `browser.profiles`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    pub name: String,
    /// Its value's place.
    pub loc: Loc,
    /// It sets `attachOnly` itself (so `browser.attachOnly` does not reach it).
    pub own_attach_only: bool,
}

/// One loopback URL written in a config: where its port's digits are, the port, and the key it
/// is under (`a.b.c`; a URL many gateways' trees share keeps the key the first reached it by).
#[derive(Debug, Clone, PartialEq)]
pub struct UrlAt {
    pub loc: Loc,
    pub port: u16,
    pub key: Arc<str>,
}

impl ConfigFacts {
    /// The member of `browser.profiles` named `name`.
    pub fn profile(&self, name: &str) -> Option<&ProfileEntry> {
        self.profiles.iter().find(|p| p.name == name)
    }
}

/// Takes the facts of every gateway's config tree ([`take`]), then drops the trees.
pub fn take_all(instances: &mut [Instance], sources: &SourceMap) {
    let mut urls = UrlWalk::default();
    for inst in instances {
        take(inst, sources, &mut urls);
    }
}

/// Takes the facts of a gateway's config tree ([`Instance::config_facts`],
/// [`Instance::data_owner`]), then drops the tree. `urls` is shared by the calls of one run: a
/// container many gateways' trees share (a file they all `$include`, held once behind its
/// [`Arc`]) is walked once.
pub fn take(inst: &mut Instance, sources: &SourceMap, urls: &mut UrlWalk) {
    if let Some(root) = inst.config_root.take() {
        keep(inst, &root, sources, urls);
    }
}

/// Sets the facts of `root`, the gateway's config tree.
pub fn keep(inst: &mut Instance, root: &Node, sources: &SourceMap, urls: &mut UrlWalk) {
    inst.data_owner = data_owner(inst, root);
    let facts = of(root, sources, urls, may_hold_urls(inst, sources));
    // Most gateways' configs hold none of these: no box for them.
    inst.config_facts = (facts != ConfigFacts::default()).then(|| Box::new(facts));
}

/// The position in `inst.agents` of the agent that inherits the default workspace.
pub fn data_owner(inst: &Instance, root: &Node) -> Option<u32> {
    let owner = crate::resolve::paths::data_owner_of(root)?;
    let at = inst.agents.iter().position(|a| a.id == owner)?;
    u32::try_from(at).ok()
}

/// Whether `inst`'s config tree may hold a URL the walk finds: one written in a config text as
/// it reads, so in a text that holds `://`. A config without `$include` is its own file's
/// tree, and that file's text decides; one with includes may hold any file's nodes, and is
/// walked.
fn may_hold_urls(inst: &Instance, sources: &SourceMap) -> bool {
    inst.config_uses_include || sources.file(inst.config_loc.file).holds_url
}

/// The facts of one config tree; its URLs only when `walk_urls` (else none).
pub fn of(root: &Node, sources: &SourceMap, urls: &mut UrlWalk, walk_urls: bool) -> ConfigFacts {
    let at = |path: &[&str]| root.at(path);
    let profiles = at(&["browser", "profiles"])
        .map(|p| {
            p.members()
                .iter()
                .map(|m| ProfileEntry {
                    name: m.key.to_string(),
                    loc: m.value.loc,
                    own_attach_only: m.value.get("attachOnly").is_some(),
                })
                .collect()
        })
        .unwrap_or_default();
    ConfigFacts {
        stamp: [&["meta", "lastTouchedAt"][..], &["wizard", "lastRunAt"][..]]
            .iter()
            .find_map(|path| at(path).and_then(|n| n.as_str()))
            .map(str::to_string),
        sandbox: at(&["agents", "defaults", "sandbox"]).map(|n| n.loc),
        browser: at(&["browser"]).map(|n| n.loc),
        profiles,
        urls: if walk_urls {
            urls.walk(root, sources)
        } else {
            Vec::new()
        },
    }
}

/// A walk of config trees for loopback URLs, linear in what the configs hold, not in gateways
/// times what they share: a container several trees share is walked once, by the first tree
/// that reaches it, and for each later one the URLs found in it are copied.
#[derive(Default)]
pub struct UrlWalk {
    /// The URLs under each container walked that more than one tree holds, by its address,
    /// with the container itself: kept alive, so that its address is not reused while the
    /// walk lasts (the trees walked before are dropped).
    shared: FastMap<*const (), (Value, Vec<UrlAt>)>,
    /// The URLs the tree walked holds (a URL reached twice, twice).
    hits: Vec<UrlAt>,
}

/// The keys from the root to the node walked; spelled `a.b.c` only for a URL found.
type Keys<'n> = Vec<&'n str>;

impl UrlWalk {
    fn walk(&mut self, root: &Node, sources: &SourceMap) -> Vec<UrlAt> {
        self.hits.clear();
        self.node(root, &mut Keys::new(), sources);
        let mut hits = std::mem::take(&mut self.hits);
        hits.shrink_to_fit();
        hits
    }

    fn node<'n>(&mut self, node: &'n Node, keys: &mut Keys<'n>, sources: &SourceMap) {
        crate::ports::allocate::work::add(1);
        let address = match &node.value {
            Value::String(s) => return self.string(node, s, keys, sources),
            Value::Object(members) if Arc::strong_count(members) > 1 => {
                Arc::as_ptr(members).cast::<()>()
            }
            Value::Array(items) if Arc::strong_count(items) > 1 => Arc::as_ptr(items).cast::<()>(),
            Value::Object(_) | Value::Array(_) => return self.children(node, keys, sources),
            _ => return,
        };
        if let Some((_, found)) = self.shared.get(&address) {
            self.hits.extend_from_slice(found);
            return;
        }
        let from = self.hits.len();
        self.children(node, keys, sources);
        let found = self.hits[from..].to_vec();
        self.shared.insert(address, (node.value.clone(), found));
    }

    fn children<'n>(&mut self, node: &'n Node, keys: &mut Keys<'n>, sources: &SourceMap) {
        match &node.value {
            Value::Object(members) => {
                for m in members.iter() {
                    keys.push(&m.key);
                    self.node(&m.value, keys, sources);
                    keys.pop();
                }
            }
            Value::Array(items) => {
                for item in items.iter() {
                    self.node(item, keys, sources);
                }
            }
            _ => {}
        }
    }

    /// A string value: a loopback URL written as it is read (quoted, no escapes, no
    /// `${VAR}`) is found.
    fn string(&mut self, node: &Node, value: &str, keys: &[&str], sources: &SourceMap) {
        let Some((offset, port)) = loopback_port(value) else {
            return;
        };
        let text = &sources.file(node.loc.file).text;
        let raw = text
            .get(node.loc.span.start()..node.loc.span.end())
            .unwrap_or("");
        if raw.len() < 2 || &raw[1..raw.len() - 1] != value {
            return;
        }
        let start = node.loc.span.start() + 1 + offset;
        self.hits.push(UrlAt {
            loc: Loc {
                file: node.loc.file,
                span: Span::new(start, start + port.to_string().len()),
            },
            port,
            key: Arc::from(dotted(keys).as_str()),
        });
    }
}

/// `keys` spelled `a.b.c`, a dot before each key but after an empty start (`["", "a"]` is `a`),
/// each key as a message may show it (`redact::shown_key`): the path is only ever printed.
fn dotted(keys: &[&str]) -> String {
    let mut key = String::new();
    for k in keys {
        if !key.is_empty() {
            key.push('.');
        }
        key.push_str(&crate::redact::shown_key(k));
    }
    key
}

/// In `scheme://HOST:PORT…` with a loopback HOST (`127.x.y.z`, `localhost`, `[::1]`), the
/// offset of PORT's digits in the string and the port.
pub fn loopback_port(value: &str) -> Option<(usize, u16)> {
    let at = crate::redact::scheme_separator(value)? + 3;
    let rest = &value[at..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let hostport = &authority[host_start..];
    let colon = match hostport.strip_prefix('[') {
        Some(v6) => 1 + v6.find(']')? + 1,
        None => hostport.find(':')?,
    };
    let host = &hostport[..colon];
    let digits = hostport[colon..].strip_prefix(':')?;
    let loopback = host == "localhost"
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|r| r.split('.').all(|p| p.parse::<u8>().is_ok()));
    if !loopback || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port: u16 = digits.parse().ok()?;
    Some((at + host_start + colon + 1, port))
}

#[cfg(test)]
mod tests {
    use super::{dotted, keep, loopback_port, Instance, UrlWalk};

    /// Each config text records, as it is parsed, whether it holds a `://`. A gateway's tree is
    /// walked for URLs when its file's text holds one, or when its config includes other files
    /// (their nodes may hold one); a single-file config whose text holds none is not walked.
    #[test]
    fn a_tree_is_walked_when_its_files_may_hold_a_url() {
        use crate::rules::testing::{gateway, host};
        let with_url = "{ browser: { cdpUrl: 'http://127.0.0.1:9222' } }";
        let plain = "{ gateway: { port: 18789 } }";
        let mut h = host([
            gateway("a").config_text(with_url),
            gateway("b").config_text(plain),
        ]);
        let holds_url = |h: &crate::rules::testing::Host, i: usize| {
            h.sources.file(h.instances[i].config_loc.file).holds_url
        };
        assert!(holds_url(&h, 0));
        assert!(!holds_url(&h, 1));
        let urls = |inst: &Instance| inst.config_facts.as_ref().map_or(0, |f| f.urls.len());
        assert_eq!(urls(&h.instances[0]), 1);
        let found = &h.instances[0].config_facts.as_ref().unwrap().urls[0];
        assert_eq!((found.port, &*found.key), (9222, "browser.cdpUrl"));
        assert_eq!(urls(&h.instances[1]), 0);
        // b given a's tree (a URL in a's text): not walked while b's config is its own file
        // and that file holds no `://`; walked once b's config includes other files.
        let a_root = h.instances[0]
            .config_root
            .clone()
            .expect("kept by the test host");
        let b = &mut h.instances[1];
        keep(b, &a_root, &h.sources, &mut UrlWalk::default());
        assert_eq!(urls(b), 0);
        b.config_uses_include = true;
        keep(b, &a_root, &h.sources, &mut UrlWalk::default());
        assert_eq!(urls(b), 1);
    }

    #[test]
    fn keys_are_dotted_as_the_walk_met_them() {
        assert_eq!(dotted(&["gateway", "remote", "url"]), "gateway.remote.url");
        assert_eq!(dotted(&["", "a", "", "b"]), "a..b");
        assert_eq!(dotted(&[]), "");
        // The path is printed: a token-shaped or huge key is not (found by a hostile-input audit).
        let token = "ghp_FakeKeyD1abcdefghijklmnopqrstuvwxyz0123";
        let shown = dotted(&["models", "providers", token, "baseUrl"]);
        assert!(
            !shown.contains(token) && shown.contains("fingerprint"),
            "{shown}"
        );
        let huge = "k".repeat(70_000);
        let shown = dotted(&["models", "providers", &huge, "baseUrl"]);
        assert_eq!(
            shown,
            "models.providers.<70000 characters, not shown>.baseUrl"
        );
    }

    #[test]
    fn loopback_ports_in_urls() {
        fn port(v: &str) -> Option<(&str, u16)> {
            loopback_port(v).map(|(at, p)| (&v[at..at + p.to_string().len()], p))
        }
        assert_eq!(port("http://127.0.0.1:18800"), Some(("18800", 18800)));
        assert_eq!(port("ws://localhost:18789/ws?x=1"), Some(("18789", 18789)));
        assert_eq!(port("ws://u:p@[::1]:19000"), Some(("19000", 19000)));
        assert_eq!(port("http://10.0.0.5:9222"), None);
        assert_eq!(port("http://127.0.0.1"), None);
        assert_eq!(port("http://localhost:${P}"), None);
        assert_eq!(port("wss://example.com:443"), None);
    }
}
