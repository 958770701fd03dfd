//! The fixes clawlint knows, built after the rules from each finding and the source text it
//! points into. Rules never parse; this stage reads the text the loaders kept (never the file
//! system), and never puts a secret in an edit.
//!
//! - CL106 (safe): pin the hash port the profile already runs on, so nothing changes now and
//!   the port no longer depends on an undocumented hash.
//! - CL903 (safe): remove a suppression comment that matches nothing.
//! - CL401 (safe): the service's port set to the config's ([`super::agree`]).
//! - CL102 between Telegram webhooks on 8787 (safe): `webhookPort` for all but one.
//! - CL203/CL207 (unsafe): give one gateway OpenClaw's own default workspace or agent dir
//!   ([`super::paths`]).
//! - CL407 (unsafe): sandbox container prefixes of its own for one gateway
//!   ([`super::sandbox`]).
//! - CL602 (unsafe): `attachOnly: true` on the profile of a loopback cdpUrl
//!   ([`super::browser`]).
//! - CL603: no fix (the other browser to attach to is in no file); the finding says so.
//! - CL108 (unsafe): publish the container on the free host port its help names
//!   ([`super::publish`]).
//! - CL101-CL105 (unsafe): move one gateway's base port, everywhere it is pinned
//!   ([`super::moves`]). When no move can be written, the finding says why in a note.

use super::moves::Planner;
use super::{Applicability, Edit, Fix, NoFix};
use crate::catalog;
use crate::diagnostic::{Finding, Note, Reported};
use crate::load::json5::{self, Member, Node, Span, Value};
use crate::resolve::model::Instance;
use crate::source::{Loc, SourceMap};

/// Attaches a fix to every finding that has one. One planner serves the whole run: what
/// several fixes ask (gateways by name, the host's ports) is built once, when first asked.
pub fn attach(findings: &mut [Reported], instances: &[Instance], sources: &SourceMap) {
    let mut planner = super::moves::Planner::new(instances, sources);
    for reported in findings.iter_mut() {
        match fix_for(&reported.finding, sources, &mut planner) {
            Some(Ok(fix)) => reported.finding.fix = Some(Box::new(fix)),
            Some(Err(reason)) => push_note(&mut reported.finding, Note::facts(reason)),
            None => {}
        }
    }
}

/// Each config file that is also another gateway's own config file (the same file by its
/// real path, however spelt: `~/.openclaw-b/openclaw.json` a link to `~/.openclaw/openclaw.json`,
/// CL202), with the name of one other gateway that reads it. Taken from the path keys the
/// rules compare, before they are dropped.
pub fn shared_config_files(
    instances: &[Instance],
    sources: &SourceMap,
    keys: &crate::paths::PathKeys,
) -> std::collections::HashMap<crate::source::FileId, String> {
    let mut by_key: std::collections::HashMap<std::path::PathBuf, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, instance) in instances.iter().enumerate() {
        by_key
            .entry(keys.key(&instance.config_path.value))
            .or_default()
            .push(i);
    }
    let mut shared = std::collections::HashMap::new();
    for readers in by_key.values().filter(|r| r.len() > 1) {
        for &i in readers {
            let Some(file) = sources.lookup(&instances[i].config_path.value) else {
                continue;
            };
            if let Some(&other) = readers.iter().find(|&&j| j != i) {
                shared.insert(file, instances[other].name.clone());
            }
        }
    }
    shared
}

/// Takes back every fix that edits a config file another gateway also reads as its own
/// (`shared`, from [`shared_config_files`]): written, it would change that gateway too (a
/// move of one would move both, round after round). The finding says why in a note.
pub fn refuse_shared_edits(
    findings: &mut [Reported],
    shared: &std::collections::HashMap<crate::source::FileId, String>,
    sources: &SourceMap,
) {
    if shared.is_empty() {
        return;
    }
    for reported in findings.iter_mut() {
        let Some(fix) = &reported.finding.fix else {
            continue;
        };
        let Some((file, other)) = fix
            .edits
            .iter()
            .find_map(|e| shared.get(&e.file).map(|other| (e.file, other)))
        else {
            continue;
        };
        let reason = format!(
            "{} is also the config file of \"{}\" (CL202, one file however \
             it is spelt): an edit of it would change both gateways",
            crate::paths::display_path(&sources.file(file).path),
            crate::report::visible::visible(other)
        );
        reported.finding.fix = None;
        push_note(&mut reported.finding, Note::facts(NoFix::from(reason)));
    }
}

/// Adds a note to a finding kept to the end of the run: one slot more, not the doubling a
/// push makes (a note after one grew the list to four slots, 72 bytes unused in each of
/// thousands of findings).
pub fn push_note(finding: &mut Finding, note: Note) {
    finding.notes.reserve_exact(1);
    finding.notes.push(note);
}

