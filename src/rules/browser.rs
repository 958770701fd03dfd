//! Browser rules (CL6xx): CDP endpoints pinned by two gateways, and loopback endpoints
//! OpenClaw may launch Chrome on when the operator meant to attach.

use crate::catalog;

use super::group::{distinct, names, party, shared_across_instances};
use super::RuleContext;
use crate::diagnostic::Finding;
use crate::resolve::{BrowserProfile, Instance};

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = shared_endpoints(ctx.instances);
    out.extend(ctx.instances.iter().flat_map(loopback_without_attach_only));
    out
}

fn pinned_profiles(instance: &Instance) -> impl Iterator<Item = &BrowserProfile> {
    instance
        .live_browser()
        .into_iter()
        .flat_map(|b| b.profiles.iter())
        .filter(|p| p.driver == "openclaw" && (p.explicit || p.from_url))
}

/// Loopback hosts are one host: 127.0.0.1, localhost and ::1 reach the same Chrome.
fn endpoint_key(profile: &BrowserProfile) -> (String, u32) {
    let host = if profile.loopback {
        "loopback".to_string()
    } else {
        profile.cdp_host.to_string()
    };
    (host, profile.cdp_port)
}

/// CL601: two gateways pin the same CDP endpoint (CL102 leaves pinned CDP ports to this rule:
/// the harm is one gateway driving the other's Chrome). CL603 when every one only attaches.
fn shared_endpoints(instances: &[Instance]) -> Vec<Finding> {
    let items = instances
        .iter()
        .enumerate()
        .filter(|(_, inst)| inst.runs())
        .flat_map(|(i, inst)| pinned_profiles(inst).map(move |p| (endpoint_key(p), i, p)))
        .collect();
    let mut out = Vec::new();
    for ((_, port), parties) in shared_across_instances(items) {
        let involved = distinct(instances, &parties);
        let endpoint = parties[0].1.cdp_url();
        // Every party only attaches: nobody launches or owns a Chrome there. Many clients of
        // one Browserless container is a deliberate setup; say so, as a warning.
        if parties.iter().all(|(_, p)| p.attach_only) {
            let mut finding = Finding::new(
                &catalog::SHARED_ATTACH_ONLY_CDP_ENDPOINT,
                format!(
                    "gateways {} all attach to the same browser at {endpoint}",
                    names(&involved)
                ),
            )
            .note("every profile here has attachOnly, so no gateway launches or owns this Chrome: a shared browser service (a Browserless container) serving several gateways is a deliberate choice; but each gateway's agent sees and can drive the others' tabs, cookies and logins")
            .help("if the gateways must not see each other's sessions, give each its own browser endpoint; if sharing is intended, suppress this with a reason");
            for (i, profile) in &parties {
                let what = format!(
                    "browser profile \"{}\" at {} (attachOnly)",
                    profile.name,
                    profile.cdp_url()
                );
                finding = finding.label(party(&instances[*i], &what, &profile.origin));
            }
            out.push(finding);
            continue;
        }
        let mut finding = Finding::new(
            &catalog::SHARED_CDP_ENDPOINT,
            format!("gateways {} drive the same browser at {endpoint}", names(&involved)),
        )
        .note(format!(
            "OpenClaw uses whatever Chrome answers at {}:{port}: each gateway sees and drives the other's tabs, cookies and logins",
            parties[0].1.cdp_host
        ))
        .help("give each gateway its own Chrome (its own remote-debugging port or cdpUrl)");
        for (i, profile) in &parties {
            let what = format!(
                "browser profile \"{}\" at {}",
                profile.name,
                profile.cdp_url()
            );
            finding = finding.label(party(&instances[*i], &what, &profile.origin));
        }
        out.push(finding);
    }
    out
}

