//! Loopback URLs written in gateways' configs (a profile's `cdpUrl`, `browser.cdpUrl`,
//! `gateway.remote.url`, any string of the form `scheme://127.0.0.1:PORT…`): when a move
//! takes a gateway's base port elsewhere, a URL naming a port of its old footprint follows it
//! (the same offset from the new base), so that nothing is left pointing at where it was.
//!
//! A URL in a config only the moving gateway reads is its own: it moves. A URL in another
//! gateway's config (or in a file several read) names the moving gateway's port from the
//! outside: it moves when no gateway that stays holds that port, and is left as it is when
//! one does (then it may mean that one: the fix says so, and which).

use crate::resolve::model::Instance;
use crate::source::Loc;
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
/// port it names (from what resolve took out of each config:
/// [`crate::resolve::config_facts::UrlAt`]).
pub fn index(instances: &[Instance]) -> BTreeMap<u16, Vec<UrlPort>> {
    let mut by_loc: BTreeMap<(u32, u32), UrlPort> = BTreeMap::new();
    for (i, inst) in instances.iter().enumerate() {
        let Some(facts) = &inst.config_facts else {
            continue;
        };
        for url in &facts.urls {
            let at = (url.loc.file.0, url.loc.span.start() as u32);
            let readers = &mut by_loc
                .entry(at)
                .or_insert_with(|| UrlPort {
                    loc: url.loc,
                    port: url.port,
                    key: url.key.to_string(),
                    readers: Vec::new(),
                })
                .readers;
            // Gateways come in order: a gateway that reads a URL twice is the last reader.
            if readers.last() != Some(&i) {
                readers.push(i);
            }
        }
    }
    let mut out: BTreeMap<u16, Vec<UrlPort>> = BTreeMap::new();
    for url in by_loc.into_values() {
        out.entry(url.port).or_default().push(url);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::index;
    use crate::ports::allocate::work;
    use crate::resolve::config_facts;
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
        drop(shared);
        let before = work::done();
        config_facts::take_all(&mut host.instances, &host.sources);
        let work = work::done() - before;
        let urls = index(&host.instances);
        let url = &urls[&18860][0];
        assert_eq!(url.key, "gateway.remote.url");
        assert_eq!(url.readers, (0..100).collect::<Vec<_>>());
        // One walk of the 500 members and their parents, then a step per later gateway.
        assert!(
            work < 1_000,
            "{work} steps for 100 gateways sharing 500 members"
        );
    }
}
