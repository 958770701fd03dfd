//! `clawlint.toml`: rule levels, selections, intended sharing (`[[ignore]]`) and, for setups no
//! scan can see, declared gateways (`[[instance]]`). Found from the working directory upward.

use crate::catalog::Selector;
use crate::engine::Level;
use crate::source::Span;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "clawlint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintSection {
    /// Rules to run (codes, prefixes or names); empty means every rule at its default level.
    #[serde(default)]
    pub select: Vec<Selector>,
    #[serde(default)]
    pub ignore: Vec<Selector>,
    /// The OpenClaw release every gateway runs (as `--openclaw-version`).
    #[serde(default)]
    pub openclaw_version: Option<String>,
    /// The release the host upgrades to (as `check --target-version`).
    #[serde(default)]
    pub target_version: Option<String>,
}

/// Sharing that is intended: a finding of `rule` among only these gateways is not reported.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: Selector,
    pub instances: Vec<String>,
    pub reason: String,
}

/// A gateway declared by hand: everything a scan cannot see (containers, other users, CI).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct InstanceDecl {
    pub name: String,
    /// The gateway's HOME; default: the scanned home.
    pub home: Option<PathBuf>,
    pub profile: Option<String>,
    #[serde(default)]
    pub dev: bool,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// `gateway` arguments, e.g. `["--port", "20000"]`.
    #[serde(default)]
    pub args: Vec<String>,
    pub cwd: Option<PathBuf>,
    /// Shorthand for `env.OPENCLAW_CONFIG_PATH`.
    pub config: Option<PathBuf>,
    /// A systemd unit or launchd plist that starts this gateway.
    pub service: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub lint: LintSection,
    #[serde(default)]
    /// Levels by selector; the most specific selector wins.
    pub rules: BTreeMap<Selector, Level>,
    #[serde(default)]
    pub ignore: Vec<Spanned<IgnoreEntry>>,
    #[serde(default)]
    pub instance: Vec<Spanned<InstanceDecl>>,
    /// Compose files of gateways in containers, relative to this file.
    #[serde(default)]
    pub compose: Vec<PathBuf>,
}

/// A loaded `clawlint.toml` and where it is.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub text: String,
    pub file: ConfigFile,
}

/// A bad `clawlint.toml`: shown with its place, exit code 2.
#[derive(Debug)]
pub struct ConfigError {
    pub message: String,
}

/// `clawlint.toml` in `start` or the nearest parent that has one.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        // Anything there (a FIFO or directory too) is this file: `load` says what is wrong.
        .find(|candidate| candidate.symlink_metadata().is_ok())
}

pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let shown = crate::paths::display_path(path);
    let text =
        crate::load::read::read_text(path, crate::load::read::SMALL_FILE_LIMIT).map_err(|e| {
            ConfigError {
                message: format!("cannot read {shown}: {}", e.describe()),
            }
        })?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let (line, column) = crate::source::line_col(&text, s.start);
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        ConfigError {
            message: format!("{shown}{place}: {}", e.message()),
        }
    })?;
    validate(&file, &text, &shown)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        file,
    })
}

/// Every `[[ignore]]` needs a reason. (Unknown rules fail to deserialize, with their place.)
fn validate(file: &ConfigFile, text: &str, shown: &str) -> Result<(), ConfigError> {
    for entry in &file.ignore {
        if entry.get_ref().reason.trim().is_empty() {
            let (line, column) = crate::source::line_col(text, entry.span().start);
            return Err(ConfigError {
                message: format!("{shown}:{line}:{column}: [[ignore]] needs a reason"),
            });
        }
    }
    Ok(())
}

/// The byte span of an `[[ignore]]` entry, for diagnostics.
pub fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let r = spanned.span();
    Span {
        start: r.start,
        end: r.end,
    }
}

pub const STARTER: &str = r#"# clawlint.toml: settings for clawlint, the OpenClaw multi-gateway linter.
# Found from the working directory upward. Docs: `clawlint rule --all`.

[lint]
# Run only these rules (codes like "CL101", prefixes like "CL1", or names like
# "gateway-port-collision"); empty = all.
select = []
# Never run these.
ignore = []

[rules]
# Per-rule level: "error", "warning", "info" or "off".
# footprint-overlap = "warning"   # CL105: base ports closer than 111 apart

# Sharing that is intended. A finding of `rule` among only these gateways is not reported;
# an entry that matches nothing is itself reported (CL903).
# [[ignore]]
# rule = "CL203"
# instances = ["default", "ops"]
# reason = "ops reads the main workspace on purpose"

# Gateways no home scan can see: containers, other users, CI. Paths are relative to this file.
# [[instance]]
# name = "tenant-a"
# home = "/srv/tenant-a"
# profile = "tenant-a"
# env = { OPENCLAW_STATE_DIR = "/srv/tenant-a/state" }
# args = ["--port", "20400"]
# service = "/etc/systemd/system/openclaw-tenant-a.service"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_file_parses() {
        let file: ConfigFile = toml::from_str(STARTER).unwrap();
        assert!(file.ignore.is_empty() && file.lint.select.is_empty());
    }

    #[test]
    fn rules_are_named_by_code_prefix_or_name_and_unknown_ones_are_located() {
        let file: ConfigFile = toml::from_str(
            "[lint]\nselect = [\"CL1\", \"shared-workspace\"]\n[rules]\nfootprint-overlap = \"off\"\n",
        )
        .unwrap();
        assert_eq!(file.lint.select.len(), 2);
        assert!(file
            .rules
            .keys()
            .any(|s| s.matches(crate::catalog::FOOTPRINT_OVERLAP)));
        let err =
            toml::from_str::<ConfigFile>("[rules]\nshared-worksapce = \"off\"\n").unwrap_err();
        assert!(
            err.message().contains("shared-worksapce"),
            "{}",
            err.message()
        );
        assert!(err.span().is_some());
    }
}
