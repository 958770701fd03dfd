//! CL602's fix (unsafe): `attachOnly: true` on the browser profile whose loopback `cdpUrl`
//! OpenClaw would otherwise treat as a browser of its own to launch (facts §5: a profile's
//! own `attachOnly`, else `browser.attachOnly`). It goes into the profile's object
//! (`browser.profiles.<name>`), or into the `browser` block when the endpoint is
//! `browser.cdpUrl` (the implicit `openclaw` profile), in the object's own layout; an
//! `attachOnly: false` written there becomes `true`.
//!
//! There is no fix, and the finding says why, when the endpoint is another gateway's too (then
//! attach-only would leave both driving one Chrome: CL601's business, and an operator's choice
//! of which gateway gets a browser of its own), when `browser.attachOnly` would also make a
//! profile attach-only that launches its own Chrome, when the object is in no config clawlint
//! can edit or in one another gateway reads too.
//!
//! Unsafe: when the hand-started Chrome is down, the agent then gets an error instead of a
//! fresh managed browser.

use super::index::Reading;
use super::moves::Planner;
use super::{Applicability, Edit, Fix};
use crate::diagnostic::Finding;
use crate::load::json5::{self, Value};
use crate::resolve::config_facts::ConfigFacts;
use crate::resolve::model::{BrowserProfile, Instance};
use crate::resolve::Origin;
use crate::source::Loc;

/// The fix of a CL602 finding, or why there is none. What it asks of the other gateways (the
/// profiles on its CDP port, the files they read) is the planner's, built once per run.
pub fn fix(f: &Finding, planner: &mut Planner) -> Result<Fix, String> {
    let (instances, sources) = (planner.instances, planner.sources);
    let label = f.labels.first().ok_or("the finding names no profile")?;
    let me = label
        .instance
        .as_deref()
        .and_then(|n| planner.index_of(n))
        .ok_or("the finding names no gateway")?;
    let inst = &instances[me];
    let browser = inst.live_browser().ok_or("the gateway runs no browser")?;
    let profile = browser
        .profiles
        .iter()
        .find(|p| p.from_url && p.origin.loc().is_some() && p.origin.loc() == label.loc)
        .ok_or("clawlint cannot find the profile the finding names")?;
    if let Some((other, theirs)) = shared_with(me, profile, planner) {
        return Err(format!(
            "\"{}\"'s browser profile \"{}\" points at the same endpoint (CL601): attach-only, both would drive one Chrome; give one of them a Chrome of its own first",
            other.name, theirs.name
        ));
    }
    if !matches!(profile.origin, Origin::Config(_)) {
        return Err(format!(
            "its cdpUrl is not written in a config ({})",
            profile.origin.summary()
        ));
    }
    let no_facts = ConfigFacts::default();
    let config = inst.config_facts.as_deref().unwrap_or(&no_facts);
    let path: Vec<&str> = match profile.explicit {
        true => vec!["browser", "profiles", &profile.name],
        false => vec!["browser"],
    };
    if !profile.explicit {
        // `browser.attachOnly` holds for every profile without its own: one that launches a
        // Chrome of its own would stop doing so.
        if let Some(other) = browser.profiles.iter().find(|p| {
            p.explicit
                && p.is_local_managed()
                && !std::ptr::eq(*p, profile)
                && !config.profile(&p.name).is_some_and(|e| e.own_attach_only)
        }) {
            return Err(format!(
                "browser.attachOnly would also make profile \"{}\", whose Chrome OpenClaw launches, attach-only: declare a profile with this cdpUrl and attachOnly instead",
                other.name
            ));
        }
    }
    let loc = match profile.explicit {
        true => config.profile(&profile.name).map(|e| e.loc),
        false => config.browser,
    }
    .ok_or_else(|| format!("clawlint cannot find {} in its config", path.join(".")))?;
    let readers = planner.readers(Reading::BrowserProfiles);
    if let Some(other) = readers.other_than(loc.file, me) {
        return Err(format!(
            "{} is \"{}\"'s config too, so the edit would change both",
            crate::paths::display_path(&sources.file(loc.file).path),
            instances[other].name
        ));
    }
    let text = &sources.file(loc.file).text;
    let doc = json5::parse(text).map_err(|_| "its config no longer parses")?;
    let node = super::fixers::node_with_span(&doc.root, loc.span)
        .filter(|n| matches!(n.value, Value::Object(_)))
        .ok_or_else(|| format!("clawlint cannot find {} in its file", path.join(".")))?;
    let edit = match node.get("attachOnly") {
        Some(v) if &text[v.span.start()..v.span.end()] == "false" => Edit {
            file: loc.file,
            span: v.span,
            replacement: "true".to_string(),
        },
        Some(v) => {
            return Err(format!(
                "{}.attachOnly is written as {}, which clawlint does not rewrite",
                path.join("."),
                &text[v.span.start()..v.span.end()]
            ))
        }
        None => {
            let member = format!("{}: true", super::fixers::key(text, node, "attachOnly"));
            let (span, replacement) = super::fixers::insert_member(text, node, &member)
                .ok_or_else(|| format!("clawlint cannot add attachOnly to {}", path.join(".")))?;
            Edit {
                file: loc.file,
                span,
                replacement,
            }
        }
    };
    if super::fixers::overlaps_secret(
        sources,
        Loc {
            file: edit.file,
            span: edit.span,
        },
    ) {
        return Err("the edit would touch a secret".into());
    }
    Ok(Fix {
        applicability: Applicability::Unsafe,
        description: format!(
            "set attachOnly on \"{}\"'s browser {} ({}): OpenClaw then only attaches to {} and never launches a Chrome there; when that Chrome is down, the agent gets an error instead of a fresh managed browser",
            inst.name,
            match profile.explicit {
                true => format!("profile \"{}\"", profile.name),
                false => "block".to_string(),
            },
            path.join("."),
            profile.cdp_url()
        ),
        edits: vec![edit],
    })
}