/// The fix for one finding, the reason it has none (said as a note), or nothing to say.
fn fix_for(f: &Finding, sources: &SourceMap, planner: &mut Planner) -> Option<Result<Fix, NoFix>> {
    if f.rule == catalog::HASHED_PROFILE_PORT {
        pin_hash_port(f, planner).map(Ok)
    } else if f.rule == catalog::UNUSED_SUPPRESSION {
        remove_suppression(f, sources).map(Ok)
    } else if f.rule == catalog::SERVICE_PORT_DRIFT {
        Some(super::agree::unit_to_config(f, planner).map_err(NoFix::from))
    } else if f.rule == catalog::SHARED_WORKSPACE || f.rule == catalog::SHARED_AGENT_DIR {
        Some(super::paths::fix(f, planner).map_err(NoFix::from))
    } else if f.rule == catalog::SHARED_SANDBOX_CONTAINER {
        Some(super::sandbox::fix(f, planner).map_err(NoFix::from))
    } else if f.rule == catalog::LOOPBACK_CDP_WITHOUT_ATTACH_ONLY {
        Some(super::browser::fix(f, planner).map_err(NoFix::from))
    } else if f.rule == catalog::SHARED_ATTACH_ONLY_CDP_ENDPOINT {
        Some(Err(NoFix::from("which other browser a gateway should attach to is in no file; start a browser of its own for one of them and point its cdpUrl there")))
    } else if f.rule == catalog::PUBLISHED_PORT_COLLISION {
        let suggested = f.suggested.as_ref()?;
        Some(super::publish::fix(suggested, planner).map_err(NoFix::from))
    } else if f.rule.remedy == catalog::Remedy::MoveBasePort {
        let webhook = match f.rule == catalog::LISTENER_COLLISION {
            true => super::agree::webhook_ports(planner, f).map(|r| r.map_err(NoFix::from)),
            false => None,
        };
        Some(webhook.unwrap_or_else(|| planner.fix(f)))
    } else {
        None
    }
}

/// The gateway a finding's first label names.
fn instance_of<'a>(f: &Finding, planner: &mut Planner<'a>) -> Option<&'a Instance> {
    let name = f.labels.first()?.instance.as_deref()?;
    planner.index_of(name).map(|i| &planner.instances[i])
}

/// CL106: `gateway: { port: N }` where N is the port the gateway already runs on.
fn pin_hash_port(f: &Finding, planner: &mut Planner) -> Option<Fix> {
    let sources = planner.sources;
    let instance = instance_of(f, planner)?;
    let port = instance.port.value;
    let edit = pin_port_edit(instance, port, sources)?;
    Some(Fix {
        applicability: Applicability::Safe,
        description: format!(
            "pin gateway.port {port} (the port \"{}\" already runs on)",
            instance.name
        ),
        edits: vec![edit],
    })
}

/// The insertion of `port: N` into the config's `gateway` object (or of
/// `gateway: { port: N }`), for a config that has no `gateway.port`: in the top file of the
/// config (its keys deep-merge over what it includes), in its own layout.
pub(crate) fn pin_port_edit(instance: &Instance, port: u16, sources: &SourceMap) -> Option<Edit> {
    if !instance.config_exists {
        return None;
    }
    let file = instance.config_loc.file;
    let text = &sources.file(file).text;
    let doc = json5::parse(text).ok()?;
    let Value::Object(members) = &doc.root.value else {
        return None;
    };
    let gateway = members.iter().rev().find(|m| m.key == "gateway");
    let (object, member_text) = match gateway {
        Some(m) => {
            let Value::Object(_) = m.value.value else {
                // `gateway: "..."`: nothing to pin into.
                return None;
            };
            if m.value.get("port").is_some() {
                // A port OpenClaw drops at startup (out of range, not a number): replacing
                // the operator's value is a guess at their intent, not a pin; CL702 says so.
                return None;
            }
            (&m.value, format!("{}: {port}", key(text, &m.value, "port")))
        }
        None => (
            &doc.root,
            format!(
                "{}: {{ {}: {port} }}",
                key(text, &doc.root, "gateway"),
                key(text, &doc.root, "port")
            ),
        ),
    };
    let edit = insert_member(text, object, &member_text)?;
    if overlaps_secret(sources, Loc { file, span: edit.0 }) {
        return None;
    }
    Some(Edit {
        file,
        span: edit.0,
        replacement: edit.1,
    })
}

/// `name` quoted the way the object's first key is (unquoted when it is not quoted).
pub(crate) fn key(text: &str, object: &Node, name: &str) -> String {
    let first = object.members().first();
    match first.and_then(|m| text[m.key_span.start()..].chars().next()) {
        Some(q @ ('"' | '\'')) => format!("{q}{name}{q}"),
        _ => name.to_string(),
    }
}

