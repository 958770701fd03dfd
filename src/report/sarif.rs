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

use super::flat::{anchor, instances, party_place, Anchor};
use super::json::{self, Pretty};
use super::visible::visible;
use super::{place, Place};
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

/// Whether a finding has a party in a file (the place a result needs).
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

pub fn render(findings: &[Reported], sources: &SourceMap, _instances: usize) -> String {
    let mut out = Vec::new();
    write(&mut out, findings, sources).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the log as it is made, one result at a time: no tree and no record of a result.
/// The notifications (findings in no file, usually none) come first in the document.
pub fn write(
    out: &mut dyn std::io::Write,
    findings: &[Reported],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let rules = catalog::ALL;
    let mut w = Pretty::new(out);
    let mut scratch = String::new();
    w.open(b'{');
    w.key("$schema");
    w.string(SCHEMA_URI);
    w.key("version");
    w.string("2.1.0");
    w.key("runs");
    w.open(b'[');
    w.item();
    w.open(b'{');
    w.key("tool");
    w.serialized(&Tool {
        driver: Driver {
            name: "clawlint",
            information_uri: INFORMATION_URI,
            version: env!("CARGO_PKG_VERSION"),
            semantic_version: env!("CARGO_PKG_VERSION"),
            rules: rules.iter().map(rule).collect(),
        },
    })?;
    let mut unlocated = findings.iter().filter(|r| !located(r, sources)).peekable();
    if unlocated.peek().is_some() {
        w.key("invocations");
        w.open(b'[');
        w.item();
        w.open(b'{');
        w.key("executionSuccessful");
        w.bool(true);
        w.key("toolExecutionNotifications");
        w.open(b'[');
        for reported in unlocated {
            w.item();
            notification(&mut w, reported, rules, &mut scratch);
            w.pass_full()?;
        }
        w.close(b']');
        w.close(b'}');
        w.close(b']');
    }
    w.key("results");
    w.open(b'[');
    for reported in findings {
        if let Some(anchor) = anchor(&reported.finding, sources) {
            w.item();
            result(&mut w, reported, anchor, sources, rules, &mut scratch);
            w.pass_full()?;
        }
    }
    w.close(b']');
    // Columns count characters, as `crate::source::line_col` does.
    w.key("columnKind");
    w.string("unicodeCodePoints");
    w.close(b'}');
    w.close(b']');
    w.close(b'}');
    w.finish()
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

/// A result: the finding at its anchor, its other parties in files as related locations
/// linked from the message, the rest of them, its notes and help in the message.
fn result(
    w: &mut Pretty,
    reported: &Reported,
    anchor: Anchor,
    sources: &SourceMap,
    rules: &[RuleInfo],
    scratch: &mut String,
) {
    let f = &reported.finding;
    w.open(b'{');
    w.key("ruleId");
    w.string(f.rule.code);
    if let Some(index) = rule_index(rules, f.rule.code) {
        w.key("ruleIndex");
        w.number(index);
    }
    w.key("level");
    w.string(level(reported.severity));
    let others = || {
        f.labels
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != anchor.index)
            .map(|(_, label)| (label, party_place(label, sources)))
    };
    w.key("message");
    w.object(|w| {
        w.key("text");
        w.string_of(|buf| {
            link_text(buf, &visible(&f.message));
            let mut id = 0;
            for (label, place) in others() {
                let message = visible(&label.message);
                if place.is_some() {
                    id += 1;
                    json::escaped(buf, "\n- [");
                    link_text(buf, &message);
                    buf.extend_from_slice(b"](");
                    json::number(buf, id);
                    buf.push(b')');
                } else {
                    json::escaped(buf, "\n- ");
                    link_text(buf, &message);
                }
            }
            notes(buf, f, scratch, link_text);
        });
    });
    w.key("locations");
    let primary = visible(&f.labels[anchor.index].message);
    w.array([primary], |w, primary| {
        location(w, None, anchor.file, anchor.at, &primary)
    });
    let mut related = others()
        .filter_map(|(label, place)| place.map(|p| (label, p)))
        .peekable();
    if related.peek().is_some() {
        w.key("relatedLocations");
        w.array(related.enumerate(), |w, (id, (label, (file, at)))| {
            location(w, Some(id + 1), file, at, &visible(&label.message))
        });
    }
    w.key("partialFingerprints");
    w.object(|w| {
        w.key(FINGERPRINT_KEY);
        w.string(&fingerprint(f));
    });
    if let Some(fix) = &f.fix {
        w.key("fixes");
        w.array([fix], |w, fix| sarif_fix(w, fix, sources));
    }
    w.close(b'}');
}

/// The finding's notes and help, each on a line of its own after the message, each text
/// written by `text` (the link escape in a result, plain in a notification).
fn notes(
    buf: &mut Vec<u8>,
    f: &crate::diagnostic::Finding,
    scratch: &mut String,
    text: fn(&mut Vec<u8>, &str),
) {
    for note in &f.notes {
        json::escaped(buf, "\nnote: ");
        text(buf, &visible(note.as_str(scratch)));
    }
    if let Some(help) = &f.help {
        json::escaped(buf, "\nhelp: ");
        text(buf, &visible(help));
    }
}

/// One file a fix changes: its shown path, whether the fix creates it, and its replacements
/// (place, inserted text).
type FileChange<'a> = (&'a str, bool, Vec<(Place, &'a str)>);

/// The finding's fix, its edits grouped by file in the order they come.
fn sarif_fix(w: &mut Pretty, fix: &crate::fix::Fix, sources: &SourceMap) {
    let mut files: Vec<FileChange> = Vec::new();
    for edit in &fix.edits {
        let loc = crate::source::Loc {
            file: edit.file,
            span: edit.span,
        };
        let (file, at) = place(sources, loc);
        let replacement = (at, edit.replacement.as_str());
        match files.iter_mut().find(|(f, _, _)| *f == file) {
            Some((_, _, replacements)) => replacements.push(replacement),
            None => files.push((file, sources.file(edit.file).to_create, vec![replacement])),
        }
    }
    w.object(|w| {
        w.key("description");
        text_object(w, &visible(&fix.description));
        w.key("artifactChanges");
        w.array(files, |w, (file, creates, replacements)| {
            w.object(|w| {
                w.key("artifactLocation");
                artifact_location(w, file);
                // SARIF has no "create" change: a property bag says the file is not there
                // yet, so that a consumer applying the insertion creates it.
                if creates {
                    w.key("properties");
                    w.object(|w| {
                        w.key("createsFile");
                        w.bool(true);
                    });
                }
                w.key("replacements");
                w.array(replacements, |w, (at, content)| {
                    w.object(|w| {
                        // A text region's end column is the column after its last character,
                        // so an insertion is a region of length zero (§3.30.5, §3.57.3).
                        w.key("deletedRegion");
                        region(w, at);
                        if !content.is_empty() {
                            w.key("insertedContent");
                            text_object(w, content);
                        }
                    });
                });
            });
        });
        w.key("properties");
        w.object(|w| {
            w.key("applicability");
            w.string(json::applicability(fix.applicability));
        });
    });
}

/// A finding in no file, as a tool notification of its rule: the message and every party,
/// its notes and help.
fn notification(w: &mut Pretty, reported: &Reported, rules: &[RuleInfo], scratch: &mut String) {
    let f = &reported.finding;
    w.open(b'{');
    w.key("level");
    w.string(level(reported.severity));
    w.key("message");
    w.object(|w| {
        w.key("text");
        w.string_of(|buf| {
            json::escaped(buf, &visible(&f.message));
            for label in &f.labels {
                json::escaped(buf, "\n- ");
                json::escaped(buf, &visible(&label.message));
            }
            notes(buf, f, scratch, json::escaped);
        });
    });
    w.key("associatedRule");
    w.object(|w| {
        w.key("id");
        w.string(f.rule.code);
        if let Some(index) = rule_index(rules, f.rule.code) {
            w.key("index");
            w.number(index);
        }
    });
    w.close(b'}');
}

/// A plain-text message with embedded links escapes literal `\`, `[` and `]` (SARIF
/// §3.11.6).
fn escape_text(text: &str) -> String {
    let mut buf = Vec::with_capacity(text.len());
    link_escaped(&mut buf, text);
    String::from_utf8(buf).expect("UTF-8 in, UTF-8 out")
}

/// Writes `text` with the link escape (into a plain buffer).
fn link_escaped(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'\\' | b'[' | b']') {
            buf.extend_from_slice(&bytes[clean_from..i]);
            buf.push(b'\\');
            clean_from = i;
        }
    }
    buf.extend_from_slice(&bytes[clean_from..]);
}

