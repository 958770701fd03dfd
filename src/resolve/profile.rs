//! Profile names, the profile hash port, and what `--profile`/`--dev` do to the environment
//! (`applyCliProfileEnv`, openclaw-facts.md §1.2).

use crate::load::env::{Env, EnvOrigin};
use crate::paths::{expand_tilde, is_js_whitespace, resolve, same_path};
use std::path::{Path, PathBuf};

/// Still imported from here by `plan.rs`; its new home is [`crate::openclaw`].
pub use crate::openclaw::is_valid_profile_name;

/// `<home>/.openclaw` for `default`, `<home>/.openclaw-<name>` otherwise.
pub fn profile_state_dir(home: &Path, profile: &str) -> PathBuf {
    let profile = profile.trim_matches(is_js_whitespace);
    if profile.eq_ignore_ascii_case("default") {
        crate::paths::join(home, ".openclaw")
    } else {
        crate::paths::join(home, [".openclaw-", profile].concat())
    }
}

/// `resolveHomeRelativePath`: trimmed, `~` expanded with the effective home, made absolute
/// against the process cwd.
pub fn home_relative(raw: &str, home: &Path, cwd: &Path) -> PathBuf {
    let trimmed = raw.trim_matches(is_js_whitespace);
    match expand_tilde(trimmed, home) {
        Some(expanded) => resolve(cwd, &expanded),
        None => resolve(cwd, Path::new(trimmed)),
    }
}

/// Applies the root `--profile NAME` (or `--dev`, which is `--profile dev`) to `env`.
/// `home` is the effective home (`OPENCLAW_HOME` first).
pub fn apply_profile_flag(env: &mut Env, profile: &str, flag: &str, home: &Path, cwd: &Path) {
    let profile = profile.trim_matches(is_js_whitespace);
    if profile.is_empty() {
        return;
    }
    let flag: std::sync::Arc<str> = flag.into();
    let origin = || EnvOrigin::ProfileFlag {
        flag: std::sync::Arc::clone(&flag),
    };
    let inherited = env
        .value("OPENCLAW_PROFILE")
        .map(|v| v.trim_matches(is_js_whitespace).to_string())
        .unwrap_or_else(|| "default".to_string());
    let existing_state = env.value("OPENCLAW_STATE_DIR").map(str::to_string);
    let existing_config = env.value("OPENCLAW_CONFIG_PATH").map(str::to_string);
    let inherited_dir = profile_state_dir(home, &inherited);
    let selected_dir = profile_state_dir(home, profile);
    let switches = !same_path(&inherited_dir, &selected_dir);
    let switches_state = switches
        && existing_state
            .as_deref()
            .is_some_and(|s| same_path(&home_relative(s, home, cwd), &inherited_dir));
    let replaces_config = switches
        && (existing_state.is_none() || switches_state)
        && existing_config.as_deref().is_some_and(|c| {
            same_path(
                &home_relative(c, home, cwd),
                &inherited_dir.join("openclaw.json"),
            )
        });

    env.set("OPENCLAW_PROFILE", profile.to_string(), origin());
    let state_dir = match &existing_state {
        Some(kept) if !switches_state => PathBuf::from(kept),
        _ => selected_dir,
    };
    if existing_state.is_none() || switches_state {
        env.set(
            "OPENCLAW_STATE_DIR",
            crate::paths::text(&state_dir),
            origin(),
        );
    }
    if existing_config.is_none() || replaces_config {
        let config = crate::paths::join(&state_dir, "openclaw.json");
        env.set(
            "OPENCLAW_CONFIG_PATH",
            crate::paths::text(&config),
            origin(),
        );
    }
    if profile == "dev" && env.value("OPENCLAW_GATEWAY_PORT").is_none() {
        env.set("OPENCLAW_GATEWAY_PORT", "19001".to_string(), origin());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_flag_keeps_custom_state_dir_and_replaces_inherited() {
        let home = Path::new("/h");
        let mut env = Env::new();
        env.set("OPENCLAW_STATE_DIR", "/srv/x1".into(), EnvOrigin::Given);
        apply_profile_flag(&mut env, "rescue", "--profile rescue", home, home);
        assert_eq!(env.value("OPENCLAW_STATE_DIR"), Some("/srv/x1"));
        assert_eq!(
            env.value("OPENCLAW_CONFIG_PATH"),
            Some("/srv/x1/openclaw.json")
        );

        let mut env = Env::new();
        env.set(
            "OPENCLAW_STATE_DIR",
            "/h/.openclaw".into(),
            EnvOrigin::Given,
        );
        apply_profile_flag(&mut env, "rescue", "--profile rescue", home, home);
        assert_eq!(env.value("OPENCLAW_STATE_DIR"), Some("/h/.openclaw-rescue"));
    }

    #[test]
    fn dev_sets_port_unless_given() {
        let home = Path::new("/h");
        let mut env = Env::new();
        apply_profile_flag(&mut env, "dev", "--dev", home, home);
        assert_eq!(env.value("OPENCLAW_GATEWAY_PORT"), Some("19001"));
        let mut env = Env::new();
        env.set("OPENCLAW_GATEWAY_PORT", "1234".into(), EnvOrigin::Given);
        apply_profile_flag(&mut env, "dev", "--dev", home, home);
        assert_eq!(env.value("OPENCLAW_GATEWAY_PORT"), Some("1234"));
    }
}