/// An insertion of `member` as the first member of `object`, in the object's own layout:
/// on its own line with the first member's indentation when members are one per line, else
/// inline. Inserting first never touches a trailing comma.
pub(crate) fn insert_member(text: &str, object: &Node, member: &str) -> Option<(Span, String)> {
    let open = object.span.start();
    if text.as_bytes().get(open) != Some(&b'{') {
        return None;
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    match object.members().first() {
        Some(Member { key_span, .. }) => {
            let line_start = text[..key_span.start()].rfind('\n').map_or(0, |i| i + 1);
            let indent = &text[line_start..key_span.start()];
            if line_start > open && indent.chars().all(|c| c == ' ' || c == '\t') {
                let at = Span::new(line_start, line_start);
                Some((at, format!("{indent}{member},{newline}")))
            } else {
                let at = Span::new(key_span.start(), key_span.start());
                Some((at, format!("{member}, ")))
            }
        }
        None => {
            let inner = &text[open + 1..object.span.end().saturating_sub(1)];
            if !inner.trim().is_empty() {
                // Only comments inside: leave them be rather than guess a layout.
                return None;
            }
            let at = Span::new(open + 1, object.span.end() - 1);
            Some((at, format!(" {member} ")))
        }
    }
}

/// The node of a parsed document whose span is `span`.
pub(crate) fn node_with_span(node: &Node, span: Span) -> Option<&Node> {
    if node.span == span {
        return Some(node);
    }
    match &node.value {
        Value::Object(members) => members.iter().find_map(|m| node_with_span(&m.value, span)),
        Value::Array(items) => items.iter().find_map(|n| node_with_span(n, span)),
        _ => None,
    }
}

pub(crate) fn overlaps_secret(sources: &SourceMap, loc: Loc) -> bool {
    sources.file(loc.file).hides(loc.span)
}

/// CL903: delete the comment; when it is alone on its line, the whole line goes. Only the
/// blanks around the comment are looked at (a scan of its whole line, on a one-line file of
/// thousands of comments, was quadratic).
fn remove_suppression(f: &Finding, sources: &SourceMap) -> Option<Fix> {
    let loc = f.labels.first()?.loc?;
    let source = sources.file(loc.file);
    // Only a comment clawlint read as a suppression (not a clawlint.toml [[ignore]] entry).
    source.suppression_at(loc.span)?;
    let text = &source.text;
    let (start, end) = (loc.span.start(), loc.span.end());
    if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let bytes = text.as_bytes();
    // Where the spaces and tabs before the comment begin; blank before it when that is where
    // its line begins.
    let blanks_from = text[..start].trim_end_matches([' ', '\t']).len();
    let blank_before = blanks_from == 0 || bytes[blanks_from - 1] == b'\n';
    // After it, spaces and tabs and then `\r`s up to the line's end: blank after it.
    let after_blanks = end + text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
    let line_end = after_blanks + text[after_blanks..].len()
        - text[after_blanks..].trim_start_matches('\r').len();
    let blank_after = line_end == text.len() || bytes[line_end] == b'\n';
    let span = if blank_before && blank_after {
        Span::new(blanks_from, (line_end + 1).min(text.len()))
    } else if blank_before {
        Span::new(start, end)
    } else {
        // After code on the line: take the spaces before the comment with it.
        Span::new(blanks_from, end)
    };
    if overlaps_secret(
        sources,
        Loc {
            file: loc.file,
            span,
        },
    ) {
        return None;
    }
    Some(Fix {
        applicability: Applicability::Safe,
        description: "remove the suppression that matches no finding".to_string(),
        edits: vec![Edit {
            file: loc.file,
            span,
            replacement: String::new(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(text: &str, path: &[&str], member: &str) -> String {
        let doc = json5::parse(text).unwrap();
        let mut node = &doc.root;
        for k in path {
            node = node.get(k).unwrap();
        }
        let (span, r) = insert_member(text, node, member).unwrap();
        format!("{}{r}{}", &text[..span.start()], &text[span.end()..])
    }

    #[test]
    fn a_member_goes_first_in_the_objects_own_layout() {
        let text = "{\n  // c\n  gateway: {\n    bind: \"lan\", // x\n  },\n}\n";
        assert_eq!(
            insert(text, &["gateway"], "port: 5"),
            "{\n  // c\n  gateway: {\n    port: 5,\n    bind: \"lan\", // x\n  },\n}\n"
        );
        assert_eq!(insert("{ a: 1 }", &[], "b: 2"), "{ b: 2, a: 1 }");
        assert_eq!(insert("{}", &[], "b: 2"), "{ b: 2 }");
        assert_eq!(
            insert("{\r\n\t\"a\": 1\r\n}", &[], "b: 2"),
            "{\r\n\tb: 2,\r\n\t\"a\": 1\r\n}"
        );
    }

    /// A CL903 finding on the suppression at `comment`.
    fn stale(file: crate::source::FileId, comment: Span) -> Finding {
        Finding::new(&catalog::UNUSED_SUPPRESSION, "matches no finding").label(
            crate::diagnostic::Label::new(
                Some(Loc {
                    file,
                    span: comment,
                }),
                "here",
                None,
            ),
        )
    }

    /// What the removal of the comment `start..end` took before: a look at its whole line.
    fn removal_by_its_line(text: &str, start: usize, end: usize) -> (usize, usize) {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let before = &text[line_start..start];
        let after = text[end..line_end].trim_end_matches('\r');
        let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
        if blank(before) && blank(after) {
            return (line_start, (line_end + 1).min(text.len()));
        }
        let trimmed = text[..start].trim_end_matches([' ', '\t']).len();
        (if trimmed > line_start { trimmed } else { start }, end)
    }

    /// The blanks around a comment decide what goes as a look at its whole line did: random
    /// texts of blanks, line breaks, `\r`s and code around one comment.
    #[test]
    fn a_suppression_is_removed_as_a_look_at_its_whole_line_would() {
        let pieces = [" ", "\t", "\n", "\r", "\r\n", "x", "é", "\r ", " \r"];
        let comment = "/* clawlint-ignore CL203: old */";
        let mut rng = crate::xorshift::Rng(5);
        let around = |rng: &mut crate::xorshift::Rng| -> String {
            (0..rng.below(5))
                .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
                .collect()
        };
        for _ in 0..2000 {
            let (before, after) = (around(&mut rng), around(&mut rng));
            let text = format!("{before}{comment}{after}");
            let (start, end) = (before.len(), before.len() + comment.len());
            let mut sources = SourceMap::new();
            let file = sources.add(std::path::Path::new("f"), text.clone(), None);
            sources.show_all(file);
            let suppression = crate::source::Suppression {
                rules: vec!["CL203".into()],
                reason: Some("old".into()),
                comment: Span::new(start, end),
                covers: Span::new(0, text.len()),
            };
            sources.set_suppressions(file, vec![suppression]);
            let fix = remove_suppression(&stale(file, Span::new(start, end)), &sources).unwrap();
            let span = fix.edits[0].span;
            assert_eq!(
                (span.start(), span.end()),
                removal_by_its_line(&text, start, end),
                "{text:?}"
            );
        }
    }

    /// One config of `n` stale suppressions, each on its own line before a key.
    fn stale_config(n: usize) -> String {
        let mut text = String::from("{\n");
        for k in 0..n {
            text.push_str(&format!(
                "  // clawlint-ignore CL203: stale {k}\n  key{k}: 1,\n"
            ));
        }
        text + "}\n"
    }

    /// Thousands of stale suppressions in one file: each removal costs its own line, not the
    /// file's suppressions or shown spans (a scan of each was quadratic: 1,837M instructions
    /// for 2,000 of them, 29,665M for 8,000).
    #[test]
    fn the_removals_of_many_suppressions_in_one_file_take_linear_work() {
        let work = |n: usize| {
            let mut sources = SourceMap::new();
            let path = std::path::Path::new("openclaw.json5");
            crate::load::parse_config(&mut sources, path, stale_config(n), None).unwrap();
            let file = sources.lookup(path).unwrap();
            let comments: Vec<Span> = sources
                .file(file)
                .suppressions
                .iter()
                .map(|s| s.comment)
                .collect();
            assert_eq!(comments.len(), n);
            let before = crate::ports::allocate::work::done();
            for comment in comments {
                let fix = remove_suppression(&stale(file, comment), &sources).unwrap();
                let text = &sources.file(file).text;
                // The comment's whole line goes.
                assert!(text[fix.edits[0].span.range()].starts_with("  // clawlint-ignore"));
                assert!(text[fix.edits[0].span.range()].ends_with('\n'));
            }
            crate::ports::allocate::work::done() - before
        };
        let (small, large) = (work(500), work(2000));
        // A scan of the file's shown spans for every byte asked did ~n^2 steps (16x for 4x).
        assert!(large <= 5 * small, "{small} -> {large}");
    }

    #[test]
    fn keys_are_quoted_like_the_first_key() {
        let doc = json5::parse("{ \"a\": 1 }").unwrap();
        assert_eq!(key("{ \"a\": 1 }", &doc.root, "port"), "\"port\"");
        let doc = json5::parse("{ a: 1 }").unwrap();
        assert_eq!(key("{ a: 1 }", &doc.root, "port"), "port");
    }
}
