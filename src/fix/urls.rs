//! Loopback URLs written in gateways' configs (a profile's `cdpUrl`, `browser.cdpUrl`,
//! `gateway.remote.url`, any string of the form `scheme://127.0.0.1:PORT…`): when a move
//! takes a gateway's base port elsewhere, a URL naming a port of its old footprint follows it
//! (the same offset from the new base), so that nothing is left pointing at where it was.
//!
//! A URL in a config only the moving gateway reads is its own: it moves. A URL in another
//! gateway's config (or in a file several read) names the moving gateway's port from the
//! outside: it moves when no gateway that stays holds that port, and is left as it is when
//! one does (then it may mean that one: the fix says so, and which).

use crate::load::json5::Span;
use crate::load::tree::{Node, Value};
use crate::resolve::model::Instance;
use crate::source::{Loc, SourceMap};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One loopback URL: where its port's digits are, the port, the key it is under, and the
/// gateways whose config reads it.
#[derive(Debug, Clone)]
pub struct UrlPort {
    pub loc: Loc,
    pub port: u16,
    pub key: String,
    pub readers: Vec<usize>,
}

/// Every loopback URL of every gateway's config whose written text is its value, by the
/// port it names.
///
/// Linear in what the configs hold, not in gateways times what they share: a container many
/// gateways' trees share (a file they all `$include`, held once behind its [`Arc`]) is walked
/// once, by the first gateway that reaches it, and for each later one only the URLs found in
/// it are counted again (each URL keeps the key of the first gateway that reaches it).
pub fn index(instances: &[Instance], sources: &SourceMap) -> BTreeMap<u16, Vec<UrlPort>> {
    let mut walk = Walk {
        sources,
        by_loc: BTreeMap::new(),
        shared: HashMap::new(),
        hits: Vec::new(),
        key: String::new(),
    };
    for (i, inst) in instances.iter().enumerate() {
        let Some(root) = &inst.config_root else {
            continue;
        };
        walk.hits.clear();
        walk.key.clear();
        walk.node(root);
        for at in &walk.hits {
            let readers = &mut walk.by_loc.get_mut(at).expect("a URL found").readers;
            // Gateways come in order: a gateway that reads a URL twice is the last reader.
            if readers.last() != Some(&i) {
                readers.push(i);
            }
        }
    }
    let mut out: BTreeMap<u16, Vec<UrlPort>> = BTreeMap::new();
    for url in walk.by_loc.into_values() {
        out.entry(url.port).or_default().push(url);
    }
    out
}

/// One walk of every gateway's config tree.
struct Walk<'s> {
    sources: &'s SourceMap,
    /// Every URL found, by (file, start of its port).
    by_loc: BTreeMap<(usize, usize), UrlPort>,
    /// The URLs under each container walked that more than one tree holds, by its address.
    shared: HashMap<*const (), Vec<(usize, usize)>>,
    /// The URLs the current gateway's tree holds (a URL reached twice, twice).
    hits: Vec<(usize, usize)>,
    /// The key of the node walked (`a.b.c`).
    key: String,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node) {
        crate::ports::allocate::work::add(1);
        let address = match &node.value {
            Value::String(s) => return self.string(node, s),
            Value::Object(members) if Arc::strong_count(members) > 1 => {
                Arc::as_ptr(members).cast::<()>()
            }
            Value::Array(items) if Arc::strong_count(items) > 1 => Arc::as_ptr(items).cast::<()>(),
            Value::Object(_) | Value::Array(_) => return self.children(node),
            _ => return,
        };
        if let Some(found) = self.shared.get(&address) {
            self.hits.extend_from_slice(found);
            return;
        }
        let from = self.hits.len();
        self.children(node);
        self.shared.insert(address, self.hits[from..].to_vec());
    }

    fn children(&mut self, node: &Node) {
        match &node.value {
            Value::Object(members) => {
                for m in members.iter() {
                    let len = self.key.len();
                    if !self.key.is_empty() {
                        self.key.push('.');
                    }
                    self.key.push_str(&m.key);
                    self.node(&m.value);
                    self.key.truncate(len);
                }
            }
            Value::Array(items) => {
                for item in items.iter() {
                    self.node(item);
                }
            }
            _ => {}
        }
    }

    /// A string value: a loopback URL written as it is read (quoted, no escapes, no
    /// `${VAR}`) is found.
    fn string(&mut self, node: &Node, value: &str) {
        let Some((offset, port)) = loopback_port(value) else {
            return;
        };
        let text = &self.sources.file(node.loc.file).text;
        let raw = text
            .get(node.loc.span.start()..node.loc.span.end())
            .unwrap_or("");
        if raw.len() < 2 || &raw[1..raw.len() - 1] != value {
            return;
        }
        let start = node.loc.span.start() + 1 + offset;
        let at = (node.loc.file.0 as usize, start);
        let key = &self.key;
        self.by_loc.entry(at).or_insert_with(|| UrlPort {
            loc: Loc {
                file: node.loc.file,
                span: Span::new(start, start + port.to_string().len()),
            },
            port,
            key: key.clone(),
            readers: Vec::new(),
        });
        self.hits.push(at);
    }
}

/// In `scheme://HOST:PORT…` with a loopback HOST (`127.x.y.z`, `localhost`, `[::1]`), the
/// offset of PORT's digits in the string and the port.
pub fn loopback_port(value: &str) -> Option<(usize, u16)> {
    let at = value.find("://")? + 3;
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
    use super::{index, loopback_port};
    use crate::ports::allocate::work;
    use crate::rules::testing::{gateway, host};

    /// A config tree every gateway shares (one file they all include, held once) is walked
    /// once, not once per gateway: a URL in it is read by every gateway, under the key the
    /// first reaches it by.
    #[test]
    fn a_tree_every_gateway_shares_is_walked_once() {
        let mut config = String::from("{ gateway: { remote: { url: \"ws://127.0.0.1:18860\" } }");
        for k in 0..500 {
            config.push_str(&format!(", k{k}: \"value {k}\""));
        }
        config.push_str(" }");
        let mut host = host((0..100).map(|i| gateway(&format!("g{i:03}")).config_text(&config)));
        let shared = host.instances[0].config_root.clone();
        assert!(shared.is_some());
        for instance in &mut host.instances[1..] {
            instance.config_root = shared.clone();
        }
        let before = work::done();
        let urls = index(&host.instances, &host.sources);
        let work = work::done() - before;
        let url = &urls[&18860][0];
        assert_eq!(url.key, "gateway.remote.url");
        assert_eq!(url.readers, (0..100).collect::<Vec<_>>());
        // One walk of the 500 members and their parents, then a step per later gateway.
        assert!(
            work < 1_000,
            "{work} steps for 100 gateways sharing 500 members"
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
