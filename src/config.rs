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
    let file = parse(&text, &shown)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        file,
    })
}

/// A `clawlint.toml`'s text, parsed and checked as [`load`] does; `shown` names it in errors.
pub fn parse(text: &str, shown: &str) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let (line, column) = crate::source::line_col(text, s.start);
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        ConfigError {
            message: format!("{shown}{place}: {}", e.message()),
        }
    })?;
    validate(&file, text, shown)?;
    Ok(file)
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
    Span::new(r.start, r.end)
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

/// The JSON Schema of `clawlint.toml` (draft-07), for editors (taplo, Even Better TOML,
/// SchemaStore), published as `docs/clawlint.schema.json`. Generated from the catalog, so
/// every rule's code, prefixes and name complete; `tests/docs.rs` fails when the published
/// file is stale and checks that the schema accepts exactly what [`load`] accepts.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let rules = crate::catalog::ALL;
    let mut prefixes: Vec<String> = rules
        .iter()
        .flat_map(|r| (3..=r.code.len()).map(|n| r.code[..n].to_string()))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    let mut canonical: Vec<String> = vec!["ALL".into()];
    canonical.extend(prefixes.iter().cloned());
    canonical.extend(rules.iter().map(|r| r.name.to_string()));
    // Selectors are case-insensitive; JSON Schema patterns are not, so each letter is a class.
    let any_case = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                c if c.is_ascii_alphabetic() => {
                    format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
                }
                '-' => "-".to_string(),
                c => c.to_string(),
            })
            .collect()
    };
    // Retired codes and names still select the rule that replaced them.
    let retired = crate::catalog::RETIRED;
    let digits: Vec<&str> = prefixes
        .iter()
        .map(|p| &p[2..])
        .chain(retired.iter().map(|(code, _, _)| &code[2..]))
        .collect();
    let names: Vec<String> = rules
        .iter()
        .map(|r| r.name)
        .chain(retired.iter().map(|(_, name, _)| *name))
        .map(any_case)
        .collect();
    let pattern = format!(
        "^(?:{}|{}(?:{})|{})$",
        any_case("ALL"),
        any_case("CL"),
        digits.join("|"),
        names.join("|")
    );
    let string = |description: &str| json!({ "description": description, "type": "string" });
    let strings = |description: &str| json!({ "description": description, "type": "array", "items": { "type": "string" } });
    let selectors = |description: &str| {
        json!({
            "description": description,
            "type": "array",
            "items": { "$ref": "#/definitions/selector" }
        })
    };
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/clawlint/clawlint/raw/main/docs/clawlint.schema.json",
        "title": "clawlint.toml",
        "description": "Settings for clawlint, the OpenClaw multi-gateway linter: rule selection and levels, intended sharing, and gateways no scan can see. Generated from clawlint's catalog (CLAWLINT_UPDATE_DOCS=1 cargo test --test docs).",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "lint": {
                "description": "Which rules run. The command line's --select/--ignore replace these lists; --extend-select/--extend-ignore add to them.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "select": selectors("Run only these rules: codes (CL101), code prefixes (CL1), names (gateway-port-collision) or ALL. Empty: every rule at its default level."),
                    "ignore": selectors("Do not run these rules."),
                    "openclaw-version": string("The OpenClaw release every gateway runs, as --openclaw-version (default: what each gateway's service or config says)."),
                    "target-version": string("The release the host upgrades to, as check --target-version.")
                }
            },
            "rules": {
                "description": "A level per rule, code prefix or name; the most specific selector wins. -W/-D/-A on the command line come last.",
                "type": "object",
                "propertyNames": { "$ref": "#/definitions/selector" },
                "additionalProperties": { "$ref": "#/definitions/level" }
            },
            "ignore": {
                "description": "Sharing that is intended: a finding of `rule` among only these gateways is not reported. An entry that matches nothing is reported (CL903).",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["rule", "instances", "reason"],
                    "properties": {
                        "rule": { "$ref": "#/definitions/selector" },
                        "instances": strings("The gateways that share on purpose."),
                        "reason": { "description": "Why the sharing is intended (required, not blank).", "type": "string", "pattern": "\\S" }
                    }
                }
            },
            "instance": {
                "description": "A gateway declared by hand: one no scan can see (a container, another user, CI).",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                        "name": string("The gateway's name in findings."),
                        "home": string("The gateway's HOME (relative paths are relative to this file) [default: the scanned home]."),
                        "profile": string("The profile, as in `openclaw --profile NAME gateway`."),
                        "dev": { "description": "Started with --dev.", "type": "boolean" },
                        "env": {
                            "description": "The gateway's environment (OPENCLAW_STATE_DIR, OPENCLAW_GATEWAY_PORT, ...).",
                            "type": "object",
                            "additionalProperties": { "type": "string" }
                        },
                        "args": strings("`gateway` arguments, e.g. [\"--port\", \"20000\"]."),
                        "cwd": string("The working directory it starts in."),
                        "config": string("Shorthand for env.OPENCLAW_CONFIG_PATH."),
                        "service": string("A systemd unit or launchd plist that starts this gateway.")
                    }
                }
            },
            "compose": strings("Compose files of gateways in containers, relative to this file.")
        },
        "definitions": {
            "selector": {
                "description": "A rule code (CL101), a code prefix (CL1), a rule name (gateway-port-collision) or ALL; any case.",
                "type": "string",
                "anyOf": [{ "enum": canonical }, { "pattern": pattern }]
            },
            "level": {
                "type": "string",
                "enum": ["error", "warning", "info", "off"]
            }
        }
    })
}

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
