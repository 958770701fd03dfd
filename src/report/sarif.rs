//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run. `tool.driver.rules` lists every rule clawlint has (not only those that fired),
//! with its page as description and help. Each finding is a result located at its first
//! party that is in a file (the primary party when it is); the other parties in files are
//! `relatedLocations`, linked from the message as `[label](id)` so that code scanning shows
//! them, and parties in no file are written into the message. URIs are relative to the
//! working directory (`%SRCROOT%`) when the file lies below it.
//!
//! A finding `check --fix` can repair carries its fix as a SARIF `fix` (§3.55): one
//! `artifactChange` per file with a `replacement` per edit (`deletedRegion`, empty for an
//! insertion, and `insertedContent`, absent for a deletion), made from the very edits
//! `--diff` and `--fix` apply. Whether `--fix` applies it alone or needs `--unsafe-fixes`
//! is the fix's `properties.applicability`.
//!
//! Code scanning rejects a whole upload when one result has no location, so a finding none
//! of whose parties is in a file is reported as a tool notification of its rule instead
//! (`invocations[0].toolExecutionNotifications`): kept in the log, never an alert.
//!
//! The output is deterministic: no timestamps, no absolute paths unless a file lies outside
//! the working directory.

use super::flat::{flatten, FlatFinding};
use super::Position;
use crate::catalog::{self, Rule as RuleInfo};
use crate::diagnostic::{Reported, Severity};
use crate::source::SourceMap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Component, Path};

/// Where the tool is documented. A placeholder until the project has a public home.
pub const INFORMATION_URI: &str = catalog::REPOSITORY;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key; the suffix changes if the recipe ever does.
pub const FINGERPRINT_KEY: &str = "clawlintFindingHash/v1";

const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    results: Results<'a>,
    column_kind: &'static str,
}

/// The results, each made from its finding as it is written: no list of every result.
struct Results<'a> {
    findings: &'a [Reported],
    sources: &'a SourceMap,
    rules: &'a [RuleInfo],
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (sources, rules) = (self.sources, self.rules);
        serializer.collect_seq(
            self.findings
                .iter()
                .filter(|r| located(r, sources))
                .filter_map(|r| result(&flatten(r, sources), rules)),
        )
    }
}

/// Whether a finding has a party in a file (the place a result needs), as its flattened
/// form's `anchor` would say, without flattening it.
fn located(reported: &Reported, sources: &SourceMap) -> bool {
    reported
        .finding
        .labels
        .iter()
        .any(|l| super::showable(sources, l.loc).is_some())
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    /// The rule's page under docs/rules/, at this release's tag.
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

fn text(text: impl Into<String>) -> Text {
    Text { text: text.into() }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    /// GitHub code scanning's severity of a security alert (a number as a string, 0.1-10.0),
    /// on the rules about secrets; code scanning reads it together with a `security` tag.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    associated_rule: RuleReference,
}

#[derive(Serialize)]
struct RuleReference {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

/// SARIF's `fix`: what it does, and the changes per file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe` (`--fix` applies it) or `unsafe` (only with `--unsafe-fixes`).
    applicability: crate::fix::Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

pub fn render(findings: &[Reported], sources: &SourceMap, _instances: usize) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, sources).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the log as it is serialised, one result at a time. The notifications (findings in
/// no file, usually none) come first in the document, so they are made first.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let rules = catalog::ALL;
    let notifications: Vec<Notification> = findings
        .iter()
        .filter(|r| !located(r, sources))
        .map(|r| notification(&flatten(r, sources), rules))
        .collect();
    let invocations = if notifications.is_empty() {
        Vec::new()
    } else {
        vec![Invocation {
            execution_successful: true,
            tool_execution_notifications: notifications,
        }]
    };
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "clawlint",
                    information_uri: INFORMATION_URI,
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules.iter().map(rule).collect(),
                },
            },
            invocations,
            results: Results {
                findings,
                sources,
                rules,
            },
            // Columns count characters, as `crate::source::line_col` does.
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_index(rules: &[RuleInfo], code: &str) -> Option<usize> {
    rules.iter().position(|r| r.code == code)
}

