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
use std::collections::BTreeMap;

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
pub fn index(instances: &[Instance], sources: &SourceMap) -> BTreeMap<u16, Vec<UrlPort>> {
    let mut by_loc: BTreeMap<(usize, usize), UrlPort> = BTreeMap::new();
    for (i, inst) in instances.iter().enumerate() {
        if let Some(root) = &inst.config_root {
            walk(root, &mut String::new(), &mut |key, node, value| {
                let Some((offset, port)) = loopback_port(value) else {
                    return;
                };
                let text = &sources.file(node.loc.file).text;
                // Only a string written as it is read (quoted, no escapes, no `${VAR}`).
                let raw = text
                    .get(node.loc.span.start..node.loc.span.end)
                    .unwrap_or("");
                if raw.len() < 2 || &raw[1..raw.len() - 1] != value {
                    return;
                }
                let start = node.loc.span.start + 1 + offset;
                let entry = by_loc
                    .entry((node.loc.file.0 as usize, start))
                    .or_insert_with(|| UrlPort {
                        loc: Loc {
                            file: node.loc.file,
                            span: Span {
                                start,
                                end: start + port.to_string().len(),
                            },
                        },
                        port,
                        key: key.to_string(),
                        readers: Vec::new(),
                    });
                if !entry.readers.contains(&i) {
                    entry.readers.push(i);
                }
            });
        }
    }
    let mut out: BTreeMap<u16, Vec<UrlPort>> = BTreeMap::new();
    for url in by_loc.into_values() {
        out.entry(url.port).or_default().push(url);
    }
    out
}

fn walk(node: &Node, key: &mut String, f: &mut impl FnMut(&str, &Node, &str)) {
    match &node.value {
        Value::String(s) => f(key, node, s),
        Value::Object(members) => {
            for m in members.iter() {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(&m.key);
                walk(&m.value, key, f);
                key.truncate(len);
            }
        }
        Value::Array(items) => {
            for item in items.iter() {
                walk(item, key, f);
            }
        }
        _ => {}
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
    use super::loopback_port;

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