/// Writes `text` with the link escape into a JSON string.
fn link_text(buf: &mut Vec<u8>, text: &str) {
    if text.contains(['\\', '[', ']']) {
        json::escaped(buf, &escape_text(text));
    } else {
        json::escaped(buf, text);
    }
}

/// `{"text": ...}`.
fn text_object(w: &mut Pretty, text: &str) {
    w.object(|w| {
        w.key("text");
        w.string(text);
    });
}

fn location(w: &mut Pretty, id: Option<usize>, file: &str, at: Place, label: &str) {
    w.object(|w| {
        if let Some(id) = id {
            w.key("id");
            w.number(id);
        }
        w.key("physicalLocation");
        w.object(|w| {
            w.key("artifactLocation");
            artifact_location(w, file);
            w.key("region");
            region(w, at);
        });
        w.key("message");
        text_object(w, label);
    });
}

fn artifact_location(w: &mut Pretty, file: &str) {
    let (uri, uri_base_id) = artifact_uri(Path::new(file));
    w.object(|w| {
        w.key("uri");
        w.string(&uri);
        if let Some(base) = uri_base_id {
            w.key("uriBaseId");
            w.string(base);
        }
    });
}

fn region(w: &mut Pretty, at: Place) {
    w.object(|w| {
        for (key, value) in [
            ("startLine", at.line),
            ("startColumn", at.column),
            ("endLine", at.end_line),
            ("endColumn", at.end_column),
        ] {
            w.key(key);
            w.number(value);
        }
    });
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
fn fingerprint(f: &crate::diagnostic::Finding) -> String {
    let mut hasher = Sha256::new();
    hasher.update(f.rule.code.as_bytes());
    for name in instances(f) {
        hasher.update([0]);
        hasher.update(visible(name).as_bytes());
    }
    hasher.update([0, 0]);
    hasher.update(crate::redact::without_fingerprints(&visible(&f.message)).as_bytes());
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