/// CL602: a hand-pinned loopback cdpUrl without attachOnly.
fn loopback_without_attach_only(instance: &Instance) -> Vec<Finding> {
    pinned_profiles(instance)
        .filter(|p| p.from_url && p.is_local_managed())
        .map(|p| {
            Finding::new(
                &catalog::LOOPBACK_CDP_WITHOUT_ATTACH_ONLY,
                format!(
                    "\"{}\"'s browser profile \"{}\" points at {} on this host without attachOnly",
                    instance.name, p.name, p.cdp_url()
                ),
            )
            .label(party(instance, format_args!("browser profile \"{}\" cdpUrl", p.name), &p.origin))
            .note("if nothing answers there, OpenClaw launches its own Chrome on that port; if anything answers, it silently drives it")
            .help(if p.explicit {
                format!("add `attachOnly: true` to browser profile \"{}\" to only ever attach", p.name)
            } else {
                "set `browser: { attachOnly: true }` to only ever attach to browser.cdpUrl".to_string()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        LISTENER_COLLISION, LOOPBACK_CDP_WITHOUT_ATTACH_ONLY, SHARED_CDP_ENDPOINT,
    };
    use crate::rules::testing::{gateway, host, labels, parties};

    #[test]
    fn cl601_two_gateways_pin_one_cdp_port() {
        let host = host([
            gateway("a")
                .port(18789)
                .set("browser.profiles.work.cdpPort", "19222"),
            gateway("b")
                .port(18900)
                .set("browser.profiles.work.cdpPort", "19222"),
        ]);
        let f = host.finding(SHARED_CDP_ENDPOINT);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" drive the same browser at http://127.0.0.1:19222"
        );
        assert_eq!(parties(&f), ["a", "b"]);
        assert_eq!(
            labels(&f),
            [
                "a: browser profile \"work\" at http://127.0.0.1:19222",
                "b: browser profile \"work\" at http://127.0.0.1:19222"
            ]
        );
        // The same port, pinned by both: CL601's, not a listener collision.
        assert!(host.findings(LISTENER_COLLISION).is_empty());
    }

    #[test]
    fn cl601_not_for_one_port_on_two_remote_hosts() {
        let host = host([
            gateway("a").set("browser.profiles.work.cdpUrl", "\"http://10.0.0.5:9222\""),
            gateway("b").set("browser.profiles.work.cdpUrl", "\"http://10.0.0.6:9222\""),
        ]);
        assert!(host.findings(SHARED_CDP_ENDPOINT).is_empty());
    }

    #[test]
    fn cl602_a_loopback_cdp_url_without_attach_only() {
        let host = host([gateway("a").set("browser.cdpUrl", "\"http://127.0.0.1:9222\"")]);
        let f = host.finding(LOOPBACK_CDP_WITHOUT_ATTACH_ONLY);
        assert!(
            f.message.starts_with(
                "\"a\"'s browser profile \"openclaw\" points at http://127.0.0.1:9222"
            ),
            "{}",
            f.message
        );
        assert_eq!(
            f.help.as_deref(),
            Some("set `browser: { attachOnly: true }` to only ever attach to browser.cdpUrl")
        );
    }

    #[test]
    fn cl602_not_with_attach_only() {
        let host = host([gateway("a")
            .set("browser.cdpUrl", "\"http://127.0.0.1:9222\"")
            .set("browser.attachOnly", "true")]);
        assert!(host.findings(LOOPBACK_CDP_WITHOUT_ATTACH_ONLY).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).

    #[test]
    fn cl601_human() {
        let host = host([
            gateway("a")
                .port(18789)
                .set("browser.profiles.work.cdpPort", "19222"),
            gateway("b")
                .port(18900)
                .set("browser.profiles.work.cdpPort", "19222"),
        ]);
        insta::assert_snapshot!("CL601", host.human(SHARED_CDP_ENDPOINT));
    }

    #[test]
    fn cl602_human() {
        let host = host([gateway("a").set("browser.cdpUrl", "\"http://127.0.0.1:9222\"")]);
        insta::assert_snapshot!("CL602", host.human(LOOPBACK_CDP_WITHOUT_ATTACH_ONLY));
    }

    /// A browser service on another host that the gateway only attaches to.
    fn attaches(
        g: crate::rules::testing::Gateway,
        attach_only: bool,
    ) -> crate::rules::testing::Gateway {
        g.set("browser.attachOnly", &attach_only.to_string())
            .set("browser.profiles.remote.cdpUrl", "\"http://10.0.0.5:3000\"")
    }

    #[test]
    fn cl603_two_gateways_attach_to_one_browser_service() {
        use crate::catalog::SHARED_ATTACH_ONLY_CDP_ENDPOINT;
        let host = host([attaches(gateway("a"), true), attaches(gateway("b"), true)]);
        let f = host.finding(SHARED_ATTACH_ONLY_CDP_ENDPOINT);
        assert_eq!(
            f.message,
            "gateways \"a\" and \"b\" all attach to the same browser at http://10.0.0.5:3000"
        );
        assert_eq!(
            labels(&f),
            [
                "a: browser profile \"remote\" at http://10.0.0.5:3000 (attachOnly)",
                "b: browser profile \"remote\" at http://10.0.0.5:3000 (attachOnly)"
            ]
        );
        assert!(host.findings(SHARED_CDP_ENDPOINT).is_empty());
    }

    #[test]
    fn cl603_not_when_one_gateway_may_launch_there() {
        // Without attachOnly on one side, it is CL601 (one may drive the other's Chrome).
        use crate::catalog::SHARED_ATTACH_ONLY_CDP_ENDPOINT;
        let host = host([attaches(gateway("a"), true), attaches(gateway("b"), false)]);
        assert!(host.findings(SHARED_ATTACH_ONLY_CDP_ENDPOINT).is_empty());
        assert_eq!(host.findings(SHARED_CDP_ENDPOINT).len(), 1);
    }

    #[test]
    fn cl603_human() {
        use crate::catalog::SHARED_ATTACH_ONLY_CDP_ENDPOINT;
        let host = host([attaches(gateway("a"), true), attaches(gateway("b"), true)]);
        insta::assert_snapshot!("CL603", host.human(SHARED_ATTACH_ONLY_CDP_ENDPOINT));
    }
}
