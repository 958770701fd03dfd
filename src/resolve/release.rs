//! Which OpenClaw release runs a gateway, from what the layout shows.
//!
//! In order: the version an OpenClaw install wrote into the service that starts the gateway
//! (`OPENCLAW_SERVICE_VERSION`, written with `Description=OpenClaw Gateway (vX)` by releases
//! before 2026.9, `systemd-*.mjs removeLegacyGatewayVersionMetadata`), then the release that
//! last wrote the config (`meta.lastTouchedVersion`). `--openclaw-version` and
//! `openclaw_version` in clawlint.toml override both (applied by the validation step).

use super::model::{Origin, Sourced};
use crate::load::env::Env;
use crate::load::tree::Node;
use crate::validate::releases::is_release;

pub fn detect(env: &Env, config: Option<&Node>) -> Option<Sourced<String>> {
    if let Some(var) = env.get("OPENCLAW_SERVICE_VERSION") {
        let v = var.value.trim().trim_start_matches('v');
        if is_release(v) {
            return Some(Sourced::new(
                v.to_string(),
                Origin::Env {
                    var: "OPENCLAW_SERVICE_VERSION".into(),
                    set_by: var.origin.clone(),
                },
            ));
        }
    }
    let meta = config?.at(&["meta", "lastTouchedVersion"])?;
    let v = meta.as_str()?.trim();
    is_release(v).then(|| Sourced::new(v.to_string(), Origin::Config(meta.loc)))
}