fn rule(info: &RuleInfo) -> Rule {
    let level = match info.category.default_severity() {
        Some(severity) => level(severity),
        None => "none",
    };
    Rule {
        id: info.code.to_string(),
        name: info.name.to_string(),
        short_description: text(info.summary().trim()),
        full_description: text(info.explanation().trim()),
        help_uri: info.doc_url(),
        // Pages are Markdown with fenced code: passed through, never guessed at.
        help: Help {
            text: format!(
                "Fix:\n{}\n\nExample:\n{}",
                catalog::plain_text(info.fix()).trim_end(),
                catalog::plain_text(info.example()).trim_end()
            ),
            markdown: format!(
                "**Fix**\n\n{}\n\n**Example**\n\n{}",
                info.fix().trim_end(),
                info.example().trim_end()
            ),
        },
        default_configuration: Configuration { level },
        properties: RuleProperties {
            tags: std::iter::once(info.family.as_str().to_string())
                .chain(info.security_severity().map(|_| "security".to_string()))
                .collect(),
            security_severity: info.security_severity().map(|s| format!("{s:.1}")),
        },
    }
}

fn result(f: &FlatFinding, rules: &[RuleInfo]) -> Option<SarifResult> {
    let (primary_index, primary) = f.anchor()?;
    let mut related = Vec::new();
    let mut message = escape_text(&f.message);
    for (i, party) in f.parties.iter().enumerate() {
        if i == primary_index {
            continue;
        }
        match &party.position {
            Some(p) => {
                let id = related.len() + 1;
                message.push_str(&format!("\n- [{}]({id})", escape_text(&party.message)));
                related.push(location(Some(id), p, &party.message));
            }
            None => message.push_str(&format!("\n- {}", escape_text(&party.message))),
        }
    }
    append_notes(&mut message, f, true);
    let mut partial_fingerprints = std::collections::BTreeMap::new();
    partial_fingerprints.insert(FINGERPRINT_KEY, fingerprint(f));
    Some(SarifResult {
        rule_id: f.code.to_string(),
        rule_index: rule_index(rules, f.code),
        level: level(f.severity),
        message: text(message),
        locations: vec![location(None, primary, &f.parties[primary_index].message)],
        related_locations: related,
        partial_fingerprints,
        fixes: f.fix.as_ref().map(fix).into_iter().collect(),
    })
}

/// The finding's fix, its edits grouped by file in the order they come.
fn fix(fix: &super::flat::FlatFix) -> SarifFix {
    let mut changes: Vec<(String, ArtifactChange)> = Vec::new();
    for edit in &fix.edits {
        let p = &edit.position;
        let replacement = Replacement {
            // A text region's end column is the column after its last character, so an
            // insertion is a region of length zero (§3.30.5, §3.57.3).
            deleted_region: Region {
                start_line: p.line,
                start_column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
            },
            inserted_content: (!edit.content.is_empty()).then(|| text(edit.content.as_ref())),
        };
        match changes.iter_mut().find(|(file, _)| *file == p.file) {
            Some((_, change)) => change.replacements.push(replacement),
            None => {
                let (uri, uri_base_id) = artifact_uri(Path::new(&p.file));
                changes.push((
                    p.file.clone(),
                    ArtifactChange {
                        artifact_location: ArtifactLocation { uri, uri_base_id },
                        replacements: vec![replacement],
                    },
                ));
            }
        }
    }
    SarifFix {
        description: text(fix.message.as_ref()),
        artifact_changes: changes.into_iter().map(|(_, c)| c).collect(),
        properties: FixProperties {
            applicability: fix.applicability,
        },
    }
}

fn notification(f: &FlatFinding, rules: &[RuleInfo]) -> Notification {
    let mut message = f.message.to_string();
    for party in &f.parties {
        message.push_str(&format!("\n- {}", party.message));
    }
    append_notes(&mut message, f, false);
    Notification {
        level: level(f.severity),
        message: text(message),
        associated_rule: RuleReference {
            id: f.code.to_string(),
            index: rule_index(rules, f.code),
        },
    }
}

fn append_notes(message: &mut String, f: &FlatFinding, escape: bool) {
    let esc = |s: &str| {
        if escape {
            escape_text(s)
        } else {
            s.to_string()
        }
    };
    for note in &f.notes {
        message.push_str(&format!("\nnote: {}", esc(note.as_ref())));
    }
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {}", esc(help.as_ref())));
    }
}

