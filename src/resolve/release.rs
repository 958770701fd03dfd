//! Which OpenClaw release runs a gateway, from what the layout shows.
//!
//! Every source the layout has, strongest first:
//! 1. the installation the gateway's supervisor runs: a versioned program path
//!    (`.pnpm/openclaw@2026.3.1/…`) or the `package.json` of the package its program lies in
//!    (`…/node_modules/openclaw/dist/index.js`, a bin shim on its `PATH`), inside the layout;
//! 2. the container image tag (compose `image: ghcr.io/openclaw/openclaw:2026.3.1`, quadlet
//!    `Image=`, the fleet registry);
//! 3. the version an OpenClaw install wrote into the service (`OPENCLAW_SERVICE_VERSION`,
//!    written with `Description=OpenClaw Gateway (vX)` by releases before 2026.9,
//!    `systemd-*.mjs removeLegacyGatewayVersionMetadata`): stale once the package is upgraded
//!    without reinstalling the service;
//! 4. a global install in the gateway's home (`~/.npm-global`, pnpm, bun, volta, nvm), for a
//!    gateway no supervisor or container says more about;
//! 5. the release that last wrote the config (`meta.lastTouchedVersion`).
//!
//! The first is the release; the others are kept, so that sources that disagree can be
//! reported. `--openclaw-version` and `openclaw_version` in clawlint.toml override them all
//! (applied by the validation step).

use super::model::{Origin, Sourced};
use crate::invocation::Invocation;
use crate::load::cache::FileCache;
use crate::load::env::Env;
use crate::load::install;
use crate::load::tree::Node;
use crate::source::SourceMap;
use crate::validate::releases::{compare, is_release};
use std::path::Path;

/// The release of a gateway and every source that said something about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detected {
    /// The release the gateway runs, from the strongest source.
    pub release: Option<Sourced<String>>,
    /// Every source, strongest first (the release's own first).
    pub sources: Vec<Sourced<String>>,
}

impl Detected {
    /// The sources that name another release than the chosen one. The config's
    /// `meta.lastTouchedVersion` counts only when it is newer: an older release wrote the
    /// config before an upgrade, which is normal; a newer one wrote keys this release may not
    /// know.
    pub fn disagreeing(&self) -> Vec<&Sourced<String>> {
        let Some(chosen) = &self.release else {
            return Vec::new();
        };
        self.sources
            .iter()
            .filter(|s| s.value != chosen.value)
            .filter(|s| {
                !matches!(s.origin, Origin::Config(_)) || compare(&s.value, &chosen.value).is_gt()
            })
            .collect()
    }
}

/// The release in an image reference: `ghcr.io/openclaw/openclaw:2026.3.1` (also
/// `:v2026.3.1`, `:2026.5.4-slim`, `:2026.7.1-2`; not `:latest` or `:main`).
pub fn release_of_image(image: &str) -> Option<String> {
    let image = image.split('@').next().unwrap_or(image);
    let name_end = image.rfind('/').map_or(0, |i| i + 1);
    let (_, tag) = image[name_end..].split_once(':')?;
    let tag = tag.trim_start_matches('v');
    let mut parts = tag.splitn(2, '-');
    let core = parts.next().unwrap_or("");
    let release = match parts.next() {
        // `2026.7.1-2` (a rebuild) and `-beta.1` are part of the release; `-slim`, `-browser`
        // are image variants.
        Some(pre)
            if pre.bytes().all(|b| b.is_ascii_digit())
                || pre.starts_with("beta")
                || pre.starts_with("rc") =>
        {
            format!("{core}-{pre}")
        }
        _ => core.to_string(),
    };
    is_release(&release).then_some(release)
}

pub fn detect(
    inv: &Invocation,
    env: &Env,
    config: Option<&Node>,
    sources: &mut SourceMap,
    cache: &mut FileCache,
) -> Detected {
    let mut found: Vec<Sourced<String>> = Vec::new();
    if let Some(r) = inv.service.as_ref().and_then(|s| s.how.release.clone()) {
        found.push(r);
    }
    if let Some(c) = &inv.container {
        if let Some(release) = c.image.as_deref().and_then(release_of_image) {
            found.push(Sourced::new(
                release,
                Origin::layout(
                    format!("the image tag {}", c.image.as_deref().unwrap_or_default()),
                    c.image_loc.or(Some(c.loc)),
                ),
            ));
        }
    }
    if let Some(var) = env.get("OPENCLAW_SERVICE_VERSION") {
        let v = var.value.trim().trim_start_matches('v');
        if is_release(v) {
            found.push(Sourced::new(
                v.to_string(),
                Origin::env("OPENCLAW_SERVICE_VERSION", var.origin.clone()),
            ));
        }
    }
    if found.is_empty() && inv.container.is_none() {
        found.extend(home_installs(&inv.home, sources, cache));
    }
    if let Some(meta) = config.and_then(|c| c.at(&["meta", "lastTouchedVersion"])) {
        if let Some(v) = meta.as_str().map(str::trim).filter(|v| is_release(v)) {
            found.push(Sourced::new(v.to_string(), Origin::Config(meta.loc)));
        }
    }
    Detected {
        release: found.first().cloned(),
        sources: found,
    }
}

/// The OpenClaw packages installed globally in a home, each once per release (looked for once
/// per home and run).
fn home_installs(
    home: &Path,
    sources: &mut SourceMap,
    cache: &mut FileCache,
) -> Vec<Sourced<String>> {
    let installed = cache.home_installs(home, || {
        install::home_package_dirs(home)
            .iter()
            .filter_map(|dir| install::package_release(dir, sources))
            .collect()
    });
    let mut out: Vec<Sourced<String>> = Vec::new();
    for found in installed {
        if out.iter().all(|s| s.value != found.release) {
            out.push(Sourced::new(
                found.release.clone(),
                Origin::layout(found.what.clone(), found.loc),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        for (image, want) in [
            ("ghcr.io/openclaw/openclaw:2026.3.1", Some("2026.3.1")),
            ("ghcr.io/openclaw/openclaw:v2026.3.1", Some("2026.3.1")),
            ("ghcr.io/openclaw/openclaw:2026.5.4-slim", Some("2026.5.4")),
            ("ghcr.io/openclaw/openclaw:2026.7.1-2", Some("2026.7.1-2")),
            (
                "ghcr.io/openclaw/openclaw:2026.8.0-beta.1",
                Some("2026.8.0-beta.1"),
            ),
            ("ghcr.io/openclaw/openclaw:latest", None),
            ("ghcr.io/openclaw/openclaw", None),
            ("localhost:5000/openclaw", None),
            ("ghcr.io/openclaw/openclaw:2026.3.x", None),
            (
                "ghcr.io/openclaw/openclaw:2026.3.1@sha256:0123abcd",
                Some("2026.3.1"),
            ),
        ] {
            assert_eq!(release_of_image(image).as_deref(), want, "{image}");
        }
    }
}