/// Another gateway's profile that points at the same loopback endpoint, when there is one:
/// the first (in order) of the first gateway other than `me`.
fn shared_with<'a>(
    me: usize,
    profile: &BrowserProfile,
    planner: &Planner<'a>,
) -> Option<(&'a Instance, &'a BrowserProfile)> {
    let instances = planner.instances;
    let (g, k) = planner.cdp_profiles().other_than(profile.cdp_port, me)?;
    let theirs = &instances[g].live_browser()?.profiles[k];
    Some((&instances[g], theirs))
}

#[cfg(test)]
mod tests {
    use crate::catalog::LOOPBACK_CDP_WITHOUT_ATTACH_ONLY;
    use crate::rules::testing::{gateway, host, Gateway};

    /// The text of the config of the first gateway after CL602's fix, or why there is none.
    fn fixed(gateways: impl IntoIterator<Item = Gateway>) -> Result<String, String> {
        let host = host(gateways);
        let f = host.findings(LOOPBACK_CDP_WITHOUT_ATTACH_ONLY).remove(0);
        let mut planner = super::Planner::new(&host.instances, &host.sources);
        let fix = super::fix(&f, &mut planner)?;
        assert_eq!(fix.applicability, super::Applicability::Unsafe);
        assert_eq!(fix.edits.len(), 1);
        let edit = &fix.edits[0];
        let text = &host.sources.file(edit.file).text;
        Ok(super::super::apply(text, &fix.edits))
    }

    #[test]
    fn attach_only_goes_into_the_profile_or_the_browser_block() {
        let text = fixed([gateway("a").config_text(
            "{\n  browser: {\n    profiles: {\n      mine: { cdpUrl: \"http://127.0.0.1:9222\" }, // by hand\n    },\n  },\n}\n",
        )])
        .unwrap();
        assert!(
            text.contains(
                "      mine: { attachOnly: true, cdpUrl: \"http://127.0.0.1:9222\" }, // by hand\n"
            ),
            "{text}"
        );
        let text = fixed([gateway("a").config_text(
            "{\n  \"browser\": {\n    \"cdpUrl\": \"http://localhost:9222\",\n  },\n}\n",
        )])
        .unwrap();
        assert!(
            text.contains("  \"browser\": {\n    \"attachOnly\": true,\n    \"cdpUrl\": \"http://localhost:9222\",\n"),
            "{text}"
        );
        // `attachOnly: false` said so: it becomes true, nothing else changes.
        let text = fixed([gateway("a").config_text(
            "{ browser: { profiles: { mine: { cdpUrl: \"http://127.0.0.1:9222\", attachOnly: false } } } }\n",
        )])
        .unwrap();
        assert_eq!(
            text,
            "{ browser: { profiles: { mine: { cdpUrl: \"http://127.0.0.1:9222\", attachOnly: true } } } }\n"
        );
    }

    #[test]
    fn no_fix_when_attach_only_would_share_a_chrome_or_reach_another_profile() {
        // b points a profile at the same Chrome: attach-only, both would drive it (CL601).
        let why = fixed([
            gateway("a").set("browser.profiles.mine.cdpUrl", "\"http://127.0.0.1:9222\""),
            gateway("b")
                .port(19789)
                .set("browser.profiles.x.cdpUrl", "\"http://localhost:9222\""),
        ])
        .unwrap_err();
        assert!(
            why.contains("\"b\"'s browser profile \"x\" points at the same endpoint (CL601)"),
            "{why}"
        );
        // browser.attachOnly would stop the "work" profile launching its own Chrome.
        let why = fixed([gateway("a")
            .set("browser.cdpUrl", "\"http://127.0.0.1:9222\"")
            .set("browser.profiles.work.cdpPort", "18850")])
        .unwrap_err();
        assert!(why.contains("would also make profile \"work\""), "{why}");
    }
}