/// A plain-text message with embedded links escapes literal `\`, `[` and `]` (SARIF
/// §3.11.6).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn location(id: Option<usize>, p: &Position, label: &str) -> Location {
    let (uri, uri_base_id) = artifact_uri(Path::new(&p.file));
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri, uri_base_id },
            region: Region {
                start_line: p.line,
                start_column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
            },
        },
        message: text(label),
    }
}

/// `display` is [`crate::paths::display_path`]'s form: relative to the working directory
/// when the file is below it. Such a path becomes a `%SRCROOT%`-relative URI; any other is
/// made absolute and written as a `file://` URI.
fn artifact_uri(display: &Path) -> (String, Option<&'static str>) {
    let below = display.is_relative()
        && display
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if below {
        return (encode_components(display), Some(SRCROOT));
    }
    let absolute = crate::paths::absolute(display);
    let encoded = encode_components(&absolute);
    let encoded = encoded.trim_start_matches('/');
    (format!("file:///{encoded}"), None)
}

fn encode_components(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(s) => parts.push(percent_encode(&s.to_string_lossy())),
            Component::ParentDir => parts.push("..".into()),
            Component::CurDir => {}
            Component::RootDir => {
                if parts.is_empty() {
                    parts.push(String::new());
                }
            }
            Component::Prefix(p) => {
                parts.push(p.as_os_str().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    parts.join("/")
}

/// Percent-encodes everything but RFC 3986 unreserved characters and the sub-delimiters
/// that are safe in a path segment. `:` is encoded: in a relative URI's first segment it
/// would read as a scheme.
fn percent_encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Stable across runs and machines: the rule, the gateways and the message, which names
/// the values involved; no path, so moving the checkout keeps the identity, and no secret's
/// fingerprint (keyed per run, see [`crate::redact::fingerprint`]).
fn fingerprint(f: &FlatFinding) -> String {
    let mut hasher = Sha256::new();
    hasher.update(f.code.as_bytes());
    for name in &f.instances {
        hasher.update([0]);
        hasher.update(name.as_bytes());
    }
    hasher.update([0, 0]);
    hasher.update(crate::redact::without_fingerprints(&f.message).as_bytes());
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Category;

    #[test]
    fn every_rule_is_described_with_its_level() {
        let log: serde_json::Value =
            serde_json::from_str(&render(&[], &SourceMap::new(), 0)).unwrap();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), catalog::ALL.len());
        for (rule, info) in rules.iter().zip(catalog::ALL) {
            assert_eq!(rule["id"], info.code);
            let expected = match info.category {
                Category::Correctness => "error",
                Category::Suspicious => "warning",
                Category::Advisory => "note",
                Category::Pedantic => "none",
            };
            assert_eq!(rule["defaultConfiguration"]["level"], expected);
            assert_eq!(rule["properties"]["tags"][0], info.family.as_str());
            let markdown = rule["help"]["markdown"].as_str().unwrap();
            // The page's Markdown, fences included, passes through unchanged.
            assert!(markdown.contains(info.example().trim_end()));
            assert!(markdown.contains(info.fix().trim_end()));
        }
    }

    #[test]
    fn uris_are_relative_below_the_working_directory() {
        assert_eq!(
            artifact_uri(Path::new("home/.openclaw/open claw:1.json")),
            (
                "home/.openclaw/open%20claw%3A1.json".to_string(),
                Some(SRCROOT)
            )
        );
        let (uri, base) = artifact_uri(Path::new("/srv/openclaw/é.json"));
        assert_eq!(
            (uri.as_str(), base),
            ("file:///srv/openclaw/%C3%A9.json", None)
        );
        let (uri, base) = artifact_uri(Path::new("../elsewhere/a.json"));
        assert!(uri.starts_with("file:///") && !uri.contains(".."), "{uri}");
        assert_eq!(base, None);
    }

    #[test]
    fn link_text_is_escaped() {
        assert_eq!(escape_text(r"[v6]:1 \ x"), r"\[v6\]:1 \\ x");
    }
}
